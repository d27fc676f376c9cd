-- +goose Up
-- The audit log records every state-changing action of staff and producers.
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

-- +goose Down
DROP TABLE audit_log;
