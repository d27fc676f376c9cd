package catalog_test

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/taxonomy"
)

// pageSpy is the real repository, remembering the size of every page asked for.
type pageSpy struct {
	catalog.Repository
	mu     sync.Mutex
	limits []int
}

func (s *pageSpy) ListProducts(ctx context.Context, q catalog.ProductQuery) ([]catalog.Product, error) {
	s.mu.Lock()
	s.limits = append(s.limits, q.Limit)
	s.mu.Unlock()
	return s.Repository.ListProducts(ctx, q)
}

// exportRow is what the export's order depends on, read from the table.
type exportRow struct {
	ID        uuid.UUID
	Status    string
	NameEN    string
	Price     *int64 `gorm:"column:price_minor"`
	CreatedAt time.Time
}

// exported runs an export and returns the products in the order fn saw them.
func exported(t *testing.T, svc *catalog.Service, p account.Principal, f catalog.ProductFilter) []catalog.Product {
	t.Helper()
	var out []catalog.Product
	if err := svc.ExportProducts(context.Background(), p, f, func(prod catalog.Product) error {
		out = append(out, prod)
		return nil
	}); err != nil {
		t.Fatalf("ExportProducts(%+v): %v", f, err)
	}
	return out
}

func TestExportProductsWalksTheWholeCatalogueOnceInOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatal(err)
	}
	spy := &pageSpy{Repository: postgres.NewCatalog(f.db)}
	svc := catalog.NewService(spy, tax, f.clock.Now)
	owner, producer := f.producer(t, "TH-50")
	first := f.publish(t, owner, nil)
	// 2,499 more in SQL: every tenth a draft (with no price every
	// twentieth), and sort keys that tie often, across page boundaries.
	if err := f.db.Exec(`INSERT INTO products (producer_id, status, name_th, name_en, description_en, category,
			price_minor, moq, unit, province_code, cluster_id, region, select_center_id, published_at, created_at, updated_at)
		SELECT ?, CASE WHEN g % 10 = 0 THEN 'draft' ELSE 'published' END, 'สินค้า ' || g, 'Product ' || lpad((g % 97)::text, 3, '0'),
			'Hand-made.', 'textile', CASE WHEN g % 20 = 0 THEN NULL ELSE 1000 + g % 37 END, 1, 'piece',
			'TH-50', 'upper-north-1', 'north', 'chiang-mai', now(),
			timestamptz '2026-01-01 00:00:00+00' + (g % 700) * interval '1 second', now()
		FROM generate_series(1, 2499) g`, producer.ID).Error; err != nil {
		t.Fatalf("insert products: %v", err)
	}
	var stored []exportRow
	if err := f.db.Raw("SELECT id, status, name_en, price_minor, created_at FROM products").Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if len(stored) != 2500 || !slices.ContainsFunc(stored, func(r exportRow) bool { return r.ID == first.ID }) {
		t.Fatalf("stored %d products", len(stored))
	}
	// The order each sort promises (catalog.Sort), from the rows themselves;
	// a missing price sorts above every price.
	price := func(p *int64) int64 {
		if p == nil {
			return 1 << 62
		}
		return *p
	}
	type row = exportRow
	byID := func(a, b row) int { return strings.Compare(a.ID.String(), b.ID.String()) }
	orders := map[catalog.Sort]func(a, b row) int{
		catalog.SortNewest:    func(a, b row) int { return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), byID(b, a)) },
		catalog.SortPriceAsc:  func(a, b row) int { return cmp.Or(cmp.Compare(price(a.Price), price(b.Price)), byID(a, b)) },
		catalog.SortPriceDesc: func(a, b row) int { return cmp.Or(cmp.Compare(price(b.Price), price(a.Price)), byID(b, a)) },
		catalog.SortName:      func(a, b row) int { return cmp.Or(strings.Compare(a.NameEN, b.NameEN), byID(a, b)) },
	}
	want := func(sort catalog.Sort, keep func(row) bool) []uuid.UUID {
		var l []row
		for _, s := range stored {
			if keep(s) {
				l = append(l, s)
			}
		}
		slices.SortFunc(l, orders[sort])
		out := make([]uuid.UUID, len(l))
		for i, s := range l {
			out[i] = s.ID
		}
		return out
	}
	published := func(s row) bool { return s.Status == "published" }
	every := func(row) bool { return true }
	admin := f.user(t, account.RoleAdmin, "")
	tests := []struct {
		name   string
		who    account.Principal
		filter catalog.ProductFilter
		keep   func(row) bool
		sort   catalog.Sort
	}{
		{"anonymous, published, newest by default", account.Principal{}, catalog.ProductFilter{}, published, catalog.SortNewest},
		{"anonymous, published, by price", account.Principal{}, catalog.ProductFilter{Sort: catalog.SortPriceAsc}, published, catalog.SortPriceAsc},
		{"the owner, every status of their own, by price descending", owner,
			catalog.ProductFilter{Producer: producer.ID, Status: []catalog.Status{catalog.StatusDraft, catalog.StatusPublished}, Sort: catalog.SortPriceDesc},
			every, catalog.SortPriceDesc},
		{"an admin, every status, by name", admin,
			catalog.ProductFilter{Status: []catalog.Status{catalog.StatusDraft, catalog.StatusPublished}, Sort: catalog.SortName},
			every, catalog.SortName},
		{"limit and cursor are ignored", account.Principal{}, catalog.ProductFilter{Limit: 3, Cursor: "garbage"}, published, catalog.SortNewest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spy.mu.Lock()
			spy.limits = nil
			spy.mu.Unlock()
			got := exported(t, svc, tt.who, tt.filter)
			gotIDs := ids(got)
			wantIDs := want(tt.sort, tt.keep)
			if len(gotIDs) != len(wantIDs) || !slices.Equal(gotIDs, wantIDs) {
				t.Fatalf("exported %d products, want %d in the order of %s", len(gotIDs), len(wantIDs), tt.sort)
			}
			seen := make(map[uuid.UUID]bool, len(gotIDs))
			for _, id := range gotIDs {
				if seen[id] {
					t.Fatalf("product %s exported twice", id)
				}
				seen[id] = true
			}
			spy.mu.Lock()
			defer spy.mu.Unlock()
			if len(spy.limits) != len(wantIDs)/1000+1 || slices.ContainsFunc(spy.limits, func(n int) bool { return n != 1000 }) {
				t.Errorf("pages read: %v, want pages of 1000", spy.limits)
			}
		})
	}
	t.Run("an export whose context ends midway fails, never ends short", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		n := 0
		err := svc.ExportProducts(ctx, admin, catalog.ProductFilter{Status: []catalog.Status{catalog.StatusPublished}}, func(catalog.Product) error {
			if n++; n == 1 {
				cancel() // the caller stops listening (a signal, a client gone)
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) || n < 1 || n > 2000 {
			t.Errorf("error = %v after %d products, want context.Canceled within two pages", err, n)
		}
	})
	t.Run("the public view hides what only the owner and staff see", func(t *testing.T) {
		if err := f.db.Exec("UPDATE products SET status = 'rejected', rejection_reason = 'Photos are blurry.' WHERE id = ?", first.ID).Error; err != nil {
			t.Fatal(err)
		}
		for _, p := range exported(t, svc, owner, catalog.ProductFilter{Producer: producer.ID, Status: []catalog.Status{catalog.StatusRejected}}) {
			if p.ID != first.ID || p.RejectionReason == "" {
				t.Errorf("owner's export = %s %q, want the rejected product with its reason", p.ID, p.RejectionReason)
			}
		}
		for _, p := range exported(t, svc, account.Principal{}, catalog.ProductFilter{}) {
			if p.ID == first.ID || p.RejectionReason != "" {
				t.Fatalf("the public export holds %s (reason %q)", p.ID, p.RejectionReason)
			}
		}
	})
}

