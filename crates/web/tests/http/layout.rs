//! The staff interface's frame and dense pages (issue 9): the grouped menu
//! shows each role what it may open and nothing else, the day page puts its
//! counter first.
//! What only a browser shows (one row, the phone's button, overflow, axe) is
//! in tests/browser/staff.mjs.

use almanach_domain::calendar::paris;
use almanach_domain::staff::Role;
use almanach_store::testing::{published_event, session_write};
use almanach_store::{Actor, SessionWrite};
use axum::http::StatusCode;

use crate::http_test;

/// The links of the staff menu, in order.
fn menu_links(body: &str) -> Vec<String> {
    let start = body.find("<nav class=\"menu\"").expect("the staff menu");
    let nav = &body[start..start + body[start..].find("</nav>").unwrap()];
    nav.split("href=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].to_string())
        .collect()
}

/// The texts of the menu's group buttons.
fn menu_groups(body: &str) -> Vec<String> {
    body.split("<details name=\"menu-group\">")
        .skip(1)
        .map(|s| {
            let s = &s[s.find("<summary").unwrap()..];
            let s = &s[s.find('>').unwrap() + 1..];
            s[..s.find('<').unwrap()].to_string()
        })
        .collect()
}

http_test!(
    async fn each_role_is_shown_the_pages_it_may_open_and_no_other(app: TestApp) {
        let mut admin = app.signed_in(Role::Admin).await;
        let page = app.get(&mut admin, "/staff").await;
        let all = menu_links(&page.body);
        assert_eq!(
            menu_groups(&page.body),
            [
                "Programme",
                "Public et inscriptions",
                "Logistique",
                "Statistiques",
                "Administration"
            ]
        );
        assert_eq!(
            all.len(),
            20,
            "the dashboard and nineteen pages in groups: {all:?}"
        );
        let mut bodies = std::collections::HashMap::new();
        for role in Role::ALL {
            let mut c = if role == Role::Admin {
                admin.clone()
            } else {
                app.signed_in(role).await
            };
            let body = app.get(&mut c, "/staff").await.body;
            let shown = menu_links(&body);
            bodies.insert(role, body);
            for href in &all {
                let status = app.get(&mut c, href).await.status;
                if shown.contains(href) {
                    assert_eq!(status, StatusCode::OK, "{role:?} is shown {href}");
                } else if href != "/staff/day" {
                    // The day's list answers everyone but lists only the
                    // sessions one may count: shown to those who run them.
                    assert_eq!(
                        status,
                        StatusCode::FORBIDDEN,
                        "{role:?} is not shown {href}"
                    );
                }
            }
            assert_eq!(
                shown.contains(&"/staff/day".to_string()),
                matches!(role, Role::Admin | Role::Coordinator | Role::Mediator),
                "{role:?}: the day's counting"
            );
        }
        // Where rights differ from the old flat bar: direction reads the
        // budgets, viewers hold no API token, IT has no statistics group.
        let v = menu_links(&bodies[&Role::Viewer]);
        assert!(v.contains(&"/staff/budgets".into()) && !v.contains(&"/staff/tokens".into()));
        let it = &bodies[&Role::It];
        assert!(!menu_groups(it).contains(&"Statistiques".into()));
        assert!(menu_links(it).contains(&"/staff/it".into()));
    }
);

http_test!(
    async fn the_menu_marks_the_page_and_its_group_and_speaks_english(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        let body = app.get(&mut c, "/staff/events").await.body;
        let nav = &body[body.find("<nav class=\"menu\"").unwrap()..body.find("</nav>").unwrap()];
        assert_eq!(nav.matches("aria-current=\"page\"").count(), 1);
        assert!(nav.contains("<a href=\"/staff/events\" aria-current=\"page\">Événements</a>"));
        assert_eq!(nav.matches("aria-current=\"true\">").count(), 1);
        assert!(nav.contains("aria-current=\"true\">Programme</summary>"));
        assert!(nav.contains("aria-label=\"Menu principal\""));
        assert!(body.contains("<script src=\"/static/nav.js\" defer></script>"));
        let js = app.get(&mut c, "/static/nav.js").await;
        assert_eq!(js.status, StatusCode::OK);
        assert!(
            js.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );

        app.get(&mut c, "/lang/en?next=/staff/budgets").await;
        let body = app.get(&mut c, "/staff/budgets").await.body;
        assert_eq!(
            menu_groups(&body),
            [
                "Programme",
                "Public and registrations",
                "Logistics",
                "Statistics",
                "Administration"
            ]
        );
        assert!(body.contains("aria-current=\"true\">Statistics</summary>"));
        assert!(body.contains("<a href=\"/staff/budgets\" aria-current=\"page\">Budgets</a>"));
    }
);

http_test!(
    async fn the_day_page_puts_its_counter_before_the_list(app: TestApp) {
        let lib = app.library_id;
        let actor = Actor::system(lib, "test");
        let today = jiff::Zoned::now().with_time_zone(paris()).date();
        let e = published_event(&app.store, lib, "Atelier robots").await;
        let plain = app
            .store
            .save_session(&actor, None, &session_write(e, today, 20, 22))
            .await
            .unwrap()
            .unwrap();
        let listed = app
            .store
            .save_session(
                &actor,
                None,
                &SessionWrite {
                    registration_required: true,
                    ..session_write(e, today, 18, 19)
                },
            )
            .await
            .unwrap()
            .unwrap();
        let mut c = app.signed_in(Role::Mediator).await;

        let body = app
            .get(&mut c, &format!("/staff/sessions/{plain}/day"))
            .await
            .body;
        let title = body.find("<h1>").unwrap();
        let counter = body.find("class=\"counter\"").expect("the counters");
        assert!(
            body[title..counter].matches("<h2").count() == 1,
            "the counter is the first section after the title"
        );
        assert!(
            !body.contains("data-fig=\"no_shows\""),
            "no registrants' figures without a list"
        );

        let body = app
            .get(&mut c, &format!("/staff/sessions/{listed}/day"))
            .await
            .body;
        let walk_in = body.find("class=\"walkin\"").expect("the walk-in buttons");
        let list = body.find("id=\"list-h\"").expect("the list");
        let figures = body.find("data-fig=\"present\"").unwrap();
        assert!(
            figures < walk_in && walk_in < list,
            "figures, then walk-ins, then the list"
        );
    }
);
