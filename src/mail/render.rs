//! R24: turns an outbox row into a mail: subject, text and HTML parts in the recipient's
//! locale, and the list headers (RFC 8058 one-click unsubscribe). Rendering reads the draft
//! as it is when the worker first takes the message, and the result is stored, so every
//! later attempt sends the same bytes.

use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::Value;

use super::links::{self, Unsubscribe};
use crate::db::DbConn;
use crate::db::outbox::OutboxMessage;
use crate::db::schema::{drafts, materials};
use crate::domain::mail::normalize_email;

/// What rendering needs from the configuration.
#[derive(Debug, Clone)]
pub struct RenderContext {
    pub site_name: String,
    /// `server.public_url` without a trailing slash.
    pub public_url: String,
    pub secret: String,
    pub timezone: chrono_tz::Tz,
}

impl RenderContext {
    /// The context of a site's configuration and its link-signing secret.
    pub fn new(config: &crate::config::Config, secret: &str) -> RenderContext {
        RenderContext {
            site_name: config.site.name.clone(),
            public_url: config.server.public_url.trim_end_matches('/').to_string(),
            secret: secret.to_string(),
            timezone: config.timezone(),
        }
    }
}

/// The draft as a mail shows it.
#[derive(Debug, Clone)]
pub struct DraftInfo {
    pub id: String,
    pub title: String,
    pub index_no: String,
    pub opens_on: Option<NaiveDate>,
    pub closes_on: Option<NaiveDate>,
    /// (id, title), in the draft's order.
    pub materials: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct Link {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct Action {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct Fact {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct DraftBlock {
    pub title: String,
    pub index_no: String,
    pub period: String,
    pub url: String,
    pub materials: Vec<Link>,
}

/// A composed mail, before templating.
#[derive(Debug, Clone)]
pub struct Letter {
    pub en: bool,
    pub site_name: String,
    pub subject: String,
    pub greeting: String,
    pub paragraphs: Vec<String>,
    pub facts: Vec<Fact>,
    pub draft: Option<DraftBlock>,
    pub action: Option<Action>,
    /// Why the recipient gets this mail (completes "You receive this mail because …").
    pub reason: String,
    pub unsubscribe_url: Option<String>,
    /// The RFC 8058 one-click target (`List-Unsubscribe`).
    pub one_click_url: Option<String>,
}

#[derive(Template)]
#[template(path = "mail-letter.txt", escape = "none")]
struct LetterText<'a> {
    l: &'a Letter,
}

#[derive(Template)]
#[template(path = "mail-letter.html")]
struct LetterHtml<'a> {
    l: &'a Letter,
}

/// A rendered mail, as stored in the outbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Extra headers, in order.
    pub headers: Vec<(String, String)>,
}

impl Rendered {
    pub fn headers_json(&self) -> String {
        Value::Array(
            self.headers
                .iter()
                .map(|(k, v)| Value::Array(vec![Value::from(k.as_str()), Value::from(v.as_str())]))
                .collect(),
        )
        .to_string()
    }

