// Package proforma renders the proforma invoice of an order as a PDF: the
// document an importer sends to their bank to open a letter of credit or
// pay in advance. It is in English, with the Thai names of the products and
// of the producer drawn in an embedded Thai font (fonts/, see its README).
// The PDF library applies no OpenType shaping, so thai.go picks the font's
// pre-positioned Thai mark glyphs itself and breaks Thai lines at likely
// syllable boundaries.
//
// To look at a rendered page, keep the sample PDFs of TestVisual and turn
// them into PNG pages with poppler-utils (the test does the latter when
// pdftoppm is installed and skips that check with a note when it is not):
//
//	PROFORMA_OUT=/tmp/proforma go test ./internal/proforma -run TestVisual -count=1
//	pdftoppm -png -r 110 /tmp/proforma/sample.pdf /tmp/proforma/page
//
// then open /tmp/proforma/page-1.png: Thai marks must sit on their
// consonant (ผ้า, หมี่, น้ำ, ปู่, ฟื้น, ญุ), long names wrap inside the
// product column, the table header repeats on every page with lines.
package proforma

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Invoice is what a proforma invoice shows, filled by the caller from an
// order. Amounts are minor units of Currency. Dates are shown as dates in
// the location of each time value.
type Invoice struct {
	Number     string    // the order's id
	GroupID    string    // the id of the group of orders placed together
	IssuedAt   time.Time // the issue date; also the PDF's creation date
	ValidUntil time.Time // zero: the invoice shows no validity date
	Status     string    // the order's status: placed, confirmed, …

	Seller Seller
	Buyer  Buyer

	DestinationCountry     string // ISO 3166-1 alpha-2
	DestinationCountryName string // optional, in English
	Incoterm               string // an Incoterms 2020 rule: FOB, CIF, …
	NamedPlace             string // optional: the port or place the rule names
	Currency               string // THB, USD, EUR, CNY or JPY
	EstimatedShipOn        time.Time

	Lines      []Line
	TotalMinor int64

	Note         string // the buyer's note on the order
	PaymentTerms string // optional: how the buyer pays
}

// Seller is the producer who exports the goods.
type Seller struct {
	NameEN, NameTH         string
	Tambon, Amphoe         string
	ProvinceEN, ProvinceTH string
	Phone, Email           string
}

// Buyer is the importer.
type Buyer struct {
	Name        string
	Email       string
	CountryCode string // ISO 3166-1 alpha-2
	CountryName string // optional, in English
}

// Line is one product of the order.
type Line struct {
	NameEN, NameTH  string
	SKU             string
	Quantity        int64
	Unit            string
	UnitPriceMinor  int64
	LineTotalMinor  int64
	FromStock       bool      // ships from stock rather than made to order
	EstimatedShipOn time.Time // zero: not known yet
}

// Limits of what one invoice holds; an order stays far below them.
const (
	MaxLines       = 1000
	maxNameRunes   = 300
	maxNumberRunes = 64 // fits the footer beside the page number
	maxTextRunes   = 200
	maxNoteRunes   = 4000
)

