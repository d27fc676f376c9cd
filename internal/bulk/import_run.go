package bulk

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/media"
)

// maxPhotoEntries bounds the files of a ZIP of photos (its directory is read
// whole).
const maxPhotoEntries = 5000

// errNotApplied ends an import's transaction without writing: a dry run,
// or invalid rows without skip_invalid.
var errNotApplied = errors.New("import not applied")

// fileError is a problem of the file as a whole: the job fails with it.
type fileError struct{ msg string }

func (e *fileError) Error() string { return e.msg }

// Process runs job j: it reads the sheet twice (once to count its rows,
// once to apply them) and writes every change in one transaction that
// also marks the job done, so that the job is applied entirely or not at
// all, whatever stops it.
func (s *Service) Process(ctx context.Context, j Job) error {
	dir, err := os.MkdirTemp("", "otop-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir) //nolint:errcheck // temporary files
	// The lease is extended while the job runs, however long one batch
	// takes (photos); a worker that dies stops extending it.
	beat, stopBeat := context.WithCancel(ctx)
	defer stopBeat()
	go func() {
		t := time.NewTicker(lease / 3)
		defer t.Stop()
		for {
			select {
			case <-beat.Done():
				return
			case <-t.C:
				if err := s.store.Extend(beat, j.ID, j.Attempts, s.now().Add(lease)); err != nil && beat.Err() == nil && !errors.Is(err, errs.ErrPrecondition) {
					s.logger.WarnContext(ctx, "import: extend lease", "job", j.ID, "err", err)
				}
			}
		}
	}()
	r := &run{s: s, job: j, p: j.principal(), producers: map[uuid.UUID]producerCheck{},
		active: map[uuid.UUID]int{}, skus: map[SKUKey]int{}, ids: map[uuid.UUID]int{},
		report: Report{Problems: []Problem{}, Notices: []string{}}}
	err = r.open(ctx, dir)
	if err == nil {
		err = s.store.Progress(ctx, j.ID, j.Attempts, r.total, 0, s.now().Add(lease))
	}
	if err == nil {
		err = s.store.Apply(ctx, func(tx ImportTx) error {
			if err := r.apply(ctx, tx); err != nil {
				return err
			}
			if !r.report.Applied {
				return errNotApplied
			}
			return tx.Finish(ctx, j.ID, j.Attempts, r.report, s.now())
		})
	}
	if err != nil && len(r.prepared) > 0 {
		if derr := s.photos.Discard(context.WithoutCancel(ctx), r.prepared...); derr != nil {
			s.logger.WarnContext(ctx, "import: discard photos (the sweep will)", "job", j.ID, "err", derr)
		}
	}
	if r.zip != nil {
		_ = r.zip.Close()
	}
	var fe *fileError
	switch {
	case err == nil:
	case errors.Is(err, errNotApplied):
		err = s.store.Finish(ctx, j.ID, j.Attempts, JobDone, r.report, "", s.now())
	case errors.As(err, &fe):
		err = s.store.Finish(ctx, j.ID, j.Attempts, JobFailed, r.report, fe.msg, s.now())
	default:
		return err
	}
	if err == nil {
		keys := []string{j.FileKey}
		if j.ImagesKey != "" {
			keys = append(keys, j.ImagesKey)
		}
		if rmErr := s.files.Remove(ctx, keys...); rmErr != nil {
			s.logger.WarnContext(ctx, "import: remove files (purged later)", "job", j.ID, "err", rmErr)
		}
	}
	return err
}

type producerCheck struct {
	producer catalog.Producer
	problem  string // why this job may not import for it
}

// run is one attempt at a job.
type run struct {
	s         *Service
	job       Job
	p         account.Principal
	sheet     string // the path of the downloaded sheet
	zip       *zip.ReadCloser
	photos    map[string]*zip.File // by full name and by base name
	total     int
	report    Report
	producers map[uuid.UUID]producerCheck
	active    map[uuid.UUID]int // products not archived, per producer, with this job's creations
	skus      map[SKUKey]int    // the row each SKU was first seen on
	ids       map[uuid.UUID]int // the row each product id was first seen on
	prepared  []media.Image     // photos whose objects are written, for discarding on rollback
	writing   bool
}

// open downloads the files and counts the rows.
func (r *run) open(ctx context.Context, dir string) error {
	r.sheet = dir + "/sheet"
	if err := r.download(ctx, r.job.FileKey, r.sheet); err != nil {
		return err
	}
	if r.job.ImagesKey != "" {
		name := dir + "/images.zip"
		if err := r.download(ctx, r.job.ImagesKey, name); err != nil {
			return err
		}
		if err := r.openZip(name); err != nil {
			return err
		}
	}
	sh, err := r.openSheet()
	if err != nil {
		return err
	}
	defer sh.Close() //nolint:errcheck // read-only
	for {
		_, err := sh.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var se *SheetError
		if errors.As(err, &se) && rowProblem(se) {
			r.total = se.Row
			continue // the row's problem is reported when it is applied
		}
		if err != nil {
			return sheetFailure(err)
		}
		r.total = sh.Row()
	}
	return nil
}

func (r *run) download(ctx context.Context, key, name string) error {
	f, err := os.Create(name) //nolint:gosec // a path of our own temporary directory
	if err != nil {
		return err
	}
	if err := r.s.files.GetFile(ctx, key, f); err != nil {
		_ = f.Close()
		if errors.Is(err, errs.ErrNotFound) {
			return &fileError{msg: "the uploaded file is gone (it was kept for a month); upload it again"}
		}
		return err
	}
	return f.Close()
}

func (r *run) openSheet() (RowReader, error) {
	f, err := os.Open(r.sheet)
	if err != nil {
		return nil, err
	}
	sh, err := OpenSheet(f, r.job.FileName)
	if err != nil {
		_ = f.Close()
		return nil, sheetFailure(err)
	}
	return closeBoth{RowReader: sh, f: f}, nil
}

type closeBoth struct {
	RowReader
	f *os.File
}

func (c closeBoth) Close() error { return errors.Join(c.RowReader.Close(), c.f.Close()) }

// rowProblem: the error is one row's, and the rows after it can be read.
func rowProblem(se *SheetError) bool { return se.Row > 0 && !se.Fatal }

func sheetFailure(err error) error {
	var se *SheetError
	if errors.As(err, &se) {
		if se.Row > 0 {
			return &fileError{msg: se.Error()}
		}
		return &fileError{msg: se.Message}
	}
	return err
}

// openZip reads the ZIP's directory, refusing an archive too large to list.
// Entries with unsafe names are kept out of the index, so a row naming one
// is refused.
func (r *run) openZip(name string) error {
	z, err := zip.OpenReader(name)
	if err != nil {
		return &fileError{msg: "the images file is not a ZIP archive"}
	}
	r.zip = z
	if len(z.File) > maxPhotoEntries {
		return &fileError{msg: fmt.Sprintf("the ZIP of photos holds more than %d files", maxPhotoEntries)}
	}
	r.photos = make(map[string]*zip.File, 2*len(z.File))
	for _, f := range z.File {
		if f.FileInfo().IsDir() || !safeName(f.Name) {
			continue
		}
		r.photos[f.Name] = f
		if base := path.Base(f.Name); r.photos[base] == nil {
			r.photos[base] = f
		}
	}
	return nil
}

// safeName: a relative path without '..', backslashes or control characters.
func safeName(name string) bool {
	if name == "" || strings.HasPrefix(name, "/") || strings.ContainsAny(name, "\\:") ||
		strings.ContainsFunc(name, refusedControl) {
		return false
	}
	return !slices.Contains(strings.Split(name, "/"), "..")
}

// pending is a row read and decoded, waiting for its batch.
type pending struct {
	row      Row
	producer catalog.Producer
	cur      *catalog.Product
	plan     catalog.ImportPlan
	images   []media.Image
	bad      bool
}

// apply reads the sheet in batches and writes the rows while none is
// invalid (or skip_invalid was asked).
func (r *run) apply(ctx context.Context, tx ImportTx) error {
	sh, err := r.openSheet()
	if err != nil {
		return err
	}
	defer sh.Close() //nolint:errcheck // read-only
	index, unknown, err := HeaderIndex(r.s.cols, sh.Header())
	if err != nil {
		return &fileError{msg: err.Error()}
	}
	if len(unknown) > 0 {
		r.report.Notices = append(r.report.Notices, "columns not known and ignored: "+strings.Join(unknown, ", "))
	}
	if n := sh.Notice(); n != "" {
		r.report.Notices = append(r.report.Notices, n)
	}
	if _, ok := index["status"]; ok {
		r.report.Notices = append(r.report.Notices, "the status column is ignored: imports create drafts, and submit=yes sends a row for review")
	}
	r.writing = !r.job.DryRun
	// The sheet is read and decoded a chunk ahead, in a goroutine of its
	// own, while the database works on the chunk before.
	chunks := make(chan chunk, 1)
	stop := make(chan struct{})
	go readChunks(sh, index, chunks, stop)
	defer func() { // the reader is done with the sheet before it is closed
		close(stop)
		for range chunks {
		}
	}()
	for c := range chunks {
		for _, p := range c.invalid {
			r.invalid(p...)
		}
		if c.err != nil {
			return sheetFailure(c.err)
		}
		if err := r.batch(ctx, tx, c.rows); err != nil {
			return err
		}
		if err := r.s.store.Progress(ctx, r.job.ID, r.job.Attempts, r.total, c.last, r.s.now().Add(lease)); err != nil {
			return err
		}
	}
	r.report.Applied = !r.job.DryRun && (r.report.Invalid == 0 || r.job.SkipInvalid)
	return nil
}

// chunk is up to batchRows decoded rows, the problems of the rows of its
// stretch of the sheet that could not be decoded (one list per row), and
// the number of the last row read; err ends the sheet.
type chunk struct {
	rows    []*pending
	invalid [][]Problem
	last    int
	err     error
}

// readChunks reads the sheet into chunks until its end, an error of the
// file, or stop.
func readChunks(sh RowReader, index map[string]int, out chan<- chunk, stop <-chan struct{}) {
	defer close(out)
	c := chunk{rows: make([]*pending, 0, batchRows)}
	send := func() bool {
		select {
		case out <- c:
			c = chunk{rows: make([]*pending, 0, batchRows), last: c.last}
			return true
		case <-stop:
			return false
		}
	}
	for {
		cells, err := sh.Next()
		if errors.Is(err, io.EOF) {
			send()
			return
		}
		var se *SheetError
		switch {
		case errors.As(err, &se) && rowProblem(se):
			c.invalid = append(c.invalid, []Problem{{Row: se.Row, Message: se.Message}})
			c.last = se.Row
			continue
		case err != nil:
			c.err = err
			send()
			return
		}
		c.last = sh.Row()
		row, problems := DecodeRow(index, cells, sh.Row())
		if len(problems) > 0 {
			c.invalid = append(c.invalid, problems)
			continue
		}
		c.rows = append(c.rows, &pending{row: row})
		if len(c.rows) == batchRows && !send() {
			return
		}
	}
}

// invalid records the problems of one row, which is left out.
func (r *run) invalid(p ...Problem) {
	r.report.Invalid++
	r.report.problem(p...)
	if !r.job.SkipInvalid {
		r.writing = false
	}
}

func (r *run) reject(pd *pending, col, msg string) {
	if !pd.bad {
		pd.bad = true
		r.invalid(Problem{Row: pd.row.Number, Column: col, Message: msg})
		return
	}
	r.report.problem(Problem{Row: pd.row.Number, Column: col, Message: msg})
}

// batch checks a batch of rows against the catalogue and writes the good
// ones while writing.
func (r *run) batch(ctx context.Context, tx ImportTx, rows []*pending) error {
	if len(rows) == 0 {
		return nil
	}
	if err := r.resolveProducers(ctx, tx, rows); err != nil {
		return err
	}
	existing, err := r.existing(ctx, tx, rows)
	if err != nil {
		return err
	}
	for _, pd := range rows {
		if pd.bad {
			continue
		}
		if err := r.plan(ctx, tx, pd, existing); err != nil {
			return err
		}
	}
	if err := r.photosOf(ctx, tx, rows); err != nil {
		return err
	}
	var creates []catalog.ImportPlan
	for _, pd := range rows {
		if pd.bad {
			continue
		}
		switch pd.plan.Outcome {
		case catalog.ImportCreated:
			r.report.Created++
			creates = append(creates, pd.plan)
		case catalog.ImportUpdated:
			r.report.Updated++
		case catalog.ImportUnchanged:
			if len(pd.images) > 0 {
				r.report.Updated++
			} else {
				r.report.Unchanged++
			}
		}
	}
	if !r.writing {
		return nil
	}
	if err := tx.Insert(ctx, creates); err != nil {
		return err
	}
	for _, pd := range rows {
		if pd.bad {
			continue
		}
		if pd.plan.Outcome == catalog.ImportUpdated {
			if err := tx.Update(ctx, pd.plan); err != nil {
				return r.rowError(pd, "", err)
			}
		}
		if len(pd.images) > 0 {
			if err := tx.AddImages(ctx, pd.plan.Product.ID, pd.images); err != nil {
				return r.rowError(pd, "images", err)
			}
		}
	}
	return nil
}

// rowError turns a write refused by the database (a SKU taken meanwhile by
// another request) into the report's problem: the job fails as a whole,
// since the transaction cannot go on after a failed statement.
func (r *run) rowError(pd *pending, col string, err error) error {
	if errors.Is(err, errs.ErrPrecondition) {
		return &fileError{msg: fmt.Sprintf("the product of row %d changed while the import ran; nothing was written; run the import again", pd.row.Number)}
	}
	problems, ok := ProblemsOf(pd.row.Number, err)
	if !ok {
		return err
	}
	for i := range problems {
		if problems[i].Column == "" {
			problems[i].Column = col
		}
	}
	r.report.Invalid++
	r.report.problem(problems...)
	return &fileError{msg: fmt.Sprintf("row %d could not be written: %s; nothing was written", pd.row.Number, problems[0].Message)}
}

// resolveProducers decides each row's producer and whether the job may
// import for it.
func (r *run) resolveProducers(ctx context.Context, tx ImportTx, rows []*pending) error {
	var missing []uuid.UUID
	for _, pd := range rows {
		id := pd.row.ProducerID
		if r.job.Role == account.RoleProducer {
			if id != uuid.Nil && id != r.job.ProducerID {
				r.reject(pd, "producer_id", "a producer imports only their own products")
				continue
			}
			id = r.job.ProducerID
		} else if id == uuid.Nil {
			id = r.job.ProducerID
		}
		if id == uuid.Nil {
			r.reject(pd, "producer_id", "is required: name the producer of each row (or one producer for the whole file)")
			continue
		}
		pd.row.ProducerID = id
		if _, ok := r.producers[id]; !ok && !slices.Contains(missing, id) {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		found, err := tx.Producers(ctx, missing)
		if err != nil {
			return err
		}
		counts, err := tx.ActiveProducts(ctx, missing)
		if err != nil {
			return err
		}
		for _, id := range missing {
			pc := producerCheck{problem: "no such producer"}
			if prod, ok := found[id]; ok {
				pc = producerCheck{producer: prod}
				if err := r.s.catalog.MayImportFor(r.p, prod); err != nil {
					pc.problem = errs.ClientMessage(err, errs.ErrForbidden)
				}
			}
			r.producers[id] = pc
			r.active[id] = counts[id]
		}
	}
	for _, pd := range rows {
		if pd.bad {
			continue
		}
		pc := r.producers[pd.row.ProducerID]
		if pc.problem != "" {
			r.reject(pd, "producer_id", pc.problem)
			continue
		}
		pd.producer = pc.producer
	}
	return nil
}

// existing loads the products the rows name (by id or SKU), refusing a SKU
// or an id that an earlier row already used.
func (r *run) existing(ctx context.Context, tx ImportTx, rows []*pending) (map[uuid.UUID]catalog.Product, error) {
	var ids []uuid.UUID
	var skus []SKUKey
	for _, pd := range rows {
		if pd.bad {
			continue
		}
		if pd.row.SKU != "" {
			key := SKUKey{ProducerID: pd.row.ProducerID, SKU: pd.row.SKU}
			if first, ok := r.skus[key]; ok {
				r.reject(pd, "sku", "repeats the SKU of row "+strconv.Itoa(first))
				continue
			}
			r.skus[key] = pd.row.Number
			skus = append(skus, key)
		}
		if pd.row.ID != uuid.Nil {
			if first, ok := r.ids[pd.row.ID]; ok {
				r.reject(pd, "id", "repeats the product of row "+strconv.Itoa(first))
				continue
			}
			r.ids[pd.row.ID] = pd.row.Number
			ids = append(ids, pd.row.ID)
		}
	}
	found, err := tx.Existing(ctx, ids, skus)
	if err != nil {
		return nil, err
	}
	byKey := make(map[uuid.UUID]catalog.Product, len(found))
	for _, p := range found {
		byKey[p.ID] = p
	}
	return byKey, nil
}

// plan matches a row with its product (by id, else by SKU) and applies it
// under the catalogue's rules.
func (r *run) plan(ctx context.Context, tx ImportTx, pd *pending, existing map[uuid.UUID]catalog.Product) error {
	var bySKU *catalog.Product
	if pd.row.SKU != "" {
		for _, p := range existing {
			if p.ProducerID == pd.row.ProducerID && p.SKU == pd.row.SKU {
				bySKU = &p
				break
			}
		}
	}
	switch {
	case pd.row.ID != uuid.Nil:
		p, ok := existing[pd.row.ID]
		if !ok {
			r.reject(pd, "id", "no product has this id; leave it empty to create a product")
			return nil
		}
		if bySKU != nil && bySKU.ID != p.ID {
			r.reject(pd, "sku", "is the SKU of another of this producer's products")
			return nil
		}
		pd.cur = &p
	case bySKU != nil:
		pd.cur = bySKU
	}
	plan, err := r.s.catalog.PlanImport(ctx, r.p, pd.producer, pd.cur, pd.row.Input, pd.row.Submit)
	if err != nil {
		problems, ok := ProblemsOf(pd.row.Number, err)
		if !ok {
			return err
		}
		pd.bad = true
		r.invalid(problems...)
		return nil
	}
	if plan.Outcome == catalog.ImportCreated {
		if r.active[pd.row.ProducerID] >= catalog.MaxProductsPerProducer {
			r.reject(pd, "", fmt.Sprintf("a producer lists at most %d products; archive some before adding more", catalog.MaxProductsPerProducer))
			return nil
		}
		r.active[pd.row.ProducerID]++
	}
	pd.plan = plan
	return nil
}

// photosOf runs the photos each row names through the image pipeline:
// checked only, while nothing is being written; stored as objects
// otherwise (their rows follow in the transaction). A photo the product
// already has is skipped.
func (r *run) photosOf(ctx context.Context, tx ImportTx, rows []*pending) error {
	var withPhotos []uuid.UUID
	for _, pd := range rows {
		if !pd.bad && len(pd.row.Images) > 0 && pd.cur != nil {
			withPhotos = append(withPhotos, pd.cur.ID)
		}
	}
	hashes := map[uuid.UUID][]string{}
	if len(withPhotos) > 0 {
		var err error
		if hashes, err = tx.ImageHashes(ctx, withPhotos); err != nil {
			return err
		}
	}
	for _, pd := range rows {
		if pd.bad || len(pd.row.Images) == 0 {
			continue
		}
		if r.zip == nil {
			r.reject(pd, "images", "names photos, but no ZIP of photos (the field images) came with the file")
			continue
		}
		have := hashes[pd.plan.Product.ID]
		if err := r.rowPhotos(ctx, pd, have); err != nil {
			return err
		}
	}
	return nil
}

func (r *run) rowPhotos(ctx context.Context, pd *pending, have []string) error {
	limit := r.s.photos.Limits().MaxBytes
	for _, name := range pd.row.Images {
		f, ok := r.photos[name]
		switch {
		case !safeName(name):
			r.reject(pd, "images", fmt.Sprintf("%q is not a plain file name in the ZIP", name))
		case !ok:
			r.reject(pd, "images", fmt.Sprintf("%q is not in the ZIP of photos", name))
		case f.UncompressedSize64 > uint64(limit): //nolint:gosec // limit is positive
			r.reject(pd, "images", fmt.Sprintf("%q is larger than the upload limit of %d bytes", name, limit))
		}
		if pd.bad {
			break
		}
		if err := r.photo(ctx, pd, f, name, &have); err != nil {
			return err
		}
		if pd.bad {
			break
		}
	}
	if pd.bad && len(pd.images) > 0 {
		if err := r.s.photos.Discard(ctx, pd.images...); err != nil {
			r.s.logger.WarnContext(ctx, "import: discard photos (the sweep will)", "job", r.job.ID, "err", err)
		}
		pd.images = nil
	}
	return nil
}

// photo checks or prepares one photo of a row. Errors of the photo are the
// row's problems; others (the object store down) fail the job.
func (r *run) photo(ctx context.Context, pd *pending, f *zip.File, name string, have *[]string) error {
	rc, err := f.Open()
	if err != nil {
		r.reject(pd, "images", fmt.Sprintf("%q cannot be read from the ZIP", name))
		return nil
	}
	defer rc.Close() //nolint:errcheck // read-only
	// The declared size can lie (a ZIP bomb): never read past the limit.
	body := io.LimitReader(rc, r.s.photos.Limits().MaxBytes+1)
	if !r.writing {
		err = r.s.photos.Check(ctx, body)
	} else {
		var img media.Image
		img, err = r.s.photos.Prepare(ctx, pd.plan.Product.ID, body)
		if err == nil && slices.Contains(*have, img.SHA256) {
			// The product has this photo already: nothing to add.
			return r.s.photos.Discard(ctx, img)
		}
		if err == nil {
			r.prepared = append(r.prepared, img)
			*have = append(*have, img.SHA256)
			pd.images = append(pd.images, img)
		}
	}
	if err == nil {
		return nil
	}
	if errors.Is(err, errs.ErrUnavailable) || ctx.Err() != nil {
		return err
	}
	problems, ok := ProblemsOf(pd.row.Number, err)
	if !ok {
		msg := "is not an image we can read"
		if errors.Is(err, errs.ErrTooLarge) {
			msg = "is larger than the upload limit"
		}
		problems = []Problem{{Row: pd.row.Number, Message: msg}}
	}
	r.reject(pd, "images", fmt.Sprintf("%q: %s", name, problems[0].Message))
	return nil
}
