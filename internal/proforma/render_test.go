package proforma

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/image/font/sfnt"
)

func newTestRenderer(t *testing.T, uncompressed bool) *Renderer {
	t.Helper()
	r, err := NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	r.uncompressed = uncompressed
	return r
}

func render(t *testing.T, r *Renderer, inv Invoice) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Render(&buf, inv); err != nil {
		t.Fatalf("Render: %v", err)
	}
	return buf.Bytes()
}

// glyphText finds drawn text in uncompressed page contents, where the
// library writes each run of text as the hexadecimal glyph ids of the
// embedded font.
type glyphText struct {
	regular, bold *sfnt.Font
}

func newGlyphText(t *testing.T) glyphText {
	t.Helper()
	parse := func(file string) *sfnt.Font {
		data, err := fontFiles.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := sfnt.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	return glyphText{regular: parse("fonts/Waree.ttf"), bold: parse("fonts/Waree-Bold.ttf")}
}

// hex is s as the content stream holds it when drawn in the regular face
// (or the bold one).
func (g glyphText) hex(t *testing.T, s string, bold bool) string {
	t.Helper()
	f := g.regular
	if bold {
		f = g.bold
	}
	var buf sfnt.Buffer
	var b strings.Builder
	for _, r := range shapeThai(s) {
		gi, err := f.GlyphIndex(&buf, r)
		if err != nil || gi == 0 {
			t.Fatalf("no glyph for %q in the font", r)
		}
		fmt.Fprintf(&b, "%04X", gi)
	}
	return b.String()
}

func (g glyphText) count(t *testing.T, pdf []byte, s string, bold bool) int {
	t.Helper()
	return bytes.Count(pdf, []byte(g.hex(t, s, bold)))
}

func pageCount(pdf []byte) int { return bytes.Count(pdf, []byte("/Type /Page\n")) }

func TestRenderWritesAPDFOfOneOrSeveralPages(t *testing.T) {
	r := newTestRenderer(t, true)
	g := newGlyphText(t)
	for _, tc := range []struct {
		name     string
		lines    int
		minPages int
		maxPages int
	}{
		{"one line fits one page", 1, 1, 1},
		{"sixty lines run onto several pages", 60, 3, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pdf := render(t, r, sampleInvoice(tc.lines, "THB"))
			if !bytes.HasPrefix(pdf, []byte("%PDF-1.")) || !bytes.HasSuffix(bytes.TrimSpace(pdf), []byte("%%EOF")) {
				t.Fatalf("not a PDF: starts %q, ends %q", pdf[:min(16, len(pdf))], pdf[max(0, len(pdf)-16):])
			}
			pages := pageCount(pdf)
			if pages < tc.minPages || pages > tc.maxPages {
				t.Fatalf("%d pages, want %d to %d", pages, tc.minPages, tc.maxPages)
			}
			// Every page says which it is, and every page that holds lines
			// has the table header above them. The page contents are
			// written in order, each ending with its footer.
			chunks := bytes.Split(pdf, []byte(g.hex(t, "Page ", false)))
			if len(chunks)-1 != pages {
				t.Fatalf("%d page footers on %d pages", len(chunks)-1, pages)
			}
			for i := range pages {
				if g.count(t, pdf, fmt.Sprintf("Page %d/%d", i+1, pages), false) != 1 {
					t.Errorf("no footer \"Page %d/%d\"", i+1, pages)
				}
				if bytes.Contains(chunks[i], []byte(g.hex(t, "SKU ", false))) &&
					!bytes.Contains(chunks[i], []byte(g.hex(t, "Amount (THB)", true))) {
					t.Errorf("page %d holds lines without the table header", i+1)
				}
			}
			for i := range tc.lines {
				if g.count(t, pdf, fmt.Sprintf("SKU DL-%03d", i+1), false) != 1 {
					t.Errorf("line %d is not drawn once", i+1)
				}
			}
			// The total comes after the last line.
			last := bytes.LastIndex(pdf, []byte(g.hex(t, fmt.Sprintf("SKU DL-%03d", tc.lines), false)))
			total := bytes.Index(pdf, []byte(g.hex(t, "Total FOB (THB)", true)))
			if total < last {
				t.Errorf("the total (at %d) is not after the last line (at %d)", total, last)
			}
		})
	}
}

func TestRenderEmbedsTheFontsAndTheMetadata(t *testing.T) {
	pdf := render(t, newTestRenderer(t, false), sampleInvoice(3, "THB"))
	for _, want := range []string{
		"/FontFile2 ",
		"/Subtype /CIDFontType2",
		"/BaseFont /Waree\n",
		"/BaseFont /Waree-Bold\n",
		"/ToUnicode ",
		"/Title <FEFF" + utf16Hex("Proforma invoice 0b7e4c1e-5a7d-4f7e-9a51-3c2d1e0f9a88") + ">",
		"/Creator <FEFF" + utf16Hex("OTOP marketplace") + ">",
		"/CreationDate(D:20260302093000+00'00')",
	} {
		if !bytes.Contains(pdf, []byte(want)) {
			t.Errorf("the PDF has no %q", want)
		}
	}
}

