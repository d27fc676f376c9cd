package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/bulk"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/media"
)

// Imports stores import jobs and applies them (bulk.JobStore).
type Imports struct {
	db      *gorm.DB
	catalog *Catalog
}

// NewImports builds the import job store.
func NewImports(db *gorm.DB) *Imports { return &Imports{db: db, catalog: NewCatalog(db)} }

type importJobRecord struct {
	ID             uuid.UUID
	UserID         uuid.UUID
	Role           string
	SelectCenterID string
	ProducerID     *uuid.UUID
	FileName       string
	FileKey        string
	ImagesKey      string
	DryRun         bool
	SkipInvalid    bool
	State          string
	RowsTotal      int
	RowsDone       int
	Report         []byte `gorm:"type:jsonb"`
	Error          string
	Attempts       int
	LeaseUntil     *time.Time
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt      time.Time `gorm:"autoUpdateTime:false"`
	FinishedAt     *time.Time
}

func (importJobRecord) TableName() string { return "import_jobs" }

func (r importJobRecord) domain() (bulk.Job, error) {
	j := bulk.Job{
		ID: r.ID, UserID: r.UserID, Role: account.Role(r.Role), SelectCenterID: r.SelectCenterID,
		ProducerID: derefID(r.ProducerID), FileName: r.FileName, FileKey: r.FileKey, ImagesKey: r.ImagesKey,
		DryRun: r.DryRun, SkipInvalid: r.SkipInvalid, State: bulk.JobState(r.State),
		RowsTotal: r.RowsTotal, RowsDone: r.RowsDone, Error: r.Error, Attempts: r.Attempts,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), FinishedAt: utcPtr(r.FinishedAt),
	}
	if err := json.Unmarshal(r.Report, &j.Report); err != nil {
		return bulk.Job{}, fmt.Errorf("import %s report: %w", r.ID, err)
	}
	if j.Report.Problems == nil {
		j.Report.Problems = []bulk.Problem{}
	}
	if j.Report.Notices == nil {
		j.Report.Notices = []string{}
	}
	return j, nil
}

// CreateJob stores a queued job.
func (s *Imports) CreateJob(ctx context.Context, j bulk.Job) error {
	report, err := json.Marshal(j.Report)
	if err != nil {
		return err
	}
	r := importJobRecord{
		ID: j.ID, UserID: j.UserID, Role: string(j.Role), SelectCenterID: j.SelectCenterID,
		ProducerID: nullableID(j.ProducerID), FileName: j.FileName, FileKey: j.FileKey, ImagesKey: j.ImagesKey,
		DryRun: j.DryRun, SkipInvalid: j.SkipInvalid, State: string(j.State), Report: report,
		CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt,
	}
	return translate(s.db.WithContext(ctx).Create(&r).Error, "create import job")
}

// Job returns an import job.
func (s *Imports) Job(ctx context.Context, id uuid.UUID) (bulk.Job, error) {
	var r importJobRecord
	if err := s.db.WithContext(ctx).Take(&r, "id = ?", id).Error; err != nil {
		return bulk.Job{}, translate(err, "import job")
	}
	return r.domain()
}

// ClaimJob takes the oldest job waiting, or running with its lease run out.
func (s *Imports) ClaimJob(ctx context.Context, now, until time.Time) (bulk.Job, error) {
	var rs []importJobRecord
	err := s.db.WithContext(ctx).Raw(`UPDATE import_jobs SET state = 'running', attempts = attempts + 1,
		lease_until = ?, updated_at = ?
		WHERE id = (SELECT id FROM import_jobs
			WHERE state = 'queued' OR (state = 'running' AND lease_until < ?)
			ORDER BY created_at FOR UPDATE SKIP LOCKED LIMIT 1)
		RETURNING *`, until, now, now).Scan(&rs).Error
	if err != nil {
		return bulk.Job{}, translate(err, "claim import job")
	}
	if len(rs) == 0 {
		return bulk.Job{}, fmt.Errorf("import job: %w", errs.ErrNotFound)
	}
	return rs[0].domain()
}

// Progress records how far a running attempt is and extends its lease.
func (s *Imports) Progress(ctx context.Context, id uuid.UUID, attempt, rowsTotal, rowsDone int, until time.Time) error {
	res := s.db.WithContext(ctx).Exec(`UPDATE import_jobs SET rows_total = ?, rows_done = ?, lease_until = ?, updated_at = now()
		WHERE id = ? AND attempts = ? AND state = 'running'`, rowsTotal, rowsDone, until, id, attempt)
	return attemptResult(res, "import progress")
}

