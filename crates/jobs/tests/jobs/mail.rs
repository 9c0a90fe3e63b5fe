//! E-mails through a real SMTP exchange with a server the tests start: what
//! a registration sends and that its link works, French and English, an
//! outage (nothing lost, retried with backoff), a worker that died holding
//! a message, promotions, cancellations by staff, reminders at the
//! configured hour, permanent refusals, and `.eml` files without SMTP. Every
//! story runs on SQLite and PostgreSQL; the clock is passed in, never slept on.

use crate::support;
use almanach_domain::ids::{LibraryId, SessionId};

use almanach_domain::ical::{property, unfold};
use almanach_domain::registration::{EmailAddress, Party};
use almanach_domain::{Lang, link};
use almanach_jobs::{Drained, LINK_PLACEHOLDER, Transport, Worker};
use almanach_store::*;
use axum::http::StatusCode;
use support::mime::{self, Part};
use support::smtp::{Mode, TestSmtp};
use support::*;

/// Registers through the store (the link is not under test here).
async fn register(
    store: &Store,
    lib: LibraryId,
    session: SessionId,
    email: &str,
    lang: Lang,
) -> Registration {
    let seed = format!("key-{email}");
    let new = NewRegistration {
        target: Target::Session(session),
        party: Party {
            name: format!("Personne {email}"),
            email: Some(EmailAddress::parse("email", email).unwrap()),
            phone: String::new(),
            seats: 1,
            ages: vec![],
        },
        token_hash: link::token_hash(&key().token(&seed)),
        idempotency_hash: seed,
        by_staff: false,
        lang,
        link_sealed: None,
    };
    match store.register(&actor(lib), &new).await.unwrap() {
        Registered::New(r) => r,
        other => panic!("{other:?}"),
    }
}

/// Messages received, parsed, with their envelope recipient.
fn received(server: &TestSmtp) -> Vec<(String, Part)> {
    server
        .received()
        .into_iter()
        .map(|r| (r.to.join(","), mime::parse(&r.data)))
        .collect()
}

fn to<'a>(mails: &'a [(String, Part)], recipient: &str) -> Vec<&'a Part> {
    mails
        .iter()
        .filter(|(r, _)| r == recipient)
        .map(|(_, p)| p)
        .collect()
}

fn subject(p: &Part) -> &str {
    p.header("subject").unwrap()
}

/// The text part, with the line ends a reader sees.
fn text(p: &Part) -> String {
    p.leaf("text/plain").body.replace("\r\n", "\n")
}

