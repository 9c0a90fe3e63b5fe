//! The statistics dashboard (`/staff/stats`): a period (season, calendar
//! year or from–to) and a series to choose, the key figures against the
//! previous period, the charts, and a breakdown by series, kind, theme,
//! category, room, speaker or lead; and the season review of the same
//! period as a page, a PDF and CSV. Everyone but IT reads them; costs are
//! hidden from those who may not read them.

use almanach_domain::programme::season_of;
use almanach_domain::staff::Action;
use almanach_domain::stats::{Dimension, Period, StatsRow};
use almanach_domain::{Problem, Problems};
use almanach_store::{Line, Scope};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::auth::StaffSession;
use crate::error::urlencode;
use crate::forms::FormErrors;
use crate::review::chart::Chart;
use crate::review::{
    Fmt, Links, Review, ReviewView, csv, csv_decimal, csv_money, figures, pdf, report_csv, to_html,
};
use crate::view::dates::today;
use crate::view::session::label;
use crate::view::{Flash, Page};
use crate::{AppState, Tr, WebError};
use almanach_domain::csv::Cell;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/stats", get(dashboard))
        .route("/staff/stats/breakdown.csv", get(breakdown_csv))
        .route("/staff/stats/review", get(review_page))
        .route("/staff/stats/review.pdf", get(review_pdf))
        .route("/staff/stats/review.csv", get(review_csv))
}

/// The dashboard's choices as typed in the address: every field a string.
#[derive(Debug, Clone, Default, Deserialize)]
struct StatsQuery {
    /// `season`, `year` or `range`.
    #[serde(default)]
    period: String,
    #[serde(default)]
    season: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// A series' name; empty for all.
    #[serde(default)]
    series: String,
    /// A `Dimension` slug.
    #[serde(default)]
    by: String,
}

impl StatsQuery {
    /// The address of another statistics page with the same choices.
    fn link(&self, path: &str) -> String {
        let pairs = [
            ("period", &self.period),
            ("season", &self.season),
            ("year", &self.year),
            ("from", &self.from),
            ("to", &self.to),
            ("series", &self.series),
            ("by", &self.by),
        ];
        let q: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect();
        if q.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{}", q.join("&"))
        }
    }
}

/// What the query asks for, understood.
struct Choice {
    period: Period,
    series: Option<String>,
    by: Dimension,
}

/// The period (this season by default), the series among the library's,
/// the breakdown; every problem at once.
async fn understand(
    state: &AppState,
    s: &StaffSession,
    q: &mut StatsQuery,
) -> Result<Result<Choice, Problems>, WebError> {
    let tz = state.store.library(s.library_id()).await?.tz();
    let period = match q.period.as_str() {
        "year" => match q.year.trim().parse::<i16>() {
            Ok(y) => Period::year(y),
            Err(_) => Err(Problem::field("year", "error.year")),
        },
        "range" => Period::parse_range(&q.from, &q.to),
        _ => {
            q.period = "season".into();
            if q.season.trim().is_empty() {
                q.season = season_of(today(&tz)).1;
            }
            Period::parse_season(&q.season)
        }
    };
    if let Ok(p) = period {
        // Shown back the way it was understood.
        match p {
            Period::Range { from, to } => (q.from, q.to) = (from.to_string(), to.to_string()),
            Period::Season(_) => q.season = p.label(),
            Period::Year(_) => {}
        }
    }
    let names: Vec<String> = state
        .store
        .list_series(s.library_id())
        .await?
        .into_iter()
        .map(|x| x.name)
        .collect();
    let series = match q.series.trim() {
        "" => Ok(None),
        name => names
            .iter()
            .find(|n| n.as_str() == name)
            .map(|n| Some(n.clone()))
            .ok_or_else(|| Problem::field("series", "error.unknown_record")),
    };
    let by = Dimension::parse(&q.by).unwrap_or(Dimension::Series);
    q.by = by.slug().into();
    let mut problems = Problems::new();
    let period = problems.take(period);
    let series = problems.take(series);
    Ok(match (period, series) {
        (Some(period), Some(series)) => Ok(Choice { period, series, by }),
        _ => Err(problems),
    })
}

fn scope<'a>(s: &StaffSession, c: &'a Choice) -> Scope<'a> {
    Scope {
        library_id: Some(s.library_id()),
        series: c.series.as_deref(),
    }
}

/// A breakdown line's name: a kind or category in words, "none" when the
/// sessions had none (no series, no room).
fn line_name(tr: &Tr, by: Dimension, key: &Option<String>) -> String {
    match (by, key) {
        (_, None) => tr.t(&format!("stats.none.{}", by.slug())).to_string(),
        (Dimension::Kind, Some(k)) => label(tr, "kind", k),
        (Dimension::Category, Some(k)) => label(tr, "themes.category", k),
        (_, Some(k)) => k.clone(),
    }
}

