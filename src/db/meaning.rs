//! The grouping's stored signals: sentence vectors of comment texts (the semantic stage reads
//! them, the background reader writes them), the background reader's cursor, and why each
//! comment sits in its suggested group.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use super::DbConn;
use super::schema::{comments, group_memberships, job_cursors, text_vectors};

/// The stored vectors among `keys`, as `(key, vector)`.
pub fn vectors(conn: &mut DbConn, keys: &[String]) -> QueryResult<Vec<(String, Vec<f32>)>> {
    let mut out = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(500) {
        let rows: Vec<(String, Vec<u8>)> = text_vectors::table
            .filter(text_vectors::key.eq_any(chunk))
            .select((text_vectors::key, text_vectors::vector))
            .load(conn)?;
        out.extend(rows.into_iter().map(|(k, bytes)| (k, from_bytes(&bytes))));
    }
    Ok(out)
}

/// Stores vectors; a key another node stored first is left as it is (`ON CONFLICT DO
/// NOTHING`, so a race never aborts the caller's transaction).
pub fn store_vectors(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    model: &str,
    rows: &[(String, Vec<f32>)],
) -> QueryResult<usize> {
    use diesel::sql_types::{Binary, Text, Timestamp};
    let mut stored = 0;
    for (key, vector) in rows {
        let bytes = to_bytes(vector);
        stored += match conn {
            DbConn::Pg(c) => diesel::sql_query(
                "INSERT INTO text_vectors (key, model, vector, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING",
            )
            .bind::<Text, _>(key)
            .bind::<Text, _>(model)
            .bind::<Binary, _>(&bytes)
            .bind::<Timestamp, _>(now.naive_utc())
            .execute(c)?,
            DbConn::Sqlite(c) => diesel::sql_query(
                "INSERT INTO text_vectors (key, model, vector, created_at) \
                 VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            )
            .bind::<Text, _>(key)
            .bind::<Text, _>(model)
            .bind::<Binary, _>(&bytes)
            .bind::<Timestamp, _>(now.naive_utc())
            .execute(c)?,
        };
    }
    Ok(stored)
}

fn to_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_bytes(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

/// A background pass's position (`""` before its first step).
pub fn cursor(conn: &mut DbConn, name: &str) -> QueryResult<String> {
    Ok(job_cursors::table
        .find(name)
        .select(job_cursors::position)
        .first(conn)
        .optional()?
        .unwrap_or_default())
}

/// Moves a pass's cursor from `from` to `to`; false when another node moved it first.
pub fn advance_cursor(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    name: &str,
    from: &str,
    to: &str,
) -> QueryResult<bool> {
    if from.is_empty() {
        let inserted = diesel::insert_into(job_cursors::table)
            .values((
                job_cursors::name.eq(name),
                job_cursors::position.eq(to),
                job_cursors::updated_at.eq(now.naive_utc()),
            ))
            .execute(conn);
        return match inserted {
            Ok(n) => Ok(n == 1),
            Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
            Err(e) => Err(e),
        };
    }
    let n = diesel::update(
        job_cursors::table
            .filter(job_cursors::name.eq(name))
            .filter(job_cursors::position.eq(from)),
    )
    .set((
        job_cursors::position.eq(to),
        job_cursors::updated_at.eq(now.naive_utc()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The next comments after `after` in id order, at most `limit`: `(id, body)`.
pub fn comments_after(
    conn: &mut DbConn,
    after: &str,
    limit: i64,
) -> QueryResult<Vec<(String, String)>> {
    comments::table
        .filter(comments::id.gt(after))
        .order(comments::id.asc())
        .select((comments::id, comments::body))
        .limit(limit)
        .load(conn)
}

/// Records why each comment is in its suggested group: `(comment id, reason, score)`.
pub fn record_memberships(conn: &mut DbConn, rows: &[(String, &str, f64)]) -> QueryResult<()> {
    for chunk in rows.chunks(300) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(id, reason, score)| {
                (
                    group_memberships::comment_id.eq(id),
                    group_memberships::reason.eq(*reason),
                    group_memberships::score.eq(*score),
                )
            })
            .collect();
        // A multi-row INSERT, which diesel builds per backend.
        let insert = diesel::insert_into(group_memberships::table).values(values);
        match conn {
            DbConn::Pg(c) => insert.execute(c)?,
            DbConn::Sqlite(c) => insert.execute(c)?,
        };
    }
    Ok(())
}

/// Forgets why these comments were placed (they were unplaced, or an officer placed them).
pub fn forget_memberships(conn: &mut DbConn, comment_ids: &[String]) -> QueryResult<usize> {
    let mut n = 0;
    for chunk in comment_ids.chunks(500) {
        n += diesel::delete(
            group_memberships::table.filter(group_memberships::comment_id.eq_any(chunk)),
        )
        .execute(conn)?;
    }
    Ok(n)
}

/// Why each of these comments is in its suggested group: `(comment id, reason, score)`.
pub fn memberships(
    conn: &mut DbConn,
    comment_ids: &[String],
) -> QueryResult<Vec<(String, String, f64)>> {
    let mut out = Vec::with_capacity(comment_ids.len());
    for chunk in comment_ids.chunks(500) {
        out.extend(
            group_memberships::table
                .filter(group_memberships::comment_id.eq_any(chunk))
                .select((
                    group_memberships::comment_id,
                    group_memberships::reason,
                    group_memberships::score,
                ))
                .load::<(String, String, f64)>(conn)?,
        );
    }
    Ok(out)
}
