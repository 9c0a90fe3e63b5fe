//! `almanach-bench soak`: a long mixed load, as a library's busy day is —
//! the agenda, an event page, the feeds, the embed and the API's session
//! list read, people registering for a workshop, and the programme saved
//! again now and then so the pages are rendered anew — for `--minutes`,
//! printing each minute's requests, answers other than 2xx and the
//! process's memory. It fails on any answer other than 2xx, or when the
//! memory of the last minute is more than 10 % (and 5 MB) above that of
//! the second, after warm-up (issue 11 §4: memory flat under a long load).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use almanach_store::{Actor, Store};
use anyhow::{Context, Result};
use tokio::io::BufReader;
use tokio::net::TcpStream;

use crate::http::{exchange, start};

pub struct Soak {
    pub database: String,
    pub clients: usize,
    pub minutes: u64,
    /// Each client's pause between two requests, in milliseconds.
    pub pause_ms: u64,
}

/// What the clients counted, shared.
#[derive(Default)]
struct Counts {
    requests: AtomicU64,
    /// Answers other than 2xx, by status.
    other: std::sync::Mutex<BTreeMap<u16, u64>>,
    first_other: std::sync::Mutex<Option<String>>,
}

pub async fn run(s: &Soak) -> Result<bool> {
    let store = Store::open(&s.database).await?;
    crate::pages::demo_if_empty(&store).await?;
    let lib = store.default_library().await?;
    let actor = Actor::system(lib.id, "bench");
    let (event, _) = crate::pages::first_coming(&store).await?;
    // Room for every registration of a long soak (then a waiting list).
    let session = crate::rush::workshop(&store, &actor, 100_000).await?;
    let (addr, server) = start(store.clone()).await?;
    println!(
        "soak: {} clients for {} min ({:?}), {} ms between a client's requests; a minute's figures:",
        s.clients,
        s.minutes,
        store.backend(),
        s.pause_ms
    );

    let counts = Arc::new(Counts::default());
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for _ in 0..s.clients.max(1) {
        let (counts, stop, next) = (counts.clone(), stop.clone(), next.clone());
        let pause = Duration::from_millis(s.pause_ms);
        clients.push(tokio::spawn(async move {
            client(addr, event, session, &counts, &stop, &next, pause).await
        }));
    }
    // The programme changes now and then: the kept pages are rendered again.
    let changes = {
        let (store, stop) = (store.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                tokio::time::sleep(Duration::from_secs(10)).await;
                let library = store.default_library().await?;
                store.update_library(&actor, &library).await?;
            }
            anyhow::Ok(())
        })
    };

    let mb = |b: Option<u64>| b.map_or(0.0, |b| b as f64 / 1e6);
    let started = Instant::now();
    let mut memory = Vec::new();
    let mut before = 0;
    for minute in 1..=s.minutes.max(1) {
        let at = started + Duration::from_secs(60 * minute);
        tokio::time::sleep_until(at.into()).await;
        let done = counts.requests.load(Ordering::Relaxed);
        let other: u64 = counts.other.lock().expect("counts").values().sum();
        let resident = mb(crate::memory::resident_bytes());
        memory.push(resident);
        println!(
            "  minute {minute:>3}: {:>7.0} requests/s, {other} answers other than 2xx so far, {resident:.0} MB resident",
            (done - before) as f64 / 60.0
        );
        before = done;
    }
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.context("a client panicked")??;
    }
    changes.abort();
    server.abort();

    let other = counts.other.lock().expect("counts").clone();
    let registered = next.load(Ordering::Relaxed);
    println!(
        "  {} requests in all ({} registrations sent); answers other than 2xx: {}",
        counts.requests.load(Ordering::Relaxed),
        registered,
        if other.is_empty() {
            "none".to_string()
        } else {
            format!("{other:?}")
        }
    );
    if let Some(first) = counts.first_other.lock().expect("counts").as_ref() {
        println!("  first answer other than 2xx: {first}");
    }
    let mut ok = other.is_empty();
    if memory.len() >= 3 {
        let (warm, last) = (memory[1], memory[memory.len() - 1]);
        let flat = last <= warm * 1.1 || last <= warm + 5.0;
        println!(
            "  memory after warm-up (minute 2) {warm:.0} MB, last minute {last:.0} MB, highest {:.0} MB: {}",
            memory.iter().copied().fold(0.0, f64::max),
            if flat { "flat" } else { "GROWING" }
        );
        ok &= flat;
    }
    Ok(ok)
}

/// The mix, out of ten requests.
const MIX: [&str; 10] = [
    "/agenda",
    "/agenda",
    "/agenda",
    "event",
    "/agenda.ics",
    "/agenda.rss",
    "/embed/agenda",
    "/api/v1/sessions",
    "register",
    "/agenda/archive",
];

async fn client(
    addr: SocketAddr,
    event: i64,
    session: i64,
    counts: &Counts,
    stop: &AtomicBool,
    next: &AtomicUsize,
    pause: Duration,
) -> Result<()> {
    let mut conn = BufReader::new(TcpStream::connect(addr).await?);
    let mut turn = next.load(Ordering::Relaxed);
    while !stop.load(Ordering::Relaxed) {
        turn += 1;
        let (method, path, body) = match MIX[turn % MIX.len()] {
            "event" => ("GET", format!("/events/{event}"), String::new()),
            "register" => {
                let i = next.fetch_add(1, Ordering::Relaxed);
                (
                    "POST",
                    format!("/api/v1/sessions/{session}/registrations"),
                    format!(
                        r#"{{"name":"Personne {i}","email":"soak{i}@example.org","seats":1,"idempotency_key":"bench-soak-{i:010}"}}"#
                    ),
                )
            }
            path => ("GET", path.to_string(), String::new()),
        };
        let headers: &[(&str, &str)] = if method == "POST" {
            &[("Content-Type", "application/json")]
        } else {
            &[("Accept-Encoding", "gzip, br")]
        };
        let (status, answer) =
            match exchange(&mut conn, addr, method, &path, headers, body.as_bytes()).await {
                Ok(a) => a,
                Err(_) => {
                    conn = BufReader::new(TcpStream::connect(addr).await?);
                    exchange(&mut conn, addr, method, &path, headers, body.as_bytes()).await?
                }
            };
        counts.requests.fetch_add(1, Ordering::Relaxed);
        if !(200..300).contains(&status) {
            *counts
                .other
                .lock()
                .expect("counts")
                .entry(status)
                .or_default() += 1;
            let mut first = counts.first_other.lock().expect("counts");
            if first.is_none() {
                *first = Some(format!(
                    "{status} on {method} {path}: {}",
                    String::from_utf8_lossy(&answer)
                        .chars()
                        .take(200)
                        .collect::<String>()
                ));
            }
        }
        if !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
    }
    Ok(())
}
