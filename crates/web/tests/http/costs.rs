//! Tools and subscriptions, a session's cost lines, budgets, and who sees
//! costs: coordinators, mediators on their own sessions when allowed, the
//! direction on budgets; never communication or IT.

use almanach_domain::attendance::Headcount;
use almanach_domain::ids::SessionId;
use almanach_domain::staff::Role;
use almanach_store::testing::{on_day, published, saved_session};
use almanach_store::{Actor, Event, Series, SessionWrite, Speaker};
use axum::http::StatusCode;

use crate::app::{Response, TestApp};
use crate::http_test;

fn actor(app: &TestApp) -> Actor {
    Actor::system(app.library_id, "test")
}

fn text(r: &Response) -> String {
    r.body
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
        .replace(['\u{202f}', '\u{a0}'], " ")
}

fn error_of(r: &Response, field: &str) -> String {
    let body = text(r);
    let marker = format!("id=\"e-{field}\">");
    let i = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no error next to {field}: {body}"));
    let rest = &body[i + marker.len()..];
    rest[..rest.find('<').unwrap()].to_string()
}

/// A published event of `series` with a session on `day`, led by `leads`.
async fn session(
    app: &TestApp,
    series_id: Option<i64>,
    day: &str,
    leads: Vec<i64>,
    speakers: Vec<i64>,
) -> SessionId {
    let e = Event {
        series_id,
        ..published("Atelier IA")
    };
    let event_id = app.store.save_event(&actor(app), &e).await.unwrap();
    let w = SessionWrite {
        speaker_ids: speakers,
        lead_ids: leads,
        ..on_day(event_id, day)
    };
    saved_session(&app.store, app.library_id, &w).await
}

