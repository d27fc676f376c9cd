package bulk

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// bookBytes builds a workbook with excelize: fill writes its sheets.
func bookBytes(t *testing.T, fill func(f *excelize.File) error) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", ProductsSheet); err != nil {
		t.Fatal(err)
	}
	if err := fill(f); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// setRows writes rows from A1 down on a sheet.
func setRows(f *excelize.File, sheet string, rows ...[]any) error {
	for i, r := range rows {
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+1), &r); err != nil {
			return err
		}
	}
	return nil
}

// Parts of a workbook written by hand, for what excelize will not write: a
// formula with a saved value, macros.
const (
	handContentTypes = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="%s"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`
	handWorkbookType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
	handMacroType    = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
	handRels         = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	handWorkbook     = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="products" sheetId="1" r:id="rId1"/></sheets></workbook>`
	handWorkbookRels = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`
	handSheet        = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>`
)

// handBook zips a one-sheet workbook whose sheet holds rowsXML, with extra
// parts added or replacing the standard ones.
func handBook(t *testing.T, rowsXML string, extra map[string]string) []byte {
	t.Helper()
	parts := map[string]string{
		"[Content_Types].xml":        fmt.Sprintf(handContentTypes, handWorkbookType),
		"_rels/.rels":                handRels,
		"xl/workbook.xml":            handWorkbook,
		"xl/_rels/workbook.xml.rels": handWorkbookRels,
		"xl/worksheets/sheet1.xml":   fmt.Sprintf(handSheet, rowsXML),
	}
	for name, body := range extra {
		parts[name] = body
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSheetXLSXReadsRows(t *testing.T) {
	day := time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		book   func(t *testing.T) []byte
		header []string
		rows   []string
		notice string
	}{
		{
			name: "numbers read in plain decimal form whatever their format, text as typed",
			book: func(t *testing.T) []byte {
				return bookBytes(t, func(f *excelize.File) error {
					thousands, err := f.NewStyle(&excelize.Style{NumFmt: 3})
					if err != nil {
						return err
					}
					if err := setRows(f, ProductsSheet,
						[]any{"sku", "price_amount_minor", "hs_code", "weight_grams", "expires", "submit", "name_th"},
						[]any{"007", 250000, 5007.2, nil, day, true, "ผ้าไหมมัดหมี่"}); err != nil {
						return err
					}
					// As some programs store numbers: excelize keeps the text.
					if err := f.SetCellDefault(ProductsSheet, "D2", "2.5E+05"); err != nil {
						return err
					}
					return f.SetCellStyle(ProductsSheet, "B2", "B2", thousands)
				})
			},
			header: []string{"sku", "price_amount_minor", "hs_code", "weight_grams", "expires", "submit", "name_th"},
			rows:   []string{`1 ["007" "250000" "5007.2" "250000" "46568" "TRUE" "ผ้าไหมมัดหมี่"]`},
		},
		{
			name: "a formula without a saved value reads empty: formulas are never computed",
			book: func(t *testing.T) []byte {
				return bookBytes(t, func(f *excelize.File) error {
					if err := setRows(f, ProductsSheet, []any{"sku", "moq"}, []any{"A1"}); err != nil {
						return err
					}
					return f.SetCellFormula(ProductsSheet, "B2", "1+1")
				})
			},
			header: []string{"sku", "moq"}, rows: []string{`1 ["A1" ""]`},
		},
		{
			name: "a formula reads as the value saved with it, not as what it computes",
			book: func(t *testing.T) []byte {
				return handBook(t, `<row r="1"><c r="A1" t="inlineStr"><is><t>sku</t></is></c><c r="B1" t="inlineStr"><is><t>moq</t></is></c></row>`+
					`<row r="2"><c r="A2" t="inlineStr"><is><t>A1</t></is></c><c r="B2"><f>1+1</f><v>7</v></c></row>`+
					`<row r="3"><c r="A3" t="str"><f>"=cmd|' /C calc'!A0"</f><v>text</v></c></row>`, nil)
			},
			header: []string{"sku", "moq"}, rows: []string{`1 ["A1" "7"]`, `2 ["text" ""]`},
		},
		{
			name: "empty rows are skipped but counted, and the header may be lower down",
			book: func(t *testing.T) []byte {
				return bookBytes(t, func(f *excelize.File) error {
					for cell, v := range map[string]any{"A3": "sku", "B3": "moq", "A5": "A1", "B5": 2, "A8": "A2", "B9": " "} {
						if err := f.SetCellValue(ProductsSheet, cell, v); err != nil {
							return err
						}
					}
					return nil
				})
			},
			header: []string{"sku", "moq"}, rows: []string{`2 ["A1" "2"]`, `5 ["A2" ""]`},
		},
		{
			name: "short rows are padded; a value beyond the header refuses its row only",
			book: func(t *testing.T) []byte {
				return bookBytes(t, func(f *excelize.File) error {
					return setRows(f, ProductsSheet, []any{"a", "b", "c"}, []any{"1"}, []any{"1", "2", "3", nil, "5"}, []any{"x", "y"})
				})
			},
			header: []string{"a", "b", "c"},
			rows:   []string{`1 ["1" "" ""]`, `2! column 5, beyond the header`, `3 ["x" "y" ""]`},
		},
		{
			name: "a cell longer than the limit refuses its row only",
			book: func(t *testing.T) []byte {
				return bookBytes(t, func(f *excelize.File) error {
					return setRows(f, ProductsSheet, []any{"a", "b"}, []any{"1", strings.Repeat("ผ", MaxCellChars+1)}, []any{"2", "ok"})
				})
			},
			header: []string{"a", "b"}, rows: []string{`1! in column b is longer than 10000 characters`, `2 ["2" "ok"]`},
		},
		{
			name: "only the first sheet is read",
			book: func(t *testing.T) []byte {
				return bookBytes(t, func(f *excelize.File) error {
					if _, err := f.NewSheet("old prices"); err != nil {
						return err
					}
					if _, err := f.NewSheet(templateListsSheet); err != nil {
						return err
					}
					if err := setRows(f, "old prices", []any{"sku", "moq"}, []any{"OLD", 1}); err != nil {
						return err
					}
					return setRows(f, ProductsSheet, []any{"sku", "moq"}, []any{"NEW", 2})
				})
			},
			header: []string{"sku", "moq"}, rows: []string{`1 ["NEW" "2"]`}, notice: "only the first sheet, “products”, was read; “old prices” was not",
		},
		{
			name: "apostrophes protecting formulas are taken off",
			book: func(t *testing.T) []byte {
				return bookBytes(t, func(f *excelize.File) error {
					return setRows(f, ProductsSheet, []any{"a", "b"}, []any{"'=1+1", "'abc"})
				})
			},
			header: []string{"a", "b"}, rows: []string{`1 ["=1+1" "'abc"]`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := openSheetBytes(t, "products.xlsx", tt.book(t))
			if err != nil {
				t.Fatalf("OpenSheet: %v", err)
			}
			defer func() {
				if err := r.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			}()
			if got := r.Header(); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.header) {
				t.Errorf("header = %q, want %q", got, tt.header)
			}
			matchRows(t, readSheet(t, r), tt.rows)
			if got := r.Notice(); got != tt.notice {
				t.Errorf("notice = %q, want %q", got, tt.notice)
			}
		})
	}
}

