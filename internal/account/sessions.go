package account

import (
	"crypto/sha256"

	"github.com/otopmarket/otop/internal/readcache"
)

// Sessions keeps the principals of bearer tokens checked before, by the
// SHA-256 of the token, so that an authenticated request reads no table.
// It is exact, not timed, with the rules of the read caches (readcache): a
// check takes a ticket before it reads the database and keeps its result
// only if nothing was dropped since; nothing is answered or kept while the
// change notices cannot be followed; an entry is kept until its token
// expires at most. Every change of a token or a user is announced by
// PostgreSQL to every process (postgres.AccountsWatcher), which then drops
// everything held: such changes are rare (a sign-out, a role changed).
type Sessions = readcache.Store[[sha256.Size]byte, Principal]

// sessionBytes is what a kept principal counts for: its key, the
// principal and the entry's bookkeeping are about the same for every token.
const sessionBytes = 64

// NewSessions keeps at most size principals (none when size <= 0; at
// least 8 otherwise, as a store takes no value over an eighth of its
// budget). It is not live until SetLive(true), given when the notices are
// followed.
func NewSessions(size int) *Sessions {
	if size <= 0 {
		return nil
	}
	return readcache.NewStore[[sha256.Size]byte](int64(max(size, 8))*(sessionBytes+readcache.EntryOverhead), 0, false,
		func(Principal) int64 { return sessionBytes })
}
