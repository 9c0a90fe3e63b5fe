//! What IT sees: the board of needs, readiness over a period, and the
//! weekly digest.

use almanach_domain::ids::{LibraryId, SessionId};
use almanach_domain::programme::LONGEST_SESSION_SECS;
use std::collections::HashMap;

use almanach_domain::logistics::{NeedStatus, Provider, Readiness};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::logistics::needs::{SessionPrep, readiness};
use crate::logistics::rows::Need;
use crate::{Result, Store};

/// What the IT board shows; every filter optional.
#[derive(Debug, Clone, Default)]
pub struct BoardFilter {
    pub status: Option<NeedStatus>,
    pub provider: Option<Provider>,
    pub late_only: bool,
}

/// A session IT will not attend in the digest's week.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestSession {
    pub session_id: SessionId,
    pub event_title: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub last_it_day: Date,
}

/// The weekly digest to IT: what is late, what is due in the seven days
/// from `from`, what has a problem (each need in one list), and the
/// sessions IT will not attend, so the e-mail can be written from it alone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Digest {
    pub library_name: String,
    /// « de la Médiathèque L'Apostrophe », for French sentences.
    pub library_of_name: String,
    pub from: Date,
    /// The last day of the week covered.
    pub to: Date,
    pub late: Vec<Need>,
    pub due: Vec<Need>,
    pub problems: Vec<Need>,
    pub without_it: Vec<DigestSession>,
}

impl Digest {
    pub fn is_empty(&self) -> bool {
        self.late.is_empty()
            && self.due.is_empty()
            && self.problems.is_empty()
            && self.without_it.is_empty()
    }
}

impl Store {
    /// Every need of live sessions from today on, by due date (then by
    /// session), filtered; late ones are those due before `today`.
    pub async fn it_board(
        &self,
        library_id: LibraryId,
        f: &BoardFilter,
        today: Date,
    ) -> Result<Vec<Need>> {
        let ctx = self.it_context(library_id).await?;
        let from = day_start(&ctx.tz, today);
        let mut needs = self
            .needs_where(
                &ctx,
                "s.ends_at > $2 and s.starts_at > $3 and s.cancelled = 0 and e.status <> 'cancelled'",
                library_id,
                &[from, from.saturating_sub(LONGEST_SESSION_SECS)],
            )
            .await?;
        needs.retain(|n| {
            f.status.is_none_or(|s| n.status == s)
                && f.provider.is_none_or(|p| n.provider == p)
                && (!f.late_only || n.readiness(today) == Readiness::Late)
        });
        needs.sort_by_key(|n| (n.due, n.starts_at, n.id));
        Ok(needs)
    }

    /// The readiness of every live session with needs starting in [from, to)
    /// (a cancelled session needs nothing prepared).
    pub async fn readiness_between(
        &self,
        library_id: LibraryId,
        from: i64,
        to: i64,
        today: Date,
    ) -> Result<HashMap<SessionId, Readiness>> {
        let ctx = self.it_context(library_id).await?;
        let live = "s.starts_at >= $2 and s.starts_at < $3 and s.cancelled = 0 and e.status <> 'cancelled'";
        let needs = self
            .needs_where(&ctx, live, library_id, &[from, to])
            .await?;
        let tested: Vec<(SessionId, String, i64)> = sqlx::query_as(
            "select c.session_id, c.checked_by, c.checked_at from it_free_checks c join sessions s on s.id = c.session_id \
             where s.library_id = $1 and s.starts_at >= $2 and s.starts_at < $3",
        )
        .bind(library_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        let mut by_session: HashMap<SessionId, SessionPrep> = HashMap::new();
        for n in needs {
            let (starts_at, ends_at) = (n.starts_at, n.ends_at);
            let prep = by_session
                .entry(n.session_id)
                .or_insert_with(|| SessionPrep {
                    deadline: ctx.deadline(starts_at, ends_at),
                    needs: Vec::new(),
                    tested_without_it: None,
                    readiness: None,
                });
            prep.needs.push(n);
        }
        for (session_id, by, at) in tested {
            if let Some(p) = by_session.get_mut(&session_id) {
                p.tested_without_it = Some((by, at));
            }
        }
        Ok(by_session
            .into_iter()
            .filter_map(|(id, p)| readiness(&p, today).map(|r| (id, r)))
            .collect())
    }

    /// The weekly digest to IT from `today`: IT needs of live sessions not
    /// done yet that are late or due within seven days, those with a
    /// problem, and this week's sessions IT will not attend.
    pub async fn it_digest(&self, library_id: LibraryId, today: Date) -> Result<Digest> {
        let library = self.library(library_id).await?;
        let to = today.checked_add(6.days()).unwrap_or(today);
        let needs = self
            .it_board(
                library_id,
                &BoardFilter {
                    provider: Some(Provider::It),
                    ..Default::default()
                },
                today,
            )
            .await?;
        // Each need once: a problem is reported as such, whatever its date.
        let open = |n: &&Need| !n.status.is_done() && n.status != NeedStatus::Problem;
        let late = needs
            .iter()
            .filter(open)
            .filter(|n| n.due < today)
            .cloned()
            .collect();
        let due = needs
            .iter()
            .filter(open)
            .filter(|n| today <= n.due && n.due <= to)
            .cloned()
            .collect();
        let problems = needs
            .iter()
            .filter(|n| n.status == NeedStatus::Problem)
            .cloned()
            .collect();
        let ctx = self.it_context(library_id).await?;
        let week_end = day_start(&ctx.tz, to.checked_add(1.day()).unwrap_or(to));
        let mut without_it: Vec<DigestSession> = Vec::new();
        for n in needs
            .iter()
            .filter(|n| n.without_it && n.starts_at < week_end)
        {
            if without_it.iter().all(|d| d.session_id != n.session_id) {
                without_it.push(DigestSession {
                    session_id: n.session_id,
                    event_title: n.event_title.clone(),
                    starts_at: n.starts_at,
                    ends_at: n.ends_at,
                    last_it_day: ctx.deadline(n.starts_at, n.ends_at).last_it_day,
                });
            }
        }
        without_it.sort_by_key(|d| (d.starts_at, d.session_id));
        Ok(Digest {
            library_of_name: library.of_name(),
            library_name: library.name,
            from: today,
            to,
            late,
            due,
            problems,
            without_it,
        })
    }
}

/// The instant a library-local day begins.
fn day_start(tz: &TimeZone, d: Date) -> i64 {
    d.to_zoned(tz.clone())
        .map(|z| z.timestamp().as_second())
        .unwrap_or_default()
}
