//! The statistics dashboard's queries, beside the report's: a period's
//! sessions added up per series, kind, theme, theme category, room, speaker
//! or staff lead; the figures beyond the report (fill rate, registered
//! against present, replays); and the trend of several seasons or years.
//! Aggregation happens in SQL, over the same filter as the report.

use almanach_domain::programme::THEME_CATEGORIES;
use almanach_domain::stats::{Dimension, Extras, Period, Tally};
use jiff::civil::date;
use sqlx::Row;

use crate::stats::{fetch, filter, tally, tally_columns};
use crate::{Result, Scope, Store};

/// One line of a breakdown: its key as people read it (a series' name, a
/// kind's slug, a category's slug…; None for sessions without one) and its sums.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub key: Option<String>,
    pub tally: Tally,
}

/// The costs of a group, in cents. The report reads costs through
/// `Store::costs`; when costs come as lines, both change together.
const COST: &str = "cast(coalesce(sum(s.cost_cents), 0) as bigint) as cost_cents";

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

impl Store {
    /// The period's sessions added up by `by`, most participants first.
    pub async fn breakdown(
        &self,
        scope: Scope<'_>,
        period: &Period,
        by: Dimension,
    ) -> Result<Vec<Line>> {
        let (join, key) = match by {
            Dimension::Series => ("", "se.name"),
            Dimension::Kind => ("", "s.kind"),
            Dimension::Room => ("left join rooms ro on ro.id = s.room_id", "ro.name"),
            Dimension::Theme => (
                "join session_themes st on st.session_id = s.id join themes t on t.id = st.theme_id",
                "t.title",
            ),
            Dimension::Speaker => (
                "join session_speakers ss on ss.session_id = s.id join speakers sp on sp.id = ss.speaker_id",
                "sp.name",
            ),
            Dimension::Lead => (
                "join session_leads sl on sl.session_id = s.id join staff m on m.id = sl.staff_id",
                "m.name",
            ),
            Dimension::Category => return self.by_category(scope, period).await,
        };
        let (from, args) = filter(scope, period, join);
        let tally_columns = tally_columns();
        let sql = format!("select {key} as k, {tally_columns}, {COST}{from} group by {key}");
        lines(fetch(self, &sql, args).await?)
    }

    /// A session counts once in each category of its themes, however many
    /// of its themes share it. Categories are a fixed list, matched in the
    /// comma-separated `themes.categories`.
    async fn by_category(&self, scope: Scope<'_>, period: &Period) -> Result<Vec<Line>> {
        let values = THEME_CATEGORIES
            .iter()
            .map(|c| format!("('{c}')"))
            .collect::<Vec<_>>()
            .join(", ");
        // Both databases name a VALUES list's column `column1`.
        let join = format!(
            "join (values {values}) c on exists (select 1 from session_themes st join themes t on t.id = st.theme_id \
             where st.session_id = s.id and (',' || t.categories || ',') like ('%,' || c.column1 || ',%'))"
        );
        let (from, args) = filter(scope, period, &join);
        let tally_columns = tally_columns();
        let sql =
            format!("select c.column1 as k, {tally_columns}, {COST}{from} group by c.column1");
        lines(fetch(self, &sql, args).await?)
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
        let sql = format!("select {key} as k, {tally_columns}, {COST}{from} group by {key}");
        let mut found = Vec::new();
        for r in fetch(self, &sql, args).await? {
            let mut t = tally(&r)?;
            t.cost_cents = r.try_get("cost_cents")?;
            found.push((r.try_get::<i64, _>("k")? as i16, t));
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
            let mut t = tally(r)?;
            t.cost_cents = r.try_get("cost_cents")?;
            Ok(Line {
                key: r.try_get("k")?,
                tally: t,
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
