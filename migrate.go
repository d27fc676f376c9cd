package main

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v3"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/config"
	"github.com/otopmarket/otop/internal/postgres"
)

func (e env) migrateCommand() *cli.Command {
	return &cli.Command{
		Name:  "migrate",
		Usage: "apply every pending database migration",
		Action: func(ctx context.Context, _ *cli.Command) error {
			cfg, logger, err := e.load()
			if err != nil {
				return err
			}
			db, err := openDB(ctx, cfg)
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

func openDB(ctx context.Context, cfg config.Config) (*gorm.DB, error) {
	db, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{
		MaxOpenConns: cfg.DBMaxOpenConns,
		MaxIdleConns: cfg.DBMaxIdleConns,
	})
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	return db, nil
}
