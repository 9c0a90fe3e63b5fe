//! One query for lists of sessions. The staff lists (`SessionFilter`), the
//! API's pages (`api_queries::SessionPage`) and the public agenda and its
//! archive (`AgendaFilter`) all become a `SessionQuery`: filters, text
//! search, "seats left" and paging run in SQL, the same on both databases.

use almanach_domain::ids::{EventId, LibraryId, SessionId};
use std::collections::HashMap;

use almanach_domain::collate::search_fold;
use almanach_domain::programme::{EventStatus, LONGEST_SESSION_SECS, SessionKind};

use crate::rows::{Session, session};
use crate::select::SESSION_SELECT;
use crate::sql::{Arg, Sql, like_escape, search_folded};
use crate::{Result, Store};

/// What the counts of a `SessionQuery` read (`SessionQuery::sql`'s joins).
const COUNTED: &str =
    "from sessions s join events e on e.id = s.event_id left join series se on se.id = e.series_id";

/// At most this many words of a search are looked for.
const MAX_WORDS: usize = 8;

/// Which sessions, in which order, which page. Built with its methods:
/// `SessionQuery::new(library).theme(Some(3)).search("robot").upcoming(now).page(0, 40)`.
#[derive(Debug, Clone, Default)]
pub struct SessionQuery {
    library_id: LibraryId,
    ends_after: Option<i64>,
    ends_before: Option<i64>,
    starts_before: Option<i64>,
    from_date: Option<String>,
    to_date: Option<String>,
    series_id: Option<i64>,
    theme_id: Option<i64>,
    room_id: Option<i64>,
    event_id: Option<EventId>,
    age: Option<u8>,
    kind: Option<SessionKind>,
    category: Option<String>,
    statuses: Vec<EventStatus>,
    cancelled: Option<bool>,
    words: Vec<String>,
    seats_left_at: Option<i64>,
    past: bool,
    offset: i64,
    limit: Option<i64>,
}

/// The words a search looks for, folded as `collate::search_fold` folds
/// (case and accents aside): « Créer l’IA » looks for "creer" and "l'ia".
pub(crate) fn search_words(text: &str) -> Vec<String> {
    search_fold(text)
        .split_whitespace()
        .take(MAX_WORDS)
        .map(str::to_string)
        .collect()
}

impl SessionQuery {
    /// Every session of the library, in time order.
    pub fn new(library_id: LibraryId) -> SessionQuery {
        SessionQuery {
            library_id,
            ..SessionQuery::default()
        }
    }

    /// Sessions not over at `t` (ending after it).
    pub fn ends_after(mut self, t: Option<i64>) -> Self {
        self.ends_after = t;
        self
    }

    /// Sessions begun before `t`.
    pub fn starts_before(mut self, t: Option<i64>) -> Self {
        self.starts_before = t;
        self
    }

    /// Library-local dates, ISO (`2025-01-18`), both inclusive.
    pub fn dates(mut self, from: Option<String>, to: Option<String>) -> Self {
        self.from_date = from;
        self.to_date = to;
        self
    }

    pub fn series(mut self, id: Option<i64>) -> Self {
        self.series_id = id;
        self
    }

    pub fn theme(mut self, id: Option<i64>) -> Self {
        self.theme_id = id;
        self
    }

    pub fn room(mut self, id: Option<i64>) -> Self {
        self.room_id = id;
        self
    }

    pub fn event(mut self, id: Option<EventId>) -> Self {
        self.event_id = id;
        self
    }

    /// Sessions a person of this age may attend.
    pub fn age(mut self, age: Option<u8>) -> Self {
        self.age = age;
        self
    }

    pub fn kind(mut self, kind: Option<SessionKind>) -> Self {
        self.kind = kind;
        self
    }

    /// Sessions on a theme of this category (a slug of `THEME_CATEGORIES`).
    pub fn category(mut self, slug: Option<String>) -> Self {
        self.category = slug;
        self
    }

    /// The event statuses allowed; none given allows any.
    pub fn statuses(mut self, statuses: Vec<EventStatus>) -> Self {
        self.statuses = statuses;
        self
    }

    /// `Some(true)`: only sessions cancelled themselves or through their
    /// event; `Some(false)`: only live ones; `None`: both.
    pub fn cancelled(mut self, cancelled: Option<bool>) -> Self {
        self.cancelled = cancelled;
        self
    }

    /// Sessions whose event title, event description or series name holds
    /// every word of `text`, case and accents aside (at most eight words).
    pub fn search(mut self, text: &str) -> Self {
        self.words = search_words(text);
        self
    }

    /// Only sessions one can register for at `now` with a seat left: what
    /// the public agenda shows as open (not full, not a waiting list, not
    /// free entry, inside the registration window). A course's sessions
    /// answer for the course, as its seats do.
    pub fn seats_left(mut self, now: Option<i64>) -> Self {
        self.seats_left_at = now;
        self
    }

    /// Sessions not over at `now`, soonest first.
    pub fn upcoming(mut self, now: i64) -> Self {
        self.ends_after = Some(now);
        self.past = false;
        self
    }

