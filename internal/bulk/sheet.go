package bulk

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// MaxRows is the most data rows an import reads; the row after it is
// refused without reading the rest.
const MaxRows = 100_000

// Bounds on what one row may hold, so that a hostile or broken file costs
// bounded memory whatever its size.
const (
	// MaxCellChars is the longest cell, in characters, a sheet may hold.
	MaxCellChars = 10_000
	// maxRowBytes bounds one CSV row (all its lines when quoted cells span
	// several), so a file with no line ends is never read whole.
	maxRowBytes = 1 << 20
	// maxColumns bounds the header: Excel itself stops at 16,384 columns
	// and the product sheet has a few dozen.
	maxColumns = 1_000
)

// SheetError is a problem of the file itself (not of one product): not a
// CSV/XLSX, macros, too many rows, a row that cannot be parsed. Row is the
// data row (1 = the first row after the header) or 0 for the file.
//
// Next returns a SheetError with Row set for a row it cannot read and goes
// on with the next row when called again. When Fatal is set the rest of the
// file cannot be read (too many rows, a row too long to find its end) and
// Next returns io.EOF from then on.
type SheetError struct {
	Row     int
	Message string
	Fatal   bool
}

func (e *SheetError) Error() string {
	if e.Row > 0 {
		return fmt.Sprintf("row %d: %s", e.Row, e.Message)
	}
	return e.Message
}

// RowReader reads a sheet one row at a time, holding one row in memory.
//
// Rows are shaped to the header: a short row is padded with "", empty cells
// beyond the header are dropped, non-empty ones make the row a SheetError.
// A cell written by NewCSVWriter with a protective apostrophe (see
// escapeCSVCell) reads back without it.
type RowReader interface {
	// Header is the first non-empty row, as read, without its trailing
	// empty cells.
	Header() []string
	// Next returns the next data row; io.EOF after the last; a *SheetError
	// for a broken file or row. Fully empty rows are skipped but still
	// counted in row numbers, so that the numbers match what a spreadsheet
	// program shows (data row n is the sheet's row n+1 when the header is
	// on row 1).
	Next() ([]string, error)
	// Row is the data row number of the row Next last returned or refused
	// (1-based after the header).
	Row() int
	// Notice is "" or a note for the import report, such as the encoding
	// the file was converted from.
	Notice() string
	// Close releases what the reader holds (temporary files of a large
	// workbook). It does not close the file given to OpenSheet.
	Close() error
}

// RowWriter writes rows in order. Close finishes the file and writes what
// is left of it to the writer it was made with.
type RowWriter interface {
	Write(cells []string) error
	Close() error
}

// Messages the import report shows for files that cannot be read at all.
const (
	msgNotSheet = "not a CSV or XLSX file"
	msgEmpty    = "the file is empty"
	msgNotUTF8  = "the file is not UTF-8 text; save it as CSV UTF-8"
	msgOldExcel = "old Excel workbooks (.xls) and password-protected workbooks are not accepted; save the workbook as .xlsx without a password, or as CSV UTF-8"
)

const (
	zipMagic = "PK\x03\x04"
	// oleMagic starts the compound files of .xls workbooks and of
	// encrypted .xlsx ones.
	oleMagic = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
)

// OpenSheet reads f (a file on disk: the server stores uploads in temporary
// files) as XLSX when it is a ZIP (PK\x03\x04 magic) and as CSV otherwise.
// It reads from the start of f whatever f's offset, and reads the header
// before returning. name is only for messages.
func OpenSheet(f *os.File, name string) (RowReader, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open sheet %s: %w", name, err)
	}
	magic := make([]byte, len(oleMagic))
	n, err := f.ReadAt(magic, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("open sheet %s: %w", name, err)
	}
	magic = magic[:n]
	var r RowReader
	switch {
	case bytes.HasPrefix(magic, []byte(zipMagic)):
		r, err = openXLSX(f, st.Size())
	case string(magic) == oleMagic:
		err = &SheetError{Message: msgOldExcel}
	default:
		r, err = openCSV(io.NewSectionReader(f, 0, st.Size()))
	}
	if err != nil {
		var se *SheetError
		if errors.As(err, &se) {
			return nil, err
		}
		return nil, fmt.Errorf("open sheet %s: %w", name, err)
	}
	return r, nil
}

// source is one format's way of producing the sheet's rows, unshaped.
// next returns a row with its line, the sheet row a spreadsheet program
// shows it on (blank rows included); a *lineError for a row it cannot read;
// io.EOF at the end; any other error is a failure to read the file.
type source interface {
	next() (cells []string, line int, err error)
	close() error
}

