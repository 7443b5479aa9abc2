//! R8 in the workspace. `/staff/drafts/{id}/rounds/new`: the drafter opens the next round
//! (its summary and period; the text starts as the last round's and is revised in the
//! editor). `/staff/drafts/{id}/changes`: the revised text beside the round before's, each
//! article with the earlier round's opinions on it and the adopted groups linked to its change,
//! which the drafter ticks there ("adopted → changed article 3" from the text's side).

use std::collections::{BTreeMap, BTreeSet};

use actix_web::{HttpRequest, web};
use askama::Template;
use chrono::NaiveDate;

use super::{
    Errors, Flash, Form, Frame, PageResult, SignedIn, page, redirect, refusal, refusal_text,
};
use crate::app::AppState;
use crate::db::changes::{self as links, CHANGING};
use crate::db::drafts::{self as q, Article};
use crate::db::review::{self as rq, GroupRow};
use crate::domain::redline::{self, ArticleText};
use crate::domain::roles::Role;
use crate::error::{AppError, AppResult};
use crate::http::pages::drafts::{Piece, change_kind, change_note, pieces};
use crate::lang::ftl::T;
use crate::service;
use crate::service::access::Act;
use crate::service::changes::{ArticleRef, SetChanges};
use crate::service::drafts::{ArticleInput, RoundInput};

/// Checkboxes of a round's articles: `(value "round:number", label, ticked)`.
pub fn article_choices(
    t: &T,
    round: i32,
    articles: &[Article],
    ticked: &BTreeSet<String>,
) -> Vec<(String, String, bool)> {
    articles
        .iter()
        .map(|a| {
            let value = format!("{round}:{}", a.number);
            let opening: String = a
                .heading
                .clone()
                .unwrap_or_else(|| a.text.chars().take(30).collect());
            let label = format!("{} {}", t.n("pub-article", i64::from(a.number)), opening);
            let on = ticked.contains(&value);
            (value, label, on)
        })
        .collect()
}

/// What the "articles this opinion changed" panel shows (`staff/changes_panel.html`): the
/// round's articles to tick when the opinion's `outcome` changes the text (ticked as linked,
/// or as the refused `form` had them), and the links now in words.
pub struct LinkPanel {
    pub changes: Option<Vec<(String, String, bool)>>,
    pub changed: String,
}

impl LinkPanel {
    pub fn new(
        t: &T,
        round: i32,
        articles: &[Article],
        linked: &[(i32, i32)],
        outcome: Option<&str>,
        form: &Form,
    ) -> LinkPanel {
        let ticked: BTreeSet<String> = if form.0.is_empty() {
            linked.iter().map(|(r, n)| format!("{r}:{n}")).collect()
        } else {
            form.all("article").into_iter().collect()
        };
        LinkPanel {
            changes: outcome
                .is_some_and(|o| CHANGING.contains(&o))
                .then(|| article_choices(t, round, articles, &ticked)),
            changed: crate::http::pages::report::article_list(linked.iter().copied(), round, *t),
        }
    }
}

/// `"round:number"`, as the checkboxes send an article.
fn parse_ref(v: &str) -> Option<ArticleRef> {
    let (r, n) = v.split_once(':')?;
    Some(ArticleRef {
        round: r.trim().parse().ok()?,
        number: n.trim().parse().ok()?,
    })
}

/// The ticked `article` checkboxes of a form.
pub fn ticked_articles(form: &Form) -> AppResult<SetChanges> {
    let articles = form
        .all("article")
        .iter()
        .map(|v| parse_ref(v))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| {
            AppError::field(
                "articles",
                crate::l!("所选条文无法识别", "A ticked article was not understood"),
            )
        })?;
    Ok(SetChanges { articles })
}

/// One article of the revised text on the officers' page.
pub struct ChangeCard {
    pub anchor: String,
    pub label: String,
    /// `unchanged`, `edited`, `inserted` or `deleted`.
    pub kind: &'static str,
    pub note: String,
    pub heading: Vec<Piece>,
    pub text: Vec<Piece>,
    /// "第一轮对原第4条的意见：12条", empty when none.
    pub earlier: String,
    /// "分组标题（采纳）：8条" for each group those opinions are in, "未分组：4条".
    pub spread: Vec<String>,
    /// The article's names as the form sends them (`"round:number"`, the first for a new
    /// link); empty for an unchanged article (nothing to link).
    pub names: Vec<String>,
    /// The earlier round's adopted groups: `(id, "title (n)", ticked)`.
    pub groups: Vec<(String, String, bool)>,
    /// "根据12条意见修改", empty when no opinion is linked.
    pub linked: String,
    /// Refused on this article's form.
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "staff/changes.html")]
struct ChangesPage {
    f: Frame,
    draft_id: String,
    title: String,
    /// A first round: nothing to compare yet.
    first: bool,
    before: String,
    now: String,
    can_write: bool,
    cards: Vec<ChangeCard>,
    /// Changed articles / all.
    changed: usize,
    /// Changed articles with at least one opinion linked.
    linked: usize,
}

