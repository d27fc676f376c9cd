package demo

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/taxonomy"
)

//go:embed data/*.json
var dataFS embed.FS

// Names of the data files, relative to data/.
const (
	fileCuration       = "curation.json"        // what curators write and what producers change
	fileVariants       = "variants.json"        // the ways a product line varies: patterns, colours, sizes
	fileFamilies       = "families.json"        // product lines, grouped in families that crafts share
	fileCrafts         = "crafts.json"          // crafts: the families they make, how producers are named
	fileProvinceCrafts = "province_crafts.json" // the crafts each province practises, where and under which name
	fileNames          = "names.json"           // villages and people
)

// Limits of the data. The generator keeps a product's variant picks and the
// order of its certificates in fixed arrays and caps lead times at 90 days;
// a base price above a million baht is a typo.
const (
	maxVariantDimensions = 8
	maxCertifications    = 8
	maxLeadTimeDays      = 90
	maxPriceBaht         = 1_000_000
)

// library is the demo data, checked and resolved: each craft with its product
// lines ready to generate from, what each province practises, the names
// producers are given and the curation texts.
type library struct {
	crafts    map[string]*craft
	provinces map[string]*provinceCrafts
	names     names
	texts     *texts
}

// variantDimension is one way a product line varies, e.g. its dye or its pack
// size; a product's name gets one option of each dimension of its line.
type variantDimension struct {
	ID      string    `json:"id"`
	Options []variant `json:"options"`
}

// variant is one option of a dimension. PricePercent scales the line's base
// price and WeightPercent its unit weight (omitted: 100, unchanged); Tag, when
// set, is added to the product's tags.
type variant struct {
	NameTH        string `json:"name_th"`
	NameEN        string `json:"name_en"`
	Tag           string `json:"tag"`
	PricePercent  *int   `json:"price_percent"`
	WeightPercent *int   `json:"weight_percent"`

	priceFactor, weightFactor int64 // the percentages, 100 when omitted
}

// productLine is a kind of product a craft makes, e.g. a mudmee silk shawl.
// Its names and descriptions may hold "{o}", the origin (the craft's as a
// province practises it, or the province), and its family's parameters, e.g.
// "{material_en}", which the craft fills in.
type productLine struct {
	ID               string   `json:"id"`
	NameTH           string   `json:"name_th"` // a product adds one option of each variant dimension
	NameEN           string   `json:"name_en"`
	DescriptionTH    string   `json:"description_th"`
	DescriptionEN    string   `json:"description_en"`
	Category         string   `json:"category"`
	CreativeIndustry string   `json:"creative_industry"` // omitted when the line is not creative
	Unit             string   `json:"unit"`
	HSCode           string   `json:"hs_code"`
	UnitWeightGrams  int      `json:"unit_weight_grams"` // before the variants' weight_percent
	ArtStyle         string   `json:"art_style"`         // the picture Art draws
	PriceBaht        span     `json:"price_baht"`        // base price of one unit, before the variants' price_percent
	MinimumOrder     span     `json:"minimum_order"`
	MonthlyCapacity  span     `json:"monthly_capacity"` // raised to four minimum orders when below
	LeadTimeDays     span     `json:"lead_time_days"`
	Tags             []string `json:"tags"`
	Certifications   []string `json:"certifications"` // the kinds a product may hold
	CoveredByGI      bool     `json:"covered_by_gi"`  // holds a GI certificate when its craft's origin is a registered GI
	ContainsPork     bool     `json:"contains_pork"`
	Variants         []string `json:"variants"` // dimension ids, in the order their options join the name

	dimensions [][]variant // Variants, looked up
}

// span is an inclusive range of whole numbers that a value is drawn from.
type span struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// family is a set of product lines that crafts share, e.g. basketry, which the
// crafts working krajood, bamboo or water hyacinth each make in their
// material. Parameters name the placeholders its lines use ("{material_en}").
type family struct {
	ID         string        `json:"id"`
	Parameters []string      `json:"parameters"`
	Products   []productLine `json:"products"`
}

