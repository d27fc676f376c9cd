package errs_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/otopmarket/otop/internal/errs"
)

func TestClientMessageIsTheMessageWrittenForTheClient(t *testing.T) {
	err := fmt.Errorf("update product 42: %w", errs.Newf(errs.ErrConflict, "this one is %s", "archived"))
	if !errors.Is(err, errs.ErrConflict) {
		t.Fatalf("errors.Is(%v, ErrConflict) = false", err)
	}
	if got := errs.ClientMessage(err, errs.ErrConflict); got != "this one is archived" {
		t.Errorf("ClientMessage = %q, want the message without the context", got)
	}
	if got := errs.ClientMessage(err, errs.ErrForbidden); got != "" {
		t.Errorf("ClientMessage of another kind = %q, want none", got)
	}
	if got := errs.ClientMessage(fmt.Errorf("x: %w", errs.ErrConflict), errs.ErrConflict); got != "" {
		t.Errorf("ClientMessage of a bare kind = %q, want none (its text is not for clients)", got)
	}
}

func TestQueryErrorIsAValidationErrorOfTheQuery(t *testing.T) {
	err := fmt.Errorf("list: %w", errs.AsQuery(errs.Invalid("limit", "too high")))
	var qe *errs.QueryError
	var ve *errs.ValidationError
	if !errors.As(err, &qe) || !errors.As(err, &ve) || ve.Fields[0].Field != "limit" {
		t.Fatalf("AsQuery(Invalid) = %v: QueryError %v, ValidationError %v", err, qe, ve)
	}
	if errs.AsQuery(nil) != nil {
		t.Errorf("AsQuery(nil) is not nil")
	}
	other := errs.ErrNotFound
	if !errors.Is(errs.AsQuery(other), errs.ErrNotFound) {
		t.Errorf("AsQuery changed an error that is no validation error")
	}
}
