//! The real browser for tests: `consult serve --demo` on a free port, headless Chromium driven
//! through chromedriver (W3C WebDriver), and axe-core for the WCAG checks. Each part missing
//! says so loudly and the test returns, unless `CONSULT_REQUIRE_BROWSER=1` (CI), which makes a
//! missing part a failure.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

/// Chromium, or `None` after a loud line (a failure under `CONSULT_REQUIRE_BROWSER=1`).
pub fn chromium() -> Option<String> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
        .map(String::from);
    if found.is_none() {
        if std::env::var("CONSULT_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!(
                "CONSULT_REQUIRE_BROWSER=1 but Chromium is not installed (apt-get install chromium chromium-driver)"
            );
        }
        consult::testing::skipped(
            "the headless-browser check: Chromium is not installed (apt-get install -y chromium chromium-driver)",
        );
    }
    found
}

pub const CHROMIUM_FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
];

/// The server, stopped (SIGTERM) when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

pub fn serve_demo() -> Server {
    serve_demo_with(&[])
}

/// The demo server with extra configuration (`CONSULT__SECTION__KEY` variables), such as
/// `testing.clock_control` to move its clock.
pub fn serve_demo_with(config: &[(&str, &str)]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_consult"))
        .args(["serve", "--demo"])
        .current_dir(dir.path())
        .env_remove("CONSULT_CONFIG")
        .env("CONSULT__SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("CONSULT_PASSWORD", "demo-password-for-tests")
        .env("RUST_LOG", "warn")
        .envs(config.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        _dir: dir,
    };
    for _ in 0..400 {
        if ureq::get(&format!("{}/healthz", server.base))
            .call()
            .is_ok()
        {
            return server;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("consult serve --demo did not answer /healthz");
}

/// axe-core (`npm install axe-core`; `.ci/run` puts it under `target/axe`), or `None` after a
/// loud line (a failure under `CONSULT_REQUIRE_BROWSER=1`).
pub fn axe_core() -> Option<String> {
    let candidates = [
        std::env::var("AXE_CORE_JS").unwrap_or_default(),
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/target/axe/node_modules/axe-core/axe.min.js"
        )
        .into(),
        "/usr/local/lib/node_modules/axe-core/axe.min.js".into(),
        "/usr/lib/node_modules/axe-core/axe.min.js".into(),
    ];
    let found = candidates
        .iter()
        .filter(|p| !p.is_empty())
        .find_map(|p| std::fs::read_to_string(p).ok());
    if found.is_none() {
        if std::env::var("CONSULT_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!(
                "CONSULT_REQUIRE_BROWSER=1 but axe-core is not installed (npm install --prefix target/axe axe-core@4)"
            );
        }
        consult::testing::skipped(
            "the accessibility check: axe-core is not installed (npm install --prefix target/axe axe-core@4)",
        );
    }
    found
}

/// Just enough of the W3C WebDriver protocol (chromedriver) to load pages, run a script and
/// press Tab.
pub struct WebDriver {
    child: Child,
    url: String,
    _profile: tempfile::TempDir,
}

impl WebDriver {
    /// A phone-sized browser (360 px), as the public pages are checked.
    pub fn start(browser: &str) -> Option<WebDriver> {
        WebDriver::start_at(browser, 360)
    }

    /// A browser `width` px wide (a phone's viewport below 500 px).
    pub fn start_at(browser: &str, width: u32) -> Option<WebDriver> {
        let driver = ["chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|d| {
                Command::new(d)
                    .arg("--version")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            });
        let Some(driver) = driver else {
            if std::env::var("CONSULT_REQUIRE_BROWSER").as_deref() == Ok("1") {
                panic!(
                    "CONSULT_REQUIRE_BROWSER=1 but chromedriver is not installed (apt-get install chromium-driver)"
                );
            }
            consult::testing::skipped(
                "the layout check: chromedriver is not installed (apt-get install -y chromium-driver)",
            );
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let mut ready = false;
        for _ in 0..200 {
            if ureq::get(&format!("{base}/status")).call().is_ok() {
                ready = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(ready, "chromedriver did not start");
        let profile = tempfile::tempdir().unwrap();
        let binary = Command::new("sh")
            .args(["-c", &format!("command -v {browser}")])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default();
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.push(format!("--window-size={width},900"));
        args.push("--accept-lang=zh-CN".into());
        let mut options = json!({ "args": args });
        if width < 500 {
            // A phone's viewport: a desktop window cannot be narrower than about 500 px.
            options["mobileEmulation"] =
                json!({"deviceMetrics": {"width": width, "height": 800, "pixelRatio": 1.0}});
        }
        // The Debian wrapper script is not the binary chromedriver looks for.
        for real in ["/usr/lib/chromium/chromium", binary.as_str()] {
            if !real.is_empty() && std::path::Path::new(real).exists() {
                options["binary"] = json!(real);
                break;
            }
        }
        let mut res = ureq::post(&format!("{base}/session"))
            .send_json(json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}}))
            .expect("new WebDriver session");
        let v: Value = res.body_mut().read_json().unwrap();
        let session = v["value"]["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        Some(WebDriver {
            child,
            url: format!("{base}/session/{session}"),
            _profile: profile,
        })
    }

    pub fn post(&mut self, path: &str, body: Value) -> Value {
        let mut res = ureq::post(&format!("{}{path}", self.url))
            .send_json(body)
            .unwrap_or_else(|e| panic!("WebDriver {path}: {e}"));
        let v: Value = res.body_mut().read_json().unwrap();
        v["value"].clone()
    }

    /// Opens `url` and returns once its page has loaded. On a loaded machine chromedriver can
    /// answer the navigation before the browser has committed the new document, and the page
    /// source then reads empty (or the old page), so this waits as `click_and_load` does.
    pub fn go(&mut self, url: &str) {
        self.mark_old_page();
        self.post("/url", json!({ "url": url }));
        self.await_new_page(&format!("opening {url}"));
    }

    pub fn eval(&mut self, script: &str) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": [] }))
    }

    pub fn eval_async(&mut self, script: &str) -> Value {
        self.post("/execute/async", json!({ "script": script, "args": [] }))
    }

    pub fn tab(&mut self) {
        self.post(
            "/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
                {"type": "keyDown", "value": "\u{E004}"}, {"type": "keyUp", "value": "\u{E004}"}
            ]}]}),
        );
    }
}

