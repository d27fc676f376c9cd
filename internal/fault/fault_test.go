package fault

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/media"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/search/embedded"
)

const password = "fault-suite-password-2026"

// TestFaultSuite stops, freezes or kills each dependency of serve, and
// serve itself, under a bounded loopback load, with real processes:
// PostgreSQL stopped for 10 s and frozen (SIGSTOP) past the request
// deadline, MinIO stopped and frozen during image uploads, serve killed
// with SIGKILL during writes and while its indexer drains a burst of
// changes. Each fault checks that no acknowledged write is lost, that
// outages are answered 503 with Retry-After within the request deadline
// (never 500, never a hang), that /readyz follows the dependency, and that
// the search index converges to PostgreSQL. The figures go to a table
// (FAULT_REPORT).
func TestFaultSuite(t *testing.T) {
	start := time.Now()
	c := newCluster(t)
	s := c.setup(t)
	t.Logf("cluster up in %.1fs", time.Since(start).Seconds())

	var reports []report
	for _, f := range []struct {
		name string
		run  func(*testing.T, *cluster, *session) report
	}{
		{"postgres stopped for 10s", postgresStopped},
		{"postgres frozen", postgresFrozen},
		{"minio stopped during uploads", minioStopped},
		{"minio frozen during uploads", minioFrozen},
		{"serve killed during writes", serveKilled},
		{"serve killed while indexing", serveKilledWhileIndexing},
	} {
		t.Run(strings.ReplaceAll(f.name, " ", "_"), func(t *testing.T) {
			t.Cleanup(func() { c.heal(t) }) // a failed fault leaves the next ones a working cluster
			r := f.run(t, c, s)
			r.fault = f.name
			reports = append(reports, r)
		})
	}
	writeReport(t, reports, time.Since(start))
}

// session is what every fault's load shares: the suite's producer and
// admin, and published products to read.
type session struct {
	client   *client
	producer uuid.UUID // the producer profile's id
	reads    []string
	photos   atomic.Int64
}

func (c *cluster) setup(t *testing.T) *session {
	t.Helper()
	cl := newClient(c.url)
	s := &session{client: cl}
	cl.mustJSON(t, http.MethodPost, "/v1/auth/register", "", fmt.Sprintf(
		`{"email":"weavers@fault.example","password":%q,"role":"producer","display_name":"Fault Suite Weavers"}`, password),
		http.StatusCreated, nil)
	c.otop(t, "user", "create", "--email", "admin@fault.example", "--role", "admin", "--password", password)
	login := func(email string) string {
		var reply struct {
			Token string `json:"token"`
		}
		cl.mustJSON(t, http.MethodPost, "/v1/auth/login", "", fmt.Sprintf(`{"email":%q,"password":%q}`, email, password), http.StatusOK, &reply)
		return reply.Token
	}
	cl.producer, cl.admin = login("weavers@fault.example"), login("admin@fault.example")
	var producer struct {
		ID uuid.UUID `json:"id"`
	}
	cl.mustJSON(t, http.MethodPost, "/v1/producers", cl.producer, `{"name_th":"กลุ่มทอผ้าทดสอบ","name_en":"Fault Suite Weavers",
		"kind":"community_enterprise","province_code":"TH-51","amphoe":"ป่าซาง","tambon":"มะกอก","enterprise_level":3}`,
		http.StatusCreated, &producer)
	s.producer = producer.ID
	if err := c.db.Raw("SELECT id::text FROM products WHERE status = 'published' ORDER BY id LIMIT 50").Scan(&s.reads).Error; err != nil {
		t.Fatal(err)
	}
	if len(s.reads) == 0 {
		t.Fatal("the demo seed published nothing to read")
	}
	t.Logf("the demo seed published %d products", len(c.published(t)))
	return s
}

