package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/trade"
)

// ---------------------------------------------------------------------------
// Requests

type inquiryRequest struct {
	ProductID          string        `json:"product_id"`
	Quantity           *int          `json:"quantity"`
	Unit               string        `json:"unit"`
	TargetPrice        *moneyRequest `json:"target_price"`
	Incoterm           string        `json:"incoterm"`
	DestinationCountry string        `json:"destination_country"`
	WantedBy           string        `json:"wanted_by"`
	Message            string        `json:"message"`
}

type messageRequest struct {
	Body string `json:"body"`
}

type quoteRequest struct {
	UnitPrice    *moneyRequest `json:"unit_price"`
	MinQuantity  *int          `json:"min_quantity"`
	Incoterm     string        `json:"incoterm"`
	LeadTimeDays *int          `json:"lead_time_days"`
	ValidUntil   string        `json:"valid_until"`
	Note         string        `json:"note"`
}

func (r quoteRequest) input() trade.QuoteInput {
	return trade.QuoteInput{UnitPrice: priceInput(r.UnitPrice), MinQuantity: r.MinQuantity, Incoterm: r.Incoterm,
		LeadTimeDays: r.LeadTimeDays, ValidUntil: r.ValidUntil, Note: r.Note}
}

// rfqQuoteRequest is a quote on an RFQ: the terms and the producer's product.
type rfqQuoteRequest struct {
	quoteRequest
	ProductID string `json:"product_id"`
}

type rfqRequest struct {
	Category           string        `json:"category"`
	CreativeIndustry   string        `json:"creative_industry"`
	Region             string        `json:"region"`
	Cluster            string        `json:"cluster"`
	Province           string        `json:"province"`
	Quantity           *int          `json:"quantity"`
	Unit               string        `json:"unit"`
	Description        string        `json:"description"`
	TargetPrice        *moneyRequest `json:"target_price"`
	DestinationCountry string        `json:"destination_country"`
	ClosesOn           string        `json:"closes_on"`
}

func priceInput(m *moneyRequest) *trade.PriceInput {
	if m == nil {
		return nil
	}
	return &trade.PriceInput{AmountMinor: m.AmountMinor, Currency: m.Currency}
}

// bodyUUID reads an id a body names: "" is none (the service says whether
// it is required); anything else that is not a UUID is a 422 on field.
func bodyUUID(s, field string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, nil
	}
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return uuid.Nil, errs.Invalid(field, "must be a UUID")
	}
	return id, nil
}

// bindOptional binds a body that may be left out altogether.
func bindOptional(c *gin.Context, dst any) error {
	if c.Request.ContentLength == 0 {
		return nil
	}
	return bindJSON(c, dst)
}

// ---------------------------------------------------------------------------
// Replies

type productSummaryJSON struct {
	ID     uuid.UUID `json:"id"`
	NameEN string    `json:"name_en"`
	NameTH string    `json:"name_th"`
}

type producerSummaryJSON struct {
	ID           uuid.UUID `json:"id"`
	NameEN       string    `json:"name_en"`
	NameTH       string    `json:"name_th"`
	ProvinceCode string    `json:"province_code"`
}

type inquiryJSON struct {
	ID                 uuid.UUID          `json:"id"`
	Status             string             `json:"status"`
	ProductID          uuid.UUID          `json:"product_id"`
	ProducerID         uuid.UUID          `json:"producer_id"`
	ImporterID         uuid.UUID          `json:"importer_id"`
	SelectCenterID     string             `json:"select_center_id"`
	Quantity           int                `json:"quantity"`
	Unit               string             `json:"unit"`
	TargetPrice        *moneyJSON         `json:"target_price"`
	Incoterm           string             `json:"incoterm"`
	DestinationCountry string             `json:"destination_country"`
	WantedBy           *string            `json:"wanted_by"`
	Product            productSummaryJSON `json:"product"`
	CreatedAt          time.Time          `json:"created_at"`
	UpdatedAt          time.Time          `json:"updated_at"`
}

type inquiryDetailJSON struct {
	inquiryJSON
	Messages []messageJSON `json:"messages"`
	Quotes   []quoteJSON   `json:"quotes"`
}