    /// Sessions over at `now`, latest first (the archive).
    pub fn past(mut self, now: i64) -> Self {
        self.ends_after = None;
        self.ends_before = Some(now);
        self.past = true;
        self
    }

    /// `limit` sessions after the first `offset`.
    pub fn page(mut self, offset: i64, limit: i64) -> Self {
        self.offset = offset.max(0);
        self.limit = Some(limit.max(0));
        self
    }

    /// At most `limit` sessions, when given.
    pub fn limit(mut self, limit: Option<i64>) -> Self {
        self.limit = limit;
        self
    }

    /// `select` (a select over `sessions s join events e … left join
    /// series se`, without `where`) with this query's conditions; with
    /// `paged`, its order and page too.
    pub(crate) fn sql(&self, select: &str, paged: bool) -> Sql {
        let mut q = Sql::new(
            &format!("{select} where s.library_id = $1"),
            vec![Arg::I(self.library_id.get())],
        );
        if let Some(v) = self.ends_after {
            q.push(" and s.ends_at > ?", Arg::I(v));
            // The same sessions, read by their start (see LONGEST_SESSION_SECS).
            q.push(
                " and s.starts_at > ?",
                Arg::I(v.saturating_sub(LONGEST_SESSION_SECS)),
            );
        }
        if let Some(v) = self.ends_before {
            q.push(" and s.ends_at <= ?", Arg::I(v));
            // The same sessions, read by their start: one ends after it starts.
            q.push(" and s.starts_at < ?", Arg::I(v));
        }
        if let Some(v) = self.starts_before {
            q.push(" and s.starts_at < ?", Arg::I(v));
        }
        if let Some(v) = &self.from_date {
            q.push(" and s.local_date >= ?", Arg::S(v.clone()));
        }
        if let Some(v) = &self.to_date {
            q.push(" and s.local_date <= ?", Arg::S(v.clone()));
        }
        for (cond, v) in [
            (" and e.series_id = ?", self.series_id),
            (" and s.room_id = ?", self.room_id),
            (" and s.event_id = ?", self.event_id.map(EventId::get)),
            (
                " and exists (select 1 from session_themes st where st.session_id = s.id and st.theme_id = ?)",
                self.theme_id,
            ),
        ] {
            if let Some(v) = v {
                q.push(cond, Arg::I(v));
            }
        }
        if let Some(v) = &self.category {
            q.push(
                " and exists (select 1 from session_themes st join themes t on t.id = st.theme_id \
                 where st.session_id = s.id and (',' || t.categories || ',') like ?)",
                Arg::S(format!("%,{v},%")),
            );
        }
        if let Some(v) = self.kind {
            q.push(" and s.kind = ?", Arg::S(v.slug().into()));
        }
        if let Some(age) = self.age {
            q.push(
                " and (s.age_min is null or s.age_min <= ?)",
                Arg::I(i64::from(age)),
            );
            q.push(
                " and (s.age_max is null or s.age_max >= ?)",
                Arg::I(i64::from(age)),
            );
        }
        if !self.statuses.is_empty() {
            q.text(" and e.status in (");
            for (i, s) in self.statuses.iter().enumerate() {
                q.push(
                    if i == 0 { "?" } else { ", ?" },
                    Arg::S(s.slug().to_string()),
                );
            }
            q.text(")");
        }
        match self.cancelled {
            Some(true) => {
                q.text(" and (s.cancelled = 1 or e.status = 'cancelled')");
            }
            Some(false) => {
                q.text(" and s.cancelled = 0 and e.status <> 'cancelled'");
            }
            None => {}
        }
        if !self.words.is_empty() {
            // The words may lie in any of the three texts, as the agenda
            // searched them in Rust before (title, description, series).
            let texts = [
                search_folded("e.title"),
                search_folded("e.description"),
                search_folded("coalesce(se.name, '')"),
            ];
            for w in &self.words {
                let n = q.arg(Arg::S(format!("%{}%", like_escape(w))));
                let any = texts
                    .iter()
                    .map(|t| format!("{t} like {n} escape '\\'"))
                    .collect::<Vec<_>>()
                    .join(" or ");
                q.text(&format!(" and ({any})"));
            }
        }
        if let Some(now) = self.seats_left_at {
            let n = q.arg(Arg::I(now));
            q.text(&format!(" and {}", seats_left(&n)));
        }
        if paged {
            q.text(if self.past {
                " order by s.starts_at desc, s.id desc"
            } else {
                " order by s.starts_at, s.id"
            });
            if let Some(l) = self.limit {
                q.push(" limit ?", Arg::I(l));
            }
            if self.offset > 0 {
                q.push(" offset ?", Arg::I(self.offset));
            }
        }
        q
    }
}

