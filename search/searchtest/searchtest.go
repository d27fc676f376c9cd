// Package searchtest is the conformance suite every catalog.SearchIndex
// engine must pass: the same documents and queries with the same expected
// results, whichever engine answers. Expected results are computed from the
// documents in Go (filters, facet counts, sort orders), so the suite states
// the contract, not one engine's behaviour. Where an engine does more than
// the contract (Traits: Thai words with typos), the cases say what each
// engine answers and why.
package searchtest

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/otopmarket/otop/internal/catalog"
)

// NewIndex returns an empty index for one test; the caller's cleanup
// removes it.
type NewIndex func(t *testing.T) catalog.SearchIndex

// Traits are what an engine does beyond what every engine must: cases
// whose answer depends on them expect an engine without them to give the
// answer its own rules give, and say which and why.
type Traits struct {
	// ThaiTyposByCharacter: a Thai word of four characters or more finds
	// the texts one typo away from it, character by character, wherever
	// they are (two typos from eight characters), as the embedded engine
	// does. Meilisearch forgives a Thai typo only where its rules hide it:
	// see testThaiTypos.
	ThaiTyposByCharacter bool
}

// Run runs the whole suite for an engine without Traits.
func Run(t *testing.T, newIndex NewIndex) { RunWith(t, newIndex, Traits{}) }

// RunWith runs the whole suite, each case on its own fresh index.
func RunWith(t *testing.T, newIndex NewIndex, tr Traits) {
	cases := []struct {
		name string
		fn   func(*testing.T, catalog.SearchIndex)
	}{
		{"EmptyQueryListsEverythingNewestFirst", testEmptyQuery},
		{"ThaiSubstrings", testThaiSubstrings},
		{"EnglishTyposPrefixesAndStems", testEnglishMatching},
		{"NamesRankAboveDescriptions", testRanking},
		{"Synonyms", testSynonyms},
		{"CodesMatchExactly", testCodes},
		{"EveryFilter", testFilters},
		{"FacetCounts", testFacets},
		{"SortOrders", testSorts},
		{"Pagination", testPagination},
		{"DeleteAndUpsert", testDeleteAndUpsert},
		{"HostileQueries", testHostileQueries},
		{"HostileFilterValuesNeverWiden", testHostileFilters},
		{"Highlights", testHighlights},
		{"Suggest", testSuggest},
		{"EndedContextsFail", testEndedContexts},
		{"Rebuild", testRebuild},
		{"ThaiTypos", func(t *testing.T, ix catalog.SearchIndex) { testThaiTypos(t, ix, tr) }},
		{"ThaiTyposKeepPrecision", func(t *testing.T, ix catalog.SearchIndex) { testThaiTypoPrecision(t, ix, tr) }},
		{"ThaiTyposRankBelowExactWords", func(t *testing.T, ix catalog.SearchIndex) { testThaiTypoRanking(t, ix, tr) }},
		{"ThaiTyposInSuggest", func(t *testing.T, ix catalog.SearchIndex) { testThaiTypoSuggest(t, ix, tr) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ix := newIndex(t)
			load(t, ix, Documents())
			c.fn(t, ix)
		})
	}
}

func load(t *testing.T, ix catalog.SearchIndex, docs []catalog.SearchDocument) {
	t.Helper()
	if err := ix.Upsert(context.Background(), docs); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
}

func search(t *testing.T, ix catalog.SearchIndex, q catalog.SearchQuery) catalog.SearchResult {
	t.Helper()
	if q.PerPage == 0 {
		q.PerPage = 100
	}
	res, err := ix.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	if len(res.Hits) > res.Total {
		t.Fatalf("Search(%+v): %d hits but total %d", q, len(res.Hits), res.Total)
	}
	return res
}

// ids returns the ids of the hits in their order.
func ids(res catalog.SearchResult) []string {
	out := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, h.Document.ID)
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// matchSet runs q and returns the sorted ids of every match (one page of
// 100 holds the whole suite catalogue).
func matchSet(t *testing.T, ix catalog.SearchIndex, q catalog.SearchQuery) []string {
	t.Helper()
	res := search(t, ix, q)
	if res.Total != len(res.Hits) {
		t.Fatalf("Search(%+v): total %d, but %d hits on a page of 100", q, res.Total, len(res.Hits))
	}
	return sorted(ids(res))
}

// where returns the sorted ids of the documents keep accepts.
func where(keep func(catalog.SearchDocument) bool) []string {
	var out []string
	for _, d := range Documents() {
		if keep(d) {
			out = append(out, d.ID)
		}
	}
	slices.Sort(out)
	return out
}

func wantSet(t *testing.T, ix catalog.SearchIndex, q catalog.SearchQuery, want []string) {
	t.Helper()
	if got := matchSet(t, ix, q); !slices.Equal(got, want) {
		t.Errorf("Search(text %q, filters %+v) = %v, want %v", q.Text, q.Filters, got, want)
	}
}

