//! The command line: `serve [--demo]`, `migrate`, `user add|list|roles|deactivate|password`,
//! `demo`, `audit verify`. Changes to users go through `crate::service::users`, as the staff
//! pages' do, with the command line as the actor (`cli`).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use diesel::r2d2::ManageConnection;

use crate::config::Config;
use crate::db::{self, DbConn};
use crate::domain::roles::Roles;

#[derive(Debug, Parser)]
#[command(
    name = "consult",
    version,
    about = "Public-comment platform for draft policies"
)]
pub struct Cli {
    /// Configuration file (default: config/default.toml; CONSULT_CONFIG and CONSULT__SECTION__KEY apply on top)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve HTTP and run the background workers
    Serve {
        /// First load the demonstration data into an empty database (see `consult demo`)
        #[arg(long)]
        demo: bool,
    },
    /// Load a demonstration dataset (drafts in every phase, materials, comments, staff users)
    Demo,
    /// Apply pending database migrations and exit
    Migrate,
    /// Manage staff users
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Check the audit log
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// SQLite: write a consistent copy of the database to FILE while the service runs
    /// (PostgreSQL: use pg_dump; see docs/deploy.md)
    Backup {
        /// Where the copy goes; it must not exist yet
        file: PathBuf,
    },
    /// SQLite: put a backup in place of the database, with `consult serve` stopped. The backup
    /// is checked first; the database it replaces is kept beside it (PostgreSQL: pg_restore)
    Restore {
        /// A file written by `consult backup`
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff user; the password comes from CONSULT_PASSWORD or one line on stdin
    Add {
        name: String,
        /// Roles, comma-separated: admin, drafter, reviewer, approver, moderator
        #[arg(long, value_name = "R[,R…]")]
        role: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Replace a user's roles
    Roles {
        name: String,
        #[arg(long, value_name = "R[,R…]")]
        role: String,
    },
    /// List every staff user with their roles and whether they are active
    List,
    /// Deactivate a user: their sessions and tokens end at once
    Deactivate { name: String },
    /// Set a user's password (from CONSULT_PASSWORD or one line on stdin); their sessions and
    /// tokens end
    Password { name: String },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the chain; exit 1 naming the first bad entry if any was edited, removed or reordered
    Verify,
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve { demo } => serve(config, demo),
        Command::Demo => demo(config),
        Command::Migrate => {
            let mut conn = connect(&config)?;
            let applied = db::run_migrations(&mut conn).map_err(anyhow::Error::msg)?;
            if applied.is_empty() {
                println!("database is up to date");
            } else {
                for name in applied {
                    println!("applied {name}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::User { command } => user(config, command),
        Command::Audit {
            command: AuditCommand::Verify,
        } => audit_verify(config),
        Command::Backup { file } => backup(&config, &file),
        Command::Restore { file } => restore(&config, &file),
    }
}

/// SQLite's `VACUUM INTO`: one read transaction, so the comment writer and everything else
/// go on writing while it runs (in WAL mode readers never block the writer); the copy holds
/// every transaction committed before it began, compacted, with no WAL beside it.
fn backup(config: &Config, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    use diesel::RunQueryDsl;
    if file.exists() {
        anyhow::bail!(
            "{} exists already; a backup never overwrites",
            file.display()
        );
    }
    let mut conn = connect(config)?;
    let DbConn::Sqlite(c) = &mut conn else {
        anyhow::bail!(
            "the database is PostgreSQL: back it up with pg_dump (or a standby); see docs/deploy.md"
        );
    };
    let target = file
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("the backup path is not UTF-8"))?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<diesel::sql_types::Text, _>(target)
        .execute(c)
        .with_context(|| format!("cannot write the backup {}", file.display()))?;
    println!("backed up to {}", file.display());
    Ok(ExitCode::SUCCESS)
}

/// Puts a backup in place of the SQLite database. While it runs it holds the lock `consult
/// serve` holds, so it is refused while the service runs and the service cannot start
/// half-way. The backup is copied next to the database and checked there (SQLite's integrity
/// check, then the audit chain, R26) before anything is replaced, so a damaged or edited copy
/// changes nothing; the database it replaces is renamed, with its WAL, never deleted.
fn restore(config: &Config, file: &std::path::Path) -> anyhow::Result<ExitCode> {
    use diesel::{Connection, RunQueryDsl};
    let url = &config.database.url;
    if db::Backend::of_url(url) != Some(db::Backend::Sqlite) {
        anyhow::bail!(
            "the database is PostgreSQL: restore it with pg_restore, then run `consult audit \
             verify`; see docs/deploy.md"
        );
    }
    let _serve_lock = db::hold_single_node_lock(url)?;
    let live = std::path::PathBuf::from(db::sqlite_path(url));
    let staged = sibling(&live, ".restoring");
    std::fs::copy(file, &staged)
        .with_context(|| format!("cannot read the backup {}", file.display()))?;
    let checked = (|| -> anyhow::Result<i64> {
        std::fs::File::open(&staged)?.sync_all()?;
        let path = staged.to_str().context("the database path is not UTF-8")?;
        let mut sqlite = diesel::SqliteConnection::establish(path)?;
        #[derive(diesel::QueryableByName)]
        struct Integrity {
            #[diesel(sql_type = diesel::sql_types::Text)]
            integrity_check: String,
        }
        let check: Integrity =
            diesel::sql_query("PRAGMA integrity_check").get_result(&mut sqlite)?;
        anyhow::ensure!(
            check.integrity_check == "ok",
            "{} is damaged: {}",
            file.display(),
            check.integrity_check
        );
        match db::audit::verify(&mut DbConn::Sqlite(sqlite))? {
            Ok(entries) => Ok(entries),
            Err(broken) => anyhow::bail!(
                "{} is not as the service wrote it: audit chain broken: {broken}",
                file.display()
            ),
        }
    })();
    let entries = match checked {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&staged);
            return Err(e.context("nothing was restored"));
        }
    };
    let aside = live.exists().then(|| {
        sibling(
            &live,
            &format!(
                ".before-restore-{}",
                chrono::Utc::now().format("%Y%m%d-%H%M%S")
            ),
        )
    });
    if let Some(aside) = &aside {
        std::fs::rename(&live, aside)?;
        // The WAL belongs to the file it was written for: it moves with it.
        let wal = sibling(&live, "-wal");
        if wal.exists() {
            std::fs::rename(&wal, sibling(aside, "-wal"))?;
        }
        let _ = std::fs::remove_file(sibling(&live, "-shm"));
    }
    std::fs::rename(&staged, &live)?;
    if let Some(dir) = live.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    println!(
        "restored {} to {} (audit chain intact: {entries} entries)",
        file.display(),
        live.display()
    );
    if let Some(aside) = aside {
        println!("the database it replaced is kept as {}", aside.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// `data/consult.db` + `-wal` → `data/consult.db-wal`.
fn sibling(path: &std::path::Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

fn serve(config: Config, demo: bool) -> anyhow::Result<ExitCode> {
    let _single_node = db::hold_single_node_lock(&config.database.url)?;
    let clock = crate::app::clock_for(&config);
    actix_web::rt::System::new().block_on(async move {
        let state = crate::app::AppState::build(config, clock).await?;
        if demo {
            let password = demo_password();
            let (config, pool, now) = (state.config.clone(), state.pool.clone(), state.clock.now());
            let shown = password.clone();
            let outcome = actix_web::web::block(move || -> anyhow::Result<_> {
                let mut conn = pool.get()?;
                crate::demo::load_if_empty(&mut conn, &config, now, &password)
            })
            .await??;
            report_demo(&outcome, &shown, &state.config);
        }
        crate::app::serve(actix_web::web::Data::new(state)).await
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The demo staff's password: `CONSULT_PASSWORD`, or a fresh random one that is printed.
fn demo_password() -> String {
    std::env::var("CONSULT_PASSWORD")
        .ok()
        .filter(|p| p.chars().count() >= 8)
        .unwrap_or_else(|| db::ids::random_code(16).to_lowercase())
}

fn report_demo(outcome: &crate::demo::Outcome, password: &str, config: &Config) {
    match outcome {
        crate::demo::Outcome::Loaded {
            users,
            drafts,
            comments,
        } => {
            println!("demonstration data loaded: {drafts} drafts, {comments} comments");
            println!("staff users (password for all: {password}):");
            for (name, roles) in users {
                println!("  {name:<18} {roles}");
            }
            let base = config.server.public_url.trim_end_matches('/');
            println!("staff sign-in: {base}/staff/login (for example as demo-drafter)");
            println!("public site:   {base}/");
        }
        crate::demo::Outcome::AlreadyLoaded => {
            println!(
                "demonstration data is already loaded; nothing was added (the demo users keep the password printed when it was loaded)"
            )
        }
        crate::demo::Outcome::NotEmpty => {
            println!("the database already holds drafts; demonstration data was not loaded")
        }
    }
}

fn demo(config: Config) -> anyhow::Result<ExitCode> {
    let clock = crate::app::clock_for(&config);
    let mut conn = connect(&config)?;
    let password = demo_password();
    let outcome = crate::demo::load(&mut conn, &config, clock.now(), &password)?;
    report_demo(&outcome, &password, &config);
    Ok(ExitCode::SUCCESS)
}

/// One migrated connection for a command-line task.
fn connect(config: &Config) -> anyhow::Result<DbConn> {
    let manager = db::Manager::new(&config.database.url, config.database.busy_timeout_ms)
        .map_err(anyhow::Error::msg)?;
    let mut conn = manager
        .connect()
        .with_context(|| format!("cannot open the database {}", config.database.url))?;
    db::run_migrations(&mut conn).map_err(anyhow::Error::msg)?;
    Ok(conn)
}

fn read_password() -> anyhow::Result<String> {
    if let Ok(p) = std::env::var("CONSULT_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn user(config: Config, command: UserCommand) -> anyhow::Result<ExitCode> {
    let clock = crate::app::clock_for(&config);
    match command {
        UserCommand::Add {
            name,
            role,
            email,
            display_name,
        } => {
            let roles = Roles::parse_list(&role).map_err(anyhow::Error::msg)?;
            let password = read_password()?;
            let mut conn = connect(&config)?;
            let input = crate::service::users::UserInput {
                username: name,
                display_name,
                email,
                roles: roles.iter().collect(),
            };
            let added = crate::service::users::add_user(
                &mut conn,
                &config,
                &cli_actor(),
                clock.now(),
                input,
                Some(&password),
            )
            .map_err(refused)?;
            println!(
                "created user {} ({}) with roles {}",
                added.user.username,
                added.user.id,
                roles.to_stored()
            );
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Roles { name, role } => {
            let roles = Roles::parse_list(&role).map_err(anyhow::Error::msg)?;
            let mut conn = connect(&config)?;
            let user = db::users::by_username(&mut conn, &name)?
                .with_context(|| format!("no user named `{name}`"))?;
            let list = roles.iter().collect();
            let user = crate::service::users::set_roles(
                &mut conn,
                &cli_actor(),
                clock.now(),
                &user.id,
                list,
            )
            .map_err(refused)?;
            println!("user {} now has roles {}", user.username, roles.to_stored());
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::List => {
            let mut conn = connect(&config)?;
            let users = crate::service::users::list(&mut conn, &cli_actor())?;
            println!("{:<20} {:<8} {:<36} name", "user", "active", "roles");
            for u in users {
                println!(
                    "{:<20} {:<8} {:<36} {}",
                    u.username,
                    if u.active { "yes" } else { "no" },
                    u.roles,
                    u.display_name
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Deactivate { name } => {
            let mut conn = connect(&config)?;
            let user = db::users::by_username(&mut conn, &name)?
                .with_context(|| format!("no user named `{name}`"))?;
            crate::service::users::deactivate(&mut conn, &cli_actor(), clock.now(), &user.id)
                .map_err(refused)?;
            println!("user {name} is deactivated; their sessions and tokens ended");
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Password { name } => {
            let mut conn = connect(&config)?;
            let user = db::users::by_username(&mut conn, &name)?
                .with_context(|| format!("no user named `{name}`"))?;
            let password = read_password()?;
            crate::service::users::set_password(
                &mut conn,
                &cli_actor(),
                clock.now(),
                &user.id,
                &password,
            )
            .map_err(refused)?;
            println!("the password of {name} is set; their sessions and tokens ended");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A refusal of the service as a message for the shell: the field's messages, or the detail.
fn refused(e: crate::error::AppError) -> anyhow::Error {
    match &e.errors {
        Some(fields) => anyhow::anyhow!(
            "{}",
            fields
                .iter()
                .map(|(field, messages)| format!(
                    "{field}: {}",
                    messages
                        .iter()
                        .map(|m| m.en.to_string())
                        .collect::<Vec<_>>()
                        .join("; ")
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        None => anyhow::anyhow!("{}", e.detail.en),
    }
}

/// The command line acts as an administrator of its own.
fn cli_actor() -> crate::service::Actor {
    crate::service::Actor::new("cli", Roles::new(vec![crate::domain::roles::Role::Admin]))
}

fn audit_verify(config: Config) -> anyhow::Result<ExitCode> {
    let mut conn = connect(&config)?;
    match db::audit::verify(&mut conn)? {
        Ok(n) => {
            println!("audit chain intact: {n} entries");
            Ok(ExitCode::SUCCESS)
        }
        Err(broken) => {
            eprintln!("audit chain broken: {broken}");
            Ok(ExitCode::from(1))
        }
    }
}