func TestSheetXLSXRefusesWorkbooksItWillNotRead(t *testing.T) {
	header := `<row r="1"><c r="A1" t="inlineStr"><is><t>sku</t></is></c></row>`
	tests := []struct {
		name string
		data func(t *testing.T) []byte
		want string
	}{
		{
			name: "macros in the workbook",
			data: func(t *testing.T) []byte {
				return handBook(t, header, map[string]string{"xl/vbaProject.bin": "\xD0\xCF\x11\xE0 macros"})
			},
			want: "macros are not accepted; save the workbook as .xlsx without macros",
		},
		{
			name: "a workbook declared macro-enabled",
			data: func(t *testing.T) []byte {
				return handBook(t, header, map[string]string{"[Content_Types].xml": fmt.Sprintf(handContentTypes, handMacroType)})
			},
			want: "macros are not accepted",
		},
		{
			name: "a ZIP bomb",
			data: zipBomb,
			want: "unpacks to more than 256 MiB",
		},
		{
			name: "a ZIP of photos",
			data: func(t *testing.T) []byte {
				var b bytes.Buffer
				zw := zip.NewWriter(&b)
				w, err := zw.Create("silk-001-front.jpg")
				if err == nil {
					_, err = w.Write([]byte("\xFF\xD8\xFF\xE0 jpeg"))
				}
				if err == nil {
					err = zw.Close()
				}
				if err != nil {
					t.Fatal(err)
				}
				return b.Bytes()
			},
			want: "not an XLSX workbook",
		},
		{
			name: "a cut ZIP",
			data: func(t *testing.T) []byte { return handBook(t, header, nil)[:200] },
			want: "not a CSV or XLSX file",
		},
		{
			name: "a workbook of a broken sheet",
			data: func(t *testing.T) []byte {
				return handBook(t, header, map[string]string{"xl/workbook.xml": "<workbook><sheets><sheet"})
			},
			want: "cannot be read",
		},
		{
			name: "a workbook without rows",
			data: func(t *testing.T) []byte { return handBook(t, "", nil) },
			want: "the file is empty",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := openSheetBytes(t, "products.xlsx", tt.data(t))
			var se *SheetError
			if !errors.As(err, &se) || se.Row != 0 || !strings.Contains(se.Message, tt.want) {
				t.Fatalf("OpenSheet = %v, %v; want a SheetError of the file with %q", r, err, tt.want)
			}
		})
	}
}

