DROP INDEX comments_draft_email;
CREATE INDEX comments_draft_email ON comments (draft_id, email_normalized);
