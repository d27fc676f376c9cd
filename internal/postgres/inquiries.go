package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/trade"
)

var _ trade.InquiryStore = (*Trade)(nil)

// Every change of an inquiry, an RFQ or a quote locks the inquiry or RFQ
// row first (SELECT ... FOR UPDATE), then the quote's: two changes of one
// inquiry (two quotes, a message while it closes, a decline while a quote
// is accepted) run one after the other and see each other's result. Their
// times are taken after the lock (clock_timestamp(), not the transaction's
// start), so a thread reads in the order its changes were made.

// tradeDate is a date as the date columns take it: a calendar day, whatever
// the session's time zone.
func tradeDate(t time.Time) string { return t.Format(time.DateOnly) }

func tradeDatePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	d := tradeDate(*t)
	return &d
}

func tradeMoney(minor *int64, currency *string) *trade.Money {
	if minor == nil || currency == nil {
		return nil
	}
	return &trade.Money{AmountMinor: *minor, Currency: *currency}
}

func moneyColumns(m *trade.Money) (*int64, *string) {
	if m == nil {
		return nil, nil
	}
	return &m.AmountMinor, &m.Currency
}

// ---------------------------------------------------------------------------
// Products and producers as the trade reads them

type tradeProductRow struct {
	ID               uuid.UUID
	Status           string
	NameEN           string `gorm:"column:name_en"`
	NameTH           string `gorm:"column:name_th"`
	MOQ              *int   `gorm:"column:moq"`
	Unit             *string
	ProducerID       uuid.UUID `gorm:"column:producer_id"`
	ProducerUserID   uuid.UUID `gorm:"column:producer_user_id"`
	SelectCenterID   string    `gorm:"column:select_center_id"`
	Category         string
	CreativeIndustry *string `gorm:"column:creative_industry"`
	Region           string
	ClusterID        *string `gorm:"column:cluster_id"`
	ProvinceCode     string  `gorm:"column:province_code"`
}

// TradeProduct reads a product with its producer's user.
func (t *Trade) TradeProduct(ctx context.Context, id uuid.UUID) (trade.TradeProduct, error) {
	var rows []tradeProductRow
	err := t.db.WithContext(ctx).Raw(`SELECT p.id, p.status, p.name_en, p.name_th, p.moq, p.unit, p.producer_id,
			pr.user_id AS producer_user_id, p.select_center_id, p.category, p.creative_industry, p.region, p.cluster_id,
			p.province_code
		FROM products p JOIN producers pr ON pr.id = p.producer_id WHERE p.id = ?`, id).Scan(&rows).Error
	if err != nil {
		return trade.TradeProduct{}, translate(err, "read product")
	}
	if len(rows) == 0 {
		return trade.TradeProduct{}, fmt.Errorf("product %s: %w", id, errs.ErrNotFound)
	}
	r := rows[0]
	return trade.TradeProduct{ID: r.ID, Status: catalog.Status(r.Status), NameEN: r.NameEN, NameTH: r.NameTH, MOQ: r.MOQ,
		Unit: deref(r.Unit), ProducerID: r.ProducerID, ProducerUserID: r.ProducerUserID, SelectCenterID: r.SelectCenterID,
		Category: r.Category, CreativeIndustry: deref(r.CreativeIndustry), Region: r.Region, ClusterID: deref(r.ClusterID),
		ProvinceCode: r.ProvinceCode}, nil
}

// ProducerOfUser returns the id of a user's producer profile.
func (t *Trade) ProducerOfUser(ctx context.Context, userID uuid.UUID) (uuid.UUID, error) {
	var ids []uuid.UUID
	if err := t.db.WithContext(ctx).Raw("SELECT id FROM producers WHERE user_id = ?", userID).Scan(&ids).Error; err != nil {
		return uuid.Nil, translate(err, "read producer")
	}
	if len(ids) == 0 {
		return uuid.Nil, fmt.Errorf("producer of user %s: %w", userID, errs.ErrNotFound)
	}
	return ids[0], nil
}

// ---------------------------------------------------------------------------
// Inquiries

