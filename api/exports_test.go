package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/bulk"
)

// exportWorld is a catalogue over two Select centers, with the people who
// export it.
type exportWorld struct {
	a                          *catalogAPI
	owner, far                 string // producers' tokens: Lamphun (chiang-mai), Khon Kaen (khon-kaen)
	ownerProducer, farProducer producerJSON
	curator, admin, importer   string
	// Products by name: published silk, published chili paste and a draft of
	// the owner's; published silk and a draft of the far producer's.
	silk, chili, draft, farSilk, farDraft productJSON
}

func newExportWorld(t *testing.T) *exportWorld {
	t.Helper()
	a := newCatalogAPI(t)
	w := &exportWorld{a: a}
	w.owner, w.ownerProducer = a.producer(t)
	w.far = a.signUp(t, account.RoleProducer, "")
	rec := a.do(t, http.MethodPost, "/v1/producers", w.far, strings.Replace(producerBody, `"TH-51"`, `"TH-40"`, 1))
	if rec.Code != http.StatusCreated {
		t.Fatalf("create far producer = %d %s", rec.Code, rec.Body)
	}
	w.farProducer = decode[producerJSON](t, rec)
	w.silk = a.createProduct(t, w.owner)
	chili := strings.NewReplacer(`"category":"textile","creative_industry":"crafts"`, `"category":"food","creative_industry":"thai_food"`,
		`"name_en":"Lamphun Brocade Silk"`, `"name_en":"Nam Prik Num"`).Replace(productBody)
	rec = a.do(t, http.MethodPost, "/v1/products", w.owner, chili)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create chili paste = %d %s", rec.Code, rec.Body)
	}
	w.chili = decode[productJSON](t, rec)
	w.draft = a.createProduct(t, w.owner)
	w.farSilk = a.createProduct(t, w.far)
	w.farDraft = a.createProduct(t, w.far)
	for _, p := range []productJSON{w.silk, w.chili, w.farSilk} {
		a.publish(t, p.ID)
	}
	w.curator = a.signUp(t, account.RoleCurator, "chiang-mai")
	w.admin = a.signUp(t, account.RoleAdmin, "")
	w.importer = a.signUp(t, account.RoleImporter, "")
	return w
}

// readCSV parses an export: UTF-8 with a byte-order mark.
func readCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	rest, ok := bytes.CutPrefix(body, []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatalf("the CSV does not start with a UTF-8 byte-order mark: %q", body[:min(len(body), 16)])
	}
	rows, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v", err)
	}
	return rows
}

func columnIDs(t *testing.T) []string {
	t.Helper()
	cols, err := bulk.Columns()
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(cols))
	for i, c := range cols {
		ids[i] = c.ID
	}
	return ids
}

// rowIDs is the id column of an export's data rows.
func rowIDs(t *testing.T, rows [][]string) []uuid.UUID {
	t.Helper()
	if len(rows) == 0 || !slices.Equal(rows[0], columnIDs(t)) {
		t.Fatalf("header row = %q, want the column ids", rows[:min(len(rows), 1)])
	}
	out := make([]uuid.UUID, 0, len(rows)-1)
	for _, r := range rows[1:] {
		out = append(out, uuid.MustParse(r[0]))
	}
	return out
}

var exportFilename = regexp.MustCompile(`^attachment; filename="otop-products-20[0-9]{6}\.(csv|xlsx)"$`)