func testEmptyQuery(t *testing.T, ix catalog.SearchIndex) {
	res := search(t, ix, catalog.SearchQuery{})
	if res.Total != len(specs) {
		t.Fatalf("total = %d, want %d", res.Total, len(specs))
	}
	want := ordered(catalog.SearchSortNewest)
	if got := ids(res); !slices.Equal(got, want) {
		t.Errorf("empty query order = %v, want newest first %v", got, want)
	}
	// The stored document comes back whole.
	docs := Documents()
	byID := map[string]catalog.SearchDocument{}
	for _, d := range docs {
		byID[d.ID] = d
	}
	for _, h := range res.Hits {
		want := byID[h.Document.ID]
		got := h.Document
		if got.NameTH != want.NameTH || got.PriceMinor != want.PriceMinor || !got.PublishedAt.Equal(want.PublishedAt) ||
			!slices.Equal(got.Certifications, want.Certifications) || got.ImageURL != want.ImageURL ||
			got.ProducerNameEN != want.ProducerNameEN || got.Topotop != want.Topotop {
			t.Errorf("hit %s = %+v, want the indexed document %+v", h.Document.ID, got, want)
		}
	}
	// Blank text is an empty query.
	if got := ids(search(t, ix, catalog.SearchQuery{Text: "   \t "})); !slices.Equal(got, want) {
		t.Errorf("blank text = %v, want %v", got, want)
	}
}

func testThaiSubstrings(t *testing.T, ix catalog.SearchIndex) {
	for q, want := range map[string][]string{
		"มัดหมี่":        {"p01", "p16"},        // inside ผ้าพันคอไหมมัดหมี่; p16 by its synonym mudmee
		"ศิลาดล":         {"p05"},               // inside ถ้วยชาศิลาดล
		"ข้าวหอมมะลิ":    {"p07"},               // at the start of a name
		"บาติก":          {"p11"},               // at the end of a name
		"กระจูด":         {"p10"},               // name and producer
		"เชียงใหม่":      {"p04", "p05", "p13"}, // province name
		"ดอยช้าง":        {"p06", "p17"},        // product name and producer name
		"ยาหม่อง":        {"p09"},
		"ไม่มีสินค้านี้": {},
	} {
		wantSet(t, ix, catalog.SearchQuery{Text: q}, sorted(want))
	}
	// Two Thai words must both match.
	wantSet(t, ix, catalog.SearchQuery{Text: "ผ้าไหม ชนบท"}, []string{"p01", "p02", "p16"})
}

func testEnglishMatching(t *testing.T, ix catalog.SearchIndex) {
	silk := where(func(d catalog.SearchDocument) bool {
		return strings.Contains(strings.ToLower(d.NameEN+" "+d.DescriptionEN+" "+strings.Join(d.Tags, " ")), "silk")
	})
	for _, c := range []struct {
		q    string
		want []string
	}{
		{"silk", silk},
		{"SILK", silk},
		{"silck", silk},                   // one typo in a five-letter word
		{"umbrela", []string{"p04"}},      //nolint:misspell // a missing letter, on purpose
		{"ymbrella", nil},                 // a typo on the first letter counts as two
		{"xemongrass", []string{"p15"}},   // which a word of nine letters or more allows
		{"xemongrasz", nil},               // but not with another typo
		{"cofee", []string{"p06"}},        // a missing letter
		{"umbr", []string{"p04"}},         // the word being typed is a prefix
		{"celad", []string{"p05"}},        // prefix
		{"candles", []string{"p18"}},      // plural
		{"candle", []string{"p18"}},       // singular finds the plural
		{"umbrellas", []string{"p04"}},    // plural finds the singular
		{"weaving", nil},                  // the catalogue says woven: nothing
		{"mudmee scarf", []string{"p01"}}, // every word must match
		{"elephant teak", []string{"p13"}},
		{"Chiang Mai", []string{"p04", "p05", "p13"}}, // province name
		{"Songkhla batik", []string{"p11"}},
	} {
		wantSet(t, ix, catalog.SearchQuery{Text: c.q}, sorted(c.want))
	}
	// Short words are not typo-tolerant: "tea" does not find "teak".
	got := matchSet(t, ix, catalog.SearchQuery{Text: "tea "})
	if slices.Contains(got, "p13") {
		t.Errorf(`"tea " (a finished word) found the teak carving: %v`, got)
	}
}

