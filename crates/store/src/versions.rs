//! What is kept in memory of each library's programme, valid while the
//! library's programme version is the one it was computed at (migration
//! 0016: the triggers bump it in the transaction of any change). Reading
//! the version is one indexed row; with several servers on one PostgreSQL
//! database each reads it, so none serves what another has changed.
//! Seats are never kept: registrations do not bump the version, and what
//! is kept here holds no count of them.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use almanach_domain::ids::LibraryId;
use almanach_domain::programme::AgeRange;
use almanach_domain::registration::RegistrationSettings;

use crate::registrations::{at_now, seats_and_ages};
use crate::rows::Target;
use crate::{Backend, Result, Store};

/// Entries a store keeps, at most: past it, the oldest versions' are let go
/// at once (a network's libraries are few against this).
const KEPT: usize = 10_000;

/// On SQLite, how long versions read are trusted while this store has
/// committed nothing since: only this server writes to its SQLite database
/// (one server per SQLite file), but a command run beside it (`almanach
/// import`) may; what it changes shows within this.
const TRUSTED: Duration = Duration::from_secs(1);
/// On PostgreSQL, other servers write: versions read are trusted while
/// this store listens for their changes (migration 0017) and has heard of
/// none and made none since, this long at most (a listening connection
/// can die without a word); while it does not listen, they are read on
/// every request.
const TRUSTED_LISTENING: Duration = Duration::from_secs(30);
/// The channel the version triggers notify (migration 0017).
const CHANNEL: &str = "almanach_versions";

/// The store's memory of programmes (shared by its clones).
#[derive(Default)]
pub(crate) struct Kept {
    rules: Mutex<HashMap<(LibraryId, Target), (i64, RegistrationRules)>>,
    default_library: tokio::sync::OnceCell<LibraryId>,
    /// Per library: the versions last read, when, and how many commits
    /// this store had made and changes it had heard of before.
    seen: Mutex<HashMap<LibraryId, Seen>>,
    /// PostgreSQL: changes heard of (and losses of the listening
    /// connection, when some may have been missed).
    heard: AtomicU64,
    /// PostgreSQL: the listening connection is up.
    listening: AtomicBool,
    /// PostgreSQL: the listener was started (on the first read).
    listener: std::sync::OnceLock<()>,
}

#[derive(Clone, Copy)]
struct Seen {
    commits: u64,
    heard: u64,
    at: Instant,
    versions: PublicVersions,
}

/// A library's versions (see the module): what is computed from its
/// programme and its seats is valid while both are unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicVersions {
    pub programme: i64,
    pub seats: i64,
}

/// What a party is checked against before it is queued (the public form,
/// the API): facts of the programme, no seat count.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrationRules {
    pub settings: RegistrationSettings,
    /// The first session's.
    pub ages: AgeRange,
    /// The event is published (a draft is not there for the public).
    pub published: bool,
    /// The session, or its event, is cancelled.
    pub cancelled: bool,
}

impl Store {
    /// The version of the library's programme now (0 before any change).
    pub async fn programme_version(&self, library_id: LibraryId) -> Result<i64> {
        Ok(self.public_versions(library_id).await?.programme)
    }

    /// The versions of the library's programme and of its seats now: what
    /// the public pages are kept under. One read, or none on SQLite while
    /// this store has committed nothing since the last (see `TRUSTED`).
    pub async fn public_versions(&self, library_id: LibraryId) -> Result<PublicVersions> {
        // Counted before the read: a commit after it (this store's, or one
        // heard of) moves the count, so what is read is never trusted past it.
        let commits = self.commits.load(Ordering::Acquire);
        let trusted = match self.backend() {
            Backend::Sqlite => Some(TRUSTED),
            Backend::Postgres => {
                self.listen();
                self.kept
                    .listening
                    .load(Ordering::Acquire)
                    .then_some(TRUSTED_LISTENING)
            }
        };
        let heard = self.kept.heard.load(Ordering::Acquire);
        if let Some(trusted) = trusted
            && let Some(seen) = self
                .kept
                .seen
                .lock()
                .expect("not poisoned")
                .get(&library_id)
            && seen.commits == commits
            && seen.heard == heard
            && seen.at.elapsed() < trusted
        {
            return Ok(seen.versions);
        }
        let at = Instant::now();
        let row: Option<(i64, i64)> = sqlx::query_as(
            "select p.version, s.version from programme_versions p \
             join seat_versions s on s.library_id = p.library_id where p.library_id = $1",
        )
        .bind(library_id)
        .fetch_optional(self.pool())
        .await?;
        let (programme, seats) = row.unwrap_or((0, 0));
        let versions = PublicVersions { programme, seats };
        let seen = Seen {
            commits,
            heard,
            at,
            versions,
        };
        self.kept
            .seen
            .lock()
            .expect("not poisoned")
            .insert(library_id, seen);
        Ok(versions)
    }

