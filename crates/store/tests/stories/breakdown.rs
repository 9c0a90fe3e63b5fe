//! The dashboard's queries on both backends: breakdowns by series, kind,
//! theme, category, room, speaker and lead; fill rate, registered against
//! present and replays; the trend of five seasons or years.

use almanach_domain::attendance::Headcount;
use almanach_domain::costs::{Billing, CostKind};
use almanach_domain::ids::{LibraryId, SessionId};
use almanach_domain::programme::SessionKind;
use almanach_domain::staff::Role;
use almanach_domain::stats::{Dimension, Period};
use almanach_store::testing::{on_day, published};
use almanach_store::*;

fn actor(lib: LibraryId) -> Actor {
    Actor::system(lib, "test")
}

struct Fixture {
    lib: LibraryId,
    image: i64,
    texte: i64,
    room: i64,
    speaker: i64,
    lead: i64,
}

async fn fixture(store: &Store) -> Fixture {
    let lib = store.default_library().await.unwrap().id;
    let a = actor(lib);
    let image = store
        .save_theme(
            &a,
            &Theme {
                title: "Créer des images".into(),
                categories: vec!["image".into()],
                ..Theme::default()
            },
        )
        .await
        .unwrap();
    let texte = store
        .save_theme(
            &a,
            &Theme {
                title: "Écrire avec l'IA".into(),
                categories: vec!["texte".into(), "image".into()],
                ..Theme::default()
            },
        )
        .await
        .unwrap();
    let room = store
        .save_room(
            &a,
            &Room {
                id: 0,
                name: "Auditorium".into(),
                capacity: Some(80),
                equipment: String::new(),
                step_free: true,
            },
        )
        .await
        .unwrap();
    let speaker = store
        .save_speaker(
            &a,
            &Speaker {
                id: 0,
                name: "Ogône".into(),
                organisation: String::new(),
                email: String::new(),
                phone: String::new(),
                notes: String::new(),
            },
        )
        .await
        .unwrap();
    let lead = store
        .create_staff(&a, "clotilde@example.org", "Clotilde", Role::Mediator, "x")
        .await
        .unwrap();
    Fixture {
        lib,
        image,
        texte,
        room,
        speaker,
        lead,
    }
}

struct S<'a> {
    series: Option<i64>,
    kind: SessionKind,
    day: &'a str,
    themes: Vec<i64>,
    room: Option<i64>,
    capacity: Option<u32>,
    speakers: Vec<i64>,
    leads: Vec<i64>,
    count: Option<Headcount>,
    cost_cents: i64,
}

impl Default for S<'_> {
    fn default() -> Self {
        S {
            series: None,
            kind: SessionKind::Workshop,
            day: "2024-10-05",
            themes: vec![],
            room: None,
            capacity: None,
            speakers: vec![],
            leads: vec![],
            count: None,
            cost_cents: 0,
        }
    }
}

async fn add(store: &Store, lib: LibraryId, s: S<'_>) -> SessionId {
    let e = Event {
        series_id: s.series,
        ..published("E")
    };
    let e = store.save_event(&actor(lib), &e).await.unwrap();
    let w = SessionWrite {
        kind: s.kind,
        room_id: s.room,
        capacity: s.capacity,
        theme_ids: s.themes,
        speaker_ids: s.speakers,
        lead_ids: s.leads,
        ..on_day(e, s.day)
    };
    let id = store
        .save_session(&actor(lib), None, &w)
        .await
        .unwrap()
        .unwrap();
    if let Some(h) = s.count {
        store.set_headcount(&actor(lib), id, &h).await.unwrap();
    }
    if s.cost_cents > 0 {
        store
            .set_session_cost(&actor(lib), id, s.cost_cents)
            .await
            .unwrap();
    }
    id
}

fn head(p: u32, u: u32) -> Option<Headcount> {
    Some(Headcount::new(Some(p), Some(u), None, None).unwrap())
}

fn scope(lib: LibraryId) -> Scope<'static> {
    Scope::library(lib)
}

/// (key, sessions, participants) of each line.
fn keyed(lines: &[Line]) -> Vec<(Option<&str>, i64, i64)> {
    lines
        .iter()
        .map(|l| (l.key.as_deref(), l.tally.sessions, l.tally.participants))
        .collect()
}

