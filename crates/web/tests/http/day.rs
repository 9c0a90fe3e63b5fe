//! On the day: ticking registered parties, walk-ins, the head counter, the
//! reset to "not counted", through forms (no script) and as the page's
//! script sends them (Accept: application/json); who may count.

use almanach_domain::calendar::{local_to_instant, paris};
use almanach_domain::ids::SessionId;
use almanach_domain::registration::{EmailAddress, Party};
use almanach_domain::staff::Role;
use almanach_store::{Actor, NewRegistration, Registered, SessionWrite, Target};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiff::civil::Time;

use crate::app::{Client, Response, TestApp};
use crate::http_test;

fn actor(app: &TestApp) -> Actor {
    Actor::system(app.library_id, "test")
}

/// A published session today (Paris) that began up to an hour ago, on
/// registration with `capacity` seats when given.
async fn today_session(app: &TestApp, capacity: Option<u32>, leads: Vec<i64>) -> SessionId {
    let d = jiff::Zoned::now().with_time_zone(paris()).date();
    let midnight = local_to_instant(&paris(), d, Time::midnight())
        .unwrap()
        .as_second();
    let start = (almanach_store::now() - 3600).max(midnight);
    session_at(app, capacity, leads, &d.to_string(), start).await
}

/// A published session dated `day` (Paris), starting at `starts_at`.
async fn session_at(
    app: &TestApp,
    capacity: Option<u32>,
    leads: Vec<i64>,
    day: &str,
    starts_at: i64,
) -> SessionId {
    let e = almanach_store::testing::published_event(
        &app.store,
        app.library_id,
        "Atelier IA générative",
    )
    .await;
    let w = SessionWrite {
        ends_at: starts_at + 3600,
        local_date: day.to_string(),
        lead_ids: leads,
        ..almanach_store::testing::workshop_write(e, capacity, starts_at)
    };
    let id = almanach_store::testing::saved_session(&app.store, app.library_id, &w).await;
    if capacity.is_some() {
        almanach_store::testing::max_seats(&app.store, app.library_id, id, 4).await;
    }
    id
}

async fn register(app: &TestApp, session: SessionId, name: &str, seats: u32, ages: Vec<u8>) -> i64 {
    let party = Party {
        name: name.into(),
        email: Some(
            EmailAddress::parse(
                "email",
                &format!("{seats}{name}@example.org")
                    .to_lowercase()
                    .replace(' ', ""),
            )
            .unwrap(),
        ),
        phone: String::new(),
        seats,
        ages,
    };
    let new = NewRegistration {
        target: Target::Session(session),
        party,
        token_hash: format!("t{name}"),
        idempotency_hash: format!("k{name}"),
        by_staff: true,
        lang: almanach_domain::Lang::Fr,
        link_sealed: None,
    };
    match app.store.register(&actor(app), &new).await.unwrap() {
        Registered::New(r) => r.id.get(),
        other => panic!("{other:?}"),
    }
}

/// What the page's script sends: the form's fields, asking for JSON.
async fn fetch(app: &TestApp, c: &mut Client, path: &str, fields: &[(&str, &str)]) -> Response {
    let mut pairs: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    pairs.push(("csrf".into(), c.csrf.clone()));
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(serde_html_form::to_string(&pairs).unwrap()))
        .unwrap();
    app.send(c, req).await
}

/// The figure shown after `data-fig="name">`.
fn fig(body: &str, name: &str) -> String {
    let marker = format!("data-fig=\"{name}\">");
    let i = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} figure in {body}"));
    let rest = &body[i + marker.len()..];
    rest[..rest.find('<').unwrap()].to_string()
}

