package meili

// Tests of the request building that need no server; they always run.

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/meilisearch/meilisearch-go"

	"github.com/otopmarket/otop/internal/catalog"
)

// unquote is the Meilisearch filter parser's reading of a double-quoted
// value (filter-parser/src/value.rs: quoted_by, then unescape of \" and of
// \\), enough to check that quoteValue round-trips and is closed where we
// think it is.
func unquote(t *testing.T, s string) (value, rest string) {
	t.Helper()
	if !strings.HasPrefix(s, `"`) {
		t.Fatalf("%q does not start with a quote", s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '"':
			return b.String(), s[i+1:]
		case '\\':
			if i+1 == len(s) {
				t.Fatalf("%q ends inside an escape", s)
			}
			i++
			b.WriteByte(s[i]) // \" → ", \\ → \
		default:
			b.WriteByte(s[i])
		}
	}
	t.Fatalf("%q is not closed", s)
	return "", ""
}

func TestQuoteValueRoundTrips(t *testing.T) {
	for _, v := range []string{
		"", "TH-40", `a"b`, `a\b`, `\`, `\\`, `"`, `\"`, `TH-40\`, `x" OR province_code = "y`,
		`x\" OR province_code = \"y`, "(a) OR (b)", "🧵 ผ้าไหม", "line\nbreak", strings.Repeat("ก", 5000),
	} {
		q := quoteValue(v)
		got, rest := unquote(t, q)
		if got != v || rest != "" {
			t.Errorf("quoteValue(%q) = %q, read back as %q with %q left over", v, q, got, rest)
		}
	}
}

func TestBuildFilter(t *testing.T) {
	yes := true
	lo, hi := int64(1000), int64(250000)
	got := buildFilter(catalog.SearchFilters{
		Province: "TH-40", Cluster: "ne-1", Region: "northeast", Category: "textiles",
		SelectCenter: "sc-ne", CreativeIndustry: "crafts", Topotop: &yes, MinStars: 4,
		Producer: "0b5c0e1e-8f3a-4a8e-9a53-1c1e5c7d2b10", MinPrice: &lo, MaxPrice: &hi, Certification: "halal",
	})
	want := []string{
		`province_code = "TH-40"`, `cluster_id = "ne-1"`, `region = "northeast"`, `category = "textiles"`,
		`select_center_id = "sc-ne"`, `creative_industry = "crafts"`,
		`producer_id = "0b5c0e1e-8f3a-4a8e-9a53-1c1e5c7d2b10"`, `certifications = "halal"`,
		`topotop = true`, `otop_stars >= 4`, `price_minor >= 1000`, `price_minor <= 250000`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("buildFilter =\n%q\nwant\n%q", got, want)
	}
	if got := buildFilter(catalog.SearchFilters{}); len(got) != 0 {
		t.Errorf("empty filters = %q, want none", got)
	}
	no := false
	if got := buildFilter(catalog.SearchFilters{Topotop: &no}); !slices.Equal(got, []string{"topotop = false"}) {
		t.Errorf("topotop=false = %q", got)
	}
	// An injection attempt stays one quoted value of one element.
	got = buildFilter(catalog.SearchFilters{Province: `x" OR region = "northeast`})
	if len(got) != 1 || !strings.HasPrefix(got[0], "province_code = ") {
		t.Fatalf("injection = %q", got)
	}
	if v, rest := unquote(t, strings.TrimPrefix(got[0], "province_code = ")); v != `x" OR region = "northeast` || rest != "" {
		t.Errorf("injection read back as %q + %q", v, rest)
	}
}

func TestSortFor(t *testing.T) {
	for _, c := range []struct {
		sort, text string
		want       []string
	}{
		{"", "", []string{"published_at_unix_ms:desc", "id:asc"}},
		{"", "silk", nil},
		{catalog.SearchSortRelevance, "silk", nil},
		{catalog.SearchSortNewest, "silk", []string{"published_at_unix_ms:desc", "id:asc"}},
		{catalog.SearchSortPriceAsc, "", []string{"price_minor:asc", "id:asc"}},
		{catalog.SearchSortPriceDesc, "", []string{"price_minor:desc", "id:asc"}},
		{catalog.SearchSortName, "", []string{"name_en:asc", "id:asc"}},
	} {
		got, err := sortFor(c.sort, c.text)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("sortFor(%q, %q) = %v, %v; want %v", c.sort, c.text, got, err, c.want)
		}
	}
	if _, err := sortFor("price_minor:asc, id", ""); err == nil {
		t.Error("an unknown sort was accepted")
	}
	// Every sort attribute is sortable.
	for _, s := range []string{catalog.SearchSortNewest, catalog.SearchSortPriceAsc, catalog.SearchSortPriceDesc, catalog.SearchSortName} {
		rules, _ := sortFor(s, "")
		for _, r := range rules {
			if attr, _, _ := strings.Cut(r, ":"); !slices.Contains(sortableAttributes, attr) {
				t.Errorf("sort %s uses %s, which is not sortable", s, attr)
			}
		}
	}
}

