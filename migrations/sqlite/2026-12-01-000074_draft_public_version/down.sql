ALTER TABLE drafts DROP COLUMN public_version;
