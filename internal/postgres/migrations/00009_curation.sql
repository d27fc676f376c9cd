-- +goose Up
-- Curation: the Select centers' review of products, the verification of what
-- producers claim (certificates, OTOP stars), the published version a
-- resubmission is compared with, an append-only audit log and the
-- notifications feed.

-- Who decided last, and when (approve or reject). reviewed_at also tells a
-- resubmission from a first submission.
ALTER TABLE products
    ADD COLUMN reviewed_by       uuid REFERENCES users (id),
    ADD COLUMN reviewed_at       timestamptz,
    -- The OTOP star rating is a claim until a curator verifies it.
    ADD COLUMN stars_verification text NOT NULL DEFAULT 'unverified'
        CHECK (stars_verification IN ('unverified', 'verified', 'disputed')),
    ADD COLUMN stars_verified_by uuid REFERENCES users (id),
    ADD COLUMN stars_verified_at timestamptz,
    ADD COLUMN stars_note        text NOT NULL DEFAULT '' CHECK (char_length(stars_note) <= 2000),
    ADD CONSTRAINT products_stars_verified_rated CHECK (stars_verification = 'unverified' OR otop_stars IS NOT NULL),
    ADD CONSTRAINT products_topotop_published CHECK (NOT topotop OR status IN ('published', 'pending_review'));

ALTER TABLE product_certifications
    ADD COLUMN verification text NOT NULL DEFAULT 'unverified'
        CHECK (verification IN ('unverified', 'verified', 'disputed')),
    ADD COLUMN verified_by  uuid REFERENCES users (id),
    ADD COLUMN verified_at  timestamptz,
    ADD COLUMN verification_note text NOT NULL DEFAULT '' CHECK (char_length(verification_note) <= 2000),
    ADD CONSTRAINT product_certifications_verified_by CHECK ((verification = 'unverified') = (verified_at IS NULL));

-- The review queues: pending products of a center (or of all), oldest submission first.
CREATE INDEX products_queue_center_idx ON products (select_center_id, submitted_at, id) WHERE status = 'pending_review';
CREATE INDEX products_queue_idx ON products (submitted_at, id) WHERE status = 'pending_review';

-- The public fields of a product as last published, so that a resubmission
-- can be reviewed as a list of changes.
CREATE TABLE product_published_versions (
    product_id   uuid PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    fields       jsonb NOT NULL CHECK (jsonb_typeof(fields) = 'object'),
    published_at timestamptz NOT NULL
);

-- The audit log of migration 00001 was never written to; it is replaced by
-- one shaped after what the API shows.
DROP TABLE audit_log;

-- The audit log: one row for every state change of a product, producer,
-- certificate or account role, written in the transaction of the change.
-- select_center_id is the center the entity belonged to, for curators' scope.
CREATE TABLE audit_log (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity_type      text NOT NULL CHECK (entity_type IN ('product', 'producer', 'certification', 'user')),
    entity_id        uuid NOT NULL,
    select_center_id text,
    action           text NOT NULL CHECK (char_length(action) BETWEEN 1 AND 64),
    actor_id         uuid,
    actor_role       text NOT NULL CHECK (actor_role IN ('producer', 'importer', 'curator', 'admin', 'system')),
    before           jsonb NOT NULL DEFAULT '{}'::jsonb,
    after            jsonb NOT NULL DEFAULT '{}'::jsonb,
    reason           text NOT NULL DEFAULT '',
    request_id       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX audit_log_newest_idx ON audit_log (created_at DESC, id DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_id, created_at DESC, id DESC);
CREATE INDEX audit_log_center_idx ON audit_log (select_center_id, created_at DESC, id DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, created_at DESC, id DESC);
CREATE INDEX audit_log_decisions_idx ON audit_log (select_center_id, created_at) WHERE action IN ('approve', 'reject');

-- Append-only, whoever connects: PostgreSQL itself refuses to change or
-- remove a row, so no code path (nor a hand-typed statement) can rewrite history.
-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Notifications: a general feed per user (producers now; importers and
-- orders later). dedupe_key makes a recurring job's notice idempotent.
CREATE TABLE notifications (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (char_length(kind) BETWEEN 1 AND 64),
    subject_type text NOT NULL CHECK (char_length(subject_type) BETWEEN 1 AND 32),
    subject_id   uuid NOT NULL,
    data         jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(data) = 'object'),
    dedupe_key   text,
    read_at      timestamptz,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT notifications_dedupe UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id, created_at DESC, id DESC) WHERE read_at IS NULL;

-- +goose Down
DROP TABLE notifications;
DROP TRIGGER audit_log_no_truncate ON audit_log;
DROP TRIGGER audit_log_no_update_delete ON audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE audit_log;
CREATE TABLE audit_log (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    actor_id     uuid,
    action       text NOT NULL CHECK (action <> ''),
    subject_type text NOT NULL CHECK (subject_type <> ''),
    subject_id   uuid,
    details      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject_type, subject_id, occurred_at DESC);
CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at DESC, id DESC);
DROP TABLE product_published_versions;
DROP INDEX products_queue_idx;
DROP INDEX products_queue_center_idx;
ALTER TABLE product_certifications
    DROP CONSTRAINT product_certifications_verified_by,
    DROP COLUMN verification_note, DROP COLUMN verified_at, DROP COLUMN verified_by, DROP COLUMN verification;
ALTER TABLE products
    DROP CONSTRAINT products_topotop_published, DROP CONSTRAINT products_stars_verified_rated,
    DROP COLUMN stars_note, DROP COLUMN stars_verified_at, DROP COLUMN stars_verified_by,
    DROP COLUMN stars_verification, DROP COLUMN reviewed_at, DROP COLUMN reviewed_by;
