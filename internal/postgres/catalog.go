package postgres

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bytedance/sonic"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/media"
)

// Catalog stores producers, products and their certificates; it implements
// catalog.Repository.
type Catalog struct{ db *gorm.DB }

// NewCatalog returns the catalogue repository.
func NewCatalog(db *gorm.DB) *Catalog { return &Catalog{db: db} }

var _ catalog.Repository = (*Catalog)(nil)

// ---------------------------------------------------------------------------
// Records

type producerRecord struct {
	ID              uuid.UUID `gorm:"type:uuid;default:gen_random_uuid()"`
	UserID          uuid.UUID
	NameTH          string `gorm:"column:name_th"`
	NameEN          string `gorm:"column:name_en"`
	Kind            string
	ProvinceCode    string
	ClusterID       *string
	Region          string
	Amphoe          string
	Tambon          string
	EnterpriseLevel int
	StoryTH         string `gorm:"column:story_th"`
	StoryEN         string `gorm:"column:story_en"`
	Phone           string
	Email           string
	LineID          string `gorm:"column:line_id"`
	Website         string
	CreatedAt       time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt       time.Time `gorm:"autoUpdateTime:false"`
	Version         int
}

func (producerRecord) TableName() string { return "producers" }

func newProducerRecord(p catalog.Producer) producerRecord {
	r := producerRecord{
		ID: p.ID, UserID: p.UserID, NameTH: p.NameTH, NameEN: p.NameEN, Kind: string(p.Kind),
		ProvinceCode: p.ProvinceCode, ClusterID: nullable(p.ClusterID), Region: p.Region,
		Amphoe: p.Amphoe, Tambon: p.Tambon, EnterpriseLevel: p.EnterpriseLevel,
		StoryTH: p.StoryTH, StoryEN: p.StoryEN,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version,
	}
	if c := p.Contact; c != nil {
		r.Phone, r.Email, r.LineID, r.Website = c.Phone, c.Email, c.LineID, c.Website
	}
	return r
}

func (r producerRecord) domain() catalog.Producer {
	return catalog.Producer{
		ID: r.ID, UserID: r.UserID, NameTH: r.NameTH, NameEN: r.NameEN, Kind: catalog.ProducerKind(r.Kind),
		ProvinceCode: r.ProvinceCode, ClusterID: deref(r.ClusterID), Region: r.Region,
		Amphoe: r.Amphoe, Tambon: r.Tambon, EnterpriseLevel: r.EnterpriseLevel,
		StoryTH: r.StoryTH, StoryEN: r.StoryEN,
		Contact:   &catalog.Contact{Phone: r.Phone, Email: r.Email, LineID: r.LineID, Website: r.Website},
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
	}
}

type productRecord struct {
	ID                uuid.UUID `gorm:"type:uuid;default:gen_random_uuid()"`
	ProducerID        uuid.UUID
	OwnerID           uuid.UUID `gorm:"->"` // producers.user_id, read through a join
	Status            string
	NameTH            string `gorm:"column:name_th"`
	NameEN            string `gorm:"column:name_en"`
	DescriptionTH     string `gorm:"column:description_th"`
	DescriptionEN     string `gorm:"column:description_en"`
	Category          string
	CreativeIndustry  *string
	OTOPStars         *int `gorm:"column:otop_stars"`
	OTOPStarsYear     *int `gorm:"column:otop_stars_year"`
	PriceMinor        *int64
	Currency          string
	PriceTiers        tierList `gorm:"type:jsonb"`
	MOQ               *int     `gorm:"column:moq"`
	Unit              *string
	MonthlyCapacity   *int
	LeadTimeDays      *int
	HSCode            *string `gorm:"column:hs_code"`
	WeightGrams       *int
	Stock             *int
	SKU               *string   `gorm:"column:sku"`
	Tags              textArray `gorm:"type:text[]"`
	ProvinceCode      string
	ClusterID         *string
	Region            string
	SelectCenterID    string
	Topotop           bool
	RejectionReason   *string
	ReviewedBy        *uuid.UUID
	ReviewedAt        *time.Time
	StarsVerification string
	StarsVerifiedBy   *uuid.UUID
	StarsVerifiedAt   *time.Time
	StarsNote         string
	SubmittedAt       *time.Time
	PublishedAt       *time.Time
	CreatedAt         time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt         time.Time `gorm:"autoUpdateTime:false"`
	Version           int
	// The product's certificates and images as JSON arrays, read in the same
	// query (productColumns) so that a product costs one round trip.
	CertsJSON  []byte `gorm:"->;column:certs_json"`
	ImagesJSON []byte `gorm:"->;column:images_json"`
}

