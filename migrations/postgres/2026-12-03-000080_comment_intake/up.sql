-- Comment intake: the reference from each comment to its draft is checked by the writer,
-- which reads the draft's state and window in the same transaction before it stores a
-- comment, and drafts are never deleted. As a foreign key it cost PostgreSQL a lookup and a
-- shared row lock on the draft for every comment, taken by every concurrent writer on the
-- same row (docs/benchmarks.md, "PostgreSQL: where the time goes").
ALTER TABLE comments DROP CONSTRAINT IF EXISTS comments_draft_id_fkey;
