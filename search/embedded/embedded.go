package embedded

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"

	"github.com/otopmarket/otop/internal/catalog"
)

var (
	_ catalog.SearchIndex = (*Index)(nil)
	_ catalog.Stager      = (*Index)(nil)
)

// ErrClosed is returned by every method after Close.
var ErrClosed = errors.New("embedded: index closed")

// ErrLocked is returned by Open when another process has the index open.
var ErrLocked = errors.New("embedded: the index is open in another process")

const (
	currentFile = "current"
	lockFile    = "lock"
	genPrefix   = "idx-"
	batchSize   = 500  // documents per bleve batch (one segment each)
	rebuildSize = 2000 // the same during a rebuild: fewer, larger segments to merge
)

// op is a write made while a rebuild fills: it is replayed on the new index
// before the swap, so the rebuild does not lose it.
type op struct {
	upsert []catalog.SearchDocument // Staged documents among them are written hidden
	delete []string
}

// Index is the embedded search engine. It is safe for concurrent use.
type Index struct {
	dir     string
	mapping *mapping.IndexMappingImpl
	format  string // formatOf(mapping)

	// wmu serialises writes (Upsert, Delete) and the swap at the end of a
	// rebuild; it is taken before mu.
	wmu        sync.Mutex
	rebuilding bool
	pending    []op

	// rmu allows one rebuild at a time.
	rmu sync.Mutex

	// mu guards live and gen: readers hold it for reading while they use
	// live, so the swap never closes an index under a search.
	mu   sync.RWMutex
	live bleve.Index
	cols *columns // live's documents' columns, for searches without text
	// staged holds the ids of live's hidden documents (see Stage): in the
	// index, not in the columns, so that no search finds them.
	staged map[string]bool
	// segSlots maps the live index's document numbers to slots (text searches).
	segSlots segmentSlots
	gen      string
	closed   bool

	// fresh is true when Open found no index of this format and created
	// an empty one.
	fresh bool

	// lock is the open lock file: its flock keeps other processes out of
	// dir while the index is open.
	lock *os.File
}

// Open opens the index under dir, creating it when there is none.
func Open(dir string) (*Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	format, err := formatOf(m)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("embedded: create %s: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	x := &Index{dir: dir, mapping: m, format: format, lock: lock}
	if err := x.openLive(); err != nil {
		_ = lock.Close()
		return nil, err
	}
	x.removeStale()
	return x, nil
}

// lockDir takes an exclusive lock on dir for this process; it fails at
// once with ErrLocked when another process holds it. Closing the file
// releases it.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("embedded: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("embedded: lock: %w", err)
	}
	return f, nil
}

// openLive opens the generation "current" names, or creates the first.
func (x *Index) openLive() error {
	m, dir := x.mapping, x.dir
	gen, err := x.readCurrent()
	if err != nil {
		return err
	}
	if gen != "" {
		idx, err := bleve.Open(filepath.Join(dir, gen))
		if err != nil {
			return fmt.Errorf("embedded: open %s: %w", gen, err)
		}
		cols, staged, err := loadColumns(idx)
		if err != nil {
			_ = idx.Close()
			return err
		}
		x.live, x.cols, x.staged, x.gen = idx, cols, staged, gen
		return nil
	}
	gen = newGen()
	idx, err := bleve.New(filepath.Join(dir, gen), m)
	if err != nil {
		return fmt.Errorf("embedded: create index: %w", err)
	}
	if err := x.writeCurrent(gen); err != nil {
		_ = idx.Close()
		return err
	}
	x.live, x.cols, x.staged, x.gen, x.fresh = idx, newColumns(), map[string]bool{}, gen, true
	return nil
}

