package embedded

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/otopmarket/otop/internal/catalog"
)

// Searches without text (browsing by filters, sorts and facets) do not go
// to bleve: counting facets there means reading the doc values of every
// match, about 0.4 s for the whole 100k catalogue. The columns hold the
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
	// rank is the row's position in each order, valid while the columns'
	// rankVersion is their version (see ranked).
	rank [nOrders]int32
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
type columns struct {
	byID   map[string]*row
	dicts  [nCols]*dict
	certs  *dict
	orders [nOrders][]*row
	// all counts every facet value over all documents, kept up to date by
	// every write: browsing the whole catalogue (the landing page) needs
	// no scan.
	all tally
	// version counts the changes (rows cached elsewhere are stale after
	// one). It starts at 1: version 0 is "never derived" below.
	version uint64
	// derivedMu guards what is derived from the orders, with the version it
	// was derived at: the rows' ranks and the scan arrays. Readers share the
	// columns; the first after a change derives for all.
	derivedMu   sync.Mutex
	rankVersion uint64
	scans       [nOrders][]scanRow
	scanVersion [nOrders]uint64
}

// scanRow holds what a filter or a facet reads of a row, copied into an
// array in an order's sequence: a filtered browse reads the array from
// start to end instead of following a pointer to each row (18 % of the
// search CPU of the benchmark's query set went to those pointers).
type scanRow struct {
	codes    [nCols]uint32
	price    int64
	certs    uint64 // bit k set: certification code k (codes below 64)
	stars    int8
	topotop  bool
	certsFar bool // a certification code of 64 or more: read the row
}

func (r *row) scanRow() scanRow {
	s := scanRow{codes: r.codes, price: r.price, stars: int8(r.stars), topotop: r.topotop}
	for _, k := range r.certs {
		if k < 64 {
			s.certs |= 1 << k
		} else {
			s.certsFar = true
		}
	}
	return s
}

// scan returns the scan array of order o, rows[i] of the order at [i]. The
// caller must keep the columns from changing (the index's read lock).
func (c *columns) scan(o int) []scanRow {
	c.derivedMu.Lock()
	defer c.derivedMu.Unlock()
	if c.scanVersion[o] != c.version {
		rows := c.orders[o]
		scan := make([]scanRow, len(rows))
		for i, r := range rows {
			scan[i] = r.scanRow()
		}
		c.scans[o], c.scanVersion[o] = scan, c.version
	}
	return c.scans[o]
}

// ranked makes every row's rank current: comparing two ranks is comparing
// two integers, where compareRows compares names and ids. The caller must
// keep the columns from changing (the index's read lock).
func (c *columns) ranked() {
	c.derivedMu.Lock()
	defer c.derivedMu.Unlock()
	if c.rankVersion == c.version {
		return
	}
	for o, rows := range c.orders {
		for i, r := range rows {
			r.rank[o] = int32(i)
		}
	}
	c.rankVersion = c.version
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
	c := &columns{byID: map[string]*row{}, certs: newDict(), version: 1}
	for i := range c.dicts {
		c.dicts[i] = newDict()
	}
	return c
}

func (c *columns) newRow(d catalog.SearchDocument) *row {
	r := &row{id: d.ID, published: d.PublishedAt.UnixMilli(), price: d.PriceMinor, name: strings.ToLower(d.NameEN),
		stars: d.OTOPStars, topotop: d.Topotop}
	for i, v := range [nCols]string{d.Category, d.ProvinceCode, d.ClusterID, d.Region, d.SelectCenterID,
		d.CreativeIndustry, d.ProducerID} {
		r.codes[i] = c.dicts[i].code(v)
	}
	for _, k := range distinct(d.Certifications) {
		r.certs = append(r.certs, c.certs.code(k))
	}
	return r
}

