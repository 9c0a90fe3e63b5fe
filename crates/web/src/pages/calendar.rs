//! The calendar: a month grid (Monday first) and an ISO week, filtered by
//! series and room, each session on its library-local day, coloured by its
//! series.

use almanach_domain::calendar::parse_date;
use almanach_domain::fmt;
use almanach_store::SessionFilter;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::Html;
use axum::routing::get;
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::auth::StaffSession;
use crate::view::dates::{add_days, day_start, monday, today};
use crate::view::keys::opt_id;
use crate::view::session::SessionRow;
use crate::view::{Flash, Page};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/calendar", get(month))
        .route("/staff/calendar/week", get(week))
}

#[derive(Debug, Default, Deserialize)]
struct CalQuery {
    #[serde(default)]
    month: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    series: String,
    #[serde(default)]
    room: String,
}

impl CalQuery {
    /// The filters to carry over in every navigation link.
    fn suffix(&self) -> String {
        let mut s = String::new();
        if let Some(id) = opt_id(&self.series) {
            s.push_str(&format!("&series={id}"));
        }
        if let Some(id) = opt_id(&self.room) {
            s.push_str(&format!("&room={id}"));
        }
        s
    }
}

/// One day of the grid or the week.
struct Day {
    iso: String,
    num: i8,
    label: String,
    /// Outside the month shown (greyed).
    other: bool,
    today: bool,
    items: Vec<SessionRow>,
}

