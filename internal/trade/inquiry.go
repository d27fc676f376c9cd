package trade

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/keyset"
	"github.com/otopmarket/otop/internal/notify"
	"github.com/otopmarket/otop/internal/webhook"
)

// States of an inquiry: open → quoted (a quote came) → accepted (a quote
// became an order) | declined (every quote was declined) | closed (the
// importer gave up). A declined inquiry may be quoted again.
const (
	InquiryOpen     = "open"
	InquiryQuoted   = "quoted"
	InquiryAccepted = "accepted"
	InquiryDeclined = "declined"
	InquiryClosed   = "closed"
)

// InquiryStatuses lists the states of an inquiry, for filter checks.
func InquiryStatuses() []string {
	return []string{InquiryOpen, InquiryQuoted, InquiryAccepted, InquiryDeclined, InquiryClosed}
}

// States of a quote.
const (
	QuoteOpen     = "open"
	QuoteAccepted = "accepted"
	QuoteDeclined = "declined"
)

// Limits of one thread: a conversation or a round of offers that runs
// longer belongs in a new inquiry, and a detail reply stays bounded.
const (
	MaxThreadMessages = 500
	MaxQuotesPerAsk   = 100 // quotes of one inquiry or one RFQ
)

// ProductSummary names a product in replies.
type ProductSummary struct {
	ID     uuid.UUID
	NameEN string
	NameTH string
}

// ProducerSummary names a producer in replies (an RFQ's quotes side by side).
type ProducerSummary struct {
	ID           uuid.UUID
	NameEN       string
	NameTH       string
	ProvinceCode string
}

// TradeProduct is what the trade reads of a product: whether it can be
// asked about, its MOQ and unit, who makes it and where (RFQ matching).
type TradeProduct struct {
	ID               uuid.UUID
	Status           catalog.Status
	NameEN           string
	NameTH           string
	MOQ              *int
	Unit             string
	ProducerID       uuid.UUID
	ProducerUserID   uuid.UUID // the owner of the producer profile
	SelectCenterID   string
	Category         string
	CreativeIndustry string
	Region           string
	ClusterID        string
	ProvinceCode     string
}

// Inquiry is an importer's question about one published product.
type Inquiry struct {
	ID                 uuid.UUID
	ImporterID         uuid.UUID
	ProductID          uuid.UUID
	ProducerID         uuid.UUID
	SelectCenterID     string
	Status             string
	Quantity           int
	Unit               string
	TargetPrice        *Money
	Incoterm           string
	DestinationCountry string
	WantedBy           *time.Time // a date (UTC midnight)
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int
	// Product names the product; ProducerUserID is the user who answers
	// for the producer. Neither is stored with the inquiry.
	Product        ProductSummary
	ProducerUserID uuid.UUID
}

// Message is one message of an inquiry's thread.
type Message struct {
	ID         uuid.UUID
	InquiryID  uuid.UUID
	AuthorID   uuid.UUID
	AuthorRole string // importer or producer
	Body       string
	CreatedAt  time.Time
}

// Quote is a producer's offer on an inquiry or on an RFQ (exactly one of
// InquiryID and RFQID is set).
type Quote struct {
	ID           uuid.UUID
	InquiryID    uuid.UUID // uuid.Nil on an RFQ
	RFQID        uuid.UUID // uuid.Nil on an inquiry
	ProducerID   uuid.UUID
	ProductID    uuid.UUID
	Status       string
	UnitPrice    Money
	MinQuantity  int
	Incoterm     string
	LeadTimeDays int
	ValidUntil   time.Time // a date (UTC midnight)
	Note         string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int
	// Expired: ValidUntil is before today (Bangkok); set by the service on
	// every quote it returns. An expired quote cannot be accepted.
	Expired bool
	// Read with the quote, not stored with it: who made it and of what,
	// the importer it is for, and the Select center of its product.
	Producer       ProducerSummary
	Product        ProductSummary
	ProducerUserID uuid.UUID
	ImporterID     uuid.UUID
	SelectCenterID string
}

// InquiryDetail is an inquiry with its thread and its quotes, oldest first.
type InquiryDetail struct {
	Inquiry
	Messages []Message
	Quotes   []Quote
}