// load makes a load for one fault, stopped at the latest when the fault ends.
func (s *session) load(t *testing.T, tag string, m mode, pace time.Duration) *load {
	l := &load{c: s.client, mode: m, pace: pace, tag: tag, reads: s.reads, photos: &s.photos}
	t.Cleanup(l.stopAndWait)
	return l
}

// postgresStopped stops PostgreSQL (fast shutdown) for 10 s under load.
func postgresStopped(t *testing.T, c *cluster, s *session) report {
	l := s.load(t, "pg", productWrites, 150*time.Millisecond)
	ready := c.watchReady(t)
	l.start()
	l.waitAcks(t, 20, time.Minute)
	c.pg.stop(t)
	down := time.Now()
	time.Sleep(10 * time.Second)
	restarting := time.Now() // PostgreSQL accepts connections before pg_ctl start returns
	c.pg.start(t)
	back := time.Now()
	recovered := l.waitFirstAck(t, back, time.Minute)
	time.Sleep(2 * time.Second)
	l.stopAndWait()
	samples := ready.stop()

	results, acks := l.snapshot()
	r := tally(results)
	r.recovery = recovered.Sub(back)
	checkAnswers(t, results, false)
	outage := between(results, down, restarting)
	if len(outage) == 0 || countIf(outage, func(x result) bool { return x.status == http.StatusServiceUnavailable }) == 0 {
		t.Errorf("no request was answered 503 while PostgreSQL was down (%d sent)", len(outage))
	}
	for _, x := range outage {
		if x.write && ok(x.status) {
			t.Errorf("%s acknowledged at %s while PostgreSQL was down", x.op, x.start.Format(time.TimeOnly))
		}
	}
	r.readyz = checkReadiness(t, samples, "postgres", down, restarting, back)
	r.lost = c.lostWrites(t, acks)
	return r
}

// postgresFrozen stops every PostgreSQL process with SIGSTOP for longer
// than the request deadline, as a hung server or a network partition
// would: connections neither fail nor answer. Requests must still be
// answered 503 within their deadline.
func postgresFrozen(t *testing.T, c *cluster, s *session) report {
	l := s.load(t, "pgfreeze", productWrites, 150*time.Millisecond)
	ready := c.watchReady(t)
	l.start()
	l.waitAcks(t, 20, time.Minute)
	c.pg.signal(t, syscall.SIGSTOP)
	down := time.Now()
	time.Sleep(requestDeadline + 2*time.Second)
	c.pg.signal(t, syscall.SIGCONT)
	back := time.Now()
	recovered := l.waitFirstAck(t, back, time.Minute)
	time.Sleep(2 * time.Second)
	l.stopAndWait()
	samples := ready.stop()

	results, acks := l.snapshot()
	r := tally(results)
	r.recovery = recovered.Sub(back)
	checkAnswers(t, results, false)
	if n := countIf(between(results, down, back), func(x result) bool { return x.status == http.StatusServiceUnavailable }); n == 0 {
		t.Error("no request was answered 503 while PostgreSQL was frozen")
	}
	r.readyz = checkReadiness(t, samples, "postgres", down, back, back)
	r.lost = c.lostWrites(t, acks)
	return r
}

// minioStopped stops MinIO (SIGTERM) for 5 s while producers upload photos,
// then checks that every image row has its objects and, after the sweep,
// every object its row.
func minioStopped(t *testing.T, c *cluster, s *session) report {
	l := s.load(t, "minio", imageUploads, 150*time.Millisecond)
	ready := c.watchReady(t)
	l.start()
	l.waitAcks(t, 20, time.Minute)
	c.minio.stop(10 * time.Second)
	down := time.Now()
	time.Sleep(5 * time.Second)
	c.restartMinIO(t)
	back := time.Now()
	recovered := l.waitFirstAck(t, back, time.Minute, "upload")
	time.Sleep(2 * time.Second)
	l.stopAndWait()
	samples := ready.stop()

	results, acks := l.snapshot()
	r := tally(results)
	r.recovery = recovered.Sub(back)
	checkAnswers(t, results, false)
	for _, x := range results {
		if !ok(x.status) && x.op != "upload" {
			t.Errorf("%s answered %d %s: only uploads need MinIO", x.op, x.status, x.err)
		}
	}
	if n := countIf(between(results, down, back), func(x result) bool { return x.op == "upload" && x.status == http.StatusServiceUnavailable }); n == 0 {
		t.Error("no upload was answered 503 while MinIO was down")
	}
	r.readyz = checkReadiness(t, samples, "minio", down, back, back)
	r.lost = c.lostWrites(t, acks)
	r.note = c.checkImages(t, results)
	return r
}

