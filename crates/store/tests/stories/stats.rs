//! Attendance, statistics and imported history: the same stories on SQLite and PostgreSQL.

use almanach_domain::attendance::Headcount;
use almanach_domain::ids::{EventId, LibraryId, SessionId};
use almanach_domain::import::parse_file;
use almanach_domain::programme::{EventStatus, SessionKind};
use almanach_domain::stats::{MinMax, Period, ThemeFigures};
use almanach_store::testing::on_day;
use almanach_store::testing::series_event as event;
use almanach_store::*;

fn actor(lib: LibraryId) -> Actor {
    Actor::system(lib, "test")
}

async fn series(store: &Store, lib: LibraryId, name: &str, minutes: Option<u32>) -> i64 {
    let s = Series {
        name: name.into(),
        duration_minutes: minutes,
        ..Series::default()
    };
    store.save_series(&actor(lib), &s).await.unwrap()
}

async fn theme(store: &Store, lib: LibraryId, title: &str) -> i64 {
    store
        .save_theme(
            &actor(lib),
            &Theme {
                title: title.into(),
                ..Theme::default()
            },
        )
        .await
        .unwrap()
}

/// A session on a local date; the instant only needs to be plausible.
async fn session(
    store: &Store,
    lib: LibraryId,
    event_id: EventId,
    kind: SessionKind,
    day: &str,
    themes: &[i64],
) -> SessionId {
    let w = SessionWrite {
        kind,
        theme_ids: themes.to_vec(),
        ..on_day(event_id, day)
    };
    store
        .save_session(&actor(lib), None, &w)
        .await
        .unwrap()
        .unwrap()
}

async fn count(
    store: &Store,
    lib: LibraryId,
    session_id: SessionId,
    participants: u32,
    under_14: u32,
) {
    let h = Headcount::new(Some(participants), Some(under_14), None, None).unwrap();
    store
        .set_headcount(&actor(lib), session_id, &h)
        .await
        .unwrap();
}

fn scope(lib: LibraryId) -> Scope<'static> {
    Scope::library(lib)
}

on_both_backends!(
    async fn a_head_count_is_audited_and_not_counted_is_not_zero(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let e = event(&store, lib, None, EventStatus::Published).await;
        let s = session(&store, lib, e, SessionKind::Workshop, "2025-01-18", &[]).await;
        assert_eq!(
            store.attendance(lib, s).await.unwrap().headcount,
            Headcount::default()
        );

        let h = Headcount::new(Some(12), Some(3), Some(10), Some(8)).unwrap();
        let a = store.set_headcount(&actor(lib), s, &h).await.unwrap();
        let read = store.attendance(lib, s).await.unwrap();
        assert_eq!(read, a);
        assert_eq!(read.headcount, h);
        assert_eq!(read.headcount.no_shows(), Some(2));
        assert_eq!(read.counted_by.as_deref(), Some("test"));
        assert!(read.counted_at.is_some());

        let zero = Headcount::new(Some(0), None, None, None).unwrap();
        store.set_headcount(&actor(lib), s, &zero).await.unwrap();
        assert_eq!(
            store
                .attendance(lib, s)
                .await
                .unwrap()
                .headcount
                .participants,
            Some(0)
        );
        store
            .set_session_cost(&actor(lib), s, 15_050)
            .await
            .unwrap();
        assert_eq!(store.attendance(lib, s).await.unwrap().cost_cents, 15_050);
        assert!(matches!(
            store.set_session_cost(&actor(lib), s, -1).await,
            Err(StoreError::Conflict(_))
        ));

        let log = store
            .audit_log(lib, Some(("attendance", s.get())), 10)
            .await
            .unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["cost", "count", "count"]);
        assert_eq!(
            log[2].before.as_ref().unwrap()["headcount"]["participants"],
            serde_json::Value::Null
        );
        assert_eq!(
            log[2].after.as_ref().unwrap()["headcount"]["participants"],
            12
        );

        // Another library's session cannot be counted.
        let other: LibraryId = sqlx::query_scalar(
            "insert into libraries (name, created_at) values ('B', 0) returning id",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert!(matches!(
            store.set_headcount(&actor(other), s, &h).await,
            Err(StoreError::NotFound)
        ));
        assert!(matches!(
            store.attendance(other, s).await,
            Err(StoreError::NotFound)
        ));
    }
);

