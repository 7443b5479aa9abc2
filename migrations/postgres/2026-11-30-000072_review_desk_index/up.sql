-- The review desk reads a draft's round in the order comments arrived (count, pages, "all
-- matching"): without `round` in an index every such read visits each comment's row.
CREATE INDEX comments_round_submitted ON comments (draft_id, round, submitted_at, id);
