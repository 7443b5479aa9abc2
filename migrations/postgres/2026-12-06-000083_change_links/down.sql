DROP TABLE change_links;
