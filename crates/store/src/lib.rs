//! Almanach's storage: one query layer (sqlx's `Any` driver, portable SQL)
//! over an embedded SQLite file or a PostgreSQL server, chosen by the URL;
//! migrations embedded per backend; one module per aggregate.

mod actions;
pub mod api_queries;
mod attendance;
mod audit;
#[cfg(feature = "bench")]
pub mod bench;
mod breakdown;
mod costs;
mod day;
mod digest;
mod documents;
mod feeds;
mod follow;
mod import;
mod integration;
mod library;
mod logistics;
mod mail;
mod migrate;
mod personal_data;
mod programme;
mod registrar;
mod registrations;
mod rows;
mod select;
mod session_query;
mod speakers;
mod sql;
mod staff;
mod stats;
#[cfg(feature = "testing")]
pub mod testing;
mod versions;

pub use actions::{
    ActionKind, HOLD_SECONDS, Planned, StaffAction, UNDO_SECONDS, UndoRefusal, Undone,
};
pub use almanach_domain::ids::{
    EventId, LibraryId, RegistrationId, RoomId, SeriesId, SessionId, SpeakerId, StaffId, ThemeId,
};
pub use attendance::Attendance;
pub use audit::{Actor, AuditEntry};
pub use breakdown::{Bucket, Line, TREND_LENGTH};
pub use costs::{Budget, CostLine, SpeakerCost, Tool, season_dates};
pub use day::{Arrival, Tap};
pub use digest::{DigestSettings, DigestSkip, DigestWeek, DueDigest};
pub use documents::{Document, NewDocument};
pub use feeds::{CalendarSession, FeedScope};
pub use import::ImportSummary;
pub use library::Library;
pub use logistics::*;
pub use mail::{MailFacts, MailKind, MailStatus, OutboxFilter, OutboxMessage, ReminderCandidate};
pub use migrate::{LATEST_SCHEMA, checksum as migration_checksum};
pub use personal_data::{PersonalData, PersonalRegistration, RetentionRun};
pub use programme::*;
pub use registrations::*;
pub use rows::{Event, Registration, Session, Speaker, Target};
pub use session_query::SessionQuery;
pub use speakers::*;
pub use staff::{ApiToken, AuthSession, StaffMember, login_account_key, login_address_key};
pub use stats::Scope;
pub use versions::{PublicVersions, RegistrationRules};

use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Connection, Executor, Transaction};

