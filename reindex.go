package main

import (
	"context"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v3"

	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/storage"
)

func (e env) reindexCommand() *cli.Command {
	return &cli.Command{
		Name:  "reindex",
		Usage: "rebuild the search index from PostgreSQL: built aside, then swapped in",
		Description: "With Meilisearch this runs beside the serving API without downtime. The embedded\n" +
			"engine's index belongs to one process: stop serve first (serve also rebuilds it by\n" +
			"itself when its directory is missing).",
		Action: func(ctx context.Context, _ *cli.Command) error {
			a, err := e.open(ctx, false)
			if err != nil {
				return err
			}
			defer a.close()
			engine, err := a.openSearch(ctx)
			if err != nil {
				return err
			}
			defer engine.close() //nolint:errcheck // closing at exit
			store, err := a.urlStore()
			if err != nil {
				return err
			}
			total, err := postgres.NewSeeder(a.db).Count(ctx, "products WHERE status = 'published'")
			if err != nil {
				return err
			}
			bar := progressbar.NewOptions64(total, progressbar.OptionSetWriter(e.stderr),
				progressbar.OptionSetDescription("reindex ("+engine.name+")"), progressbar.OptionShowCount(),
				progressbar.OptionShowIts(), progressbar.OptionSetItsString("docs"), progressbar.OptionThrottle(200*time.Millisecond))
			start := time.Now()
			err = a.indexer(engine, store.URL).Rebuild(ctx, 1000, func(done int) { _ = bar.Set(done) })
			_ = bar.Finish()
			fmt.Fprintln(e.stderr)
			if err != nil {
				return fmt.Errorf("reindex: %w", err)
			}
			a.logger.InfoContext(ctx, "search index rebuilt", "engine", engine.name, "documents", total, "seconds", time.Since(start).Seconds())
			return nil
		},
	}
}

// urlStore is the object store client, used only to build public URLs.
func (a *app) urlStore() (*storage.Store, error) {
	m := a.cfg.MinIO
	return storage.New(storage.Config{
		Endpoint: m.Endpoint, AccessKey: m.AccessKey, SecretKey: m.SecretKey,
		Bucket: m.Bucket, UseSSL: m.UseSSL, PublicURL: m.PublicURL,
	})
}
