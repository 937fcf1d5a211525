-- The ends of sessions (package revocation, docs/SESSIONS.md#revocation): revocations with the cursor instances
-- follow, the one-row change counter their watches poll, the login records behind GET /api/sessions and the login
-- failures every instance counts together. Times are Unix seconds.

-- +goose Up
CREATE TABLE session_revocations (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT, -- the cursor: never reused, so it only grows
    entry_key  TEXT    NOT NULL UNIQUE,           -- 's:' and the session id in hex, or 'u:<user>:<before>'
    session_id BLOB,                              -- NULL for a per-user cutoff
    user_id    INTEGER NOT NULL,
    before_at  INTEGER,                           -- NULL for a single session
    until_at   INTEGER NOT NULL
);
CREATE INDEX session_revocations_until ON session_revocations (until_at);

CREATE TABLE session_revocation_changes (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    counter INTEGER NOT NULL
);
INSERT INTO session_revocation_changes (id, counter) VALUES (1, 0);

CREATE TABLE session_logins (
    session_id BLOB    PRIMARY KEY,
    user_id    INTEGER NOT NULL,
    login_at   INTEGER NOT NULL,
    until_at   INTEGER NOT NULL,
    device     TEXT    NOT NULL
);
CREATE INDEX session_logins_user ON session_logins (user_id, until_at);
CREATE INDEX session_logins_until ON session_logins (until_at);

CREATE TABLE login_failures (
    failure_key TEXT    PRIMARY KEY,
    expires_at  INTEGER NOT NULL,
    failures    INTEGER NOT NULL
);
CREATE INDEX login_failures_expires ON login_failures (expires_at);

-- +goose Down
DROP TABLE login_failures;
DROP TABLE session_logins;
DROP TABLE session_revocation_changes;
DROP TABLE session_revocations;
