package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/google/uuid"
	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v3"
	"golang.org/x/term"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/bulk"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/media"
	"github.com/otopmarket/otop/internal/postgres"
)

// importService builds the import service on the app's database.
func (a *app) importService(catalogSvc *catalog.Service, files bulk.Files, images *media.Images) (*bulk.Service, error) {
	return bulk.NewService(postgres.NewImports(a.db), files, images, catalogSvc, bulk.TemplateLists(a.tax), time.Now, a.logger)
}

func (e process) importCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "import products from a CSV or XLSX sheet, as the producer who owns them or as a staff account",
		ArgsUsage: "FILE",
		Description: "Runs the same import as POST /v1/imports, with the rights of the producer's own\n" +
			"account, or with --as those of a curator or admin, for the producers the sheet's\n" +
			"producer_id column names (--producer then names the producer of rows without one):\n" +
			"rows are matched on their SKU (or id), a dry run writes nothing, and nothing is\n" +
			"written when a row is invalid unless --skip-invalid. The report is printed at\n" +
			"the end; the exit status is 1 when rows were invalid.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "producer", Usage: "the producer `ID` the products belong to (required without --as)"},
			&cli.StringFlag{Name: "as", Usage: "the `EMAIL` of a curator or admin account to import as"},
			&cli.StringFlag{Name: "images", Usage: "a `ZIP` of the photos the images column names"},
			&cli.BoolFlag{Name: "dry-run", Usage: "check every row and report, writing nothing"},
			&cli.BoolFlag{Name: "skip-invalid", Usage: "write the valid rows even when others are invalid"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			if cmd.Args().Len() != 1 {
				return errors.New("import: name one FILE (a .csv or .xlsx sheet)")
			}
			var producerID uuid.UUID
			switch named := cmd.String("producer"); {
			case named == "" && cmd.String("as") == "":
				return errors.New("import: name the producer (--producer ID) or a staff account to import as (--as EMAIL)")
			case named != "":
				id, err := uuid.Parse(named)
				if err != nil {
					return fmt.Errorf("import: --producer %q is not a producer id", named)
				}
				producerID = id
			}
			return e.runImport(ctx, cmd.Args().First(), cmd.String("images"), importAs{producer: producerID, staff: cmd.String("as")},
				cmd.Bool("dry-run"), cmd.Bool("skip-invalid"))
		},
	}
}

// importAs is who an import runs as: a staff account named by its email,
// or else the owner of the producer.
type importAs struct {
	producer uuid.UUID
	staff    string
}

// principal is the account the import runs as, and the producer named for
// rows without a producer_id (none for a producer's own account, whose
// rows are all theirs).
func (as importAs) principal(ctx context.Context, a *app) (account.Principal, uuid.UUID, error) {
	if as.staff != "" {
		u, _, err := postgres.NewAccounts(a.db).UserByEmail(ctx, account.NormalizeEmail(as.staff))
		if errors.Is(err, errs.ErrNotFound) {
			return account.Principal{}, uuid.Nil, fmt.Errorf("import: no account has the email %q", as.staff)
		}
		if err != nil {
			return account.Principal{}, uuid.Nil, err
		}
		p := account.Principal{UserID: u.ID, Role: u.Role, SelectCenterID: u.SelectCenterID}
		if !p.Staff() {
			return account.Principal{}, uuid.Nil, fmt.Errorf("import: %s is a %s account; --as takes a curator or an admin", as.staff, u.Role)
		}
		return p, as.producer, nil
	}
	producer, err := postgres.NewCatalog(a.db).Producer(ctx, as.producer)
	if errors.Is(err, errs.ErrNotFound) {
		return account.Principal{}, uuid.Nil, fmt.Errorf("import: no producer has the id %s", as.producer)
	}
	if err != nil {
		return account.Principal{}, uuid.Nil, err
	}
	return account.Principal{UserID: producer.UserID, Role: account.RoleProducer}, uuid.Nil, nil
}

