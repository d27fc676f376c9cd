// Package catalog holds producers (the enterprise profiles of village
// producers) and their products: the types, the rules a product follows
// through its lifecycle, who may see and change what, and the small
// interfaces the service consumes.
package catalog

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/keyset"
	"github.com/otopmarket/otop/internal/media"
	"github.com/otopmarket/otop/internal/notify"
	"github.com/otopmarket/otop/internal/taxonomy"
)

// ProducerKind is the legal form of a producer.
type ProducerKind string

// The kinds of producer.
const (
	KindCommunityEnterprise ProducerKind = "community_enterprise"
	KindVillageGroup        ProducerKind = "village_group"
	KindSME                 ProducerKind = "sme"
	KindIndividual          ProducerKind = "individual"
)

// Valid reports whether k is one of the four kinds.
func (k ProducerKind) Valid() bool {
	switch k {
	case KindCommunityEnterprise, KindVillageGroup, KindSME, KindIndividual:
		return true
	}
	return false
}

// Contact holds a producer's private contact details.
type Contact struct {
	Phone   string
	Email   string
	LineID  string
	Website string
}

// Producer is the enterprise profile of a producer account.
type Producer struct {
	ID     uuid.UUID
	UserID uuid.UUID
	NameTH string
	NameEN string
	Kind   ProducerKind
	// ProvinceCode is fixed when the profile is created; ClusterID ("" for
	// Bangkok) and Region are derived from it.
	ProvinceCode    string
	ClusterID       string
	Region          string
	Amphoe          string
	Tambon          string
	EnterpriseLevel int // 1–4: "enterprise 1.0–4.0" of seed 000
	StoryTH         string
	StoryEN         string
	// Contact is nil in the public view; the owner and staff see it.
	Contact   *Contact
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// Status is where a product is in its lifecycle.
type Status string

// The product lifecycle: draft → pending_review → published | rejected → archived.
const (
	StatusDraft         Status = "draft"
	StatusPendingReview Status = "pending_review"
	StatusPublished     Status = "published"
	StatusRejected      Status = "rejected"
	StatusArchived      Status = "archived"
)

// Statuses lists every status in lifecycle order.
func Statuses() []Status {
	return []Status{StatusDraft, StatusPendingReview, StatusPublished, StatusRejected, StatusArchived}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusDraft, StatusPendingReview, StatusPublished, StatusRejected, StatusArchived:
		return true
	}
	return false
}

// Money is an amount in minor units (satang for THB) of a currency; never a float.
type Money struct {
	AmountMinor int64
	Currency    string
}

// PriceTier is the unit price from a quantity up, in the product's currency.
type PriceTier struct {
	MinQuantity int
	AmountMinor int64
}

// VerificationState is what a curator made of a producer's claim.
type VerificationState string

// The verification states of a claim (a certificate, the OTOP stars).
const (
	Unverified VerificationState = "unverified"
	Verified   VerificationState = "verified"
	Disputed   VerificationState = "disputed"
)

// Valid reports whether s is a verdict a curator may give.
func (s VerificationState) Valid() bool { return s == Verified || s == Disputed }

// Verification records who checked a claim, when, and what they found. The
// zero value is an unverified claim.
type Verification struct {
	State VerificationState // "" means unverified
	By    uuid.UUID
	At    *time.Time
	Note  string
}

// IsVerified reports whether a curator confirmed the claim.
func (v Verification) IsVerified() bool { return v.State == Verified }

// StateOrUnverified is the state, spelling the zero value out.
func (v Verification) StateOrUnverified() VerificationState {
	if v.State == "" {
		return Unverified
	}
	return v.State
}

// Certification is a certificate a product holds (Thai FDA, มผช., GMP...).
// The OTOP star rating is not one: it is Product.OTOPStars. What the
// producer enters is a claim until a curator verifies it; changing the
// certificate clears the verification.
type Certification struct {
	Kind         string
	Number       string
	ExpiresOn    *time.Time // a date (UTC midnight); nil when it does not expire
	Verification Verification
}

// Counts reports whether the certificate counts for search and TOPOTOP:
// verified and not expired on the given day.
func (c Certification) Counts(now time.Time) bool {
	return c.Verification.IsVerified() && !c.Expired(now)
}

