package embedded

import (
	"context"
	"encoding/binary"
	"fmt"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A text search takes from bleve only what it alone can give: which
// documents match and their scores. The handler below receives every match
// (bleve's collector keeps none), maps its internal number to the row of
// the in-memory columns, and the search then counts facets, sorts and pages
// on the rows, as a search without text does. Bleve then loads and
// highlights only the documents of the page.

// match is one matching document and its relevance score.
type match struct {
	row   *row
	score float64
}

// segmentRows maps each segment's document numbers to the rows of the
// columns. Segments never change once written, so a segment's ids are read
// once (on its first search) and kept while the index's snapshots hold it;
// its rows are looked up again whenever the columns changed.
type segmentRows struct {
	mu    sync.Mutex
	bySeg map[segment.Segment]*segTable
}

type segTable struct {
	ids     []string // by document number
	rows    []*row   // by document number; nil: not in the columns
	cols    *columns // the columns rows was filled from, at version
	version uint64
}

// resolver returns the function giving the row of a document of the
// snapshot reader by its internal id (nil when the columns lack it).
func (s *segmentRows) resolver(reader index.IndexReader, cols *columns) (func(index.IndexInternalID) *row, error) {
	snap, ok := reader.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("embedded: index reader %T is not a scorch snapshot", reader)
	}
	segs := snap.Segments()
	tables := make([][]*row, len(segs))
	offsets := make([]uint64, len(segs)) // first internal number of each segment, as scorch counts
	var running uint64
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bySeg == nil {
		s.bySeg = map[segment.Segment]*segTable{}
	}
	live := make(map[segment.Segment]bool, len(segs))
	for i, ss := range segs {
		seg := ss.Segment()
		live[seg] = true
		t, ok := s.bySeg[seg]
		if !ok {
			t = &segTable{ids: make([]string, ss.FullSize())}
			for n := range t.ids {
				b, err := ss.DocID(uint64(n))
				if err != nil {
					return nil, fmt.Errorf("embedded: id of document %d: %w", n, err)
				}
				if r := cols.byID[string(b)]; r != nil {
					t.ids[n] = r.id // shared with the row: no string of its own
				} else {
					t.ids[n] = string(b)
				}
			}
			s.bySeg[seg] = t
		}
		if t.cols != cols || t.version != cols.version {
			t.rows = make([]*row, len(t.ids))
			for n, id := range t.ids {
				t.rows[n] = cols.byID[id]
			}
			t.cols, t.version = cols, cols.version
		}
		tables[i] = t.rows
		offsets[i] = running
		running += uint64(ss.FullSize())
	}
	for seg := range s.bySeg {
		if !live[seg] {
			delete(s.bySeg, seg)
		}
	}
	return func(id index.IndexInternalID) *row {
		if len(id) != 8 {
			return nil
		}
		n := binary.BigEndian.Uint64(id)
		i := sort.Search(len(offsets), func(i int) bool { return offsets[i] > n }) - 1
		if i < 0 || n-offsets[i] >= uint64(len(tables[i])) {
			return nil
		}
		return tables[i][n-offsets[i]]
	}, nil
}

// collectMatches returns a context under which a bleve search hands every
// match to the rows of cols (a match whose row is missing, written to bleve
// but not yet to the columns, is left out) and keeps none itself; the
// matches are in *out once the search returned.
func (x *Index) collectMatches(ctx context.Context, cols *columns, out *[]match) context.Context {
	maker := func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		resolve, err := x.segRows.resolver(sctx.IndexReader, cols)
		if err != nil {
			return nil, false, err
		}
		return func(dm *search.DocumentMatch) error {
			if dm == nil { // the end
				return nil
			}
			if r := resolve(dm.IndexInternalID); r != nil {
				*out = append(*out, match{row: r, score: dm.Score})
			}
			sctx.DocumentMatchPool.Put(dm)
			return nil
		}, false, nil
	}
	return context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(maker))
}
