package webhook

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// MaxURLLength bounds an endpoint's URL.
const MaxURLLength = 2000

// Resolver looks up the addresses of a host name; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// refused are the IPv4 ranges a webhook must never reach: what is not a
// public Internet address (RFC 6890's special-purpose registry), with the
// word that tells a user why.
var refused = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "an unspecified (\"this network\") address"},
	{netip.MustParsePrefix("10.0.0.0/8"), "a private address"},
	{netip.MustParsePrefix("100.64.0.0/10"), "a shared (carrier-grade NAT) address"},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address"},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address (where cloud metadata services live)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private address"},
	{netip.MustParsePrefix("192.0.0.0/24"), "a reserved address"},
	{netip.MustParsePrefix("192.0.2.0/24"), "a documentation address"},
	{netip.MustParsePrefix("192.88.99.0/24"), "a reserved address"},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private address"},
	{netip.MustParsePrefix("198.18.0.0/15"), "a reserved (benchmarking) address"},
	{netip.MustParsePrefix("198.51.100.0/24"), "a documentation address"},
	{netip.MustParsePrefix("203.0.113.0/24"), "a documentation address"},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address"},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved address"},
	// IPv6 outside 2000::/3 is refused below; these lie inside it.
	{netip.MustParsePrefix("2001::/23"), "a reserved address"},
	{netip.MustParsePrefix("2001:db8::/32"), "a documentation address"},
	{netip.MustParsePrefix("2002::/16"), "a 6to4 address"},
	{netip.MustParsePrefix("3fff::/20"), "a documentation address"},
}

var globalUnicast6 = netip.MustParsePrefix("2000::/3")

// Public reports whether a webhook may be delivered to a, and if not, what
// kind of address it is ("a loopback address"). An IPv4-mapped IPv6
// address is judged as the IPv4 address it carries.
func Public(a netip.Addr) (bool, string) {
	a = a.Unmap()
	switch {
	case !a.IsValid():
		return false, "not an address"
	case a.IsUnspecified():
		return false, "an unspecified address"
	case a.IsLoopback():
		return false, "a loopback address"
	case a.IsLinkLocalUnicast() && a.Is4():
		return false, "a link-local address (where cloud metadata services live)"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return false, "a link-local address"
	case a.IsPrivate():
		return false, "a private address"
	case a.IsMulticast():
		return false, "a multicast address"
	case a.Is6() && !globalUnicast6.Contains(a):
		// NAT64 (64:ff9b::/96) and the IPv4-compatible addresses would
		// reach IPv4 addresses by another name.
		return false, "not a public address"
	}
	for _, r := range refused {
		if r.prefix.Contains(a) {
			return false, r.what
		}
	}
	return true, ""
}

// AddressError is a connection refused because of where it would go.
type AddressError struct {
	Addr netip.Addr
	What string
}

func (e *AddressError) Error() string {
	return fmt.Sprintf("webhook: %s is %s", e.Addr, e.What)
}

// dialControl refuses, at connect time, any address that is not public: a
// name that resolved to a public address when the endpoint was registered
// may resolve elsewhere now (DNS rebinding), and the address dialled is
// the one that counts.
func dialControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &AddressError{What: "not an address"}
	}
	if ok, what := Public(ap.Addr()); !ok {
		return &AddressError{Addr: ap.Addr(), What: what}
	}
	return nil
}

// Delivery limits.
const (
	// Timeout bounds one delivery attempt, connection to answer.
	Timeout = 10 * time.Second
	// maxAnswer bounds what is read of an answer (and then dropped): enough
	// to reuse the connection, never a receiver's whole reply.
	maxAnswer = 64 << 10
)

