package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/notify"
)

type subjectJSON struct {
	Type string    `json:"type"`
	ID   uuid.UUID `json:"id"`
}

type notificationJSON struct {
	ID        uuid.UUID      `json:"id"`
	Kind      string         `json:"kind"`
	Read      bool           `json:"read"`
	Subject   subjectJSON    `json:"subject"`
	Data      map[string]any `json:"data"`
	CreatedAt time.Time      `json:"created_at"`
}

func (h *handlers) listNotifications(c *gin.Context) {
	q, v := queryParams(c, "unread", "limit", "cursor")
	f := notify.Filter{Limit: intParam(q, "limit", "must be an integer from 1 to 100", v), Cursor: q.Get("cursor")}
	if unread := boolParam(q.Get("unread"), "unread", v); unread != nil {
		f.UnreadOnly = *unread
	}
	if err := v.Err(); err != nil {
		respondError(c, errs.AsQuery(err))
		return
	}
	page, err := h.notify.List(c.Request.Context(), principalFrom(c), f)
	if err != nil {
		respondError(c, err)
		return
	}
	items := make([]notificationJSON, len(page.Items))
	for i, n := range page.Items {
		items[i] = notificationJSON{ID: n.ID, Kind: n.Kind, Read: n.Read, Subject: subjectJSON{Type: n.SubjectType, ID: n.SubjectID},
			Data: n.Data, CreatedAt: n.CreatedAt.UTC()}
		if items[i].Data == nil {
			items[i].Data = map[string]any{}
		}
	}
	replyList(c, items, optional(page.NextCursor))
}

type markReadRequest struct {
	IDs []uuid.UUID `json:"ids"`
	All bool        `json:"all"`
}

func (h *handlers) markNotificationsRead(c *gin.Context) {
	var req markReadRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	n, err := h.notify.MarkRead(c.Request.Context(), principalFrom(c), req.IDs, req.All)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"marked": n})
}
