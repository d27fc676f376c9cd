package meili

// The replay server of the wire tests: it plays the exchanges of
// testdata/<replayVersion> (answers taken from Meilisearch's own
// integration-test snapshots, see the README there) in order, and fails the
// test on any request it does not expect, on a body other than the one the
// exchange names, and on any field Meilisearch of that version refuses.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// replayVersion is the Meilisearch release whose answers are replayed and
// whose request checks (knownFieldProblems) apply: the one docker-compose.yml
// runs and README names.
const replayVersion = "v1.11.3"

type exchange struct {
	Source   string `json:"source"`
	Adjusted string `json:"adjusted"`
	Method   string `json:"method"`
	Path     string `json:"path"`
	// Request, when present, is the body the adapter must send (compared
	// as JSON values).
	Request  json.RawMessage `json:"request"`
	Status   int             `json:"status"`
	Response json.RawMessage `json:"response"`
}

type scene struct {
	About     string     `json:"about"`
	Exchanges []exchange `json:"exchanges"`
}

type sentRequest struct {
	Method, Path string
	Body         []byte
}

type replayServer struct {
	t      *testing.T
	apiKey string // when set, every request but /health must carry it

	mu     sync.Mutex
	script []exchange
	next   int
	tmp    string // the index a Rebuild created, bound when first named
	sent   []sentRequest
}

// tmpUID is the name Rebuild gives its new index.
var tmpUID = regexp.MustCompile(`products_rebuild_[0-9]+`)

// newReplay serves the named scenes of testdata/<replayVersion>, in order,
// and checks when the test ends that every exchange was asked for.
func newReplay(t *testing.T, apiKey string, scenes ...string) (*replayServer, string) {
	t.Helper()
	r := &replayServer{t: t, apiKey: apiKey}
	for _, name := range scenes {
		raw, err := os.ReadFile(filepath.Join("testdata", replayVersion, name+".json"))
		if err != nil {
			t.Fatalf("scene %s: %v", name, err)
		}
		// settings.json serves any index; here it is the live one.
		raw = bytes.ReplaceAll(raw, []byte("{index}"), []byte(DefaultIndexUID))
		var s scene
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			t.Fatalf("scene %s: %v", name, err)
		}
		for i, ex := range s.Exchanges {
			if ex.Source == "" || ex.Method == "" || ex.Path == "" || ex.Status == 0 || len(ex.Response) == 0 {
				t.Fatalf("scene %s, exchange %d: source, method, path, status and response are required", name, i)
			}
		}
		r.script = append(r.script, s.Exchanges...)
	}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.next < len(r.script) {
			ex := r.script[r.next]
			t.Errorf("%d exchange(s) never asked for, the first: %s %s (%s)", len(r.script)-r.next, ex.Method, r.expand(ex.Path), ex.Source)
		}
	})
	return r, srv.URL
}

// expand replaces {tmp} by the Rebuild index once it is known.
func (r *replayServer) expand(s string) string {
	if r.tmp == "" {
		return s
	}
	return strings.ReplaceAll(s, "{tmp}", r.tmp)
}

// tmpName is the index Rebuild created, "" before it is named.
func (r *replayServer) tmpName() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tmp
}

// requests returns what the adapter sent to method and path ({tmp} expanded).
func (r *replayServer) requests(method, path string) []sentRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sentRequest
	for _, s := range r.sent {
		if s.Method == method && s.Path == r.expand(path) {
			out = append(out, s)
		}
	}
	return out
}

