package load

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// CPUProfile asks serve's profiling endpoint (pprofURL, the base URL of its
// PPROF_ADDR) for a CPU profile of the next d, in whole seconds and at
// least one, and hands the reply's body to read. The request is bounded by
// the profile's own length and a margin, so that a serve that stopped
// answering does not hold a run up.
func CPUProfile(ctx context.Context, pprofURL string, d time.Duration, read func(io.Reader) error) error {
	seconds := max(int(d/time.Second), 1)
	ctx, cancel := context.WithTimeout(ctx, time.Duration(seconds+30)*time.Second)
	defer cancel()
	u := fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", pprofURL, seconds)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close() //nolint:errcheck // read-only body
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s from %s", resp.Status, u)
	}
	return read(resp.Body)
}
