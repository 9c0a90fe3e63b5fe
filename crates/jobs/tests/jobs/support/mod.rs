//! What the mail tests share: the test SMTP server, reading MIME back, a
//! worker wired to either, the public web app holding the same link key,
//! and sessions to register for.

#![allow(dead_code)]

pub mod mime;
pub mod smtp;

use almanach_domain::calendar::{local_to_instant, paris};
use almanach_domain::ids::{EventId, LibraryId, SessionId};
use almanach_domain::link::LinkKey;
use almanach_domain::registration::RegistrationSettings;
use almanach_jobs::{MailSettings, Transport, Worker};
use almanach_store::{Actor, Event, SessionWrite, Store};
use almanach_web::{AppState, WebConfig, router};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use jiff::civil::{Date, Time};
use tower::ServiceExt;

pub const PUBLIC: &str = "http://agenda.test";

pub fn key() -> LinkKey {
    LinkKey::from_bytes([7; 32])
}

pub fn settings() -> MailSettings {
    MailSettings::new(
        "Médiathèque <agenda@mediatheque.test>".parse().unwrap(),
        PUBLIC,
        key(),
    )
}

pub fn smtp_worker(store: &Store, server: &smtp::TestSmtp, settings: MailSettings) -> Worker {
    Worker::new(
        store.clone(),
        Transport::smtp(&server.url(), Some("agenda.test")).unwrap(),
        settings,
    )
}

pub fn actor(store_library: LibraryId) -> Actor {
    Actor::system(store_library, "test")
}

/// The library-local date `days` from today.
pub fn day(days: i64) -> Date {
    jiff::Zoned::now()
        .with_time_zone(paris())
        .date()
        .checked_add(jiff::Span::new().days(days))
        .unwrap()
}

pub fn at(d: Date, h: i8, m: i8) -> i64 {
    local_to_instant(&paris(), d, Time::constant(h, m, 0, 0))
        .unwrap()
        .as_second()
}

/// A published workshop "Atelier robotique" on `d`, 14:00 to 16:00 Paris
/// time, in the Salle Jules Verne, with `capacity` seats, one per registration.
pub async fn workshop(
    store: &Store,
    lib: LibraryId,
    capacity: u32,
    d: Date,
) -> (EventId, SessionId) {
    let a = actor(lib);
    let e = Event {
        description: "Construire et programmer un petit robot.".into(),
        ..almanach_store::testing::published("Atelier robotique")
    };
    let e = store.save_event(&a, &e).await.unwrap();
    let room = store
        .save_room(
            &a,
            &almanach_store::Room {
                name: "Salle Jules Verne".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let w = SessionWrite {
        room_id: Some(room),
        capacity: Some(capacity),
        registration_required: true,
        ..almanach_store::testing::session_write(e, d, 14, 16)
    };
    let s = store.save_session(&a, None, &w).await.unwrap().unwrap();
    store
        .set_registration_settings(
            &a,
            s,
            &RegistrationSettings {
                opens_at: None,
                closes_at: None,
                max_seats: 1,
            },
        )
        .await
        .unwrap();
    (e, s)
}

/// The public web application, holding the workers' link key.
pub struct Web {
    router: axum::Router,
}

pub struct Page {
    pub status: StatusCode,
    pub location: String,
    pub body: String,
}

impl Web {
    pub fn new(store: &Store) -> Web {
        let config = WebConfig {
            secure_cookies: false,
            link_key: key(),
            public_url: Some(PUBLIC.into()),
            ..WebConfig::default()
        };
        Web {
            router: router(AppState::new(store.clone(), config)),
        }
    }

    pub async fn send(&self, req: Request<Body>) -> Page {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let location = res
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec())
            .unwrap();
        Page {
            status,
            location,
            body,
        }
    }

    pub async fn get(&self, path: &str) -> Page {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    /// Registers through the public form, in `lang` ("fr" or "en"); returns
    /// where the answer leads (the private link, after a new registration).
    pub async fn register(
        &self,
        event: EventId,
        session: SessionId,
        name: &str,
        email: &str,
        lang: &str,
    ) -> Page {
        let path = format!("/events/{event}/sessions/{session}/register");
        let form = self
            .send(
                Request::get(&path)
                    .header(header::COOKIE, format!("almanach_lang={lang}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.body);
        let key = form
            .body
            .split("name=\"key\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let fields = [
            ("name", name),
            ("email", email),
            ("phone", ""),
            ("seats", "1"),
            ("ages", ""),
            ("website", ""),
            ("key", &key),
        ];
        let body = serde_form(&fields);
        let req = Request::post(&path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, format!("almanach_lang={lang}"))
            .body(Body::from(body))
            .unwrap();
        self.send(req).await
    }
}

fn serde_form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            let enc: String = v
                .bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            format!("{k}={enc}")
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The private link in a text: `http://agenda.test/r/<64 hex>`.
pub fn private_link(text: impl AsRef<str>) -> Option<String> {
    let text = text.as_ref();
    let start = text.find(&format!("{PUBLIC}/r/"))?;
    let link: String = text[start..].chars().take(PUBLIC.len() + 3 + 64).collect();
    link[PUBLIC.len() + 3..]
        .bytes()
        .all(|b| b.is_ascii_hexdigit())
        .then_some(link)
        .filter(|l| l.len() == PUBLIC.len() + 67)
}

/// Runs scripts/ical-check.py on one calendar when ALMANACH_ICAL_CHECKER
/// names a Python with the `icalendar` package.
pub fn independent_check(ics: &str, uid: &str, local_start: &str) {
    let Ok(python) = std::env::var("ALMANACH_ICAL_CHECKER") else {
        // CI sets it up (.ci/run): there, a missing checker is a failure.
        assert!(
            std::env::var_os("CI").is_none(),
            "ALMANACH_ICAL_CHECKER must be set in CI"
        );
        eprintln!(
            "ALMANACH_ICAL_CHECKER is not set: the icalendar parser was not run (structure checked in Rust)"
        );
        return;
    };
    let path = std::env::temp_dir().join(format!(
        "almanach-mail-{}-{}.ics",
        std::process::id(),
        jiff::Timestamp::now().as_nanosecond()
    ));
    std::fs::write(&path, ics).unwrap();
    let out = std::process::Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../scripts/ical-check.py"
        ))
        .arg("--file")
        .arg(&path)
        .arg("--local-start")
        .arg(format!("{uid}={local_start}"))
        .output()
        .expect("run the iCalendar checker");
    std::fs::remove_file(&path).ok();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim() == "ok",
        "the icalendar parser refused: {said}"
    );
}