// loadColumns reads every visible document of idx into new columns, in
// the order of the segments and their document numbers: slots then follow
// document numbers, and a search reading the columns of its matches reads
// them in sequence. It returns the ids of the staged documents apart.
func loadColumns(idx bleve.Index) (*columns, map[string]bool, error) {
	snap, err := snapshotOf(idx)
	if err != nil {
		return nil, nil, err
	}
	defer func() { _ = snap.Close() }()
	cols, staged := newColumns(), map[string]bool{}
	docs := make([]catalog.SearchDocument, 0, 1000)
	for _, ss := range snap.Segments() {
		del := ss.Deleted()
		for n := range uint64(ss.FullSize()) {
			if del != nil && del.Contains(uint32(n)) {
				continue
			}
			d, err := storedDoc(ss, n)
			if err != nil {
				return nil, nil, fmt.Errorf("embedded: load columns: %w", err)
			}
			if d.Staged {
				staged[d.ID] = true
				continue
			}
			if docs = append(docs, d); len(docs) == cap(docs) {
				cols.load(docs)
				docs = docs[:0]
			}
		}
	}
	cols.load(docs)
	cols.sortOrders()
	return cols, staged, nil
}

func newGen() string { return genPrefix + strconv.FormatInt(time.Now().UnixNano(), 10) }