/// A write transaction (`Store::write`): the connection it holds, through
/// `Deref`, and `commit`, which counts the commit on its store so what is
/// kept in memory knows something may have changed (`versions`).
pub struct Tx {
    inner: Transaction<'static, Any>,
    commits: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Tx {
    pub async fn commit(self) -> std::result::Result<(), sqlx::Error> {
        self.inner.commit().await?;
        self.commits
            .fetch_add(1, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    pub async fn rollback(self) -> std::result::Result<(), sqlx::Error> {
        self.inner.rollback().await
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.inner
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or reference rule of the schema refused the write; the
    /// string names the constraint or column when the database says it.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database URL or the database itself cannot be used; the message
    /// is written for the person who runs Almanach.
    #[error("{0}")]
    Unusable(String),
    /// The database is overloaded or a lock could not be had in time (no
    /// free connection within the acquire timeout, SQLite busy, a
    /// PostgreSQL serialization failure, deadlock or lock/statement
    /// timeout); retrying later may succeed. Nothing was written: the
    /// transaction, if one was open, is rolled back when it is dropped.
    #[error("database busy: {0}")]
    Busy(#[source] sqlx::Error),
    #[error(transparent)]
    Other(sqlx::Error),
}

/// Every `?` on a sqlx error comes here, so overload is `Busy` wherever it
/// happens; `RowNotFound` stays `Other` (only `classify` makes it
/// `NotFound`, where a missing row means a missing record).
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if is_busy(&e) {
            StoreError::Busy(e)
        } else {
            StoreError::Other(e)
        }
    }
}

/// Whether `e` says "too much at once" rather than "something is wrong".
fn is_busy(e: &sqlx::Error) -> bool {
    if let sqlx::Error::PoolTimedOut = e {
        return true;
    }
    let Some(db) = e.as_database_error() else {
        return false;
    };
    if let Some(sqlite) = db.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
        // Extended result codes keep the primary code in the low byte:
        // SQLITE_BUSY (5, "database is locked", after `busy_timeout`) and
        // SQLITE_LOCKED (6) with all their variants.
        use sqlx::error::DatabaseError;
        let primary = sqlite
            .code()
            .and_then(|c| c.parse::<i32>().ok())
            .map(|c| c & 0xff);
        return matches!(primary, Some(5 | 6));
    }
    // PostgreSQL: serialization_failure, deadlock_detected,
    // lock_not_available (`lock_timeout`, `nowait`) and query_canceled
    // (`statement_timeout`; also a cancel by an operator, which retrying
    // may equally get past).
    matches!(
        db.code().as_deref(),
        Some("40001" | "40P01" | "55P03" | "57014")
    )
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Turns database refusals into `Conflict` so callers can answer a form
/// instead of failing with a 500.
pub(crate) fn classify(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::RowNotFound = e {
        return StoreError::NotFound;
    }
    if let Some(db) = e.as_database_error()
        && (db.is_unique_violation() || db.is_foreign_key_violation() || db.is_check_violation())
    {
        return StoreError::Conflict(db.message().to_string());
    }
    StoreError::from(e)
}

/// How many connections the pool may open, and how long a query waits for
/// one before giving up with `StoreError::Busy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolOptions {
    /// `None`: 8 for SQLite (one writer at a time anyway), 16 for PostgreSQL.
    pub max_connections: Option<u32>,
    pub acquire_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_connections: None,
            acquire_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The queue of the writer that commits registrations in groups
    /// (`registrar`), started by the first registration. A registration
    /// holds one connection at a time per server however many arrive, so
    /// a rush cannot park the pool behind an event's lock.
    registrar: std::sync::Arc<tokio::sync::OnceCell<registrar::Queue>>,
    /// What is kept in memory of the programmes (`versions`).
    kept: std::sync::Arc<versions::Kept>,
    /// Write transactions this store committed (`Tx::commit`).
    commits: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// PostgreSQL: where to listen for other servers' changes (`versions`).
    listen_url: Option<std::sync::Arc<str>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

/// A database URL understood: which backend, and for SQLite the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// Accepts `sqlite://PATH` (relative or absolute), `sqlite:PATH`,
    /// `postgres://…` and `postgresql://…`; refuses anything else rather
    /// than silently creating an empty file somewhere.
    pub fn parse(url: &str) -> Result<DatabaseUrl> {
        let url = url.trim();
        if let Some(rest) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            let path = rest.split('?').next().unwrap_or_default();
            if path.is_empty() || path == ":memory:" {
                return Err(StoreError::Unusable(
                    "a SQLite database URL needs a file path, e.g. sqlite://data/almanach.sqlite3"
                        .into(),
                ));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_string()));
        }
        let scheme = url.split(':').next().unwrap_or_default();
        Err(StoreError::Unusable(format!(
            "unknown database URL scheme {scheme:?}: use sqlite://PATH or postgres://USER@HOST/DB"
        )))
    }

    /// The URL with any password replaced, for logs and messages.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Sqlite(p) => format!("sqlite://{}", p.display()),
            DatabaseUrl::Postgres(u) => redact_password(u),
        }
    }
}

