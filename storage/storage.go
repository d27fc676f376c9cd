// Package storage is the MinIO (S3) object store adapter.
package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/otopmarket/otop/internal/errs"
)

// Config says where the object store is and which bucket the service owns.
type Config struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	Bucket    string
	UseSSL    bool
	// PublicURL is the base URL clients fetch public objects from; an
	// object's URL is PublicURL/Bucket/key. Empty means http(s)://Endpoint.
	PublicURL string
	// Transport overrides the HTTP transport (tests inject faults with it); nil uses the default.
	Transport http.RoundTripper
}

// Store reads and writes the service's objects in one bucket.
type Store struct {
	client    *minio.Client
	bucket    string
	publicURL string
}

// PublicPrefix is the key prefix anyone may read without credentials
// (image variants). Everything else in the bucket is private.
const PublicPrefix = "public/"

// New builds a Store. It does not contact the server; call EnsureBucket or Ping for that.
func New(cfg Config) (*Store, error) {
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:     credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Secure:    cfg.UseSSL,
		Transport: cfg.Transport,
	})
	if err != nil {
		return nil, fmt.Errorf("minio client: %w", err)
	}
	base := strings.TrimRight(cfg.PublicURL, "/")
	if base == "" {
		scheme := "http"
		if cfg.UseSSL {
			scheme = "https"
		}
		base = scheme + "://" + cfg.Endpoint
	}
	return &Store{client: client, bucket: cfg.Bucket, publicURL: base + "/" + cfg.Bucket + "/"}, nil
}

// Bucket is the name of the bucket the store writes to.
func (s *Store) Bucket() string { return s.bucket }

// EnsureBucket creates the bucket when it does not exist yet and makes the
// objects under PublicPrefix readable without credentials.
func (s *Store) EnsureBucket(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("check bucket %q: %w", s.bucket, err)
	}
	if !exists {
		if err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{}); err != nil {
			var resp minio.ErrorResponse
			if !errors.As(err, &resp) || (resp.Code != "BucketAlreadyOwnedByYou" && resp.Code != "BucketAlreadyExists") {
				return fmt.Errorf("create bucket %q: %w", s.bucket, err)
			}
		}
	}
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*"]},"Action":["s3:GetObject"],"Resource":["arn:aws:s3:::%s/%s*"]}]}`, s.bucket, PublicPrefix)
	if err := s.client.SetBucketPolicy(ctx, s.bucket, policy); err != nil {
		return fmt.Errorf("set public-read policy on %q: %w", s.bucket, err)
	}
	return nil
}

// URL is where clients fetch a public object.
func (s *Store) URL(key string) string { return s.publicURL + key }

// Put writes an object.
func (s *Store) Put(ctx context.Context, key, contentType string, data []byte) error {
	_, err := s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{
		ContentType:  contentType,
		CacheControl: "public, max-age=31536000, immutable",
	})
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// PutFile streams size bytes of r into a private object (an uploaded file
// waiting for a background job), without holding it in memory.
func (s *Store) PutFile(ctx context.Context, key string, r io.Reader, size int64) error {
	_, err := s.client.PutObject(ctx, s.bucket, key, r, size, minio.PutObjectOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// GetFile streams an object into w. A missing object is errs.ErrNotFound.
func (s *Store) GetFile(ctx context.Context, key string, w io.Writer) error {
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return fmt.Errorf("get %s: %w", key, err)
	}
	defer obj.Close() //nolint:errcheck // read-only
	if _, err := io.Copy(w, obj); err != nil {
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return fmt.Errorf("get %s: %w", key, errs.ErrNotFound)
		}
		return fmt.Errorf("get %s: %w", key, err)
	}
	return nil
}

// Get reads an object of at most maxBytes. A missing object is
// errs.ErrNotFound; a larger one errs.ErrTooLarge.
func (s *Store) Get(ctx context.Context, key string, maxBytes int64) ([]byte, error) {
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	defer obj.Close()
	info, err := obj.Stat()
	if err != nil {
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, fmt.Errorf("object %s: %w", key, errs.ErrNotFound)
		}
		return nil, fmt.Errorf("stat %s: %w", key, err)
	}
	if info.Size > maxBytes {
		return nil, errs.Newf(errs.ErrTooLarge, "the uploaded file is %d bytes; the limit is %d", info.Size, maxBytes)
	}
	data, err := io.ReadAll(io.LimitReader(obj, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", key, err)
	}
	return data, nil
}

// Remove deletes objects; missing ones are not an error.
func (s *Store) Remove(ctx context.Context, keys ...string) error {
	objects := make(chan minio.ObjectInfo, len(keys))
	for _, k := range keys {
		objects <- minio.ObjectInfo{Key: k}
	}
	close(objects)
	for e := range s.client.RemoveObjects(ctx, s.bucket, objects, minio.RemoveObjectsOptions{}) {
		if e.Err != nil {
			return fmt.Errorf("remove %s: %w", e.ObjectName, e.Err)
		}
	}
	return nil
}

// List calls fn with the key and modification time of every object under prefix.
func (s *Store) List(ctx context.Context, prefix string, fn func(key string, modified time.Time) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the listing goroutine when fn fails
	for info := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if info.Err != nil {
			return fmt.Errorf("list %s: %w", prefix, info.Err)
		}
		if err := fn(info.Key, info.LastModified); err != nil {
			return err
		}
	}
	return nil
}

// PresignedPost returns the URL and form fields with which a client uploads
// exactly one object, at key, of minBytes..maxBytes, with an image content
// type, before expires. The client adds a Content-Type field and the file.
func (s *Store) PresignedPost(ctx context.Context, key string, minBytes, maxBytes int64, expires time.Time) (string, map[string]string, error) {
	p := minio.NewPostPolicy()
	for _, err := range []error{
		p.SetBucket(s.bucket),
		p.SetKey(key),
		p.SetContentLengthRange(minBytes, maxBytes),
		p.SetContentTypeStartsWith("image/"),
		p.SetExpires(expires),
	} {
		if err != nil {
			return "", nil, fmt.Errorf("post policy: %w", err)
		}
	}
	u, fields, err := s.client.PresignedPostPolicy(ctx, p)
	if err != nil {
		return "", nil, fmt.Errorf("presign post: %w", err)
	}
	// The client sends the file's own type (image/jpeg, ...) as Content-Type;
	// the policy only requires that it starts with image/.
	delete(fields, "Content-Type")
	return u.String(), fields, nil
}

// Ping checks that MinIO answers and the bucket exists.
func (s *Store) Ping(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("minio: %w", err)
	}
	if !exists {
		return fmt.Errorf("minio: bucket %q does not exist", s.bucket)
	}
	return nil
}

// RemoveBucket deletes every object of the bucket and the bucket itself.
// Tests use it to clean up after themselves.
func (s *Store) RemoveBucket(ctx context.Context) error {
	return s.client.RemoveBucketWithOptions(ctx, s.bucket, minio.RemoveBucketOptions{ForceDelete: true})
}
