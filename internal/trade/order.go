package trade

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/keyset"
	"github.com/otopmarket/otop/internal/notify"
	"github.com/otopmarket/otop/internal/webhook"
)

// OrderStatus is where an order stands.
type OrderStatus string

// The order states: placed → confirmed (producer) → shipped (producer) →
// delivered (importer); cancelled by the importer before confirmation or by
// the producer before shipment.
const (
	OrderPlaced    OrderStatus = "placed"
	OrderConfirmed OrderStatus = "confirmed"
	OrderShipped   OrderStatus = "shipped"
	OrderDelivered OrderStatus = "delivered"
	OrderCancelled OrderStatus = "cancelled"
)

// OrderStatuses lists the states, for filters.
func OrderStatuses() []OrderStatus {
	return []OrderStatus{OrderPlaced, OrderConfirmed, OrderShipped, OrderDelivered, OrderCancelled}
}

// Limits of orders.
const (
	MaxOrderLines     = 50
	MaxIdempotencyKey = 255
	// IdempotencyWindow is how long a key is remembered.
	IdempotencyWindow = 24 * time.Hour
	// StockDispatchDays is the handling time of goods taken from stock.
	StockDispatchDays = 2
	// capacityMonthDays turns monthly capacity into days of production.
	capacityMonthDays = 30
	maxCarrierChars   = 100
)

// Order is one producer's part of what an importer ordered at once (orders
// placed together share GroupID). Lines keep the terms agreed when it was
// placed: names, unit and unit price are copied, never looked up again.
type Order struct {
	ID                 uuid.UUID
	GroupID            uuid.UUID
	ImporterID         uuid.UUID
	ProducerID         uuid.UUID
	ProducerUserID     uuid.UUID // the producer's account, which acts on the order
	SelectCenterID     string
	QuoteID            uuid.UUID // uuid.Nil unless made from a quote
	Status             OrderStatus
	Currency           string
	TotalMinor         int64
	DestinationCountry string
	Incoterm           string
	Note               string
	EstimatedShipOn    *time.Time
	Carrier            string
	TrackingNumber     string
	CancelReason       string
	CancelledBy        string
	PlacedAt           time.Time
	ConfirmedAt        *time.Time
	ShippedAt          *time.Time
	DeliveredAt        *time.Time
	CancelledAt        *time.Time
	UpdatedAt          time.Time
	Version            int
	Lines              []Line
}

// Line is one product of an order.
type Line struct {
	No             int
	ProductID      uuid.UUID
	NameTH         string
	NameEN         string
	SKU            string
	Unit           string
	Quantity       int
	UnitPriceMinor int64
	LineTotalMinor int64
	// FromStock: the quantity was taken from the product's stock and is
	// given back if the order is cancelled. Otherwise it is made to order
	// and counts in the producer's backlog until shipped or cancelled.
	FromStock       bool
	EstimatedShipOn *time.Time
}

// LineRequest is a line as the importer asks for it.
type LineRequest struct {
	ProductID uuid.UUID
	Quantity  int
}

// OrderRequest is the body of an order: lines of published products, or an
// accepted quote (AcceptQuote).
type OrderRequest struct {
	Lines              []LineRequest
	DestinationCountry string
	Incoterm           string
	Note               string
}

// Placement is the answer to placing orders: the group and its orders.
// Replayed tells a repeated request (same idempotency key) from the first.
type Placement struct {
	GroupID  uuid.UUID
	Orders   []Order
	Replayed bool
}

// Idempotency is the key of a request that may be retried, with the hash
// of what was asked: the same key and hash replay the first answer.
type Idempotency struct {
	UserID uuid.UUID
	Key    string
	Hash   []byte
}

// OrderProduct is a product as an order sees it, read (and locked) in the
// order's transaction.
type OrderProduct struct {
	catalog.Product
	// Backlog is the quantity of the product's open made-to-order lines.
	Backlog int64
}

// QuoteTerms is an open quote being accepted, read (and locked) in the
// order's transaction, with the request it answers.
type QuoteTerms struct {
	ID                 uuid.UUID
	InquiryID          uuid.UUID // uuid.Nil for an RFQ's quote
	RFQID              uuid.UUID
	ImporterID         uuid.UUID
	ProducerID         uuid.UUID
	ProductID          uuid.UUID
	Status             string
	UnitPrice          Money
	MinQuantity        int
	Incoterm           string
	LeadTimeDays       int
	ValidUntil         time.Time
	RequestedQuantity  int // the inquiry's or RFQ's quantity
	DestinationCountry string
	// OtherOpen are the other open quotes of the same inquiry or RFQ, with
	// their producers' accounts: accepting one declines them.
	OtherOpen []QuoteOwner
}

