-- A comment arrives without a group, so the index of groups' members leaves out the
-- ungrouped: one index entry fewer for every comment taken in. It still answers "the members
-- of group X" (`group_id = X` implies the index's condition); the review desk finds a draft's
-- ungrouped comments through the draft's own indexes.
DROP INDEX comments_group;
CREATE INDEX comments_group ON comments (group_id) WHERE group_id IS NOT NULL;
