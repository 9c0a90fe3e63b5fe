//! Technical needs with IT and the speakers' directory and pipeline: the
//! same stories on SQLite and PostgreSQL.

use almanach_domain::calendar::{local_to_instant, paris};
use almanach_domain::ids::{EventId, LibraryId, SessionId};
use almanach_domain::logistics::{NeedStatus, Provider, Readiness};
use almanach_domain::speakers::{Booking, Fees, Profile, Region, SpeakerKind, Stage};
use almanach_store::*;
use jiff::civil::{Date, Time, date};

fn actor(lib: LibraryId) -> Actor {
    Actor::system(lib, "test")
}

/// The instant of a Paris wall-clock time.
fn at(d: Date, h: i8) -> i64 {
    local_to_instant(&paris(), d, Time::constant(h, 0, 0, 0))
        .unwrap()
        .as_second()
}

fn write(event_id: EventId, d: Date, start: i8, end: i8) -> SessionWrite {
    testing::session_write(event_id, d, start, end)
}

async fn event(store: &Store, lib: LibraryId, title: &str, series_id: Option<i64>) -> EventId {
    let e = Event {
        series_id,
        ..testing::published(title)
    };
    store.save_event(&actor(lib), &e).await.unwrap()
}

async fn session(
    store: &Store,
    lib: LibraryId,
    event_id: EventId,
    d: Date,
    start: i8,
    end: i8,
) -> SessionId {
    testing::saved_session(store, lib, &write(event_id, d, start, end)).await
}

async fn type_id(store: &Store, lib: LibraryId, name: &str) -> i64 {
    testing::need_type_id(store, lib, name).await
}

fn need(type_id: i64, provider: Provider) -> NeedWrite {
    NeedWrite {
        need_type_id: type_id,
        quantity: 1,
        details: String::new(),
        provider,
        due_override: None,
    }
}

on_both_backends!(
    async fn settings_start_with_defaults_and_a_catalogue_seeded_once(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let s = store.logistics_settings(lib).await.unwrap();
        assert_eq!(
            (s.it_lead_days, s.postcode.as_str(), s.mediators_see_costs),
            (5, "", false)
        );
        assert!(
            s.it_hours.starts_with("lundi 09:00-17:00")
                && s.it_hours.contains("vendredi 09:00-17:00"),
            "{}",
            s.it_hours
        );
        let types = store.need_types(lib).await.unwrap();
        assert_eq!(types.len(), 12);
        assert!(
            types
                .iter()
                .any(|t| t.name == "Vidéoprojecteur" && t.provider == Provider::It)
        );
        assert!(
            types
                .iter()
                .any(|t| t.name == "Kits robotiques" && t.provider == Provider::Team)
        );
        // Read again: nothing seeded twice.
        store.logistics_settings(lib).await.unwrap();
        assert_eq!(store.need_types(lib).await.unwrap().len(), 12);
        let changed = LogisticsSettings {
            it_lead_days: 3,
            postcode: "93200".into(),
            mediators_see_costs: true,
            ..s
        };
        store
            .save_logistics_settings(&actor(lib), &changed)
            .await
            .unwrap();
        assert_eq!(store.logistics_settings(lib).await.unwrap(), changed);
        let log = store
            .audit_log(lib, Some(("logistics_settings", lib.into())), 5)
            .await
            .unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].before.as_ref().unwrap()["it_lead_days"], 5);
        assert_eq!(log[0].after.as_ref().unwrap()["it_lead_days"], 3);
    }
);

on_both_backends!(
    async fn coordinators_edit_the_catalogue(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let mut t = NeedType {
            id: 0,
            name: "Casques audio".into(),
            provider: Provider::Rental,
            hint: String::new(),
            active: true,
        };
        t.id = store.save_need_type(&actor(lib), &t).await.unwrap();
        let dup = store
            .save_need_type(&actor(lib), &NeedType { id: 0, ..t.clone() })
            .await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
        store
            .save_need_type(
                &actor(lib),
                &NeedType {
                    active: false,
                    ..t.clone()
                },
            )
            .await
            .unwrap();
        let types = store.need_types(lib).await.unwrap();
        assert_eq!(types.len(), 13);
        assert!(!types.last().unwrap().active, "retired types come last");
        assert_eq!(
            store
                .audit_log(lib, Some(("need_type", t.id)), 5)
                .await
                .unwrap()
                .len(),
            2
        );
    }
);

