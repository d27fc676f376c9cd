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
	"github.com/otopmarket/otop/internal/taxonomy"
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
	rows := n0 // of the exported sheet
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

	// --as: a staff account imports for the producers the producer_id column
	// names, within its rights; a curator of another center is refused row
	// by row, and only staff accounts are taken.
	var provinceCode, otherCenter, ownerEmail string
	if err := db.Raw(`SELECT p.province_code, u.email FROM producers p JOIN users u ON u.id = p.user_id WHERE p.id = ?`, producer).
		Row().Scan(&provinceCode, &ownerEmail); err != nil {
		t.Fatal(err)
	}
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatal(err)
	}
	province, ok := tax.Province(provinceCode)
	if !ok {
		t.Fatalf("no province %s", provinceCode)
	}
	center := province.SelectCenterID
	for _, c := range []string{"bangkok", "chiang-mai", "khon-kaen", "songkhla"} {
		if c != center {
			otherCenter = c
			break
		}
	}
	const password = "a long and unguessable import passphrase"
	for _, u := range [][]string{
		{"--email", "import-admin@otop.example", "--role", "admin"},
		{"--email", "import-curator@otop.example", "--role", "curator", "--select-center", center},
		{"--email", "other-curator@otop.example", "--role", "curator", "--select-center", otherCenter},
	} {
		if code, out, stderr := run(append(append([]string{"otop", "user", "create"}, u...), "--password", password)...); code != 0 {
			t.Fatalf("user create %v: exit %d: %s %s", u, code, out, stderr)
		}
	}
	v0, n0 = state()
	for _, staff := range []string{"import-admin@otop.example", " Import-Curator@otop.example "} {
		code, out, stderr := run("otop", "import", file, "--as", staff)
		if code != 0 || !strings.Contains(out, fmt.Sprintf("0 created, 0 updated, %d unchanged, 0 invalid", rows)) {
			t.Errorf("import --as %s: exit %d: %s %s", staff, code, out, stderr)
		}
	}
	code, out, _ = run("otop", "import", file, "--as", "other-curator@otop.example")
	if code != 1 || !strings.Contains(out, fmt.Sprintf("%d invalid", rows)) || !strings.Contains(out, "producer_id: this producer belongs to another Select center") {
		t.Errorf("import --as a curator of another center: exit %d: %s", code, out)
	}
	if v1, n1 := state(); v1 != v0 || n1 != n0 {
		t.Errorf("imports as staff changed the catalogue: versions %d → %d, products %d → %d", v0, v1, n0, n1)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--as", ownerEmail}, "takes a curator or an admin"},
		{[]string{"--as", "nobody@otop.example"}, "no account has the email"},
		{nil, "name the producer (--producer ID) or a staff account"},
	} {
		if code, _, stderr := run(append([]string{"otop", "import", file}, tt.args...)...); code == 0 || !strings.Contains(stderr, tt.want) {
			t.Errorf("import %v: exit %d: %s; want %q", tt.args, code, stderr, tt.want)
		}
	}
}
