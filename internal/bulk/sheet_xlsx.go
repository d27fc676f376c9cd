package bulk

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"
)

// Bounds on a workbook, checked on the ZIP's directory before anything is
// unpacked, so a ZIP bomb is refused without being inflated.
const (
	maxUnzipped = 256 << 20
	// maxUnzippedPart is the largest sheet excelize holds in memory; a
	// larger one is unpacked to a temporary file and streamed from there.
	maxUnzippedPart = 16 << 20
	// maxOtherParts bounds what excelize holds in memory besides the
	// sheets: styles, drawings, pictures pasted into the workbook.
	maxOtherParts = 64 << 20
	maxZipEntries = 10_000
	// maxCellUTF16 is Excel's limit on a cell, counted in UTF-16 units;
	// excelize would cut a longer string silently.
	maxCellUTF16 = excelize.TotalCellChars
)

const (
	msgMacros      = "macros are not accepted; save the workbook as .xlsx without macros"
	msgNotWorkbook = "the ZIP file is not an XLSX workbook; save the sheet as .xlsx or as CSV UTF-8"
	msgUnreadable  = "the workbook cannot be read; open it and save it again as .xlsx"
)

// openXLSX reads the first sheet of a workbook. Values only: a formula
// cell reads as the value the spreadsheet program saved with it ("" if it
// saved none); formulas are never evaluated.
func openXLSX(f *os.File, size int64) (RowReader, error) {
	if err := checkWorkbook(f, size); err != nil {
		return nil, err
	}
	book, err := openBook(f, size, excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzippedPart})
	if err != nil {
		if book != nil {
			// excelize may fail after unpacking a sheet to a temporary file.
			_ = book.Close()
		}
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			return nil, fmt.Errorf("open workbook: %w", err)
		}
		return nil, &SheetError{Message: msgUnreadable}
	}
	// Values are wanted as stored, not as displayed: excelize offers either
	// the raw XML text (2.5E+05 for a number some programs write so) or the
	// value formatted for display ("250,000", "6/30/27"). Without the cell
	// formats, which this read-only copy of the workbook never needs, it
	// gives numbers in plain decimal form and text untouched.
	if book.Styles != nil {
		book.Styles.CellXfs = nil
	}
	sheets := book.GetSheetList()
	if len(sheets) == 0 {
		_ = book.Close()
		return nil, &SheetError{Message: "the workbook has no sheet"}
	}
	rows, err := book.Rows(sheets[0])
	if err != nil {
		_ = book.Close()
		return nil, &SheetError{Message: fmt.Sprintf("the first sheet, “%s”, is not a sheet of cells", sheets[0])}
	}
	src := &xlsxSource{book: book, rows: rows}
	r, err := newSheetReader(src, otherSheetsNotice(sheets))
	if err != nil {
		_ = src.close()
		return nil, err
	}
	return r, nil
}

// checkWorkbook refuses, from the ZIP's directory, what is not an XLSX
// workbook, a workbook with macros, and one that unpacks to too much.
// archive/zip refuses an entry that inflates past its declared size, so
// the declared sizes can be trusted.
func checkWorkbook(f io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(f, size)
	if err != nil {
		return &SheetError{Message: msgNotSheet}
	}
	if len(zr.File) > maxZipEntries {
		return &SheetError{Message: msgNotWorkbook}
	}
	var total, other uint64
	workbook := false
	for _, zf := range zr.File {
		name := strings.ToLower(strings.ReplaceAll(zf.Name, "\\", "/"))
		total += zf.UncompressedSize64
		switch {
		case path.Base(name) == "vbaproject.bin":
			return &SheetError{Message: msgMacros}
		case name == "[content_types].xml":
			macros, err := macroContentType(zf)
			if err != nil {
				return err
			}
			if macros {
				return &SheetError{Message: msgMacros}
			}
		case name == "xl/workbook.xml":
			workbook = true
		case strings.HasPrefix(name, "xl/worksheets/sheet"), name == "xl/sharedstrings.xml":
		default:
			other += zf.UncompressedSize64
		}
	}
	switch {
	case !workbook:
		return &SheetError{Message: msgNotWorkbook}
	case total > maxUnzipped:
		return &SheetError{Message: fmt.Sprintf("the workbook unpacks to more than %d MiB; split it into several files", maxUnzipped>>20)}
	case other > maxOtherParts:
		return &SheetError{Message: fmt.Sprintf(
			"the workbook holds more than %d MiB besides its cells (pictures?); remove them or save the sheet as CSV UTF-8", maxOtherParts>>20)}
	}
	return nil
}

// macroContentType reports whether the workbook declares itself
// macro-enabled (.xlsm, .xltm), whether or not the macros are in it.
func macroContentType(zf *zip.File) (bool, error) {
	if zf.UncompressedSize64 > 1<<20 {
		return false, &SheetError{Message: msgNotWorkbook}
	}
	rc, err := zf.Open()
	if err != nil {
		return false, &SheetError{Message: msgUnreadable}
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	if err != nil {
		return false, &SheetError{Message: msgUnreadable}
	}
	return bytes.Contains(bytes.ToLower(b), []byte("macroenabled")), nil
}

// openBook opens the workbook in place when f's name still leads to f;
// excelize.OpenReader would first read the whole file into memory.
func openBook(f *os.File, size int64, opts excelize.Options) (*excelize.File, error) {
	if named, err := os.Stat(f.Name()); err == nil {
		if st, err := f.Stat(); err == nil && os.SameFile(named, st) {
			return excelize.OpenFile(f.Name(), opts)
		}
	}
	return excelize.OpenReader(io.NewSectionReader(f, 0, size), opts)
}

// otherSheetsNotice tells the report that sheets other than the first were
// not read, unless they are the template's own.
func otherSheetsNotice(sheets []string) string {
	var others []string
	for _, s := range sheets[1:] {
		if s != templateListsSheet && s != templateHelpSheet {
			others = append(others, "“"+s+"”")
		}
	}
	switch len(others) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("only the first sheet, “%s”, was read; %s was not", sheets[0], others[0])
	}
	return fmt.Sprintf("only the first sheet, “%s”, was read; %s were not", sheets[0], strings.Join(others, ", "))
}

// xlsxSource streams the rows of a sheet.
type xlsxSource struct {
	book *excelize.File
	rows *excelize.Rows
	line int
}

func (s *xlsxSource) next() ([]string, int, error) {
	// excelize's Next visits every row number, including rows the file
	// leaves out, so line is the sheet's row number.
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, 0, &lineError{line: s.line + 1, fatal: true, msg: "the sheet cannot be read from this row on: " + err.Error()}
		}
		return nil, 0, io.EOF
	}
	s.line++
	cells, err := s.rows.Columns()
	if err != nil {
		return nil, 0, &lineError{line: s.line, fatal: true, msg: "the row cannot be read: " + err.Error()}
	}
	return cells, s.line, nil
}

func (s *xlsxSource) close() error {
	return errors.Join(s.rows.Close(), s.book.Close())
}

// utf16Len counts s in UTF-16 units, as Excel does; a string has no more
// units than bytes, so short strings are not counted.
func utf16Len(s string) int {
	if len(s) <= maxCellUTF16 {
		return len(s)
	}
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// plainInteger parses an integer that a spreadsheet holds exactly and that
// reads back the same: up to 15 digits (a double's exact range), no sign
// but "-", no leading zero (a code such as "007" is text).
func plainInteger(s string) (int64, bool) {
	d := strings.TrimPrefix(s, "-")
	if !digits(d) || len(d) > 15 || (d[0] == '0' && s != "0") {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
