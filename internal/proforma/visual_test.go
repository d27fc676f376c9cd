package proforma

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVisual writes sample invoices for a person to look at and, where
// poppler's pdftoppm is installed, checks that poppler reads them and
// turns every page into a PNG. With PROFORMA_OUT set the PDFs and PNGs stay
// in that directory:
//
//	PROFORMA_OUT=/tmp/proforma go test ./internal/proforma -run TestVisual -count=1 -v
//
// Look at the PNGs with an image viewer: Thai marks must sit on their
// consonants (ผ้า, หมี่, น้ำ, ปู่, ฟื้น, ญุ), long names must wrap inside the
// product column, the table header must repeat on every page with lines,
// the total must come after the last line. For a closer look at the marks:
//
//	pdftoppm -png -r 300 -f 1 -l 1 -x 250 -y 1560 -W 1100 -H 600 /tmp/proforma/sample.pdf /tmp/proforma/zoom
func TestVisual(t *testing.T) {
	pdftoppm, err := exec.LookPath("pdftoppm")
	if err != nil {
		t.Skip("pdftoppm (poppler-utils) is not installed, so no page is turned into PNG; apt-get install poppler-utils to run this check")
	}
	dir := os.Getenv("PROFORMA_OUT")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := newTestRenderer(t, false)
	cancelled := sampleInvoice(3, "JPY")
	cancelled.Status = "cancelled"
	odd := sampleInvoice(1, "CNY")
	odd.Buyer.Name = "上海贸易有限公司 Shanghai Trading"
	odd.Lines[0].SKU = strings.Repeat("LONG-SKU-WITHOUT-SPACES-", 6)
	odd.Lines[0].Quantity, odd.Lines[0].UnitPriceMinor, odd.Lines[0].LineTotalMinor = 1, math.MaxInt64, math.MaxInt64
	odd.TotalMinor = math.MaxInt64
	odd.Note = strings.Repeat("Please label every carton in English and Chinese. กรุณาติดฉลากภาษาอังกฤษและภาษาจีนทุกกล่อง ", 30)
	for _, tc := range []struct {
		name string
		inv  Invoice
	}{
		{"sample", sampleInvoice(7, "THB")},
		{"long", sampleInvoice(60, "USD")},
		{"cancelled", cancelled},
		{"odd", odd},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := r.Render(&buf, tc.inv); err != nil {
				t.Fatal(err)
			}
			pdf := filepath.Join(dir, tc.name+".pdf")
			if err := os.WriteFile(pdf, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			prefix := filepath.Join(dir, tc.name)
			if out, err := exec.CommandContext(t.Context(), pdftoppm, "-png", "-r", "110", pdf, prefix).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm: %v\n%s", err, out)
			}
			pngs, err := filepath.Glob(prefix + "-*.png")
			if err != nil {
				t.Fatal(err)
			}
			if want := pageCount(buf.Bytes()); len(pngs) != want {
				t.Errorf("pdftoppm made %d pages of %d: %v", len(pngs), want, pngs)
			}
			t.Logf("pages to look at: %v", pngs)

			// The Thai names copy out of the PDF as Thai text.
			pdftotext, err := exec.LookPath("pdftotext")
			if err != nil {
				t.Log("pdftotext is not installed: the copied text is not checked")
				return
			}
			out, err := exec.CommandContext(t.Context(), pdftotext, pdf, "-").CombinedOutput()
			if err != nil {
				t.Fatalf("pdftotext: %v\n%s", err, out)
			}
			for _, l := range tc.inv.Lines {
				if !bytes.Contains(out, []byte(l.NameTH)) && len([]rune(l.NameTH)) < 40 {
					t.Errorf("pdftotext does not give %q", l.NameTH)
				}
			}
		})
	}
}