// upsert adds or replaces documents.
func (c *columns) upsert(docs []catalog.SearchDocument) {
	c.version++
	for _, d := range docs {
		c.remove(d.ID)
		r := c.newRow(d)
		c.byID[r.id] = r
		c.all.add(r, 1)
		for o := range c.orders {
			i, _ := slices.BinarySearchFunc(c.orders[o], r, func(a, b *row) int { return compareRows(o, a, b) })
			c.orders[o] = slices.Insert(c.orders[o], i, r)
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
	r, ok := c.byID[id]
	if !ok {
		return
	}
	delete(c.byID, id)
	c.all.add(r, -1)
	for o := range c.orders {
		if i, found := slices.BinarySearchFunc(c.orders[o], r, func(a, b *row) int { return compareRows(o, a, b) }); found {
			c.orders[o] = slices.Delete(c.orders[o], i, i+1)
		}
	}
}

// load adds documents in bulk, the orders left unsorted until sortOrders:
// filling a whole index sorts once instead of inserting one by one. A
// document loaded again replaces the first.
func (c *columns) load(docs []catalog.SearchDocument) {
	c.version++
	for _, d := range docs {
		r := c.newRow(d)
		if old, dup := c.byID[d.ID]; dup {
			c.all.add(old, -1)
			*old = *r
			c.all.add(old, 1)
			continue
		}
		c.byID[r.id] = r
		c.all.add(r, 1)
		for o := range c.orders {
			c.orders[o] = append(c.orders[o], r)
		}
	}
}

// sortOrders sorts the orders after load.
func (c *columns) sortOrders() {
	for o := range c.orders {
		slices.SortFunc(c.orders[o], func(a, b *row) int { return compareRows(o, a, b) })
	}
}

// rowFilter is SearchFilters as codes.
type rowFilter struct {
	codes    [nCols]uint32
	set      [nCols]bool
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
		rf.codes[i], rf.set[i] = code, true
	}
	if f.Certification != "" {
		code, ok := c.certs.lookup(f.Certification)
		if !ok {
			return rf, false
		}
		rf.cert, rf.hasCert = code, true
	}
	return rf, true
}

// empty reports whether rf filters nothing.
func (rf *rowFilter) empty() bool {
	return rf.set == [nCols]bool{} && !rf.hasCert && rf.topotop == nil && rf.minStars <= 0 &&
		rf.minPrice == nil && rf.maxPrice == nil
}

func (rf *rowFilter) match(r *row) bool {
	s := r.scanRow()
	return rf.matchScan(&s, r)
}

// matchScan reports whether the row r, whose scan row is s, passes.
func (rf *rowFilter) matchScan(s *scanRow, r *row) bool {
	for i := range nCols {
		if rf.set[i] && s.codes[i] != rf.codes[i] {
			return false
		}
	}
	switch {
	case rf.hasCert && !s.hasCert(rf.cert, r),
		rf.topotop != nil && s.topotop != *rf.topotop,
		int(s.stars) < rf.minStars,
		rf.minPrice != nil && s.price < *rf.minPrice,
		rf.maxPrice != nil && s.price > *rf.maxPrice:
		return false
	}
	return true
}

func (s *scanRow) hasCert(code uint32, r *row) bool {
	if code < 64 && !s.certsFar {
		return s.certs&(1<<code) != 0
	}
	return slices.Contains(r.certs, code)
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
	if rf.empty() {
		// The whole catalogue: the page is a slice of the order, the
		// facets are the running totals.
		all := c.orders[o]
		var ids []string
		for _, r := range all[min(from, len(all)):min(from+size, len(all))] {
			ids = append(ids, r.id)
		}
		counters.fromTally(&c.all)
		return ids, len(all), counters.result()
	}
	var ids []string
	total := 0
	rows := c.orders[o]
	for i, s := range c.scan(o) {
		if !rf.matchScan(&s, rows[i]) {
			continue
		}
		if total >= from && total < from+size {
			ids = append(ids, rows[i].id)
		}
		total++
		counters.addScan(&s, rows[i])
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
			fc.certs = make([]int, len(c.certs.values))
		default:
			col := facetColumn[f]
			fc.kwCol = append(fc.kwCol, col)
			fc.kw = append(fc.kw, make([]int, len(c.dicts[col].values)))
		}
	}
	return fc
}

func (fc *facetCounters) add(r *row) {
	s := r.scanRow()
	fc.addScan(&s, r)
}

// addScan counts the row r, whose scan row is s.
func (fc *facetCounters) addScan(s *scanRow, r *row) {
	for i, col := range fc.kwCol {
		fc.kw[i][s.codes[col]]++
	}
	if fc.stars != nil && s.stars >= 1 && s.stars <= 5 {
		fc.stars[s.stars]++
	}
	if fc.topotop != nil {
		if s.topotop {
			fc.topotop[1]++
		} else {
			fc.topotop[0]++
		}
	}
	if fc.certs != nil {
		for _, k := range r.certs {
			fc.certs[k]++
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
			out[f] = byCode(fc.certs, fc.c.certs.values)
		default:
			out[f] = byCode(fc.kw[kw], fc.c.dicts[fc.kwCol[kw]].values)
			kw++
		}
	}
	return out
}