func TestExportProductsRefusesBeforeReadingAnything(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	owner, producer := f.producer(t, "TH-50")
	f.product(t, owner, nil)
	other, _ := f.producer(t, "TH-40")
	importer := f.user(t, account.RoleImporter, "")
	farCurator := f.user(t, account.RoleCurator, "songkhla")
	drafts := []catalog.Status{catalog.StatusDraft}
	tests := []struct {
		name   string
		who    account.Principal
		filter catalog.ProductFilter
		field  string
	}{
		{"a producer without producer=<their own>", owner, catalog.ProductFilter{Status: drafts}, "status"},
		{"a producer naming another's profile", other, catalog.ProductFilter{Status: drafts, Producer: producer.ID}, "status"},
		{"anonymous", account.Principal{}, catalog.ProductFilter{Status: drafts}, "status"},
		{"an importer", importer, catalog.ProductFilter{Status: drafts, Producer: producer.ID}, "status"},
		{"a curator naming another center", farCurator, catalog.ProductFilter{Status: drafts, SelectCenter: "chiang-mai"}, "status"},
		{"an unknown province", account.Principal{}, catalog.ProductFilter{Province: "TH-99"}, "province"},
		{"an unknown status", owner, catalog.ProductFilter{Status: []catalog.Status{"sold"}, Producer: producer.ID}, "status"},
		{"an unknown sort", account.Principal{}, catalog.ProductFilter{Sort: "popular"}, "sort"},
		{"stars out of range", account.Principal{}, catalog.ProductFilter{MinStars: 6}, "min_stars"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			err := f.svc.ExportProducts(f.ctx, tt.who, tt.filter, func(catalog.Product) error { calls++; return nil })
			var qe *errs.QueryError
			if !errors.As(err, &qe) {
				t.Fatalf("error = %v, want a query error", err)
			}
			wantFields(t, err, tt.field)
			if calls != 0 {
				t.Errorf("fn was called %d times", calls)
			}
		})
	}
	t.Run("a curator's export of unpublished products holds their own center only", func(t *testing.T) {
		f.product(t, other, nil) // Khon Kaen: another center
		curator := f.user(t, account.RoleCurator, "chiang-mai")
		got := exported(t, f.svc, curator, catalog.ProductFilter{Status: drafts})
		if len(got) != 1 || got[0].SelectCenterID != "chiang-mai" || got[0].ProducerID != producer.ID {
			t.Errorf("curator's drafts = %d products %+v", len(got), ids(got))
		}
	})
	t.Run("fn's error stops the walk and comes back as it is", func(t *testing.T) {
		stop := errors.New("the client went away")
		calls := 0
		admin := f.user(t, account.RoleAdmin, "")
		err := f.svc.ExportProducts(f.ctx, admin, catalog.ProductFilter{Status: drafts}, func(catalog.Product) error { calls++; return stop })
		if !errors.Is(err, stop) || calls != 1 {
			t.Errorf("error = %v after %d calls, want the callback's after one", err, calls)
		}
	})
}