// InquiryState is an inquiry as a change sees it, locked, with the size of
// its thread.
type InquiryState struct {
	Inquiry
	Messages int
	Quotes   int
}

// InquiryChange is what a change of an inquiry writes: a new status ("":
// unchanged), a message, a quote, and its effects. The zero value writes
// nothing.
type InquiryChange struct {
	Status  string
	Message *Message
	Quote   *Quote
	Effects Effects
}

// QuoteState is a quote as a change sees it: locked after its inquiry or
// RFQ (in that order, like every change of the trade), with how many other
// quotes of the same inquiry or RFQ are not declined.
type QuoteState struct {
	Quote
	Inquiry     *Inquiry // the quote's inquiry, or nil
	RFQ         *RFQ     // the quote's RFQ, or nil
	OthersAlive int
}

// QuoteChange is what a change of a quote writes: its new status, the
// new status of its inquiry ("": unchanged), and its effects.
type QuoteChange struct {
	Status        string
	InquiryStatus string
	Effects       Effects
}

// InquiryQuery selects inquiries as the store runs it, newest first. Zero
// fields do not filter.
type InquiryQuery struct {
	ImporterID   uuid.UUID
	ProducerID   uuid.UUID
	SelectCenter string
	Status       string
	ProductID    uuid.UUID
	After        *keyset.Position
	Limit        int
}

// InquiryStore keeps inquiries, their messages and quotes, and RFQs.
// Every change runs in one transaction that locks the inquiry or RFQ row
// (then the quote's) and writes the change with its Effects.
type InquiryStore interface {
	// TradeProduct reads a product with its producer's user.
	TradeProduct(ctx context.Context, id uuid.UUID) (TradeProduct, error)
	// ProducerOfUser returns the id of a user's producer profile
	// (errs.ErrNotFound when they have none).
	ProducerOfUser(ctx context.Context, userID uuid.UUID) (uuid.UUID, error)

	CreateInquiry(ctx context.Context, inq Inquiry, first Message, fx Effects) error
	Inquiry(ctx context.Context, id uuid.UUID) (Inquiry, error)
	// Thread returns an inquiry's messages and quotes, oldest first.
	Thread(ctx context.Context, id uuid.UUID) ([]Message, []Quote, error)
	ListInquiries(ctx context.Context, q InquiryQuery) ([]Inquiry, error)
	// ChangeInquiry locks the inquiry, asks change what to write, and
	// writes it; change's error rolls everything back.
	ChangeInquiry(ctx context.Context, id uuid.UUID, change func(InquiryState) (InquiryChange, error)) error

	Quote(ctx context.Context, id uuid.UUID) (Quote, error)
	// ChangeQuote locks the quote's inquiry or RFQ, then the quote, asks
	// change what to write, and writes it.
	ChangeQuote(ctx context.Context, id uuid.UUID, change func(QuoteState) (QuoteChange, error)) error

	RFQStore
}

// PriceInput is a price as a client sends it.
type PriceInput struct {
	AmountMinor *int64
	Currency    string
}

// InquiryInput is an importer's new inquiry. Quantity nil and empty
// strings are absent.
type InquiryInput struct {
	ProductID          uuid.UUID
	Quantity           *int
	Unit               string // default: the product's unit
	TargetPrice        *PriceInput
	Incoterm           string
	DestinationCountry string
	WantedBy           string // YYYY-MM-DD
	Message            string
}

// QuoteInput is a producer's quote. ProductID is for RFQ quotes only
// (an inquiry's quote is of the inquiry's product).
type QuoteInput struct {
	ProductID    uuid.UUID
	UnitPrice    *PriceInput
	MinQuantity  *int
	Incoterm     string
	LeadTimeDays *int
	ValidUntil   string // YYYY-MM-DD
	Note         string
}

// InquiryFilter is a request for a page of inquiries.
type InquiryFilter struct {
	Status  string
	Product uuid.UUID
	Limit   int
	Cursor  string
}

// InquiryPage is one page of inquiries; NextCursor is "" on the last.
type InquiryPage struct {
	Items      []Inquiry
	NextCursor string
}

const inquiryList = "inquiries"

// ---------------------------------------------------------------------------
// Checks shared by inquiries, quotes and RFQs

