package bulk

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// sheetFile writes data to a file in the test's directory and opens it, as
// the server hands OpenSheet an upload stored in a temporary file.
func sheetFile(t *testing.T, name string, data []byte) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

// openSheetBytes opens data as an uploaded sheet.
func openSheetBytes(t *testing.T, name string, data []byte) (RowReader, error) {
	t.Helper()
	return OpenSheet(sheetFile(t, name, data), name)
}

// readSheet reads every row of r, rendered one a line: `3 ["a" "b"]` for
// data row 3, `4! message` for a row refused with a SheetError (`4!! ...`
// when it ends the file).
func readSheet(t *testing.T, r RowReader) []string {
	t.Helper()
	var got []string
	for i := 0; ; i++ {
		if i > 3*MaxRows {
			t.Fatal("Next never returned io.EOF")
		}
		cells, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var se *SheetError
		if errors.As(err, &se) {
			if se.Row != r.Row() {
				t.Errorf("SheetError.Row = %d but Row() = %d", se.Row, r.Row())
			}
			mark := "!"
			if se.Fatal {
				mark = "!!"
			}
			got = append(got, fmt.Sprintf("%d%s %s", se.Row, mark, se.Message))
			continue
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if len(cells) != len(r.Header()) {
			t.Errorf("row %d has %d cells, the header %d", r.Row(), len(cells), len(r.Header()))
		}
		got = append(got, fmt.Sprintf("%d %q", r.Row(), cells))
	}
	if _, err := r.Next(); !errors.Is(err, io.EOF) {
		t.Errorf("Next after the end = %v, want io.EOF", err)
	}
	return got
}

// matchRows compares readSheet's lines with wanted ones; a wanted refusal
// `4! text` matches a refusal of row 4 whose message contains text.
func matchRows(t *testing.T, got, want []string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		prefix, text, refused := strings.Cut(want[i], " ")
		if refused && strings.HasSuffix(prefix, "!") {
			ok = strings.HasPrefix(got[i], prefix+" ") && strings.Contains(got[i], text)
		} else {
			ok = got[i] == want[i]
		}
	}
	if !ok {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func tis620(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows874.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSheetCSVReadsRows(t *testing.T) {
	longCell := strings.Repeat("ผ", MaxCellChars+1)
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte("sku\tname_th\r\nA1\tผ้าไหม, มัดหมี่\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		data   []byte
		header []string
		rows   []string
		notice string
	}{
		{
			name: "UTF-8 without a BOM, LF line ends", data: []byte("sku,name_th\nA1,ผ้าไหม\nA2,ผ้าฝ้าย\n"),
			header: []string{"sku", "name_th"}, rows: []string{`1 ["A1" "ผ้าไหม"]`, `2 ["A2" "ผ้าฝ้าย"]`},
		},
		{
			name: "UTF-8 with a BOM, CRLF line ends", data: []byte("\xEF\xBB\xBFsku,name_th\r\nA1,ผ้าไหม\r\n"),
			header: []string{"sku", "name_th"}, rows: []string{`1 ["A1" "ผ้าไหม"]`},
		},
		{
			name:   "quoted cells hold line ends, quotes and delimiters and keep the row numbers",
			data:   []byte("sku,description_en\r\n\"A,1\",\"line one\r\nline \"\"two\"\", end\"\r\nA2,x\r\n"),
			header: []string{"sku", "description_en"},
			rows:   []string{`1 ["A,1" "line one\nline \"two\", end"]`, `2 ["A2" "x"]`},
		},
		{
			name: "semicolons", data: []byte("sku;price_amount_minor;name_en\nA1;250000;\"Silk; hand-woven\"\n"),
			header: []string{"sku", "price_amount_minor", "name_en"}, rows: []string{`1 ["A1" "250000" "Silk; hand-woven"]`},
		},
		{
			name: "tabs", data: []byte("sku\tname_en\nA1\tSilk, hand-woven\n"),
			header: []string{"sku", "name_en"}, rows: []string{`1 ["A1" "Silk, hand-woven"]`},
		},
		{
			name: "delimiters inside the header's quotes do not count", data: []byte("\"a;b;c\",d\n1,2\n"),
			header: []string{"a;b;c", "d"}, rows: []string{`1 ["1" "2"]`},
		},
		{
			name:   "Thai in TIS-620 is converted",
			data:   tis620(t, "sku,name_th\nA1,ผ้าไหมมัดหมี่ลายนาคทอมือ\nA2,\"ข้าวหอมมะลิ, ๕ กิโลกรัม\"\n"),
			header: []string{"sku", "name_th"}, rows: []string{`1 ["A1" "ผ้าไหมมัดหมี่ลายนาคทอมือ"]`, `2 ["A2" "ข้าวหอมมะลิ, ๕ กิโลกรัม"]`},
			notice: "TIS-620",
		},
		{
			name: "UTF-16 with a BOM (Excel's Unicode text) is converted", data: utf16,
			header: []string{"sku", "name_th"}, rows: []string{`1 ["A1" "ผ้าไหม, มัดหมี่"]`}, notice: "UTF-16",
		},
		{
			name: "a file of only the header has no rows", data: []byte("sku,name_th\r\n"),
			header: []string{"sku", "name_th"},
		},
		{
			name: "blank lines before the header are skipped", data: []byte("\r\n\r\nsku,name_th\r\nA1,x\r\n"),
			header: []string{"sku", "name_th"}, rows: []string{`1 ["A1" "x"]`},
		},
		{
			name: "empty rows are skipped but counted", data: []byte("sku,name\n\nA1,x\n,,\n  ,\nA2,y\n"),
			header: []string{"sku", "name"}, rows: []string{`2 ["A1" "x"]`, `5 ["A2" "y"]`},
		},
		{
			name: "the header's trailing empty cells are dropped", data: []byte("a,b,,\n1,2\n"),
			header: []string{"a", "b"}, rows: []string{`1 ["1" "2"]`},
		},
		{
			name: "short rows are padded, empty cells beyond the header dropped", data: []byte("a,b,c\n1\n1,2,3,,\n"),
			header: []string{"a", "b", "c"}, rows: []string{`1 ["1" "" ""]`, `2 ["1" "2" "3"]`},
		},
		{
			name: "a value beyond the header refuses its row only", data: []byte("a,b\n1,2,3\n4,5\n"),
			header: []string{"a", "b"}, rows: []string{`1! beyond the header`, `2 ["4" "5"]`},
		},
		{
			name: "malformed quotes refuse their rows only", data: []byte("a,b\n1,x\"y\n2,\"z\"q\n3,ok\n"),
			header: []string{"a", "b"}, rows: []string{`1! is not quoted`, `2! is misplaced`, `3 ["3" "ok"]`},
		},
		{
			name: "a cell longer than the limit refuses its row only", data: []byte("a,b\n1," + longCell + "\n2,ok\n"),
			header: []string{"a", "b"}, rows: []string{`1! in column b is longer than 10000 characters`, `2 ["2" "ok"]`},
		},
		{
			name: "a row longer than 1 MiB ends the file", data: []byte("a,b\n1,2\n3," + strings.Repeat("x", 2<<20) + "\n4,5\n"),
			header: []string{"a", "b"}, rows: []string{`1 ["1" "2"]`, `2!! longer than 1 MiB`},
		},
		{
			name:   "a quote left open does not read the file into one row",
			data:   []byte("a,b\n1,\"open\n" + strings.Repeat("2,short line\n", 200_000)),
			header: []string{"a", "b"}, rows: []string{`1!! longer than 1 MiB`},
		},
		{
			name:   "apostrophes protecting formulas are taken off",
			data:   []byte("a,b,c,d,e\n'=1+1,'-x,''=y,'abc,-5\n"),
			header: []string{"a", "b", "c", "d", "e"}, rows: []string{`1 ["=1+1" "-x" "'=y" "'abc" "-5"]`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := openSheetBytes(t, "products.csv", tt.data)
			if err != nil {
				t.Fatalf("OpenSheet: %v", err)
			}
			defer r.Close()
			if got := r.Header(); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.header) {
				t.Errorf("header = %q, want %q", got, tt.header)
			}
			matchRows(t, readSheet(t, r), tt.rows)
			if got := r.Notice(); (tt.notice == "") != (got == "") || !strings.Contains(got, tt.notice) {
				t.Errorf("notice = %q, want one with %q", got, tt.notice)
			}
		})
	}
}

func TestSheetCSVRefusesFilesItCannotRead(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"an empty file", nil, "the file is empty"},
		{"a file of a BOM", []byte("\xEF\xBB\xBF"), "the file is empty"},
		{"a file of blank lines and empty cells", []byte("\r\n\n,,\r\n"), "the file is empty"},
		{"binary with NUL bytes", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"), "not a CSV or XLSX file"},
		{"binary without NUL bytes", bytes.Repeat([]byte{0x01, 0x02, 0x8F, 0x1B}, 100), "not a CSV or XLSX file"},
		{"Latin-1 text", charmapBytes(t, charmap.ISO8859_1, "name_en,description_en\nCafé,crème brûlée à la façon\n"), "the file is not UTF-8 text; save it as CSV UTF-8"},
		{"Windows-1252 text", charmapBytes(t, charmap.Windows1252, "name_en\nMüller “Bräu”\n"), "save it as CSV UTF-8"},
		{"a BOM over text that is not UTF-8", append([]byte("\xEF\xBB\xBF"), tis620(t, "name_th\nผ้าไหมมัดหมี่\n")...), "save it as CSV UTF-8"},
		{"an old Excel workbook", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), "save the workbook as .xlsx"},
		{"old Mac line ends", []byte("a,b\r1,2\r3,4\r"), "CR only"},
		{"a header of too many columns", []byte(strings.Repeat("c,", maxColumns) + "c\n"), "at most 1000"},
		{"a header with a NUL byte past the sniffed start", []byte(strings.Repeat("\n", sniffBytes) + "a,\x00b\n"), "NUL"},
		{"a header with a quote left open", []byte("a,\"b\n1,2\n"), "the header row cannot be read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := openSheetBytes(t, "products.csv", tt.data)
			var se *SheetError
			if !errors.As(err, &se) || se.Row != 0 || !strings.Contains(se.Message, tt.want) {
				t.Fatalf("OpenSheet = %v, %v; want a SheetError of the file with %q", r, err, tt.want)
			}
		})
	}
}

