package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/bulk"
)

// importBody is a multipart import request: the sheet, and form fields.
func importBody(t *testing.T, sheet string, fields map[string]string) (contentType, body string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if sheet != "" {
		fw, err := w.CreateFormFile("file", "products.csv")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write([]byte(sheet))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.String()
}

// runImports runs the queued import jobs, as serve's worker does.
func (a *catalogAPI) runImports(t *testing.T) {
	t.Helper()
	for {
		ran, err := a.imports.RunOnce(context.Background())
		if err != nil {
			t.Fatalf("import worker: %v", err)
		}
		if !ran {
			return
		}
	}
}

func TestImportOverHTTPFromUploadToCatalogue(t *testing.T) {
	a := newCatalogAPI(t)
	token, producer := a.producer(t)
	sheet := "sku,ชื่อสินค้า (ภาษาไทย),name_en,category,price_amount_minor,moq,unit,description_en\n" +
		"H-1,ผ้าไหมมัดหมี่,Mudmee silk,textile,250000,2,piece,Hand-woven\n" +
		"H-2,ผ้าไหมแพรวา,Praewa silk,textile,480000,1,piece,Hand-woven\n"

	ct, body := importBody(t, sheet, map[string]string{"dry_run": "true"})
	rec := a.do(t, http.MethodPost, "/v1/imports", token, body, "Content-Type", ct)
	if rec.Code != http.StatusAccepted {
		t.Fatalf("dry run: %d %s", rec.Code, rec.Body)
	}
	job := decode[importJobJSON](t, rec)
	if job.State != "queued" || !job.DryRun || rec.Header().Get("Location") != "/v1/imports/"+job.ID.String() {
		t.Errorf("queued job = %+v, Location %q", job, rec.Header().Get("Location"))
	}
	a.runImports(t)
	rec = a.do(t, http.MethodGet, "/v1/imports/"+job.ID.String(), token, "")
	job = decode[importJobJSON](t, rec)
	if job.State != "done" || job.Report.Created != 2 || job.Report.Applied || job.RowsTotal != 2 || job.RowsDone != 2 {
		t.Fatalf("dry run report: %+v", job)
	}

	ct, body = importBody(t, sheet, map[string]string{"dry_run": "false"})
	job = decode[importJobJSON](t, a.do(t, http.MethodPost, "/v1/imports", token, body, "Content-Type", ct))
	a.runImports(t)
	job = decode[importJobJSON](t, a.do(t, http.MethodGet, "/v1/imports/"+job.ID.String(), token, ""))
	if job.State != "done" || job.Report.Created != 2 || !job.Report.Applied {
		t.Fatalf("import: %+v", job)
	}
	rec = a.do(t, http.MethodGet, "/v1/products?producer="+producer.ID.String()+"&status=draft", token, "")
	var list struct {
		Items []productJSON `json:"items"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Items) != 2 {
		t.Fatalf("drafts after the import: %v %s", err, rec.Body)
	}
}

func TestImportRefusesBadRequests(t *testing.T) {
	a := newCatalogAPI(t)
	token, _ := a.producer(t)
	importer := a.signUp(t, account.RoleImporter, "")
	good := "sku,name_th,name_en,category\nX-1,ผ้าไหม,Silk,textile\n"
	ct, body := importBody(t, good, nil)
	cases := []struct {
		name, token, contentType, body string
		want                           int
	}{
		{"anonymous", "", ct, body, http.StatusUnauthorized},
		{"an importer", importer, ct, body, http.StatusForbidden},
		{"JSON instead of multipart", token, "application/json", `{"file":"x"}`, http.StatusUnsupportedMediaType},
		{"no file", token, "", "", http.StatusUnprocessableEntity},
		{"dry_run not a boolean", token, "", "dry_run=maybe", http.StatusUnprocessableEntity},
		{"producer_id not a UUID", token, "", "producer_id=7", http.StatusUnprocessableEntity},
		{"another producer's id", token, "", "producer_id=0b7c9a52-1c1f-4d0e-9a51-6f3f3b7c0a11", http.StatusUnprocessableEntity},
		{"a cut body", token, ct, body[:len(body)-30], http.StatusBadRequest},
		{"an empty file", token, "", "empty", http.StatusUnprocessableEntity},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			contentType, b := c.contentType, c.body
			if contentType == "" {
				fields := map[string]string{}
				sheet := good
				if k, v, ok := strings.Cut(c.body, "="); ok {
					fields[k] = v
				}
				switch c.body {
				case "":
					sheet = ""
				case "empty":
					sheet = ""
					contentType, b = emptyFileBody(t)
				}
				if contentType == "" {
					contentType, b = importBody(t, sheet, fields)
				}
			}
			rec := a.do(t, http.MethodPost, "/v1/imports", c.token, b, "Content-Type", contentType)
			if rec.Code != c.want {
				t.Fatalf("%d, want %d: %s", rec.Code, c.want, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
				t.Errorf("content type %q", ct)
			}
		})
	}
	var jobs int64
	a.db.Raw("SELECT count(*) FROM import_jobs").Scan(&jobs)
	if jobs != 0 {
		t.Errorf("%d jobs queued by refused requests", jobs)
	}
}

func emptyFileBody(t *testing.T) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if _, err := w.CreateFormFile("file", "empty.csv"); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	return w.FormDataContentType(), buf.String()
}

func TestImportTemplates(t *testing.T) {
	a := newCatalogAPI(t)
	rec := a.do(t, http.MethodGet, "/v1/imports/template.csv", "", "")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("template.csv: %d %s", rec.Code, rec.Header())
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\ufeff"))).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][0] != "id" || !strings.Contains(strings.Join(rows[1], ","), "ผ้าไหม") {
		t.Errorf("template.csv rows: %v %v", rows, err)
	}
	rec = a.do(t, http.MethodGet, "/v1/imports/template.xlsx", "", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("template.xlsx: %d", rec.Code)
	}
	f, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("open template.xlsx: %v", err)
	}
	defer f.Close() //nolint:errcheck // test
	dvs, err := f.GetDataValidations(f.GetSheetList()[0])
	if err != nil || len(dvs) < 4 {
		t.Errorf("template.xlsx has %d dropdowns (%v), want one for category, creative industry, unit, certification kind", len(dvs), err)
	}
}

func TestImportOfAnXLSXWorkbook(t *testing.T) {
	a := newCatalogAPI(t)
	token, producer := a.producer(t)
	var book bytes.Buffer
	w, err := bulk.NewXLSXWriter(&book)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range [][]string{
		{"sku", "ชื่อสินค้า (ภาษาไทย)", "name_en", "category", "price_amount_minor", "moq", "hs_code"},
		{"X-007", "ผ้าไหมมัดหมี่", "Mudmee silk", "textile", "250000", "2", "5007.20"},
	} {
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "products.xlsx")
	_, _ = fw.Write(book.Bytes())
	_ = mw.Close()
	rec := a.do(t, http.MethodPost, "/v1/imports", token, buf.String(), "Content-Type", mw.FormDataContentType())
	if rec.Code != http.StatusAccepted {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	job := decode[importJobJSON](t, rec)
	a.runImports(t)
	job = decode[importJobJSON](t, a.do(t, http.MethodGet, "/v1/imports/"+job.ID.String(), token, ""))
	if job.State != "done" || job.Report.Created != 1 || !job.Report.Applied {
		t.Fatalf("XLSX import: %+v", job)
	}
	rec = a.do(t, http.MethodGet, "/v1/products?producer="+producer.ID.String()+"&status=draft", token, "")
	var list struct {
		Items []productJSON `json:"items"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil || len(list.Items) != 1 {
		t.Fatalf("drafts: %v %s", err, rec.Body)
	}
	p := list.Items[0]
	if p.SKU == nil || *p.SKU != "X-007" || p.Price == nil || p.Price.AmountMinor != 250000 || p.HSCode == nil || *p.HSCode != "50072000" && *p.HSCode != "500720" {
		t.Errorf("imported product: sku %v price %v hs %v", p.SKU, p.Price, p.HSCode)
	}
}
