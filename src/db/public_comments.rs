//! R12, R13: the published comments of a draft as the public may read them. Only public
//! columns are ever selected: email, phone and region never leave the database here, a name
//! only when its author chose `publish_name`, and a withheld text never. The draft page and
//! the public half of `GET /api/v1/drafts/{id}/comments` both read through here.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::comments;
use super::{DbConn, MultiBackend};

/// One published comment, public fields only.
#[derive(Debug, Clone)]
pub struct PublicComment {
    pub tracking_number: String,
    /// `None` when the commenter asked that the text not be shown (R9 `withhold`).
    pub body: Option<String>,
    pub article: Option<i32>,
    pub stakeholder_type: String,
    pub organization: Option<String>,
    /// `None` unless the commenter chose `publish_name`.
    pub name: Option<String>,
    pub channel: String,
    pub submitted_at: NaiveDateTime,
}

type Columns = (
    String,
    String,
    bool,
    Option<i32>,
    String,
    Option<String>,
    Option<String>,
    bool,
    String,
    NaiveDateTime,
);

impl From<Columns> for PublicComment {
    fn from(c: Columns) -> PublicComment {
        let (
            tracking_number,
            body,
            withhold,
            article,
            stakeholder_type,
            organization,
            name,
            publish_name,
            channel,
            submitted_at,
        ) = c;
        PublicComment {
            tracking_number,
            body: (!withhold).then_some(body),
            article,
            stakeholder_type,
            organization,
            name: name.filter(|_| publish_name),
            channel,
            submitted_at,
        }
    }
}

fn published<'a>(draft_id: &'a str, round: i32) -> comments::BoxedQuery<'a, MultiBackend> {
    comments::table
        .filter(comments::draft_id.eq(draft_id))
        .filter(comments::round.eq(round))
        .filter(comments::status.eq("published"))
        .into_boxed()
}

/// One page of the published comments of a draft's round, oldest first, and their total.
pub fn published_of_draft(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<PublicComment>, i64)> {
    let total = published_count(conn, draft_id, round)?;
    let rows = published_page(conn, draft_id, round, offset, limit)?;
    Ok((rows, total))
}

/// How many comments of the draft's round are published. Its cost grows with their number:
/// the draft page reads it once per version of the draft (`http::draft_cache`).
pub fn published_count(conn: &mut DbConn, draft_id: &str, round: i32) -> QueryResult<i64> {
    published(draft_id, round).count().get_result(conn)
}

/// One page of the published comments of a draft's round, oldest first.
pub fn published_page(
    conn: &mut DbConn,
    draft_id: &str,
    round: i32,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<PublicComment>> {
    let rows: Vec<Columns> = published(draft_id, round)
        .order((comments::submitted_at.asc(), comments::id.asc()))
        .offset(offset)
        .limit(limit)
        .select((
            comments::tracking_number,
            comments::body,
            comments::withhold,
            comments::article,
            comments::stakeholder_type,
            comments::organization,
            comments::name,
            comments::publish_name,
            comments::channel,
            comments::submitted_at,
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(PublicComment::from).collect())
}