async fn only_message(store: &Store, lib: LibraryId) -> OutboxMessage {
    let mut all = store.outbox(lib, &OutboxFilter::default()).await.unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

on_both_backends!(
    async fn a_registration_sends_its_confirmation_with_a_working_link(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (e, s) = workshop(&store, lib, 10, day(30)).await;
        let web = Web::new(&store);
        let answer = web
            .register(e, s, "Anne Dupont", "anne@example.org", "fr")
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
        let server = TestSmtp::start().await;
        let worker = smtp_worker(&store, &server, settings());

        let d = worker.drain_once(now()).await.unwrap();
        assert_eq!(
            d,
            Drained {
                sent: 1,
                retried: 0,
                failed: 0
            }
        );
        let got = server.received();
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].from.as_str(), got[0].to.as_slice()),
            (
                "agenda@mediatheque.test",
                ["anne@example.org".to_string()].as_slice()
            )
        );
        assert_eq!(got[0].hello, "agenda.test", "EHLO with the public host");
        let mail = mime::parse(&got[0].data);
        assert_eq!(subject(&mail), "Inscription confirmée : Atelier robotique");
        assert!(
            mail.header("from")
                .unwrap()
                .contains("agenda@mediatheque.test")
        );
        assert!(
            mail.header("message-id")
                .unwrap()
                .ends_with("@agenda.test>")
        );
        assert_eq!(mail.content_type(), "multipart/mixed");

        // French text and HTML, the same facts in both.
        let body = text(&mail);
        assert!(body.starts_with("Bonjour Anne Dupont,"), "{body}");
        assert!(
            body.contains("Votre inscription à « Atelier robotique » est confirmée (1 place)."),
            "{body}"
        );
        assert!(body.contains(", 14 h – 16 h, Salle Jules Verne"), "{body}");
        let html = &mail.leaf("text/html").body;
        assert!(html.contains("<html lang=\"fr\">") && html.contains("Bonjour Anne Dupont,"));

        // The link is the one the registration page gave, and it works.
        let link = private_link(&body).expect("a private link in the text");
        assert_eq!(answer.location, format!("{}?new=1", &link[PUBLIC.len()..]));
        assert!(html.contains(&format!("href=\"{link}\"")));
        let page = web.get(&link[PUBLIC.len()..]).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Anne Dupont"));
        assert!(
            page.body
                .contains(&format!("href=\"/events/{e}.ics?session={s}\"")),
            "the private page offers the calendar"
        );

        // The calendar: the same UID as the feeds, 14:00 Paris time.
        let ics_part = mail.leaf("text/calendar");
        assert!(
            ics_part
                .header("content-disposition")
                .unwrap()
                .contains("seance.ics")
        );
        let lines = unfold(&ics_part.body);
        let uid = format!("session-{s}@agenda.test");
        assert_eq!(property(&lines, "UID"), Some(uid.as_str()));
        assert_eq!(property(&lines, "METHOD"), Some("PUBLISH"));
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("DTSTART;TZID=Europe/Paris:") && l.ends_with("T140000")),
            "{lines:?}"
        );
        independent_check(&ics_part.body, &uid, "14:00");

        // What is kept: sent, composed, without the link itself.
        let m = only_message(&store, lib).await;
        assert_eq!((m.status, m.attempts), (MailStatus::Sent, 1));
        assert!(
            m.text_body.contains(LINK_PLACEHOLDER)
                && !m.text_body.contains(&link)
                && !m.html_body.contains(&link[PUBLIC.len() + 3..])
        );
        // Sent once: another round finds nothing.
        assert_eq!(
            worker.drain_once(now() + 3600).await.unwrap(),
            Drained::default()
        );
        assert_eq!(server.received().len(), 1);
    }
);

on_both_backends!(
    async fn english_registrations_are_written_to_in_english_and_told_their_link_again(
        store: Store,
    ) {
        let lib = store.default_library().await.unwrap().id;
        let (e, s) = workshop(&store, lib, 10, day(30)).await;
        let web = Web::new(&store);
        assert_eq!(
            web.register(e, s, "Ben Smith", "ben@example.org", "en")
                .await
                .status,
            StatusCode::SEE_OTHER
        );
        // The same address again, from another form: "already registered".
        let again = web
            .register(e, s, "Ben Smith", "ben@example.org", "en")
            .await;
        assert_eq!(again.status, StatusCode::OK);
        let server = TestSmtp::start().await;
        smtp_worker(&store, &server, settings())
            .drain_once(now())
            .await
            .unwrap();
        let mails = received(&server);
        let ben = to(&mails, "ben@example.org");
        assert_eq!(ben.len(), 2);
        assert_eq!(subject(ben[0]), "Registration confirmed: Atelier robotique");
        assert!(
            text(ben[0]).starts_with("Hello Ben Smith,")
                && text(ben[0]).contains(", 2 pm – 4 pm, Salle Jules Verne")
        );
        assert_eq!(subject(ben[1]), "Your registration: Atelier robotique");
        assert!(
            text(ben[1]).contains("You are already registered")
                && text(ben[1]).contains("Your seat is confirmed (1 seat).")
        );
        assert_eq!(
            private_link(text(ben[0])),
            private_link(text(ben[1])),
            "the same link, sent again"
        );
        assert!(private_link(text(ben[1])).is_some());
        assert!(ben[1].has("text/calendar"));
    }
);

