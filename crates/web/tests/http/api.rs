//! The JSON API: what the public and tokens see, what each role may write,
//! errors as JSON, the audit trail, and an OpenAPI document that matches
//! the routes.

use almanach_domain::ids::{EventId, SessionId};
use std::collections::BTreeSet;

use almanach_domain::staff::Role;
use almanach_store::Actor;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::app::{Client, Response, TestApp};
use crate::http_test;

/// A token of `role` named `name`, held by a new staff member of that role;
/// returns the secret and the token's id.
async fn token_named(app: &TestApp, role: Role, name: &str) -> (String, i64) {
    let email = format!("{name}@api.test");
    let staff_id = app.add_staff(&email, role).await;
    let secret = format!("secret-{name}-{staff_id}");
    let hash: String = Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let actor = Actor {
        library_id: app.library_id,
        staff_id: Some(staff_id),
        label: email,
    };
    let id = app
        .store
        .create_api_token(&actor, name, role, &hash)
        .await
        .unwrap();
    (secret, id)
}

pub(crate) async fn token(app: &TestApp, role: Role) -> String {
    token_named(app, role, role.slug()).await.0
}

/// Sends `body` as JSON, checks the status, and returns the answer's JSON.
async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
    want: StatusCode,
) -> Value {
    let r = app.api(method, path, token, body).await;
    assert_eq!(r.status, want, "{method} {path}: {}", r.body);
    assert_json(&r);
    r.json()
}

fn assert_json(r: &Response) {
    let ct = r
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(
        ct.starts_with("application/json"),
        "content type {ct:?}: {}",
        r.body
    );
}

/// A raw request, for bodies that are not JSON and for headers.
async fn raw(
    app: &TestApp,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Response {
    let mut b = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    app.send(
        &mut Client::default(),
        b.body(Body::from(body.to_string())).unwrap(),
    )
    .await
}

fn ids(v: &Value) -> BTreeSet<i64> {
    v.as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}

fn set(v: &[i64]) -> BTreeSet<i64> {
    v.iter().copied().collect()
}

fn error_code(v: &Value) -> &str {
    v["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code: {v}"))
}