on_both_backends!(
    async fn two_people_counting_at_once_are_applied_one_after_the_other(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let e = event(&store, lib, None, EventStatus::Published).await;
        let s = session(&store, lib, e, SessionKind::Talk, "2025-01-18", &[]).await;
        let mut tasks = Vec::new();
        for n in 1..=12u32 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let h = Headcount::new(Some(n), None, None, None).unwrap();
                store.set_headcount(&actor(lib), s, &h).await.unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        // Oldest first: each entry's "before" is the previous entry's "after".
        let mut log = store
            .audit_log(lib, Some(("attendance", s.get())), 50)
            .await
            .unwrap();
        log.reverse();
        assert_eq!(log.len(), 12);
        for pair in log.windows(2) {
            assert_eq!(pair[1].before, pair[0].after, "a count saw a stale before");
        }
        let last = log.last().unwrap().after.as_ref().unwrap()["headcount"]["participants"]
            .as_i64()
            .unwrap();
        assert_eq!(
            i64::from(
                store
                    .attendance(lib, s)
                    .await
                    .unwrap()
                    .headcount
                    .participants
                    .unwrap()
            ),
            last
        );
    }
);

on_both_backends!(
    async fn the_report_adds_up_counted_sessions_per_series(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let samedis = series(&store, lib, "Samedis", None).await;
        let points = series(&store, lib, "Points", None).await;
        let (image, texte) = (
            theme(&store, lib, "Image").await,
            theme(&store, lib, "Texte").await,
        );

        // Samedis, season 2024-2025: two events, a talk and two workshops, one not counted.
        let e1 = event(&store, lib, Some(samedis), EventStatus::Published).await;
        let t1 = session(&store, lib, e1, SessionKind::Talk, "2024-09-14", &[image]).await;
        let w1 = session(
            &store,
            lib,
            e1,
            SessionKind::Workshop,
            "2024-09-14",
            &[image],
        )
        .await;
        let e2 = event(&store, lib, Some(samedis), EventStatus::Published).await;
        let _uncounted = session(&store, lib, e2, SessionKind::Workshop, "2025-08-31", &[]).await;
        let t2 = session(&store, lib, e2, SessionKind::Talk, "2025-08-31", &[]).await;
        count(&store, lib, t1, 70, 5).await;
        count(&store, lib, w1, 19, 4).await;
        count(&store, lib, t2, 75, 0).await;
        store
            .set_session_cost(&actor(lib), t1, 40_000)
            .await
            .unwrap();
        // Left out: a cancelled session, a session of a cancelled event, and the days around the season.
        let cancelled = session(
            &store,
            lib,
            e2,
            SessionKind::Workshop,
            "2025-08-31",
            &[texte],
        )
        .await;
        count(&store, lib, cancelled, 500, 100).await;
        store
            .set_session_cancelled(&actor(lib), cancelled, true)
            .await
            .unwrap();
        let e3 = event(&store, lib, Some(samedis), EventStatus::Cancelled).await;
        let gone = session(&store, lib, e3, SessionKind::Talk, "2024-10-12", &[]).await;
        count(&store, lib, gone, 300, 0).await;
        let e4 = event(&store, lib, Some(samedis), EventStatus::Published).await;
        let before = session(&store, lib, e4, SessionKind::Talk, "2024-08-31", &[]).await;
        count(&store, lib, before, 40, 0).await;
        let e5 = event(&store, lib, Some(samedis), EventStatus::Published).await;
        let after = session(&store, lib, e5, SessionKind::Talk, "2025-09-01", &[]).await;
        count(&store, lib, after, 1000, 0).await;

        // Points: one event, three appointments-and-workshops on two themes, and an event without a series.
        let e6 = event(&store, lib, Some(points), EventStatus::Published).await;
        for (day, th, n) in [
            ("2024-09-10", image, 4),
            ("2024-09-11", image, 6),
            ("2024-09-12", texte, 5),
        ] {
            let s = session(&store, lib, e6, SessionKind::Workshop, day, &[th]).await;
            count(&store, lib, s, n, 1).await;
        }
        let a = session(
            &store,
            lib,
            e6,
            SessionKind::Appointment,
            "2024-09-13",
            &[texte],
        )
        .await;
        count(&store, lib, a, 1, 0).await;
        let loose = event(&store, lib, None, EventStatus::Published).await;
        let l = session(&store, lib, loose, SessionKind::Other, "2024-12-01", &[]).await;
        count(&store, lib, l, 9, 0).await;

        let season = Period::parse_season("2024-2025").unwrap();
        let r = store.report(scope(lib), &season, false).await.unwrap();
        assert_eq!(
            (r.period.from.as_str(), r.period.to.as_str()),
            ("2024-09-01", "2025-08-31")
        );
        let names: Vec<_> = r
            .series
            .iter()
            .map(|s| s.series.as_deref().unwrap())
            .collect();
        assert_eq!(
            names,
            ["Points", "Samedis"],
            "by name; the event without a series is only in the total"
        );
        let s = &r.series[1];
        assert_eq!(
            (s.events, s.sessions, s.talks, s.workshops, s.appointments),
            (2, 4, 2, 2, 0)
        );
        assert_eq!(
            (s.participants, s.under_14, s.uncounted_sessions),
            (164, 9, 1)
        );
        assert_eq!(s.avg_per_talk, Some(72.5));
        assert_eq!(
            s.avg_per_workshop,
            Some(19.0),
            "the uncounted workshop is left out"
        );
        assert_eq!(
            (s.themes, s.sessions_per_theme),
            (1, Some(MinMax { min: 2, max: 2 }))
        );
        assert_eq!(s.cost_eur, 400.0);
        assert_eq!(s.cost_per_participant_eur, Some(400.0 / 164.0));
        let p = &r.series[0];
        assert_eq!(
            (
                p.events,
                p.sessions,
                p.workshops,
                p.appointments,
                p.participants
            ),
            (1, 4, 3, 1, 16)
        );
        assert_eq!(p.avg_per_workshop, Some(5.0));
        assert_eq!(p.avg_per_talk, None);
        assert_eq!(p.cost_per_participant_eur, Some(0.0));
        assert_eq!(
            p.top_themes,
            [
                ThemeFigures {
                    theme: "Image".into(),
                    sessions: 2,
                    participants: 10
                },
                ThemeFigures {
                    theme: "Texte".into(),
                    sessions: 2,
                    participants: 6
                },
            ]
        );
        let t = &r.total;
        assert_eq!(t.series, None);
        assert_eq!(
            (
                t.events,
                t.sessions,
                t.participants,
                t.under_14,
                t.uncounted_sessions
            ),
            (4, 9, 189, 12, 1)
        );
        assert_eq!(t.avg_per_workshop, Some(34.0 / 4.0));
        assert_eq!(
            (t.themes, t.sessions_per_theme),
            (2, Some(MinMax { min: 2, max: 4 })),
            "Image: 2 Samedis + 2 Points"
        );
        assert_eq!(
            t.top_themes[0],
            ThemeFigures {
                theme: "Image".into(),
                sessions: 4,
                participants: 99
            }
        );

        // One series, and the previous season to compare with.
        let only = store
            .report(
                Scope {
                    library_id: Some(lib),
                    series: Some("Samedis"),
                },
                &season,
                true,
            )
            .await
            .unwrap();
        assert_eq!(only.series.len(), 1);
        assert_eq!(only.total.participants, 164);
        let previous = only.previous.as_ref().unwrap();
        assert_eq!(previous.period.from, "2023-09-01");
        assert_eq!(previous.total.participants, 40);
        let change = only.total.change.as_ref().unwrap();
        assert_eq!(
            (change.participants.previous, change.participants.delta),
            (40, 124)
        );
        assert_eq!(change.participants.percent, Some(310.0));
        assert_eq!(only.series[0].change.as_ref().unwrap().events.delta, 1);

        // The whole installation (every library) sees the same here.
        let network = store
            .report(
                Scope {
                    library_id: None,
                    series: None,
                },
                &season,
                false,
            )
            .await
            .unwrap();
        assert_eq!(network.total, r.total);
        // A year cuts across seasons: 2024 holds 31 August and the autumn.
        let year = store
            .report(scope(lib), &Period::year(2024).unwrap(), false)
            .await
            .unwrap();
        assert_eq!(year.total.participants, 40 + 70 + 19 + 16 + 9);
    }
);