type messageJSON struct {
	ID         uuid.UUID `json:"id"`
	InquiryID  uuid.UUID `json:"inquiry_id"`
	AuthorID   uuid.UUID `json:"author_id"`
	AuthorRole string    `json:"author_role"`
	Body       string    `json:"body"`
	CreatedAt  time.Time `json:"created_at"`
}

type quoteJSON struct {
	ID           uuid.UUID           `json:"id"`
	InquiryID    *uuid.UUID          `json:"inquiry_id"`
	RFQID        *uuid.UUID          `json:"rfq_id"`
	ProductID    uuid.UUID           `json:"product_id"`
	ProducerID   uuid.UUID           `json:"producer_id"`
	Status       string              `json:"status"`
	UnitPrice    moneyJSON           `json:"unit_price"`
	MinQuantity  int                 `json:"min_quantity"`
	Incoterm     string              `json:"incoterm"`
	LeadTimeDays int                 `json:"lead_time_days"`
	ValidUntil   string              `json:"valid_until"`
	Note         string              `json:"note"`
	Expired      bool                `json:"expired"`
	Producer     producerSummaryJSON `json:"producer"`
	Product      productSummaryJSON  `json:"product"`
	CreatedAt    time.Time           `json:"created_at"`
	UpdatedAt    time.Time           `json:"updated_at"`
}

