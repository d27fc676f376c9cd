-- +goose Up
-- Staff lists and exports of every status, newest first, walked the whole
-- table for each page: the newest-first indexes were for published products only.
CREATE INDEX products_newest_idx ON products (created_at DESC, id DESC);

-- +goose Down
DROP INDEX products_newest_idx;
