//! Fresh databases for tests: a new SQLite file, or a new PostgreSQL
//! database on the server named by `ALMANACH_TEST_POSTGRES`.
//!
//! A PostgreSQL test is marked `#[cfg_attr(not(almanach_postgres_tests),
//! ignore = …)]` (the macros below do it): without the variable the run
//! counts it as skipped, never as passed (the cfg comes from
//! `crates/store/build.rs`). In CI (`CI` set) the cfg is on, so a missing
//! server is a failure.

use almanach_domain::ids::{EventId, LibraryId, SessionId};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{Backend, Store};

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}_{}_{}", std::process::id(), t % 1_000_000_000_000, n)
}

/// The URL of a new, empty database on `backend`. Always `Some`: a
/// PostgreSQL test that runs without `ALMANACH_TEST_POSTGRES` fails (it is
/// skipped before it starts when the build did not see the variable; run by
/// hand with `--ignored`, it must not pass without having run).
pub async fn fresh_url(backend: Backend) -> Option<String> {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("almanach-tests");
            std::fs::create_dir_all(&dir).expect("temp dir");
            Some(format!(
                "sqlite://{}",
                dir.join(format!("t{}.sqlite3", unique())).display()
            ))
        }
        Backend::Postgres => {
            let base = std::env::var("ALMANACH_TEST_POSTGRES")
                .ok()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| {
                    panic!(
                        "a PostgreSQL test needs ALMANACH_TEST_POSTGRES=postgres://user@host:port/db \
                         (mandatory in CI; without it these tests are skipped, never passed)"
                    )
                });
            let name = format!("almanach_test_{}", unique());
            let admin = Store::connect(&base)
                .await
                .expect("connect to ALMANACH_TEST_POSTGRES");
            sqlx::query(&format!("create database {name}"))
                .execute(admin.pool())
                .await
                .expect("create database");
            admin.close().await;
            let (prefix, _) = base
                .rsplit_once('/')
                .filter(|(p, _)| p.contains("://") && p.len() > "postgres://".len())
                .unwrap_or((&base, ""));
            Some(format!("{}/{name}", prefix.trim_end_matches('/')))
        }
    }
}

/// A migrated store on a fresh database.
pub async fn fresh_store(backend: Backend) -> Option<Store> {
    let url = fresh_url(backend).await?;
    Some(Store::open(&url).await.expect("open fresh test database"))
}

/// A migrated store on a fresh database whose pool is `pool`: a tiny one
/// with a short wait, for tests that run out of connections on purpose.
pub async fn fresh_store_with(backend: Backend, pool: crate::PoolOptions) -> Option<Store> {
    let url = fresh_url(backend).await?;
    Store::open(&url)
        .await
        .expect("open fresh test database")
        .close()
        .await;
    Some(
        Store::connect_with(&url, pool)
            .await
            .expect("reopen the test database with a small pool"),
    )
}

/// Removes a test's database once the test is over, so a run leaves no
/// thousand databases behind (each PostgreSQL one takes megabytes): the
/// SQLite file, or the PostgreSQL database, dropped even if a connection
/// lingers. A test that panics keeps its database, to be looked at.
pub async fn dispose(store: Store) {
    match store.backend() {
        Backend::Sqlite => {
            let file: Option<String> =
                sqlx::query_scalar("select file from pragma_database_list where name = 'main'")
                    .fetch_optional(store.pool())
                    .await
                    .ok()
                    .flatten();
            store.close().await;
            if let Some(file) = file.filter(|f| !f.is_empty()) {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{file}{suffix}"));
                }
            }
        }
        Backend::Postgres => {
            let name: Option<String> = sqlx::query_scalar("select current_database()::text")
                .fetch_optional(store.pool())
                .await
                .ok()
                .flatten();
            store.close().await;
            let (Some(name), Ok(base)) = (name, std::env::var("ALMANACH_TEST_POSTGRES")) else {
                return;
            };
            if !name.starts_with("almanach_test_") {
                return;
            }
            if let Ok(admin) = Store::connect(&base).await {
                let _ = sqlx::query(&format!("drop database if exists {name} with (force)"))
                    .execute(admin.pool())
                    .await;
                admin.close().await;
            }
        }
    }
}

