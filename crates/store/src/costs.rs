//! Costs: tools and subscriptions, cost lines per session, budgets per
//! series and season, and what each session cost — the one figure the
//! report, every breakdown, the budgets and the speakers' records read
//! (docs/decisions/0009 and 0014).

use almanach_domain::ids::{LibraryId, SessionId};
use std::collections::HashMap;

use almanach_domain::collate::sort_by_name;
use almanach_domain::costs::{Billing, CostKind, per_participant_cents, split_among, spread};
use almanach_domain::programme::THEME_CATEGORIES;
use almanach_domain::stats::{Dimension, Period};
use jiff::civil::date;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Actor, commit_saved, record};
use crate::breakdown::grouping;
use crate::stats::{Scope, Value, fetch, filter};
use crate::{Result, Store, StoreError, Tx, classify};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tool {
    pub id: i64,
    pub name: String,
    pub provider: String,
    pub plan: String,
    /// Per billing period.
    pub cost_cents: i64,
    pub billing: Billing,
    pub seats: Option<i64>,
    /// YYYY-MM-DD.
    pub renewal_on: Option<String>,
    pub owner_id: Option<i64>,
    pub notes: String,
    pub theme_ids: Vec<i64>,
    pub session_ids: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostLine {
    pub id: i64,
    pub session_id: SessionId,
    pub kind: CostKind,
    pub cents: i64,
    pub note: String,
}

/// A series' budget in a season, planned against spent.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub series_id: i64,
    pub series: String,
    pub planned_cents: Option<i64>,
    pub spent_cents: i64,
}

/// What a speaker's sessions that took place cost (their share when they
/// shared a session with other speakers) and how many came: the speaker's
/// line of the breakdown by speaker, over all time.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SpeakerCost {
    pub cents: i64,
    pub participants: i64,
}

impl SpeakerCost {
    /// Rounded by the one rule (`costs::per_participant_cents`).
    pub fn per_participant_cents(&self) -> Option<i64> {
        per_participant_cents(self.cents, self.participants)
    }
}

/// Every date a report can name: the speakers' records cover all time.
pub const ALL_TIME: Period = Period::Range {
    from: date(1900, 1, 1),
    to: date(2999, 12, 31),
};

/// A session's place in one group of a breakdown: the group's id (which
/// orders a session's groups when its cost is split) and key, None when
/// the session has none; and the session's participants.
struct Member {
    session: i64,
    id: Option<i64>,
    key: Option<String>,
    participants: i64,
}

/// A share of a session's cost given to one group (None: the sessions in no group).
struct Share {
    id: Option<i64>,
    key: Option<String>,
    cents: i64,
}

/// Each session's cost split between its groups (`split_among`), in the
/// order of their ids: the shares of a session add up to its cost.
fn shares(costs: &HashMap<i64, i64>, members: Vec<Member>) -> Vec<Share> {
    let mut by_session: std::collections::BTreeMap<i64, Vec<(i64, Option<String>)>> =
        Default::default();
    for m in members {
        let groups = by_session.entry(m.session).or_default();
        if let Some(id) = m.id {
            groups.push((id, m.key));
        }
    }
    let mut out = Vec::new();
    for (session, mut groups) in by_session {
        groups.sort_by_key(|(id, _)| *id);
        groups.dedup_by_key(|(id, _)| *id);
        let cents = costs.get(&session).copied().unwrap_or(0);
        for (group, share) in split_among(cents, &groups) {
            let (id, key) = group.map_or((None, None), |(id, key)| (Some(id), key));
            out.push(Share {
                id,
                key,
                cents: share,
            });
        }
    }
    out
}

/// The first and last day of a season "2025-2026".
pub fn season_dates(season: &str) -> Option<(String, String)> {
    let (a, b) = season.split_once('-')?;
    let (a, b): (i32, i32) = (a.parse().ok()?, b.parse().ok()?);
    (b == a + 1 && (1900..3000).contains(&a)).then(|| (format!("{a}-09-01"), format!("{b}-08-31")))
}