// NewClient returns the HTTP client deliveries go out with: a 10 s
// timeout, no redirects followed (the answer counts as it is), no proxy
// from the environment (the guard must see the real destination), and,
// unless allowPrivate, a dialer that connects only to public addresses.
// tlsConfig may be nil (the system's roots).
func NewClient(allowPrivate bool, tlsConfig *tls.Config) *http.Client {
	dialer := &net.Dialer{Timeout: Timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = dialControl
	}
	if tlsConfig == nil {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	transport := &http.Transport{
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        tlsConfig,
		TLSHandshakeTimeout:    Timeout,
		ResponseHeaderTimeout:  Timeout,
		MaxIdleConns:           32,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        90 * time.Second,
		ForceAttemptHTTP2:      true,
		MaxResponseHeaderBytes: 16 << 10,
	}
	return &http.Client{
		Transport:     transport,
		Timeout:       Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// guard checks endpoint URLs when they are registered.
type guard struct {
	allowPrivate bool
	resolver     Resolver
}

// errResolve is a lookup that failed for a reason other than the name not
// existing (the resolver down): the client may try again.
var errResolve = errors.New("webhook: host lookup failed")

// check validates a URL and returns it as it will be called; a problem
// with it is its message for the client (field "url"), or errResolve.
// Without lookup, a host name is not looked up.
func (g guard) check(ctx context.Context, raw string, lookup bool) (string, string, error) {
	switch {
	case raw == "":
		return "", "is required", nil
	case len(raw) > MaxURLLength:
		return "", fmt.Sprintf("must be at most %d characters", MaxURLLength), nil
	case !utf8.ValidString(raw) || strings.ContainsFunc(raw, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "", "must not contain spaces or control characters", nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return "", "must be an absolute URL such as https://example.com/otop-webhooks", nil
	}
	switch {
	case u.Scheme == "http" && g.allowPrivate:
	case u.Scheme != "https":
		return "", "must be an https:// URL", nil
	}
	if u.User != nil {
		return "", "must not hold a user name or password; put a token in the path if you need one", nil
	}
	if u.Fragment != "" || strings.HasSuffix(raw, "#") {
		return "", "must not have a fragment (#...): it is never sent", nil
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", "has a port outside 1–65535", nil
		}
	}
	host := u.Hostname()
	a, ipErr := netip.ParseAddr(host)
	if ipErr != nil {
		if msg := checkHostName(host); msg != "" {
			return "", msg, nil
		}
	}
	if g.allowPrivate {
		return u.String(), "", nil
	}
	if ipErr == nil {
		if ok, what := Public(a); !ok {
			return "", fmt.Sprintf("points at %s; webhooks are delivered to public Internet addresses only", what), nil
		}
		return u.String(), "", nil
	}
	if !lookup {
		return u.String(), "", nil
	}
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := g.resolver.LookupNetIP(lctx, "ip", host)
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound, err == nil && len(addrs) == 0:
		return "", "names a host that does not resolve", nil
	case err != nil:
		return "", "", fmt.Errorf("%w: %w", errResolve, err)
	}
	for _, a := range addrs {
		if ok, what := Public(a); !ok {
			return "", fmt.Sprintf("names a host that resolves to %s; webhooks are delivered to public Internet addresses only", what), nil
		}
	}
	return u.String(), "", nil
}

// checkHostName refuses what is no DNS name. A numeric last label is
// refused too: no top-level domain is numeric, and some resolvers read
// "2130706433" or "0x7f.1" as IPv4 addresses (127.0.0.1).
func checkHostName(host string) string {
	host = strings.TrimSuffix(host, ".")
	if host == "" || len(host) > 253 {
		return "must name a host"
	}
	for _, r := range host {
		if r > 0x7e {
			return "must name its host in ASCII (the xn-- form of an international name)"
		}
		if !hostNameRune(r) {
			return "must name a host with letters, digits, hyphens and dots only"
		}
	}
	labels := strings.Split(host, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return "must name a host with labels of 1 to 63 characters"
		}
	}
	last := strings.ToLower(labels[len(labels)-1])
	if strings.Trim(last, "0123456789") == "" || (strings.HasPrefix(last, "0x") && strings.Trim(last[2:], "0123456789abcdef") == "") {
		return "must be a host name or an IP address in its usual form"
	}
	return ""
}

func hostNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_'
}
