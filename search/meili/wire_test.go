package meili

// Wire tests: a stand-in HTTP server answering the few Meilisearch routes
// the adapter uses, to check what the SDK actually sends and how replies are
// read. They say nothing about Meilisearch's behaviour (ranking, typos,
// synonyms, Thai); meili_test.go checks that against a real server.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/catalog"
)

type wireCall struct {
	Method, Path string
	Body         string
}

type wireServer struct {
	t        *testing.T
	mu       sync.Mutex
	calls    []wireCall
	indexes  map[string]bool
	nextID   int64
	failDocs bool   // every task fails from now on
	search   string // reply to /search
}

func newWireServer(t *testing.T) (*wireServer, string) {
	w := &wireServer{t: t, indexes: map[string]bool{}}
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	return w, srv.URL
}

func (w *wireServer) task(rw http.ResponseWriter, uid string) {
	w.nextID++
	rw.WriteHeader(http.StatusAccepted)
	fmt.Fprintf(rw, `{"taskUid":%d,"indexUid":%q,"status":"enqueued","type":"x","enqueuedAt":"2025-01-01T00:00:00Z"}`, w.nextID, uid)
}

func (w *wireServer) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = append(w.calls, wireCall{r.Method, r.URL.Path, string(body)})
	rw.Header().Set("Content-Type", "application/json")
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/health":
		fmt.Fprint(rw, `{"status":"available"}`)
	case parts[0] == "tasks" && len(parts) == 2:
		status, errJSON := "succeeded", "null"
		if w.failDocs {
			status, errJSON = "failed", `{"message":"bad id","code":"invalid_document_id","type":"invalid_request","link":""}`
		}
		fmt.Fprintf(rw, `{"uid":%s,"status":%q,"type":"x","indexUid":"x","error":%s,"enqueuedAt":"2025-01-01T00:00:00Z"}`, parts[1], status, errJSON)
	case r.URL.Path == "/indexes" && r.Method == http.MethodPost:
		var cfg struct{ UID string }
		_ = json.Unmarshal(body, &cfg)
		w.indexes[cfg.UID] = true
		w.task(rw, cfg.UID)
	case r.URL.Path == "/swap-indexes":
		w.task(rw, "")
	case parts[0] == "indexes" && len(parts) == 2 && r.Method == http.MethodGet:
		if !w.indexes[parts[1]] {
			rw.WriteHeader(http.StatusNotFound)
			fmt.Fprint(rw, `{"message":"not found","code":"index_not_found","type":"invalid_request","link":""}`)
			return
		}
		fmt.Fprintf(rw, `{"uid":%q,"primaryKey":"id"}`, parts[1])
	case parts[0] == "indexes" && len(parts) == 2 && r.Method == http.MethodDelete:
		delete(w.indexes, parts[1])
		w.task(rw, parts[1])
	case len(parts) == 3 && parts[2] == "search":
		fmt.Fprint(rw, w.search)
	case len(parts) >= 3 && parts[2] == "documents":
		w.task(rw, parts[1])
	case len(parts) == 3 && parts[2] == "settings":
		w.task(rw, parts[1])
	default:
		w.t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		rw.WriteHeader(http.StatusNotImplemented)
	}
}

func (w *wireServer) find(method, path string) []wireCall {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []wireCall
	for _, c := range w.calls {
		if c.Method == method && c.Path == path {
			out = append(out, c)
		}
	}
	return out
}

func (w *wireServer) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.calls = nil
}

func (w *wireServer) paths() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, c := range w.calls {
		if !strings.HasPrefix(c.Path, "/tasks/") {
			out = append(out, c.Method+" "+c.Path)
		}
	}
	return out
}

