-- R9–R17: public and staff-entered comments, idempotency keys and opinion groups.
CREATE TABLE opinion_groups (
    id          TEXT PRIMARY KEY,
    draft_id    TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    round       INTEGER NOT NULL,
    title       TEXT NOT NULL,
    summary     TEXT NOT NULL,
    origin      TEXT NOT NULL,
    created_by  TEXT REFERENCES users (id),
    accepted_by TEXT REFERENCES users (id),
    outcome     TEXT,
    reason      TEXT,
    disposed_by TEXT REFERENCES users (id),
    disposed_at TIMESTAMP,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX opinion_groups_draft ON opinion_groups (draft_id, round);

CREATE TABLE comments (
    id                TEXT PRIMARY KEY,
    draft_id          TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    round             INTEGER NOT NULL,
    tracking_number   TEXT NOT NULL UNIQUE,
    receipt_token_hash TEXT NOT NULL,
    body              TEXT NOT NULL,
    article           INTEGER,
    stakeholder_type  TEXT NOT NULL,
    organization      TEXT,
    name              TEXT,
    email             TEXT,
    email_normalized  TEXT,
    phone             TEXT,
    region            TEXT,
    publish_name      BOOLEAN NOT NULL,
    withhold          BOOLEAN NOT NULL,
    channel           TEXT NOT NULL,
    locale            TEXT NOT NULL,
    status            TEXT NOT NULL,
    moderation_reason TEXT,
    moderated_by      TEXT REFERENCES users (id),
    moderated_at      TIMESTAMP,
    entered_by        TEXT REFERENCES users (id),
    client_key        TEXT,
    submitted_at      TIMESTAMP NOT NULL,
    group_id          TEXT REFERENCES opinion_groups (id) ON DELETE SET NULL,
    placed_by         TEXT REFERENCES users (id),
    outcome           TEXT,
    reason            TEXT,
    disposed_by       TEXT REFERENCES users (id),
    disposed_at       TIMESTAMP
);
CREATE INDEX comments_draft_status ON comments (draft_id, status, submitted_at);
CREATE INDEX comments_draft_email ON comments (draft_id, email_normalized);
CREATE INDEX comments_client ON comments (client_key, submitted_at);
CREATE INDEX comments_group ON comments (group_id);

-- R11: the first receipt for a key is returned again; keys expire after a day.
CREATE TABLE idempotency_keys (
    key_hash     TEXT PRIMARY KEY,
    draft_id     TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    comment_id   TEXT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    request_hash TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