on_both_backends!(
    async fn nothing_is_lost_while_smtp_is_down_and_retries_back_off(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 10, day(30)).await;
        register(&store, lib, s, "anne@example.org", Lang::Fr).await;
        let server = TestSmtp::start().await;
        let worker = smtp_worker(&store, &server, settings());
        let t = now() + 1;

        server.set(Mode::Down);
        assert_eq!(
            worker.drain_once(t).await.unwrap(),
            Drained {
                sent: 0,
                retried: 1,
                failed: 0
            }
        );
        let m = only_message(&store, lib).await;
        assert_eq!(
            (m.status, m.attempts, m.next_attempt_at),
            (MailStatus::Pending, 1, t + 60),
            "retried in a minute"
        );
        assert!(m.last_error.contains("421"), "{}", m.last_error);
        assert!(m.composed(), "composed once, sent unchanged later");

        // Not before its time: the server is not even called.
        assert_eq!(worker.drain_once(t + 59).await.unwrap(), Drained::default());
        assert_eq!(server.connections(), 1);

        // Still refused (451 to MAIL FROM): the next wait doubles.
        server.set(Mode::Busy);
        assert_eq!(worker.drain_once(t + 60).await.unwrap().retried, 1);
        let m = only_message(&store, lib).await;
        assert_eq!((m.attempts, m.next_attempt_at), (2, t + 60 + 120));
        assert!(m.last_error.contains("451"), "{}", m.last_error);

        // The server is back: delivered, once.
        server.set(Mode::Accept);
        assert_eq!(
            worker.drain_once(t + 179).await.unwrap(),
            Drained::default()
        );
        assert_eq!(worker.drain_once(t + 180).await.unwrap().sent, 1);
        let got = received(&server);
        assert_eq!(got.len(), 1);
        assert_eq!(
            subject(&got[0].1),
            "Inscription confirmée : Atelier robotique"
        );
        let m = only_message(&store, lib).await;
        assert_eq!(
            (m.status, m.attempts, m.sent_at, m.last_error.as_str()),
            (MailStatus::Sent, 3, Some(t + 180), "")
        );
    }
);

on_both_backends!(
    async fn a_message_held_by_a_dead_worker_goes_once_its_lease_lapses(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 10, day(30)).await;
        register(&store, lib, s, "anne@example.org", Lang::Fr).await;
        let server = TestSmtp::start().await;
        let worker = smtp_worker(&store, &server, settings());
        let t = now() + 1;
        // Another process claimed it, then died before sending.
        let claimed = store
            .claim_due(t, worker.settings().lease_secs, 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 1);

        assert_eq!(
            worker.drain_once(t + 10).await.unwrap(),
            Drained::default(),
            "held while the lease runs"
        );
        assert!(server.received().is_empty());
        let lapse = t + worker.settings().lease_secs;
        assert_eq!(worker.drain_once(lapse).await.unwrap().sent, 1);
        assert_eq!(server.received().len(), 1);
        let m = only_message(&store, lib).await;
        assert_eq!((m.status, m.attempts), (MailStatus::Sent, 2));
        assert!(
            !store.mark_sent(&claimed[0], lapse).await.unwrap(),
            "the dead claim cannot record anything"
        );
    }
);

