// Package meili is the Meilisearch engine behind catalog.SearchIndex, used
// in production when MEILI_URL is set (DESIGN.md §3). It talks to the
// server through github.com/meilisearch/meilisearch-go.
//
// Every write waits for its Meilisearch task and returns the task's error
// when it failed, so a nil error means the change is searchable. Filters are
// built from the typed catalog.SearchFilters with every string value quoted
// and escaped (see filter.go); user text never becomes filter syntax.
package meili

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/otopmarket/otop/internal/catalog"
)

// Defaults for Config.
const (
	DefaultIndexUID     = "products"
	DefaultTaskTimeout  = 2 * time.Minute
	DefaultMaxTotalHits = 10_000

	primaryKey   = "id"
	taskInterval = 25 * time.Millisecond
	// cleanupTimeout bounds the best-effort deletion of a half-built index
	// after a failed Rebuild, which runs even when ctx was cancelled.
	cleanupTimeout = 30 * time.Second
	// maxInFlight is how many document batches Rebuild enqueues before it
	// waits for the oldest one, so a failing fill is noticed early and the
	// server's task queue stays short.
	maxInFlight = 4
)

// Config says where the server is and which index holds the catalogue.
type Config struct {
	URL      string // e.g. http://127.0.0.1:7700
	APIKey   string // master or admin key; "" when the server runs without one
	IndexUID string // default "products"
	// TaskTimeout bounds the wait for each Meilisearch task (a settings
	// update, a batch of documents, a swap). Default 2 minutes.
	TaskTimeout time.Duration
	// MaxTotalHits is the pagination ceiling (settings.pagination.maxTotalHits):
	// no search sees more than this many matches, and Total is capped at it.
	// Default 10 000.
	MaxTotalHits int64
}

// Index is a catalog.SearchIndex on one Meilisearch index.
type Index struct {
	client meilisearch.ServiceManager
	uid    string
	cfg    Config
	// created is set when New created the live index.
	created bool
}

var _ catalog.SearchIndex = (*Index)(nil)

// New connects to Meilisearch, creates the index when it is missing and
// applies its settings (EnsureSettings), waiting for each task.
func New(ctx context.Context, cfg Config) (*Index, error) {
	if strings.TrimSpace(cfg.URL) == "" {
		return nil, errors.New("meili: URL is required")
	}
	if cfg.IndexUID == "" {
		cfg.IndexUID = DefaultIndexUID
	}
	if !validUID(cfg.IndexUID) {
		return nil, fmt.Errorf("meili: index uid %q: only letters, digits, '-' and '_' are allowed", cfg.IndexUID)
	}
	if cfg.TaskTimeout <= 0 {
		cfg.TaskTimeout = DefaultTaskTimeout
	}
	if cfg.MaxTotalHits <= 0 {
		cfg.MaxTotalHits = DefaultMaxTotalHits
	}
	opts := []meilisearch.Option{
		// compatMarshal keeps the settings and swap requests readable by
		// Meilisearch servers older than this SDK (see compat.go).
		meilisearch.WithCustomJsonMarshaler(compatMarshal),
	}
	if cfg.APIKey != "" {
		opts = append(opts, meilisearch.WithAPIKey(cfg.APIKey))
	}
	ix := &Index{
		client: meilisearch.New(strings.TrimRight(cfg.URL, "/"), opts...),
		uid:    cfg.IndexUID,
		cfg:    cfg,
	}
	if err := ix.ensureIndex(ctx, ix.uid); err != nil {
		return nil, err
	}
	if err := ix.EnsureSettings(ctx); err != nil {
		return nil, err
	}
	return ix, nil
}

// Created reports whether New created the index: it is empty and must be
// filled from the source of truth.
func (ix *Index) Created() bool { return ix.created }

// UID is the name of the live index.
func (ix *Index) UID() string { return ix.uid }

// EnsureSettings applies the index settings (settings.go) to the live index
// and waits until Meilisearch has applied them. It is idempotent: running
// it again with unchanged settings changes nothing.
func (ix *Index) EnsureSettings(ctx context.Context) error {
	return ix.applySettings(ctx, ix.uid)
}

func (ix *Index) applySettings(ctx context.Context, uid string) error {
	info, err := ix.client.Index(uid).UpdateSettingsWithContext(ctx, indexSettings(ix.cfg.MaxTotalHits))
	if err != nil {
		return fmt.Errorf("meili: update settings of %q: %w", uid, err)
	}
	if err := ix.wait(ctx, info); err != nil {
		return fmt.Errorf("meili: update settings of %q: %w", uid, err)
	}
	return nil
}

