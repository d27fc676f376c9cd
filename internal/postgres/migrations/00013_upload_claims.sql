-- +goose Up
-- A presigned upload is claimed by the request completing it, so that two
-- completions at once cannot both process it; a claim older than a few
-- minutes (its request died) may be taken over.
ALTER TABLE image_uploads ADD COLUMN claimed_at timestamptz;
CREATE INDEX image_uploads_open_idx ON image_uploads (product_id, expires_at) WHERE completed_at IS NULL;
CREATE INDEX image_uploads_created_idx ON image_uploads (created_at);

-- +goose Down
DROP INDEX image_uploads_created_idx;
DROP INDEX image_uploads_open_idx;
ALTER TABLE image_uploads DROP COLUMN claimed_at;
