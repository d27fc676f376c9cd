package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/ccojocar/zxcvbn-go"
	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/country"
	"github.com/otopmarket/otop/internal/errs"
)

// Repository is the storage the account service needs.
type Repository interface {
	// CreateUser stores a new account and, in the same transaction, its
	// audit rows (staff accounts are audited).
	CreateUser(ctx context.Context, u User, passwordHash string, log []audit.Entry) (User, error)
	UserByEmail(ctx context.Context, email string) (User, string, error)
	UserByID(ctx context.Context, id uuid.UUID) (User, error)
	CreateToken(ctx context.Context, tokenHash []byte, userID uuid.UUID, expiresAt time.Time) error
	// PrincipalByToken also returns when the token expires.
	PrincipalByToken(ctx context.Context, tokenHash []byte, now time.Time) (Principal, time.Time, error)
	RevokeToken(ctx context.Context, tokenHash []byte, now time.Time) error
	// ReserveAttempts counts an attempt under every limit at once, as
	// failures until released: under each limit's lock, so that parallel
	// attempts see each other. When a limit is reached nothing is recorded
	// and retryAfter says when the oldest counted attempt leaves its window.
	ReserveAttempts(ctx context.Context, limits []Limit, now time.Time) (ids []int64, retryAfter time.Duration, err error)
	// ReleaseAttempts forgets reserved attempts that succeeded.
	ReleaseAttempts(ctx context.Context, ids []int64) error
	ClearLoginFailures(ctx context.Context, scope, key string) error
}

// Limit is at most Max attempts of Scope for Key within Window.
type Limit struct {
	Scope, Key string
	Max        int
	Window     time.Duration
}

// Policy holds the tunable rules of the service.
type Policy struct {
	MinPasswordLength int
	TokenTTL          time.Duration
	// At most MaxFailuresPerAccount failed logins for one email, and
	// MaxFailuresPerAddress for one client address, within FailureWindow.
	MaxFailuresPerAccount int
	MaxFailuresPerAddress int
	FailureWindow         time.Duration
	// At most MaxRegistrationsPerAddress sign-ups from one client address
	// (an IPv6 /64) within RegistrationWindow.
	MaxRegistrationsPerAddress int
	RegistrationWindow         time.Duration
	Argon2                     *argon2id.Params
	// HashMemoryBytes bounds the memory of the password hashes computed at
	// once (each takes Argon2.Memory KiB); a request that waits HashWait
	// for room is refused with 429.
	HashMemoryBytes int64
	HashWait        time.Duration
}

// DefaultPolicy is the production policy.
func DefaultPolicy() Policy {
	return Policy{
		MinPasswordLength:          10,
		TokenTTL:                   30 * 24 * time.Hour,
		MaxFailuresPerAccount:      5,
		MaxFailuresPerAddress:      20,
		FailureWindow:              15 * time.Minute,
		MaxRegistrationsPerAddress: 10,
		RegistrationWindow:         time.Hour,
		Argon2:                     &argon2id.Params{Memory: 64 * 1024, Iterations: 1, Parallelism: 2, SaltLength: 16, KeyLength: 32},
		HashMemoryBytes:            512 << 20,
		HashWait:                   2 * time.Second,
	}
}

const maxPasswordLength = 128

// Service registers users, signs them in and out, and resolves bearer tokens.
type Service struct {
	repo         Repository
	centerExists func(id string) bool
	countries    country.Set
	policy       Policy
	now          func() time.Time
	// dummyHash is compared against when an email is unknown, so that a
	// login takes as long whether or not the account exists.
	dummyHash string
	// hashSlots admits password hashes within the memory budget.
	hashSlots chan struct{}
	sessions  *Sessions
}

// NewService builds the account service. centerExists tells which Select
// center ids are real (taxonomy).
func NewService(repo Repository, centerExists func(id string) bool, policy Policy, now func() time.Time) (*Service, error) {
	dummy, err := argon2id.CreateHash("not a real password", policy.Argon2)
	if err != nil {
		return nil, fmt.Errorf("account: %w", err)
	}
	cs, err := country.Load()
	if err != nil {
		return nil, err
	}
	slots := int64(1)
	if per := int64(policy.Argon2.Memory) << 10; policy.HashMemoryBytes > per {
		slots = policy.HashMemoryBytes / per
	}
	return &Service{repo: repo, centerExists: centerExists, countries: cs, policy: policy, now: now, dummyHash: dummy,
		hashSlots: make(chan struct{}, slots)}, nil
}

// withHashSlot runs a password hash when the memory budget has room for
// it, waiting at most HashWait; past that the caller is told to retry.
func (s *Service) withHashSlot(ctx context.Context, hash func() error) error {
	wait := time.NewTimer(s.policy.HashWait)
	defer wait.Stop()
	select {
	case s.hashSlots <- struct{}{}:
	case <-wait.C:
		return &errs.RateLimited{Reason: "the server is busy checking passwords", RetryAfter: time.Second}
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.hashSlots }()
	return hash()
}

