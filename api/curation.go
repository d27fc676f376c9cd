package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/audit"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/curation"
	"github.com/otopmarket/otop/internal/errs"
)

// ---------------------------------------------------------------------------
// Replies

type readinessItemJSON struct {
	ID      string `json:"id"`
	Met     bool   `json:"met"`
	Message string `json:"message"`
}

type readinessJSON struct {
	Ready bool                `json:"ready"`
	Items []readinessItemJSON `json:"items"`
}

func newReadinessJSON(r catalog.Readiness) readinessJSON {
	out := readinessJSON{Ready: r.Ready, Items: make([]readinessItemJSON, len(r.Items))}
	for i, it := range r.Items {
		out.Items[i] = readinessItemJSON{ID: it.ID, Met: it.Met, Message: it.Message}
	}
	return out
}

type fieldChangeJSON struct {
	Field  string `json:"field"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}

type changesJSON struct {
	Fields        []fieldChangeJSON `json:"fields"`
	PhotosAdded   []string          `json:"photos_added"`
	PhotosRemoved []string          `json:"photos_removed"`
}

// queueItemJSON is a product under review with what a curator needs.
type queueItemJSON struct {
	productJSON
	Producer    producerJSON  `json:"producer"`
	WaitingDays int           `json:"waiting_days"`
	Readiness   readinessJSON `json:"readiness"`
	Changes     *changesJSON  `json:"changes"`
}

func (h *handlers) newQueueItemJSON(it curation.QueueItem) queueItemJSON {
	out := queueItemJSON{productJSON: newProductJSON(it.Product, h.urls), Producer: newProducerJSON(it.Producer),
		WaitingDays: it.WaitingDays, Readiness: newReadinessJSON(it.Readiness)}
	submitted := it.SubmittedAt.UTC()
	out.SubmittedAt = &submitted
	if ch := it.Changes; ch != nil {
		out.Changes = &changesJSON{Fields: make([]fieldChangeJSON, len(ch.Fields)),
			PhotosAdded: nonNil(ch.PhotosAdded), PhotosRemoved: nonNil(ch.PhotosRemoved)}
		for i, f := range ch.Fields {
			out.Changes.Fields[i] = fieldChangeJSON{Field: f.Field, Before: f.Before, After: f.After}
		}
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type centerSummaryJSON struct {
	SelectCenterID      string     `json:"select_center_id"`
	Pending             int        `json:"pending"`
	OldestSubmittedAt   *time.Time `json:"oldest_submitted_at"`
	OldestWaitDays      *int       `json:"oldest_wait_days"`
	Approved30d         int        `json:"approved_30d"`
	Rejected30d         int        `json:"rejected_30d"`
	MedianDecisionHours *float64   `json:"median_decision_hours"`
}

type auditJSON struct {
	ID             int64          `json:"id"`
	EntityType     string         `json:"entity_type"`
	EntityID       uuid.UUID      `json:"entity_id"`
	SelectCenterID *string        `json:"select_center_id"`
	Action         string         `json:"action"`
	ActorID        *uuid.UUID     `json:"actor_id"`
	ActorRole      string         `json:"actor_role"`
	Before         map[string]any `json:"before"`
	After          map[string]any `json:"after"`
	Reason         string         `json:"reason"`
	RequestID      string         `json:"request_id"`
	CreatedAt      time.Time      `json:"created_at"`
}

func newAuditJSON(e audit.Entry) auditJSON {
	out := auditJSON{ID: e.ID, EntityType: e.EntityType, EntityID: e.EntityID, SelectCenterID: optional(e.SelectCenterID),
		Action: e.Action, ActorRole: e.ActorRole, Before: e.Before, After: e.After, Reason: e.Reason,
		RequestID: e.RequestID, CreatedAt: e.CreatedAt.UTC()}
	if e.ActorID != uuid.Nil {
		id := e.ActorID
		out.ActorID = &id
	}
	return out
}

func replyAudit(c *gin.Context, page curation.AuditPage) {
	items := make([]auditJSON, len(page.Items))
	for i, e := range page.Items {
		items[i] = newAuditJSON(e)
	}
	replyList(c, items, optional(page.NextCursor))
}

// ---------------------------------------------------------------------------
// Queue, summary, audit

func (h *handlers) curationQueue(c *gin.Context) {
	q, v := queryParams(c, "select_center", "province", "cluster", "category", "creative_industry", "resubmitted", "limit", "cursor")
	f := curation.QueueFilter{SelectCenter: q.Get("select_center"), Province: q.Get("province"), Cluster: q.Get("cluster"),
		Category: q.Get("category"), CreativeIndustry: q.Get("creative_industry"), Cursor: q.Get("cursor"),
		Limit: intParam(q, "limit", "must be an integer from 1 to 100", v)}
	f.Resubmitted = boolParam(q.Get("resubmitted"), "resubmitted", v)
	if err := v.Err(); err != nil {
		respondError(c, errs.AsQuery(err))
		return
	}
	p := principalFrom(c)
	// A queue page is the same for every curator of a center (and for every
	// admin): kept until a change in the queues is notified, or until a
	// waiting time or readiness it shows moves on.
	scope := "admin"
	if !p.Is(account.RoleAdmin) {
		scope = string(p.Role) + ":" + p.SelectCenterID
	}
	cachedReplyUntil(c, h.cache.Queues, queryKey("queue:"+scope, c), func() (any, string, bool, time.Time, error) {
		page, err := h.curation.Queue(c.Request.Context(), p, f)
		if err != nil {
			return nil, "", false, time.Time{}, err
		}
		items := make([]queueItemJSON, len(page.Items))
		for i, it := range page.Items {
			items[i] = h.newQueueItemJSON(it)
		}
		return listReply[queueItemJSON]{Items: items, NextCursor: optional(page.NextCursor)}, "", p.Staff(), page.Until, nil
	})
}

func (h *handlers) curationSummary(c *gin.Context) {
	if _, v := queryParams(c); v.Err() != nil {
		respondError(c, errs.AsQuery(v))
		return
	}
	centers, err := h.curation.Summary(c.Request.Context(), principalFrom(c))
	if err != nil {
		respondError(c, err)
		return
	}
	now := time.Now()
	items := make([]centerSummaryJSON, len(centers))
	for i, s := range centers {
		items[i] = centerSummaryJSON{SelectCenterID: s.SelectCenterID, Pending: s.Pending, OldestSubmittedAt: utcTime(s.OldestSubmittedAt),
			Approved30d: s.Approved30d, Rejected30d: s.Rejected30d, MedianDecisionHours: s.MedianDecisionHours}
		if s.OldestSubmittedAt != nil {
			days := int(now.Sub(*s.OldestSubmittedAt) / (24 * time.Hour))
			items[i].OldestWaitDays = &days
		}
	}
	c.JSON(http.StatusOK, gin.H{"items": items})
}

func (h *handlers) listAudit(c *gin.Context) {
	q, v := queryParams(c, "entity_type", "entity_id", "actor_id", "action", "from", "to", "limit", "cursor")
	f := curation.AuditFilter{EntityType: q.Get("entity_type"), Action: q.Get("action"), Cursor: q.Get("cursor"),
		Limit:    intParam(q, "limit", "must be an integer from 1 to 100", v),
		EntityID: uuidParam(q.Get("entity_id"), "entity_id", v), ActorID: uuidParam(q.Get("actor_id"), "actor_id", v),
		From: timeParam(q.Get("from"), "from", v), To: timeParam(q.Get("to"), "to", v)}
	if err := v.Err(); err != nil {
		respondError(c, errs.AsQuery(err))
		return
	}
	page, err := h.curation.Audit(c.Request.Context(), principalFrom(c), f)
	if err != nil {
		respondError(c, err)
		return
	}
	replyAudit(c, page)
}

func (h *handlers) productHistory(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	q, v := queryParams(c, "limit", "cursor")
	limit := intParam(q, "limit", "must be an integer from 1 to 100", v)
	if err := v.Err(); err != nil {
		respondError(c, errs.AsQuery(err))
		return
	}
	page, err := h.curation.History(c.Request.Context(), principalFrom(c), id, limit, q.Get("cursor"))
	if err != nil {
		respondError(c, err)
		return
	}
	replyAudit(c, page)
}

func (h *handlers) productReadiness(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	r, err := h.curation.Readiness(c.Request.Context(), principalFrom(c), id)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, newReadinessJSON(r))
}

// ---------------------------------------------------------------------------
// Decisions

func (h *handlers) approveProduct(c *gin.Context) {
	id, version, ok := h.decisionTarget(c)
	if !ok {
		return
	}
	if c.Request.ContentLength > 0 {
		var empty struct{}
		if err := bindJSON(c, &empty); err != nil {
			respondError(c, err)
			return
		}
	}
	p, err := h.curation.Approve(c.Request.Context(), principalFrom(c), id, version)
	if err != nil {
		respondError(c, err)
		return
	}
	h.replyProduct(c, http.StatusOK, p)
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (h *handlers) rejectProduct(c *gin.Context) {
	id, version, ok := h.decisionTarget(c)
	if !ok {
		return
	}
	var req reasonRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	p, err := h.curation.Reject(c.Request.Context(), principalFrom(c), id, version, req.Reason)
	if err != nil {
		respondError(c, err)
		return
	}
	h.replyProduct(c, http.StatusOK, p)
}

// decisionTarget reads the product id and the If-Match version of a
// decision, answering the request itself when either is malformed.
// (A missing If-Match is left to the service: decisions answer it 428.)
func (h *handlers) decisionTarget(c *gin.Context) (uuid.UUID, catalog.IfMatch, bool) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return uuid.Nil, nil, false
	}
	ifm, err := ifMatch(c)
	if err != nil {
		respondError(c, err)
		return uuid.Nil, nil, false
	}
	return id, ifm, true
}

type decisionJSON struct {
	ID       uuid.UUID `json:"id"`
	Version  int       `json:"version"`
	Decision string    `json:"decision"`
	Reason   string    `json:"reason"`
}

type decisionsRequest struct {
	Decisions []decisionJSON `json:"decisions"`
}

type decisionResultJSON struct {
	ID      uuid.UUID    `json:"id"`
	Status  int          `json:"status"`
	Product *productJSON `json:"product,omitempty"`
	Problem *problem     `json:"problem,omitempty"`
}

func (h *handlers) decideProducts(c *gin.Context) {
	var req decisionsRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	in := make([]curation.DecisionRequest, len(req.Decisions))
	for i, d := range req.Decisions {
		in[i] = curation.DecisionRequest{ID: d.ID, Version: d.Version, Decision: curation.Decision(d.Decision), Reason: d.Reason}
	}
	results, err := h.curation.Decide(c.Request.Context(), principalFrom(c), in)
	if err != nil {
		respondError(c, err)
		return
	}
	out := make([]decisionResultJSON, len(results))
	for i, r := range results {
		out[i] = decisionResultJSON{ID: r.ID, Status: http.StatusOK}
		if r.Err != nil {
			pr := problemFor(c, r.Err)
			out[i].Status, out[i].Problem = pr.Status, &pr
			continue
		}
		// The product's cached replies go before the answer, as for a
		// single decision (forgetOwnChanges), so the curator reads it back at once.
		h.cache.ChangedHere(r.ID)
		p := newProductJSON(r.Product, h.urls)
		out[i].Product = &p
	}
	c.JSON(http.StatusOK, gin.H{"results": out})
}

type reassignRequest struct {
	SelectCenterID string `json:"select_center_id"`
	Reason         string `json:"reason"`
}

func (h *handlers) reassignProduct(c *gin.Context) {
	id, version, ok := h.decisionTarget(c)
	if !ok {
		return
	}
	var req reassignRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	p, err := h.curation.Reassign(c.Request.Context(), principalFrom(c), id, version, req.SelectCenterID, req.Reason)
	if err != nil {
		respondError(c, err)
		return
	}
	h.replyProduct(c, http.StatusOK, p)
}

type verifyRequest struct {
	Verdict string `json:"verdict"`
	Note    string `json:"note"`
	Number  string `json:"number"`
}

func (h *handlers) verifyCertification(c *gin.Context) { h.verify(c, c.Param("kind")) }

func (h *handlers) verifyStars(c *gin.Context) { h.verify(c, curation.StarsKind) }

func (h *handlers) verify(c *gin.Context, kind string) {
	id, version, ok := h.decisionTarget(c)
	if !ok {
		return
	}
	var req verifyRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	in := curation.VerifyInput{Kind: kind, Number: req.Number, Verdict: catalog.VerificationState(req.Verdict), Note: req.Note, IfMatch: version}
	p, err := h.curation.Verify(c.Request.Context(), principalFrom(c), id, in)
	if err != nil {
		respondError(c, err)
		return
	}
	h.replyProduct(c, http.StatusOK, p)
}

type topotopRequest struct {
	Topotop  *bool  `json:"topotop"`
	Note     string `json:"note"`
	Override bool   `json:"override"`
}

func (h *handlers) setTopotop(c *gin.Context) {
	id, version, ok := h.decisionTarget(c)
	if !ok {
		return
	}
	var req topotopRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	if req.Topotop == nil {
		respondError(c, errs.Invalid("topotop", "is required: true or false"))
		return
	}
	in := curation.TopotopInput{Topotop: *req.Topotop, Note: req.Note, Override: req.Override, IfMatch: version}
	p, err := h.curation.SetTopotop(c.Request.Context(), principalFrom(c), id, in)
	if err != nil {
		respondError(c, err)
		return
	}
	h.replyProduct(c, http.StatusOK, p)
}