// ensureIndex creates uid with primary key "id" when it does not exist, and
// checks the primary key of an existing one.
func (ix *Index) ensureIndex(ctx context.Context, uid string) error {
	res, err := ix.client.GetIndexWithContext(ctx, uid)
	switch {
	case err == nil:
		switch res.PrimaryKey {
		case primaryKey:
			return nil
		case "": // created elsewhere and still empty: set it
			info, err := ix.client.Index(uid).UpdateIndexWithContext(ctx, &meilisearch.UpdateIndexRequestParams{PrimaryKey: primaryKey})
			if err != nil {
				return fmt.Errorf("meili: set primary key of %q: %w", uid, err)
			}
			return ix.wait(ctx, info)
		default:
			return fmt.Errorf("meili: index %q has primary key %q, want %q", uid, res.PrimaryKey, primaryKey)
		}
	case isIndexNotFound(err):
		info, err := ix.client.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: uid, PrimaryKey: primaryKey})
		if err != nil {
			return fmt.Errorf("meili: create index %q: %w", uid, err)
		}
		err = ix.wait(ctx, info)
		var te *TaskError
		if errors.As(err, &te) && te.Code == "index_already_exists" {
			return nil // another replica created it first
		}
		if err != nil {
			return fmt.Errorf("meili: create index %q: %w", uid, err)
		}
		if uid == ix.uid {
			ix.created = true
		}
		return nil
	default:
		return fmt.Errorf("meili: get index %q: %w", uid, err)
	}
}

// Upsert adds or replaces documents and returns once they are searchable.
func (ix *Index) Upsert(ctx context.Context, docs []catalog.SearchDocument) error {
	if len(docs) == 0 {
		return nil
	}
	info, err := ix.client.Index(ix.uid).AddDocumentsWithContext(ctx, toStored(docs), nil)
	if err != nil {
		return fmt.Errorf("meili: add documents: %w", err)
	}
	if err := ix.wait(ctx, info); err != nil {
		return fmt.Errorf("meili: add documents: %w", err)
	}
	return nil
}

// Delete removes documents by id; unknown ids are not an error.
func (ix *Index) Delete(ctx context.Context, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	info, err := ix.client.Index(ix.uid).DeleteDocumentsWithContext(ctx, ids, nil)
	if err != nil {
		return fmt.Errorf("meili: delete documents: %w", err)
	}
	if err := ix.wait(ctx, info); err != nil {
		return fmt.Errorf("meili: delete documents: %w", err)
	}
	return nil
}

// Rebuild builds "<uid>_rebuild_<timestamp>" with the same settings, fills
// it through fill, swaps it with the live index in one atomic swap task and
// deletes the old index. Searches keep answering from the live index until
// the swap. When anything before the swap fails, the new index is deleted
// and the live index is left untouched.
//
// Changes written to the live index while fill runs (by the outbox worker)
// are not copied across; the caller's fill must read a state at least as new
// as theirs, or the outbox must replay them after the swap.
func (ix *Index) Rebuild(ctx context.Context, fill func(add func([]catalog.SearchDocument) error) error) (err error) {
	tmp := fmt.Sprintf("%s_rebuild_%d", ix.uid, time.Now().UTC().UnixNano())
	info, err := ix.client.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: tmp, PrimaryKey: primaryKey})
	if err != nil {
		return fmt.Errorf("meili: rebuild: create %q: %w", tmp, err)
	}
	// On any failure, delete tmp: before the swap it holds the unfinished
	// catalogue, after it the previous one. This is safe even when the
	// swap's outcome is unknown (its wait timed out): Meilisearch runs tasks
	// in the order they were enqueued, so the deletion runs after the swap
	// whichever way it went, and never touches the live index.
	defer func() {
		if err != nil {
			// Best effort, on a fresh context: ctx may be why we failed.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
			defer cancel()
			if derr := ix.deleteIndex(cctx, tmp); derr != nil {
				err = errors.Join(err, fmt.Errorf("meili: rebuild: delete %q: %w", tmp, derr))
			}
		}
	}()
	if err := ix.wait(ctx, info); err != nil {
		return fmt.Errorf("meili: rebuild: create %q: %w", tmp, err)
	}
	if err := ix.applySettings(ctx, tmp); err != nil {
		return fmt.Errorf("meili: rebuild: %w", err)
	}

	target := ix.client.Index(tmp)
	var pending []*meilisearch.TaskInfo
	add := func(docs []catalog.SearchDocument) error {
		if len(docs) == 0 {
			return nil
		}
		info, err := target.AddDocumentsWithContext(ctx, toStored(docs), nil)
		if err != nil {
			return fmt.Errorf("meili: rebuild: add documents: %w", err)
		}
		pending = append(pending, info)
		for len(pending) > maxInFlight {
			if err := ix.wait(ctx, pending[0]); err != nil {
				return fmt.Errorf("meili: rebuild: add documents: %w", err)
			}
			pending = pending[1:]
		}
		return nil
	}
	if err := fill(add); err != nil {
		return fmt.Errorf("meili: rebuild: fill: %w", err)
	}
	for _, info := range pending {
		if err := ix.wait(ctx, info); err != nil {
			return fmt.Errorf("meili: rebuild: add documents: %w", err)
		}
	}

	// The swap needs both indexes to exist.
	if err := ix.ensureIndex(ctx, ix.uid); err != nil {
		return fmt.Errorf("meili: rebuild: %w", err)
	}
	info, err = ix.client.SwapIndexesWithContext(ctx, []*meilisearch.SwapIndexesParams{{Indexes: []string{ix.uid, tmp}}})
	if err != nil {
		return fmt.Errorf("meili: rebuild: swap %q and %q: %w", ix.uid, tmp, err)
	}
	if err := ix.wait(ctx, info); err != nil {
		return fmt.Errorf("meili: rebuild: swap %q and %q: %w", ix.uid, tmp, err)
	}
	// tmp now holds the previous catalogue.
	if err := ix.deleteIndex(ctx, tmp); err != nil {
		return fmt.Errorf("meili: rebuild: swapped in the new index, but deleting the previous one (now %q) failed: %w", tmp, err)
	}
	return nil
}

