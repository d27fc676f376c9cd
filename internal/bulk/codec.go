package bulk

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
)

// Problem is one thing wrong with an import: Row counts from 1 after the
// header (0 for the file as a whole), Column is the column's English id.
type Problem struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// Row is one data row of an import, read into the API's product input. A
// column the sheet does not have leaves its field unchanged on an update; a
// column it has sets the field, an empty cell clearing it where the API can
// clear it (the price, the MOQ and the category cannot be cleared).
type Row struct {
	Number     int
	ID         uuid.UUID // matches an existing product when set
	SKU        string
	ProducerID uuid.UUID // staff imports: whose product this is
	Input      catalog.ProductInput
	Submit     bool
	Images     []string
}

// Limits of one cell's compact lists.
const (
	maxImagesPerRow = 10
	maxListItems    = 50
)

// DecodeRow reads cells (in the order of the sheet whose header gave index)
// into a Row. Problems are reported per column; the row is usable only when
// there are none.
func DecodeRow(index map[string]int, cells []string, number int) (Row, []Problem) {
	d := decoder{index: index, cells: cells, row: Row{Number: number}}
	for col, i := range index {
		if i < len(cells) && strings.ContainsFunc(cells[i], refusedControl) {
			d.fail(col, "must not contain control characters (only tab and line breaks are allowed)")
		}
	}
	if len(d.problems) > 0 {
		return d.row, d.problems
	}
	in := &d.row.Input
	if s, ok := d.cell("id"); ok && s != "" {
		if id, err := uuid.Parse(s); err == nil {
			d.row.ID = id
		} else {
			d.fail("id", "must be a product id (a UUID) or empty")
		}
	}
	if s, ok := d.cell("producer_id"); ok && s != "" {
		if id, err := uuid.Parse(s); err == nil {
			d.row.ProducerID = id
		} else {
			d.fail("producer_id", "must be a producer id (a UUID) or empty")
		}
	}
	if s, ok := d.cell("sku"); ok {
		d.row.SKU = s
		in.SKU = nullText(s)
	}
	in.NameTH = d.text("name_th")
	in.NameEN = d.text("name_en")
	in.DescriptionTH = d.text("description_th")
	in.DescriptionEN = d.text("description_en")
	if s, ok := d.cell("category"); ok {
		in.Category = &s
	}
	if s, ok := d.cell("creative_industry"); ok {
		in.CreativeIndustry = nullText(s)
	}
	in.OTOPStars = d.nullInt("otop_stars")
	in.OTOPStarsYear = d.nullInt("otop_stars_year")
	amount, hasAmount := d.cell("price_amount_minor")
	currency, _ := d.cell("price_currency")
	switch {
	case hasAmount && amount != "":
		if n, ok := d.int64("price_amount_minor", amount); ok {
			in.Price = &catalog.MoneyInput{AmountMinor: &n, Currency: currency}
		}
	case currency != "":
		d.fail("price_amount_minor", "is required with price_currency")
	}
	if s, ok := d.cell("price_tiers"); ok {
		in.PriceTiers = d.tiers(s)
	}
	if s, ok := d.cell("moq"); ok && s != "" {
		if n, ok := d.int("moq", s); ok {
			in.MOQ = &n
		}
	}
	if s, ok := d.cell("unit"); ok {
		in.Unit = &s
	}
	in.MonthlyCapacity = d.nullInt("monthly_capacity")
	in.LeadTimeDays = d.nullInt("lead_time_days")
	if s, ok := d.cell("hs_code"); ok {
		in.HSCode = nullText(s)
	}
	in.WeightGrams = d.nullInt("weight_grams")
	in.Stock = d.nullInt("stock")
	if s, ok := d.cell("tags"); ok {
		tags := splitList(s)
		if len(tags) > maxListItems {
			d.fail("tags", fmt.Sprintf("must hold at most %d tags", catalog.MaxTags))
		}
		in.Tags = &tags
	}
	if s, ok := d.cell("certifications"); ok {
		in.Certifications = d.certifications(s)
	}
	if s, ok := d.cell("images"); ok {
		d.row.Images = splitList(s)
		if len(d.row.Images) > maxImagesPerRow {
			d.fail("images", fmt.Sprintf("must name at most %d photos", maxImagesPerRow))
		}
	}
	if s, ok := d.cell("submit"); ok {
		switch strings.ToLower(s) {
		case "", "no", "n", "false", "0", "ไม่":
		case "yes", "y", "true", "1", "ใช่", "ส่ง":
			d.row.Submit = true
		default:
			d.fail("submit", "must be yes or no")
		}
	}
	return d.row, d.problems
}

func refusedControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r <= 0x9f) || r == utf8.RuneError
}

type decoder struct {
	index    map[string]int
	cells    []string
	row      Row
	problems []Problem
}

func (d *decoder) fail(col, msg string) {
	d.problems = append(d.problems, Problem{Row: d.row.Number, Column: col, Message: msg})
}

// cell is the trimmed cell of column col, and whether the sheet has the column.
func (d *decoder) cell(col string) (string, bool) {
	i, ok := d.index[col]
	if !ok {
		return "", false
	}
	if i >= len(d.cells) {
		return "", true
	}
	return strings.TrimSpace(d.cells[i]), true
}

func (d *decoder) text(col string) *string {
	s, ok := d.cell(col)
	if !ok {
		return nil
	}
	return &s
}

func nullText(s string) *catalog.Null[string] {
	if s == "" {
		return catalog.Clear[string]()
	}
	return catalog.Set(s)
}

// number reads an integer as people and spreadsheets write it: 1250, 1,250
// (thousands separated) or 1250.0.
func number(s string) (int64, error) {
	s = strings.ReplaceAll(s, ",", "")
	if whole, frac, ok := strings.Cut(s, "."); ok && strings.Trim(frac, "0") == "" {
		s = whole
	}
	return strconv.ParseInt(s, 10, 64)
}

func (d *decoder) int64(col, s string) (int64, bool) {
	n, err := number(s)
	if err != nil {
		d.fail(col, "must be a whole number")
		return 0, false
	}
	return n, true
}

func (d *decoder) int(col, s string) (int, bool) {
	n, ok := d.int64(col, s)
	if ok && (n > 1<<31-1 || n < -(1<<31)) {
		d.fail(col, "is out of range")
		return 0, false
	}
	return int(n), ok
}

func (d *decoder) nullInt(col string) *catalog.Null[int] {
	s, ok := d.cell(col)
	switch {
	case !ok:
		return nil
	case s == "":
		return catalog.Clear[int]()
	}
	n, ok := d.int(col, s)
	if !ok {
		return nil
	}
	return catalog.Set(n)
}

