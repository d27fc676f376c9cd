package embedded

import (
	"cmp"
	mbits "math/bits"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/otopmarket/otop/internal/catalog"
)

// Searches without text (browsing by filters, sorts and facets) do not go
// to bleve: counting facets there means reading the doc values of every
// match, far too slow for a whole catalogue. The columns hold the
// filterable, sortable and facet values of every document in memory, with
// the documents kept in each sort order, so such a search is one pass over
// an order: filter, count the facets, keep the requested page.

// Keyword columns, in the order of row.codes.
const (
	colCategory = iota
	colProvince
	colCluster
	colRegion
	colCenter
	colCreative
	colProducer
	nCols
)

// knownFacet reports whether f names a facet of the contract.
func knownFacet(f string) bool {
	_, kw := facetColumn[f]
	return kw || f == "otop_stars" || f == "topotop" || f == "certifications"
}

// facetColumn maps the keyword facets to their column.
var facetColumn = map[string]int{
	"category": colCategory, "province_code": colProvince, "cluster_id": colCluster, "region": colRegion,
	"select_center_id": colCenter, "creative_industry": colCreative,
}

// dict interns the values of one column: code 0 is "no value".
type dict struct {
	codes  map[string]uint32
	values []string
}

func newDict() *dict { return &dict{codes: map[string]uint32{}, values: []string{""}} }

func (d *dict) code(v string) uint32 {
	if v == "" {
		return 0
	}
	if c, ok := d.codes[v]; ok {
		return c
	}
	c := uint32(len(d.values))
	d.codes[v] = c
	d.values = append(d.values, v)
	return c
}

// lookup is code without interning: ok is false for a value no document
// ever had.
func (d *dict) lookup(v string) (uint32, bool) {
	c, ok := d.codes[v]
	return c, ok
}

// row is one document's columns.
type row struct {
	id        string
	published int64 // Unix ms
	price     int64
	name      string // lowercased name_en
	stars     int
	topotop   bool
	codes     [nCols]uint32
	certs     []uint32 // codes in certDict, distinct
}

// Sort orders kept by the columns.
const (
	ordNewest = iota
	ordPriceAsc
	ordPriceDesc
	ordName
	nOrders
)

var orderOf = map[string]int{
	catalog.SearchSortNewest: ordNewest, catalog.SearchSortRelevance: ordNewest,
	catalog.SearchSortPriceAsc: ordPriceAsc, catalog.SearchSortPriceDesc: ordPriceDesc, catalog.SearchSortName: ordName,
}

// compareRows orders two rows by order o, ties broken by id.
func compareRows(o int, a, b *row) int {
	var c int
	switch o {
	case ordNewest:
		c = cmp.Compare(b.published, a.published)
	case ordPriceAsc:
		c = cmp.Compare(a.price, b.price)
	case ordPriceDesc:
		c = cmp.Compare(b.price, a.price)
	case ordName:
		c = strings.Compare(a.name, b.name)
	}
	return cmp.Or(c, strings.Compare(a.id, b.id))
}

// columns are the in-memory columns of an index. They are not safe for
// concurrent use: the Index guards them with its mutex.
//
// Each document has a slot, a small integer it keeps while it is in the
// columns (an upsert replaces it in place; the slot of a deleted document
// is given to a later one). What a search reads of a document is kept in
// arrays indexed by slot, so that a search over thousands of matches reads
// memory in sequence instead of following a pointer per match.
type columns struct {
	byID map[string]int32 // slot of each document
	rows []row            // by slot; id "" is a free slot
	free []int32          // free slots
	// What filters and facets read, by slot, column by column: a filter
	// or a facet reads its own column only, an array small enough to stay
	// in the processor's caches.
	codes [nCols][]uint32
	price []int64
	stars []int8
	certs []uint64 // bit k set: certification code k (codes below 64)
	flags []uint8  // flagUsed, flagTopotop, flagCertsFar
	// vals holds, for each keyword column and code, the slots holding that
	// value (nil: none); certSlots the same by certification; topotop the
	// slots of TOPOTOP products. Filters on them start from these sets.
	vals      [nCols][]*roaring.Bitmap
	certSlots []*roaring.Bitmap
	topotop   *roaring.Bitmap
	dicts     [nCols]*dict
	certDict  *dict
	orders    [nOrders][]int32 // slots in each order
	// all counts every facet value over all documents, kept up to date by
	// every write: browsing the whole catalogue (the landing page) needs
	// no scan.
	all tally
	// version counts the changes. It starts at 1: version 0 is "never
	// derived" below.
	version uint64
	// derivedMu guards the ranks, derived from the orders at rankVersion.
	// Readers share the columns; the first after a change derives for all.
	derivedMu   sync.Mutex
	rankVersion uint64
	rank        [nOrders][]int32 // by slot: its position in each order
}

