package bulk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/media"
)

// JobState is where an import job stands.
type JobState string

// The states of an import job.
const (
	JobQueued  JobState = "queued"
	JobRunning JobState = "running"
	JobDone    JobState = "done"
	JobFailed  JobState = "failed"
)

// Limits of an import.
const (
	// MaxFileBytes bounds an uploaded sheet; MaxRows bounds its rows.
	MaxFileBytes = 64 << 20
	// MaxImagesBytes bounds the ZIP of photos.
	MaxImagesBytes = 512 << 20
	// MaxProblems bounds the problems a report lists; Invalid still
	// counts every invalid row.
	MaxProblems = 1000
	// maxAttempts is how often a job is started before it is failed: a job
	// that stops its server each time must not stop every server in turn.
	maxAttempts = 3
	// lease is how long a running job is its worker's without a sign of
	// life; a job whose lease ran out is taken again from the start.
	lease = time.Minute
	// batchRows is how many rows are read, checked and written together.
	batchRows = 1000
)

// Report is what an import did, or (a dry run, or a refused file) would do.
type Report struct {
	Created   int       `json:"created"`
	Updated   int       `json:"updated"`
	Unchanged int       `json:"unchanged"`
	Invalid   int       `json:"invalid"`
	Problems  []Problem `json:"problems"`
	// ProblemsTruncated: more problems were found than MaxProblems.
	ProblemsTruncated bool `json:"problems_truncated"`
	// Applied: the changes were written (not a dry run, and either no row
	// was invalid or skip_invalid was asked for).
	Applied bool     `json:"applied"`
	Notices []string `json:"notices"`
}

func (r *Report) problem(p ...Problem) {
	for _, pr := range p {
		if len(r.Problems) >= MaxProblems {
			r.ProblemsTruncated = true
			return
		}
		r.Problems = append(r.Problems, pr)
	}
}

// Job is one import.
type Job struct {
	ID uuid.UUID
	// Who asked: the job runs with their rights.
	UserID         uuid.UUID
	Role           account.Role
	SelectCenterID string
	// ProducerID is the producer of rows without a producer_id (staff), or
	// the importing producer's own profile.
	ProducerID  uuid.UUID
	FileName    string
	FileKey     string
	ImagesKey   string
	DryRun      bool
	SkipInvalid bool
	State       JobState
	RowsTotal   int
	RowsDone    int
	Report      Report
	// Error says why a job failed as a whole (an unreadable file).
	Error      string
	Attempts   int
	CreatedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt *time.Time
}

func (j Job) principal() account.Principal {
	return account.Principal{UserID: j.UserID, Role: j.Role, SelectCenterID: j.SelectCenterID}
}

// JobStore keeps import jobs. Its writes name the attempt they belong to,
// so a worker whose lease was taken over cannot change the job any more
// (errs.ErrPrecondition).
type JobStore interface {
	CreateJob(ctx context.Context, j Job) error
	Job(ctx context.Context, id uuid.UUID) (Job, error)
	// ClaimJob takes the oldest queued job, or a running one whose lease
	// ran out, as attempt Attempts+1 leased until until; errs.ErrNotFound
	// when there is none.
	ClaimJob(ctx context.Context, now, until time.Time) (Job, error)
	Progress(ctx context.Context, id uuid.UUID, attempt, rowsTotal, rowsDone int, until time.Time) error
	// Extend extends a running attempt's lease.
	Extend(ctx context.Context, id uuid.UUID, attempt int, until time.Time) error
	// Finish ends a job whose changes were not written (a dry run, a
	// refused file, or invalid rows without skip_invalid).
	Finish(ctx context.Context, id uuid.UUID, attempt int, state JobState, report Report, message string, at time.Time) error
	// Apply runs fn in one transaction, committed when fn returns nil.
	Apply(ctx context.Context, fn func(tx ImportTx) error) error
	// PurgeJobs deletes jobs finished before before and returns their file keys.
	PurgeJobs(ctx context.Context, before time.Time) ([]string, error)
}

// SKUKey is a producer's SKU.
type SKUKey struct {
	ProducerID uuid.UUID
	SKU        string
}