func (productRecord) TableName() string { return "products" }

func newProductRecord(p catalog.Product) productRecord {
	r := productRecord{
		ID: p.ID, ProducerID: p.ProducerID, Status: string(p.Status),
		NameTH: p.NameTH, NameEN: p.NameEN, DescriptionTH: p.DescriptionTH, DescriptionEN: p.DescriptionEN,
		Category: p.Category, CreativeIndustry: nullable(p.CreativeIndustry),
		OTOPStars: p.OTOPStars, OTOPStarsYear: p.OTOPStarsYear, Currency: catalog.Currency,
		MOQ: p.MOQ, Unit: nullable(p.Unit), MonthlyCapacity: p.MonthlyCapacity, LeadTimeDays: p.LeadTimeDays,
		HSCode: nullable(p.HSCode), WeightGrams: p.WeightGrams, Stock: p.Stock, SKU: nullable(p.SKU), Tags: textArray(p.Tags),
		ProvinceCode: p.ProvinceCode, ClusterID: nullable(p.ClusterID), Region: p.Region,
		SelectCenterID: p.SelectCenterID, Topotop: p.Topotop, RejectionReason: nullable(p.RejectionReason),
		ReviewedBy: nullableID(p.ReviewedBy), ReviewedAt: p.ReviewedAt,
		StarsVerification: string(p.StarsVerification.StateOrUnverified()), StarsVerifiedBy: nullableID(p.StarsVerification.By),
		StarsVerifiedAt: p.StarsVerification.At, StarsNote: p.StarsVerification.Note,
		SubmittedAt: p.SubmittedAt, PublishedAt: p.PublishedAt,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Version: p.Version,
	}
	if p.Price != nil {
		amount := p.Price.AmountMinor
		r.PriceMinor, r.Currency = &amount, p.Price.Currency
	}
	r.PriceTiers = make(tierList, len(p.PriceTiers))
	for i, t := range p.PriceTiers {
		r.PriceTiers[i] = tierRecord{MinQuantity: t.MinQuantity, AmountMinor: t.AmountMinor}
	}
	if r.Tags == nil {
		r.Tags = textArray{}
	}
	return r
}

func (r productRecord) domain(certs []certificationRecord) catalog.Product {
	p := catalog.Product{
		ID: r.ID, ProducerID: r.ProducerID, OwnerID: r.OwnerID, Status: catalog.Status(r.Status),
		NameTH: r.NameTH, NameEN: r.NameEN, DescriptionTH: r.DescriptionTH, DescriptionEN: r.DescriptionEN,
		Category: r.Category, CreativeIndustry: deref(r.CreativeIndustry),
		OTOPStars: r.OTOPStars, OTOPStarsYear: r.OTOPStarsYear,
		MOQ: r.MOQ, Unit: deref(r.Unit), MonthlyCapacity: r.MonthlyCapacity, LeadTimeDays: r.LeadTimeDays,
		HSCode: deref(r.HSCode), WeightGrams: r.WeightGrams, Stock: r.Stock, SKU: deref(r.SKU), Tags: []string(r.Tags),
		ProvinceCode: r.ProvinceCode, ClusterID: deref(r.ClusterID), Region: r.Region,
		SelectCenterID: r.SelectCenterID, Topotop: r.Topotop, RejectionReason: deref(r.RejectionReason),
		ReviewedBy: derefID(r.ReviewedBy), ReviewedAt: utcPtr(r.ReviewedAt),
		StarsVerification: verification(r.StarsVerification, r.StarsVerifiedBy, r.StarsVerifiedAt, r.StarsNote),
		SubmittedAt:       utcPtr(r.SubmittedAt), PublishedAt: utcPtr(r.PublishedAt),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
		PriceTiers: make([]catalog.PriceTier, len(r.PriceTiers)), Certifications: make([]catalog.Certification, len(certs)),
	}
	if r.PriceMinor != nil {
		p.Price = &catalog.Money{AmountMinor: *r.PriceMinor, Currency: r.Currency}
	}
	if p.Tags == nil {
		p.Tags = []string{}
	}
	for i, t := range r.PriceTiers {
		p.PriceTiers[i] = catalog.PriceTier{MinQuantity: t.MinQuantity, AmountMinor: t.AmountMinor}
	}
	for i, c := range certs {
		p.Certifications[i] = catalog.Certification{Kind: c.Kind, Number: c.Number, ExpiresOn: dateOnly(c.ExpiresOn),
			Verification: verification(c.Verification, c.VerifiedBy, c.VerifiedAt, c.VerificationNote)}
	}
	return p
}