// QuoteOwner names a quote and its producer's account.
type QuoteOwner struct {
	QuoteID        uuid.UUID
	ProducerUserID uuid.UUID
}

// Plan is what an order's transaction writes, decided by the service from
// what the store read under lock.
type Plan struct {
	Orders  []Order
	Effects Effects
}

// OrderFilter selects a page of orders.
type OrderFilter struct {
	Status   OrderStatus
	Producer uuid.UUID
	Group    uuid.UUID
	Limit    int
	Cursor   string
}

// OrderQuery is a checked filter with the caller's scope.
type OrderQuery struct {
	OrderFilter
	ImporterID   uuid.UUID // only this importer's orders, when set
	ProducerUser uuid.UUID // only orders of this producer account, when set
	SelectCenter string    // only this center's, when set
	After        *keyset.Position
}

// Parties are the seller and the buyer of an order as its proforma invoice
// names them: the parties' contact details, which each shares with the
// other by trading.
type Parties struct {
	SellerNameEN, SellerNameTH string
	Tambon, Amphoe             string
	ProvinceCode               string
	SellerPhone, SellerEmail   string
	BuyerName, BuyerEmail      string
	BuyerCountry               string
}

// Transition is a change of an order's state.
type Transition struct {
	Status         OrderStatus
	Carrier        string
	TrackingNumber string
	Reason         string
}

// OrderStore keeps orders, their lines and the stock they reserve.
type OrderStore interface {
	// PlaceOrders runs one transaction: it claims key (a repeated key with
	// the same hash returns the group it made, Replayed; another hash is
	// refused), reads and locks the products (and the quote, when quoteID
	// is set), calls plan, and writes the orders, their lines, the stock
	// taken and the effects, or nothing.
	PlaceOrders(ctx context.Context, key Idempotency, productIDs []uuid.UUID, quoteID uuid.UUID,
		plan func(group uuid.UUID, products map[uuid.UUID]OrderProduct, quote *QuoteTerms) (Plan, error)) (Placement, error)
	Order(ctx context.Context, id uuid.UUID) (Order, error)
	// Parties reads who sells and who buys an order, for its documents.
	Parties(ctx context.Context, o Order) (Parties, error)
	Orders(ctx context.Context, q OrderQuery) ([]Order, error)
	// TransitionOrder locks the order, calls change, and stores the result
	// with its effects (giving stock back and closing the backlog as the
	// new state says).
	TransitionOrder(ctx context.Context, id uuid.UUID, change func(cur Order) (Order, Effects, error)) (Order, error)
}

// ---------------------------------------------------------------------------
// Placing orders

// PlaceOrder places the lines as one order per producer, sharing a group.
func (s *Service) PlaceOrder(ctx context.Context, p account.Principal, key string, req OrderRequest) (Placement, error) {
	if err := requireImporter(p); err != nil {
		return Placement{}, err
	}
	var v errs.ValidationError
	idem := s.idempotency(p, key, "orders", req, &v)
	switch n := len(req.Lines); {
	case n == 0:
		v.Add("lines", "must hold at least one line")
	case n > MaxOrderLines:
		v.Add("lines", fmt.Sprintf("must hold at most %d lines", MaxOrderLines))
	}
	ids := make([]uuid.UUID, 0, len(req.Lines))
	for i, l := range req.Lines {
		at := "lines[" + strconv.Itoa(i) + "]"
		switch {
		case l.ProductID == uuid.Nil:
			v.Add(at+".product_id", "is required")
		case slices.Contains(ids, l.ProductID):
			v.Add(at+".product_id", "is already on another line; order it once with the whole quantity")
		}
		checkQuantity(&v, at+".quantity", l.Quantity)
		ids = append(ids, l.ProductID)
	}
	note := s.checkTerms(&v, &req)
	if err := v.Err(); err != nil {
		return Placement{}, err
	}
	req.Note = note
	return s.orders.PlaceOrders(ctx, idem, ids, uuid.Nil, func(group uuid.UUID, products map[uuid.UUID]OrderProduct, _ *QuoteTerms) (Plan, error) {
		return s.planOrders(ctx, p, group, req, products)
	})
}

