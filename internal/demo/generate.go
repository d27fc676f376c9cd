// Package demo generates a deterministic demo catalogue of OTOP producers and
// products, with their review by the Select centers, and procedural pictures
// for them. It does no I/O: what it draws from (crafts, product lines and
// their variants, the crafts of each province, names, curation texts) is
// embedded data files (data/), checked as Generate loads them.
package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/otopmarket/otop/internal/taxonomy"
)

// Producer is a demo producer.
type Producer struct {
	Key             string // stable unique key, e.g. "TH-50-1"
	NameTH, NameEN  string
	Kind            string // community_enterprise | village_group | sme | individual
	ProvinceCode    string
	Amphoe, Tambon  string // Thai script
	EnterpriseLevel int    // 1..4
	StoryTH         string
	StoryEN         string
	Phone, Email    string // obviously fake
}

// Product is a demo product of the producer with key ProducerKey.
type Product struct {
	ProducerKey                  string
	NameTH, NameEN               string
	DescriptionTH, DescriptionEN string
	Category, CreativeIndustry   string // CreativeIndustry is "" when not creative
	OTOPStars, OTOPStarsYear     int    // 0, 0 when unrated
	PriceMinor                   int64  // satang
	PriceTiers                   []Tier
	MOQ                          int
	Unit                         string
	MonthlyCapacity              int
	LeadTimeDays                 int
	HSCode                       string
	WeightGrams                  int
	Tags                         []string
	Certifications               []Cert
	ArtStyle                     string

	// SelectCenterID is the center that reviews the product (its province's).
	SelectCenterID string
	// State is StatePublished, StatePendingReview or StateRejected.
	State     string
	CreatedAt time.Time
	// SubmittedAt is the last submission for review; ReviewedAt the last
	// decision and PublishedAt the last publication (zero when none).
	SubmittedAt, ReviewedAt, PublishedAt time.Time
	RejectionReason                      string
	// Earlier is set on a resubmission: a published product changed since
	// and back in the queue. It holds the fields as they were published.
	Earlier *Earlier
	// StarsVerifiedAt is when a curator verified the OTOP stars (zero: an
	// unverified claim), with the curator's note.
	StarsVerifiedAt time.Time
	StarsNote       string
	// Topotop products meet the export-readiness checklist.
	Topotop bool
	// Photos is how many photos to draw for the product (Options.Photos).
	Photos int
}

// Tier is a volume price: AmountMinor per unit from MinQuantity units up.
type Tier struct {
	MinQuantity int
	AmountMinor int64
}

// Cert is a certificate held by a product.
type Cert struct {
	Kind, Number string
	ExpiresOn    time.Time
	// VerifiedAt is when a curator verified the certificate (zero: an
	// unverified claim), with the curator's note.
	VerifiedAt time.Time
	Note       string
}

// Options tune Generate.
type Options struct {
	Seed                 int64
	Now                  time.Time // reference for expiry dates and star years; zero = 2026-01-01 UTC
	ProducersPerProvince int       // default 2
	Products             int       // total; default 4 per producer
	// Photos is how many products get photos: TOPOTOP ones three, the
	// others one. 0 means none, a negative number every product.
	Photos int
}

// Kinds of producer.
const (
	KindCommunityEnterprise = "community_enterprise"
	KindVillageGroup        = "village_group"
	KindSME                 = "sme"
	KindIndividual          = "individual"
)

// Certification kinds whose numbers cert writes, as in the taxonomy.
const (
	certFDA     = "thai_fda"
	certMPC     = "mor_phor_chor"
	certTIS     = "tis"
	certGMP     = "gmp"
	certHalal   = "halal"
	certOrganic = "organic"
	certGI      = "gi"
)

// prepared is a product line ready for a producer: its names and
// descriptions with the origin filled in.
type prepared struct {
	line           *productLine
	th, en         string
	dth, den       string
	combos, stride int
	start          int
}

// producerPlan holds what Generate needs to make a producer's products.
type producerPlan struct {
	key   string
	items []prepared
}

