//! The season review (bilan) a coordinator hands to the direction, and the
//! figures the statistics dashboard shows: a period's report, its extras
//! and its trend, worded in the reader's language with French typography
//! ("19 pers. / atelier", "1 234", thin spaces), as a standalone HTML page,
//! CSV for spreadsheets, and a PDF (see `pdf`). `almanach report` uses the
//! same code, in French.

pub mod chart;
pub mod pdf;

use almanach_domain::Lang;
use almanach_domain::csv::{self, Cell};
use almanach_domain::fmt::{self, day_with_year};
use almanach_domain::stats::{Change, Delta, Extras, Period, PeriodDates, Report, StatsRow};
use almanach_store::{Bucket, Scope, Store, StoreError};
use askama::Template;
use jiff::civil::Date;

use self::chart::{Bar, Chart};
use crate::Tr;

/// Everything a review or the dashboard shows, as the store adds it up.
#[derive(Debug, Clone)]
pub struct Review {
    pub period: Period,
    /// With the previous period's report when compared.
    pub report: Report,
    pub extras: Extras,
    /// The seasons (or years) up to the period's: label and figures.
    pub trend: Vec<(String, StatsRow)>,
    pub bucket: Bucket,
}

impl Review {
    pub async fn load(
        store: &Store,
        scope: Scope<'_>,
        period: &Period,
        compare: bool,
    ) -> Result<Review, StoreError> {
        let report = store.report(scope, period, compare).await?;
        let extras = store.extras(scope, period).await?;
        let bucket = if matches!(period, Period::Year(_)) {
            Bucket::Year
        } else {
            Bucket::Season
        };
        let trend = store
            .attendance_trend(scope, period, bucket)
            .await?
            .into_iter()
            .map(|(y, t)| {
                let label = match bucket {
                    // As every season is written: « 2025-2026 ».
                    Bucket::Season => format!("{}-{}", y, y + 1),
                    Bucket::Year => y.to_string(),
                };
                (label, StatsRow::build(None, &t, &[]))
            })
            .collect::<Vec<_>>();
        // Seasons before the first with any session say nothing; the period's own stays.
        let mut trend = trend;
        let first = trend
            .iter()
            .position(|(_, r)| r.sessions > 0)
            .unwrap_or(trend.len().saturating_sub(1));
        trend.drain(..first);
        Ok(Review {
            period: *period,
            report,
            extras,
            trend,
            bucket,
        })
    }
}

/// Numbers, shares and sums of money the way the reader's language writes
/// them: the review's handle on `almanach_domain::fmt`, where French
/// typography lives.
#[derive(Debug, Clone, Copy)]
pub struct Fmt {
    pub lang: Lang,
}

impl Fmt {
    pub fn num(self, v: f64, decimals: usize) -> String {
        fmt::number(v, decimals, self.lang)
    }

    pub fn int(self, v: i64) -> String {
        fmt::int(v, self.lang)
    }

    /// "12 %" / "12%".
    pub fn percent(self, share: f64) -> String {
        fmt::percent(share, self.lang)
    }

    /// An amount in cents, exact up to the page: "1 234,50 €" / "€1,234.50";
    /// whole sums from a hundred on without cents (`fmt::euros`).
    pub fn money(self, cents: i64) -> String {
        fmt::euros(cents as f64 / 100.0, self.lang)
    }

    /// "1 234,50 €" / "€1,234.50"; whole hundreds without cents.
    pub fn euros(self, v: f64) -> String {
        fmt::euros(v, self.lang)
    }

    /// "1 à 6" / "1 to 6".
    pub fn range(self, min: i64, max: i64) -> String {
        fmt::range(min, max, self.lang)
    }

    /// Before a colon: French puts a narrow no-break space there.
    pub fn colon(self) -> &'static str {
        match self.lang {
            Lang::Fr => "\u{202f}",
            Lang::En => "",
        }
    }

    fn signed(self, delta: f64, decimals: usize) -> String {
        fmt::signed(delta, decimals, self.lang)
    }
}

/// "1 séance", "2 séances"; French keeps 0 singular.
fn plural(tr: &Tr, f: Fmt, n: i64, one: &str, many: &str) -> String {
    let many_form = !almanach_domain::plural::is_one(n, tr.lang);
    format!(
        "{}\u{a0}{}",
        f.int(n),
        tr.t(if many_form { many } else { one })
    )
}

