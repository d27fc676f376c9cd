package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
)

// tradeDay is a date n days from today in Bangkok, as the trade reads dates.
func tradeDay(n int) string {
	return time.Now().In(time.FixedZone("ICT", 7*3600)).AddDate(0, 0, n).Format(time.DateOnly)
}

func inquiryBody(productID uuid.UUID) string {
	return fmt.Sprintf(`{"product_id":%q,"quantity":300,"target_price":{"amount_minor":1150,"currency":"USD"},
		"incoterm":"FOB","destination_country":"JP","wanted_by":%q,"message":"Could you weave the pikul pattern in indigo?"}`,
		productID, tradeDay(30))
}

func quoteBody(price int, currency string) string {
	return fmt.Sprintf(`{"unit_price":{"amount_minor":%d,"currency":%q},"min_quantity":300,"incoterm":"FOB",
		"lead_time_days":45,"valid_until":%q,"note":"Indigo takes two more weeks."}`, price, currency, tradeDay(30))
}

// tradeCast is a published product of a producer, its center's curator
// and an importer.
type tradeCast struct {
	producer, importer, curator string
	producerID                  uuid.UUID
	product                     productJSON
}

func (a *catalogAPI) tradeCast(t *testing.T) tradeCast {
	t.Helper()
	var c tradeCast
	var prof producerJSON
	c.producer, prof = a.producer(t)
	c.producerID = prof.ID
	c.product = a.createProduct(t, c.producer)
	a.publish(t, c.product.ID)
	c.importer = a.signUp(t, account.RoleImporter, "")
	c.curator = a.signUp(t, account.RoleCurator, "chiang-mai")
	return c
}

