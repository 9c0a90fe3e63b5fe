//! Imported history: the rows of a past season's spreadsheet written as
//! series, themes, rooms, speakers, events and counted sessions, all in one
//! transaction. Records carry an import key, so the same file imported twice
//! creates nothing the second time. A dry run does the same work and rolls
//! it back, so it reports exactly what the real import would create.

use almanach_domain::ids::LibraryId;
use std::collections::{HashMap, HashSet};

use almanach_domain::attendance::Recording;
use almanach_domain::import::{ImportRow, normalize};
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use serde::Serialize;
use sqlx::Row;

use crate::audit::{Actor, record};
use crate::{Result, Store, StoreError, Tx, classify, now};

/// What an import created (or, dry, would create).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub series: Vec<String>,
    pub themes: Vec<String>,
    pub rooms: Vec<String>,
    pub speakers: Vec<String>,
    /// "2024-01-13 · series · title", in file order.
    pub events: Vec<String>,
    pub sessions: usize,
    /// Sessions found from an earlier import of the same rows.
    pub already_imported: usize,
}

/// Names already in the library, by normalised name, and those created.
struct Names {
    table: &'static str,
    column: &'static str,
    ids: HashMap<String, i64>,
    created: Vec<String>,
}

impl Names {
    async fn load(
        tx: &mut Tx,
        library_id: LibraryId,
        table: &'static str,
        column: &'static str,
    ) -> Result<Names> {
        let rows = sqlx::query(&format!(
            "select id, {column} as name from {table} where library_id = $1 order by id"
        ))
        .bind(library_id)
        .fetch_all(&mut **tx)
        .await?;
        let mut ids = HashMap::new();
        for r in rows {
            let name: String = r.try_get("name")?;
            ids.entry(normalize(&name)).or_insert(r.try_get("id")?);
        }
        Ok(Names {
            table,
            column,
            ids,
            created: Vec::new(),
        })
    }

    /// The record's id, and whether this import created it.
    async fn id(&mut self, tx: &mut Tx, library_id: LibraryId, name: &str) -> Result<(i64, bool)> {
        let key = normalize(name);
        if let Some(id) = self.ids.get(&key) {
            return Ok((*id, false));
        }
        let id: i64 = sqlx::query_scalar(&format!(
            "insert into {} (library_id, {}) values ($1, $2) returning id",
            self.table, self.column
        ))
        .bind(library_id)
        .bind(name)
        .fetch_one(&mut **tx)
        .await
        .map_err(classify)?;
        self.ids.insert(key, id);
        self.created.push(name.to_string());
        Ok((id, true))
    }
}

/// Local wall-clock time to unix seconds; history is not refused for a
/// time that daylight saving skipped or repeated: take the usual reading.
fn instant(tz: &TimeZone, date: Date, time: Time) -> Result<i64> {
    let z = tz
        .to_ambiguous_zoned(DateTime::from_parts(date, time))
        .compatible()
        .map_err(|e| crate::StoreError::Unusable(format!("{date} {time}: {e}")))?;
    Ok(z.timestamp().as_second())
}

