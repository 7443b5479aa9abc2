//! R1–R4: drafts and their materials: create, change (its drafter, while `drafting`), add a
//! material. The period is checked against R4 here and again at approval.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::json;
use validator::Validate;

use super::Actor;
use super::access::Act;
use crate::config::Config;
use crate::db::drafts::{self as q, DraftFields, DraftRow};
use crate::db::{self, DbConn, materials};
use crate::domain::files;
use crate::domain::period::{self, CommentPeriod, PeriodError};
use crate::domain::roles::Role;
use crate::domain::workflow::{DraftKind, DraftState, MaterialKind};
use crate::error::{AppError, AppResult, ErrorKind, FieldErrors};
use crate::l;

#[derive(Debug, Clone, Copy, Deserialize, Validate, utoipa::ToSchema)]
pub struct PeriodInput {
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct ArticleInput {
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub heading: Option<String>,
    #[validate(length(min = 1, max = 20000))]
    #[schema(min_length = 1, max_length = 20000)]
    pub text: String,
}

#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct DraftInput {
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub doc_number: Option<String>,
    /// The owning agency, by its code or its name: one the drafter belongs to.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub agency: String,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub category: String,
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub subject_terms: Vec<String>,
    pub kind: DraftKind,
    #[serde(default)]
    pub enterprise_related: bool,
    #[serde(default)]
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub summary: String,
    #[serde(default)]
    #[validate(nested)]
    pub articles: Vec<ArticleInput>,
    #[validate(nested)]
    pub comment_period: PeriodInput,
}

#[derive(Debug, Default, Deserialize, Validate, utoipa::ToSchema)]
pub struct DraftPatch {
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    /// An empty string clears the document number.
    #[validate(length(max = 100))]
    #[schema(max_length = 100)]
    pub doc_number: Option<String>,
    /// Another agency, by its code or its name: one the drafter belongs to.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub agency: Option<String>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub category: Option<String>,
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub subject_terms: Option<Vec<String>>,
    pub kind: Option<DraftKind>,
    pub enterprise_related: Option<bool>,
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub summary: Option<String>,
    #[validate(nested)]
    pub articles: Option<Vec<ArticleInput>>,
    #[validate(nested)]
    pub comment_period: Option<PeriodInput>,
}

/// R4: the minimum length for a kind of draft.
pub fn min_days(config: &Config, kind: &str) -> u32 {
    if kind == DraftKind::MajorDecision.as_str() {
        config.window.major_decision_min_days
    } else {
        config.window.min_days
    }
}

/// The site's zone, or the one stored with a draft.
pub fn zone(name: &str) -> chrono_tz::Tz {
    name.parse().unwrap_or(chrono_tz::Asia::Shanghai)
}

/// R4 refusals as answers: 422 on the field when a drafter proposes the dates, 409 when
/// the approval finds them no longer possible.
pub fn period_error(e: PeriodError, at_approval: bool) -> AppError {
    period_problem(e, at_approval, "comment_period.")
}

/// `period_error` for a body whose dates are named `{prefix}opens_on` and `{prefix}closes_on`.
fn period_problem(e: PeriodError, at_approval: bool, prefix: &str) -> AppError {
    let (field, message, extra) = match e {
        PeriodError::TooShort {
            earliest_closes_on,
            min_days,
        } => (
            format!("{prefix}closes_on"),
            l!(
                "征求意见期不得少于 {} 日（按 {} 小时计），截止日期最早为 {}。",
                "The comment period must last at least {} days ({} hours); the earliest allowed closes_on is {}.",
                min_days,
                24 * min_days,
                earliest_closes_on
            ),
            ("earliest_closes_on", json!(earliest_closes_on.to_string())),
        ),
        PeriodError::OpensBeforeApproval { approval_date } => (
            format!("{prefix}opens_on"),
            l!(
                "征求意见开始日期早于批准日期（{}），请退回修改日期。",
                "opens_on lies before the approval date ({}); return the draft to fix its dates.",
                approval_date
            ),
            ("approval_date", json!(approval_date.to_string())),
        ),
        PeriodError::NotLater { closes_on } => (
            "closes_on".to_owned(),
            l!(
                "延期后的截止日期必须晚于现在的截止日期 {}。",
                "An extension must move closes_on later than {}.",
                closes_on
            ),
            ("current_closes_on", json!(closes_on.to_string())),
        ),
        PeriodError::OutOfRange { date, opening } => (
            if opening {
                format!("{prefix}opens_on")
            } else {
                format!("{prefix}closes_on")
            },
            l!(
                "日期 {} 超出范围：请填写 {} 至 {} 之间的日期。",
                "The date {} is out of range: give a date from {} to {}.",
                date,
                period::FIRST_DATE,
                period::LAST_DATE
            ),
            ("date", json!(date.to_string())),
        ),
    };
    if at_approval {
        AppError::conflict(ErrorKind::InvalidPeriod, message)
            .with("field", json!(field))
            .with(extra.0, extra.1)
    } else {
        AppError::field(&field, message).with(extra.0, extra.1)
    }
}

