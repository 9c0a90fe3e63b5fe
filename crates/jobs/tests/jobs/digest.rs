//! The weekly digest to IT through a real SMTP exchange with a server the
//! tests start: it goes at its hour to the IT accounts and the extra
//! addresses, once a week, tells what is late, due, in trouble and without
//! IT with a link to each need, leaves out what is not IT's, survives an
//! SMTP outage, and speaks English when asked. SQLite and PostgreSQL; the
//! clock is passed in, never slept on.

use crate::support;
use almanach_domain::ids::LibraryId;

use almanach_domain::Lang;
use almanach_domain::logistics::{NeedStatus, Provider};
use almanach_domain::staff::Role;
use almanach_jobs::Worker;
use almanach_store::*;
use jiff::civil::{Date, date};
use support::mime::{self, Part};
use support::smtp::{Mode, TestSmtp};
use support::*;

/// A session of a new published event "title" on `d`, 14 h – 16 h, in
/// `room`, with one need.
async fn need_on(
    store: &Store,
    lib: LibraryId,
    title: &str,
    d: Date,
    room: Option<i64>,
    (type_name, quantity, details, provider): (&str, u32, &str, Provider),
) -> i64 {
    let event_id = testing::published_event(store, lib, title).await;
    let w = SessionWrite {
        room_id: room,
        ..testing::session_write(event_id, d, 14, 16)
    };
    let session = store
        .save_session(&actor(lib), None, &w)
        .await
        .unwrap()
        .unwrap();
    let w = NeedWrite {
        need_type_id: testing::need_type_id(store, lib, type_name).await,
        quantity,
        details: details.into(),
        provider,
        due_override: None,
    };
    store.add_need(&actor(lib), session, &w).await.unwrap()
}

