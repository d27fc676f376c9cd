package proforma

import (
	"math"
	"testing"
)

func TestFormatMoney(t *testing.T) {
	for _, tc := range []struct {
		amount   int64
		currency string
		want     string
	}{
		{1234567, "THB", "12,345.67"},
		{1234567, "JPY", "1,234,567"},
		{1234567, "USD", "12,345.67"},
		{1234567, "EUR", "12,345.67"},
		{1234567, "CNY", "12,345.67"},
		{0, "THB", "0.00"},
		{0, "JPY", "0"},
		{5, "THB", "0.05"},
		{99, "USD", "0.99"},
		{100, "USD", "1.00"},
		{99999, "EUR", "999.99"},
		{100000, "EUR", "1,000.00"},
		{999, "JPY", "999"},
		{1000, "JPY", "1,000"},
		{-1234567, "THB", "-12,345.67"},
		{-5, "THB", "-0.05"},
		{math.MaxInt64, "THB", "92,233,720,368,547,758.07"},
		{math.MaxInt64, "JPY", "9,223,372,036,854,775,807"},
		{math.MinInt64, "THB", "-92,233,720,368,547,758.08"},
	} {
		t.Run(tc.currency+" "+tc.want, func(t *testing.T) {
			got, err := FormatMoney(tc.amount, tc.currency)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("FormatMoney(%d, %s) = %q, want %q", tc.amount, tc.currency, got, tc.want)
			}
		})
	}
}

func TestFormatMoneyRefusesUnknownCurrencies(t *testing.T) {
	for _, currency := range []string{"", "GBP", "thb", "BTC"} {
		t.Run(currency, func(t *testing.T) {
			if got, err := FormatMoney(100, currency); err == nil {
				t.Errorf("FormatMoney(100, %q) = %q, want an error", currency, got)
			}
		})
	}
}

func TestFormatQuantity(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {100000000, "100,000,000"},
		{-1200, "-1,200"}, {math.MaxInt64, "9,223,372,036,854,775,807"}, {math.MinInt64, "-9,223,372,036,854,775,808"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			if got := FormatQuantity(tc.n); got != tc.want {
				t.Errorf("FormatQuantity(%d) = %q, want %q", tc.n, got, tc.want)
			}
		})
	}
}