fn trimmed(s: &str) -> String {
    s.trim().to_string()
}

/// Checks what `validator` cannot (blank texts, the period) and builds the stored fields.
#[expect(
    clippy::too_many_arguments,
    reason = "the fields of a draft, merged from a create or a patch"
)]
pub fn build_fields(
    config: &Config,
    tz: chrono_tz::Tz,
    title: &str,
    doc_number: Option<&str>,
    agency: &str,
    category: &str,
    subject_terms: &[String],
    kind: &str,
    enterprise_related: bool,
    summary: &str,
    articles: Vec<(Option<String>, String)>,
    period: CommentPeriod,
) -> AppResult<DraftFields> {
    let mut errors = FieldErrors::new();
    let blank = l!("不能为空", "must not be blank");
    for (name, value) in [("title", title), ("agency", agency), ("category", category)] {
        if value.trim().is_empty() {
            errors.insert(name.into(), vec![blank.clone()]);
        }
    }
    for (i, (_, text)) in articles.iter().enumerate() {
        if text.trim().is_empty() {
            errors.insert(format!("articles[{i}].text"), vec![blank.clone()]);
        }
    }
    for (i, t) in subject_terms.iter().enumerate() {
        if t.trim().is_empty() || t.chars().count() > 50 {
            errors.insert(
                format!("subject_terms[{i}]"),
                vec![l!("主题词应为 1–50 个字", "must be 1–50 characters")],
            );
        }
    }
    if articles.len() > 500 {
        errors.insert(
            "articles".into(),
            vec![l!("条文不得超过 500 条", "at most 500 articles")],
        );
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let window = period::check(tz, period, min_days(config, kind), None)
        .map_err(|e| period_error(e, false))?;
    Ok(DraftFields {
        title: trimmed(title),
        doc_number: doc_number
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(String::from),
        agency: trimmed(agency),
        // Filled in by the caller from the agency `agency` names.
        agency_code: String::new(),
        category: trimmed(category),
        subject_terms: subject_terms.iter().map(|t| trimmed(t)).collect(),
        kind: kind.to_string(),
        enterprise_related,
        summary: summary.trim().to_string(),
        articles: articles
            .into_iter()
            .map(|(h, t)| (h.map(|h| trimmed(&h)).filter(|h| !h.is_empty()), t))
            .collect(),
        opens_on: period.opens_on,
        closes_on: period.closes_on,
        opens_at: window.opens_at,
        closes_at: window.closes_at,
    })
}

pub fn article_pairs(list: Vec<ArticleInput>) -> Vec<(Option<String>, String)> {
    list.into_iter().map(|a| (a.heading, a.text)).collect()
}

/// R1: edits belong to the draft's drafter (403 for anyone else) and to `drafting` (409).
pub fn check_own_drafting(d: &DraftRow, me: &str) -> AppResult<()> {
    if d.drafter_id != me {
        return Err(AppError::forbidden(l!(
            "只有该草案的起草人可以修改它。",
            "Only the draft's drafter may change it."
        )));
    }
    if d.state != DraftState::Drafting.as_str() {
        return Err(AppError::wrong_state(l!(
            "草案处于“{}”状态，只有起草中的草案可以修改；如需修改请先退回。",
            "The draft is `{}`; only a draft in `drafting` can be changed (have it returned first).",
            d.state
        ))
        .with("state", json!(d.state)));
    }
    Ok(())
}

/// R8: the text and period of a draft's next round.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
pub struct RoundInput {
    /// The revised articles, in order (numbered from 1).
    #[validate(nested)]
    #[schema(min_items = 1, max_items = 500)]
    pub articles: Vec<ArticleInput>,
    /// The summary of the new round: what changed since the last one, and why. Absent: the
    /// last round's summary stays.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub summary: Option<String>,
    /// Absent: tomorrow (the site's date).
    pub opens_on: Option<NaiveDate>,
    /// Absent: the earliest the minimum period allows (R4).
    pub closes_on: Option<NaiveDate>,
}

/// R8: opens the next round of a draft whose current round's report is published: the
/// draft's own drafter gives the revised articles (and perhaps a new summary and period);
/// the draft goes back to `drafting` for the whole review chain (R7) and its period is
/// checked as a new one (R4). Returns the new round's number.
pub fn open_round(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    now: DateTime<Utc>,
    id: &str,
    input: RoundInput,
) -> AppResult<i32> {
    actor.require(&[Role::Drafter])?;
    crate::error::validated(&input)?;
    if input.articles.is_empty() {
        return Err(AppError::field(
            "articles",
            l!(
                "请提交修改后的全部条文",
                "give every article of the revised text"
            ),
        ));
    }
    db::write_tx(conn, |conn| {
        let d = q::find(conn, id)?.ok_or_else(AppError::not_found)?;
        actor.may(conn, Act::Draft, &d)?;
        if d.drafter_id != actor.id {
            return Err(AppError::forbidden(l!(
                "只有该草案的起草人可以开启新一轮征求意见。",
                "Only the draft's drafter may open its next round."
            )));
        }
        let report_published = crate::db::reports::latest(conn, &d.id, d.round)?
            .is_some_and(|r| r.state == "published");
        if d.state != DraftState::Concluded.as_str() || !report_published {
            return Err(AppError::wrong_state(l!(
                "第 {} 轮的采纳情况报告发布后，才能开启下一轮征求意见。",
                "The next round opens only after round {}'s adoption report is published.",
                d.round
            ))
            .with("state", json!(d.state))
            .with("round", json!(d.round)));
        }
        let tz = zone(&d.timezone);
        let opens_on = input
            .opens_on
            .unwrap_or_else(|| (now.with_timezone(&tz) + chrono::TimeDelta::days(1)).date_naive());
        let closes_on = input
            .closes_on
            .unwrap_or_else(|| earliest_closes_on(config, &d.kind, opens_on));
        let period = CommentPeriod {
            opens_on,
            closes_on,
        };
        period::check(tz, period, min_days(config, &d.kind), None)
            .map_err(|e| period_problem(e, false, ""))?;
        let fields = build_fields(
            config,
            tz,
            &d.title,
            d.doc_number.as_deref(),
            &d.agency,
            &d.category,
            &d.subject_terms(),
            &d.kind,
            d.enterprise_related,
            input.summary.as_deref().unwrap_or(&d.summary),
            article_pairs(input.articles.clone()),
            period,
        )?;
        Ok(q::open_next_round(conn, now, &actor.id, &d, &fields)?)
    })
}

/// R1: a new draft in `drafting`, drafted by `actor`; returns its id.
pub fn create_draft(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    now: DateTime<Utc>,
    input: DraftInput,
) -> AppResult<String> {
    actor.require(&[Role::Drafter])?;
    crate::error::validated(&input)?;
    let tz = config.timezone();
    let mut fields = build_fields(
        config,
        tz,
        &input.title,
        input.doc_number.as_deref(),
        &input.agency,
        &input.category,
        &input.subject_terms,
        input.kind.as_str(),
        input.enterprise_related,
        &input.summary,
        article_pairs(input.articles),
        CommentPeriod {
            opens_on: input.comment_period.opens_on,
            closes_on: input.comment_period.closes_on,
        },
    )?;
    // R1: the index number carries the site's prefix and the local year.
    let prefix = format!(
        "{}-{}",
        config.site.index_prefix,
        now.with_timezone(&tz).format("%Y")
    );
    db::write_tx(conn, |conn| {
        // Only for an agency the drafter belongs to.
        let agency = actor.may_draft_for(conn, &fields.agency)?;
        fields.agency = agency.name;
        fields.agency_code = agency.code;
        Ok::<_, AppError>(q::create(
            conn,
            now,
            &actor.id,
            &prefix,
            &config.site.timezone,
            &fields,
        )?)
    })
}

/// R1: changes the fields `patch` names; only the draft's drafter, only in `drafting`.
pub fn update_draft(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    now: DateTime<Utc>,
    id: &str,
    patch: DraftPatch,
) -> AppResult<()> {
    actor.require(&[Role::Drafter])?;
    crate::error::validated(&patch)?;
    let me = actor.id.as_str();
    db::write_tx(conn, |conn| {
        let d = q::find(conn, id)?.ok_or_else(AppError::not_found)?;
        actor.may(conn, Act::Draft, &d)?;
        check_own_drafting(&d, me)?;
        let mut changed: Vec<&str> = Vec::new();
        macro_rules! note {
            ($field:ident) => {
                if patch.$field.is_some() {
                    changed.push(stringify!($field));
                }
            };
        }
        note!(title);
        note!(doc_number);
        note!(agency);
        note!(category);
        note!(subject_terms);
        note!(kind);
        note!(enterprise_related);
        note!(summary);
        note!(articles);
        note!(comment_period);
        let current_articles: Vec<(Option<String>, String)> = q::articles_of(conn, id)?
            .into_iter()
            .map(|a| (a.heading, a.text))
            .collect();
        let period = patch.comment_period.map_or(
            CommentPeriod {
                opens_on: d.opens_on,
                closes_on: d.closes_on,
            },
            |p| CommentPeriod {
                opens_on: p.opens_on,
                closes_on: p.closes_on,
            },
        );
        let doc_number = match &patch.doc_number {
            Some(s) => Some(s.as_str()),
            None => d.doc_number.as_deref(),
        };
        let mut fields = build_fields(
            config,
            zone(&d.timezone),
            patch.title.as_deref().unwrap_or(&d.title),
            doc_number,
            patch.agency.as_deref().unwrap_or(&d.agency),
            patch.category.as_deref().unwrap_or(&d.category),
            &patch
                .subject_terms
                .clone()
                .unwrap_or_else(|| d.subject_terms()),
            patch.kind.map_or(d.kind.as_str(), |k| k.as_str()),
            patch.enterprise_related.unwrap_or(d.enterprise_related),
            patch.summary.as_deref().unwrap_or(&d.summary),
            patch
                .articles
                .clone()
                .map_or(current_articles, article_pairs),
            period,
        )?;
        // Moved to another agency only by a drafter who belongs to it.
        if patch.agency.is_some() {
            let agency = actor.may_draft_for(conn, &fields.agency)?;
            fields.agency = agency.name;
            fields.agency_code = agency.code;
        } else {
            fields.agency_code = d.agency_code.clone();
        }
        q::update(conn, now, me, &d, &fields, &changed)?;
        Ok::<_, AppError>(())
    })
}

/// A file as it came in, before its content is checked.
pub struct UploadedFile {
    pub name: String,
    pub data: Vec<u8>,
}

/// What a new material holds.
pub struct NewMaterial {
    pub kind: MaterialKind,
    pub title: String,
    pub body: String,
    pub file: Option<UploadedFile>,
}

/// R2: adds a material to a draft (its drafter, while `drafting`); returns the material's id.
/// The file's type is judged from its bytes.
pub fn add_material(
    conn: &mut DbConn,
    config: &Config,
    actor: &Actor,
    now: DateTime<Utc>,
    draft_id: &str,
    input: NewMaterial,
) -> AppResult<String> {
    actor.require(&[Role::Drafter])?;
    let title = input.title.trim();
    if title.is_empty() {
        return Err(AppError::field(
            "title",
            l!("不能为空", "must not be blank"),
        ));
    }
    if title.chars().count() > 300 {
        return Err(AppError::field(
            "title",
            l!("不得超过 300 个字", "at most 300 characters"),
        ));
    }
    if input.body.chars().count() > 200_000 {
        return Err(AppError::field(
            "body",
            l!("不得超过 200000 个字", "at most 200,000 characters"),
        ));
    }
    let max_file = config.limits.max_upload_bytes;
    let file = match input.file {
        None => None,
        Some(f) => {
            if f.data.len() > max_file {
                return Err(AppError::too_large(max_file));
            }
            let content_type = files::sniff(&f.data).ok_or_else(|| {
                AppError::new(
                    ErrorKind::UnsupportedMediaType,
                    l!(
                        "仅接受 PDF、DOCX、ODT、PNG 或 JPEG 文件（按文件内容判断）。",
                        "Only PDF, DOCX, ODT, PNG or JPEG files are accepted (judged by their content)."
                    ),
                )
                .with("field", json!("file"))
            })?;
            Some(materials::NewFile {
                name: files::clean_name(&f.name),
                content_type,
                data: f.data,
            })
        }
    };
    if input.body.trim().is_empty() && file.is_none() {
        return Err(AppError::field(
            "body",
            l!("请填写正文或附上文件", "write a body or attach a file"),
        ));
    }
    db::write_tx(conn, |conn| {
        let d = q::find(conn, draft_id)?.ok_or_else(AppError::not_found)?;
        actor.may(conn, Act::Draft, &d)?;
        check_own_drafting(&d, &actor.id)?;
        Ok::<_, AppError>(materials::create(
            conn,
            now,
            &actor.id,
            materials::NewMaterial {
                draft_id,
                kind: input.kind.as_str(),
                title,
                body: input.body.trim(),
                file,
            },
        )?)
    })
}

/// R4: the earliest `closes_on` allowed for a window opening on `opens_on` (before the
/// approval moves its start), for the editor to show beside the field.
pub fn earliest_closes_on(config: &Config, kind: &str, opens_on: NaiveDate) -> NaiveDate {
    match period::check(
        config.timezone(),
        CommentPeriod {
            opens_on,
            closes_on: opens_on,
        },
        min_days(config, kind),
        None,
    ) {
        Err(PeriodError::TooShort {
            earliest_closes_on, ..
        }) => earliest_closes_on,
        _ => opens_on,
    }
}

/// Splits pasted text into articles at each "第一条", "第二条"… (or "Article 1", "Art. 2"),
/// keeping the heading the officer wrote after the number on the same line short. Text
/// before the first marker becomes its own article when it is not blank.
pub fn split_articles(text: &str) -> Vec<ArticleInput> {
    let mut out: Vec<ArticleInput> = Vec::new();
    let mut current: Option<String> = None;
    let mut preamble = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(rest) = article_marker(trimmed) {
            if let Some(body) = current.take() {
                out.push(ArticleInput {
                    heading: None,
                    text: body.trim().to_string(),
                });
            }
            current = Some(rest.to_string());
        } else {
            match current.as_mut() {
                Some(body) => {
                    body.push('\n');
                    body.push_str(trimmed);
                }
                None => {
                    preamble.push_str(trimmed);
                    preamble.push('\n');
                }
            }
        }
    }
    if let Some(body) = current {
        out.push(ArticleInput {
            heading: None,
            text: body.trim().to_string(),
        });
    }
    if !preamble.trim().is_empty() {
        out.insert(
            0,
            ArticleInput {
                heading: None,
                text: preamble.trim().to_string(),
            },
        );
    }
    out.retain(|a| !a.text.is_empty());
    out
}

