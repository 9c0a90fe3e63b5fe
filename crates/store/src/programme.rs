//! The programme's records: rooms, series, themes, speakers, events and
//! sessions. Writes are transactional and audited; a session's room is
//! checked for clashes inside the same transaction that saves it.

use almanach_domain::collate::{SEARCH_FOLDS, search_fold, sort_by_name};
use almanach_domain::programme::{AttendanceMode, EventStatus, RegistrationPolicy, SessionKind};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Actor, commit_saved, record};
use crate::mail::MailKind;
use crate::{Result, Store, StoreError, Tx, classify, now};

pub(crate) fn flag(r: &AnyRow, c: &str) -> Result<bool> {
    Ok(r.try_get::<i64, _>(c)? != 0)
}

pub(crate) fn opt_u32(r: &AnyRow, c: &str) -> Result<Option<u32>> {
    Ok(r.try_get::<Option<i64>, _>(c)?.map(|v| v as u32))
}

pub(crate) fn opt_u8(r: &AnyRow, c: &str) -> Result<Option<u8>> {
    Ok(r.try_get::<Option<i64>, _>(c)?.map(|v| v as u8))
}

fn bad(what: &str, v: &str) -> StoreError {
    StoreError::Unusable(format!("unknown {what} {v:?} in database"))
}

// ---------------------------------------------------------------- rooms

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Room {
    pub id: i64,
    pub name: String,
    pub capacity: Option<u32>,
    pub equipment: String,
    pub step_free: bool,
}

fn room(r: &AnyRow) -> Result<Room> {
    Ok(Room {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        capacity: opt_u32(r, "capacity")?,
        equipment: r.try_get("equipment")?,
        step_free: flag(r, "step_free")?,
    })
}

// ---------------------------------------------------------------- series

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Series {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub default_kind: SessionKind,
    pub duration_minutes: Option<u32>,
    pub capacity: Option<u32>,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    pub registration_policy: RegistrationPolicy,
    pub colour: String,
}

impl Default for Series {
    fn default() -> Self {
        Series {
            id: 0,
            name: String::new(),
            description: String::new(),
            default_kind: SessionKind::Talk,
            duration_minutes: None,
            capacity: None,
            age_min: None,
            age_max: None,
            registration_policy: RegistrationPolicy::FreeEntry,
            colour: "#3a6ea5".into(),
        }
    }
}

fn series(r: &AnyRow) -> Result<Series> {
    let kind: String = r.try_get("default_kind")?;
    let policy: String = r.try_get("registration_policy")?;
    Ok(Series {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        default_kind: SessionKind::parse(&kind).ok_or_else(|| bad("kind", &kind))?,
        duration_minutes: opt_u32(r, "duration_minutes")?,
        capacity: opt_u32(r, "capacity")?,
        age_min: opt_u8(r, "age_min")?,
        age_max: opt_u8(r, "age_max")?,
        registration_policy: RegistrationPolicy::parse(&policy)
            .ok_or_else(|| bad("policy", &policy))?,
        colour: r.try_get("colour")?,
    })
}

// ---------------------------------------------------------------- themes

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Theme {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub categories: Vec<String>,
    pub materials: String,
    pub lead_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThemeSummary {
    pub theme: Theme,
    pub sessions: i64,
    pub last_at: Option<i64>,
}

fn theme(r: &AnyRow) -> Result<Theme> {
    let cats: String = r.try_get("categories")?;
    Ok(Theme {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        categories: cats
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        materials: r.try_get("materials")?,
        lead_ids: Vec::new(),
    })
}

// ---------------------------------------------------------------- speakers

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Speaker {
    pub id: i64,
    pub name: String,
    pub organisation: String,
    pub email: String,
    pub phone: String,
    pub notes: String,
}

pub(crate) fn speaker(r: &AnyRow) -> Result<Speaker> {
    Ok(Speaker {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        organisation: r.try_get("organisation")?,
        email: r.try_get("email")?,
        phone: r.try_get("phone")?,
        notes: r.try_get("notes")?,
    })
}

// ---------------------------------------------------------------- events

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Event {
    pub id: i64,
    pub series_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub picture_url: String,
    pub status: EventStatus,
}

pub(crate) fn event(r: &AnyRow) -> Result<Event> {
    let status: String = r.try_get("status")?;
    Ok(Event {
        id: r.try_get("id")?,
        series_id: r.try_get("series_id")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        picture_url: r.try_get("picture_url")?,
        status: EventStatus::parse(&status).ok_or_else(|| bad("status", &status))?,
    })
}

/// An event with what the events list shows beside it.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub event: Event,
    pub series_name: Option<String>,
    pub series_colour: Option<String>,
    /// The first session's start; None while the event has no session.
    pub first_at: Option<i64>,
    pub sessions: i64,
}

/// Which events the staff list shows, by the dates of their sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EventPeriod {
    /// Not over yet, or without a session: the soonest first, those
    /// without a session last.
    #[default]
    Upcoming,
    /// Every session over: the latest first.
    Past,
    /// The first session starting in [from, to): in date order.
    Between(i64, i64),
    /// Everything: the coming ones as `Upcoming`, then the past ones.
    All,
}

/// The staff list's filters and page.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    pub series_id: Option<i64>,
    pub status: Option<EventStatus>,
    pub period: EventPeriod,
    /// Words that must all appear in the title; accents and case aside.
    pub words: Vec<String>,
    /// The instant "coming" and "past" are measured from.
    pub now: i64,
    pub offset: i64,
    pub limit: i64,
}

