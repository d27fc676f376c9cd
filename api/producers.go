package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
)

// producerProtected lists the producer fields a client can never set.
func producerProtected() []string {
	return []string{"id", "user_id", "cluster_id", "region", "created_at", "updated_at", "version"}
}

type contactJSON struct {
	Phone   string `json:"phone"`
	Email   string `json:"email"`
	LineID  string `json:"line_id"`
	Website string `json:"website"`
}

type contactRequest struct {
	Phone   *string `json:"phone"`
	Email   *string `json:"email"`
	LineID  *string `json:"line_id"`
	Website *string `json:"website"`
}

// producerRequest is the body of POST /v1/producers and PATCH /v1/producers/{id};
// absent fields are unchanged.
type producerRequest struct {
	NameTH          *string         `json:"name_th"`
	NameEN          *string         `json:"name_en"`
	Kind            *string         `json:"kind"`
	ProvinceCode    *string         `json:"province_code"`
	Amphoe          *string         `json:"amphoe"`
	Tambon          *string         `json:"tambon"`
	EnterpriseLevel *int            `json:"enterprise_level"`
	StoryTH         *string         `json:"story_th"`
	StoryEN         *string         `json:"story_en"`
	Contact         *contactRequest `json:"contact"`
}

func (r producerRequest) input() catalog.ProducerInput {
	in := catalog.ProducerInput{
		NameTH: r.NameTH, NameEN: r.NameEN, Kind: r.Kind, ProvinceCode: r.ProvinceCode,
		Amphoe: r.Amphoe, Tambon: r.Tambon, EnterpriseLevel: r.EnterpriseLevel, StoryTH: r.StoryTH, StoryEN: r.StoryEN,
	}
	if c := r.Contact; c != nil {
		in.Contact = &catalog.ContactInput{Phone: c.Phone, Email: c.Email, LineID: c.LineID, Website: c.Website}
	}
	return in
}

// producerJSON is a producer profile; contact is only shown to its owner and to staff.
type producerJSON struct {
	ID              uuid.UUID    `json:"id"`
	NameTH          string       `json:"name_th"`
	NameEN          string       `json:"name_en"`
	Kind            string       `json:"kind"`
	ProvinceCode    string       `json:"province_code"`
	ClusterID       *string      `json:"cluster_id"`
	Region          string       `json:"region"`
	Amphoe          string       `json:"amphoe"`
	Tambon          string       `json:"tambon"`
	EnterpriseLevel int          `json:"enterprise_level"`
	StoryTH         string       `json:"story_th"`
	StoryEN         string       `json:"story_en"`
	Contact         *contactJSON `json:"contact,omitempty"`
	CreatedAt       time.Time    `json:"created_at"`
	UpdatedAt       time.Time    `json:"updated_at"`
	Version         int          `json:"version"`
}

func newProducerJSON(p catalog.Producer) producerJSON {
	out := producerJSON{
		ID: p.ID, NameTH: p.NameTH, NameEN: p.NameEN, Kind: string(p.Kind),
		ProvinceCode: p.ProvinceCode, ClusterID: optional(p.ClusterID), Region: p.Region,
		Amphoe: p.Amphoe, Tambon: p.Tambon, EnterpriseLevel: p.EnterpriseLevel, StoryTH: p.StoryTH, StoryEN: p.StoryEN,
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(), Version: p.Version,
	}
	if c := p.Contact; c != nil {
		out.Contact = &contactJSON{Phone: c.Phone, Email: c.Email, LineID: c.LineID, Website: c.Website}
	}
	return out
}

func replyProducer(c *gin.Context, status int, p catalog.Producer) {
	c.Header("ETag", etag(p.Version))
	c.JSON(status, newProducerJSON(p))
}

func producerFilterFrom(c *gin.Context) (catalog.ProducerFilter, error) {
	q, v := queryParams(c, "province", "cluster", "limit", "cursor")
	f := catalog.ProducerFilter{
		Province: q.Get("province"), Cluster: q.Get("cluster"), Cursor: q.Get("cursor"),
		Limit: intParam(q, "limit", "must be an integer from 1 to 100", v),
	}
	if err := v.Err(); err != nil {
		return f, &errs.QueryError{ValidationError: *v}
	}
	return f, nil
}

func (h *handlers) createProducer(c *gin.Context) {
	var req producerRequest
	if err := bindJSON(c, &req, producerProtected()...); err != nil {
		respondError(c, err)
		return
	}
	p, err := h.catalog.CreateProducer(c.Request.Context(), principalFrom(c), req.input())
	if err != nil {
		respondError(c, err)
		return
	}
	c.Header("Location", "/v1/producers/"+p.ID.String())
	replyProducer(c, http.StatusCreated, p)
}

func (h *handlers) listProducers(c *gin.Context) {
	f, err := producerFilterFrom(c)
	if err != nil {
		respondError(c, err)
		return
	}
	page, err := h.catalog.ListProducers(c.Request.Context(), principalFrom(c), f)
	if err != nil {
		respondError(c, err)
		return
	}
	items := make([]producerJSON, len(page.Items))
	for i, p := range page.Items {
		items[i] = newProducerJSON(p)
	}
	replyList(c, items, optional(page.NextCursor))
}

func (h *handlers) getProducer(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	p, err := h.catalog.GetProducer(c.Request.Context(), principalFrom(c), id)
	if err != nil {
		respondError(c, err)
		return
	}
	replyProducer(c, http.StatusOK, p)
}

func (h *handlers) updateProducer(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	version, err := ifMatch(c)
	if err != nil {
		respondError(c, err)
		return
	}
	var req producerRequest
	if err := bindJSON(c, &req, producerProtected()...); err != nil {
		respondError(c, err)
		return
	}
	p, err := h.catalog.UpdateProducer(c.Request.Context(), principalFrom(c), id, version, req.input())
	if err != nil {
		respondError(c, err)
		return
	}
	replyProducer(c, http.StatusOK, p)
}