func (r *replayServer) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		r.t.Errorf("reading %s %s: %v", req.Method, req.URL, err)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	refuse := func(status int, code, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		r.t.Errorf("replay %s, request %d (%s %s): %s", replayVersion, r.next, req.Method, req.URL.RequestURI(), msg)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"message": msg, "code": code, "type": "invalid_request", "link": "https://docs.meilisearch.com/errors#" + code,
		})
	}
	if r.next >= len(r.script) {
		refuse(http.StatusBadRequest, "bad_request", "no more exchanges in the scene")
		return
	}
	if r.tmp == "" {
		if m := tmpUID.FindString(req.URL.Path + " " + string(body)); m != "" {
			r.tmp = m
		}
	}
	ex := r.script[r.next]
	if req.Method != ex.Method || req.URL.RequestURI() != r.expand(ex.Path) {
		refuse(http.StatusBadRequest, "bad_request", "expected %s %s (%s)", ex.Method, r.expand(ex.Path), ex.Source)
		return
	}
	r.sent = append(r.sent, sentRequest{req.Method, req.URL.Path, body})
	if r.apiKey != "" && req.URL.Path != "/health" && req.Header.Get("Authorization") != "Bearer "+r.apiKey {
		// auth/api_keys.rs error_add_api_key_no_header
		refuse(http.StatusUnauthorized, "missing_authorization_header",
			"The Authorization header is missing. It must use the bearer authorization method.")
		return
	}
	if len(body) > 0 && !strings.HasPrefix(req.Header.Get("Content-Type"), "application/json") {
		// documents/add_documents.rs error_add_documents_test_no_content_type
		refuse(http.StatusUnsupportedMediaType, "missing_content_type",
			"A Content-Type header is missing. Accepted values for the Content-Type header are: `application/json`, `application/x-ndjson`, `text/csv`")
		return
	}
	if problems := knownFieldProblems(req.Method, ex.Path, body); len(problems) > 0 {
		refuse(http.StatusBadRequest, "bad_request", "%s would refuse this body: %s", replayVersion, strings.Join(problems, "; "))
		return
	}
	if len(ex.Request) > 0 {
		want := []byte(r.expand(string(ex.Request)))
		if !equalJSON(body, want) {
			refuse(http.StatusBadRequest, "bad_request", "body\n%s\nwant\n%s", canonicalJSON(body), canonicalJSON(want))
			return
		}
	}
	r.next++
	w.WriteHeader(ex.Status)
	_, _ = io.WriteString(w, r.expand(string(ex.Response)))
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the JSON value")
	}
	return v, nil
}

func equalJSON(a, b []byte) bool {
	va, err := decodeJSON(a)
	if err != nil {
		return false
	}
	vb, err := decodeJSON(b)
	return err == nil && reflect.DeepEqual(va, vb)
}

// canonicalJSON re-encodes b with sorted keys, for readable differences.
func canonicalJSON(b []byte) string {
	v, err := decodeJSON(b)
	if err != nil {
		return fmt.Sprintf("%q (not JSON: %v)", b, err)
	}
	out, _ := json.MarshalIndent(v, "", "  ")
	return string(out)
}

// The fields each route of Meilisearch v1.11.3 accepts: its request types
// deny unknown fields, so anything else is a 400. From the sources at the
// tag: meilisearch-types/src/settings.rs (Settings, TypoSettings,
// MinWordSizeTyposSetting, FacetingSettings, PaginationSettings),
// meilisearch-types/src/locales.rs, meilisearch/src/search/mod.rs
// (SearchQuery, MatchingStrategy), meilisearch/src/routes/indexes/mod.rs
// (IndexCreateRequest, UpdateIndexRequest) and
// meilisearch/src/routes/swap_indexes.rs (SwapIndexesPayload); the
// typoTolerance list is also in settings/errors.rs settings_bad_typo_tolerance.
var (
	v1113Settings = []string{"displayedAttributes", "searchableAttributes", "filterableAttributes",
		"sortableAttributes", "rankingRules", "stopWords", "nonSeparatorTokens", "separatorTokens", "dictionary",
		"synonyms", "distinctAttribute", "proximityPrecision", "typoTolerance", "faceting", "pagination",
		"embedders", "searchCutoffMs", "localizedAttributes"}
	v1113TypoTolerance = []string{"enabled", "minWordSizeForTypos", "disableOnWords", "disableOnAttributes"}
	v1113MinWordSize   = []string{"oneTypo", "twoTypos"}
	v1113Faceting      = []string{"maxValuesPerFacet", "sortFacetValuesBy"}
	v1113Pagination    = []string{"maxTotalHits"}
	v1113Localized     = []string{"attributePatterns", "locales"}
	v1113Search        = []string{"q", "vector", "hybrid", "offset", "limit", "page", "hitsPerPage",
		"attributesToRetrieve", "retrieveVectors", "attributesToCrop", "cropLength", "attributesToHighlight",
		"showMatchesPosition", "showRankingScore", "showRankingScoreDetails", "filter", "sort", "distinct",
		"facets", "highlightPreTag", "highlightPostTag", "cropMarker", "matchingStrategy",
		"attributesToSearchOn", "rankingScoreThreshold", "locales"}
	v1113MatchingStrategies = []string{"last", "all", "frequency"}
	v1113RankingRules       = []string{"words", "typo", "sort", "proximity", "attribute", "exactness"}
	// v1113Locales is the list search/locales.rs invalid_locales snapshots.
	v1113Locales = strings.Fields(`af ak am ar az be bn bg ca cs da de el en eo et fi fr gu he hi hr hu hy id it
		jv ja kn ka km ko la lv lt ml mr mk my ne nl nb or pa fa pl pt ro ru si sk sl sn es sr sv ta te tl th tk tr
		uk ur uz vi yi zh zu afr aka amh ara aze bel ben bul cat ces dan deu ell eng epo est fin fra guj heb hin hrv
		hun hye ind ita jav jpn kan kat khm kor lat lav lit mal mar mkd mya nep nld nob ori pan pes pol por ron rus
		sin slk slv sna spa srp swe tam tel tgl tha tuk tur ukr urd uzb vie yid zho zul cmn`)
)