on_both_backends!(
    async fn due_dates_follow_the_rule_the_session_and_the_settings(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let ev = event(&store, lib, "Dimanche de l'innovation", None).await;
        // Sunday 16 March 2025, 14 h: IT needs due Friday 7 March, the team's on the day.
        let sid = session(&store, lib, ev, date(2025, 3, 16), 14, 16).await;
        let vp = type_id(&store, lib, "Vidéoprojecteur").await;
        let layout = type_id(&store, lib, "Disposition de la salle").await;
        let it = store
            .add_need(
                &actor(lib),
                sid,
                &NeedWrite {
                    quantity: 2,
                    details: "HDMI".into(),
                    ..need(vp, Provider::It)
                },
            )
            .await
            .unwrap();
        let team = store
            .add_need(&actor(lib), sid, &need(layout, Provider::Team))
            .await
            .unwrap();
        let n = store.need(lib, it).await.unwrap();
        assert_eq!(
            (n.due, n.without_it, n.quantity, n.status),
            (date(2025, 3, 7), true, 2, NeedStatus::Requested)
        );
        assert_eq!(store.need(lib, team).await.unwrap().due, date(2025, 3, 16));
        let prep = store
            .session_prep(lib, sid, date(2025, 3, 1))
            .await
            .unwrap();
        assert!(prep.asks_test_without_it());
        assert_eq!(prep.deadline.last_it_day, date(2025, 3, 14));
        // Moving the session to Tuesday 18 March moves the due date (five IT days before: the 11th).
        let mut w = write(ev, date(2025, 3, 18), 14, 16);
        w.capacity = Some(12);
        store
            .save_session(&actor(lib), Some(sid), &w)
            .await
            .unwrap()
            .unwrap();
        let n = store.need(lib, it).await.unwrap();
        assert_eq!((n.due, n.without_it), (date(2025, 3, 11), false));
        // A closing day on the 13th and a lead time of 2 days.
        let mut l = store.library(lib).await.unwrap();
        l.closing_days = "2025-03-13".into();
        store.update_library(&actor(lib), &l).await.unwrap();
        let s = store.logistics_settings(lib).await.unwrap();
        store
            .save_logistics_settings(
                &actor(lib),
                &LogisticsSettings {
                    it_lead_days: 2,
                    ..s
                },
            )
            .await
            .unwrap();
        assert_eq!(store.need(lib, it).await.unwrap().due, date(2025, 3, 14));
        // An override wins until removed.
        let over = NeedWrite {
            due_override: Some(date(2025, 3, 4)),
            quantity: 3,
            ..need(vp, Provider::It)
        };
        store.update_need(&actor(lib), it, &over).await.unwrap();
        let n = store.need(lib, it).await.unwrap();
        assert_eq!(
            (n.due, n.due_override, n.quantity),
            (date(2025, 3, 4), Some(date(2025, 3, 4)), 3)
        );
        let log = store.audit_log(lib, Some(("need", it)), 5).await.unwrap();
        assert_eq!(
            log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["update", "create"]
        );
        assert_eq!(log[0].after.as_ref().unwrap()["due_override"], "2025-03-04");
        // Another library's type or session is not found.
        assert!(matches!(
            store
                .add_need(&actor(lib), SessionId(9999), &need(vp, Provider::It))
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store
                .add_need(&actor(lib), sid, &need(9999, Provider::It))
                .await,
            Err(StoreError::NotFound)
        ));
        store.delete_need(&actor(lib), team).await.unwrap();
        assert_eq!(
            store
                .session_prep(lib, sid, date(2025, 3, 1))
                .await
                .unwrap()
                .needs
                .len(),
            1
        );
    }
);

