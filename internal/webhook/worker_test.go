package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/webhook"
)

// received is one request as the receiver saw it.
type received struct {
	event, eventID, deliveryID, signature, contentType string
	body                                               []byte
}

// receiver is a real HTTPS server that answers the statuses it is told, in
// turn (the last one for ever after), and keeps what it received.
type receiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	statuses []int
	got      []received
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	t.Helper()
	r := &receiver{statuses: statuses}
	r.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{event: req.Header.Get("Otop-Event"), eventID: req.Header.Get("Otop-Event-Id"),
			deliveryID: req.Header.Get("Otop-Delivery-Id"), signature: req.Header.Get("Otop-Signature"),
			contentType: req.Header.Get("Content-Type"), body: body})
		status := r.statuses[min(len(r.got), len(r.statuses))-1]
		r.mu.Unlock()
		if status >= 300 && status < 400 {
			w.Header().Set("Location", "/elsewhere")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(strings.Repeat("x", 200<<10))) // more than a worker reads
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// client trusts the receiver's certificate; allowPrivate as the worker is configured.
func (r *receiver) client(allowPrivate bool) *http.Client {
	return webhook.NewClient(allowPrivate, r.srv.Client().Transport.(*http.Transport).TLSClientConfig.Clone())
}

func noJitter(d time.Duration) time.Duration { return d }

func (f *fixture) worker(client *http.Client, jitter func(time.Duration) time.Duration) *webhook.Worker {
	return webhook.NewWorker(f.store, webhook.WorkerOptions{Client: client, Clock: f.clock.Now, Jitter: jitter, Batch: 8})
}

// endpoint registers the receiver for owner (the fixture allows loopback).
func (f *fixture) endpoint(t *testing.T, owner account.Principal, r *receiver, events ...string) webhook.Endpoint {
	t.Helper()
	ep, err := f.svc.Create(context.Background(), owner, webhook.CreateInput{URL: r.srv.URL + "/otop", Events: events})
	if err != nil {
		t.Fatalf("register endpoint: %v", err)
	}
	return ep
}

func (f *fixture) enqueue(t *testing.T, events ...webhook.Event) {
	t.Helper()
	if err := f.store.Enqueue(context.Background(), events); err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	// Deliveries are due from the database's now(): a test clock set before
	// a slow set-up (a loaded machine) would find none due yet.
	if now := time.Now().UTC().Truncate(time.Microsecond); f.clock.Now().Before(now) {
		f.clock.Set(now)
	}
}

func (f *fixture) deliveries(t *testing.T, owner account.Principal, ep webhook.Endpoint) []webhook.Delivery {
	t.Helper()
	page, err := f.svc.Deliveries(context.Background(), owner, ep.ID, webhook.Filter{Limit: 100})
	if err != nil {
		t.Fatalf("deliveries: %v", err)
	}
	return page.Items
}

func (f *fixture) runOnce(t *testing.T, w *webhook.Worker, want int) {
	t.Helper()
	n, err := w.RunOnce(context.Background())
	if err != nil || n != want {
		t.Fatalf("RunOnce = %d, %v; want %d sent", n, err, want)
	}
}

// verifyAsReceiver checks a request the way a receiver's code would.
func verifyAsReceiver(t *testing.T, secret string, r received, now time.Time) {
	t.Helper()
	if err := webhook.Verify(secret, r.signature, r.body, now, 5*time.Minute); err != nil {
		t.Errorf("Verify(%q) = %v", r.signature, err)
	}
	parts := strings.Split(r.signature, ",")
	if len(parts) != 2 || !strings.HasPrefix(parts[0], "t=") || !strings.HasPrefix(parts[1], "v1=") {
		t.Fatalf("signature header %q", r.signature)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strings.TrimPrefix(parts[0], "t=") + "." + string(r.body)))
	if !hmac.Equal([]byte(hex.EncodeToString(mac.Sum(nil))), []byte(strings.TrimPrefix(parts[1], "v1="))) {
		t.Errorf("the HMAC of t.body does not match %q", r.signature)
	}
}