// inquirySelect reads inquiries with their product's names and the user of
// their producer.
const inquirySelect = `SELECT i.id, i.importer_id, i.product_id, i.producer_id, i.select_center_id, i.status, i.quantity,
		i.unit, i.target_price_minor, i.target_currency, i.incoterm, i.destination_country, i.wanted_by, i.created_at,
		i.updated_at, i.version, p.name_en AS product_name_en, p.name_th AS product_name_th, pr.user_id AS producer_user_id
	FROM inquiries i JOIN products p ON p.id = i.product_id JOIN producers pr ON pr.id = i.producer_id`

type inquiryRow struct {
	ID                 uuid.UUID
	ImporterID         uuid.UUID `gorm:"column:importer_id"`
	ProductID          uuid.UUID `gorm:"column:product_id"`
	ProducerID         uuid.UUID `gorm:"column:producer_id"`
	SelectCenterID     string    `gorm:"column:select_center_id"`
	Status             string
	Quantity           int
	Unit               string
	TargetPriceMinor   *int64  `gorm:"column:target_price_minor"`
	TargetCurrency     *string `gorm:"column:target_currency"`
	Incoterm           string
	DestinationCountry string     `gorm:"column:destination_country"`
	WantedBy           *time.Time `gorm:"column:wanted_by"`
	CreatedAt          time.Time  `gorm:"column:created_at"`
	UpdatedAt          time.Time  `gorm:"column:updated_at"`
	Version            int
	ProductNameEN      string    `gorm:"column:product_name_en"`
	ProductNameTH      string    `gorm:"column:product_name_th"`
	ProducerUserID     uuid.UUID `gorm:"column:producer_user_id"`
}

func (r inquiryRow) domain() trade.Inquiry {
	return trade.Inquiry{ID: r.ID, ImporterID: r.ImporterID, ProductID: r.ProductID, ProducerID: r.ProducerID,
		SelectCenterID: r.SelectCenterID, Status: r.Status, Quantity: r.Quantity, Unit: r.Unit,
		TargetPrice: tradeMoney(r.TargetPriceMinor, r.TargetCurrency), Incoterm: r.Incoterm,
		DestinationCountry: r.DestinationCountry, WantedBy: dateOnly(r.WantedBy), CreatedAt: r.CreatedAt.UTC(),
		UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
		Product:        trade.ProductSummary{ID: r.ProductID, NameEN: r.ProductNameEN, NameTH: r.ProductNameTH},
		ProducerUserID: r.ProducerUserID}
}

func readInquiry(db *gorm.DB, id uuid.UUID, lock bool) (trade.Inquiry, error) {
	query := inquirySelect + " WHERE i.id = ?"
	if lock {
		query += " FOR UPDATE OF i"
	}
	var rows []inquiryRow
	if err := db.Raw(query, id).Scan(&rows).Error; err != nil {
		return trade.Inquiry{}, translate(err, "read inquiry")
	}
	if len(rows) == 0 {
		return trade.Inquiry{}, fmt.Errorf("inquiry %s: %w", id, errs.ErrNotFound)
	}
	return rows[0].domain(), nil
}

// CreateInquiry writes an inquiry, its first message and its effects.
func (t *Trade) CreateInquiry(ctx context.Context, inq trade.Inquiry, first trade.Message, fx trade.Effects) error {
	return t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// The product is read again under a share lock: one unpublished
		// since the service checked it takes no inquiry.
		var status []string
		if err := tx.Raw("SELECT status FROM products WHERE id = ? FOR SHARE", inq.ProductID).Scan(&status).Error; err != nil {
			return translate(err, "lock inquired product")
		}
		if len(status) != 1 || status[0] != string(catalog.StatusPublished) {
			return fmt.Errorf("product %s: %w", inq.ProductID, errs.ErrNotFound)
		}
		minor, currency := moneyColumns(inq.TargetPrice)
		err := tx.Exec(`INSERT INTO inquiries (id, importer_id, product_id, producer_id, select_center_id, status, quantity,
				unit, target_price_minor, target_currency, incoterm, destination_country, wanted_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::date)`,
			inq.ID, inq.ImporterID, inq.ProductID, inq.ProducerID, inq.SelectCenterID, inq.Status, inq.Quantity, inq.Unit,
			minor, currency, inq.Incoterm, inq.DestinationCountry, tradeDatePtr(inq.WantedBy)).Error
		if err != nil {
			return translate(err, "write inquiry")
		}
		if err := insertMessage(tx, first); err != nil {
			return err
		}
		return writeTradeEffects(tx, fx)
	})
}

