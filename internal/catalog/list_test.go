package catalog_test

import (
	"cmp"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
)

// catalogue is a set of published products spread over the filters.
type catalogue struct {
	f         *fixture
	owners    map[string]account.Principal // by province
	producers map[string]catalog.Producer
	all       []catalog.Product // published, as created
}

func newCatalogue(t *testing.T, f *fixture) *catalogue {
	t.Helper()
	c := &catalogue{f: f, owners: map[string]account.Principal{}, producers: map[string]catalog.Producer{}}
	// Chiang Mai and Lamphun (north, upper-north-1), Chiang Rai (north,
	// upper-north-2), Khon Kaen (northeast), Bangkok (central, no cluster).
	for _, province := range []string{"TH-50", "TH-51", "TH-57", "TH-40", "TH-10"} {
		c.owners[province], c.producers[province] = f.producer(t, province)
	}
	type spec struct {
		province, category, creative string
		stars                        int
		price                        int64
		name                         string
		topotop                      bool
	}
	specs := []spec{
		{"TH-50", "textile", "crafts", 5, 450000, "Brocade silk", true},
		{"TH-50", "household", "crafts", 4, 35000, "Bo Sang umbrella", false},
		{"TH-50", "food", "thai_food", 0, 12000, "Nam prik num", false},
		{"TH-51", "textile", "fashion", 3, 180000, "Cotton shirt", false},
		{"TH-51", "herbal", "thai_traditional_medicine", 5, 9000, "Herbal balm", true},
		{"TH-57", "beverage", "", 4, 25000, "Doi Chaang coffee", false},
		{"TH-57", "food", "", 0, 30000, "Jasmine rice", false},
		{"TH-40", "textile", "crafts", 5, 320000, "Mudmee silk", false},
		{"TH-40", "food", "thai_food", 2, 8000, "Fermented fish", false},
		{"TH-10", "herbal", "", 3, 15000, "Inhaler", false},
		{"TH-10", "household", "design", 1, 35000, "Benjarong bowl", true},
	}
	for _, s := range specs {
		p := f.publish(t, c.owners[s.province], func(in *catalog.ProductInput) {
			in.Category, in.NameEN = ptr(s.category), ptr(s.name)
			in.CreativeIndustry = catalog.Clear[string]()
			if s.creative != "" {
				in.CreativeIndustry = catalog.Set(s.creative)
			}
			in.OTOPStars, in.OTOPStarsYear = catalog.Clear[int](), catalog.Clear[int]()
			if s.stars > 0 {
				in.OTOPStars, in.OTOPStarsYear = catalog.Set(s.stars), catalog.Set(2023)
			}
			in.Price.AmountMinor = ptr(s.price)
			in.PriceTiers = &[]catalog.PriceTierInput{}
		})
		if s.topotop {
			if err := f.db.Exec("UPDATE products SET topotop = true WHERE id = ?", p.ID).Error; err != nil {
				t.Fatal(err)
			}
			p.Topotop = true
		}
		c.all = append(c.all, p)
	}
	// Products no public list may show: a draft and an archived product.
	f.product(t, c.owners["TH-50"], nil)
	archived := f.publish(t, c.owners["TH-50"], nil)
	f.setStatus(t, archived.ID, catalog.StatusArchived)
	return c
}

func (c *catalogue) where(keep func(catalog.Product) bool) []uuid.UUID {
	var out []uuid.UUID
	for _, p := range c.all {
		if keep(p) {
			out = append(out, p.ID)
		}
	}
	return out
}