func TestInquiryFlowOverHTTP(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	c := a.tradeCast(t)

	rec := a.do(t, http.MethodPost, "/v1/inquiries", c.importer, inquiryBody(c.product.ID))
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST /v1/inquiries = %d %s", rec.Code, rec.Body)
	}
	inq := decode[inquiryDetailJSON](t, rec)
	if loc := rec.Header().Get("Location"); loc != "/v1/inquiries/"+inq.ID.String() {
		t.Errorf("Location = %q", loc)
	}
	if inq.Status != "open" || inq.ProducerID != c.producerID || inq.SelectCenterID != "chiang-mai" || inq.Unit != "piece" ||
		inq.WantedBy == nil || *inq.WantedBy != tradeDay(30) || len(inq.Messages) != 1 || len(inq.Quotes) != 0 ||
		inq.Product.NameEN != c.product.NameEN {
		t.Errorf("inquiry = %s", rec.Body)
	}
	base := "/v1/inquiries/" + inq.ID.String()

	rec = a.do(t, http.MethodPost, base+"/messages", c.producer, `{"body":"Indigo is possible."}`)
	if rec.Code != http.StatusCreated || rec.Header().Get("Location") != base || decode[messageJSON](t, rec).AuthorRole != "producer" {
		t.Errorf("producer's message = %d %s", rec.Code, rec.Body)
	}
	assertProblem(t, a.do(t, http.MethodPost, base+"/messages", c.curator, `{"body":"Staff read only."}`), http.StatusForbidden)

	rec = a.do(t, http.MethodPost, base+"/quotes", c.producer, quoteBody(1190, "USD"))
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST quotes = %d %s", rec.Code, rec.Body)
	}
	quote := decode[quoteJSON](t, rec)
	if loc := rec.Header().Get("Location"); loc != "/v1/quotes/"+quote.ID.String() {
		t.Errorf("Location = %q", loc)
	}
	if quote.InquiryID == nil || *quote.InquiryID != inq.ID || quote.RFQID != nil || quote.Expired || quote.Status != "open" ||
		quote.ValidUntil != tradeDay(30) || quote.Producer.ID != c.producerID || quote.Product.ID != c.product.ID ||
		!strings.Contains(rec.Body.String(), `"rfq_id":null`) {
		t.Errorf("quote = %s", rec.Body)
	}
	assertProblem(t, a.do(t, http.MethodPost, base+"/quotes", c.importer, quoteBody(1190, "USD")), http.StatusForbidden)

	for _, token := range []string{c.importer, c.producer, c.curator} {
		if rec := a.do(t, http.MethodGet, "/v1/quotes/"+quote.ID.String(), token, ""); rec.Code != http.StatusOK {
			t.Errorf("GET quote = %d %s", rec.Code, rec.Body)
		}
	}
	rec = a.do(t, http.MethodGet, base, c.curator, "")
	if got := decode[inquiryDetailJSON](t, rec); rec.Code != http.StatusOK || got.Status != "quoted" || len(got.Quotes) != 1 || len(got.Messages) != 2 {
		t.Errorf("GET inquiry as the center's curator = %d %s", rec.Code, rec.Body)
	}
	rec = a.do(t, http.MethodGet, "/v1/inquiries?status=quoted&product="+c.product.ID.String(), c.producer, "")
	if list := decode[listReply[inquiryJSON]](t, rec); rec.Code != http.StatusOK || len(list.Items) != 1 || list.NextCursor != nil ||
		strings.Contains(rec.Body.String(), `"messages"`) {
		t.Errorf("list = %d %s", rec.Code, rec.Body)
	}

	assertProblem(t, a.do(t, http.MethodPost, "/v1/quotes/"+quote.ID.String()+"/decline", c.producer, ""), http.StatusForbidden)
	rec = a.do(t, http.MethodPost, "/v1/quotes/"+quote.ID.String()+"/decline", c.importer, `{"reason":"Too dear."}`)
	if rec.Code != http.StatusOK || decode[quoteJSON](t, rec).Status != "declined" {
		t.Errorf("decline = %d %s", rec.Code, rec.Body)
	}
	assertProblem(t, a.do(t, http.MethodPost, "/v1/quotes/"+quote.ID.String()+"/decline", c.importer, ""), http.StatusConflict)

	assertProblem(t, a.do(t, http.MethodPost, base+"/close", c.producer, ""), http.StatusForbidden)
	rec = a.do(t, http.MethodPost, base+"/close", c.importer, "")
	if rec.Code != http.StatusOK || decode[inquiryDetailJSON](t, rec).Status != "closed" {
		t.Errorf("close = %d %s", rec.Code, rec.Body)
	}
	p := assertProblem(t, a.do(t, http.MethodPost, base+"/messages", c.producer, `{"body":"Wait!"}`), http.StatusConflict)
	if !strings.Contains(p.Detail, "closed") {
		t.Errorf("409 detail = %q, want it to name the state", p.Detail)
	}
	assertProblem(t, a.do(t, http.MethodPost, base+"/quotes", c.producer, quoteBody(990, "USD")), http.StatusConflict)

	t.Run("others are told it does not exist", func(t *testing.T) {
		other, _ := a.producer(t)
		importer := a.signUp(t, account.RoleImporter, "")
		far := a.signUp(t, account.RoleCurator, "songkhla")
		for _, token := range []string{other, importer, far} {
			assertProblem(t, a.do(t, http.MethodGet, base, token, ""), http.StatusNotFound)
			assertProblem(t, a.do(t, http.MethodGet, "/v1/quotes/"+quote.ID.String(), token, ""), http.StatusNotFound)
		}
		assertProblem(t, a.do(t, http.MethodGet, base, "", ""), http.StatusUnauthorized)
		assertProblem(t, a.do(t, http.MethodGet, "/v1/inquiries/"+uuid.NewString(), c.importer, ""), http.StatusNotFound)
	})
}

