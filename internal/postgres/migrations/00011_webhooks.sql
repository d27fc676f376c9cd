-- +goose Up
-- Webhooks: the HTTPS endpoints producers and importers register for the
-- trade's events, and the outbox of their deliveries, written in the
-- transaction of the event they report and drained by serve's worker.

-- An endpoint of one user. secret is the HMAC key deliveries are signed
-- with; the API shows it once, when the endpoint is made. events lists the
-- event types wanted (empty: all of them). Deleting an endpoint deletes its
-- delivery log and stops its pending deliveries.
CREATE TABLE webhooks (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    url         text NOT NULL CHECK (char_length(url) BETWEEN 8 AND 2000 AND url ~ '^https?://'),
    events      text[] NOT NULL DEFAULT '{}' CHECK (cardinality(events) <= 64 AND array_position(events, NULL) IS NULL),
    description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 200),
    secret      text NOT NULL CHECK (char_length(secret) BETWEEN 32 AND 128),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT webhooks_user_url UNIQUE (user_id, url)
);
CREATE INDEX webhooks_user_idx ON webhooks (user_id, created_at, id);

-- One delivery of one event to one endpoint. body is the exact JSON sent
-- (and signed again at each attempt). A pending delivery is due at
-- next_attempt_at; a worker that claims it moves next_attempt_at past the
-- attempt (a lease), so a crashed worker's delivery comes due again.
-- first_attempt_at starts the 24 h retry window. A redelivery is a new row
-- with the same event and body.
CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    webhook_id       uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id         uuid NOT NULL,
    event_type       text NOT NULL CHECK (event_type ~ '^[a-z_]{1,32}\.[a-z_]{1,32}$'),
    body             text NOT NULL CHECK (octet_length(body) <= 4194304),
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_status_code smallint CHECK (last_status_code BETWEEN 100 AND 599),
    last_error       text NOT NULL DEFAULT '' CHECK (char_length(last_error) <= 200),
    next_attempt_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    first_attempt_at timestamptz,
    delivered_at     timestamptz,
    redelivery_of    uuid REFERENCES webhook_deliveries (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT webhook_deliveries_delivered CHECK ((status = 'delivered') = (delivered_at IS NOT NULL))
);
-- The owner's log, newest first.
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (webhook_id, created_at DESC, id DESC);
-- The worker's queue: only pending rows, by due time.
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
-- At most one pending delivery of an event per endpoint: a redelivery
-- waits for the one under way.
CREATE UNIQUE INDEX webhook_deliveries_pending_event_idx ON webhook_deliveries (webhook_id, event_id) WHERE status = 'pending';
-- The purge of finished deliveries.
CREATE INDEX webhook_deliveries_finished_idx ON webhook_deliveries (created_at) WHERE status <> 'pending';
CREATE INDEX webhook_deliveries_redelivery_idx ON webhook_deliveries (redelivery_of) WHERE redelivery_of IS NOT NULL;

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
