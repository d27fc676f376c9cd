package proforma

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"strings"

	"github.com/signintech/gopdf"
)

//go:embed fonts/Waree.ttf fonts/Waree-Bold.ttf
var fontFiles embed.FS

const (
	fontRegular = "Waree"
	fontBold    = "Waree-Bold"
)

// Renderer draws proforma invoices. It parses the embedded fonts once and
// is safe for concurrent use: every Render works on a document of its own.
type Renderer struct {
	fonts *gopdf.FontContainer
	// uncompressed leaves the page contents readable, so that tests can
	// find the text in them.
	uncompressed bool
}

// NewRenderer parses the embedded fonts.
func NewRenderer() (*Renderer, error) {
	fonts := &gopdf.FontContainer{}
	for _, f := range [][2]string{{fontRegular, "fonts/Waree.ttf"}, {fontBold, "fonts/Waree-Bold.ttf"}} {
		family, file := f[0], f[1]
		data, err := fontFiles.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("proforma: read %s: %w", file, err)
		}
		option := gopdf.TtfOption{OnGlyphNotFoundSubstitute: func(rune) rune { return '?' }}
		if err := fonts.AddTTFFontDataWithOption(family, data, option); err != nil {
			return nil, fmt.Errorf("proforma: parse %s: %w", file, err)
		}
	}
	return &Renderer{fonts: fonts}, nil
}

// Render writes the proforma invoice of inv to w as a PDF. The same inv
// gives the same bytes. Nothing is written when inv is invalid (the error
// wraps ErrInvalid).
func (r *Renderer) Render(w io.Writer, inv Invoice) error {
	inv, err := inv.checked()
	if err != nil {
		return err
	}
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitPT})
	if r.uncompressed {
		pdf.SetNoCompression()
	}
	for _, family := range []string{fontRegular, fontBold} {
		if err := pdf.AddTTFFontFromFontContainer(family, r.fonts); err != nil {
			return fmt.Errorf("proforma: font %s: %w", family, err)
		}
	}
	pdf.SetInfo(gopdf.PdfInfo{
		Title:        metaText("Proforma invoice " + inv.Number),
		Subject:      metaText("Proforma invoice of order " + inv.Number),
		Author:       metaText(firstNonEmpty(inv.Seller.NameEN, inv.Seller.NameTH)),
		Creator:      "OTOP marketplace",
		Producer:     "OTOP marketplace",
		CreationDate: inv.IssuedAt,
	})

	d := &doc{pdf: pdf, inv: inv}
	d.layout()
	d.draw()
	if d.err != nil {
		return fmt.Errorf("proforma: %w", d.err)
	}
	// The library ignores write errors while it writes, so the document is
	// put together in memory and written at once.
	var buf bytes.Buffer
	if _, err := pdf.WriteTo(&buf); err != nil {
		return fmt.Errorf("proforma: write: %w", err)
	}
	_, err = w.Write(restoreThaiCodes(buf.Bytes()))
	return err
}

// restoreThaiCodes rewrites the ToUnicode maps of pdf so that the glyph
// variants shapeThai picked copy and search as the Thai characters they
// stand for, not as private-use code points. The maps are plain text
// lines "<glyph><glyph><code>" between beginbfrange and endbfrange; a code
// is replaced by one of the same length, so no offset in the file moves.
func restoreThaiCodes(pdf []byte) []byte {
	const begin, end = "beginbfrange\n", "endbfrange"
	for from := 0; ; {
		i := bytes.Index(pdf[from:], []byte(begin))
		if i < 0 {
			return pdf
		}
		start := from + i + len(begin)
		j := bytes.Index(pdf[start:], []byte(end))
		if j < 0 {
			return pdf
		}
		for _, line := range bytes.Split(pdf[start:start+j], []byte("\n")) {
			// line is "<GGGG><GGGG><CCCC>" and aliases pdf.
			if len(line) != 18 || line[12] != '<' || line[17] != '>' {
				continue
			}
			var code rune
			if _, err := fmt.Sscanf(string(line[13:17]), "%04X", &code); err != nil {
				continue
			}
			if base, ok := thaiBase(code); ok {
				copy(line[13:17], fmt.Sprintf("%04X", base))
			}
		}
		from = start + j
	}
}

