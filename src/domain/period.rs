//! R4–R6: comment-period arithmetic. Dates are local to the site's time zone and inclusive;
//! the window is a pair of UTC instants. Pure: the approval instant and `now` come in.

use chrono::{DateTime, LocalResult, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The dates a drafter proposes: both in the site's time zone, both inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentPeriod {
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

/// The window as instants: comments are accepted for `opens_at <= t < closes_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

impl Window {
    pub fn length(&self) -> TimeDelta {
        self.closes_at - self.opens_at
    }
}

/// R5: where a published draft's window stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Scheduled,
    Open,
    Closed,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Scheduled => "scheduled",
            Phase::Open => "open",
            Phase::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        match s {
            "scheduled" => Some(Phase::Scheduled),
            "open" => Some(Phase::Open),
            "closed" => Some(Phase::Closed),
            _ => None,
        }
    }
}

/// Why a period is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodError {
    /// R4: shorter than the minimum; `earliest_closes_on` is the first date that would do.
    TooShort {
        earliest_closes_on: NaiveDate,
        min_days: u32,
    },
    /// R4: `opens_on` lies before the date of approval.
    OpensBeforeApproval { approval_date: NaiveDate },
    /// R6: an extension must move `closes_on` later.
    NotLater { closes_on: NaiveDate },
    /// `date` (the opening date when `opening`, else the closing one) lies outside
    /// `FIRST_DATE..=LAST_DATE`: the parsers accept signed six-digit years, and at the ends
    /// of chrono's calendar the window's instants cannot be computed.
    OutOfRange { date: NaiveDate, opening: bool },
}

/// The dates a period may use: the four-digit years that `YYYY-MM-DD` writes.
pub const FIRST_DATE: NaiveDate = date(1, 1, 1);
pub const LAST_DATE: NaiveDate = date(9999, 12, 31);

/// A date for a constant: an invalid one fails the build.
const fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(d) => d,
        None => panic!("not a date"),
    }
}

fn in_range(date: NaiveDate, opening: bool) -> Result<(), PeriodError> {
    if (FIRST_DATE..=LAST_DATE).contains(&date) {
        Ok(())
    } else {
        Err(PeriodError::OutOfRange { date, opening })
    }
}

/// 00:00 on `date` in `tz`. Where midnight falls in a daylight-saving gap (as in
/// America/Santiago), the day starts when the gap ends; where it is ambiguous, at the earlier.
pub fn start_of_day(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    match tz.from_local_datetime(&midnight) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
        LocalResult::None => {
            // Gaps last at most a few hours; walk forward to the first local minute that exists.
            for minutes in 1..=(4 * 60) {
                if let Some(t) = tz
                    .from_local_datetime(&(midnight + TimeDelta::minutes(minutes)))
                    .earliest()
                {
                    return t.with_timezone(&Utc);
                }
            }
            // No zone has a gap that long; fall back to the UTC reading of the date.
            midnight.and_utc()
        }
    }
}

/// 24:00 at the end of `date` in `tz` (= 00:00 on the next day).
pub fn end_of_day(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    start_of_day(tz, date + TimeDelta::days(1))
}

