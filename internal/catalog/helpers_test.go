package catalog_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/testenv"
)

// clock is a test clock that advances by step on every reading.
type clock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := c.now
	c.now = c.now.Add(c.step)
	return t
}

type fixture struct {
	svc   *catalog.Service
	db    *gorm.DB
	clock *clock
	ctx   context.Context
	users int
}

// newFixture is a catalogue service on the test's own database, with a clock
// that advances by step on every reading (0: every write has the same time).
func newFixture(t *testing.T, step time.Duration) *fixture {
	t.Helper()
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatalf("load taxonomy: %v", err)
	}
	db := testenv.DB(t)
	c := &clock{now: time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC), step: step}
	return &fixture{svc: catalog.NewService(postgres.NewCatalog(db), tax, c.Now), db: db, clock: c, ctx: context.Background()}
}

// user inserts an account directly (the account service is not under test).
func (f *fixture) user(t *testing.T, role account.Role, center string) account.Principal {
	t.Helper()
	f.users++
	var country, centerID *string
	if role == account.RoleImporter {
		jp := "JP"
		country = &jp
	}
	if center != "" {
		centerID = &center
	}
	var id uuid.UUID
	err := f.db.Raw(`INSERT INTO users (email, password_hash, role, display_name, country, select_center_id)
		VALUES (?, 'x', ?, 'test user', ?, ?) RETURNING id`,
		uuid.NewString()+"@example.com", string(role), country, centerID).Row().Scan(&id)
	if err != nil {
		t.Fatalf("insert %s user: %v", role, err)
	}
	return account.Principal{UserID: id, Role: role, SelectCenterID: center}
}

func ptr[T any](v T) *T { return &v }

func producerInput(province string) catalog.ProducerInput {
	return catalog.ProducerInput{
		NameTH: ptr("กลุ่มทอผ้าไหมบ้านหนองเงือก"), NameEN: ptr("Ban Nong Nguek Weavers"), Kind: ptr("community_enterprise"),
		ProvinceCode: ptr(province), Amphoe: ptr("ป่าซาง"), Tambon: ptr("มะกอก"), EnterpriseLevel: ptr(2),
		StoryTH: ptr("ทอผ้าไหมยกดอกมาตั้งแต่ปี 2528"), StoryEN: ptr("Weaving brocade since 1985."),
		Contact: &catalog.ContactInput{Phone: ptr("+66 53 521 234"), Email: ptr("weavers@example.com")},
	}
}

// producer creates a producer account with a profile in the province.
func (f *fixture) producer(t *testing.T, province string) (account.Principal, catalog.Producer) {
	t.Helper()
	p := f.user(t, account.RoleProducer, "")
	prod, err := f.svc.CreateProducer(f.ctx, p, producerInput(province))
	if err != nil {
		t.Fatalf("CreateProducer: %v", err)
	}
	return p, prod
}

// completeInput is a product ready for review.
func completeInput() catalog.ProductInput {
	return catalog.ProductInput{
		NameTH: ptr("ผ้าไหมยกดอกลำพูน"), NameEN: ptr("Lamphun Brocade Silk"),
		DescriptionTH: ptr("ผ้าไหมทอมือ"), DescriptionEN: ptr("Hand-woven silk brocade."),
		Category: ptr("textile"), CreativeIndustry: catalog.Set("crafts"),
		OTOPStars: catalog.Set(5), OTOPStarsYear: catalog.Set(2024),
		Price: &catalog.MoneyInput{AmountMinor: ptr(int64(450000)), Currency: "THB"},
		PriceTiers: &[]catalog.PriceTierInput{
			{MinQuantity: ptr(10), AmountMinor: ptr(int64(420000))},
			{MinQuantity: ptr(50), AmountMinor: ptr(int64(390000))},
		},
		MOQ: ptr(2), Unit: ptr("piece"), MonthlyCapacity: catalog.Set(60), LeadTimeDays: catalog.Set(30),
		HSCode: catalog.Set("5007.20"), WeightGrams: catalog.Set(450), Tags: &[]string{"Silk", " brocade ", "silk"},
		Certifications: &[]catalog.CertificationInput{
			{Kind: "gi", Number: "สช 49100006"},
			{Kind: "mor_phor_chor", Number: "มผช. 3/2565", ExpiresOn: "2027-09-30"},
		},
	}
}