on_both_backends!(
    async fn a_stopping_worker_sends_its_current_message_and_gives_back_the_rest(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 10, day(30)).await;
        for who in ["anne", "ben", "chloe"] {
            register(&store, lib, s, &format!("{who}@example.org"), Lang::Fr).await;
        }
        let server = TestSmtp::start().await;
        let worker = smtp_worker(&store, &server, settings());
        let t = now() + 1;
        // SIGTERM arrived while the round was starting: one message goes,
        // the two others the round claimed are pending again at once.
        let stopping = std::sync::atomic::AtomicBool::new(true);
        let d = worker.drain(t, &stopping).await.unwrap();
        assert_eq!(d.sent, 0, "stopped before the round claimed anything");
        stopping.store(false, std::sync::atomic::Ordering::SeqCst);

        let claimed = store
            .claim_due(t, worker.settings().lease_secs, 10)
            .await
            .unwrap();
        assert_eq!(claimed.len(), 3);
        for m in &claimed[1..] {
            assert!(store.release_claim(m).await.unwrap());
        }
        assert!(
            !store.release_claim(&claimed[1]).await.unwrap(),
            "a claim is given back once"
        );
        let mut messages = store.outbox(lib, &OutboxFilter::default()).await.unwrap();
        messages.sort_by_key(|m| m.id);
        let held: Vec<_> = messages
            .iter()
            .filter(|m| m.status == MailStatus::Sending)
            .collect();
        assert_eq!(held.len(), 1, "only the claim not given back is held");
        for m in messages.iter().filter(|m| m.status != MailStatus::Sending) {
            assert_eq!(
                (m.status, m.attempts, m.lease_until),
                (MailStatus::Pending, 0, None),
                "given back as it was"
            );
        }
        // Another server takes the given-back messages without waiting for
        // a lease to lapse.
        assert_eq!(worker.drain_once(t).await.unwrap().sent, 2);
        assert_eq!(server.received().len(), 2);
    }
);

on_both_backends!(
    async fn a_worker_told_to_stop_mid_round_finishes_one_message_and_releases_the_others(
        store: Store,
    ) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 10, day(30)).await;
        for who in ["anne", "ben", "chloe"] {
            register(&store, lib, s, &format!("{who}@example.org"), Lang::Fr).await;
        }
        let server = TestSmtp::start().await;
        let worker = smtp_worker(&store, &server, settings());
        let t = now() + 1;
        // The stop comes during the first delivery (the SMTP exchange), as
        // SIGTERM would: that message finishes, the others go back.
        let stopping = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stopping.clone();
        let watcher = server.clone();
        let stopper = tokio::spawn(async move {
            while watcher.received().is_empty() {
                tokio::task::yield_now().await;
            }
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        let d = worker.drain(t, &stopping).await.unwrap();
        stopper.await.unwrap();
        assert!(d.sent >= 1, "the current message finished: {d:?}");
        let messages = store.outbox(lib, &OutboxFilter::default()).await.unwrap();
        assert!(
            messages
                .iter()
                .all(|m| m.status != MailStatus::Sending && m.lease_until.is_none()),
            "no lease left held: {messages:?}"
        );
        let sent = messages
            .iter()
            .filter(|m| m.status == MailStatus::Sent)
            .count();
        assert_eq!(sent, d.sent);
        assert_eq!(worker.drain_once(t).await.unwrap().sent, 3 - d.sent);
    }
);

on_both_backends!(
    async fn a_cancellation_promotes_the_waiting_party_who_is_told(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 1, day(30)).await;
        let anne = register(&store, lib, s, "anne@example.org", Lang::Fr).await;
        register(&store, lib, s, "ben@example.org", Lang::Fr).await;
        store
            .cancel_registration(&actor(lib), anne.id)
            .await
            .unwrap();
        let server = TestSmtp::start().await;
        assert_eq!(
            smtp_worker(&store, &server, settings())
                .drain_once(now())
                .await
                .unwrap()
                .sent,
            4
        );
        let mails = received(&server);

        let anne = to(&mails, "anne@example.org");
        assert_eq!(
            anne.iter().map(|p| subject(p)).collect::<Vec<_>>(),
            [
                "Inscription confirmée : Atelier robotique",
                "Inscription annulée : Atelier robotique"
            ]
        );
        assert!(
            !anne[1].has("text/calendar"),
            "nothing to add to a calendar"
        );
        let ben = to(&mails, "ben@example.org");
        assert_eq!(subject(ben[0]), "Liste d'attente : Atelier robotique");
        assert!(text(ben[0]).contains("en position 1") && !ben[0].has("text/calendar"));
        assert_eq!(
            subject(ben[1]),
            "Une place s'est libérée : Atelier robotique"
        );
        assert!(
            text(ben[1]).contains("est maintenant confirmée (1 place)"),
            "{}",
            text(ben[1])
        );
        assert!(
            private_link(text(ben[1])).is_some(),
            "the link, to cancel in turn"
        );
        assert_eq!(
            property(&unfold(&ben[1].leaf("text/calendar").body), "STATUS"),
            Some("CONFIRMED")
        );
    }
);

