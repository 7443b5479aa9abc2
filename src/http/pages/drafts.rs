//! R27: `GET /drafts` (search, filters, paging) and `GET /drafts/{id}` (the draft page:
//! metadata, period and countdown, articles, materials, published comments). Public drafts
//! only; the queries are the API's own.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::comment_form::{CommentFormView, FormInput, FormValues};
use super::subscribe::ShortSubscribeForm;
use super::{Chrome, labels, not_found_page, page_response, render};
use crate::app::AppState;
use crate::db::drafts::{self as q, DraftRow, ListFilter, Viewer};
use crate::db::public_comments;
use crate::db::{DbConn, materials, reports};
use crate::domain::countdown;
use crate::domain::period::{Phase, Window};
use crate::domain::redline;
use crate::http::csrf::{self, CsrfToken};
use crate::http::draft_cache::{Variant, not_modified};
use crate::http::error::{AppError, AppResult, FieldErrors};
use crate::http::lang::Lang;
use crate::http::prefs::Prefs;
use crate::lang::ftl::T;
use crate::service;

/// Drafts per list page.
const PER_PAGE: i64 = 20;
/// Published comments per draft page.
const COMMENTS_PER_PAGE: i64 = 50;

/// A draft in a list (home page, draft list).
pub struct DraftCard {
    pub id: String,
    pub title: String,
    pub index_no: String,
    pub agency: String,
    pub category: String,
    pub phase_label: String,
    pub phase_class: &'static str,
    pub period: String,
    pub countdown: Option<String>,
    pub comment_count: i64,
    pub closing_soon: bool,
    /// R8: "第二轮征求意见" for a draft past its first round.
    pub round_label: Option<String>,
}

fn window_of(d: &DraftRow) -> Option<Window> {
    Some(Window {
        opens_at: d.opens_at?.and_utc(),
        closes_at: d.closes_at.and_utc(),
    })
}

fn period_text(d: &DraftRow, lang: Lang) -> String {
    let (from, to) = (
        labels::date(d.opens_on, lang),
        labels::date(d.closes_on, lang),
    );
    T(lang).f("pub-period-range", &[("from", &from), ("to", &to)])
}

impl DraftCard {
    pub fn of(
        d: &DraftRow,
        now: DateTime<Utc>,
        lang: Lang,
        counts: &HashMap<String, i64>,
        closing_soon_days: u32,
    ) -> DraftCard {
        let phase = d.phase(now);
        let live = d.state == "published";
        let window = window_of(d).filter(|_| live);
        DraftCard {
            id: d.id.clone(),
            title: d.title.clone(),
            index_no: d.index_no.clone(),
            agency: d.agency.clone(),
            category: d.category.clone(),
            phase_label: labels::phase(&d.state, phase).get(lang).to_string(),
            phase_class: labels::phase_class(&d.state, phase),
            period: period_text(d, lang),
            countdown: window.and_then(|w| labels::countdown(countdown::countdown(w, now), lang)),
            comment_count: counts.get(&d.id).copied().unwrap_or(0),
            closing_soon: window
                .is_some_and(|w| countdown::closes_within(w, now, closing_soon_days)),
            round_label: (d.round > 1)
                .then(|| T(lang).a("pub-round", "n", &crate::lang::round_number(d.round, lang))),
        }
    }
}

/// Loads one page of public drafts as cards, with the total.
pub fn load_cards(
    conn: &mut DbConn,
    filter: &ListFilter,
    now: DateTime<Utc>,
    lang: Lang,
    offset: i64,
    limit: i64,
    closing_soon_days: u32,
) -> AppResult<(Vec<DraftCard>, i64)> {
    let (rows, total) = q::list(conn, &Viewer::Public, filter, now, offset, limit)?;
    let rounds: Vec<(String, i32)> = rows.iter().map(|d| (d.id.clone(), d.round)).collect();
    let counts: HashMap<String, i64> = q::published_comment_counts(conn, &rounds)?
        .into_iter()
        .collect();
    let cards = rows
        .iter()
        .map(|d| DraftCard::of(d, now, lang, &counts, closing_soon_days))
        .collect();
    Ok((cards, total))
}