// Inquiry reads one inquiry.
func (t *Trade) Inquiry(ctx context.Context, id uuid.UUID) (trade.Inquiry, error) {
	return readInquiry(t.db.WithContext(ctx), id, false)
}

type messageRow struct {
	ID         uuid.UUID
	InquiryID  uuid.UUID `gorm:"column:inquiry_id"`
	AuthorID   uuid.UUID `gorm:"column:author_id"`
	AuthorRole string    `gorm:"column:author_role"`
	Body       string
	CreatedAt  time.Time `gorm:"column:created_at"`
}

func insertMessage(tx *gorm.DB, m trade.Message) error {
	err := tx.Exec(`INSERT INTO inquiry_messages (id, inquiry_id, author_id, author_role, body, created_at)
		VALUES (?, ?, ?, ?, ?, clock_timestamp())`, m.ID, m.InquiryID, m.AuthorID, m.AuthorRole, m.Body).Error
	return translate(err, "write message")
}

// Thread returns an inquiry's messages and quotes, oldest first.
func (t *Trade) Thread(ctx context.Context, id uuid.UUID) ([]trade.Message, []trade.Quote, error) {
	db := t.db.WithContext(ctx)
	var rows []messageRow
	err := db.Raw(`SELECT id, inquiry_id, author_id, author_role, body, created_at FROM inquiry_messages
		WHERE inquiry_id = ? ORDER BY created_at, id`, id).Scan(&rows).Error
	if err != nil {
		return nil, nil, translate(err, "read messages")
	}
	msgs := make([]trade.Message, len(rows))
	for i, r := range rows {
		msgs[i] = trade.Message{ID: r.ID, InquiryID: r.InquiryID, AuthorID: r.AuthorID, AuthorRole: r.AuthorRole,
			Body: r.Body, CreatedAt: r.CreatedAt.UTC()}
	}
	quotes, err := readQuotes(db, "q.inquiry_id = ? ORDER BY q.created_at, q.id", id)
	if err != nil {
		return nil, nil, err
	}
	return msgs, quotes, nil
}

// ListInquiries returns up to q.Limit inquiries matching q, newest first
// (the inquiries_*_idx indexes).
func (t *Trade) ListInquiries(ctx context.Context, q trade.InquiryQuery) ([]trade.Inquiry, error) {
	query, args := inquirySelect+" WHERE true", []any{}
	for _, f := range []struct {
		cond  string
		value any
		set   bool
	}{
		{" AND i.importer_id = ?", q.ImporterID, q.ImporterID != uuid.Nil},
		{" AND i.producer_id = ?", q.ProducerID, q.ProducerID != uuid.Nil},
		{" AND i.select_center_id = ?", q.SelectCenter, q.SelectCenter != ""},
		{" AND i.status = ?", q.Status, q.Status != ""},
		{" AND i.product_id = ?", q.ProductID, q.ProductID != uuid.Nil},
	} {
		if f.set {
			query, args = query+f.cond, append(args, f.value)
		}
	}
	if q.After != nil {
		id, err := uuid.Parse(q.After.ID)
		if err != nil {
			return nil, fmt.Errorf("inquiries cursor id: %w", err)
		}
		query, args = query+" AND (i.created_at, i.id) < (?, ?)", append(args, q.After.At, id)
	}
	query, args = query+" ORDER BY i.created_at DESC, i.id DESC LIMIT ?", append(args, q.Limit)
	var rows []inquiryRow
	if err := t.db.WithContext(ctx).Raw(query, args...).Scan(&rows).Error; err != nil {
		return nil, translate(err, "list inquiries")
	}
	out := make([]trade.Inquiry, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// ChangeInquiry locks an inquiry, asks change what to write and writes it,
// with its effects, in one transaction.
func (t *Trade) ChangeInquiry(ctx context.Context, id uuid.UUID, change func(trade.InquiryState) (trade.InquiryChange, error)) error {
	return t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		inq, err := readInquiry(tx, id, true)
		if err != nil {
			return err
		}
		st := trade.InquiryState{Inquiry: inq}
		err = tx.Raw(`SELECT (SELECT count(*) FROM inquiry_messages WHERE inquiry_id = ?),
				(SELECT count(*) FROM quotes WHERE inquiry_id = ?)`, id, id).Row().Scan(&st.Messages, &st.Quotes)
		if err != nil {
			return translate(err, "count thread")
		}
		ch, err := change(st)
		if err != nil {
			return err
		}
		if ch.Status != "" || ch.Message != nil || ch.Quote != nil {
			err := tx.Exec(`UPDATE inquiries SET status = COALESCE(?, status), updated_at = clock_timestamp(), version = version + 1
				WHERE id = ?`, nullable(ch.Status), id).Error
			if err != nil {
				return translate(err, "update inquiry")
			}
		}
		if ch.Message != nil {
			if err := insertMessage(tx, *ch.Message); err != nil {
				return err
			}
		}
		if ch.Quote != nil {
			if err := insertQuote(tx, *ch.Quote); err != nil {
				return err
			}
		}
		return writeTradeEffects(tx, ch.Effects)
	})
}

