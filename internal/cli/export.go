package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v3"
	"golang.org/x/term"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/bulk"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/postgres"
)

// exportProgressEvery is how often an export without a terminal reports
// progress on standard error: a line per so many products.
const exportProgressEvery = 10_000

func (e process) exportCommand() *cli.Command {
	return &cli.Command{
		Name:  "export",
		Usage: "write the catalogue as CSV or XLSX, with the filters of GET /v1/products",
		UsageText: "otop export --format csv|xlsx [--province P] [--cluster C] [--region R] [--category C]\n" +
			"    [--select-center S] [--creative-industry I] [--topotop true|false] [--min-stars N] [--producer ID]\n" +
			"    [--status s1,s2] [--sort newest|price_asc|price_desc|name] [--output FILE] > FILE",
		Description: "The same file as GET /v1/exports/products.csv (or .xlsx) gives an admin: the\n" +
			"import sheet's columns, a row per product, published products unless --status\n" +
			"names others. It is written to standard output, or to --output; progress goes to\n" +
			"standard error (a progress bar on a terminal, a line per 10,000 products otherwise).",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Required: true, Usage: "csv or xlsx"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to this file instead of standard output"},
			&cli.StringFlag{Name: "province", Usage: "ISO 3166-2 code, such as TH-50"},
			&cli.StringFlag{Name: "cluster", Usage: "provincial cluster id, such as upper-north-1"},
			&cli.StringFlag{Name: "region", Usage: "north, northeast, central or south"},
			&cli.StringFlag{Name: "category", Usage: "food, beverage, textile, household or herbal"},
			&cli.StringFlag{Name: "select-center", Usage: "chiang-mai, khon-kaen, songkhla or bangkok"},
			&cli.StringFlag{Name: "creative-industry", Usage: "creative-economy industry id, such as crafts"},
			&cli.StringFlag{Name: "topotop", Usage: "true: TOPOTOP products only; false: the others"},
			&cli.IntFlag{Name: "min-stars", Usage: "at least this many verified OTOP stars (1-5)"},
			&cli.StringFlag{Name: "producer", Usage: "a producer's id"},
			&cli.StringFlag{Name: "status", Usage: "comma-separated statuses (default published)"},
			&cli.StringFlag{Name: "sort", Usage: "newest (default), price_asc, price_desc or name"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			format := cmd.String("format")
			if format != "csv" && format != "xlsx" {
				return fmt.Errorf("--format %q: want csv or xlsx", format)
			}
			f, err := exportFilter(cmd)
			if err != nil {
				return err
			}
			return e.export(ctx, format, cmd.String("output"), f)
		},
	}
}

// exportFilter reads the filter flags; the service checks their values.
func exportFilter(cmd *cli.Command) (catalog.ProductFilter, error) {
	f := catalog.ProductFilter{
		Province: cmd.String("province"), Cluster: cmd.String("cluster"), Region: cmd.String("region"),
		Category: cmd.String("category"), SelectCenter: cmd.String("select-center"),
		CreativeIndustry: cmd.String("creative-industry"), MinStars: cmd.Int("min-stars"),
		Sort: catalog.Sort(cmd.String("sort")),
	}
	if cmd.IsSet("min-stars") && f.MinStars == 0 {
		f.MinStars = -1 // refused by the service, like min_stars=0
	}
	if s := cmd.String("topotop"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return f, fmt.Errorf("--topotop %q: want true or false", s)
		}
		f.Topotop = &b
	}
	if s := cmd.String("producer"); s != "" {
		id, err := uuid.Parse(s)
		if err != nil {
			return f, fmt.Errorf("--producer %q: want a producer id (a UUID)", s)
		}
		f.Producer = id
	}
	if s := cmd.String("status"); s != "" {
		for st := range strings.SplitSeq(s, ",") {
			f.Status = append(f.Status, catalog.Status(strings.TrimSpace(st)))
		}
	}
	return f, nil
}

// export writes the products matching f to path ("" for standard output)
// as an operator on the server: with an admin's view of the catalogue.
func (e process) export(ctx context.Context, format, path string, f catalog.ProductFilter) error {
	if path == "" && format == "xlsx" && isTerminal(e.stdout) {
		return errors.New("an XLSX workbook is binary: redirect standard output to a file, or give --output")
	}
	a, err := e.open(ctx, false, 0)
	if err != nil {
		return err
	}
	defer a.close()
	out, commit, err := exportOutput(e.stdout, path)
	if err != nil {
		return err
	}
	start := time.Now()
	progress := newExportProgress(e.stderr)
	n, err := writeExport(ctx, catalog.NewService(postgres.NewCatalog(a.db), a.tax, time.Now), out, format, f, progress.add)
	progress.done()
	if err = commit(err); err != nil {
		return exportError(err)
	}
	dest := "standard output"
	if path != "" {
		dest = path
	}
	fmt.Fprintf(e.stderr, "exported %d products to %s in %s\n", n, dest, time.Since(start).Round(time.Millisecond))
	return nil
}

