package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
)

// Seeder writes demo and benchmark data in bulk, bypassing the services'
// one-row-at-a-time paths; the database's constraints still hold every row.
type Seeder struct{ db *gorm.DB }

// NewSeeder returns a Seeder.
func NewSeeder(db *gorm.DB) *Seeder { return &Seeder{db: db} }

// SeedUser is an account to create with a ready password hash.
type SeedUser struct {
	User         account.User
	PasswordHash string
}

// AnyUserWithEmailSuffix reports whether an account's email ends with suffix.
func (s *Seeder) AnyUserWithEmailSuffix(ctx context.Context, suffix string) (bool, error) {
	return s.AnyUserWithEmailLike(ctx, "%"+suffix)
}

// AnyUserWithEmailLike reports whether an account's email matches the
// LIKE pattern.
func (s *Seeder) AnyUserWithEmailLike(ctx context.Context, pattern string) (bool, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&userRecord{}).Where("email LIKE ?", pattern).Limit(1).Count(&n).Error
	return n > 0, translate(err, "look up seeded users")
}

// Insert writes users, producers and products (with their certificates) in
// one transaction, in batches; progress is called after each batch of
// products. Every product goes in as a draft, whatever its Status; Settle
// gives it its status later. A product whose Status is published gets its
// published version (the public fields a later resubmission is compared
// with) as it is now.
//
// While this transaction runs no product is published, so the search
// outbox's triggers on certificates find nothing to enqueue and stay cheap.
func (s *Seeder) Insert(ctx context.Context, users []SeedUser, producers []catalog.Producer, products []catalog.Product, progress func(done int)) error {
	const batch = 1000
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		recs := make([]userRecord, len(users))
		for i, u := range users {
			recs[i] = userRecord{
				ID: u.User.ID, Email: u.User.Email, PasswordHash: u.PasswordHash, Role: string(u.User.Role),
				DisplayName: u.User.DisplayName, Country: nullable(u.User.Country), SelectCenterID: nullable(u.User.SelectCenterID),
			}
		}
		if err := tx.CreateInBatches(recs, batch).Error; err != nil {
			return translate(err, "insert users")
		}
		prs := make([]producerRecord, len(producers))
		for i, p := range producers {
			prs[i] = newProducerRecord(p)
		}
		if err := tx.CreateInBatches(prs, batch).Error; err != nil {
			return translate(err, "insert producers")
		}
		// The records of the next batch are made (the published versions
		// are most of the work) while PostgreSQL writes the current one.
		batches := make(chan seedBatch, 1)
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			defer close(batches)
			for start := 0; start < len(products); start += batch {
				select {
				case batches <- newSeedBatch(products[start:min(start+batch, len(products))]):
				case <-stop:
					return
				}
			}
		}()
		done := 0
		for b := range batches {
			if b.err != nil {
				return b.err
			}
			if err := tx.Create(&b.products).Error; err != nil {
				return translate(err, "insert products")
			}
			if len(b.certs) > 0 {
				if err := tx.CreateInBatches(b.certs, batch).Error; err != nil {
					return translate(err, "insert certifications")
				}
			}
			if len(b.versions) > 0 {
				if err := tx.Create(&b.versions).Error; err != nil {
					return translate(err, "insert published versions")
				}
			}
			done += len(b.products)
			if progress != nil {
				progress(done)
			}
		}
		return nil
	})
}

// seedBatch holds the records of a batch of products.
type seedBatch struct {
	products []productRecord
	certs    []certificationRecord
	versions []publishedVersionRecord
	err      error
}

func newSeedBatch(chunk []catalog.Product) seedBatch {
	b := seedBatch{products: make([]productRecord, len(chunk))}
	for i, p := range chunk {
		b.products[i] = newProductRecord(p)
		b.products[i].Status, b.products[i].Topotop = string(catalog.StatusDraft), false
		b.certs = append(b.certs, certificationRecords(p)...)
		if p.Status == catalog.StatusPublished && p.PublishedAt != nil {
			v, err := newPublishedVersion(p.ID, catalog.PublicFields(p), *p.PublishedAt)
			if err != nil {
				return seedBatch{err: err}
			}
			b.versions = append(b.versions, v)
		}
	}
	return b
}

