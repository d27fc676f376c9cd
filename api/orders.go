package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/account"
	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/proforma"
	"github.com/otopmarket/otop/internal/trade"
)

// ---------------------------------------------------------------------------
// Replies

type orderLineJSON struct {
	LineNo          int       `json:"line_no"`
	ProductID       uuid.UUID `json:"product_id"`
	NameTH          string    `json:"name_th"`
	NameEN          string    `json:"name_en"`
	SKU             *string   `json:"sku"`
	Unit            string    `json:"unit"`
	Quantity        int       `json:"quantity"`
	UnitPrice       moneyJSON `json:"unit_price"`
	LineTotal       moneyJSON `json:"line_total"`
	FromStock       bool      `json:"from_stock"`
	EstimatedShipOn *string   `json:"estimated_ship_on"`
}

type orderJSON struct {
	ID                 uuid.UUID       `json:"id"`
	GroupID            uuid.UUID       `json:"group_id"`
	ImporterID         uuid.UUID       `json:"importer_id"`
	ProducerID         uuid.UUID       `json:"producer_id"`
	SelectCenterID     string          `json:"select_center_id"`
	QuoteID            *uuid.UUID      `json:"quote_id"`
	Status             string          `json:"status"`
	Lines              []orderLineJSON `json:"lines"`
	Total              moneyJSON       `json:"total"`
	DestinationCountry string          `json:"destination_country"`
	Incoterm           string          `json:"incoterm"`
	Note               string          `json:"note"`
	EstimatedShipOn    *string         `json:"estimated_ship_on"`
	Carrier            *string         `json:"carrier"`
	TrackingNumber     *string         `json:"tracking_number"`
	CancelReason       *string         `json:"cancel_reason"`
	CancelledBy        *string         `json:"cancelled_by"`
	PlacedAt           time.Time       `json:"placed_at"`
	ConfirmedAt        *time.Time      `json:"confirmed_at"`
	ShippedAt          *time.Time      `json:"shipped_at"`
	DeliveredAt        *time.Time      `json:"delivered_at"`
	CancelledAt        *time.Time      `json:"cancelled_at"`
	UpdatedAt          time.Time       `json:"updated_at"`
	Version            int             `json:"version"`
}

