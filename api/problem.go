package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
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

var problemTypes = map[int]string{
	http.StatusBadRequest:            "/problems/bad-request",
	http.StatusUnauthorized:          "/problems/unauthenticated",
	http.StatusForbidden:             "/problems/forbidden",
	http.StatusNotFound:              "/problems/not-found",
	http.StatusMethodNotAllowed:      "/problems/method-not-allowed",
	http.StatusConflict:              "/problems/conflict",
	http.StatusPreconditionFailed:    "/problems/precondition-failed",
	http.StatusPreconditionRequired:  "/problems/precondition-required",
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
	if errors.Is(err, context.Canceled) && c.Request.Context().Err() != nil {
		// The client went away; nobody reads this answer and nothing failed.
		c.AbortWithStatus(statusClientClosedRequest)
		return
	}
	a := classify(c, err)
	for name, value := range a.headers {
		c.Header(name, value)
	}
	writeProblem(c, a.status, a.detail, a.fields)
}

// problemFor is the problem document err answers with, for replies that
// carry several outcomes (a batch of decisions).
func problemFor(c *gin.Context, err error) problem {
	a := classify(c, err)
	typ, ok := problemTypes[a.status]
	if !ok {
		typ = "about:blank"
	}
	return problem{Type: typ, Title: http.StatusText(a.status), Status: a.status, Detail: a.detail, Errors: a.fields}
}

// answer is what an error becomes in HTTP.
type answer struct {
	status  int
	detail  string
	fields  []errs.FieldError
	headers map[string]string
}

func classify(c *gin.Context, err error) answer {
	var (
		eqe *errs.QueryError
		ve  *errs.ValidationError
		tmr *errs.RateLimited
		mbe *http.MaxBytesError
	)
	if msg, ok := isBadRequest(err); ok {
		return answer{status: http.StatusBadRequest, detail: msg}
	}
	switch {
	case errors.As(err, &eqe):
		return answer{status: http.StatusBadRequest, detail: "One or more query parameters are invalid.", fields: eqe.Fields}
	case errors.As(err, &ve):
		return answer{status: http.StatusUnprocessableEntity, detail: "One or more fields are invalid.", fields: ve.Fields}
	case errors.As(err, &mbe):
		return answer{status: http.StatusRequestEntityTooLarge, detail: "The request body exceeds " + strconv.FormatInt(mbe.Limit, 10) + " bytes."}
	case errors.As(err, &tmr):
		retry := strconv.Itoa(max(1, int(tmr.RetryAfter.Round(time.Second)/time.Second)))
		return answer{status: http.StatusTooManyRequests, detail: tmr.Error(), headers: map[string]string{"Retry-After": retry}}
	case errors.Is(err, errs.ErrTooLarge):
		return answer{status: http.StatusRequestEntityTooLarge, detail: clientDetail(err, errs.ErrTooLarge, "The request is too large.")}
	case errors.Is(err, errs.ErrUnsupportedMediaType):
		return answer{status: http.StatusUnsupportedMediaType, detail: clientDetail(err, errs.ErrUnsupportedMediaType, "This media type is not supported.")}
	case errors.Is(err, errs.ErrNotFound):
		return answer{status: http.StatusNotFound, detail: "The resource does not exist."}
	case errors.Is(err, errs.ErrUnauthenticated):
		return answer{status: http.StatusUnauthorized, detail: clientDetail(err, errs.ErrUnauthenticated, "Sign in first."),
			headers: map[string]string{"WWW-Authenticate": `Bearer realm="otop"`}}
	case errors.Is(err, errs.ErrForbidden):
		return answer{status: http.StatusForbidden, detail: "You are not allowed to do this."}
	case errors.Is(err, errs.ErrConflict):
		return answer{status: http.StatusConflict, detail: clientDetail(err, errs.ErrConflict, "The request conflicts with the current state of the resource.")}
	case errors.Is(err, errs.ErrPreconditionRequired):
		return answer{status: http.StatusPreconditionRequired, detail: "Send If-Match with the ETag of the version you reviewed."}
	case errors.Is(err, errs.ErrPrecondition):
		return answer{status: http.StatusPreconditionFailed, detail: "The resource changed since you read it; fetch it again."}
	case errors.Is(err, context.DeadlineExceeded) && c.Request.Context().Err() != nil:
		// The request ran out of its time (a loaded server, a slow
		// dependency): nothing is wrong with it, and it may be tried again.
		loggerFrom(c).WarnContext(c.Request.Context(), "request deadline passed", slog.String("error", err.Error()))
		return answer{status: http.StatusServiceUnavailable, detail: "The server could not answer in time; try again later.",
			headers: map[string]string{"Retry-After": "5"}}
	case errors.Is(err, errs.ErrUnavailable):
		loggerFrom(c).WarnContext(c.Request.Context(), "dependency unavailable", slog.String("error", err.Error()))
		return answer{status: http.StatusServiceUnavailable, detail: "A dependency is unavailable; try again later.",
			headers: map[string]string{"Retry-After": "5"}}
	default:
		loggerFrom(c).ErrorContext(c.Request.Context(), "request failed", slog.String("error", err.Error()))
		return answer{status: http.StatusInternalServerError, detail: "An internal error occurred."}
	}
}

// clientDetail is the message of a 4xx error the client caused: the one the
// error carries for the client (errs.Error), or fallback.
func clientDetail(err, kind error, fallback string) string {
	if msg := errs.ClientMessage(err, kind); msg != "" {
		return msg
	}
	return fallback
}
