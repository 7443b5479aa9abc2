-- R15 on PostgreSQL for a client that sends more in an hour than the direct count reads (a
-- trusted proxy or a carrier NAT whose limit the operator raised): its comments counted per
-- minute, so the writer decides from at most 61 rows instead of the client's whole hour.
-- Kept only for such clients, written under the client's limit lock in the transaction that
-- stores the comments, and rebuilt from `comments` when a client becomes busy again.
CREATE TABLE client_minutes (
    client_key TEXT NOT NULL,
    minute     TIMESTAMP NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (client_key, minute)
);
CREATE INDEX client_minutes_minute ON client_minutes (minute);
