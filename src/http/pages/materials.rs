//! R2, R27: `GET /materials/{id}`: a material (explanation, basis, interpretation, …) with its
//! file, linked back to its draft and to the draft's other materials.

use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Chrome, labels, not_found_page, render};
use crate::app::AppState;
use crate::db::drafts as q;
use crate::db::materials;
use crate::http::error::AppResult;
use crate::http::lang::Lang;
use crate::lang::ftl::T;

pub struct FileLink {
    pub href: String,
    pub name: String,
    pub content_type: String,
    pub size: String,
}

pub struct Sibling {
    pub id: String,
    pub kind: String,
    pub title: String,
}

#[derive(Template)]
#[template(path = "material.html")]
struct MaterialPage {
    site_name: String,
    t: T,
    title: String,
    kind: String,
    body: String,
    updated_at: String,
    file: Option<FileLink>,
    draft_id: String,
    draft_title: String,
    draft_index_no: String,
    siblings: Vec<Sibling>,
}

/// `GET /materials/{id}`: 404 page unless its draft is public (as the API).
pub async fn show_material(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let loaded = state
        .db(move |conn| {
            let Some(m) = materials::find(conn, &id)? else {
                return Ok(None);
            };
            // R8: a material of a later round shows once that round is published.
            let Some(d) = q::find_public(conn, &m.draft_id)?.filter(|d| m.round <= d.round) else {
                return Ok(None);
            };
            let all = materials::of_draft(conn, &d.id, d.round)?;
            Ok(Some((m, d, all)))
        })
        .await?;
    let Some((m, d, all)) = loaded else {
        return not_found_page(&state.config);
    };
    let lang = Lang::current();
    let tz = state.config.timezone();
    let file = match (&m.file_name, &m.file_content_type) {
        (Some(name), Some(content_type)) => Some(FileLink {
            href: format!("/api/v1/materials/{}/file", m.id),
            name: name.clone(),
            content_type: content_type.clone(),
            size: labels::size(m.file_size.unwrap_or(0)),
        }),
        _ => None,
    };
    let chrome = Chrome::new(state.config.site_name(lang), lang);
    render(&MaterialPage {
        site_name: chrome.site_name,
        t: chrome.t,
        kind: labels::material_kind(&m.kind).get(lang).to_string(),
        updated_at: labels::instant(m.updated_at.and_utc(), tz, lang),
        siblings: all
            .into_iter()
            .filter(|s| s.id != m.id)
            .map(|s| Sibling {
                kind: labels::material_kind(&s.kind).get(lang).to_string(),
                id: s.id,
                title: s.title,
            })
            .collect(),
        title: m.title,
        body: m.body,
        file,
        draft_id: d.id,
        draft_title: d.title,
        draft_index_no: d.index_no,
    })
}