func charmapBytes(t *testing.T, cm *charmap.Charmap, s string) []byte {
	t.Helper()
	b, err := cm.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSheetCSVRefusesARowThatIsNotUTF8PastTheSniffedStart(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("sku,name_th\n")
	for i := 1; b.Len() < 2*sniffBytes; i++ {
		fmt.Fprintf(&b, "A%d,ผ้าไหม\n", i)
	}
	n := strings.Count(b.String(), "\n") - 1
	b.WriteString("B1,caf\xe9\nB2,ok\n")
	r, err := openSheetBytes(t, "products.csv", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := readSheet(t, r)
	matchRows(t, got[n:], []string{fmt.Sprintf("%d! not UTF-8", n+1), fmt.Sprintf(`%d ["B2" "ok"]`, n+2)})
}

func TestSheetCSVRefusesTheRowAfterMaxRows(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("sku,moq\r\n")
	for i := 1; i <= MaxRows+1000; i++ {
		fmt.Fprintf(&b, "SKU-%d,%d\r\n", i, i)
	}
	r, err := openSheetBytes(t, "products.csv", b.Bytes())
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

// lazyRows produces a CSV of rows of about 1 KiB on demand and counts the
// rows it was asked for.
type lazyRows struct {
	rows, pulled int
	buf          []byte
}

func (l *lazyRows) Read(p []byte) (int, error) {
	if len(l.buf) == 0 {
		if l.pulled > l.rows {
			return 0, io.EOF
		}
		if l.pulled == 0 {
			l.buf = []byte("sku,description_en\n")
		} else {
			l.buf = fmt.Appendf(nil, "SKU-%d,%s\n", l.pulled, strings.Repeat("x", 1000))
		}
		l.pulled++
	}
	n := copy(p, l.buf)
	l.buf = l.buf[n:]
	return n, nil
}

func TestSheetCSVStopsReadingAMillionRowsAtTheLimit(t *testing.T) {
	src := &lazyRows{rows: 1_000_000}
	r, err := openCSV(src)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows := 0
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var se *SheetError
			if !errors.As(err, &se) || se.Row != MaxRows+1 || !se.Fatal {
				t.Fatalf("after %d rows: %v, want the refusal of row %d", rows, err, MaxRows+1)
			}
			continue
		}
		rows++
	}
	t.Logf("read %d rows, pulled %d from the file", rows, src.pulled)
	// The readers' buffers read ahead by some 130 KiB: about 130 rows.
	if rows != MaxRows || src.pulled > MaxRows+200 {
		t.Errorf("read %d rows and pulled %d from the file, want %d read and at most %d pulled", rows, src.pulled, MaxRows, MaxRows+200)
	}
}

func TestSheetCSVDetectsThaiButNotLatinText(t *testing.T) {
	tests := []struct {
		name string
		text []byte
		thai bool
	}{
		{"Thai words", tis620(t, "ผ้าไหมมัดหมี่ลายนาค ทอมือจากบ้านเขวา"), true},
		{"Thai with Windows quotes", tis620(t, "“ผ้าไหม” – ๑๒๓"), true},
		{"Latin-1 accents", charmapBytes(t, charmap.ISO8859_1, "café crème à Noël"), false},
		{"a tone mark after a Latin letter", []byte("caf\xe9"), false},
		{"bytes Windows-874 leaves unassigned", []byte("\xfc\xfd\xfe\xff"), false},
		{"Windows quotes alone", []byte("\x93quoted\x94"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := looksThai(tt.text); got != tt.thai {
				t.Errorf("looksThai(%q) = %v, want %v", tt.text, got, tt.thai)
			}
		})
	}
}

func TestSheetCSVWriterRoundTrips(t *testing.T) {
	rows := [][]string{
		{"sku", "name_th", "description_en", "hs_code", "tags", "price_amount_minor"},
		{"007", "ผ้าไหมมัดหมี่", "line one\nline \"two\"", "5007.20", "silk;mudmee", "250000"},
		{"=HYPERLINK(\"x\")", "+66", "-not a number", "@SUM(A1)", "'=kept", "-5"},
		{" lead", "trail ", "a,b", "'plain", "\ttab", ""},
	}
	var b bytes.Buffer
	w := NewCSVWriter(&b)
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"\xEF\xBB\xBFsku,name_th,", "250000\r\n", "\"'=HYPERLINK(\"\"x\"\")\"", ",'+66,", ",'-not a number,", ",''=kept,", ",-5\r\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.HasPrefix(out, "\xEF\xBB\xBF\xEF\xBB\xBF") || strings.Count(out, "\n") != strings.Count(out, "\r\n") {
		t.Errorf("want one BOM and CRLF line ends only (the quoted newline aside):\n%q", out)
	}
	r, err := openCSV(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
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