// craft is what a producer makes: product families, and the words that name
// the producer (TradeTH "ทอผ้าไหม", TradeEN "Silk Weavers") and begin its
// story, where {v} is the village, {p} the province and {o} the origin.
type craft struct {
	ID      string `json:"id"`
	TradeTH string `json:"trade_th"`
	TradeEN string `json:"trade_en"`
	StoryTH string `json:"story_th"`
	StoryEN string `json:"story_en"`
	// RegisteredGI: the craft's origin is a registered geographical
	// indication, so the lines the GI covers carry its certificate.
	RegisteredGI        bool        `json:"registered_gi"`
	ExtraCertifications []string    `json:"extra_certifications"` // added to every line, e.g. organic
	ProductFamilies     []familyUse `json:"product_families"`

	lines []productLine // the families' lines, parameters filled in and certificates added
}

// familyUse is a family a craft makes: all its lines, or only Products, with
// Parameters filling in the family's placeholders.
type familyUse struct {
	Family     string            `json:"family"`
	Parameters map[string]string `json:"parameters"`
	Products   []string          `json:"products"`
}

// provinceCrafts lists the crafts a province's producers practise, in turn.
// NoPork marks a province with a Muslim majority, where no pork is made.
type provinceCrafts struct {
	Province string     `json:"province"`
	NoPork   bool       `json:"no_pork"`
	Crafts   []practice `json:"crafts"`
}

// practice is a craft practised in a province. The origin names its products
// (omitted: the province's name); Amphoe and Tambon are where the craft is
// known to be (omitted: chosen plausibly).
type practice struct {
	Craft    string `json:"craft"`
	OriginTH string `json:"origin_th"`
	OriginEN string `json:"origin_en"`
	place
}

// place is an amphoe and a tambon, in Thai script.
type place struct {
	Amphoe string `json:"amphoe"`
	Tambon string `json:"tambon"`
}

// names are what producers and their villages are called.
type names struct {
	Villages      []bilingual `json:"villages"`
	GivenNames    []bilingual `json:"given_names"`
	FamilyNames   []bilingual `json:"family_names"`
	BangkokPlaces []place     `json:"bangkok_places"` // Bangkok has urban communities, not villages
}

type bilingual struct {
	TH string `json:"name_th"`
	EN string `json:"name_en"`
}

func readEmbedded(name string) ([]byte, error) { return dataFS.ReadFile("data/" + name) }

// load reads the data files through read, checks them against tax and each
// other, and resolves each craft's product lines. The error lists every
// problem found.
func load(tax *taxonomy.Taxonomy, read func(string) ([]byte, error)) (*library, error) {
	var (
		lib        library
		dimensions []variantDimension
		families   []family
		crafts     []craft
		provinces  []provinceCrafts
	)
	txt, err := loadTexts(tax, read)
	err = errors.Join(err,
		decodeFile(read, fileVariants, &dimensions),
		decodeFile(read, fileFamilies, &families),
		decodeFile(read, fileCrafts, &crafts),
		decodeFile(read, fileProvinceCrafts, &provinces),
		decodeFile(read, fileNames, &lib.names),
	)
	if err != nil {
		return nil, err
	}
	v := &validator{seen: map[string]bool{}}
	dims := checkVariants(v, dimensions)
	fams := checkFamilies(v, tax, families, dims)
	lib.crafts = resolveCrafts(v, tax, crafts, fams)
	lib.provinces = checkProvinces(v, tax, provinces, lib.crafts)
	checkNames(v, &lib.names)
	checkUse(v, dimensions, families, crafts, provinces)
	if err := v.err(); err != nil {
		return nil, fmt.Errorf("demo data: invalid:\n%w", err)
	}
	lib.texts = txt
	return &lib, nil
}

func checkVariants(v *validator, dimensions []variantDimension) map[string][]variant {
	byID := make(map[string][]variant, len(dimensions))
	for i := range dimensions {
		d := &dimensions[i]
		what := fileVariants + ": " + d.ID
		switch _, dup := byID[d.ID]; {
		case d.ID == "":
			v.addf("%s: dimension %d has no id", fileVariants, i+1)
			continue
		case dup:
			v.addf("%s: duplicate id", what)
			continue
		case len(d.Options) == 0:
			v.addf("%s: no options", what)
		}
		seen := map[string]bool{}
		for j := range d.Options {
			o := &d.Options[j]
			ow := fmt.Sprintf("%s option %d", what, j+1)
			v.thai(ow, "name_th", o.NameTH)
			v.ascii(ow, "name_en", o.NameEN)
			if seen[o.NameEN] {
				v.addf("%s: name_en %q repeats an earlier option", ow, o.NameEN)
			}
			seen[o.NameEN] = true
			if o.Tag != "" {
				v.tag(ow, o.Tag)
			}
			o.priceFactor = v.percent(ow, "price_percent", o.PricePercent)
			o.weightFactor = v.percent(ow, "weight_percent", o.WeightPercent)
		}
		byID[d.ID] = d.Options
	}
	return byID
}