/// Declares a test run once per backend: `mod name { sqlite, postgres }`.
/// The crate using it needs the cfg of `crates/store/build.rs`
/// (`build = "../store/build.rs"` in its Cargo.toml).
#[macro_export]
macro_rules! on_both_backends {
    ($(#[$m:meta])* async fn $name:ident($store:ident: Store $(,)?) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($store: $crate::Store) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let s = $crate::testing::fresh_store($crate::Backend::Sqlite).await.expect("sqlite");
                run(s.clone()).await;
                $crate::testing::dispose(s).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(
                not(almanach_postgres_tests),
                ignore = "PostgreSQL: set ALMANACH_TEST_POSTGRES"
            )]
            async fn postgres() {
                let s = $crate::testing::fresh_store($crate::Backend::Postgres).await.expect("postgres");
                run(s.clone()).await;
                $crate::testing::dispose(s).await
            }
        }
    };
}

/// Declares a test run once per backend for a story that builds its own
/// store (or servers) from the backend: `on_each_backend!(name, story)`
/// makes `mod name { sqlite, postgres }`, each calling `story(backend)`;
/// a third argument sets the runtime's worker threads (2 by default).
#[macro_export]
macro_rules! on_each_backend {
    ($name:ident, $story:path) => {
        $crate::on_each_backend!($name, $story, 2);
    };
    ($name:ident, $story:path, $threads:literal) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = $threads)]
            async fn sqlite() {
                $story($crate::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = $threads)]
            #[cfg_attr(
                not(almanach_postgres_tests),
                ignore = "PostgreSQL: set ALMANACH_TEST_POSTGRES"
            )]
            async fn postgres() {
                $story($crate::Backend::Postgres).await
            }
        }
    };
}

/// A small deterministic generator (64-bit LCG) for randomized stories:
/// the same run for the same seed, every time.
pub struct Dice(pub u64);

