//! The request's language: `?lang=`, the `lang` cookie, `Accept-Language`, then the site's
//! default. The texts themselves live in `crate::lang`.

use actix_web::HttpRequest;

pub use crate::lang::{L, LANG, Lang};

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
        assert_eq!(of_request(&req, Lang::Zh), Lang::En);
        let req = TestRequest::default()
            .insert_header(("Accept-Language", "fr;q=1, en-GB;q=0.8, zh;q=0.5"))
            .to_http_request();
        assert_eq!(of_request(&req, Lang::Zh), Lang::En);
        let req = TestRequest::default().to_http_request();
        assert_eq!(of_request(&req, Lang::En), Lang::En);
    }
}
