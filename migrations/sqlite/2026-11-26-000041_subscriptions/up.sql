-- R21: subscriptions start `pending` and get mail only once `confirmed`; one row per address
-- and scope (`scope_value` is '' for `all`).
CREATE TABLE subscriptions (
    id               TEXT PRIMARY KEY,
    email            TEXT NOT NULL,
    email_normalized TEXT NOT NULL,
    scope_kind       TEXT NOT NULL,
    scope_value      TEXT NOT NULL,
    locale           TEXT NOT NULL,
    status           TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    confirmed_at     TIMESTAMP,
    unsubscribed_at  TIMESTAMP,
    UNIQUE (email_normalized, scope_kind, scope_value)
);
CREATE INDEX subscriptions_scope ON subscriptions (scope_kind, scope_value, status);

-- R21: every subscribe request, for the per-address hourly limit.
CREATE TABLE subscription_requests (
    id               TEXT PRIMARY KEY,
    email_normalized TEXT NOT NULL,
    at               TIMESTAMP NOT NULL
);
CREATE INDEX subscription_requests_email ON subscription_requests (email_normalized, at);

-- R21: addresses that asked for no more mail of any list (one-click unsubscribe from a mail
-- that did not come from a subscription, such as a report to a commenter).
CREATE TABLE mail_suppressions (
    email_normalized TEXT PRIMARY KEY,
    at               TIMESTAMP NOT NULL
);

-- R22: clock-driven events (opened, closing soon, report reminders) happen once per draft
-- and round: whichever node inserts the row first sends the mail, the others hit the key.
CREATE TABLE mail_events (
    draft_id TEXT NOT NULL,
    kind     TEXT NOT NULL,
    round    INTEGER NOT NULL,
    at       TIMESTAMP NOT NULL,
    PRIMARY KEY (draft_id, kind, round)
);
