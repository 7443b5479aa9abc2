DROP TABLE idempotency_keys;
DROP TABLE comments;
DROP TABLE opinion_groups;
