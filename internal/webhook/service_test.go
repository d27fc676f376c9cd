package webhook_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/testenv"
	"github.com/otopmarket/otop/internal/webhook"
)

// hosts answers lookups of the names the tests use and passes the others
// (localhost) to the system's resolver.
type hosts map[string][]string

func (h hosts) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	addrs, ok := h[host]
	if !ok {
		return net.DefaultResolver.LookupNetIP(ctx, network, host)
	}
	switch {
	case len(addrs) == 0:
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	case addrs[0] == "servfail":
		return nil, &net.DNSError{Err: "server misbehaving", Name: host, IsTemporary: true}
	}
	out := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		out[i] = netip.MustParseAddr(a)
	}
	return out, nil
}

func testHosts() hosts {
	return hosts{
		"hooks.example.com":    {"93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"},
		"internal.example.com": {"10.1.2.3"},
		"mixed.example.com":    {"93.184.215.14", "127.0.0.1"},
		"meta.example.com":     {"169.254.169.254"},
		"nowhere.example.com":  {},
		"flaky.example.com":    {"servfail"},
	}
}

// clock is a settable clock shared by a test's service and worker.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Now().UTC().Add(time.Second).Truncate(time.Microsecond)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type fixture struct {
	db    *gorm.DB
	store *postgres.Webhooks
	svc   *webhook.Service
	clock *clock
}

func newFixture(t *testing.T, allowPrivate bool) *fixture {
	t.Helper()
	db := testenv.DB(t)
	store := postgres.NewWebhooks(db)
	c := newClock()
	return &fixture{db: db, store: store, clock: c,
		svc: webhook.NewService(store, webhook.Options{AllowPrivate: allowPrivate, Resolver: testHosts()}, c.Now)}
}

// user inserts an account of the role and returns it as a principal.
func (f *fixture) user(t *testing.T, role account.Role) account.Principal {
	t.Helper()
	p := account.Principal{UserID: uuid.New(), Role: role}
	var country, center *string
	switch role {
	case account.RoleImporter:
		jp := "JP"
		country = &jp
	case account.RoleCurator:
		cm := "chiang-mai"
		center = &cm
	}
	err := f.db.Exec(`INSERT INTO users (id, email, password_hash, role, country, select_center_id) VALUES (?, ?, 'x', ?, ?, ?)`,
		p.UserID, p.UserID.String()+"@example.com", string(role), country, center).Error
	if err != nil {
		t.Fatalf("insert user: %v", err)
	}
	return p
}

// fieldOf returns the single field a validation error names.
func fieldOf(err error) string {
	var ve *errs.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 1 {
		return ""
	}
	return ve.Fields[0].Field
}

