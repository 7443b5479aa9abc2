DROP TABLE report_rows;
DROP TABLE reports;
