use proptest::prelude::*;

use super::*;

fn articles(texts: &[&str]) -> Vec<ArticleText> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| ArticleText {
            number: i as i32 + 1,
            heading: None,
            text: (*t).to_owned(),
        })
        .collect()
}

fn same(s: &str) -> Span {
    Span::Same(s.into())
}
fn del(s: &str) -> Span {
    Span::Deleted(s.into())
}
fn ins(s: &str) -> Span {
    Span::Inserted(s.into())
}

/// The earlier text of a list of spans (what was kept and what was taken out).
fn before(spans: &[Span]) -> String {
    spans
        .iter()
        .filter_map(|s| match s {
            Span::Same(t) | Span::Deleted(t) => Some(t.as_str()),
            Span::Inserted(_) => None,
        })
        .collect()
}

/// The later text (what was kept and what was put in).
fn after(spans: &[Span]) -> String {
    spans
        .iter()
        .filter_map(|s| match s {
            Span::Same(t) | Span::Inserted(t) => Some(t.as_str()),
            Span::Deleted(_) => None,
        })
        .collect()
}

const ARTICLES: [&str; 6] = [
    "为了规范行政规范性文件的制定，根据有关法律法规，制定本办法。",
    "本办法适用于县人民政府及其工作部门制定的行政规范性文件。",
    "起草部门应当向社会公开征求意见，征求意见期限一般不少于十五日。",
    "起草部门应当对公众意见进行研究处理，并说明采纳情况及理由。",
    "法律顾问可以为村民提供免费法律咨询服务。",
    "本办法自发布之日起施行。",
];

#[test]
fn chinese_is_compared_character_by_character() {
    assert_eq!(
        diff_text(
            "征求意见期限一般不少于十五日。",
            "征求意见期限一般不少于三十日。"
        ),
        vec![
            same("征求意见期限一般不少于"),
            del("十五"),
            ins("三十"),
            same("日。")
        ]
    );
    assert_eq!(
        diff_text("应当公开征求意见。", "应当通过网站公开征求意见。"),
        vec![same("应当"), ins("通过网站"), same("公开征求意见。")]
    );
}

#[test]
fn english_is_compared_word_by_word() {
    assert_eq!(
        diff_text(
            "The consultation lasts 15 days.",
            "The consultation lasts 30 days."
        ),
        vec![
            same("The consultation lasts "),
            del("15"),
            ins("30"),
            same(" days.")
        ]
    );
    assert_eq!(
        diff_text("Legal advice is free.", "Legal advice is charged."),
        vec![
            same("Legal advice is "),
            del("free"),
            ins("charged"),
            same(".")
        ]
    );
}

#[test]
fn an_inserted_article_renumbers_the_ones_after_it_without_changing_them() {
    let old = articles(&ARTICLES[..4]);
    let new = articles(&[
        ARTICLES[0],
        ARTICLES[1],
        "公开征求意见应当通过政府网站进行。",
        ARTICLES[2],
        ARTICLES[3],
    ]);
    let changes = compare(&old, &new);
    let kinds: Vec<_> = changes
        .iter()
        .map(|c| {
            (
                c.kind.clone(),
                c.old_number,
                c.new_number,
                c.renumbered,
                c.moved,
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            (ChangeKind::Unchanged, Some(1), Some(1), false, false),
            (ChangeKind::Unchanged, Some(2), Some(2), false, false),
            (ChangeKind::Inserted, None, Some(3), false, false),
            (ChangeKind::Unchanged, Some(3), Some(4), true, false),
            (ChangeKind::Unchanged, Some(4), Some(5), true, false),
        ]
    );
    assert!(!changes[0].is_change() && changes[3].is_change());
}

#[test]
fn a_deleted_article_stays_where_it_stood() {
    let old = articles(&ARTICLES);
    let new = articles(&[
        ARTICLES[0],
        ARTICLES[1],
        ARTICLES[2],
        ARTICLES[3],
        ARTICLES[5],
    ]);
    let changes = compare(&old, &new);
    assert_eq!(changes.len(), 6);
    assert_eq!(changes[4].kind, ChangeKind::Deleted);
    assert_eq!(changes[4].old_number, Some(5));
    assert_eq!(changes[4].text, vec![del(ARTICLES[4])]);
    assert!(changes[5].renumbered);
}

#[test]
fn a_moved_article_is_marked_and_the_others_are_not() {
    let old = articles(&ARTICLES);
    let new = articles(&[
        ARTICLES[0],
        ARTICLES[4],
        ARTICLES[1],
        ARTICLES[2],
        ARTICLES[3],
        ARTICLES[5],
    ]);
    let changes = compare(&old, &new);
    let moved: Vec<_> = changes.iter().filter(|c| c.moved).collect();
    assert_eq!(moved.len(), 1);
    assert_eq!(
        (moved[0].old_number, moved[0].new_number),
        (Some(5), Some(2))
    );
    assert!(changes.iter().all(|c| c.kind == ChangeKind::Unchanged));
}

#[test]
fn an_edited_article_is_paired_and_a_rewritten_one_is_not() {
    let old = articles(&ARTICLES[..3]);
    let new = articles(&[
        ARTICLES[0],
        "本办法适用于县人民政府及其工作部门、乡镇人民政府制定的行政规范性文件。",
        "Public consultation follows the national rules.",
    ]);
    let changes = compare(&old, &new);
    assert_eq!(changes[1].kind, ChangeKind::Edited);
    assert_eq!(
        changes[1].text,
        vec![
            same("本办法适用于县人民政府及其工作部门"),
            ins("、乡镇人民政府"),
            same("制定的行政规范性文件。")
        ]
    );
    let rest: Vec<_> = changes[2..].iter().map(|c| c.kind.clone()).collect();
    // As inside a text: what went out first, then what came in.
    assert_eq!(rest, vec![ChangeKind::Deleted, ChangeKind::Inserted]);
}

#[test]
fn headings_are_compared_too() {
    let mut old = articles(&ARTICLES[..1]);
    let mut new = old.clone();
    old[0].heading = Some("目的".into());
    new[0].heading = Some("目的和依据".into());
    let changes = compare(&old, &new);
    assert_eq!(changes[0].kind, ChangeKind::Edited);
    assert_eq!(changes[0].heading, Some(vec![same("目的"), ins("和依据")]));
}

/// A text from pieces of Chinese and English, with digits, spaces and punctuation.
fn text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "征求意见",
        "期限",
        "十五日",
        "三十日",
        "不少于",
        "起草部门",
        "应当",
        "公开",
        "，",
        "。",
        "法律顾问",
        "免费",
        "村民",
        "Article ",
        "the fee",
        " is ",
        "waived",
        "30",
        "15",
        " days",
        ".",
    ]);
    prop::collection::vec(pieces, 1..12).prop_map(|v| v.concat())
}