func testRanking(t *testing.T, ix catalog.SearchIndex) {
	// "mudmee" is in p01's name and tags but only in p16's description.
	res := search(t, ix, catalog.SearchQuery{Text: "mudmee"})
	if got := ids(res); len(got) != 2 || got[0] != "p01" || got[1] != "p16" {
		t.Errorf(`"mudmee" = %v, want [p01 p16]: a name match first`, got)
	}
	res = search(t, ix, catalog.SearchQuery{Text: "herbal balm"})
	if got := ids(res); len(got) == 0 || got[0] != "p09" {
		t.Errorf(`"herbal balm" = %v, want the exact name p09 first`, got)
	}
	// A word in the name outranks the same word in the tags and the
	// description of a newer product, and a word without a typo outranks
	// one with a typo, even in a name of a newer product.
	tmpl := Documents()[11]
	var extra []catalog.SearchDocument
	for i, d := range []struct{ id, name, desc string }{
		{"r1", "Lacquer Bowl", "A turned bowl."},
		{"r2", "Rattan Tray", "Rattan with a lacquer finish."},
		{"r3", "Lacquar Box", "A box for trinkets."},
	} {
		doc := tmpl
		doc.ID, doc.NameEN, doc.NameTH, doc.DescriptionEN, doc.DescriptionTH = d.id, d.name, "ถาด", d.desc, "ถาด"
		doc.Tags = nil
		if d.id == "r2" {
			doc.Tags = []string{"lacquer"}
		}
		doc.PublishedAt = base.Add(time.Duration(100+i) * time.Hour)
		extra = append(extra, doc)
	}
	load(t, ix, extra)
	if got := ids(search(t, ix, catalog.SearchQuery{Text: "lacquer"})); !slices.Equal(got, []string{"r1", "r2", "r3"}) {
		t.Errorf(`"lacquer" = %v, want [r1 r2 r3]: name, then tags and description, then a typo`, got)
	}
}

func testSynonyms(t *testing.T, ix catalog.SearchIndex) {
	// p01 and p02 say silk in both languages; the Thai word ผ้าไหม appears
	// only in Thai descriptions, and "pha mai" nowhere.
	withSilk := where(func(d catalog.SearchDocument) bool {
		all := strings.ToLower(d.NameEN + " " + d.DescriptionEN + " " + strings.Join(d.Tags, " ") + " " +
			d.NameTH + " " + d.DescriptionTH + " " + d.ProducerNameTH)
		return strings.Contains(all, "silk") || strings.Contains(all, "ผ้าไหม")
	})
	for _, q := range []string{"silk", "ผ้าไหม", "pha mai"} {
		got := matchSet(t, ix, catalog.SearchQuery{Text: q})
		if !slices.Equal(got, withSilk) {
			t.Errorf("%q = %v, want every silk product %v", q, got, withSilk)
		}
	}
	wantSet(t, ix, catalog.SearchQuery{Text: "น้ำปลา"}, []string{"p08"})
	wantSet(t, ix, catalog.SearchQuery{Text: "nam pla"}, []string{"p08"})
	wantSet(t, ix, catalog.SearchQuery{Text: "กาแฟ"}, []string{"p06"})
	wantSet(t, ix, catalog.SearchQuery{Text: "kafae"}, []string{"p06"})
}

func testCodes(t *testing.T, ix catalog.SearchIndex) {
	for q, want := range map[string][]string{
		"09012100":              {"p06"},
		"09012101":              nil, // one digit off is another product
		"69120000":              {"p05"},
		"FDA-57-1-12345-2-0001": {"p06"},
		"FDA-57-1-12345-2-0009": nil,
		"GI-52100001":           {"p07"},
	} {
		wantSet(t, ix, catalog.SearchQuery{Text: q}, sorted(want))
	}
}

func ptr[T any](v T) *T { return &v }

