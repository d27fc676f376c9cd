package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bytedance/sonic/encoder"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/readcache"
)

const jsonContentType = "application/json; charset=utf-8"

// encodeReply appends the JSON of v, a reply of the read paths
// (cachedReply), to *buf, with sonic, which encodes a page of search hits
// several times faster than encoding/json. The JSON is encoding/json's
// (keys of maps sorted, invalid UTF-8 replaced) except that <, > and &
// are written as themselves, not as \u003c escapes (the replies are
// application/json, and the highlights' <em> stays readable), and so are
// U+2028 and U+2029, which only matter to JSON pasted into JavaScript.
// The only MarshalJSON in the replies is time.Time's, whose output is
// compact and valid: it is copied as is, not compacted and checked again.
func encodeReply(buf *[]byte, v any) error {
	return encoder.EncodeInto(buf, v, encoder.SortMapKeys|encoder.ValidateString|encoder.NoValidateJSONMarshaler)
}

// replyBuffers holds the buffers replies are encoded in: a reply that is
// not cached is written from one and the buffer used again, instead of new
// memory for every page of search hits.
var replyBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledReply bounds the buffers kept in replyBuffers: a full page of
// hits fits, a rare giant reply is left to the collector.
const maxPooledReply = 1 << 20

// cachedReply answers from the cache when it holds key. Otherwise it calls
// build, which reads (after the cache's ticket was taken) and returns the
// reply and whether that reply may be cached, and stores it if so. A reply
// that is never stored is never found, so build alone decides what is
// cached.
func cachedReply[K comparable](c *gin.Context, cache *readcache.Cache[K], key K,
	build func() (v any, etag string, store bool, err error),
) {
	cachedReplyUntil(c, cache, key, func() (any, string, bool, time.Time, error) {
		v, etag, store, err := build()
		return v, etag, store, time.Time{}, err
	})
}

// cachedReplyUntil is cachedReply for replies that stop being true at a
// time build tells (until; zero: no such time), such as a waiting time
// counted in days.
func cachedReplyUntil[K comparable](c *gin.Context, cache *readcache.Cache[K], key K,
	build func() (v any, etag string, store bool, until time.Time, err error),
) {
	if e, ok := cache.Get(key); ok {
		writeEntry(c, e)
		return
	}
	ticket := cache.Ticket()
	v, etag, store, until, err := build()
	if err != nil {
		respondError(c, err)
		return
	}
	buf := replyBuffers.Get().(*[]byte)
	defer releaseReplyBuffer(buf)
	if err := encodeReply(buf, v); err != nil {
		respondError(c, err)
		return
	}
	e := readcache.Entry{Body: *buf, ETag: etag}
	if store && cache.Enabled() {
		// The cache keeps its own copy; buf goes back to the pool.
		e.Body = slices.Clone(*buf)
		cache.PutUntil(ticket, key, e, until)
	}
	writeEntry(c, e)
}

func releaseReplyBuffer(buf *[]byte) {
	if cap(*buf) <= maxPooledReply {
		*buf = (*buf)[:0]
		replyBuffers.Put(buf)
	}
}

// respondEncoded answers 200 with v encoded as encodeReply does: for large
// replies that are not cached (statistics), which gin would encode with
// encoding/json.
func respondEncoded(c *gin.Context, v any) {
	buf := replyBuffers.Get().(*[]byte)
	defer releaseReplyBuffer(buf)
	if err := encodeReply(buf, v); err != nil {
		respondError(c, err)
		return
	}
	writeEntry(c, readcache.Entry{Body: *buf})
}

func writeEntry(c *gin.Context, e readcache.Entry) {
	if e.ETag != "" {
		c.Header("ETag", e.ETag)
	}
	// A known length: the body goes out in one piece, not in chunks.
	c.Header("Content-Length", strconv.Itoa(len(e.Body)))
	c.Data(http.StatusOK, jsonContentType, e.Body)
}

// queryKey is a request's query string in a canonical form (parameters
// sorted), prefixed by kind; the handlers accept each parameter once.
func queryKey(kind string, c *gin.Context) string {
	return kind + "?" + c.Request.URL.Query().Encode()
}

// forgetOwnChanges drops the cached replies a request may have changed,
// before the client can read the reply to its change: a product's (every
// method but GET and HEAD on /v1/products/{id} and below) and the order
// list pages (the same on /v1/orders and below, and accepting a quote).
// Other processes learn of the change from PostgreSQL's notices
// (postgres.ListenCatalog); this makes a client's next read in this process
// see its own write without waiting for them.
func forgetOwnChanges(cache *readcache.Catalog) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		// Only a change that happened: a refused request (401, 404, 422...)
		// must not empty the caches, or anyone could keep them cold.
		if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead ||
			c.Writer.Status() >= http.StatusMultipleChoices {
			return
		}
		switch path := c.FullPath(); {
		case strings.HasPrefix(path, "/v1/products/:id"):
			if id, err := uuid.Parse(c.Param("id")); err == nil {
				cache.ChangedHere(id)
			}
		case strings.HasPrefix(path, "/v1/orders"), path == "/v1/quotes/:id/accept":
			cache.OrdersChanged()
		}
	}
}
