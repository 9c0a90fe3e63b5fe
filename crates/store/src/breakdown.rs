//! The statistics dashboard's queries, beside the report's: a period's
//! sessions added up per series, kind, theme, theme category, room, speaker
//! or staff lead; the figures beyond the report (fill rate, registered
//! against present, replays); and the trend of several seasons or years.
//! Aggregation happens in SQL, over the same filter as the report; costs
//! are each session's allocated cost (costs.rs), split exactly.

use std::collections::HashMap;

use almanach_domain::programme::THEME_CATEGORIES;
use almanach_domain::stats::{Dimension, Extras, Period, Tally};
use jiff::civil::date;
use sqlx::Row;

use crate::stats::{fetch, filter, tally, tally_columns};
use crate::{Result, Scope, Store};

/// One line of a breakdown: its key as people read it (a series' name, a
/// kind's slug, a category's slug…; None for sessions without one) and its
/// sums. Its cost is its share of the allocated cost of its sessions
/// (`Store::session_costs`, split by `costs::split_among`): the lines'
/// costs add up to the report's total, to the cent.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub key: Option<String>,
    pub tally: Tally,
}

/// How many seasons (or years) the trend shows, the period's included.
pub const TREND_LENGTH: i16 = 5;

/// The trend's buckets: seasons, or calendar years for a year's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Season,
    Year,
}

impl Bucket {
    /// The bucket of an ISO local date, in SQL: a season starts on 1 September.
    fn sql(self) -> &'static str {
        match self {
            Bucket::Season => {
                "cast(substr(s.local_date, 1, 4) as bigint) - case when substr(s.local_date, 6, 2) < '09' then 1 else 0 end"
            }
            Bucket::Year => "cast(substr(s.local_date, 1, 4) as bigint)",
        }
    }
}

/// A dimension's groups in SQL: the joins (left joins, so sessions without
/// any still count, under a None key), the group's key as people read it,
/// and its id, which orders a session's groups when its cost is split.
/// Categories are matched in Rust (`Store::members`).
pub(crate) fn grouping(by: Dimension) -> (&'static str, &'static str, &'static str) {
    match by {
        Dimension::Series => ("", "se.name", "e.series_id"),
        Dimension::Kind => ("", "s.kind", "s.id"),
        Dimension::Room => (
            "left join rooms ro on ro.id = s.room_id",
            "ro.name",
            "ro.id",
        ),
        Dimension::Theme | Dimension::Category => (
            "left join session_themes st on st.session_id = s.id left join themes t on t.id = st.theme_id",
            "t.title",
            "t.id",
        ),
        Dimension::Speaker => (
            "left join session_speakers ss on ss.session_id = s.id left join speakers sp on sp.id = ss.speaker_id",
            "sp.name",
            "sp.id",
        ),
        Dimension::Lead => (
            "left join session_leads sl on sl.session_id = s.id left join staff m on m.id = sl.staff_id",
            "m.name",
            "m.id",
        ),
    }
}

