//! The retention job: every day, registrations whose session (or course)
//! ended more than the retention period ago lose their personal data; the
//! counts stay for the statistics. Several servers on one database may each
//! run it: a run finds nothing left to do after another.

use std::time::Duration;

use almanach_store::{RetentionRun, Store, now};
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

#[derive(Debug, Clone, Copy)]
pub struct RetentionConfig {
    /// Days kept after the session.
    pub days: u32,
    /// How often the job runs; the first run is at start.
    pub every: Duration,
}

impl RetentionConfig {
    pub fn daily(days: u32) -> RetentionConfig {
        RetentionConfig {
            days,
            every: Duration::from_secs(24 * 3600),
        }
    }
}

/// Runs the job in the background for as long as the server runs.
pub fn spawn_retention(store: Store, config: RetentionConfig) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(config.every);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run(&store, config.days, false).await {
                Ok(r) if r.count() > 0 => tracing::info!(
                    registrations = r.count(),
                    days = config.days,
                    "retention: personal data anonymised"
                ),
                Ok(_) => tracing::debug!("retention: nothing to anonymise"),
                Err(e) => {
                    tracing::error!(error = %e, "retention: the run failed; it is tried again at the next one")
                }
            }
        }
    })
}

/// One run now (`almanach retention run`, and the job).
pub async fn run(store: &Store, days: u32, dry_run: bool) -> almanach_store::Result<RetentionRun> {
    store.anonymise_expired(now(), days, dry_run).await
}