func dateString(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

func newOrderJSON(o trade.Order) orderJSON {
	out := orderJSON{
		ID: o.ID, GroupID: o.GroupID, ImporterID: o.ImporterID, ProducerID: o.ProducerID, SelectCenterID: o.SelectCenterID,
		Status: string(o.Status), Lines: make([]orderLineJSON, len(o.Lines)),
		Total:              moneyJSON{AmountMinor: o.TotalMinor, Currency: o.Currency},
		DestinationCountry: o.DestinationCountry, Incoterm: o.Incoterm, Note: o.Note,
		EstimatedShipOn: dateString(o.EstimatedShipOn), Carrier: optional(o.Carrier), TrackingNumber: optional(o.TrackingNumber),
		CancelReason: optional(o.CancelReason), CancelledBy: optional(o.CancelledBy),
		PlacedAt: o.PlacedAt.UTC(), ConfirmedAt: utcTime(o.ConfirmedAt), ShippedAt: utcTime(o.ShippedAt),
		DeliveredAt: utcTime(o.DeliveredAt), CancelledAt: utcTime(o.CancelledAt), UpdatedAt: o.UpdatedAt.UTC(), Version: o.Version,
	}
	if o.QuoteID != uuid.Nil {
		id := o.QuoteID
		out.QuoteID = &id
	}
	for i, l := range o.Lines {
		out.Lines[i] = orderLineJSON{
			LineNo: l.No, ProductID: l.ProductID, NameTH: l.NameTH, NameEN: l.NameEN, SKU: optional(l.SKU), Unit: l.Unit,
			Quantity: l.Quantity, UnitPrice: moneyJSON{AmountMinor: l.UnitPriceMinor, Currency: o.Currency},
			LineTotal: moneyJSON{AmountMinor: l.LineTotalMinor, Currency: o.Currency}, FromStock: l.FromStock,
			EstimatedShipOn: dateString(l.EstimatedShipOn),
		}
	}
	return out
}

type placementJSON struct {
	GroupID uuid.UUID   `json:"group_id"`
	Orders  []orderJSON `json:"orders"`
}

// replyPlacement answers a placement: 201 the first time, and the same
// status and body (as the orders are now) when the key is replayed.
func replyPlacement(c *gin.Context, p trade.Placement) {
	out := placementJSON{GroupID: p.GroupID, Orders: make([]orderJSON, len(p.Orders))}
	for i, o := range p.Orders {
		out.Orders[i] = newOrderJSON(o)
	}
	c.Header("Idempotent-Replayed", strconv.FormatBool(p.Replayed))
	c.Header("Location", "/v1/orders?group="+p.GroupID.String())
	c.JSON(http.StatusCreated, out)
}

func replyOrder(c *gin.Context, o trade.Order) {
	c.Header("ETag", etag(o.Version))
	c.JSON(http.StatusOK, newOrderJSON(o))
}

// ---------------------------------------------------------------------------
// Placing orders

type orderLineRequest struct {
	ProductID uuid.UUID `json:"product_id"`
	Quantity  int       `json:"quantity"`
}

type orderRequest struct {
	Lines              []orderLineRequest `json:"lines"`
	DestinationCountry string             `json:"destination_country"`
	Incoterm           string             `json:"incoterm"`
	Note               string             `json:"note"`
}

// idempotencyKey is the request's Idempotency-Key; a missing one is a bad
// request: without it a retried order could be placed twice.
func idempotencyKey(c *gin.Context) (string, error) {
	key := c.GetHeader("Idempotency-Key")
	if key == "" {
		return "", &errBadRequest{msg: "send an Idempotency-Key header (a new UUID per order, the same one when you retry)"}
	}
	return key, nil
}

func (h *handlers) placeOrder(c *gin.Context) {
	key, err := idempotencyKey(c)
	if err != nil {
		respondError(c, err)
		return
	}
	var req orderRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	in := trade.OrderRequest{DestinationCountry: req.DestinationCountry, Incoterm: req.Incoterm, Note: req.Note,
		Lines: make([]trade.LineRequest, len(req.Lines))}
	for i, l := range req.Lines {
		in.Lines[i] = trade.LineRequest{ProductID: l.ProductID, Quantity: l.Quantity}
	}
	p, err := h.trade.PlaceOrder(c.Request.Context(), principalFrom(c), key, in)
	if err != nil {
		respondError(c, err)
		return
	}
	h.forgetOrdered(p)
	replyPlacement(c, p)
}

type acceptQuoteRequest struct {
	Quantity int    `json:"quantity"`
	Note     string `json:"note"`
}

func (h *handlers) acceptQuote(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	key, err := idempotencyKey(c)
	if err != nil {
		respondError(c, err)
		return
	}
	var req acceptQuoteRequest
	if c.Request.ContentLength != 0 {
		if err := bindJSON(c, &req); err != nil {
			respondError(c, err)
			return
		}
	}
	p, err := h.trade.AcceptQuote(c.Request.Context(), principalFrom(c), key, id, req.Quantity, req.Note)
	if err != nil {
		respondError(c, err)
		return
	}
	h.forgetOrdered(p)
	replyPlacement(c, p)
}

// forgetOrdered drops the cached replies of products whose stock an order
// took (other processes learn of it from PostgreSQL's notices).
func (h *handlers) forgetOrdered(p trade.Placement) {
	for _, o := range p.Orders {
		for _, l := range o.Lines {
			if l.FromStock {
				h.cache.ProductChanged(l.ProductID)
			}
		}
	}
}

// ---------------------------------------------------------------------------
// Reading orders

func (h *handlers) listOrders(c *gin.Context) {
	q, v := queryParams(c, "status", "producer", "group", "limit", "cursor")
	f := trade.OrderFilter{Status: trade.OrderStatus(q.Get("status")), Cursor: q.Get("cursor"),
		Limit:    intParam(q, "limit", "must be an integer from 1 to 100", v),
		Producer: uuidParam(q.Get("producer"), "producer", v), Group: uuidParam(q.Get("group"), "group", v)}
	if err := v.Err(); err != nil {
		respondError(c, errs.AsQuery(err))
		return
	}
	// A page is the same for every request of one reader (a curator's: of
	// one center; an admin's: of all), and kept until an order changes.
	p := principalFrom(c)
	scope := string(p.Role) + ":" + p.UserID.String()
	switch p.Role {
	case account.RoleCurator:
		scope = string(p.Role) + ":" + p.SelectCenterID
	case account.RoleAdmin:
		scope = string(p.Role)
	}
	cachedReply(c, h.cache.Orders, queryKey("orders:"+scope, c), func() (any, string, bool, error) {
		orders, next, err := h.trade.Orders(c.Request.Context(), p, f)
		if err != nil {
			return nil, "", false, err
		}
		items := make([]orderJSON, len(orders))
		for i, o := range orders {
			items[i] = newOrderJSON(o)
		}
		return listReply[orderJSON]{Items: items, NextCursor: optional(next)}, "", true, nil
	})
}

func (h *handlers) getOrder(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	o, err := h.trade.Order(c.Request.Context(), principalFrom(c), id)
	if err != nil {
		respondError(c, err)
		return
	}
	replyOrder(c, o)
}

// ---------------------------------------------------------------------------
// Order states

type shipRequest struct {
	Carrier        string `json:"carrier"`
	TrackingNumber string `json:"tracking_number"`
}

// orderTransition parses the order id, If-Match and body of a transition,
// runs it and replies with the order.
func (h *handlers) orderTransition(c *gin.Context, body any, run func(id uuid.UUID, ifm catalog.IfMatch) (trade.Order, error)) {
	id, ifm, ok := h.decisionTarget(c)
	if !ok {
		return
	}
	if body != nil || c.Request.ContentLength > 0 {
		if body == nil {
			body = &struct{}{}
		}
		if err := bindJSON(c, body); err != nil {
			respondError(c, err)
			return
		}
	}
	o, err := run(id, ifm)
	if err != nil {
		respondError(c, err)
		return
	}
	replyOrder(c, o)
}

func (h *handlers) confirmOrder(c *gin.Context) {
	h.orderTransition(c, nil, func(id uuid.UUID, ifm catalog.IfMatch) (trade.Order, error) {
		return h.trade.Confirm(c.Request.Context(), principalFrom(c), id, ifm)
	})
}

func (h *handlers) shipOrder(c *gin.Context) {
	var req shipRequest
	h.orderTransition(c, &req, func(id uuid.UUID, ifm catalog.IfMatch) (trade.Order, error) {
		return h.trade.Ship(c.Request.Context(), principalFrom(c), id, ifm, req.Carrier, req.TrackingNumber)
	})
}

func (h *handlers) deliverOrder(c *gin.Context) {
	h.orderTransition(c, nil, func(id uuid.UUID, ifm catalog.IfMatch) (trade.Order, error) {
		return h.trade.Deliver(c.Request.Context(), principalFrom(c), id, ifm)
	})
}

func (h *handlers) cancelOrder(c *gin.Context) {
	var req reasonRequest
	if c.Request.ContentLength == 0 {
		h.orderTransition(c, nil, func(id uuid.UUID, ifm catalog.IfMatch) (trade.Order, error) {
			return h.trade.Cancel(c.Request.Context(), principalFrom(c), id, ifm, "")
		})
		return
	}
	h.orderTransition(c, &req, func(id uuid.UUID, ifm catalog.IfMatch) (trade.Order, error) {
		return h.trade.Cancel(c.Request.Context(), principalFrom(c), id, ifm, req.Reason)
	})
}

// orderProforma renders the order's proforma invoice (PDF) for whoever may
// see the order.
func (h *handlers) orderProforma(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	o, parties, err := h.trade.OrderDocument(c.Request.Context(), principalFrom(c), id)
	if err != nil {
		respondError(c, err)
		return
	}
	inv := proforma.Invoice{
		Number: o.ID.String(), GroupID: o.GroupID.String(), IssuedAt: o.PlacedAt, Status: string(o.Status),
		Seller: proforma.Seller{NameEN: parties.SellerNameEN, NameTH: parties.SellerNameTH, Tambon: parties.Tambon,
			Amphoe: parties.Amphoe, Phone: parties.SellerPhone, Email: parties.SellerEmail},
		Buyer:              proforma.Buyer{Name: parties.BuyerName, Email: parties.BuyerEmail, CountryCode: parties.BuyerCountry},
		DestinationCountry: o.DestinationCountry, Incoterm: o.Incoterm, Currency: o.Currency,
		TotalMinor: o.TotalMinor, Note: o.Note, Lines: make([]proforma.Line, len(o.Lines)),
	}
	if prov, ok := h.taxonomy.Province(parties.ProvinceCode); ok {
		inv.Seller.ProvinceEN, inv.Seller.ProvinceTH = prov.NameEN, prov.NameTH
	}
	if o.EstimatedShipOn != nil {
		inv.EstimatedShipOn = *o.EstimatedShipOn
	}
	for i, l := range o.Lines {
		inv.Lines[i] = proforma.Line{NameEN: l.NameEN, NameTH: l.NameTH, SKU: l.SKU, Quantity: int64(l.Quantity), Unit: l.Unit,
			UnitPriceMinor: l.UnitPriceMinor, LineTotalMinor: l.LineTotalMinor, FromStock: l.FromStock}
		if l.EstimatedShipOn != nil {
			inv.Lines[i].EstimatedShipOn = *l.EstimatedShipOn
		}
	}
	var buf bytes.Buffer
	if err := h.proforma.Render(&buf, inv); err != nil {
		respondError(c, fmt.Errorf("proforma of order %s: %w", o.ID, err))
		return
	}
	c.Header("Content-Disposition", `inline; filename="proforma-`+o.ID.String()+`.pdf"`)
	c.Header("ETag", etag(o.Version))
	c.Data(http.StatusOK, "application/pdf", buf.Bytes())
}
