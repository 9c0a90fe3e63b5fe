//! The staff interface's frame and dense pages (issue 9): the grouped menu
//! shows each role what it may open and nothing else, the IT board gives each
//! need its state and one next step, the day page puts its counter first.
//! What only a browser shows (one row, the phone's button, overflow, axe) is
//! in tests/browser/staff.mjs.

use almanach_domain::calendar::paris;
use almanach_domain::logistics::{NeedStatus, Provider};
use almanach_domain::staff::Role;
use almanach_store::testing::{need_type_id, published_event, session_write};
use almanach_store::{Actor, NeedWrite, SessionWrite};
use axum::http::StatusCode;
use jiff::ToSpan;

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

/// The buttons of the IT board's row for `need`: (status sent, words).
fn row_buttons(body: &str, need: i64) -> Vec<(String, String)> {
    let start = body
        .find(&format!("href=\"/staff/needs/{need}\""))
        .expect("the need's row");
    let row = &body[start..start + body[start..].find("</tr>").unwrap()];
    row.split("<button")
        .skip(1)
        .map(|b| {
            let value = b.split("value=\"").nth(1).unwrap();
            let words = &b[b.find('>').unwrap() + 1..];
            (
                value[..value.find('"').unwrap()].to_string(),
                words[..words.find('<').unwrap()].to_string(),
            )
        })
        .collect()
}

/// The state badge of the IT board's row for `need`.
fn row_state(body: &str, need: i64) -> String {
    let start = body.find(&format!("href=\"/staff/needs/{need}\"")).unwrap();
    let row = &body[start..start + body[start..].find("</tr>").unwrap()];
    let b = &row[row.find("class=\"badge status-").expect("a state badge")..];
    let b = &b[b.find('>').unwrap() + 1..];
    b[..b.find('<').unwrap()].to_string()
}

http_test!(
    async fn the_it_board_shows_each_need_s_state_and_one_next_step(app: TestApp) {
        let lib = app.library_id;
        let actor = Actor::system(lib, "test");
        let today = jiff::Zoned::now().with_time_zone(paris()).date();
        let e = published_event(&app.store, lib, "Atelier robots").await;
        let mut ids = Vec::new();
        for (d, name) in [
            (today, "Tablettes"),
            (today.checked_add(20.days()).unwrap(), "Vidéoprojecteur"),
        ] {
            let s = app
                .store
                .save_session(&actor, None, &session_write(e, d, 20, 22))
                .await
                .unwrap()
                .unwrap();
            let w = NeedWrite {
                need_type_id: need_type_id(&app.store, lib, name).await,
                quantity: 1,
                details: String::new(),
                provider: Provider::It,
                due_override: None,
            };
            ids.push(app.store.add_need(&actor, s, &w).await.unwrap());
        }
        let (on_the_day, later) = (ids[0], ids[1]);

        let mut it = app.signed_in(Role::It).await;
        let board = app.get(&mut it, "/staff/it").await.body;
        assert!(board.contains("<caption>"), "a real table with its caption");
        assert!(
            !board.contains("<select id=\"st-"),
            "no list of every next state"
        );
        assert_eq!(row_state(&board, later), "demandé");
        assert_eq!(
            row_buttons(&board, later),
            [("acknowledged".into(), "Prendre en compte".into())]
        );

        // IT takes it: the row now says so and offers the next step only.
        let r = app
            .post(
                &mut it,
                &format!("/staff/needs/{later}/status"),
                &[("status", "acknowledged"), ("back", "board")],
            )
            .await;
        assert_eq!(r.location(), "/staff/it?done=saved");
        let board = app.get(&mut it, "/staff/it").await.body;
        assert_eq!(row_state(&board, later), "pris en compte");
        assert_eq!(
            row_buttons(&board, later),
            [("ready".into(), "Marquer prêt".into())]
        );

        for id in ids.clone() {
            app.store
                .set_need_status(&actor, id, NeedStatus::Ready, "")
                .await
                .unwrap()
                .unwrap();
        }
        // Ready: the current state, never the next one beside it; checking on
        // the day is the team's, and only on the day.
        let board = app.get(&mut it, "/staff/it").await.body;
        assert_eq!(row_state(&board, on_the_day), "prêt");
        assert!(
            row_buttons(&board, on_the_day).is_empty(),
            "IT does not check on the day"
        );
        let mut team = app.signed_in(Role::Mediator).await;
        let board = app.get(&mut team, "/staff/it").await.body;
        assert_eq!(
            row_buttons(&board, on_the_day),
            [("checked".into(), "Vérifié le jour J".into())]
        );
        assert!(
            row_buttons(&board, later).is_empty(),
            "not checked three weeks ahead"
        );
        let r = app
            .post(
                &mut team,
                &format!("/staff/needs/{on_the_day}/status"),
                &[("status", "checked"), ("back", "board")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let board = app.get(&mut team, "/staff/it").await.body;
        assert_eq!(row_state(&board, on_the_day), "vérifié le jour J");
        assert!(row_buttons(&board, on_the_day).is_empty());

        // A viewer reads the states, without a button.
        let mut viewer = app.signed_in(Role::Viewer).await;
        let board = app.get(&mut viewer, "/staff/it").await.body;
        assert_eq!(row_state(&board, later), "prêt");
        assert!(row_buttons(&board, later).is_empty());
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