type certificationRecord struct {
	ProductID        uuid.UUID
	Position         int
	Kind             string
	Number           string
	ExpiresOn        *time.Time `gorm:"type:date"`
	Verification     string
	VerifiedBy       *uuid.UUID
	VerifiedAt       *time.Time
	VerificationNote string
}

func (certificationRecord) TableName() string { return "product_certifications" }

func certificationRecords(p catalog.Product) []certificationRecord {
	out := make([]certificationRecord, len(p.Certifications))
	for i, c := range p.Certifications {
		v := c.Verification
		out[i] = certificationRecord{ProductID: p.ID, Position: i, Kind: c.Kind, Number: c.Number, ExpiresOn: c.ExpiresOn,
			Verification: string(v.StateOrUnverified()), VerifiedBy: nullableID(v.By), VerifiedAt: v.At, VerificationNote: v.Note}
		if v.StateOrUnverified() == catalog.Unverified {
			out[i].VerifiedBy, out[i].VerifiedAt, out[i].VerificationNote = nil, nil, ""
		}
	}
	return out
}

// verification is a claim's verification as the columns hold it.
func verification(state string, by *uuid.UUID, at *time.Time, note string) catalog.Verification {
	if state == "" || state == string(catalog.Unverified) {
		return catalog.Verification{}
	}
	return catalog.Verification{State: catalog.VerificationState(state), By: derefID(by), At: utcPtr(at), Note: note}
}

func nullableID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

func derefID(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// dateOnly is a date column as UTC midnight, whatever zone the driver used.
func dateOnly(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	y, m, d := t.Date()
	u := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &u
}

// tierRecord is one element of products.price_tiers (jsonb).
type tierRecord struct {
	MinQuantity int   `json:"min_quantity"`
	AmountMinor int64 `json:"amount_minor"`
}

type tierList []tierRecord

// Value encodes the tiers as a JSON array.
func (l tierList) Value() (driver.Value, error) {
	if l == nil {
		l = tierList{}
	}
	b, err := json.Marshal([]tierRecord(l))
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// Scan decodes the JSON array of tiers.
func (l *tierList) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	case nil:
		*l = tierList{}
		return nil
	default:
		return fmt.Errorf("price_tiers: cannot scan %T", src)
	}
	// Numbers only, so nothing decoded keeps a reference to the driver's
	// buffer.
	return sonic.Unmarshal(b, (*[]tierRecord)(l))
}

// textArray is a PostgreSQL text[] without NULL elements.
type textArray []string

// Value hands the slice to pgx, which encodes it as text[].
func (a textArray) Value() (driver.Value, error) {
	if a == nil {
		return []string{}, nil
	}
	return []string(a), nil
}

// Scan reads the text form of a one-dimensional array: {a,"b c","d\"e"}.
func (a *textArray) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("text[]: cannot scan %T", src)
	}
	out, err := parseTextArray(s)
	if err != nil {
		return err
	}
	*a = out
	return nil
}

func parseTextArray(s string) ([]string, error) {
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return nil, fmt.Errorf("text[]: malformed %q", s)
	}
	body, out := s[1:len(s)-1], []string{}
	for i := 0; i < len(body); {
		var elem strings.Builder
		if body[i] == '"' {
			for i++; i < len(body) && body[i] != '"'; i++ {
				if body[i] == '\\' && i+1 < len(body) {
					i++
				}
				elem.WriteByte(body[i])
			}
			i++ // the closing quote
		} else {
			end := strings.IndexByte(body[i:], ',')
			if end < 0 {
				end = len(body) - i
			}
			if body[i:i+end] == "NULL" {
				return nil, fmt.Errorf("text[]: unexpected NULL element")
			}
			elem.WriteString(body[i : i+end])
			i += end
		}
		out = append(out, elem.String())
		if i < len(body) && body[i] != ',' {
			return nil, fmt.Errorf("text[]: malformed %q", s)
		}
		i++ // the comma
	}
	return out, nil
}

// ---------------------------------------------------------------------------
// Producers

// CreateProducer inserts a producer profile.
func (c *Catalog) CreateProducer(ctx context.Context, p catalog.Producer) (catalog.Producer, error) {
	r := newProducerRecord(p)
	r.Version = 1
	if err := c.db.WithContext(ctx).Create(&r).Error; err != nil {
		return catalog.Producer{}, translate(err, "create producer")
	}
	return c.Producer(ctx, r.ID)
}

// UpdateProducer stores p if its stored version is still version.
func (c *Catalog) UpdateProducer(ctx context.Context, p catalog.Producer, version int, fx catalog.Effects) (catalog.Producer, error) {
	r := newProducerRecord(p)
	var out catalog.Producer
	err := c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = c.updateProducer(tx, r, version)
		if err != nil {
			return err
		}
		return writeEffects(tx, uuid.Nil, fx)
	})
	return out, err
}

