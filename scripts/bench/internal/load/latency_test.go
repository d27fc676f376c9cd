package load

import (
	"testing"
	"time"
)

// TestPctIsNearestRank: the reports' percentiles are latencies that were
// measured, never interpolated between two.
func TestPctIsNearestRank(t *testing.T) {
	var l Latencies
	if l.Pct(50) != 0 || l.Max() != 0 {
		t.Fatal("empty latencies are not 0")
	}
	for i := 1; i <= 10; i++ {
		l = append(l, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{0: 1, 10: 1, 50: 5, 55: 6, 99: 10, 100: 10} {
		if got := l.Pct(p); got != want*time.Millisecond {
			t.Errorf("Pct(%v) = %v, want %v ms", p, got, want)
		}
	}
	if l.MaxMs() != 10 || l.PctMs(50) != 5 {
		t.Errorf("MaxMs = %v, PctMs(50) = %v, want 10 and 5", l.MaxMs(), l.PctMs(50))
	}
}
