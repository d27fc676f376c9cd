-- +goose Up
-- Trade: inquiries with their message threads and quotes, requests for
-- quotation (RFQs) broadcast to matching producers, orders (one per
-- producer, grouped by group_id) with their lines, and the idempotency keys
-- of order placement. Products gain stock and a producer-scoped SKU.

-- stock: units on hand (NULL: made to order). Orders lower it with a
-- conditional UPDATE, so it can never go below zero. sku: the producer's own
-- reference, unique per producer (imports match on it).
ALTER TABLE products
    ADD COLUMN stock integer CHECK (stock BETWEEN 0 AND 1000000000),
    ADD COLUMN sku text CHECK (sku ~ '^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$');
CREATE UNIQUE INDEX products_producer_sku_idx ON products (producer_id, sku) WHERE sku IS NOT NULL;

-- An order changes only a product's stock (and version, so that ETags
-- follow it): stock is not in the search index, so such an update enqueues
-- nothing (otherwise every order would reindex its products); it only
-- announces the change to the read caches, as the outbox's notices do.
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
    -- Only changes of the public state matter: a draft edited in private
    -- stays out of the index. Published rows, and rows leaving or entering
    -- the published state, are enqueued.
    IF NEW.status = 'published' OR (TG_OP = 'UPDATE' AND OLD.status = 'published') THEN
        INSERT INTO search_outbox (product_id) VALUES (NEW.id);
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

ALTER TABLE audit_log DROP CONSTRAINT audit_log_entity_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_entity_type_check
    CHECK (entity_type IN ('product', 'producer', 'certification', 'user', 'inquiry', 'quote', 'rfq', 'order'));

-- An importer's question about one published product. producer_id and
-- select_center_id are copied from the product so that every list is one
-- index lookup.
CREATE TABLE inquiries (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    importer_id         uuid NOT NULL REFERENCES users (id),
    product_id          uuid NOT NULL REFERENCES products (id),
    producer_id         uuid NOT NULL REFERENCES producers (id),
    select_center_id    text NOT NULL,
    status              text NOT NULL DEFAULT 'open'
                        CHECK (status IN ('open', 'quoted', 'accepted', 'declined', 'closed')),
    quantity            integer NOT NULL CHECK (quantity BETWEEN 1 AND 100000000),
    unit                text NOT NULL CHECK (char_length(unit) BETWEEN 1 AND 16),
    target_price_minor  bigint CHECK (target_price_minor BETWEEN 0 AND 1000000000000),
    target_currency     text CHECK (target_currency IN ('THB', 'USD', 'EUR', 'CNY', 'JPY')),
    incoterm            text NOT NULL CHECK (incoterm IN ('EXW', 'FCA', 'FAS', 'FOB', 'CFR', 'CIF', 'CPT', 'CIP', 'DAP', 'DPU', 'DDP')),
    destination_country char(2) NOT NULL CHECK (destination_country ~ '^[A-Z]{2}$'),
    wanted_by           date,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    CONSTRAINT inquiries_target_price_currency CHECK ((target_price_minor IS NULL) = (target_currency IS NULL))
);
CREATE INDEX inquiries_newest_idx ON inquiries (created_at DESC, id DESC);
CREATE INDEX inquiries_importer_idx ON inquiries (importer_id, created_at DESC, id DESC);
CREATE INDEX inquiries_producer_idx ON inquiries (producer_id, created_at DESC, id DESC);
CREATE INDEX inquiries_center_idx ON inquiries (select_center_id, created_at DESC, id DESC);
CREATE INDEX inquiries_product_idx ON inquiries (product_id);

