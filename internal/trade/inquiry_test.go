package trade_test

import (
	"context"
	"errors"
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

type fixture struct {
	ctx     context.Context
	db      *gorm.DB
	catalog *catalog.Service
	trade   *trade.Service
	now     time.Time
}

// newFixture is the trade on the test's own database, on 1 June 2026 at
// 10:00 in Bangkok.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	tax, err := taxonomy.Load()
	if err != nil {
		t.Fatalf("load taxonomy: %v", err)
	}
	db := testenv.DB(t)
	f := &fixture{ctx: audit.WithRequestID(context.Background(), "req-trade"), db: db,
		now: time.Date(2026, 6, 1, 3, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	f.catalog = catalog.NewService(postgres.NewCatalog(db), tax, clock)
	store := postgres.NewTrade(db)
	if f.trade, err = trade.NewService(store, store, tax, clock); err != nil {
		t.Fatalf("trade service: %v", err)
	}
	return f
}

func ptr[T any](v T) *T { return &v }

// day is the date n days from the fixture's today, as YYYY-MM-DD.
func (f *fixture) day(n int) string { return f.now.AddDate(0, 0, n).Format(time.DateOnly) }

func (f *fixture) user(t *testing.T, role account.Role, center string) account.Principal {
	t.Helper()
	var country, centerID *string
	if role == account.RoleImporter {
		country = ptr("JP")
	}
	if center != "" {
		centerID = &center
	}
	var id uuid.UUID
	err := f.db.Raw(`INSERT INTO users (email, password_hash, role, display_name, country, select_center_id)
		VALUES (?, 'x', ?, 'test user', ?, ?) RETURNING id`,
		uuid.NewString()+"@example.com", string(role), country, centerID).Row().Scan(&id)
	if err != nil {
		t.Fatalf("insert %s user: %v", role, err)
	}
	return account.Principal{UserID: id, Role: role, SelectCenterID: center}
}

// producer is a producer with a profile in a province (TH-51 Lamphun:
// north, upper-north-1, Chiang Mai center; TH-90 Songkhla: south).
func (f *fixture) producer(t *testing.T, province string) (account.Principal, uuid.UUID) {
	t.Helper()
	p := f.user(t, account.RoleProducer, "")
	prod, err := f.catalog.CreateProducer(f.ctx, p, catalog.ProducerInput{
		NameTH: ptr("กลุ่มทอผ้าไหมบ้านหนองเงือก"), NameEN: ptr("Ban Nong Nguek Weavers"), Kind: ptr("community_enterprise"),
		ProvinceCode: ptr(province), Amphoe: ptr("ป่าซาง"), Tambon: ptr("มะกอก"), EnterpriseLevel: ptr(2),
	})
	if err != nil {
		t.Fatalf("CreateProducer: %v", err)
	}
	return p, prod.ID
}

// product is a product of owner, published unless draft, with an MOQ of 2
// pieces at 450 baht.
func (f *fixture) product(t *testing.T, owner account.Principal, category, creative string, draft bool) uuid.UUID {
	t.Helper()
	in := catalog.ProductInput{NameTH: ptr("ผ้าไหมยกดอกลำพูน"), NameEN: ptr("Lamphun Brocade Silk"),
		DescriptionEN: ptr("Hand-woven Lamphun silk brocade."), Category: ptr(category),
		Price: &catalog.MoneyInput{AmountMinor: ptr(int64(45000))}, MOQ: ptr(2), Unit: ptr("piece")}
	if creative != "" {
		in.CreativeIndustry = catalog.Set(creative)
	}
	p, err := f.catalog.CreateProduct(f.ctx, owner, in)
	if err != nil {
		t.Fatalf("CreateProduct: %v", err)
	}
	if !draft {
		f.exec(t, `UPDATE products SET status = 'published', published_at = now(), version = version + 1 WHERE id = ?`, p.ID)
	}
	return p.ID
}

func (f *fixture) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if err := f.db.Exec(sql, args...).Error; err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func (f *fixture) count(t *testing.T, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.Raw(sql, args...).Row().Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func wantKind(t *testing.T, err, kind error) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Fatalf("err = %v, want %v", err, kind)
	}
}

// wantField checks that err is a ValidationError naming field (and, when
// given, with a message containing each of words).
func wantField(t *testing.T, err error, field string, words ...string) {
	t.Helper()
	var ve *errs.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want a validation error on %s", err, field)
	}
	for _, fe := range ve.Fields {
		if fe.Field != field {
			continue
		}
		for _, w := range words {
			if !strings.Contains(fe.Message, w) {
				t.Errorf("%s: %q does not say %q", field, fe.Message, w)
			}
		}
		return
	}
	t.Fatalf("errors %+v do not name %s", ve.Fields, field)
}