func sortedIDs(l []uuid.UUID) []uuid.UUID {
	l = slices.Clone(l)
	slices.SortFunc(l, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	return l
}

func TestListProductsFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	c := newCatalogue(t, f)
	stars := func(p catalog.Product) int {
		if p.OTOPStars == nil {
			return 0
		}
		return *p.OTOPStars
	}
	tests := []struct {
		name   string
		filter catalog.ProductFilter
		keep   func(catalog.Product) bool
	}{
		{"no filter: every published product", catalog.ProductFilter{}, func(catalog.Product) bool { return true }},
		{"province", catalog.ProductFilter{Province: "TH-51"}, func(p catalog.Product) bool { return p.ProvinceCode == "TH-51" }},
		{"cluster", catalog.ProductFilter{Cluster: "upper-north-1"}, func(p catalog.Product) bool { return p.ClusterID == "upper-north-1" }},
		{"region", catalog.ProductFilter{Region: "north"}, func(p catalog.Product) bool { return p.Region == "north" }},
		{"category", catalog.ProductFilter{Category: "textile"}, func(p catalog.Product) bool { return p.Category == "textile" }},
		{"select center", catalog.ProductFilter{SelectCenter: "bangkok"}, func(p catalog.Product) bool { return p.SelectCenterID == "bangkok" }},
		{"creative industry", catalog.ProductFilter{CreativeIndustry: "crafts"}, func(p catalog.Product) bool { return p.CreativeIndustry == "crafts" }},
		{"topotop", catalog.ProductFilter{Topotop: ptr(true)}, func(p catalog.Product) bool { return p.Topotop }},
		{"not topotop", catalog.ProductFilter{Topotop: ptr(false)}, func(p catalog.Product) bool { return !p.Topotop }},
		{"min stars", catalog.ProductFilter{MinStars: 4}, func(p catalog.Product) bool { return stars(p) >= 4 }},
		{"producer", catalog.ProductFilter{Producer: c.producers["TH-57"].ID}, func(p catalog.Product) bool { return p.ProducerID == c.producers["TH-57"].ID }},
		{"filters combine", catalog.ProductFilter{Region: "north", Category: "textile", MinStars: 4},
			func(p catalog.Product) bool { return p.Region == "north" && p.Category == "textile" && stars(p) >= 4 }},
		{"nothing matches", catalog.ProductFilter{Province: "TH-90"}, func(catalog.Product) bool { return false }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.filter.Limit = 4
			got := f.listAll(t, account.Principal{}, tt.filter)
			want := c.where(tt.keep)
			if !slices.Equal(sortedIDs(got), sortedIDs(want)) {
				t.Errorf("got %d products %v, want %d %v", len(got), got, len(want), want)
			}
		})
	}
}

func TestListProductsSorts(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	c := newCatalogue(t, f)
	byKey := func(cmpFn func(a, b catalog.Product) int) []uuid.UUID {
		l := slices.Clone(c.all)
		slices.SortStableFunc(l, cmpFn)
		return ids(l)
	}
	price := func(p catalog.Product) int64 { return p.Price.AmountMinor }
	tests := []struct {
		sort catalog.Sort
		want []uuid.UUID
	}{
		{"", byKey(func(a, b catalog.Product) int {
			return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID.String(), a.ID.String()))
		})},
		{catalog.SortNewest, byKey(func(a, b catalog.Product) int {
			return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(b.ID.String(), a.ID.String()))
		})},
		{catalog.SortPriceAsc, byKey(func(a, b catalog.Product) int {
			return cmp.Or(cmp.Compare(price(a), price(b)), strings.Compare(a.ID.String(), b.ID.String()))
		})},
		{catalog.SortPriceDesc, byKey(func(a, b catalog.Product) int {
			return cmp.Or(cmp.Compare(price(b), price(a)), strings.Compare(b.ID.String(), a.ID.String()))
		})},
		{catalog.SortName, byKey(func(a, b catalog.Product) int {
			return cmp.Or(strings.Compare(a.NameEN, b.NameEN), strings.Compare(a.ID.String(), b.ID.String()))
		})},
	}
	for _, tt := range tests {
		t.Run("sort="+string(tt.sort), func(t *testing.T) {
			for _, limit := range []int{1, 3, 100} {
				got := f.listAll(t, account.Principal{}, catalog.ProductFilter{Sort: tt.sort, Limit: limit})
				if !slices.Equal(got, tt.want) {
					t.Errorf("limit %d: order %v, want %v", limit, got, tt.want)
				}
			}
		})
	}
}

