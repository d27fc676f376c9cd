-- +goose Up
-- The search outbox: every change that can affect what the search index
-- shows of a product adds a row here, in the same transaction as the change
-- (triggers, so no code path can forget). The indexer drains it in id
-- order, re-reads each product's current state and upserts or deletes it
-- in the engine, and deletes the rows only after the engine confirmed.
CREATE TABLE search_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id      uuid NOT NULL,
    enqueued_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_error      text
);
CREATE INDEX search_outbox_due_idx ON search_outbox (next_attempt_at, id);

-- +goose StatementBegin
CREATE FUNCTION search_outbox_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO search_outbox (product_id) VALUES (OLD.id);
        RETURN OLD;
    END IF;
    -- Only changes of the public state matter: a draft edited in private
    -- stays out of the index. Published rows, and rows leaving or entering
    -- the published state, are enqueued.
    IF NEW.status = 'published' OR (TG_OP = 'UPDATE' AND OLD.status = 'published') THEN
        INSERT INTO search_outbox (product_id) VALUES (NEW.id);
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION search_outbox_product_part() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pid uuid;
BEGIN
    IF TG_OP = 'DELETE' THEN pid := OLD.product_id; ELSE pid := NEW.product_id; END IF;
    INSERT INTO search_outbox (product_id)
        SELECT id FROM products WHERE id = pid AND status = 'published';
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION search_outbox_producer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.name_th IS DISTINCT FROM OLD.name_th OR NEW.name_en IS DISTINCT FROM OLD.name_en THEN
        INSERT INTO search_outbox (product_id)
            SELECT id FROM products WHERE producer_id = NEW.id AND status = 'published';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER products_search_outbox AFTER INSERT OR UPDATE OR DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION search_outbox_product();
CREATE TRIGGER product_images_search_outbox AFTER INSERT OR UPDATE OR DELETE ON product_images
    FOR EACH ROW EXECUTE FUNCTION search_outbox_product_part();
CREATE TRIGGER product_certifications_search_outbox AFTER INSERT OR UPDATE OR DELETE ON product_certifications
    FOR EACH ROW EXECUTE FUNCTION search_outbox_product_part();
CREATE TRIGGER producers_search_outbox AFTER UPDATE ON producers
    FOR EACH ROW EXECUTE FUNCTION search_outbox_producer();

-- +goose Down
DROP TRIGGER producers_search_outbox ON producers;
DROP TRIGGER product_certifications_search_outbox ON product_certifications;
DROP TRIGGER product_images_search_outbox ON product_images;
DROP TRIGGER products_search_outbox ON products;
DROP FUNCTION search_outbox_producer();
DROP FUNCTION search_outbox_product_part();
DROP FUNCTION search_outbox_product();
DROP TABLE search_outbox;
