package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// OutboxEntry is one pending change of the search index.
type OutboxEntry struct {
	ID        int64
	ProductID string
	Attempts  int
}

// Outbox is the transactional outbox the indexer drains.
type Outbox interface {
	// Claim locks up to limit due entries (oldest first) inside a
	// transaction and calls process with them. process returns the ids it
	// handled; those are deleted and the rest rescheduled with retryAfter
	// and the error, when the transaction commits. Entries claimed by
	// another worker are skipped.
	Claim(ctx context.Context, limit int, process func(ctx context.Context, entries []OutboxEntry) (done []int64, retryAfter time.Duration, err error)) (int, error)
	// OldestAge is the age of the oldest pending entry (0 when empty).
	OldestAge(ctx context.Context) (time.Duration, error)
	// Exclusive runs fn while no drainer runs (on any replica); the entries
	// written meanwhile wait and are applied afterwards.
	Exclusive(ctx context.Context, fn func(ctx context.Context) error) error
	// Visible returns the ids of the entries committed so far.
	Visible(ctx context.Context) ([]int64, error)
	// Forget deletes entries by id.
	Forget(ctx context.Context, ids []int64) error
	// EnqueueExpiredCertificates enqueues the published products whose
	// certificates expired since the given time.
	EnqueueExpiredCertificates(ctx context.Context, since time.Time) (int, error)
}

// DocumentSource reads the current public state of products.
type DocumentSource interface {
	// SearchDocuments returns the documents of those ids that are
	// published now; the others are absent from the result.
	SearchDocuments(ctx context.Context, ids []string, now time.Time) ([]SearchDocument, error)
	// PublishedDocuments walks every published product in id order, in
	// batches, for a full rebuild.
	PublishedDocuments(ctx context.Context, now time.Time, batch int, fn func([]SearchDocument) error) error
}

// StagedSource reads the products under review, as documents to stage
// (Staged set, PublishedAt zero).
type StagedSource interface {
	// StagedDocuments returns the documents of those ids that are under
	// review now; the others are absent from the result.
	StagedDocuments(ctx context.Context, ids []string, now time.Time) ([]SearchDocument, error)
	// EachStagedDocument walks every product under review, in batches, for
	// a full rebuild.
	EachStagedDocument(ctx context.Context, now time.Time, batch int, fn func([]SearchDocument) error) error
}

// RebuildQueue holds requests to rebuild the index, for engines whose
// index only the serving process can write (the embedded engine): the
// reindex command asks, the indexer in serve does the work.
type RebuildQueue interface {
	// Claim starts the oldest waiting request; ok is false when none waits.
	Claim(ctx context.Context) (id int64, ok bool, err error)
	Progress(ctx context.Context, id int64, documents int) error
	// Finish ends a request, failed when cause is not nil.
	Finish(ctx context.Context, id int64, documents int, cause error) error
}

// RebuildStatus is the state of one rebuild request.
type RebuildStatus struct {
	Started   bool
	Finished  bool
	Documents int
	Heartbeat time.Time // last sign of life of the rebuild
	Error     string    // "" unless it failed
}

// Indexer keeps the search index converged to PostgreSQL: it drains the
// outbox, upserting what is published and deleting what is not, and
// deletes outbox rows only after the engine confirmed.
type Indexer struct {
	outbox Outbox
	docs   DocumentSource
	index  SearchIndex
	logger *slog.Logger
	now    func() time.Time
	// rebuilds, when set, are served by Run.
	rebuilds RebuildQueue
	// wake cuts Run's wait short: a change was committed (Wake).
	wake chan struct{}
	// stager and staged, when set (Stage), keep the products under review
	// staged in the engine.
	stager Stager
	staged StagedSource
}

// Stage makes the indexer keep the documents of the products under review
// staged in st (hidden), read from src: approving one then shows a
// document the engine holds already (see Stager).
func (ix *Indexer) Stage(st Stager, src StagedSource) { ix.stager, ix.staged = st, src }

// Reconcile brings the staged documents of the engine in line with
// PostgreSQL: an engine opened on an existing index holds hidden the
// documents shown since they were staged (showing one does not write the
// index), and serve calls this before searches are answered.
func (ix *Indexer) Reconcile(ctx context.Context) error {
	if ix.stager == nil {
		return nil
	}
	ids := ix.stager.Staged()
	for start := 0; start < len(ids); start += reconcileBatch {
		if err := ix.applyIDs(ctx, ids[start:min(start+reconcileBatch, len(ids))]); err != nil {
			return fmt.Errorf("reconcile staged documents: %w", err)
		}
	}
	return nil
}