// Flags of a slot.
const (
	flagUsed     = 1 << iota // the slot holds a document
	flagTopotop              // a TOPOTOP product
	flagCertsFar             // a certification code of 64 or more: read the row
)

// ranked returns every slot's position in each order, current: comparing
// two ranks is comparing two integers, where compareRows compares names
// and ids. The caller must keep the columns from changing (the index's
// read lock).
func (c *columns) ranked() *[nOrders][]int32 {
	c.derivedMu.Lock()
	defer c.derivedMu.Unlock()
	if c.rankVersion != c.version {
		for o, slots := range c.orders {
			rank := c.rank[o]
			if cap(rank) < len(c.rows) {
				rank = make([]int32, len(c.rows))
			}
			rank = rank[:len(c.rows)]
			for i, s := range slots {
				rank[s] = int32(i)
			}
			c.rank[o] = rank
		}
		c.rankVersion = c.version
	}
	return &c.rank
}

// tally counts facet values by code.
type tally struct {
	kw      [nCols][]int
	stars   [6]int
	topotop [2]int
	certs   []int
}

// add counts r delta times (1 to add, -1 to remove).
func (t *tally) add(r *row, delta int) {
	grow := func(s []int, code uint32) []int {
		for uint32(len(s)) <= code {
			s = append(s, 0)
		}
		return s
	}
	for col, code := range r.codes {
		t.kw[col] = grow(t.kw[col], code)
		t.kw[col][code] += delta
	}
	if r.stars >= 1 && r.stars <= 5 {
		t.stars[r.stars] += delta
	}
	if r.topotop {
		t.topotop[1] += delta
	} else {
		t.topotop[0] += delta
	}
	for _, k := range r.certs {
		t.certs = grow(t.certs, k)
		t.certs[k] += delta
	}
}

func newColumns() *columns {
	c := &columns{byID: map[string]int32{}, certDict: newDict(), topotop: roaring.New(), version: 1}
	for i := range c.dicts {
		c.dicts[i] = newDict()
	}
	return c
}

func (c *columns) newRow(d *catalog.SearchDocument) row {
	r := row{id: d.ID, published: d.PublishedAt.UnixMicro(), price: d.PriceMinor, name: strings.ToLower(d.NameEN),
		stars: d.OTOPStars, topotop: d.Topotop}
	for i, v := range [nCols]string{d.Category, d.ProvinceCode, d.ClusterID, d.Region, d.SelectCenterID,
		d.CreativeIndustry, d.ProducerID} {
		r.codes[i] = c.dicts[i].code(v)
	}
	for _, k := range distinct(d.Certifications) {
		r.certs = append(r.certs, c.certDict.code(k))
	}
	return r
}

// unstage gives d, read from the index for the document in slot s, the
// fields a review sets as the columns have them when it is a staged
// document shown since (see Index.Stage and sameStaged): the index keeps it
// as it was staged.
func (c *columns) unstage(d *catalog.SearchDocument, s int32) {
	if !d.Staged {
		return
	}
	r := &c.rows[s]
	d.Staged, d.PublishedAt = false, time.UnixMicro(r.published).UTC()
	d.OTOPStars, d.Topotop, d.Certifications = r.stars, r.topotop, nil
	for _, k := range r.certs {
		d.Certifications = append(d.Certifications, c.certDict.values[k])
	}
}

// slotSet returns the set of sets[code], created when missing.
func slotSet(sets *[]*roaring.Bitmap, code uint32) *roaring.Bitmap {
	for uint32(len(*sets)) <= code {
		*sets = append(*sets, nil)
	}
	if (*sets)[code] == nil {
		(*sets)[code] = roaring.New()
	}
	return (*sets)[code]
}

