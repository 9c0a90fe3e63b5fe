//! Events, sessions, the calendar and the dashboard: forms with their errors
//! next to the fields, room clashes, calendar warnings, roles, the audit
//! trail, duplication to next month, and what the calendar and dashboard show.

use almanach_domain::calendar::{local_to_instant, paris, parse_date, parse_time};
use almanach_domain::ids::{EventId, SessionId};
use almanach_domain::programme::{EventStatus, RegistrationPolicy, SessionKind};
use almanach_domain::staff::Role;
use almanach_store::{Actor, Event, Room, Series, SessionFilter, SessionWrite, Theme};
use axum::http::StatusCode;
use jiff::ToSpan;

use crate::app::TestApp;
use crate::http_test;

fn actor(app: &TestApp) -> Actor {
    Actor::system(app.library_id, "test")
}

/// Unix seconds of a Paris wall-clock time.
fn at(date: &str, time: &str) -> i64 {
    local_to_instant(
        &paris(),
        parse_date(date).unwrap(),
        parse_time(time).unwrap(),
    )
    .unwrap()
    .as_second()
}

async fn room(app: &TestApp, name: &str) -> i64 {
    app.store
        .save_room(
            &actor(app),
            &Room {
                name: name.into(),
                capacity: Some(40),
                ..Default::default()
            },
        )
        .await
        .unwrap()
}

async fn series(app: &TestApp, name: &str, colour: &str) -> i64 {
    let s = Series {
        name: name.into(),
        default_kind: SessionKind::Workshop,
        duration_minutes: Some(90),
        capacity: Some(12),
        age_min: Some(10),
        registration_policy: RegistrationPolicy::WorkshopsOnly,
        colour: colour.into(),
        ..Default::default()
    };
    app.store.save_series(&actor(app), &s).await.unwrap()
}

async fn event(app: &TestApp, title: &str, series_id: Option<i64>) -> EventId {
    let e = Event {
        series_id,
        description: "Une après-midi pour découvrir.".into(),
        status: EventStatus::Draft,
        ..almanach_store::testing::published(title)
    };
    app.store.save_event(&actor(app), &e).await.unwrap()
}

/// A session straight into the store, at Paris wall-clock times.
async fn session(
    app: &TestApp,
    event_id: EventId,
    room_id: Option<i64>,
    date: &str,
    start: &str,
    end: &str,
) -> SessionId {
    let w = SessionWrite {
        kind: SessionKind::Talk,
        local_date: date.into(),
        room_id,
        capacity: Some(30),
        ..almanach_store::testing::session_at(event_id, at(date, start), at(date, end))
    };
    app.store
        .save_session(&actor(app), None, &w)
        .await
        .unwrap()
        .unwrap()
}

async fn sessions_of(app: &TestApp, event_id: EventId) -> Vec<almanach_store::Session> {
    let f = SessionFilter {
        event_id: Some(event_id),
        include_cancelled: true,
        ..Default::default()
    };
    app.store.list_sessions(app.library_id, &f).await.unwrap()
}

/// A valid session form for 18 January 2025 (a Saturday, no holiday), 14 h – 15 h 30.
fn good_session() -> Fields {
    [
        ("kind", "workshop"),
        ("date", "2025-01-18"),
        ("start", "14:00"),
        ("end", "15:30"),
        ("capacity", "12"),
        ("registration", "required"),
        ("attendance", "in_person"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_string()))
    .collect()
}

/// Form fields as posted.
type Fields = Vec<(&'static str, String)>;
/// Fields changed from a good form.
type Changes = &'static [(&'static str, &'static str)];

/// `base` with some fields replaced or added.
fn with(base: &[(&'static str, String)], changes: &[(&'static str, &str)]) -> Fields {
    let mut v: Fields = base
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .cloned()
        .collect();
    v.extend(changes.iter().map(|(k, val)| (*k, val.to_string())));
    v
}

/// Text as askama escapes it in a page.
fn html(s: &str) -> String {
    s.replace('\'', "&#39;")
}

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    v.iter().map(|(k, val)| (*k, val.as_str())).collect()
}

