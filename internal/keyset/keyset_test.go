package keyset_test

import (
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/keyset"
)

func TestCursorRoundTripsAndBelongsToItsList(t *testing.T) {
	pos := keyset.Position{At: time.Date(2026, 5, 1, 3, 4, 5, 6000, time.UTC), ID: "42"}
	c := keyset.Encode("audit", pos)
	got, ok := keyset.Decode("audit", c)
	if !ok || !got.At.Equal(pos.At) || got.ID != pos.ID {
		t.Fatalf("Decode(Encode(%v)) = %v, %v", pos, got, ok)
	}
	for name, s := range map[string]string{
		"another list": keyset.Encode("queue", pos),
		"not base64":   "!!!",
		"not JSON":     "bm90IGpzb24",
		"too long":     string(make([]byte, 600)),
		"no id":        keyset.Encode("audit", keyset.Position{At: pos.At}),
	} {
		t.Run(name, func(t *testing.T) {
			if _, ok := keyset.Decode("audit", s); ok {
				t.Errorf("Decode(%q) accepted", s)
			}
		})
	}
}
