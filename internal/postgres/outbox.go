package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/catalog"
)

// outboxLock serialises drainers across replicas, so changes reach the
// engine in the order they were made.
const outboxLock = 727_002

// Outbox is the search outbox (migration 00006) and the reads the indexer needs.
type Outbox struct {
	db *gorm.DB
	// province names the province code in Thai and English.
	province func(code string) (th, en string)
	// imageURL is the public URL of an object key.
	imageURL func(key string) string
}

// NewOutbox returns the outbox store.
func NewOutbox(db *gorm.DB, province func(code string) (th, en string), imageURL func(key string) string) *Outbox {
	return &Outbox{db: db, province: province, imageURL: imageURL}
}

var (
	_ catalog.Outbox         = (*Outbox)(nil)
	_ catalog.DocumentSource = (*Outbox)(nil)
)

type outboxRecord struct {
	ID        int64
	ProductID string
	Attempts  int
}

func (o *Outbox) Claim(ctx context.Context, limit int, process func(context.Context, []catalog.OutboxEntry) ([]int64, time.Duration, error)) (int, error) {
	n := 0
	var procErr error
	err := o.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var locked bool
		if err := tx.Raw("SELECT pg_try_advisory_xact_lock(?)", outboxLock).Row().Scan(&locked); err != nil {
			return err
		}
		if !locked {
			return nil // another replica is draining
		}
		var recs []outboxRecord
		err := tx.Raw(`SELECT id, product_id::text AS product_id, attempts FROM search_outbox
			WHERE next_attempt_at <= clock_timestamp() ORDER BY id LIMIT ?`, limit).Scan(&recs).Error
		if err != nil || len(recs) == 0 {
			return err
		}
		entries := make([]catalog.OutboxEntry, len(recs))
		ids := make([]int64, len(recs))
		for i, r := range recs {
			entries[i] = catalog.OutboxEntry{ID: r.ID, ProductID: r.ProductID, Attempts: r.Attempts}
			ids[i] = r.ID
		}
		done, retryAfter, err := process(ctx, entries)
		procErr = err
		if len(done) > 0 {
			if err := tx.Exec("DELETE FROM search_outbox WHERE id IN ?", done).Error; err != nil {
				return err
			}
			n = len(done)
		}
		if procErr != nil {
			msg := procErr.Error()
			if len(msg) > 1000 {
				msg = msg[:1000]
			}
			return tx.Exec(`UPDATE search_outbox SET attempts = attempts + 1, last_error = ?,
				next_attempt_at = clock_timestamp() + make_interval(secs => ?) WHERE id IN ?`,
				msg, retryAfter.Seconds(), ids).Error
		}
		return nil
	})
	if err != nil {
		return n, translate(err, "drain search outbox")
	}
	return n, procErr
}

func (o *Outbox) Exclusive(ctx context.Context, fn func(ctx context.Context) error) error {
	sqlDB, err := o.db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return translate(err, "outbox lock connection")
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", outboxLock); err != nil {
		return translate(err, "take the outbox lock")
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", outboxLock)
	}()
	return fn(ctx)
}

func (o *Outbox) Visible(ctx context.Context) ([]int64, error) {
	var ids []int64
	err := o.db.WithContext(ctx).Raw("SELECT id FROM search_outbox ORDER BY id").Scan(&ids).Error
	return ids, translate(err, "list outbox entries")
}

func (o *Outbox) Forget(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return translate(o.db.WithContext(ctx).Exec("DELETE FROM search_outbox WHERE id IN ?", ids).Error, "forget outbox entries")
}

func (o *Outbox) OldestAge(ctx context.Context) (time.Duration, error) {
	var secs *float64
	err := o.db.WithContext(ctx).Raw("SELECT extract(epoch FROM clock_timestamp() - min(enqueued_at)) FROM search_outbox").Row().Scan(&secs)
	if err != nil || secs == nil {
		return 0, translate(err, "outbox age")
	}
	return time.Duration(*secs * float64(time.Second)), nil
}

