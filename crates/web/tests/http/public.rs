//! The public side: agenda and its filters, event pages, registration
//! through the form, the private link; and the staff's registrations page.

use almanach_domain::calendar::{local_to_instant, paris};
use almanach_domain::ids::{EventId, SessionId};
use almanach_domain::programme::{EventStatus, SessionKind};
use almanach_domain::registration::{RegistrationSettings, RegistrationStatus};
use almanach_domain::staff::Role;
use almanach_domain::{Lang, fmt};
use almanach_store::{Actor, Event, Room, Series, SessionWrite, Speaker, Target, Theme};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiff::ToSpan;
use jiff::civil::{Date, Time};

use crate::app::{Client, Response, TestApp};
use crate::http_test;

pub(crate) fn actor(app: &TestApp) -> Actor {
    Actor::system(app.library_id, "test")
}

/// The library-local date `days` from today.
pub(crate) fn day(days: i64) -> Date {
    jiff::Zoned::now()
        .with_time_zone(paris())
        .date()
        .checked_add(days.days())
        .unwrap()
}

/// How the agenda heads that day.
fn label(d: Date) -> String {
    if d.year() == day(0).year() {
        fmt::day(d, Lang::Fr)
    } else {
        fmt::day_with_year(d, Lang::Fr)
    }
}

/// A session `days` from today, from `start` to `end` o'clock (Paris).
pub(crate) fn session(event_id: i64, days: i64, start: (i8, i8), end: (i8, i8)) -> SessionWrite {
    let d = day(days);
    let at = |(h, m)| {
        local_to_instant(&paris(), d, Time::constant(h, m, 0, 0))
            .unwrap()
            .as_second()
    };
    SessionWrite {
        local_date: d.to_string(),
        ..almanach_store::testing::session_at(EventId(event_id), at(start), at(end))
    }
}

pub(crate) fn on_registration(mut w: SessionWrite, capacity: u32) -> SessionWrite {
    w.registration_required = true;
    w.capacity = Some(capacity);
    w
}

pub(crate) async fn event(
    app: &TestApp,
    title: &str,
    series_id: Option<i64>,
    status: EventStatus,
) -> EventId {
    let e = Event {
        series_id,
        description: format!("Description de {title}."),
        status,
        ..almanach_store::testing::published(title)
    };
    app.store.save_event(&actor(app), &e).await.unwrap()
}

pub(crate) async fn save(app: &TestApp, w: SessionWrite) -> SessionId {
    app.store
        .save_session(&actor(app), None, &w)
        .await
        .unwrap()
        .unwrap()
}

pub(crate) async fn settings(
    app: &TestApp,
    session_id: i64,
    max_seats: u32,
    opens_at: Option<i64>,
    closes_at: Option<i64>,
) {
    let s = RegistrationSettings {
        opens_at,
        closes_at,
        max_seats,
    };
    app.store
        .set_registration_settings(&actor(app), SessionId(session_id), &s)
        .await
        .unwrap();
}

/// A published workshop on registration, in a week, with its event id.
pub(crate) async fn workshop(
    app: &TestApp,
    title: &str,
    capacity: u32,
    max_seats: u32,
) -> (i64, i64) {
    let e = event(app, title, None, EventStatus::Published).await;
    let s = save(
        app,
        on_registration(session(e.get(), 7, (14, 0), (16, 0)), capacity),
    )
    .await;
    settings(app, s.get(), max_seats, None, None).await;
    (e.get(), s.get())
}

pub(crate) fn form_key(body: &str) -> String {
    let i = body
        .find("name=\"key\" value=\"")
        .expect("the form carries its key")
        + "name=\"key\" value=\"".len();
    body[i..i + 64].to_string()
}

