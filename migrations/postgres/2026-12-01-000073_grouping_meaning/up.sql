-- Why each comment is in its proposed group and how sure the proposal is, so the officer
-- checks the uncertain ones first. Only for suggested placements: an officer's placement
-- deletes the row.
CREATE TABLE group_memberships (
    comment_id TEXT PRIMARY KEY REFERENCES comments (id) ON DELETE CASCADE,
    reason     TEXT NOT NULL,
    score      DOUBLE PRECISION NOT NULL
);

-- Sentence vectors of comment texts for the grouping's semantic stage, one per distinct
-- text and model (the key is a hash of both), computed in the background as comments arrive.
CREATE TABLE text_vectors (
    key        TEXT PRIMARY KEY,
    model      TEXT NOT NULL,
    vector     BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Where a background pass over the comments has got to (the semantic reader's cursor).
CREATE TABLE job_cursors (
    name       TEXT PRIMARY KEY,
    position   TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
