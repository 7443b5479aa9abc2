-- Sent mails are purged after mail.keep_sent_days: found by when they were sent.
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE status = 'sent';
