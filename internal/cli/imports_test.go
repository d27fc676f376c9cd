package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/testenv"
)

// TestImportCommandRoundTripsAnExport: a producer's catalogue exported by
// `otop export` and imported back by `otop import` changes nothing; a sheet
// with invalid rows writes nothing, prints its problems and exits 1.
func TestImportCommandRoundTripsAnExport(t *testing.T) {
	t.Parallel()
	env := serviceEnv(t, testenv.DatabaseURL(t))
	if code := runWith([]string{"otop", "seed", "--demo", "--products", "40", "--images", "0"}, env, &syncBuffer{}); code != 0 {
		t.Fatal("seed failed")
	}
	ctx := context.Background()
	db, err := postgres.Open(ctx, env["DATABASE_URL"], postgres.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer postgres.Close(db) //nolint:errcheck // test cleanup
	var producer string
	if err := db.Raw(`SELECT producer_id::text FROM products GROUP BY producer_id ORDER BY count(*) DESC, producer_id LIMIT 1`).
		Scan(&producer).Error; err != nil || producer == "" {
		t.Fatalf("a demo producer: %v", err)
	}
	var versions, count int64
	state := func() (int64, int64) {
		t.Helper()
		if err := db.Raw("SELECT coalesce(sum(version), 0), count(*) FROM products WHERE producer_id = ?", producer).
			Row().Scan(&versions, &count); err != nil {
			t.Fatal(err)
		}
		return versions, count
	}
	run := func(args ...string) (int, string, string) {
		var stdout bytes.Buffer
		stderr := &syncBuffer{}
		code := Run(ctx, args, getenvFrom(env), nil, &stdout, stderr)
		return code, stdout.String(), stderr.String()
	}
	code, sheet, stderr := run("otop", "export", "--format", "csv", "--producer", producer,
		"--status", "draft,pending_review,published,rejected")
	if code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	file := filepath.Join(t.TempDir(), "catalogue.csv")
	if err := os.WriteFile(file, []byte(sheet), 0o600); err != nil {
		t.Fatal(err)
	}
	v0, n0 := state()
	code, out, stderr := run("otop", "import", file, "--producer", producer)
	if code != 0 {
		t.Fatalf("import: exit %d: %s %s", code, out, stderr)
	}
	if !strings.Contains(out, fmt.Sprintf("0 created, 0 updated, %d unchanged, 0 invalid", n0)) {
		t.Errorf("import of the export: %s", out)
	}
	if !strings.Contains(stderr, "rows") {
		t.Errorf("no progress lines on a non-terminal: %q", stderr)
	}
	if v1, n1 := state(); v1 != v0 || n1 != n0 {
		t.Errorf("the round trip changed the catalogue: versions %d → %d, products %d → %d", v0, v1, n0, n1)
	}

	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("sku,name_th,name_en,category\nNEW-1,ผ้าไหม,Silk,textile\nNEW-2,Silk,Silk,cloth\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run("otop", "import", bad, "--producer", producer)
	if code != 1 || !strings.Contains(out, "row 2, name_th:") || !strings.Contains(out, "row 2, category:") ||
		!strings.Contains(out, "nothing written") {
		t.Errorf("invalid rows: exit %d: %s", code, out)
	}
	if _, n := state(); n != n0 {
		t.Errorf("an import with invalid rows wrote products: %d → %d", n0, n)
	}
	code, out, _ = run("otop", "import", bad, "--producer", producer, "--skip-invalid")
	if code != 1 || !strings.Contains(out, "1 created") {
		t.Errorf("--skip-invalid: exit %d: %s", code, out)
	}
	if code, _, stderr := run("otop", "import", bad, "--producer", "not-an-id"); code == 0 || !strings.Contains(stderr, "not a producer id") {
		t.Errorf("a bad --producer: exit %d: %s", code, stderr)
	}
}
