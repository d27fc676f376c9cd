package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/urfave/cli/v3"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/config"
	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/taxonomy"
	"github.com/otopmarket/otop/storage"
)

func (e process) migrateCommand() *cli.Command {
	return &cli.Command{
		Name:  "migrate",
		Usage: "apply every pending database migration",
		Action: func(ctx context.Context, _ *cli.Command) error {
			cfg, logger, err := e.load()
			if err != nil {
				return err
			}
			db, err := openDB(ctx, cfg, 0)
			if err != nil {
				return err
			}
			defer postgres.Close(db) //nolint:errcheck // closing a pool at exit
			version, err := postgres.Migrate(ctx, db)
			if err != nil {
				return err
			}
			logger.InfoContext(ctx, "database migrated", "version", version)
			return nil
		},
	}
}

// app is what the commands that work on the database share.
type app struct {
	cfg    config.Config
	logger *slog.Logger
	tax    *taxonomy.Taxonomy
	db     *gorm.DB
}

// open reads the configuration and the reference data and connects to the
// database; with migrate it applies pending migrations first. It refuses a
// database whose schema is older than this binary. statementTimeout bounds
// every statement of the pool (serve's; 0 for the commands that load or
// rebuild).
func (e process) open(ctx context.Context, migrate bool, statementTimeout time.Duration) (*app, error) {
	cfg, logger, err := e.load()
	if err != nil {
		return nil, err
	}
	tax, err := taxonomy.Load()
	if err != nil {
		return nil, err
	}
	db, err := openDB(ctx, cfg, statementTimeout)
	if err != nil {
		return nil, err
	}
	if migrate {
		if _, err := postgres.Migrate(ctx, db); err != nil {
			_ = postgres.Close(db)
			return nil, err
		}
	}
	if err := postgres.CheckSchema(ctx, db); err != nil {
		_ = postgres.Close(db)
		return nil, fmt.Errorf("%w (run `otop migrate`, or serve with --migrate)", err)
	}
	return &app{cfg: cfg, logger: logger, tax: tax, db: db}, nil
}

func (a *app) close() { _ = postgres.Close(a.db) }

// outbox is the search outbox and document source, with province names
// from the reference data and image URLs from the object store.
func (a *app) outbox(imageURL func(key string) string) *postgres.Outbox {
	return postgres.NewOutbox(a.db, func(code string) (string, string) {
		p, _ := a.tax.Province(code)
		return p.NameTH, p.NameEN
	}, imageURL)
}

// objectStore connects to the configured bucket, creating it when missing.
func (a *app) objectStore(ctx context.Context) (*storage.Store, error) {
	store, err := a.urlStore()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := store.EnsureBucket(ctx); err != nil {
		return nil, err
	}
	return store, nil
}

func openDB(ctx context.Context, cfg config.Config, statementTimeout time.Duration) (*gorm.DB, error) {
	db, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{
		MaxOpenConns:     cfg.DBMaxOpenConns,
		MaxIdleConns:     cfg.DBMaxIdleConns,
		StatementTimeout: statementTimeout,
	})
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	return db, nil
}
