// Package bulk imports and exports the catalogue as spreadsheets (CSV and
// XLSX): the columns and their Thai headers, reading and writing sheets, the
// import job and its report.
package bulk

import (
	"embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/taxonomy"
)

//go:embed data/columns.json
var dataFS embed.FS

// Column is one column of the product sheet. ID is the English header (the
// product field's name); TH the Thai header; List, when set, names the values
// the template offers in a dropdown.
type Column struct {
	ID      string `json:"id"`
	TH      string `json:"th"`
	Help    string `json:"help"`
	List    string `json:"list,omitempty"`
	Example string `json:"example"`
}

// The dropdown lists of the template.
const (
	ListCategories         = "categories"
	ListCreativeIndustries = "creative_industries"
	ListUnits              = "units"
	ListCertificationKinds = "certification_kinds"
	ListYesNo              = "yes_no"
)

// Columns returns the product sheet's columns in their order.
func Columns() ([]Column, error) {
	b, err := dataFS.ReadFile("data/columns.json")
	if err != nil {
		return nil, fmt.Errorf("read columns: %w", err)
	}
	var cols []Column
	if err := json.Unmarshal(b, &cols); err != nil {
		return nil, fmt.Errorf("parse columns: %w", err)
	}
	return cols, nil
}

// HeaderIndex maps a sheet's header row to column ids: each cell may be the
// English id or the Thai header (trimmed, case-insensitive for English).
// Unknown headers are returned for the report; a repeated column is an error.
func HeaderIndex(cols []Column, header []string) (index map[string]int, unknown []string, err error) {
	byName := make(map[string]string, 2*len(cols))
	for _, c := range cols {
		byName[strings.ToLower(c.ID)] = c.ID
		byName[strings.ToLower(c.TH)] = c.ID
	}
	index = make(map[string]int, len(header))
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if name == "" {
			continue
		}
		id, ok := byName[name]
		if !ok {
			unknown = append(unknown, strings.TrimSpace(h))
			continue
		}
		if _, dup := index[id]; dup {
			return nil, nil, fmt.Errorf("the column %s appears twice in the header", id)
		}
		index[id] = i
	}
	return index, unknown, nil
}

// TemplateLists are the values of the template's dropdowns, from the
// reference data.
func TemplateLists(tax *taxonomy.Taxonomy) Lists {
	lists := Lists{ListUnits: catalog.Units(), ListYesNo: {"yes", "no"}}
	for _, c := range tax.Categories() {
		lists[ListCategories] = append(lists[ListCategories], c.ID)
	}
	for _, c := range tax.CreativeIndustries() {
		lists[ListCreativeIndustries] = append(lists[ListCreativeIndustries], c.ID)
	}
	for _, k := range tax.CertificationKinds() {
		if !k.Rated { // the star rating has columns of its own
			lists[ListCertificationKinds] = append(lists[ListCertificationKinds], k.ID)
		}
	}
	return lists
}