func testFilters(t *testing.T, ix catalog.SearchIndex) {
	type filterCase struct {
		name string
		f    catalog.SearchFilters
		keep func(catalog.SearchDocument) bool
	}
	cases := []filterCase{
		{"province", catalog.SearchFilters{Province: "TH-90"}, func(d catalog.SearchDocument) bool { return d.ProvinceCode == "TH-90" }},
		{"cluster", catalog.SearchFilters{Cluster: "upper-north-1"}, func(d catalog.SearchDocument) bool { return d.ClusterID == "upper-north-1" }},
		{"region", catalog.SearchFilters{Region: "northeast"}, func(d catalog.SearchDocument) bool { return d.Region == "northeast" }},
		{"category", catalog.SearchFilters{Category: "household"}, func(d catalog.SearchDocument) bool { return d.Category == "household" }},
		{"select center", catalog.SearchFilters{SelectCenter: "songkhla"}, func(d catalog.SearchDocument) bool { return d.SelectCenterID == "songkhla" }},
		{"creative industry", catalog.SearchFilters{CreativeIndustry: "crafts"}, func(d catalog.SearchDocument) bool { return d.CreativeIndustry == "crafts" }},
		{"topotop", catalog.SearchFilters{Topotop: ptr(true)}, func(d catalog.SearchDocument) bool { return d.Topotop }},
		{"not topotop", catalog.SearchFilters{Topotop: ptr(false)}, func(d catalog.SearchDocument) bool { return !d.Topotop }},
		{"min stars", catalog.SearchFilters{MinStars: 4}, func(d catalog.SearchDocument) bool { return d.OTOPStars >= 4 }},
		{"producer", catalog.SearchFilters{Producer: "pr-chonnabot"}, func(d catalog.SearchDocument) bool { return d.ProducerID == "pr-chonnabot" }},
		{"min price (inclusive)", catalog.SearchFilters{MinPrice: ptr[int64](150000)}, func(d catalog.SearchDocument) bool { return d.PriceMinor >= 150000 }},
		{"max price (inclusive)", catalog.SearchFilters{MaxPrice: ptr[int64](9000)}, func(d catalog.SearchDocument) bool { return d.PriceMinor <= 9000 }},
		{"price range", catalog.SearchFilters{MinPrice: ptr[int64](35000), MaxPrice: ptr[int64](65000)},
			func(d catalog.SearchDocument) bool { return d.PriceMinor >= 35000 && d.PriceMinor <= 65000 }},
		{"certification", catalog.SearchFilters{Certification: "thai_fda"}, func(d catalog.SearchDocument) bool { return slices.Contains(d.Certifications, "thai_fda") }},
		{"Bangkok has no cluster", catalog.SearchFilters{Province: "TH-10"}, func(d catalog.SearchDocument) bool { return d.ProvinceCode == "TH-10" }},
		{"all together", catalog.SearchFilters{Region: "north", Category: "household", MinStars: 4, Topotop: ptr(false),
			MaxPrice: ptr[int64](200000), CreativeIndustry: "crafts"},
			func(d catalog.SearchDocument) bool {
				return d.Region == "north" && d.Category == "household" && d.OTOPStars >= 4 && !d.Topotop &&
					d.PriceMinor <= 200000 && d.CreativeIndustry == "crafts"
			}},
		{"nothing matches", catalog.SearchFilters{Region: "south", Category: "beverage"}, func(catalog.SearchDocument) bool { return false }},
		{"unknown value", catalog.SearchFilters{Province: "TH-99"}, func(catalog.SearchDocument) bool { return false }},
	}
	for _, c := range cases {
		want := where(c.keep)
		if c.name != "nothing matches" && c.name != "unknown value" && len(want) == 0 {
			t.Fatalf("filter %s: the suite's documents give no match; the case proves nothing", c.name)
		}
		if len(want) == len(specs) {
			t.Fatalf("filter %s: every document matches; the case proves nothing", c.name)
		}
		if got := matchSet(t, ix, catalog.SearchQuery{Filters: c.f}); !slices.Equal(got, want) {
			t.Errorf("filter %s = %v, want %v", c.name, got, want)
		}
	}
	// Filters combine with text.
	wantSet(t, ix, catalog.SearchQuery{Text: "silk", Filters: catalog.SearchFilters{MinStars: 5}}, []string{"p01"})
	wantSet(t, ix, catalog.SearchQuery{Text: "cotton", Filters: catalog.SearchFilters{Region: "south"}}, []string{"p11"})
}

// facetValue spells a document's facet value as the contract says, "" when
// the document is not counted.
func facetValues(d catalog.SearchDocument, facet string) []string {
	one := func(s string) []string {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	switch facet {
	case "category":
		return one(d.Category)
	case "province_code":
		return one(d.ProvinceCode)
	case "cluster_id":
		return one(d.ClusterID)
	case "region":
		return one(d.Region)
	case "select_center_id":
		return one(d.SelectCenterID)
	case "creative_industry":
		return one(d.CreativeIndustry)
	case "otop_stars":
		if d.OTOPStars == 0 {
			return nil
		}
		return []string{strconv.Itoa(d.OTOPStars)}
	case "topotop":
		return []string{strconv.FormatBool(d.Topotop)}
	case "certifications":
		return d.Certifications
	}
	panic("unknown facet " + facet)
}

// FacetCounts counts, for each facet, the values among the documents keep
// accepts: what a correct engine reports.
func FacetCounts(docs []catalog.SearchDocument, keep func(catalog.SearchDocument) bool) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, f := range catalog.SearchFacets() {
		out[f] = map[string]int{}
		for _, d := range docs {
			if keep(d) {
				for _, v := range facetValues(d, f) {
					out[f][v]++
				}
			}
		}
	}
	return out
}

