package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/errs"
)

// MaxImagesPerProduct is how many photos one product may have.
const MaxImagesPerProduct = 10

// Image is a stored product photo: its original (private) and its variants (public).
type Image struct {
	ID          uuid.UUID
	ProductID   uuid.UUID
	Position    int
	Width       int
	Height      int
	Bytes       int64
	SHA256      string
	OriginalKey string
	Variants    []StoredVariant
	CreatedAt   time.Time
}

// StoredVariant is one resized rendition in the object store.
type StoredVariant struct {
	Name        string `json:"name"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Key         string `json:"key"`
	ContentType string `json:"content_type"`
}

// Keys are every object key the image owns.
func (img Image) Keys() []string {
	keys := []string{img.OriginalKey}
	for _, v := range img.Variants {
		keys = append(keys, v.Key)
	}
	return keys
}

// Upload is a pending direct-to-storage upload (presigned POST).
type Upload struct {
	ID          uuid.UUID
	ProductID   uuid.UUID
	UserID      uuid.UUID
	Key         string
	ExpiresAt   time.Time
	CompletedAt *time.Time
}

// Ticket tells a client how to upload a file straight to the object store.
type Ticket struct {
	UploadID  uuid.UUID
	URL       string
	Fields    map[string]string
	ExpiresAt time.Time
	MaxBytes  int64
}

// ImageRepository stores image rows. AddImage runs in one transaction that
// locks the product, refuses an 11th image (errs.ErrConflict) and a second
// copy of the same bytes (errs.ErrConflict), and records the change on the
// product.
type ImageRepository interface {
	CountImages(ctx context.Context, productID uuid.UUID) (int, error)
	HasImageHash(ctx context.Context, productID uuid.UUID, sha256 string) (bool, error)
	AddImage(ctx context.Context, img Image, maxImages int) (Image, error)
	Images(ctx context.Context, productID uuid.UUID) ([]Image, error)
	DeleteImage(ctx context.Context, productID, imageID uuid.UUID) (Image, error)
	ReorderImages(ctx context.Context, productID uuid.UUID, order []uuid.UUID) ([]Image, error)
	ExistingImages(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]bool, error)
	// CreateUpload stores a ticket unless the product already has maxOpen
	// open ones (neither completed nor expired).
	CreateUpload(ctx context.Context, u Upload, maxOpen int) error
	// ClaimUpload takes an upload for the request completing it: one that is
	// completed, or claimed less than claimFor ago, is a conflict.
	ClaimUpload(ctx context.Context, productID, uploadID uuid.UUID, now time.Time, claimFor time.Duration) (Upload, error)
	// ReleaseUpload gives a claimed upload back (its completion failed).
	ReleaseUpload(ctx context.Context, uploadID uuid.UUID) error
	CompleteUpload(ctx context.Context, uploadID uuid.UUID, at time.Time) error
	// PurgeUploads deletes the tickets created before before.
	PurgeUploads(ctx context.Context, before time.Time) (int, error)
	ExistingUploads(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]bool, error)
}

// ObjectStore is the part of the object store the images use.
type ObjectStore interface {
	Put(ctx context.Context, key, contentType string, data []byte) error
	Get(ctx context.Context, key string, maxBytes int64) ([]byte, error)
	Remove(ctx context.Context, keys ...string) error
	PresignedPost(ctx context.Context, key string, minBytes, maxBytes int64, expires time.Time) (string, map[string]string, error)
}

// ProductGuard decides whether a principal may change a product's images.
type ProductGuard interface {
	AuthorizeImageEdit(ctx context.Context, p account.Principal, productID uuid.UUID) error
}

// Key prefixes in the bucket. Variants live under the public prefix.
const (
	prefixOriginals = "originals/"
	prefixVariants  = "public/products/"
	prefixUploads   = "uploads/"
	uploadTTL       = 15 * time.Minute
	// MaxOpenUploads bounds the presigned uploads a product has open at once.
	MaxOpenUploads = 10
	// uploadClaim is how long a completion holds its upload before another
	// may take it over (the first request died).
	uploadClaim = 2 * time.Minute
	// uploadKeep is how long ticket rows are kept; their objects go with the sweep.
	uploadKeep = 24 * time.Hour
)

// Images manages product photos: upload through the API or straight to the
// object store, delete, reorder, and sweep objects no row references.
type Images struct {
	repo   ImageRepository
	store  ObjectStore
	guard  ProductGuard
	proc   *Processor
	limits Limits
	now    func() time.Time
	admit  *Admission
}

// NewImages builds the image service; at most concurrency images are decoded at once.
func NewImages(repo ImageRepository, store ObjectStore, guard ProductGuard, limits Limits, concurrency int, now func() time.Time) *Images {
	limits = limits.withDefaults()
	return &Images{
		repo: repo, store: store, guard: guard, proc: NewProcessor(limits), limits: limits, now: now,
		admit: NewAdmission(limits.MemoryBytes, concurrency),
	}
}

// Limits are the limits uploads are held to.
func (s *Images) Limits() Limits { return s.limits }

// List returns a product's images in order.
func (s *Images) List(ctx context.Context, productID uuid.UUID) ([]Image, error) {
	return s.repo.Images(ctx, productID)
}

func (s *Images) authorize(ctx context.Context, p account.Principal, productID uuid.UUID) error {
	if err := s.guard.AuthorizeImageEdit(ctx, p, productID); err != nil {
		return err
	}
	n, err := s.repo.CountImages(ctx, productID)
	if err != nil {
		return err
	}
	if n >= MaxImagesPerProduct {
		return tooMany()
	}
	return nil
}

func tooMany() error {
	return errs.Newf(errs.ErrConflict, "a product has at most %d images; delete one first", MaxImagesPerProduct)
}

// Add processes an uploaded file and stores it as the product's last image.
func (s *Images) Add(ctx context.Context, p account.Principal, productID uuid.UUID, r io.Reader) (Image, error) {
	if err := s.authorize(ctx, p, productID); err != nil {
		return Image{}, err
	}
	res, err := s.process(ctx, r)
	if err != nil {
		return Image{}, err
	}
	return s.save(ctx, productID, res)
}

// process reads and inspects an upload, then decodes it once admitted by
// its estimated memory and a free decoding slot (Admission.Process).
func (s *Images) process(ctx context.Context, r io.Reader) (*Result, error) {
	return s.admit.Process(ctx, s.proc, r)
}

// save writes the objects first and the row last, so a row never points to
// a missing object; on any failure the objects written so far are removed
// (and the sweep catches what that removal misses).
func (s *Images) save(ctx context.Context, productID uuid.UUID, res *Result) (Image, error) {
	dup, err := s.repo.HasImageHash(ctx, productID, res.SHA256)
	if err != nil {
		return Image{}, err
	}
	if dup {
		return Image{}, duplicate()
	}
	img, err := s.storeObjects(ctx, productID, res)
	if err != nil {
		return Image{}, err
	}
	saved, err := s.repo.AddImage(ctx, img, MaxImagesPerProduct)
	if err == nil {
		return saved, nil
	}
	if rmErr := s.Discard(ctx, img); rmErr != nil {
		err = errors.Join(err, fmt.Errorf("clean up after a failed upload (the sweep will retry): %w", rmErr))
	}
	return Image{}, err
}

// Prepare processes a photo for productID and writes its objects, for a
// caller that writes the row itself in a transaction of its own (an
// import); if that transaction does not commit, the caller Discards the
// image (and the sweep removes what a crash leaves).
func (s *Images) Prepare(ctx context.Context, productID uuid.UUID, r io.Reader) (Image, error) {
	res, err := s.process(ctx, r)
	if err != nil {
		return Image{}, err
	}
	return s.storeObjects(ctx, productID, res)
}

// Check processes a photo as Prepare would, without writing anything: a
// dry run's verdict on it.
func (s *Images) Check(ctx context.Context, r io.Reader) error {
	_, err := s.process(ctx, r)
	return err
}

// Discard removes the objects of images whose rows were never written.
func (s *Images) Discard(ctx context.Context, imgs ...Image) error {
	var keys []string
	for _, img := range imgs {
		keys = append(keys, img.Keys()...)
	}
	return s.removeObjects(ctx, keys...)
}

// storeObjects writes the original and the variants of res; on failure it
// removes what it wrote.
func (s *Images) storeObjects(ctx context.Context, productID uuid.UUID, res *Result) (Image, error) {
	img := Image{
		ID: uuid.New(), ProductID: productID, Width: res.Width, Height: res.Height,
		Bytes: res.Bytes, SHA256: res.SHA256, CreatedAt: s.now().UTC(),
	}
	img.OriginalKey = prefixOriginals + productID.String() + "/" + img.ID.String() + extension(res.Original.ContentType)
	for _, v := range res.Variants {
		img.Variants = append(img.Variants, StoredVariant{
			Name: v.Name, Width: v.Width, Height: v.Height, ContentType: v.ContentType,
			Key: prefixVariants + productID.String() + "/" + img.ID.String() + "/" + v.Name + extension(v.ContentType),
		})
	}
	written := make([]string, 0, len(img.Variants)+1)
	put := func(key, contentType string, data []byte) error {
		if err := s.store.Put(ctx, key, contentType, data); err != nil {
			return fmt.Errorf("%w: the image store failed; try again: %w", errs.ErrUnavailable, err)
		}
		written = append(written, key)
		return nil
	}
	err := put(img.OriginalKey, res.Original.ContentType, res.Original.Data)
	for i := 0; err == nil && i < len(res.Variants); i++ {
		err = put(img.Variants[i].Key, res.Variants[i].ContentType, res.Variants[i].Data)
	}
	if err == nil {
		return img, nil
	}
	if rmErr := s.removeObjects(ctx, written...); rmErr != nil {
		err = errors.Join(err, fmt.Errorf("clean up after a failed upload (the sweep will retry): %w", rmErr))
	}
	return Image{}, err
}

// cleanupTimeout bounds a removal that goes on after its request.
const cleanupTimeout = time.Minute

// removeObjects deletes objects a request leaves unreferenced: within the
// request's time while it has some, else in the background (the client
// left, or its deadline passed waiting for a hung store), so that the
// answer is never held past the request's deadline. The sweep removes
// whatever this misses.
func (s *Images) removeObjects(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	if ctx.Err() == nil {
		if err := s.store.Remove(ctx, keys...); err == nil || ctx.Err() == nil {
			return err
		}
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		_ = s.store.Remove(ctx, keys...)
	}()
	return nil
}

func duplicate() error {
	return errs.New(errs.ErrConflict, "this product already has this image")
}

func extension(contentType string) string {
	if contentType == "image/png" {
		return ".png"
	}
	return ".jpg"
}

// Delete removes an image: the row first, then its objects.
func (s *Images) Delete(ctx context.Context, p account.Principal, productID, imageID uuid.UUID) error {
	if err := s.guard.AuthorizeImageEdit(ctx, p, productID); err != nil {
		return err
	}
	img, err := s.repo.DeleteImage(ctx, productID, imageID)
	if err != nil {
		return err
	}
	// A failure here leaves unreferenced objects, which the sweep removes.
	_ = s.removeObjects(ctx, img.Keys()...)
	return nil
}

// Reorder sets the order of a product's images; order must name each image once.
func (s *Images) Reorder(ctx context.Context, p account.Principal, productID uuid.UUID, order []uuid.UUID) ([]Image, error) {
	if err := s.guard.AuthorizeImageEdit(ctx, p, productID); err != nil {
		return nil, err
	}
	seen := make(map[uuid.UUID]bool, len(order))
	for _, id := range order {
		if seen[id] {
			return nil, errs.Invalid("image_ids", "names an image twice")
		}
		seen[id] = true
	}
	return s.repo.ReorderImages(ctx, productID, order)
}

// StartUpload issues a presigned POST for one file straight to the object store.
func (s *Images) StartUpload(ctx context.Context, p account.Principal, productID uuid.UUID) (Ticket, error) {
	if err := s.authorize(ctx, p, productID); err != nil {
		return Ticket{}, err
	}
	u := Upload{ID: uuid.New(), ProductID: productID, UserID: p.UserID, ExpiresAt: s.now().Add(uploadTTL)}
	u.Key = prefixUploads + productID.String() + "/" + u.ID.String()
	if err := s.repo.CreateUpload(ctx, u, MaxOpenUploads); err != nil {
		return Ticket{}, err
	}
	url, fields, err := s.store.PresignedPost(ctx, u.Key, 1, s.limits.MaxBytes, u.ExpiresAt)
	if err != nil {
		return Ticket{}, fmt.Errorf("%w: %w", errs.ErrUnavailable, err)
	}
	return Ticket{UploadID: u.ID, URL: url, Fields: fields, ExpiresAt: u.ExpiresAt, MaxBytes: s.limits.MaxBytes}, nil
}

// CompleteUpload processes a file uploaded with a presigned POST, exactly as
// an upload through the API, and removes the uploaded object.
func (s *Images) CompleteUpload(ctx context.Context, p account.Principal, productID, uploadID uuid.UUID) (Image, error) {
	if err := s.authorize(ctx, p, productID); err != nil {
		return Image{}, err
	}
	u, err := s.repo.ClaimUpload(ctx, productID, uploadID, s.now(), uploadClaim)
	if err != nil {
		return Image{}, err
	}
	img, err := s.completeClaimed(ctx, productID, u)
	if err != nil {
		// The client may try again (after uploading the file, say).
		if relErr := s.repo.ReleaseUpload(context.WithoutCancel(ctx), uploadID); relErr != nil {
			return Image{}, errors.Join(err, relErr)
		}
		return Image{}, err
	}
	return img, nil
}

func (s *Images) completeClaimed(ctx context.Context, productID uuid.UUID, u Upload) (Image, error) {
	data, err := s.store.Get(ctx, u.Key, s.limits.MaxBytes)
	if errors.Is(err, errs.ErrNotFound) {
		return Image{}, errs.New(errs.ErrConflict, "nothing was uploaded for this upload id yet")
	}
	if err != nil {
		return Image{}, err
	}
	res, err := s.process(ctx, bytes.NewReader(data))
	if err != nil {
		return Image{}, err
	}
	img, err := s.save(ctx, productID, res)
	if err != nil {
		return Image{}, err
	}
	if err := s.repo.CompleteUpload(ctx, u.ID, s.now()); err != nil {
		return Image{}, err
	}
	_ = s.removeObjects(ctx, u.Key) // the sweep retries
	return img, nil
}

// Lister walks the object store.
type Lister interface {
	List(ctx context.Context, prefix string, fn func(key string, modified time.Time) error) error
}

// SweepReport says what a sweep found.
type SweepReport struct {
	Scanned int
	Removed int
	// Tickets is how many upload tickets older than a day were deleted.
	Tickets int
}

// Sweep removes objects that no image row (or live upload) references and
// that are older than grace, so in-flight uploads are left alone.
func (s *Images) Sweep(ctx context.Context, lister Lister, grace time.Duration) (SweepReport, error) {
	var report SweepReport
	// Old tickets go first: the objects they kept are then orphans below.
	tickets, err := s.repo.PurgeUploads(ctx, s.now().Add(-uploadKeep))
	if err != nil {
		return report, err
	}
	report.Tickets = tickets
	cutoff := s.now().Add(-grace)
	for _, prefix := range []string{prefixOriginals, prefixVariants, prefixUploads} {
		byID := map[uuid.UUID][]string{}
		err := lister.List(ctx, prefix, func(key string, modified time.Time) error {
			report.Scanned++
			if modified.After(cutoff) {
				return nil
			}
			id, ok := objectID(prefix, key)
			if !ok {
				byID[uuid.Nil] = append(byID[uuid.Nil], key) // not ours: a stray object
				return nil
			}
			byID[id] = append(byID[id], key)
			return nil
		})
		if err != nil {
			return report, err
		}
		ids := make([]uuid.UUID, 0, len(byID))
		for id := range byID {
			ids = append(ids, id)
		}
		exists := s.repo.ExistingImages
		if prefix == prefixUploads {
			exists = s.repo.ExistingUploads
		}
		known, err := exists(ctx, ids)
		if err != nil {
			return report, err
		}
		var orphans []string
		for id, keys := range byID {
			if !known[id] {
				orphans = append(orphans, keys...)
			}
		}
		if len(orphans) > 0 {
			if err := s.store.Remove(ctx, orphans...); err != nil {
				return report, err
			}
			report.Removed += len(orphans)
		}
	}
	return report, nil
}

// objectID extracts the image (or upload) id from a key:
// originals/<product>/<image>.jpg, public/products/<product>/<image>/w200.jpg,
// uploads/<product>/<upload>.
func objectID(prefix, key string) (uuid.UUID, bool) {
	parts := strings.Split(strings.TrimPrefix(key, prefix), "/")
	if len(parts) < 2 {
		return uuid.Nil, false
	}
	name := parts[1]
	if prefix == prefixOriginals {
		name = strings.TrimSuffix(name, path.Ext(name))
	}
	id, err := uuid.Parse(name)
	return id, err == nil
}