func TestCreateRefusesEndpointsThatCouldReachInside(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	owner := f.user(t, account.RoleProducer)
	ctx := context.Background()
	cases := []struct {
		name  string
		in    webhook.CreateInput
		field string
		want  string // part of the message
	}{
		{"empty", webhook.CreateInput{}, "url", "required"},
		{"NUL", webhook.CreateInput{URL: "https://hooks.example.com/\x00x"}, "url", "control"},
		{"space", webhook.CreateInput{URL: "https://hooks.example.com/a b"}, "url", "control"},
		{"overlong", webhook.CreateInput{URL: "https://hooks.example.com/" + strings.Repeat("a", 2000)}, "url", "2000"},
		{"relative", webhook.CreateInput{URL: "/hooks"}, "url", "absolute"},
		{"no host", webhook.CreateInput{URL: "https:///hooks"}, "url", "absolute"},
		{"ftp", webhook.CreateInput{URL: "ftp://hooks.example.com/in"}, "url", "https://"},
		{"http without the flag", webhook.CreateInput{URL: "http://hooks.example.com/in"}, "url", "https://"},
		{"user info", webhook.CreateInput{URL: "https://me:secret@hooks.example.com/in"}, "url", "user name"},
		{"fragment", webhook.CreateInput{URL: "https://hooks.example.com/in#x"}, "url", "fragment"},
		{"port 0", webhook.CreateInput{URL: "https://hooks.example.com:0/in"}, "url", "port"},
		{"port too high", webhook.CreateInput{URL: "https://hooks.example.com:70000/in"}, "url", "port"},
		{"10.0.0.1", webhook.CreateInput{URL: "https://10.0.0.1/in"}, "url", "private"},
		{"192.168.1.10", webhook.CreateInput{URL: "https://192.168.1.10:8443/in"}, "url", "private"},
		{"127.0.0.1", webhook.CreateInput{URL: "https://127.0.0.1/in"}, "url", "loopback"},
		{"[::1]", webhook.CreateInput{URL: "https://[::1]:8443/in"}, "url", "loopback"},
		{"IPv4-mapped loopback", webhook.CreateInput{URL: "https://[::ffff:127.0.0.1]/in"}, "url", "loopback"},
		{"cloud metadata", webhook.CreateInput{URL: "https://169.254.169.254/latest/meta-data/"}, "url", "link-local"},
		{"fe80::1", webhook.CreateInput{URL: "https://[fe80::1]/in"}, "url", "link-local"},
		{"CGNAT", webhook.CreateInput{URL: "https://100.64.1.1/in"}, "url", "carrier-grade"},
		{"0.0.0.0", webhook.CreateInput{URL: "https://0.0.0.0/in"}, "url", "unspecified"},
		{"decimal IPv4", webhook.CreateInput{URL: "https://2130706433/in"}, "url", "usual form"},
		{"hex IPv4", webhook.CreateInput{URL: "https://0x7f.0x1/in"}, "url", "usual form"},
		{"localhost", webhook.CreateInput{URL: "https://localhost:8443/in"}, "url", "loopback"},
		{"a name resolving to a private address", webhook.CreateInput{URL: "https://internal.example.com/in"}, "url", "private"},
		{"a name resolving to metadata", webhook.CreateInput{URL: "https://meta.example.com/in"}, "url", "link-local"},
		{"a name with one bad address among good ones", webhook.CreateInput{URL: "https://mixed.example.com/in"}, "url", "loopback"},
		{"a name that does not resolve", webhook.CreateInput{URL: "https://nowhere.example.com/in"}, "url", "does not resolve"},
		{"a host name with odd characters", webhook.CreateInput{URL: "https://hooks$.example.com/in"}, "url", "letters"},
		{"unknown event", webhook.CreateInput{URL: "https://hooks.example.com/in", Events: []string{"order.placed", "order.exploded"}}, "events[1]", "one of"},
		{"event twice", webhook.CreateInput{URL: "https://hooks.example.com/in", Events: []string{"order.placed", "order.placed"}}, "events[1]", "twice"},
		{"long description", webhook.CreateInput{URL: "https://hooks.example.com/in", Description: strings.Repeat("ก", 201)}, "description", "200"},
		{"description with a line break", webhook.CreateInput{URL: "https://hooks.example.com/in", Description: "a\nb"}, "description", "control"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.Create(ctx, owner, c.in)
			var ve *errs.ValidationError
			if !errors.As(err, &ve) || fieldOf(err) != c.field || !strings.Contains(ve.Fields[0].Message, c.want) {
				t.Errorf("Create(%q) = %v; want a problem with %s saying %q", c.in.URL, err, c.field, c.want)
			}
		})
	}
	t.Run("a resolver that fails is unavailable, not the client's fault", func(t *testing.T) {
		_, err := f.svc.Create(ctx, owner, webhook.CreateInput{URL: "https://flaky.example.com/in"})
		if !errors.Is(err, errs.ErrUnavailable) {
			t.Errorf("Create = %v, want ErrUnavailable", err)
		}
	})
	if eps, err := f.svc.List(ctx, owner); err != nil || len(eps) != 0 {
		t.Errorf("refused endpoints were stored: %v, %v", eps, err)
	}
	ep, err := f.svc.Create(ctx, owner, webhook.CreateInput{URL: "https://hooks.example.com:8443/otop?k=1",
		Events: []string{"order.shipped", "order.placed"}, Description: "  ERP  "})
	if err != nil {
		t.Fatalf("Create of a public endpoint: %v", err)
	}
	if !strings.HasPrefix(ep.Secret, "whsec_") || ep.Description != "ERP" || strings.Join(ep.Events, ",") != "order.placed,order.shipped" {
		t.Errorf("created %+v", ep)
	}
	eps, err := f.svc.List(ctx, owner)
	if err != nil || len(eps) != 1 || eps[0].ID != ep.ID || eps[0].Secret != "" {
		t.Errorf("List = %+v, %v; want the endpoint without its secret", eps, err)
	}
}

func TestTheAllowFlagAcceptsLoopbackAndPlainHTTP(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	owner := f.user(t, account.RoleImporter)
	for _, u := range []string{"http://127.0.0.1:8080/in", "https://localhost:8443/in", "https://10.0.0.1/in"} {
		if _, err := f.svc.Create(context.Background(), owner, webhook.CreateInput{URL: u}); err != nil {
			t.Errorf("Create(%s) with the flag: %v", u, err)
		}
	}
	if _, err := f.svc.Create(context.Background(), owner, webhook.CreateInput{URL: "ftp://127.0.0.1/in"}); fieldOf(err) != "url" {
		t.Errorf("ftp:// with the flag = %v, want refused", err)
	}
}

