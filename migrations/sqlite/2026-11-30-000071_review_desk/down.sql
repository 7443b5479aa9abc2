DROP TABLE reason_snippets;
DROP TABLE review_notes;
DROP INDEX opinion_groups_assigned;
DROP INDEX comments_assigned;
ALTER TABLE opinion_groups DROP COLUMN assigned_to;
ALTER TABLE comments DROP COLUMN assigned_to;