// zipBomb is a workbook whose sheet says it unpacks to 1 TiB: it is
// written raw, so the test does not have to deflate that much.
func zipBomb(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, body := range map[string]string{
		"[Content_Types].xml": fmt.Sprintf(handContentTypes, handWorkbookType), "_rels/.rels": handRels,
		"xl/workbook.xml": handWorkbook, "xl/_rels/workbook.xml.rels": handWorkbookRels,
	} {
		w, err := zw.Create(name)
		if err == nil {
			_, err = io.WriteString(w, body)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	stored := []byte("<worksheet/>")
	w, err := zw.CreateRaw(&zip.FileHeader{
		Name: "xl/worksheets/sheet1.xml", Method: zip.Store, CRC32: crc32.ChecksumIEEE(stored),
		CompressedSize64: uint64(len(stored)), UncompressedSize64: 1 << 40,
	})
	if err == nil {
		_, err = w.Write(stored)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSheetXLSXRefusesTheRowAfterMaxRows(t *testing.T) {
	data := bookBytes(t, func(f *excelize.File) error {
		sw, err := f.NewStreamWriter(ProductsSheet)
		if err != nil {
			return err
		}
		if err := sw.SetRow("A1", []any{"sku", "moq"}); err != nil {
			return err
		}
		for i := 1; i <= MaxRows+1000; i++ {
			if err := sw.SetRow(fmt.Sprintf("A%d", i+1), []any{fmt.Sprintf("SKU-%d", i), i}); err != nil {
				return err
			}
		}
		return sw.Flush()
	})
	r, err := openSheetBytes(t, "products.xlsx", data)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := readSheet(t, r)
	if len(got) != MaxRows+1 {
		t.Fatalf("read %d rows and refusals, want %d", len(got), MaxRows+1)
	}
	if want := fmt.Sprintf(`%d ["SKU-%d" "%d"]`, MaxRows, MaxRows, MaxRows); got[MaxRows-1] != want {
		t.Errorf("last row = %s, want %s", got[MaxRows-1], want)
	}
	matchRows(t, got[MaxRows:], []string{fmt.Sprintf("%d!! at most 100000 rows", MaxRows+1)})
}

func TestSheetXLSXWriterRoundTrips(t *testing.T) {
	rows := [][]string{
		{"sku", "name_th", "otop_stars_year", "hs_code", "price_amount_minor", "description_en", "tags"},
		{"007", "ผ้าไหมมัดหมี่ลายนาค", "2024", "5007.20", "250000", strings.Repeat("ทอมือ ", 1500), "silk;mudmee"},
		{"1E5", "2.5E+05", "0", "-12", "0123", " lead and trail ", "=SUM(A1:A2)"},
		{"'=kept", "'plain", "-0", "1234567890123456", "12.50", "line one\nline two", "x"},
	}
	var b bytes.Buffer
	w, err := NewXLSXWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	book, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	if sheets := book.GetSheetList(); len(sheets) != 1 || sheets[0] != ProductsSheet {
		t.Errorf("sheets = %q, want [products]", sheets)
	}
	// The header is bold and stays in view.
	if id, err := book.GetCellStyle(ProductsSheet, "B1"); err != nil {
		t.Error(err)
	} else if st, err := book.GetStyle(id); err != nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("header style = %+v, %v; want bold", st, err)
	}
	if id, err := book.GetCellStyle(ProductsSheet, "B2"); err != nil || id != 0 {
		t.Errorf("body style = %d, %v; want the default", id, err)
	}
	if panes, err := book.GetPanes(ProductsSheet); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes = %+v, %v; want the first row frozen", panes, err)
	}
	if w, err := book.GetColWidth(ProductsSheet, "G"); err != nil || w != 18 {
		t.Errorf("width of G = %v, %v; want 18", w, err)
	}
	// A number cell carries no type attribute: excelize reports it unset.
	number := excelize.CellTypeUnset
	for cell, want := range map[string]excelize.CellType{
		"A2": excelize.CellTypeInlineString, "C2": number, "D2": excelize.CellTypeInlineString,
		"E2": number, "C3": number, "D3": number,
		"E3": excelize.CellTypeInlineString, "C4": excelize.CellTypeInlineString, "D4": excelize.CellTypeInlineString,
		"G3": excelize.CellTypeInlineString,
	} {
		if got, err := book.GetCellType(ProductsSheet, cell); err != nil || got != want {
			t.Errorf("type of %s = %v, %v; want %v", cell, got, err, want)
		}
	}
	if f, err := book.GetCellFormula(ProductsSheet, "G3"); err != nil || f != "" {
		t.Errorf("G3 holds the formula %q, %v; want text", f, err)
	}

	r, err := openSheetBytes(t, "export.xlsx", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := [][]string{r.Header()}
	for {
		cells, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, cells)
	}
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", rows) {
		t.Errorf("read back\n%q\nwant\n%q", got, rows)
	}
}

func TestSheetXLSXWriterRefusesACellLongerThanExcelHolds(t *testing.T) {
	w, err := NewXLSXWriter(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Write([]string{"ok", strings.Repeat("x", maxCellUTF16+1)}); err == nil || !strings.Contains(err.Error(), "more than a cell holds") {
		t.Errorf("Write = %v, want a refusal", err)
	}
}

func TestSheetXLSXWriterStreamsAndLargeSheetsAreReadThroughTemporaryFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // excelize's temporary files go to os.TempDir
	leftovers := func() []string {
		entries, err := os.ReadDir(tmp)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	const rows = 20_000
	text := strings.Repeat("ผ้าไหมทอมือ ", 80)
	var b bytes.Buffer
	w, err := NewXLSXWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]string{"sku", "description_th"}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= rows; i++ {
		if err := w.Write([]string{fmt.Sprintf("SKU-%d", i), text}); err != nil {
			t.Fatal(err)
		}
	}
	// The archive goes out as rows come, and nothing is kept aside.
	if b.Len() == 0 {
		t.Error("the writer wrote nothing before Close: it holds the sheet")
	}
	if left := leftovers(); len(left) != 0 {
		t.Errorf("the writer keeps %q", left)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if left := leftovers(); len(left) != 0 {
		t.Errorf("the writer left %q behind", left)
	}

	f := sheetFile(t, "export.xlsx", b.Bytes())
	r, err := OpenSheet(f, "export.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if left := leftovers(); len(left) == 0 {
		t.Errorf("a sheet over %d MiB was not unpacked to a temporary file", maxUnzippedPart>>20)
	}
	n := 0
	for {
		cells, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
		if cells[0] != fmt.Sprintf("SKU-%d", n) || cells[1] != text {
			t.Fatalf("row %d = %.40q", r.Row(), cells)
		}
	}
	if n != rows {
		t.Errorf("read %d rows, want %d", n, rows)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if left := leftovers(); len(left) != 0 {
		t.Errorf("Close left %q behind", left)
	}
}

func TestAppendXMLTextEscapesAsEncodingXMLDoes(t *testing.T) {
	for _, s := range []string{
		"", "plain", "ผ้าไหมมัดหมี่", `<a href="x">&'b'</a>`, "tab\tline\nreturn\r", "nul\x00bell\x07",
		"bad \xff utf-8 \xe0\xb8", "non-characters \uFFFE \uFFFF", "\uFFFE", "end \uFFFF", "\uFFFD\uFFFC\uFFFE\xef\xbf", "bad \xff and \uFFFE", "emoji 🐘 ✓", strings.Repeat("<&>", 100),
	} {
		var want bytes.Buffer
		if err := xml.EscapeText(&want, []byte(s)); err != nil {
			t.Fatal(err)
		}
		if got := string(appendXMLText([]byte("x"), s)); got != "x"+want.String() {
			t.Errorf("appendXMLText(%q) = %q, want %q", s, got, "x"+want.String())
		}
	}
}