on_both_backends!(
    async fn statuses_move_by_the_rules_with_a_thread(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let ev = event(&store, lib, "Atelier", None).await;
        let sid = session(&store, lib, ev, date(2025, 3, 18), 14, 16).await;
        let id = store
            .add_need(
                &actor(lib),
                sid,
                &need(type_id(&store, lib, "Tablettes").await, Provider::It),
            )
            .await
            .unwrap();
        let it = Actor {
            label: "dsi@ville.fr".into(),
            ..actor(lib)
        };
        assert_eq!(
            store
                .set_need_status(&it, id, NeedStatus::Checked, "")
                .await
                .unwrap(),
            Err(Refused(NeedStatus::Requested))
        );
        store
            .set_need_status(&it, id, NeedStatus::Acknowledged, "On s'en occupe")
            .await
            .unwrap()
            .unwrap();
        store
            .set_need_status(&it, id, NeedStatus::Problem, "Deux tablettes en panne")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store
                .set_need_status(&it, id, NeedStatus::Checked, "")
                .await
                .unwrap(),
            Err(Refused(NeedStatus::Problem))
        );
        store
            .set_need_status(&it, id, NeedStatus::Ready, "Remplacées")
            .await
            .unwrap()
            .unwrap();
        store
            .comment_need(&actor(lib), id, "Merci !")
            .await
            .unwrap();
        store
            .set_need_status(&actor(lib), id, NeedStatus::Checked, "")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store
                .set_need_status(&actor(lib), id, NeedStatus::Problem, "")
                .await
                .unwrap(),
            Err(Refused(NeedStatus::Checked))
        );
        assert_eq!(
            store.need(lib, id).await.unwrap().status,
            NeedStatus::Checked
        );
        let thread = store.need_comments(lib, id).await.unwrap();
        let seen: Vec<_> = thread.iter().map(|c| (c.status, c.body.as_str())).collect();
        assert_eq!(
            seen,
            [
                (Some(NeedStatus::Acknowledged), "On s'en occupe"),
                (Some(NeedStatus::Problem), "Deux tablettes en panne"),
                (Some(NeedStatus::Ready), "Remplacées"),
                (None, "Merci !"),
                (Some(NeedStatus::Checked), ""),
            ]
        );
        assert_eq!(thread[0].author, "dsi@ville.fr");
        let log = store.audit_log(lib, Some(("need", id)), 10).await.unwrap();
        assert_eq!(
            log.iter().filter(|e| e.action == "status").count(),
            4,
            "refused moves leave no trace"
        );
        assert_eq!(log[0].before.as_ref().unwrap()["status"], "ready");
        assert_eq!(log[0].after.as_ref().unwrap()["status"], "checked");
    }
);