// Generate returns a demo catalogue: producers in every province of tax and
// products that fit each producer's craft and province, most published and
// some waiting in, or rejected by, their Select center's review. The result
// depends only on tax and o. An error means the embedded data is invalid.
func Generate(tax *taxonomy.Taxonomy, o Options) ([]Producer, []Product, error) {
	lib, err := load(tax, readEmbedded)
	if err != nil {
		return nil, nil, err
	}
	if o.ProducersPerProvince <= 0 {
		o.ProducersPerProvince = 2
	}
	now := o.Now
	if now.IsZero() {
		now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	r := rand.New(rand.NewPCG(uint64(o.Seed), 0x07097a1e))
	provinces, _ := tax.Provinces(taxonomy.ProvinceFilter{})

	producers := make([]Producer, 0, len(provinces)*o.ProducersPerProvince)
	plans := make([]producerPlan, 0, cap(producers))
	usedVillages := map[string]bool{}
	for _, pv := range provinces {
		// load checked that every province practises a craft it can make.
		pc := lib.provinces[pv.Code]
		for j := 0; j < o.ProducersPerProvince; j++ {
			pr := pc.Crafts[j%len(pc.Crafts)]
			p, plan := makeProducer(r, &lib.names, pv, j, pr, lib.crafts[pr.Craft], pc.NoPork, usedVillages)
			producers = append(producers, p)
			plans = append(plans, plan)
		}
	}

	total := o.Products
	if total <= 0 {
		total = 4 * len(producers)
	}
	products := make([]Product, 0, total)
	year := now.Year()
	maxYear := min(2026, year)
	if maxYear < 2016 {
		maxYear = 2016
	}
	g := gen{r: r, now: now, maxYear: maxYear}
	for i := range plans {
		// Spread the products evenly, so that a small catalogue still covers
		// every region and Select center.
		n := (i+1)*total/len(plans) - i*total/len(plans)
		pl := &plans[i]
		code := producers[i].ProvinceCode
		center, _ := tax.SelectCenterFor(code)
		for k := 0; k < n; k++ {
			pp := &pl.items[k%len(pl.items)]
			p := g.product(pl.key, code, pp, k/len(pl.items))
			p.SelectCenterID = center
			products = append(products, p)
		}
	}
	centers := make([]string, 0, 4)
	for _, c := range tax.SelectCenters() {
		centers = append(centers, c.ID)
	}
	cur := curation{r: rand.New(rand.NewPCG(uint64(o.Seed), 0x5e1ec7ed)), t: lib.texts, now: now,
		today: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)}
	cur.apply(products, centers, o.Photos)
	return producers, products, nil
}

