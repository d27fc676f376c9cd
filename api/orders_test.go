package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// orderFixture is a published product (made to order, MOQ 2, 4,500.00 THB,
// 4,200.00 from 10) and an importer's token.
func orderFixture(t *testing.T) (a *catalogAPI, producer, importer string, product productJSON) {
	t.Helper()
	a = newCatalogAPI(t)
	producer, _ = a.producer(t)
	product = a.createProduct(t, producer)
	a.publish(t, product.ID)
	importer = a.signUp(t, "importer", "")
	return a, producer, importer, product
}

func orderBody(product uuid.UUID, quantity string) string {
	return `{"lines":[{"product_id":"` + product.String() + `","quantity":` + quantity + `}],"destination_country":"JP","incoterm":"FOB","note":"Pack in tens."}`
}

func TestAnOrderGoesFromPlacedToDeliveredOverHTTP(t *testing.T) {
	t.Parallel()
	a, producer, importer, product := orderFixture(t)

	rec := a.do(t, http.MethodPost, "/v1/orders", importer, orderBody(product.ID, "12"), "Idempotency-Key", "order-flow-1")
	if rec.Code != http.StatusCreated {
		t.Fatalf("place = %d: %s", rec.Code, rec.Body)
	}
	placed := decode[placementJSON](t, rec)
	if len(placed.Orders) != 1 || rec.Header().Get("Location") != "/v1/orders?group="+placed.GroupID.String() {
		t.Fatalf("placement %+v, Location %q", placed, rec.Header().Get("Location"))
	}
	o := placed.Orders[0]
	if o.Lines[0].UnitPrice.AmountMinor != 420000 || o.Total.AmountMinor != 12*420000 || o.Status != "placed" ||
		o.ProducerID != product.ProducerID || o.Note != "Pack in tens." {
		t.Errorf("order %+v", o)
	}

	replay := a.do(t, http.MethodPost, "/v1/orders", importer, orderBody(product.ID, "12"), "Idempotency-Key", "order-flow-1")
	if rec.Header().Get("Idempotent-Replayed") != "false" {
		t.Errorf("a first placement says Idempotent-Replayed: %q", rec.Header().Get("Idempotent-Replayed"))
	}
	if replay.Code != http.StatusCreated || replay.Header().Get("Idempotent-Replayed") != "true" ||
		decode[placementJSON](t, replay).Orders[0].ID != o.ID {
		t.Errorf("replay = %d %q: %s", replay.Code, replay.Header().Get("Idempotent-Replayed"), replay.Body)
	}
	assertProblem(t, a.do(t, http.MethodPost, "/v1/orders", importer, orderBody(product.ID, "13"), "Idempotency-Key", "order-flow-1"),
		http.StatusUnprocessableEntity)

	path := "/v1/orders/" + o.ID.String()
	rec = a.do(t, http.MethodGet, path, producer, "")
	if rec.Code != http.StatusOK || rec.Header().Get("ETag") != `"1"` {
		t.Fatalf("producer reads the order: %d, ETag %q", rec.Code, rec.Header().Get("ETag"))
	}
	assertProblem(t, a.do(t, http.MethodPost, path+"/confirm", producer, ""), http.StatusPreconditionRequired)
	assertProblem(t, a.do(t, http.MethodPost, path+"/confirm", producer, "", "If-Match", `"7"`), http.StatusPreconditionFailed)
	assertProblem(t, a.do(t, http.MethodPost, path+"/ship", producer, `{"carrier":"EMS","tracking_number":"EE1TH"}`, "If-Match", `"1"`),
		http.StatusConflict)
	steps := []struct{ token, action, body string }{
		{producer, "confirm", ""},
		{producer, "ship", `{"carrier":"Thailand Post EMS","tracking_number":"EE123456789TH"}`},
		{importer, "deliver", "{}"},
	}
	version := 1
	for _, s := range steps {
		rec := a.do(t, http.MethodPost, path+"/"+s.action, s.token, s.body, "If-Match", etag(version))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s = %d: %s", s.action, rec.Code, rec.Body)
		}
		version = decode[orderJSON](t, rec).Version
	}
	pdf := a.do(t, http.MethodGet, path+"/proforma.pdf", importer, "")
	if pdf.Code != http.StatusOK || pdf.Header().Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.Body.String(), "%PDF-") {
		t.Errorf("proforma = %d %q: %.40q", pdf.Code, pdf.Header().Get("Content-Type"), pdf.Body.String())
	}
	assertProblem(t, a.do(t, http.MethodGet, path+"/proforma.pdf", a.signUp(t, "importer", ""), ""), http.StatusNotFound)
	final := decode[orderJSON](t, a.do(t, http.MethodGet, path, importer, ""))
	if final.Status != "delivered" || final.Carrier == nil || *final.Carrier != "Thailand Post EMS" || final.DeliveredAt == nil {
		t.Errorf("final order %+v", final)
	}
	list := decode[listReply[orderJSON]](t, a.do(t, http.MethodGet, "/v1/orders?status=delivered", producer, ""))
	if len(list.Items) != 1 || list.Items[0].ID != o.ID {
		t.Errorf("producer's delivered orders: %+v", list.Items)
	}
	notes := decode[listReply[map[string]any]](t, a.do(t, http.MethodGet, "/v1/notifications", importer, ""))
	if len(notes.Items) < 2 {
		t.Errorf("importer has %d notifications after confirm and ship", len(notes.Items))
	}
}