// Page geometry, in points on A4 (595.28 × 841.89).
const (
	pageWidth    = 595.28
	pageHeight   = 841.89
	marginX      = 42.0
	marginTop    = 40.0
	bodyBottom   = 792.0 // content stops here; the footer is below
	footerRule   = 804.0
	contentRight = pageWidth - marginX
	contentWidth = contentRight - marginX
)

// The line table's columns: left edges and widths.
const (
	colNoX, colNoW       = marginX, 22.0
	colProductX          = colNoX + colNoW
	colProductW          = 230.0
	colQtyX, colQtyW     = colProductX + colProductW, 62.0
	colPriceX, colPriceW = colQtyX + colQtyW, 96.0
	colTotalX            = colPriceX + colPriceW
	colTotalW            = contentRight - colTotalX
	cellPad              = 4.0
)

// style is how a run of text is drawn.
type style struct {
	bold  bool
	size  float64
	color rgb
}

func textStyle(size float64) style  { return style{size: size, color: colorText} }
func boldStyle(size float64) style  { return style{bold: true, size: size, color: colorText} }
func mutedStyle(size float64) style { return style{size: size, color: colorMuted} }

// rgb is a colour as 0xRRGGBB.
type rgb uint32

func (c rgb) parts() (r, g, b uint8) { return uint8(c >> 16), uint8(c >> 8), uint8(c) }

const (
	colorText  rgb = 0x1f2328
	colorMuted rgb = 0x5f666d
	colorRule  rgb = 0xc4c9ce
	colorBand  rgb = 0xeef1f4
	colorAlert rgb = 0xb01e1e
)

// lineHeight is the height of one line of text at size: Thai needs room
// for a tone mark stacked over an upper vowel and for the lowered lower
// vowels.
func lineHeight(s string, size float64) float64 {
	if strings.ContainsFunc(s, isThai) {
		return size * 1.55
	}
	return size * 1.28
}

// ascent is how far below the top of its line a line's baseline sits.
func ascent(s string, size float64) float64 {
	if strings.ContainsFunc(s, isThai) {
		return size * 1.17
	}
	return size * 0.97
}

// doc lays out and draws one invoice. Layout measures everything and puts
// drawing steps on pages, so that the footer knows the number of pages;
// draw then runs the steps page by page. The first error stops everything
// after it.
type doc struct {
	pdf   *gopdf.GoPdf
	inv   Invoice
	pages [][]func()
	y     float64 // where layout goes on, on the last page
	err   error
}

func (d *doc) fail(err error) {
	if d.err == nil && err != nil {
		d.err = err
	}
}

func (d *doc) setStyle(s style) {
	family := fontRegular
	if s.bold {
		family = fontBold
	}
	d.fail(d.pdf.SetFont(family, "", s.size))
	d.pdf.SetTextColor(s.color.parts())
}

// width is the width of s drawn in style s.
func (d *doc) width(st style, s string) float64 {
	d.setStyle(st)
	w, err := d.pdf.MeasureTextWidth(shapeThai(dropZeroWidth(s)))
	d.fail(err)
	return w
}

// wrap breaks s into lines that fit width in style st.
func (d *doc) wrap(st style, s string, width float64) []string {
	return wrapText(s, width, func(line string) float64 { return d.width(st, line) })
}

// add puts a drawing step on the current page.
func (d *doc) add(step func()) {
	d.pages[len(d.pages)-1] = append(d.pages[len(d.pages)-1], step)
}