// AcceptQuote accepts an open quote of the caller's inquiry or RFQ and
// places the order at its terms: quantity defaults to what the importer
// asked for and must reach the quote's minimum.
func (s *Service) AcceptQuote(ctx context.Context, p account.Principal, key string, quoteID uuid.UUID, quantity int, note string) (Placement, error) {
	if err := requireImporter(p); err != nil {
		return Placement{}, err
	}
	var v errs.ValidationError
	body := struct {
		Quote    uuid.UUID `json:"quote"`
		Quantity int       `json:"quantity"`
		Note     string    `json:"note"`
	}{quoteID, quantity, note}
	idem := s.idempotency(p, key, "accept", body, &v)
	if quantity != 0 {
		checkQuantity(&v, "quantity", quantity)
	}
	note = tradeText(&v, "note", note, 0, MaxNoteChars)
	if err := v.Err(); err != nil {
		return Placement{}, err
	}
	return s.orders.PlaceOrders(ctx, idem, nil, quoteID, func(group uuid.UUID, products map[uuid.UUID]OrderProduct, q *QuoteTerms) (Plan, error) {
		return s.planQuoteOrder(ctx, p, group, q, products, quantity, note)
	})
}

func requireImporter(p account.Principal) error {
	if err := requireSignedIn(p); err != nil {
		return err
	}
	if !p.Is(account.RoleImporter) {
		return errs.New(errs.ErrForbidden, "only importers place orders")
	}
	return nil
}

// idempotency checks the key and hashes what the request asks (its kind
// and body), so that a key reused for another request can be told apart.
func (s *Service) idempotency(p account.Principal, key, kind string, body any, v *errs.ValidationError) Idempotency {
	switch {
	case key == "":
		v.Add("Idempotency-Key", "is required: send a unique key (a UUID) per order, and the same key when you retry")
	case len(key) > MaxIdempotencyKey || strings.ContainsFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }):
		v.Add("Idempotency-Key", fmt.Sprintf("must be 1 to %d visible ASCII characters", MaxIdempotencyKey))
	}
	b, err := json.Marshal(struct {
		Kind string `json:"kind"`
		Body any    `json:"body"`
	}{kind, body})
	if err != nil {
		panic(err) // plain structs always marshal
	}
	sum := sha256.Sum256(b)
	return Idempotency{UserID: p.UserID, Key: key, Hash: sum[:]}
}

func checkQuantity(v *errs.ValidationError, field string, q int) {
	if q < 1 || q > MaxQuantity {
		v.Add(field, fmt.Sprintf("must be between 1 and %d", MaxQuantity))
	}
}

// checkTerms validates the delivery terms of an order and returns its note.
func (s *Service) checkTerms(v *errs.ValidationError, req *OrderRequest) string {
	req.DestinationCountry = strings.ToUpper(strings.TrimSpace(req.DestinationCountry))
	if req.DestinationCountry == "" {
		v.Add("destination_country", "is required")
	} else {
		s.checkCountry(v, "destination_country", req.DestinationCountry)
	}
	req.Incoterm = strings.ToUpper(strings.TrimSpace(req.Incoterm))
	if !ValidIncoterm(req.Incoterm) {
		v.Add("incoterm", "must be an Incoterms 2020 rule: "+strings.Join(Incoterms(), ", "))
	}
	return tradeText(v, "note", req.Note, 0, MaxNoteChars)
}

