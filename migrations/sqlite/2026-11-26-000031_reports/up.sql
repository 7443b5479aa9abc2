-- R18–R20: adoption reports, versioned; a report's rows are frozen when it is prepared, so a
-- published report never changes (a correction is a new version with a note).
CREATE TABLE reports (
    id           TEXT PRIMARY KEY,
    draft_id     TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    round        INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    state        TEXT NOT NULL,
    note         TEXT,
    summary      TEXT NOT NULL,
    prepared_by  TEXT NOT NULL REFERENCES users (id),
    prepared_at  TIMESTAMP NOT NULL,
    submitted_by TEXT REFERENCES users (id),
    submitted_at TIMESTAMP,
    approved_by  TEXT REFERENCES users (id),
    published_at TIMESTAMP,
    return_note  TEXT,
    updated_at   TIMESTAMP NOT NULL,
    UNIQUE (draft_id, round, version)
);

-- One row per comment as the report states it: no personal data. No foreign key: a million
-- rows are inserted in one statement and PostgreSQL would check each; rows go with their
-- report in `db::reports::delete`.
CREATE TABLE report_rows (
    report_id        TEXT NOT NULL,
    tracking_number  TEXT NOT NULL,
    article          INTEGER,
    stakeholder_type TEXT NOT NULL,
    channel          TEXT NOT NULL,
    group_id         TEXT,
    group_title      TEXT,
    outcome          TEXT NOT NULL,
    reason           TEXT,
    PRIMARY KEY (report_id, tracking_number)
);