/// The list page's query. Lenient on purpose: a person who edits the address gets the
/// nearest sensible list rather than an error.
#[derive(Debug, Default, Deserialize)]
pub struct ListForm {
    pub q: Option<String>,
    pub phase: Option<String>,
    pub agency: Option<String>,
    pub category: Option<String>,
    pub page: Option<String>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.chars().take(200).collect())
}

/// A choice in a filter's `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "drafts.html")]
struct DraftListPage {
    site_name: String,
    t: T,
    q: String,
    phases: Vec<Choice>,
    agencies: Vec<Choice>,
    categories: Vec<Choice>,
    cards: Vec<DraftCard>,
    total: i64,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    filtered: bool,
}

fn choices(values: Vec<String>, current: &Option<String>) -> Vec<Choice> {
    values
        .into_iter()
        .map(|v| Choice {
            selected: current.as_deref() == Some(v.as_str()),
            label: v.clone(),
            value: v,
        })
        .collect()
}

/// `GET /drafts`: public drafts, newest first, searched and filtered like the API.
pub async fn list_drafts(
    state: web::Data<AppState>,
    form: web::Query<ListForm>,
) -> AppResult<HttpResponse> {
    let form = form.into_inner();
    let lang = Lang::current();
    let now = state.clock.now();
    let soon = state.config.window.closing_soon_days;
    let phase = form.phase.as_deref().and_then(Phase::parse);
    let filter = ListFilter {
        phase,
        q: non_empty(&form.q),
        agency: non_empty(&form.agency),
        category: non_empty(&form.category),
        ..ListFilter::default()
    };
    let page = form
        .page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 100_000);
    let (cards, total, agencies, categories) = {
        let filter = filter.clone();
        state
            .db(move |conn| {
                let (cards, total) = load_cards(
                    conn,
                    &filter,
                    now,
                    lang,
                    (page - 1) * PER_PAGE,
                    PER_PAGE,
                    soon,
                )?;
                let (agencies, categories) = q::facets(conn, &Viewer::Public, now)?;
                Ok((cards, total, agencies, categories))
            })
            .await?
    };
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let href = |p: i64| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &filter.q),
            ("phase", &phase.map(|p| p.as_str().to_string())),
            ("agency", &filter.agency),
            ("category", &filter.category),
        ] {
            if let Some(v) = v {
                s.append_pair(k, v);
            }
        }
        s.append_pair("page", &p.to_string());
        format!("/drafts?{}", s.finish())
    };
    let phase_value = phase.map(|p| p.as_str().to_string());
    let phases = [Phase::Open, Phase::Scheduled, Phase::Closed]
        .into_iter()
        .map(|p| Choice {
            value: p.as_str().to_string(),
            label: labels::phase("published", Some(p)).get(lang).to_string(),
            selected: phase == Some(p),
        })
        .collect();
    let chrome = Chrome::new(state.config.site_name(lang), lang);
    render(&DraftListPage {
        site_name: chrome.site_name,
        t: chrome.t,
        q: filter.q.clone().unwrap_or_default(),
        phases,
        agencies: choices(agencies, &filter.agency),
        categories: choices(categories, &filter.category),
        cards,
        total,
        page,
        pages,
        prev_href: (page > 1).then(|| href(page - 1)),
        next_href: (page < pages).then(|| href(page + 1)),
        filtered: filter.q.is_some()
            || phase_value.is_some()
            || filter.agency.is_some()
            || filter.category.is_some(),
    })
}

/// A metadata row of the draft page.
pub struct Meta {
    pub label: String,
    pub value: String,
}