func utf16Hex(s string) string {
	var b strings.Builder
	for _, r := range s {
		fmt.Fprintf(&b, "%04X", r)
	}
	return b.String()
}

func TestRenderDrawsTheInvoiceText(t *testing.T) {
	inv := sampleInvoice(1, "THB")
	inv.Lines[0].Quantity, inv.Lines[0].UnitPriceMinor, inv.Lines[0].LineTotalMinor = 1, 1234567, 1234567
	inv.TotalMinor = 1234567
	pdf := render(t, newTestRenderer(t, true), inv)
	g := newGlyphText(t)
	for _, tc := range []struct {
		text string
		bold bool
	}{
		{"PROFORMA INVOICE", true},
		{"0b7e4c1e-5a7d-4f7e-9a51-3c2d1e0f9a88", false},
		{"2026-03-02", false},
		{"2026-04-01", false},
		{"Ban Don Li Weaving Community Enterprise", true},
		{"วิสาหกิจชุมชนกลุ่มทอผ้าบ้านดอนหลี่", false},
		{"Khon Kaen (ขอนแก่น), Thailand", false},
		{"Sakura Trading Co., Ltd.", true},
		{"Japan (JP)", false},
		{"FOB Laem Chabang, destination", false},
		{"Natural indigo-dyed mudmee silk, hand-woven", false},
		{"ผ้าไหมมัดหมี่ย้อมครามธรรมชาติ", false},
		{"12,345.67", false},
		{"THB 12,345.67", true},
		{"Page 1/1", false},
		{"This is a proforma invoice, not a tax invoice", false},
	} {
		t.Run(tc.text, func(t *testing.T) {
			if g.count(t, pdf, tc.text, tc.bold) == 0 {
				t.Errorf("%q is not drawn", tc.text)
			}
		})
	}
}

func TestRenderShowsACancelledOrderAsNotPayable(t *testing.T) {
	inv := sampleInvoice(2, "USD")
	inv.Status = "cancelled"
	pdf := render(t, newTestRenderer(t, true), inv)
	if newGlyphText(t).count(t, pdf, "ORDER CANCELLED: NOT VALID FOR PAYMENT", true) != 1 {
		t.Error("a cancelled order's invoice does not say so")
	}
}

func TestRenderIsDeterministicAndSafeForConcurrentUse(t *testing.T) {
	r := newTestRenderer(t, false)
	inv := sampleInvoice(12, "EUR")
	want := render(t, r, inv)

	got := make([][]byte, 4)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			var buf bytes.Buffer
			if err := r.Render(&buf, inv); err != nil {
				t.Error(err)
			}
			got[i] = buf.Bytes()
		})
	}
	wg.Wait()
	for i, b := range got {
		if !bytes.Equal(b, want) {
			t.Errorf("render %d differs from the first", i)
		}
	}

	later := inv
	later.IssuedAt = inv.IssuedAt.Add(time.Hour)
	if bytes.Equal(render(t, r, later), want) {
		t.Error("another issue date gives the same bytes")
	}
}

func TestRenderRefusesIncompleteInvoices(t *testing.T) {
	r := newTestRenderer(t, false)
	for _, tc := range []struct {
		name   string
		change func(*Invoice)
	}{
		{"no lines", func(inv *Invoice) { inv.Lines, inv.TotalMinor = nil, 0 }},
		{"no number", func(inv *Invoice) { inv.Number = "" }},
		{"a number of control characters only", func(inv *Invoice) { inv.Number = "\x00\x01" }},
		{"no issue date", func(inv *Invoice) { inv.IssuedAt = time.Time{} }},
		{"no seller name", func(inv *Invoice) { inv.Seller.NameEN, inv.Seller.NameTH = "", "" }},
		{"no buyer name", func(inv *Invoice) { inv.Buyer.Name = " " }},
		{"unknown currency", func(inv *Invoice) { inv.Currency = "GBP" }},
		{"not an Incoterms 2020 rule", func(inv *Invoice) { inv.Incoterm = "DAF" }},
		{"a line without a name", func(inv *Invoice) { inv.Lines[0].NameEN, inv.Lines[0].NameTH = "", "" }},
		{"zero quantity", func(inv *Invoice) { inv.Lines[0].Quantity = 0 }},
		{"negative price", func(inv *Invoice) { inv.Lines[0].UnitPriceMinor = -1 }},
		{"total not the sum of the lines", func(inv *Invoice) { inv.TotalMinor++ }},
		{"line totals that overflow int64", func(inv *Invoice) {
			inv.Lines[0].LineTotalMinor, inv.Lines[1].LineTotalMinor = math.MaxInt64, 1
			inv.TotalMinor = math.MinInt64 // what the sum wraps to
		}},
		{"too many lines", func(inv *Invoice) {
			inv.Lines = make([]Line, MaxLines+1)
			for i := range inv.Lines {
				inv.Lines[i] = Line{NameEN: "x", Quantity: 1}
			}
			inv.TotalMinor = 0
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := sampleInvoice(2, "THB")
			tc.change(&inv)
			var buf bytes.Buffer
			err := r.Render(&buf, inv)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Render: %v, want ErrInvalid", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes for an invalid invoice", buf.Len())
			}
		})
	}
}