    /// Whether this store hears other servers' changes as they are committed
    /// (PostgreSQL, once it has read the versions); false on SQLite.
    pub fn hears_changes(&self) -> bool {
        self.kept.listening.load(Ordering::Acquire)
    }

    /// PostgreSQL: starts listening for the version triggers' notifications
    /// (once per store, for as long as the store is there).
    fn listen(&self) {
        let Some(url) = self.listen_url.clone() else {
            return;
        };
        self.kept.listener.get_or_init(|| {
            tokio::spawn(listener(url, Arc::downgrade(&self.kept)));
        });
    }

    /// The next moment after `now` at which what the public sees of the
    /// library changes by itself, without a write: a registration window
    /// opening or closing, a session starting or ending (the agenda, the
    /// seats offered, the feeds follow the clock). Each is the first of its
    /// kind after `now`, found through an index (migration 0019), whatever
    /// the history and the programme ahead: a session that ends first
    /// either is under way now (begun less than the longest session ago)
    /// or starts after `now`, and then the next start comes first.
    pub async fn next_public_change(&self, library_id: LibraryId, now: i64) -> Result<Option<i64>> {
        let next: Option<i64> = sqlx::query_scalar(
            "select min(t) from (\
               select min(registration_opens_at) as t from sessions \
                 where library_id = $1 and registration_opens_at > $2 \
               union all select min(registration_closes_at) from sessions \
                 where library_id = $1 and registration_closes_at > $2 \
               union all select min(starts_at) from sessions where library_id = $1 and starts_at > $2 \
               union all select min(ends_at) from sessions \
                 where library_id = $1 and starts_at > $3 and starts_at <= $2 and ends_at > $2) as changes",
        )
        .bind(library_id)
        .bind(now)
        // A session that started longer ago than the longest has ended.
        .bind(now.saturating_sub(almanach_domain::programme::LONGEST_SESSION_SECS))
        .fetch_one(self.pool())
        .await?;
        Ok(next)
    }

    /// The id of the installation's first library (the public site's), read
    /// once: a library's id never changes and none is ever deleted.
    pub async fn default_library_id(&self) -> Result<LibraryId> {
        self.kept
            .default_library
            .get_or_try_init(|| async { Ok(self.default_library().await?.id) })
            .await
            .copied()
    }

    /// The rules a registration for `target` is checked against: one read
    /// of the version when they are kept, else two more.
    pub async fn registration_rules(
        &self,
        library_id: LibraryId,
        target: Target,
    ) -> Result<RegistrationRules> {
        let version = self.programme_version(library_id).await?;
        let key = (library_id, target);
        if let Some((v, rules)) = self.kept.rules.lock().expect("not poisoned").get(&key)
            && *v == version
        {
            return Ok(rules.clone());
        }
        let mut c = self.pool().acquire().await?;
        let at = at_now(&mut c, library_id, target).await?;
        let (seats, ages) = seats_and_ages(&mut c, at).await?;
        let rules = RegistrationRules {
            settings: seats.settings,
            ages,
            published: seats.published,
            cancelled: seats.offer.cancelled,
        };
        let mut kept = self.kept.rules.lock().expect("not poisoned");
        if kept.len() >= KEPT {
            kept.clear();
        }
        // Read after the version: kept under it, it can only be older than
        // the version says, never newer, so a change since is seen next time.
        kept.insert(key, (version, rules.clone()));
        Ok(rules)
    }
}

/// Hears the notifications of migration 0017 for `kept`: each moves its
/// count of changes heard. A lost connection also moves it (notifications
/// may have been missed) and marks it not listening until it listens again.
async fn listener(url: Arc<str>, kept: Weak<Kept>) {
    use sqlx::postgres::PgListener;
    loop {
        if let Ok(mut listening) = PgListener::connect(&url).await
            && listening.listen(CHANNEL).await.is_ok()
        {
            let Some(k) = kept.upgrade() else { return };
            k.heard.fetch_add(1, Ordering::AcqRel);
            k.listening.store(true, Ordering::Release);
            drop(k);
            loop {
                // Wakes now and then to stop with its store.
                let next = tokio::time::timeout(Duration::from_secs(5), listening.try_recv()).await;
                let Some(k) = kept.upgrade() else { return };
                match next {
                    Err(_) => {}
                    Ok(Ok(Some(_))) => {
                        k.heard.fetch_add(1, Ordering::AcqRel);
                    }
                    // Connection lost (None) or broken: start again.
                    Ok(_) => break,
                }
            }
        }
        let Some(k) = kept.upgrade() else { return };
        k.listening.store(false, Ordering::Release);
        k.heard.fetch_add(1, Ordering::AcqRel);
        drop(k);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
