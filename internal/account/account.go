// Package account holds users, their roles, passwords and bearer tokens.
package account

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Role is what a user may do.
type Role string

// The four roles. Producers and importers register themselves; curators and
// admins are created with the `user create` subcommand.
const (
	RoleProducer Role = "producer"
	RoleImporter Role = "importer"
	RoleCurator  Role = "curator"
	RoleAdmin    Role = "admin"
)

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case RoleProducer, RoleImporter, RoleCurator, RoleAdmin:
		return true
	}
	return false
}

// User is an account.
type User struct {
	ID             uuid.UUID
	Email          string
	Role           Role
	DisplayName    string
	Country        string // ISO 3166-1 alpha-2, importers only
	SelectCenterID string // curators only
	CreatedAt      time.Time
}

// NormalizeEmail is an email address as accounts keep it: trimmed and in
// lower case, so that one address is one account however it is typed.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Principal is who is making a request. The zero value is an anonymous visitor.
type Principal struct {
	UserID         uuid.UUID
	Role           Role
	SelectCenterID string
}

// Anonymous reports whether nobody is signed in.
func (p Principal) Anonymous() bool { return p.UserID == uuid.Nil }

// Is reports whether the principal is signed in with role r.
func (p Principal) Is(r Role) bool { return !p.Anonymous() && p.Role == r }

// Staff reports whether the principal is a curator or an admin.
func (p Principal) Staff() bool { return p.Is(RoleCurator) || p.Is(RoleAdmin) }

// CanCurate reports whether the principal may act on an object belonging to
// the given Select center: admins everywhere, curators within their center.
func (p Principal) CanCurate(selectCenterID string) bool {
	return p.Is(RoleAdmin) || (p.Is(RoleCurator) && p.SelectCenterID == selectCenterID)
}