on_both_backends!(
    async fn staff_changes_and_cancellations_reach_every_registrant(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let d = day(30);
        let (_, s) = workshop(&store, lib, 1, d).await;
        register(&store, lib, s, "anne@example.org", Lang::Fr).await;
        register(&store, lib, s, "ben@example.org", Lang::En).await; // waiting
        let server = TestSmtp::start().await;
        let worker = smtp_worker(&store, &server, settings());
        worker.drain_once(now()).await.unwrap();

        // An hour later, same room.
        let mut w = write_of(&store, lib, s.get()).await;
        w.starts_at += 3600;
        w.ends_at += 3600;
        store
            .save_session(&actor(lib), Some(s), &w)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(worker.drain_once(now()).await.unwrap().sent, 2);
        // Then cancelled, the next round (a running worker composes each
        // message seconds after its change, from the session as it is then).
        store
            .set_session_cancelled(&actor(lib), s, true)
            .await
            .unwrap();
        assert_eq!(worker.drain_once(now()).await.unwrap().sent, 2);
        let mails = received(&server);

        let anne = to(&mails, "anne@example.org");
        assert_eq!(
            subject(anne[1]),
            "Changement d'horaire ou de salle : Atelier robotique"
        );
        assert!(
            text(anne[1]).contains("15 h – 17 h, Salle Jules Verne")
                && text(anne[1]).contains("Auparavant : ")
                && text(anne[1]).contains("14 h – 16 h, Salle Jules Verne."),
            "{}",
            text(anne[1])
        );
        let changed = unfold(&anne[1].leaf("text/calendar").body);
        assert!(
            changed
                .iter()
                .any(|l| l.starts_with("DTSTART;TZID=Europe/Paris:") && l.ends_with("T150000"))
        );
        assert_eq!(subject(anne[2]), "Séance annulée : Atelier robotique");
        assert!(text(anne[2]).contains("(annulée)"));
        let cancelled = unfold(&anne[2].leaf("text/calendar").body);
        assert_eq!(property(&cancelled, "STATUS"), Some("CANCELLED"));
        let seq = |l: &[String]| property(l, "SEQUENCE").unwrap().parse::<i64>().unwrap();
        assert!(
            seq(&cancelled) > seq(&changed),
            "calendars replace their copy"
        );

        let ben = to(&mails, "ben@example.org");
        assert_eq!(
            subject(ben.last().unwrap()),
            "Session cancelled: Atelier robotique",
            "the waiting party too, in English"
        );
    }
);

/// The session's current write, to edit it.
async fn write_of(store: &Store, lib: LibraryId, id: i64) -> SessionWrite {
    SessionWrite::from(&store.session(lib, SessionId(id)).await.unwrap())
}