async fn event(app: &TestApp, tok: &str, title: &str, extra: Value) -> i64 {
    let mut body = json!({"title": title});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    call(
        app,
        "POST",
        "/api/v1/events",
        Some(tok),
        Some(body),
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

async fn session(app: &TestApp, tok: &str, event_id: EventId, date: &str, extra: Value) -> i64 {
    let mut body = json!({"kind": "talk", "date": date, "start": "14:00", "end": "15:30"});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let path = format!("/api/v1/events/{event_id}/sessions");
    call(
        app,
        "POST",
        &path,
        Some(tok),
        Some(body),
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

http_test!(
    async fn the_public_reads_published_events_only_and_a_token_reads_drafts(app: TestApp) {
        let admin = token(&app, Role::Admin).await;
        let viewer = token(&app, Role::Viewer).await;
        let published = event(
            &app,
            &admin,
            "Samedi de l'innovation",
            json!({"status": "published"}),
        )
        .await;
        let draft = event(&app, &admin, "Atelier en préparation", json!({})).await;
        let shown = session(
            &app,
            &admin,
            EventId(published),
            "2025-01-18",
            json!({"age_min": 14, "capacity": "80", "price": 7.5}),
        )
        .await;
        let hidden = session(&app, &admin, EventId(draft), "2025-01-25", json!({})).await;

        let list = call(&app, "GET", "/api/v1/sessions", None, None, StatusCode::OK).await;
        assert_eq!(ids(&list), set(&[shown]));
        let s = &list[0];
        assert_eq!(s["start"], "2025-01-18T14:00:00+01:00");
        assert_eq!(s["end"], "2025-01-18T15:30:00+01:00");
        assert_eq!(s["local_date"], "2025-01-18");
        assert_eq!(s["title"], "Samedi de l'innovation");
        assert_eq!(
            (
                s["kind"].as_str(),
                s["status"].as_str(),
                s["cancelled"].as_bool()
            ),
            (Some("talk"), Some("published"), Some(false))
        );
        assert_eq!(s["audience"]["label_fr"], "à partir de 14\u{a0}ans");
        assert_eq!(s["audience"]["label_en"], "ages 14 and up");
        assert_eq!(
            (s["capacity"].as_i64(), s["price_cents"].as_i64()),
            (Some(80), Some(750))
        );
        assert!(s["room"].is_null() && s["series"].is_null());

        let r = call(
            &app,
            "GET",
            &format!("/api/v1/sessions/{hidden}"),
            None,
            None,
            StatusCode::NOT_FOUND,
        )
        .await;
        assert_eq!(error_code(&r), "not_found");
        call(
            &app,
            "GET",
            &format!("/api/v1/events/{draft}"),
            None,
            None,
            StatusCode::NOT_FOUND,
        )
        .await;
        let events = call(&app, "GET", "/api/v1/events", None, None, StatusCode::OK).await;
        assert_eq!(ids(&events), set(&[published]));
        let r = call(
            &app,
            "GET",
            "/api/v1/sessions?status=draft",
            None,
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            ids(&r),
            set(&[]),
            "asking does not show drafts to the public"
        );

        let list = call(
            &app,
            "GET",
            "/api/v1/sessions",
            Some(&viewer),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(ids(&list), set(&[shown, hidden]));
        let e = call(
            &app,
            "GET",
            &format!("/api/v1/events/{draft}"),
            Some(&viewer),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            (e["status"].as_str(), ids(&e["sessions"])),
            (Some("draft"), set(&[hidden]))
        );
        let events = call(
            &app,
            "GET",
            "/api/v1/events",
            Some(&viewer),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(ids(&events), set(&[published, draft]));
    }
);

http_test!(
    async fn each_filter_narrows_the_sessions(app: TestApp) {
        let t = token(&app, Role::Admin).await;
        let post = |path: &'static str, body: Value| {
            let t = t.clone();
            let app = &app;
            async move {
                call(app, "POST", path, Some(&t), Some(body), StatusCode::CREATED).await["id"]
                    .as_i64()
                    .unwrap()
            }
        };
        let r1 = post(
            "/api/v1/rooms",
            json!({"name": "Auditorium", "capacity": 120}),
        )
        .await;
        let r2 = post("/api/v1/rooms", json!({"name": "Espace numérique"})).await;
        let series = post(
            "/api/v1/series",
            json!({"name": "Samedis de l'innovation", "colour": "#aa3300"}),
        )
        .await;
        let theme = post(
            "/api/v1/themes",
            json!({"title": "Images génératives", "categories": ["image"]}),
        )
        .await;
        let e1 = event(
            &app,
            &t,
            "Samedi IA",
            json!({"series_id": series, "status": "published"}),
        )
        .await;
        let e2 = event(&app, &t, "Point de l'IA", json!({"status": "published"})).await;
        let e3 = event(&app, &t, "Brouillon", json!({})).await;
        let s1 = session(
            &app,
            &t,
            EventId(e1),
            "2025-01-18",
            json!({"room_id": r1, "theme_ids": [theme], "age_min": "14"}),
        )
        .await;
        let s2 = session(
            &app,
            &t,
            EventId(e1),
            "2025-02-08",
            json!({"room_id": r2, "kind": "workshop", "age_min": 4, "age_max": 10}),
        )
        .await;
        let s3 = session(&app, &t, EventId(e2), "2025-03-15", json!({})).await;
        let s4 = session(&app, &t, EventId(e3), "2025-01-25", json!({})).await;
        let s5 = session(&app, &t, EventId(e2), "2025-03-22", json!({})).await;
        let r = call(
            &app,
            "POST",
            &format!("/api/v1/sessions/{s5}/cancel"),
            Some(&t),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(r["cancelled"], true);

        let (by_series, by_theme) = (format!("?series={series}"), format!("?theme={theme}"));
        let (in_r1, in_r2) = (format!("?room={r1}"), format!("?room={r2}"));
        let cases: [(&str, &[i64]); 15] = [
            ("", &[s1, s2, s3, s4]),
            ("?from=2025-02-01", &[s2, s3]),
            ("?to=2025-01-31", &[s1, s4]),
            ("?from=2025-02-08&to=2025-02-08", &[s2]),
            (&by_series, &[s1, s2]),
            (&by_theme, &[s1]),
            (&in_r1, &[s1]),
            (&in_r2, &[s2]),
            ("?age=8", &[s2, s3, s4]),
            ("?age=15", &[s1, s3, s4]),
            ("?status=draft", &[s4]),
            ("?status=published", &[s1, s2, s3]),
            ("?status=cancelled", &[s5]),
            ("?limit=2", &[s1, s4]),
            ("?limit=2&offset=1", &[s4, s2]),
        ];
        for (query, want) in cases {
            let r = call(
                &app,
                "GET",
                &format!("/api/v1/sessions{query}"),
                Some(&t),
                None,
                StatusCode::OK,
            )
            .await;
            assert_eq!(ids(&r), set(want), "{query}");
        }
        let r = call(
            &app,
            "GET",
            "/api/v1/sessions?status=cancelled",
            None,
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            ids(&r),
            set(&[s5]),
            "the public sees a published event's cancelled session when asking"
        );
        let r = call(
            &app,
            "GET",
            "/api/v1/sessions?from=2025-02-01&to=2025-01-31",
            Some(&t),
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(ids(&r), set(&[]), "an empty span");
        let r = call(
            &app,
            "GET",
            "/api/v1/sessions?to=2025-01-31",
            None,
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(ids(&r), set(&[s1]));
        let r = call(
            &app,
            "GET",
            &format!("/api/v1/sessions/{s1}"),
            None,
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            r["series"],
            json!({"id": series, "name": "Samedis de l'innovation", "colour": "#aa3300"})
        );
        assert_eq!(r["room"], json!({"id": r1, "name": "Auditorium"}));
        assert_eq!(r["theme_ids"], json!([theme]));
        let events = call(
            &app,
            "GET",
            &format!("/api/v1/events?series={series}"),
            None,
            None,
            StatusCode::OK,
        )
        .await;
        assert_eq!(ids(&events), set(&[e1]));
    }
);

/// Every write the API offers, with a body that would be valid.
fn writes(event_id: i64, session_id: i64) -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        (
            "POST",
            "/api/v1/events".into(),
            Some(json!({"title": "Nouvel événement"})),
        ),
        (
            "PATCH",
            format!("/api/v1/events/{event_id}"),
            Some(json!({"title": "Renommé"})),
        ),
        (
            "POST",
            format!("/api/v1/events/{event_id}/sessions"),
            Some(json!({"kind": "talk", "date": "2025-02-01", "start": "10:00", "end": "11:00"})),
        ),
        (
            "PATCH",
            format!("/api/v1/sessions/{session_id}"),
            Some(json!({"capacity": 5})),
        ),
        (
            "POST",
            format!("/api/v1/sessions/{session_id}/cancel"),
            None,
        ),
        (
            "POST",
            "/api/v1/rooms".into(),
            Some(json!({"name": "Salle pirate"})),
        ),
        (
            "POST",
            "/api/v1/series".into(),
            Some(json!({"name": "Cycle pirate"})),
        ),
        (
            "POST",
            "/api/v1/themes".into(),
            Some(json!({"title": "Thème pirate"})),
        ),
        (
            "POST",
            "/api/v1/speakers".into(),
            Some(json!({"name": "Intervenant pirate"})),
        ),
    ]
}

http_test!(
    async fn a_token_writes_only_what_its_role_allows(app: TestApp) {
        let admin = token(&app, Role::Admin).await;
        let e = event(&app, &admin, "Rencontre", json!({})).await;
        let s = session(&app, &admin, EventId(e), "2025-01-18", json!({})).await;
        let viewer = token(&app, Role::Viewer).await;
        let (revoked, revoked_id) = token_named(&app, Role::Admin, "old-script").await;
        let actor = Actor::system(app.library_id, "test");
        app.store
            .revoke_api_token(&actor, revoked_id)
            .await
            .unwrap();
        let audit_before = app
            .store
            .audit_log(app.library_id, None, 1000)
            .await
            .unwrap()
            .len();
        for (method, path, body) in writes(e, s) {
            let r = call(
                &app,
                method,
                &path,
                Some(&viewer),
                body.clone(),
                StatusCode::FORBIDDEN,
            )
            .await;
            assert_eq!(error_code(&r), "forbidden");
            let r = call(
                &app,
                method,
                &path,
                None,
                body.clone(),
                StatusCode::UNAUTHORIZED,
            )
            .await;
            assert_eq!(error_code(&r), "unauthorized");
            let r = call(
                &app,
                method,
                &path,
                Some(&revoked),
                body.clone(),
                StatusCode::UNAUTHORIZED,
            )
            .await;
            assert_eq!(error_code(&r), "unauthorized");
            call(
                &app,
                method,
                &path,
                Some("not-a-token"),
                body,
                StatusCode::UNAUTHORIZED,
            )
            .await;
        }
        assert_eq!(
            app.store
                .audit_log(app.library_id, None, 1000)
                .await
                .unwrap()
                .len(),
            audit_before,
            "nothing written"
        );
        assert_eq!(
            app.store
                .session(app.library_id, SessionId(s))
                .await
                .unwrap()
                .capacity,
            None
        );

        // Reading: an invalid token is refused rather than read as the public;
        // the speakers' contacts need a token of any role.
        call(
            &app,
            "GET",
            "/api/v1/sessions",
            Some(&revoked),
            None,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        call(
            &app,
            "GET",
            "/api/v1/speakers",
            None,
            None,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        call(
            &app,
            "GET",
            "/api/v1/speakers",
            Some(&viewer),
            None,
            StatusCode::OK,
        )
        .await;

        let mediator = token(&app, Role::Mediator).await;
        let mine = event(&app, &mediator, "Atelier du médiateur", json!({})).await;
        session(&app, &mediator, EventId(mine), "2025-02-01", json!({})).await;
        call(
            &app,
            "POST",
            "/api/v1/themes",
            Some(&mediator),
            Some(json!({"title": "Chatbots"})),
            StatusCode::CREATED,
        )
        .await;
        for (path, body) in [
            ("/api/v1/rooms", json!({"name": "Salle"})),
            ("/api/v1/series", json!({"name": "Cycle"})),
        ] {
            let r = call(
                &app,
                "POST",
                path,
                Some(&mediator),
                Some(body),
                StatusCode::FORBIDDEN,
            )
            .await;
            assert_eq!(error_code(&r), "forbidden");
        }
        assert!(
            app.store
                .list_rooms(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            app.store
                .list_series(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

http_test!(
    async fn refused_input_is_json_with_field_codes_and_nothing_is_saved(app: TestApp) {
        let t = token(&app, Role::Coordinator).await;
        let e = event(&app, &t, "Rencontre", json!({})).await;
        let path = format!("/api/v1/events/{e}/sessions");
        let bad = json!({"kind": "talk", "date": "2025-01-18", "start": "15:00", "end": "14:00", "capacity": 0});
        let r = call(
            &app,
            "POST",
            &path,
            Some(&t),
            Some(bad.clone()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(error_code(&r), "validation_failed");
        let fields = r["error"]["fields"].as_array().unwrap();
        assert!(
            fields.contains(&json!({"field": "end", "code": "error.end_before_start", "message": "La fin doit être après le début."})),
            "{r}"
        );
        assert!(
            fields
                .iter()
                .any(|f| f["field"] == "capacity" && f["code"] == "error.capacity"),
            "{r}"
        );
        // The same in English.
        let auth = format!("Bearer {t}");
        let headers = [
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
            ("accept-language", "en-GB,en;q=0.9"),
        ];
        let r = raw(&app, "POST", &path, &headers, &bad.to_string()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields = r.json()["error"]["fields"].clone();
        assert!(
            fields
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["message"] == "The end must be after the start."),
            "{fields}"
        );
        assert_eq!(
            r.json()["error"]["message"],
            "Some fields are invalid; nothing was saved."
        );
        // Unknown references, control characters, lengths.
        let r = call(&app, "POST", &path, Some(&t), Some(json!({"kind": "party", "date": "2025-01-18", "start": "14:00", "end": "15:00", "room_id": -4, "theme_ids": [999]})), StatusCode::UNPROCESSABLE_ENTITY).await;
        let codes: BTreeSet<(String, String)> = r["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["field"].as_str().unwrap().to_string(),
                    f["code"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        for want in [
            ("kind", "error.choose"),
            ("room_id", "error.unknown_record"),
            ("theme_ids", "error.unknown_record"),
        ] {
            assert!(
                codes.contains(&(want.0.to_string(), want.1.to_string())),
                "{want:?} in {codes:?}"
            );
        }
        // The API takes one spelling of dates and times, within sane years.
        for (date, start, field, code) in [
            ("18/01/2025", "14:00", "date", "error.api_date"),
            ("2025-02-30", "14:00", "date", "error.api_date"),
            ("9999-01-18", "14:00", "date", "error.api_date"),
            ("2025-01-18", "14h", "start", "error.api_time"),
            ("2025-01-18", "24:00", "start", "error.api_time"),
        ] {
            let body = json!({"kind": "talk", "date": date, "start": start, "end": "23:00"});
            let r = call(
                &app,
                "POST",
                &path,
                Some(&t),
                Some(body),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
            assert_eq!(
                r["error"]["fields"],
                json!([{"field": field, "code": code, "message": r["error"]["fields"][0]["message"]}]),
                "{date} {start}"
            );
        }
        let r = call(
            &app,
            "POST",
            "/api/v1/events",
            Some(&t),
            Some(json!({"title": "  ", "description": "a\u{0}b"})),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(r["error"]["fields"][0]["code"], "error.required");
        assert_eq!(r["error"]["fields"][1]["code"], "error.control_chars");
        let r = call(
            &app,
            "POST",
            "/api/v1/rooms",
            Some(&t),
            Some(json!({"name": "x".repeat(121)})),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(r["error"]["fields"][0]["code"], "error.too_long");
        assert!(
            app.store
                .session_page(app.library_id, &Default::default())
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            app.store
                .list_events(app.library_id, None, 10)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            app.store
                .list_rooms(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
        // A taken name is a conflict on its field.
        call(
            &app,
            "POST",
            "/api/v1/rooms",
            Some(&t),
            Some(json!({"name": "Auditorium"})),
            StatusCode::CREATED,
        )
        .await;
        let r = call(
            &app,
            "POST",
            "/api/v1/rooms",
            Some(&t),
            Some(json!({"name": "Auditorium"})),
            StatusCode::CONFLICT,
        )
        .await;
        assert_eq!(
            (error_code(&r), &r["error"]["fields"][0]["code"]),
            ("conflict", &json!("error.name_taken"))
        );
    }
);

http_test!(
    async fn a_room_taken_at_that_time_is_a_409_naming_the_other_session(app: TestApp) {
        let t = token(&app, Role::Admin).await;
        let room = call(
            &app,
            "POST",
            "/api/v1/rooms",
            Some(&t),
            Some(json!({"name": "Auditorium"})),
            StatusCode::CREATED,
        )
        .await["id"]
            .clone();
        let e1 = event(&app, &t, "Conférence IA", json!({})).await;
        let e2 = event(&app, &t, "Atelier", json!({})).await;
        let first = session(
            &app,
            &t,
            EventId(e1),
            "2025-01-18",
            json!({"room_id": room}),
        )
        .await;
        let path = format!("/api/v1/events/{e2}/sessions");
        let body = json!({"kind": "workshop", "date": "2025-01-18", "start": "15:00", "end": "16:00", "room_id": room});
        let r = call(
            &app,
            "POST",
            &path,
            Some(&t),
            Some(body),
            StatusCode::CONFLICT,
        )
        .await;
        assert_eq!(error_code(&r), "room_clash");
        assert_eq!(r["error"]["session_id"], first);
        assert!(
            r["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Conférence IA"),
            "{r}"
        );
        let page = almanach_store::api_queries::SessionPage {
            event_id: Some(EventId(e2)),
            limit: 10,
            ..Default::default()
        };
        assert!(
            app.store
                .session_page(app.library_id, &page)
                .await
                .unwrap()
                .is_empty()
        );
        // Touching is no clash; moving the first away frees the room.
        session(
            &app,
            &t,
            EventId(e2),
            "2025-01-18",
            json!({"room_id": room, "start": "15:30", "end": "16:30"}),
        )
        .await;
        call(
            &app,
            "PATCH",
            &format!("/api/v1/sessions/{first}"),
            Some(&t),
            Some(json!({"start": "15:00", "end": "16:00"})),
            StatusCode::CONFLICT,
        )
        .await;
        let r = call(
            &app,
            "PATCH",
            &format!("/api/v1/sessions/{first}"),
            Some(&t),
            Some(json!({"room_id": null, "start": "15:00", "end": "16:00", "capacity": "30"})),
            StatusCode::OK,
        )
        .await;
        assert_eq!(
            (r["room"].clone(), r["capacity"].clone(), r["kind"].clone()),
            (Value::Null, json!(30), json!("talk")),
            "the rest kept"
        );
    }
);

http_test!(
    async fn a_calendar_warning_refuses_until_confirmed(app: TestApp) {
        let t = token(&app, Role::Mediator).await;
        let e = event(&app, &t, "Point de l'IA", json!({})).await;
        let path = format!("/api/v1/events/{e}/sessions");
        let may_day =
            json!({"kind": "talk", "date": "2025-05-01", "start": "14:00", "end": "15:00"});
        let r = call(
            &app,
            "POST",
            &path,
            Some(&t),
            Some(may_day.clone()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(error_code(&r), "calendar_warning");
        assert_eq!(r["error"]["fields"][0]["code"], "warning.public_holiday");
        assert!(
            r["error"]["fields"][0]["message"]
                .as_str()
                .unwrap()
                .contains("férié"),
            "{r}"
        );
        let page = almanach_store::api_queries::SessionPage {
            event_id: Some(EventId(e)),
            limit: 10,
            ..Default::default()
        };
        assert!(
            app.store
                .session_page(app.library_id, &page)
                .await
                .unwrap()
                .is_empty()
        );
        let mut confirmed = may_day;
        confirmed["confirm_warnings"] = json!(true);
        let s = call(
            &app,
            "POST",
            &path,
            Some(&t),
            Some(confirmed),
            StatusCode::CREATED,
        )
        .await["id"]
            .as_i64()
            .unwrap();
        // Changing something else does not ask again; moving it does.
        call(
            &app,
            "PATCH",
            &format!("/api/v1/sessions/{s}"),
            Some(&t),
            Some(json!({"capacity": 12})),
            StatusCode::OK,
        )
        .await;
        let other = session(&app, &t, EventId(e), "2025-05-02", json!({})).await;
        let r = call(
            &app,
            "PATCH",
            &format!("/api/v1/sessions/{other}"),
            Some(&t),
            Some(json!({"date": "2025-12-25"})),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(error_code(&r), "calendar_warning");
    }
);

http_test!(
    async fn unreadable_requests_answer_json_not_plain_text(app: TestApp) {
        let t = token(&app, Role::Admin).await;
        let auth = format!("Bearer {t}");
        let json_headers = [
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
        ];
        for body in [
            "{not json",
            "{\"title\": 5}",
            "[]",
            "{\"title\": \"x\", \"colour_of_sky\": 1}",
        ] {
            let r = raw(&app, "POST", "/api/v1/events", &json_headers, body).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
            assert_json(&r);
            assert_eq!(error_code(&r.json()), "bad_request");
            assert!(r.json()["error"]["detail"].is_string());
        }
        let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(3 << 20));
        let r = raw(&app, "POST", "/api/v1/events", &json_headers, &huge).await;
        assert_eq!(
            (r.status, error_code(&r.json()).to_string()),
            (StatusCode::BAD_REQUEST, "bad_request".into()),
            "a body over 2 MB"
        );
        let r = raw(
            &app,
            "POST",
            "/api/v1/events",
            &[("authorization", auth.as_str())],
            "{\"title\": \"x\"}",
        )
        .await;
        assert_eq!(
            (r.status, error_code(&r.json()).to_string()),
            (StatusCode::BAD_REQUEST, "bad_request".into()),
            "no content type"
        );
        for query in [
            "limit=abc",
            "limit=0",
            "limit=501",
            "offset=-1",
            "offset=1000001",
            "from=2025-13-01",
            "to=hier",
            "age=300",
            "age=121",
            "status=maybe",
            "series=1e99",
            "room=99999999999999999999",
        ] {
            let r = raw(&app, "GET", &format!("/api/v1/sessions?{query}"), &[], "").await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}: {}", r.body);
            assert_json(&r);
        }
        for path in [
            "/api/v1/sessions/abc",
            "/api/v1/events/99999999999999999999",
        ] {
            let r = raw(&app, "GET", path, &[], "").await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
            assert_json(&r);
        }
        let r = raw(&app, "GET", "/api/v1/nothing/here", &[], "").await;
        assert_eq!(
            (r.status, error_code(&r.json()).to_string()),
            (StatusCode::NOT_FOUND, "not_found".into())
        );
        let r = raw(
            &app,
            "DELETE",
            "/api/v1/sessions",
            &[("accept-language", "en")],
            "",
        )
        .await;
        assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_json(&r);
        assert_eq!(
            r.json()["error"]["message"],
            "This method is not accepted at this address."
        );
        let r = raw(&app, "GET", "/api/v1/sessions/-3", &[], "").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
);

http_test!(
    async fn writes_are_in_the_audit_trail_under_the_token_name(app: TestApp) {
        let (t, _) = token_named(&app, Role::Coordinator, "agenda-sync").await;
        let e = event(&app, &t, "Semaine du numérique", json!({})).await;
        let s = session(&app, &t, EventId(e), "2025-03-04", json!({})).await;
        call(
            &app,
            "PATCH",
            &format!("/api/v1/events/{e}"),
            Some(&t),
            Some(json!({"status": "published"})),
            StatusCode::OK,
        )
        .await;
        call(
            &app,
            "POST",
            &format!("/api/v1/sessions/{s}/cancel"),
            Some(&t),
            None,
            StatusCode::OK,
        )
        .await;
        let log = app
            .store
            .audit_log(app.library_id, Some(("event", e)), 10)
            .await
            .unwrap();
        let actions: Vec<_> = log
            .iter()
            .map(|l| (l.actor.as_str(), l.action.as_str()))
            .collect();
        assert_eq!(
            actions,
            [
                ("api:agenda-sync", "publish"),
                ("api:agenda-sync", "create")
            ]
        );
        let log = app
            .store
            .audit_log(app.library_id, Some(("session", s)), 10)
            .await
            .unwrap();
        let actions: Vec<_> = log
            .iter()
            .map(|l| (l.actor.as_str(), l.action.as_str()))
            .collect();
        assert_eq!(
            actions,
            [("api:agenda-sync", "cancel"), ("api:agenda-sync", "create")]
        );
    }
);

http_test!(
    async fn the_openapi_document_lists_every_route_and_its_errors(app: TestApp) {
        let doc = call(
            &app,
            "GET",
            "/api/v1/openapi.json",
            None,
            None,
            StatusCode::OK,
        )
        .await;
        assert!(
            doc["openapi"].as_str().unwrap().starts_with("3."),
            "{}",
            doc["openapi"]
        );
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
        let mut operations = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                operations.insert(format!("{} {path}", method.to_uppercase()));
                let responses = op["responses"].as_object().unwrap();
                if path.ends_with("openapi.json") {
                    continue;
                }
                let mut want = vec!["400", "401", "500", "503"];
                if method != "get" {
                    want.extend(["403"]);
                }
                if method != "get" && !path.ends_with("/cancel") {
                    want.extend(["409", "422"]);
                }
                if path.contains("{id}") {
                    want.push("404");
                }
                // Public registration takes no token, like the public form.
                if path.ends_with("/registrations") {
                    want = vec!["400", "404", "409", "422", "429", "500", "503"];
                }
                for status in want {
                    let r = &responses
                        .get(status)
                        .unwrap_or_else(|| panic!("{method} {path}: no {status}"));
                    assert_eq!(
                        r["content"]["application/json"]["schema"]["$ref"],
                        "#/components/schemas/ErrorBody",
                        "{method} {path} {status}"
                    );
                }
                let busy = responses["503"]["description"].as_str().unwrap();
                assert!(
                    busy.starts_with("busy") && busy.contains("Retry-After"),
                    "{method} {path}: {busy}"
                );
            }
        }
        let expected: BTreeSet<String> = [
            "GET /api/v1/openapi.json",
            "GET /api/v1/sessions",
            "GET /api/v1/sessions/{id}",
            "PATCH /api/v1/sessions/{id}",
            "POST /api/v1/sessions/{id}/cancel",
            "GET /api/v1/events",
            "POST /api/v1/events",
            "GET /api/v1/events/{id}",
            "PATCH /api/v1/events/{id}",
            "POST /api/v1/events/{id}/sessions",
            "POST /api/v1/sessions/{id}/registrations",
            "POST /api/v1/events/{id}/registrations",
            "GET /api/v1/series",
            "POST /api/v1/series",
            "GET /api/v1/themes",
            "POST /api/v1/themes",
            "GET /api/v1/rooms",
            "POST /api/v1/rooms",
            "GET /api/v1/speakers",
            "POST /api/v1/speakers",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        assert_eq!(operations, expected);
        let error = &doc["components"]["schemas"]["ErrorDetail"];
        assert!(
            error["properties"]["code"]["enum"]
                .as_array()
                .unwrap()
                .contains(&json!("room_clash"))
        );
        assert!(
            error["properties"]["code"]["enum"]
                .as_array()
                .unwrap()
                .contains(&json!("busy"))
        );

        // Every documented operation is served: reads answer, writes ask for a token
        // (public registration excepted).
        let admin = token(&app, Role::Admin).await;
        let e = event(&app, &admin, "Rencontre", json!({"status": "published"})).await;
        let s = session(&app, &admin, EventId(e), "2025-01-18", json!({})).await;
        for op in &operations {
            let (method, path) = op.split_once(' ').unwrap();
            let path = path.replace(
                "{id}",
                &if path.starts_with("/api/v1/events") {
                    e
                } else {
                    s
                }
                .to_string(),
            );
            let r = raw(
                &app,
                method,
                &path,
                &[("content-type", "application/json")],
                "{}",
            )
            .await;
            let want = match (method, path.ends_with("/registrations")) {
                ("GET", _) if !path.ends_with("speakers") => StatusCode::OK,
                // No token needed; an empty body lacks the person.
                (_, true) => StatusCode::BAD_REQUEST,
                _ => StatusCode::UNAUTHORIZED,
            };
            assert_eq!(r.status, want, "{op}: {}", r.body);
            assert_json(&r);
        }
    }
);

http_test!(
    async fn nothing_is_routed_under_the_api_that_the_document_does_not_list(app: TestApp) {
        // The other way round from the test above: every method the
        // document does not give a path is refused there as not allowed
        // (405, so the path itself is routed), and a path next to the
        // documented ones is not found.
        let doc = call(
            &app,
            "GET",
            "/api/v1/openapi.json",
            None,
            None,
            StatusCode::OK,
        )
        .await;
        let paths = doc["paths"].as_object().unwrap();
        assert!(paths.keys().all(|p| p.starts_with("/api/v1/")), "{paths:?}");
        for (path, item) in paths {
            let documented: BTreeSet<String> = item
                .as_object()
                .unwrap()
                .keys()
                .map(|m| m.to_uppercase())
                .collect();
            let path = path.replace("{id}", "1");
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] {
                let r = raw(
                    &app,
                    method,
                    &path,
                    &[("content-type", "application/json")],
                    "{}",
                )
                .await;
                if documented.contains(method) {
                    assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
                } else {
                    assert_eq!(
                        r.status,
                        StatusCode::METHOD_NOT_ALLOWED,
                        "{method} {path} is routed but not documented: {}",
                        r.body
                    );
                    assert_json(&r);
                }
            }
        }
        for path in [
            "/api/v1",
            "/api/v1/",
            "/api/v1/session",
            "/api/v1/sessions/1/registrations/1",
            "/api/v1/events/1/cancel",
            "/api/v1/registrations",
            "/api/v1/docs",
            "/api/v2/sessions",
        ] {
            let r = app.api("GET", path, None, None).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{path}: {}", r.body);
        }
    }
);

/// Serves the API on `ALMANACH_FUZZ_LISTEN` (default 127.0.0.1:8765) over a
/// fresh database (PostgreSQL when `ALMANACH_FUZZ_BACKEND=postgres`) with a
/// few records, and writes an admin token to `ALMANACH_FUZZ_TOKEN_FILE`:
/// a server for schemathesis where the binary is not at hand.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "serves until killed; run by hand to fuzz the API"]
async fn serve_for_fuzzing() {
    let backend = match std::env::var("ALMANACH_FUZZ_BACKEND").as_deref() {
        Ok("postgres") => almanach_store::Backend::Postgres,
        _ => almanach_store::Backend::Sqlite,
    };
    let app = TestApp::spawn(backend).await.expect("a database");
    let admin = token(&app, Role::Admin).await;
    let room = call(
        &app,
        "POST",
        "/api/v1/rooms",
        Some(&admin),
        Some(json!({"name": "Auditorium"})),
        StatusCode::CREATED,
    )
    .await;
    call(
        &app,
        "POST",
        "/api/v1/series",
        Some(&admin),
        Some(json!({"name": "Samedis de l'innovation"})),
        StatusCode::CREATED,
    )
    .await;
    call(
        &app,
        "POST",
        "/api/v1/themes",
        Some(&admin),
        Some(json!({"title": "Images génératives"})),
        StatusCode::CREATED,
    )
    .await;
    call(
        &app,
        "POST",
        "/api/v1/speakers",
        Some(&admin),
        Some(json!({"name": "Camille Durand"})),
        StatusCode::CREATED,
    )
    .await;
    let e = event(
        &app,
        &admin,
        "Samedi de l'innovation",
        json!({"status": "published"}),
    )
    .await;
    session(
        &app,
        &admin,
        EventId(e),
        "2025-01-18",
        json!({"room_id": room["id"]}),
    )
    .await;
    if let Ok(path) = std::env::var("ALMANACH_FUZZ_TOKEN_FILE") {
        std::fs::write(path, &admin).unwrap();
    }
    let listen = std::env::var("ALMANACH_FUZZ_LISTEN").unwrap_or_else(|_| "127.0.0.1:8765".into());
    let listener = tokio::net::TcpListener::bind(&listen).await.unwrap();
    eprintln!("serving on http://{listen}/api/v1/openapi.json");
    axum::serve(listener, app.router.clone()).await.unwrap();
}
