package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/stats"
	"github.com/otopmarket/otop/internal/stats/statstest"
	"github.com/otopmarket/otop/internal/taxonomy"
)

var statsRoutes = map[stats.Dimension]string{
	stats.ByRegion: "/v1/stats/regions", stats.ByCluster: "/v1/stats/clusters",
	stats.ByProvince: "/v1/stats/provinces", stats.BySelectCenter: "/v1/stats/select-centers",
}

// statsFigures flattens a stats reply as statstest.Flatten flattens a
// report: "<item> <figure>" → value, for the non-zero figures, with the
// months of the series as path segments.
func statsFigures(t *testing.T, rec *httptest.ResponseRecorder) (map[string]string, stats.Report) {
	t.Helper()
	var reply struct {
		AsOf           string            `json:"as_of"`
		Scope          stats.Scope       `json:"scope"`
		SelectCenterID *string           `json:"select_center_id"`
		Months         []string          `json:"months"`
		Items          []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &reply); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
	header := stats.Report{Scope: reply.Scope, Months: reply.Months}
	if reply.SelectCenterID != nil {
		header.SelectCenterID = *reply.SelectCenterID
	}
	var err error
	if header.AsOf, err = time.Parse(time.DateOnly, reply.AsOf); err != nil {
		t.Fatalf("as_of %q: %v", reply.AsOf, err)
	}
	out := map[string]string{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, val := range v {
				walk(prefix+"."+k, val)
			}
		case json.Number:
			if f, _ := v.Float64(); f != 0 {
				out[prefix] = strconv.FormatFloat(f, 'f', -1, 64)
			}
		}
	}
	// The monthly series is in columns, one number per month of months:
	// "monthly.<month>.<figure>" as statstest.Flatten names them.
	column := func(item, figure string, v any) {
		values, _ := v.([]any)
		if v != nil && len(values) != len(reply.Months) {
			t.Errorf("%s monthly %s has %d values for %d months", item, figure, len(values), len(reply.Months))
		}
		for i, val := range values {
			walk(item+" monthly."+reply.Months[i]+"."+figure, val)
		}
	}
	for _, raw := range reply.Items {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var item map[string]any
		if err := dec.Decode(&item); err != nil {
			t.Fatal(err)
		}
		key, _ := item["id"].(string)
		if code, ok := item["code"].(string); ok {
			key = code
		}
		for figure, v := range item {
			switch figure {
			case "id", "code", "name_en", "name_th", "region", "cluster_id", "select_center_id", "province_code":
				continue
			case "monthly":
				series := v.(map[string]any)
				for name, values := range series {
					if name != "orders_value" {
						column(key, name, values)
						continue
					}
					byCurrency, _ := values.(map[string]any)
					for cur, values := range byCurrency {
						column(key, "orders_value."+cur, values)
					}
				}
				continue
			}
			walk(key+" "+figure, v)
		}
	}
	return out, header
}

func TestStatsRoutesAnswerTheFiguresOfTheRowsEachCallerSees(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatal(err)
	}
	statstest.Seed(t, a.db, tax, time.Now(), 21, statstest.Sizes{Producers: 16, Products: 200, Inquiries: 80, Orders: 80})
	statstest.Mutate(t, a.db, time.Now(), 22)
	callers := []struct {
		name   string
		token  string
		scope  stats.Scope
		center string
	}{
		{"anonymous", "", stats.ScopePublic, ""},
		{"importer", a.signUp(t, account.RoleImporter, ""), stats.ScopePublic, ""},
		{"curator of songkhla", a.signUp(t, account.RoleCurator, "songkhla"), stats.ScopeCenter, "songkhla"},
		{"admin", a.signUp(t, account.RoleAdmin, ""), stats.ScopeAll, ""},
	}
	for _, c := range callers {
		for d, path := range statsRoutes {
			t.Run(c.name+" "+path, func(t *testing.T) {
				rec := a.do(t, http.MethodGet, path, c.token, "")
				if rec.Code != http.StatusOK {
					t.Fatalf("%s = %d %s", path, rec.Code, rec.Body)
				}
				got, header := statsFigures(t, rec)
				if header.Scope != c.scope || header.SelectCenterID != c.center || len(header.Months) != stats.Months {
					t.Errorf("scope %s, center %q, %d months", header.Scope, header.SelectCenterID, len(header.Months))
				}
				if cc := rec.Header().Get("Cache-Control"); (cc == "private, no-store") != (c.scope != stats.ScopePublic) {
					t.Errorf("Cache-Control %q for scope %s", cc, c.scope)
				}
				header.Dimension = d
				want := statstest.Expected(t, a.db, tax, header)
				if len(want) == 0 {
					t.Fatalf("nothing to count")
				}
				for _, diff := range statstest.Diff(want, got) {
					t.Error(diff)
				}
			})
		}
	}
}

