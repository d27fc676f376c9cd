package cli

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// spin burns CPU until stop is closed, for the profile to find it.
//
//go:noinline
func spin(stop <-chan struct{}) int {
	n := 0
	for {
		select {
		case <-stop:
			return n
		default:
		}
		for i := range 1 << 16 {
			n += i * i
		}
	}
}

// TestPprofServesProfilesUntilItsContextEnds: a CPU profile taken from
// PPROF_ADDR's listener shows where the process spends its time, and the
// listener closes with serve's context.
func TestPprofServesProfilesUntilItsContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, err := servePprof(ctx, "127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	go spin(stop)
	resp, err := http.Get("http://" + addr + "/debug/pprof/profile?seconds=1") //nolint:noctx // bounded by the profile's duration
	close(stop)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close() //nolint:errcheck // test
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("profile: %d %s", resp.StatusCode, b)
	}
	p, err := profile.Parse(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	// The samples with spin on their stacks.
	found, _, _, _ := p.FilterSamplesByName(regexp.MustCompile(`cli\.spin$`), nil, nil, nil)
	if !found || len(p.Sample) == 0 {
		t.Errorf("the profile does not show spin")
	}

	// The listener closes in a goroutine that watches the context, so the
	// test waits for it rather than racing it.
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/debug/pprof/cmdline") //nolint:noctx // loopback, answered at once
		if err != nil {
			break
		}
		_ = resp.Body.Close()
		if time.Now().After(deadline) {
			t.Fatal("the profiles are still served after the context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestMetricsServeOnTheirOwnListener: METRICS_ADDR's listener answers
// /metrics (and nothing else) until serve's context ends.
func TestMetricsServeOnTheirOwnListener(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "otop_up 1\n") })
	addr, err := serveMetrics(ctx, "127.0.0.1:0", metrics, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string, error) {
		resp, err := http.Get("http://" + addr + path) //nolint:noctx // loopback, answered at once
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close() //nolint:errcheck // test
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), nil
	}
	if code, body, err := get("/metrics"); err != nil || code != http.StatusOK || body != "otop_up 1\n" {
		t.Errorf("/metrics = %d %q %v", code, body, err)
	}
	if code, _, err := get("/v1/regions"); err != nil || code != http.StatusNotFound {
		t.Errorf("the API on the metrics listener = %d %v, want 404", code, err)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, _, err := get("/metrics"); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the metrics listener is still open after its context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