/// The breakdown as a table: its header and rows, costs only when allowed;
/// worded for the page, or plain numbers with comma decimals for a spreadsheet.
fn breakdown_table(
    tr: &Tr,
    by: Dimension,
    lines: &[Line],
    costs: bool,
    for_csv: bool,
) -> (Vec<String>, Vec<Vec<Cell>>) {
    let f = Fmt { lang: tr.lang };
    let int = |v: i64| {
        if for_csv {
            Cell::int(v)
        } else {
            Cell::text(f.int(v))
        }
    };
    let dec = |v: Option<f64>| {
        if for_csv {
            csv_decimal(v)
        } else {
            Cell::text(v.map_or_else(|| "–".into(), |v| f.num(v, 1)))
        }
    };
    let share = |v: Option<f64>| {
        if for_csv {
            Cell::opt_decimal(v.map(|s| s * 100.0), 1)
        } else {
            Cell::text(v.map_or_else(|| "–".into(), |s| f.percent(s)))
        }
    };
    let money = |v: Option<i64>| {
        if for_csv {
            csv_money(v)
        } else {
            Cell::text(v.map_or_else(|| "–".into(), |v| f.money(v)))
        }
    };
    let mut head: Vec<String> = [
        format!("stats.by.{}", by.slug()).as_str(),
        "review.col.events",
        "review.col.sessions",
        "review.col.talks",
        "review.col.workshops",
        "review.col.participants",
        "review.col.under_14",
        "review.share",
        "review.col.uncounted",
        "review.col.per_talk",
        "review.col.per_workshop",
    ]
    .iter()
    .map(|k| tr.t(k).to_string())
    .collect();
    if costs {
        head.push(tr.t("review.col.cost").into());
        head.push(tr.t("review.col.cost_per_participant").into());
    }
    let rows = lines
        .iter()
        .map(|l| {
            let r = StatsRow::build(None, &l.tally, &[]);
            let mut cells = vec![
                Cell::text(line_name(tr, by, &l.key)),
                int(r.events),
                int(r.sessions),
                int(r.talks),
                int(r.workshops),
                int(r.participants),
                int(r.under_14),
                share(r.under_14_share()),
                int(r.uncounted_sessions),
                dec(r.avg_per_talk),
                dec(r.avg_per_workshop),
            ];
            if costs {
                cells.push(money(Some(r.cost_cents)));
                cells.push(money(r.cost_per_participant_cents));
            }
            cells
        })
        .collect();
    (head, rows)
}

#[derive(Template)]
#[template(path = "stats.html")]
struct DashboardPage {
    page: Page,
    q: StatsQuery,
    errors: FormErrors,
    series: Vec<String>,
    dimensions: Vec<(String, String)>,
    /// "Saison 2024-2025 · du … au …", empty when the choice failed.
    heading: String,
    previous: String,
    figures: Vec<crate::review::Figure>,
    notes: Vec<String>,
    charts: Vec<Chart>,
    head: Vec<String>,
    rows: Vec<Vec<String>>,
    review: String,
    pdf: String,
    csv: String,
    breakdown_csv: String,
}

async fn dashboard(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Query(mut q): Query<StatsQuery>,
) -> Result<Response, WebError> {
    s.require(Action::ReadStatistics)?;
    let tr = Tr::new(s.lang);
    let choice = understand(&state, &s, &mut q).await?;
    let series = state
        .store
        .list_series(s.library_id())
        .await?
        .into_iter()
        .map(|x| x.name)
        .collect();
    let dimensions = Dimension::ALL
        .iter()
        .map(|d| {
            (
                d.slug().to_string(),
                tr.t(&format!("stats.by.{}", d.slug())).to_string(),
            )
        })
        .collect();
    let mut page = DashboardPage {
        page: Page::new(&s, tr.t("stats.title"), "stats", &flash),
        review: q.link("/staff/stats/review"),
        pdf: q.link("/staff/stats/review.pdf"),
        csv: q.link("/staff/stats/review.csv"),
        breakdown_csv: q.link("/staff/stats/breakdown.csv"),
        q,
        errors: FormErrors::default(),
        series,
        dimensions,
        heading: String::new(),
        previous: String::new(),
        figures: Vec::new(),
        notes: Vec::new(),
        charts: Vec::new(),
        head: Vec::new(),
        rows: Vec::new(),
    };
    let c = match choice {
        Ok(c) => c,
        Err(problems) => {
            page.errors = FormErrors::new(&tr, &problems);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
    };
    let costs = s.may(Action::ReadCosts);
    let review = Review::load(&state.store, scope(&s, &c), &c.period, true).await?;
    let view = ReviewView::new(tr, &review, "", c.series.as_deref(), costs);
    page.heading = format!("{} · {}", view.title, view.period);
    page.previous = view.previous_period.clone().unwrap_or_default();
    page.figures = figures(&tr, &review, costs, true);
    page.notes = view.notes;
    page.charts = view.charts;
    let lines = state
        .store
        .breakdown(scope(&s, &c), &c.period, c.by)
        .await?;
    let (head, rows) = breakdown_table(&tr, c.by, &lines, costs, false);
    page.head = head;
    page.rows = rows
        .iter()
        .map(|r| r.iter().map(|c| c.as_str().to_string()).collect())
        .collect();
    Ok(Html(page.render()?).into_response())
}

/// The choice for a download or the review; a bad address is a 400.
async fn chosen(
    state: &AppState,
    s: &StaffSession,
    q: &mut StatsQuery,
) -> Result<Choice, WebError> {
    s.require(Action::ReadStatistics)?;
    understand(state, s, q)
        .await?
        .map_err(|_| WebError::BadRequest("statistics period".into()))
}

fn download(content_type: &'static str, name: String, body: Vec<u8>) -> Response {
    let disposition = format!("attachment; filename=\"{name}\"");
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// "bilan-2024-2025", for file names.
fn file_stem(c: &Choice) -> String {
    let label: String = c
        .period
        .label()
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || ch == '-' {
                ch
            } else {
                '_'
            }
        })
        .collect();
    format!("bilan-{label}")
}

