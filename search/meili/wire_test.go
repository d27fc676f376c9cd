package meili

// Wire tests: the adapter's real code, through meilisearch-go, against a
// replay of what Meilisearch v1.11.3 answers (replay_test.go and
// testdata/v1.11.3, whose answers come from Meilisearch's own
// integration-test snapshots). They assert what the adapter sends, exactly,
// and what it makes of the answers. Meilisearch's behaviour itself (ranking,
// typos, synonyms, Thai segmentation) is out of their reach: meili_test.go
// runs the conformance suite against a real server when MEILI_URL is set.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/otopmarket/otop/internal/catalog"
)

// mudmee and indigo are the catalogue documents of the scenes
// (upsert.json, search_filtered.json).
func mudmee() catalog.SearchDocument {
	return catalog.SearchDocument{
		ID:     "7d2c1f0e-5b8a-4c3e-9f1a-2b6d8e4c0a11",
		NameTH: "ผ้าไหมมัดหมี่ขอนแก่น", NameEN: "Khon Kaen mudmee silk scarf",
		DescriptionTH:  "ผ้าไหมมัดหมี่ทอมือจากอำเภอชนบท",
		DescriptionEN:  "Hand-woven <b>mudmee</b> silk from Chonnabot & its weavers' group.",
		Tags:           []string{"silk", "mudmee"},
		ProducerID:     "0b5c0e1e-8f3a-4a8e-9a53-1c1e5c7d2b10",
		ProducerNameTH: "กลุ่มทอผ้าไหมบ้านหัวฝาย", ProducerNameEN: "Ban Hua Fai Silk Weavers",
		Category: "textiles", CreativeIndustry: "crafts",
		ProvinceCode: "TH-40", ProvinceNameTH: "ขอนแก่น", ProvinceNameEN: "Khon Kaen",
		ClusterID: "ne-1", Region: "northeast", SelectCenterID: "sc-ne",
		OTOPStars: 5, Topotop: true, PriceMinor: 120000, Currency: "THB",
		Certifications: []string{"otop-standard"}, CertificateNumbers: []string{"MOC-2567-0412"},
		HSCode: "62143000", ImageURL: "https://img.example/7d2c/cover-320.webp",
		PublishedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		CreatedAt:   time.Date(2024, 12, 30, 10, 0, 0, 0, time.UTC),
	}
}

func indigo() catalog.SearchDocument {
	return catalog.SearchDocument{
		ID:     "c41e9a77-2f0d-4e55-8b3c-6a9d1f2e7b30",
		NameTH: "ผ้าพันคอไหมย้อมคราม", NameEN: "Indigo silk scarf",
		DescriptionEN:  "Indigo-dyed silk scarf, 180 × 45 cm.",
		Tags:           []string{"silk", "indigo"},
		ProducerID:     "5e8f3a2b-1c4d-4f6e-8a9b-0c1d2e3f4a5b",
		ProducerNameTH: "วิสาหกิจชุมชนผ้าครามบ้านดอนกอย", ProducerNameEN: "Ban Don Koi Indigo Cloth",
		Category:     "textiles",
		ProvinceCode: "TH-40", ProvinceNameTH: "ขอนแก่น", ProvinceNameEN: "Khon Kaen",
		ClusterID: "ne-1", Region: "northeast", SelectCenterID: "sc-ne",
		OTOPStars: 4, Topotop: true, PriceMinor: 89000, Currency: "THB",
		Certifications: []string{"otop-standard"}, CertificateNumbers: []string{},
		HSCode:      "62143000",
		PublishedAt: time.Date(2025, 2, 14, 8, 30, 0, 250_000_000, time.UTC),
		CreatedAt:   time.Date(2025, 2, 10, 7, 0, 0, 0, time.UTC),
	}
}

