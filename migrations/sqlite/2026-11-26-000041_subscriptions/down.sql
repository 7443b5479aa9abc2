DROP TABLE mail_events;
DROP TABLE mail_suppressions;
DROP TABLE subscription_requests;
DROP TABLE subscriptions;