fn redact_password(url: &str) -> String {
    // postgres://user:secret@host/db -> postgres://user:***@host/db
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((auth, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match auth.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

/// How long a pooled connection stays open unused.
const IDLE_CONNECTION: Duration = Duration::from_secs(30);

impl Store {
    /// Opens the database named by `url`, creating a SQLite file (and its
    /// folder) when missing, and applies pending migrations.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        if store.migrate().await?.is_empty() {
            return Ok(store);
        }
        // A pooled SQLite connection that read the schema before a migration
        // prepares `select *` with the old columns and only re-reads the
        // schema when it steps, which sqlx does not expect (it panics on
        // the extra column). Fresh connections read the migrated schema.
        store.close().await;
        Store::connect(url).await
    }

    /// Opens without migrating (for `migrate` itself and version checks),
    /// with the pool of `PoolOptions::default()`.
    pub async fn connect(url: &str) -> Result<Store> {
        Store::connect_with(url, PoolOptions::default()).await
    }

    /// Opens without migrating, with a pool sized by `pool` (tests use a
    /// tiny one to run out of connections on purpose).
    pub async fn connect_with(url: &str, pool: PoolOptions) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let parsed = DatabaseUrl::parse(url)?;
        let (backend, options, max) = match &parsed {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent()
                    && !dir.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::Unusable(format!(
                            "cannot create the folder {}: {e}",
                            dir.display()
                        ))
                    })?;
                }
                let o =
                    AnyConnectOptions::from_str(&format!("sqlite://{}?mode=rwc", path.display()))?;
                (Backend::Sqlite, o, pool.max_connections.unwrap_or(8))
            }
            DatabaseUrl::Postgres(u) => (
                Backend::Postgres,
                AnyConnectOptions::from_str(u)?,
                pool.max_connections.unwrap_or(16),
            ),
        };
        if backend == Backend::Postgres {
            // One direct attempt first: a pool only says "timed out", while
            // the person needs "connection refused" or "password failed".
            let attempt = tokio::time::timeout(
                Duration::from_secs(10),
                sqlx::AnyConnection::connect_with(&options),
            )
            .await;
            match attempt {
                Ok(Ok(conn)) => drop(conn),
                Ok(Err(e)) => {
                    return Err(StoreError::Unusable(format!(
                        "cannot open {}: {e}",
                        parsed.redacted()
                    )));
                }
                Err(_) => {
                    return Err(StoreError::Unusable(format!(
                        "cannot open {}: no answer within 10 s",
                        parsed.redacted()
                    )));
                }
            }
        }
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(pool.acquire_timeout)
            // A crowd opens every connection; each holds its page cache and
            // prepared statements (and, on SQLite, a thread with its own
            // allocator arena). Closed after a quiet minute, they give that
            // memory back once the crowd has gone (issue 11 §4); opening one
            // again costs well under a millisecond.
            .idle_timeout(Some(IDLE_CONNECTION))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the writer; foreign keys
                        // are off by default in SQLite; a writer waits for
                        // the lock instead of failing at once.
                        conn.execute("pragma journal_mode = wal").await?;
                        conn.execute("pragma foreign_keys = on").await?;
                        conn.execute("pragma busy_timeout = 10000").await?;
                        // Every commit reaches the disk before it is acknowledged: an
                        // acknowledged registration survives a power cut, not only a
                        // crash (registrations share the flush: `registrar`).
                        conn.execute("pragma synchronous = full").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Unusable(format!("cannot open {}: {e}", parsed.redacted())))?;
        Ok(Store {
            pool,
            backend,
            registrar: Default::default(),
            kept: Default::default(),
            commits: Default::default(),
            listen_url: match &parsed {
                DatabaseUrl::Postgres(u) => Some(u.as_str().into()),
                DatabaseUrl::Sqlite(_) => None,
            },
        })
    }

    /// The same database without this store's registration writer: what
    /// the writer itself holds, so the store can be dropped.
    pub(crate) fn detached(&self) -> Store {
        Store {
            pool: self.pool.clone(),
            backend: self.backend,
            registrar: Default::default(),
            kept: self.kept.clone(),
            commits: self.commits.clone(),
            listen_url: self.listen_url.clone(),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Begins a transaction that will write. On SQLite it takes the write
    /// lock at once (`BEGIN IMMEDIATE`), so two writers queue instead of one
    /// failing when it upgrades a read to a write.
    pub async fn write(&self) -> Result<Tx> {
        let inner = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(Tx {
            inner,
            commits: self.commits.clone(),
        })
    }

    /// A consistent copy of a SQLite database, taken while others write.
    pub async fn backup_to(&self, to: &std::path::Path) -> Result<()> {
        match self.backend {
            Backend::Postgres => Err(StoreError::Unusable(
                "backup copies SQLite databases; for PostgreSQL use pg_dump (see docs/operations.md)".into(),
            )),
            Backend::Sqlite => {
                if to.exists() {
                    return Err(StoreError::Unusable(format!("{} already exists; choose a new file", to.display())));
                }
                let target = to.to_string_lossy().replace('\'', "''");
                sqlx::query(&format!("vacuum into '{target}'")).execute(&self.pool).await?;
                Ok(())
            }
        }
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Now, in unix seconds.
pub fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_connection_in_time_is_busy_wherever_it_is_met() {
        // Through `?` (the `From` every query uses) and through `classify`.
        assert!(matches!(
            StoreError::from(sqlx::Error::PoolTimedOut),
            StoreError::Busy(sqlx::Error::PoolTimedOut)
        ));
        assert!(matches!(
            classify(sqlx::Error::PoolTimedOut),
            StoreError::Busy(sqlx::Error::PoolTimedOut)
        ));
    }

    #[test]
    fn other_errors_keep_their_old_variant() {
        // A missing row is `NotFound` only where `classify` says so.
        assert!(matches!(
            StoreError::from(sqlx::Error::RowNotFound),
            StoreError::Other(sqlx::Error::RowNotFound)
        ));
        assert!(matches!(
            classify(sqlx::Error::RowNotFound),
            StoreError::NotFound
        ));
        // A closing pool is not overload: retrying will not help.
        assert!(matches!(
            StoreError::from(sqlx::Error::PoolClosed),
            StoreError::Other(sqlx::Error::PoolClosed)
        ));
    }
}
