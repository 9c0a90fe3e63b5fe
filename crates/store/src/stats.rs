//! Statistics queries: a period's sessions added up in SQL per series name
//! (a network's libraries with a series of the same name add up together),
//! then turned into report rows by the domain. Only sessions that took
//! place count: begun by now, neither cancelled nor of a cancelled event.
//! A season over is read from its summaries (migration 0007), a library's
//! or the network's, rebuilt here first when triggers marked them stale;
//! other periods, and a season in progress (to date), add up their sessions.

use almanach_domain::ids::LibraryId;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

use almanach_domain::stats::{Period, Report, StatsRow, Tally, ThemeFigures, merge_themes};
use jiff::civil::Date;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::{Backend, Result, Store, StoreError, Tx, now};

/// Which sessions a report covers.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// One library, or (None) every library of the installation.
    pub library_id: Option<LibraryId>,
    /// Only the series of this name.
    pub series: Option<&'a str>,
}

impl Scope<'static> {
    /// Every series of one library.
    pub fn library(id: LibraryId) -> Scope<'static> {
        Scope {
            library_id: Some(id),
            series: None,
        }
    }
}

/// The shared FROM and WHERE, and the values to bind in order: built as
/// text so each query carries only the conditions it needs (a generic
/// "$n is null or …" would keep PostgreSQL from using the date index).
/// The sessions that took place: begun by now ($3), not cancelled.
pub(crate) fn filter(scope: Scope<'_>, period: &Period, extra_join: &str) -> (String, Vec<Value>) {
    let mut sql = format!(
        " from sessions s join events e on e.id = s.event_id left join series se on se.id = e.series_id {extra_join} \
         where s.local_date >= $1 and s.local_date <= $2 and s.starts_at <= $3 and s.cancelled = 0 and e.status <> 'cancelled'"
    );
    let mut args = vec![
        Value::S(period.from().to_string()),
        Value::S(period.to().to_string()),
        Value::I(now()),
    ];
    if let Some(lib) = scope.library_id {
        args.push(Value::I(lib.get()));
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

/// The figures SQL adds up for a group of sessions `s`: each one's column
/// in the season summaries, and its aggregate. One list for the three uses
/// (adding up sessions, rebuilding a summary, adding up summaries) so they
/// cannot drift apart. `cost_cents` is the sessions' own cost column only:
/// cost lines and tools' shares are added from `Store::session_costs`,
/// the one computation of what a session cost (costs.rs).
const FIGURES: [(&str, &str); 13] = [
    ("events", "count(distinct s.event_id)"),
    ("sessions", "count(*)"),
    ("talks", "sum(case when s.kind = 'talk' then 1 else 0 end)"),
    (
        "workshops",
        "sum(case when s.kind = 'workshop' then 1 else 0 end)",
    ),
    (
        "appointments",
        "sum(case when s.kind = 'appointment' then 1 else 0 end)",
    ),
    ("participants", "coalesce(sum(s.participants), 0)"),
    ("under_14", "coalesce(sum(s.under_14), 0)"),
    (
        "uncounted",
        "sum(case when s.participants is null then 1 else 0 end)",
    ),
    (
        "counted_talks",
        "sum(case when s.kind = 'talk' and s.participants is not null then 1 else 0 end)",
    ),
    (
        "talk_participants",
        "coalesce(sum(case when s.kind = 'talk' then s.participants end), 0)",
    ),
    (
        "counted_workshops",
        "sum(case when s.kind = 'workshop' and s.participants is not null then 1 else 0 end)",
    ),
    (
        "workshop_participants",
        "coalesce(sum(case when s.kind = 'workshop' then s.participants end), 0)",
    ),
    ("cost_cents", "coalesce(sum(s.cost_cents), 0)"),
];

/// `FIGURES` as a select list, each aggregate through `wrap`. PostgreSQL's
/// sum() of a bigint is numeric: every figure is cast back.
fn figures(wrap: impl Fn(&str, &str) -> String) -> String {
    FIGURES
        .iter()
        .map(|(col, expr)| format!("cast({} as bigint) as {col}", wrap(col, expr)))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn tally(r: &AnyRow) -> Result<Tally> {
    let get = |col: &str| r.try_get::<i64, _>(col);
    Ok(Tally {
        events: get("events")?,
        sessions: get("sessions")?,
        talks: get("talks")?,
        workshops: get("workshops")?,
        appointments: get("appointments")?,
        participants: get("participants")?,
        under_14: get("under_14")?,
        uncounted_sessions: get("uncounted")?,
        counted_talks: get("counted_talks")?,
        talk_participants: get("talk_participants")?,
        counted_workshops: get("counted_workshops")?,
        workshop_participants: get("workshop_participants")?,
        cost_cents: get("cost_cents")?,
    })
}

/// `FIGURES` added up over sessions `s`, the cost left at 0: the breakdowns
/// (`breakdown.rs`) take each group's share of the allocated costs instead.
pub(crate) fn tally_columns() -> String {
    FIGURES
        .iter()
        .map(|(col, expr)| match *col {
            "cost_cents" => "cast(0 as bigint) as cost_cents".to_string(),
            _ => format!("cast({expr} as bigint) as {col}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A season's summaries over `scope`: the FROM and WHERE on `table` aliased `r`.
fn summary_filter(scope: Scope<'_>, season: i16, table: &str) -> (String, Vec<Value>) {
    let mut sql = format!(" from {table} r where r.season = $1");
    let mut args = vec![Value::I(i64::from(season))];
    if let Some(lib) = scope.library_id {
        args.push(Value::I(lib.get()));
        sql.push_str(&format!(" and r.library_id = ${}", args.len()));
    }
    if let Some(name) = scope.series {
        args.push(Value::S(name.to_string()));
        sql.push_str(&format!(" and r.series = ${}", args.len()));
    }
    (sql, args)
}

/// The seasons kept in summaries: those `Period::parse_season` accepts.
const SUMMARISED: RangeInclusive<i16> = 1900..=2999;

/// Library seasons rebuilt per transaction: a writer waits for one batch at most.
const REBUILD_BATCH: i64 = 200;

impl Store {
    /// The report of `period` over `scope`: a row per series, the total,
    /// and with `compare` the previous period's report and the changes.
    /// A period not over yet counts what took place so far, and compares
    /// with the same dates of the previous period (`Period::so_far`).
    pub async fn report(&self, scope: Scope<'_>, period: &Period, compare: bool) -> Result<Report> {
        let so_far = period.so_far(self.today(scope).await?);
        let mut report = self.report_of(scope, period, so_far).await?;
        if compare {
            let cut = so_far.map(|c| period.previous_to_date(c));
            let previous = self.report_of(scope, &period.previous(), cut).await?;
            report.compare_with(previous);
        }
        Ok(report)
    }

    /// Today where the scope's sessions take place: the library's time
    /// zone, Europe/Paris for a network.
    pub async fn today(&self, scope: Scope<'_>) -> Result<Date> {
        let tz = match scope.library_id {
            Some(id) => match self.library(id).await {
                Ok(l) => l.tz(),
                Err(StoreError::NotFound) => almanach_domain::calendar::paris(),
                Err(e) => return Err(e),
            },
            None => almanach_domain::calendar::paris(),
        };
        Ok(jiff::Timestamp::from_second(now())
            .expect("the clock reads a valid instant")
            .to_zoned(tz)
            .date())
    }

    /// The reports of the seasons `seasons` (starting years), oldest first:
    /// season against season, for the review's trend.
    pub async fn trend(
        &self,
        scope: Scope<'_>,
        seasons: RangeInclusive<i16>,
    ) -> Result<Vec<Report>> {
        let today = self.today(scope).await?;
        let mut out = Vec::new();
        for year in seasons {
            let season = Period::Season(year);
            out.push(self.report_of(scope, &season, season.so_far(today)).await?);
        }
        Ok(out)
    }

    /// The report of `period`, counting only the dates of `so_far` when the
    /// period is not over.
    async fn report_of(
        &self,
        scope: Scope<'_>,
        period: &Period,
        so_far: Option<Period>,
    ) -> Result<Report> {
        let counted = so_far.unwrap_or(*period);
        // A season over reads its summaries, a library's or the network's;
        // other periods, and a season so far, add up their sessions.
        let (tallies, themes) = match counted {
            Period::Season(year) if SUMMARISED.contains(&year) => {
                let (seasons, themes) = match scope.library_id {
                    Some(_) => {
                        self.refresh_library_seasons().await?;
                        ("report_seasons", "report_season_themes")
                    }
                    None => {
                        self.refresh_season_summaries().await?;
                        ("report_network_seasons", "report_network_themes")
                    }
                };
                let (from, args) = summary_filter(scope, year, seasons);
                let sums = figures(|col, _| format!("sum(r.{col})"));
                let tallies = (
                    format!("select r.series as series, {sums}{from} group by r.series"),
                    args,
                );
                let (from, args) = summary_filter(scope, year, themes);
                let sql = format!(
                    "select r.series as series, r.theme as theme, cast(sum(r.sessions) as bigint) as sessions, \
                     cast(sum(r.participants) as bigint) as participants{from} group by r.series, r.theme"
                );
                (tallies, (sql, args))
            }
            _ => {
                let (from, args) = filter(scope, &counted, "");
                let sums = figures(|_, expr| expr.to_string());
                let tallies = (
                    format!("select se.name as series, {sums}{from} group by se.name"),
                    args,
                );
                let (from, args) = filter(
                    scope,
                    &counted,
                    "join session_themes st on st.session_id = s.id join themes t on t.id = st.theme_id",
                );
                let sql = format!(
                    "select se.name as series, t.title as theme, count(*) as sessions, \
                     cast(coalesce(sum(s.participants), 0) as bigint) as participants{from} group by se.name, t.title"
                );
                (tallies, (sql, args))
            }
        };
        let mut groups: BTreeMap<Option<String>, (Tally, Vec<ThemeFigures>)> = BTreeMap::new();
        for r in fetch(self, &tallies.0, tallies.1).await? {
            groups.entry(r.try_get("series")?).or_default().0 = tally(&r)?;
        }
        for r in fetch(self, &themes.0, themes.1).await? {
            let f = ThemeFigures {
                theme: r.try_get("theme")?,
                sessions: r.try_get("sessions")?,
                participants: r.try_get("participants")?,
            };
            groups.entry(r.try_get("series")?).or_default().1.push(f);
        }
        // The sums above hold the sessions' own cost column; cost lines and
        // tools' shares are added here (costs.rs), only read when there are any.
        for (series, cents) in self.extra_costs_by_series(scope, &counted).await? {
            if let Some(g) = groups.get_mut(&series) {
                g.0.cost_cents += cents;
            }
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
            to_date: so_far.map(|p| p.dates()),
            label: period.label(),
            series,
            total: StatsRow::build(None, &total, &all_themes),
            previous: None,
        })
    }

    /// Brings every season summary up to date: the library seasons that
    /// triggers marked stale (migration 0007), then the network seasons
    /// those changed; returns how many library seasons were rebuilt.
    /// Season reports do it first; after a bulk load it is worth calling
    /// once on its own.
    pub async fn refresh_season_summaries(&self) -> Result<i64> {
        let rebuilt = self.refresh_library_seasons().await?;
        self.refresh_network_seasons().await?;
        Ok(rebuilt)
    }

    /// Rebuilds the stale library seasons from their sessions, a batch per
    /// transaction, and marks their network seasons stale.
    async fn refresh_library_seasons(&self) -> Result<i64> {
        let columns = FIGURES.map(|(col, _)| col).join(", ");
        let sessions = "from sessions s join events e on e.id = s.event_id left join series se on se.id = e.series_id";
        let only = "s.library_id = $1 and s.local_date >= $3 and s.local_date <= $4 and s.cancelled = 0 and e.status <> 'cancelled'";
        let seasons = format!(
            "insert into report_seasons (library_id, season, series, {columns}) select $1, $2, se.name, {} {sessions} \
             where {only} group by se.name",
            FIGURES.map(|(_, expr)| expr).join(", ")
        );
        let themes = format!(
            "insert into report_season_themes (library_id, season, series, theme, sessions, participants) \
             select $1, $2, se.name, t.title, count(*), coalesce(sum(s.participants), 0) {sessions} \
             join session_themes st on st.session_id = s.id join themes t on t.id = st.theme_id \
             where {only} group by se.name, t.title"
        );
        let mut rebuilt = 0;
        while let Some(mut tx) = self.stale("report_stale").await? {
            let keys: Vec<(i64, i64)> = sqlx::query_as(
                "select library_id, season from report_stale order by library_id, season limit $1",
            )
            .bind(REBUILD_BATCH)
            .fetch_all(&mut *tx)
            .await?;
            // One library season at a time, by the (library, date) index:
            // a season after a head count is rebuilt in a few milliseconds.
            for &(lib, season) in &keys {
                for table in ["report_seasons", "report_season_themes", "report_stale"] {
                    sqlx::query(&format!(
                        "delete from {table} where library_id = $1 and season = $2"
                    ))
                    .bind(lib)
                    .bind(season)
                    .execute(&mut *tx)
                    .await?;
                }
                // A season reports do not read from summaries (a date in year 9999) has nothing to rebuild.
                let Some(year) = i16::try_from(season)
                    .ok()
                    .filter(|y| SUMMARISED.contains(y))
                else {
                    continue;
                };
                let (from, to) = (
                    Period::Season(year).from().to_string(),
                    Period::Season(year).to().to_string(),
                );
                for sql in [&seasons, &themes] {
                    sqlx::query(sql)
                        .bind(lib)
                        .bind(season)
                        .bind(&from)
                        .bind(&to)
                        .execute(&mut *tx)
                        .await?;
                }
                sqlx::query(
                    "insert into report_network_stale (season) values ($1) on conflict do nothing",
                )
                .bind(season)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            rebuilt += keys.len() as i64;
        }
        Ok(rebuilt)
    }

    /// Rebuilds the stale network seasons from the libraries' summaries
    /// (a few tens of milliseconds each for a thousand libraries).
    async fn refresh_network_seasons(&self) -> Result<()> {
        let columns = FIGURES.map(|(col, _)| col).join(", ");
        let sums = FIGURES.map(|(col, _)| format!("sum({col})")).join(", ");
        let statements = [
            "delete from report_network_seasons where season = $1".to_string(),
            "delete from report_network_themes where season = $1".to_string(),
            "delete from report_network_stale where season = $1".to_string(),
            format!(
                "insert into report_network_seasons (season, series, {columns}) select $1, series, {sums} \
                 from report_seasons where season = $1 group by series"
            ),
            "insert into report_network_themes (season, series, theme, sessions, participants) \
             select $1, series, theme, sum(sessions), sum(participants) from report_season_themes where season = $1 \
             group by series, theme"
                .to_string(),
        ];
        if let Some(mut tx) = self.stale("report_network_stale").await? {
            let seasons: Vec<i64> = sqlx::query_scalar("select season from report_network_stale")
                .fetch_all(&mut *tx)
                .await?;
            for season in seasons {
                for sql in &statements {
                    sqlx::query(sql).bind(season).execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// A write transaction when `table` holds stale marks, None otherwise
    /// (a read with nothing stale takes no lock). On PostgreSQL the table
    /// is locked: that waits for the writers that marked something to
    /// commit (what they wrote is then visible here) and holds new marks
    /// back until the rebuild commits, so no mark is lost. SQLite's
    /// `BEGIN IMMEDIATE` already serialises the rebuild with writers.
    async fn stale(&self, table: &str) -> Result<Option<Tx>> {
        let any: Option<i64> = sqlx::query_scalar(&format!("select season from {table} limit 1"))
            .fetch_optional(self.pool())
            .await?;
        if any.is_none() {
            return Ok(None);
        }
        let mut tx = self.write().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query(&format!("lock table {table} in exclusive mode"))
                .execute(&mut *tx)
                .await?;
        }
        Ok(Some(tx))
    }
}