fn day_text(d: &str, lang: Lang) -> String {
    d.parse::<Date>()
        .map(|d| day_with_year(d, lang))
        .unwrap_or_else(|_| d.to_string())
}

/// A key figure: the value large, what it counts below, and against the
/// previous period when compared.
#[derive(Debug, Clone)]
pub struct Figure {
    pub value: String,
    pub label: String,
    pub change: String,
}

/// A table line with every cell worded.
#[derive(Debug, Clone)]
pub struct RowView {
    pub name: String,
    pub cells: Vec<String>,
}

/// A line of the comparison table.
#[derive(Debug, Clone)]
pub struct ChangeView {
    pub label: String,
    pub now: String,
    pub before: String,
    pub change: String,
}

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

/// The columns of the per-series table; costs last so they can be left out.
const COLUMNS: [&str; 14] = [
    "review.col.events",
    "review.col.sessions",
    "review.col.talks",
    "review.col.workshops",
    "review.col.appointments",
    "review.col.participants",
    "review.col.under_14",
    "review.col.uncounted",
    "review.col.per_talk",
    "review.col.per_workshop",
    "review.col.themes",
    "review.col.sessions_per_theme",
    "review.col.cost",
    "review.col.cost_per_participant",
];

fn cells(f: Fmt, r: &StatsRow, costs: bool) -> Vec<String> {
    let dash = || "–".to_string();
    let mut v = vec![
        f.int(r.events),
        f.int(r.sessions),
        f.int(r.talks),
        f.int(r.workshops),
        f.int(r.appointments),
        f.int(r.participants),
        f.int(r.under_14),
        f.int(r.uncounted_sessions),
        r.avg_per_talk.map_or_else(dash, |v| f.num(v, 1)),
        r.avg_per_workshop.map_or_else(dash, |v| f.num(v, 1)),
        f.int(r.themes),
        r.sessions_per_theme.map_or_else(dash, |m| {
            if m.min == m.max {
                f.int(m.min)
            } else {
                f.range(m.min, m.max)
            }
        }),
    ];
    if costs {
        v.push(f.money(r.cost_cents));
        v.push(
            r.cost_per_participant_cents
                .map_or_else(dash, |c| f.money(c)),
        );
    }
    v
}

/// " (+12 %)" after a change, when the previous value was not 0.
fn relative(f: Fmt, p: Option<f64>) -> String {
    p.map(|p| {
        format!(
            " ({}{})",
            if p > 0.0 { "+" } else { "" },
            f.percent(p / 100.0)
        )
    })
    .unwrap_or_default()
}

fn int_change(f: Fmt, d: &Delta<i64>) -> String {
    format!("{}{}", f.signed(d.delta as f64, 0), relative(f, d.percent))
}

fn change_rows(tr: &Tr, f: Fmt, now: &StatsRow, c: &Change, costs: bool) -> Vec<ChangeView> {
    let int = |key: &str, now: i64, d: &Delta<i64>| ChangeView {
        label: tr.t(key).to_string(),
        now: f.int(now),
        before: f.int(d.previous),
        change: int_change(f, d),
    };
    let avg = |key: &str, now: Option<f64>, d: &Option<Delta<f64>>| ChangeView {
        label: tr.t(key).to_string(),
        now: now.map_or("–".into(), |v| f.num(v, 1)),
        before: d.map_or("–".into(), |d| f.num(d.previous, 1)),
        change: d.map_or("–".into(), |d| {
            format!("{}{}", f.signed(d.delta, 1), relative(f, d.percent))
        }),
    };
    let mut rows = vec![
        int("review.change.events", now.events, &c.events),
        int("review.change.sessions", now.sessions, &c.sessions),
        int(
            "review.change.participants",
            now.participants,
            &c.participants,
        ),
        int("review.change.under_14", now.under_14, &c.under_14),
        avg("review.change.per_talk", now.avg_per_talk, &c.avg_per_talk),
        avg(
            "review.change.per_workshop",
            now.avg_per_workshop,
            &c.avg_per_workshop,
        ),
    ];
    if costs {
        rows.push(ChangeView {
            label: tr.t("review.change.cost").to_string(),
            now: f.money(now.cost_cents),
            before: c.cost_eur.map_or("–".into(), |d| f.euros(d.previous)),
            change: c.cost_eur.map_or("–".into(), |d| {
                format!("{}{}", signed_euros(f, d.delta), relative(f, d.percent))
            }),
        });
    }
    rows
}

