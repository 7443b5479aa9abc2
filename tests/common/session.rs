//! A browser for the staff pages in integration tests: keeps the cookies the app sets, posts
//! forms with the session's CSRF token, and signs a user in.

use std::collections::BTreeMap;

use actix_web::cookie::Cookie;
use actix_web::test::TestRequest;
use consult::domain::roles::Role;

use super::{PASSWORD, Resp, TestApp};

/// A browser: keeps the cookies the app sets.
pub struct Browser<'a> {
    pub app: &'a TestApp,
    pub cookies: BTreeMap<String, String>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Browser<'a> {
        Browser {
            app,
            cookies: BTreeMap::new(),
        }
    }

    pub fn with_cookies(&self, mut req: TestRequest) -> TestRequest {
        for (k, v) in &self.cookies {
            req = req.cookie(Cookie::new(k.clone(), v.clone()));
        }
        req
    }

    pub fn absorb(&mut self, res: &Resp) {
        for v in res.headers.get_all("set-cookie") {
            let c = Cookie::parse(v.to_str().unwrap().to_string()).unwrap();
            if c.max_age() == Some(actix_web::cookie::time::Duration::ZERO) {
                self.cookies.remove(c.name());
            } else {
                self.cookies
                    .insert(c.name().to_string(), c.value().to_string());
            }
        }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let req = self.with_cookies(
            TestRequest::get()
                .uri(path)
                .insert_header(("Accept", "text/html")),
        );
        let res = self.app.call(req).await;
        self.absorb(&res);
        res
    }

    pub async fn post(&mut self, path: &str, pairs: &[(&str, &str)]) -> Resp {
        let mut body = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            body.append_pair(k, v);
        }
        let req = self.with_cookies(
            TestRequest::post()
                .uri(path)
                .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                .set_payload(body.finish()),
        );
        let res = self.app.call(req).await;
        self.absorb(&res);
        res
    }

    /// Posts a form with this session's CSRF token (read from the page `from`).
    pub async fn submit(&mut self, from: &str, path: &str, pairs: &[(&str, &str)]) -> Resp {
        let page = self.get(from).await;
        assert_eq!(page.status.as_u16(), 200, "{from}: {}", page.text());
        let token = value_of(&page.text(), "csrf_token");
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(pairs);
        self.post(path, &all).await
    }

    pub async fn sign_in(&mut self, username: &str, password: &str) -> Resp {
        let page = self.get("/staff/login").await;
        let html = page.text();
        let v = value_of(&html, "csrf_token");
        let s = value_of(&html, "csrf_signature");
        self.post(
            "/staff/login",
            &[
                ("csrf_token", &v),
                ("csrf_signature", &s),
                ("username", username),
                ("password", password),
                ("next", "/staff"),
            ],
        )
        .await
    }
}

/// The value of the first input named `name`.
pub fn value_of(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in the page:\n{html}"));
    let rest = &html[at + marker.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

pub fn location(res: &Resp) -> String {
    assert_eq!(
        res.status.as_u16(),
        303,
        "expected a redirect: {}",
        res.text()
    );
    res.header("location").unwrap()
}

/// A user with these roles, signed in.
pub async fn signed_in<'a>(app: &'a TestApp, username: &str, roles: &[Role]) -> Browser<'a> {
    app.staff(username, roles);
    let mut b = Browser::new(app);
    let res = b.sign_in(username, PASSWORD).await;
    assert_eq!(location(&res), "/staff");
    b
}