-- The thread of an inquiry: the importer's first message and every reply.
CREATE TABLE inquiry_messages (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    inquiry_id  uuid NOT NULL REFERENCES inquiries (id) ON DELETE CASCADE,
    author_id   uuid NOT NULL REFERENCES users (id),
    author_role text NOT NULL CHECK (author_role IN ('importer', 'producer', 'curator', 'admin')),
    body        text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inquiry_messages_thread_idx ON inquiry_messages (inquiry_id, created_at, id);

-- A request for quotation, not tied to one product: every producer with a
-- published product matching its category and optional creative industry,
-- region, cluster and province sees it and may quote.
CREATE TABLE rfqs (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    importer_id         uuid NOT NULL REFERENCES users (id),
    status              text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'closed')),
    category            text NOT NULL CHECK (char_length(category) BETWEEN 1 AND 64),
    creative_industry   text CHECK (char_length(creative_industry) BETWEEN 1 AND 64),
    region              text CHECK (region IN ('north', 'northeast', 'central', 'south')),
    cluster_id          text CHECK (char_length(cluster_id) BETWEEN 1 AND 64),
    province_code       text CHECK (province_code ~ '^TH-[0-9]{2}$'),
    quantity            integer NOT NULL CHECK (quantity BETWEEN 1 AND 100000000),
    unit                text NOT NULL CHECK (char_length(unit) BETWEEN 1 AND 16),
    description         text NOT NULL CHECK (char_length(description) BETWEEN 1 AND 5000),
    target_price_minor  bigint CHECK (target_price_minor BETWEEN 0 AND 1000000000000),
    target_currency     text CHECK (target_currency IN ('THB', 'USD', 'EUR', 'CNY', 'JPY')),
    destination_country char(2) NOT NULL CHECK (destination_country ~ '^[A-Z]{2}$'),
    closes_on           date NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    CONSTRAINT rfqs_target_price_currency CHECK ((target_price_minor IS NULL) = (target_currency IS NULL))
);
CREATE INDEX rfqs_newest_idx ON rfqs (created_at DESC, id DESC);
CREATE INDEX rfqs_importer_idx ON rfqs (importer_id, created_at DESC, id DESC);
CREATE INDEX rfqs_open_idx ON rfqs (category, created_at DESC, id DESC) WHERE status = 'open';

-- A producer's offer, on an inquiry or on an RFQ (exactly one of them). A
-- quote names the product it would be ordered as.
CREATE TABLE quotes (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    inquiry_id       uuid REFERENCES inquiries (id),
    rfq_id           uuid REFERENCES rfqs (id),
    producer_id      uuid NOT NULL REFERENCES producers (id),
    product_id       uuid NOT NULL REFERENCES products (id),
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'accepted', 'declined')),
    unit_price_minor bigint NOT NULL CHECK (unit_price_minor BETWEEN 1 AND 1000000000000),
    currency         text NOT NULL CHECK (currency IN ('THB', 'USD', 'EUR', 'CNY', 'JPY')),
    min_quantity     integer NOT NULL CHECK (min_quantity BETWEEN 1 AND 100000000),
    incoterm         text NOT NULL CHECK (incoterm IN ('EXW', 'FCA', 'FAS', 'FOB', 'CFR', 'CIF', 'CPT', 'CIP', 'DAP', 'DPU', 'DDP')),
    lead_time_days   smallint NOT NULL CHECK (lead_time_days BETWEEN 0 AND 365),
    valid_until      date NOT NULL,
    note             text NOT NULL DEFAULT '' CHECK (char_length(note) <= 2000),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    CONSTRAINT quotes_one_parent CHECK ((inquiry_id IS NULL) <> (rfq_id IS NULL))
);
CREATE INDEX quotes_inquiry_idx ON quotes (inquiry_id, created_at, id) WHERE inquiry_id IS NOT NULL;
CREATE INDEX quotes_rfq_idx ON quotes (rfq_id, currency, unit_price_minor, id) WHERE rfq_id IS NOT NULL;
CREATE INDEX quotes_producer_idx ON quotes (producer_id, created_at DESC, id DESC);