// ---------------------------------------------------------------------------
// Quotes

// quoteSelect reads quotes with their producer, their product and the
// importer they are for. The Select center of an inquiry's quote is the
// inquiry's; of an RFQ's, its product's.
const quoteSelect = `SELECT q.id, q.inquiry_id, q.rfq_id, q.producer_id, q.product_id, q.status, q.unit_price_minor,
		q.currency, q.min_quantity, q.incoterm, q.lead_time_days, q.valid_until, q.note, q.created_at, q.updated_at,
		q.version, pr.user_id AS producer_user_id, pr.name_en AS producer_name_en, pr.name_th AS producer_name_th,
		pr.province_code AS producer_province_code, p.name_en AS product_name_en, p.name_th AS product_name_th,
		COALESCE(i.importer_id, r.importer_id) AS importer_id,
		COALESCE(i.select_center_id, p.select_center_id) AS select_center_id
	FROM quotes q JOIN producers pr ON pr.id = q.producer_id JOIN products p ON p.id = q.product_id
		LEFT JOIN inquiries i ON i.id = q.inquiry_id LEFT JOIN rfqs r ON r.id = q.rfq_id`

type quoteRow struct {
	ID                   uuid.UUID
	InquiryID            *uuid.UUID `gorm:"column:inquiry_id"`
	RFQID                *uuid.UUID `gorm:"column:rfq_id"`
	ProducerID           uuid.UUID  `gorm:"column:producer_id"`
	ProductID            uuid.UUID  `gorm:"column:product_id"`
	Status               string
	UnitPriceMinor       int64 `gorm:"column:unit_price_minor"`
	Currency             string
	MinQuantity          int `gorm:"column:min_quantity"`
	Incoterm             string
	LeadTimeDays         int       `gorm:"column:lead_time_days"`
	ValidUntil           time.Time `gorm:"column:valid_until"`
	Note                 string
	CreatedAt            time.Time `gorm:"column:created_at"`
	UpdatedAt            time.Time `gorm:"column:updated_at"`
	Version              int
	ProducerUserID       uuid.UUID `gorm:"column:producer_user_id"`
	ProducerNameEN       string    `gorm:"column:producer_name_en"`
	ProducerNameTH       string    `gorm:"column:producer_name_th"`
	ProducerProvinceCode string    `gorm:"column:producer_province_code"`
	ProductNameEN        string    `gorm:"column:product_name_en"`
	ProductNameTH        string    `gorm:"column:product_name_th"`
	ImporterID           uuid.UUID `gorm:"column:importer_id"`
	SelectCenterID       string    `gorm:"column:select_center_id"`
}

func (r quoteRow) domain() trade.Quote {
	return trade.Quote{ID: r.ID, InquiryID: derefID(r.InquiryID), RFQID: derefID(r.RFQID), ProducerID: r.ProducerID,
		ProductID: r.ProductID, Status: r.Status, UnitPrice: trade.Money{AmountMinor: r.UnitPriceMinor, Currency: r.Currency},
		MinQuantity: r.MinQuantity, Incoterm: r.Incoterm, LeadTimeDays: r.LeadTimeDays, ValidUntil: *dateOnly(&r.ValidUntil),
		Note: r.Note, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
		Producer: trade.ProducerSummary{ID: r.ProducerID, NameEN: r.ProducerNameEN, NameTH: r.ProducerNameTH,
			ProvinceCode: r.ProducerProvinceCode},
		Product:        trade.ProductSummary{ID: r.ProductID, NameEN: r.ProductNameEN, NameTH: r.ProductNameTH},
		ProducerUserID: r.ProducerUserID, ImporterID: r.ImporterID, SelectCenterID: r.SelectCenterID}
}

