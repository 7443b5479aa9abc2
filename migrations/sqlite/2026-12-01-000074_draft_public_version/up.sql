-- A counter bumped in the same transaction as every change to what the public sees of a draft
-- (its fields, state, period, articles, materials, extensions, published comments, published
-- report), so every node can tell with one primary-key read whether its cached rendering of
-- the draft's page and JSON is still current (`http::draft_cache`).
ALTER TABLE drafts ADD COLUMN public_version BIGINT NOT NULL DEFAULT 0;
