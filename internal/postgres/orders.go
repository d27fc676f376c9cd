package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bytedance/sonic"
	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/catalog"
	"github.com/otopmarket/otop/internal/errs"
	"github.com/otopmarket/otop/internal/trade"
)

// errReplay ends a placement's transaction when its idempotency key was
// used before: nothing of it is kept, and the first placement is replayed.
var errReplay = errors.New("idempotency key used before")

// PlaceOrders claims the idempotency key, reads and locks what the order
// needs, lets plan decide, and writes the orders, lines, stock and effects
// in one transaction.
func (t *Trade) PlaceOrders(ctx context.Context, key trade.Idempotency, productIDs []uuid.UUID, quoteID uuid.UUID,
	plan func(group uuid.UUID, products map[uuid.UUID]trade.OrderProduct, quote *trade.QuoteTerms) (trade.Plan, error),
) (trade.Placement, error) {
	var out trade.Placement
	var replay uuid.UUID
	err := t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		group := uuid.New()
		claimed, prior, err := claimKey(tx, key, group)
		if err != nil {
			return err
		}
		if !claimed {
			replay = prior
			return errReplay
		}
		var quote *trade.QuoteTerms
		if quoteID != uuid.Nil {
			if quote, err = lockQuote(tx, quoteID); err != nil {
				return err
			}
			if quote != nil {
				productIDs = []uuid.UUID{quote.ProductID}
			}
		}
		products, err := readOrderProducts(tx, productIDs)
		if err != nil {
			return err
		}
		p, err := plan(group, products, quote)
		if err != nil {
			return err
		}
		if err := insertOrders(tx, p.Orders); err != nil {
			return err
		}
		if quote != nil {
			if err := acceptQuote(tx, quote, p.Orders[0].ID); err != nil {
				return err
			}
		}
		if err := writeTradeEffects(tx, p.Effects); err != nil {
			return err
		}
		// Last, so that a product's row is locked only for the commit: orders
		// of one product in stock follow each other that much faster.
		if err := takeStock(tx, p.Orders); err != nil {
			return err
		}
		out = trade.Placement{GroupID: group, Orders: p.Orders}
		return nil
	})
	if errors.Is(err, errReplay) {
		orders, err := t.groupOrders(ctx, replay)
		if err != nil {
			return trade.Placement{}, err
		}
		return trade.Placement{GroupID: replay, Orders: orders, Replayed: true}, nil
	}
	return out, err
}

// claimKey records key for group. A key already held (even by a
// transaction still running, which the insert waits for) is not claimed:
// its group is returned when the request is the same, and a 422 otherwise.
// A key older than the window is taken over.
func claimKey(tx *gorm.DB, key trade.Idempotency, group uuid.UUID) (bool, uuid.UUID, error) {
	var got []struct{ GroupID uuid.UUID }
	err := tx.Raw(`INSERT INTO idempotency_keys (user_id, key, request_hash, group_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, group_id = EXCLUDED.group_id,
			created_at = now()
		WHERE idempotency_keys.created_at < now() - make_interval(secs => ?)
		RETURNING group_id`, key.UserID, key.Key, key.Hash, group, trade.IdempotencyWindow.Seconds()).Scan(&got).Error
	if err != nil {
		return false, uuid.Nil, translate(err, "claim idempotency key")
	}
	if len(got) == 1 {
		return true, uuid.Nil, nil
	}
	var prior struct {
		RequestHash []byte
		GroupID     uuid.UUID
	}
	if err := tx.Raw(`SELECT request_hash, group_id FROM idempotency_keys WHERE user_id = ? AND key = ?`,
		key.UserID, key.Key).Scan(&prior).Error; err != nil {
		return false, uuid.Nil, translate(err, "read idempotency key")
	}
	if !bytes.Equal(prior.RequestHash, key.Hash) {
		return false, uuid.Nil, errs.Invalid("Idempotency-Key",
			"was already used for another request in the last 24 hours; use a new key for a new request")
	}
	return false, prior.GroupID, nil
}

