package postgres

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

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
	var n int64
	err := s.db.WithContext(ctx).Model(&userRecord{}).Where("email LIKE ?", "%"+suffix).Limit(1).Count(&n).Error
	return n > 0, translate(err, "look up seeded users")
}

// Insert writes users, producers and products (with their certificates) in
// one transaction, in batches; progress is called after each batch of products.
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
		for start := 0; start < len(products); start += batch {
			chunk := products[start:min(start+batch, len(products))]
			rs := make([]productRecord, len(chunk))
			var certs []certificationRecord
			for i, p := range chunk {
				rs[i] = newProductRecord(p)
				certs = append(certs, certificationRecords(p)...)
			}
			if err := tx.Create(&rs).Error; err != nil {
				return translate(err, "insert products")
			}
			if len(certs) > 0 {
				if err := tx.CreateInBatches(certs, batch).Error; err != nil {
					return translate(err, "insert certifications")
				}
			}
			if progress != nil {
				progress(start + len(chunk))
			}
		}
		return nil
	})
}

// Publish moves the given products from draft to published, as a curator's
// approval would, and marks the TOPOTOP ones.
func (s *Seeder) Publish(ctx context.Context, ids []uuid.UUID, topotop map[uuid.UUID]bool) error {
	const batch = 5000
	for start := 0; start < len(ids); start += batch {
		chunk := ids[start:min(start+batch, len(ids))]
		var top []uuid.UUID
		for _, id := range chunk {
			if topotop[id] {
				top = append(top, id)
			}
		}
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec(`UPDATE products SET status = 'published', submitted_at = created_at,
				published_at = created_at + interval '2 days', updated_at = created_at + interval '2 days',
				version = version + 1 WHERE id IN ? AND status = 'draft'`, chunk).Error; err != nil {
				return err
			}
			if len(top) == 0 {
				return nil
			}
			return tx.Exec("UPDATE products SET topotop = true WHERE id IN ?", top).Error
		})
		if err != nil {
			return translate(err, "publish seeded products")
		}
	}
	return s.db.WithContext(ctx).Exec("ANALYZE products, producers, product_certifications, product_images").Error
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