func TestOnlyProducersAndImportersOwnEndpointsAndOnlyTheirOwn(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	ctx := context.Background()
	owner, other := f.user(t, account.RoleProducer), f.user(t, account.RoleImporter)
	ep, err := f.svc.Create(ctx, owner, webhook.CreateInput{URL: "https://hooks.example.com/in"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		p    account.Principal
		want error
	}{
		{"anonymous", account.Principal{}, errs.ErrUnauthenticated},
		{"curator", f.user(t, account.RoleCurator), errs.ErrForbidden},
		{"admin", f.user(t, account.RoleAdmin), errs.ErrForbidden},
		{"another importer", other, errs.ErrNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !errors.Is(c.want, errs.ErrNotFound) {
				if _, err := f.svc.Create(ctx, c.p, webhook.CreateInput{URL: "https://hooks.example.com/x"}); !errors.Is(err, c.want) {
					t.Errorf("Create = %v, want %v", err, c.want)
				}
				if _, err := f.svc.List(ctx, c.p); !errors.Is(err, c.want) {
					t.Errorf("List = %v, want %v", err, c.want)
				}
			}
			if _, err := f.svc.Deliveries(ctx, c.p, ep.ID, webhook.Filter{}); !errors.Is(err, c.want) {
				t.Errorf("Deliveries = %v, want %v", err, c.want)
			}
			if _, err := f.svc.Redeliver(ctx, c.p, ep.ID, uuid.New()); !errors.Is(err, c.want) {
				t.Errorf("Redeliver = %v, want %v", err, c.want)
			}
			if err := f.svc.Delete(ctx, c.p, ep.ID); !errors.Is(err, c.want) {
				t.Errorf("Delete = %v, want %v", err, c.want)
			}
		})
	}
	if eps, _ := f.svc.List(ctx, other); len(eps) != 0 {
		t.Errorf("another importer lists %d endpoints", len(eps))
	}
	if err := f.svc.Delete(ctx, owner, ep.ID); err != nil {
		t.Fatalf("owner deletes: %v", err)
	}
	if err := f.svc.Delete(ctx, owner, ep.ID); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("deleting twice = %v, want ErrNotFound", err)
	}
}

func TestAUserHasAtMostTenEndpointsEvenWhenRegisteringAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	ctx := context.Background()
	owner := f.user(t, account.RoleProducer)
	if _, err := f.svc.Create(ctx, owner, webhook.CreateInput{URL: "https://hooks.example.com/dup"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Create(ctx, owner, webhook.CreateInput{URL: "https://hooks.example.com/dup"}); !errors.Is(err, errs.ErrConflict) {
		t.Errorf("the same URL twice = %v, want ErrConflict", err)
	}
	var wg sync.WaitGroup
	results := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.Create(ctx, owner, webhook.CreateInput{URL: "https://hooks.example.com/" + string(rune('a'+i))})
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	made, refused := 0, 0
	for err := range results {
		switch {
		case err == nil:
			made++
		case errors.Is(err, errs.ErrConflict) && strings.Contains(errs.ClientMessage(err, errs.ErrConflict), "most allowed"):
			refused++
		default:
			t.Errorf("Create: %v", err)
		}
	}
	if made != webhook.MaxEndpoints-1 || refused != 20-made {
		t.Errorf("20 registrations at once: %d made, %d refused; want %d made", made, refused, webhook.MaxEndpoints-1)
	}
	if eps, _ := f.svc.List(ctx, owner); len(eps) != webhook.MaxEndpoints {
		t.Errorf("the user has %d endpoints, want %d", len(eps), webhook.MaxEndpoints)
	}
}

func TestDeliveriesListRefusesBadQueries(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	ctx := context.Background()
	owner := f.user(t, account.RoleProducer)
	ep, err := f.svc.Create(ctx, owner, webhook.CreateInput{URL: "https://hooks.example.com/in"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		f     webhook.Filter
		field string
	}{
		{"limit too high", webhook.Filter{Limit: 101}, "limit"},
		{"negative limit", webhook.Filter{Limit: -1}, "limit"},
		{"unknown status", webhook.Filter{Status: "lost"}, "status"},
		{"a cursor of another list", webhook.Filter{Cursor: "eyJsIjoiYXVkaXQiLCJ0IjoiMjAyNi0wMS0wMVQwMDowMDowMFoiLCJpZCI6IngifQ"}, "cursor"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.svc.Deliveries(ctx, owner, ep.ID, c.f)
			var qe *errs.QueryError
			if !errors.As(err, &qe) || fieldOf(err) != c.field {
				t.Errorf("Deliveries = %v, want a query problem with %s", err, c.field)
			}
		})
	}
}
