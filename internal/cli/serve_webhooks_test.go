package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/testenv"
	"github.com/otopmarket/otop/internal/webhook"
)

func postJSON(t *testing.T, url, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestServeDeliversWebhooksAndStopsCleanly(t *testing.T) {
	t.Parallel()
	dbURL := testenv.DatabaseURL(t)
	env := serviceEnv(t, dbURL)
	env["WEBHOOK_ALLOW_PRIVATE"] = "true" // the receiver is on loopback
	got := make(chan *http.Request, 4)
	bodies := make(chan []byte, 4)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
	}))
	defer receiver.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- Run(ctx, []string{"otop", "serve"}, getenvFrom(env), nil, io.Discard, stderr) }()
	base := "http://" + env["HTTP_ADDR"]
	waitReady(t, base, done, stderr)

	email := "hooks-" + uuid.NewString() + "@example.com"
	if code, b := postJSON(t, base+"/v1/auth/register", "", `{"email":"`+email+`","password":"indigo cotton loom 1987","role":"producer","display_name":"Hooks"}`); code != http.StatusCreated {
		t.Fatalf("register = %d %s", code, b)
	}
	code, b := postJSON(t, base+"/v1/auth/login", "", `{"email":"`+email+`","password":"indigo cotton loom 1987"}`)
	var login struct {
		Token string `json:"token"`
		User  struct {
			ID uuid.UUID `json:"id"`
		} `json:"user"`
	}
	if err := json.Unmarshal(b, &login); err != nil || code != http.StatusOK {
		t.Fatalf("login = %d %s", code, b)
	}
	code, b = postJSON(t, base+"/v1/webhooks", login.Token, `{"url":"`+receiver.URL+`/hook"}`)
	var ep struct {
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal(b, &ep); err != nil || code != http.StatusCreated || ep.Secret == "" {
		t.Fatalf("register the webhook = %d %s", code, b)
	}

	// An event of the trade, as a trade change writes it.
	db := testenv.OpenDB(t, dbURL)
	if err := postgres.NewWebhooks(db).Enqueue(context.Background(), []webhook.Event{{Type: webhook.EventOrderPlaced,
		SubjectType: "order", SubjectID: uuid.New(), Recipients: []uuid.UUID{login.User.ID}}}); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-got:
		body := <-bodies
		if err := webhook.Verify(ep.Secret, r.Header.Get("Otop-Signature"), body, time.Now(), time.Minute); err != nil ||
			r.Header.Get("Otop-Event") != webhook.EventOrderPlaced {
			t.Errorf("delivery %v %s: %v", r.Header, body, err)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("no delivery within 15 s: %s", stderr.String())
	}
	counted := false
	for deadline := time.Now().Add(10 * time.Second); !counted && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		_, body := get(t, base+"/metrics")
		counted = strings.Contains(string(body), `otop_webhook_attempts_total{result="delivered"} 1`) &&
			strings.Contains(string(body), "otop_webhook_pending_deliveries 0")
	}
	if !counted {
		t.Errorf("/metrics does not count the delivery")
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit code = %d: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s of its context ending")
	}
	if !strings.Contains(stderr.String(), "WEBHOOK_ALLOW_PRIVATE") {
		t.Errorf("serve did not warn about WEBHOOK_ALLOW_PRIVATE")
	}
}
