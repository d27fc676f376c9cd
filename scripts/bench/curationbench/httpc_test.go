package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestConnReadsBothFramings: a reply with Content-Length and a chunked one
// (gin sends replies larger than 2 KB chunked) are read whole, on one
// keep-alive connection, with the request's headers and body delivered.
func TestConnReadsBothFramings(t *testing.T) {
	big := `{"items":[` + strings.Repeat(`{"waiting_days":1},`, 500) + `{"waiting_days":2}],"next_cursor":"abc_-1"}`
	var conns int
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			w.Header().Set("Content-Type", "application/json")
			for i := 0; i < len(big); i += 1000 { // several writes: chunked
				_, _ = io.WriteString(w, big[i:min(i+1000, len(big))])
				w.(http.Flusher).Flush()
			}
		case "/post":
			b, _ := io.ReadAll(r.Body)
			if r.Method != "POST" || r.Header.Get("If-Match") != `"3"` || len(b) != 0 {
				w.WriteHeader(http.StatusBadRequest)
			}
			_, _ = io.WriteString(w, `{"status":"published"}`)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns++
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := newConn(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	ctx := context.Background()
	for range 2 {
		status, err := c.do(ctx, "GET", "/big", []string{"Authorization: Bearer x"}, nil)
		if err := c.expect(status, err, 200); err != nil {
			t.Fatal(err)
		}
		if string(c.body) != big {
			t.Fatalf("body of %d bytes, want %d", len(c.body), len(big))
		}
		if cur, err := nextCursor(c.body); err != nil || cur != "abc_-1" {
			t.Fatalf("next cursor %q, %v", cur, err)
		}
		status, err = c.do(ctx, "POST", "/post", []string{`If-Match: "3"`}, nil)
		if err := c.expect(status, err, 200); err != nil {
			t.Fatal(err)
		}
	}
	if conns != 1 {
		t.Fatalf("%d connections, want 1 (keep-alive)", conns)
	}
	if cur, err := nextCursor([]byte(`{"items":[],"next_cursor":null}`)); err != nil || cur != "" {
		t.Fatalf("null cursor: %q, %v", cur, err)
	}
}