// put stores r in slot s (free or just allocated) and counts it.
func (c *columns) put(s int32, r row) {
	c.rows[s] = r
	for col, code := range r.codes {
		c.codes[col][s] = code
		slotSet(&c.vals[col], code).Add(uint32(s))
	}
	c.price[s], c.stars[s], c.certs[s], c.flags[s] = r.price, int8(r.stars), 0, flagUsed
	if r.topotop {
		c.flags[s] |= flagTopotop
	}
	for _, k := range r.certs {
		if k < 64 {
			c.certs[s] |= 1 << k
		} else {
			c.flags[s] |= flagCertsFar
		}
	}
	c.byID[r.id] = s
	c.all.add(&r, 1)
	for _, k := range r.certs {
		slotSet(&c.certSlots, k).Add(uint32(s))
	}
	if r.topotop {
		c.topotop.Add(uint32(s))
	}
}

// take uncounts the document in slot s and empties the slot; its place in
// the orders is the caller's.
func (c *columns) take(s int32) {
	r := &c.rows[s]
	c.all.add(r, -1)
	for col, code := range r.codes {
		c.vals[col][code].Remove(uint32(s))
	}
	for _, k := range r.certs {
		c.certSlots[k].Remove(uint32(s))
	}
	c.topotop.Remove(uint32(s))
	delete(c.byID, r.id)
	c.rows[s] = row{}
	for col := range c.codes {
		c.codes[col][s] = 0
	}
	c.price[s], c.stars[s], c.certs[s], c.flags[s] = 0, 0, 0, 0
}

// alloc returns a free slot, growing the arrays when there is none.
func (c *columns) alloc() int32 {
	if n := len(c.free); n > 0 {
		s := c.free[n-1]
		c.free = c.free[:n-1]
		return s
	}
	c.rows = append(c.rows, row{})
	for col := range c.codes {
		c.codes[col] = append(c.codes[col], 0)
	}
	c.price, c.stars = append(c.price, 0), append(c.stars, 0)
	c.certs, c.flags = append(c.certs, 0), append(c.flags, 0)
	return int32(len(c.rows) - 1)
}

// position returns where slot s is, or belongs, in order o.
func (c *columns) position(o int, s int32) (int, bool) {
	r := &c.rows[s]
	return slices.BinarySearchFunc(c.orders[o], r, func(e int32, r *row) int { return compareRows(o, &c.rows[e], r) })
}

// upsert adds or replaces documents.
func (c *columns) upsert(docs []catalog.SearchDocument) {
	c.version++
	for i := range docs {
		r := c.newRow(&docs[i])
		s, ok := c.byID[r.id]
		if ok {
			c.unorder(s)
			c.take(s)
		} else {
			s = c.alloc()
		}
		c.put(s, r)
		for o := range c.orders {
			i, _ := c.position(o, s)
			c.orders[o] = slices.Insert(c.orders[o], i, s)
		}
	}
}

// unorder takes slot s out of every order.
func (c *columns) unorder(s int32) {
	for o := range c.orders {
		if i, found := c.position(o, s); found {
			c.orders[o] = slices.Delete(c.orders[o], i, i+1)
		}
	}
}

// apply applies a write.
func (c *columns) apply(o op) {
	c.upsert(o.upsert)
	for _, id := range o.delete {
		c.remove(id)
	}
}

// remove deletes a document; unknown ids are ignored.
func (c *columns) remove(id string) {
	c.version++
	s, ok := c.byID[id]
	if !ok {
		return
	}
	c.unorder(s)
	c.take(s)
	c.free = append(c.free, s)
}

// load adds documents in bulk, the orders left unsorted until sortOrders:
// filling a whole index sorts once instead of inserting one by one. A
// document loaded again replaces the first.
func (c *columns) load(docs []catalog.SearchDocument) {
	c.version++
	for i := range docs {
		r := c.newRow(&docs[i])
		if s, dup := c.byID[r.id]; dup {
			c.take(s)
			c.put(s, r)
			continue
		}
		s := c.alloc()
		c.put(s, r)
		for o := range c.orders {
			c.orders[o] = append(c.orders[o], s)
		}
	}
}

// sortOrders sorts the orders after load.
func (c *columns) sortOrders() {
	for o := range c.orders {
		slices.SortFunc(c.orders[o], func(a, b int32) int { return compareRows(o, &c.rows[a], &c.rows[b]) })
	}
}

