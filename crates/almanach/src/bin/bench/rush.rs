//! `almanach-bench rush`: a crowd registers for one workshop at once, over
//! HTTP, through the public API (`POST /api/v1/sessions/{id}/registrations`,
//! the public form's equivalent). Almanach runs in this process on a
//! loopback port with the registration limits off; the crowd is this
//! process's own minimal HTTP/1.1 client (one keep-alive connection per
//! client). Afterwards the database is read back: every 2xx must be a
//! stored registration and every stored one must have had its 2xx, the
//! confirmed seats must not exceed the capacity, and the waiting list must
//! be ranked 1, 2, 3… without a gap. Beside the figure, measured in the
//! same run: a bare seat transaction (count, insert, commit) on a scratch
//! SQLite file with `synchronous = FULL`, one after the other — what one
//! transaction per registration can reach on this disk.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use almanach_domain::ids::EventId;
use almanach_domain::programme::{AttendanceMode, EventStatus, SessionKind};
use almanach_domain::registration::RegistrationStatus;
use almanach_store::{Actor, Event, SessionWrite, Store, Target};
use anyhow::{Context, Result, bail};
use tokio::io::BufReader;
use tokio::net::TcpStream;

use crate::http::{exchange, start};

pub struct Rush {
    pub database: String,
    pub clients: usize,
    pub capacity: u32,
    pub registrations: usize,
    /// Registrations already on the session before the crowd comes.
    pub already: usize,
    /// Servers the crowd is spread over, each with its own store (its own
    /// pool and registration writer) on the same database.
    pub servers: usize,
    /// Seconds to wait idle after the rush before reading the memory held.
    pub rest: u64,
}

/// What the crowd got back.
#[derive(Default)]
struct Tally {
    by_status: BTreeMap<u16, usize>,
    /// Each answer's time, in microseconds.
    latencies: Vec<u64>,
    /// The e-mail addresses whose registration was answered 201.
    created: Vec<String>,
    /// The first answer other than 201, to show what went wrong.
    first_refusal: Option<String>,
}

pub async fn run(r: &Rush) -> Result<bool> {
    let mb =
        |b: Option<u64>| b.map_or_else(|| "?".to_string(), |b| format!("{:.0} MB", b as f64 / 1e6));
    let idle = crate::memory::resident_bytes();
    let store = Store::open(&r.database).await?;
    let lib = store.default_library().await?;
    let actor = Actor::system(lib.id, "bench");
    let session = workshop(&store, &actor, r.capacity).await?;
    if r.already > 0 {
        let filled = Instant::now();
        fill(&store, &actor, session, r.already).await?;
        println!(
            "  {} registrations already there (written through the store in {:.1} s)",
            r.already,
            filled.elapsed().as_secs_f64()
        );
    }
    let servers = r.servers.max(1);
    println!(
        "rush: {} registrations by {} clients on one workshop of {} seats ({:?}, {servers} server{})",
        r.registrations,
        r.clients,
        r.capacity,
        store.backend(),
        if servers > 1 { "s" } else { "" }
    );

    let mut addrs = Vec::new();
    let mut running = Vec::new();
    for k in 0..servers {
        let own = if k == 0 {
            store.clone()
        } else {
            Store::connect(&r.database).await?
        };
        let (addr, server) = start(own).await?;
        running.push(server);
        addrs.push(addr);
    }

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut crowd = Vec::new();
    for c in 0..r.clients.max(1) {
        let next = next.clone();
        let total = r.registrations;
        let path = format!("/api/v1/sessions/{session}/registrations");
        let addr = addrs[c % addrs.len()];
        crowd.push(tokio::spawn(async move {
            client(addr, &path, &next, total).await
        }));
    }
    let mut tally = Tally::default();
    for c in crowd {
        let t = c.await.context("a client panicked")??;
        for (status, n) in t.by_status {
            *tally.by_status.entry(status).or_default() += n;
        }
        tally.latencies.extend(t.latencies);
        tally.created.extend(t.created);
        tally.first_refusal = tally.first_refusal.or(t.first_refusal);
    }
    let elapsed = started.elapsed().as_secs_f64();
    for server in running {
        server.abort();
    }

    let answered: usize = tally.by_status.values().sum();
    let rate = answered as f64 / elapsed;
    tally.latencies.sort_unstable();
    let pct = |p: f64| {
        let i = ((tally.latencies.len() as f64 - 1.0) * p).round() as usize;
        tally.latencies.get(i).copied().unwrap_or(0) as f64 / 1000.0
    };
    println!(
        "  answered {answered} in {elapsed:.2} s: {rate:.0} registrations/s; latency p50 {:.1} ms, p99 {:.1} ms",
        pct(0.5),
        pct(0.99)
    );
    let statuses: Vec<String> = tally
        .by_status
        .iter()
        .map(|(s, n)| format!("{s}: {n}"))
        .collect();
    println!("  statuses: {}", statuses.join(", "));
    if let Some(first) = &tally.first_refusal {
        println!("  first answer other than 201: {first}");
    }

    let ok = verify(&store, lib.id, session, r.capacity, r.already, &tally).await?;

    let reference = seat_transactions(Duration::from_secs(2)).await?;
    println!(
        "  reference, same run: a bare seat transaction on SQLite, synchronous = FULL, one at a time: {reference:.0} tx/s"
    );
    println!(
        "  ratio: {:.2} × the one-transaction-per-registration ceiling",
        rate / reference
    );
    println!(
        "  memory of this process (server, store and clients): {} before, {} after the rush",
        mb(idle),
        mb(crate::memory::resident_bytes())
    );
    if r.rest > 0 {
        tokio::time::sleep(Duration::from_secs(r.rest)).await;
        println!(
            "  memory after {} s idle: {}",
            r.rest,
            mb(crate::memory::resident_bytes())
        );
    }
    // The group commit without HTTP: as many registrations straight
    // through the store, 256 at a time, on a workshop of their own.
    let other = workshop(&store, &actor, r.capacity).await?;
    let n = r.registrations.min(20_000);
    let through = Instant::now();
    fill(&store, &actor, other, n).await?;
    let ceiling = n as f64 / through.elapsed().as_secs_f64();
    println!(
        "  ceiling, same run: {n} registrations straight through the store (group commit, no HTTP): {ceiling:.0}/s; \
         over HTTP: {:.2} × that",
        rate / ceiling
    );
    Ok(ok)
}

