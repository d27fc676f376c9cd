package meili_test

// These tests need a running Meilisearch: they run when MEILI_URL points at
// one (with MEILI_API_KEY when it has a master key) and skip, saying why,
// otherwise — also under CI=true, since no Meilisearch exists in CI. Each
// test works in its own index named test_<random>, deleted afterwards.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/search/meili"
	"github.com/otopmarket/otop/search/searchtest"
)

func meiliURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("MEILI_URL")
	if u == "" {
		t.Skip("MEILI_URL is not set: the Meilisearch adapter's tests need a running Meilisearch (make test does not start one)")
	}
	return u
}

// rawClient is a plain SDK client for inspecting and cleaning up indexes.
func rawClient(t *testing.T) meilisearch.ServiceManager {
	t.Helper()
	var opts []meilisearch.Option
	if k := os.Getenv("MEILI_API_KEY"); k != "" {
		opts = append(opts, meilisearch.WithAPIKey(k))
	}
	return meilisearch.New(meiliURL(t), opts...)
}

func randomUID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "test_" + hex.EncodeToString(b)
}

func config(t *testing.T, uid string) meili.Config {
	return meili.Config{
		URL:         meiliURL(t),
		APIKey:      os.Getenv("MEILI_API_KEY"),
		IndexUID:    uid,
		TaskTimeout: time.Minute,
	}
}

// newIndex creates a uniquely named index and deletes it, and any index a
// Rebuild left behind under its name, when the test ends.
func newIndex(t *testing.T) *meili.Index {
	t.Helper()
	uid := randomUID()
	cli := rawClient(t)
	t.Cleanup(func() { dropIndexes(t, cli, uid) })
	ix, err := meili.New(context.Background(), config(t, uid))
	if err != nil {
		t.Fatalf("meili.New: %v", err)
	}
	return ix
}

func dropIndexes(t *testing.T, cli meilisearch.ServiceManager, uid string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, name := range indexesNamed(t, cli, uid) {
		info, err := cli.DeleteIndexWithContext(ctx, name)
		if err != nil {
			t.Errorf("cleanup: delete index %s: %v", name, err)
			continue
		}
		if _, err := cli.WaitForTaskWithContext(ctx, info.TaskUID, 50*time.Millisecond); err != nil {
			t.Errorf("cleanup: wait for deletion of %s: %v", name, err)
		}
	}
}

// indexesNamed lists the indexes named uid or uid_rebuild_*.
func indexesNamed(t *testing.T, cli meilisearch.ServiceManager, uid string) []string {
	t.Helper()
	res, err := cli.ListIndexesWithContext(context.Background(), &meilisearch.IndexesQuery{Limit: 1000})
	if err != nil {
		t.Fatalf("list indexes: %v", err)
	}
	var out []string
	for _, r := range res.Results {
		if r.UID == uid || strings.HasPrefix(r.UID, uid+"_rebuild_") {
			out = append(out, r.UID)
		}
	}
	return out
}

func TestConformance(t *testing.T) {
	meiliURL(t)
	searchtest.Run(t, func(t *testing.T) catalog.SearchIndex { return newIndex(t) })
}

func TestSettingsAreAppliedIdempotently(t *testing.T) {
	ctx := context.Background()
	ix := newIndex(t)
	// A second start on the same index and an explicit re-apply must both
	// succeed and leave the same settings.
	again, err := meili.New(ctx, config(t, ix.UID()))
	if err != nil {
		t.Fatalf("second meili.New on the same index: %v", err)
	}
	if err := again.EnsureSettings(ctx); err != nil {
		t.Fatalf("EnsureSettings again: %v", err)
	}
	s, err := rawClient(t).Index(ix.UID()).GetSettingsWithContext(ctx)
	if err != nil {
		t.Fatalf("GetSettings: %v", err)
	}
	wantSearchable := []string{"name_en", "name_th", "tags", "producer_name_en", "producer_name_th",
		"province_name_en", "province_name_th", "description_en", "description_th", "hs_code", "certificate_numbers"}
	if !slices.Equal(s.SearchableAttributes, wantSearchable) {
		t.Errorf("searchableAttributes = %v, want %v", s.SearchableAttributes, wantSearchable)
	}
	for _, f := range catalog.SearchFacets() {
		if !slices.Contains(s.FilterableAttributes, f) {
			t.Errorf("filterableAttributes %v lack facet %q", s.FilterableAttributes, f)
		}
	}
	for _, f := range []string{"producer_id", "price_minor"} {
		if !slices.Contains(s.FilterableAttributes, f) {
			t.Errorf("filterableAttributes %v lack %q", s.FilterableAttributes, f)
		}
	}
	for _, f := range []string{"published_at_unix_ms", "price_minor", "name_en", "id"} {
		if !slices.Contains(s.SortableAttributes, f) {
			t.Errorf("sortableAttributes %v lack %q", s.SortableAttributes, f)
		}
	}
	if s.TypoTolerance == nil || !s.TypoTolerance.Enabled ||
		!slices.Contains(s.TypoTolerance.DisableOnAttributes, "hs_code") ||
		!slices.Contains(s.TypoTolerance.DisableOnAttributes, "certificate_numbers") {
		t.Errorf("typoTolerance = %+v, want enabled but off on hs_code and certificate_numbers", s.TypoTolerance)
	}
	if s.Pagination == nil || s.Pagination.MaxTotalHits != meili.DefaultMaxTotalHits {
		t.Errorf("pagination = %+v, want maxTotalHits %d", s.Pagination, meili.DefaultMaxTotalHits)
	}
	if !slices.Contains(s.Synonyms["pha mai"], "silk") || !slices.Contains(s.Synonyms["silk"], "ผ้าไหม") {
		t.Errorf("synonyms lack the silk group: pha mai → %v, silk → %v", s.Synonyms["pha mai"], s.Synonyms["silk"])
	}
	thai := false
	for _, la := range s.LocalizedAttributes {
		if slices.Contains(la.Locales, "tha") && slices.Contains(la.AttributePatterns, "*_th") {
			thai = true
		}
	}
	if !thai {
		t.Errorf("localizedAttributes = %+v, want tha on *_th", s.LocalizedAttributes)
	}
}

