//! The public agenda of coming sessions grouped by day, with filters in a
//! plain GET form, and the archive of past sessions.

use almanach_domain::calendar::parse_date;
use almanach_domain::programme::{SessionKind, THEME_CATEGORIES};
use almanach_domain::{Problem, fmt};
use almanach_store::{AgendaFilter, AgendaItem, Room, Series, now};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;

use super::page::{Badge, PublicPage, Visit, badge, hours};
use crate::forms::FormErrors;
use crate::view::keys::opt_id;
use crate::{AppState, Tr, WebError};
use jiff::tz::TimeZone;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/agenda", get(coming))
        .route("/agenda/archive", get(archive))
}

/// Sessions per page: a season's agenda fits in a few pages on a phone.
const PER_PAGE: usize = 40;

/// The filter form as sent; every field optional, kept to fill the form
/// again. The feed and the embeddable agenda take the same filters.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AgendaQuery {
    #[serde(default)]
    series: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    age: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    room: String,
    #[serde(default)]
    seats: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
    /// How many sessions the embeddable agenda shows.
    #[serde(default)]
    pub(crate) limit: String,
}

impl AgendaQuery {
    /// The store's filter, or the problems to show next to the fields.
    fn filter(&self, past: bool) -> Result<AgendaFilter, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut date = |field: &'static str, s: &str| match s.trim() {
            "" => None,
            s => match parse_date(s) {
                Some(d) => Some(d.to_string()),
                None => {
                    problems.push(Problem::field(field, "error.date"));
                    None
                }
            },
        };
        let (from_date, to_date) = (date("from", &self.from), date("to", &self.to));
        let age = match self.age.trim() {
            "" => None,
            s => match s.parse::<u8>() {
                Ok(a) if a <= 120 => Some(a),
                _ => {
                    problems.push(Problem::field("age", "error.age"));
                    None
                }
            },
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(AgendaFilter {
            past,
            now: now(),
            series_id: opt_id(&self.series),
            category: THEME_CATEGORIES
                .iter()
                .find(|c| **c == self.category.trim())
                .map(|c| c.to_string()),
            kind: SessionKind::parse(&self.kind),
            age,
            from_date,
            to_date,
            room_id: opt_id(&self.room),
            search: self.q.trim().to_string(),
            seats_left: !self.seats.trim().is_empty(),
            offset: 0,
            limit: None,
        })
    }

    fn page(&self) -> usize {
        self.page.trim().parse().unwrap_or(1).max(1)
    }

    /// This query's filters on another page, for the pagination links.
    fn link(&self, path: &str, page: usize) -> String {
        let mut query = self.filters();
        query.append_pair("page", &page.to_string());
        format!("{path}?{}", query.finish())
    }

    /// `path` with this query's filters, for the feed's and the embedded
    /// agenda's links.
    pub(crate) fn with_filters(&self, path: &str) -> String {
        match self.filters().finish() {
            f if f.is_empty() => path.to_string(),
            f => format!("{path}?{f}"),
        }
    }

    /// The filters that are set, encoded as a browser sends the form.
    fn filters(&self) -> form_urlencoded::Serializer<'static, String> {
        let pairs = [
            ("series", &self.series),
            ("category", &self.category),
            ("kind", &self.kind),
            ("age", &self.age),
            ("from", &self.from),
            ("to", &self.to),
            ("room", &self.room),
            ("seats", &self.seats),
            ("q", &self.q),
        ];
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(
            pairs
                .iter()
                .map(|(k, v)| (k, v.trim()))
                .filter(|(_, v)| !v.is_empty()),
        );
        query
    }
}

/// One line of the agenda.
pub struct Row {
    pub event_id: i64,
    pub session_id: i64,
    pub title: String,
    pub series: Option<String>,
    pub colour: String,
    pub kind: String,
    pub hours: String,
    pub room: Option<String>,
    pub audience: String,
    pub price: String,
    pub badge: Badge,
}

pub struct Day {
    pub label: String,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "public_agenda.html")]