/// Confirmed seats at the session aliased `x` (a course's registrations
/// hold a seat at each of its sessions): `select::TAKEN` for any alias.
fn taken(x: &str) -> String {
    format!(
        "(select cast(coalesce(sum(r.seats), 0) as bigint) from registrations r where r.event_id = {x}.event_id \
         and r.status = 'confirmed' and (r.session_id = {x}.id or r.session_id is null))"
    )
}

/// The registration window of the session aliased `x` is open at `now`,
/// before it starts (`Offer::availability`'s order: past, free entry, not
/// yet open, closed).
fn window_open(x: &str, now: &str) -> String {
    format!(
        "{x}.starts_at > {now} and ({x}.registration_opens_at is null or {x}.registration_opens_at <= {now}) \
         and ({x}.registration_closes_at is null or {x}.registration_closes_at > {now})"
    )
}

/// `Availability::Open` in SQL, for the session `s` at `now` (a
/// placeholder). A session alone: on registration, its window open, a seat
/// free. A course (`registrations::seat_state`): the window of its first
/// live session, on registration if any live session is, and its seats the
/// smallest capacity against the largest count taken.
fn seats_left(now: &str) -> String {
    let single = format!(
        "(e.course = 0 and s.registration_required = 1 and {} and (s.capacity is null or s.capacity > {}))",
        window_open("s", now),
        taken("s")
    );
    let live = "from sessions x where x.event_id = s.event_id and x.cancelled = 0";
    let course = format!(
        "(e.course = 1 \
         and exists (select 1 from sessions f where f.id = (select f2.id from sessions f2 \
           where f2.event_id = s.event_id and f2.cancelled = 0 order by f2.starts_at, f2.id limit 1) and {}) \
         and exists (select 1 {live} and x.registration_required = 1) \
         and ((select min(x.capacity) {live}) is null \
           or (select min(x.capacity) {live}) > (select max({}) {live})))",
        window_open("f", now),
        taken("x")
    );
    format!("({single} or {course})")
}

impl Store {
    /// The sessions `q` selects, in its order and page, each with its
    /// themes, speakers and leads (three queries for the whole page).
    pub async fn session_list(&self, q: &SessionQuery) -> Result<Vec<Session>> {
        let rows = q
            .sql(SESSION_SELECT, true)
            .query()
            .fetch_all(self.pool())
            .await?;
        let mut out = rows.iter().map(session).collect::<Result<Vec<_>>>()?;
        self.load_links(&mut out).await?;
        Ok(out)
    }

    /// How many sessions `q` selects, paging aside.
    pub async fn session_count(&self, q: &SessionQuery) -> Result<i64> {
        let select = format!("select count(*) {COUNTED}");
        Ok(q.sql(&select, false)
            .scalar()
            .fetch_one(self.pool())
            .await?)
    }

    /// `session_count`, counting no further than `upto`: what a pager
    /// needs, at the cost of the pages it offers rather than of the whole
    /// history (issue 11 §6).
    pub async fn session_count_upto(&self, q: &SessionQuery, upto: i64) -> Result<i64> {
        let mut sql = q.sql(&format!("select 1 {COUNTED}"), false);
        sql.push(" limit ?", Arg::I(upto.max(0)));
        Ok(sql
            .within("select count(*) from (", ") counted")
            .scalar()
            .fetch_one(self.pool())
            .await?)
    }

    /// Fills each session's themes, speakers and leads, a few hundred
    /// sessions a query (SQLite takes at most 32,766 arguments).
    pub(crate) async fn load_links(&self, sessions: &mut [Session]) -> Result<()> {
        for chunk in sessions.chunks_mut(500) {
            self.load_links_of(chunk).await?;
        }
        Ok(())
    }

    async fn load_links_of(&self, sessions: &mut [Session]) -> Result<()> {
        let placeholders = (1..=sessions.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        for (table, col) in [
            ("session_themes", "theme_id"),
            ("session_speakers", "speaker_id"),
            ("session_leads", "staff_id"),
        ] {
            let sql = format!(
                "select session_id, {col} from {table} where session_id in ({placeholders}) order by session_id, {col}"
            );
            let mut q = sqlx::query_as::<_, (SessionId, i64)>(&sql);
            for s in sessions.iter() {
                q = q.bind(s.id);
            }
            let mut by_session: HashMap<SessionId, Vec<i64>> = HashMap::new();
            for (sid, other) in q.fetch_all(self.pool()).await? {
                by_session.entry(sid).or_default().push(other);
            }
            for s in sessions.iter_mut() {
                let ids = by_session.remove(&s.id).unwrap_or_default();
                match col {
                    "theme_id" => s.theme_ids = ids,
                    "speaker_id" => s.speaker_ids = ids,
                    _ => s.lead_ids = ids,
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Moved from the public agenda, which folded in Rust before.
    #[test]
    fn search_ignores_case_and_accents() {
        assert_eq!(
            search_words("Créer une Œuvre À l’IA"),
            ["creer", "une", "oeuvre", "a", "l'ia"]
        );
    }

    #[test]
    fn a_search_looks_for_eight_words_at_most() {
        assert_eq!(search_words("a b c d e f g h i j").len(), 8);
    }
}
