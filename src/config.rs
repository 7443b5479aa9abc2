//! The one typed configuration: `config/default.toml`, then the file named by
//! `CONSULT_CONFIG`, then `CONSULT__SECTION__KEY` environment variables; validated at start.

use std::fmt;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The default configuration file, relative to the working directory.
pub const DEFAULT_FILE: &str = "config/default.toml";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: Server,
    pub database: Database,
    pub site: Site,
    pub window: Window,
    pub review: Review,
    pub mail: Mail,
    pub limits: Limits,
    pub security: Security,
    pub abuse: Abuse,
    pub testing: Testing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    Development,
    Production,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Server {
    pub bind: String,
    pub public_url: String,
    pub profile: Profile,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// One log line per answered request.
    pub access_log: bool,
    /// Peers whose `X-Forwarded-For` is believed (exact IP addresses).
    pub trusted_proxies: Vec<String>,
    /// How long a node trusts the version of a draft it last read before reading it again
    /// (`http::draft_cache`): the longest another node's change to a draft can take to show in
    /// this node's public draft page and JSON. A change made through this node shows at once.
    /// 0 reads the version on every request.
    pub draft_recheck_ms: u64,
    /// Memory for the rendered public draft pages and JSON, in MiB.
    pub draft_cache_mib: usize,
}