// text draws s with its baseline at y.
func (d *doc) text(st style, x, y float64, s string) {
	if s == "" {
		return
	}
	shaped := shapeThai(dropZeroWidth(s))
	d.add(func() {
		d.setStyle(st)
		d.pdf.SetXY(x, y)
		d.fail(d.pdf.Text(shaped))
	})
}

// textRight draws s ending at right.
func (d *doc) textRight(st style, right, y float64, s string) {
	d.text(st, right-d.width(st, s), y, s)
}

func (d *doc) rule(x1, y, x2 float64, color rgb, width float64) {
	d.add(func() {
		d.pdf.SetStrokeColor(color.parts())
		d.pdf.SetLineWidth(width)
		d.pdf.Line(x1, y, x2, y)
	})
}

func (d *doc) band(x, y, w, h float64, color rgb) {
	d.add(func() {
		d.pdf.SetFillColor(color.parts())
		d.pdf.RectFromUpperLeftWithStyle(x, y, w, h, "F")
	})
}

// block is lines of text of one style, measured: it can be drawn at any
// top.
type block struct {
	st    style
	lines []string
}

func (d *doc) block(st style, s string, width float64) block {
	if s == "" {
		return block{st: st}
	}
	return block{st: st, lines: d.wrap(st, s, width)}
}

func (b block) height() float64 {
	h := 0.0
	for _, l := range b.lines {
		h += lineHeight(l, b.st.size)
	}
	return h
}

// drawBlock draws b with its first line's top at top, from x (or ending
// at x when right is set), and returns the top of what follows.
func (d *doc) drawBlock(b block, x, top float64, right bool) float64 {
	for _, l := range b.lines {
		if right {
			d.textRight(b.st, x, top+ascent(l, b.st.size), l)
		} else {
			d.text(b.st, x, top+ascent(l, b.st.size), l)
		}
		top += lineHeight(l, b.st.size)
	}
	return top
}

func stackHeight(blocks ...block) float64 {
	h := 0.0
	for _, b := range blocks {
		h += b.height()
	}
	return h
}

func (d *doc) drawStack(x, top float64, blocks ...block) float64 {
	for _, b := range blocks {
		top = d.drawBlock(b, x, top, false)
	}
	return top
}

func (d *doc) newPage() {
	d.pages = append(d.pages, nil)
	d.y = marginTop
}

// ensure starts a new page unless h more points fit on this one, and
// reports whether it did.
func (d *doc) ensure(h float64) bool {
	if d.y+h <= bodyBottom {
		return false
	}
	d.newPage()
	d.continuedHeader()
	return true
}

func (d *doc) layout() {
	d.newPage()
	d.header()
	d.parties()
	d.terms()
	d.table()
	d.closing()
}

func (d *doc) money(amountMinor int64) string {
	s, err := FormatMoney(amountMinor, d.inv.Currency)
	d.fail(err)
	return s
}

// header draws the title and the invoice's numbers and dates.
func (d *doc) header() {
	inv := d.inv
	d.text(boldStyle(20), marginX, d.y+20, "PROFORMA INVOICE")
	d.textRight(mutedStyle(8.5), contentRight, d.y+9, "Issued by the seller through OTOP marketplace")
	d.y += 34
	if inv.Status == "cancelled" {
		d.text(boldStyle(11).withColor(colorAlert), marginX, d.y+11, "ORDER CANCELLED: NOT VALID FOR PAYMENT")
		d.y += 20
	}

	left := [][2]string{{"Invoice no.", inv.Number}, {"Order group", inv.GroupID}, {"Order status", inv.Status}}
	right := [][2]string{{"Issue date", inv.IssuedAt.Format(dateLayout)}}
	if !inv.ValidUntil.IsZero() {
		right = append(right, [2]string{"Valid until", inv.ValidUntil.Format(dateLayout)})
	}
	bottom := max(d.fields(marginX, 72, 200, left), d.fields(350, 66, contentRight-416, right))
	d.y = bottom + 10
	d.rule(marginX, d.y, contentRight, colorRule, 0.6)
	d.y += 10
}