impl Store {
    /// Writes `rows` (already free of errors) in one transaction; with
    /// `dry_run` everything is rolled back and only the summary remains.
    pub async fn import_history(
        &self,
        actor: &Actor,
        rows: &[ImportRow],
        source: &str,
        dry_run: bool,
    ) -> Result<ImportSummary> {
        let lib = actor.library_id;
        let tz = self.library(lib).await?.tz();
        let mut tx = self.write().await?;
        let mut series = Names::load(&mut tx, lib, "series", "name").await?;
        let mut themes = Names::load(&mut tx, lib, "themes", "title").await?;
        let mut rooms = Names::load(&mut tx, lib, "rooms", "name").await?;
        let mut speakers = Names::load(&mut tx, lib, "speakers", "name").await?;
        let durations: HashMap<i64, i64> =
            sqlx::query("select id, duration_minutes from series where library_id = $1 and duration_minutes is not null")
                .bind(lib)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("id")?, r.try_get("duration_minutes")?)))
                .collect::<Result<_>>()?;
        let mut events: HashMap<String, i64> = sqlx::query(
            "select id, import_key from events where library_id = $1 and import_key is not null",
        )
        .bind(lib)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("import_key")?, r.try_get("id")?)))
        .collect::<Result<_>>()?;
        let done: HashSet<String> = sqlx::query_scalar(
            "select import_key from sessions where library_id = $1 and import_key is not null",
        )
        .bind(lib)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        // An event is titled by the first title its rows give, else its
        // theme, else its series.
        let mut titles: HashMap<String, String> = HashMap::new();
        for r in rows {
            let t = titles.entry(r.event_key()).or_default();
            if t.is_empty() {
                t.clone_from(if !r.title.is_empty() {
                    &r.title
                } else {
                    r.themes.first().unwrap_or(&r.series)
                });
            }
        }
        let mut summary = ImportSummary::default();
        let at = now();
        for r in rows {
            if done.contains(&r.key) {
                summary.already_imported += 1;
                continue;
            }
            let (series_id, new_series) = series.id(&mut tx, lib, &r.series).await?;
            if new_series {
                sqlx::query("update series set default_kind = $1 where id = $2")
                    .bind(r.kind.slug())
                    .bind(series_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let event_key = r.event_key();
            let event_id = match events.get(&event_key) {
                Some(id) => *id,
                None => {
                    let title = &titles[&event_key];
                    let id: i64 = sqlx::query_scalar(
                        "insert into events (library_id, series_id, title, status, import_key, created_at, updated_at) \
                         values ($1, $2, $3, 'published', $4, $5, $5) returning id",
                    )
                    .bind(lib)
                    .bind(series_id)
                    .bind(title)
                    .bind(&event_key)
                    .bind(at)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(classify)?;
                    events.insert(event_key, id);
                    summary
                        .events
                        .push(format!("{} · {} · {}", r.date, r.series, title));
                    id
                }
            };
            let room_id = match &r.room {
                Some(name) => Some(rooms.id(&mut tx, lib, name).await?.0),
                None => None,
            };
            let start = r.start.unwrap_or(Time::midnight());
            let starts_at = instant(&tz, r.date, start)?;
            let ends_at = match r.end {
                Some(end) => instant(&tz, r.date, end)?,
                None => starts_at + 60 * durations.get(&series_id).copied().unwrap_or(60),
            };
            crate::programme::longest(starts_at, ends_at)?;
            let h = &r.headcount;
            // Callers list these rows as errors first (`import::counted_ahead`).
            if h.is_counted() {
                Recording::Count
                    .allowed(starts_at, at)
                    .map_err(|p| StoreError::Conflict(p.key.into()))?;
            }
            let session_id: i64 = sqlx::query_scalar(
                "insert into sessions (library_id, event_id, kind, starts_at, ends_at, local_date, room_id, capacity, \
                 registration_required, participants, under_14, registered, counted_by_staff, counted_by, counted_at, \
                 cost_cents, import_key, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18) returning id",
            )
            .bind(lib)
            .bind(event_id)
            .bind(r.kind.slug())
            .bind(starts_at)
            .bind(ends_at)
            .bind(r.date.to_string())
            .bind(room_id)
            .bind(r.capacity.map(i64::from))
            .bind(i64::from(h.registered.is_some()))
            .bind(h.participants.map(i64::from))
            .bind(h.under_14.map(i64::from))
            .bind(h.registered.map(i64::from))
            .bind(actor.staff_id)
            .bind(h.participants.map(|_| actor.label.clone()))
            .bind(h.participants.map(|_| at))
            .bind(r.cost_cents)
            .bind(&r.key)
            .bind(at)
            .fetch_one(&mut *tx)
            .await
            .map_err(classify)?;
            for theme in &r.themes {
                let (id, _) = themes.id(&mut tx, lib, theme).await?;
                link(&mut tx, "session_themes", "theme_id", session_id, id).await?;
            }
            for speaker in &r.speakers {
                let (id, _) = speakers.id(&mut tx, lib, speaker).await?;
                link(&mut tx, "session_speakers", "speaker_id", session_id, id).await?;
            }
            summary.sessions += 1;
        }
        summary.series = series.created;
        summary.themes = themes.created;
        summary.rooms = rooms.created;
        summary.speakers = speakers.created;
        #[derive(Serialize)]
        struct Audit<'a> {
            source: &'a str,
            #[serde(flatten)]
            summary: &'a ImportSummary,
        }
        record(
            &mut tx,
            actor,
            "import",
            0,
            "import",
            None,
            Some(&Audit {
                source,
                summary: &summary,
            }),
        )
        .await?;
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(summary)
    }
}

/// A theme or speaker named twice in one cell is linked once.
async fn link(tx: &mut Tx, table: &str, column: &str, session_id: i64, other: i64) -> Result<()> {
    let exists: i64 = sqlx::query_scalar(&format!(
        "select count(*) from {table} where session_id = $1 and {column} = $2"
    ))
    .bind(session_id)
    .bind(other)
    .fetch_one(&mut **tx)
    .await?;
    if exists == 0 {
        sqlx::query(&format!(
            "insert into {table} (session_id, {column}) values ($1, $2)"
        ))
        .bind(session_id)
        .bind(other)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