    /// What a stored row holds, if it was rendered already.
    pub fn from_row(msg: &OutboxMessage) -> Option<Rendered> {
        let headers: Vec<(String, String)> = serde_json::from_str(msg.headers.as_deref()?).ok()?;
        Some(Rendered {
            subject: msg.subject.clone()?,
            text: msg.body_text.clone()?,
            html: msg.body_html.clone()?,
            headers,
        })
    }
}

/// Kinds of mail that belong to a list: they carry an unsubscribe link and the RFC 8058
/// headers. Receipts, confirmations and staff reminders are not list mail.
pub fn is_list_mail(kind: &str) -> bool {
    matches!(
        kind,
        "draft_opened"
            | "draft_extended"
            | "draft_closing_soon"
            | "report_published"
            | "invitation"
    )
}

/// Renders a row, reading the draft and subscription it refers to. The outer error is the
/// database's (try again later); the inner one says the row cannot be rendered at all.
pub fn render_message(
    ctx: &RenderContext,
    conn: &mut DbConn,
    msg: &OutboxMessage,
) -> QueryResult<Result<Rendered, String>> {
    let payload: Value = match serde_json::from_str(&msg.payload) {
        Ok(v) => v,
        Err(e) => return Ok(Err(format!("payload is not JSON: {e}"))),
    };
    let draft_id = msg
        .draft_id
        .clone()
        .or_else(|| str_of(&payload, "draft_id"));
    let draft = match draft_id {
        Some(id) => load_draft(conn, &id)?,
        None => None,
    };
    let scope = match str_of(&payload, "subscription_id") {
        Some(id) => {
            crate::db::subscriptions::by_id(conn, &id)?.map(|s| (s.scope_kind, s.scope_value))
        }
        None => None,
    };
    let scope_label = scope.map(|(kind, value)| {
        let title = draft
            .as_ref()
            .filter(|d| d.id == value)
            .map(|d| d.title.clone())
            .unwrap_or_else(|| value.clone());
        describe_scope(msg.locale == "en", &kind, &value, &title)
    });
    Ok(compose(
        ctx,
        &msg.kind,
        &msg.locale,
        &msg.recipient,
        &payload,
        draft.as_ref(),
        scope_label.as_deref(),
    )
    .and_then(|letter| render_letter(&letter)))
}

/// Templating and headers.
pub fn render_letter(letter: &Letter) -> Result<Rendered, String> {
    let text = LetterText { l: letter }
        .render()
        .map_err(|e| format!("text template: {e}"))?;
    let html = LetterHtml { l: letter }
        .render()
        .map_err(|e| format!("HTML template: {e}"))?;
    let mut headers = vec![("Auto-Submitted".to_string(), "auto-generated".to_string())];
    if let Some(url) = &letter.one_click_url {
        // R21, RFC 8058: a mail client may POST `List-Unsubscribe=One-Click` to this URL.
        headers.push(("List-Unsubscribe".into(), format!("<{url}>")));
        headers.push((
            "List-Unsubscribe-Post".into(),
            "List-Unsubscribe=One-Click".into(),
        ));
    }
    Ok(Rendered {
        subject: letter.subject.clone(),
        text,
        html,
        headers,
    })
}

fn load_draft(conn: &mut DbConn, id: &str) -> QueryResult<Option<DraftInfo>> {
    let row: Option<(String, String, NaiveDate, NaiveDate)> = drafts::table
        .find(id)
        .select((
            drafts::title,
            drafts::index_no,
            drafts::opens_on,
            drafts::closes_on,
        ))
        .first(conn)
        .optional()?;
    let Some((title, index_no, opens_on, closes_on)) = row else {
        return Ok(None);
    };
    let materials = materials::table
        .filter(materials::draft_id.eq(id))
        .order((materials::position.asc(), materials::id.asc()))
        .select((materials::id, materials::title))
        .load(conn)?;
    Ok(Some(DraftInfo {
        id: id.to_string(),
        title,
        index_no,
        opens_on: Some(opens_on),
        closes_on: Some(closes_on),
        materials,
    }))
}

fn str_of(payload: &Value, key: &str) -> Option<String> {
    match payload.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub fn format_date(en: bool, d: NaiveDate) -> String {
    if en {
        d.format("%-d %B %Y").to_string()
    } else {
        d.format("%Y年%-m月%-d日").to_string()
    }
}

fn format_period(en: bool, opens: NaiveDate, closes: NaiveDate) -> String {
    if en {
        format!(
            "{} to {}",
            format_date(true, opens),
            format_date(true, closes)
        )
    } else {
        format!(
            "{}至{}",
            format_date(false, opens),
            format_date(false, closes)
        )
    }
}

fn format_instant(en: bool, t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    let local = t.with_timezone(&tz);
    if en {
        format!("{} ({tz})", local.format("%-d %B %Y, %H:%M"))
    } else {
        format!("{}（{tz}）", local.format("%Y年%-m月%-d日 %H:%M"))
    }
}

/// "all drafts", "drafts of the agency X", … for the footer and the confirmation mail.
pub fn describe_scope(en: bool, kind: &str, value: &str, draft_title: &str) -> String {
    match (en, kind) {
        (true, "agency") => format!("drafts published by {value}"),
        (false, "agency") => format!("{value}发布的草案"),
        (true, "category") => format!("drafts in the category {value}"),
        (false, "category") => format!("公开目录“{value}”下的草案"),
        (true, "draft") => format!("the draft “{draft_title}”"),
        (false, "draft") => format!("草案“{draft_title}”"),
        (true, _) => "all drafts".to_string(),
        (false, _) => "全部草案".to_string(),
    }
}

/// R24: the words of each kind of mail, in the recipient's locale.
pub fn compose(
    ctx: &RenderContext,
    kind: &str,
    locale: &str,
    recipient: &str,
    payload: &Value,
    draft: Option<&DraftInfo>,
    scope_label: Option<&str>,
) -> Result<Letter, String> {
    let en = locale == "en";
    let t = |zh: &str, english: &str| {
        if en {
            english.to_string()
        } else {
            zh.to_string()
        }
    };
    let base = &ctx.public_url;
    let title = draft
        .map(|d| d.title.clone())
        .or_else(|| str_of(payload, "draft_title"))
        .unwrap_or_default();
    let draft_url = |id: &str| format!("{base}/drafts/{id}");
    let block = draft.map(|d| DraftBlock {
        title: d.title.clone(),
        index_no: d.index_no.clone(),
        period: match (d.opens_on, d.closes_on) {
            (Some(o), Some(c)) => format_period(en, o, c),
            _ => String::new(),
        },
        url: draft_url(&d.id),
        materials: d
            .materials
            .iter()
            .map(|(id, title)| Link {
                title: title.clone(),
                url: format!("{base}/materials/{id}"),
            })
            .collect(),
    });
    let subscribed_reason = || match scope_label {
        Some(s) => {
            if en {
                format!("you subscribed to news of {s}")
            } else {
                format!("您订阅了{s}的通知")
            }
        }
        None => t("您曾对该草案提出意见", "you commented on this draft"),
    };
    let mut letter = Letter {
        en,
        site_name: ctx.site_name.clone(),
        subject: String::new(),
        greeting: t("您好：", "Hello,"),
        paragraphs: Vec::new(),
        facts: Vec::new(),
        draft: block,
        action: None,
        reason: String::new(),
        unsubscribe_url: None,
        one_click_url: None,
    };
    let need_draft = || -> Result<&DraftInfo, String> {
        draft.ok_or_else(|| format!("a {kind} mail needs an existing draft"))
    };
    match kind {
        "subscription_confirm" => {
            let id =
                str_of(payload, "subscription_id").ok_or("a confirmation needs subscription_id")?;
            let expires: DateTime<Utc> = str_of(payload, "expires_at")
                .and_then(|s| s.parse().ok())
                .ok_or("a confirmation needs expires_at")?;
            let token = links::confirm_token(&ctx.secret, &id, expires);
            let what = scope_label
                .map(str::to_string)
                .unwrap_or_else(|| t("通知", "news"));
            letter.subject = t("请确认您的订阅", "Please confirm your subscription");
            letter.paragraphs = vec![
                if en {
                    format!(
                        "Someone, probably you, asked to receive mail about {what} at this address. The subscription starts only once you confirm it."
                    )
                } else {
                    format!(
                        "有人（可能是您本人）申请用此邮箱订阅{what}的通知。确认后订阅才会生效。"
                    )
                },
                if en {
                    format!(
                        "The link works until {}. If you did not ask for this, ignore this mail and nothing will be sent.",
                        format_instant(true, expires, ctx.timezone)
                    )
                } else {
                    format!(
                        "链接在{}前有效。如果不是您本人操作，请忽略此邮件，我们不会再向您发送邮件。",
                        format_instant(false, expires, ctx.timezone)
                    )
                },
            ];
            letter.action = Some(Action {
                label: t("确认订阅", "Confirm the subscription"),
                url: format!("{base}/subscriptions/confirm?token={token}"),
            });
            letter.reason = t(
                "有人申请用此地址订阅通知",
                "someone asked to subscribe this address",
            );
        }
        "draft_opened" => {
            let d = need_draft()?;
            // R8: a later round is a revised text going out again.
            let round = payload
                .get("round")
                .and_then(Value::as_i64)
                .and_then(|r| i32::try_from(r).ok())
                .filter(|r| *r > 1);
            letter.subject = match (round, en) {
                (None, true) => format!("Open for comment: {}", d.title),
                (None, false) => format!("开始征求意见：{}", d.title),
                (Some(r), true) => format!("Open again for comment (round {r}): {}", d.title),
                (Some(r), false) => format!(
                    "第{}轮征求意见：{}",
                    crate::lang::round_number(r, crate::lang::Lang::Zh),
                    d.title
                ),
            };
            letter.paragraphs = vec![match round {
                None => t(
                    "以下草案现已开始公开征求意见，欢迎您在征求意见期内阅读草案及其起草说明、决策依据，并提出意见。",
                    "The draft below is now open for public comment. You are welcome to read it with its explanation and basis, and to comment while the period lasts.",
                ),
                Some(_) => t(
                    "以下草案已根据上一轮征求意见作了修改，现再次公开征求意见。起草说明介绍了修改的内容和理由，欢迎您阅读修改后的草案，并在征求意见期内提出意见。",
                    "The draft below was revised after the last round of comment and is now open for comment again. Its explanation says what changed and why. You are welcome to read the revised draft and to comment while the period lasts.",
                ),
            }];
            letter.action = Some(match round {
                None => Action {
                    label: t("阅读草案并提出意见", "Read the draft and comment"),
                    url: draft_url(&d.id),
                },
                // R8: straight to what changed since the last round.
                Some(_) => Action {
                    label: t("查看修改之处并提出意见", "See what changed and comment"),
                    url: format!("{}?changes=1", draft_url(&d.id)),
                },
            });
            letter.reason = subscribed_reason();
        }
        "draft_closing_soon" => {
            let d = need_draft()?;
            let closes = d.closes_on.map(|c| format_date(en, c)).unwrap_or_default();
            letter.subject = if en {
                format!("Closing soon: {}", d.title)
            } else {
                format!("征求意见即将截止：{}", d.title)
            };
            letter.paragraphs = vec![if en {
                format!(
                    "The comment period of the draft below ends on {closes} (at midnight). If you want to comment, please do so before then."
                )
            } else {
                format!("以下草案的征求意见期将于{closes}24时结束。如需提出意见，请在截止前提交。")
            }];
            letter.action = Some(Action {
                label: t("阅读草案并提出意见", "Read the draft and comment"),
                url: draft_url(&d.id),
            });
            letter.reason = subscribed_reason();
        }
        "draft_extended" => {
            let d = need_draft()?;
            let date = |key: &str| {
                str_of(payload, key)
                    .and_then(|s| s.parse::<NaiveDate>().ok())
                    .map(|x| format_date(en, x))
                    .unwrap_or_default()
            };
            let (previous, new) = (date("previous_closes_on"), date("new_closes_on"));
            letter.subject = if en {
                format!("Comment period extended: {}", d.title)
            } else {
                format!("征求意见期延长：{}", d.title)
            };
            letter.paragraphs = vec![if en {
                format!(
                    "The comment period of the draft below has been extended from {previous} to {new}."
                )
            } else {
                format!("以下草案的征求意见截止日期已由{previous}延长至{new}。")
            }];
            if let Some(reason) = str_of(payload, "reason") {
                letter.facts.push(Fact {
                    label: t("延长理由", "Reason"),
                    value: reason,
                });
            }
            letter.action = Some(Action {
                label: t("阅读草案并提出意见", "Read the draft and comment"),
                url: draft_url(&d.id),
            });
            letter.reason = subscribed_reason();
        }
        "report_published" => {
            let d = need_draft()?;
            letter.subject = if en {
                format!("Report on the comments published: {}", d.title)
            } else {
                format!("意见采纳情况已公布：{}", d.title)
            };
            letter.paragraphs = vec![t(
                "以下草案的意见采纳情况报告已经公布，报告说明了收到的意见数量、采纳情况以及较为集中意见未予采纳的理由。",
                "The report on the comments received on the draft below has been published. It gives how many opinions came in, how they were adopted, and why the concentrated ones that were not adopted were not.",
            )];
            letter.action = Some(Action {
                label: t("查看意见采纳情况", "Read the report"),
                url: format!("{base}/drafts/{}/report", d.id),
            });
            letter.reason = subscribed_reason();
        }
        "comment_receipt" => {
            let tracking =
                str_of(payload, "tracking_number").ok_or("a receipt needs tracking_number")?;
            let lookup = ["lookup_url", "lookup_link", "receipt_url", "link", "url"]
                .iter()
                .find_map(|k| str_of(payload, k))
                .unwrap_or_else(|| {
                    // The token need not be stored: it is derived from the comment's id.
                    let token = str_of(payload, "receipt_token")
                        .or_else(|| {
                            str_of(payload, "comment_id").map(|id| {
                                crate::jobs::comment_writer::receipt_token(&ctx.secret, &id)
                            })
                        })
                        .unwrap_or_default();
                    format!("{base}/receipts/{tracking}?token={token}")
                });
            letter.subject = if en {
                format!("We received your comment: {title}")
            } else {
                format!("您的意见已收到：{title}")
            };
            letter.paragraphs = vec![
                if en {
                    format!(
                        "Thank you. Your comment on “{title}” has been received and will be reviewed."
                    )
                } else {
                    format!("感谢您对“{title}”提出意见，您的意见已收到，我们将认真研究。")
                },
                t(
                    "请保存下面的查询编号和链接：凭它们可以查看意见的处理状态，以及报告公布后的采纳情况和理由。",
                    "Keep the tracking number and link below: with them you can follow your comment's status and, once the report is out, how it was handled and why.",
                ),
            ];
            letter.facts.push(Fact {
                label: t("查询编号", "Tracking number"),
                value: tracking,
            });
            if let Some(at) =
                str_of(payload, "submitted_at").and_then(|s| s.parse::<DateTime<Utc>>().ok())
            {
                letter.facts.push(Fact {
                    label: t("提交时间", "Submitted"),
                    value: format_instant(en, at, ctx.timezone),
                });
            }
            letter.action = Some(Action {
                label: t("查看处理状态", "Follow your comment"),
                url: lookup,
            });
            letter.reason = t(
                "您提交了意见并留下了邮箱",
                "you commented and gave this address",
            );
        }
        "invitation" => {
            let d = need_draft()?;
            let hearing = str_of(payload, "event_kind").as_deref() == Some("hearing");
            let what = match (en, hearing) {
                (true, true) => "a hearing",
                (true, false) => "a symposium",
                (false, true) => "听证会",
                (false, false) => "座谈会",
            };
            letter.subject = if en {
                format!("Invitation to {what} on: {}", d.title)
            } else {
                format!("邀请参加{what}：{}", d.title)
            };
            letter.paragraphs = vec![if en {
                format!(
                    "The drafting office invites you to {what} on the draft below, to hear your views in person."
                )
            } else {
                format!("起草部门诚邀您参加关于以下草案的{what}，当面听取您的意见。")
            }];
            if let Some(starts) =
                str_of(payload, "starts_at").and_then(|s| s.parse::<DateTime<Utc>>().ok())
            {
                letter.facts.push(Fact {
                    label: t("时间", "When"),
                    value: format_instant(en, starts, ctx.timezone),
                });
            }
            if let Some(place) = str_of(payload, "place") {
                letter.facts.push(Fact {
                    label: t("地点", "Where"),
                    value: place,
                });
            }
            letter.action = Some(Action {
                label: t("阅读草案", "Read the draft"),
                url: draft_url(&d.id),
            });
            letter.reason = match scope_label {
                Some(_) => subscribed_reason(),
                None => t("起草部门邀请了您", "the drafting office invited you"),
            };
        }
        "report_reminder" => {
            let d = need_draft()?;
            let due = str_of(payload, "due_at")
                .and_then(|s| s.parse::<DateTime<Utc>>().ok())
                .map(|x| format_instant(en, x, ctx.timezone))
                .unwrap_or_default();
            let overdue = str_of(payload, "stage").as_deref() == Some("report_overdue");
            letter.subject = match (en, overdue) {
                (true, true) => format!("Report overdue: {}", d.title),
                (true, false) => format!("Report due {due}: {}", d.title),
                (false, true) => format!("意见采纳情况报告已逾期：{}", d.title),
                (false, false) => format!("意见采纳情况报告待公布：{}", d.title),
            };
            letter.paragraphs = vec![if overdue {
                if en {
                    format!(
                        "The comment period of the draft below has closed and its report was due {due}, but it has not been published. Please finish the review and publish the report."
                    )
                } else {
                    format!(
                        "以下草案的征求意见已结束，意见采纳情况报告应于{due}前公布，现已逾期仍未公布，请尽快完成意见处理并公布报告。"
                    )
                }
            } else if en {
                format!(
                    "The comment period of the draft below has closed; its report is due {due} and has not been published yet."
                )
            } else {
                format!("以下草案的征求意见已结束，意见采纳情况报告应于{due}前公布，目前尚未公布。")
            }];
            letter.action = Some(Action {
                label: t("打开草案", "Open the draft"),
                url: draft_url(&d.id),
            });
            letter.reason = t(
                "您是该草案的起草人或审批人",
                "you draft or approve this draft",
            );
        }
        other => return Err(format!("no template for mail kind `{other}`")),
    }
    if is_list_mail(kind) {
        let what = match str_of(payload, "subscription_id") {
            Some(id) => Unsubscribe::Subscription(id),
            None => Unsubscribe::Address(normalize_email(recipient)),
        };
        let token = links::unsubscribe_token(&ctx.secret, &what);
        letter.unsubscribe_url = Some(format!("{base}/subscriptions/unsubscribe?token={token}"));
        letter.one_click_url = Some(format!(
            "{base}/api/v1/subscriptions/unsubscribe?token={token}"
        ));
    }
    Ok(letter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every kind of mail with the payload its producer writes.
    fn cases() -> Vec<(&'static str, Value, Option<&'static str>)> {
        vec![
            (
                "subscription_confirm",
                json!({"subscription_id": "SUB1", "expires_at": "2026-03-08T01:00:00Z"}),
                Some("all drafts"),
            ),
            (
                "draft_opened",
                json!({"subscription_id": "SUB1"}),
                Some("scope"),
            ),
            (
                "draft_closing_soon",
                json!({"subscription_id": "SUB1"}),
                Some("scope"),
            ),
            (
                "draft_extended",
                json!({"previous_closes_on": "2026-03-20", "new_closes_on": "2026-03-30",
                       "reason": "收到较多意见", "subscription_id": "SUB1"}),
                Some("scope"),
            ),
            ("report_published", json!({}), None),
            (
                "comment_receipt",
                json!({"tracking_number": "C-2026-ABCD", "receipt_token": "tok",
                       "submitted_at": "2026-03-02T02:03:04Z",
                       "lookup_url": "https://consult.example.gov.cn/receipts/C-2026-ABCD?token=tok",
                       "draft_id": "D1", "draft_title": "龙岭县行政规范性文件管理办法（征求意见稿）"}),
                None,
            ),
            (
                "invitation",
                json!({"event_kind": "hearing", "starts_at": "2026-03-10T01:30:00Z",
                       "place": "县政府三楼会议室"}),
                None,
            ),
            (
                "report_reminder",
                json!({"stage": "report_due_1w", "due_at": "2026-06-18T16:00:00Z"}),
                None,
            ),
        ]
    }

    fn ctx() -> RenderContext {
        RenderContext {
            site_name: "龙岭县政策文件草案公开征求意见".into(),
            public_url: "https://consult.example.gov.cn".into(),
            secret: "snapshot-secret".into(),
            timezone: chrono_tz::Asia::Shanghai,
        }
    }

    fn draft() -> DraftInfo {
        DraftInfo {
            id: "D1".into(),
            title: "龙岭县行政规范性文件管理办法（征求意见稿）".into(),
            index_no: "CONSULT-2026-0001".into(),
            opens_on: NaiveDate::from_ymd_opt(2026, 3, 1),
            closes_on: NaiveDate::from_ymd_opt(2026, 3, 20),
            materials: vec![
                ("M1".into(), "起草说明".into()),
                ("M2".into(), "决策依据".into()),
            ],
        }
    }

    fn render_case(kind: &str, locale: &str, payload: &Value, scope: Option<&str>) -> Rendered {
        let scope = scope.map(|s| describe_scope(locale == "en", "agency", "龙岭县司法局", s));
        let letter = compose(
            &ctx(),
            kind,
            locale,
            "zhangsan@example.com",
            payload,
            Some(&draft()),
            scope.as_deref(),
        )
        .unwrap();
        render_letter(&letter).unwrap()
    }

    /// Compares with the stored snapshot; `UPDATE_SNAPSHOTS=1` rewrites it.
    fn snapshot(name: &str, actual: &str) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("src/mail/snapshots")
            .join(name);
        if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, actual).unwrap();
            return;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "no snapshot {}; run with UPDATE_SNAPSHOTS=1 and review it",
                path.display()
            )
        });
        assert_eq!(actual, expected, "mail snapshot {name} changed");
    }

    #[test]
    fn every_template_matches_its_snapshot_in_both_languages() {
        for (kind, payload, scope) in cases() {
            for locale in ["zh-CN", "en"] {
                let r = render_case(kind, locale, &payload, scope);
                let headers: String = r
                    .headers
                    .iter()
                    .map(|(k, v)| format!("{k}: {v}\n"))
                    .collect();
                snapshot(
                    &format!("{kind}.{locale}.txt"),
                    &format!("Subject: {}\n{headers}\n{}", r.subject, r.text),
                );
                snapshot(&format!("{kind}.{locale}.html"), &r.html);
            }
        }
    }

    #[test]
    fn mails_carry_the_draft_its_period_links_and_the_recipients_language() {
        for (kind, payload, scope) in cases() {
            for locale in ["zh-CN", "en"] {
                let r = render_case(kind, locale, &payload, scope);
                if kind != "subscription_confirm" {
                    assert!(
                        r.text.contains("龙岭县行政规范性文件管理办法"),
                        "{kind} {locale}"
                    );
                    assert!(
                        r.html.contains("龙岭县行政规范性文件管理办法"),
                        "{kind} {locale}"
                    );
                    let period = if locale == "en" {
                        "1 March 2026 to 20 March 2026"
                    } else {
                        "2026年3月1日至2026年3月20日"
                    };
                    assert!(r.text.contains(period), "{kind} {locale}: period");
                    assert!(
                        r.text.contains("https://consult.example.gov.cn/drafts/D1"),
                        "{kind} {locale}: draft link"
                    );
                    assert!(
                        r.html
                            .contains("https://consult.example.gov.cn/materials/M1")
                            && r.text
                                .contains("https://consult.example.gov.cn/materials/M2"),
                        "{kind} {locale}: material links"
                    );
                }
                let english = r.text.contains("You receive this mail because");
                assert_eq!(english, locale == "en", "{kind} {locale}: language");
                assert!(r.html.contains("<html lang=\""));
            }
        }
    }

    #[test]
    fn list_mails_have_one_click_unsubscribe_headers_and_links() {
        for (kind, payload, scope) in cases() {
            let r = render_case(kind, "en", &payload, scope);
            let header = |name: &str| {
                r.headers
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
            };
            if is_list_mail(kind) {
                let lu = header("List-Unsubscribe").unwrap();
                assert!(
                    lu.starts_with(
                        "<https://consult.example.gov.cn/api/v1/subscriptions/unsubscribe?token="
                    ) && lu.ends_with('>'),
                    "{kind}: {lu}"
                );
                assert_eq!(
                    header("List-Unsubscribe-Post").as_deref(),
                    Some("List-Unsubscribe=One-Click")
                );
                assert!(
                    r.text.contains("/subscriptions/unsubscribe?token="),
                    "{kind}"
                );
                assert!(
                    r.html.contains("/subscriptions/unsubscribe?token="),
                    "{kind}"
                );
            } else {
                assert!(header("List-Unsubscribe").is_none(), "{kind}");
            }
        }
    }

    #[test]
    fn html_part_escapes_what_staff_and_the_public_wrote() {
        let mut d = draft();
        d.title = "A <b>bold</b> & \"quoted\" title".into();
        let letter = compose(
            &ctx(),
            "draft_opened",
            "en",
            "a@example.com",
            &json!({}),
            Some(&d),
            None,
        )
        .unwrap();
        let r = render_letter(&letter).unwrap();
        assert!(!r.html.contains("<b>bold</b>"));
        assert!(
            r.html.contains("&lt;b&gt;bold") || r.html.contains("&#60;b&#62;bold"),
            "{}",
            r.html
        );
        assert!(r.text.contains("A <b>bold</b> & \"quoted\" title"));
    }

    #[test]
    fn a_receipt_derives_its_link_from_the_comment_id_when_no_token_is_stored() {
        let payload = json!({"tracking_number": "C-2026-ABCD", "comment_id": "01COMMENT"});
        let r = render_case("comment_receipt", "en", &payload, None);
        let token = crate::jobs::comment_writer::receipt_token("snapshot-secret", "01COMMENT");
        let link = format!("https://consult.example.gov.cn/receipts/C-2026-ABCD?token={token}");
        assert!(r.text.contains(&link), "{}", r.text);
    }

    #[test]
    fn an_unknown_kind_or_missing_data_is_an_error_not_a_blank_mail() {
        assert!(
            compose(
                &ctx(),
                "nope",
                "en",
                "a@b.c",
                &json!({}),
                Some(&draft()),
                None
            )
            .is_err()
        );
        assert!(
            compose(
                &ctx(),
                "draft_opened",
                "en",
                "a@b.c",
                &json!({}),
                None,
                None
            )
            .is_err()
        );
        assert!(
            compose(
                &ctx(),
                "comment_receipt",
                "en",
                "a@b.c",
                &json!({}),
                None,
                None
            )
            .is_err()
        );
    }
}
