//! The request's language (zh-CN by default, English on request) and bilingual texts.
//!
//! The middleware in `http::middleware` runs each request inside `LANG.scope`, so an error
//! rendered anywhere in the request (handler, extractor, default route) speaks its language.

use std::borrow::Cow;

use actix_web::HttpRequest;
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

    /// The language a request asks for: `?lang=`, then the `lang` cookie, then the first
    /// supported `Accept-Language` entry, then `default`.
    pub fn of_request(req: &HttpRequest, default: Lang) -> Lang {
        if let Some(q) = req.uri().query() {
            for pair in q.split('&') {
                if let Some(v) = pair.strip_prefix("lang=")
                    && let Some(l) = Lang::parse(v)
                {
                    return l;
                }
            }
        }
        if let Some(c) = req.cookie("lang")
            && let Some(l) = Lang::parse(c.value())
        {
            return l;
        }
        if let Some(h) = req
            .headers()
            .get(actix_web::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
        {
            let mut best: Option<(f32, Lang)> = None;
            for part in h.split(',') {
                let mut it = part.split(';');
                let tag = it.next().unwrap_or("");
                let q = it
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                if let Some(l) = Lang::parse(tag)
                    && best.is_none_or(|(bq, _)| q > bq)
                {
                    best = Some((q, l));
                }
            }
            if let Some((_, l)) = best {
                return l;
            }
        }
        default
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
        $crate::http::lang::L::new($zh, $en)
    };
    ($zh:literal, $en:literal, $($arg:tt)*) => {
        $crate::http::lang::L::new(format!($zh, $($arg)*), format!($en, $($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn picks_query_then_header() {
        let req = TestRequest::default()
            .uri("/x?lang=en")
            .insert_header(("Accept-Language", "zh-CN"))
            .to_http_request();
        assert_eq!(Lang::of_request(&req, Lang::Zh), Lang::En);
        let req = TestRequest::default()
            .insert_header(("Accept-Language", "fr;q=1, en-GB;q=0.8, zh;q=0.5"))
            .to_http_request();
        assert_eq!(Lang::of_request(&req, Lang::Zh), Lang::En);
        let req = TestRequest::default().to_http_request();
        assert_eq!(Lang::of_request(&req, Lang::En), Lang::En);
    }
}