func TestADeliveryIsSignedRetriedWithBackoffAndDelivered(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	owner, stranger := f.user(t, account.RoleImporter), f.user(t, account.RoleImporter)
	r := newReceiver(t, http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusNoContent)
	ep := f.endpoint(t, owner, r, webhook.EventOrderShipped)
	other := f.endpoint(t, stranger, newReceiver(t, http.StatusOK))
	orderID := uuid.New()
	f.enqueue(t, webhook.Event{Type: webhook.EventOrderShipped, SubjectType: "order", SubjectID: orderID,
		Recipients: []uuid.UUID{owner.UserID}, Data: map[string]any{"carrier": "Thailand Post", "tracking_number": "EX123456789TH"}},
		webhook.Event{Type: webhook.EventOrderPlaced, SubjectType: "order", SubjectID: orderID, Recipients: []uuid.UUID{owner.UserID}})
	w := f.worker(r.client(true), nil)

	start := f.clock.Now()
	f.runOnce(t, w, 1) // order.placed is not subscribed to
	got := r.requests()
	if len(got) != 1 {
		t.Fatalf("receiver got %d requests", len(got))
	}
	first := got[0]
	verifyAsReceiver(t, ep.Secret, first, start)
	var payload struct {
		ID        uuid.UUID      `json:"id"`
		Type      string         `json:"type"`
		CreatedAt time.Time      `json:"created_at"`
		Subject   map[string]any `json:"subject"`
		Data      map[string]any `json:"data"`
	}
	if err := json.Unmarshal(first.body, &payload); err != nil {
		t.Fatalf("body %s: %v", first.body, err)
	}
	if payload.Type != webhook.EventOrderShipped || payload.ID.String() != first.eventID || first.event != webhook.EventOrderShipped ||
		payload.Data["tracking_number"] != "EX123456789TH" || payload.Subject["id"] != orderID.String() ||
		payload.CreatedAt.IsZero() || first.contentType != "application/json" {
		t.Errorf("first request: headers %+v, body %s", first, first.body)
	}
	ds := f.deliveries(t, owner, ep)
	if len(ds) != 1 || ds[0].Status != webhook.StatusPending || ds[0].Attempts != 1 || ds[0].LastStatusCode != 500 ||
		ds[0].LastError != "answered 500" || ds[0].ID.String() != first.deliveryID || ds[0].EventID != payload.ID {
		t.Fatalf("after a 500: %+v", ds)
	}
	// The first retry comes 30 s later, less up to a fifth of jitter.
	if wait := ds[0].NextAttemptAt.Sub(start); wait > 30*time.Second || wait < 24*time.Second {
		t.Errorf("first retry in %s, want 24–30 s", wait)
	}
	f.runOnce(t, w, 0) // not due yet

	f.clock.Set(*ds[0].NextAttemptAt)
	f.runOnce(t, w, 1)
	ds = f.deliveries(t, owner, ep)
	if ds[0].Attempts != 2 || ds[0].LastStatusCode != 503 {
		t.Fatalf("after a 503: %+v", ds[0])
	}
	if wait := ds[0].NextAttemptAt.Sub(f.clock.Now()); wait > time.Minute || wait < 48*time.Second {
		t.Errorf("second retry in %s, want 48–60 s", wait)
	}
	f.clock.Set(*ds[0].NextAttemptAt)
	f.runOnce(t, w, 1)
	ds = f.deliveries(t, owner, ep)
	if d := ds[0]; d.Status != webhook.StatusDelivered || d.Attempts != 3 || d.LastStatusCode != 204 || d.LastError != "" ||
		d.DeliveredAt == nil || !d.DeliveredAt.Equal(f.clock.Now()) || d.NextAttemptAt != nil {
		t.Errorf("after a 204: %+v", d)
	}
	got = r.requests()
	for i, g := range got {
		if g.deliveryID != first.deliveryID || g.eventID != first.eventID || string(g.body) != string(first.body) {
			t.Errorf("attempt %d differs from the first: %+v", i+1, g)
		}
	}
	verifyAsReceiver(t, ep.Secret, got[2], f.clock.Now())
	if got[2].signature == first.signature {
		t.Errorf("a retry reuses the first attempt's signature (timestamp)")
	}
	f.runOnce(t, w, 0)
	if ds := f.deliveries(t, stranger, other); len(ds) != 0 {
		t.Errorf("another user's endpoint got %d deliveries", len(ds))
	}
}

