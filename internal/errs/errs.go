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

// Unwrap exposes the field errors: errors.As(err, &ve) holds for a
// *ValidationError too.
func (e *QueryError) Unwrap() error { return &e.ValidationError }

// InvalidQuery is a QueryError about a single parameter.
func InvalidQuery(field, message string) error {
	return &QueryError{ValidationError{Fields: []FieldError{{Field: field, Message: message}}}}
}

// AsQuery turns a ValidationError into a QueryError; other errors (and
// nil) pass.
func AsQuery(err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return &QueryError{*ve}
	}
	return err
}

// Error is an error of one of the kinds above with a message written for
// the client: the HTTP layer shows Msg as the problem's detail, and never
// any other error text.
type Error struct {
	Kind error
	Msg  string
}

func (e *Error) Error() string { return e.Kind.Error() + ": " + e.Msg }

// Unwrap makes errors.Is(err, kind) hold.
func (e *Error) Unwrap() error { return e.Kind }

// New returns an error of kind with a message for the client.
func New(kind error, msg string) error { return &Error{Kind: kind, Msg: msg} }

// Newf is New with a formatted message.
func Newf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// ClientMessage is the client's message of the first *Error in err's chain
// whose kind is kind, or "" when there is none.
func ClientMessage(err, kind error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if errors.Is(e.Kind, kind) {
			return e.Msg
		}
		err = e.Kind
	}
	return ""
}
