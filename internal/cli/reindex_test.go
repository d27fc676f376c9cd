package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/testenv"
	"github.com/otopmarket/otop/search/embedded"
)

// indexedCount opens the embedded index under env's data directory and
// counts its documents.
func indexedCount(t *testing.T, env map[string]string) int {
	t.Helper()
	ix, err := embedded.Open(filepath.Join(env["DATA_DIR"], "search"))
	if err != nil {
		t.Fatalf("open the index: %v", err)
	}
	defer ix.Close()
	res, err := ix.Search(context.Background(), catalog.SearchQuery{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

// TestReindexRebuildsWhatTheOutboxLost loses the outbox of a seeded
// catalogue, then reindexes twice: by itself while no server runs, and
// through the serving process, which holds the index, while it serves.
func TestReindexRebuildsWhatTheOutboxLost(t *testing.T) {
	t.Parallel()
	env := serviceEnv(t, testenv.DatabaseURL(t))
	stderr := &syncBuffer{}
	if code := runWith([]string{"otop", "seed", "--demo", "--products", "30", "--images", "0"}, env, stderr); code != 0 {
		t.Fatalf("seed: exit %d: %s", code, stderr.String())
	}
	db, err := postgres.Open(context.Background(), env["DATABASE_URL"], postgres.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer postgres.Close(db) //nolint:errcheck // test cleanup
	lose := func() {
		t.Helper()
		if err := db.Exec("DELETE FROM search_outbox").Error; err != nil {
			t.Fatal(err)
		}
	}
	// The demo catalogue also has products in review: only the published ones are indexed.
	var published int
	if err := db.Raw("SELECT count(*) FROM products WHERE status = 'published'").Scan(&published).Error; err != nil {
		t.Fatal(err)
	}
	if published < 20 {
		t.Fatalf("%d published demo products, want at least 20", published)
	}
	lose()
	if n := indexedCount(t, env); n != 0 { // creates the empty index: serve will not build it
		t.Fatalf("new index holds %d documents", n)
	}

	// No server: reindex does the work.
	if code := runWith([]string{"otop", "reindex"}, env, stderr); code != 0 {
		t.Fatalf("reindex without a server: exit %d: %s", code, stderr.String())
	}
	if n := indexedCount(t, env); n != published {
		t.Fatalf("after reindex the index holds %d documents, want %d", n, published)
	}

	// Changes are lost again, now under a running server.
	if err := db.Exec("UPDATE products SET status = 'archived', topotop = false WHERE id IN (SELECT id FROM products WHERE status = 'published' ORDER BY id LIMIT 10)").Error; err != nil {
		t.Fatal(err)
	}
	lose()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- Run(ctx, []string{"otop", "serve"}, getenvFrom(env), nil, io.Discard, stderr) }()
	base := "http://" + env["HTTP_ADDR"]
	waitReady(t, base, done, stderr)
	if got := searchTotal(t, base); got != published {
		t.Fatalf("before reindex the server finds %d products, want the stale %d", got, published)
	}
	if code := runWith([]string{"otop", "reindex"}, env, stderr); code != 0 {
		t.Fatalf("reindex beside the server: exit %d: %s", code, stderr.String())
	}
	if got := searchTotal(t, base); got != published-10 {
		t.Fatalf("after reindex the server finds %d products, want %d", got, published-10)
	}
	var rebuilds []struct {
		Documents int
		Error     *string
	}
	if err := db.Raw("SELECT documents, error FROM search_rebuilds").Scan(&rebuilds).Error; err != nil {
		t.Fatal(err)
	}
	if len(rebuilds) != 1 || rebuilds[0].Documents != published-10 || rebuilds[0].Error != nil {
		t.Errorf("rebuild requests = %+v, want one of %d documents without error", rebuilds, published-10)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exit %d: %s", code, stderr.String())
	}
}

func TestReindexGivesUpWhenNobodyServesTheRequest(t *testing.T) {
	t.Parallel()
	env := serviceEnv(t, testenv.DatabaseURL(t))
	if code := runWith([]string{"otop", "migrate"}, env, io.Discard); code != 0 {
		t.Fatal("migrate failed")
	}
	// The index is held by something that serves no rebuilds.
	ix, err := embedded.Open(filepath.Join(env["DATA_DIR"], "search"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	db, err := postgres.Open(context.Background(), env["DATABASE_URL"], postgres.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer postgres.Close(db) //nolint:errcheck // test cleanup
	q := postgres.NewRebuilds(db)
	err = requestRebuild(context.Background(), q, func(int) {}, rebuildWait{poll: 20 * time.Millisecond, pickup: 300 * time.Millisecond})
	if err == nil {
		t.Fatal("requestRebuild succeeded with nobody serving it")
	}
	var open int64
	if err := db.Raw("SELECT count(*) FROM search_rebuilds WHERE finished_at IS NULL").Scan(&open).Error; err != nil {
		t.Fatal(err)
	}
	if open != 0 {
		t.Errorf("%d requests left open after giving up", open)
	}
}

func searchTotal(t *testing.T, base string) int {
	t.Helper()
	code, body := get(t, base+"/v1/search")
	var reply struct{ Total int }
	if err := json.Unmarshal(body, &reply); err != nil || code != http.StatusOK {
		t.Fatalf("/v1/search = %d %s", code, body)
	}
	return reply.Total
}
