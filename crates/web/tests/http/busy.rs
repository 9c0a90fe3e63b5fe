//! Overload is not a server error: with every database connection taken,
//! or a lock not had in time, pages, the API and the registration form
//! answer 503 with Retry-After, save nothing, and work again afterwards.

use almanach_domain::ids::SessionId;
use std::time::Duration;

use almanach_domain::staff::Role;
use almanach_store::testing::{dispose, exec, fresh_store_with};
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

/// A workshop on a small application, and its registration form as a
/// person opened it: the form's path, the person's client and the form key.
async fn opened_form(backend: Backend) -> (TestApp, i64, SessionId, String, Client, String) {
    let app = small_app(backend).await;
    let (e, s) = workshop(&app, "Atelier Scratch", 10, 4).await;
    let path = format!("/events/{e}/sessions/{s}/register");
    let mut person = Client::default();
    let form = app.get(&mut person, &path).await;
    let key = form_key(&form.body);
    (app, e, SessionId(s), path, person, key)
}

/// Anne's answers on the form opened with `key`.
fn anne(key: &str) -> [(&'static str, &str); 4] {
    [
        ("name", "Anne Dupont"),
        ("email", "anne@example.org"),
        ("seats", "2"),
        ("key", key),
    ]
}

async fn no_free_connection(backend: Backend) {
    let (app, _, s, path, mut person, key) = opened_form(backend).await;
    let secret = token(&app, Role::Viewer).await;
    let fields = anne(&key);

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

    assert_eq!(registrations(&app, s).await, 0, "nothing half-saved");
    let agenda = app.get(&mut Client::default(), "/agenda").await;
    assert_eq!(agenda.status, StatusCode::OK);
    assert!(agenda.body.contains("Atelier Scratch"));
    let api = app
        .api("GET", "/api/v1/sessions", Some(&secret), None)
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let sent = app.post(&mut person, &path, &fields).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(registrations(&app, s).await, 1);
    dispose(app.store).await;
}

almanach_store::on_each_backend!(
    without_a_free_connection_pages_api_and_form_answer_503,
    super::no_free_connection
);

/// The form is read, but saving waits for a lock another transaction holds
/// longer than the connection's lock timeout: the form comes back with what
/// was typed and its key, and sending it again registers once.
async fn lock_held_while_saving(backend: Backend) {
    let (app, e, s, path, mut person, key) = opened_form(backend).await;
    let fields = anne(&key);

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
            exec(&mut holder, "begin immediate").await;
        }
        Backend::Postgres => {
            exec(&mut holder, "begin").await;
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
    exec(&mut holder, "rollback").await;
    drop(holder);

    assert_eq!(registrations(&app, s).await, 0, "nothing half-saved");
    let again = app.post(&mut person, &path, &fields).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(registrations(&app, s).await, 1);
    dispose(app.store).await;
}

almanach_store::on_each_backend!(
    a_lock_held_while_saving_gives_the_form_back_with_503,
    super::lock_held_while_saving
);
