package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	gormpg "gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/postgres"
)

// With PostgreSQL unreachable, the store's errors are ErrUnavailable (503 with
// Retry-After), not internal errors.
func TestPostgreSQLDownIsUnavailable(t *testing.T) {
	t.Parallel()
	db, err := gorm.Open(gormpg.Open("postgres://otop:otop@127.0.0.1:1/otop?sslmode=disable&connect_timeout=2"),
		&gorm.Config{DisableAutomaticPing: true, TranslateError: true, Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := postgres.NewCatalog(db).Product(ctx, uuid.New()); !errors.Is(err, errs.ErrUnavailable) {
		t.Errorf("a read with PostgreSQL down: %v, want ErrUnavailable", err)
	}
}