// ClientKey is the key a client address is limited by: the address itself
// for IPv4, its /64 for IPv6 (one subscriber gets a whole /64 and could
// otherwise take a new address per attempt).
func ClientKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	prefix, err := ip.Prefix(64)
	if err != nil {
		return addr
	}
	return prefix.String()
}

// RegisterInput is what a producer or importer gives to sign up.
type RegisterInput struct {
	Email          string
	Password       string
	Role           Role
	DisplayName    string
	Country        string
	SelectCenterID string
	// ClientAddr is the address the sign-up comes from; sign-ups are
	// limited per address. Empty for accounts made by the command line.
	ClientAddr string
}

// Register creates a producer or importer account.
func (s *Service) Register(ctx context.Context, in RegisterInput) (User, error) {
	if in.Role != RoleProducer && in.Role != RoleImporter {
		return User{}, errs.Invalid("role", "must be producer or importer")
	}
	if in.SelectCenterID != "" {
		return User{}, errs.Invalid("select_center_id", "only staff accounts belong to a Select center")
	}
	return s.create(ctx, in, false)
}

// CreateStaff creates a curator (bound to a Select center) or an admin; the
// CLI uses it. The new role is written to the audit log.
func (s *Service) CreateStaff(ctx context.Context, in RegisterInput) (User, error) {
	if in.Role != RoleCurator && in.Role != RoleAdmin {
		return User{}, errs.Invalid("role", "must be curator or admin")
	}
	return s.create(ctx, in, true)
}

func (s *Service) create(ctx context.Context, in RegisterInput, staff bool) (User, error) {
	u, err := s.validate(in)
	if err != nil {
		return User{}, err
	}
	if in.ClientAddr != "" {
		// Every sign-up that gets as far as hashing counts, accepted or not.
		_, retry, err := s.repo.ReserveAttempts(ctx, []Limit{{Scope: "register", Key: ClientKey(in.ClientAddr),
			Max: s.policy.MaxRegistrationsPerAddress, Window: s.policy.RegistrationWindow}}, s.now())
		if err != nil {
			return User{}, err
		}
		if retry > 0 {
			return User{}, &errs.RateLimited{Reason: "too many sign-ups from this address", RetryAfter: retry}
		}
	}
	var hash string
	err = s.withHashSlot(ctx, func() (err error) {
		hash, err = argon2id.CreateHash(in.Password, s.policy.Argon2)
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("hash password: %w", err)
	}
	u.ID = uuid.New()
	var log []audit.Entry
	if staff {
		e := audit.New(ctx, audit.System(), audit.EntityUser, u.ID, u.SelectCenterID, audit.ActionCreateStaff)
		e.After = map[string]any{"email": u.Email, "role": u.Role, "select_center_id": u.SelectCenterID}
		log = append(log, e)
	}
	created, err := s.repo.CreateUser(ctx, u, hash, log)
	if errors.Is(err, errs.ErrConflict) {
		return User{}, errs.New(errs.ErrConflict, "an account with this email already exists")
	}
	return created, err
}

func (s *Service) validate(in RegisterInput) (User, error) {
	var v errs.ValidationError
	email := NormalizeEmail(in.Email)
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || len(email) > 254 || !strings.Contains(email[strings.LastIndexByte(email, '@'):], ".") {
		v.Add("email", "must be a valid email address")
	}
	if msg := s.passwordProblem(in.Password, email, in.DisplayName); msg != "" {
		v.Add("password", msg)
	}
	name := strings.TrimSpace(in.DisplayName)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		v.Add("display_name", "is required, at most 100 characters")
	}
	country := strings.ToUpper(strings.TrimSpace(in.Country))
	switch {
	case in.Role == RoleImporter && !s.countries.Exists(country):
		v.Add("country", "importers give their country as an ISO 3166-1 alpha-2 code, e.g. JP")
	case in.Role != RoleImporter && country != "" && !s.countries.Exists(country):
		v.Add("country", "must be an ISO 3166-1 alpha-2 code")
	}
	switch {
	case in.Role == RoleCurator && !s.centerExists(in.SelectCenterID):
		v.Add("select_center_id", "a curator belongs to one Select center: chiang-mai, khon-kaen, songkhla or bangkok")
	case in.Role != RoleCurator && in.SelectCenterID != "":
		v.Add("select_center_id", "only curators belong to a Select center")
	}
	if err := v.Err(); err != nil {
		return User{}, err
	}
	u := User{Email: email, Role: in.Role, DisplayName: name, Country: country, SelectCenterID: in.SelectCenterID}
	if in.Role != RoleCurator {
		u.SelectCenterID = ""
	}
	return u, nil
}

