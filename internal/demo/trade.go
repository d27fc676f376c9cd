package demo

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/country"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/trade"
)

// fileTrade holds the demo's trade: importers, the words of inquiries,
// quotes, RFQs and orders, carriers and rough exchange rates.
const fileTrade = "trade.json"

// Trade is the demo's trade data, checked: who the importers are and what
// they and the producers write. The scenario that plays it lives with the
// seed command; this is data only.
type Trade struct {
	Importers      []Importer        `json:"importers"`
	Threads        []Thread          `json:"threads"`
	QuoteNotes     []QuoteNote       `json:"quote_notes"`
	RFQs           []RFQ             `json:"rfqs"`
	DeclineReasons []string          `json:"decline_reasons"`
	CloseReasons   []string          `json:"close_reasons"`
	Cancellations  Cancellations     `json:"cancellation_reasons"`
	Carriers       []Carrier         `json:"carriers"`
	UnitPlurals    map[string]string `json:"unit_plurals"`
	// SatangPerMinor is a rough rate per currency: how many satang one
	// minor unit is worth (a US cent: 36), to quote in other currencies.
	SatangPerMinor map[string]int64 `json:"satang_per_minor_unit"`
}

// Importer is a demo importer: a company in Country that ships to Port,
// pays in Currencies and buys on Incoterms (in order of preference).
type Importer struct {
	Country     string   `json:"country"`
	Company     string   `json:"company"`
	DisplayName string   `json:"display_name"`
	Port        string   `json:"port"`
	Currencies  []string `json:"currencies"`
	Incoterms   []string `json:"incoterms"`
	OrderNote   string   `json:"order_note"`
}

// Thread is an inquiry's conversation about a product of Categories (empty:
// any): the importer writes first, then the producer and the importer take
// turns. Messages may hold the placeholders of Fill.
type Thread struct {
	Categories []string `json:"categories"`
	Messages   []string `json:"messages"`
}

// QuoteNote is what a producer writes on a quote for a product of
// Categories (empty: any).
type QuoteNote struct {
	Categories []string `json:"categories"`
	Note       string   `json:"note"`
}

// RFQ is a request for quotation posted by the importer of country
// Importer. Region is a wish: the scenario names it only when enough
// producers there can quote.
type RFQ struct {
	Importer         string `json:"importer"`
	Category         string `json:"category"`
	CreativeIndustry string `json:"creative_industry"`
	Region           string `json:"region"`
	Unit             string `json:"unit"`
	Quantity         int    `json:"quantity"`
	TargetPrice      Price  `json:"target_price"`
	Description      string `json:"description"`
}

// Price is an amount in minor units of a currency of the trade.
type Price struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

// Cancellations are the reasons importers and producers give when they
// cancel an order.
type Cancellations struct {
	Importer []string `json:"importer"`
	Producer []string `json:"producer"`
}

// Carrier is a carrier and the shape of its tracking numbers: '#' stands
// for a digit.
type Carrier struct {
	Name     string `json:"name"`
	Tracking string `json:"tracking"`
}

// TrackingNumber draws a tracking number of the carrier's shape.
func (c Carrier) TrackingNumber(r *rand.Rand) string {
	b := []byte(c.Tracking)
	for i := range b {
		if b[i] == '#' {
			b[i] = byte('0' + r.IntN(10))
		}
	}
	return string(b)
}

// Filling is what the placeholders of a thread or a note stand for.
type Filling struct {
	Product  string // {product}: the product's English name
	Quantity string // {quantity}: "300 pieces"
	Port     string // {port}: where the importer receives the goods
	Company  string // {company}: the importer's company
}

// Fill replaces the placeholders of a text.
func Fill(text string, f Filling) string {
	return strings.NewReplacer("{product}", f.Product, "{quantity}", f.Quantity, "{port}", f.Port, "{company}", f.Company).Replace(text)
}

// tradePlaceholders are the placeholders Fill knows.
func tradePlaceholders() []string { return []string{"product", "quantity", "port", "company"} }

// maxFilled is how long a placeholder's value may be: a product's name.
const maxFilled = catalog.MaxNameLength

// Quantity is n units in words: "1 piece", "300 pieces", "20 kg".
func (t *Trade) Quantity(n int, unit string) string {
	if n != 1 {
		if p, ok := t.UnitPlurals[unit]; ok {
			unit = p
		}
	}
	return strconv.Itoa(n) + " " + unit
}

// Convert turns an amount in satang into minor units of currency at the
// data's rough rate, rounded, and at least 1.
func (t *Trade) Convert(satang int64, currency string) int64 {
	rate := t.SatangPerMinor[currency]
	if rate <= 0 {
		rate = 1
	}
	return max((satang+rate/2)/rate, 1)
}

// ThreadsFor lists the threads that fit a product of category.
func (t *Trade) ThreadsFor(category string) []Thread {
	var out []Thread
	for _, th := range t.Threads {
		if len(th.Categories) == 0 || slices.Contains(th.Categories, category) {
			out = append(out, th)
		}
	}
	return out
}

