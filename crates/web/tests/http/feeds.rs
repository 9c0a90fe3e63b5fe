//! iCalendar feeds through the router: valid per RFC 5545 (structure
//! checked here; and by the independent `icalendar` parser when
//! ALMANACH_ICAL_CHECKER names a Python that has it), stable UIDs, SEQUENCE
//! up after edits, cancelled sessions kept and marked; and the staff page
//! that writes to a session's registrants through the outbox.

use almanach_domain::calendar::{local_to_instant, paris};
use almanach_domain::ical::{property, unfold};
use almanach_domain::ids::EventId;
use almanach_domain::programme::EventStatus;
use almanach_domain::registration::{EmailAddress, Party, RegistrationSettings};
use almanach_domain::staff::Role;
use almanach_store::{
    Actor, Event, MailKind, NewRegistration, OutboxFilter, Series, SessionWrite, Target, Theme,
};
use axum::http::StatusCode;
use jiff::civil::{Date, Time, date};

use crate::app::{Client, TestApp};
use crate::http_test;

fn actor(app: &TestApp) -> Actor {
    Actor::system(app.library_id, "test")
}

/// 14:00 to 15:30, Paris time, on `d`.
fn afternoon(event_id: EventId, d: Date, theme: Option<i64>) -> SessionWrite {
    let at = |h, m| {
        local_to_instant(&paris(), d, Time::constant(h, m, 0, 0))
            .unwrap()
            .as_second()
    };
    SessionWrite {
        local_date: d.to_string(),
        capacity: Some(10),
        registration_required: true,
        theme_ids: theme.into_iter().collect(),
        ..almanach_store::testing::session_at(event_id, at(14, 0), at(15, 30))
    }
}

async fn event(app: &TestApp, title: &str, series_id: Option<i64>, status: EventStatus) -> EventId {
    let e = Event {
        series_id,
        description: "Venez, avec vos questions; et vos idées, bien sûr.".into(),
        status,
        ..almanach_store::testing::published(title)
    };
    app.store.save_event(&actor(app), &e).await.unwrap()
}

/// A feed fetched: status, content type, unfolded lines; the structure
/// RFC 5545 asks for is checked on the way.
async fn fetch(app: &TestApp, path: &str) -> (String, Vec<String>) {
    let r = app.get(&mut Client::default(), path).await;
    assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    assert_eq!(r.headers["content-type"], "text/calendar; charset=utf-8");
    let text = r.body;
    assert!(
        text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"),
        "{text}"
    );
    for line in text.split("\r\n") {
        assert!(
            !line.contains('\n') && !line.contains('\r'),
            "bare line break in {line:?}"
        );
        assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
    }
    let lines = unfold(&text);
    assert_eq!(
        lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(),
        lines.iter().filter(|l| *l == "END:VEVENT").count()
    );
    (text, lines)
}

/// Each VEVENT's properties, by UID.
fn events(lines: &[String]) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut current: Option<Vec<String>> = None;
    for l in lines {
        match l.as_str() {
            "BEGIN:VEVENT" => current = Some(Vec::new()),
            "END:VEVENT" => {
                let ev = current.take().unwrap();
                out.push((property(&ev, "UID").unwrap().to_string(), ev));
            }
            _ => {
                if let Some(ev) = current.as_mut() {
                    ev.push(l.clone());
                }
            }
        }
    }
    out
}

fn find<'a>(evs: &'a [(String, Vec<String>)], uid: &str) -> &'a [String] {
    &evs.iter()
        .find(|(u, _)| u == uid)
        .unwrap_or_else(|| panic!("no {uid}"))
        .1
}

fn sequence(evs: &[(String, Vec<String>)], uid: &str) -> i64 {
    property(find(evs, uid), "SEQUENCE")
        .unwrap()
        .parse()
        .unwrap()
}