// planOrders prices the lines from the products as they are now (price
// tiers by quantity), takes stock where the product keeps it, estimates
// ship dates for the rest, and makes one order per producer.
func (s *Service) planOrders(ctx context.Context, p account.Principal, groupID uuid.UUID, req OrderRequest, products map[uuid.UUID]OrderProduct) (Plan, error) {
	var v errs.ValidationError
	now := s.timestamp()
	byProducer := map[uuid.UUID]*Order{}
	var order []uuid.UUID // producers in the order of their first line
	for i, l := range req.Lines {
		at := "lines[" + strconv.Itoa(i) + "]"
		prod, ok := products[l.ProductID]
		if !ok || prod.Status != catalog.StatusPublished {
			v.Add(at+".product_id", "is not a published product")
			continue
		}
		if prod.Price == nil || prod.MOQ == nil {
			v.Add(at+".product_id", "has no price yet")
			continue
		}
		if l.Quantity < *prod.MOQ {
			v.Add(at+".quantity", fmt.Sprintf("must be at least the product's minimum order quantity (%d %s)", *prod.MOQ, prod.Unit))
			continue
		}
		if prod.Stock != nil && *prod.Stock < l.Quantity {
			return Plan{}, errs.Newf(errs.ErrConflict, "line %d: only %d %s of %q in stock (available: %d)",
				i+1, *prod.Stock, prod.Unit, prod.NameEN, *prod.Stock)
		}
		unit := unitPrice(prod.Product, l.Quantity)
		total, ok := multiply(unit, l.Quantity)
		if !ok {
			v.Add(at+".quantity", "makes a line total beyond the largest amount an order can hold")
			continue
		}
		o := byProducer[prod.ProducerID]
		if o == nil {
			o = &Order{
				ID: uuid.New(), GroupID: groupID, ImporterID: p.UserID, ProducerID: prod.ProducerID,
				ProducerUserID: prod.OwnerID, SelectCenterID: prod.SelectCenterID, Status: OrderPlaced,
				Currency: prod.Price.Currency, DestinationCountry: req.DestinationCountry, Incoterm: req.Incoterm,
				Note: req.Note, PlacedAt: now, UpdatedAt: now, Version: 1,
			}
			byProducer[prod.ProducerID] = o
			order = append(order, prod.ProducerID)
		}
		if o.Currency != prod.Price.Currency {
			v.Add(at+".product_id", fmt.Sprintf("is priced in %s; the producer's other lines are in %s: order them apart", prod.Price.Currency, o.Currency))
			continue
		}
		line := Line{
			No: len(o.Lines) + 1, ProductID: prod.ID, NameTH: prod.NameTH, NameEN: prod.NameEN, SKU: prod.SKU,
			Unit: prod.Unit, Quantity: l.Quantity, UnitPriceMinor: unit, LineTotalMinor: total, FromStock: prod.Stock != nil,
		}
		line.EstimatedShipOn = s.shipDate(prod, l.Quantity, line.FromStock, 0)
		if o.TotalMinor, ok = add(o.TotalMinor, total); !ok {
			v.Add(at+".quantity", "makes an order total beyond the largest amount an order can hold")
			continue
		}
		o.Lines = append(o.Lines, line)
	}
	if err := v.Err(); err != nil {
		return Plan{}, err
	}
	var plan Plan
	for _, id := range order {
		o := byProducer[id]
		o.EstimatedShipOn = latest(o.Lines)
		plan.Orders = append(plan.Orders, *o)
		plan.Effects = s.orderEffects(ctx, p, *o, plan.Effects)
	}
	return plan, nil
}