// readOrderProducts reads the products of an order as they are now, with
// the open backlog of those made to order. Nothing is locked: the price is
// the one read, and stock is taken at the end by a conditional update
// (takeStock), which alone decides whether there is enough.
func readOrderProducts(tx *gorm.DB, ids []uuid.UUID) (map[uuid.UUID]trade.OrderProduct, error) {
	out := make(map[uuid.UUID]trade.OrderProduct, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := tx.Raw(`SELECT p.id, p.producer_id, pr.user_id, p.status, p.name_th, p.name_en, coalesce(p.sku, ''),
			coalesce(p.unit, ''), p.price_minor, p.currency, p.price_tiers, p.moq, p.stock, p.lead_time_days,
			p.monthly_capacity, p.select_center_id,
			CASE WHEN p.stock IS NULL THEN (SELECT coalesce(sum(l.quantity), 0) FROM order_lines l
				WHERE l.product_id = p.id AND l.backlog_open) ELSE 0 END
		FROM products p JOIN producers pr ON pr.id = p.producer_id
		WHERE p.id IN ?`, ids).Rows()
	if err != nil {
		return nil, translate(err, "lock order products")
	}
	defer rows.Close() //nolint:errcheck // read-only; rows.Err is checked
	for rows.Next() {
		var (
			p      trade.OrderProduct
			status string
			price  *int64
			tiers  tierList
		)
		var currency string
		if err := rows.Scan(&p.ID, &p.ProducerID, &p.OwnerID, &status, &p.NameTH, &p.NameEN, &p.SKU, &p.Unit,
			&price, &currency, &tiers, &p.MOQ, &p.Stock, &p.LeadTimeDays, &p.MonthlyCapacity, &p.SelectCenterID,
			&p.Backlog); err != nil {
			return nil, translate(err, "read order product")
		}
		p.Status = catalog.Status(status)
		if price != nil {
			p.Price = &catalog.Money{AmountMinor: *price, Currency: currency}
		}
		for _, t := range tiers {
			p.PriceTiers = append(p.PriceTiers, catalog.PriceTier{MinQuantity: t.MinQuantity, AmountMinor: t.AmountMinor})
		}
		out[p.ID] = p
	}
	return out, translate(rows.Err(), "read order products")
}

// lockQuote reads a quote with the request it answers. The inquiry or RFQ
// is locked first, then its quotes: two quotes of one request accepted at
// once are decided one after the other, and the second finds the request
// taken. nil when there is no such quote.
func lockQuote(tx *gorm.DB, id uuid.UUID) (*trade.QuoteTerms, error) {
	var parent struct {
		InquiryID *uuid.UUID
		RFQID     *uuid.UUID `gorm:"column:rfq_id"`
	}
	res := tx.Raw(`SELECT inquiry_id, rfq_id FROM quotes WHERE id = ?`, id).Scan(&parent)
	if res.Error != nil {
		return nil, translate(res.Error, "read quote")
	}
	if res.RowsAffected == 0 {
		return nil, nil
	}
	var q struct {
		ID                 uuid.UUID
		InquiryID          *uuid.UUID
		RFQID              *uuid.UUID `gorm:"column:rfq_id"`
		ImporterID         uuid.UUID
		ProducerID         uuid.UUID
		ProductID          uuid.UUID
		Status             string
		ParentStatus       string
		UnitPriceMinor     int64
		Currency           string
		MinQuantity        int
		Incoterm           string
		LeadTimeDays       int
		ValidUntil         time.Time
		RequestedQuantity  int
		DestinationCountry string
	}
	var err error
	if parent.InquiryID != nil {
		err = tx.Raw(`SELECT q.id, q.inquiry_id, q.rfq_id, i.importer_id, q.producer_id, q.product_id, q.status,
				i.status AS parent_status, q.unit_price_minor, q.currency, q.min_quantity, q.incoterm, q.lead_time_days,
				q.valid_until, i.quantity AS requested_quantity, i.destination_country
			FROM inquiries i JOIN quotes q ON q.inquiry_id = i.id WHERE i.id = ? AND q.id = ?
			FOR UPDATE OF i, q`, *parent.InquiryID, id).Scan(&q).Error
	} else {
		err = tx.Raw(`SELECT q.id, q.inquiry_id, q.rfq_id, r.importer_id, q.producer_id, q.product_id, q.status,
				r.status AS parent_status, q.unit_price_minor, q.currency, q.min_quantity, q.incoterm, q.lead_time_days,
				q.valid_until, r.quantity AS requested_quantity, r.destination_country
			FROM rfqs r JOIN quotes q ON q.rfq_id = r.id WHERE r.id = ? AND q.id = ?
			FOR UPDATE OF r, q`, *parent.RFQID, id).Scan(&q).Error
	}
	if err != nil {
		return nil, translate(err, "lock quote")
	}
	out := &trade.QuoteTerms{
		ID: q.ID, ImporterID: q.ImporterID, ProducerID: q.ProducerID, ProductID: q.ProductID, Status: q.Status,
		UnitPrice: trade.Money{AmountMinor: q.UnitPriceMinor, Currency: q.Currency}, MinQuantity: q.MinQuantity,
		Incoterm: q.Incoterm, LeadTimeDays: q.LeadTimeDays, ValidUntil: q.ValidUntil,
		RequestedQuantity: q.RequestedQuantity, DestinationCountry: strings.TrimSpace(q.DestinationCountry),
	}
	if q.InquiryID != nil {
		out.InquiryID = *q.InquiryID
	}
	if q.RFQID != nil {
		out.RFQID = *q.RFQID
	}
	// A request already decided (accepted, closed) takes no more acceptances.
	if q.Status == "open" && (q.ParentStatus == "accepted" || q.ParentStatus == "closed") {
		out.Status = "no longer open: its request is " + q.ParentStatus
	}
	err = tx.Raw(`SELECT q.id AS quote_id, p.user_id AS producer_user_id FROM quotes q JOIN producers p ON p.id = q.producer_id
		WHERE (q.inquiry_id = ? OR q.rfq_id = ?) AND q.status = 'open' AND q.id <> ? ORDER BY q.id FOR UPDATE OF q`,
		q.InquiryID, q.RFQID, q.ID).Scan(&out.OtherOpen).Error
	return out, translate(err, "lock other quotes")
}

// acceptQuote marks a quote accepted (with its order), declines the other
// open quotes of its request and marks the request accepted.
func acceptQuote(tx *gorm.DB, q *trade.QuoteTerms, orderID uuid.UUID) error {
	if err := tx.Exec(`UPDATE quotes SET status = CASE WHEN id = ? THEN 'accepted' ELSE 'declined' END,
			updated_at = now(), version = version + 1
		WHERE (id = ? OR (inquiry_id = ? OR rfq_id = ?) AND status = 'open')`,
		q.ID, q.ID, nullableID(q.InquiryID), nullableID(q.RFQID)).Error; err != nil {
		return translate(err, "accept quote")
	}
	table, id := "inquiries", q.InquiryID
	if q.InquiryID == uuid.Nil {
		table, id = "rfqs", q.RFQID
	}
	err := tx.Exec(`UPDATE `+table+` SET status = 'accepted', updated_at = now(), version = version + 1 WHERE id = ?`, id).Error
	return translate(err, "accept "+table)
}

// insertOrders writes orders with their lines, in one statement.
func insertOrders(tx *gorm.DB, orders []trade.Order) error {
	var (
		sb   strings.Builder
		args []any
	)
	sb.WriteString(`WITH placed AS (INSERT INTO orders (id, group_id, importer_id, producer_id, select_center_id, quote_id,
		status, currency, total_minor, destination_country, incoterm, note, estimated_ship_on, placed_at, updated_at, version) VALUES `)
	for i, o := range orders {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::date, ?, ?, 1)")
		args = append(args, o.ID, o.GroupID, o.ImporterID, o.ProducerID, o.SelectCenterID, nullableID(o.QuoteID),
			string(o.Status), o.Currency, o.TotalMinor, o.DestinationCountry, o.Incoterm, o.Note, o.EstimatedShipOn,
			o.PlacedAt, o.UpdatedAt)
	}
	sb.WriteString(`) INSERT INTO order_lines (order_id, line_no, product_id, name_th, name_en, sku, unit, quantity,
		unit_price_minor, line_total_minor, from_stock, backlog_open, estimated_ship_on) VALUES `)
	n := 0
	for _, o := range orders {
		for _, l := range o.Lines {
			if n > 0 {
				sb.WriteString(", ")
			}
			n++
			sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::date)")
			args = append(args, o.ID, l.No, l.ProductID, l.NameTH, l.NameEN, nullable(l.SKU), l.Unit, l.Quantity,
				l.UnitPriceMinor, l.LineTotalMinor, l.FromStock, !l.FromStock, l.EstimatedShipOn)
		}
	}
	return translate(tx.Exec(sb.String(), args...).Error, "insert orders")
}

