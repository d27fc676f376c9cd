package trade_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/internal/testenv"
	"github.com/otopmarket/otop/internal/trade"
)

// orderWorld is a database with a catalogue and the trade service, at a
// fixed clock.
type orderWorld struct {
	ctx     context.Context
	db      *gorm.DB
	catalog *catalog.Service
	trade   *trade.Service
	now     time.Time
}

func newOrderWorld(t *testing.T) *orderWorld {
	t.Helper()
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatalf("load taxonomy: %v", err)
	}
	db := testenv.DB(t)
	w := &orderWorld{ctx: audit.WithRequestID(context.Background(), "req-order-test"), db: db,
		now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return w.now }
	w.catalog = catalog.NewService(postgres.NewCatalog(db), tax, clock)
	store := postgres.NewTrade(db)
	if w.trade, err = trade.NewService(store, store, tax, clock); err != nil {
		t.Fatalf("trade service: %v", err)
	}
	return w
}

func (w *orderWorld) account(t *testing.T, role account.Role, center string) account.Principal {
	t.Helper()
	var country, centerID *string
	if role == account.RoleImporter {
		jp := "JP"
		country = &jp
	}
	if center != "" {
		centerID = &center
	}
	var id uuid.UUID
	err := w.db.Raw(`INSERT INTO users (email, password_hash, role, display_name, country, select_center_id)
		VALUES (?, 'x', ?, 'order test user', ?, ?) RETURNING id`,
		uuid.NewString()+"@example.com", string(role), country, centerID).Row().Scan(&id)
	if err != nil {
		t.Fatalf("insert %s user: %v", role, err)
	}
	return account.Principal{UserID: id, Role: role, SelectCenterID: center}
}

// maker is a producer in Lamphun (TH-51), of the Chiang Mai center.
func (w *orderWorld) maker(t *testing.T) account.Principal {
	t.Helper()
	p := w.account(t, account.RoleProducer, "")
	s := func(v string) *string { return &v }
	level := 2
	if _, err := w.catalog.CreateProducer(w.ctx, p, catalog.ProducerInput{
		NameTH: s("กลุ่มทอผ้าไหมบ้านหนองเงือก"), NameEN: s("Ban Nong Nguek Weavers"), Kind: s("community_enterprise"),
		ProvinceCode: s("TH-51"), Amphoe: s("ป่าซาง"), Tambon: s("มะกอก"), EnterpriseLevel: &level,
	}); err != nil {
		t.Fatalf("CreateProducer: %v", err)
	}
	return p
}

// listed is a published product of owner: 450 baht a piece, MOQ 2, 400 baht
// from 10 and 350 from 100; stock as given (nil: made to order, 60 a
// month, 30 days' lead time).
func (w *orderWorld) listed(t *testing.T, owner account.Principal, stock *int) catalog.Product {
	t.Helper()
	s := func(v string) *string { return &v }
	price, moq := int64(45000), 2
	in := catalog.ProductInput{
		NameTH: s("ผ้าไหมยกดอกลำพูน"), NameEN: s("Lamphun Brocade Silk"), DescriptionEN: s("Hand-woven Lamphun silk brocade."),
		Category: s("textile"), Price: &catalog.MoneyInput{AmountMinor: &price}, MOQ: &moq, Unit: s("piece"),
		MonthlyCapacity: catalog.Set(60), LeadTimeDays: catalog.Set(30),
		PriceTiers: &[]catalog.PriceTierInput{{MinQuantity: &[]int{10}[0], AmountMinor: &[]int64{40000}[0]},
			{MinQuantity: &[]int{100}[0], AmountMinor: &[]int64{35000}[0]}},
	}
	if stock != nil {
		in.Stock = catalog.Set(*stock)
	}
	p, err := w.catalog.CreateProduct(w.ctx, owner, in)
	if err != nil {
		t.Fatalf("CreateProduct: %v", err)
	}
	if err := w.db.Exec(`UPDATE products SET status = 'published', published_at = now() WHERE id = ?`, p.ID).Error; err != nil {
		t.Fatalf("publish: %v", err)
	}
	return p
}