func testFacets(t *testing.T, ix catalog.SearchIndex) {
	check := func(q catalog.SearchQuery, keep func(catalog.SearchDocument) bool) {
		t.Helper()
		q.Facets = catalog.SearchFacets()
		q.PerPage = 2 // counts cover every match, not only the page
		res := search(t, ix, q)
		want := FacetCounts(Documents(), keep)
		for _, f := range catalog.SearchFacets() {
			if !maps.Equal(res.Facets[f], want[f]) {
				t.Errorf("facet %s for (text %q, filters %+v) = %v, want %v", f, q.Text, q.Filters, res.Facets[f], want[f])
			}
		}
	}
	check(catalog.SearchQuery{}, func(catalog.SearchDocument) bool { return true })
	check(catalog.SearchQuery{Filters: catalog.SearchFilters{Region: "north"}},
		func(d catalog.SearchDocument) bool { return d.Region == "north" })
	check(catalog.SearchQuery{Text: "silk"}, func(d catalog.SearchDocument) bool {
		return slices.Contains([]string{"p01", "p02", "p16"}, d.ID)
	})
	// Only the facets asked for.
	res := search(t, ix, catalog.SearchQuery{Facets: []string{"region"}})
	if len(res.Facets) != 1 || res.Facets["region"]["south"] != 5 {
		t.Errorf("facets=region = %v, want only region with south: 5", res.Facets)
	}
}

// ordered returns every document's id in the order sort gives (ties by id).
func ordered(sort string) []string {
	docs := Documents()
	slices.SortFunc(docs, func(a, b catalog.SearchDocument) int {
		var c int
		switch sort {
		case catalog.SearchSortNewest:
			c = b.PublishedAt.Compare(a.PublishedAt)
		case catalog.SearchSortPriceAsc:
			c = cmp.Compare(a.PriceMinor, b.PriceMinor)
		case catalog.SearchSortPriceDesc:
			c = cmp.Compare(b.PriceMinor, a.PriceMinor)
		case catalog.SearchSortName:
			c = strings.Compare(strings.ToLower(a.NameEN), strings.ToLower(b.NameEN))
		default:
			panic("no order for " + sort)
		}
		return cmp.Or(c, strings.Compare(a.ID, b.ID))
	})
	out := make([]string, 0, len(docs))
	for _, d := range docs {
		out = append(out, d.ID)
	}
	return out
}

func testSorts(t *testing.T, ix catalog.SearchIndex) {
	for _, s := range []string{catalog.SearchSortNewest, catalog.SearchSortPriceAsc, catalog.SearchSortPriceDesc, catalog.SearchSortName} {
		want := ordered(s)
		if got := ids(search(t, ix, catalog.SearchQuery{Sort: s})); !slices.Equal(got, want) {
			t.Errorf("sort %s = %v, want %v", s, got, want)
		}
		// A sort applies to text matches too.
		var wantText []string
		for _, id := range want {
			if slices.Contains([]string{"p03", "p11", "p16"}, id) {
				wantText = append(wantText, id)
			}
		}
		if got := ids(search(t, ix, catalog.SearchQuery{Text: "cotton", Sort: s})); !slices.Equal(got, wantText) {
			t.Errorf("cotton sorted by %s = %v, want %v", s, got, wantText)
		}
	}
	// Relevance without text is newest first.
	if got := ids(search(t, ix, catalog.SearchQuery{Sort: catalog.SearchSortRelevance})); !slices.Equal(got, ordered(catalog.SearchSortNewest)) {
		t.Errorf("relevance without text = %v, want newest first", got)
	}
	if _, err := ix.Search(context.Background(), catalog.SearchQuery{Sort: "price; DROP"}); err == nil {
		t.Error("an unknown sort was accepted")
	}
}

