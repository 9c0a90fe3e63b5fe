//! The whole public path in headless Chromium, e-mails included (issue 3):
//! agenda → event → register → the confirmation e-mail arrives over a real
//! SMTP exchange → its private link → cancel → the waiting party is promoted
//! and receives its e-mail. The page runs `tests/browser/full_path.mjs`; this
//! side serves the application over TCP, runs the outbox worker against the
//! test SMTP server, and lets the script read the mailbox over HTTP. Like
//! the web crate's browser test, it runs when ALMANACH_BROWSER_TESTS is set
//! (always in CI).

use crate::support;

use almanach_jobs::{MailSettings, Transport, Worker};
use almanach_store::Backend;
use almanach_web::{AppState, WebConfig, router};
use axum::Json;
use axum::extract::{Path, State};
use axum::routing::get;
use support::smtp::TestSmtp;
use support::*;

#[derive(Clone)]
struct Mailbox {
    worker: std::sync::Arc<Worker>,
    smtp: TestSmtp,
}

/// Sends what is due, then lists the messages received for `to`: subject and
/// plain text, oldest first.
async fn mail_for(State(m): State<Mailbox>, Path(to): Path<String>) -> Json<serde_json::Value> {
    m.worker.drain_once(almanach_store::now()).await.unwrap();
    let messages: Vec<serde_json::Value> = m
        .smtp
        .received()
        .into_iter()
        .filter(|r| r.to.iter().any(|t| t.eq_ignore_ascii_case(&to)))
        .map(|r| {
            let part = support::mime::parse(&r.data);
            serde_json::json!({
                "subject": part.header("subject").unwrap_or_default(),
                "text": part.leaf("text/plain").body,
            })
        })
        .collect();
    Json(serde_json::Value::Array(messages))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_path_with_its_emails_in_chromium() {
    if !almanach_store::testing::browser_tests_enabled() {
        return;
    }
    let store = almanach_store::testing::fresh_store(Backend::Sqlite)
        .await
        .unwrap();
    let lib = store.default_library().await.unwrap().id;
    // One seat: the second person waits, and is promoted when the first cancels.
    workshop(&store, lib, 1, day(7)).await;

    let site = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let public = format!("http://{}", site.local_addr().unwrap());
    let config = WebConfig {
        secure_cookies: false,
        link_key: key(),
        public_url: Some(public.clone()),
        ..WebConfig::default()
    };
    let app = router(AppState::new(store.clone(), config));
    tokio::spawn(async move { axum::serve(site, app).await.unwrap() });

    let smtp = TestSmtp::start().await;
    let settings = MailSettings::new(
        "Médiathèque <agenda@mediatheque.test>".parse().unwrap(),
        &public,
        key(),
    );
    let worker = Worker::new(
        store.clone(),
        Transport::smtp(&smtp.url(), Some("agenda.test")).unwrap(),
        settings,
    );
    let mailbox = Mailbox {
        worker: std::sync::Arc::new(worker),
        smtp,
    };
    let mail_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mail_url = format!("http://{}", mail_listener.local_addr().unwrap());
    let mail_app = axum::Router::new()
        .route("/mail/{to}", get(mail_for))
        .with_state(mailbox);
    tokio::spawn(async move { axum::serve(mail_listener, mail_app).await.unwrap() });

    almanach_store::testing::run_browser_script(
        "full_path.mjs",
        vec![
            ("ALMANACH_URL", public.to_string()),
            ("MAILBOX_URL", mail_url.to_string()),
        ],
    )
    .await;
}
