-- The review desk: who works on which comment or group, officers' internal notes, and the
-- reasons an agency gives often enough to keep.
ALTER TABLE comments ADD COLUMN assigned_to TEXT REFERENCES users (id);
ALTER TABLE opinion_groups ADD COLUMN assigned_to TEXT REFERENCES users (id);
CREATE INDEX comments_assigned ON comments (assigned_to) WHERE assigned_to IS NOT NULL;
CREATE INDEX opinion_groups_assigned ON opinion_groups (assigned_to) WHERE assigned_to IS NOT NULL;

-- Internal notes on a comment or a group: never public, each one audited.
CREATE TABLE review_notes (
    id          TEXT PRIMARY KEY,
    draft_id    TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    author_id   TEXT NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX review_notes_object ON review_notes (object_type, object_id, created_at);

-- Reasons kept per agency for reuse in dispositions ("上位法已有规定").
CREATE TABLE reason_snippets (
    id         TEXT PRIMARY KEY,
    agency     TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (agency, body)
);
