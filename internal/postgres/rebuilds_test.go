package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/testenv"
)

func TestRebuildRequestsAreClaimedOnceAndServeThoseWaiting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	q := postgres.NewRebuilds(testenv.DB(t))
	if _, ok, err := q.Claim(ctx); err != nil || ok {
		t.Fatalf("Claim on an empty queue = %v, %v", ok, err)
	}
	first, err := q.Request(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, ok, err := q.Claim(ctx)
	if err != nil || !ok || id != first {
		t.Fatalf("Claim = %d %v %v, want %d", id, ok, err, first)
	}
	if _, ok, _ := q.Claim(ctx); ok {
		t.Fatal("a started request was claimed twice")
	}
	second, err := q.Request(ctx) // asked while the first runs: not served by it
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Progress(ctx, first, 5000); err != nil {
		t.Fatal(err)
	}
	if st, err := q.Status(ctx, first); err != nil || !st.Started || st.Finished || st.Documents != 5000 || st.Heartbeat.IsZero() {
		t.Fatalf("Status during the rebuild = %+v, %v", st, err)
	}
	if err := q.Finish(ctx, first, 7000, nil); err != nil {
		t.Fatal(err)
	}
	if st, _ := q.Status(ctx, first); !st.Finished || st.Error != "" || st.Documents != 7000 {
		t.Fatalf("Status after the rebuild = %+v", st)
	}
	if st, _ := q.Status(ctx, second); st.Started {
		t.Fatalf("a request made during a rebuild was served by it: %+v", st)
	}

	third, _ := q.Request(ctx)
	id, ok, _ = q.Claim(ctx)
	if !ok || id != second {
		t.Fatalf("Claim = %d, want %d", id, second)
	}
	if err := q.Finish(ctx, second, 10, errors.New("disk full")); err != nil {
		t.Fatal(err)
	}
	if st, _ := q.Status(ctx, second); !st.Finished || st.Error != "disk full" {
		t.Fatalf("failed rebuild status = %+v", st)
	}
	// A failed rebuild served nobody else: third still waits, with extra.
	extra, _ := q.Request(ctx)
	id, _, _ = q.Claim(ctx)
	fourth, _ := q.Request(ctx)
	if id != third {
		t.Fatalf("Claim = %d, want %d", id, third)
	}
	if err := q.Finish(ctx, third, 10, nil); err != nil {
		t.Fatal(err)
	}
	if st, _ := q.Status(ctx, extra); !st.Finished || st.Error != "" || st.Documents != 10 {
		t.Fatalf("a request waiting with the served one = %+v, want finished by it", st)
	}
	if st, _ := q.Status(ctx, fourth); st.Started {
		t.Fatalf("a request made after the rebuild started was finished by it: %+v", st)
	}
	if err := q.Abandon(ctx, fourth, "nobody"); err != nil {
		t.Fatal(err)
	}
	if st, _ := q.Status(ctx, fourth); !st.Finished || st.Error != "nobody" {
		t.Fatalf("abandoned status = %+v", st)
	}
	if _, err := q.Status(ctx, 1<<40); err == nil {
		t.Error("Status of an unknown request succeeded")
	}
}
