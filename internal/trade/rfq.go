package trade

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/keyset"
	"github.com/otopmarket/otop/internal/notify"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/webhook"
)

// States of an RFQ: open (producers quote) → accepted (a quote became an
// order) | closed.
const (
	RFQOpen     = "open"
	RFQAccepted = "accepted"
	RFQClosed   = "closed"
)

// RFQStatuses lists the states of an RFQ, for filter checks.
func RFQStatuses() []string { return []string{RFQOpen, RFQAccepted, RFQClosed} }

// RFQ is an importer's request for quotation, broadcast to every producer
// with a published product that matches it: the same category and, when
// the RFQ names them, the same creative industry, region, cluster and
// province.
type RFQ struct {
	ID                 uuid.UUID
	ImporterID         uuid.UUID
	Status             string
	Category           string
	CreativeIndustry   string // "": any
	Region             string // "": any
	ClusterID          string // "": any
	ProvinceCode       string // "": any
	Quantity           int
	Unit               string
	Description        string
	TargetPrice        *Money
	DestinationCountry string
	ClosesOn           time.Time // a date (UTC midnight): the last day quotes are taken
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int
	// AcceptingQuotes: open and not past ClosesOn (Bangkok); set by the
	// service on every RFQ it returns.
	AcceptingQuotes bool
}

// Matches reports whether a product matches the RFQ (its status aside).
// The store's MatchingProducers and the producers' list apply the same rule
// in SQL.
func (r RFQ) Matches(p TradeProduct) bool {
	return p.Category == r.Category &&
		(r.CreativeIndustry == "" || p.CreativeIndustry == r.CreativeIndustry) &&
		(r.Region == "" || p.Region == r.Region) &&
		(r.ClusterID == "" || p.ClusterID == r.ClusterID) &&
		(r.ProvinceCode == "" || p.ProvinceCode == r.ProvinceCode)
}

// RFQDetail is an RFQ with the quotes its reader may see.
type RFQDetail struct {
	RFQ
	Quotes []Quote
}

// RFQState is an RFQ as a change sees it, locked, with its number of quotes.
type RFQState struct {
	RFQ
	Quotes int
}

// RFQChange is what a change of an RFQ writes: a quote and its effects.
type RFQChange struct {
	Quote   *Quote
	Effects Effects
}

// RFQQuery selects RFQs as the store runs it, newest first. Zero fields do
// not filter; MatchProducer keeps the RFQs open on OpenOn that match one of
// the producer's published products.
type RFQQuery struct {
	ImporterID    uuid.UUID
	MatchProducer uuid.UUID
	OpenOn        time.Time
	Status        string
	After         *keyset.Position
	Limit         int
}

// QuoteOrder is the order of an RFQ's quotes.
type QuoteOrder string

// The orders of quotes side by side.
const (
	QuotesOldest  QuoteOrder = "oldest" // the default
	QuotesByPrice QuoteOrder = "price"  // by currency, then unit price, then id
)

// RFQStore keeps RFQs; part of InquiryStore.
type RFQStore interface {
	CreateRFQ(ctx context.Context, r RFQ, fx Effects) error
	RFQ(ctx context.Context, id uuid.UUID) (RFQ, error)
	ListRFQs(ctx context.Context, q RFQQuery) ([]RFQ, error)
	// RFQQuotes lists an RFQ's quotes (only producerID's, unless it is
	// uuid.Nil) in the given order.
	RFQQuotes(ctx context.Context, id, producerID uuid.UUID, order QuoteOrder) ([]Quote, error)
	// ProducerSeesRFQ reports whether one of the producer's published
	// products matches the RFQ, or the producer quoted on it.
	ProducerSeesRFQ(ctx context.Context, producerID uuid.UUID, r RFQ) (bool, error)
	// MatchingProducers lists the users of the producers with a published
	// product matching r.
	MatchingProducers(ctx context.Context, r RFQ) ([]uuid.UUID, error)
	// ChangeRFQ locks the RFQ, asks change what to write, and writes it.
	ChangeRFQ(ctx context.Context, id uuid.UUID, change func(RFQState) (RFQChange, error)) error
}

// RFQInput is an importer's new RFQ. Empty strings and nil are absent.
type RFQInput struct {
	Category           string
	CreativeIndustry   string
	Region             string
	Cluster            string
	Province           string
	Quantity           *int
	Unit               string
	Description        string
	TargetPrice        *PriceInput
	DestinationCountry string
	ClosesOn           string // YYYY-MM-DD, from tomorrow
}

// RFQFilter is a request for a page of RFQs.
type RFQFilter struct {
	Status string
	Limit  int
	Cursor string
}

