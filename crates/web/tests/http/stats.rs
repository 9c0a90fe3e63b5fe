//! The statistics dashboard and the season review through the router: the
//! period and series chosen in the address, figures, charts, breakdowns,
//! the review as page, PDF and CSV; who reads them, who sees costs.

use almanach_domain::attendance::Headcount;
use almanach_domain::programme::{AttendanceMode, EventStatus, SessionKind};
use almanach_domain::staff::Role;
use almanach_store::{Actor, Event, Series, SessionWrite, Theme};
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::app::{Client, TestApp};
use crate::http_test;

/// A download that is not text (the PDF): status, headers and bytes.
async fn get_bytes(app: &TestApp, c: &Client, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let cookies = c
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let req = Request::get(path)
        .header(header::COOKIE, cookies)
        .body(Body::empty())
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (
        status,
        headers,
        res.into_body().collect().await.unwrap().to_bytes().to_vec(),
    )
}

fn actor(app: &TestApp) -> Actor {
    Actor::system(app.library_id, "test")
}

/// A counted session of `series` on `day`.
async fn counted(
    app: &TestApp,
    series: i64,
    kind: SessionKind,
    day: &str,
    themes: Vec<i64>,
    people: (u32, u32),
    cost_cents: i64,
) {
    let e = Event {
        id: 0,
        series_id: Some(series),
        title: "E".into(),
        description: String::new(),
        picture_url: String::new(),
        status: EventStatus::Published,
    };
    let e = app.store.save_event(&actor(app), &e).await.unwrap();
    let d: jiff::civil::Date = day.parse().unwrap();
    let start = d
        .at(14, 0, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .unwrap()
        .timestamp()
        .as_second();
    let w = SessionWrite {
        event_id: e,
        kind,
        starts_at: start,
        ends_at: start + 3600,
        local_date: day.into(),
        room_id: None,
        capacity: None,
        age_min: None,
        age_max: None,
        accompanied: false,
        price_cents: 0,
        registration_required: false,
        attendance_mode: AttendanceMode::InPerson,
        online_url: String::new(),
        theme_ids: themes,
        speaker_ids: vec![],
        lead_ids: vec![],
    };
    let id = app
        .store
        .save_session(&actor(app), None, &w)
        .await
        .unwrap()
        .unwrap();
    let h = Headcount::new(Some(people.0), Some(people.1), None, None).unwrap();
    app.store.set_headcount(&actor(app), id, &h).await.unwrap();
    if cost_cents > 0 {
        app.store
            .set_session_cost(&actor(app), id, cost_cents)
            .await
            .unwrap();
    }
}

/// Two seasons of two series: 2023-2024 and 2024-2025.
async fn history(app: &TestApp) {
    let a = actor(app);
    let samedis = app
        .store
        .save_series(
            &a,
            &Series {
                name: "Samedis de l'innovation".into(),
                ..Series::default()
            },
        )
        .await
        .unwrap();
    let points = app
        .store
        .save_series(
            &a,
            &Series {
                name: "Points de l'IA".into(),
                ..Series::default()
            },
        )
        .await
        .unwrap();
    let image = app
        .store
        .save_theme(
            &a,
            &Theme {
                title: "Créer des images".into(),
                categories: vec!["image".into()],
                ..Theme::default()
            },
        )
        .await
        .unwrap();
    counted(
        app,
        samedis,
        SessionKind::Talk,
        "2024-01-20",
        vec![],
        (60, 0),
        0,
    )
    .await;
    counted(
        app,
        samedis,
        SessionKind::Talk,
        "2024-10-19",
        vec![],
        (73, 3),
        120_000,
    )
    .await;
    counted(
        app,
        samedis,
        SessionKind::Workshop,
        "2024-10-19",
        vec![image],
        (19, 9),
        0,
    )
    .await;
    counted(
        app,
        points,
        SessionKind::Workshop,
        "2024-11-05",
        vec![image],
        (12, 2),
        0,
    )
    .await;
    counted(
        app,
        points,
        SessionKind::Workshop,
        "2025-02-05",
        vec![image],
        (8, 0),
        0,
    )
    .await;
}

http_test!(
    async fn the_dashboard_shows_a_season_against_the_one_before(app: TestApp) {
        history(&app).await;
        let mut c = app.signed_in(Role::Coordinator).await;
        let r = app
            .get(
                &mut c,
                "/staff/stats?period=season&season=2024-2025&by=kind",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let b = &r.body;
        assert!(b.contains("Bilan de la saison 2024-2025"), "{b}");
        assert!(b.contains("Évolutions par rapport à 2023-2024"));
        assert!(
            b.contains("<strong>112</strong> participants"),
            "73 + 19 + 12 + 8"
        );
        assert!(b.contains("+52 (+87\u{a0}%)"), "112 against 60");
        assert!(b.contains("13\u{a0}pers. / atelier"), "(19 + 12 + 8) / 3");
        assert!(b.contains("<strong>14\u{a0}pers. &#60;\u{a0}14\u{a0}ans</strong>"));
        assert!(b.contains("1\u{202f}200\u{a0}€"), "costs for a coordinator");
        assert_eq!(
            b.matches("<svg role=\"img\"").count(),
            3,
            "attendance, themes, under-14s"
        );
        assert!(
            b.contains("<title id=\"chart-themes-title\">Thématiques les plus suivies</title>")
        );
        assert!(
            b.contains("<th scope=\"row\">2023-2024</th>") && !b.contains(">2023-24<"),
            "the attendance chart's data"
        );
        // The breakdown by kind, in words.
        assert!(
            b.contains("<th scope=\"row\">atelier</th>")
                && b.contains("<th scope=\"row\">rencontre</th>"),
            "{b}"
        );
        assert!(
            b.contains(
                "href=\"/staff/stats/review.pdf?period=season&#38;season=2024-2025&#38;by=kind\""
            ),
            "{b}"
        );

        let by_series = app
            .get(
                &mut c,
                "/staff/stats?period=year&year=2024&series=Points%20de%20l%27IA&by=category",
            )
            .await;
        assert_eq!(by_series.status, StatusCode::OK);
        assert!(
            by_series.body.contains("<th scope=\"row\">Image</th>"),
            "{}",
            by_series.body
        );
        assert!(
            by_series.body.contains("<strong>12</strong> participants"),
            "one Points session in 2024"
        );
        assert!(
            by_series
                .body
                .contains("<option value=\"Points de l&#39;IA\" selected>")
        );
    }
);

http_test!(
    async fn a_wrong_period_is_said_next_to_its_field(app: TestApp) {
        let mut c = app.signed_in(Role::Viewer).await;
        let r = app
            .get(&mut c, "/staff/stats?period=season&season=2024-2026")
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("aria-describedby=\"e-season\""),
            "{}",
            r.body
        );
        let r = app
            .get(
                &mut c,
                "/staff/stats?period=range&from=2025-05-01&to=2025-04-01",
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"e-to\""));
        let r = app.get(&mut c, "/staff/stats?series=Jeudis").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"e-series\""));
        // Without a choice: this season.
        let r = app.get(&mut c, "/staff/stats").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("Bilan de la saison"));
        assert_eq!(
            get_bytes(&app, &c, "/staff/stats/review.pdf?period=year&year=abc")
                .await
                .0,
            StatusCode::BAD_REQUEST
        );
    }
);

