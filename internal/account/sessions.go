package account

import (
	"crypto/sha256"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// Sessions keeps the principals of bearer tokens checked before, so that
// an authenticated request reads no table. It is exact, not timed: every
// change of a token or a user is announced by PostgreSQL to every process
// (postgres.AccountsWatcher), which drops everything held (such changes are
// rare: a sign-out, a role changed). The rules are those of the read caches:
//
//   - A check takes a ticket before it reads the database; its result is
//     kept only if nothing was dropped since (a token revoked while it was
//     being read is never kept).
//   - While the notices cannot be followed, nothing is answered or kept.
//
// An entry is kept until its token expires at most. A nil *Sessions keeps
// nothing.
type Sessions struct {
	mu    sync.Mutex
	lru   *simplelru.LRU[[sha256.Size]byte, session]
	epoch uint64
	live  bool

	hits, misses atomic.Uint64
}

type session struct {
	principal Principal
	expires   time.Time
}

// NewSessions keeps at most size principals (none when size <= 0). It is
// not live until SetLive(true), given when the notices are followed.
func NewSessions(size int) *Sessions {
	if size <= 0 {
		return nil
	}
	l, err := simplelru.NewLRU[[sha256.Size]byte, session](size, nil)
	if err != nil { // only for a size <= 0, excluded above
		panic(err)
	}
	return &Sessions{lru: l}
}

func (s *Sessions) get(key [sha256.Size]byte, now time.Time) (Principal, bool) {
	if s == nil {
		return Principal{}, false
	}
	s.mu.Lock()
	e, ok := s.lru.Get(key)
	if ok && !now.Before(e.expires) {
		s.lru.Remove(key)
		ok = false
	}
	ok = ok && s.live
	s.mu.Unlock()
	if ok {
		s.hits.Add(1)
		return e.principal, true
	}
	s.misses.Add(1)
	return Principal{}, false
}

func (s *Sessions) ticket() uint64 {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.epoch
}

func (s *Sessions) put(ticket uint64, key [sha256.Size]byte, p Principal, expires time.Time) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.live && ticket == s.epoch {
		s.lru.Add(key, session{principal: p, expires: expires})
	}
}

// AccountsChanged drops every principal held: a token or a user changed.
func (s *Sessions) AccountsChanged() { s.purge(nil) }

// SetLive drops every principal held and makes the cache answer and keep
// (true) or not.
func (s *Sessions) SetLive(live bool) { s.purge(&live) }

func (s *Sessions) purge(live *bool) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.epoch++
	s.lru.Purge()
	if live != nil {
		s.live = *live
	}
}

// Stats returns the number of hits and misses so far.
func (s *Sessions) Stats() (hits, misses uint64) {
	if s == nil {
		return 0, 0
	}
	return s.hits.Load(), s.misses.Load()
}