func TestWireNewCreatesTheIndexAndAppliesSettings(t *testing.T) {
	w, url := newWireServer(t)
	ix, err := New(context.Background(), Config{URL: url, IndexUID: "products_w"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if got := w.paths(); !slices.Equal(got, []string{
		"GET /indexes/products_w", "POST /indexes", "PATCH /indexes/products_w/settings",
	}) {
		t.Errorf("requests = %v", got)
	}
	if !ix.Created() {
		t.Error("Created() = false for an index New created")
	}
	create := w.find(http.MethodPost, "/indexes")[0].Body
	if !strings.Contains(create, `"primaryKey":"id"`) {
		t.Errorf("create index body = %s", create)
	}
	var settings map[string]json.RawMessage
	if err := json.Unmarshal([]byte(w.find(http.MethodPatch, "/indexes/products_w/settings")[0].Body), &settings); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"rankingRules", "searchableAttributes", "filterableAttributes", "sortableAttributes",
		"synonyms", "localizedAttributes", "typoTolerance", "pagination", "faceting"} {
		if _, ok := settings[k]; !ok {
			t.Errorf("settings lack %s", k)
		}
	}
	if strings.Contains(string(settings["typoTolerance"]), "disableOnNumbers") {
		t.Errorf("typoTolerance = %s", settings["typoTolerance"])
	}
	if err := ix.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestWireSearchRequestAndReply(t *testing.T) {
	w, url := newWireServer(t)
	w.indexes["p"] = true
	w.search = `{
		"hits": [{"id":"a","name_en":"Silk <i>scarf</i>","name_th":"ผ้าไหม","tags":["silk"],"otop_stars":5,"topotop":true,
		          "price_minor":12000,"published_at":"2025-01-02T03:04:05Z","published_at_unix_ms":1735787045000,
		          "_formatted":{"name_en":"\uE000Silk\uE001 <i>scarf</i>","name_th":"ผ้าไหม","description_en":"","id":"a"}}],
		"totalHits": 41, "page": 2, "hitsPerPage": 5, "totalPages": 9, "processingTimeMs": 1, "query": "silk",
		"facetDistribution": {"otop_stars": {"0": 7, "5": 34}, "creative_industry": {"": 40, "crafts": 1}}
	}`
	ix, err := New(context.Background(), Config{URL: url, IndexUID: "p"})
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	res, err := ix.Search(context.Background(), catalog.SearchQuery{
		Text: "silk", Filters: catalog.SearchFilters{Province: `TH-40" OR 1=1`, Topotop: &yes, MinStars: 4},
		Facets: []string{"creative_industry", "otop_stars"}, Sort: catalog.SearchSortPriceAsc, Page: 2, PerPage: 5,
	})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	var sent map[string]any
	if err := json.Unmarshal([]byte(w.find(http.MethodPost, "/indexes/p/search")[0].Body), &sent); err != nil {
		t.Fatal(err)
	}
	wantFilter := []any{`province_code = "TH-40\" OR 1=1"`, "topotop = true", "otop_stars >= 4"}
	if fmt.Sprint(sent["filter"]) != fmt.Sprint(wantFilter) {
		t.Errorf("filter = %#v, want %#v", sent["filter"], wantFilter)
	}
	for k, v := range map[string]any{
		"q": "silk", "page": 2.0, "hitsPerPage": 5.0, "matchingStrategy": "all",
		"highlightPreTag": hlPre, "highlightPostTag": hlPost,
	} {
		if sent[k] != v {
			t.Errorf("%s = %#v, want %#v", k, sent[k], v)
		}
	}
	if fmt.Sprint(sent["sort"]) != "[price_minor:asc id:asc]" || fmt.Sprint(sent["facets"]) != "[creative_industry otop_stars]" {
		t.Errorf("sort = %v, facets = %v", sent["sort"], sent["facets"])
	}
	if res.Total != 41 || res.Page != 2 || res.PerPage != 5 || len(res.Hits) != 1 {
		t.Fatalf("result = %+v", res)
	}
	d := res.Hits[0].Document
	if d.ID != "a" || d.NameTH != "ผ้าไหม" || d.OTOPStars != 5 || !d.Topotop || d.PriceMinor != 12000 ||
		!d.PublishedAt.Equal(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)) || !slices.Equal(d.Tags, []string{"silk"}) {
		t.Errorf("document = %+v", d)
	}
	if h := res.Hits[0].Highlights; h["name_en"] != "<em>Silk</em> &lt;i&gt;scarf&lt;/i&gt;" || h["name_th"] != "ผ้าไหม" || len(h) != 2 {
		t.Errorf("highlights = %q", h)
	}
	if f := res.Facets; len(f) != 2 || len(f["otop_stars"]) != 1 || f["otop_stars"]["5"] != 34 ||
		len(f["creative_industry"]) != 1 || f["creative_industry"]["crafts"] != 1 {
		t.Errorf("facets = %v", f)
	}
}

func TestWireRebuild(t *testing.T) {
	w, url := newWireServer(t)
	w.indexes["p"] = true
	ix, err := New(context.Background(), Config{URL: url, IndexUID: "p"})
	if err != nil {
		t.Fatal(err)
	}
	w.reset()
	err = ix.Rebuild(context.Background(), func(add func([]catalog.SearchDocument) error) error {
		for i := range 7 {
			if err := add([]catalog.SearchDocument{{ID: fmt.Sprint(i)}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	paths := w.paths()
	if len(paths) < 5 || paths[0] != "POST /indexes" {
		t.Fatalf("requests = %v", paths)
	}
	tmp := strings.TrimPrefix(strings.Split(paths[1], " ")[1], "/indexes/")
	tmp = strings.TrimSuffix(tmp, "/settings")
	if !strings.HasPrefix(tmp, "p_rebuild_") {
		t.Fatalf("temporary index %q", tmp)
	}
	want := []string{"POST /indexes", "PATCH /indexes/" + tmp + "/settings"}
	for range 7 {
		want = append(want, "POST /indexes/"+tmp+"/documents")
	}
	want = append(want, "GET /indexes/p", "POST /swap-indexes", "DELETE /indexes/"+tmp)
	if !slices.Equal(paths, want) {
		t.Errorf("requests =\n%v\nwant\n%v", paths, want)
	}
	if swap := w.find(http.MethodPost, "/swap-indexes")[0].Body; swap != fmt.Sprintf(`[{"indexes":["p","%s"]}]`, tmp) {
		t.Errorf("swap body = %s", swap)
	}

	// A failing fill deletes the new index and never swaps.
	w.reset()
	boom := errors.New("boom")
	err = ix.Rebuild(context.Background(), func(add func([]catalog.SearchDocument) error) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("Rebuild = %v, want boom", err)
	}
	paths = w.paths()
	if len(paths) != 3 || paths[0] != "POST /indexes" || !strings.HasPrefix(paths[2], "DELETE /indexes/p_rebuild_") ||
		len(w.find(http.MethodPost, "/swap-indexes")) != 0 {
		t.Errorf("requests after a failed fill = %v", paths)
	}
}

func TestWireFailedTaskIsReturned(t *testing.T) {
	w, url := newWireServer(t)
	w.indexes["p"] = true
	ix, err := New(context.Background(), Config{URL: url, IndexUID: "p"})
	if err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	w.failDocs = true
	w.mu.Unlock()
	err = ix.Upsert(context.Background(), []catalog.SearchDocument{{ID: "x"}})
	var te *TaskError
	if !errors.As(err, &te) || te.Status != "failed" || te.Code != "invalid_document_id" {
		t.Errorf("Upsert = %v, want a failed *TaskError with its code", err)
	}
}
