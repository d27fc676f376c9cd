package account

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed data/countries.txt
var countriesFile string

// countries are the ISO 3166-1 alpha-2 codes in use, read from
// data/countries.txt: a code of the right shape that names no country
// ("XX", "UK", "EU") is refused.
type countries map[string]bool

func loadCountries() (countries, error) {
	set := countries{}
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

// exists reports whether code is an assigned ISO 3166-1 alpha-2 code.
func (c countries) exists(code string) bool { return c[code] }