// With every sort key equal, the id alone orders the rows: pages must still
// hold every product exactly once.
func TestKeysetPaginationWithEqualSortKeysVisitsEveryProductOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0) // every product has the same created_at
	owner, producer := f.producer(t, "TH-50")
	var want []uuid.UUID
	for range 23 {
		p := f.publish(t, owner, func(in *catalog.ProductInput) { in.NameEN = ptr("Same name") })
		want = append(want, p.ID)
	}
	// Drafts without a price, for the owner's view of the price sorts.
	for range 4 {
		p := f.product(t, owner, func(in *catalog.ProductInput) { in.Price, in.PriceTiers = nil, nil })
		want = append(want, p.ID)
	}
	for _, sort := range catalog.Sorts() {
		for _, limit := range []int{1, 2, 5, 27, 100} {
			t.Run(string(sort), func(t *testing.T) {
				filter := catalog.ProductFilter{Sort: sort, Limit: limit, Producer: producer.ID,
					Status: []catalog.Status{catalog.StatusDraft, catalog.StatusPublished}}
				got := f.listAll(t, owner, filter)
				if len(got) != len(want) {
					t.Fatalf("limit %d: %d products, want %d", limit, len(got), len(want))
				}
				if !slices.Equal(sortedIDs(got), sortedIDs(want)) {
					t.Fatalf("limit %d: products repeated or missing: %v", limit, got)
				}
				filter.Limit = 100
				if all := f.listAll(t, owner, filter); !slices.Equal(got, all) {
					t.Errorf("limit %d: pages in another order than one page", limit)
				}
			})
		}
	}
	t.Run("drafts without a price are dearest", func(t *testing.T) {
		filter := catalog.ProductFilter{Producer: producer.ID, Status: []catalog.Status{catalog.StatusDraft, catalog.StatusPublished}}
		filter.Sort = catalog.SortPriceAsc
		asc := f.listAll(t, owner, filter)
		filter.Sort = catalog.SortPriceDesc
		desc := f.listAll(t, owner, filter)
		drafts := sortedIDs(want[23:])
		if !slices.Equal(sortedIDs(asc[23:]), drafts) || !slices.Equal(sortedIDs(desc[:4]), drafts) {
			t.Errorf("price_asc ends with %v, price_desc starts with %v; want the drafts %v", asc[23:], desc[:4], drafts)
		}
	})
}

func TestListProductsRefusesBadFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	owner, _ := f.producer(t, "TH-50")
	for range 3 {
		f.publish(t, owner, nil)
	}
	page, err := f.svc.ListProducts(f.ctx, account.Principal{}, catalog.ProductFilter{Limit: 1, Sort: catalog.SortPriceAsc})
	if err != nil || page.NextCursor == "" {
		t.Fatalf("ListProducts = %+v, %v", page, err)
	}
	tests := []struct {
		name   string
		filter catalog.ProductFilter
		fields []string
	}{
		{"limit over 100", catalog.ProductFilter{Limit: 101}, []string{"limit"}},
		{"negative limit", catalog.ProductFilter{Limit: -1}, []string{"limit"}},
		{"unknown province", catalog.ProductFilter{Province: "TH-99"}, []string{"province"}},
		{"unknown cluster", catalog.ProductFilter{Cluster: "upper-north-9"}, []string{"cluster"}},
		{"unknown region", catalog.ProductFilter{Region: "east"}, []string{"region"}},
		{"unknown category", catalog.ProductFilter{Category: "toys"}, []string{"category"}},
		{"unknown select center", catalog.ProductFilter{SelectCenter: "phuket"}, []string{"select_center"}},
		{"unknown creative industry", catalog.ProductFilter{CreativeIndustry: "sports"}, []string{"creative_industry"}},
		{"stars over 5", catalog.ProductFilter{MinStars: 6}, []string{"min_stars"}},
		{"unknown status", catalog.ProductFilter{Status: []catalog.Status{"sold"}}, []string{"status"}},
		{"unknown sort", catalog.ProductFilter{Sort: "popular"}, []string{"sort"}},
		{"cursor of another sort", catalog.ProductFilter{Cursor: page.NextCursor, Sort: catalog.SortPriceDesc}, []string{"cursor"}},
		{"malformed cursor", catalog.ProductFilter{Cursor: "not-a-cursor"}, []string{"cursor"}},
		{"cursor without a key", catalog.ProductFilter{Cursor: base64.RawURLEncoding.EncodeToString([]byte(`{"s":"newest","id":"` + uuid.NewString() + `"}`))}, []string{"cursor"}},
		{"all at once", catalog.ProductFilter{Limit: 500, Province: "X", Region: "Y"}, []string{"limit", "province", "region"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.ListProducts(f.ctx, account.Principal{}, tt.filter)
			wantFields(t, err, tt.fields...)
		})
	}
}

