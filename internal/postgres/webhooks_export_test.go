package postgres

// InsertWebhookEvents is exported for the tests of the webhook outbox.
var InsertWebhookEvents = insertWebhookEvents
