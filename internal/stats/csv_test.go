package stats_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/stats"
)

// readCSV parses a CSV reply into its header and rows, checking that every
// row has the header's width.
func readCSV(t *testing.T, b []byte) ([]string, []map[string]string) {
	t.Helper()
	records, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v", err)
	}
	if len(records) == 0 {
		t.Fatalf("no header")
	}
	var rows []map[string]string
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, name := range records[0] {
			row[name] = rec[i]
		}
		rows = append(rows, row)
	}
	return records[0], rows
}

func TestCSVHasAHeaderAndOneRowPerItemWithTheSameFigures(t *testing.T) {
	t.Parallel()
	tax := loadTaxonomy(t)
	now := time.Date(2026, 12, 15, 10, 30, 0, 0, time.UTC)
	svc := stats.NewService(postgres.NewStats(seeded(t, tax, now)), tax, func() time.Time { return now })
	for _, c := range []int{0, 3, 5} { // anonymous, a curator, an admin
		for _, d := range stats.Dimensions() {
			t.Run(callers[c].name+"/"+string(d), func(t *testing.T) {
				r, err := svc.Report(context.Background(), callers[c].p, d)
				if err != nil {
					t.Fatalf("Report: %v", err)
				}
				var buf bytes.Buffer
				if err := stats.WriteCSV(&buf, r, tax); err != nil {
					t.Fatalf("WriteCSV: %v", err)
				}
				header, rows := readCSV(t, buf.Bytes())
				key := "id"
				if d == stats.ByProvince {
					key = "code"
				}
				if header[0] != key || header[1] != "name_en" || header[2] != "name_th" || len(rows) != len(r.Items) {
					t.Fatalf("header %v…, %d rows for %d items", header[:3], len(rows), len(r.Items))
				}
				for _, name := range []string{"producers", "products_published", "products_topotop", "category_textile",
					"creative_group_cultural_heritage", "certified_share", "average_verified_stars", "orders_value_THB_minor",
					"orders_by_country", "products_published_2025-01", "orders_value_JPY_minor_2026-12"} {
					if !slices.Contains(header, name) {
						t.Errorf("no column %s", name)
					}
				}
				public := r.Scope == stats.ScopePublic
				for i, it := range r.Items {
					row := rows[i]
					if row[key] != it.ID || row["name_th"] != it.NameTH || row["name_en"] != it.NameEN {
						t.Errorf("row %d is %s %s %s, want %s %s %s", i, row[key], row["name_en"], row["name_th"], it.ID, it.NameEN, it.NameTH)
					}
					want := map[string]string{
						"producers":                      strconv.FormatInt(it.Producers, 10),
						"products_published":             strconv.FormatInt(it.Published, 10),
						"category_food":                  strconv.FormatInt(it.ByCategory["food"], 10),
						"products_published_2026-12":     strconv.FormatInt(it.Monthly[stats.Months-1].Published, 10),
						"products_draft":                 "",
						"inquiries":                      "",
						"orders_value_THB_minor_2026-11": "",
					}
					if !public {
						want["products_draft"] = strconv.FormatInt(it.ProductsByStatus["draft"], 10)
						want["inquiries"] = strconv.FormatInt(it.Trade.Inquiries, 10)
						want["orders_value_THB_minor_2026-11"] = strconv.FormatInt(it.Monthly[stats.Months-2].OrdersValue["THB"], 10)
					}
					if v := it.AverageVerifiedStars(); v != nil {
						want["average_verified_stars"] = strconv.FormatFloat(*v, 'f', -1, 64)
					}
					for col, w := range want {
						if row[col] != w {
							t.Errorf("%s %s = %q, want %q", it.ID, col, row[col], w)
						}
					}
				}
			})
		}
	}
}

func TestCSVQuotesWhatNeedsQuoting(t *testing.T) {
	t.Parallel()
	tax := loadTaxonomy(t)
	names := []struct{ en, th string }{
		{`Chiang "Mai", the north`, "เชียงใหม่"},
		{"two\nlines", "นครราชสีมา, \"โคราช\""},
		{" leading space", "กรุงเทพมหานคร"},
	}
	r := stats.Report{Dimension: stats.ByRegion, Scope: stats.ScopePublic, Months: []string{"2026-12"}}
	for i, n := range names {
		r.Items = append(r.Items, stats.Item{ID: "r" + strconv.Itoa(i), NameEN: n.en, NameTH: n.th, Monthly: []stats.Month{{Month: "2026-12"}}})
	}
	var buf bytes.Buffer
	if err := stats.WriteCSV(&buf, r, tax); err != nil {
		t.Fatalf("WriteCSV: %v", err)
	}
	if !strings.Contains(buf.String(), `"Chiang ""Mai"", the north",เชียงใหม่,`) {
		t.Errorf("quotes and commas are not escaped:\n%s", buf.String())
	}
	_, rows := readCSV(t, buf.Bytes())
	for i, n := range names {
		if rows[i]["name_en"] != n.en || rows[i]["name_th"] != n.th {
			t.Errorf("row %d reads back %q %q, want %q %q", i, rows[i]["name_en"], rows[i]["name_th"], n.en, n.th)
		}
	}
}
