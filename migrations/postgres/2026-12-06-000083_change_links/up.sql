-- R8 traceability: which opinions of a round caused which change in the next round's text.
-- An officer links an adopted (or partially adopted) group, or a single comment, to an
-- article. `article` is numbered as in round `text_round`: the round the opinion was about
-- (the article as it read then), or the next round (an article the revision added).
CREATE TABLE change_links (
    draft_id   TEXT NOT NULL REFERENCES drafts (id),
    round      INTEGER NOT NULL,
    group_id   TEXT REFERENCES opinion_groups (id),
    comment_id TEXT REFERENCES comments (id),
    -- The group's or the comment's id: the one that is set (a key that is never null).
    opinion_id TEXT NOT NULL,
    text_round INTEGER NOT NULL,
    article    INTEGER NOT NULL,
    linked_by  TEXT NOT NULL REFERENCES users (id),
    linked_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (opinion_id, text_round, article),
    CHECK ((group_id IS NULL) <> (comment_id IS NULL)),
    CHECK (text_round = round OR text_round = round + 1)
);

CREATE INDEX change_links_by_round ON change_links (draft_id, round);