// takeStock lowers the stock of the lines taken from it, product by product
// in id order (so that orders sharing products cannot deadlock), each only
// if enough is left: the row's lock makes the check and the change one.
func takeStock(tx *gorm.DB, orders []trade.Order) error {
	var lines []trade.Line
	for _, o := range orders {
		for _, l := range o.Lines {
			if l.FromStock {
				lines = append(lines, l)
			}
		}
	}
	slices.SortFunc(lines, func(a, b trade.Line) int { return bytes.Compare(a.ProductID[:], b.ProductID[:]) })
	for _, l := range lines {
		res := tx.Exec(`UPDATE products SET stock = stock - ?, version = version + 1
			WHERE id = ? AND status = 'published' AND stock >= ?`, l.Quantity, l.ProductID, l.Quantity)
		if res.Error != nil {
			return translate(res.Error, "take stock")
		}
		if res.RowsAffected == 1 {
			continue
		}
		var left []*int
		if err := tx.Raw(`SELECT stock FROM products WHERE id = ?`, l.ProductID).Scan(&left).Error; err != nil {
			return translate(err, "read stock")
		}
		if len(left) == 1 && left[0] != nil {
			return errs.Newf(errs.ErrConflict, "line %d: only %d %s of %q in stock (available: %d)",
				l.No, *left[0], l.Unit, l.NameEN, *left[0])
		}
		return errs.Newf(errs.ErrConflict, "line %d: %q changed while the order was placed; read it again", l.No, l.NameEN)
	}
	return nil
}

