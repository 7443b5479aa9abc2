//! R5: how long until a comment window opens or closes, for the countdown on the pages.
//! Pure: the window and `now` come in.

use chrono::{DateTime, TimeDelta, Utc};

use super::period::Window;

/// A remaining time in its largest whole unit. The time is first rounded up to whole minutes
/// (the page shows no seconds), so "2 days" still reads 2 days a moment later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    Days(i64),
    Hours(i64),
    Minutes(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Countdown {
    OpensIn(Span),
    ClosesIn(Span),
    Ended,
}

fn span(d: TimeDelta) -> Span {
    let minutes = (d.num_milliseconds().max(0) + 59_999) / 60_000;
    if minutes >= 24 * 60 {
        Span::Days(minutes / (24 * 60))
    } else if minutes >= 60 {
        Span::Hours(minutes / 60)
    } else {
        Span::Minutes(minutes.max(1))
    }
}

/// The countdown at `now`: to the opening before the window, to the close inside it.
pub fn countdown(window: Window, now: DateTime<Utc>) -> Countdown {
    if now < window.opens_at {
        Countdown::OpensIn(span(window.opens_at - now))
    } else if now < window.closes_at {
        Countdown::ClosesIn(span(window.closes_at - now))
    } else {
        Countdown::Ended
    }
}

/// Whether an open window closes within `days` days of `now` (the "closing soon" list).
pub fn closes_within(window: Window, now: DateTime<Utc>, days: u32) -> bool {
    now >= window.opens_at
        && now < window.closes_at
        && window.closes_at - now <= TimeDelta::days(i64::from(days))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn w() -> Window {
        Window {
            opens_at: t("2026-03-01T16:00:00Z"),
            closes_at: t("2026-03-16T16:00:00Z"),
        }
    }

    #[test]
    fn counts_whole_days_then_hours_then_minutes() {
        assert_eq!(
            countdown(w(), t("2026-03-11T15:00:00Z")),
            Countdown::ClosesIn(Span::Days(5))
        );
        assert_eq!(
            countdown(w(), t("2026-03-16T10:30:00Z")),
            Countdown::ClosesIn(Span::Hours(5))
        );
        assert_eq!(
            countdown(w(), t("2026-03-16T15:59:50Z")),
            Countdown::ClosesIn(Span::Minutes(1))
        );
        assert_eq!(
            countdown(w(), t("2026-03-14T15:59:59.990Z")),
            Countdown::ClosesIn(Span::Days(2)),
            "a moment after 2 days left, still 2 days"
        );
        assert_eq!(
            countdown(w(), t("2026-03-14T16:01:00Z")),
            Countdown::ClosesIn(Span::Days(1))
        );
        assert_eq!(countdown(w(), t("2026-03-16T16:00:00Z")), Countdown::Ended);
        assert_eq!(
            countdown(w(), t("2026-02-27T16:00:00Z")),
            Countdown::OpensIn(Span::Days(2))
        );
    }

    #[test]
    fn closing_soon_is_inside_the_window_and_within_the_days() {
        assert!(closes_within(w(), t("2026-03-13T16:00:00Z"), 3));
        assert!(!closes_within(w(), t("2026-03-13T15:59:00Z"), 3));
        assert!(!closes_within(w(), t("2026-03-16T16:00:00Z"), 3));
    }
}