func (ix *Index) deleteIndex(ctx context.Context, uid string) error {
	info, err := ix.client.DeleteIndexWithContext(ctx, uid)
	if err != nil {
		if isIndexNotFound(err) {
			return nil
		}
		return err
	}
	err = ix.wait(ctx, info)
	var te *TaskError
	if errors.As(err, &te) && te.Code == "index_not_found" {
		return nil
	}
	return err
}

// Ping checks that the server answers /health as available and that the
// live index exists.
func (ix *Index) Ping(ctx context.Context) error {
	h, err := ix.client.HealthWithContext(ctx)
	if err != nil {
		return fmt.Errorf("meili: health: %w", err)
	}
	if h.Status != "available" {
		return fmt.Errorf("meili: health: status %q", h.Status)
	}
	if _, err := ix.client.GetIndexWithContext(ctx, ix.uid); err != nil {
		return fmt.Errorf("meili: index %q: %w", ix.uid, err)
	}
	return nil
}

// TaskError is a Meilisearch task that did not succeed.
type TaskError struct {
	TaskUID int64
	Type    string
	Status  string // failed or canceled
	Code    string // Meilisearch error code, e.g. invalid_settings_filterable_attributes
	Message string
}

func (e *TaskError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("task %d (%s) %s", e.TaskUID, e.Type, e.Status)
	}
	return fmt.Sprintf("task %d (%s) %s: %s: %s", e.TaskUID, e.Type, e.Status, e.Code, e.Message)
}

// wait blocks until the task behind info has finished, at most
// TaskTimeout, and returns a *TaskError when it did not succeed.
func (ix *Index) wait(ctx context.Context, info *meilisearch.TaskInfo) error {
	if info == nil {
		return errors.New("meili: no task returned")
	}
	wctx, cancel := context.WithTimeout(ctx, ix.cfg.TaskTimeout)
	defer cancel()
	task, err := ix.client.WaitForTaskWithContext(wctx, info.TaskUID, taskInterval)
	if err != nil {
		if ctx.Err() == nil && wctx.Err() != nil {
			return fmt.Errorf("task %d (%s) still %s after %s; it may yet be applied", info.TaskUID, info.Type, info.Status, ix.cfg.TaskTimeout)
		}
		return fmt.Errorf("wait for task %d: %w", info.TaskUID, err)
	}
	if task.Status == meilisearch.TaskStatusSucceeded {
		return nil
	}
	return &TaskError{
		TaskUID: info.TaskUID,
		Type:    string(task.Type),
		Status:  string(task.Status),
		Code:    task.Error.Code,
		Message: task.Error.Message,
	}
}

func isIndexNotFound(err error) bool {
	var me *meilisearch.Error
	if !errors.As(err, &me) {
		return false
	}
	return me.MeilisearchApiError.Code == "index_not_found" ||
		(me.MeilisearchApiError.Code == "" && me.StatusCode == http.StatusNotFound)
}

func validUID(s string) bool {
	if s == "" || len(s) > 400 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

// storedDoc is what is sent to Meilisearch: the document plus
// published_at_unix_ms, a number Meilisearch can sort on (it sorts strings
// only lexically, so not RFC 3339 times with offsets). Milliseconds keep
// sub-second order and are exact in Meilisearch's float64 numbers
// (nanoseconds would not be). Hits are decoded into SearchDocument, which
// drops the field again.
type storedDoc struct {
	catalog.SearchDocument
	PublishedAtUnixMS int64 `json:"published_at_unix_ms"`
}

func toStored(docs []catalog.SearchDocument) []storedDoc {
	out := make([]storedDoc, len(docs))
	for i, d := range docs {
		out[i] = storedDoc{SearchDocument: d, PublishedAtUnixMS: d.PublishedAt.UnixMilli()}
	}
	return out
}