func TestStatsFollowACuratorsDecision(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	_, p := a.submitted(t) // a Lamphun producer's product, in review at the Chiang Mai center
	curator := a.signUp(t, account.RoleCurator, "chiang-mai")
	lamphun := func(token string) map[string]any {
		t.Helper()
		rec := a.do(t, http.MethodGet, "/v1/stats/provinces", token, "")
		var reply struct {
			Items []map[string]any `json:"items"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &reply); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("stats = %d %s", rec.Code, rec.Body)
		}
		for _, it := range reply.Items {
			if it["code"] == "TH-51" {
				return it
			}
		}
		t.Fatalf("no TH-51 item")
		return nil
	}
	if it := lamphun(""); it["products"] != 0.0 || it["producers"] != 0.0 || it["trade"] != nil {
		t.Errorf("the public sees a product in review: %v", it)
	}
	if it := lamphun(curator); it["products"] != 1.0 || it["producers"] != 1.0 ||
		it["products_by_status"].(map[string]any)["pending_review"] != 1.0 || it["products_published"] != 0.0 {
		t.Errorf("the center's curator sees: %v", it)
	}
	rec := a.do(t, http.MethodPost, "/v1/products/"+p.ID.String()+"/approve", curator, "", "If-Match", etag(p.Version))
	if rec.Code != http.StatusOK {
		t.Fatalf("approve = %d %s", rec.Code, rec.Body)
	}
	it := lamphun("")
	if it["products_published"] != 1.0 || it["producers"] != 1.0 || it["by_category"].(map[string]any)["textile"] != 1.0 ||
		it["by_creative_group"].(map[string]any)["cultural_heritage"] != 1.0 || it["products_certified"] != 0.0 {
		t.Errorf("after the approval the public sees: %v", it)
	}
	series := it["monthly"].(map[string]any)
	if published := series["products_published"].([]any); published[stats.Months-1] != 1.0 || series["orders"] != nil {
		t.Errorf("the monthly series: %v", series)
	}
}

func TestStatsAsCSV(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatal(err)
	}
	provinces, _ := tax.Provinces(taxonomy.ProvinceFilter{})
	admin := a.signUp(t, account.RoleAdmin, "")
	for _, token := range []string{"", admin} {
		rec := a.do(t, http.MethodGet, "/v1/stats/provinces?format=csv", token, "")
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
			rec.Header().Get("Content-Disposition") != `attachment; filename="otop-stats-provinces.csv"` {
			t.Fatalf("CSV = %d %v", rec.Code, rec.Header())
		}
		records, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil {
			t.Fatalf("not CSV: %v", err)
		}
		if len(records) != 1+len(provinces) || strings.Join(records[0][:6], ",") != "code,name_en,name_th,region,cluster_id,select_center_id" {
			t.Fatalf("%d records, header %v", len(records), records[0][:6])
		}
		for i, p := range provinces {
			row := records[i+1]
			if row[0] != p.Code || row[1] != p.NameEN || row[2] != p.NameTH || (p.Code == "TH-10") != (row[4] == "") {
				t.Errorf("row %d = %v, want %s %s %s", i+1, row[:5], p.Code, p.NameEN, p.NameTH)
			}
		}
	}
	// The JSON is the default, and json may be asked for.
	if rec := a.do(t, http.MethodGet, "/v1/stats/regions?format=json", "", ""); rec.Code != http.StatusOK ||
		!strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Errorf("format=json = %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestStatsRoutesRefuseBadQueryParameters(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	admin := a.signUp(t, account.RoleAdmin, "")
	cases := []struct{ name, target, field string }{
		{"unknown format", "/v1/stats/regions?format=xlsx", "format"},
		{"format in capitals", "/v1/stats/clusters?format=CSV", "format"},
		{"format given twice", "/v1/stats/provinces?format=csv&format=json", "format"},
		{"control character", "/v1/stats/select-centers?format=csv%00", "format"},
		{"unknown parameter", "/v1/stats/provinces?region=north", "region"},
		{"a list's parameter", "/v1/stats/regions?limit=10", "limit"},
	}
	for _, c := range cases {
		for _, token := range []string{"", admin} {
			t.Run(c.name, func(t *testing.T) {
				rec := a.do(t, http.MethodGet, c.target, token, "")
				if pr := assertProblem(t, rec, http.StatusBadRequest); len(pr.Errors) != 1 || pr.Errors[0].Field != c.field {
					t.Errorf("%s: %s", c.target, rec.Body)
				}
			})
		}
	}
}
