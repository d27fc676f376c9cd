-- +goose Up
-- Every process keeps pages of the curators' review queues and must drop
-- them when a product enters, leaves or changes in a queue, or when
-- anything a queue item shows besides the product's row changes (its
-- producer, certificates, photos, published version). Such changes are
-- announced on the channel otop_queues; PostgreSQL folds the identical
-- notices of one transaction into one and delivers it on commit to every
-- listening session. Product rows outside the queues (an order's stock
-- update of a published product) fail the WHEN conditions and call
-- nothing; the other tables change rarely, so any statement on them
-- notifies.

-- channel_notify announces a change on the channel its trigger names
-- (its first argument); the read caches only need to know that one happened.
-- +goose StatementBegin
CREATE FUNCTION channel_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify(TG_ARGV[0], '');
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER products_queue_insert AFTER INSERT ON products
    FOR EACH ROW WHEN (NEW.status = 'pending_review') EXECUTE FUNCTION channel_notify('otop_queues');
CREATE TRIGGER products_queue_update AFTER UPDATE ON products
    FOR EACH ROW WHEN (OLD.status = 'pending_review' OR NEW.status = 'pending_review') EXECUTE FUNCTION channel_notify('otop_queues');
CREATE TRIGGER products_queue_delete AFTER DELETE ON products
    FOR EACH ROW WHEN (OLD.status = 'pending_review') EXECUTE FUNCTION channel_notify('otop_queues');
CREATE TRIGGER products_queue_truncate AFTER TRUNCATE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION channel_notify('otop_queues');
CREATE TRIGGER producers_queue AFTER UPDATE OR DELETE OR TRUNCATE ON producers
    FOR EACH STATEMENT EXECUTE FUNCTION channel_notify('otop_queues');
CREATE TRIGGER product_certifications_queue AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON product_certifications
    FOR EACH STATEMENT EXECUTE FUNCTION channel_notify('otop_queues');
CREATE TRIGGER product_images_queue AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON product_images
    FOR EACH STATEMENT EXECUTE FUNCTION channel_notify('otop_queues');
CREATE TRIGGER product_published_versions_queue AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON product_published_versions
    FOR EACH STATEMENT EXECUTE FUNCTION channel_notify('otop_queues');

-- +goose Down
DROP TRIGGER product_published_versions_queue ON product_published_versions;
DROP TRIGGER product_images_queue ON product_images;
DROP TRIGGER product_certifications_queue ON product_certifications;
DROP TRIGGER producers_queue ON producers;
DROP TRIGGER products_queue_truncate ON products;
DROP TRIGGER products_queue_delete ON products;
DROP TRIGGER products_queue_update ON products;
DROP TRIGGER products_queue_insert ON products;
DROP FUNCTION channel_notify();