func doc(id string, edit func(*catalog.SearchDocument)) catalog.SearchDocument {
	d := catalog.SearchDocument{
		ID: id, NameEN: "Product " + id, NameTH: "สินค้า", Category: "textiles",
		ProvinceCode: "TH-40", ProvinceNameEN: "Khon Kaen", ProvinceNameTH: "ขอนแก่น",
		ClusterID: "ne-1", Region: "northeast", SelectCenterID: "sc-ne", OTOPStars: 4,
		PriceMinor: 50000, Currency: "THB",
		PublishedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		CreatedAt:   time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	if edit != nil {
		edit(&d)
	}
	return d
}

func ids(t *testing.T, ix *meili.Index, q catalog.SearchQuery) []string {
	t.Helper()
	res, err := ix.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	out := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, h.Document.ID)
	}
	slices.Sort(out)
	return out
}

func TestSynonymsFindSilkInEveryLanguage(t *testing.T) {
	ctx := context.Background()
	ix := newIndex(t)
	err := ix.Upsert(ctx, []catalog.SearchDocument{
		doc("silk-th", func(d *catalog.SearchDocument) {
			d.NameEN = "Handwoven scarf"
			d.NameTH = "ผ้าไหมทอมือ"
		}),
		doc("silk-en", func(d *catalog.SearchDocument) { d.NameEN = "Silk scarf"; d.NameTH = "ผ้าพันคอ" }),
		doc("cotton", func(d *catalog.SearchDocument) {
			d.NameEN = "Cotton shirt"
			d.NameTH = "เสื้อผ้าฝ้าย"
		}),
	})
	if err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	for _, q := range []string{"pha mai", "silk", "ผ้าไหม"} {
		got := ids(t, ix, catalog.SearchQuery{Text: q})
		if !slices.Equal(got, []string{"silk-en", "silk-th"}) {
			t.Errorf("search %q = %v, want [silk-en silk-th]", q, got)
		}
	}
}

func TestCodesAreMatchedWithoutTypos(t *testing.T) {
	ctx := context.Background()
	ix := newIndex(t)
	if err := ix.Upsert(ctx, []catalog.SearchDocument{doc("hs", func(d *catalog.SearchDocument) {
		d.HSCode = "62143000"
		d.CertificateNumbers = []string{"FDA1234567"}
	})}); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	for q, want := range map[string]int{"62143000": 1, "62143001": 0, "FDA1234567": 1, "FDA1234568": 0} {
		if got := len(ids(t, ix, catalog.SearchQuery{Text: q})); got != want {
			t.Errorf("search %q: %d hits, want %d", q, got, want)
		}
	}
}

func TestFilterValuesCannotWidenTheResults(t *testing.T) {
	ctx := context.Background()
	ix := newIndex(t)
	if err := ix.Upsert(ctx, []catalog.SearchDocument{
		doc("a", func(d *catalog.SearchDocument) { d.ProvinceCode = "TH-40" }),
		doc("b", func(d *catalog.SearchDocument) { d.ProvinceCode = "TH-50" }),
	}); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	for _, v := range []string{
		`TH-40" OR province_code = "TH-50`,
		`TH-40\" OR province_code = \"TH-50`,
		`x" OR (province_code EXISTS) OR "`,
		`TH-40') OR (1 = 1`,
		`\`, `\\`, `"`, `TH-40\`,
		"🧵 ผ้าไหม", strings.Repeat("ก", 5000),
	} {
		got := ids(t, ix, catalog.SearchQuery{Filters: catalog.SearchFilters{Province: v}})
		if len(got) != 0 {
			t.Errorf("province %q matched %v, want nothing", v, got)
		}
	}
	if got := ids(t, ix, catalog.SearchQuery{Filters: catalog.SearchFilters{Province: "TH-40"}}); !slices.Equal(got, []string{"a"}) {
		t.Errorf("province TH-40 = %v, want [a]", got)
	}
}

