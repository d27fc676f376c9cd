package postgres

import (
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/trade"
)

// Trade is the store of inquiries, quotes, RFQs and orders.
type Trade struct{ db *gorm.DB }

// NewTrade returns the trade store.
func NewTrade(db *gorm.DB) *Trade { return &Trade{db: db} }

// writeTradeEffects writes a trade change's audit rows, notifications and
// webhook deliveries in the change's transaction.
func writeTradeEffects(tx *gorm.DB, fx trade.Effects) error {
	if err := insertAudit(tx, fx.Audit); err != nil {
		return err
	}
	if err := insertNotifications(tx, fx.Notifications); err != nil {
		return err
	}
	return insertWebhookEvents(tx, fx.Events)
}
