package catalog

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/otopmarket/otop/internal/account"
)

// ReadinessItem is one point of the export-readiness checklist, with a
// message the producer can act on.
type ReadinessItem struct {
	ID      string
	Met     bool
	Message string
}

// Readiness is the export-readiness checklist a TOPOTOP designation needs.
type Readiness struct {
	Ready bool
	Items []ReadinessItem
}

// Unmet lists the ids of the items not met.
func (r Readiness) Unmet() []string {
	var out []string
	for _, it := range r.Items {
		if !it.Met {
			out = append(out, it.ID)
		}
	}
	return out
}

// Lost reports whether an item met in r is no longer met in after: a
// change that makes a TOPOTOP product lose its readiness. A product an
// admin designated without readiness keeps it until it loses more.
func (r Readiness) Lost(after Readiness) bool {
	for i, it := range r.Items {
		if it.Met && i < len(after.Items) && !after.Items[i].Met {
			return true
		}
	}
	return false
}

// Readiness thresholds.
const (
	ReadyDescriptionChars = 80
	ReadyPhotos           = 3
	ReadyStars            = 4
)

// fdaCategories need a verified Thai FDA (อย.) certificate to be export-ready.
var fdaCategories = []string{"food", "beverage", "herbal"}

// CheckReadiness checks p against the export-readiness checklist on the
// given day: what an importer needs to order it abroad, and what the
// TOPOTOP brand promises.
func CheckReadiness(p Product, now time.Time) Readiness {
	counted := func(kind string) bool {
		return slices.ContainsFunc(p.Certifications, func(c Certification) bool {
			return (kind == "" || c.Kind == kind) && c.Counts(now)
		})
	}
	certMet, certMsg := counted(""), "at least one certificate verified by your Select center and not expired"
	if slices.Contains(fdaCategories, p.Category) {
		certMet, certMsg = counted("thai_fda"), "a Thai FDA (อย.) certificate verified by your Select center and not expired; food, beverages and herbal products need one to export"
	}
	items := []ReadinessItem{
		{"english_name", p.NameEN != "", "an English name"},
		{"english_description", utf8.RuneCountInString(p.DescriptionEN) >= ReadyDescriptionChars,
			fmt.Sprintf("an English description of at least %d characters (now %d)", ReadyDescriptionChars, utf8.RuneCountInString(p.DescriptionEN))},
		{"photos", len(p.Images) >= ReadyPhotos, fmt.Sprintf("at least %d photos (now %d)", ReadyPhotos, len(p.Images))},
		{"price_moq_unit", p.Price != nil && p.MOQ != nil && p.Unit != "", "a price, a minimum order quantity and a unit"},
		{"lead_time", p.LeadTimeDays != nil, "a lead time in days"},
		{"monthly_capacity", p.MonthlyCapacity != nil, "a monthly production capacity"},
		{"hs_code", p.HSCode != "", "an HS code for customs"},
		{"weight", p.WeightGrams != nil, "a unit weight in grams, for shipping quotes"},
		{"certificate", certMet, certMsg},
		{"otop_stars", p.VerifiedStars() >= ReadyStars,
			fmt.Sprintf("an OTOP Product Champion rating of %d stars or more, verified by your Select center", ReadyStars)},
	}
	r := Readiness{Ready: true, Items: items}
	for _, it := range items {
		r.Ready = r.Ready && it.Met
	}
	return r
}