// planQuoteOrder makes the order of an accepted quote, at the quote's price
// and currency, and declines the other open quotes of its inquiry or RFQ.
func (s *Service) planQuoteOrder(ctx context.Context, p account.Principal, groupID uuid.UUID, q *QuoteTerms, products map[uuid.UUID]OrderProduct, quantity int, note string) (Plan, error) {
	if q == nil || q.ImporterID != p.UserID {
		return Plan{}, fmt.Errorf("quote: %w", errs.ErrNotFound)
	}
	switch {
	case q.Status == "accepted":
		return Plan{}, errs.New(errs.ErrConflict, "this quote was already accepted")
	case q.Status != "open":
		return Plan{}, errs.Newf(errs.ErrConflict, "this quote is %s; only an open quote can be accepted", q.Status)
	case q.ValidUntil.Before(s.today()):
		return Plan{}, errs.Newf(errs.ErrConflict, "this quote expired on %s; ask the producer for a new one", q.ValidUntil.Format(dateLayout))
	}
	if quantity == 0 {
		quantity = max(q.RequestedQuantity, q.MinQuantity)
	}
	if quantity < q.MinQuantity {
		return Plan{}, errs.Invalid("quantity", fmt.Sprintf("must be at least the quote's minimum quantity (%d)", q.MinQuantity))
	}
	prod, ok := products[q.ProductID]
	if !ok || prod.Status != catalog.StatusPublished {
		return Plan{}, errs.New(errs.ErrConflict, "the quoted product is no longer published")
	}
	if prod.Stock != nil && *prod.Stock < quantity {
		return Plan{}, errs.Newf(errs.ErrConflict, "only %d %s of %q in stock (available: %d)", *prod.Stock, prod.Unit, prod.NameEN, *prod.Stock)
	}
	total, ok := multiply(q.UnitPrice.AmountMinor, quantity)
	if !ok {
		return Plan{}, errs.Invalid("quantity", "makes a total beyond the largest amount an order can hold")
	}
	now := s.timestamp()
	line := Line{
		No: 1, ProductID: prod.ID, NameTH: prod.NameTH, NameEN: prod.NameEN, SKU: prod.SKU, Unit: prod.Unit,
		Quantity: quantity, UnitPriceMinor: q.UnitPrice.AmountMinor, LineTotalMinor: total, FromStock: prod.Stock != nil,
	}
	line.EstimatedShipOn = s.shipDate(prod, quantity, line.FromStock, q.LeadTimeDays)
	o := Order{
		ID: uuid.New(), GroupID: groupID, ImporterID: p.UserID, ProducerID: prod.ProducerID, ProducerUserID: prod.OwnerID,
		SelectCenterID: prod.SelectCenterID, QuoteID: q.ID, Status: OrderPlaced, Currency: q.UnitPrice.Currency,
		TotalMinor: total, DestinationCountry: q.DestinationCountry, Incoterm: q.Incoterm, Note: note,
		PlacedAt: now, UpdatedAt: now, Version: 1, Lines: []Line{line},
	}
	o.EstimatedShipOn = latest(o.Lines)
	plan := Plan{Orders: []Order{o}}
	plan.Effects = s.orderEffects(ctx, p, o, plan.Effects)
	accepted := audit.New(ctx, actorOf(p), audit.EntityQuote, q.ID, prod.SelectCenterID, audit.ActionAccept)
	accepted.Before["status"], accepted.After["status"] = "open", "accepted"
	accepted.After["order_id"] = o.ID.String()
	plan.Effects.Audit = append(plan.Effects.Audit, accepted)
	plan.Effects.Notifications = append(plan.Effects.Notifications, notify.Notification{
		UserID: prod.OwnerID, Kind: notify.KindQuoteAccepted, SubjectType: "quote", SubjectID: q.ID,
		Data: map[string]any{"order_id": o.ID.String(), "product_name_en": prod.NameEN, "quantity": quantity},
	})
	plan.Effects.Events = append(plan.Effects.Events, webhook.Event{
		Type: webhook.EventQuoteAccepted, SubjectType: "quote", SubjectID: q.ID, Recipients: []uuid.UUID{prod.OwnerID},
		Data: map[string]any{"quote_id": q.ID.String(), "order_id": o.ID.String(), "quantity": quantity},
	})
	for _, other := range q.OtherOpen {
		declined := audit.New(ctx, actorOf(p), audit.EntityQuote, other.QuoteID, "", audit.ActionDecline)
		declined.Before["status"], declined.After["status"] = "open", "declined"
		declined.Reason = "another quote was accepted"
		plan.Effects.Audit = append(plan.Effects.Audit, declined)
		plan.Effects.Notifications = append(plan.Effects.Notifications, notify.Notification{
			UserID: other.ProducerUserID, Kind: notify.KindQuoteDeclined, SubjectType: "quote", SubjectID: other.QuoteID,
			Data: map[string]any{"reason": "another quote was accepted"},
		})
	}
	return plan, nil
}

// unitPrice is the price of the deepest tier the quantity reaches, or the
// product's price below the first tier.
func unitPrice(p catalog.Product, quantity int) int64 {
	price := p.Price.AmountMinor
	for _, t := range p.PriceTiers {
		if quantity >= t.MinQuantity {
			price = t.AmountMinor
		}
	}
	return price
}

func multiply(price int64, quantity int) (int64, bool) {
	if price < 0 || quantity < 0 || (quantity != 0 && price > math.MaxInt64/int64(quantity)) {
		return 0, false
	}
	return price * int64(quantity), true
}

func add(a, b int64) (int64, bool) {
	if b > math.MaxInt64-a {
		return 0, false
	}
	return a + b, true
}