// RFQPage is one page of RFQs; NextCursor is "" on the last.
type RFQPage struct {
	Items      []RFQ
	NextCursor string
}

const rfqList = "rfqs"

// places is the reference data RFQs are checked against. It is loaded
// (from the embedded files) when needed: the service was built before RFQs
// needed it, and an RFQ is written seldom.
func (s *Service) withAccepting(rs ...RFQ) []RFQ {
	today := s.today()
	for i := range rs {
		rs[i].AcceptingQuotes = rs[i].Status == RFQOpen && !rs[i].ClosesOn.Before(today)
	}
	return rs
}

// rfqData is an RFQ as webhook payloads carry it.
func rfqData(r RFQ) map[string]any {
	return map[string]any{
		"id": r.ID, "status": r.Status, "importer_id": r.ImporterID, "category": r.Category,
		"creative_industry": textOrNil(r.CreativeIndustry), "region": textOrNil(r.Region), "cluster": textOrNil(r.ClusterID),
		"province": textOrNil(r.ProvinceCode), "quantity": r.Quantity, "unit": r.Unit, "description": r.Description,
		"target_price": moneyData(r.TargetPrice), "destination_country": r.DestinationCountry,
		"closes_on": r.ClosesOn.Format(dateLayout),
	}
}

func textOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// checkPlace checks an RFQ's optional creative industry, region, cluster
// and province against the taxonomy and against each other: a cluster lies
// in the region, a province in the cluster and the region.
func checkPlace(places *taxonomy.Taxonomy, r *RFQ, in RFQInput, v *errs.ValidationError) {
	if in.Category == "" {
		v.Add("category", "is required")
	} else if _, ok := places.Category(in.Category); !ok {
		v.Add("category", "must be one of food, beverage, textile, household, herbal")
	}
	if in.CreativeIndustry != "" {
		if _, ok := places.CreativeIndustry(in.CreativeIndustry); !ok {
			v.Add("creative_industry", "unknown creative industry; see GET /v1/creative-industries")
		}
	}
	if in.Region != "" {
		if _, ok := places.Region(in.Region); !ok {
			v.Add("region", "must be one of north, northeast, central, south")
		}
	}
	if in.Cluster != "" {
		c, ok := places.Cluster(in.Cluster)
		switch {
		case !ok:
			v.Add("cluster", "unknown cluster id; see GET /v1/clusters")
		case in.Region != "" && c.Region != in.Region:
			v.Add("cluster", fmt.Sprintf("lies in the region %s, not %s", c.Region, in.Region))
		}
	}
	if in.Province != "" {
		p, ok := places.Province(in.Province)
		switch {
		case !ok:
			v.Add("province", "unknown province; use an ISO 3166-2 code such as TH-50")
		case in.Region != "" && p.Region != in.Region:
			v.Add("province", fmt.Sprintf("lies in the region %s, not %s", p.Region, in.Region))
		case in.Cluster != "" && (p.ClusterID == nil || *p.ClusterID != in.Cluster):
			v.Add("province", "does not lie in the cluster "+in.Cluster)
		}
	}
	r.Category, r.CreativeIndustry, r.Region, r.ClusterID, r.ProvinceCode = in.Category, in.CreativeIndustry, in.Region, in.Cluster, in.Province
}

// CreateRFQ posts an importer's request for quotation. Producers whose
// published products match it are sent the webhook event rfq.created.
func (s *Service) CreateRFQ(ctx context.Context, p account.Principal, in RFQInput) (RFQDetail, error) {
	if err := requireSignedIn(p); err != nil {
		return RFQDetail{}, err
	}
	if !p.Is(account.RoleImporter) {
		return RFQDetail{}, errs.New(errs.ErrForbidden, "only importers post requests for quotation")
	}
	places := s.tax
	var v errs.ValidationError
	r := RFQ{ID: uuid.New(), ImporterID: p.UserID, Status: RFQOpen, Version: 1}
	checkPlace(places, &r, in, &v)
	r.Quantity = tradeQuantity(&v, "quantity", in.Quantity)
	r.Unit = tradeUnit(&v, "unit", in.Unit)
	r.Description = tradeText(&v, "description", in.Description, 1, MaxBodyChars)
	r.TargetPrice = tradePrice(&v, "target_price", in.TargetPrice)
	r.DestinationCountry = s.destination(&v, "destination_country", in.DestinationCountry)
	if in.ClosesOn == "" {
		v.Add("closes_on", "is required: the last day quotes are taken, as YYYY-MM-DD")
	} else if d, ok := s.parseDate(&v, "closes_on", in.ClosesOn, true); ok {
		r.ClosesOn = d
	}
	if err := v.Err(); err != nil {
		return RFQDetail{}, err
	}
	producers, err := s.inquiries.MatchingProducers(ctx, r)
	if err != nil {
		return RFQDetail{}, err
	}
	e := audit.New(ctx, actorOf(p), audit.EntityRFQ, r.ID, "", audit.ActionInquire)
	e.After = rfqData(r)
	fx := Effects{Audit: []audit.Entry{e}}
	if len(producers) > 0 {
		fx.Events = []webhook.Event{{ID: uuid.New(), Type: webhook.EventRFQCreated, SubjectType: "rfq", SubjectID: r.ID,
			Recipients: producers, Data: rfqData(r)}}
	}
	if err := s.inquiries.CreateRFQ(ctx, r, fx); err != nil {
		return RFQDetail{}, err
	}
	return s.RFQ(ctx, p, r.ID, QuotesOldest)
}

