//! Names of stored values (kinds, phases, stakeholder types) in the reader's language, and
//! dates and times in the site's time zone, for the pages. The words come from the public
//! message file (`locales/<lang>/public.ftl`, ids `pub-kind-…`, `pub-material-…`,
//! `pub-stakeholder-…`, `pub-phase-…`, `pub-span-…`, `pub-countdown-…`, `pub-date`,
//! `pub-zone…`); the functions that hand out an `L` carry both languages, because staff pages
//! call them too and pick the language themselves.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use fluent_bundle::FluentValue;

use crate::domain::countdown::{Countdown, Span};
use crate::domain::period::Phase;
use crate::http::lang::{L, Lang};
use crate::lang::ftl::{self, T};

pub fn draft_kind(kind: &str) -> L {
    ftl::both(match kind {
        "normative_document" => "pub-kind-normative_document",
        "regulation" => "pub-kind-regulation",
        "major_decision" => "pub-kind-major_decision",
        _ => "pub-kind-other",
    })
}

pub fn material_kind(kind: &str) -> L {
    ftl::both(match kind {
        "explanation" => "pub-material-explanation",
        "basis" => "pub-material-basis",
        "interpretation" => "pub-material-interpretation",
        "faq" => "pub-material-faq",
        "hearing_record" => "pub-material-hearing_record",
        _ => "pub-material-attachment",
    })
}

pub fn stakeholder_type(t: &str) -> L {
    ftl::both(match t {
        "individual" => "pub-stakeholder-individual",
        "enterprise" => "pub-stakeholder-enterprise",
        "industry_association" => "pub-stakeholder-industry_association",
        "social_organization" => "pub-stakeholder-social_organization",
        "expert" => "pub-stakeholder-expert",
        "public_institution" => "pub-stakeholder-public_institution",
        "government_body" => "pub-stakeholder-government_body",
        _ => "pub-stakeholder-other",
    })
}

/// The phase as the public reads it; withdrawn and concluded drafts say so.
pub fn phase(state: &str, phase: Option<Phase>) -> L {
    ftl::both(match (state, phase) {
        ("withdrawn", _) => "pub-phase-withdrawn",
        ("concluded", _) => "pub-phase-concluded",
        (_, Some(Phase::Scheduled)) => "pub-phase-scheduled",
        (_, Some(Phase::Open)) => "pub-phase-open",
        (_, Some(Phase::Closed)) => "pub-phase-closed",
        (_, None) => "pub-phase-unpublished",
    })
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
    let (phrase, span) = match c {
        Countdown::OpensIn(s) => ("pub-countdown-opens", s),
        Countdown::ClosesIn(s) => ("pub-countdown-closes", s),
        Countdown::Ended => return None,
    };
    let t = T(lang);
    let span = match span {
        Span::Days(n) => t.n("pub-span-days", n),
        Span::Hours(n) => t.n("pub-span-hours", n),
        Span::Minutes(n) => t.n("pub-span-minutes", n),
    };
    Some(t.a(phrase, "span", &span))
}

pub fn date(d: NaiveDate, lang: Lang) -> String {
    ftl::format(
        lang,
        "pub-date",
        &[
            ("year", FluentValue::from(d.year().to_string())),
            ("month", FluentValue::from(d.month())),
            ("day", FluentValue::from(d.day())),
        ],
    )
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
    let t = T(lang);
    match tz {
        chrono_tz::Asia::Shanghai => t.s("pub-zone-shanghai"),
        tz => t.a("pub-zone", "zone", tz.name()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::comment::StakeholderType;

    fn pair(l: L) -> (String, String) {
        (l.zh.into_owned(), l.en.into_owned())
    }

    #[test]
    fn every_stored_value_has_a_name_in_both_languages() {
        let kinds = ["normative_document", "regulation", "major_decision", "x"];
        let materials = [
            "explanation",
            "basis",
            "interpretation",
            "faq",
            "hearing_record",
            "x",
        ];
        let mut names: Vec<L> = kinds.iter().map(|k| draft_kind(k)).collect();
        names.extend(materials.iter().map(|k| material_kind(k)));
        names.extend(
            StakeholderType::ALL
                .iter()
                .map(|s| stakeholder_type(s.as_str())),
        );
        names.push(stakeholder_type("x"));
        for state in ["published", "withdrawn", "concluded"] {
            for p in [
                None,
                Some(Phase::Scheduled),
                Some(Phase::Open),
                Some(Phase::Closed),
            ] {
                names.push(phase(state, p));
            }
        }
        for l in names {
            for lang in [Lang::Zh, Lang::En] {
                assert!(!l.get(lang).starts_with("pub-"), "missing: {l:?}");
            }
        }
        assert_eq!(
            pair(draft_kind("major_decision")),
            (
                "重大行政决策".into(),
                "Major administrative decision".into()
            )
        );
        assert_eq!(
            pair(stakeholder_type("social_organization")),
            ("社会组织".into(), "Social organisation".into())
        );
        assert_eq!(
            pair(phase("published", Some(Phase::Closed))),
            ("征求意见已结束".into(), "Closed for comment".into())
        );
    }

    #[test]
    fn countdowns_dates_and_zones_read_naturally() {
        let cases = [
            (
                Countdown::ClosesIn(Span::Days(5)),
                "还剩 5 天",
                "5 days left",
            ),
            (
                Countdown::ClosesIn(Span::Hours(1)),
                "还剩 1 小时",
                "1 hour left",
            ),
            (
                Countdown::OpensIn(Span::Minutes(3)),
                "3 分钟后开始",
                "Opens in 3 minutes",
            ),
            (
                Countdown::OpensIn(Span::Days(1)),
                "1 天后开始",
                "Opens in 1 day",
            ),
        ];
        for (c, zh, en) in cases {
            assert_eq!(countdown(c, Lang::Zh).as_deref(), Some(zh));
            assert_eq!(countdown(c, Lang::En).as_deref(), Some(en));
        }
        assert_eq!(countdown(Countdown::Ended, Lang::En), None);
        let d = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap_or_default();
        assert_eq!(date(d, Lang::Zh), "2026年3月9日");
        assert_eq!(date(d, Lang::En), "9 March 2026");
        for m in 1..=12 {
            let d = NaiveDate::from_ymd_opt(2026, m, 28).unwrap_or_default();
            assert_eq!(date(d, Lang::En), d.format("%-d %B %Y").to_string());
        }
        let t: DateTime<Utc> = "2026-03-01T01:00:00Z".parse().unwrap_or_default();
        assert_eq!(
            instant(t, chrono_tz::Asia::Shanghai, Lang::Zh),
            "2026年3月1日 09:00"
        );
        assert_eq!(zone(chrono_tz::Asia::Shanghai, Lang::Zh), "北京时间");
        assert_eq!(zone(chrono_tz::Asia::Shanghai, Lang::En), "Beijing time");
        assert_eq!(
            zone(chrono_tz::Europe::Paris, Lang::En),
            "Europe/Paris time"
        );
        assert_eq!(
            zone(chrono_tz::Europe::Paris, Lang::Zh),
            "Europe/Paris 时间"
        );
    }
}