/// The data of the page: the draft, both rounds' texts, the links and the earlier round's
/// groups and spread.
struct Loaded {
    draft: rq::ReviewDraft,
    changes: Vec<service::changes::RedlineArticle>,
    groups: Vec<GroupRow>,
    spread: Vec<links::Spread>,
    linked: BTreeMap<String, Vec<(i32, i32)>>,
}

fn texts(list: Vec<Article>) -> Vec<ArticleText> {
    list.into_iter()
        .map(|a| ArticleText {
            number: a.number,
            heading: a.heading,
            text: a.text,
        })
        .collect()
}

async fn render_changes(
    state: &AppState,
    req: &HttpRequest,
    who: &SignedIn,
    draft_id: String,
    refused: Option<(String, AppError)>,
) -> PageResult {
    who.require(&super::desk::READERS)?;
    let actor = who.actor();
    let l = state
        .db(move |conn| {
            let draft = service::review::load_draft(conn, &draft_id)?;
            actor.may(conn, Act::ReadDesk, &draft)?;
            if draft.round < 2 {
                // A first round has nothing to compare: the page says so.
                return Ok(Loaded {
                    draft,
                    changes: Vec::new(),
                    groups: Vec::new(),
                    spread: Vec::new(),
                    linked: BTreeMap::new(),
                });
            }
            let before = draft.round - 1;
            let old = texts(q::articles_of_round(conn, &draft.id, before)?);
            let new = texts(q::articles_of_round(conn, &draft.id, draft.round)?);
            let compared = redline::compare(&old, &new);
            let changes =
                service::changes::with_causes(conn, &draft.id, draft.round, before, compared)?;
            let groups = rq::groups_of(conn, &draft.id, before)?;
            let ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
            Ok(Loaded {
                spread: links::spread_by_article(conn, &draft.id, before)?,
                linked: links::of_opinions(conn, &ids)?,
                changes,
                groups,
                draft,
            })
        })
        .await?;
    let t = T::current();
    let lang = t.0;
    let before = l.draft.round - 1;
    let titles: BTreeMap<&str, &GroupRow> = l.groups.iter().map(|g| (g.id.as_str(), g)).collect();
    let adopted: Vec<&GroupRow> = l
        .groups
        .iter()
        .filter(|g| g.outcome.as_deref().is_some_and(|o| CHANGING.contains(&o)))
        .collect();
    // Each adopted group's size in the earlier round, offered beside every change.
    let mut sizes: BTreeMap<&str, i64> = BTreeMap::new();
    for (_, group, n) in &l.spread {
        if let Some(g) = group.as_deref() {
            *sizes.entry(g).or_insert(0) += n;
        }
    }
    let label = |n: i32| t.n("pub-article", i64::from(n));
    let mut cards = Vec::with_capacity(l.changes.len());
    for r in &l.changes {
        let c = &r.change;
        let number = c.new_number.or(c.old_number).unwrap_or_default();
        // The earlier round's opinions on this article as it read then.
        let mut earlier = String::new();
        let mut spread = Vec::new();
        if let Some(old) = c.old_number {
            let on: Vec<&links::Spread> = l.spread.iter().filter(|s| s.0 == Some(old)).collect();
            let total: i64 = on.iter().map(|s| s.2).sum();
            if total > 0 {
                earlier = t.f(
                    "changes-earlier-opinions",
                    &[
                        ("round", &crate::lang::round_number(before, lang)),
                        ("label", &label(old)),
                        ("n", &total.to_string()),
                    ],
                );
                let mut lines: Vec<(i64, String)> = on
                    .iter()
                    .map(|(_, g, n)| {
                        let name = match g.as_deref().and_then(|g| titles.get(g)) {
                            Some(g) => match &g.outcome {
                                Some(o) => t.f(
                                    "changes-group-outcome",
                                    &[
                                        ("title", &g.title),
                                        ("outcome", &t.s(&format!("outcome-{o}"))),
                                    ],
                                ),
                                None => g.title.clone(),
                            },
                            None => t.s("changes-ungrouped"),
                        };
                        (
                            *n,
                            t.f(
                                "changes-spread-line",
                                &[("name", &name), ("n", &n.to_string())],
                            ),
                        )
                    })
                    .collect();
                lines.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                spread = lines.into_iter().map(|(_, s)| s).collect();
            }
        }
        let mut refs = Vec::new();
        if c.is_change() {
            if let Some(number) = c.old_number {
                refs.push(ArticleRef {
                    round: before,
                    number,
                });
            }
            if let Some(number) = c.new_number {
                refs.push(ArticleRef {
                    round: l.draft.round,
                    number,
                });
            }
        }
        let names: Vec<String> = refs
            .iter()
            .map(|r| format!("{}:{}", r.round, r.number))
            .collect();
        let ticked = |g: &GroupRow| {
            l.linked.get(&g.id).is_some_and(|ls| {
                ls.iter()
                    .any(|&(round, number)| refs.contains(&ArticleRef { round, number }))
            })
        };
        let anchor = format!(
            "article-{}",
            names
                .first()
                .cloned()
                .unwrap_or_else(|| { format!("{}:{number}", l.draft.round) })
        )
        .replace(':', "-");
        let error = refused
            .as_ref()
            .filter(|(name, _)| names.first() == Some(name))
            .map(|(_, e)| refusal_text(e, lang));
        cards.push(ChangeCard {
            anchor,
            label: label(number),
            kind: change_kind(c),
            note: change_note(&t, c),
            heading: c.heading.as_deref().map(pieces).unwrap_or_default(),
            text: pieces(&c.text),
            earlier,
            spread,
            groups: if names.is_empty() {
                Vec::new()
            } else {
                adopted
                    .iter()
                    .map(|g| {
                        let size = sizes.get(g.id.as_str()).copied().unwrap_or(0);
                        (g.id.clone(), format!("{} ({size})", g.title), ticked(g))
                    })
                    .collect()
            },
            names,
            linked: r
                .in_response_to
                .as_ref()
                .map(|w| t.n("pub-change-in-response", w.opinions))
                .unwrap_or_default(),
            error,
        });
    }
    let changed = cards.iter().filter(|c| !c.names.is_empty()).count();
    let linked = cards
        .iter()
        .filter(|c| !c.names.is_empty() && !c.linked.is_empty())
        .count();
    let frame = Frame::new(state, req, who, "/staff/drafts");
    let status = match &refused {
        Some((_, e)) => crate::http::error::status_of(e.kind),
        None => actix_web::http::StatusCode::OK,
    };
    page(
        status,
        &frame,
        &ChangesPage {
            f: frame.clone(),
            draft_id: l.draft.id.clone(),
            title: l.draft.title.clone(),

            first: l.draft.round < 2,
            before: crate::lang::round_number(before.max(1), lang),
            now: crate::lang::round_number(l.draft.round, lang),
            can_write: who.has(Role::Drafter) && l.draft.state != "withdrawn",
            cards,
            changed,
            linked,
        },
    )
}

