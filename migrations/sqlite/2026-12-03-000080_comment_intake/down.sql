-- PostgreSQL only (its migration of the same name drops the comments -> drafts foreign key
-- that cost every stored comment a lookup and a row lock there). SQLite checks it in the
-- one writer's own process, cheaply, so it stays.
SELECT 1;
