//! Season reports read summaries kept by triggers (migration 0007), a
//! library's or the network's; a from–to period of the same dates adds up
//! the sessions themselves. After
//! every kind of write the two must agree, on both backends, also while
//! head counts and reports run at once.

use almanach_domain::attendance::Headcount;
use almanach_domain::ids::{EventId, LibraryId, SessionId};
use almanach_domain::import::parse_file;
use almanach_domain::programme::{EventStatus, SessionKind};
use almanach_domain::stats::Period;
use almanach_store::testing::on_day;
use almanach_store::*;

fn actor(lib: LibraryId) -> Actor {
    Actor::system(lib, "test")
}

fn network() -> Scope<'static> {
    Scope {
        library_id: None,
        series: None,
    }
}

/// The season's report, from its summaries, is the report of the same
/// dates added up from the sessions; returns the season's total participants.
async fn agrees(store: &Store, scope: Scope<'_>, season: i16) -> i64 {
    let period = Period::Season(season);
    let summed = store.report(scope, &period, false).await.unwrap();
    let counted = store
        .report(
            scope,
            &Period::Range {
                from: period.from(),
                to: period.to(),
            },
            false,
        )
        .await
        .unwrap();
    assert_eq!(summed.series, counted.series, "season {season}, {scope:?}");
    assert_eq!(summed.total, counted.total, "season {season}, {scope:?}");
    summed.total.participants
}

/// Every scope the review offers, both seasons; the network's 2024 participants.
async fn check(store: &Store, lib: LibraryId) -> i64 {
    for season in [2023, 2024] {
        agrees(store, Scope::library(lib), season).await;
        agrees(
            store,
            Scope {
                library_id: Some(lib),
                series: Some("Samedis"),
            },
            season,
        )
        .await;
        agrees(
            store,
            Scope {
                library_id: None,
                series: Some("Samedis"),
            },
            season,
        )
        .await;
        agrees(store, network(), season).await;
    }
    agrees(store, network(), 2024).await
}

fn write(event_id: EventId, kind: SessionKind, day: &str, themes: &[i64]) -> SessionWrite {
    SessionWrite {
        kind,
        theme_ids: themes.to_vec(),
        ..on_day(event_id, day)
    }
}

async fn session(store: &Store, lib: LibraryId, w: &SessionWrite, participants: u32) -> SessionId {
    let id = store
        .save_session(&actor(lib), None, w)
        .await
        .unwrap()
        .unwrap();
    count(store, lib, id, participants).await;
    id
}

async fn count(store: &Store, lib: LibraryId, id: SessionId, participants: u32) {
    let h = Headcount::new(Some(participants), Some(participants / 4), None, None).unwrap();
    store.set_headcount(&actor(lib), id, &h).await.unwrap();
}

fn event(id: EventId, series_id: Option<i64>, status: EventStatus) -> Event {
    Event {
        id,
        series_id,
        title: "E".into(),
        description: String::new(),
        picture_url: String::new(),
        status,
    }
}

