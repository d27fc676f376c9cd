package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/demo"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/trade"
)

// Sizes of the demo's trade. The products it deals in are the newest
// published ones of each category, a bounded page each, so that the
// scenario costs the same on the benchmark's 100,000 products as on the
// default 600.
const (
	tradePoolPerCategory = 60
	tradeStocked         = 20 // products given a stock, when the pool is large enough
	tradeMinPoolForStock = 3 * tradeStocked
	// tradeExpiredDaysAgo is how long ago the expired quote was made: it
	// was valid for two weeks then.
	tradeExpiredDaysAgo = 30
)

// seedTrade creates the demo importers (importer-<country>@demo.otop.example,
// with the demo password's hash) and plays a deterministic round of trade
// with the published demo products through the trade service, as the API
// would: inquiries with threads and quotes in every state, RFQs with
// competing quotes, and orders in every state, so that audit rows,
// notifications and webhook events are written as for real requests (the
// demo registers no webhook endpoint, so no delivery is queued).
func (a *app) seedTrade(ctx context.Context, hash string, now time.Time) error {
	start := time.Now()
	data, err := demo.LoadTrade(a.tax)
	if err != nil {
		return err
	}
	users := make([]postgres.SeedUser, len(data.Importers))
	for i, im := range data.Importers {
		users[i] = postgres.SeedUser{PasswordHash: hash, User: account.User{
			ID: uuid.New(), Email: importerEmail(im.Country), Role: account.RoleImporter,
			DisplayName: im.DisplayName, Country: im.Country,
		}}
	}
	if err := postgres.NewSeeder(a.db).Insert(ctx, users, nil, nil, nil); err != nil {
		return fmt.Errorf("demo importers: %w", err)
	}
	catalogSvc := catalog.NewService(postgres.NewCatalog(a.db), a.tax, time.Now)
	store := postgres.NewTrade(a.db)
	// The trade runs on the real clock (every date it is given lies days
	// ahead of the seed's now); the expired quote is made by the same trade
	// a month earlier, when its last valid day was still ahead.
	svc, err := trade.NewService(store, store, a.tax, time.Now)
	if err != nil {
		return err
	}
	earlier, err := trade.NewService(store, store, a.tax, func() time.Time {
		return time.Now().AddDate(0, 0, -tradeExpiredDaysAgo)
	})
	if err != nil {
		return err
	}
	s := &tradeScenario{
		svc: svc, earlier: earlier, catalog: catalogSvc, data: data,
		r:     rand.New(rand.NewPCG(2026, 14)), //nolint:gosec // demo data, not security
		today: bangkokDay(now), stock: map[uuid.UUID]int{},
		counts: map[string]int{}, turns: map[string]int{},
	}
	for i, im := range data.Importers {
		s.importers = append(s.importers, tradeImporter{Importer: im,
			who: account.Principal{UserID: users[i].User.ID, Role: account.RoleImporter}})
	}
	// The README's importer comes first: it takes part in every kind of
	// trade, so that its walk-through finds something in every state.
	slices.SortStableFunc(s.importers, func(x, y tradeImporter) int {
		return boolRank(y.Country == demo.ReadmeCountry) - boolRank(x.Country == demo.ReadmeCountry)
	})
	ctx = audit.WithRequestID(ctx, "demo seed")
	if err := s.loadPool(ctx, a.tax.Categories()); err != nil {
		return err
	}
	if len(s.pool) == 0 {
		a.logger.InfoContext(ctx, "no published demo products: the demo trade holds importers only", "importers", len(users))
		return nil
	}
	if err := s.play(ctx); err != nil {
		return fmt.Errorf("demo trade: %w", err)
	}
	a.logger.InfoContext(ctx, "demo trade loaded", "importers", len(users), "stocked_products", len(s.stock),
		slog.Group("inquiries", "open", s.counts["inquiry_"+trade.InquiryOpen], "quoted", s.counts["inquiry_"+trade.InquiryQuoted],
			"accepted", s.counts["inquiry_"+trade.InquiryAccepted], "declined", s.counts["inquiry_"+trade.InquiryDeclined],
			"closed", s.counts["inquiry_"+trade.InquiryClosed], "messages", s.counts["messages"]),
		slog.Group("rfqs", "open", s.counts["rfq_"+trade.RFQOpen], "accepted", s.counts["rfq_"+trade.RFQAccepted]),
		"quotes", s.counts["quotes"],
		slog.Group("orders", "placed", s.counts["order_"+string(trade.OrderPlaced)], "confirmed", s.counts["order_"+string(trade.OrderConfirmed)],
			"shipped", s.counts["order_"+string(trade.OrderShipped)], "delivered", s.counts["order_"+string(trade.OrderDelivered)],
			"cancelled", s.counts["order_"+string(trade.OrderCancelled)], "groups_of_two", s.counts["groups"]),
		"seconds", time.Since(start).Seconds(), "accounts", "importer-<country>"+demoEmailDomain)
	return nil
}

