package postgres

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/catalog"
)

// Rebuilds is the queue of search index rebuild requests (see migration
// 00007): `otop reindex` asks, the serving process's indexer does the work.
type Rebuilds struct{ db *gorm.DB }

// NewRebuilds returns the queue stored in db.
func NewRebuilds(db *gorm.DB) *Rebuilds { return &Rebuilds{db: db} }

var _ catalog.RebuildQueue = (*Rebuilds)(nil)

// Request queues a rebuild and returns its id.
func (r *Rebuilds) Request(ctx context.Context) (int64, error) {
	var id int64
	err := r.db.WithContext(ctx).Raw("INSERT INTO search_rebuilds DEFAULT VALUES RETURNING id").Row().Scan(&id)
	return id, translate(err, "request a search rebuild")
}

// Claim marks the oldest waiting request started and returns its id; ok is
// false when none waits. Requests waiting together are served by one
// rebuild: the others are finished with it.
func (r *Rebuilds) Claim(ctx context.Context) (id int64, ok bool, err error) {
	err = r.db.WithContext(ctx).Raw(`UPDATE search_rebuilds SET started_at = clock_timestamp(), heartbeat_at = clock_timestamp()
		WHERE id = (SELECT id FROM search_rebuilds WHERE started_at IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING id`).Row().Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, translate(err, "claim a search rebuild")
	}
	return id, true, nil
}

// Progress records how many documents the rebuild wrote so far.
func (r *Rebuilds) Progress(ctx context.Context, id int64, documents int) error {
	return translate(r.db.WithContext(ctx).Exec(`UPDATE search_rebuilds SET documents = ?, heartbeat_at = clock_timestamp()
		WHERE id = ?`, documents, id).Error, "record rebuild progress")
}

// Finish records the end of a rebuild, failed when cause is not nil, and
// finishes the requests that waited meanwhile: the rebuild served them.
func (r *Rebuilds) Finish(ctx context.Context, id int64, documents int, cause error) error {
	var msg *string
	if cause != nil {
		s := cause.Error()
		msg = &s
	}
	return translate(r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Exec(`UPDATE search_rebuilds SET finished_at = clock_timestamp(), heartbeat_at = clock_timestamp(),
			documents = ?, error = ? WHERE id = ?`, documents, msg, id).Error; err != nil {
			return err
		}
		if msg != nil {
			return nil // a failed rebuild served nobody else
		}
		return tx.Exec(`UPDATE search_rebuilds SET started_at = clock_timestamp(), finished_at = clock_timestamp(),
			documents = ?, error = NULL WHERE started_at IS NULL AND requested_at <= (SELECT started_at FROM search_rebuilds WHERE id = ?)`,
			documents, id).Error
	}), "finish a search rebuild")
}

// Status reads one request.
func (r *Rebuilds) Status(ctx context.Context, id int64) (catalog.RebuildStatus, error) {
	var row struct {
		StartedAt   *time.Time
		HeartbeatAt *time.Time
		FinishedAt  *time.Time
		Documents   int
		Error       *string
	}
	res := r.db.WithContext(ctx).Raw(`SELECT started_at, heartbeat_at, finished_at, documents, error
		FROM search_rebuilds WHERE id = ?`, id).Scan(&row)
	if res.Error != nil {
		return catalog.RebuildStatus{}, translate(res.Error, "read a search rebuild")
	}
	if res.RowsAffected == 0 {
		return catalog.RebuildStatus{}, errors.New("no such search rebuild")
	}
	s := catalog.RebuildStatus{Started: row.StartedAt != nil, Finished: row.FinishedAt != nil, Documents: row.Documents}
	if row.HeartbeatAt != nil {
		s.Heartbeat = *row.HeartbeatAt
	}
	if row.Error != nil {
		s.Error = *row.Error
	}
	return s, nil
}

// Abandon finishes a request nobody serves, with reason as its error.
func (r *Rebuilds) Abandon(ctx context.Context, id int64, reason string) error {
	return translate(r.db.WithContext(ctx).Exec(`UPDATE search_rebuilds SET started_at = coalesce(started_at, clock_timestamp()),
		finished_at = clock_timestamp(), error = ? WHERE id = ? AND finished_at IS NULL`, reason, id).Error, "abandon a search rebuild")
}