async fn breakdown_csv(
    State(state): State<AppState>,
    s: StaffSession,
    Query(mut q): Query<StatsQuery>,
) -> Result<Response, WebError> {
    let c = chosen(&state, &s, &mut q).await?;
    let tr = Tr::new(s.lang);
    let lines = state
        .store
        .breakdown(scope(&s, &c), &c.period, c.by)
        .await?;
    let (head, rows) = breakdown_table(&tr, c.by, &lines, s.may(Action::ReadCosts), true);
    let body = csv(&head, &rows).into_bytes();
    Ok(download(
        "text/csv; charset=utf-8",
        format!("{}-{}.csv", file_stem(&c), c.by.slug()),
        body,
    ))
}

async fn review_view(
    state: &AppState,
    s: &StaffSession,
    q: &StatsQuery,
    c: &Choice,
) -> Result<ReviewView, WebError> {
    let library = state.store.library(s.library_id()).await?;
    let review = Review::load(&state.store, scope(s, c), &c.period, true).await?;
    let mut view = ReviewView::new(
        Tr::new(s.lang),
        &review,
        &library.name,
        c.series.as_deref(),
        s.may(Action::ReadCosts),
    );
    view.links = Some(Links {
        back: q.link("/staff/stats"),
        pdf: q.link("/staff/stats/review.pdf"),
        csv: q.link("/staff/stats/review.csv"),
    });
    view.issued = Some(jiff::Zoned::now().with_time_zone(library.tz()).date());
    Ok(view)
}

async fn review_page(
    State(state): State<AppState>,
    s: StaffSession,
    Query(mut q): Query<StatsQuery>,
) -> Result<Html<String>, WebError> {
    let c = chosen(&state, &s, &mut q).await?;
    Ok(Html(to_html(&review_view(&state, &s, &q, &c).await?)))
}

async fn review_pdf(
    State(state): State<AppState>,
    s: StaffSession,
    Query(mut q): Query<StatsQuery>,
) -> Result<Response, WebError> {
    let c = chosen(&state, &s, &mut q).await?;
    let view = review_view(&state, &s, &q, &c).await?;
    Ok(download(
        "application/pdf",
        format!("{}.pdf", file_stem(&c)),
        pdf::render(&view),
    ))
}

async fn review_csv(
    State(state): State<AppState>,
    s: StaffSession,
    Query(mut q): Query<StatsQuery>,
) -> Result<Response, WebError> {
    let c = chosen(&state, &s, &mut q).await?;
    let report = state.store.report(scope(&s, &c), &c.period, true).await?;
    let body = report_csv(&Tr::new(s.lang), &report, s.may(Action::ReadCosts)).into_bytes();
    Ok(download(
        "text/csv; charset=utf-8",
        format!("{}.csv", file_stem(&c)),
        body,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use almanach_domain::Lang;

    /// Labels looked up by a computed key, which the locale test cannot see.
    #[test]
    fn every_dimension_and_category_is_named() {
        let mut keys: Vec<String> = Dimension::ALL
            .iter()
            .flat_map(|d| {
                [
                    format!("stats.by.{}", d.slug()),
                    format!("stats.none.{}", d.slug()),
                ]
            })
            .collect();
        keys.extend(
            almanach_domain::programme::THEME_CATEGORIES
                .iter()
                .map(|c| format!("themes.category.{c}")),
        );
        for k in keys {
            assert!(crate::i18n::has_key(&k), "{k} missing");
            assert_ne!(Tr::new(Lang::En).t(&k), k.as_str());
        }
    }

    #[test]
    fn links_keep_the_choices() {
        let q = StatsQuery {
            period: "year".into(),
            year: "2024".into(),
            series: "Samedis de l'innovation".into(),
            ..Default::default()
        };
        assert_eq!(
            q.link("/staff/stats/review"),
            "/staff/stats/review?period=year&year=2024&series=Samedis%20de%20l%27innovation"
        );
    }
}