on_both_backends!(
    async fn new_sessions_of_a_series_receive_its_default_needs(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let series = store
            .save_series(
                &actor(lib),
                &Series {
                    name: "Samedis de l'innovation".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let laptops = type_id(&store, lib, "Ordinateurs portables").await;
        let wifi = type_id(&store, lib, "Comptes Wi-Fi invités").await;
        store
            .add_series_need(
                &actor(lib),
                series,
                &NeedWrite {
                    quantity: 12,
                    details: "Navigateur à jour".into(),
                    ..need(laptops, Provider::It)
                },
            )
            .await
            .unwrap();
        let w = store
            .add_series_need(
                &actor(lib),
                series,
                &NeedWrite {
                    quantity: 20,
                    ..need(wifi, Provider::It)
                },
            )
            .await
            .unwrap();
        assert_eq!(store.series_needs(lib, series).await.unwrap().len(), 2);
        let ev = event(&store, lib, "Samedi de l'innovation : robots", Some(series)).await;
        let sid = session(&store, lib, ev, date(2025, 3, 15), 14, 16).await;
        let needs = store
            .session_prep(lib, sid, date(2025, 3, 1))
            .await
            .unwrap()
            .needs;
        let got: Vec<_> = needs
            .iter()
            .map(|n| {
                (
                    n.type_name.as_str(),
                    n.quantity,
                    n.details.as_str(),
                    n.status,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "Ordinateurs portables",
                    12,
                    "Navigateur à jour",
                    NeedStatus::Requested
                ),
                ("Comptes Wi-Fi invités", 20, "", NeedStatus::Requested)
            ]
        );
        assert_eq!(
            store
                .audit_log(lib, Some(("need", needs[0].id)), 5)
                .await
                .unwrap()[0]
                .action,
            "create"
        );
        // Editing the session adds nothing more; removing a default leaves existing sessions alone.
        store
            .save_session(
                &actor(lib),
                Some(sid),
                &write(ev, date(2025, 3, 15), 15, 17),
            )
            .await
            .unwrap()
            .unwrap();
        store
            .delete_series_need(&actor(lib), series, w)
            .await
            .unwrap();
        assert_eq!(
            store
                .session_prep(lib, sid, date(2025, 3, 1))
                .await
                .unwrap()
                .needs
                .len(),
            2
        );
        let next = session(&store, lib, ev, date(2025, 4, 12), 14, 16).await;
        assert_eq!(
            store
                .session_prep(lib, next, date(2025, 3, 1))
                .await
                .unwrap()
                .needs
                .len(),
            1
        );
        // An event without a series: nothing.
        let other = event(&store, lib, "Rencontre", None).await;
        let s = session(&store, lib, other, date(2025, 3, 20), 14, 16).await;
        assert!(
            store
                .session_prep(lib, s, date(2025, 3, 1))
                .await
                .unwrap()
                .needs
                .is_empty()
        );
        // Duplicating an event creates its sessions through the same path.
        let copy = store
            .create_event_with_sessions(
                &actor(lib),
                &store.event(lib, ev).await.unwrap(),
                &[write(ev, date(2025, 5, 17), 14, 16)],
            )
            .await
            .unwrap()
            .unwrap();
        let copied = store
            .list_sessions(
                lib,
                &SessionFilter {
                    event_id: Some(copy),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .session_prep(lib, copied[0].id, date(2025, 3, 1))
                .await
                .unwrap()
                .needs
                .len(),
            1
        );
    }
);

on_both_backends!(
    async fn readiness_board_and_digest(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let today = date(2025, 3, 10); // a Monday
        let ev = event(&store, lib, "Points de l'IA", None).await;
        let vp = type_id(&store, lib, "Vidéoprojecteur").await;
        let robots = type_id(&store, lib, "Kits robotiques").await;
        // Thursday 13 March: IT due Thursday 6 (late), the team's on the 13th (at risk).
        let thu = session(&store, lib, ev, date(2025, 3, 13), 14, 15).await;
        let late = store
            .add_need(&actor(lib), thu, &need(vp, Provider::It))
            .await
            .unwrap();
        let kits = store
            .add_need(&actor(lib), thu, &need(robots, Provider::Team))
            .await
            .unwrap();
        // Sunday 16 March: IT due Friday 7 (late unless ready), tested without IT by Friday 14.
        let sun = session(&store, lib, ev, date(2025, 3, 16), 14, 16).await;
        let sunday_need = store
            .add_need(&actor(lib), sun, &need(vp, Provider::It))
            .await
            .unwrap();
        // Tuesday 25 March: due the 18th, on track.
        let later = session(&store, lib, ev, date(2025, 3, 25), 14, 15).await;
        let on_track = store
            .add_need(&actor(lib), later, &need(vp, Provider::It))
            .await
            .unwrap();
        // A cancelled session and a past one stay off the board.
        let gone = session(&store, lib, ev, date(2025, 3, 20), 14, 15).await;
        store
            .add_need(&actor(lib), gone, &need(vp, Provider::It))
            .await
            .unwrap();
        store
            .set_session_cancelled(&actor(lib), gone, true)
            .await
            .unwrap();
        let past = session(&store, lib, ev, date(2025, 3, 3), 14, 15).await;
        store
            .add_need(&actor(lib), past, &need(vp, Provider::It))
            .await
            .unwrap();

        let board = store
            .it_board(lib, &BoardFilter::default(), today)
            .await
            .unwrap();
        let ids: Vec<i64> = board.iter().map(|n| n.id).collect();
        assert_eq!(
            ids,
            [late, sunday_need, kits, on_track],
            "by due date: 6, 7, 13, 18 March"
        );
        assert_eq!(board[0].readiness(today), Readiness::Late);
        let it_only = store
            .it_board(
                lib,
                &BoardFilter {
                    provider: Some(Provider::It),
                    ..Default::default()
                },
                today,
            )
            .await
            .unwrap();
        assert_eq!(it_only.len(), 3);
        let late_only = store
            .it_board(
                lib,
                &BoardFilter {
                    late_only: true,
                    ..Default::default()
                },
                today,
            )
            .await
            .unwrap();
        assert_eq!(
            late_only.iter().map(|n| n.id).collect::<Vec<_>>(),
            [late, sunday_need]
        );

        let from = at(date(2025, 3, 10), 0);
        let to = at(date(2025, 4, 7), 0);
        let r = store.readiness_between(lib, from, to, today).await.unwrap();
        assert_eq!(
            (r[&thu], r[&sun], r[&later]),
            (Readiness::Late, Readiness::Late, Readiness::OnTrack)
        );
        assert!(
            !r.contains_key(&gone),
            "a cancelled session has nothing to prepare"
        );
        // IT readies the Sunday need: the team's test without IT remains,
        // due Friday 14: on track on Monday, at risk from Tuesday.
        store
            .set_need_status(&actor(lib), sunday_need, NeedStatus::Ready, "")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store.readiness_between(lib, from, to, today).await.unwrap()[&sun],
            Readiness::OnTrack
        );
        assert_eq!(
            store
                .readiness_between(lib, from, to, date(2025, 3, 11))
                .await
                .unwrap()[&sun],
            Readiness::AtRisk
        );
        assert_eq!(
            store
                .readiness_between(lib, from, to, date(2025, 3, 15))
                .await
                .unwrap()[&sun],
            Readiness::Late
        );
        store
            .set_tested_without_it(&actor(lib), sun, true)
            .await
            .unwrap();
        assert_eq!(
            store.readiness_between(lib, from, to, today).await.unwrap()[&sun],
            Readiness::Ready
        );
        let prep = store.session_prep(lib, sun, today).await.unwrap();
        assert_eq!(
            prep.tested_without_it.as_ref().map(|t| t.0.as_str()),
            Some("test")
        );
        assert_eq!(prep.readiness, Some(Readiness::Ready));
        // A problem puts a session at risk even far ahead.
        store
            .set_need_status(&actor(lib), on_track, NeedStatus::Problem, "Lampe grillée")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store.readiness_between(lib, from, to, today).await.unwrap()[&later],
            Readiness::AtRisk
        );

        let d = store.it_digest(lib, today).await.unwrap();
        assert_eq!((d.from, d.to), (date(2025, 3, 10), date(2025, 3, 16)));
        assert_eq!(d.library_name, "Ma médiathèque");
        assert_eq!(d.late.iter().map(|n| n.id).collect::<Vec<_>>(), [late]);
        assert!(
            d.due.is_empty(),
            "the 18th is beyond the week; the team's need is not IT's"
        );
        assert_eq!(
            d.problems.iter().map(|n| n.id).collect::<Vec<_>>(),
            [on_track]
        );
        assert_eq!(
            d.without_it
                .iter()
                .map(|s| (s.session_id, s.last_it_day))
                .collect::<Vec<_>>(),
            [(sun, date(2025, 3, 14))]
        );
        // A week later the 18th is due and the Sunday behind.
        let d = store.it_digest(lib, date(2025, 3, 17)).await.unwrap();
        assert!(d.late.is_empty() && d.without_it.is_empty());
        assert!(
            d.due.is_empty(),
            "the problem need is reported as a problem"
        );
    }
);

on_both_backends!(
    async fn a_speakers_record_and_the_directory(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let profile = Profile {
            kind: SpeakerKind::Organisation,
            town: "Montreuil".into(),
            postcode: "93100".into(),
            categories: vec!["image".into(), "code".into()],
            fees: Fees {
                talk: Some(35_000),
                workshop: Some(25_000),
                day: None,
            },
            siret: "44306184100047".into(),
            vat: true,
            ..Default::default()
        };
        let rec = SpeakerRecord {
            speaker: Speaker {
                name: "Fab lab".into(),
                email: "contact@fablab.fr".into(),
                ..Default::default()
            },
            profile,
        };
        let fab = store.save_speaker_record(&actor(lib), &rec).await.unwrap();
        assert_eq!(
            store.speaker_record(lib, fab).await.unwrap(),
            SpeakerRecord {
                speaker: Speaker {
                    id: fab,
                    ..rec.speaker.clone()
                },
                ..rec.clone()
            }
        );
        // The base speaker (API, session form) is the same record.
        assert_eq!(
            store.speaker(lib, fab).await.unwrap().email,
            "contact@fablab.fr"
        );
        let lyon = store
            .save_speaker(
                &actor(lib),
                &Speaker {
                    name: "Ada".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let ada = store.speaker_record(lib, lyon).await.unwrap();
        assert_eq!(
            ada.profile,
            Profile::default(),
            "a speaker saved without a profile has the defaults"
        );
        let mut with_pc = ada.clone();
        with_pc.profile.postcode = "69001".into();
        store
            .save_speaker_record(&actor(lib), &with_pc)
            .await
            .unwrap();
        let log = store
            .audit_log(lib, Some(("speaker", lyon)), 5)
            .await
            .unwrap();
        assert_eq!(log[0].after.as_ref().unwrap()["postcode"], "69001");

        // Sessions: the fab lab led one in 2023 (18 of 20 came) and one cancelled.
        let ev = event(&store, lib, "Samedi de l'innovation", None).await;
        let mut w = write(ev, date(2023, 11, 18), 14, 16);
        w.speaker_ids = vec![fab];
        w.capacity = Some(20);
        let s1 = store
            .save_session(&actor(lib), None, &w)
            .await
            .unwrap()
            .unwrap();
        let attendance =
            almanach_domain::attendance::Headcount::new(Some(18), Some(2), None, None).unwrap();
        store
            .set_headcount(&actor(lib), s1, &attendance)
            .await
            .unwrap();
        let mut w2 = write(ev, date(2024, 12, 7), 14, 16);
        w2.speaker_ids = vec![fab];
        let s2 = store
            .save_session(&actor(lib), None, &w2)
            .await
            .unwrap()
            .unwrap();
        store
            .set_session_cancelled(&actor(lib), s2, true)
            .await
            .unwrap();
        store
            .rate_speaker(
                &actor(lib),
                s1.get(),
                fab,
                4,
                "Très bon contact avec les ados",
            )
            .await
            .unwrap();
        store
            .rate_speaker(&actor(lib), s1.get(), fab, 5, "Excellent")
            .await
            .unwrap();
        assert!(
            matches!(
                store.rate_speaker(&actor(lib), s1.get(), lyon, 3, "").await,
                Err(StoreError::NotFound)
            ),
            "Ada did not lead it"
        );

        let led = store.speaker_sessions(lib, fab).await.unwrap();
        assert_eq!(led.len(), 2);
        assert!(led[0].cancelled);
        assert_eq!(
            (
                led[1].participants,
                led[1].capacity,
                led[1].rating,
                led[1].comment.as_str()
            ),
            (Some(18), Some(20), Some(5), "Excellent")
        );

        let today = date(2025, 3, 10);
        let all = store.speaker_summaries(lib, "93200").await.unwrap();
        let (a, f) = (&all[0], &all[1]);
        assert_eq!(
            (
                a.record.speaker.name.as_str(),
                a.region,
                a.sessions,
                a.booking(today)
            ),
            ("Ada", Some(Region::France), 0, Booking::Never)
        );
        assert_eq!(
            (f.region, f.sessions, f.last_date, f.rating, f.ratings),
            (
                Some(Region::Local),
                1,
                Some(date(2023, 11, 18)),
                Some(5.0),
                1
            )
        );
        assert_eq!(
            f.booking(today),
            Booking::Lapsed,
            "the cancelled December session does not count"
        );
        assert_eq!(f.facts(today).lowest_fee, Some(25_000));
    }
);

on_both_backends!(
    async fn the_pipeline_moves_step_by_step(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let sp = store
            .save_speaker(
                &actor(lib),
                &Speaker {
                    name: "Léa Fontaine".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let ev = event(&store, lib, "Samedi de l'innovation de mars", None).await;
        let new = NewProspect {
            speaker_id: sp,
            project: "IA et illustration".into(),
            event_id: Some(ev.get()),
            on: date(2025, 2, 1),
            next: Some(("Appeler".into(), date(2025, 2, 10))),
        };
        let id = store.create_prospect(&actor(lib), &new).await.unwrap();
        let second = store
            .create_prospect(
                &actor(lib),
                &NewProspect {
                    project: "Semaine du numérique".into(),
                    event_id: None,
                    next: None,
                    ..new.clone()
                },
            )
            .await
            .unwrap();
        assert!(matches!(
            store
                .create_prospect(
                    &actor(lib),
                    &NewProspect {
                        speaker_id: 9999,
                        ..new.clone()
                    }
                )
                .await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store
                .create_prospect(
                    &actor(lib),
                    &NewProspect {
                        event_id: Some(9999),
                        ..new.clone()
                    }
                )
                .await,
            Err(StoreError::NotFound)
        ));
        let p = store.prospect(lib, id).await.unwrap();
        assert_eq!(
            (p.stage, p.event_title.as_deref(), p.speaker_name.as_str()),
            (
                Stage::ToContact,
                Some("Samedi de l'innovation de mars"),
                "Léa Fontaine"
            )
        );

        assert_eq!(
            store
                .move_prospect(&actor(lib), id, Stage::ProposalSent, date(2025, 2, 3), "")
                .await
                .unwrap(),
            Err(Refused(Stage::ToContact))
        );
        let path = [
            (Stage::Contacted, "Premier appel"),
            (Stage::ProposalSent, "Devis 350 €"),
            (Stage::DatesAgreed, "15 mars"),
            (Stage::AgreementSigned, ""),
            (Stage::Held, ""),
            (Stage::Paid, "Mandat n° 42"),
            (Stage::Evaluated, ""),
        ];
        for (i, (to, note)) in path.iter().enumerate() {
            let on = date(2025, 2, 2 + i as i8);
            store
                .move_prospect(&actor(lib), id, *to, on, note)
                .await
                .unwrap()
                .unwrap();
        }
        assert_eq!(
            store
                .move_prospect(&actor(lib), id, Stage::Declined, date(2025, 3, 1), "")
                .await
                .unwrap(),
            Err(Refused(Stage::Evaluated))
        );
        let steps = store.prospect_steps(lib, id).await.unwrap();
        assert_eq!(steps.len(), 8);
        assert_eq!(
            (steps[0].stage, steps[0].on),
            (Stage::ToContact, date(2025, 2, 1))
        );
        assert_eq!(
            (steps[2].stage, steps[2].note.as_str(), steps[2].on),
            (Stage::ProposalSent, "Devis 350 €", date(2025, 2, 3))
        );
        let p = store.prospect(lib, id).await.unwrap();
        assert_eq!((p.stage, p.stage_on), (Stage::Evaluated, date(2025, 2, 8)));
        let log = store
            .audit_log(lib, Some(("prospect", id)), 20)
            .await
            .unwrap();
        assert_eq!(log.iter().filter(|e| e.action == "move").count(), 7);
        assert_eq!(log[0].before.as_ref().unwrap()["stage"], "paid");

        // Declined, then contacted again later.
        store
            .move_prospect(
                &actor(lib),
                second,
                Stage::Declined,
                date(2025, 2, 5),
                "Pas disponible",
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store
                .move_prospect(&actor(lib), second, Stage::Contacted, date(2025, 2, 6), "")
                .await
                .unwrap(),
            Err(Refused(Stage::Declined))
        );
        store
            .move_prospect(
                &actor(lib),
                second,
                Stage::ToContact,
                date(2025, 9, 1),
                "Nouvelle saison",
            )
            .await
            .unwrap()
            .unwrap();

        // Follow-ups: due on or before the date asked.
        assert_eq!(
            store.follow_ups(lib, date(2025, 2, 9)).await.unwrap().len(),
            0
        );
        assert_eq!(
            store.follow_ups(lib, date(2025, 2, 10)).await.unwrap()[0].id,
            id
        );
        store
            .set_next_action(
                &actor(lib),
                second,
                Some(("Relancer".into(), date(2025, 2, 8))),
            )
            .await
            .unwrap();
        let f: Vec<i64> = store
            .follow_ups(lib, date(2025, 2, 28))
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(f, [second, id]);
        store.set_next_action(&actor(lib), id, None).await.unwrap();
        assert_eq!(
            store
                .follow_ups(lib, date(2025, 2, 28))
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(store.prospects(lib, Some(sp)).await.unwrap().len(), 2);
        assert_eq!(
            store.prospects(lib, None).await.unwrap()[0].id,
            second,
            "most recently moved first"
        );
    }
);
