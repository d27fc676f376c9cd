// Package keyset makes the opaque cursors of lists ordered by a time and an
// id (review queues, the audit log, notifications): base64url of a small
// JSON object naming the list, so a cursor of one list is refused by another.
package keyset

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/otopmarket/otop/internal/errs"
)

// maxLength bounds what a client may send.
const maxLength = 512

type cursor struct {
	List string    `json:"l"`
	At   time.Time `json:"t"`
	ID   string    `json:"id"`
}

// Position is where a page starts: the time and id of the last row seen.
type Position struct {
	At time.Time
	ID string
}

// Encode returns the cursor of a list after pos.
func Encode(list string, pos Position) string {
	b, err := json.Marshal(cursor{List: list, At: pos.At.UTC(), ID: pos.ID})
	if err != nil {
		panic(err) // plain fields always marshal
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Decode returns the position of a cursor of the given list, or false when
// it is malformed or belongs to another list.
func Decode(list, s string) (Position, bool) {
	if len(s) > maxLength {
		return Position{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Position{}, false
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.List != list || c.ID == "" || c.At.IsZero() {
		return Position{}, false
	}
	return Position{At: c.At, ID: c.ID}, true
}

// After decodes the cursor of a request for a page of list: nil without a
// cursor; a cursor of another list (or none at all) is reported in v.
func After(list, cursor string, v *errs.ValidationError) *Position {
	if cursor == "" {
		return nil
	}
	pos, ok := Decode(list, cursor)
	if !ok {
		v.Add("cursor", "is not a cursor of this list; start again without it")
	}
	return &pos
}

// Trim cuts a store's answer, asked for limit+1 rows, to limit rows, and
// returns the cursor of the next page ("" on the last), made from the last
// row kept by pos.
func Trim[T any](list string, rows []T, limit int, pos func(T) Position) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, Encode(list, pos(rows[limit-1]))
}

// Page sizes of every list of the API.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Limit is a request's page size: DefaultLimit when 0; one outside 1 to
// MaxLimit is reported in v.
func Limit(limit int, v *errs.ValidationError) int {
	switch {
	case limit == 0:
		return DefaultLimit
	case limit < 1 || limit > MaxLimit:
		v.Add("limit", fmt.Sprintf("must be between 1 and %d", MaxLimit))
	}
	return limit
}
