//! A rush on one workshop through two `almanach serve` processes sharing one
//! PostgreSQL database (a network's installation behind a load balancer):
//! hundreds of concurrent registrations over real HTTP, half to each server.
//! Confirmed seats never exceed the capacity and fill it exactly; the waiting
//! list keeps one gap-free order; a double-submitted form registers once.
//! PostgreSQL comes from ALMANACH_TEST_POSTGRES (mandatory in CI).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use almanach_domain::calendar::paris;
use almanach_domain::registration::{RegistrationSettings, RegistrationStatus};
use almanach_store::{Actor, Backend, SessionWrite, Store, Target};
use jiff::ToSpan;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CAPACITY: u32 = 40;
const REQUESTS: usize = 300;

struct Server(Child, String);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `almanach serve` on a free port; returns it with its address.
fn serve(db: &str, data_dir: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_almanach"))
        .args([
            "--database",
            db,
            "--data-dir",
            data_dir.to_str().unwrap(),
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--rate-limit-ip",
            "0",
            "--rate-limit-email",
            "0",
        ])
        .env("ALMANACH_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the server prints its address")
            .unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server(child, addr)
}

/// One form POST over a fresh connection; the status code.
async fn post(addr: &str, path: &str, body: &str) -> u16 {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).await.unwrap();
    let head = String::from_utf8_lossy(&answer);
    head.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn key(i: usize) -> String {
    format!("{:064x}", 0xa1a1_0000_u64 + i as u64)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(
    not(almanach_postgres_tests),
    ignore = "PostgreSQL: set ALMANACH_TEST_POSTGRES"
)]
async fn two_servers_on_one_postgres_never_overbook() {
    let db = almanach_store::testing::fresh_url(Backend::Postgres)
        .await
        .expect("postgres");
    let store = Store::open(&db).await.unwrap();
    let lib = store.default_library().await.unwrap().id;
    let actor = Actor::system(lib, "test");
    let event_id = store
        .save_event(
            &actor,
            &almanach_store::testing::published("Atelier en famille"),
        )
        .await
        .unwrap();
    let day = jiff::Zoned::now()
        .with_time_zone(paris())
        .date()
        .checked_add(10.days())
        .unwrap();
    let w = almanach_store::testing::session_write(event_id, day, 14, 16);
    let w = SessionWrite {
        capacity: Some(CAPACITY),
        registration_required: true,
        ..w
    };
    let session_id = store.save_session(&actor, None, &w).await.unwrap().unwrap();
    store
        .set_registration_settings(
            &actor,
            session_id,
            &RegistrationSettings {
                opens_at: None,
                closes_at: None,
                max_seats: 3,
            },
        )
        .await
        .unwrap();

    let data = std::env::temp_dir().join(format!("almanach-rush-{}", std::process::id()));
    std::fs::create_dir_all(&data).unwrap();
    let (a, b) = (serve(&db, &data), serve(&db, &data));
    let path = Arc::new(format!("/events/{event_id}/sessions/{session_id}/register"));

    let mut tasks = Vec::new();
    for i in 0..REQUESTS {
        let addr = if i % 2 == 0 { a.1.clone() } else { b.1.clone() };
        let path = path.clone();
        // The first ten forms are also sent a second time, to the other server.
        let twice = (i < 10).then(|| if i % 2 == 0 { b.1.clone() } else { a.1.clone() });
        tasks.push(tokio::spawn(async move {
            let seats = 1 + i % 3;
            let body = format!("name=Personne+{i}&email=p{i}%40example.org&phone=&seats={seats}&ages=&website=&key={}", key(i));
            let first = tokio::spawn({
                let (addr, path, body) = (addr.clone(), path.clone(), body.clone());
                async move { post(&addr, &path, &body).await }
            });
            let second = match twice {
                Some(other) => Some(post(&other, &path, &body).await),
                None => None,
            };
            (first.await.unwrap(), second)
        }));
    }
    for t in tasks {
        let (first, second) = t.await.unwrap();
        assert_eq!(first, 303, "every registration is answered with its page");
        if let Some(s) = second {
            assert_eq!(s, 303, "a repeated form leads to the same page");
        }
    }

    let all = store
        .list_registrations(lib, Target::Session(session_id))
        .await
        .unwrap();
    assert_eq!(
        all.len(),
        REQUESTS,
        "one registration per form, the repeated ones included once"
    );
    let confirmed: u32 = all
        .iter()
        .filter(|r| r.status == RegistrationStatus::Confirmed)
        .map(|r| r.seats)
        .sum();
    assert_eq!(
        confirmed, CAPACITY,
        "the seats are exactly filled, never more"
    );
    let mut positions: Vec<u32> = all
        .iter()
        .filter(|r| r.status == RegistrationStatus::Waiting)
        .filter_map(|r| r.position)
        .collect();
    positions.sort_unstable();
    assert_eq!(
        positions,
        (1..=positions.len() as u32).collect::<Vec<_>>(),
        "the waiting list has one order, without gaps"
    );
    let _ = std::fs::remove_dir_all(&data);
}
