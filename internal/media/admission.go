package media

import (
	"context"
	"fmt"
	"io"
	"sync"

	"golang.org/x/sync/semaphore"

	"github.com/otopmarket/otop/internal/errs"
)

// Admission admits image decodes by their estimated memory
// (Inspected.Memory) within a budget, and bounds how many run at once by
// CPU. Uploads through Images and scripts/bench/imagebench use this one
// code path, so the bench measures what the server does.
type Admission struct {
	budget int64
	memory *semaphore.Weighted
	slots  chan struct{}

	mu          sync.Mutex
	inUse, peak int64 // estimated bytes admitted now, and at most so far
}

// NewAdmission returns an Admission for budget bytes of estimated decoding
// memory (the default of Limits.MemoryBytes when budget is not positive) and
// at most concurrency decodes at once (at least one).
func NewAdmission(budget int64, concurrency int) *Admission {
	if budget <= 0 {
		budget = DefaultLimits().MemoryBytes
	}
	return &Admission{
		budget: budget,
		memory: semaphore.NewWeighted(budget),
		slots:  make(chan struct{}, max(concurrency, 1)),
	}
}

// Process reads and inspects an upload with p, then decodes it once
// admitted (Decode). The body is read before admission, so a slow client
// holds neither memory budget nor a decoding slot.
func (a *Admission) Process(ctx context.Context, p *Processor, r io.Reader) (*Result, error) {
	in, err := p.Inspect(ctx, r)
	if err != nil {
		return nil, err
	}
	return a.Decode(ctx, p, in)
}

// Decode decodes an inspected image with p once its estimated memory fits
// the budget and a decoding slot is free, waiting for both until ctx ends.
// An image whose estimate alone exceeds the whole budget is refused (422).
func (a *Admission) Decode(ctx context.Context, p *Processor, in *Inspected) (*Result, error) {
	if in.Memory > a.budget {
		return nil, errs.Invalid("file", fmt.Sprintf("this image needs about %d MB to process, more than the server allows (%d MB); upload a photo with fewer pixels or as a baseline JPEG",
			in.Memory>>20, a.budget>>20))
	}
	if err := a.memory.Acquire(ctx, in.Memory); err != nil {
		return nil, err
	}
	a.count(in.Memory)
	defer func() {
		a.count(-in.Memory)
		a.memory.Release(in.Memory)
	}()
	select {
	case a.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-a.slots }()
	return p.Decode(ctx, in)
}

func (a *Admission) count(n int64) {
	a.mu.Lock()
	a.inUse += n
	a.peak = max(a.peak, a.inUse)
	a.mu.Unlock()
}

// Admitted returns the estimated bytes of the decodes admitted now and the
// most that were admitted at once since the Admission was made.
func (a *Admission) Admitted() (now, peak int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.inUse, a.peak
}