/// A published workshop a month from now, open for registration, with
/// `capacity` seats; its session's id.
pub async fn workshop(store: &Store, actor: &Actor, capacity: u32) -> Result<i64> {
    let event = Event {
        id: EventId(0),
        series_id: None,
        title: "Atelier très demandé".into(),
        description: String::new(),
        picture_url: String::new(),
        status: EventStatus::Published,
    };
    let event_id = store.save_event(actor, &event).await?;
    let starts_at = almanach_store::now() + 30 * 86_400;
    let local_date = jiff::Timestamp::from_second(starts_at)?
        .to_zoned(almanach_domain::calendar::paris())
        .date()
        .to_string();
    let w = SessionWrite {
        event_id,
        kind: SessionKind::Workshop,
        starts_at,
        ends_at: starts_at + 3600,
        local_date,
        room_id: None,
        capacity: Some(capacity),
        age_min: None,
        age_max: None,
        accompanied: false,
        price_cents: 0,
        registration_required: true,
        attendance_mode: AttendanceMode::InPerson,
        online_url: String::new(),
        theme_ids: vec![],
        speaker_ids: vec![],
        lead_ids: vec![],
    };
    match store.save_session(actor, None, &w).await? {
        Ok(id) => Ok(id.get()),
        Err(clash) => bail!("the bench's session clashed with {}", clash.event_title),
    }
}

/// `n` registrations written straight through the store, many at a time,
/// before the crowd comes (the e-mails differ from the crowd's).
async fn fill(store: &Store, actor: &Actor, session: i64, n: usize) -> Result<()> {
    use almanach_domain::registration::{EmailAddress, Party};
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..256 {
        let (store, actor, next) = (store.clone(), actor.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return anyhow::Ok(());
                }
                let email = format!("deja{i}-{session}@example.org");
                // One seat each, no children, no phone.
                let party = Party {
                    seats: 1,
                    ages: Vec::new(),
                    phone: String::new(),
                    email: EmailAddress::parse("email", &email).ok(),
                    name: format!("Déjà {i}"),
                };
                let new = almanach_store::NewRegistration {
                    target: Target::Session(almanach_store::SessionId(session)),
                    idempotency_hash: format!("bench-already-{session}-{i}"),
                    token_hash: format!("bench-token-{session}-{i}"),
                    lang: almanach_domain::Lang::Fr,
                    by_staff: false,
                    link_sealed: None,
                    party,
                };
                store.register(&actor, &new).await?;
            }
        }));
    }
    for w in workers {
        w.await??;
    }
    Ok(())
}

