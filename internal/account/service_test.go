package account_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"
	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/testenv"
)

// clock is a settable time source for the service.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

func newService(t *testing.T) (*account.Service, *clock) {
	t.Helper()
	return newServiceWith(t, func(*account.Policy) {})
}

func newServiceWith(t *testing.T, adjust func(*account.Policy)) (*account.Service, *clock) {
	t.Helper()
	policy := account.DefaultPolicy()
	policy.Argon2 = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	adjust(&policy)
	clk := &clock{now: time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)}
	centers := func(id string) bool { return id == "chiang-mai" || id == "bangkok" }
	svc, err := account.NewService(postgres.NewAccounts(testenv.DB(t)), centers, policy, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	return svc, clk
}

const goodPassword = "indigo cotton loom 1987"

func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var ve *errs.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error = %v, want a ValidationError", err)
	}
	var out []string
	for _, f := range ve.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestRegisterValidatesEveryField(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	tests := []struct {
		name string
		in   account.RegisterInput
		want string // comma-separated fields
	}{
		{"bad email", account.RegisterInput{Email: "not-an-email", Password: goodPassword, Role: "producer", DisplayName: "A"}, "email"},
		{"email without a domain dot", account.RegisterInput{Email: "a@localhost", Password: goodPassword, Role: "producer", DisplayName: "A"}, "email"},
		{"short password", account.RegisterInput{Email: "a@b.example", Password: "short1", Role: "producer", DisplayName: "A"}, "password"},
		{"common password", account.RegisterInput{Email: "a@b.example", Password: "password123", Role: "producer", DisplayName: "A"}, "password"},
		{"keyboard walk", account.RegisterInput{Email: "a@b.example", Password: "qwertyuiop", Role: "producer", DisplayName: "A"}, "password"},
		{"password made of the email", account.RegisterInput{Email: "somchai.weaver@b.example", Password: "somchai.weaver", Role: "producer", DisplayName: "A"}, "password"},
		{"overlong password", account.RegisterInput{Email: "a@b.example", Password: strings.Repeat("ab1", 50), Role: "producer", DisplayName: "A"}, "password"},
		{"importer without country", account.RegisterInput{Email: "a@b.example", Password: goodPassword, Role: "importer", DisplayName: "A"}, "country"},
		{"importer with a bad country", account.RegisterInput{Email: "a@b.example", Password: goodPassword, Role: "importer", DisplayName: "A", Country: "JPN"}, "country"},
		{"everything wrong at once", account.RegisterInput{Email: "x", Password: "1", Role: "importer"}, "email,password,display_name,country"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.Register(ctx, tt.in)
			if got := strings.Join(fieldsOf(t, err), ","); got != tt.want {
				t.Fatalf("invalid fields = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("staff roles cannot register themselves", func(t *testing.T) {
		for _, role := range []account.Role{account.RoleCurator, account.RoleAdmin, "superuser"} {
			_, err := svc.Register(ctx, account.RegisterInput{Email: "c@b.example", Password: goodPassword, Role: role, DisplayName: "C", SelectCenterID: "bangkok"})
			if f := fieldsOf(t, err); len(f) == 0 {
				t.Fatalf("role %s accepted", role)
			}
		}
	})
}

func TestRegisterNormalisesAndRefusesDuplicates(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	u, err := svc.Register(ctx, account.RegisterInput{Email: "  Buyer@Tokyo-Imports.Example ", Password: goodPassword, Role: "importer", DisplayName: "Tokyo Imports", Country: "jp"})
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	if u.Email != "buyer@tokyo-imports.example" || u.Country != "JP" || u.Role != account.RoleImporter || u.ID == uuid.Nil {
		t.Fatalf("user = %+v", u)
	}
	_, err = svc.Register(ctx, account.RegisterInput{Email: "BUYER@tokyo-imports.example", Password: goodPassword, Role: "producer", DisplayName: "Other"})
	if !errors.Is(err, errs.ErrConflict) {
		t.Fatalf("duplicate email: %v, want ErrConflict", err)
	}
}

func TestCreateStaff(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	curator, err := svc.CreateStaff(ctx, account.RegisterInput{Email: "cm@otop.example", Password: goodPassword, Role: "curator", DisplayName: "CM", SelectCenterID: "chiang-mai"})
	if err != nil || curator.SelectCenterID != "chiang-mai" {
		t.Fatalf("curator = %+v, %v", curator, err)
	}
	for _, in := range []account.RegisterInput{
		{Email: "x1@otop.example", Password: goodPassword, Role: "curator", DisplayName: "X"},                             // no center
		{Email: "x2@otop.example", Password: goodPassword, Role: "curator", DisplayName: "X", SelectCenterID: "phuket"},   // unknown center
		{Email: "x3@otop.example", Password: goodPassword, Role: "admin", DisplayName: "X", SelectCenterID: "chiang-mai"}, // admins have none
		{Email: "x4@otop.example", Password: goodPassword, Role: "producer", DisplayName: "X"},                            // not staff
	} {
		if _, err := svc.CreateStaff(ctx, in); len(fieldsOf(t, err)) == 0 {
			t.Fatalf("CreateStaff(%+v) accepted", in)
		}
	}
}

func TestLoginAuthenticateLogout(t *testing.T) {
	t.Parallel()
	svc, clk := newService(t)
	ctx := context.Background()
	u, err := svc.Register(ctx, account.RegisterInput{Email: "weaver@surin.example", Password: goodPassword, Role: "producer", DisplayName: "Surin Silk"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := svc.Login(ctx, "Weaver@Surin.example", goodPassword, "192.0.2.1")
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if !strings.HasPrefix(s.Token, "otop_") || len(s.Token) < 40 || s.User.ID != u.ID || !s.ExpiresAt.After(clk.Now()) {
		t.Fatalf("session = %+v", s)
	}
	p, err := svc.Authenticate(ctx, s.Token)
	if err != nil || p.UserID != u.ID || p.Role != account.RoleProducer {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	if _, err := svc.Authenticate(ctx, s.Token+"x"); !errors.Is(err, errs.ErrUnauthenticated) {
		t.Fatalf("altered token: %v", err)
	}
	if err := svc.Logout(ctx, s.Token); err != nil {
		t.Fatalf("Logout: %v", err)
	}
	if _, err := svc.Authenticate(ctx, s.Token); !errors.Is(err, errs.ErrUnauthenticated) {
		t.Fatalf("revoked token still authenticates: %v", err)
	}

	s2, err := svc.Login(ctx, "weaver@surin.example", goodPassword, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(31 * 24 * time.Hour)
	if _, err := svc.Authenticate(ctx, s2.Token); !errors.Is(err, errs.ErrUnauthenticated) {
		t.Fatalf("expired token still authenticates: %v", err)
	}
}

func TestLoginFailuresAreLimitedPerAccountAndPerAddress(t *testing.T) {
	t.Parallel()
	svc, clk := newService(t)
	ctx := context.Background()
	if _, err := svc.Register(ctx, account.RegisterInput{Email: "herb@yasothon.example", Password: goodPassword, Role: "producer", DisplayName: "Herbs"}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := svc.Login(ctx, "herb@yasothon.example", "wrong password "+string(rune('a'+i)), "198.51.100.7"); !errors.Is(err, errs.ErrUnauthenticated) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	// The sixth attempt is refused even with the right password, from any address.
	_, err := svc.Login(ctx, "herb@yasothon.example", goodPassword, "203.0.113.9")
	var limited *errs.RateLimited
	if !errors.As(err, &limited) || limited.RetryAfter <= 0 || limited.RetryAfter > 15*time.Minute {
		t.Fatalf("sixth attempt: %v, want RateLimited", err)
	}
	clk.Add(16 * time.Minute)
	if _, err := svc.Login(ctx, "herb@yasothon.example", goodPassword, "203.0.113.9"); err != nil {
		t.Fatalf("after the window: %v", err)
	}

	// One address guessing many accounts is limited too.
	for i := range 20 {
		email := "nobody" + string(rune('a'+i)) + "@x.example"
		if _, err := svc.Login(ctx, email, "whatever password", "192.0.2.200"); !errors.Is(err, errs.ErrUnauthenticated) {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	if _, err := svc.Login(ctx, "herb@yasothon.example", goodPassword, "192.0.2.200"); !errors.As(err, &limited) {
		t.Fatalf("21st attempt from one address: %v, want RateLimited", err)
	}
}

func TestOverlongLoginEmailsAreRefusedAndCounted(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	long := strings.Repeat("a", 1<<20) + "@example.com"
	for i := range 20 {
		var ve *errs.ValidationError
		if _, err := svc.Login(ctx, long, "x", "192.0.2.77"); !errors.As(err, &ve) || ve.Fields[0].Field != "email" {
			t.Fatalf("attempt %d with a 1 MB email: %v, want 422 naming email", i+1, err)
		}
	}
	var limited *errs.RateLimited
	if _, err := svc.Login(ctx, long, "x", "192.0.2.77"); !errors.As(err, &limited) {
		t.Fatalf("21st overlong attempt from one address: %v, want RateLimited (the attempts count)", err)
	}
}

func TestMe(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	if _, err := svc.Me(ctx, account.Principal{}); !errors.Is(err, errs.ErrUnauthenticated) {
		t.Fatalf("anonymous Me: %v", err)
	}
	u, err := svc.Register(ctx, account.RegisterInput{Email: "me@x.example", Password: goodPassword, Role: "producer", DisplayName: "Me"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Me(ctx, account.Principal{UserID: u.ID, Role: u.Role})
	if err != nil || got.Email != "me@x.example" {
		t.Fatalf("Me = %+v, %v", got, err)
	}
}

func TestPrincipalCanCurate(t *testing.T) {
	tests := []struct {
		p      account.Principal
		center string
		want   bool
	}{
		{account.Principal{}, "chiang-mai", false},
		{account.Principal{UserID: uuid.New(), Role: account.RoleProducer}, "chiang-mai", false},
		{account.Principal{UserID: uuid.New(), Role: account.RoleCurator, SelectCenterID: "chiang-mai"}, "chiang-mai", true},
		{account.Principal{UserID: uuid.New(), Role: account.RoleCurator, SelectCenterID: "bangkok"}, "chiang-mai", false},
		{account.Principal{UserID: uuid.New(), Role: account.RoleAdmin}, "songkhla", true},
		{account.Principal{Role: account.RoleAdmin}, "songkhla", false}, // no user id: anonymous
	}
	for _, tt := range tests {
		if got := tt.p.CanCurate(tt.center); got != tt.want {
			t.Errorf("%+v.CanCurate(%s) = %v, want %v", tt.p, tt.center, got, tt.want)
		}
	}
}

func TestParallelGuessesAreCountedBeforeThePasswordIsChecked(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	if _, err := svc.Register(ctx, account.RegisterInput{Email: "silk@lamphun.example", Password: goodPassword, Role: "producer", DisplayName: "Silk"}); err != nil {
		t.Fatal(err)
	}
	var (
		wg               sync.WaitGroup
		mu               sync.Mutex
		checked, limited int
	)
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := svc.Login(ctx, "silk@lamphun.example", fmt.Sprintf("guess number %d", i), fmt.Sprintf("198.51.100.%d", i))
			var rl *errs.RateLimited
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, errs.ErrUnauthenticated):
				checked++
			case errors.As(err, &rl):
				limited++
			default:
				t.Errorf("guess %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if checked != 5 || limited != 25 {
		t.Errorf("%d guesses reached the password check and %d were refused; want 5 and 25", checked, limited)
	}
}

func TestSuccessfulLoginsDoNotCountAgainstTheAddress(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	if _, err := svc.Register(ctx, account.RegisterInput{Email: "office@khonkaen.example", Password: goodPassword, Role: "importer", DisplayName: "Office", Country: "JP"}); err != nil {
		t.Fatal(err)
	}
	for i := range 25 { // more than the 20 failures an address may make
		if _, err := svc.Login(ctx, "office@khonkaen.example", goodPassword, "192.0.2.50"); err != nil {
			t.Fatalf("login %d from a shared office address: %v", i+1, err)
		}
	}
}

func TestPasswordHashingIsBoundedByItsMemoryBudget(t *testing.T) {
	t.Parallel()
	svc, _ := newServiceWith(t, func(p *account.Policy) {
		// One hash at a time, each slow enough to overlap the others.
		p.Argon2 = &argon2id.Params{Memory: 1024, Iterations: 60, Parallelism: 1, SaltLength: 16, KeyLength: 32}
		p.HashMemoryBytes, p.HashWait = 1024<<10, time.Millisecond
	})
	ctx := context.Background()
	var (
		wg         sync.WaitGroup
		mu         sync.Mutex
		busy, done int
	)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := svc.Login(ctx, fmt.Sprintf("nobody%d@example.com", i), "some password", "192.0.2.60")
			var rl *errs.RateLimited
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.As(err, &rl) && strings.Contains(rl.Reason, "busy"):
				busy++
				if rl.RetryAfter <= 0 {
					t.Errorf("a busy answer without Retry-After")
				}
			case errors.Is(err, errs.ErrUnauthenticated):
				done++
			default:
				t.Errorf("login %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if busy == 0 || done == 0 {
		t.Errorf("%d logins checked, %d told the server is busy: want both (one hash at a time)", done, busy)
	}
	// A busy refusal is not a failed login: the address has room for exactly
	// the failures it did not make.
	for i := range 20 - done {
		if _, err := svc.Login(ctx, fmt.Sprintf("later%d@example.com", i), "some password", "192.0.2.60"); !errors.Is(err, errs.ErrUnauthenticated) {
			var rl *errs.RateLimited
			if errors.As(err, &rl) && strings.Contains(rl.Reason, "busy") {
				continue
			}
			t.Fatalf("attempt %d after the busy ones: %v", i+1, err)
		}
	}
}

func TestSignUpsAreLimitedPerAddressAndIPv6Slash64(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := context.Background()
	register := func(i int, addr string) error {
		_, err := svc.Register(ctx, account.RegisterInput{Email: fmt.Sprintf("buyer%d@example.com", i), Password: goodPassword,
			Role: "importer", DisplayName: "Buyer", Country: "DE", ClientAddr: addr})
		return err
	}
	for i := range 10 { // ten addresses of one /64
		if err := register(i, fmt.Sprintf("2001:db8:1:2::%x", i+1)); err != nil {
			t.Fatalf("sign-up %d: %v", i+1, err)
		}
	}
	var rl *errs.RateLimited
	if err := register(10, "2001:db8:1:2:ffff::1"); !errors.As(err, &rl) || rl.RetryAfter <= 0 {
		t.Fatalf("11th sign-up from the same /64: %v, want RateLimited", err)
	}
	if err := register(11, "2001:db8:1:3::1"); err != nil {
		t.Errorf("another /64: %v", err)
	}
	if err := register(12, ""); err != nil {
		t.Errorf("the command line (no address) is not limited: %v", err)
	}
}

func TestClientKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"192.0.2.7":            "192.0.2.7",
		"::ffff:192.0.2.7":     "192.0.2.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2::9":      "2001:db8:1:2::/64",
		"fe80::1%eth0":         "fe80::/64",
		"not an address":       "not an address",
	} {
		if got := account.ClientKey(in); got != want {
			t.Errorf("ClientKey(%q) = %q, want %q", in, got, want)
		}
	}
}
