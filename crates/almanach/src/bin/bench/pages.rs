//! `almanach-bench pages`: how fast the public pages are served, beside the
//! same server's static stylesheet measured in the same run (what this
//! machine, this client and this HTTP stack can do at all). Almanach runs in
//! this process on a loopback port; each route is asked for by a number of
//! keep-alive connections for a few seconds, as a browser asks (taking
//! brotli and gzip), after a short unmeasured warm-up. An empty database
//! gets the demo season first. Every answer must be a 200: the bench fails
//! otherwise.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use almanach_store::{AgendaFilter, Store, now};
use anyhow::{Context, Result};
use tokio::io::BufReader;
use tokio::net::TcpStream;

use crate::demo;
use crate::http::{answer, exchange, start};

pub struct Pages {
    pub database: String,
    pub connections: usize,
    pub seconds: f64,
}

/// What one route got in its time.
struct Measure {
    per_second: f64,
    p50_ms: f64,
    statuses: BTreeMap<u16, usize>,
    bytes: usize,
}

pub async fn run(p: &Pages) -> Result<bool> {
    let store = Store::open(&p.database).await?;
    let lib = store.default_library().await?;
    let (coming, past) = demo_if_empty(&store).await?;
    if store.staff_by_email(demo::DEMO_ADMIN).await?.is_none() {
        // A generated library has no team: the demo's administrator, to
        // open the staff pages as.
        let actor = almanach_store::Actor::system(lib.id, "bench");
        let hash = almanach_web::hash_password(demo::DEMO_PASSWORD);
        store
            .create_staff(
                &actor,
                demo::DEMO_ADMIN,
                "Administration",
                almanach_domain::staff::Role::Admin,
                &hash,
            )
            .await?;
    }
    let (event, session) = first_coming(&store).await?;
    println!(
        "pages: {coming} coming and {past} past public sessions ({:?}), {} connections, {:.0} s a route",
        store.backend(),
        p.connections,
        p.seconds
    );

    let (addr, server) = start(store.clone()).await?;

    let time = Duration::from_secs_f64(p.seconds);
    let before = measure(addr, "/static/app.css", p.connections, time).await?;
    let routes = [
        ("/agenda", "/agenda".to_string()),
        ("an event page", format!("/events/{event}")),
        ("/agenda/archive", "/agenda/archive".to_string()),
        ("/agenda.ics", "/agenda.ics".to_string()),
        ("/agenda.rss", "/agenda.rss".to_string()),
        ("/embed/agenda", "/embed/agenda".to_string()),
        ("/api/v1/sessions", "/api/v1/sessions".to_string()),
    ];
    let mut measured = Vec::new();
    for (name, path) in &routes {
        // Steady state: the first answers (rendered, then kept) are not counted.
        measure(addr, path, p.connections, Duration::from_millis(300)).await?;
        let warm = measure(addr, path, p.connections, time).await?;
        let cold = cold(&store, addr, path).await?;
        measured.push((name, warm, cold));
    }
    let after = measure(addr, "/static/app.css", p.connections, time).await?;
    let staff = staff(addr, session).await?;
    server.abort();

    let reference = (before.per_second + after.per_second) / 2.0;
    println!(
        "  reference, same run: /static/app.css {:.0} req/s (before {:.0}, after {:.0})",
        reference, before.per_second, after.per_second
    );
    let mut ok = true;
    for (name, m, cold) in &measured {
        let other: usize = m
            .statuses
            .iter()
            .filter(|(s, _)| **s != 200)
            .map(|(_, n)| n)
            .sum();
        ok &= other == 0;
        println!(
            "  {name:<18} {:>8.0} req/s  p50 {:>6.2} ms  {:>6.1} % of static  {:>7} bytes  rendered after a change {:>7.2} ms{}",
            m.per_second,
            m.p50_ms,
            100.0 * m.per_second / reference,
            m.bytes,
            cold,
            if other == 0 {
                String::new()
            } else {
                format!("  NOT 200: {:?}", m.statuses)
            }
        );
    }
    println!("  staff pages, signed in as the demo's administrator, one request at a time:");
    for (path, median, status) in &staff {
        ok &= *status == 200;
        println!(
            "  {path:<40} median of {STAFF_ASKS} {median:>7.2} ms{}",
            if *status == 200 {
                String::new()
            } else {
                format!("  NOT 200: {status}")
            }
        );
    }
    Ok(ok)
}

/// The demo season on a library without a session (the benches' pages
/// need a programme to show); the coming and past public sessions then.
pub async fn demo_if_empty(store: &Store) -> Result<(i64, i64)> {
    let lib = store.default_library().await?;
    let all = |past| AgendaFilter {
        past,
        now: now(),
        ..Default::default()
    };
    let count = async || -> Result<(i64, i64)> {
        Ok((
            store.count_agenda(lib.id, &all(false)).await?,
            store.count_agenda(lib.id, &all(true)).await?,
        ))
    };
    let counted = count().await?;
    if counted != (0, 0) {
        return Ok(counted);
    }
    demo::load(store).await?;
    println!("  (empty database: the demo season was loaded)");
    count().await
}

/// The first coming public session: its event's id and its own.
pub async fn first_coming(store: &Store) -> Result<(i64, i64)> {
    let lib = store.default_library_id().await?;
    let first = AgendaFilter {
        now: now(),
        limit: Some(1),
        ..Default::default()
    };
    let item = store.agenda(lib, &first).await?;
    let s = &item.first().context("no coming public session")?.session;
    Ok((s.event_id.get(), s.id.get()))
}