// checkFamilies checks what a product line says whatever craft makes it; the
// texts, which parameters complete, are checked in resolveCrafts.
func checkFamilies(v *validator, tax *taxonomy.Taxonomy, families []family, dims map[string][]variant) map[string]*family {
	units := catalog.Units()
	byID := make(map[string]*family, len(families))
	for i := range families {
		f := &families[i]
		what := fileFamilies + ": " + f.ID
		switch _, dup := byID[f.ID]; {
		case f.ID == "":
			v.addf("%s: family %d has no id", fileFamilies, i+1)
			continue
		case dup:
			v.addf("%s: duplicate id", what)
			continue
		case len(f.Products) == 0:
			v.addf("%s: no products", what)
		}
		byID[f.ID] = f
		for k, p := range f.Parameters {
			if !validParameter(p) || slices.Contains(f.Parameters[:k], p) {
				v.addf("%s: parameter %q must be lower_case, unique and none of o, v, p", what, p)
			}
		}
		used := map[string]bool{}
		ids := map[string]bool{}
		for j := range f.Products {
			l := &f.Products[j]
			lw := what + "/" + l.ID
			switch {
			case l.ID == "":
				v.addf("%s: product %d has no id", what, j+1)
				lw = fmt.Sprintf("%s product %d", what, j+1)
			case ids[l.ID]:
				v.addf("%s: duplicate id", lw)
			}
			ids[l.ID] = true
			// The origin goes into names and descriptions only.
			texts := []string{l.NameTH, l.NameEN, l.DescriptionTH, l.DescriptionEN}
			for k, s := range slices.Concat(texts, []string{l.HSCode}, l.Tags) {
				for _, ph := range placeholders(s) {
					switch {
					case slices.Contains(f.Parameters, ph):
						used[ph] = true
					case ph != "o" || k >= len(texts):
						v.addf("%s: unknown placeholder {%s} in %q", lw, ph, s)
					}
				}
			}
			if _, ok := tax.Category(l.Category); !ok {
				v.addf("%s: unknown category %q", lw, l.Category)
			}
			if _, ok := tax.CreativeIndustry(l.CreativeIndustry); !ok && l.CreativeIndustry != "" {
				v.addf("%s: unknown creative industry %q", lw, l.CreativeIndustry)
			}
			if !slices.Contains(units, l.Unit) {
				v.addf("%s: unit %q is not one of %q", lw, l.Unit, units)
			}
			v.span(lw, "price_baht", l.PriceBaht, 1, maxPriceBaht)
			v.span(lw, "minimum_order", l.MinimumOrder, 1, catalog.MaxMOQ)
			v.span(lw, "monthly_capacity", l.MonthlyCapacity, 1, catalog.MaxMonthlyCapacity)
			v.span(lw, "lead_time_days", l.LeadTimeDays, 0, maxLeadTimeDays)
			if l.UnitWeightGrams < 1 || l.UnitWeightGrams > catalog.MaxWeightGrams {
				v.addf("%s: unit_weight_grams %d is not within 1–%d", lw, l.UnitWeightGrams, catalog.MaxWeightGrams)
			}
			if drawer(l.ArtStyle) == nil {
				v.addf("%s: Art draws no style %q", lw, l.ArtStyle)
			}
			v.certifications(lw, tax, l.Certifications)
			if len(l.Variants) > maxVariantDimensions {
				v.addf("%s: %d variant dimensions, at most %d", lw, len(l.Variants), maxVariantDimensions)
			}
			for k, id := range l.Variants {
				d, ok := dims[id]
				switch {
				case !ok:
					v.addf("%s: unknown variant dimension %q", lw, id)
				case slices.Contains(l.Variants[:k], id):
					v.addf("%s: variant dimension %q twice", lw, id)
				}
				l.dimensions = append(l.dimensions, d)
			}
		}
		for _, p := range f.Parameters {
			if !used[p] {
				v.addf("%s: parameter %q is used by none of its products", what, p)
			}
		}
	}
	return byID
}

