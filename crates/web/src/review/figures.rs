//! What the review counts: a period's report, extras and trend as the
//! store adds them up, worded into key figures, table cells, comparison
//! lines and charts.

use crate::Tr;
use almanach_domain::fmt::{self};
use almanach_domain::stats::{Change, Delta, Extras, Period, Report, StatsRow};
use almanach_store::{Bucket, Scope, Store, StoreError};

use super::chart::{Bar, Chart};
use super::format::{Fmt, plural};

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

/// The columns of the per-series table; costs last so they can be left out.
pub(super) const COLUMNS: [&str; 14] = [
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

pub(super) fn cells(f: Fmt, r: &StatsRow, costs: bool) -> Vec<String> {
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

pub(super) fn change_rows(
    tr: &Tr,
    f: Fmt,
    now: &StatsRow,
    c: &Change,
    costs: bool,
) -> Vec<ChangeView> {
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
