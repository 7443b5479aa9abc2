-- R25: server-side sessions for the staff pages (only the hash of the cookie's value is kept),
-- failed and successful sign-ins for throttling and the record, and one-time links that let
-- a new or reset user choose a password.
CREATE TABLE staff_sessions (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL REFERENCES users (id),
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);

CREATE TABLE login_attempts (
    id         TEXT PRIMARY KEY,
    at         TIMESTAMP NOT NULL,
    username   TEXT NOT NULL,
    client_key TEXT NOT NULL,
    succeeded  BOOLEAN NOT NULL
);
CREATE INDEX login_attempts_username ON login_attempts (username, at);
CREATE INDEX login_attempts_client ON login_attempts (client_key, at);

CREATE TABLE password_links (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX password_links_user ON password_links (user_id);