fn tool(r: &AnyRow) -> Result<Tool> {
    Ok(Tool {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        provider: r.try_get("provider")?,
        plan: r.try_get("plan")?,
        cost_cents: r.try_get("cost_cents")?,
        billing: Billing::parse(&r.try_get::<String, _>("billing")?).unwrap_or(Billing::Monthly),
        seats: r.try_get("seats")?,
        renewal_on: r.try_get("renewal_on")?,
        owner_id: r.try_get("owner_id")?,
        notes: r.try_get("notes")?,
        theme_ids: vec![],
        session_ids: vec![],
    })
}

/// Sessions not cancelled (nor their event) between two dates, shared by
/// every cost query so they all count the same sessions.
const LIVE: &str = "join events e on e.id = s.event_id where s.cancelled = 0 and e.status <> 'cancelled' \
                    and s.local_date >= $1 and s.local_date <= $2";

impl Store {
    // ---------------------------------------------------------------- tools

    pub async fn tools(&self, library_id: LibraryId) -> Result<Vec<Tool>> {
        let rows = sqlx::query("select * from tools where library_id = $1 order by id")
            .bind(library_id)
            .fetch_all(self.pool())
            .await?;
        let mut tools = rows.iter().map(tool).collect::<Result<Vec<_>>>()?;
        sort_by_name(&mut tools, |t| &t.name);
        for t in &mut tools {
            self.tool_links(t).await?;
        }
        Ok(tools)
    }

