//! R26: the audit chain's hashing. Each entry's hash covers its own fields and the previous
//! entry's hash, so an edited, removed or reordered entry breaks the chain.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

/// The hash that precedes the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry's fields as they are hashed.
#[derive(Debug, Clone, Copy)]
pub struct ChainFields<'a> {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub draft_id: Option<&'a str>,
    pub details: &'a str,
    pub prev_hash: &'a str,
}

/// SHA-256 over a canonical encoding: every field length-prefixed, times as RFC 3339 UTC
/// with microseconds, so no two different entries encode alike.
pub fn entry_hash(f: &ChainFields<'_>) -> String {
    let mut h = Sha256::new();
    let at = f.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let seq = f.seq.to_string();
    let draft = f.draft_id.unwrap_or("");
    let presence = if f.draft_id.is_some() { "1" } else { "0" };
    for part in [
        "consult-audit-v1",
        seq.as_str(),
        at.as_str(),
        f.actor,
        f.action,
        f.object_type,
        f.object_id,
        presence,
        draft,
        f.details,
        f.prev_hash,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Why the chain does not verify, naming the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry's stored hash does not match its fields (edited).
    Altered { seq: i64 },
    /// The entry does not point at its predecessor (removed or reordered before it).
    Unlinked { seq: i64 },
    /// A sequence number is missing before this entry.
    Gap { expected: i64, found: i64 },
    /// The newest entry is not the one the head records (entries removed from the end).
    Truncated { head_seq: i64, last_seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Altered { seq } => {
                write!(
                    f,
                    "entry {seq} was altered: its hash does not match its contents"
                )
            }
            ChainBreak::Unlinked { seq } => write!(
                f,
                "entry {seq} does not follow its predecessor: an entry before it was removed, altered or reordered"
            ),
            ChainBreak::Gap { expected, found } => {
                write!(f, "entry {expected} is missing (the next entry is {found})")
            }
            ChainBreak::Truncated { head_seq, last_seq } => write!(
                f,
                "entries after {last_seq} were removed (the chain head records entry {head_seq})"
            ),
        }
    }
}

/// Walks entries in `seq` order, checking each against its predecessor.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
        }
    }
}

impl ChainVerifier {
    pub fn check(&mut self, fields: &ChainFields<'_>, stored_hash: &str) -> Result<(), ChainBreak> {
        if fields.seq != self.expected_seq {
            return Err(ChainBreak::Gap {
                expected: self.expected_seq,
                found: fields.seq,
            });
        }
        if entry_hash(fields) != stored_hash {
            return Err(ChainBreak::Altered { seq: fields.seq });
        }
        if fields.prev_hash != self.prev_hash {
            return Err(ChainBreak::Unlinked { seq: fields.seq });
        }
        self.expected_seq += 1;
        self.prev_hash = stored_hash.to_string();
        Ok(())
    }

    /// After the last entry: the head must name it.
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        let last_seq = self.expected_seq - 1;
        if head_seq != last_seq || head_hash != self.prev_hash {
            return Err(ChainBreak::Truncated { head_seq, last_seq });
        }
        Ok(last_seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(seq: i64, prev: &'a str, details: &'a str) -> ChainFields<'a> {
        ChainFields {
            seq,
            at: "2026-01-01T00:00:00Z".parse().unwrap(),
            actor: "u1",
            action: "user.created",
            object_type: "user",
            object_id: "u2",
            draft_id: None,
            details,
            prev_hash: prev,
        }
    }

    #[test]
    fn a_changed_field_changes_the_hash() {
        let a = entry_hash(&fields(1, GENESIS_HASH, "{}"));
        let b = entry_hash(&fields(1, GENESIS_HASH, "{ }"));
        assert_ne!(a, b);
    }

    #[test]
    fn verifier_names_the_first_bad_entry() {
        let h1 = entry_hash(&fields(1, GENESIS_HASH, "{}"));
        let h2 = entry_hash(&fields(2, &h1, "{}"));
        let mut v = ChainVerifier::default();
        v.check(&fields(1, GENESIS_HASH, "{}"), &h1).unwrap();
        v.check(&fields(2, &h1, "{}"), &h2).unwrap();
        assert_eq!(v.finish(2, &h2), Ok(2));

        let mut v = ChainVerifier::default();
        v.check(&fields(1, GENESIS_HASH, "{}"), &h1).unwrap();
        assert_eq!(
            v.check(&fields(2, &h1, "{\"x\":1}"), &h2),
            Err(ChainBreak::Altered { seq: 2 })
        );
    }
}