/// What both views share: the frame, the filters, the navigation.
struct Frame {
    heading: String,
    series: Vec<(String, String)>,
    rooms: Vec<(String, String)>,
    query: CalQuery,
    /// The period's key kept by the filter form (`month` or `date`) and its value.
    keep: (&'static str, String),
    prev: String,
    next: String,
    current: String,
    other_view: String,
    other_label: String,
    /// Where the filter form goes: this view.
    path: &'static str,
}

/// The days from `first` to `last` with their sessions.
async fn days(
    state: &AppState,
    s: &StaffSession,
    tz: &TimeZone,
    q: &CalQuery,
    first: Date,
    last: Date,
    month: Option<i8>,
) -> Result<Vec<Day>, WebError> {
    let tr = Tr::new(s.lang);
    let f = SessionFilter {
        from: Some(day_start(tz, first)),
        to: Some(day_start(tz, add_days(last, 1))),
        series_id: opt_id(&q.series),
        room_id: opt_id(&q.room),
        include_cancelled: true,
        ..Default::default()
    };
    let mut rows = SessionRow::all(
        &tr,
        tz,
        &state.store.list_sessions(s.library_id(), &f).await?,
    );
    crate::view::badge::mark_readiness(
        state,
        s,
        tz,
        day_start(tz, first),
        day_start(tz, add_days(last, 1)),
        &mut rows,
    )
    .await?;
    let now = today(tz);
    let mut out = Vec::new();
    let mut d = first;
    while d <= last {
        let iso = d.to_string();
        out.push(Day {
            items: rows
                .iter()
                .filter(|r| r.local_date == iso)
                .cloned()
                .collect(),
            iso,
            num: d.day(),
            label: fmt::day(d, tr.lang),
            other: month.is_some_and(|m| m != d.month()),
            today: d == now,
        });
        d = add_days(d, 1);
    }
    Ok(out)
}

async fn frame(
    state: &AppState,
    s: &StaffSession,
    flash: &Flash,
    query: CalQuery,
) -> Result<(Page, Frame, TimeZone), WebError> {
    let tr = Tr::new(s.lang);
    let lib = s.library_id();
    let tz = state.store.library(lib).await?.tz();
    // "All …" first, then each one by id.
    let choices = |all, named: Vec<(i64, String)>| -> Vec<(String, String)> {
        std::iter::once((String::new(), tr.t(all).to_string()))
            .chain(named.into_iter().map(|(id, name)| (id.to_string(), name)))
            .collect()
    };
    let series = state.store.list_series(lib).await?;
    let series = choices(
        "calendar.all_series",
        series.into_iter().map(|x| (x.id, x.name)).collect(),
    );
    let rooms = state.store.list_rooms(lib).await?;
    let rooms = choices(
        "calendar.all_rooms",
        rooms.into_iter().map(|x| (x.id, x.name)).collect(),
    );
    let page = Page::new(s, tr.t("nav.calendar"), "calendar", flash);
    let frame = Frame {
        heading: String::new(),
        series,
        rooms,
        query,
        keep: ("", String::new()),
        prev: String::new(),
        next: String::new(),
        current: String::new(),
        other_view: String::new(),
        other_label: String::new(),
        path: "",
    };
    Ok((page, frame, tz))
}

#[derive(Template)]
#[template(path = "calendar_month.html")]
struct MonthPage {
    page: Page,
    f: Frame,
    weekdays: Vec<&'static str>,
    days: Vec<Day>,
}

/// "Janvier 2025": French month names are lower case in a sentence, not in a heading.
fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn month_key(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

async fn month(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Query(q): Query<CalQuery>,
) -> Result<Html<String>, WebError> {
    let (page, mut f, tz) = frame(&state, &s, &flash, q).await?;
    let lang = page.tr.lang;
    let first = parse_date(&format!("{}-01", f.query.month.trim()))
        .unwrap_or_else(|| today(&tz).first_of_month());
    let (grid_first, grid_last) = (monday(first), add_days(monday(first.last_of_month()), 6));
    let days = days(
        &state,
        &s,
        &tz,
        &f.query,
        grid_first,
        grid_last,
        Some(first.month()),
    )
    .await?;
    let weekdays = (0..7)
        .map(|i| fmt::weekday_name(add_days(grid_first, i), lang))
        .collect();
    let sfx = f.query.suffix();
    let link = |d: Date| format!("/staff/calendar?month={}{sfx}", month_key(d));
    f.heading = capitalised(&format!(
        "{} {}",
        fmt::month_name(first.month(), lang),
        first.year()
    ));
    f.prev = link(first.checked_sub(1.month()).unwrap_or(first));
    f.next = link(first.checked_add(1.month()).unwrap_or(first));
    f.current = link(today(&tz));
    let week_of = if first.year() == today(&tz).year() && first.month() == today(&tz).month() {
        today(&tz)
    } else {
        first
    };
    f.other_view = format!("/staff/calendar/week?date={week_of}{sfx}");
    f.keep = ("month", month_key(first));
    f.other_label = page.tr.t("calendar.week_view").to_string();
    f.path = "/staff/calendar";
    Ok(Html(
        MonthPage {
            page,
            f,
            weekdays,
            days,
        }
        .render()?,
    ))
}

#[derive(Template)]
#[template(path = "calendar_week.html")]
struct WeekPage {
    page: Page,
    f: Frame,
    days: Vec<Day>,
}

async fn week(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Query(q): Query<CalQuery>,
) -> Result<Html<String>, WebError> {
    let (page, mut f, tz) = frame(&state, &s, &flash, q).await?;
    let lang = page.tr.lang;
    let start = monday(parse_date(&f.query.date).unwrap_or_else(|| today(&tz)));
    let end = add_days(start, 6);
    let days = days(&state, &s, &tz, &f.query, start, end, None).await?;
    let sfx = f.query.suffix();
    let link = |d: Date| format!("/staff/calendar/week?date={d}{sfx}");
    f.heading = page.tr.tf(
        "calendar.week_of",
        &[
            ("from", fmt::day(start, lang)),
            ("to", fmt::day_with_year(end, lang)),
        ],
    );
    f.prev = link(add_days(start, -7));
    f.next = link(add_days(start, 7));
    f.current = link(monday(today(&tz)));
    f.other_view = format!("/staff/calendar?month={}{sfx}", month_key(start));
    f.keep = ("date", start.to_string());
    f.other_label = page.tr.t("calendar.month_view").to_string();
    f.path = "/staff/calendar/week";
    Ok(Html(WeekPage { page, f, days }.render()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn weeks_start_on_monday() {
        assert_eq!(monday(date(2025, 1, 13)), date(2025, 1, 13));
        assert_eq!(monday(date(2025, 1, 19)), date(2025, 1, 13));
        assert_eq!(monday(date(2025, 1, 1)), date(2024, 12, 30));
    }

    #[test]
    fn days_begin_at_local_midnight() {
        let tz = almanach_domain::calendar::paris();
        // 1 January 2025 00:00 in Paris is 23:00 UTC the day before.
        assert_eq!(day_start(&tz, date(2025, 1, 1)), 1_735_686_000);
    }
}
