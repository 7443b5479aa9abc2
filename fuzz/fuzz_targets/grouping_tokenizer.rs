//! The grouping's reading of a comment (`domain::grouping`): normalisation, the units and
//! quantities the features are built from, the letter's core and its request sentences, and
//! the conflict test between two comments.
#![no_main]

use consult::domain::grouping::{conflict_between, core_text, normalise, request_of, units};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    tokens(text);
    core(text);
    request(text);
    // Two comments: the input cut at its first NUL.
    let (a, b) = text.split_once('\0').unwrap_or((text, ""));
    assert_eq!(conflict_between(a, b), conflict_between(b, a));
    assert_eq!(conflict_between(a, a), None, "{a:?} conflicts with itself");
});

/// Tokenizing is deterministic and every unit starts at a character of the normalised text
/// that is part of a word or a CJK character, never at a space or a separator.
fn tokens(text: &str) {
    let norm = normalise(text);
    assert_eq!(norm, normalise(text));
    let (units_of, numbers, starts) = units(&norm);
    assert_eq!(units(&norm), (units_of.clone(), numbers, starts.clone()));
    assert_eq!(units_of.len(), starts.len());
    assert!(starts.windows(2).all(|w| w[0] < w[1]), "{starts:?}");
    for &at in &starts {
        let c = norm
            .get(at..)
            .and_then(|s| s.chars().next())
            .unwrap_or_else(|| panic!("a unit at {at}, outside {norm:?}"));
        assert!(
            !c.is_whitespace() && !c.is_ascii_punctuation(),
            "a unit starts at {c:?} in {norm:?}"
        );
    }
}

/// The core is a part of the letter itself, and keeps some words when the letter has any.
fn core(text: &str) {
    let core = core_text(text);
    let start = (core.as_ptr() as usize).checked_sub(text.as_ptr() as usize);
    assert!(
        start.is_some_and(|s| s + core.len() <= text.len()),
        "{core:?} is not part of {text:?}"
    );
    if text.chars().any(char::is_alphanumeric) {
        assert!(core.chars().any(char::is_alphanumeric), "{text:?}");
    }
}

/// The request sentences are the core's own (lower-cased) sentences, in order: leaving out
/// white space, what `request_of` returns is a subsequence of the lower-cased core.
fn request(text: &str) {
    let request = request_of(text);
    let lower = core_text(text).to_lowercase();
    let mut source = lower.chars().filter(|c| !c.is_whitespace());
    for c in request.chars().filter(|c| !c.is_whitespace()) {
        assert!(
            source.any(|s| s == c),
            "{request:?} is not drawn from {lower:?}"
        );
    }
}
