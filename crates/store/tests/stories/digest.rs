//! The weekly digest to IT in the store: its settings, who receives it,
//! when it is due, the week's record that makes it go once (also with two
//! servers racing), weeks with nothing to tell or nobody to tell it, and
//! staff's "send it now". The same stories on SQLite and PostgreSQL.

use almanach_domain::Lang;
use almanach_domain::calendar::{local_to_instant, paris};
use almanach_domain::ids::{LibraryId, RegistrationId, SessionId};
use almanach_domain::logistics::{DigestSchedule, NeedStatus, Provider};
use almanach_domain::staff::Role;
use almanach_store::*;
use jiff::civil::{Date, Time, date};

fn actor(lib: LibraryId) -> Actor {
    Actor::system(lib, "test")
}

/// The instant of a Paris wall-clock time.
fn at(d: Date, h: i8, m: i8) -> i64 {
    local_to_instant(&paris(), d, Time::constant(h, m, 0, 0))
        .unwrap()
        .as_second()
}

/// A published event with one session on `d`, 14 h – 16 h, asking IT for
/// a projector; returns the need.
async fn it_need(store: &Store, lib: LibraryId, title: &str, d: Date) -> i64 {
    let event_id = testing::published_event(store, lib, title).await;
    let session = store
        .save_session(
            &actor(lib),
            None,
            &testing::session_write(event_id, d, 14, 16),
        )
        .await
        .unwrap()
        .unwrap();
    let w = NeedWrite {
        need_type_id: testing::need_type_id(store, lib, "Vidéoprojecteur").await,
        quantity: 1,
        details: String::new(),
        provider: Provider::It,
        due_override: None,
    };
    store.add_need(&actor(lib), session, &w).await.unwrap()
}

async fn staff(store: &Store, lib: LibraryId, email: &str, role: Role) -> i64 {
    store
        .create_staff(&actor(lib), email, email, role, "x")
        .await
        .unwrap()
}

async fn digests(store: &Store, lib: LibraryId) -> Vec<OutboxMessage> {
    let filter = OutboxFilter {
        kind: Some(MailKind::ItDigest),
        ..Default::default()
    };
    let mut v = store.outbox(lib, &filter).await.unwrap();
    v.sort_by(|a, b| a.recipient.cmp(&b.recipient));
    v
}

/// What the worker does each minute, without composing.
async fn round(store: &Store, now: i64) -> Vec<DigestWeek> {
    let mut done = Vec::new();
    for due in store.due_digests(now).await.unwrap() {
        let content = store.it_digest(due.library_id, due.today).await.unwrap();
        if let Some(w) = store
            .enqueue_weekly_digest(&due, content.is_empty())
            .await
            .unwrap()
        {
            done.push(w);
        }
    }
    done
}

on_both_backends!(
    async fn settings_default_to_monday_8_h_and_are_audited(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let s = store.digest_settings(lib).await.unwrap();
        assert_eq!(
            s,
            DigestSettings {
                enabled: true,
                schedule: DigestSchedule::DEFAULT,
                extra_to: vec![],
                lang: Lang::Fr,
            }
        );
        let new = DigestSettings {
            enabled: true,
            schedule: DigestSchedule {
                weekday: 5,
                hour: 16,
            },
            extra_to: vec!["dsi@ville.test".into(), "support@ville.test".into()],
            lang: Lang::En,
        };
        store.save_digest_settings(&actor(lib), &new).await.unwrap();
        assert_eq!(store.digest_settings(lib).await.unwrap(), new);
        let log = store
            .audit_log(lib, Some(("digest_settings", lib.get())), 10)
            .await
            .unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].before.as_ref().unwrap()["schedule"]["weekday"], 1);
        assert_eq!(log[0].after.as_ref().unwrap()["schedule"]["hour"], 16);
        // The IT settings are another form: they keep the digest's.
        let it = store.logistics_settings(lib).await.unwrap();
        store
            .save_logistics_settings(
                &actor(lib),
                &LogisticsSettings {
                    it_lead_days: 3,
                    ..it
                },
            )
            .await
            .unwrap();
        assert_eq!(store.digest_settings(lib).await.unwrap(), new);
    }
);