on_both_backends!(
    async fn reminders_go_once_the_day_before_at_the_configured_hour(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let d = day(10);
        let (_, s) = workshop(&store, lib, 5, d).await;
        register(&store, lib, s, "anne@example.org", Lang::Fr).await;
        let server = TestSmtp::start().await;
        let mut settings = settings();
        settings.reminder_hour = 20;
        let worker = smtp_worker(&store, &server, settings);
        let eve = d.yesterday().unwrap();
        let reminders = || async {
            store
                .outbox(
                    lib,
                    &OutboxFilter {
                        kind: Some(MailKind::Reminder),
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
                .len()
        };

        worker.tick(now()).await.unwrap();
        worker.tick(at(eve, 18, 0)).await.unwrap();
        worker.tick(at(eve, 19, 59)).await.unwrap();
        assert_eq!(reminders().await, 0, "not before 20 h the day before");
        assert_eq!(worker.tick(at(eve, 20, 0)).await.unwrap().sent, 1);
        worker.tick(at(eve, 20, 5)).await.unwrap();
        worker.tick(at(d, 9, 0)).await.unwrap();
        assert_eq!(reminders().await, 1, "once");
        let mails = received(&server);
        let anne = to(&mails, "anne@example.org");
        assert_eq!(anne.len(), 2);
        assert_eq!(subject(anne[1]), "Rappel, c'est demain : Atelier robotique");
        assert!(text(anne[1]).contains("14 h – 16 h") && private_link(text(anne[1])).is_some());
        assert!(anne[1].has("text/calendar"));
        // Another worker (a second server) has nothing left to remind.
        let other = smtp_worker(&store, &server, support::settings());
        assert_eq!(other.remind(at(eve, 21, 0)).await.unwrap(), 0);
    }
);

on_both_backends!(
    async fn a_permanent_refusal_is_given_up_at_once_and_kept(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 10, day(30)).await;
        register(&store, lib, s, "nobody@example.org", Lang::Fr).await;
        let server = TestSmtp::start().await;
        server.set(Mode::NoSuchUser);
        let worker = smtp_worker(&store, &server, settings());
        assert_eq!(
            worker.drain_once(now()).await.unwrap(),
            Drained {
                sent: 0,
                retried: 0,
                failed: 1
            }
        );
        let m = only_message(&store, lib).await;
        assert_eq!(m.status, MailStatus::Failed);
        assert!(m.last_error.contains("550"), "{}", m.last_error);
        assert_eq!(
            worker.drain_once(now() + 100_000).await.unwrap(),
            Drained::default(),
            "not retried"
        );
    }
);

on_both_backends!(
    async fn transient_failures_are_given_up_after_the_last_attempt(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 10, day(30)).await;
        register(&store, lib, s, "anne@example.org", Lang::Fr).await;
        let server = TestSmtp::start().await;
        server.set(Mode::Down);
        let mut settings = settings();
        settings.max_attempts = 2;
        let worker = smtp_worker(&store, &server, settings);
        let t = now() + 1;
        assert_eq!(worker.drain_once(t).await.unwrap().retried, 1);
        assert_eq!(worker.drain_once(t + 60).await.unwrap().failed, 1);
        let m = only_message(&store, lib).await;
        assert_eq!(
            (m.status, m.attempts),
            (MailStatus::Failed, 2),
            "kept, for staff to see"
        );
    }
);

on_both_backends!(
    async fn without_smtp_messages_are_written_as_eml_files(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 10, day(30)).await;
        register(&store, lib, s, "anne@example.org", Lang::Fr).await;
        let dir = std::env::temp_dir().join(format!(
            "almanach-outbox-{}-{}",
            std::process::id(),
            jiff::Timestamp::now().as_nanosecond()
        ));
        let transport = Transport::folder(&dir).unwrap();
        assert!(transport.describe().contains("no SMTP server configured"));
        let worker = Worker::new(store.clone(), transport, settings());
        assert_eq!(worker.drain_once(now()).await.unwrap().sent, 1);
        let files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        assert_eq!(files[0].extension().unwrap(), "eml");
        let mail = mime::parse(&std::fs::read_to_string(&files[0]).unwrap());
        assert_eq!(subject(&mail), "Inscription confirmée : Atelier robotique");
        assert!(mail.header("to").unwrap().contains("anne@example.org"));
        assert!(private_link(text(&mail)).is_some() && mail.has("text/calendar"));
        assert_eq!(only_message(&store, lib).await.status, MailStatus::Sent);
        std::fs::remove_dir_all(&dir).ok();
    }
);