http_test!(
    async fn the_head_counter_counts_taps_and_under_14s_without_script(app: TestApp) {
        let mut c = app.signed_in(Role::Mediator).await;
        let s = today_session(&app, None, vec![]).await;
        let day = format!("/staff/sessions/{s}/day");
        let page = app.get(&mut c, &day).await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            fig(&page.body, "participants"),
            "non compté",
            "not counted is not zero"
        );
        assert!(
            page.body.contains("name=\"tap\" value=\"add\""),
            "a counter without registration"
        );
        assert!(
            !page.body.contains("sans inscription"),
            "no walk-in button without registration"
        );

        let count = format!("{day}/count");
        let r = app.post(&mut c, &count, &[("tap", "add")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), format!("{day}#count"));
        app.post(&mut c, &count, &[("tap", "add")]).await;
        app.post(&mut c, &count, &[("tap", "add"), ("under_14", "1")])
            .await;
        let page = app.get(&mut c, &day).await;
        assert_eq!(
            (fig(&page.body, "participants"), fig(&page.body, "under_14")),
            ("3".into(), "1".into())
        );

        // Taking away more under-14s than counted is refused and said so.
        app.post(&mut c, &count, &[("tap", "remove"), ("under_14", "1")])
            .await;
        let r = app
            .post(&mut c, &count, &[("tap", "remove"), ("under_14", "1")])
            .await;
        assert_eq!(r.location(), format!("{day}?refused=1#count"));
        let page = app.get(&mut c, r.location()).await;
        assert!(page.body.contains("Rien n&#39;a changé"), "{}", page.body);
        assert_eq!(
            (fig(&page.body, "participants"), fig(&page.body, "under_14")),
            ("2".into(), "0".into())
        );

        assert_eq!(
            app.post(&mut c, &count, &[("tap", "twice")]).await.status,
            StatusCode::BAD_REQUEST
        );
        let a = app.store.attendance(app.library_id, s).await.unwrap();
        assert_eq!(
            (a.headcount.participants, a.headcount.under_14),
            (Some(2), Some(0))
        );
        assert_eq!(a.counted_by.as_deref(), Some("mediator@mediatheque.test"));
    }
);

