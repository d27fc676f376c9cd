package trade_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/trade"
)

// inquired is an inquiry of importer for 120 pieces of product, answered
// by its producer with one quote per price given (in USD, valid to the end
// of the year, FOB, at least 100 pieces).
func (w *orderWorld) inquired(t *testing.T, importer, maker account.Principal, product catalog.Product, prices ...int64) (trade.InquiryDetail, []trade.Quote) {
	t.Helper()
	qty := 120
	inq, err := w.trade.CreateInquiry(w.ctx, importer, trade.InquiryInput{ProductID: product.ID, Quantity: &qty, Incoterm: "FOB",
		DestinationCountry: "JP", Message: "Could you quote 120 pieces packed for sea freight?"})
	if err != nil {
		t.Fatalf("CreateInquiry: %v", err)
	}
	var quotes []trade.Quote
	for _, price := range prices {
		minQty, lead := 100, 45
		q, err := w.trade.QuoteInquiry(w.ctx, maker, inq.ID, trade.QuoteInput{UnitPrice: &trade.PriceInput{AmountMinor: &price, Currency: "USD"},
			MinQuantity: &minQty, Incoterm: "FOB", LeadTimeDays: &lead, ValidUntil: "2026-12-31", Note: "Boxed in tens."})
		if err != nil {
			t.Fatalf("QuoteInquiry: %v", err)
		}
		quotes = append(quotes, q)
	}
	return inq, quotes
}

