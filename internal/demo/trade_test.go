package demo

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/otopmarket/otop/internal/trade"
)

func TestTradeDataIsValid(t *testing.T) {
	tax := loadTax(t)
	td, err := LoadTrade(tax)
	if err != nil {
		t.Fatalf("embedded trade data: %v", err)
	}
	countries := map[string]bool{}
	for _, im := range td.Importers {
		countries[im.Country] = true
	}
	for _, want := range []string{"JP", "DE", "US", "CN", "SG", "AE", "FR", "KR"} {
		if !countries[want] {
			t.Errorf("no importer of %s", want)
		}
	}
	categories := map[string]bool{}
	for _, r := range td.RFQs {
		categories[r.Category] = true
	}
	if len(categories) < 3 {
		t.Errorf("RFQs in %d categories, want at least 3", len(categories))
	}
	for _, c := range tax.Categories() {
		if n := len(td.ThreadsFor(c.ID)); n < 2 {
			t.Errorf("category %s: %d threads", c.ID, n)
		}
	}
}

func TestTradeHelpers(t *testing.T) {
	td, err := LoadTrade(loadTax(t))
	if err != nil {
		t.Fatal(err)
	}
	words := []struct{ name, got, want string }{
		{"plural", td.Quantity(300, "piece"), "300 pieces"},
		{"singular", td.Quantity(1, "box"), "1 box"},
		{"unit without a plural form", td.Quantity(20, "kg"), "20 kg"},
		{"fill", Fill("{quantity} of {product} to {port} for {company}", Filling{Product: "Bo Sang umbrella", Quantity: "5 pieces", Port: "Osaka", Company: "Yamato"}),
			"5 pieces of Bo Sang umbrella to Osaka for Yamato"},
	}
	for _, tt := range words {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
	prices := []struct {
		satang   int64
		currency string
		want     int64
	}{{25000, "THB", 25000}, {25000, "USD", 694}, {25000, "JPY", 1042}, {1, "EUR", 1}}
	for _, c := range prices {
		t.Run("convert to "+c.currency, func(t *testing.T) {
			if got := td.Convert(c.satang, c.currency); got != c.want {
				t.Fatalf("Convert(%d, %s) = %d, want %d", c.satang, c.currency, got, c.want)
			}
		})
	}
	t.Run("tracking number", func(t *testing.T) {
		got := Carrier{Tracking: "EE###TH"}.TrackingNumber(rand.New(rand.NewPCG(1, 2)))
		if len(got) != 7 || !strings.HasPrefix(got, "EE") || !strings.HasSuffix(got, "TH") || strings.Trim(got[2:5], "0123456789") != "" {
			t.Fatalf("tracking number %q, want EE, three digits, TH", got)
		}
	})
}

func TestTradeDataRefusesBrokenFiles(t *testing.T) {
	tax := loadTax(t)
	good, err := readEmbedded(fileTrade)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a", trade.MaxBodyChars+1)
	tests := []struct {
		name, old, new, want string
	}{
		{"unknown field", `"close_reasons"`, `"colour": 1, "close_reasons"`, `unknown field "colour"`},
		{"unknown country", `{"country": "DE"`, `{"country": "XX"`, `unknown country "XX"`},
		{"country in lower case", `{"country": "DE"`, `{"country": "de"`, `unknown country "de"`},
		{"two importers of a country", `{"country": "DE"`, `{"country": "FR"`, "a second importer of FR"},
		{"the README's importer missing", `{"country": "JP"`, `{"country": "TH"`, "no importer of JP"},
		{"empty company", `"company": "Lindenhof Naturwaren GmbH"`, `"company": ""`, "company: empty"},
		{"company with surrounding space", `"company": "Lindenhof Naturwaren GmbH"`, `"company": " Lindenhof"`, "surrounding space"},
		{"overlong display name", `"display_name": "Jonas Becker, Lindenhof Naturwaren"`, `"display_name": "` + strings.Repeat("J", 101) + `"`, "display_name: 101 characters"},
		{"control character", `"port": "Hamburg"`, `"port": "Ham\u0007burg"`, "control characters"},
		{"unknown currency", `"currencies": ["EUR"], "incoterms": ["FOB", "CIF", "DAP"]`, `"currencies": ["EURO"], "incoterms": ["FOB", "CIF", "DAP"]`, `unknown currency "EURO"`},
		{"unknown Incoterms rule", `"incoterms": ["FOB", "CIF", "DAP"]`, `"incoterms": ["FOB", "C&F"]`, `unknown Incoterms rule "C&F"`},
		{"empty message", `"Thank you, please send a copy of the halal certificate together with your quote."`, `""`, "message 2: empty"},
		{"overlong message", `"Thank you, please send a copy of the halal certificate together with your quote."`, `"` + long + `"`, "want at most 5000"},
		{"message that overflows once filled", `"Thank you, please send a copy of the halal certificate together with your quote."`,
			`"{product} ` + strings.Repeat("a", trade.MaxBodyChars-100) + `"`, "placeholders filled"},
		{"unknown placeholder", `"Hello, we are interested in {product}.`, `"Hello, we are interested in {item}.`, "unknown placeholder {item}"},
		{"placeholder in an RFQ", `"description": "Handwoven scarves`, `"description": "{product} scarves`, "unknown placeholder {product}"},
		{"one-message thread", `{"categories": ["herbal"], "messages": [
      "Good morning, {company} would like to offer {product} to hotel spas. Can you pack {quantity} in amenity sizes with a neutral label?",`,
			`{"categories": ["herbal"], "messages": [`, "1 messages, want 2–4"},
		{"unknown category", `{"categories": ["herbal"], "note"`, `{"categories": ["herbs"], "note"`, `unknown category "herbs"`},
		{"RFQ of an unknown importer", `{"importer": "SG", "category": "beverage"`, `{"importer": "TH", "category": "beverage"`, `no importer of "TH"`},
		{"RFQ in an unknown region", `"region": "north"`, `"region": "isan"`, `unknown region "isan"`},
		{"RFQ of an unknown creative industry", `"creative_industry": "fashion"`, `"creative_industry": "couture"`, `unknown creative industry "couture"`},
		{"RFQ target in an unknown currency", `"currency": "JPY"}`, `"currency": "YEN"}`, `in an unknown currency`},
		{"RFQ quantity zero", `"quantity": 400`, `"quantity": 0`, "quantity 0 out of range"},
		{"producer's reason too short", `"The flood took this season's indigo in our dye garden; we cannot make the colour ordered before next year."`, `"Sorry."`, "shorter than 10 characters"},
		{"tracking number without digits", `"tracking": "EE#########TH"`, `"tracking": "EE-TH"`, "at least 6 '#'"},
		{"unit without its plural", `"yard": "yards"`, `"yards": "yards"`, "unit yard has no plural"},
		{"rate of THB", `"THB": 1,`, `"THB": 100,`, "the rate of THB is 100"},
		{"currency without a rate", `"JPY": 24`, `"YEN": 24`, "no rate for JPY"},
		{"trailing data", `"close_reasons"`, `"close_reasons"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(string(good), tt.old) {
				t.Fatalf("the data no longer holds %q", tt.old)
			}
			data := strings.Replace(string(good), tt.old, tt.new, 1)
			if tt.want == "" { // trailing data
				data += "{}"
				tt.want = "after the top-level value"
			}
			_, err := loadTrade(tax, func(string) ([]byte, error) { return []byte(data), nil })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("loadTrade = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