// SeedState is where a product inserted as a draft ends up: its status, its
// TOPOTOP designation and, when it was ever published and Insert did not
// store it, its published version.
type SeedState struct {
	ID      uuid.UUID
	Status  catalog.Status
	Topotop bool
	// Published are the public fields as last published (catalog.PublicFields),
	// at PublishedAt; nil to leave the published version as it is.
	Published   map[string]any
	PublishedAt time.Time
}

// publishedVersionRecord is a row of product_published_versions.
type publishedVersionRecord struct {
	ProductID   uuid.UUID
	Fields      string `gorm:"type:jsonb"`
	PublishedAt time.Time
}

func (publishedVersionRecord) TableName() string { return "product_published_versions" }

func newPublishedVersion(id uuid.UUID, fields map[string]any, at time.Time) (publishedVersionRecord, error) {
	b, err := json.Marshal(fields)
	if err != nil {
		return publishedVersionRecord{}, fmt.Errorf("published version of %s: %w", id, err)
	}
	return publishedVersionRecord{ProductID: id, Fields: string(b), PublishedAt: at}, nil
}

// Settle moves the given drafts to their status, as a submission and a
// curator's decision would, marks the TOPOTOP ones and stores the published
// versions given; updated_at becomes the product's last event again (adding
// photos touched it). Products that are no longer drafts keep their status.
func (s *Seeder) Settle(ctx context.Context, states []SeedState) error {
	const batch = 5000
	type key struct {
		status  catalog.Status
		topotop bool
	}
	groups := map[key][]uuid.UUID{}
	var order []key
	var versions []publishedVersionRecord
	for _, st := range states {
		if st.Published != nil {
			v, err := newPublishedVersion(st.ID, st.Published, st.PublishedAt)
			if err != nil {
				return err
			}
			versions = append(versions, v)
		}
		if st.Status == catalog.StatusDraft {
			continue
		}
		k := key{st.Status, st.Topotop}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], st.ID)
	}
	db := s.db.WithContext(ctx)
	if len(versions) > 0 {
		err := db.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "product_id"}},
			DoUpdates: clause.AssignmentColumns([]string{"fields", "published_at"}),
		}).CreateInBatches(versions, 1000).Error
		if err != nil {
			return translate(err, "store published versions")
		}
	}
	// One statement per status and batch, each in its own transaction: the
	// outbox's triggers enqueue every product published, and no transaction
	// grows with the catalogue.
	for _, k := range order {
		ids := groups[k]
		for start := 0; start < len(ids); start += batch {
			chunk := ids[start:min(start+batch, len(ids))]
			err := db.Exec(`UPDATE products SET status = ?, topotop = ?, version = version + 1,
				updated_at = GREATEST(created_at, submitted_at, reviewed_at, published_at)
				WHERE id IN ? AND status = 'draft'`, string(k.status), k.topotop, chunk).Error
			if err != nil {
				return translate(err, "settle seeded products")
			}
		}
	}
	// The curators' decisions go to the audit log as the curation service
	// writes them, so that the queues' summary and each product's history
	// tell the demo's story; once per product, so seeding twice adds nothing.
	var all []uuid.UUID
	for _, k := range order {
		all = append(all, groups[k]...)
	}
	for start := 0; start < len(all); start += batch {
		chunk := all[start:min(start+batch, len(all))]
		err := db.Exec(`INSERT INTO audit_log (entity_type, entity_id, select_center_id, action, actor_id, actor_role,
				before, after, reason, request_id, created_at)
			SELECT 'product', p.id, p.select_center_id, d.action, p.reviewed_by, 'curator',
				jsonb_build_object('status', 'pending_review', 'submitted_at', p.submitted_at),
				jsonb_build_object('status', d.outcome), coalesce(p.rejection_reason, ''), 'demo seed', p.reviewed_at
			FROM products p
			CROSS JOIN LATERAL (SELECT CASE WHEN p.status = 'rejected' THEN 'reject' ELSE 'approve' END AS action,
				CASE WHEN p.status = 'rejected' THEN 'rejected' ELSE 'published' END AS outcome) d
			WHERE p.id IN ? AND p.reviewed_at IS NOT NULL AND p.reviewed_by IS NOT NULL
			  AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity_id = p.id AND a.action IN ('approve', 'reject'))`, chunk).Error
		if err != nil {
			return translate(err, "audit seeded decisions")
		}
	}
	return db.Exec("ANALYZE products, producers, product_certifications, product_images, product_published_versions").Error
}

// Count returns the number of rows of a table, for the seed's report.
func (s *Seeder) Count(ctx context.Context, table string) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Table(table).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}
