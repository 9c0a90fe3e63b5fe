//! The public path in headless Chromium with axe-core (tests/browser/): this
//! test serves a fresh database over real TCP and runs the Node script
//! against it. It needs Debian's chromium and `npm ci` in tests/browser, so
//! it runs when ALMANACH_BROWSER_TESTS is set — always in CI, where a
//! missing setup is a failure, not a skip.

use almanach_domain::programme::EventStatus;
use almanach_domain::staff::Role;
use almanach_store::{Backend, Series};
use almanach_web::{AppState, WebConfig, router};

use crate::app::{PASSWORD, TestApp};
use crate::public::{actor, event, on_registration, save, session, workshop};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_path_in_chromium_with_axe() {
    if !almanach_store::testing::browser_tests_enabled() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    // One seat, so the second person waits and is promoted when the first cancels.
    workshop(&app, "Atelier robots", 1, 1).await;
    // A series with its colour, and a session staff count on the day.
    let colour = "#8e44ad";
    let series = app
        .store
        .save_series(
            &actor(&app),
            &Series {
                name: "Samedis de l'innovation".into(),
                colour: colour.into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let e = event(&app, "Rencontre IA", Some(series), EventStatus::Published).await;
    let counted = save(
        &app,
        on_registration(session(e.get(), 2, (14, 0), (16, 0)), 30),
    )
    .await;
    let staff = "admin@mediatheque.test";
    app.add_staff(staff, Role::Admin).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // As `almanach serve` runs by default: Secure cookies over plain HTTP
    // on the loopback address, links from http://<listen>.
    let config = WebConfig {
        secure_cookies: true,
        public_url: Some(format!("http://{addr}")),
        ..WebConfig::default()
    };
    let router = router(AppState::new(app.store.clone(), config));
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    almanach_store::testing::run_browser_script(
        "public.mjs",
        vec![
            ("ALMANACH_URL", format!("http://{addr}")),
            ("ALMANACH_STAFF_EMAIL", staff.to_string()),
            ("ALMANACH_STAFF_PASSWORD", PASSWORD.to_string()),
            ("ALMANACH_SESSION", counted.to_string()),
            ("ALMANACH_COLOUR", colour.to_string()),
        ],
    )
    .await;
}

/// The staff lists at a laptop's width and a phone's (tests/browser/
/// staff_lists.mjs): the events list is paged, starts with what comes
/// next, and the session form stays short with 55 themes; axe finds nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_lists_in_chromium_with_axe() {
    if !almanach_store::testing::browser_tests_enabled() {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    crate::lists::sixty_events(&app).await;
    let actor = almanach_store::Actor::system(app.library_id, "test");
    let categories = almanach_domain::programme::THEME_CATEGORIES;
    for i in 0..55 {
        let t = almanach_store::Theme {
            title: format!("Thème {i:02}"),
            categories: vec![categories[i % categories.len()].to_string()],
            ..Default::default()
        };
        app.store.save_theme(&actor, &t).await.unwrap();
    }
    let (event, _) =
        crate::lists::event_on(&app, "Point de l'IA", None, crate::lists::in_days(3), None).await;
    let email = "coordination@mediatheque.test";
    app.add_staff(email, almanach_domain::staff::Role::Coordinator)
        .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    almanach_store::testing::run_browser_script(
        "staff_lists.mjs",
        vec![
            ("ALMANACH_URL", format!("http://{addr}")),
            ("ALMANACH_EMAIL", email.to_string()),
            ("ALMANACH_PASSWORD", crate::app::PASSWORD.to_string()),
            ("ALMANACH_EVENT", event.to_string()),
        ],
    )
    .await;
}