// newWireIndex replays the scenes and opens the adapter on them.
func newWireIndex(t *testing.T, scenes ...string) (*Index, *replayServer) {
	t.Helper()
	r, url := newReplay(t, "", scenes...)
	ix, err := New(context.Background(), Config{URL: url, TaskTimeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return ix, r
}

// wantSettings checks a settings body the adapter sent: the whole
// configuration in one PATCH, spelled out here so that a change of
// settings.go or of the SDK's encoding shows up.
func wantSettings(t *testing.T, body []byte) {
	t.Helper()
	want := `{
		"rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"],
		"searchableAttributes": ["name_en", "name_th", "tags", "producer_name_en", "producer_name_th",
			"province_name_en", "province_name_th", "description_en", "description_th", "hs_code", "certificate_numbers"],
		"filterableAttributes": ["category", "province_code", "cluster_id", "region", "select_center_id",
			"creative_industry", "topotop", "otop_stars", "producer_id", "price_minor", "certifications"],
		"sortableAttributes": ["published_at_unix_ms", "price_minor", "name_en", "id"],
		"localizedAttributes": [
			{"attributePatterns": ["*_th"], "locales": ["tha"]},
			{"attributePatterns": ["*_en"], "locales": ["eng"]}
		],
		"typoTolerance": {
			"enabled": true,
			"minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
			"disableOnWords": [],
			"disableOnAttributes": ["hs_code", "certificate_numbers"]
		},
		"pagination": {"maxTotalHits": 10000},
		"faceting": {"maxValuesPerFacet": 1000, "sortFacetValuesBy": {"*": "alpha"}}
	}`
	var got map[string]json.RawMessage
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("settings body: %v", err)
	}
	var syn map[string][]string
	if err := json.Unmarshal(got["synonyms"], &syn); err != nil {
		t.Fatalf("settings synonyms %s: %v", got["synonyms"], err)
	}
	delete(got, "synonyms")
	rest, _ := json.Marshal(got)
	if !equalJSON(rest, []byte(want)) {
		t.Errorf("settings =\n%s\nwant\n%s", canonicalJSON(rest), canonicalJSON([]byte(want)))
	}
	// Every member of a group of catalog.SearchSynonyms lists exactly the
	// other members, so that the relation is mutual.
	wantSyn := make(map[string][]string)
	for _, g := range catalog.SearchSynonyms() {
		for _, w := range g {
			for _, o := range g {
				if o != w && !slices.Contains(wantSyn[w], o) {
					wantSyn[w] = append(wantSyn[w], o)
				}
			}
		}
	}
	if len(syn) != len(wantSyn) {
		t.Errorf("synonyms have %d words, want %d", len(syn), len(wantSyn))
	}
	for w, others := range wantSyn {
		got := slices.Clone(syn[w])
		slices.Sort(got)
		slices.Sort(others)
		if !slices.Equal(got, others) {
			t.Errorf("synonyms[%q] = %q, want %q", w, syn[w], others)
		}
	}
}

func TestWireNew(t *testing.T) {
	for _, c := range []struct {
		name        string
		scenes      []string
		apiKey      string
		wantCreated bool
		wantErr     string // "" = success
		wantCode    string // Meilisearch error code of a failing request
	}{
		{name: "creates the missing index, then applies the settings", scenes: []string{"new_fresh", "settings", "ping"}, wantCreated: true},
		{name: "keeps an existing index", scenes: []string{"new_existing", "settings", "ping"}},
		{name: "sends the API key", scenes: []string{"new_existing", "settings", "ping"}, apiKey: "otop-dev-meili-master-key"},
		{name: "sets the primary key of an index created without one", scenes: []string{"new_no_primary_key", "settings", "ping"}},
		{name: "another replica created the index first", scenes: []string{"new_lost_race", "settings", "ping"}},
		{name: "refuses an index keyed on another field", scenes: []string{"new_other_primary_key"},
			wantErr: `meili: index "products" has primary key "sku", want "id"`},
		{name: "settings refused by the server", scenes: []string{"new_existing", "settings_rejected"},
			wantErr: `meili: update settings of "products": `, wantCode: "invalid_settings_typo_tolerance"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, url := newReplay(t, c.apiKey, c.scenes...)
			ix, err := New(context.Background(), Config{URL: url, APIKey: c.apiKey, TaskTimeout: 10 * time.Second})
			if c.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), c.wantErr) {
					t.Fatalf("New = %v, want an error starting %q", err, c.wantErr)
				}
				if c.wantCode != "" {
					var me *meilisearch.Error
					if !errors.As(err, &me) || me.MeilisearchApiError.Code != c.wantCode || me.StatusCode != http.StatusBadRequest {
						t.Errorf("New = %#v, want a 400 %s", err, c.wantCode)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if ix.Created() != c.wantCreated || ix.UID() != DefaultIndexUID {
				t.Errorf("Created() = %v, UID() = %q; want %v, %q", ix.Created(), ix.UID(), c.wantCreated, DefaultIndexUID)
			}
			sent := r.requests(http.MethodPatch, "/indexes/products/settings")
			if len(sent) != 1 {
				t.Fatalf("%d settings requests, want 1", len(sent))
			}
			wantSettings(t, sent[0].Body)
			if err := ix.Ping(context.Background()); err != nil {
				t.Errorf("Ping: %v", err)
			}
		})
	}
}

