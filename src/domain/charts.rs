//! The figures behind the report's charts (R19): comments per day of the comment period, by
//! kind of commenter, by article and by outcome. The same value is built from the live state of
//! a round (`service::charts::live`, before any report exists) and from a prepared or published
//! report (`service::charts::of_report`); `http::charts` draws it. Pure: days are worked out
//! from UTC hours and a time zone given in.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use chrono_tz::Tz;

/// Kinds of commenter that are market entities (R19), shown apart for drafts that concern
/// enterprises.
pub const MARKET_ENTITIES: [&str; 2] = ["enterprise", "industry_association"];

/// Everything the charts show. Keys are stored values (`enterprise`, `adopted`, an article
/// number, `none` for no article or, in `by_outcome`, for no disposition yet).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartData {
    pub total: i64,
    pub opens_on: Option<NaiveDate>,
    pub closes_on: Option<NaiveDate>,
    /// Closing dates the period had before each extension (R6), oldest first.
    pub extended_from: Vec<NaiveDate>,
    /// One entry per day from the first to the last day shown, days without comments included.
    pub days: Vec<(NaiveDate, i64)>,
    pub by_stakeholder_type: Vec<(String, i64)>,
    /// Among market entities, by outcome (drafts that concern enterprises only).
    pub market_entities_by_outcome: Option<Vec<(String, i64)>>,
    pub by_article: Vec<(String, i64)>,
    pub by_outcome: Vec<(String, i64)>,
}

/// The most days a timeline shows; a longer span keeps its last days.
pub const MAX_DAYS: usize = 400;

/// Comments per local day from counts per UTC hour: every day of the period
/// (`opens_on`…`closes_on`) and any day outside it that has comments (an opinion entered by
/// staff after the close, say), in order.
pub fn days(
    hours: &[(NaiveDateTime, i64)],
    tz: Tz,
    opens_on: NaiveDate,
    closes_on: NaiveDate,
) -> Vec<(NaiveDate, i64)> {
    let mut per_day: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for (hour, n) in hours {
        let local = hour.and_utc().with_timezone(&tz).date_naive();
        *per_day.entry(local).or_default() += n;
    }
    let first = per_day
        .keys()
        .next()
        .copied()
        .map_or(opens_on, |d| d.min(opens_on));
    let last = per_day
        .keys()
        .next_back()
        .copied()
        .map_or(closes_on, |d| d.max(closes_on));
    let mut out = Vec::new();
    let mut day = first;
    while day <= last {
        out.push((day, per_day.get(&day).copied().unwrap_or(0)));
        day += TimeDelta::days(1);
    }
    if out.len() > MAX_DAYS {
        out.drain(..out.len() - MAX_DAYS);
    }
    out
}

/// Counts sorted for a bar chart: largest first, ties by key.
pub fn ranked(counts: impl IntoIterator<Item = (String, i64)>) -> Vec<(String, i64)> {
    let mut v: Vec<(String, i64)> = counts.into_iter().filter(|(_, n)| *n > 0).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// Article counts in article order, `none` (the draft as a whole) last.
pub fn by_article(counts: impl IntoIterator<Item = (String, i64)>) -> Vec<(String, i64)> {
    let mut v: Vec<(String, i64)> = counts.into_iter().filter(|(_, n)| *n > 0).collect();
    v.sort_by_key(|(k, _)| k.parse::<i64>().unwrap_or(i64::MAX));
    v
}

/// Outcomes in the order a reader expects, undisposed (`none`) last.
pub fn by_outcome(counts: impl IntoIterator<Item = (String, i64)>) -> Vec<(String, i64)> {
    const ORDER: [&str; 5] = [
        "adopted",
        "partially_adopted",
        "not_adopted",
        "noted",
        "none",
    ];
    let mut v: Vec<(String, i64)> = counts.into_iter().filter(|(_, n)| *n > 0).collect();
    v.sort_by_key(|(k, _)| ORDER.iter().position(|o| o == k).unwrap_or(ORDER.len()));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    fn h(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap_or_default()
    }

    #[test]
    fn hours_fall_on_local_days_and_every_day_of_the_period_is_shown() {
        let tz: Tz = chrono_tz::Asia::Shanghai;
        // 2026-03-01 17:00 UTC is 2026-03-02 01:00 in Shanghai.
        let hours = [
            (h("2026-03-01 02:00"), 2),
            (h("2026-03-01 17:00"), 3),
            (h("2026-03-02 03:00"), 1),
            (h("2026-03-06 01:00"), 4),
        ];
        let v = days(&hours, tz, d("2026-03-01"), d("2026-03-04"));
        assert_eq!(
            v,
            vec![
                (d("2026-03-01"), 2),
                (d("2026-03-02"), 4),
                (d("2026-03-03"), 0),
                (d("2026-03-04"), 0),
                (d("2026-03-05"), 0),
                (d("2026-03-06"), 4),
            ]
        );
        assert_eq!(days(&[], tz, d("2026-03-01"), d("2026-03-01")).len(), 1);
    }

    #[test]
    fn bars_come_in_a_readable_order() {
        let c = |v: &[(&str, i64)]| -> Vec<(String, i64)> {
            v.iter().map(|(k, n)| (k.to_string(), *n)).collect()
        };
        assert_eq!(
            ranked(c(&[
                ("expert", 1),
                ("enterprise", 5),
                ("individual", 5),
                ("other", 0)
            ])),
            c(&[("enterprise", 5), ("individual", 5), ("expert", 1)])
        );
        assert_eq!(
            by_article(c(&[("none", 2), ("10", 1), ("2", 3)])),
            c(&[("2", 3), ("10", 1), ("none", 2)])
        );
        assert_eq!(
            by_outcome(c(&[("none", 1), ("noted", 2), ("adopted", 3)])),
            c(&[("adopted", 3), ("noted", 2), ("none", 1)])
        );
    }
}
