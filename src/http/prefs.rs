//! R28: a reader's page preferences — the elder-friendly mode and the language chosen with
//! `?lang=` — kept across pages in cookies, and the links that switch them without JavaScript.
//!
//! The middleware runs each request inside `PREFS.scope`, so the shared layout
//! (`templates/base.html`) can read them without every page struct carrying them, and
//! `pages::render` can set the cookies when a switch link was followed.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time::Duration};

use super::lang::Lang;

/// Cookie that keeps the language chosen with `?lang=`.
pub const LANG_COOKIE: &str = "lang";
/// Cookie that keeps the elder-friendly mode on.
pub const ELDER_COOKIE: &str = "elder";

tokio::task_local! {
    pub static PREFS: Prefs;
}

#[derive(Debug, Clone, Default)]
pub struct Prefs {
    /// R28: larger type, higher contrast.
    pub elder: bool,
    /// The request's path, for links back to the same page.
    path: String,
    /// The query pairs other than `lang` and `elder`.
    rest: Vec<(String, String)>,
    /// A language asked for with `?lang=`, to be kept in the cookie.
    set_lang: Option<Lang>,
    /// An elder mode asked for with `?elder=`, to be kept in the cookie.
    set_elder: Option<bool>,
    /// Cookies get `Secure` when the site is served over https.
    secure: bool,
    /// The service's configuration, for the layout (the site's name).
    config: Option<std::sync::Arc<crate::config::Config>>,
}

impl Prefs {
    /// The preferences of a page request (`?elder=` wins over the cookie). API requests get
    /// the defaults without any work.
    pub fn of_request(req: &HttpRequest) -> Prefs {
        let path = req.path();
        if path.starts_with("/api/") || path == "/healthz" || path == "/metrics" {
            return Prefs::default();
        }
        let config = req
            .app_data::<actix_web::web::Data<crate::app::AppState>>()
            .map(|s| s.config.clone());
        let secure = config
            .as_ref()
            .is_some_and(|c| c.server.public_url.starts_with("https://"));
        let mut prefs = Prefs {
            config,
            // One leading slash: `//host` or `/\host` in a link would leave the site.
            path: format!("/{}", path.trim_start_matches(['/', '\\'])),
            secure,
            ..Prefs::default()
        };
        for (k, v) in form_urlencoded::parse(req.query_string().as_bytes()) {
            match k.as_ref() {
                "lang" => prefs.set_lang = prefs.set_lang.or_else(|| Lang::parse(&v)),
                "elder" => prefs.set_elder = Some(v == "1" || v == "on" || v == "true"),
                _ => prefs.rest.push((k.into_owned(), v.into_owned())),
            }
        }
        prefs.elder = prefs
            .set_elder
            .unwrap_or_else(|| req.cookie(ELDER_COOKIE).is_some_and(|c| c.value() == "1"));
        prefs
    }

    /// The preferences of the request being handled.
    pub fn current() -> Prefs {
        PREFS.try_with(Prefs::clone).unwrap_or_default()
    }

    /// The site's name in `lang`.
    pub fn site_name(&self, lang: Lang) -> String {
        match &self.config {
            Some(c) => c.site_name(lang).to_string(),
            None => crate::config::Config::default().site_name(lang).to_string(),
        }
    }

    /// The query pairs other than `lang` and `elder`, in their order.
    pub fn rest(&self) -> &[(String, String)] {
        &self.rest
    }

    /// The request's path (for links back to the same page).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// This page with one preference switched (`lang` or `elder`), other parameters kept.
    pub fn href_with(&self, key: &str, value: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.rest {
            q.append_pair(k, v);
        }
        q.append_pair(key, value);
        let path = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        format!("{path}?{}", q.finish())
    }

    /// The link that turns the elder-friendly mode on or off.
    pub fn elder_toggle_href(&self) -> String {
        self.href_with(ELDER_COOKIE, if self.elder { "0" } else { "1" })
    }

    /// The cookies a followed switch link asks to keep (a year; `elder=0` removes it).
    pub fn cookies(&self) -> Vec<Cookie<'static>> {
        let mut out = Vec::new();
        let build = |name: &'static str, value: &str, keep: bool| {
            let mut c = Cookie::build(name, value.to_string())
                .path("/")
                .same_site(SameSite::Lax)
                .http_only(true)
                .secure(self.secure)
                .finish();
            c.set_max_age(if keep {
                Duration::days(365)
            } else {
                Duration::ZERO
            });
            c
        };
        if let Some(lang) = self.set_lang {
            out.push(build(LANG_COOKIE, lang.code(), true));
        }
        match self.set_elder {
            Some(true) => out.push(build(ELDER_COOKIE, "1", true)),
            Some(false) => out.push(build(ELDER_COOKIE, "", false)),
            None => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn switch_links_keep_other_parameters() {
        let req = TestRequest::default()
            .uri("/drafts?q=%E5%8F%B8%E6%B3%95&lang=en&page=2")
            .to_http_request();
        let p = Prefs::of_request(&req);
        assert!(!p.elder);
        assert_eq!(
            p.href_with("lang", "zh-CN"),
            "/drafts?q=%E5%8F%B8%E6%B3%95&page=2&lang=zh-CN"
        );
        assert_eq!(
            p.elder_toggle_href(),
            "/drafts?q=%E5%8F%B8%E6%B3%95&page=2&elder=1"
        );
        assert_eq!(p.cookies().len(), 1);
    }

    #[test]
    fn switch_links_never_leave_the_site() {
        for uri in ["//evil.example/x", "/\\evil.example/x"] {
            let req = TestRequest::default().uri(uri).to_http_request();
            let href = Prefs::of_request(&req).href_with("lang", "en");
            assert!(href.starts_with("/evil.example"), "{uri} gave {href}");
        }
    }

    #[test]
    fn elder_mode_comes_from_the_query_then_the_cookie() {
        let req = TestRequest::default()
            .uri("/")
            .cookie(Cookie::new(ELDER_COOKIE, "1"))
            .to_http_request();
        assert!(Prefs::of_request(&req).elder);
        let req = TestRequest::default()
            .uri("/?elder=0")
            .cookie(Cookie::new(ELDER_COOKIE, "1"))
            .to_http_request();
        let p = Prefs::of_request(&req);
        assert!(!p.elder);
        assert_eq!(p.cookies()[0].max_age(), Some(Duration::ZERO));
    }
}
