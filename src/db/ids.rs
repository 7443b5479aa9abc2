//! Identifiers and secrets: opaque, time-ordered ids and random tokens.

use rand::RngCore;

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A 26-character id: 48 bits of milliseconds then 80 random bits, Crockford base32 (ULID
/// layout), so ids sort by creation time and reveal nothing guessable.
pub fn new_id(now: chrono::DateTime<chrono::Utc>) -> String {
    let millis = now.timestamp_millis().max(0) as u128 & ((1u128 << 48) - 1);
    let mut random = [0u8; 10];
    rand::thread_rng().fill_bytes(&mut random);
    let mut value = millis << 80;
    for (i, b) in random.iter().enumerate() {
        value |= u128::from(*b) << (8 * (9 - i));
    }
    let mut out = [0u8; 26];
    for (i, slot) in out.iter_mut().enumerate() {
        let shift = 5 * (25 - i);
        *slot = CROCKFORD[((value >> shift) & 31) as usize];
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `bytes` random bytes as URL-safe base64 without padding: bearer tokens, receipt tokens,
/// confirmation links.
pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// `len` random characters from the unambiguous Crockford alphabet (no I, L, O, U).
pub fn random_code(len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| CROCKFORD[(rng.next_u32() % 32) as usize] as char)
        .collect()
}

/// Hex SHA-256 of a secret: what the database keeps instead of the secret.
pub fn hash_secret(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_and_differ() {
        let t1: chrono::DateTime<chrono::Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
        let t2 = t1 + chrono::TimeDelta::milliseconds(1);
        let a = new_id(t1);
        let b = new_id(t2);
        assert_eq!(a.len(), 26);
        assert!(a < b);
        assert_ne!(new_id(t1), new_id(t1));
    }
}
