//! Abuse controls of the public comment form (docs/security.md, "Abuse and privacy"): a
//! honeypot field and a minimum fill time. The form carries the time it was served, signed
//! with the site secret and bound to the visitor's CSRF value; a submission sent sooner than
//! `abuse.min_fill_seconds` after it, without a stamp or with a forged one, or with the
//! honeypot filled in is not stored. Only the HTML form is checked: the JSON API serves
//! programs.

use chrono::{DateTime, TimeDelta, Utc};

use crate::config::Config;
use crate::security;

/// The honeypot field's name: a field people never see and programs fill in.
pub const HONEYPOT_FIELD: &str = "website";
/// The form field that carries the signed issue time.
pub const ISSUED_FIELD: &str = "form_issued";

fn message(secs: i64, csrf_value: &str) -> String {
    format!("form-issued:{secs}:{csrf_value}")
}

/// The signed issue time a form served at `now` to the holder of `csrf_value` carries:
/// `<unix seconds>.<signature>`.
pub fn form_stamp(secret: &str, now: DateTime<Utc>, csrf_value: &str) -> String {
    let secs = now.timestamp();
    format!(
        "{secs}.{}",
        security::sign(secret, &message(secs, csrf_value))
    )
}

/// Why a form submission was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suspicion {
    /// The hidden field was filled in.
    Honeypot,
    /// Sent sooner than `abuse.min_fill_seconds` after the form was served.
    TooFast,
    /// No stamp, or a forged one.
    BadStamp,
}

impl Suspicion {
    /// The metric label (`consult_comment_form_refused_total{reason=…}`).
    pub fn as_str(self) -> &'static str {
        match self {
            Suspicion::Honeypot => "honeypot",
            Suspicion::TooFast => "too_fast",
            Suspicion::BadStamp => "bad_stamp",
        }
    }
}

/// Checks a public form submission: `Err` when it must not be stored.
pub fn check_form(
    config: &Config,
    secret: &str,
    now: DateTime<Utc>,
    csrf_value: &str,
    stamp: &str,
    honeypot: &str,
) -> Result<(), Suspicion> {
    if !honeypot.trim().is_empty() {
        return Err(Suspicion::Honeypot);
    }
    let min_fill = i64::from(config.abuse.min_fill_seconds);
    if min_fill == 0 {
        return Ok(());
    }
    let (secs, signature) = stamp.split_once('.').ok_or(Suspicion::BadStamp)?;
    let secs: i64 = secs.parse().map_err(|_| Suspicion::BadStamp)?;
    if !security::verify_signature(secret, &message(secs, csrf_value), signature) {
        return Err(Suspicion::BadStamp);
    }
    let issued = DateTime::<Utc>::from_timestamp(secs, 0).ok_or(Suspicion::BadStamp)?;
    if now - issued < TimeDelta::seconds(min_fill) {
        return Err(Suspicion::TooFast);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_taken_only_after_the_fill_time_with_its_own_stamp_and_an_empty_trap() {
        let config = Config::default();
        let t0: DateTime<Utc> = "2026-03-01T01:00:00Z".parse().unwrap();
        let stamp = form_stamp("k", t0, "csrf");
        let at = |s: i64| t0 + TimeDelta::seconds(s);
        assert_eq!(check_form(&config, "k", at(3), "csrf", &stamp, ""), Ok(()));
        assert_eq!(
            check_form(&config, "k", at(2), "csrf", &stamp, ""),
            Err(Suspicion::TooFast)
        );
        assert_eq!(
            check_form(&config, "k", at(10), "csrf", &stamp, "http://spam"),
            Err(Suspicion::Honeypot)
        );
        assert_eq!(
            check_form(&config, "k", at(10), "other", &stamp, ""),
            Err(Suspicion::BadStamp)
        );
        assert_eq!(
            check_form(&config, "k", at(10), "csrf", "", ""),
            Err(Suspicion::BadStamp)
        );
        assert_eq!(
            check_form(&config, "k", at(30 * 86400), "csrf", &stamp, ""),
            Ok(())
        );
        let off = Config {
            abuse: crate::config::Abuse {
                min_fill_seconds: 0,
                ..crate::config::Abuse::default()
            },
            ..Config::default()
        };
        assert_eq!(check_form(&off, "k", at(0), "csrf", "", ""), Ok(()));
        assert_eq!(
            check_form(&off, "k", at(0), "csrf", "", "x"),
            Err(Suspicion::Honeypot)
        );
    }
}