// rowFilter is SearchFilters as codes.
type rowFilter struct {
	codes    [nCols]uint32 // the keyword filters' codes, in the columns of cols
	cols     []int
	cert     uint32
	hasCert  bool
	topotop  *bool
	minStars int
	minPrice *int64
	maxPrice *int64
}

// compile turns f into codes; ok is false when a value no document has
// makes the result empty.
func (c *columns) compile(f catalog.SearchFilters) (rowFilter, bool) {
	rf := rowFilter{topotop: f.Topotop, minStars: f.MinStars, minPrice: f.MinPrice, maxPrice: f.MaxPrice}
	for i, v := range [nCols]string{f.Category, f.Province, f.Cluster, f.Region, f.SelectCenter,
		f.CreativeIndustry, f.Producer} {
		if v == "" {
			continue
		}
		code, ok := c.dicts[i].lookup(v)
		if !ok {
			return rf, false
		}
		rf.codes[i] = code
		rf.cols = append(rf.cols, i)
	}
	if f.Certification != "" {
		code, ok := c.certDict.lookup(f.Certification)
		if !ok {
			return rf, false
		}
		rf.cert, rf.hasCert = code, true
	}
	return rf, true
}

// empty reports whether rf filters nothing.
func (rf *rowFilter) empty() bool {
	return len(rf.cols) == 0 && !rf.hasCert && rf.topotop == nil && rf.minStars <= 0 &&
		rf.minPrice == nil && rf.maxPrice == nil
}

// pass reports whether the document in slot s passes.
func (rf *rowFilter) pass(c *columns, s int32) bool {
	for _, i := range rf.cols {
		if c.codes[i][s] != rf.codes[i] {
			return false
		}
	}
	switch {
	case rf.hasCert && !c.hasCert(s, rf.cert),
		rf.topotop != nil && (c.flags[s]&flagTopotop != 0) != *rf.topotop,
		rf.minStars > 0 && int(c.stars[s]) < rf.minStars,
		rf.minPrice != nil && c.price[s] < *rf.minPrice,
		rf.maxPrice != nil && c.price[s] > *rf.maxPrice:
		return false
	}
	return true
}

// hasCert reports whether the document in slot s holds certification code.
func (c *columns) hasCert(s int32, code uint32) bool {
	if code < 64 && c.flags[s]&flagCertsFar == 0 {
		return c.certs[s]&(1<<code) != 0
	}
	return slices.Contains(c.rows[s].certs, code)
}

// candidates returns the slots that rf's keyword, certification and
// TOPOTOP filters allow (read only), or nil when it has none of them: the
// other filters are checked slot by slot.
func (c *columns) candidates(rf *rowFilter) *roaring.Bitmap {
	var sets []*roaring.Bitmap
	of := func(all []*roaring.Bitmap, code uint32) *roaring.Bitmap {
		if int(code) < len(all) && all[code] != nil {
			return all[code]
		}
		return emptyBitmap
	}
	for _, col := range rf.cols {
		sets = append(sets, of(c.vals[col], rf.codes[col]))
	}
	if rf.hasCert {
		sets = append(sets, of(c.certSlots, rf.cert))
	}
	if rf.topotop != nil && *rf.topotop {
		sets = append(sets, c.topotop)
	}
	switch len(sets) {
	case 0:
		return nil
	case 1:
		return sets[0]
	}
	return roaring.FastAnd(sets...)
}

// each calls f with every slot of set (every used slot when set is nil),
// in increasing order.
func (c *columns) each(set *roaring.Bitmap, f func(s int32)) {
	if set == nil {
		for s, fl := range c.flags {
			if fl&flagUsed != 0 {
				f(int32(s))
			}
		}
		return
	}
	eachBatch(set, func(batch []uint32) {
		for _, s := range batch {
			f(int32(s))
		}
	})
}