// rfqReader is what a caller is to an RFQ: its importer, staff, a producer
// it matches (or who quoted on it, with their producer id), or none.
func (s *Service) rfqReader(ctx context.Context, p account.Principal, r RFQ) (party, uuid.UUID, error) {
	switch {
	case p.Anonymous():
		return partyNone, uuid.Nil, nil
	case p.UserID == r.ImporterID:
		return partyImporter, uuid.Nil, nil
	case p.Staff():
		return partyStaff, uuid.Nil, nil
	case !p.Is(account.RoleProducer):
		return partyNone, uuid.Nil, nil
	}
	producer, err := s.inquiries.ProducerOfUser(ctx, p.UserID)
	if errors.Is(err, errs.ErrNotFound) {
		return partyNone, uuid.Nil, nil
	}
	if err != nil {
		return partyNone, uuid.Nil, err
	}
	sees, err := s.inquiries.ProducerSeesRFQ(ctx, producer, r)
	if err != nil || !sees {
		return partyNone, uuid.Nil, err
	}
	return partyProducer, producer, nil
}

// visibleRFQ loads an RFQ the caller may read: anyone else is told it does
// not exist.
func (s *Service) visibleRFQ(ctx context.Context, p account.Principal, id uuid.UUID) (RFQ, party, uuid.UUID, error) {
	if err := requireSignedIn(p); err != nil {
		return RFQ{}, partyNone, uuid.Nil, err
	}
	r, err := s.inquiries.RFQ(ctx, id)
	if err != nil {
		return RFQ{}, partyNone, uuid.Nil, err
	}
	who, producer, err := s.rfqReader(ctx, p, r)
	if err != nil {
		return RFQ{}, partyNone, uuid.Nil, err
	}
	if who == partyNone {
		return RFQ{}, partyNone, uuid.Nil, fmt.Errorf("rfq %s: %w", id, errs.ErrNotFound)
	}
	return s.withAccepting(r)[0], who, producer, nil
}

// RFQ is one RFQ with its quotes: all of them side by side for its importer
// and for staff, in the given order; a producer it matches sees only their
// own quotes.
func (s *Service) RFQ(ctx context.Context, p account.Principal, id uuid.UUID, order QuoteOrder) (RFQDetail, error) {
	if order == "" {
		order = QuotesOldest
	}
	if order != QuotesOldest && order != QuotesByPrice {
		return RFQDetail{}, errs.InvalidQuery("sort", "must be oldest or price")
	}
	r, _, producer, err := s.visibleRFQ(ctx, p, id)
	if err != nil {
		return RFQDetail{}, err
	}
	quotes, err := s.inquiries.RFQQuotes(ctx, id, producer, order)
	if err != nil {
		return RFQDetail{}, err
	}
	return RFQDetail{RFQ: r, Quotes: s.withExpiry(quotes...)}, nil
}

// RFQs is a page of RFQs, newest first: an importer's own; for a producer
// those open that match one of their published products; every one for
// staff.
func (s *Service) RFQs(ctx context.Context, p account.Principal, f RFQFilter) (RFQPage, error) {
	if err := requireSignedIn(p); err != nil {
		return RFQPage{}, err
	}
	var v errs.ValidationError
	if f.Status != "" && !slices.Contains(RFQStatuses(), f.Status) {
		v.Add("status", "must be one of "+strings.Join(RFQStatuses(), ", "))
	}
	if p.Is(account.RoleProducer) && f.Status != "" && f.Status != RFQOpen {
		v.Add("status", "producers see open requests only")
	}
	limit := keyset.Limit(f.Limit, &v)
	q := RFQQuery{Status: f.Status, After: keyset.After(rfqList, f.Cursor, &v), Limit: limit + 1}
	if err := v.Err(); err != nil {
		return RFQPage{}, errs.AsQuery(err)
	}
	switch {
	case p.Is(account.RoleImporter):
		q.ImporterID = p.UserID
	case p.Is(account.RoleProducer):
		id, err := s.inquiries.ProducerOfUser(ctx, p.UserID)
		if errors.Is(err, errs.ErrNotFound) {
			return RFQPage{}, nil // no profile, no products, nothing matches
		}
		if err != nil {
			return RFQPage{}, err
		}
		q.MatchProducer, q.OpenOn = id, s.today()
	case !p.Staff():
		return RFQPage{}, errs.New(errs.ErrForbidden, "no requests for quotation for this account")
	}
	rows, err := s.inquiries.ListRFQs(ctx, q)
	if err != nil {
		return RFQPage{}, err
	}
	var page RFQPage
	page.Items, page.NextCursor = keyset.Trim(rfqList, rows, limit, func(r RFQ) keyset.Position {
		return keyset.Position{At: r.CreatedAt, ID: r.ID.String()}
	})
	page.Items = s.withAccepting(page.Items...)
	return page, nil
}