const dateLayout = "2006-01-02"

// fields draws label/value rows from x, values at x+labelW wrapped to
// valueW, and returns the bottom.
func (d *doc) fields(x, labelW, valueW float64, rows [][2]string) float64 {
	y := d.y
	for _, row := range rows {
		if row[1] == "" {
			continue
		}
		value := d.block(textStyle(9), row[1], valueW)
		d.text(mutedStyle(8.5), x, y+ascent(row[1], 9), row[0])
		y = d.drawBlock(value, x+labelW, y, false) + 1.5
	}
	return y
}

// parties draws the seller's and the buyer's addresses side by side.
func (d *doc) parties() {
	inv := d.inv
	colW := (contentWidth - 20) / 2

	s := inv.Seller
	place := joinNonEmpty(", ", prefixed("Tambon ", s.Tambon), prefixed("Amphoe ", s.Amphoe))
	province := s.ProvinceEN
	if s.ProvinceTH != "" {
		province = joinNonEmpty(" ", s.ProvinceEN, "("+s.ProvinceTH+")")
	}
	seller := []block{
		d.block(boldStyle(10), s.NameEN, colW),
		d.block(textStyle(10), s.NameTH, colW),
		d.block(textStyle(9), place, colW),
		d.block(textStyle(9), joinNonEmpty(", ", province, "Thailand"), colW),
		d.block(textStyle(9), prefixed("Tel. ", s.Phone), colW),
		d.block(textStyle(9), s.Email, colW),
	}
	b := inv.Buyer
	buyer := []block{
		d.block(boldStyle(10), b.Name, colW),
		d.block(textStyle(9), b.Email, colW),
		d.block(textStyle(9), countryLabel(b.CountryName, b.CountryCode), colW),
	}

	labelTop := d.y
	d.text(boldStyle(8).withColor(colorMuted), marginX, labelTop+8, "SELLER / EXPORTER")
	d.text(boldStyle(8).withColor(colorMuted), marginX+colW+20, labelTop+8, "BUYER / IMPORTER")
	top := labelTop + 14
	d.drawStack(marginX, top, seller...)
	d.drawStack(marginX+colW+20, top, buyer...)
	d.y = top + max(stackHeight(seller...), stackHeight(buyer...)) + 12
}

// terms draws the band with the trade terms.
func (d *doc) terms() {
	inv := d.inv
	rule := inv.Incoterm
	if inv.NamedPlace != "" {
		rule += " " + inv.NamedPlace
	}
	dest := countryLabel(inv.DestinationCountryName, inv.DestinationCountry)
	ship := "to be confirmed"
	if !inv.EstimatedShipOn.IsZero() {
		ship = inv.EstimatedShipOn.Format(dateLayout)
	}
	cells := [][2]string{
		{"Incoterms 2020", joinNonEmpty(", destination ", rule, dest)},
		{"Currency", inv.Currency},
		{"Estimated shipment", ship},
		{"Payment", firstNonEmpty(inv.PaymentTerms, "as agreed between seller and buyer")},
	}
	cellW := (contentWidth - 16) / 2
	var values [4]block
	rowH := [2]float64{}
	for i, c := range cells {
		values[i] = d.block(textStyle(9), c[1], cellW-92)
		rowH[i/2] = max(rowH[i/2], values[i].height())
	}
	h := rowH[0] + rowH[1] + 14
	d.band(marginX, d.y, contentWidth, h, colorBand)
	top := d.y + 6
	for i, c := range cells {
		x := marginX + 8 + float64(i%2)*(cellW+8)
		rowTop := top
		if i >= 2 {
			rowTop += rowH[0] + 2
		}
		d.text(mutedStyle(8.5), x, rowTop+ascent(c[1], 9), c[0])
		d.drawBlock(values[i], x+92, rowTop, false)
	}
	d.y += h + 14
}

