package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/readcache"
)

// productProtected lists the product fields a producer can never set: the
// lifecycle, the curators' designations, ownership, the place (derived from
// the producer) and the bookkeeping. A body naming any of them is refused
// with 422 "cannot be set by a producer"; any other unknown field is refused
// as unknown.
func productProtected() []string {
	return []string{
		"id", "status", "topotop", "select_center_id", "producer_id", "province_code", "cluster_id", "region",
		"rejection_reason", "submitted_at", "published_at", "created_at", "updated_at", "version",
		"reviewed_at", "otop_stars_verified",
	}
}

// nullable is a request field that is absent, null (clear the field) or a value.
type nullable[T any] struct {
	set   bool
	value *T
}

func (n *nullable[T]) UnmarshalJSON(b []byte) error {
	n.set = true
	if string(b) == "null" {
		n.value = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	n.value = &v
	return nil
}

func (n nullable[T]) patch() *catalog.Null[T] {
	switch {
	case !n.set:
		return nil
	case n.value == nil:
		return catalog.Clear[T]()
	}
	return catalog.Set(*n.value)
}

type moneyJSON struct {
	AmountMinor int64  `json:"amount_minor"`
	Currency    string `json:"currency"`
}

type moneyRequest struct {
	AmountMinor *int64 `json:"amount_minor"`
	Currency    string `json:"currency"`
}

type priceTierJSON struct {
	MinQuantity int   `json:"min_quantity"`
	AmountMinor int64 `json:"amount_minor"`
}

type priceTierRequest struct {
	MinQuantity *int   `json:"min_quantity"`
	AmountMinor *int64 `json:"amount_minor"`
}

type certificationJSON struct {
	Kind      string  `json:"kind"`
	Number    string  `json:"number"`
	ExpiresOn *string `json:"expires_on"`
}

// productRequest is the body of POST /v1/products and PATCH /v1/products/{id}.
// Absent fields are unchanged; null clears the optional ones (creative_industry,
// otop_stars, otop_stars_year, monthly_capacity, lead_time_days, hs_code,
// weight_grams, stock, sku) and leaves the others unchanged.
type productRequest struct {
	NameTH           *string              `json:"name_th"`
	NameEN           *string              `json:"name_en"`
	DescriptionTH    *string              `json:"description_th"`
	DescriptionEN    *string              `json:"description_en"`
	Category         *string              `json:"category"`
	CreativeIndustry nullable[string]     `json:"creative_industry"`
	OTOPStars        nullable[int]        `json:"otop_stars"`
	OTOPStarsYear    nullable[int]        `json:"otop_stars_year"`
	Price            *moneyRequest        `json:"price"`
	PriceTiers       *[]priceTierRequest  `json:"price_tiers"`
	MOQ              *int                 `json:"moq"`
	Unit             *string              `json:"unit"`
	MonthlyCapacity  nullable[int]        `json:"monthly_capacity"`
	LeadTimeDays     nullable[int]        `json:"lead_time_days"`
	HSCode           nullable[string]     `json:"hs_code"`
	WeightGrams      nullable[int]        `json:"weight_grams"`
	Stock            nullable[int]        `json:"stock"`
	SKU              nullable[string]     `json:"sku"`
	Tags             *[]string            `json:"tags"`
	Certifications   *[]certificationJSON `json:"certifications"`
}

func (r productRequest) input() catalog.ProductInput {
	in := catalog.ProductInput{
		NameTH: r.NameTH, NameEN: r.NameEN, DescriptionTH: r.DescriptionTH, DescriptionEN: r.DescriptionEN,
		Category: r.Category, CreativeIndustry: r.CreativeIndustry.patch(),
		OTOPStars: r.OTOPStars.patch(), OTOPStarsYear: r.OTOPStarsYear.patch(),
		MOQ: r.MOQ, Unit: r.Unit, MonthlyCapacity: r.MonthlyCapacity.patch(), LeadTimeDays: r.LeadTimeDays.patch(),
		HSCode: r.HSCode.patch(), WeightGrams: r.WeightGrams.patch(), Tags: r.Tags,
		Stock: r.Stock.patch(), SKU: r.SKU.patch(),
	}
	if r.Price != nil {
		in.Price = &catalog.MoneyInput{AmountMinor: r.Price.AmountMinor, Currency: r.Price.Currency}
	}
	if r.PriceTiers != nil {
		tiers := make([]catalog.PriceTierInput, len(*r.PriceTiers))
		for i, t := range *r.PriceTiers {
			tiers[i] = catalog.PriceTierInput{MinQuantity: t.MinQuantity, AmountMinor: t.AmountMinor}
		}
		in.PriceTiers = &tiers
	}
	if r.Certifications != nil {
		certs := make([]catalog.CertificationInput, len(*r.Certifications))
		for i, c := range *r.Certifications {
			certs[i] = catalog.CertificationInput{Kind: c.Kind, Number: c.Number}
			if c.ExpiresOn != nil {
				certs[i].ExpiresOn = *c.ExpiresOn
			}
		}
		in.Certifications = &certs
	}
	return in
}

// productJSON is a product as the API shows it.
type productJSON struct {
	ID                uuid.UUID            `json:"id"`
	Status            string               `json:"status"`
	ProducerID        uuid.UUID            `json:"producer_id"`
	NameTH            string               `json:"name_th"`
	NameEN            string               `json:"name_en"`
	DescriptionTH     string               `json:"description_th"`
	DescriptionEN     string               `json:"description_en"`
	Category          string               `json:"category"`
	CreativeIndustry  *string              `json:"creative_industry"`
	OTOPStars         *int                 `json:"otop_stars"`
	OTOPStarsYear     *int                 `json:"otop_stars_year"`
	Topotop           bool                 `json:"topotop"`
	Price             *moneyJSON           `json:"price"`
	PriceTiers        []priceTierJSON      `json:"price_tiers"`
	MOQ               *int                 `json:"moq"`
	Unit              *string              `json:"unit"`
	MonthlyCapacity   *int                 `json:"monthly_capacity"`
	LeadTimeDays      *int                 `json:"lead_time_days"`
	HSCode            *string              `json:"hs_code"`
	WeightGrams       *int                 `json:"weight_grams"`
	Stock             *int                 `json:"stock"`
	SKU               *string              `json:"sku"`
	Tags              []string             `json:"tags"`
	Certifications    []certificationReply `json:"certifications"`
	OTOPStarsVerified bool                 `json:"otop_stars_verified"`
	ProvinceCode      string               `json:"province_code"`
	ClusterID         *string              `json:"cluster_id"`
	Region            string               `json:"region"`
	SelectCenterID    string               `json:"select_center_id"`
	Images            []imageJSON          `json:"images"`
	RejectionReason   *string              `json:"rejection_reason,omitempty"`
	SubmittedAt       *time.Time           `json:"submitted_at"`
	ReviewedAt        *time.Time           `json:"reviewed_at"`
	PublishedAt       *time.Time           `json:"published_at"`
	CreatedAt         time.Time            `json:"created_at"`
	UpdatedAt         time.Time            `json:"updated_at"`
	Version           int                  `json:"version"`
}

func newProductJSON(p catalog.Product, urls URLer) productJSON {
	out := productJSON{
		ID: p.ID, Status: string(p.Status), ProducerID: p.ProducerID,
		NameTH: p.NameTH, NameEN: p.NameEN, DescriptionTH: p.DescriptionTH, DescriptionEN: p.DescriptionEN,
		Category: p.Category, CreativeIndustry: optional(p.CreativeIndustry),
		OTOPStars: p.OTOPStars, OTOPStarsYear: p.OTOPStarsYear, Topotop: p.Topotop,
		PriceTiers: make([]priceTierJSON, len(p.PriceTiers)), MOQ: p.MOQ, Unit: optional(p.Unit),
		MonthlyCapacity: p.MonthlyCapacity, LeadTimeDays: p.LeadTimeDays, HSCode: optional(p.HSCode),
		WeightGrams: p.WeightGrams, Stock: p.Stock, SKU: optional(p.SKU), Tags: p.Tags, Certifications: make([]certificationReply, len(p.Certifications)),
		OTOPStarsVerified: p.StarsVerification.IsVerified(), ReviewedAt: utcTime(p.ReviewedAt),
		ProvinceCode: p.ProvinceCode, ClusterID: optional(p.ClusterID), Region: p.Region,
		SelectCenterID: p.SelectCenterID, Images: newImagesJSON(p.Images, urls), RejectionReason: optional(p.RejectionReason),
		SubmittedAt: utcTime(p.SubmittedAt), PublishedAt: utcTime(p.PublishedAt),
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(), Version: p.Version,
	}
	if p.Price != nil {
		out.Price = &moneyJSON{AmountMinor: p.Price.AmountMinor, Currency: p.Price.Currency}
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	for i, t := range p.PriceTiers {
		out.PriceTiers[i] = priceTierJSON{MinQuantity: t.MinQuantity, AmountMinor: t.AmountMinor}
	}
	for i, c := range p.Certifications {
		v := c.Verification
		out.Certifications[i] = certificationReply{Kind: c.Kind, Number: c.Number, Verified: v.IsVerified(),
			VerifiedAt: utcTime(v.At), Disputed: v.State == catalog.Disputed, VerificationNote: v.Note}
		if !v.IsVerified() {
			out.Certifications[i].VerifiedAt = nil
		}
		if c.ExpiresOn != nil {
			d := c.ExpiresOn.Format(time.DateOnly)
			out.Certifications[i].ExpiresOn = &d
		}
	}
	return out
}

// certificationReply is a certificate as the API shows it: whether a
// curator verified it (and when) for everyone; a dispute and the curator's
// note for the owner and staff only (the public view leaves them out).
type certificationReply struct {
	Kind             string     `json:"kind"`
	Number           string     `json:"number"`
	ExpiresOn        *string    `json:"expires_on"`
	Verified         bool       `json:"verified"`
	VerifiedAt       *time.Time `json:"verified_at"`
	Disputed         bool       `json:"disputed"`
	VerificationNote string     `json:"verification_note,omitempty"`
}

func utcTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// etag is the ETag of a representation of the given version: "<version>".
func etag(version int) string {
	return `"` + strconv.Itoa(version) + `"`
}

// ifMatch reads If-Match as RFC 9110 defines it: absent or "*" asks
// nothing; a list of entity-tags matches when any is the stored version's
// ETag ("<version>"); a weak tag (W/"3") never matches, and neither does a
// tag that names no version of ours; only a header that is not a list of
// entity-tags is a 400, naming the header.
func ifMatch(c *gin.Context) (catalog.IfMatch, error) {
	values := c.Request.Header.Values("If-Match")
	if len(values) == 0 {
		return nil, nil
	}
	h := strings.TrimSpace(strings.Join(values, ","))
	if h == "*" {
		return nil, nil
	}
	bad := &errBadRequest{msg: `the If-Match header must be "*" or a comma-separated list of entity-tags such as "3" (RFC 9110)`}
	m := catalog.IfMatch{}
	for elements := 0; ; elements++ {
		h = strings.TrimLeft(h, " \t,")
		if h == "" {
			if elements == 0 {
				return nil, bad
			}
			return m, nil
		}
		weak := strings.HasPrefix(h, "W/")
		if weak {
			h = h[2:]
		}
		if !strings.HasPrefix(h, `"`) {
			return nil, bad
		}
		end := strings.IndexByte(h[1:], '"')
		if end < 0 {
			return nil, bad
		}
		tag := h[1 : 1+end]
		if strings.ContainsFunc(tag, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
			return nil, bad
		}
		if v, err := strconv.Atoi(tag); err == nil && !weak && v >= 1 && strconv.Itoa(v) == tag {
			m = append(m, v)
		}
		h = strings.TrimLeft(h[2+end:], " \t")
		if h != "" && h[0] != ',' {
			return nil, bad
		}
	}
}

// queryParams reads the query string, refusing parameters the route does not
// take and parameters given twice.
func queryParams(c *gin.Context, known ...string) (url.Values, *errs.ValidationError) {
	q := c.Request.URL.Query()
	v := &errs.ValidationError{}
	for name, values := range q {
		switch {
		case !slices.Contains(known, name):
			v.Add(name, "is not a known query parameter")
		case len(values) > 1:
			v.Add(name, "must be given at most once")
		case strings.ContainsFunc(values[0], isRefusedControl) || !utf8.ValidString(values[0]):
			v.Add(name, "must be UTF-8 text without control characters")
		}
	}
	return q, v
}

// intParam parses an optional positive integer query parameter.
func intParam(q url.Values, name, message string, v *errs.ValidationError) int {
	s := q.Get(name)
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		v.Add(name, message)
		return 0
	}
	return n
}

func boolParam(s, name string, v *errs.ValidationError) *bool {
	if s == "" {
		return nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		v.Add(name, "must be true or false")
		return nil
	}
	return &b
}

func uuidParam(s, name string, v *errs.ValidationError) uuid.UUID {
	if s == "" {
		return uuid.Nil
	}
	id, err := uuid.Parse(s)
	if err != nil {
		v.Add(name, "must be a UUID")
	}
	return id
}

// timeParam reads an RFC 3339 time or a date (midnight UTC), within years 2000–2999.
func timeParam(s, name string, v *errs.ValidationError) *time.Time {
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
	}
	if err != nil || t.Year() < 2000 || t.Year() > 2999 {
		v.Add(name, "must be a time such as 2026-05-01T00:00:00Z or a date such as 2026-05-01, from the year 2000")
		return nil
	}
	return &t
}