// ImportTx is the transaction an import writes in.
type ImportTx interface {
	Producers(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]catalog.Producer, error)
	// ActiveProducts counts each producer's products that are not archived,
	// locking the producers' rows until the transaction ends so that
	// parallel creations cannot pass the bound together.
	ActiveProducts(ctx context.Context, producerIDs []uuid.UUID) (map[uuid.UUID]int, error)
	// Existing returns the products with these ids or these SKUs.
	Existing(ctx context.Context, ids []uuid.UUID, skus []SKUKey) ([]catalog.Product, error)
	// ImageHashes returns the SHA-256 of each product's photos.
	ImageHashes(ctx context.Context, productIDs []uuid.UUID) (map[uuid.UUID][]string, error)
	Insert(ctx context.Context, plans []catalog.ImportPlan) error
	Update(ctx context.Context, plan catalog.ImportPlan) error
	// AddImages stores the rows of photos whose objects are written, after
	// the product's others, at most media.MaxImagesPerProduct in all.
	AddImages(ctx context.Context, productID uuid.UUID, imgs []media.Image) error
	// Finish marks the job done with its report, in this transaction.
	Finish(ctx context.Context, id uuid.UUID, attempt int, report Report, at time.Time) error
}

// Files keeps uploaded files until their job is over.
type Files interface {
	PutFile(ctx context.Context, key string, r io.Reader, size int64) error
	GetFile(ctx context.Context, key string, w io.Writer) error
	Remove(ctx context.Context, keys ...string) error
}

// Photos runs photos through the image pipeline of uploads.
type Photos interface {
	Prepare(ctx context.Context, productID uuid.UUID, r io.Reader) (media.Image, error)
	Check(ctx context.Context, r io.Reader) error
	Discard(ctx context.Context, imgs ...media.Image) error
	Limits() media.Limits
}

// Service imports catalogues.
type Service struct {
	store   JobStore
	files   Files
	photos  Photos
	catalog *catalog.Service
	cols    []Column
	lists   Lists
	now     func() time.Time
	logger  *slog.Logger
	wake    chan struct{}
}

// NewService builds the import service.
// lists are the values the template's dropdowns offer.
func NewService(store JobStore, files Files, photos Photos, cat *catalog.Service, lists Lists, now func() time.Time, logger *slog.Logger) (*Service, error) {
	cols, err := Columns()
	if err != nil {
		return nil, err
	}
	return &Service{store: store, files: files, photos: photos, catalog: cat, cols: cols, lists: lists, now: now, logger: logger,
		wake: make(chan struct{}, 1)}, nil
}

// Template writes the import template as format (csv or xlsx).
func (s *Service) Template(w io.Writer, format string) error {
	return WriteTemplate(w, format, s.cols, s.lists)
}

// Upload is a file of an import request, saved in a temporary file.
type Upload struct {
	Name string
	File *os.File
	Size int64
}

// JobInput asks for an import.
type JobInput struct {
	File        Upload
	Images      *Upload
	DryRun      bool
	SkipInvalid bool
	// ProducerID: staff name the producer of rows without producer_id.
	ProducerID uuid.UUID
}

// Create checks who asks and for whom, keeps the files and queues the job.
func (s *Service) Create(ctx context.Context, p account.Principal, in JobInput) (Job, error) {
	if p.Anonymous() {
		return Job{}, errs.ErrUnauthenticated
	}
	producerID, err := s.defaultProducer(ctx, p, in.ProducerID)
	if err != nil {
		return Job{}, err
	}
	now := s.now().UTC()
	j := Job{
		ID: uuid.New(), UserID: p.UserID, Role: p.Role, SelectCenterID: p.SelectCenterID, ProducerID: producerID,
		FileName: in.File.Name, DryRun: in.DryRun, SkipInvalid: in.SkipInvalid, State: JobQueued,
		Report: Report{Problems: []Problem{}, Notices: []string{}}, CreatedAt: now, UpdatedAt: now,
	}
	j.FileKey = "imports/" + j.ID.String() + "/sheet"
	if err := s.files.PutFile(ctx, j.FileKey, in.File.File, in.File.Size); err != nil {
		return Job{}, fmt.Errorf("%w: the file store failed; try again: %w", errs.ErrUnavailable, err)
	}
	if in.Images != nil {
		j.ImagesKey = "imports/" + j.ID.String() + "/images.zip"
		if err := s.files.PutFile(ctx, j.ImagesKey, in.Images.File, in.Images.Size); err != nil {
			_ = s.files.Remove(ctx, j.FileKey)
			return Job{}, fmt.Errorf("%w: the file store failed; try again: %w", errs.ErrUnavailable, err)
		}
	}
	if err := s.store.CreateJob(ctx, j); err != nil {
		_ = s.files.Remove(ctx, j.FileKey) // the sheet; the images were not stored
		return Job{}, err
	}
	s.Wake()
	return j, nil
}