// readCurrent returns the live generation named by the current file, or ""
// when there is none yet (or it names a directory that is gone: the index is
// derived data and is rebuilt by reindex).
func (x *Index) readCurrent() (string, error) {
	b, err := os.ReadFile(filepath.Join(x.dir, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("embedded: read current: %w", err)
	}
	gen, format, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	if !strings.HasPrefix(gen, genPrefix) || filepath.Base(gen) != gen {
		return "", fmt.Errorf("embedded: current names %q, not an index generation", gen)
	}
	if format != x.format {
		return "", nil // written by another version: rebuilt from PostgreSQL
	}
	if _, err := os.Stat(filepath.Join(x.dir, gen)); errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	return gen, nil
}

// writeCurrent records gen as live, atomically (write aside, sync, rename).
func (x *Index) writeCurrent(gen string) error {
	tmp, err := os.CreateTemp(x.dir, currentFile+".tmp-*")
	if err != nil {
		return fmt.Errorf("embedded: write current: %w", err)
	}
	_, werr := tmp.WriteString(gen + " " + x.format + "\n")
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("embedded: write current: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(x.dir, currentFile)); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("embedded: write current: %w", err)
	}
	if d, err := os.Open(x.dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// removeStale removes generations other than the live one: leftovers of a
// rebuild interrupted by a crash. Best effort.
func (x *Index) removeStale() {
	entries, err := os.ReadDir(x.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if n == x.gen {
			continue
		}
		if (e.IsDir() && strings.HasPrefix(n, genPrefix)) || strings.HasPrefix(n, currentFile+".tmp-") {
			_ = os.RemoveAll(filepath.Join(x.dir, n))
		}
	}
}

// Fresh reports whether Open created the index empty (none was there, or
// one of another format): it must be filled from the source of truth.
func (x *Index) Fresh() bool { return x.fresh }

// Close closes the index. Searches in flight finish first.
func (x *Index) Close() error {
	x.wmu.Lock()
	defer x.wmu.Unlock()
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	err := x.live.Close()
	_ = x.lock.Close()
	if err != nil {
		return fmt.Errorf("embedded: close: %w", err)
	}
	return nil
}

// Ping implements catalog.SearchIndex.
func (x *Index) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return ErrClosed
	}
	if _, err := x.live.DocCount(); err != nil {
		return fmt.Errorf("embedded: ping: %w", err)
	}
	return nil
}

// Upsert implements catalog.SearchIndex. Documents are searchable when it
// returns. A document equal to the staged one of its id but for the fields
// a review sets (see sameStaged) is shown without being indexed again.
func (x *Index) Upsert(ctx context.Context, docs []catalog.SearchDocument) error {
	shown := make([]catalog.SearchDocument, len(docs))
	for i, d := range docs {
		if d.ID == "" {
			return errors.New("embedded: upsert: document without id")
		}
		d.Staged = false
		shown[i] = d
	}
	return x.write(ctx, op{upsert: shown})
}

// Stage implements catalog.Stager: docs are indexed hidden from every
// search, replacing a visible document of the same id.
func (x *Index) Stage(ctx context.Context, docs []catalog.SearchDocument) error {
	hidden := make([]catalog.SearchDocument, len(docs))
	for i, d := range docs {
		if d.ID == "" {
			return errors.New("embedded: stage: document without id")
		}
		d.Staged, d.PublishedAt = true, time.Time{}
		hidden[i] = d
	}
	return x.write(ctx, op{upsert: hidden})
}

// Staged implements catalog.Stager.
func (x *Index) Staged() []string {
	x.wmu.Lock()
	defer x.wmu.Unlock()
	ids := make([]string, 0, len(x.staged))
	for id := range x.staged {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Delete implements catalog.SearchIndex; unknown ids are not an error.
func (x *Index) Delete(ctx context.Context, ids []string) error {
	return x.write(ctx, op{delete: ids})
}

func (x *Index) write(ctx context.Context, o op) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	x.wmu.Lock()
	defer x.wmu.Unlock()
	x.mu.RLock()
	if x.closed {
		x.mu.RUnlock()
		return ErrClosed
	}
	write, err := x.unwritten(o)
	if err == nil {
		err = apply(ctx, x.live, write)
	}
	x.mu.RUnlock()
	if err != nil {
		return err
	}
	// The columns change under the write lock, briefly; wmu keeps the live
	// index from being swapped meanwhile. They hold the visible documents
	// only.
	shown := op{delete: o.delete}
	for _, d := range o.upsert {
		if d.Staged {
			x.staged[d.ID] = true
			shown.delete = append(shown.delete, d.ID) // hidden, if it was shown
		} else {
			delete(x.staged, d.ID)
			shown.upsert = append(shown.upsert, d)
		}
	}
	for _, id := range o.delete {
		delete(x.staged, id)
	}
	x.mu.Lock()
	x.cols.apply(shown)
	x.mu.Unlock()
	if x.rebuilding {
		// Replayed whole on the new index, whose staged documents may differ.
		x.pending = append(x.pending, o)
	}
	return nil
}

// unwritten returns the part of o the live index does not hold yet: o less
// the documents to show or to stage that are staged as they are (the
// columns alone show them).
// The caller holds wmu and mu for reading.
func (x *Index) unwritten(o op) (op, error) {
	var check []string
	for _, d := range o.upsert {
		if x.staged[d.ID] {
			check = append(check, d.ID)
		}
	}
	var held map[string]catalog.SearchDocument
	if len(check) > 0 {
		snap, err := snapshotOf(x.live)
		if err != nil {
			return op{}, err
		}
		held, err = docsByID(snap, check)
		_ = snap.Close()
		if err != nil {
			return op{}, err
		}
	}
	out := op{delete: o.delete}
	for _, d := range o.upsert {
		if h, ok := held[d.ID]; ok && sameStaged(h, d) {
			continue
		}
		out.upsert = append(out.upsert, d)
	}
	return out, nil
}

// sameStaged reports whether staged document h is d, d being a document
// to show (published since) or to stage, but for the fields a curator's
// review sets (publication, verified stars and certificates, TOPOTOP):
// none of them is indexed as text, and the columns give them to searches
// (see columns.unstage).
func sameStaged(h, d catalog.SearchDocument) bool {
	d.Staged, d.PublishedAt = true, time.Time{}
	d.OTOPStars, d.Topotop, d.Certifications = h.OTOPStars, h.Topotop, h.Certifications
	return bytes.Equal(encodeDoc(&h), encodeDoc(&d))
}

// apply writes o to idx in batches.
func apply(ctx context.Context, idx bleve.Index, o op) error {
	return applyIn(ctx, idx, o, batchSize)
}

// applyIn is apply with batches of size documents.
func applyIn(ctx context.Context, idx bleve.Index, o op, batchSize int) error {
	for start := 0; start < len(o.upsert); start += batchSize {
		if err := ctx.Err(); err != nil {
			return err
		}
		b := idx.NewBatch()
		for _, d := range o.upsert[start:min(start+batchSize, len(o.upsert))] {
			m, err := indexDoc(d)
			if err != nil {
				return err
			}
			if err := b.Index(d.ID, m); err != nil {
				return fmt.Errorf("embedded: index %s: %w", d.ID, err)
			}
		}
		if err := idx.Batch(b); err != nil {
			return fmt.Errorf("embedded: upsert: %w", err)
		}
	}
	for start := 0; start < len(o.delete); start += batchSize {
		b := idx.NewBatch()
		for _, id := range o.delete[start:min(start+batchSize, len(o.delete))] {
			if id != "" {
				b.Delete(id)
			}
		}
		if err := idx.Batch(b); err != nil {
			return fmt.Errorf("embedded: delete: %w", err)
		}
	}
	return nil
}

// Rebuild implements catalog.SearchIndex. The new generation is filled
// beside the live one; writes made meanwhile go to the live index and are
// replayed on the new one before the swap. On any error the new generation
// is removed and the live index is untouched.
func (x *Index) Rebuild(ctx context.Context, fill func(add func([]catalog.SearchDocument) error) error) (err error) {
	x.rmu.Lock()
	defer x.rmu.Unlock()
	x.mu.RLock()
	closed := x.closed
	x.mu.RUnlock()
	if closed {
		return ErrClosed
	}

	gen := newGen()
	path := filepath.Join(x.dir, gen)
	idx, err := bleve.New(path, x.mapping)
	if err != nil {
		return fmt.Errorf("embedded: rebuild: create index: %w", err)
	}
	swapped := false
	defer func() {
		if !swapped {
			if idx != nil {
				_ = idx.Close()
			}
			_ = os.RemoveAll(path)
			x.wmu.Lock()
			x.rebuilding, x.pending = false, nil
			x.wmu.Unlock()
		}
	}()

	x.wmu.Lock()
	x.rebuilding, x.pending = true, nil
	x.wmu.Unlock()

	var buf []catalog.SearchDocument
	if err := fill(func(docs []catalog.SearchDocument) error {
		for _, d := range docs {
			if d.ID == "" {
				return errors.New("embedded: rebuild: document without id")
			}
		}
		if buf = append(buf, docs...); len(buf) < rebuildSize {
			return nil
		}
		err := applyIn(ctx, idx, op{upsert: buf}, rebuildSize)
		buf = buf[:0]
		return err
	}); err != nil {
		return fmt.Errorf("embedded: rebuild: fill: %w", err)
	}
	if err := applyIn(ctx, idx, op{upsert: buf}, rebuildSize); err != nil {
		return fmt.Errorf("embedded: rebuild: fill: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := compact(ctx, idx); err != nil {
		return fmt.Errorf("embedded: rebuild: %w", err)
	}
	// Close and reopen so that everything filled is on disk before the new
	// generation is recorded as live.
	if err := idx.Close(); err != nil {
		idx = nil
		return fmt.Errorf("embedded: rebuild: flush: %w", err)
	}
	if idx, err = bleve.Open(path); err != nil {
		idx = nil
		return fmt.Errorf("embedded: rebuild: reopen: %w", err)
	}

	x.wmu.Lock()
	defer x.wmu.Unlock()
	for _, o := range x.pending {
		if err := apply(context.WithoutCancel(ctx), idx, o); err != nil {
			return fmt.Errorf("embedded: rebuild: replay: %w", err)
		}
	}
	// The columns are read from the finished index, in the order of its
	// document numbers (see loadColumns).
	cols, staged, err := loadColumns(idx)
	if err != nil {
		return fmt.Errorf("embedded: rebuild: %w", err)
	}
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return ErrClosed
	}
	if err := x.writeCurrent(gen); err != nil {
		x.mu.Unlock()
		return err
	}
	old, oldGen := x.live, x.gen
	x.live, x.cols, x.staged, x.gen = idx, cols, staged, gen
	x.rebuilding, x.pending = false, nil
	swapped = true
	x.mu.Unlock()

	cerr := old.Close()
	_ = os.RemoveAll(filepath.Join(x.dir, oldGen))
	if cerr != nil {
		return fmt.Errorf("embedded: rebuild: close old index: %w", cerr)
	}
	return nil
}