func productFilterFrom(c *gin.Context) (catalog.ProductFilter, error) {
	q, v := queryParams(c, "province", "cluster", "region", "category", "select_center", "creative_industry",
		"topotop", "min_stars", "producer", "status", "sort", "limit", "cursor")
	f := catalog.ProductFilter{
		Province: q.Get("province"), Cluster: q.Get("cluster"), Region: q.Get("region"), Category: q.Get("category"),
		SelectCenter: q.Get("select_center"), CreativeIndustry: q.Get("creative_industry"),
		Sort: catalog.Sort(q.Get("sort")), Cursor: q.Get("cursor"),
		MinStars: intParam(q, "min_stars", "must be an integer from 1 to 5", v),
		Limit:    intParam(q, "limit", "must be an integer from 1 to 100", v),
	}
	f.Topotop = boolParam(q.Get("topotop"), "topotop", v)
	f.Producer = uuidParam(q.Get("producer"), "producer", v)
	if s := q.Get("status"); s != "" {
		for _, st := range strings.Split(s, ",") {
			f.Status = append(f.Status, catalog.Status(strings.TrimSpace(st)))
		}
	}
	if err := v.Err(); err != nil {
		return f, &errs.QueryError{ValidationError: *v}
	}
	return f, nil
}

// publicCache is cache for callers who see the public view of published
// products, and no cache (a nil one) for producers and staff, who may see
// more of them (their own dispute notes, a center's verification details):
// their replies are neither stored nor served from the cache.
func publicCache[K comparable](c *gin.Context, cache *readcache.Cache[K]) *readcache.Cache[K] {
	if p := principalFrom(c); p.Staff() || p.Is(account.RoleProducer) {
		return nil
	}
	return cache
}