func TestWireSettingsBodyIsWhatV1113Accepts(t *testing.T) {
	// The replay refuses what v1.11.3 refuses; the SDK's own encoding of the
	// settings and of a swap carries fields that v1.11.3 does not know,
	// which is why compat.go exists.
	s := indexSettings(DefaultMaxTotalHits)
	plain, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if p := knownFieldProblems(http.MethodPatch, "/indexes/products/settings", plain); len(p) != 1 || !strings.Contains(p[0], "`disableOnNumbers`") {
		t.Errorf("plain SDK settings: problems %q, want only typoTolerance.disableOnNumbers", p)
	}
	compat, err := compatMarshal(&s)
	if err != nil {
		t.Fatal(err)
	}
	if p := knownFieldProblems(http.MethodPatch, "/indexes/products/settings", compat); len(p) != 0 {
		t.Errorf("compat settings: problems %q", p)
	}
	swap := []*meilisearch.SwapIndexesParams{{Indexes: []string{"products", "products_rebuild_1"}}}
	plain, _ = json.Marshal(swap)
	if p := knownFieldProblems(http.MethodPost, "/swap-indexes", plain); len(p) != 1 || !strings.Contains(p[0], "`rename`") {
		t.Errorf("plain SDK swap: problems %q, want only rename", p)
	}
	compat, _ = compatMarshal(swap)
	if p := knownFieldProblems(http.MethodPost, "/swap-indexes", compat); len(p) != 0 {
		t.Errorf("compat swap: problems %q", p)
	}
}

func TestWireWrites(t *testing.T) {
	for _, c := range []struct {
		name  string
		scene string
		write func(*Index) error
	}{
		{"upsert waits for its task through processing", "upsert", func(ix *Index) error {
			return ix.Upsert(context.Background(), []catalog.SearchDocument{mudmee()})
		}},
		{"delete of an indexed and an unknown id", "delete", func(ix *Index) error {
			return ix.Delete(context.Background(), []string{mudmee().ID, "never-indexed"})
		}},
		{"empty writes send nothing", "", func(ix *Index) error {
			return errors.Join(ix.Upsert(context.Background(), nil), ix.Delete(context.Background(), []string{}))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			scenes := []string{"new_existing", "settings"}
			if c.scene != "" {
				scenes = append(scenes, c.scene)
			}
			ix, _ := newWireIndex(t, scenes...)
			if err := c.write(ix); err != nil {
				t.Errorf("write: %v", err)
			}
		})
	}
}

func TestWireFailedTasksBecomeTaskErrors(t *testing.T) {
	for _, c := range []struct {
		name    string
		scene   string
		write   func(*Index) error
		want    TaskError
		wantMsg string
	}{
		{
			name: "documents refused", scene: "upsert_failed",
			write: func(ix *Index) error {
				return ix.Upsert(context.Background(), []catalog.SearchDocument{{ID: "foo & bar"}})
			},
			want: TaskError{TaskUID: 2, Type: "documentAdditionOrUpdate", Status: "failed", Code: "invalid_document_id",
				Message: "Document identifier `\"foo & bar\"` is invalid. A document identifier can be of type integer or string, only composed of alphanumeric characters (a-z A-Z 0-9), hyphens (-) and underscores (_)."},
			wantMsg: "meili: add documents: task 2 (documentAdditionOrUpdate) failed: invalid_document_id: Document identifier",
		},
		{
			name: "deletion on a deleted index", scene: "delete_failed",
			write: func(ix *Index) error { return ix.Delete(context.Background(), []string{mudmee().ID}) },
			want: TaskError{TaskUID: 3, Type: "documentDeletion", Status: "failed", Code: "index_not_found",
				Message: "Index `products` not found."},
			wantMsg: "meili: delete documents: task 3 (documentDeletion) failed: index_not_found: Index `products` not found.",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			ix, _ := newWireIndex(t, "new_existing", "settings", c.scene)
			err := c.write(ix)
			var te *TaskError
			if !errors.As(err, &te) {
				t.Fatalf("write = %v, want a *TaskError", err)
			}
			if *te != c.want {
				t.Errorf("TaskError = %+v, want %+v", *te, c.want)
			}
			if !strings.HasPrefix(err.Error(), c.wantMsg) {
				t.Errorf("error = %q, want it to start %q", err, c.wantMsg)
			}
		})
	}
}