// minioFrozen stops MinIO with SIGSTOP for longer than the request
// deadline while producers upload photos, as a hung server or a network
// partition would: requests get no error from it, only silence. Uploads
// must still be answered 503 within their deadline.
func minioFrozen(t *testing.T, c *cluster, s *session) report {
	l := s.load(t, "freeze", imageUploads, 150*time.Millisecond)
	ready := c.watchReady(t)
	l.start()
	l.waitAcks(t, 20, time.Minute)
	c.minio.signal(t, syscall.SIGSTOP)
	down := time.Now()
	time.Sleep(requestDeadline + 2*time.Second)
	c.minio.signal(t, syscall.SIGCONT)
	back := time.Now()
	recovered := l.waitFirstAck(t, back, time.Minute, "upload")
	time.Sleep(2 * time.Second)
	l.stopAndWait()
	samples := ready.stop()

	results, acks := l.snapshot()
	r := tally(results)
	r.recovery = recovered.Sub(back)
	checkAnswers(t, results, false)
	for _, x := range results {
		if !ok(x.status) && x.op != "upload" {
			t.Errorf("%s answered %d %s: only uploads need MinIO", x.op, x.status, x.err)
		}
	}
	if n := countIf(between(results, down, back), func(x result) bool { return x.op == "upload" && x.status == http.StatusServiceUnavailable }); n == 0 {
		t.Error("no upload was answered 503 while MinIO was frozen")
	}
	r.readyz = checkReadiness(t, samples, "minio", down, back, back)
	r.lost = c.lostWrites(t, acks)
	r.note = c.checkImages(t, results)
	return r
}

// checkImages checks image rows against the bucket after a MinIO fault: no
// row may name a missing object, ever; objects without a row (an upload
// cut between its writes, whose cleanup could not reach MinIO) may exist
// until the sweep, which must remove them all. It describes what it found.
func (c *cluster) checkImages(t *testing.T, results []result) string {
	t.Helper()
	missing, orphans := c.imageObjects(t)
	if len(missing) > 0 {
		t.Errorf("%d image rows name missing objects: %v", len(missing), first(missing, 5))
	}
	images := media.NewImages(postgres.NewImages(c.db), c.store, nil, media.Limits{}, 1, time.Now)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	swept, err := images.Sweep(ctx, c.store, 0)
	if err != nil {
		t.Fatalf("sweep: %v", err)
	}
	missingAfter, orphansAfter := c.imageObjects(t)
	if len(missingAfter) > 0 || len(orphansAfter) > 0 {
		t.Errorf("after the sweep: %d rows with missing objects, %d objects without a row (%v)", len(missingAfter), len(orphansAfter), first(orphansAfter, 5))
	}
	return fmt.Sprintf("%d uploads acknowledged, %d answered 503; %d objects without a row before the sweep, %d removed by it, none after; no row without its objects",
		countIf(results, func(x result) bool { return x.op == "upload" && ok(x.status) }),
		countIf(results, func(x result) bool { return x.op == "upload" && x.status == http.StatusServiceUnavailable }),
		len(orphans), swept.Removed)
}