// tradeText checks free text: trimmed, from minChars to maxChars
// characters, valid UTF-8 without control characters (tab and line breaks
// are kept). The API's binding refuses control characters first; this
// guards every other caller.
func tradeText(v *errs.ValidationError, field, s string, minChars, maxChars int) string {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case !utf8.ValidString(s):
		v.Add(field, "must be valid UTF-8 text")
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' }):
		v.Add(field, "must not contain control characters")
	case n == 0 && minChars > 0:
		v.Add(field, "is required")
	case n < minChars:
		v.Add(field, fmt.Sprintf("must be at least %d characters", minChars))
	case n > maxChars:
		v.Add(field, fmt.Sprintf("must be at most %d characters", maxChars))
	}
	return s
}

// tradePrice checks a price: 1 to MaxAmountMinor minor units of a currency
// of the trade. nil stays nil.
func tradePrice(v *errs.ValidationError, field string, in *PriceInput) *Money {
	if in == nil {
		return nil
	}
	ok := true
	switch {
	case in.AmountMinor == nil:
		v.Add(field+".amount_minor", "is required")
		ok = false
	case *in.AmountMinor < 1 || *in.AmountMinor > MaxAmountMinor:
		v.Add(field+".amount_minor", fmt.Sprintf("must be between 1 and %d (minor units)", int64(MaxAmountMinor)))
		ok = false
	}
	if !ValidCurrency(in.Currency) {
		v.Add(field+".currency", "must be one of "+strings.Join(Currencies(), ", "))
		ok = false
	}
	if !ok {
		return nil
	}
	return &Money{AmountMinor: *in.AmountMinor, Currency: in.Currency}
}

// tradeQuantity checks a required quantity from lo to MaxQuantity.
func tradeQuantity(v *errs.ValidationError, field string, q *int) int {
	switch {
	case q == nil:
		v.Add(field, "is required")
		return 0
	case *q < 1 || *q > MaxQuantity:
		v.Add(field, fmt.Sprintf("must be between 1 and %d", MaxQuantity))
		return 0
	}
	return *q
}

func tradeIncoterm(v *errs.ValidationError, field, s string) string {
	if s == "" {
		v.Add(field, "is required: an Incoterms 2020 rule such as FOB")
	} else if !ValidIncoterm(s) {
		v.Add(field, "must be an Incoterms 2020 rule: "+strings.Join(Incoterms(), ", "))
	}
	return s
}

func tradeUnit(v *errs.ValidationError, field, s string) string {
	if s == "" {
		v.Add(field, "is required")
	} else if !slices.Contains(catalog.Units(), s) {
		v.Add(field, "must be one of "+strings.Join(catalog.Units(), ", "))
	}
	return s
}

// destination checks a destination country; lower case is accepted.
func (s *Service) destination(v *errs.ValidationError, field, code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		v.Add(field, "is required: an ISO 3166-1 alpha-2 country code such as JP")
		return code
	}
	s.checkCountry(v, field, code)
	return code
}

// quoteInput checks the terms of a quote (not its product).
func (s *Service) quoteInput(in QuoteInput, v *errs.ValidationError) Quote {
	var q Quote
	if in.UnitPrice == nil {
		v.Add("unit_price", "is required")
	} else if m := tradePrice(v, "unit_price", in.UnitPrice); m != nil {
		q.UnitPrice = *m
	}
	q.MinQuantity = tradeQuantity(v, "min_quantity", in.MinQuantity)
	q.Incoterm = tradeIncoterm(v, "incoterm", in.Incoterm)
	switch {
	case in.LeadTimeDays == nil:
		v.Add("lead_time_days", "is required")
	case *in.LeadTimeDays < 0 || *in.LeadTimeDays > MaxLeadDays:
		v.Add("lead_time_days", fmt.Sprintf("must be between 0 and %d", MaxLeadDays))
	default:
		q.LeadTimeDays = *in.LeadTimeDays
	}
	if in.ValidUntil == "" {
		v.Add("valid_until", "is required: the last day the offer holds, as YYYY-MM-DD")
	} else if d, ok := s.parseDate(v, "valid_until", in.ValidUntil, false); ok {
		q.ValidUntil = d
	}
	q.Note = tradeText(v, "note", in.Note, 0, MaxNoteChars)
	q.Status = QuoteOpen
	return q
}

