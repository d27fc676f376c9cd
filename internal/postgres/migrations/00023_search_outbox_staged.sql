-- +goose Up
-- Engines that can hold documents hidden (catalog.Stager: the embedded one)
-- index a product when it is submitted for review, so that its approval
-- only shows it. The outbox therefore also carries the changes of the
-- products under review: entering that state, changing in it and leaving
-- it. An engine that does not stage deletes their ids, as it did when a
-- published product went back to review.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION search_outbox_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO search_outbox (product_id) VALUES (OLD.id);
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.stock IS DISTINCT FROM OLD.stock
       AND to_jsonb(NEW) - 'stock' - 'version' = to_jsonb(OLD) - 'stock' - 'version' THEN
        IF NEW.status = 'published' THEN
            PERFORM pg_notify('otop_catalog', NEW.id::text);
        END IF;
        RETURN NEW;
    END IF;
    -- A draft edited in private stays out of the index. Published rows and
    -- rows under review, and rows leaving either state, are enqueued.
    IF NEW.status IN ('published', 'pending_review')
       OR (TG_OP = 'UPDATE' AND OLD.status IN ('published', 'pending_review')) THEN
        INSERT INTO search_outbox (product_id) VALUES (NEW.id);
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION search_outbox_product_parts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO search_outbox (product_id)
            SELECT id FROM products WHERE status IN ('published', 'pending_review')
                AND id IN (SELECT product_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO search_outbox (product_id)
            SELECT id FROM products WHERE status IN ('published', 'pending_review')
                AND id IN (SELECT product_id FROM old_rows);
    ELSE
        INSERT INTO search_outbox (product_id)
            SELECT id FROM products WHERE status IN ('published', 'pending_review')
                AND id IN (SELECT product_id FROM new_rows UNION SELECT product_id FROM old_rows);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION search_outbox_producer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.name_th IS DISTINCT FROM OLD.name_th OR NEW.name_en IS DISTINCT FROM OLD.name_en THEN
        INSERT INTO search_outbox (product_id)
            SELECT id FROM products WHERE producer_id = NEW.id
                AND status IN ('published', 'pending_review');
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION search_outbox_producer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.name_th IS DISTINCT FROM OLD.name_th OR NEW.name_en IS DISTINCT FROM OLD.name_en THEN
        INSERT INTO search_outbox (product_id)
            SELECT id FROM products WHERE producer_id = NEW.id AND status = 'published';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION search_outbox_product_parts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO search_outbox (product_id)
            SELECT id FROM products WHERE status = 'published' AND id IN (SELECT product_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO search_outbox (product_id)
            SELECT id FROM products WHERE status = 'published' AND id IN (SELECT product_id FROM old_rows);
    ELSE
        INSERT INTO search_outbox (product_id)
            SELECT id FROM products WHERE status = 'published'
                AND id IN (SELECT product_id FROM new_rows UNION SELECT product_id FROM old_rows);
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION search_outbox_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO search_outbox (product_id) VALUES (OLD.id);
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.stock IS DISTINCT FROM OLD.stock
       AND to_jsonb(NEW) - 'stock' - 'version' = to_jsonb(OLD) - 'stock' - 'version' THEN
        IF NEW.status = 'published' THEN
            PERFORM pg_notify('otop_catalog', NEW.id::text);
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.status = 'published' OR (TG_OP = 'UPDATE' AND OLD.status = 'published') THEN
        INSERT INTO search_outbox (product_id) VALUES (NEW.id);
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
