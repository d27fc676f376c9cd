package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/testenv"
)

func TestMigrateBringsAnEmptyDatabaseUpToDate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := postgres.Open(ctx, testenv.EmptyDatabaseURL(t), postgres.Options{MaxOpenConns: 2})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = postgres.Close(db) })

	if err := postgres.CheckSchema(ctx, db); !errors.Is(err, postgres.ErrSchemaOutdated) {
		t.Fatalf("CheckSchema on an empty database = %v, want ErrSchemaOutdated", err)
	}
	v1, err := postgres.Migrate(ctx, db)
	if err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if v1 < 1 {
		t.Fatalf("version after Migrate = %d", v1)
	}
	if err := postgres.CheckSchema(ctx, db); err != nil {
		t.Fatalf("CheckSchema after Migrate: %v", err)
	}
	v2, err := postgres.Migrate(ctx, db)
	if err != nil || v2 != v1 {
		t.Fatalf("second Migrate = %d, %v; want %d, nil (idempotent)", v2, err, v1)
	}
}

func TestCheckSchemaRefusesAnOldSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.DB(t)
	if err := postgres.CheckSchema(ctx, db); err != nil {
		t.Fatalf("fresh test database is not migrated: %v", err)
	}
	// Roll the newest migration back: the schema is now one version behind the binary.
	if err := db.Exec("DELETE FROM goose_db_version WHERE version_id = (SELECT max(version_id) FROM goose_db_version)").Error; err != nil {
		t.Fatalf("roll back version: %v", err)
	}
	if err := postgres.CheckSchema(ctx, db); !errors.Is(err, postgres.ErrSchemaOutdated) {
		t.Fatalf("CheckSchema = %v, want ErrSchemaOutdated", err)
	}
}

func TestOpenReportsAnUnreachableDatabase(t *testing.T) {
	t.Parallel()
	_, err := postgres.Open(context.Background(), "postgres://otop:otop@127.0.0.1:1/otop?sslmode=disable&connect_timeout=2", postgres.Options{})
	if err == nil {
		t.Fatal("Open succeeded against a closed port")
	}
}
