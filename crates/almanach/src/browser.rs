//! Every staff page on the demo season in headless Chromium with axe-core
//! (tests/browser/staff.mjs). It lives beside the demo, which is what gives
//! the pages something to show: sessions with registrants and counts, needs,
//! costs, speakers, a season of statistics. Like the public path's test
//! (crates/web/tests/http/browser.rs) it needs Debian's chromium and
//! `npm ci` in tests/browser, so it runs when ALMANACH_BROWSER_TESTS is set:
//! always in CI, where a missing setup is a failure, not a skip.

use std::path::Path;

use almanach_store::{Backend, BoardFilter, SessionFilter, Target};
use almanach_web::{AppState, WebConfig};

use crate::demo;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/browser");

/// The GET routes of the staff pages' sources, `{…}` as in the sources.
fn get_routes() -> Vec<String> {
    // Every source file under pages/, folders of an area included.
    let mut files = Vec::new();
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src/pages")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut routes = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let parts: Vec<&str> = text.split(".route(").skip(1).collect();
        for part in parts {
            // The call's arguments: up to the parenthesis that closes it.
            let mut depth = 1;
            let end = part
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '(' => 1,
                        ')' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(part.len(), |(i, _)| i);
            let call = &part[..end];
            let Some(start) = call.find('"') else {
                continue;
            };
            let rest = &call[start + 1..];
            let path = &rest[..rest.find('"').unwrap()];
            if call.contains("get(") {
                routes.push(path.to_string());
            }
        }
    }
    routes.sort();
    routes.dedup();
    routes
}

/// `/staff/events/{event}/edit` and `/staff/events/{id}/edit` alike.
fn shape(path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let mut out = String::new();
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '{' => {
                skipping = true;
                out.push('*');
            }
            '}' => skipping = false,
            _ if !skipping => out.push(c),
            _ => {}
        }
    }
    out
}

/// A new page is checked in the browser as soon as it exists: staff.mjs
/// lists every GET route of the staff pages, as a page or as a download.
#[test]
fn the_browser_test_visits_every_staff_page() {
    let script = std::fs::read_to_string(Path::new(DIR).join("staff.mjs")).unwrap();
    let listed: Vec<String> = script
        .split('\'')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with('/'))
        .map(shape)
        .collect();
    let missing: Vec<String> = get_routes()
        .into_iter()
        .filter(|r| !listed.contains(&shape(r)))
        .collect();
    assert!(
        missing.is_empty(),
        "staff.mjs visits none of these GET routes (add them to PAGES, or to NOT_PAGES if they are no page):\n{}",
        missing.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_staff_page_on_the_demo_in_chromium_with_axe() {
    if !almanach_store::testing::browser_tests_enabled() {
        return;
    }
    let store = almanach_store::testing::fresh_store(Backend::Sqlite)
        .await
        .unwrap();
    demo::load(&store).await.unwrap();
    let ids = records(&store).await;

    let config = WebConfig {
        secure_cookies: false,
        ..WebConfig::default()
    };
    let router = almanach_web::router(AppState::new(store.clone(), config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    almanach_store::testing::run_browser_script(
        "staff.mjs",
        vec![
            ("ALMANACH_URL", format!("http://{addr}")),
            ("ALMANACH_IDS", ids.to_string()),
        ],
    )
    .await;
}

/// The demo's records the pages are shown for: a coming workshop with its
/// registrants (its day page has the list), a session counted by head (the
/// counters), a need, and one of each thing a page edits.
async fn records(store: &almanach_store::Store) -> serde_json::Value {
    let library = store.default_library().await.unwrap();
    let lib = library.id;
    let now = almanach_store::now();
    let coming = store
        .list_sessions(
            lib,
            &SessionFilter {
                from: Some(now),
                limit: Some(200),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut session = None;
    for s in coming.iter().filter(|s| s.registration_required) {
        let regs = store
            .list_registrations(lib, Target::Session(s.id))
            .await
            .unwrap();
        if let Some(r) = regs.iter().find(|r| !r.email.is_empty()) {
            session = Some((s.clone(), r.email.clone(), r.id));
            break;
        }
    }
    let (session, email, registration) = session.expect("a coming session with registrants");
    // Where the move page proposes to move its registrant.
    let other = coming
        .iter()
        .find(|s| s.registration_required && s.id != session.id)
        .expect("another coming session with registration");
    // A message to its registrants, held: the action's page shows it.
    let actor = almanach_store::Actor::system(lib, "browser test");
    let (action, _) = store
        .email_registrants_held(
            &actor,
            Target::Session(session.id),
            "Changement de salle",
            "Rendez-vous en salle 2.",
        )
        .await
        .unwrap();
    let counter = coming
        .iter()
        .find(|s| !s.registration_required)
        .expect("a session counted by head");
    let today = jiff::Timestamp::now().to_zoned(library.tz()).date();
    let need = store
        .it_board(lib, &BoardFilter::default(), today)
        .await
        .unwrap();
    let prospect = store.prospects(lib, None).await.unwrap();
    let member = store
        .list_staff(lib)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.email != demo::DEMO_ADMIN)
        .expect("a team");
    serde_json::json!({
        "admin": demo::DEMO_ADMIN,
        "password": demo::DEMO_PASSWORD,
        "session": session.id,
        "event": session.event_id,
        "email": email,
        "registration": registration,
        "action": action,
        "other": other.id,
        "counter": counter.id,
        "need": need.first().expect("a need").id,
        "need_type": store.need_types(lib).await.unwrap()[0].id,
        "series": store.list_series(lib).await.unwrap()[0].id,
        "theme": store.list_themes(lib).await.unwrap()[0].theme.id,
        "room": store.list_rooms(lib).await.unwrap()[0].id,
        "speaker": prospect.first().expect("a prospect").speaker_id,
        "prospect": prospect[0].id,
        "tool": store.tools(lib).await.unwrap()[0].id,
        "member": member.id,
    })
}
