package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/bytedance/sonic"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/curation"
	"github.com/otopmarket/otop/internal/notify"
)

// Curation stores what the Select centers' staff read and decide; it
// implements curation.Store on top of the catalogue's tables.
type Curation struct {
	*Catalog
	centers []string
}

// NewCuration returns the curation store; centers are the Select center ids
// the summary lists (every one, even with nothing to count).
func NewCuration(db *gorm.DB, centers []string) *Curation {
	return &Curation{Catalog: NewCatalog(db), centers: centers}
}

var _ curation.Store = (*Curation)(nil)

// queueColumns are a queue row's: the product's (productColumns), its
// producer's and its published version, read in one query.
const queueColumns = productColumns + `, producers.id, producers.user_id, producers.name_th, producers.name_en,
	producers.kind, producers.province_code, producers.cluster_id, producers.region, producers.amphoe,
	producers.tambon, producers.enterprise_level, producers.story_th, producers.story_en, producers.phone,
	producers.email, producers.line_id, producers.website, producers.created_at, producers.updated_at,
	producers.version, v.fields`

// Queue returns up to q.Limit products pending review, oldest submission
// first, with their producers and published versions, in one query. The
// page's ids are chosen on products alone (products_queue_center_idx and
// the filters' partial indexes of migrations 00009 and 00019) before
// anything is joined: the planner, misjudging how many rows a filter
// keeps, would otherwise join and sort every remaining item of the queue
// (with their certificates and photos) to keep the first few.
func (c *Curation) Queue(ctx context.Context, q curation.QueueQuery) ([]curation.QueueRow, error) {
	db := c.db.WithContext(ctx)
	page := db.Model(&productRecord{}).Select("products.id").Where("products.status = 'pending_review'")
	for _, f := range []struct{ column, value string }{
		{"select_center_id", q.SelectCenter}, {"province_code", q.Province}, {"cluster_id", q.Cluster},
		{"category", q.Category}, {"creative_industry", q.CreativeIndustry},
	} {
		if f.value != "" {
			page = page.Where("products."+f.column+" = ?", f.value)
		}
	}
	if q.Resubmitted != nil {
		if *q.Resubmitted {
			page = page.Where("products.reviewed_at IS NOT NULL")
		} else {
			page = page.Where("products.reviewed_at IS NULL")
		}
	}
	if q.After != nil {
		id, err := uuid.Parse(q.After.ID)
		if err != nil {
			return nil, fmt.Errorf("queue cursor id: %w", err)
		}
		page = page.Where("(products.submitted_at, products.id) > (?, ?)", q.After.At, id)
	}
	const order = "products.submitted_at ASC, products.id ASC"
	page = page.Order(order).Limit(q.Limit)
	rows, err := db.Table("(?) AS page", page).Select(queueColumns).
		Joins("JOIN products ON products.id = page.id").
		Joins("JOIN producers ON producers.id = products.producer_id").
		Joins("LEFT JOIN product_published_versions v ON v.product_id = products.id").
		Order(order).Rows()
	if err != nil {
		return nil, translate(err, "curation queue")
	}
	defer rows.Close() //nolint:errcheck // read-only; rows.Err is checked
	var (
		recs      []productRecord
		producers []producerRecord
		versions  [][]byte
	)
	for rows.Next() {
		var (
			r  productRecord
			pr producerRecord
			v  []byte
		)
		dest := append(r.scanDest(), &pr.ID, &pr.UserID, &pr.NameTH, &pr.NameEN, &pr.Kind, &pr.ProvinceCode,
			&pr.ClusterID, &pr.Region, &pr.Amphoe, &pr.Tambon, &pr.EnterpriseLevel, &pr.StoryTH, &pr.StoryEN,
			&pr.Phone, &pr.Email, &pr.LineID, &pr.Website, &pr.CreatedAt, &pr.UpdatedAt, &pr.Version, &v)
		if err := rows.Scan(dest...); err != nil {
			return nil, translate(err, "curation queue")
		}
		recs, producers, versions = append(recs, r), append(producers, pr), append(versions, v)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err, "curation queue")
	}
	products, err := c.withCertifications(db, recs)
	if err != nil {
		return nil, err
	}
	out := make([]curation.QueueRow, len(products))
	for i, p := range products {
		out[i] = curation.QueueRow{Product: p, Producer: producers[i].domain()}
		if versions[i] != nil {
			// sonic, as for the catalogue's JSON columns: a page decodes
			// twenty published versions (BENCHMARKS.md, curation).
			if err := sonic.Unmarshal(versions[i], &out[i].Published); err != nil {
				return nil, fmt.Errorf("published version of %s: %w", p.ID, err)
			}
		}
	}
	return out, nil
}

