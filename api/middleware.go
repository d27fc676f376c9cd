package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/audit"
)

const (
	headerRequestID = "X-Request-ID"
	ctxRequest      = "otop.request"
)

// requestInfo is what requestContext keeps of a request.
type requestInfo struct {
	id     string
	base   *slog.Logger
	once   sync.Once
	logger *slog.Logger // base with the request ID, made on first use
}

func requestInfoFrom(c *gin.Context) *requestInfo {
	if v, ok := c.Get(ctxRequest); ok {
		if ri, ok := v.(*requestInfo); ok {
			return ri
		}
	}
	return nil
}

func requestIDFrom(c *gin.Context) string {
	if ri := requestInfoFrom(c); ri != nil {
		return ri.id
	}
	return ""
}

// loggerFrom is the request's logger, which adds its request ID to every
// line. It is made when first needed: most requests log nothing but the
// access line, which adds the ID itself.
func loggerFrom(c *gin.Context) *slog.Logger {
	ri := requestInfoFrom(c)
	if ri == nil {
		return slog.Default()
	}
	ri.once.Do(func() { ri.logger = ri.base.With(slog.String("request_id", ri.id)) })
	return ri.logger
}

// validRequestID accepts a caller's request ID only when it is short and plain,
// so it can be logged and echoed safely.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		ok := r == '-' || r == '_' || r == '.' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}

// requestContext assigns the request ID and the request's logger.
func requestContext(logger *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(headerRequestID)
		if !validRequestID(id) {
			id = uuid.NewString()
		}
		c.Set(ctxRequest, &requestInfo{id: id, base: logger})
		// The audit log records which request made a change; reads change
		// nothing, and are spared the request's copy.
		if c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead {
			c.Request = c.Request.WithContext(audit.WithRequestID(c.Request.Context(), id))
		}
		c.Header(headerRequestID, id)
		c.Next()
	}
}

// requestDeadline gives every request's context a deadline, so that the
// queries and searches it started stop before its answer could no longer
// be written (d is the server's WriteTimeout); PostgreSQL's
// statement_timeout bounds what a context cannot reach. The deadline comes
// a little before d: a request stuck on a hung dependency still gets its
// 503 with Retry-After instead of a closed connection.
func requestDeadline(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		if d <= 0 {
			c.Next()
			return
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), d-min(d/10, time.Second))
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// accessLog writes one structured line per request.
func accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		switch {
		case status == statusClientClosedRequest, status == http.StatusServiceUnavailable && c.FullPath() == "/readyz":
			// readyz logs each failing check itself, at its own level.
			level = slog.LevelInfo
		case status == http.StatusServiceUnavailable:
			// A dependency is down or still starting (the search index
			// being built); the line that says which is logged already.
			level = slog.LevelWarn
		case status >= 500:
			level = slog.LevelError
		case status >= 400:
			level = slog.LevelWarn
		}
		logger, id := slog.Default(), ""
		if ri := requestInfoFrom(c); ri != nil {
			logger, id = ri.base, ri.id
		}
		ctx := c.Request.Context()
		if !logger.Enabled(ctx, level) {
			return
		}
		logger.LogAttrs(ctx, level, "http request",
			slog.String("request_id", id),
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.String("route", routeLabel(c)),
			slog.Int("status", status),
			slog.Int("bytes", max(c.Writer.Size(), 0)),
			slog.Duration("duration", time.Since(start)),
			slog.String("client_ip", c.ClientIP()),
			slog.String("user_agent", c.Request.UserAgent()),
		)
	}
}

// routeLabel is the matched route pattern, never the raw path, so that logs
// and metrics stay low-cardinality.
func routeLabel(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// recoverPanics turns a panic into a 500 problem without internal detail.
func recoverPanics() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if rec == http.ErrAbortHandler { //nolint:errorlint // sentinel compared by identity, as net/http does
				panic(rec)
			}
			loggerFrom(c).ErrorContext(c.Request.Context(), "panic",
				slog.String("panic", fmt.Sprint(rec)), slog.String("stack", string(debug.Stack())))
			if !c.Writer.Written() {
				writeProblem(c, http.StatusInternalServerError, "An internal error occurred.", nil)
			}
			c.Abort()
		}()
		c.Next()
	}
}

// limitBody caps every request body at maxBytes, or at the limit routes
// names for the matched route; a declared length over the cap is refused at once.
func limitBody(defaultMax int64, routes map[string]int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		maxBytes, ok := routes[c.FullPath()]
		if !ok {
			maxBytes = defaultMax
		}
		if c.Request.ContentLength > maxBytes {
			writeProblem(c, http.StatusRequestEntityTooLarge, fmt.Sprintf("The request body exceeds %d bytes.", maxBytes), nil)
			return
		}
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, maxBytes)
		}
		c.Next()
	}
}

// securityHeaders sets the headers every answer carries. The docs page needs
// its own scripts and styles; everything else is data and may load nothing.
func securityHeaders() gin.HandlerFunc {
	const apiCSP = "default-src 'none'; frame-ancestors 'none'"
	const docsCSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if c.Request.URL.Path == "/docs" || strings.HasPrefix(c.Request.URL.Path, "/docs/") {
			h.Set("Content-Security-Policy", docsCSP)
		} else {
			h.Set("Content-Security-Policy", apiCSP)
		}
		c.Next()
	}
}
