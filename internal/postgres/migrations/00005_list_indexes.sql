-- +goose Up
-- Two filter × sort pairs that walked the sort index for tens of
-- milliseconds at 100k products (see BENCHMARKS.md): a Select center's
-- catalogue by name, and a creative industry by price.
CREATE INDEX products_pub_center_name_idx ON products (select_center_id, name_en, id) WHERE status = 'published';
CREATE INDEX products_pub_creative_price_idx ON products (creative_industry, price_minor, id)
    WHERE status = 'published' AND creative_industry IS NOT NULL;

-- +goose Down
DROP INDEX products_pub_creative_price_idx;
DROP INDEX products_pub_center_name_idx;
