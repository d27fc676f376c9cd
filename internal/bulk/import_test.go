package bulk_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/bulk"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/media"
	"github.com/otopmarket/otop/internal/media/mediatest"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/testenv"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type world struct {
	t       *testing.T
	ctx     context.Context
	db      *gorm.DB
	cat     *catalog.Service
	imports *bulk.Service
	jobs    *postgres.Imports
	clock   *clock
	// serviceOn builds another import service on the same files, photos
	// and catalogue, over a job store of the test's own.
	serviceOn func(bulk.JobStore) *bulk.Service
}

func newWorld(t *testing.T) *world {
	t.Helper()
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatal(err)
	}
	db := testenv.DB(t)
	store := testenv.Store(t)
	c := &clock{now: time.Now().UTC().Truncate(time.Microsecond)}
	cat := catalog.NewService(postgres.NewCatalog(db), tax, c.Now)
	images := media.NewImages(postgres.NewImages(db), store, cat, media.DefaultLimits(), 2, c.Now)
	jobs := postgres.NewImports(db)
	lists := bulk.Lists{bulk.ListCategories: {"food", "textile"}, bulk.ListUnits: catalog.Units()}
	serviceOn := func(jobs bulk.JobStore) *bulk.Service {
		svc, err := bulk.NewService(jobs, store, images, cat, lists, c.Now, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	return &world{t: t, ctx: context.Background(), db: db, cat: cat, imports: serviceOn(jobs), jobs: jobs, clock: c,
		serviceOn: serviceOn}
}

func (w *world) user(role account.Role, center string) account.Principal {
	w.t.Helper()
	var centerID *string
	if center != "" {
		centerID = &center
	}
	var country *string
	if role == account.RoleImporter {
		jp := "JP"
		country = &jp
	}
	var id uuid.UUID
	if err := w.db.Raw(`INSERT INTO users (email, password_hash, role, display_name, select_center_id, country)
		VALUES (?, 'x', ?, 'test user', ?, ?) RETURNING id`, uuid.NewString()+"@example.com", string(role), centerID, country).
		Row().Scan(&id); err != nil {
		w.t.Fatal(err)
	}
	return account.Principal{UserID: id, Role: role, SelectCenterID: center}
}

// producer is a producer account with its profile in province.
func (w *world) producer(province string) (account.Principal, catalog.Producer) {
	w.t.Helper()
	p := w.user(account.RoleProducer, "")
	str := func(s string) *string { return &s }
	level := 2
	prod, err := w.cat.CreateProducer(w.ctx, p, catalog.ProducerInput{
		NameTH: str("วิสาหกิจชุมชนทอผ้า"), NameEN: str("Weaving group"), Kind: str("community_enterprise"),
		ProvinceCode: str(province), Amphoe: str("Mueang"), Tambon: str("Tambon"), EnterpriseLevel: &level,
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return p, prod
}

func tempFile(t *testing.T, name string, data []byte) bulk.Upload {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path) //nolint:gosec // the test's own file
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return bulk.Upload{Name: name, File: f, Size: int64(len(data))}
}

// run queues an import of sheet (CSV text) and runs it to its end.
func (w *world) run(p account.Principal, sheet string, in bulk.JobInput) bulk.Job {
	w.t.Helper()
	in.File = tempFile(w.t, "products.csv", []byte(sheet))
	job, err := w.imports.Create(w.ctx, p, in)
	if err != nil {
		w.t.Fatalf("create import: %v", err)
	}
	if ran, err := w.imports.RunOnce(w.ctx); err != nil || !ran {
		w.t.Fatalf("run import: ran %v, %v", ran, err)
	}
	job, err = w.imports.Job(w.ctx, p, job.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return job
}

func (w *world) products(producerID uuid.UUID) []catalog.Product {
	w.t.Helper()
	var ids []uuid.UUID
	if err := w.db.Raw("SELECT id FROM products WHERE producer_id = ? ORDER BY sku, id", producerID).Scan(&ids).Error; err != nil {
		w.t.Fatal(err)
	}
	out := make([]catalog.Product, 0, len(ids))
	repo := postgres.NewCatalog(w.db)
	for _, id := range ids {
		p, err := repo.Product(w.ctx, id)
		if err != nil {
			w.t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

const header = "sku,name_th,name_en,description_en,category,price_amount_minor,price_tiers,moq,unit,monthly_capacity,lead_time_days,hs_code,weight_grams,tags,certifications,submit\n"

const threeRows = header +
	"SILK-1,ผ้าไหมมัดหมี่,Mudmee silk,Hand-woven silk,textile,250000,10:240000;50:220000,2,piece,40,21,5007.20,450,silk;mudmee,mor_phor_chor:มผช.2/2566:2027-06-30,no\n" +
	"SILK-2,ผ้าไหมแพรวา,Praewa silk,\"Silk, woven\nby hand\",textile,480000,,1,piece,10,30,500720,300,silk,,no\n" +
	"TEA-1,ชาใบหม่อน,Mulberry leaf tea,Herbal tea,food,12000,,20,box,500,7,,100,tea,thai_fda:10-1-12345-1-0001,no\n"

func TestImportCreatesThenUpdatesBySKUThenChangesNothing(t *testing.T) {
	w := newWorld(t)
	p, prod := w.producer("TH-50")

	job := w.run(p, threeRows, bulk.JobInput{})
	if job.State != bulk.JobDone || !job.Report.Applied || job.Report.Created != 3 || job.Report.Invalid != 0 {
		t.Fatalf("first import: %+v", job)
	}
	if job.RowsTotal != 3 || job.RowsDone != 3 {
		t.Errorf("progress = %d/%d, want 3/3", job.RowsDone, job.RowsTotal)
	}
	got := w.products(prod.ID)
	if len(got) != 3 {
		t.Fatalf("%d products, want 3", len(got))
	}
	silk := got[0]
	if silk.SKU != "SILK-1" || silk.Status != catalog.StatusDraft || silk.Price == nil || silk.Price.AmountMinor != 250000 ||
		len(silk.PriceTiers) != 2 || silk.PriceTiers[1] != (catalog.PriceTier{MinQuantity: 50, AmountMinor: 220000}) ||
		silk.HSCode != "50072000" && silk.HSCode != "500720" || !slices.Equal(silk.Tags, []string{"silk", "mudmee"}) ||
		len(silk.Certifications) != 1 || silk.Certifications[0].Number != "มผช.2/2566" || silk.SelectCenterID != "chiang-mai" {
		t.Errorf("imported product = %+v", silk)
	}
	if got[1].DescriptionEN != "Silk, woven\nby hand" {
		t.Errorf("quoted newline: %q", got[1].DescriptionEN)
	}

	again := w.run(p, threeRows, bulk.JobInput{})
	if again.Report.Unchanged != 3 || again.Report.Created+again.Report.Updated != 0 {
		t.Errorf("the same file again: %+v", again.Report)
	}
	if n := len(w.products(prod.ID)); n != 3 {
		t.Errorf("%d products after a re-import, want 3 (matched by SKU)", n)
	}

	changed := strings.Replace(threeRows, "Mulberry leaf tea", "Mulberry leaf tea (organic)", 1)
	third := w.run(p, changed, bulk.JobInput{})
	if third.Report.Updated != 1 || third.Report.Unchanged != 2 {
		t.Errorf("one row changed: %+v", third.Report)
	}
	if tea := w.products(prod.ID)[2]; tea.NameEN != "Mulberry leaf tea (organic)" || tea.Version != 2 {
		t.Errorf("updated product = %q v%d", tea.NameEN, tea.Version)
	}
}

// racingStore is the import store with a change made elsewhere between an
// import's reading of the products it matches and its writes.
type racingStore struct {
	*postgres.Imports
	meanwhile func()
}

func (s racingStore) Apply(ctx context.Context, fn func(bulk.ImportTx) error) error {
	return s.Imports.Apply(ctx, func(tx bulk.ImportTx) error { return fn(racingTx{ImportTx: tx, meanwhile: s.meanwhile}) })
}

type racingTx struct {
	bulk.ImportTx
	meanwhile func()
}

func (t racingTx) Existing(ctx context.Context, ids []uuid.UUID, skus []bulk.SKUKey) ([]catalog.Product, error) {
	ps, err := t.ImportTx.Existing(ctx, ids, skus)
	if err == nil && len(ps) > 0 {
		t.meanwhile()
	}
	return ps, err
}

// TestImportOfAProductChangedMeanwhileFailsCleanly: the import reads the
// products it updates without locking them; a PATCH committed between that
// read and the import's update makes the job fail with nothing written,
// rather than overwrite the PATCH.
func TestImportOfAProductChangedMeanwhileFailsCleanly(t *testing.T) {
	w := newWorld(t)
	p, prod := w.producer("TH-50")
	if job := w.run(p, threeRows, bulk.JobInput{}); job.Report.Created != 3 {
		t.Fatalf("first import: %+v", job.Report)
	}
	tea := w.products(prod.ID)[2]
	var once sync.Once
	patched := ""
	svc := w.serviceOn(racingStore{Imports: w.jobs, meanwhile: func() {
		once.Do(func() {
			ctx, cancel := context.WithTimeout(w.ctx, 10*time.Second)
			defer cancel()
			name := "Mulberry leaf tea, patched meanwhile"
			if _, err := w.cat.UpdateProduct(ctx, p, tea.ID, nil, catalog.ProductInput{NameEN: &name}); err != nil {
				t.Errorf("PATCH during the import: %v", err)
				return
			}
			patched = name
		})
	}})
	changed := strings.Replace(threeRows, "Mudmee silk", "Mudmee silk (new)", 1)
	changed = strings.Replace(changed, "Mulberry leaf tea", "Mulberry leaf tea (organic)", 1)
	job, err := svc.Create(w.ctx, p, bulk.JobInput{File: tempFile(t, "p.csv", []byte(changed))})
	if err != nil {
		t.Fatal(err)
	}
	if ran, err := svc.RunOnce(w.ctx); !ran || err != nil {
		t.Fatalf("run: %v %v", ran, err)
	}
	got, err := svc.Job(w.ctx, p, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != bulk.JobFailed || !strings.Contains(got.Error, "changed while the import ran") || got.Report.Applied {
		t.Errorf("job = %s %q applied=%v; want failed, changed while the import ran", got.State, got.Error, got.Report.Applied)
	}
	after := w.products(prod.ID)
	if patched == "" || after[2].NameEN != patched || after[2].Version != tea.Version+1 {
		t.Errorf("the PATCH made meanwhile: %q v%d, want %q v%d", after[2].NameEN, after[2].Version, patched, tea.Version+1)
	}
	if after[0].NameEN != "Mudmee silk" {
		t.Errorf("the failed import wrote another row: %q", after[0].NameEN)
	}
}

func TestImportDryRunWritesNothing(t *testing.T) {
	w := newWorld(t)
	p, prod := w.producer("TH-50")
	job := w.run(p, threeRows, bulk.JobInput{DryRun: true})
	if job.State != bulk.JobDone || job.Report.Applied || job.Report.Created != 3 {
		t.Fatalf("dry run: %+v", job)
	}
	if n := len(w.products(prod.ID)); n != 0 {
		t.Errorf("a dry run wrote %d products", n)
	}
}

func TestImportReportsEveryProblemAndWritesNothingUnlessSkipInvalid(t *testing.T) {
	w := newWorld(t)
	p, prod := w.producer("TH-50")
	sheet := header +
		"A-1,ผ้าไหม,Silk,desc,textile,1000,,1,piece,,,,,,,no\n" +
		"A-2,ผ้าฝ้าย,Cotton,desc,cloth,abc,,0,piece,,,,,,,maybe\n" + // category, price, moq, submit
		"A-1,ผ้าไหม 2,Silk 2,desc,textile,1000,,1,piece,,,,,,,no\n" + // repeated SKU
		"A-3,Silk,Silk,desc,textile,1000,5:2000,10,piece,,,,,,fda,no\n" + // Thai name, tiers, certificate
		"A-4,ผ้า\x07ไหม,Silk,desc,textile,1000,,1,piece,,,,,,,no\n" // a control character
	job := w.run(p, sheet, bulk.JobInput{})
	if job.State != bulk.JobDone || job.Report.Applied || job.Report.Invalid != 4 || job.Report.Created != 1 {
		t.Fatalf("report: %+v", job.Report)
	}
	want := map[[2]any]bool{
		{2, "submit"}: true, {2, "price_amount_minor"}: true, {3, "sku"}: true,
		{4, "certifications"}: true, {5, "name_th"}: true,
	}
	seen := map[[2]any]bool{}
	for _, pr := range job.Report.Problems {
		seen[[2]any{pr.Row, pr.Column}] = true
		if pr.Message == "" {
			t.Errorf("problem without a message: %+v", pr)
		}
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("no problem reported at row %v column %v; got %+v", k[0], k[1], job.Report.Problems)
		}
	}
	if n := len(w.products(prod.ID)); n != 0 {
		t.Fatalf("%d products written although rows were invalid", n)
	}

	// The same file's valid rows, with skip_invalid.
	skip := w.run(p, sheet, bulk.JobInput{SkipInvalid: true})
	if !skip.Report.Applied || skip.Report.Created != 1 || skip.Report.Invalid != 4 {
		t.Fatalf("skip_invalid: %+v", skip.Report)
	}
	if got := w.products(prod.ID); len(got) != 1 || got[0].SKU != "A-1" || got[0].NameEN != "Silk" {
		t.Errorf("skip_invalid wrote %+v", got)
	}
}

func TestImportAPIMessagesForCategoryAndTiers(t *testing.T) {
	w := newWorld(t)
	p, _ := w.producer("TH-50")
	sheet := "sku,name_th,name_en,category,price_amount_minor,price_tiers,moq\n" +
		"B-1,ผ้าไหม,Silk,cloth,1000,1:900;1:800,1\n"
	job := w.run(p, sheet, bulk.JobInput{})
	var msgs []string
	for _, pr := range job.Report.Problems {
		msgs = append(msgs, pr.Column+": "+pr.Message)
	}
	all := strings.Join(msgs, " | ")
	for _, want := range []string{"category: must be one of food, beverage, textile, household, herbal",
		"price_tiers: price_tiers[1].min_quantity: must be greater than the previous tier's (1)"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems %q lack %q", all, want)
		}
	}
}

func TestImportWhoMayImportForWhom(t *testing.T) {
	w := newWorld(t)
	_, cmProducer := w.producer("TH-50") // Chiang Mai: north
	_, kkProducer := w.producer("TH-40") // Khon Kaen: northeast
	curator := w.user(account.RoleCurator, "chiang-mai")
	admin := w.user(account.RoleAdmin, "")
	importer := w.user(account.RoleImporter, "")

	rows := "producer_id,sku,name_th,name_en,category\n" +
		cmProducer.ID.String() + ",C-1,ผ้าไหม,Silk,textile\n" +
		kkProducer.ID.String() + ",C-2,ผ้าไหม,Silk,textile\n" +
		",C-3,ผ้าไหม,Silk,textile\n"
	job := w.run(curator, rows, bulk.JobInput{SkipInvalid: true})
	if job.Report.Created != 1 || job.Report.Invalid != 2 {
		t.Fatalf("curator: %+v", job.Report)
	}
	cols := map[int]string{}
	for _, pr := range job.Report.Problems {
		cols[pr.Row] = pr.Column + ": " + pr.Message
	}
	if !strings.Contains(cols[2], "another Select center") || !strings.Contains(cols[3], "producer_id: is required") {
		t.Errorf("curator problems: %v", cols)
	}

	// Admins import for anyone; a producer only for themselves.
	if job := w.run(admin, rows, bulk.JobInput{SkipInvalid: true}); job.Report.Created != 1 || job.Report.Unchanged != 1 {
		t.Errorf("admin: %+v", job.Report)
	}
	if _, err := w.imports.Create(w.ctx, importer, bulk.JobInput{File: tempFile(t, "x.csv", []byte(rows))}); err == nil {
		t.Error("an importer queued an import")
	}
	otherP, otherProd := w.producer("TH-50")
	job = w.run(otherP, rows, bulk.JobInput{SkipInvalid: true})
	if job.Report.Created != 1 || job.Report.Invalid != 2 {
		t.Errorf("producer naming others: %+v", job.Report)
	}
	if got := w.products(otherProd.ID); len(got) != 1 || got[0].SKU != "C-3" {
		t.Errorf("the producer's own row: %+v", got)
	}
	if _, err := w.imports.Job(w.ctx, otherP, job.ID); err != nil {
		t.Errorf("the importing producer cannot read its job: %v", err)
	}
	if _, err := w.imports.Job(w.ctx, curator, job.ID); err == nil {
		t.Error("someone else read the job")
	}
}

func TestImportSubmitSendsForReviewWithAnAuditRow(t *testing.T) {
	w := newWorld(t)
	p, prod := w.producer("TH-50")
	sheet := strings.ReplaceAll(threeRows, ",no\n", ",yes\n")
	job := w.run(p, sheet, bulk.JobInput{})
	if job.Report.Created != 3 || !job.Report.Applied {
		t.Fatalf("report: %+v", job.Report)
	}
	for _, pr := range w.products(prod.ID) {
		if pr.Status != catalog.StatusPendingReview || pr.SubmittedAt == nil {
			t.Errorf("%s: status %s", pr.SKU, pr.Status)
		}
	}
	var audits int64
	w.db.Raw("SELECT count(*) FROM audit_log WHERE action = 'submit'").Scan(&audits)
	if audits != 3 {
		t.Errorf("%d submit audit rows, want 3", audits)
	}
	// An incomplete row cannot be submitted: the review rules apply.
	bad := w.run(p, "sku,name_th,name_en,category,submit\nX-1,ผ้าไหม,Silk,textile,yes\n", bulk.JobInput{})
	if bad.Report.Invalid != 1 {
		t.Errorf("incomplete submission: %+v", bad.Report)
	}
}

func zipOf(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range files {
		f, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportPhotosFromAZip(t *testing.T) {
	w := newWorld(t)
	p, prod := w.producer("TH-50")
	photo := mediatest.JPEG(mediatest.Photo(800, 600, 1), 85)
	other := mediatest.JPEG(mediatest.Photo(640, 640, 2), 85)
	zipped := zipOf(t, map[string][]byte{
		"photos/silk-front.jpg": photo, "silk-back.jpg": other, "notes.txt": []byte("not an image"),
		"../evil.jpg": photo,
	})
	sheet := "sku,name_th,name_en,category,images\n" +
		"P-1,ผ้าไหม,Silk,textile,silk-front.jpg;silk-back.jpg\n" +
		"P-2,ผ้าไหม,Silk,textile,notes.txt\n" +
		"P-3,ผ้าไหม,Silk,textile,../evil.jpg\n" +
		"P-4,ผ้าไหม,Silk,textile,missing.jpg\n"
	runZip := func(in bulk.JobInput) bulk.Job {
		up := tempFile(t, "photos.zip", zipped)
		in.Images = &up
		return w.run(p, sheet, in)
	}
	dry := runZip(bulk.JobInput{DryRun: true})
	if dry.Report.Invalid != 3 || dry.Report.Created != 1 {
		t.Fatalf("dry run with photos: %+v", dry.Report)
	}
	job := runZip(bulk.JobInput{SkipInvalid: true})
	if job.Report.Invalid != 3 || job.Report.Created != 1 || !job.Report.Applied {
		t.Fatalf("photos: %+v", job.Report)
	}
	byRow := map[int]string{}
	for _, pr := range job.Report.Problems {
		byRow[pr.Row] = pr.Column + ": " + pr.Message
	}
	if !strings.Contains(byRow[2], "images") || !strings.Contains(byRow[3], "not a plain file name") || !strings.Contains(byRow[4], "not in the ZIP") {
		t.Errorf("photo problems: %v", byRow)
	}
	got := w.products(prod.ID)
	if len(got) != 1 || len(got[0].Images) != 2 || got[0].Images[0].Width != 800 {
		t.Fatalf("imported photos: %+v", got)
	}
	// The same photos again: nothing new.
	again := runZip(bulk.JobInput{SkipInvalid: true})
	if again.Report.Unchanged != 1 {
		t.Errorf("photos again: %+v", again.Report)
	}
	if got := w.products(prod.ID); len(got[0].Images) != 2 {
		t.Errorf("%d photos after importing them twice", len(got[0].Images))
	}
}

func TestImportInterruptedIsTakenAgainFromTheStartAndAppliedOnce(t *testing.T) {
	w := newWorld(t)
	p, prod := w.producer("TH-50")
	job, err := w.imports.Create(w.ctx, p, bulk.JobInput{File: tempFile(t, "p.csv", []byte(threeRows))})
	if err != nil {
		t.Fatal(err)
	}
	// A server claims the job and dies without a word.
	now := w.clock.Now()
	if _, err := w.jobs.ClaimJob(w.ctx, now, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if ran, _ := w.imports.RunOnce(w.ctx); ran {
		t.Fatal("a job under another worker's lease was taken")
	}
	w.clock.Advance(2 * time.Minute)
	if ran, err := w.imports.RunOnce(w.ctx); !ran || err != nil {
		t.Fatalf("the abandoned job was not taken again: %v %v", ran, err)
	}
	got, err := w.imports.Job(w.ctx, p, job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != bulk.JobDone || got.Report.Created != 3 || got.Attempts != 2 {
		t.Errorf("resumed job: %+v", got)
	}
	if n := len(w.products(prod.ID)); n != 3 {
		t.Errorf("%d products, want 3", n)
	}

	// A job that stops its server every time fails after three attempts, writing nothing.
	job, err = w.imports.Create(w.ctx, p, bulk.JobInput{File: tempFile(t, "p.csv", []byte(threeRows))})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		now := w.clock.Now()
		if _, err := w.jobs.ClaimJob(w.ctx, now, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(2 * time.Minute)
	}
	if ran, err := w.imports.RunOnce(w.ctx); !ran || err != nil {
		t.Fatalf("run: %v %v", ran, err)
	}
	got, _ = w.imports.Job(w.ctx, p, job.ID)
	if got.State != bulk.JobFailed || !strings.Contains(got.Error, "interrupted") {
		t.Errorf("a job interrupted three times: %+v", got)
	}
}

func TestImportOfAnExportChangesNothing(t *testing.T) {
	w := newWorld(t)
	p, prod := w.producer("TH-50")
	if job := w.run(p, strings.ReplaceAll(threeRows, ",no\n", ",yes\n"), bulk.JobInput{}); job.Report.Created != 3 {
		t.Fatalf("seed: %+v", job.Report)
	}
	before := w.products(prod.ID)
	cols, err := bulk.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	out := bulk.NewCSVWriter(&buf)
	ids := make([]string, len(cols))
	for i, c := range cols {
		ids[i] = c.ID
	}
	if err := out.Write(ids); err != nil {
		t.Fatal(err)
	}
	for _, pr := range before {
		if err := out.Write(bulk.EncodeRow(cols, pr)); err != nil {
			t.Fatal(err)
		}
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	job := w.run(p, buf.String(), bulk.JobInput{})
	if job.Report.Unchanged != 3 || job.Report.Created+job.Report.Updated+job.Report.Invalid != 0 {
		t.Fatalf("re-import of an export: %+v", job.Report)
	}
	after := w.products(prod.ID)
	for i := range before {
		if after[i].Version != before[i].Version || after[i].Status != before[i].Status {
			t.Errorf("%s changed: v%d %s → v%d %s", before[i].SKU, before[i].Version, before[i].Status, after[i].Version, after[i].Status)
		}
	}
}

// TestImportBlocksNoReads: while an import's transaction holds its rows
// (producers and products locked for update, new products inserted), the
// catalogue reads of every producer, the importing one included, answer.
func TestImportBlocksNoReads(t *testing.T) {
	w := newWorld(t)
	p, prod := w.producer("TH-50")
	other, _ := w.producer("TH-50")
	if job := w.run(p, threeRows, bulk.JobInput{}); job.Report.Created != 3 {
		t.Fatalf("seed: %+v", job.Report)
	}
	otherJob := w.run(other, strings.ReplaceAll(threeRows, "SILK-", "O-SILK-"), bulk.JobInput{})
	if otherJob.Report.Created != 3 {
		t.Fatalf("seed other: %+v", otherJob.Report)
	}
	mine := w.products(prod.ID)
	err := w.jobs.Apply(w.ctx, func(tx bulk.ImportTx) error {
		if _, err := tx.ActiveProducts(w.ctx, []uuid.UUID{prod.ID}); err != nil {
			return err
		}
		if _, err := tx.Existing(w.ctx, []uuid.UUID{mine[0].ID}, []bulk.SKUKey{{ProducerID: prod.ID, SKU: "SILK-2"}}); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(w.ctx, 5*time.Second)
		defer cancel()
		for _, id := range []uuid.UUID{mine[0].ID, mine[1].ID} {
			if _, err := w.cat.GetProduct(ctx, p, id); err != nil {
				t.Errorf("reading a locked product of the importing producer: %v", err)
			}
		}
		page, err := w.cat.ListProducts(ctx, other, catalog.ProductFilter{Status: []catalog.Status{catalog.StatusDraft},
			Producer: otherProducerID(t, w, other)})
		if err != nil || len(page.Items) != 3 {
			t.Errorf("another producer's list during the import: %d items, %v", len(page.Items), err)
		}
		return errors.New("roll back")
	})
	if err == nil || err.Error() != "roll back" {
		t.Fatalf("apply: %v", err)
	}
}

func otherProducerID(t *testing.T, w *world, p account.Principal) uuid.UUID {
	t.Helper()
	prod, err := w.cat.MyProducer(w.ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	return prod.ID
}