// ErrInvalid is wrapped by the errors about an Invoice that cannot be
// rendered.
var ErrInvalid = errors.New("proforma: invalid invoice")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// checked returns inv with every text cleaned for drawing, or an error when
// inv is not a complete, consistent invoice: the bank reads the total, so
// it must be the sum of the lines.
func (inv Invoice) checked() (Invoice, error) {
	inv.Number = cleanLine(inv.Number, maxNumberRunes)
	inv.GroupID = cleanLine(inv.GroupID, maxTextRunes)
	inv.Status = cleanLine(inv.Status, maxTextRunes)
	inv.Seller = Seller{
		NameEN: cleanLine(inv.Seller.NameEN, maxNameRunes), NameTH: cleanLine(inv.Seller.NameTH, maxNameRunes),
		Tambon: cleanLine(inv.Seller.Tambon, maxTextRunes), Amphoe: cleanLine(inv.Seller.Amphoe, maxTextRunes),
		ProvinceEN: cleanLine(inv.Seller.ProvinceEN, maxTextRunes), ProvinceTH: cleanLine(inv.Seller.ProvinceTH, maxTextRunes),
		Phone: cleanLine(inv.Seller.Phone, maxTextRunes), Email: cleanLine(inv.Seller.Email, maxTextRunes),
	}
	inv.Buyer = Buyer{
		Name: cleanLine(inv.Buyer.Name, maxNameRunes), Email: cleanLine(inv.Buyer.Email, maxTextRunes),
		CountryCode: cleanLine(inv.Buyer.CountryCode, maxTextRunes), CountryName: cleanLine(inv.Buyer.CountryName, maxTextRunes),
	}
	inv.DestinationCountry = cleanLine(inv.DestinationCountry, maxTextRunes)
	inv.DestinationCountryName = cleanLine(inv.DestinationCountryName, maxTextRunes)
	inv.Incoterm = cleanLine(inv.Incoterm, maxTextRunes)
	inv.NamedPlace = cleanLine(inv.NamedPlace, maxTextRunes)
	inv.Note = cleanText(inv.Note, maxNoteRunes)
	inv.PaymentTerms = cleanText(inv.PaymentTerms, maxNoteRunes)

	switch {
	case inv.Number == "":
		return inv, invalid("no invoice number")
	case inv.IssuedAt.IsZero():
		return inv, invalid("no issue date")
	case inv.Seller.NameEN == "" && inv.Seller.NameTH == "":
		return inv, invalid("no seller name")
	case inv.Buyer.Name == "":
		return inv, invalid("no buyer name")
	case !validIncoterm(inv.Incoterm):
		return inv, invalid("incoterm %q is not an Incoterms 2020 rule", inv.Incoterm)
	case len(inv.Lines) == 0:
		return inv, invalid("no lines")
	case len(inv.Lines) > MaxLines:
		return inv, invalid("%d lines, at most %d", len(inv.Lines), MaxLines)
	case inv.TotalMinor < 0:
		return inv, invalid("negative total")
	}
	if _, ok := currencyDecimals(inv.Currency); !ok {
		return inv, invalid("unknown currency %q", inv.Currency)
	}

	lines := make([]Line, len(inv.Lines))
	var sum int64
	for i, l := range inv.Lines {
		l.NameEN = cleanLine(l.NameEN, maxNameRunes)
		l.NameTH = cleanLine(l.NameTH, maxNameRunes)
		l.SKU = cleanLine(l.SKU, maxTextRunes)
		l.Unit = cleanLine(l.Unit, maxTextRunes)
		switch {
		case l.NameEN == "" && l.NameTH == "":
			return inv, invalid("line %d has no name", i+1)
		case l.Quantity <= 0:
			return inv, invalid("line %d: quantity %d", i+1, l.Quantity)
		case l.UnitPriceMinor < 0 || l.LineTotalMinor < 0:
			return inv, invalid("line %d: negative amount", i+1)
		case sum > (1<<63-1)-l.LineTotalMinor:
			return inv, invalid("the line totals overflow")
		}
		sum += l.LineTotalMinor
		lines[i] = l
	}
	if sum != inv.TotalMinor {
		return inv, invalid("total %d is not the sum of the line totals %d", inv.TotalMinor, sum)
	}
	inv.Lines = lines
	return inv, nil
}

func validIncoterm(s string) bool {
	switch s {
	case "EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP":
		return true
	}
	return false
}

// cleanLine makes s one line of drawable text: invalid UTF-8 becomes U+FFFD,
// control and format characters go (NUL, bidi controls) except the
// zero-width space, a Thai word break; runs of white space become one
// space; at most maxRunes runes stay.
func cleanLine(s string, maxRunes int) string {
	return truncate(strings.Join(strings.Fields(dropControls(s, false)), " "), maxRunes)
}

// cleanText is cleanLine for text of several lines: newlines stay.
func cleanText(s string, maxRunes int) string {
	s = dropControls(strings.ReplaceAll(s, "\r\n", "\n"), true)
	paras := strings.Split(s, "\n")
	for i, p := range paras {
		paras[i] = strings.Join(strings.Fields(p), " ")
	}
	return truncate(strings.TrimSpace(strings.Join(paras, "\n")), maxRunes)
}

func dropControls(s string, keepNewlines bool) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' && keepNewlines:
			return r
		case r == zeroWidthSpace:
			return r
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, s)
}

func truncate(s string, maxRunes int) string {
	if utf8.RuneCountInString(s) <= maxRunes {
		return s
	}
	all := []rune(s)
	cut := maxRunes - 1
	// Cut before a whole cluster: neither a mark without its consonant nor
	// a leading vowel without the consonant after it.
	for cut > 0 && (joinsPrevious(all[cut]) || isLeadingVowel(all[cut-1])) {
		cut--
	}
	r := all[:cut]
	return strings.TrimSpace(string(r)) + "…"
}
