package embedded

import (
	"fmt"
	"slices"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/otopmarket/otop/internal/catalog"
)

// A text search takes from the index only which documents match and their
// scores (see plan.go); in the same pass over the matches it filters them,
// counts the facets and keeps the best of the requested order, all from
// the columns' arrays by slot. Only the page's documents are read from the
// index, and highlighted in Go.

// ranked is a match as the page selection sees it.
type ranked struct {
	score float64 // relevance; 0 in the other orders
	rank  int32   // position in the order (relevance: newest first on equal scores)
	slot  int32
	seg   int32  // text matches: segment of the snapshot
	doc   uint32 // text matches: document number in seg
}

// before reports whether a comes before b: higher score, then lower rank.
// Ranks are distinct, so the order is total.
func (a *ranked) before(b *ranked) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.rank < b.rank
}

// topK keeps the first k of the matches offered, as a heap whose root is
// the last of them.
type topK struct {
	k    int
	heap []ranked
}

func newTopK(k int) *topK {
	k = max(k, 0)
	return &topK{k: k, heap: make([]ranked, 0, k)}
}

// offer keeps e when it is among the first k so far. Most matches are
// not: that test is kept small enough to be inlined.
func (t *topK) offer(e ranked) {
	if len(t.heap) == t.k && (t.k == 0 || !e.before(&t.heap[0])) {
		return
	}
	t.keep(e)
}

func (t *topK) keep(e ranked) {
	h := t.heap
	if len(h) < t.k {
		h = append(h, e)
		for i := len(h) - 1; i > 0; {
			p := (i - 1) / 2
			if !h[p].before(&h[i]) {
				break
			}
			h[p], h[i] = h[i], h[p]
			i = p
		}
		t.heap = h
		return
	}
	h[0] = e
	for i := 0; ; {
		last := i
		for _, c := range [2]int{2*i + 1, 2*i + 2} {
			if c < len(h) && h[last].before(&h[c]) {
				last = c
			}
		}
		if last == i {
			return
		}
		h[i], h[last] = h[last], h[i]
		i = last
	}
}

// page returns the kept matches from position from on, in order.
func (t *topK) page(from int) []ranked {
	slices.SortFunc(t.heap, func(a, b ranked) int {
		if a.before(&b) {
			return -1
		}
		return 1
	})
	if from >= len(t.heap) {
		return nil
	}
	return t.heap[from:]
}

// segmentSlots maps each segment's document numbers to the columns'
// slots. Segments never change once written, and a document keeps its
// slot while it is in the columns, so a segment's table is read once (on
// its first search) and kept while the index's snapshots hold it. A
// document the columns did not hold yet when its table was read (the
// index is written before the columns) is looked up again after the next
// change of the columns.
type segmentSlots struct {
	mu    sync.Mutex
	bySeg map[segmentData]*segTable
}

type segTable struct {
	slots      []int32           // by document number; -1: not in the columns
	ids        map[uint32]string // the ids of the unresolved documents
	unresolved []uint32          // document numbers whose slot is -1 but which may still get one
	cols       *columns          // the columns the slots are of, at version
	version    uint64
}

// tables returns, for each segment of snap in order, the slots of its
// document numbers (-1 where the columns lack the document).
func (s *segmentSlots) tables(snap *indexSnapshot, cols *columns) ([][]int32, error) {
	segs := snap.Segments()
	tables := make([][]int32, len(segs))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bySeg == nil {
		s.bySeg = map[segmentData]*segTable{}
	}
	live := make(map[segmentData]bool, len(segs))
	for i, ss := range segs {
		seg := ss.Segment()
		live[seg] = true
		t, ok := s.bySeg[seg]
		if !ok || t.cols != cols {
			var err error
			if t, err = newSegTable(ss, cols); err != nil {
				return nil, err
			}
			s.bySeg[seg] = t
		} else if t.version != cols.version {
			t.resolve(ss, cols)
		}
		tables[i] = t.slots
	}
	for seg := range s.bySeg {
		if !live[seg] {
			delete(s.bySeg, seg)
		}
	}
	return tables, nil
}

func newSegTable(ss *segmentSnapshot, cols *columns) (*segTable, error) {
	t := &segTable{slots: make([]int32, ss.FullSize()), ids: map[uint32]string{}, cols: cols, version: cols.version}
	for n := range t.slots {
		b, err := ss.DocID(uint64(n))
		if err != nil {
			return nil, fmt.Errorf("embedded: id of document %d: %w", n, err)
		}
		if slot, ok := cols.byID[string(b)]; ok {
			t.slots[n] = slot
			continue
		}
		t.slots[n] = -1
		if del := ss.Deleted(); del == nil || !del.Contains(uint32(n)) {
			t.ids[uint32(n)] = string(b)
			t.unresolved = append(t.unresolved, uint32(n))
		}
	}
	return t, nil
}