// shipDate estimates when a line ships. From stock: after the handling
// days. Made to order: after the lead time (the quote's when it names one),
// plus a month for every full month of capacity that the backlog ahead and
// this line take; without a monthly capacity, after the lead time.
func (s *Service) shipDate(p OrderProduct, quantity int, fromStock bool, quotedLead int) *time.Time {
	today := s.today()
	if fromStock {
		d := today.AddDate(0, 0, StockDispatchDays)
		return &d
	}
	lead := quotedLead
	if lead == 0 && p.LeadTimeDays != nil {
		lead = *p.LeadTimeDays
	}
	days := int64(lead)
	if p.MonthlyCapacity != nil && *p.MonthlyCapacity > 0 {
		months := (p.Backlog + int64(quantity) - 1) / int64(*p.MonthlyCapacity)
		days += min(months, 10*12) * capacityMonthDays
	}
	d := today.AddDate(0, 0, int(days))
	return &d
}

func latest(lines []Line) *time.Time {
	var out *time.Time
	for _, l := range lines {
		if l.EstimatedShipOn != nil && (out == nil || l.EstimatedShipOn.After(*out)) {
			d := *l.EstimatedShipOn
			out = &d
		}
	}
	return out
}

// orderEffects are the audit row, the producer's notification and webhook
// event of a placed order.
func (s *Service) orderEffects(ctx context.Context, p account.Principal, o Order, fx Effects) Effects {
	e := audit.New(ctx, actorOf(p), audit.EntityOrder, o.ID, o.SelectCenterID, audit.ActionPlace)
	e.After["status"], e.After["total_minor"], e.After["currency"] = string(o.Status), o.TotalMinor, o.Currency
	fx.Audit = append(fx.Audit, e)
	data := orderData(o)
	fx.Notifications = append(fx.Notifications, notify.Notification{
		UserID: o.ProducerUserID, Kind: notify.KindOrderPlaced, SubjectType: "order", SubjectID: o.ID, Data: data,
	})
	fx.Events = append(fx.Events, webhook.Event{
		Type: webhook.EventOrderPlaced, SubjectType: "order", SubjectID: o.ID, Recipients: []uuid.UUID{o.ProducerUserID}, Data: data,
	})
	return fx
}

// orderData is what a notification or webhook says of an order: enough to
// act on without another request.
func orderData(o Order) map[string]any {
	lines := make([]any, len(o.Lines))
	for i, l := range o.Lines {
		lines[i] = map[string]any{"product_id": l.ProductID.String(), "name_en": l.NameEN, "name_th": l.NameTH,
			"quantity": l.Quantity, "unit": l.Unit, "unit_price_minor": l.UnitPriceMinor, "line_total_minor": l.LineTotalMinor}
	}
	return map[string]any{
		"order_id": o.ID.String(), "group_id": o.GroupID.String(), "status": string(o.Status),
		"total":               map[string]any{"amount_minor": o.TotalMinor, "currency": o.Currency},
		"destination_country": o.DestinationCountry, "incoterm": o.Incoterm, "lines": lines,
		"carrier": o.Carrier, "tracking_number": o.TrackingNumber, "cancel_reason": o.CancelReason,
	}
}

// ---------------------------------------------------------------------------
// Reading orders

// canSee reports whether p may read o: its importer, its producer, the
// staff of its Select center and admins.
func canSee(p account.Principal, o Order) bool {
	switch {
	case p.Anonymous():
		return false
	case p.Is(account.RoleAdmin):
		return true
	case p.Is(account.RoleCurator):
		return p.SelectCenterID == o.SelectCenterID
	}
	return p.UserID == o.ImporterID || p.UserID == o.ProducerUserID
}

// Order returns an order its parties and staff may see; 404 for others.
func (s *Service) Order(ctx context.Context, p account.Principal, id uuid.UUID) (Order, error) {
	if err := requireSignedIn(p); err != nil {
		return Order{}, err
	}
	o, err := s.orders.Order(ctx, id)
	if err != nil {
		return Order{}, err
	}
	if !canSee(p, o) {
		return Order{}, fmt.Errorf("order %s: %w", id, errs.ErrNotFound)
	}
	return o, nil
}

// OrderDocument returns an order with its parties, for its proforma
// invoice; to whoever may see the order.
func (s *Service) OrderDocument(ctx context.Context, p account.Principal, id uuid.UUID) (Order, Parties, error) {
	o, err := s.Order(ctx, p, id)
	if err != nil {
		return Order{}, Parties{}, err
	}
	parties, err := s.orders.Parties(ctx, o)
	return o, parties, err
}

