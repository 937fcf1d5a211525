-- The ends of sessions (package revocation, docs/SESSIONS.md#revocation): revocations with the cursor instances
-- follow (Revoke serialises its inserts with a transaction-scoped advisory lock, so cursors commit in order and
-- NOTIFY wakes the other instances), the login records behind GET /api/sessions and the login failures every
-- instance counts together. Times are Unix seconds.

-- +goose Up
CREATE TABLE bitschema.session_revocations (
    seq        BIGSERIAL PRIMARY KEY,
    entry_key  TEXT   NOT NULL UNIQUE,  -- 's:' and the session id in hex, or 'u:<user>:<before>'
    session_id BYTEA,                   -- NULL for a per-user cutoff
    user_id    BIGINT NOT NULL,
    before_at  BIGINT,                  -- NULL for a single session
    until_at   BIGINT NOT NULL
);
CREATE INDEX session_revocations_until ON bitschema.session_revocations (until_at);

CREATE TABLE bitschema.session_logins (
    session_id BYTEA  PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    login_at   BIGINT NOT NULL,
    until_at   BIGINT NOT NULL,
    device     TEXT   NOT NULL
);
CREATE INDEX session_logins_user ON bitschema.session_logins (user_id, until_at);
CREATE INDEX session_logins_until ON bitschema.session_logins (until_at);

CREATE TABLE bitschema.login_failures (
    failure_key TEXT   PRIMARY KEY,
    expires_at  BIGINT NOT NULL,
    failures    INTEGER NOT NULL
);
CREATE INDEX login_failures_expires ON bitschema.login_failures (expires_at);

-- +goose Down
DROP TABLE bitschema.login_failures;
DROP TABLE bitschema.session_logins;
DROP TABLE bitschema.session_revocations;