type rfqJSON struct {
	ID                 uuid.UUID  `json:"id"`
	Status             string     `json:"status"`
	ImporterID         uuid.UUID  `json:"importer_id"`
	Category           string     `json:"category"`
	CreativeIndustry   *string    `json:"creative_industry"`
	Region             *string    `json:"region"`
	Cluster            *string    `json:"cluster"`
	Province           *string    `json:"province"`
	Quantity           int        `json:"quantity"`
	Unit               string     `json:"unit"`
	Description        string     `json:"description"`
	TargetPrice        *moneyJSON `json:"target_price"`
	DestinationCountry string     `json:"destination_country"`
	ClosesOn           string     `json:"closes_on"`
	AcceptingQuotes    bool       `json:"accepting_quotes"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

type rfqDetailJSON struct {
	rfqJSON
	Quotes []quoteJSON `json:"quotes"`
}

func tradeMoneyJSON(m *trade.Money) *moneyJSON {
	if m == nil {
		return nil
	}
	return &moneyJSON{AmountMinor: m.AmountMinor, Currency: m.Currency}
}

func optionalID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

func newInquiryJSON(i trade.Inquiry) inquiryJSON {
	out := inquiryJSON{ID: i.ID, Status: i.Status, ProductID: i.ProductID, ProducerID: i.ProducerID, ImporterID: i.ImporterID,
		SelectCenterID: i.SelectCenterID, Quantity: i.Quantity, Unit: i.Unit, TargetPrice: tradeMoneyJSON(i.TargetPrice),
		Incoterm: i.Incoterm, DestinationCountry: i.DestinationCountry,
		Product:   productSummaryJSON{ID: i.Product.ID, NameEN: i.Product.NameEN, NameTH: i.Product.NameTH},
		CreatedAt: i.CreatedAt.UTC(), UpdatedAt: i.UpdatedAt.UTC()}
	if i.WantedBy != nil {
		d := i.WantedBy.Format(time.DateOnly)
		out.WantedBy = &d
	}
	return out
}

func newInquiryDetailJSON(d trade.InquiryDetail) inquiryDetailJSON {
	out := inquiryDetailJSON{inquiryJSON: newInquiryJSON(d.Inquiry), Messages: make([]messageJSON, len(d.Messages)),
		Quotes: newQuotesJSON(d.Quotes)}
	for i, m := range d.Messages {
		out.Messages[i] = newMessageJSON(m)
	}
	return out
}

func newMessageJSON(m trade.Message) messageJSON {
	return messageJSON{ID: m.ID, InquiryID: m.InquiryID, AuthorID: m.AuthorID, AuthorRole: m.AuthorRole, Body: m.Body,
		CreatedAt: m.CreatedAt.UTC()}
}

func newQuoteJSON(q trade.Quote) quoteJSON {
	return quoteJSON{ID: q.ID, InquiryID: optionalID(q.InquiryID), RFQID: optionalID(q.RFQID), ProductID: q.ProductID,
		ProducerID: q.ProducerID, Status: q.Status, UnitPrice: moneyJSON{AmountMinor: q.UnitPrice.AmountMinor, Currency: q.UnitPrice.Currency},
		MinQuantity: q.MinQuantity, Incoterm: q.Incoterm, LeadTimeDays: q.LeadTimeDays, ValidUntil: q.ValidUntil.Format(time.DateOnly),
		Note: q.Note, Expired: q.Expired,
		Producer: producerSummaryJSON{ID: q.Producer.ID, NameEN: q.Producer.NameEN, NameTH: q.Producer.NameTH,
			ProvinceCode: q.Producer.ProvinceCode},
		Product:   productSummaryJSON{ID: q.Product.ID, NameEN: q.Product.NameEN, NameTH: q.Product.NameTH},
		CreatedAt: q.CreatedAt.UTC(), UpdatedAt: q.UpdatedAt.UTC()}
}

func newQuotesJSON(qs []trade.Quote) []quoteJSON {
	out := make([]quoteJSON, len(qs))
	for i, q := range qs {
		out[i] = newQuoteJSON(q)
	}
	return out
}

func newRFQJSON(r trade.RFQ) rfqJSON {
	return rfqJSON{ID: r.ID, Status: r.Status, ImporterID: r.ImporterID, Category: r.Category,
		CreativeIndustry: optional(r.CreativeIndustry), Region: optional(r.Region), Cluster: optional(r.ClusterID),
		Province: optional(r.ProvinceCode), Quantity: r.Quantity, Unit: r.Unit, Description: r.Description,
		TargetPrice: tradeMoneyJSON(r.TargetPrice), DestinationCountry: r.DestinationCountry,
		ClosesOn: r.ClosesOn.Format(time.DateOnly), AcceptingQuotes: r.AcceptingQuotes,
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// ---------------------------------------------------------------------------
// Inquiries

func (h *handlers) createInquiry(c *gin.Context) {
	var req inquiryRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	productID, err := bodyUUID(req.ProductID, "product_id")
	if err != nil {
		respondError(c, err)
		return
	}
	in := trade.InquiryInput{ProductID: productID, Quantity: req.Quantity, Unit: req.Unit, TargetPrice: priceInput(req.TargetPrice),
		Incoterm: req.Incoterm, DestinationCountry: req.DestinationCountry, WantedBy: req.WantedBy, Message: req.Message}
	d, err := h.trade.CreateInquiry(c.Request.Context(), principalFrom(c), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.Header("Location", "/v1/inquiries/"+d.ID.String())
	c.JSON(http.StatusCreated, newInquiryDetailJSON(d))
}

func (h *handlers) listInquiries(c *gin.Context) {
	q, v := queryParams(c, "status", "product", "limit", "cursor")
	f := trade.InquiryFilter{Status: q.Get("status"), Product: uuidParam(q.Get("product"), "product", v), Cursor: q.Get("cursor"),
		Limit: intParam(q, "limit", "must be an integer from 1 to 100", v)}
	if err := v.Err(); err != nil {
		respondError(c, errs.AsQuery(err))
		return
	}
	page, err := h.trade.Inquiries(c.Request.Context(), principalFrom(c), f)
	if err != nil {
		respondError(c, err)
		return
	}
	items := make([]inquiryJSON, len(page.Items))
	for i, inq := range page.Items {
		items[i] = newInquiryJSON(inq)
	}
	replyList(c, items, optional(page.NextCursor))
}

func (h *handlers) getInquiry(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	d, err := h.trade.Inquiry(c.Request.Context(), principalFrom(c), id)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, newInquiryDetailJSON(d))
}

func (h *handlers) postInquiryMessage(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	var req messageRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	m, err := h.trade.PostMessage(c.Request.Context(), principalFrom(c), id, req.Body)
	if err != nil {
		respondError(c, err)
		return
	}
	c.Header("Location", "/v1/inquiries/"+id.String())
	c.JSON(http.StatusCreated, newMessageJSON(m))
}

func (h *handlers) quoteInquiry(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	var req quoteRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	q, err := h.trade.QuoteInquiry(c.Request.Context(), principalFrom(c), id, req.input())
	if err != nil {
		respondError(c, err)
		return
	}
	c.Header("Location", "/v1/quotes/"+q.ID.String())
	c.JSON(http.StatusCreated, newQuoteJSON(q))
}

func (h *handlers) closeInquiry(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	var req reasonRequest
	if err := bindOptional(c, &req); err != nil {
		respondError(c, err)
		return
	}
	d, err := h.trade.CloseInquiry(c.Request.Context(), principalFrom(c), id, req.Reason)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, newInquiryDetailJSON(d))
}

// ---------------------------------------------------------------------------
// Quotes

func (h *handlers) getQuote(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	q, err := h.trade.Quote(c.Request.Context(), principalFrom(c), id)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, newQuoteJSON(q))
}

func (h *handlers) declineQuote(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	var req reasonRequest
	if err := bindOptional(c, &req); err != nil {
		respondError(c, err)
		return
	}
	q, err := h.trade.DeclineQuote(c.Request.Context(), principalFrom(c), id, req.Reason)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, newQuoteJSON(q))
}

// ---------------------------------------------------------------------------
// RFQs

func (h *handlers) createRFQ(c *gin.Context) {
	var req rfqRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	in := trade.RFQInput{Category: req.Category, CreativeIndustry: req.CreativeIndustry, Region: req.Region, Cluster: req.Cluster,
		Province: req.Province, Quantity: req.Quantity, Unit: req.Unit, Description: req.Description,
		TargetPrice: priceInput(req.TargetPrice), DestinationCountry: req.DestinationCountry, ClosesOn: req.ClosesOn}
	d, err := h.trade.CreateRFQ(c.Request.Context(), principalFrom(c), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.Header("Location", "/v1/rfqs/"+d.ID.String())
	c.JSON(http.StatusCreated, rfqDetailJSON{rfqJSON: newRFQJSON(d.RFQ), Quotes: newQuotesJSON(d.Quotes)})
}

func (h *handlers) listRFQs(c *gin.Context) {
	q, v := queryParams(c, "status", "limit", "cursor")
	f := trade.RFQFilter{Status: q.Get("status"), Cursor: q.Get("cursor"), Limit: intParam(q, "limit", "must be an integer from 1 to 100", v)}
	if err := v.Err(); err != nil {
		respondError(c, errs.AsQuery(err))
		return
	}
	page, err := h.trade.RFQs(c.Request.Context(), principalFrom(c), f)
	if err != nil {
		respondError(c, err)
		return
	}
	items := make([]rfqJSON, len(page.Items))
	for i, r := range page.Items {
		items[i] = newRFQJSON(r)
	}
	replyList(c, items, optional(page.NextCursor))
}

func (h *handlers) getRFQ(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	q, v := queryParams(c, "sort")
	if err := v.Err(); err != nil {
		respondError(c, errs.AsQuery(err))
		return
	}
	d, err := h.trade.RFQ(c.Request.Context(), principalFrom(c), id, trade.QuoteOrder(q.Get("sort")))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, rfqDetailJSON{rfqJSON: newRFQJSON(d.RFQ), Quotes: newQuotesJSON(d.Quotes)})
}

func (h *handlers) quoteRFQ(c *gin.Context) {
	id, err := pathUUID(c, "id")
	if err != nil {
		respondError(c, err)
		return
	}
	var req rfqQuoteRequest
	if err := bindJSON(c, &req); err != nil {
		respondError(c, err)
		return
	}
	productID, err := bodyUUID(req.ProductID, "product_id")
	if err != nil {
		respondError(c, err)
		return
	}
	in := req.input()
	in.ProductID = productID
	quote, err := h.trade.QuoteRFQ(c.Request.Context(), principalFrom(c), id, in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.Header("Location", "/v1/quotes/"+quote.ID.String())
	c.JSON(http.StatusCreated, newQuoteJSON(quote))
}