/// Edits of a list of texts: replace one, insert one, delete one, move one.
#[derive(Debug, Clone)]
enum Edit {
    Rewrite(usize, String),
    Insert(usize, String),
    Delete(usize),
    Move(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), text()).prop_map(|(i, t)| Edit::Rewrite(i, t)),
        (any::<usize>(), text()).prop_map(|(i, t)| Edit::Insert(i, t)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Edit::Move(i, j)),
    ]
}

fn apply(mut texts: Vec<String>, edits: &[Edit]) -> Vec<String> {
    for e in edits {
        let n = texts.len();
        match e.clone() {
            Edit::Rewrite(i, t) if n > 0 => {
                // Half the time a small change inside the text, else a new text.
                if i % 2 == 0 {
                    texts[i % n].push_str(&t);
                } else {
                    texts[i % n] = t;
                }
            }
            Edit::Insert(i, t) => texts.insert(i % (n + 1), t),
            Edit::Delete(i) if n > 0 => {
                texts.remove(i % n);
            }
            Edit::Move(i, j) if n > 0 => {
                let t = texts.remove(i % n);
                texts.insert(j % n, t);
            }
            _ => {}
        }
    }
    texts
}

proptest! {
    #[test]
    fn the_comparison_gives_back_both_rounds(
        old_texts in prop::collection::vec(text(), 0..10),
        edits in prop::collection::vec(edit(), 0..8),
        headed in any::<bool>(),
    ) {
        let new_texts = apply(old_texts.clone(), &edits);
        let list = |texts: &[String]| -> Vec<ArticleText> {
            texts.iter().enumerate().map(|(i, t)| ArticleText {
                number: i as i32 + 1,
                heading: (headed && i % 2 == 0).then(|| t.chars().take(3).collect()),
                text: t.clone(),
            }).collect()
        };
        let (old, new) = (list(&old_texts), list(&new_texts));
        let changes = compare(&old, &new);

        // The later round, in order.
        let later: Vec<&ArticleChange> = changes.iter().filter(|c| c.new_number.is_some()).collect();
        prop_assert_eq!(later.len(), new.len());
        for (c, a) in later.iter().zip(&new) {
            prop_assert_eq!(c.new_number, Some(a.number));
            prop_assert_eq!(after(&c.text), a.text.clone());
            let heading = c.heading.as_deref().map(after).filter(|h| !h.is_empty());
            prop_assert_eq!(heading, a.heading.clone().filter(|h| !h.is_empty()));
        }
        // The earlier round, each article once.
        let mut earlier: Vec<&ArticleChange> = changes.iter().filter(|c| c.old_number.is_some()).collect();
        earlier.sort_by_key(|c| c.old_number);
        prop_assert_eq!(earlier.len(), old.len());
        for (c, a) in earlier.iter().zip(&old) {
            prop_assert_eq!(c.old_number, Some(a.number));
            prop_assert_eq!(before(&c.text), a.text.clone());
        }
        // Nothing is reported as a change when nothing changed.
        if old_texts == new_texts {
            prop_assert!(changes.iter().all(|c| !c.is_change()));
        }
    }

    #[test]
    fn a_text_diff_gives_back_both_texts(a in text(), b in text()) {
        let spans = diff_text(&a, &b);
        prop_assert_eq!(before(&spans), a);
        prop_assert_eq!(after(&spans), b);
        // No two neighbours of the same kind, no empty span.
        for w in spans.windows(2) {
            prop_assert!(std::mem::discriminant(&w[0]) != std::mem::discriminant(&w[1]));
        }
        let none_empty = spans.iter().all(|s| match s {
            Span::Same(t) | Span::Deleted(t) | Span::Inserted(t) => !t.is_empty(),
        });
        prop_assert!(none_empty);
    }
}
