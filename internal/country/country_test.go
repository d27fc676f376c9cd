package country

import "testing"

func TestCountriesAreTheAssignedISOCodes(t *testing.T) {
	cs, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 249 {
		t.Errorf("%d codes, want the 249 assigned ISO 3166-1 alpha-2 codes", len(cs))
	}
	for _, code := range []string{"TH", "JP", "CN", "US", "GB", "DE", "AE", "SG", "VN", "KR"} {
		if !cs.Exists(code) {
			t.Errorf("%s is refused", code)
		}
	}
	for _, code := range []string{"XX", "UK", "EU", "ZZ", "AA", "AN", "YU", "th", "T", "THA", ""} {
		if cs.Exists(code) {
			t.Errorf("%q is accepted", code)
		}
	}
}
