-- Comments a client sent twice, or nearly so, on one draft: flagged for moderators (never
-- refused). Written by the background duplicate scan; one row per flagged comment, naming
-- the earlier comment it repeats and how alike the two texts are (percent).
CREATE TABLE duplicate_flags (
    comment_id            TEXT PRIMARY KEY REFERENCES comments (id) ON DELETE CASCADE,
    draft_id              TEXT NOT NULL,
    duplicate_of          TEXT NOT NULL,
    duplicate_of_tracking TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    similarity            INTEGER NOT NULL,
    seconds_apart         BIGINT NOT NULL,
    created_at            TIMESTAMP NOT NULL
);
CREATE INDEX duplicate_flags_draft ON duplicate_flags (draft_id);
