package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/google/uuid"
)

// The retry schedule.
const (
	// FirstRetry is the wait after a first failed attempt; each further
	// failure doubles it, up to MaxRetryWait.
	FirstRetry   = 30 * time.Second
	MaxRetryWait = time.Hour
	// RetryWindow is how long after its first attempt a delivery is
	// retried before it is marked failed.
	RetryWindow = 24 * time.Hour
	// KeepFinished is how long delivered and failed deliveries stay in the
	// log.
	KeepFinished = 30 * 24 * time.Hour
)

// Job is a delivery claimed by a worker, with what sending it needs.
type Job struct {
	DeliveryID uuid.UUID
	WebhookID  uuid.UUID
	EventID    uuid.UUID
	EventType  string
	URL        string
	Secret     string
	Body       []byte
	Attempts   int
	// FirstAttemptAt is when the delivery was first tried: this attempt's
	// time when it is the first.
	FirstAttemptAt time.Time
}

// Outcome is what an attempt came to.
type Outcome struct {
	DeliveryID uuid.UUID
	Status     string // pending (to be retried), delivered or failed
	Attempts   int
	StatusCode int // 0: no answer
	Error      string
	At         time.Time
	// NextAttemptAt is when a pending delivery is tried again.
	NextAttemptAt time.Time
}

// Queue is the outbox of deliveries as a worker sees it. Several workers
// (one per replica) may share it.
type Queue interface {
	// Claim takes up to limit pending deliveries due at now, and makes
	// them due again at leaseUntil only, so that no other worker takes them
	// meanwhile and a worker that dies leaves them to another.
	Claim(ctx context.Context, now, leaseUntil time.Time, limit int) ([]Job, error)
	// Finish records an attempt; a delivery deleted meanwhile (its
	// endpoint was) is no error.
	Finish(ctx context.Context, o Outcome) error
	// Purge deletes up to limit delivered or failed deliveries created
	// before before, and returns how many it deleted.
	Purge(ctx context.Context, before time.Time, limit int) (int, error)
}

// WorkerOptions configure a worker; zero values take the defaults.
type WorkerOptions struct {
	// Client sends deliveries; nil: NewClient(AllowPrivate, nil).
	Client       *http.Client
	AllowPrivate bool
	// Clock gives the current time; nil: time.Now.
	Clock func() time.Time
	// Jitter shortens a retry wait at random so that endpoints that failed
	// together are not retried together; nil: by up to a fifth.
	Jitter func(time.Duration) time.Duration
	// Batch is how many deliveries one round claims and sends at once (16).
	Batch int
	// Poll is how long the worker waits when nothing was due (1 s).
	Poll   time.Duration
	Logger *slog.Logger
	// OnAttempt, when set, learns of every attempt's outcome (metrics).
	OnAttempt func(Outcome)
}

// Worker sends the outbox's deliveries, signed, and schedules retries.
type Worker struct {
	queue     Queue
	client    *http.Client
	now       func() time.Time
	jitter    func(time.Duration) time.Duration
	batch     int
	poll      time.Duration
	logger    *slog.Logger
	onAttempt func(Outcome)
}

// lease is how long a claimed delivery stays with its worker: longer than
// an attempt can take.
const lease = 3 * Timeout

// NewWorker returns a worker on queue.
func NewWorker(queue Queue, opts WorkerOptions) *Worker {
	w := &Worker{queue: queue, client: opts.Client, now: opts.Clock, jitter: opts.Jitter, batch: opts.Batch,
		poll: opts.Poll, logger: opts.Logger, onAttempt: opts.OnAttempt}
	if w.client == nil {
		w.client = NewClient(opts.AllowPrivate, nil)
	}
	if w.now == nil {
		w.now = time.Now
	}
	if w.jitter == nil {
		w.jitter = func(d time.Duration) time.Duration { return d - rand.N(d/5+1) }
	}
	if w.batch <= 0 {
		w.batch = 16
	}
	if w.poll <= 0 {
		w.poll = time.Second
	}
	if w.logger == nil {
		w.logger = slog.New(slog.DiscardHandler)
	}
	if w.onAttempt == nil {
		w.onAttempt = func(Outcome) {}
	}
	return w
}