// resolveCrafts gives each craft its product lines: its families' lines with
// the parameters filled in, and the GI and extra certificates added.
func resolveCrafts(v *validator, tax *taxonomy.Taxonomy, crafts []craft, families map[string]*family) map[string]*craft {
	byID := make(map[string]*craft, len(crafts))
	for i := range crafts {
		c := &crafts[i]
		what := fileCrafts + ": " + c.ID
		switch _, dup := byID[c.ID]; {
		case c.ID == "":
			v.addf("%s: craft %d has no id", fileCrafts, i+1)
			continue
		case dup:
			v.addf("%s: duplicate id", what)
			continue
		}
		byID[c.ID] = c
		v.thai(what, "trade_th", c.TradeTH)
		v.ascii(what, "trade_en", c.TradeEN)
		v.thai(what, "story_th", c.StoryTH)
		v.english(what, "story_en", c.StoryEN)
		for _, s := range []string{c.StoryTH, c.StoryEN} {
			for _, ph := range placeholders(s) {
				if ph != "v" && ph != "p" && ph != "o" {
					v.addf("%s: unknown placeholder {%s} in a story: only {v}, {p} and {o}", what, ph)
				}
			}
		}
		v.certifications(what+" extra_certifications", tax, c.ExtraCertifications)
		if len(c.ProductFamilies) == 0 {
			v.addf("%s: makes no product family", what)
		}
		for _, use := range c.ProductFamilies {
			f, ok := families[use.Family]
			if !ok {
				v.addf("%s: unknown family %q", what, use.Family)
				continue
			}
			c.lines = append(c.lines, resolveLines(v, what, c, f, use)...)
		}
		if c.RegisteredGI && !slices.ContainsFunc(c.lines, func(l productLine) bool { return l.CoveredByGI }) {
			v.addf("%s: registered_gi, but the GI covers none of its products", what)
		}
	}
	return byID
}

func resolveLines(v *validator, what string, c *craft, f *family, use familyUse) []productLine {
	var pairs []string
	for _, p := range f.Parameters {
		val, ok := use.Parameters[p]
		if !ok || val == "" || strings.ContainsAny(val, "{}") {
			v.addf("%s: family %s needs parameter %q, without braces", what, f.ID, p)
		}
		pairs = append(pairs, "{"+p+"}", val)
	}
	for p := range use.Parameters {
		if !slices.Contains(f.Parameters, p) {
			v.addf("%s: family %s has no parameter %q", what, f.ID, p)
		}
	}
	fill := strings.NewReplacer(pairs...).Replace

	lines := f.Products
	if use.Products != nil {
		lines = nil
		for k, id := range use.Products {
			i := slices.IndexFunc(f.Products, func(l productLine) bool { return l.ID == id })
			if i < 0 || slices.Contains(use.Products[:k], id) {
				v.addf("%s: family %s has no product %q, or it is listed twice", what, f.ID, id)
				continue
			}
			lines = append(lines, f.Products[i])
		}
	}
	out := make([]productLine, 0, len(lines))
	for _, l := range lines {
		// Texts that parameters complete are the craft's to get right; the
		// others are the family's, reported once whichever craft makes it.
		lw := fileFamilies + ": " + f.ID + "/" + l.ID
		if len(f.Parameters) > 0 {
			lw = what + ": " + f.ID + "/" + l.ID
		}
		l.NameTH, l.NameEN = fill(l.NameTH), fill(l.NameEN)
		l.DescriptionTH, l.DescriptionEN = fill(l.DescriptionTH), fill(l.DescriptionEN)
		l.HSCode = fill(l.HSCode)
		tags := make([]string, len(l.Tags))
		for k, t := range l.Tags {
			tags[k] = fill(t)
			v.tag(lw, tags[k])
			if slices.Contains(tags[:k], tags[k]) {
				v.addf("%s: tag %q twice", lw, tags[k])
			}
		}
		l.Tags = tags
		certs := slices.Clone(l.Certifications)
		if c.RegisteredGI && l.CoveredByGI {
			certs = append(certs, certGI)
		}
		certs = append(certs, c.ExtraCertifications...)
		l.Certifications = certs
		v.thai(lw, "name_th", l.NameTH)
		v.ascii(lw, "name_en", l.NameEN)
		v.thai(lw, "description_th", l.DescriptionTH)
		v.english(lw, "description_en", l.DescriptionEN)
		if !validHSCode(l.HSCode) {
			v.addf("%s: hs_code %q is not 6 digits", lw, l.HSCode)
		}
		if hasDuplicate(l.Certifications) {
			v.addf("%s: the certifications of %s's product %q repeat a kind", what, f.ID, l.ID)
		}
		if len(l.Certifications) > maxCertifications {
			v.addf("%s: %s's product %q may hold %d kinds of certificate, at most %d", what, f.ID, l.ID, len(l.Certifications), maxCertifications)
		}
		out = append(out, l)
	}
	return out
}

