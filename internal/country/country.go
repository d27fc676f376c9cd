// Package country knows the ISO 3166-1 alpha-2 country codes in use, for
// importers' countries and the destinations of inquiries and orders.
package country

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed data/countries.txt
var countriesFile string

// Set holds the ISO 3166-1 alpha-2 codes in use, read from
// data/countries.txt: a code of the right shape that names no country
// ("XX", "UK", "EU") is refused.
type Set map[string]bool

// Load reads the embedded list.
func Load() (Set, error) {
	set := Set{}
	for n, line := range strings.Split(countriesFile, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, code := range strings.Fields(line) {
			if len(code) != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' || set[code] {
				return nil, fmt.Errorf("countries.txt line %d: %q is not a new two-letter code", n+1, code)
			}
			set[code] = true
		}
	}
	return set, nil
}

// Exists reports whether code is an assigned ISO 3166-1 alpha-2 code.
func (s Set) Exists(code string) bool { return s[code] }
