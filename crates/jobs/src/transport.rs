//! Where messages go: an SMTP server named by a URL (plain, STARTTLS or
//! implicit TLS), or `.eml` files in a folder when no server is configured.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub enum Transport {
    Smtp {
        mailer: AsyncSmtpTransport<Tokio1Executor>,
        /// The URL without its password, for messages.
        shown: String,
    },
    Folder(PathBuf),
}

/// Why a message did not go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError {
    /// The server refused it for good (5xx): retrying cannot help.
    pub permanent: bool,
    pub message: String,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Transport {
    /// `smtp://[user:password@]host[:port]` (plain, for a local relay),
    /// `…?tls=required` (STARTTLS, port 587 by default), or `smtps://…`
    /// (implicit TLS, port 465). A password with `@` or `:` is percent-encoded.
    /// `hello` is the name given in EHLO (the public host), unless the URL's
    /// path names one; without either, lettre sends `[127.0.0.1]`.
    pub fn smtp(url: &str, hello: Option<&str>) -> Result<Transport, String> {
        let shown = redact(url);
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            return Err(format!(
                "{shown} is not an SMTP URL: use smtp://host:port, smtp://user:password@host:587?tls=required or smtps://…"
            ));
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("cannot use the SMTP URL {shown}: {e}"))?
            .timeout(Some(Duration::from_secs(30)));
        let has_path = url.split_once("://").is_some_and(|(_, rest)| {
            rest.split(['?', '#'])
                .next()
                .is_some_and(|r| r.trim_end_matches('/').contains('/'))
        });
        if let Some(name) =
            hello.filter(|h| !has_path && h.chars().any(|c| c.is_ascii_alphabetic()))
        {
            builder = builder.hello_name(ClientId::Domain(name.to_string()));
        }
        Ok(Transport::Smtp {
            mailer: builder.build(),
            shown,
        })
    }

    /// Writes messages into `dir`, created if missing.
    pub fn folder(dir: &Path) -> Result<Transport, String> {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create the mail folder {}: {e}", dir.display()))?;
        Ok(Transport::Folder(dir.to_path_buf()))
    }

    /// Where mail goes, for the start-up message: never a password.
    pub fn describe(&self) -> String {
        match self {
            Transport::Smtp { shown, .. } => {
                let mode = if shown.starts_with("smtps://") {
                    "TLS"
                } else if shown.contains("tls=required") {
                    "STARTTLS"
                } else if shown.contains("tls=opportunistic") {
                    "STARTTLS when offered"
                } else {
                    "plain, unencrypted"
                };
                format!("SMTP {shown} ({mode})")
            }
            Transport::Folder(dir) => {
                format!("folder {} (no SMTP server configured)", dir.display())
            }
        }
    }

    /// Sends one message; `name` names its file in a folder.
    pub async fn send(&self, message: Message, name: &str) -> Result<(), SendError> {
        match self {
            Transport::Smtp { mailer, .. } => match mailer.send(message).await {
                Ok(_) => Ok(()),
                Err(e) => Err(SendError {
                    permanent: e.is_permanent(),
                    message: e.to_string(),
                }),
            },
            Transport::Folder(dir) => {
                // Written aside then renamed: a reader never sees half a file.
                let path = dir.join(format!("{name}.eml"));
                let tmp = dir.join(format!(".{name}.eml.tmp"));
                let io = |e: std::io::Error| SendError {
                    permanent: false,
                    message: format!("{}: {e}", path.display()),
                };
                std::fs::write(&tmp, message.formatted()).map_err(io)?;
                std::fs::rename(&tmp, &path).map_err(io)
            }
        }
    }
}

/// `smtp://user:secret@host` → `smtp://user:***@host`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((auth, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redact("smtp://agenda:s3cr%40t@mail.example.fr:587?tls=required"),
            "smtp://agenda:***@mail.example.fr:587?tls=required"
        );
        assert_eq!(redact("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
        let t = Transport::smtp("smtps://u:pw@mail.example.fr", Some("agenda.example.fr")).unwrap();
        assert_eq!(t.describe(), "SMTP smtps://u:***@mail.example.fr (TLS)");
        assert!(!format!("{t:?}").contains("pw"));
        let t = Transport::smtp("smtp://u:pw@mail.example.fr:587?tls=required", None).unwrap();
        assert!(t.describe().ends_with("(STARTTLS)"));
        assert!(
            Transport::smtp("http://mail.example.fr", None)
                .unwrap_err()
                .contains("not an SMTP URL")
        );
    }
}