const HISTORY: &str = "date;début;fin;cycle;type;titre;thématique;lieu;participants;moins de 14 ans;intervenant;coût\n\
    13/01/2024;14h;15h30;Samedis;Rencontre;Créer;Image;Auditorium;70;2;Léa Fontaine;400\n\
    13/01/2024;16h;;Samedis;atelier;Créer;Image;Espace numérique;19;4;Léa Fontaine;\n\
    10/01/2024;15h;;points;atelier;;Texte;Espace numérique;;;;\n";

on_both_backends!(
    async fn history_is_imported_once_and_a_dry_run_writes_nothing(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        // An existing series, written differently in the file, with its duration.
        let points = series(&store, lib, "Points", Some(45)).await;
        let rows = parse_file(HISTORY.as_bytes(), None).unwrap().rows;

        let dry = store
            .import_history(&actor(lib), &rows, "history.csv", true)
            .await
            .unwrap();
        assert_eq!(dry.series, ["Samedis"]);
        assert_eq!(dry.themes, ["Image", "Texte"]);
        assert_eq!(dry.rooms, ["Auditorium", "Espace numérique"]);
        assert_eq!(dry.speakers, ["Léa Fontaine"]);
        assert_eq!(
            dry.events.len(),
            2,
            "a series' rows on one date form one event"
        );
        assert_eq!(dry.sessions, 3);
        assert_eq!(
            store.list_series(lib).await.unwrap().len(),
            1,
            "the dry run wrote nothing"
        );
        assert!(store.list_rooms(lib).await.unwrap().is_empty());
        assert!(
            store
                .audit_log(lib, Some(("import", 0)), 5)
                .await
                .unwrap()
                .is_empty()
        );

        let real = store
            .import_history(&actor(lib), &rows, "history.csv", false)
            .await
            .unwrap();
        assert_eq!(real, dry, "the dry run told exactly what the import did");
        let all = store
            .list_sessions(lib, &SessionFilter::default())
            .await
            .unwrap();
        assert_eq!(all.len(), 3);
        let p = all.iter().find(|s| s.series_id == Some(points)).unwrap();
        assert_eq!(
            p.ends_at - p.starts_at,
            45 * 60,
            "no end: the series' duration"
        );
        assert_eq!(
            store
                .attendance(lib, p.id)
                .await
                .unwrap()
                .headcount
                .participants,
            None
        );
        let workshop = all
            .iter()
            .find(|s| s.kind == SessionKind::Workshop && s.series_id != Some(points))
            .unwrap();
        assert_eq!(
            workshop.ends_at - workshop.starts_at,
            3600,
            "no end and no duration: one hour"
        );
        assert_eq!(workshop.local_date, "2024-01-13");
        let a = store.attendance(lib, workshop.id).await.unwrap();
        assert_eq!(
            (a.headcount.participants, a.headcount.under_14),
            (Some(19), Some(4))
        );
        let talk = all.iter().find(|s| s.kind == SessionKind::Talk).unwrap();
        assert_eq!(talk.event_id, workshop.event_id);
        assert_eq!(talk.room_name.as_deref(), Some("Auditorium"));
        assert_eq!(talk.speaker_ids.len(), 1);
        assert_eq!(
            store.attendance(lib, talk.id).await.unwrap().cost_cents,
            40_000
        );
        assert_eq!(
            store
                .audit_log(lib, Some(("import", 0)), 5)
                .await
                .unwrap()
                .len(),
            1
        );

        let again = store
            .import_history(&actor(lib), &rows, "history.csv", false)
            .await
            .unwrap();
        assert_eq!((again.sessions, again.already_imported), (0, 3));
        assert!(again.series.is_empty() && again.events.is_empty() && again.themes.is_empty());
        assert_eq!(
            store
                .list_sessions(lib, &SessionFilter::default())
                .await
                .unwrap()
                .len(),
            3
        );

        // A new line for a known date joins its event.
        let more = format!(
            "{HISTORY}13/01/2024;17h30;19h;Samedis;atelier;Créer;Image;Espace numérique;21;;;\n"
        );
        let rows = parse_file(more.as_bytes(), None).unwrap().rows;
        let third = store
            .import_history(&actor(lib), &rows, "history.csv", false)
            .await
            .unwrap();
        assert_eq!(
            (third.sessions, third.already_imported, third.events.len()),
            (1, 3, 0)
        );
        let r = store
            .report(scope(lib), &Period::year(2024).unwrap(), false)
            .await
            .unwrap();
        assert_eq!(r.total.events, 2);
        assert_eq!(r.total.avg_per_workshop, Some(20.0));
    }
);

