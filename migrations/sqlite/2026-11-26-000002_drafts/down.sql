DROP TABLE index_sequences;
DROP TABLE period_extensions;
DROP TABLE workflow_steps;
DROP TABLE material_files;
DROP TABLE materials;
DROP TABLE articles;
DROP TABLE drafts;
