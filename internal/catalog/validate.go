package catalog

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/otopmarket/otop/internal/errs"
)

// Limits of the fields a client controls.
const (
	MaxNameLength        = 200
	MaxDescriptionLength = 5000
	MaxStoryLength       = 5000
	MaxPlaceNameLength   = 100
	MaxAmountMinor       = 1_000_000_000_000
	MaxMOQ               = 10_000_000
	MaxMonthlyCapacity   = 1_000_000_000
	MaxLeadTimeDays      = 365
	MaxWeightGrams       = 1_000_000
	MaxStock             = 1_000_000_000
	// MaxProductsPerProducer bounds a producer's products that are not archived.
	MaxProductsPerProducer = 2000
	MaxTags                = 20
	MaxTagLength           = 40
	MaxPriceTiers          = 10
	MaxCertifications      = 20
	MaxCertificationNumber = 64
	FirstStarsYear         = 2001 // the first OTOP Product Champion selection
	Currency               = "THB"
	otopStarsKind          = "otop_stars"
)

// Units lists the units a product is sold by.
func Units() []string {
	return []string{"piece", "set", "pair", "dozen", "box", "pack", "bag", "bottle", "jar", "roll",
		"kg", "g", "litre", "ml", "metre", "yard"}
}

var (
	hsCodePattern = regexp.MustCompile(`^\d{6}(\d{2}){0,2}$`)
	skuPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)
	phonePattern  = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{5,30}$`)
	lineIDPattern = regexp.MustCompile(`^@?[A-Za-z0-9._-]{1,63}$`)
)

func hasThai(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Thai, r) {
			return true
		}
	}
	return false
}

func checkName(v *errs.ValidationError, field, value string, thai bool) {
	switch n := utf8.RuneCountInString(value); {
	case n == 0:
		v.Add(field, "is required")
	case n > MaxNameLength:
		v.Add(field, fmt.Sprintf("must be at most %d characters", MaxNameLength))
	case thai && !hasThai(value):
		v.Add(field, "must be written in Thai script")
	}
}

func checkLength(v *errs.ValidationError, field, value string, maxLen int, required bool) {
	switch n := utf8.RuneCountInString(value); {
	case n == 0 && required:
		v.Add(field, "is required")
	case n > maxLen:
		v.Add(field, fmt.Sprintf("must be at most %d characters", maxLen))
	}
}

func checkRange(v *errs.ValidationError, field string, value *int, lo, hi int) bool {
	if value != nil && (*value < lo || *value > hi) {
		v.Add(field, fmt.Sprintf("must be between %d and %d", lo, hi))
		return false
	}
	return true
}

// validateProducer checks a producer profile as it would be stored.
func (s *Service) validateProducer(p Producer, v *errs.ValidationError) {
	checkName(v, "name_th", p.NameTH, true)
	checkName(v, "name_en", p.NameEN, false)
	if !p.Kind.Valid() {
		v.Add("kind", "must be one of community_enterprise, village_group, sme, individual")
	}
	checkLength(v, "amphoe", p.Amphoe, MaxPlaceNameLength, true)
	checkLength(v, "tambon", p.Tambon, MaxPlaceNameLength, true)
	if p.EnterpriseLevel < 1 || p.EnterpriseLevel > 4 {
		v.Add("enterprise_level", "must be an integer from 1 to 4 (enterprise 1.0–4.0)")
	}
	checkLength(v, "story_th", p.StoryTH, MaxStoryLength, false)
	checkLength(v, "story_en", p.StoryEN, MaxStoryLength, false)
	c := p.Contact
	if c == nil {
		return
	}
	if c.Phone != "" && !phonePattern.MatchString(c.Phone) {
		v.Add("contact.phone", "must be a phone number such as +66 53 123 456")
	}
	if c.Email != "" {
		addr, err := mail.ParseAddress(c.Email)
		if err != nil || addr.Address != c.Email || len(c.Email) > 254 {
			v.Add("contact.email", "must be an email address such as shop@example.com")
		}
	}
	if c.LineID != "" && !lineIDPattern.MatchString(c.LineID) {
		v.Add("contact.line_id", "must be a LINE ID (letters, digits, '.', '_' or '-', up to 64 characters)")
	}
	if c.Website != "" {
		u, err := url.Parse(c.Website)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(c.Website) > 300 {
			v.Add("contact.website", "must be an http or https address of at most 300 characters")
		}
	}
}

// validateProduct checks a product as it would be stored. forReview adds the
// rules of a product under review or published (a complete listing).
func (s *Service) validateProduct(p Product, forReview bool, v *errs.ValidationError) {
	checkName(v, "name_th", p.NameTH, true)
	checkName(v, "name_en", p.NameEN, false)
	checkLength(v, "description_th", p.DescriptionTH, MaxDescriptionLength, false)
	checkLength(v, "description_en", p.DescriptionEN, MaxDescriptionLength, false)
	if forReview && p.DescriptionTH == "" && p.DescriptionEN == "" {
		v.Add("description_en", "a description in English or Thai (description_th) is required for review")
	}
	if p.Category == "" {
		v.Add("category", "is required")
	} else if _, ok := s.places.Category(p.Category); !ok {
		v.Add("category", "must be one of food, beverage, textile, household, herbal")
	}
	if p.CreativeIndustry != "" {
		if _, ok := s.places.CreativeIndustry(p.CreativeIndustry); !ok {
			v.Add("creative_industry", "unknown creative industry; see GET /v1/creative-industries")
		}
	}
	s.validateStars(p, v)
	s.validatePrice(p, forReview, v)
	if p.MOQ == nil && forReview {
		v.Add("moq", "is required for review")
	}
	moqOK := checkRange(v, "moq", p.MOQ, 1, MaxMOQ)
	switch {
	case p.Unit == "" && forReview:
		v.Add("unit", "is required for review")
	case p.Unit != "" && !slices.Contains(Units(), p.Unit):
		v.Add("unit", "must be one of "+strings.Join(Units(), ", "))
	}
	if checkRange(v, "monthly_capacity", p.MonthlyCapacity, 1, MaxMonthlyCapacity) &&
		p.MonthlyCapacity != nil && p.MOQ != nil && moqOK && *p.MonthlyCapacity < *p.MOQ {
		v.Add("monthly_capacity", fmt.Sprintf("must be at least the moq (%d)", *p.MOQ))
	}
	checkRange(v, "lead_time_days", p.LeadTimeDays, 0, MaxLeadTimeDays)
	if p.HSCode != "" && !hsCodePattern.MatchString(p.HSCode) {
		v.Add("hs_code", "must be an HS code of 6, 8 or 10 digits")
	}
	checkRange(v, "weight_grams", p.WeightGrams, 1, MaxWeightGrams)
	checkRange(v, "stock", p.Stock, 0, MaxStock)
	if p.SKU != "" && !skuPattern.MatchString(p.SKU) {
		v.Add("sku", "must be 1 to 64 letters, digits or . _ / - (starting with a letter or digit)")
	}
	s.validateTags(p.Tags, v)
	s.validateCertifications(p.Certifications, v)
}

func (s *Service) validateStars(p Product, v *errs.ValidationError) {
	nextYear := s.now().Year() + 1
	starsOK := checkRange(v, "otop_stars", p.OTOPStars, 1, 5)
	yearOK := checkRange(v, "otop_stars_year", p.OTOPStarsYear, FirstStarsYear, nextYear)
	switch {
	case starsOK && p.OTOPStars == nil && p.OTOPStarsYear != nil:
		v.Add("otop_stars", "is required with otop_stars_year")
	case yearOK && p.OTOPStarsYear == nil && p.OTOPStars != nil:
		v.Add("otop_stars_year", "is required with otop_stars (the year the stars were awarded)")
	}
}

func (s *Service) validatePrice(p Product, forReview bool, v *errs.ValidationError) {
	priceOK := p.Price != nil
	moqOK := p.MOQ != nil && *p.MOQ >= 1 && *p.MOQ <= MaxMOQ
	if p.Price == nil {
		switch {
		case forReview:
			v.Add("price", "is required for review")
		case len(p.PriceTiers) > 0:
			v.Add("price", "is required when price_tiers are given")
		}
	} else {
		if p.Price.AmountMinor < 0 || p.Price.AmountMinor > MaxAmountMinor {
			v.Add("price.amount_minor", fmt.Sprintf("must be between 0 and %d (minor units: satang)", int64(MaxAmountMinor)))
			priceOK = false
		}
		if p.Price.Currency != Currency {
			v.Add("price.currency", "must be THB, the only currency accepted for now")
		}
	}
	if len(p.PriceTiers) > MaxPriceTiers {
		v.Add("price_tiers", fmt.Sprintf("must hold at most %d tiers", MaxPriceTiers))
		return
	}
	for i, t := range p.PriceTiers {
		at := "price_tiers[" + strconv.Itoa(i) + "]"
		switch {
		case t.MinQuantity < 1 || t.MinQuantity > MaxMonthlyCapacity:
			v.Add(at+".min_quantity", fmt.Sprintf("must be between 1 and %d", MaxMonthlyCapacity))
		case moqOK && t.MinQuantity < *p.MOQ:
			v.Add(at+".min_quantity", fmt.Sprintf("must be at least the moq (%d)", *p.MOQ))
		case i > 0 && t.MinQuantity <= p.PriceTiers[i-1].MinQuantity:
			v.Add(at+".min_quantity", fmt.Sprintf("must be greater than the previous tier's (%d)", p.PriceTiers[i-1].MinQuantity))
		}
		switch {
		case t.AmountMinor < 0 || t.AmountMinor > MaxAmountMinor:
			v.Add(at+".amount_minor", fmt.Sprintf("must be between 0 and %d", int64(MaxAmountMinor)))
		case i == 0 && priceOK && t.AmountMinor > p.Price.AmountMinor:
			v.Add(at+".amount_minor", fmt.Sprintf("must not exceed price.amount_minor (%d)", p.Price.AmountMinor))
		case i > 0 && t.AmountMinor > p.PriceTiers[i-1].AmountMinor:
			v.Add(at+".amount_minor", fmt.Sprintf("must not exceed the previous tier's (%d)", p.PriceTiers[i-1].AmountMinor))
		}
	}
}

func (s *Service) validateTags(tags []string, v *errs.ValidationError) {
	if len(tags) > MaxTags {
		v.Add("tags", fmt.Sprintf("must hold at most %d tags", MaxTags))
		return
	}
	for i, t := range tags {
		checkLength(v, "tags["+strconv.Itoa(i)+"]", t, MaxTagLength, true)
	}
}

func (s *Service) validateCertifications(certs []Certification, v *errs.ValidationError) {
	if len(certs) > MaxCertifications {
		v.Add("certifications", fmt.Sprintf("must hold at most %d certificates", MaxCertifications))
		return
	}
	for i, c := range certs {
		at := "certifications[" + strconv.Itoa(i) + "]"
		switch c.Kind {
		case "":
			v.Add(at+".kind", "is required")
		case otopStarsKind:
			v.Add(at+".kind", "OTOP stars are not a certificate: set otop_stars and otop_stars_year")
		default:
			if _, ok := s.places.CertificationKind(c.Kind); !ok {
				v.Add(at+".kind", "unknown certification kind; see GET /v1/certification-kinds")
			}
		}
		dup := slices.IndexFunc(certs[:i], func(o Certification) bool { return o.Kind == c.Kind && o.Number == c.Number })
		switch {
		case c.Number == "":
			v.Add(at+".number", "is required")
		case utf8.RuneCountInString(c.Number) > MaxCertificationNumber:
			v.Add(at+".number", fmt.Sprintf("must be at most %d characters", MaxCertificationNumber))
		case dup >= 0:
			v.Add(at+".number", fmt.Sprintf("repeats certifications[%d]", dup))
		}
	}
}

// parseDate reads an ISO 8601 calendar date (YYYY-MM-DD).
// Dates a client sends (certificate expiry) lie between these years: a
// year 0 or 9999 is a typing slip, and PostgreSQL's date cannot hold some.
const (
	minDateYear = 1950
	maxDateYear = 2200
)

func parseDate(s string) (time.Time, bool) {
	d, err := time.Parse(time.DateOnly, s)
	return d, err == nil && d.Year() >= minDateYear && d.Year() <= maxDateYear
}

// normaliseTags trims and lowercases tags and drops repeats, keeping order.
// Empty and overlong tags are reported at their index in the request and left out.
func normaliseTags(tags []string, v *errs.ValidationError) []string {
	out := make([]string, 0, len(tags))
	for i, t := range tags {
		t = strings.ToLower(strings.Join(strings.Fields(t), " "))
		switch n := utf8.RuneCountInString(t); {
		case n == 0:
			v.Add("tags["+strconv.Itoa(i)+"]", "must not be empty")
		case n > MaxTagLength:
			v.Add("tags["+strconv.Itoa(i)+"]", fmt.Sprintf("must be at most %d characters", MaxTagLength))
		case !slices.Contains(out, t):
			out = append(out, t)
		}
	}
	return out
}

// normaliseHSCode drops the dots and spaces of the usual notation (5007.20.00).
func normaliseHSCode(s string) string {
	return strings.NewReplacer(".", "", " ", "").Replace(s)
}
