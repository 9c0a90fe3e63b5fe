//! The review as one document: everything it shows, already worded
//! (`ReviewView`), and its standalone HTML page.

use crate::Tr;
use almanach_domain::stats::{Period, PeriodDates};
use askama::Template;
use jiff::civil::Date;

use super::chart::Chart;
use super::figures::{
    COLUMNS, ChangeView, Figure, Review, RowView, cells, change_rows, charts, figures,
};
use super::format::{Fmt, day_text, plural};

/// Links the staff page adds around the document (none from the command line).
#[derive(Debug, Clone, Default)]
pub struct Links {
    pub back: String,
    pub pdf: String,
    pub csv: String,
}

/// Everything the review shows, already worded.
pub struct ReviewView {
    pub tr: Tr,
    pub library: String,
    pub title: String,
    pub period: String,
    pub series_filter: Option<String>,
    pub figures: Vec<Figure>,
    pub notes: Vec<String>,
    pub columns: Vec<String>,
    pub rows: Vec<RowView>,
    pub total: RowView,
    /// "2024-2025": heads the comparison's column for this period.
    pub current: String,
    pub previous_period: Option<String>,
    pub changes: Vec<ChangeView>,
    pub charts: Vec<Chart>,
    pub links: Option<Links>,
    /// The day the document is made, in the library's zone: the PDF says it.
    pub issued: Option<Date>,
}

impl ReviewView {
    pub fn new(
        tr: Tr,
        review: &Review,
        library: &str,
        series_filter: Option<&str>,
        costs: bool,
    ) -> ReviewView {
        let f = Fmt { lang: tr.lang };
        let report = &review.report;
        let t = &report.total;
        let period = &review.period;
        let title = match period {
            Period::Year(_) => tr.tf("review.title_year", &[("period", period.label())]),
            Period::Season(_) => tr.tf("review.title_season", &[("period", period.label())]),
            Period::Range { .. } => tr.t("review.title_range").to_string(),
        };
        let span = |d: &PeriodDates, key: &str| {
            tr.tf(
                key,
                &[
                    ("from", day_text(&d.from, tr.lang)),
                    ("to", day_text(&d.to, tr.lang)),
                ],
            )
        };
        let mut notes = Vec::new();
        // A period not over: what took place so far, against the same dates before.
        let (span_text, current) = match &report.to_date {
            Some(d) => {
                let so_far = span(d, "review.span");
                notes.push(
                    match report.previous.as_deref().and_then(|p| {
                        p.to_date
                            .as_ref()
                            .map(|pd| (p.label.clone(), span(pd, "review.span")))
                    }) {
                        Some((label, before)) => tr.tf(
                            "review.to_date_compared",
                            &[("span", so_far), ("period", label), ("before", before)],
                        ),
                        None => tr.tf("review.to_date", &[("span", so_far)]),
                    },
                );
                (
                    span(d, "review.span_to_date"),
                    tr.tf("review.label_to_date", &[("period", period.label())]),
                )
            }
            None => (span(&report.period, "review.span"), period.label()),
        };
        if t.uncounted_sessions > 0 {
            let n = plural(
                &tr,
                f,
                t.uncounted_sessions,
                "review.sessions_one",
                "review.sessions_many",
            );
            let count = t.uncounted_sessions.to_string();
            notes.push(tr.tf("review.uncounted", &[("sessions", n), ("n", count)]));
        }
        let (previous_period, changes) = match (&report.previous, &t.change) {
            (Some(p), Some(c)) => {
                let label = if p.to_date.is_some() {
                    tr.tf("review.same_period", &[("period", p.label.clone())])
                } else {
                    p.label.clone()
                };
                (Some(label), change_rows(&tr, f, t, c, costs))
            }
            _ => (None, Vec::new()),
        };
        let n = if costs {
            COLUMNS.len()
        } else {
            COLUMNS.len() - 2
        };
        ReviewView {
            library: library.to_string(),
            title,
            period: span_text,
            series_filter: series_filter.map(str::to_string),
            figures: figures(&tr, review, costs, false),
            notes,
            columns: COLUMNS[..n].iter().map(|k| tr.t(k).to_string()).collect(),
            rows: report
                .series
                .iter()
                .map(|r| RowView {
                    name: r.series.clone().unwrap_or_default(),
                    cells: cells(f, r, costs),
                })
                .collect(),
            total: RowView {
                name: tr.t("review.total").to_string(),
                cells: cells(f, t, costs),
            },
            current,
            previous_period,
            changes,
            charts: charts(&tr, review),
            links: None,
            issued: None,
            tr,
        }
    }
}

/// The review's styles: linked when a page serves it, inlined in the
/// standalone file the command line writes.
pub const REVIEW_CSS: &str = include_str!("../../static/review.css");

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage<'a> {
    v: &'a ReviewView,
}

/// The review as a standalone HTML page.
pub fn to_html(view: &ReviewView) -> String {
    ReviewPage { v: view }
        .render()
        .expect("the review template renders")
}
