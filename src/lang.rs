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