func (c *Catalog) updateProducer(tx *gorm.DB, r producerRecord, version int) (catalog.Producer, error) {
	res := tx.Model(&producerRecord{}).Where("id = ? AND version = ?", r.ID, version).Updates(map[string]any{
		"name_th": r.NameTH, "name_en": r.NameEN, "kind": r.Kind, "amphoe": r.Amphoe, "tambon": r.Tambon,
		"enterprise_level": r.EnterpriseLevel, "story_th": r.StoryTH, "story_en": r.StoryEN,
		"phone": r.Phone, "email": r.Email, "line_id": r.LineID, "website": r.Website,
		"updated_at": r.UpdatedAt, "version": gorm.Expr("version + 1"),
	})
	if err := res.Error; err != nil {
		return catalog.Producer{}, translate(err, "update producer")
	}
	var stored producerRecord
	if err := tx.Where("id = ?", r.ID).Take(&stored).Error; err != nil {
		return catalog.Producer{}, translate(err, "producer "+r.ID.String())
	}
	if res.RowsAffected == 0 {
		return catalog.Producer{}, fmt.Errorf("update producer %s: %w", r.ID, errs.ErrPrecondition)
	}
	return stored.domain(), nil
}

// Producer returns the producer with the given id.
func (c *Catalog) Producer(ctx context.Context, id uuid.UUID) (catalog.Producer, error) {
	var r producerRecord
	if err := c.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return catalog.Producer{}, translate(err, "producer "+id.String())
	}
	return r.domain(), nil
}

// ProducerByUser returns the profile of a user.
func (c *Catalog) ProducerByUser(ctx context.Context, userID uuid.UUID) (catalog.Producer, error) {
	var r producerRecord
	if err := c.db.WithContext(ctx).Where("user_id = ?", userID).Take(&r).Error; err != nil {
		return catalog.Producer{}, translate(err, "producer of user "+userID.String())
	}
	return r.domain(), nil
}

// ListProducers returns up to q.Limit producers, newest first, after q.After.
func (c *Catalog) ListProducers(ctx context.Context, q catalog.ProducerQuery) ([]catalog.Producer, error) {
	db := c.db.WithContext(ctx).Model(&producerRecord{})
	if q.Province != "" {
		db = db.Where("province_code = ?", q.Province)
	}
	if q.Cluster != "" {
		db = db.Where("cluster_id = ?", q.Cluster)
	}
	if q.After != nil {
		db = db.Where("(created_at, id) < (?, ?)", q.After.CreatedAt, q.After.ID)
	}
	var rs []producerRecord
	if err := db.Order("created_at DESC, id DESC").Limit(q.Limit).Find(&rs).Error; err != nil {
		return nil, translate(err, "list producers")
	}
	out := make([]catalog.Producer, len(rs))
	for i, r := range rs {
		out[i] = r.domain()
	}
	return out, nil
}

// ---------------------------------------------------------------------------
// Products

// productColumns read a product with its certificates and images, so that
// a product costs one round trip. exportColumns read neither: an export
// leaves the images out (a sheet does not carry them) and reads a page's
// certificates in one query (exportCertificates), which PostgreSQL answers
// in a fraction of the time of a sub-select for each of a thousand rows.
const (
	productColumns = productFields + `,
	(SELECT coalesce(json_agg(json_build_object('kind', c.kind, 'number', c.number, 'expires_on', c.expires_on,
	     'verification', c.verification, 'verified_by', c.verified_by, 'verified_at', c.verified_at,
	     'verification_note', c.verification_note) ORDER BY c.position), '[]')
	   FROM product_certifications c WHERE c.product_id = products.id) AS certs_json,
	(SELECT coalesce(json_agg(i ORDER BY i.position), '[]')
	   FROM product_images i WHERE i.product_id = products.id) AS images_json`
	exportColumns = productFields + `, '[]'::json AS certs_json, '[]'::json AS images_json`
)

const productFields = `products.id, products.producer_id, producers.user_id AS owner_id, products.status,
	products.name_th, products.name_en, products.description_th, products.description_en, products.category,
	products.creative_industry, products.otop_stars, products.otop_stars_year, products.price_minor,
	products.currency, products.price_tiers, products.moq, products.unit, products.monthly_capacity,
	products.lead_time_days, products.hs_code, products.weight_grams, products.stock, products.sku, products.tags, products.province_code,
	products.cluster_id, products.region, products.select_center_id, products.topotop, products.rejection_reason,
	products.reviewed_by, products.reviewed_at, products.stars_verification, products.stars_verified_by,
	products.stars_verified_at, products.stars_note,
	products.submitted_at, products.published_at, products.created_at, products.updated_at, products.version`

