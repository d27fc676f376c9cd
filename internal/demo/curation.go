package demo

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/otopmarket/otop/internal/taxonomy"
)

// Review states of a demo product.
const (
	StatePublished     = "published"
	StatePendingReview = "pending_review"
	StateRejected      = "rejected"
)

// TopotopPhotos is how many photos a TOPOTOP product gets: what the
// export-readiness checklist asks (catalog.ReadyPhotos).
const TopotopPhotos = 3

// Earlier holds the fields of a resubmitted product as they were when it was
// last published; the rest of its public fields did not change.
type Earlier struct {
	PriceMinor                   int64
	PriceTiers                   []Tier
	LeadTimeDays                 int
	DescriptionTH, DescriptionEN string
}

// texts are the demo's curation texts, from data/curation.json.
type texts struct {
	RejectionReasons []rejectionReason `json:"rejection_reasons"`
	Revisions        []revision        `json:"revisions"`
	CertificateNotes map[string]string `json:"certificate_notes"`
	StarsNote        string            `json:"stars_note"`
}

// rejectionReason is a curator's reason for refusing a listing of one of
// Categories (empty: any category).
type rejectionReason struct {
	Categories []string `json:"categories"`
	Reason     string   `json:"reason"`
}

// revision is what a producer changed in a published product before
// submitting it again: the price (and its tiers) by PricePercent, the lead
// time by LeadTimeDays, and a sentence added to each description.
type revision struct {
	PricePercent int    `json:"price_percent"`
	LeadTimeDays int    `json:"lead_time_days"`
	AppendEN     string `json:"append_en"`
	AppendTH     string `json:"append_th"`
}

// Limits of the curation texts; the database allows 2000 characters.
const (
	minReasonChars = 10
	maxTextChars   = 2000
	starsKind      = "otop_stars"
)

// loadTexts decodes the curation texts strictly and checks them against the
// taxonomy; the error lists every problem found.
func loadTexts(tax *taxonomy.Taxonomy, read func(string) ([]byte, error)) (*texts, error) {
	var t texts
	if err := decodeFile(read, fileCuration, &t); err != nil {
		return nil, err
	}
	if err := t.validate(tax); err != nil {
		return nil, fmt.Errorf("demo data/%s: invalid:\n%w", fileCuration, err)
	}
	return &t, nil
}

func (t *texts) validate(tax *taxonomy.Taxonomy) error {
	var problems []error
	bad := func(format string, args ...any) { problems = append(problems, fmt.Errorf(format, args...)) }
	seen := map[string]bool{}
	for i, r := range t.RejectionReasons {
		if n := utf8.RuneCountInString(r.Reason); n < minReasonChars || n > maxTextChars || strings.TrimSpace(r.Reason) != r.Reason {
			bad("rejection reason %d: %d characters or surrounding space, want %d–%d", i, n, minReasonChars, maxTextChars)
		}
		if seen[r.Reason] {
			bad("rejection reason %d repeats an earlier one", i)
		}
		seen[r.Reason] = true
		for _, c := range r.Categories {
			if _, ok := tax.Category(c); !ok {
				bad("rejection reason %d: unknown category %q", i, c)
			}
		}
	}
	for _, c := range tax.Categories() {
		if len(t.reasonsFor(c.ID)) == 0 {
			bad("no rejection reason applies to category %s", c.ID)
		}
	}
	if len(t.Revisions) == 0 {
		bad("no revisions")
	}
	for i, r := range t.Revisions {
		if r.PricePercent == 0 && r.LeadTimeDays == 0 && r.AppendEN == "" {
			bad("revision %d changes nothing", i)
		}
		if r.PricePercent < -50 || r.PricePercent > 100 || r.LeadTimeDays < -30 || r.LeadTimeDays > 30 {
			bad("revision %d: price %d%% or lead time %+d days out of range", i, r.PricePercent, r.LeadTimeDays)
		}
		if (r.AppendEN == "") != (r.AppendTH == "") {
			bad("revision %d: a sentence in one language only", i)
		}
		if r.AppendEN != "" && (!isEnglish(r.AppendEN) || !strings.HasPrefix(r.AppendEN, " ") || !strings.HasSuffix(r.AppendEN, ".")) {
			bad("revision %d: append_en must be an English sentence starting with a space: %q", i, r.AppendEN)
		}
		if r.AppendTH != "" && (!hasThai(r.AppendTH) || !strings.HasPrefix(r.AppendTH, " ")) {
			bad("revision %d: append_th must be Thai starting with a space: %q", i, r.AppendTH)
		}
	}
	for _, k := range tax.CertificationKinds() {
		if k.ID != starsKind && t.CertificateNotes[k.ID] == "" {
			bad("no certificate note for %s", k.ID)
		}
	}
	for kind, note := range t.CertificateNotes {
		if _, ok := tax.CertificationKind(kind); !ok || kind == starsKind {
			bad("certificate note for unknown kind %q", kind)
		}
		if utf8.RuneCountInString(note) > maxTextChars {
			bad("certificate note for %s is too long", kind)
		}
	}
	if t.StarsNote == "" || utf8.RuneCountInString(t.StarsNote) > maxTextChars {
		bad("stars note empty or too long")
	}
	return errors.Join(problems...)
}

