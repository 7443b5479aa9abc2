ALTER TABLE period_extensions DROP COLUMN round;
ALTER TABLE workflow_steps DROP COLUMN round;
ALTER TABLE materials DROP COLUMN round;
DROP TABLE round_articles;
DROP TABLE draft_rounds;
