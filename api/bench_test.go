package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/otopmarket/otop/internal/account"
)

// benchProducer wires the server, with or without its read caches, and
// signs up a producer with a profile; send makes requests as that producer.
func benchProducer(b *testing.B, cached bool) (wiring, http.Handler, func(method, target, body string) *httptest.ResponseRecorder) {
	w := newWiring(b)
	if !cached {
		w.deps.Cache = nil
	}
	router := newRouterFrom(b, w.deps)
	ctx := context.Background()
	in := account.RegisterInput{Email: "bench@example.com", Password: "khao-soi-benchmark-2026", Role: account.RoleProducer, DisplayName: "Bench"}
	if _, err := w.accounts.Register(ctx, in); err != nil {
		b.Fatal(err)
	}
	session, err := w.accounts.Login(ctx, in.Email, in.Password, "127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	send := func(method, target, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(ctx, method, target, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+session.Token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)
		return rec
	}
	if rec := send(http.MethodPost, "/v1/producers", producerBody); rec.Code != http.StatusCreated {
		b.Fatalf("producer: %d %s", rec.Code, rec.Body)
	}
	return w, router, send
}

// benchPublished wires the server and publishes one product; it returns
// the product's id.
func benchPublished(b *testing.B, cached bool) (http.Handler, string) {
	w, router, send := benchProducer(b, cached)
	rec := send(http.MethodPost, "/v1/products", productBody)
	var p struct{ ID string }
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || rec.Code != http.StatusCreated {
		b.Fatalf("product: %d %s", rec.Code, rec.Body)
	}
	if err := w.db.Exec("UPDATE products SET status = 'published', published_at = now() WHERE id = ?", p.ID).Error; err != nil {
		b.Fatal(err)
	}
	return router, p.ID
}

// cachedOrNot runs bench with the read caches on and off.
func cachedOrNot(b *testing.B, bench func(b *testing.B, cached bool)) {
	b.Run("cached", func(b *testing.B) { bench(b, true) })
	b.Run("uncached", func(b *testing.B) { bench(b, false) })
}

// BenchmarkGetProduct measures the server's own cost of GET /v1/products/{id}
// (middleware, service, one PostgreSQL round trip, JSON; or the cache)
// without a network; scripts/bench measures it end to end.
func BenchmarkGetProduct(b *testing.B) { cachedOrNot(b, benchGetProduct) }

func benchGetProduct(b *testing.B, cached bool) {
	router, id := benchPublished(b, cached)
	ctx := context.Background()
	target := "/v1/products/" + id
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, target, nil)
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET = %d", rec.Code)
		}
	}
}

// BenchmarkListProducts measures GET /v1/products?province=TH-51 returning a
// full page of 20 products without a network.
func BenchmarkListProducts(b *testing.B) { cachedOrNot(b, benchListProducts) }

func benchListProducts(b *testing.B, cached bool) {
	w, router, send := benchProducer(b, cached)
	ctx := context.Background()
	for range 21 {
		if rec := send(http.MethodPost, "/v1/products", productBody); rec.Code != http.StatusCreated {
			b.Fatalf("product: %d %s", rec.Code, rec.Body)
		}
	}
	if err := w.db.Exec("UPDATE products SET status = 'published', published_at = now()").Error; err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/v1/products?province=TH-51", nil)
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET = %d", rec.Code)
		}
	}
}

// BenchmarkGetProductHTTP is BenchmarkGetProduct (cached) through a real
// loopback HTTP server, for the allocations of net/http itself.
func BenchmarkGetProductHTTP(b *testing.B) {
	router, id := benchPublished(b, true)
	srv := httptest.NewServer(router)
	defer srv.Close()
	client := srv.Client()
	target := srv.URL + "/v1/products/" + id
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, target, nil)
		if err != nil {
			b.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET = %d", resp.StatusCode)
		}
	}
}