pub struct ArticleView {
    pub number: i32,
    /// The anchor's text: "第3条" / "Article 3", or a Chinese heading that already says it.
    pub label: String,
    /// A heading other than the number ("总则", "Scope").
    pub heading: Option<String>,
    pub text: String,
}

impl ArticleView {
    fn of(a: q::Article, lang: Lang) -> ArticleView {
        let (label, heading) = match (lang, a.heading) {
            (Lang::Zh, Some(h)) if says_its_number(&h) => (h, None),
            (_, h) => (T(lang).n("pub-article", i64::from(a.number)), h),
        };
        ArticleView {
            number: a.number,
            label,
            heading,
            text: a.text,
        }
    }
}

/// R8: one article of the redline: its label, what happened to it, and its text in pieces.
pub struct RedlineArticle {
    pub label: String,
    /// `unchanged`, `edited`, `inserted` or `deleted` (a CSS class).
    pub kind: &'static str,
    /// "新增条文", "删除条文", "原第3条" …; empty for an article that did not change.
    pub note: String,
    pub heading: Vec<Piece>,
    pub text: Vec<Piece>,
    /// "In response to 12 opinions": the adopted opinions of the round before that an officer
    /// linked to this change, and the titles of their groups.
    pub in_response_to: Option<(String, Vec<String>)>,
}

/// A piece of an article's text: `same`, `ins` or `del`.
pub struct Piece {
    pub op: &'static str,
    pub text: String,
}

pub fn pieces(spans: &[redline::Span]) -> Vec<Piece> {
    spans
        .iter()
        .map(|s| match s {
            redline::Span::Same(t) => Piece {
                op: "same",
                text: t.clone(),
            },
            redline::Span::Inserted(t) => Piece {
                op: "ins",
                text: t.clone(),
            },
            redline::Span::Deleted(t) => Piece {
                op: "del",
                text: t.clone(),
            },
        })
        .collect()
}

/// What happened to an article, as a CSS class: `unchanged`, `edited`, `inserted` or
/// `deleted`.
pub fn change_kind(c: &redline::ArticleChange) -> &'static str {
    match c.kind {
        redline::ChangeKind::Unchanged => "unchanged",
        redline::ChangeKind::Edited => "edited",
        redline::ChangeKind::Inserted => "inserted",
        redline::ChangeKind::Deleted => "deleted",
    }
}

/// "新增条文", "有修改；位置调整；原第3条" …; empty for an article that did not change.
pub fn change_note(t: &T, c: &redline::ArticleChange) -> String {
    let mut notes: Vec<String> = Vec::new();
    match c.kind {
        redline::ChangeKind::Inserted => notes.push(t.s("pub-change-inserted")),
        redline::ChangeKind::Deleted => notes.push(t.s("pub-change-deleted")),
        redline::ChangeKind::Edited => notes.push(t.s("pub-change-edited")),
        redline::ChangeKind::Unchanged => {}
    }
    if c.moved {
        notes.push(t.s("pub-change-moved"));
    }
    if c.renumbered
        && let Some(old) = c.old_number
    {
        notes.push(t.a(
            "pub-change-was",
            "label",
            &t.n("pub-article", i64::from(old)),
        ));
    }
    t.join_messages(&notes)
}

/// The articles as the comparison reads them.
fn texts(list: &[q::Article]) -> Vec<redline::ArticleText> {
    list.iter()
        .map(|a| redline::ArticleText {
            number: a.number,
            heading: a.heading.clone(),
            text: a.text.clone(),
        })
        .collect()
}