// withExpiry marks the quotes whose last valid day has passed.
func (s *Service) withExpiry(qs ...Quote) []Quote {
	today := s.today()
	for i := range qs {
		qs[i].Expired = qs[i].ValidUntil.Before(today)
	}
	return qs
}

func dateText(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Format(dateLayout)
}

func moneyData(m *Money) any {
	if m == nil {
		return nil
	}
	return map[string]any{"amount_minor": m.AmountMinor, "currency": m.Currency}
}

// inquiryData is an inquiry as webhook payloads carry it.
func inquiryData(inq Inquiry) map[string]any {
	return map[string]any{
		"id": inq.ID, "status": inq.Status, "product_id": inq.ProductID, "producer_id": inq.ProducerID,
		"importer_id": inq.ImporterID, "select_center_id": inq.SelectCenterID, "quantity": inq.Quantity,
		"unit": inq.Unit, "target_price": moneyData(inq.TargetPrice), "incoterm": inq.Incoterm,
		"destination_country": inq.DestinationCountry, "wanted_by": dateText(inq.WantedBy),
		"product": map[string]any{"id": inq.ProductID, "name_en": inq.Product.NameEN, "name_th": inq.Product.NameTH},
	}
}

// quoteData is a quote as webhook payloads carry it.
func quoteData(q Quote) map[string]any {
	d := map[string]any{
		"id": q.ID, "inquiry_id": nil, "rfq_id": nil, "product_id": q.ProductID, "producer_id": q.ProducerID,
		"status": q.Status, "unit_price": moneyData(&q.UnitPrice), "min_quantity": q.MinQuantity,
		"incoterm": q.Incoterm, "lead_time_days": q.LeadTimeDays, "valid_until": q.ValidUntil.Format(dateLayout),
		"note": q.Note,
	}
	if q.InquiryID != uuid.Nil {
		d["inquiry_id"] = q.InquiryID
	}
	if q.RFQID != uuid.Nil {
		d["rfq_id"] = q.RFQID
	}
	return d
}

// productNames is what a notification about a product shows.
func productNames(p ProductSummary) map[string]any {
	return map[string]any{"product_id": p.ID, "name_en": p.NameEN, "name_th": p.NameTH}
}

// ---------------------------------------------------------------------------
// Who is who in an inquiry

// party is what a caller is to an inquiry or a quote.
type party int

const (
	partyNone     party = iota // may not know it exists
	partyImporter              // the importer who asked
	partyProducer              // the producer asked (or who quoted)
	partyStaff                 // staff who may read it
)

func inquiryParty(p account.Principal, inq Inquiry) party {
	switch {
	case p.Anonymous():
		return partyNone
	case p.UserID == inq.ImporterID:
		return partyImporter
	case p.Is(account.RoleProducer) && p.UserID == inq.ProducerUserID:
		return partyProducer
	case p.CanCurate(inq.SelectCenterID):
		return partyStaff
	}
	return partyNone
}

// visibleInquiry loads an inquiry the caller may read: anyone else is told
// it does not exist.
func (s *Service) visibleInquiry(ctx context.Context, p account.Principal, id uuid.UUID) (Inquiry, party, error) {
	if err := requireSignedIn(p); err != nil {
		return Inquiry{}, partyNone, err
	}
	inq, err := s.inquiries.Inquiry(ctx, id)
	if err != nil {
		return Inquiry{}, partyNone, err
	}
	who := inquiryParty(p, inq)
	if who == partyNone {
		return Inquiry{}, partyNone, fmt.Errorf("inquiry %s: %w", id, errs.ErrNotFound)
	}
	return inq, who, nil
}

// ---------------------------------------------------------------------------
// Inquiries

