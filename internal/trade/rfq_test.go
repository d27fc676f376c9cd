package trade_test

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/trade"
)

func (f *fixture) rfqInput() trade.RFQInput {
	return trade.RFQInput{Category: "textile", CreativeIndustry: "crafts", Region: "north", Quantity: ptr(500), Unit: "piece",
		Description: "Hand-woven silk scarves, natural dyes.", TargetPrice: &trade.PriceInput{AmountMinor: ptr(int64(2500)), Currency: "USD"},
		DestinationCountry: "JP", ClosesOn: f.day(14)}
}

func (f *fixture) rfq(t *testing.T, importer account.Principal, in trade.RFQInput) trade.RFQDetail {
	t.Helper()
	r, err := f.trade.CreateRFQ(f.ctx, importer, in)
	if err != nil {
		t.Fatalf("CreateRFQ: %v", err)
	}
	return r
}

func (f *fixture) rfqQuote(productID uuid.UUID, price int64, currency string) trade.QuoteInput {
	in := f.quoteInput(price, currency)
	in.ProductID = productID
	return in
}

func TestCreateRFQChecksItsPlaceAndTerms(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	importer := f.user(t, account.RoleImporter, "")
	r := f.rfq(t, importer, f.rfqInput())
	if r.Status != trade.RFQOpen || !r.AcceptingQuotes || r.ClosesOn.Format("2006-01-02") != f.day(14) || r.Region != "north" ||
		r.ClusterID != "" || r.TargetPrice == nil || len(r.Quotes) != 0 || r.Quantity != 500 {
		t.Errorf("rfq = %+v", r)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE entity_type = 'rfq' AND entity_id = ? AND action = 'inquire'`, r.ID); n != 1 {
		t.Errorf("%d audit rows, want 1", n)
	}
	tests := []struct {
		name  string
		edit  func(*trade.RFQInput)
		field string
	}{
		{"no category", func(in *trade.RFQInput) { in.Category = "" }, "category"},
		{"unknown category", func(in *trade.RFQInput) { in.Category = "toys" }, "category"},
		{"unknown creative industry", func(in *trade.RFQInput) { in.CreativeIndustry = "sports" }, "creative_industry"},
		{"unknown region", func(in *trade.RFQInput) { in.Region = "east" }, "region"},
		{"unknown cluster", func(in *trade.RFQInput) { in.Cluster = "upper-north-9" }, "cluster"},
		{"a cluster of another region", func(in *trade.RFQInput) { in.Cluster = "south-border" }, "cluster"},
		{"unknown province", func(in *trade.RFQInput) { in.Province = "TH-99" }, "province"},
		{"a province of another region", func(in *trade.RFQInput) { in.Province = "TH-90" }, "province"},
		{"a province of another cluster", func(in *trade.RFQInput) { in.Cluster, in.Province = "upper-north-2", "TH-51" }, "province"},
		{"Bangkok is in no cluster", func(in *trade.RFQInput) { in.Region, in.Cluster, in.Province = "", "upper-north-1", "TH-10" }, "province"},
		{"quantity 0", func(in *trade.RFQInput) { in.Quantity = ptr(0) }, "quantity"},
		{"quantity 2^31", func(in *trade.RFQInput) { in.Quantity = ptr(1 << 31) }, "quantity"},
		{"no unit", func(in *trade.RFQInput) { in.Unit = "" }, "unit"},
		{"no description", func(in *trade.RFQInput) { in.Description = "" }, "description"},
		{"description too long", func(in *trade.RFQInput) { in.Description = strings.Repeat("d", 5001) }, "description"},
		{"NUL in the description", func(in *trade.RFQInput) { in.Description = "silk\x00" }, "description"},
		{"unknown currency", func(in *trade.RFQInput) { in.TargetPrice.Currency = "THX" }, "target_price.currency"},
		{"country XX", func(in *trade.RFQInput) { in.DestinationCountry = "XX" }, "destination_country"},
		{"closing today", func(in *trade.RFQInput) { in.ClosesOn = f.day(0) }, "closes_on"},
		{"closing in year 0001", func(in *trade.RFQInput) { in.ClosesOn = "0001-01-01" }, "closes_on"},
		{"closing in year 9999", func(in *trade.RFQInput) { in.ClosesOn = "9999-12-31" }, "closes_on"},
		{"no closing day", func(in *trade.RFQInput) { in.ClosesOn = "" }, "closes_on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := f.rfqInput()
			tt.edit(&in)
			_, err := f.trade.CreateRFQ(f.ctx, importer, in)
			wantField(t, err, tt.field)
		})
	}
	t.Run("a consistent place is accepted", func(t *testing.T) {
		in := f.rfqInput()
		in.Cluster, in.Province, in.ClosesOn = "upper-north-1", "TH-51", f.day(1)
		if _, err := f.trade.CreateRFQ(f.ctx, importer, in); err != nil {
			t.Errorf("region north, cluster upper-north-1, province TH-51, closing tomorrow: %v", err)
		}
	})
	t.Run("importers only", func(t *testing.T) {
		_, err := f.trade.CreateRFQ(f.ctx, account.Principal{}, f.rfqInput())
		wantKind(t, err, errs.ErrUnauthenticated)
		for _, p := range []account.Principal{f.user(t, account.RoleProducer, ""), f.user(t, account.RoleCurator, "bangkok"),
			f.user(t, account.RoleAdmin, "")} {
			_, err := f.trade.CreateRFQ(f.ctx, p, f.rfqInput())
			wantKind(t, err, errs.ErrForbidden)
		}
	})
	if n := f.count(t, "SELECT count(*) FROM rfqs"); n != 2 {
		t.Errorf("%d RFQs stored, want the 2 valid ones", n)
	}
}

// rfqWorld is an RFQ's cast: producers whose published products match it
// (Lamphun textile crafts), and producers who do not match.
type rfqWorld struct {
	importer, otherImporter account.Principal
	matching, rival         account.Principal // two producers with a matching published product
	matchingID, rivalID     uuid.UUID
	matchingProduct         uuid.UUID
	rivalProduct            uuid.UUID
	draftOnly, food, south  account.Principal // no published textile; food only; Songkhla textile
	curator, admin          account.Principal
	rfq                     trade.RFQDetail
}

func (f *fixture) rfqWorld(t *testing.T) rfqWorld {
	t.Helper()
	var w rfqWorld
	w.importer, w.otherImporter = f.user(t, account.RoleImporter, ""), f.user(t, account.RoleImporter, "")
	w.matching, w.matchingID = f.producer(t, "TH-51")
	w.matchingProduct = f.product(t, w.matching, "textile", "crafts", false)
	w.rival, w.rivalID = f.producer(t, "TH-50")
	w.rivalProduct = f.product(t, w.rival, "textile", "crafts", false)
	w.draftOnly, _ = f.producer(t, "TH-51")
	f.product(t, w.draftOnly, "textile", "crafts", true)
	w.food, _ = f.producer(t, "TH-51")
	f.product(t, w.food, "food", "", false)
	w.south, _ = f.producer(t, "TH-90")
	f.product(t, w.south, "textile", "crafts", false)
	w.curator, w.admin = f.user(t, account.RoleCurator, "songkhla"), f.user(t, account.RoleAdmin, "")
	w.rfq = f.rfq(t, w.importer, f.rfqInput())
	return w
}

func TestRFQReachesOnlyMatchingProducers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := f.rfqWorld(t)
	tests := []struct {
		name   string
		p      account.Principal
		sees   bool
		listed bool
	}{
		{"the importer", w.importer, true, true},
		{"another importer", w.otherImporter, false, false},
		{"a matching producer", w.matching, true, true},
		{"another matching producer", w.rival, true, true},
		{"a producer with a matching draft only", w.draftOnly, false, false},
		{"a producer of food", w.food, false, false},
		{"a producer in another region", w.south, false, false},
		{"a curator (of any center)", w.curator, true, true},
		{"an admin", w.admin, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.trade.RFQ(f.ctx, tt.p, w.rfq.ID, "")
			if tt.sees && err != nil {
				t.Errorf("read: %v", err)
			}
			if !tt.sees && !errors.Is(err, errs.ErrNotFound) {
				t.Errorf("read: err = %v, want not found", err)
			}
			page, err := f.trade.RFQs(f.ctx, tt.p, trade.RFQFilter{})
			if err != nil || (len(page.Items) == 1) != tt.listed {
				t.Errorf("list = %+v, %v; want listed %v", page.Items, err, tt.listed)
			}
			if !tt.sees && tt.p.Is(account.RoleProducer) {
				_, err := f.trade.QuoteRFQ(f.ctx, tt.p, w.rfq.ID, f.rfqQuote(w.matchingProduct, 85000, "THB"))
				wantKind(t, err, errs.ErrNotFound)
			}
		})
	}
	_, err := f.trade.RFQ(f.ctx, account.Principal{}, w.rfq.ID, "")
	wantKind(t, err, errs.ErrUnauthenticated)
	_, err = f.trade.RFQs(f.ctx, account.Principal{}, trade.RFQFilter{})
	wantKind(t, err, errs.ErrUnauthenticated)

	t.Run("the optional terms narrow the match", func(t *testing.T) {
		tests := []struct {
			name string
			edit func(*trade.RFQInput)
			want map[uuid.UUID]bool // by producer
		}{
			{"province TH-51", func(in *trade.RFQInput) { in.Province = "TH-51" }, map[uuid.UUID]bool{w.matchingID: true}},
			{"cluster upper-north-1", func(in *trade.RFQInput) { in.Cluster = "upper-north-1" }, map[uuid.UUID]bool{w.matchingID: true, w.rivalID: true}},
			{"creative industry design", func(in *trade.RFQInput) { in.CreativeIndustry = "design" }, map[uuid.UUID]bool{}},
			{"any region", func(in *trade.RFQInput) { in.Region, in.CreativeIndustry = "", "" }, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := f.rfqInput()
				tt.edit(&in)
				r := f.rfq(t, w.otherImporter, in)
				for _, p := range []struct {
					who account.Principal
					id  uuid.UUID
				}{{w.matching, w.matchingID}, {w.rival, w.rivalID}} {
					_, err := f.trade.RFQ(f.ctx, p.who, r.ID, "")
					if want := tt.want == nil || tt.want[p.id]; (err == nil) != want {
						t.Errorf("producer %s reads it: %v, want %v", p.id, err, want)
					}
				}
				if tt.want == nil {
					if _, err := f.trade.RFQ(f.ctx, w.south, r.ID, ""); err != nil {
						t.Errorf("any region: the Songkhla producer reads it: %v", err)
					}
				}
			})
		}
	})

	t.Run("a closed or past RFQ leaves the producers' list", func(t *testing.T) {
		in := f.rfqInput()
		in.ClosesOn = f.day(1)
		past := f.rfq(t, w.importer, in)
		closed := f.rfq(t, w.importer, f.rfqInput())
		f.exec(t, "UPDATE rfqs SET status = 'closed' WHERE id = ?", closed.ID)
		ids := func() map[uuid.UUID]bool {
			page, err := f.trade.RFQs(f.ctx, w.matching, trade.RFQFilter{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			out := map[uuid.UUID]bool{}
			for _, r := range page.Items {
				out[r.ID] = true
			}
			return out
		}
		if got := ids(); !got[past.ID] || got[closed.ID] {
			t.Errorf("before the closing day: %v", got)
		}
		saved := f.now
		f.now = f.now.AddDate(0, 0, 2)
		defer func() { f.now = saved }()
		if got := ids(); got[past.ID] || got[closed.ID] {
			t.Errorf("after the closing day: %v", got)
		}
		got, err := f.trade.RFQ(f.ctx, w.matching, past.ID, "")
		if err != nil || got.AcceptingQuotes {
			t.Errorf("a past RFQ read by a matching producer: accepting %v, %v", got.AcceptingQuotes, err)
		}
		_, err = f.trade.QuoteRFQ(f.ctx, w.matching, past.ID, f.rfqQuote(w.matchingProduct, 85000, "THB"))
		wantKind(t, err, errs.ErrConflict)
		_, err = f.trade.QuoteRFQ(f.ctx, w.matching, closed.ID, f.rfqQuote(w.matchingProduct, 85000, "THB"))
		wantKind(t, err, errs.ErrConflict)
		for _, bad := range []trade.RFQFilter{{Status: "closed"}, {Status: "lost"}, {Limit: -1}, {Cursor: "x"}} {
			_, err := f.trade.RFQs(f.ctx, w.matching, bad)
			var qe *errs.QueryError
			if !errors.As(err, &qe) {
				t.Errorf("producer's filter %+v: err = %v, want a query error", bad, err)
			}
		}
		if page, err := f.trade.RFQs(f.ctx, w.admin, trade.RFQFilter{Status: "closed"}); err != nil || len(page.Items) != 1 {
			t.Errorf("admin's closed RFQs = %d, %v", len(page.Items), err)
		}
	})
}

func TestRFQQuotesSideBySide(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := f.rfqWorld(t)
	offers := []struct {
		who     account.Principal
		product uuid.UUID
		price   int64
		cur     string
	}{
		{w.matching, w.matchingProduct, 50000, "USD"},
		{w.rival, w.rivalProduct, 2000000, "THB"},
		{w.matching, w.matchingProduct, 1500000, "THB"},
		{w.rival, w.rivalProduct, 30000, "USD"},
	}
	var ids []uuid.UUID
	for _, o := range offers {
		q, err := f.trade.QuoteRFQ(f.ctx, o.who, w.rfq.ID, f.rfqQuote(o.product, o.price, o.cur))
		if err != nil {
			t.Fatalf("quote %d %s: %v", o.price, o.cur, err)
		}
		if q.RFQID != w.rfq.ID || q.InquiryID != uuid.Nil || q.ProductID != o.product || q.Status != trade.QuoteOpen {
			t.Errorf("quote = %+v", q)
		}
		ids = append(ids, q.ID)
	}
	if n := f.count(t, `SELECT count(*) FROM notifications WHERE kind = 'quote_received' AND user_id = ?`, w.importer.UserID); n != 4 {
		t.Errorf("%d quote_received notifications for the importer, want 4", n)
	}
	prices := func(qs []trade.Quote) string {
		var s []string
		for _, q := range qs {
			s = append(s, q.UnitPrice.Currency+" "+strconv.FormatInt(q.UnitPrice.AmountMinor, 10))
		}
		return strings.Join(s, ", ")
	}
	byPrice, err := f.trade.RFQ(f.ctx, w.importer, w.rfq.ID, trade.QuotesByPrice)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := prices(byPrice.Quotes), "THB 1500000, THB 2000000, USD 30000, USD 50000"; got != want {
		t.Errorf("by price: %s, want %s", got, want)
	}
	for _, q := range byPrice.Quotes {
		if q.Producer.NameEN == "" || q.Producer.ProvinceCode == "" || q.Product.NameEN == "" || q.Product.ID != q.ProductID {
			t.Errorf("quote without its producer or product: %+v", q)
		}
	}
	oldest, err := f.trade.RFQ(f.ctx, w.importer, w.rfq.ID, "")
	if err != nil || len(oldest.Quotes) != 4 {
		t.Fatalf("oldest first = %+v, %v", oldest.Quotes, err)
	}
	for i, q := range oldest.Quotes {
		if q.ID != ids[i] {
			t.Errorf("oldest first: quote %d is %s, want %s", i, q.ID, ids[i])
		}
	}
	_, err = f.trade.RFQ(f.ctx, w.importer, w.rfq.ID, "cheapest")
	var qe *errs.QueryError
	if !errors.As(err, &qe) {
		t.Errorf("sort=cheapest: err = %v, want a query error", err)
	}
	if staff, err := f.trade.RFQ(f.ctx, w.curator, w.rfq.ID, ""); err != nil || len(staff.Quotes) != 4 {
		t.Errorf("staff see %d quotes, %v", len(staff.Quotes), err)
	}

	t.Run("producers see their own quotes only", func(t *testing.T) {
		for _, p := range []struct {
			who account.Principal
			id  uuid.UUID
		}{{w.matching, w.matchingID}, {w.rival, w.rivalID}} {
			got, err := f.trade.RFQ(f.ctx, p.who, w.rfq.ID, trade.QuotesByPrice)
			if err != nil || len(got.Quotes) != 2 {
				t.Fatalf("own quotes = %+v, %v", got.Quotes, err)
			}
			for _, q := range got.Quotes {
				if q.ProducerID != p.id {
					t.Errorf("producer %s sees a quote of %s", p.id, q.ProducerID)
				}
				if _, err := f.trade.Quote(f.ctx, p.who, q.ID); err != nil {
					t.Errorf("own quote: %v", err)
				}
			}
		}
		// The rival's quote does not exist for the other producer.
		_, err := f.trade.Quote(f.ctx, w.matching, ids[1])
		wantKind(t, err, errs.ErrNotFound)
		_, err = f.trade.DeclineQuote(f.ctx, w.matching, ids[1], "")
		wantKind(t, err, errs.ErrNotFound)
		_, err = f.trade.DeclineQuote(f.ctx, w.rival, ids[1], "")
		wantKind(t, err, errs.ErrForbidden)
		_, err = f.trade.Quote(f.ctx, w.otherImporter, ids[1])
		wantKind(t, err, errs.ErrNotFound)
	})

	t.Run("the product quoted must be the producer's, published and matching", func(t *testing.T) {
		draft := f.product(t, w.matching, "textile", "crafts", true)
		food := f.product(t, w.matching, "food", "", false)
		for name, id := range map[string]uuid.UUID{"another producer's": w.rivalProduct, "a draft": draft,
			"a product of another category": food, "an unknown one": uuid.New(), "none": uuid.Nil} {
			t.Run(name, func(t *testing.T) {
				_, err := f.trade.QuoteRFQ(f.ctx, w.matching, w.rfq.ID, f.rfqQuote(id, 85000, "THB"))
				wantField(t, err, "product_id")
			})
		}
		in := f.rfqQuote(w.matchingProduct, 85000, "THB")
		in.LeadTimeDays = ptr(400)
		_, err := f.trade.QuoteRFQ(f.ctx, w.matching, w.rfq.ID, in)
		wantField(t, err, "lead_time_days")
		for _, p := range []account.Principal{w.importer, w.curator, w.admin} {
			_, err := f.trade.QuoteRFQ(f.ctx, p, w.rfq.ID, f.rfqQuote(w.matchingProduct, 85000, "THB"))
			wantKind(t, err, errs.ErrForbidden)
		}
		_, err = f.trade.QuoteRFQ(f.ctx, w.otherImporter, w.rfq.ID, f.rfqQuote(w.matchingProduct, 85000, "THB"))
		wantKind(t, err, errs.ErrNotFound)
		if n := f.count(t, "SELECT count(*) FROM quotes WHERE rfq_id = ?", w.rfq.ID); n != 4 {
			t.Errorf("refused quotes were stored: %d quotes", n)
		}
	})

	t.Run("a producer who quoted keeps seeing the RFQ", func(t *testing.T) {
		f.exec(t, "UPDATE products SET status = 'archived' WHERE id = ?", w.rivalProduct)
		if got, err := f.trade.RFQ(f.ctx, w.rival, w.rfq.ID, ""); err != nil || len(got.Quotes) != 2 {
			t.Errorf("after the product left the catalogue: %d quotes, %v", len(got.Quotes), err)
		}
		f.exec(t, "UPDATE products SET status = 'published' WHERE id = ?", w.rivalProduct)
	})

	t.Run("the importer declines an RFQ quote", func(t *testing.T) {
		q, err := f.trade.DeclineQuote(f.ctx, w.importer, ids[0], "Too dear.")
		if err != nil || q.Status != trade.QuoteDeclined {
			t.Fatalf("decline = %+v, %v", q, err)
		}
		r, _ := f.trade.RFQ(f.ctx, w.importer, w.rfq.ID, "")
		if r.Status != trade.RFQOpen {
			t.Errorf("the RFQ is %s after a decline, want open", r.Status)
		}
	})
}

func TestConcurrentQuotesOnOneRFQ(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := f.rfqWorld(t)
	var wg sync.WaitGroup
	results := make([]error, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			who, product := w.matching, w.matchingProduct
			if i%2 == 1 {
				who, product = w.rival, w.rivalProduct
			}
			_, results[i] = f.trade.QuoteRFQ(f.ctx, who, w.rfq.ID, f.rfqQuote(product, int64(80000+i), "THB"))
		}()
	}
	wg.Wait()
	for i, err := range results {
		if err != nil {
			t.Errorf("quote %d: %v", i, err)
		}
	}
	if n := f.count(t, "SELECT count(*) FROM quotes WHERE rfq_id = ?", w.rfq.ID); n != len(results) {
		t.Errorf("%d quotes stored, want %d", n, len(results))
	}
	if n := f.count(t, "SELECT count(*) FROM audit_log WHERE entity_type = 'quote' AND action = 'quote'"); n != len(results) {
		t.Errorf("%d audit rows, want %d", n, len(results))
	}
}