func TestExportCSVIsTheCatalogue(t *testing.T) {
	t.Parallel()
	w := newExportWorld(t)
	rec := w.a.do(t, http.MethodGet, "/v1/exports/products.csv", "", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("export = %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); !exportFilename.MatchString(cd) || !strings.HasSuffix(cd, `.csv"`) {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if cc := rec.Header().Get("Cache-Control"); strings.Contains(cc, "no-store") {
		t.Errorf("the public export is Cache-Control %q", cc)
	}
	rows := readCSV(t, rec.Body.Bytes())
	header := rows[0]
	// The catalogue as GET /v1/products lists it, in the same order (newest first).
	list := decode[listReply[productJSON]](t, w.a.do(t, http.MethodGet, "/v1/products?limit=100", "", ""))
	if got := rowIDs(t, rows); len(got) != 3 || len(list.Items) != 3 {
		t.Fatalf("exported %v, listed %d products", got, len(list.Items))
	}
	for i, p := range list.Items {
		row := map[string]string{}
		for j, col := range header {
			row[col] = rows[i+1][j]
		}
		want := map[string]string{
			"id": p.ID.String(), "producer_id": p.ProducerID.String(), "sku": "", "name_th": p.NameTH, "name_en": p.NameEN,
			"description_th": p.DescriptionTH, "description_en": p.DescriptionEN, "category": p.Category,
			"creative_industry": *p.CreativeIndustry, "otop_stars": strconv.Itoa(*p.OTOPStars), "otop_stars_year": strconv.Itoa(*p.OTOPStarsYear),
			"price_amount_minor": strconv.FormatInt(p.Price.AmountMinor, 10), "price_currency": p.Price.Currency,
			"price_tiers": "10:420000", "moq": strconv.Itoa(*p.MOQ), "unit": *p.Unit,
			"monthly_capacity": strconv.Itoa(*p.MonthlyCapacity), "lead_time_days": strconv.Itoa(*p.LeadTimeDays),
			"hs_code": *p.HSCode, "weight_grams": strconv.Itoa(*p.WeightGrams), "stock": "", "tags": strings.Join(p.Tags, ";"),
			"certifications": "gi:สช 49100006;thai_fda:50-2-03456-2-0012:2027-09-30", "images": "", "submit": "", "status": "published",
		}
		for col, v := range want {
			if row[col] != v {
				t.Errorf("product %s, column %s = %q, want %q", p.ID, col, row[col], v)
			}
		}
		if p.ID == w.chili.ID && (row["category"] != "food" || row["name_en"] != "Nam Prik Num") {
			t.Errorf("the chili paste's row = %v", row)
		}
	}
}

func TestExportFiltersAndWhoSeesWhat(t *testing.T) {
	t.Parallel()
	w := newExportWorld(t)
	own := w.ownerProducer.ID.String()
	tests := []struct {
		name, token, query string
		want               []productJSON
	}{
		{"anonymous: every published product", "", "", []productJSON{w.silk, w.chili, w.farSilk}},
		{"an importer: the same", w.importer, "", []productJSON{w.silk, w.chili, w.farSilk}},
		{"province", "", "?province=TH-40", []productJSON{w.farSilk}},
		{"cluster", "", "?cluster=upper-north-1", []productJSON{w.silk, w.chili}},
		{"category", "", "?category=food", []productJSON{w.chili}},
		{"select center", "", "?select_center=khon-kaen", []productJSON{w.farSilk}},
		{"producer", "", "?producer=" + w.farProducer.ID.String(), []productJSON{w.farSilk}},
		{"creative industry and stars", "", "?creative_industry=crafts&min_stars=5&topotop=false", []productJSON{w.silk, w.farSilk}},
		{"the owner's drafts", w.owner, "?status=draft&producer=" + own, []productJSON{w.draft}},
		{"the owner's whole catalogue", w.owner, "?status=draft,published&producer=" + own, []productJSON{w.silk, w.chili, w.draft}},
		{"a curator's drafts: their center only", w.curator, "?status=draft", []productJSON{w.draft}},
		{"a curator's catalogue: their center only", w.curator, "?status=draft,published", []productJSON{w.silk, w.chili, w.draft}},
		{"a curator's published products: everyone's", w.curator, "?status=published", []productJSON{w.silk, w.chili, w.farSilk}},
		{"an admin's drafts: every center", w.admin, "?status=draft", []productJSON{w.draft, w.farDraft}},
		{"an admin's whole catalogue by name", w.admin, "?status=draft,published&sort=name",
			[]productJSON{w.silk, w.chili, w.draft, w.farSilk, w.farDraft}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := w.a.do(t, http.MethodGet, "/v1/exports/products.csv"+tt.query, tt.token, "")
			if rec.Code != http.StatusOK {
				t.Fatalf("export = %d %s", rec.Code, rec.Body)
			}
			got := rowIDs(t, readCSV(t, rec.Body.Bytes()))
			want := make([]uuid.UUID, len(tt.want))
			for i, p := range tt.want {
				want[i] = p.ID
			}
			byString := func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) }
			slices.SortFunc(want, byString)
			sorted := slices.SortedFunc(slices.Values(got), byString)
			if !slices.Equal(sorted, want) {
				t.Errorf("exported %v, want %v", got, want)
			}
			private := strings.Contains(tt.query, "draft")
			if cc := rec.Header().Get("Cache-Control"); private != (cc == "private, no-store") {
				t.Errorf("Cache-Control = %q for %q", cc, tt.query)
			}
		})
	}
	t.Run("sorted by name", func(t *testing.T) {
		rec := w.a.do(t, http.MethodGet, "/v1/exports/products.csv?sort=name", "", "")
		got := rowIDs(t, readCSV(t, rec.Body.Bytes()))
		names := make([]string, len(got))
		for i, row := range readCSV(t, rec.Body.Bytes())[1:] {
			names[i] = row[slices.Index(columnIDs(t), "name_en")]
		}
		if !slices.IsSorted(names) || names[0] != "Lamphun Brocade Silk" || names[len(names)-1] != "Nam Prik Num" {
			t.Errorf("names in order %q", names)
		}
	})
	t.Run("nothing matches: the header row alone", func(t *testing.T) {
		rec := w.a.do(t, http.MethodGet, "/v1/exports/products.csv?province=TH-90", "", "")
		if rows := readCSV(t, rec.Body.Bytes()); rec.Code != http.StatusOK || len(rows) != 1 || !slices.Equal(rows[0], columnIDs(t)) {
			t.Errorf("empty export = %d %q", rec.Code, rows)
		}
	})
}

func TestExportRefusesBadFiltersBeforeTheFileStarts(t *testing.T) {
	t.Parallel()
	w := newExportWorld(t)
	tests := []struct {
		name, token, query, field string
	}{
		{"unknown province", "", "?province=TH-99", "province"},
		{"unknown cluster", "", "?cluster=nowhere", "cluster"},
		{"unknown region", "", "?region=east", "region"},
		{"unknown category", "", "?category=toys", "category"},
		{"unknown select center", "", "?select_center=phuket", "select_center"},
		{"unknown creative industry", "", "?creative_industry=sports", "creative_industry"},
		{"topotop not a boolean", "", "?topotop=maybe", "topotop"},
		{"stars out of range", "", "?min_stars=9", "min_stars"},
		{"stars not a number", "", "?min_stars=five", "min_stars"},
		{"producer not a UUID", "", "?producer=42", "producer"},
		{"unknown status", w.admin, "?status=sold", "status"},
		{"unknown sort", "", "?sort=popular", "sort"},
		{"limit: an export holds every product", "", "?limit=10", "limit"},
		{"cursor: an export holds every product", "", "?cursor=abc", "cursor"},
		{"unknown parameter", "", "?colour=purple", "colour"},
		{"a parameter given twice", "", "?province=TH-50&province=TH-51", "province"},
		{"a NUL byte", "", "?province=TH-5%000", "province"},
		{"an overlong value", "", "?cluster=" + strings.Repeat("x", 5000), "cluster"},
		{"drafts, anonymous", "", "?status=draft", "status"},
		{"drafts, an importer", w.importer, "?status=draft", "status"},
		{"drafts, a producer without producer=<own>", w.owner, "?status=draft", "status"},
		{"drafts, a producer naming another's profile", w.far, "?status=draft&producer=" + w.ownerProducer.ID.String(), "status"},
		{"drafts, a curator naming another center", w.curator, "?status=draft&select_center=khon-kaen", "status"},
	}
	for _, tt := range tests {
		for _, format := range []string{"csv", "xlsx"} {
			t.Run(format+" "+tt.name, func(t *testing.T) {
				rec := w.a.do(t, http.MethodGet, "/v1/exports/products."+format+tt.query, tt.token, "")
				p := assertProblem(t, rec, http.StatusBadRequest)
				if len(p.Errors) != 1 || p.Errors[0].Field != tt.field {
					t.Errorf("errors = %+v, want one for %s", p.Errors, tt.field)
				}
				if cd := rec.Header().Get("Content-Disposition"); cd != "" {
					t.Errorf("a refusal with Content-Disposition %q", cd)
				}
			})
		}
	}
	t.Run("a bad token is refused, not taken for anonymous", func(t *testing.T) {
		assertProblem(t, w.a.do(t, http.MethodGet, "/v1/exports/products.csv", "not-a-token", ""), http.StatusUnauthorized)
	})
}

func TestExportXLSXHoldsTheRowsOfTheCSV(t *testing.T) {
	t.Parallel()
	w := newExportWorld(t)
	const query = "?status=draft,published&sort=price_asc"
	csvRows := readCSV(t, w.a.do(t, http.MethodGet, "/v1/exports/products.csv"+query, w.admin, "").Body.Bytes())
	rec := w.a.do(t, http.MethodGet, "/v1/exports/products.xlsx"+query, w.admin, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("export = %d %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); !exportFilename.MatchString(cd) || !strings.HasSuffix(cd, `.xlsx"`) {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "private, no-store" {
		t.Errorf("Cache-Control = %q", cc)
	}
	book, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("open the workbook: %v", err)
	}
	defer book.Close() //nolint:errcheck // read only
	sheets := book.GetSheetList()
	if len(sheets) != 1 {
		t.Fatalf("sheets = %q, want one", sheets)
	}
	xlsxRows, err := book.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	// excelize leaves out a row's trailing empty cells: pad them back.
	for i := range xlsxRows {
		for len(xlsxRows[i]) < len(csvRows[0]) {
			xlsxRows[i] = append(xlsxRows[i], "")
		}
	}
	if len(csvRows) != 6 || !slices.EqualFunc(xlsxRows, csvRows, slices.Equal[[]string]) {
		t.Errorf("workbook rows differ from the CSV's:\nxlsx %q\ncsv  %q", xlsxRows, csvRows)
	}
}

