-- +goose Up
-- Sign-ups are limited per client address like failed logins, in the same
-- table: each counts until its window has passed.
ALTER TABLE login_failures DROP CONSTRAINT login_failures_scope_check;
ALTER TABLE login_failures ADD CONSTRAINT login_failures_scope_check CHECK (scope IN ('email', 'ip', 'register'));

-- +goose Down
DELETE FROM login_failures WHERE scope = 'register';
ALTER TABLE login_failures DROP CONSTRAINT login_failures_scope_check;
ALTER TABLE login_failures ADD CONSTRAINT login_failures_scope_check CHECK (scope IN ('email', 'ip'));
