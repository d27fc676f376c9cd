-- +goose Up
-- Catalogue imports run as background jobs. The uploaded files wait in the
-- object store; a job's changes are written in one transaction that also
-- marks it done, so a job is applied entirely or not at all. A job whose
-- lease ran out (its server stopped) is taken again from the start.
CREATE TABLE import_jobs (
    id               uuid PRIMARY KEY,
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role             text NOT NULL,
    select_center_id text NOT NULL DEFAULT '',
    producer_id      uuid REFERENCES producers (id) ON DELETE CASCADE,
    file_name        text NOT NULL,
    file_key         text NOT NULL,
    images_key       text NOT NULL DEFAULT '',
    dry_run          boolean NOT NULL,
    skip_invalid     boolean NOT NULL,
    state            text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    rows_total       integer NOT NULL DEFAULT 0,
    rows_done        integer NOT NULL DEFAULT 0,
    report           jsonb NOT NULL DEFAULT '{}',
    error            text NOT NULL DEFAULT '',
    attempts         integer NOT NULL DEFAULT 0,
    lease_until      timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    finished_at      timestamptz
);
CREATE INDEX import_jobs_pending_idx ON import_jobs (created_at) WHERE state IN ('queued', 'running');
CREATE INDEX import_jobs_user_idx ON import_jobs (user_id, created_at DESC);

-- +goose Down
DROP TABLE import_jobs;
