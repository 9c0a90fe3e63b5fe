//! Integration and personal data over HTTP: schema.org JSON-LD on event
//! pages, the RSS feed, the embeddable agenda and the framing headers, seats
//! and registration in the JSON API, rate and length limits, the retention
//! notice on the form, and the staff's personal-data page.

use almanach_domain::ids::SessionId;
use std::str::FromStr;

use almanach_domain::calendar::{local_to_instant, paris};
use almanach_domain::programme::{AttendanceMode, EventStatus};
use almanach_domain::registration::RegistrationStatus;
use almanach_domain::staff::Role;
use almanach_store::{Room, Series, SessionWrite, Speaker, Target, now};
use almanach_web::{AppState, Rate, WebConfig, router, sha256_hex};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiff::Timestamp;
use jiff::civil::Time;
use serde_json::{Value, json};

use crate::app::{Client, Response, TestApp};
use crate::http_test;
use crate::public::{
    actor, day, event, form_key, on_registration, register, save, session, settings, workshop,
};

const DAY: i64 = 24 * 3600;

/// The same application with other settings.
fn configure(app: &mut TestApp, change: impl FnOnce(&mut WebConfig)) {
    let mut config = WebConfig {
        secure_cookies: false,
        ..WebConfig::default()
    };
    change(&mut config);
    app.router = router(AppState::new(app.store.clone(), config));
}

/// The `application/ld+json` script of a page, parsed.
fn json_ld(body: &str) -> Value {
    let open = "<script type=\"application/ld+json\">";
    let start = body.find(open).expect("a JSON-LD script") + open.len();
    let end = start + body[start..].find("</script>").unwrap();
    serde_json::from_str(&body[start..end])
        .unwrap_or_else(|e| panic!("JSON-LD does not parse ({e}): {}", &body[start..end]))
}

fn instant(v: &Value) -> i64 {
    let s = v.as_str().unwrap_or_else(|| panic!("not a date: {v}"));
    assert!(
        s.contains('T') && (s.ends_with("+01:00") || s.ends_with("+02:00")),
        "ISO 8601 with the Paris offset: {s}"
    );
    Timestamp::from_str(s).unwrap().as_second()
}

/// `days` from today at `h` o'clock in Paris.
fn at(days: i64, h: i8) -> i64 {
    local_to_instant(&paris(), day(days), Time::constant(h, 0, 0, 0))
        .unwrap()
        .as_second()
}

