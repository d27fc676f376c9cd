package demo

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/taxonomy"
)

var testNow = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)

func loadTax(tb testing.TB) *taxonomy.Taxonomy {
	tb.Helper()
	tax, err := taxonomy.Load()
	if err != nil {
		tb.Fatalf("taxonomy.Load: %v", err)
	}
	return tax
}

// loadLibrary is load of the embedded data that fails the test on an error.
func loadLibrary(tb testing.TB, tax *taxonomy.Taxonomy) *library {
	tb.Helper()
	lib, err := load(tax, readEmbedded)
	if err != nil {
		tb.Fatalf("load: %v", err)
	}
	return lib
}

// generate is Generate that fails the test on an error.
func generate(tb testing.TB, tax *taxonomy.Taxonomy, o Options) ([]Producer, []Product) {
	tb.Helper()
	producers, products, err := Generate(tax, o)
	if err != nil {
		tb.Fatalf("Generate: %v", err)
	}
	return producers, products
}

func hasThaiScript(s string) bool {
	for _, r := range s {
		if r >= 0x0E00 && r <= 0x0E7F {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func TestGenerateDeterministic(t *testing.T) {
	tax := loadTax(t)
	o := Options{Seed: 42, Now: testNow, Products: 800}
	p1, q1 := generate(t, tax, o)
	p2, q2 := generate(t, tax, o)
	if !reflect.DeepEqual(p1, p2) || !reflect.DeepEqual(q1, q2) {
		t.Fatalf("same seed gave different results")
	}
	o.Seed = 43
	p3, q3 := generate(t, tax, o)
	if reflect.DeepEqual(p1, p3) || reflect.DeepEqual(q1, q3) {
		t.Fatalf("different seeds gave identical results")
	}
}

// TestGenerateSpotChecks pins a few producers and products of the seed
// command's catalogue, so that a change of the data files or of the generator
// that changes the catalogue shows; update the values when it is meant to.
// They cover a Bangkok place, an origin and the province as origin, a
// family's parameters, GI and extra certificates, and a province without pork.
func TestGenerateSpotChecks(t *testing.T) {
	producers, products := generate(t, loadTax(t), Options{Seed: 2026, Now: testNow})
	producerTests := []struct {
		i                                   int
		key, nameEN, nameTH, amphoe, tambon string
	}{
		{0, "TH-10-1", "Nong Waeng Community Herbal Producers Community Enterprise", "วิสาหกิจชุมชนกลุ่มสมุนไพรชุมชนหนองแวง", "เขตพระนคร", "แขวงพระบรมมหาราชวัง"},
		{101, "TH-63-2", "Tak Herbal Producers Co., Ltd.", "บริษัท ตากสมุนไพร จำกัด", "เมืองตาก", "นาคำ"},
		{153, "TH-96-2", "Ban Khok Sawang Halal Food Makers Community Enterprise", "วิสาหกิจชุมชนกลุ่มอาหารฮาลาลบ้านโคกสว่าง", "เมืองนราธิวาส", "โคกสว่าง"},
	}
	for _, tt := range producerTests {
		p := producers[tt.i]
		if p.Key != tt.key || p.NameEN != tt.nameEN || p.NameTH != tt.nameTH || p.Amphoe != tt.amphoe || p.Tambon != tt.tambon {
			t.Errorf("producer %d: %q %q %q %q %q, want %q %q %q %q %q", tt.i, p.Key, p.NameEN, p.NameTH, p.Amphoe, p.Tambon,
				tt.key, tt.nameEN, tt.nameTH, tt.amphoe, tt.tambon)
		}
	}
	productTests := []struct {
		i                int
		producer, nameEN string
		priceMinor       int64
		hsCode, art      string
		tags, certs      []string
	}{
		{0, "TH-10-1", "Bangkok herbal tea, lemongrass and pandan, 500 g", 76000, "121190", "leaf",
			[]string{"herbal tea", "caffeine free", "natural", "lemongrass", "beverage", "otop"}, nil},
		{164, "TH-32-2", "Surin mudmee silk sarong length, Dok Kaew blossom pattern, lac red", 214000, "500720", "weave",
			[]string{"silk", "mudmee", "ikat", "handwoven", "red", "textile"}, []string{"gi"}},
		{188, "TH-35-2", "Yasothon RD6 glutinous rice, 2 kg gift box, dry-sown paddy", 9400, "100630", "rice",
			[]string{"rice", "sticky rice", "glutinous rice", "food", "otop"}, []string{"organic", "mor_phor_chor", "gmp"}},
		{415, "TH-64-2", "Sangkhalok celadon bowl, 7 in, ivory glaze", 80500, "691200", "ceramic",
			[]string{"celadon", "tableware", "bowl", "sangkhalok", "household", "otop"}, []string{"tis", "mor_phor_chor"}},
		{584, "TH-93-1", "Thale Noi woven krajood basket, medium, red-dyed", 53000, "460219", "basket",
			[]string{"basketry", "krajood", "handwoven", "red", "household", "otop"}, []string{"mor_phor_chor"}},
		{615, "TH-96-2", "Narathiwat keropok fish crackers, seaweed flavour, 500 g", 45000, "190590", "pack",
			[]string{"halal", "keropok", "fish crackers", "snack", "food", "otop"}, []string{"thai_fda"}},
	}
	for _, tt := range productTests {
		p := products[tt.i]
		var certs []string
		for _, c := range p.Certifications {
			certs = append(certs, c.Kind)
		}
		if p.ProducerKey != tt.producer || p.NameEN != tt.nameEN || p.PriceMinor != tt.priceMinor || p.HSCode != tt.hsCode ||
			p.ArtStyle != tt.art || !slices.Equal(p.Tags, tt.tags) || !slices.Equal(certs, tt.certs) {
			t.Errorf("product %d: %q %q %d %q %q %q %q,\nwant %q %q %d %q %q %q %q", tt.i,
				p.ProducerKey, p.NameEN, p.PriceMinor, p.HSCode, p.ArtStyle, p.Tags, certs,
				tt.producer, tt.nameEN, tt.priceMinor, tt.hsCode, tt.art, tt.tags, tt.certs)
		}
	}
}

func TestGenerateDefaults(t *testing.T) {
	tax := loadTax(t)
	producers, products := generate(t, tax, Options{Seed: 1, Now: testNow})
	if want := 77 * 2; len(producers) != want {
		t.Errorf("got %d producers, want %d", len(producers), want)
	}
	if want := 4 * len(producers); len(products) != want {
		t.Errorf("got %d products, want %d", len(products), want)
	}
}

func TestGenerateProducers(t *testing.T) {
	tax := loadTax(t)
	provinces, err := tax.Provinces(taxonomy.ProvinceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, per := range []int{1, 2, 5} {
		producers, products := generate(t, tax, Options{Seed: 7, Now: testNow, ProducersPerProvince: per, Products: 1000})
		count := map[string]int{}
		keys := map[string]bool{}
		for _, p := range producers {
			if keys[p.Key] {
				t.Errorf("duplicate producer key %s", p.Key)
			}
			keys[p.Key] = true
			count[p.ProvinceCode]++
			if _, ok := tax.Province(p.ProvinceCode); !ok {
				t.Errorf("%s: unknown province %s", p.Key, p.ProvinceCode)
			}
			if !hasThaiScript(p.NameTH) || !hasThaiScript(p.Amphoe) || !hasThaiScript(p.Tambon) || !hasThaiScript(p.StoryTH) {
				t.Errorf("%s: Thai fields without Thai script: %q %q %q", p.Key, p.NameTH, p.Amphoe, p.Tambon)
			}
			if p.NameEN == "" || !isASCII(p.NameEN) || p.StoryEN == "" {
				t.Errorf("%s: bad English name or story %q", p.Key, p.NameEN)
			}
			if !slices.Contains([]string{KindCommunityEnterprise, KindVillageGroup, KindSME, KindIndividual}, p.Kind) {
				t.Errorf("%s: kind %q", p.Key, p.Kind)
			}
			if p.EnterpriseLevel < 1 || p.EnterpriseLevel > 4 {
				t.Errorf("%s: enterprise level %d", p.Key, p.EnterpriseLevel)
			}
			if !strings.HasSuffix(p.Email, "@example.com") || p.Phone == "" {
				t.Errorf("%s: contact %q %q", p.Key, p.Phone, p.Email)
			}
		}
		for _, pv := range provinces {
			if count[pv.Code] != per {
				t.Errorf("per=%d: province %s has %d producers", per, pv.Code, count[pv.Code])
			}
		}
		for i, q := range products {
			if !keys[q.ProducerKey] {
				t.Fatalf("product %d: unknown producer %q", i, q.ProducerKey)
			}
		}
	}
}

func TestGenerateProductConstraints(t *testing.T) {
	tax := loadTax(t)
	producers, products := generate(t, tax, Options{Seed: 3, Now: testNow, Products: 5000})
	if len(products) != 5000 {
		t.Fatalf("got %d products, want 5000", len(products))
	}
	province := map[string]string{}
	for _, p := range producers {
		province[p.Key] = p.ProvinceCode
	}
	units := []string{"piece", "set", "pair", "dozen", "box", "pack", "bag", "bottle", "jar", "roll", "kg", "g", "litre", "ml", "metre", "yard"}
	expired, valid := 0, 0
	seen := map[string]bool{}
	for i, q := range products {
		bad := func(format string, args ...any) {
			t.Helper()
			t.Errorf("product %d (%s): "+format, append([]any{i, q.NameEN}, args...)...)
		}
		if _, ok := province[q.ProducerKey]; !ok {
			bad("unknown producer %q", q.ProducerKey)
		}
		seen[province[q.ProducerKey]] = true
		if !hasThaiScript(q.NameTH) || !hasThaiScript(q.DescriptionTH) {
			bad("Thai name or description without Thai script: %q", q.NameTH)
		}
		if q.NameEN == "" || !isASCII(q.NameEN) || q.DescriptionEN == "" {
			bad("English name not ASCII or empty")
		}
		if len([]rune(q.NameTH)) > 200 || len(q.NameEN) > 200 {
			bad("name too long")
		}
		if _, ok := tax.Category(q.Category); !ok {
			bad("category %q", q.Category)
		}
		if q.CreativeIndustry != "" {
			if _, ok := tax.CreativeIndustry(q.CreativeIndustry); !ok {
				bad("creative industry %q", q.CreativeIndustry)
			}
		}
		switch {
		case q.OTOPStars == 0 && q.OTOPStarsYear == 0:
		case q.OTOPStars >= 3 && q.OTOPStars <= 5 && q.OTOPStarsYear >= 2016 && q.OTOPStarsYear <= 2026 && q.OTOPStarsYear <= testNow.Year():
		default:
			bad("stars %d year %d", q.OTOPStars, q.OTOPStarsYear)
		}
		if q.PriceMinor <= 0 {
			bad("price %d", q.PriceMinor)
		}
		if len(q.PriceTiers) > 3 {
			bad("%d tiers", len(q.PriceTiers))
		}
		prevQ, prevA := q.MOQ, q.PriceMinor
		for _, tr := range q.PriceTiers {
			if tr.MinQuantity <= prevQ || tr.AmountMinor > prevA || tr.AmountMinor <= 0 {
				bad("tiers %+v after moq %d price %d", q.PriceTiers, q.MOQ, q.PriceMinor)
				break
			}
			prevQ, prevA = tr.MinQuantity, tr.AmountMinor
		}
		if q.MOQ < 1 || q.MonthlyCapacity < q.MOQ {
			bad("moq %d capacity %d", q.MOQ, q.MonthlyCapacity)
		}
		if !slices.Contains(units, q.Unit) {
			bad("unit %q", q.Unit)
		}
		if q.LeadTimeDays < 0 || q.LeadTimeDays > 90 {
			bad("lead time %d", q.LeadTimeDays)
		}
		if len(q.HSCode) != 6 || strings.Trim(q.HSCode, "0123456789") != "" {
			bad("hs code %q", q.HSCode)
		}
		if q.WeightGrams < 1 || q.WeightGrams > 1_000_000 {
			bad("weight %d", q.WeightGrams)
		}
		if len(q.Tags) < 2 || len(q.Tags) > 6 {
			bad("%d tags", len(q.Tags))
		}
		for j, tg := range q.Tags {
			if tg == "" || len(tg) > 40 || tg != strings.ToLower(tg) || slices.Contains(q.Tags[:j], tg) {
				bad("tag %q", tg)
			}
		}
		if len(q.Certifications) > 3 {
			bad("%d certifications", len(q.Certifications))
		}
		kinds := map[string]bool{}
		for _, c := range q.Certifications {
			if _, ok := tax.CertificationKind(c.Kind); !ok || c.Kind == "otop_stars" {
				bad("certification kind %q", c.Kind)
			}
			if kinds[c.Kind] {
				bad("repeated certification kind %q", c.Kind)
			}
			kinds[c.Kind] = true
			if c.Number == "" || len([]rune(c.Number)) > 64 {
				bad("certification number %q", c.Number)
			}
			if c.ExpiresOn.Before(testNow) {
				expired++
			} else {
				valid++
			}
		}
		if q.ArtStyle == "" {
			bad("no art style")
		}
	}
	if expired == 0 || valid <= expired*3 {
		t.Errorf("certificates: %d valid, %d expired; want most valid and some expired", valid, expired)
	}
	if len(seen) != 77 {
		t.Errorf("products cover %d provinces, want 77", len(seen))
	}
}

func TestNoPorkInDeepSouth(t *testing.T) {
	tax := loadTax(t)
	lib := loadLibrary(t, tax)
	for _, seed := range []int64{1, 2, 3} {
		producers, products := generate(t, tax, Options{Seed: seed, Now: testNow, ProducersPerProvince: 6, Products: 20000})
		province := map[string]string{}
		for _, p := range producers {
			province[p.Key] = p.ProvinceCode
		}
		porkWords := []string{"pork", "หมู", "sai ua", "naem", "แหนม", "ไส้อั่ว"}
		for _, q := range products {
			if !lib.provinces[province[q.ProducerKey]].NoPork {
				continue
			}
			text := strings.ToLower(q.NameEN + " " + q.NameTH + " " + q.DescriptionEN + " " + q.DescriptionTH + " " + strings.Join(q.Tags, " "))
			for _, w := range porkWords {
				if strings.Contains(text, w) {
					t.Fatalf("seed %d: pork product %q in %s", seed, q.NameEN, province[q.ProducerKey])
				}
			}
		}
	}
}

func TestRegionalStaples(t *testing.T) {
	tax := loadTax(t)
	producers, products := generate(t, tax, Options{Seed: 5, Now: testNow, ProducersPerProvince: 6, Products: 20000})
	province := map[string]string{}
	for _, p := range producers {
		province[p.Key] = p.ProvinceCode
	}
	tests := []struct {
		province, word string
	}{
		{"TH-50", "umbrella"}, {"TH-51", "brocade"}, {"TH-54", "indigo"}, {"TH-52", "celadon"}, {"TH-57", "coffee"},
		{"TH-30", "pottery"}, {"TH-35", "khit"}, {"TH-31", "jasmine rice"}, {"TH-32", "silk"},
		{"TH-74", "benjarong"}, {"TH-76", "palm sugar"}, {"TH-70", "dragon jar"}, {"TH-21", "fish sauce"},
		{"TH-80", "niello"}, {"TH-93", "krajood"}, {"TH-83", "batik"}, {"TH-85", "cashew"}, {"TH-94", "halal"},
	}
	for _, tc := range tests {
		found := false
		for _, q := range products {
			if province[q.ProducerKey] == tc.province && strings.Contains(strings.ToLower(q.NameEN+" "+strings.Join(q.Tags, " ")), tc.word) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("%s: no product mentioning %q", tc.province, tc.word)
		}
	}
}

func TestGenerate100k(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	tax := loadTax(t)
	producers, products := generate(t, tax, Options{Seed: 9, Now: testNow, Products: 100000})
	if len(products) != 100000 {
		t.Fatalf("got %d products, want 100000", len(products))
	}
	names := map[string]bool{}
	for _, q := range products {
		names[q.NameEN] = true
	}
	t.Logf("%d producers, %d distinct English names", len(producers), len(names))
}

// artStyles lists the art styles the product lines use.
func artStyles(tb testing.TB) []string {
	var out []string
	for _, c := range loadLibrary(tb, loadTax(tb)).crafts {
		for _, l := range c.lines {
			out = append(out, l.ArtStyle)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestArt(t *testing.T) {
	styles := append(artStyles(t), "no-such-style")
	if len(styles) < 10 {
		t.Fatalf("only %d art styles: %v", len(styles), styles)
	}
	for _, s := range styles {
		for _, size := range [][2]int{{320, 240}, {97, 161}} {
			img := Art(s, 11, size[0], size[1])
			if b := img.Bounds(); b.Dx() != size[0] || b.Dy() != size[1] {
				t.Errorf("%s: size %v, want %v", s, b.Size(), size)
				continue
			}
			// Variance of the luminance: a flat picture has (almost) none.
			var sum, sq float64
			n := 0
			for i := 0; i < len(img.Pix); i += 4 {
				l := 0.3*float64(img.Pix[i]) + 0.59*float64(img.Pix[i+1]) + 0.11*float64(img.Pix[i+2])
				sum += l
				sq += l * l
				n++
			}
			mean := sum / float64(n)
			if v := sq/float64(n) - mean*mean; v < 50 {
				t.Errorf("%s %v: luminance variance %.1f, looks flat", s, size, v)
			}
		}
		a, b := Art(s, 1, 64, 48), Art(s, 2, 64, 48)
		if reflect.DeepEqual(a.Pix, b.Pix) {
			t.Errorf("%s: seeds 1 and 2 give the same picture", s)
		}
	}
}

func BenchmarkGenerate100k(b *testing.B) {
	tax := loadTax(b)
	b.ReportAllocs()
	for b.Loop() {
		generate(b, tax, Options{Seed: 1, Now: testNow, Products: 100000})
	}
}

func BenchmarkArt(b *testing.B) {
	for _, s := range append(artStyles(b), "generic") {
		b.Run(s, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				Art(s, int64(i), 1200, 900)
			}
		})
	}
}

func TestCurationDataIsValid(t *testing.T) {
	tax := loadTax(t)
	txt, err := loadTexts(tax, readEmbedded)
	if err != nil {
		t.Fatalf("embedded curation data: %v", err)
	}
	if len(txt.RejectionReasons) < 10 || len(txt.Revisions) < 3 {
		t.Errorf("%d rejection reasons and %d revisions; want a variety", len(txt.RejectionReasons), len(txt.Revisions))
	}
	for _, c := range tax.Categories() {
		if n := len(txt.reasonsFor(c.ID)); n < 5 {
			t.Errorf("category %s: %d rejection reasons, want at least 5", c.ID, n)
		}
	}
}

func TestCurationDataRefusesBrokenFiles(t *testing.T) {
	tax := loadTax(t)
	good, err := readEmbedded(fileCuration)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, old, new, want string
	}{
		{"unknown field", `"stars_note"`, `"colour": 1, "stars_note"`, "unknown field"},
		{"repeated reason", "The English description only repeats the product name. Importers need to know the materials, the size or net weight and how the product is made; please add them and resubmit.",
			"The photos are too dark and blurred to judge the product. Please retake them in daylight against a plain background, with one photo of the whole item and one close-up of the detail, then resubmit.", "repeats an earlier one"},
		{"reason too short", `"Please give the width and length in centimetres and the fibre content (for example 100% silk) in the English description; importers cannot order cloth without them."`, `"Too dark."`, "characters"},
		{"unknown category", `["herbal"]`, `["herbs"]`, `unknown category "herbs"`},
		{"missing certificate note", `"gi": "The producer is listed as an authorised user of the registered geographical indication."`, `"otop_stars": "x"`, "no certificate note for gi"},
		{"revision that changes nothing", `{"price_percent": 12, "lead_time_days": 0, "append_en": "", "append_th": ""}`, `{"price_percent": 0, "lead_time_days": 0, "append_en": "", "append_th": ""}`, "changes nothing"},
		{"sentence in one language", `"append_th": " สามารถส่งสินค้าตัวอย่างได้ภายในหนึ่งสัปดาห์หลังได้รับคำสอบถาม"`, `"append_th": ""`, "one language only"},
		{"trailing data", `"stars_note"`, `"stars_note"`, ""},
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
			_, err := loadTexts(tax, func(string) ([]byte, error) { return []byte(data), nil })
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("loadTexts = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestGenerateReviewStates: every Select center has a queue (new
// submissions and resubmissions with changes), rejected listings with a
// reason, verified claims and TOPOTOP products that meet the export-readiness
// checklist with their three photos.
func TestGenerateReviewStates(t *testing.T) {
	tax := loadTax(t)
	txt, err := loadTexts(tax, readEmbedded)
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]bool{}
	for _, r := range txt.RejectionReasons {
		reasons[r.Reason] = true
	}
	for _, n := range []int{80, 616, 5000} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			_, products := generate(t, tax, Options{Seed: 2026, Now: testNow, Products: n, Photos: -1})
			type tally struct{ queue, resubmitted, rejected, published, topotop int }
			centers := map[string]*tally{}
			for _, c := range tax.SelectCenters() {
				centers[c.ID] = &tally{}
			}
			var certs, certsVerified, rated, starsVerified int
			for i, p := range products {
				bad := func(format string, args ...any) {
					t.Helper()
					t.Errorf("product %d (%s, %s): "+format, append([]any{i, p.NameEN, p.State}, args...)...)
				}
				c := centers[p.SelectCenterID]
				if c == nil {
					bad("unknown center %q", p.SelectCenterID)
					continue
				}
				if want, _ := tax.SelectCenterFor(provinceOf(p)); want != p.SelectCenterID {
					bad("center %s, want %s", p.SelectCenterID, want)
				}
				if p.CreatedAt.After(p.SubmittedAt) || p.SubmittedAt.After(testNow) || p.ReviewedAt.After(testNow) || p.PublishedAt.After(testNow) {
					bad("times out of order: created %v submitted %v reviewed %v published %v", p.CreatedAt, p.SubmittedAt, p.ReviewedAt, p.PublishedAt)
				}
				if (p.RejectionReason != "") != (p.State == StateRejected) || (p.Earlier != nil) && p.State != StatePendingReview {
					bad("rejection reason %q, earlier %v", p.RejectionReason, p.Earlier != nil)
				}
				switch {
				case p.State == StatePublished:
					c.published++
					if p.PublishedAt.IsZero() || p.ReviewedAt.IsZero() || p.PublishedAt.Before(p.SubmittedAt) {
						bad("published without its decision")
					}
				case p.State == StatePendingReview && p.Earlier == nil:
					c.queue++
					if !p.ReviewedAt.IsZero() || !p.PublishedAt.IsZero() {
						bad("a first submission already decided")
					}
				case p.State == StatePendingReview:
					c.resubmitted++
					e := p.Earlier
					if p.ReviewedAt.IsZero() || p.PublishedAt.IsZero() || !p.SubmittedAt.After(p.PublishedAt) {
						bad("a resubmission must have been published before it was submitted again")
					}
					if e.PriceMinor == p.PriceMinor && e.DescriptionEN == p.DescriptionEN && e.LeadTimeDays == p.LeadTimeDays {
						bad("a resubmission without changes")
					}
				case p.State == StateRejected:
					c.rejected++
					if !reasons[p.RejectionReason] || p.ReviewedAt.IsZero() || p.ReviewedAt.Before(p.SubmittedAt) {
						bad("rejected with reason %q reviewed %v", p.RejectionReason, p.ReviewedAt)
					}
				default:
					bad("unknown state")
				}
				if p.State == StatePendingReview && p.SubmittedAt.Before(testNow.AddDate(0, 0, -queueDays)) {
					bad("waiting since %v, more than %d days", p.SubmittedAt, queueDays)
				}
				if p.State != StatePublished && p.Earlier == nil && (!p.StarsVerifiedAt.IsZero() || slices.ContainsFunc(p.Certifications, func(c Cert) bool { return !c.VerifiedAt.IsZero() })) {
					bad("claims verified before any review")
				}
				if p.State == StatePublished {
					for _, ct := range p.Certifications {
						certs++
						if !ct.VerifiedAt.IsZero() {
							certsVerified++
							if ct.Note == "" || ct.VerifiedAt.After(p.PublishedAt) {
								bad("certificate %s verified at %v with note %q", ct.Kind, ct.VerifiedAt, ct.Note)
							}
						}
					}
					if p.OTOPStars > 0 {
						rated++
						if !p.StarsVerifiedAt.IsZero() {
							starsVerified++
						}
					}
				}
				if p.StarsNote != "" && p.StarsVerifiedAt.IsZero() || p.OTOPStars == 0 && !p.StarsVerifiedAt.IsZero() {
					bad("stars %d verified at %v, note %q", p.OTOPStars, p.StarsVerifiedAt, p.StarsNote)
				}
				if p.Topotop {
					c.topotop++
					if !exportReady(p, testNow) || p.Photos != TopotopPhotos {
						bad("TOPOTOP but not export-ready: %+v", p)
					}
				} else if p.Photos != 1 {
					bad("%d photos, want 1", p.Photos)
				}
			}
			for id, c := range centers {
				if c.queue == 0 || c.published < c.queue+c.resubmitted+c.rejected || c.topotop == 0 {
					t.Errorf("center %s: %+v; want a queue, mostly published products and a TOPOTOP one", id, *c)
				}
				if n >= 616 && (c.resubmitted == 0 || c.rejected == 0) {
					t.Errorf("center %s: %+v; want resubmissions and rejected products", id, *c)
				}
			}
			if certsVerified*100 < certs*75 || certsVerified == certs || starsVerified*100 < rated*75 || starsVerified == rated {
				t.Errorf("published: %d of %d certificates and %d of %d ratings verified; want most but not all", certsVerified, certs, starsVerified, rated)
			}
		})
	}
}

// exportReady repeats catalog.CheckReadiness on a demo product with its
// photos (the seed's test checks the stored product with the real one).
func exportReady(p Product, now time.Time) bool {
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	cert := slices.ContainsFunc(p.Certifications, func(c Cert) bool {
		return !c.VerifiedAt.IsZero() && !c.ExpiresOn.Before(today) && (!needsFDA(p.Category) || c.Kind == certFDA)
	})
	return p.State == StatePublished && cert && p.OTOPStars >= 4 && !p.StarsVerifiedAt.IsZero() &&
		len([]rune(p.DescriptionEN)) >= 80 && p.Photos >= 3 && p.PriceMinor > 0 && p.MOQ > 0 && p.Unit != "" &&
		p.MonthlyCapacity > 0 && p.HSCode != "" && p.WeightGrams > 0
}

func provinceOf(p Product) string { return p.ProducerKey[:5] }

// TestGeneratePhotos: Photos counts the products that get photos, TOPOTOP
// ones first with three; without photos (the benchmark's data set) TOPOTOP
// products are still designated, ready but for their photos.
func TestGeneratePhotos(t *testing.T) {
	tax := loadTax(t)
	tests := []struct {
		photos, wantPhotographed int
	}{{0, 0}, {5, 5}, {200, 200}, {-1, 1000}, {5000, 1000}}
	for _, tt := range tests {
		_, products := generate(t, tax, Options{Seed: 11, Now: testNow, Products: 1000, Photos: tt.photos})
		photographed, topotop := 0, 0
		for _, p := range products {
			if p.Photos > 0 {
				photographed++
			}
			if p.Topotop {
				topotop++
				if tt.photos != 0 && p.Photos != TopotopPhotos {
					t.Errorf("photos=%d: TOPOTOP %s has %d photos", tt.photos, p.NameEN, p.Photos)
				}
			}
		}
		if photographed != tt.wantPhotographed || topotop == 0 || tt.photos > 0 && topotop > max(tt.photos/4, 1) {
			t.Errorf("photos=%d: %d photographed, %d TOPOTOP; want %d photographed and a few TOPOTOP",
				tt.photos, photographed, topotop, tt.wantPhotographed)
		}
	}
}