// passwordProblem returns why a password is refused, or "".
func (s *Service) passwordProblem(password, email, name string) string {
	n := utf8.RuneCountInString(password)
	switch {
	case n < s.policy.MinPasswordLength:
		return fmt.Sprintf("must be at least %d characters", s.policy.MinPasswordLength)
	case n > maxPasswordLength:
		return fmt.Sprintf("must be at most %d characters", maxPasswordLength)
	}
	local, _, _ := strings.Cut(email, "@")
	strength := zxcvbn.PasswordStrength(password, []string{email, local, name, "otop", "topotop", "thailand"})
	if strength.Score < 2 {
		return "is too common or too easy to guess; use a longer phrase of unrelated words"
	}
	return ""
}

// maxEmailBytes bounds an email address (RFC 5321's 254 octets).
const maxEmailBytes = 254

// Session is the result of a successful login.
type Session struct {
	Token     string
	ExpiresAt time.Time
	User      User
}

// Login checks the password and issues a bearer token. Failed attempts are
// limited per account and per client address: each attempt is counted as a
// failure before the password is checked (so that parallel guesses see each
// other) and forgotten when it succeeds.
func (s *Service) Login(ctx context.Context, email, password, clientAddr string) (Session, error) {
	email = NormalizeEmail(email)
	now := s.now()
	limits := []Limit{
		{Scope: "email", Key: email, Max: s.policy.MaxFailuresPerAccount, Window: s.policy.FailureWindow},
		{Scope: "ip", Key: ClientKey(clientAddr), Max: s.policy.MaxFailuresPerAddress, Window: s.policy.FailureWindow},
	}
	// No account has an email this long: refuse it before any work, and
	// count it against the address, so it cannot escape the limit.
	tooLong := len(email) > maxEmailBytes
	if tooLong {
		limits = limits[1:]
	}
	reserved, retry, err := s.repo.ReserveAttempts(ctx, limits, now)
	if err != nil {
		return Session{}, err
	}
	if retry > 0 {
		return Session{}, &errs.RateLimited{Reason: "too many failed logins", RetryAfter: max(retry, time.Second)}
	}
	if tooLong {
		return Session{}, errs.Invalid("email", fmt.Sprintf("is at most %d characters", maxEmailBytes))
	}
	user, hash, err := s.repo.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		return Session{}, err
	}
	if err != nil {
		hash = s.dummyHash
	}
	var ok bool
	if hashErr := s.withHashSlot(ctx, func() (cmpErr error) {
		ok, cmpErr = argon2id.ComparePasswordAndHash(password, hash)
		return cmpErr
	}); hashErr != nil {
		// Not a wrong password: the attempt does not count against anyone.
		if relErr := s.repo.ReleaseAttempts(ctx, reserved); relErr != nil {
			return Session{}, relErr
		}
		var limited *errs.RateLimited
		if errors.As(hashErr, &limited) {
			return Session{}, hashErr
		}
		return Session{}, fmt.Errorf("compare password: %w", hashErr)
	}
	if err != nil || !ok {
		return Session{}, errs.New(errs.ErrUnauthenticated, "wrong email or password")
	}
	if err := s.repo.ReleaseAttempts(ctx, reserved); err != nil {
		return Session{}, err
	}
	if err := s.repo.ClearLoginFailures(ctx, "email", email); err != nil {
		return Session{}, err
	}
	token, tokenHash, err := newToken()
	if err != nil {
		return Session{}, err
	}
	expires := now.Add(s.policy.TokenTTL)
	if err := s.repo.CreateToken(ctx, tokenHash, user.ID, expires); err != nil {
		return Session{}, err
	}
	return Session{Token: token, ExpiresAt: expires, User: user}, nil
}

// Authenticate resolves a bearer token to its principal. Unknown, expired
// and revoked tokens are errs.ErrUnauthenticated.
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	key := sha256.Sum256([]byte(token))
	if p, ok := s.sessions.Get(key); ok {
		return p, nil
	}
	ticket := s.sessions.Ticket()
	p, expires, err := s.repo.PrincipalByToken(ctx, key[:], s.now())
	if errors.Is(err, errs.ErrNotFound) {
		return Principal{}, errs.New(errs.ErrUnauthenticated, "invalid or expired token")
	}
	if err != nil {
		return Principal{}, err
	}
	s.sessions.PutUntil(ticket, key, p, expires)
	return p, nil
}

// CacheSessions makes Authenticate keep the principals it found in c (nil:
// none), which the caller keeps live and exact (Sessions).
func (s *Service) CacheSessions(c *Sessions) { s.sessions = c }

// Logout revokes the token. This process forgets it at once; the others
// when PostgreSQL's notice of the change reaches them.
func (s *Service) Logout(ctx context.Context, token string) error {
	err := s.repo.RevokeToken(ctx, HashToken(token), s.now())
	s.sessions.Purge()
	return err
}

// Me returns the signed-in user.
func (s *Service) Me(ctx context.Context, p Principal) (User, error) {
	if p.Anonymous() {
		return User{}, errs.ErrUnauthenticated
	}
	return s.repo.UserByID(ctx, p.UserID)
}

// newToken returns a random opaque token and the hash that is stored.
func newToken() (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("token: %w", err)
	}
	token := "otop_" + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is how a token is stored: its SHA-256.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