func TestAcceptingAQuotePlacesItsOrderOnce(t *testing.T) {
	t.Parallel()
	w := newOrderWorld(t)
	importer := w.account(t, account.RoleImporter, "")
	maker := w.maker(t)
	silk := w.listed(t, maker, stock(1000))

	t.Run("the order has the quote's terms and the request is decided", func(t *testing.T) {
		inq, quotes := w.inquired(t, importer, maker, silk, 1250, 1190)
		got, err := w.trade.AcceptQuote(w.ctx, importer, "accept-1", quotes[1].ID, 0, "Ship with the next vessel.")
		if err != nil {
			t.Fatalf("AcceptQuote: %v", err)
		}
		o := got.Orders[0]
		if len(got.Orders) != 1 || o.QuoteID != quotes[1].ID || o.Currency != "USD" || o.Lines[0].UnitPriceMinor != 1190 ||
			o.Lines[0].Quantity != 120 || o.TotalMinor != 120*1190 || o.Incoterm != "FOB" || o.DestinationCountry != "JP" {
			t.Errorf("order %+v", o)
		}
		if s := w.stockOf(t, silk.ID); *s != 880 {
			t.Errorf("stock %d after accepting 120 of 1000", *s)
		}
		detail, err := w.trade.Inquiry(w.ctx, importer, inq.ID)
		if err != nil {
			t.Fatal(err)
		}
		states := map[uuid.UUID]string{}
		for _, q := range detail.Quotes {
			states[q.ID] = q.Status
		}
		if detail.Status != trade.InquiryAccepted || states[quotes[1].ID] != "accepted" || states[quotes[0].ID] != "declined" {
			t.Errorf("inquiry %s, quotes %v", detail.Status, states)
		}
		replay, err := w.trade.AcceptQuote(w.ctx, importer, "accept-1", quotes[1].ID, 0, "Ship with the next vessel.")
		if err != nil || !replay.Replayed || replay.Orders[0].ID != o.ID {
			t.Errorf("the same key again: %+v, %v", replay, err)
		}
		if _, err := w.trade.AcceptQuote(w.ctx, importer, "accept-2", quotes[1].ID, 0, ""); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("accepting it again with another key: %v, want 409", err)
		}
		if _, err := w.trade.AcceptQuote(w.ctx, importer, "accept-3", quotes[0].ID, 0, ""); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("accepting the declined quote: %v, want 409", err)
		}
		if n := w.rows(t, `SELECT count(*) FROM notifications WHERE kind IN ('quote_accepted', 'quote_declined', 'order_placed') AND user_id = ?`, maker.UserID); n < 3 {
			t.Errorf("the producer has %d notices of the acceptance", n)
		}
	})
	t.Run("two quotes of one inquiry accepted at once make one order", func(t *testing.T) {
		_, quotes := w.inquired(t, importer, maker, silk, 1300, 1280)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range quotes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = w.trade.AcceptQuote(w.ctx, importer, fmt.Sprintf("race-%d", i), quotes[i].ID, 0, "")
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Errorf("both or neither accepted: %v", errs)
		}
		if n := w.rows(t, `SELECT count(*) FROM orders WHERE quote_id IN (?, ?)`, quotes[0].ID, quotes[1].ID); n != 1 {
			t.Errorf("%d orders from two quotes of one inquiry", n)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		_, quotes := w.inquired(t, importer, maker, silk, 1400)
		other := w.account(t, account.RoleImporter, "")
		if _, err := w.trade.AcceptQuote(w.ctx, other, "k-other", quotes[0].ID, 0, ""); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("another importer accepting: %v, want 404", err)
		}
		if _, err := w.trade.AcceptQuote(w.ctx, maker, "k-maker", quotes[0].ID, 0, ""); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("the producer accepting: %v, want 403", err)
		}
		if _, err := w.trade.AcceptQuote(w.ctx, importer, "k-min", quotes[0].ID, 99, ""); !isField(err, "quantity") {
			t.Errorf("below the quote's minimum: %v", err)
		}
		if _, err := w.trade.AcceptQuote(w.ctx, importer, "k-huge", quotes[0].ID, 2000, ""); !errors.Is(err, errs.ErrConflict) ||
			!strings.Contains(errs.ClientMessage(err, errs.ErrConflict), "available") {
			t.Errorf("more than the stock: %v", err)
		}
		if _, err := w.trade.AcceptQuote(w.ctx, importer, "", quotes[0].ID, 0, ""); !isField(err, "Idempotency-Key") {
			t.Errorf("without a key: %v", err)
		}
		if err := w.db.Exec(`UPDATE quotes SET valid_until = '2026-11-30' WHERE id = ?`, quotes[0].ID).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := w.trade.AcceptQuote(w.ctx, importer, "k-expired", quotes[0].ID, 0, ""); !errors.Is(err, errs.ErrConflict) ||
			!strings.Contains(errs.ClientMessage(err, errs.ErrConflict), "expired") {
			t.Errorf("an expired quote: %v", err)
		}
	})
	t.Run("a quote of a closed inquiry cannot be accepted", func(t *testing.T) {
		inq, quotes := w.inquired(t, importer, maker, silk, 1500)
		if _, err := w.trade.CloseInquiry(w.ctx, importer, inq.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := w.trade.AcceptQuote(w.ctx, importer, "k-closed", quotes[0].ID, 0, ""); !errors.Is(err, errs.ErrConflict) {
			t.Errorf("accepting a quote of a closed inquiry: %v, want 409", err)
		}
	})
	t.Run("accepting an RFQ's quote declines its competitors", func(t *testing.T) {
		rival := w.maker(t)
		cotton := w.listed(t, rival, nil)
		qty := 200
		rfq, err := w.trade.CreateRFQ(w.ctx, importer, trade.RFQInput{Category: "textile", Quantity: &qty, Unit: "piece",
			Description: "Hand-woven silk or cotton scarves for a Berlin concept store.", DestinationCountry: "DE", ClosesOn: "2026-12-20"})
		if err != nil {
			t.Fatalf("CreateRFQ: %v", err)
		}
		quote := func(p account.Principal, product catalog.Product, price int64) trade.Quote {
			minQty, lead := 100, 30
			q, err := w.trade.QuoteRFQ(w.ctx, p, rfq.ID, trade.QuoteInput{ProductID: product.ID, UnitPrice: &trade.PriceInput{AmountMinor: &price, Currency: "EUR"},
				MinQuantity: &minQty, Incoterm: "CIF", LeadTimeDays: &lead, ValidUntil: "2026-12-24"})
			if err != nil {
				t.Fatalf("QuoteRFQ: %v", err)
			}
			return q
		}
		won, lost := quote(rival, cotton, 890), quote(maker, silk, 1450)
		got, err := w.trade.AcceptQuote(w.ctx, importer, "rfq-accept", won.ID, 0, "")
		if err != nil {
			t.Fatalf("AcceptQuote: %v", err)
		}
		o := got.Orders[0]
		if o.ProducerID != cotton.ProducerID || o.Lines[0].Quantity != 200 || o.Currency != "EUR" || o.Incoterm != "CIF" || o.DestinationCountry != "DE" {
			t.Errorf("order from the RFQ's quote: %+v", o)
		}
		detail, err := w.trade.RFQ(w.ctx, importer, rfq.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range detail.Quotes {
			if want := map[uuid.UUID]string{won.ID: "accepted", lost.ID: "declined"}[q.ID]; q.Status != want {
				t.Errorf("quote %s is %s, want %s", q.ID, q.Status, want)
			}
		}
		if detail.Status != trade.RFQAccepted {
			t.Errorf("RFQ status %s", detail.Status)
		}
	})
}