func (o *Outbox) EnqueueExpiredCertificates(ctx context.Context, since time.Time) (int, error) {
	res := o.db.WithContext(ctx).Exec(`INSERT INTO search_outbox (product_id)
		SELECT DISTINCT c.product_id FROM product_certifications c JOIN products p ON p.id = c.product_id
		WHERE p.status = 'published' AND c.expires_on >= ?::date AND c.expires_on < current_date`, since)
	return int(res.RowsAffected), translate(res.Error, "enqueue expired certificates")
}

// Pending counts the entries left, for tests and tools.
func (o *Outbox) Pending(ctx context.Context) (int, error) {
	var n int64
	err := o.db.WithContext(ctx).Table("search_outbox").Count(&n).Error
	return int(n), translate(err, "count outbox")
}

type documentRecord struct {
	ID               string
	NameTH           string    `gorm:"column:name_th"`
	NameEN           string    `gorm:"column:name_en"`
	DescriptionTH    string    `gorm:"column:description_th"`
	DescriptionEN    string    `gorm:"column:description_en"`
	Tags             textArray `gorm:"type:text[]"`
	ProducerID       string
	ProducerNameTH   string `gorm:"column:producer_name_th"`
	ProducerNameEN   string `gorm:"column:producer_name_en"`
	Category         string
	CreativeIndustry string
	ProvinceCode     string
	ClusterID        string
	Region           string
	SelectCenterID   string
	OTOPStars        int `gorm:"column:otop_stars"`
	Topotop          bool
	PriceMinor       int64
	Currency         string
	HSCode           string    `gorm:"column:hs_code"`
	CertKinds        textArray `gorm:"type:text[]"`
	CertNumbers      textArray `gorm:"type:text[]"`
	CoverVariants    []byte
	PublishedAt      time.Time
	CreatedAt        time.Time
}

// documentQuery reads the published products' search documents;
// stagedQuery those of the products under review (see catalog.Stager).
const (
	documentQuery = documentColumns + ` WHERE p.status = 'published'`
	stagedQuery   = documentColumns + ` WHERE p.status = 'pending_review'`
)

const documentColumns = `SELECT p.id::text AS id, p.name_th, p.name_en, p.description_th, p.description_en, p.tags,
	p.producer_id::text AS producer_id, pr.name_th AS producer_name_th, pr.name_en AS producer_name_en,
	p.category, coalesce(p.creative_industry, '') AS creative_industry, p.province_code,
	coalesce(p.cluster_id, '') AS cluster_id, p.region, p.select_center_id,
	CASE WHEN p.stars_verification = 'verified' THEN coalesce(p.otop_stars, 0) ELSE 0 END AS otop_stars,
	p.topotop, coalesce(p.price_minor, 0) AS price_minor, p.currency, coalesce(p.hs_code, '') AS hs_code,
	(SELECT coalesce(array_agg(DISTINCT c.kind ORDER BY c.kind), '{}') FROM product_certifications c
	  WHERE c.product_id = p.id AND c.verification = 'verified'
	    AND (c.expires_on IS NULL OR c.expires_on >= @today)) AS cert_kinds,
	(SELECT coalesce(array_agg(c.number ORDER BY c.position), '{}') FROM product_certifications c WHERE c.product_id = p.id) AS cert_numbers,
	(SELECT i.variants FROM product_images i WHERE i.product_id = p.id ORDER BY i.position LIMIT 1) AS cover_variants,
	coalesce(p.published_at, 'epoch') AS published_at, p.created_at
	FROM products p JOIN producers pr ON pr.id = p.producer_id`

func (o *Outbox) SearchDocuments(ctx context.Context, ids []string, now time.Time) ([]catalog.SearchDocument, error) {
	return o.documentsOf(ctx, documentQuery, ids, now, false)
}