func (h *handlers) replyProduct(c *gin.Context, status int, p catalog.Product) {
	c.Header("ETag", etag(p.Version))
	c.JSON(status, newProductJSON(p, h.urls))
}

func (h *handlers) createProduct(c *gin.Context) {
	var req productRequest
	if err := bindJSON(c, &req, productProtected()...); err != nil {
		respondError(c, err)
		return
	}
	p, err := h.catalog.CreateProduct(c.Request.Context(), principalFrom(c), req.input())
	if err != nil {
		respondError(c, err)
		return
	}
	c.Header("Location", "/v1/products/"+p.ID.String())
	h.replyProduct(c, http.StatusCreated, p)
}

func (h *handlers) listProducts(c *gin.Context) {
	f, err := productFilterFrom(c)
	if err != nil {
		respondError(c, err)
		return
	}
	cachedReply(c, publicCache(c, h.cache.Lists), queryKey("products", c), func() (any, string, bool, error) {
		page, err := h.catalog.ListProducts(c.Request.Context(), principalFrom(c), f)
		if err != nil {
			return nil, "", false, err
		}
		items := make([]productJSON, len(page.Items))
		for i, p := range page.Items {
			items[i] = newProductJSON(p, h.urls)
		}
		// Without a status filter the list is of published products only,
		// the same for every reader: its pages are cached.
		public := len(f.Status) == 0
		return listReply[productJSON]{Items: items, NextCursor: optional(page.NextCursor)}, "", public, nil
	})
}

