-- +goose Up
-- Certificates and photos enqueue their product for search once per
-- statement instead of once per row: an import writes hundreds of
-- certificates in one statement, and each row's lookup of its product
-- cost more than the insert itself. The rows enqueued are the same
-- products, published ones, once each.
DROP TRIGGER product_certifications_search_outbox ON product_certifications;
DROP TRIGGER product_images_search_outbox ON product_images;

-- +goose StatementBegin
CREATE FUNCTION search_outbox_product_parts() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER product_certifications_search_outbox_insert AFTER INSERT ON product_certifications
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_product_parts();
CREATE TRIGGER product_certifications_search_outbox_update AFTER UPDATE ON product_certifications
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_product_parts();
CREATE TRIGGER product_certifications_search_outbox_delete AFTER DELETE ON product_certifications
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_product_parts();
CREATE TRIGGER product_images_search_outbox_insert AFTER INSERT ON product_images
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_product_parts();
CREATE TRIGGER product_images_search_outbox_update AFTER UPDATE ON product_images
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_product_parts();
CREATE TRIGGER product_images_search_outbox_delete AFTER DELETE ON product_images
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_outbox_product_parts();

-- The statistics skip statements of unverified certificates, which count
-- for nothing (an import writes only those).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_count_certificates(came stats_certificate[], gone stats_certificate[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    ids    uuid[];
    after  stats_product_fact[];
    before stats_product_fact[];
BEGIN
    -- Only verified certificates count: a statement of unverified ones (a
    -- producer's claims, an import) changes no figure and locks no product.
    came := ARRAY(SELECT ROW(product_id, position, expires_on, verification)::stats_certificate
                  FROM unnest(came) WHERE verification = 'verified');
    gone := ARRAY(SELECT ROW(product_id, position, expires_on, verification)::stats_certificate
                  FROM unnest(gone) WHERE verification = 'verified');
    IF cardinality(came) = 0 AND cardinality(gone) = 0 THEN
        RETURN;
    END IF;
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
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION stats_count_certificates(came stats_certificate[], gone stats_certificate[]) RETURNS void LANGUAGE plpgsql AS $$
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
-- +goose StatementEnd
DROP TRIGGER product_images_search_outbox_delete ON product_images;
DROP TRIGGER product_images_search_outbox_update ON product_images;
DROP TRIGGER product_images_search_outbox_insert ON product_images;
DROP TRIGGER product_certifications_search_outbox_delete ON product_certifications;
DROP TRIGGER product_certifications_search_outbox_update ON product_certifications;
DROP TRIGGER product_certifications_search_outbox_insert ON product_certifications;
DROP FUNCTION search_outbox_product_parts();
CREATE TRIGGER product_images_search_outbox AFTER INSERT OR UPDATE OR DELETE ON product_images
    FOR EACH ROW EXECUTE FUNCTION search_outbox_product_part();
CREATE TRIGGER product_certifications_search_outbox AFTER INSERT OR UPDATE OR DELETE ON product_certifications
    FOR EACH ROW EXECUTE FUNCTION search_outbox_product_part();
