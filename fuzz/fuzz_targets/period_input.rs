//! The comment period as an officer types it: two dates in the editor's `YYYY-MM-DD` form
//! (and an extension's new closing date), checked by `domain::period` in a site zone.
#![no_main]

use chrono::{NaiveDate, TimeDelta};
use chrono_tz::Tz;
use consult::domain::period::{
    self, CommentPeriod, FIRST_DATE, LAST_DATE, PeriodError, end_of_day, min_length, start_of_day,
};
use libfuzzer_sys::fuzz_target;

/// Zones with and without daylight saving, one whose day can start in a gap (Santiago)
/// and one that moves by half an hour (Lord Howe).
const ZONES: [Tz; 5] = [
    chrono_tz::Asia::Shanghai,
    chrono_tz::Europe::Berlin,
    chrono_tz::America::New_York,
    chrono_tz::America::Santiago,
    chrono_tz::Australia::Lord_Howe,
];

fuzz_target!(|data: &[u8]| {
    let [zone, extra_days, rest @ ..] = data else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let tz = ZONES[usize::from(*zone) % ZONES.len()];
    // R4: the configuration refuses a minimum under 15 days.
    let min_days = 15 + u32::from(*extra_days);
    let mut fields = text.split('\n');
    let (Some(opens_on), Some(closes_on)) = (
        fields.next().and_then(parse_date),
        fields.next().and_then(parse_date),
    ) else {
        return;
    };
    checked(
        tz,
        CommentPeriod {
            opens_on,
            closes_on,
        },
        min_days,
    );
    if let Some(new_closes_on) = fields.next().and_then(parse_date) {
        extended(tz, closes_on, new_closes_on);
    }
});

/// The editor's reading of a date field; what it accepts renders and reads back the same.
fn parse_date(field: &str) -> Option<NaiveDate> {
    let date = NaiveDate::parse_from_str(field.trim(), "%Y-%m-%d").ok()?;
    let shown = date.format("%Y-%m-%d").to_string();
    assert_eq!(
        NaiveDate::parse_from_str(&shown, "%Y-%m-%d").ok(),
        Some(date),
        "{field:?} shown as {shown:?}"
    );
    Some(date)
}

/// Dates beyond the four-digit years are refused, never a panic (the parsers accept signed
/// six-digit years).
fn out_of_range(e: PeriodError, p: CommentPeriod) {
    let PeriodError::OutOfRange { date, opening } = e else {
        panic!("{e:?} for {p:?} without an approval");
    };
    assert_eq!(date, if opening { p.opens_on } else { p.closes_on });
    assert!(!(FIRST_DATE..=LAST_DATE).contains(&date), "{e:?}");
}

/// R4: an accepted window is 00:00 on the opening day to 24:00 on the closing day and at
/// least the minimum; a refusal names the earliest closing date that is accepted.
fn checked(tz: Tz, p: CommentPeriod, min_days: u32) {
    match period::check(tz, p, min_days, None) {
        Ok(w) => {
            assert!(w.length() >= min_length(min_days), "{p:?}");
            assert_eq!(w.opens_at, start_of_day(tz, p.opens_on));
            assert_eq!(w.closes_at, end_of_day(tz, p.closes_on));
        }
        Err(PeriodError::TooShort {
            earliest_closes_on,
            min_days: named,
        }) => {
            assert_eq!(named, min_days);
            assert!(earliest_closes_on > p.closes_on, "{p:?}");
            let fixed = CommentPeriod {
                closes_on: earliest_closes_on,
                ..p
            };
            match period::check(tz, fixed, min_days, None) {
                Ok(_) => {}
                // Near the last date the earliest closing date can lie beyond it.
                Err(e) => out_of_range(e, fixed),
            }
            let day_before = CommentPeriod {
                closes_on: earliest_closes_on - TimeDelta::days(1),
                ..p
            };
            assert!(period::check(tz, day_before, min_days, None).is_err());
        }
        Err(e) => out_of_range(e, p),
    }
}

/// R6: an extension is accepted exactly when it moves the closing date later (to a date in
/// range), and then the window closes later than before.
fn extended(tz: Tz, closes_on: NaiveDate, new_closes_on: NaiveDate) {
    match period::extend(tz, closes_on, new_closes_on) {
        Ok(closes_at) => {
            assert!(new_closes_on > closes_on);
            assert!(closes_at > end_of_day(tz, closes_on));
        }
        Err(PeriodError::OutOfRange { date, opening }) => {
            assert!(!opening && date == new_closes_on);
            assert!(!(FIRST_DATE..=LAST_DATE).contains(&date));
        }
        Err(e) => {
            assert!(new_closes_on <= closes_on, "{e:?}");
        }
    }
}