func checkProvinces(v *validator, tax *taxonomy.Taxonomy, provinces []provinceCrafts, crafts map[string]*craft) map[string]*provinceCrafts {
	byCode := make(map[string]*provinceCrafts, len(provinces))
	for i := range provinces {
		pc := &provinces[i]
		what := fileProvinceCrafts + ": " + pc.Province
		if _, ok := tax.Province(pc.Province); !ok {
			v.addf("%s: unknown province", what)
		}
		if _, dup := byCode[pc.Province]; dup {
			v.addf("%s: listed twice", what)
		}
		byCode[pc.Province] = pc
		if len(pc.Crafts) == 0 {
			v.addf("%s: practises no craft", what)
		}
		for j, p := range pc.Crafts {
			pw := fmt.Sprintf("%s craft %d (%s)", what, j+1, p.Craft)
			if (p.OriginTH == "") != (p.OriginEN == "") {
				v.addf("%s: origin_th and origin_en go together", pw)
			} else if p.OriginTH != "" {
				v.thai(pw, "origin_th", p.OriginTH)
				v.ascii(pw, "origin_en", p.OriginEN)
			}
			v.place(pw, p.place)
			c, ok := crafts[p.Craft]
			switch {
			case !ok:
				v.addf("%s: unknown craft", pw)
			case pc.NoPork && !slices.ContainsFunc(c.lines, func(l productLine) bool { return !l.ContainsPork }):
				v.addf("%s: every product of the craft contains pork, in a province without pork", pw)
			}
		}
	}
	all, _ := tax.Provinces(taxonomy.ProvinceFilter{})
	for _, p := range all {
		if _, ok := byCode[p.Code]; !ok {
			v.addf("%s: province %s is missing", fileProvinceCrafts, p.Code)
		}
	}
	return byCode
}

func checkNames(v *validator, n *names) {
	for _, list := range []struct {
		field string
		names []bilingual
	}{{"villages", n.Villages}, {"given_names", n.GivenNames}, {"family_names", n.FamilyNames}} {
		what := fileNames + ": " + list.field
		if len(list.names) == 0 {
			v.addf("%s: empty", what)
		}
		for i, b := range list.names {
			v.thai(fmt.Sprintf("%s %d", what, i+1), "name_th", b.TH)
			v.ascii(fmt.Sprintf("%s %d", what, i+1), "name_en", b.EN)
		}
	}
	if len(n.BangkokPlaces) == 0 {
		v.addf("%s: bangkok_places: empty", fileNames)
	}
	for i, p := range n.BangkokPlaces {
		if p.Amphoe == "" {
			v.addf("%s: bangkok_places %d: empty", fileNames, i+1)
		}
		v.place(fmt.Sprintf("%s: bangkok_places %d", fileNames, i+1), p)
	}
}

// checkUse reports data nothing refers to: most likely a misspelt reference.
func checkUse(v *validator, dimensions []variantDimension, families []family, crafts []craft, provinces []provinceCrafts) {
	usedDims, usedFams, usedCrafts := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, f := range families {
		for _, l := range f.Products {
			for _, id := range l.Variants {
				usedDims[id] = true
			}
		}
	}
	for _, c := range crafts {
		for _, u := range c.ProductFamilies {
			usedFams[u.Family] = true
		}
	}
	for _, pc := range provinces {
		for _, p := range pc.Crafts {
			usedCrafts[p.Craft] = true
		}
	}
	for _, d := range dimensions {
		if !usedDims[d.ID] {
			v.addf("%s: %s: no product line varies by it", fileVariants, d.ID)
		}
	}
	for _, f := range families {
		if !usedFams[f.ID] {
			v.addf("%s: %s: no craft makes it", fileFamilies, f.ID)
		}
	}
	for _, c := range crafts {
		if !usedCrafts[c.ID] {
			v.addf("%s: %s: no province practises it", fileCrafts, c.ID)
		}
	}
}

