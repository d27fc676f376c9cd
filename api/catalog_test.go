package api

import (
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/bulk"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/media"
	"github.com/otopmarket/otop/internal/readcache"
	"github.com/otopmarket/otop/storage"
)

// catalogAPI is the real router on the test's own database. Every response
// it sees is checked against api/openapi.yaml.
type catalogAPI struct {
	router   *gin.Engine
	db       *gorm.DB
	accounts *account.Service
	doc      *openapi3.T
	store    *storage.Store
	images   *media.Images
	index    catalog.SearchIndex
	urls     URLer
	cache    *readcache.Catalog
	watcher  *noticeWatcher
	imports  *bulk.Service
}

func newCatalogAPI(t *testing.T, adjust ...func(*storage.Config)) *catalogAPI {
	t.Helper()
	return catalogAPIOn(t, newWiring(t, adjust...))
}

// deafCatalogAPI is newCatalogAPI with read caches of the given sizes that
// no notice ever reaches: only what the process itself drops leaves them.
func deafCatalogAPI(t *testing.T, sizes readcache.Sizes) *catalogAPI {
	t.Helper()
	w := newWiring(t)
	w.deps.Cache = readcache.NewCatalog(sizes)
	w.deps.Cache.SetLive(true)
	return catalogAPIOn(t, w)
}

func catalogAPIOn(t *testing.T, w wiring) *catalogAPI {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(openAPIYAML)
	if err != nil {
		t.Fatalf("load openapi.yaml: %v", err)
	}
	return &catalogAPI{router: newRouterFrom(t, w.deps), db: w.db, accounts: w.accounts, doc: doc, store: w.store,
		images: w.deps.Images, index: w.index, urls: w.deps.URLs, cache: w.deps.Cache, watcher: w.watcher,
		imports: w.deps.Imports}
}

// signUp creates an account and returns its bearer token.
func (a *catalogAPI) signUp(t *testing.T, role account.Role, center string) string {
	t.Helper()
	ctx := context.Background()
	in := account.RegisterInput{Email: uuid.NewString() + "@example.com", Password: "khao-soi-" + uuid.NewString(),
		Role: role, DisplayName: "Test " + string(role), SelectCenterID: center}
	var err error
	switch role {
	case account.RoleImporter:
		in.Country = "JP"
		_, err = a.accounts.Register(ctx, in)
	case account.RoleProducer:
		_, err = a.accounts.Register(ctx, in)
	default:
		_, err = a.accounts.CreateStaff(ctx, in)
	}
	if err != nil {
		t.Fatalf("create %s: %v", role, err)
	}
	session, err := a.accounts.Login(ctx, in.Email, in.Password, "192.0.2.10")
	if err != nil {
		t.Fatalf("login %s: %v", role, err)
	}
	return session.Token
}

