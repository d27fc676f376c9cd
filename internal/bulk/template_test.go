package bulk

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func templateLists() Lists {
	return Lists{
		ListCategories:         {"textile", "food", "beverage", "herb", "handicraft"},
		ListCreativeIndustries: {"crafts", "design", "fashion"},
		ListUnits:              {"piece", "kg", "box"},
		ListCertificationKinds: {"mor_phor_chor", "gmp", "halal", "organic_thailand"},
		ListYesNo:              {"yes", "no"},
	}
}

func templateColumns(t *testing.T) []Column {
	t.Helper()
	cols, err := Columns()
	if err != nil {
		t.Fatal(err)
	}
	return cols
}

func TestTemplateXLSXHasDropdownsListsCommentsAndTheExampleRow(t *testing.T) {
	cols, lists := templateColumns(t), templateLists()
	var b bytes.Buffer
	if err := WriteTemplate(&b, "xlsx", cols, lists); err != nil {
		t.Fatal(err)
	}
	book, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	if got := book.GetSheetList(); fmt.Sprint(got) != fmt.Sprint([]string{ProductsSheet, templateHelpSheet, templateListsSheet}) {
		t.Errorf("sheets = %q", got)
	}

	rows, err := book.GetRows(ProductsSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("products sheet has %d rows, want the header and the example", len(rows))
	}
	comments, err := book.GetComments(ProductsSheet)
	if err != nil {
		t.Fatal(err)
	}
	noted := map[string]string{}
	for _, c := range comments {
		var text strings.Builder
		for _, run := range c.Paragraph {
			text.WriteString(run.Text)
		}
		noted[c.Cell] = c.Text + text.String()
	}
	for i, c := range cols {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if rows[0][i] != c.ID {
			t.Errorf("header %s = %q, want %q", cell, rows[0][i], c.ID)
		}
		if i < len(rows[1]) && rows[1][i] != c.Example || i >= len(rows[1]) && c.Example != "" {
			t.Errorf("example of %s = %q, want %q", c.ID, rows[1], c.Example)
		}
		if !strings.Contains(noted[cell], c.TH) || !strings.Contains(noted[cell], c.Help) {
			t.Errorf("comment on %s = %q, want the Thai header %q and the help", cell, noted[cell], c.TH)
		}
	}
	if panes, err := book.GetPanes(ProductsSheet); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes = %+v, %v; want row 1 frozen", panes, err)
	}

	listRows, err := book.GetCols(templateListsSheet)
	if err != nil {
		t.Fatal(err)
	}
	listRange := map[string]string{}
	for i, col := range listRows {
		for len(col) > 0 && col[len(col)-1] == "" { // GetCols pads the shorter columns
			col = col[:len(col)-1]
		}
		name, _ := excelize.ColumnNumberToName(i + 1)
		if want := append([]string{col[0]}, lists[col[0]]...); fmt.Sprint(col) != fmt.Sprint(want) {
			t.Errorf("lists column %s = %q, want %q", name, col, want)
		}
		listRange[col[0]] = fmt.Sprintf("%s!$%s$2:$%s$%d", templateListsSheet, name, name, len(col))
	}
	if len(listRange) != len(lists) {
		t.Errorf("lists sheet holds %d lists, want %d", len(listRange), len(lists))
	}

	dvs, err := book.GetDataValidations(ProductsSheet)
	if err != nil {
		t.Fatal(err)
	}
	bySqref := map[string]*excelize.DataValidation{}
	for _, dv := range dvs {
		bySqref[dv.Sqref] = dv
	}
	dropdowns := 0
	for i, c := range cols {
		if c.List == "" {
			continue
		}
		dropdowns++
		col, _ := excelize.ColumnNumberToName(i + 1)
		sqref := fmt.Sprintf("%s2:%s%d", col, col, MaxRows+1)
		dv := bySqref[sqref]
		if dv == nil {
			t.Errorf("no dropdown on %s (%s)", sqref, c.ID)
			continue
		}
		style := "stop"
		if c.List == ListCertificationKinds {
			style = "information"
		}
		if dv.Type != "list" || dv.Formula1 != listRange[c.List] || !dv.AllowBlank || dv.ErrorStyle == nil || *dv.ErrorStyle != style {
			t.Errorf("dropdown of %s = type %s, formula %s, blank %v, style %v; want a list of %s, blanks allowed, style %s",
				c.ID, dv.Type, dv.Formula1, dv.AllowBlank, dv.ErrorStyle, listRange[c.List], style)
		}
		if dv.Prompt == nil || c.List == ListCertificationKinds && !strings.Contains(*dv.Prompt, ":number:date") {
			t.Errorf("prompt of %s = %v", c.ID, dv.Prompt)
		}
	}
	if dropdowns != 5 || len(dvs) != dropdowns {
		t.Errorf("%d data validations for %d columns with a list, want 5", len(dvs), dropdowns)
	}

	help, err := book.GetRows(templateHelpSheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cols {
		if len(help) <= i+1 || len(help[i+1]) < 2 || help[i+1][0] != c.ID || help[i+1][1] != c.TH {
			t.Errorf("help row %d lacks %s / %s", i+2, c.ID, c.TH)
		}
	}
}