http_test!(
    async fn an_editor_creates_an_event_and_a_session_through_the_forms(app: TestApp) {
        let series_id = series(&app, "Samedis de l'innovation", "#c0392b").await;
        let room_id = room(&app, "Auditorium").await;
        let theme_id = app
            .store
            .save_theme(
                &actor(&app),
                &Theme {
                    title: "Créer des images".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let mut c = app.signed_in(Role::Mediator).await;

        // The event: a picture that is not https or local is refused next to its field.
        app.get(&mut c, "/staff/events/new").await;
        let sid = series_id.to_string();
        let fields = [
            ("title", "IA et création"),
            ("series_id", sid.as_str()),
            ("status", "draft"),
            ("picture_url", "javascript:alert(1)"),
        ];
        let r = app.post(&mut c, "/staff/events/new", &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains(&html(
                "id=\"e-picture_url\">L'adresse de l'image doit commencer par https://"
            )),
            "{}",
            r.body
        );
        assert!(
            app.store
                .list_events(app.library_id, None, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let fields = [
            ("title", "IA et création"),
            ("series_id", sid.as_str()),
            ("status", "draft"),
            ("picture_url", "/media/affiche.jpg"),
        ];
        let r = app.post(&mut c, "/staff/events/new", &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let events = app
            .store
            .list_events(app.library_id, None, 10)
            .await
            .unwrap();
        let e = &events[0];
        assert_eq!(
            (e.title.as_str(), e.series_id, e.status),
            ("IA et création", Some(series_id), EventStatus::Draft)
        );
        assert_eq!(r.location(), format!("/staff/events/{}?done=created", e.id));

        // The new session form carries the series' defaults.
        let r = app
            .get(&mut c, &format!("/staff/events/{}/sessions/new", e.id))
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("<option value=\"workshop\" selected>"),
            "kind from the series"
        );
        assert!(
            r.body
                .contains("name=\"end\" type=\"time\" value=\"15:30\""),
            "14 h + 90 min: {}",
            r.body
        );
        assert!(
            r.body
                .contains("name=\"capacity\" type=\"number\" value=\"12\"")
        );
        assert!(
            r.body.contains("value=\"required\" checked"),
            "workshops of this series take registrations"
        );

        let room_s = room_id.to_string();
        let theme_s = theme_id.to_string();
        let form = with(
            &good_session(),
            &[
                ("room_id", &room_s),
                ("themes", &theme_s),
                ("price", "7,50"),
                ("age_min", "10"),
            ],
        );
        let r = app
            .post(
                &mut c,
                &format!("/staff/events/{}/sessions/new", e.id),
                &pairs(&form),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let s = &sessions_of(&app, e.id).await[0];
        // 14 h in Paris in January is 13 h UTC.
        assert_eq!(s.starts_at, 1_737_205_200);
        assert_eq!(s.ends_at - s.starts_at, 90 * 60);
        assert_eq!(
            (s.local_date.as_str(), s.room_id, s.price_cents, s.capacity),
            ("2025-01-18", Some(room_id), 750, Some(12))
        );
        assert_eq!(
            (s.kind, s.registration_required, s.age_min),
            (SessionKind::Workshop, true, Some(10))
        );
        assert_eq!(s.theme_ids, vec![theme_id]);

        let r = app
            .get(&mut c, &format!("/staff/events/{}?done=created", e.id))
            .await;
        assert!(
            r.body.contains("samedi 18 janvier 2025, 14 h – 15 h 30"),
            "{}",
            r.body
        );
        assert!(r.body.contains("Auditorium") && r.body.contains("sur inscription, 12 places"));

        // Editing keeps what was stored and saves changes.
        let path = format!("/staff/sessions/{}", s.id);
        let r = app.get(&mut c, &path).await;
        assert!(r.body.contains("value=\"7,50\"") && r.body.contains("value=\"2025-01-18\""));
        let form = with(&form, &[("end", "16:00")]);
        let r = app.post(&mut c, &path, &pairs(&form)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            app.store
                .session(app.library_id, s.id)
                .await
                .unwrap()
                .ends_at,
            at("2025-01-18", "16:00")
        );
    }
);

http_test!(
    async fn each_session_error_is_shown_next_to_its_field_and_nothing_is_saved(app: TestApp) {
        let event_id = event(&app, "Atelier photo", None).await;
        let mut c = app.signed_in(Role::Coordinator).await;
        let path = format!("/staff/events/{event_id}/sessions/new");
        let cases: [(Changes, &str, &str); 5] = [
            (
                &[("end", "13:00")],
                "end",
                "La fin doit être après le début.",
            ),
            (
                &[("age_min", "10"), ("age_max", "4")],
                "age_max",
                "L'âge maximum doit être supérieur ou égal",
            ),
            (
                &[("capacity", "")],
                "capacity",
                "Une séance sur inscription a besoin d'une jauge",
            ),
            (&[("date", "31/02/2025")], "date", "Date invalide"),
            (&[("price", "sept euros")], "price", "Prix invalide"),
        ];
        for (changes, field, message) in cases {
            app.get(&mut c, &path).await;
            let form = with(&good_session(), changes);
            let r = app.post(&mut c, &path, &pairs(&form)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
            assert!(
                r.body
                    .contains(&html(&format!("id=\"e-{field}\">{message}"))),
                "{field}: {}",
                r.body
            );
            assert!(
                r.body.contains(&format!("aria-describedby=\"e-{field}\"")),
                "{field} is tied to its error"
            );
            let typed = changes[0].1;
            assert!(
                typed.is_empty() || r.body.contains(&format!("value=\"{typed}\"")),
                "{field}: what was typed is kept"
            );
            assert!(
                sessions_of(&app, event_id).await.is_empty(),
                "{field}: nothing saved"
            );
        }
    }
);

http_test!(
    async fn a_room_clash_names_the_other_session_and_saves_nothing(app: TestApp) {
        let room_id = room(&app, "Espace numérique").await;
        let first = event(&app, "Rencontre avec une autrice", None).await;
        session(&app, first, Some(room_id), "2025-01-18", "14:00", "16:00").await;
        let second = event(&app, "Atelier robots", None).await;
        let mut c = app.signed_in(Role::Mediator).await;
        let path = format!("/staff/events/{second}/sessions/new");
        app.get(&mut c, &path).await;
        let room_s = room_id.to_string();
        let form = with(
            &good_session(),
            &[("room_id", &room_s), ("start", "15:00"), ("end", "17:00")],
        );
        let r = app.post(&mut c, &path, &pairs(&form)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains(
                "id=\"e-room_id\">La salle est déjà occupée par « Rencontre avec une autrice » (samedi 18 janvier 2025, 14 h – 16 h)."
            ),
            "{}",
            r.body
        );
        assert!(sessions_of(&app, second).await.is_empty());
        // Right after it, the room is free.
        let form = with(
            &good_session(),
            &[("room_id", &room_s), ("start", "16:00"), ("end", "17:00")],
        );
        let r = app.post(&mut c, &path, &pairs(&form)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
);

http_test!(
    async fn a_public_holiday_is_saved_only_once_confirmed(app: TestApp) {
        let event_id = event(&app, "Point de l'IA", None).await;
        let mut c = app.signed_in(Role::Mediator).await;
        let path = format!("/staff/events/{event_id}/sessions/new");
        app.get(&mut c, &path).await;
        let form = with(&good_session(), &[("date", "2025-04-21")]);
        let r = app.post(&mut c, &path, &pairs(&form)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("class=\"warnings\""), "{}", r.body);
        assert!(
            r.body
                .contains(&html("C'est un jour férié (Lundi de Pâques)."))
        );
        assert!(
            r.body.contains("name=\"confirm_warnings\"")
                && r.body.contains("Je confirme malgré ces avertissements")
        );
        assert!(
            sessions_of(&app, event_id).await.is_empty(),
            "not saved without the tick"
        );
        let form = with(&form, &[("confirm_warnings", "on")]);
        let r = app.post(&mut c, &path, &pairs(&form)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            sessions_of(&app, event_id).await[0].local_date,
            "2025-04-21"
        );
    }
);

http_test!(
    async fn a_viewer_reads_the_programme_but_changes_nothing(app: TestApp) {
        let event_id = event(&app, "Rencontre", None).await;
        let session_id = session(&app, event_id, None, "2025-01-18", "14:00", "16:00").await;
        let mut c = app.signed_in(Role::Viewer).await;
        let before = app
            .store
            .audit_log(app.library_id, None, 100)
            .await
            .unwrap()
            .len();
        for path in [
            "/staff".to_string(),
            "/staff/events".into(),
            format!("/staff/events/{event_id}"),
            format!("/staff/sessions/{session_id}"),
            "/staff/calendar?month=2025-01".into(),
            "/staff/calendar/week?date=2025-01-13".into(),
        ] {
            let r = app.get(&mut c, &path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            for edit in [
                "/staff/events/new",
                "/edit\"",
                "/publish",
                "/cancel",
                "/duplicate",
                "/sessions/new",
                ">Enregistrer<",
            ] {
                assert!(!r.body.contains(edit), "{path} shows {edit} to a viewer");
            }
        }
        for path in [
            format!("/staff/events/{event_id}/edit"),
            format!("/staff/events/{event_id}/sessions/new"),
            "/staff/events/new".into(),
        ] {
            assert_eq!(
                app.get(&mut c, &path).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
        let posts = [
            "/staff/events/new".to_string(),
            format!("/staff/events/{event_id}/edit"),
            format!("/staff/events/{event_id}/publish"),
            format!("/staff/events/{event_id}/cancel"),
            format!("/staff/events/{event_id}/draft"),
            format!("/staff/events/{event_id}/duplicate"),
            format!("/staff/events/{event_id}/sessions/new"),
            format!("/staff/sessions/{session_id}"),
            format!("/staff/sessions/{session_id}/cancel"),
            format!("/staff/sessions/{session_id}/restore"),
            format!("/staff/sessions/{session_id}/duplicate"),
        ];
        app.get(&mut c, "/staff").await;
        let form = with(
            &good_session(),
            &[
                ("title", "Piraté"),
                ("date", "2025-03-16"),
                ("status", "published"),
            ],
        );
        for path in posts {
            let r = app.post(&mut c, &path, &pairs(&form)).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        }
        assert_eq!(
            app.store
                .audit_log(app.library_id, None, 100)
                .await
                .unwrap()
                .len(),
            before,
            "nothing changed"
        );
        assert_eq!(
            app.store
                .event(app.library_id, event_id)
                .await
                .unwrap()
                .status,
            EventStatus::Draft
        );
    }
);

http_test!(
    async fn status_changes_and_cancellations_are_in_the_audit_trail(app: TestApp) {
        let event_id = event(&app, "Samedi de l'innovation", None).await;
        let session_id = session(&app, event_id, None, "2025-01-18", "14:00", "16:00").await;
        let mut c = app.signed_in(Role::Coordinator).await;
        let page = format!("/staff/events/{event_id}");
        app.get(&mut c, &page).await;

        let r = app
            .post(&mut c, &format!("/staff/sessions/{session_id}/cancel"), &[])
            .await;
        assert_eq!(
            (r.status, r.location()),
            (
                StatusCode::SEE_OTHER,
                format!("{page}?done=cancelled").as_str()
            )
        );
        assert!(
            app.store
                .session(app.library_id, session_id)
                .await
                .unwrap()
                .cancelled
        );
        let r = app.get(&mut c, &page).await;
        assert!(
            r.body.contains("class=\"cancelled\"")
                && r.body
                    .contains(&format!("/staff/sessions/{session_id}/restore"))
        );
        app.post(
            &mut c,
            &format!("/staff/sessions/{session_id}/restore"),
            &[],
        )
        .await;
        assert!(
            !app.store
                .session(app.library_id, session_id)
                .await
                .unwrap()
                .cancelled
        );
        let log = app
            .store
            .audit_log(app.library_id, Some(("session", session_id.get())), 10)
            .await
            .unwrap();
        let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["restore", "cancel", "create"]);
        assert_eq!(log[0].actor, "coordinator@mediatheque.test");

        app.post(&mut c, &format!("{page}/publish"), &[]).await;
        assert_eq!(
            app.store
                .event(app.library_id, event_id)
                .await
                .unwrap()
                .status,
            EventStatus::Published
        );
        // Cancelling an event asks first.
        let r = app.get(&mut c, &format!("{page}/cancel")).await;
        assert!(
            r.body.contains(&html("<h1>Annuler l'événement ?</h1>")),
            "{}",
            r.body
        );
        assert_eq!(
            app.store
                .event(app.library_id, event_id)
                .await
                .unwrap()
                .status,
            EventStatus::Published
        );
        let r = app.post(&mut c, &format!("{page}/cancel"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            app.store
                .event(app.library_id, event_id)
                .await
                .unwrap()
                .status,
            EventStatus::Cancelled
        );
        app.post(&mut c, &format!("{page}/draft"), &[]).await;
        assert_eq!(
            app.store
                .event(app.library_id, event_id)
                .await
                .unwrap()
                .status,
            EventStatus::Draft
        );
        let log = app
            .store
            .audit_log(app.library_id, Some(("event", event_id.get())), 10)
            .await
            .unwrap();
        let actions: Vec<_> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["update", "cancel", "publish", "create"]);
    }
);

http_test!(
    async fn duplicating_proposes_the_same_weekday_next_month_and_keeps_local_times_across_dst(
        app: TestApp,
    ) {
        // The brief's example: the 3rd Sunday of February is proposed the 3rd Sunday of March.
        let feb = event(&app, "Dimanche de l'innovation", None).await;
        session(&app, feb, None, "2025-02-16", "14:00", "18:00").await;
        let mut c = app.signed_in(Role::Mediator).await;
        let r = app
            .get(&mut c, &format!("/staff/events/{feb}/duplicate"))
            .await;
        assert!(
            r.body
                .contains("name=\"date\" type=\"date\" value=\"2025-03-16\""),
            "{}",
            r.body
        );

        // Across the spring change (30 March 2025): the 1st Sunday of March to the 1st Sunday of April.
        let series_id = series(&app, "Dimanches de l'innovation", "#8e44ad").await;
        let room_id = room(&app, "Auditorium").await;
        let theme = app
            .store
            .save_theme(
                &actor(&app),
                &Theme {
                    title: "Deepfakes".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let march = event(&app, "Dimanche de l'IA", Some(series_id)).await;
        let talk = session(&app, march, Some(room_id), "2025-03-02", "14:00", "15:30").await;
        let workshop = session(&app, march, Some(room_id), "2025-03-02", "16:00", "18:00").await;
        let cancelled = session(&app, march, None, "2025-03-02", "18:00", "19:00").await;
        app.store
            .set_session_cancelled(&actor(&app), cancelled, true)
            .await
            .unwrap();
        let w = app.store.session(app.library_id, talk).await.unwrap();
        let write = SessionWrite {
            event_id: march,
            theme_ids: vec![theme],
            speaker_ids: vec![],
            lead_ids: vec![],
            ..SessionWrite::from(&w)
        };
        app.store
            .save_session(&actor(&app), Some(talk), &write)
            .await
            .unwrap()
            .unwrap();
        app.store
            .save_event(
                &actor(&app),
                &Event {
                    status: EventStatus::Published,
                    ..app.store.event(app.library_id, march).await.unwrap()
                },
            )
            .await
            .unwrap();

        let path = format!("/staff/events/{march}/duplicate");
        let r = app.get(&mut c, &path).await;
        assert!(r.body.contains("value=\"2025-04-06\""), "{}", r.body);
        let r = app.post(&mut c, &path, &[("date", "2025-04-06")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let copy_id: i64 = r
            .location()
            .trim_start_matches("/staff/events/")
            .trim_end_matches("?done=duplicated")
            .parse()
            .unwrap();
        assert_ne!(copy_id, march.get());
        let copy = app
            .store
            .event(app.library_id, EventId(copy_id))
            .await
            .unwrap();
        assert_eq!(
            (copy.title.as_str(), copy.series_id, copy.status),
            ("Dimanche de l'IA", Some(series_id), EventStatus::Draft)
        );
        let copies = sessions_of(&app, EventId(copy_id)).await;
        assert_eq!(copies.len(), 2, "the cancelled session stays behind");
        let original = app.store.session(app.library_id, talk).await.unwrap();
        // Same 14 h on the wall clock; one hour less in UTC once summer time began.
        assert_eq!(
            copies[0].starts_at - original.starts_at,
            35 * 24 * 3600 - 3600
        );
        assert_eq!(copies[0].starts_at, at("2025-04-06", "14:00"));
        assert_eq!(copies[1].starts_at, at("2025-04-06", "16:00"));
        assert_eq!(
            (copies[0].local_date.as_str(), copies[0].room_id),
            ("2025-04-06", Some(room_id))
        );
        assert_eq!(copies[0].theme_ids, vec![theme]);
        assert!(!copies.iter().any(|s| s.cancelled));
        // The original is untouched.
        assert_eq!(sessions_of(&app, march).await.len(), 3);
        assert_eq!(
            app.store
                .session(app.library_id, workshop)
                .await
                .unwrap()
                .local_date,
            "2025-03-02"
        );
        let r = app.get(&mut c, r.location()).await;
        assert!(
            r.body.contains("Copie créée")
                && r.body.contains("dimanche 6 avril 2025, 14 h – 15 h 30"),
            "{}",
            r.body
        );

        // One session alone, to its own next month.
        let r = app
            .get(&mut c, &format!("/staff/sessions/{workshop}/duplicate"))
            .await;
        assert!(r.body.contains("value=\"2025-04-06\""));
    }
);

http_test!(
    async fn a_duplicate_that_clashes_or_is_unconfirmed_creates_nothing(app: TestApp) {
        let room_id = room(&app, "Auditorium").await;
        let source = event(&app, "Samedi de l'innovation", None).await;
        session(&app, source, None, "2025-01-18", "14:00", "15:00").await;
        session(&app, source, Some(room_id), "2025-01-18", "16:00", "18:00").await;
        let blocker = event(&app, "Conférence invitée", None).await;
        // 3rd Saturday of January -> 3rd Saturday of February: the 15th.
        session(&app, blocker, Some(room_id), "2025-02-15", "17:00", "19:00").await;
        let before = app
            .store
            .list_events(app.library_id, None, 100)
            .await
            .unwrap()
            .len();
        let mut c = app.signed_in(Role::Mediator).await;
        let path = format!("/staff/events/{source}/duplicate");
        let r = app.get(&mut c, &path).await;
        assert!(r.body.contains("value=\"2025-02-15\""));
        let r = app.post(&mut c, &path, &[("date", "2025-02-15")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("La salle est déjà occupée par « Conférence invitée » (samedi 15 février 2025, 17 h – 19 h)."), "{}", r.body);
        assert_eq!(
            app.store
                .list_events(app.library_id, None, 100)
                .await
                .unwrap()
                .len(),
            before,
            "no event left behind"
        );
        // Another date, a public holiday: warned, nothing created until confirmed.
        let r = app.post(&mut c, &path, &[("date", "2025-05-08")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("class=\"warnings\"") && r.body.contains("(Victoire 1945)"),
            "{}",
            r.body
        );
        assert_eq!(
            r.body.matches("Victoire 1945").count(),
            1,
            "one warning for the day, not one per session"
        );
        assert_eq!(
            app.store
                .list_events(app.library_id, None, 100)
                .await
                .unwrap()
                .len(),
            before
        );
        let r = app
            .post(
                &mut c,
                &path,
                &[("date", "2025-05-08"), ("confirm_warnings", "on")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            app.store
                .list_events(app.library_id, None, 100)
                .await
                .unwrap()
                .len(),
            before + 1
        );
    }
);

http_test!(
    async fn the_calendar_shows_sessions_on_their_day_in_their_series_colour(app: TestApp) {
        let series_id = series(&app, "Samedis de l'innovation", "#c0392b").await;
        let (a, b) = (room(&app, "Auditorium").await, room(&app, "Fablab").await);
        let e = event(&app, "Créer avec l'IA", Some(series_id)).await;
        let talk = session(&app, e, Some(a), "2025-01-18", "14:00", "15:30").await;
        let other = event(&app, "Réparer son vélo", None).await;
        let cancelled = session(&app, other, Some(b), "2025-01-18", "10:00", "12:00").await;
        app.store
            .set_session_cancelled(&actor(&app), cancelled, true)
            .await
            .unwrap();
        let mut c = app.signed_in(Role::Viewer).await;

        let r = app.get(&mut c, "/staff/calendar?month=2025-01").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("<h1>Janvier 2025</h1>"), "{}", r.body);
        // The colour is a class, set by /static/colours.css (no style
        // attribute: the Content-Security-Policy refuses them).
        let link = format!(
            "<a class=\"item c-c0392b\" href=\"/staff/sessions/{talk}\">14 h Créer avec l&#39;IA</a>"
        );
        assert!(r.body.contains(&link), "{}", r.body);
        assert!(
            r.body.contains("class=\"item cancelled\""),
            "cancelled is struck through"
        );
        // Monday first: the grid starts on Monday 30 December and has six weeks' worth of days here.
        assert!(r.body.contains("/staff/calendar/week?date=2024-12-30"));
        assert!(r.body.contains("class=\"day other\""));
        assert!(
            r.body.contains("href=\"/staff/calendar?month=2024-12\"")
                && r.body.contains("href=\"/staff/calendar?month=2025-02\"")
        );

        // Filtered by room, the other room's session is gone.
        let r = app
            .get(&mut c, &format!("/staff/calendar?month=2025-01&room={a}"))
            .await;
        assert!(r.body.contains("Créer avec l&#39;IA") && !r.body.contains("Réparer son vélo"));
        let r = app
            .get(
                &mut c,
                &format!("/staff/calendar?month=2025-01&series={series_id}"),
            )
            .await;
        assert!(!r.body.contains("Réparer son vélo"));

        let r = app
            .get(&mut c, "/staff/calendar/week?date=2025-01-15")
            .await;
        assert!(
            r.body
                .contains("Semaine du lundi 13 janvier au dimanche 19 janvier 2025"),
            "{}",
            r.body
        );
        assert!(r.body.contains("<h2>samedi 18 janvier</h2>"));
        let talk_at = r.body.find("Créer avec l&#39;IA").unwrap();
        let bike_at = r.body.find("Réparer son vélo").unwrap();
        assert!(bike_at < talk_at, "10 h before 14 h");
        assert!(r.body.contains("14 h – 15 h 30") && r.body.contains("Auditorium"));
        let r = app
            .get(&mut c, "/staff/calendar/week?date=2025-01-20")
            .await;
        assert!(!r.body.contains("Créer avec l&#39;IA"));
    }
);

http_test!(
    async fn the_dashboard_lists_the_coming_weeks_only(app: TestApp) {
        let tz = paris();
        let today = jiff::Timestamp::now().to_zoned(tz.clone()).date();
        let next_week = today.checked_add(7.days()).unwrap();
        let long_ago = today.checked_sub(2.months()).unwrap();
        let soon = event(&app, "Atelier de la semaine prochaine", None).await;
        session(&app, soon, None, &next_week.to_string(), "14:00", "15:00").await;
        let old = event(&app, "Rencontre d'il y a deux mois", None).await;
        session(&app, old, None, &long_ago.to_string(), "14:00", "15:00").await;
        let mut c = app.signed_in(Role::Viewer).await;
        let r = app.get(&mut c, "/staff").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("Atelier de la semaine prochaine"),
            "{}",
            r.body
        );
        assert!(r.body.contains(&format!(
            "<h3>{}</h3>",
            // The year only when next week is in the next season.
            almanach_domain::fmt::day_near(next_week, today, almanach_domain::Lang::Fr)
        )));
        assert!(r.body.contains("14 h – 15 h"));
        assert!(!r.body.contains("Rencontre d&#39;il y a deux mois"));
        assert!(
            r.body.contains("<strong>2</strong> brouillons à publier"),
            "both events are drafts"
        );
        assert!(r.body.contains("href=\"/staff/calendar\""));
    }
);