// NotesFor lists the quote notes that fit a product of category.
func (t *Trade) NotesFor(category string) []string {
	var out []string
	for _, n := range t.QuoteNotes {
		if len(n.Categories) == 0 || slices.Contains(n.Categories, category) {
			out = append(out, n.Note)
		}
	}
	return out
}

// Importer returns the importer of a country.
func (t *Trade) Importer(country string) (Importer, bool) {
	for _, im := range t.Importers {
		if im.Country == country {
			return im, true
		}
	}
	return Importer{}, false
}

// ReadmeCountry is the country of the importer the README's walk-through
// signs in as, so the data must hold it.
const ReadmeCountry = "JP"

// Limits of the trade data.
const (
	minImporters      = 8
	minThreadMessages = 2
	maxThreadMessages = 4
	minRFQs           = 4
	maxDisplayName    = 100 // the accounts' limit
	maxShortText      = 100 // company, port, carrier
	minTrackingDigits = 6
	baseRate          = 1 // THB, the catalogue's currency, is the base of the rates
)

// LoadTrade reads the embedded trade data and checks it.
func LoadTrade(tax *taxonomy.Taxonomy) (*Trade, error) {
	return loadTrade(tax, readEmbedded)
}

// loadTrade decodes the trade data strictly and checks it against the
// taxonomy, the country list and the trade's limits; the error lists every
// problem found.
func loadTrade(tax *taxonomy.Taxonomy, read func(string) ([]byte, error)) (*Trade, error) {
	var t Trade
	if err := decodeFile(read, fileTrade, &t); err != nil {
		return nil, err
	}
	countries, err := country.Load()
	if err != nil {
		return nil, err
	}
	if err := t.validate(tax, countries); err != nil {
		return nil, fmt.Errorf("demo data/%s: invalid:\n%w", fileTrade, err)
	}
	return &t, nil
}

// tradeCheck collects the problems of the trade data.
type tradeCheck struct{ problems []error }

func (c *tradeCheck) bad(format string, args ...any) {
	c.problems = append(c.problems, fmt.Errorf(format, args...))
}

// text checks a text of the data: trimmed, without control characters, of
// minChars to maxChars characters once its placeholders (when allowed) are
// filled with values of the longest kind.
func (c *tradeCheck) text(what, s string, minChars, maxChars int, placeholdersAllowed bool) {
	n := utf8.RuneCountInString(s)
	holders := placeholders(s)
	switch {
	case !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl):
		c.bad("%s: control characters or invalid UTF-8", what)
	case strings.TrimSpace(s) != s:
		c.bad("%s: surrounding space", what)
	case n < minChars:
		c.bad("%s: empty or shorter than %d characters", what, minChars)
	case n+len(holders)*maxFilled > maxChars:
		c.bad("%s: %d characters (with %d placeholders filled), want at most %d", what, n, len(holders), maxChars)
	}
	for _, h := range holders {
		if !placeholdersAllowed || !slices.Contains(tradePlaceholders(), h) {
			c.bad("%s: unknown placeholder {%s}", what, h)
		}
	}
}

func (c *tradeCheck) categories(what string, tax *taxonomy.Taxonomy, ids []string) {
	for _, id := range ids {
		if _, ok := tax.Category(id); !ok {
			c.bad("%s: unknown category %q", what, id)
		}
	}
}