// scanDest are the destinations of productColumns, in their order. Reads
// scan rows by hand: gorm's reflective scanning cost more than the query.
func (r *productRecord) scanDest() []any {
	return []any{&r.ID, &r.ProducerID, &r.OwnerID, &r.Status,
		&r.NameTH, &r.NameEN, &r.DescriptionTH, &r.DescriptionEN, &r.Category,
		&r.CreativeIndustry, &r.OTOPStars, &r.OTOPStarsYear, &r.PriceMinor,
		&r.Currency, &r.PriceTiers, &r.MOQ, &r.Unit, &r.MonthlyCapacity,
		&r.LeadTimeDays, &r.HSCode, &r.WeightGrams, &r.Stock, &r.SKU, &r.Tags, &r.ProvinceCode,
		&r.ClusterID, &r.Region, &r.SelectCenterID, &r.Topotop, &r.RejectionReason,
		&r.ReviewedBy, &r.ReviewedAt, &r.StarsVerification, &r.StarsVerifiedBy,
		&r.StarsVerifiedAt, &r.StarsNote,
		&r.SubmittedAt, &r.PublishedAt, &r.CreatedAt, &r.UpdatedAt, &r.Version,
		&r.CertsJSON, &r.ImagesJSON}
}

// scanProducts runs q (selecting productColumns) and scans its rows.
func scanProducts(q *gorm.DB) ([]productRecord, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close() //nolint:errcheck // read-only; rows.Err is checked
	var out []productRecord
	for rows.Next() {
		var r productRecord
		if err := rows.Scan(r.scanDest()...); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (c *Catalog) products(db *gorm.DB) *gorm.DB {
	return db.Model(&productRecord{}).Select(productColumns).Joins("JOIN producers ON producers.id = products.producer_id")
}

// CreateProduct inserts a product with its certificates.
func (c *Catalog) CreateProduct(ctx context.Context, p catalog.Product) (catalog.Product, error) {
	r := newProductRecord(p)
	r.Version = 1
	var out catalog.Product
	err := c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The producer's row is locked while its products are counted, so that
		// parallel creations cannot pass the bound together.
		var n int64
		if err := tx.Exec("SELECT 1 FROM producers WHERE id = ? FOR UPDATE", p.ProducerID).Error; err != nil {
			return translate(err, "lock producer")
		}
		if err := tx.Raw("SELECT count(*) FROM products WHERE producer_id = ? AND status <> 'archived'", p.ProducerID).Scan(&n).Error; err != nil {
			return translate(err, "count products")
		}
		if n >= catalog.MaxProductsPerProducer {
			return errs.Newf(errs.ErrConflict, "a producer lists at most %d products; archive some before adding more", catalog.MaxProductsPerProducer)
		}
		if err := tx.Create(&r).Error; err != nil {
			return skuTaken(translate(err, "create product"), p)
		}
		p.ID = r.ID
		if certs := certificationRecords(p); len(certs) > 0 {
			if err := tx.Create(&certs).Error; err != nil {
				return translate(err, "create product certifications")
			}
		}
		var err error
		out, err = c.product(tx, r.ID)
		return err
	})
	return out, err
}

// UpdateProduct stores p and fx if the product is still at stored's
// version. Its certificates are written only when they differ from
// stored's: every change of them passes here and moves the version on, so
// at that version the database holds stored's.
func (c *Catalog) UpdateProduct(ctx context.Context, p, stored catalog.Product, fx catalog.Effects) (catalog.Product, error) {
	db := c.db.WithContext(ctx)
	certs := certificationRecords(p)
	if slices.EqualFunc(certificationRecords(stored), certs, sameCertificationRecord) {
		// Most changes (a decision, a verification of the stars, an edit of
		// other fields): one statement, atomic by itself.
		return c.updateProduct(db, p, stored.Version, fx)
	}
	var out catalog.Product
	err := db.Transaction(func(tx *gorm.DB) error {
		var err error
		if out, err = c.updateProduct(tx, p, stored.Version, fx); err != nil {
			return err
		}
		return writeCertifications(tx, p.ID, certs)
	})
	return out, err
}

