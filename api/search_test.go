package api

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/postgres"
)

// drain applies the search outbox to the test's index, as serve's indexer does.
func (a *catalogAPI) drain(t *testing.T) {
	t.Helper()
	outbox := postgres.NewOutbox(a.db, func(string) (string, string) { return "ลำพูน", "Lamphun" }, a.urls.URL)
	ix := catalog.NewIndexer(outbox, outbox, catalog.WatchIndex(a.index, a.cache.IndexChanged), slog.New(slog.DiscardHandler), time.Now)
	if st, ok := a.index.(catalog.Stager); ok { // as serve wires it
		ix.Stage(catalog.WatchStager(st, a.cache.IndexChanged), outbox)
	}
	if _, err := ix.Drain(context.Background(), 100); err != nil {
		t.Fatalf("drain the outbox: %v", err)
	}
}

func TestSearchFindsPublishedProductsOnly(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	published := a.createProduct(t, token)
	draft := a.createProduct(t, token)
	a.publish(t, published.ID)
	a.drain(t)

	rec := a.do(t, http.MethodGet, "/v1/search?q=brocde&facets=category,province_code,certifications&lang=en", "", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("search = %d %s", rec.Code, rec.Body)
	}
	got := decode[searchReply](t, rec)
	if got.Total != 1 || len(got.Hits) != 1 || got.Hits[0].ID != published.ID.String() {
		t.Fatalf("hits = %+v, want only the published product (typo 'brocde')", got)
	}
	if !strings.Contains(got.Hits[0].Highlights["name_en"], "<em>") {
		t.Errorf("highlights = %v", got.Hits[0].Highlights)
	}
	if got.Facets["category"]["textile"] != 1 || got.Facets["province_code"]["TH-51"] != 1 || got.Facets["certifications"]["thai_fda"] != 1 {
		t.Errorf("facets = %v", got.Facets)
	}
	_ = draft

	// Archiving removes it from search once the outbox is applied.
	if rec := a.do(t, http.MethodDelete, "/v1/products/"+published.ID.String(), token, ""); rec.Code != http.StatusNoContent {
		t.Fatalf("archive = %d", rec.Code)
	}
	a.drain(t)
	if got := decode[searchReply](t, a.do(t, http.MethodGet, "/v1/search?q=brocade", "", "")); got.Total != 0 {
		t.Fatalf("archived product still found: %+v", got.Hits)
	}
}

func TestSearchSuggest(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	p := a.createProduct(t, token)
	a.publish(t, p.ID)
	a.drain(t)
	rec := a.do(t, http.MethodGet, "/v1/search/suggest?q=lamph", "", "")
	got := decode[struct{ Suggestions []string }](t, rec)
	if rec.Code != http.StatusOK || len(got.Suggestions) != 1 || got.Suggestions[0] != "Lamphun Brocade Silk" {
		t.Fatalf("suggest = %d %+v", rec.Code, got)
	}
}

func TestSearchRefusesBadParameters(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	tests := []struct{ query, field string }{
		{"q=" + url.QueryEscape(strings.Repeat("ไหม", 70)), "q"},
		{"lang=fr", "lang"},
		{"province=" + url.QueryEscape(`TH-50" OR province_code = "TH-10`), "province"},
		{"category=" + url.QueryEscape("textile OR 1=1"), "category"},
		{"region=north&region=south", "region"},
		{"min_price=-1", "min_price"},
		{"min_price=500&max_price=100", "max_price"},
		{"certification=otop_stars", "certification"},
		{"facets=password_hash", "facets"},
		{"sort=" + url.QueryEscape("price_minor:asc"), "sort"},
		{"per_page=101", "per_page"},
		{"page=0", "page"},
		{"producer=not-a-uuid", "producer"},
		{"topotop=yes", "topotop"},
		{"filter=" + url.QueryEscape("price_minor > 0"), "filter"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p := assertProblem(t, a.do(t, http.MethodGet, "/v1/search?"+tt.query, "", ""), http.StatusBadRequest)
			if len(p.Errors) == 0 || p.Errors[0].Field != tt.field {
				t.Fatalf("errors = %+v, want one about %s", p.Errors, tt.field)
			}
		})
	}
	for _, q := range []string{"", "q=" + url.QueryEscape(strings.Repeat("x", 51))} {
		assertProblem(t, a.do(t, http.MethodGet, "/v1/search/suggest?"+q, "", ""), http.StatusBadRequest)
	}
}

