package api

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/otopmarket/otop/internal/bulk"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
)

// maxExports is how many exports one process runs at once. Each reads the
// whole filtered catalogue, page after page: a burst of them must leave the
// database pool to the other requests.
const maxExports = 4

// exportFlushRows is how often an export pushes what it has written to
// the client, so that a download shows progress at the pace of the pages.
const exportFlushRows = 1000

// exportBufferBytes is what an export gathers before a write to the
// connection: a system call per 64 KiB rather than per CSV buffer (4 KiB).
const exportBufferBytes = 64 << 10

// sheetFormat is a file format of the exports.
type sheetFormat struct {
	ext, contentType string
	open             func(io.Writer) (bulk.RowWriter, error)
}

func csvSheet() sheetFormat {
	return sheetFormat{ext: "csv", contentType: "text/csv; charset=utf-8",
		open: func(w io.Writer) (bulk.RowWriter, error) { return bulk.NewCSVWriter(w), nil }}
}

func xlsxSheet() sheetFormat {
	return sheetFormat{ext: "xlsx", contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		open: bulk.NewXLSXWriter}
}

// exports serves GET /v1/exports/products.csv and .xlsx.
type exports struct {
	catalog *catalog.Service
	// slots holds a token per running export.
	slots chan struct{}
	// window is the server's write timeout: given anew to the writes of an
	// export as it goes, instead of once to the whole download.
	window time.Duration
}

func newExports(h *handlers, writeTimeout time.Duration) *exports {
	return &exports{catalog: h.catalog, slots: make(chan struct{}, maxExports), window: writeTimeout}
}

func (e *exports) csv(c *gin.Context)  { e.serve(c, csvSheet()) }
func (e *exports) xlsx(c *gin.Context) { e.serve(c, xlsxSheet()) }

// serve streams the products matching the query as a sheet: the header row
// of the English column ids, then a row per product, read a page at a time
// and written as they come. Nothing is written before the filter and the
// caller's right to it were checked, so those answer as problems; a failure
// once the file has started cannot, and breaks the connection instead.
func (e *exports) serve(c *gin.Context, format sheetFormat) {
	f, err := exportFilterFrom(c)
	if err != nil {
		respondError(c, err)
		return
	}
	select {
	case e.slots <- struct{}{}:
		defer func() { <-e.slots }()
	default:
		respondError(c, &errs.RateLimited{RetryAfter: 5 * time.Second, Reason: "too many exports are running"})
		return
	}
	ctx, done := streamContext(c)
	defer done()
	s := &sheetStream{c: c, format: format, public: publicStatuses(f.Status), window: e.window}
	err = e.catalog.ExportProducts(ctx, principalFrom(c), f, s.product)
	if err == nil {
		err = s.close()
	}
	switch {
	case err == nil:
	case !c.Writer.Written():
		s.unstart()
		respondError(c, err)
	default:
		s.abort(ctx, err)
	}
}

// exportFilterFrom reads the filters of GET /v1/products; an export holds
// every matching product, so limit and cursor are unknown parameters here.
func exportFilterFrom(c *gin.Context) (catalog.ProductFilter, error) {
	var v errs.ValidationError
	q := c.Request.URL.Query()
	for _, name := range []string{"limit", "cursor"} {
		if q.Has(name) {
			v.Add(name, "is not a known query parameter: an export holds every matching product")
		}
	}
	f, err := productFilterFrom(c)
	var qe *errs.QueryError
	if errors.As(err, &qe) {
		for _, fe := range qe.Fields {
			if fe.Field != "limit" && fe.Field != "cursor" {
				v.Fields = append(v.Fields, fe)
			}
		}
	} else if err != nil {
		return f, err
	}
	return f, errs.AsQuery(v.Err())
}

// publicStatuses reports whether a status filter selects published
// products only: the same file for every caller.
func publicStatuses(statuses []catalog.Status) bool {
	return !slices.ContainsFunc(statuses, func(s catalog.Status) bool { return s != catalog.StatusPublished })
}

