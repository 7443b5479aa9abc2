//! R21: signed links in mails: subscription confirmation (expiring) and unsubscribe (for a
//! subscription, or for every list mail to an address). Signed with `security::sign` under
//! the site secret, so nothing needs to be stored to check them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};

use crate::security::{sign, verify_signature};

/// How long a confirmation link works.
pub fn confirm_ttl() -> chrono::TimeDelta {
    chrono::TimeDelta::days(7)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkError {
    Invalid,
    Expired,
}

/// `{subscription_id}.{expires_unix}.{signature}`.
pub fn confirm_token(secret: &str, subscription_id: &str, expires: DateTime<Utc>) -> String {
    let exp = expires.timestamp();
    let sig = sign(secret, &format!("confirm:{subscription_id}:{exp}"));
    format!("{subscription_id}.{exp}.{sig}")
}

/// The subscription a confirmation token names, if it is genuine and not expired.
pub fn read_confirm_token(
    secret: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<String, LinkError> {
    let mut parts = token.splitn(3, '.');
    let (Some(id), Some(exp), Some(sig)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(LinkError::Invalid);
    };
    if !verify_signature(secret, &format!("confirm:{id}:{exp}"), sig) {
        return Err(LinkError::Invalid);
    }
    let exp: i64 = exp.parse().map_err(|_| LinkError::Invalid)?;
    if now.timestamp() >= exp {
        return Err(LinkError::Expired);
    }
    Ok(id.to_string())
}

/// What an unsubscribe link ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unsubscribe {
    /// One subscription.
    Subscription(String),
    /// Every list mail to this (normalised) address.
    Address(String),
}

/// `s.{id}.{sig}` or `e.{base64 address}.{sig}`. Unsubscribe links do not expire: a mail
/// read a year later must still be able to stop the next one.
pub fn unsubscribe_token(secret: &str, what: &Unsubscribe) -> String {
    let (kind, subject) = match what {
        Unsubscribe::Subscription(id) => ("s", id.clone()),
        Unsubscribe::Address(email) => ("e", URL_SAFE_NO_PAD.encode(email.as_bytes())),
    };
    let sig = sign(secret, &format!("unsubscribe:{kind}:{subject}"));
    format!("{kind}.{subject}.{sig}")
}

pub fn read_unsubscribe_token(secret: &str, token: &str) -> Option<Unsubscribe> {
    let mut parts = token.splitn(3, '.');
    let (kind, subject, sig) = (parts.next()?, parts.next()?, parts.next()?);
    if !verify_signature(secret, &format!("unsubscribe:{kind}:{subject}"), sig) {
        return None;
    }
    match kind {
        "s" => Some(Unsubscribe::Subscription(subject.to_string())),
        "e" => {
            let bytes = URL_SAFE_NO_PAD.decode(subject).ok()?;
            Some(Unsubscribe::Address(String::from_utf8(bytes).ok()?))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirm_tokens_verify_and_expire() {
        let now: DateTime<Utc> = "2026-03-01T00:00:00Z".parse().unwrap();
        let t = confirm_token("k", "SUB1", now + confirm_ttl());
        assert_eq!(read_confirm_token("k", &t, now), Ok("SUB1".to_string()));
        assert_eq!(
            read_confirm_token("k", &t, now + confirm_ttl()),
            Err(LinkError::Expired)
        );
        assert_eq!(
            read_confirm_token("other", &t, now),
            Err(LinkError::Invalid)
        );
        let forged = t.replacen("SUB1", "SUB2", 1);
        assert_eq!(
            read_confirm_token("k", &forged, now),
            Err(LinkError::Invalid)
        );
    }

    #[test]
    fn unsubscribe_tokens_round_trip_and_resist_forgery() {
        for what in [
            Unsubscribe::Subscription("SUB1".into()),
            Unsubscribe::Address("a@example.com".into()),
        ] {
            let t = unsubscribe_token("k", &what);
            assert_eq!(read_unsubscribe_token("k", &t), Some(what));
            assert_eq!(read_unsubscribe_token("x", &t), None);
        }
        // A confirmation signature does not work as an unsubscribe one.
        assert_eq!(read_unsubscribe_token("k", "s.SUB1.abc"), None);
    }
}