func (w *orderWorld) stockOf(t *testing.T, id uuid.UUID) *int {
	t.Helper()
	var stock *int
	if err := w.db.Raw(`SELECT stock FROM products WHERE id = ?`, id).Row().Scan(&stock); err != nil {
		t.Fatalf("read stock: %v", err)
	}
	return stock
}

func (w *orderWorld) rows(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := w.db.Raw(query, args...).Row().Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func orderOf(lines ...trade.LineRequest) trade.OrderRequest {
	return trade.OrderRequest{Lines: lines, DestinationCountry: "JP", Incoterm: "FOB"}
}

func line(p catalog.Product, q int) trade.LineRequest {
	return trade.LineRequest{ProductID: p.ID, Quantity: q}
}

func stock(n int) *int { return &n }

func TestOrdersArePricedFromTiersAndSplitPerProducer(t *testing.T) {
	t.Parallel()
	w := newOrderWorld(t)
	importer := w.account(t, account.RoleImporter, "")
	weaver, potter := w.maker(t), w.maker(t)
	silk := w.listed(t, weaver, stock(500))
	shawl := w.listed(t, weaver, nil)
	pot := w.listed(t, potter, nil)

	got, err := w.trade.PlaceOrder(w.ctx, importer, "key-1", orderOf(line(silk, 5), line(shawl, 120), line(pot, 10)))
	if err != nil {
		t.Fatalf("PlaceOrder: %v", err)
	}
	if len(got.Orders) != 2 || got.Replayed {
		t.Fatalf("orders %d (replayed %v), want one per producer", len(got.Orders), got.Replayed)
	}
	first := got.Orders[0]
	if first.ProducerID == got.Orders[1].ProducerID || first.GroupID != got.GroupID || got.Orders[1].GroupID != got.GroupID {
		t.Errorf("orders do not share the group or mix producers: %+v", got.Orders)
	}
	// 5 × 450.00 (below the first tier) + 120 × 350.00 (the 100+ tier).
	if len(first.Lines) != 2 || first.Lines[0].UnitPriceMinor != 45000 || first.Lines[1].UnitPriceMinor != 35000 ||
		first.TotalMinor != 5*45000+120*35000 || first.Currency != "THB" || first.Status != trade.OrderPlaced {
		t.Errorf("weaver's order = %+v", first)
	}
	if got.Orders[1].Lines[0].UnitPriceMinor != 40000 {
		t.Errorf("potter's 10 pieces at %d, want the 10+ tier 40000", got.Orders[1].Lines[0].UnitPriceMinor)
	}
	if s := w.stockOf(t, silk.ID); s == nil || *s != 495 {
		t.Errorf("silk stock after ordering 5 of 500 = %v", s)
	}
	// Lines keep their price: a later price change does not touch them.
	if _, err := w.catalog.UpdateProduct(w.ctx, weaver, silk.ID, nil, catalog.ProductInput{
		Price: &catalog.MoneyInput{AmountMinor: &[]int64{99000}[0]}, PriceTiers: &[]catalog.PriceTierInput{}}); err != nil {
		t.Fatalf("change price: %v", err)
	}
	again, err := w.trade.Order(w.ctx, importer, first.ID)
	if err != nil || again.Lines[0].UnitPriceMinor != 45000 || again.TotalMinor != first.TotalMinor {
		t.Errorf("after a price change the order reads %+v, %v", again, err)
	}
	// Ship dates: from stock after the handling days; made to order after
	// the lead time, and a month more per full month of capacity ahead
	// (120 pieces at 60 a month: the second month's capacity is needed).
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if d := first.Lines[0].EstimatedShipOn; d == nil || !d.Equal(today.AddDate(0, 0, trade.StockDispatchDays)) {
		t.Errorf("from-stock ship date %v", d)
	}
	if d := first.Lines[1].EstimatedShipOn; d == nil || !d.Equal(today.AddDate(0, 0, 30+30)) {
		t.Errorf("made-to-order ship date %v, want lead time + a month", d)
	}
	// Read back, the lines are the ones placed (ship dates too); the price
	// checked above is the only field that changed meanwhile elsewhere.
	if len(again.Lines) != len(first.Lines) {
		t.Fatalf("the order reads back %d lines, want %d", len(again.Lines), len(first.Lines))
	}
	for i, l := range again.Lines {
		want := first.Lines[i]
		sameDate := (l.EstimatedShipOn == nil) == (want.EstimatedShipOn == nil) &&
			(l.EstimatedShipOn == nil || l.EstimatedShipOn.Equal(*want.EstimatedShipOn))
		l.EstimatedShipOn, want.EstimatedShipOn = nil, nil
		if l != want || !sameDate {
			t.Errorf("line %d reads back as %+v, want %+v (same ship date: %v)", i+1, l, want, sameDate)
		}
	}
	// The effects: one audit row and one notification per order, for the producer.
	if n := w.rows(t, `SELECT count(*) FROM audit_log WHERE entity_type = 'order' AND action = 'place' AND actor_id = ?
		AND actor_role = 'importer' AND request_id = 'req-order-test' AND select_center_id = 'chiang-mai'
		AND after->>'status' = 'placed' AND (after->>'total_minor')::bigint > 0`, importer.UserID); n != 2 {
		t.Errorf("%d audit rows naming the importer, the request and the order's status, want 2", n)
	}
	if n := w.rows(t, `SELECT count(*) FROM notifications WHERE kind = 'order_placed' AND subject_type = 'order'
		AND data->>'group_id' = ? AND data->'lines' IS NOT NULL AND dedupe_key IS NULL`, got.GroupID.String()); n != 2 {
		t.Errorf("%d notifications carry the order's data, want 2", n)
	}
	if n := w.rows(t, `SELECT count(*) FROM notifications WHERE kind = 'order_placed' AND user_id IN (?, ?)`, weaver.UserID, potter.UserID); n != 2 {
		t.Errorf("%d producer notifications, want 2", n)
	}
	// Backlog: the next made-to-order shawl waits behind the 120 open (130
	// pieces need a third month).
	next, err := w.trade.PlaceOrder(w.ctx, importer, "key-2", orderOf(line(shawl, 10)))
	if err != nil {
		t.Fatalf("second order: %v", err)
	}
	if d := next.Orders[0].Lines[0].EstimatedShipOn; d == nil || !d.Equal(today.AddDate(0, 0, 30+2*30)) {
		t.Errorf("ship date behind a backlog of 120 at 60 a month = %v", d)
	}
	// Lists read each order with all its lines, in order, a page at a time.
	var listed []trade.Order
	cursor := ""
	for range 4 {
		page, nextCursor, err := w.trade.Orders(w.ctx, importer, trade.OrderFilter{Limit: 1, Cursor: cursor})
		if err != nil || len(page) != 1 {
			t.Fatalf("list a page of 1 after %q: %d orders, %v", cursor, len(page), err)
		}
		listed = append(listed, page...)
		if cursor = nextCursor; cursor == "" {
			break
		}
	}
	// (The test's clock stands still: the orders share placed_at and list by id.)
	if len(listed) != 3 || listed[0].ID == listed[1].ID || listed[1].ID == listed[2].ID || listed[0].ID == listed[2].ID || cursor != "" {
		t.Fatalf("listed %d orders, cursor after the last %q", len(listed), cursor)
	}
	for _, o := range listed {
		var want trade.Order
		for _, g := range append(got.Orders, next.Orders...) {
			if g.ID == o.ID {
				want = g
			}
		}
		if want.ID == uuid.Nil || len(o.Lines) != len(want.Lines) {
			t.Fatalf("order %s listed with %d lines, placed with %d", o.ID, len(o.Lines), len(want.Lines))
		}
		for i, l := range o.Lines {
			if l.No != i+1 || l.ProductID != want.Lines[i].ProductID || l.Quantity != want.Lines[i].Quantity ||
				l.UnitPriceMinor != want.Lines[i].UnitPriceMinor || l.NameTH != want.Lines[i].NameTH {
				t.Errorf("order %s line %d listed as %+v, placed as %+v", o.ID, i, l, want.Lines[i])
			}
		}
	}
}

func TestOrderInputIsCheckedPerLine(t *testing.T) {
	t.Parallel()
	w := newOrderWorld(t)
	importer := w.account(t, account.RoleImporter, "")
	maker := w.maker(t)
	silk := w.listed(t, maker, nil)
	pricey := w.listed(t, maker, nil)
	if err := w.db.Exec(`UPDATE products SET price_minor = 1000000000000, price_tiers = '[]' WHERE id = ?`, pricey.ID).Error; err != nil {
		t.Fatal(err)
	}
	draft, err := w.catalog.CreateProduct(w.ctx, maker, catalog.ProductInput{NameTH: &[]string{"ผ้าไหม"}[0],
		NameEN: &[]string{"Silk"}[0], Category: &[]string{"textile"}[0]})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		key    string
		req    trade.OrderRequest
		fields []string
	}{
		{"no lines", "k", orderOf(), []string{"lines"}},
		{"below the MOQ names the line", "k", orderOf(line(silk, 1)), []string{"lines[0].quantity"}},
		{"zero and negative quantities", "k", orderOf(line(silk, 0), line(pricey, -3)), []string{"lines[0].quantity", "lines[1].quantity"}},
		{"a quantity beyond the limit", "k", orderOf(line(silk, math.MaxInt32)), []string{"lines[0].quantity"}},
		{"a product twice", "k", orderOf(line(silk, 2), line(silk, 3)), []string{"lines[1].product_id"}},
		{"a draft is not for sale", "k", orderOf(line(draft, 5)), []string{"lines[0].product_id"}},
		{"an unknown product", "k", orderOf(trade.LineRequest{ProductID: uuid.New(), Quantity: 5}), []string{"lines[0].product_id"}},
		{"a total beyond int64", "k", orderOf(line(pricey, trade.MaxQuantity)), []string{"lines[0].quantity"}},
		{"country and incoterm", "k", trade.OrderRequest{Lines: []trade.LineRequest{line(silk, 2)}, DestinationCountry: "XX", Incoterm: "FOO"},
			[]string{"destination_country", "incoterm"}},
		{"a NUL in the note", "k", trade.OrderRequest{Lines: []trade.LineRequest{line(silk, 2)}, DestinationCountry: "JP", Incoterm: "FOB", Note: "a\x00b"},
			[]string{"note"}},
		{"an overlong note", "k", trade.OrderRequest{Lines: []trade.LineRequest{line(silk, 2)}, DestinationCountry: "JP", Incoterm: "FOB", Note: strings.Repeat("n", 2001)},
			[]string{"note"}},
		{"no idempotency key", "", orderOf(line(silk, 2)), []string{"Idempotency-Key"}},
		{"a key with spaces", "a key", orderOf(line(silk, 2)), []string{"Idempotency-Key"}},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := tc.key
			if key == "k" {
				key = fmt.Sprintf("bad-%d", i)
			}
			_, err := w.trade.PlaceOrder(w.ctx, importer, key, tc.req)
			var ve *errs.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a validation error", err)
			}
			var got []string
			for _, f := range ve.Fields {
				got = append(got, f.Field)
			}
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("fields %q, want %q (%v)", got, tc.fields, err)
			}
		})
	}
	if n := w.rows(t, `SELECT count(*) FROM orders`) + w.rows(t, `SELECT count(*) FROM idempotency_keys`); n != 0 {
		t.Errorf("refused orders left %d rows", n)
	}
	for _, p := range []account.Principal{w.account(t, account.RoleCurator, "chiang-mai"), maker, {}} {
		if _, err := w.trade.PlaceOrder(w.ctx, p, "k-role", orderOf(line(silk, 2))); !errors.Is(err, errs.ErrForbidden) && !errors.Is(err, errs.ErrUnauthenticated) {
			t.Errorf("%s placing an order: %v", p.Role, err)
		}
	}
}

