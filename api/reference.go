package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/taxonomy"
)

// listReply is the shape of every list answer. Reference lists are never
// paginated, so their next_cursor is always null.
type listReply[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

func replyList[T any](c *gin.Context, items []T, next *string) {
	if items == nil {
		items = []T{}
	}
	respondEncoded(c, listReply[T]{Items: items, NextCursor: next})
}

// replyFound answers with v, or 404 when the lookup failed.
func replyFound[T any](c *gin.Context, v T, ok bool) {
	if !ok {
		respondError(c, errs.ErrNotFound)
		return
	}
	c.JSON(http.StatusOK, v)
}

// Reference data rarely changes (only with a new release), so clients may cache it.
func cacheReference(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=3600")
}

func (h *handlers) listRegions(c *gin.Context) {
	cacheReference(c)
	replyList(c, h.taxonomy.Regions(), nil)
}

func (h *handlers) listClusters(c *gin.Context) {
	cacheReference(c)
	replyList(c, h.taxonomy.Clusters(), nil)
}

func (h *handlers) getCluster(c *gin.Context) {
	cluster, ok := h.taxonomy.Cluster(c.Param("id"))
	replyFound(c, cluster, ok)
}

func (h *handlers) listProvinces(c *gin.Context) {
	provinces, err := h.taxonomy.Provinces(taxonomy.ProvinceFilter{Region: c.Query("region"), Cluster: c.Query("cluster")})
	switch {
	case errors.Is(err, taxonomy.ErrUnknownRegion):
		respondError(c, errs.InvalidQuery("region", "must be one of north, northeast, central, south"))
		return
	case errors.Is(err, taxonomy.ErrUnknownCluster):
		respondError(c, errs.InvalidQuery("cluster", "unknown cluster id; see GET /v1/clusters"))
		return
	case err != nil:
		respondError(c, err)
		return
	}
	cacheReference(c)
	replyList(c, provinces, nil)
}

func (h *handlers) getProvince(c *gin.Context) {
	province, ok := h.taxonomy.Province(c.Param("code"))
	replyFound(c, province, ok)
}

func (h *handlers) listSelectCenters(c *gin.Context) {
	cacheReference(c)
	replyList(c, h.taxonomy.SelectCenters(), nil)
}

func (h *handlers) listCategories(c *gin.Context) {
	cacheReference(c)
	replyList(c, h.taxonomy.Categories(), nil)
}

func (h *handlers) listCreativeIndustries(c *gin.Context) {
	industries := h.taxonomy.CreativeIndustries()
	if group, ok := c.GetQuery("group"); ok {
		filtered := industries[:0]
		for _, ci := range industries {
			if ci.Group == group {
				filtered = append(filtered, ci)
			}
		}
		if len(filtered) == 0 {
			respondError(c, errs.InvalidQuery("group", "must be one of cultural_heritage, arts, media, functional_creation"))
			return
		}
		industries = filtered
	}
	cacheReference(c)
	replyList(c, industries, nil)
}

func (h *handlers) listCertificationKinds(c *gin.Context) {
	cacheReference(c)
	replyList(c, h.taxonomy.CertificationKinds(), nil)
}
