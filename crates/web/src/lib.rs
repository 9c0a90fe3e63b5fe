//! Almanach's HTTP face: the server-rendered staff interface under `/staff`
//! and the JSON API under `/api/v1`, on one axum router.

pub mod api;
mod auth;
mod error;
mod forms;
mod headers;
mod i18n;
mod limits;
pub mod memory;
mod pages;
mod pdf_fonts;
mod public;
pub mod review;
mod target;
mod trace;
mod view;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use almanach_domain::import::ImportLimits;
use almanach_domain::link::{LinkKey, PublicUrl};
use almanach_store::Store;
use axum::Router;
use axum::http::{HeaderMap, header};

pub use auth::{hash_password, random_token, sha256_hex};
pub use error::{WebError, with_causes};
pub use headers::parse_frame_ancestors;
pub use i18n::{Tr, check_locales};
pub use limits::{IpNet, Rate, client_address, parse_networks};
pub use trace::{REQUEST_ID, current_request_id};
pub use view::role_key;

/// Settings the web layer needs; built by the binary from flags, environment
/// and the configuration file.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (on unless serving plain HTTP beyond loopback).
    pub secure_cookies: bool,
    /// Sign-in failures for one account before it is locked (except from
    /// `staff_networks`), within `login_pause_secs` of each other.
    pub login_max_failures: i64,
    /// Sign-in failures from one client address before it is paused.
    pub login_address_max_failures: i64,
    /// How long an account or an address stays paused after its last
    /// failure, in seconds.
    pub login_pause_secs: i64,
    /// Reverse proxies whose `X-Forwarded-For` is believed
    /// (`--trusted-proxies`); none: the TCP peer is the client.
    pub trusted_proxies: Vec<IpNet>,
    /// The library's own networks (`--staff-networks`): a sign-in from
    /// them ignores the account's lock (the address's pause still counts).
    pub staff_networks: Vec<IpNet>,
    /// How long a password reset link works, in seconds.
    pub password_reset_secs: i64,
    /// Reset requests per e-mail address and per client address.
    pub rate_limit_reset: Rate,
    /// How long a staff sign-in lasts, in seconds.
    pub session_ttl_secs: i64,
    /// The key private links derive from (`domain::link`); the mail worker
    /// holds the same one.
    pub link_key: LinkKey,
    /// The address the public reaches (`--public-url`, as
    /// `PublicUrl::parse` reads it): every absolute link starts with it, as
    /// in e-mails. None (tests): `http://` and each request's own host.
    pub public_url: Option<String>,
    /// Public registrations (form and API) per client address, and per
    /// e-mail address; `Rate::OFF` lifts a limit (benchmarks).
    pub rate_limit_ip: Rate,
    pub rate_limit_email: Rate,
    /// Days after its session that a registration's personal data is kept;
    /// the forms say so.
    pub retention_days: u32,
    /// Who may frame the embeddable agenda (CSP `frame-ancestors`).
    pub frame_ancestors: String,
    /// What an uploaded spreadsheet may cost to read (`/staff/import`).
    pub import_limits: ImportLimits,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: true,
            login_max_failures: 5,
            login_address_max_failures: 20,
            login_pause_secs: 15 * 60,
            trusted_proxies: Vec::new(),
            staff_networks: Vec::new(),
            password_reset_secs: 3600,
            rate_limit_reset: Rate {
                count: 5,
                per_secs: 3600,
            },
            session_ttl_secs: 12 * 3600,
            // A fresh key: links made with it are not mailed by a worker
            // holding another (it notices and leaves the link out).
            link_key: LinkKey::from_bytes(rand::random()),
            public_url: None,
            rate_limit_ip: Rate {
                count: 20,
                per_secs: 60,
            },
            rate_limit_email: Rate {
                count: 5,
                per_secs: 3600,
            },
            retention_days: 90,
            frame_ancestors: "*".into(),
            import_limits: ImportLimits::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    limits: Arc<limits::Limits>,
    public_url: Option<PublicUrl>,
    /// Passwords checked (each an Argon2 hash): tests count them.
    password_checks: Arc<AtomicU64>,
    /// Public pages kept in memory (`public::kept`).
    kept: Arc<public::kept::Kept>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        let limits = Arc::new(limits::Limits::new(
            config.rate_limit_ip,
            config.rate_limit_email,
            config.rate_limit_reset,
        ));
        let public_url = config.public_url.as_deref().and_then(|u| {
            PublicUrl::parse(u)
                .inspect_err(|e| tracing::error!(%e, "public_url ignored"))
                .ok()
        });
        AppState {
            store,
            config: Arc::new(config),
            limits,
            public_url,
            password_checks: Arc::default(),
            kept: Arc::default(),
        }
    }

    pub(crate) fn count_password_check(&self) {
        self.password_checks.fetch_add(1, Ordering::SeqCst);
    }

    /// How many passwords this application has checked since it started.
    pub fn password_checks(&self) -> u64 {
        self.password_checks.load(Ordering::SeqCst)
    }

    /// Whether the public reaches this server over https (then browsers
    /// are told to never use plain HTTP for it again: HSTS).
    pub fn serves_https(&self) -> bool {
        self.public_url.as_ref().is_some_and(PublicUrl::is_https)
    }

    /// Where every absolute link starts: the configured public address;
    /// without one, the scheme this server speaks (plain HTTP: TLS, when
    /// there is, is a reverse proxy's, which `--public-url` names) and the
    /// request's host.
    pub fn public_url(&self, headers: &HeaderMap) -> PublicUrl {
        if let Some(u) = &self.public_url {
            return u.clone();
        }
        headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| PublicUrl::from_host("http", h))
            .unwrap_or_else(|| PublicUrl::from_host("http", "localhost").expect("a host"))
    }
}

/// The whole application: staff pages, static files, the JSON API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .merge(public::routes(&state))
        .nest("/api/v1", api::routes(&state))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::secure,
        ))
        // Outermost: the id exists before the span opens and every answer,
        // headers' included, carries it.
        .layer(trace::layer())
        .layer(axum::middleware::from_fn(trace::request_id))
        .with_state(state)
}