func TestStockIsNeverOversold(t *testing.T) {
	t.Parallel()
	w := newOrderWorld(t)
	maker := w.maker(t)
	silk := w.listed(t, maker, stock(10))
	if err := w.db.Exec(`UPDATE products SET moq = 1, price_tiers = '[]' WHERE id = ?`, silk.ID).Error; err != nil {
		t.Fatal(err)
	}
	importers := make([]account.Principal, 5)
	for i := range importers {
		importers[i] = w.account(t, account.RoleImporter, "")
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		placed   int
		conflict int
		other    []error
	)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := w.trade.PlaceOrder(w.ctx, importers[i%5], fmt.Sprintf("race-%d", i), orderOf(line(silk, 1)))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				placed++
			case errors.Is(err, errs.ErrConflict):
				conflict++
				if msg := errs.ClientMessage(err, errs.ErrConflict); !strings.Contains(msg, "available: 0") {
					other = append(other, fmt.Errorf("conflict without the available quantity: %q", msg))
				}
			default:
				other = append(other, err)
			}
		}()
	}
	wg.Wait()
	if placed != 10 || conflict != 40 || len(other) > 0 {
		t.Errorf("placed %d, refused %d, other errors %v; want 10 and 40", placed, conflict, other)
	}
	if s := w.stockOf(t, silk.ID); s == nil || *s != 0 {
		t.Errorf("stock ends at %v, want 0", s)
	}
	if n := w.rows(t, `SELECT coalesce(sum(quantity), 0) FROM order_lines WHERE product_id = ?`, silk.ID); n != 10 {
		t.Errorf("%d units on order lines, want 10", n)
	}
}