func TestInquiryWritesRefuseBadInput(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	c := a.tradeCast(t)
	good := func(edit string) string {
		return fmt.Sprintf(`{"product_id":%q,"quantity":10,"incoterm":"FOB","destination_country":"JP","message":"Hello"%s}`, c.product.ID, edit)
	}
	tests := []struct {
		name, body string
		status     int
		field      string
	}{
		{"below the MOQ", strings.Replace(good(""), `"quantity":10`, `"quantity":1`, 1), 422, "quantity"},
		{"quantity 0", strings.Replace(good(""), `"quantity":10`, `"quantity":0`, 1), 422, "quantity"},
		{"quantity -1", strings.Replace(good(""), `"quantity":10`, `"quantity":-1`, 1), 422, "quantity"},
		{"quantity 2^31", strings.Replace(good(""), `"quantity":10`, `"quantity":2147483648`, 1), 422, "quantity"},
		{"quantity 1e30", strings.Replace(good(""), `"quantity":10`, `"quantity":1e30`, 1), 422, "quantity"},
		{"quantity a string", strings.Replace(good(""), `"quantity":10`, `"quantity":"ten"`, 1), 422, "quantity"},
		{"unknown currency", good(`,"target_price":{"amount_minor":100,"currency":"XBT"}`), 422, "target_price.currency"},
		{"a price as a float", good(`,"target_price":{"amount_minor":1.5,"currency":"USD"}`), 422, "target_price.amount_minor"},
		{"incoterm FOO", strings.Replace(good(""), `"FOB"`, `"FOO"`, 1), 422, "incoterm"},
		{"country XX", strings.Replace(good(""), `"JP"`, `"XX"`, 1), 422, "destination_country"},
		{"wanted_by in the past", good(`,"wanted_by":"` + tradeDay(-2) + `"`), 422, "wanted_by"},
		{"wanted_by year 0001", good(`,"wanted_by":"0001-01-01"`), 422, "wanted_by"},
		{"wanted_by year 9999", good(`,"wanted_by":"9999-12-31"`), 422, "wanted_by"},
		{"NUL in the message", strings.Replace(good(""), `"Hello"`, `"Hel\u0000lo"`, 1), 422, "message"},
		{"message too long", strings.Replace(good(""), `"Hello"`, `"`+strings.Repeat("a", 5001)+`"`, 1), 422, "message"},
		{"product_id not a UUID", strings.Replace(good(""), c.product.ID.String(), "42", 1), 422, "product_id"},
		{"an unknown field", good(`,"status":"accepted"`), 422, "status"},
		{"a cut body", good("")[:40], 400, ""},
		{"not an object", `[1,2]`, 400, ""},
		{"unknown product", strings.Replace(good(""), c.product.ID.String(), uuid.NewString(), 1), 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := assertProblem(t, a.do(t, http.MethodPost, "/v1/inquiries", c.importer, tt.body), tt.status)
			if tt.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != tt.field) {
				t.Errorf("errors = %+v, want one for %s", p.Errors, tt.field)
			}
		})
	}
	t.Run("the MOQ is named", func(t *testing.T) {
		p := assertProblem(t, a.do(t, http.MethodPost, "/v1/inquiries", c.importer, strings.Replace(good(""), `"quantity":10`, `"quantity":1`, 1)), 422)
		if !strings.Contains(p.Errors[0].Message, "MOQ") || !strings.Contains(p.Errors[0].Message, "2") {
			t.Errorf("message = %q", p.Errors[0].Message)
		}
	})
	assertProblem(t, a.do(t, http.MethodPost, "/v1/inquiries", "", good("")), http.StatusUnauthorized)
	assertProblem(t, a.do(t, http.MethodPost, "/v1/inquiries", c.producer, good("")), http.StatusForbidden)
	var n int
	if err := a.db.Raw("SELECT count(*) FROM inquiries").Row().Scan(&n); err != nil || n != 0 {
		t.Errorf("%d inquiries stored by refused requests (%v)", n, err)
	}

	rec := a.do(t, http.MethodPost, "/v1/inquiries", c.importer, good(""))
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST /v1/inquiries = %d %s", rec.Code, rec.Body)
	}
	base := "/v1/inquiries/" + decode[inquiryDetailJSON](t, rec).ID.String()
	writes := []struct {
		name, path, token, body string
		status                  int
		field                   string
	}{
		{"NUL in a message", "/messages", c.importer, `{"body":"a\u0000b"}`, 422, "body"},
		{"an empty message", "/messages", c.importer, `{"body":"  "}`, 422, "body"},
		{"a message without a body", "/messages", c.importer, `{}`, 422, "body"},
		{"a cut message", "/messages", c.importer, `{"body":"ab`, 400, ""},
		{"a product_id on an inquiry's quote", "/quotes", c.producer, strings.Replace(quoteBody(100, "USD"), "{", `{"product_id":"`+c.product.ID.String()+`",`, 1), 422, "product_id"},
		{"a quote in GBP", "/quotes", c.producer, quoteBody(100, "GBP"), 422, "unit_price.currency"},
		{"a quote at 0", "/quotes", c.producer, quoteBody(0, "USD"), 422, "unit_price.amount_minor"},
		{"a quote without terms", "/quotes", c.producer, `{}`, 422, ""},
		{"a lead time of 366 days", "/quotes", c.producer, strings.Replace(quoteBody(100, "USD"), `"lead_time_days":45`, `"lead_time_days":366`, 1), 422, "lead_time_days"},
		{"a quote valid until yesterday", "/quotes", c.producer, strings.Replace(quoteBody(100, "USD"), tradeDay(30), tradeDay(-1), 1), 422, "valid_until"},
		{"NUL in a note", "/quotes", c.producer, strings.Replace(quoteBody(100, "USD"), "Indigo", `\u0000`, 1), 422, "note"},
		{"a close reason too long", "/close", c.importer, `{"reason":"` + strings.Repeat("r", 2001) + `"}`, 422, "reason"},
		{"a close with an unknown field", "/close", c.importer, `{"why":"x"}`, 422, "why"},
	}
	for _, tt := range writes {
		t.Run(tt.name, func(t *testing.T) {
			p := assertProblem(t, a.do(t, http.MethodPost, base+tt.path, tt.token, tt.body), tt.status)
			if tt.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != tt.field) {
				t.Errorf("errors = %+v, want one for %s", p.Errors, tt.field)
			}
			if tt.field == "" && tt.status == 422 && len(p.Errors) < 5 {
				t.Errorf("errors = %+v, want every missing term", p.Errors)
			}
		})
	}
	for _, query := range []string{"?status=lost", "?limit=0", "?limit=101", "?cursor=garbage", "?product=42", "?sort=new", "?status=open&status=closed"} {
		t.Run("GET /v1/inquiries"+query, func(t *testing.T) {
			assertProblem(t, a.do(t, http.MethodGet, "/v1/inquiries"+query, c.importer, ""), http.StatusBadRequest)
		})
	}
}

