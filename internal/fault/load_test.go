package fault

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/media/mediatest"
)

// client speaks to serve over loopback as the suite's producer, its admin
// or nobody.
type client struct {
	base     string
	http     *http.Client
	producer string // bearer tokens
	admin    string
}

func newClient(base string) *client {
	return &client{base: base, http: &http.Client{
		Timeout:   clientTimeout,
		Transport: &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: 2 * workers},
	}}
}

// reply is what one request got.
type reply struct {
	status     int // 0: no HTTP answer (transport error)
	body       []byte
	retryAfter string
	err        error
}

func (c *client) do(method, path, token string, body []byte, contentType string, header map[string]string) reply {
	req, err := http.NewRequestWithContext(context.Background(), method, c.base+path, bytes.NewReader(body))
	if err != nil {
		return reply{err: err}
	}
	if body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return reply{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return reply{err: fmt.Errorf("read the reply: %w", err)}
	}
	return reply{status: resp.StatusCode, body: b, retryAfter: resp.Header.Get("Retry-After")}
}

func (c *client) json(method, path, token, body string, header map[string]string) reply {
	var b []byte
	if body != "" {
		b = []byte(body)
	}
	return c.do(method, path, token, b, "application/json", header)
}

// mustJSON sends a setup request that must answer want, decoding the reply into out.
func (c *client) mustJSON(t *testing.T, method, path, token, body string, want int, out any) {
	t.Helper()
	r := c.json(method, path, token, body, nil)
	if r.status != want {
		t.Fatalf("%s %s = %d %v %s, want %d", method, path, r.status, r.err, r.body, want)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}

// workers is the load's concurrency.
const workers = 8

// result is one request of the load.
type result struct {
	op         string
	write      bool
	start      time.Time
	dur        time.Duration
	status     int // 0: transport error
	err        string
	retryAfter string
}

// ack is a write serve acknowledged (2xx) and what it said it wrote.
type ack struct {
	op      string
	product uuid.UUID
	version int
	status  string
	name    string
	image   uuid.UUID // uploads
}

type mode int

const (
	// productWrites: producers create, rename and submit products, the
	// admin approves them (which publishes them), and renaming a
	// published product sends it back to review.
	productWrites mode = iota
	// imageUploads: producers create products and upload photos to them.
	imageUploads
)

// load is a bounded loopback load: workers goroutines, each alternating a
// write of its own products with a public read, pausing pace between
// requests.
type load struct {
	c      *client
	mode   mode
	pace   time.Duration
	tag    string
	reads  []string // ids of published products to read
	photos *atomic.Int64

	mu      sync.Mutex
	results []result
	acks    []ack

	// fresh counts abandon calls: a worker that sees it change starts a
	// new product instead of writing its current one again.
	fresh atomic.Int64

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

// abandon makes every worker leave its current product alone from now on,
// so that what was acknowledged about it stays as it was.
func (l *load) abandon() { l.fresh.Add(1) }

// productJSON is the part of a product reply the load reads.
type productJSON struct {
	ID      uuid.UUID `json:"id"`
	Status  string    `json:"status"`
	NameEN  string    `json:"name_en"`
	Version int       `json:"version"`
}

// start runs the load until stopAndWait.
func (l *load) start() {
	l.stop = make(chan struct{})
	for w := range workers {
		l.wg.Go(func() { l.worker(w) })
	}
}

// stopAndWait stops the load and waits for its requests in flight; a
// second call is a no-op.
func (l *load) stopAndWait() {
	if l.stop == nil {
		return // never started
	}
	l.stopOnce.Do(func() { close(l.stop) })
	l.wg.Wait()
}

func (l *load) stopped() bool {
	select {
	case <-l.stop:
		return true
	default:
		return false
	}
}

// snapshot returns copies of the results and acknowledgements so far.
func (l *load) snapshot() ([]result, []ack) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]result(nil), l.results...), append([]ack(nil), l.acks...)
}

// acked counts the acknowledged writes so far.
func (l *load) acked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acks)
}

// firstAckAfter is the first acknowledgement of a request sent at or after
// since, with one of ops (any when none).
func (l *load) firstAckAfter(since time.Time, ops ...string) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, r := range l.results {
		if r.status >= 200 && r.status < 300 && r.write && !r.start.Before(since) && (len(ops) == 0 || slices.Contains(ops, r.op)) {
			return r.start.Add(r.dur), true
		}
	}
	return time.Time{}, false
}