func TestOrderRoutesRefuseBadInput(t *testing.T) {
	t.Parallel()
	a, producer, importer, product := orderFixture(t)
	id := product.ID.String()
	key := func() []string { return []string{"Idempotency-Key", uuid.NewString()} }
	cases := []struct {
		name    string
		body    string
		headers []string
		want    int
		field   string
	}{
		{"no Idempotency-Key", orderBody(product.ID, "2"), nil, http.StatusBadRequest, ""},
		{"an overlong key", orderBody(product.ID, "2"), []string{"Idempotency-Key", strings.Repeat("k", 256)}, http.StatusUnprocessableEntity, "Idempotency-Key"},
		{"below the MOQ", orderBody(product.ID, "1"), key(), http.StatusUnprocessableEntity, "lines[0].quantity"},
		{"zero", orderBody(product.ID, "0"), key(), http.StatusUnprocessableEntity, "lines[0].quantity"},
		{"negative", orderBody(product.ID, "-5"), key(), http.StatusUnprocessableEntity, "lines[0].quantity"},
		{"beyond the limit", orderBody(product.ID, "99999999999"), key(), http.StatusUnprocessableEntity, "lines[0].quantity"},
		{"beyond int64", orderBody(product.ID, "99999999999999999999"), key(), http.StatusUnprocessableEntity, "lines.quantity"},
		{"a fraction", orderBody(product.ID, "2.5"), key(), http.StatusUnprocessableEntity, "lines.quantity"},
		{"a string", orderBody(product.ID, `"2"`), key(), http.StatusUnprocessableEntity, "lines.quantity"},
		{"NUL in the note", `{"lines":[{"product_id":"` + id + `","quantity":2}],"destination_country":"JP","incoterm":"FOB","note":"a\u0000b"}`,
			key(), http.StatusUnprocessableEntity, "note"},
		{"unknown country", `{"lines":[{"product_id":"` + id + `","quantity":2}],"destination_country":"XX","incoterm":"FOB"}`,
			key(), http.StatusUnprocessableEntity, "destination_country"},
		{"unknown incoterm", `{"lines":[{"product_id":"` + id + `","quantity":2}],"destination_country":"JP","incoterm":"FOBB"}`,
			key(), http.StatusUnprocessableEntity, "incoterm"},
		{"an unknown field", `{"lines":[{"product_id":"` + id + `","quantity":2,"unit_price":1}],"destination_country":"JP","incoterm":"FOB"}`,
			key(), http.StatusUnprocessableEntity, ""},
		{"a cut body", `{"lines":[{"product_id":"` + id + `","quan`, key(), http.StatusBadRequest, ""},
		{"not a product id", `{"lines":[{"product_id":"silk","quantity":2}],"destination_country":"JP","incoterm":"FOB"}`, key(), http.StatusBadRequest, ""},
		{"51 lines", `{"lines":[` + strings.Repeat(`{"product_id":"`+uuid.NewString()+`","quantity":2},`, 50) +
			`{"product_id":"` + id + `","quantity":2}],"destination_country":"JP","incoterm":"FOB"}`, key(), http.StatusUnprocessableEntity, "lines"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pr := assertProblem(t, a.do(t, http.MethodPost, "/v1/orders", importer, tc.body, tc.headers...), tc.want)
			if tc.field != "" && (len(pr.Errors) == 0 || pr.Errors[0].Field != tc.field) {
				t.Errorf("errors = %+v, want the first naming %s", pr.Errors, tc.field)
			}
		})
	}
	list := decode[listReply[orderJSON]](t, a.do(t, http.MethodGet, "/v1/orders", importer, ""))
	if len(list.Items) != 0 {
		t.Errorf("refused requests placed %d orders", len(list.Items))
	}

	placed := decode[placementJSON](t, a.do(t, http.MethodPost, "/v1/orders", importer, orderBody(product.ID, "2"), key()...))
	path := "/v1/orders/" + placed.Orders[0].ID.String()
	transitions := []struct {
		name, token, target, body string
		want                      int
		field                     string
	}{
		{"ship without a carrier", producer, path + "/ship", `{"tracking_number":"1"}`, http.StatusUnprocessableEntity, "carrier"},
		{"NUL in the tracking number", producer, path + "/ship", `{"carrier":"DHL","tracking_number":"1\u00002"}`, http.StatusUnprocessableEntity, "tracking_number"},
		{"a producer's cancel needs a reason", producer, path + "/cancel", `{}`, http.StatusUnprocessableEntity, "reason"},
		{"an overlong reason", producer, path + "/cancel", `{"reason":"` + strings.Repeat("r", 2001) + `"}`, http.StatusUnprocessableEntity, "reason"},
		{"a confirm body must be empty", producer, path + "/confirm", `{"status":"shipped"}`, http.StatusUnprocessableEntity, ""},
		{"a cut body", producer, path + "/cancel", `{"reason":"too`, http.StatusBadRequest, ""},
		{"a malformed If-Match", producer, path + "/confirm", "", http.StatusBadRequest, ""},
	}
	for _, tc := range transitions {
		t.Run(tc.name, func(t *testing.T) {
			ifm := `"1"`
			if tc.name == "a malformed If-Match" {
				ifm = `"1`
			}
			pr := assertProblem(t, a.do(t, http.MethodPost, tc.target, tc.token, tc.body, "If-Match", ifm), tc.want)
			if tc.field != "" && (len(pr.Errors) == 0 || pr.Errors[0].Field != tc.field) {
				t.Errorf("errors = %+v, want the first naming %s", pr.Errors, tc.field)
			}
		})
	}
	if got := decode[orderJSON](t, a.do(t, http.MethodGet, path, importer, "")); got.Status != "placed" || got.Version != 1 {
		t.Errorf("refused transitions changed the order: %s, version %d", got.Status, got.Version)
	}
	for _, q := range []string{"?status=lost", "?limit=0", "?limit=101", "?cursor=nope", "?producer=x", "?group=1", "?colour=red"} {
		assertProblem(t, a.do(t, http.MethodGet, "/v1/orders"+q, importer, ""), http.StatusBadRequest)
	}
}

