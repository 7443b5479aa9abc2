DROP INDEX comments_draft_email;
CREATE INDEX comments_draft_email ON comments (draft_id, email_normalized);
DROP INDEX comments_submitted;
CREATE INDEX comments_client ON comments (client_key, submitted_at);