func TestAnIdempotencyKeyPlacesOnce(t *testing.T) {
	t.Parallel()
	w := newOrderWorld(t)
	importer := w.account(t, account.RoleImporter, "")
	maker := w.maker(t)
	silk := w.listed(t, maker, stock(100))

	var wg sync.WaitGroup
	results := make([]trade.Placement, 20)
	failures := make([]error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], failures[i] = w.trade.PlaceOrder(w.ctx, importer, "retry-me", orderOf(line(silk, 3)))
		}()
	}
	wg.Wait()
	first := 0
	for i, r := range results {
		if failures[i] != nil {
			t.Fatalf("retry %d: %v", i, failures[i])
		}
		if r.GroupID != results[0].GroupID || len(r.Orders) != 1 || r.Orders[0].ID != results[0].Orders[0].ID {
			t.Errorf("retry %d answered another group: %+v", i, r)
		}
		if !r.Replayed {
			first++
		}
	}
	if first != 1 {
		t.Errorf("%d answers were first placements, want 1", first)
	}
	if n := w.rows(t, `SELECT count(*) FROM orders`); n != 1 {
		t.Errorf("%d orders, want 1", n)
	}
	if s := w.stockOf(t, silk.ID); *s != 97 {
		t.Errorf("stock %d, want one reservation of 3 from 100", *s)
	}
	_, err := w.trade.PlaceOrder(w.ctx, importer, "retry-me", orderOf(line(silk, 4)))
	var ve *errs.ValidationError
	if !errors.As(err, &ve) || ve.Fields[0].Field != "Idempotency-Key" {
		t.Errorf("same key, other body: %v, want a 422 on Idempotency-Key", err)
	}
	// Keys are per importer: another importer's same key is a new order.
	other := w.account(t, account.RoleImporter, "")
	if r, err := w.trade.PlaceOrder(w.ctx, other, "retry-me", orderOf(line(silk, 3))); err != nil || r.Replayed {
		t.Errorf("another importer's key: %+v, %v", r, err)
	}
	// After 24 hours a key is forgotten and may be used again.
	if err := w.db.Exec(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours'`).Error; err != nil {
		t.Fatal(err)
	}
	if r, err := w.trade.PlaceOrder(w.ctx, importer, "retry-me", orderOf(line(silk, 4))); err != nil || r.Replayed {
		t.Errorf("an expired key: %+v, %v", r, err)
	}
}

