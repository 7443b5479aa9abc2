-- Agencies own drafts; officers belong to one or more of them (administrators act across all).
CREATE TABLE agencies (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE agency_members (
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    user_id     TEXT NOT NULL REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (agency_code, user_id)
);
CREATE INDEX agency_members_user ON agency_members (user_id);

-- Every agency named by an existing draft becomes one, coded agency-1, agency-2, … in the
-- order of its name; drafts keep the name they were published under.
INSERT INTO agencies (code, name, created_at)
SELECT 'agency-' || ROW_NUMBER() OVER (ORDER BY agency), agency, CURRENT_TIMESTAMP
FROM (SELECT DISTINCT agency FROM drafts);

-- Until an administrator says otherwise, every officer keeps what they could do before:
-- each active user belongs to every agency there is.
INSERT INTO agency_members (agency_code, user_id, created_at)
SELECT agencies.code, users.id, CURRENT_TIMESTAMP
FROM agencies CROSS JOIN users
WHERE users.active;

ALTER TABLE drafts ADD COLUMN agency_code TEXT NOT NULL DEFAULT '';
UPDATE drafts SET agency_code = (SELECT code FROM agencies WHERE agencies.name = drafts.agency);
CREATE INDEX drafts_agency_code ON drafts (agency_code);
