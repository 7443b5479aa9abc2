-- R15 on SQLite: the comment writer keeps each client's last hour in memory
-- (jobs::recent_clients) and loads it at start by submission time. An index on the random
-- client keys cost a written WAL page per comment; one on the time grows at its end.
DROP INDEX comments_client;
CREATE INDEX comments_submitted ON comments (submitted_at);
-- R15: the per-address cap only looks up comments that have an address.
DROP INDEX comments_draft_email;
CREATE INDEX comments_draft_email ON comments (draft_id, email_normalized)
    WHERE email_normalized IS NOT NULL;
