package webhook_test

import (
	"net/netip"
	"testing"

	"github.com/otopmarket/otop/internal/webhook"
)

func TestPublicRefusesEveryAddressThatIsNotOnTheInternet(t *testing.T) {
	cases := []struct {
		addr string
		ok   bool
	}{
		{"93.184.215.14", true},
		{"8.8.8.8", true},
		{"2606:4700:4700::1111", true},
		{"127.0.0.1", false},
		{"127.1.2.3", false},
		{"::1", false},
		{"10.0.0.1", false},
		{"172.16.5.4", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"fe80::1", false},
		{"fc00::1", false},
		{"fd12:3456::1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"100.64.0.1", false},
		{"100.127.255.254", false},
		{"224.0.0.1", false},
		{"ff02::1", false},
		{"255.255.255.255", false},
		{"240.0.0.1", false},
		{"198.18.0.1", false},
		{"192.0.2.10", false},
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.0.0.1", false},
		{"::ffff:169.254.169.254", false},
		{"64:ff9b::7f00:1", false}, // NAT64 of 127.0.0.1
		{"::127.0.0.1", false},     // IPv4-compatible
		{"2002:7f00:1::1", false},  // 6to4 of 127.0.0.1
		{"2001:db8::1", false},
		{"fec0::1", false},
	}
	for _, c := range cases {
		t.Run(c.addr, func(t *testing.T) {
			ok, what := webhook.Public(netip.MustParseAddr(c.addr))
			if ok != c.ok {
				t.Errorf("Public(%s) = %v (%s), want %v", c.addr, ok, what, c.ok)
			}
			if !ok && what == "" {
				t.Errorf("Public(%s) refuses without saying why", c.addr)
			}
		})
	}
}

func TestBackoffDoublesFromThirtySecondsToAnHour(t *testing.T) {
	want := []string{"30s", "1m0s", "2m0s", "4m0s", "8m0s", "16m0s", "32m0s", "1h0m0s", "1h0m0s"}
	for i, w := range want {
		if got := webhook.Backoff(i + 1).String(); got != w {
			t.Errorf("Backoff(%d) = %s, want %s", i+1, got, w)
		}
	}
	if got := webhook.Backoff(100); got != webhook.MaxRetryWait {
		t.Errorf("Backoff(100) = %s", got)
	}
}