func TestWireSearch(t *testing.T) {
	yes := true
	lo, hi := int64(1000), int64(250000)
	type step struct {
		query catalog.SearchQuery
		want  catalog.SearchResult
	}
	for _, c := range []struct {
		name  string
		scene string
		steps []step
	}{
		{
			name: "text, filters, facets, sort and highlights", scene: "search_filtered",
			steps: []step{{
				query: catalog.SearchQuery{
					Text: "silk scarf",
					Filters: catalog.SearchFilters{Province: "TH-40", Certification: "otop-standard", Topotop: &yes,
						MinStars: 4, MinPrice: &lo, MaxPrice: &hi},
					Facets: []string{"category", "creative_industry", "otop_stars", "topotop"},
					Sort:   catalog.SearchSortPriceAsc, Page: 1, PerPage: 2,
				},
				want: catalog.SearchResult{
					Hits: []catalog.SearchHit{
						{Document: indigo(), Highlights: map[string]string{
							"name_en":        "Indigo <em>silk</em> <em>scarf</em>",
							"name_th":        "ผ้าพันคอไหมย้อมคราม",
							"description_en": "Indigo-dyed <em>silk</em> <em>scarf</em>, 180 × 45 cm.",
						}},
						{Document: mudmee(), Highlights: map[string]string{
							"name_en":        "Khon Kaen mudmee <em>silk</em> <em>scarf</em>",
							"name_th":        "<em>ผ้าไหม</em>มัดหมี่ขอนแก่น",
							"description_en": "Hand-woven &lt;b&gt;mudmee&lt;/b&gt; <em>silk</em> from Chonnabot &amp; its weavers&#39; group.",
							"description_th": "<em>ผ้าไหม</em>มัดหมี่ทอมือจากอำเภอชนบท",
						}},
					},
					Facets: map[string]map[string]int{
						"category":          {"textiles": 3},
						"creative_industry": {"crafts": 2},
						"otop_stars":        {"4": 1, "5": 2},
						"topotop":           {"true": 3},
					},
					Total: 3, Page: 1, PerPage: 2,
				},
			}},
		},
		{
			name: "browsing, and a filter value that tries to close its quotes", scene: "search_browse",
			steps: []step{
				{
					query: catalog.SearchQuery{Lang: "th", Filters: catalog.SearchFilters{Region: "north", Category: "food"}, Page: 3, PerPage: 500},
					want:  catalog.SearchResult{Hits: []catalog.SearchHit{}, Total: 27, Page: 3, PerPage: 100},
				},
				{
					query: catalog.SearchQuery{Filters: catalog.SearchFilters{Province: `TH-40" OR province_code = "TH-50`}},
					want:  catalog.SearchResult{Hits: []catalog.SearchHit{}, Total: 0, Page: 1, PerPage: defaultPerPage},
				},
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			ix, _ := newWireIndex(t, "new_existing", "settings", c.scene)
			for i, s := range c.steps {
				got, err := ix.Search(context.Background(), s.query)
				if err != nil {
					t.Fatalf("search %d: %v", i, err)
				}
				if !reflect.DeepEqual(got, s.want) {
					t.Errorf("search %d =\n%s\nwant\n%s", i, dump(got), dump(s.want))
				}
			}
		})
	}
}

func dump(r catalog.SearchResult) string {
	b, _ := json.MarshalIndent(r, "", "  ")
	return string(b)
}

func TestWireSearchRefusedByTheServer(t *testing.T) {
	ix, _ := newWireIndex(t, "new_existing", "settings", "search_rejected")
	_, err := ix.Search(context.Background(), catalog.SearchQuery{Lang: "en", Facets: []string{"certifications"}})
	var me *meilisearch.Error
	if !errors.As(err, &me) || me.StatusCode != http.StatusBadRequest || me.MeilisearchApiError.Code != "invalid_search_facets" ||
		!strings.HasPrefix(err.Error(), "meili: search: ") {
		t.Errorf("Search = %v, want the 400 invalid_search_facets", err)
	}
}

