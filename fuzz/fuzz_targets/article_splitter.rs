//! The article splitter (`service::drafts::split_articles`), fed raw pasted text and, from
//! the same bytes, a draft laid out with numbered markers in every style it accepts.
#![no_main]

use consult::service::drafts::split_articles;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    pasted_text(text);
    numbered_articles(text);
});

/// Any paste: every article has text, trimmed, made of the input's lines in their order.
fn pasted_text(text: &str) {
    let articles = split_articles(text);
    assert!(articles.len() <= text.lines().count());
    // Each line of an article is (part of) one line of the paste, and the articles and
    // their lines come in the paste's order.
    let mut from = 0;
    for a in &articles {
        assert!(a.heading.is_none());
        assert!(!a.text.is_empty(), "an empty article from {text:?}");
        assert_eq!(a.text, a.text.trim());
        for line in a.text.split('\n') {
            let at = text[from..]
                .find(line)
                .unwrap_or_else(|| panic!("{line:?} is not in order in {text:?}"));
            from += at + line.len();
        }
    }
    let again: Vec<String> = split_articles(text).into_iter().map(|a| a.text).collect();
    let texts: Vec<String> = articles.into_iter().map(|a| a.text).collect();
    assert_eq!(again, texts, "not deterministic");
}

/// The input's lines as the bodies of articles 1, 2, 3… written with markers in the style
/// its first byte picks: every body comes back, in order, as one article.
fn numbered_articles(text: &str) {
    let style = text.bytes().next().unwrap_or(0) % 4;
    let bodies: Vec<&str> = text
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|b| is_plain_body(b))
        .take(200)
        .collect();
    let mut draft = String::new();
    for (i, body) in bodies.iter().enumerate() {
        let n = i + 1;
        let marker = match style {
            0 => format!("第{}条　", chinese_numeral(n)),
            1 => format!("第{n}条："),
            2 => format!("Article {n}. "),
            _ => format!("  art. {n}: "),
        };
        draft.push_str(&marker);
        draft.push_str(body);
        draft.push('\n');
    }
    let texts: Vec<String> = split_articles(&draft).into_iter().map(|a| a.text).collect();
    assert_eq!(texts, bodies, "from {draft:?}");
}

/// A body that cannot be read as a marker of its own or lose a character to the marker's
/// separator: then it must come back unchanged.
fn is_plain_body(body: &str) -> bool {
    let lower = body.to_ascii_lowercase();
    !body.is_empty() && !body.starts_with(['第', '.', ':', '：', ')']) && !lower.starts_with("art")
}

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五: how drafts number their articles.
fn chinese_numeral(n: usize) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    let (hundreds, tens, ones) = (n / 100, n / 10 % 10, n % 10);
    let mut out = String::new();
    if hundreds > 0 {
        out.push(DIGITS[hundreds]);
        out.push('百');
        if tens == 0 && ones > 0 {
            out.push('零');
        }
    }
    if tens > 0 {
        if hundreds > 0 || tens > 1 {
            out.push(DIGITS[tens]);
        }
        out.push('十');
    }
    if ones > 0 {
        out.push(DIGITS[ones]);
    }
    out
}