// PublicFields are the fields a curator reviews, by their API names, as
// plain JSON values (strings, float64 numbers, []any, map[string]any, nil):
// what the published version keeps and what a resubmission is compared
// with, equal to what storing them as JSON and reading them back gives.
// Photos are listed by id.
func PublicFields(p Product) map[string]any {
	certs := make([]any, len(p.Certifications))
	for i, c := range p.Certifications {
		certs[i] = map[string]any{"kind": c.Kind, "number": c.Number, "expires_on": dateOrNil(c.ExpiresOn)}
	}
	tiers := make([]any, len(p.PriceTiers))
	for i, t := range p.PriceTiers {
		tiers[i] = map[string]any{"min_quantity": float64(t.MinQuantity), "amount_minor": float64(t.AmountMinor)}
	}
	images := make([]any, len(p.Images))
	for i, img := range p.Images {
		images[i] = img.ID.String()
	}
	tags := make([]any, len(p.Tags))
	for i, t := range p.Tags {
		tags[i] = t
	}
	var price any
	if p.Price != nil {
		price = map[string]any{"amount_minor": float64(p.Price.AmountMinor), "currency": p.Price.Currency}
	}
	return map[string]any{
		"name_th": p.NameTH, "name_en": p.NameEN, "description_th": p.DescriptionTH, "description_en": p.DescriptionEN,
		"category": p.Category, "creative_industry": textOrNil(p.CreativeIndustry),
		"otop_stars": numberOrNil(p.OTOPStars), "otop_stars_year": numberOrNil(p.OTOPStarsYear),
		"price": price, "price_tiers": tiers, "moq": numberOrNil(p.MOQ), "unit": textOrNil(p.Unit),
		"monthly_capacity": numberOrNil(p.MonthlyCapacity), "lead_time_days": numberOrNil(p.LeadTimeDays),
		"hs_code": textOrNil(p.HSCode), "weight_grams": numberOrNil(p.WeightGrams), "tags": tags,
		"certifications": certs, "images": images,
	}
}

func numberOrNil(n *int) any {
	if n == nil {
		return nil
	}
	return float64(*n)
}

// FieldChange is one field that differs between two versions.
type FieldChange struct {
	Field  string
	Before any
	After  any
}

// Changes lists what differs from before to after, field by field in name
// order; photos are reported as added and removed ids. Both are maps of
// plain JSON values, as PublicFields returns them and as they are read back
// from storage.
func Changes(before, after map[string]any) (fields []FieldChange, photosAdded, photosRemoved []string) {
	keys := make([]string, 0, len(after))
	for k := range after {
		keys = append(keys, k)
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k == "images" {
			was, now := stringsOf(before[k]), stringsOf(after[k])
			for _, id := range now {
				if !slices.Contains(was, id) {
					photosAdded = append(photosAdded, id)
				}
			}
			for _, id := range was {
				if !slices.Contains(now, id) {
					photosRemoved = append(photosRemoved, id)
				}
			}
			continue
		}
		if !reflect.DeepEqual(before[k], after[k]) {
			fields = append(fields, FieldChange{Field: k, Before: before[k], After: after[k]})
		}
	}
	return fields, photosAdded, photosRemoved
}

// ChangedFields returns the fields of before and after that differ, for an
// audit row's before/after; they may hold any values JSON encodes.
func ChangedFields(before, after map[string]any) (map[string]any, map[string]any) {
	before, after = normalise(before), normalise(after)
	fields, added, removed := Changes(before, after)
	b, a := map[string]any{}, map[string]any{}
	for _, f := range fields {
		b[f.Field], a[f.Field] = f.Before, f.After
	}
	if len(added) > 0 || len(removed) > 0 {
		b["images"], a["images"] = before["images"], after["images"]
	}
	return b, a
}

// normalise passes m through JSON, so that values read back from storage and
// values made in memory compare equal.
func normalise(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	b, err := json.Marshal(m)
	if err != nil {
		panic(err) // plain values always marshal
	}
	out := map[string]any{}
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func stringsOf(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func dateOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Format(time.DateOnly)
}

func textOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CanSee reports whether p may see prod at all: published products are
// public; the rest is for the owner, the curators of its center and admins.
func CanSee(p account.Principal, prod Product) bool {
	return prod.Status == StatusPublished || Privileged(p, prod)
}

// Privileged reports whether p sees everything about prod: its owner, the
// curators of its Select center and admins.
func Privileged(p account.Principal, prod Product) bool {
	return (!p.Anonymous() && prod.OwnerID == p.UserID) || p.CanCurate(prod.SelectCenterID)
}

// ClearedVerifications carries the verifications of next's certificates and
// stars over from cur where the claim is unchanged, and clears them where
// the producer changed it.
func ClearedVerifications(cur Product, next *Product) {
	for i, c := range next.Certifications {
		next.Certifications[i].Verification = Verification{}
		for _, old := range cur.Certifications {
			if sameCertifications([]Certification{old}, []Certification{c}) {
				next.Certifications[i].Verification = old.Verification
				break
			}
		}
	}
	if !sameIntPtr(cur.OTOPStars, next.OTOPStars) || !sameIntPtr(cur.OTOPStarsYear, next.OTOPStarsYear) {
		next.StarsVerification = Verification{}
	}
}

func sameIntPtr(a, b *int) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}