http_test!(
    async fn the_script_gets_the_figures_back_as_json(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        let s = today_session(&app, None, vec![]).await;
        app.get(&mut c, &format!("/staff/sessions/{s}/day")).await;
        let r = fetch(
            &app,
            &mut c,
            &format!("/staff/sessions/{s}/day/count"),
            &[("tap", "add"), ("under_14", "1")],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        let j = r.json();
        assert_eq!(
            (
                j["participants"].as_str(),
                j["under_14"].as_str(),
                j["refused"].as_bool()
            ),
            (Some("1"), Some("1"), Some(false))
        );
        let r = fetch(
            &app,
            &mut c,
            &format!("/staff/sessions/{s}/day/count"),
            &[("tap", "remove")],
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::CONFLICT,
            "the only person counted is under 14"
        );
        assert_eq!(r.json()["refused"].as_bool(), Some(true));
        assert_eq!(r.json()["participants"].as_str(), Some("1"));

        // Without the CSRF token nothing is counted.
        let r = app
            .post(
                &mut c,
                &format!("/staff/sessions/{s}/day/count"),
                &[("tap", "add"), ("csrf", "forged")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.store
                .attendance(app.library_id, s)
                .await
                .unwrap()
                .headcount
                .participants,
            Some(1)
        );

        let r = fetch(&app, &mut c, &format!("/staff/sessions/{s}/day/reset"), &[]).await;
        assert_eq!(r.json()["participants"].as_str(), Some("non compté"));
        assert_eq!(
            app.store
                .attendance(app.library_id, s)
                .await
                .unwrap()
                .headcount
                .participants,
            None
        );
    }
);

http_test!(
    async fn ticking_registered_parties_and_walk_ins(app: TestApp) {
        let mut c = app.signed_in(Role::Mediator).await;
        let s = today_session(&app, Some(20), vec![]).await;
        let dupont = register(&app, s, "Famille Dupont", 3, vec![7, 12]).await;
        let martin = register(&app, s, "Anne Martin", 1, vec![]).await;
        let day = format!("/staff/sessions/{s}/day");
        let page = app.get(&mut c, &day).await;
        let (a, m) = (
            page.body.find("Anne Martin").unwrap(),
            page.body.find("Famille Dupont").unwrap(),
        );
        assert!(
            a < m,
            "in alphabetical order, to find the name given at the door"
        );
        assert!(
            page.body.contains("3 places · enfants\u{202f}: 7, 12 ans"),
            "{}",
            page.body
        );
        assert!(page.body.contains("+1 sans inscription"));
        assert!(
            !page.body.contains("value=\"1\" checked"),
            "nobody ticked yet"
        );

        // Without script: the row's form posts the box's state.
        let tick = format!("{day}/tick");
        let r = app
            .post(
                &mut c,
                &tick,
                &[("registration", &dupont.to_string()), ("present", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // With script: one POST per tick, the figures come back.
        let r = fetch(
            &app,
            &mut c,
            &tick,
            &[("registration", &martin.to_string()), ("present", "1")],
        )
        .await;
        let j = r.json();
        assert_eq!(
            (
                j["participants"].as_str(),
                j["under_14"].as_str(),
                j["present"].as_str()
            ),
            (Some("4"), Some("2"), Some("4 / 4"))
        );
        let j = fetch(
            &app,
            &mut c,
            &format!("{day}/count"),
            &[("tap", "add"), ("under_14", "1")],
        )
        .await
        .json();
        assert_eq!(
            (j["participants"].as_str(), j["under_14"].as_str()),
            (Some("5"), Some("3")),
            "a walk-in child"
        );
        // Unticking: the box sends nothing.
        let j = fetch(
            &app,
            &mut c,
            &tick,
            &[("registration", &martin.to_string())],
        )
        .await
        .json();
        assert_eq!(
            (
                j["participants"].as_str(),
                j["present"].as_str(),
                j["no_shows"].as_str()
            ),
            (Some("4"), Some("3 / 4"), Some("1"))
        );

        let page = app.get(&mut c, &day).await;
        assert!(page.body.contains(&format!(
            "id=\"p-{dupont}\" name=\"present\" value=\"1\" checked"
        )));
        assert!(
            page.body
                .contains(&format!("id=\"p-{martin}\" name=\"present\" value=\"1\">"))
        );
        // The staff session page shows the same attendance.
        let page = app.get(&mut c, &format!("/staff/sessions/{s}")).await;
        assert_eq!(fig(&page.body, "participants"), "4");
        assert_eq!(fig(&page.body, "present"), "3 / 4");
        assert_eq!(fig(&page.body, "no_shows"), "1");
        assert!(page.body.contains(&format!("href=\"{day}\"")));

        // A registration of another session is not on this list.
        let other = today_session(&app, Some(5), vec![]).await;
        let stranger = register(&app, other, "Paul", 1, vec![]).await;
        assert_eq!(
            app.post(
                &mut c,
                &tick,
                &[("registration", &stranger.to_string()), ("present", "1")]
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
    }
);

http_test!(
    async fn leads_and_programme_editors_count_others_may_not(app: TestApp) {
        let lead = app
            .add_staff("lead@mediatheque.test", Role::Communication)
            .await;
        let s = today_session(&app, None, vec![lead]).await;
        let day = format!("/staff/sessions/{s}/day");
        for role in [Role::Communication, Role::It, Role::Viewer] {
            let mut c = app.signed_in(role).await;
            assert_eq!(
                app.get(&mut c, &day).await.status,
                StatusCode::FORBIDDEN,
                "{role:?}"
            );
            app.get(&mut c, "/staff").await;
            assert_eq!(
                app.post(&mut c, &format!("{day}/count"), &[("tap", "add")])
                    .await
                    .status,
                StatusCode::FORBIDDEN,
                "{role:?}"
            );
            assert!(
                !app.get(&mut c, "/staff/day").await.body.contains(&day),
                "{role:?} sees no session to count"
            );
        }
        assert_eq!(
            app.store
                .attendance(app.library_id, s)
                .await
                .unwrap()
                .headcount
                .participants,
            None
        );

        // The session's lead may, whatever the role; the day list shows it first.
        let mut c = app
            .sign_in("lead@mediatheque.test", crate::app::PASSWORD)
            .await;
        let list = app.get(&mut c, "/staff/day").await;
        assert!(
            list.body.contains("Mes séances") && list.body.contains(&day),
            "{}",
            list.body
        );
        app.get(&mut c, &day).await;
        assert_eq!(
            app.post(&mut c, &format!("{day}/count"), &[("tap", "add")])
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            app.store
                .attendance(app.library_id, s)
                .await
                .unwrap()
                .headcount
                .participants,
            Some(1)
        );
    }
);

http_test!(
    async fn nothing_is_counted_before_the_session_but_corrected_after(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        let now = almanach_store::now();
        let day_of = |at: i64| {
            jiff::Timestamp::from_second(at)
                .unwrap()
                .to_zoned(paris())
                .date()
                .to_string()
        };
        // Six weeks ahead, on registration: the page says when it opens.
        let later_at = now + 42 * 86_400;
        let later = session_at(&app, Some(10), vec![], &day_of(later_at), later_at).await;
        let party = register(&app, later, "Famille Martin", 2, vec![]).await;
        let day = format!("/staff/sessions/{later}/day");
        let page = app.get(&mut c, &day).await;
        assert!(page.body.contains("Séance à venir"), "{}", page.body);

        // The walk-in button: refused, in words, and nothing changes.
        let r = fetch(&app, &mut c, &format!("{day}/count"), &[("tap", "add")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        let j = r.json();
        assert_eq!(j["refused"], true);
        let message = j["message"].as_str().unwrap();
        assert!(
            message.starts_with("Pas encore") && message.contains("une fois la séance commencée"),
            "{message}"
        );
        // Without script: back to the page, which says why.
        let r = app
            .post(&mut c, &format!("{day}/count"), &[("tap", "add")])
            .await;
        assert_eq!(r.location(), format!("{day}?refused=early#count"));
        let page = app.get(&mut c, r.location()).await;
        assert!(
            page.body.contains("Rien n&#39;a été enregistré"),
            "{}",
            page.body
        );
        // Ticking a registrant: not before the doors open.
        let r = fetch(
            &app,
            &mut c,
            &format!("{day}/tick"),
            &[("registration", &party.to_string()), ("present", "1")],
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(
            r.json()["message"]
                .as_str()
                .unwrap()
                .contains("une heure avant la séance"),
            "{}",
            r.body
        );
        let a = app.store.attendance(app.library_id, later).await.unwrap();
        assert_eq!(
            (a.headcount.participants, a.headcount.present),
            (None, None),
            "nothing recorded six weeks ahead"
        );

        // Half an hour before: the doors are open, the count is not.
        let soon_at = now + 1_800;
        let soon = session_at(&app, Some(10), vec![], &day_of(soon_at), soon_at).await;
        let party = register(&app, soon, "Famille Durand", 3, vec![]).await;
        let day = format!("/staff/sessions/{soon}/day");
        let r = fetch(
            &app,
            &mut c,
            &format!("{day}/tick"),
            &[("registration", &party.to_string()), ("present", "1")],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.json()["participants"], "3");
        let r = fetch(&app, &mut c, &format!("{day}/count"), &[("tap", "add")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);

        // In progress: counted. A month after: corrected.
        let now_on = today_session(&app, None, vec![]).await;
        let r = fetch(
            &app,
            &mut c,
            &format!("/staff/sessions/{now_on}/day/count"),
            &[("tap", "add")],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        let past_at = now - 30 * 86_400;
        let past = session_at(&app, None, vec![], &day_of(past_at), past_at).await;
        let count = format!("/staff/sessions/{past}/day/count");
        for _ in 0..3 {
            assert_eq!(
                fetch(&app, &mut c, &count, &[("tap", "add")]).await.status,
                StatusCode::OK
            );
        }
        let r = fetch(&app, &mut c, &count, &[("tap", "remove")]).await;
        assert_eq!(
            r.json()["participants"],
            "2",
            "a correction after the session"
        );
    }
);
