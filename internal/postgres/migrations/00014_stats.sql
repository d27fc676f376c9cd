-- +goose Up
-- Statistics by region, cluster, province and Select center, kept exact by
-- the transactions that change the catalogue and the trade: triggers on
-- products, product_certifications, producers, orders and inquiries write
-- signed deltas into counter tables in the same transaction. The stats
-- routes sum a few thousand counter rows instead of grouping every product.
--
-- The counters are append-only: a change inserts rows and never updates one,
-- so two transactions never wait for each other on a counter (a hot province
-- or an import running next to a curator's approvals would otherwise queue
-- behind one row, or deadlock). serve compacts them (one row per key) in the
-- background; a sum is the same before and after.

-- Product counts per province, Select center and status. facet says what
-- is counted: 'status' (every product), and for published products
-- 'category', 'creative_industry' (value: the id), 'topotop', 'stars'
-- (stars_sum: the verified stars), 'published_month' (value: YYYY-MM),
-- and the last day it is certified on at three scales, 'certified_year'
-- (YYYY, or 'never'), 'certified_month' (YYYY-MM) and 'certified_day'
-- (YYYY-MM-DD): a product is certified today when that year is later than
-- this one (or 'never'), or that month later in this year, or that day later
-- in this month (or today); a request reads a few rows per province,
-- whatever the number of days certificates run to.
CREATE TABLE stats_products (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    facet            text COLLATE "C" NOT NULL,
    value            text COLLATE "C" NOT NULL,
    province_code    text NOT NULL,
    select_center_id text NOT NULL,
    status           text NOT NULL,
    n                bigint NOT NULL,
    stars_sum        bigint NOT NULL DEFAULT 0
);
-- A stats request reads a range of values of each facet: the months of the
-- series, the years after this one, the months left in this year and the
-- days left in this month.
CREATE INDEX stats_products_facet_idx ON stats_products (facet, value);

-- Each producer's number of published products, for the counts of
-- producers with at least one.
CREATE TABLE stats_producer_state (
    producer_id        uuid PRIMARY KEY,
    province_code      text NOT NULL,
    kind               text NOT NULL,
    enterprise_level   smallint NOT NULL,
    published_products integer NOT NULL CHECK (published_products >= 0)
);

-- Producer counts per province, kind, enterprise level and whether they
-- have a published product.
CREATE TABLE stats_producers (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    province_code    text NOT NULL,
    kind             text NOT NULL,
    enterprise_level smallint NOT NULL,
    published        boolean NOT NULL,
    n                bigint NOT NULL
);

-- Inquiries (by created_at) and orders that are not cancelled (by
-- placed_at), with the orders' totals in each currency orders may be in
-- (one column each, as orders.currency allows), per month (its first day,
-- UTC), province of the producer and Select center: the monthly series.
CREATE TABLE stats_trade (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    month            date NOT NULL,
    province_code    text NOT NULL,
    select_center_id text NOT NULL,
    inquiries        bigint NOT NULL,
    orders           bigint NOT NULL,
    thb_minor        bigint NOT NULL,
    usd_minor        bigint NOT NULL,
    eur_minor        bigint NOT NULL,
    cny_minor        bigint NOT NULL,
    jpy_minor        bigint NOT NULL
);
CREATE INDEX stats_trade_month_idx ON stats_trade (month);

-- The same by destination country, over the 24 months of the series: every
-- inquiry or order counts in the row of its month and in the row of all
-- months (month NULL), and the months of the series are all of them less
-- those before it. Compaction folds the months long past into one row per
-- key, so that a request reads three rows per key, not 25.
CREATE TABLE stats_trade_countries (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    month               date,
    province_code       text NOT NULL,
    select_center_id    text NOT NULL,
    destination_country text NOT NULL,
    inquiries           bigint NOT NULL,
    orders              bigint NOT NULL,
    thb_minor           bigint NOT NULL,
    usd_minor           bigint NOT NULL,
    eur_minor           bigint NOT NULL,
    cny_minor           bigint NOT NULL,
    jpy_minor           bigint NOT NULL
);
CREATE INDEX stats_trade_countries_month_idx ON stats_trade_countries (month);