/// Opens the form and sends it with `fields`; returns the answer.
pub(crate) async fn register(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Response {
    let mut c = Client::default();
    let form = get(app, &mut c, path).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let key = form_key(&form.body);
    let mut all = fields.to_vec();
    all.push(("key", &key));
    post(app, &mut c, path, &all).await
}

/// The body as a reader sees it: askama escapes apostrophes and quotes.
fn unescape(mut r: Response) -> Response {
    r.body = r
        .body
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    r
}

async fn get(app: &TestApp, c: &mut Client, path: &str) -> Response {
    unescape(app.get(c, path).await)
}

async fn post(app: &TestApp, c: &mut Client, path: &str, fields: &[(&str, &str)]) -> Response {
    unescape(app.post(c, path, fields).await)
}

fn registrations_count(list: &[almanach_store::Registration]) -> usize {
    list.len()
}

/// The titles the agenda lists, in order.
fn titles(body: &str) -> Vec<String> {
    body.split("<h3><a href=\"/events/")
        .skip(1)
        .map(|s| {
            let start = s.find("\">").unwrap() + 2;
            s[start..s.find("</a>").unwrap()].to_string()
        })
        .collect()
}

http_test!(
    async fn the_agenda_groups_coming_published_sessions_by_day(app: TestApp) {
        let e = event(&app, "Robotique en famille", None, EventStatus::Published).await;
        save(&app, session(e.get(), 3, (14, 0), (15, 30))).await;
        save(&app, session(e.get(), 3, (16, 0), (17, 0))).await;
        save(&app, session(e.get(), 4, (10, 0), (11, 0))).await;
        let draft = event(&app, "Brouillon secret", None, EventStatus::Draft).await;
        save(&app, session(draft.get(), 3, (9, 0), (10, 0))).await;
        let gone = event(&app, "Séance annulée", None, EventStatus::Published).await;
        let cancelled = save(&app, session(gone.get(), 3, (18, 0), (19, 0))).await;
        app.store
            .set_session_cancelled(&actor(&app), cancelled, true)
            .await
            .unwrap();
        let old = event(&app, "Atelier d'hier", None, EventStatus::Published).await;
        save(&app, session(old.get(), -2, (14, 0), (15, 0))).await;

        let r = get(&app, &mut Client::default(), "/agenda").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("<html lang=\"fr\">"));
        assert_eq!(titles(&r.body), ["Robotique en famille"; 3]);
        for d in [day(3), day(4)] {
            assert_eq!(
                r.body.matches(&format!(">{}</h2>", label(d))).count(),
                1,
                "one heading for {d}"
            );
        }
        assert!(r.body.contains("14 h – 15 h 30"), "{}", r.body);
        assert!(r.body.contains("3 séances."));
        assert!(r.body.contains("Entrée libre, sans inscription"));
        let archive = get(&app, &mut Client::default(), "/agenda/archive").await;
        assert_eq!(titles(&archive.body), ["Atelier d'hier"]);
        // English on request, back to the same filtered page.
        let mut c = Client::default();
        let r = get(&app, &mut c, "/lang/en?next=%2Fagenda%3Fage%3D8").await;
        assert_eq!(r.location(), "/agenda?age=8");
        let r = get(&app, &mut c, "/agenda").await;
        assert!(
            r.body.contains("<html lang=\"en\">") && r.body.contains("Free entry, no registration"),
            "{}",
            r.body
        );
    }
);

