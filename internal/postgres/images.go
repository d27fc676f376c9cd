package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/media"
)

// imageRecord is a product_images row; the JSON tags read the rows that
// productColumns aggregates with json_agg.
type imageRecord struct {
	ID          uuid.UUID       `json:"id"`
	ProductID   uuid.UUID       `json:"product_id"`
	Position    int             `json:"position"`
	Width       int             `json:"width"`
	Height      int             `json:"height"`
	Bytes       int64           `json:"bytes"`
	SHA256      string          `gorm:"column:sha256" json:"sha256"`
	OriginalKey string          `json:"original_key"`
	Variants    json.RawMessage `json:"variants"`
	CreatedAt   time.Time       `json:"created_at"`
}

func (imageRecord) TableName() string { return "product_images" }

func (r imageRecord) domain() (media.Image, error) {
	img := media.Image{
		ID: r.ID, ProductID: r.ProductID, Position: r.Position, Width: r.Width, Height: r.Height,
		Bytes: r.Bytes, SHA256: r.SHA256, OriginalKey: r.OriginalKey, CreatedAt: r.CreatedAt,
	}
	if err := json.Unmarshal(r.Variants, &img.Variants); err != nil {
		return media.Image{}, fmt.Errorf("image %s variants: %w", r.ID, err)
	}
	return img, nil
}

type uploadRecord struct {
	ID          uuid.UUID
	ProductID   uuid.UUID
	UserID      uuid.UUID
	ObjectKey   string
	ExpiresAt   time.Time
	CompletedAt *time.Time
	CreatedAt   time.Time
}

func (uploadRecord) TableName() string { return "image_uploads" }

// Images stores product image rows and pending uploads.
type Images struct{ db *gorm.DB }

// NewImages returns the image repository.
func NewImages(db *gorm.DB) *Images { return &Images{db: db} }

func (r *Images) CountImages(ctx context.Context, productID uuid.UUID) (int, error) {
	var n int64
	err := r.db.WithContext(ctx).Model(&imageRecord{}).Where("product_id = ?", productID).Count(&n).Error
	return int(n), translate(err, "count images")
}

func (r *Images) HasImageHash(ctx context.Context, productID uuid.UUID, sha256 string) (bool, error) {
	var n int64
	err := r.db.WithContext(ctx).Model(&imageRecord{}).Where("product_id = ? AND sha256 = ?", productID, sha256).Count(&n).Error
	return n > 0, translate(err, "look up image hash")
}

// touchProduct records a change of a product's images: its version moves on,
// and a published product goes back to review, since its photos are public.
func touchProduct(tx *gorm.DB, productID uuid.UUID) error {
	return tx.Exec(`UPDATE products SET version = version + 1, updated_at = now(),
		status = CASE WHEN status = 'published' THEN 'pending_review' ELSE status END,
		submitted_at = CASE WHEN status = 'published' THEN now() ELSE submitted_at END
		WHERE id = ?`, productID).Error
}

// lockProduct takes the product's row lock, so image changes of one product
// happen one at a time.
func lockProduct(tx *gorm.DB, productID uuid.UUID) error {
	var id uuid.UUID
	err := tx.Raw("SELECT id FROM products WHERE id = ? FOR UPDATE", productID).Row().Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("product: %w", errs.ErrNotFound)
	}
	return err
}

func (r *Images) AddImage(ctx context.Context, img media.Image, maxImages int) (media.Image, error) {
	var recs []imageRecord
	err := r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		recs, err = insertImages(tx, img.ProductID, []media.Image{img}, maxImages)
		return err
	})
	if err != nil {
		return media.Image{}, translate(err, "add image")
	}
	return recs[0].domain()
}

// insertImages stores the rows of imgs after the product's other images, in
// the transaction tx: it locks the product, refuses more than maxImages in
// all and a second copy of the same bytes (errs.ErrConflict), and records
// the change on the product.
func insertImages(tx *gorm.DB, productID uuid.UUID, imgs []media.Image, maxImages int) ([]imageRecord, error) {
	if err := lockProduct(tx, productID); err != nil {
		return nil, err
	}
	var count int64
	var next *int
	if err := tx.Raw("SELECT count(*), max(position) + 1 FROM product_images WHERE product_id = ?", productID).
		Row().Scan(&count, &next); err != nil {
		return nil, err
	}
	if int(count)+len(imgs) > maxImages {
		return nil, errs.Newf(errs.ErrConflict, "a product has at most %d images; delete one first", maxImages)
	}
	pos := 0
	if next != nil {
		pos = *next
	}
	recs := make([]imageRecord, len(imgs))
	for i, img := range imgs {
		variants, err := json.Marshal(img.Variants)
		if err != nil {
			return nil, err
		}
		recs[i] = imageRecord{
			ID: img.ID, ProductID: productID, Position: pos + i, Width: img.Width, Height: img.Height, Bytes: img.Bytes,
			SHA256: img.SHA256, OriginalKey: img.OriginalKey, Variants: variants,
		}
		if err := tx.Create(&recs[i]).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return nil, errs.New(errs.ErrConflict, "this product already has this image")
			}
			return nil, err
		}
	}
	return recs, touchProduct(tx, productID)
}