// firstWriteHook is a response writer that runs hook before its first write.
type firstWriteHook struct {
	*httptest.ResponseRecorder
	once sync.Once
	hook func()
}

func (h *firstWriteHook) Write(p []byte) (int, error) {
	h.once.Do(h.hook)
	return h.ResponseRecorder.Write(p)
}

// addPublished inserts n published products of the producer in SQL.
func (w *exportWorld) addPublished(t *testing.T, n int) {
	t.Helper()
	if err := w.a.db.Exec(`INSERT INTO products (producer_id, status, name_th, name_en, description_en, category,
			price_minor, moq, unit, province_code, cluster_id, region, select_center_id, published_at)
		SELECT ?, 'published', 'สินค้า ' || g, 'Product ' || g, 'Hand-made.', 'household', 1000 + g, 1, 'piece',
			'TH-51', 'upper-north-1', 'north', 'chiang-mai', now()
		FROM generate_series(1, ?) g`, w.ownerProducer.ID, n).Error; err != nil {
		t.Fatalf("insert products: %v", err)
	}
}

// A failure once the file has started cannot become a problem document:
// the connection is aborted (http.ErrAbortHandler), so that the client sees
// a broken download rather than a short file that looks complete.
func TestAnExportThatFailsMidStreamAbortsTheConnection(t *testing.T) {
	t.Parallel()
	w := newExportWorld(t)
	w.addPublished(t, 2500) // three pages
	// The table goes away while the first page is written (the second
	// is read meanwhile): the third page's query fails.
	hide := func() {
		if err := w.a.db.Exec("ALTER TABLE products RENAME TO products_hidden").Error; err != nil {
			t.Errorf("hide the products: %v", err)
		}
	}
	t.Cleanup(func() { _ = w.a.db.Exec("ALTER TABLE products_hidden RENAME TO products").Error })
	rec := &firstWriteHook{ResponseRecorder: httptest.NewRecorder(), hook: hide}
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/v1/exports/products.csv", nil)
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		w.a.router.ServeHTTP(rec, req)
	}()
	if err, ok := recovered.(error); !ok || !errors.Is(err, http.ErrAbortHandler) { //nolint:errorlint // net/http's sentinel
		t.Fatalf("recovered %v, want http.ErrAbortHandler; status %d, %d bytes", recovered, rec.Code, rec.Body.Len())
	}
	// What was sent is the start of the file, cut anywhere (even within a
	// row): the header and some of the first page's rows.
	body := rec.Body.Bytes()
	if rec.Code != http.StatusOK || !bytes.HasPrefix(body, []byte("\xEF\xBB\xBF"+strings.Join(columnIDs(t), ",")+"\r\n")) {
		t.Fatalf("before the abort: status %d, body starts %q", rec.Code, body[:min(len(body), 64)])
	}
	if lines := bytes.Count(body, []byte("\r\n")); lines < 2 || lines > 2001 {
		t.Errorf("before the abort: %d lines, want the first two pages' at most", lines)
	}
}