// Expired reports whether the certificate has expired on the given day.
func (c Certification) Expired(now time.Time) bool {
	if c.ExpiresOn == nil {
		return false
	}
	y, m, d := now.UTC().Date()
	return c.ExpiresOn.Before(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// Product is an item a producer lists. Empty strings and nil pointers are
// absent values (a draft may lack a price, an MOQ or a unit).
type Product struct {
	ID         uuid.UUID
	ProducerID uuid.UUID
	// OwnerID is the user who owns the producer profile. It decides who may
	// change the product and is not part of its representation.
	OwnerID          uuid.UUID
	Status           Status
	NameTH           string
	NameEN           string
	DescriptionTH    string
	DescriptionEN    string
	Category         string
	CreativeIndustry string
	OTOPStars        *int
	OTOPStarsYear    *int
	Price            *Money
	PriceTiers       []PriceTier
	MOQ              *int
	Unit             string
	MonthlyCapacity  *int
	LeadTimeDays     *int
	HSCode           string
	WeightGrams      *int
	// Stock is the units on hand, lowered by every order; nil means made to
	// order. It and SKU are the producer's to keep current: changing them
	// does not send a published product back to review.
	Stock *int
	// SKU is the producer's own reference, unique among their products.
	SKU            string
	Tags           []string
	Certifications []Certification
	// Derived from the producer's province when the product is created.
	ProvinceCode   string
	ClusterID      string // "" for Bangkok
	Region         string
	SelectCenterID string
	Topotop        bool
	// RejectionReason is the curator's reason; only the owner and staff see it.
	RejectionReason string
	// StarsVerification is a curator's check of OTOPStars; only verified
	// stars count for search and TOPOTOP.
	StarsVerification Verification
	// ReviewedBy and ReviewedAt name the last decision (approve or reject).
	ReviewedBy uuid.UUID
	ReviewedAt *time.Time
	// Images are the product's photos in display order.
	Images      []media.Image
	SubmittedAt *time.Time
	PublishedAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

// IfMatch is what an If-Match header asks of a change (RFC 9110): nil asks
// nothing (no header, or "*"); otherwise the change applies only when the
// stored version is one of these. An empty list (only weak entity-tags, or
// tags that are no version of ours) matches nothing.
type IfMatch []int

// MatchVersion asks for exactly version v.
func MatchVersion(v int) IfMatch { return IfMatch{v} }

// Matches reports whether the stored version v satisfies m.
func (m IfMatch) Matches(v int) bool { return m == nil || slices.Contains(m, v) }

// Null is a PATCH value for a field that can be cleared. In an input, a nil
// *Null leaves the field unchanged, &Null{} clears it and
// &Null{Value: v, Valid: true} sets it.
type Null[T any] struct {
	Value T
	Valid bool
}

// Set returns a *Null holding v.
func Set[T any](v T) *Null[T] { return &Null[T]{Value: v, Valid: true} }

// Clear returns a *Null that clears a field.
func Clear[T any]() *Null[T] { return &Null[T]{} }

// ContactInput changes contact details; nil fields are unchanged and an
// empty string clears one.
type ContactInput struct {
	Phone   *string
	Email   *string
	LineID  *string
	Website *string
}

// ProducerInput creates or changes a producer profile. A nil field is
// unchanged (or absent, on create).
type ProducerInput struct {
	NameTH          *string
	NameEN          *string
	Kind            *string
	ProvinceCode    *string // only on create
	Amphoe          *string
	Tambon          *string
	EnterpriseLevel *int
	StoryTH         *string
	StoryEN         *string
	Contact         *ContactInput
}

// CertificationInput is a certificate as a client sends it.
type CertificationInput struct {
	Kind      string
	Number    string
	ExpiresOn string // YYYY-MM-DD, or "" when it does not expire
}

// MoneyInput is a price as a client sends it; an empty currency means THB.
// A nil amount is missing (and reported), never zero.
type MoneyInput struct {
	AmountMinor *int64
	Currency    string
}

// PriceTierInput is a price tier as a client sends it; nil fields are missing.
type PriceTierInput struct {
	MinQuantity *int
	AmountMinor *int64
}

// ProductInput creates or changes a product. A nil field is unchanged (or
// absent, on create). Status, TOPOTOP, the Select center, the producer and
// the place are not here: a producer never sets them.
type ProductInput struct {
	NameTH           *string
	NameEN           *string
	DescriptionTH    *string
	DescriptionEN    *string
	Category         *string
	CreativeIndustry *Null[string]
	OTOPStars        *Null[int]
	OTOPStarsYear    *Null[int]
	Price            *MoneyInput
	PriceTiers       *[]PriceTierInput
	MOQ              *int
	Unit             *string
	MonthlyCapacity  *Null[int]
	LeadTimeDays     *Null[int]
	HSCode           *Null[string]
	WeightGrams      *Null[int]
	Stock            *Null[int]
	SKU              *Null[string]
	Tags             *[]string
	Certifications   *[]CertificationInput
}

// Sort is the order of a product list.
type Sort string

// The product sorts. Ties are broken by id, so every order is total.
const (
	// SortNewest: most recently created first (created_at DESC, id DESC). The default.
	SortNewest Sort = "newest"
	// SortPriceAsc: cheapest first (price ASC, id ASC); a draft without a price comes last.
	SortPriceAsc Sort = "price_asc"
	// SortPriceDesc: dearest first (price DESC, id DESC); a draft without a price comes first.
	SortPriceDesc Sort = "price_desc"
	// SortName: by English name (name_en ASC, id ASC).
	SortName Sort = "name"
)

// Sorts lists the product sorts.
func Sorts() []Sort { return []Sort{SortNewest, SortPriceAsc, SortPriceDesc, SortName} }

// Page sizes of lists.
const (
	DefaultLimit = keyset.DefaultLimit
	MaxLimit     = keyset.MaxLimit
)

// ProductFilter selects products for a list. Empty fields do not filter.
type ProductFilter struct {
	Province         string
	Cluster          string
	Region           string
	Category         string
	SelectCenter     string
	CreativeIndustry string
	Topotop          *bool
	MinStars         int
	Producer         uuid.UUID
	// Status is published when empty. Other statuses are for staff and for a
	// producer listing their own products (Producer set to their profile).
	Status []Status
	Sort   Sort
	Limit  int // DefaultLimit when 0; at most MaxLimit
	Cursor string
}

// ProducerFilter selects producers for a list.
type ProducerFilter struct {
	Province string
	Cluster  string
	Limit    int
	Cursor   string
}

// Page is one page of a list. NextCursor is "" on the last page.
type Page[T any] struct {
	Items      []T
	NextCursor string
}

// Position is where a keyset page starts: the sort key of the last row seen
// and its id. Only the key of the query's sort is meaningful.
type Position struct {
	CreatedAt time.Time
	Price     *int64 // nil: the row had no price
	NameEN    string
	ID        uuid.UUID
}

// ProductQuery is a validated ProductFilter as the repository runs it.
type ProductQuery struct {
	ProductFilter
	After *Position // nil on the first page
	// Export reads a page of an export: the products without their images
	// (a sheet does not carry them).
	Export bool
}

// ProducerQuery is a validated ProducerFilter as the repository runs it.
type ProducerQuery struct {
	ProducerFilter
	After *Position
}

// VerifiedStars is the OTOP star rating when a curator verified it, else 0.
func (p Product) VerifiedStars() int {
	if p.OTOPStars == nil || !p.StarsVerification.IsVerified() {
		return 0
	}
	return *p.OTOPStars
}

// Effects are written in the transaction of a product change, so that the
// change, its audit rows, its notifications (and, through triggers, its
// search outbox rows) commit together or not at all.
type Effects struct {
	Audit         []audit.Entry
	Notifications []notify.Notification
	// Published, when set, replaces the product's published version: the
	// public fields a later resubmission is compared with.
	Published map[string]any
}

// Repository stores producers and products. Its errors are the errs kinds:
// errs.ErrNotFound, errs.ErrConflict (a duplicate), errs.ErrPrecondition (the
// stored version is not the one expected).
type Repository interface {
	CreateProducer(ctx context.Context, p Producer) (Producer, error)
	// UpdateProducer stores p and fx's audit rows if the stored version is
	// still version, and returns it with its version incremented.
	UpdateProducer(ctx context.Context, p Producer, version int, fx Effects) (Producer, error)
	Producer(ctx context.Context, id uuid.UUID) (Producer, error)
	ProducerByUser(ctx context.Context, userID uuid.UUID) (Producer, error)
	// ListProducers returns up to q.Limit producers, newest first, after q.After.
	ListProducers(ctx context.Context, q ProducerQuery) ([]Producer, error)

	CreateProduct(ctx context.Context, p Product) (Product, error)
	// UpdateProduct stores p (certificates included) and fx if the product
	// is still at stored's version (stored is the product as the caller
	// read it), and returns p with its version incremented.
	UpdateProduct(ctx context.Context, p, stored Product, fx Effects) (Product, error)
	Product(ctx context.Context, id uuid.UUID) (Product, error)
	// ListProducts returns up to q.Limit products in q.Sort order, after q.After.
	ListProducts(ctx context.Context, q ProductQuery) ([]Product, error)
}

// Places is the reference data the service consults (a *taxonomy.Taxonomy).
type Places interface {
	Province(code string) (taxonomy.Province, bool)
	Region(id string) (taxonomy.Region, bool)
	Cluster(id string) (taxonomy.Cluster, bool)
	SelectCenter(id string) (taxonomy.SelectCenter, bool)
	Category(id string) (taxonomy.Category, bool)
	CreativeIndustry(id string) (taxonomy.CreativeIndustry, bool)
	CertificationKind(id string) (taxonomy.CertificationKind, bool)
}
