//! A need as every logistics file reads it: the select, the row mapper
//! that dates it by the domain's rule, the record the audit trail keeps,
//! and the column readers of this area. The area's leaf.

use almanach_domain::ids::{EventId, LibraryId, SessionId};
use almanach_domain::logistics::{Deadline, ItCalendar, NeedStatus, Provider, Readiness};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store, StoreError};

/// A write the rules refused because the record is not where it must be
/// for it (a need already checked, a project already evaluated); holds
/// where it is, to tell the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused<T>(pub T);

pub(crate) fn bad(what: &str, v: &str) -> StoreError {
    StoreError::Unusable(format!("unknown {what} {v:?} in database"))
}

pub(crate) fn provider(v: &str) -> Result<Provider> {
    Provider::parse(v).ok_or_else(|| bad("provider", v))
}

pub(crate) fn opt_date(v: Option<String>) -> Result<Option<Date>> {
    v.filter(|s| !s.is_empty())
        .map(|s| s.parse::<Date>().map_err(|_| bad("date", &s)))
        .transpose()
}

/// A need as the audit trail keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(super) struct NeedRecord {
    pub(super) session_id: SessionId,
    pub(super) need_type_id: i64,
    pub(super) quantity: u32,
    pub(super) details: String,
    pub(super) provider: Provider,
    pub(super) due_override: Option<Date>,
    pub(super) status: NeedStatus,
}

/// A session's need with its session, its due date and what the deadline
/// rule says about the session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Need {
    pub id: i64,
    pub session_id: SessionId,
    pub need_type_id: i64,
    pub type_name: String,
    pub quantity: u32,
    pub details: String,
    pub provider: Provider,
    pub status: NeedStatus,
    /// The override when set, otherwise the rule's: for IT, `lead_days` IT
    /// working days before; for the others, the session's day.
    pub due: Date,
    pub due_override: Option<Date>,
    pub event_id: EventId,
    pub event_title: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub room_name: Option<String>,
    pub session_cancelled: bool,
    /// The session is one IT does not attend.
    pub without_it: bool,
    pub comments: i64,
}

impl Need {
    pub fn readiness(&self, today: Date) -> Readiness {
        Readiness::of_need(self.status, self.due, today)
    }

    pub(super) fn record(&self) -> NeedRecord {
        NeedRecord {
            session_id: self.session_id,
            need_type_id: self.need_type_id,
            quantity: self.quantity,
            details: self.details.clone(),
            provider: self.provider,
            due_override: self.due_override,
            status: self.status,
        }
    }
}

pub(super) const NEED_SELECT: &str = "select n.*, t.name as type_name, s.event_id, s.starts_at, s.ends_at, s.cancelled, \
     e.title as event_title, e.status as event_status, r.name as room_name, \
     (select count(*) from need_comments c where c.need_id = n.id) as n_comments \
     from session_needs n join need_types t on t.id = n.need_type_id join sessions s on s.id = n.session_id \
     join events e on e.id = s.event_id left join rooms r on r.id = s.room_id";

/// What the rule needs to date a library's needs: IT's calendar and the zone.
#[derive(Debug, Clone)]
pub struct ItContext {
    pub calendar: ItCalendar,
    pub tz: TimeZone,
}

impl ItContext {
    /// The rule applied to a session stored as instants.
    pub fn deadline(&self, starts_at: i64, ends_at: i64) -> Deadline {
        let at = |t: i64| {
            jiff::Timestamp::from_second(t)
                .unwrap_or_default()
                .to_zoned(self.tz.clone())
        };
        let (a, b) = (at(starts_at), at(ends_at));
        self.calendar.deadline(a.date(), a.time(), b.time())
    }

    fn session_day(&self, starts_at: i64) -> Date {
        jiff::Timestamp::from_second(starts_at)
            .unwrap_or_default()
            .to_zoned(self.tz.clone())
            .date()
    }
}

pub(super) fn need(ctx: &ItContext, r: &AnyRow) -> Result<Need> {
    let status: String = r.try_get("status")?;
    let starts_at: i64 = r.try_get("starts_at")?;
    let ends_at: i64 = r.try_get("ends_at")?;
    let provider = provider(&r.try_get::<String, _>("provider")?)?;
    let due_override = opt_date(r.try_get("due_override")?)?;
    let deadline = ctx.deadline(starts_at, ends_at);
    let rule = if provider == Provider::It {
        deadline.due
    } else {
        ctx.session_day(starts_at)
    };
    let event_status: String = r.try_get("event_status")?;
    Ok(Need {
        id: r.try_get("id")?,
        session_id: r.try_get("session_id")?,
        need_type_id: r.try_get("need_type_id")?,
        type_name: r.try_get("type_name")?,
        quantity: r.try_get::<i64, _>("quantity")? as u32,
        details: r.try_get("details")?,
        provider,
        status: NeedStatus::parse(&status).ok_or_else(|| bad("status", &status))?,
        due: due_override.unwrap_or(rule),
        due_override,
        event_id: r.try_get("event_id")?,
        event_title: r.try_get("event_title")?,
        starts_at,
        ends_at,
        room_name: r.try_get("room_name")?,
        session_cancelled: r.try_get::<i64, _>("cancelled")? != 0 || event_status == "cancelled",
        without_it: deadline.without_it,
        comments: r.try_get("n_comments")?,
    })
}

impl Store {
    /// The library's needs matching `cond` (`$1` is the library, `args`
    /// follow), in session order.
    pub(super) async fn needs_where(
        &self,
        ctx: &ItContext,
        cond: &str,
        library_id: LibraryId,
        args: &[i64],
    ) -> Result<Vec<Need>> {
        let sql =
            format!("{NEED_SELECT} where n.library_id = $1 and {cond} order by s.starts_at, n.id");
        let mut q = sqlx::query(&sql).bind(library_id);
        for a in args {
            q = q.bind(*a);
        }
        let rows = q.fetch_all(self.pool()).await?;
        rows.iter().map(|r| need(ctx, r)).collect()
    }
}
