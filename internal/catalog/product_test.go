package catalog_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
)

func TestCreateProductStartsAsADraftInTheProducersPlace(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	tests := []struct {
		province, cluster, region, center string
	}{
		{"TH-50", "upper-north-1", "north", "chiang-mai"},
		{"TH-34", "lower-northeast-2", "northeast", "khon-kaen"},
		{"TH-80", "south-gulf", "south", "songkhla"},
		{"TH-10", "", "central", "bangkok"},
	}
	for _, tt := range tests {
		t.Run(tt.province, func(t *testing.T) {
			owner, producer := f.producer(t, tt.province)
			p := f.product(t, owner, nil)
			if p.ProvinceCode != tt.province || p.ClusterID != tt.cluster || p.Region != tt.region || p.SelectCenterID != tt.center {
				t.Errorf("place = %s/%q/%s/%s, want %s/%q/%s/%s", p.ProvinceCode, p.ClusterID, p.Region, p.SelectCenterID,
					tt.province, tt.cluster, tt.region, tt.center)
			}
			if p.Status != catalog.StatusDraft || p.Topotop || p.Version != 1 || p.ProducerID != producer.ID || p.OwnerID != owner.UserID {
				t.Errorf("new product = status %s, topotop %v, version %d, producer %s, owner %s", p.Status, p.Topotop, p.Version, p.ProducerID, p.OwnerID)
			}
		})
	}
}

func TestCreateProductStoresNormalisedFields(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	owner, _ := f.producer(t, "TH-51")
	created := f.product(t, owner, nil)
	got, err := f.svc.GetProduct(f.ctx, owner, created.ID)
	if err != nil {
		t.Fatalf("GetProduct: %v", err)
	}
	if !slices.Equal(got.Tags, []string{"silk", "brocade"}) {
		t.Errorf("tags = %q, want lowercased and without repeats", got.Tags)
	}
	if got.HSCode != "500720" {
		t.Errorf("hs_code = %q, want the dots dropped", got.HSCode)
	}
	if got.Price == nil || *got.Price != (catalog.Money{AmountMinor: 450000, Currency: "THB"}) {
		t.Errorf("price = %+v", got.Price)
	}
	if want := []catalog.PriceTier{{MinQuantity: 10, AmountMinor: 420000}, {MinQuantity: 50, AmountMinor: 390000}}; !slices.Equal(got.PriceTiers, want) {
		t.Errorf("price tiers = %+v", got.PriceTiers)
	}
	if len(got.Certifications) != 2 || got.Certifications[0].Kind != "gi" || got.Certifications[0].ExpiresOn != nil ||
		got.Certifications[1].ExpiresOn == nil || got.Certifications[1].ExpiresOn.Format(time.DateOnly) != "2027-09-30" {
		t.Errorf("certifications = %+v", got.Certifications)
	}
	if *got.OTOPStars != 5 || *got.OTOPStarsYear != 2024 || got.CreativeIndustry != "crafts" || *got.MonthlyCapacity != 60 {
		t.Errorf("product = %+v", got)
	}
}

func TestCreateProductNeedsAProducerWithAProfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	tests := []struct {
		name  string
		who   account.Principal
		want  error
		field string
	}{
		{"anonymous", account.Principal{}, errs.ErrUnauthenticated, ""},
		{"importer", f.user(t, account.RoleImporter, ""), errs.ErrForbidden, ""},
		{"curator", f.user(t, account.RoleCurator, "bangkok"), errs.ErrForbidden, ""},
		{"producer without a profile", f.user(t, account.RoleProducer, ""), nil, "producer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.CreateProduct(f.ctx, tt.who, completeInput())
			if tt.field != "" {
				wantFields(t, err, tt.field)
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("CreateProduct = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestProductValidationReportsEachBadField(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	owner, _ := f.producer(t, "TH-50")
	tiers := func(ts ...[2]int64) *[]catalog.PriceTierInput {
		out := make([]catalog.PriceTierInput, len(ts))
		for i, t := range ts {
			out[i] = catalog.PriceTierInput{MinQuantity: ptr(int(t[0])), AmountMinor: ptr(t[1])}
		}
		return &out
	}
	certs := func(cs ...catalog.CertificationInput) *[]catalog.CertificationInput { return &cs }
	tests := []struct {
		name   string
		edit   func(*catalog.ProductInput)
		fields []string // nil: valid
	}{
		{"complete product is valid", func(*catalog.ProductInput) {}, nil},
		{"minimal draft is valid", func(in *catalog.ProductInput) {
			*in = catalog.ProductInput{NameTH: ptr("น้ำพริกหนุ่ม"), NameEN: ptr("Nam Prik Num chilli dip"), Category: ptr("food")}
		}, nil},
		{"names are required", func(in *catalog.ProductInput) { in.NameTH, in.NameEN = ptr(" "), nil }, []string{"name_th", "name_en"}},
		{"Thai name needs Thai script", func(in *catalog.ProductInput) { in.NameTH = ptr("Lamphun silk") }, []string{"name_th"}},
		{"names at most 200 characters", func(in *catalog.ProductInput) {
			in.NameTH, in.NameEN = ptr(strings.Repeat("ผ", 201)), ptr(strings.Repeat("a", 201))
		}, []string{"name_th", "name_en"}},
		{"200 Thai characters are fine", func(in *catalog.ProductInput) { in.NameTH = ptr(strings.Repeat("ผ", 200)) }, nil},
		{"description at most 5000 characters", func(in *catalog.ProductInput) { in.DescriptionEN = ptr(strings.Repeat("a", 5001)) }, []string{"description_en"}},
		{"category from the taxonomy", func(in *catalog.ProductInput) { in.Category = ptr("jewellery") }, []string{"category"}},
		{"stock from 0", func(in *catalog.ProductInput) { in.Stock = catalog.Set(-1) }, []string{"stock"}},
		{"stock at most a billion", func(in *catalog.ProductInput) { in.Stock = catalog.Set(1_000_000_001) }, []string{"stock"}},
		{"stock 0 is sold out, not made to order", func(in *catalog.ProductInput) { in.Stock = catalog.Set(0) }, nil},
		{"sku of letters, digits and . _ / -", func(in *catalog.ProductInput) { in.SKU = catalog.Set("LP-SILK/01.a_b") }, nil},
		{"sku without spaces", func(in *catalog.ProductInput) { in.SKU = catalog.Set("LP SILK") }, []string{"sku"}},
		{"sku at most 64 characters", func(in *catalog.ProductInput) { in.SKU = catalog.Set(strings.Repeat("a", 65)) }, []string{"sku"}},
		{"sku in Latin letters", func(in *catalog.ProductInput) { in.SKU = catalog.Set("ผ้า-01") }, []string{"sku"}},
		{"category is required", func(in *catalog.ProductInput) { in.Category = nil }, []string{"category"}},
		{"creative industry from the taxonomy", func(in *catalog.ProductInput) { in.CreativeIndustry = catalog.Set("sports") }, []string{"creative_industry"}},
		{"creative industry may be null", func(in *catalog.ProductInput) { in.CreativeIndustry = catalog.Clear[string]() }, nil},
		{"stars 1 to 5", func(in *catalog.ProductInput) { in.OTOPStars = catalog.Set(6) }, []string{"otop_stars"}},
		{"stars year from 2001", func(in *catalog.ProductInput) { in.OTOPStarsYear = catalog.Set(2000) }, []string{"otop_stars_year"}},
		{"stars year up to next year", func(in *catalog.ProductInput) { in.OTOPStarsYear = catalog.Set(2027) }, nil},
		{"stars year not after next year", func(in *catalog.ProductInput) { in.OTOPStarsYear = catalog.Set(2028) }, []string{"otop_stars_year"}},
		{"stars need a year", func(in *catalog.ProductInput) { in.OTOPStarsYear = nil }, []string{"otop_stars_year"}},
		{"a year needs stars", func(in *catalog.ProductInput) { in.OTOPStars = nil }, []string{"otop_stars"}},
		{"price not negative", func(in *catalog.ProductInput) { in.Price.AmountMinor = ptr(int64(-1)) }, []string{"price.amount_minor"}},
		{"price at most 10^12", func(in *catalog.ProductInput) {
			in.Price.AmountMinor = ptr(int64(1_000_000_000_001))
			in.PriceTiers = nil
		}, []string{"price.amount_minor"}},
		{"price amount is required", func(in *catalog.ProductInput) { in.Price.AmountMinor = nil; in.PriceTiers = nil }, []string{"price.amount_minor"}},
		{"price in THB only", func(in *catalog.ProductInput) { in.Price.Currency = "USD" }, []string{"price.currency"}},
		{"currency defaults to THB", func(in *catalog.ProductInput) { in.Price.Currency = "" }, nil},
		{"tiers strictly increasing", func(in *catalog.ProductInput) { in.PriceTiers = tiers([2]int64{10, 400000}, [2]int64{10, 390000}) }, []string{"price_tiers[1].min_quantity"}},
		{"tiers from the moq", func(in *catalog.ProductInput) { in.PriceTiers = tiers([2]int64{1, 400000}) }, []string{"price_tiers[0].min_quantity"}},
		{"tier amounts not increasing", func(in *catalog.ProductInput) {
			in.PriceTiers = tiers([2]int64{10, 400000}, [2]int64{20, 410000})
		}, []string{"price_tiers[1].amount_minor"}},
		{"first tier not above the price", func(in *catalog.ProductInput) { in.PriceTiers = tiers([2]int64{10, 460000}) }, []string{"price_tiers[0].amount_minor"}},
		{"tier fields are required", func(in *catalog.ProductInput) {
			in.PriceTiers = &[]catalog.PriceTierInput{{}}
		}, []string{"price_tiers[0].min_quantity", "price_tiers[0].amount_minor"}},
		{"at most 10 tiers", func(in *catalog.ProductInput) {
			var ts [][2]int64
			for i := range 11 {
				ts = append(ts, [2]int64{int64(10 + i), 400000})
			}
			in.PriceTiers = tiers(ts...)
		}, []string{"price_tiers"}},
		{"moq at least 1", func(in *catalog.ProductInput) { in.MOQ = ptr(0) }, []string{"moq"}},
		{"moq at most 10^7", func(in *catalog.ProductInput) {
			in.MOQ = ptr(10_000_001)
			in.MonthlyCapacity = nil
			in.PriceTiers = nil
		}, []string{"moq"}},
		{"unit from the list", func(in *catalog.ProductInput) { in.Unit = ptr("gross") }, []string{"unit"}},
		{"capacity covers the moq", func(in *catalog.ProductInput) { in.MonthlyCapacity = catalog.Set(1) }, []string{"monthly_capacity"}},
		{"lead time 0 to 365 days", func(in *catalog.ProductInput) { in.LeadTimeDays = catalog.Set(366) }, []string{"lead_time_days"}},
		{"hs code of 6, 8 or 10 digits", func(in *catalog.ProductInput) { in.HSCode = catalog.Set("5007201") }, []string{"hs_code"}},
		{"hs code of 10 digits", func(in *catalog.ProductInput) { in.HSCode = catalog.Set("5007.20.00.10") }, nil},
		{"weight at least 1 gram", func(in *catalog.ProductInput) { in.WeightGrams = catalog.Set(0) }, []string{"weight_grams"}},
		{"weight at most a tonne", func(in *catalog.ProductInput) { in.WeightGrams = catalog.Set(1_000_001) }, []string{"weight_grams"}},
		{"at most 20 tags", func(in *catalog.ProductInput) {
			tags := make([]string, 21)
			for i := range tags {
				tags[i] = fmt.Sprintf("tag%d", i)
			}
			in.Tags = &tags
		}, []string{"tags"}},
		{"20 tags after repeats are dropped", func(in *catalog.ProductInput) {
			tags := make([]string, 25)
			for i := range tags {
				tags[i] = fmt.Sprintf("TAG%d", i%20)
			}
			in.Tags = &tags
		}, nil},
		{"tags not empty nor longer than 40", func(in *catalog.ProductInput) {
			in.Tags = &[]string{"silk", " ", strings.Repeat("x", 41)}
		}, []string{"tags[1]", "tags[2]"}},
		{"certification kind from the taxonomy", func(in *catalog.ProductInput) {
			in.Certifications = certs(catalog.CertificationInput{Kind: "iso9001", Number: "1"})
		}, []string{"certifications[0].kind"}},
		{"OTOP stars are not a certification", func(in *catalog.ProductInput) {
			in.Certifications = certs(catalog.CertificationInput{Kind: "otop_stars", Number: "5"})
		}, []string{"certifications[0].kind"}},
		{"certification number required and at most 64", func(in *catalog.ProductInput) {
			in.Certifications = certs(catalog.CertificationInput{Kind: "gmp"}, catalog.CertificationInput{Kind: "gmp", Number: strings.Repeat("9", 65)})
		}, []string{"certifications[0].number", "certifications[1].number"}},
		{"certification expiry is a date", func(in *catalog.ProductInput) {
			in.Certifications = certs(catalog.CertificationInput{Kind: "halal", Number: "H-1", ExpiresOn: "31/12/2027"})
		}, []string{"certifications[0].expires_on"}},
		{"certificates not repeated", func(in *catalog.ProductInput) {
			in.Certifications = certs(catalog.CertificationInput{Kind: "halal", Number: "H-1"}, catalog.CertificationInput{Kind: "halal", Number: "H-1"})
		}, []string{"certifications[1].number"}},
		{"at most 20 certifications", func(in *catalog.ProductInput) {
			cs := make([]catalog.CertificationInput, 21)
			for i := range cs {
				cs[i] = catalog.CertificationInput{Kind: "thai_fda", Number: fmt.Sprint(i)}
			}
			in.Certifications = &cs
		}, []string{"certifications"}},
		{"every bad field at once", func(in *catalog.ProductInput) {
			in.NameTH = ptr("silk")
			in.Category = ptr("toys")
			in.OTOPStars = catalog.Set(0)
			in.Price.Currency = "EUR"
			in.MOQ = ptr(0)
			in.Unit = ptr("barrel")
			in.LeadTimeDays = catalog.Set(-1)
			in.HSCode = catalog.Set("12")
			in.WeightGrams = catalog.Set(-5)
			in.Certifications = certs(catalog.CertificationInput{Kind: "otop_stars", Number: "", ExpiresOn: "soon"})
		}, []string{"name_th", "category", "otop_stars", "price.currency", "moq", "unit", "lead_time_days", "hs_code",
			"weight_grams", "certifications[0].kind", "certifications[0].number", "certifications[0].expires_on"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := completeInput()
			tt.edit(&in)
			_, err := f.svc.CreateProduct(f.ctx, owner, in)
			if tt.fields == nil {
				if err != nil {
					t.Fatalf("CreateProduct: %v", err)
				}
				return
			}
			wantFields(t, err, tt.fields...)
		})
	}
}

// visibility matrix: who sees a product in each status.
func TestProductVisibility(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	owner, _ := f.producer(t, "TH-50") // Chiang Mai: Select center chiang-mai
	other, _ := f.producer(t, "TH-51")
	viewers := []struct {
		name    string
		who     account.Principal
		seesAll bool // sees every status
		private bool // sees rejection_reason
	}{
		{"anonymous", account.Principal{}, false, false},
		{"importer", f.user(t, account.RoleImporter, ""), false, false},
		{"another producer", other, false, false},
		{"owner", owner, true, true},
		{"curator of the product's center", f.user(t, account.RoleCurator, "chiang-mai"), true, true},
		{"curator of another center", f.user(t, account.RoleCurator, "songkhla"), false, false},
		{"admin", f.user(t, account.RoleAdmin, ""), true, true},
	}
	for _, status := range catalog.Statuses() {
		p := f.product(t, owner, nil)
		if status != catalog.StatusDraft {
			f.setStatus(t, p.ID, status)
		}
		for _, v := range viewers {
			t.Run(string(status)+"/"+v.name, func(t *testing.T) {
				visible := status == catalog.StatusPublished || v.seesAll
				got, err := f.svc.GetProduct(f.ctx, v.who, p.ID)
				switch {
				case visible && err != nil:
					t.Fatalf("GetProduct = %v, want the product", err)
				case !visible && !errors.Is(err, errs.ErrNotFound):
					t.Fatalf("GetProduct = %v, %v; want ErrNotFound", got.Status, err)
				}
				if status == catalog.StatusRejected && visible && (got.RejectionReason != "") != v.private {
					t.Errorf("rejection reason %q shown to %s", got.RejectionReason, v.name)
				}
			})
		}
	}
}

func TestOthersCannotChangeAProduct(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	owner, _ := f.producer(t, "TH-50")
	other, _ := f.producer(t, "TH-51")
	curator := f.user(t, account.RoleCurator, "chiang-mai")
	importer := f.user(t, account.RoleImporter, "")
	draft := f.product(t, owner, nil)
	published := f.publish(t, owner, nil)
	edit := catalog.ProductInput{NameEN: ptr("Someone else's silk")}
	tests := []struct {
		name string
		who  account.Principal
		id   uuid.UUID
		want error
	}{
		{"another producer, a draft it cannot see", other, draft.ID, errs.ErrNotFound},
		{"another producer, a published product", other, published.ID, errs.ErrForbidden},
		{"an importer, a published product", importer, published.ID, errs.ErrForbidden},
		{"the center's curator, a draft", curator, draft.ID, errs.ErrForbidden},
		{"anonymous, a published product", account.Principal{}, published.ID, errs.ErrUnauthenticated},
		{"anyone, a product that does not exist", other, uuid.New(), errs.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := f.svc.UpdateProduct(f.ctx, tt.who, tt.id, nil, edit); !errors.Is(err, tt.want) {
				t.Errorf("UpdateProduct = %v, want %v", err, tt.want)
			}
			if _, err := f.svc.SubmitProduct(f.ctx, tt.who, tt.id); !errors.Is(err, tt.want) {
				t.Errorf("SubmitProduct = %v, want %v", err, tt.want)
			}
			if err := f.svc.ArchiveProduct(f.ctx, tt.who, tt.id); !errors.Is(err, tt.want) {
				t.Errorf("ArchiveProduct = %v, want %v", err, tt.want)
			}
		})
	}
	for _, id := range []uuid.UUID{draft.ID, published.ID} {
		got, err := f.svc.GetProduct(f.ctx, owner, id)
		if err != nil || got.NameEN != "Lamphun Brocade Silk" || got.Status == catalog.StatusArchived || got.Version != 1+boolInt(id == published.ID) {
			t.Errorf("product %s changed: %+v, %v", id, got, err)
		}
	}
	t.Run("an admin may archive", func(t *testing.T) {
		if err := f.svc.ArchiveProduct(f.ctx, f.user(t, account.RoleAdmin, ""), published.ID); err != nil {
			t.Fatalf("ArchiveProduct by admin: %v", err)
		}
		if _, err := f.svc.GetProduct(f.ctx, account.Principal{}, published.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("archived product is public: %v", err)
		}
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestProductLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	owner, _ := f.producer(t, "TH-50")
	tests := []struct {
		from   catalog.Status
		submit error // nil: allowed
	}{
		{catalog.StatusDraft, nil},
		{catalog.StatusRejected, nil},
		{catalog.StatusPendingReview, errs.ErrConflict},
		{catalog.StatusPublished, errs.ErrConflict},
		{catalog.StatusArchived, errs.ErrConflict},
	}
	for _, tt := range tests {
		t.Run("submit from "+string(tt.from), func(t *testing.T) {
			p := f.product(t, owner, nil)
			if tt.from != catalog.StatusDraft {
				f.setStatus(t, p.ID, tt.from)
			}
			got, err := f.svc.SubmitProduct(f.ctx, owner, p.ID)
			if tt.submit != nil {
				if !errors.Is(err, tt.submit) {
					t.Fatalf("SubmitProduct = %v, want %v", err, tt.submit)
				}
				return
			}
			if err != nil {
				t.Fatalf("SubmitProduct: %v", err)
			}
			if got.Status != catalog.StatusPendingReview || got.SubmittedAt == nil || got.RejectionReason != "" {
				t.Errorf("submitted = status %s, submitted_at %v, reason %q", got.Status, got.SubmittedAt, got.RejectionReason)
			}
		})
	}
	t.Run("an incomplete draft cannot be submitted", func(t *testing.T) {
		p, err := f.svc.CreateProduct(f.ctx, owner, catalog.ProductInput{NameTH: ptr("น้ำผึ้งป่า"), NameEN: ptr("Wild honey"), Category: ptr("food")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.SubmitProduct(f.ctx, owner, p.ID)
		wantFields(t, err, "price", "moq", "unit", "description_en")
		if got, _ := f.svc.GetProduct(f.ctx, owner, p.ID); got.Status != catalog.StatusDraft {
			t.Errorf("status = %s after a refused submit", got.Status)
		}
	})
	t.Run("archive, then nothing changes it", func(t *testing.T) {
		p := f.product(t, owner, nil)
		if err := f.svc.ArchiveProduct(f.ctx, owner, p.ID); err != nil {
			t.Fatalf("ArchiveProduct: %v", err)
		}
		if err := f.svc.ArchiveProduct(f.ctx, owner, p.ID); err != nil {
			t.Errorf("second ArchiveProduct = %v, want nil", err)
		}
		if _, err := f.svc.UpdateProduct(f.ctx, owner, p.ID, nil, catalog.ProductInput{NameEN: ptr("x")}); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("UpdateProduct of archived = %v, want ErrConflict", err)
		}
		got, err := f.svc.GetProduct(f.ctx, owner, p.ID)
		if err != nil || got.Status != catalog.StatusArchived {
			t.Errorf("owner sees %s, %v; want archived", got.Status, err)
		}
	})
}

func TestUpdateProduct(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	owner, _ := f.producer(t, "TH-50")

	t.Run("a stale version is a failed precondition and changes nothing", func(t *testing.T) {
		p := f.product(t, owner, nil)
		if _, err := f.svc.UpdateProduct(f.ctx, owner, p.ID, catalog.MatchVersion(p.Version), catalog.ProductInput{LeadTimeDays: catalog.Set(10)}); err != nil {
			t.Fatalf("first update: %v", err)
		}
		_, err := f.svc.UpdateProduct(f.ctx, owner, p.ID, catalog.MatchVersion(p.Version), catalog.ProductInput{LeadTimeDays: catalog.Set(20)})
		if !errors.Is(err, errs.ErrPrecondition) {
			t.Fatalf("stale update = %v, want ErrPrecondition", err)
		}
		got, _ := f.svc.GetProduct(f.ctx, owner, p.ID)
		if *got.LeadTimeDays != 10 || got.Version != p.Version+1 {
			t.Errorf("after a stale update: lead time %d, version %d", *got.LeadTimeDays, got.Version)
		}
	})
	t.Run("fields are set, cleared and replaced", func(t *testing.T) {
		p := f.product(t, owner, nil)
		got, err := f.svc.UpdateProduct(f.ctx, owner, p.ID, nil, catalog.ProductInput{
			HSCode: catalog.Clear[string](), WeightGrams: catalog.Clear[int](), CreativeIndustry: catalog.Clear[string](),
			OTOPStars: catalog.Clear[int](), OTOPStarsYear: catalog.Clear[int](),
			Tags: &[]string{"Cotton"}, Certifications: &[]catalog.CertificationInput{{Kind: "organic", Number: "ORG-7"}},
			Price: &catalog.MoneyInput{AmountMinor: ptr(int64(480000))},
		})
		if err != nil {
			t.Fatalf("UpdateProduct: %v", err)
		}
		if got.HSCode != "" || got.WeightGrams != nil || got.CreativeIndustry != "" || got.OTOPStars != nil || got.OTOPStarsYear != nil {
			t.Errorf("cleared fields remain: %+v", got)
		}
		if !slices.Equal(got.Tags, []string{"cotton"}) || len(got.Certifications) != 1 || got.Certifications[0].Kind != "organic" {
			t.Errorf("tags %q, certifications %+v", got.Tags, got.Certifications)
		}
		if got.Price.AmountMinor != 480000 || got.NameEN != p.NameEN || got.Version != p.Version+1 || got.Status != catalog.StatusDraft {
			t.Errorf("updated = %+v", got)
		}
	})
	t.Run("editing a published product sends it back to review", func(t *testing.T) {
		p := f.publish(t, owner, nil)
		cur, _ := f.svc.GetProduct(f.ctx, owner, p.ID)
		got, err := f.svc.UpdateProduct(f.ctx, owner, p.ID, catalog.MatchVersion(cur.Version), catalog.ProductInput{DescriptionEN: ptr("Now with a gift box.")})
		if err != nil {
			t.Fatalf("UpdateProduct: %v", err)
		}
		if got.Status != catalog.StatusPendingReview || got.SubmittedAt == nil {
			t.Errorf("status = %s, submitted_at %v; want pending_review", got.Status, got.SubmittedAt)
		}
		if _, err := f.svc.GetProduct(f.ctx, account.Principal{}, p.ID); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("product under review is still public: %v", err)
		}
	})
	t.Run("a published product edited to nothing new stays published", func(t *testing.T) {
		p := f.publish(t, owner, nil)
		cur, _ := f.svc.GetProduct(f.ctx, owner, p.ID)
		got, err := f.svc.UpdateProduct(f.ctx, owner, p.ID, catalog.MatchVersion(cur.Version), catalog.ProductInput{
			NameEN: ptr(cur.NameEN), Tags: &[]string{"SILK", "brocade"}, HSCode: catalog.Set("500720"),
			Certifications: &[]catalog.CertificationInput{{Kind: "gi", Number: "สช 49100006"}, {Kind: "mor_phor_chor", Number: "มผช. 3/2565", ExpiresOn: "2027-09-30"}},
		})
		if err != nil || got.Status != catalog.StatusPublished || got.Version != cur.Version {
			t.Fatalf("no-op update = %s version %d, %v; want published version %d", got.Status, got.Version, err, cur.Version)
		}
	})
	t.Run("a published product must stay complete", func(t *testing.T) {
		p := f.publish(t, owner, nil)
		_, err := f.svc.UpdateProduct(f.ctx, owner, p.ID, nil, catalog.ProductInput{DescriptionTH: ptr(""), DescriptionEN: ptr("")})
		wantFields(t, err, "description_en")
	})
	t.Run("a rejected product stays rejected until submitted", func(t *testing.T) {
		p := f.product(t, owner, nil)
		f.setStatus(t, p.ID, catalog.StatusRejected)
		got, err := f.svc.UpdateProduct(f.ctx, owner, p.ID, nil, catalog.ProductInput{NameEN: ptr("Sharper photos now")})
		if err != nil || got.Status != catalog.StatusRejected || got.RejectionReason == "" {
			t.Fatalf("update of rejected = %s %q, %v", got.Status, got.RejectionReason, err)
		}
	})
}

func TestTagsSurviveTheDatabaseWhateverTheyContain(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	owner, _ := f.producer(t, "TH-50")
	tags := []string{`a,b`, `say "hi"`, `back\slash`, `{braces}`, `NULL`, `ผ้าไหม มัดหมี่`, `  Spaced   Words `, `'quote'`}
	want := []string{`a,b`, `say "hi"`, `back\slash`, `{braces}`, `null`, `ผ้าไหม มัดหมี่`, `spaced words`, `'quote'`}
	p := f.product(t, owner, func(in *catalog.ProductInput) { in.Tags = &tags })
	got, err := f.svc.GetProduct(f.ctx, owner, p.ID)
	if err != nil {
		t.Fatalf("GetProduct: %v", err)
	}
	if !slices.Equal(got.Tags, want) {
		t.Errorf("tags = %q, want %q", got.Tags, want)
	}
	page, err := f.svc.ListProducts(f.ctx, owner, catalog.ProductFilter{Producer: p.ProducerID, Status: []catalog.Status{catalog.StatusDraft}})
	if err != nil || len(page.Items) != 1 || !slices.Equal(page.Items[0].Tags, want) {
		t.Errorf("listed tags = %+v, %v", page.Items, err)
	}
}

func TestStockAndSKUAreTheProducersToKeep(t *testing.T) {
	t.Parallel()
	f := newFixture(t, time.Second)
	owner, _ := f.producer(t, "TH-50")

	t.Run("changing stock or sku keeps a published product published", func(t *testing.T) {
		p := f.publish(t, owner, nil)
		got, err := f.svc.UpdateProduct(f.ctx, owner, p.ID, nil, catalog.ProductInput{Stock: catalog.Set(40), SKU: catalog.Set("CM-SILK-40")})
		if err != nil {
			t.Fatalf("UpdateProduct: %v", err)
		}
		if got.Status != catalog.StatusPublished || got.Stock == nil || *got.Stock != 40 || got.SKU != "CM-SILK-40" {
			t.Errorf("after a stock change: status %s, stock %v, sku %q", got.Status, got.Stock, got.SKU)
		}
		got, err = f.svc.UpdateProduct(f.ctx, owner, p.ID, nil, catalog.ProductInput{Stock: catalog.Clear[int]()})
		if err != nil || got.Stock != nil || got.Status != catalog.StatusPublished {
			t.Errorf("made to order again: stock %v, status %s, err %v", got.Stock, got.Status, err)
		}
	})
	t.Run("any reviewed field sends it back to review", func(t *testing.T) {
		p := f.publish(t, owner, nil)
		got, err := f.svc.UpdateProduct(f.ctx, owner, p.ID, nil, catalog.ProductInput{Stock: catalog.Set(5), LeadTimeDays: catalog.Set(21)})
		if err != nil || got.Status != catalog.StatusPendingReview {
			t.Errorf("status %s, err %v; want pending_review", got.Status, err)
		}
	})
	t.Run("a sku is unique among the producer's products only", func(t *testing.T) {
		f.product(t, owner, func(in *catalog.ProductInput) { in.SKU = catalog.Set("DUP-1") })
		_, err := f.svc.CreateProduct(f.ctx, owner, func() catalog.ProductInput {
			in := completeInput()
			in.SKU = catalog.Set("DUP-1")
			return in
		}())
		wantFields(t, err, "sku")
		second := f.product(t, owner, nil)
		_, err = f.svc.UpdateProduct(f.ctx, owner, second.ID, nil, catalog.ProductInput{SKU: catalog.Set("DUP-1")})
		wantFields(t, err, "sku")
		other, _ := f.producer(t, "TH-10")
		f.product(t, other, func(in *catalog.ProductInput) { in.SKU = catalog.Set("DUP-1") })
	})
}
