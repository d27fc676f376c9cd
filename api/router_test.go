package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
)

type testServer struct {
	router *gin.Engine
	logs   *bytes.Buffer
}

func newTestServer(t *testing.T, checks ...Check) *testServer {
	t.Helper()
	logs := &bytes.Buffer{}
	d := testDeps(t)
	d.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	d.Checks = checks
	d.MaxBodyBytes = 1024
	return &testServer{router: newRouterFrom(t, d), logs: logs}
}

func (s *testServer) do(t *testing.T, method, path string, body io.Reader, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequestWithContext(context.Background(), method, path, body)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	s.router.ServeHTTP(rec, req)
	return rec
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %q: %v", rec.Body.String(), err)
	}
	return v
}

// assertProblem checks that rec is an RFC 9457 problem with the given status.
func assertProblem(t *testing.T, rec *httptest.ResponseRecorder, status int) problem {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status = %d, want %d; body %s", rec.Code, status, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, problemContentType) {
		t.Fatalf("Content-Type = %q, want %s", ct, problemContentType)
	}
	p := decode[problem](t, rec)
	if p.Status != status || p.Title == "" || p.Type == "" {
		t.Fatalf("incomplete problem: %+v", p)
	}
	if p.RequestID == "" || p.RequestID != rec.Header().Get(headerRequestID) {
		t.Fatalf("problem request_id %q does not match header %q", p.RequestID, rec.Header().Get(headerRequestID))
	}
	return p
}

func TestEveryRouteIsDocumentedAndEveryDocumentedRouteExists(t *testing.T) {
	s := newTestServer(t)
	var registered []string
	for _, r := range s.router.Routes() {
		if strings.HasPrefix(r.Path, "/docs/") { // static assets of the docs page
			continue
		}
		registered = append(registered, r.Method+" "+r.Path)
	}
	slices.Sort(registered)
	documented, err := openAPIOperations(openAPIYAML)
	if err != nil {
		t.Fatalf("read document: %v", err)
	}
	for _, op := range registered {
		if !slices.Contains(documented, op) {
			t.Errorf("route %s is registered but missing from api/openapi.yaml", op)
		}
	}
	for _, op := range documented {
		if !slices.Contains(registered, op) {
			t.Errorf("api/openapi.yaml documents %s, which the router lacks", op)
		}
	}
}

func TestUnknownRouteAndMethodAnswerProblems(t *testing.T) {
	s := newTestServer(t)
	p := assertProblem(t, s.do(t, http.MethodGet, "/v1/nope", nil), http.StatusNotFound)
	if p.Instance != "/v1/nope" {
		t.Errorf("instance = %q", p.Instance)
	}
	assertProblem(t, s.do(t, http.MethodDelete, "/v1/provinces", nil), http.StatusMethodNotAllowed)
}

func TestRequestIDIsEchoedOrGenerated(t *testing.T) {
	s := newTestServer(t)
	tests := []struct {
		name, sent string
		kept       bool
	}{
		{"plain id is kept", "abc-123_X.9", true},
		{"missing id is generated", "", false},
		{"id with spaces is replaced", "a b", false},
		{"overlong id is replaced", strings.Repeat("a", 65), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := s.do(t, http.MethodGet, "/healthz", nil, headerRequestID, tt.sent)
			got := rec.Header().Get(headerRequestID)
			if tt.kept && got != tt.sent {
				t.Fatalf("request id = %q, want %q", got, tt.sent)
			}
			if !tt.kept && (got == "" || got == tt.sent) {
				t.Fatalf("request id = %q, want a fresh one", got)
			}
		})
	}
}