func (h *handlers) getProduct(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	// A published product shows the same to every reader: its reply is
	// cached. Anything else is for its owner and staff only, and not cached.
	cachedReply(c, publicCache(c, h.cache.Products), id, func() (any, string, bool, error) {
		p, err := h.catalog.GetProduct(c.Request.Context(), principalFrom(c), id)
		if err != nil {
			return nil, "", false, err
		}
		return newProductJSON(p, h.urls), etag(p.Version), p.Status == catalog.StatusPublished, nil
	})
}

func (h *handlers) updateProduct(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	version, err := ifMatch(c)
	if err != nil {
		respondError(c, err)
		return
	}
	var req productRequest
	if err := bindJSON(c, &req, productProtected()...); err != nil {
		respondError(c, err)
		return
	}
	p, err := h.catalog.UpdateProduct(c.Request.Context(), principalFrom(c), id, version, req.input())
	if err != nil {
		respondError(c, err)
		return
	}
	h.replyProduct(c, http.StatusOK, p)
}

func (h *handlers) archiveProduct(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	if err := h.catalog.ArchiveProduct(c.Request.Context(), principalFrom(c), id); err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handlers) submitProduct(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	p, err := h.catalog.SubmitProduct(c.Request.Context(), principalFrom(c), id)
	if err != nil {
		respondError(c, err)
		return
	}
	h.replyProduct(c, http.StatusOK, p)
}
