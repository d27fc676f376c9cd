-- +goose Up
-- Requests to rebuild the search index, for an engine whose index belongs
-- to the serving process (the embedded engine): `otop reindex` inserts a
-- row, the serving process's indexer claims it, rebuilds aside and swaps,
-- and reports progress here; the command follows the row.
CREATE TABLE search_rebuilds (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    requested_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    started_at   timestamptz,
    heartbeat_at timestamptz,
    finished_at  timestamptz,
    documents    integer NOT NULL DEFAULT 0,
    error        text
);
CREATE INDEX search_rebuilds_waiting_idx ON search_rebuilds (id) WHERE started_at IS NULL;

-- +goose Down
DROP TABLE search_rebuilds;