// readQuotes reads the quotes of a WHERE clause (with its ORDER BY and any
// locking clause).
func readQuotes(db *gorm.DB, where string, args ...any) ([]trade.Quote, error) {
	var rows []quoteRow
	if err := db.Raw(quoteSelect+" WHERE "+where, args...).Scan(&rows).Error; err != nil {
		return nil, translate(err, "read quotes")
	}
	out := make([]trade.Quote, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

func insertQuote(tx *gorm.DB, q trade.Quote) error {
	err := tx.Exec(`INSERT INTO quotes (id, inquiry_id, rfq_id, producer_id, product_id, status, unit_price_minor, currency,
			min_quantity, incoterm, lead_time_days, valid_until, note, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::date, ?, clock_timestamp(), clock_timestamp())`,
		q.ID, nullableID(q.InquiryID), nullableID(q.RFQID), q.ProducerID, q.ProductID, q.Status, q.UnitPrice.AmountMinor,
		q.UnitPrice.Currency, q.MinQuantity, q.Incoterm, q.LeadTimeDays, tradeDate(q.ValidUntil), q.Note).Error
	return translate(err, "write quote")
}

// Quote reads one quote.
func (t *Trade) Quote(ctx context.Context, id uuid.UUID) (trade.Quote, error) {
	qs, err := readQuotes(t.db.WithContext(ctx), "q.id = ?", id)
	if err != nil {
		return trade.Quote{}, err
	}
	if len(qs) == 0 {
		return trade.Quote{}, fmt.Errorf("quote %s: %w", id, errs.ErrNotFound)
	}
	return qs[0], nil
}

// ChangeQuote locks a quote's inquiry or RFQ, then the quote, asks change
// what to write and writes it, with its effects, in one transaction.
func (t *Trade) ChangeQuote(ctx context.Context, id uuid.UUID, change func(trade.QuoteState) (trade.QuoteChange, error)) error {
	return t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var parent struct {
			InquiryID *uuid.UUID `gorm:"column:inquiry_id"`
			RFQID     *uuid.UUID `gorm:"column:rfq_id"`
		}
		res := tx.Raw("SELECT inquiry_id, rfq_id FROM quotes WHERE id = ?", id).Scan(&parent)
		if res.Error != nil {
			return translate(res.Error, "read quote")
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("quote %s: %w", id, errs.ErrNotFound)
		}
		var st trade.QuoteState
		parentID := derefID(parent.InquiryID)
		if parent.InquiryID != nil {
			inq, err := readInquiry(tx, *parent.InquiryID, true)
			if err != nil {
				return err
			}
			st.Inquiry = &inq
		} else {
			parentID = derefID(parent.RFQID)
			r, err := readRFQ(tx, parentID, true)
			if err != nil {
				return err
			}
			st.RFQ = &r
		}
		qs, err := readQuotes(tx, "q.id = ? FOR UPDATE OF q", id)
		if err != nil {
			return err
		}
		if len(qs) == 0 {
			return fmt.Errorf("quote %s: %w", id, errs.ErrNotFound)
		}
		st.Quote = qs[0]
		err = tx.Raw(`SELECT count(*) FROM quotes WHERE (inquiry_id = ? OR rfq_id = ?) AND id <> ? AND status <> 'declined'`,
			parentID, parentID, id).Row().Scan(&st.OthersAlive)
		if err != nil {
			return translate(err, "count quotes")
		}
		ch, err := change(st)
		if err != nil {
			return err
		}
		if ch.Status != "" {
			err := tx.Exec("UPDATE quotes SET status = ?, updated_at = clock_timestamp(), version = version + 1 WHERE id = ?", ch.Status, id).Error
			if err != nil {
				return translate(err, "update quote")
			}
		}
		if ch.InquiryStatus != "" && st.Inquiry != nil {
			err := tx.Exec("UPDATE inquiries SET status = ?, updated_at = clock_timestamp(), version = version + 1 WHERE id = ?",
				ch.InquiryStatus, st.Inquiry.ID).Error
			if err != nil {
				return translate(err, "update inquiry")
			}
		}
		return writeTradeEffects(tx, ch.Effects)
	})
}

// ---------------------------------------------------------------------------
// RFQs

