-- +goose Up
-- Every process keeps pages of GET /v1/orders and must drop them when an
-- order or one of its lines changes anywhere. Such changes are announced on
-- the channel otop_orders, once per statement (PostgreSQL folds the
-- identical notices of one transaction into one and delivers it on commit
-- to every listening session).

-- +goose StatementBegin
CREATE FUNCTION orders_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('otop_orders', '');
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER orders_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON orders
    FOR EACH STATEMENT EXECUTE FUNCTION orders_notify();
CREATE TRIGGER order_lines_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON order_lines
    FOR EACH STATEMENT EXECUTE FUNCTION orders_notify();

-- +goose Down
DROP TRIGGER order_lines_notify ON order_lines;
DROP TRIGGER orders_notify ON orders;
DROP FUNCTION orders_notify();