func TestRenderDrawsOddTextWithoutFailing(t *testing.T) {
	r := newTestRenderer(t, true)
	g := newGlyphText(t)
	for _, tc := range []struct {
		name   string
		change func(*Invoice)
		want   []string // drawn in the regular face
	}{
		{"NUL and control characters in names", func(inv *Invoice) {
			inv.Seller.NameTH = "วิสาหกิจ\x00ชุมชน"
			inv.Lines[0].NameEN = "Silk\x00 scarf\x1b[31m"
			inv.Lines[0].NameTH = "\x00ผ้า\u202Eไหม"
			inv.Note = "line one\x00\r\nline two\x07"
		}, []string{"Silk scarf[31m"}},
		{"invalid UTF-8", func(inv *Invoice) { inv.Lines[0].NameEN = "Silk \xff\xfe scarf" }, []string{"Silk ? scarf"}},
		{"characters the font lacks", func(inv *Invoice) { inv.Buyer.Name = "上海贸易 🙂 Ltd" }, nil},
		{"a mark without its consonant", func(inv *Invoice) { inv.Lines[0].NameTH = "\u0E48\u0E49ก" }, nil},
		{"a name past the length limit", func(inv *Invoice) { inv.Lines[0].NameTH = strings.Repeat("ผ้าไหม", 200) }, nil},
		{"a zero-width space between Thai words", func(inv *Invoice) { inv.Lines[0].NameTH = "ผ้าไหม\u200Bมัดหมี่" }, []string{"ผ้าไหมมัดหมี่"}},
		{"the largest line total", func(inv *Invoice) {
			inv.Currency, inv.Lines = "THB", inv.Lines[:1]
			inv.Lines[0].Quantity, inv.Lines[0].UnitPriceMinor, inv.Lines[0].LineTotalMinor = 1, math.MaxInt64, math.MaxInt64
			inv.TotalMinor = math.MaxInt64
		}, []string{"92,233,720,368,", "547,758.07"}}, // wider than its column, so on two lines
		{"the largest amount a client may ask for fits its column", func(inv *Invoice) {
			inv.Currency, inv.Lines = "THB", inv.Lines[:1]
			inv.Lines[0].Quantity, inv.Lines[0].UnitPriceMinor, inv.Lines[0].LineTotalMinor = 1, 1_000_000_000_000, 1_000_000_000_000
			inv.TotalMinor = 1_000_000_000_000
		}, []string{"10,000,000,000.00"}},
		{"no optional fields", func(inv *Invoice) {
			inv.GroupID, inv.Status, inv.ValidUntil, inv.EstimatedShipOn = "", "", time.Time{}, time.Time{}
			inv.Seller = Seller{NameTH: "กลุ่มทอผ้า"}
			inv.Buyer = Buyer{Name: "Importer"}
			inv.NamedPlace, inv.DestinationCountryName, inv.Note, inv.PaymentTerms = "", "", "", ""
			for i := range inv.Lines {
				inv.Lines[i].SKU, inv.Lines[i].Unit, inv.Lines[i].NameEN = "", "", ""
			}
		}, []string{"กลุ่มทอผ้า"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := sampleInvoice(2, "JPY")
			tc.change(&inv)
			pdf := render(t, r, inv)
			if pageCount(pdf) < 1 {
				t.Fatal("no page")
			}
			for _, want := range tc.want {
				if g.count(t, pdf, want, false) == 0 {
					t.Errorf("%q is not drawn", want)
				}
			}
		})
	}
}

func TestRenderMapsThaiGlyphVariantsBackForCopying(t *testing.T) {
	pdf := render(t, newTestRenderer(t, false), sampleInvoice(6, "THB"))
	g := newGlyphText(t)
	var buf sfnt.Buffer
	for _, tc := range []struct {
		variant, base rune
	}{
		{'\uF70B', '\u0E49'}, // MAI THO lowered, as in ผ้า
		{'\uF705', '\u0E48'}, // MAI EK lowered and left, as in ปู่
		{'\uF704', '\u0E37'}, // SARA UEE left, as in ฟื้น
		{'\uF70F', 'ญ'},      // YO YING without descender, as in ญุ
	} {
		t.Run(fmt.Sprintf("%X", tc.variant), func(t *testing.T) {
			gi, err := g.regular.GlyphIndex(&buf, tc.variant)
			if err != nil || gi == 0 {
				t.Fatalf("no glyph for %X", tc.variant)
			}
			if want := fmt.Sprintf("<%04X><%04X><%04X>", gi, gi, tc.base); !bytes.Contains(pdf, []byte(want)) {
				t.Errorf("the ToUnicode map has no %s", want)
			}
		})
	}
	if bytes.Contains(pdf, []byte("><F7")) {
		t.Error("a ToUnicode map still names a private-use code point")
	}
}
