package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/testenv"
)

// exportIDs is the id column of an export's rows, checking its header.
func exportIDs(t *testing.T, rows [][]string) []string {
	t.Helper()
	if len(rows) == 0 || len(rows[0]) == 0 || rows[0][0] != "id" || rows[0][len(rows[0])-1] != "status" {
		t.Fatalf("header row = %q", rows[:min(len(rows), 1)])
	}
	ids := make([]string, 0, len(rows)-1)
	for _, r := range rows[1:] {
		ids = append(ids, r[0])
	}
	return ids
}

func readExportCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rest, ok := bytes.CutPrefix(b, []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatalf("no byte-order mark: %q", b[:min(len(b), 16)])
	}
	rows, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v", err)
	}
	return rows
}

func TestExportWritesTheSeededCatalogue(t *testing.T) {
	t.Parallel()
	env := serviceEnv(t, testenv.DatabaseURL(t))
	if code := runWith([]string{"otop", "seed", "--demo", "--products", "60", "--images", "0"}, env, &syncBuffer{}); code != 0 {
		t.Fatal("seed failed")
	}
	ctx := context.Background()
	db, err := postgres.Open(ctx, env["DATABASE_URL"], postgres.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer postgres.Close(db) //nolint:errcheck // test cleanup
	ids := func(where string) []string {
		t.Helper()
		var out []string
		if err := db.Raw("SELECT id::text FROM products WHERE " + where + " ORDER BY created_at DESC, id DESC").Scan(&out).Error; err != nil {
			t.Fatal(err)
		}
		if len(out) == 0 {
			t.Fatalf("no product WHERE %s: the demo changed", where)
		}
		return out
	}
	run := func(args ...string) (int, []byte, string) {
		var stdout bytes.Buffer
		stderr := &syncBuffer{}
		code := Run(ctx, append([]string{"otop", "export"}, args...), getenvFrom(env), nil, &stdout, stderr)
		return code, stdout.Bytes(), stderr.String()
	}

	t.Run("CSV of the published catalogue on standard output, newest first", func(t *testing.T) {
		code, out, stderr := run("--format", "csv")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		want := ids("status = 'published'")
		if got := exportIDs(t, readExportCSV(t, out)); !slices.Equal(got, want) {
			t.Errorf("exported %d products, want the %d published ones in order", len(got), len(want))
		}
		// Standard error is no terminal here: plain lines, no progress bar.
		if !strings.Contains(stderr, "exported "+strconv.Itoa(len(want))+" products to standard output") || strings.Contains(stderr, "\r") {
			t.Errorf("stderr = %q", stderr)
		}
	})
	t.Run("filters, every status, as an operator", func(t *testing.T) {
		code, out, stderr := run("--format", "csv", "--region", "north", "--status", "draft,pending_review,published,rejected,archived")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		want := ids("region = 'north'")
		if got := exportIDs(t, readExportCSV(t, out)); !slices.Equal(got, want) {
			t.Errorf("exported %d products, want the %d of the north", len(got), len(want))
		}
	})
	t.Run("XLSX to --output", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "catalogue.xlsx")
		code, out, stderr := run("--format", "xlsx", "--output", path, "--select-center", "khon-kaen", "--status", "pending_review,published")
		if code != 0 || len(out) != 0 {
			t.Fatalf("exit %d, %d bytes on stdout: %s", code, len(out), stderr)
		}
		book, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		defer book.Close() //nolint:errcheck // read only
		rows, err := book.GetRows(book.GetSheetList()[0])
		if err != nil {
			t.Fatal(err)
		}
		want := ids("select_center_id = 'khon-kaen' AND status IN ('pending_review', 'published')")
		if got := exportIDs(t, rows); !slices.Equal(got, want) {
			t.Errorf("the workbook holds %d products, want %d", len(got), len(want))
		}
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("the export's mode = %v (%v), want readable by its owner only", st.Mode(), err)
		}
	})
	t.Run("refusals name the flag and leave --output alone", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "kept.csv")
		if err := os.WriteFile(path, []byte("yesterday's export"), 0o600); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			args []string
			want string
		}{
			{[]string{"--format", "pdf"}, "--format"},
			{[]string{"--province", "TH-99"}, "--province: unknown province"},
			{[]string{"--select-center", "phuket"}, "--select-center: must be one of"},
			{[]string{"--min-stars", "0"}, "--min-stars"},
			{[]string{"--topotop", "maybe"}, "--topotop"},
			{[]string{"--producer", "42"}, "--producer"},
			{[]string{"--status", "sold"}, "--status"},
			{[]string{"--sort", "popular"}, "--sort"},
		}
		for _, tt := range tests {
			args := tt.args
			if args[0] != "--format" {
				args = append([]string{"--format", "csv"}, args...)
			}
			code, out, stderr := run(append(args, "--output", path)...)
			if code != 1 || len(out) != 0 || !strings.Contains(stderr, tt.want) {
				t.Errorf("%q: exit %d, stdout %d bytes, stderr %q; want 1 and %q", tt.args, code, len(out), stderr, tt.want)
			}
		}
		if b, err := os.ReadFile(path); err != nil || string(b) != "yesterday's export" {
			t.Errorf("--output after refusals = %q, %v", b, err)
		}
		if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
			t.Errorf("files left beside --output: %v", entries)
		}
	})
}

func TestExportProgressWithoutATerminalIsALinePerTenThousand(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p := newExportProgress(&buf)
	for range 25_000 {
		p.add()
	}
	p.done()
	if got, want := buf.String(), "exported 10000 products\nexported 20000 products\n"; got != want {
		t.Errorf("progress = %q, want %q", got, want)
	}
}