// StagedDocuments implements catalog.StagedSource.
func (o *Outbox) StagedDocuments(ctx context.Context, ids []string, now time.Time) ([]catalog.SearchDocument, error) {
	return o.documentsOf(ctx, stagedQuery, ids, now, true)
}

func (o *Outbox) documentsOf(ctx context.Context, query string, ids []string, now time.Time, staged bool) ([]catalog.SearchDocument, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var recs []documentRecord
	err := o.db.WithContext(ctx).Raw(query+" AND p.id IN @ids ORDER BY p.id",
		map[string]any{"today": now.UTC().Format(time.DateOnly), "ids": ids}).Scan(&recs).Error
	if err != nil {
		return nil, translate(err, "search documents")
	}
	return o.documents(recs, staged)
}

func (o *Outbox) PublishedDocuments(ctx context.Context, now time.Time, batch int, fn func([]catalog.SearchDocument) error) error {
	return o.eachDocument(ctx, documentQuery, now, batch, false, fn)
}

// EachStagedDocument implements catalog.StagedSource.
func (o *Outbox) EachStagedDocument(ctx context.Context, now time.Time, batch int, fn func([]catalog.SearchDocument) error) error {
	return o.eachDocument(ctx, stagedQuery, now, batch, true, fn)
}

func (o *Outbox) eachDocument(ctx context.Context, query string, now time.Time, batch int, staged bool, fn func([]catalog.SearchDocument) error) error {
	after := "00000000-0000-0000-0000-000000000000"
	for {
		var recs []documentRecord
		err := o.db.WithContext(ctx).Raw(query+" AND p.id > CAST(@after AS uuid) ORDER BY p.id LIMIT @limit",
			map[string]any{"today": now.UTC().Format(time.DateOnly), "after": after, "limit": batch}).Scan(&recs).Error
		if err != nil {
			return translate(err, "search documents")
		}
		if len(recs) == 0 {
			return nil
		}
		docs, err := o.documents(recs, staged)
		if err != nil {
			return err
		}
		if err := fn(docs); err != nil {
			return err
		}
		after = recs[len(recs)-1].ID
	}
}

func (o *Outbox) documents(recs []documentRecord, staged bool) ([]catalog.SearchDocument, error) {
	out := make([]catalog.SearchDocument, len(recs))
	for i, r := range recs {
		th, en := o.province(r.ProvinceCode)
		d := catalog.SearchDocument{
			ID: r.ID, NameTH: r.NameTH, NameEN: r.NameEN, DescriptionTH: r.DescriptionTH, DescriptionEN: r.DescriptionEN,
			Tags: nonNil(r.Tags), ProducerID: r.ProducerID, ProducerNameTH: r.ProducerNameTH, ProducerNameEN: r.ProducerNameEN,
			Category: r.Category, CreativeIndustry: r.CreativeIndustry, ProvinceCode: r.ProvinceCode,
			ProvinceNameTH: th, ProvinceNameEN: en, ClusterID: r.ClusterID, Region: r.Region,
			SelectCenterID: r.SelectCenterID, OTOPStars: r.OTOPStars, Topotop: r.Topotop,
			PriceMinor: r.PriceMinor, Currency: r.Currency, Certifications: nonNil(r.CertKinds),
			CertificateNumbers: nonNil(r.CertNumbers), HSCode: r.HSCode,
			PublishedAt: r.PublishedAt.UTC(), CreatedAt: r.CreatedAt.UTC(), Staged: staged,
		}
		if staged {
			d.PublishedAt = time.Time{}
		}
		if len(r.CoverVariants) > 0 {
			var variants []struct {
				Key string `json:"key"`
			}
			if err := json.Unmarshal(r.CoverVariants, &variants); err != nil {
				return nil, fmt.Errorf("product %s cover: %w", r.ID, err)
			}
			if len(variants) > 0 {
				d.ImageURL = o.imageURL(variants[0].Key)
			}
		}
		out[i] = d
	}
	return out, nil
}

func nonNil(a textArray) []string {
	if a == nil {
		return []string{}
	}
	return []string(a)
}
