package api

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func jsonBody(s string) *strings.Reader { return strings.NewReader(s) }

func TestRegisterLoginMeLogout(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	rec := s.do(t, http.MethodPost, "/v1/auth/register", jsonBody(`{"email":"buyer@osaka.example","password":"mango sticky rice 2026","role":"importer","display_name":"Osaka Foods","country":"JP"}`), "Content-Type", "application/json")
	if rec.Code != http.StatusCreated {
		t.Fatalf("register = %d %s", rec.Code, rec.Body.String())
	}
	user := decode[userJSON](t, rec)
	if user.Email != "buyer@osaka.example" || user.Role != "importer" || user.Country == nil || *user.Country != "JP" || user.SelectCenterID != nil {
		t.Fatalf("user = %+v", user)
	}

	rec = s.do(t, http.MethodPost, "/v1/auth/login", jsonBody(`{"email":"buyer@osaka.example","password":"mango sticky rice 2026"}`))
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("login = %d %s", rec.Code, rec.Body.String())
	}
	login := decode[loginReply](t, rec)
	if login.Token == "" || login.User.ID != user.ID || login.ExpiresAt.IsZero() {
		t.Fatalf("login = %+v", login)
	}
	bearer := "Bearer " + login.Token

	rec = s.do(t, http.MethodGet, "/v1/me", nil, "Authorization", bearer)
	if rec.Code != http.StatusOK || decode[userJSON](t, rec).ID != user.ID {
		t.Fatalf("me = %d %s", rec.Code, rec.Body.String())
	}
	if rec := s.do(t, http.MethodPost, "/v1/auth/logout", nil, "Authorization", bearer); rec.Code != http.StatusNoContent {
		t.Fatalf("logout = %d %s", rec.Code, rec.Body.String())
	}
	rec = s.do(t, http.MethodGet, "/v1/me", nil, "Authorization", bearer)
	assertProblem(t, rec, http.StatusUnauthorized)
	if rec.Header().Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
}

func TestAuthRefusals(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	register := func(body string, headers ...string) int {
		return s.do(t, http.MethodPost, "/v1/auth/register", jsonBody(body), headers...).Code
	}
	if code := register(`{"email":"p@x.example","password":"pottery from dan kwian","role":"producer","display_name":"P"}`); code != http.StatusCreated {
		t.Fatalf("setup register = %d", code)
	}
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		hdrs   []string
		status int
		field  string
	}{
		{"me without a token", http.MethodGet, "/v1/me", "", nil, http.StatusUnauthorized, ""},
		{"logout without a token", http.MethodPost, "/v1/auth/logout", "", nil, http.StatusUnauthorized, ""},
		{"unknown token", http.MethodGet, "/v1/me", "", []string{"Authorization", "Bearer otop_nope"}, http.StatusUnauthorized, ""},
		{"basic auth instead of bearer", http.MethodGet, "/v1/regions", "", []string{"Authorization", "Basic dXNlcjpwYXNz"}, http.StatusUnauthorized, ""},
		{"bad token on a public route is still refused", http.MethodGet, "/v1/regions", "", []string{"Authorization", "Bearer x"}, http.StatusUnauthorized, ""},
		{"wrong password", http.MethodPost, "/v1/auth/login", `{"email":"p@x.example","password":"wrong wrong wrong"}`, nil, http.StatusUnauthorized, ""},
		{"unknown email", http.MethodPost, "/v1/auth/login", `{"email":"q@x.example","password":"pottery from dan kwian"}`, nil, http.StatusUnauthorized, ""},
		{"duplicate email", http.MethodPost, "/v1/auth/register", `{"email":"P@x.example","password":"pottery from dan kwian","role":"producer","display_name":"P"}`, nil, http.StatusConflict, ""},
		{"self-assigned curator role", http.MethodPost, "/v1/auth/register", `{"email":"c@x.example","password":"pottery from dan kwian","role":"curator","display_name":"C"}`, nil, http.StatusUnprocessableEntity, "role"},
		{"select center is not settable", http.MethodPost, "/v1/auth/register", `{"email":"c@x.example","password":"pottery from dan kwian","role":"producer","display_name":"C","select_center_id":"bangkok"}`, nil, http.StatusUnprocessableEntity, "select_center_id"},
		{"unknown field", http.MethodPost, "/v1/auth/register", `{"email":"c@x.example","password":"pottery from dan kwian","role":"producer","display_name":"C","is_admin":true}`, nil, http.StatusUnprocessableEntity, "is_admin"},
		{"wrong type", http.MethodPost, "/v1/auth/register", `{"email":42,"password":"pottery from dan kwian","role":"producer","display_name":"C"}`, nil, http.StatusUnprocessableEntity, "email"},
		{"not JSON", http.MethodPost, "/v1/auth/register", `email=c@x.example`, nil, http.StatusBadRequest, ""},
		{"empty body", http.MethodPost, "/v1/auth/login", ``, nil, http.StatusBadRequest, ""},
		{"two JSON values", http.MethodPost, "/v1/auth/login", `{} {}`, nil, http.StatusBadRequest, ""},
		{"JSON array", http.MethodPost, "/v1/auth/login", `[1,2]`, nil, http.StatusBadRequest, ""},
		{"form content type", http.MethodPost, "/v1/auth/login", `{}`, []string{"Content-Type", "application/x-www-form-urlencoded"}, http.StatusUnsupportedMediaType, ""},
		{"oversized body", http.MethodPost, "/v1/auth/login", `{"email":"` + strings.Repeat("a", 2000) + `"}`, nil, http.StatusRequestEntityTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rec = s.do(t, tt.method, tt.path, nil, tt.hdrs...)
			if tt.body != "" || tt.method == http.MethodPost {
				rec = s.do(t, tt.method, tt.path, jsonBody(tt.body), tt.hdrs...)
			}
			p := assertProblem(t, rec, tt.status)
			if tt.field != "" && (len(p.Errors) != 1 || p.Errors[0].Field != tt.field) {
				t.Fatalf("errors = %+v, want one about %s", p.Errors, tt.field)
			}
		})
	}
}

func TestLoginIsRateLimitedWithRetryAfter(t *testing.T) {
	t.Parallel()
	s := newTestServer(t)
	body := `{"email":"guess@x.example","password":"not the password"}`
	for i := range 5 {
		assertProblem(t, s.do(t, http.MethodPost, "/v1/auth/login", jsonBody(body)), http.StatusUnauthorized)
		_ = i
	}
	rec := s.do(t, http.MethodPost, "/v1/auth/login", jsonBody(body))
	assertProblem(t, rec, http.StatusTooManyRequests)
	secs, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if err != nil || secs < 1 || secs > 900 {
		t.Fatalf("Retry-After = %q", rec.Header().Get("Retry-After"))
	}
}