// browse answers a search without text: the ids of the page's documents in
// order, the total, and the requested facets' counts.
func (c *columns) browse(f catalog.SearchFilters, sort string, facets []string, from, size int) ([]string, int, map[string]map[string]int) {
	o, ok := orderOf[cmp.Or(sort, catalog.SearchSortNewest)]
	if !ok {
		o = ordNewest
	}
	counters := newFacetCounters(c, facets)
	rf, ok := c.compile(f)
	if !ok {
		return nil, 0, counters.result()
	}
	var ids []string
	if rf.empty() {
		// The whole catalogue: the page is a slice of the order, the
		// facets are the running totals.
		all := c.orders[o]
		for _, s := range all[min(from, len(all)):min(from+size, len(all))] {
			ids = append(ids, c.rows[s].id)
		}
		counters.fromTally(&c.all)
		return ids, len(all), counters.result()
	}
	rank := &c.ranked()[o]
	top := newTopK(from + size)
	total := 0
	c.each(c.candidates(&rf), func(s int32) {
		if !rf.pass(c, s) {
			return
		}
		total++
		counters.add(s)
		top.offer(ranked{rank: (*rank)[s], slot: s})
	})
	for _, e := range top.page(from) {
		ids = append(ids, c.rows[e.slot].id)
	}
	return ids, total, counters.result()
}

// facetCounters count facet values by code while scanning.
type facetCounters struct {
	c       *columns
	names   []string
	kw      [][]int // per requested keyword facet, count by code
	kwCol   []int
	stars   []int // by star count, when requested
	topotop []int // [false, true], when requested
	certs   []int // by cert code, when requested
}

func newFacetCounters(c *columns, facets []string) *facetCounters {
	fc := &facetCounters{c: c, names: facets}
	for _, f := range facets {
		switch f {
		case "otop_stars":
			fc.stars = make([]int, 6)
		case "topotop":
			fc.topotop = make([]int, 2)
		case "certifications":
			fc.certs = make([]int, len(c.certDict.values))
		default:
			col := facetColumn[f]
			fc.kwCol = append(fc.kwCol, col)
			fc.kw = append(fc.kw, make([]int, len(c.dicts[col].values)))
		}
	}
	return fc
}

// add counts the document in slot s.
func (fc *facetCounters) add(s int32) {
	c := fc.c
	for i, col := range fc.kwCol {
		fc.kw[i][c.codes[col][s]]++
	}
	if fc.stars != nil {
		if n := c.stars[s]; n >= 1 && n <= 5 {
			fc.stars[n]++
		}
	}
	if fc.topotop != nil {
		if c.flags[s]&flagTopotop != 0 {
			fc.topotop[1]++
		} else {
			fc.topotop[0]++
		}
	}
	if fc.certs != nil {
		if c.flags[s]&flagCertsFar == 0 {
			for bits := c.certs[s]; bits != 0; bits &= bits - 1 {
				fc.certs[mbits.TrailingZeros64(bits)]++
			}
		} else {
			for _, k := range c.rows[s].certs {
				fc.certs[k]++
			}
		}
	}
}

// fromTally copies the requested facets' counts from t.
func (fc *facetCounters) fromTally(t *tally) {
	for i, col := range fc.kwCol {
		copy(fc.kw[i], t.kw[col])
	}
	if fc.stars != nil {
		copy(fc.stars, t.stars[:])
	}
	if fc.topotop != nil {
		copy(fc.topotop, t.topotop[:])
	}
	if fc.certs != nil {
		copy(fc.certs, t.certs)
	}
}

// result spells the counts as the contract does; code 0 (no value) and
// zero counts are left out.
func (fc *facetCounters) result() map[string]map[string]int {
	if len(fc.names) == 0 {
		return nil
	}
	out := make(map[string]map[string]int, len(fc.names))
	byCode := func(counts []int, values []string) map[string]int {
		m := map[string]int{}
		for code, n := range counts {
			if code > 0 && n > 0 {
				m[values[code]] = n
			}
		}
		return m
	}
	kw := 0
	for _, f := range fc.names {
		switch f {
		case "otop_stars":
			m := map[string]int{}
			for s, n := range fc.stars {
				if n > 0 {
					m[strconv.Itoa(s)] = n
				}
			}
			out[f] = m
		case "topotop":
			m := map[string]int{}
			if fc.topotop[0] > 0 {
				m["false"] = fc.topotop[0]
			}
			if fc.topotop[1] > 0 {
				m["true"] = fc.topotop[1]
			}
			out[f] = m
		case "certifications":
			out[f] = byCode(fc.certs, fc.c.certDict.values)
		default:
			out[f] = byCode(fc.kw[kw], fc.c.dicts[fc.kwCol[kw]].values)
			kw++
		}
	}
	return out
}
