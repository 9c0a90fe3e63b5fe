//! The statistics dashboard and the season review through the router: the
//! period and series chosen in the address, figures, charts, breakdowns,
//! the review as page, PDF and CSV; who reads them, who sees costs.

use almanach_domain::attendance::Headcount;
use almanach_domain::costs::{Billing, CostKind};
use almanach_domain::ids::SessionId;
use almanach_domain::programme::SessionKind;
use almanach_domain::staff::Role;
use almanach_store::testing::{on_day, published, saved_session};
use almanach_store::{Actor, CostLine, Event, Series, SessionWrite, Theme, Tool};
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

/// The PDF's text as poppler's pdftotext reads it (the pages `from`–`to`
/// when given); `None` where pdftotext is not installed, which CI refuses
/// (.ci/run installs poppler-utils).
fn pdf_text(pdf: &[u8], pages: Option<(u32, u32)>) -> Option<String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut cmd = Command::new("pdftotext");
    if let Some((from, to)) = pages {
        cmd.args(["-f", &from.to_string(), "-l", &to.to_string()]);
    }
    let spawned = cmd
        .args(["-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let Ok(mut child) = spawned else {
        assert!(
            std::env::var_os("CI").is_none(),
            "pdftotext must be installed in CI: the PDF's text may not go unchecked"
        );
        eprintln!("pdftotext not found: the PDF's text is not checked");
        return None;
    };
    let mut stdin = child.stdin.take().unwrap();
    let bytes = pdf.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&bytes));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "pdftotext failed on the review");
    Some(String::from_utf8(out.stdout).expect("pdftotext writes UTF-8"))
}

/// A series of that name.
async fn series(app: &TestApp, name: &str) -> i64 {
    let s = Series {
        name: name.into(),
        ..Series::default()
    };
    app.store.save_series(&actor(app), &s).await.unwrap()
}

/// A theme of that title.
async fn theme(app: &TestApp, title: &str) -> i64 {
    let t = Theme {
        title: title.into(),
        ..Theme::default()
    };
    app.store.save_theme(&actor(app), &t).await.unwrap()
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
        series_id: Some(series),
        ..published("E")
    };
    let e = app.store.save_event(&actor(app), &e).await.unwrap();
    let w = SessionWrite {
        kind,
        theme_ids: themes,
        ..on_day(e, day)
    };
    let id = saved_session(&app.store, app.library_id, &w).await;
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
    async fn the_review_pdf_prints_every_name_as_typed(app: TestApp) {
        // Names outside Windows-1252 (Polish, Czech, Vietnamese, Danish),
        // one of them typed decomposed, as a Mac sends it.
        let oeuvre = series(&app, "Œuvre ouverte").await;
        let aero = series(&app, "Ærø numérique").await;
        let lukasz = theme(&app, "Łukasz Dvořák").await;
        let anh = theme(&app, "Nguye\u{302}\u{303}n Thi\u{323} A\u{301}nh").await;
        let talk = SessionKind::Talk;
        counted(&app, oeuvre, talk, "2024-10-05", vec![lukasz], (40, 4), 0).await;
        counted(&app, aero, talk, "2024-11-09", vec![anh], (25, 0), 0).await;
        let mut c = app.signed_in(Role::Coordinator).await;
        let (status, _, pdf) = get_bytes(
            &app,
            &c,
            "/staff/stats/review.pdf?period=season&season=2024-2025",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            pdf.len() < 300_000,
            "the fonts go in as subsets: {} bytes",
            pdf.len()
        );
        let raw = String::from_utf8_lossy(&pdf);
        assert!(
            raw.contains("/FontFile2") && raw.contains("/ToUnicode") && !raw.contains("/Helvetica"),
            "an embedded font with its Unicode map, no standard font"
        );
        // The HTML review keeps the text as typed.
        let page = app
            .get(&mut c, "/staff/stats/review?period=season&season=2024-2025")
            .await;
        assert!(page.body.contains("Łukasz Dvořák") && page.body.contains("Ærø"));

        let Some(text) = pdf_text(&pdf, None) else {
            return;
        };
        for name in [
            "Œuvre ouverte",
            "Ærø numérique",
            "Łukasz Dvořák",
            "Nguyễn Thị Ánh",
        ] {
            assert!(
                text.contains(name),
                "{name:?} missing from the PDF:\n{text}"
            );
        }
        assert!(
            !text.contains(['?', '\u{fffd}']),
            "a character the PDF could not print:\n{text}"
        );
    }
);