// Run sends deliveries until ctx ends, and purges old ones hourly.
// Attempts under way when ctx ends are finished (at most Timeout) and
// recorded.
func (w *Worker) Run(ctx context.Context) {
	failures := 0
	lastPurge := time.Time{}
	for ctx.Err() == nil {
		if time.Since(lastPurge) >= time.Hour {
			lastPurge = time.Now()
			w.purge(ctx)
		}
		n, err := w.RunOnce(ctx)
		wait := w.poll
		switch {
		case err != nil && ctx.Err() == nil:
			failures++
			wait = min(w.poll<<min(failures, 5), 30*time.Second)
			w.logger.WarnContext(ctx, "webhook deliveries: cannot read the outbox", "error", err.Error(), "retry_in", wait.String())
		case err == nil:
			failures = 0
			if n == w.batch {
				continue // more may be due
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

func (w *Worker) purge(ctx context.Context) {
	before := w.now().Add(-KeepFinished)
	total := 0
	for {
		n, err := w.queue.Purge(ctx, before, 1000)
		total += n
		if err != nil {
			if ctx.Err() == nil {
				w.logger.WarnContext(ctx, "webhook deliveries: purge failed", "error", err.Error())
			}
			return
		}
		if n < 1000 {
			break
		}
	}
	if total > 0 {
		w.logger.InfoContext(ctx, "webhook deliveries purged", "deleted", total)
	}
}

// RunOnce claims the deliveries due now (one batch), sends them at once
// and records their outcomes; it returns how many it sent.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	now := w.now()
	jobs, err := w.queue.Claim(ctx, now, now.Add(lease), w.batch)
	if err != nil || len(jobs) == 0 {
		return 0, err
	}
	// An attempt under way is finished and recorded even when ctx ends
	// (shutdown): its receiver may have acted on it already.
	ctx = context.WithoutCancel(ctx)
	errc := make(chan error, len(jobs))
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := w.attempt(ctx, j)
			w.onAttempt(o)
			errc <- w.queue.Finish(ctx, o)
		}()
	}
	wg.Wait()
	close(errc)
	var errList []error
	for err := range errc {
		if err != nil {
			errList = append(errList, err)
		}
	}
	return len(jobs), errors.Join(errList...)
}

// attempt sends one delivery and says what comes of it.
func (w *Worker) attempt(ctx context.Context, j Job) Outcome {
	at := w.now()
	code, msg := w.send(ctx, j, at)
	o := Outcome{DeliveryID: j.DeliveryID, Attempts: j.Attempts + 1, StatusCode: code, Error: msg, At: at}
	first := j.FirstAttemptAt
	if first.IsZero() {
		first = at
	}
	switch {
	case msg == "":
		o.Status = StatusDelivered
	case at.Sub(first) >= RetryWindow:
		o.Status = StatusFailed
	default:
		o.Status = StatusPending
		o.NextAttemptAt = at.Add(w.jitter(Backoff(o.Attempts)))
		if end := first.Add(RetryWindow); o.NextAttemptAt.After(end) {
			o.NextAttemptAt = end // one last try as the window closes
		}
	}
	return o
}

// Backoff is the wait after the n-th failed attempt, before jitter: 30 s
// doubling, at most an hour.
func Backoff(n int) time.Duration {
	if n < 1 {
		n = 1
	}
	if n > 12 {
		return MaxRetryWait
	}
	return min(FirstRetry<<(n-1), MaxRetryWait)
}

// send POSTs the delivery and returns the answer's status (0 without one)
// and, unless it is a 2xx, why it failed in words fit for the owner's log.
func (w *Worker) send(ctx context.Context, j Job, at time.Time) (int, string) {
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.URL, bytes.NewReader(j.Body))
	if err != nil {
		return 0, "the URL cannot be called"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "otop-webhooks/1")
	req.Header.Set(HeaderEvent, j.EventType)
	req.Header.Set(HeaderEventID, j.EventID.String())
	req.Header.Set(HeaderDeliveryID, j.DeliveryID.String())
	req.Header.Set(HeaderSignature, Sign(j.Secret, at, j.Body))
	resp, err := w.client.Do(req)
	if err != nil {
		w.logger.DebugContext(ctx, "webhook delivery failed", "delivery_id", j.DeliveryID.String(), "error", err.Error())
		return 0, describe(err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswer))
	_ = resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return resp.StatusCode, ""
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return resp.StatusCode, fmt.Sprintf("answered %d; redirects are not followed", resp.StatusCode)
	}
	return resp.StatusCode, fmt.Sprintf("answered %d", resp.StatusCode)
}

// describe names a failed attempt's cause without the network's details
// (addresses, internal names), which are not the owner's to read.
func describe(err error) string {
	var (
		addrErr  *AddressError
		dnsErr   *net.DNSError
		certErr  *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalid  x509.CertificateInvalidError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
	)
	switch {
	case errors.As(err, &addrErr):
		return "the host resolved to " + addrErr.What + "; not delivered"
	case errors.Is(err, context.DeadlineExceeded), isTimeout(err):
		return "no answer within 10 s"
	case errors.As(err, &dnsErr):
		return "the host name did not resolve"
	case errors.As(err, &certErr), errors.As(err, &unknown), errors.As(err, &hostErr), errors.As(err, &invalid):
		return "the TLS certificate was not accepted"
	case errors.As(err, &recErr), errors.As(err, &alertErr):
		return "the TLS handshake failed"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "the connection was refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection was closed before an answer"
	}
	return "the connection failed"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