fn received(server: &TestSmtp) -> Vec<(String, Part)> {
    let mut v: Vec<(String, Part)> = server
        .received()
        .into_iter()
        .map(|r| (r.to.join(","), mime::parse(&r.data)))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn text(p: &Part) -> String {
    p.leaf("text/plain").body.replace("\r\n", "\n")
}

/// The week of Monday 7 December 2026, as IT should read it.
struct Week {
    late: i64,
    due: i64,
    problem: i64,
    sunday: i64,
    team: i64,
}

async fn week(store: &Store, lib: LibraryId) -> Week {
    let room = store
        .save_room(
            &actor(lib),
            &Room {
                name: "Salle Jules Verne".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // Thursday 10: IT due Thursday 3, five IT working days before: late.
    let late = need_on(
        store,
        lib,
        "Atelier robotique",
        date(2026, 12, 10),
        Some(room),
        ("Vidéoprojecteur", 1, "", Provider::It),
    )
    .await;
    // Tuesday 15: due Tuesday 8, within the week.
    let due = need_on(
        store,
        lib,
        "Initiation à Scratch",
        date(2026, 12, 15),
        None,
        ("Ordinateurs portables", 8, "avec Scratch 3", Provider::It),
    )
    .await;
    // Tuesday 22, far ahead, but with a problem.
    let problem = need_on(
        store,
        lib,
        "Point de l'IA",
        date(2026, 12, 22),
        Some(room),
        ("Micros", 2, "", Provider::It),
    )
    .await;
    store
        .set_need_status(&actor(lib), problem, NeedStatus::Problem, "Piles à changer")
        .await
        .unwrap()
        .unwrap();
    // Sunday 13: IT is away; its need is ready, the team tests without IT.
    let sunday = need_on(
        store,
        lib,
        "Dimanche de l'innovation",
        date(2026, 12, 13),
        None,
        ("Sonorisation", 1, "", Provider::It),
    )
    .await;
    store
        .set_need_status(&actor(lib), sunday, NeedStatus::Ready, "")
        .await
        .unwrap()
        .unwrap();
    // The team's own need, due this week: not IT's business.
    let team = need_on(
        store,
        lib,
        "Fresque du climat",
        date(2026, 12, 9),
        Some(room),
        ("Disposition de la salle", 1, "en îlots", Provider::Team),
    )
    .await;
    Week {
        late,
        due,
        problem,
        sunday,
        team,
    }
}

async fn with_recipients(store: &Store, lib: LibraryId, lang: Lang) {
    store
        .create_staff(
            &actor(lib),
            "yann.it@mediatheque.test",
            "Yann",
            Role::It,
            "x",
        )
        .await
        .unwrap();
    let s = store.digest_settings(lib).await.unwrap();
    store
        .save_digest_settings(
            &actor(lib),
            &DigestSettings {
                extra_to: vec!["dsi@ville.test".into()],
                lang,
                ..s
            },
        )
        .await
        .unwrap();
}

on_both_backends!(
    async fn monday_at_8_h_it_receives_the_week_once(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let w = week(&store, lib).await;
        with_recipients(&store, lib, Lang::Fr).await;
        let server = TestSmtp::start().await;
        let worker = smtp_worker(&store, &server, settings());
        let monday = date(2026, 12, 7);

        assert_eq!(worker.tick(at(monday, 7, 59)).await.unwrap().sent, 0);
        assert!(server.received().is_empty(), "not before 8 h");
        assert_eq!(worker.tick(at(monday, 8, 0)).await.unwrap().sent, 2);
        for t in [at(monday, 8, 1), at(date(2026, 12, 11), 17, 0)] {
            assert_eq!(worker.tick(t).await.unwrap().sent, 0, "once a week");
        }
        let mails = received(&server);
        let to: Vec<&str> = mails.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(to, ["dsi@ville.test", "yann.it@mediatheque.test"]);

        let mail = &mails[1].1;
        assert_eq!(
            mail.header("subject").unwrap(),
            "Ma médiathèque : préparation technique du lundi 7 décembre au dimanche 13 décembre"
        );
        assert!(!mail.has("text/calendar"), "nothing to add to a calendar");
        let body = text(mail);
        let expected = [
            "Bonjour,".to_string(),
            "Voici ce que l'équipe de Ma médiathèque attend du service informatique, du lundi 7 décembre au dimanche 13 décembre.".into(),
            "En retard (1)".into(),
            "- Vidéoprojecteur\n  Pour « Atelier robotique », jeudi 10 décembre, 14 h – 16 h, Salle Jules Verne\n  Attendu le jeudi 3 décembre · demandé".into(),
            format!("{PUBLIC}/staff/needs/{}", w.late),
            "À préparer cette semaine (1)".into(),
            "- Ordinateurs portables × 8 (avec Scratch 3)\n  Pour « Initiation à Scratch », mardi 15 décembre, 14 h – 16 h".into(),
            "Attendu le mardi 8 décembre · demandé".into(),
            format!("{PUBLIC}/staff/needs/{}", w.due),
            "Problèmes signalés (1)".into(),
            "- Micros × 2\n  Pour « Point de l'IA », mardi 22 décembre, 14 h – 16 h, Salle Jules Verne\n  Attendu le mardi 15 décembre · problème".into(),
            format!("{PUBLIC}/staff/needs/{}", w.problem),
            "Séances sans le service informatique\n- « Dimanche de l'innovation », dimanche 13 décembre, 14 h – 16 h : tout doit être prêt le vendredi 11 décembre ; l'équipe testera l'installation sans vous.".into(),
            format!("Le tableau du service informatique, à jour :\n{PUBLIC}/staff/it"),
        ];
        let mut rest = body.as_str();
        for part in &expected {
            let i = rest
                .find(part.as_str())
                .unwrap_or_else(|| panic!("{part:?} missing, or out of order, in:\n{body}"));
            rest = &rest[i + part.len()..];
        }
        for absent in [
            "Fresque du climat".to_string(),
            format!("/staff/needs/{}", w.team),
            format!("/staff/needs/{}", w.sunday),
            "[[private-link]]".into(),
            "Rien n'est attendu".into(),
        ] {
            assert!(!body.contains(&absent), "{absent:?} in:\n{body}");
        }
        let html = &mail.leaf("text/html").body;
        assert!(html.contains("<html lang=\"fr\">"));
        assert!(html.contains(&format!("href=\"{PUBLIC}/staff/needs/{}\"", w.due)));
        assert!(html.contains("Ordinateurs portables × 8"));

        // Kept as sent, for the coordinator's page.
        let kept = store
            .outbox(
                lib,
                &OutboxFilter {
                    kind: Some(MailKind::ItDigest),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(
            kept.iter()
                .all(|m| m.status == MailStatus::Sent && m.text_body == body)
        );
    }
);

on_both_backends!(
    async fn an_smtp_outage_delays_the_digest_and_loses_nothing(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        week(&store, lib).await;
        with_recipients(&store, lib, Lang::Fr).await;
        let server = TestSmtp::start().await;
        server.set(Mode::Down);
        let worker = smtp_worker(&store, &server, settings());
        let t = at(date(2026, 12, 7), 8, 0);
        let d = worker.tick(t).await.unwrap();
        assert_eq!((d.sent, d.retried), (0, 2));
        server.set(Mode::Accept);
        // Retried a minute later, composed once: the same message.
        let d = worker.tick(t + 61).await.unwrap();
        assert_eq!((d.sent, d.retried), (2, 0));
        assert_eq!(received(&server).len(), 2);
        assert_eq!(worker.tick(t + 3600).await.unwrap().sent, 0);
    }
);

on_both_backends!(
    async fn the_digest_in_english_and_an_empty_one_sent_by_hand(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        week(&store, lib).await;
        with_recipients(&store, lib, Lang::En).await;
        let server = TestSmtp::start().await;
        let worker: Worker = smtp_worker(&store, &server, settings());
        worker.tick(at(date(2026, 12, 7), 8, 0)).await.unwrap();
        let mails = received(&server);
        let mail = &mails[0].1;
        assert_eq!(
            mail.header("subject").unwrap(),
            "Ma médiathèque: technical preparation, Monday 7 December to Sunday 13 December"
        );
        let body = text(mail);
        for part in [
            "Hello,",
            "Late (1)",
            "For “Atelier robotique”, Thursday 10 December, 2 pm – 4 pm, Salle Jules Verne",
            "Due Thursday 3 December · requested",
            "To prepare this week (1)",
            "Sessions without the IT department",
        ] {
            assert!(body.contains(part), "{part:?} missing in:\n{body}");
        }
        assert!(mail.leaf("text/html").body.contains("<html lang=\"en\">"));

        // In January nothing is asked of IT: sent by hand all the same, it says so.
        let coordinator = Actor::system(lib, "Claire Martin");
        assert_eq!(
            store
                .enqueue_digest_now(&coordinator, date(2027, 1, 11))
                .await
                .unwrap(),
            2
        );
        assert_eq!(
            worker
                .drain_once(at(date(2027, 1, 11), 10, 0))
                .await
                .unwrap()
                .sent,
            2
        );
        let mails = received(&server);
        let last = text(&mails.last().unwrap().1);
        assert!(
            last.contains("Nothing is expected from the IT department this week.")
                && !last.contains("Late ("),
            "{last}"
        );
    }
);
