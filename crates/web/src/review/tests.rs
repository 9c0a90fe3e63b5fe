//! The review end to end: its columns translated, CSV for French
//! spreadsheets, HTML with French typography, the PDF, English without costs.

use super::csv::*;
use super::document::*;
use super::figures::*;
use super::pdf;
use crate::Tr;
use almanach_domain::Lang;
use almanach_domain::stats::{Extras, Period, Report, StatsRow};
use almanach_domain::stats::{Tally, ThemeFigures};
use almanach_store::Bucket;

fn review() -> Review {
    let t = Tally {
        events: 9,
        sessions: 20,
        talks: 9,
        workshops: 11,
        participants: 1234,
        under_14: 100,
        uncounted_sessions: 1,
        counted_talks: 9,
        talk_participants: 657,
        counted_workshops: 10,
        workshop_participants: 190,
        cost_cents: 355_050,
        ..Tally::default()
    };
    let themes = [ThemeFigures {
        theme: "Créer des images".into(),
        sessions: 4,
        participants: 80,
    }];
    let row = StatsRow::build(Some("Samedis; de l'innovation".into()), &t, &themes);
    let p = Period::Year(2024);
    let report = Report {
        period: p.dates(),
        to_date: None,
        label: p.label(),
        series: vec![row.clone()],
        total: StatsRow {
            series: None,
            ..row.clone()
        },
        previous: None,
    };
    let trend = vec![
        (
            "2023".into(),
            StatsRow::build(
                None,
                &Tally {
                    participants: 141,
                    ..Tally::default()
                },
                &[],
            ),
        ),
        ("2024".into(), row),
    ];
    Review {
        period: p,
        report,
        extras: Extras::default(),
        trend,
        bucket: Bucket::Year,
    }
}

/// Keys held in constants, which the locale test cannot see.
#[test]
fn every_column_is_translated() {
    for k in COLUMNS.iter().chain(&CSV_HEADER) {
        assert!(crate::i18n::has_key(k), "{k} missing");
        assert_ne!(Tr::new(Lang::En).t(k), *k);
    }
}

#[test]
fn csv_for_french_spreadsheets() {
    let csv = report_csv(&Tr::new(Lang::Fr), &review().report, true);
    assert!(csv.starts_with("\u{feff}Période;Cycle;Événements;"));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[1].starts_with("2024;\"Samedis; de l'innovation\";9;20;9;11;0;1234;100;1;73,00;19,00;1;4;4;3550,50;2,88"), "{}", lines[1]);
    assert!(lines[2].starts_with("2024;Total;"));
    let without = report_csv(&Tr::new(Lang::Fr), &review().report, false);
    assert!(
        !without.contains("Coût") && !without.contains("3550,50"),
        "costs left out"
    );
}

#[test]
fn html_with_french_typography_and_charts() {
    let view = ReviewView::new(
        Tr::new(Lang::Fr),
        &review(),
        "Médiathèque L'Apostrophe",
        None,
        true,
    );
    let html = to_html(&view);
    assert!(html.contains("19\u{a0}pers. / atelier"), "{html}");
    assert!(html.contains("73\u{a0}pers. / rencontre"));
    assert!(html.contains("1\u{202f}234"));
    assert!(html.contains("Bilan de l&#39;année 2024"));
    assert!(html.contains("du lundi 1er janvier 2024 au mardi 31 décembre 2024"));
    assert!(html.contains("1\u{a0}séance sans comptage\u{202f}:"));
    assert!(html.contains("<th scope=\"col\">"));
    assert!(html.contains("2,88\u{a0}€"));
    // Three charts, each an image with a title and its data beside it.
    assert_eq!(html.matches("<svg role=\"img\"").count(), 3, "{html}");
    assert!(html.contains("<title id=\"chart-attendance-title\">Fréquentation par année</title>"));
    assert!(
        html.contains("2023\u{202f}: 141 ; 2024\u{202f}: 1\u{202f}234"),
        "the chart's text alternative"
    );
    assert!(html.contains("Part des moins de 14 ans"));
    assert!(html.contains("8\u{a0}%"), "100 of 1 234 under 14");
}

/// Whatever the names and the language, the PDF is a whole file.
#[test]
fn the_pdf_takes_any_text() {
    let mut r = review();
    r.report.series[0].series = Some("漢字 \u{7}Łódź\ttab ".repeat(20));
    for lang in [Lang::Fr, Lang::En] {
        let mut view = ReviewView::new(Tr::new(lang), &r, "Bibliothèque Ærø", Some("Œuvre"), true);
        view.issued = "2026-12-07".parse().ok();
        let pdf = pdf::render(&view);
        assert!(pdf.starts_with(b"%PDF-") && pdf.trim_ascii_end().ends_with(b"%%EOF"));
    }
    let empty = Review {
        report: Report {
            series: vec![],
            ..r.report.clone()
        },
        trend: vec![],
        ..r
    };
    let view = ReviewView::new(Tr::new(Lang::Fr), &empty, "", None, false);
    assert!(pdf::render(&view).starts_with(b"%PDF-"));
}

#[test]
fn english_and_no_costs() {
    let view = ReviewView::new(Tr::new(Lang::En), &review(), "Library", None, false);
    let html = to_html(&view);
    assert!(html.contains("1,234"), "{html}");
    assert!(html.contains("19\u{a0}people / workshop"));
    assert!(!html.contains('€'), "no costs for who may not read them");
}