/// The later round's articles with what changed since the round before (`domain::redline`)
/// and the opinions behind each change (`service::changes`).
fn redline_view(changes: &[service::changes::RedlineArticle], lang: Lang) -> Vec<RedlineArticle> {
    let t = T(lang);
    let label = |n: i32| t.n("pub-article", i64::from(n));
    changes
        .iter()
        .map(|r| {
            let c = &r.change;
            let number = c.new_number.or(c.old_number).unwrap_or_default();
            RedlineArticle {
                label: label(number),
                kind: change_kind(c),
                note: change_note(&t, c),
                heading: c.heading.as_deref().map(pieces).unwrap_or_default(),
                text: pieces(&c.text),
                in_response_to: r.in_response_to.as_ref().map(|why| {
                    (
                        t.n("pub-change-in-response", why.opinions),
                        why.groups.iter().map(|g| g.title.clone()).collect(),
                    )
                }),
            }
        })
        .collect()
}

/// True for a Chinese heading that is the article's number ("第3条"): shown as the number.
pub fn says_its_number(heading: &str) -> bool {
    heading.starts_with('第') && heading.ends_with('条')
}

pub struct MaterialLink {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub file: Option<String>,
}

pub struct ExtensionView {
    pub at: String,
    pub from: String,
    pub to: String,
    pub reason: String,
}

pub struct CommentView {
    pub tracking_number: String,
    pub body: Option<String>,
    pub article: Option<i64>,
    pub stakeholder: String,
    pub organization: Option<String>,
    pub name: Option<String>,
    pub submitted_at: String,
}

#[derive(Template)]
#[template(path = "draft.html")]
pub struct DraftPage {
    site_name: String,
    t: T,
    id: String,
    title: String,
    meta: Vec<Meta>,
    subject_terms: Vec<String>,
    phase_label: String,
    /// `open`, `scheduled`, `closed`, `withdrawn` or `concluded`.
    phase_class: &'static str,
    countdown: Option<String>,
    opens: String,
    closes: String,
    zone: String,
    extensions: Vec<ExtensionView>,
    withdraw_reason: Option<String>,
    summary: String,
    articles: Vec<ArticleView>,
    materials: Vec<MaterialLink>,
    comments: Vec<CommentView>,
    comment_total: i64,
    comment_page: i64,
    comment_pages: i64,
    /// R20: a published adoption report to link to.
    has_report: bool,
    /// R8: "第二轮征求意见" on a draft's second and later rounds.
    round_label: Option<String>,
    /// R8: on a later round, the switch between the clean text and the changes since the
    /// round before: `(showing changes, the round before in words)`.
    switch: Option<(bool, String)>,
    /// R8: the articles with their changes, when the switch says so.
    redline: Option<Vec<RedlineArticle>>,
    /// R27: the comment form (shown while the draft is open).
    form: CommentFormView,
    /// R21: the "notify me about this draft" form, while the draft's consultation is to come,
    /// under way or awaiting its report.
    subscribable: bool,
    sub: ShortSubscribeForm,
}

#[derive(Debug, Default, Deserialize)]
pub struct DraftForm {
    pub comments_page: Option<String>,
    /// R27: the article the comment form starts on (`对本条提意见`).
    pub article: Option<String>,
    /// R8: `1` shows the articles with what changed since the round before.
    pub changes: Option<String>,
}

/// What the draft page shows of a draft, borrowed from a fresh load or the draft cache.
struct PageData<'a> {
    d: &'a DraftRow,
    articles: &'a [q::Article],
    /// R8: the articles with what changed since the round before, when the page shows it.
    redline: Option<&'a [service::changes::RedlineArticle]>,
    materials: &'a [materials::MaterialRow],
    extensions: &'a [q::ExtensionRow],
    comments: &'a [public_comments::PublicComment],
    comment_total: i64,
    has_report: bool,
}