func (t *Trade) validate(tax *taxonomy.Taxonomy, countries country.Set) error {
	c := &tradeCheck{}
	t.checkImporters(c, countries)
	if len(t.Threads) == 0 {
		c.bad("no threads")
	}
	for i, th := range t.Threads {
		what := fmt.Sprintf("thread %d", i)
		c.categories(what, tax, th.Categories)
		if n := len(th.Messages); n < minThreadMessages || n > maxThreadMessages {
			c.bad("%s: %d messages, want %d–%d", what, n, minThreadMessages, maxThreadMessages)
		}
		for j, m := range th.Messages {
			c.text(fmt.Sprintf("%s message %d", what, j), m, 1, trade.MaxBodyChars, true)
		}
	}
	for i, n := range t.QuoteNotes {
		what := fmt.Sprintf("quote note %d", i)
		c.categories(what, tax, n.Categories)
		c.text(what, n.Note, 1, trade.MaxNoteChars, true)
	}
	for _, cat := range tax.Categories() {
		if n := len(t.ThreadsFor(cat.ID)); n < 2 {
			c.bad("category %s: %d threads, want at least 2", cat.ID, n)
		}
		if len(t.NotesFor(cat.ID)) == 0 {
			c.bad("category %s: no quote note", cat.ID)
		}
	}
	t.checkRFQs(c, tax)
	reasons := []struct {
		what     string
		list     []string
		minChars int
	}{
		{"decline reason", t.DeclineReasons, 1},
		{"close reason", t.CloseReasons, 1},
		{"importer's cancellation reason", t.Cancellations.Importer, 1},
		{"producer's cancellation reason", t.Cancellations.Producer, trade.MinReasonChars},
	}
	for _, r := range reasons {
		if len(r.list) == 0 {
			c.bad("no %s", r.what)
		}
		for i, s := range r.list {
			c.text(fmt.Sprintf("%s %d", r.what, i), s, r.minChars, trade.MaxReasonChars, false)
		}
	}
	if len(t.Carriers) < 2 {
		c.bad("%d carriers, want at least 2", len(t.Carriers))
	}
	for i, cr := range t.Carriers {
		what := fmt.Sprintf("carrier %d", i)
		c.text(what+" name", cr.Name, 1, maxShortText, false)
		if strings.Count(cr.Tracking, "#") < minTrackingDigits || len(cr.Tracking) > maxShortText ||
			strings.Trim(cr.Tracking, "#ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
			c.bad("%s: tracking %q must be capital letters, digits and at least %d '#'", what, cr.Tracking, minTrackingDigits)
		}
	}
	for _, u := range catalog.Units() {
		if p := t.UnitPlurals[u]; p == "" || strings.TrimSpace(p) != p {
			c.bad("unit %s has no plural", u)
		}
	}
	for u := range t.UnitPlurals {
		if !slices.Contains(catalog.Units(), u) {
			c.bad("plural of unknown unit %q", u)
		}
	}
	for _, cur := range trade.Currencies() {
		if t.SatangPerMinor[cur] <= 0 {
			c.bad("no rate for %s", cur)
		}
	}
	for cur := range t.SatangPerMinor {
		if !trade.ValidCurrency(cur) {
			c.bad("rate of unknown currency %q", cur)
		}
	}
	if r := t.SatangPerMinor[catalog.Currency]; r != baseRate {
		c.bad("the rate of %s is %d, want %d: prices are in satang", catalog.Currency, r, baseRate)
	}
	return errors.Join(c.problems...)
}

func (t *Trade) checkImporters(c *tradeCheck, countries country.Set) {
	if len(t.Importers) < minImporters {
		c.bad("%d importers, want at least %d", len(t.Importers), minImporters)
	}
	seen := map[string]bool{}
	for i, im := range t.Importers {
		what := fmt.Sprintf("importer %d (%s)", i, im.Country)
		switch {
		case !countries.Exists(im.Country):
			c.bad("%s: unknown country %q", what, im.Country)
		case seen[im.Country]:
			c.bad("%s: a second importer of %s (their emails are importer-<country>)", what, im.Country)
		}
		seen[im.Country] = true
		c.text(what+" company", im.Company, 1, maxShortText, false)
		c.text(what+" display_name", im.DisplayName, 1, maxDisplayName, false)
		c.text(what+" port", im.Port, 1, maxShortText, false)
		c.text(what+" order_note", im.OrderNote, 1, trade.MaxNoteChars, false)
		if len(im.Currencies) == 0 || len(im.Incoterms) == 0 {
			c.bad("%s: no currency or no Incoterms rule", what)
		}
		for _, cur := range im.Currencies {
			if !trade.ValidCurrency(cur) {
				c.bad("%s: unknown currency %q", what, cur)
			}
		}
		for _, rule := range im.Incoterms {
			if !trade.ValidIncoterm(rule) {
				c.bad("%s: unknown Incoterms rule %q", what, rule)
			}
		}
	}
	if !seen[ReadmeCountry] {
		c.bad("no importer of %s, whom the README signs in as", ReadmeCountry)
	}
}

func (t *Trade) checkRFQs(c *tradeCheck, tax *taxonomy.Taxonomy) {
	if len(t.RFQs) < minRFQs {
		c.bad("%d RFQs, want at least %d", len(t.RFQs), minRFQs)
	}
	for i, r := range t.RFQs {
		what := fmt.Sprintf("rfq %d", i)
		if _, ok := t.Importer(r.Importer); !ok {
			c.bad("%s: no importer of %q", what, r.Importer)
		}
		c.categories(what, tax, []string{r.Category})
		if _, ok := tax.CreativeIndustry(r.CreativeIndustry); r.CreativeIndustry != "" && !ok {
			c.bad("%s: unknown creative industry %q", what, r.CreativeIndustry)
		}
		if _, ok := tax.Region(r.Region); r.Region != "" && !ok {
			c.bad("%s: unknown region %q", what, r.Region)
		}
		if !slices.Contains(catalog.Units(), r.Unit) {
			c.bad("%s: unknown unit %q", what, r.Unit)
		}
		if r.Quantity < 1 || r.Quantity > trade.MaxQuantity {
			c.bad("%s: quantity %d out of range", what, r.Quantity)
		}
		if !trade.ValidCurrency(r.TargetPrice.Currency) || r.TargetPrice.AmountMinor < 1 || r.TargetPrice.AmountMinor > trade.MaxAmountMinor {
			c.bad("%s: target price %d %q out of range or in an unknown currency", what, r.TargetPrice.AmountMinor, r.TargetPrice.Currency)
		}
		c.text(what+" description", r.Description, 1, trade.MaxBodyChars, false)
	}
}