var pathParam = regexp.MustCompile(`/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// documentedPath turns a request path into the document's template:
// /v1/products/<uuid>/images/<uuid> → /v1/products/{id}/images/{image_id}.
func documentedPath(p string) string {
	segments := strings.Split(pathParam.ReplaceAllStringFunc(p, func(string) string { return "/\x00" }), "/")
	for i, seg := range segments {
		if seg != "\x00" {
			continue
		}
		switch {
		case i > 0 && segments[i-1] == "images":
			segments[i] = "{image_id}"
		case i > 0 && segments[i-1] == "uploads":
			segments[i] = "{upload_id}"
		default:
			segments[i] = "{id}"
		}
	}
	for i := 1; i+1 < len(segments); i++ {
		if segments[i-1] == "certifications" && segments[i+1] == "verify" {
			segments[i] = "{kind}"
		}
	}
	return strings.Join(segments, "/")
}

// do sends a request (body: JSON text or "") as the holder of token ("":
// anonymous), checks the reply against the document and returns it.
func (a *catalogAPI) do(t *testing.T, method, target, token, body string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(context.Background(), method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	a.router.ServeHTTP(rec, req)
	a.assertDocumented(t, method, target, rec)
	return rec
}

// assertDocumented checks that the reply is one the document declares: its
// status, media type, body schema (no undeclared fields) and headers.
func (a *catalogAPI) assertDocumented(t *testing.T, method, target string, rec *httptest.ResponseRecorder) {
	t.Helper()
	path, _, _ := strings.Cut(target, "?")
	path = documentedPath(path)
	path = strings.Replace(path, "/v1/products/not-a-uuid", "/v1/products/{id}", 1)
	item := a.doc.Paths.Value(path)
	if item == nil || item.GetOperation(method) == nil {
		t.Fatalf("%s %s is not documented", method, path)
	}
	ref := item.GetOperation(method).Responses.Status(rec.Code)
	if ref == nil {
		t.Fatalf("%s %s: status %d is not documented (body %s)", method, path, rec.Code, rec.Body)
	}
	resp := ref.Value
	for name := range resp.Headers {
		if rec.Header().Get(name) == "" {
			t.Errorf("%s %s %d: documented header %s not sent", method, path, rec.Code, name)
		}
	}
	if len(resp.Content) == 0 {
		if rec.Body.Len() != 0 {
			t.Errorf("%s %s %d: undocumented body %s", method, path, rec.Code, rec.Body)
		}
		return
	}
	mediaType, _, err := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	if err != nil {
		t.Fatalf("%s %s: Content-Type %q: %v", method, path, rec.Header().Get("Content-Type"), err)
	}
	content := resp.Content.Get(mediaType)
	if content == nil {
		t.Fatalf("%s %s %d: media type %s is not documented", method, path, rec.Code, mediaType)
	}
	if mediaType != "application/json" && !strings.HasSuffix(mediaType, "+json") {
		return // a document (a PDF): its media type is what the schema says of it
	}
	var body any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v", method, path, err)
	}
	if err := content.Schema.Value.VisitJSON(body); err != nil {
		t.Errorf("%s %s %d: body does not match the schema: %v\n%s", method, path, rec.Code, err, rec.Body)
	}
	for _, field := range undeclaredFields(content.Schema.Value, body, "") {
		t.Errorf("%s %s %d: field %s is sent but not documented", method, path, rec.Code, field)
	}
}

const (
	producerBody = `{"name_th":"กลุ่มทอผ้าไหมยกดอกบ้านหนองเงือก","name_en":"Ban Nong Nguek Silk Brocade Weavers",
		"kind":"community_enterprise","province_code":"TH-51","amphoe":"ป่าซาง","tambon":"มะกอก","enterprise_level":3,
		"story_en":"Weaving since 1985.","contact":{"phone":"+66 53 521 234","email":"weavers@example.com"}}`
	productBody = `{"name_th":"ผ้าไหมยกดอกลำพูน","name_en":"Lamphun Brocade Silk","description_en":"Hand-woven.",
		"category":"textile","creative_industry":"crafts","otop_stars":5,"otop_stars_year":2024,
		"price":{"amount_minor":450000,"currency":"THB"},"price_tiers":[{"min_quantity":10,"amount_minor":420000}],
		"moq":2,"unit":"piece","monthly_capacity":60,"lead_time_days":30,"hs_code":"500720","weight_grams":450,
		"tags":["silk"],"certifications":[{"kind":"gi","number":"สช 49100006","expires_on":null},
		{"kind":"thai_fda","number":"50-2-03456-2-0012","expires_on":"2027-09-30"}]}`
)

// producer signs up a producer with a profile and returns its token and profile.
func (a *catalogAPI) producer(t *testing.T) (string, producerJSON) {
	t.Helper()
	token := a.signUp(t, account.RoleProducer, "")
	rec := a.do(t, http.MethodPost, "/v1/producers", token, producerBody)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create producer = %d %s", rec.Code, rec.Body)
	}
	return token, decode[producerJSON](t, rec)
}

func (a *catalogAPI) createProduct(t *testing.T, token string) productJSON {
	t.Helper()
	rec := a.do(t, http.MethodPost, "/v1/products", token, productBody)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create product = %d %s", rec.Code, rec.Body)
	}
	return decode[productJSON](t, rec)
}

func (a *catalogAPI) publish(t *testing.T, id uuid.UUID) {
	t.Helper()
	// A curator verified the claims before approving: search counts verified certificates and stars only.
	if err := a.db.Exec("UPDATE product_certifications SET verification = 'verified', verified_at = now() WHERE product_id = ?", id).Error; err != nil {
		t.Fatalf("verify certificates: %v", err)
	}
	if err := a.db.Exec(`UPDATE products SET status = 'published', published_at = now(), version = version + 1,
		stars_verification = CASE WHEN otop_stars IS NULL THEN 'unverified' ELSE 'verified' END,
		stars_verified_at = CASE WHEN otop_stars IS NULL THEN NULL ELSE now() END WHERE id = ?`, id).Error; err != nil {
		t.Fatalf("publish: %v", err)
	}
	a.watcher.settle(t)
}

func TestCreateProducerAndProductAnswer201WithLocationAndETag(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token := a.signUp(t, account.RoleProducer, "")

	rec := a.do(t, http.MethodPost, "/v1/producers", token, producerBody)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST /v1/producers = %d %s", rec.Code, rec.Body)
	}
	producer := decode[producerJSON](t, rec)
	if loc := rec.Header().Get("Location"); loc != "/v1/producers/"+producer.ID.String() {
		t.Errorf("Location = %q", loc)
	}
	if rec.Header().Get("ETag") != `"1"` || producer.ClusterID == nil || *producer.ClusterID != "upper-north-1" || producer.Contact == nil {
		t.Errorf("producer = %+v, ETag %q", producer, rec.Header().Get("ETag"))
	}

	rec = a.do(t, http.MethodPost, "/v1/products", token, productBody)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST /v1/products = %d %s", rec.Code, rec.Body)
	}
	product := decode[productJSON](t, rec)
	if loc := rec.Header().Get("Location"); loc != "/v1/products/"+product.ID.String() {
		t.Errorf("Location = %q", loc)
	}
	if rec.Header().Get("ETag") != `"1"` {
		t.Errorf("ETag = %q", rec.Header().Get("ETag"))
	}
	if product.Status != "draft" || product.ProducerID != producer.ID || product.SelectCenterID != "chiang-mai" ||
		product.Region != "north" || product.Price == nil || product.Price.AmountMinor != 450000 || product.Images == nil {
		t.Errorf("product = %+v", product)
	}
	if !strings.Contains(rec.Body.String(), `"expires_on":"2027-09-30"`) || !strings.Contains(rec.Body.String(), `"images":[]`) {
		t.Errorf("body = %s", rec.Body)
	}

	rec = a.do(t, http.MethodPost, "/v1/products", token, `{"name_th":"น้ำพริกหนุ่ม","name_en":"Nam Prik Num","category":"food"}`)
	if minimal := decode[productJSON](t, rec); rec.Code != http.StatusCreated || minimal.Price != nil || minimal.MOQ != nil || minimal.Unit != nil ||
		!strings.Contains(rec.Body.String(), `"price":null`) || !strings.Contains(rec.Body.String(), `"tags":[]`) {
		t.Errorf("minimal draft = %d %s", rec.Code, rec.Body)
	}

	rec = a.do(t, http.MethodGet, "/v1/products/"+product.ID.String(), token, "")
	if rec.Code != http.StatusOK || rec.Header().Get("ETag") != `"1"` {
		t.Errorf("GET own draft = %d, ETag %q", rec.Code, rec.Header().Get("ETag"))
	}
	rec = a.do(t, http.MethodPost, "/v1/products/"+product.ID.String()+"/submit", token, "")
	if rec.Code != http.StatusOK || decode[productJSON](t, rec).Status != "pending_review" || rec.Header().Get("ETag") != `"2"` {
		t.Errorf("submit = %d %s", rec.Code, rec.Body)
	}
	assertProblem(t, a.do(t, http.MethodPost, "/v1/products/"+product.ID.String()+"/submit", token, ""), http.StatusConflict)
	if rec := a.do(t, http.MethodDelete, "/v1/products/"+product.ID.String(), token, ""); rec.Code != http.StatusNoContent {
		t.Errorf("DELETE = %d %s", rec.Code, rec.Body)
	}
}

func TestProducerCannotSetProtectedFields(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, producer := a.producer(t)
	existing := a.createProduct(t, token)
	base := strings.TrimSuffix(strings.TrimSpace(productBody), "}")
	tests := []struct {
		field, value, message string
	}{
		{"status", `"published"`, "cannot be set by a producer"},
		{"topotop", `true`, "cannot be set by a producer"},
		{"select_center_id", `"bangkok"`, "cannot be set by a producer"},
		{"producer_id", `"` + producer.ID.String() + `"`, "cannot be set by a producer"},
		{"province_code", `"TH-10"`, "cannot be set by a producer"},
		{"version", `7`, "cannot be set by a producer"},
		{"colour", `"purple"`, "is not a known field"},
	}
	for _, tt := range tests {
		for _, method := range []string{http.MethodPost, http.MethodPatch} {
			t.Run(method+" "+tt.field, func(t *testing.T) {
				target, body := "/v1/products", base+`,"`+tt.field+`":`+tt.value+`}`
				if method == http.MethodPatch {
					target, body = "/v1/products/"+existing.ID.String(), `{"name_en":"Renamed","`+tt.field+`":`+tt.value+`}`
				}
				p := assertProblem(t, a.do(t, method, target, token, body), http.StatusUnprocessableEntity)
				if len(p.Errors) != 1 || p.Errors[0].Field != tt.field || p.Errors[0].Message != tt.message {
					t.Errorf("errors = %+v, want one for %s: %s", p.Errors, tt.field, tt.message)
				}
			})
		}
	}
	// Nothing was stored or changed.
	rec := a.do(t, http.MethodGet, "/v1/products?status=draft,pending_review,published&producer="+producer.ID.String(), token, "")
	list := decode[listReply[productJSON]](t, rec)
	if len(list.Items) != 1 || list.Items[0].Version != 1 || list.Items[0].Topotop || list.Items[0].Status != "draft" || list.Items[0].NameEN != existing.NameEN {
		t.Errorf("after refused requests: %+v", list.Items)
	}
	t.Run("a producer profile's user_id", func(t *testing.T) {
		other := a.signUp(t, account.RoleProducer, "")
		body := strings.TrimSuffix(strings.TrimSpace(producerBody), "}") + `,"user_id":"` + uuid.NewString() + `"}`
		p := assertProblem(t, a.do(t, http.MethodPost, "/v1/producers", other, body), http.StatusUnprocessableEntity)
		if len(p.Errors) != 1 || p.Errors[0].Field != "user_id" || p.Errors[0].Message != "cannot be set by a producer" {
			t.Errorf("errors = %+v", p.Errors)
		}
	})
}

func TestValidationAnswers422WithOneEntryPerField(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	body := `{"name_th":"silk","name_en":"Silk","category":"toys","price":{"amount_minor":-5},"moq":2,
		"price_tiers":[{"min_quantity":10,"amount_minor":100},{"min_quantity":5,"amount_minor":90}],
		"certifications":[{"kind":"otop_stars","number":"5"}],"hs_code":"12"}`
	p := assertProblem(t, a.do(t, http.MethodPost, "/v1/products", token, body), http.StatusUnprocessableEntity)
	got := map[string]int{}
	for _, e := range p.Errors {
		got[e.Field]++
	}
	for _, field := range []string{"name_th", "category", "price.amount_minor", "price_tiers[1].min_quantity", "certifications[0].kind", "hs_code"} {
		if got[field] != 1 {
			t.Errorf("field %s reported %d times; errors %+v", field, got[field], p.Errors)
		}
	}
	if len(got) != 6 {
		t.Errorf("errors = %+v", p.Errors)
	}
	t.Run("a field of the wrong type is named", func(t *testing.T) {
		p := assertProblem(t, a.do(t, http.MethodPost, "/v1/products", token, `{"name_th":"ผ้า","name_en":"x","category":"textile","otop_stars":"five"}`), http.StatusUnprocessableEntity)
		if len(p.Errors) != 1 || p.Errors[0].Field != "otop_stars" {
			t.Errorf("errors = %+v", p.Errors)
		}
	})
	t.Run("malformed JSON is a bad request", func(t *testing.T) {
		assertProblem(t, a.do(t, http.MethodPost, "/v1/products", token, `{"name_th":`), http.StatusBadRequest)
	})
}

func TestPatchProductHonoursIfMatch(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	p := a.createProduct(t, token)
	target := "/v1/products/" + p.ID.String()

	rec := a.do(t, http.MethodPatch, target, token, `{"lead_time_days":21,"hs_code":null}`, "If-Match", `"1"`)
	if rec.Code != http.StatusOK || rec.Header().Get("ETag") != `"2"` {
		t.Fatalf("PATCH with the current ETag = %d %s, ETag %q", rec.Code, rec.Body, rec.Header().Get("ETag"))
	}
	if got := decode[productJSON](t, rec); got.LeadTimeDays == nil || *got.LeadTimeDays != 21 || got.HSCode != nil || got.Version != 2 {
		t.Errorf("patched = %+v", got)
	}
	assertProblem(t, a.do(t, http.MethodPatch, target, token, `{"lead_time_days":7}`, "If-Match", `"1"`), http.StatusPreconditionFailed)
	// RFC 9110: tags that do not match are 412 (weak ones never match);
	// only a header that is no list of entity-tags is a 400.
	for header, want := range map[string]int{`W/"2"`: http.StatusPreconditionFailed, `"two"`: http.StatusPreconditionFailed,
		`"0"`: http.StatusPreconditionFailed, `"1", "3"`: http.StatusPreconditionFailed, `2`: http.StatusBadRequest} {
		t.Run("If-Match "+header, func(t *testing.T) {
			assertProblem(t, a.do(t, http.MethodPatch, target, token, `{"lead_time_days":7}`, "If-Match", header), want)
		})
	}
	rec = a.do(t, http.MethodGet, target, token, "")
	if got := decode[productJSON](t, rec); got.Version != 2 || *got.LeadTimeDays != 21 {
		t.Errorf("refused PATCHes changed the product: %+v", got)
	}
	if rec := a.do(t, http.MethodPatch, target, token, `{"lead_time_days":7}`); rec.Code != http.StatusOK || rec.Header().Get("ETag") != `"3"` {
		t.Errorf("PATCH without If-Match = %d, ETag %q", rec.Code, rec.Header().Get("ETag"))
	}

	t.Run("producer profile", func(t *testing.T) {
		token, producer := a.producer(t)
		target := "/v1/producers/" + producer.ID.String()
		if rec := a.do(t, http.MethodPatch, target, token, `{"enterprise_level":4}`, "If-Match", `"1"`); rec.Code != http.StatusOK || rec.Header().Get("ETag") != `"2"` {
			t.Fatalf("PATCH = %d %s", rec.Code, rec.Body)
		}
		assertProblem(t, a.do(t, http.MethodPatch, target, token, `{"enterprise_level":2}`, "If-Match", `"1"`), http.StatusPreconditionFailed)
		assertProblem(t, a.do(t, http.MethodPatch, target, token, `{"enterprise_level":2}`, "If-Match", `nope`), http.StatusBadRequest)
		other, _ := a.producer(t)
		assertProblem(t, a.do(t, http.MethodPatch, target, other, `{"enterprise_level":2}`), http.StatusForbidden)
	})
}

func TestProductVisibilityOverHTTP(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	owner, _ := a.producer(t) // Lamphun: Select center chiang-mai
	other, _ := a.producer(t)
	draft := a.createProduct(t, owner)
	published := a.createProduct(t, owner)
	a.publish(t, published.ID)
	curator := a.signUp(t, account.RoleCurator, "chiang-mai")
	farCurator := a.signUp(t, account.RoleCurator, "songkhla")
	importer := a.signUp(t, account.RoleImporter, "")
	tests := []struct {
		name, token     string
		draft, writePub int // GET of the draft; PATCH of the published product
	}{
		{"anonymous", "", http.StatusNotFound, http.StatusUnauthorized},
		{"importer", importer, http.StatusNotFound, http.StatusForbidden},
		{"another producer", other, http.StatusNotFound, http.StatusForbidden},
		{"curator of another center", farCurator, http.StatusNotFound, http.StatusForbidden},
		{"curator of the center", curator, http.StatusOK, http.StatusForbidden},
		{"owner", owner, http.StatusOK, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := a.do(t, http.MethodGet, "/v1/products/"+draft.ID.String(), tt.token, "")
			if rec.Code != tt.draft {
				t.Errorf("GET draft = %d, want %d", rec.Code, tt.draft)
			}
			if tt.draft == http.StatusNotFound {
				assertProblem(t, rec, http.StatusNotFound)
				deleted := http.StatusNotFound
				if tt.token == "" {
					deleted = http.StatusUnauthorized
				}
				assertProblem(t, a.do(t, http.MethodDelete, "/v1/products/"+draft.ID.String(), tt.token, ""), deleted)
			}
			if rec := a.do(t, http.MethodGet, "/v1/products/"+published.ID.String(), tt.token, ""); rec.Code != http.StatusOK {
				t.Errorf("GET published = %d", rec.Code)
			}
			if rec := a.do(t, http.MethodPatch, "/v1/products/"+published.ID.String(), tt.token, `{"tags":["x"]}`); rec.Code != tt.writePub {
				t.Errorf("PATCH published = %d, want %d: %s", rec.Code, tt.writePub, rec.Body)
			}
		})
	}
	t.Run("editing the published product sent it back to review", func(t *testing.T) {
		assertProblem(t, a.do(t, http.MethodGet, "/v1/products/"+published.ID.String(), "", ""), http.StatusNotFound)
	})
	t.Run("an id that is not a UUID names nothing", func(t *testing.T) {
		assertProblem(t, a.do(t, http.MethodGet, "/v1/products/not-a-uuid", "", ""), http.StatusNotFound)
	})
}

func TestListEndpointsRefuseBadQueryParameters(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, producer := a.producer(t)
	for range 3 {
		a.publish(t, a.createProduct(t, token).ID)
	}
	rec := a.do(t, http.MethodGet, "/v1/products?limit=2&sort=price_asc", "", "")
	page := decode[listReply[productJSON]](t, rec)
	if rec.Code != http.StatusOK || len(page.Items) != 2 || page.NextCursor == nil {
		t.Fatalf("first page = %d %s", rec.Code, rec.Body)
	}
	rec = a.do(t, http.MethodGet, "/v1/products?limit=2&sort=price_asc&cursor="+*page.NextCursor, "", "")
	if next := decode[listReply[productJSON]](t, rec); len(next.Items) != 1 || next.NextCursor != nil {
		t.Fatalf("second page = %s", rec.Body)
	}
	tests := []struct {
		query, field string
	}{
		{"/v1/products?province=TH-99", "province"},
		{"/v1/products?cluster=nowhere", "cluster"},
		{"/v1/products?region=east", "region"},
		{"/v1/products?category=toys", "category"},
		{"/v1/products?select_center=phuket", "select_center"},
		{"/v1/products?creative_industry=sports", "creative_industry"},
		{"/v1/products?topotop=maybe", "topotop"},
		{"/v1/products?min_stars=six", "min_stars"},
		{"/v1/products?min_stars=9", "min_stars"},
		{"/v1/products?producer=42", "producer"},
		{"/v1/products?status=draft", "status"},
		{"/v1/products?status=sold", "status"},
		{"/v1/products?sort=popular", "sort"},
		{"/v1/products?limit=101", "limit"},
		{"/v1/products?limit=0", "limit"},
		{"/v1/products?cursor=garbage", "cursor"},
		{"/v1/products?sort=price_desc&cursor=" + *page.NextCursor, "cursor"},
		{"/v1/products?province=TH-50&province=TH-51", "province"},
		{"/v1/products?colour=purple", "colour"},
		{"/v1/producers?province=TH-99", "province"},
		{"/v1/producers?cluster=nowhere", "cluster"},
		{"/v1/producers?limit=1000", "limit"},
		{"/v1/producers?status=draft", "status"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p := assertProblem(t, a.do(t, http.MethodGet, tt.query, "", ""), http.StatusBadRequest)
			if len(p.Errors) != 1 || p.Errors[0].Field != tt.field {
				t.Errorf("errors = %+v, want one for %s", p.Errors, tt.field)
			}
		})
	}
	t.Run("the owner lists their drafts by status", func(t *testing.T) {
		a.createProduct(t, token)
		rec := a.do(t, http.MethodGet, "/v1/products?status=draft&producer="+producer.ID.String(), token, "")
		if list := decode[listReply[productJSON]](t, rec); rec.Code != http.StatusOK || len(list.Items) != 1 || list.Items[0].Status != "draft" {
			t.Errorf("own drafts = %d %s", rec.Code, rec.Body)
		}
	})
	t.Run("producers list and the public view", func(t *testing.T) {
		rec := a.do(t, http.MethodGet, "/v1/producers?province=TH-51&cluster=upper-north-1", "", "")
		list := decode[listReply[producerJSON]](t, rec)
		if rec.Code != http.StatusOK || len(list.Items) != 1 || list.Items[0].Contact != nil || strings.Contains(rec.Body.String(), "weavers@example.com") {
			t.Errorf("producers = %d %s", rec.Code, rec.Body)
		}
		rec = a.do(t, http.MethodGet, "/v1/producers/"+producer.ID.String(), token, "")
		if got := decode[producerJSON](t, rec); got.Contact == nil || got.Contact.Email != "weavers@example.com" || rec.Header().Get("ETag") != `"1"` {
			t.Errorf("owner's view = %s", rec.Body)
		}
	})
}

func TestCatalogWritesNeedTheRightAccount(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	importer := a.signUp(t, account.RoleImporter, "")
	bare := a.signUp(t, account.RoleProducer, "")
	assertProblem(t, a.do(t, http.MethodPost, "/v1/products", "", productBody), http.StatusUnauthorized)
	assertProblem(t, a.do(t, http.MethodPost, "/v1/products", importer, productBody), http.StatusForbidden)
	assertProblem(t, a.do(t, http.MethodPost, "/v1/producers", importer, producerBody), http.StatusForbidden)
	assertProblem(t, a.do(t, http.MethodPost, "/v1/producers", "", producerBody), http.StatusUnauthorized)
	p := assertProblem(t, a.do(t, http.MethodPost, "/v1/products", bare, productBody), http.StatusUnprocessableEntity)
	if len(p.Errors) != 1 || p.Errors[0].Field != "producer" {
		t.Errorf("producer without a profile: errors %+v", p.Errors)
	}
	if rec := a.do(t, http.MethodPost, "/v1/producers", bare, producerBody); rec.Code != http.StatusCreated {
		t.Fatalf("create profile = %d %s", rec.Code, rec.Body)
	}
	assertProblem(t, a.do(t, http.MethodPost, "/v1/producers", bare, producerBody), http.StatusConflict)
	assertProblem(t, a.do(t, http.MethodPost, "/v1/products", bare, `not json`), http.StatusBadRequest)
	assertProblem(t, a.do(t, http.MethodGet, "/v1/producers", "not-a-token", ""), http.StatusUnauthorized)
	rec := a.do(t, http.MethodPost, "/v1/products", bare, productBody, "Content-Type", "text/plain")
	assertProblem(t, rec, http.StatusUnsupportedMediaType)
}

func TestMeNamesTheProducerProfile(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token := a.signUp(t, account.RoleProducer, "")
	me := decode[meJSON](t, a.do(t, http.MethodGet, "/v1/me", token, ""))
	if me.ProducerID != nil || me.Role != "producer" {
		t.Fatalf("/v1/me before the profile = %+v, want producer_id null", me)
	}
	rec := a.do(t, http.MethodPost, "/v1/producers", token, producerBody)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create producer = %d %s", rec.Code, rec.Body)
	}
	producer := decode[producerJSON](t, rec)
	me = decode[meJSON](t, a.do(t, http.MethodGet, "/v1/me", token, ""))
	if me.ProducerID == nil || *me.ProducerID != producer.ID {
		t.Fatalf("/v1/me after the profile = %+v, want producer_id %s", me, producer.ID)
	}
	importer := a.signUp(t, account.RoleImporter, "")
	if got := decode[meJSON](t, a.do(t, http.MethodGet, "/v1/me", importer, "")); got.ProducerID != nil || got.Role != "importer" {
		t.Fatalf("/v1/me of an importer = %+v", got)
	}
}