// lineError is a row a source cannot read, by its sheet row.
type lineError struct {
	line  int
	msg   string
	fatal bool
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

// sheetReader is the format-independent part of a RowReader: the header,
// row numbers, the row limit and the shaping of rows.
type sheetReader struct {
	src        source
	header     []string
	headerLine int
	row        int
	notice     string
	done       bool
}

// newSheetReader reads the header from src: the first non-empty row.
func newSheetReader(src source, notice string) (*sheetReader, error) {
	for {
		cells, line, err := src.next()
		if errors.Is(err, io.EOF) {
			return nil, &SheetError{Message: msgEmpty}
		}
		var le *lineError
		if errors.As(err, &le) {
			return nil, &SheetError{Message: "the header row cannot be read: " + le.msg}
		}
		if err != nil {
			return nil, err
		}
		if blank(cells) {
			continue
		}
		header, err := shapeHeader(cells)
		if err != nil {
			return nil, err
		}
		return &sheetReader{src: src, header: header, headerLine: line, notice: notice}, nil
	}
}

func (r *sheetReader) Header() []string { return r.header }
func (r *sheetReader) Row() int         { return r.row }
func (r *sheetReader) Notice() string   { return r.notice }
func (r *sheetReader) Close() error     { return r.src.close() }

func (r *sheetReader) Next() ([]string, error) {
	if r.done {
		return nil, io.EOF
	}
	for {
		cells, line, err := r.src.next()
		if errors.Is(err, io.EOF) {
			r.done = true
			return nil, io.EOF
		}
		var le *lineError
		if errors.As(err, &le) {
			r.row = le.line - r.headerLine
			r.done = le.fatal
			return nil, &SheetError{Row: r.row, Message: le.msg, Fatal: le.fatal}
		}
		if err != nil {
			r.done = true
			return nil, err
		}
		if blank(cells) {
			continue
		}
		r.row = line - r.headerLine
		if r.row > MaxRows {
			// Checked on the first non-empty row past the limit, so that a
			// sheet's trailing blank rows are no reason to refuse it.
			r.done = true
			return nil, &SheetError{Row: r.row, Fatal: true, Message: fmt.Sprintf(
				"an import holds at most %d rows; the rest of the file was not read: split it into several files", MaxRows)}
		}
		return shapeRow(cells, r.header, r.row)
	}
}

// blank reports whether a row has nothing but blanks in its cells.
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func shapeHeader(cells []string) ([]string, error) {
	for len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" {
		cells = cells[:len(cells)-1]
	}
	if len(cells) > maxColumns {
		return nil, &SheetError{Message: fmt.Sprintf("the header has %d columns; a sheet may have at most %d", len(cells), maxColumns)}
	}
	for i, c := range cells {
		if msg := checkCell(c); msg != "" {
			return nil, &SheetError{Message: fmt.Sprintf("the header's cell %d %s", i+1, msg)}
		}
		cells[i] = unescapeCell(c)
	}
	return cells, nil
}

// shapeRow checks a data row's cells and fits the row to the header.
func shapeRow(cells, header []string, row int) ([]string, error) {
	for i, c := range cells {
		if msg := checkCell(c); msg != "" {
			return nil, &SheetError{Row: row, Message: fmt.Sprintf("the cell in column %s %s", columnName(header, i), msg)}
		}
	}
	width := len(header)
	if len(cells) > width {
		for i := width; i < len(cells); i++ {
			if strings.TrimSpace(cells[i]) != "" {
				return nil, &SheetError{Row: row, Message: fmt.Sprintf(
					"the row has a value in column %d, beyond the header's %d columns: remove it or give the column a header", i+1, width)}
			}
		}
		cells = cells[:width]
	}
	shaped := make([]string, width)
	for i, c := range cells {
		shaped[i] = unescapeCell(c)
	}
	return shaped, nil
}

// checkCell returns why a cell cannot be read, or "".
func checkCell(c string) string {
	switch {
	case strings.IndexByte(c, 0) >= 0:
		return "holds binary data (NUL bytes): " + msgNotSheet
	case !utf8.ValidString(c):
		return "is not UTF-8 text: save the file as CSV UTF-8"
	case len(c) > MaxCellChars && utf8.RuneCountInString(c) > MaxCellChars:
		return fmt.Sprintf("is longer than %d characters", MaxCellChars)
	}
	return ""
}

func columnName(header []string, i int) string {
	if i < len(header) && strings.TrimSpace(header[i]) != "" {
		return strings.TrimSpace(header[i])
	}
	return fmt.Sprintf("%d", i+1)
}

// Spreadsheet programs run a CSV cell that starts with one of these as a
// formula (CSV injection), so NewCSVWriter protects such cells with a
// leading apostrophe, the spreadsheet convention for "this is text", and
// the readers take it off again: an export reads back unchanged.
const formulaStarts = "=+-@\t\r"

// escapeCSVCell protects a cell a spreadsheet program would run as a
// formula, and a cell that starts with an apostrophe the reader would
// otherwise take off. Plain numbers such as -5 are left alone.
func escapeCSVCell(s string) string {
	if s == "" {
		return s
	}
	if strings.IndexByte(formulaStarts, s[0]) >= 0 && !plainNumber(s) {
		return "'" + s
	}
	return escapeApostrophe(s)
}

// escapeApostrophe protects a cell that unescapeCell would change; the
// XLSX writer needs only this, as its text cells are never formulas.
func escapeApostrophe(s string) string {
	if unescapeCell(s) != s {
		return "'" + s
	}
	return s
}

// unescapeCell takes off the apostrophe escapeCSVCell puts in front of a
// cell.
func unescapeCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && (s[1] == '\'' || strings.IndexByte(formulaStarts, s[1]) >= 0) {
		return s[1:]
	}
	return s
}

// plainNumber reports whether s is a decimal number such as -5 or 12.50.
func plainNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasDot := strings.Cut(s, ".")
	return digits(intPart) && (!hasDot || digits(frac))
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