// orderColumns are an order's columns (orders o), its producer's user and
// its lines as JSON. Scalar subqueries rather than joins: PostgreSQL plans
// a list's page for its own values each time, and plans these several
// times faster than the joins.
const orderColumns = `o.id, o.group_id, o.importer_id, o.producer_id,
	(SELECT pr.user_id FROM producers pr WHERE pr.id = o.producer_id), o.select_center_id, o.quote_id,
	o.status, o.currency, o.total_minor, o.destination_country, o.incoterm, o.note, o.estimated_ship_on,
	coalesce(o.carrier, ''), coalesce(o.tracking_number, ''), coalesce(o.cancel_reason, ''), coalesce(o.cancelled_by, ''),
	o.placed_at, o.confirmed_at, o.shipped_at, o.delivered_at, o.cancelled_at, o.updated_at, o.version,
	(SELECT json_agg(json_build_object('line_no', l.line_no, 'product_id', l.product_id, 'name_th', l.name_th,
	     'name_en', l.name_en, 'sku', coalesce(l.sku, ''), 'unit', l.unit, 'quantity', l.quantity,
	     'unit_price_minor', l.unit_price_minor, 'line_total_minor', l.line_total_minor, 'from_stock', l.from_stock,
	     'estimated_ship_on', l.estimated_ship_on) ORDER BY l.line_no)
	   FROM order_lines l WHERE l.order_id = o.id)`

// lineJSON is an order line as orderColumns aggregates it.
type lineJSON struct {
	No              int       `json:"line_no"`
	ProductID       uuid.UUID `json:"product_id"`
	NameTH          string    `json:"name_th"`
	NameEN          string    `json:"name_en"`
	SKU             string    `json:"sku"`
	Unit            string    `json:"unit"`
	Quantity        int       `json:"quantity"`
	UnitPriceMinor  int64     `json:"unit_price_minor"`
	LineTotalMinor  int64     `json:"line_total_minor"`
	FromStock       bool      `json:"from_stock"`
	EstimatedShipOn *string   `json:"estimated_ship_on"`
}

