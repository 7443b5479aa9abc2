DROP INDEX drafts_agency_code;
ALTER TABLE drafts DROP COLUMN agency_code;
DROP TABLE agency_members;
DROP TABLE agencies;