/// `GET /drafts/{id}`: the draft page; 404 page unless the draft is public. Public views are
/// counted (in memory, flushed in batches, as for the API), a 304 included.
///
/// Served from the draft cache (`http::draft_cache`): one rendering per version of the draft,
/// language, elder mode, comment page, chosen article and query, with the visitor's CSRF
/// token put in its places per request. The answer carries a strong `ETag` (which includes a
/// hash of the visitor's token) and `Cache-Control: private, no-cache`: the page holds the
/// visitor's token, so no shared cache may keep it, and the browser asks again each time.
pub async fn show_draft(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Query<DraftForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let comment_page = form
        .comments_page
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let article = form.article.as_deref().and_then(|a| a.trim().parse().ok());
    let changes = form.changes.as_deref() == Some("1");
    let csrf = csrf::token_for(&state, &req);
    let prefs = Prefs::current();
    let input = || FormInput {
        values: FormValues {
            article,
            ..FormValues::default()
        },
        errors: FieldErrors::new(),
        notice: None,
    };
    let Some(query) = cacheable_query(&prefs) else {
        // An address with other parameters: rendered for it alone, as before the cache.
        let Some(page) =
            draft_page_showing(&state, &id, comment_page, input(), &csrf, changes).await?
        else {
            return not_found_page(&state.config);
        };
        state.views.record(&id);
        let cookie = csrf.cookie.filter(|_| page.subscribable);
        let mut res = with_cookie(render(&page)?, cookie)?;
        res.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        );
        return Ok(res);
    };
    let lang = Lang::current();
    let now = state.clock.now();
    let cache = state.drafts.clone();
    let Some(stamp) = cache.stamp(&state, &id).await? else {
        return not_found_page(&state.config);
    };
    let variant = Variant::Page {
        lang: lang.code(),
        elder: prefs.elder,
        comment_page,
        article,
        query,
    };
    let rendered = match cache.rendered(&id, &variant, stamp, now) {
        Some(r) => r,
        None => {
            let loaded = {
                let (cache, id) = (cache.clone(), id.clone());
                state
                    .db(move |conn| {
                        let Some(snapshot) = cache.snapshot(conn, &id, stamp)? else {
                            return Ok(None);
                        };
                        let comments =
                            snapshot.comments_page(conn, comment_page, COMMENTS_PER_PAGE)?;
                        Ok(Some((snapshot, comments)))
                    })
                    .await?
            };
            let Some((snapshot, comments)) = loaded else {
                return not_found_page(&state.config);
            };
            let row = snapshot.row_at(stamp);
            let page = assemble(
                &state,
                PageData {
                    d: &row,
                    articles: &snapshot.articles,
                    redline: None,
                    materials: &snapshot.materials,
                    extensions: &snapshot.extensions,
                    comments: &comments,
                    comment_total: snapshot.round_published,
                    has_report: snapshot.has_report,
                },
                comment_page,
                input(),
                cache.markers(),
                lang,
                now,
            );
            let html = page.render().map_err(AppError::internal)?;
            cache.keep_page(&id, variant, snapshot, stamp, now, html)
        }
    };
    state.views.record(&id);
    let etag = rendered.page_etag(&csrf);
    let unchanged = not_modified(&req, &etag);
    let status = if unchanged {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    let mut res = page_response(status);
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"));
    // The CSRF cookie only where there is a form to protect.
    if rendered.snapshot.row.state == "published"
        && let Some(c) = csrf.cookie.clone()
    {
        res.cookie(c);
    }
    if unchanged {
        return Ok(res.finish());
    }
    Ok(res.body(rendered.page_body(&csrf)))
}

/// The page's query as part of the cache key (its language and elder-mode links repeat it),
/// or `None` when it holds anything but a short `comments_page` and `article`: such addresses
/// are rendered for themselves, so no made-up query can fill the cache.
fn cacheable_query(prefs: &Prefs) -> Option<String> {
    let mut seen = (false, false);
    for (k, v) in prefs.rest() {
        let slot = match k.as_str() {
            "comments_page" => &mut seen.0,
            "article" => &mut seen.1,
            _ => return None,
        };
        if *slot || v.len() > 7 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        *slot = true;
    }
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in prefs.rest() {
        q.append_pair(k, v);
    }
    Some(q.finish())
}

