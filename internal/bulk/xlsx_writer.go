package bulk

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"
)

// The parts of a workbook of one sheet besides the sheet itself: what
// Excel, LibreOffice and excelize need to open it, and one cell style (the
// header's bold font).
const (
	xlsxContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`
	xlsxRootRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	xlsxWorkbook = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="` + ProductsSheet + `" sheetId="1" r:id="rId1"/></sheets></workbook>`
	xlsxWorkbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`
	xlsxStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`
	xlsxSheetStart = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`
	xlsxSheetEnd = `</sheetData></worksheet>`
)

// xlsxWriter is the RowWriter of NewXLSXWriter.
type xlsxWriter struct {
	zip   *zip.Writer
	sheet *bufio.Writer
	cols  []string // column letters, A, B, ... as far as the widest row
	row   int
	buf   []byte // the row being written
}

// ProductsSheet is the name of the sheet exports and the template write.
const ProductsSheet = "products"

// NewXLSXWriter writes a workbook with one sheet, "products", straight to w
// as rows come: the sheet is the last part of the ZIP, compressed as it is
// written, so neither the rows nor the archive are held anywhere
// (excelize's stream writer keeps the sheet until it is complete and
// answers the first byte at the end). The first row is the header: bold
// and frozen. Cells are text (inline strings, so a row is written once)
// except plain integers (up to 15 digits, no leading zero: "007" stays
// text), which are numbers so that a spreadsheet program can sum them.
// What it writes reads back through OpenSheet unchanged (tested).
func NewXLSXWriter(w io.Writer) (RowWriter, error) {
	zw := zip.NewWriter(w)
	// Deflate's fastest level, in klauspost/compress's implementation (the
	// one minio-go brings, faster than the standard library's): an export
	// is bound by the CPU, and sheet XML compresses well at any level.
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	for _, part := range []struct{ name, body string }{
		{"[Content_Types].xml", xlsxContentTypes}, {"_rels/.rels", xlsxRootRels},
		{"xl/workbook.xml", xlsxWorkbook}, {"xl/_rels/workbook.xml.rels", xlsxWorkbookRels},
		{"xl/styles.xml", xlsxStyles},
	} {
		f, err := zw.Create(part.name)
		if err == nil {
			_, err = io.WriteString(f, part.body)
		}
		if err != nil {
			return nil, fmt.Errorf("new xlsx writer: %w", err)
		}
	}
	f, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return nil, fmt.Errorf("new xlsx writer: %w", err)
	}
	return &xlsxWriter{zip: zw, sheet: bufio.NewWriterSize(f, 64<<10)}, nil
}

func (x *xlsxWriter) Write(cells []string) error {
	if x.row >= excelize.TotalRows {
		return fmt.Errorf("write xlsx: a sheet holds at most %d rows", excelize.TotalRows)
	}
	if len(cells) > excelize.MaxColumns {
		return fmt.Errorf("write xlsx: a sheet holds at most %d columns", excelize.MaxColumns)
	}
	for i, c := range cells {
		if n := utf16Len(c); n > maxCellUTF16 {
			return fmt.Errorf("write xlsx: row %d, cell %d: %d characters, more than a cell holds (%d)", x.row+1, i+1, n, maxCellUTF16)
		}
	}
	x.row++
	// A row is put together in x.buf and written at once.
	b := x.buf[:0]
	if x.row == 1 {
		// Column widths precede the rows.
		b = append(b, xlsxSheetStart...)
		if len(cells) > 0 {
			b = fmt.Appendf(b, `<cols><col min="1" max="%d" width="18" customWidth="1"/></cols>`, len(cells))
		}
		b = append(b, `<sheetData>`...)
	}
	for len(x.cols) < len(cells) {
		name, err := excelize.ColumnNumberToName(len(x.cols) + 1)
		if err != nil {
			return fmt.Errorf("write xlsx: %w", err)
		}
		x.cols = append(x.cols, name)
	}
	rowNum := strconv.Itoa(x.row)
	b = append(b, `<row r="`...)
	b = append(b, rowNum...)
	b = append(b, `">`...)
	for i, c := range cells {
		b = append(b, `<c r="`...)
		b = append(b, x.cols[i]...)
		b = append(b, rowNum...)
		if x.row == 1 {
			b = append(b, `" s="1`...)
		}
		if n, ok := plainInteger(c); ok {
			b = append(b, `"><v>`...)
			b = strconv.AppendInt(b, n, 10)
			b = append(b, `</v></c>`...)
			continue
		}
		b = append(b, `" t="inlineStr"><is><t xml:space="preserve">`...)
		b = appendXMLText(b, escapeApostrophe(c))
		b = append(b, `</t></is></c>`...)
	}
	b = append(b, `</row>`...)
	x.buf = b
	if _, err := x.sheet.Write(b); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}