func (e process) runImport(ctx context.Context, file, images string, as importAs, dryRun, skipInvalid bool) error {
	a, err := e.open(ctx, false, 0)
	if err != nil {
		return err
	}
	defer a.close()
	store, err := a.objectStore(ctx)
	if err != nil {
		return err
	}
	catalogSvc := catalog.NewService(postgres.NewCatalog(a.db), a.tax, time.Now)
	imgs := media.NewImages(postgres.NewImages(a.db), store, catalogSvc, media.DefaultLimits(), runtime.NumCPU(), time.Now)
	svc, err := a.importService(catalogSvc, store, imgs)
	if err != nil {
		return err
	}
	owner, producerID, err := as.principal(ctx, a)
	if err != nil {
		return err
	}
	in := bulk.JobInput{DryRun: dryRun, SkipInvalid: skipInvalid, ProducerID: producerID}
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			_ = c.Close()
		}
	}()
	open := func(name string) (bulk.Upload, error) {
		f, err := os.Open(name) //nolint:gosec // the operator names the file
		if err != nil {
			return bulk.Upload{}, fmt.Errorf("import: %w", err)
		}
		closers = append(closers, f)
		st, err := f.Stat()
		if err != nil {
			return bulk.Upload{}, err
		}
		return bulk.Upload{Name: st.Name(), File: f, Size: st.Size()}, nil
	}
	if in.File, err = open(file); err != nil {
		return err
	}
	if images != "" {
		up, err := open(images)
		if err != nil {
			return err
		}
		in.Images = &up
	}
	job, err := svc.Create(ctx, owner, in)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	job, err = e.followImport(ctx, svc, owner, job)
	if err != nil {
		return err
	}
	e.printReport(job)
	if job.State == bulk.JobFailed {
		return fmt.Errorf("import failed: %s", job.Error)
	}
	if job.Report.Invalid > 0 {
		return fmt.Errorf("import: %d invalid rows", job.Report.Invalid)
	}
	return nil
}

// followImport runs the job here (or waits while a serving process runs
// it), showing its progress: a bar on a terminal, plain lines otherwise.
func (e process) followImport(ctx context.Context, svc *bulk.Service, owner account.Principal, job bulk.Job) (bulk.Job, error) {
	tty := false
	if f, ok := e.stderr.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd())) //nolint:gosec // a file descriptor fits an int
	}
	var bar *progressbar.ProgressBar
	lastLine := time.Time{}
	done := make(chan error, 1)
	go func() {
		for {
			ran, err := svc.RunOnce(ctx)
			if err != nil || !ran {
				done <- err
				return
			}
		}
	}()
	for {
		j, err := svc.Job(ctx, owner, job.ID)
		if err != nil {
			return job, err
		}
		job = j
		switch {
		case tty && job.RowsTotal > 0:
			if bar == nil {
				bar = progressbar.NewOptions(job.RowsTotal, progressbar.OptionSetWriter(e.stderr),
					progressbar.OptionSetDescription("import"), progressbar.OptionShowCount(),
					progressbar.OptionSetItsString("rows"), progressbar.OptionShowIts(), progressbar.OptionThrottle(200*time.Millisecond))
			}
			_ = bar.Set(job.RowsDone)
		case !tty && time.Since(lastLine) >= 2*time.Second:
			lastLine = time.Now()
			fmt.Fprintf(e.stderr, "import %s: %s, %d of %d rows\n", job.ID, job.State, job.RowsDone, job.RowsTotal)
		}
		if job.State == bulk.JobDone || job.State == bulk.JobFailed {
			if bar != nil {
				_ = bar.Finish()
				fmt.Fprintln(e.stderr)
			}
			return job, nil
		}
		select {
		case <-ctx.Done():
			return job, ctx.Err()
		case err := <-done:
			if err != nil {
				return job, err
			}
			done = nil // the queue is empty here: a serving process has the job
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (e process) printReport(j bulk.Job) {
	r := j.Report
	mode := "applied"
	switch {
	case j.DryRun:
		mode = "dry run: nothing written"
	case !r.Applied:
		mode = "nothing written: fix the invalid rows or use --skip-invalid"
	}
	fmt.Fprintf(e.stdout, "import %s: %s; %d created, %d updated, %d unchanged, %d invalid (%s)\n",
		j.ID, j.State, r.Created, r.Updated, r.Unchanged, r.Invalid, mode)
	for _, n := range r.Notices {
		fmt.Fprintf(e.stdout, "note: %s\n", n)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(e.stdout, "row %d, %s: %s\n", p.Row, p.Column, p.Message)
	}
	if r.ProblemsTruncated {
		fmt.Fprintf(e.stdout, "(only the first %d problems are listed)\n", bulk.MaxProblems)
	}
}