/// Adds the CSRF cookie a form page needs, when the browser has none yet.
pub fn with_cookie(
    mut res: HttpResponse,
    cookie: Option<actix_web::cookie::Cookie<'static>>,
) -> AppResult<HttpResponse> {
    if let Some(c) = cookie {
        res.add_cookie(&c).map_err(AppError::internal)?;
    }
    Ok(res)
}

/// The draft page with its comment form holding `input` (empty, or a refused submission
/// with its errors); `None` unless the draft is public. Read afresh (not from the draft
/// cache): used for an answer that shows the visitor's own input.
pub async fn draft_page(
    state: &web::Data<AppState>,
    id: &str,
    comment_page: i64,
    input: FormInput,
    csrf: &CsrfToken,
) -> AppResult<Option<DraftPage>> {
    draft_page_showing(state, id, comment_page, input, csrf, false).await
}

/// `draft_page`, with `changes`: the articles marked with what changed since the round
/// before (R8), for a draft past its first round.
async fn draft_page_showing(
    state: &web::Data<AppState>,
    id: &str,
    comment_page: i64,
    input: FormInput,
    csrf: &CsrfToken,
    changes: bool,
) -> AppResult<Option<DraftPage>> {
    let lang = Lang::current();
    let now = state.clock.now();
    let loaded = {
        let id = id.to_string();
        state
            .db(move |conn| {
                let Some(d) = q::find_public(conn, &id)? else {
                    return Ok(None);
                };
                let (comments, comment_total) = public_comments::published_of_draft(
                    conn,
                    &d.id,
                    d.round,
                    (comment_page - 1) * COMMENTS_PER_PAGE,
                    COMMENTS_PER_PAGE,
                )?;
                let articles = q::articles_of_round(conn, &d.id, d.round)?;
                let redline = if changes && d.round > 1 {
                    let earlier = q::articles_of_round(conn, &d.id, d.round - 1)?;
                    let compared = redline::compare(&texts(&earlier), &texts(&articles));
                    Some(service::changes::with_causes(
                        conn,
                        &d.id,
                        d.round,
                        d.round - 1,
                        compared,
                    )?)
                } else {
                    None
                };
                Ok(Some(Loaded {
                    redline,
                    articles,
                    materials: materials::of_draft(conn, &d.id, d.round)?,
                    extensions: q::extensions_of(conn, &d.id, d.round)?,
                    comments,
                    comment_total,
                    has_report: !reports::with_published(conn, std::slice::from_ref(&d.id))?
                        .is_empty(),
                    d,
                }))
            })
            .await?
    };
    let Some(l) = loaded else {
        return Ok(None);
    };
    Ok(Some(assemble(
        state,
        PageData {
            d: &l.d,
            articles: &l.articles,
            redline: l.redline.as_deref(),
            materials: &l.materials,
            extensions: &l.extensions,
            comments: &l.comments,
            comment_total: l.comment_total,
            has_report: l.has_report,
        },
        comment_page,
        input,
        csrf,
        lang,
        now,
    )))
}

struct Loaded {
    d: DraftRow,
    articles: Vec<q::Article>,
    redline: Option<Vec<service::changes::RedlineArticle>>,
    materials: Vec<materials::MaterialRow>,
    extensions: Vec<q::ExtensionRow>,
    comments: Vec<public_comments::PublicComment>,
    comment_total: i64,
    has_report: bool,
}

