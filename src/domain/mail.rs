//! Pure rules of the mail system: retry backoff, recipient masking, subscription scopes and
//! the report-reminder schedule (R21–R23). No I/O; time comes in as `now`.

use chrono::{DateTime, TimeDelta, Utc};

/// R23: the wait before attempt `attempts + 1`, after `attempts` failed ones: 30 s doubling
/// each time, at most 6 h. Measured on the injected clock.
pub fn retry_delay(attempts: i32) -> TimeDelta {
    let exponent = attempts.clamp(1, 20) - 1;
    let seconds = 30i64.saturating_mul(1i64 << exponent);
    TimeDelta::seconds(seconds.min(6 * 3600))
}

/// How long a claim holds. A worker that died between claiming and marking loses its claim
/// after this, and the message is sent again: the one way a mail can go out twice.
pub fn claim_lease() -> TimeDelta {
    TimeDelta::minutes(10)
}

/// R13: an address as operators may see it: `z***@example.com`.
pub fn mask_email(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

/// What of a sent mail's payload stays in its outbox row: everything but secrets and personal
/// links — keys naming a token, a link or a URL, and any text that carries `token=`. A
/// receipt keeps its tracking number and draft, not the token that opens it.
pub fn redact_payload(payload: &str) -> String {
    fn secret_key(key: &str) -> bool {
        let k = key.to_ascii_lowercase();
        k.contains("token") || k.contains("url") || k.contains("link")
    }
    fn clean(v: serde_json::Value) -> Option<serde_json::Value> {
        use serde_json::Value;
        match v {
            Value::String(s) if s.contains("token=") => None,
            Value::Object(map) => Some(Value::Object(
                map.into_iter()
                    .filter(|(k, _)| !secret_key(k))
                    .filter_map(|(k, v)| clean(v).map(|v| (k, v)))
                    .collect(),
            )),
            Value::Array(items) => {
                Some(Value::Array(items.into_iter().filter_map(clean).collect()))
            }
            other => Some(other),
        }
    }
    serde_json::from_str::<serde_json::Value>(payload)
        .ok()
        .and_then(clean)
        .unwrap_or_else(|| serde_json::json!({}))
        .to_string()
}

/// The form addresses are compared in: trimmed and lower-cased.
pub fn normalize_email(address: &str) -> String {
    address.trim().to_lowercase()
}

/// R21: what a subscription covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    All,
    Agency,
    Category,
    Draft,
}

impl ScopeKind {
    pub fn parse(s: &str) -> Option<ScopeKind> {
        match s {
            "all" => Some(ScopeKind::All),
            "agency" => Some(ScopeKind::Agency),
            "category" => Some(ScopeKind::Category),
            "draft" => Some(ScopeKind::Draft),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ScopeKind::All => "all",
            ScopeKind::Agency => "agency",
            ScopeKind::Category => "category",
            ScopeKind::Draft => "draft",
        }
    }

    /// Every kind but `all` names what it covers.
    pub fn needs_value(self) -> bool {
        self != ScopeKind::All
    }
}

/// Staff reminders about a report that is not yet published (R22), in the order they fall due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportReminder {
    FourWeeksBefore,
    OneWeekBefore,
    Overdue,
}

impl ReportReminder {
    pub const ALL: [ReportReminder; 3] = [
        ReportReminder::FourWeeksBefore,
        ReportReminder::OneWeekBefore,
        ReportReminder::Overdue,
    ];

    /// The key of its row in `mail_events`.
    pub fn event_kind(self) -> &'static str {
        match self {
            ReportReminder::FourWeeksBefore => "report_due_4w",
            ReportReminder::OneWeekBefore => "report_due_1w",
            ReportReminder::Overdue => "report_overdue",
        }
    }

    /// When it falls due for a report due at `due`.
    pub fn at(self, due: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            ReportReminder::FourWeeksBefore => due - TimeDelta::weeks(4),
            ReportReminder::OneWeekBefore => due - TimeDelta::weeks(1),
            ReportReminder::Overdue => due,
        }
    }
}

/// The report of a window that closed at `closes_at` is due `due_days` later.
pub fn report_due(closes_at: DateTime<Utc>, due_days: u32) -> DateTime<Utc> {
    closes_at + TimeDelta::days(i64::from(due_days))
}

/// The latest reminder that has fallen due by `now`, if any. Earlier ones that were missed
/// (a node was down) are not sent late: only the latest one is worth a mail.
pub fn due_reminder(due: DateTime<Utc>, now: DateTime<Utc>) -> Option<ReportReminder> {
    ReportReminder::ALL
        .iter()
        .rev()
        .copied()
        .find(|r| r.at(due) <= now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(retry_delay(1), TimeDelta::seconds(30));
        assert_eq!(retry_delay(2), TimeDelta::seconds(60));
        assert_eq!(retry_delay(5), TimeDelta::seconds(480));
        assert_eq!(retry_delay(30), TimeDelta::hours(6));
    }

    #[test]
    fn a_sent_payload_keeps_no_token_or_link() {
        let payload = serde_json::json!({
            "tracking_number": "20260301-AAAAA-BBBBB",
            "receipt_token": "secret",
            "comment_id": "c1",
            "draft_id": "d1",
            "lookup_url": "https://x/receipts/T?token=secret",
            "nested": {"unsubscribe_link": "x", "note": "see ?token=secret", "keep": 1},
        })
        .to_string();
        let out = redact_payload(&payload);
        assert!(!out.contains("secret"), "{out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["tracking_number"], "20260301-AAAAA-BBBBB");
        assert_eq!(v["comment_id"], "c1");
        assert_eq!(v["nested"]["keep"], 1);
        assert_eq!(redact_payload("not json"), "{}");
    }

    #[test]
    fn masking_keeps_only_the_first_letter_and_domain() {
        assert_eq!(mask_email("zhangsan@example.com"), "z***@example.com");
        assert_eq!(mask_email("nonsense"), "***");
    }

    #[test]
    fn reminders_fall_due_in_order() {
        let closes: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        let due = report_due(closes, 90);
        assert_eq!(due_reminder(due, due - TimeDelta::weeks(5)), None);
        assert_eq!(
            due_reminder(due, due - TimeDelta::weeks(4)),
            Some(ReportReminder::FourWeeksBefore)
        );
        assert_eq!(
            due_reminder(due, due - TimeDelta::days(3)),
            Some(ReportReminder::OneWeekBefore)
        );
        assert_eq!(
            due_reminder(due, due + TimeDelta::days(1)),
            Some(ReportReminder::Overdue)
        );
    }
}
