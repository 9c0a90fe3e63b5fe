//! Overload is not a server error: with every database connection taken,
//! or a lock not had in time, pages, the API and the registration form
//! answer 503 with Retry-After, save nothing, and work again afterwards.

use almanach_domain::ids::SessionId;
use std::time::Duration;

use almanach_domain::staff::Role;
use almanach_store::testing::{dispose, fresh_store_with};
use almanach_store::{Backend, PoolOptions, Target};
use axum::http::{StatusCode, header};

use crate::api::token;
use crate::app::{Client, Response, TestApp};
use crate::public::{form_key, workshop};

/// An application whose pool has two connections and waits 200 ms for one.
async fn small_app(backend: Backend) -> TestApp {
    let pool = PoolOptions {
        max_connections: Some(2),
        acquire_timeout: Duration::from_millis(200),
    };
    TestApp::on(fresh_store_with(backend, pool).await.expect("store")).await
}

/// 503, `Retry-After: 2`, and not the page of an internal error.
fn assert_busy(r: &Response, what: &str) {
    assert_eq!(
        r.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{what}: {}",
        r.body
    );
    assert_eq!(
        r.headers
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap()),
        Some("2"),
        "{what}"
    );
    assert!(
        !r.body.contains("Une erreur est survenue"),
        "{what}: {}",
        r.body
    );
}

async fn registrations(app: &TestApp, session: SessionId) -> usize {
    app.store
        .list_registrations(app.library_id, Target::Session(session))
        .await
        .unwrap()
        .len()
}

async fn no_free_connection(backend: Backend) {
    let app = small_app(backend).await;
    let (e, s) = workshop(&app, "Atelier Scratch", 10, 4).await;
    let secret = token(&app, Role::Viewer).await;
    let path = format!("/events/{e}/sessions/{s}/register");
    let mut person = Client::default();
    let form = app.get(&mut person, &path).await;
    let key = form_key(&form.body);
    let fields = [
        ("name", "Anne Dupont"),
        ("email", "anne@example.org"),
        ("seats", "2"),
        ("key", key.as_str()),
    ];

    let held = (
        app.store.pool().acquire().await.unwrap(),
        app.store.pool().acquire().await.unwrap(),
    );
    let agenda = app.get(&mut Client::default(), "/agenda").await;
    assert_busy(&agenda, "agenda");
    assert!(
        agenda.body.contains("Trop de demandes en ce moment")
            && agenda.body.contains("Too many requests right now"),
        "{}",
        agenda.body
    );
    let api = app
        .api("GET", "/api/v1/sessions", Some(&secret), None)
        .await;
    assert_busy(&api, "API list");
    assert_eq!(api.json()["error"]["code"], "busy", "{}", api.body);
    let sent = app.post(&mut person, &path, &fields).await;
    assert_busy(&sent, "registration");
    drop(held);

    assert_eq!(
        registrations(&app, SessionId(s)).await,
        0,
        "nothing half-saved"
    );
    let agenda = app.get(&mut Client::default(), "/agenda").await;
    assert_eq!(agenda.status, StatusCode::OK);
    assert!(agenda.body.contains("Atelier Scratch"));
    let api = app
        .api("GET", "/api/v1/sessions", Some(&secret), None)
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let sent = app.post(&mut person, &path, &fields).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(registrations(&app, SessionId(s)).await, 1);
    dispose(app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_free_connection_pages_api_and_form_answer_503_sqlite() {
    no_free_connection(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(almanach_postgres_tests),
    ignore = "PostgreSQL: set ALMANACH_TEST_POSTGRES"
)]
async fn without_a_free_connection_pages_api_and_form_answer_503_postgres() {
    no_free_connection(Backend::Postgres).await
}

/// The form is read, but saving waits for a lock another transaction holds
/// longer than the connection's lock timeout: the form comes back with what
/// was typed and its key, and sending it again registers once.
async fn lock_held_while_saving(backend: Backend) {
    let app = small_app(backend).await;
    let (e, s) = workshop(&app, "Atelier Scratch", 10, 4).await;
    let path = format!("/events/{e}/sessions/{s}/register");
    let mut person = Client::default();
    let form = app.get(&mut person, &path).await;
    let key = form_key(&form.body);
    let fields = [
        ("name", "Anne Dupont"),
        ("email", "anne@example.org"),
        ("seats", "2"),
        ("key", key.as_str()),
    ];

    // Both connections of the pool give up on a lock after 300 ms (instead
    // of 10 s on SQLite, never on PostgreSQL); one of them holds the lock a
    // registration needs, the other serves the request.
    let wait_briefly = match backend {
        Backend::Sqlite => "pragma busy_timeout = 300",
        Backend::Postgres => "set lock_timeout = '300ms'",
    };
    let mut holder = app.store.pool().acquire().await.unwrap();
    let mut other = app.store.pool().acquire().await.unwrap();
    for c in [&mut holder, &mut other] {
        sqlx::query(wait_briefly).execute(&mut **c).await.unwrap();
    }
    drop(other);
    match backend {
        Backend::Sqlite => {
            sqlx::query("begin immediate")
                .execute(&mut *holder)
                .await
                .unwrap();
        }
        Backend::Postgres => {
            sqlx::query("begin").execute(&mut *holder).await.unwrap();
            sqlx::query("select id from events where id = $1 for update")
                .bind(e)
                .execute(&mut *holder)
                .await
                .unwrap();
        }
    }
    let sent = app.post(&mut person, &path, &fields).await;
    assert_busy(&sent, "registration");
    assert!(
        sent.body.contains("Trop de demandes en ce moment"),
        "the message above the form: {}",
        sent.body
    );
    assert!(
        sent.body.contains("value=\"Anne Dupont\"")
            && sent.body.contains("value=\"anne@example.org\"")
            && sent.body.contains(&format!("name=\"key\" value=\"{key}\"")),
        "the form keeps what was typed and its key: {}",
        sent.body
    );
    sqlx::query("rollback").execute(&mut *holder).await.unwrap();
    drop(holder);

    assert_eq!(
        registrations(&app, SessionId(s)).await,
        0,
        "nothing half-saved"
    );
    let again = app.post(&mut person, &path, &fields).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(registrations(&app, SessionId(s)).await, 1);
    dispose(app.store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_held_while_saving_gives_the_form_back_with_503_sqlite() {
    lock_held_while_saving(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(almanach_postgres_tests),
    ignore = "PostgreSQL: set ALMANACH_TEST_POSTGRES"
)]
async fn a_lock_held_while_saving_gives_the_form_back_with_503_postgres() {
    lock_held_while_saving(Backend::Postgres).await
}
