package bulk

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// sniffBytes is how much of a CSV file decides its encoding and delimiter.
const sniffBytes = 64 << 10

const (
	noticeTIS620 = "the file was read as TIS-620 (Thai Windows-874) and converted to UTF-8"
	noticeUTF16  = "the file was read as UTF-16 (Excel's Unicode text) and converted to UTF-8"
)

const utf8BOM = "\xEF\xBB\xBF"

// openCSV reads a CSV stream. The encoding is decided on the first 64 KiB:
// UTF-8 (a BOM is dropped), UTF-16 with a BOM (Excel's "Unicode text"),
// or Thai TIS-620/Windows-874, which Thai Windows saves by default and
// which is converted; anything else that is not UTF-8 is refused rather
// than imported as mojibake. The delimiter is decided on the header line.
func openCSV(r io.Reader) (RowReader, error) {
	raw := bufio.NewReaderSize(r, sniffBytes)
	sample, err := raw.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read csv: %w", err)
	}
	var (
		text   io.Reader = raw
		notice string
	)
	switch {
	case len(sample) == 0:
		return nil, &SheetError{Message: msgEmpty}
	case bytes.HasPrefix(sample, []byte{0xFF, 0xFE}) || bytes.HasPrefix(sample, []byte{0xFE, 0xFF}):
		text = transform.NewReader(raw, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
		notice = noticeUTF16
	case binary(sample):
		return nil, &SheetError{Message: msgNotSheet}
	case bytes.HasPrefix(sample, []byte(utf8BOM)):
		if _, err := raw.Discard(len(utf8BOM)); err != nil {
			return nil, fmt.Errorf("read csv: %w", err)
		}
		// A BOM says UTF-8: no guessing at Thai, and a few broken bytes
		// fail their rows only.
		if !mostlyUTF8(sample[len(utf8BOM):]) {
			return nil, &SheetError{Message: msgNotUTF8}
		}
	case !mostlyUTF8(sample):
		if !looksThai(sample) {
			return nil, &SheetError{Message: msgNotUTF8}
		}
		text = transform.NewReader(raw, charmap.Windows874.NewDecoder())
		notice = noticeTIS620
	}
	if oldMacLineEnds(sample) {
		return nil, &SheetError{Message: "the file's lines end with CR only (old Mac format); save it as CSV UTF-8"}
	}

	decoded := bufio.NewReaderSize(text, sniffBytes)
	head, err := decoded.Peek(sniffBytes)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fmt.Errorf("read csv: %w", err)
	}
	lim := &rowLimiter{r: decoded, limit: maxRowBytes}
	cr := csv.NewReader(lim)
	cr.Comma = delimiter(head)
	cr.FieldsPerRecord = -1
	src := &csvSource{cr: cr, lim: lim}
	return newSheetReader(src, notice)
}

// binary reports whether a sample is not text: it holds a NUL byte, or
// more control characters than a text has by accident.
func binary(sample []byte) bool {
	controls := 0
	for _, b := range sample {
		switch {
		case b == 0:
			return true
		case b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != '\v':
			controls++
		}
	}
	return controls*100 > len(sample)
}

// mostlyUTF8 reports whether a sample is UTF-8 text, allowing a few broken
// bytes (a file pasted together) that then fail only their rows; a text in
// a single-byte encoding has hardly any valid multi-byte sequence.
func mostlyUTF8(sample []byte) bool {
	// A sample cut in the middle of a character is not broken.
	for i := 1; i < utf8.UTFMax && i <= len(sample); i++ {
		if c := sample[len(sample)-i]; utf8.RuneStart(c) {
			if c >= utf8.RuneSelf && !utf8.FullRune(sample[len(sample)-i:]) {
				sample = sample[:len(sample)-i]
			}
			break
		}
	}
	if utf8.Valid(sample) {
		return true
	}
	var multi, broken int
	for len(sample) > 0 {
		c, size := utf8.DecodeRune(sample)
		switch {
		case c == utf8.RuneError && size == 1:
			broken++
		case size > 1:
			multi++
		}
		sample = sample[size:]
	}
	return multi >= 4*broken
}

// looksThai reports whether a sample that is not UTF-8 reads as Thai in
// Windows-874: every high byte is assigned there, the combining vowels and
// tone marks follow a Thai letter, and the Thai characters come in runs
// (Thai writes words without spaces) where a Latin-1 text has an accented
// letter alone among ASCII ones.
func looksThai(sample []byte) bool {
	var high, inRuns, consonants int
	for i, b := range sample {
		if b < 0x80 {
			continue
		}
		if !windows874Assigned(b) {
			return false
		}
		if thaiCombining(b) && (i == 0 || sample[i-1] < 0xA1) {
			return false
		}
		if b >= 0xA1 && b <= 0xCE {
			consonants++
		}
		high++
		if (i > 0 && sample[i-1] >= 0x80) || (i+1 < len(sample) && sample[i+1] >= 0x80) {
			inRuns++
		}
	}
	return consonants > 0 && inRuns*10 >= high*9
}

// windows874Assigned reports whether b is a character of Windows-874: the
// Thai block and the few Windows punctuation marks.
func windows874Assigned(b byte) bool {
	switch {
	case b == 0x80, b == 0x85, b >= 0x91 && b <= 0x97, b == 0xA0:
		return true
	case b >= 0xA1 && b <= 0xDA, b >= 0xDF && b <= 0xFB:
		return true
	}
	return false
}