/// `GET /staff/drafts/{id}/changes` (drafters and reviewers of a draft past its first round).
pub async fn show_changes(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
) -> PageResult {
    render_changes(&state, &req, &who, path.into_inner(), None).await
}

/// `POST /staff/drafts/{id}/changes` (`article`: the change's names, the first for a new
/// link; `group_id`: the ticked groups of the round before).
pub async fn submit_changes(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
    payload: web::Payload,
) -> PageResult {
    let form = who
        .read_form(&state, &req, payload, &[Role::Drafter])
        .await?;
    let id = path.into_inner();
    let t = T::current();
    let names: Vec<String> = form.all("article");
    let refs: Option<Vec<ArticleRef>> = names.iter().map(|n| parse_ref(n)).collect();
    let groups = form.all("group_id");
    let actor = who.actor();
    let now = state.clock.now();
    let key = id.clone();
    let result = state
        .db(move |conn| {
            let refs = refs.filter(|r| !r.is_empty()).ok_or_else(|| {
                AppError::field("article", crate::l!("请指明条文", "Name the article"))
            })?;
            let draft = service::review::load_draft(conn, &key)?;
            service::changes::set_causes(
                conn,
                &actor,
                now,
                &draft.id,
                draft.round - 1,
                &refs,
                &groups,
            )
        })
        .await;
    let first = names.first().cloned().unwrap_or_default();
    match result {
        Ok(_) => Ok(redirect(
            &state,
            &format!(
                "/staff/drafts/{id}/changes#article-{}",
                first.replace(':', "-")
            ),
            Some(Flash::success(t.s("changes-saved"))),
        )),
        Err(e) if e.kind == crate::error::ErrorKind::Forbidden => Err(e.into()),
        Err(e) if e.kind == crate::error::ErrorKind::NotFound => Err(e.into()),
        Err(e) => render_changes(&state, &req, &who, id, Some((first, e))).await,
    }
}

