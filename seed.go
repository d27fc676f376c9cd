package main

import (
	"context"

	"github.com/urfave/cli/v3"

	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/internal/taxonomy"
)

func (e env) seedCommand() *cli.Command {
	return &cli.Command{
		Name:  "seed",
		Usage: "check the reference data and load seed data into a migrated database",
		Action: func(ctx context.Context, _ *cli.Command) error {
			cfg, logger, err := e.load()
			if err != nil {
				return err
			}
			tax, err := taxonomy.Load()
			if err != nil {
				return err
			}
			db, err := openDB(ctx, cfg)
			if err != nil {
				return err
			}
			defer postgres.Close(db) //nolint:errcheck // closing a pool at exit
			if err := postgres.CheckSchema(ctx, db); err != nil {
				return err
			}
			provinces, err := tax.Provinces(taxonomy.ProvinceFilter{})
			if err != nil {
				return err
			}
			logger.InfoContext(ctx, "reference data is embedded in the binary and valid",
				"provinces", len(provinces), "clusters", len(tax.Clusters()))
			return nil
		},
	}
}