// makeProducer makes the j-th producer of province pv, which practises pc
// (craft c); noPork excludes the lines that contain pork.
func makeProducer(r *rand.Rand, nm *names, pv taxonomy.Province, j int, pc practice, c *craft, noPork bool, used map[string]bool) (Producer, producerPlan) {
	key := fmt.Sprintf("%s-%d", pv.Code, j+1)
	v := nm.Villages[r.IntN(len(nm.Villages))]
	for tries := 0; used[pv.Code+v.TH] && tries < 8; tries++ {
		v = nm.Villages[r.IntN(len(nm.Villages))]
	}
	used[pv.Code+v.TH] = true
	vth, ven := "บ้าน"+v.TH, "Ban "+v.EN
	if pv.Code == "TH-10" { // Bangkok has urban communities, not villages
		vth, ven = "ชุมชน"+v.TH, v.EN+" Community"
	}

	amp, tam := pc.Amphoe, pc.Tambon
	if amp == "" {
		if pv.Code == "TH-10" {
			bp := nm.BangkokPlaces[r.IntN(len(nm.BangkokPlaces))]
			amp, tam = bp.Amphoe, bp.Tambon
		} else {
			amp = "เมือง" + pv.NameTH
		}
	}
	if tam == "" {
		tam = v.TH
	}
	oth, oen := pc.OriginTH, pc.OriginEN
	if oth == "" {
		oth, oen = pv.NameTH, pv.NameEN
	}

	kind := KindCommunityEnterprise
	if j > 0 || r.IntN(4) == 0 {
		kind = [...]string{KindCommunityEnterprise, KindVillageGroup, KindSME, KindIndividual}[r.IntN(4)]
	}
	var nameTH, nameEN string
	founded := 1995 + r.IntN(28)
	members := 8 + r.IntN(60)
	var moreTH, moreEN string
	switch kind {
	case KindCommunityEnterprise:
		nameTH = "วิสาหกิจชุมชนกลุ่ม" + c.TradeTH + vth
		nameEN = ven + " " + c.TradeEN + " Community Enterprise"
		moreTH = fmt.Sprintf("รวมกลุ่มเป็นวิสาหกิจชุมชนตั้งแต่ปี พ.ศ. %d ปัจจุบันมีสมาชิก %d ครัวเรือน", founded+543, members)
		moreEN = fmt.Sprintf("Registered as a community enterprise in %d, it now counts %d member households.", founded, members)
	case KindVillageGroup:
		nameTH = "กลุ่มแม่บ้าน" + c.TradeTH + vth
		nameEN = ven + " " + c.TradeEN + " Women's Group"
		moreTH = fmt.Sprintf("กลุ่มแม่บ้านเริ่มต้นจากสมาชิกไม่กี่คนในปี พ.ศ. %d ปัจจุบันมีสมาชิก %d คน", founded+543, members)
		moreEN = fmt.Sprintf("The women's group started with a handful of neighbours in %d and now has %d members.", founded, members)
	case KindSME:
		nameTH = "บริษัท " + oth + c.TradeTH + " จำกัด"
		nameEN = oen + " " + c.TradeEN + " Co., Ltd."
		moreTH = fmt.Sprintf("ก่อตั้งเมื่อปี พ.ศ. %d รับซื้อวัตถุดิบจากเกษตรกรและช่างในชุมชนกว่า %d ราย", founded+543, members)
		moreEN = fmt.Sprintf("Founded in %d, the company buys from more than %d local growers and artisans.", founded, members)
	default:
		fn, ln := nm.GivenNames[r.IntN(len(nm.GivenNames))], nm.FamilyNames[r.IntN(len(nm.FamilyNames))]
		nameTH = "นาง" + fn.TH + " " + ln.TH
		nameEN = fn.EN + " " + ln.EN
		yrs := 10 + r.IntN(30)
		moreTH = fmt.Sprintf("คุณ%sทำงานนี้มากว่า %d ปี และสอนคนรุ่นใหม่ในหมู่บ้าน", fn.TH, yrs)
		moreEN = fmt.Sprintf("%s has done this work for over %d years and teaches the younger people of the village.", fn.EN, yrs)
	}
	fill := func(s, v, p, o string) string {
		s = strings.NewReplacer("{v}", v, "{p}", p, "{o}", o).Replace(s)
		return strings.ReplaceAll(s, "จังหวัดกรุงเทพมหานคร", "กรุงเทพมหานคร") // Bangkok is no changwat
	}
	p := Producer{
		Key: key, NameTH: nameTH, NameEN: nameEN, Kind: kind, ProvinceCode: pv.Code,
		Amphoe: amp, Tambon: tam, EnterpriseLevel: 1 + r.IntN(4),
		StoryTH: fill(c.StoryTH, vth, pv.NameTH, oth) + " " + moreTH,
		StoryEN: fill(c.StoryEN, ven, pv.NameEN, oen) + " " + moreEN,
		Phone:   fmt.Sprintf("+66 00 555 %04d", r.IntN(10000)),
		Email:   strings.ToLower(key) + "@example.com",
	}

	placeTH := " ผลิตที่" + tam + " " + amp + " จังหวัด" + pv.NameTH
	placeEN := " Made in " + ven + ", " + pv.NameEN + " province."
	if pv.Code == "TH-10" {
		placeTH = " ผลิตที่" + tam + " " + amp + " " + pv.NameTH
		placeEN = " Made in " + pv.NameEN + "."
	}
	plan := producerPlan{key: key}
	for i := range c.lines {
		l := &c.lines[i]
		if l.ContainsPork && noPork {
			continue
		}
		combos := 1
		for _, d := range l.dimensions {
			combos *= len(d)
		}
		stride := 1
		for _, s := range [...]int{7919, 104729, 13, 17, 19, 23} {
			if gcd(s, combos) == 1 {
				stride = s % max(combos, 1)
				if stride == 0 {
					stride = 1
				}
				break
			}
		}
		plan.items = append(plan.items, prepared{
			line:   l,
			th:     strings.ReplaceAll(l.NameTH, "{o}", oth),
			en:     upperFirst(strings.ReplaceAll(l.NameEN, "{o}", oen)),
			dth:    strings.ReplaceAll(l.DescriptionTH, "{o}", oth) + placeTH,
			den:    strings.ReplaceAll(l.DescriptionEN, "{o}", oen) + placeEN,
			combos: combos, stride: stride, start: r.IntN(combos),
		})
	}
	r.Shuffle(len(plan.items), func(a, b int) { plan.items[a], plan.items[b] = plan.items[b], plan.items[a] })
	return p, plan
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func upperFirst(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// gen makes products.
type gen struct {
	r       *rand.Rand
	now     time.Time
	maxYear int
	sbTH    strings.Builder
	sbEN    strings.Builder
	picks   [maxVariantDimensions]int
}

func (g *gen) between(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + g.r.IntN(hi-lo+1)
}

// product makes the n-th product of line pp for producer key.
func (g *gen) product(key, province string, pp *prepared, n int) Product {
	line := pp.line
	r := g.r
	// Choose the variant: walk the combinations with a stride coprime to
	// their number so a producer repeats a name only once all are used.
	idx := (pp.start + n*pp.stride) % pp.combos
	g.sbTH.Reset()
	g.sbEN.Reset()
	g.sbTH.WriteString(pp.th)
	g.sbEN.WriteString(pp.en)
	pct, wpct := int64(100), int64(100)
	ndims := min(len(line.dimensions), len(g.picks))
	for d := 0; d < ndims; d++ {
		dim := line.dimensions[d]
		k := idx % len(dim)
		idx /= len(dim)
		g.picks[d] = k
		op := &dim[k]
		g.sbTH.WriteByte(' ')
		g.sbTH.WriteString(op.NameTH)
		g.sbEN.WriteString(", ")
		g.sbEN.WriteString(op.NameEN)
		if op.priceFactor != 100 {
			pct = pct * op.priceFactor / 100
		}
		if op.weightFactor != 100 {
			wpct = wpct * op.weightFactor / 100
		}
	}

	base := int64(line.PriceBaht.Min)
	if line.PriceBaht.Max > line.PriceBaht.Min {
		base += r.Int64N(int64(line.PriceBaht.Max-line.PriceBaht.Min) + 1)
	}
	price := roundPrice(base * pct) // satang: base baht × pct/100 × 100
	moq := g.between(line.MinimumOrder.Min, line.MinimumOrder.Max)
	capa := max(g.between(line.MonthlyCapacity.Min, line.MonthlyCapacity.Max), moq*4)
	lead := min(max(g.between(line.LeadTimeDays.Min, line.LeadTimeDays.Max), 0), maxLeadTimeDays)
	weight := min(max(int(int64(line.UnitWeightGrams)*wpct/100), 1), 1_000_000)

	p := Product{
		ProducerKey:      key,
		NameTH:           g.sbTH.String(),
		NameEN:           g.sbEN.String(),
		DescriptionTH:    pp.dth,
		DescriptionEN:    pp.den,
		Category:         line.Category,
		CreativeIndustry: line.CreativeIndustry,
		PriceMinor:       price,
		MOQ:              moq,
		Unit:             line.Unit,
		MonthlyCapacity:  capa,
		LeadTimeDays:     lead,
		HSCode:           line.HSCode,
		WeightGrams:      weight,
		ArtStyle:         line.ArtStyle,
	}

	// Volume tiers.
	if nt := r.IntN(4); nt > 0 {
		p.PriceTiers = make([]Tier, 0, nt)
		q, amt := moq, price
		for t := 0; t < nt; t++ {
			q = q*2 + max(q/2, 5)*(1+r.IntN(2))
			amt = roundSatang(amt * int64(92+r.IntN(6)) / 100)
			if amt < 1 {
				amt = 1
			}
			p.PriceTiers = append(p.PriceTiers, Tier{MinQuantity: q, AmountMinor: amt})
		}
	}

	// OTOP stars.
	if r.IntN(100) < 55 {
		p.OTOPStars = [...]int{3, 3, 4, 4, 4, 5}[r.IntN(6)]
		p.OTOPStarsYear = g.between(2016, g.maxYear)
	}

	// Tags: the line's, then the variants'.
	tags := make([]string, 0, 6)
	add := func(t string) {
		if len(tags) >= 6 || t == "" {
			return
		}
		for _, x := range tags {
			if x == t {
				return
			}
		}
		tags = append(tags, t)
	}
	for _, t := range line.Tags {
		add(t)
	}
	for d := 0; d < ndims; d++ {
		add(line.dimensions[d][g.picks[d]].Tag)
	}
	add(line.Category)
	add("otop")
	p.Tags = tags

	// Certificates: up to three distinct kinds the line may hold.
	if nc := len(line.Certifications); nc > 0 && r.IntN(5) > 0 {
		want := 1 + r.IntN(min(3, nc))
		var order [maxCertifications]int
		m := min(nc, len(order))
		for i := 0; i < m; i++ {
			order[i] = i
		}
		p.Certifications = make([]Cert, 0, want)
		for i := 0; i < m && len(p.Certifications) < want; i++ {
			j := i + r.IntN(m-i)
			order[i], order[j] = order[j], order[i]
			kind := line.Certifications[order[i]]
			dup := false
			for _, c := range p.Certifications {
				dup = dup || c.Kind == kind
			}
			if dup {
				continue
			}
			p.Certifications = append(p.Certifications, g.cert(kind, province))
		}
	}
	return p
}

// roundPrice rounds an amount in satang to a shop-like price.
func roundPrice(s int64) int64 {
	step := int64(100) // whole baht
	switch {
	case s >= 100_000: // ≥ 1,000 baht: tens of baht
		step = 1000
	case s >= 10_000: // ≥ 100 baht: fives
		step = 500
	}
	v := (s + step/2) / step * step
	return max(v, 100)
}

// roundSatang rounds down to whole baht above 100 baht, to 25 satang below.
func roundSatang(s int64) int64 {
	if s >= 10_000 {
		return s / 100 * 100
	}
	return s / 25 * 25
}

func (g *gen) cert(kind, province string) Cert {
	r := g.r
	pn := province[len(province)-2:]
	be := g.now.Year() + 543 - r.IntN(5)
	var num string
	switch kind {
	case certFDA:
		num = fmt.Sprintf("%s-%d-%05d-%d-%04d", pn, 1+r.IntN(2), r.IntN(100000), r.IntN(10), r.IntN(10000))
	case certMPC:
		num = fmt.Sprintf("TCPS %d-%s-%04d/%d", 1+r.IntN(1500), pn, r.IntN(10000), be)
	case certTIS:
		num = fmt.Sprintf("TIS %d-%d L%07d", 1000+r.IntN(2000), 2540+r.IntN(25), r.IntN(10000000))
	case certGMP:
		num = fmt.Sprintf("GMP %s-%05d/%d", pn, r.IntN(100000), be)
	case certHalal:
		num = fmt.Sprintf("CICOT %s-%06d", pn, r.IntN(1000000))
	case certOrganic:
		num = fmt.Sprintf("OT-%s-%05d-%d", pn, r.IntN(100000), be)
	case certGI:
		num = fmt.Sprintf("GI %d1000%02d", 45+r.IntN(20), r.IntN(100))
	default:
		num = fmt.Sprintf("%s-%06d", strings.ToUpper(kind), r.IntN(1000000))
	}
	day := time.Date(g.now.Year(), g.now.Month(), g.now.Day(), 0, 0, 0, 0, time.UTC)
	var exp time.Time
	if r.IntN(100) < 12 {
		exp = day.AddDate(0, 0, -1-r.IntN(365))
	} else {
		exp = day.AddDate(0, 0, 30+r.IntN(1100))
	}
	return Cert{Kind: kind, Number: num, ExpiresOn: exp}
}
