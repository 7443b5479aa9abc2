//! Password hashing (argon2id) and keyed signatures for links and derived secrets.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use hmac::{Hmac, Mac};
use sha2::Sha256;

fn argon2() -> Argon2<'static> {
    // OWASP's recommended argon2id parameters: 19 MiB, 2 passes, 1 lane.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// R25: an argon2id PHC string for `password`.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

thread_local! {
    static VERIFICATIONS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many password verifications (real or dummy) this thread has run: a test hook that
/// shows every sign-in path does the same work (R25), without timing anything.
pub fn verifications_on_this_thread() -> u64 {
    VERIFICATIONS.with(std::cell::Cell::get)
}

/// R25: checks `password` against an argon2id PHC string. A string that cannot be parsed
/// (an account whose password was never set) costs a dummy check, so that every sign-in
/// attempt does one argon2 verification whatever the stored hash is.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => verify_parsed(password, &parsed),
        Err(_) => {
            dummy_verify(password);
            false
        }
    }
}

fn verify_parsed(password: &str, parsed: &PasswordHash<'_>) -> bool {
    VERIFICATIONS.with(|n| n.set(n.get() + 1));
    argon2()
        .verify_password(password.as_bytes(), parsed)
        .is_ok()
}

/// A hash with the same cost as a real check, for unknown users: the answer takes as long
/// whether or not the name exists.
pub fn dummy_verify(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let phc = DUMMY.get_or_init(|| hash_password("not a real password").unwrap_or_default());
    if let Ok(parsed) = PasswordHash::new(phc) {
        let _ = verify_parsed(password, &parsed);
    }
}

/// Makes the dummy hash now (the server calls it at start), so the first unknown user's
/// sign-in does not also pay for hashing it.
pub fn warm_up() {
    dummy_verify("");
    VERIFICATIONS.with(|n| n.set(n.get().saturating_sub(1)));
}

/// HMAC-SHA256 of `message` under `key`, URL-safe base64.
pub fn sign(key: &str, message: &str) -> String {
    use base64::Engine;
    let mut mac = match Hmac::<Sha256>::new_from_slice(key.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(message.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Constant-time comparison of a presented signature with the expected one.
pub fn verify_signature(key: &str, message: &str, presented: &str) -> bool {
    use subtle::ConstantTimeEq;
    let expected = sign(key, message);
    expected.len() == presented.len() && bool::from(expected.as_bytes().ct_eq(presented.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_and_are_argon2id() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
    }

    #[test]
    fn signatures_verify() {
        let s = sign("k", "m");
        assert!(verify_signature("k", "m", &s));
        assert!(!verify_signature("k", "n", &s));
    }
}
