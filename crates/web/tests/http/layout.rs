//! The staff interface's frame (issue 9): the grouped menu shows each role
//! what it may open and nothing else.

use almanach_domain::staff::Role;
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
