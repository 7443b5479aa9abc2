DROP INDEX comments_group;
CREATE INDEX comments_group ON comments (group_id);