// QuoteRFQ is a matching producer's quote on an RFQ, for one of their own
// published products that matches it, while the RFQ is open and not past
// its closing day. The importer is notified.
func (s *Service) QuoteRFQ(ctx context.Context, p account.Principal, id uuid.UUID, in QuoteInput) (Quote, error) {
	r, who, producer, err := s.visibleRFQ(ctx, p, id)
	if err != nil {
		return Quote{}, err
	}
	if who != partyProducer {
		return Quote{}, errs.New(errs.ErrForbidden, "only producers with a matching product quote on a request for quotation")
	}
	var v errs.ValidationError
	q := s.quoteInput(in, &v)
	var prod TradeProduct
	if in.ProductID == uuid.Nil {
		v.Add("product_id", "is required: the published product of yours you quote for")
	} else {
		// What an RFQ asks for never changes: the product is checked before
		// the RFQ is locked.
		prod, err = s.inquiries.TradeProduct(ctx, in.ProductID)
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return Quote{}, err
		}
		if err != nil || prod.ProducerID != producer || prod.Status != catalog.StatusPublished || !r.Matches(prod) {
			v.Add("product_id", "must be one of your published products matching the request (its category"+matchTerms(r)+")")
		}
	}
	if err := v.Err(); err != nil {
		return Quote{}, err
	}
	q.ID, q.RFQID, q.ProducerID, q.ProductID, q.Version = uuid.New(), id, producer, in.ProductID, 1
	today := s.today()
	err = s.inquiries.ChangeRFQ(ctx, id, func(st RFQState) (RFQChange, error) {
		if st.Status != RFQOpen {
			return RFQChange{}, errs.Newf(errs.ErrConflict, "the request for quotation is %s: it takes no more quotes", st.Status)
		}
		if st.ClosesOn.Before(today) {
			return RFQChange{}, errs.Newf(errs.ErrConflict, "the request for quotation closed on %s", st.ClosesOn.Format(dateLayout))
		}
		if st.Quotes >= MaxQuotesPerAsk {
			return RFQChange{}, errs.Newf(errs.ErrConflict, "this request for quotation holds %d quotes, the most it takes", MaxQuotesPerAsk)
		}
		e := audit.New(ctx, actorOf(p), audit.EntityQuote, q.ID, prod.SelectCenterID, audit.ActionQuote)
		e.After = quoteData(q)
		data := map[string]any{"rfq_id": id, "product_id": prod.ID, "name_en": prod.NameEN, "name_th": prod.NameTH,
			"unit_price": moneyData(&q.UnitPrice), "valid_until": q.ValidUntil.Format(dateLayout)}
		return RFQChange{Quote: &q, Effects: Effects{
			Audit:         []audit.Entry{e},
			Notifications: []notify.Notification{{UserID: st.ImporterID, Kind: notify.KindQuoteReceived, SubjectType: "quote", SubjectID: q.ID, Data: data}},
			Events: []webhook.Event{{ID: uuid.New(), Type: webhook.EventQuoteCreated, SubjectType: "quote", SubjectID: q.ID,
				Recipients: []uuid.UUID{st.ImporterID}, Data: quoteData(q)}},
		}}, nil
	})
	if err != nil {
		return Quote{}, err
	}
	return s.quote(ctx, q.ID)
}

// matchTerms names what else than the category a product must share with r.
func matchTerms(r RFQ) string {
	var terms []string
	for _, t := range []struct{ name, value string }{{"creative industry", r.CreativeIndustry}, {"region", r.Region},
		{"cluster", r.ClusterID}, {"province", r.ProvinceCode}} {
		if t.value != "" {
			terms = append(terms, t.name)
		}
	}
	if len(terms) == 0 {
		return ""
	}
	return ", " + strings.Join(terms, ", ")
}