// Orders lists the caller's orders, newest first: an importer's own, a
// producer's, a curator's center's, or all for admins.
func (s *Service) Orders(ctx context.Context, p account.Principal, f OrderFilter) ([]Order, string, error) {
	if err := requireSignedIn(p); err != nil {
		return nil, "", err
	}
	var v errs.ValidationError
	q := OrderQuery{OrderFilter: f}
	q.Limit = keyset.Limit(f.Limit, &v)
	q.After = keyset.After("orders", f.Cursor, &v)
	if f.Status != "" && !slices.Contains(OrderStatuses(), f.Status) {
		v.Add("status", "must be one of placed, confirmed, shipped, delivered, cancelled")
	}
	if err := v.Err(); err != nil {
		return nil, "", errs.AsQuery(err)
	}
	switch p.Role {
	case account.RoleImporter:
		q.ImporterID = p.UserID
	case account.RoleProducer:
		q.ProducerUser = p.UserID
	case account.RoleCurator:
		q.SelectCenter = p.SelectCenterID
	case account.RoleAdmin:
	default:
		return nil, "", errs.ErrForbidden
	}
	rows, err := s.orders.Orders(ctx, q)
	if err != nil {
		return nil, "", err
	}
	rows, next := keyset.Trim("orders", rows, q.Limit, func(o Order) keyset.Position {
		return keyset.Position{At: o.PlacedAt, ID: o.ID.String()}
	})
	return rows, next, nil
}

// ---------------------------------------------------------------------------
// Order states

// Confirm: the producer accepts a placed order.
func (s *Service) Confirm(ctx context.Context, p account.Principal, id uuid.UUID, ifm catalog.IfMatch) (Order, error) {
	return s.transition(ctx, p, id, ifm, Transition{Status: OrderConfirmed})
}

// Ship: the producer sends a confirmed order, naming carrier and tracking number.
func (s *Service) Ship(ctx context.Context, p account.Principal, id uuid.UUID, ifm catalog.IfMatch, carrier, tracking string) (Order, error) {
	return s.transition(ctx, p, id, ifm, Transition{Status: OrderShipped, Carrier: carrier, TrackingNumber: tracking})
}

// Deliver: the importer confirms receipt of a shipped order.
func (s *Service) Deliver(ctx context.Context, p account.Principal, id uuid.UUID, ifm catalog.IfMatch) (Order, error) {
	return s.transition(ctx, p, id, ifm, Transition{Status: OrderDelivered})
}

// Cancel: the importer before confirmation; the producer (or an admin),
// with a reason, before shipment. Stock taken by the order is given back.
func (s *Service) Cancel(ctx context.Context, p account.Principal, id uuid.UUID, ifm catalog.IfMatch, reason string) (Order, error) {
	return s.transition(ctx, p, id, ifm, Transition{Status: OrderCancelled, Reason: reason})
}

func (s *Service) transition(ctx context.Context, p account.Principal, id uuid.UUID, ifm catalog.IfMatch, t Transition) (Order, error) {
	if err := requireSignedIn(p); err != nil {
		return Order{}, err
	}
	var v errs.ValidationError
	switch t.Status {
	case OrderShipped:
		t.Carrier = tradeText(&v, "carrier", t.Carrier, 1, maxCarrierChars)
		t.TrackingNumber = tradeText(&v, "tracking_number", t.TrackingNumber, 1, maxCarrierChars)
	case OrderCancelled:
		minChars := 0
		if !p.Is(account.RoleImporter) {
			minChars = MinReasonChars
		}
		t.Reason = tradeText(&v, "reason", t.Reason, minChars, MaxReasonChars)
	}
	if err := v.Err(); err != nil {
		return Order{}, err
	}
	return s.orders.TransitionOrder(ctx, id, func(cur Order) (Order, Effects, error) {
		if !canSee(p, cur) {
			return Order{}, Effects{}, fmt.Errorf("order %s: %w", id, errs.ErrNotFound)
		}
		if err := mayMove(p, cur, t.Status); err != nil {
			return Order{}, Effects{}, err
		}
		switch {
		case ifm == nil:
			return Order{}, Effects{}, errs.New(errs.ErrPreconditionRequired, "send If-Match with the ETag of the order you read")
		case !ifm.Matches(cur.Version):
			return Order{}, Effects{}, fmt.Errorf("order %s is at version %d: %w", cur.ID, cur.Version, errs.ErrPrecondition)
		}
		next := s.apply(p, cur, t)
		return next, transitionEffects(ctx, p, cur, next, t), nil
	})
}