// product creates a complete draft of owner's, changed by edit.
func (f *fixture) product(t *testing.T, owner account.Principal, edit func(*catalog.ProductInput)) catalog.Product {
	t.Helper()
	in := completeInput()
	if edit != nil {
		edit(&in)
	}
	p, err := f.svc.CreateProduct(f.ctx, owner, in)
	if err != nil {
		t.Fatalf("CreateProduct: %v", err)
	}
	return p
}

// setStatus moves a product to a status directly in the database, as the
// curation service (another issue) will.
func (f *fixture) setStatus(t *testing.T, id uuid.UUID, status catalog.Status) {
	t.Helper()
	if status == catalog.StatusPublished {
		// A curator verified the claims before approving (search and the
		// min_stars filter count verified claims only); before the status
		// changes, so that publishing is one change for the outbox.
		f.verifyClaims(t, id)
	}
	var reason *string
	if status == catalog.StatusRejected {
		reason = ptr("ภาพไม่ชัด / photos are blurred")
	}
	err := f.db.Exec(`UPDATE products SET status = ?, rejection_reason = ?,
		published_at = CASE WHEN ? = 'published' THEN now() ELSE published_at END, version = version + 1
		WHERE id = ?`, string(status), reason, string(status), id).Error
	if err != nil {
		t.Fatalf("set status %s: %v", status, err)
	}
}

// verifyClaims marks a product's certificates and stars verified.
func (f *fixture) verifyClaims(t *testing.T, id uuid.UUID) {
	t.Helper()
	if err := f.db.Exec("UPDATE product_certifications SET verification = 'verified', verified_at = now() WHERE product_id = ?", id).Error; err != nil {
		t.Fatalf("verify certificates: %v", err)
	}
	if err := f.db.Exec("UPDATE products SET stars_verification = 'verified', stars_verified_at = now() WHERE id = ? AND otop_stars IS NOT NULL", id).Error; err != nil {
		t.Fatalf("verify stars: %v", err)
	}
}

func (f *fixture) publish(t *testing.T, owner account.Principal, edit func(*catalog.ProductInput)) catalog.Product {
	t.Helper()
	p := f.product(t, owner, edit)
	f.setStatus(t, p.ID, catalog.StatusPublished)
	return p
}

// fieldsOf returns the fields named by a validation error, or fails.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var ve *errs.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v, want a *errs.ValidationError", err)
	}
	out := make([]string, len(ve.Fields))
	for i, fe := range ve.Fields {
		out[i] = fe.Field
	}
	return out
}

// wantFields checks that err names exactly these fields, each once.
func wantFields(t *testing.T, err error, want ...string) {
	t.Helper()
	got := fieldsOf(t, err)
	sort.Strings(got)
	want = slices.Clone(want)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("invalid fields = %q, want %q (error: %v)", got, want, err)
	}
}

func ids(products []catalog.Product) []uuid.UUID {
	out := make([]uuid.UUID, len(products))
	for i, p := range products {
		out[i] = p.ID
	}
	return out
}

// listAll walks every page of a list and returns the ids in order.
func (f *fixture) listAll(t *testing.T, p account.Principal, filter catalog.ProductFilter) []uuid.UUID {
	t.Helper()
	var out []uuid.UUID
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("pagination does not end")
		}
		page, err := f.svc.ListProducts(f.ctx, p, filter)
		if err != nil {
			t.Fatalf("ListProducts(%+v): %v", filter, err)
		}
		out = append(out, ids(page.Items)...)
		if page.NextCursor == "" {
			return out
		}
		filter.Cursor = page.NextCursor
	}
}
