package main

import (
	"strings"
	"testing"
)

// TestNextCursor: the cursor is read from the end of a queue page without
// decoding the items, escaped or not, and null ends the walk.
func TestNextCursor(t *testing.T) {
	big := `{"items":[` + strings.Repeat(`{"waiting_days":1},`, 500) + `{"waiting_days":2}],"next_cursor":"abc_-1"}`
	for body, want := range map[string]string{
		big:                                      "abc_-1",
		`{"items":[],"next_cursor":null}`:        "",
		`{"items":[],"next_cursor": "a\u002fb"}`: "a/b",
	} {
		if cur, err := nextCursor([]byte(body)); err != nil || cur != want {
			t.Errorf("next cursor of %.40q: %q, %v; want %q", body, cur, err, want)
		}
	}
	if _, err := nextCursor([]byte(`{"items":[]}`)); err == nil {
		t.Error("a page without next_cursor gave no error")
	}
}