http_test!(
    async fn the_review_pdf_opens_on_its_figures_in_french_typography(app: TestApp) {
        let samedis = series(&app, "Samedis de l'innovation").await;
        let points = series(&app, "Points de l'IA").await;
        let (image, voice) = (
            theme(&app, "Créer des images").await,
            theme(&app, "Cloner sa voix").await,
        );
        let talk = SessionKind::Talk;
        let workshop = SessionKind::Workshop;
        counted(
            &app,
            samedis,
            talk,
            "2024-10-19",
            vec![],
            (1_611, 160),
            161_100,
        )
        .await;
        counted(
            &app,
            points,
            workshop,
            "2024-11-05",
            vec![image],
            (12, 0),
            0,
        )
        .await;
        counted(&app, points, workshop, "2024-11-12", vec![image], (9, 0), 0).await;
        counted(&app, points, workshop, "2024-11-19", vec![voice], (7, 0), 0).await;
        let c = app.signed_in(Role::Viewer).await;
        let (status, _, pdf) = get_bytes(
            &app,
            &c,
            "/staff/stats/review.pdf?period=season&season=2024-2025",
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let Some(first) = pdf_text(&pdf, Some((1, 1))) else {
            return;
        };
        let library = app.store.library(app.library_id).await.unwrap().name;
        // Page 1 reads as a report: who, what, when, the figures, a chart.
        for expected in [
            library.as_str(),
            "Bilan de la saison 2024-2025",
            "du dimanche 1er septembre 2024 au dimanche 31 août 2025",
            "Établi le ",
            "Chiffres clés",
            "1\u{202f}639",
            "participants",
            "Fréquentation par saison",
            "Page 1 sur ",
        ] {
            assert!(
                first.contains(expected),
                "{expected:?} missing from page 1:\n{first}"
            );
        }

        let text = pdf_text(&pdf, None).unwrap();
        for expected in [
            // Thousands apart with a narrow no-break space, % and € after a
            // no-break space, ranges spaced.
            "1\u{202f}611",
            "0\u{a0}%",
            "10\u{a0}%",
            "1\u{202f}611\u{a0}€",
            "1\u{a0}à\u{a0}2",
        ] {
            assert!(
                text.contains(expected),
                "{expected:?} missing from the PDF:\n{text}"
            );
        }
        let glued = text.char_indices().find(|&(i, ch)| {
            let before = text[..i].chars().next_back();
            let after = text[i + ch.len_utf8()..].chars().next();
            let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
            (matches!(ch, '%' | '€') && digit(before))
                || (ch == 'à' && (digit(before) || digit(after)))
        });
        assert!(glued.is_none(), "no space at {glued:?}:\n{text}");
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

/// A session of `series` (or none) on `day` at 14 h UTC, or at `at` when
/// given; counted when `people` is given.
#[allow(clippy::too_many_arguments)]
async fn session_of(
    app: &TestApp,
    series: Option<i64>,
    kind: SessionKind,
    day: &str,
    at: Option<i64>,
    themes: Vec<i64>,
    speakers: Vec<i64>,
    people: Option<u32>,
) -> SessionId {
    let e = Event {
        series_id: series,
        ..published("E")
    };
    let e = app.store.save_event(&actor(app), &e).await.unwrap();
    let w = on_day(e, day);
    let start = at.unwrap_or(w.starts_at);
    let w = SessionWrite {
        kind,
        starts_at: start,
        ends_at: start + 3600,
        theme_ids: themes,
        speaker_ids: speakers,
        ..w
    };
    let id = saved_session(&app.store, app.library_id, &w).await;
    if let Some(n) = people {
        let h = Headcount::new(Some(n), Some(0), None, None).unwrap();
        app.store.set_headcount(&actor(app), id, &h).await.unwrap();
    }
    id
}

async fn cost_line(app: &TestApp, session_id: SessionId, kind: CostKind, cents: i64) {
    let line = CostLine {
        id: 0,
        session_id,
        kind,
        cents,
        note: String::new(),
    };
    app.store.add_cost_line(&actor(app), &line).await.unwrap();
}

/// The sum, in cents, of the "Coût" column of a CSV for spreadsheets.
fn cost_column(csv: &str) -> i64 {
    let mut lines = csv.trim_start_matches('\u{feff}').lines();
    let head: Vec<&str> = lines.next().unwrap().split(';').collect();
    let i = head
        .iter()
        .position(|h| *h == "Coût" || *h == "Coût (€)")
        .unwrap_or_else(|| panic!("no cost column in {head:?}"));
    lines
        .map(|l| {
            let cell = l.split(';').nth(i).unwrap();
            let (e, c) = cell.split_once(',').unwrap();
            e.parse::<i64>().unwrap() * 100 + c.parse::<i64>().unwrap()
        })
        .sum()
}

/// Every kind of cost in 2024-2025: typed with the attendance, a speaker's
/// fee as a cost line, a subscription reaching the Points de l'IA through
/// their theme, materials on a session outside any series.
async fn costly_season(app: &TestApp) -> SessionId {
    let a = actor(app);
    let save_series = |name: &'static str| {
        let a = a.clone();
        async move {
            app.store
                .save_series(
                    &a,
                    &Series {
                        name: name.into(),
                        ..Series::default()
                    },
                )
                .await
                .unwrap()
        }
    };
    let samedis = save_series("Samedis de l'innovation").await;
    let points = save_series("Points de l'IA").await;
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
    let speaker = app
        .store
        .save_speaker(
            &a,
            &almanach_store::Speaker {
                name: "Léa".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let talk = session_of(
        app,
        Some(samedis),
        SessionKind::Talk,
        "2024-10-19",
        None,
        vec![image],
        vec![speaker],
        Some(73),
    )
    .await;
    app.store.set_session_cost(&a, talk, 120_000).await.unwrap();
    cost_line(app, talk, CostKind::Fee, 45_050).await;
    for day in ["2024-11-05", "2024-11-12"] {
        session_of(
            app,
            Some(points),
            SessionKind::Workshop,
            day,
            None,
            vec![image],
            vec![],
            Some(10),
        )
        .await;
    }
    let bare = session_of(
        app,
        None,
        SessionKind::Workshop,
        "2025-01-10",
        None,
        vec![],
        vec![],
        Some(5),
    )
    .await;
    cost_line(app, bare, CostKind::Materials, 1_999).await;
    let tool = Tool {
        id: 0,
        name: "ChatGPT Plus".into(),
        provider: String::new(),
        plan: String::new(),
        cost_cents: 2_300,
        billing: Billing::Monthly,
        seats: None,
        renewal_on: None,
        owner_id: None,
        notes: String::new(),
        theme_ids: vec![image],
        session_ids: vec![],
    };
    app.store.save_tool(&a, &tool).await.unwrap();
    SessionId(speaker)
}

http_test!(
    async fn one_total_on_the_page_in_every_breakdown_and_in_the_review(app: TestApp) {
        costly_season(&app).await;
        // 1 200 + 450,50 (the talk) + 23 (October's subscription, the talk
        // alone) + 23 (November's, the two Points) + 19,99 (materials).
        let total = 120_000 + 45_050 + 2_300 + 2_300 + 1_999;
        let shown = "1\u{202f}716,49\u{a0}€";
        let mut c = app.signed_in(Role::Coordinator).await;
        let page = app.get(&mut c, "/staff/stats?season=2024-2025").await;
        assert!(
            page.body
                .contains(&format!("(coût total\u{202f}: {shown})")),
            "the key figure: {}",
            page.body
        );
        for by in [
            "series", "kind", "theme", "category", "room", "speaker", "lead",
        ] {
            let csv = app
                .get(
                    &mut c,
                    &format!("/staff/stats/breakdown.csv?season=2024-2025&by={by}"),
                )
                .await;
            assert_eq!(cost_column(&csv.body), total, "by {by}: {}", csv.body);
            let page = app
                .get(&mut c, &format!("/staff/stats?season=2024-2025&by={by}"))
                .await;
            assert_eq!(page.status, StatusCode::OK);
        }
        let by_series = app
            .get(
                &mut c,
                "/staff/stats/breakdown.csv?season=2024-2025&by=series",
            )
            .await;
        let review = app
            .get(&mut c, "/staff/stats/review.csv?season=2024-2025")
            .await;
        let line = |csv: &str, start: &str| -> String {
            csv.lines()
                .find(|l| l.starts_with(start))
                .unwrap_or_else(|| panic!("no {start} in {csv}"))
                .to_string()
        };
        assert!(
            line(&by_series.body, "Points de l'IA;").contains(";23,00;"),
            "the subscription reaches the Points de l'IA: {}",
            by_series.body
        );
        assert!(line(&review.body, "2024-2025;Points de l'IA;").contains(";23,00;"));
        assert!(
            line(&review.body, "2024-2025;Total;").contains(";1716,49;"),
            "{}",
            review.body
        );
        assert!(
            line(&by_series.body, "Sans cycle;").contains(";19,99;"),
            "the session outside any series: {}",
            by_series.body
        );
        let html = app
            .get(&mut c, "/staff/stats/review?season=2024-2025")
            .await;
        assert!(html.body.contains(shown), "{}", html.body);
    }
);

http_test!(
    async fn the_speaker_s_record_and_the_review_round_alike(app: TestApp) {
        let a = actor(&app);
        let speaker = app
            .store
            .save_speaker(
                &a,
                &almanach_store::Speaker {
                    name: "Léa".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        // 1 468,50 € for 100 people: 14,685 € each, 14,69 € everywhere.
        for (day, people, cents) in [("2024-10-05", 60, 100_000), ("2024-11-09", 40, 46_850)] {
            let s = session_of(
                &app,
                None,
                SessionKind::Talk,
                day,
                None,
                vec![],
                vec![speaker],
                Some(people),
            )
            .await;
            cost_line(&app, s, CostKind::Fee, cents).await;
        }
        let mut c = app.signed_in(Role::Coordinator).await;
        let record = app.get(&mut c, &format!("/staff/speakers/{speaker}")).await;
        assert!(
            record
                .body
                .contains("14,69\u{a0}€ (1\u{202f}468,50\u{a0}€ pour 100 participants"),
            "{}",
            record.body
        );
        let review = app
            .get(&mut c, "/staff/stats/review?season=2024-2025")
            .await;
        assert!(
            review.body.contains("<strong>14,69\u{a0}€</strong>"),
            "{}",
            review.body
        );
        let csv = app
            .get(&mut c, "/staff/stats/review.csv?season=2024-2025")
            .await;
        assert!(csv.body.contains(";1468,50;14,69\r\n"), "{}", csv.body);
        let by = app
            .get(
                &mut c,
                "/staff/stats/breakdown.csv?season=2024-2025&by=speaker",
            )
            .await;
        assert!(
            by.body.contains("Léa;") && by.body.contains(";1468,50;14,69"),
            "{}",
            by.body
        );
        let report = app
            .store
            .report(
                almanach_store::Scope::library(app.library_id),
                &almanach_domain::stats::Period::Season(2024),
                false,
            )
            .await
            .unwrap();
        assert_eq!(report.total.cost_per_participant_cents, Some(1_469));
    }
);

http_test!(
    async fn a_season_in_progress_is_compared_to_date(app: TestApp) {
        let a = actor(&app);
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
        let now = almanach_store::now();
        let today = jiff::Timestamp::from_second(now)
            .unwrap()
            .to_zoned(almanach_domain::calendar::paris())
            .date();
        let (year, label) = almanach_domain::programme::season_of(today);
        let previous = format!("{}-{}", year - 1, year);
        let day = today.to_string();
        let w = SessionKind::Workshop;
        // Held a minute ago; still to come later (not counted, not held).
        session_of(
            &app,
            Some(points),
            w,
            &day,
            Some(now - 60),
            vec![],
            vec![],
            Some(12),
        )
        .await;
        session_of(
            &app,
            Some(points),
            w,
            &day,
            Some(now + 600),
            vec![],
            vec![],
            None,
        )
        .await;
        // The season before: the same date, then its last day.
        let same_day = today.checked_sub(jiff::Span::new().years(1)).unwrap();
        session_of(
            &app,
            Some(points),
            w,
            &same_day.to_string(),
            Some(now - 366 * 86_400),
            vec![],
            vec![],
            Some(8),
        )
        .await;
        let last_day = jiff::civil::date(year, 8, 31);
        if last_day > same_day {
            session_of(
                &app,
                Some(points),
                w,
                &last_day.to_string(),
                None,
                vec![],
                vec![],
                Some(500),
            )
            .await;
        }
        let mut c = app.signed_in(Role::Coordinator).await;
        let page = app
            .get(&mut c, &format!("/staff/stats?season={label}"))
            .await;
        let b = &page.body;
        assert!(b.contains("<strong>12</strong> participants"), "{b}");
        assert!(
            b.contains("<strong>1</strong> séance"),
            "only the session held: {b}"
        );
        assert!(
            b.contains("+4 (+50\u{a0}%)"),
            "12 against 8 on the same dates: {b}"
        );
        assert!(
            b.contains(&format!(
                "Évolutions par rapport à la même période de {previous}."
            )),
            "{b}"
        );
        assert!(b.contains("à ce jour"), "{b}");
        assert!(
            b.contains(&format!("comparées à la même période de {previous}")),
            "{b}"
        );
        assert!(
            !b.contains("sans comptage"),
            "a session to come is not uncounted: {b}"
        );
        assert!(
            b.contains(" (à ce jour)</th>"),
            "the trend says this season is not over: {b}"
        );
        let csv = app
            .get(&mut c, &format!("/staff/stats/review.csv?season={label}"))
            .await;
        assert!(
            csv.body
                .contains(&format!("\r\n{label};Total;1;1;0;1;0;12;")),
            "{}",
            csv.body
        );
        assert!(
            csv.body
                .contains(&format!("\r\n{previous};Total;1;1;0;1;0;8;")),
            "{}",
            csv.body
        );
    }
);