/// The text after an article marker at the start of `line`, if it has one.
fn article_marker(line: &str) -> Option<&str> {
    const NUMERALS: &str = "零〇一二三四五六七八九十百千两";
    if let Some(rest) = line.strip_prefix('第') {
        let end = rest
            .char_indices()
            .find(|(_, c)| !(NUMERALS.contains(*c) || c.is_ascii_digit()))
            .map(|(i, _)| i)?;
        if end == 0 {
            return None;
        }
        let after = rest[end..].strip_prefix('条')?;
        return Some(after.trim_start_matches([' ', '\u{3000}', '：', ':', '　']));
    }
    let lower = line.to_ascii_lowercase();
    for prefix in ["article ", "art. ", "art "] {
        if lower.starts_with(prefix) {
            let rest = &line[prefix.len()..];
            let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            return Some(rest[digits..].trim_start_matches(['.', ':', ' ', ')']));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_chinese_articles_split_at_each_marker() {
        let text = "第一条　为了规范法律援助工作，制定本办法。\n第二条 本办法适用于全县。\n续行文字。\n第十二条：附则。";
        let a = split_articles(text);
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].text, "为了规范法律援助工作，制定本办法。");
        assert_eq!(a[1].text, "本办法适用于全县。\n续行文字。");
        assert_eq!(a[2].text, "附则。");
    }

    #[test]
    fn pasted_english_articles_and_a_preamble() {
        let text = "Preamble words\nArticle 1. Scope of this rule.\nArticle 2: Definitions.\n";
        let a = split_articles(text);
        assert_eq!(a.len(), 3);
        assert_eq!(a[0].text, "Preamble words");
        assert_eq!(a[1].text, "Scope of this rule.");
        assert_eq!(a[2].text, "Definitions.");
    }

    #[test]
    fn text_without_markers_is_one_article_and_a_sentence_is_not_a_marker() {
        let a = split_articles("依照第三条的规定办理\n没有条号");
        assert_eq!(a.len(), 1);
    }
}