http_test!(
    async fn event_pages_describe_each_session_in_json_ld(app: TestApp) {
        // The library's address, through its settings page.
        let mut admin = app.signed_in(Role::Admin).await;
        app.get(&mut admin, "/staff/library").await;
        let address = [
            ("street_address", "3 rue des Capucins"),
            ("postal_code", "29200"),
            ("city", "Brest"),
            ("country", "fr"),
        ];
        let mut fields = vec![
            ("name", "Médiathèque des Capucins"),
            ("timezone", "Europe/Paris"),
        ];
        fields.extend(address);
        let r = app.post(&mut admin, "/staff/library", &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert!(
            app.get(&mut admin, "/staff/library")
                .await
                .body
                .contains("value=\"3 rue des Capucins\"")
        );

        let a = actor(&app);
        let lea = Speaker {
            name: "Léa Fontaine".into(),
            organisation: "Illustratrice".into(),
            email: "lea@example.org".into(),
            ..Default::default()
        };
        let speaker = app.store.save_speaker(&a, &lea).await.unwrap();
        let room = app
            .store
            .save_room(
                &a,
                &Room {
                    name: "Auditorium".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let title = "Dessiner avec l'IA </script><script>alert(1)</script> & « BD »";
        let e = event(&app, title, None, EventStatus::Published).await;
        // Free entry and free of charge, in the auditorium, with a speaker.
        let mut w = session(e.get(), 3, (10, 0), (11, 0));
        w.room_id = Some(room);
        w.speaker_ids = vec![speaker];
        let free = save(&app, w).await;
        // Full: its one seat taken since registration opened yesterday.
        let full = save(
            &app,
            on_registration(session(e.get(), 3, (14, 0), (15, 0)), 1),
        )
        .await;
        let opened = now() - DAY;
        settings(&app, full.get(), 1, Some(opened), None).await;
        let r = register(
            &app,
            &format!("/events/{e}/sessions/{full}/register"),
            &[("name", "Anne"), ("email", "anne@example.org")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let cancelled = save(&app, session(e.get(), 4, (10, 0), (11, 0))).await;
        app.store
            .set_session_cancelled(&a, cancelled, true)
            .await
            .unwrap();
        // For children of 4 to 10 with an adult, 5 €, also online; moved an hour later.
        let mut w = on_registration(session(e.get(), 5, (14, 0), (16, 0)), 12);
        (w.age_min, w.age_max, w.accompanied, w.price_cents) = (Some(4), Some(10), true, 500);
        w.attendance_mode = AttendanceMode::Hybrid;
        w.online_url = "https://visio.example/atelier".into();
        let kids = save(&app, w.clone()).await;
        let moved = SessionWrite {
            starts_at: w.starts_at + 3600,
            ends_at: w.ends_at + 3600,
            ..w.clone()
        };
        app.store
            .save_session(&a, Some(kids), &moved)
            .await
            .unwrap()
            .unwrap();

        let page = app
            .get(&mut Client::default(), &format!("/events/{e}"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            !page.body.contains("</script><script>alert"),
            "a title cannot close the script element"
        );
        let ld = json_ld(&page.body);
        let of = |id: i64| -> Value {
            let suffix = format!("/events/{e}#s{id}");
            ld.as_array()
                .unwrap()
                .iter()
                .find(|x| x["url"].as_str().unwrap().ends_with(&suffix))
                .cloned()
                .unwrap_or_else(|| panic!("no Event for {id}: {ld}"))
        };
        assert_eq!(ld.as_array().unwrap().len(), 4, "one Event per session");

        let f = of(free.get());
        assert_eq!(
            (f["@context"].as_str(), f["@type"].as_str()),
            (Some("https://schema.org"), Some("Event"))
        );
        assert_eq!(f["name"], title, "the title comes back whole once parsed");
        assert_eq!(f["description"], format!("Description de {title}."));
        assert_eq!(instant(&f["startDate"]), at(3, 10));
        assert_eq!(instant(&f["endDate"]), at(3, 11));
        assert_eq!(f["eventStatus"], "https://schema.org/EventScheduled");
        assert_eq!(
            f["eventAttendanceMode"],
            "https://schema.org/OfflineEventAttendanceMode"
        );
        assert_eq!(f["location"]["@type"], "Place");
        assert_eq!(
            f["location"]["name"],
            "Auditorium, Médiathèque des Capucins"
        );
        let postal = &f["location"]["address"];
        assert_eq!(postal["@type"], "PostalAddress");
        assert_eq!(
            (
                postal["streetAddress"].as_str(),
                postal["postalCode"].as_str()
            ),
            (Some("3 rue des Capucins"), Some("29200"))
        );
        assert_eq!(
            (
                postal["addressLocality"].as_str(),
                postal["addressCountry"].as_str()
            ),
            (Some("Brest"), Some("FR"))
        );
        let offer = &f["offers"];
        assert_eq!(
            (
                offer["@type"].as_str(),
                offer["price"].as_str(),
                offer["priceCurrency"].as_str()
            ),
            (Some("Offer"), Some("0"), Some("EUR"))
        );
        assert_eq!(
            offer["availability"], "https://schema.org/InStock",
            "free entry: come along"
        );
        assert!(offer.get("validFrom").is_none());
        assert_eq!(f["isAccessibleForFree"], true);
        assert_eq!(
            f["organizer"],
            json!({ "@type": "Organization", "name": "Médiathèque des Capucins", "url": "http://localhost/agenda" })
        );
        assert_eq!(f["performer"][0]["name"], "Léa Fontaine");
        assert_eq!(f["performer"][0]["affiliation"]["name"], "Illustratrice");
        assert!(
            !page.body.contains("lea@example.org"),
            "speakers' contact details stay private"
        );
        assert!(f.get("typicalAgeRange").is_none(), "all ages");

        let x = of(full.get());
        assert_eq!(x["offers"]["availability"], "https://schema.org/SoldOut");
        assert_eq!(
            instant(&x["offers"]["validFrom"]),
            opened,
            "registration opening"
        );
        assert_eq!(
            x["offers"]["url"],
            format!("http://localhost/events/{e}/sessions/{full}/register"),
            "the waiting list's form"
        );
        assert_eq!(x["offers"]["inventoryLevel"]["value"], 0);

        let c = of(cancelled.get());
        assert_eq!(c["eventStatus"], "https://schema.org/EventCancelled");
        assert_eq!(
            c["offers"]["availability"],
            "https://schema.org/Discontinued"
        );

        let k = of(kids.get());
        assert_eq!(k["typicalAgeRange"], "4-10");
        assert_eq!(
            (
                k["offers"]["price"].as_str(),
                k["isAccessibleForFree"].as_bool()
            ),
            (Some("5.00"), Some(false))
        );
        assert_eq!(k["offers"]["availability"], "https://schema.org/InStock");
        assert_eq!(
            k["eventAttendanceMode"],
            "https://schema.org/MixedEventAttendanceMode"
        );
        let places: Vec<&str> = k["location"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["@type"].as_str().unwrap())
            .collect();
        assert_eq!(places, ["Place", "VirtualLocation"]);
        assert_eq!(k["eventStatus"], "https://schema.org/EventRescheduled");
        assert_eq!(instant(&k["previousStartDate"]), w.starts_at);
        assert_eq!(instant(&k["startDate"]), w.starts_at + 3600);
        // Moved back to its first time, it is simply scheduled again.
        app.store
            .save_session(&a, Some(kids), &w)
            .await
            .unwrap()
            .unwrap();
        let ld = json_ld(
            &app.get(&mut Client::default(), &format!("/events/{e}"))
                .await
                .body,
        );
        let k = ld
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["url"].as_str().unwrap().ends_with(&format!("#s{kids}")))
            .unwrap();
        assert_eq!(k["eventStatus"], "https://schema.org/EventScheduled");
        assert!(k.get("previousStartDate").is_none());
    }
);

/// A feed's items as (title, link, category), checking on the way that it
/// is well-formed XML: every tag closed in order, every entity known, one
/// `rss` root.
fn rss_items(xml: &str) -> Vec<(String, String, Option<String>)> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut stack, mut text, mut items, mut roots) =
        (Vec::<String>::new(), String::new(), Vec::new(), 0);
    let mut item: Option<(String, String, Option<String>)> = None;
    loop {
        match reader.read_event().unwrap_or_else(|e| {
            panic!(
                "not well-formed at {}: {e}\n{xml}",
                reader.buffer_position()
            )
        }) {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                if stack.is_empty() {
                    roots += 1;
                    assert_eq!(name, "rss");
                }
                if name == "item" {
                    item = Some(Default::default());
                }
                stack.push(name);
                text.clear();
            }
            Event::Text(t) => text.push_str(&t),
            Event::GeneralRef(r) => text.push_str(&format!("&{};", &*r)),
            Event::End(e) => {
                let name = stack.pop().expect("an end tag without a start");
                assert_eq!(name.as_str(), e.name().as_ref());
                let value = quick_xml::escape::unescape(&text)
                    .unwrap_or_else(|e| panic!("bad entity in {text:?}: {e}"))
                    .into_owned();
                if let Some(it) = item.as_mut() {
                    match name.as_str() {
                        "title" => it.0 = value,
                        "link" => it.1 = value,
                        "category" => it.2 = Some(value),
                        "item" => items.push(item.take().unwrap()),
                        _ => {}
                    }
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty() && roots == 1, "unclosed {stack:?}");
    items
}

http_test!(
    async fn the_rss_feed_is_well_formed_xml_of_coming_sessions(app: TestApp) {
        let a = actor(&app);
        let samedis = app
            .store
            .save_series(
                &a,
                &Series {
                    name: "Samedis de l'innovation".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let e1 = event(
            &app,
            "Atelier <IA> & co\u{1}",
            Some(samedis),
            EventStatus::Published,
        )
        .await;
        let s1 = save(&app, session(e1.get(), 2, (14, 0), (15, 0))).await;
        let e2 = event(&app, "Rencontre « Société »", None, EventStatus::Published).await;
        save(&app, session(e2.get(), 3, (18, 0), (19, 0))).await;
        let draft = event(&app, "Brouillon", None, EventStatus::Draft).await;
        save(&app, session(draft.get(), 2, (10, 0), (11, 0))).await;
        let old = event(&app, "Séance passée", None, EventStatus::Published).await;
        save(&app, session(old.get(), -2, (10, 0), (11, 0))).await;

        let r = app.get(&mut Client::default(), "/agenda.rss").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(
            r.headers.get(header::CONTENT_TYPE).unwrap(),
            "application/rss+xml; charset=utf-8"
        );
        assert!(
            r.body
                .starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
        );
        assert!(
            !r.body.contains('\u{1}'),
            "no control character, which XML forbids even escaped"
        );
        let items = rss_items(&r.body);
        let titles: Vec<&str> = items.iter().map(|i| i.0.as_str()).collect();
        assert_eq!(titles.len(), 2, "{titles:?}");
        assert!(
            titles[0].starts_with("Atelier <IA> & co — "),
            "escaped, then read back: {titles:?}"
        );
        assert!(titles[1].starts_with("Rencontre « Société » — "));
        assert_eq!(
            items[0].1,
            format!("http://localhost/events/{e1}#s{s1}"),
            "absolute links"
        );
        assert_eq!(items[0].2.as_deref(), Some("Samedis de l'innovation"));
        assert!(
            r.body
                .contains("<atom:link href=\"http://localhost/agenda.rss\" rel=\"self\"")
        );
        // The agenda's filters apply, and the agenda links to its feed.
        let only = app
            .get(
                &mut Client::default(),
                &format!("/agenda.rss?series={samedis}"),
            )
            .await;
        assert_eq!(rss_items(&only.body).len(), 1);
        assert!(
            only.body
                .contains(&format!("/agenda.rss?series={samedis}\" rel=\"self\""))
        );
        let agenda = app
            .get(&mut Client::default(), &format!("/agenda?series={samedis}"))
            .await;
        assert!(
            agenda
                .body
                .contains(&format!("href=\"/agenda.rss?series={samedis}\""))
        );
        assert!(
            agenda
                .body
                .contains("rel=\"alternate\" type=\"application/rss+xml\"")
        );
    }
);

http_test!(
    async fn only_the_embeddable_agenda_may_be_framed(app: TestApp) {
        let mut app = app;
        let a = actor(&app);
        let series = app
            .store
            .save_series(
                &a,
                &Series {
                    name: "Points de l'IA".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        for (i, title) in ["Point 1", "Point 2", "Point 3"].iter().enumerate() {
            let e = event(&app, title, Some(series), EventStatus::Published).await;
            save(&app, session(e.get(), 2 + i as i64, (12, 0), (13, 0))).await;
        }
        let other = event(&app, "Hors cycle", None, EventStatus::Published).await;
        save(&app, session(other.get(), 1, (12, 0), (13, 0))).await;

        let r = app
            .get(
                &mut Client::default(),
                &format!("/embed/agenda?series={series}&limit=2"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.ends_with("; frame-ancestors *") && csp.contains("script-src 'self'"),
            "{csp}"
        );
        assert!(r.headers.get(header::X_FRAME_OPTIONS).is_none());
        assert_eq!(
            r.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
            "nosniff"
        );
        assert_eq!(
            r.body.matches("<li class=\"session").count(),
            2,
            "the limit"
        );
        assert!(
            r.body.contains("Point 1")
                && r.body.contains("Point 2")
                && !r.body.contains("Hors cycle"),
            "the filter"
        );
        assert!(
            r.body.contains("<base target=\"_top\">"),
            "links open in the whole window"
        );
        assert!(
            !r.body.contains("<nav") && !r.body.contains("<script"),
            "no navigation, no JavaScript"
        );
        assert!(r.body.contains("<html lang=\"fr\">") && r.body.contains("<h1>"));
        assert!(
            r.body
                .contains(&format!("href=\"/agenda?series={series}\"")),
            "to the whole agenda, same filter"
        );
        // Everything else refuses to be framed.
        let mut staff = app.signed_in(Role::Viewer).await;
        for path in [
            "/staff",
            "/staff/sign-in",
            "/agenda",
            &format!("/events/{other}"),
            "/api/v1/sessions",
            "/agenda.rss",
        ] {
            let r = app.get(&mut staff, path).await;
            assert_eq!(
                r.headers
                    .get(header::X_FRAME_OPTIONS)
                    .map(|v| v.to_str().unwrap()),
                Some("DENY"),
                "{path}"
            );
            let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
            assert!(csp.ends_with("; frame-ancestors 'none'"), "{path}: {csp}");
            assert_eq!(
                r.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(),
                "nosniff",
                "{path}"
            );
            assert_eq!(
                r.headers.get(header::REFERRER_POLICY).unwrap(),
                "same-origin",
                "{path}"
            );
        }
        // Framing can be kept to the city's site.
        configure(&mut app, |c| {
            c.frame_ancestors = "https://www.ville.example".into()
        });
        let r = app.get(&mut Client::default(), "/embed/agenda").await;
        let csp = r.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.ends_with("; frame-ancestors https://www.ville.example"),
            "{csp}"
        );
        assert_eq!(r.body.matches("<li class=\"session").count(), 4);
    }
);

fn registration_body(name: &str, email: &str, seats: i64, key: &str) -> Value {
    json!({ "name": name, "email": email, "seats": seats, "idempotency_key": key })
}

fn code(r: &Response) -> String {
    r.json()["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

http_test!(
    async fn the_api_tells_the_seats_and_takes_registrations(app: TestApp) {
        let a = actor(&app);
        let e = event(&app, "Atelier robots", None, EventStatus::Published).await;
        let s = save(
            &app,
            on_registration(session(e.get(), 7, (14, 0), (16, 0)), 2),
        )
        .await;
        settings(&app, s.get(), 2, None, None).await;
        let free = save(&app, session(e.get(), 8, (14, 0), (16, 0))).await;
        let soon = save(
            &app,
            on_registration(session(e.get(), 9, (14, 0), (16, 0)), 5),
        )
        .await;
        let opens = now() + 2 * DAY;
        settings(&app, soon.get(), 1, Some(opens), None).await;
        let closed = save(
            &app,
            on_registration(session(e.get(), 10, (14, 0), (16, 0)), 5),
        )
        .await;
        settings(&app, closed.get(), 1, None, Some(now() - 60)).await;

        let seats = |id: i64| {
            let app = &app;
            async move {
                app.api("GET", &format!("/api/v1/sessions/{id}"), None, None)
                    .await
                    .json()["seats"]
                    .clone()
            }
        };
        let st = seats(s.get()).await;
        assert_eq!(
            (
                st["capacity"].as_u64(),
                st["confirmed"].as_u64(),
                st["seats_left"].as_u64(),
                st["waiting"].as_u64()
            ),
            (Some(2), Some(0), Some(2), Some(0))
        );
        assert_eq!(
            (
                st["registration"].as_str(),
                st["max_seats_per_registration"].as_u64(),
                st["course"].as_bool()
            ),
            (Some("open"), Some(2), Some(false))
        );
        assert!(st["opens_at"].is_null() && st["closes_at"].is_string());
        assert_eq!(seats(free.get()).await["registration"], "free_entry");
        let st = seats(soon.get()).await;
        assert_eq!(st["registration"], "not_yet_open");
        assert_eq!(instant(&st["opens_at"]), opens);
        assert_eq!(seats(closed.get()).await["registration"], "closed");

        let post = |id: i64, body: Value| {
            let app = &app;
            async move {
                app.api(
                    "POST",
                    &format!("/api/v1/sessions/{id}/registrations"),
                    None,
                    Some(body),
                )
                .await
            }
        };
        let key = "0b9c8c5e-1d5a-4a3e-9d0f-5a4b3c2d1e0f";
        let r = post(
            s.get(),
            registration_body("Anne Dupont", "Anne@Example.org", 1, key),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let first = r.json();
        assert_eq!(
            (
                first["status"].as_str(),
                first["seats"].as_u64(),
                first["session_id"].as_i64()
            ),
            (Some("confirmed"), Some(1), Some(s.get()))
        );
        assert!(first["position"].is_null());
        let link = first["private_link"].as_str().unwrap().to_string();
        let token = link
            .strip_prefix("http://localhost/r/")
            .unwrap_or_else(|| panic!("{link}"));
        assert!(token.len() == 64 && !link.contains(key));
        assert_ne!(
            token,
            sha256_hex(&format!("link:{key}")),
            "not derived from the client's key"
        );
        let page = app
            .get(&mut Client::default(), &format!("/r/{token}"))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("anne@example.org"));
        // The same request again: the same answer, nothing more saved.
        let again = post(
            s.get(),
            registration_body("Anne Dupont", "anne@example.org", 1, key),
        )
        .await;
        assert_eq!(again.status, StatusCode::OK);
        assert_eq!(again.json(), first, "the same link too");
        // The key with someone else's e-mail: keys are scoped by e-mail, so
        // this is Bob's own registration, never a way to Anne's link.
        let r = post(s.get(), registration_body("Bob", "bob@example.org", 1, key)).await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert_ne!(
            r.json()["private_link"],
            first["private_link"],
            "Bob never gets Anne's link"
        );
        // The same e-mail with a new key.
        let r = post(
            s.get(),
            registration_body("Anne", "ANNE@example.org", 1, "another-key-for-anne-0001"),
        )
        .await;
        assert_eq!(
            (r.status, code(&r)),
            (StatusCode::CONFLICT, "already_registered".to_string())
        );
        // Invalid fields, each named, nothing saved.
        let r = post(
            s.get(),
            json!({ "name": " ", "email": "pas-un-email", "seats": 3, "idempotency_key": "court" }),
        )
        .await;
        assert_eq!(
            (r.status, code(&r)),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed".to_string()
            )
        );
        let mut fields: Vec<String> = r.json()["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        fields.sort();
        assert_eq!(fields, ["email", "idempotency_key", "name", "seats"]);
        let r = post(s.get(), json!({ "name": "X", "email": "x@example.org", "seats": 1, "idempotency_key": "unknown-field-000001", "admin": true })).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        // Full (Anne and Bob): the next party waits, and says where.
        let r = post(
            s.get(),
            registration_body("Chloé", "chloe@example.org", 2, "chloe-key-000000001"),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED);
        assert_eq!(
            (r.json()["status"].as_str(), r.json()["position"].as_u64()),
            (Some("waiting"), Some(1))
        );
        let st = seats(s.get()).await;
        assert_eq!(
            (
                st["registration"].as_str(),
                st["seats_left"].as_u64(),
                st["waiting"].as_u64()
            ),
            (Some("full"), Some(0), Some(1))
        );
        assert_eq!(
            app.store
                .list_registrations(app.library_id, Target::Session(s))
                .await
                .unwrap()
                .len(),
            3
        );
        // Sessions that take no registration now, in French or English.
        for id in [soon, closed, free] {
            let r = post(
                id.get(),
                registration_body(
                    "Dan",
                    "dan@example.org",
                    1,
                    &format!("dan-key-{id}-00000000"),
                ),
            )
            .await;
            assert_eq!(
                (r.status, code(&r)),
                (StatusCode::CONFLICT, "registration_closed".to_string()),
                "{id}"
            );
        }
        let r = post(
            soon.get(),
            registration_body("Dan", "dan@example.org", 1, "dan-key-soon-00000000"),
        )
        .await;
        assert!(
            r.json()["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("Les inscriptions ouvrent le"),
            "{}",
            r.body
        );
        // Drafts and unknown sessions do not exist for the public.
        let draft = event(&app, "Brouillon", None, EventStatus::Draft).await;
        let hidden = save(
            &app,
            on_registration(session(draft.get(), 7, (10, 0), (11, 0)), 5),
        )
        .await;
        assert_eq!(
            post(
                hidden.get(),
                registration_body("Eve", "eve@example.org", 1, "eve-key-000000000001")
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            post(
                999_999,
                registration_body("Eve", "eve@example.org", 1, "eve-key-000000000002")
            )
            .await
            .status,
            StatusCode::NOT_FOUND
        );
        // A course registers through its event; another event is not a course.
        let course = event(
            &app,
            "Robotique en trois samedis",
            None,
            EventStatus::Published,
        )
        .await;
        for week in 1..=3 {
            save(
                &app,
                on_registration(session(course.get(), 7 * week, (10, 0), (12, 0)), 8),
            )
            .await;
        }
        app.store.set_course(&a, course, true).await.unwrap();
        let r = app
            .api(
                "POST",
                &format!("/api/v1/events/{course}/registrations"),
                None,
                Some(registration_body(
                    "Farid",
                    "farid@example.org",
                    1,
                    "farid-key-00000001",
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert!(r.json()["session_id"].is_null());
        let r = app
            .api(
                "POST",
                &format!("/api/v1/events/{e}/registrations"),
                None,
                Some(registration_body(
                    "Farid",
                    "farid@example.org",
                    1,
                    "farid-key-00000002",
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Children's ages are checked against the audience.
        let kids = event(&app, "Atelier 6-12 ans", None, EventStatus::Published).await;
        let mut w = on_registration(session(kids.get(), 7, (10, 0), (12, 0)), 8);
        (w.age_min, w.age_max) = (Some(6), Some(12));
        let k = save(&app, w).await;
        settings(&app, k.get(), 2, None, None).await;
        let mut body = registration_body("Gaëlle", "gaelle@example.org", 2, "gaelle-key-00000001");
        body["children_ages"] = json!([5, 8]);
        let r = post(k.get(), body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"]["fields"][0]["field"], "children_ages");
        body["children_ages"] = json!([7, 8]);
        assert_eq!(post(k.get(), body).await.status, StatusCode::CREATED);
        // The OpenAPI document says all this.
        let doc = app
            .api("GET", "/api/v1/openapi.json", None, None)
            .await
            .json();
        let op = &doc["paths"]["/api/v1/sessions/{id}/registrations"]["post"];
        for status in ["200", "201", "404", "409", "422", "429"] {
            assert!(op["responses"].get(status).is_some(), "{status} documented");
        }
        assert!(doc["paths"]["/api/v1/events/{id}/registrations"]["post"].is_object());
        assert!(
            doc["components"]["schemas"]["SeatsOut"]["properties"]["registration"]["enum"]
                .is_array()
        );
    }
);

/// The request as it arrives from the TCP peer `ip` (`almanach serve`
/// gives handlers the peer's address).
fn from_peer(req: &mut Request<Body>, ip: &str) {
    let peer: std::net::SocketAddr = format!("{ip}:50000").parse().unwrap();
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
}

/// Posts a registration form from the client address `ip`.
async fn register_from(app: &TestApp, path: &str, ip: &str, name: &str, email: &str) -> Response {
    let mut c = Client::default();
    let key = form_key(&app.get(&mut c, path).await.body);
    let body =
        serde_html_form::to_string([("name", name), ("email", email), ("key", key.as_str())])
            .unwrap();
    let mut req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    from_peer(&mut req, ip);
    app.send(&mut c, req).await
}

http_test!(
    async fn registrations_are_rate_limited_per_address_and_per_email(app: TestApp) {
        let mut app = app;
        configure(&mut app, |c| {
            c.rate_limit_ip = "3/min".parse().unwrap();
            c.rate_limit_email = "2/hour".parse().unwrap();
        });
        let (e, s) = workshop(&app, "Atelier", 50, 1).await;
        let path = format!("/events/{e}/sessions/{s}/register");
        for i in 0..3 {
            let r = register_from(
                &app,
                &path,
                "203.0.113.5",
                "Anne",
                &format!("a{i}@example.org"),
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        let r = register_from(&app, &path, "203.0.113.5", "Anne Quatre", "a4@example.org").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = r
            .headers
            .get(header::RETRY_AFTER)
            .unwrap()
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(
            r.body
                .contains("Trop de tentatives en peu de temps : réessayez dans 1 min."),
            "{}",
            r.body
        );
        assert!(
            r.body.contains("role=\"alert\"") && r.body.contains("value=\"Anne Quatre\""),
            "next to the form, as typed"
        );
        // Another address is counted apart.
        assert_eq!(
            register_from(&app, &path, "203.0.113.6", "Bruno", "b@example.org")
                .await
                .status,
            StatusCode::SEE_OTHER
        );

        // One e-mail over several sessions, from several addresses.
        let mut paths = Vec::new();
        for title in ["Atelier A", "Atelier B", "Atelier C"] {
            let (e, s) = workshop(&app, title, 10, 1).await;
            paths.push((s, format!("/events/{e}/sessions/{s}/register")));
        }
        assert_eq!(
            register_from(
                &app,
                &paths[0].1,
                "198.51.100.1",
                "Famille",
                "famille@example.org"
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            register_from(
                &app,
                &paths[1].1,
                "198.51.100.2",
                "Famille",
                "Famille@example.org"
            )
            .await
            .status,
            StatusCode::SEE_OTHER
        );
        let r = register_from(
            &app,
            &paths[2].1,
            "198.51.100.3",
            "Famille",
            "famille@example.org",
        )
        .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.body.contains("Trop de tentatives"));
        // The API shares the limits.
        let mut req = Request::post(format!("/api/v1/sessions/{}/registrations", paths[2].0))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(
                registration_body("Famille", "famille@example.org", 1, "famille-key-000001")
                    .to_string(),
            ))
            .unwrap();
        from_peer(&mut req, "198.51.100.4");
        let r = app.send(&mut Client::default(), req).await;
        assert_eq!(
            (r.status, code(&r)),
            (StatusCode::TOO_MANY_REQUESTS, "rate_limited".to_string())
        );
        assert!(r.headers.get(header::RETRY_AFTER).is_some());
        assert!(
            app.store
                .list_registrations(app.library_id, Target::Session(SessionId(paths[2].0)))
                .await
                .unwrap()
                .is_empty(),
            "nothing saved"
        );

        // A benchmark lifts the limits.
        configure(&mut app, |c| {
            (c.rate_limit_ip, c.rate_limit_email) = (Rate::OFF, Rate::OFF)
        });
        let (e, s) = workshop(&app, "Atelier ouvert", 50, 1).await;
        let path = format!("/events/{e}/sessions/{s}/register");
        for i in 0..8 {
            let r = register_from(
                &app,
                &path,
                "203.0.113.5",
                "Anne",
                &format!("rush{i}@example.org"),
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{i}");
        }
    }
);

http_test!(
    async fn public_input_is_bounded_and_answered_next_to_the_field(app: TestApp) {
        let e = event(&app, "Atelier BD", None, EventStatus::Published).await;
        let mut w = on_registration(session(e.get(), 7, (14, 0), (16, 0)), 10);
        (w.age_min, w.age_max) = (Some(6), Some(12));
        let s = save(&app, w).await;
        settings(&app, s.get(), 4, None, None).await;
        let path = format!("/events/{e}/sessions/{s}/register");
        let long_email = format!("{}@example.org", "a".repeat(250));
        let long_ages = "8, ".repeat(25);
        let cases = [
            ("name", "n".repeat(121)),
            ("email", long_email),
            ("phone", "0".repeat(31)),
            ("ages", long_ages),
            ("seats", "9".into()),
        ];
        for (field, value) in &cases {
            let mut fields = vec![
                ("name", "Anne"),
                ("email", "anne@example.org"),
                ("seats", "1"),
                ("ages", "8"),
            ];
            fields.retain(|(k, _)| k != field);
            fields.push((*field, value.as_str()));
            let r = register(&app, &path, &fields).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
            assert!(
                r.body.contains(&format!("id=\"e-{field}\"")),
                "{field}: {}",
                r.body
            );
        }
        // A body far larger than any form is refused unread.
        let mut c = Client::default();
        let key = form_key(&app.get(&mut c, &path).await.body);
        let big = "x".repeat(20_000);
        let r = app
            .post(
                &mut c,
                &path,
                &[
                    ("name", "Anne"),
                    ("email", "anne@example.org"),
                    ("key", &key),
                    ("website", &big),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        let api = app.api("POST", &format!("/api/v1/sessions/{s}/registrations"), None, Some(json!({ "name": big, "email": "x@example.org", "seats": 1, "idempotency_key": "big-body-0000000001" }))).await;
        assert!(api.status.is_client_error(), "{}", api.status);
        let r = app
            .api(
                "POST",
                &format!("/api/v1/sessions/{s}/registrations"),
                None,
                Some(registration_body(
                    &"n".repeat(121),
                    "x@example.org",
                    1,
                    "long-name-00000001",
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(r.json()["error"]["fields"][0]["field"], "name");
        assert!(
            app.store
                .list_registrations(app.library_id, Target::Session(s))
                .await
                .unwrap()
                .is_empty(),
            "nothing saved"
        );
    }
);

http_test!(
    async fn the_form_says_how_long_data_is_kept_as_configured(app: TestApp) {
        let mut app = app;
        configure(&mut app, |c| c.retention_days = 30);
        let e = event(&app, "Atelier", None, EventStatus::Published).await;
        let mut w = on_registration(session(e.get(), 7, (14, 0), (16, 0)), 10);
        (w.age_min, w.age_max) = (Some(6), Some(12));
        let s = save(&app, w).await;
        let path = format!("/events/{e}/sessions/{s}/register");
        let body = app
            .get(&mut Client::default(), &path)
            .await
            .body
            .replace("&#39;", "'");
        for notice in [
            "Effacé 30 jours après la séance",
            "il est effacé 30 jours après la séance",
            "Effacés 30 jours après la séance",
        ] {
            assert!(body.contains(notice), "{notice}");
        }
        assert!(!body.contains("90 jours") && !body.contains("3 mois"));
        let mut c = Client::default();
        app.get(&mut c, "/lang/en?next=%2Fagenda").await;
        assert!(
            app.get(&mut c, &path)
                .await
                .body
                .contains("it is erased 30 days after the session")
        );
    }
);

http_test!(
    async fn staff_find_export_and_erase_one_persons_data(app: TestApp) {
        let (e1, s1) = workshop(&app, "Atelier complet", 1, 1).await;
        let (e2, s2) = workshop(&app, "Autre atelier", 10, 1).await;
        for (e, s, name, email) in [
            (e1, s1, "Anne Dupont", "anne@example.org"),
            (e1, s1, "Bruno", "bruno@example.org"),
            (e2, s2, "Anne D.", "Anne@Example.org"),
        ] {
            let r = register(
                &app,
                &format!("/events/{e}/sessions/{s}/register"),
                &[("name", name), ("email", email)],
            )
            .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
        }
        let speaker = Speaker {
            name: "Anne Dupont".into(),
            email: "anne@example.org".into(),
            ..Default::default()
        };
        app.store
            .save_speaker(&actor(&app), &speaker)
            .await
            .unwrap();

        let mut mediator = app.signed_in(Role::Mediator).await;
        assert_eq!(
            app.get(&mut mediator, "/staff/personal-data?email=anne@example.org")
                .await
                .status,
            StatusCode::FORBIDDEN
        );
        assert!(
            !app.get(&mut mediator, "/staff")
                .await
                .body
                .contains("/staff/personal-data")
        );

        let mut c = app.signed_in(Role::Coordinator).await;
        let r = app
            .get(&mut c, "/staff/personal-data?email=ANNE%40example.org")
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
        for shown in [
            "Atelier complet",
            "Autre atelier",
            "Anne D.",
            "aria-current=\"page\"",
        ] {
            assert!(r.body.contains(shown), "{shown}");
        }
        assert!(!r.body.contains("Bruno"), "only this person");
        let r = app
            .get(&mut c, "/staff/personal-data?email=pas-un-email")
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"e-email\""));

        let x = app
            .get(&mut c, "/staff/personal-data/export?email=anne@example.org")
            .await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(
            x.headers
                .get(header::CONTENT_DISPOSITION)
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
        let data = x.json();
        assert_eq!(data["email"], "anne@example.org");
        let names: Vec<&str> = data["registrations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Anne Dupont", "Anne D."]);
        assert_eq!(data["speakers"][0]["name"], "Anne Dupont");
        assert!(
            data["registrations"][0]["registered_at"]
                .as_str()
                .unwrap()
                .contains('T')
        );

        // Erasing asks for confirmation first.
        app.get(&mut c, "/staff/personal-data?email=anne@example.org")
            .await;
        let r = app
            .post(
                &mut c,
                "/staff/personal-data/erase",
                &[("email", "anne@example.org")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"e-confirm\""));
        assert_eq!(
            app.store
                .personal_data(app.library_id, "anne@example.org")
                .await
                .unwrap()
                .registrations
                .len(),
            2
        );
        let r = app
            .post(
                &mut c,
                "/staff/personal-data/erase",
                &[("email", "anne@example.org"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(
            r.location(),
            "/staff/personal-data?email=anne%40example.org&done=erased"
        );
        let after = app.get(&mut c, r.location()).await;
        assert!(
            after.body.contains("Données personnelles effacées.")
                && !after.body.contains("Anne D.")
        );
        assert!(
            app.store
                .personal_data(app.library_id, "anne@example.org")
                .await
                .unwrap()
                .registrations
                .is_empty()
        );
        let list = app
            .store
            .list_registrations(app.library_id, Target::Session(SessionId(s1)))
            .await
            .unwrap();
        assert!(list.iter().any(|r| r.anonymised
            && r.name.is_empty()
            && r.status == RegistrationStatus::Cancelled));
        assert_eq!(
            list.iter().find(|r| r.name == "Bruno").unwrap().status,
            RegistrationStatus::Confirmed,
            "her seat went to the waiting list"
        );
        let audit = app
            .store
            .audit_log(app.library_id, Some(("personal_data", 0)), 10)
            .await
            .unwrap();
        assert_eq!(
            audit.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(),
            ["erase", "export"]
        );
        assert!(
            audit
                .iter()
                .all(|a| a.actor == "coordinator@mediatheque.test")
        );
        assert!(
            !serde_json::to_string(&audit)
                .unwrap()
                .contains("anne@example.org"),
            "audited without the address"
        );
    }
);