// appendXMLText appends s as XML character data, as xml.EscapeText writes
// it (markup characters and line breaks as references, what XML cannot
// hold as U+FFFD), but a run of plain text at a time.
func appendXMLText(w []byte, s string) []byte {
	if !utf8.ValidString(s) {
		return appendXMLTextSlowly(w, s)
	}
	// Valid UTF-8: only ASCII bytes and the non-characters U+FFFE and
	// U+FFFF (EF BF BE, EF BF BF) may need replacing, and no other byte of a
	// multi-byte sequence is below 0x80 or is EF followed by BF.
	last := 0
	for i := 0; i < len(s); i++ {
		b := s[i]
		var esc string
		switch {
		case b >= 0x20 && b < utf8.RuneSelf && b != '<' && b != '>' && b != '&' && b != '"' && b != '\'':
			continue
		case b >= utf8.RuneSelf:
			if b != 0xEF || i+2 >= len(s) || s[i+1] != 0xBF || s[i+2] < 0xBE {
				continue
			}
			w = append(w, s[last:i]...)
			w = append(w, "\uFFFD"...)
			i += 2
			last = i + 1
			continue
		default:
			esc = xmlEscape(b)
		}
		w = append(w, s[last:i]...)
		w = append(w, esc...)
		last = i + 1
	}
	return append(w, s[last:]...)
}

// xmlEscape is the reference of an ASCII byte that XML text cannot hold as
// it is.
func xmlEscape(b byte) string {
	switch b {
	case '<':
		return "&lt;"
	case '>':
		return "&gt;"
	case '&':
		return "&amp;"
	case '"':
		return "&#34;"
	case '\'':
		return "&#39;"
	case '\t':
		return "&#x9;"
	case '\n':
		return "&#xA;"
	case '\r':
		return "&#xD;"
	}
	return "\uFFFD" // other control characters
}

// appendXMLTextSlowly is appendXMLText for a string that is not valid UTF-8.
func appendXMLTextSlowly(w []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		b, width, esc := s[i], 1, ""
		switch {
		case b >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(s[i:])
			width = n
			if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
				esc = "\uFFFD"
			}
		case b < 0x20 || b == '<' || b == '>' || b == '&' || b == '"' || b == '\'':
			esc = xmlEscape(b)
		}
		if esc != "" {
			w = append(w, s[last:i]...)
			w = append(w, esc...)
			last = i + width
		}
		i += width
	}
	return append(w, s[last:]...)
}

// Close ends the sheet and the archive. A workbook closed before any row
// still has its sheet.
func (x *xlsxWriter) Close() error {
	end := xlsxSheetEnd
	if x.row == 0 {
		end = xlsxSheetStart + `<sheetData>` + end
	}
	if _, err := x.sheet.WriteString(end); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	if err := x.sheet.Flush(); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	if err := x.zip.Close(); err != nil {
		return fmt.Errorf("write xlsx: %w", err)
	}
	return nil
}
