DROP TABLE job_cursors;
DROP TABLE text_vectors;
DROP TABLE group_memberships;
