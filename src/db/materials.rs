//! R2: materials of a draft (explanation, basis, interpretation, …) and their files, kept in
//! the database so that every node can serve them.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::DbConn;
use super::audit::{self, AuditEvent};
use super::ids::new_id;
use super::schema::{material_files, materials};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = materials)]
pub struct MaterialRow {
    pub id: String,
    pub draft_id: String,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub position: i32,
    pub file_name: Option<String>,
    pub file_content_type: Option<String>,
    pub file_size: Option<i64>,
    pub file_sha256: Option<String>,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// R8: the round it was added in.
    pub round: i32,
}

/// An uploaded file, already checked (size and content type).
#[derive(Debug, Clone)]
pub struct NewFile {
    pub name: String,
    pub content_type: &'static str,
    pub data: Vec<u8>,
}

pub struct NewMaterial<'a> {
    pub draft_id: &'a str,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub file: Option<NewFile>,
}

/// Adds a material at the end of the draft's list; audited. Call inside `write_tx`.
pub fn create(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    actor: &str,
    new: NewMaterial<'_>,
) -> QueryResult<String> {
    use sha2::{Digest, Sha256};
    let id = new_id(now);
    let last: Option<i32> = materials::table
        .filter(materials::draft_id.eq(new.draft_id))
        .select(diesel::dsl::max(materials::position))
        .first(conn)?;
    let position = last.map_or(0, |p| p + 1);
    let round = super::drafts::current_round(conn, new.draft_id)?;
    let (name, content_type, size, sha) = match &new.file {
        Some(f) => (
            Some(f.name.clone()),
            Some(f.content_type),
            Some(f.data.len() as i64),
            Some(hex::encode(Sha256::digest(&f.data))),
        ),
        None => (None, None, None, None),
    };
    diesel::insert_into(materials::table)
        .values((
            materials::id.eq(&id),
            materials::draft_id.eq(new.draft_id),
            materials::kind.eq(new.kind),
            materials::title.eq(new.title),
            materials::body.eq(new.body),
            materials::position.eq(position),
            materials::file_name.eq(&name),
            materials::file_content_type.eq(content_type),
            materials::file_size.eq(size),
            materials::file_sha256.eq(&sha),
            materials::created_by.eq(actor),
            materials::created_at.eq(now.naive_utc()),
            materials::updated_at.eq(now.naive_utc()),
            materials::round.eq(round),
        ))
        .execute(conn)?;
    if let Some(f) = &new.file {
        diesel::insert_into(material_files::table)
            .values((
                material_files::material_id.eq(&id),
                material_files::data.eq(&f.data),
            ))
            .execute(conn)?;
    }
    super::drafts::touch(conn, new.draft_id)?;
    audit::append(
        conn,
        now,
        &AuditEvent {
            actor,
            action: "material.created",
            object_type: "material",
            object_id: &id,
            draft_id: Some(new.draft_id),
            details: serde_json::json!({
                "kind": new.kind,
                "title": new.title,
                "file_sha256": sha,
            }),
        },
    )?;
    Ok(id)
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<MaterialRow>> {
    materials::table
        .find(id)
        .select(MaterialRow::as_select())
        .first(conn)
        .optional()
}

/// The materials `round` of the draft shows: those added in it and in the rounds before (R8).
pub fn of_draft(conn: &mut DbConn, draft_id: &str, round: i32) -> QueryResult<Vec<MaterialRow>> {
    materials::table
        .filter(materials::draft_id.eq(draft_id))
        .filter(materials::round.le(round))
        .order((materials::position.asc(), materials::id.asc()))
        .select(MaterialRow::as_select())
        .load(conn)
}

pub fn file_data(conn: &mut DbConn, material_id: &str) -> QueryResult<Option<Vec<u8>>> {
    material_files::table
        .find(material_id)
        .select(material_files::data)
        .first(conn)
        .optional()
}
