package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/readcache"
)

const jsonContentType = "application/json; charset=utf-8"

// cachedReply answers from the cache when it holds key. Otherwise it calls
// build, which reads (after the cache's ticket was taken) and returns the
// reply and whether that reply may be cached, and stores it if so. A reply
// that is never stored is never found, so build alone decides what is
// cached.
func cachedReply[K comparable](c *gin.Context, cache *readcache.Cache[K], key K,
	build func() (v any, etag string, store bool, err error),
) {
	if e, ok := cache.Get(key); ok {
		writeEntry(c, e)
		return
	}
	ticket := cache.Ticket()
	v, etag, store, err := build()
	if err != nil {
		respondError(c, err)
		return
	}
	body, err := json.Marshal(v)
	if err != nil {
		respondError(c, err)
		return
	}
	e := readcache.Entry{Body: body, ETag: etag}
	if store {
		cache.Put(ticket, key, e)
	}
	writeEntry(c, e)
}

func writeEntry(c *gin.Context, e readcache.Entry) {
	if e.ETag != "" {
		c.Header("ETag", e.ETag)
	}
	c.Data(http.StatusOK, jsonContentType, e.Body)
}

// queryKey is a request's query string in a canonical form (parameters
// sorted), prefixed by kind; the handlers accept each parameter once.
func queryKey(kind string, c *gin.Context) string {
	return kind + "?" + c.Request.URL.Query().Encode()
}

// forgetChangedProduct drops the cached replies of a product after any
// request that may have changed it (every method but GET and HEAD on
// /v1/products/{id} and below), before the client can read the reply to
// its change. Other processes learn of the change from PostgreSQL's
// notice (postgres.ListenCatalog); this makes a client's next read in this
// process see its own write without waiting for it.
func forgetChangedProduct(cache *readcache.Catalog) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead ||
			!strings.HasPrefix(c.FullPath(), "/v1/products/:id") {
			return
		}
		if id, err := uuid.Parse(c.Param("id")); err == nil {
			cache.ProductChanged(id)
		}
	}
}