http_test!(
    async fn a_coordinator_records_a_tool_and_never_a_password(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        let r = app.get(&mut c, "/staff/tools/new").await;
        assert!(text(&r).contains("Ne notez jamais de mot de passe"));
        assert!(!r.body.contains("type=\"password\""));
        let r = app
            .post(
                &mut c,
                "/staff/tools/new",
                &[
                    ("name", " "),
                    ("cost", "vingt"),
                    ("billing", "weekly"),
                    ("renewal_on", "bientôt"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_of(&r, "name"), "Ce champ est obligatoire.");
        assert!(error_of(&r, "cost").starts_with("Prix invalide"));
        assert!(error_of(&r, "renewal_on").starts_with("Date invalide"));
        assert!(r.body.contains("value=\"vingt\""), "what was typed is kept");
        assert!(app.store.tools(app.library_id).await.unwrap().is_empty());
        let soon = jiff::Zoned::now()
            .date()
            .checked_add(jiff::Span::new().days(10))
            .unwrap()
            .to_string();
        let fields = [
            ("name", "ChatGPT Plus"),
            ("provider", "OpenAI"),
            ("plan", "Plus"),
            ("cost", "21,60"),
            ("billing", "monthly"),
            ("seats", "2"),
            ("renewal_on", soon.as_str()),
            ("password", "hunter2"),
        ];
        let r = app.post(&mut c, "/staff/tools/new", &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let tools = app.store.tools(app.library_id).await.unwrap();
        assert_eq!(
            (
                tools[0].cost_cents,
                tools[0].seats,
                tools[0].renewal_on.as_deref()
            ),
            (2160, Some(2), Some(soon.as_str()))
        );
        assert!(text(&app.get(&mut c, "/staff/tools").await).contains("21,60 € / mois"));
        // The coordinator's dashboard warns of the renewal.
        let dash = text(&app.get(&mut c, "/staff").await);
        assert!(
            dash.contains("Abonnements à renouveler") && dash.contains("ChatGPT Plus"),
            "{dash}"
        );
        let log = app
            .store
            .audit_log(app.library_id, Some(("tool", tools[0].id)), 5)
            .await
            .unwrap();
        assert_eq!(log[0].action, "create");
        assert!(
            !log[0]
                .after
                .as_ref()
                .unwrap()
                .to_string()
                .contains("hunter2")
        );
    }
);

http_test!(
    async fn communication_and_it_see_tools_but_never_their_costs(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, "/staff/tools/new").await;
        app.post(
            &mut c,
            "/staff/tools/new",
            &[("name", "HeyGen"), ("cost", "29"), ("billing", "monthly")],
        )
        .await;
        let s = session(&app, None, "2025-03-01", vec![], vec![]).await;
        for role in [Role::Communication, Role::It] {
            let mut o = app.signed_in(role).await;
            let r = text(&app.get(&mut o, "/staff/tools").await);
            assert!(
                r.contains("HeyGen") && !r.contains("29,00"),
                "{role:?}: {r}"
            );
            assert_eq!(
                app.get(&mut o, "/staff/tools/new").await.status,
                StatusCode::FORBIDDEN
            );
            assert_eq!(
                app.get(&mut o, &format!("/staff/sessions/{s}/costs"))
                    .await
                    .status,
                StatusCode::FORBIDDEN
            );
            assert_eq!(
                app.get(&mut o, "/staff/budgets").await.status,
                StatusCode::FORBIDDEN
            );
            let dash = text(&app.get(&mut o, "/staff").await);
            assert!(!dash.contains("Abonnements à renouveler"));
        }
    }
);

http_test!(
    async fn cost_lines_feed_the_session_the_speaker_and_the_statistics(app: TestApp) {
        let sp = app
            .store
            .save_speaker(
                &actor(&app),
                &Speaker {
                    name: "Léa".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let s = session(&app, None, "2025-03-01", vec![], vec![sp]).await;
        let h = Headcount::new(Some(20), Some(0), None, None).unwrap();
        app.store.set_headcount(&actor(&app), s, &h).await.unwrap();
        app.store
            .set_session_cost(&actor(&app), s, 1_000)
            .await
            .unwrap();
        let mut c = app.signed_in(Role::Coordinator).await;
        let path = format!("/staff/sessions/{s}/costs");
        app.get(&mut c, &path).await;
        let r = app
            .post(&mut c, &path, &[("kind", "bribe"), ("amount", "")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_of(&r, "amount"), "Ce champ est obligatoire.");
        assert!(error_of(&r, "kind").starts_with("Choisissez"));
        assert!(app.store.cost_lines(s).await.unwrap().is_empty());
        let r = app
            .post(
                &mut c,
                &path,
                &[("kind", "fee"), ("amount", "150"), ("note", "Facture 12")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = text(&app.get(&mut c, &path).await);
        assert!(
            page.contains("Cachet de l'intervenant")
                && page.contains("150,00 €")
                && page.contains("160,00 €"),
            "{page}"
        );
        // 160 € for 20 people: 8 € each, on the speaker's record.
        let record = text(&app.get(&mut c, &format!("/staff/speakers/{sp}")).await);
        assert!(
            record.contains("8,00 € (160 € pour 20 participants"),
            "{record}"
        );
        let report = app
            .store
            .report(
                almanach_store::Scope::library(app.library_id),
                &almanach_domain::stats::Period::parse_season("2024-2025").unwrap(),
                false,
            )
            .await
            .unwrap();
        assert_eq!(report.total.cost_eur, 160.0);
        // Deleting a line is audited.
        let line = app.store.cost_lines(s).await.unwrap()[0].id;
        let r = app
            .post(&mut c, &format!("{path}/{line}/delete"), &[])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(app.store.cost_lines(s).await.unwrap().is_empty());
        let log = app
            .store
            .audit_log(app.library_id, Some(("cost_line", line)), 5)
            .await
            .unwrap();
        assert_eq!(
            log.iter().map(|l| l.action.as_str()).collect::<Vec<_>>(),
            ["delete", "create"]
        );
    }
);

http_test!(
    async fn mediators_see_costs_of_their_own_sessions_only_when_allowed(app: TestApp) {
        let mut m = app.signed_in(Role::Mediator).await;
        let me = app
            .store
            .list_staff(app.library_id)
            .await
            .unwrap()
            .into_iter()
            .find(|x| x.role == Role::Mediator)
            .unwrap()
            .id;
        let mine = session(&app, None, "2025-03-01", vec![me], vec![]).await;
        let other = session(&app, None, "2025-03-02", vec![], vec![]).await;
        let path = format!("/staff/sessions/{mine}/costs");
        assert_eq!(
            app.get(&mut m, &path).await.status,
            StatusCode::FORBIDDEN,
            "not allowed yet"
        );
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, "/staff/it/settings").await;
        app.post(
            &mut c,
            "/staff/it/settings",
            &[("it_lead_days", "5"), ("mediators_see_costs", "on")],
        )
        .await;
        let r = app.get(&mut m, &path).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            !r.body.contains("name=\"amount\""),
            "mediators read, coordinators write"
        );
        assert_eq!(
            app.get(&mut m, &format!("/staff/sessions/{other}/costs"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        let r = app
            .post(&mut m, &path, &[("kind", "fee"), ("amount", "10")])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(app.store.cost_lines(mine).await.unwrap().is_empty());
    }
);

http_test!(
    async fn budgets_planned_against_spent(app: TestApp) {
        let samedis = app
            .store
            .save_series(
                &actor(&app),
                &Series {
                    name: "Samedis de l'innovation".into(),
                    ..Series::default()
                },
            )
            .await
            .unwrap();
        let s = session(&app, Some(samedis), "2025-10-04", vec![], vec![]).await;
        app.store
            .set_session_cost(&actor(&app), s, 50_000)
            .await
            .unwrap();
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, "/staff/budgets?season=2025-2026").await;
        let fields = [
            ("season", "2025-2026"),
            ("series_id", &samedis.to_string()[..]),
            ("planned", "quatre cents"),
        ];
        let r = app.post(&mut c, "/staff/budgets", &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_of(&r, &format!("planned-{samedis}")).starts_with("Prix invalide"));
        assert!(r.body.contains("value=\"quatre cents\""));
        let fields = [
            ("season", "2025-2026"),
            ("series_id", &samedis.to_string()[..]),
            ("planned", "400"),
        ];
        assert_eq!(
            app.post(&mut c, "/staff/budgets", &fields).await.status,
            StatusCode::SEE_OTHER
        );
        // The direction reads budgets, without the form.
        let mut v = app.signed_in(Role::Viewer).await;
        let r = text(&app.get(&mut v, "/staff/budgets?season=2025-2026").await);
        assert!(
            r.contains("400,00 €")
                && r.contains("500,00 €")
                && r.contains("−100,00 € (dépassement)"),
            "{r}"
        );
        assert!(!r.contains("name=\"planned\""));
        assert_eq!(
            app.post(&mut v, "/staff/budgets", &fields).await.status,
            StatusCode::FORBIDDEN
        );
    }
);

http_test!(
    async fn a_session_ticks_the_tools_it_uses_and_carries_its_share(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, "/staff/tools/new").await;
        app.post(
            &mut c,
            "/staff/tools/new",
            &[
                ("name", "MidJourney"),
                ("cost", "30"),
                ("billing", "monthly"),
            ],
        )
        .await;
        let tool = app.store.tools(app.library_id).await.unwrap()[0].id;
        let a = session(&app, None, "2025-03-01", vec![], vec![]).await;
        let b = session(&app, None, "2025-03-08", vec![], vec![]).await;
        for s in [a, b] {
            let path = format!("/staff/sessions/{s}/costs");
            assert!(app.get(&mut c, &path).await.body.contains("MidJourney"));
            let id = tool.to_string();
            let r = app
                .post(
                    &mut c,
                    &format!("/staff/sessions/{s}/tools"),
                    &[("tool_ids", id.as_str()), ("tool_ids", id.as_str())],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        // 30 € in March over two sessions: 15 € each, shown as the session's share.
        let page = text(&app.get(&mut c, &format!("/staff/sessions/{b}/costs")).await);
        assert!(
            page.contains("15,00 €") && page.contains(" checked"),
            "{page}"
        );
        assert_eq!(
            app.store
                .tool(app.library_id, tool)
                .await
                .unwrap()
                .session_ids,
            vec![a.get(), b.get()]
        );
        let mut v = app.signed_in(Role::Viewer).await;
        app.get(&mut v, "/staff/tools").await;
        assert_eq!(
            app.post(&mut v, &format!("/staff/sessions/{a}/tools"), &[])
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(app.store.session_tools(a).await.unwrap(), vec![tool]);
    }
);
