package postgres

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchmarkSQLIsWhatTheCatalogueSends: pgbench (make bench) compares
// the API with the SQL of scripts/bench/sql; the columns must stay those
// the catalogue reads select.
func TestBenchmarkSQLIsWhatTheCatalogueSends(t *testing.T) {
	t.Parallel()
	oneLine := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	want := oneLine("SELECT " + productColumns + " FROM products JOIN producers ON producers.id = products.producer_id")
	for _, name := range []string{"product_by_id.sql", "products_by_province.sql"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "scripts", "bench", "sql", name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(oneLine(string(b)), want) {
			t.Errorf("%s does not select the catalogue's product columns:\n%s", name, want)
		}
	}
}