func TestFacetsAndFiltersAreFilterable(t *testing.T) {
	for _, f := range catalog.SearchFacets() {
		if !slices.Contains(filterableAttributes, f) {
			t.Errorf("facet %s is not filterable", f)
		}
	}
	for _, f := range buildFilter(catalog.SearchFilters{
		Province: "p", Cluster: "c", Region: "r", Category: "c", SelectCenter: "s", CreativeIndustry: "c",
		Topotop: new(bool), MinStars: 1, Producer: "p", MinPrice: new(int64), MaxPrice: new(int64), Certification: "c",
	}) {
		attr, _, _ := strings.Cut(f, " ")
		if !slices.Contains(filterableAttributes, attr) {
			t.Errorf("filter %q uses %s, which is not filterable", f, attr)
		}
	}
}

func TestRenderHighlight(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                               "plain",
		hlPre + "Silk" + hlPost + " <b>&</b>": "<em>Silk</em> &lt;b&gt;&amp;&lt;/b&gt;",
		"ผ้า" + hlPre + "ไหม" + hlPost:              "ผ้า<em>ไหม</em>",
		hlPre + "a" + hlPre + "b" + hlPost + hlPost: "<em>ab</em>",
		hlPre + "unclosed":                          "<em>unclosed</em>",
		hlPost + "stray":                            "stray",
		`"quoted" 'x'`:                              "&#34;quoted&#34; &#39;x&#39;",
	} {
		if got := renderHighlight(in); got != want {
			t.Errorf("renderHighlight(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDecodeFacets(t *testing.T) {
	raw := json.RawMessage(`{"otop_stars":{"0":3,"5":2},"creative_industry":{"":4,"crafts":1},"topotop":{"true":1,"false":5}}`)
	got, err := decodeFacets(raw, []string{"creative_industry", "otop_stars", "region", "topotop"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]int{
		"creative_industry": {"crafts": 1},
		"otop_stars":        {"5": 2},
		"region":            {},
		"topotop":           {"true": 1, "false": 5},
	}
	if len(got) != len(want) {
		t.Fatalf("decodeFacets = %v, want %v", got, want)
	}
	for k, w := range want {
		g := got[k]
		if g == nil || len(g) != len(w) {
			t.Errorf("facet %s = %v, want %v", k, g, w)
			continue
		}
		for v, n := range w {
			if g[v] != n {
				t.Errorf("facet %s[%s] = %d, want %d", k, v, g[v], n)
			}
		}
	}
}

func TestSynonymsAreMutual(t *testing.T) {
	syn := synonyms()
	if n := len(catalog.SearchSynonyms()); n < 12 {
		t.Errorf("only %d synonym groups", n)
	}
	for w, others := range syn {
		if w != strings.ToLower(w) {
			t.Errorf("synonym %q is not lower case", w)
		}
		for _, o := range others {
			if !slices.Contains(syn[o], w) {
				t.Errorf("%q → %q but not back", w, o)
			}
		}
	}
	for _, pair := range [][2]string{{"pha mai", "silk"}, {"silk", "ผ้าไหม"}, {"ikat", "มัดหมี่"}, {"nam pla", "fish sauce"}} {
		if !slices.Contains(syn[pair[0]], pair[1]) {
			t.Errorf("%q is not a synonym of %q", pair[1], pair[0])
		}
	}
}

func TestCompatMarshalDropsFieldsOldServersReject(t *testing.T) {
	s := indexSettings(DefaultMaxTotalHits)
	b, err := compatMarshal(&s) // UpdateSettings hands the SDK's encoder a **Settings
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	typo, _ := m["typoTolerance"].(map[string]any)
	if _, ok := typo["disableOnNumbers"]; ok || typo["enabled"] != true {
		t.Errorf("typoTolerance = %v, want enabled and no disableOnNumbers", typo)
	}
	if got := m["searchableAttributes"].([]any); len(got) != len(searchableAttributes) || got[0] != "name_en" {
		t.Errorf("searchableAttributes = %v", got)
	}
	if m["pagination"].(map[string]any)["maxTotalHits"] != float64(DefaultMaxTotalHits) {
		t.Errorf("pagination = %v", m["pagination"])
	}
	for _, k := range []string{"facetSearch", "prefixSearch", "embedders", "chat"} {
		if _, ok := m[k]; ok {
			t.Errorf("settings carry %q, which Meilisearch v1.11 does not know", k)
		}
	}

	b, err = compatMarshal([]*meilisearch.SwapIndexesParams{{Indexes: []string{"products", "products_rebuild_1"}}})
	if err != nil || string(b) != `[{"indexes":["products","products_rebuild_1"]}]` {
		t.Errorf("swap = %s, %v", b, err)
	}
	b, err = compatMarshal([]*meilisearch.SwapIndexesParams{{Indexes: []string{"a", "b"}, Rename: true}})
	if err != nil || string(b) != `[{"indexes":["a","b"],"rename":true}]` {
		t.Errorf("swap with rename = %s, %v", b, err)
	}
	// Everything else is plain encoding/json.
	b, err = compatMarshal(map[string]int{"a": 1})
	if err != nil || string(b) != `{"a":1}` {
		t.Errorf("map = %s, %v", b, err)
	}
}

func TestStoredDocumentsCarryASortableTime(t *testing.T) {
	d := catalog.SearchDocument{ID: "x"}
	d.PublishedAt = d.PublishedAt.AddDate(2025, 0, 0)
	b, err := json.Marshal(toStored([]catalog.SearchDocument{d}))
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got[0]["published_at_unix_ms"] != float64(d.PublishedAt.UnixMilli()) || got[0]["id"] != "x" || got[0]["name_en"] != "" {
		t.Errorf("stored = %v", got[0])
	}
}
