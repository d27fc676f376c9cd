package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/webhook"
)

type webhookRequest struct {
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Description string   `json:"description"`
}

type webhookJSON struct {
	ID          uuid.UUID `json:"id"`
	URL         string    `json:"url"`
	Events      []string  `json:"events"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
}

func newWebhookJSON(e webhook.Endpoint) webhookJSON {
	return webhookJSON{ID: e.ID, URL: e.URL, Events: nonNil(e.Events), Description: e.Description, CreatedAt: e.CreatedAt.UTC()}
}

// createdWebhookJSON is the one reply that shows an endpoint's secret.
type createdWebhookJSON struct {
	webhookJSON
	Secret string `json:"secret"`
}

type deliveryJSON struct {
	ID             uuid.UUID  `json:"id"`
	WebhookID      uuid.UUID  `json:"webhook_id"`
	EventID        uuid.UUID  `json:"event_id"`
	EventType      string     `json:"event_type"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	LastStatusCode *int       `json:"last_status_code"`
	LastError      *string    `json:"last_error"`
	NextAttemptAt  *time.Time `json:"next_attempt_at"`
	CreatedAt      time.Time  `json:"created_at"`
	DeliveredAt    *time.Time `json:"delivered_at"`
	RedeliveryOf   *uuid.UUID `json:"redelivery_of"`
}

func newDeliveryJSON(d webhook.Delivery) deliveryJSON {
	out := deliveryJSON{ID: d.ID, WebhookID: d.WebhookID, EventID: d.EventID, EventType: d.EventType, Status: d.Status,
		Attempts: d.Attempts, LastError: optional(d.LastError), NextAttemptAt: d.NextAttemptAt, CreatedAt: d.CreatedAt.UTC(),
		DeliveredAt: d.DeliveredAt, RedeliveryOf: d.RedeliveryOf}
	if d.LastStatusCode != 0 {
		code := d.LastStatusCode
		out.LastStatusCode = &code
	}
	return out
}

func (h *handlers) createWebhook(c *gin.Context) {
	var req webhookRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	ep, err := h.webhooks.Create(c.Request.Context(), principalFrom(c),
		webhook.CreateInput{URL: req.URL, Events: req.Events, Description: req.Description})
	if err != nil {
		respondError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store") // the secret is in it
	c.JSON(http.StatusCreated, createdWebhookJSON{webhookJSON: newWebhookJSON(ep), Secret: ep.Secret})
}

func (h *handlers) listWebhooks(c *gin.Context) {
	if _, v := queryParams(c); v.Err() != nil {
		respondError(c, errs.AsQuery(v.Err()))
		return
	}
	eps, err := h.webhooks.List(c.Request.Context(), principalFrom(c))
	if err != nil {
		respondError(c, err)
		return
	}
	items := make([]webhookJSON, len(eps))
	for i, e := range eps {
		items[i] = newWebhookJSON(e)
	}
	replyList(c, items, nil)
}

func (h *handlers) deleteWebhook(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err == nil {
		err = h.webhooks.Delete(c.Request.Context(), principalFrom(c), id)
	}
	if err != nil {
		respondError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (h *handlers) listWebhookDeliveries(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	q, v := queryParams(c, "status", "limit", "cursor")
	f := webhook.Filter{Status: q.Get("status"), Limit: intParam(q, "limit", "must be an integer from 1 to 100", v), Cursor: q.Get("cursor")}
	if err := v.Err(); err != nil {
		respondError(c, errs.AsQuery(err))
		return
	}
	page, err := h.webhooks.Deliveries(c.Request.Context(), principalFrom(c), id, f)
	if err != nil {
		respondError(c, err)
		return
	}
	items := make([]deliveryJSON, len(page.Items))
	for i, d := range page.Items {
		items[i] = newDeliveryJSON(d)
	}
	replyList(c, items, optional(page.NextCursor))
}

func (h *handlers) redeliverWebhook(c *gin.Context) {
	id, err := pathUUID(c, "id")
	var deliveryID uuid.UUID
	if err == nil {
		deliveryID, err = pathUUID(c, "delivery_id")
	}
	if err == nil && c.Request.ContentLength != 0 {
		var empty struct{}
		err = bindJSON(c, &empty)
	}
	if err != nil {
		respondError(c, err)
		return
	}
	d, err := h.webhooks.Redeliver(c.Request.Context(), principalFrom(c), id, deliveryID)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusAccepted, newDeliveryJSON(d))
}