on_both_backends!(
    async fn breakdowns_by_every_dimension(store: Store) {
        let f = fixture(&store).await;
        let lib = f.lib;
        let samedis = store
            .save_series(
                &actor(lib),
                &Series {
                    name: "Samedis".into(),
                    ..Series::default()
                },
            )
            .await
            .unwrap();
        add(
            &store,
            lib,
            S {
                series: Some(samedis),
                kind: SessionKind::Talk,
                themes: vec![f.image, f.texte],
                room: Some(f.room),
                capacity: Some(80),
                speakers: vec![f.speaker],
                count: head(70, 5),
                cost_cents: 50_000,
                ..S::default()
            },
        )
        .await;
        add(
            &store,
            lib,
            S {
                series: Some(samedis),
                day: "2024-10-06",
                themes: vec![f.image],
                room: Some(f.room),
                leads: vec![f.lead],
                count: head(19, 4),
                ..S::default()
            },
        )
        .await;
        add(
            &store,
            lib,
            S {
                themes: vec![f.texte],
                leads: vec![f.lead],
                count: None,
                ..S::default()
            },
        )
        .await;
        // Outside the season: in no line.
        add(
            &store,
            lib,
            S {
                series: Some(samedis),
                themes: vec![f.image],
                day: "2024-08-31",
                count: head(500, 0),
                ..S::default()
            },
        )
        .await;

        let season = Period::parse_season("2024-2025").unwrap();
        let by = |d| {
            let store = store.clone();
            async move { store.breakdown(scope(lib), &season, d).await.unwrap() }
        };
        assert_eq!(
            keyed(&by(Dimension::Series).await),
            [(Some("Samedis"), 2, 89), (None, 1, 0)]
        );
        assert_eq!(
            keyed(&by(Dimension::Kind).await),
            [(Some("talk"), 1, 70), (Some("workshop"), 2, 19)]
        );
        assert_eq!(
            keyed(&by(Dimension::Theme).await),
            [
                (Some("Créer des images"), 2, 89),
                (Some("Écrire avec l'IA"), 2, 70)
            ],
            "a session counts in each of its themes"
        );
        assert_eq!(
            keyed(&by(Dimension::Category).await),
            [(Some("image"), 3, 89), (Some("texte"), 2, 70)],
            "once per category even with two themes in it"
        );
        assert_eq!(
            keyed(&by(Dimension::Room).await),
            [(Some("Auditorium"), 2, 89), (None, 1, 0)]
        );
        assert_eq!(
            keyed(&by(Dimension::Speaker).await),
            [(Some("Ogône"), 1, 70), (None, 2, 19)],
            "sessions without a speaker are a line of their own, last"
        );
        assert_eq!(
            keyed(&by(Dimension::Lead).await),
            [(Some("Clotilde"), 2, 19), (None, 1, 70)]
        );
        let talk = &by(Dimension::Kind).await[0].tally;
        assert_eq!(
            (talk.under_14, talk.cost_cents, talk.counted_talks),
            (5, 50_000, 1)
        );
        let lead = &by(Dimension::Lead).await[0].tally;
        assert_eq!(
            (
                lead.uncounted_sessions,
                lead.counted_workshops,
                lead.workshop_participants
            ),
            (1, 1, 19)
        );

        let only = Scope {
            library_id: Some(lib),
            series: Some("Samedis"),
        };
        let lines = store
            .breakdown(only, &season, Dimension::Kind)
            .await
            .unwrap();
        assert_eq!(
            keyed(&lines),
            [(Some("talk"), 1, 70), (Some("workshop"), 1, 19)],
            "the series filter applies"
        );
    }
);

on_both_backends!(
    async fn fill_rate_no_shows_and_replays(store: Store) {
        let f = fixture(&store).await;
        let lib = f.lib;
        // Given in 2023-2024, then replayed twice in 2024-2025.
        add(
            &store,
            lib,
            S {
                day: "2024-03-02",
                themes: vec![f.image],
                count: head(10, 0),
                ..S::default()
            },
        )
        .await;
        add(
            &store,
            lib,
            S {
                day: "2024-10-05",
                themes: vec![f.image],
                capacity: Some(20),
                count: head(15, 0),
                ..S::default()
            },
        )
        .await;
        add(
            &store,
            lib,
            S {
                day: "2024-11-05",
                themes: vec![f.image, f.texte],
                capacity: Some(20),
                count: head(5, 0),
                ..S::default()
            },
        )
        .await;
        // Not counted: its seats stay out of the fill rate.
        add(
            &store,
            lib,
            S {
                day: "2024-12-05",
                themes: vec![f.texte],
                capacity: Some(100),
                ..S::default()
            },
        )
        .await;
        let ticked = add(
            &store,
            lib,
            S {
                day: "2025-01-05",
                capacity: Some(10),
                ..S::default()
            },
        )
        .await;
        store
            .set_headcount(
                &actor(lib),
                ticked,
                &Headcount::new(Some(9), None, Some(10), Some(8)).unwrap(),
            )
            .await
            .unwrap();

        let season = Period::parse_season("2024-2025").unwrap();
        let e = store.extras(scope(lib), &season).await.unwrap();
        assert_eq!((e.filled, e.seats), (29, 50));
        assert_eq!((e.registered, e.present), (10, 8));
        assert_eq!(e.no_show_rate(), Some(0.2));
        assert_eq!(
            (e.replays, e.replayed_themes),
            (2, 1),
            "the image theme twice; the text theme is new this season"
        );
        let before = store
            .extras(scope(lib), &Period::parse_season("2023-2024").unwrap())
            .await
            .unwrap();
        assert_eq!((before.replays, before.fill_rate()), (0, None));
    }
);