/// Each event's first start, last end and number of sessions (cancelled
/// ones included: they still date the event), joined as `f`.
const EVENT_FIRSTS: &str = "left join (select event_id, min(starts_at) as first_at, max(ends_at) as last_end, \
     count(*) as n from sessions group by event_id) f on f.event_id = e.id";

/// The `where` of the staff list: `$1` is the library and, unless the
/// period is `Between`, `$2` is now.
fn event_conditions(library_id: i64, q: &EventQuery) -> (String, Vec<Arg>) {
    let mut sql = String::from("e.library_id = $1");
    let mut args = vec![Arg::I(library_id)];
    if !matches!(q.period, EventPeriod::Between(..)) {
        args.push(Arg::I(q.now));
    }
    let mut push = |cond: &str, a: Arg, sql: &mut String| {
        args.push(a);
        sql.push_str(&cond.replace('?', &format!("${}", args.len())));
    };
    match q.period {
        EventPeriod::Upcoming => sql.push_str(" and (f.last_end is null or f.last_end > $2)"),
        EventPeriod::Past => sql.push_str(" and f.last_end <= $2"),
        EventPeriod::Between(from, to) => {
            push(" and f.first_at >= ?", Arg::I(from), &mut sql);
            push(" and f.first_at < ?", Arg::I(to), &mut sql);
        }
        EventPeriod::All => {}
    }
    if let Some(v) = q.series_id {
        push(" and e.series_id = ?", Arg::I(v), &mut sql);
    }
    if let Some(v) = q.status {
        push(" and e.status = ?", Arg::S(v.slug().to_string()), &mut sql);
    }
    let title = search_folded("e.title");
    for w in q.words.iter().filter(|w| !w.is_empty()) {
        let pattern = format!("%{}%", like_escape(&search_fold(w)));
        push(
            &format!(" and {title} like ? escape '\\'"),
            Arg::S(pattern),
            &mut sql,
        );
    }
    (sql, args)
}

/// `column` folded in SQL as `collate::search_fold` folds in Rust: lower
/// case, accents off, ligatures spelled out. Written once for both
/// databases with `lower` and `replace`, which both have.
pub(crate) fn search_folded(column: &str) -> String {
    let mut sql = format!("lower({column})");
    for (from, to) in SEARCH_FOLDS {
        let from = from.to_string().replace('\'', "''");
        let to = to.replace('\'', "''");
        sql = format!("replace({sql}, '{from}', '{to}')");
    }
    sql
}

/// `s` matched literally by `like … escape '\'`.
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------- sessions

/// A session as stored, with what lists and pages show next to it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Session {
    pub id: i64,
    pub event_id: i64,
    pub event_title: String,
    pub event_status: EventStatus,
    pub series_id: Option<i64>,
    pub series_name: Option<String>,
    pub series_colour: Option<String>,
    pub kind: SessionKind,
    pub starts_at: i64,
    pub ends_at: i64,
    pub local_date: String,
    pub room_id: Option<i64>,
    pub room_name: Option<String>,
    pub capacity: Option<u32>,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    pub accompanied: bool,
    pub price_cents: i64,
    pub registration_required: bool,
    pub attendance_mode: AttendanceMode,
    pub online_url: String,
    pub cancelled: bool,
    /// The start first announced, once the published session was moved.
    pub previous_starts_at: Option<i64>,
    pub theme_ids: Vec<i64>,
    pub speaker_ids: Vec<i64>,
    pub lead_ids: Vec<i64>,
}

impl Session {
    /// Cancelled itself or through its event.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled || self.event_status == EventStatus::Cancelled
    }
}

pub(crate) const SESSION_SELECT: &str = "select s.*, e.title as event_title, e.status as event_status, e.series_id, \
     se.name as series_name, se.colour as series_colour, r.name as room_name \
     from sessions s join events e on e.id = s.event_id \
     left join series se on se.id = e.series_id left join rooms r on r.id = s.room_id";

/// A session of the library with its themes, speakers and leads, read on
/// `c` (inside a transaction, as it is there).
pub(crate) async fn session_in(c: &mut AnyConnection, library_id: i64, id: i64) -> Result<Session> {
    let r = sqlx::query(&format!(
        "{SESSION_SELECT} where s.id = $1 and s.library_id = $2"
    ))
    .bind(id)
    .bind(library_id)
    .fetch_optional(&mut *c)
    .await?
    .ok_or(StoreError::NotFound)?;
    let mut s = session(&r)?;
    session_links(c, &mut s).await?;
    Ok(s)
}

async fn session_links(c: &mut AnyConnection, s: &mut Session) -> Result<()> {
    s.theme_ids = sqlx::query_scalar(
        "select theme_id from session_themes where session_id = $1 order by theme_id",
    )
    .bind(s.id)
    .fetch_all(&mut *c)
    .await?;
    s.speaker_ids = sqlx::query_scalar(
        "select speaker_id from session_speakers where session_id = $1 order by speaker_id",
    )
    .bind(s.id)
    .fetch_all(&mut *c)
    .await?;
    s.lead_ids = sqlx::query_scalar(
        "select staff_id from session_leads where session_id = $1 order by staff_id",
    )
    .bind(s.id)
    .fetch_all(&mut *c)
    .await?;
    Ok(())
}