const rfqSelect = `SELECT r.id, r.importer_id, r.status, r.category, r.creative_industry, r.region, r.cluster_id,
		r.province_code, r.quantity, r.unit, r.description, r.target_price_minor, r.target_currency,
		r.destination_country, r.closes_on, r.created_at, r.updated_at, r.version
	FROM rfqs r`

// rfqMatch holds when the product p matches the RFQ r (as trade.RFQ.Matches).
const rfqMatch = `p.status = 'published' AND p.category = r.category
	AND (r.creative_industry IS NULL OR p.creative_industry = r.creative_industry)
	AND (r.region IS NULL OR p.region = r.region)
	AND (r.cluster_id IS NULL OR p.cluster_id = r.cluster_id)
	AND (r.province_code IS NULL OR p.province_code = r.province_code)`

type rfqRow struct {
	ID                 uuid.UUID
	ImporterID         uuid.UUID `gorm:"column:importer_id"`
	Status             string
	Category           string
	CreativeIndustry   *string `gorm:"column:creative_industry"`
	Region             *string
	ClusterID          *string `gorm:"column:cluster_id"`
	ProvinceCode       *string `gorm:"column:province_code"`
	Quantity           int
	Unit               string
	Description        string
	TargetPriceMinor   *int64    `gorm:"column:target_price_minor"`
	TargetCurrency     *string   `gorm:"column:target_currency"`
	DestinationCountry string    `gorm:"column:destination_country"`
	ClosesOn           time.Time `gorm:"column:closes_on"`
	CreatedAt          time.Time `gorm:"column:created_at"`
	UpdatedAt          time.Time `gorm:"column:updated_at"`
	Version            int
}

func (r rfqRow) domain() trade.RFQ {
	return trade.RFQ{ID: r.ID, ImporterID: r.ImporterID, Status: r.Status, Category: r.Category,
		CreativeIndustry: deref(r.CreativeIndustry), Region: deref(r.Region), ClusterID: deref(r.ClusterID),
		ProvinceCode: deref(r.ProvinceCode), Quantity: r.Quantity, Unit: r.Unit, Description: r.Description,
		TargetPrice: tradeMoney(r.TargetPriceMinor, r.TargetCurrency), DestinationCountry: r.DestinationCountry,
		ClosesOn: *dateOnly(&r.ClosesOn), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version}
}

func readRFQ(db *gorm.DB, id uuid.UUID, lock bool) (trade.RFQ, error) {
	query := rfqSelect + " WHERE r.id = ?"
	if lock {
		query += " FOR UPDATE"
	}
	var rows []rfqRow
	if err := db.Raw(query, id).Scan(&rows).Error; err != nil {
		return trade.RFQ{}, translate(err, "read rfq")
	}
	if len(rows) == 0 {
		return trade.RFQ{}, fmt.Errorf("rfq %s: %w", id, errs.ErrNotFound)
	}
	return rows[0].domain(), nil
}

// CreateRFQ writes an RFQ and its effects.
func (t *Trade) CreateRFQ(ctx context.Context, r trade.RFQ, fx trade.Effects) error {
	return t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		minor, currency := moneyColumns(r.TargetPrice)
		err := tx.Exec(`INSERT INTO rfqs (id, importer_id, status, category, creative_industry, region, cluster_id,
				province_code, quantity, unit, description, target_price_minor, target_currency, destination_country, closes_on)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::date)`,
			r.ID, r.ImporterID, r.Status, r.Category, nullable(r.CreativeIndustry), nullable(r.Region), nullable(r.ClusterID),
			nullable(r.ProvinceCode), r.Quantity, r.Unit, r.Description, minor, currency, r.DestinationCountry,
			tradeDate(r.ClosesOn)).Error
		if err != nil {
			return translate(err, "write rfq")
		}
		return writeTradeEffects(tx, fx)
	})
}

// RFQ reads one RFQ.
func (t *Trade) RFQ(ctx context.Context, id uuid.UUID) (trade.RFQ, error) {
	return readRFQ(t.db.WithContext(ctx), id, false)
}