on_both_backends!(
    async fn staff_messages_reach_the_confirmed_parties_with_their_text(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (_, s) = workshop(&store, lib, 1, day(30)).await;
        register(&store, lib, s, "anne@example.org", Lang::Fr).await;
        register(&store, lib, s, "ben@example.org", Lang::Fr).await; // waiting
        store
            .email_registrants(
                &actor(lib),
                Target::Session(s),
                "Apportez un ordinateur",
                "Si vous en avez un.\n<b>Merci</b> !",
            )
            .await
            .unwrap();
        let server = TestSmtp::start().await;
        smtp_worker(&store, &server, settings())
            .drain_once(now())
            .await
            .unwrap();
        let mails = received(&server);
        let anne = to(&mails, "anne@example.org");
        assert_eq!(
            subject(anne[1]),
            "Apportez un ordinateur (Atelier robotique)"
        );
        assert!(text(anne[1]).contains("Si vous en avez un.\n<b>Merci</b> !"));
        assert!(
            anne[1]
                .leaf("text/html")
                .body
                .contains("Si vous en avez un.<br>&#60;b&#62;Merci&#60;/b&#62; !"),
            "escaped in HTML: {}",
            anne[1].leaf("text/html").body
        );
        assert_eq!(
            to(&mails, "ben@example.org").len(),
            1,
            "only the waiting-list message"
        );
    }
);

on_both_backends!(
    async fn a_cancellation_takes_the_session_out_of_the_calendar_after_the_hold(store: Store) {
        let library = store.default_library().await.unwrap();
        let lib = library.id;
        // The library's name takes « la »: « L'équipe de la Médiathèque… ».
        store
            .update_library(
                &actor(lib),
                &Library {
                    name: "Médiathèque L'Apostrophe".into(),
                    name_article: almanach_domain::french::Article::La,
                    ..library
                },
            )
            .await
            .unwrap();
        let (_, s) = workshop(&store, lib, 10, day(12)).await;
        register(&store, lib, s, "anne@example.org", Lang::Fr).await;
        register(&store, lib, s, "ben@example.org", Lang::En).await;
        let server = TestSmtp::start().await;
        let worker = smtp_worker(&store, &server, settings());
        worker.drain_once(now()).await.unwrap();
        let confirmation = received(&server);
        let uid = format!("session-{s}@agenda.test");
        assert_eq!(
            property(
                &unfold(
                    &to(&confirmation, "anne@example.org")[0]
                        .leaf("text/calendar")
                        .body
                ),
                "UID"
            ),
            Some(uid.as_str())
        );

        store
            .cancel_session_held(
                &actor(lib),
                s,
                true,
                "L'intervenant est malade ; nous vous proposerons une autre date.",
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            worker.drain_once(now()).await.unwrap(),
            Drained::default(),
            "held: nothing goes at once"
        );
        assert_eq!(
            worker
                .drain_once(now() + HOLD_SECONDS + 1)
                .await
                .unwrap()
                .sent,
            2
        );
        let mails = received(&server);
        let anne = to(&mails, "anne@example.org");
        let mail = anne.last().unwrap();
        assert_eq!(subject(mail), "Séance annulée : Atelier robotique");
        let body = text(mail);
        assert!(
            !body.contains("ajoute la séance") && !body.contains("adds the session"),
            "the text never says the attachment adds the session: {body}"
        );
        assert!(
            body.contains("Le fichier joint (.ics) retire la séance de votre agenda."),
            "{body}"
        );
        assert!(
            body.contains("Un mot de l'équipe :\n\nL'intervenant est malade ; nous vous proposerons une autre date."),
            "staff's words are in the e-mail: {body}"
        );
        assert!(
            body.contains("L'équipe de la Médiathèque L'Apostrophe")
                && body.contains("sur l'agenda de la Médiathèque L'Apostrophe."),
            "French elision and articles: {body}"
        );
        let html = &mail.leaf("text/html").body;
        assert!(html.contains("retire la séance") && !html.contains("ajoute la séance"));
        assert!(
            html.contains("L&#39;intervenant est malade")
                || html.contains("L'intervenant est malade")
        );

        let part = mail.leaf("text/calendar");
        assert!(
            part.header("content-type")
                .unwrap()
                .contains("method=CANCEL"),
            "{:?}",
            part.header("content-type")
        );
        let lines = unfold(&part.body);
        assert_eq!(property(&lines, "METHOD"), Some("CANCEL"));
        assert_eq!(property(&lines, "UID"), Some(uid.as_str()), "the same UID");
        assert_eq!(property(&lines, "STATUS"), Some("CANCELLED"));
        assert!(!lines.iter().any(|l| l == "STATUS:CONFIRMED"));
        independent_check(&part.body, &uid, "14:00");

        let ben = to(&mails, "ben@example.org");
        let body = text(ben.last().unwrap());
        assert!(
            body.contains("removes the session from your calendar")
                && body.contains("A word from the team:"),
            "{body}"
        );
    }
);