// TestSearchTextIsNeverQuerySyntax sends query text shaped like filter and
// query syntax: it is searched as words and never widens the result set.
func TestSearchTextIsNeverQuerySyntax(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	for range 3 {
		p := a.createProduct(t, token)
		a.publish(t, p.ID)
	}
	a.drain(t)
	all := decode[searchReply](t, a.do(t, http.MethodGet, "/v1/search", "", "")).Total
	if all != 3 {
		t.Fatalf("%d products found without a query, want 3", all)
	}
	for _, q := range []string{
		`zzz" OR "1"="1`, `zzz OR brocade`, `(zzz) OR (*)`, `zzz\" OR \"`, `*`, `zzz') OR ('1'='1`,
		`province_code = "TH-51" OR zzz`, `zzz || 1`, "zzz\x00brocade",
	} {
		rec := a.do(t, http.MethodGet, "/v1/search?q="+url.QueryEscape(q), "", "")
		if rec.Code == http.StatusBadRequest {
			continue // refusing is fine
		}
		if rec.Code != http.StatusOK {
			t.Fatalf("q=%q: %d %s", q, rec.Code, rec.Body)
		}
		if got := decode[searchReply](t, rec); got.Total != 0 && q != "*" {
			t.Errorf("q=%q matched %d products, want none", q, got.Total)
		}
	}
}

// TestSearchAnswers503WhenTheEngineIsDown: an engine failure is a 503 the
// client may retry, without internal detail.
func TestSearchAnswers503WhenTheEngineIsDown(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	closer, ok := a.index.(interface{ Close() error })
	if !ok {
		t.Fatalf("the test index %T cannot be closed", a.index)
	}
	if err := closer.Close(); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/v1/search?q=silk", "/v1/search/suggest?q=sil"} {
		rec := a.do(t, http.MethodGet, path, "", "")
		p := assertProblem(t, rec, http.StatusServiceUnavailable)
		if rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: no Retry-After", path)
		}
		if strings.Contains(p.Detail, "embedded") || strings.Contains(p.Detail, "closed") {
			t.Errorf("%s: detail leaks the cause: %q", path, p.Detail)
		}
	}
}

// A published product renamed by its producer goes back to review and out
// of search: the indexer stages its new version, which hides the published
// document, and drops the cached search replies that held it.
func TestSearchForgetsAProductGoneBackToReview(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	p := a.createProduct(t, token)
	a.publish(t, p.ID)
	a.drain(t)
	total := func() int {
		t.Helper()
		rec := a.do(t, http.MethodGet, "/v1/search?q=brocade", "", "")
		if rec.Code != http.StatusOK {
			t.Fatalf("search = %d %s", rec.Code, rec.Body)
		}
		return decode[searchReply](t, rec).Total
	}
	if got := total(); got != 1 {
		t.Fatalf("published product found %d times, want once", got)
	}
	rec := a.do(t, http.MethodPatch, "/v1/products/"+p.ID.String(), token, `{"name_en":"Lamphun Brocade Silk Shawl"}`, "If-Match", `"2"`)
	if rec.Code != http.StatusOK || decode[productJSON](t, rec).Status != "pending_review" {
		t.Fatalf("rename of a published product = %d %s, want it back in review", rec.Code, rec.Body)
	}
	a.watcher.settle(t)
	// Asked before the indexer ran: the engine still has it, and the reply
	// is cached.
	if got := total(); got != 1 {
		t.Fatalf("before the indexer ran: found %d times, want the published document once", got)
	}
	a.drain(t)
	if got := total(); got != 0 {
		t.Fatalf("a product back in review is found %d times after the indexer ran", got)
	}
}
