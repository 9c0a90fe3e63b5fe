//! `serve`'s e-mail settings: where mail goes (an SMTP server, or `.eml`
//! files in `<data dir>/outbox/`), who it comes from, the public address
//! links start with, the reminders' hour, and the key private links derive
//! from (given, or kept in `<data dir>/link.key`, and checked against the
//! database so servers sharing it agree).

use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;

use almanach_domain::link::{LinkKey, PublicUrl};
use almanach_jobs::{MailSettings, Mailbox, Transport, Worker};
use almanach_store::{Store, StoreError};
use anyhow::{Context, Result, bail};

use crate::config::FileConfig;

#[derive(clap::Args, Debug)]
pub struct MailArgs {
    /// SMTP server: smtp://HOST:PORT (plain, a local relay), smtp://USER:PASSWORD@HOST:587?tls=required
    /// (STARTTLS) or smtps://USER:PASSWORD@HOST (TLS). Without it, e-mails are written to <data dir>/outbox/.
    #[arg(long, env = "ALMANACH_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// Sender of the e-mails, e.g. "Médiathèque <agenda@mediatheque.fr>" [default: the library, noreply@ the public host].
    #[arg(long, env = "ALMANACH_SMTP_FROM")]
    smtp_from: Option<String>,
    /// The address the public reaches, for links in e-mails and calendar UIDs [default: http://<listen>].
    #[arg(long, env = "ALMANACH_PUBLIC_URL")]
    public_url: Option<String>,
    /// Hour of the reminder sent the day before a session, library time, 0 to 23 [default: 18].
    #[arg(long, env = "ALMANACH_REMINDER_HOUR", value_parser = clap::value_parser!(i8).range(0..=23))]
    reminder_hour: Option<i8>,
    /// Key private links derive from, 64 hex digits; every server sharing a database needs the same
    /// [default: kept in <data dir>/link.key, made on first start].
    #[arg(long, env = "ALMANACH_LINK_KEY", hide_env_values = true)]
    link_key: Option<String>,
}

/// What `serve` starts with.
pub struct Mail {
    pub link_key: LinkKey,
    pub public_url: PublicUrl,
    pub worker: Worker,
}

pub async fn setup(
    args: MailArgs,
    file: &FileConfig,
    data_dir: &Path,
    listen: SocketAddr,
    store: &Store,
) -> Result<Mail> {
    // Default: the scheme this server speaks (plain HTTP) at its address;
    // behind a reverse proxy that adds TLS, --public-url says https://.
    let given = args.public_url.or_else(|| file.public_url.clone());
    let public_url = PublicUrl::parse(&given.clone().unwrap_or_else(|| format!("http://{listen}")))
        .map_err(|e| anyhow::anyhow!("--public-url {e}"))?;
    if given.is_none() && listen.ip().is_unspecified() {
        tracing::warn!(
            "no --public-url: links in pages and e-mails will say {public_url}, which \
             nobody can open; set --public-url to the address people use"
        );
    }
    let link_key = link_key(args.link_key.as_deref(), data_dir)?;
    match store.check_link_key(&link_key.fingerprint()).await {
        Ok(()) => {}
        Err(StoreError::Conflict(why)) => bail!(
            "{why}: links in e-mails would lead nowhere. Give this server the other servers' key \
             (copy their link.key into {}, or set ALMANACH_LINK_KEY)",
            data_dir.display()
        ),
        Err(e) => return Err(e.into()),
    }
    let host = public_url.host().to_string();
    let transport = match args.smtp_url.or_else(|| file.smtp_url.clone()) {
        Some(url) => Transport::smtp(&url, Some(&host)).map_err(anyhow::Error::msg)?,
        None => Transport::folder(&data_dir.join("outbox")).map_err(anyhow::Error::msg)?,
    };
    let from = match args.smtp_from.or_else(|| file.smtp_from.clone()) {
        Some(f) => f.parse::<Mailbox>().map_err(|e| anyhow::anyhow!("--smtp-from {f:?} is not an address like \"Médiathèque <agenda@mediatheque.fr>\": {e}"))?,
        None => {
            let name = store.default_library().await?.name;
            format!("{name} <noreply@{host}>")
                .parse::<Mailbox>()
                .or_else(|_| format!("{name} <noreply@localhost>").parse())
                .context("no usable sender address: give --smtp-from")?
        }
    };
    let mut settings = MailSettings::new(from, public_url.as_str(), link_key.clone());
    settings.reminder_hour = args.reminder_hour.or(file.reminder_hour).unwrap_or(18);
    Ok(Mail {
        link_key,
        public_url,
        worker: Worker::new(store.clone(), transport, settings),
    })
}

/// The key: given, or read from `<data dir>/link.key`, created (readable
/// by its owner only) on first start.
fn link_key(given: Option<&str>, data_dir: &Path) -> Result<LinkKey> {
    if let Some(hex) = given {
        return LinkKey::from_hex(hex)
            .context("ALMANACH_LINK_KEY / --link-key must be 64 hexadecimal digits");
    }
    let path = data_dir.join("link.key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return LinkKey::from_hex(&text).with_context(|| {
            format!(
                "{} does not hold a key (64 hexadecimal digits)",
                path.display()
            )
        });
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create {}", data_dir.display()))?;
    let key = LinkKey::from_bytes(rand::random());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    writeln!(f, "{}", key.to_hex()).with_context(|| format!("cannot write {}", path.display()))?;
    tracing::info!(path = %path.display(), "made the key private links derive from; back it up with the database");
    Ok(key)
}

/// What `serve` says about mail, in one line.
pub fn banner(mail: &Mail) -> String {
    let s = mail.worker.settings();
    match mail.worker.transport() {
        Transport::Folder(dir) => format!(
            "E-mails : aucun serveur SMTP (--smtp-url) ; écrits dans {}/ — no SMTP server: written to that folder",
            dir.display()
        ),
        t => format!(
            "E-mails : {} — from {}, reminders at {} h",
            t.describe(),
            s.from,
            s.reminder_hour
        ),
    }
}
