package catalog

import (
	"context"
	"sync"

	"github.com/otopmarket/otop/internal/account"
)

// exportPageSize is how many products an export reads at a time. An export
// holds at most two pages, whatever the size of the catalogue: the one fn
// is given, and the next, read meanwhile.
const exportPageSize = 1000

// ExportProducts calls fn with every product matching f that p may see, as
// ListProducts would list them (published by default; other statuses for
// the same callers), in f.Sort order (newest first by default), reading a
// page at a time. f.Limit and f.Cursor are ignored.
//
// The filter and p's right to the statuses it names are checked before the
// first read, so that an error returned before fn was called is a problem
// the caller may still answer; an error of fn stops the walk and is
// returned as it is.
func (s *Service) ExportProducts(ctx context.Context, p account.Principal, f ProductFilter, fn func(Product) error) error {
	q, _, err := s.productQuery(ctx, p, f, false)
	if err != nil {
		return err
	}
	q.Limit = exportPageSize
	q.Export = true

	// The next page is read while fn works through this one: the database
	// and the caller's writing take turns less, and both cores work.
	ctx, cancel := context.WithCancel(ctx)
	pages := make(chan exportPage) // unbuffered: the reader waits with one page at most
	var (
		wg       sync.WaitGroup
		complete bool // set before pages is closed
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(pages)
		complete = s.readPages(ctx, q, pages)
	}()
	defer wg.Wait()
	defer cancel()
	for page := range pages {
		if page.err != nil {
			return page.err
		}
		for _, it := range page.items {
			if err := fn(productView(p, it)); err != nil {
				return err
			}
		}
	}
	if !complete {
		// The reader stopped because ctx ended: the walk is not whole, and
		// must not pass for it.
		return ctx.Err()
	}
	return nil
}

// exportPage is a page of an export, or the error that ended it.
type exportPage struct {
	items []Product
	err   error
}

// readPages sends the pages of q in order until the last (shorter than a
// page) or an error (sent too), and then reports true; or until ctx ends,
// and then reports false.
func (s *Service) readPages(ctx context.Context, q ProductQuery, pages chan<- exportPage) bool {
	for {
		items, err := s.repo.ListProducts(ctx, q)
		select {
		case pages <- exportPage{items: items, err: err}:
		case <-ctx.Done():
			return false
		}
		if err != nil || len(items) < exportPageSize {
			return true
		}
		// The keyset position of the last row: every sort is total (ties
		// broken by id), so each product comes exactly once.
		pos := productPosition(items[len(items)-1])
		q.After = &pos
	}
}
