DROP TABLE duplicate_flags;