http_test!(
    async fn everyone_but_it_reads_statistics_and_communication_sees_no_costs(app: TestApp) {
        history(&app).await;
        let path = "/staff/stats?season=2024-2025";
        let mut it = app.signed_in(Role::It).await;
        assert_eq!(app.get(&mut it, path).await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            get_bytes(&app, &it, "/staff/stats/review.pdf?season=2024-2025")
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        assert!(
            !app.get(&mut it, "/staff")
                .await
                .body
                .contains("href=\"/staff/stats\""),
            "no menu entry for IT"
        );

        let mut com = app.signed_in(Role::Communication).await;
        let r = app.get(&mut com, path).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            !r.body.contains('€') && !r.body.contains("Coût"),
            "no costs for communication"
        );
        let review = app
            .get(&mut com, "/staff/stats/review?season=2024-2025")
            .await;
        assert!(review.body.contains("Bilan de la saison 2024-2025") && !review.body.contains('€'));
        let csv = app
            .get(&mut com, "/staff/stats/review.csv?season=2024-2025")
            .await;
        assert!(!csv.body.contains("Coût"));

        let mut viewer = app.signed_in(Role::Viewer).await;
        assert!(
            app.get(&mut viewer, path).await.body.contains('€'),
            "the direction reads costs"
        );
        let mut mediator = app.signed_in(Role::Mediator).await;
        assert!(
            !app.get(&mut mediator, path).await.body.contains('€'),
            "mediators see no summed costs"
        );
    }
);

http_test!(
    async fn the_review_as_page_pdf_and_csv(app: TestApp) {
        history(&app).await;
        let mut c = app.signed_in(Role::Coordinator).await;
        let page = app
            .get(&mut c, "/staff/stats/review?period=season&season=2024-2025")
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.starts_with("<!doctype html>"));
        assert!(
            page.body.contains(
                "href=\"/staff/stats/review.pdf?period=season&#38;season=2024-2025&#38;by=series\""
            ),
            "{}",
            page.body
        );
        assert!(page.body.contains("Par rapport à 2023-2024"));
        assert_eq!(page.body.matches("<svg role=\"img\"").count(), 3);

        let (status, headers, pdf) = get_bytes(
            &app,
            &c,
            "/staff/stats/review.pdf?period=season&season=2024-2025",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
        assert!(
            headers[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .contains("bilan-2024-2025.pdf")
        );
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.matches("/Type /Page").count() > 3, "several pages");
        assert!(
            text.contains("(Bilan de la saison 2024-2025)"),
            "the title in the document's information"
        );

        let csv = app
            .get(
                &mut c,
                "/staff/stats/review.csv?period=season&season=2024-2025",
            )
            .await;
        assert!(
            csv.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/csv")
        );
        assert!(
            csv.body.starts_with("\u{feff}Période;Cycle;"),
            "{}",
            csv.body
        );
        assert!(
            csv.body
                .contains("\r\n2024-2025;Samedis de l'innovation;2;2;1;1;0;92;12;0;73,00;19,00;"),
            "{}",
            csv.body
        );
        assert!(
            csv.body.contains("\r\n2023-2024;Total;"),
            "the previous season after"
        );

        let by = app
            .get(
                &mut c,
                "/staff/stats/breakdown.csv?season=2024-2025&by=series",
            )
            .await;
        let lines: Vec<&str> = by.body.lines().collect();
        assert!(
            lines[0].starts_with("\u{feff}Cycle;Événements;Séances;"),
            "{}",
            by.body
        );
        assert!(
            lines.contains(
                &"Samedis de l'innovation;2;2;1;1;92;12;13,0;0;73,00;19,00;1200,00;13,04"
            ),
            "plain numbers for a spreadsheet: {}",
            by.body
        );
    }
);