func TestOrderStatesFollowTheRules(t *testing.T) {
	t.Parallel()
	w := newOrderWorld(t)
	importer := w.account(t, account.RoleImporter, "")
	maker := w.maker(t)
	curator := w.account(t, account.RoleCurator, "chiang-mai")
	farCurator := w.account(t, account.RoleCurator, "songkhla")
	admin := w.account(t, account.RoleAdmin, "")
	stranger := w.account(t, account.RoleImporter, "")
	silk := w.listed(t, maker, stock(20))
	place := func(t *testing.T, key string) trade.Order {
		t.Helper()
		p, err := w.trade.PlaceOrder(w.ctx, importer, key, orderOf(line(silk, 4)))
		if err != nil {
			t.Fatalf("PlaceOrder: %v", err)
		}
		return p.Orders[0]
	}
	v := func(o trade.Order) catalog.IfMatch { return catalog.MatchVersion(o.Version) }

	t.Run("placed, confirmed, shipped, delivered", func(t *testing.T) {
		o := place(t, "flow")
		if _, err := w.trade.Confirm(w.ctx, maker, o.ID, nil); !errors.Is(err, errs.ErrPreconditionRequired) {
			t.Errorf("confirm without If-Match: %v", err)
		}
		if _, err := w.trade.Confirm(w.ctx, maker, o.ID, catalog.MatchVersion(o.Version+1)); !errors.Is(err, errs.ErrPrecondition) {
			t.Errorf("confirm with a stale version: %v", err)
		}
		if _, err := w.trade.Confirm(w.ctx, importer, o.ID, v(o)); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("importer confirming: %v", err)
		}
		if _, err := w.trade.Deliver(w.ctx, importer, o.ID, v(o)); !errors.Is(err, errs.ErrConflict) ||
			!strings.Contains(errs.ClientMessage(err, errs.ErrConflict), "placed") {
			t.Errorf("delivering a placed order: %v", err)
		}
		o, err := w.trade.Confirm(w.ctx, maker, o.ID, v(o))
		if err != nil || o.Status != trade.OrderConfirmed || o.ConfirmedAt == nil {
			t.Fatalf("confirm: %+v, %v", o, err)
		}
		if _, err := w.trade.Ship(w.ctx, maker, o.ID, v(o), "", "EE1TH"); !isField(err, "carrier") {
			t.Errorf("ship without a carrier: %v", err)
		}
		if _, err := w.trade.Ship(w.ctx, maker, o.ID, v(o), "EMS", strings.Repeat("1", 101)); !isField(err, "tracking_number") {
			t.Errorf("ship with an overlong tracking number: %v", err)
		}
		if _, err := w.trade.Cancel(w.ctx, importer, o.ID, v(o), ""); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("importer cancelling a confirmed order: %v", err)
		}
		o, err = w.trade.Ship(w.ctx, maker, o.ID, v(o), "Thailand Post EMS", "EE123456789TH")
		if err != nil || o.Status != trade.OrderShipped || o.Carrier != "Thailand Post EMS" {
			t.Fatalf("ship: %+v, %v", o, err)
		}
		if _, err := w.trade.Cancel(w.ctx, maker, o.ID, v(o), "we changed our mind"); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("producer cancelling a shipped order: %v", err)
		}
		o, err = w.trade.Deliver(w.ctx, importer, o.ID, v(o))
		if err != nil || o.Status != trade.OrderDelivered || o.DeliveredAt == nil {
			t.Fatalf("deliver: %+v, %v", o, err)
		}
		if n := w.rows(t, `SELECT count(*) FROM audit_log WHERE entity_id = ?`, o.ID); n != 4 {
			t.Errorf("%d audit rows for place, confirm, ship, deliver", n)
		}
		// Each move told the other party: the importer of confirm and ship, the producer of delivery.
		if n := w.rows(t, `SELECT count(*) FROM notifications WHERE subject_id = ? AND user_id = ?`, o.ID, importer.UserID); n != 2 {
			t.Errorf("importer has %d notices of the order, want 2", n)
		}
	})
	t.Run("cancellation gives the stock back", func(t *testing.T) {
		o := place(t, "cancel-1")
		before := *w.stockOf(t, silk.ID)
		if _, err := w.trade.Cancel(w.ctx, maker, o.ID, v(o), "short"); !isField(err, "reason") {
			t.Errorf("producer cancelling with a short reason: %v", err)
		}
		o, err := w.trade.Cancel(w.ctx, importer, o.ID, v(o), "")
		if err != nil || o.Status != trade.OrderCancelled || o.CancelledBy != "importer" {
			t.Fatalf("cancel: %+v, %v", o, err)
		}
		if after := *w.stockOf(t, silk.ID); after != before+4 {
			t.Errorf("stock %d after cancelling 4, was %d", after, before)
		}
		if _, err := w.trade.Cancel(w.ctx, importer, o.ID, v(o), ""); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("cancelling twice: %v", err)
		}
	})
	t.Run("who sees an order", func(t *testing.T) {
		o := place(t, "seen")
		for _, p := range []account.Principal{importer, maker, curator, admin} {
			if _, err := w.trade.Order(w.ctx, p, o.ID); err != nil {
				t.Errorf("%s reading: %v", p.Role, err)
			}
		}
		for _, p := range []account.Principal{stranger, farCurator, w.maker(t)} {
			if _, err := w.trade.Order(w.ctx, p, o.ID); !errors.Is(err, errs.ErrNotFound) {
				t.Errorf("%s (not a party) reading: %v, want not found", p.Role, err)
			}
			if _, err := w.trade.Confirm(w.ctx, p, o.ID, v(o)); !errors.Is(err, errs.ErrNotFound) {
				t.Errorf("%s (not a party) confirming: %v, want not found", p.Role, err)
			}
		}
		if _, err := w.trade.Confirm(w.ctx, curator, o.ID, v(o)); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("curator confirming: %v", err)
		}
		lists := map[string]account.Principal{"importer": importer, "producer": maker, "curator": curator, "admin": admin}
		for name, p := range lists {
			got, _, err := w.trade.Orders(w.ctx, p, trade.OrderFilter{})
			if err != nil || !containsOrder(got, o.ID) {
				t.Errorf("%s's list misses the order (%v)", name, err)
			}
		}
		for _, p := range []account.Principal{stranger, farCurator} {
			if got, _, err := w.trade.Orders(w.ctx, p, trade.OrderFilter{}); err != nil || containsOrder(got, o.ID) {
				t.Errorf("%s's list shows another's order (%v)", p.Role, err)
			}
		}
	})
	t.Run("lists page by cursor and filter by status", func(t *testing.T) {
		all, next, err := w.trade.Orders(w.ctx, importer, trade.OrderFilter{Limit: 2})
		if err != nil || len(all) != 2 || next == "" {
			t.Fatalf("first page: %d, %q, %v", len(all), next, err)
		}
		rest, _, err := w.trade.Orders(w.ctx, importer, trade.OrderFilter{Limit: 100, Cursor: next})
		if err != nil || containsOrder(rest, all[0].ID) || containsOrder(rest, all[1].ID) {
			t.Errorf("second page repeats the first: %v", err)
		}
		cancelled, _, err := w.trade.Orders(w.ctx, importer, trade.OrderFilter{Status: trade.OrderCancelled})
		if err != nil || len(cancelled) != 1 {
			t.Errorf("cancelled orders: %d, %v", len(cancelled), err)
		}
		if _, _, err := w.trade.Orders(w.ctx, importer, trade.OrderFilter{Status: "lost"}); err == nil {
			t.Errorf("an unknown status filter is accepted")
		}
	})
}