// streamContext is the context of an export. The request's deadline is the
// server's write timeout, meant for one answer rather than a download of the
// catalogue: the export keeps the request's values and ends when the client
// goes away, while each page's query is bounded by the database's statement
// timeout and the writes by the deadline sheetStream renews.
func streamContext(c *gin.Context) (context.Context, func()) {
	req := c.Request.Context()
	ctx, cancel := context.WithCancel(context.WithoutCancel(req))
	stop := context.AfterFunc(req, func() {
		if !errors.Is(req.Err(), context.DeadlineExceeded) {
			cancel()
		}
	})
	return ctx, func() { stop(); cancel() }
}

// sheetStream writes an export's rows to the response, starting it (its
// headers, the sheet's header row) with the first product.
type sheetStream struct {
	c      *gin.Context
	format sheetFormat
	public bool
	window time.Duration
	cols   []bulk.Column
	buf    *bufio.Writer
	sheet  bulk.RowWriter // nil until started
	rows   int
}

func (s *sheetStream) start() error {
	cols, err := bulk.Columns()
	if err != nil {
		return err
	}
	s.cols = cols
	h := s.c.Writer.Header()
	h.Set("Content-Type", s.format.contentType)
	// The date as the Select centers' staff read it: Thailand's (UTC+7, no daylight saving).
	day := time.Now().In(time.FixedZone("ICT", 7*60*60)).Format("20060102")
	h.Set("Content-Disposition", `attachment; filename="otop-products-`+day+`.`+s.format.ext+`"`)
	if !s.public {
		h.Set("Cache-Control", "private, no-store")
	}
	s.c.Status(http.StatusOK)
	w := &deadlineWriter{w: s.c.Writer, rc: http.NewResponseController(s.c.Writer), window: s.window}
	w.renew(time.Now())
	s.buf = bufio.NewWriterSize(w, exportBufferBytes)
	if s.sheet, err = s.format.open(s.buf); err != nil {
		return err
	}
	header := make([]string, len(cols))
	for i, col := range cols {
		header[i] = col.ID
	}
	return s.sheet.Write(header)
}

// unstart takes back the headers of a stream that failed before its first
// byte, for the problem document that answers instead.
func (s *sheetStream) unstart() {
	h := s.c.Writer.Header()
	h.Del("Content-Disposition")
	h.Del("Cache-Control")
}

// abort ends a stream that failed after its first byte. A problem document
// cannot follow the bytes already sent, and a clean end would pass the part
// for the whole: net/http closes the connection without ending the
// response, so that the download fails.
func (s *sheetStream) abort(ctx context.Context, err error) {
	level, msg := slog.LevelError, "export failed after it started; connection aborted"
	if ctx.Err() != nil {
		level, msg = slog.LevelInfo, "export abandoned by the client"
	}
	loggerFrom(s.c).LogAttrs(s.c.Request.Context(), level, msg, slog.String("path", s.c.Request.URL.Path),
		slog.Int("rows", s.rows), slog.Int("bytes", max(s.c.Writer.Size(), 0)), slog.String("error", err.Error()))
	panic(http.ErrAbortHandler)
}

func (s *sheetStream) product(p catalog.Product) error {
	if s.sheet == nil {
		if err := s.start(); err != nil {
			return err
		}
	}
	if err := s.sheet.Write(bulk.EncodeRow(s.cols, p)); err != nil {
		return err
	}
	if s.rows++; s.rows%exportFlushRows == 0 {
		if err := s.buf.Flush(); err != nil {
			return err
		}
		s.c.Writer.Flush()
	}
	return nil
}

// close ends the sheet; an export without products is its header row.
func (s *sheetStream) close() error {
	if s.sheet == nil {
		if err := s.start(); err != nil {
			return err
		}
	}
	if err := s.sheet.Close(); err != nil {
		return err
	}
	return s.buf.Flush()
}

// deadlineWriter renews the connection's write deadline as an export
// writes, so that a long download is bounded per write (a client that
// stops reading) rather than as a whole.
type deadlineWriter struct {
	w       io.Writer
	rc      *http.ResponseController
	window  time.Duration
	renewed time.Time
}

func (d *deadlineWriter) renew(now time.Time) {
	if d.window <= 0 {
		return
	}
	// A writer without deadlines (a test's recorder) has nothing to renew.
	_ = d.rc.SetWriteDeadline(now.Add(d.window))
	d.renewed = now
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	if now := time.Now(); d.window > 0 && now.Sub(d.renewed) > d.window/2 {
		d.renew(now)
	}
	return d.w.Write(p)
}
