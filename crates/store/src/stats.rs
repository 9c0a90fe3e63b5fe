//! Statistics queries: a period's sessions added up in SQL per series name
//! (a network's libraries with a series of the same name add up together),
//! then turned into report rows by the domain. Cancelled sessions, and
//! sessions of cancelled events, are left out.

use std::collections::BTreeMap;

use almanach_domain::stats::{Period, Report, StatsRow, Tally, ThemeFigures, merge_themes};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Result, Store};

/// Which sessions a report covers.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// One library, or (None) every library of the installation.
    pub library_id: Option<i64>,
    /// Only the series of this name.
    pub series: Option<&'a str>,
}

/// The shared FROM and WHERE, and the values to bind in order: built as
/// text so each query carries only the conditions it needs (a generic
/// "$n is null or …" would keep PostgreSQL from using the date index).
pub(crate) fn filter(scope: Scope<'_>, period: &Period, extra_join: &str) -> (String, Vec<Value>) {
    let mut sql = format!(
        " from sessions s join events e on e.id = s.event_id left join series se on se.id = e.series_id {extra_join} \
         where s.local_date >= $1 and s.local_date <= $2 and s.cancelled = 0 and e.status <> 'cancelled'"
    );
    let mut args = vec![Value::S(period.from().to_string()), Value::S(period.to().to_string())];
    if let Some(lib) = scope.library_id {
        args.push(Value::I(lib));
        sql.push_str(&format!(" and s.library_id = ${}", args.len()));
    }
    if let Some(name) = scope.series {
        args.push(Value::S(name.to_string()));
        sql.push_str(&format!(" and se.name = ${}", args.len()));
    }
    (sql, args)
}

pub(crate) enum Value {
    I(i64),
    S(String),
}

pub(crate) async fn fetch(store: &Store, sql: &str, args: Vec<Value>) -> Result<Vec<AnyRow>> {
    let mut q = sqlx::query(sql);
    for a in args {
        q = match a {
            Value::I(i) => q.bind(i),
            Value::S(s) => q.bind(s),
        };
    }
    Ok(q.fetch_all(store.pool()).await?)
}

/// What SQL adds up for a group of sessions, after the group's key.
/// PostgreSQL's sum() of a bigint is numeric: every sum is cast back.
pub(crate) const TALLY_COLUMNS: &str = "count(distinct s.event_id) as events, count(*) as sessions, \
     cast(sum(case when s.kind = 'talk' then 1 else 0 end) as bigint) as talks, \
     cast(sum(case when s.kind = 'workshop' then 1 else 0 end) as bigint) as workshops, \
     cast(sum(case when s.kind = 'appointment' then 1 else 0 end) as bigint) as appointments, \
     cast(coalesce(sum(s.participants), 0) as bigint) as participants, \
     cast(coalesce(sum(s.under_14), 0) as bigint) as under_14, \
     cast(sum(case when s.participants is null then 1 else 0 end) as bigint) as uncounted, \
     cast(sum(case when s.kind = 'talk' and s.participants is not null then 1 else 0 end) as bigint) as counted_talks, \
     cast(coalesce(sum(case when s.kind = 'talk' then s.participants end), 0) as bigint) as talk_participants, \
     cast(sum(case when s.kind = 'workshop' and s.participants is not null then 1 else 0 end) as bigint) as counted_workshops, \
     cast(coalesce(sum(case when s.kind = 'workshop' then s.participants end), 0) as bigint) as workshop_participants";

/// A `Tally` from a row holding `TALLY_COLUMNS` (costs added apart).
pub(crate) fn tally(r: &AnyRow) -> Result<Tally> {
    Ok(Tally {
        events: r.try_get("events")?,
        sessions: r.try_get("sessions")?,
        talks: r.try_get("talks")?,
        workshops: r.try_get("workshops")?,
        appointments: r.try_get("appointments")?,
        participants: r.try_get("participants")?,
        under_14: r.try_get("under_14")?,
        uncounted_sessions: r.try_get("uncounted")?,
        counted_talks: r.try_get("counted_talks")?,
        talk_participants: r.try_get("talk_participants")?,
        counted_workshops: r.try_get("counted_workshops")?,
        workshop_participants: r.try_get("workshop_participants")?,
        cost_cents: 0,
    })
}

impl Store {
    /// The report of `period` over `scope`: a row per series, the total,
    /// and with `compare` the previous period's report and the changes.
    pub async fn report(&self, scope: Scope<'_>, period: &Period, compare: bool) -> Result<Report> {
        let mut report = self.report_of(scope, period).await?;
        if compare {
            let previous = self.report_of(scope, &period.previous()).await?;
            report.compare_with(previous);
        }
        Ok(report)
    }

    async fn report_of(&self, scope: Scope<'_>, period: &Period) -> Result<Report> {
        let mut groups: BTreeMap<Option<String>, (Tally, Vec<ThemeFigures>)> = BTreeMap::new();
        let (from, args) = filter(scope, period, "");
        let sql = format!("select se.name as series, {TALLY_COLUMNS}{from} group by se.name");
        for r in fetch(self, &sql, args).await? {
            groups.entry(r.try_get("series")?).or_default().0 = tally(&r)?;
        }
        for (series, cents) in self.costs(scope, period).await? {
            groups.entry(series).or_default().0.cost_cents = cents;
        }
        let (from, args) = filter(scope, period, "join session_themes st on st.session_id = s.id join themes t on t.id = st.theme_id");
        let sql = format!(
            "select se.name as series, t.title as theme, count(*) as sessions, \
             cast(coalesce(sum(s.participants), 0) as bigint) as participants{from} group by se.name, t.title"
        );
        for r in fetch(self, &sql, args).await? {
            let f = ThemeFigures { theme: r.try_get("theme")?, sessions: r.try_get("sessions")?, participants: r.try_get("participants")? };
            groups.entry(r.try_get("series")?).or_default().1.push(f);
        }
        let mut total = Tally::default();
        let mut series = Vec::new();
        for (name, (tally, themes)) in &groups {
            total += *tally;
            if let Some(name) = name {
                series.push(StatsRow::build(Some(name.clone()), tally, themes));
            }
        }
        let all_themes = merge_themes(groups.values().flat_map(|(_, t)| t));
        Ok(Report {
            period: period.dates(),
            label: period.label(),
            series,
            total: StatsRow::build(None, &total, &all_themes),
            previous: None,
        })
    }

    /// Costs per series, in cents: the one place the report reads costs
    /// (legacy column, cost lines, tools' shares: see `costs.rs`).
    async fn costs(&self, scope: Scope<'_>, period: &Period) -> Result<Vec<(Option<String>, i64)>> {
        self.costs_by_series(scope, period).await
    }
}