// mayMove checks who may move an order to next, and from which state.
func mayMove(p account.Principal, o Order, next OrderStatus) error {
	isProducer, isImporter := p.UserID == o.ProducerUserID, p.UserID == o.ImporterID
	var allowed bool
	var from []OrderStatus
	switch next {
	case OrderConfirmed:
		allowed, from = isProducer, []OrderStatus{OrderPlaced}
	case OrderShipped:
		allowed, from = isProducer, []OrderStatus{OrderConfirmed}
	case OrderDelivered:
		allowed, from = isImporter, []OrderStatus{OrderShipped}
	case OrderCancelled:
		switch {
		case isImporter:
			allowed, from = true, []OrderStatus{OrderPlaced}
		case isProducer || p.Is(account.RoleAdmin):
			allowed, from = true, []OrderStatus{OrderPlaced, OrderConfirmed}
		}
	}
	if !allowed {
		return errs.Newf(errs.ErrForbidden, "you may not move this order to %s", next)
	}
	if !slices.Contains(from, o.Status) {
		names := make([]string, len(from))
		for i, f := range from {
			names[i] = string(f)
		}
		return errs.Newf(errs.ErrConflict, "the order is %s; it can be %s only when %s", o.Status, next, strings.Join(names, " or "))
	}
	return nil
}

func (s *Service) apply(p account.Principal, cur Order, t Transition) Order {
	next := cur
	now := s.timestamp()
	next.Status, next.UpdatedAt = t.Status, now
	switch t.Status {
	case OrderConfirmed:
		next.ConfirmedAt = &now
	case OrderShipped:
		next.ShippedAt, next.Carrier, next.TrackingNumber = &now, t.Carrier, t.TrackingNumber
	case OrderDelivered:
		next.DeliveredAt = &now
	case OrderCancelled:
		next.CancelledAt, next.CancelReason, next.CancelledBy = &now, t.Reason, string(p.Role)
	}
	return next
}

// transitionKinds names the audit action, notification kind and webhook
// event of a move to status.
func transitionKinds(status OrderStatus) (action, notice, event string) {
	switch status {
	case OrderConfirmed:
		return audit.ActionConfirm, notify.KindOrderConfirmed, webhook.EventOrderConfirmed
	case OrderShipped:
		return audit.ActionShip, notify.KindOrderShipped, webhook.EventOrderShipped
	case OrderDelivered:
		return audit.ActionDeliver, notify.KindOrderDelivered, webhook.EventOrderDelivered
	}
	return audit.ActionCancel, notify.KindOrderCancelled, webhook.EventOrderCancelled
}

// transitionEffects: the audit row, and the other party's notification and
// webhook event (both parties' when staff act).
func transitionEffects(ctx context.Context, p account.Principal, cur, next Order, t Transition) Effects {
	action, notice, event := transitionKinds(t.Status)
	e := audit.New(ctx, actorOf(p), audit.EntityOrder, cur.ID, cur.SelectCenterID, action)
	e.Before["status"], e.After["status"] = string(cur.Status), string(next.Status)
	e.Reason = t.Reason
	if t.Status == OrderShipped {
		e.After["carrier"], e.After["tracking_number"] = t.Carrier, t.TrackingNumber
	}
	var recipients []uuid.UUID
	if p.UserID != cur.ImporterID {
		recipients = append(recipients, cur.ImporterID)
	}
	if p.UserID != cur.ProducerUserID {
		recipients = append(recipients, cur.ProducerUserID)
	}
	fx := Effects{Audit: []audit.Entry{e}}
	data := orderData(next)
	for _, r := range recipients {
		fx.Notifications = append(fx.Notifications, notify.Notification{
			UserID: r, Kind: notice, SubjectType: "order", SubjectID: cur.ID, Data: data,
		})
	}
	fx.Events = append(fx.Events, webhook.Event{
		Type: event, SubjectType: "order", SubjectID: cur.ID, Recipients: recipients, Data: data,
	})
	return fx
}