impl Dice {
    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// The plainest session of `event_id` on `d`, from `start` to `end` o'clock
/// Paris time: a workshop for 12, no room, free, without registration.
/// Tests set what they are about with `SessionWrite { room_id, ..w }`.
pub fn session_write(
    event_id: EventId,
    d: jiff::civil::Date,
    start: i8,
    end: i8,
) -> crate::SessionWrite {
    let at = |h: i8| {
        almanach_domain::calendar::local_to_instant(
            &almanach_domain::calendar::paris(),
            d,
            jiff::civil::Time::constant(h, 0, 0, 0),
        )
        .expect("an existing Paris time")
        .as_second()
    };
    crate::SessionWrite {
        capacity: Some(12),
        ..session_at(event_id, at(start), at(end))
    }
}

/// A workshop of `event_id` between two instants (its local date is the
/// start's, in Paris): no room, no capacity, free, without registration,
/// no themes, speakers or leads.
pub fn session_at(event_id: EventId, starts_at: i64, ends_at: i64) -> crate::SessionWrite {
    use almanach_domain::programme::{AttendanceMode, SessionKind};
    let local_date = jiff::Timestamp::from_second(starts_at)
        .expect("an instant in range")
        .to_zoned(almanach_domain::calendar::paris())
        .date()
        .to_string();
    crate::SessionWrite {
        event_id,
        kind: SessionKind::Workshop,
        starts_at,
        ends_at,
        local_date,
        room_id: None,
        capacity: None,
        age_min: None,
        age_max: None,
        accompanied: false,
        price_cents: 0,
        registration_required: false,
        attendance_mode: AttendanceMode::InPerson,
        online_url: String::new(),
        theme_ids: vec![],
        speaker_ids: vec![],
        lead_ids: vec![],
    }
}

/// A one-hour workshop of `event_id` on `day` (ISO), at 14:00 UTC, its
/// local date `day`: the statistics and cost tests' session, where only
/// the date matters.
pub fn on_day(event_id: EventId, day: &str) -> crate::SessionWrite {
    let d: jiff::civil::Date = day.parse().expect("an ISO date");
    let start = d
        .to_zoned(jiff::tz::TimeZone::UTC)
        .expect("a date in range")
        .timestamp()
        .as_second()
        + 14 * 3600;
    crate::SessionWrite {
        local_date: day.into(),
        ..session_at(event_id, start, start + 3600)
    }
}

/// A two-hour workshop of `event_id` from `starts_at`; with a capacity it
/// takes registrations, without one it is free entry.
pub fn workshop_write(
    event_id: EventId,
    capacity: Option<u32>,
    starts_at: i64,
) -> crate::SessionWrite {
    crate::SessionWrite {
        capacity,
        registration_required: capacity.is_some(),
        ..session_at(event_id, starts_at, starts_at + 7200)
    }
}

/// A published event titled `title`, in no series, not saved yet.
pub fn published(title: &str) -> crate::Event {
    crate::Event {
        id: EventId(0),
        series_id: None,
        title: title.into(),
        description: String::new(),
        picture_url: String::new(),
        status: almanach_domain::programme::EventStatus::Published,
    }
}

/// `new` registered by `actor`: the registration it made (a test that
/// expects a refusal or a replay matches `Store::register` itself).
pub async fn registered(
    store: &Store,
    actor: &crate::Actor,
    new: &crate::NewRegistration,
) -> crate::Registration {
    match store.register(actor, new).await.expect("register") {
        crate::Registered::New(r) => r,
        other => panic!("expected a new registration, got {other:?}"),
    }
}

/// `w` saved as a new session of the library; its id.
pub async fn saved_session(
    store: &Store,
    library_id: LibraryId,
    w: &crate::SessionWrite,
) -> SessionId {
    store
        .save_session(&crate::Actor::system(library_id, "test"), None, w)
        .await
        .expect("save the session")
        .expect("a new session")
}

/// Up to `max_seats` seats per registration at session `id`, open now and
/// until it starts.
pub async fn max_seats(store: &Store, library_id: LibraryId, id: SessionId, max_seats: u32) {
    let settings = almanach_domain::registration::RegistrationSettings {
        opens_at: None,
        closes_at: None,
        max_seats,
    };
    store
        .set_registration_settings(&crate::Actor::system(library_id, "test"), id, &settings)
        .await
        .expect("registration settings");
}

/// Someone booking `seats` seats: "Personne <email>", or, with no e-mail,
/// a phone number (as staff take a booking at the desk).
pub fn party(email: &str, seats: u32) -> almanach_domain::registration::Party {
    use almanach_domain::registration::EmailAddress;
    almanach_domain::registration::Party {
        name: format!("Personne {email}"),
        email: (!email.is_empty())
            .then(|| EmailAddress::parse("email", email).expect("a valid address")),
        phone: if email.is_empty() {
            "0612345678".into()
        } else {
            String::new()
        },
        seats,
        ages: vec![],
    }
}

/// A public registration of `party` for `target` in French; its token and
/// idempotency key are made from `key` (the same key is the same request).
pub fn registration(
    target: crate::Target,
    party: almanach_domain::registration::Party,
    key: &str,
) -> crate::NewRegistration {
    crate::NewRegistration {
        target,
        party,
        token_hash: format!("token-{key}"),
        idempotency_hash: format!("key-{key}"),
        by_staff: false,
        lang: almanach_domain::Lang::Fr,
        link_sealed: None,
    }
}

/// A new published event titled `title`, in no series; its id.
pub async fn published_event(store: &Store, library_id: LibraryId, title: &str) -> EventId {
    store
        .save_event(&crate::Actor::system(library_id, "test"), &published(title))
        .await
        .expect("save the event")
}

/// Runs one SQL statement on a connection a test holds (to take a lock or
/// set a timeout), failing the test if the database refuses it.
pub async fn exec(c: &mut sqlx::AnyConnection, sql: &str) {
    sqlx::query(sql)
        .execute(&mut *c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// An event "E" of `series_id` (or of none) with `status`.
pub async fn series_event(
    store: &Store,
    library_id: LibraryId,
    series_id: Option<i64>,
    status: almanach_domain::programme::EventStatus,
) -> EventId {
    let e = crate::Event {
        series_id,
        status,
        ..published("E")
    };
    store
        .save_event(&crate::Actor::system(library_id, "test"), &e)
        .await
        .expect("save the event")
}

/// The id of the need type called `name` in the library's catalogue
/// (seeded with the usual equipment).
pub async fn need_type_id(store: &Store, library_id: LibraryId, name: &str) -> i64 {
    store
        .need_types(library_id)
        .await
        .expect("the catalogue")
        .into_iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no need type {name:?}"))
        .id
}

/// Whether the browser tests run: `ALMANACH_BROWSER_TESTS` set (after
/// `npm ci` in tests/browser). In CI they may not be skipped: there, a
/// missing variable fails the test.
pub fn browser_tests_enabled() -> bool {
    if std::env::var_os("ALMANACH_BROWSER_TESTS").is_some() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "ALMANACH_BROWSER_TESTS must be set in CI: browser tests may not be skipped"
    );
    eprintln!(
        "skipping the browser test: set ALMANACH_BROWSER_TESTS=1 after `npm ci` in tests/browser"
    );
    false
}

/// Runs `tests/browser/<script>` with node's test runner and `env`; fails
/// with the whole output when a browser test fails, prints it otherwise.
pub async fn run_browser_script(script: &'static str, env: Vec<(&'static str, String)>) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/browser");
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .args(["--test", "--test-reporter=spec", script])
            .current_dir(dir)
            .envs(env)
            .output()
    })
    .await
    .expect("the node task")
    .expect("node runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "the browser tests ({script}) failed:\n{text}"
    );
    println!("{text}");
}