func (r *Images) Images(ctx context.Context, productID uuid.UUID) ([]media.Image, error) {
	var recs []imageRecord
	if err := r.db.WithContext(ctx).Where("product_id = ?", productID).Order("position").Find(&recs).Error; err != nil {
		return nil, translate(err, "list images")
	}
	return imagesOf(recs)
}

// ImagesOf returns the images of many products at once, keyed by product.
func (r *Images) ImagesOf(ctx context.Context, productIDs []uuid.UUID) (map[uuid.UUID][]media.Image, error) {
	out := make(map[uuid.UUID][]media.Image, len(productIDs))
	if len(productIDs) == 0 {
		return out, nil
	}
	var recs []imageRecord
	if err := r.db.WithContext(ctx).Where("product_id IN ?", productIDs).Order("product_id, position").Find(&recs).Error; err != nil {
		return nil, translate(err, "list images")
	}
	imgs, err := imagesOf(recs)
	if err != nil {
		return nil, err
	}
	for _, img := range imgs {
		out[img.ProductID] = append(out[img.ProductID], img)
	}
	return out, nil
}

func imagesOf(recs []imageRecord) ([]media.Image, error) {
	out := make([]media.Image, 0, len(recs))
	for _, rec := range recs {
		img, err := rec.domain()
		if err != nil {
			return nil, err
		}
		out = append(out, img)
	}
	return out, nil
}

func (r *Images) DeleteImage(ctx context.Context, productID, imageID uuid.UUID) (media.Image, error) {
	var rec imageRecord
	err := r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockProduct(tx, productID); err != nil {
			return err
		}
		res := tx.Clauses(clause.Returning{}).Where("id = ? AND product_id = ?", imageID, productID).Delete(&rec)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("image: %w", errs.ErrNotFound)
		}
		// Close the gap so positions stay 0..n-1.
		if err := tx.Exec("UPDATE product_images SET position = position - 1 WHERE product_id = ? AND position > ?", productID, rec.Position).Error; err != nil {
			return err
		}
		return touchProduct(tx, productID)
	})
	if err != nil {
		return media.Image{}, translate(err, "delete image")
	}
	return rec.domain()
}

func (r *Images) ReorderImages(ctx context.Context, productID uuid.UUID, order []uuid.UUID) ([]media.Image, error) {
	err := r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := lockProduct(tx, productID); err != nil {
			return err
		}
		var ids []uuid.UUID
		if err := tx.Model(&imageRecord{}).Where("product_id = ?", productID).Pluck("id", &ids).Error; err != nil {
			return err
		}
		current := make(map[uuid.UUID]bool, len(ids))
		for _, id := range ids {
			current[id] = true
		}
		if len(order) != len(ids) {
			return errs.Invalid("image_ids", fmt.Sprintf("must name each of the product's %d images exactly once", len(ids)))
		}
		for _, id := range order {
			if !current[id] {
				return errs.Invalid("image_ids", fmt.Sprintf("image %s does not belong to this product", id))
			}
		}
		if err := tx.Exec("SET CONSTRAINTS product_images_position_unique DEFERRED").Error; err != nil {
			return err
		}
		for pos, id := range order {
			if err := tx.Model(&imageRecord{}).Where("id = ?", id).Update("position", pos).Error; err != nil {
				return err
			}
		}
		return touchProduct(tx, productID)
	})
	if err != nil {
		return nil, translate(err, "reorder images")
	}
	return r.Images(ctx, productID)
}

func (r *Images) ExistingImages(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]bool, error) {
	return r.existing(ctx, "product_images", "TRUE", ids)
}