func importerEmail(country string) string {
	return "importer-" + strings.ToLower(country) + demoEmailDomain
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// bangkokDay is the calendar day in Thailand at t, as the trade's dates
// count (UTC midnight).
func bangkokDay(t time.Time) time.Time {
	b := t.In(time.FixedZone("ICT", 7*60*60))
	return time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
}

type tradeImporter struct {
	demo.Importer
	who account.Principal
}

// tradeScenario is one run of the demo's trade. Its choices come from r
// and the pool's order, so that a catalogue seeded the same way gets the
// same trade.
type tradeScenario struct {
	svc, earlier *trade.Service
	catalog      *catalog.Service
	data         *demo.Trade
	r            *rand.Rand
	today        time.Time
	importers    []tradeImporter // the README's first
	nextImporter int

	pool   []catalog.Product // the categories' newest published products, interleaved
	next   int               // the pool's next product
	stock  map[uuid.UUID]int // what is left of the stock given to products
	keys   int               // idempotency keys used
	turns  map[string]int    // texts used, per kind
	counts map[string]int    // what was made, for the summary
}

// loadPool reads a bounded page of the newest published products of each
// category, through the public catalogue, and interleaves them so that
// consecutive picks differ in category, producer and center.
func (s *tradeScenario) loadPool(ctx context.Context, categories []taxonomy.Category) error {
	var pages [][]catalog.Product
	for _, c := range categories {
		page, err := s.catalog.ListProducts(ctx, account.Principal{}, catalog.ProductFilter{Category: c.ID, Limit: tradePoolPerCategory})
		if err != nil {
			return fmt.Errorf("demo trade: products of %s: %w", c.ID, err)
		}
		var usable []catalog.Product
		for _, p := range page.Items {
			if p.Price != nil && p.MOQ != nil && p.Price.Currency == catalog.Currency {
				usable = append(usable, p)
			}
		}
		pages = append(pages, usable)
	}
	for i := range tradePoolPerCategory {
		for _, page := range pages {
			if i < len(page) {
				s.pool = append(s.pool, page[i])
			}
		}
	}
	return nil
}

// play runs the scenario: stock, inquiries, RFQs, then orders placed
// directly, each order moved to the state it is meant to show.
func (s *tradeScenario) play(ctx context.Context) error {
	if err := s.giveStock(ctx); err != nil {
		return err
	}
	if err := s.inquiries(ctx); err != nil {
		return err
	}
	if err := s.rfqs(ctx); err != nil {
		return err
	}
	return s.directOrders(ctx)
}

// giveStock gives some products of the second half of the pool a stock of
// a few minimum orders, as their producers would through the catalogue, so
// that some orders are served from stock. A small pool keeps everything
// made to order.
func (s *tradeScenario) giveStock(ctx context.Context) error {
	if len(s.pool) < tradeMinPoolForStock {
		return nil
	}
	for k := range tradeStocked {
		p := s.pool[len(s.pool)-1-2*k]
		n := *p.MOQ * (4 + s.r.IntN(9))
		owner := account.Principal{UserID: p.OwnerID, Role: account.RoleProducer}
		if _, err := s.catalog.UpdateProduct(ctx, owner, p.ID, catalog.MatchVersion(p.Version), catalog.ProductInput{Stock: catalog.Set(n)}); err != nil {
			return fmt.Errorf("stock of %s: %w", p.NameEN, err)
		}
		s.stock[p.ID] = n
	}
	return nil
}

// take returns the pool's next product that ok accepts, going round.
func (s *tradeScenario) take(ok func(catalog.Product) bool) (catalog.Product, bool) {
	for range s.pool {
		p := s.pool[s.next%len(s.pool)]
		s.next++
		if ok(p) {
			return p, true
		}
	}
	return catalog.Product{}, false
}

func (s *tradeScenario) madeToOrder(p catalog.Product) bool {
	_, stocked := s.stock[p.ID]
	return !stocked
}

// quantity is a few minimum orders of p, within what is left of its stock;
// 0 when its stock cannot serve a minimum order.
func (s *tradeScenario) quantity(p catalog.Product) int {
	q := *p.MOQ * []int{2, 3, 4, 5, 6, 8, 10}[s.r.IntN(7)]
	if left, stocked := s.stock[p.ID]; stocked {
		if left < *p.MOQ {
			return 0
		}
		q = min(q, left)
	}
	return q
}

// importer returns the README's importer when readme is set, otherwise the
// others in turn.
func (s *tradeScenario) importer(readme bool) tradeImporter {
	if readme || len(s.importers) == 1 {
		return s.importers[0]
	}
	im := s.importers[1+s.nextImporter%(len(s.importers)-1)]
	s.nextImporter++
	return im
}

func (s *tradeScenario) date(days int) string {
	return s.today.AddDate(0, 0, days).Format("2006-01-02")
}

func (s *tradeScenario) key() string {
	s.keys++
	return fmt.Sprintf("demo-trade-%03d", s.keys)
}

func (s *tradeScenario) pick(list []string) string { return list[s.r.IntN(len(list))] }

// turn returns the next of n choices of a kind, in turn, so that the demo
// repeats a text only when it has used them all.
func (s *tradeScenario) turn(kind string, n int) int {
	i := s.turns[kind] % n
	s.turns[kind]++
	return i
}

func (s *tradeScenario) inTurn(kind string, list []string) string {
	return list[s.turn(kind, len(list))]
}

func producerOf(p catalog.Product) account.Principal {
	return account.Principal{UserID: p.OwnerID, Role: account.RoleProducer}
}

// tierPrice is p's unit price for a quantity: the deepest price tier the
// quantity reaches, as orders price it.
func tierPrice(p catalog.Product, quantity int) int64 {
	price := p.Price.AmountMinor
	for _, t := range p.PriceTiers {
		if quantity >= t.MinQuantity {
			price = t.AmountMinor
		}
	}
	return price
}

// price is an offer near p's price for quantity, in currency: percent of
// the tier price, converted at the data's rough rate.
func (s *tradeScenario) price(p catalog.Product, quantity int, percent int64, currency string) *trade.PriceInput {
	amount := s.data.Convert(tierPrice(p, quantity)*percent/100, currency)
	return &trade.PriceInput{AmountMinor: &amount, Currency: currency}
}

func ptr[T any](v T) *T { return &v }

// ---------------------------------------------------------------------------
// Inquiries

// What becomes of each demo inquiry.
const (
	inqOpen          = "open"
	inqQuoted        = "quoted"
	inqQuotedTwice   = "quoted twice" // two quotes with other Incoterms rules
	inqQuotedExpired = "quoted after an expired quote"
	inqAccepted      = "accepted"
	inqAcceptedOfTwo = "accepted of two" // accepting one declines the other
	inqDeclined      = "declined"
	inqClosed        = "closed"
)

// tradeInquiry is a demo inquiry as it goes: its importer, product and
// quantity, and the thread it follows.
type tradeInquiry struct {
	im       tradeImporter
	product  catalog.Product
	quantity int
	incoterm string
	thread   []string // filled in
	id       uuid.UUID
}

// inquiries opens twelve inquiries and takes each to its state; the
// accepted ones place their orders, which then move on.
func (s *tradeScenario) inquiries(ctx context.Context) error {
	plan := []struct {
		fate   string
		readme bool
		order  string // the state of the accepted quote's order
	}{
		{inqOpen, true, ""}, {inqQuotedExpired, true, ""}, {inqAccepted, true, toShipped},
		{inqOpen, false, ""}, {inqOpen, false, ""}, {inqOpen, false, ""},
		{inqQuoted, false, ""}, {inqQuotedTwice, false, ""},
		{inqAcceptedOfTwo, false, toDelivered}, {inqAccepted, false, toConfirmed},
		{inqDeclined, false, ""}, {inqClosed, false, ""},
	}
	for i, step := range plan {
		if err := s.inquiry(ctx, step.fate, step.readme, step.order); err != nil {
			return fmt.Errorf("inquiry %d (%s): %w", i+1, step.fate, err)
		}
	}
	return nil
}

func (s *tradeScenario) inquiry(ctx context.Context, fate string, readme bool, orderState string) error {
	p, ok := s.take(s.madeToOrder)
	if !ok {
		p, _ = s.take(func(catalog.Product) bool { return true })
	}
	in := tradeInquiry{im: s.importer(readme), product: p, quantity: s.quantity(p)}
	if in.quantity == 0 {
		return nil // a small pool whose only products are out of stock
	}
	in.incoterm = in.im.Incoterms[0]
	threads := s.data.ThreadsFor(p.Category)
	fill := demo.Filling{Product: p.NameEN, Quantity: s.data.Quantity(in.quantity, p.Unit), Port: in.im.Port, Company: in.im.Company}
	for _, m := range threads[s.turn("thread "+p.Category, len(threads))].Messages {
		in.thread = append(in.thread, demo.Fill(m, fill))
	}
	req := trade.InquiryInput{
		ProductID: p.ID, Quantity: &in.quantity, Incoterm: in.incoterm, DestinationCountry: in.im.Country,
		WantedBy: s.date(45 + s.r.IntN(75)), Message: in.thread[0],
	}
	if s.r.IntN(2) == 0 {
		req.TargetPrice = s.price(p, in.quantity, 88, in.im.Currencies[0])
	}
	created, err := s.svc.CreateInquiry(ctx, in.im.who, req)
	if err != nil {
		return err
	}
	in.id = created.ID
	s.counts["messages"]++
	// An open inquiry shows its whole thread; the others the question and
	// the producer's first answer, then the quotes.
	messages := 2
	if fate == inqOpen || fate == inqClosed {
		messages = len(in.thread)
	}
	if err := s.converse(ctx, in, messages); err != nil {
		return err
	}
	switch fate {
	case inqQuoted:
		_, err = s.quote(ctx, s.svc, in, in.incoterm, 100, "")
	case inqQuotedTwice:
		if _, err = s.quote(ctx, s.svc, in, "FOB", 100, ""); err == nil {
			_, err = s.quote(ctx, s.svc, in, "CIF", 108, "")
		}
	case inqQuotedExpired:
		// Quoted a month ago for two weeks, then quoted again.
		if _, err = s.quote(ctx, s.earlier, in, in.incoterm, 97, s.date(14-tradeExpiredDaysAgo)); err == nil {
			_, err = s.quote(ctx, s.svc, in, in.incoterm, 103, "")
		}
	case inqAccepted, inqAcceptedOfTwo:
		var q trade.Quote
		if fate == inqAcceptedOfTwo {
			if _, err = s.quote(ctx, s.svc, in, "EXW", 92, ""); err != nil {
				return err
			}
		}
		if q, err = s.quote(ctx, s.svc, in, in.incoterm, 100, ""); err != nil {
			return err
		}
		err = s.accept(ctx, in.im, q, orderState)
	case inqDeclined:
		var q trade.Quote
		if q, err = s.quote(ctx, s.svc, in, in.incoterm, 115, ""); err == nil {
			_, err = s.svc.DeclineQuote(ctx, in.im.who, q.ID, s.inTurn("decline", s.data.DeclineReasons))
		}
	case inqClosed:
		_, err = s.svc.CloseInquiry(ctx, in.im.who, in.id, s.inTurn("close", s.data.CloseReasons))
	}
	if err != nil {
		return err
	}
	final, err := s.svc.Inquiry(ctx, in.im.who, in.id)
	if err != nil {
		return err
	}
	s.counts["inquiry_"+final.Status]++
	return nil
}

// converse posts the thread's messages after the first, up to n in all,
// the producer and the importer taking turns.
func (s *tradeScenario) converse(ctx context.Context, in tradeInquiry, n int) error {
	for i := 1; i < min(n, len(in.thread)); i++ {
		author := in.im.who
		if i%2 == 1 {
			author = producerOf(in.product)
		}
		if _, err := s.svc.PostMessage(ctx, author, in.id, in.thread[i]); err != nil {
			return err
		}
		s.counts["messages"]++
	}
	return nil
}

// quote is the producer's quote on an inquiry, at percent of the tier
// price, in the importer's currency, valid until validUntil ("": for three
// to six weeks).
func (s *tradeScenario) quote(ctx context.Context, svc *trade.Service, in tradeInquiry, incoterm string, percent int64, validUntil string) (trade.Quote, error) {
	p := in.product
	lead := 30
	if p.LeadTimeDays != nil {
		lead = *p.LeadTimeDays
	}
	if validUntil == "" {
		validUntil = s.date(21 + s.r.IntN(25))
	}
	q, err := svc.QuoteInquiry(ctx, producerOf(p), in.id, trade.QuoteInput{
		UnitPrice: s.price(p, in.quantity, percent, in.im.Currencies[0]), MinQuantity: ptr(*p.MOQ), Incoterm: incoterm,
		LeadTimeDays: ptr(lead + 7*s.r.IntN(3)), ValidUntil: validUntil,
		Note: s.pick(s.data.NotesFor(p.Category)),
	})
	if err == nil {
		s.counts["quotes"]++
	}
	return q, err
}

// accept is the importer accepting a quote: its order is placed at the
// quote's terms, then moved to state.
func (s *tradeScenario) accept(ctx context.Context, im tradeImporter, q trade.Quote, state string) error {
	placed, err := s.svc.AcceptQuote(ctx, im.who, s.key(), q.ID, 0, im.OrderNote)
	if err != nil {
		return err
	}
	for _, o := range placed.Orders {
		s.takeStock(o)
		if err := s.move(ctx, o, state); err != nil {
			return err
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// RFQs

// rfqs posts the data's requests for quotation; producers of matching
// products quote on each, two to four of them with other currencies,
// Incoterms rules and lead times. The first RFQ of an importer other than
// the README's is accepted at its cheapest quote; the README's stays open.
func (s *tradeScenario) rfqs(ctx context.Context) error {
	accepted := false
	for i, d := range s.data.RFQs {
		im, ok := s.importerOf(d.Importer)
		if !ok {
			continue
		}
		acceptIt := !accepted && im.Country != demo.ReadmeCountry
		done, err := s.rfq(ctx, im, d, acceptIt)
		if err != nil {
			return fmt.Errorf("rfq %d (%s): %w", i+1, d.Category, err)
		}
		accepted = accepted || done
	}
	return nil
}

func (s *tradeScenario) importerOf(country string) (tradeImporter, bool) {
	for _, im := range s.importers {
		if im.Country == country {
			return im, true
		}
	}
	return tradeImporter{}, false
}

// rfqCandidates are one product per producer of the pool that matches
// the RFQ, preferring products sold by the RFQ's unit.
func (s *tradeScenario) rfqCandidates(r trade.RFQ, unit string) []catalog.Product {
	byProducer := map[uuid.UUID]int{}
	var out []catalog.Product
	for _, p := range s.pool {
		tp := trade.TradeProduct{Category: p.Category, CreativeIndustry: p.CreativeIndustry, Region: p.Region,
			ClusterID: p.ClusterID, ProvinceCode: p.ProvinceCode}
		if !r.Matches(tp) || !s.madeToOrder(p) {
			continue
		}
		i, seen := byProducer[p.ProducerID]
		switch {
		case !seen:
			byProducer[p.ProducerID] = len(out)
			out = append(out, p)
		case out[i].Unit != unit && p.Unit == unit:
			out[i] = p
		}
	}
	return out
}

func (s *tradeScenario) rfq(ctx context.Context, im tradeImporter, d demo.RFQ, acceptIt bool) (bool, error) {
	// The creative industry and the region narrow the request only when
	// two producers or more can still quote.
	r := trade.RFQ{Category: d.Category, CreativeIndustry: d.CreativeIndustry, Region: d.Region}
	for _, widen := range []func(){func() {}, func() { r.Region = "" }, func() { r.CreativeIndustry = "" }} {
		widen()
		if len(s.rfqCandidates(r, d.Unit)) >= 2 {
			break
		}
	}
	candidates := s.rfqCandidates(r, d.Unit)
	closes := 14 + s.r.IntN(21)
	created, err := s.svc.CreateRFQ(ctx, im.who, trade.RFQInput{
		Category: r.Category, CreativeIndustry: r.CreativeIndustry, Region: r.Region, Quantity: ptr(d.Quantity),
		Unit: d.Unit, Description: d.Description, DestinationCountry: im.Country, ClosesOn: s.date(closes),
		TargetPrice: &trade.PriceInput{AmountMinor: ptr(d.TargetPrice.AmountMinor), Currency: d.TargetPrice.Currency},
	})
	if err != nil {
		return false, err
	}
	s.r.Shuffle(len(candidates), func(i, j int) { candidates[i], candidates[j] = candidates[j], candidates[i] })
	candidates = candidates[:min(len(candidates), 2+s.r.IntN(3))]
	var currencies []string
	for _, c := range append(slices.Clone(im.Currencies), catalog.Currency, "USD") {
		if !slices.Contains(currencies, c) {
			currencies = append(currencies, c)
		}
	}
	incoterms := []string{"FOB", "CIF", "EXW", "FCA", "CFR", "DAP"}
	var quotes []trade.Quote
	var satang []int64 // each quote's unit price in satang, to compare
	for k, p := range candidates {
		currency := currencies[k%len(currencies)]
		incoterm := incoterms[(k+s.r.IntN(2))%len(incoterms)]
		percent := int64(88 + 4*s.r.IntN(6))
		if incoterm == "CIF" || incoterm == "CFR" || incoterm == "DAP" {
			percent += 6 // freight to the destination
		}
		lead := 30
		if p.LeadTimeDays != nil {
			lead = *p.LeadTimeDays
		}
		price := s.price(p, d.Quantity, percent, currency)
		q, err := s.svc.QuoteRFQ(ctx, producerOf(p), created.ID, trade.QuoteInput{
			ProductID: p.ID, UnitPrice: price, MinQuantity: ptr(max(*p.MOQ, d.Quantity/(2+k))), Incoterm: incoterm,
			LeadTimeDays: ptr(lead + 5*k + s.r.IntN(10)), ValidUntil: s.date(closes + 14 + s.r.IntN(17)),
			Note: s.pick(s.data.NotesFor(p.Category)),
		})
		if err != nil {
			return false, fmt.Errorf("quote of %s: %w", p.NameEN, err)
		}
		s.counts["quotes"]++
		quotes = append(quotes, q)
		satang = append(satang, *price.AmountMinor*s.data.SatangPerMinor[currency])
	}
	if acceptIt && len(quotes) >= 2 {
		if err := s.accept(ctx, im, quotes[cheapest(satang)], toPlaced); err != nil {
			return false, err
		}
	}
	final, err := s.svc.RFQ(ctx, im.who, created.ID, trade.QuotesOldest)
	if err != nil {
		return false, err
	}
	s.counts["rfq_"+final.Status]++
	return final.Status == trade.RFQAccepted, nil
}

// cheapest is the index of the least of prices.
func cheapest(prices []int64) int {
	best := 0
	for k := range prices {
		if prices[k] < prices[best] {
			best = k
		}
	}
	return best
}

// ---------------------------------------------------------------------------
// Orders

// Where a demo order is taken: a state, and for cancellations, by whom and
// when.
const (
	toPlaced             = string(trade.OrderPlaced)
	toConfirmed          = string(trade.OrderConfirmed)
	toShipped            = string(trade.OrderShipped)
	toDelivered          = string(trade.OrderDelivered)
	toCancelledImporter  = "cancelled by the importer"
	toCancelledProducer  = "cancelled by the producer"
	toCancelledConfirmed = "cancelled by the producer after confirming"
)

// directOrders places orders without a quote, priced from the products'
// tiers: one with lines of two producers (an order group whose two orders
// go their own ways), then single orders, some served from stock, each
// moved to the state it is meant to show.
func (s *tradeScenario) directOrders(ctx context.Context) error {
	im := s.importer(false)
	first, ok := s.take(func(p catalog.Product) bool { return s.quantityLeft(p) })
	if ok {
		lines := []catalog.Product{first}
		if second, ok := s.take(func(p catalog.Product) bool { return p.ProducerID != first.ProducerID && s.quantityLeft(p) }); ok {
			lines = append(lines, second)
		}
		if err := s.order(ctx, im, lines, []string{toDelivered, toShipped}); err != nil {
			return fmt.Errorf("order group: %w", err)
		}
	}
	singles := []struct {
		readme    bool
		fromStock bool
		state     string
	}{
		{true, true, toPlaced}, {true, false, toConfirmed}, {true, true, toDelivered}, {true, false, toCancelledImporter},
		{false, false, toPlaced}, {false, true, toConfirmed}, {false, true, toCancelledProducer},
		{false, false, toCancelledConfirmed}, {false, false, toShipped},
	}
	for i, o := range singles {
		p, ok := s.take(func(p catalog.Product) bool { return s.madeToOrder(p) != o.fromStock && s.quantityLeft(p) })
		if !ok {
			if p, ok = s.take(s.quantityLeft); !ok {
				continue // nothing left to order in a small pool
			}
		}
		if err := s.order(ctx, s.importer(o.readme), []catalog.Product{p}, []string{o.state}); err != nil {
			return fmt.Errorf("order %d (%s): %w", i+1, o.state, err)
		}
	}
	return nil
}

// quantityLeft reports whether p can take a minimum order.
func (s *tradeScenario) quantityLeft(p catalog.Product) bool {
	left, stocked := s.stock[p.ID]
	return !stocked || left >= *p.MOQ
}

// order places an order of products (one line each) and moves the orders
// it makes to states, in the order of their producers.
func (s *tradeScenario) order(ctx context.Context, im tradeImporter, products []catalog.Product, states []string) error {
	req := trade.OrderRequest{DestinationCountry: im.Country, Incoterm: s.pick(im.Incoterms), Note: im.OrderNote}
	for _, p := range products {
		q := s.quantity(p)
		if q == 0 {
			return nil
		}
		req.Lines = append(req.Lines, trade.LineRequest{ProductID: p.ID, Quantity: q})
	}
	placed, err := s.svc.PlaceOrder(ctx, im.who, s.key(), req)
	if err != nil {
		return err
	}
	if len(placed.Orders) > 1 {
		s.counts["groups"]++
	}
	for k, o := range placed.Orders {
		s.takeStock(o)
		if err := s.move(ctx, o, states[min(k, len(states)-1)]); err != nil {
			return err
		}
	}
	return nil
}

// takeStock notes what an order took from stock.
func (s *tradeScenario) takeStock(o trade.Order) {
	for _, l := range o.Lines {
		if l.FromStock {
			s.stock[l.ProductID] -= l.Quantity
		}
	}
}

// move takes a placed order to state through the steps its parties would
// take, each with the If-Match of the version before.
func (s *tradeScenario) move(ctx context.Context, o trade.Order, state string) error {
	importer := account.Principal{UserID: o.ImporterID, Role: account.RoleImporter}
	producer := account.Principal{UserID: o.ProducerUserID, Role: account.RoleProducer}
	var steps []func() (trade.Order, error)
	confirm := func() (trade.Order, error) {
		return s.svc.Confirm(ctx, producer, o.ID, catalog.MatchVersion(o.Version))
	}
	ship := func() (trade.Order, error) {
		c := s.data.Carriers[s.turn("carrier", len(s.data.Carriers))]
		return s.svc.Ship(ctx, producer, o.ID, catalog.MatchVersion(o.Version), c.Name, c.TrackingNumber(s.r))
	}
	deliver := func() (trade.Order, error) {
		return s.svc.Deliver(ctx, importer, o.ID, catalog.MatchVersion(o.Version))
	}
	cancel := func(who account.Principal, reasons []string) func() (trade.Order, error) {
		return func() (trade.Order, error) {
			return s.svc.Cancel(ctx, who, o.ID, catalog.MatchVersion(o.Version), s.inTurn(string(who.Role), reasons))
		}
	}
	switch state {
	case toPlaced:
	case toConfirmed:
		steps = append(steps, confirm)
	case toShipped:
		steps = append(steps, confirm, ship)
	case toDelivered:
		steps = append(steps, confirm, ship, deliver)
	case toCancelledImporter:
		steps = append(steps, cancel(importer, s.data.Cancellations.Importer))
	case toCancelledProducer:
		steps = append(steps, cancel(producer, s.data.Cancellations.Producer))
	case toCancelledConfirmed:
		steps = append(steps, confirm, cancel(producer, s.data.Cancellations.Producer))
	default:
		return errors.New("unknown order state " + state)
	}
	for _, step := range steps {
		next, err := step()
		if err != nil {
			return fmt.Errorf("order %s to %s: %w", o.ID, state, err)
		}
		o = next
	}
	if o.Status == trade.OrderCancelled {
		for _, l := range o.Lines {
			if l.FromStock {
				s.stock[l.ProductID] += l.Quantity
			}
		}
	}
	s.counts["order_"+string(o.Status)]++
	return nil
}