impl Default for Server {
    fn default() -> Self {
        Server {
            bind: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            profile: Profile::Development,
            workers: 0,
            access_log: true,
            trusted_proxies: Vec::new(),
            draft_recheck_ms: 1000,
            draft_cache_mib: 64,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Database {
    pub url: String,
    pub pool_size: u32,
    pub busy_timeout_ms: u32,
}

impl Default for Database {
    fn default() -> Self {
        Database {
            url: "sqlite://data/consult.db".into(),
            pool_size: 16,
            busy_timeout_ms: 5000,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Site {
    pub name: String,
    /// R28: the site's name on English pages.
    pub name_en: String,
    pub timezone: String,
    pub default_locale: String,
    /// First part of generated index numbers (索引号), usually the agency's code.
    pub index_prefix: String,
}

impl Default for Site {
    fn default() -> Self {
        Site {
            name: "政策文件草案公开征求意见".into(),
            name_en: "Public consultation on draft policies".into(),
            timezone: "Asia/Shanghai".into(),
            default_locale: "zh-CN".into(),
            index_prefix: "CONSULT".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Window {
    pub min_days: u32,
    pub major_decision_min_days: u32,
    pub closing_soon_days: u32,
}

impl Default for Window {
    fn default() -> Self {
        Window {
            min_days: 15,
            major_decision_min_days: 30,
            closing_soon_days: 3,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Review {
    pub concentrated_min_comments: u32,
    pub report_due_days: u32,
    /// The sentence-embedding model file for the grouping's semantic stage (fetched by
    /// `scripts/fetch-model`); empty turns the stage off. Without the file the grouping is
    /// lexical only and the review desk says so.
    pub semantic_model: String,
    /// Whether this node embeds new comments in the background (one thread).
    pub semantic_reader: bool,
}

impl Default for Review {
    fn default() -> Self {
        Review {
            concentrated_min_comments: 5,
            report_due_days: 90,
            semantic_model: "models/e5-small-q4.bin".into(),
            semantic_reader: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailTransport {
    File,
    Smtp,
    Log,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mail {
    pub transport: MailTransport,
    pub file_dir: String,
    pub from: String,
    pub max_attempts: u32,
    /// Sent mails are deleted from the outbox this many days after they were sent (0: kept
    /// for good). Failed ones are kept.
    pub keep_sent_days: u32,
    /// Production refuses the `file` and `log` transports unless this is true.
    pub allow_non_smtp_in_production: bool,
    pub smtp: Smtp,
}

impl Default for Mail {
    fn default() -> Self {
        Mail {
            transport: MailTransport::File,
            file_dir: "data/mail".into(),
            from: "consult <noreply@localhost>".into(),
            max_attempts: 8,
            keep_sent_days: 90,
            allow_non_smtp_in_production: false,
            smtp: Smtp::default(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
    pub timeout_s: u64,
    /// Only for test listeners with self-signed certificates.
    pub accept_invalid_certs: bool,
}

impl Default for Smtp {
    fn default() -> Self {
        Smtp {
            host: "localhost".into(),
            port: 587,
            tls: SmtpTls::Starttls,
            username: None,
            password: None,
            timeout_s: 10,
            accept_invalid_certs: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    pub comment_per_ip_per_hour: u32,
    pub comments_per_email_per_draft: u32,
    pub subscriptions_per_email_per_hour: u32,
    pub max_body_bytes: usize,
    pub max_upload_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            comment_per_ip_per_hour: 30,
            comments_per_email_per_draft: 20,
            subscriptions_per_email_per_hour: 5,
            max_body_bytes: 64 * 1024,
            max_upload_bytes: 20 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Security {
    /// Secret for signed links and cookies (at least 32 characters). Generated and kept in
    /// the database on first start in development; required in production.
    pub session_key: Option<String>,
    pub token_ttl_hours: u32,
    /// R25: a staff session ends after this many minutes without a request…
    pub session_idle_minutes: u32,
    /// …and this many hours after sign-in, whatever happens.
    pub session_absolute_hours: u32,
    /// R25: failed sign-ins allowed per account name within `login_window_minutes`; more
    /// get 429 with Retry-After (the staff form and `POST /api/v1/auth/token` alike).
    pub login_max_failures: u32,
    /// R25: failed sign-ins allowed per client address (whatever account they name) within
    /// `login_window_minutes`; more get 429 with Retry-After. Higher than the per-account
    /// limit, since an office's officers may share one address.
    pub login_max_failures_per_address: u32,
    pub login_window_minutes: u32,
    /// How long a set-password link stays valid.
    pub password_link_hours: u32,
}

impl Default for Security {
    fn default() -> Self {
        Security {
            session_key: None,
            token_ttl_hours: 12,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            login_max_failures: 5,
            login_max_failures_per_address: 20,
            login_window_minutes: 15,
            password_link_hours: 72,
        }
    }
}

/// Abuse controls of the public comment form and the moderation queue (docs/security.md,
/// "Abuse and privacy").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Abuse {
    /// A comment sent through the public HTML form sooner than this many seconds after the
    /// form was served is not stored (the form comes back with a neutral message). 0 turns
    /// the check off. The JSON API is not affected.
    pub min_fill_seconds: u32,
    /// Flag a comment for moderators when the same client already sent the same or nearly the
    /// same text on the same draft.
    pub duplicate_flags: bool,
    /// How alike two texts must be (character-shingle Jaccard similarity, 0 to 1) to be
    /// flagged as near duplicates.
    pub duplicate_similarity: f64,
}

impl Default for Abuse {
    fn default() -> Self {
        Abuse {
            min_fill_seconds: 3,
            duplicate_flags: true,
            duplicate_similarity: 0.9,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Testing {
    /// Lets an admin set the server's clock (`PUT /api/v1/test/clock`). Refused in production.
    pub clock_control: bool,
}

/// A configuration problem, naming the setting at fault.
#[derive(Debug)]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "configuration: {}", self.message)
        } else {
            write!(f, "configuration setting `{}`: {}", self.key, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

fn bad(key: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        key: key.into(),
        message: message.into(),
    }
}

impl Config {
    /// Loads the layers in order: built-in defaults, `file` (or `config/default.toml` when it
    /// exists), the file named by `CONSULT_CONFIG`, then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                if !path.exists() {
                    return Err(bad(
                        "",
                        format!(
                            "the file {} given with --config does not exist",
                            path.display()
                        ),
                    ));
                }
                figment = figment.merge(Toml::file(path));
            }
            None => {
                if Path::new(DEFAULT_FILE).exists() {
                    figment = figment.merge(Toml::file(DEFAULT_FILE));
                }
            }
        }
        if let Some(extra) = std::env::var_os("CONSULT_CONFIG") {
            let extra = PathBuf::from(extra);
            if !extra.exists() {
                return Err(bad(
                    "",
                    format!(
                        "CONSULT_CONFIG names {}, which does not exist",
                        extra.display()
                    ),
                ));
            }
            figment = figment.merge(Toml::file(extra));
        }
        figment = figment.merge(Env::prefixed("CONSULT__").split("__"));
        let config: Config = figment.extract().map_err(|e| {
            let key = e.path.join(".");
            ConfigError {
                key,
                message: e.kind.to_string(),
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks the rules the types cannot express. Each error names its key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let production = self.server.profile == Profile::Production;
        if self.server.bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(bad(
                "server.bind",
                "must be an address and port such as 127.0.0.1:8080",
            ));
        }
        if !(self.server.public_url.starts_with("http://")
            || self.server.public_url.starts_with("https://"))
        {
            return Err(bad(
                "server.public_url",
                "must start with http:// or https://",
            ));
        }
        for proxy in &self.server.trusted_proxies {
            if proxy.parse::<std::net::IpAddr>().is_err() {
                return Err(bad(
                    "server.trusted_proxies",
                    format!("`{proxy}` is not an IP address"),
                ));
            }
        }
        if !(self.database.url.starts_with("sqlite://")
            || self.database.url.starts_with("postgres://")
            || self.database.url.starts_with("postgresql://"))
        {
            return Err(bad(
                "database.url",
                "must start with sqlite:// or postgres://",
            ));
        }
        if !(0.5..=1.0).contains(&self.abuse.duplicate_similarity) {
            return Err(bad(
                "abuse.duplicate_similarity",
                "must be between 0.5 and 1",
            ));
        }
        if self.database.pool_size == 0 {
            return Err(bad("database.pool_size", "must be at least 1"));
        }
        if self.site.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(bad(
                "site.timezone",
                format!(
                    "`{}` is not an IANA time zone such as Asia/Shanghai",
                    self.site.timezone
                ),
            ));
        }
        if !matches!(self.site.default_locale.as_str(), "zh-CN" | "en") {
            return Err(bad("site.default_locale", "must be zh-CN or en"));
        }
        if self.site.index_prefix.trim().is_empty() {
            return Err(bad("site.index_prefix", "must not be empty"));
        }
        if self.window.min_days < 15 {
            return Err(bad(
                "window.min_days",
                format!(
                    "is {}, but a comment period must last at least 15 days",
                    self.window.min_days
                ),
            ));
        }
        if self.window.major_decision_min_days < self.window.min_days {
            return Err(bad(
                "window.major_decision_min_days",
                "must not be shorter than window.min_days",
            ));
        }
        if self.review.concentrated_min_comments < 2 {
            return Err(bad(
                "review.concentrated_min_comments",
                "must be at least 2",
            ));
        }
        if self.mail.max_attempts == 0 {
            return Err(bad("mail.max_attempts", "must be at least 1"));
        }
        if production
            && self.mail.transport != MailTransport::Smtp
            && !self.mail.allow_non_smtp_in_production
        {
            return Err(bad(
                "mail.transport",
                "production sends mail by smtp; set mail.allow_non_smtp_in_production = true to use file or log",
            ));
        }
        if self.limits.max_body_bytes < 1024 {
            return Err(bad("limits.max_body_bytes", "must be at least 1024"));
        }
        match &self.security.session_key {
            Some(key) if key.chars().count() < 32 => {
                return Err(bad(
                    "security.session_key",
                    "must be at least 32 characters",
                ));
            }
            None if production => {
                return Err(bad(
                    "security.session_key",
                    "is required in production (at least 32 random characters)",
                ));
            }
            _ => {}
        }
        if self.security.token_ttl_hours == 0 {
            return Err(bad("security.token_ttl_hours", "must be at least 1"));
        }
        if production && self.testing.clock_control {
            return Err(bad(
                "testing.clock_control",
                "is refused in production: the clock can only be set in development and tests",
            ));
        }
        Ok(())
    }

    pub fn is_production(&self) -> bool {
        self.server.profile == Profile::Production
    }

    /// The site's name in a language (R28).
    pub fn site_name(&self, lang: crate::lang::Lang) -> &str {
        match lang {
            crate::lang::Lang::En => &self.site.name_en,
            crate::lang::Lang::Zh => &self.site.name,
        }
    }

    pub fn timezone(&self) -> chrono_tz::Tz {
        self.site
            .timezone
            .parse()
            .unwrap_or(chrono_tz::Asia::Shanghai)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        Config::default().validate().unwrap();
    }

    #[test]
    fn short_window_names_the_key() {
        let mut c = Config::default();
        c.window.min_days = 14;
        let e = c.validate().unwrap_err();
        assert_eq!(e.key, "window.min_days");
    }

    #[test]
    fn production_refuses_clock_control_and_needs_a_key() {
        let mut c = Config::default();
        c.server.profile = Profile::Production;
        c.mail.transport = MailTransport::Smtp;
        assert_eq!(c.validate().unwrap_err().key, "security.session_key");
        c.security.session_key = Some("k".repeat(40));
        c.validate().unwrap();
        c.testing.clock_control = true;
        assert_eq!(c.validate().unwrap_err().key, "testing.clock_control");
    }
}
