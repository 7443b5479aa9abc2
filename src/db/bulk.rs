//! PostgreSQL's side of the comment writer's batch: one statement per table whatever the
//! batch's size, each column sent as one array and spread into rows by `unnest`.
//!
//! A multi-row `VALUES` list has a different text for every batch size (and up to 22
//! parameters per row), so PostgreSQL parses and plans it afresh for every batch. These
//! statements have one fixed text each and a type of their own as their diesel query id, so
//! each connection prepares them once and only binds arrays afterwards.

use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt, Bool, Integer, Nullable, Text, Timestamp};
use diesel::{PgConnection, QueryResult, RunQueryDsl};

use super::comments::{NewComment, NewOutboxMessage};

/// `INSERT INTO comments … SELECT * FROM unnest(…)`, one array per column.
pub struct CommentColumns {
    id: Vec<String>,
    draft_id: Vec<String>,
    round: Vec<i32>,
    tracking_number: Vec<String>,
    receipt_token_hash: Vec<String>,
    body: Vec<String>,
    article: Vec<Option<i32>>,
    stakeholder_type: Vec<String>,
    organization: Vec<Option<String>>,
    name: Vec<Option<String>>,
    email: Vec<Option<String>>,
    email_normalized: Vec<Option<String>>,
    phone: Vec<Option<String>>,
    region: Vec<Option<String>>,
    publish_name: Vec<bool>,
    withhold: Vec<bool>,
    channel: Vec<String>,
    locale: Vec<String>,
    status: Vec<String>,
    entered_by: Vec<Option<String>>,
    client_key: Vec<Option<String>>,
    submitted_at: Vec<NaiveDateTime>,
}

impl CommentColumns {
    pub fn new(rows: &[NewComment]) -> Self {
        fn col<T>(rows: &[NewComment], f: impl Fn(&NewComment) -> T) -> Vec<T> {
            rows.iter().map(f).collect()
        }
        Self {
            id: col(rows, |r| r.id.clone()),
            draft_id: col(rows, |r| r.draft_id.clone()),
            round: col(rows, |r| r.round),
            tracking_number: col(rows, |r| r.tracking_number.clone()),
            receipt_token_hash: col(rows, |r| r.receipt_token_hash.clone()),
            body: col(rows, |r| r.body.clone()),
            article: col(rows, |r| r.article),
            stakeholder_type: col(rows, |r| r.stakeholder_type.clone()),
            organization: col(rows, |r| r.organization.clone()),
            name: col(rows, |r| r.name.clone()),
            email: col(rows, |r| r.email.clone()),
            email_normalized: col(rows, |r| r.email_normalized.clone()),
            phone: col(rows, |r| r.phone.clone()),
            region: col(rows, |r| r.region.clone()),
            publish_name: col(rows, |r| r.publish_name),
            withhold: col(rows, |r| r.withhold),
            channel: col(rows, |r| r.channel.clone()),
            locale: col(rows, |r| r.locale.clone()),
            status: col(rows, |r| r.status.clone()),
            entered_by: col(rows, |r| r.entered_by.clone()),
            client_key: col(rows, |r| r.client_key.clone()),
            submitted_at: col(rows, |r| r.submitted_at),
        }
    }

    pub fn insert(self, conn: &mut PgConnection) -> QueryResult<usize> {
        self.execute(conn)
    }
}

impl QueryId for CommentColumns {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl RunQueryDsl<PgConnection> for CommentColumns {}

impl QueryFragment<Pg> for CommentColumns {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "INSERT INTO comments (id, draft_id, round, tracking_number, receipt_token_hash, \
             body, article, stakeholder_type, organization, name, email, email_normalized, \
             phone, region, publish_name, withhold, channel, locale, status, entered_by, \
             client_key, submitted_at) SELECT * FROM unnest(",
        );
        out.push_bind_param::<Array<Text>, _>(&self.id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.draft_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Integer>, _>(&self.round)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.tracking_number)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.receipt_token_hash)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.body)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Integer>>, _>(&self.article)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.stakeholder_type)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.organization)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.name)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.email)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.email_normalized)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.phone)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.region)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Bool>, _>(&self.publish_name)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Bool>, _>(&self.withhold)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.channel)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.locale)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.status)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.entered_by)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.client_key)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Timestamp>, _>(&self.submitted_at)?;
        out.push_sql(")");
        Ok(())
    }
}

/// `INSERT INTO outbox … SELECT * FROM unnest(…)`: the receipts of a batch.
pub struct OutboxColumns {
    id: Vec<String>,
    kind: Vec<String>,
    recipient: Vec<String>,
    locale: Vec<String>,
    payload: Vec<String>,
    message_id: Vec<String>,
    dedupe_key: Vec<Option<String>>,
    draft_id: Vec<Option<String>>,
    status: Vec<String>,
    attempts: Vec<i32>,
    next_attempt_at: Vec<NaiveDateTime>,
    created_at: Vec<NaiveDateTime>,
}

