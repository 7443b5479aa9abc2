//! R2: `POST /api/v1/drafts/{id}/materials`, `GET /api/v1/materials/{id}` and
//! `GET /api/v1/materials/{id}/file`. A file comes base64-encoded in the JSON body (one
//! request, one transaction, the same strict parser as every other body); its type is
//! judged from its bytes, and it is served as a download under a cleaned name.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use serde::Deserialize;
use validator::Validate;

use super::drafts::{material_json, viewer_of};
use crate::app::AppState;
use crate::db::{drafts as q, materials};
use crate::domain::files;
use crate::domain::workflow::MaterialKind;
use crate::http::auth::{Authorized, DrafterOnly, MaybeStaff};
use crate::http::error::{AppError, AppResult};
use crate::http::extract::{field_errors, parse_json, read_json_bytes};
use crate::l;
use crate::service::{self, drafts::NewMaterial, drafts::UploadedFile};

#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct FileInput {
    #[validate(length(min = 1, max = 255))]
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
    pub content_base64: String,
}

#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct MaterialInput {
    pub kind: MaterialKind,
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    #[serde(default)]
    #[validate(length(max = 200000))]
    #[schema(max_length = 200000)]
    pub body: String,
    #[validate(nested)]
    pub file: Option<FileInput>,
}

/// `POST /api/v1/drafts/{id}/materials` (its drafter, while `drafting`) → 201 material.
#[utoipa::path(
    post,
    path = "/api/v1/drafts/{id}/materials",
    tag = "drafts",
    params(("id" = String, Path, description = "The draft's id")),
    request_body = MaterialInput,
    responses(
        (status = 201, description = "The new material", body = crate::http::openapi::views::Material),
        crate::http::openapi::StaffJsonWrite,
    ),
    security(("bearer" = [])),
)]
pub async fn create_material(
    state: web::Data<AppState>,
    staff: Authorized<DrafterOnly>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let max_file = state.config.limits.max_upload_bytes;
    // Base64 grows a file by a third; the rest of the body has the usual limit.
    let limit = max_file / 3 * 4 + 8 + state.config.limits.max_body_bytes;
    // The caller has been checked (the `Authorized` argument); now the type, the size (the
    // larger upload limit, streamed), the syntax and the shape, as for every JSON body.
    let bytes = read_json_bytes(&req, payload.into_inner(), limit).await?;
    let input: MaterialInput = parse_json(&bytes)?;
    input
        .validate()
        .map_err(|e| AppError::validation(field_errors(&e)))?;
    let file = match input.file {
        None => None,
        Some(f) => {
            let data = base64::engine::general_purpose::STANDARD
                .decode(f.content_base64.trim())
                .map_err(|_| {
                    AppError::field(
                        "file.content_base64",
                        l!("不是有效的 Base64 编码", "is not valid base64"),
                    )
                })?;
            Some(UploadedFile { name: f.name, data })
        }
    };
    let material = NewMaterial {
        kind: input.kind,
        title: input.title,
        body: input.body,
        file,
    };
    let id = path.into_inner();
    let now = state.clock.now();
    let config = state.config.clone();
    let actor = staff.actor();
    let view = state
        .db(move |conn| {
            let mid = service::drafts::add_material(conn, &config, &actor, now, &id, material)?;
            let m = materials::find(conn, &mid)?.ok_or_else(AppError::not_found)?;
            Ok(material_json(&m))
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// The material and its draft, if the viewer may see the draft (404 otherwise).
async fn visible_material(
    state: &web::Data<AppState>,
    staff: Option<crate::http::auth::Staff>,
    id: String,
    with_file: bool,
) -> AppResult<(materials::MaterialRow, Option<Vec<u8>>)> {
    let viewer = viewer_of(staff.as_ref());
    state
        .db(move |conn| {
            let m = materials::find(conn, &id)?.ok_or_else(AppError::not_found)?;
            let d = q::find(conn, &m.draft_id)?.ok_or_else(AppError::not_found)?;
            // R8: a material of a later round shows to the public once that round is published.
            match q::view_of_round(conn, d, &viewer, None)? {
                Some(d) if m.round <= d.round => {}
                _ => return Err(AppError::not_found()),
            }
            let data = if with_file {
                materials::file_data(conn, &id)?
            } else {
                None
            };
            Ok((m, data))
        })
        .await
}

/// `GET /api/v1/materials/{id}`: the material with `draft_id` and `links.draft`.
#[utoipa::path(
    get,
    path = "/api/v1/materials/{id}",
    tag = "drafts",
    params(("id" = String, Path, description = "The material's id")),
    responses(
        (status = 200, description = "The material", body = crate::http::openapi::views::Material),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security((), ("bearer" = [])),
)]
pub async fn get_material(
    state: web::Data<AppState>,
    MaybeStaff(staff): MaybeStaff,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (m, _) = visible_material(&state, staff, path.into_inner(), false).await?;
    Ok(HttpResponse::Ok().json(material_json(&m)))
}

/// `GET /api/v1/materials/{id}/file`: the stored bytes as a download.
#[utoipa::path(
    get,
    path = "/api/v1/materials/{id}/file",
    tag = "drafts",
    params(("id" = String, Path, description = "The material's id")),
    responses(
        (status = 200, description = "The stored file as a download, with its own content type", content_type = "application/octet-stream", body = Vec<u8>, headers(("X-Material-Sha256" = String, description = "SHA-256 of the bytes, hex"))),
        (status = 401, response = crate::http::openapi::Unauthorized),
        (status = 404, response = crate::http::openapi::NotFound),
        (status = 503, response = crate::http::openapi::Unavailable),
    ),
    security((), ("bearer" = [])),
)]
pub async fn get_material_file(
    state: web::Data<AppState>,
    MaybeStaff(staff): MaybeStaff,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (m, data) = visible_material(&state, staff, path.into_inner(), true).await?;
    let (Some(data), Some(name), Some(content_type)) = (data, m.file_name, m.file_content_type)
    else {
        return Err(AppError::not_found());
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            files::content_disposition(&name),
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox",
        ))
        .insert_header(("X-Material-Sha256", m.file_sha256.unwrap_or_default()))
        .body(data))
}
