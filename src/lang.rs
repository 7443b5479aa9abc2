//! The request's language (zh-CN by default, English on request) and bilingual texts.
//!
//! The HTTP middleware runs each request inside `LANG.scope`, so an error rendered anywhere in
//! the request (handler, extractor, default route) speaks its language; outside a request
//! (jobs, the CLI) texts are zh-CN unless a language is given.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

tokio::task_local! {
    pub static LANG: Lang;
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// `zh`, `zh-CN`, `zh-Hans`… are Chinese; `en`, `en-GB`… are English.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s == "zh" || s.starts_with("zh-") || s.starts_with("zh_") {
            Some(Lang::Zh)
        } else if s == "en" || s.starts_with("en-") || s.starts_with("en_") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// The language of the request being handled (zh-CN outside a request).
    pub fn current() -> Lang {
        LANG.try_with(|l| *l).unwrap_or_default()
    }
}

/// A text in both languages; rendered in the request's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct L {
    pub zh: Cow<'static, str>,
    pub en: Cow<'static, str>,
}

impl L {
    pub fn new(zh: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> L {
        L {
            zh: zh.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// The text in the current request's language.
    pub fn here(&self) -> &str {
        self.get(Lang::current())
    }
}

/// `l!("中文", "English")`, or with `format!` arguments shared by both.
#[macro_export]
macro_rules! l {
    ($zh:literal, $en:literal) => {
        $crate::lang::L::new($zh, $en)
    };
    ($zh:literal, $en:literal, $($arg:tt)*) => {
        $crate::lang::L::new(format!($zh, $($arg)*), format!($en, $($arg)*))
    };
}

/// Texts kept in Fluent files (`locales/<lang>/*.ftl`), looked up by message id: `staff.ftl`
/// for the staff workspace, `public.ftl` (ids prefixed `pub-`) for the public pages and their
/// labels. Both files of a language form one bundle, so ids must not repeat across them
/// (`no_message_is_defined_twice`). A message missing from a language is a test failure
/// (`every_message_exists_in_both_languages`), and at run time shows its id.
pub mod ftl {
    use std::sync::OnceLock;

    use fluent_bundle::concurrent::FluentBundle;
    use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

    use super::{L, Lang};

    /// The message files of each language, in the binary.
    pub const SOURCES: [(Lang, &[&str]); 2] = [
        (
            Lang::Zh,
            &[
                include_str!("../locales/zh-CN/staff.ftl"),
                include_str!("../locales/zh-CN/public.ftl"),
                include_str!("../locales/zh-CN/desk.ftl"),
            ],
        ),
        (
            Lang::En,
            &[
                include_str!("../locales/en/staff.ftl"),
                include_str!("../locales/en/public.ftl"),
                include_str!("../locales/en/desk.ftl"),
            ],
        ),
    ];

    type Bundle = FluentBundle<FluentResource>;

    fn bundles() -> &'static [Bundle; 2] {
        static BUNDLES: OnceLock<[Bundle; 2]> = OnceLock::new();
        BUNDLES.get_or_init(|| SOURCES.map(|(lang, files)| build(lang, files)))
    }

    fn build(lang: Lang, files: &[&str]) -> Bundle {
        let id: unic_langid::LanguageIdentifier = lang.code().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // Pages are HTML: no Unicode isolation marks around arguments.
        bundle.set_use_isolating(false);
        for source in files {
            let resource = match FluentResource::try_new((*source).to_string()) {
                Ok(r) => r,
                Err((r, errors)) => {
                    tracing::error!(?errors, lang = lang.code(), "message file has errors");
                    r
                }
            };
            if let Err(errors) = bundle.add_resource(resource) {
                tracing::error!(?errors, lang = lang.code(), "duplicate messages");
            }
        }
        bundle
    }

    fn bundle(lang: Lang) -> &'static Bundle {
        let [zh, en] = bundles();
        match lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The message `id` in `lang`, with `args`.
    pub fn format(lang: Lang, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let bundle = bundle(lang);
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::warn!(id, lang = lang.code(), "message missing");
            return id.to_string();
        };
        let mut fluent_args = FluentArgs::new();
        for (k, v) in args {
            fluent_args.set(*k, v.clone());
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(id, ?errors, "message formatting");
        }
        text.into_owned()
    }

    /// The message `id` (without arguments) in both languages, for code that hands out an
    /// `L` and lets its caller pick the language.
    pub fn both(id: &str) -> L {
        L::new(format(Lang::Zh, id, &[]), format(Lang::En, id, &[]))
    }

    /// True when `lang` has a message `id`.
    pub fn has(lang: Lang, id: &str) -> bool {
        bundle(lang).has_message(id)
    }

    /// The ids of every message of `lang`.
    pub fn ids(lang: Lang) -> Vec<String> {
        let (_, files) = SOURCES[usize::from(lang == Lang::En)];
        let mut out = Vec::new();
        for source in files {
            if let Ok(resource) = FluentResource::try_new((*source).to_string()) {
                for entry in resource.entries() {
                    if let fluent_syntax::ast::Entry::Message(m) = entry {
                        out.push(m.id.name.to_string());
                    }
                }
            }
        }
        out
    }

    /// What a template calls as `t`: messages in the page's language.
    #[derive(Debug, Clone, Copy)]
    pub struct T(pub Lang);

    impl T {
        /// The request's language.
        pub fn current() -> T {
            T(Lang::current())
        }

        /// A message without arguments.
        pub fn s(&self, id: &str) -> String {
            format(self.0, id, &[])
        }

        /// A message with a number `n` (plural forms choose by it).
        pub fn n(&self, id: &str, n: impl std::borrow::Borrow<i64>) -> String {
            format(self.0, id, &[("n", FluentValue::from(*n.borrow()))])
        }

        /// A message with one text argument named `name`.
        pub fn a(&self, id: &str, name: &str, value: &str) -> String {
            format(self.0, id, &[(name, FluentValue::from(value.to_string()))])
        }

        /// A message with several text arguments: `t.f("id", [("a", x), ("b", y)])`.
        pub fn f(&self, id: &str, args: &[(&str, &str)]) -> String {
            let args: Vec<(&str, FluentValue<'_>)> = args
                .iter()
                .map(|(k, v)| (*k, FluentValue::from(*v)))
                .collect();
            format(self.0, id, &args)
        }

        /// Items of a list, joined as the language writes them ("、" or ", ").
        pub fn join(&self, items: &[String]) -> String {
            items.join(&format(self.0, "list-separator", &[]))
        }

        /// Several messages about one field, joined ("；" or "; ").
        pub fn join_messages(&self, items: &[String]) -> String {
            items.join(&format(self.0, "message-separator", &[]))
        }

        pub fn en(&self) -> bool {
            self.0 == Lang::En
        }

        pub fn code(&self) -> &'static str {
            self.0.code()
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn rounds_are_numbered_as_a_reader_says_them() {
            let zh: Vec<String> = [1, 2, 10, 11, 20, 35, 99, 100]
                .into_iter()
                .map(|n| crate::lang::round_number(n, Lang::Zh))
                .collect();
            assert_eq!(
                zh,
                ["一", "二", "十", "十一", "二十", "三十五", "九十九", "100"]
            );
            assert_eq!(crate::lang::round_number(2, Lang::En), "2");
        }

        #[test]
        fn every_message_exists_in_both_languages() {
            let zh = ids(Lang::Zh);
            let en = ids(Lang::En);
            assert!(!zh.is_empty());
            for id in &zh {
                assert!(has(Lang::En, id), "`{id}` has no English text");
            }
            for id in &en {
                assert!(has(Lang::Zh, id), "`{id}` has no Chinese text");
            }
        }

        #[test]
        fn no_message_is_defined_twice() {
            for lang in [Lang::Zh, Lang::En] {
                let mut seen = std::collections::HashSet::new();
                let twice: Vec<String> = ids(lang)
                    .into_iter()
                    .filter(|id| !seen.insert(id.clone()))
                    .collect();
                assert!(
                    twice.is_empty(),
                    "{}: defined twice: {twice:?}",
                    lang.code()
                );
            }
        }

        #[test]
        fn every_message_a_template_uses_exists() {
            // The templates, and the page code that picks messages itself.
            let dirs = [
                concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/templates"),
                concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/templates/staff"),
                concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/staff"),
                concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/pages"),
            ];
            let mut missing = Vec::new();
            let mut calls = 0;
            let files = dirs
                .iter()
                .flat_map(|dir| std::fs::read_dir(dir).into_iter().flatten().flatten())
                .filter(|e| {
                    e.path()
                        .extension()
                        .is_some_and(|x| x == "html" || x == "rs")
                });
            for entry in files {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                for call in ["t.s(\"", "t.n(\"", "t.a(\"", "t.f(\"", "both(\""] {
                    for (i, _) in text.match_indices(call) {
                        let rest = &text[i + call.len()..];
                        let id = rest.split('"').next().unwrap_or_default();
                        calls += 1;
                        if !has(Lang::Zh, id) || !has(Lang::En, id) {
                            missing.push(format!("{}: {id}", entry.path().display()));
                        }
                    }
                }
            }
            assert!(missing.is_empty(), "messages missing: {missing:#?}");
            assert!(
                calls > 400,
                "only {calls} calls found: are the templates there?"
            );
        }

        /// The public templates take their texts from `t`: no language switch of their own,
        /// no Chinese but the name of the language in the language switch.
        #[test]
        fn public_templates_hold_no_prose() {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/http/templates");
            let mut found = Vec::new();
            let files = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .filter(|e| {
                    e.path()
                        .extension()
                        .is_some_and(|x| x == "html" || x == "rs")
                });
            for entry in files {
                let text = std::fs::read_to_string(entry.path())
                    .unwrap_or_default()
                    .replace(r#"lang="zh-CN">中文<"#, "");
                let han = |c: char| ('\u{3000}'..='\u{9fff}').contains(&c);
                if text.contains("{% if en %}") || text.chars().any(han) {
                    found.push(entry.path().display().to_string());
                }
            }
            assert!(found.is_empty(), "texts left in templates: {found:#?}");
        }

        #[test]
        fn arguments_and_plurals() {
            assert_eq!(T(Lang::En).n("count-comments", 1), "1 comment");
            assert_eq!(T(Lang::En).n("count-comments", 3), "3 comments");
            assert_eq!(T(Lang::Zh).n("count-comments", 3), "3 条意见");
            let args = [("page", "2"), ("pages", "10")];
            assert_eq!(T(Lang::En).f("pub-page-of", &args), "Page 2 of 10");
            assert_eq!(T(Lang::Zh).f("pub-page-of", &args), "第 2 页，共 10 页");
            assert_eq!(both("pub-nav-home").get(Lang::Zh), "首页");
            assert_eq!(both("pub-nav-home").get(Lang::En), "Home");
        }
    }
}

/// R8: a round's number as a reader says it: 二 in "第二轮", 2 in "Round 2" (up to 99 in
/// Chinese numerals, digits beyond).
pub fn round_number(n: i32, lang: Lang) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    if lang != Lang::Zh || !(1..=99).contains(&n) {
        return n.to_string();
    }
    let (tens, ones) = ((n / 10) as usize, (n % 10) as usize);
    let ones = if ones == 0 { "" } else { DIGITS[ones] };
    match tens {
        0 => ones.to_owned(),
        1 => format!("十{ones}"),
        _ => format!("{}十{ones}", DIGITS[tens]),
    }
}