func TestADeliveryIsRetriedForTwentyFourHoursThenFailedAndCanBeRedelivered(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	owner := f.user(t, account.RoleProducer)
	r := newReceiver(t, http.StatusBadGateway)
	ep := f.endpoint(t, owner, r)
	f.enqueue(t, webhook.Event{ID: uuid.New(), Type: webhook.EventInquiryCreated, SubjectType: "inquiry", SubjectID: uuid.New(),
		Recipients: []uuid.UUID{owner.UserID}, Data: map[string]any{"quantity": 200}})
	w := f.worker(r.client(true), noJitter)

	first := f.clock.Now()
	var times []time.Time
	for range 100 {
		times = append(times, f.clock.Now())
		f.runOnce(t, w, 1)
		d := f.deliveries(t, owner, ep)[0]
		if d.Status == webhook.StatusFailed {
			break
		}
		if d.Status != webhook.StatusPending {
			t.Fatalf("a failing delivery is %s", d.Status)
		}
		f.clock.Set(*d.NextAttemptAt)
	}
	end := first.Add(24 * time.Hour)
	for i := 1; i < len(times); i++ {
		want := min(webhook.Backoff(i), end.Sub(times[i-1]))
		if got := times[i].Sub(times[i-1]); got != want {
			t.Errorf("wait before attempt %d = %s, want %s", i+1, got, want)
		}
	}
	if last := times[len(times)-1]; !last.Equal(end) {
		t.Errorf("the last attempt was at +%s, want +24h", last.Sub(first))
	}
	d := f.deliveries(t, owner, ep)[0]
	if d.Status != webhook.StatusFailed || d.Attempts != len(times) || d.Attempts != len(r.requests()) || d.LastStatusCode != 502 {
		t.Fatalf("after 24 h: %+v (%d attempts made)", d, len(times))
	}
	t.Logf("%d attempts in 24 h", len(times))
	f.clock.Set(end.Add(time.Hour))
	f.runOnce(t, w, 0) // failed for good

	// The owner asks for it again: a new delivery of the same event and body.
	r.mu.Lock()
	r.statuses = append(r.statuses, http.StatusOK)
	r.mu.Unlock()
	re, err := f.svc.Redeliver(context.Background(), owner, ep.ID, d.ID)
	if err != nil {
		t.Fatalf("Redeliver: %v", err)
	}
	if re.ID == d.ID || re.EventID != d.EventID || re.Status != webhook.StatusPending || re.Attempts != 0 ||
		re.RedeliveryOf == nil || *re.RedeliveryOf != d.ID || !re.NextAttemptAt.Equal(f.clock.Now()) {
		t.Errorf("redelivery %+v of %+v", re, d)
	}
	if _, err := f.svc.Redeliver(context.Background(), owner, ep.ID, d.ID); !errors.Is(err, errs.ErrConflict) {
		t.Errorf("redelivering while one is pending = %v, want ErrConflict", err)
	}
	f.runOnce(t, w, 1)
	got := r.requests()
	last, before := got[len(got)-1], got[len(got)-2]
	if last.deliveryID != re.ID.String() || last.eventID != before.eventID || string(last.body) != string(before.body) {
		t.Errorf("the redelivery sent %+v; the original %+v", last, before)
	}
	verifyAsReceiver(t, ep.Secret, last, f.clock.Now())
	ds := f.deliveries(t, owner, ep)
	if len(ds) != 2 || ds[0].ID != re.ID || ds[0].Status != webhook.StatusDelivered || ds[1].Status != webhook.StatusFailed {
		t.Errorf("log after the redelivery: %+v", ds)
	}
	// Newest first, one page at a time.
	page, err := f.svc.Deliveries(context.Background(), owner, ep.ID, webhook.Filter{Limit: 1})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != re.ID || page.NextCursor == "" {
		t.Fatalf("first page: %+v, %v", page, err)
	}
	page, err = f.svc.Deliveries(context.Background(), owner, ep.ID, webhook.Filter{Limit: 1, Cursor: page.NextCursor})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != d.ID || page.NextCursor != "" {
		t.Errorf("second page: %+v, %v", page, err)
	}
	page, err = f.svc.Deliveries(context.Background(), owner, ep.ID, webhook.Filter{Status: webhook.StatusFailed})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != d.ID {
		t.Errorf("failed ones: %+v, %v", page, err)
	}
	if _, err := f.svc.Redeliver(context.Background(), owner, ep.ID, uuid.New()); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("redelivering an unknown delivery = %v", err)
	}
}

