-- +goose Up
-- Every process caches the public replies of the catalogue (a published
-- product, a page of the public list) and must drop them when they change.
-- The search outbox already receives a row, in the same transaction, for
-- every change of a product's public state (migration 00006), so its inserts
-- are announced on the channel otop_catalog: one notice per product id, or
-- '*' (everything may have changed) when one statement touches more than 64
-- products. Notices are delivered on commit, to every listening session.

-- +goose StatementBegin
CREATE FUNCTION catalog_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT count(DISTINCT product_id) FROM new_rows) > 64 THEN
        PERFORM pg_notify('otop_catalog', '*');
    ELSE
        PERFORM pg_notify('otop_catalog', product_id::text) FROM (SELECT DISTINCT product_id FROM new_rows) changed;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER search_outbox_notify AFTER INSERT ON search_outbox
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION catalog_notify();

-- A published product shows the same to everyone (the rejection reason is
-- for its owner and staff only), so a cached reply can serve every reader.
UPDATE products SET rejection_reason = NULL WHERE status = 'published' AND rejection_reason IS NOT NULL;
ALTER TABLE products ADD CONSTRAINT products_published_no_reason
    CHECK (status <> 'published' OR rejection_reason IS NULL);

-- +goose Down
ALTER TABLE products DROP CONSTRAINT products_published_no_reason;
DROP TRIGGER search_outbox_notify ON search_outbox;
DROP FUNCTION catalog_notify();
