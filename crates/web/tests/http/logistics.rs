//! Technical needs with IT, the IT board and readiness badges; the
//! speakers' directory, record and pipeline; and what each role may see:
//! IT and communication never see fees or private details.

use almanach_domain::attendance::Headcount;
use almanach_domain::calendar::paris;
use almanach_domain::ids::{EventId, SessionId};
use almanach_domain::logistics::NeedStatus;
use almanach_domain::speakers::{Fees, Profile, Stage};
use almanach_domain::staff::Role;
use almanach_store::{Actor, Event, Series, SessionWrite, Speaker, SpeakerRecord};
use axum::http::StatusCode;
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};

use crate::app::{Client, Response, TestApp};
use crate::http_test;

fn actor(app: &TestApp) -> Actor {
    Actor::system(app.library_id, "test")
}

/// The library-local date `days` from today.
fn day(days: i64) -> Date {
    jiff::Zoned::now()
        .with_time_zone(paris())
        .date()
        .checked_add(days.days())
        .unwrap()
}

fn write(event_id: EventId, d: Date, start: i8, end: i8) -> SessionWrite {
    SessionWrite {
        capacity: Some(20),
        ..almanach_store::testing::session_write(event_id, d, start, end)
    }
}

async fn event(app: &TestApp, title: &str, series_id: Option<i64>) -> EventId {
    let e = Event {
        series_id,
        ..almanach_store::testing::published(title)
    };
    app.store.save_event(&actor(app), &e).await.unwrap()
}

/// An event with one session on `d`, 14 h – 16 h; returns (event, session).
async fn session_on(app: &TestApp, title: &str, d: Date) -> (EventId, SessionId) {
    let e = event(app, title, None).await;
    let s = app
        .store
        .save_session(&actor(app), None, &write(e, d, 14, 16))
        .await
        .unwrap()
        .unwrap();
    (e, s)
}

async fn type_id(app: &TestApp, name: &str) -> i64 {
    app.store
        .need_types(app.library_id)
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == name)
        .unwrap()
        .id
}

/// The body as a reader sees it: askama escapes apostrophes and quotes.
fn text(r: &Response) -> String {
    r.body
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
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

/// The part of `body` from `start` to the next `end`.
fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let i = body
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in {body}"));
    let rest = &body[i..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The table row of `body` that mentions `what`.
fn row<'a>(body: &'a str, what: &str) -> &'a str {
    body.split("<tr")
        .find(|r| r.contains(what))
        .unwrap_or_else(|| panic!("no row with {what:?} in {body}"))
}

/// Adds a need through the session's page, as a coordinator would.
async fn add_need(
    app: &TestApp,
    c: &mut Client,
    session: SessionId,
    fields: &[(&str, &str)],
) -> Response {
    app.get(c, &format!("/staff/sessions/{session}/needs"))
        .await;
    app.post(c, &format!("/staff/sessions/{session}/needs"), fields)
        .await
}

// ---------------------------------------------------------------- needs and the IT board

