-- R23: every mail is a row written in the same transaction as its cause. `payload` holds the
-- template data; the worker renders subject and bodies once, stores them, and sends those.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    locale          TEXT NOT NULL,
    payload         TEXT NOT NULL,
    subject         TEXT,
    body_text       TEXT,
    body_html       TEXT,
    headers         TEXT,
    message_id      TEXT NOT NULL UNIQUE,
    dedupe_key      TEXT UNIQUE,
    draft_id        TEXT,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_by      TEXT,
    claimed_at      TIMESTAMP,
    last_error      TEXT,
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
