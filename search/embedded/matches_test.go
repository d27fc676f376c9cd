package embedded

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/otopmarket/otop/internal/catalog"
)

// pageOf picks a page with a bounded heap when the page is near the top;
// it must give exactly the page of the fully sorted matches.
func TestPageOfEqualsTheFullySortedPage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	matches := make([]match, 300)
	ids := rng.Perm(len(matches)) // distinct ids, in no order
	for i := range matches {
		matches[i] = match{
			row:   &row{id: fmt.Sprintf("id-%03d", ids[i]), price: int64(rng.IntN(5) * 100), published: int64(rng.IntN(3))},
			score: float64(rng.IntN(4)), // many ties
		}
	}
	// The rows' ranks, as columns.ranked sets them.
	for o := range nOrders {
		rows := make([]*row, len(matches))
		for i := range matches {
			rows[i] = matches[i].row
		}
		slices.SortFunc(rows, func(a, b *row) int { return compareRows(o, a, b) })
		for i, r := range rows {
			r.rank[o] = int32(i)
		}
	}
	for _, sort := range []string{catalog.SearchSortRelevance, catalog.SearchSortPriceAsc, catalog.SearchSortPriceDesc, catalog.SearchSortNewest} {
		want := slices.Clone(matches)
		slices.SortFunc(want, func(a, b match) int {
			if sort == catalog.SearchSortRelevance {
				return cmp.Or(cmp.Compare(b.score, a.score), compareRows(ordNewest, a.row, b.row))
			}
			return compareRows(orderOf[sort], a.row, b.row)
		})
		for _, w := range []struct{ from, size int }{{0, 1}, {0, 20}, {20, 20}, {40, 10}, {0, 100}, {280, 50}, {400, 20}} {
			got := pageOf(slices.Clone(matches), sort, w.from, w.size)
			end := min(w.from+w.size, len(want))
			var expect []match
			if w.from < end {
				expect = want[w.from:end]
			}
			if !slices.EqualFunc(got, expect, func(a, b match) bool { return a.row == b.row && a.score == b.score }) {
				t.Errorf("sort %s, from %d size %d: page differs from the fully sorted one", sort, w.from, w.size)
			}
		}
	}
}
