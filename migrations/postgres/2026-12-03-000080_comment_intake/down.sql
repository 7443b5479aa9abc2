ALTER TABLE comments ADD CONSTRAINT comments_draft_id_fkey
    FOREIGN KEY (draft_id) REFERENCES drafts (id) ON DELETE CASCADE;