func TestStockShowsOnTheProductAndOrdersLowerIt(t *testing.T) {
	t.Parallel()
	a, producer, importer, product := orderFixture(t)
	path := "/v1/products/" + product.ID.String()
	rec := a.do(t, http.MethodPatch, path, producer, `{"stock":3,"sku":"LP-BROCADE-01"}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("set stock = %d: %s", rec.Code, rec.Body)
	}
	if got := decode[productJSON](t, rec); got.Status != "published" || got.Stock == nil || *got.Stock != 3 {
		t.Errorf("after setting stock: status %s, stock %v", got.Status, got.Stock)
	}
	// Anonymous readers see the stock (and its change after an order, past the cache).
	if got := decode[productJSON](t, a.do(t, http.MethodGet, path, "", "")); got.Stock == nil || *got.Stock != 3 || got.SKU == nil {
		t.Errorf("public product stock %v, sku %v", got.Stock, got.SKU)
	}
	if rec := a.do(t, http.MethodPost, "/v1/orders", importer, orderBody(product.ID, "2"), "Idempotency-Key", "stock-1"); rec.Code != http.StatusCreated {
		t.Fatalf("order 2 of 3 = %d: %s", rec.Code, rec.Body)
	}
	pr := assertProblem(t, a.do(t, http.MethodPost, "/v1/orders", importer, orderBody(product.ID, "2"), "Idempotency-Key", "stock-2"), http.StatusConflict)
	if !strings.Contains(pr.Detail, "available: 1") {
		t.Errorf("out-of-stock detail %q does not say what is available", pr.Detail)
	}
	if got := decode[productJSON](t, a.do(t, http.MethodGet, path, "", "")); got.Stock == nil || *got.Stock != 1 {
		t.Errorf("public stock after an order of 2 from 3: %v", got.Stock)
	}
	for _, body := range []string{`{"stock":-1}`, `{"stock":1000000001}`, `{"sku":"has space"}`} {
		assertProblem(t, a.do(t, http.MethodPatch, path, producer, body), http.StatusUnprocessableEntity)
	}
}