/// Runs the independent checker when ALMANACH_ICAL_CHECKER names a Python.
pub fn independent_check(files: &[(&str, &str)], args: &[String]) {
    let Ok(python) = std::env::var("ALMANACH_ICAL_CHECKER") else {
        // CI sets it up (.ci/run): there, a missing checker is a failure.
        assert!(
            std::env::var_os("CI").is_none(),
            "ALMANACH_ICAL_CHECKER must be set in CI"
        );
        eprintln!(
            "ALMANACH_ICAL_CHECKER is not set: the icalendar parser was not run (structure checked in Rust)"
        );
        return;
    };
    let dir = std::env::temp_dir().join(format!(
        "almanach-ical-{}-{}",
        std::process::id(),
        jiff::Timestamp::now().as_nanosecond()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let mut cmd = std::process::Command::new(python);
    cmd.arg(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scripts/ical-check.py"
    ));
    for (name, text) in files {
        let path = dir.join(format!("{name}.ics"));
        std::fs::write(&path, text).unwrap();
        cmd.arg(format!("--{name}")).arg(path);
    }
    let out = cmd.args(args).output().expect("run the iCalendar checker");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the icalendar parser refused: {said}");
    assert_eq!(said.trim(), "ok");
    std::fs::remove_dir_all(&dir).ok();
}

http_test!(
    async fn feeds_are_valid_stable_and_follow_changes(app: TestApp) {
        let a = actor(&app);
        let series = app
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
        let theme = app
            .store
            .save_theme(
                &a,
                &Theme {
                    title: "Images".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let e = event(
            &app,
            "Atelier IA, images; et vidéos",
            Some(series),
            EventStatus::Published,
        )
        .await;
        let winter = app
            .store
            .save_session(&a, None, &afternoon(e, date(2030, 1, 15), Some(theme)))
            .await
            .unwrap()
            .unwrap();
        let summer = app
            .store
            .save_session(&a, None, &afternoon(e, date(2030, 7, 15), None))
            .await
            .unwrap()
            .unwrap();
        let draft = event(&app, "Brouillon", Some(series), EventStatus::Draft).await;
        app.store
            .save_session(&a, None, &afternoon(draft, date(2030, 2, 1), Some(theme)))
            .await
            .unwrap()
            .unwrap();

        let (first, lines) = fetch(&app, "/agenda.ics").await;
        let evs = events(&lines);
        assert_eq!(evs.len(), 2, "the draft stays out");
        assert!(
            lines.iter().any(|l| l == "BEGIN:VTIMEZONE")
                && lines.iter().any(|l| l == "TZID:Europe/Paris")
        );
        let (wu, su) = (
            format!("session-{winter}@localhost"),
            format!("session-{summer}@localhost"),
        );
        assert!(
            find(&evs, &wu).contains(&"DTSTART;TZID=Europe/Paris:20300115T140000".to_string()),
            "14 h in winter"
        );
        assert!(
            find(&evs, &su).contains(&"DTSTART;TZID=Europe/Paris:20300715T140000".to_string()),
            "14 h in summer"
        );
        assert_eq!(
            property(find(&evs, &wu), "SUMMARY"),
            Some("Atelier IA\\, images\\; et vidéos")
        );
        assert_eq!(
            property(find(&evs, &wu), "URL"),
            Some(format!("http://localhost/events/{e}").as_str())
        );
        assert_eq!(property(find(&evs, &su), "STATUS"), Some("CONFIRMED"));

        let (second, lines) = fetch(&app, "/agenda.ics").await;
        assert_eq!(first, second, "the same feed twice: same UIDs, same stamps");
        let _ = lines;

        // An edit: a later end.
        let mut w = afternoon(e, date(2030, 1, 15), Some(theme));
        w.ends_at += 1800;
        app.store
            .save_session(&a, Some(winter), &w)
            .await
            .unwrap()
            .unwrap();
        let (edited, lines) = fetch(&app, "/agenda.ics").await;
        let after_edit = events(&lines);
        assert!(sequence(&after_edit, &wu) > sequence(&evs, &wu));
        assert!(
            find(&after_edit, &wu).contains(&"DTEND;TZID=Europe/Paris:20300115T160000".to_string())
        );

        // A cancellation: still there, cancelled, with a higher SEQUENCE.
        app.store
            .set_session_cancelled(&a, summer, true)
            .await
            .unwrap();
        let (cancelled, lines) = fetch(&app, "/agenda.ics").await;
        let after_cancel = events(&lines);
        assert_eq!(
            property(find(&after_cancel, &su), "STATUS"),
            Some("CANCELLED")
        );
        assert!(sequence(&after_cancel, &su) > sequence(&after_edit, &su));

        independent_check(
            &[
                ("first", &first),
                ("second", &second),
                ("edited", &edited),
                ("cancelled", &cancelled),
            ],
            &[
                "--edited-uid".into(),
                wu.clone(),
                "--cancelled-uid".into(),
                su.clone(),
                "--winter-uid".into(),
                wu.clone(),
                "--summer-uid".into(),
                su.clone(),
            ],
        );

        // Per series, theme, event and session.
        assert_eq!(
            events(&fetch(&app, &format!("/series/{series}.ics")).await.1).len(),
            2
        );
        let by_theme = events(&fetch(&app, &format!("/themes/{theme}.ics")).await.1);
        assert_eq!(
            by_theme.iter().map(|(u, _)| u.as_str()).collect::<Vec<_>>(),
            [wu.as_str()],
            "the draft's session stays out"
        );
        assert_eq!(
            events(&fetch(&app, &format!("/events/{e}.ics")).await.1).len(),
            2
        );
        let one = events(
            &fetch(&app, &format!("/events/{e}.ics?session={summer}"))
                .await
                .1,
        );
        assert_eq!(
            one.iter().map(|(u, _)| u.as_str()).collect::<Vec<_>>(),
            [su.as_str()]
        );
        let mut c = Client::default();
        for missing in [
            format!("/events/{draft}.ics"),
            "/series/999.ics".into(),
            "/series/abc".into(),
            "/themes/1".into(),
            format!("/events/{e}.ics?session=999"),
            "/events/abc".into(),
        ] {
            assert_eq!(
                app.get(&mut c, &missing).await.status,
                StatusCode::NOT_FOUND,
                "{missing}"
            );
        }

        // The event page offers it, and the agenda the subscription.
        let page = app.get(&mut c, &format!("/events/{e}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&format!("href=\"/events/{e}.ics\"")));
        assert!(
            page.body
                .contains(&format!("href=\"/events/{e}.ics?session={winter}\""))
        );
        assert!(
            app.get(&mut c, "/agenda")
                .await
                .body
                .contains("href=\"/agenda.ics\"")
        );
    }
);

fn party(email: &str) -> Party {
    Party {
        name: format!("Personne {email}"),
        email: Some(EmailAddress::parse("email", email).unwrap()),
        phone: String::new(),
        seats: 1,
        ages: vec![],
    }
}

http_test!(
    async fn staff_write_to_the_confirmed_registrants(app: TestApp) {
        let a = actor(&app);
        let e = event(&app, "Atelier robotique", None, EventStatus::Published).await;
        let d = jiff::Zoned::now()
            .with_time_zone(paris())
            .date()
            .checked_add(jiff::Span::new().days(7))
            .unwrap();
        let mut w = afternoon(e, d, None);
        w.capacity = Some(1);
        let s = app.store.save_session(&a, None, &w).await.unwrap().unwrap();
        app.store
            .set_registration_settings(
                &a,
                s,
                &RegistrationSettings {
                    opens_at: None,
                    closes_at: None,
                    max_seats: 1,
                },
            )
            .await
            .unwrap();
        for (i, email) in ["anne@example.org", "ben@example.org"].iter().enumerate() {
            let new = NewRegistration {
                target: Target::Session(s),
                party: party(email),
                token_hash: format!("t{i}"),
                idempotency_hash: format!("k{i}"),
                by_staff: false,
                lang: almanach_domain::Lang::Fr,
                link_sealed: None,
            };
            app.store.register(&a, &new).await.unwrap();
        }

        let mut viewer = app.signed_in(Role::Viewer).await;
        let page = app
            .get(&mut viewer, &format!("/staff/sessions/{s}/emails"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.body.contains("anne@example.org") && !page.body.contains("name=\"subject\""),
            "a viewer sees neither people nor the form"
        );
        let r = app
            .post(
                &mut viewer,
                &format!("/staff/sessions/{s}/emails"),
                &[("subject", "x"), ("message", "y")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        let mut c = app.signed_in(Role::Coordinator).await;
        let page = app
            .get(&mut c, &format!("/staff/sessions/{s}/registrations"))
            .await;
        assert!(
            page.body
                .contains(&format!("href=\"/staff/sessions/{s}/emails\"")),
            "linked from the registrations page"
        );
        let page = app
            .get(&mut c, &format!("/staff/sessions/{s}/emails"))
            .await;
        assert!(
            page.body.contains("Envoyer à 1 personne<")
                && page.body.contains("1 personne sera prévenue par e-mail."),
            "only the confirmed party"
        );
        assert!(
            page.body.contains("anne@example.org") && page.body.contains("Confirmation"),
            "what was enqueued is listed"
        );

        let r = app
            .post(
                &mut c,
                &format!("/staff/sessions/{s}/emails"),
                &[("subject", " "), ("message", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("aria-describedby=\"e-subject\"")
                && r.body.contains("id=\"e-message\""),
            "errors next to each field"
        );
        let staff = OutboxFilter {
            kind: Some(MailKind::Staff),
            ..Default::default()
        };
        assert!(
            app.store
                .outbox(app.library_id, &staff)
                .await
                .unwrap()
                .is_empty(),
            "nothing saved"
        );

        let r = app
            .post(
                &mut c,
                &format!("/staff/sessions/{s}/emails"),
                &[
                    ("subject", "Apportez un ordinateur"),
                    ("message", "Si vous en avez un.\nMerci !"),
                ],
            )
            .await;
        assert_eq!(
            (r.status, r.location()),
            (
                StatusCode::SEE_OTHER,
                format!("/staff/sessions/{s}/emails?done=queued").as_str()
            )
        );
        let sent = app.store.outbox(app.library_id, &staff).await.unwrap();
        assert_eq!(
            sent.iter()
                .map(|m| m.recipient.as_str())
                .collect::<Vec<_>>(),
            ["anne@example.org"]
        );
        assert_eq!(sent[0].payload["message"], "Si vous en avez un.\nMerci !");
        let page = app
            .get(&mut c, &format!("/staff/sessions/{s}/emails?done=queued"))
            .await;
        assert!(
            page.body.contains("Message mis en file d&#39;envoi.")
                && page.body.contains("Message de l&#39;équipe")
        );
    }
);
