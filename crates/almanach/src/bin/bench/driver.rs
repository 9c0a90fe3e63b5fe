//! `almanach-bench driver` (issue 11 §5: the driver is a choice,
//! measured). The two hot paths of a busy day, the same statements on the
//! same SQLite file, through sqlx's `Any` layer on the store's own pool
//! (what Almanach uses) and through rusqlite on a connection of its own
//! (SQLite called in the caller's thread, typed rows, no worker thread),
//! one after the other, alternately:
//! - the registrar's write: 256 registrations inserted in pieces of 32 rows
//!   (15 parameters a row), committed once with `synchronous = FULL`;
//! - the agenda's read: a page of 300 sessions with their event and their
//!   seats taken, every column decoded.
//!
//! It prints each one's rate and the ratio; the decision it informs is in
//! docs/decisions/0024 (amendment) and docs/benchmarks.md.

use std::time::{Duration, Instant};

use almanach_store::{Actor, DatabaseUrl, Store};
use anyhow::{Result, bail};
use sqlx::Row;

/// Registrations in one batch, and in one statement.
const BATCH: usize = 256;
const PIECE: usize = 32;
/// Sessions one read returns at most.
const PAGE: i64 = 300;

pub async fn run(database: &str, seconds: f64) -> Result<bool> {
    let path = match DatabaseUrl::parse(database)? {
        DatabaseUrl::Sqlite(path) => path,
        DatabaseUrl::Postgres(_) => {
            bail!("driver compares SQLite drivers: give a sqlite:// database")
        }
    };
    let store = Store::open(database).await?;
    crate::pages::demo_if_empty(&store).await?;
    let lib = store.default_library().await?;
    let actor = Actor::system(lib.id, "bench");
    let session = crate::rush::workshop(&store, &actor, 100_000).await?;
    let event: i64 = sqlx::query_scalar("select event_id from sessions where id = $1")
        .bind(session)
        .fetch_one(store.pool())
        .await?;
    let insert = insert_text();
    let read = read_text();
    let mut lite = rusqlite::Connection::open(&path)?;
    lite.execute_batch(
        "pragma journal_mode = wal; pragma foreign_keys = on; pragma busy_timeout = 10000; pragma synchronous = full;",
    )?;
    let time = Duration::from_secs_f64(seconds / 4.0);
    let ids = Ids {
        lib: lib.id.get(),
        event,
        session,
    };

    let (mut w_sqlx, mut w_lite, mut r_sqlx, mut r_lite) = (
        Rate::default(),
        Rate::default(),
        Rate::default(),
        Rate::default(),
    );
    let mut n = 0usize;
    for _ in 0..2 {
        let t = Instant::now();
        while t.elapsed() < time / 2 {
            write_sqlx(&store, &insert, &ids, n).await?;
            n += 1;
            w_sqlx.add(BATCH);
        }
        w_sqlx.time += t.elapsed();
        let t = Instant::now();
        while t.elapsed() < time / 2 {
            write_lite(&mut lite, &insert, &ids, n)?;
            n += 1;
            w_lite.add(BATCH);
        }
        w_lite.time += t.elapsed();
        let t = Instant::now();
        while t.elapsed() < time / 2 {
            let rows = read_sqlx(&store, &read, ids.lib).await?;
            r_sqlx.add(rows);
        }
        r_sqlx.time += t.elapsed();
        let t = Instant::now();
        while t.elapsed() < time / 2 {
            let rows = read_lite(&lite, &read, ids.lib)?;
            r_lite.add(rows);
        }
        r_lite.time += t.elapsed();
    }
    println!("driver: the same statements on the same SQLite file, {seconds:.0} s in all");
    println!(
        "  registrar's write ({BATCH} registrations, pieces of {PIECE}, one FULL commit): sqlx Any {:.0}/s, rusqlite {:.0}/s: rusqlite = {:.2} × sqlx",
        w_sqlx.per_second(),
        w_lite.per_second(),
        w_lite.per_second() / w_sqlx.per_second()
    );
    println!(
        "  agenda's read ({PAGE} sessions with seats, every column decoded): sqlx Any {:.0} rows/s, rusqlite {:.0} rows/s: rusqlite = {:.2} × sqlx",
        r_sqlx.per_second(),
        r_lite.per_second(),
        r_lite.per_second() / r_sqlx.per_second()
    );
    Ok(true)
}

#[derive(Default)]
struct Rate {
    items: usize,
    time: Duration,
}

impl Rate {
    fn add(&mut self, n: usize) {
        self.items += n;
    }
    fn per_second(&self) -> f64 {
        self.items as f64 / self.time.as_secs_f64().max(1e-9)
    }
}

struct Ids {
    lib: i64,
    event: i64,
    session: i64,
}

/// The registrar's insert of `PIECE` rows, `?1` the instant. Parameters
/// are numbered `?n` (SQLite's own numbered form, which both drivers bind by
/// number; the store writes `$n`, which SQLite treats the same way).
fn insert_text() -> String {
    let rows: Vec<String> = (0..PIECE)
        .map(|r| {
            let p: Vec<String> = (0..15).map(|k| format!("?{}", 2 + r * 15 + k)).collect();
            format!("({}, ?1, ?1)", p.join(", "))
        })
        .collect();
    format!(
        "insert into registrations (library_id, event_id, session_id, name, email, phone, seats, ages, status, \
         queue_order, token_hash, idempotency_hash, source, lang, link_sealed, created_at, updated_at) \
         values {} returning id",
        rows.join(", ")
    )
}