// waitAcks waits until n more writes are acknowledged (or fails).
func (l *load) waitAcks(t *testing.T, n int, timeout time.Duration) {
	t.Helper()
	want := l.acked() + n
	deadline := time.Now().Add(timeout)
	for l.acked() < want {
		if time.Now().After(deadline) {
			t.Fatalf("the load acknowledged %d writes in %s, want %d", l.acked(), timeout, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// send records one request of the load.
func (l *load) send(op string, write bool, fn func() reply) reply {
	start := time.Now()
	r := fn()
	res := result{op: op, write: write, start: start, dur: time.Since(start), status: r.status, retryAfter: r.retryAfter}
	if r.err != nil {
		res.err = r.err.Error()
	}
	l.mu.Lock()
	l.results = append(l.results, res)
	l.mu.Unlock()
	return r
}

func (l *load) record(a ack) {
	l.mu.Lock()
	l.acks = append(l.acks, a)
	l.mu.Unlock()
}

// owned is a product a worker writes; known is false after a write whose
// outcome is unknown (it may have committed), until a read tells.
type owned struct {
	productJSON
	base      string // the name it was created with
	known     bool
	renames   int
	approvals int
	photos    int
}

func ok(status int) bool { return status >= 200 && status < 300 }

func (l *load) worker(w int) {
	var p *owned
	n := 0
	fresh := l.fresh.Load()
	// Staggered starts keep the workers at different points of their
	// products' cycles.
	select {
	case <-l.stop:
	case <-time.After(time.Duration(w) * 2 * l.pace):
	}
	for i := 0; !l.stopped(); i++ {
		if f := l.fresh.Load(); f != fresh {
			p, fresh = nil, f
		}
		if i%2 == 0 {
			p = l.write(w, &n, p)
		} else {
			l.read(w + i)
		}
		select {
		case <-l.stop:
		case <-time.After(l.pace):
		}
	}
}

// write makes the next write of the worker's product cycle and returns the
// product it works on next (nil: start a new one).
func (l *load) write(w int, n *int, p *owned) *owned {
	switch {
	case p == nil:
		*n++
		return l.create(fmt.Sprintf("Fault %s w%d p%d", l.tag, w, *n))
	case !p.known:
		return l.refresh(p)
	case l.mode == imageUploads:
		if p.photos >= 3 {
			return nil
		}
		p.photos++
		l.upload(p)
		return p
	}
	switch p.Status {
	case "draft":
		if p.renames == 0 {
			l.rename(p)
			return p
		}
		l.productWrite("submit", p, func() reply {
			return l.c.json(http.MethodPost, "/v1/products/"+p.ID.String()+"/submit", l.c.producer, "", nil)
		})
	case "pending_review":
		l.productWrite("approve", p, func() reply {
			return l.c.json(http.MethodPost, "/v1/products/"+p.ID.String()+"/approve", l.c.admin, "",
				map[string]string{"If-Match": `"` + strconv.Itoa(p.Version) + `"`})
		})
		if p.known && p.Status == "published" {
			p.approvals++
		}
	case "published":
		if p.approvals >= 2 {
			return nil
		}
		l.rename(p)
	default:
		return nil
	}
	return p
}

const productBody = `{"name_th":"ผ้าไหมทดสอบความทนทาน","name_en":%q,"description_en":"Hand-woven for the fault suite.",
	"category":"textile","price":{"amount_minor":45000,"currency":"THB"},"moq":2,"unit":"piece",
	"monthly_capacity":60,"lead_time_days":14,"weight_grams":300,"tags":["silk"]}`

func (l *load) create(name string) *owned {
	var p *owned
	r := l.send("create", true, func() reply {
		return l.c.json(http.MethodPost, "/v1/products", l.c.producer, fmt.Sprintf(productBody, name), nil)
	})
	if r.status == http.StatusCreated {
		var got productJSON
		if json.Unmarshal(r.body, &got) == nil {
			l.record(ack{op: "create", product: got.ID, version: got.Version, status: got.Status, name: got.NameEN})
			p = &owned{productJSON: got, base: name, known: true}
		}
	}
	return p
}

func (l *load) rename(p *owned) {
	p.renames++
	name := fmt.Sprintf("%s r%d", p.base, p.renames)
	l.productWrite("rename", p, func() reply {
		return l.c.json(http.MethodPatch, "/v1/products/"+p.ID.String(), l.c.producer, fmt.Sprintf(`{"name_en":%q}`, name), nil)
	})
}

// productWrite sends a write answered with the product and records its
// acknowledgement; any other answer leaves the product unknown.
func (l *load) productWrite(op string, p *owned, fn func() reply) {
	r := l.send(op, true, fn)
	var got productJSON
	if !ok(r.status) || json.Unmarshal(r.body, &got) != nil {
		p.known = false
		return
	}
	l.record(ack{op: op, product: got.ID, version: got.Version, status: got.Status, name: got.NameEN})
	p.productJSON = got
}

// refresh reads the product back after a write whose outcome is unknown.
func (l *load) refresh(p *owned) *owned {
	r := l.send("get own", false, func() reply {
		return l.c.json(http.MethodGet, "/v1/products/"+p.ID.String(), l.c.producer, "", nil)
	})
	var got productJSON
	if r.status == http.StatusOK && json.Unmarshal(r.body, &got) == nil {
		p.productJSON, p.known = got, true
	}
	return p
}

// upload sends a photo no other upload sent (a product refuses the same
// bytes twice).
func (l *load) upload(p *owned) {
	seed := l.photos.Add(1)
	photo := mediatest.JPEG(mediatest.Photo(480, 360, seed), 80)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", fmt.Sprintf("photo-%d.jpg", seed))
	if err == nil {
		_, err = fw.Write(photo)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		panic(err) // writing to memory
	}
	r := l.send("upload", true, func() reply {
		return l.c.do(http.MethodPost, "/v1/products/"+p.ID.String()+"/images", l.c.producer, body.Bytes(), mw.FormDataContentType(), nil)
	})
	var img struct {
		ID uuid.UUID `json:"id"`
	}
	if r.status == http.StatusCreated && json.Unmarshal(r.body, &img) == nil {
		l.record(ack{op: "upload", product: p.ID, image: img.ID})
	}
}

// read sends one public read: a product, a list page or a search.
func (l *load) read(i int) {
	var op, path string
	switch i % 4 {
	case 0:
		op, path = "get", "/v1/products/"+l.reads[i%len(l.reads)]
	case 1:
		op, path = "list", "/v1/products?limit=20"
	case 2:
		op, path = "list", "/v1/products?limit=20&category=food"
	default:
		op, path = "search", "/v1/search?q=silk&per_page=20"
	}
	l.send(op, false, func() reply { return l.c.json(http.MethodGet, path, "", "", nil) })
}
