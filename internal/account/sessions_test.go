package account

import (
	"crypto/sha256"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
)

// The mechanism (tickets, liveness, expiry) is readcache's and tested there;
// here, what NewSessions makes of it.
func TestSessionsKeepAFixedNumberOfLivePrincipals(t *testing.T) {
	if NewSessions(0) != nil {
		t.Fatal("a size of 0 made a cache")
	}
	p := Principal{UserID: uuid.New(), Role: RoleCurator, SelectCenterID: "songkhla"}
	later := time.Now().Add(time.Hour)
	s := NewSessions(8)
	key := sha256.Sum256([]byte("0"))
	if s.PutUntil(s.Ticket(), key, p, later) {
		t.Fatal("a cache not yet live kept a principal")
	}
	s.SetLive(true)
	keys := [][sha256.Size]byte{key}
	for i := 1; i <= 8; i++ {
		keys = append(keys, sha256.Sum256([]byte(strconv.Itoa(i))))
	}
	for _, k := range keys {
		if !s.PutUntil(s.Ticket(), k, p, later) {
			t.Fatalf("principal %x refused", k[:4])
		}
	}
	if s.Len() != 8 {
		t.Errorf("a cache of 8 holds %d principals", s.Len())
	}
	if _, ok := s.Get(keys[0]); ok {
		t.Error("the least recently used principal was kept past the bound")
	}
	if got, ok := s.Get(keys[8]); !ok || got != p {
		t.Errorf("Get = %+v, %v; want %+v", got, ok, p)
	}
	s.PutUntil(s.Ticket(), keys[1], p, time.Now().Add(-time.Second))
	if _, ok := s.Get(keys[1]); ok {
		t.Error("the principal of an expired token was answered")
	}
}