#[derive(Template)]
#[template(path = "staff/new_round.html")]
struct NewRoundPage {
    f: Frame,
    draft_id: String,
    title: String,
    next: String,
    summary: String,
    opens_on: String,
    closes_on: String,
    errors: Errors,
    message: Option<String>,
}

async fn render_new_round(
    state: &AppState,
    req: &HttpRequest,
    who: &SignedIn,
    draft_id: String,
    refused: Option<(Form, AppError)>,
) -> PageResult {
    who.require(&[Role::Drafter])?;
    let actor = who.actor();
    let d = state
        .db(move |conn| {
            let d = q::find(conn, &draft_id)?.ok_or_else(AppError::not_found)?;
            actor.may(conn, Act::Draft, &d)?;
            if d.drafter_id != actor.id {
                return Err(AppError::forbidden(crate::l!(
                    "只有该草案的起草人可以开启新一轮征求意见。",
                    "Only the draft's drafter may open its next round."
                )));
            }
            Ok(d)
        })
        .await?;
    let t = T::current();
    let (errors, message, form, status) = match refused {
        Some((form, e)) => {
            let (errors, message) = refusal(&e, t.0);
            (errors, message, form, crate::http::error::status_of(e.kind))
        }
        None => (
            Errors::default(),
            None,
            Form::default(),
            actix_web::http::StatusCode::OK,
        ),
    };
    let frame = Frame::new(state, req, who, "/staff/drafts");
    page(
        status,
        &frame,
        &NewRoundPage {
            f: frame.clone(),
            next: crate::lang::round_number(d.round + 1, t.0),
            summary: form.get("summary").unwrap_or(&d.summary).to_string(),
            opens_on: form.get("opens_on").unwrap_or_default().to_string(),
            closes_on: form.get("closes_on").unwrap_or_default().to_string(),
            draft_id: d.id,
            title: d.title,
            errors,
            message,
        },
    )
}

/// `GET /staff/drafts/{id}/rounds/new` (drafters).
pub async fn show_new_round(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
) -> PageResult {
    render_new_round(&state, &req, &who, path.into_inner(), None).await
}

/// A date field of the form: absent when blank, refused beside the field when not a date.
fn date_field(form: &Form, name: &str) -> AppResult<Option<NaiveDate>> {
    match form.text(name) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| AppError::field(name, crate::lang::ftl::both("date-invalid"))),
    }
}

/// `POST /staff/drafts/{id}/rounds/new`: opens the next round with the last round's text,
/// then sends the drafter to the editor to revise it.
pub async fn submit_new_round(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: SignedIn,
    path: web::Path<String>,
    payload: web::Payload,
) -> PageResult {
    let form = who
        .read_form(&state, &req, payload, &[Role::Drafter])
        .await?;
    let id = path.into_inner();
    let t = T::current();
    let actor = who.actor();
    let now = state.clock.now();
    let config = state.config.clone();
    let (key, f2) = (id.clone(), form.clone());
    let result = state
        .db(move |conn| {
            let opens_on = date_field(&f2, "opens_on")?;
            let closes_on = date_field(&f2, "closes_on")?;
            let articles = q::articles_of(conn, &key)?
                .into_iter()
                .map(|a| ArticleInput {
                    heading: a.heading,
                    text: a.text,
                })
                .collect();
            let input = RoundInput {
                articles,
                summary: f2.text("summary"),
                opens_on,
                closes_on,
            };
            service::drafts::open_round(conn, &config, &actor, now, &key, input)
        })
        .await;
    state.comments.forget_draft(&id);
    match result {
        Ok(round) => Ok(redirect(
            &state,
            &format!("/staff/drafts/{id}/edit"),
            Some(Flash::success(t.a(
                "round-opened",
                "round",
                &crate::lang::round_number(round, t.0),
            ))),
        )),
        Err(e) if e.kind == crate::error::ErrorKind::Forbidden => Err(e.into()),
        Err(e) if e.kind == crate::error::ErrorKind::NotFound => Err(e.into()),
        Err(e) => render_new_round(&state, &req, &who, id, Some((form, e))).await,
    }
}
