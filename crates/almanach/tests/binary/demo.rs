//! The demo built around a few "today"s (`almanach demo --today`): every
//! season's series is named after the season its sessions fall in, in the
//! product's label (« 2026-2027 »), past seasons included, and the current
//! season has its Points de l'IA, Samedis and Dimanches de l'innovation;
//! the library has its article and its address; the console names each
//! role as the staff pages do.

use std::process::Command;

use almanach_domain::programme::season_of;
use almanach_store::{Backend, SessionFilter, Store};
use jiff::civil::Date;

fn almanach_demo(db: &str, today: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_almanach"))
        .args(["--database", db, "demo", "--today", today])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// "2026-2027" as (2026, 2027); None for anything else.
fn season_label(word: &str) -> Option<(i16, i16)> {
    let (a, b) = word.split_once('-')?;
    let ok = |s: &str| s.len() == 4 && s.bytes().all(|c| c.is_ascii_digit());
    (ok(a) && ok(b)).then(|| (a.parse().unwrap(), b.parse().unwrap()))
}

async fn names_follow_dates(db: &str, today: Date) {
    let store = Store::open(db).await.unwrap();
    let lib = store.default_library().await.unwrap();
    let series = store.list_series(lib.id).await.unwrap();
    let sessions = store
        .list_sessions(
            lib.id,
            &SessionFilter {
                include_cancelled: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for s in &series {
        let days: Vec<Date> = sessions
            .iter()
            .filter(|x| x.series_id == Some(s.id))
            .map(|x| x.local_date.parse().unwrap())
            .collect();
        assert!(!days.is_empty(), "{}: a series without sessions", s.name);
        let last = s.name.rsplit(' ').next().unwrap();
        assert!(
            !s.name
                .split([' ', '-'])
                .any(|w| w.len() == 2 && w.bytes().all(|c| c.is_ascii_digit())),
            "{}: seasons are written 2026-2027",
            s.name
        );
        if let Some((first, second)) = season_label(last) {
            assert_eq!(second, first + 1, "{}", s.name);
            for d in &days {
                assert_eq!(
                    season_of(*d).0,
                    first,
                    "{} holds a session of {d}, in season {}",
                    s.name,
                    season_of(*d).1
                );
            }
        } else if let Ok(year) = last.parse::<i16>() {
            assert!(
                days.iter().all(|d| d.year() == year),
                "{}: {days:?}",
                s.name
            );
        }
    }
    let (_, label) = season_of(today);
    for base in [
        "Points de l'IA",
        "Samedis de l'innovation",
        "Dimanches de l'innovation",
    ] {
        let name = format!("{base} {label}");
        assert!(
            series.iter().any(|s| s.name == name),
            "{name} for the current season; the series are {:?}",
            series.iter().map(|s| &s.name).collect::<Vec<_>>()
        );
    }
    for past in [
        "Dimanches de l'innovation 2023-2024",
        "Samedis de l'innovation 2023-2024",
        "Samedis de l'innovation 2024-2025",
        "Points du numérique 2023-2024",
        "Points de l'IA 2024-2025",
        "Points de l'IA 2025-2026",
        "Ateliers de la Méd'IA Tech 2025-2026",
    ] {
        assert!(series.iter().any(|s| s.name == past), "{past}");
    }
    // The library as sentences and schema.org need it.
    assert_eq!(lib.of_name(), "de la Médiathèque L'Apostrophe");
    assert!(!lib.street_address.is_empty() && !lib.postal_code.is_empty() && !lib.city.is_empty());
    assert!(!lib.opening_hours.is_empty());
    store.close().await;
}

async fn at(backend: Backend, today: &str) {
    let db = almanach_store::testing::fresh_url(backend).await.unwrap();
    let out = almanach_demo(&db, today);
    // One wording per role, the staff pages' own.
    assert!(
        out.contains("claire.martin@mediatheque.example — Claire Martin, coordination")
            && out.contains("hugo.bernard@mediatheque.example — Hugo Bernard, médiation"),
        "{out}"
    );
    assert!(!out.contains("coordinatrice") && !out.contains("médiateur"));
    names_follow_dates(&db, today.parse().unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_december_2026() {
    at(Backend::Sqlite, "2026-12-07").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_march_2027() {
    at(Backend::Sqlite, "2027-03-15").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_start_of_the_2027_2028_season() {
    at(Backend::Sqlite, "2027-09-02").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(almanach_postgres_tests),
    ignore = "PostgreSQL: set ALMANACH_TEST_POSTGRES"
)]
async fn in_march_2027_on_postgres() {
    at(Backend::Postgres, "2027-03-15").await
}