// serveKilled kills serve with SIGKILL during writes and starts it again.
func serveKilled(t *testing.T, c *cluster, s *session) report {
	l := s.load(t, "kill", productWrites, 100*time.Millisecond)
	l.start()
	l.waitAcks(t, 60, time.Minute)
	c.serve.kill(t)
	l.abandon() // the products written so far keep their acknowledged state
	_, before := l.snapshot()
	time.Sleep(time.Second)
	restarted := time.Now()
	c.serve.start(t)
	recovered := l.waitFirstAck(t, restarted, 90*time.Second)
	c.serve.waitHTTP(t, c.url+"/readyz", time.Minute)
	time.Sleep(3 * time.Second)
	l.stopAndWait()

	results, acks := l.snapshot()
	r := tally(results)
	r.recovery = recovered.Sub(restarted)
	checkAnswers(t, results, true)
	r.lost = c.lostWrites(t, acks)
	converged := c.waitConverged(t, restarted)
	published, unpublished := c.checkAckedInIndex(t, before, acks)
	r.note = fmt.Sprintf("%d writes acknowledged before the kill, all in PostgreSQL; after the restart the index holds the %d products they left published and none of the %d they left unpublished; index equal to PostgreSQL %.1fs after the restart",
		len(before), published, unpublished, converged.Seconds())
	return r
}

// serveKilledWhileIndexing commits a burst of changes to published products
// and kills serve with SIGKILL while its indexer drains them: every change
// the index lacks must still be in the outbox, and after the restart the
// index must converge to PostgreSQL.
func serveKilledWhileIndexing(t *testing.T, c *cluster, s *session) report {
	l := s.load(t, "index", productWrites, 150*time.Millisecond)
	l.start()
	l.waitAcks(t, 10, time.Minute)
	// The kill must come while the index still lacks part of the burst;
	// when the indexer was quicker, serve is started again and a larger
	// burst tried.
	var pendingAtKill, stale int
	for attempt, rounds := 1, 1; stale == 0; attempt, rounds = attempt+1, rounds*2 {
		if attempt > 4 {
			t.Fatal("could not kill serve while its indexer was draining")
		}
		var killed bool
		if pendingAtKill, killed = c.killWhileDraining(t, s, attempt, rounds); killed {
			if stale = c.checkOutboxCoversIndex(t); stale == 0 {
				c.startServe(t)
			}
		}
		if stale == 0 {
			t.Logf("attempt %d: the indexer applied %d rounds of changes before the kill; trying a larger burst", attempt, rounds)
		}
	}
	restarted := time.Now()
	c.startServe(t)
	time.Sleep(2 * time.Second)
	l.stopAndWait()
	converged := c.waitConverged(t, restarted)

	results, acks := l.snapshot()
	r := tally(results)
	r.recovery = converged
	checkAnswers(t, results, true)
	r.lost = c.lostWrites(t, acks)
	r.note = fmt.Sprintf("killed with %d outbox rows pending; %d products differed from PostgreSQL in the index, each with its outbox row; index equal to PostgreSQL %.1fs after the restart",
		pendingAtKill, stale, converged.Seconds())
	return r
}

// killWhileDraining renames every published demo product rounds times in
// one transaction (names unlike those of earlier attempts), then kills serve as soon as its indexer has applied
// part of the outbox and before it has applied all. It reports the
// outbox rows left and whether the kill came in time; when it did not,
// serve is started again.
func (c *cluster) killWhileDraining(t *testing.T, s *session, attempt, rounds int) (int, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tx := c.db.WithContext(ctx).Begin()
	for i := range rounds {
		err := tx.Exec(`UPDATE products SET name_en = regexp_replace(name_en, ' \[burst [0-9.]+\]$', '') || ?, version = version + 1
			WHERE status = 'published' AND producer_id <> ?`, fmt.Sprintf(" [burst %d.%d]", attempt, i), s.producer).Error
		if err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
	}
	if err := tx.Commit().Error; err != nil {
		t.Fatal(err)
	}
	peak := c.pending(t)
	deadline := time.Now().Add(30 * time.Second)
	for {
		n := c.pending(t)
		if n == 0 {
			return 0, false
		}
		if n < peak {
			c.serve.kill(t)
			left := c.pending(t)
			if left == 0 {
				c.startServe(t)
				return 0, false
			}
			return left, true
		}
		if time.Now().After(deadline) {
			t.Fatalf("the indexer applied nothing of %d outbox rows in 30s", peak)
		}
		time.Sleep(time.Millisecond)
	}
}

