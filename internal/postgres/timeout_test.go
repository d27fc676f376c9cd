package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/testenv"
)

// A statement that outlives StatementTimeout is stopped by PostgreSQL and
// answered as unavailable, not left running for a client that has gone.
func TestStatementTimeoutStopsSlowQueries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := postgres.Open(ctx, testenv.DatabaseURL(t), postgres.Options{MaxOpenConns: 1, StatementTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer postgres.Close(db) //nolint:errcheck // test cleanup
	start := time.Now()
	err = postgres.Translate(db.WithContext(ctx).Exec("SELECT pg_sleep(5)").Error, "sleep")
	if !errors.Is(err, errs.ErrUnavailable) || time.Since(start) > 3*time.Second {
		t.Fatalf("a 5 s statement with a 200 ms timeout: %v after %s, want ErrUnavailable at once", err, time.Since(start))
	}
	if err := db.WithContext(ctx).Exec("SELECT 1").Error; err != nil {
		t.Errorf("the pool is unusable after a timeout: %v", err)
	}
}

func TestRuntimeParamsInBothConnectionStringForms(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u:p@h:5432/db":                 "postgres://u:p@h:5432/db?statement_timeout=1000",
		"postgres://u:p@h:5432/db?sslmode=disable": "postgres://u:p@h:5432/db?sslmode=disable&statement_timeout=1000",
		"host=h user=u dbname=db":                  "host=h user=u dbname=db statement_timeout=1000",
	} {
		if got := postgres.WithRuntimeParam(in, "statement_timeout", "1000"); got != want {
			t.Errorf("withRuntimeParam(%q) = %q, want %q", in, got, want)
		}
	}
}
