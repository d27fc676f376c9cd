package catalog

import (
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// A cursor is opaque to clients: base64url (unpadded) of a small JSON object
// holding the sort it belongs to, the sort key of the last row of the page
// and that row's id. A cursor is only valid with the sort it was made for.
type cursorData struct {
	Sort      string     `json:"s"`
	CreatedAt *time.Time `json:"t,omitempty"`
	Price     *int64     `json:"p,omitempty"`
	NameEN    *string    `json:"n,omitempty"`
	ID        uuid.UUID  `json:"id"`
}

// maxCursorLength bounds what a client may send (a name is at most 200 characters).
const maxCursorLength = 1024

// producerSort tags the cursors of the producer list.
const producerSort = "producers"

func encodeCursor(sort string, pos Position) string {
	c := cursorData{Sort: sort, ID: pos.ID}
	switch Sort(sort) {
	case SortPriceAsc, SortPriceDesc:
		c.Price = pos.Price
	case SortName:
		c.NameEN = &pos.NameEN
	default:
		t := pos.CreatedAt.UTC()
		c.CreatedAt = &t
	}
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // a struct of plain fields always marshals
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor returns the position a cursor holds, or false when the
// cursor is malformed or belongs to another sort.
func decodeCursor(s, sort string) (Position, bool) {
	if len(s) > maxCursorLength {
		return Position{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Position{}, false
	}
	var c cursorData
	if err := json.Unmarshal(b, &c); err != nil || c.Sort != sort || c.ID == uuid.Nil {
		return Position{}, false
	}
	pos := Position{ID: c.ID, Price: c.Price}
	switch Sort(sort) {
	case SortPriceAsc, SortPriceDesc:
	case SortName:
		if c.NameEN == nil {
			return Position{}, false
		}
		pos.NameEN = *c.NameEN
	default:
		if c.CreatedAt == nil {
			return Position{}, false
		}
		pos.CreatedAt = *c.CreatedAt
	}
	return pos, true
}

func productPosition(p Product) Position {
	pos := Position{CreatedAt: p.CreatedAt, NameEN: p.NameEN, ID: p.ID}
	if p.Price != nil {
		amount := p.Price.AmountMinor
		pos.Price = &amount
	}
	return pos
}