func TestAccessLogWritesOneLinePerRequest(t *testing.T) {
	s := newTestServer(t)
	s.do(t, http.MethodGet, "/v1/provinces/TH-50", nil, headerRequestID, "log-check-1")
	lines := strings.Split(strings.TrimSpace(s.logs.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("got %d log lines, want 1: %s", len(lines), s.logs.String())
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
		t.Fatalf("log line is not JSON: %v", err)
	}
	want := map[string]any{"msg": "http request", "request_id": "log-check-1", "method": "GET",
		"route": "/v1/provinces/:code", "path": "/v1/provinces/TH-50", "status": float64(200)}
	for k, v := range want {
		if entry[k] != v {
			t.Errorf("log %s = %v, want %v", k, entry[k], v)
		}
	}
	if _, ok := entry["duration"]; !ok {
		t.Error("log line has no duration")
	}
}

func TestPanicBecomesInternalErrorWithoutDetail(t *testing.T) {
	s := newTestServer(t)
	s.router.GET("/boom", func(*gin.Context) { panic("secret database password in panic") })
	rec := s.do(t, http.MethodGet, "/boom", nil)
	p := assertProblem(t, rec, http.StatusInternalServerError)
	if strings.Contains(rec.Body.String(), "secret") {
		t.Fatalf("500 leaks internal detail: %s", rec.Body.String())
	}
	if p.Detail != "An internal error occurred." {
		t.Errorf("detail = %q", p.Detail)
	}
	if !strings.Contains(s.logs.String(), "secret database password in panic") {
		t.Error("the panic was not logged")
	}
}

func TestInternalErrorsDoNotLeak(t *testing.T) {
	s := newTestServer(t)
	s.router.GET("/fail", func(c *gin.Context) { respondError(c, errors.New("pq: relation users does not exist")) })
	rec := s.do(t, http.MethodGet, "/fail", nil)
	assertProblem(t, rec, http.StatusInternalServerError)
	if strings.Contains(rec.Body.String(), "relation") {
		t.Fatalf("500 leaks internal detail: %s", rec.Body.String())
	}
}

func TestBodyLimit(t *testing.T) {
	s := newTestServer(t)
	s.router.POST("/echo", func(c *gin.Context) {
		var v map[string]any
		if err := c.ShouldBindJSON(&v); err != nil {
			respondError(c, err)
			return
		}
		c.JSON(http.StatusOK, v)
	})
	t.Run("declared length over the limit is refused before reading", func(t *testing.T) {
		assertProblem(t, s.do(t, http.MethodPost, "/echo", strings.NewReader(`{"a":"`+strings.Repeat("x", 2000)+`"}`)), http.StatusRequestEntityTooLarge)
	})
	t.Run("streamed body over the limit is cut off", func(t *testing.T) {
		body := io.MultiReader(strings.NewReader(`{"a":"`), strings.NewReader(strings.Repeat("x", 5000)), strings.NewReader(`"}`))
		req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/echo", body)
		req.ContentLength = -1
		rec := httptest.NewRecorder()
		s.router.ServeHTTP(rec, req)
		assertProblem(t, rec, http.StatusRequestEntityTooLarge)
	})
	t.Run("small body passes", func(t *testing.T) {
		if rec := s.do(t, http.MethodPost, "/echo", strings.NewReader(`{"a":"b"}`)); rec.Code != http.StatusOK {
			t.Fatalf("status = %d: %s", rec.Code, rec.Body.String())
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	s := newTestServer(t)
	for _, path := range []string{"/healthz", "/docs", "/v1/nope"} {
		rec := s.do(t, http.MethodGet, path, nil)
		for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy"} {
			if rec.Header().Get(h) == "" {
				t.Errorf("%s: header %s missing", path, h)
			}
		}
	}
	if csp := s.do(t, http.MethodGet, "/healthz", nil).Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("API CSP = %q", csp)
	}
}

func TestCORS(t *testing.T) {
	d := testDeps(t)
	d.CORSOrigins = []string{"https://shop.example"}
	s := &testServer{router: newRouterFrom(t, d)}
	allowed := s.do(t, http.MethodGet, "/v1/regions", nil, "Origin", "https://shop.example")
	if got := allowed.Header().Get("Access-Control-Allow-Origin"); got != "https://shop.example" {
		t.Errorf("allowed origin: Access-Control-Allow-Origin = %q", got)
	}
	other := s.do(t, http.MethodGet, "/v1/regions", nil, "Origin", "https://evil.example")
	if got := other.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("foreign origin: Access-Control-Allow-Origin = %q", got)
	}
	withoutCORS := newTestServer(t).do(t, http.MethodGet, "/v1/regions", nil, "Origin", "https://shop.example")
	if got := withoutCORS.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("CORS off: Access-Control-Allow-Origin = %q", got)
	}
}