/// "+1 234,50 €" / "+€1,234.50".
fn signed_euros(f: Fmt, delta: f64) -> String {
    fmt::signed_euros(delta, f.lang)
}

/// "19 pers. / atelier": averages are rounded for people, kept whole in JSON.
fn per(tr: &Tr, f: Fmt, avg: Option<f64>, key: &str) -> Option<String> {
    avg.map(|a| format!("{}\u{a0}{}", f.num(a, 0), tr.t(key)))
}

/// The key figures; `full` adds the dashboard's (kinds, fill rate,
/// registered against present, replays). Costs only for who may read them.
pub fn figures(tr: &Tr, review: &Review, costs: bool, full: bool) -> Vec<Figure> {
    let f = Fmt { lang: tr.lang };
    let t = &review.report.total;
    let c = t.change.as_ref();
    let ch = |d: Option<&Delta<i64>>| d.map(|d| int_change(f, d)).unwrap_or_default();
    let fig = |value: String, label: String, change: String| Figure {
        value,
        label,
        change,
    };
    let mut out = vec![
        fig(
            f.int(t.events),
            tr.t(if t.events > 1 {
                "review.events_many"
            } else {
                "review.events_one"
            })
            .into(),
            ch(c.map(|c| &c.events)),
        ),
        fig(
            f.int(t.sessions),
            tr.t(if t.sessions > 1 {
                "review.sessions_many"
            } else {
                "review.sessions_one"
            })
            .into(),
            ch(c.map(|c| &c.sessions)),
        ),
        fig(
            f.int(t.participants),
            tr.t(if t.participants > 1 {
                "review.participants_many"
            } else {
                "review.participants_one"
            })
            .into(),
            ch(c.map(|c| &c.participants)),
        ),
    ];
    if full {
        out.push(fig(
            f.int(t.talks),
            tr.t("review.col.talks").into(),
            String::new(),
        ));
        out.push(fig(
            f.int(t.workshops),
            tr.t("review.col.workshops").into(),
            String::new(),
        ));
        out.push(fig(
            f.int(t.appointments),
            tr.t("review.col.appointments").into(),
            String::new(),
        ));
    }
    let avg_change = |d: Option<Delta<f64>>| {
        d.map(|d| format!("{}{}", f.signed(d.delta, 1), relative(f, d.percent)))
            .unwrap_or_default()
    };
    if let Some(v) = per(tr, f, t.avg_per_workshop, "review.per_workshop") {
        out.push(fig(
            v,
            tr.t("review.avg_workshops").into(),
            avg_change(c.and_then(|c| c.avg_per_workshop)),
        ));
    }
    if let Some(v) = per(tr, f, t.avg_per_talk, "review.per_talk") {
        out.push(fig(
            v,
            tr.t("review.avg_talks").into(),
            avg_change(c.and_then(|c| c.avg_per_talk)),
        ));
    }
    out.push(fig(
        format!(
            "{}\u{a0}{}",
            f.int(t.under_14),
            tr.t("review.under_14_unit")
        ),
        t.under_14_share().map_or_else(
            || tr.t("review.under_14_label").to_string(),
            |s| tr.tf("review.share_of_public", &[("share", f.percent(s))]),
        ),
        ch(c.map(|c| &c.under_14)),
    ));
    if let Some(m) = t.sessions_per_theme {
        let spread = if m.min == m.max {
            plural(tr, f, m.min, "review.sessions_one", "review.sessions_many")
        } else {
            fmt::with_unit(&f.range(m.min, m.max), tr.t("review.sessions_many"))
        };
        out.push(fig(
            tr.tf("review.per_theme", &[("spread", spread)]),
            plural(tr, f, t.themes, "review.themes_one", "review.themes_many"),
            String::new(),
        ));
    }
    if full {
        let e = &review.extras;
        if let Some(r) = e.fill_rate() {
            out.push(fig(
                f.percent(r),
                tr.tf(
                    "review.fill_rate",
                    &[("filled", f.int(e.filled)), ("seats", f.int(e.seats))],
                ),
                String::new(),
            ));
        }
        if let Some(r) = e.no_show_rate() {
            out.push(fig(
                f.percent(r),
                tr.tf(
                    "review.no_show_rate",
                    &[
                        ("present", f.int(e.present)),
                        ("registered", f.int(e.registered)),
                    ],
                ),
                String::new(),
            ));
        }
        out.push(fig(
            f.int(e.replays),
            tr.tf("review.replays", &[("themes", f.int(e.replayed_themes))]),
            String::new(),
        ));
    }
    if costs && let Some(cpp) = t.cost_per_participant_cents {
        let cost_change = c
            .and_then(|c| c.cost_eur)
            .map(|d| relative(f, d.percent))
            .unwrap_or_default();
        out.push(fig(
            f.money(cpp),
            tr.tf(
                "review.per_participant",
                &[("total", f.money(t.cost_cents))],
            ),
            cost_change.trim().to_string(),
        ));
    }
    out
}