// world is an inquiry's cast: the importer, the product's producer, the
// staff of its center, and outsiders.
type world struct {
	importer, otherImporter     account.Principal
	producer, otherProducer     account.Principal
	curator, farCurator, admin  account.Principal
	producerID, otherProducerID uuid.UUID
	product                     uuid.UUID
}

func (f *fixture) world(t *testing.T) world {
	t.Helper()
	var w world
	w.importer, w.otherImporter = f.user(t, account.RoleImporter, ""), f.user(t, account.RoleImporter, "")
	w.producer, w.producerID = f.producer(t, "TH-51")
	w.otherProducer, w.otherProducerID = f.producer(t, "TH-51")
	f.product(t, w.otherProducer, "textile", "crafts", false)
	w.curator, w.farCurator = f.user(t, account.RoleCurator, "chiang-mai"), f.user(t, account.RoleCurator, "songkhla")
	w.admin = f.user(t, account.RoleAdmin, "")
	w.product = f.product(t, w.producer, "textile", "crafts", false)
	return w
}

func (f *fixture) ask(t *testing.T, w world) trade.InquiryDetail {
	t.Helper()
	d, err := f.trade.CreateInquiry(f.ctx, w.importer, trade.InquiryInput{ProductID: w.product, Quantity: ptr(300),
		TargetPrice: &trade.PriceInput{AmountMinor: ptr(int64(1150)), Currency: "USD"}, Incoterm: "FOB",
		DestinationCountry: "jp", WantedBy: f.day(30), Message: "  Could you weave the pikul pattern in indigo?  "})
	if err != nil {
		t.Fatalf("CreateInquiry: %v", err)
	}
	return d
}

func (f *fixture) quoteInput(price int64, currency string) trade.QuoteInput {
	return trade.QuoteInput{UnitPrice: &trade.PriceInput{AmountMinor: ptr(price), Currency: currency}, MinQuantity: ptr(300),
		Incoterm: "FOB", LeadTimeDays: ptr(45), ValidUntil: f.day(30), Note: "Indigo takes two more weeks."}
}

