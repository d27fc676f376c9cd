package embedded

import (
	"fmt"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// A text search takes from the index only which documents match (see
// plan.go); the search then counts facets, sorts and pages on the rows of
// the in-memory columns, as a search without text does; only the page's
// documents are read from the index, and highlighted in Go.

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

// tables returns, for each segment of snap in order, the rows of its
// document numbers (nil where the columns lack the document).
func (s *segmentRows) tables(snap *scorch.IndexSnapshot, cols *columns) ([][]*row, error) {
	segs := snap.Segments()
	tables := make([][]*row, len(segs))
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
	}
	for seg := range s.bySeg {
		if !live[seg] {
			delete(s.bySeg, seg)
		}
	}
	return tables, nil
}