// CreateInquiry opens an importer's inquiry about a published product; its
// message is the first of the thread. The product's producer is notified
// (and sent the webhook event inquiry.created). A product that is not
// published does not exist for this purpose.
func (s *Service) CreateInquiry(ctx context.Context, p account.Principal, in InquiryInput) (InquiryDetail, error) {
	if err := requireSignedIn(p); err != nil {
		return InquiryDetail{}, err
	}
	if !p.Is(account.RoleImporter) {
		return InquiryDetail{}, errs.New(errs.ErrForbidden, "only importers send inquiries")
	}
	var v errs.ValidationError
	inq := Inquiry{ID: uuid.New(), ImporterID: p.UserID, ProductID: in.ProductID, Status: InquiryOpen, Version: 1}
	inq.TargetPrice = tradePrice(&v, "target_price", in.TargetPrice)
	inq.Incoterm = tradeIncoterm(&v, "incoterm", in.Incoterm)
	inq.DestinationCountry = s.destination(&v, "destination_country", in.DestinationCountry)
	if in.WantedBy != "" {
		if d, ok := s.parseDate(&v, "wanted_by", in.WantedBy, false); ok {
			inq.WantedBy = &d
		}
	}
	body := tradeText(&v, "message", in.Message, 1, MaxBodyChars)
	if in.Unit != "" {
		inq.Unit = tradeUnit(&v, "unit", in.Unit)
	}
	if in.ProductID == uuid.Nil {
		v.Add("product_id", "is required")
		tradeQuantity(&v, "quantity", in.Quantity)
		return InquiryDetail{}, v.Err()
	}
	prod, err := s.inquiries.TradeProduct(ctx, in.ProductID)
	if errors.Is(err, errs.ErrNotFound) || (err == nil && prod.Status != catalog.StatusPublished) {
		return InquiryDetail{}, fmt.Errorf("product %s: %w", in.ProductID, errs.ErrNotFound)
	}
	if err != nil {
		return InquiryDetail{}, err
	}
	if inq.Unit == "" {
		inq.Unit = prod.Unit
	}
	if inq.Quantity = tradeQuantity(&v, "quantity", in.Quantity); inq.Quantity > 0 && prod.MOQ != nil && inq.Quantity < *prod.MOQ {
		v.Add("quantity", fmt.Sprintf("must be at least the product's minimum order quantity (MOQ) of %d %s", *prod.MOQ, prod.Unit))
	}
	if err := v.Err(); err != nil {
		return InquiryDetail{}, err
	}
	inq.ProducerID, inq.SelectCenterID, inq.ProducerUserID = prod.ProducerID, prod.SelectCenterID, prod.ProducerUserID
	inq.Product = ProductSummary{ID: prod.ID, NameEN: prod.NameEN, NameTH: prod.NameTH}
	first := Message{ID: uuid.New(), InquiryID: inq.ID, AuthorID: p.UserID, AuthorRole: string(account.RoleImporter), Body: body}

	e := audit.New(ctx, actorOf(p), audit.EntityInquiry, inq.ID, inq.SelectCenterID, audit.ActionInquire)
	e.After = map[string]any{"status": inq.Status, "product_id": inq.ProductID, "quantity": inq.Quantity, "unit": inq.Unit,
		"incoterm": inq.Incoterm, "destination_country": inq.DestinationCountry}
	data := productNames(inq.Product)
	data["quantity"], data["unit"], data["destination_country"] = inq.Quantity, inq.Unit, inq.DestinationCountry
	fx := Effects{
		Audit: []audit.Entry{e},
		Notifications: []notify.Notification{{UserID: prod.ProducerUserID, Kind: notify.KindInquiryReceived,
			SubjectType: "inquiry", SubjectID: inq.ID, Data: data}},
		Events: []webhook.Event{{ID: uuid.New(), Type: webhook.EventInquiryCreated, SubjectType: "inquiry", SubjectID: inq.ID,
			Recipients: []uuid.UUID{prod.ProducerUserID}, Data: withMessage(inquiryData(inq), first)}},
	}
	if err := s.inquiries.CreateInquiry(ctx, inq, first, fx); err != nil {
		return InquiryDetail{}, err
	}
	return s.Inquiry(ctx, p, inq.ID)
}

func withMessage(d map[string]any, m Message) map[string]any {
	d["message"] = map[string]any{"id": m.ID, "author_role": m.AuthorRole, "body": m.Body}
	return d
}

// Inquiry is one inquiry with its thread and quotes, for its importer, its
// product's producer, its Select center's staff and admins.
func (s *Service) Inquiry(ctx context.Context, p account.Principal, id uuid.UUID) (InquiryDetail, error) {
	inq, _, err := s.visibleInquiry(ctx, p, id)
	if err != nil {
		return InquiryDetail{}, err
	}
	msgs, quotes, err := s.inquiries.Thread(ctx, id)
	if err != nil {
		return InquiryDetail{}, err
	}
	return InquiryDetail{Inquiry: inq, Messages: msgs, Quotes: s.withExpiry(quotes...)}, nil
}

