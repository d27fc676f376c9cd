package main

import (
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// TestShareOfCountsEachSampleOnce: a sample is the engine's when its stack
// holds engineFunc anywhere, once even if the function recurses.
func TestShareOfCountsEachSampleOnce(t *testing.T) {
	fn := func(name string) *profile.Location {
		return &profile.Location{Line: []profile.Line{{Function: &profile.Function{Name: name}}}}
	}
	engine, write, main := fn(engineFunc), fn("net/http.(*response).Write"), fn("net/http.(*conn).serve")
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Sample: []*profile.Sample{
			{Location: []*profile.Location{fn("roaring.FastOr"), engine, main}, Value: []int64{3, int64(30 * time.Millisecond)}},
			{Location: []*profile.Location{engine, engine, main}, Value: []int64{1, int64(10 * time.Millisecond)}},
			{Location: []*profile.Location{write, main}, Value: []int64{1, int64(10 * time.Millisecond)}},
		},
	}
	s := shareOf(p, engineFunc)
	if s.err != nil || s.total != 50*time.Millisecond || s.engine != 40*time.Millisecond || s.overhead() != 1.25 {
		t.Errorf("shareOf = %+v, overhead %.3f; want 50 ms in all, 40 in the engine, 1.25", s, s.overhead())
	}
	p.SampleType = p.SampleType[:1]
	if s := shareOf(p, engineFunc); s.err == nil || s.overhead() != 0 {
		t.Errorf("a profile without CPU time gave %+v", s)
	}
}