pub(crate) fn session(r: &AnyRow) -> Result<Session> {
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("event_status")?;
    let mode: String = r.try_get("attendance_mode")?;
    Ok(Session {
        id: r.try_get("id")?,
        event_id: r.try_get("event_id")?,
        event_title: r.try_get("event_title")?,
        event_status: EventStatus::parse(&status).ok_or_else(|| bad("status", &status))?,
        series_id: r.try_get("series_id")?,
        series_name: r.try_get("series_name")?,
        series_colour: r.try_get("series_colour")?,
        kind: SessionKind::parse(&kind).ok_or_else(|| bad("kind", &kind))?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        local_date: r.try_get("local_date")?,
        room_id: r.try_get("room_id")?,
        room_name: r.try_get("room_name")?,
        capacity: opt_u32(r, "capacity")?,
        age_min: opt_u8(r, "age_min")?,
        age_max: opt_u8(r, "age_max")?,
        accompanied: flag(r, "accompanied")?,
        price_cents: r.try_get("price_cents")?,
        registration_required: flag(r, "registration_required")?,
        attendance_mode: AttendanceMode::parse(&mode).ok_or_else(|| bad("mode", &mode))?,
        online_url: r.try_get("online_url")?,
        cancelled: flag(r, "cancelled")?,
        previous_starts_at: r.try_get("previous_starts_at")?,
        theme_ids: Vec::new(),
        speaker_ids: Vec::new(),
        lead_ids: Vec::new(),
    })
}

/// What a session write carries: the parsed draft and its instants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionWrite {
    pub event_id: i64,
    pub kind: SessionKind,
    pub starts_at: i64,
    pub ends_at: i64,
    pub local_date: String,
    pub room_id: Option<i64>,
    pub capacity: Option<u32>,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    pub accompanied: bool,
    pub price_cents: i64,
    pub registration_required: bool,
    pub attendance_mode: AttendanceMode,
    pub online_url: String,
    pub theme_ids: Vec<i64>,
    pub speaker_ids: Vec<i64>,
    pub lead_ids: Vec<i64>,
}

impl From<&Session> for SessionWrite {
    /// The write that would leave the session as it is.
    fn from(s: &Session) -> SessionWrite {
        SessionWrite {
            event_id: s.event_id,
            kind: s.kind,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            local_date: s.local_date.clone(),
            room_id: s.room_id,
            capacity: s.capacity,
            age_min: s.age_min,
            age_max: s.age_max,
            accompanied: s.accompanied,
            price_cents: s.price_cents,
            registration_required: s.registration_required,
            attendance_mode: s.attendance_mode,
            online_url: s.online_url.clone(),
            theme_ids: s.theme_ids.clone(),
            speaker_ids: s.speaker_ids.clone(),
            lead_ids: s.lead_ids.clone(),
        }
    }
}

/// The other session a room is already taken by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomClash {
    pub session_id: i64,
    pub event_title: String,
    pub starts_at: i64,
    pub ends_at: i64,
}

/// Filters for listing sessions; every field optional.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub series_id: Option<i64>,
    pub theme_id: Option<i64>,
    pub room_id: Option<i64>,
    pub event_id: Option<i64>,
    /// Sessions a person of this age may attend.
    pub age: Option<u8>,
    pub event_status: Option<EventStatus>,
    pub include_cancelled: bool,
    pub limit: Option<i64>,
}

/// A typed argument for the dynamically built filter query.
pub(crate) enum Arg {
    I(i64),
    S(String),
}

/// Binds `args` in order to a query built with `$n` placeholders.
fn bind_args<'q, Q: BindArg<'q>>(mut q: Q, args: Vec<Arg>) -> Q {
    for a in args {
        q = match a {
            Arg::I(i) => q.bind_i64(i),
            Arg::S(s) => q.bind_string(s),
        };
    }
    q
}

/// What `bind_args` binds to: a query or a scalar query.
trait BindArg<'q>: Sized {
    fn bind_i64(self, v: i64) -> Self;
    fn bind_string(self, v: String) -> Self;
}

impl<'q> BindArg<'q> for sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    fn bind_i64(self, v: i64) -> Self {
        self.bind(v)
    }
    fn bind_string(self, v: String) -> Self {
        self.bind(v)
    }
}

impl<'q, O> BindArg<'q>
    for sqlx::query::QueryScalar<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>
{
    fn bind_i64(self, v: i64) -> Self {
        self.bind(v)
    }
    fn bind_string(self, v: String) -> Self {
        self.bind(v)
    }
}

impl Store {
    /// One row of `table` by id, only within the library: another library's
    /// record is as absent as a missing one.
    pub(crate) async fn owned_row(&self, table: &str, library_id: i64, id: i64) -> Result<AnyRow> {
        sqlx::query(&format!(
            "select * from {table} where id = $1 and library_id = $2"
        ))
        .bind(id)
        .bind(library_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Every row of `table` in the library, ordered by `order`.
    pub(crate) async fn owned_rows(
        &self,
        table: &str,
        library_id: i64,
        order: &str,
    ) -> Result<Vec<AnyRow>> {
        Ok(sqlx::query(&format!(
            "select * from {table} where library_id = $1 order by {order}"
        ))
        .bind(library_id)
        .fetch_all(self.pool())
        .await?)
    }

    // ------------------------------------------------------------ rooms

    pub async fn list_rooms(&self, library_id: i64) -> Result<Vec<Room>> {
        let rows = self.owned_rows("rooms", library_id, "id").await?;
        let mut rooms = rows.iter().map(room).collect::<Result<Vec<_>>>()?;
        sort_by_name(&mut rooms, |r| &r.name);
        Ok(rooms)
    }

    pub async fn room(&self, library_id: i64, id: i64) -> Result<Room> {
        let r = self.owned_row("rooms", library_id, id).await?;
        room(&r)
    }

    /// Creates (`room.id == 0`) or updates a room; a taken name is a `Conflict`.
    pub async fn save_room(&self, actor: &Actor, new: &Room) -> Result<i64> {
        let before = if new.id == 0 {
            None
        } else {
            Some(self.room(actor.library_id, new.id).await?)
        };
        let mut tx = self.write().await?;
        let id = if let Some(b) = &before {
            sqlx::query("update rooms set name = $1, capacity = $2, equipment = $3, step_free = $4 where id = $5")
                .bind(&new.name)
                .bind(new.capacity.map(i64::from))
                .bind(&new.equipment)
                .bind(i64::from(new.step_free))
                .bind(b.id)
                .execute(&mut *tx)
                .await
                .map_err(classify)?;
            b.id
        } else {
            sqlx::query_scalar(
                "insert into rooms (library_id, name, capacity, equipment, step_free) values ($1, $2, $3, $4, $5) \
                 returning id",
            )
            .bind(actor.library_id)
            .bind(&new.name)
            .bind(new.capacity.map(i64::from))
            .bind(&new.equipment)
            .bind(i64::from(new.step_free))
            .fetch_one(&mut *tx)
            .await
            .map_err(classify)?
        };
        let after = Room { id, ..new.clone() };
        commit_saved(tx, actor, "room", id, before.as_ref(), &after).await
    }

    // ------------------------------------------------------------ series

    pub async fn list_series(&self, library_id: i64) -> Result<Vec<Series>> {
        let rows = self.owned_rows("series", library_id, "id").await?;
        let mut all = rows.iter().map(series).collect::<Result<Vec<_>>>()?;
        sort_by_name(&mut all, |s| &s.name);
        Ok(all)
    }

    /// Every colour a series has, in any library: the stylesheet that
    /// gives pages their colours (`/static/colours.css`) is built from it.
    pub async fn series_colours(&self) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("select distinct colour from series order by colour")
                .fetch_all(self.pool())
                .await?,
        )
    }