// Inquiries is a page of the inquiries the caller takes part in, newest
// first: an importer's own, a producer's (about their products), a
// curator's center's, every one for admins.
func (s *Service) Inquiries(ctx context.Context, p account.Principal, f InquiryFilter) (InquiryPage, error) {
	if err := requireSignedIn(p); err != nil {
		return InquiryPage{}, err
	}
	var v errs.ValidationError
	if f.Status != "" && !slices.Contains(InquiryStatuses(), f.Status) {
		v.Add("status", "must be one of "+strings.Join(InquiryStatuses(), ", "))
	}
	limit := keyset.Limit(f.Limit, &v)
	q := InquiryQuery{Status: f.Status, ProductID: f.Product, After: keyset.After(inquiryList, f.Cursor, &v), Limit: limit + 1}
	if err := v.Err(); err != nil {
		return InquiryPage{}, errs.AsQuery(err)
	}
	switch {
	case p.Is(account.RoleImporter):
		q.ImporterID = p.UserID
	case p.Is(account.RoleProducer):
		id, err := s.inquiries.ProducerOfUser(ctx, p.UserID)
		if errors.Is(err, errs.ErrNotFound) {
			return InquiryPage{}, nil // no profile, no products, nothing asked
		}
		if err != nil {
			return InquiryPage{}, err
		}
		q.ProducerID = id
	case p.Is(account.RoleCurator):
		q.SelectCenter = p.SelectCenterID
	case !p.Is(account.RoleAdmin):
		return InquiryPage{}, errs.New(errs.ErrForbidden, "no inquiries for this account")
	}
	rows, err := s.inquiries.ListInquiries(ctx, q)
	if err != nil {
		return InquiryPage{}, err
	}
	var page InquiryPage
	page.Items, page.NextCursor = keyset.Trim(inquiryList, rows, limit, func(i Inquiry) keyset.Position {
		return keyset.Position{At: i.CreatedAt, ID: i.ID.String()}
	})
	return page, nil
}

// PostMessage adds a message to an inquiry's thread, by its importer or its
// product's producer (staff read but do not write), while the inquiry is
// neither accepted nor closed. The other party is notified.
func (s *Service) PostMessage(ctx context.Context, p account.Principal, id uuid.UUID, body string) (Message, error) {
	cur, who, err := s.visibleInquiry(ctx, p, id)
	if err != nil {
		return Message{}, err
	}
	if who != partyImporter && who != partyProducer {
		return Message{}, errs.New(errs.ErrForbidden, "only the importer and the producer write in an inquiry's thread")
	}
	var v errs.ValidationError
	body = tradeText(&v, "body", body, 1, MaxBodyChars)
	if err := v.Err(); err != nil {
		return Message{}, err
	}
	msg := Message{ID: uuid.New(), InquiryID: id, AuthorID: p.UserID, AuthorRole: string(p.Role), Body: body}
	other := cur.ProducerUserID
	if who == partyProducer {
		other = cur.ImporterID
	}
	err = s.inquiries.ChangeInquiry(ctx, id, func(st InquiryState) (InquiryChange, error) {
		if err := writable(st.Inquiry, "messages"); err != nil {
			return InquiryChange{}, err
		}
		if st.Messages >= MaxThreadMessages {
			return InquiryChange{}, errs.Newf(errs.ErrConflict, "this inquiry holds %d messages, the most one thread takes; open a new inquiry", MaxThreadMessages)
		}
		data := productNames(st.Product)
		data["inquiry_id"], data["author_role"], data["excerpt"] = id, msg.AuthorRole, excerpt(body)
		return InquiryChange{Message: &msg, Effects: Effects{
			Notifications: []notify.Notification{{UserID: other, Kind: notify.KindInquiryMessage, SubjectType: "inquiry", SubjectID: id, Data: data}},
			Events: []webhook.Event{{ID: uuid.New(), Type: webhook.EventInquiryMessage, SubjectType: "inquiry", SubjectID: id,
				Recipients: []uuid.UUID{other}, Data: withMessage(inquiryData(st.Inquiry), msg)}},
		}}, nil
	})
	if err != nil {
		return Message{}, err
	}
	msgs, _, err := s.inquiries.Thread(ctx, id)
	if err != nil {
		return Message{}, err
	}
	for _, m := range msgs {
		if m.ID == msg.ID {
			return m, nil
		}
	}
	return Message{}, fmt.Errorf("message %s not found after writing it", msg.ID)
}