// readOrders reads the orders q selects (orderColumns), with their lines.
func readOrders(tx *gorm.DB, q string, args ...any) ([]trade.Order, error) {
	rows, err := tx.Raw(q, args...).Rows()
	if err != nil {
		return nil, translate(err, "read orders")
	}
	defer rows.Close() //nolint:errcheck // read-only; rows.Err is checked
	var out []trade.Order
	for rows.Next() {
		var (
			o       trade.Order
			quote   *uuid.UUID
			status  string
			country string
			lines   []byte
		)
		if err := rows.Scan(&o.ID, &o.GroupID, &o.ImporterID, &o.ProducerID, &o.ProducerUserID, &o.SelectCenterID, &quote,
			&status, &o.Currency, &o.TotalMinor, &country, &o.Incoterm, &o.Note, &o.EstimatedShipOn,
			&o.Carrier, &o.TrackingNumber, &o.CancelReason, &o.CancelledBy,
			&o.PlacedAt, &o.ConfirmedAt, &o.ShippedAt, &o.DeliveredAt, &o.CancelledAt, &o.UpdatedAt, &o.Version, &lines); err != nil {
			return nil, translate(err, "read order")
		}
		o.Status, o.DestinationCountry = trade.OrderStatus(status), strings.TrimSpace(country)
		if quote != nil {
			o.QuoteID = *quote
		}
		o.PlacedAt, o.UpdatedAt = o.PlacedAt.UTC(), o.UpdatedAt.UTC()
		o.ConfirmedAt, o.ShippedAt, o.DeliveredAt, o.CancelledAt = utcPtr(o.ConfirmedAt), utcPtr(o.ShippedAt), utcPtr(o.DeliveredAt), utcPtr(o.CancelledAt)
		if o.Lines, err = decodeLines(lines); err != nil {
			return nil, fmt.Errorf("order %s: %w", o.ID, err)
		}
		out = append(out, o)
	}
	return out, translate(rows.Err(), "read orders")
}

func decodeLines(b []byte) ([]trade.Line, error) {
	if b == nil {
		return nil, nil
	}
	var ls []lineJSON
	if err := sonic.Unmarshal(b, &ls); err != nil {
		return nil, fmt.Errorf("lines: %w", err)
	}
	out := make([]trade.Line, len(ls))
	for i, l := range ls {
		out[i] = trade.Line{No: l.No, ProductID: l.ProductID, NameTH: l.NameTH, NameEN: l.NameEN, SKU: l.SKU, Unit: l.Unit,
			Quantity: l.Quantity, UnitPriceMinor: l.UnitPriceMinor, LineTotalMinor: l.LineTotalMinor, FromStock: l.FromStock}
		if l.EstimatedShipOn != nil {
			d, err := time.Parse(time.DateOnly, *l.EstimatedShipOn)
			if err != nil {
				return nil, fmt.Errorf("line %d ship date: %w", l.No, err)
			}
			out[i].EstimatedShipOn = &d
		}
	}
	return out, nil
}

func (t *Trade) groupOrders(ctx context.Context, group uuid.UUID) ([]trade.Order, error) {
	return readOrders(t.db.WithContext(ctx), `SELECT `+orderColumns+` FROM orders o
		WHERE o.group_id = ? ORDER BY o.placed_at, o.id`, group)
}

// Order reads one order with its lines.
func (t *Trade) Order(ctx context.Context, id uuid.UUID) (trade.Order, error) {
	orders, err := readOrders(t.db.WithContext(ctx), `SELECT `+orderColumns+` FROM orders o WHERE o.id = ?`, id)
	if err != nil {
		return trade.Order{}, err
	}
	if len(orders) == 0 {
		return trade.Order{}, fmt.Errorf("order %s: %w", id, errs.ErrNotFound)
	}
	return orders[0], nil
}