struct AgendaPage {
    page: PublicPage,
    past: bool,
    q: AgendaQuery,
    errors: FormErrors,
    series: Vec<Series>,
    rooms: Vec<Room>,
    kinds: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    count: String,
    days: Vec<Day>,
    previous: Option<String>,
    next: Option<String>,
    /// The RSS feed of what this page lists.
    feed: String,
}

impl AgendaPage {
    fn selected(&self, field: &str, value: &str) -> bool {
        let v = match field {
            "series" => &self.q.series,
            "category" => &self.q.category,
            "kind" => &self.q.kind,
            "room" => &self.q.room,
            _ => return false,
        };
        v.trim() == value
    }
}

pub(crate) fn kind_key(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Talk => "public.kind.talk",
        SessionKind::Workshop => "public.kind.workshop",
        SessionKind::Appointment => "public.kind.appointment",
        SessionKind::Other => "public.kind.other",
    }
}

fn category_key(slug: &str) -> &'static str {
    match slug {
        "image" => "public.category.image",
        "texte" => "public.category.texte",
        "video" => "public.category.video",
        "son" => "public.category.son",
        "code" => "public.category.code",
        "societe-ethique" => "public.category.societe-ethique",
        "outils-quotidien" => "public.category.outils-quotidien",
        "recherche" => "public.category.recherche",
        _ => "public.category.education",
    }
}

async fn coming(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<AgendaQuery>,
) -> Result<Response, WebError> {
    agenda(state, visit, q, false).await
}

async fn archive(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<AgendaQuery>,
) -> Result<Response, WebError> {
    agenda(state, visit, q, true).await
}

/// Pages a pager counts ahead of the one shown, at most: the archive of a
/// library that held twenty thousand sessions costs what its page shows,
/// and says « plus de … » beyond (issue 11 §6).
const PAGES_COUNTED: usize = 10;

/// One page of the sessions the query selects (`limit` after the first
/// `offset`), each with its seats' badge, and how many there are, counted
/// up to `count_upto` (0: not counted); or the problems of its filters.
/// Search, "seats left" and paging run in SQL.
pub(crate) async fn select(
    state: &AppState,
    visit: &Visit,
    q: &AgendaQuery,
    past: bool,
    offset: usize,
    limit: usize,
    count_upto: usize,
) -> Result<(Vec<(AgendaItem, Badge)>, usize, FormErrors), WebError> {
    let tr = visit.tr();
    let (items, total, errors) = match q.filter(past) {
        Ok(f) => {
            let f = AgendaFilter {
                offset: i64::try_from(offset).unwrap_or(i64::MAX),
                limit: Some(i64::try_from(limit).unwrap_or(i64::MAX)),
                ..f
            };
            let lib = visit.library.id;
            let total = match count_upto {
                0 => 0,
                n => {
                    let n = i64::try_from(n).unwrap_or(i64::MAX);
                    state.store.count_agenda_upto(lib, &f, n).await?
                }
            };
            (
                state.store.agenda(lib, &f).await?,
                usize::try_from(total).unwrap_or_default(),
                FormErrors::default(),
            )
        }
        Err(problems) => (
            Vec::new(),
            0,
            FormErrors::new(&tr, &almanach_domain::Problems(problems)),
        ),
    };
    let t = now();
    let tz = visit.tz();
    let kept = items
        .into_iter()
        .map(|i| {
            let b = badge(tr, &tz, &i.seats, t);
            (i, b)
        })
        .collect();
    Ok((kept, total, errors))
}

/// "samedi 13 janvier", with the year when it is not this one.
fn day_label(local_date: &str, lang: almanach_domain::Lang, this_year: i16) -> String {
    match parse_date(local_date) {
        Some(d) if d.year() == this_year => fmt::day(d, lang),
        Some(d) => fmt::day_with_year(d, lang),
        None => local_date.to_string(),
    }
}

