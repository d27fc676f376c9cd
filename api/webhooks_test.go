package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/webhook"
)

// testHosts answers lookups of the host names the webhook tests register
// and passes the others (localhost) to the system's resolver.
type testResolver map[string][]string

func testHosts() testResolver {
	return testResolver{
		"hooks.example.com":    {"93.184.215.14"},
		"erp.example.co.jp":    {"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"},
		"internal.example.com": {"10.1.2.3"},
		"nowhere.example.com":  {},
	}
}

func (h testResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	addrs, ok := h[host]
	if !ok {
		return net.DefaultResolver.LookupNetIP(ctx, network, host)
	}
	if len(addrs) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	out := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		out[i] = netip.MustParseAddr(a)
	}
	return out, nil
}

// redeliverPath is the documented template of the redeliver route, whose
// two ids documentedPath cannot tell apart.
const redeliverPath = "/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver"

// doAt is catalogAPI.do for a target whose documented path (template)
// documentedPath cannot work out.
func (a *catalogAPI) doAt(t *testing.T, method, target, template, token, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(context.Background(), method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	a.router.ServeHTTP(rec, req)
	a.assertDocumented(t, method, template, rec)
	return rec
}

// redeliver sends POST .../redeliver and checks the reply against the document.
func (a *catalogAPI) redeliver(t *testing.T, token string, webhookID, deliveryID, body string) *httptest.ResponseRecorder {
	t.Helper()
	return a.doAt(t, http.MethodPost, "/v1/webhooks/"+webhookID+"/deliveries/"+deliveryID+"/redeliver", redeliverPath, token, body)
}

// webhookEvent queues an event of the trade for user, as a trade change does.
func (a *catalogAPI) webhookEvent(t *testing.T, user uuid.UUID, typ string) {
	t.Helper()
	err := postgres.NewWebhooks(a.db).Enqueue(context.Background(), []webhook.Event{{Type: typ, SubjectType: "order",
		SubjectID: uuid.New(), Recipients: []uuid.UUID{user}, Data: map[string]any{"status": "placed"}}})
	if err != nil {
		t.Fatal(err)
	}
}

func (a *catalogAPI) userID(t *testing.T, token string) uuid.UUID {
	t.Helper()
	rec := a.do(t, http.MethodGet, "/v1/me", token, "")
	var me struct {
		ID uuid.UUID `json:"id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &me); err != nil || me.ID == uuid.Nil {
		t.Fatalf("/v1/me = %d %s", rec.Code, rec.Body)
	}
	return me.ID
}

func TestAnImporterRegistersAWebhookReadsItsLogAndRedelivers(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	importer := a.signUp(t, account.RoleImporter, "")
	stranger := a.signUp(t, account.RoleImporter, "")
	rec := a.do(t, http.MethodPost, "/v1/webhooks", importer,
		`{"url":"https://erp.example.co.jp/otop/events","events":["order.placed","quote.created"],"description":"Osaka ERP"}`)
	if rec.Code != http.StatusCreated || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("register = %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	created := decode[createdWebhookJSON](t, rec)
	if !strings.HasPrefix(created.Secret, "whsec_") || created.URL != "https://erp.example.co.jp/otop/events" ||
		strings.Join(created.Events, ",") != "order.placed,quote.created" || created.Description != "Osaka ERP" {
		t.Errorf("created %+v", created)
	}
	hook := created.ID.String()
	rec = a.do(t, http.MethodGet, "/v1/webhooks", importer, "")
	if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "whsec_") || len(decode[listReply[webhookJSON]](t, rec).Items) != 1 {
		t.Errorf("list = %d %s; want the endpoint without its secret", rec.Code, rec.Body)
	}
	if list := decode[listReply[webhookJSON]](t, a.do(t, http.MethodGet, "/v1/webhooks", stranger, "")); len(list.Items) != 0 {
		t.Errorf("another importer lists %d endpoints", len(list.Items))
	}

	me := a.userID(t, importer)
	a.webhookEvent(t, me, "order.placed")
	a.webhookEvent(t, me, "order.shipped") // not subscribed to
	rec = a.do(t, http.MethodGet, "/v1/webhooks/"+hook+"/deliveries", importer, "")
	log := decode[listReply[deliveryJSON]](t, rec)
	if rec.Code != http.StatusOK || len(log.Items) != 1 {
		t.Fatalf("deliveries = %d %s", rec.Code, rec.Body)
	}
	d := log.Items[0]
	if d.Status != "pending" || d.EventType != "order.placed" || d.Attempts != 0 || d.NextAttemptAt == nil ||
		d.LastError != nil || d.LastStatusCode != nil || d.WebhookID != created.ID {
		t.Errorf("a new delivery: %s", rec.Body)
	}
	if rec := a.redeliver(t, importer, hook, d.ID.String(), ""); rec.Code != http.StatusConflict {
		t.Errorf("redeliver while pending = %d %s, want 409", rec.Code, rec.Body)
	}
	// The worker gave up on it.
	if err := a.db.Exec(`UPDATE webhook_deliveries SET status = 'failed', attempts = 31, last_status_code = 503,
		last_error = 'answered 503' WHERE id = ?`, d.ID).Error; err != nil {
		t.Fatal(err)
	}
	rec = a.redeliver(t, importer, hook, d.ID.String(), "{}")
	again := decode[deliveryJSON](t, rec)
	if rec.Code != http.StatusAccepted || again.ID == d.ID || again.EventID != d.EventID || again.Status != "pending" ||
		again.RedeliveryOf == nil || *again.RedeliveryOf != d.ID {
		t.Fatalf("redeliver = %d %s", rec.Code, rec.Body)
	}
	rec = a.do(t, http.MethodGet, "/v1/webhooks/"+hook+"/deliveries?status=failed&limit=1", importer, "")
	log = decode[listReply[deliveryJSON]](t, rec)
	if len(log.Items) != 1 || log.Items[0].ID != d.ID || *log.Items[0].LastError != "answered 503" || *log.Items[0].LastStatusCode != 503 ||
		log.Items[0].NextAttemptAt != nil || log.NextCursor != nil {
		t.Errorf("failed deliveries = %s", rec.Body)
	}
	rec = a.do(t, http.MethodGet, "/v1/webhooks/"+hook+"/deliveries?limit=1", importer, "")
	log = decode[listReply[deliveryJSON]](t, rec)
	if len(log.Items) != 1 || log.Items[0].ID != again.ID || log.NextCursor == nil {
		t.Fatalf("first page = %s", rec.Body)
	}
	rec = a.do(t, http.MethodGet, "/v1/webhooks/"+hook+"/deliveries?limit=1&cursor="+*log.NextCursor, importer, "")
	if log := decode[listReply[deliveryJSON]](t, rec); len(log.Items) != 1 || log.Items[0].ID != d.ID || log.NextCursor != nil {
		t.Errorf("second page = %s", rec.Body)
	}

	for _, path := range []string{"/v1/webhooks/" + hook, "/v1/webhooks/" + hook + "/deliveries"} {
		method := map[bool]string{true: http.MethodDelete, false: http.MethodGet}[path == "/v1/webhooks/"+hook]
		if rec := a.do(t, method, path, stranger, ""); rec.Code != http.StatusNotFound {
			t.Errorf("another importer: %s %s = %d, want 404", method, path, rec.Code)
		}
	}
	if rec := a.redeliver(t, stranger, hook, d.ID.String(), ""); rec.Code != http.StatusNotFound {
		t.Errorf("another importer redelivers = %d, want 404", rec.Code)
	}
	if rec := a.do(t, http.MethodDelete, "/v1/webhooks/"+hook, importer, ""); rec.Code != http.StatusNoContent {
		t.Fatalf("delete = %d %s", rec.Code, rec.Body)
	}
	if rec := a.do(t, http.MethodGet, "/v1/webhooks/"+hook+"/deliveries", importer, ""); rec.Code != http.StatusNotFound {
		t.Errorf("the log of a deleted endpoint = %d, want 404", rec.Code)
	}
	var left int64
	if err := a.db.Table("webhook_deliveries").Count(&left).Error; err != nil || left != 0 {
		t.Errorf("%d deliveries left after the deletion", left)
	}
}

func TestWebhookRoutesRefuseBadInput(t *testing.T) {
	t.Parallel()
	a := newCatalogAPI(t)
	producer := a.signUp(t, account.RoleProducer, "")
	full := a.signUp(t, account.RoleImporter, "")
	for i := range webhook.MaxEndpoints {
		if rec := a.do(t, http.MethodPost, "/v1/webhooks", full, fmt.Sprintf(`{"url":"https://hooks.example.com/%d"}`, i)); rec.Code != http.StatusCreated {
			t.Fatalf("endpoint %d = %d %s", i, rec.Code, rec.Body)
		}
	}
	rec := a.do(t, http.MethodPost, "/v1/webhooks", producer, `{"url":"https://hooks.example.com/in"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("register = %d %s", rec.Code, rec.Body)
	}
	hook := decode[createdWebhookJSON](t, rec).ID.String()
	a.webhookEvent(t, a.userID(t, producer), "order.placed")
	var delivery string
	if err := a.db.Raw("SELECT id::text FROM webhook_deliveries").Row().Scan(&delivery); err != nil {
		t.Fatal(err)
	}
	if err := a.db.Exec("UPDATE webhook_deliveries SET status = 'failed'").Error; err != nil {
		t.Fatal(err)
	}
	create := func(url string) string { return `{"url":"` + url + `"}` }
	cases := []struct {
		name, token, method, path, body, contentType string
		want                                         int
		field                                        string
	}{
		{"NUL in the url", producer, http.MethodPost, "/v1/webhooks", create(`https://hooks.example.com/\u0000`), "", 422, "url"},
		{"control character in the description", producer, http.MethodPost, "/v1/webhooks", `{"url":"https://hooks.example.com/x","description":"a\u0007b"}`, "", 422, "description"},
		{"overlong url", producer, http.MethodPost, "/v1/webhooks", create("https://hooks.example.com/" + strings.Repeat("a", 2000)), "", 422, "url"},
		{"overlong description", producer, http.MethodPost, "/v1/webhooks", `{"url":"https://hooks.example.com/x","description":"` + strings.Repeat("d", 201) + `"}`, "", 422, "description"},
		{"ftp://", producer, http.MethodPost, "/v1/webhooks", create("ftp://hooks.example.com/in"), "", 422, "url"},
		{"http:// without the flag", producer, http.MethodPost, "/v1/webhooks", create("http://hooks.example.com/in"), "", 422, "url"},
		{"not a URL", producer, http.MethodPost, "/v1/webhooks", create("hooks.example.com"), "", 422, "url"},
		{"user and password", producer, http.MethodPost, "/v1/webhooks", create("https://u:p@hooks.example.com/in"), "", 422, "url"},
		{"10.0.0.1", producer, http.MethodPost, "/v1/webhooks", create("https://10.0.0.1/in"), "", 422, "url"},
		{"127.0.0.1", producer, http.MethodPost, "/v1/webhooks", create("https://127.0.0.1:8443/in"), "", 422, "url"},
		{"[::1]", producer, http.MethodPost, "/v1/webhooks", create("https://[::1]/in"), "", 422, "url"},
		{"169.254.169.254", producer, http.MethodPost, "/v1/webhooks", create("https://169.254.169.254/latest/meta-data/"), "", 422, "url"},
		{"localhost", producer, http.MethodPost, "/v1/webhooks", create("https://localhost/in"), "", 422, "url"},
		{"a name resolving to a private address", producer, http.MethodPost, "/v1/webhooks", create("https://internal.example.com/in"), "", 422, "url"},
		{"a name that does not resolve", producer, http.MethodPost, "/v1/webhooks", create("https://nowhere.example.com/in"), "", 422, "url"},
		{"no url", producer, http.MethodPost, "/v1/webhooks", `{"events":["order.placed"]}`, "", 422, "url"},
		{"unknown event", producer, http.MethodPost, "/v1/webhooks", `{"url":"https://hooks.example.com/x","events":["order.lost"]}`, "", 422, "events[0]"},
		{"an event twice", producer, http.MethodPost, "/v1/webhooks", `{"url":"https://hooks.example.com/x","events":["order.placed","order.placed"]}`, "", 422, "events[1]"},
		{"events not a list", producer, http.MethodPost, "/v1/webhooks", `{"url":"https://hooks.example.com/x","events":"order.placed"}`, "", 422, "events"},
		{"the secret", producer, http.MethodPost, "/v1/webhooks", `{"url":"https://hooks.example.com/x","secret":"whsec_mine"}`, "", 422, "secret"},
		{"a cut body", producer, http.MethodPost, "/v1/webhooks", `{"url":"https://hooks.exa`, "", 400, ""},
		{"an empty body", producer, http.MethodPost, "/v1/webhooks", ` `, "", 400, ""},
		{"not JSON", producer, http.MethodPost, "/v1/webhooks", `url=https://hooks.example.com/x`, "application/x-www-form-urlencoded", 415, ""},
		{"the same URL twice", producer, http.MethodPost, "/v1/webhooks", create("https://hooks.example.com/in"), "", 409, ""},
		{"an eleventh endpoint", full, http.MethodPost, "/v1/webhooks", create("https://hooks.example.com/eleven"), "", 409, ""},
		{"list: a query parameter", producer, http.MethodGet, "/v1/webhooks?limit=5", "", "", 400, "limit"},
		{"deliveries: limit too high", producer, http.MethodGet, "/v1/webhooks/" + hook + "/deliveries?limit=101", "", "", 400, "limit"},
		{"deliveries: limit not a number", producer, http.MethodGet, "/v1/webhooks/" + hook + "/deliveries?limit=ten", "", "", 400, "limit"},
		{"deliveries: unknown status", producer, http.MethodGet, "/v1/webhooks/" + hook + "/deliveries?status=lost", "", "", 400, "status"},
		{"deliveries: bad cursor", producer, http.MethodGet, "/v1/webhooks/" + hook + "/deliveries?cursor=abc", "", "", 400, "cursor"},
		{"deliveries: unknown parameter", producer, http.MethodGet, "/v1/webhooks/" + hook + "/deliveries?sort=old", "", "", 400, "sort"},
		{"deliveries: NUL in a parameter", producer, http.MethodGet, "/v1/webhooks/" + hook + "/deliveries?status=%00", "", "", 400, "status"},
		{"delete: unknown", producer, http.MethodDelete, "/v1/webhooks/" + uuid.NewString(), "", "", 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var rec *httptest.ResponseRecorder
			if c.contentType != "" {
				rec = a.do(t, c.method, c.path, c.token, c.body, "Content-Type", c.contentType)
			} else {
				rec = a.do(t, c.method, c.path, c.token, c.body)
			}
			p := assertProblem(t, rec, c.want)
			if c.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != c.field) {
				t.Errorf("problem %s, want one about %s", rec.Body, c.field)
			}
		})
	}
	for _, c := range []struct{ method, target, template string }{
		{http.MethodGet, "/v1/webhooks/nope/deliveries", "/v1/webhooks/{id}/deliveries"},
		{http.MethodDelete, "/v1/webhooks/nope", "/v1/webhooks/{id}"},
	} {
		t.Run(c.method+" "+c.target, func(t *testing.T) {
			assertProblem(t, a.doAt(t, c.method, c.target, c.template, producer, ""), http.StatusNotFound)
		})
	}
	redeliveries := []struct {
		name, hook, delivery, body string
		want                       int
	}{
		{"an unknown field", hook, delivery, `{"now":true}`, 422},
		{"a cut body", hook, delivery, `{"`, 400},
		{"NUL in a key", hook, delivery, `{"\u0000":1}`, 422},
		{"a delivery id that is no UUID", hook, "nope", "", 404},
		{"an unknown delivery", hook, uuid.NewString(), "", 404},
		{"a delivery of another endpoint", uuid.NewString(), delivery, "", 404},
	}
	for _, c := range redeliveries {
		t.Run("redeliver: "+c.name, func(t *testing.T) {
			assertProblem(t, a.redeliver(t, producer, c.hook, c.delivery, c.body), c.want)
		})
	}
	var endpoints, deliveries int64
	if err := a.db.Table("webhooks").Count(&endpoints).Error; err != nil || endpoints != int64(webhook.MaxEndpoints+1) {
		t.Errorf("%d endpoints stored, want %d", endpoints, webhook.MaxEndpoints+1)
	}
	if err := a.db.Table("webhook_deliveries").Count(&deliveries).Error; err != nil || deliveries != 1 {
		t.Errorf("%d deliveries, want the one: refused redeliveries queue nothing", deliveries)
	}
}