// decodeFile strictly decodes data file name into dst: unknown fields and
// trailing data are errors, so that a misspelt field does not read as empty.
func decodeFile(read func(string) ([]byte, error), name string, dst any) error {
	b, err := read(name)
	if err != nil {
		return fmt.Errorf("demo data/%s: %w", name, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fmt.Errorf("demo data/%s: %w", name, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("demo data/%s: unexpected data after the top-level value", name)
	}
	return nil
}

// validator collects every problem found in the data, each once: a family's
// problem would otherwise be repeated for every craft that makes it.
type validator struct {
	problems []error
	seen     map[string]bool
}

func (v *validator) addf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !v.seen[msg] {
		v.seen[msg] = true
		v.problems = append(v.problems, errors.New(msg))
	}
}

func (v *validator) err() error { return errors.Join(v.problems...) }

func (v *validator) thai(what, field, s string) {
	if !hasThai(s) {
		v.addf("%s: %s %q is not written in Thai script", what, field, s)
	}
}

// ascii checks an English name: producer and product names in English are
// plain ASCII.
func (v *validator) ascii(what, field, s string) {
	if s == "" || !isEnglish(s) {
		v.addf("%s: %s %q is empty or not plain ASCII", what, field, s)
	}
}

func (v *validator) english(what, field, s string) {
	if s == "" || hasThai(s) {
		v.addf("%s: %s %q is empty or contains Thai script", what, field, s)
	}
}

// tag checks a tag as the catalogue stores it: lower case, trimmed, short.
func (v *validator) tag(what, t string) {
	if t == "" || t != strings.ToLower(strings.TrimSpace(t)) || utf8.RuneCountInString(t) > catalog.MaxTagLength {
		v.addf("%s: tag %q must be lower case, trimmed and 1–%d characters", what, t, catalog.MaxTagLength)
	}
}

func (v *validator) percent(what, field string, p *int) int64 {
	if p == nil {
		return 100
	}
	if *p < 10 || *p > 1000 {
		v.addf("%s: %s %d is not within 10–1000", what, field, *p)
	}
	return int64(*p)
}

func (v *validator) span(what, field string, s span, lo, hi int) {
	if s.Min < lo || s.Max < s.Min || s.Max > hi {
		v.addf("%s: %s %d–%d is not a range within %d–%d", what, field, s.Min, s.Max, lo, hi)
	}
}

func (v *validator) certifications(what string, tax *taxonomy.Taxonomy, kinds []string) {
	for _, k := range kinds {
		if _, ok := tax.CertificationKind(k); !ok || k == starsKind {
			v.addf("%s: unknown certification kind %q", what, k)
		}
	}
}

// place checks an amphoe and tambon: both in Thai script, or neither.
func (v *validator) place(what string, p place) {
	switch {
	case (p.Amphoe == "") != (p.Tambon == ""):
		v.addf("%s: amphoe and tambon go together", what)
	case p.Amphoe != "":
		v.thai(what, "amphoe", p.Amphoe)
		v.thai(what, "tambon", p.Tambon)
	}
}

// placeholders lists the names in braces in s; an unclosed brace yields "".
func placeholders(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			return out
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return append(out, "")
		}
		out = append(out, s[i+1:i+j])
		s = s[i+j+1:]
	}
}

// validParameter: a parameter's name is lower_case and not one of the
// placeholders the generator fills in ({o}, and {v} and {p} in stories).
func validParameter(p string) bool {
	return p != "" && strings.Trim(p, "abcdefghijklmnopqrstuvwxyz_") == "" && p != "o" && p != "v" && p != "p"
}

func validHSCode(s string) bool {
	return len(s) == 6 && strings.Trim(s, "0123456789") == ""
}

func hasDuplicate(s []string) bool {
	c := slices.Clone(s)
	sort.Strings(c)
	return len(slices.Compact(c)) != len(s)
}
