DROP TABLE password_links;
DROP TABLE login_attempts;
DROP TABLE staff_sessions;