// tableHeader draws the column titles.
func (d *doc) tableHeader() {
	cur := d.inv.Currency
	st := boldStyle(8)
	d.band(marginX, d.y, contentWidth, 18, colorBand)
	base := d.y + 12
	d.text(st, colNoX+cellPad, base, "#")
	d.text(st, colProductX+cellPad, base, "Product")
	d.textRight(st, colQtyX+colQtyW-cellPad, base, "Quantity")
	d.textRight(st, colPriceX+colPriceW-cellPad, base, "Unit price ("+cur+")")
	d.textRight(st, colTotalX+colTotalW-cellPad, base, "Amount ("+cur+")")
	d.y += 18
}

// continuedHeader starts a page after the first.
func (d *doc) continuedHeader() {
	d.text(mutedStyle(8.5), marginX, d.y+9, "Proforma invoice "+d.inv.Number+" (continued)")
	d.y += 18
}

// maxNameLines bounds a product name in the table, so that any row fits a
// page.
const maxNameLines = 6

// table draws the lines, the header on top of every page they run onto.
func (d *doc) table() {
	d.tableHeader()
	for i, l := range d.inv.Lines {
		name := []block{
			clampBlock(d.block(textStyle(9), l.NameEN, colProductW-2*cellPad), maxNameLines),
			clampBlock(d.block(textStyle(9), l.NameTH, colProductW-2*cellPad), maxNameLines),
			d.block(mutedStyle(7.5), lineMeta(l), colProductW-2*cellPad),
		}
		qty := d.block(textStyle(9), FormatQuantity(l.Quantity), colQtyW-2*cellPad)
		unit := clampBlock(d.block(mutedStyle(7.5), l.Unit, colQtyW-2*cellPad), 3)
		h := max(stackHeight(name...), qty.height()+unit.height()) + 2*cellPad
		if d.ensure(h) {
			d.tableHeader()
		}
		top := d.y + cellPad
		no := fmt.Sprintf("%d", i+1)
		d.text(textStyle(9), colNoX+cellPad, top+ascent(no, 9), no)
		d.drawStack(colProductX+cellPad, top, name...)
		d.drawBlock(unit, colQtyX+colQtyW-cellPad, d.drawBlock(qty, colQtyX+colQtyW-cellPad, top, true), true)
		price, total := d.money(l.UnitPriceMinor), d.money(l.LineTotalMinor)
		d.drawBlock(d.block(textStyle(9), price, colPriceW-2*cellPad), colPriceX+colPriceW-cellPad, top, true)
		d.drawBlock(d.block(textStyle(9), total, colTotalW-2*cellPad), colTotalX+colTotalW-cellPad, top, true)
		d.y += h
		d.rule(marginX, d.y, contentRight, colorRule, 0.4)
	}
}

// lineMeta is the small print under a product's names: SKU and shipping.
func lineMeta(l Line) string {
	ship := "ships from stock"
	switch {
	case !l.FromStock && !l.EstimatedShipOn.IsZero():
		ship = "made to order, est. shipment " + l.EstimatedShipOn.Format(dateLayout)
	case !l.FromStock:
		ship = "made to order, shipment date to be confirmed"
	case !l.EstimatedShipOn.IsZero():
		ship = "from stock, est. shipment " + l.EstimatedShipOn.Format(dateLayout)
	}
	return joinNonEmpty(" · ", prefixed("SKU ", l.SKU), ship)
}

func clampBlock(b block, n int) block {
	if len(b.lines) <= n {
		return b
	}
	b.lines = append(b.lines[:n-1:n-1], truncate(b.lines[n-1], len([]rune(b.lines[n-1]))-1))
	return b
}