on_both_backends!(
    async fn season_summaries_follow_every_write(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let a = actor(lib);
        let samedis = store
            .save_series(
                &a,
                &Series {
                    name: "Samedis".into(),
                    ..Series::default()
                },
            )
            .await
            .unwrap();
        let points = store
            .save_series(
                &a,
                &Series {
                    name: "Points".into(),
                    ..Series::default()
                },
            )
            .await
            .unwrap();
        let image = store
            .save_theme(
                &a,
                &Theme {
                    title: "Image".into(),
                    ..Theme::default()
                },
            )
            .await
            .unwrap();
        let texte = store
            .save_theme(
                &a,
                &Theme {
                    title: "Texte".into(),
                    ..Theme::default()
                },
            )
            .await
            .unwrap();
        let e1 = store
            .save_event(
                &a,
                &event(EventId(0), Some(samedis), EventStatus::Published),
            )
            .await
            .unwrap();
        let e2 = store
            .save_event(&a, &event(EventId(0), Some(points), EventStatus::Published))
            .await
            .unwrap();
        let talk = write(e1, SessionKind::Talk, "2024-10-12", &[image]);
        let t1 = session(&store, lib, &talk, 70).await;
        let w1 = session(
            &store,
            lib,
            &write(e1, SessionKind::Workshop, "2024-10-12", &[image]),
            19,
        )
        .await;
        let w2 = session(
            &store,
            lib,
            &write(e2, SessionKind::Workshop, "2024-03-05", &[texte]),
            8,
        )
        .await;
        assert_eq!(check(&store, lib).await, 89);
        // A session without a usable local date is in no season, and writing it fails nothing.
        session(
            &store,
            lib,
            &SessionWrite {
                local_date: String::new(),
                ..talk.clone()
            },
            500,
        )
        .await;
        assert_eq!(check(&store, lib).await, 89);

        // Head counts and costs.
        count(&store, lib, t1, 80).await;
        assert_eq!(check(&store, lib).await, 99);
        store.set_session_cost(&a, w1, 2_500).await.unwrap();
        check(&store, lib).await;
        assert_eq!(
            store
                .report(network(), &Period::Season(2024), false)
                .await
                .unwrap()
                .total
                .cost_eur,
            25.0
        );

        // Cancelling a session, then its event, and back.
        store.set_session_cancelled(&a, w1, true).await.unwrap();
        assert_eq!(check(&store, lib).await, 80);
        store
            .save_event(&a, &event(e1, Some(samedis), EventStatus::Cancelled))
            .await
            .unwrap();
        assert_eq!(check(&store, lib).await, 0);
        store
            .save_event(&a, &event(e1, Some(samedis), EventStatus::Published))
            .await
            .unwrap();
        store.set_session_cancelled(&a, w1, false).await.unwrap();
        assert_eq!(check(&store, lib).await, 99);

        // The event moves to another series, then to none.
        store
            .save_event(&a, &event(e1, Some(points), EventStatus::Published))
            .await
            .unwrap();
        check(&store, lib).await;
        store
            .save_event(&a, &event(e1, None, EventStatus::Published))
            .await
            .unwrap();
        check(&store, lib).await;
        store
            .save_event(&a, &event(e1, Some(samedis), EventStatus::Published))
            .await
            .unwrap();

        // Renaming a series or a theme renames the rows.
        store
            .save_series(
                &a,
                &Series {
                    id: samedis,
                    name: "Samedis du numérique".into(),
                    ..Series::default()
                },
            )
            .await
            .unwrap();
        check(&store, lib).await;
        let r = store
            .report(network(), &Period::Season(2024), false)
            .await
            .unwrap();
        assert_eq!(
            r.series
                .iter()
                .map(|s| s.series.as_deref().unwrap())
                .collect::<Vec<_>>(),
            ["Samedis du numérique"]
        );
        store
            .save_series(
                &a,
                &Series {
                    id: samedis,
                    name: "Samedis".into(),
                    ..Series::default()
                },
            )
            .await
            .unwrap();
        store
            .save_theme(
                &a,
                &Theme {
                    id: image,
                    title: "Images".into(),
                    ..Theme::default()
                },
            )
            .await
            .unwrap();
        check(&store, lib).await;
        let r = store
            .report(network(), &Period::Season(2024), false)
            .await
            .unwrap();
        assert_eq!(r.total.top_themes[0].theme, "Images");

        // A session's themes change, then it moves to the season before.
        store
            .save_session(
                &a,
                Some(t1),
                &write(e1, SessionKind::Talk, "2024-10-12", &[texte, image]),
            )
            .await
            .unwrap()
            .unwrap();
        check(&store, lib).await;
        store
            .save_session(
                &a,
                Some(t1),
                &write(e1, SessionKind::Talk, "2024-06-01", &[texte]),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(check(&store, lib).await, 19);
        assert_eq!(agrees(&store, network(), 2023).await, 88);

        // Imported history.
        let csv = "date;cycle;type;thématique;participants\n14/09/2024;Samedis;atelier;Image;12\n10/01/2024;Points;atelier;Texte;\n";
        store
            .import_history(
                &a,
                &parse_file(csv.as_bytes(), None).unwrap().rows,
                "h.csv",
                false,
            )
            .await
            .unwrap();
        assert_eq!(check(&store, lib).await, 31);

        // Rows deleted by hand (no store function deletes them yet), and another library.
        sqlx::query("delete from sessions where id = $1")
            .bind(w2)
            .execute(store.pool())
            .await
            .unwrap();
        check(&store, lib).await;
        sqlx::query("delete from events where id = $1")
            .bind(e1)
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(check(&store, lib).await, 12);
        let other: LibraryId = sqlx::query_scalar(
            "insert into libraries (name, created_at) values ('B', 0) returning id",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        let s = store
            .save_series(
                &actor(other),
                &Series {
                    name: "Samedis".into(),
                    ..Series::default()
                },
            )
            .await
            .unwrap();
        let e = store
            .save_event(
                &actor(other),
                &event(EventId(0), Some(s), EventStatus::Published),
            )
            .await
            .unwrap();
        session(
            &store,
            other,
            &write(e, SessionKind::Talk, "2025-01-11", &[]),
            40,
        )
        .await;
        assert_eq!(check(&store, lib).await, 52);
        let r = store
            .report(network(), &Period::Season(2024), false)
            .await
            .unwrap();
        assert_eq!(
            (r.series[0].series.as_deref(), r.series[0].events),
            (Some("Samedis"), 2),
            "one name across libraries"
        );
        let stale: i64 = sqlx::query_scalar("select count(*) from report_stale")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(stale, 0, "a season report rebuilds every stale season");
        let network_stale: i64 = sqlx::query_scalar("select count(*) from report_network_stale")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(
            network_stale, 0,
            "and a network report every stale network season"
        );
    }
);

on_both_backends!(
    async fn the_trend_is_the_season_reports(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let a = actor(lib);
        let samedis = store
            .save_series(
                &a,
                &Series {
                    name: "Samedis".into(),
                    ..Series::default()
                },
            )
            .await
            .unwrap();
        let image = store
            .save_theme(
                &a,
                &Theme {
                    title: "Image".into(),
                    ..Theme::default()
                },
            )
            .await
            .unwrap();
        let e = store
            .save_event(
                &a,
                &event(EventId(0), Some(samedis), EventStatus::Published),
            )
            .await
            .unwrap();
        for (day, n) in [
            ("2022-10-01", 10),
            ("2024-01-13", 20),
            ("2024-08-31", 30),
            ("2024-09-01", 40),
        ] {
            session(
                &store,
                lib,
                &write(e, SessionKind::Workshop, day, &[image]),
                n,
            )
            .await;
        }
        let scope = Scope::library(lib);
        let trend = store.trend(scope, 2021..=2024).await.unwrap();
        let mut seasons = Vec::new();
        for year in 2021..=2024 {
            seasons.push(
                store
                    .report(scope, &Period::Season(year), false)
                    .await
                    .unwrap(),
            );
        }
        assert_eq!(trend, seasons);
        let participants: Vec<i64> = trend.iter().map(|r| r.total.participants).collect();
        assert_eq!(participants, [0, 10, 50, 40]);
    }
);

on_both_backends!(
    async fn head_counts_during_reports_are_all_in_the_next_report(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let a = actor(lib);
        let samedis = store
            .save_series(
                &a,
                &Series {
                    name: "Samedis".into(),
                    ..Series::default()
                },
            )
            .await
            .unwrap();
        let e = store
            .save_event(
                &a,
                &event(EventId(0), Some(samedis), EventStatus::Published),
            )
            .await
            .unwrap();
        let mut ids = Vec::new();
        for day in 1..=12 {
            ids.push(
                session(
                    &store,
                    lib,
                    &write(e, SessionKind::Workshop, &format!("2024-10-{day:02}"), &[]),
                    1,
                )
                .await,
            );
        }
        let mut tasks = Vec::new();
        for (i, id) in ids.iter().copied().enumerate() {
            let counter = store.clone();
            tasks.push(tokio::spawn(async move {
                count(&counter, lib, id, 10 + i as u32).await;
            }));
            let reader = store.clone();
            tasks.push(tokio::spawn(async move {
                reader
                    .report(network(), &Period::Season(2024), false)
                    .await
                    .unwrap();
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        // 10 + 11 + … + 21: no head count lost by a rebuild running beside it.
        assert_eq!(agrees(&store, network(), 2024).await, (10..22).sum::<i64>());
    }
);
