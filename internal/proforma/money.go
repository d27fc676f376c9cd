package proforma

import (
	"fmt"
	"strconv"
	"strings"
)

// currencyDecimals is the number of minor-unit digits of the trade's
// currencies (ISO 4217 exponents).
func currencyDecimals(currency string) (int, bool) {
	switch currency {
	case "THB", "USD", "EUR", "CNY":
		return 2, true
	case "JPY":
		return 0, true
	}
	return 0, false
}

// FormatMoney writes an amount in minor units of currency with thousands
// separators and the currency's decimals, without the currency code:
// FormatMoney(1234567, "THB") is "12,345.67", FormatMoney(1234567, "JPY")
// is "1,234,567". It works on the integer digits only, so every int64 is
// exact.
func FormatMoney(amountMinor int64, currency string) (string, error) {
	decimals, ok := currencyDecimals(currency)
	if !ok {
		return "", fmt.Errorf("proforma: unknown currency %q", currency)
	}
	// The magnitude as uint64 holds even math.MinInt64, whose negation
	// overflows int64.
	magnitude := uint64(amountMinor)
	if amountMinor < 0 {
		magnitude = ^magnitude + 1
	}
	digits := strconv.FormatUint(magnitude, 10)
	if len(digits) <= decimals {
		digits = strings.Repeat("0", decimals-len(digits)+1) + digits
	}
	whole, fraction := digits[:len(digits)-decimals], digits[len(digits)-decimals:]

	var b strings.Builder
	if amountMinor < 0 {
		b.WriteByte('-')
	}
	b.WriteString(groupThousands(whole))
	if decimals > 0 {
		b.WriteByte('.')
		b.WriteString(fraction)
	}
	return b.String(), nil
}

// FormatQuantity writes a count with thousands separators.
func FormatQuantity(n int64) string {
	if n < 0 {
		return "-" + groupThousands(strconv.FormatUint(^uint64(n)+1, 10))
	}
	return groupThousands(strconv.FormatInt(n, 10))
}

// groupThousands puts a comma between each group of three digits of a
// string of decimal digits.
func groupThousands(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	head := len(digits) % 3
	if head > 0 {
		b.WriteString(digits[:head])
	}
	for i := head; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}