func TestListProductsByStatus(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	owner, producer := f.producer(t, "TH-50") // Select center chiang-mai
	other, otherProducer := f.producer(t, "TH-90")
	draft := f.product(t, owner, nil)
	pending := f.product(t, owner, nil)
	f.setStatus(t, pending.ID, catalog.StatusPendingReview)
	published := f.publish(t, owner, nil)
	otherDraft := f.product(t, other, nil)
	curator := f.user(t, account.RoleCurator, "chiang-mai")
	admin := f.user(t, account.RoleAdmin, "")
	drafts := []catalog.Status{catalog.StatusDraft}

	allowed := []struct {
		name   string
		who    account.Principal
		filter catalog.ProductFilter
		want   []uuid.UUID
	}{
		{"owner, own drafts", owner, catalog.ProductFilter{Producer: producer.ID, Status: drafts}, []uuid.UUID{draft.ID}},
		{"owner, several statuses", owner, catalog.ProductFilter{Producer: producer.ID,
			Status: []catalog.Status{catalog.StatusDraft, catalog.StatusPendingReview, catalog.StatusPublished}},
			[]uuid.UUID{draft.ID, pending.ID, published.ID}},
		{"curator: drafts of their own center only", curator, catalog.ProductFilter{Status: drafts}, []uuid.UUID{draft.ID}},
		{"curator: review queue of their center", curator, catalog.ProductFilter{SelectCenter: "chiang-mai", Status: []catalog.Status{catalog.StatusPendingReview}}, []uuid.UUID{pending.ID}},
		{"admin: every center", admin, catalog.ProductFilter{Status: drafts}, []uuid.UUID{draft.ID, otherDraft.ID}},
		{"anyone: published", account.Principal{}, catalog.ProductFilter{Status: []catalog.Status{catalog.StatusPublished}}, []uuid.UUID{published.ID}},
	}
	for _, tt := range allowed {
		t.Run(tt.name, func(t *testing.T) {
			got := f.listAll(t, tt.who, tt.filter)
			if !slices.Equal(sortedIDs(got), sortedIDs(tt.want)) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	refused := []struct {
		name   string
		who    account.Principal
		filter catalog.ProductFilter
	}{
		{"anonymous", account.Principal{}, catalog.ProductFilter{Status: drafts}},
		{"importer", f.user(t, account.RoleImporter, ""), catalog.ProductFilter{Status: drafts}},
		{"producer without the producer filter", owner, catalog.ProductFilter{Status: drafts}},
		{"producer naming another producer", other, catalog.ProductFilter{Producer: producer.ID, Status: drafts}},
		{"producer mixing published and another's drafts", owner, catalog.ProductFilter{Producer: otherProducer.ID,
			Status: []catalog.Status{catalog.StatusPublished, catalog.StatusDraft}}},
		{"curator naming another center", curator, catalog.ProductFilter{SelectCenter: "songkhla", Status: drafts}},
	}
	for _, tt := range refused {
		t.Run("refused: "+tt.name, func(t *testing.T) {
			_, err := f.svc.ListProducts(f.ctx, tt.who, tt.filter)
			wantFields(t, err, "status")
			var ve *errs.ValidationError
			if !errors.As(err, &ve) {
				t.Fatal("not a validation error")
			}
		})
	}
}
