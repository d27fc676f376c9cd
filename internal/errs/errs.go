// Package errs defines the error kinds that every domain package shares.
// Services wrap these sentinels with context (fmt.Errorf("...: %w", errs.ErrNotFound));
// the HTTP layer maps them to status codes in exactly one place.
package errs

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel error kinds. Compare with errors.Is.
var (
	ErrNotFound        = errors.New("not found")
	ErrConflict        = errors.New("conflict")
	ErrForbidden       = errors.New("forbidden")
	ErrUnauthenticated = errors.New("unauthenticated")
	ErrPrecondition    = errors.New("precondition failed")
	// ErrPreconditionRequired: the change must name the version it was
	// decided on (If-Match), and did not (HTTP 428).
	ErrPreconditionRequired = errors.New("precondition required")
	ErrUnavailable          = errors.New("unavailable")
	// ErrStarting: a dependency is still being prepared (a search index
	// being built); unavailable for now, but nothing failed.
	ErrStarting = errors.New("starting")
	// ErrTooLarge: the payload exceeds a size limit (HTTP 413).
	ErrTooLarge = errors.New("too large")
	// ErrUnsupportedMediaType: the payload is of a type the service refuses (HTTP 415).
	ErrUnsupportedMediaType = errors.New("unsupported media type")
)

// RateLimited means the caller must wait before trying again (HTTP 429).
type RateLimited struct {
	RetryAfter time.Duration
	Reason     string
}

func (e *RateLimited) Error() string {
	return fmt.Sprintf("%s; retry in %s", e.Reason, e.RetryAfter.Round(time.Second))
}

// FieldError is one invalid field of a request.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError reports every invalid field of a request at once.
type ValidationError struct {
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, f.Field+": "+f.Message)
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Add records a problem with one field.
func (e *ValidationError) Add(field, message string) {
	e.Fields = append(e.Fields, FieldError{Field: field, Message: message})
}

// Err returns e when it holds at least one field error, nil otherwise,
// so callers can collect problems and return them in one go.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

// Invalid is a shorthand for a ValidationError about a single field.
func Invalid(field, message string) error {
	return &ValidationError{Fields: []FieldError{{Field: field, Message: message}}}
}

// QueryError reports invalid query parameters of a read (HTTP 400), as
// opposed to an invalid request body (HTTP 422).
type QueryError struct{ ValidationError }

// AsQuery turns a ValidationError into a QueryError; other errors pass.
func AsQuery(err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return &QueryError{*ve}
	}
	return err
}