func TestDeletingAnEndpointStopsItsDeliveries(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	owner := f.user(t, account.RoleProducer)
	r := newReceiver(t, http.StatusInternalServerError)
	ep := f.endpoint(t, owner, r)
	f.enqueue(t, webhook.Event{Type: webhook.EventOrderPlaced, SubjectType: "order", SubjectID: uuid.New(), Recipients: []uuid.UUID{owner.UserID}})
	w := f.worker(r.client(true), noJitter)
	f.runOnce(t, w, 1)
	if err := f.svc.Delete(context.Background(), owner, ep.ID); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(f.clock.Now().Add(time.Hour))
	f.runOnce(t, w, 0)
	if n := len(r.requests()); n != 1 {
		t.Errorf("the receiver got %d requests, want only the one before the deletion", n)
	}
	if _, err := f.svc.Deliveries(context.Background(), owner, ep.ID, webhook.Filter{}); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("the log of a deleted endpoint = %v, want ErrNotFound", err)
	}
	var left int64
	if err := f.db.Table("webhook_deliveries").Count(&left).Error; err != nil || left != 0 {
		t.Errorf("%d deliveries left, %v", left, err)
	}
}

func TestAWorkerThatFindsTheHostInsideRefusesToConnect(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	owner := f.user(t, account.RoleImporter)
	r := newReceiver(t, http.StatusOK)
	// The endpoint passed the check when it was registered (a name that
	// resolved to a public address then); now it leads to loopback.
	ep := f.endpoint(t, owner, r)
	f.enqueue(t, webhook.Event{Type: webhook.EventQuoteCreated, SubjectType: "quote", SubjectID: uuid.New(), Recipients: []uuid.UUID{owner.UserID}})
	f.runOnce(t, f.worker(r.client(false), noJitter), 1)
	if n := len(r.requests()); n != 0 {
		t.Errorf("the receiver on loopback got %d requests", n)
	}
	d := f.deliveries(t, owner, ep)[0]
	if d.Status != webhook.StatusPending || d.LastStatusCode != 0 || !strings.Contains(d.LastError, "loopback") || strings.Contains(d.LastError, "127.0.0.1") {
		t.Errorf("delivery %+v; want a retry saying loopback without the address", d)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	owner := f.user(t, account.RoleImporter)
	r := newReceiver(t, http.StatusFound, http.StatusOK)
	ep := f.endpoint(t, owner, r)
	f.enqueue(t, webhook.Event{Type: webhook.EventQuoteCreated, SubjectType: "quote", SubjectID: uuid.New(), Recipients: []uuid.UUID{owner.UserID}})
	f.runOnce(t, f.worker(r.client(true), noJitter), 1)
	if got := r.requests(); len(got) != 1 {
		t.Errorf("the receiver got %d requests; the redirect was followed", len(got))
	}
	if d := f.deliveries(t, owner, ep)[0]; d.Status != webhook.StatusPending || d.LastStatusCode != http.StatusFound || !strings.Contains(d.LastError, "redirects") {
		t.Errorf("delivery %+v", d)
	}
}

func TestAnUnreachableOrSlowEndpointIsRetried(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	owner := f.user(t, account.RoleProducer)
	release := make(chan struct{})
	slow := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select {
		case <-req.Context().Done():
		case <-release:
		}
	}))
	defer slow.Close()
	defer close(release)
	closed := httptest.NewTLSServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	for _, u := range []string{slow.URL, closedURL} {
		if _, err := f.svc.Create(context.Background(), owner, webhook.CreateInput{URL: u}); err != nil {
			t.Fatal(err)
		}
	}
	f.enqueue(t, webhook.Event{Type: webhook.EventRFQCreated, SubjectType: "rfq", SubjectID: uuid.New(), Recipients: []uuid.UUID{owner.UserID}})
	client := webhook.NewClient(true, slow.Client().Transport.(*http.Transport).TLSClientConfig.Clone())
	client.Timeout = 200 * time.Millisecond
	f.runOnce(t, f.worker(client, noJitter), 2)
	var errors []string
	if err := f.db.Table("webhook_deliveries").Where("status = 'pending' AND attempts = 1").Order("last_error").
		Pluck("last_error", &errors).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Join(errors, "|") != "no answer within 10 s|the connection was refused" {
		t.Errorf("errors recorded: %q", errors)
	}
}