func TestCreateInquiryCopiesTheProductAndTellsTheProducer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := f.world(t)
	d := f.ask(t, w)
	if d.Status != trade.InquiryOpen || d.ProducerID != w.producerID || d.SelectCenterID != "chiang-mai" || d.Unit != "piece" ||
		d.DestinationCountry != "JP" || d.WantedBy == nil || d.WantedBy.Format(time.DateOnly) != f.day(30) ||
		d.TargetPrice == nil || d.TargetPrice.Currency != "USD" || d.Product.NameEN != "Lamphun Brocade Silk" {
		t.Errorf("inquiry = %+v", d.Inquiry)
	}
	if len(d.Messages) != 1 || d.Messages[0].Body != "Could you weave the pikul pattern in indigo?" || d.Messages[0].AuthorRole != "importer" ||
		len(d.Quotes) != 0 {
		t.Errorf("thread = %+v, quotes %+v", d.Messages, d.Quotes)
	}
	if n := f.count(t, `SELECT count(*) FROM notifications WHERE user_id = ? AND kind = 'inquiry_received' AND subject_id = ?`,
		w.producer.UserID, d.ID); n != 1 {
		t.Errorf("%d inquiry_received notifications for the producer, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE entity_type = 'inquiry' AND entity_id = ? AND action = 'inquire'
		AND actor_id = ? AND select_center_id = 'chiang-mai' AND request_id = 'req-trade'`, d.ID, w.importer.UserID); n != 1 {
		t.Errorf("%d audit rows, want 1", n)
	}
	t.Run("the unit defaults to the product's and a target price is optional", func(t *testing.T) {
		d, err := f.trade.CreateInquiry(f.ctx, w.importer, trade.InquiryInput{ProductID: w.product, Quantity: ptr(2),
			Incoterm: "EXW", DestinationCountry: "DE", Message: "Samples?"})
		if err != nil || d.Unit != "piece" || d.TargetPrice != nil || d.WantedBy != nil {
			t.Errorf("minimal inquiry = %+v, %v", d.Inquiry, err)
		}
	})
}

func TestCreateInquiryRefusesBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := f.world(t)
	good := func() trade.InquiryInput {
		return trade.InquiryInput{ProductID: w.product, Quantity: ptr(10), Incoterm: "FOB", DestinationCountry: "JP",
			WantedBy: f.day(10), Message: "Hello"}
	}
	tests := []struct {
		name  string
		edit  func(*trade.InquiryInput)
		field string
		words []string
	}{
		{"below the MOQ", func(in *trade.InquiryInput) { in.Quantity = ptr(1) }, "quantity", []string{"MOQ", "2 piece"}},
		{"quantity 0", func(in *trade.InquiryInput) { in.Quantity = ptr(0) }, "quantity", nil},
		{"quantity -1", func(in *trade.InquiryInput) { in.Quantity = ptr(-1) }, "quantity", nil},
		{"quantity 2^31", func(in *trade.InquiryInput) { in.Quantity = ptr(1 << 31) }, "quantity", nil},
		{"no quantity", func(in *trade.InquiryInput) { in.Quantity = nil }, "quantity", []string{"required"}},
		{"unknown unit", func(in *trade.InquiryInput) { in.Unit = "crate" }, "unit", nil},
		{"unknown currency", func(in *trade.InquiryInput) {
			in.TargetPrice = &trade.PriceInput{AmountMinor: ptr(int64(100)), Currency: "XBT"}
		}, "target_price.currency", nil},
		{"target price 0", func(in *trade.InquiryInput) {
			in.TargetPrice = &trade.PriceInput{AmountMinor: ptr(int64(0)), Currency: "USD"}
		}, "target_price.amount_minor", nil},
		{"target price beyond the limit", func(in *trade.InquiryInput) {
			in.TargetPrice = &trade.PriceInput{AmountMinor: ptr(int64(1) << 62), Currency: "USD"}
		}, "target_price.amount_minor", nil},
		{"incoterm FOO", func(in *trade.InquiryInput) { in.Incoterm = "FOO" }, "incoterm", []string{"Incoterms 2020"}},
		{"no incoterm", func(in *trade.InquiryInput) { in.Incoterm = "" }, "incoterm", nil},
		{"country XX", func(in *trade.InquiryInput) { in.DestinationCountry = "XX" }, "destination_country", nil},
		{"country UK", func(in *trade.InquiryInput) { in.DestinationCountry = "UK" }, "destination_country", nil},
		{"no country", func(in *trade.InquiryInput) { in.DestinationCountry = "" }, "destination_country", nil},
		{"wanted_by yesterday", func(in *trade.InquiryInput) { in.WantedBy = f.day(-1) }, "wanted_by", []string{"past"}},
		{"wanted_by year 0001", func(in *trade.InquiryInput) { in.WantedBy = "0001-01-01" }, "wanted_by", []string{"past"}},
		{"wanted_by year 9999", func(in *trade.InquiryInput) { in.WantedBy = "9999-12-31" }, "wanted_by", []string{"two years"}},
		{"wanted_by not a date", func(in *trade.InquiryInput) { in.WantedBy = "2026-02-30" }, "wanted_by", []string{"YYYY-MM-DD"}},
		{"no message", func(in *trade.InquiryInput) { in.Message = "   " }, "message", []string{"required"}},
		{"message too long", func(in *trade.InquiryInput) { in.Message = strings.Repeat("ผ", 5001) }, "message", []string{"5000"}},
		{"NUL in the message", func(in *trade.InquiryInput) { in.Message = "hi\x00there" }, "message", []string{"control"}},
		{"no product", func(in *trade.InquiryInput) { in.ProductID = uuid.Nil }, "product_id", []string{"required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good()
			tt.edit(&in)
			_, err := f.trade.CreateInquiry(f.ctx, w.importer, in)
			wantField(t, err, tt.field, tt.words...)
		})
	}
	t.Run("a date today is accepted", func(t *testing.T) {
		in := good()
		in.WantedBy = f.day(0)
		if _, err := f.trade.CreateInquiry(f.ctx, w.importer, in); err != nil {
			t.Errorf("wanted_by today: %v", err)
		}
	})
	if n := f.count(t, "SELECT count(*) FROM inquiries"); n != 1 {
		t.Errorf("%d inquiries stored, want only the valid one", n)
	}

	t.Run("who may ask, and about what", func(t *testing.T) {
		_, err := f.trade.CreateInquiry(f.ctx, account.Principal{}, good())
		wantKind(t, err, errs.ErrUnauthenticated)
		for _, p := range []account.Principal{w.producer, w.curator, w.admin} {
			_, err := f.trade.CreateInquiry(f.ctx, p, good())
			wantKind(t, err, errs.ErrForbidden)
		}
		draft := f.product(t, w.producer, "textile", "", true)
		for _, id := range []uuid.UUID{draft, uuid.New()} {
			in := good()
			in.ProductID = id
			_, err := f.trade.CreateInquiry(f.ctx, w.importer, in)
			wantKind(t, err, errs.ErrNotFound)
		}
	})
}

func TestInquiryIsVisibleToItsPartiesOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := f.world(t)
	d := f.ask(t, w)
	tests := []struct {
		name     string
		p        account.Principal
		want     error // of GET
		listed   bool
		write    error // of a message
		quote    error
		closeErr error
	}{
		{"anonymous", account.Principal{}, errs.ErrUnauthenticated, false, errs.ErrUnauthenticated, errs.ErrUnauthenticated, errs.ErrUnauthenticated},
		{"the importer", w.importer, nil, true, nil, errs.ErrForbidden, nil},
		{"another importer", w.otherImporter, errs.ErrNotFound, false, errs.ErrNotFound, errs.ErrNotFound, errs.ErrNotFound},
		{"the producer", w.producer, nil, true, nil, nil, errs.ErrForbidden},
		{"another producer", w.otherProducer, errs.ErrNotFound, false, errs.ErrNotFound, errs.ErrNotFound, errs.ErrNotFound},
		{"a curator of the center", w.curator, nil, true, errs.ErrForbidden, errs.ErrForbidden, errs.ErrForbidden},
		{"a curator of another center", w.farCurator, errs.ErrNotFound, false, errs.ErrNotFound, errs.ErrNotFound, errs.ErrNotFound},
		{"an admin", w.admin, nil, true, errs.ErrForbidden, errs.ErrForbidden, errs.ErrForbidden},
	}
	check := func(t *testing.T, what string, err, want error) {
		t.Helper()
		if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
			t.Errorf("%s: err = %v, want %v", what, err, want)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.trade.Inquiry(f.ctx, tt.p, d.ID)
			check(t, "read", err, tt.want)
			if err == nil && (got.ID != d.ID || len(got.Messages) != 1) {
				t.Errorf("read = %+v", got)
			}
			page, err := f.trade.Inquiries(f.ctx, tt.p, trade.InquiryFilter{})
			if tt.p.Anonymous() {
				check(t, "list", err, errs.ErrUnauthenticated)
			} else if err != nil || (len(page.Items) == 1) != tt.listed {
				t.Errorf("list = %+v, %v; want listed %v", page.Items, err, tt.listed)
			}
			if tt.write != nil { // the parties' writes are tested below
				_, err = f.trade.PostMessage(f.ctx, tt.p, d.ID, "hello")
				check(t, "message", err, tt.write)
			}
			if tt.quote != nil {
				_, err = f.trade.QuoteInquiry(f.ctx, tt.p, d.ID, f.quoteInput(1190, "USD"))
				check(t, "quote", err, tt.quote)
			}
			if tt.closeErr != nil {
				_, err = f.trade.CloseInquiry(f.ctx, tt.p, d.ID, "")
				check(t, "close", err, tt.closeErr)
			}
		})
	}
	if n := f.count(t, "SELECT count(*) FROM inquiry_messages WHERE inquiry_id = ?", d.ID); n != 1 {
		t.Errorf("refused writes left %d messages, want the first only", n)
	}
	if n := f.count(t, "SELECT count(*) FROM quotes"); n != 0 {
		t.Errorf("refused quotes left %d quotes", n)
	}

	t.Run("filters and pages", func(t *testing.T) {
		for range 2 {
			f.ask(t, w)
		}
		page, err := f.trade.Inquiries(f.ctx, w.importer, trade.InquiryFilter{Limit: 2})
		if err != nil || len(page.Items) != 2 || page.NextCursor == "" || page.Items[0].CreatedAt.Before(page.Items[1].CreatedAt) {
			t.Fatalf("first page = %+v, %v", page, err)
		}
		next, err := f.trade.Inquiries(f.ctx, w.importer, trade.InquiryFilter{Limit: 2, Cursor: page.NextCursor})
		if err != nil || len(next.Items) != 1 || next.NextCursor != "" {
			t.Fatalf("second page = %+v, %v", next, err)
		}
		seen := map[uuid.UUID]bool{}
		for _, i := range append(page.Items, next.Items...) {
			seen[i.ID] = true
		}
		if len(seen) != 3 {
			t.Errorf("pages hold %d distinct inquiries, want 3", len(seen))
		}
		if p, err := f.trade.Inquiries(f.ctx, w.producer, trade.InquiryFilter{Status: "closed"}); err != nil || len(p.Items) != 0 {
			t.Errorf("closed = %+v, %v", p.Items, err)
		}
		if p, err := f.trade.Inquiries(f.ctx, w.admin, trade.InquiryFilter{Product: uuid.New()}); err != nil || len(p.Items) != 0 {
			t.Errorf("another product = %+v, %v", p.Items, err)
		}
		if p, err := f.trade.Inquiries(f.ctx, w.curator, trade.InquiryFilter{Product: w.product, Status: "open"}); err != nil || len(p.Items) != 3 {
			t.Errorf("the product's open ones = %d, %v", len(p.Items), err)
		}
		for _, bad := range []trade.InquiryFilter{{Status: "pending"}, {Limit: 101}, {Cursor: "garbage"}} {
			_, err := f.trade.Inquiries(f.ctx, w.importer, bad)
			var qe *errs.QueryError
			if !errors.As(err, &qe) {
				t.Errorf("filter %+v: err = %v, want a query error", bad, err)
			}
		}
		bare := f.user(t, account.RoleProducer, "")
		if p, err := f.trade.Inquiries(f.ctx, bare, trade.InquiryFilter{}); err != nil || len(p.Items) != 0 {
			t.Errorf("a producer without a profile = %+v, %v", p.Items, err)
		}
	})
}

func TestInquiryThreadQuotesAndStates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := f.world(t)
	d := f.ask(t, w)

	m, err := f.trade.PostMessage(f.ctx, w.producer, d.ID, "Indigo is possible.")
	if err != nil || m.AuthorRole != "producer" || m.Body != "Indigo is possible." || m.CreatedAt.IsZero() {
		t.Fatalf("producer's message = %+v, %v", m, err)
	}
	if _, err := f.trade.PostMessage(f.ctx, w.importer, d.ID, "Great, please quote."); err != nil {
		t.Fatalf("importer's message: %v", err)
	}
	_, err = f.trade.PostMessage(f.ctx, w.importer, d.ID, "bad\x07bell")
	wantField(t, err, "body", "control")
	_, err = f.trade.PostMessage(f.ctx, w.importer, d.ID, strings.Repeat("a", 5001))
	wantField(t, err, "body", "5000")
	if n := f.count(t, `SELECT count(*) FROM notifications WHERE kind = 'inquiry_message' AND user_id IN (?, ?)`,
		w.importer.UserID, w.producer.UserID); n != 2 {
		t.Errorf("%d inquiry_message notifications, want one for each side", n)
	}

	t.Run("quote terms are checked", func(t *testing.T) {
		tests := []struct {
			name  string
			edit  func(*trade.QuoteInput)
			field string
		}{
			{"no unit price", func(in *trade.QuoteInput) { in.UnitPrice = nil }, "unit_price"},
			{"price 0", func(in *trade.QuoteInput) { in.UnitPrice.AmountMinor = ptr(int64(0)) }, "unit_price.amount_minor"},
			{"currency GBP", func(in *trade.QuoteInput) { in.UnitPrice.Currency = "GBP" }, "unit_price.currency"},
			{"min quantity 0", func(in *trade.QuoteInput) { in.MinQuantity = ptr(0) }, "min_quantity"},
			{"incoterm FOO", func(in *trade.QuoteInput) { in.Incoterm = "FOO" }, "incoterm"},
			{"lead time -1", func(in *trade.QuoteInput) { in.LeadTimeDays = ptr(-1) }, "lead_time_days"},
			{"lead time 366", func(in *trade.QuoteInput) { in.LeadTimeDays = ptr(366) }, "lead_time_days"},
			{"no lead time", func(in *trade.QuoteInput) { in.LeadTimeDays = nil }, "lead_time_days"},
			{"valid until yesterday", func(in *trade.QuoteInput) { in.ValidUntil = f.day(-1) }, "valid_until"},
			{"valid until 9999", func(in *trade.QuoteInput) { in.ValidUntil = "9999-01-01" }, "valid_until"},
			{"no validity", func(in *trade.QuoteInput) { in.ValidUntil = "" }, "valid_until"},
			{"note too long", func(in *trade.QuoteInput) { in.Note = strings.Repeat("n", 2001) }, "note"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := f.quoteInput(1190, "USD")
				tt.edit(&in)
				_, err := f.trade.QuoteInquiry(f.ctx, w.producer, d.ID, in)
				wantField(t, err, tt.field)
			})
		}
	})

	q1, err := f.trade.QuoteInquiry(f.ctx, w.producer, d.ID, f.quoteInput(1190, "USD"))
	if err != nil {
		t.Fatalf("quote: %v", err)
	}
	if q1.Status != trade.QuoteOpen || q1.InquiryID != d.ID || q1.RFQID != uuid.Nil || q1.ProductID != w.product ||
		q1.ProducerID != w.producerID || q1.Expired || q1.Producer.ProvinceCode != "TH-51" || q1.Product.NameTH != "ผ้าไหมยกดอกลำพูน" {
		t.Errorf("quote = %+v", q1)
	}
	status := func(want string) {
		t.Helper()
		got, err := f.trade.Inquiry(f.ctx, w.admin, d.ID)
		if err != nil || got.Status != want {
			t.Fatalf("inquiry status = %q (%v), want %s", got.Status, err, want)
		}
	}
	status(trade.InquiryQuoted)
	if n := f.count(t, `SELECT count(*) FROM notifications WHERE kind = 'quote_received' AND user_id = ? AND subject_id = ?`,
		w.importer.UserID, q1.ID); n != 1 {
		t.Errorf("%d quote_received notifications, want 1", n)
	}

	t.Run("a quote is read by its parties", func(t *testing.T) {
		for _, p := range []account.Principal{w.importer, w.producer, w.curator, w.admin} {
			if _, err := f.trade.Quote(f.ctx, p, q1.ID); err != nil {
				t.Errorf("%s reads the quote: %v", p.Role, err)
			}
		}
		for _, p := range []account.Principal{w.otherImporter, w.otherProducer, w.farCurator} {
			_, err := f.trade.Quote(f.ctx, p, q1.ID)
			wantKind(t, err, errs.ErrNotFound)
		}
		for _, p := range []account.Principal{w.producer, w.curator, w.admin} {
			_, err := f.trade.DeclineQuote(f.ctx, p, q1.ID, "")
			wantKind(t, err, errs.ErrForbidden)
		}
		_, err := f.trade.DeclineQuote(f.ctx, w.otherImporter, q1.ID, "")
		wantKind(t, err, errs.ErrNotFound)
	})

	q2, err := f.trade.QuoteInquiry(f.ctx, w.producer, d.ID, f.quoteInput(1090, "USD"))
	if err != nil {
		t.Fatalf("second quote: %v", err)
	}
	if _, err := f.trade.DeclineQuote(f.ctx, w.importer, q1.ID, "Too dear."); err != nil {
		t.Fatalf("decline: %v", err)
	}
	status(trade.InquiryQuoted) // q2 is still open
	_, err = f.trade.DeclineQuote(f.ctx, w.importer, q1.ID, "")
	wantKind(t, err, errs.ErrConflict)
	declined, err := f.trade.DeclineQuote(f.ctx, w.importer, q2.ID, "")
	if err != nil || declined.Status != trade.QuoteDeclined {
		t.Fatalf("decline the last = %+v, %v", declined, err)
	}
	status(trade.InquiryDeclined)
	if n := f.count(t, `SELECT count(*) FROM audit_log WHERE entity_type = 'quote' AND action = 'decline' AND reason = 'Too dear.'`); n != 1 {
		t.Errorf("%d decline audit rows with the reason, want 1", n)
	}
	if n := f.count(t, `SELECT count(*) FROM notifications WHERE kind = 'quote_declined' AND user_id = ?`, w.producer.UserID); n != 2 {
		t.Errorf("%d quote_declined notifications, want 2", n)
	}

	// A declined inquiry is quoted again, and closed by its importer.
	q3, err := f.trade.QuoteInquiry(f.ctx, w.producer, d.ID, f.quoteInput(990, "USD"))
	if err != nil {
		t.Fatalf("quote after declines: %v", err)
	}
	status(trade.InquiryQuoted)
	closed, err := f.trade.CloseInquiry(f.ctx, w.importer, d.ID, "Found another supplier.")
	if err != nil || closed.Status != trade.InquiryClosed || len(closed.Quotes) != 3 || len(closed.Messages) != 3 {
		t.Fatalf("close = %+v, %v", closed.Inquiry, err)
	}
	_, err = f.trade.PostMessage(f.ctx, w.producer, d.ID, "Are you sure?")
	wantKind(t, err, errs.ErrConflict)
	_, err = f.trade.QuoteInquiry(f.ctx, w.producer, d.ID, f.quoteInput(890, "USD"))
	wantKind(t, err, errs.ErrConflict)
	again, err := f.trade.CloseInquiry(f.ctx, w.importer, d.ID, "")
	if err != nil || again.Status != trade.InquiryClosed {
		t.Errorf("closing twice = %q, %v", again.Status, err)
	}
	if n := f.count(t, `SELECT count(*) FROM notifications WHERE kind = 'inquiry_closed' AND user_id = ?`, w.producer.UserID); n != 1 {
		t.Errorf("%d inquiry_closed notifications, want 1 (closing twice tells nobody twice)", n)
	}
	// Declining the open quote of a closed inquiry leaves the inquiry closed.
	if _, err := f.trade.DeclineQuote(f.ctx, w.importer, q3.ID, ""); err != nil {
		t.Fatalf("decline on a closed inquiry: %v", err)
	}
	status(trade.InquiryClosed)

	t.Run("an accepted inquiry is over", func(t *testing.T) {
		d := f.ask(t, w)
		q, err := f.trade.QuoteInquiry(f.ctx, w.producer, d.ID, f.quoteInput(1190, "USD"))
		if err != nil {
			t.Fatal(err)
		}
		// The lead's accept does this in its transaction.
		f.exec(t, "UPDATE quotes SET status = 'accepted' WHERE id = ?", q.ID)
		f.exec(t, "UPDATE inquiries SET status = 'accepted' WHERE id = ?", d.ID)
		_, err = f.trade.CloseInquiry(f.ctx, w.importer, d.ID, "")
		wantKind(t, err, errs.ErrConflict)
		_, err = f.trade.PostMessage(f.ctx, w.importer, d.ID, "Thanks!")
		wantKind(t, err, errs.ErrConflict)
		_, err = f.trade.QuoteInquiry(f.ctx, w.producer, d.ID, f.quoteInput(1190, "USD"))
		wantKind(t, err, errs.ErrConflict)
		_, err = f.trade.DeclineQuote(f.ctx, w.importer, q.ID, "")
		wantKind(t, err, errs.ErrConflict)
	})
}

func TestQuoteExpiresAfterItsLastValidDay(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := f.world(t)
	d := f.ask(t, w)
	in := f.quoteInput(1190, "USD")
	in.ValidUntil = f.day(0)
	q, err := f.trade.QuoteInquiry(f.ctx, w.producer, d.ID, in)
	if err != nil || q.Expired {
		t.Fatalf("quote valid today = %+v, %v", q, err)
	}
	// 23:30 in Bangkok is still the same day; 00:30 the next is not.
	f.now = time.Date(2026, 6, 1, 16, 30, 0, 0, time.UTC)
	if got, _ := f.trade.Quote(f.ctx, w.importer, q.ID); got.Expired {
		t.Errorf("expired at 23:30 on its last day")
	}
	f.now = time.Date(2026, 6, 1, 17, 30, 0, 0, time.UTC)
	got, err := f.trade.Inquiry(f.ctx, w.importer, d.ID)
	if err != nil || len(got.Quotes) != 1 || !got.Quotes[0].Expired {
		t.Errorf("the next day: quotes %+v, %v", got.Quotes, err)
	}
}

// TestConcurrentChangesOfOneInquiryStayConsistent runs changes of one
// inquiry at once: each sees the other's result (the inquiry row is locked).
func TestConcurrentChangesOfOneInquiryStayConsistent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	w := f.world(t)
	run := func(fns ...func() error) []error {
		out := make([]error, len(fns))
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, fn := range fns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				out[i] = fn()
			}()
		}
		close(start)
		wg.Wait()
		return out
	}

	t.Run("two quotes at once", func(t *testing.T) {
		d := f.ask(t, w)
		quote := func() error {
			_, err := f.trade.QuoteInquiry(f.ctx, w.producer, d.ID, f.quoteInput(1190, "USD"))
			return err
		}
		for i, err := range run(quote, quote) {
			if err != nil {
				t.Errorf("quote %d: %v", i, err)
			}
		}
		got, _ := f.trade.Inquiry(f.ctx, w.importer, d.ID)
		if got.Status != trade.InquiryQuoted || len(got.Quotes) != 2 || got.Version != 3 {
			t.Errorf("after two quotes: status %s, %d quotes, version %d", got.Status, len(got.Quotes), got.Version)
		}
	})
	t.Run("declining every quote at once declines the inquiry", func(t *testing.T) {
		for range 5 {
			d := f.ask(t, w)
			var ids []uuid.UUID
			for range 2 {
				q, err := f.trade.QuoteInquiry(f.ctx, w.producer, d.ID, f.quoteInput(1190, "USD"))
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, q.ID)
			}
			decline := func(id uuid.UUID) func() error {
				return func() error { _, err := f.trade.DeclineQuote(f.ctx, w.importer, id, ""); return err }
			}
			for i, err := range run(decline(ids[0]), decline(ids[1])) {
				if err != nil {
					t.Errorf("decline %d: %v", i, err)
				}
			}
			if got, _ := f.trade.Inquiry(f.ctx, w.importer, d.ID); got.Status != trade.InquiryDeclined {
				t.Fatalf("after declining both quotes at once the inquiry is %s, want declined", got.Status)
			}
		}
	})
	t.Run("one quote declined twice at once", func(t *testing.T) {
		d := f.ask(t, w)
		q, err := f.trade.QuoteInquiry(f.ctx, w.producer, d.ID, f.quoteInput(1190, "USD"))
		if err != nil {
			t.Fatal(err)
		}
		decline := func() error { _, err := f.trade.DeclineQuote(f.ctx, w.importer, q.ID, ""); return err }
		results := run(decline, decline)
		ok, conflict := 0, 0
		for _, err := range results {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, errs.ErrConflict):
				conflict++
			}
		}
		if ok != 1 || conflict != 1 {
			t.Errorf("results %v: want one success and one 409", results)
		}
		if n := f.count(t, "SELECT count(*) FROM audit_log WHERE entity_id = ? AND action = 'decline'", q.ID); n != 1 {
			t.Errorf("%d decline audit rows, want 1", n)
		}
	})
	t.Run("a message while the inquiry closes", func(t *testing.T) {
		for range 5 {
			d := f.ask(t, w)
			results := run(
				func() error { _, err := f.trade.PostMessage(f.ctx, w.producer, d.ID, "One more thing"); return err },
				func() error { _, err := f.trade.CloseInquiry(f.ctx, w.importer, d.ID, ""); return err })
			if results[1] != nil {
				t.Fatalf("close: %v", results[1])
			}
			msgs := f.count(t, "SELECT count(*) FROM inquiry_messages WHERE inquiry_id = ?", d.ID)
			switch {
			case results[0] == nil && msgs != 2, errors.Is(results[0], errs.ErrConflict) && msgs != 1:
				t.Errorf("message %v but %d messages stored", results[0], msgs)
			case results[0] != nil && !errors.Is(results[0], errs.ErrConflict):
				t.Errorf("message: %v", results[0])
			}
			// A message accepted after the close would be later than it.
			if n := f.count(t, `SELECT count(*) FROM inquiry_messages m JOIN inquiries i ON i.id = m.inquiry_id
				WHERE i.id = ? AND m.created_at > i.updated_at`, d.ID); n != 0 {
				t.Errorf("a message was written after the inquiry closed")
			}
		}
	})
}