/// The page's fields from its data, in `lang` at `now`.
fn assemble(
    state: &AppState,
    l: PageData<'_>,
    comment_page: i64,
    input: FormInput,
    csrf: &CsrfToken,
    lang: Lang,
    now: DateTime<Utc>,
) -> DraftPage {
    let tz = state.config.timezone();
    let d = l.d;
    let phase = d.phase(now);
    let live = d.state == "published";
    let window = window_of(d);
    let t = T(lang);
    let meta = vec![
        Meta {
            label: t.s("pub-index-no"),
            value: d.index_no.clone(),
        },
        Meta {
            label: t.s("pub-doc-number"),
            value: d.doc_number.clone().unwrap_or_else(|| t.s("pub-none")),
        },
        Meta {
            label: t.s("pub-agency"),
            value: d.agency.clone(),
        },
        Meta {
            label: t.s("pub-category"),
            value: d.category.clone(),
        },
        Meta {
            label: t.s("pub-draft-kind"),
            value: labels::draft_kind(&d.kind).get(lang).to_string(),
        },
        Meta {
            label: t.s("pub-enterprise-related"),
            value: t.s(if d.enterprise_related {
                "pub-enterprise-yes"
            } else {
                "pub-enterprise-no"
            }),
        },
        Meta {
            label: t.s("pub-views"),
            value: d.view_count.to_string(),
        },
    ];
    let comment_pages = ((l.comment_total + COMMENTS_PER_PAGE - 1) / COMMENTS_PER_PAGE).max(1);
    let chrome = Chrome::new(state.config.site_name(lang), lang);
    let form = CommentFormView::new(input, csrf, l.articles, lang);
    DraftPage {
        site_name: chrome.site_name,
        t: chrome.t,
        id: d.id.clone(),
        title: d.title.clone(),
        meta,
        subject_terms: d.subject_terms(),
        phase_label: labels::phase(&d.state, phase).get(lang).to_string(),
        phase_class: labels::phase_class(&d.state, phase),
        countdown: window
            .filter(|_| live)
            .and_then(|w| labels::countdown(countdown::countdown(w, now), lang)),
        opens: window.map_or_else(
            || labels::date(d.opens_on, lang),
            |w| labels::instant(w.opens_at, tz, lang),
        ),
        // R4: the window ends at 24:00 at the end of closes_on.
        closes: t.a("pub-closes-end", "date", &labels::date(d.closes_on, lang)),
        zone: labels::zone(tz, lang),
        extensions: l
            .extensions
            .iter()
            .map(|e| ExtensionView {
                at: labels::instant(e.at.and_utc(), tz, lang),
                from: labels::date(e.previous_closes_on, lang),
                to: labels::date(e.new_closes_on, lang),
                reason: e.reason.clone(),
            })
            .collect(),
        withdraw_reason: (d.state == "withdrawn")
            .then(|| d.withdraw_reason.clone().unwrap_or_default()),
        summary: d.summary.clone(),
        articles: l
            .articles
            .iter()
            .cloned()
            .map(|a| ArticleView::of(a, lang))
            .collect(),
        materials: l
            .materials
            .iter()
            .map(|m| MaterialLink {
                id: m.id.clone(),
                kind: labels::material_kind(&m.kind).get(lang).to_string(),
                title: m.title.clone(),
                file: m.file_name.clone(),
            })
            .collect(),
        comments: l
            .comments
            .iter()
            .cloned()
            .map(|c| CommentView {
                tracking_number: c.tracking_number,
                body: c.body,
                article: c.article.map(i64::from),
                stakeholder: labels::stakeholder_type(&c.stakeholder_type)
                    .get(lang)
                    .to_string(),
                organization: c.organization,
                name: c.name,
                submitted_at: labels::instant(c.submitted_at.and_utc(), tz, lang),
            })
            .collect(),
        comment_total: l.comment_total,
        comment_page,
        comment_pages,
        has_report: l.has_report,
        round_label: (d.round > 1)
            .then(|| t.a("pub-round", "n", &crate::lang::round_number(d.round, lang))),
        switch: (d.round > 1).then(|| {
            (
                l.redline.is_some(),
                crate::lang::round_number(d.round - 1, lang),
            )
        }),
        redline: l.redline.map(|changes| redline_view(changes, lang)),
        form,
        subscribable: live,
        sub: ShortSubscribeForm::new(csrf, "draft", &d.id, lang),
    }
}
