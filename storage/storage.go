// Package storage is the MinIO (S3) object store adapter.
package storage

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Config says where the object store is and which bucket the service owns.
type Config struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	Bucket    string
	UseSSL    bool
	// Transport overrides the HTTP transport (tests inject faults with it); nil uses the default.
	Transport http.RoundTripper
}

// Store reads and writes the service's objects in one bucket.
type Store struct {
	client *minio.Client
	bucket string
}

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
	return &Store{client: client, bucket: cfg.Bucket}, nil
}

// Bucket is the name of the bucket the store writes to.
func (s *Store) Bucket() string { return s.bucket }

// EnsureBucket creates the bucket when it does not exist yet.
func (s *Store) EnsureBucket(ctx context.Context) error {
	exists, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("check bucket %q: %w", s.bucket, err)
	}
	if exists {
		return nil
	}
	if err := s.client.MakeBucket(ctx, s.bucket, minio.MakeBucketOptions{}); err != nil {
		var resp minio.ErrorResponse
		if errors.As(err, &resp) && (resp.Code == "BucketAlreadyOwnedByYou" || resp.Code == "BucketAlreadyExists") {
			return nil
		}
		return fmt.Errorf("create bucket %q: %w", s.bucket, err)
	}
	return nil
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