// knownFieldProblems says what Meilisearch v1.11.3 would refuse in a
// request body for the route of pathPattern (a path of a scene).
func knownFieldProblems(method, pathPattern string, body []byte) []string {
	if method == http.MethodGet || method == http.MethodDelete {
		if len(body) > 0 {
			return []string{method + " with a body"}
		}
		return nil
	}
	v, err := decodeJSON(body)
	if err != nil {
		return []string{"malformed JSON: " + err.Error()}
	}
	var p problems
	switch route := method + " " + pathPattern; {
	case route == "POST /indexes":
		obj := p.object("", v)
		p.fields("", obj, "uid", "primaryKey")
		if s, _ := obj["uid"].(string); s == "" || !validUID(s) {
			p.add("uid %v is missing or not a valid index uid", obj["uid"])
		}
	case route == "POST /swap-indexes":
		for i, s := range p.array("", v) {
			obj := p.object(fmt.Sprintf("[%d]", i), s)
			p.fields(fmt.Sprintf("[%d]", i), obj, "indexes")
			if ix, _ := obj["indexes"].([]any); len(ix) != 2 {
				p.add("[%d].indexes must name two indexes", i)
			}
		}
	case method == http.MethodPatch && strings.HasSuffix(pathPattern, "/settings"):
		p.settings(p.object("", v))
	case method == http.MethodPatch:
		p.fields("", p.object("", v), "primaryKey")
	case strings.HasSuffix(pathPattern, "/search"):
		p.search(p.object("", v))
	case strings.HasSuffix(pathPattern, "/documents/delete-batch"):
		for i, id := range p.array("", v) {
			switch id.(type) {
			case string, json.Number:
			default:
				p.add("[%d] is not a document id", i)
			}
		}
	case strings.HasSuffix(pathPattern, "/documents"):
		for i, d := range p.array("", v) {
			if _, ok := p.object(fmt.Sprintf("[%d]", i), d)[primaryKey]; !ok {
				p.add("[%d] has no %s (the task would fail with missing_document_id)", i, primaryKey)
			}
		}
	default:
		p.add("no checks known for %s", route)
	}
	return p
}

type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func (p *problems) object(at string, v any) map[string]any {
	obj, ok := v.(map[string]any)
	if !ok {
		p.add("%s: expected an object, found %T", at, v)
	}
	return obj
}

func (p *problems) array(at string, v any) []any {
	arr, ok := v.([]any)
	if !ok {
		p.add("%s: expected an array, found %T", at, v)
	}
	return arr
}

// fields reports the unknown fields of obj, as deserr's deny_unknown_fields
// does ("Unknown field `x`: expected one of …").
func (p *problems) fields(at string, obj map[string]any, allowed ...string) {
	for k := range obj {
		if !slices.Contains(allowed, k) {
			p.add("%sunknown field `%s`: expected one of %s", prefix(at), k, strings.Join(allowed, ", "))
		}
	}
}

