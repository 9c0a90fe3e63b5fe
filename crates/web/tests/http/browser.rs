//! The public path in headless Chromium with axe-core (tests/browser/): this
//! test serves a fresh database over real TCP and runs the Node script
//! against it. It needs Debian's chromium and `npm ci` in tests/browser, so
//! it runs when ALMANACH_BROWSER_TESTS is set — always in CI, where a
//! missing setup is a failure, not a skip.

use std::process::Command;

use almanach_store::Backend;

use crate::app::TestApp;
use crate::public::workshop;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_path_in_chromium_with_axe() {
    if std::env::var_os("ALMANACH_BROWSER_TESTS").is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "ALMANACH_BROWSER_TESTS must be set in CI: browser tests may not be skipped"
        );
        eprintln!(
            "skipping the browser test: set ALMANACH_BROWSER_TESTS=1 after `npm ci` in tests/browser"
        );
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    // One seat, so the second person waits and is promoted when the first cancels.
    workshop(&app, "Atelier robots", 1, 1).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/browser");
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .args(["--test", "--test-reporter=spec", "public.mjs"])
            .current_dir(dir)
            .env("ALMANACH_URL", format!("http://{addr}"))
            .output()
    })
    .await
    .unwrap()
    .expect("node runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the browser tests failed:\n{text}");
    println!("{text}");
}

/// The staff lists at a laptop's width and a phone's (tests/browser/
/// staff_lists.mjs): the events list is paged, starts with what comes
/// next, and the session form stays short with 55 themes; axe finds nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_lists_in_chromium_with_axe() {
    if std::env::var_os("ALMANACH_BROWSER_TESTS").is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "ALMANACH_BROWSER_TESTS must be set in CI: browser tests may not be skipped"
        );
        eprintln!(
            "skipping the browser test: set ALMANACH_BROWSER_TESTS=1 after `npm ci` in tests/browser"
        );
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

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/browser");
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .args(["--test", "--test-reporter=spec", "staff_lists.mjs"])
            .current_dir(dir)
            .env("ALMANACH_URL", format!("http://{addr}"))
            .env("ALMANACH_EMAIL", email)
            .env("ALMANACH_PASSWORD", crate::app::PASSWORD)
            .env("ALMANACH_EVENT", event.to_string())
            .output()
    })
    .await
    .unwrap()
    .expect("node runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the browser tests failed:\n{text}");
    println!("{text}");
}