// defaultProducer is the producer of rows that name none: the importing
// producer's own profile, or the producer staff named (optional).
func (s *Service) defaultProducer(ctx context.Context, p account.Principal, named uuid.UUID) (uuid.UUID, error) {
	switch {
	case p.Is(account.RoleProducer):
		own, err := s.catalog.MyProducer(ctx, p)
		if errors.Is(err, errs.ErrNotFound) {
			return uuid.Nil, errs.Invalid("producer", "create your producer profile (POST /v1/producers) before importing products")
		}
		if err != nil {
			return uuid.Nil, err
		}
		if named != uuid.Nil && named != own.ID {
			return uuid.Nil, errs.Invalid("producer_id", "a producer imports only their own products")
		}
		return own.ID, nil
	case p.Staff():
		if named == uuid.Nil {
			return uuid.Nil, nil
		}
		producer, err := s.catalog.GetProducer(ctx, p, named)
		if errors.Is(err, errs.ErrNotFound) {
			return uuid.Nil, errs.Invalid("producer_id", "no such producer")
		}
		if err != nil {
			return uuid.Nil, err
		}
		if err := s.catalog.MayImportFor(p, producer); err != nil {
			return uuid.Nil, errs.Invalid("producer_id", errs.ClientMessage(err, errs.ErrForbidden))
		}
		return producer.ID, nil
	}
	return uuid.Nil, errs.New(errs.ErrForbidden, "only producers and Select center staff import products")
}

// Job returns an import job to the user who started it or an admin.
func (s *Service) Job(ctx context.Context, p account.Principal, id uuid.UUID) (Job, error) {
	if p.Anonymous() {
		return Job{}, errs.ErrUnauthenticated
	}
	j, err := s.store.Job(ctx, id)
	if err != nil {
		return Job{}, err
	}
	if j.UserID != p.UserID && !p.Is(account.RoleAdmin) {
		return Job{}, fmt.Errorf("import %s: %w", id, errs.ErrNotFound)
	}
	return j, nil
}

// Wake makes the worker look for jobs now.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run works through queued jobs until ctx ends, looking every interval
// (and when woken) and purging jobs finished more than a month ago.
func (s *Service) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	lastPurge := time.Time{}
	for {
		for {
			ran, err := s.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				s.logger.ErrorContext(ctx, "import job", "err", err)
			}
			if !ran || ctx.Err() != nil {
				break
			}
		}
		if s.now().Sub(lastPurge) > time.Hour {
			lastPurge = s.now()
			if keys, err := s.store.PurgeJobs(ctx, s.now().Add(-30*24*time.Hour)); err != nil {
				s.logger.WarnContext(ctx, "purge import jobs", "err", err)
			} else if len(keys) > 0 {
				_ = s.files.Remove(ctx, keys...)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// RunOnce runs the next job, if any, and reports whether it found one.
func (s *Service) RunOnce(ctx context.Context) (bool, error) {
	now := s.now()
	j, err := s.store.ClaimJob(ctx, now, now.Add(lease))
	if errors.Is(err, errs.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if j.Attempts > maxAttempts {
		msg := fmt.Sprintf("the import was interrupted %d times (the server stopped while it ran); nothing was written; try again", maxAttempts)
		return true, s.store.Finish(ctx, j.ID, j.Attempts, JobFailed, Report{Problems: []Problem{}, Notices: []string{}}, msg, s.now())
	}
	err = s.Process(ctx, j)
	if errors.Is(err, errs.ErrUnavailable) {
		// PostgreSQL or the object store is down: the job is taken again
		// when its lease runs out.
		return true, err
	}
	if err != nil && ctx.Err() == nil && !errors.Is(err, errs.ErrPrecondition) {
		// A failure of ours, not of the file: the job fails cleanly with
		// nothing written, and says so without internal details.
		s.logger.ErrorContext(ctx, "import failed", "job", j.ID, "err", err)
		ferr := s.store.Finish(ctx, j.ID, j.Attempts, JobFailed, Report{Problems: []Problem{}, Notices: []string{}},
			"the import failed on our side; nothing was written; try again", s.now())
		return true, errors.Join(err, ferr)
	}
	return true, nil
}
