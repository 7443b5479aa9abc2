-- R1–R7: drafts, their articles and materials, the review record and period extensions.
CREATE TABLE drafts (
    id                  TEXT PRIMARY KEY,
    index_no            TEXT NOT NULL UNIQUE,
    doc_number          TEXT,
    title               TEXT NOT NULL,
    agency              TEXT NOT NULL,
    category            TEXT NOT NULL,
    subject_terms       TEXT NOT NULL,
    kind                TEXT NOT NULL,
    enterprise_related  BOOLEAN NOT NULL,
    summary             TEXT NOT NULL,
    state               TEXT NOT NULL,
    round               INTEGER NOT NULL DEFAULT 1,
    timezone            TEXT NOT NULL,
    opens_on            DATE NOT NULL,
    closes_on           DATE NOT NULL,
    opens_at            TIMESTAMP,
    closes_at           TIMESTAMP NOT NULL,
    drafter_id          TEXT NOT NULL REFERENCES users (id),
    initial_reviewer_id TEXT REFERENCES users (id),
    re_reviewer_id      TEXT REFERENCES users (id),
    approver_id         TEXT REFERENCES users (id),
    approved_at         TIMESTAMP,
    withdrawn_at        TIMESTAMP,
    withdraw_reason     TEXT,
    concluded_at        TIMESTAMP,
    view_count          BIGINT NOT NULL DEFAULT 0,
    search_text         TEXT NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX drafts_state_window ON drafts (state, opens_at, closes_at);
CREATE INDEX drafts_agency ON drafts (agency);
CREATE INDEX drafts_category ON drafts (category);
CREATE INDEX drafts_drafter ON drafts (drafter_id);

CREATE TABLE articles (
    draft_id TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    number   INTEGER NOT NULL,
    heading  TEXT,
    text     TEXT NOT NULL,
    PRIMARY KEY (draft_id, number)
);

CREATE TABLE materials (
    id                TEXT PRIMARY KEY,
    draft_id          TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    kind              TEXT NOT NULL,
    title             TEXT NOT NULL,
    body              TEXT NOT NULL,
    position          INTEGER NOT NULL,
    file_name         TEXT,
    file_content_type TEXT,
    file_size         BIGINT,
    file_sha256       TEXT,
    created_by        TEXT NOT NULL REFERENCES users (id),
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
CREATE INDEX materials_draft ON materials (draft_id, position);

-- File bytes live in the database so that every node can serve them.
CREATE TABLE material_files (
    material_id TEXT PRIMARY KEY REFERENCES materials (id) ON DELETE CASCADE,
    data        BLOB NOT NULL
);

-- R7: who did which review step, when, with what note and attestation.
CREATE TABLE workflow_steps (
    id         TEXT PRIMARY KEY,
    draft_id   TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    at         TIMESTAMP NOT NULL,
    actor_id   TEXT NOT NULL REFERENCES users (id),
    action     TEXT NOT NULL,
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    note       TEXT,
    attested   BOOLEAN NOT NULL
);
CREATE INDEX workflow_steps_draft ON workflow_steps (draft_id, at);

-- R6: a period is only ever extended.
CREATE TABLE period_extensions (
    id                 TEXT PRIMARY KEY,
    draft_id           TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    at                 TIMESTAMP NOT NULL,
    actor_id           TEXT NOT NULL REFERENCES users (id),
    previous_closes_on DATE NOT NULL,
    new_closes_on      DATE NOT NULL,
    reason             TEXT NOT NULL
);
CREATE INDEX period_extensions_draft ON period_extensions (draft_id, at);

-- R1: index numbers are {prefix}-{sequence}; one row per prefix (agency code and year).
CREATE TABLE index_sequences (
    prefix     TEXT PRIMARY KEY,
    last_value BIGINT NOT NULL
);