func TestHighlightsEscapeTheText(t *testing.T) {
	ctx := context.Background()
	ix := newIndex(t)
	if err := ix.Upsert(ctx, []catalog.SearchDocument{doc("h", func(d *catalog.SearchDocument) {
		d.NameEN = "Silk <b>scarf</b> & shawl"
	})}); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	res, err := ix.Search(ctx, catalog.SearchQuery{Text: "silk", Lang: "en"})
	if err != nil || len(res.Hits) != 1 {
		t.Fatalf("Search = %+v, %v", res, err)
	}
	if got, want := res.Hits[0].Highlights["name_en"], "<em>Silk</em> &lt;b&gt;scarf&lt;/b&gt; &amp; shawl"; got != want {
		t.Errorf("highlight = %q, want %q", got, want)
	}
}

func TestSuggestInTheLanguageOfThePrefix(t *testing.T) {
	ctx := context.Background()
	ix := newIndex(t)
	if err := ix.Upsert(ctx, []catalog.SearchDocument{
		doc("1", func(d *catalog.SearchDocument) {
			d.NameEN = "Silk scarf"
			d.NameTH = "ผ้าไหมมัดหมี่"
		}),
		doc("2", func(d *catalog.SearchDocument) {
			d.NameEN = "Silk scarf"
			d.NameTH = "ผ้าไหมแพรวา"
		}),
	}); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	en, err := ix.Suggest(ctx, "sil", 10)
	if err != nil || !slices.Equal(en, []string{"Silk scarf"}) {
		t.Errorf(`Suggest("sil") = %v, %v; want [Silk scarf]`, en, err)
	}
	th, err := ix.Suggest(ctx, "ผ้าไหม", 10)
	if err != nil || len(th) != 2 {
		t.Errorf(`Suggest("ผ้าไหม") = %v, %v; want both Thai names`, th, err)
	}
}

func TestRebuildSwapsAndAFailedRebuildLeavesTheLiveIndex(t *testing.T) {
	ctx := context.Background()
	ix := newIndex(t)
	cli := rawClient(t)
	if err := ix.Upsert(ctx, []catalog.SearchDocument{doc("old", nil)}); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
	err := ix.Rebuild(ctx, func(add func([]catalog.SearchDocument) error) error {
		for _, id := range []string{"n1", "n2", "n3"} {
			if err := add([]catalog.SearchDocument{doc(id, nil)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Rebuild: %v", err)
	}
	if got := ids(t, ix, catalog.SearchQuery{}); !slices.Equal(got, []string{"n1", "n2", "n3"}) {
		t.Errorf("after Rebuild: %v, want [n1 n2 n3]", got)
	}
	if left := indexesNamed(t, cli, ix.UID()); !slices.Equal(left, []string{ix.UID()}) {
		t.Errorf("indexes after Rebuild = %v, want only %s", left, ix.UID())
	}
	// The swapped-in index has the settings.
	s, err := cli.Index(ix.UID()).GetSettingsWithContext(ctx)
	if err != nil {
		t.Fatalf("GetSettings: %v", err)
	}
	if !slices.Contains(s.Synonyms["pha mai"], "silk") || !slices.Contains(s.FilterableAttributes, "province_code") {
		t.Errorf("settings after Rebuild lack synonyms or filterable attributes: %+v", s)
	}
	if _, err := ix.Search(ctx, catalog.SearchQuery{Facets: catalog.SearchFacets(), Sort: catalog.SearchSortPriceAsc}); err != nil {
		t.Errorf("facets and sort after Rebuild: %v", err)
	}

	boom := errors.New("database went away")
	err = ix.Rebuild(ctx, func(add func([]catalog.SearchDocument) error) error {
		if err := add([]catalog.SearchDocument{doc("partial", nil)}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failed Rebuild = %v, want it to wrap %v", err, boom)
	}
	if got := ids(t, ix, catalog.SearchQuery{}); !slices.Equal(got, []string{"n1", "n2", "n3"}) {
		t.Errorf("after a failed Rebuild: %v, want the live [n1 n2 n3]", got)
	}
	if left := indexesNamed(t, cli, ix.UID()); !slices.Equal(left, []string{ix.UID()}) {
		t.Errorf("indexes after a failed Rebuild = %v, want only %s", left, ix.UID())
	}
}

func TestWriteFailuresAreSurfaced(t *testing.T) {
	ctx := context.Background()
	ix := newIndex(t)
	// "a b" is not a valid document id: the task fails, and Upsert says so.
	err := ix.Upsert(ctx, []catalog.SearchDocument{doc("a b", nil)})
	var te *meili.TaskError
	if !errors.As(err, &te) || te.Status != "failed" || te.Code == "" {
		t.Fatalf("Upsert of an invalid id = %v, want a failed *TaskError", err)
	}
	if err := ix.Delete(ctx, []string{"never-indexed"}); err != nil {
		t.Errorf("Delete of an unknown id: %v", err)
	}
	if err := ix.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestPingFailsWithoutTheIndex(t *testing.T) {
	ctx := context.Background()
	ix := newIndex(t)
	dropIndexes(t, rawClient(t), ix.UID())
	if err := ix.Ping(ctx); err == nil {
		t.Error("Ping with the index deleted = nil, want an error")
	}
}