// Extend extends a running attempt's lease.
func (s *Imports) Extend(ctx context.Context, id uuid.UUID, attempt int, until time.Time) error {
	res := s.db.WithContext(ctx).Exec(`UPDATE import_jobs SET lease_until = ? WHERE id = ? AND attempts = ? AND state = 'running'`,
		until, id, attempt)
	return attemptResult(res, "extend import lease")
}

func attemptResult(res *gorm.DB, what string) error {
	if res.Error != nil {
		return translate(res.Error, what)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("%s: the job was taken over: %w", what, errs.ErrPrecondition)
	}
	return nil
}

// Finish ends an attempt whose changes were not written.
func (s *Imports) Finish(ctx context.Context, id uuid.UUID, attempt int, state bulk.JobState, report bulk.Report, message string, at time.Time) error {
	return finishJob(s.db.WithContext(ctx), id, attempt, state, report, message, at)
}

func finishJob(db *gorm.DB, id uuid.UUID, attempt int, state bulk.JobState, report bulk.Report, message string, at time.Time) error {
	b, err := json.Marshal(report)
	if err != nil {
		return err
	}
	res := db.Exec(`UPDATE import_jobs SET state = ?, report = ?, error = ?, finished_at = ?, updated_at = ?,
		lease_until = NULL, rows_done = CASE WHEN ? = 'done' THEN rows_total ELSE rows_done END
		WHERE id = ? AND attempts = ? AND state = 'running'`, string(state), b, message, at, at, string(state), id, attempt)
	return attemptResult(res, "finish import")
}

// PurgeJobs deletes the jobs finished before before, returning their files' keys.
func (s *Imports) PurgeJobs(ctx context.Context, before time.Time) ([]string, error) {
	var rs []importJobRecord
	if err := s.db.WithContext(ctx).Raw(`DELETE FROM import_jobs WHERE finished_at < ? RETURNING file_key, images_key`, before).
		Scan(&rs).Error; err != nil {
		return nil, translate(err, "purge import jobs")
	}
	var keys []string
	for _, r := range rs {
		keys = append(keys, r.FileKey)
		if r.ImagesKey != "" {
			keys = append(keys, r.ImagesKey)
		}
	}
	return keys, nil
}

// Apply runs fn in one transaction, on a connection of its own so that new
// rows can be written with COPY in that transaction.
func (s *Imports) Apply(ctx context.Context, fn func(tx bulk.ImportTx) error) error {
	return s.db.WithContext(ctx).Connection(func(c *gorm.DB) error {
		conn, ok := c.Statement.ConnPool.(*sql.Conn)
		if !ok {
			return fmt.Errorf("import: a connection of its own is %T", c.Statement.ConnPool)
		}
		return c.Transaction(func(tx *gorm.DB) error {
			return fn(importTx{tx: tx, conn: conn, catalog: NewCatalog(tx)})
		})
	})
}

// importTx is bulk.ImportTx on one transaction, open on conn.
type importTx struct {
	tx      *gorm.DB
	conn    *sql.Conn
	catalog *Catalog
}

func (t importTx) Producers(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]catalog.Producer, error) {
	var rs []producerRecord
	if err := t.tx.WithContext(ctx).Where("id IN ?", ids).Find(&rs).Error; err != nil {
		return nil, translate(err, "import producers")
	}
	out := make(map[uuid.UUID]catalog.Producer, len(rs))
	for _, r := range rs {
		out[r.ID] = r.domain()
	}
	return out, nil
}

func (t importTx) ActiveProducts(ctx context.Context, producerIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	db := t.tx.WithContext(ctx)
	if err := db.Exec("SELECT 1 FROM producers WHERE id IN ? ORDER BY id FOR UPDATE", producerIDs).Error; err != nil {
		return nil, translate(err, "lock producers")
	}
	var rows []struct {
		ProducerID uuid.UUID
		N          int
	}
	if err := db.Raw(`SELECT producer_id, count(*) AS n FROM products
		WHERE producer_id IN ? AND status <> 'archived' GROUP BY producer_id`, producerIDs).Scan(&rows).Error; err != nil {
		return nil, translate(err, "count products")
	}
	out := make(map[uuid.UUID]int, len(rows))
	for _, r := range rows {
		out[r.ProducerID] = r.N
	}
	return out, nil
}

