-- +goose Up
-- Every process keeps pages of GET /v1/orders and must drop them when an
-- order or one of its lines changes anywhere. Such changes are announced on
-- the channel otop_orders, once per statement (PostgreSQL folds the
-- identical notices of one transaction into one and delivers it on commit
-- to every listening session). channel_notify is migration 00021's.

CREATE TRIGGER orders_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON orders
    FOR EACH STATEMENT EXECUTE FUNCTION channel_notify('otop_orders');
CREATE TRIGGER order_lines_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON order_lines
    FOR EACH STATEMENT EXECUTE FUNCTION channel_notify('otop_orders');

-- +goose Down
DROP TRIGGER order_lines_notify ON order_lines;
DROP TRIGGER orders_notify ON orders;
