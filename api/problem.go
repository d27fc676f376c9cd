package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/otopmarket/otop/internal/errs"
)

const problemContentType = "application/problem+json"

// statusClientClosedRequest is logged when the client hung up before the answer (nginx's 499).
const statusClientClosedRequest = 499

// problem is an RFC 9457 problem details document.
type problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail,omitempty"`
	Instance  string            `json:"instance,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
	Errors    []errs.FieldError `json:"errors,omitempty"`
}

// queryError reports bad query parameters (400), as opposed to a bad body (422).
type queryError struct{ errs.ValidationError }

func invalidQuery(field, message string) error {
	return &queryError{errs.ValidationError{Fields: []errs.FieldError{{Field: field, Message: message}}}}
}

var problemTypes = map[int]string{
	http.StatusBadRequest:            "/problems/bad-request",
	http.StatusUnauthorized:          "/problems/unauthenticated",
	http.StatusForbidden:             "/problems/forbidden",
	http.StatusNotFound:              "/problems/not-found",
	http.StatusMethodNotAllowed:      "/problems/method-not-allowed",
	http.StatusConflict:              "/problems/conflict",
	http.StatusPreconditionFailed:    "/problems/precondition-failed",
	http.StatusRequestEntityTooLarge: "/problems/payload-too-large",
	http.StatusUnsupportedMediaType:  "/problems/unsupported-media-type",
	http.StatusUnprocessableEntity:   "/problems/validation",
	http.StatusTooManyRequests:       "/problems/too-many-requests",
	http.StatusInternalServerError:   "/problems/internal",
	http.StatusServiceUnavailable:    "/problems/unavailable",
}

// writeProblem answers with a problem document and stops the handler chain.
func writeProblem(c *gin.Context, status int, detail string, fields []errs.FieldError) {
	typ, ok := problemTypes[status]
	if !ok {
		typ = "about:blank"
	}
	c.Header("Content-Type", problemContentType)
	c.AbortWithStatusJSON(status, problem{
		Type:      typ,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    detail,
		Instance:  c.Request.URL.Path,
		RequestID: requestIDFrom(c),
		Errors:    fields,
	})
}

// respondError maps an error to its HTTP answer. It is the only place where
// domain errors become status codes. Internal details never reach the client.
func respondError(c *gin.Context, err error) {
	var (
		qe  *queryError
		ve  *errs.ValidationError
		tmr *errs.RateLimited
		mbe *http.MaxBytesError
	)
	if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
		// The client went away; nobody reads this answer and nothing failed.
		c.AbortWithStatus(statusClientClosedRequest)
		return
	}
	if msg, ok := isBadJSON(err); ok {
		writeProblem(c, http.StatusBadRequest, msg, nil)
		return
	}
	switch {
	case errors.As(err, &qe):
		writeProblem(c, http.StatusBadRequest, "One or more query parameters are invalid.", qe.Fields)
	case errors.As(err, &ve):
		writeProblem(c, http.StatusUnprocessableEntity, "One or more fields are invalid.", ve.Fields)
	case errors.As(err, &mbe):
		writeProblem(c, http.StatusRequestEntityTooLarge, "The request body exceeds "+strconv.FormatInt(mbe.Limit, 10)+" bytes.", nil)
	case errors.As(err, &tmr):
		c.Header("Retry-After", strconv.Itoa(max(1, int(tmr.RetryAfter.Round(time.Second)/time.Second))))
		writeProblem(c, http.StatusTooManyRequests, tmr.Error(), nil)
	case errors.Is(err, errs.ErrTooLarge):
		writeProblem(c, http.StatusRequestEntityTooLarge, clientDetail(err, errs.ErrTooLarge), nil)
	case errors.Is(err, errs.ErrUnsupportedMediaType):
		writeProblem(c, http.StatusUnsupportedMediaType, clientDetail(err, errs.ErrUnsupportedMediaType), nil)
	case errors.Is(err, errs.ErrNotFound):
		writeProblem(c, http.StatusNotFound, "The resource does not exist.", nil)
	case errors.Is(err, errs.ErrUnauthenticated):
		c.Header("WWW-Authenticate", `Bearer realm="otop"`)
		writeProblem(c, http.StatusUnauthorized, clientDetail(err, errs.ErrUnauthenticated), nil)
	case errors.Is(err, errs.ErrForbidden):
		writeProblem(c, http.StatusForbidden, "You are not allowed to do this.", nil)
	case errors.Is(err, errs.ErrConflict):
		writeProblem(c, http.StatusConflict, clientDetail(err, errs.ErrConflict), nil)
	case errors.Is(err, errs.ErrPrecondition):
		writeProblem(c, http.StatusPreconditionFailed, "The resource changed since you read it; fetch it again.", nil)
	case errors.Is(err, errs.ErrUnavailable):
		loggerFrom(c).WarnContext(c.Request.Context(), "dependency unavailable", slog.String("error", err.Error()))
		c.Header("Retry-After", "5")
		writeProblem(c, http.StatusServiceUnavailable, "A dependency is unavailable; try again later.", nil)
	default:
		loggerFrom(c).ErrorContext(c.Request.Context(), "request failed", slog.String("error", err.Error()))
		writeProblem(c, http.StatusInternalServerError, "An internal error occurred.", nil)
	}
}

// clientDetail is the message of a 4xx error the client caused. Such errors
// are written for the client as "<kind>: <message>"; the message is kept.
func clientDetail(err error, kind error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, kind.Error()+": "); i >= 0 {
		return msg[i+len(kind.Error())+2:]
	}
	return msg
}