-- What one product counts for: its place, status and, when it is
-- published, what the published catalogue is counted by.
CREATE TYPE stats_product_fact AS (
    producer_id       uuid,
    province_code     text,
    select_center_id  text,
    status            text,
    category          text,
    creative_industry text,
    topotop           boolean,
    stars             smallint, -- OTOP stars verified by a curator
    published_month   text,     -- YYYY-MM (UTC) of published_at
    certified_until   date      -- the last day it holds a verified certificate ('infinity': one never expires)
);

-- The columns of a certificate that decide whether its product is certified.
CREATE TYPE stats_certificate AS (product_id uuid, position smallint, expires_on date, verification text);

-- An inquiry or an order counted in (or, with negative counts, out of) the
-- trade counters.
CREATE TYPE stats_trade_event AS (
    month date, province_code text, select_center_id text, destination_country text, inquiries bigint, orders bigint,
    thb_minor bigint, usd_minor bigint, eur_minor bigint, cny_minor bigint, jpy_minor bigint);

-- +goose StatementBegin
CREATE FUNCTION stats_certified_until(product uuid) RETURNS date LANGUAGE sql STABLE AS $$
    SELECT max(coalesce(expires_on, 'infinity'::date)) FROM product_certifications
    WHERE product_id = product AND verification = 'verified'
$$;

-- The fact of product p, certified until the day until (NULL: not certified).
CREATE FUNCTION stats_product_fact(p products, until date) RETURNS stats_product_fact LANGUAGE sql STABLE AS $$
    SELECT ROW(p.producer_id, p.province_code, p.select_center_id, p.status, p.category, p.creative_industry, p.topotop,
        CASE WHEN p.status = 'published' AND p.stars_verification = 'verified' THEN p.otop_stars END,
        CASE WHEN p.status = 'published' THEN to_char(p.published_at AT TIME ZONE 'UTC', 'YYYY-MM') END,
        CASE WHEN p.status = 'published' THEN until END)::stats_product_fact
$$;

-- The counter rows (facet, value, stars) one product adds.
CREATE FUNCTION stats_product_facets(s stats_product_fact) RETURNS TABLE (facet text, value text, stars bigint)
LANGUAGE sql STABLE AS $$
    SELECT 'status', '', 0::bigint
    UNION ALL SELECT 'category', s.category, 0 WHERE s.status = 'published'
    UNION ALL SELECT 'creative_industry', s.creative_industry, 0 WHERE s.status = 'published' AND s.creative_industry IS NOT NULL
    UNION ALL SELECT 'topotop', '', 0 WHERE s.status = 'published' AND s.topotop
    UNION ALL SELECT 'stars', '', s.stars WHERE s.stars IS NOT NULL
    UNION ALL SELECT 'published_month', s.published_month, 0 WHERE s.published_month IS NOT NULL
    UNION ALL SELECT 'certified_year',
        CASE WHEN s.certified_until = 'infinity' THEN 'never' ELSE to_char(s.certified_until::timestamp, 'YYYY') END, 0
        WHERE s.certified_until IS NOT NULL
    UNION ALL SELECT 'certified_month', to_char(s.certified_until::timestamp, 'YYYY-MM'), 0
        WHERE s.certified_until IS NOT NULL AND s.certified_until <> 'infinity'
    UNION ALL SELECT 'certified_day', to_char(s.certified_until::timestamp, 'YYYY-MM-DD'), 0
        WHERE s.certified_until IS NOT NULL AND s.certified_until <> 'infinity'
$$;

-- stats_count_products counts products going from the facts gone to the
-- facts came: their difference goes into stats_products and, for producers
-- whose number of published products leaves or reaches zero, into
-- stats_producers.
CREATE FUNCTION stats_count_products(came stats_product_fact[], gone stats_product_fact[]) RETURNS void LANGUAGE sql AS $$
    WITH diff AS (
        SELECT 1 AS sign, c::stats_product_fact AS s FROM unnest(came) c
        UNION ALL SELECT -1, g::stats_product_fact FROM unnest(gone) g),
    counted AS (
        INSERT INTO stats_products (facet, value, province_code, select_center_id, status, n, stars_sum)
        SELECT f.facet, f.value, (d.s).province_code, (d.s).select_center_id, (d.s).status, sum(d.sign), sum(d.sign * f.stars)
        FROM diff d CROSS JOIN LATERAL stats_product_facets(d.s) f
        GROUP BY 1, 2, 3, 4, 5
        HAVING sum(d.sign) <> 0 OR sum(d.sign * f.stars) <> 0),
    flipped AS (
        UPDATE stats_producer_state ps SET published_products = ps.published_products + d.delta
        FROM (SELECT (s).producer_id, sum(sign) AS delta FROM diff WHERE (s).status = 'published'
              GROUP BY 1 HAVING sum(sign) <> 0) d
        WHERE ps.producer_id = d.producer_id
        RETURNING ps.province_code, ps.kind, ps.enterprise_level,
                  ps.published_products > 0 AS now_published, ps.published_products - d.delta > 0 AS was_published)
    INSERT INTO stats_producers (province_code, kind, enterprise_level, published, n)
    SELECT f.province_code, f.kind, f.enterprise_level, x.published, sum(x.n)
    FROM flipped f CROSS JOIN LATERAL (VALUES (f.now_published, 1), (f.was_published, -1)) x (published, n)
    WHERE f.now_published <> f.was_published
    GROUP BY 1, 2, 3, 4