// resolve looks up the unresolved documents again; a document deleted
// from the segment never needs a slot.
func (t *segTable) resolve(ss *segmentSnapshot, cols *columns) {
	del := ss.Deleted()
	left := t.unresolved[:0]
	for _, n := range t.unresolved {
		if slot, ok := cols.byID[t.ids[n]]; ok {
			t.slots[n] = slot
		} else if del == nil || !del.Contains(n) {
			left = append(left, n)
			continue
		}
		delete(t.ids, n)
	}
	t.unresolved, t.version = left, cols.version
}

// pass runs p over snap: every match the columns hold and rf passes is
// counted (total and facets) and offered to top, ordered by o (relevance
// when rel: score, then o).
func pass(snap *indexSnapshot, tables [][]int32, p *plan, cols *columns, rf *rowFilter,
	counters *facetCounters, top *topK, o int, rel bool,
) (int, error) {
	rank := cols.ranked()[o]
	filtered := !rf.empty()
	total := 0
	for i, ss := range snap.Segments() {
		e := segmentEval{seg: ss.Segment(), dicts: map[string]termDictionary{}}
		ev, err := e.eval(p)
		if err != nil {
			return 0, err
		}
		if ev.docs.IsEmpty() {
			continue
		}
		// Deleted documents are scored too (sparing an intersection per
		// branch), then passed over.
		docs, gone := ev.docs, emptyBitmap
		if del := ss.Deleted(); del != nil && !del.IsEmpty() {
			docs, gone = roaring.AndNot(ev.docs, del), roaring.And(ev.docs, del)
		}
		var acc []float64
		var accp *[]float64
		if rel {
			accp = scores.Get().(*[]float64)
			if n := int(ss.FullSize()); len(*accp) < n {
				*accp = make([]float64, n)
			}
			acc = *accp
			score(p, ev, ev.docs, true, acc)
			gone.Iterate(func(d uint32) bool { acc[d] = 0; return true })
		}
		slots := tables[i]
		eachBatch(docs, func(batch []uint32) {
			for _, d := range batch {
				s := int32(-1)
				if int(d) < len(slots) {
					s = slots[d]
				}
				if s < 0 || (filtered && !rf.pass(cols, s)) {
					if acc != nil {
						acc[d] = 0
					}
					continue
				}
				total++
				counters.add(s)
				e := ranked{rank: rank[s], slot: s, seg: int32(i), doc: d}
				if acc != nil {
					e.score, acc[d] = acc[d], 0
				}
				top.offer(e)
			}
		})
		if accp != nil {
			scores.Put(accp) // every slot it used is 0 again
		}
	}
	return total, nil
}

// storedDocs reads the stored documents of the page's matches.
func storedDocs(snap *indexSnapshot, page []ranked) ([]catalog.SearchDocument, error) {
	segs := snap.Segments()
	out := make([]catalog.SearchDocument, len(page))
	for i, e := range page {
		d, err := storedDoc(segs[e.seg], uint64(e.doc))
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}

// storedDoc reads document n of ss.
func storedDoc(ss *segmentSnapshot, n uint64) (catalog.SearchDocument, error) {
	var raw string
	err := ss.VisitDocument(n, func(field string, _ byte, value []byte, _ []uint64) bool {
		if field == fDoc {
			raw = string(value)
			return false
		}
		return true
	})
	if err != nil {
		return catalog.SearchDocument{}, fmt.Errorf("embedded: read document %d: %w", n, err)
	}
	if raw == "" {
		return catalog.SearchDocument{}, fmt.Errorf("embedded: document %d has no stored body", n)
	}
	d, err := decodeStored(raw)
	if err != nil {
		return d, fmt.Errorf("embedded: decode document %d: %w", n, err)
	}
	return d, nil
}

// docsByID reads the live documents of ids from snap (ids it lacks are
// left out).
func docsByID(snap *indexSnapshot, ids []string) (map[string]catalog.SearchDocument, error) {
	out := make(map[string]catalog.SearchDocument, len(ids))
	for _, ss := range snap.Segments() {
		nums, err := ss.DocNumbers(ids)
		if err != nil {
			return nil, fmt.Errorf("embedded: find documents: %w", err)
		}
		for it := nums.Iterator(); it.HasNext(); {
			d, err := storedDoc(ss, uint64(it.Next()))
			if err != nil {
				return nil, err
			}
			out[d.ID] = d
		}
	}
	return out, nil
}
