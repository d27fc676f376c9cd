package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v3"

	"github.com/otopmarket/otop/internal/postgres"
	"github.com/otopmarket/otop/search/embedded"
	"github.com/otopmarket/otop/storage"
)

func (e process) reindexCommand() *cli.Command {
	return &cli.Command{
		Name:  "reindex",
		Usage: "rebuild the search index from PostgreSQL: built aside, then swapped in",
		Description: "The new index is built beside the live one and swapped in: searches go on\n" +
			"answering meanwhile. With Meilisearch this command does the work. The embedded\n" +
			"index belongs to the process that has it open: when `otop serve` runs, this command\n" +
			"asks it (through PostgreSQL) to rebuild and follows its progress; otherwise it\n" +
			"rebuilds the index itself.",
		Action: func(ctx context.Context, _ *cli.Command) error {
			a, err := e.open(ctx, false, 0)
			if err != nil {
				return err
			}
			defer a.close()
			total, err := postgres.NewSeeder(a.db).Count(ctx, "products WHERE status = 'published'")
			if err != nil {
				return err
			}
			newBar := func(engine string) *progressbar.ProgressBar {
				return progressbar.NewOptions64(total, progressbar.OptionSetWriter(e.stderr),
					progressbar.OptionSetDescription("reindex ("+engine+")"), progressbar.OptionShowCount(),
					progressbar.OptionShowIts(), progressbar.OptionSetItsString("docs"), progressbar.OptionThrottle(200*time.Millisecond))
			}
			start := time.Now()
			engine, err := a.openSearch(ctx)
			if errors.Is(err, embedded.ErrLocked) {
				bar := newBar("embedded, in the serving process")
				err = requestRebuild(ctx, postgres.NewRebuilds(a.db), func(done int) { _ = bar.Set(done) }, rebuildWait{})
				_ = bar.Finish()
				fmt.Fprintln(e.stderr)
				if err != nil {
					return fmt.Errorf("reindex: %w", err)
				}
				a.logger.InfoContext(ctx, "search index rebuilt by the serving process", "documents", total, "seconds", time.Since(start).Seconds())
				return nil
			}
			if err != nil {
				return err
			}
			defer engine.close() //nolint:errcheck // closing at exit
			store, err := a.urlStore()
			if err != nil {
				return err
			}
			bar := newBar(engine.name)
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

// rebuildWait bounds how long requestRebuild waits; zero fields take the
// defaults.
type rebuildWait struct {
	poll    time.Duration // between two reads of the request (250 ms)
	pickup  time.Duration // for a serving process to start it (30 s)
	silence time.Duration // without a sign of life once started (2 min)
}

// requestRebuild asks the serving process to rebuild the index and follows
// the request until it ends, calling progress with the documents written.
func requestRebuild(ctx context.Context, q *postgres.Rebuilds, progress func(int), w rebuildWait) error {
	w.poll = cmp.Or(w.poll, 250*time.Millisecond)
	w.pickup = cmp.Or(w.pickup, 30*time.Second)
	w.silence = cmp.Or(w.silence, 2*time.Minute)
	id, err := q.Request(ctx)
	if err != nil {
		return err
	}
	requested := time.Now()
	var lastBeat time.Time
	lastChange := requested
	ticker := time.NewTicker(w.poll)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = q.Abandon(context.WithoutCancel(ctx), id, "the reindex command was interrupted")
			return ctx.Err()
		case <-ticker.C:
		}
		st, err := q.Status(ctx, id)
		if err != nil {
			return err
		}
		progress(st.Documents)
		switch {
		case st.Finished && st.Error != "":
			return fmt.Errorf("the serving process failed to rebuild the index: %s", st.Error)
		case st.Finished:
			return nil
		case !st.Started && time.Since(requested) > w.pickup:
			_ = q.Abandon(ctx, id, "no serving process picked the request up")
			return errors.New("the embedded index is open in another process, and no `otop serve` picked the rebuild request up")
		case st.Started && !st.Heartbeat.Equal(lastBeat):
			lastBeat, lastChange = st.Heartbeat, time.Now()
		case st.Started && time.Since(lastChange) > w.silence:
			_ = q.Abandon(ctx, id, "the serving process stopped reporting progress")
			return errors.New("the serving process stopped reporting progress of the rebuild (did it stop?)")
		}
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
