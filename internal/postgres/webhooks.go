package postgres

import (
	"gorm.io/gorm"

	"github.com/otopmarket/otop/internal/webhook"
)

// insertWebhookEvents queues one delivery of each event per subscribed
// endpoint of its recipients. Placeholder until the webhook tables land.
func insertWebhookEvents(tx *gorm.DB, events []webhook.Event) error {
	_, _ = tx, events
	return nil
}
