//! Almanach's HTTP face: the server-rendered staff interface under `/staff`
//! and the JSON API under `/api/v1`, on one axum router.

pub mod api;
mod auth;
mod error;
mod forms;
mod i18n;
mod pages;
mod public;
pub mod review;
mod view;

use std::sync::Arc;

use almanach_domain::link::LinkKey;
use almanach_store::Store;
use axum::Router;

pub use auth::{hash_password, random_token, sha256_hex};
pub use error::WebError;
pub use i18n::{Tr, check_locales};

/// Settings the web layer needs; built by the binary from flags, environment
/// and the configuration file.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (on unless serving plain HTTP beyond loopback).
    pub secure_cookies: bool,
    /// Sign-in failures for one e-mail or client before sign-in is paused.
    pub login_max_failures: i64,
    /// How long sign-in stays paused after that, in seconds.
    pub login_pause_secs: i64,
    /// How long a staff sign-in lasts, in seconds.
    pub session_ttl_secs: i64,
    /// The key private links derive from (`domain::link`); the mail worker
    /// holds the same one.
    pub link_key: LinkKey,
    /// The address the public reaches (`--public-url`): calendar UIDs take
    /// its host, as the e-mails' do. None: each request's own host.
    pub public_url: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: true,
            login_max_failures: 5,
            login_pause_secs: 15 * 60,
            session_ttl_secs: 12 * 3600,
            // A fresh key: links made with it are not mailed by a worker
            // holding another (it notices and leaves the link out).
            link_key: LinkKey::from_bytes(rand::random()),
            public_url: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> AppState {
        AppState { store, config: Arc::new(config) }
    }
}

/// The whole application: staff pages, static files, the JSON API.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .merge(public::routes())
        .nest("/api/v1", api::routes())
        .with_state(state)
}
