package keyset_test

import (
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/errs"
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

func TestTrimKeepsAPageAndPointsPastIt(t *testing.T) {
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	pos := func(n int) keyset.Position { return keyset.Position{At: at, ID: string(rune('a' + n))} }
	rows, next := keyset.Trim("l", []int{0, 1, 2}, 2, pos)
	if len(rows) != 2 || next == "" {
		t.Fatalf("Trim of 3 rows to 2 = %v, %q; want 2 rows and a cursor", rows, next)
	}
	if got, ok := keyset.Decode("l", next); !ok || got.ID != "b" {
		t.Errorf("the cursor points at %v, want the last row kept", got)
	}
	if rows, next := keyset.Trim("l", []int{0, 1}, 2, pos); len(rows) != 2 || next != "" {
		t.Errorf("the last page = %v, %q; want both rows and no cursor", rows, next)
	}
}

func TestAfterReportsACursorOfAnotherList(t *testing.T) {
	var v errs.ValidationError
	if keyset.After("l", "", &v) != nil || v.Err() != nil {
		t.Errorf("no cursor is no position and no problem")
	}
	keyset.After("l", keyset.Encode("other", keyset.Position{At: time.Now(), ID: "x"}), &v)
	if len(v.Fields) != 1 || v.Fields[0].Field != "cursor" {
		t.Errorf("another list's cursor: %+v", v.Fields)
	}
}