http_test!(
    async fn it_sees_the_board_and_marks_needs_with_a_comment(app: TestApp) {
        let mut coord = app.signed_in(Role::Coordinator).await;
        // In two days: five IT working days before is already past, so late.
        let (_, s) = session_on(&app, "Atelier casques VR", day(2)).await;
        let vr = type_id(&app, "Casques de réalité virtuelle")
            .await
            .to_string();
        let r = add_need(
            &app,
            &mut coord,
            s,
            &[
                ("need_type_id", &vr),
                ("quantity", "6"),
                ("details", "Chargés la veille"),
                ("provider", ""),
            ],
        )
        .await;
        assert_eq!(
            (r.status, r.location()),
            (
                StatusCode::SEE_OTHER,
                format!("/staff/sessions/{s}/needs?done=created").as_str()
            )
        );
        let need = app
            .store
            .session_prep(app.library_id, s, day(0))
            .await
            .unwrap()
            .needs
            .pop()
            .unwrap();
        assert_eq!(
            (need.quantity, need.provider.slug(), need.status),
            (6, "it", NeedStatus::Requested),
            "the catalogue's provider by default"
        );

        let mut it = app.signed_in(Role::It).await;
        let board = app.get(&mut it, "/staff/it").await;
        assert_eq!(board.status, StatusCode::OK);
        let body = text(&board);
        let row = row(&body, "Atelier casques VR");
        assert!(
            row.contains("Casques de réalité virtuelle × 6") && row.contains("en retard"),
            "{row}"
        );
        // Filters: another provider hides it, late only keeps it.
        assert!(
            !text(&app.get(&mut it, "/staff/it?provider=team").await)
                .contains("Atelier casques VR")
        );
        assert!(
            text(&app.get(&mut it, "/staff/it?late=1&status=requested").await)
                .contains("Atelier casques VR")
        );
        assert!(
            !text(&app.get(&mut it, "/staff/it?status=ready").await).contains("Atelier casques VR")
        );

        // IT marks it ready from the board, with a comment.
        app.get(&mut it, "/staff/it").await;
        let r = app
            .post(
                &mut it,
                &format!("/staff/needs/{}/status", need.id),
                &[
                    ("status", "ready"),
                    ("comment", "Installés en salle 2"),
                    ("back", "board"),
                ],
            )
            .await;
        assert_eq!(
            (r.status, r.location()),
            (StatusCode::SEE_OTHER, "/staff/it?done=saved")
        );
        assert_eq!(
            app.store
                .need(app.library_id, need.id)
                .await
                .unwrap()
                .status,
            NeedStatus::Ready
        );
        let thread = app
            .store
            .need_comments(app.library_id, need.id)
            .await
            .unwrap();
        assert_eq!(
            (thread[0].author.as_str(), thread[0].body.as_str()),
            ("it@mediatheque.test", "Installés en salle 2")
        );
        let page = text(&app.get(&mut it, &format!("/staff/needs/{}", need.id)).await);
        assert!(
            page.contains("Installés en salle 2") && page.contains("prêt"),
            "{page}"
        );
        assert!(
            !page.contains("Supprimer ce besoin"),
            "IT does not edit needs"
        );

        // Checking on the day is the team's; IT may not add needs either.
        let r = app
            .post(
                &mut it,
                &format!("/staff/needs/{}/status", need.id),
                &[("status", "checked")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post(
                &mut it,
                &format!("/staff/sessions/{s}/needs"),
                &[("need_type_id", &vr)],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.store
                .need(app.library_id, need.id)
                .await
                .unwrap()
                .status,
            NeedStatus::Ready
        );

        // A move the rules refuse is told next to the status, and changes nothing.
        app.get(&mut coord, &format!("/staff/needs/{}", need.id))
            .await;
        let r = app
            .post(
                &mut coord,
                &format!("/staff/needs/{}/status", need.id),
                &[("status", "acknowledged")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            text(&r).contains("Ce besoin est à l'état « prêt »"),
            "{}",
            r.body
        );
        let r = app
            .post(
                &mut coord,
                &format!("/staff/needs/{}/status", need.id),
                &[("status", "checked")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let log = app
            .store
            .audit_log(app.library_id, Some(("need", need.id)), 10)
            .await
            .unwrap();
        assert_eq!(
            log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["status", "status", "create"]
        );
        // A viewer reads the board but has no status form.
        let mut v = app.signed_in(Role::Viewer).await;
        let b = app.get(&mut v, "/staff/it").await;
        assert_eq!(b.status, StatusCode::OK);
        assert!(!b.body.contains("/status\""), "no status form for a viewer");
    }
);

http_test!(
    async fn need_errors_are_shown_next_to_the_field_and_series_give_default_needs(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        let (_, s) = session_on(&app, "Rencontre", day(30)).await;
        let r = add_need(
            &app,
            &mut c,
            s,
            &[
                ("need_type_id", ""),
                ("quantity", "0"),
                ("due", "31/02/2030"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error_of(&r, "need_type_id"),
            "Choisissez une valeur dans la liste."
        );
        assert_eq!(
            error_of(&r, "quantity"),
            "La quantité doit être un nombre entier de 1 à 1000."
        );
        assert!(error_of(&r, "due").starts_with("Date invalide"));
        assert!(r.body.contains("value=\"0\""), "what was typed is kept");
        assert!(
            app.store
                .session_prep(app.library_id, s, day(0))
                .await
                .unwrap()
                .needs
                .is_empty()
        );

        // A series with default needs; a session created through the form receives them.
        let series = app
            .store
            .save_series(
                &actor(&app),
                &Series {
                    name: "Samedis de l'innovation".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let laptops = type_id(&app, "Ordinateurs portables").await.to_string();
        app.get(&mut c, &format!("/staff/series/{series}/needs"))
            .await;
        let r = app
            .post(
                &mut c,
                &format!("/staff/series/{series}/needs"),
                &[
                    ("need_type_id", &laptops),
                    ("quantity", "12"),
                    ("details", "Python installé"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let e = event(
            &app,
            "Samedi de l'innovation : coder avec l'IA",
            Some(series),
        )
        .await;
        app.get(&mut c, &format!("/staff/events/{e}/sessions/new"))
            .await;
        let d = day(40).to_string();
        let r = app
            .post(
                &mut c,
                &format!("/staff/events/{e}/sessions/new"),
                &[
                    ("kind", "workshop"),
                    ("date", &d),
                    ("start", "14:00"),
                    ("end", "16:00"),
                    ("registration", "free_entry"),
                    ("confirm_warnings", "on"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let sid = app
            .store
            .list_sessions(
                app.library_id,
                &almanach_store::SessionFilter {
                    event_id: Some(e),
                    ..Default::default()
                },
            )
            .await
            .unwrap()[0]
            .id;
        let page = text(
            &app.get(&mut c, &format!("/staff/sessions/{sid}/needs"))
                .await,
        );
        assert!(
            page.contains("Ordinateurs portables × 12") && page.contains("Python installé"),
            "{page}"
        );
        // A mediator cannot change a series' defaults.
        let mut m = app.signed_in(Role::Mediator).await;
        app.get(&mut m, &format!("/staff/series/{series}/needs"))
            .await;
        let r = app
            .post(
                &mut m,
                &format!("/staff/series/{series}/needs"),
                &[("need_type_id", &laptops)],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.store
                .series_needs(app.library_id, series)
                .await
                .unwrap()
                .len(),
            1
        );
    }
);

http_test!(
    async fn readiness_shows_on_the_dashboard_calendar_event_and_session_pages(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        let vp = type_id(&app, "Vidéoprojecteur").await.to_string();
        let (late_event, late) = session_on(&app, "Point de l'IA : images", day(2)).await;
        let (_, calm) = session_on(&app, "Point de l'IA : musique", day(21)).await;
        for s in [late, calm] {
            let r = add_need(&app, &mut c, s, &[("need_type_id", &vp)]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
        }
        let dash = text(&app.get(&mut c, "/staff").await);
        let block = between(&dash, "id=\"prep-h\"", "</section>");
        assert!(
            block.contains("Point de l'IA : images") && block.contains("en retard"),
            "{block}"
        );
        assert!(
            !block.contains("Point de l'IA : musique"),
            "on track, not worrying: {block}"
        );
        assert!(
            dash.contains("en préparation"),
            "the day list shows the calm one's badge"
        );

        let month = day(2).to_string()[..7].to_string();
        let cal = app
            .get(&mut c, &format!("/staff/calendar?month={month}"))
            .await
            .body;
        assert!(cal.contains("ready-late"), "a badge on the calendar item");
        let week = text(
            &app.get(&mut c, &format!("/staff/calendar/week?date={}", day(2)))
                .await,
        );
        assert!(week.contains("Préparation technique : en retard"), "{week}");
        let ev = text(
            &app.get(&mut c, &format!("/staff/events/{late_event}"))
                .await,
        );
        assert!(
            ev.contains(&format!("/staff/sessions/{late}/needs")) && ev.contains("en retard"),
            "{ev}"
        );
        let form = text(&app.get(&mut c, &format!("/staff/sessions/{late}")).await);
        assert!(
            form.contains(&format!("/staff/sessions/{late}/needs")) && form.contains("en retard")
        );
        // Once ready, the dashboard no longer worries.
        let need = app
            .store
            .session_prep(app.library_id, late, day(0))
            .await
            .unwrap()
            .needs[0]
            .id;
        app.store
            .set_need_status(&actor(&app), need, NeedStatus::Ready, "")
            .await
            .unwrap()
            .unwrap();
        let dash = text(&app.get(&mut c, "/staff").await);
        // Unless IT is away that day (a weekend, a holiday): then the team's test without IT is still due.
        let block = between(&dash, "id=\"prep-h\"", "</section>");
        let without_it = app
            .store
            .session_prep(app.library_id, late, day(0))
            .await
            .unwrap()
            .deadline
            .without_it;
        assert_eq!(
            block.contains("Point de l'IA : images"),
            without_it,
            "{block}"
        );
    }
);

http_test!(
    async fn a_sunday_session_asks_the_team_to_test_without_it(app: TestApp) {
        let mut c = app.signed_in(Role::Mediator).await;
        let mut sunday = day(20);
        while sunday.weekday() != Weekday::Sunday {
            sunday = sunday.checked_add(1.day()).unwrap();
        }
        let (_, s) = session_on(&app, "Dimanche de l'innovation", sunday).await;
        let vp = type_id(&app, "Vidéoprojecteur").await.to_string();
        add_need(&app, &mut c, s, &[("need_type_id", &vp)]).await;
        let page = text(&app.get(&mut c, &format!("/staff/sessions/{s}/needs")).await);
        assert!(
            page.contains("La DSI n'est pas présente pendant cette séance"),
            "{page}"
        );
        let last = app
            .store
            .session_prep(app.library_id, s, day(0))
            .await
            .unwrap()
            .deadline
            .last_it_day;
        assert!(last < sunday && last.weekday() != Weekday::Saturday);
        assert!(
            page.contains(&almanach_domain::fmt::day_with_year(
                last,
                almanach_domain::Lang::Fr
            )),
            "IT's last day before it"
        );
        let r = app
            .post(
                &mut c,
                &format!("/staff/sessions/{s}/tested-without-it"),
                &[("tested", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = text(&app.get(&mut c, &format!("/staff/sessions/{s}/needs")).await);
        assert!(
            page.contains("Testé sans la DSI par mediator@mediatheque.test"),
            "{page}"
        );
        // IT cannot record the team's test.
        let mut it = app.signed_in(Role::It).await;
        app.get(&mut it, &format!("/staff/sessions/{s}/needs"))
            .await;
        let r = app
            .post(
                &mut it,
                &format!("/staff/sessions/{s}/tested-without-it"),
                &[("tested", "no")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(
            app.store
                .session_prep(app.library_id, s, day(0))
                .await
                .unwrap()
                .tested_without_it
                .is_some()
        );
    }
);

http_test!(
    async fn settings_and_the_catalogue_are_for_coordinators(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, "/staff/it/settings").await;
        let r = app
            .post(
                &mut c,
                "/staff/it/settings",
                &[
                    ("it_hours", "samedi 9h-12h"),
                    ("it_lead_days", "0"),
                    ("postcode", "932"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_of(&r, "it_hours").contains("du lundi au vendredi"));
        assert!(error_of(&r, "it_lead_days").contains("de 1 à 30"));
        assert!(error_of(&r, "postcode").starts_with("Code postal invalide"));
        let r = app
            .post(
                &mut c,
                "/staff/it/settings",
                &[
                    ("it_hours", "lun 8h-16h\nmar 8h-16h"),
                    ("it_lead_days", "3"),
                    ("postcode", "93200"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let v = app.store.logistics_settings(app.library_id).await.unwrap();
        assert_eq!(
            (v.it_hours.as_str(), v.it_lead_days, v.postcode.as_str()),
            ("lundi 08:00-16:00\nmardi 08:00-16:00", 3, "93200")
        );
        // The catalogue: a new type, a taken name refused.
        app.get(&mut c, "/staff/it/catalogue/new").await;
        let r = app
            .post(
                &mut c,
                "/staff/it/catalogue/new",
                &[
                    ("name", "Fond vert"),
                    ("provider", "rental"),
                    ("active", "on"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = app
            .post(
                &mut c,
                "/staff/it/catalogue/new",
                &[("name", "Fond vert"), ("provider", "rental")],
            )
            .await;
        assert_eq!(error_of(&r, "name"), "Ce nom est déjà utilisé.");
        assert!(text(&app.get(&mut c, "/staff/it/catalogue").await).contains("Fond vert"));
        for role in [Role::Mediator, Role::It] {
            let mut x = app.signed_in(role).await;
            assert_eq!(
                app.get(&mut x, "/staff/it/settings").await.status,
                StatusCode::FORBIDDEN,
                "{role:?}"
            );
            app.get(&mut x, "/staff/it/catalogue").await;
            let r = app
                .post(
                    &mut x,
                    "/staff/it/catalogue/new",
                    &[("name", "Pirate"), ("provider", "it")],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
        }
    }
);

// ---------------------------------------------------------------- speakers

/// A speaker with contacts, fees and invoicing details.
async fn rich_speaker(app: &TestApp) -> i64 {
    let rec = SpeakerRecord {
        speaker: Speaker {
            name: "Léa Fontaine".into(),
            email: "lea@fontaine.fr".into(),
            phone: "06 11 22 33 44".into(),
            notes: "Négocier le tarif".into(),
            ..Default::default()
        },
        profile: Profile {
            town: "Montreuil".into(),
            postcode: "93100".into(),
            categories: vec!["image".into()],
            fees: Fees {
                talk: Some(48_700),
                workshop: None,
                day: None,
            },
            siret: "44306184100047".into(),
            ..Default::default()
        },
    };
    app.store
        .save_speaker_record(&actor(app), &rec)
        .await
        .unwrap()
}

http_test!(
    async fn it_and_communication_never_see_fees_or_private_details(app: TestApp) {
        let lea = rich_speaker(&app).await;
        let (_, s) = session_on(&app, "Rencontre illustration", day(10)).await;
        let mut w = write(
            app.store.session(app.library_id, s).await.unwrap().event_id,
            day(10),
            14,
            16,
        );
        w.speaker_ids = vec![lea];
        app.store
            .save_session(&actor(&app), Some(s), &w)
            .await
            .unwrap()
            .unwrap();
        let private = [
            "lea@fontaine.fr",
            "06 11 22 33 44",
            "44306184100047",
            "Négocier le tarif",
        ];
        for role in [Role::It, Role::Communication, Role::Viewer] {
            let mut x = app.signed_in(role).await;
            for path in [
                "/staff/speakers".to_string(),
                format!("/staff/speakers/{lea}"),
                "/staff/it".into(),
                "/staff/calendar".into(),
                "/staff".into(),
            ] {
                let r = app.get(&mut x, &path).await;
                assert_eq!(r.status, StatusCode::OK, "{role:?} {path}");
                let b = text(&r);
                for p in private {
                    assert!(!b.contains(p), "{role:?} sees {p} on {path}");
                }
                assert!(!b.contains("487 €"), "{role:?} sees the fee on {path}");
            }
            let b = text(&app.get(&mut x, &format!("/staff/speakers/{lea}")).await);
            assert!(
                b.contains("Léa Fontaine") && b.contains("Rencontre illustration"),
                "the public side of the record stays"
            );
            for path in [
                "/staff/speakers/pipeline".to_string(),
                format!("/staff/speakers/{lea}/edit"),
                "/staff/audit".into(),
            ] {
                assert_eq!(
                    app.get(&mut x, &path).await.status,
                    StatusCode::FORBIDDEN,
                    "{role:?} {path}"
                );
            }
        }
        // A mediator sees contacts, and fees only when the library allows.
        let mut m = app.signed_in(Role::Mediator).await;
        let b = text(&app.get(&mut m, &format!("/staff/speakers/{lea}")).await);
        assert!(b.contains("lea@fontaine.fr") && !b.contains("487 €"), "{b}");
        let mut coord = app.signed_in(Role::Coordinator).await;
        let b = text(&app.get(&mut coord, &format!("/staff/speakers/{lea}")).await);
        assert!(b.contains("487 €") && b.contains("44306184100047"));
        app.get(&mut coord, "/staff/it/settings").await;
        let r = app
            .post(
                &mut coord,
                "/staff/it/settings",
                &[("it_lead_days", "5"), ("mediators_see_costs", "on")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(text(&app.get(&mut m, &format!("/staff/speakers/{lea}")).await).contains("487 €"));
        assert!(text(&app.get(&mut m, "/staff/speakers").await).contains("à partir de 487 €"));
        // The API's directory follows the same rule: an IT token gets no contacts.
        for (role, sees) in [
            (Role::It, false),
            (Role::Communication, false),
            (Role::Coordinator, true),
        ] {
            let email = format!("api-{}@mediatheque.test", role.slug());
            let staff_id = app.add_staff(&email, role).await;
            let secret = format!("secret-{staff_id}");
            let who = Actor {
                library_id: app.library_id,
                staff_id: Some(staff_id),
                label: email,
            };
            app.store
                .create_api_token(&who, "jeton", role, &almanach_web::sha256_hex(&secret))
                .await
                .unwrap();
            let r = app
                .api("GET", "/api/v1/speakers", Some(&secret), None)
                .await;
            assert_eq!(r.status, StatusCode::OK);
            let j = r.json();
            assert_eq!(j[0]["name"], "Léa Fontaine");
            assert_eq!(j[0]["email"] == "lea@fontaine.fr", sees, "{role:?}: {j}");
            assert_eq!(j[0]["notes"] == "Négocier le tarif", sees, "{role:?}: {j}");
        }
    }
);

http_test!(
    async fn the_directory_derives_regions_checks_sirets_and_filters(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, "/staff/it/settings").await;
        app.post(
            &mut c,
            "/staff/it/settings",
            &[("it_lead_days", "5"), ("postcode", "93200")],
        )
        .await;
        app.get(&mut c, "/staff/speakers/new").await;
        let r = app
            .post(
                &mut c,
                "/staff/speakers/new",
                &[
                    ("name", "Fab lab"),
                    ("kind", "organisation"),
                    ("siret", "443 061 841 00048"),
                    ("postcode", "9310"),
                    ("fee_talk", "trois cents"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_of(&r, "siret").starts_with("Ce SIRET est invalide"));
        assert!(error_of(&r, "postcode").starts_with("Code postal invalide"));
        assert!(error_of(&r, "fee_talk").starts_with("Prix invalide"));
        assert!(
            app.store
                .list_speakers(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
        let r = app
            .post(
                &mut c,
                "/staff/speakers/new",
                &[
                    ("name", "Fab lab"),
                    ("kind", "organisation"),
                    ("siret", "443 061 841 00047"),
                    ("postcode", "93100"),
                    ("town", "Montreuil"),
                    ("categories", "code"),
                    ("formats", "workshop"),
                    ("fee_workshop", "250"),
                ],
            )
            .await;
        assert_eq!(r.location(), "/staff/speakers?done=created");
        let r = app
            .post(
                &mut c,
                "/staff/speakers/new",
                &[
                    ("name", "Ada Lyon"),
                    ("postcode", "69001"),
                    ("categories", "image"),
                    ("categories", "son"),
                    ("fee_talk", "600"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let all = app
            .store
            .speaker_summaries(app.library_id, "93200")
            .await
            .unwrap();
        assert_eq!(all[1].record.profile.siret, "44306184100047");
        assert_eq!(all[0].record.profile.categories, ["image", "son"]);

        let list = text(&app.get(&mut c, "/staff/speakers").await);
        assert!(row(&list, "Fab lab").contains(">local<"));
        assert!(row(&list, "Ada Lyon").contains("ailleurs en France"));
        assert!(row(&list, "Ada Lyon").contains("jamais programmé"));
        let names = |b: &str| (b.contains("Fab lab"), b.contains("Ada Lyon"));
        assert_eq!(
            names(&text(
                &app.get(&mut c, "/staff/speakers?region=local").await
            )),
            (true, false)
        );
        assert_eq!(
            names(&text(
                &app.get(&mut c, "/staff/speakers?category=son").await
            )),
            (false, true)
        );
        assert_eq!(
            names(&text(&app.get(&mut c, "/staff/speakers?max_fee=300").await)),
            (true, false)
        );
        assert_eq!(
            names(&text(
                &app.get(&mut c, "/staff/speakers?booking=never").await
            )),
            (true, true)
        );
        assert_eq!(
            names(&text(
                &app.get(&mut c, "/staff/speakers?min_rating=3").await
            )),
            (false, false)
        );
        // Communication cannot filter by fee: the filter is ignored, not revealing.
        let mut com = app.signed_in(Role::Communication).await;
        assert_eq!(
            names(&text(
                &app.get(&mut com, "/staff/speakers?max_fee=300").await
            )),
            (true, true)
        );
        // Editing keeps the profile and goes back to the record.
        let fab = all[1].record.speaker.id;
        let form = text(
            &app.get(&mut c, &format!("/staff/speakers/{fab}/edit"))
                .await,
        );
        assert!(
            form.contains("value=\"250\"") && form.contains("value=\"44306184100047\""),
            "{form}"
        );
        let r = app
            .post(
                &mut c,
                &format!("/staff/speakers/{fab}"),
                &[
                    ("name", "Fab lab de Montreuil"),
                    ("kind", "organisation"),
                    ("postcode", "93100"),
                    ("fee_workshop", "275"),
                ],
            )
            .await;
        assert_eq!(r.location(), format!("/staff/speakers/{fab}?done=saved"));
        assert_eq!(
            app.store
                .speaker_record(app.library_id, fab)
                .await
                .unwrap()
                .profile
                .fees
                .workshop,
            Some(27_500)
        );
    }
);

http_test!(
    async fn a_speakers_record_shows_attendance_fill_rate_and_the_teams_rating(app: TestApp) {
        let lea = rich_speaker(&app).await;
        let e = event(&app, "Samedi de l'innovation : illustrer avec l'IA", None).await;
        let mut w = write(e, day(-30), 14, 16);
        w.speaker_ids = vec![lea];
        let past = app
            .store
            .save_session(&actor(&app), None, &w)
            .await
            .unwrap()
            .unwrap();
        app.store
            .set_headcount(
                &actor(&app),
                past,
                &Headcount::new(Some(15), Some(3), None, None).unwrap(),
            )
            .await
            .unwrap();
        let mut m = app.signed_in(Role::Mediator).await;
        let page = text(&app.get(&mut m, &format!("/staff/speakers/{lea}")).await);
        let r15 = row(&page, "illustrer avec l'IA");
        assert!(r15.contains(">15<") && r15.contains("75 %"), "{r15}");
        let r = app
            .post(
                &mut m,
                &format!("/staff/speakers/{lea}/ratings"),
                &[("session_id", &past.to_string()), ("rating", "9")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text(&r).contains("Choisissez une note de 1 à 5."));
        let r = app
            .post(
                &mut m,
                &format!("/staff/speakers/{lea}/ratings"),
                &[
                    ("session_id", &past.to_string()),
                    ("rating", "4"),
                    ("comment", "Public conquis"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = text(&app.get(&mut m, &format!("/staff/speakers/{lea}")).await);
        assert!(
            page.contains("4 / 5") && page.contains("Public conquis") && page.contains("4,0 / 5"),
            "{page}"
        );
        // The rating is the team's: a viewer sees the attendance, not the rating.
        let mut v = app.signed_in(Role::Viewer).await;
        let page = text(&app.get(&mut v, &format!("/staff/speakers/{lea}")).await);
        assert!(page.contains("75 %") && !page.contains("Public conquis"));
        let log = app
            .store
            .audit_log(app.library_id, Some(("speaker", lea)), 5)
            .await
            .unwrap();
        assert_eq!(log[0].action, "rate");
    }
);

http_test!(
    async fn the_pipeline_moves_cards_one_step_and_follow_ups_reach_the_dashboard(app: TestApp) {
        let lea = rich_speaker(&app).await;
        let e = event(&app, "Samedi de l'innovation de mars", None).await;
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, &format!("/staff/speakers/{lea}")).await;
        let r = app
            .post(
                &mut c,
                &format!("/staff/speakers/{lea}/prospects"),
                &[
                    ("project", "IA et illustration"),
                    ("event_id", &e.to_string()),
                    ("next_action", "Relancer"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error_of(&r, "next_action_on"),
            "Donnez une date à la prochaine action."
        );
        let soon = day(3).to_string();
        let r = app
            .post(
                &mut c,
                &format!("/staff/speakers/{lea}/prospects"),
                &[
                    ("project", "IA et illustration"),
                    ("event_id", &e.to_string()),
                    ("next_action", "Relancer par téléphone"),
                    ("next_action_on", &soon),
                ],
            )
            .await;
        assert_eq!(r.location(), format!("/staff/speakers/{lea}?done=created"));
        let p = app
            .store
            .prospects(app.library_id, Some(lea))
            .await
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!((p.stage, p.event_id), (Stage::ToContact, Some(e.get())));

        let board = text(&app.get(&mut c, "/staff/speakers/pipeline").await);
        for column in [
            "à contacter",
            "contacté",
            "proposition envoyée",
            "dates convenues",
            "convention signée",
            "intervention réalisée",
            "payé",
            "évalué",
            "refusé",
            "plus tard",
        ] {
            assert!(
                board.contains(&format!("{column} <span class=\"badge\">")),
                "column {column}"
            );
        }
        assert!(between(&board, "à contacter <span", "</section>").contains("IA et illustration"));
        let r = app
            .post(
                &mut c,
                &format!("/staff/prospects/{}/move", p.id),
                &[
                    ("stage", "contacted"),
                    ("on", "2025-02-03"),
                    ("note", "Premier appel"),
                    ("back", "board"),
                ],
            )
            .await;
        assert_eq!(r.location(), "/staff/speakers/pipeline?done=saved");
        let board = text(&app.get(&mut c, "/staff/speakers/pipeline").await);
        assert!(between(&board, "contacté <span", "</section>").contains("IA et illustration"));
        // Skipping a step is refused and says where the project stands.
        app.get(&mut c, &format!("/staff/prospects/{}", p.id)).await;
        let r = app
            .post(
                &mut c,
                &format!("/staff/prospects/{}/move", p.id),
                &[("stage", "agreement_signed"), ("note", "Trop vite")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_of(&r, "stage").contains("à l'étape « contacté »"));
        assert!(text(&r).contains("Trop vite"), "the note typed is kept");
        let steps = app
            .store
            .prospect_steps(app.library_id, p.id)
            .await
            .unwrap();
        assert_eq!(
            steps
                .iter()
                .map(|s| (s.stage, s.note.as_str()))
                .collect::<Vec<_>>(),
            [(Stage::ToContact, ""), (Stage::Contacted, "Premier appel")]
        );
        let page = text(&app.get(&mut c, &format!("/staff/prospects/{}", p.id)).await);
        assert!(
            page.contains("Premier appel") && page.contains("lundi 3 février 2025"),
            "{page}"
        );

        // The table view and the filters.
        let table = text(&app.get(&mut c, "/staff/speakers/pipeline?view=table").await);
        assert!(row(&table, "IA et illustration").contains("contacté"));
        assert!(
            !text(
                &app.get(&mut c, "/staff/speakers/pipeline?view=table&region=abroad")
                    .await
            )
            .contains("IA et illustration")
        );
        assert!(
            text(
                &app.get(&mut c, "/staff/speakers/pipeline?view=table&booking=never")
                    .await
            )
            .contains("IA et illustration")
        );

        // The follow-up is on the coordinator's dashboard, not the mediator's.
        let dash = text(&app.get(&mut c, "/staff").await);
        assert!(between(&dash, "id=\"follow-h\"", "</section>").contains("Relancer par téléphone"));
        let mut m = app.signed_in(Role::Mediator).await;
        assert!(!text(&app.get(&mut m, "/staff").await).contains("Relancer par téléphone"));
        // A mediator reads the pipeline but does not move cards.
        let b = app.get(&mut m, "/staff/speakers/pipeline").await;
        assert_eq!(b.status, StatusCode::OK);
        assert!(!b.body.contains("/move\""));
        let r = app
            .post(
                &mut m,
                &format!("/staff/prospects/{}/move", p.id),
                &[("stage", "proposal_sent")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Clearing the next action takes it off the dashboard.
        app.get(&mut c, &format!("/staff/prospects/{}", p.id)).await;
        let r = app
            .post(
                &mut c,
                &format!("/staff/prospects/{}/next", p.id),
                &[("next_action", ""), ("next_action_on", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(!text(&app.get(&mut c, "/staff").await).contains("Relancer par téléphone"));
        let log = app
            .store
            .audit_log(app.library_id, Some(("prospect", p.id)), 10)
            .await
            .unwrap();
        assert_eq!(
            log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["next_action", "move", "create"]
        );
    }
);

http_test!(
    async fn the_weekly_digest_page_sets_when_and_to_whom_and_sends_it_now(app: TestApp) {
        use almanach_domain::Lang;
        use almanach_store::{MailKind, OutboxFilter};
        let digests = || async {
            app.store
                .outbox(
                    app.library_id,
                    &OutboxFilter {
                        kind: Some(MailKind::ItDigest),
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
        };
        let mut c = app.signed_in(Role::Coordinator).await;
        let page = text(&app.get(&mut c, "/staff/it/digest").await);
        assert!(page.contains("Envoyé chaque lundi à 8 h"), "{page}");
        assert!(page.contains("Personne ne reçoit le récapitulatif"));
        // Sent now to nobody: said, nothing enqueued.
        let r = app.post(&mut c, "/staff/it/digest/send", &[]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(text(&r).contains("Personne ne recevrait le récapitulatif"));
        assert!(digests().await.is_empty());

        // Every problem at once, next to its field, and nothing saved.
        let r = app
            .post(
                &mut c,
                "/staff/it/digest",
                &[
                    ("enabled", "on"),
                    ("digest_weekday", "8"),
                    ("digest_hour", "25"),
                    ("extra_to", "dsi@ville.test\nsupport.ville.test"),
                    ("lang", "de"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error_of(&r, "digest_weekday"),
            "Choisissez un jour de la semaine."
        );
        assert_eq!(error_of(&r, "digest_hour"), "Indiquez une heure de 0 à 23.");
        assert_eq!(
            error_of(&r, "extra_to"),
            "Ligne 2 : « support.ville.test » n'est pas une adresse e-mail."
        );
        assert_eq!(error_of(&r, "lang"), "Choisissez le français ou l'anglais.");
        assert!(
            text(&r).contains("dsi@ville.test\nsupport.ville.test</textarea>"),
            "what was typed stays"
        );
        let s = app.store.digest_settings(app.library_id).await.unwrap();
        assert!(s.extra_to.is_empty() && s.schedule.weekday == 1);

        let r = app
            .post(
                &mut c,
                "/staff/it/digest",
                &[
                    ("enabled", "on"),
                    ("digest_weekday", "5"),
                    ("digest_hour", "16 h"),
                    ("extra_to", "Service informatique <DSI@ville.test>"),
                    ("lang", "en"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let s = app.store.digest_settings(app.library_id).await.unwrap();
        assert_eq!(
            (
                s.schedule.weekday,
                s.schedule.hour,
                s.extra_to.as_slice(),
                s.lang
            ),
            (5, 16, ["dsi@ville.test".to_string()].as_slice(), Lang::En)
        );
        app.add_staff("yann.it@mediatheque.test", Role::It).await;
        let page = text(&app.get(&mut c, "/staff/it/digest").await);
        assert!(page.contains("Envoyé chaque vendredi à 16 h"), "{page}");
        assert!(
            page.contains("yann.it <yann.it@mediatheque.test>"),
            "{page}"
        );
        assert!(!page.contains("Personne ne reçoit"));

        // Sent now: one message per recipient, listed on the page.
        let r = app.post(&mut c, "/staff/it/digest/send", &[]).await;
        assert_eq!(
            (r.status, r.location()),
            (StatusCode::SEE_OTHER, "/staff/it/digest?done=queued")
        );
        let mut to: Vec<String> = digests().await.into_iter().map(|m| m.recipient).collect();
        to.sort();
        assert_eq!(to, ["dsi@ville.test", "yann.it@mediatheque.test"]);
        let page = text(&app.get(&mut c, "/staff/it/digest?done=queued").await);
        assert!(page.contains("Les derniers messages") && page.contains("Pas encore rédigé"));

        // Turned off.
        let r = app
            .post(
                &mut c,
                "/staff/it/digest",
                &[
                    ("digest_weekday", "5"),
                    ("digest_hour", "16"),
                    ("extra_to", ""),
                    ("lang", "fr"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            !app.store
                .digest_settings(app.library_id)
                .await
                .unwrap()
                .enabled
        );
        let page = text(&app.get(&mut c, "/staff/it/digest").await);
        assert!(page.contains("Le récapitulatif est désactivé"));

        // Only those who set things up.
        for role in [Role::Mediator, Role::It, Role::Communication] {
            let mut other = app.signed_in(role).await;
            assert_eq!(
                app.get(&mut other, "/staff/it/digest").await.status,
                StatusCode::FORBIDDEN
            );
            app.get(&mut other, "/staff").await;
            let r = app.post(&mut other, "/staff/it/digest/send", &[]).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
        }
        assert_eq!(digests().await.len(), 2);
    }
);