// thaiCombining reports whether b is a vowel sign or tone mark written
// above or below a letter.
func thaiCombining(b byte) bool {
	return b == 0xD1 || (b >= 0xD4 && b <= 0xDA) || (b >= 0xE7 && b <= 0xEE)
}

// oldMacLineEnds reports lines ended by CR alone, which encoding/csv would
// read as one endless line.
func oldMacLineEnds(sample []byte) bool {
	i := bytes.IndexByte(sample, '\r')
	return i >= 0 && i < len(sample)-1 && bytes.IndexByte(sample, '\n') < 0
}

// delimiter picks ',', ';' or TAB, whichever the header line (the first
// non-blank line) holds most of outside quotes; ',' when none or on a tie.
// Excel writes ';' where the decimal separator is a comma and TAB for
// "Unicode text".
func delimiter(head []byte) rune {
	head = bytes.TrimLeft(head, "\r\n")
	counts := map[byte]int{}
	quoted := false
scan:
	for _, b := range head {
		switch {
		case b == '"':
			quoted = !quoted
		case quoted:
		case b == '\n':
			break scan
		case b == ',', b == ';', b == '\t':
			counts[b]++
		}
	}
	best := byte(',')
	for _, d := range []byte{';', '\t'} {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return rune(best)
}

// errRowTooLong is returned by rowLimiter to the csv.Reader reading a row
// longer than maxRowBytes.
var errRowTooLong = errors.New("row too long")

// rowLimiter lets the csv.Reader above it read at most limit bytes in all:
// csvSource moves the limit to maxRowBytes past the end of the last row
// read, so no row (a line, or the lines of a quoted cell) is held in
// memory beyond that however long it is in the file.
type rowLimiter struct {
	r         io.Reader
	delivered int64
	limit     int64
}

func (l *rowLimiter) Read(p []byte) (int, error) {
	room := l.limit - l.delivered
	if room <= 0 {
		return 0, errRowTooLong
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := l.r.Read(p)
	l.delivered += int64(n)
	return n, err
}

// csvSource reads CSV records and places them on sheet rows: encoding/csv
// skips blank lines, and a quoted cell may span lines, so the row a
// spreadsheet program shows is counted from the records' line numbers.
type csvSource struct {
	cr      *csv.Reader
	lim     *rowLimiter
	line    int // sheet row of the last record
	endLine int // file line the last record ended on
}

func (s *csvSource) next() ([]string, int, error) {
	// csv.Reader reads ahead by its buffer (4 KiB) at most, so the limit
	// is a little past the end of the current row.
	s.lim.limit = s.cr.InputOffset() + maxRowBytes + 4<<10
	rec, err := s.cr.Read()
	var pe *csv.ParseError
	switch {
	case errors.Is(err, io.EOF):
		return nil, 0, io.EOF
	case errors.Is(err, errRowTooLong):
		line := s.line + 1
		if len(rec) > 0 {
			start, _ := s.cr.FieldPos(0)
			line = s.line + start - s.endLine
		}
		return nil, 0, &lineError{line: line, fatal: true, msg: fmt.Sprintf(
			"the row is longer than %d MiB (is a quote missing?); the rest of the file was not read", maxRowBytes>>20)}
	case errors.As(err, &pe):
		s.place(pe.StartLine, pe.Line)
		msg := "the row cannot be read: a quote (\") is misplaced, or one is missing at the end of a quoted cell"
		if errors.Is(pe.Err, csv.ErrBareQuote) {
			msg = "the row cannot be read: a cell holds a quote (\") but is not quoted; write it as \"…\"\"…\""
		}
		return nil, 0, &lineError{line: s.line, msg: msg}
	case err != nil:
		return nil, 0, fmt.Errorf("read csv: %w", err)
	}
	start, _ := s.cr.FieldPos(0)
	last, _ := s.cr.FieldPos(len(rec) - 1)
	s.place(start, last+strings.Count(rec[len(rec)-1], "\n"))
	return rec, s.line, nil
}

// place records a record that spans file lines start to end: the blank
// lines before it are sheet rows too.
func (s *csvSource) place(start, end int) {
	s.line += start - s.endLine
	s.endLine = end
}

func (s *csvSource) close() error { return nil }

// csvWriter is the RowWriter of NewCSVWriter.
type csvWriter struct {
	w       io.Writer
	cw      *csv.Writer
	started bool
	row     []string
}

// NewCSVWriter writes CSV for spreadsheet programs: UTF-8 with a BOM (Excel
// takes BOM-less CSV for the local code page and garbles Thai), CRLF line
// ends, RFC 4180 quoting. A cell a spreadsheet program would run as a
// formula gets a protective apostrophe that OpenSheet takes off again.
func NewCSVWriter(w io.Writer) RowWriter {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	return &csvWriter{w: w, cw: cw}
}

func (c *csvWriter) start() error {
	if c.started {
		return nil
	}
	c.started = true
	if _, err := io.WriteString(c.w, utf8BOM); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func (c *csvWriter) Write(cells []string) error {
	if err := c.start(); err != nil {
		return err
	}
	c.row = c.row[:0]
	for _, cell := range cells {
		c.row = append(c.row, escapeCSVCell(cell))
	}
	if err := c.cw.Write(c.row); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func (c *csvWriter) Close() error {
	if err := c.start(); err != nil {
		return err
	}
	c.cw.Flush()
	if err := c.cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}