func prefix(at string) string {
	if at == "" {
		return ""
	}
	return at + ": "
}

func (p *problems) stringList(at string, v any) []string {
	var out []string
	for i, e := range p.array(at, v) {
		s, ok := e.(string)
		if !ok {
			p.add("%s[%d]: expected a string", at, i)
		}
		out = append(out, s)
	}
	return out
}

func (p *problems) settings(s map[string]any) {
	p.fields("", s, v1113Settings...)
	if v, ok := s["rankingRules"]; ok {
		for _, rule := range p.stringList(".rankingRules", v) {
			if !slices.Contains(v1113RankingRules, rule) && !strings.HasSuffix(rule, ":asc") && !strings.HasSuffix(rule, ":desc") {
				p.add(".rankingRules: `%s` ranking rule is invalid", rule)
			}
		}
	}
	for _, k := range []string{"searchableAttributes", "filterableAttributes", "sortableAttributes"} {
		if v, ok := s[k]; ok {
			p.stringList("."+k, v)
		}
	}
	if v, ok := s["synonyms"]; ok {
		for w, syn := range p.object(".synonyms", v) {
			p.stringList(".synonyms."+w, syn)
		}
	}
	if v, ok := s["typoTolerance"]; ok {
		typo := p.object(".typoTolerance", v)
		p.fields(".typoTolerance", typo, v1113TypoTolerance...)
		if m, ok := typo["minWordSizeForTypos"]; ok {
			p.fields(".typoTolerance.minWordSizeForTypos", p.object(".typoTolerance.minWordSizeForTypos", m), v1113MinWordSize...)
		}
	}
	if v, ok := s["faceting"]; ok {
		f := p.object(".faceting", v)
		p.fields(".faceting", f, v1113Faceting...)
		if by, ok := f["sortFacetValuesBy"]; ok {
			for k, order := range p.object(".faceting.sortFacetValuesBy", by) {
				if order != "alpha" && order != "count" {
					p.add(".faceting.sortFacetValuesBy.%s: unknown value %v", k, order)
				}
			}
		}
	}
	if v, ok := s["pagination"]; ok {
		p.fields(".pagination", p.object(".pagination", v), v1113Pagination...)
	}
	if v, ok := s["localizedAttributes"]; ok {
		for i, rule := range p.array(".localizedAttributes", v) {
			at := fmt.Sprintf(".localizedAttributes[%d]", i)
			r := p.object(at, rule)
			p.fields(at, r, v1113Localized...)
			for _, k := range v1113Localized {
				if _, ok := r[k]; !ok {
					p.add("%s: missing field `%s`", at, k)
				}
			}
			for _, l := range p.stringList(at+".locales", r["locales"]) {
				if !slices.Contains(v1113Locales, l) {
					p.add("%s.locales: unknown value `%s`", at, l)
				}
			}
			p.stringList(at+".attributePatterns", r["attributePatterns"])
		}
	}
}

func (p *problems) search(q map[string]any) {
	p.fields("", q, v1113Search...)
	if v, ok := q["matchingStrategy"]; ok && !slices.Contains(v1113MatchingStrategies, fmt.Sprint(v)) {
		p.add(".matchingStrategy: unknown value %v", v)
	}
	if v, ok := q["hybrid"]; ok && v != nil {
		p.add(".hybrid: the catalogue has no embedder, hybrid must be absent or null")
	}
	if v, ok := q["sort"]; ok {
		for _, s := range p.stringList(".sort", v) {
			if !strings.HasSuffix(s, ":asc") && !strings.HasSuffix(s, ":desc") {
				p.add(".sort: `%s` is not attribute:asc or attribute:desc", s)
			}
		}
	}
	if v, ok := q["filter"]; ok {
		switch f := v.(type) {
		case string:
		case []any:
			for i, e := range f {
				if _, ok := e.(string); !ok {
					p.stringList(fmt.Sprintf(".filter[%d]", i), e)
				}
			}
		default:
			p.add(".filter: expected a string or an array, found %T", v)
		}
	}
	for _, k := range []string{"facets", "attributesToRetrieve", "attributesToSearchOn", "attributesToHighlight", "attributesToCrop"} {
		if v, ok := q[k]; ok {
			p.stringList("."+k, v)
		}
	}
}