func containsOrder(orders []trade.Order, id uuid.UUID) bool {
	for _, o := range orders {
		if o.ID == id {
			return true
		}
	}
	return false
}

func isField(err error, field string) bool {
	var ve *errs.ValidationError
	return errors.As(err, &ve) && len(ve.Fields) == 1 && ve.Fields[0].Field == field
}

// TestAnInquiryIsWrittenOnlyForAProductStillPublished: the store checks the
// product again under a lock, so one unpublished after the service looked
// takes no inquiry.
func TestAnInquiryIsWrittenOnlyForAProductStillPublished(t *testing.T) {
	t.Parallel()
	w := newOrderWorld(t)
	importer := w.account(t, account.RoleImporter, "")
	maker := w.maker(t)
	silk := w.listed(t, maker, nil)
	if err := w.db.Exec(`UPDATE products SET status = 'archived' WHERE id = ?`, silk.ID).Error; err != nil {
		t.Fatal(err)
	}
	inq := trade.Inquiry{ID: uuid.New(), ImporterID: importer.UserID, ProductID: silk.ID, ProducerID: silk.ProducerID,
		SelectCenterID: silk.SelectCenterID, Status: trade.InquiryOpen, Quantity: 10, Unit: "piece", Incoterm: "FOB",
		DestinationCountry: "JP", Version: 1}
	first := trade.Message{ID: uuid.New(), InquiryID: inq.ID, AuthorID: importer.UserID, AuthorRole: "importer", Body: "Do you ship to Osaka?"}
	err := postgres.NewTrade(w.db).CreateInquiry(w.ctx, inq, first, trade.Effects{})
	if !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("an inquiry on an archived product: %v, want not found", err)
	}
	if n := w.rows(t, `SELECT count(*) FROM inquiries`); n != 0 {
		t.Errorf("%d inquiries written", n)
	}
}