on_both_backends!(
    async fn the_trend_has_five_seasons_or_years_oldest_first(store: Store) {
        let f = fixture(&store).await;
        let lib = f.lib;
        add(
            &store,
            lib,
            S {
                day: "2021-05-01",
                count: head(7, 1),
                ..S::default()
            },
        )
        .await;
        add(
            &store,
            lib,
            S {
                day: "2024-08-31",
                count: head(10, 2),
                ..S::default()
            },
        )
        .await;
        add(
            &store,
            lib,
            S {
                day: "2024-09-01",
                count: head(20, 3),
                cost_cents: 1_000,
                ..S::default()
            },
        )
        .await;
        add(
            &store,
            lib,
            S {
                day: "2025-06-01",
                kind: SessionKind::Talk,
                count: head(30, 0),
                ..S::default()
            },
        )
        .await;
        // After the period: not in the trend.
        add(
            &store,
            lib,
            S {
                day: "2025-09-01",
                count: head(99, 0),
                ..S::default()
            },
        )
        .await;

        let season = Period::parse_season("2024-2025").unwrap();
        let t = store
            .attendance_trend(scope(lib), &season, Bucket::Season)
            .await
            .unwrap();
        let seen: Vec<(i16, i64, i64)> = t
            .iter()
            .map(|(y, t)| (*y, t.sessions, t.participants))
            .collect();
        assert_eq!(
            seen,
            [
                (2020, 1, 7),
                (2021, 0, 0),
                (2022, 0, 0),
                (2023, 1, 10),
                (2024, 2, 50)
            ]
        );
        assert_eq!(
            (t[4].1.under_14, t[4].1.talks, t[4].1.cost_cents),
            (3, 1, 1_000)
        );

        let year = Period::year(2024).unwrap();
        let t = store
            .attendance_trend(scope(lib), &year, Bucket::Year)
            .await
            .unwrap();
        let seen: Vec<(i16, i64)> = t.iter().map(|(y, t)| (*y, t.participants)).collect();
        assert_eq!(
            seen,
            [(2020, 0), (2021, 7), (2022, 0), (2023, 0), (2024, 30)]
        );
    }
);

/// A season with every kind of cost: typed with the attendance (the
/// session's own column), cost lines (a speaker's fee, travel, materials),
/// a monthly subscription reached through a theme and a yearly one ticked
/// on sessions; sessions with several themes, speakers and leads, and
/// sessions with none; a cancelled session with costs. Returns the second
/// speaker's id.
async fn costly_season(store: &Store, f: &Fixture) -> i64 {
    let lib = f.lib;
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
                name: "Points de l'IA".into(),
                ..Series::default()
            },
        )
        .await
        .unwrap();
    let other_speaker = store
        .save_speaker(
            &a,
            &Speaker {
                name: "Fake off".into(),
                ..Speaker::default()
            },
        )
        .await
        .unwrap();
    let other_lead = store
        .create_staff(&a, "hugo@example.org", "Hugo", Role::Mediator, "x")
        .await
        .unwrap();
    // A talk with two themes, two speakers, two leads: a fee and travel.
    let talk = add(
        store,
        lib,
        S {
            series: Some(samedis),
            kind: SessionKind::Talk,
            day: "2024-10-05",
            themes: vec![f.image, f.texte],
            room: Some(f.room),
            speakers: vec![f.speaker, other_speaker],
            leads: vec![f.lead, other_lead],
            count: head(73, 3),
            cost_cents: 10_001,
            ..S::default()
        },
    )
    .await;
    // Points de l'IA: subscriptions only, through their theme.
    let mut points_sessions = Vec::new();
    for day in ["2024-10-08", "2024-10-15", "2024-10-22", "2024-11-05"] {
        points_sessions.push(
            add(
                store,
                lib,
                S {
                    series: Some(points),
                    day,
                    themes: vec![f.texte],
                    leads: vec![f.lead],
                    count: head(7, 1),
                    ..S::default()
                },
            )
            .await,
        );
    }
    // No series, theme, room, speaker nor lead; not counted; materials.
    let bare = add(
        store,
        lib,
        S {
            day: "2024-12-14",
            ..S::default()
        },
    )
    .await;
    // Cancelled: its costs count nowhere.
    let cancelled = add(
        store,
        lib,
        S {
            series: Some(samedis),
            day: "2024-10-19",
            speakers: vec![other_speaker],
            cost_cents: 99_999,
            ..S::default()
        },
    )
    .await;
    store
        .set_session_cancelled(&a, cancelled, true)
        .await
        .unwrap();
    for (session, kind, cents) in [
        (talk, CostKind::Fee, 45_050),
        (talk, CostKind::Travel, 8_733),
        (bare, CostKind::Materials, 1_999),
        (cancelled, CostKind::Fee, 50_000),
    ] {
        store
            .add_cost_line(
                &a,
                &CostLine {
                    id: 0,
                    session_id: session,
                    kind,
                    cents,
                    note: String::new(),
                },
            )
            .await
            .unwrap();
    }
    let tool = |name: &str, cents, billing| Tool {
        id: 0,
        name: name.into(),
        provider: String::new(),
        plan: String::new(),
        cost_cents: cents,
        billing,
        seats: None,
        renewal_on: None,
        owner_id: None,
        notes: String::new(),
        theme_ids: vec![],
        session_ids: vec![],
    };
    // 23,00 € a month over the sessions on the text theme: October's four
    // (the talk and three Points) and November's one.
    store
        .save_tool(
            &a,
            &Tool {
                theme_ids: vec![f.texte],
                ..tool("ChatGPT Plus", 2_300, Billing::Monthly)
            },
        )
        .await
        .unwrap();
    // 288,00 € a year, ticked on the talk and the bare session.
    store
        .save_tool(
            &a,
            &Tool {
                session_ids: vec![talk.get(), bare.get(), points_sessions[0].get()],
                ..tool("HeyGen", 28_800, Billing::Yearly)
            },
        )
        .await
        .unwrap();
    other_speaker
}