// ExistingUploads names the uploads whose objects are still wanted: not
// completed, and not expired for more than an hour.
func (r *Images) ExistingUploads(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]bool, error) {
	return r.existing(ctx, "image_uploads", "completed_at IS NULL AND expires_at > now() - interval '1 hour'", ids)
}

func (r *Images) existing(ctx context.Context, table, cond string, ids []uuid.UUID) (map[uuid.UUID]bool, error) {
	out := make(map[uuid.UUID]bool, len(ids))
	for start := 0; start < len(ids); start += 1000 {
		batch := ids[start:min(start+1000, len(ids))]
		var found []uuid.UUID
		err := r.db.WithContext(ctx).Table(table).Where("id IN ? AND "+cond, batch).Pluck("id", &found).Error
		if err != nil {
			return nil, translate(err, "look up "+table)
		}
		for _, id := range found {
			out[id] = true
		}
	}
	return out, nil
}

// CreateUpload stores a ticket, counting the product's open tickets under a
// lock of the product so that parallel requests cannot pass the bound.
func (r *Images) CreateUpload(ctx context.Context, u media.Upload, maxOpen int) error {
	return r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended(?, 11))", "uploads:"+u.ProductID.String()).Error; err != nil {
			return translate(err, "lock uploads")
		}
		var open int64
		if err := tx.Model(&uploadRecord{}).Where("product_id = ? AND completed_at IS NULL AND expires_at > now()", u.ProductID).
			Count(&open).Error; err != nil {
			return translate(err, "count uploads")
		}
		if open >= int64(maxOpen) {
			return errs.Newf(errs.ErrConflict, "this product already has %d uploads in progress; complete them or wait until they expire", open)
		}
		rec := uploadRecord{ID: u.ID, ProductID: u.ProductID, UserID: u.UserID, ObjectKey: u.Key, ExpiresAt: u.ExpiresAt}
		return translate(tx.Create(&rec).Error, "create upload")
	})
}

// ClaimUpload marks an upload as being completed by one request.
func (r *Images) ClaimUpload(ctx context.Context, productID, uploadID uuid.UUID, now time.Time, claimFor time.Duration) (media.Upload, error) {
	var recs []uploadRecord
	err := r.db.WithContext(ctx).Raw(`UPDATE image_uploads SET claimed_at = ?
		WHERE id = ? AND product_id = ? AND completed_at IS NULL AND (claimed_at IS NULL OR claimed_at < ?)
		RETURNING *`, now, uploadID, productID, now.Add(-claimFor)).Scan(&recs).Error
	if err != nil {
		return media.Upload{}, translate(err, "claim upload")
	}
	if len(recs) == 0 {
		var rec uploadRecord
		if err := r.db.WithContext(ctx).Where("id = ? AND product_id = ?", uploadID, productID).Take(&rec).Error; err != nil {
			return media.Upload{}, translate(err, "upload")
		}
		if rec.CompletedAt != nil {
			return media.Upload{}, errs.New(errs.ErrConflict, "this upload was already completed")
		}
		return media.Upload{}, errs.New(errs.ErrConflict, "this upload is being completed by another request")
	}
	rec := recs[0]
	return media.Upload{
		ID: rec.ID, ProductID: rec.ProductID, UserID: rec.UserID, Key: rec.ObjectKey,
		ExpiresAt: rec.ExpiresAt, CompletedAt: rec.CompletedAt,
	}, nil
}

// ReleaseUpload clears an upload's claim.
func (r *Images) ReleaseUpload(ctx context.Context, uploadID uuid.UUID) error {
	return translate(r.db.WithContext(ctx).Exec("UPDATE image_uploads SET claimed_at = NULL WHERE id = ? AND completed_at IS NULL", uploadID).Error,
		"release upload")
}

// PurgeUploads deletes ticket rows created before before.
func (r *Images) PurgeUploads(ctx context.Context, before time.Time) (int, error) {
	res := r.db.WithContext(ctx).Exec("DELETE FROM image_uploads WHERE created_at < ?", before)
	return int(res.RowsAffected), translate(res.Error, "purge uploads")
}

func (r *Images) CompleteUpload(ctx context.Context, uploadID uuid.UUID, at time.Time) error {
	res := r.db.WithContext(ctx).Model(&uploadRecord{}).Where("id = ? AND completed_at IS NULL", uploadID).Update("completed_at", at)
	if res.Error != nil {
		return translate(res.Error, "complete upload")
	}
	if res.RowsAffected == 0 {
		return errs.New(errs.ErrConflict, "this upload was already completed")
	}
	return nil
}