func TestWorkersSharingTheOutboxDeliverEachOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	owner := f.user(t, account.RoleImporter)
	r := newReceiver(t, http.StatusOK)
	ep := f.endpoint(t, owner, r)
	events := make([]webhook.Event, 40)
	for i := range events {
		events[i] = webhook.Event{Type: webhook.EventOrderConfirmed, SubjectType: "order", SubjectID: uuid.New(), Recipients: []uuid.UUID{owner.UserID}}
	}
	f.enqueue(t, events...)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := f.worker(r.client(true), noJitter)
			for {
				n, err := w.RunOnce(context.Background())
				if err != nil {
					t.Errorf("RunOnce: %v", err)
					return
				}
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	seen := map[string]int{}
	for _, g := range r.requests() {
		seen[g.deliveryID]++
	}
	if len(seen) != 40 || len(r.requests()) != 40 {
		t.Errorf("%d requests for %d deliveries, want 40 each once", len(r.requests()), len(seen))
	}
	for _, d := range f.deliveries(t, owner, ep) {
		if d.Status != webhook.StatusDelivered || d.Attempts != 1 {
			t.Errorf("delivery %+v", d)
		}
	}
}

func TestRunPurgesOldDeliveriesAndStopsWithItsContext(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	owner := f.user(t, account.RoleImporter)
	r := newReceiver(t, http.StatusOK)
	ep := f.endpoint(t, owner, r)
	events := make([]webhook.Event, 3)
	for i := range events {
		events[i] = webhook.Event{Type: webhook.EventOrderDelivered, SubjectType: "order", SubjectID: uuid.New(), Recipients: []uuid.UUID{owner.UserID}}
	}
	f.enqueue(t, events...)
	// Two finished 31 days ago, one still pending from then.
	err := f.db.Exec(`UPDATE webhook_deliveries SET created_at = now() - interval '31 days',
		status = CASE WHEN id = (SELECT min(id::text)::uuid FROM webhook_deliveries) THEN 'pending' ELSE 'failed' END,
		next_attempt_at = now() + interval '1 hour'`).Error
	if err != nil {
		t.Fatal(err)
	}
	f.enqueue(t, webhook.Event{Type: webhook.EventOrderDelivered, SubjectType: "order", SubjectID: uuid.New(), Recipients: []uuid.UUID{owner.UserID}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	w := webhook.NewWorker(f.store, webhook.WorkerOptions{Client: r.client(true), Clock: f.clock.Now, Poll: 20 * time.Millisecond})
	go func() { defer close(done); w.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(r.requests()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	ds := f.deliveries(t, owner, ep)
	statuses := []string{}
	for _, d := range ds {
		statuses = append(statuses, d.Status)
	}
	if strings.Join(statuses, ",") != "delivered,pending" {
		t.Errorf("after Run: %v; want the new one delivered, the old pending one kept and the old finished ones purged", statuses)
	}
}