// closing draws the total, the note, the payment terms and the notice that
// a proforma is not a tax invoice.
func (d *doc) closing() {
	inv := d.inv
	label := "Total " + inv.Incoterm + " (" + inv.Currency + ")"
	amount := inv.Currency + " " + d.money(inv.TotalMinor)
	amountBlock := d.block(boldStyle(11), amount, colPriceW+colTotalW-cellPad)
	h := amountBlock.height() + 16
	if d.ensure(h) {
		d.tableHeader()
	}
	d.y += 6
	d.text(boldStyle(10), colProductX+cellPad, d.y+ascent(label, 11), label)
	d.drawBlock(amountBlock, contentRight-cellPad, d.y, true)
	d.y += amountBlock.height() + 4
	d.rule(colQtyX, d.y, contentRight, colorText, 1)
	d.y += 18

	if inv.Note != "" {
		d.paragraph("Buyer's note", inv.Note)
	}
	rule := inv.Incoterm
	if inv.NamedPlace != "" {
		rule += " " + inv.NamedPlace
	}
	validity := ""
	if !inv.ValidUntil.IsZero() {
		validity = "This proforma invoice is valid until " + inv.ValidUntil.Format(dateLayout) + "."
	}
	d.paragraph("Validity", joinNonEmpty(" ", validity, "Prices are in "+inv.Currency+", Incoterms 2020 "+rule+"."))
	d.paragraph("", "This is a proforma invoice, not a tax invoice or a demand for payment: it states the goods, prices and terms of the order for the buyer's bank and import formalities. The commercial invoice is issued when the goods ship.")
}

// paragraph draws a titled paragraph, running onto further pages line by
// line.
func (d *doc) paragraph(title, text string) {
	if title != "" {
		d.ensure(11 + lineHeight(text, 9)*2)
		d.text(boldStyle(8.5), marginX, d.y+9, title)
		d.y += 13
	}
	st := textStyle(9)
	if title == "" {
		st = mutedStyle(8)
	}
	for _, l := range d.wrap(st, text, contentWidth) {
		h := lineHeight(l, st.size)
		d.ensure(h)
		d.text(st, marginX, d.y+ascent(l, st.size), l)
		d.y += h
	}
	d.y += 10
}

// draw adds the pages, runs their steps and puts the footer on each.
func (d *doc) draw() {
	n := len(d.pages)
	for i, steps := range d.pages {
		if d.err != nil {
			return
		}
		d.pdf.AddPage()
		for _, step := range steps {
			step()
		}
		d.footer(i+1, n)
	}
}

func (d *doc) footer(page, pages int) {
	d.pdf.SetStrokeColor(colorRule.parts())
	d.pdf.SetLineWidth(0.5)
	d.pdf.Line(marginX, footerRule, contentRight, footerRule)
	st := mutedStyle(7.5)
	d.setStyle(st)
	d.pdf.SetXY(marginX, footerRule+11)
	d.fail(d.pdf.Text(dropZeroWidth("Proforma invoice " + d.inv.Number + " · not a tax invoice")))
	label := fmt.Sprintf("Page %d/%d", page, pages)
	w, err := d.pdf.MeasureTextWidth(label)
	d.fail(err)
	d.pdf.SetXY(contentRight-w, footerRule+11)
	d.fail(d.pdf.Text(label))
}

// metaText is s for the document information dictionary, which the
// library writes as UTF-16 code units without surrogate pairs: characters
// beyond the Basic Multilingual Plane become '?'.
func metaText(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == zeroWidthSpace:
			return -1
		case r > 0xFFFF:
			return '?'
		}
		return r
	}, s)
}

func (s style) withColor(c rgb) style { s.color = c; return s }

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func joinNonEmpty(sep string, values ...string) string {
	kept := values[:0:0]
	for _, v := range values {
		if v != "" {
			kept = append(kept, v)
		}
	}
	return strings.Join(kept, sep)
}

// prefixed is prefix+value, or empty for an empty value.
func prefixed(prefix, value string) string {
	if value == "" {
		return ""
	}
	return prefix + value
}

// countryLabel is "Japan (JP)", or the code alone without a name.
func countryLabel(name, code string) string {
	if name == "" {
		return code
	}
	if code == "" {
		return name
	}
	return name + " (" + code + ")"
}
