//! Fresh databases for tests: a new SQLite file, or a new PostgreSQL
//! database on the server named by `ALMANACH_TEST_POSTGRES`. In CI
//! (`CI` set) a missing PostgreSQL server is a failure, never a skip.

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

/// The URL of a new, empty database on `backend`, or None when PostgreSQL
/// is not configured outside CI.
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
            let Ok(base) = std::env::var("ALMANACH_TEST_POSTGRES") else {
                if std::env::var_os("CI").is_some() {
                    panic!(
                        "ALMANACH_TEST_POSTGRES must be set in CI: PostgreSQL tests may not be skipped"
                    );
                }
                eprintln!(
                    "skipping PostgreSQL: set ALMANACH_TEST_POSTGRES=postgres://user@host:port to run it"
                );
                return None;
            };
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

/// Declares a test run once per backend: `mod name { sqlite, postgres }`.
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
                run(s).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(s) = $crate::testing::fresh_store($crate::Backend::Postgres).await {
                    run(s).await
                }
            }
        }
    };
}