func (t importTx) Existing(ctx context.Context, ids []uuid.UUID, skus []bulk.SKUKey) ([]catalog.Product, error) {
	if len(ids) == 0 && len(skus) == 0 {
		return nil, nil
	}
	db := t.tx.WithContext(ctx)
	idList := make(textArray, len(ids))
	for i, id := range ids {
		idList[i] = id.String()
	}
	producers, codes := make(textArray, len(skus)), make(textArray, len(skus))
	for i, k := range skus {
		producers[i], codes[i] = k.ProducerID.String(), k.SKU
	}
	// Arrays rather than a list of (producer_id, sku) pairs, which the
	// planner answers with a scan of the table: the SKUs are looked up in
	// the unique index one by one, and both sets of ids meet the primary key.
	bySKU := `products.id = ANY(ARRAY(
		SELECT p.id FROM unnest(?::uuid[], ?::text[]) AS k(producer_id, sku)
		JOIN products p ON p.producer_id = k.producer_id AND p.sku = k.sku))`
	q := t.catalog.products(db)
	switch {
	case len(ids) > 0 && len(skus) > 0:
		q = q.Where(`products.id = ANY(?::uuid[]) OR `+bySKU, idList, producers, codes)
	case len(ids) > 0:
		q = q.Where(`products.id = ANY(?::uuid[])`, idList)
	default:
		q = q.Where(bySKU, producers, codes)
	}
	// Not locked: most rows of a re-import change nothing, and an update
	// names the version it was planned on (a change meanwhile fails the job).
	rs, err := scanProducts(q)
	if err != nil {
		return nil, translate(err, "import existing products")
	}
	return t.catalog.withCertifications(db, rs)
}

func (t importTx) ImageHashes(ctx context.Context, productIDs []uuid.UUID) (map[uuid.UUID][]string, error) {
	var rows []struct {
		ProductID uuid.UUID
		SHA256    string `gorm:"column:sha256"`
	}
	if err := t.tx.WithContext(ctx).Raw(`SELECT product_id, sha256 FROM product_images WHERE product_id IN ?`, productIDs).
		Scan(&rows).Error; err != nil {
		return nil, translate(err, "import image hashes")
	}
	out := map[uuid.UUID][]string{}
	for _, r := range rows {
		out[r.ProductID] = append(out[r.ProductID], r.SHA256)
	}
	return out, nil
}

// Insert writes new products with their certificates with COPY, which
// PostgreSQL takes faster than multi-row INSERTs of 45 parameters a row (the
// triggers fire as for an INSERT), and the effects (audit rows of
// submissions) of each.
func (t importTx) Insert(ctx context.Context, plans []catalog.ImportPlan) error {
	if len(plans) == 0 {
		return nil
	}
	db := t.tx.WithContext(ctx)
	recs := make([]productRecord, len(plans))
	var certs []certificationRecord
	for i, pl := range plans {
		recs[i] = newProductRecord(pl.Product)
		certs = append(certs, certificationRecords(pl.Product)...)
	}
	if err := copyRecords(ctx, db, t.conn, recs); err != nil {
		return translate(err, "import products")
	}
	if len(certs) > 0 {
		if err := copyRecords(ctx, db, t.conn, certs); err != nil {
			return translate(err, "import certifications")
		}
	}
	for _, pl := range plans {
		if len(pl.Effects.Audit)+len(pl.Effects.Notifications) > 0 {
			if err := writeEffects(db, pl.Product.ID, pl.Effects); err != nil {
				return err
			}
		}
	}
	return nil
}

func (t importTx) Update(ctx context.Context, plan catalog.ImportPlan) error {
	tx := t.tx.WithContext(ctx)
	if _, err := t.catalog.updateProduct(tx, plan.Product, plan.Replaces, plan.Effects); err != nil {
		return err
	}
	return replaceCertifications(tx, plan.Product)
}

func (t importTx) AddImages(ctx context.Context, productID uuid.UUID, imgs []media.Image) error {
	_, err := insertImages(t.tx.WithContext(ctx), productID, imgs, media.MaxImagesPerProduct)
	return translate(err, "import images")
}

func (t importTx) Finish(ctx context.Context, id uuid.UUID, attempt int, report bulk.Report, at time.Time) error {
	return finishJob(t.tx.WithContext(ctx), id, attempt, bulk.JobDone, report, "", at)
}
