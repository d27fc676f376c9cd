package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/webhook"
)

// receivedHook is one webhook delivery as a receiver got it.
type receivedHook struct {
	path, event, signature string
	body                   []byte
}

// TestAnImporterGoesFromASearchHitToADeliveredOrder is the trade end to
// end over HTTP: a search hit, an inquiry, a quote, its acceptance (an
// order), the producer's confirmation and shipment and the importer's
// receipt, each step told to the other party in its notifications and in a
// webhook delivery that verifies with the endpoint's secret.
func TestAnImporterGoesFromASearchHitToADeliveredOrder(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	producer, _ := a.producer(t)
	product := a.createProduct(t, producer)
	a.publish(t, product.ID)
	importer := a.signUp(t, account.RoleImporter, "")

	// Both parties register an endpoint; the receiver is a TLS server on
	// loopback, so the registered (public) URLs are pointed at it after.
	var (
		mu       sync.Mutex
		received []receivedHook
	)
	receiver := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		received = append(received, receivedHook{path: r.URL.Path, event: r.Header.Get("Otop-Event"),
			signature: r.Header.Get("Otop-Signature"), body: body})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer receiver.Close()
	secrets := map[string]string{}
	for who, token := range map[string]string{"producer": producer, "importer": importer} {
		rec := a.do(t, http.MethodPost, "/v1/webhooks", token, `{"url":"https://hooks.example.com/`+who+`","events":[]}`)
		if rec.Code != http.StatusCreated {
			t.Fatalf("register %s's webhook = %d %s", who, rec.Code, rec.Body)
		}
		var hook struct {
			ID     uuid.UUID `json:"id"`
			Secret string    `json:"secret"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &hook); err != nil {
			t.Fatal(err)
		}
		secrets["/"+who] = hook.Secret
		if err := a.db.Exec("UPDATE webhooks SET url = ? WHERE id = ?", receiver.URL+"/"+who, hook.ID).Error; err != nil {
			t.Fatal(err)
		}
	}

	// The hit.
	a.drain(t)
	if found := decode[searchReply](t, a.do(t, http.MethodGet, "/v1/search?q=brocade", "", "")); found.Total != 1 || found.Hits[0].ID != product.ID.String() {
		t.Fatalf("search for the product: %+v", found)
	}

	step := func(name, token, method, target, body string, want int, headers ...string) []byte {
		t.Helper()
		rec := a.do(t, method, target, token, body, headers...)
		if rec.Code != want {
			t.Fatalf("%s = %d, want %d: %s", name, rec.Code, want, rec.Body)
		}
		return rec.Body.Bytes()
	}
	var inquiry struct {
		ID uuid.UUID `json:"id"`
	}
	_ = json.Unmarshal(step("inquiry", importer, http.MethodPost, "/v1/inquiries",
		`{"product_id":"`+product.ID.String()+`","quantity":40,"incoterm":"CIF","destination_country":"JP",`+
			`"message":"Could you pack them for sea freight to Osaka?"}`, http.StatusCreated), &inquiry)
	step("reply", producer, http.MethodPost, "/v1/inquiries/"+inquiry.ID.String()+"/messages",
		`{"body":"Yes: ten a carton, cartons on a pallet."}`, http.StatusCreated)
	var quote struct {
		ID uuid.UUID `json:"id"`
	}
	_ = json.Unmarshal(step("quote", producer, http.MethodPost, "/v1/inquiries/"+inquiry.ID.String()+"/quotes",
		`{"unit_price":{"amount_minor":12500,"currency":"USD"},"min_quantity":30,"incoterm":"CIF","lead_time_days":40,`+
			`"valid_until":"`+time.Now().AddDate(0, 1, 0).Format(time.DateOnly)+`"}`, http.StatusCreated), &quote)
	placed := decode[placementJSON](t, a.do(t, http.MethodPost, "/v1/quotes/"+quote.ID.String()+"/accept", importer, `{}`,
		"Idempotency-Key", uuid.NewString()))
	if len(placed.Orders) != 1 || placed.Orders[0].Total.AmountMinor != 40*12500 || placed.Orders[0].Total.Currency != "USD" {
		t.Fatalf("the accepted quote's order: %+v", placed)
	}
	order := "/v1/orders/" + placed.Orders[0].ID.String()
	step("confirm", producer, http.MethodPost, order+"/confirm", "", http.StatusOK, "If-Match", `"1"`)
	step("ship", producer, http.MethodPost, order+"/ship", `{"carrier":"Kerry Express","tracking_number":"KEX0012345"}`,
		http.StatusOK, "If-Match", `"2"`)
	step("deliver", importer, http.MethodPost, order+"/deliver", "", http.StatusOK, "If-Match", `"3"`)

	// Each party's feed holds the steps the other took.
	kinds := func(token string) []string {
		var feed listReply[struct {
			Kind string `json:"kind"`
		}]
		_ = json.Unmarshal(step("notifications", token, http.MethodGet, "/v1/notifications?limit=100", "", http.StatusOK), &feed)
		var out []string
		for _, n := range feed.Items {
			out = append(out, n.Kind)
		}
		return out
	}
	for who, want := range map[string][]string{
		producer: {"inquiry_received", "quote_accepted", "order_placed", "order_delivered"},
		importer: {"inquiry_message", "quote_received", "order_confirmed", "order_shipped"},
	} {
		got := kinds(who)
		for _, k := range want {
			if !slices.Contains(got, k) {
				t.Errorf("a feed lacks %s: %v", k, got)
			}
		}
	}

	// The deliveries: signed, one per event of each party.
	worker := webhook.NewWorker(postgres.NewWebhooks(a.db), webhook.WorkerOptions{AllowPrivate: true, Client: receiver.Client()})
	for range 10 {
		n, err := worker.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	want := map[string][]string{
		"/producer": {webhook.EventInquiryCreated, webhook.EventQuoteAccepted, webhook.EventOrderPlaced, webhook.EventOrderDelivered},
		"/importer": {webhook.EventInquiryMessage, webhook.EventQuoteCreated, webhook.EventOrderConfirmed, webhook.EventOrderShipped},
	}
	got := map[string][]string{}
	mu.Lock()
	defer mu.Unlock()
	for _, h := range received {
		if err := webhook.Verify(secrets[h.path], h.signature, h.body, time.Now(), 5*time.Minute); err != nil {
			t.Errorf("%s delivery to %s does not verify: %v", h.event, h.path, err)
		}
		got[h.path] = append(got[h.path], h.event)
	}
	for path, events := range want {
		for _, e := range events {
			if !slices.Contains(got[path], e) {
				t.Errorf("%s received %v, lacking %s", path, got[path], e)
			}
		}
	}
}
