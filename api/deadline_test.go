package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"

	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/media/mediatest"
	"github.com/otopmarket/otop/storage"
)

// TestARequestStuckOnAHungDependencyIsStillAnswered: the request's deadline
// comes before the server's WriteTimeout, so a handler that waited for a
// dependency until its deadline can still write its 503; with both equal,
// the client got a closed connection.
func TestARequestStuckOnAHungDependencyIsStillAnswered(t *testing.T) {
	gin.SetMode(gin.TestMode)
	const timeout = time.Second
	r := gin.New()
	r.Use(requestContext(slog.New(slog.DiscardHandler)), requestDeadline(timeout))
	r.GET("/hung", func(c *gin.Context) {
		<-c.Request.Context().Done() // a dependency that never answers
		respondError(c, fmt.Errorf("%w: %w", errs.ErrUnavailable, c.Request.Context().Err()))
	})
	srv := httptest.NewUnstartedServer(r)
	srv.Config.WriteTimeout = timeout
	srv.Start()
	t.Cleanup(srv.Close)

	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL+"/hung", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("answer = %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// hungAfterPuts is a MinIO that takes the first n object writes, then stops
// answering anything (a frozen process, a network partition): requests
// wait until their context ends, or until the test thaws it.
type hungAfterPuts struct {
	allowed atomic.Int64
	hung    atomic.Bool
	thawed  chan struct{}
	thaw    sync.Once
}

func (h *hungAfterPuts) RoundTrip(req *http.Request) (*http.Response, error) {
	if h.hung.Load() || (req.Method == http.MethodPut && h.allowed.Add(-1) < 0) {
		h.hung.Store(true)
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-h.thawed:
			return nil, errors.New("connection reset by peer")
		}
	}
	return http.DefaultTransport.RoundTrip(req)
}

// TestAnUploadToAHungMinIOIsAnswered503WithinItsDeadline: MinIO stops
// answering after the original is written. The upload must be answered 503
// within the request's deadline (its cleanup waited without one, for as
// long as MinIO hung), and the original it wrote is removed once MinIO
// answers again.
func TestAnUploadToAHungMinIOIsAnswered503WithinItsDeadline(t *testing.T) {
	t.Parallel()
	store := &hungAfterPuts{thawed: make(chan struct{})}
	store.allowed.Store(1 << 30)
	thaw := func() {
		store.thaw.Do(func() {
			store.hung.Store(false)
			store.allowed.Store(1 << 30)
			close(store.thawed)
		})
	}
	t.Cleanup(thaw)
	w := newWiring(t, func(c *storage.Config) { c.Transport = store })
	const deadline = 2 * time.Second
	w.deps.RequestTimeout = deadline
	doc, err := openapi3.NewLoader().LoadFromData(openAPIYAML)
	if err != nil {
		t.Fatal(err)
	}
	a := &catalogAPI{router: newRouterFrom(t, w.deps), db: w.db, accounts: w.accounts, doc: doc, store: w.store,
		images: w.deps.Images, index: w.index, urls: w.deps.URLs, cache: w.deps.Cache, watcher: w.watcher}
	token, _ := a.producer(t)
	product := a.createProduct(t, token)

	store.allowed.Store(1) // the original goes through, then MinIO hangs
	// Without the fix the upload waits for the thaw: let it come, late.
	late := time.AfterFunc(4*deadline, thaw)
	defer late.Stop()
	start := time.Now()
	rec := a.upload(t, product.ID, token, "p.jpg", mediatest.JPEG(mediatest.Photo(1200, 800, 5), 85))
	took := time.Since(start)
	assertProblem(t, rec, http.StatusServiceUnavailable)
	if rec.Header().Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	// Answered at its deadline, not when MinIO came back (at 4× the
	// deadline); the margin is for a loaded machine's scheduling.
	if took > 3*deadline {
		t.Errorf("answered after %s: it waited for MinIO instead of its %s deadline", took.Round(time.Millisecond), deadline)
	}
	if n := a.imageRows(t, product.ID); n != 0 {
		t.Errorf("%d image rows after a failed upload", n)
	}

	thaw()
	for end := time.Now().Add(30 * time.Second); ; {
		keys := a.objects(t)
		if len(keys) == 0 {
			break
		}
		if time.Now().After(end) {
			t.Fatalf("objects of the failed upload left once MinIO answered again: %v", keys)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