// reasonsFor lists the rejection reasons that fit a category.
func (t *texts) reasonsFor(category string) []string {
	var out []string
	for _, r := range t.RejectionReasons {
		if len(r.Categories) == 0 || slices.Contains(r.Categories, category) {
			out = append(out, r.Reason)
		}
	}
	return out
}

func isEnglish(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func hasThai(s string) bool {
	for _, r := range s {
		if r >= 0x0E00 && r <= 0x0E7F {
			return true
		}
	}
	return false
}

// Shares of each Select center's products that are not published: new
// submissions waiting in the queue, resubmissions of published products
// with changes, and rejected listings. The caps keep the queues the size a
// center works through in a few weeks, whatever the catalogue's size.
const (
	queueShare, queueCap    = 20, 40 // one product in 20, at most 40 per center
	resubmitShare, resubCap = 40, 15
	rejectShare, rejectCap  = 40, 15
	minForResubmitAndReject = 8 // smaller centers get a queue only
	queueDays               = 20
	verifiedPercent         = 85 // of the claims of published products
	topotopOneIn            = 3  // of the ready five-star products
	topotopShareOfPhotos    = 4
)

// The export-readiness thresholds of catalog.CheckReadiness.
const (
	readyDescriptionChars = 80
	readyStars            = 4
)

// curation gives the products their review history: when they were created,
// submitted and decided, which claims a curator verified, which wait in
// their center's queue, which were rejected and why, which are TOPOTOP and
// how many photos each gets. It draws from its own random stream, so the
// products themselves are the same as without it.
type curation struct {
	r     *rand.Rand
	t     *texts
	now   time.Time
	today time.Time
}

func (c *curation) minutesAgo(lo, hi time.Duration) time.Time {
	span := int64((hi - lo) / time.Minute)
	return c.now.Add(-lo - time.Duration(c.r.Int64N(max(span, 1)))*time.Minute)
}

func (c *curation) between(lo, hi time.Time) time.Time {
	span := int64(hi.Sub(lo) / time.Minute)
	if span <= 0 {
		return lo
	}
	return lo.Add(time.Duration(c.r.Int64N(span)) * time.Minute)
}

func (c *curation) apply(products []Product, centers []string, photos int) {
	for i := range products {
		c.published(&products[i])
	}
	byCenter := map[string][]int{}
	for i, p := range products {
		byCenter[p.SelectCenterID] = append(byCenter[p.SelectCenterID], i)
	}
	for _, center := range centers {
		list := byCenter[center]
		n := len(list)
		if n == 0 {
			continue
		}
		c.r.Shuffle(n, func(a, b int) { list[a], list[b] = list[b], list[a] })
		queue := min(max(n/queueShare, 1), queueCap)
		var resubmit, reject int
		if n >= minForResubmitAndReject {
			resubmit = min(max(n/resubmitShare, 1), resubCap)
			reject = min(max(n/rejectShare, 1), rejectCap)
		}
		for _, i := range list[:queue] {
			c.submitted(&products[i])
		}
		for _, i := range list[queue : queue+resubmit] {
			c.resubmitted(&products[i])
		}
		for _, i := range list[queue+resubmit : queue+resubmit+reject] {
			c.rejected(&products[i])
		}
	}
	c.designate(products, centers, photos)
}

// published: submitted soon after it was created, approved within days, and
// most claims verified on the way.
func (c *curation) published(p *Product) {
	p.State = StatePublished
	p.CreatedAt = c.minutesAgo(3*24*time.Hour, 363*24*time.Hour)
	p.SubmittedAt = p.CreatedAt.Add(time.Duration(c.r.IntN(12*60)) * time.Minute)
	decided := p.SubmittedAt.Add(4*time.Hour + time.Duration(c.r.IntN(68*60))*time.Minute)
	decided = minTime(decided, c.now.Add(-time.Hour))
	p.ReviewedAt, p.PublishedAt = decided, decided
	if p.OTOPStars > 0 && c.r.IntN(100) < verifiedPercent {
		p.StarsVerifiedAt, p.StarsNote = decided, c.t.StarsNote
	}
	for i := range p.Certifications {
		if c.r.IntN(100) < verifiedPercent {
			c.verify(&p.Certifications[i], decided)
		}
	}
}

func (c *curation) verify(cert *Cert, at time.Time) {
	cert.VerifiedAt, cert.Note = at, c.t.CertificateNotes[cert.Kind]
}

// unverified clears every verification: nobody has checked the claims yet.
func unverified(p *Product) {
	p.StarsVerifiedAt, p.StarsNote = time.Time{}, ""
	for i := range p.Certifications {
		p.Certifications[i].VerifiedAt, p.Certifications[i].Note = time.Time{}, ""
	}
}

// submitted: a first submission waiting in the queue since some day of the
// last queueDays.
func (c *curation) submitted(p *Product) {
	p.State = StatePendingReview
	p.SubmittedAt = c.minutesAgo(10*time.Minute, queueDays*24*time.Hour)
	p.CreatedAt = p.SubmittedAt.Add(-time.Duration(c.r.IntN(30*24*60)) * time.Minute)
	p.ReviewedAt, p.PublishedAt = time.Time{}, time.Time{}
	unverified(p)
}

// resubmitted: a published product its producer changed since, back in the
// queue; Earlier keeps what was published, and the verifications of the
// unchanged claims stay.
func (c *curation) resubmitted(p *Product) {
	rv := c.t.Revisions[c.r.IntN(len(c.t.Revisions))]
	p.Earlier = &Earlier{PriceMinor: p.PriceMinor, PriceTiers: p.PriceTiers, LeadTimeDays: p.LeadTimeDays,
		DescriptionTH: p.DescriptionTH, DescriptionEN: p.DescriptionEN}
	if rv.PricePercent != 0 {
		p.PriceMinor = roundPrice(p.PriceMinor * int64(100+rv.PricePercent) / 100)
		tiers, prev := make([]Tier, len(p.PriceTiers)), p.PriceMinor
		for i, t := range p.PriceTiers {
			prev = min(max(roundSatang(t.AmountMinor*int64(100+rv.PricePercent)/100), 1), prev)
			tiers[i] = Tier{MinQuantity: t.MinQuantity, AmountMinor: prev}
		}
		p.PriceTiers = tiers
	}
	p.LeadTimeDays = min(max(p.LeadTimeDays+rv.LeadTimeDays, 0), 90)
	p.DescriptionEN += rv.AppendEN
	p.DescriptionTH += rv.AppendTH
	p.State = StatePendingReview
	p.SubmittedAt = c.between(maxTime(p.PublishedAt.Add(time.Hour), c.now.Add(-queueDays*24*time.Hour)), c.now.Add(-5*time.Minute))
}

// rejected: submitted in the last two months and refused with a reason
// that fits its category.
func (c *curation) rejected(p *Product) {
	reasons := c.t.reasonsFor(p.Category)
	p.State = StateRejected
	p.RejectionReason = reasons[c.r.IntN(len(reasons))]
	p.CreatedAt = c.minutesAgo(2*24*time.Hour, 62*24*time.Hour)
	p.SubmittedAt = p.CreatedAt.Add(time.Duration(c.r.IntN(24*60)) * time.Minute)
	p.ReviewedAt = minTime(p.SubmittedAt.Add(2*time.Hour+time.Duration(c.r.IntN(5*24*60))*time.Minute), c.now.Add(-30*time.Minute))
	p.PublishedAt = time.Time{}
	unverified(p)
}

// Categories that need a Thai FDA certificate, as in the taxonomy.
const (
	catFood     = "food"
	catBeverage = "beverage"
	catHerbal   = "herbal"
)

// needsFDA reports whether a category needs a Thai FDA certificate to be
// export-ready (catalog.CheckReadiness).
func needsFDA(category string) bool {
	switch category {
	case catFood, catBeverage, catHerbal:
		return true
	}
	return false
}

// readyCert returns the index of a certificate that makes p export-ready once
// verified: unexpired, and a Thai FDA one for food, drinks and herbal
// products; -1 when there is none.
func (c *curation) readyCert(p *Product) int {
	for i, cert := range p.Certifications {
		if (!needsFDA(p.Category) || cert.Kind == certFDA) && !cert.ExpiresOn.Before(c.today) {
			return i
		}
	}
	return -1
}

// designate makes TOPOTOP a share of the published products that meet the
// export-readiness checklist but for their photos (at least one per center
// that has such a product), then hands out photos: three to each TOPOTOP
// product and one to the others in order, to photos products in all (a
// negative number: every product). TOPOTOP products are at most a quarter
// of the photographed ones, except with no photos at all (the benchmark's
// data set): they are designated all the same, ready but for their photos,
// so that the TOPOTOP filters have rows to find.
func (c *curation) designate(products []Product, centers []string, photos int) {
	budget := photos
	if photos < 0 {
		budget = len(products)
	}
	// TOPOTOP products take at most a quarter of the photographed ones.
	room := func(n int) bool { return photos == 0 || n < max(budget/topotopShareOfPhotos, 1) }
	candidate := func(p *Product) bool {
		return p.State == StatePublished && p.OTOPStars >= readyStars &&
			utf8.RuneCountInString(p.DescriptionEN) >= readyDescriptionChars && c.readyCert(p) >= 0
	}
	designated, first := map[string]bool{}, map[string]int{}
	count := 0
	mark := func(p *Product) {
		p.Topotop = true
		if p.StarsVerifiedAt.IsZero() {
			p.StarsVerifiedAt, p.StarsNote = p.PublishedAt, c.t.StarsNote
		}
		if cert := &p.Certifications[c.readyCert(p)]; cert.VerifiedAt.IsZero() {
			c.verify(cert, p.PublishedAt)
		}
		designated[p.SelectCenterID] = true
		count++
	}
	for i := range products {
		p := &products[i]
		if !candidate(p) {
			continue
		}
		if _, ok := first[p.SelectCenterID]; !ok {
			first[p.SelectCenterID] = i
		}
		if p.OTOPStars == 5 && c.r.IntN(topotopOneIn) == 0 && room(count) {
			mark(p)
		}
	}
	for _, center := range centers {
		if i, ok := first[center]; ok && !designated[center] && room(count) {
			mark(&products[i])
		}
	}
	if photos == 0 {
		return
	}
	budget -= count
	for i := range products {
		p := &products[i]
		switch {
		case p.Topotop:
			p.Photos = TopotopPhotos
		case budget > 0:
			p.Photos = 1
			budget--
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