// exportOutput is where an export goes: stdout, or for a path a temporary
// file beside it, renamed to path by commit(nil) only. A failed export
// leaves neither a partial file nor a changed one where path was.
func exportOutput(stdout io.Writer, path string) (io.Writer, func(error) error, error) {
	if path == "" {
		return stdout, func(err error) error { return err }, nil
	}
	// Created readable by its owner only: an export may hold unpublished products.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".otop-export-*")
	if err != nil {
		return nil, nil, fmt.Errorf("--output: %w", err)
	}
	return tmp, func(failed error) error {
		err := errors.Join(failed, tmp.Close())
		if err == nil {
			err = os.Rename(tmp.Name(), path)
		}
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
		return err
	}, nil
}

// writeExport writes the sheet of the products matching f, seen by an
// admin, to w, calling progress after each row; it returns the rows written.
func writeExport(ctx context.Context, svc *catalog.Service, w io.Writer, format string, f catalog.ProductFilter, progress func()) (int, error) {
	cols, err := bulk.Columns()
	if err != nil {
		return 0, err
	}
	var (
		sheet bulk.RowWriter
		n     int
	)
	// A write per 64 KiB rather than per CSV buffer (4 KiB) of a pipe or file.
	buf := bufio.NewWriterSize(w, 64<<10)
	w = buf
	// The operator reads as an admin. Reading records nothing, so no
	// account stands behind this principal; an id makes it signed in.
	operator := account.Principal{UserID: uuid.New(), Role: account.RoleAdmin}
	// The sheet starts with the first product, once the filter was accepted.
	err = svc.ExportProducts(ctx, operator, f, func(p catalog.Product) error {
		if sheet == nil {
			s, err := openSheet(w, format, cols)
			if err != nil {
				return err
			}
			sheet = s
		}
		if err := sheet.Write(bulk.EncodeRow(cols, p)); err != nil {
			return err
		}
		n++
		progress()
		return nil
	})
	if err != nil {
		return n, err
	}
	if sheet == nil { // no product: the header row alone
		if sheet, err = openSheet(w, format, cols); err != nil {
			return 0, err
		}
	}
	if err := sheet.Close(); err != nil {
		return n, err
	}
	return n, buf.Flush()
}

// openSheet starts a sheet of the format on w with the header row.
func openSheet(w io.Writer, format string, cols []bulk.Column) (bulk.RowWriter, error) {
	var sheet bulk.RowWriter
	if format == "xlsx" {
		var err error
		if sheet, err = bulk.NewXLSXWriter(w); err != nil {
			return nil, err
		}
	} else {
		sheet = bulk.NewCSVWriter(w)
	}
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.ID
	}
	return sheet, sheet.Write(header)
}

// exportError names the flags of a refused filter as the command spells
// them (select_center → --select-center).
func exportError(err error) error {
	var qe *errs.QueryError
	if !errors.As(err, &qe) {
		return err
	}
	msgs := make([]string, len(qe.Fields))
	for i, fe := range qe.Fields {
		msgs[i] = "--" + strings.ReplaceAll(fe.Field, "_", "-") + ": " + fe.Message
	}
	return errors.New(strings.Join(msgs, "; "))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) //nolint:gosec // a file descriptor fits an int
}

// exportProgress reports an export's progress on standard error: a bar on
// a terminal, a plain line per exportProgressEvery products otherwise (a
// log file, a cron job's mail).
type exportProgress struct {
	w   io.Writer
	bar *progressbar.ProgressBar // nil when w is no terminal
	n   int
}

func newExportProgress(w io.Writer) *exportProgress {
	p := &exportProgress{w: w}
	if isTerminal(w) {
		// The total is unknown until the last page: the bar counts and gives the rate.
		p.bar = progressbar.NewOptions64(-1, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("export"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("products"),
			progressbar.OptionThrottle(200*time.Millisecond))
	}
	return p
}

func (p *exportProgress) add() {
	p.n++
	if p.bar != nil {
		_ = p.bar.Add(1)
	} else if p.n%exportProgressEvery == 0 {
		fmt.Fprintf(p.w, "exported %d products\n", p.n)
	}
}

func (p *exportProgress) done() {
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}