fn read_text() -> String {
    format!(
        "select s.id, s.event_id, s.starts_at, s.ends_at, s.local_date, s.capacity, s.kind, e.title, e.status, \
         (select coalesce(sum(t.confirmed_seats), 0) from seat_tallies t where t.event_id = s.event_id \
         and t.session_key in (s.id, 0)) as taken \
         from sessions s join events e on e.id = s.event_id where s.library_id = ?1 \
         order by s.starts_at, s.id limit {PAGE}"
    )
}

/// Registration `i`'s values, as the registrar binds them (the keys are
/// the run's own: its workshop is new).
fn values(ids: &Ids, i: usize) -> (String, String, String, String) {
    let s = ids.session;
    (
        format!("Personne {i}"),
        format!("driver{i}@example.org"),
        format!("driver-token-{s}-{i:012}"),
        format!("driver-key-{s}-{i:012}"),
    )
}

async fn write_sqlx(store: &Store, insert: &str, ids: &Ids, batch: usize) -> Result<()> {
    let mut tx = store.pool().begin().await?;
    let t = almanach_store::now();
    for piece in 0..BATCH / PIECE {
        let mut q = sqlx::query(insert).bind(t);
        for r in 0..PIECE {
            let i = (batch * BATCH) + piece * PIECE + r;
            let (name, email, token, key) = values(ids, i);
            q = q
                .bind(ids.lib)
                .bind(ids.event)
                .bind(ids.session)
                .bind(name)
                .bind(email)
                .bind(String::new())
                .bind(1i64)
                .bind(String::new())
                .bind("waiting")
                .bind(i as i64)
                .bind(token)
                .bind(key)
                .bind("api")
                .bind("fr")
                .bind(None::<String>);
        }
        let rows = q.fetch_all(&mut *tx).await?;
        anyhow::ensure!(rows.len() == PIECE);
        let _: i64 = rows[0].try_get("id")?;
    }
    tx.commit().await?;
    Ok(())
}

fn write_lite(c: &mut rusqlite::Connection, insert: &str, ids: &Ids, batch: usize) -> Result<()> {
    use rusqlite::types::Value;
    let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let t = almanach_store::now();
    {
        let mut st = tx.prepare_cached(insert)?;
        for piece in 0..BATCH / PIECE {
            let mut args: Vec<Value> = Vec::with_capacity(1 + PIECE * 15);
            args.push(Value::Integer(t));
            for r in 0..PIECE {
                let i = (batch * BATCH) + piece * PIECE + r;
                let (name, email, token, key) = values(ids, i);
                args.extend([
                    Value::Integer(ids.lib),
                    Value::Integer(ids.event),
                    Value::Integer(ids.session),
                    Value::Text(name),
                    Value::Text(email),
                    Value::Text(String::new()),
                    Value::Integer(1),
                    Value::Text(String::new()),
                    Value::Text("waiting".into()),
                    Value::Integer(i as i64),
                    Value::Text(token),
                    Value::Text(key),
                    Value::Text("api".into()),
                    Value::Text("fr".into()),
                    Value::Null,
                ]);
            }
            let ids: Vec<i64> = st
                .query_map(rusqlite::params_from_iter(args), |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            anyhow::ensure!(ids.len() == PIECE);
        }
    }
    tx.commit()?;
    Ok(())
}

/// One session of the page, decoded.
#[allow(dead_code)]
struct Line {
    id: i64,
    event_id: i64,
    starts_at: i64,
    ends_at: i64,
    local_date: String,
    capacity: Option<i64>,
    kind: String,
    title: String,
    status: String,
    taken: i64,
}

async fn read_sqlx(store: &Store, read: &str, lib: i64) -> Result<usize> {
    let rows = sqlx::query(read).bind(lib).fetch_all(store.pool()).await?;
    let lines = rows
        .iter()
        .map(|r| {
            Ok(Line {
                id: r.try_get("id")?,
                event_id: r.try_get("event_id")?,
                starts_at: r.try_get("starts_at")?,
                ends_at: r.try_get("ends_at")?,
                local_date: r.try_get("local_date")?,
                capacity: r.try_get("capacity")?,
                kind: r.try_get("kind")?,
                title: r.try_get("title")?,
                status: r.try_get("status")?,
                taken: r.try_get("taken")?,
            })
        })
        .collect::<Result<Vec<Line>, sqlx::Error>>()?;
    Ok(lines.len())
}

fn read_lite(c: &rusqlite::Connection, read: &str, lib: i64) -> Result<usize> {
    let mut st = c.prepare_cached(read)?;
    let lines = st
        .query_map([lib], |r| {
            Ok(Line {
                id: r.get("id")?,
                event_id: r.get("event_id")?,
                starts_at: r.get("starts_at")?,
                ends_at: r.get("ends_at")?,
                local_date: r.get("local_date")?,
                capacity: r.get("capacity")?,
                kind: r.get("kind")?,
                title: r.get("title")?,
                status: r.get("status")?,
                taken: r.get("taken")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<Line>>>()?;
    Ok(lines.len())
}