// Summary counts every center's pending products and its decisions since since.
func (c *Curation) Summary(ctx context.Context, since time.Time) ([]curation.CenterSummary, error) {
	var rows []struct {
		Center    string
		Pending   int
		Oldest    *time.Time
		Approved  int
		Rejected  int
		MedianSec *float64
	}
	err := c.db.WithContext(ctx).Raw(`
		WITH centers AS (SELECT unnest(?::text[]) AS center),
		pending AS (
			SELECT select_center_id AS center, count(*) AS n, min(submitted_at) AS oldest
			FROM products WHERE status = 'pending_review' GROUP BY select_center_id),
		decided AS (
			SELECT select_center_id AS center,
			       count(*) FILTER (WHERE action = 'approve') AS approved,
			       count(*) FILTER (WHERE action = 'reject') AS rejected,
			       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM
			           created_at - (before->>'submitted_at')::timestamptz))
			           FILTER (WHERE jsonb_typeof(before->'submitted_at') = 'string') AS median_sec
			FROM audit_log WHERE action IN ('approve', 'reject') AND created_at >= ?
			GROUP BY select_center_id)
		SELECT centers.center, coalesce(pending.n, 0) AS pending, pending.oldest,
		       coalesce(decided.approved, 0) AS approved, coalesce(decided.rejected, 0) AS rejected,
		       decided.median_sec
		FROM centers LEFT JOIN pending USING (center) LEFT JOIN decided USING (center)
		ORDER BY array_position(?::text[], centers.center)`,
		textArray(c.centers), since, textArray(c.centers)).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "curation summary")
	}
	out := make([]curation.CenterSummary, len(rows))
	for i, r := range rows {
		out[i] = curation.CenterSummary{SelectCenterID: r.Center, Pending: r.Pending, OldestSubmittedAt: utcPtr(r.Oldest),
			Approved30d: r.Approved, Rejected30d: r.Rejected}
		if r.MedianSec != nil {
			h := *r.MedianSec / 3600
			out[i].MedianDecisionHours = &h
		}
	}
	return out, nil
}

type auditRecord struct {
	ID             int64
	EntityType     string
	EntityID       uuid.UUID
	SelectCenterID *string
	Action         string
	ActorID        *uuid.UUID
	ActorRole      string
	Before         []byte
	After          []byte
	Reason         string
	RequestID      string
	CreatedAt      time.Time
}

// AuditEntries returns up to q.Limit audit rows matching q, newest first.
func (c *Curation) AuditEntries(ctx context.Context, q curation.AuditQuery) ([]audit.Entry, error) {
	db := c.db.WithContext(ctx).Table("audit_log").Select("id, entity_type, entity_id, select_center_id, action, " +
		"actor_id, actor_role, before, after, reason, request_id, created_at")
	if q.SelectCenter != "" {
		db = db.Where("select_center_id = ?", q.SelectCenter)
	}
	if q.EntityType != "" {
		db = db.Where("entity_type = ?", q.EntityType)
	}
	if q.EntityID != uuid.Nil {
		db = db.Where("entity_id = ?", q.EntityID)
	}
	if q.ActorID != uuid.Nil {
		db = db.Where("actor_id = ?", q.ActorID)
	}
	if q.Action != "" {
		db = db.Where("action = ?", q.Action)
	}
	if q.From != nil {
		db = db.Where("created_at >= ?", *q.From)
	}
	if q.To != nil {
		db = db.Where("created_at < ?", *q.To)
	}
	if q.After != nil {
		id, err := strconv.ParseInt(q.After.ID, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("audit cursor id: %w", err)
		}
		db = db.Where("(created_at, id) < (?, ?)", q.After.At, id)
	}
	var rs []auditRecord
	if err := db.Order("created_at DESC, id DESC").Limit(q.Limit).Scan(&rs).Error; err != nil {
		return nil, translate(err, "audit log")
	}
	out := make([]audit.Entry, len(rs))
	for i, r := range rs {
		out[i] = audit.Entry{ID: r.ID, EntityType: r.EntityType, EntityID: r.EntityID, SelectCenterID: deref(r.SelectCenterID),
			Action: r.Action, ActorID: derefID(r.ActorID), ActorRole: r.ActorRole, Reason: r.Reason,
			RequestID: r.RequestID, CreatedAt: r.CreatedAt.UTC()}
		if err := json.Unmarshal(r.Before, &out[i].Before); err != nil {
			return nil, fmt.Errorf("audit row %d: %w", r.ID, err)
		}
		if err := json.Unmarshal(r.After, &out[i].After); err != nil {
			return nil, fmt.Errorf("audit row %d: %w", r.ID, err)
		}
	}
	return out, nil
}

// ExpiringCertificates lists the certificates of products that are not
// archived and expire from from to to.
func (c *Curation) ExpiringCertificates(ctx context.Context, from, to time.Time) ([]curation.ExpiringCertificate, error) {
	var rows []struct {
		ProductID uuid.UUID
		OwnerID   uuid.UUID
		NameEN    string `gorm:"column:name_en"`
		NameTH    string `gorm:"column:name_th"`
		Kind      string
		Number    string
		ExpiresOn time.Time
	}
	err := c.db.WithContext(ctx).Raw(`SELECT p.id AS product_id, pr.user_id AS owner_id, p.name_en, p.name_th,
			c.kind, c.number, c.expires_on
		FROM product_certifications c JOIN products p ON p.id = c.product_id JOIN producers pr ON pr.id = p.producer_id
		WHERE c.expires_on BETWEEN ?::date AND ?::date AND p.status <> 'archived'
		ORDER BY c.expires_on, p.id, c.position`, from.Format(time.DateOnly), to.Format(time.DateOnly)).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "expiring certificates")
	}
	out := make([]curation.ExpiringCertificate, len(rows))
	for i, r := range rows {
		out[i] = curation.ExpiringCertificate{ProductID: r.ProductID, OwnerID: r.OwnerID, NameEN: r.NameEN, NameTH: r.NameTH,
			Kind: r.Kind, Number: r.Number, ExpiresOn: *dateOnly(&r.ExpiresOn)}
	}
	return out, nil
}

// TopotopProducts lists the ids of the products designated TOPOTOP.
func (c *Curation) TopotopProducts(ctx context.Context) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := c.db.WithContext(ctx).Raw("SELECT id FROM products WHERE topotop ORDER BY id").Scan(&ids).Error
	return ids, translate(err, "TOPOTOP products")
}

// Notify writes notifications; a repeated dedupe key is skipped.
func (c *Curation) Notify(ctx context.Context, ns []notify.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	return c.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error { return insertNotifications(tx, ns) })
}
