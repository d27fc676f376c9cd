-- +goose Up
-- A review queue filtered by province, cluster, category, creative industry
-- or resubmission walked its center's whole queue in submission order to
-- find the matching rows (a rare value: all of them). Each filter gets the
-- same order within its value; only pending products are indexed, so these
-- stay small and products outside review never update them.
CREATE INDEX products_queue_province_idx ON products (province_code, submitted_at, id)
    WHERE status = 'pending_review';
CREATE INDEX products_queue_cluster_idx ON products (cluster_id, submitted_at, id)
    WHERE status = 'pending_review';
CREATE INDEX products_queue_category_idx ON products (select_center_id, category, submitted_at, id)
    WHERE status = 'pending_review';
CREATE INDEX products_queue_industry_idx ON products (select_center_id, creative_industry, submitted_at, id)
    WHERE status = 'pending_review';
CREATE INDEX products_queue_resubmitted_idx ON products (select_center_id, submitted_at, id)
    WHERE status = 'pending_review' AND reviewed_at IS NOT NULL;
CREATE INDEX products_queue_first_idx ON products (select_center_id, submitted_at, id)
    WHERE status = 'pending_review' AND reviewed_at IS NULL;

-- +goose Down
DROP INDEX products_queue_first_idx;
DROP INDEX products_queue_resubmitted_idx;
DROP INDEX products_queue_industry_idx;
DROP INDEX products_queue_cluster_idx;
DROP INDEX products_queue_category_idx;
DROP INDEX products_queue_province_idx;