// checkOutboxCoversIndex reads the index serve left behind (serve is down,
// so its lock is free) and checks that every product on which it differs
// from PostgreSQL has an outbox row. It returns how many differ (0: the
// kill came too late to tell).
func (c *cluster) checkOutboxCoversIndex(t *testing.T) int {
	t.Helper()
	ix, err := embedded.Open(filepath.Join(c.env["DATA_DIR"], "search"))
	if err != nil {
		t.Fatalf("open serve's index after the kill: %v", err)
	}
	defer func() { _ = ix.Close() }()
	if ix.Fresh() {
		t.Fatal("serve's index was gone after the kill")
	}
	ctx := context.Background()
	indexed := map[string]string{}
	for page := 1; ; page++ {
		res, err := ix.Search(ctx, catalog.SearchQuery{Page: page, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			indexed[h.Document.ID] = h.Document.NameEN
		}
		if len(res.Hits) < 100 {
			break
		}
	}
	var queued []string
	if err := c.db.Raw("SELECT DISTINCT product_id::text FROM search_outbox").Scan(&queued).Error; err != nil {
		t.Fatal(err)
	}
	// A staged document shown since is hidden again in an index opened
	// anew: serve's Reconcile reads the staged ones from PostgreSQL before
	// it answers searches, so they count as covered.
	staged := ix.Staged()
	stale := differences(indexed, c.published(t))
	var uncovered []string
	for _, id := range stale {
		if !slices.Contains(queued, id) && !slices.Contains(staged, id) {
			uncovered = append(uncovered, id)
		}
	}
	if len(uncovered) > 0 {
		t.Errorf("%d of the %d products the index has wrong have neither an outbox row nor a staged document (changes lost): %v",
			len(uncovered), len(stale), first(uncovered, 5))
	}
	return len(stale)
}

// differences are the ids on which the index and PostgreSQL's published
// products disagree (missing, extra or with another name).
func differences(indexed, published map[string]string) []string {
	var ids []string
	for id, name := range published {
		if got, ok := indexed[id]; !ok || got != name {
			ids = append(ids, id)
		}
	}
	for id := range indexed {
		if _, ok := published[id]; !ok {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

func (c *cluster) pending(t *testing.T) int {
	t.Helper()
	var n int
	if err := c.db.Raw("SELECT count(*) FROM search_outbox").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// published is what PostgreSQL publishes: id → English name.
func (c *cluster) published(t *testing.T) map[string]string {
	t.Helper()
	var rows []struct {
		ID     string
		NameEN string
	}
	if err := c.db.Raw("SELECT id::text AS id, name_en FROM products WHERE status = 'published'").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.ID] = r.NameEN
	}
	return out
}

// indexed is what public search finds: id → English name.
func (c *cluster) indexed(t *testing.T) (map[string]string, error) {
	t.Helper()
	out := map[string]string{}
	for page := 1; ; page++ {
		r := newClient(c.url).json(http.MethodGet, fmt.Sprintf("/v1/search?per_page=100&page=%d&sort=newest", page), "", "", nil)
		if r.status != http.StatusOK {
			return nil, fmt.Errorf("search page %d = %d %s: %w", page, r.status, r.body, r.err)
		}
		var reply struct {
			Hits []struct {
				ID     string `json:"id"`
				NameEN string `json:"name_en"`
			} `json:"hits"`
			Total int `json:"total"`
		}
		if err := json.Unmarshal(r.body, &reply); err != nil {
			return nil, err
		}
		for _, h := range reply.Hits {
			out[h.ID] = h.NameEN
		}
		if page*100 >= reply.Total {
			return out, nil
		}
	}
}

// waitConverged waits until the outbox is empty and public search finds
// exactly the published products with their current names; it returns the
// time since from.
func (c *cluster) waitConverged(t *testing.T, from time.Time) time.Duration {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	var diff []string
	for {
		if c.pending(t) == 0 {
			indexed, err := c.indexed(t)
			if err == nil {
				if diff = differences(indexed, c.published(t)); len(diff) == 0 {
					return time.Since(from)
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the index did not converge to PostgreSQL within 90s: %d outbox rows, %d products differ (%v)", c.pending(t), len(diff), first(diff, 5))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkAckedInIndex checks the products written before the kill: each is
// in the index under its acknowledged name when its last acknowledged
// write left it published, and absent otherwise. A product that a write
// whose answer was lost to the kill changed again is left to the
// comparison with PostgreSQL. It returns how many it found published and
// unpublished.
func (c *cluster) checkAckedInIndex(t *testing.T, before, all []ack) (published, unpublished int) {
	t.Helper()
	touched := map[uuid.UUID]bool{}
	for _, a := range before {
		touched[a.product] = true
	}
	last := map[uuid.UUID]ack{}
	for _, a := range all {
		if touched[a.product] && a.op != "upload" && a.version >= last[a.product].version {
			last[a.product] = a
		}
	}
	indexed, err := c.indexed(t)
	if err != nil {
		t.Fatal(err)
	}
	rows := c.productRows(t, slices.Collect(maps.Keys(last)))
	for id, a := range last {
		if rows[id].Version != a.version {
			continue
		}
		got, found := indexed[id.String()]
		switch {
		case a.status == "published" && (!found || got != a.name):
			t.Errorf("%s, published as %q (version %d), is not in the index that way (%q, %v)", id, a.name, a.version, got, found)
		case a.status != "published" && found:
			t.Errorf("%s, %s at version %d, is in the index", id, a.status, a.version)
		case a.status == "published":
			published++
		default:
			unpublished++
		}
	}
	return published, unpublished
}

type productRow struct {
	ID      uuid.UUID
	Version int
	Status  string
	NameEN  string
}

func (c *cluster) productRows(t *testing.T, ids []uuid.UUID) map[uuid.UUID]productRow {
	t.Helper()
	out := map[uuid.UUID]productRow{}
	if len(ids) == 0 {
		return out
	}
	var rows []productRow
	if err := c.db.Raw("SELECT id, version, status, name_en FROM products WHERE id IN ?", ids).Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		out[r.ID] = r
	}
	return out
}

// lostWrites checks every acknowledged write against PostgreSQL: the
// product exists with at least the acknowledged version, and with the
// acknowledged name and status when no later write changed it; an
// acknowledged photo has its row. It returns how many were lost.
func (c *cluster) lostWrites(t *testing.T, acks []ack) int {
	t.Helper()
	var ids, images []uuid.UUID
	for _, a := range acks {
		ids = append(ids, a.product)
		if a.op == "upload" {
			images = append(images, a.image)
		}
	}
	rows := c.productRows(t, ids)
	stored := map[uuid.UUID]bool{}
	if len(images) > 0 {
		var found []uuid.UUID
		if err := c.db.Raw("SELECT id FROM product_images WHERE id IN ?", images).Scan(&found).Error; err != nil {
			t.Fatal(err)
		}
		for _, id := range found {
			stored[id] = true
		}
	}
	lost := 0
	for _, a := range acks {
		row, ok := rows[a.product]
		var why string
		switch {
		case a.op == "upload":
			if !stored[a.image] {
				why = "its image row is missing"
			}
		case !ok:
			why = "the product is missing"
		case row.Version < a.version:
			why = fmt.Sprintf("version %d, acknowledged %d", row.Version, a.version)
		case row.Version == a.version && (row.NameEN != a.name || row.Status != a.status):
			why = fmt.Sprintf("stored %q %s, acknowledged %q %s at the same version", row.NameEN, row.Status, a.name, a.status)
		}
		if why != "" {
			lost++
			t.Errorf("lost acknowledged %s of %s: %s", a.op, a.product, why)
		}
	}
	return lost
}

// imageObjects compares the image rows with the bucket: keys rows name
// that are missing, and objects no row names.
func (c *cluster) imageObjects(t *testing.T) (missing, orphans []string) {
	t.Helper()
	var rows []struct {
		OriginalKey string
		Variants    []byte
	}
	if err := c.db.Raw("SELECT original_key, variants FROM product_images").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	named := map[string]bool{}
	for _, r := range rows {
		named[r.OriginalKey] = true
		var variants []struct {
			Key string `json:"key"`
		}
		if err := json.Unmarshal(r.Variants, &variants); err != nil {
			t.Fatal(err)
		}
		for _, v := range variants {
			named[v.Key] = true
		}
	}
	objects := map[string]bool{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := c.store.List(ctx, "", func(key string, _ time.Time) error {
		objects[key] = true
		return nil
	})
	if err != nil {
		t.Fatalf("list the bucket: %v", err)
	}
	for k := range named {
		if !objects[k] {
			missing = append(missing, k)
		}
	}
	for k := range objects {
		if !named[k] {
			orphans = append(orphans, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(orphans)
	return missing, orphans
}

// waitFirstAck waits for the first write acknowledged for a request sent
// at or after since (of one of ops, when given) and returns when it was
// answered.
func (l *load) waitFirstAck(t *testing.T, since time.Time, timeout time.Duration, ops ...string) time.Time {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if at, ok := l.firstAckAfter(since, ops...); ok {
			return at
		}
		if time.Now().After(deadline) {
			t.Fatalf("no write acknowledged within %s of the recovery", timeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkAnswers checks what every request got: a 2xx or 4xx, or a 503 with
// Retry-After, never another 5xx; each within the request deadline. With
// serveDown, requests may also get no answer (serve was dead).
func checkAnswers(t *testing.T, results []result, serveDown bool) {
	t.Helper()
	bad := map[string]int{}
	example := map[string]string{}
	for _, x := range results {
		switch {
		case x.status == 0 && !serveDown:
			bad[x.op+": no answer"]++
			example[x.op+": no answer"] = x.err
		case x.status == http.StatusServiceUnavailable && x.retryAfter == "":
			bad[x.op+": 503 without Retry-After"]++
		case x.status >= 500 && x.status != http.StatusServiceUnavailable:
			bad[fmt.Sprintf("%s: %d", x.op, x.status)]++
		case x.status != 0 && x.dur > requestDeadline:
			bad[fmt.Sprintf("%s: answered after the %s deadline", x.op, requestDeadline)]++
		}
	}
	for what, n := range bad {
		t.Errorf("%d× %s %s", n, what, example[what])
	}
}

func between(results []result, from, to time.Time) []result {
	var out []result
	for _, x := range results {
		if !x.start.Before(from) && x.start.Before(to) {
			out = append(out, x)
		}
	}
	return out
}

func countIf[T any](xs []T, f func(T) bool) int {
	n := 0
	for _, x := range xs {
		if f(x) {
			n++
		}
	}
	return n
}

func first[T any](xs []T, n int) []T { return xs[:min(n, len(xs))] }

// readiness polls /readyz until stopped.
type readiness struct {
	mu      sync.Mutex
	samples []readySample
	done    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

type readySample struct {
	at     time.Time
	status int
	checks map[string]string // dependency → up/down
}

func (c *cluster) watchReady(t *testing.T) *readiness {
	r := &readiness{done: make(chan struct{})}
	t.Cleanup(func() { r.stop() })
	client := newClient(c.url)
	r.wg.Go(func() {
		for {
			reply := client.json(http.MethodGet, "/readyz", "", "", nil)
			s := readySample{at: time.Now(), status: reply.status, checks: map[string]string{}}
			var body struct {
				Checks map[string]struct {
					Status string `json:"status"`
				} `json:"checks"`
			}
			if json.Unmarshal(reply.body, &body) == nil {
				for name, check := range body.Checks {
					s.checks[name] = check.Status
				}
			}
			r.mu.Lock()
			r.samples = append(r.samples, s)
			r.mu.Unlock()
			select {
			case <-r.done:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	})
	return r
}

func (r *readiness) stop() []readySample {
	r.once.Do(func() { close(r.done) })
	r.wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.samples
}

// checkReadiness checks that /readyz named dep down (503) during the
// outage (from down to restarting) and answered 200 after it came back,
// and describes when.
func checkReadiness(t *testing.T, samples []readySample, dep string, down, restarting, back time.Time) string {
	t.Helper()
	var sawDown, sawUp time.Time
	for _, s := range samples {
		if sawDown.IsZero() && !s.at.Before(down) && s.at.Before(restarting) && s.status == http.StatusServiceUnavailable && s.checks[dep] == "down" {
			sawDown = s.at
		}
		if sawUp.IsZero() && !s.at.Before(back) && s.status == http.StatusOK {
			sawUp = s.at
		}
	}
	if sawDown.IsZero() {
		t.Errorf("/readyz never reported %s down during the outage", dep)
	}
	if sawUp.IsZero() {
		t.Errorf("/readyz never answered 200 after %s came back", dep)
		return ""
	}
	return fmt.Sprintf("/readyz: %s down %.1fs after the stop, 200 again %.1fs after the restart", dep, sawDown.Sub(down).Seconds(), sawUp.Sub(back).Seconds())
}

// report is one fault's line of the table.
type report struct {
	fault                                         string
	sent, acked, unavailable, other5xx, client4xx int
	transport, lost                               int
	slowest                                       time.Duration
	recovery                                      time.Duration
	readyz, note                                  string
}

func tally(results []result) report {
	var r report
	for _, x := range results {
		r.sent++
		switch {
		case x.status == 0:
			r.transport++
		case ok(x.status) && x.write:
			r.acked++
		case x.status == http.StatusServiceUnavailable:
			r.unavailable++
		case x.status >= 500:
			r.other5xx++
		case x.status >= 400:
			r.client4xx++
		}
		if x.status != 0 {
			r.slowest = max(r.slowest, x.dur)
		}
	}
	return r
}

// writeReport logs the table, writes it under the test's temp dir, and
// appends it to the file FAULT_REPORT names, if any.
func writeReport(t *testing.T, reports []report, took time.Duration) {
	t.Helper()
	var b strings.Builder
	b.WriteString("| fault | requests | writes acknowledged | 503 | other 5xx | 4xx | no answer | lost | slowest answer | time to recover |\n")
	b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
	for _, r := range reports {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %d | %d | %.2f s | %.1f s |\n", r.fault, r.sent, r.acked,
			r.unavailable, r.other5xx, r.client4xx, r.transport, r.lost, r.slowest.Seconds(), r.recovery.Seconds())
	}
	b.WriteString("\n")
	for _, r := range reports {
		notes := strings.Join(slices.DeleteFunc([]string{r.readyz, r.note}, func(s string) bool { return s == "" }), "; ")
		if notes != "" {
			fmt.Fprintf(&b, "- %s: %s.\n", r.fault, notes)
		}
	}
	fmt.Fprintf(&b, "\nWhole suite: %.0f s, including building otop and starting the services.\n", took.Seconds())
	t.Logf("fault report:\n%s", b.String())
	path := filepath.Join(t.TempDir(), "fault-report.md")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Error(err)
	}
	if out := os.Getenv("FAULT_REPORT"); out != "" {
		f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			t.Fatalf("FAULT_REPORT: %v", err)
		}
		_, werr := f.WriteString(b.String())
		if err := f.Close(); werr != nil || err != nil {
			t.Fatalf("FAULT_REPORT: %v %v", werr, err)
		}
	}
}
