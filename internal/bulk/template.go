package bulk

import (
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Lists are the values of the template's dropdowns, keyed by Column.List
// (ListCategories, ...).
type Lists map[string][]string

// The template's sheets besides ProductsSheet; OpenSheet reads only the
// first sheet and does not mention these in its notice.
const (
	templateHelpSheet  = "คำอธิบาย (help)"
	templateListsSheet = "lists"
)

// Excel's limits on a data validation's texts, in characters.
const (
	maxPromptTitle = 32
	maxPromptText  = 255
)

// WriteTemplate writes the import template: format "csv" or "xlsx".
//
// The CSV template is a header row of English ids and one example row; an
// import accepts the Thai headers in place of the ids as well (HeaderIndex).
// The XLSX template has the same two rows on its first sheet, "products",
// with each header cell's Thai header and help in a comment on it (a second
// header row would be read as a product), the same in a help sheet, and
// dropdowns for the columns with a list, whose values are on a sheet
// "lists". A column without values in lists gets no dropdown.
func WriteTemplate(w io.Writer, format string, cols []Column, lists Lists) error {
	switch format {
	case "csv":
		return writeCSVTemplate(w, cols)
	case "xlsx":
		return writeXLSXTemplate(w, cols, lists)
	}
	return fmt.Errorf("template format %q: want csv or xlsx", format)
}

func writeCSVTemplate(w io.Writer, cols []Column) error {
	cw := NewCSVWriter(w)
	ids, examples := make([]string, len(cols)), make([]string, len(cols))
	for i, c := range cols {
		ids[i], examples[i] = c.ID, c.Example
	}
	if err := cw.Write(ids); err != nil {
		return fmt.Errorf("csv template: %w", err)
	}
	if err := cw.Write(examples); err != nil {
		return fmt.Errorf("csv template: %w", err)
	}
	if err := cw.Close(); err != nil {
		return fmt.Errorf("csv template: %w", err)
	}
	return nil
}

func writeXLSXTemplate(w io.Writer, cols []Column, lists Lists) error {
	if len(cols) == 0 {
		return fmt.Errorf("xlsx template: no columns")
	}
	t := &xlsxTemplate{book: excelize.NewFile(), cols: cols, lists: lists}
	defer t.book.Close()
	for _, step := range []func() error{t.products, t.help, t.dropdowns} {
		if err := step(); err != nil {
			return fmt.Errorf("xlsx template: %w", err)
		}
	}
	t.book.SetActiveSheet(0)
	if err := t.book.Write(w); err != nil {
		return fmt.Errorf("xlsx template: %w", err)
	}
	return nil
}

type xlsxTemplate struct {
	book  *excelize.File
	cols  []Column
	lists Lists
}

// products writes the first sheet: ids, comments, the example row. Its
// cells are formatted as text so that what the user types is read as typed:
// "007" keeps its zeros, "5007.20" its last zero, a date stays a date as
// written rather than becoming a day number.
func (t *xlsxTemplate) products() error {
	b := t.book
	if err := b.SetSheetName("Sheet1", ProductsSheet); err != nil {
		return err
	}
	text, err := b.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	head, err := b.NewStyle(&excelize.Style{
		NumFmt: 49,
		Font:   &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#DDEBF7"}},
	})
	if err != nil {
		return err
	}
	last, err := excelize.ColumnNumberToName(len(t.cols))
	if err != nil {
		return err
	}
	if err := b.SetColStyle(ProductsSheet, "A:"+last, text); err != nil {
		return err
	}
	for i, c := range t.cols {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := b.SetCellStr(ProductsSheet, col+"1", c.ID); err != nil {
			return err
		}
		if err := b.SetCellStr(ProductsSheet, col+"2", c.Example); err != nil {
			return err
		}
		if err := b.SetColWidth(ProductsSheet, col, col, columnWidth(c)); err != nil {
			return err
		}
		note := []excelize.RichTextRun{{Text: c.TH, Font: &excelize.Font{Bold: true}}}
		if c.Help != "" {
			note = append(note, excelize.RichTextRun{Text: "\n" + c.Help})
		}
		if err := b.AddComment(ProductsSheet, excelize.Comment{
			Cell: col + "1", Author: "OTOP", Paragraph: note, Width: 300, Height: 110,
		}); err != nil {
			return err
		}
	}
	if err := b.SetCellStyle(ProductsSheet, "A1", last+"1", head); err != nil {
		return err
	}
	return b.SetPanes(ProductsSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

func columnWidth(c Column) float64 {
	w := max(utf8.RuneCountInString(c.ID), utf8.RuneCountInString(c.Example)) + 2
	return float64(min(max(w, 10), 40))
}

// help writes the help sheet: every column's id, Thai header, help and
// example, then how the sheet is read.
func (t *xlsxTemplate) help() error {
	b := t.book
	if _, err := b.NewSheet(templateHelpSheet); err != nil {
		return err
	}
	bold, err := b.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	rows := [][]any{{"id", "หัวคอลัมน์ภาษาไทย (Thai header)", "คำอธิบาย (help)", "ตัวอย่าง (example)"}}
	for _, c := range t.cols {
		rows = append(rows, []any{c.ID, c.TH, c.Help, c.Example})
	}
	rows = append(rows, nil,
		[]any{"แถวที่ 1 ของแผ่นงาน products คือชื่อคอลัมน์: ใช้ได้ทั้งรหัสภาษาอังกฤษ (id) และหัวคอลัมน์ภาษาไทย"},
		[]any{"Row 1 of the sheet products names the columns: the English ids or the Thai headers, either is accepted."},
		[]any{"แถวที่ 2 เป็นตัวอย่าง: แทนที่ด้วยสินค้าของคุณ หนึ่งสินค้าต่อหนึ่งแถว"},
		[]any{fmt.Sprintf("Row 2 is an example: replace it with your products, one a row, at most %d rows.", MaxRows)},
		[]any{"Only the first sheet is read, as values: formulas are not computed, workbooks with macros are refused."},
	)
	for i, r := range rows {
		if r == nil {
			continue
		}
		if err := b.SetSheetRow(templateHelpSheet, fmt.Sprintf("A%d", i+1), &r); err != nil {
			return err
		}
	}
	for col, width := range map[string]float64{"A": 22, "B": 30, "C": 80, "D": 36} {
		if err := b.SetColWidth(templateHelpSheet, col, col, width); err != nil {
			return err
		}
	}
	if err := b.SetCellStyle(templateHelpSheet, "A1", "D1", bold); err != nil {
		return err
	}
	return b.SetPanes(templateHelpSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}

// dropdowns writes the lists sheet, one column a list, and the products
// sheet's data validations that offer them on rows 2 to MaxRows+1.
func (t *xlsxTemplate) dropdowns() error {
	b := t.book
	if _, err := b.NewSheet(templateListsSheet); err != nil {
		return err
	}
	listCol := map[string]string{}
	for i, c := range t.cols {
		values := t.lists[c.List]
		if c.List == "" || len(values) == 0 {
			continue
		}
		lc, ok := listCol[c.List]
		if !ok {
			name, err := excelize.ColumnNumberToName(len(listCol) + 1)
			if err != nil {
				return err
			}
			lc, listCol[c.List] = name, name
			cells := append([]string{c.List}, values...)
			if err := b.SetSheetCol(templateListsSheet, lc+"1", &cells); err != nil {
				return err
			}
			if err := b.SetColWidth(templateListsSheet, lc, lc, 24); err != nil {
				return err
			}
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		dv := excelize.NewDataValidation(true)
		dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, MaxRows+1)
		dv.SetSqrefDropList(fmt.Sprintf("%s!$%s$2:$%s$%d", templateListsSheet, lc, lc, len(values)+1))
		if c.List == ListCertificationKinds {
			// The cell holds kind:number:date, so the list of kinds is a
			// help to pick from, not the only values allowed.
			dv.SetInput("kind:number:YYYY-MM-DD", clip(
				"Pick a kind, then add :number:date, e.g. "+c.Example+". Join several with ;. The date is optional.", maxPromptText))
			dv.SetError(excelize.DataValidationErrorStyleInformation, "kind:number:YYYY-MM-DD",
				"Fine if the cell is kind:number:YYYY-MM-DD with a kind from the list, several joined by ;.")
		} else {
			dv.SetInput(clip(c.ID, maxPromptTitle), clip(c.TH+": "+c.Help, maxPromptText))
			dv.SetError(excelize.DataValidationErrorStyleStop, "Not in the list",
				"Choose a value from the list (the sheet “lists” holds them), or leave the cell empty where the column is optional.")
		}
		if err := b.AddDataValidation(ProductsSheet, dv); err != nil {
			return err
		}
	}
	return nil
}

// clip cuts s to n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
