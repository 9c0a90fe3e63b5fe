//! `almanach`: programme, run and account for a library's digital and AI
//! mediation. A thin command line over the store and the web layers.

mod config;
mod demo;

use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use almanach_domain::staff::Role;
use almanach_store::{Actor, DatabaseUrl, Store};
use almanach_web::{AppState, WebConfig, hash_password};
use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

use crate::config::FileConfig;

#[derive(Parser)]
#[command(name = "almanach", version, about = "Programme, run and account for a library's digital and AI mediation.")]
struct Cli {
    /// Database URL: sqlite://PATH (default: a file in the data directory) or postgres://USER:PASSWORD@HOST/DB.
    #[arg(long, global = true, env = "ALMANACH_DATABASE", hide_env_values = true)]
    database: Option<String>,
    /// Folder for the default SQLite database [default: ./data].
    #[arg(long, global = true, env = "ALMANACH_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Optional TOML configuration file (keys: database, data_dir, listen, secure_cookies, log).
    #[arg(long, global = true, env = "ALMANACH_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the staff interface and the JSON API over HTTP.
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long, env = "ALMANACH_LISTEN")]
        listen: Option<String>,
        /// On an empty database, load the demo season and create demo accounts, printing how to sign in.
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure [default: true, unless listening beyond loopback without HTTPS in front].
        #[arg(long, env = "ALMANACH_SECURE_COOKIES")]
        secure_cookies: Option<bool>,
    },
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Load the demo season (idempotent: does nothing if already loaded).
    Demo,
    /// Write a consistent copy of the SQLite database, even while the server runs.
    Backup {
        /// File to create (never overwritten).
        #[arg(long)]
        to: PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a staff account; the password is asked for, or read from standard input.
    Add {
        #[arg(long)]
        email: String,
        /// admin, coordinator, mediator, it, communication or viewer.
        #[arg(long)]
        role: String,
        /// Display name [default: the part of the e-mail before @].
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let file = match FileConfig::load(cli.config.as_deref()) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let filter = std::env::var("ALMANACH_LOG").ok().or_else(|| file.log.clone()).unwrap_or_else(|| "info".into());
    tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new(filter)).with_target(false).init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => return fail(e.into()),
    };
    match runtime.block_on(run(cli, file)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

/// One clear line on standard error and a non-zero exit.
fn fail(e: anyhow::Error) -> ExitCode {
    eprintln!("almanach: error: {e:#}");
    ExitCode::FAILURE
}

async fn run(cli: Cli, file: FileConfig) -> Result<()> {
    let url = config::database_url(cli.database.as_deref(), &file, cli.data_dir.as_deref());
    let shown = DatabaseUrl::parse(&url)?.redacted();
    match cli.command {
        Command::Migrate => {
            let store = Store::connect(&url).await?;
            let applied = store.migrate().await?;
            println!("{shown}: schema at version {} ({} migration(s) applied)", store.schema_version().await?, applied.len());
        }
        Command::Serve { listen, demo, secure_cookies } => {
            let store = Store::open(&url).await?;
            let listen = listen.or(file.listen.clone()).unwrap_or_else(|| "127.0.0.1:8080".into());
            let addr: SocketAddr = listen.parse().with_context(|| format!("--listen {listen:?} is not an address like 127.0.0.1:8080"))?;
            if demo {
                demo::serve_demo(&store).await?;
            }
            let secure = secure_cookies.or(file.secure_cookies).unwrap_or(true);
            let config = WebConfig { secure_cookies: secure, ..WebConfig::default() };
            let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
            let local = listener.local_addr()?;
            tracing::info!(database = %shown, "Almanach listening on http://{local}");
            println!("Almanach : http://{local}/staff  (base : {shown})");
            let app = almanach_web::router(AppState::new(store, config));
            axum::serve(listener, app).with_graceful_shutdown(shutdown()).await?;
        }
        Command::User { command: UserCommand::Add { email, role, name, password_stdin } } => {
            let store = Store::open(&url).await?;
            let role = Role::parse(&role).with_context(|| format!("unknown role {role:?}: use admin, coordinator, mediator, it, communication or viewer"))?;
            let email = email.trim().to_lowercase();
            if !plausible_email(&email) {
                bail!("{email:?} is not an e-mail address");
            }
            let password = read_password(password_stdin)?;
            if password.chars().count() < 10 {
                bail!("the password must have at least 10 characters");
            }
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
            let library = store.default_library().await?;
            let actor = Actor::system(library.id, "cli");
            match store.create_staff(&actor, &email, &name, role, &hash_password(&password)).await {
                Ok(id) => println!("created {} ({}) with id {id}", email, role.slug()),
                Err(almanach_store::StoreError::Conflict(_)) => bail!("{email} already has an account"),
                Err(e) => return Err(e.into()),
            }
        }
        Command::Demo => {
            let store = Store::open(&url).await?;
            match demo::load(&store).await? {
                true => println!("demo season loaded into {shown}"),
                false => println!("demo season already present in {shown}; nothing to do"),
            }
        }
        Command::Backup { to } => {
            if let DatabaseUrl::Postgres(_) = DatabaseUrl::parse(&url)? {
                bail!("backup copies SQLite databases; for PostgreSQL use pg_dump (e.g. pg_dump -Fc DB > almanach.dump)");
            }
            let store = Store::open(&url).await?;
            store.backup_to(&to).await?;
            println!("copied {shown} to {}", to.display());
        }
    }
    Ok(())
}

fn plausible_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((user, domain)) => !user.is_empty() && domain.contains('.') && !domain.starts_with('.') && !e.contains(char::is_whitespace),
        None => false,
    }
}

fn read_password(from_stdin: bool) -> Result<String> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_string());
    }
    let a = rpassword::prompt_password("Mot de passe / password: ")?;
    let b = rpassword::prompt_password("Confirmez / confirm: ")?;
    if a != b {
        bail!("the two passwords differ");
    }
    Ok(a)
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}