on_both_backends!(
    async fn recipients_are_the_active_it_accounts_then_the_addresses_each_once(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        assert!(store.digest_recipients(lib).await.unwrap().is_empty());
        staff(&store, lib, "yann.it@mediatheque.test", Role::It).await;
        let gone = staff(&store, lib, "ancien.it@mediatheque.test", Role::It).await;
        staff(&store, lib, "claire@mediatheque.test", Role::Coordinator).await;
        store
            .update_staff(&actor(lib), gone, "Ancien", Role::It, false, None)
            .await
            .unwrap();
        let s = store.digest_settings(lib).await.unwrap();
        store
            .save_digest_settings(
                &actor(lib),
                &DigestSettings {
                    extra_to: vec!["dsi@ville.test".into(), "yann.it@mediatheque.test".into()],
                    ..s
                },
            )
            .await
            .unwrap();
        assert_eq!(
            store.digest_recipients(lib).await.unwrap(),
            ["yann.it@mediatheque.test", "dsi@ville.test"],
            "a deactivated account and the coordinator receive nothing; an address given twice goes once"
        );
    }
);

on_both_backends!(
    async fn the_week_goes_once_from_its_moment_and_again_the_next_week(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        staff(&store, lib, "yann.it@mediatheque.test", Role::It).await;
        let s = store.digest_settings(lib).await.unwrap();
        store
            .save_digest_settings(
                &actor(lib),
                &DigestSettings {
                    extra_to: vec!["dsi@ville.test".into()],
                    ..s
                },
            )
            .await
            .unwrap();
        // Monday 7 December 2026; a session on Tuesday 15: IT due Tuesday 8.
        let monday = date(2026, 12, 7);
        it_need(&store, lib, "Atelier robotique", date(2026, 12, 15)).await;

        assert!(
            round(&store, at(monday, 7, 59)).await.is_empty(),
            "not before 8 h"
        );
        assert!(digests(&store, lib).await.is_empty());
        let done = round(&store, at(monday, 8, 0)).await;
        assert_eq!(
            done,
            [DigestWeek {
                week: monday,
                created_at: done[0].created_at,
                recipients: 2,
                skipped: None,
            }]
        );
        let sent = digests(&store, lib).await;
        let to: Vec<(&str, Option<RegistrationId>, Option<SessionId>)> = sent
            .iter()
            .map(|m| (m.recipient.as_str(), m.registration_id, m.session_id))
            .collect();
        assert_eq!(
            to,
            [
                ("dsi@ville.test", None, None),
                ("yann.it@mediatheque.test", None, None)
            ]
        );
        assert!(sent.iter().all(|m| m.status == MailStatus::Pending
            && m.payload["from"] == "2026-12-07"
            && m.payload["week"] == "2026-12-07"
            && m.lang == Lang::Fr));

        // Every later minute of the week: nothing more.
        for t in [
            at(monday, 8, 1),
            at(date(2026, 12, 10), 12, 0),
            at(date(2026, 12, 14), 7, 59),
        ] {
            assert!(round(&store, t).await.is_empty());
        }
        assert!(
            store
                .due_digests(at(monday, 9, 0))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(digests(&store, lib).await.len(), 2);

        // The next Monday, another week.
        let next = date(2026, 12, 14);
        let done = round(&store, at(next, 8, 0)).await;
        assert_eq!(done.len(), 1);
        assert_eq!((done[0].week, done[0].recipients), (next, 2));
        assert_eq!(digests(&store, lib).await.len(), 4);
        let weeks: Vec<Date> = store
            .digest_weeks(lib, 10)
            .await
            .unwrap()
            .iter()
            .map(|w| w.week)
            .collect();
        assert_eq!(weeks, [next, monday], "newest first");
    }
);

on_both_backends!(
    async fn a_server_stopped_at_the_moment_catches_up_within_the_week(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        staff(&store, lib, "yann.it@mediatheque.test", Role::It).await;
        it_need(&store, lib, "Atelier robotique", date(2026, 12, 17)).await;
        // Down from Sunday to Wednesday 10 h: the week's digest goes then,
        // telling what is due from Wednesday.
        let wednesday = date(2026, 12, 9);
        let done = round(&store, at(wednesday, 10, 0)).await;
        assert_eq!((done[0].week, done[0].recipients), (date(2026, 12, 7), 1));
        let sent = digests(&store, lib).await;
        assert_eq!(sent[0].payload["from"], "2026-12-09");
    }
);

on_both_backends!(
    async fn a_week_with_nothing_to_tell_or_nobody_to_tell_sends_nothing(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        // Nobody yet: the week is recorded, nothing enqueued.
        it_need(&store, lib, "Atelier robotique", date(2026, 12, 15)).await;
        let done = round(&store, at(date(2026, 12, 7), 8, 0)).await;
        assert_eq!(
            (done[0].recipients, done[0].skipped),
            (0, Some(DigestSkip::NoRecipients))
        );
        assert!(digests(&store, lib).await.is_empty());
        // The week after: IT has an account, and the need is ready.
        staff(&store, lib, "yann.it@mediatheque.test", Role::It).await;
        let need = store
            .it_board(lib, &BoardFilter::default(), date(2026, 12, 14))
            .await
            .unwrap()[0]
            .id;
        store
            .set_need_status(&actor(lib), need, NeedStatus::Ready, "")
            .await
            .unwrap()
            .unwrap();
        let done = round(&store, at(date(2026, 12, 14), 8, 0)).await;
        assert_eq!(
            (done[0].recipients, done[0].skipped),
            (0, Some(DigestSkip::Empty))
        );
        assert!(digests(&store, lib).await.is_empty());
        // Turned off: no week is even recorded.
        let s = store.digest_settings(lib).await.unwrap();
        store
            .save_digest_settings(
                &actor(lib),
                &DigestSettings {
                    enabled: false,
                    ..s
                },
            )
            .await
            .unwrap();
        assert!(
            store
                .due_digests(at(date(2026, 12, 21), 8, 0))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.digest_weeks(lib, 10).await.unwrap().len(), 2);
    }
);

on_both_backends!(
    async fn send_now_goes_to_everyone_and_is_audited(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let coordinator = Actor {
            library_id: lib,
            staff_id: None,
            label: "Claire Martin".into(),
        };
        assert_eq!(
            store
                .enqueue_digest_now(&coordinator, date(2026, 12, 4))
                .await
                .unwrap(),
            0,
            "nobody to send it to"
        );
        assert!(digests(&store, lib).await.is_empty());
        staff(&store, lib, "yann.it@mediatheque.test", Role::It).await;
        assert_eq!(
            store
                .enqueue_digest_now(&coordinator, date(2026, 12, 4))
                .await
                .unwrap(),
            1
        );
        let sent = digests(&store, lib).await;
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].payload["from"], "2026-12-04");
        assert!(sent[0].payload.get("week").is_none());
        // The weekly sending is not changed by it.
        assert!(store.digest_weeks(lib, 10).await.unwrap().is_empty());
        let log = store
            .audit_log(lib, Some(("digest_settings", lib.get())), 10)
            .await
            .unwrap();
        assert_eq!(
            (log[0].action.as_str(), log[0].actor.as_str()),
            ("send_digest", "Claire Martin")
        );
        assert_eq!(
            log[0].after.as_ref().unwrap()["recipients"][0],
            "yann.it@mediatheque.test"
        );
    }
);