    pub async fn tool(&self, library_id: LibraryId, id: i64) -> Result<Tool> {
        let r = sqlx::query("select * from tools where id = $1 and library_id = $2")
            .bind(id)
            .bind(library_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        let mut t = tool(&r)?;
        self.tool_links(&mut t).await?;
        Ok(t)
    }

    async fn tool_links(&self, t: &mut Tool) -> Result<()> {
        t.theme_ids = sqlx::query_scalar(
            "select theme_id from tool_themes where tool_id = $1 order by theme_id",
        )
        .bind(t.id)
        .fetch_all(self.pool())
        .await?;
        t.session_ids = sqlx::query_scalar(
            "select session_id from tool_sessions where tool_id = $1 order by session_id",
        )
        .bind(t.id)
        .fetch_all(self.pool())
        .await?;
        Ok(())
    }

    /// Creates (`id` 0) or updates a tool with its themes and sessions,
    /// which must be the library's own.
    pub async fn save_tool(&self, actor: &Actor, t: &Tool) -> Result<i64> {
        let before = if t.id == 0 {
            None
        } else {
            Some(self.tool(actor.library_id, t.id).await?)
        };
        let mut tx = self.write().await?;
        let id = if let Some(b) = &before {
            sqlx::query(
                "update tools set name = $1, provider = $2, plan = $3, cost_cents = $4, billing = $5, seats = $6, \
                 renewal_on = $7, owner_id = $8, notes = $9 where id = $10",
            )
            .bind(&t.name)
            .bind(&t.provider)
            .bind(&t.plan)
            .bind(t.cost_cents)
            .bind(t.billing.slug())
            .bind(t.seats)
            .bind(&t.renewal_on)
            .bind(t.owner_id)
            .bind(&t.notes)
            .bind(b.id)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
            b.id
        } else {
            sqlx::query_scalar(
                "insert into tools (library_id, name, provider, plan, cost_cents, billing, seats, renewal_on, owner_id, notes) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
            )
            .bind(actor.library_id)
            .bind(&t.name)
            .bind(&t.provider)
            .bind(&t.plan)
            .bind(t.cost_cents)
            .bind(t.billing.slug())
            .bind(t.seats)
            .bind(&t.renewal_on)
            .bind(t.owner_id)
            .bind(&t.notes)
            .fetch_one(&mut *tx)
            .await
            .map_err(classify)?
        };
        sqlx::query("delete from tool_themes where tool_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("delete from tool_sessions where tool_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for theme in &t.theme_ids {
            own(&mut tx, "themes", *theme, actor.library_id).await?;
            sqlx::query("insert into tool_themes (tool_id, theme_id) values ($1, $2)")
                .bind(id)
                .bind(theme)
                .execute(&mut *tx)
                .await
                .map_err(classify)?;
        }
        for session in &t.session_ids {
            own(&mut tx, "sessions", *session, actor.library_id).await?;
            sqlx::query("insert into tool_sessions (tool_id, session_id) values ($1, $2)")
                .bind(id)
                .bind(session)
                .execute(&mut *tx)
                .await
                .map_err(classify)?;
        }
        let after = Tool { id, ..t.clone() };
        commit_saved(tx, actor, "tool", id, before.as_ref(), &after).await
    }

    pub async fn delete_tool(&self, actor: &Actor, id: i64) -> Result<()> {
        let before = self.tool(actor.library_id, id).await?;
        let mut tx = self.write().await?;
        sqlx::query("delete from tools where id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        record(&mut tx, actor, "tool", id, "delete", Some(&before), None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Tools renewing between `today` and 30 days later (YYYY-MM-DD).
    pub async fn renewals_due(
        &self,
        library_id: LibraryId,
        today: &str,
        in_30_days: &str,
    ) -> Result<Vec<Tool>> {
        let rows = sqlx::query("select * from tools where library_id = $1 and renewal_on >= $2 and renewal_on <= $3 order by renewal_on")
            .bind(library_id)
            .bind(today)
            .bind(in_30_days)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(tool).collect()
    }

    /// The tools ticked for a session (those reaching it through a theme
    /// are not listed: they follow the theme).
    pub async fn session_tools(&self, session_id: SessionId) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "select tool_id from tool_sessions where session_id = $1 order by tool_id",
        )
        .bind(session_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn set_session_tools(
        &self,
        actor: &Actor,
        session_id: SessionId,
        tool_ids: &[i64],
    ) -> Result<()> {
        let before = self.session_tools(session_id).await?;
        let mut ids = tool_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut tx = self.write().await?;
        own(&mut tx, "sessions", session_id, actor.library_id).await?;
        sqlx::query("delete from tool_sessions where session_id = $1")
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        for tool in &ids {
            own(&mut tx, "tools", *tool, actor.library_id).await?;
            sqlx::query("insert into tool_sessions (tool_id, session_id) values ($1, $2)")
                .bind(tool)
                .bind(session_id)
                .execute(&mut *tx)
                .await
                .map_err(classify)?;
        }
        record(
            &mut tx,
            actor,
            "session_tools",
            session_id,
            "update",
            Some(&before),
            Some(&ids),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ----------------------------------------------------------- cost lines

    pub async fn cost_lines(&self, session_id: SessionId) -> Result<Vec<CostLine>> {
        let rows = sqlx::query("select * from cost_lines where session_id = $1 order by id")
            .bind(session_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| {
                Ok(CostLine {
                    id: r.try_get("id")?,
                    session_id: r.try_get("session_id")?,
                    kind: CostKind::parse(&r.try_get::<String, _>("kind")?)
                        .unwrap_or(CostKind::Other),
                    cents: r.try_get("cents")?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }

    pub async fn add_cost_line(&self, actor: &Actor, line: &CostLine) -> Result<i64> {
        let mut tx = self.write().await?;
        own(&mut tx, "sessions", line.session_id, actor.library_id).await?;
        let id: i64 = sqlx::query_scalar("insert into cost_lines (session_id, kind, cents, note) values ($1, $2, $3, $4) returning id")
            .bind(line.session_id)
            .bind(line.kind.slug())
            .bind(line.cents)
            .bind(&line.note)
            .fetch_one(&mut *tx)
            .await
            .map_err(classify)?;
        record(
            &mut tx,
            actor,
            "cost_line",
            id,
            "create",
            None,
            Some(&CostLine { id, ..line.clone() }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn delete_cost_line(
        &self,
        actor: &Actor,
        session_id: SessionId,
        id: i64,
    ) -> Result<()> {
        let line = self
            .cost_lines(session_id)
            .await?
            .into_iter()
            .find(|l| l.id == id)
            .ok_or(StoreError::NotFound)?;
        let mut tx = self.write().await?;
        own(&mut tx, "sessions", session_id, actor.library_id).await?;
        sqlx::query("delete from cost_lines where id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record(&mut tx, actor, "cost_line", id, "delete", Some(&line), None).await?;
        tx.commit().await?;
        Ok(())
    }

    // -------------------------------------------------------------- budgets

    /// Every series of the library with its budget and spending in `season`.
    pub async fn budgets(&self, library_id: LibraryId, season: &str) -> Result<Vec<Budget>> {
        let (from, to) = season_dates(season).ok_or(StoreError::NotFound)?;
        let costs = self.session_costs(Some(library_id), &from, &to).await?;
        let rows = sqlx::query(
            "select se.id, se.name, b.planned_cents from series se \
             left join budgets b on b.series_id = se.id and b.season = $1 where se.library_id = $2 order by se.id",
        )
        .bind(season)
        .bind(library_id)
        .fetch_all(self.pool())
        .await?;
        let sessions = sqlx::query(&format!(
            "select s.id, e.series_id from sessions s {LIVE} and s.library_id = $3"
        ))
        .bind(&from)
        .bind(&to)
        .bind(library_id)
        .fetch_all(self.pool())
        .await?;
        let mut spent: HashMap<i64, i64> = HashMap::new();
        for r in &sessions {
            if let Some(series) = r.try_get::<Option<i64>, _>("series_id")? {
                *spent.entry(series).or_default() +=
                    costs.get(&r.try_get::<i64, _>("id")?).copied().unwrap_or(0);
            }
        }
        let mut all = rows
            .iter()
            .map(|r| {
                let series_id: i64 = r.try_get("id")?;
                Ok(Budget {
                    series_id,
                    series: r.try_get("name")?,
                    planned_cents: r.try_get("planned_cents")?,
                    spent_cents: spent.get(&series_id).copied().unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        sort_by_name(&mut all, |b| &b.series);
        Ok(all)
    }

    pub async fn set_budget(
        &self,
        actor: &Actor,
        series_id: i64,
        season: &str,
        planned_cents: i64,
    ) -> Result<()> {
        season_dates(season).ok_or(StoreError::NotFound)?;
        let mut tx = self.write().await?;
        own(&mut tx, "series", series_id, actor.library_id).await?;
        let before: Option<i64> = sqlx::query_scalar(
            "select planned_cents from budgets where series_id = $1 and season = $2",
        )
        .bind(series_id)
        .bind(season)
        .fetch_optional(&mut *tx)
        .await?;
        let sql = if before.is_some() {
            "update budgets set planned_cents = $3 where series_id = $1 and season = $2"
        } else {
            "insert into budgets (series_id, season, planned_cents) values ($1, $2, $3)"
        };
        sqlx::query(sql)
            .bind(series_id)
            .bind(season)
            .bind(planned_cents)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        let trace =
            |c: Option<i64>| c.map(|c| serde_json::json!({ "season": season, "planned_cents": c }));
        record(
            &mut tx,
            actor,
            "budget",
            series_id,
            "update",
            trace(before).as_ref(),
            trace(Some(planned_cents)).as_ref(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ------------------------------------------------------- what it costs

    /// What each live session between `from` and `to` (YYYY-MM-DD) cost,
    /// in cents: the legacy `cost_cents` column (imported history), its cost
    /// lines, and its share of the tools it used. A tool's month is spread
    /// over every session that used it that month, so the months touched
    /// are read whole even when the range cuts them.
    pub async fn session_costs(
        &self,
        library_id: Option<LibraryId>,
        from: &str,
        to: &str,
    ) -> Result<HashMap<i64, i64>> {
        let lib = if library_id.is_some() {
            " and s.library_id = $3"
        } else {
            ""
        };
        let args = |a: String, b: String| {
            let mut v = vec![Value::S(a), Value::S(b)];
            v.extend(library_id.map(|l| Value::I(l.get())));
            v
        };
        let direct = format!(
            "select s.id, coalesce(s.cost_cents, 0) + cast(coalesce((select sum(c.cents) from cost_lines c where c.session_id = s.id), 0) as bigint) as cents \
             from sessions s {LIVE}{lib}"
        );
        let mut costs = HashMap::new();
        for r in fetch(self, &direct, args(from.to_string(), to.to_string())).await? {
            costs.insert(r.try_get::<i64, _>("id")?, r.try_get::<i64, _>("cents")?);
        }
        let (month_from, month_to) = (
            format!("{}-01", &from[..7.min(from.len())]),
            format!("{}-31", &to[..7.min(to.len())]),
        );
        let usage = format!(
            "select t.id as tool, t.cost_cents, t.billing, s.id as session, s.local_date from tools t \
             join sessions s on s.library_id = t.library_id {LIVE}{lib} and (\
             exists (select 1 from tool_sessions ts where ts.tool_id = t.id and ts.session_id = s.id) or \
             exists (select 1 from tool_themes tt join session_themes st on st.theme_id = tt.theme_id \
                     where tt.tool_id = t.id and st.session_id = s.id)) \
             order by t.id, s.local_date, s.id"
        );
        let rows = fetch(self, &usage, args(month_from, month_to)).await?;
        // (tool, month) -> the month's price and its sessions, by id.
        let mut months: std::collections::BTreeMap<(i64, String), (i64, Vec<i64>)> =
            Default::default();
        for r in &rows {
            let date: String = r.try_get("local_date")?;
            let month: i8 = date.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
            let billing =
                Billing::parse(&r.try_get::<String, _>("billing")?).unwrap_or(Billing::Monthly);
            let price = billing.month_share(r.try_get("cost_cents")?, month);
            let e = months
                .entry((r.try_get("tool")?, date[..7].to_string()))
                .or_insert((price, vec![]));
            e.1.push(r.try_get("session")?);
        }
        for (price, mut sessions) in months.into_values() {
            sessions.sort_unstable();
            for (session, share) in sessions.iter().zip(spread(price, sessions.len())) {
                // Sessions of the month outside the range keep their share out.
                if let Some(c) = costs.get_mut(session) {
                    *c += share;
                }
            }
        }
        Ok(costs)
    }

    /// The groups of `by` each session of the period belongs to (one row per
    /// session and group; a session in none has one row without a group).
    async fn members(
        &self,
        scope: Scope<'_>,
        period: &Period,
        by: Dimension,
    ) -> Result<Vec<Member>> {
        let (join, key, id) = grouping(by);
        let (from, args) = filter(scope, period, join);
        let categories = if by == Dimension::Category {
            "t.categories"
        } else {
            "''"
        };
        let sql = format!(
            "select s.id as session, {id} as gid, {key} as k, {categories} as cats, coalesce(s.participants, 0) as p{from}"
        );
        let mut out = Vec::new();
        for r in fetch(self, &sql, args).await? {
            let session: i64 = r.try_get("session")?;
            let participants: i64 = r.try_get("p")?;
            if by == Dimension::Category {
                // A theme's categories, each of the fixed list it names.
                let cats: Option<String> = r.try_get("cats")?;
                let cats = cats.unwrap_or_default();
                let mut any = false;
                for (i, c) in THEME_CATEGORIES.iter().enumerate() {
                    if cats.split(',').any(|x| x == *c) {
                        any = true;
                        out.push(Member {
                            session,
                            id: Some(i as i64),
                            key: Some(c.to_string()),
                            participants,
                        });
                    }
                }
                if !any {
                    out.push(Member {
                        session,
                        id: None,
                        key: None,
                        participants,
                    });
                }
                continue;
            }
            out.push(Member {
                session,
                id: r.try_get("gid")?,
                key: r.try_get("k")?,
                participants,
            });
        }
        Ok(out)
    }

    /// The allocated cost of the period's sessions per group of `by`: each
    /// session's cost split between its groups, None for sessions in none.
    /// The values add up to the report's total cost, to the cent.
    pub(crate) async fn costs_by(
        &self,
        scope: Scope<'_>,
        period: &Period,
        by: Dimension,
    ) -> Result<HashMap<Option<String>, i64>> {
        let costs = self
            .session_costs(
                scope.library_id,
                &period.from().to_string(),
                &period.to().to_string(),
            )
            .await?;
        let mut out: HashMap<Option<String>, i64> = HashMap::new();
        for s in shares(&costs, self.members(scope, period, by).await?) {
            *out.entry(s.key).or_default() += s.cents;
        }
        Ok(out)
    }

    /// Costs per series name over a report's scope and period.
    pub(crate) async fn costs_by_series(
        &self,
        scope: Scope<'_>,
        period: &Period,
    ) -> Result<Vec<(Option<String>, i64)>> {
        let costs = self
            .session_costs(
                scope.library_id,
                &period.from().to_string(),
                &period.to().to_string(),
            )
            .await?;
        let (from, args) = filter(scope, period, "");
        let mut by: HashMap<Option<String>, i64> = HashMap::new();
        for r in fetch(self, &format!("select s.id, se.name as series{from}"), args).await? {
            *by.entry(r.try_get("series")?).or_default() +=
                costs.get(&r.try_get::<i64, _>("id")?).copied().unwrap_or(0);
        }
        Ok(by.into_iter().collect())
    }

    /// Costs per series beyond the sessions' own cost column (which the
    /// report's sums and season summaries already hold): cost lines and
    /// tools' shares. Nothing to read, and no work, where neither exists.
    pub(crate) async fn extra_costs_by_series(
        &self,
        scope: Scope<'_>,
        period: &Period,
    ) -> Result<Vec<(Option<String>, i64)>> {
        let lib = scope.library_id;
        let any: i64 = sqlx::query_scalar(
            "select (select count(*) from cost_lines c join sessions s on s.id = c.session_id where $1 is null or s.library_id = $1) \
             + (select count(*) from tools where $1 is null or library_id = $1)",
        )
        .bind(lib)
        .fetch_one(self.pool())
        .await?;
        if any == 0 {
            return Ok(Vec::new());
        }
        let (from, args) = filter(scope, period, "");
        let mut legacy: HashMap<Option<String>, i64> = HashMap::new();
        for r in fetch(self, &format!("select se.name as series, cast(coalesce(sum(s.cost_cents), 0) as bigint) as cents{from} group by se.name"), args).await? {
            legacy.insert(r.try_get("series")?, r.try_get("cents")?);
        }
        Ok(self
            .costs_by_series(scope, period)
            .await?
            .into_iter()
            .map(|(series, all)| {
                let own = legacy.get(&series).copied().unwrap_or(0);
                (series, all - own)
            })
            .collect())
    }

    /// What a speaker's sessions that took place cost, and who came, over
    /// all time: the speaker's line of the breakdown by speaker, computed
    /// the same way (a session shared with another speaker gives each its
    /// share of the cost, and all its participants).
    pub async fn speaker_cost(
        &self,
        library_id: LibraryId,
        speaker_id: i64,
    ) -> Result<SpeakerCost> {
        let scope = Scope::library(library_id);
        let costs = self
            .session_costs(
                Some(library_id),
                &ALL_TIME.from().to_string(),
                &ALL_TIME.to().to_string(),
            )
            .await?;
        let members = self.members(scope, &ALL_TIME, Dimension::Speaker).await?;
        let mut out = SpeakerCost::default();
        for m in &members {
            if m.id == Some(speaker_id) {
                out.participants += m.participants;
            }
        }
        for s in shares(&costs, members) {
            if s.id == Some(speaker_id) {
                out.cents += s.cents;
            }
        }
        Ok(out)
    }
}

/// Refuses a row of another library (or none) as not found.
async fn own(tx: &mut Tx, table: &str, id: impl Into<i64>, library_id: LibraryId) -> Result<()> {
    let found: Option<i64> = sqlx::query_scalar(&format!(
        "select id from {table} where id = $1 and library_id = $2"
    ))
    .bind(id.into())
    .bind(library_id)
    .fetch_optional(&mut **tx)
    .await?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}