// updateProduct stores p's columns and fx in one statement (the effects as
// CTEs that write nothing unless the product's row was updated) if the
// stored version is still version. It leaves the certificates alone.
func (c *Catalog) updateProduct(db *gorm.DB, p catalog.Product, version int, fx catalog.Effects) (catalog.Product, error) {
	effects, err := encodeChangeEffects(fx.Audit, fx.Notifications, nil, p.ID, fx.Published)
	if err != nil {
		return catalog.Product{}, err
	}
	set, args := productUpdate(newProductRecord(p))
	ctes, fxArgs := effects.ctes("(SELECT ?::jsonb FROM updated)")
	args = append(append(args, p.ID, version), fxArgs...)
	var updated int64
	err = db.Raw(`WITH updated AS (UPDATE products SET `+set+` WHERE id = ? AND version = ? RETURNING 1), `+
		ctes+` SELECT count(*) FROM updated`, args...).Scan(&updated).Error
	if err != nil {
		return catalog.Product{}, skuTaken(translate(err, "update product"), p)
	}
	if updated == 0 {
		if _, err := c.product(db, p.ID); err != nil {
			return catalog.Product{}, err
		}
		return catalog.Product{}, fmt.Errorf("update product %s: %w", p.ID, errs.ErrPrecondition)
	}
	// What was stored is p at the next version: the service sets every
	// field as PostgreSQL keeps it (UTC, microseconds, dates at
	// midnight), so the row is not read back.
	out := p
	out.Version = version + 1
	return out, nil
}

// productUpdate is the SET list of an update of a product (every column a
// change may touch, and the next version) and its arguments.
func productUpdate(r productRecord) (string, []any) {
	cols := [...]struct {
		name  string
		value any
	}{
		{"status", r.Status}, {"name_th", r.NameTH}, {"name_en", r.NameEN},
		{"description_th", r.DescriptionTH}, {"description_en", r.DescriptionEN},
		{"category", r.Category}, {"creative_industry", r.CreativeIndustry},
		{"otop_stars", r.OTOPStars}, {"otop_stars_year", r.OTOPStarsYear},
		{"price_minor", r.PriceMinor}, {"currency", r.Currency}, {"price_tiers", r.PriceTiers},
		{"moq", r.MOQ}, {"unit", r.Unit}, {"monthly_capacity", r.MonthlyCapacity}, {"lead_time_days", r.LeadTimeDays},
		{"hs_code", r.HSCode}, {"weight_grams", r.WeightGrams}, {"stock", r.Stock}, {"sku", r.SKU}, {"tags", r.Tags},
		{"select_center_id", r.SelectCenterID}, {"topotop", r.Topotop}, {"rejection_reason", r.RejectionReason},
		{"reviewed_by", r.ReviewedBy}, {"reviewed_at", r.ReviewedAt}, {"stars_verification", r.StarsVerification},
		{"stars_verified_by", r.StarsVerifiedBy}, {"stars_verified_at", r.StarsVerifiedAt}, {"stars_note", r.StarsNote},
		{"submitted_at", r.SubmittedAt}, {"published_at", r.PublishedAt}, {"updated_at", r.UpdatedAt},
	}
	var b strings.Builder
	args := make([]any, 0, len(cols)+7) // and the id, the version and the effects' five
	for _, c := range cols {
		b.WriteString(c.name)
		b.WriteString(" = ?, ")
		args = append(args, c.value)
	}
	b.WriteString("version = version + 1")
	return b.String(), args
}

// replaceCertifications stores p's certificates unless they are the ones
// stored, read first: for a writer that does not know them (an import).
// Rewriting them would enqueue the product for search once more.
func replaceCertifications(tx *gorm.DB, p catalog.Product) error {
	want := certificationRecords(p)
	var have []certificationRecord
	if err := tx.Where("product_id = ?", p.ID).Order("position").Find(&have).Error; err != nil {
		return translate(err, "read product certifications")
	}
	if slices.EqualFunc(have, want, sameCertificationRecord) {
		return nil
	}
	return writeCertifications(tx, p.ID, want)
}

// writeCertifications replaces a product's certificates with certs.
func writeCertifications(tx *gorm.DB, productID uuid.UUID, certs []certificationRecord) error {
	if err := tx.Where("product_id = ?", productID).Delete(&certificationRecord{}).Error; err != nil {
		return translate(err, "replace product certifications")
	}
	if len(certs) > 0 {
		if err := tx.Create(&certs).Error; err != nil {
			return translate(err, "replace product certifications")
		}
	}
	return nil
}

func sameCertificationRecord(a, b certificationRecord) bool {
	sameTime := func(x, y *time.Time) bool { return (x == nil) == (y == nil) && (x == nil || x.Equal(*y)) }
	sameID := func(x, y *uuid.UUID) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.Position == b.Position && a.Kind == b.Kind && a.Number == b.Number &&
		sameTime(dateOnly(a.ExpiresOn), dateOnly(b.ExpiresOn)) && a.Verification == b.Verification &&
		sameID(a.VerifiedBy, b.VerifiedBy) && sameTime(a.VerifiedAt, b.VerifiedAt) && a.VerificationNote == b.VerificationNote
}

