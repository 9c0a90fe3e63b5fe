//! The benchmark's generator makes what it says, on a tiny network and on
//! both backends: the rows it reports, exactly N sessions per library and
//! season, the same rows for the same seed, and season reports that find
//! the figures it tallied while generating.

use almanach_domain::stats::Period;
use almanach_store::bench::{Generated, Shape, generate};
use almanach_store::testing::fresh_url;
use almanach_store::{Backend, Scope, Store};

const TINY: Shape = Shape {
    libraries: 3,
    seasons: 2,
    sessions: 10,
    seed: 7,
    first_season: 2023,
};

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

/// Sums that change if any generated value does.
async fn fingerprint(store: &Store) -> Vec<i64> {
    let mut v = Vec::new();
    for sql in [
        "select cast(sum(starts_at % 100000) as bigint) from sessions",
        "select cast(sum(id * coalesce(participants, 7)) as bigint) from sessions",
        "select cast(sum(coalesce(under_14, 3) + coalesce(registered, 5) + cost_cents + cancelled) as bigint) from sessions",
        "select cast(sum(length(local_date) * room_id + event_id) as bigint) from sessions",
        "select cast(sum(length(title) * id + coalesce(series_id, 0)) as bigint) from events",
        "select cast(sum(session_id * theme_id) as bigint) from session_themes",
    ] {
        v.push(count(store, sql).await);
    }
    v
}

async fn generated(backend: Backend) -> Option<(Store, Generated, String)> {
    let url = fresh_url(backend).await?;
    let g = generate(&url, &TINY, &mut |_| {}).await.unwrap();
    Some((Store::open(&url).await.unwrap(), g, url))
}

async fn makes_what_it_says(backend: Backend) {
    let Some((store, g, url)) = generated(backend).await else {
        return;
    };
    assert_eq!(
        (g.libraries, g.rooms, g.themes, g.sessions),
        (3, 9, 120, 60)
    );
    assert_eq!(
        count(&store, "select count(*) from libraries").await,
        g.libraries
    );
    assert_eq!(count(&store, "select count(*) from rooms").await, g.rooms);
    assert_eq!(count(&store, "select count(*) from series").await, g.series);
    assert!(
        (6..=18).contains(&g.series),
        "two to six series per library: {}",
        g.series
    );
    assert_eq!(count(&store, "select count(*) from themes").await, g.themes);
    assert_eq!(count(&store, "select count(*) from events").await, g.events);
    assert_eq!(
        count(&store, "select count(*) from sessions").await,
        g.sessions
    );
    assert_eq!(
        count(&store, "select count(*) from session_themes").await,
        g.session_themes
    );
    assert!(g.events < g.sessions && g.session_themes > 0);

    // Exactly ten sessions per library and season, each inside its season.
    for season in [2023, 2024] {
        let period = Period::Season(season);
        let per_library: Vec<i64> = sqlx::query_scalar(
            "select count(*) from sessions where local_date >= $1 and local_date <= $2 group by library_id order by library_id",
        )
        .bind(period.from().to_string())
        .bind(period.to().to_string())
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert_eq!(per_library, [10, 10, 10], "season {season}");
    }
    assert_eq!(
        count(
            &store,
            "select count(*) from sessions where under_14 > participants or present > registered"
        )
        .await,
        0
    );
    assert!(
        count(
            &store,
            "select count(*) from sessions where participants is not null"
        )
        .await
            > 30,
        "most sessions are counted"
    );

    // The network's season reports find what the generator tallied, which
    // leaves out cancelled sessions and events (this seed has both).
    assert!(g.seasons.iter().map(|f| f.sessions).sum::<i64>() < g.sessions);
    assert_eq!(
        g.seasons.iter().map(|f| f.season).collect::<Vec<_>>(),
        [2023, 2024]
    );
    for f in &g.seasons {
        let r = store
            .report(
                Scope {
                    library_id: None,
                    series: None,
                },
                &Period::Season(f.season),
                false,
            )
            .await
            .unwrap();
        let t = &r.total;
        assert_eq!(
            (
                t.events,
                t.sessions,
                t.participants,
                t.under_14,
                t.uncounted_sessions
            ),
            (
                f.events,
                f.sessions,
                f.participants,
                f.under_14,
                f.uncounted_sessions
            ),
            "season {}",
            f.season
        );
        assert_eq!(t.cost_eur, f.cost_cents as f64 / 100.0);
        assert!(t.sessions > 0 && t.themes > 0);
    }

    // A database that already holds sessions is refused.
    let again = generate(&url, &TINY, &mut |_| {}).await.unwrap_err();
    assert!(
        again
            .to_string()
            .contains("generate into an empty database"),
        "{again}"
    );
    assert_eq!(count(&store, "select count(*) from sessions").await, 60);

    // The same seed makes the same rows, whatever the backend; another seed does not.
    let (twin, g2, _) = generated(Backend::Sqlite).await.unwrap();
    assert_eq!(g2, g);
    assert_eq!(fingerprint(&twin).await, fingerprint(&store).await);
    let other_url = fresh_url(Backend::Sqlite).await.unwrap();
    let other = generate(&other_url, &Shape { seed: 8, ..TINY }, &mut |_| {})
        .await
        .unwrap();
    assert_ne!(other.seasons, g.seasons);
}

almanach_store::on_each_backend!(generated, super::makes_what_it_says);
