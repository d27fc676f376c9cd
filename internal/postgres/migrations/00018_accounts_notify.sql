-- +goose Up
-- Every process keeps the principals of the bearer tokens it has checked, so
-- that an authenticated request does not read auth_tokens and users again. A
-- token revoked or deleted, or a user changed or deleted, is announced on the
-- channel otop_accounts (once per statement; notices are delivered on commit
-- to every listening session), and every process then drops what it holds.
-- New tokens and new users need no notice: nothing cached can show them.

-- +goose StatementBegin
CREATE FUNCTION accounts_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('otop_accounts', TG_TABLE_NAME);
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER auth_tokens_notify AFTER UPDATE OR DELETE OR TRUNCATE ON auth_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_notify();
CREATE TRIGGER users_notify AFTER UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_notify();

-- +goose Down
DROP TRIGGER users_notify ON users;
DROP TRIGGER auth_tokens_notify ON auth_tokens;
DROP FUNCTION accounts_notify();
