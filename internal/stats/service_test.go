package stats_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/stats"
	"github.com/otopmarket/otop/internal/stats/statstest"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/testenv"
)

func loadTaxonomy(t *testing.T) *taxonomy.Taxonomy {
	t.Helper()
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatalf("load taxonomy: %v", err)
	}
	return tax
}

var callers = []struct {
	name   string
	p      account.Principal
	scope  stats.Scope
	center string
}{
	{"anonymous", account.Principal{}, stats.ScopePublic, ""},
	{"importer", account.Principal{UserID: uuid.New(), Role: account.RoleImporter}, stats.ScopePublic, ""},
	{"producer", account.Principal{UserID: uuid.New(), Role: account.RoleProducer}, stats.ScopePublic, ""},
	{"curator of chiang-mai", account.Principal{UserID: uuid.New(), Role: account.RoleCurator, SelectCenterID: "chiang-mai"}, stats.ScopeCenter, "chiang-mai"},
	{"curator of bangkok", account.Principal{UserID: uuid.New(), Role: account.RoleCurator, SelectCenterID: "bangkok"}, stats.ScopeCenter, "bangkok"},
	{"admin", account.Principal{UserID: uuid.New(), Role: account.RoleAdmin}, stats.ScopeAll, ""},
}

// seeded is a catalogue with trade, changed after it was loaded.
func seeded(t *testing.T, tax *taxonomy.Taxonomy, now time.Time) *gorm.DB {
	t.Helper()
	db := testenv.DB(t)
	statstest.Seed(t, db, tax, now, 7, statstest.Sizes{Producers: 24, Products: 400, Inquiries: 200, Orders: 160})
	statstest.Mutate(t, db, now, 8)
	return db
}

func TestFiguresEqualGroupByOverTheSameRows(t *testing.T) {
	t.Parallel()
	tax := loadTaxonomy(t)
	now := time.Date(2026, 12, 15, 10, 30, 0, 0, time.UTC)
	db := seeded(t, tax, now)
	store := postgres.NewStats(db)
	// The same rows on later days: certificates expire and months pass
	// without any row changing (20 days later is another month).
	for _, at := range []time.Time{now, now.Add(24 * time.Hour), now.AddDate(0, 0, 17), now.AddDate(0, 0, 20)} {
		svc := stats.NewService(store, tax, func() time.Time { return at })
		for _, c := range callers {
			for _, d := range stats.Dimensions() {
				t.Run(at.Format(time.DateOnly)+"/"+c.name+"/"+string(d), func(t *testing.T) {
					r, err := svc.Report(context.Background(), c.p, d)
					if err != nil {
						t.Fatalf("Report: %v", err)
					}
					if r.Scope != c.scope || r.SelectCenterID != c.center {
						t.Errorf("scope %s %q, want %s %q", r.Scope, r.SelectCenterID, c.scope, c.center)
					}
					want := statstest.Expected(t, db, tax, r)
					for _, diff := range statstest.Diff(want, statstest.Flatten(r)) {
						t.Error(diff)
					}
					figures := map[string]bool{}
					for k := range want {
						_, figure, _ := strings.Cut(k, " ")
						figure, _, _ = strings.Cut(figure, ".")
						figures[figure] = true
					}
					// The catalogue has something of every kind to count.
					for _, f := range []string{"producers_by_level", "products_by_status", "by_creative_group", "products_certified",
						"average_verified_stars", "monthly"} {
						if !figures[f] {
							t.Errorf("nothing counted as %s", f)
						}
					}
					if figures["trade"] != (c.scope != stats.ScopePublic) {
						t.Errorf("trade figures: %v", figures["trade"])
					}
				})
			}
		}
	}
	// Compacting the counters changes no figure.
	removed, err := store.Compact(context.Background(), now)
	if err != nil || removed == 0 {
		t.Fatalf("Compact = %d, %v; want rows removed", removed, err)
	}
	svc := stats.NewService(store, tax, func() time.Time { return now })
	for _, d := range stats.Dimensions() {
		r, err := svc.Report(context.Background(), callers[len(callers)-1].p, d)
		if err != nil {
			t.Fatalf("Report after Compact: %v", err)
		}
		for _, diff := range statstest.Diff(statstest.Expected(t, db, tax, r), statstest.Flatten(r)) {
			t.Errorf("after Compact, %s: %s", d, diff)
		}
	}
}