/// A theme's categories (comma-separated) matched against the fixed list,
/// in SQL: both databases name a VALUES list's column `column1`.
fn category_values() -> String {
    THEME_CATEGORIES
        .iter()
        .map(|c| format!("('{c}')"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// The period's sessions that took place, added up by `by`, most
    /// participants first, the line of sessions without any last.
    pub async fn breakdown(
        &self,
        scope: Scope<'_>,
        period: &Period,
        by: Dimension,
    ) -> Result<Vec<Line>> {
        let mut lines = match by {
            Dimension::Category => self.by_category(scope, period).await?,
            _ => {
                let (join, key, _) = grouping(by);
                let (from, args) = filter(scope, period, join);
                let tally_columns = tally_columns();
                let sql = format!("select {key} as k, {tally_columns}{from} group by {key}");
                lines(fetch(self, &sql, args).await?)?
            }
        };
        let mut costs = self.costs_by(scope, period, by).await?;
        for l in &mut lines {
            l.tally.cost_cents = costs.remove(&l.key).unwrap_or(0);
        }
        // The same sessions in the same groups: nothing is left, but a
        // cost never drops out of the sum.
        lines.extend(costs.into_iter().map(|(key, cents)| Line {
            key,
            tally: Tally {
                cost_cents: cents,
                ..Tally::default()
            },
        }));
        lines.sort_by(|a, b| {
            (a.key.is_none().cmp(&b.key.is_none()))
                .then_with(|| b.tally.participants.cmp(&a.tally.participants))
                .then_with(|| a.key.cmp(&b.key))
        });
        Ok(lines)
    }

    /// A session counts once in each category of its themes, however many
    /// of its themes share it; sessions with no category are a line apart.
    /// Categories are a fixed list, matched in the comma-separated
    /// `themes.categories`.
    async fn by_category(&self, scope: Scope<'_>, period: &Period) -> Result<Vec<Line>> {
        let values = category_values();
        let join = format!(
            "join (values {values}) c on exists (select 1 from session_themes st join themes t on t.id = st.theme_id \
             where st.session_id = s.id and (',' || t.categories || ',') like ('%,' || c.column1 || ',%'))"
        );
        let (from, args) = filter(scope, period, &join);
        let tally_columns = tally_columns();
        let sql = format!("select c.column1 as k, {tally_columns}{from} group by c.column1");
        let mut out = lines(fetch(self, &sql, args).await?)?;
        let (from, args) = filter(scope, period, "");
        let sql = format!(
            "select {tally_columns}{from} and not exists (select 1 from session_themes st join themes t on t.id = st.theme_id \
             join (values {values}) c on (',' || t.categories || ',') like ('%,' || c.column1 || ',%') where st.session_id = s.id)"
        );
        // Without any such session the sums are null: no line.
        if let Some(r) = fetch(self, &sql, args).await?.first()
            && r.try_get::<i64, _>("sessions")? > 0
        {
            out.push(Line {
                key: None,
                tally: tally(r)?,
            });
        }
        Ok(out)
    }

    /// Seats filled, registered against present, and replays over the period.
    pub async fn extras(&self, scope: Scope<'_>, period: &Period) -> Result<Extras> {
        let (from, args) = filter(scope, period, "");
        let sql = format!(
            "select cast(coalesce(sum(case when s.capacity is not null then s.participants end), 0) as bigint) as filled, \
             cast(coalesce(sum(case when s.capacity is not null and s.participants is not null then s.capacity end), 0) as bigint) as seats, \
             cast(coalesce(sum(case when s.present is not null then s.registered end), 0) as bigint) as registered, \
             cast(coalesce(sum(case when s.registered is not null then s.present end), 0) as bigint) as present{from}"
        );
        let r = fetch(self, &sql, args).await?.into_iter().next();
        let mut e = Extras::default();
        if let Some(r) = r {
            e.filled = r.try_get("filled")?;
            e.seats = r.try_get("seats")?;
            e.registered = r.try_get("registered")?;
            e.present = r.try_get("present")?;
        }
        // A replay: a session of the period on a theme some earlier
        // session (of any series) already gave.
        let (from, args) = filter(
            scope,
            period,
            "join session_themes st on st.session_id = s.id",
        );
        let sql = format!(
            "select count(distinct s.id) as replays, count(distinct st.theme_id) as themes{from} and exists (\
             select 1 from session_themes st2 join sessions s2 on s2.id = st2.session_id \
             where st2.theme_id = st.theme_id and s2.local_date < $1 and s2.cancelled = 0)"
        );
        if let Some(r) = fetch(self, &sql, args).await?.into_iter().next() {
            e.replays = r.try_get("replays")?;
            e.replayed_themes = r.try_get("themes")?;
        }
        Ok(e)
    }

    /// The sums of the `TREND_LENGTH` seasons (or years) up to the one
    /// `period` ends in, oldest first; each bucket once, empty ones as zeros.
    pub async fn attendance_trend(
        &self,
        scope: Scope<'_>,
        period: &Period,
        bucket: Bucket,
    ) -> Result<Vec<(i16, Tally)>> {
        let end = period.to();
        let last = match bucket {
            Bucket::Season if end.month() < 9 => end.year() - 1,
            _ => end.year(),
        };
        let first = last - (TREND_LENGTH - 1);
        let start = match bucket {
            Bucket::Season => date(first, 9, 1),
            Bucket::Year => date(first, 1, 1),
        };
        let span = Period::Range {
            from: start,
            to: end,
        };
        let (from, args) = filter(scope, &span, "");
        let key = bucket.sql();
        let tally_columns = tally_columns();
        let sql = format!("select {key} as k, {tally_columns}{from} group by {key}");
        let mut found = Vec::new();
        for r in fetch(self, &sql, args).await? {
            found.push((r.try_get::<i64, _>("k")? as i16, tally(&r)?));
        }
        // Costs as everywhere: each session's allocated cost, by bucket.
        let costs = self
            .session_costs(
                scope.library_id,
                &span.from().to_string(),
                &span.to().to_string(),
            )
            .await?;
        let (from, args) = filter(scope, &span, "");
        let mut by_bucket: HashMap<i16, i64> = HashMap::new();
        for r in fetch(self, &format!("select s.id, {key} as k{from}"), args).await? {
            *by_bucket
                .entry(r.try_get::<i64, _>("k")? as i16)
                .or_default() += costs.get(&r.try_get::<i64, _>("id")?).copied().unwrap_or(0);
        }
        for (k, t) in &mut found {
            t.cost_cents = by_bucket.get(k).copied().unwrap_or(0);
        }
        Ok((first..=last)
            .map(|y| {
                (
                    y,
                    found
                        .iter()
                        .find(|(k, _)| *k == y)
                        .map(|(_, t)| *t)
                        .unwrap_or_default(),
                )
            })
            .collect())
    }
}

fn lines(rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<Line>> {
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(Line {
                key: r.try_get("k")?,
                tally: tally(r)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    out.sort_by(|a, b| {
        b.tally
            .participants
            .cmp(&a.tally.participants)
            .then_with(|| match (&a.key, &b.key) {
                (Some(x), Some(y)) => almanach_domain::collate::compare(x, y),
                (x, y) => x.cmp(y),
            })
    });
    Ok(out)
}