// ---------------------------------------------------------------------------
// The authorization matrix's webhooks

// mxWebhookOwners is a webhook route: ownerCode for the endpoint's owner
// (the matrix's owner), othersCode for the other producers and importers,
// 403 for staff, 401 for anonymous callers.
func mxWebhookOwners(ownerCode, othersCode int) mxWant {
	return mxByActor(map[mxActor]int{mxAnonymous: http.StatusUnauthorized, mxOwner: ownerCode, mxOtherProducer: othersCode,
		mxImporter: othersCode, mxCurator: http.StatusForbidden, mxFarCurator: http.StatusForbidden, mxAdmin: http.StatusForbidden})
}

// mxUserID is the user id of an actor of the matrix.
func mxUserID(w *mxWorld, a mxActor) uuid.UUID {
	var id uuid.UUID
	_ = w.a.db.Raw("SELECT id FROM users WHERE email = ?", w.accounts[a].email).Row().Scan(&id)
	return id
}

// mxWebhookIDs are the owner's endpoint that the matrix reads and
// redelivers from and its one failed delivery: made on first use (by
// whichever row comes first), named after the owner so every row finds them.
func mxWebhookIDs(w *mxWorld) (endpoint, delivery uuid.UUID) {
	owner := mxUserID(w, mxOwner)
	endpoint, delivery = uuid.NewSHA1(owner, []byte("matrix webhook")), uuid.NewSHA1(owner, []byte("matrix delivery"))
	_ = w.a.db.Exec(`INSERT INTO webhooks (id, user_id, url, secret) VALUES (?, ?, 'https://hooks.example.com/matrix', ?)
		ON CONFLICT DO NOTHING`, endpoint, owner, "whsec_"+strings.Repeat("m", 43)).Error
	_ = w.a.db.Exec(`INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, body, status, attempts,
		last_status_code, last_error) VALUES (?, ?, ?, 'order.placed', '{}', 'failed', 30, 500, 'answered 500')
		ON CONFLICT DO NOTHING`, delivery, endpoint, uuid.New()).Error
	return endpoint, delivery
}

func mxWebhookID(w *mxWorld) string {
	id, _ := mxWebhookIDs(w)
	return id.String()
}

func mxWebhookDelivery(c mxCell) map[string]string {
	_, id := mxWebhookIDs(c.w)
	return map[string]string{"delivery_id": id.String()}
}

// mxFreshWebhook registers an endpoint of the owner for a cell to delete.
func mxFreshWebhook(t *testing.T, w *mxWorld) (string, string) {
	t.Helper()
	rec := w.must(t, http.StatusCreated, mxRequest{method: http.MethodPost, target: "/v1/webhooks", token: w.token(mxOwner),
		body: []byte(`{"url":"https://hooks.example.com/delete-me/` + uuid.NewString() + `"}`)})
	return decode[webhookJSON](t, rec).ID.String(), ""
}