impl OutboxColumns {
    pub fn new(rows: &[NewOutboxMessage]) -> Self {
        fn col<T>(rows: &[NewOutboxMessage], f: impl Fn(&NewOutboxMessage) -> T) -> Vec<T> {
            rows.iter().map(f).collect()
        }
        Self {
            id: col(rows, |r| r.id.clone()),
            kind: col(rows, |r| r.kind.clone()),
            recipient: col(rows, |r| r.recipient.clone()),
            locale: col(rows, |r| r.locale.clone()),
            payload: col(rows, |r| r.payload.clone()),
            message_id: col(rows, |r| r.message_id.clone()),
            dedupe_key: col(rows, |r| r.dedupe_key.clone()),
            draft_id: col(rows, |r| r.draft_id.clone()),
            status: col(rows, |r| r.status.clone()),
            attempts: col(rows, |r| r.attempts),
            next_attempt_at: col(rows, |r| r.next_attempt_at),
            created_at: col(rows, |r| r.created_at),
        }
    }

    pub fn insert(self, conn: &mut PgConnection) -> QueryResult<usize> {
        self.execute(conn)
    }
}

impl QueryId for OutboxColumns {
    type QueryId = Self;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl RunQueryDsl<PgConnection> for OutboxColumns {}

impl QueryFragment<Pg> for OutboxColumns {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "INSERT INTO outbox (id, kind, recipient, locale, payload, message_id, dedupe_key, \
             draft_id, status, attempts, next_attempt_at, created_at) SELECT * FROM unnest(",
        );
        out.push_bind_param::<Array<Text>, _>(&self.id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.kind)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.recipient)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.locale)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.payload)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.message_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.dedupe_key)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Nullable<Text>>, _>(&self.draft_id)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Text>, _>(&self.status)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Integer>, _>(&self.attempts)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Timestamp>, _>(&self.next_attempt_at)?;
        out.push_sql(", ");
        out.push_bind_param::<Array<Timestamp>, _>(&self.created_at)?;
        out.push_sql(")");
        Ok(())
    }
}

/// R15 on PostgreSQL: for each client, how many of its newest `limit` comments were
/// submitted after `since`, the oldest of those, and whether its comments are counted per
/// minute from `minute` on (`db::client_minutes`).
pub struct ClientWindows<'a> {
    pub client_keys: &'a [String],
    pub since: NaiveDateTime,
    pub minute: NaiveDateTime,
    pub limit: i64,
}

impl QueryId for ClientWindows<'_> {
    type QueryId = ClientWindows<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for ClientWindows<'_> {
    type SqlType = (Text, BigInt, Nullable<Timestamp>, Bool);
}

impl RunQueryDsl<PgConnection> for ClientWindows<'_> {}

impl QueryFragment<Pg> for ClientWindows<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(
            "SELECT k.client_key, w.n, w.oldest, EXISTS (SELECT 1 FROM client_minutes m \
             WHERE m.client_key = k.client_key AND m.minute >= ",
        );
        out.push_bind_param::<Timestamp, _>(&self.minute)?;
        out.push_sql(") FROM unnest(");
        out.push_bind_param::<Array<Text>, _>(self.client_keys)?;
        out.push_sql(
            ") AS k(client_key) CROSS JOIN LATERAL (SELECT count(*) AS n, \
             min(submitted_at) AS oldest FROM (SELECT submitted_at FROM comments \
             WHERE comments.client_key = k.client_key AND submitted_at > ",
        );
        out.push_bind_param::<Timestamp, _>(&self.since)?;
        out.push_sql(" ORDER BY submitted_at DESC LIMIT ");
        out.push_bind_param::<BigInt, _>(&self.limit)?;
        out.push_sql(") AS newest) AS w");
        Ok(())
    }
}

/// R15 on PostgreSQL: how many comments each address has sent on a draft, one index probe
/// per address (`comments::count_by_emails`).
pub struct EmailCounts<'a> {
    pub draft_id: &'a str,
    pub emails: &'a [String],
}

impl QueryId for EmailCounts<'_> {
    type QueryId = EmailCounts<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl diesel::query_builder::Query for EmailCounts<'_> {
    type SqlType = (Nullable<Text>, BigInt);
}

impl RunQueryDsl<PgConnection> for EmailCounts<'_> {}

impl QueryFragment<Pg> for EmailCounts<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        // `email_normalized = e.email` (not `= ANY($2)`) lets the planner use the partial
        // index on (draft_id, email_normalized) in a generic plan too.
        out.push_sql("SELECT e.email, (SELECT count(*) FROM comments WHERE draft_id = ");
        out.push_bind_param::<Text, _>(self.draft_id)?;
        out.push_sql(" AND email_normalized = e.email) FROM unnest(");
        out.push_bind_param::<Array<Text>, _>(self.emails)?;
        out.push_sql(") AS e(email)");
        Ok(())
    }
}