// slowClient delays every write of the response by perByte for each byte,
// as a client on a slow line does, and passes deadlines through to the
// connection.
type slowClient struct {
	http.ResponseWriter
	perByte time.Duration
}

func (s *slowClient) Write(p []byte) (int, error) {
	time.Sleep(time.Duration(len(p)) * s.perByte)
	return s.ResponseWriter.Write(p)
}

func (s *slowClient) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// The server's write timeout (and the request deadline cut from it) is for
// one answer: an export that takes longer, still making progress, is
// delivered whole.
func TestAnExportOutlastsTheWriteTimeout(t *testing.T) {
	t.Parallel()
	wiring := newWiring(t)
	const timeout = 400 * time.Millisecond
	wiring.deps.RequestTimeout = timeout
	doc, err := openapi3.NewLoader().LoadFromData(openAPIYAML)
	if err != nil {
		t.Fatal(err)
	}
	router := newRouterFrom(t, wiring.deps)
	w := &exportWorld{a: &catalogAPI{router: router, db: wiring.db, accounts: wiring.accounts, doc: doc, store: wiring.store,
		images: wiring.deps.Images, index: wiring.index, urls: wiring.deps.URLs, cache: wiring.deps.Cache, watcher: wiring.watcher}}
	_, w.ownerProducer = w.a.producer(t)
	w.addPublished(t, 2500) // the third page is read after the deadline
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		router.ServeHTTP(&slowClient{ResponseWriter: rw, perByte: 2 * time.Microsecond}, r)
	}))
	srv.Config.WriteTimeout = timeout
	srv.Start()
	t.Cleanup(srv.Close)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/v1/exports/products.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("the download broke after %s: %v", time.Since(start), err)
	}
	took := time.Since(start)
	if rows := readCSV(t, body); resp.StatusCode != http.StatusOK || len(rows) != 2501 {
		t.Fatalf("export = %d, %d rows", resp.StatusCode, len(rows))
	}
	if took < 2*timeout {
		t.Logf("the export took %s only, within the write timeout: the test proves nothing on this machine", took)
	}
}

// Beyond maxExports running exports, another is told to come back later.
func TestExportsBeyondTheLimitAnswer429(t *testing.T) {
	t.Parallel()
	gin.SetMode(gin.TestMode)
	e := newExports(&handlers{}, 0)
	for range maxExports {
		e.slots <- struct{}{}
	}
	rec := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(rec)
	c.Request = httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/v1/exports/products.csv", nil)
	e.csv(c)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Errorf("answer = %d (Retry-After %q), want 429 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
}