on_both_backends!(
    async fn every_breakdown_adds_up_to_the_key_figure_s_total(store: Store) {
        let f = fixture(&store).await;
        let other_speaker = costly_season(&store, &f).await;
        let season = Period::parse_season("2024-2025").unwrap();
        let report = store.report(scope(f.lib), &season, false).await.unwrap();
        let total = report.total.cost_cents;
        // 100,01 (the talk's own) + 450,50 + 87,33 + 19,99 (lines) + 2 × 23,00
        // (ChatGPT: October, November) + 2 × 24,00 (HeyGen: October, December).
        assert_eq!(
            total,
            10_001 + 45_050 + 8_733 + 1_999 + 2 * 2_300 + 2 * 2_400,
            "the key figure holds every cost"
        );
        assert_eq!(
            report.series.iter().map(|r| r.cost_cents).sum::<i64>() + 1_999 + 2_400,
            total,
            "the series' rows and the sessions outside any series"
        );
        for by in Dimension::ALL {
            let lines = store.breakdown(scope(f.lib), &season, by).await.unwrap();
            assert_eq!(
                lines.iter().map(|l| l.tally.cost_cents).sum::<i64>(),
                total,
                "{by:?}: {lines:?}"
            );
        }
        let points = store
            .breakdown(scope(f.lib), &season, Dimension::Series)
            .await
            .unwrap()
            .into_iter()
            .find(|l| l.key.as_deref() == Some("Points de l'IA"))
            .unwrap();
        assert!(
            points.tally.cost_cents > 0,
            "subscriptions reach the Points de l'IA: {points:?}"
        );
        assert_eq!(
            Some(points.tally.cost_cents),
            report
                .series
                .iter()
                .find(|r| r.series.as_deref() == Some("Points de l'IA"))
                .map(|r| r.cost_cents),
            "the breakdown's line is the review's row"
        );
        // A session with two speakers gives each half its cost; the
        // speaker's record is the speaker's line of the breakdown.
        let by_speaker = store
            .breakdown(scope(f.lib), &season, Dimension::Speaker)
            .await
            .unwrap();
        for (id, name) in [(f.speaker, "Ogône"), (other_speaker, "Fake off")] {
            let line = by_speaker
                .iter()
                .find(|l| l.key.as_deref() == Some(name))
                .unwrap();
            let record = store.speaker_cost(f.lib, id).await.unwrap();
            assert_eq!(
                (record.cents, record.participants),
                (line.tally.cost_cents, line.tally.participants),
                "{name}"
            );
        }
        // The trend's season is the same total.
        let trend = store
            .attendance_trend(scope(f.lib), &season, Bucket::Season)
            .await
            .unwrap();
        assert_eq!(trend.last().unwrap().1.cost_cents, total);
        // And a series' own report.
        let only = Scope {
            library_id: Some(f.lib),
            series: Some("Points de l'IA"),
        };
        let r = store.report(only, &season, false).await.unwrap();
        let lines = store
            .breakdown(only, &season, Dimension::Theme)
            .await
            .unwrap();
        assert_eq!(
            lines.iter().map(|l| l.tally.cost_cents).sum::<i64>(),
            r.total.cost_cents
        );
    }
);