func TestRFQFlowOverHTTP(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	c := a.tradeCast(t)
	rival, _ := a.producer(t)
	rivalProduct := a.createProduct(t, rival)
	a.publish(t, rivalProduct.ID)
	outsider, _ := a.producer(t) // no published product

	body := fmt.Sprintf(`{"category":"textile","creative_industry":"crafts","region":"north","cluster":"upper-north-1",
		"province":"TH-51","quantity":500,"unit":"piece","description":"Silk scarves, natural dyes.",
		"target_price":{"amount_minor":2500,"currency":"USD"},"destination_country":"JP","closes_on":%q}`, tradeDay(14))
	rec := a.do(t, http.MethodPost, "/v1/rfqs", c.importer, body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST /v1/rfqs = %d %s", rec.Code, rec.Body)
	}
	rfq := decode[rfqDetailJSON](t, rec)
	if loc := rec.Header().Get("Location"); loc != "/v1/rfqs/"+rfq.ID.String() {
		t.Errorf("Location = %q", loc)
	}
	if rfq.Status != "open" || !rfq.AcceptingQuotes || rfq.Cluster == nil || *rfq.Cluster != "upper-north-1" || rfq.Province == nil ||
		rfq.ClosesOn != tradeDay(14) || len(rfq.Quotes) != 0 {
		t.Errorf("rfq = %s", rec.Body)
	}
	base := "/v1/rfqs/" + rfq.ID.String()
	for _, token := range []string{c.producer, rival} {
		rec := a.do(t, http.MethodGet, "/v1/rfqs", token, "")
		if list := decode[listReply[rfqJSON]](t, rec); rec.Code != http.StatusOK || len(list.Items) != 1 || list.Items[0].ID != rfq.ID {
			t.Errorf("a matching producer's list = %d %s", rec.Code, rec.Body)
		}
	}
	if list := decode[listReply[rfqJSON]](t, a.do(t, http.MethodGet, "/v1/rfqs", outsider, "")); len(list.Items) != 0 {
		t.Errorf("a producer without a matching product lists %+v", list.Items)
	}
	assertProblem(t, a.do(t, http.MethodGet, base, outsider, ""), http.StatusNotFound)

	quote := func(token string, product uuid.UUID, price int, currency string) quoteJSON {
		t.Helper()
		body := strings.Replace(quoteBody(price, currency), "{", `{"product_id":"`+product.String()+`",`, 1)
		rec := a.do(t, http.MethodPost, base+"/quotes", token, body)
		if rec.Code != http.StatusCreated {
			t.Fatalf("POST rfq quote = %d %s", rec.Code, rec.Body)
		}
		q := decode[quoteJSON](t, rec)
		if rec.Header().Get("Location") != "/v1/quotes/"+q.ID.String() || q.RFQID == nil || *q.RFQID != rfq.ID ||
			!strings.Contains(rec.Body.String(), `"inquiry_id":null`) {
			t.Errorf("quote = %s", rec.Body)
		}
		return q
	}
	quote(c.producer, c.product.ID, 30000, "USD")
	quote(rival, rivalProduct.ID, 1500000, "THB")
	quote(c.producer, c.product.ID, 2000000, "THB")

	rec = a.do(t, http.MethodGet, base+"?sort=price", c.importer, "")
	got := decode[rfqDetailJSON](t, rec)
	var order []string
	for _, q := range got.Quotes {
		order = append(order, fmt.Sprintf("%s %d", q.UnitPrice.Currency, q.UnitPrice.AmountMinor))
	}
	if rec.Code != http.StatusOK || strings.Join(order, ", ") != "THB 1500000, THB 2000000, USD 30000" {
		t.Errorf("side by side by price = %v (%d)", order, rec.Code)
	}
	rec = a.do(t, http.MethodGet, base, rival, "")
	if mine := decode[rfqDetailJSON](t, rec); rec.Code != http.StatusOK || len(mine.Quotes) != 1 || strings.Contains(rec.Body.String(), c.producerID.String()) {
		t.Errorf("the rival sees %s", rec.Body)
	}

	bad := []struct {
		name, method, target, token, body string
		status                            int
		field                             string
	}{
		{"an unknown sort", http.MethodGet, base + "?sort=cheapest", c.importer, "", 400, "sort"},
		{"another product's quote", http.MethodPost, base + "/quotes", c.producer,
			strings.Replace(quoteBody(100, "USD"), "{", `{"product_id":"`+rivalProduct.ID.String()+`",`, 1), 422, "product_id"},
		{"a quote without a product", http.MethodPost, base + "/quotes", c.producer, quoteBody(100, "USD"), 422, "product_id"},
		{"a quote by the importer", http.MethodPost, base + "/quotes", c.importer,
			strings.Replace(quoteBody(100, "USD"), "{", `{"product_id":"`+c.product.ID.String()+`",`, 1), 403, ""},
		{"an RFQ by a producer", http.MethodPost, "/v1/rfqs", c.producer, body, 403, ""},
		{"a province outside the cluster", http.MethodPost, "/v1/rfqs", c.importer, strings.Replace(body, "TH-51", "TH-57", 1), 422, "province"},
		{"a cluster outside the region", http.MethodPost, "/v1/rfqs", c.importer, strings.Replace(body, `"north"`, `"south"`, 1), 422, ""},
		{"closing today", http.MethodPost, "/v1/rfqs", c.importer, strings.Replace(body, tradeDay(14), tradeDay(0), 1), 422, "closes_on"},
		{"NUL in the description", http.MethodPost, "/v1/rfqs", c.importer, strings.Replace(body, "Silk", `\u0000`, 1), 422, "description"},
		{"a quantity of 2^31", http.MethodPost, "/v1/rfqs", c.importer, strings.Replace(body, "500", "2147483648", 1), 422, "quantity"},
		{"a cut RFQ", http.MethodPost, "/v1/rfqs", c.importer, body[:60], 400, ""},
		{"a status filter for producers", http.MethodGet, "/v1/rfqs?status=closed", c.producer, "", 400, "status"},
		{"an unknown status", http.MethodGet, "/v1/rfqs?status=won", c.importer, "", 400, "status"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			p := assertProblem(t, a.do(t, tt.method, tt.target, tt.token, tt.body), tt.status)
			if tt.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != tt.field) {
				t.Errorf("errors = %+v, want one for %s", p.Errors, tt.field)
			}
		})
	}
	var n int
	if err := a.db.Raw("SELECT count(*) FROM quotes").Row().Scan(&n); err != nil || n != 3 {
		t.Errorf("%d quotes stored, want 3 (%v)", n, err)
	}
}