$$;
-- +goose StatementEnd

-- Products: statement triggers with transition tables, so that an import of
-- many rows is counted in one pass; an update is looked at only where it
-- changes what is counted (not stock, prices or texts). A product's
-- certificates are read while they are still there: a product being
-- deleted is counted out row by row before its certificates go with it.
-- +goose StatementBegin
CREATE FUNCTION stats_products_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    came stats_product_fact[];
    gone stats_product_fact[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        came := ARRAY(SELECT stats_product_fact(n::products, CASE WHEN n.status = 'published' THEN stats_certified_until(n.id) END)
                      FROM new_rows n);
    ELSE
        SELECT array_agg(stats_product_fact(n::products, u.until)), array_agg(stats_product_fact(o::products, u.until))
        INTO came, gone
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        CROSS JOIN LATERAL (SELECT CASE WHEN n.status = 'published' OR o.status = 'published'
                                        THEN stats_certified_until(n.id) END AS until OFFSET 0) u
        WHERE (n.producer_id, n.province_code, n.select_center_id, n.status, n.category, n.creative_industry,
               n.topotop, n.otop_stars, n.stars_verification, n.published_at)
              IS DISTINCT FROM
              (o.producer_id, o.province_code, o.select_center_id, o.status, o.category, o.creative_industry,
               o.topotop, o.otop_stars, o.stars_verification, o.published_at);
    END IF;
    IF cardinality(came) > 0 THEN
        PERFORM stats_count_products(came, coalesce(gone, '{}'));
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION stats_product_deleting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_count_products('{}', ARRAY[stats_product_fact(OLD,
        CASE WHEN OLD.status = 'published' THEN stats_certified_until(OLD.id) END)]);
    RETURN OLD;
END $$;
-- +goose StatementEnd
CREATE TRIGGER stats_products_insert AFTER INSERT ON products
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_products_changed();
CREATE TRIGGER stats_products_update AFTER UPDATE ON products
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_products_changed();
CREATE TRIGGER stats_products_delete BEFORE DELETE ON products
    FOR EACH ROW EXECUTE FUNCTION stats_product_deleting();

-- Certificates change whether a published product is certified: its
-- certified_until before the statement (the certificates now, less those
-- that came, plus those that went) and after. The catalogue changes them in
-- the transaction that updates (and so locks) their product; the lock taken
-- here makes other writers of a product's certificates, and of the product,
-- wait, so that each counts from what the one before left.
-- +goose StatementBegin
CREATE FUNCTION stats_count_certificates(came stats_certificate[], gone stats_certificate[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    ids    uuid[];
    after  stats_product_fact[];
    before stats_product_fact[];
BEGIN
    ids := ARRAY(SELECT product_id FROM unnest(came) UNION SELECT product_id FROM unnest(gone));
    PERFORM 1 FROM products WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
    SELECT array_agg(stats_product_fact(p, a.until)), array_agg(stats_product_fact(p, b.until))
    INTO after, before
    FROM products p
    CROSS JOIN LATERAL (SELECT stats_certified_until(p.id) AS until) a
    CROSS JOIN LATERAL (
        SELECT max(coalesce(x.expires_on, 'infinity'::date)) AS until FROM (
            SELECT c.position, c.expires_on, c.verification FROM product_certifications c WHERE c.product_id = p.id
            EXCEPT ALL SELECT n.position, n.expires_on, n.verification FROM unnest(came) n WHERE n.product_id = p.id
            UNION ALL SELECT o.position, o.expires_on, o.verification FROM unnest(gone) o WHERE o.product_id = p.id) x
        WHERE x.verification = 'verified') b
    WHERE p.id = ANY (ids) AND p.status = 'published' AND a.until IS DISTINCT FROM b.until;
    IF cardinality(after) > 0 THEN
        PERFORM stats_count_products(after, before);
    END IF;
END $$;
CREATE FUNCTION stats_certifications_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM stats_count_certificates(
            ARRAY(SELECT ROW(product_id, position, expires_on, verification)::stats_certificate FROM new_rows), '{}');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM stats_count_certificates('{}',
            ARRAY(SELECT ROW(product_id, position, expires_on, verification)::stats_certificate FROM old_rows));
    ELSE
        PERFORM stats_count_certificates(
            ARRAY(SELECT ROW(product_id, position, expires_on, verification)::stats_certificate FROM new_rows),
            ARRAY(SELECT ROW(product_id, position, expires_on, verification)::stats_certificate FROM old_rows));
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER stats_certifications_insert AFTER INSERT ON product_certifications
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_certifications_changed();
CREATE TRIGGER stats_certifications_update AFTER UPDATE ON product_certifications
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_certifications_changed();
CREATE TRIGGER stats_certifications_delete AFTER DELETE ON product_certifications
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_certifications_changed();

-- Producers: their kind and enterprise level (and, were it ever changed,
-- province) move their count between keys.
-- +goose StatementBegin
CREATE FUNCTION stats_producers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        WITH put AS (
            INSERT INTO stats_producer_state (producer_id, province_code, kind, enterprise_level, published_products)
            SELECT id, province_code, kind, enterprise_level, 0 FROM new_rows
            RETURNING province_code, kind, enterprise_level)
        INSERT INTO stats_producers (province_code, kind, enterprise_level, published, n)
        SELECT province_code, kind, enterprise_level, false, count(*) FROM put GROUP BY 1, 2, 3;
    ELSIF TG_OP = 'DELETE' THEN
        WITH gone AS (
            DELETE FROM stats_producer_state WHERE producer_id IN (SELECT id FROM old_rows)
            RETURNING province_code, kind, enterprise_level, published_products > 0 AS published)
        INSERT INTO stats_producers (province_code, kind, enterprise_level, published, n)
        SELECT province_code, kind, enterprise_level, published, -count(*) FROM gone GROUP BY 1, 2, 3, 4;
    ELSE
        WITH changed AS (
            SELECT n.id, n.province_code, n.kind, n.enterprise_level,
                   o.province_code AS old_province, o.kind AS old_kind, o.enterprise_level AS old_level
            FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.province_code, n.kind, n.enterprise_level) IS DISTINCT FROM (o.province_code, o.kind, o.enterprise_level)),
        moved AS (
            UPDATE stats_producer_state ps SET province_code = c.province_code, kind = c.kind, enterprise_level = c.enterprise_level
            FROM changed c WHERE ps.producer_id = c.id
            RETURNING c.province_code, c.kind, c.enterprise_level, c.old_province, c.old_kind, c.old_level,
                      ps.published_products > 0 AS published)
        INSERT INTO stats_producers (province_code, kind, enterprise_level, published, n)
        SELECT x.province_code, x.kind, x.enterprise_level, m.published, sum(x.n)
        FROM moved m CROSS JOIN LATERAL (VALUES (m.province_code, m.kind, m.enterprise_level, 1),
                                                (m.old_province, m.old_kind, m.old_level, -1)) x (province_code, kind, enterprise_level, n)
        GROUP BY 1, 2, 3, 4
        HAVING sum(x.n) <> 0;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER stats_producers_insert AFTER INSERT ON producers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_producers_changed();
CREATE TRIGGER stats_producers_update AFTER UPDATE ON producers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_producers_changed();
CREATE TRIGGER stats_producers_delete AFTER DELETE ON producers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_producers_changed();

-- Orders and inquiries: the rows going out count -1, the rows coming in +1;
-- an update that changes nothing counted cancels out and writes nothing.
-- +goose StatementBegin
-- stats_count_trade counts trade events (sign +1 or -1): into the month,
-- and by destination into the month and all months.
CREATE FUNCTION stats_count_trade(ev stats_trade_event[]) RETURNS void LANGUAGE sql AS $$
    WITH e AS (SELECT * FROM unnest(ev)),
    monthly AS (
        INSERT INTO stats_trade (month, province_code, select_center_id, inquiries, orders,
                                 thb_minor, usd_minor, eur_minor, cny_minor, jpy_minor)
        SELECT month, province_code, select_center_id, sum(inquiries), sum(orders),
               sum(thb_minor), sum(usd_minor), sum(eur_minor), sum(cny_minor), sum(jpy_minor)
        FROM e GROUP BY 1, 2, 3
        HAVING (sum(inquiries), sum(orders), sum(thb_minor), sum(usd_minor), sum(eur_minor), sum(cny_minor), sum(jpy_minor))
            <> (0, 0, 0, 0, 0, 0, 0))
    INSERT INTO stats_trade_countries (month, province_code, select_center_id, destination_country, inquiries, orders,
                                       thb_minor, usd_minor, eur_minor, cny_minor, jpy_minor)
    SELECT m.month, e.province_code, e.select_center_id, e.destination_country, sum(e.inquiries), sum(e.orders),
           sum(e.thb_minor), sum(e.usd_minor), sum(e.eur_minor), sum(e.cny_minor), sum(e.jpy_minor)
    FROM e CROSS JOIN LATERAL (VALUES (e.month), (NULL::date)) m (month)
    GROUP BY 1, 2, 3, 4
    HAVING (sum(e.inquiries), sum(e.orders), sum(e.thb_minor), sum(e.usd_minor), sum(e.eur_minor), sum(e.cny_minor), sum(e.jpy_minor))
        <> (0, 0, 0, 0, 0, 0, 0)
$$;
CREATE FUNCTION stats_count_orders(came orders[], gone orders[]) RETURNS void LANGUAGE sql AS $$
    SELECT stats_count_trade(ARRAY(
        SELECT ROW(date_trunc('month', o.placed_at AT TIME ZONE 'UTC')::date, pr.province_code, o.select_center_id,
                   o.destination_country::text, 0, o.sign,
                   CASE WHEN o.currency = 'THB' THEN o.sign * o.total_minor ELSE 0 END,
                   CASE WHEN o.currency = 'USD' THEN o.sign * o.total_minor ELSE 0 END,
                   CASE WHEN o.currency = 'EUR' THEN o.sign * o.total_minor ELSE 0 END,
                   CASE WHEN o.currency = 'CNY' THEN o.sign * o.total_minor ELSE 0 END,
                   CASE WHEN o.currency = 'JPY' THEN o.sign * o.total_minor ELSE 0 END)::stats_trade_event
        FROM (SELECT 1 AS sign, c.producer_id, c.select_center_id, c.placed_at, c.destination_country, c.currency, c.total_minor
              FROM unnest(came) c WHERE c.status <> 'cancelled'
              UNION ALL
              SELECT -1, g.producer_id, g.select_center_id, g.placed_at, g.destination_country, g.currency, g.total_minor
              FROM unnest(gone) g WHERE g.status <> 'cancelled') o
        JOIN producers pr ON pr.id = o.producer_id))
$$;
CREATE FUNCTION stats_count_inquiries(came inquiries[], gone inquiries[]) RETURNS void LANGUAGE sql AS $$
    SELECT stats_count_trade(ARRAY(
        SELECT ROW(date_trunc('month', i.created_at AT TIME ZONE 'UTC')::date, pr.province_code, i.select_center_id,
                   i.destination_country::text, i.sign, 0, 0, 0, 0, 0, 0)::stats_trade_event
        FROM (SELECT 1 AS sign, c.producer_id, c.select_center_id, c.created_at, c.destination_country FROM unnest(came) c
              UNION ALL
              SELECT -1, g.producer_id, g.select_center_id, g.created_at, g.destination_country FROM unnest(gone) g) i
        JOIN producers pr ON pr.id = i.producer_id))
$$;
CREATE FUNCTION stats_orders_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM stats_count_orders(ARRAY(SELECT n::orders FROM new_rows n), '{}');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM stats_count_orders('{}', ARRAY(SELECT o::orders FROM old_rows o));
    ELSE
        PERFORM stats_count_orders(ARRAY(SELECT n::orders FROM new_rows n), ARRAY(SELECT o::orders FROM old_rows o));
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION stats_inquiries_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM stats_count_inquiries(ARRAY(SELECT n::inquiries FROM new_rows n), '{}');
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM stats_count_inquiries('{}', ARRAY(SELECT o::inquiries FROM old_rows o));
    ELSE
        PERFORM stats_count_inquiries(ARRAY(SELECT n::inquiries FROM new_rows n), ARRAY(SELECT o::inquiries FROM old_rows o));
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER stats_orders_insert AFTER INSERT ON orders
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_orders_changed();
CREATE TRIGGER stats_orders_update AFTER UPDATE ON orders
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_orders_changed();
CREATE TRIGGER stats_orders_delete AFTER DELETE ON orders
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_orders_changed();
CREATE TRIGGER stats_inquiries_insert AFTER INSERT ON inquiries
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_inquiries_changed();
CREATE TRIGGER stats_inquiries_update AFTER UPDATE ON inquiries
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_inquiries_changed();
CREATE TRIGGER stats_inquiries_delete AFTER DELETE ON inquiries
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION stats_inquiries_changed();

-- What is already there is counted once, as the triggers would have.
INSERT INTO stats_producer_state (producer_id, province_code, kind, enterprise_level, published_products)
SELECT pr.id, pr.province_code, pr.kind, pr.enterprise_level,
       (SELECT count(*) FROM products p WHERE p.producer_id = pr.id AND p.status = 'published')
FROM producers pr;
INSERT INTO stats_producers (province_code, kind, enterprise_level, published, n)
SELECT province_code, kind, enterprise_level, published_products > 0, count(*) FROM stats_producer_state GROUP BY 1, 2, 3, 4;
INSERT INTO stats_products (facet, value, province_code, select_center_id, status, n, stars_sum)
SELECT f.facet, f.value, (s.fact).province_code, (s.fact).select_center_id, (s.fact).status, count(*), sum(f.stars)
FROM (SELECT stats_product_fact(p, CASE WHEN p.status = 'published' THEN stats_certified_until(p.id) END) AS fact FROM products p) s
CROSS JOIN LATERAL stats_product_facets(s.fact) f
GROUP BY 1, 2, 3, 4, 5;
SELECT stats_count_orders(ARRAY(SELECT o FROM orders o), '{}');
SELECT stats_count_inquiries(ARRAY(SELECT i FROM inquiries i), '{}');

-- +goose Down
DROP TRIGGER stats_inquiries_delete ON inquiries;
DROP TRIGGER stats_inquiries_update ON inquiries;
DROP TRIGGER stats_inquiries_insert ON inquiries;
DROP TRIGGER stats_orders_delete ON orders;
DROP TRIGGER stats_orders_update ON orders;
DROP TRIGGER stats_orders_insert ON orders;
DROP TRIGGER stats_producers_delete ON producers;
DROP TRIGGER stats_producers_update ON producers;
DROP TRIGGER stats_producers_insert ON producers;
DROP TRIGGER stats_certifications_delete ON product_certifications;
DROP TRIGGER stats_certifications_update ON product_certifications;
DROP TRIGGER stats_certifications_insert ON product_certifications;
DROP TRIGGER stats_products_delete ON products;
DROP TRIGGER stats_products_update ON products;
DROP TRIGGER stats_products_insert ON products;
DROP FUNCTION stats_inquiries_changed();
DROP FUNCTION stats_orders_changed();
DROP FUNCTION stats_count_inquiries(inquiries[], inquiries[]);
DROP FUNCTION stats_count_orders(orders[], orders[]);
DROP FUNCTION stats_count_trade(stats_trade_event[]);
DROP FUNCTION stats_producers_changed();
DROP FUNCTION stats_certifications_changed();
DROP FUNCTION stats_count_certificates(stats_certificate[], stats_certificate[]);
DROP FUNCTION stats_product_deleting();
DROP FUNCTION stats_products_changed();
DROP FUNCTION stats_count_products(stats_product_fact[], stats_product_fact[]);
DROP FUNCTION stats_product_facets(stats_product_fact);
DROP FUNCTION stats_product_fact(products, date);
DROP FUNCTION stats_certified_until(uuid);
DROP TYPE stats_trade_event;
DROP TYPE stats_certificate;
DROP TYPE stats_product_fact;
DROP TABLE stats_trade_countries;
DROP TABLE stats_trade;
DROP TABLE stats_producers;
DROP TABLE stats_producer_state;
DROP TABLE stats_products;