/// One client: a keep-alive connection, registrations taken from the shared
/// counter until `total` are sent.
async fn client(addr: SocketAddr, path: &str, next: &AtomicUsize, total: usize) -> Result<Tally> {
    let mut tally = Tally::default();
    let mut conn = BufReader::new(TcpStream::connect(addr).await?);
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= total {
            return Ok(tally);
        }
        let email = format!("personne{i}@example.org");
        let body = format!(
            r#"{{"name":"Personne {i}","email":"{email}","seats":1,"idempotency_key":"bench-rush-{i:010}"}}"#
        );
        let asked = Instant::now();
        let (status, answer) = match post(&mut conn, addr, path, &body).await {
            Ok(s) => s,
            Err(_) => {
                // The server closed the connection: open another, once.
                conn = BufReader::new(TcpStream::connect(addr).await?);
                post(&mut conn, addr, path, &body).await?
            }
        };
        tally
            .latencies
            .push(asked.elapsed().as_micros().min(u128::from(u64::MAX)) as u64);
        *tally.by_status.entry(status).or_default() += 1;
        if status == 201 {
            tally.created.push(email);
        } else if tally.first_refusal.is_none() {
            tally.first_refusal = Some(format!("{status} {answer}"));
        }
    }
}

/// Sends one JSON POST and reads the whole answer; its status.
async fn post(
    conn: &mut BufReader<TcpStream>,
    addr: SocketAddr,
    path: &str,
    body: &str,
) -> Result<(u16, String)> {
    let (status, answer) = exchange(
        conn,
        addr,
        "POST",
        path,
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    )
    .await?;
    Ok((status, String::from_utf8_lossy(&answer).into_owned()))
}

/// Reads the registrations back and checks the crowd's answers against
/// them; prints what it found, false when a rule was broken.
async fn verify(
    store: &Store,
    library_id: almanach_store::LibraryId,
    session: i64,
    capacity: u32,
    already: usize,
    tally: &Tally,
) -> Result<bool> {
    let list = store
        .list_registrations(
            library_id,
            Target::Session(almanach_store::SessionId(session)),
        )
        .await?;
    let confirmed: u32 = list
        .iter()
        .filter(|r| r.status == RegistrationStatus::Confirmed)
        .map(|r| r.seats)
        .sum();
    let mut ranks: Vec<u32> = list.iter().filter_map(|r| r.position).collect();
    ranks.sort_unstable();
    let gap_free = ranks.iter().enumerate().all(|(i, p)| *p as usize == i + 1);
    let stored: std::collections::BTreeSet<&str> = list
        .iter()
        .map(|r| r.email.as_str())
        .filter(|e| !e.starts_with("deja"))
        .collect();
    if list.len() != stored.len() + already {
        println!(
            "  WRONG: {} registered beforehand, {} found",
            already,
            list.len() - stored.len()
        );
        return Ok(false);
    }
    let answered: std::collections::BTreeSet<&str> =
        tally.created.iter().map(String::as_str).collect();
    let server_errors: usize = tally
        .by_status
        .iter()
        .filter(|(s, _)| **s >= 500 && **s != 503)
        .map(|(_, n)| n)
        .sum();
    println!(
        "  stored {} ({} seats confirmed of {capacity}, {} waiting, ranks gap-free: {gap_free}); 201 answered for {}",
        list.len(),
        confirmed,
        ranks.len(),
        answered.len()
    );
    let mut ok = true;
    if stored != answered {
        println!(
            "  WRONG: {} stored without a 201, {} answered 201 but not stored",
            stored.difference(&answered).count(),
            answered.difference(&stored).count()
        );
        ok = false;
    }
    if confirmed > capacity {
        println!("  WRONG: overbooked");
        ok = false;
    }
    if !gap_free {
        println!("  WRONG: the waiting list has a gap");
        ok = false;
    }
    if server_errors > 0 {
        println!("  WRONG: {server_errors} server errors (5xx other than 503)");
        ok = false;
    }
    Ok(ok)
}

/// Bare seat transactions, one after the other, for `time` on a scratch
/// SQLite file in WAL mode with `synchronous = FULL`: what a transaction
/// per registration costs on this disk, without Almanach.
async fn seat_transactions(time: Duration) -> Result<f64> {
    use sqlx::Connection;
    let dir = std::env::temp_dir().join(format!("almanach-bench-seat-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{}/seat.sqlite3?mode=rwc", dir.display());
    sqlx::any::install_default_drivers();
    let mut c = sqlx::AnyConnection::connect(&url).await?;
    for sql in [
        "pragma journal_mode = wal",
        "pragma synchronous = full",
        "create table if not exists seat (id integer primary key, session integer not null, email text not null)",
    ] {
        sqlx::query(sql).execute(&mut c).await?;
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < time {
        let mut tx = c.begin_with("BEGIN IMMEDIATE").await?;
        let taken: i64 = sqlx::query_scalar("select count(*) from seat where session = 1")
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query("insert into seat (session, email) values (1, $1)")
            .bind(format!("p{taken}@example.org"))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        n += 1;
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    drop(c);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(rate)
}