/// The charts of the seed's review: attendance per season (or year), the
/// most followed themes, and the share of under-14s per series.
pub fn charts(tr: &Tr, review: &Review) -> Vec<Chart> {
    let f = Fmt { lang: tr.lang };
    let sep = f.colon();
    let (title, col) = match review.bucket {
        Bucket::Season => (
            tr.t("review.chart.attendance_seasons"),
            tr.t("review.season"),
        ),
        Bucket::Year => (tr.t("review.chart.attendance_years"), tr.t("review.year")),
    };
    // A period in progress: its season (or year) so far, said so beside the whole ones.
    let last = review.trend.len().saturating_sub(1);
    let label = |i: usize, l: &String| {
        if i == last && review.report.to_date.is_some() {
            format!("{l} ({})", tr.t("review.so_far_short"))
        } else {
            l.clone()
        }
    };
    let bars = review
        .trend
        .iter()
        .enumerate()
        .map(|(i, (l, r))| Bar {
            label: label(i, l),
            value: r.participants as f64,
            text: f.int(r.participants),
        })
        .collect();
    let dash = || "–".to_string();
    let rows = review
        .trend
        .iter()
        .enumerate()
        .map(|(i, (l, r))| {
            vec![
                label(i, l),
                f.int(r.sessions),
                f.int(r.participants),
                f.int(r.under_14),
                r.avg_per_workshop.map_or_else(dash, |v| f.num(v, 0)),
                r.avg_per_talk.map_or_else(dash, |v| f.num(v, 0)),
            ]
        })
        .collect();
    let head = [
        col,
        tr.t("review.col.sessions"),
        tr.t("review.col.participants"),
        tr.t("review.col.under_14"),
        tr.t("review.col.per_workshop"),
        tr.t("review.col.per_talk"),
    ];
    let count = |v: f64| f.num(v, 0);
    let attendance = Chart::new("attendance", title.to_string(), false, bars, sep)
        .scale(count)
        .with_table(head.map(String::from).to_vec(), rows);

    let top = &review.report.total.top_themes;
    let bars = top
        .iter()
        .map(|t| Bar {
            label: t.theme.clone(),
            value: t.participants as f64,
            text: f.int(t.participants),
        })
        .collect();
    let rows = top
        .iter()
        .map(|t| vec![t.theme.clone(), f.int(t.sessions), f.int(t.participants)])
        .collect();
    let head = [
        tr.t("review.col.theme"),
        tr.t("review.col.sessions"),
        tr.t("review.col.participants"),
    ];
    let themes = Chart::new(
        "themes",
        tr.t("review.top_themes").to_string(),
        true,
        bars,
        sep,
    )
    .scale(count)
    .with_table(head.map(String::from).to_vec(), rows);

    let total = &review.report.total;
    let lines: Vec<(String, &StatsRow)> = review
        .report
        .series
        .iter()
        .map(|r| (r.series.clone().unwrap_or_default(), r))
        .chain(std::iter::once((tr.t("review.total").to_string(), total)))
        .filter(|(_, r)| r.participants > 0)
        .collect();
    let bars = lines
        .iter()
        .map(|(n, r)| {
            let s = r.under_14_share().unwrap_or(0.0);
            Bar {
                label: n.clone(),
                value: s * 100.0,
                text: f.percent(s),
            }
        })
        .collect();
    let rows = lines
        .iter()
        .map(|(n, r)| {
            vec![
                n.clone(),
                f.int(r.participants),
                f.int(r.under_14),
                f.percent(r.under_14_share().unwrap_or(0.0)),
            ]
        })
        .collect();
    let head = [
        tr.t("review.cycle"),
        tr.t("review.col.participants"),
        tr.t("review.col.under_14"),
        tr.t("review.share"),
    ];
    let young = Chart::new(
        "under14",
        tr.t("review.chart.under_14").to_string(),
        true,
        bars,
        sep,
    )
    .with_max(100.0)
    .scale(|v| f.percent(v / 100.0))
    .with_table(head.map(String::from).to_vec(), rows);
    // A chart without bars says nothing: left out.
    [attendance, themes, young]
        .into_iter()
        .filter(|c| !c.bars.is_empty())
        .collect()
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

/// A decimal the way a French spreadsheet reads it: "19,33", no thousands
/// separator; empty when there is none.
pub(crate) fn csv_decimal(v: Option<f64>) -> Cell {
    Cell::opt_decimal(v, 2)
}

/// An amount in cents for a French spreadsheet, exact: "1234,56", "-0,05".
pub(crate) fn csv_money(cents: Option<i64>) -> Cell {
    cents.map_or_else(Cell::empty, Cell::cents)
}

/// A table for spreadsheets, through the product's one CSV writer
/// (`almanach_domain::csv`): `;`, CRLF, UTF-8 with a BOM, text cells
/// neutralised against formulas.
pub fn csv(head: &[String], rows: &[Vec<Cell>]) -> String {
    csv::table(head.iter().map(String::as_str), rows)
}

const CSV_HEADER: [&str; 17] = [
    "review.csv.period",
    "review.cycle",
    "review.col.events",
    "review.col.sessions",
    "review.col.talks",
    "review.col.workshops",
    "review.col.appointments",
    "review.col.participants",
    "review.col.under_14",
    "review.csv.uncounted",
    "review.change.per_talk",
    "review.change.per_workshop",
    "review.col.themes",
    "review.csv.spt_min",
    "review.csv.spt_max",
    "review.csv.cost",
    "review.csv.cost_per_participant",
];

/// The report for spreadsheets: one line per series then the total, for
/// the period and, when compared, the previous period after it. Numbers
/// plain, decimals with a comma.
pub fn report_csv(tr: &Tr, report: &Report, costs: bool) -> String {
    let n = if costs {
        CSV_HEADER.len()
    } else {
        CSV_HEADER.len() - 2
    };
    let head: Vec<String> = CSV_HEADER[..n]
        .iter()
        .map(|k| tr.t(k).to_string())
        .collect();
    let mut rows = Vec::new();
    for r in std::iter::once(report).chain(report.previous.as_deref()) {
        for row in r.series.iter().chain(std::iter::once(&r.total)) {
            let spt = row.sessions_per_theme;
            let mut cells = vec![
                Cell::text(r.label.clone()),
                Cell::text(
                    row.series
                        .clone()
                        .unwrap_or_else(|| tr.t("review.total").into()),
                ),
                Cell::int(row.events),
                Cell::int(row.sessions),
                Cell::int(row.talks),
                Cell::int(row.workshops),
                Cell::int(row.appointments),
                Cell::int(row.participants),
                Cell::int(row.under_14),
                Cell::int(row.uncounted_sessions),
                csv_decimal(row.avg_per_talk),
                csv_decimal(row.avg_per_workshop),
                Cell::int(row.themes),
                spt.map_or_else(Cell::empty, |m| Cell::int(m.min)),
                spt.map_or_else(Cell::empty, |m| Cell::int(m.max)),
            ];
            if costs {
                cells.push(csv_money(Some(row.cost_cents)));
                cells.push(csv_money(row.cost_per_participant_cents));
            }
            rows.push(cells);
        }
    }
    csv(&head, &rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use almanach_domain::stats::{Tally, ThemeFigures};

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
        assert!(
            html.contains("<title id=\"chart-attendance-title\">Fréquentation par année</title>")
        );
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
            let mut view =
                ReviewView::new(Tr::new(lang), &r, "Bibliothèque Ærø", Some("Œuvre"), true);
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
}