// splitList splits a ';'-joined cell, dropping empty items.
func splitList(s string) []string {
	out := []string{}
	for item := range strings.SplitSeq(s, ";") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// tiers reads price tiers written as min_quantity:amount_minor;...
func (d *decoder) tiers(s string) *[]catalog.PriceTierInput {
	items := splitList(s)
	if len(items) > maxListItems {
		d.fail("price_tiers", fmt.Sprintf("must hold at most %d tiers", catalog.MaxPriceTiers))
		return nil
	}
	tiers := make([]catalog.PriceTierInput, 0, len(items))
	for i, item := range items {
		q, a, ok := strings.Cut(item, ":")
		qty, errQ := number(strings.TrimSpace(q))
		amount, errA := number(strings.TrimSpace(a))
		if !ok || errQ != nil || errA != nil || qty > 1<<31-1 || qty < 0 {
			d.fail("price_tiers", fmt.Sprintf("tier %d (%q) must be min_quantity:amount_minor, e.g. 10:80000", i+1, item))
			return nil
		}
		n := int(qty)
		tiers = append(tiers, catalog.PriceTierInput{MinQuantity: &n, AmountMinor: &amount})
	}
	return &tiers
}

// certifications reads certificates written as kind:number:YYYY-MM-DD;...
// (the date optional). A number may itself hold ':' (มผช.2:2566), so the
// date is taken from the end only when it reads as one.
func (d *decoder) certifications(s string) *[]catalog.CertificationInput {
	items := splitList(s)
	if len(items) > maxListItems {
		d.fail("certifications", fmt.Sprintf("must hold at most %d certificates", catalog.MaxCertifications))
		return nil
	}
	certs := make([]catalog.CertificationInput, 0, len(items))
	for i, item := range items {
		kind, rest, ok := strings.Cut(item, ":")
		if !ok {
			d.fail("certifications", fmt.Sprintf("certificate %d (%q) must be kind:number or kind:number:YYYY-MM-DD", i+1, item))
			return nil
		}
		c := catalog.CertificationInput{Kind: strings.TrimSpace(kind), Number: strings.TrimSpace(rest)}
		if j := strings.LastIndex(rest, ":"); j >= 0 {
			if _, err := time.Parse(time.DateOnly, strings.TrimSpace(rest[j+1:])); err == nil {
				c.Number, c.ExpiresOn = strings.TrimSpace(rest[:j]), strings.TrimSpace(rest[j+1:])
			}
		}
		certs = append(certs, c)
	}
	return &certs
}

// ProblemsOf turns the catalogue's refusal of a row (a validation error or
// an errs.Error with a client message) into the report's problems, naming
// the sheet's column for each API field (price.amount_minor →
// price_amount_minor, tags[2] → tags). Any other error is not the row's
// fault: ok is false.
func ProblemsOf(row int, err error) (problems []Problem, ok bool) {
	var v *errs.ValidationError
	if !errors.As(err, &v) {
		var e *errs.Error
		if errors.As(err, &e) && !errors.Is(err, errs.ErrUnavailable) {
			return []Problem{{Row: row, Message: e.Msg}}, true
		}
		return nil, false
	}
	out := make([]Problem, 0, len(v.Fields))
	for _, f := range v.Fields {
		col, msg := columnOf(f.Field), f.Message
		if col != f.Field {
			msg = f.Field + ": " + msg
		}
		out = append(out, Problem{Row: row, Column: col, Message: msg})
	}
	return out, true
}

func columnOf(field string) string {
	switch field {
	case "price", "price.amount_minor":
		return "price_amount_minor"
	case "price.currency":
		return "price_currency"
	}
	if i := strings.IndexAny(field, "[."); i > 0 {
		return field[:i]
	}
	return field
}

// EncodeRow writes p as a row of Columns(): the inverse of DecodeRow, so
// that importing an export changes nothing. The images column is left
// empty: photos travel as files, not in the sheet.
func EncodeRow(cols []Column, p catalog.Product) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = encodeField(c.ID, p)
	}
	return out
}

func encodeField(col string, p catalog.Product) string {
	switch col {
	case "id":
		return p.ID.String()
	case "sku":
		return p.SKU
	case "producer_id":
		return p.ProducerID.String()
	case "name_th":
		return p.NameTH
	case "name_en":
		return p.NameEN
	case "description_th":
		return p.DescriptionTH
	case "description_en":
		return p.DescriptionEN
	case "category":
		return p.Category
	case "creative_industry":
		return p.CreativeIndustry
	case "otop_stars":
		return intText(p.OTOPStars)
	case "otop_stars_year":
		return intText(p.OTOPStarsYear)
	case "price_amount_minor":
		if p.Price != nil {
			return strconv.FormatInt(p.Price.AmountMinor, 10)
		}
	case "price_currency":
		if p.Price != nil {
			return p.Price.Currency
		}
	case "price_tiers":
		parts := make([]string, len(p.PriceTiers))
		for i, t := range p.PriceTiers {
			parts[i] = strconv.Itoa(t.MinQuantity) + ":" + strconv.FormatInt(t.AmountMinor, 10)
		}
		return strings.Join(parts, ";")
	case "moq":
		return intText(p.MOQ)
	case "unit":
		return p.Unit
	case "monthly_capacity":
		return intText(p.MonthlyCapacity)
	case "lead_time_days":
		return intText(p.LeadTimeDays)
	case "hs_code":
		return p.HSCode
	case "weight_grams":
		return intText(p.WeightGrams)
	case "stock":
		return intText(p.Stock)
	case "tags":
		return strings.Join(p.Tags, ";")
	case "certifications":
		parts := make([]string, len(p.Certifications))
		for i, c := range p.Certifications {
			parts[i] = c.Kind + ":" + c.Number
			if c.ExpiresOn != nil {
				parts[i] += ":" + c.ExpiresOn.Format(time.DateOnly)
			}
		}
		return strings.Join(parts, ";")
	case "status":
		return string(p.Status)
	}
	return ""
}

func intText(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}
