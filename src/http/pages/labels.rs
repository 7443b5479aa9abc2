//! Names of stored values (kinds, phases, stakeholder types) in the reader's language, and
//! dates and times in the site's time zone, for the pages.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::domain::countdown::{Countdown, Span};
use crate::domain::period::Phase;
use crate::http::lang::{L, Lang};
use crate::l;

pub fn draft_kind(kind: &str) -> L {
    match kind {
        "normative_document" => l!("行政规范性文件", "Normative document"),
        "regulation" => l!("规章", "Regulation"),
        "major_decision" => l!("重大行政决策", "Major administrative decision"),
        _ => l!("其他", "Other"),
    }
}

pub fn material_kind(kind: &str) -> L {
    match kind {
        "explanation" => l!("起草说明", "Drafting explanation"),
        "basis" => l!("决策依据", "Basis for the decision"),
        "interpretation" => l!("政策解读", "Policy interpretation"),
        "faq" => l!("常见问题", "Questions and answers"),
        "hearing_record" => l!("听证记录", "Hearing record"),
        _ => l!("附件", "Attachment"),
    }
}

pub fn stakeholder_type(t: &str) -> L {
    match t {
        "individual" => l!("个人", "Individual"),
        "enterprise" => l!("企业", "Enterprise"),
        "industry_association" => l!("行业协会", "Industry association"),
        "social_organization" => l!("社会组织", "Social organisation"),
        "expert" => l!("专家学者", "Expert"),
        "public_institution" => l!("事业单位", "Public institution"),
        "government_body" => l!("国家机关", "Government body"),
        _ => l!("其他", "Other"),
    }
}

/// The phase as the public reads it; withdrawn and concluded drafts say so.
pub fn phase(state: &str, phase: Option<Phase>) -> L {
    match (state, phase) {
        ("withdrawn", _) => l!("已撤回", "Withdrawn"),
        ("concluded", _) => l!("已办结", "Concluded"),
        (_, Some(Phase::Scheduled)) => l!("即将开始", "Not yet open"),
        (_, Some(Phase::Open)) => l!("正在征求意见", "Open for comment"),
        (_, Some(Phase::Closed)) => l!("征求意见已结束", "Closed for comment"),
        (_, None) => l!("未发布", "Not published"),
    }
}

/// A CSS class for the phase badge.
pub fn phase_class(state: &str, phase: Option<Phase>) -> &'static str {
    match (state, phase) {
        ("withdrawn", _) => "withdrawn",
        ("concluded", _) => "concluded",
        (_, Some(Phase::Open)) => "open",
        (_, Some(Phase::Scheduled)) => "scheduled",
        _ => "closed",
    }
}

/// R5: the countdown in words ("还剩 5 天", "5 days left"); nothing once it ended.
pub fn countdown(c: Countdown, lang: Lang) -> Option<String> {
    let (opening, span) = match c {
        Countdown::OpensIn(s) => (true, s),
        Countdown::ClosesIn(s) => (false, s),
        Countdown::Ended => return None,
    };
    let (zh_unit, en_unit, n) = match span {
        Span::Days(n) => ("天", "day", n),
        Span::Hours(n) => ("小时", "hour", n),
        Span::Minutes(n) => ("分钟", "minute", n),
    };
    let plural = if n == 1 { "" } else { "s" };
    Some(match (opening, lang) {
        (true, Lang::Zh) => format!("{n} {zh_unit}后开始"),
        (true, Lang::En) => format!("Opens in {n} {en_unit}{plural}"),
        (false, Lang::Zh) => format!("还剩 {n} {zh_unit}"),
        (false, Lang::En) => format!("{n} {en_unit}{plural} left"),
    })
}

pub fn date(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Zh => d.format("%Y年%-m月%-d日").to_string(),
        Lang::En => d.format("%-d %B %Y").to_string(),
    }
}

/// An instant as a date and time in `tz`.
pub fn instant(t: DateTime<Utc>, tz: Tz, lang: Lang) -> String {
    let local = t.with_timezone(&tz);
    format!(
        "{} {}",
        date(local.date_naive(), lang),
        local.format("%H:%M")
    )
}

/// The zone in words ("北京时间" for Asia/Shanghai).
pub fn zone(tz: Tz, lang: Lang) -> String {
    match (tz, lang) {
        (chrono_tz::Asia::Shanghai, Lang::Zh) => "北京时间".into(),
        (chrono_tz::Asia::Shanghai, Lang::En) => "Beijing time".into(),
        (tz, Lang::Zh) => format!("{} 时间", tz.name()),
        (tz, Lang::En) => format!("{} time", tz.name()),
    }
}

/// A file size for people.
pub fn size(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else if bytes >= 1024 {
        format!("{:.0} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}
