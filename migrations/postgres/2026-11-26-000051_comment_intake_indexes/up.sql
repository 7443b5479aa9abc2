-- R15: the per-address cap only looks up comments that have an address. (PostgreSQL keeps
-- comments_client: several nodes share the per-client limit, so it is read per batch.)
DROP INDEX comments_draft_email;
CREATE INDEX comments_draft_email ON comments (draft_id, email_normalized)
    WHERE email_normalized IS NOT NULL;
