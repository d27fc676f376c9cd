package catalog

import (
	"testing"
	"time"
)

func TestGatherGrowsWithTheStreamOfChanges(t *testing.T) {
	for _, c := range []struct {
		applied int
		want    time.Duration
	}{
		{0, wakeGather}, {1, wakeGather}, {4, wakeGather}, {8, 2 * wakeGather}, {20, 5 * wakeGather},
		{40, maxWakeGather}, {500, maxWakeGather},
	} {
		if got := gatherAfter(c.applied); got != c.want {
			t.Errorf("gatherAfter(%d) = %s, want %s", c.applied, got, c.want)
		}
	}
}