impl WebDriver {
    fn get(&mut self, path: &str) -> Value {
        let mut res = ureq::get(&format!("{}{path}", self.url))
            .call()
            .unwrap_or_else(|e| panic!("WebDriver {path}: {e}"));
        let v: Value = res.body_mut().read_json().unwrap();
        v["value"].clone()
    }

    /// The WebDriver id of the first element matching `css`.
    pub fn element(&mut self, css: &str) -> String {
        let v = self.post("/element", json!({"using": "css selector", "value": css}));
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(|id| id.as_str())
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    /// Clicks the first element matching `css` (as a person would: it must be visible).
    pub fn click(&mut self, css: &str) {
        let id = self.element(css);
        let v = self.post(&format!("/element/{id}/click"), json!({}));
        assert!(v.is_null(), "click {css}: {v}");
    }

    /// Clicks a control that loads a new page (a form's submit button, a link) and
    /// returns once the new page has loaded, so that what follows never reads the old
    /// page (whose flash or fields may look like the answer).
    pub fn click_and_load(&mut self, css: &str) {
        self.mark_old_page();
        self.click(css);
        self.await_new_page(&format!("clicking {css}"));
    }

    fn mark_old_page(&mut self) {
        self.eval("window.__consultOldPage = true; return null;");
    }

    /// Waits (up to 30 s, for a loaded CI machine) until the marked page has been replaced by
    /// a new one that has finished loading.
    fn await_new_page(&mut self, what: &str) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while std::time::Instant::now() < deadline {
            let fresh = self.eval(
                "return window.__consultOldPage === undefined && document.readyState === 'complete';",
            );
            if fresh.as_bool() == Some(true) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{what} loaded no new page");
    }

    /// Types `text` into the field matching `css` (cleared first).
    pub fn type_into(&mut self, css: &str, text: &str) {
        let id = self.element(css);
        self.post(&format!("/element/{id}/clear"), json!({}));
        let v = self.post(&format!("/element/{id}/value"), json!({ "text": text }));
        assert!(v.is_null(), "type into {css}: {v}");
    }

    /// Chooses a local file in the file input matching `css`.
    pub fn choose_file(&mut self, css: &str, path: &std::path::Path) {
        let id = self.element(css);
        let v = self.post(
            &format!("/element/{id}/value"),
            json!({ "text": path.display().to_string() }),
        );
        assert!(v.is_null(), "choose a file in {css}: {v}");
    }

    /// Selects the option with `value` in the select matching `css`.
    pub fn select(&mut self, css: &str, value: &str) {
        self.click(&format!("{css} option[value=\"{value}\"]"));
    }

    /// The page's source once it holds `text` (pages load after a click in their own time);
    /// panics with the page after 10 s.
    pub fn wait_for(&mut self, text: &str) -> String {
        for _ in 0..100 {
            let page = self.source();
            if page.contains(text) {
                return page;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("`{text}` never appeared in:\n{}", self.source());
    }

    pub fn source(&mut self) -> String {
        self.get("/source").as_str().unwrap_or_default().to_string()
    }

    pub fn current_url(&mut self) -> String {
        self.get("/url").as_str().unwrap_or_default().to_string()
    }

    /// The browser's back button.
    pub fn back(&mut self) {
        self.post("/back", json!({}));
    }

    /// A PNG of the viewport (`full`: the whole page, as tall as it is).
    pub fn screenshot(&mut self, file: &std::path::Path, full: bool) {
        use base64::Engine;
        let saved = if full {
            let h = self
                .eval("return document.documentElement.scrollHeight;")
                .as_i64()
                .unwrap_or(900);
            let w = self
                .eval("return window.innerWidth;")
                .as_i64()
                .unwrap_or(1280);
            let rect = self.get("/window/rect");
            self.post(
                "/window/rect",
                json!({"width": w, "height": h.clamp(600, 6000) + 120}),
            );
            Some(rect)
        } else {
            None
        };
        let png = self.get("/screenshot");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap_or_default())
            .unwrap();
        std::fs::write(file, bytes).unwrap();
        if let Some(rect) = saved {
            self.post(
                "/window/rect",
                json!({"width": rect["width"], "height": rect["height"]}),
            );
        }
    }

    /// Runs axe-core's WCAG 2.1 A/AA and best-practice rules on the current page; the
    /// violations, one line each.
    pub fn axe(&mut self, axe: &str) -> Vec<String> {
        let url = self.current_url();
        let loaded = self.eval(&format!("{axe}\nreturn typeof axe;"));
        assert_eq!(loaded, "object", "axe-core loaded into {url}");
        let result = self.eval_async(
            "const done = arguments[arguments.length - 1]; \
             axe.run(document, {runOnly: {type: 'tag', values: \
               ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}) \
             .then(r => done({passes: r.passes.length, violations: r.violations.map(v => \
               v.id + ' (' + v.impact + '): ' + \
               v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))})) \
             .catch(e => done({passes: 0, violations: ['axe failed: ' + e]}));",
        );
        assert!(
            result["passes"].as_i64().unwrap_or(0) > 10,
            "axe ran its rules on {url}"
        );
        result["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| format!("{url}: {}", v.as_str().unwrap_or_default()))
            .collect()
    }
}

impl Drop for WebDriver {
    fn drop(&mut self) {
        let _ = ureq::delete(&self.url).call();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