func testPagination(t *testing.T, ix catalog.SearchIndex) {
	want := ordered(catalog.SearchSortPriceAsc)
	var got []string
	for page := 1; ; page++ {
		res := search(t, ix, catalog.SearchQuery{Sort: catalog.SearchSortPriceAsc, Page: page, PerPage: 5})
		if res.Total != len(want) || res.Page != page || res.PerPage != 5 {
			t.Fatalf("page %d: total %d page %d per_page %d, want %d %d 5", page, res.Total, res.Page, res.PerPage, len(want), page)
		}
		if len(res.Hits) == 0 {
			break
		}
		if len(res.Hits) > 5 {
			t.Fatalf("page %d has %d hits, more than per_page 5", page, len(res.Hits))
		}
		got = append(got, ids(res)...)
		if page > 10 {
			t.Fatal("pagination does not end")
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages joined = %v, want %v", got, want)
	}
	// A page far beyond the end is empty and still counts every match.
	res := search(t, ix, catalog.SearchQuery{Page: 500, PerPage: 20})
	if len(res.Hits) != 0 || res.Total != len(want) {
		t.Errorf("page 500: %d hits, total %d; want none of %d", len(res.Hits), res.Total, len(want))
	}
	// Text matches paginate the same way.
	first := search(t, ix, catalog.SearchQuery{Text: "cotton", Page: 1, PerPage: 2, Sort: catalog.SearchSortName})
	second := search(t, ix, catalog.SearchQuery{Text: "cotton", Page: 2, PerPage: 2, Sort: catalog.SearchSortName})
	if first.Total != 3 || second.Total != 3 || len(first.Hits) != 2 || len(second.Hits) != 1 {
		t.Errorf("cotton pages: %v (total %d), %v (total %d); want 2 + 1 of 3", ids(first), first.Total, ids(second), second.Total)
	}
	for _, sort := range []string{catalog.SearchSortRelevance, catalog.SearchSortPriceAsc} {
		beyond := search(t, ix, catalog.SearchQuery{Text: "cotton", Page: 3, PerPage: 2, Sort: sort})
		if beyond.Total != 3 || len(beyond.Hits) != 0 {
			t.Errorf("cotton page 3 by %s: %v (total %d); want none of 3", sort, ids(beyond), beyond.Total)
		}
	}
}

func testDeleteAndUpsert(t *testing.T, ix catalog.SearchIndex) {
	ctx := context.Background()
	if err := ix.Delete(ctx, []string{"p04", "never-indexed"}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	wantSet(t, ix, catalog.SearchQuery{Text: "umbrella"}, nil)
	if got := search(t, ix, catalog.SearchQuery{}).Total; got != len(specs)-1 {
		t.Errorf("after a delete, total = %d, want %d", got, len(specs)-1)
	}
	// Deleting again is not an error.
	if err := ix.Delete(ctx, []string{"p04"}); err != nil {
		t.Errorf("second Delete: %v", err)
	}
	// An upsert replaces the whole document: the old name is gone.
	d := Documents()[4] // p05, the celadon cup
	d.NameEN, d.NameTH, d.DescriptionEN, d.DescriptionTH = "Stoneware Bowl", "ชามสโตนแวร์", "A plain bowl.", "ชามเรียบ"
	d.Tags, d.PriceMinor, d.Region, d.ProvinceCode = []string{"bowl"}, 77700, "central", "TH-10"
	d.ProducerNameEN, d.ProducerNameTH = "Bangkok Stoneware", "สโตนแวร์กรุงเทพ"
	load(t, ix, []catalog.SearchDocument{d})
	wantSet(t, ix, catalog.SearchQuery{Text: "celadon"}, nil)
	wantSet(t, ix, catalog.SearchQuery{Text: "ศิลาดล"}, nil)
	wantSet(t, ix, catalog.SearchQuery{Text: "stoneware"}, []string{"p05"})
	wantSet(t, ix, catalog.SearchQuery{Filters: catalog.SearchFilters{Province: "TH-10"}}, []string{"p05", "p12", "p18"})
	res := search(t, ix, catalog.SearchQuery{Facets: []string{"region"}})
	// North had five products: p04 is deleted and p05 moved to Bangkok.
	if res.Facets["region"]["north"] != 3 || res.Facets["region"]["central"] != 3 {
		t.Errorf("region facet after the move = %v, want north 3, central 3", res.Facets["region"])
	}
	// Upserting the same document twice keeps one.
	load(t, ix, []catalog.SearchDocument{d, d})
	if got := search(t, ix, catalog.SearchQuery{}).Total; got != len(specs)-1 {
		t.Errorf("after re-upserts, total = %d, want %d", got, len(specs)-1)
	}
}

// hostile are query strings and filter values that break naive engines.
func hostile() []string {
	return []string{
		`"`, `""`, `\`, `\\`, `'`, `silk"`, `"silk`, `silk\`, `silk" OR "1"="1`, `silk OR cotton`,
		`(silk) OR (cotton)`, `silk AND NOT cotton`, `*`, `?`, `silk*`, `+silk -cotton`, `name_en:silk`,
		`category = textile`, `province_code = "TH-40" OR region = "south"`, `) OR (`, `~`, `^2`,
		`{"$ne": null}`, "🧵", "🧵 silk 🧣", "ผ้าไหม🧵", "\x00", "silk\x00cotton", "\u202e", "<script>alert(1)</script>",
		strings.Repeat("silk ", 300), strings.Repeat("ก", 5000), strings.Repeat("a", 5000),
		strings.Repeat("(", 200), strings.Repeat(`\"`, 500),
	}
}

func testHostileQueries(t *testing.T, ix catalog.SearchIndex) {
	all := len(specs)
	for _, q := range hostile() {
		res, err := ix.Search(context.Background(), catalog.SearchQuery{Text: q, PerPage: 100,
			Facets: []string{"category"}, Lang: "en"})
		if err != nil {
			t.Errorf("Search(%.40q): %v", q, err)
			continue
		}
		// No query syntax gets through: a query with a letter or a digit
		// never matches everything (one with neither is an empty query).
		if res.Total == all && strings.IndexFunc(q, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			t.Errorf("Search(%.40q) matched the whole catalogue", q)
		}
		if _, err := ix.Suggest(context.Background(), q, 10); err != nil {
			t.Errorf("Suggest(%.40q): %v", q, err)
		}
	}
	// Quoted words still search as words.
	if got := matchSet(t, ix, catalog.SearchQuery{Text: `"celadon"`}); !slices.Equal(got, []string{"p05"}) {
		t.Errorf(`"celadon" in quotes = %v, want [p05]`, got)
	}
}

func testHostileFilters(t *testing.T, ix catalog.SearchIndex) {
	for _, v := range append(hostile(),
		`TH-40" OR province_code = "TH-90`, `TH-40\" OR province_code = \"TH-90`,
		`x" OR (province_code EXISTS) OR "`, `TH-40') OR (1 = 1`, `TH-40\`, `TH-40 OR 1=1`, `TH-4*`, `TH-40*`,
	) {
		for _, f := range []catalog.SearchFilters{
			{Province: v}, {Cluster: v}, {Region: v}, {Category: v}, {SelectCenter: v},
			{CreativeIndustry: v}, {Producer: v}, {Certification: v},
		} {
			res, err := ix.Search(context.Background(), catalog.SearchQuery{Filters: f, PerPage: 100})
			if err != nil {
				// Refusing a value is fine; widening is not.
				continue
			}
			if res.Total != 0 {
				t.Errorf("filter %+v matched %v, want nothing", f, ids(res))
			}
		}
	}
	// And a hostile value next to a real one narrows, never widens.
	res := search(t, ix, catalog.SearchQuery{Filters: catalog.SearchFilters{Province: "TH-40", Category: `textile" OR category = "food`}})
	if res.Total != 0 {
		t.Errorf("hostile category next to a province matched %v", ids(res))
	}
}

func testHighlights(t *testing.T, ix catalog.SearchIndex) {
	d := Documents()[9] // p10
	d.NameEN = "Krajood <b>Basket</b> & Bag"
	load(t, ix, []catalog.SearchDocument{d})

	res := search(t, ix, catalog.SearchQuery{Text: "krajood", Lang: "en"})
	if len(res.Hits) != 1 {
		t.Fatalf(`"krajood" = %v, want [p10]`, ids(res))
	}
	if got, want := res.Hits[0].Highlights["name_en"], "<em>Krajood</em> &lt;b&gt;Basket&lt;/b&gt; &amp; Bag"; got != want {
		t.Errorf("name_en highlight = %q, want %q", got, want)
	}
	if got := res.Hits[0].Document.NameEN; got != d.NameEN {
		t.Errorf("the document's name = %q, want it unescaped %q", got, d.NameEN)
	}
	// Thai highlighting with lang=th.
	res = search(t, ix, catalog.SearchQuery{Text: "ศิลาดล", Lang: "th"})
	if len(res.Hits) != 1 {
		t.Fatalf(`"ศิลาดล" = %v, want [p05]`, ids(res))
	}
	if got, want := res.Hits[0].Highlights["name_th"], "ถ้วยชา<em>ศิลาดล</em>"; got != want {
		t.Errorf("name_th highlight = %q, want %q", got, want)
	}
	if got := res.Hits[0].Highlights["description_th"]; !strings.Contains(got, "<em>ศิลาดล</em>") {
		t.Errorf("description_th highlight = %q, want the match wrapped", got)
	}
	// Descriptions are highlighted too.
	res = search(t, ix, catalog.SearchQuery{Text: "loom", Lang: "en"})
	if len(res.Hits) != 1 || !strings.Contains(res.Hits[0].Highlights["description_en"], "<em>loom</em>") {
		t.Errorf(`"loom" highlights = %+v, want description_en with <em>loom</em>`, res.Hits)
	}
	// No text, no highlights.
	for _, h := range search(t, ix, catalog.SearchQuery{PerPage: 3}).Hits {
		for f, s := range h.Highlights {
			if strings.Contains(s, "<em>") {
				t.Errorf("empty query highlighted %s of %s: %q", f, h.Document.ID, s)
			}
		}
	}
}

func testSuggest(t *testing.T, ix catalog.SearchIndex) {
	ctx := context.Background()
	for prefix, want := range map[string][]string{
		"bo s":    {"Bo Sang Paper Umbrella"},
		"celad":   {"Celadon Tea Cup"},
		"ศิลาด":   {"ถ้วยชาศิลาดล"},
		"ข้าวหอม": {"ข้าวหอมมะลิทุ่งกุลา"},
		"zzzq":    {},
		"":        {},
	} {
		got, err := ix.Suggest(ctx, prefix, 10)
		if err != nil {
			t.Errorf("Suggest(%q): %v", prefix, err)
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("Suggest(%q) = %q, want %q", prefix, got, want)
		}
	}
	got, err := ix.Suggest(ctx, "s", 10)
	if err != nil {
		t.Fatalf(`Suggest("s"): %v`, err)
	}
	for _, name := range got {
		if !strings.Contains(strings.ToLower(name), "s") {
			t.Errorf(`Suggest("s") gave %q`, name)
		}
	}
	// Limits are honoured, completions are distinct.
	for _, limit := range []int{1, 2} {
		got, err := ix.Suggest(ctx, "ผ้า", limit)
		if err != nil || len(got) != limit {
			t.Errorf("Suggest(ผ้า, %d) = %q, %v; want %d names", limit, got, err, limit)
		}
	}
	d1, d2 := Documents()[0], Documents()[1]
	d2.NameEN = d1.NameEN
	load(t, ix, []catalog.SearchDocument{d2})
	got, err = ix.Suggest(ctx, "mudm", 10)
	if err != nil || !slices.Equal(got, []string{"Mudmee Silk Scarf"}) {
		t.Errorf(`Suggest("mudm") with two products of that name = %q, %v; want it once`, got, err)
	}
}

// testEndedContexts: a search or suggestion whose caller has gone (or
// whose deadline has passed) fails with the context's error, which the
// API answers as the client's doing, not the engine's.
func testEndedContexts(t *testing.T, ix catalog.SearchIndex) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, c := range []struct {
		ctx  context.Context
		want error
	}{{canceled, context.Canceled}, {expired, context.DeadlineExceeded}} {
		if _, err := ix.Search(c.ctx, catalog.SearchQuery{Text: "silk"}); !errors.Is(err, c.want) {
			t.Errorf("Search with an ended context: %v, want %v", err, c.want)
		}
		if _, err := ix.Search(c.ctx, catalog.SearchQuery{}); !errors.Is(err, c.want) {
			t.Errorf("Search without text with an ended context: %v, want %v", err, c.want)
		}
		if _, err := ix.Suggest(c.ctx, "sil", 10); !errors.Is(err, c.want) {
			t.Errorf("Suggest with an ended context: %v, want %v", err, c.want)
		}
	}
}

func testRebuild(t *testing.T, ix catalog.SearchIndex) {
	ctx := context.Background()
	docs := Documents()
	// The rebuild drops p01 and renames p02; a search during the fill still
	// answers from the live index.
	err := ix.Rebuild(ctx, func(add func([]catalog.SearchDocument) error) error {
		for i, d := range docs[1:] {
			if i == 0 {
				d.NameEN = "Renamed Shawl"
			}
			if err := add([]catalog.SearchDocument{d}); err != nil {
				return err
			}
			if i == 5 {
				if got := matchSet(t, ix, catalog.SearchQuery{Text: "scarf"}); !slices.Equal(got, []string{"p01"}) {
					t.Errorf("during the rebuild, the live index answers %v, want [p01]", got)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if got := search(t, ix, catalog.SearchQuery{}).Total; got != len(docs)-1 {
		t.Errorf("after Rebuild total = %d, want %d", got, len(docs)-1)
	}
	wantSet(t, ix, catalog.SearchQuery{Text: "scarf"}, nil)
	wantSet(t, ix, catalog.SearchQuery{Text: "renamed"}, []string{"p02"})
	// Facets, filters, sorts and writes work on the new index.
	res := search(t, ix, catalog.SearchQuery{Facets: catalog.SearchFacets(), Sort: catalog.SearchSortPriceDesc,
		Filters: catalog.SearchFilters{Region: "northeast"}})
	if res.Total != 5 || res.Facets["province_code"]["TH-40"] != 2 {
		t.Errorf("northeast after Rebuild: total %d, provinces %v; want 5 with TH-40: 2", res.Total, res.Facets["province_code"])
	}
	load(t, ix, []catalog.SearchDocument{docs[0]})
	wantSet(t, ix, catalog.SearchQuery{Text: "scarf"}, []string{"p01"})

	// A failed rebuild leaves the live index as it was.
	boom := errors.New("database went away")
	err = ix.Rebuild(ctx, func(add func([]catalog.SearchDocument) error) error {
		if err := add(docs[:3]); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failed Rebuild = %v, want it to wrap %v", err, boom)
	}
	if got := search(t, ix, catalog.SearchQuery{}).Total; got != len(docs) {
		t.Errorf("after a failed Rebuild total = %d, want the live %d", got, len(docs))
	}
	wantSet(t, ix, catalog.SearchQuery{Text: "renamed"}, []string{"p02"})

	// An empty rebuild empties the index.
	if err := ix.Rebuild(ctx, func(func([]catalog.SearchDocument) error) error { return nil }); err != nil {
		t.Fatalf("empty Rebuild: %v", err)
	}
	if got := search(t, ix, catalog.SearchQuery{}).Total; got != 0 {
		t.Errorf("after an empty Rebuild total = %d, want 0", got)
	}
}