/// Sessions grouped under their day's heading, in the order given.
pub(crate) fn by_day(
    tr: Tr,
    tz: &TimeZone,
    items: impl Iterator<Item = (AgendaItem, Badge)>,
) -> Vec<Day> {
    let this_year = jiff::Zoned::now().with_time_zone(tz.clone()).year();
    let mut days: Vec<Day> = Vec::new();
    for (i, b) in items {
        let s = &i.session;
        let label = day_label(&s.local_date, tr.lang, this_year);
        let row = Row {
            event_id: s.event_id.get(),
            session_id: s.id.get(),
            title: s.event_title.clone(),
            series: s.series_name.clone(),
            colour: s.series_colour.clone().unwrap_or_else(|| "#3a6ea5".into()),
            kind: tr.t(kind_key(s.kind)).to_string(),
            hours: hours(tr, tz, s.starts_at, s.ends_at),
            room: s.room_name.clone(),
            audience: s.ages().describe(tr.lang),
            price: fmt::price(s.price_cents, tr.lang),
            badge: b,
        };
        match days.last_mut() {
            Some(d) if d.label == label => d.rows.push(row),
            _ => days.push(Day {
                label,
                rows: vec![row],
            }),
        }
    }
    days
}

async fn agenda(
    state: AppState,
    visit: Visit,
    q: AgendaQuery,
    past: bool,
) -> Result<Response, WebError> {
    let tr = visit.tr();
    let lib = visit.library.id;
    let tz = visit.tz();
    let page_no = q.page();
    let offset = (page_no - 1).saturating_mul(PER_PAGE);
    // One more than the pages counted: a count that reaches it says « more than ».
    let upto = offset
        .saturating_add(PER_PAGE.saturating_mul(PAGES_COUNTED))
        .saturating_add(1);
    let (kept, total, errors) = select(&state, &visit, &q, past, offset, PER_PAGE, upto).await?;
    let days = by_day(tr, &tz, kept.into_iter());
    let path = if past { "/agenda/archive" } else { "/agenda" };
    let previous = (page_no > 1).then(|| q.link(path, page_no - 1));
    let next = (page_no * PER_PAGE < total).then(|| q.link(path, page_no + 1));
    let title = if past {
        tr.t("public.archive.title")
    } else {
        tr.t("public.agenda.title")
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = AgendaPage {
        page: visit.page(title),
        past,
        series: state.store.list_series(lib).await?,
        rooms: state.store.list_rooms(lib).await?,
        kinds: SessionKind::ALL
            .iter()
            .map(|k| (k.slug(), tr.t(kind_key(*k))))
            .collect(),
        categories: THEME_CATEGORIES
            .iter()
            .map(|c| (*c, tr.t(category_key(c))))
            .collect(),
        errors,
        count: match total {
            0 => tr.t("public.agenda.none").to_string(),
            n if n >= upto => tr.tf("public.agenda.count_more", &[("n", (upto - 1).to_string())]),
            n => tr.tf("public.agenda.count", &[("n", n.to_string())]),
        },
        feed: q.with_filters("/agenda.rss"),
        q,
        days,
        previous,
        next,
    }
    .render()?;
    Ok((status, Html(body)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagination_links_keep_the_filters() {
        let q = AgendaQuery {
            age: "8".into(),
            q: "robot é".into(),
            ..Default::default()
        };
        let link = q.link("/agenda", 2);
        assert_eq!(link, "/agenda?age=8&q=robot+%C3%A9&page=2");
        // Read back as the agenda reads its query, the words are the same.
        let (_, query) = link.split_once('?').unwrap();
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        assert_eq!(
            pairs,
            [pair("age", "8"), pair("q", "robot é"), pair("page", "2")]
        );
        // A value holding `&`, `=`, `+`, `#` or `%` stays one value.
        let q = AgendaQuery {
            q: "a&b=c+d#e%f".into(),
            ..Default::default()
        };
        assert_eq!(
            q.with_filters("/agenda.rss"),
            "/agenda.rss?q=a%26b%3Dc%2Bd%23e%25f"
        );
        assert_eq!(
            AgendaQuery::default().with_filters("/agenda.rss"),
            "/agenda.rss"
        );
    }
}
