//! Technical needs and the IT department: this area's settings per
//! library, the catalogue of needs, each session's needs with their
//! comment thread, a series' default needs, the team's "tested without IT"
//! check, the IT board, readiness and the weekly digest. Due dates are
//! computed when read (see the migration), from the domain's rule.

use std::collections::HashMap;

use almanach_domain::calendar::OpeningHours;
use almanach_domain::collate::sort_by_name;
use almanach_domain::logistics::{
    DEFAULT_LEAD_DAYS, Deadline, ItCalendar, NeedStatus, Provider, Readiness, default_it_hours,
};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Actor, commit_saved, record};
use crate::{Result, Store, StoreError, Tx, classify, now};

/// A write the rules refused because the record is not where it must be
/// for it (a need already checked, a project already evaluated); holds
/// where it is, to tell the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused<T>(pub T);

fn bad(what: &str, v: &str) -> StoreError {
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

// ---------------------------------------------------------------- settings

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogisticsSettings {
    pub library_id: i64,
    /// IT's hours as text, one range per line.
    pub it_hours: String,
    pub it_lead_days: u32,
    pub postcode: String,
    pub mediators_see_costs: bool,
}

impl LogisticsSettings {
    pub fn hours(&self) -> OpeningHours {
        OpeningHours::parse(&self.it_hours).unwrap_or_else(|_| default_it_hours())
    }
}

/// The usual equipment of a digital mediation programme, given to a
/// library on first use; coordinators rename, add and retire types.
const CATALOGUE: &[(&str, Provider, &str)] = &[
    (
        "Vidéoprojecteur",
        Provider::It,
        "Avec câble HDMI et télécommande",
    ),
    ("Sonorisation", Provider::It, "Enceintes et table de mixage"),
    ("Micros", Provider::It, "Combien, avec ou sans fil"),
    (
        "Ordinateurs portables",
        Provider::It,
        "Combien, avec quels logiciels installés",
    ),
    (
        "Tablettes",
        Provider::It,
        "Combien, avec quelles applications",
    ),
    (
        "Comptes Wi-Fi invités",
        Provider::It,
        "Combien, pour quelle durée",
    ),
    (
        "Compte d'outil d'IA",
        Provider::It,
        "ChatGPT, MidJourney, HeyGen… : quel outil, quel forfait",
    ),
    (
        "Casques de réalité virtuelle",
        Provider::It,
        "Combien, chargés, applications installées",
    ),
    ("Imprimante 3D", Provider::Team, "Filament, fichiers prêts"),
    ("Kits robotiques", Provider::Team, "Combien, piles chargées"),
    (
        "Diffusion en ligne",
        Provider::It,
        "Plateforme, lien, caméra",
    ),
    (
        "Disposition de la salle",
        Provider::Team,
        "Tables en îlots, rangées, scène",
    ),
];

fn settings(r: &AnyRow) -> Result<LogisticsSettings> {
    Ok(LogisticsSettings {
        library_id: r.try_get("library_id")?,
        it_hours: r.try_get("it_hours")?,
        it_lead_days: r.try_get::<i64, _>("it_lead_days")? as u32,
        postcode: r.try_get("postcode")?,
        mediators_see_costs: r.try_get::<i64, _>("mediators_see_costs")? != 0,
    })
}

// ---------------------------------------------------------------- catalogue

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedType {
    pub id: i64,
    pub name: String,
    pub provider: Provider,
    pub hint: String,
    pub active: bool,
}

fn need_type(r: &AnyRow) -> Result<NeedType> {
    Ok(NeedType {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        provider: provider(&r.try_get::<String, _>("provider")?)?,
        hint: r.try_get("hint")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

// ---------------------------------------------------------------- needs

/// What a person sets on a need (a series' default needs have no due date).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedWrite {
    pub need_type_id: i64,
    pub quantity: u32,
    pub details: String,
    pub provider: Provider,
    pub due_override: Option<Date>,
}

/// A need as the audit trail keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct NeedRecord {
    session_id: i64,
    need_type_id: i64,
    quantity: u32,
    details: String,
    provider: Provider,
    due_override: Option<Date>,
    status: NeedStatus,
}

/// A session's need with its session, its due date and what the deadline
/// rule says about the session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Need {
    pub id: i64,
    pub session_id: i64,
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
    pub event_id: i64,
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

    fn record(&self) -> NeedRecord {
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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedComment {
    pub id: i64,
    pub author: String,
    pub body: String,
    /// The status the need moved to with this comment.
    pub status: Option<NeedStatus>,
    pub at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesNeed {
    pub id: i64,
    pub series_id: i64,
    pub need_type_id: i64,
    pub type_name: String,
    pub quantity: u32,
    pub details: String,
    pub provider: Provider,
}

/// A session's technical preparation: the rule's verdict, its needs, the
/// team's test without IT, and how ready it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionPrep {
    pub deadline: Deadline,
    pub needs: Vec<Need>,
    /// Who confirmed it works without IT, and when.
    pub tested_without_it: Option<(String, i64)>,
    pub readiness: Option<Readiness>,
}

impl SessionPrep {
    /// The team's test is asked for when IT is away and provides something.
    pub fn asks_test_without_it(&self) -> bool {
        self.deadline.without_it && self.needs.iter().any(|n| n.provider == Provider::It)
    }
}

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
    pub session_id: i64,
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

const NEED_SELECT: &str = "select n.*, t.name as type_name, s.event_id, s.starts_at, s.ends_at, s.cancelled, \
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

fn need(ctx: &ItContext, r: &AnyRow) -> Result<Need> {
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

/// Copies the series' default needs onto a session just created. Called
/// from `write_session` inside its transaction, so a session never exists
/// without them; each need created is audited.
pub(crate) async fn after_session_created(
    tx: &mut Tx,
    actor: &Actor,
    session_id: i64,
) -> Result<()> {
    let t = now();
    let rows = sqlx::query(
        "insert into session_needs (library_id, session_id, need_type_id, quantity, details, provider, status, \
         created_at, updated_at) select s.library_id, s.id, sn.need_type_id, sn.quantity, sn.details, sn.provider, \
         'requested', $2, $2 from sessions s join events e on e.id = s.event_id \
         join series_needs sn on sn.series_id = e.series_id where s.id = $1 order by sn.id \
         returning id, need_type_id, quantity, details, provider",
    )
    .bind(session_id)
    .bind(t)
    .fetch_all(&mut **tx)
    .await?;
    for r in rows {
        let after = NeedRecord {
            session_id,
            need_type_id: r.try_get("need_type_id")?,
            quantity: r.try_get::<i64, _>("quantity")? as u32,
            details: r.try_get("details")?,
            provider: provider(&r.try_get::<String, _>("provider")?)?,
            due_override: None,
            status: NeedStatus::Requested,
        };
        record(
            tx,
            actor,
            "need",
            r.try_get("id")?,
            "create",
            None,
            Some(&after),
        )
        .await?;
    }
    Ok(())
}

impl Store {
    // ------------------------------------------------------------ settings

    /// This area's settings, created with their defaults (and the
    /// library's catalogue of needs) on first use.
    pub async fn logistics_settings(&self, library_id: i64) -> Result<LogisticsSettings> {
        let select = "select * from library_logistics where library_id = $1";
        if let Some(r) = sqlx::query(select)
            .bind(library_id)
            .fetch_optional(self.pool())
            .await?
        {
            return settings(&r);
        }
        self.library(library_id).await?;
        let mut tx = self.write().await?;
        // Two first readers at once: the second inserts nothing, and seeds nothing.
        let created = sqlx::query(
            "insert into library_logistics (library_id, it_hours, it_lead_days) values ($1, $2, $3) \
             on conflict (library_id) do nothing",
        )
        .bind(library_id)
        .bind(default_it_hours().to_text())
        .bind(i64::from(DEFAULT_LEAD_DAYS))
        .execute(&mut *tx)
        .await?;
        if created.rows_affected() == 1 {
            for (name, provider, hint) in CATALOGUE {
                sqlx::query(
                    "insert into need_types (library_id, name, provider, hint) values ($1, $2, $3, $4) \
                     on conflict (library_id, name) do nothing",
                )
                .bind(library_id)
                .bind(*name)
                .bind(provider.slug())
                .bind(*hint)
                .execute(&mut *tx)
                .await?;
            }
        }
        let r = sqlx::query(select)
            .bind(library_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        settings(&r)
    }

    pub async fn save_logistics_settings(
        &self,
        actor: &Actor,
        new: &LogisticsSettings,
    ) -> Result<()> {
        let before = self.logistics_settings(actor.library_id).await?;
        let mut tx = self.write().await?;
        sqlx::query(
            "update library_logistics set it_hours = $1, it_lead_days = $2, postcode = $3, mediators_see_costs = $4 \
             where library_id = $5",
        )
        .bind(&new.it_hours)
        .bind(i64::from(new.it_lead_days))
        .bind(&new.postcode)
        .bind(i64::from(new.mediators_see_costs))
        .bind(actor.library_id)
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        let after = LogisticsSettings {
            library_id: actor.library_id,
            ..new.clone()
        };
        record(
            &mut tx,
            actor,
            "logistics_settings",
            actor.library_id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// IT's calendar (hours, the library's closing days, lead time) and the zone.
    pub async fn it_context(&self, library_id: i64) -> Result<ItContext> {
        let library = self.library(library_id).await?;
        let s = self.logistics_settings(library_id).await?;
        Ok(ItContext {
            calendar: ItCalendar::new(s.hours(), library.closing(), s.it_lead_days),
            tz: library.tz(),
        })
    }

    // ------------------------------------------------------------ catalogue

    /// The catalogue, active types first, by name.
    pub async fn need_types(&self, library_id: i64) -> Result<Vec<NeedType>> {
        self.logistics_settings(library_id).await?;
        let rows = sqlx::query("select * from need_types where library_id = $1 order by id")
            .bind(library_id)
            .fetch_all(self.pool())
            .await?;
        let mut all = rows.iter().map(need_type).collect::<Result<Vec<_>>>()?;
        sort_by_name(&mut all, |t| &t.name);
        // Stable: by name within active, then inactive.
        all.sort_by_key(|t| !t.active);
        Ok(all)
    }

    pub async fn need_type(&self, library_id: i64, id: i64) -> Result<NeedType> {
        let r = sqlx::query("select * from need_types where id = $1 and library_id = $2")
            .bind(id)
            .bind(library_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        need_type(&r)
    }

    /// Creates (`id == 0`) or updates a type; a taken name is a `Conflict`.
    pub async fn save_need_type(&self, actor: &Actor, new: &NeedType) -> Result<i64> {
        let before = if new.id == 0 {
            None
        } else {
            Some(self.need_type(actor.library_id, new.id).await?)
        };
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(if before.is_some() {
            "update need_types set name = $1, provider = $2, hint = $3, active = $4 where id = $5 and library_id = $6 \
             returning id"
        } else {
            "insert into need_types (name, provider, hint, active, library_id) select $1, $2, $3, $4, $6 \
             where $5 = 0 returning id"
        })
        .bind(&new.name)
        .bind(new.provider.slug())
        .bind(&new.hint)
        .bind(i64::from(new.active))
        .bind(before.as_ref().map_or(0, |b| b.id))
        .bind(actor.library_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let after = NeedType { id, ..new.clone() };
        commit_saved(tx, actor, "need_type", id, before.as_ref(), &after).await
    }

    // ------------------------------------------------------------ needs

    async fn needs_where(
        &self,
        ctx: &ItContext,
        cond: &str,
        library_id: i64,
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

    pub async fn need(&self, library_id: i64, id: i64) -> Result<Need> {
        let ctx = self.it_context(library_id).await?;
        self.needs_where(&ctx, "n.id = $2", library_id, &[id])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// A session's needs, the rule's verdict on it, the team's test without
    /// IT and its readiness today.
    pub async fn session_prep(
        &self,
        library_id: i64,
        session_id: i64,
        today: Date,
    ) -> Result<SessionPrep> {
        let ctx = self.it_context(library_id).await?;
        let (starts_at, ends_at): (i64, i64) = sqlx::query_as(
            "select starts_at, ends_at from sessions where id = $1 and library_id = $2",
        )
        .bind(session_id)
        .bind(library_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        let needs = self
            .needs_where(&ctx, "n.session_id = $2", library_id, &[session_id])
            .await?;
        let tested: Option<(String, i64)> = sqlx::query_as(
            "select checked_by, checked_at from it_free_checks where session_id = $1",
        )
        .bind(session_id)
        .fetch_optional(self.pool())
        .await?;
        let mut prep = SessionPrep {
            deadline: ctx.deadline(starts_at, ends_at),
            needs,
            tested_without_it: tested,
            readiness: None,
        };
        prep.readiness = readiness(&prep, today);
        Ok(prep)
    }

    /// Adds a need to a session of the library; an unknown type or session
    /// is `NotFound`.
    pub async fn add_need(&self, actor: &Actor, session_id: i64, w: &NeedWrite) -> Result<i64> {
        let mut tx = self.write().await?;
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "insert into session_needs (library_id, session_id, need_type_id, quantity, details, provider, \
             due_override, status, created_at, updated_at) select s.library_id, s.id, t.id, $4, $5, $6, $7, \
             'requested', $8, $8 from sessions s join need_types t on t.library_id = s.library_id \
             where s.id = $2 and s.library_id = $1 and t.id = $3 returning id",
        )
        .bind(actor.library_id)
        .bind(session_id)
        .bind(w.need_type_id)
        .bind(i64::from(w.quantity))
        .bind(&w.details)
        .bind(w.provider.slug())
        .bind(w.due_override.map(|d| d.to_string()))
        .bind(t)
        .fetch_optional(&mut *tx)
        .await
        .map_err(classify)?
        .ok_or(StoreError::NotFound)?;
        let after = NeedRecord {
            session_id,
            need_type_id: w.need_type_id,
            quantity: w.quantity,
            details: w.details.clone(),
            provider: w.provider,
            due_override: w.due_override,
            status: NeedStatus::Requested,
        };
        record(&mut tx, actor, "need", id, "create", None, Some(&after)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes what is asked; the status stays (it moves by `set_need_status`).
    pub async fn update_need(&self, actor: &Actor, id: i64, w: &NeedWrite) -> Result<()> {
        let before = self.need(actor.library_id, id).await?;
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "update session_needs set need_type_id = $1, quantity = $2, details = $3, provider = $4, \
             due_override = $5, updated_at = $6 where id = $7 and library_id = $8 \
             and exists (select 1 from need_types t where t.id = $1 and t.library_id = $8)",
        )
        .bind(w.need_type_id)
        .bind(i64::from(w.quantity))
        .bind(&w.details)
        .bind(w.provider.slug())
        .bind(w.due_override.map(|d| d.to_string()))
        .bind(now())
        .bind(id)
        .bind(actor.library_id)
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let after = NeedRecord {
            need_type_id: w.need_type_id,
            quantity: w.quantity,
            details: w.details.clone(),
            provider: w.provider,
            due_override: w.due_override,
            ..before.record()
        };
        record(
            &mut tx,
            actor,
            "need",
            id,
            "update",
            Some(&before.record()),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_need(&self, actor: &Actor, id: i64) -> Result<()> {
        let before = self.need(actor.library_id, id).await?;
        let mut tx = self.write().await?;
        sqlx::query("delete from session_needs where id = $1 and library_id = $2")
            .bind(id)
            .bind(actor.library_id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            "need",
            id,
            "delete",
            Some(&before.record()),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a need to `to` with an optional comment, when the domain
    /// allows that move from where it is. Compare-and-set on the status, so
    /// two people moving it at once cannot both succeed from the same state.
    pub async fn set_need_status(
        &self,
        actor: &Actor,
        id: i64,
        to: NeedStatus,
        comment: &str,
    ) -> Result<Result<(), Refused<NeedStatus>>> {
        let before = self.need(actor.library_id, id).await?;
        let mut tx = self.write().await?;
        let current: String = sqlx::query_scalar(
            "select status from session_needs where id = $1 and library_id = $2",
        )
        .bind(id)
        .bind(actor.library_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let from = NeedStatus::parse(&current).ok_or_else(|| bad("status", &current))?;
        if !from.may_become(to) {
            return Ok(Err(Refused(from)));
        }
        let t = now();
        let n = sqlx::query(
            "update session_needs set status = $1, updated_at = $2 where id = $3 and status = $4",
        )
        .bind(to.slug())
        .bind(t)
        .bind(id)
        .bind(from.slug())
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Ok(Err(Refused(from)));
        }
        insert_comment(&mut tx, actor, id, comment, Some(to), t).await?;
        let b = NeedRecord {
            status: from,
            ..before.record()
        };
        let after = NeedRecord {
            status: to,
            ..before.record()
        };
        record(&mut tx, actor, "need", id, "status", Some(&b), Some(&after)).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    pub async fn comment_need(&self, actor: &Actor, id: i64, body: &str) -> Result<()> {
        self.need(actor.library_id, id).await?;
        let mut tx = self.write().await?;
        insert_comment(&mut tx, actor, id, body, None, now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The thread, oldest first.
    pub async fn need_comments(&self, library_id: i64, need_id: i64) -> Result<Vec<NeedComment>> {
        let rows = sqlx::query(
            "select c.* from need_comments c join session_needs n on n.id = c.need_id \
             where c.need_id = $1 and n.library_id = $2 order by c.id",
        )
        .bind(need_id)
        .bind(library_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let status: Option<String> = r.try_get("status")?;
                Ok(NeedComment {
                    id: r.try_get("id")?,
                    author: r.try_get("author")?,
                    body: r.try_get("body")?,
                    status: status
                        .map(|s| NeedStatus::parse(&s).ok_or_else(|| bad("status", &s)))
                        .transpose()?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    /// Records (or withdraws) the team's test of a session without IT.
    pub async fn set_tested_without_it(
        &self,
        actor: &Actor,
        session_id: i64,
        tested: bool,
    ) -> Result<()> {
        self.session(actor.library_id, session_id).await?;
        let mut tx = self.write().await?;
        sqlx::query("delete from it_free_checks where session_id = $1")
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        if tested {
            sqlx::query("insert into it_free_checks (session_id, checked_by, checked_at) values ($1, $2, $3)")
                .bind(session_id)
                .bind(&actor.label)
                .bind(now())
                .execute(&mut *tx)
                .await?;
        }
        let action = if tested {
            "tested_without_it"
        } else {
            "untested_without_it"
        };
        record::<()>(&mut tx, actor, "session", session_id, action, None, None).await?;
        tx.commit().await?;
        Ok(())
    }

    // ------------------------------------------------------------ series defaults

    pub async fn series_needs(&self, library_id: i64, series_id: i64) -> Result<Vec<SeriesNeed>> {
        let rows = sqlx::query(
            "select sn.*, t.name as type_name from series_needs sn join need_types t on t.id = sn.need_type_id \
             join series se on se.id = sn.series_id where sn.series_id = $1 and se.library_id = $2 order by sn.id",
        )
        .bind(series_id)
        .bind(library_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SeriesNeed {
                    id: r.try_get("id")?,
                    series_id: r.try_get("series_id")?,
                    need_type_id: r.try_get("need_type_id")?,
                    type_name: r.try_get("type_name")?,
                    quantity: r.try_get::<i64, _>("quantity")? as u32,
                    details: r.try_get("details")?,
                    provider: provider(&r.try_get::<String, _>("provider")?)?,
                })
            })
            .collect()
    }

    pub async fn add_series_need(
        &self,
        actor: &Actor,
        series_id: i64,
        w: &NeedWrite,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "insert into series_needs (series_id, need_type_id, quantity, details, provider) \
             select se.id, t.id, $4, $5, $6 from series se join need_types t on t.library_id = se.library_id \
             where se.id = $2 and se.library_id = $1 and t.id = $3 returning id",
        )
        .bind(actor.library_id)
        .bind(series_id)
        .bind(w.need_type_id)
        .bind(i64::from(w.quantity))
        .bind(&w.details)
        .bind(w.provider.slug())
        .fetch_optional(&mut *tx)
        .await
        .map_err(classify)?
        .ok_or(StoreError::NotFound)?;
        let after = NeedWrite {
            due_override: None,
            ..w.clone()
        };
        record(
            &mut tx,
            actor,
            "series",
            series_id,
            "add_need",
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn delete_series_need(&self, actor: &Actor, series_id: i64, id: i64) -> Result<()> {
        let before = self
            .series_needs(actor.library_id, series_id)
            .await?
            .into_iter()
            .find(|n| n.id == id);
        let before = before.ok_or(StoreError::NotFound)?;
        let mut tx = self.write().await?;
        sqlx::query("delete from series_needs where id = $1 and series_id = $2")
            .bind(id)
            .bind(series_id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            "series",
            series_id,
            "remove_need",
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ------------------------------------------------------------ board, readiness, digest

    /// Every need of live sessions from today on, by due date (then by
    /// session), filtered; late ones are those due before `today`.
    pub async fn it_board(
        &self,
        library_id: i64,
        f: &BoardFilter,
        today: Date,
    ) -> Result<Vec<Need>> {
        let ctx = self.it_context(library_id).await?;
        let from = day_start(&ctx.tz, today);
        let mut needs = self
            .needs_where(
                &ctx,
                "s.ends_at > $2 and s.cancelled = 0 and e.status <> 'cancelled'",
                library_id,
                &[from],
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
        library_id: i64,
        from: i64,
        to: i64,
        today: Date,
    ) -> Result<HashMap<i64, Readiness>> {
        let ctx = self.it_context(library_id).await?;
        let live = "s.starts_at >= $2 and s.starts_at < $3 and s.cancelled = 0 and e.status <> 'cancelled'";
        let needs = self
            .needs_where(&ctx, live, library_id, &[from, to])
            .await?;
        let tested: Vec<(i64, String, i64)> = sqlx::query_as(
            "select c.session_id, c.checked_by, c.checked_at from it_free_checks c join sessions s on s.id = c.session_id \
             where s.library_id = $1 and s.starts_at >= $2 and s.starts_at < $3",
        )
        .bind(library_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        let mut by_session: HashMap<i64, SessionPrep> = HashMap::new();
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
    pub async fn it_digest(&self, library_id: i64, today: Date) -> Result<Digest> {
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

/// A session's readiness: its needs, plus the team's test without IT when
/// asked for (due on IT's last day before it).
fn readiness(p: &SessionPrep, today: Date) -> Option<Readiness> {
    let test = p.asks_test_without_it().then(|| {
        let status = if p.tested_without_it.is_some() {
            NeedStatus::Checked
        } else {
            NeedStatus::Requested
        };
        (status, p.deadline.last_it_day)
    });
    Readiness::of_session(p.needs.iter().map(|n| (n.status, n.due)).chain(test), today)
}

/// The instant a library-local day begins.
fn day_start(tz: &TimeZone, d: Date) -> i64 {
    d.to_zoned(tz.clone())
        .map(|z| z.timestamp().as_second())
        .unwrap_or_default()
}

async fn insert_comment(
    tx: &mut Tx,
    actor: &Actor,
    need_id: i64,
    body: &str,
    status: Option<NeedStatus>,
    at: i64,
) -> Result<()> {
    sqlx::query("insert into need_comments (need_id, staff_id, author, body, status, at) values ($1, $2, $3, $4, $5, $6)")
        .bind(need_id)
        .bind(actor.staff_id)
        .bind(&actor.label)
        .bind(body)
        .bind(status.map(|s| s.slug()))
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
