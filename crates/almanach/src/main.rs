//! `almanach`: programme, run and account for a library's digital and AI
//! mediation. A thin command line over the store and the web layers.

#[cfg(test)]
mod browser;
mod config;
mod demo;
mod import;
mod mail;
mod report;
mod retention;

use almanach_domain::ids::LibraryId;
use std::io::{BufRead, IsTerminal};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use almanach_domain::Lang;
use almanach_domain::import::normalize;
use almanach_domain::plural::fill;
use almanach_domain::staff::Role;
use almanach_domain::stats::Period;
use almanach_store::{Actor, DatabaseUrl, Scope, Store};
use almanach_web::{AppState, Rate, WebConfig, hash_password, parse_frame_ancestors};
use anyhow::{Context, Result, bail};
use clap::{ArgGroup, Parser, Subcommand, ValueEnum};

use crate::config::FileConfig;

#[derive(Parser)]
#[command(
    name = "almanach",
    version,
    about = "Programme, run and account for a library's digital and AI mediation."
)]
struct Cli {
    /// Database URL: sqlite://PATH (default: a file in the data directory) or postgres://USER:PASSWORD@HOST/DB.
    #[arg(long, global = true, env = "ALMANACH_DATABASE", hide_env_values = true)]
    database: Option<String>,
    /// Folder for the default SQLite database [default: ./data].
    #[arg(long, global = true, env = "ALMANACH_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Optional TOML configuration file (keys: database, data_dir, listen, secure_cookies, log, log_format, smtp_url,
    /// smtp_from, public_url, reminder_hour, retention_days, rate_limit_ip, rate_limit_email, frame_ancestors,
    /// trusted_proxies, staff_networks, import_max_rows, import_max_columns, import_max_file_mb,
    /// import_max_unpacked_mb).
    #[arg(long, global = true, env = "ALMANACH_CONFIG")]
    config: Option<PathBuf>,
    /// Log lines as text (coloured only on a terminal, and never with NO_COLOR set) or as one JSON
    /// object per line [default: text].
    #[arg(long, global = true, env = "ALMANACH_LOG_FORMAT", value_enum)]
    log_format: Option<LogFormat>,
    /// Days a registration's personal data is kept after its session, then anonymised [default: 90].
    #[arg(long, global = true, env = "ALMANACH_RETENTION_DAYS")]
    retention_days: Option<u32>,
    #[command(flatten)]
    import: config::ImportArgs,
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
        #[command(flatten)]
        mail: mail::MailArgs,
        /// Public registrations per client address: 20/min, 5/hour, or 0 for no limit [default: 20/min].
        #[arg(long, env = "ALMANACH_RATE_LIMIT_IP")]
        rate_limit_ip: Option<Rate>,
        /// Public registrations per e-mail address, or 0 for no limit [default: 5/hour].
        #[arg(long, env = "ALMANACH_RATE_LIMIT_EMAIL")]
        rate_limit_email: Option<Rate>,
        /// Sites allowed to frame the embeddable agenda (/embed/agenda): * or "https://www.ville.fr …" [default: *].
        #[arg(long, env = "ALMANACH_FRAME_ANCESTORS")]
        frame_ancestors: Option<String>,
        /// Reverse proxies whose X-Forwarded-For is believed, addresses or networks: "127.0.0.1, 10.0.0.0/8"
        /// [default: none: the TCP peer is the client].
        #[arg(long, env = "ALMANACH_TRUSTED_PROXIES")]
        trusted_proxies: Option<String>,
        /// The library's own networks, where a locked account can still sign in: "192.168.10.0/24"
        /// [default: none].
        #[arg(long, env = "ALMANACH_STAFF_NETWORKS")]
        staff_networks: Option<String>,
    },
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Manage staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens for integrations and scripts.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Personal data past its retention period (the server also does this daily).
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Load the demo season (idempotent: does nothing if already loaded).
    Demo {
        /// Build it around this day (YYYY-MM-DD) instead of today: its
        /// current season is the one this day falls in.
        #[arg(long)]
        today: Option<String>,
    },
    /// Write a consistent copy of the SQLite database, even while the server runs.
    Backup {
        /// File to create (never overwritten).
        #[arg(long)]
        to: PathBuf,
    },
    /// Statistics of a period (the season review) as JSON, CSV, HTML or PDF.
    #[command(group(ArgGroup::new("period").required(true).args(["season", "year", "from"])))]
    Report {
        /// A season, 1 September to 31 August: 2024-2025.
        #[arg(long)]
        season: Option<String>,
        /// A calendar year: 2024.
        #[arg(long)]
        year: Option<i16>,
        /// First day of a period (with --to): 2025-01-01 or 01/01/2025.
        #[arg(long, requires = "to")]
        from: Option<String>,
        /// Last day of the period, included.
        #[arg(long, requires = "from")]
        to: Option<String>,
        /// Only this series (its name, case and accents ignored).
        #[arg(long)]
        series: Option<String>,
        /// Add the previous period (season, year, or the same dates a year before) and the change.
        #[arg(long)]
        compare_previous: bool,
        #[arg(long, value_enum)]
        format: ReportFormat,
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Import past sessions with their attendance from a spreadsheet (CSV or XLSX), all or nothing.
    Import {
        /// CSV (; or , separated, UTF-8 or Windows-1252) or XLSX file.
        file: PathBuf,
        /// List what would be created and every error, writing nothing.
        #[arg(long)]
        dry_run: bool,
        /// The XLSX sheet to read [default: the first].
        #[arg(long)]
        sheet: Option<String>,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    Json,
    Csv,
    Html,
    Pdf,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create an API token for a staff member and print it (once: only its hash is kept).
    Create {
        /// The staff member the token acts for.
        #[arg(long)]
        email: String,
        /// A name saying what uses it ("site de la ville").
        #[arg(long)]
        name: String,
        /// The token's role: the member's own (default) or viewer; an admin may give any.
        #[arg(long)]
        role: Option<String>,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Anonymise now the registrations of sessions ended more than --retention-days ago.
    Run {
        /// Say how many would be anonymised, changing nothing.
        #[arg(long)]
        dry_run: bool,
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
    /// Lift the lock on an account after too many failed sign-ins.
    Unlock {
        #[arg(long)]
        email: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let file = match FileConfig::load(cli.config.as_deref()) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let filter = std::env::var("ALMANACH_LOG")
        .ok()
        .or_else(|| file.log.clone())
        .unwrap_or_else(|| "info".into());
    // Logs go to standard error: standard output carries reports and JSON.
    let logs = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_target(false)
        .with_writer(std::io::stderr);
    match cli
        .log_format
        .or(file.log_format)
        .unwrap_or(LogFormat::Text)
    {
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs
            .with_ansi(colours(
                std::io::stderr().is_terminal(),
                std::env::var_os("NO_COLOR").as_deref(),
            ))
            .init(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(e.into()),
    };
    match runtime.block_on(run(cli, file)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

/// Colours in the log only for a person at a terminal: not in a file or a
/// pipe (a journal, `2> server.log`), and not when `NO_COLOR` is set to
/// anything but the empty string (no-color.org).
fn colours(terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

/// One clear line on standard error and a non-zero exit.
fn fail(e: anyhow::Error) -> ExitCode {
    eprintln!("almanach: error: {e:#}");
    ExitCode::FAILURE
}

async fn run(cli: Cli, file: FileConfig) -> Result<()> {
    let url = config::database_url(cli.database.as_deref(), &file, cli.data_dir.as_deref());
    let shown = DatabaseUrl::parse(&url)?.redacted();
    let import_limits = config::import_limits(&cli.import, &file)?;
    match cli.command {
        Command::Migrate => {
            let store = Store::connect(&url).await?;
            let applied = store.migrate().await?;
            let applied = fill(
                "{n} {n|migration|migrations} applied",
                Lang::En,
                &[("n", &applied.len().to_string())],
            );
            println!(
                "{shown}: schema at version {} ({applied})",
                store.schema_version().await?,
            );
        }
        Command::Serve {
            listen,
            demo,
            secure_cookies,
            mail,
            rate_limit_ip,
            rate_limit_email,
            frame_ancestors,
            trusted_proxies,
            staff_networks,
        } => {
            let store = Store::open(&url).await?;
            let listen = listen
                .or(file.listen.clone())
                .unwrap_or_else(|| "127.0.0.1:8080".into());
            let addr: SocketAddr = listen.parse().with_context(|| {
                format!("--listen {listen:?} is not an address like 127.0.0.1:8080")
            })?;
            if demo {
                demo::serve_demo(&store).await?;
            }
            let secure = secure_cookies.or(file.secure_cookies).unwrap_or(true);
            let defaults = WebConfig::default();
            let frame_ancestors = frame_ancestors
                .or(file.frame_ancestors.clone())
                .unwrap_or(defaults.frame_ancestors.clone());
            let config = WebConfig {
                secure_cookies: secure,
                rate_limit_ip: config::rate(
                    rate_limit_ip,
                    file.rate_limit_ip.as_deref(),
                    "rate_limit_ip",
                    defaults.rate_limit_ip,
                )?,
                rate_limit_email: config::rate(
                    rate_limit_email,
                    file.rate_limit_email.as_deref(),
                    "rate_limit_email",
                    defaults.rate_limit_email,
                )?,
                retention_days: config::retention_days(cli.retention_days, &file)?,
                frame_ancestors: parse_frame_ancestors(&frame_ancestors)
                    .map_err(|e| anyhow::anyhow!("--frame-ancestors: {e}"))?,
                import_limits,
                trusted_proxies: config::networks(
                    trusted_proxies,
                    file.trusted_proxies.as_ref(),
                    "trusted_proxies",
                )?,
                staff_networks: config::networks(
                    staff_networks,
                    file.staff_networks.as_ref(),
                    "staff_networks",
                )?,
                ..defaults
            };
            let nets = |nets: &[almanach_web::IpNet]| {
                nets.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            tracing::info!(
                trusted_proxies = %nets(&config.trusted_proxies),
                staff_networks = %nets(&config.staff_networks),
                "client addresses: the TCP peer's, or what a trusted proxy says"
            );
            tracing::info!(
                rate_limit_ip = %config.rate_limit_ip,
                rate_limit_email = %config.rate_limit_email,
                retention_days = config.retention_days,
                "public registration limits (each server counts on its own)"
            );
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            let local = listener.local_addr()?;
            let mail = mail::setup(
                mail,
                &file,
                &config::data_dir(cli.data_dir.as_deref(), &file),
                local,
                &store,
            )
            .await?;
            let config = WebConfig {
                link_key: mail.link_key.clone(),
                public_url: Some(mail.public_url.to_string()),
                ..config
            };
            tracing::info!(database = %shown, mail = %mail.worker.transport().describe(), public_url = %mail.public_url, "Almanach listening on http://{local}");
            println!("Almanach : http://{local}/staff  (base : {shown})");
            println!("{}", mail::banner(&mail));
            // One stop for everything: the signal is awaited once, and the
            // server and the mail worker each watch the same flag.
            let (stop, stopping) = tokio::sync::watch::channel(false);
            tokio::spawn(async move {
                shutdown().await;
                let _ = stop.send(true);
            });
            let worker = tokio::spawn(mail.worker.run(stopped(stopping.clone())));
            retention::spawn_retention(
                store.clone(),
                retention::RetentionConfig::daily(config.retention_days),
            );
            // What a crowd leaves in the allocator goes back to the system.
            almanach_web::memory::keep_trimmed();
            let app = almanach_web::router(AppState::new(store, config));
            // The peer's address feeds the per-address registration limit.
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            // In-flight requests finish; new connections are refused.
            .with_graceful_shutdown(stopped(stopping))
            .await?;
            // The worker ends its current message and gives back the others
            // it had claimed, so another server sends them without waiting
            // for their leases to lapse.
            if let Err(e) = worker.await {
                tracing::error!(error = %e, "the mail worker did not stop cleanly");
            }
            tracing::info!("stopped");
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    role,
                    name,
                    password_stdin,
                },
        } => {
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
            let name =
                name.unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_string());
            let library = store.default_library().await?;
            let actor = Actor::system(library.id, "cli");
            let hash = tokio::task::spawn_blocking(move || hash_password(&password)).await?;
            match store.create_staff(&actor, &email, &name, role, &hash).await {
                Ok(id) => println!("created {} ({}) with id {id}", email, role.slug()),
                Err(almanach_store::StoreError::Conflict(_)) => {
                    bail!("{email} already has an account")
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::User {
            command: UserCommand::Unlock { email },
        } => {
            let store = Store::open(&url).await?;
            let email = email.trim().to_lowercase();
            let known = store.staff_by_email(&email).await?.is_some();
            let was_locked = store.unlock_account("cli", &email).await?;
            match (known, was_locked) {
                (_, true) => println!("{email} may sign in again"),
                (true, false) => println!("{email} was not locked; nothing to do"),
                (false, false) => bail!("no staff member with the e-mail {email}"),
            }
        }
        Command::Token {
            command: TokenCommand::Create { email, name, role },
        } => {
            let store = Store::open(&url).await?;
            let staff = store
                .staff_by_email(&email)
                .await?
                .filter(|s| s.active)
                .with_context(|| format!("no active staff member with the e-mail {email}"))?;
            let role = match role {
                Some(r) => Role::parse(&r).with_context(|| format!("unknown role {r:?}"))?,
                None => staff.role,
            };
            if !staff.role.may_grant(role) {
                bail!(
                    "a {} cannot create a {} token",
                    staff.role.slug(),
                    role.slug()
                );
            }
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 120 {
                bail!("--name must have 1 to 120 characters");
            }
            let token = almanach_web::random_token();
            let actor = Actor {
                library_id: staff.library_id,
                staff_id: Some(staff.id),
                label: format!("cli:{}", staff.email),
            };
            store
                .create_api_token(&actor, name, role, &almanach_web::sha256_hex(&token))
                .await?;
            println!("{token}");
        }
        Command::Retention {
            command: RetentionCommand::Run { dry_run },
        } => {
            let days = config::retention_days(cli.retention_days, &file)?;
            let store = Store::open(&url).await?;
            let run = retention::run(&store, days, dry_run).await?;
            let before = jiff::Timestamp::from_second(run.ended_before)
                .map(|t| t.to_string())
                .unwrap_or_default();
            let verb = if dry_run {
                "would anonymise"
            } else {
                "anonymised"
            };
            let registrations = fill(
                "{n} {n|registration|registrations}",
                Lang::En,
                &[("n", &run.count().to_string())],
            );
            println!(
                "{verb} {registrations} of sessions ended before {before} (retention: {days} days)"
            );
        }
        Command::Demo { today } => {
            let store = Store::open(&url).await?;
            let loaded = match today {
                Some(day) => {
                    let day = almanach_domain::calendar::parse_date(&day)
                        .with_context(|| format!("--today {day:?}: expected YYYY-MM-DD"))?;
                    demo::load_on(&store, day).await?
                }
                None => demo::load(&store).await?,
            };
            match loaded {
                true => {
                    println!("demo season loaded into {shown}");
                    print!("{}", demo::team_text());
                }
                false => println!("demo season already present in {shown}; nothing to do"),
            }
        }
        Command::Backup { to } => {
            if let DatabaseUrl::Postgres(_) = DatabaseUrl::parse(&url)? {
                bail!(
                    "backup copies SQLite databases; for PostgreSQL use pg_dump (e.g. pg_dump -Fc DB > almanach.dump)"
                );
            }
            let store = Store::open(&url).await?;
            store.backup_to(&to).await?;
            println!("copied {shown} to {}", to.display());
        }
        Command::Report {
            season,
            year,
            from,
            to,
            series,
            compare_previous,
            format,
            output,
        } => {
            let period = match (season, year, from, to) {
                (Some(s), _, _, _) => Period::parse_season(&s).map_err(|_| {
                    anyhow::anyhow!("--season {s:?} is not a season like 2024-2025")
                })?,
                (_, Some(y), _, _) => {
                    Period::year(y).map_err(|_| anyhow::anyhow!("--year {y} is out of range"))?
                }
                (_, _, Some(f), Some(t)) => {
                    Period::parse_range(&f, &t).map_err(|p| match p.key {
                        "error.period_order" => anyhow::anyhow!("--to {t} is before --from {f}"),
                        _ => anyhow::anyhow!(
                            "cannot read the date {:?}: use 2025-01-31 or 31/01/2025",
                            p.args.first().map(|a| a.1.as_str()).unwrap_or_default()
                        ),
                    })?
                }
                _ => bail!("give --season, --year, or --from and --to"),
            };
            let store = Store::open(&url).await?;
            let library = store.default_library().await?;
            let series = match series {
                Some(name) => Some(resolve_series(&store, library.id, &name).await?),
                None => None,
            };
            let scope = Scope {
                library_id: Some(library.id),
                series: series.as_deref(),
            };
            let bytes = match format {
                ReportFormat::Json | ReportFormat::Csv => {
                    let report = store.report(scope, &period, compare_previous).await?;
                    match format {
                        ReportFormat::Json => report::to_json(&report),
                        _ => report::to_csv(&report),
                    }
                    .into_bytes()
                }
                ReportFormat::Html | ReportFormat::Pdf => {
                    let pdf = matches!(format, ReportFormat::Pdf);
                    report::review(&store, scope, &period, compare_previous, &library, pdf).await?
                }
            };
            match output {
                Some(path) => std::fs::write(&path, bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => std::io::Write::write_all(&mut std::io::stdout().lock(), &bytes)?,
            }
        }
        Command::Import {
            file,
            dry_run,
            sheet,
        } => {
            let store = Store::open(&url).await?;
            import::run(&store, &file, sheet.as_deref(), dry_run, &import_limits).await?;
        }
    }
    Ok(())
}

/// The series' exact name from what was typed, case and accents ignored.
async fn resolve_series(store: &Store, library_id: LibraryId, typed: &str) -> Result<String> {
    let all = store.list_series(library_id).await?;
    let key = normalize(typed);
    match all.iter().find(|s| normalize(&s.name) == key) {
        Some(s) => Ok(s.name.clone()),
        None => {
            let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
            bail!(
                "no series named {typed:?}; the series are: {}",
                names.join(", ")
            )
        }
    }
}

fn plausible_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((user, domain)) => {
            !user.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !e.contains(char::is_whitespace)
        }
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

/// Ctrl-C in a terminal, SIGTERM from systemd, Docker or Kubernetes: both
/// stop the server gracefully.
async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "SIGTERM cannot be caught; Ctrl-C only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutting down");
}

/// Completes once `stop` says so (or its sender is gone).
async fn stopped(mut stop: tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_only_on_a_terminal_without_no_color() {
        use std::ffi::OsStr;
        assert!(colours(true, None));
        assert!(
            colours(true, Some(OsStr::new(""))),
            "an empty NO_COLOR is unset"
        );
        assert!(!colours(true, Some(OsStr::new("1"))));
        assert!(!colours(false, None), "a file or a pipe");
    }
}
