-- R8: revision rounds. The current round of a draft keeps its text in `articles` and its
-- period and summary in `drafts`. When the next round opens, the round that ends is kept here,
-- as it was published, so that its page, its comments and its report still read against it.
CREATE TABLE draft_rounds (
    draft_id     TEXT NOT NULL REFERENCES drafts (id),
    round        INTEGER NOT NULL,
    summary      TEXT NOT NULL,
    opens_on     DATE NOT NULL,
    closes_on    DATE NOT NULL,
    opens_at     TIMESTAMP,
    closes_at    TIMESTAMP NOT NULL,
    approved_at  TIMESTAMP,
    concluded_at TIMESTAMP,
    -- When the next round was opened, and by whom.
    ended_at     TIMESTAMP NOT NULL,
    ended_by     TEXT NOT NULL,
    PRIMARY KEY (draft_id, round)
);

CREATE TABLE round_articles (
    draft_id TEXT NOT NULL,
    round    INTEGER NOT NULL,
    number   INTEGER NOT NULL,
    heading  TEXT,
    text     TEXT NOT NULL,
    PRIMARY KEY (draft_id, round, number),
    FOREIGN KEY (draft_id, round) REFERENCES draft_rounds (draft_id, round)
);

-- The round a material was added in: a round shows its own materials and those of the rounds
-- before it (a legal basis does not change; a later explanation says what did).
ALTER TABLE materials ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
-- Each round has its own review chain and its own extensions of its own period.
ALTER TABLE workflow_steps ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE period_extensions ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
