package account

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/google/uuid"
)

func TestSessionsKeepOnlyWhatNoChangeOvertook(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	key := sha256.Sum256([]byte("otop_token"))
	p := Principal{UserID: uuid.New(), Role: RoleCurator, SelectCenterID: "songkhla"}
	s := NewSessions(2)

	s.put(s.ticket(), key, p, now.Add(time.Hour))
	if _, ok := s.get(key, now); ok {
		t.Fatal("a cache not yet live answered")
	}
	s.SetLive(true)
	s.put(s.ticket(), key, p, now.Add(time.Hour))
	if got, ok := s.get(key, now); !ok || got != p {
		t.Fatalf("get = %+v, %v; want %+v", got, ok, p)
	}
	if _, ok := s.get(key, now.Add(time.Hour)); ok {
		t.Error("an expired token was answered")
	}

	// A check that read the database before a change must not keep what it read.
	ticket := s.ticket()
	s.AccountsChanged()
	s.put(ticket, key, p, now.Add(time.Hour))
	if _, ok := s.get(key, now); ok {
		t.Error("a principal read before a change was kept")
	}
	s.put(s.ticket(), key, p, now.Add(time.Hour))
	s.AccountsChanged()
	if _, ok := s.get(key, now); ok {
		t.Error("a change left a principal in place")
	}

	s.put(s.ticket(), key, p, now.Add(time.Hour))
	s.SetLive(false)
	if _, ok := s.get(key, now); ok {
		t.Error("a cache no longer live answered")
	}
	s.put(s.ticket(), key, p, now.Add(time.Hour))
	s.SetLive(true)
	if _, ok := s.get(key, now); ok {
		t.Error("a principal kept while not live was answered")
	}

	// Bounded: the least recently used goes first.
	keys := [][sha256.Size]byte{sha256.Sum256([]byte("a")), sha256.Sum256([]byte("b")), sha256.Sum256([]byte("c"))}
	for _, k := range keys {
		s.put(s.ticket(), k, p, now.Add(time.Hour))
	}
	if _, ok := s.get(keys[0], now); ok {
		t.Error("a cache of 2 kept 3 principals")
	}
	if hits, misses := s.Stats(); hits != 1 || misses != 7 {
		t.Errorf("stats = %d hits, %d misses; want 1, 7", hits, misses)
	}

	var none *Sessions
	none.put(none.ticket(), key, p, now.Add(time.Hour))
	none.SetLive(true)
	none.AccountsChanged()
	if _, ok := none.get(key, now); ok || NewSessions(0) != nil {
		t.Error("a nil cache answered, or a size of 0 made one")
	}
}