// ListRFQs returns up to q.Limit RFQs matching q, newest first. A
// producer's list walks the open RFQs (rfqs_open_idx) and keeps those one of
// their published products matches.
func (t *Trade) ListRFQs(ctx context.Context, q trade.RFQQuery) ([]trade.RFQ, error) {
	query, args := rfqSelect+" WHERE true", []any{}
	if q.ImporterID != uuid.Nil {
		query, args = query+" AND r.importer_id = ?", append(args, q.ImporterID)
	}
	if q.Status != "" {
		query, args = query+" AND r.status = ?", append(args, q.Status)
	}
	if q.MatchProducer != uuid.Nil {
		query += ` AND r.status = 'open' AND r.closes_on >= ?::date
			AND EXISTS (SELECT 1 FROM products p WHERE p.producer_id = ? AND ` + rfqMatch + `)`
		args = append(args, tradeDate(q.OpenOn), q.MatchProducer)
	}
	if q.After != nil {
		id, err := uuid.Parse(q.After.ID)
		if err != nil {
			return nil, fmt.Errorf("rfqs cursor id: %w", err)
		}
		query, args = query+" AND (r.created_at, r.id) < (?, ?)", append(args, q.After.At, id)
	}
	query, args = query+" ORDER BY r.created_at DESC, r.id DESC LIMIT ?", append(args, q.Limit)
	var rows []rfqRow
	if err := t.db.WithContext(ctx).Raw(query, args...).Scan(&rows).Error; err != nil {
		return nil, translate(err, "list rfqs")
	}
	out := make([]trade.RFQ, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// RFQQuotes lists an RFQ's quotes, all or one producer's: oldest first, or
// by currency, unit price and id (quotes_rfq_idx).
func (t *Trade) RFQQuotes(ctx context.Context, id, producerID uuid.UUID, order trade.QuoteOrder) ([]trade.Quote, error) {
	where, args := "q.rfq_id = ?", []any{id}
	if producerID != uuid.Nil {
		where, args = where+" AND q.producer_id = ?", append(args, producerID)
	}
	if order == trade.QuotesByPrice {
		where += " ORDER BY q.currency, q.unit_price_minor, q.id"
	} else {
		where += " ORDER BY q.created_at, q.id"
	}
	return readQuotes(t.db.WithContext(ctx), where, args...)
}

// ProducerSeesRFQ reports whether one of the producer's published products
// matches the RFQ, or the producer quoted on it.
func (t *Trade) ProducerSeesRFQ(ctx context.Context, producerID uuid.UUID, r trade.RFQ) (bool, error) {
	var sees bool
	err := t.db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM rfqs r JOIN products p ON p.producer_id = ? AND `+rfqMatch+`
			WHERE r.id = ?)
		OR EXISTS (SELECT 1 FROM quotes WHERE rfq_id = ? AND producer_id = ?)`,
		producerID, r.ID, r.ID, producerID).Row().Scan(&sees)
	return sees, translate(err, "match rfq")
}

// MatchingProducers lists the users of the producers with a published
// product matching r (r need not be stored yet).
func (t *Trade) MatchingProducers(ctx context.Context, r trade.RFQ) ([]uuid.UUID, error) {
	var users []uuid.UUID
	err := t.db.WithContext(ctx).Raw(`WITH r AS (SELECT ?::text AS category, ?::text AS creative_industry, ?::text AS region,
			?::text AS cluster_id, ?::text AS province_code)
		SELECT DISTINCT pr.user_id FROM r JOIN products p ON `+rfqMatch+` JOIN producers pr ON pr.id = p.producer_id
		ORDER BY pr.user_id`,
		r.Category, nullable(r.CreativeIndustry), nullable(r.Region), nullable(r.ClusterID), nullable(r.ProvinceCode)).Scan(&users).Error
	return users, translate(err, "match producers")
}

// ChangeRFQ locks an RFQ, asks change what to write and writes it, with
// its effects, in one transaction.
func (t *Trade) ChangeRFQ(ctx context.Context, id uuid.UUID, change func(trade.RFQState) (trade.RFQChange, error)) error {
	return t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		r, err := readRFQ(tx, id, true)
		if err != nil {
			return err
		}
		st := trade.RFQState{RFQ: r}
		if err := tx.Raw("SELECT count(*) FROM quotes WHERE rfq_id = ?", id).Row().Scan(&st.Quotes); err != nil {
			return translate(err, "count quotes")
		}
		ch, err := change(st)
		if err != nil {
			return err
		}
		if ch.Quote != nil {
			if err := insertQuote(tx, *ch.Quote); err != nil {
				return err
			}
		}
		return writeTradeEffects(tx, ch.Effects)
	})
}