// Product returns the product with the given id.
func (c *Catalog) Product(ctx context.Context, id uuid.UUID) (catalog.Product, error) {
	return c.product(c.db.WithContext(ctx), id)
}

func (c *Catalog) product(db *gorm.DB, id uuid.UUID) (catalog.Product, error) {
	rs, err := scanProducts(c.products(db).Where("products.id = ?", id).Limit(1))
	if err == nil && len(rs) == 0 {
		err = gorm.ErrRecordNotFound
	}
	if err != nil {
		return catalog.Product{}, translate(err, "product "+id.String())
	}
	products, err := c.withCertifications(db, rs)
	if err != nil {
		return catalog.Product{}, err
	}
	return products[0], nil
}

// ListProducts returns up to q.Limit products matching q, in q.Sort order,
// after q.After. Every filter is an equality or range on one products
// column, so the partial indexes of migration 00003 answer it.
func (c *Catalog) ListProducts(ctx context.Context, q catalog.ProductQuery) ([]catalog.Product, error) {
	db := c.db.WithContext(ctx)
	list := c.products(db)
	if q.Export {
		list = list.Select(exportColumns)
	}
	statuses, err := statusPredicate(q.Status)
	if err != nil {
		return nil, err
	}
	list = list.Where(statuses)
	for _, f := range []struct{ column, value string }{
		{"province_code", q.Province}, {"cluster_id", q.Cluster}, {"region", q.Region},
		{"category", q.Category}, {"select_center_id", q.SelectCenter}, {"creative_industry", q.CreativeIndustry},
	} {
		if f.value != "" {
			list = list.Where("products."+f.column+" = ?", f.value)
		}
	}
	if q.Topotop != nil {
		list = list.Where("products.topotop = ?", *q.Topotop)
	}
	if q.MinStars > 0 {
		list = list.Where("products.otop_stars >= ? AND products.stars_verification = 'verified'", q.MinStars)
	}
	if q.Producer != uuid.Nil {
		list = list.Where("products.producer_id = ?", q.Producer)
	}
	order, err := keyset(list, q)
	if err != nil {
		return nil, err
	}
	rs, err := scanProducts(order.Limit(q.Limit))
	if err != nil {
		return nil, translate(err, "list products")
	}
	if q.Export {
		return exportCertificates(db, rs)
	}
	return c.withCertifications(db, rs)
}

// exportCertificates completes the rows of an export's page with their
// certificates, read in one query.
func exportCertificates(db *gorm.DB, rs []productRecord) ([]catalog.Product, error) {
	ids := make(textArray, len(rs))
	for i, r := range rs {
		ids[i] = r.ID.String()
	}
	// Scanned by hand: gorm's reflective scanning of a page's certificates
	// cost more than the query.
	rows, err := db.Raw(`SELECT product_id, position, kind, number, expires_on, verification, verified_by, verified_at,
		verification_note FROM product_certifications WHERE product_id = ANY(?::uuid[]) ORDER BY product_id, position`, ids).Rows()
	if err != nil {
		return nil, translate(err, "list product certificates")
	}
	defer rows.Close() //nolint:errcheck // read-only; rows.Err is checked
	byProduct := make(map[uuid.UUID][]certificationRecord, len(rs))
	for rows.Next() {
		var c certificationRecord
		if err := rows.Scan(&c.ProductID, &c.Position, &c.Kind, &c.Number, &c.ExpiresOn, &c.Verification,
			&c.VerifiedBy, &c.VerifiedAt, &c.VerificationNote); err != nil {
			return nil, translate(err, "list product certificates")
		}
		byProduct[c.ProductID] = append(byProduct[c.ProductID], c)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "list product certificates")
	}
	out := make([]catalog.Product, len(rs))
	for i, r := range rs {
		out[i] = r.domain(byProduct[r.ID])
		out[i].Images = []media.Image{}
	}
	return out, nil
}

// statusPredicate spells the status filter out as literals: the values are
// a closed set, and a literal lets the planner match the partial indexes
// (WHERE status = 'published') whatever plan it caches.
func statusPredicate(statuses []catalog.Status) (string, error) {
	if len(statuses) == 0 {
		statuses = []catalog.Status{catalog.StatusPublished}
	}
	quoted := make([]string, len(statuses))
	for i, s := range statuses {
		if !s.Valid() {
			return "", fmt.Errorf("list products: invalid status %q", s)
		}
		quoted[i] = "'" + string(s) + "'"
	}
	if len(quoted) == 1 {
		return "products.status = " + quoted[0], nil
	}
	return "products.status IN (" + strings.Join(quoted, ", ") + ")", nil
}

