-- Rows are bound to one MS account, not to a reusable user id (docs/BRIDGEINTECH.md): accounts holds, per user id,
-- the registration time (Unix microseconds) of the MS account its rows belong to. NULL is unknown: rows from
-- before this migration, bound to the first account that reaches them with a registration time ("bind at first
-- sight"). An organization whose representative's account was forgotten keeps a negative rep_id (minus its own
-- id): no MS user has it, and rep_id stays NOT NULL and UNIQUE.

-- +goose Up
CREATE TABLE accounts (
    user_id    INTEGER PRIMARY KEY,
    registered INTEGER
);

INSERT INTO accounts (user_id)
SELECT user_id FROM users_extension
UNION SELECT user_id FROM personal_backgrounds
UNION SELECT rep_id FROM organizations;

-- +goose Down
DROP TABLE accounts;