// Orders reads a page of orders, newest first, after q.After.
func (t *Trade) Orders(ctx context.Context, q trade.OrderQuery) ([]trade.Order, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, arg any) { where = append(where, cond); args = append(args, arg) }
	switch {
	case q.ImporterID != uuid.Nil:
		add("o.importer_id = ?", q.ImporterID)
	case q.ProducerUser != uuid.Nil:
		add("o.producer_id = (SELECT id FROM producers WHERE user_id = ?)", q.ProducerUser)
	case q.SelectCenter != "":
		add("o.select_center_id = ?", q.SelectCenter)
	}
	if q.Status != "" {
		add("o.status = ?", string(q.Status))
	}
	if q.Producer != uuid.Nil {
		add("o.producer_id = ?", q.Producer)
	}
	if q.Group != uuid.Nil {
		add("o.group_id = ?", q.Group)
	}
	if q.After != nil {
		where = append(where, "(o.placed_at, o.id) < (?, ?)")
		args = append(args, q.After.At, q.After.ID)
	}
	page := `SELECT ` + orderColumns + ` FROM orders o`
	if len(where) > 0 {
		page += " WHERE " + strings.Join(where, " AND ")
	}
	page += " ORDER BY o.placed_at DESC, o.id DESC LIMIT ?"
	args = append(args, q.Limit+1)
	return readOrders(t.db.WithContext(ctx), page, args...)
}

// TransitionOrder locks an order, lets change decide its next state, and
// stores it: a cancelled order gives its stock back; a shipped or cancelled
// one leaves the production backlog.
func (t *Trade) TransitionOrder(ctx context.Context, id uuid.UUID, change func(cur trade.Order) (trade.Order, trade.Effects, error)) (trade.Order, error) {
	var out trade.Order
	err := t.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		orders, err := readOrders(tx, `SELECT `+orderColumns+` FROM orders o
			WHERE o.id = ? FOR UPDATE OF o`, id)
		if err != nil {
			return err
		}
		if len(orders) == 0 {
			return fmt.Errorf("order %s: %w", id, errs.ErrNotFound)
		}
		next, fx, err := change(orders[0])
		if err != nil {
			return err
		}
		err = tx.Exec(`UPDATE orders SET status = ?, carrier = ?, tracking_number = ?, cancel_reason = ?, cancelled_by = ?,
				confirmed_at = ?, shipped_at = ?, delivered_at = ?, cancelled_at = ?, updated_at = ?, version = version + 1
			WHERE id = ?`, string(next.Status), nullable(next.Carrier), nullable(next.TrackingNumber), nullable(next.CancelReason),
			nullable(next.CancelledBy), next.ConfirmedAt, next.ShippedAt, next.DeliveredAt, next.CancelledAt, next.UpdatedAt, id).Error
		if err != nil {
			return translate(err, "update order")
		}
		if next.Status == trade.OrderCancelled {
			// Stock goes back to products that still keep stock; one made to
			// order since keeps none.
			err = tx.Exec(`UPDATE products p SET stock = least(p.stock + l.quantity, 1000000000), version = p.version + 1
				FROM order_lines l WHERE l.order_id = ? AND l.from_stock AND p.id = l.product_id AND p.stock IS NOT NULL`, id).Error
			if err != nil {
				return translate(err, "give stock back")
			}
		}
		if next.Status == trade.OrderCancelled || next.Status == trade.OrderShipped {
			if err := tx.Exec(`UPDATE order_lines SET backlog_open = false WHERE order_id = ? AND backlog_open`, id).Error; err != nil {
				return translate(err, "close backlog")
			}
		}
		if err := writeTradeEffects(tx, fx); err != nil {
			return err
		}
		next.Version++
		out = next
		return nil
	})
	return out, err
}

// Parties reads the producer and the importer of an order.
func (t *Trade) Parties(ctx context.Context, o trade.Order) (trade.Parties, error) {
	var out trade.Parties
	var country *string
	err := t.db.WithContext(ctx).Raw(`SELECT pr.name_en, pr.name_th, pr.tambon, pr.amphoe, pr.province_code, pr.phone, pr.email,
			u.display_name, u.email, u.country
		FROM producers pr, users u WHERE pr.id = ? AND u.id = ?`, o.ProducerID, o.ImporterID).Row().Scan(
		&out.SellerNameEN, &out.SellerNameTH, &out.Tambon, &out.Amphoe, &out.ProvinceCode, &out.SellerPhone, &out.SellerEmail,
		&out.BuyerName, &out.BuyerEmail, &country)
	if err != nil {
		return trade.Parties{}, translate(err, "read the parties of an order")
	}
	if country != nil {
		out.BuyerCountry = strings.TrimSpace(*country)
	}
	return out, nil
}