func TestWireSuggest(t *testing.T) {
	ix, _ := newWireIndex(t, "new_existing", "settings", "suggest")
	for _, c := range []struct {
		prefix string
		limit  int
		want   []string
	}{
		{"ผ้าไห", 3, []string{"ผ้าไหมมัดหมี่ขอนแก่น", "ผ้าไหมแพรวา"}}, // an empty hit and a repeated name skipped
		{"sil", 2, []string{"Silk scarf", "Silk shawl"}}, // "silk scarf" repeats "Silk scarf"; stops at the limit
		{"   ", 5, nil}, // nothing is asked
	} {
		t.Run(c.prefix, func(t *testing.T) {
			got, err := ix.Suggest(context.Background(), c.prefix, c.limit)
			if err != nil || !slices.Equal(got, c.want) {
				t.Errorf("Suggest(%q, %d) = %q, %v; want %q", c.prefix, c.limit, got, err, c.want)
			}
		})
	}
}

func TestWirePingWithoutTheIndex(t *testing.T) {
	ix, _ := newWireIndex(t, "new_existing", "settings", "ping_missing")
	err := ix.Ping(context.Background())
	var me *meilisearch.Error
	if !errors.As(err, &me) || me.MeilisearchApiError.Code != "index_not_found" || !strings.HasPrefix(err.Error(), `meili: index "products": `) {
		t.Errorf("Ping = %v, want index_not_found", err)
	}
}

func TestWireRebuild(t *testing.T) {
	boom := errors.New("database went away")
	batch := func(i int) []catalog.SearchDocument {
		d := mudmee()
		d.ID = fmt.Sprintf("rebuild-%d", i)
		return []catalog.SearchDocument{d}
	}
	for _, c := range []struct {
		name      string
		scene     string
		batches   int
		fillErr   error
		wantErr   func(error) bool
		wantSwaps int
	}{
		{name: "six batches, at most four in flight, then swap and delete", scene: "rebuild", batches: 6, wantSwaps: 1,
			wantErr: func(err error) bool { return err == nil }},
		{name: "the swap fails", scene: "rebuild_swap_failed", batches: 1, wantSwaps: 1,
			wantErr: func(err error) bool {
				var te *TaskError
				return errors.As(err, &te) && te.Type == "indexSwap" && te.Code == "index_not_found" && te.TaskUID == 18 &&
					strings.HasPrefix(err.Error(), `meili: rebuild: swap "products" and "products_rebuild_`)
			}},
		{name: "the fill fails", scene: "rebuild_fill_failed", batches: 1, fillErr: boom,
			wantErr: func(err error) bool { return errors.Is(err, boom) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			ix, r := newWireIndex(t, "new_existing", "settings", c.scene)
			err := ix.Rebuild(context.Background(), func(add func([]catalog.SearchDocument) error) error {
				for i := range c.batches {
					if err := add(batch(i)); err != nil {
						return err
					}
				}
				return c.fillErr
			})
			if !c.wantErr(err) {
				t.Fatalf("Rebuild = %v", err)
			}
			tmp := r.tmpName()
			if !tmpUID.MatchString(tmp) {
				t.Fatalf("rebuild index %q", tmp)
			}
			settings := r.requests(http.MethodPatch, "/indexes/{tmp}/settings")
			if len(settings) != 1 {
				t.Fatalf("%d settings requests to %s, want 1", len(settings), tmp)
			}
			wantSettings(t, settings[0].Body)
			docs := r.requests(http.MethodPost, "/indexes/{tmp}/documents")
			if len(docs) != c.batches {
				t.Fatalf("%d document batches, want %d", len(docs), c.batches)
			}
			for i, d := range docs {
				var got []catalog.SearchDocument
				if err := json.Unmarshal(d.Body, &got); err != nil || len(got) != 1 || !reflect.DeepEqual(got[0], batch(i)[0]) {
					t.Errorf("batch %d = %s, %v", i, d.Body, err)
				}
			}
			if n := len(r.requests(http.MethodPost, "/swap-indexes")); n != c.wantSwaps {
				t.Errorf("%d swaps, want %d", n, c.wantSwaps)
			}
			if n := len(r.requests(http.MethodDelete, "/indexes/{tmp}")); n != 1 {
				t.Errorf("%d deletions of %s, want 1", n, tmp)
			}
		})
	}
}