/// A form posted before sign-in, with its double-submit token.
async fn post_before_sign_in(web: &Web, path: &str, body: String) -> support::Page {
    let csrf = "c".repeat(64);
    web.send(
        axum::http::Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("almanach_csrf={csrf}"))
            .body(axum::body::Body::from(format!("{body}&csrf={csrf}")))
            .unwrap(),
    )
    .await
}

on_both_backends!(
    async fn a_forgotten_password_is_reset_through_an_emailed_link(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let claire = store
            .create_staff(
                &actor(lib),
                "claire@mediatheque.test",
                "Claire Martin",
                almanach_domain::staff::Role::Coordinator,
                &almanach_web::hash_password("ancien mot de passe"),
            )
            .await
            .unwrap();
        let web = Web::new(&store);
        for email in ["claire%40mediatheque.test", "personne%40mediatheque.test"] {
            let r =
                post_before_sign_in(&web, "/staff/password-reset", format!("email={email}")).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
        let server = TestSmtp::start().await;
        let worker = smtp_worker(&store, &server, settings());
        let d = worker.drain_once(now()).await.unwrap();
        assert_eq!(d.sent, 1, "one message: to the account that exists");
        let mails = received(&server);
        let mail = &to(&mails, "claire@mediatheque.test")[0];
        assert_eq!(
            subject(mail),
            "Ma médiathèque : choisir un nouveau mot de passe Almanach"
        );
        let body = text(mail);
        assert!(body.starts_with("Bonjour Claire Martin,"), "{body}");
        assert!(body.contains("expire dans 60 minutes"), "{body}");
        let prefix = format!("{PUBLIC}/staff/password-reset/");
        let start = body.find(&prefix).unwrap_or_else(|| panic!("{body}"));
        let link: String = body[start..].split_whitespace().next().unwrap().to_string();
        assert!(link.starts_with(&format!("{prefix}{claire}.")), "{link}");
        let html = &mail.leaf("text/html").body;
        assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
        // What staff and retries see keeps only the placeholder.
        let kept = store.outbox(lib, &OutboxFilter::default()).await.unwrap();
        assert!(kept[0].text_body.contains(LINK_PLACEHOLDER) && !kept[0].text_body.contains(&link));

        // The link works, once.
        let path = &link[PUBLIC.len()..];
        assert_eq!(web.get(path).await.status, StatusCode::OK);
        let r = post_before_sign_in(
            &web,
            path,
            "password=nouveau+mot+de+passe&confirm=nouveau+mot+de+passe".into(),
        )
        .await;
        assert_eq!(
            (r.status, r.location.as_str()),
            (StatusCode::SEE_OTHER, "/staff/sign-in?reset=1")
        );
        assert_eq!(web.get(path).await.status, StatusCode::GONE);
        let r = post_before_sign_in(
            &web,
            "/staff/sign-in",
            "email=claire%40mediatheque.test&password=nouveau+mot+de+passe".into(),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "signed in with the new password"
        );
    }
);