-- Orders: one per producer; the lines of several producers placed at once
-- share a group_id. An accepted quote makes exactly one order (quote_id is
-- unique). select_center_id is the center of the order's products' producer.
CREATE TABLE orders (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    group_id            uuid NOT NULL,
    importer_id         uuid NOT NULL REFERENCES users (id),
    producer_id         uuid NOT NULL REFERENCES producers (id),
    select_center_id    text NOT NULL,
    quote_id            uuid UNIQUE REFERENCES quotes (id),
    status              text NOT NULL DEFAULT 'placed'
                        CHECK (status IN ('placed', 'confirmed', 'shipped', 'delivered', 'cancelled')),
    currency            text NOT NULL CHECK (currency IN ('THB', 'USD', 'EUR', 'CNY', 'JPY')),
    total_minor         bigint NOT NULL CHECK (total_minor >= 0),
    destination_country char(2) NOT NULL CHECK (destination_country ~ '^[A-Z]{2}$'),
    incoterm            text NOT NULL CHECK (incoterm IN ('EXW', 'FCA', 'FAS', 'FOB', 'CFR', 'CIF', 'CPT', 'CIP', 'DAP', 'DPU', 'DDP')),
    note                text NOT NULL DEFAULT '' CHECK (char_length(note) <= 2000),
    estimated_ship_on   date,
    carrier             text CHECK (char_length(carrier) BETWEEN 1 AND 100),
    tracking_number     text CHECK (char_length(tracking_number) BETWEEN 1 AND 100),
    cancel_reason       text CHECK (char_length(cancel_reason) BETWEEN 1 AND 2000),
    cancelled_by        text CHECK (cancelled_by IN ('importer', 'producer', 'curator', 'admin')),
    placed_at           timestamptz NOT NULL DEFAULT now(),
    confirmed_at        timestamptz,
    shipped_at          timestamptz,
    delivered_at        timestamptz,
    cancelled_at        timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    CONSTRAINT orders_shipped_has_tracking CHECK (status NOT IN ('shipped', 'delivered') OR (carrier IS NOT NULL AND tracking_number IS NOT NULL)),
    CONSTRAINT orders_cancelled_has_reason CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);
CREATE INDEX orders_newest_idx ON orders (placed_at DESC, id DESC);
CREATE INDEX orders_importer_idx ON orders (importer_id, placed_at DESC, id DESC);
CREATE INDEX orders_producer_idx ON orders (producer_id, placed_at DESC, id DESC);
CREATE INDEX orders_center_idx ON orders (select_center_id, placed_at DESC, id DESC);
CREATE INDEX orders_group_idx ON orders (group_id);

-- The lines of an order, with what was agreed snapshotted: names, unit, unit
-- price. from_stock: the quantity was taken from the product's stock (given
-- back on cancellation). backlog_open: a made-to-order line not yet shipped,
-- counted in its product's production backlog for ship-date estimates.
CREATE TABLE order_lines (
    order_id          uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    line_no           smallint NOT NULL CHECK (line_no >= 1),
    product_id        uuid NOT NULL REFERENCES products (id),
    name_th           text NOT NULL,
    name_en           text NOT NULL,
    sku               text,
    unit              text NOT NULL,
    quantity          integer NOT NULL CHECK (quantity BETWEEN 1 AND 100000000),
    unit_price_minor  bigint NOT NULL CHECK (unit_price_minor >= 0),
    line_total_minor  bigint NOT NULL CHECK (line_total_minor >= 0),
    from_stock        boolean NOT NULL,
    backlog_open      boolean NOT NULL DEFAULT false,
    estimated_ship_on date,
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_lines_product_idx ON order_lines (product_id);
CREATE INDEX order_lines_backlog_idx ON order_lines (product_id) INCLUDE (quantity) WHERE backlog_open;

-- Idempotency keys of order placement and quote acceptance, per user: the
-- same key with the same request replays the orders it made; with another
-- request it is refused. Keys older than 24 hours are forgotten.
CREATE TABLE idempotency_keys (
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash bytea NOT NULL,
    group_id     uuid NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE quotes;
DROP TABLE rfqs;
DROP TABLE inquiry_messages;
DROP TABLE inquiries;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_entity_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_entity_type_check
    CHECK (entity_type IN ('product', 'producer', 'certification', 'user'));
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION search_outbox_product() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO search_outbox (product_id) VALUES (OLD.id);
        RETURN OLD;
    END IF;
    IF NEW.status = 'published' OR (TG_OP = 'UPDATE' AND OLD.status = 'published') THEN
        INSERT INTO search_outbox (product_id) VALUES (NEW.id);
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
DROP INDEX products_producer_sku_idx;
ALTER TABLE products DROP COLUMN sku, DROP COLUMN stock;