func TestMetricsCountRequestsByRouteAndStatus(t *testing.T) {
	s := newTestServer(t)
	s.do(t, http.MethodGet, "/v1/provinces/TH-50", nil)
	s.do(t, http.MethodGet, "/v1/provinces/TH-99", nil)
	s.do(t, http.MethodGet, "/v1/nope/123", nil)
	rec := s.do(t, http.MethodGet, "/metrics", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`otop_http_requests_total{method="GET",route="/v1/provinces/:code",status="200"} 1`,
		`otop_http_requests_total{method="GET",route="/v1/provinces/:code",status="404"} 1`,
		`otop_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`otop_http_request_duration_seconds_bucket{method="GET",route="/v1/provinces/:code",status="200",le="+Inf"} 1`,
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestEveryRequestHasADeadline(t *testing.T) {
	gin.SetMode(gin.TestMode)
	r := gin.New()
	r.Use(requestDeadline(2 * time.Second))
	var left time.Duration
	r.GET("/x", func(c *gin.Context) {
		if d, ok := c.Request.Context().Deadline(); ok {
			left = time.Until(d)
		}
		c.Status(http.StatusNoContent)
	})
	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/x", nil))
	if left <= 0 || left > 2*time.Second {
		t.Errorf("the handler's context has %s left, want a deadline within 2 s", left)
	}
}

func TestMetricsMoveToTheirOwnListener(t *testing.T) {
	d := testDeps(t)
	d.MetricsAside = true
	s := &testServer{router: newRouterFrom(t, d)}
	assertProblem(t, s.do(t, http.MethodGet, "/metrics", nil), http.StatusNotFound)
	if rec := newTestServer(t).do(t, http.MethodGet, "/metrics", nil); rec.Code != http.StatusOK {
		t.Errorf("metrics on the API's listener by default = %d", rec.Code)
	}
}

// TestLoginLimitsCountTheClientBehindATrustedProxy: behind a load balancer
// every request comes from its address; with TRUSTED_PROXIES naming it, the
// limits count the client of X-Forwarded-For instead, and without it a
// client cannot choose its own address by sending the header.
func TestLoginLimitsCountTheClientBehindATrustedProxy(t *testing.T) {
	login := func(s *testServer, forwardedFor string) int {
		body := strings.NewReader(`{"email":"nobody@example.com","password":"not the password"}`)
		return s.do(t, http.MethodPost, "/v1/auth/login", body, "Content-Type", "application/json", "X-Forwarded-For", forwardedFor).Code
	}
	behind := testDeps(t)
	behind.TrustedProxies = []string{"192.0.2.0/24"} // httptest's peer is 192.0.2.1
	s := &testServer{router: newRouterFrom(t, behind)}
	statuses := map[int]int{}
	for i := range 25 {
		body := strings.NewReader(fmt.Sprintf(`{"email":"nobody%d@example.com","password":"not the password"}`, i))
		statuses[s.do(t, http.MethodPost, "/v1/auth/login", body, "Content-Type", "application/json", "X-Forwarded-For", "203.0.113.5").Code]++
	}
	if statuses[http.StatusUnauthorized] != 20 || statuses[http.StatusTooManyRequests] != 5 {
		t.Errorf("one client behind the proxy: %v, want 20 checked and 5 limited", statuses)
	}
	if got := login(s, "203.0.113.6"); got != http.StatusUnauthorized {
		t.Errorf("another client behind the same proxy = %d, want 401 (its own limit)", got)
	}

	direct := &testServer{router: newRouterFrom(t, testDeps(t))}
	for i := range 20 {
		body := strings.NewReader(fmt.Sprintf(`{"email":"nobody%d@example.com","password":"not the password"}`, i))
		direct.do(t, http.MethodPost, "/v1/auth/login", body, "Content-Type", "application/json", "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i))
	}
	if got := login(direct, "198.51.100.200"); got != http.StatusTooManyRequests {
		t.Errorf("an untrusted X-Forwarded-For chose the address: %d, want 429", got)
	}
}
