-- +goose Up
-- The statistics' counters are kept by triggers in the transaction of every
-- product, order and inquiry change (migration 00014). Their helpers were SQL
-- functions, whose statements PostgreSQL (before 18) plans anew at every
-- call; as PL/pgSQL functions their plans are prepared once per session and
-- reused. Same statements, same results.

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_certified_until(product uuid) RETURNS date LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (
    SELECT max(coalesce(expires_on, 'infinity'::date)) FROM product_certifications
    WHERE product_id = product AND verification = 'verified');
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_count_products(came stats_product_fact[], gone stats_product_fact[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
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
    GROUP BY 1, 2, 3, 4;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_count_trade(ev stats_trade_event[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
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
        <> (0, 0, 0, 0, 0, 0, 0);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_count_orders(came orders[], gone orders[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_count_trade(ARRAY(
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
        JOIN producers pr ON pr.id = o.producer_id));
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_count_inquiries(came inquiries[], gone inquiries[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM stats_count_trade(ARRAY(
        SELECT ROW(date_trunc('month', i.created_at AT TIME ZONE 'UTC')::date, pr.province_code, i.select_center_id,
                   i.destination_country::text, i.sign, 0, 0, 0, 0, 0, 0)::stats_trade_event
        FROM (SELECT 1 AS sign, c.producer_id, c.select_center_id, c.created_at, c.destination_country FROM unnest(came) c
              UNION ALL
              SELECT -1, g.producer_id, g.select_center_id, g.created_at, g.destination_country FROM unnest(gone) g) i
        JOIN producers pr ON pr.id = i.producer_id));
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_certified_until(product uuid) RETURNS date LANGUAGE sql STABLE AS $$
    SELECT max(coalesce(expires_on, 'infinity'::date)) FROM product_certifications
    WHERE product_id = product AND verification = 'verified'
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_count_products(came stats_product_fact[], gone stats_product_fact[]) RETURNS void LANGUAGE sql AS $$
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_count_trade(ev stats_trade_event[]) RETURNS void LANGUAGE sql AS $$
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
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_count_orders(came orders[], gone orders[]) RETURNS void LANGUAGE sql AS $$
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
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_count_inquiries(came inquiries[], gone inquiries[]) RETURNS void LANGUAGE sql AS $$
    SELECT stats_count_trade(ARRAY(
        SELECT ROW(date_trunc('month', i.created_at AT TIME ZONE 'UTC')::date, pr.province_code, i.select_center_id,
                   i.destination_country::text, i.sign, 0, 0, 0, 0, 0, 0)::stats_trade_event
        FROM (SELECT 1 AS sign, c.producer_id, c.select_center_id, c.created_at, c.destination_country FROM unnest(came) c
              UNION ALL
              SELECT -1, g.producer_id, g.select_center_id, g.created_at, g.destination_country FROM unnest(gone) g) i
        JOIN producers pr ON pr.id = i.producer_id))
$$;
-- +goose StatementEnd
