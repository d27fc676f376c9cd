package load

import (
	"math"
	"time"
)

// Latencies are request durations, sorted before use.
type Latencies []time.Duration

// Pct is the p-th percentile (nearest rank), 0 when empty.
func (l Latencies) Pct(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(l)))) - 1
	return l[min(max(i, 0), len(l)-1)]
}

// Max is the longest latency, 0 when empty.
func (l Latencies) Max() time.Duration {
	if len(l) == 0 {
		return 0
	}
	return l[len(l)-1]
}

// PctMs is Pct in milliseconds, the unit of the reports' tables.
func (l Latencies) PctMs(p float64) float64 { return Ms(l.Pct(p)) }

// MaxMs is Max in milliseconds.
func (l Latencies) MaxMs() float64 { return Ms(l.Max()) }

// Ms is d in milliseconds, the unit of the reports' tables.
func Ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
