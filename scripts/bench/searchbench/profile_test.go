package main

import (
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// TestShareOfCountsEachSampleOnce: a sample is the engine's when its stack
// holds engineFunc anywhere, once even if the function recurses.
func TestShareOfCountsEachSampleOnce(t *testing.T) {
	var locs []*profile.Location
	fn := func(name string) *profile.Location {
		l := &profile.Location{ID: uint64(len(locs) + 1), Line: []profile.Line{{Function: &profile.Function{Name: name}}}}
		locs = append(locs, l)
		return l
	}
	engine, write, main, or := fn(engineFunc), fn("net/http.(*response).Write"), fn("net/http.(*conn).serve"), fn("roaring.FastOr")
	samples := func() []*profile.Sample {
		return []*profile.Sample{
			{Location: []*profile.Location{or, engine, main}, Value: []int64{3, int64(30 * time.Millisecond)}},
			{Location: []*profile.Location{engine, engine, main}, Value: []int64{1, int64(10 * time.Millisecond)}},
			{Location: []*profile.Location{write, main}, Value: []int64{1, int64(10 * time.Millisecond)}},
		}
	}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Sample:     samples(),
		Location:   locs,
	}
	s := shareOf(p, engineFunc)
	if s.err != nil || s.total != 50*time.Millisecond || s.engine != 40*time.Millisecond || s.overhead() != 1.25 {
		t.Errorf("shareOf = %+v, overhead %.3f; want 50 ms in all, 40 in the engine, 1.25", s, s.overhead())
	}
	p.SampleType, p.Sample = p.SampleType[:1], samples()
	if s := shareOf(p, engineFunc); s.err == nil || s.overhead() != 0 {
		t.Errorf("a profile without CPU time gave %+v", s)
	}
}