func TestTemplateReadsBackAsTheHeaderIdsAndTheExampleRow(t *testing.T) {
	cols := templateColumns(t)
	for _, format := range []string{"csv", "xlsx"} {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteTemplate(&b, format, cols, templateLists()); err != nil {
				t.Fatal(err)
			}
			r, err := openSheetBytes(t, "template."+format, b.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			index, unknown, err := HeaderIndex(cols, r.Header())
			if err != nil || len(unknown) != 0 || len(index) != len(cols) {
				t.Errorf("HeaderIndex(%q) = %v, unknown %q, %v", r.Header(), index, unknown, err)
			}
			if r.Notice() != "" {
				t.Errorf("notice = %q, want none for the template's own sheets", r.Notice())
			}
			cells, err := r.Next()
			if err != nil || r.Row() != 1 {
				t.Fatalf("first row: %q, %v (row %d)", cells, err, r.Row())
			}
			for i, c := range cols {
				if cells[i] != c.Example {
					t.Errorf("%s = %q, want the example %q", c.ID, cells[i], c.Example)
				}
			}
			if _, err := r.Next(); !errors.Is(err, io.EOF) {
				t.Errorf("after the example: %v, want io.EOF", err)
			}
		})
	}
}

func TestTemplateCSVIsTheIdsThenTheExample(t *testing.T) {
	cols := []Column{
		{ID: "sku", TH: "รหัสสินค้า", Example: "CM-SILK-001"},
		{ID: "name_th", TH: "ชื่อสินค้า", Example: "ผ้าไหม, มัดหมี่"},
		{ID: "hs_code", TH: "รหัสพิกัด", Example: "5007.20"},
	}
	var b bytes.Buffer
	if err := WriteTemplate(&b, "csv", cols, nil); err != nil {
		t.Fatal(err)
	}
	if want := "\xEF\xBB\xBFsku,name_th,hs_code\r\nCM-SILK-001,\"ผ้าไหม, มัดหมี่\",5007.20\r\n"; b.String() != want {
		t.Errorf("template = %q, want %q", b.String(), want)
	}
}

func TestTemplateXLSXOffersNoDropdownForAListWithoutValues(t *testing.T) {
	cols := []Column{{ID: "sku", TH: "รหัสสินค้า"}, {ID: "unit", TH: "หน่วย", List: ListUnits}, {ID: "category", TH: "หมวดหมู่", List: ListCategories}}
	var b bytes.Buffer
	if err := WriteTemplate(&b, "xlsx", cols, Lists{ListCategories: {"textile"}}); err != nil {
		t.Fatal(err)
	}
	book, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	dvs, err := book.GetDataValidations(ProductsSheet)
	if err != nil {
		t.Fatal(err)
	}
	if len(dvs) != 1 || dvs[0].Sqref != fmt.Sprintf("C2:C%d", MaxRows+1) || dvs[0].Formula1 != "lists!$A$2:$A$2" {
		t.Errorf("data validations = %+v, want the category dropdown only", dvs)
	}
}

func TestTemplateRefusesAnUnknownFormat(t *testing.T) {
	for _, format := range []string{"", "xls", "CSV", "ods"} {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteTemplate(&b, format, templateColumns(t), templateLists()); err == nil || b.Len() != 0 {
				t.Errorf("WriteTemplate(%q) = %v with %d bytes, want a refusal and nothing written", format, err, b.Len())
			}
		})
	}
}
