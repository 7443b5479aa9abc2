//! Wiring: the application state shared by handlers and jobs, and the server's life cycle.

use std::sync::Arc;

use actix_web::{App, HttpServer, web};
use anyhow::Context;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::{self, Backend, DbConn, Pool};
use crate::error::AppError;
use crate::http::metrics::Metrics;
use crate::lang::Lang;

/// What every handler and job may read. Nothing in it is needed by another node: sessions and
/// work live in the database.
pub struct AppState {
    pub config: Arc<Config>,
    pub pool: Pool,
    pub backend: Backend,
    pub clock: Clock,
    pub metrics: Arc<Metrics>,
    pub default_lang: Lang,
    /// `security.session_key`, or the development key kept in the database.
    pub secret: String,
    /// R1: draft views counted in memory, flushed by the job loop.
    pub views: Arc<crate::jobs::views::ViewCounter>,
    /// The mail transport `mail.transport` names (used by the outbox worker only).
    pub mailer: Arc<crate::mail::transport::Mailer>,
    /// R10: the group-commit writer for public comments and its draft cache.
    pub comments: crate::jobs::comment_writer::CommentIntake,
    /// The public draft page and JSON, rendered once per version (`http::draft_cache`).
    pub drafts: Arc<crate::http::draft_cache::DraftCache>,
}

/// Connections held for good beside `database.pool_size`: the comment writer's and the WAL
/// checkpointer's (`jobs::comment_writer`, `jobs::checkpoint`).
const KEPT_CONNECTIONS: u32 = 2;

impl AppState {
    /// Connects, applies pending migrations and loads the secret.
    pub async fn build(config: Config, clock: Clock) -> anyhow::Result<AppState> {
        let pool = db::pool(
            &config.database.url,
            config.database.pool_size + KEPT_CONNECTIONS,
            config.database.busy_timeout_ms,
        )
        .map_err(|e| anyhow::anyhow!(e))?;
        let backend =
            Backend::of_url(&config.database.url).context("database.url has an unknown scheme")?;
        let configured = config.security.session_key.clone();
        let now = clock.now();
        let migrate_pool = pool.clone();
        let secret = web::block(move || -> anyhow::Result<String> {
            let mut conn = migrate_pool
                .get()
                .context("cannot connect to the database named by database.url")?;
            db::run_migrations(&mut conn).map_err(|e| anyhow::anyhow!(e))?;
            match configured {
                Some(key) => Ok(key),
                None => Ok(db::secrets::get_or_create(
                    &mut conn,
                    now,
                    "session_key",
                    || db::ids::random_token(32),
                )?),
            }
        })
        .await??;
        AppState::assemble(config, pool, backend, clock, secret)
    }

    /// State over a pool that is not touched at start (used to serve `/healthz` for a database
    /// that cannot be reached).
    pub fn unchecked(config: Config, clock: Clock) -> anyhow::Result<AppState> {
        let pool = db::pool(
            &config.database.url,
            config.database.pool_size + KEPT_CONNECTIONS,
            config.database.busy_timeout_ms,
        )
        .map_err(|e| anyhow::anyhow!(e))?;
        let backend =
            Backend::of_url(&config.database.url).context("database.url has an unknown scheme")?;
        let secret = config
            .security
            .session_key
            .clone()
            .unwrap_or_else(|| db::ids::random_token(32));
        AppState::assemble(config, pool, backend, clock, secret)
    }

    fn assemble(
        config: Config,
        pool: Pool,
        backend: Backend,
        clock: Clock,
        secret: String,
    ) -> anyhow::Result<AppState> {
        let default_lang = Lang::parse(&config.site.default_locale).unwrap_or_default();
        let mailer = Arc::new(crate::mail::transport::Mailer::from_config(&config.mail)?);
        let metrics = Arc::new(Metrics::new()?);
        let comments = crate::jobs::comment_writer::CommentIntake::start(
            pool.clone(),
            backend,
            secret.clone(),
            metrics.comment_batch.clone(),
        );
        let drafts = Arc::new(crate::http::draft_cache::DraftCache::new(
            std::time::Duration::from_millis(config.server.draft_recheck_ms),
            config.server.draft_cache_mib.saturating_mul(1 << 20),
        ));
        Ok(AppState {
            comments,
            drafts,
            config: Arc::new(config),
            pool,
            backend,
            clock,
            metrics,
            default_lang,
            secret,
            views: Arc::new(crate::jobs::views::ViewCounter::default()),
            mailer,
        })
    }

    /// What the background jobs need, taken from this state (they never see the state itself).
    pub fn job_context(&self) -> crate::jobs::JobContext {
        crate::jobs::JobContext {
            pool: self.pool.clone(),
            clock: self.clock.clone(),
            config: self.config.clone(),
            secret: self.secret.clone(),
            views: self.views.clone(),
            mailer: self.mailer.clone(),
            metrics: self.metrics.clone(),
        }
    }

    /// The outbox worker over this state's pool, configuration, secret and transport.
    pub fn mail_worker(&self) -> crate::mail::outbox::Worker<'_> {
        crate::mail::outbox::Worker {
            pool: &self.pool,
            config: &self.config,
            secret: &self.secret,
            mailer: &self.mailer,
        }
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn db<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }
}

/// The clock the configuration asks for.
pub fn clock_for(config: &Config) -> Clock {
    if config.testing.clock_control {
        Clock::controlled(chrono::Utc::now())
    } else {
        Clock::System
    }
}

/// Serves HTTP until SIGTERM or SIGINT, with the background jobs beside it; both stop
/// gracefully (in-flight requests finish, the job loop ends its current tick).
pub async fn serve(state: web::Data<AppState>) -> anyhow::Result<()> {
    let bind = state.config.server.bind.clone();
    let workers = match state.config.server.workers {
        0 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2),
        n => n,
    };
    crate::crash_point::arm();
    // The dummy password hash is made before the first sign-in, not during it (R25).
    crate::security::warm_up();
    let jobs = crate::jobs::start(state.job_context());
    let reader = crate::jobs::semantic_reader::start(
        state.pool.clone(),
        state.clock.clone(),
        state.config.clone(),
    );
    let app_state = state.clone();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(app_state.clone())
            .configure(crate::http::configure)
            .wrap_fn(crate::http::middleware::observe)
    })
    .workers(workers)
    .backlog(4096)
    .shutdown_timeout(30)
    .bind(&bind)
    .with_context(|| format!("cannot listen on {bind} (server.bind)"))?;
    tracing::info!(address = %bind, backend = ?state.backend, "consult is listening");
    let result = server.run().await;
    tracing::info!("HTTP server stopped; stopping background jobs");
    jobs.stop().await;
    if let Some(reader) = reader {
        reader.stop().await;
    }
    result.context("the HTTP server failed")
}