/// Two servers on one database reach the week's moment together: the
/// week is recorded once and each recipient gets one message.
async fn two_servers_race_for_the_week(backend: Backend) {
    let url = testing::fresh_url(backend).await.expect("a fresh database");
    let (one, two) = (
        Store::open(&url).await.unwrap(),
        Store::open(&url).await.unwrap(),
    );
    let lib = one.default_library().await.unwrap().id;
    staff(&one, lib, "yann.it@mediatheque.test", Role::It).await;
    staff(&one, lib, "zoe.it@mediatheque.test", Role::It).await;
    it_need(&one, lib, "Atelier robotique", date(2026, 12, 15)).await;
    let t = at(date(2026, 12, 7), 8, 0);
    let mut tasks = Vec::new();
    for store in [one.clone(), two.clone(), one.clone(), two.clone()] {
        tasks.push(tokio::spawn(async move { round(&store, t).await.len() }));
    }
    let mut recorded = 0;
    for task in tasks {
        recorded += task.await.unwrap();
    }
    assert_eq!(recorded, 1, "one round records the week");
    let sent = digests(&two, lib).await;
    assert_eq!(
        sent.iter()
            .map(|m| m.recipient.as_str())
            .collect::<Vec<_>>(),
        ["yann.it@mediatheque.test", "zoe.it@mediatheque.test"]
    );
}

almanach_store::on_each_backend!(
    two_servers_race_for_the_week_on_each_backend,
    super::two_servers_race_for_the_week,
    4
);
