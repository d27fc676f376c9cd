package catalog_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/media"
)

// PublicFields must equal what storing them as JSON and reading them back
// gives, or every resubmission would show changes that are not there.
func TestPublicFieldsSurviveAJSONRoundTrip(t *testing.T) {
	exp := time.Date(2027, 9, 30, 0, 0, 0, 0, time.UTC)
	p := catalog.Product{
		NameTH: "ผ้าไหม", NameEN: "Silk", DescriptionEN: "Hand-woven.", Category: "textile", CreativeIndustry: "crafts",
		OTOPStars: ptr(5), OTOPStarsYear: ptr(2024), Price: &catalog.Money{AmountMinor: 450000, Currency: "THB"},
		PriceTiers: []catalog.PriceTier{{MinQuantity: 10, AmountMinor: 420000}}, MOQ: ptr(2), Unit: "piece",
		LeadTimeDays: ptr(30), HSCode: "500720", WeightGrams: ptr(450), Tags: []string{"silk"},
		Certifications: []catalog.Certification{{Kind: "gi", Number: "GI-1"}, {Kind: "thai_fda", Number: "F-1", ExpiresOn: &exp}},
		Images:         []media.Image{{ID: uuid.New()}},
	}
	fields := catalog.PublicFields(p)
	b, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	var stored map[string]any
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fields, stored) {
		t.Fatalf("PublicFields differ from their JSON round trip:\n%#v\n%#v", fields, stored)
	}
	if changes, added, removed := catalog.Changes(stored, fields); len(changes)+len(added)+len(removed) != 0 {
		t.Errorf("an unchanged product shows changes %v +%v -%v", changes, added, removed)
	}
	p.Price.AmountMinor = 480000
	p.Images = append(p.Images, media.Image{ID: uuid.New()})
	changes, added, _ := catalog.Changes(stored, catalog.PublicFields(p))
	if len(changes) != 1 || changes[0].Field != "price" || len(added) != 1 {
		t.Errorf("changes = %+v, added %v; want the price and one photo", changes, added)
	}
}
