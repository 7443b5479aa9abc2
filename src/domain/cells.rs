//! R20: spreadsheet cells that cannot run. A CSV or XLSX cell whose text begins with `=`, `+`,
//! `-` or `@` (or a tab or carriage return, which some programs skip before reading a formula)
//! is taken by Excel and LibreOffice as a formula; a comment, a group title or a reason written
//! that way could run on an officer's machine. Every text cell of every export passes through
//! `neutralise`, which puts a `'` in front, as OWASP recommends: the spreadsheet then shows the
//! text as text.

use std::borrow::Cow;

/// `text` safe to put in a spreadsheet cell: unchanged, or with a leading `'` when it would
/// start a formula.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_that_would_start_a_formula_is_quoted() {
        for bad in [
            "=HYPERLINK(\"http://x\")",
            "+1+1",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(neutralise(bad), format!("'{bad}"), "{bad:?}");
        }
        for good in [
            "",
            "建议延长期限",
            "20260301-GK1QD-9XW2M",
            "a=b",
            " =1",
            "'quoted",
        ] {
            assert!(matches!(neutralise(good), Cow::Borrowed(_)), "{good:?}");
        }
    }
}
