DROP TABLE client_minutes;