/// Requests each staff page is measured on.
const STAFF_ASKS: usize = 21;

/// The staff pages a team opens all day (issue 11 §7), one request at a
/// time as one person asks: each one's path, median time in ms, and the
/// last status.
async fn staff(addr: SocketAddr, session: i64) -> Result<Vec<(String, f64, u16)>> {
    use crate::demo::{DEMO_ADMIN, DEMO_PASSWORD};
    let mut conn = BufReader::new(TcpStream::connect(addr).await?);
    let mut jar: BTreeMap<String, String> = BTreeMap::new();
    let keep = |jar: &mut BTreeMap<String, String>, headers: &[(String, String)]| {
        for (name, value) in headers {
            if name == "set-cookie"
                && let Some((k, v)) = value.split(';').next().and_then(|c| c.split_once('='))
            {
                jar.insert(k.to_string(), v.to_string());
            }
        }
    };
    let cookie = |jar: &BTreeMap<String, String>| {
        jar.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let (_, headers, form) = answer(&mut conn, addr, "GET", "/staff/sign-in", &[], b"").await?;
    keep(&mut jar, &headers);
    let form = String::from_utf8_lossy(&form);
    let csrf = form
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .context("no csrf field on the sign-in page")?;
    let body = format!(
        "email={}&password={}&csrf={csrf}&next=%2Fstaff",
        DEMO_ADMIN.replace('@', "%40"),
        DEMO_PASSWORD
    );
    let (status, headers, _) = answer(
        &mut conn,
        addr,
        "POST",
        "/staff/sign-in",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &cookie(&jar)),
        ],
        body.as_bytes(),
    )
    .await?;
    anyhow::ensure!(status == 303, "sign-in as {DEMO_ADMIN}: {status}");
    keep(&mut jar, &headers);
    let cookie = cookie(&jar);
    let mut out = Vec::new();
    for path in [
        "/staff".to_string(),
        "/staff/calendar".to_string(),
        "/staff/calendar/week".to_string(),
        "/staff/events".to_string(),
        "/staff/stats".to_string(),
        format!("/staff/sessions/{session}/registrations"),
        "/staff/day".to_string(),
    ] {
        let mut times = Vec::new();
        let mut last = 0;
        for i in 0..STAFF_ASKS + 2 {
            let asked = Instant::now();
            let (status, _) = exchange(
                &mut conn,
                addr,
                "GET",
                &path,
                &[("Cookie", &cookie), ("Accept-Encoding", "gzip, br")],
                b"",
            )
            .await?;
            // The first two warm the caches a long day keeps warm.
            if i >= 2 {
                times.push(asked.elapsed().as_secs_f64() * 1000.0);
            }
            last = status;
        }
        times.sort_by(f64::total_cmp);
        out.push((path, times[STAFF_ASKS / 2], last));
    }
    Ok(out)
}

/// What one request for `path` costs when the page must be rendered again
/// (the library's programme just changed): the median of five, in ms —
/// what grows with the library's history if anything does (issue 11 §6).
async fn cold(store: &Store, addr: SocketAddr, path: &str) -> Result<f64> {
    let mut conn = BufReader::new(TcpStream::connect(addr).await?);
    let actor = almanach_store::Actor::system(store.default_library_id().await?, "bench");
    let mut times = Vec::new();
    for _ in 0..5 {
        // The same library saved again: its programme version moves.
        let library = store.default_library().await?;
        store.update_library(&actor, &library).await?;
        let asked = Instant::now();
        let (status, _) = exchange(
            &mut conn,
            addr,
            "GET",
            path,
            &[("Accept-Encoding", "gzip, br")],
            b"",
        )
        .await?;
        times.push(asked.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(status == 200, "{path}: {status}");
    }
    times.sort_by(f64::total_cmp);
    Ok(times[2])
}

/// `connections` keep-alive clients asking for `path` for `time`.
async fn measure(
    addr: SocketAddr,
    path: &str,
    connections: usize,
    time: Duration,
) -> Result<Measure> {
    let started = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..connections.max(1) {
        let path = path.to_string();
        clients.push(tokio::spawn(async move {
            let mut conn = BufReader::new(TcpStream::connect(addr).await?);
            let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
            let mut latencies = Vec::new();
            let mut bytes = 0;
            while started.elapsed() < time {
                let asked = Instant::now();
                let (status, body) = exchange(
                    &mut conn,
                    addr,
                    "GET",
                    &path,
                    &[("Accept-Encoding", "gzip, deflate, br")],
                    b"",
                )
                .await?;
                latencies.push(asked.elapsed().as_micros() as u64);
                *statuses.entry(status).or_default() += 1;
                bytes = body.len();
            }
            anyhow::Ok((statuses, latencies, bytes))
        }));
    }
    let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
    let mut latencies = Vec::new();
    let mut bytes = 0;
    for c in clients {
        let (s, l, b) = c.await.context("a client panicked")??;
        for (status, n) in s {
            *statuses.entry(status).or_default() += n;
        }
        latencies.extend(l);
        bytes = b;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let p50 = latencies.get(latencies.len() / 2).copied().unwrap_or(0) as f64 / 1000.0;
    Ok(Measure {
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: p50,
        statuses,
        bytes,
    })
}
