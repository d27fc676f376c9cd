-- +goose Up
CREATE TABLE users (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email            text NOT NULL CHECK (email = lower(email) AND email <> ''),
    password_hash    text NOT NULL,
    role             text NOT NULL CHECK (role IN ('producer', 'importer', 'curator', 'admin')),
    display_name     text NOT NULL DEFAULT '',
    country          char(2),
    select_center_id text CHECK (select_center_id IN ('chiang-mai', 'khon-kaen', 'songkhla', 'bangkok')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_curator_has_center CHECK ((role = 'curator') = (select_center_id IS NOT NULL)),
    CONSTRAINT users_importer_has_country CHECK (role <> 'importer' OR country IS NOT NULL)
);
CREATE UNIQUE INDEX users_email_key ON users (email);

-- Bearer tokens are random; only their SHA-256 is stored.
CREATE TABLE auth_tokens (
    token_hash   bytea PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE INDEX auth_tokens_user_idx ON auth_tokens (user_id);
CREATE INDEX auth_tokens_expires_idx ON auth_tokens (expires_at);

-- Failed logins, per account and per client address, for rate limiting
-- that holds across API replicas.
CREATE TABLE login_failures (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope       text NOT NULL CHECK (scope IN ('email', 'ip')),
    key         text NOT NULL,
    failed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_key_idx ON login_failures (scope, key, failed_at DESC);

-- +goose Down
DROP TABLE login_failures;
DROP TABLE auth_tokens;
DROP TABLE users;