// reconcileBatch is how many staged documents Reconcile reads at once.
const reconcileBatch = 500

// wakeGather is how long Run waits after a wake-up for more changes to
// apply with it. Each batch becomes a segment of the embedded engine, whose
// fixed cost (its dictionaries, then merging it) outweighs a document's
// when changes trickle in; the wait keeps a publication well within a
// second of its commit.
const wakeGather = 200 * time.Millisecond

// Wake tells Run that the outbox has new entries, so that a change becomes
// searchable as soon as it commits rather than at the next tick.
func (ix *Indexer) Wake() {
	select {
	case ix.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// ServeRebuilds makes Run serve the rebuild requests of q.
func (ix *Indexer) ServeRebuilds(q RebuildQueue) { ix.rebuilds = q }

// progressEvery is how many documents pass between two progress reports
// of a requested rebuild.
const progressEvery = 5000

// serveRebuild runs the oldest waiting rebuild request, if any.
func (ix *Indexer) serveRebuild(ctx context.Context) error {
	if ix.rebuilds == nil {
		return nil
	}
	id, ok, err := ix.rebuilds.Claim(ctx)
	if err != nil || !ok {
		return err
	}
	ix.logger.InfoContext(ctx, "search index rebuild requested", "request", id)
	start := ix.now()
	written, reported := 0, 0
	err = ix.Rebuild(ctx, 1000, func(done int) {
		written = done
		if done-reported >= progressEvery {
			reported = done
			if perr := ix.rebuilds.Progress(ctx, id, done); perr != nil {
				ix.logger.WarnContext(ctx, "record rebuild progress", "error", perr.Error())
			}
		}
	})
	if ferr := ix.rebuilds.Finish(context.WithoutCancel(ctx), id, written, err); ferr != nil {
		return errors.Join(err, ferr)
	}
	if err != nil {
		return fmt.Errorf("requested rebuild: %w", err)
	}
	ix.logger.InfoContext(ctx, "search index rebuilt", "request", id, "documents", written,
		"seconds", ix.now().Sub(start).Seconds())
	return nil
}

// NewIndexer builds an Indexer.
func NewIndexer(outbox Outbox, docs DocumentSource, index SearchIndex, logger *slog.Logger, now func() time.Time) *Indexer {
	return &Indexer{outbox: outbox, docs: docs, index: index, logger: logger, now: now, wake: make(chan struct{}, 1)}
}

// backoff is how long a failed batch waits: 1 s doubling to at most 5 minutes.
func backoff(attempts int) time.Duration {
	d := time.Second << min(attempts, 9)
	return min(d, 5*time.Minute)
}

// Drain processes due outbox entries until none is left or ctx ends. It
// returns how many entries it applied.
func (ix *Indexer) Drain(ctx context.Context, batch int) (int, error) {
	total := 0
	for {
		n, err := ix.outbox.Claim(ctx, batch, ix.apply)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

func (ix *Indexer) apply(ctx context.Context, entries []OutboxEntry) ([]int64, time.Duration, error) {
	ids := make([]string, 0, len(entries))
	seen := make(map[string]bool, len(entries))
	attempts := 0
	for _, e := range entries {
		attempts = max(attempts, e.Attempts)
		if !seen[e.ProductID] {
			seen[e.ProductID] = true
			ids = append(ids, e.ProductID)
		}
	}
	if err := ix.applyIDs(ctx, ids); err != nil {
		return nil, backoff(attempts), err
	}
	done := make([]int64, len(entries))
	for i, e := range entries {
		done[i] = e.ID
	}
	return done, 0, nil
}

// applyIDs upserts the documents of ids that are published, stages those
// under review (when staging) and deletes the others.
func (ix *Indexer) applyIDs(ctx context.Context, ids []string) error {
	docs, err := ix.docs.SearchDocuments(ctx, ids, ix.now())
	if err != nil {
		return fmt.Errorf("read documents: %w", err)
	}
	kept := make(map[string]bool, len(docs))
	for _, d := range docs {
		kept[d.ID] = true
	}
	var staged []SearchDocument
	if ix.stager != nil {
		var rest []string
		for _, id := range ids {
			if !kept[id] {
				rest = append(rest, id)
			}
		}
		if len(rest) > 0 {
			if staged, err = ix.staged.StagedDocuments(ctx, rest, ix.now()); err != nil {
				return fmt.Errorf("read staged documents: %w", err)
			}
		}
		for _, d := range staged {
			kept[d.ID] = true
		}
	}
	var gone []string
	for _, id := range ids {
		if !kept[id] {
			gone = append(gone, id)
		}
	}
	if len(docs) > 0 {
		if err := ix.index.Upsert(ctx, docs); err != nil {
			return fmt.Errorf("upsert %d documents: %w", len(docs), err)
		}
	}
	if len(staged) > 0 {
		if err := ix.stager.Stage(ctx, staged); err != nil {
			return fmt.Errorf("stage %d documents: %w", len(staged), err)
		}
	}
	if len(gone) > 0 {
		if err := ix.index.Delete(ctx, gone); err != nil {
			return fmt.Errorf("delete %d documents: %w", len(gone), err)
		}
	}
	return nil
}

// Run drains the outbox every interval, and whenever Wake is called, until ctx ends, logging failures
// (the entries stay and are retried with backoff), serves rebuild requests
// (see ServeRebuilds), and once an hour re-indexes products whose
// certificates expired.
func (ix *Indexer) Run(ctx context.Context, interval time.Duration) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	lastExpiry := ix.now().Add(-48 * time.Hour)
	for {
		if ix.now().Sub(lastExpiry) > time.Hour {
			if _, err := ix.outbox.EnqueueExpiredCertificates(ctx, lastExpiry.Add(-24*time.Hour)); err == nil {
				lastExpiry = ix.now()
			} else if !errors.Is(err, context.Canceled) {
				ix.logger.WarnContext(ctx, "enqueue expired certificates", "error", err.Error())
			}
		}
		if err := ix.serveRebuild(ctx); err != nil && !errors.Is(err, context.Canceled) {
			ix.logger.ErrorContext(ctx, "search index rebuild failed; the live index is unchanged", "error", err.Error())
		}
		if n, err := ix.Drain(ctx, 500); err != nil && !errors.Is(err, context.Canceled) {
			ix.logger.WarnContext(ctx, "search indexing failed; will retry", "error", err.Error(), "applied", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		case <-ix.wake:
			// A stream of commits (curators deciding, an import) gathers
			// into one index batch instead of one each.
			select {
			case <-ctx.Done():
				return
			case <-time.After(wakeGather):
			}
		}
	}
}

// Rebuild rebuilds the whole index from PostgreSQL aside and swaps it in;
// progress is called with the number of documents written so far. No
// outbox entry is applied meanwhile: those written during the rebuild are
// applied to the new index after the swap, so nothing changed during the
// rebuild is lost, and those committed before it are deleted, since the
// rebuild read their products after them.
func (ix *Indexer) Rebuild(ctx context.Context, batch int, progress func(done int)) error {
	return ix.outbox.Exclusive(ctx, func(ctx context.Context) error { return ix.rebuild(ctx, batch, progress) })
}

func (ix *Indexer) rebuild(ctx context.Context, batch int, progress func(done int)) error {
	// The entries committed before the rebuild reads PostgreSQL are covered
	// by it: forget them after the swap instead of applying them again.
	covered, err := ix.outbox.Visible(ctx)
	if err != nil {
		return err
	}
	done := 0
	err = ix.index.Rebuild(ctx, func(add func([]SearchDocument) error) error {
		each := func(docs []SearchDocument) error {
			if err := add(docs); err != nil {
				return err
			}
			done += len(docs)
			if progress != nil {
				progress(done)
			}
			return nil
		}
		if err := ix.docs.PublishedDocuments(ctx, ix.now(), batch, each); err != nil {
			return err
		}
		if ix.stager == nil {
			return nil
		}
		// Hidden, so not counted: progress and the report count what
		// searches will find.
		return ix.staged.EachStagedDocument(ctx, ix.now(), batch, add)
	})
	if err != nil {
		return err
	}
	for start := 0; start < len(covered); start += 10000 {
		if err := ix.outbox.Forget(ctx, covered[start:min(start+10000, len(covered))]); err != nil {
			return fmt.Errorf("forget the outbox entries the rebuild covered: %w", err)
		}
	}
	return nil
}