http_test!(
    async fn each_agenda_filter_narrows_the_list(app: TestApp) {
        let a = actor(&app);
        let samedis = app
            .store
            .save_series(
                &a,
                &Series {
                    name: "Samedis de l'innovation".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let image = app
            .store
            .save_theme(
                &a,
                &Theme {
                    title: "Images".into(),
                    categories: vec!["image".into(), "texte".into()],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let auditorium = app
            .store
            .save_room(
                &a,
                &Room {
                    name: "Auditorium".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();

        let talk = event(
            &app,
            "Conférence sur l'IA",
            Some(samedis),
            EventStatus::Published,
        )
        .await;
        let mut w = session(talk.get(), 2, (14, 0), (15, 0));
        w.kind = SessionKind::Talk;
        w.room_id = Some(auditorium);
        w.age_min = Some(14);
        save(&app, w).await;
        let kids = event(&app, "Créer une BD", None, EventStatus::Published).await;
        let mut w = on_registration(session(kids.get(), 5, (14, 0), (16, 0)), 10);
        w.age_min = Some(7);
        w.age_max = Some(12);
        w.theme_ids = vec![image];
        save(&app, w).await;
        let full = event(&app, "Atelier complet", None, EventStatus::Published).await;
        let s = save(
            &app,
            on_registration(session(full.get(), 9, (10, 0), (12, 0)), 1),
        )
        .await;
        let c = Client::default();
        register(
            &app,
            &format!("/events/{full}/sessions/{s}/register"),
            &[("name", "Anne"), ("email", "anne@example.org")],
        )
        .await;

        let listed = |q: &str| {
            let (app, mut c) = (&app, c.clone());
            let path = format!("/agenda?{q}");
            async move { titles(&get(app, &mut c, &path).await.body) }
        };
        assert_eq!(
            listed("").await,
            ["Conférence sur l'IA", "Créer une BD", "Atelier complet"]
        );
        assert_eq!(
            listed(&format!("series={samedis}")).await,
            ["Conférence sur l'IA"]
        );
        assert_eq!(listed("category=texte").await, ["Créer une BD"]);
        assert_eq!(listed("kind=talk").await, ["Conférence sur l'IA"]);
        assert_eq!(
            listed("age=8").await,
            ["Créer une BD", "Atelier complet"],
            "a child of 8"
        );
        assert_eq!(
            listed("age=18").await,
            ["Conférence sur l'IA", "Atelier complet"],
            "adults"
        );
        assert_eq!(
            listed(&format!("from={}&to={}", day(4), day(6))).await,
            ["Créer une BD"]
        );
        assert_eq!(
            listed(&format!("room={auditorium}")).await,
            ["Conférence sur l'IA"]
        );
        assert_eq!(
            listed("seats=1").await,
            ["Créer une BD"],
            "on registration with seats left"
        );
        assert_eq!(
            listed("q=creer+une+bd").await,
            ["Créer une BD"],
            "case and accents ignored"
        );
        assert_eq!(
            listed("q=description+conference").await,
            ["Conférence sur l'IA"],
            "the description too"
        );
        // A bad value is answered next to its field.
        let r = get(&app, &mut c.clone(), "/agenda?age=vieux&from=32/13/2025").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("id=\"e-age\">L'âge doit être un nombre entier"),
            "{}",
            r.body
        );
        assert!(r.body.contains("id=\"e-from\">Date invalide"));
    }
);

http_test!(
    async fn the_event_page_says_what_each_session_offers(app: TestApp) {
        let a = actor(&app);
        let room = app
            .store
            .save_room(
                &a,
                &Room {
                    name: "Espace numérique".into(),
                    step_free: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let speaker = app
            .store
            .save_speaker(
                &a,
                &Speaker {
                    name: "Léa Fontaine".into(),
                    organisation: "Illustratrice".into(),
                    email: "lea@privé.fr".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let e = event(&app, "Journée de l'image", None, EventStatus::Published).await;
        let mut free = session(e.get(), 3, (10, 0), (11, 0));
        free.room_id = Some(room);
        free.speaker_ids = vec![speaker];
        free.price_cents = 500;
        free.age_min = Some(4);
        free.age_max = Some(10);
        free.accompanied = true;
        save(&app, free).await;
        let open = save(
            &app,
            on_registration(session(e.get(), 3, (11, 0), (12, 0)), 3),
        )
        .await;
        let full = save(
            &app,
            on_registration(session(e.get(), 3, (13, 0), (14, 0)), 1),
        )
        .await;
        let soon = save(
            &app,
            on_registration(session(e.get(), 3, (15, 0), (16, 0)), 5),
        )
        .await;
        let opens = local_to_instant(&paris(), day(1), Time::constant(10, 0, 0, 0))
            .unwrap()
            .as_second();
        settings(&app, soon.get(), 1, Some(opens), None).await;
        let closed = save(
            &app,
            on_registration(session(e.get(), 3, (17, 0), (18, 0)), 5),
        )
        .await;
        settings(
            &app,
            closed.get(),
            1,
            None,
            Some(almanach_store::now() - 60),
        )
        .await;
        for (s, who) in [(open, "a"), (full, "b"), (full, "c")] {
            let r = register(
                &app,
                &format!("/events/{e}/sessions/{s}/register"),
                &[("name", who), ("email", &format!("{who}@x.org"))],
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }

        let r = get(&app, &mut Client::default(), &format!("/events/{e}")).await;
        assert_eq!(r.status, StatusCode::OK);
        let b = &r.body;
        for expected in [
            "Description de Journée de l'image.",
            "Entrée libre, sans inscription",
            "Sur inscription : 2 places restantes",
            "Complet : liste d'attente (1 en attente)",
            &format!(
                "Inscriptions à partir du {} à 10 h",
                fmt::day(day(1), Lang::Fr)
            ),
            "Inscriptions closes",
            "Espace numérique — accessible de plain-pied",
            "4\u{a0}à\u{a0}10\u{a0}ans, enfants accompagnés d'un adulte",
            "5\u{a0}€",
            "Léa Fontaine (Illustratrice)",
            &format!("<link rel=\"canonical\" href=\"http://localhost/events/{e}\">"),
        ] {
            assert!(b.contains(expected), "missing {expected:?} in\n{b}");
        }
        assert!(
            !b.contains("lea@privé.fr"),
            "speakers' contact details stay private"
        );
        assert!(
            b.contains(&format!("/events/{e}/sessions/{open}/register"))
                && b.contains(&format!("/events/{e}/sessions/{full}/register"))
        );
        assert!(
            !b.contains(&format!("/sessions/{soon}/register"))
                && !b.contains(&format!("/sessions/{closed}/register"))
        );
        // Before opening, the form itself says when, and takes nothing.
        let r = get(
            &app,
            &mut Client::default(),
            &format!("/events/{e}/sessions/{soon}/register"),
        )
        .await;
        assert!(r.body.contains("Inscriptions à partir du") && !r.body.contains("name=\"key\""));
        // A draft event is not public.
        let draft = event(&app, "Pas encore publié", None, EventStatus::Draft).await;
        assert_eq!(
            get(&app, &mut Client::default(), &format!("/events/{draft}"))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
    }
);

http_test!(
    async fn registering_through_the_form_leads_to_the_private_link(app: TestApp) {
        let (e, s) = workshop(&app, "Atelier Scratch", 10, 4).await;
        let path = format!("/events/{e}/sessions/{s}/register");
        let mut c = Client::default();
        let form = get(&app, &mut c, &path).await;
        assert_eq!(
            form.headers.get(header::CACHE_CONTROL).unwrap(),
            "no-store",
            "the key never sits in a cache"
        );
        assert!(
            form.body.contains("il est effacé 90 jours après la séance"),
            "why the e-mail is asked, and for how long"
        );
        assert!(form.body.contains("aria-describedby=\"h-email\""));
        let r = register(
            &app,
            &path,
            &[
                ("name", "Anne Dupont"),
                ("email", "Anne@Example.org"),
                ("phone", "06 12 34 56 78"),
                ("seats", "3"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let link = r.location().to_string();
        assert!(
            link.starts_with("/r/") && link.ends_with("?new=1"),
            "{link}"
        );
        let page = get(&app, &mut Client::default(), &link).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("Vous êtes inscrit(e)") && page.body.contains("anne@example.org"),
            "{}",
            page.body
        );
        assert!(page.body.contains("Gardez le lien ci-dessous"));
        assert_eq!(
            page.headers.get(header::REFERRER_POLICY).unwrap(),
            "no-referrer"
        );
        let list = app
            .store
            .list_registrations(app.library_id, Target::Session(SessionId(s)))
            .await
            .unwrap();
        assert_eq!(
            (list.len(), list[0].seats, list[0].status),
            (1, 3, RegistrationStatus::Confirmed)
        );
        // A link that does not exist.
        assert_eq!(
            get(
                &app,
                &mut Client::default(),
                &format!("/r/{}", "0".repeat(64))
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
    }
);

http_test!(
    async fn form_errors_are_answered_next_to_the_field_and_nothing_is_saved(app: TestApp) {
        let e = event(&app, "Atelier BD", None, EventStatus::Published).await;
        let mut w = on_registration(session(e.get(), 7, (14, 0), (16, 0)), 10);
        w.age_min = Some(8);
        w.age_max = Some(12);
        let s = save(&app, w).await;
        settings(&app, s.get(), 4, None, None).await;
        let path = format!("/events/{e}/sessions/{s}/register");
        // (e-mail, seats, ages) typed, the field in error, its message.
        let cases = [
            (
                "anne@example.org",
                "5",
                "9",
                "seats",
                "Choisissez un nombre de places entre 1 et 4.",
            ),
            (
                "anne.example.org",
                "1",
                "9",
                "email",
                "Adresse e-mail invalide.",
            ),
            (
                "anne@example.org",
                "2",
                "9, 6",
                "ages",
                "6 ans, c'est trop jeune : cette séance est à partir de 8 ans.",
            ),
        ];
        for (email, seats, ages, field, message) in cases {
            let r = register(
                &app,
                &path,
                &[
                    ("name", "Anne"),
                    ("email", email),
                    ("seats", seats),
                    ("ages", ages),
                ],
            )
            .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
            assert!(
                r.body.contains(&format!("id=\"e-{field}\">{message}")),
                "{field}: {}",
                r.body
            );
            assert!(
                r.body
                    .contains(&format!("aria-describedby=\"h-{field} e-{field}\"")),
                "the message is read with the field"
            );
            assert!(r.body.contains("value=\"Anne\""), "what was typed is kept");
        }
        assert!(
            app.store
                .list_registrations(app.library_id, Target::Session(s))
                .await
                .unwrap()
                .is_empty()
        );
    }
);

http_test!(
    async fn a_filled_honeypot_pretends_and_saves_nothing(app: TestApp) {
        let (e, s) = workshop(&app, "Atelier", 10, 1).await;
        let r = register(
            &app,
            &format!("/events/{e}/sessions/{s}/register"),
            &[
                ("name", "Bot"),
                ("email", "bot@spam.example"),
                ("website", "http://spam.example"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Votre demande a bien été reçue."));
        assert!(
            app.store
                .list_registrations(app.library_id, Target::Session(SessionId(s)))
                .await
                .unwrap()
                .is_empty()
        );
    }
);

http_test!(
    async fn a_double_submit_registers_once_and_another_site_cannot_post(app: TestApp) {
        let (e, s) = workshop(&app, "Atelier", 10, 1).await;
        let path = format!("/events/{e}/sessions/{s}/register");
        let mut c = Client::default();
        let key = form_key(&get(&app, &mut c, &path).await.body);
        let fields = [
            ("name", "Anne"),
            ("email", "anne@example.org"),
            ("key", key.as_str()),
        ];
        let first = post(&app, &mut c, &path, &fields).await;
        let second = post(&app, &mut c, &path, &fields).await;
        assert_eq!(
            (first.status, second.status),
            (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
        );
        assert_eq!(
            first.location().trim_end_matches("?new=1"),
            second.location(),
            "the same private link"
        );
        assert_eq!(
            registrations_count(
                &app.store
                    .list_registrations(app.library_id, Target::Session(SessionId(s)))
                    .await
                    .unwrap()
            ),
            1
        );
        // The same key with someone else's details is not theirs to see.
        let r = post(
            &app,
            &mut c,
            &path,
            &[
                ("name", "Bob"),
                ("email", "bob@example.org"),
                ("key", key.as_str()),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        // Another site's page posting the form.
        let body = format!("name=Eve&email=eve%40example.org&key={}", "a".repeat(64));
        let req = Request::post(&path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "agenda.mediatheque.fr")
            .header(header::ORIGIN, "https://evil.example")
            .body(Body::from(body))
            .unwrap();
        assert_eq!(
            app.send(&mut Client::default(), req).await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.store
                .list_registrations(app.library_id, Target::Session(SessionId(s)))
                .await
                .unwrap()
                .len(),
            1
        );
    }
);

http_test!(
    async fn the_same_email_is_told_it_is_already_registered(app: TestApp) {
        let (e, s) = workshop(&app, "Atelier", 10, 1).await;
        let path = format!("/events/{e}/sessions/{s}/register");
        register(
            &app,
            &path,
            &[("name", "Anne"), ("email", "anne@example.org")],
        )
        .await;
        let r = register(
            &app,
            &path,
            &[("name", "Anne D."), ("email", "ANNE@example.org")],
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Vous êtes déjà inscrit(e)"), "{}", r.body);
        assert_eq!(
            app.store
                .list_registrations(app.library_id, Target::Session(SessionId(s)))
                .await
                .unwrap()
                .len(),
            1
        );
    }
);

http_test!(
    async fn the_private_link_shows_the_waiting_position_and_cancelling_promotes(app: TestApp) {
        let (e, s) = workshop(&app, "Atelier", 1, 1).await;
        let path = format!("/events/{e}/sessions/{s}/register");
        let a = register(
            &app,
            &path,
            &[("name", "Anne"), ("email", "anne@example.org")],
        )
        .await
        .location()
        .trim_end_matches("?new=1")
        .to_string();
        let b = register(
            &app,
            &path,
            &[("name", "Bruno"), ("email", "bruno@example.org")],
        )
        .await
        .location()
        .trim_end_matches("?new=1")
        .to_string();
        let c = register(
            &app,
            &path,
            &[("name", "Chloé"), ("email", "chloe@example.org")],
        )
        .await
        .location()
        .trim_end_matches("?new=1")
        .to_string();
        let mut client = Client::default();
        assert!(
            get(&app, &mut client, &b)
                .await
                .body
                .contains("Vous êtes sur liste d'attente, position 1")
        );
        assert!(
            get(&app, &mut client, &c)
                .await
                .body
                .contains("Vous êtes sur liste d'attente, position 2")
        );
        let confirm = get(&app, &mut client, &format!("{a}/cancel")).await;
        assert!(confirm.body.contains("Oui, annuler mon inscription"));
        let r = post(&app, &mut client, &format!("{a}/cancel"), &[]).await;
        assert_eq!(r.location(), format!("{a}?done=cancelled"));
        assert!(
            get(&app, &mut client, r.location())
                .await
                .body
                .contains("Inscription annulée")
        );
        assert!(
            get(&app, &mut client, &b)
                .await
                .body
                .contains("Vous êtes inscrit(e)"),
            "the next party is promoted"
        );
        assert!(get(&app, &mut client, &c).await.body.contains("position 1"));
        // Erasing one's data from the link.
        let r = post(&app, &mut client, &format!("{b}/forget"), &[]).await;
        let page = get(&app, &mut client, r.location()).await;
        assert!(
            page.body
                .contains("Vos données personnelles sont effacées.")
                && !page.body.contains("bruno@example.org")
        );
        assert!(
            get(&app, &mut client, &c)
                .await
                .body
                .contains("Vous êtes inscrit(e)"),
            "erasing cancels a coming registration"
        );
    }
);

/// A session with three parties, one of them waiting, for the staff pages.
async fn staffed(app: &TestApp) -> (i64, i64) {
    let (e, s) = workshop(app, "Atelier robots", 3, 2).await;
    let path = format!("/events/{e}/sessions/{s}/register");
    for (name, email, seats) in [
        ("Anne; Dupont", "anne@example.org", "2"),
        ("=HYPERLINK(\"x\")", "bob@example.org", "1"),
        ("Chloé", "chloe@example.org", "2"),
    ] {
        let r = register(
            app,
            &path,
            &[("name", name), ("email", email), ("seats", seats)],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    (e, s)
}

http_test!(
    async fn staff_without_a_need_see_counts_not_people(app: TestApp) {
        let (_, s) = staffed(&app).await;
        for role in [Role::Viewer, Role::Communication] {
            let mut c = app.signed_in(role).await;
            let r = get(&app, &mut c, &format!("/staff/sessions/{s}/registrations")).await;
            assert_eq!(r.status, StatusCode::OK, "{role:?}");
            assert!(
                r.body.contains("Places confirmées") && r.body.contains("<dd>3</dd>"),
                "{}",
                r.body
            );
            for private in ["anne@example.org", "Chloé", "Dupont"] {
                assert!(!r.body.contains(private), "{role:?} sees {private}");
            }
            assert_eq!(
                get(
                    &app,
                    &mut c,
                    &format!("/staff/sessions/{s}/registrations.csv")
                )
                .await
                .status,
                StatusCode::FORBIDDEN
            );
        }
        let mut c = app.signed_in(Role::Mediator).await;
        let r = get(&app, &mut c, &format!("/staff/sessions/{s}/registrations")).await;
        assert!(r.body.contains("anne@example.org") && r.body.contains("Chloé"));
    }
);

http_test!(
    async fn the_csv_export_opens_in_a_french_spreadsheet(app: TestApp) {
        let (_, s) = staffed(&app).await;
        let mut c = app.signed_in(Role::Coordinator).await;
        let r = get(
            &app,
            &mut c,
            &format!("/staff/sessions/{s}/registrations.csv"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.headers.get(header::CONTENT_TYPE).unwrap(),
            "text/csv; charset=utf-8"
        );
        let disposition = r
            .headers
            .get(header::CONTENT_DISPOSITION)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(
            disposition.starts_with("attachment;") && disposition.contains(".csv"),
            "{disposition}"
        );
        assert!(r.body.starts_with('\u{feff}'), "a BOM so Excel reads UTF-8");
        let lines: Vec<&str> = r
            .body
            .trim_start_matches('\u{feff}')
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .collect();
        assert_eq!(
            lines[0],
            "Statut;Position;Nom;E-mail;Téléphone;Places;Âges;Origine;Inscrit le"
        );
        assert_eq!(lines.len(), 4);
        assert!(
            lines[1].starts_with("inscrit;;\"Anne; Dupont\";anne@example.org;;2;;en ligne;"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].starts_with("inscrit;;\"'=HYPERLINK(\"\"x\"\")\";bob@example.org;;1;"),
            "a formula is neutralised: {}",
            lines[2]
        );
        assert!(
            lines[3].starts_with("liste d'attente;1;Chloé;chloe@example.org;;2;"),
            "{}",
            lines[3]
        );
    }
);

http_test!(
    async fn staff_add_a_caller_cancel_move_and_set_the_window(app: TestApp) {
        let (_, s) = staffed(&app).await;
        let (_, other) = workshop(&app, "Autre atelier", 10, 2).await;
        let page = format!("/staff/sessions/{s}/registrations");
        let mut viewer = app.signed_in(Role::Viewer).await;
        get(&app, &mut viewer, &page).await;
        let r = post(
            &app,
            &mut viewer,
            &page,
            &[("name", "Pirate"), ("phone", "0600000000")],
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let mut c = app.signed_in(Role::Mediator).await;
        get(&app, &mut c, &page).await;
        let r = post(&app, &mut c, &page, &[("name", "M. Girard")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("Indiquez au moins un e-mail ou un téléphone"),
            "{}",
            r.body
        );
        let r = post(
            &app,
            &mut c,
            &page,
            &[
                ("name", "M. Girard"),
                ("phone", "04 78 00 00 00"),
                ("seats", "1"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let list = app
            .store
            .list_registrations(app.library_id, Target::Session(SessionId(s)))
            .await
            .unwrap();
        let girard = list.iter().find(|r| r.name == "M. Girard").unwrap();
        assert_eq!(
            (girard.status, girard.source.as_str(), girard.position),
            (RegistrationStatus::Waiting, "staff", Some(2))
        );

        // Cancelling Anne (2 seats) promotes Chloé (2), not M. Girard behind her.
        let anne = list
            .iter()
            .find(|r| r.email == "anne@example.org")
            .unwrap()
            .id;
        get(&app, &mut c, &page).await;
        let r = post(
            &app,
            &mut c,
            &format!("/staff/registrations/{anne}/cancel"),
            &[("back", &s.to_string())],
        )
        .await;
        assert_eq!(r.location(), format!("{page}?done=cancelled"));
        let list = app
            .store
            .list_registrations(app.library_id, Target::Session(SessionId(s)))
            .await
            .unwrap();
        assert_eq!(
            list.iter().find(|r| r.name == "Chloé").unwrap().status,
            RegistrationStatus::Confirmed
        );

        // Moving Chloé frees her seats: M. Girard gets one.
        let chloe = list.iter().find(|r| r.name == "Chloé").unwrap().id;
        let r = post(
            &app,
            &mut c,
            &format!("/staff/registrations/{chloe}/move"),
            &[("back", &s.to_string()), ("to", &format!("s:{other}"))],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            app.store
                .registration(app.library_id, chloe)
                .await
                .unwrap()
                .session_id,
            Some(SessionId(other))
        );
        let list = app
            .store
            .list_registrations(app.library_id, Target::Session(SessionId(s)))
            .await
            .unwrap();
        assert_eq!(
            list.iter().find(|r| r.name == "M. Girard").unwrap().status,
            RegistrationStatus::Confirmed
        );

        // The registration window, in local time.
        let settings = format!("/staff/sessions/{s}/registration-settings");
        let r = post(
            &app,
            &mut c,
            &settings,
            &[
                ("opens_date", "2030-05-02"),
                ("opens_time", "10:00"),
                ("max_seats", "40"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body
                .contains("id=\"e-max_seats\">De 1 à 8 places par inscription.")
        );
        let r = post(
            &app,
            &mut c,
            &settings,
            &[
                ("opens_date", "2030-05-02"),
                ("opens_time", "10:00"),
                ("max_seats", "4"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let st = app
            .store
            .seat_state(app.library_id, Target::Session(SessionId(s)))
            .await
            .unwrap();
        assert_eq!(
            (st.settings.opens_at, st.settings.max_seats),
            (Some(1_903_939_200), 4),
            "10 h in Paris is 8 h UTC in May"
        );
        // A course cannot be declared under existing registrations.
        let r = post(
            &app,
            &mut c,
            &settings,
            &[("max_seats", "4"), ("course", "on")],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Des personnes sont déjà inscrites"));
    }
);

http_test!(
    async fn a_course_takes_one_registration_for_all_its_sessions(app: TestApp) {
        let e = event(
            &app,
            "Robotique (trois samedis)",
            None,
            EventStatus::Published,
        )
        .await;
        let mut ids = Vec::new();
        for week in 1..=3 {
            ids.push(
                save(
                    &app,
                    on_registration(session(e.get(), 7 * week, (14, 0), (16, 0)), 8),
                )
                .await,
            );
        }
        let mut c = app.signed_in(Role::Coordinator).await;
        get(
            &app,
            &mut c,
            &format!("/staff/sessions/{}/registrations", ids[1]),
        )
        .await;
        let r = post(
            &app,
            &mut c,
            &format!("/staff/sessions/{}/registration-settings", ids[1]),
            &[("max_seats", "2"), ("course", "on")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = get(&app, &mut Client::default(), &format!("/events/{e}")).await;
        assert!(
            page.body
                .contains("Une seule inscription vaut pour toutes les séances")
                && page.body.contains("8 places restantes"),
            "{}",
            page.body
        );
        let r = register(
            &app,
            &format!("/events/{e}/register"),
            &[
                ("name", "Anne"),
                ("email", "anne@example.org"),
                ("seats", "2"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        for id in ids {
            assert_eq!(
                app.store
                    .seat_state(app.library_id, Target::Session(id))
                    .await
                    .unwrap()
                    .offer
                    .taken,
                2
            );
        }
    }
);

http_test!(
    async fn the_accessibility_statement_is_honest(app: TestApp) {
        let r = get(&app, &mut Client::default(), "/accessibilite").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("partiellement conforme") && r.body.contains("Défenseur des droits")
        );
        let agenda = get(&app, &mut Client::default(), "/agenda").await;
        assert!(
            agenda.body.contains("href=\"/accessibilite\"")
                && agenda.body.contains("class=\"skip\" href=\"#main\"")
        );
    }
);