func TestEveryPlaceIsAnItemInTheOrderOfTheReferenceData(t *testing.T) {
	t.Parallel()
	tax := loadTaxonomy(t)
	now := time.Date(2026, 12, 15, 10, 30, 0, 0, time.UTC)
	svc := stats.NewService(postgres.NewStats(testenv.DB(t)), tax, func() time.Time { return now })
	provinces, _ := tax.Provinces(taxonomy.ProvinceFilter{})
	want := map[stats.Dimension][]string{}
	for _, r := range tax.Regions() {
		want[stats.ByRegion] = append(want[stats.ByRegion], r.ID)
	}
	for _, c := range tax.Clusters() {
		want[stats.ByCluster] = append(want[stats.ByCluster], c.ID)
	}
	for _, p := range provinces {
		want[stats.ByProvince] = append(want[stats.ByProvince], p.Code)
	}
	for _, c := range tax.SelectCenters() {
		want[stats.BySelectCenter] = append(want[stats.BySelectCenter], c.ID)
	}
	for _, d := range stats.Dimensions() {
		t.Run(string(d), func(t *testing.T) {
			r, err := svc.Report(context.Background(), account.Principal{}, d)
			if err != nil {
				t.Fatalf("Report: %v", err)
			}
			var got []string
			for _, it := range r.Items {
				got = append(got, it.ID)
				if it.Producers != 0 || it.Products != 0 || len(it.Monthly) != stats.Months || len(it.ByCategory) != 5 ||
					len(it.ByCreativeIndustry) != 15 || len(it.ByCreativeGroup) != 4 || len(it.ProducersByKind) != 4 ||
					len(it.ProducersByLevel) != 4 || it.CertifiedShare() != nil || it.AverageVerifiedStars() != nil {
					t.Errorf("%s of an empty catalogue = %+v", it.ID, it)
				}
			}
			if !slices.Equal(got, want[d]) {
				t.Errorf("items %v, want %v", got, want[d])
			}
			if len(r.Months) != stats.Months || r.Months[0] != "2025-01" || r.Months[stats.Months-1] != "2026-12" || r.AsOf.Format(time.DateOnly) != "2026-12-15" {
				t.Errorf("months %v, as of %s", r.Months, r.AsOf)
			}
		})
	}
	r, _ := svc.Report(context.Background(), account.Principal{}, stats.ByProvince)
	for _, it := range r.Items {
		if (it.ID == "TH-10") != (it.ClusterID == nil) {
			t.Errorf("%s has cluster %v", it.ID, it.ClusterID)
		}
	}
}

func TestThePublicSeesPublishedFiguresAndNoTrade(t *testing.T) {
	t.Parallel()
	tax := loadTaxonomy(t)
	now := time.Date(2026, 12, 15, 10, 30, 0, 0, time.UTC)
	svc := stats.NewService(postgres.NewStats(seeded(t, tax, now)), tax, func() time.Time { return now })
	report := func(c int, d stats.Dimension) stats.Report {
		t.Helper()
		r, err := svc.Report(context.Background(), callers[c].p, d)
		if err != nil {
			t.Fatalf("Report: %v", err)
		}
		return r
	}
	public, curator, admin := report(0, stats.ByRegion), report(3, stats.ByRegion), report(5, stats.ByRegion)
	for i, it := range public.Items {
		if it.Trade != nil || len(it.ProductsByStatus) != 1 || it.Products != it.Published {
			t.Errorf("the public sees, in %s: trade %v, statuses %v, %d products of which %d published",
				it.ID, it.Trade, it.ProductsByStatus, it.Products, it.Published)
		}
		// The published catalogue is the same for everyone; the rest grows with the scope.
		if curator.Items[i].Published != it.Published || admin.Items[i].Published != it.Published ||
			admin.Items[i].Products < curator.Items[i].Products || curator.Items[i].Products < it.Products ||
			admin.Items[i].Producers < curator.Items[i].Producers || curator.Items[i].Producers < it.Producers {
			t.Errorf("%s: public %+v\ncurator %+v\nadmin %+v", it.ID, it, curator.Items[i], admin.Items[i])
		}
	}
	// A curator's trade is their center's only.
	for _, it := range report(3, stats.BySelectCenter).Items {
		if it.ID != "chiang-mai" && (it.Trade.Inquiries != 0 || it.Trade.Orders != 0) {
			t.Errorf("a Chiang Mai curator sees %s's trade: %+v", it.ID, it.Trade)
		}
	}
	// Bangkok is in no cluster: the clusters and Bangkok add up to the regions.
	var regions, clusters int64
	for _, it := range admin.Items {
		regions += it.Products
	}
	for _, it := range report(5, stats.ByCluster).Items {
		clusters += it.Products
	}
	for _, it := range report(5, stats.ByProvince).Items {
		if it.ID == "TH-10" {
			clusters += it.Products
		}
	}
	if regions != clusters || regions == 0 {
		t.Errorf("regions count %d products, clusters and Bangkok %d", regions, clusters)
	}
}