// writable refuses changes to an inquiry that is over.
func writable(inq Inquiry, what string) error {
	if inq.Status == InquiryAccepted || inq.Status == InquiryClosed {
		return errs.Newf(errs.ErrConflict, "the inquiry is %s: it takes no more %s", inq.Status, what)
	}
	return nil
}

// excerpt is the start of a message, for a notification.
func excerpt(s string) string {
	const n = 140
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// QuoteInquiry is the product's producer's quote on an inquiry, of the
// inquiry's product: the inquiry becomes quoted (from open, quoted or
// declined; an accepted or closed inquiry takes no quote). The importer is
// notified.
func (s *Service) QuoteInquiry(ctx context.Context, p account.Principal, id uuid.UUID, in QuoteInput) (Quote, error) {
	cur, who, err := s.visibleInquiry(ctx, p, id)
	if err != nil {
		return Quote{}, err
	}
	if who != partyProducer {
		return Quote{}, errs.New(errs.ErrForbidden, "only the product's producer quotes on an inquiry")
	}
	var v errs.ValidationError
	q := s.quoteInput(in, &v)
	if err := v.Err(); err != nil {
		return Quote{}, err
	}
	q.ID, q.InquiryID, q.ProducerID, q.ProductID, q.Version = uuid.New(), id, cur.ProducerID, cur.ProductID, 1
	err = s.inquiries.ChangeInquiry(ctx, id, func(st InquiryState) (InquiryChange, error) {
		if err := writable(st.Inquiry, "quotes"); err != nil {
			return InquiryChange{}, err
		}
		if st.Quotes >= MaxQuotesPerAsk {
			return InquiryChange{}, errs.Newf(errs.ErrConflict, "this inquiry holds %d quotes, the most it takes", MaxQuotesPerAsk)
		}
		e := audit.New(ctx, actorOf(p), audit.EntityQuote, q.ID, st.SelectCenterID, audit.ActionQuote)
		e.After = quoteData(q)
		data := productNames(st.Product)
		data["inquiry_id"], data["unit_price"], data["valid_until"] = id, moneyData(&q.UnitPrice), q.ValidUntil.Format(dateLayout)
		return InquiryChange{Status: InquiryQuoted, Quote: &q, Effects: Effects{
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

func (s *Service) quote(ctx context.Context, id uuid.UUID) (Quote, error) {
	q, err := s.inquiries.Quote(ctx, id)
	if err != nil {
		return Quote{}, err
	}
	return s.withExpiry(q)[0], nil
}

// CloseInquiry is the importer ending an inquiry: it becomes closed unless
// a quote was accepted. Closing a closed inquiry changes nothing. The
// producer is notified; reason (optional) goes to them and the audit log.
func (s *Service) CloseInquiry(ctx context.Context, p account.Principal, id uuid.UUID, reason string) (InquiryDetail, error) {
	_, who, err := s.visibleInquiry(ctx, p, id)
	if err != nil {
		return InquiryDetail{}, err
	}
	if who != partyImporter {
		return InquiryDetail{}, errs.New(errs.ErrForbidden, "only the importer closes an inquiry")
	}
	var v errs.ValidationError
	reason = tradeText(&v, "reason", reason, 0, MaxReasonChars)
	if err := v.Err(); err != nil {
		return InquiryDetail{}, err
	}
	err = s.inquiries.ChangeInquiry(ctx, id, func(st InquiryState) (InquiryChange, error) {
		switch st.Status {
		case InquiryClosed:
			return InquiryChange{}, nil
		case InquiryAccepted:
			return InquiryChange{}, errs.New(errs.ErrConflict, "a quote of this inquiry was accepted: it cannot be closed")
		}
		e := audit.New(ctx, actorOf(p), audit.EntityInquiry, id, st.SelectCenterID, audit.ActionClose)
		e.Before["status"], e.After["status"], e.Reason = st.Status, InquiryClosed, reason
		data := productNames(st.Product)
		data["inquiry_id"], data["reason"] = id, reason
		closed := st.Inquiry
		closed.Status = InquiryClosed
		return InquiryChange{Status: InquiryClosed, Effects: Effects{
			Audit:         []audit.Entry{e},
			Notifications: []notify.Notification{{UserID: st.ProducerUserID, Kind: notify.KindInquiryClosed, SubjectType: "inquiry", SubjectID: id, Data: data}},
			Events: []webhook.Event{{ID: uuid.New(), Type: webhook.EventInquiryClosed, SubjectType: "inquiry", SubjectID: id,
				Recipients: []uuid.UUID{st.ProducerUserID}, Data: inquiryData(closed)}},
		}}, nil
	})
	if err != nil {
		return InquiryDetail{}, err
	}
	return s.Inquiry(ctx, p, id)
}

// ---------------------------------------------------------------------------
// Quotes

// quoteParty is what a caller is to a quote: its importer, its producer,
// staff who may read it (the inquiry's center's, or any for an RFQ's), or
// none of them.
func quoteParty(p account.Principal, q Quote) party {
	switch {
	case p.Anonymous():
		return partyNone
	case p.UserID == q.ImporterID:
		return partyImporter
	case p.Is(account.RoleProducer) && p.UserID == q.ProducerUserID:
		return partyProducer
	case q.RFQID != uuid.Nil && p.Staff(), p.CanCurate(q.SelectCenterID):
		return partyStaff
	}
	return partyNone
}

// Quote is one quote, for its importer, its producer and staff.
func (s *Service) Quote(ctx context.Context, p account.Principal, id uuid.UUID) (Quote, error) {
	if err := requireSignedIn(p); err != nil {
		return Quote{}, err
	}
	q, err := s.quote(ctx, id)
	if err != nil {
		return Quote{}, err
	}
	if quoteParty(p, q) == partyNone {
		return Quote{}, fmt.Errorf("quote %s: %w", id, errs.ErrNotFound)
	}
	return q, nil
}

// DeclineQuote is the importer turning a quote down (reason optional). When
// every quote of an inquiry is declined, the inquiry is declined too (the
// producer may quote again). The producer is notified.
func (s *Service) DeclineQuote(ctx context.Context, p account.Principal, id uuid.UUID, reason string) (Quote, error) {
	cur, err := s.Quote(ctx, p, id)
	if err != nil {
		return Quote{}, err
	}
	if quoteParty(p, cur) != partyImporter {
		return Quote{}, errs.New(errs.ErrForbidden, "only the importer who asked declines a quote")
	}
	var v errs.ValidationError
	reason = tradeText(&v, "reason", reason, 0, MaxReasonChars)
	if err := v.Err(); err != nil {
		return Quote{}, err
	}
	err = s.inquiries.ChangeQuote(ctx, id, func(st QuoteState) (QuoteChange, error) {
		if st.Status != QuoteOpen {
			return QuoteChange{}, errs.Newf(errs.ErrConflict, "only an open quote can be declined; this one is %s", st.Status)
		}
		ch := QuoteChange{Status: QuoteDeclined}
		if st.Inquiry != nil && st.OthersAlive == 0 && (st.Inquiry.Status == InquiryQuoted || st.Inquiry.Status == InquiryOpen) {
			ch.InquiryStatus = InquiryDeclined
		}
		e := audit.New(ctx, actorOf(p), audit.EntityQuote, id, st.SelectCenterID, audit.ActionDecline)
		e.Before["status"], e.After["status"], e.Reason = st.Status, QuoteDeclined, reason
		data := productNames(st.Product)
		data["reason"] = reason
		declined := st.Quote
		declined.Status = QuoteDeclined
		ch.Effects = Effects{
			Audit:         []audit.Entry{e},
			Notifications: []notify.Notification{{UserID: st.ProducerUserID, Kind: notify.KindQuoteDeclined, SubjectType: "quote", SubjectID: id, Data: data}},
			Events: []webhook.Event{{ID: uuid.New(), Type: webhook.EventQuoteDeclined, SubjectType: "quote", SubjectID: id,
				Recipients: []uuid.UUID{st.ProducerUserID}, Data: quoteData(declined)}},
		}
		return ch, nil
	})
	if err != nil {
		return Quote{}, err
	}
	return s.quote(ctx, id)
}