// keyset adds the order and the keyset condition of q.Sort. Prices sort as
// if a missing price (drafts only) were higher than any other.
func keyset(db *gorm.DB, q catalog.ProductQuery) (*gorm.DB, error) {
	onlyPublished := len(q.Status) == 0 || (len(q.Status) == 1 && q.Status[0] == catalog.StatusPublished)
	a := q.After
	switch q.Sort {
	case catalog.SortNewest, "":
		if a != nil {
			db = db.Where("(products.created_at, products.id) < (?, ?)", a.CreatedAt, a.ID)
		}
		return db.Order("products.created_at DESC, products.id DESC"), nil
	case catalog.SortPriceAsc:
		switch {
		case a == nil:
		case a.Price == nil:
			db = db.Where("products.price_minor IS NULL AND products.id > ?", a.ID)
		case onlyPublished: // published products always have a price
			db = db.Where("(products.price_minor, products.id) > (?, ?)", *a.Price, a.ID)
		default:
			db = db.Where("((products.price_minor, products.id) > (?, ?) OR products.price_minor IS NULL)", *a.Price, a.ID)
		}
		return db.Order("products.price_minor ASC, products.id ASC"), nil
	case catalog.SortPriceDesc:
		switch {
		case a == nil:
		case a.Price == nil:
			db = db.Where("((products.price_minor IS NULL AND products.id < ?) OR products.price_minor IS NOT NULL)", a.ID)
		default:
			db = db.Where("(products.price_minor, products.id) < (?, ?)", *a.Price, a.ID)
		}
		return db.Order("products.price_minor DESC, products.id DESC"), nil
	case catalog.SortName:
		if a != nil {
			db = db.Where("(products.name_en, products.id) > (?, ?)", a.NameEN, a.ID)
		}
		return db.Order("products.name_en ASC, products.id ASC"), nil
	}
	return nil, fmt.Errorf("list products: unknown sort %q", q.Sort)
}

// withCertifications completes product rows with their certificates and
// images, which productColumns read along with each row.
func (c *Catalog) withCertifications(_ *gorm.DB, rs []productRecord) ([]catalog.Product, error) {
	out := make([]catalog.Product, len(rs))
	for i, r := range rs {
		var certs []struct {
			Kind             string     `json:"kind"`
			Number           string     `json:"number"`
			ExpiresOn        *string    `json:"expires_on"`
			Verification     string     `json:"verification"`
			VerifiedBy       *uuid.UUID `json:"verified_by"`
			VerifiedAt       *time.Time `json:"verified_at"`
			VerificationNote string     `json:"verification_note"`
		}
		// sonic decodes several times faster than encoding/json, and a list
		// decodes a page of these; the strings it keeps point into CertsJSON,
		// which the scan copied out of the driver's buffer.
		if err := sonic.Unmarshal(r.CertsJSON, &certs); err != nil {
			return nil, fmt.Errorf("product %s certificates: %w", r.ID, err)
		}
		recs := make([]certificationRecord, len(certs))
		for k, cert := range certs {
			recs[k] = certificationRecord{ProductID: r.ID, Position: k, Kind: cert.Kind, Number: cert.Number,
				Verification: cert.Verification, VerifiedBy: cert.VerifiedBy, VerifiedAt: cert.VerifiedAt, VerificationNote: cert.VerificationNote}
			if cert.ExpiresOn != nil {
				d, err := time.Parse(time.DateOnly, *cert.ExpiresOn)
				if err != nil {
					return nil, fmt.Errorf("product %s certificate date: %w", r.ID, err)
				}
				recs[k].ExpiresOn = &d
			}
		}
		var images []imageRecord
		if err := sonic.Unmarshal(r.ImagesJSON, &images); err != nil {
			return nil, fmt.Errorf("product %s images: %w", r.ID, err)
		}
		out[i] = r.domain(recs)
		imgs, err := imagesOf(images)
		if err != nil {
			return nil, err
		}
		out[i].Images = imgs
	}
	return out, nil
}

// skuTaken tells a duplicate SKU apart: it is the only unique value of a
// product row besides its id, and the client must learn which field to fix.
func skuTaken(err error, p catalog.Product) error {
	if p.SKU != "" && errors.Is(err, errs.ErrConflict) {
		return errs.Invalid("sku", "is already used by another of your products")
	}
	return err
}