/// A session at an exact instant, dated `day` (library time).
async fn session_at(
    store: &Store,
    lib: LibraryId,
    event_id: EventId,
    day: &str,
    starts_at: i64,
) -> SessionId {
    let id = session(store, lib, event_id, SessionKind::Workshop, day, &[]).await;
    sqlx::query("update sessions set starts_at = $1, ends_at = $2 where id = $3")
        .bind(starts_at)
        .bind(starts_at + 3600)
        .bind(id)
        .execute(store.pool())
        .await
        .unwrap();
    id
}

on_both_backends!(
    async fn a_season_in_progress_counts_what_took_place_against_the_same_dates(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let today = store.today(scope(lib)).await.unwrap();
        let (year, _) = almanach_domain::programme::season_of(today);
        let season = Period::Season(year);
        let previous = season.previous();
        let e = event(&store, lib, None, EventStatus::Published).await;
        let a = actor(lib);
        let line = |session_id, cents| CostLine {
            id: 0,
            session_id,
            kind: almanach_domain::costs::CostKind::Fee,
            cents,
            note: String::new(),
        };

        // This season: one session that began a minute ago, one still to
        // come later today (with its fee already booked).
        let held = session_at(&store, lib, e, &today.to_string(), now() - 60).await;
        count(&store, lib, held, 12, 2).await;
        store.add_cost_line(&a, &line(held, 6_000)).await.unwrap();
        let to_come = session_at(&store, lib, e, &today.to_string(), now() + 600).await;
        store
            .add_cost_line(&a, &line(to_come, 50_000))
            .await
            .unwrap();
        // Last season: the same date, then its last day, after that date.
        let same_day = today.checked_sub(jiff::ToSpan::years(1)).unwrap();
        let then = session_at(&store, lib, e, &same_day.to_string(), now() - 366 * 86_400).await;
        count(&store, lib, then, 8, 0).await;
        let last_day = previous.to();
        if last_day > same_day {
            let later = session(
                &store,
                lib,
                e,
                SessionKind::Workshop,
                &last_day.to_string(),
                &[],
            )
            .await;
            count(&store, lib, later, 500, 0).await;
        }

        let r = store.report(scope(lib), &season, true).await.unwrap();
        assert_eq!(
            (r.total.sessions, r.total.participants, r.total.cost_cents),
            (1, 12, 6_000),
            "only what took place: the session to come is neither held nor paid"
        );
        assert_eq!(r.period, season.dates(), "the period asked for");
        let to_date = r.to_date.clone().expect("a season in progress is to date");
        assert_eq!(
            (to_date.from, to_date.to),
            (season.from().to_string(), today.to_string())
        );
        let p = r.previous.as_deref().unwrap();
        assert_eq!(
            p.to_date.as_ref().map(|d| (d.from.clone(), d.to.clone())),
            Some((previous.from().to_string(), same_day.to_string())),
            "compared with the same dates of the season before"
        );
        assert_eq!(
            (p.total.sessions, p.total.participants),
            (1, 8),
            "like with like: not the whole season before"
        );
        assert_eq!(r.total.change.as_ref().unwrap().participants.delta, 4);

        // The breakdowns count the same sessions and the same costs.
        for by in almanach_domain::stats::Dimension::ALL {
            let lines = store.breakdown(scope(lib), &season, by).await.unwrap();
            assert_eq!(
                lines.iter().map(|l| l.tally.sessions).sum::<i64>(),
                1,
                "{by:?}"
            );
            assert_eq!(
                lines.iter().map(|l| l.tally.cost_cents).sum::<i64>(),
                6_000,
                "{by:?}"
            );
        }

        // A season over is whole, with no cut.
        let over = store.report(scope(lib), &previous, false).await.unwrap();
        assert!(over.to_date.is_none());
    }
);
