package load

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestConnReadsBothFramings: a reply with Content-Length and a chunked one
// (gin sends large replies chunked) are read whole, or skipped by Get, on
// one keep-alive connection, with the request's headers and body delivered.
func TestConnReadsBothFramings(t *testing.T) {
	big := `{"items":[` + strings.Repeat(`{"waiting_days":1},`, 500) + `{"waiting_days":2}],"next_cursor":"abc_-1"}`
	var conns atomic.Int32
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
		case "/small":
			_, _ = io.WriteString(w, `{"total":1}`)
		default:
			http.NotFound(w, r)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := NewConn(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	for range 2 {
		status, err := c.Do(ctx, "GET", "/big", []string{"Authorization: Bearer x"}, nil)
		if err := c.Expect(status, err, 200); err != nil {
			t.Fatal(err)
		}
		if string(c.Body()) != big {
			t.Fatalf("body of %d bytes, want %d", len(c.Body()), len(big))
		}
		status, err = c.Do(ctx, "POST", "/post", []string{`If-Match: "3"`}, nil)
		if err := c.Expect(status, err, 200); err != nil {
			t.Fatal(err)
		}
		if err := c.Get(ctx, "/big"); err != nil {
			t.Fatal(err)
		}
		if err := c.Get(ctx, "/small"); err != nil {
			t.Fatal(err)
		}
	}
	status, err := c.Do(ctx, "GET", "/missing", nil, nil)
	var es ErrStatus
	if err := c.Expect(status, err, 200); !errors.As(err, &es) || es.Status != 404 || !strings.Contains(es.Body, "not found") {
		t.Fatalf("Do of a missing path: %v", err)
	}
	if conns.Load() != 1 {
		t.Fatalf("%d connections, want 1 (keep-alive)", conns.Load())
	}
	if err := c.Get(ctx, "/missing"); !errors.As(err, &es) || es.Status != 404 || err.Error() != "status 404" {
		t.Fatalf("Get of a missing path: %v", err)
	}
	if err := c.Get(ctx, "/small"); err != nil || conns.Load() != 2 {
		t.Fatalf("after an error status, Get: %v on connection %d, want a second one", err, conns.Load())
	}
}
