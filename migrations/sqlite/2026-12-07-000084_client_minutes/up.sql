-- R15: per-minute counts of a busy client's comments. PostgreSQL's writers use it (several
-- writers and nodes share the limit); SQLite's one writer keeps the hour in memory, so the
-- table stays empty here and exists so that both schemas match.
CREATE TABLE client_minutes (
    client_key TEXT NOT NULL,
    minute     TIMESTAMP NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (client_key, minute)
);
CREATE INDEX client_minutes_minute ON client_minutes (minute);