/// The date of an instant in `tz`.
pub fn local_date(tz: Tz, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// R4: the window opens at the later of 00:00 on `opens_on` and the approval instant (when
/// known), and closes at 24:00 at the end of `closes_on`.
pub fn window(tz: Tz, period: CommentPeriod, approved_at: Option<DateTime<Utc>>) -> Window {
    let start = start_of_day(tz, period.opens_on);
    let opens_at = match approved_at {
        Some(a) if a > start => a,
        _ => start,
    };
    Window {
        opens_at,
        closes_at: end_of_day(tz, period.closes_on),
    }
}

/// The minimum length of a window.
pub fn min_length(min_days: u32) -> TimeDelta {
    TimeDelta::hours(24 * i64::from(min_days))
}

/// R4: the earliest `closes_on` whose window, opening at `opens_at`, lasts `min_days` × 24 h.
pub fn earliest_closes_on(tz: Tz, opens_at: DateTime<Utc>, min_days: u32) -> NaiveDate {
    let target = opens_at + min_length(min_days);
    let mut d = local_date(tz, target) - TimeDelta::days(1);
    while end_of_day(tz, d) < target {
        d += TimeDelta::days(1);
    }
    while end_of_day(tz, d - TimeDelta::days(1)) >= target {
        d -= TimeDelta::days(1);
    }
    d
}

/// R4: checks a period. Before approval (`approved_at = None`) the window is assumed to
/// open at 00:00 on `opens_on`; at approval the real instant is used and an `opens_on`
/// before the approval date is refused.
pub fn check(
    tz: Tz,
    period: CommentPeriod,
    min_days: u32,
    approved_at: Option<DateTime<Utc>>,
) -> Result<Window, PeriodError> {
    in_range(period.opens_on, true)?;
    in_range(period.closes_on, false)?;
    if let Some(a) = approved_at {
        let approval_date = local_date(tz, a);
        if period.opens_on < approval_date {
            return Err(PeriodError::OpensBeforeApproval { approval_date });
        }
    }
    let w = window(tz, period, approved_at);
    if w.length() < min_length(min_days) {
        return Err(PeriodError::TooShort {
            earliest_closes_on: earliest_closes_on(tz, w.opens_at, min_days),
            min_days,
        });
    }
    Ok(w)
}

/// R6: an extension moves `closes_on` strictly later and returns the new closing instant;
/// it can never shorten the window.
pub fn extend(
    tz: Tz,
    current_closes_on: NaiveDate,
    new_closes_on: NaiveDate,
) -> Result<DateTime<Utc>, PeriodError> {
    in_range(new_closes_on, false)?;
    if new_closes_on <= current_closes_on {
        return Err(PeriodError::NotLater {
            closes_on: current_closes_on,
        });
    }
    Ok(end_of_day(tz, new_closes_on))
}

/// R5: the phase at `now`, from the window alone (no timer ever stores it).
pub fn phase(window: Window, now: DateTime<Utc>) -> Phase {
    if now < window.opens_at {
        Phase::Scheduled
    } else if now < window.closes_at {
        Phase::Open
    } else {
        Phase::Closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    const SHANGHAI: Tz = chrono_tz::Asia::Shanghai;
    const BERLIN: Tz = chrono_tz::Europe::Berlin;
    const NEW_YORK: Tz = chrono_tz::America::New_York;
    const SANTIAGO: Tz = chrono_tz::America::Santiago;
    const LORD_HOWE: Tz = chrono_tz::Australia::Lord_Howe;

    #[test]
    fn window_runs_from_local_midnight_to_the_end_of_the_closing_day() {
        let p = CommentPeriod {
            opens_on: d("2026-03-02"),
            closes_on: d("2026-03-16"),
        };
        let w = window(SHANGHAI, p, None);
        assert_eq!(w.opens_at, t("2026-03-01T16:00:00Z"));
        assert_eq!(w.closes_at, t("2026-03-16T16:00:00Z"));
        assert_eq!(w.length(), TimeDelta::days(15));
        assert!(check(SHANGHAI, p, 15, None).is_ok());
    }

    #[test]
    fn a_short_period_names_the_earliest_closing_date() {
        let p = CommentPeriod {
            opens_on: d("2026-03-02"),
            closes_on: d("2026-03-15"),
        };
        assert_eq!(
            check(SHANGHAI, p, 15, None),
            Err(PeriodError::TooShort {
                earliest_closes_on: d("2026-03-16"),
                min_days: 15
            })
        );
    }

    #[test]
    fn approval_during_the_opening_day_pushes_the_window_start() {
        let p = CommentPeriod {
            opens_on: d("2026-03-02"),
            closes_on: d("2026-03-16"),
        };
        // 10:00 in Shanghai on the opening day: only 14 days 14 hours remain.
        let approved = t("2026-03-02T02:00:00Z");
        match check(SHANGHAI, p, 15, Some(approved)) {
            Err(PeriodError::TooShort {
                earliest_closes_on, ..
            }) => assert_eq!(earliest_closes_on, d("2026-03-17")),
            other => panic!("{other:?}"),
        }
        let longer = CommentPeriod {
            closes_on: d("2026-03-17"),
            ..p
        };
        let w = check(SHANGHAI, longer, 15, Some(approved)).unwrap();
        assert_eq!(w.opens_at, approved);
    }

    #[test]
    fn opens_on_before_the_approval_date_is_refused() {
        let p = CommentPeriod {
            opens_on: d("2026-03-02"),
            closes_on: d("2026-04-30"),
        };
        assert_eq!(
            check(SHANGHAI, p, 15, Some(t("2026-03-02T16:30:00Z"))),
            Err(PeriodError::OpensBeforeApproval {
                approval_date: d("2026-03-03")
            })
        );
    }

    #[test]
    fn a_dst_change_inside_the_window_is_counted_in_real_hours() {
        // Berlin springs forward on 2026-03-29: 15 calendar days hold only 359 hours.
        let p = CommentPeriod {
            opens_on: d("2026-03-20"),
            closes_on: d("2026-04-03"),
        };
        match check(BERLIN, p, 15, None) {
            Err(PeriodError::TooShort {
                earliest_closes_on, ..
            }) => assert_eq!(earliest_closes_on, d("2026-04-04")),
            other => panic!("{other:?}"),
        }
        // New York falls back on 2026-11-01: 15 calendar days hold 361 hours.
        let p = CommentPeriod {
            opens_on: d("2026-10-25"),
            closes_on: d("2026-11-08"),
        };
        assert_eq!(
            check(NEW_YORK, p, 15, None).unwrap().length(),
            TimeDelta::hours(361)
        );
    }

    #[test]
    fn a_day_that_starts_in_a_gap_starts_when_the_gap_ends() {
        // Santiago springs forward at 00:00 on 2026-09-06: the day starts at 01:00 local.
        let s = start_of_day(SANTIAGO, d("2026-09-06"));
        assert_eq!(s.with_timezone(&SANTIAGO).date_naive(), d("2026-09-06"));
        assert!(s > start_of_day(SANTIAGO, d("2026-09-05")));
    }

    #[test]
    fn dates_at_the_ends_of_the_calendar_are_refused_not_a_panic() {
        // Both `YYYY-MM-DD` parsers (the forms' and the API's) accept signed six-digit years.
        let last = d("+262142-12-31");
        let p = CommentPeriod {
            opens_on: last - TimeDelta::days(40),
            closes_on: last,
        };
        assert_eq!(
            check(SHANGHAI, p, 15, None),
            Err(PeriodError::OutOfRange {
                date: p.opens_on,
                opening: true
            })
        );
        let first = CommentPeriod {
            opens_on: d("-262143-01-01"),
            closes_on: d("-262143-03-01"),
        };
        assert!(matches!(
            check(SHANGHAI, first, 15, None),
            Err(PeriodError::OutOfRange { opening: true, .. })
        ));
        assert_eq!(
            extend(SHANGHAI, d("2026-03-16"), last),
            Err(PeriodError::OutOfRange {
                date: last,
                opening: false
            })
        );
        let p = CommentPeriod {
            opens_on: LAST_DATE - TimeDelta::days(20),
            closes_on: LAST_DATE,
        };
        assert!(check(SHANGHAI, p, 15, None).is_ok());
    }

    #[test]
    fn phase_follows_the_clock() {
        let w = Window {
            opens_at: t("2026-03-01T16:00:00Z"),
            closes_at: t("2026-03-16T16:00:00Z"),
        };
        assert_eq!(phase(w, t("2026-03-01T15:59:59Z")), Phase::Scheduled);
        assert_eq!(phase(w, w.opens_at), Phase::Open);
        assert_eq!(phase(w, t("2026-03-16T15:59:59Z")), Phase::Open);
        assert_eq!(phase(w, w.closes_at), Phase::Closed);
    }

    #[test]
    fn an_extension_must_be_later() {
        assert!(extend(SHANGHAI, d("2026-03-16"), d("2026-03-16")).is_err());
        assert!(extend(SHANGHAI, d("2026-03-16"), d("2026-03-10")).is_err());
        assert_eq!(
            extend(SHANGHAI, d("2026-03-16"), d("2026-03-20")).unwrap(),
            t("2026-03-20T16:00:00Z")
        );
    }

    fn zone() -> impl Strategy<Value = Tz> {
        prop_oneof![
            Just(SHANGHAI),
            Just(BERLIN),
            Just(NEW_YORK),
            Just(SANTIAGO),
            Just(LORD_HOWE),
        ]
    }

    fn date() -> impl Strategy<Value = NaiveDate> {
        // 2020-01-01 plus up to ~15 years, so every DST rule change is crossed.
        (0i64..5_500).prop_map(|n| d("2020-01-01") + TimeDelta::days(n))
    }

    proptest! {
        #[test]
        fn any_accepted_period_is_at_least_the_minimum(
            tz in zone(),
            opens_on in date(),
            days in 0i64..60,
            min_days in prop_oneof![Just(15u32), Just(30u32), 15u32..40],
            approval in proptest::option::of((-3i64..2, 0i64..(24 * 60))),
        ) {
            let period = CommentPeriod { opens_on, closes_on: opens_on + TimeDelta::days(days) };
            let approved_at = approval.map(|(day, minute)| {
                start_of_day(tz, opens_on + TimeDelta::days(day)) + TimeDelta::minutes(minute)
            });
            match check(tz, period, min_days, approved_at) {
                Ok(w) => prop_assert!(w.length() >= min_length(min_days)),
                Err(PeriodError::TooShort { earliest_closes_on, .. }) => {
                    prop_assert!(earliest_closes_on > period.closes_on);
                    // The named date is accepted, and it is the earliest that is.
                    let fixed = CommentPeriod { closes_on: earliest_closes_on, ..period };
                    let w = check(tz, fixed, min_days, approved_at);
                    prop_assert!(w.is_ok(), "{:?}", w);
                    let day_before = CommentPeriod {
                        closes_on: earliest_closes_on - TimeDelta::days(1),
                        ..period
                    };
                    let refused = check(tz, day_before, min_days, approved_at).is_err();
                    prop_assert!(refused);
                }
                Err(PeriodError::OpensBeforeApproval { approval_date }) => {
                    prop_assert!(opens_on < approval_date);
                }
                Err(e) => prop_assert!(false, "unexpected {:?}", e),
            }
        }

        #[test]
        fn extensions_never_shorten(
            tz in zone(),
            opens_on in date(),
            days in 15i64..60,
            shift in -30i64..30,
        ) {
            let period = CommentPeriod { opens_on, closes_on: opens_on + TimeDelta::days(days) };
            let before = window(tz, period, None);
            let new_closes_on = period.closes_on + TimeDelta::days(shift);
            match extend(tz, period.closes_on, new_closes_on) {
                Ok(closes_at) => {
                    prop_assert!(shift > 0);
                    prop_assert!(closes_at > before.closes_at);
                }
                Err(_) => prop_assert!(shift <= 0),
            }
        }

        #[test]
        fn days_start_on_their_own_date(tz in zone(), day in date()) {
            let s = start_of_day(tz, day);
            prop_assert_eq!(local_date(tz, s), day);
            prop_assert!(end_of_day(tz, day) > s);
        }
    }
}
