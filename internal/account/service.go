package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
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
	PrincipalByToken(ctx context.Context, tokenHash []byte, now time.Time) (Principal, error)
	RevokeToken(ctx context.Context, tokenHash []byte, now time.Time) error
	RecordLoginFailure(ctx context.Context, scope, key string, at time.Time) error
	// LoginFailures counts failures since the given time and returns the oldest of them.
	LoginFailures(ctx context.Context, scope, key string, since time.Time) (int, time.Time, error)
	ClearLoginFailures(ctx context.Context, scope, key string) error
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
	Argon2                *argon2id.Params
}

// DefaultPolicy is the production policy.
func DefaultPolicy() Policy {
	return Policy{
		MinPasswordLength:     10,
		TokenTTL:              30 * 24 * time.Hour,
		MaxFailuresPerAccount: 5,
		MaxFailuresPerAddress: 20,
		FailureWindow:         15 * time.Minute,
		Argon2:                &argon2id.Params{Memory: 64 * 1024, Iterations: 1, Parallelism: 2, SaltLength: 16, KeyLength: 32},
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
	return &Service{repo: repo, centerExists: centerExists, countries: cs, policy: policy, now: now, dummyHash: dummy}, nil
}

// RegisterInput is what a producer or importer gives to sign up.
type RegisterInput struct {
	Email          string
	Password       string
	Role           Role
	DisplayName    string
	Country        string
	SelectCenterID string
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
	hash, err := argon2id.CreateHash(in.Password, s.policy.Argon2)
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
	email := strings.ToLower(strings.TrimSpace(in.Email))
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
// limited per account and per client address.
func (s *Service) Login(ctx context.Context, email, password, clientAddr string) (Session, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := s.now()
	keys := []struct {
		scope, key string
		max        int
	}{{"email", email, s.policy.MaxFailuresPerAccount}, {"ip", clientAddr, s.policy.MaxFailuresPerAddress}}
	// No account has an email this long: refuse it before any work, and
	// count it against the address, so it cannot escape the limit.
	tooLong := len(email) > maxEmailBytes
	if tooLong {
		keys = keys[1:]
	}
	for _, k := range keys {
		count, oldest, err := s.repo.LoginFailures(ctx, k.scope, k.key, now.Add(-s.policy.FailureWindow))
		if err != nil {
			return Session{}, err
		}
		if count >= k.max {
			return Session{}, &errs.RateLimited{Reason: "too many failed logins", RetryAfter: max(oldest.Add(s.policy.FailureWindow).Sub(now), time.Second)}
		}
	}
	if tooLong {
		if err := s.repo.RecordLoginFailure(ctx, keys[0].scope, keys[0].key, now); err != nil {
			return Session{}, err
		}
		return Session{}, errs.Invalid("email", fmt.Sprintf("is at most %d characters", maxEmailBytes))
	}
	user, hash, err := s.repo.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, errs.ErrNotFound) {
		return Session{}, err
	}
	if err != nil {
		hash = s.dummyHash
	}
	ok, cmpErr := argon2id.ComparePasswordAndHash(password, hash)
	if cmpErr != nil {
		return Session{}, fmt.Errorf("compare password: %w", cmpErr)
	}
	if err != nil || !ok {
		for _, k := range keys {
			if err := s.repo.RecordLoginFailure(ctx, k.scope, k.key, now); err != nil {
				return Session{}, err
			}
		}
		return Session{}, errs.New(errs.ErrUnauthenticated, "wrong email or password")
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
	p, err := s.repo.PrincipalByToken(ctx, HashToken(token), s.now())
	if errors.Is(err, errs.ErrNotFound) {
		return Principal{}, errs.New(errs.ErrUnauthenticated, "invalid or expired token")
	}
	return p, err
}

// Logout revokes the token.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.repo.RevokeToken(ctx, HashToken(token), s.now())
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