    pub async fn series(&self, library_id: i64, id: i64) -> Result<Series> {
        let r = self.owned_row("series", library_id, id).await?;
        series(&r)
    }

    pub async fn series_by_name(&self, library_id: i64, name: &str) -> Result<Option<Series>> {
        let r = sqlx::query("select * from series where library_id = $1 and name = $2")
            .bind(library_id)
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        r.as_ref().map(series).transpose()
    }

    pub async fn save_series(&self, actor: &Actor, new: &Series) -> Result<i64> {
        let before = if new.id == 0 {
            None
        } else {
            Some(self.series(actor.library_id, new.id).await?)
        };
        let mut tx = self.write().await?;
        let q = if before.is_some() {
            "update series set name = $1, description = $2, default_kind = $3, duration_minutes = $4, capacity = $5, \
             age_min = $6, age_max = $7, registration_policy = $8, colour = $9 where id = $10 and library_id = $11 \
             returning id"
        } else {
            // $10 is the (absent) id, compared so both statements take the same parameters.
            "insert into series (name, description, default_kind, duration_minutes, capacity, age_min, age_max, \
             registration_policy, colour, library_id) select $1, $2, $3, $4, $5, $6, $7, $8, $9, $11 \
             where $10 = 0 returning id"
        };
        let id: i64 = sqlx::query_scalar(q)
            .bind(&new.name)
            .bind(&new.description)
            .bind(new.default_kind.slug())
            .bind(new.duration_minutes.map(i64::from))
            .bind(new.capacity.map(i64::from))
            .bind(new.age_min.map(i64::from))
            .bind(new.age_max.map(i64::from))
            .bind(new.registration_policy.slug())
            .bind(&new.colour)
            .bind(before.as_ref().map_or(0, |b| b.id))
            .bind(actor.library_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(classify)?;
        let after = Series { id, ..new.clone() };
        commit_saved(tx, actor, "series", id, before.as_ref(), &after).await
    }

    // ------------------------------------------------------------ themes

    async fn theme_leads(&self, theme_id: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "select staff_id from theme_leads where theme_id = $1 order by staff_id",
        )
        .bind(theme_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Every theme with how many sessions it had (cancelled ones left out)
    /// and when it was last given.
    pub async fn list_themes(&self, library_id: i64) -> Result<Vec<ThemeSummary>> {
        let rows = sqlx::query(
            "select t.*, count(s.id) as n, max(s.starts_at) as last_at from themes t \
             left join session_themes st on st.theme_id = t.id \
             left join sessions s on s.id = st.session_id and s.cancelled = 0 \
             where t.library_id = $1 group by t.id, t.library_id, t.title, t.description, t.categories, t.materials \
             order by t.id",
        )
        .bind(library_id)
        .fetch_all(self.pool())
        .await?;
        let mut all = rows
            .iter()
            .map(|r| {
                Ok(ThemeSummary {
                    theme: theme(r)?,
                    sessions: r.try_get("n")?,
                    last_at: r.try_get("last_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        sort_by_name(&mut all, |t| &t.theme.title);
        Ok(all)
    }

    pub async fn theme(&self, library_id: i64, id: i64) -> Result<Theme> {
        let r = self.owned_row("themes", library_id, id).await?;
        let mut t = theme(&r)?;
        t.lead_ids = self.theme_leads(id).await?;
        Ok(t)
    }

    pub async fn save_theme(&self, actor: &Actor, new: &Theme) -> Result<i64> {
        let before = if new.id == 0 {
            None
        } else {
            Some(self.theme(actor.library_id, new.id).await?)
        };
        let mut tx = self.write().await?;
        let cats = new.categories.join(",");
        let id: i64 = if let Some(b) = &before {
            sqlx::query("update themes set title = $1, description = $2, categories = $3, materials = $4 where id = $5")
                .bind(&new.title)
                .bind(&new.description)
                .bind(&cats)
                .bind(&new.materials)
                .bind(b.id)
                .execute(&mut *tx)
                .await
                .map_err(classify)?;
            b.id
        } else {
            sqlx::query_scalar(
                "insert into themes (library_id, title, description, categories, materials) values ($1, $2, $3, $4, $5) \
                 returning id",
            )
            .bind(actor.library_id)
            .bind(&new.title)
            .bind(&new.description)
            .bind(&cats)
            .bind(&new.materials)
            .fetch_one(&mut *tx)
            .await
            .map_err(classify)?
        };
        sqlx::query("delete from theme_leads where theme_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for staff_id in dedup(&new.lead_ids) {
            sqlx::query(
                "insert into theme_leads (theme_id, staff_id) select $1, id from staff where id = $2 and library_id = $3",
            )
            .bind(id)
            .bind(staff_id)
            .bind(actor.library_id)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        }
        let after = Theme {
            id,
            lead_ids: dedup(&new.lead_ids),
            ..new.clone()
        };
        commit_saved(tx, actor, "theme", id, before.as_ref(), &after).await
    }

    // ------------------------------------------------------------ speakers

    pub async fn list_speakers(&self, library_id: i64) -> Result<Vec<Speaker>> {
        let rows = sqlx::query("select * from speakers where library_id = $1 order by id")
            .bind(library_id)
            .fetch_all(self.pool())
            .await?;
        let mut all = rows.iter().map(speaker).collect::<Result<Vec<_>>>()?;
        sort_by_name(&mut all, |s| &s.name);
        Ok(all)
    }

    pub async fn speaker(&self, library_id: i64, id: i64) -> Result<Speaker> {
        let r = sqlx::query("select * from speakers where id = $1 and library_id = $2")
            .bind(id)
            .bind(library_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        speaker(&r)
    }

    pub async fn save_speaker(&self, actor: &Actor, new: &Speaker) -> Result<i64> {
        let before = if new.id == 0 {
            None
        } else {
            Some(self.speaker(actor.library_id, new.id).await?)
        };
        let mut tx = self.write().await?;
        let id: i64 = if let Some(b) = &before {
            sqlx::query(
                "update speakers set name = $1, organisation = $2, email = $3, phone = $4, notes = $5 where id = $6",
            )
            .bind(&new.name)
            .bind(&new.organisation)
            .bind(&new.email)
            .bind(&new.phone)
            .bind(&new.notes)
            .bind(b.id)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
            b.id
        } else {
            sqlx::query_scalar(
                "insert into speakers (library_id, name, organisation, email, phone, notes) \
                 values ($1, $2, $3, $4, $5, $6) returning id",
            )
            .bind(actor.library_id)
            .bind(&new.name)
            .bind(&new.organisation)
            .bind(&new.email)
            .bind(&new.phone)
            .bind(&new.notes)
            .fetch_one(&mut *tx)
            .await
            .map_err(classify)?
        };
        let after = Speaker { id, ..new.clone() };
        commit_saved(tx, actor, "speaker", id, before.as_ref(), &after).await
    }

    // ------------------------------------------------------------ events

    pub async fn event(&self, library_id: i64, id: i64) -> Result<Event> {
        let r = self.owned_row("events", library_id, id).await?;
        event(&r)
    }

    /// Events, newest first, optionally of one series.
    pub async fn list_events(
        &self,
        library_id: i64,
        series_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Event>> {
        let rows = sqlx::query(
            "select e.* from events e left join (select event_id, min(starts_at) as first_at from sessions \
             group by event_id) f on f.event_id = e.id where e.library_id = $1 and ($2 is null or e.series_id = $2) \
             order by coalesce(f.first_at, e.created_at) desc limit $3",
        )
        .bind(library_id)
        .bind(series_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(event).collect()
    }

    pub async fn save_event(&self, actor: &Actor, new: &Event) -> Result<i64> {
        let before = if new.id == 0 {
            None
        } else {
            Some(self.event(actor.library_id, new.id).await?)
        };
        let mut tx = self.write().await?;
        let id = write_event(&mut tx, actor, before.as_ref(), new).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// How many events the staff list holds for `q` (paging aside).
    pub async fn count_event_rows(&self, library_id: i64, q: &EventQuery) -> Result<i64> {
        let (cond, args) = event_conditions(library_id, q);
        let sql = format!("select count(*) from events e {EVENT_FIRSTS} where {cond}");
        Ok(bind_args(sqlx::query_scalar(&sql), args)
            .fetch_one(self.pool())
            .await?)
    }

    /// One page of the staff list for `q`, with each event's series and the
    /// start of its first session; paging, filters and order all in SQL.
    pub async fn list_event_rows(&self, library_id: i64, q: &EventQuery) -> Result<Vec<EventRow>> {
        let (cond, mut args) = event_conditions(library_id, q);
        let order = match q.period {
            EventPeriod::Upcoming => {
                "case when f.first_at is null then 1 else 0 end, f.first_at, e.id"
            }
            EventPeriod::Past => "f.first_at desc, e.id desc",
            EventPeriod::Between(..) => "f.first_at, e.id",
            // Coming events soonest first (those without a session after
            // them), then past ones latest first: `now` is the last argument.
            EventPeriod::All => {
                "case when f.last_end is null or f.last_end > $2 then 0 else 1 end, \
                 case when f.first_at is null then 1 else 0 end, \
                 case when f.last_end is null or f.last_end > $2 then f.first_at else -f.first_at end, e.id"
            }
        };
        args.push(Arg::I(q.limit.max(0)));
        args.push(Arg::I(q.offset.max(0)));
        let n = args.len();
        let sql = format!(
            "select e.*, se.name as series_name, se.colour as series_colour, f.first_at, coalesce(f.n, 0) as n \
             from events e left join series se on se.id = e.series_id {EVENT_FIRSTS} \
             where {cond} order by {order} limit ${} offset ${n}",
            n - 1
        );
        let rows = bind_args(sqlx::query(&sql), args)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(EventRow {
                    event: event(r)?,
                    series_name: r.try_get("series_name")?,
                    series_colour: r.try_get("series_colour")?,
                    first_at: r.try_get("first_at")?,
                    sessions: r.try_get("n")?,
                })
            })
            .collect()
    }

    pub async fn count_events(&self, library_id: i64, status: EventStatus) -> Result<i64> {
        Ok(
            sqlx::query_scalar("select count(*) from events where library_id = $1 and status = $2")
                .bind(library_id)
                .bind(status.slug())
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Creates an event and its sessions in one transaction, as duplicating
    /// an event needs: if one session's room is taken, nothing is created
    /// and the clash is returned. Each session's `event_id` is replaced.
    pub async fn create_event_with_sessions(
        &self,
        actor: &Actor,
        new: &Event,
        sessions: &[SessionWrite],
    ) -> Result<Result<i64, RoomClash>> {
        let mut tx = self.write().await?;
        let id = write_event(
            &mut tx,
            actor,
            None,
            &Event {
                id: 0,
                ..new.clone()
            },
        )
        .await?;
        for s in sessions {
            if let Err(clash) = write_session(
                &mut tx,
                actor,
                None,
                &SessionWrite {
                    event_id: id,
                    ..s.clone()
                },
            )
            .await?
            {
                // Dropping the transaction rolls the event back too.
                return Ok(Err(clash));
            }
        }
        tx.commit().await?;
        Ok(Ok(id))
    }

    // ------------------------------------------------------------ sessions

    async fn session_links(&self, s: &mut Session) -> Result<()> {
        session_links(&mut *self.pool().acquire().await?, s).await
    }

    pub async fn session(&self, library_id: i64, id: i64) -> Result<Session> {
        session_in(&mut *self.pool().acquire().await?, library_id, id).await
    }

    /// Sessions in time order matching `f`, each with its themes, speakers
    /// and leads.
    pub async fn list_sessions(&self, library_id: i64, f: &SessionFilter) -> Result<Vec<Session>> {
        let mut sql = format!("{SESSION_SELECT} where s.library_id = $1");
        let mut args = vec![Arg::I(library_id)];
        let mut push = |cond: &str, a: Arg, sql: &mut String| {
            args.push(a);
            sql.push_str(&cond.replace('?', &format!("${}", args.len())));
        };
        if let Some(v) = f.from {
            push(" and s.ends_at > ?", Arg::I(v), &mut sql);
        }
        if let Some(v) = f.to {
            push(" and s.starts_at < ?", Arg::I(v), &mut sql);
        }
        if let Some(v) = f.series_id {
            push(" and e.series_id = ?", Arg::I(v), &mut sql);
        }
        if let Some(v) = f.room_id {
            push(" and s.room_id = ?", Arg::I(v), &mut sql);
        }
        if let Some(v) = f.event_id {
            push(" and s.event_id = ?", Arg::I(v), &mut sql);
        }
        if let Some(v) = f.theme_id {
            push(
                " and exists (select 1 from session_themes st where st.session_id = s.id and st.theme_id = ?)",
                Arg::I(v),
                &mut sql,
            );
        }
        if let Some(v) = f.age {
            push(
                " and (s.age_min is null or s.age_min <= ?)",
                Arg::I(i64::from(v)),
                &mut sql,
            );
            push(
                " and (s.age_max is null or s.age_max >= ?)",
                Arg::I(i64::from(v)),
                &mut sql,
            );
        }
        if let Some(v) = f.event_status {
            push(" and e.status = ?", Arg::S(v.slug().to_string()), &mut sql);
        }
        if !f.include_cancelled {
            sql.push_str(" and s.cancelled = 0 and e.status <> 'cancelled'");
        }
        sql.push_str(" order by s.starts_at, s.id");
        if let Some(l) = f.limit {
            push(" limit ?", Arg::I(l), &mut sql);
        }
        let mut q = sqlx::query(&sql);
        for a in args {
            q = match a {
                Arg::I(i) => q.bind(i),
                Arg::S(s) => q.bind(s),
            };
        }
        let rows = q.fetch_all(self.pool()).await?;
        let mut out = rows.iter().map(session).collect::<Result<Vec<_>>>()?;
        for s in &mut out {
            self.session_links(s).await?;
        }
        Ok(out)
    }

    /// Live sessions (neither they nor their event cancelled) starting in [from, to).
    pub async fn count_sessions(&self, library_id: i64, from: i64, to: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "select count(*) from sessions s join events e on e.id = s.event_id where s.library_id = $1 \
             and s.starts_at >= $2 and s.starts_at < $3 and s.cancelled = 0 and e.status <> 'cancelled'",
        )
        .bind(library_id)
        .bind(from)
        .bind(to)
        .fetch_one(self.pool())
        .await?)
    }

    /// The sessions that already happened on a theme before `starts_at`
    /// (a session on such a theme is a replay).
    pub async fn earlier_sessions_on_theme(&self, theme_id: i64, starts_at: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "select count(*) from session_themes st join sessions s on s.id = st.session_id \
             join events e on e.id = s.event_id \
             where st.theme_id = $1 and s.starts_at < $2 and s.cancelled = 0 and e.status <> 'cancelled'",
        )
        .bind(theme_id)
        .bind(starts_at)
        .fetch_one(self.pool())
        .await?)
    }

    /// Creates (`id == None`) or updates a session. Inside the transaction
    /// the room is locked and checked for overlapping sessions: the outer
    /// `Err` is a storage failure, the inner one the clash to show the person.
    pub async fn save_session(
        &self,
        actor: &Actor,
        id: Option<i64>,
        w: &SessionWrite,
    ) -> Result<Result<i64, RoomClash>> {
        let before = match id {
            Some(id) => Some(self.session(actor.library_id, id).await?),
            None => None,
        };
        let mut tx = self.write().await?;
        let saved = write_session(&mut tx, actor, before.as_ref(), w).await?;
        if saved.is_ok() {
            tx.commit().await?;
        }
        Ok(saved)
    }

    /// Cancels or restores a session; its registrants are told at once
    /// (the API's way: its caller asked). Pages go through `actions`.
    pub async fn set_session_cancelled(
        &self,
        actor: &Actor,
        id: i64,
        cancelled: bool,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        set_cancelled_in(&mut tx, actor, id, cancelled).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Cancels or restores a session inside `tx` and tells its registrants (a
/// restoring withdraws the cancellations not sent yet: see `mail::plan`).
/// The session as it was, back.
pub(crate) async fn set_cancelled_in(
    tx: &mut Tx,
    actor: &Actor,
    id: i64,
    cancelled: bool,
) -> Result<Session> {
    let before = session_in(tx, actor.library_id, id).await?;
    sqlx::query("update sessions set cancelled = $1, updated_at = $2, sequence = sequence + 1 where id = $3")
        .bind(i64::from(cancelled))
        .bind(now())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if before.cancelled != cancelled {
        let (kind, payload) = if cancelled {
            (MailKind::SessionCancelled, serde_json::json!({}))
        } else {
            (MailKind::Changed, serde_json::json!({ "restored": true }))
        };
        crate::mail::on_session(tx, before.event_id, Some(id), kind, payload).await?;
    }
    let after = Session {
        cancelled,
        ..before.clone()
    };
    record(
        tx,
        actor,
        "session",
        id,
        if cancelled { "cancel" } else { "restore" },
        Some(&before),
        Some(&after),
    )
    .await?;
    Ok(before)
}

/// Inserts (`before` None) or updates an event inside `tx`, with its audit
/// entry: "publish" and "cancel" are named so the trail reads as a history.
pub(crate) async fn write_event(
    tx: &mut Tx,
    actor: &Actor,
    before: Option<&Event>,
    new: &Event,
) -> Result<i64> {
    if let Some(series_id) = new.series_id {
        check_owned(tx, "series", series_id, actor.library_id).await?;
    }
    let t = now();
    let id: i64 = if let Some(b) = before {
        sqlx::query(
            "update events set series_id = $1, title = $2, description = $3, picture_url = $4, status = $5, \
             updated_at = $6 where id = $7",
        )
        .bind(new.series_id)
        .bind(&new.title)
        .bind(&new.description)
        .bind(&new.picture_url)
        .bind(new.status.slug())
        .bind(t)
        .bind(b.id)
        .execute(&mut **tx)
        .await
        .map_err(classify)?;
        // The event's title and status are in each session's calendar entry.
        sqlx::query("update sessions set sequence = sequence + 1 where event_id = $1")
            .bind(b.id)
            .execute(&mut **tx)
            .await?;
        if new.status == EventStatus::Cancelled && b.status != EventStatus::Cancelled {
            crate::mail::on_session(
                tx,
                b.id,
                None,
                MailKind::SessionCancelled,
                serde_json::json!({}),
            )
            .await?;
        }
        if b.status == EventStatus::Cancelled && new.status != EventStatus::Cancelled {
            crate::mail::withdraw_unsent_cancellations(tx, b.id).await?;
        }
        b.id
    } else {
        sqlx::query_scalar(
            "insert into events (library_id, series_id, title, description, picture_url, status, created_at, \
             updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7) returning id",
        )
        .bind(actor.library_id)
        .bind(new.series_id)
        .bind(&new.title)
        .bind(&new.description)
        .bind(&new.picture_url)
        .bind(new.status.slug())
        .bind(t)
        .fetch_one(&mut **tx)
        .await
        .map_err(classify)?
    };
    let after = Event { id, ..new.clone() };
    let action = match (before, new.status) {
        (None, _) => "create",
        (Some(b), EventStatus::Cancelled) if b.status != EventStatus::Cancelled => "cancel",
        (Some(b), EventStatus::Published) if b.status != EventStatus::Published => "publish",
        _ => "update",
    };
    record(tx, actor, "event", id, action, before, Some(&after)).await?;
    Ok(id)
}

/// Inserts (`before` None) or updates a session inside `tx`: the room is
/// locked and checked for overlaps first, then the row, its links and the
/// audit entry are written. A clash writes nothing and is returned inside.
pub(crate) async fn write_session(
    tx: &mut Tx,
    actor: &Actor,
    before: Option<&Session>,
    w: &SessionWrite,
) -> Result<Result<i64, RoomClash>> {
    check_owned(tx, "events", w.event_id, actor.library_id).await?;
    if let Some(room_id) = w.room_id
        && let Some(clash) = lock_room_and_find_clash(
            tx,
            actor.library_id,
            room_id,
            w.starts_at,
            w.ends_at,
            before.map(|b| b.id),
        )
        .await?
    {
        return Ok(Err(clash));
    }
    let t = now();
    let id: i64 = sqlx::query_scalar(if before.is_some() {
        "update sessions set event_id = $1, kind = $2, starts_at = $3, ends_at = $4, local_date = $5, room_id = $6, \
         capacity = $7, age_min = $8, age_max = $9, accompanied = $10, price_cents = $11, \
         registration_required = $12, attendance_mode = $13, online_url = $14, updated_at = $15, \
         sequence = sequence + 1 where id = $16 and library_id = $17 returning id"
    } else {
        "insert into sessions (event_id, kind, starts_at, ends_at, local_date, room_id, capacity, age_min, age_max, \
         accompanied, price_cents, registration_required, attendance_mode, online_url, updated_at, created_at, \
         library_id) select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $17 \
         where $16 = 0 returning id"
    })
    .bind(w.event_id)
    .bind(w.kind.slug())
    .bind(w.starts_at)
    .bind(w.ends_at)
    .bind(&w.local_date)
    .bind(w.room_id)
    .bind(w.capacity.map(i64::from))
    .bind(w.age_min.map(i64::from))
    .bind(w.age_max.map(i64::from))
    .bind(i64::from(w.accompanied))
    .bind(w.price_cents)
    .bind(i64::from(w.registration_required))
    .bind(w.attendance_mode.slug())
    .bind(&w.online_url)
    .bind(t)
    .bind(before.map_or(0, |b| b.id))
    .bind(actor.library_id)
    .fetch_one(&mut **tx)
    .await
    .map_err(classify)?;
    for (table, col, ids, owner) in [
        ("session_themes", "theme_id", &w.theme_ids, "themes"),
        ("session_speakers", "speaker_id", &w.speaker_ids, "speakers"),
        ("session_leads", "staff_id", &w.lead_ids, "staff"),
    ] {
        sqlx::query(&format!("delete from {table} where session_id = $1"))
            .bind(id)
            .execute(&mut **tx)
            .await?;
        for other in dedup(ids) {
            let n = sqlx::query(&format!(
                "insert into {table} (session_id, {col}) select $1, id from {owner} where id = $2 and library_id = $3"
            ))
            .bind(id)
            .bind(other)
            .bind(actor.library_id)
            .execute(&mut **tx)
            .await
            .map_err(classify)?;
            if n.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!(
                    "{col} {other} does not exist"
                )));
            }
        }
    }
    if let Some(b) =
        before.filter(|b| b.starts_at != w.starts_at && b.event_status == EventStatus::Published)
    {
        // The public saw the first start: keep it (schema.org's
        // previousStartDate) until the session moves back to it.
        sqlx::query(
            "update sessions set previous_starts_at = case when coalesce(previous_starts_at, $1) = $2 then null \
             else coalesce(previous_starts_at, $1) end where id = $3",
        )
        .bind(b.starts_at)
        .bind(w.starts_at)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    }
    if let Some(b) = before {
        // A larger capacity promotes waiting parties in this transaction.
        crate::registrations::after_session_saved(tx, actor, id).await?;
        if (b.starts_at, b.ends_at, b.room_id) != (w.starts_at, w.ends_at, w.room_id)
            && !b.is_cancelled()
        {
            let was = serde_json::json!({ "before": { "starts_at": b.starts_at, "ends_at": b.ends_at, "room": b.room_name } });
            crate::mail::on_session(tx, w.event_id, Some(id), MailKind::Changed, was).await?;
        }
    } else {
        // A new session receives its series' default technical needs.
        crate::logistics::after_session_created(tx, actor, id).await?;
    }
    let before_json = before.map(|b| serde_json::to_value(b).expect("serialises"));
    let after_json = serde_json::to_value(w).expect("serialises");
    let action = if before.is_some() { "update" } else { "create" };
    record(
        tx,
        actor,
        "session",
        id,
        action,
        before_json.as_ref(),
        Some(&after_json),
    )
    .await?;
    Ok(Ok(id))
}

fn dedup(ids: &[i64]) -> Vec<i64> {
    let mut v = ids.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

/// Refuses references to records of another library (or none).
async fn check_owned(tx: &mut Tx, table: &str, id: i64, library_id: i64) -> Result<()> {
    let n: i64 = sqlx::query_scalar(&format!(
        "select count(*) from {table} where id = $1 and library_id = $2"
    ))
    .bind(id)
    .bind(library_id)
    .fetch_one(&mut **tx)
    .await?;
    if n == 0 {
        Err(StoreError::Conflict(format!("{table} {id} does not exist")))
    } else {
        Ok(())
    }
}

/// Takes the room's row lock (PostgreSQL) — SQLite already holds the whole
/// write lock — then looks for a live session overlapping [start, end).
async fn lock_room_and_find_clash(
    tx: &mut Tx,
    library_id: i64,
    room_id: i64,
    start: i64,
    end: i64,
    except: Option<i64>,
) -> Result<Option<RoomClash>> {
    let n = sqlx::query(
        "update rooms set lock_version = lock_version + 1 where id = $1 and library_id = $2",
    )
    .bind(room_id)
    .bind(library_id)
    .execute(&mut **tx)
    .await?;
    if n.rows_affected() == 0 {
        return Err(StoreError::Conflict(format!(
            "room {room_id} does not exist"
        )));
    }
    let r = sqlx::query(
        "select s.id, e.title, s.starts_at, s.ends_at from sessions s join events e on e.id = s.event_id \
         where s.room_id = $1 and s.cancelled = 0 and e.status <> 'cancelled' and s.starts_at < $2 and s.ends_at > $3 \
         and s.id <> $4 order by s.starts_at limit 1",
    )
    .bind(room_id)
    .bind(end)
    .bind(start)
    .bind(except.unwrap_or(0))
    .fetch_optional(&mut **tx)
    .await?;
    r.map(|r| {
        Ok(RoomClash {
            session_id: r.try_get("id")?,
            event_title: r.try_get("title")?,
            starts_at: r.try_get("starts_at")?,
            ends_at: r.try_get("ends_at")?,
        })
    })
    .transpose()
}
