//! Events: the list, the form, the event page with its sessions, the status
//! actions (publish, cancel after confirmation, back to draft), and
//! duplication to the same weekday of next month.

use almanach_domain::calendar::{local_to_instant, parse_date};
use almanach_domain::fmt::{self, needs_year};
use almanach_domain::ids::{EventId, LibraryId};
use almanach_domain::programme::{
    EventStatus, calendar_warnings, parse_name, parse_text, same_weekday_next_month, season_of,
};
use almanach_domain::staff::Action;
use almanach_domain::{Problem, Problems};
use almanach_store::{
    Event, EventPeriod, EventQuery, EventRow, Library, Planned, Session, SessionFilter,
    SessionWrite, StoreError,
};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::Deserialize;

use super::actions::{ActionRow, Confirm, NoteForm, confirm_page, note_or_page};
use crate::auth::{Posted, StaffSession};
use crate::error::urlencode;
use crate::forms::FormErrors;
use crate::view::dates::day_start;
use crate::view::keys::opt_id;
use crate::view::session::{SessionRow, clash_problem, label};
use crate::view::{Flash, Page};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/events", get(events_list))
        .route("/staff/events/new", get(event_new).post(event_create))
        .route("/staff/events/{id}", get(event_page))
        .route(
            "/staff/events/{id}/edit",
            get(event_edit).post(event_update),
        )
        .route("/staff/events/{id}/publish", post(event_publish))
        .route(
            "/staff/events/{id}/cancel",
            get(event_cancel_confirm).post(event_cancel),
        )
        .route("/staff/events/{id}/draft", post(event_draft))
        .route(
            "/staff/events/{id}/duplicate",
            get(event_duplicate_form).post(event_duplicate),
        )
}

/// Events per page of the list: a page fits a laptop screen or two.
pub(crate) const PER_PAGE: i64 = 25;

/// The series as `(id, name)` options, led by "none" or "all".
async fn series_options(
    state: &AppState,
    library_id: LibraryId,
    first: String,
) -> Result<Vec<(String, String)>, WebError> {
    let series = state.store.list_series(library_id).await?;
    Ok(std::iter::once((String::new(), first))
        .chain(series.into_iter().map(|s| (s.id.to_string(), s.name)))
        .collect())
}

fn status_options(tr: &Tr) -> Vec<(String, String)> {
    EventStatus::ALL
        .iter()
        .map(|v| (v.slug().to_string(), label(tr, "status", v.slug())))
        .collect()
}

/// The form's statuses: cancelling tells the registrants, so it goes
/// through its confirmation page, not this select.
fn form_status_options(tr: &Tr, current: &str) -> Vec<(String, String)> {
    status_options(tr)
        .into_iter()
        .filter(|(v, _)| v != EventStatus::Cancelled.slug() || v == current)
        .collect()
}

// ---------------------------------------------------------------- list

/// The periods the list offers, by their slug in the address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Period {
    #[default]
    Upcoming,
    Past,
    Season,
    All,
}

impl Period {
    const ALL: [Period; 4] = [Period::Upcoming, Period::Past, Period::Season, Period::All];

    fn slug(self) -> &'static str {
        match self {
            Period::Upcoming => "a-venir",
            Period::Past => "passes",
            Period::Season => "saison",
            Period::All => "toutes",
        }
    }

    /// An unknown period (a hand-edited address) is the default one.
    fn parse(s: &str) -> Period {
        Period::ALL
            .into_iter()
            .find(|p| p.slug() == s.trim())
            .unwrap_or_default()
    }
}

/// The list's address as typed: French names (`?serie=3&periode=passes&page=2`);
/// `series` and `status` are still read, as older links and the dashboard
/// wrote them. Anything unreadable falls back to its default, never an error.
#[derive(Debug, Default)]
struct ListQuery {
    series: String,
    status: String,
    period: Period,
    q: String,
    page: i64,
}

impl ListQuery {
    fn read(pairs: Vec<(String, String)>) -> ListQuery {
        let mut q = ListQuery {
            page: 1,
            ..Default::default()
        };
        for (k, v) in pairs {
            match k.as_str() {
                "serie" | "series" => {
                    q.series = opt_id(&v).map(|i| i.to_string()).unwrap_or_default()
                }
                "statut" | "status" => {
                    q.status = EventStatus::parse(v.trim())
                        .map(|s| s.slug().to_string())
                        .unwrap_or_default()
                }
                "periode" => q.period = Period::parse(&v),
                "q" => q.q = v.trim().chars().take(200).collect(),
                "page" => q.page = v.trim().parse::<i64>().unwrap_or(1).max(1),
                _ => {}
            }
        }
        q
    }

    /// This list on `page`, with the same filters.
    fn link(&self, period: Period, page: i64) -> String {
        let mut parts = Vec::new();
        if period != Period::default() {
            parts.push(format!("periode={}", period.slug()));
        }
        if let Some(id) = opt_id(&self.series) {
            parts.push(format!("serie={id}"));
        }
        if let Some(st) = EventStatus::parse(&self.status) {
            parts.push(format!("statut={}", st.slug()));
        }
        if !self.q.is_empty() {
            parts.push(format!("q={}", urlencode(&self.q)));
        }
        if page > 1 {
            parts.push(format!("page={page}"));
        }
        if parts.is_empty() {
            "/staff/events".into()
        } else {
            format!("/staff/events?{}", parts.join("&"))
        }
    }
}

struct ListRow {
    row: EventRow,
    first: String,
    status: String,
}

/// Where the list's pages lead, "Page 2 sur 14" in between.
struct Pager {
    label: String,
    first: Option<String>,
    prev: Option<String>,
    next: Option<String>,
    last: Option<String>,
}

#[derive(Template)]
#[template(path = "event_list.html")]
struct ListPage {
    page: Page,
    events: Vec<ListRow>,
    series: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    periods: Vec<(String, String)>,
    query: ListQuery,
    period: String,
    /// "275 événements"
    count: String,
    pages: i64,
    pager: Pager,
    /// Nothing in this period: the same search over every date.
    everywhere: Option<String>,
}

async fn events_list(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Html<String>, WebError> {
    let tr = Tr::new(s.lang);
    let lib = s.library_id();
    let tz = state.store.library(lib).await?.tz();
    let query = ListQuery::read(pairs);
    let now = Timestamp::now();
    let today = now.to_zoned(tz.clone()).date();
    let (season_start, season) = season_of(today);
    let period = match query.period {
        Period::Upcoming => EventPeriod::Upcoming,
        Period::Past => EventPeriod::Past,
        Period::All => EventPeriod::All,
        Period::Season => {
            let from = jiff::civil::date(season_start, 9, 1);
            let to = jiff::civil::date(season_start + 1, 9, 1);
            EventPeriod::Between(day_start(&tz, from), day_start(&tz, to))
        }
    };
    let mut filter = EventQuery {
        series_id: opt_id(&query.series),
        status: EventStatus::parse(&query.status),
        period,
        words: query
            .q
            .split_whitespace()
            .take(8)
            .map(str::to_string)
            .collect(),
        now: now.as_second(),
        offset: 0,
        limit: PER_PAGE,
    };
    let total = state.store.count_event_rows(lib, &filter).await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    // Past the last page (a list that shrank meanwhile): the last one.
    let current = query.page.min(pages);
    filter.offset = (current - 1) * PER_PAGE;
    let rows = state.store.list_event_rows(lib, &filter).await?;
    let dates: Vec<Option<Date>> = rows
        .iter()
        .map(|r| r.first_at.and_then(|t| local_day(&tz, t)))
        .collect();
    let year = needs_year(dates.iter().flatten().copied(), today);
    let events = rows
        .into_iter()
        .zip(dates)
        .map(|(row, date)| ListRow {
            first: date
                .map(|d| fmt::day_styled(d, tr.lang, year))
                .unwrap_or_default(),
            status: label(&tr, "status", row.event.status.slug()),
            row,
        })
        .collect();
    let statuses = std::iter::once((String::new(), tr.t("event.all_statuses").to_string()))
        .chain(status_options(&tr))
        .collect();
    let periods = Period::ALL
        .iter()
        .map(|p| {
            let key = format!("event.period.{}", p.slug());
            (
                p.slug().to_string(),
                tr.tf(&key, &[("season", season.clone())]),
            )
        })
        .collect();
    let link = |p: i64| query.link(query.period, p);
    let pager = Pager {
        label: tr.tf(
            "event.page_of",
            &[("page", current.to_string()), ("pages", pages.to_string())],
        ),
        first: (current > 2).then(|| link(1)),
        prev: (current > 1).then(|| link(current - 1)),
        next: (current < pages).then(|| link(current + 1)),
        last: (current + 1 < pages).then(|| link(pages)),
    };
    let everywhere =
        (total == 0 && query.period != Period::All).then(|| query.link(Period::All, 1));
    let count = tr.tf("event.count", &[("n", total.to_string())]);
    let page = Page::new(&s, tr.t("event.list_title"), "events", &flash);
    let series = series_options(&state, lib, tr.t("event.all_series").to_string()).await?;
    Ok(Html(
        ListPage {
            page,
            events,
            series,
            statuses,
            periods,
            period: query.period.slug().to_string(),
            query,
            count,
            pages,
            pager,
            everywhere,
        }
        .render()?,
    ))
}

/// The library-local day of an instant.
fn local_day(tz: &TimeZone, at: i64) -> Option<Date> {
    Timestamp::from_second(at)
        .ok()
        .map(|t| t.to_zoned(tz.clone()).date())
}

// ---------------------------------------------------------------- form

#[derive(Debug, Default, Deserialize)]
struct EventForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    series_id: String,
    #[serde(default)]
    picture_url: String,
    #[serde(default)]
    status: String,
}

/// A picture is on this site (`/…`) or fetched over HTTPS; never
/// `javascript:`, plain HTTP or a protocol-relative `//host`.
fn parse_picture_url(s: &str) -> Result<String, Problem> {
    let s = s.trim();
    let ok = s.is_empty()
        || ((s.starts_with("https://") || (s.starts_with('/') && !s.starts_with("//")))
            && s.len() <= 500
            && !s
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '"'));
    if ok {
        Ok(s.to_string())
    } else {
        Err(Problem::field("picture_url", "error.picture_url"))
    }
}

impl EventForm {
    fn from_event(e: &Event) -> EventForm {
        EventForm {
            title: e.title.clone(),
            description: e.description.clone(),
            series_id: e.series_id.map(|i| i.to_string()).unwrap_or_default(),
            picture_url: e.picture_url.clone(),
            status: e.status.slug().into(),
        }
    }

    /// The event as the form describes it; `id` None for a new one.
    fn parse(&self, id: Option<EventId>) -> Result<Event, Problems> {
        let mut p = Problems::new();
        let title = p.take(parse_name("title", &self.title, 200));
        let description = p.take(parse_text("description", &self.description, 10_000));
        let picture_url = p.take(parse_picture_url(&self.picture_url));
        let status = if self.status.trim().is_empty() {
            Some(EventStatus::Draft)
        } else {
            EventStatus::parse(&self.status)
        };
        if status.is_none() {
            p.push(Problem::field("status", "error.choose"));
        }
        p.into_result(|| Event {
            id: id.unwrap_or_default(),
            series_id: opt_id(&self.series_id),
            title: title.expect("checked"),
            description: description.expect("checked"),
            picture_url: picture_url.expect("checked"),
            status: status.expect("checked"),
        })
    }
}

#[derive(Template)]
#[template(path = "event_form.html")]
struct FormPage {
    page: Page,
    id: i64,
    form: EventForm,
    errors: FormErrors,
    series: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
}

async fn form_page(
    state: &AppState,
    s: &StaffSession,
    id: i64,
    form: EventForm,
    errors: FormErrors,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let title = if id == 0 {
        tr.t("event.new")
    } else {
        tr.t("event.edit")
    };
    let page = Page::new(s, title, "events", &Flash::default());
    let series = series_options(state, s.library_id(), tr.t("event.no_series").to_string()).await?;
    let statuses = form_status_options(&tr, &form.status);
    Ok(FormPage {
        page,
        id,
        form,
        errors,
        series,
        statuses,
    }
    .render()?)
}

async fn event_new(
    State(state): State<AppState>,
    s: StaffSession,
) -> Result<Html<String>, WebError> {
    s.require(Action::EditProgramme)?;
    let form = EventForm {
        status: EventStatus::Draft.slug().into(),
        ..Default::default()
    };
    Ok(Html(
        form_page(&state, &s, 0, form, FormErrors::default()).await?,
    ))
}

async fn event_edit(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<EventId>,
) -> Result<Html<String>, WebError> {
    s.require(Action::EditProgramme)?;
    let event = state.store.event(s.library_id(), id).await?;
    Ok(Html(
        form_page(
            &state,
            &s,
            id.get(),
            EventForm::from_event(&event),
            FormErrors::default(),
        )
        .await?,
    ))
}

async fn event_create(
    State(state): State<AppState>,
    p: Posted<EventForm>,
) -> Result<Response, WebError> {
    save(state, p, None).await
}

async fn event_update(
    State(state): State<AppState>,
    Path(id): Path<EventId>,
    p: Posted<EventForm>,
) -> Result<Response, WebError> {
    save(state, p, Some(id)).await
}

async fn save(
    state: AppState,
    Posted { session: s, form }: Posted<EventForm>,
    id: Option<EventId>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let tr = Tr::new(s.lang);
    let was_cancelled = match id {
        None => false,
        Some(id) => state.store.event(s.library_id(), id).await?.status == EventStatus::Cancelled,
    };
    let problems = match form.parse(id) {
        Ok(event) if event.status == EventStatus::Cancelled && id.is_some() && !was_cancelled => {
            Problems::from(Problem::field("status", "error.cancel_from_event_page"))
        }
        Ok(event) => match state.store.save_event(&s.actor(), &event).await {
            Ok(saved) => {
                let done = if id.is_none() { "created" } else { "saved" };
                return Ok(
                    Redirect::to(&format!("/staff/events/{saved}?done={done}")).into_response()
                );
            }
            // A series removed meanwhile.
            Err(StoreError::Conflict(_)) => {
                Problems::from(Problem::field("series_id", "error.unknown_record"))
            }
            Err(e) => return Err(e.into()),
        },
        Err(problems) => problems,
    };
    let body = form_page(
        &state,
        &s,
        id.map_or(0, EventId::get),
        form,
        FormErrors::new(&tr, &problems),
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(body)).into_response())
}

// ---------------------------------------------------------------- page

#[derive(Template)]
#[template(path = "event_page.html")]
struct EventPage {
    page: Page,
    event: Event,
    status: String,
    series: String,
    colour: String,
    sessions: Vec<SessionRow>,
    /// Recent actions that told the public, with their undo.
    actions: Vec<ActionRow>,
}

async fn event_sessions(
    state: &AppState,
    library_id: LibraryId,
    event_id: EventId,
) -> Result<Vec<Session>, WebError> {
    let f = SessionFilter {
        event_id: Some(event_id),
        include_cancelled: true,
        ..Default::default()
    };
    Ok(state.store.list_sessions(library_id, &f).await?)
}

async fn event_page(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Path(id): Path<EventId>,
) -> Result<Html<String>, WebError> {
    let tr = Tr::new(s.lang);
    let lib = s.library_id();
    let event = state.store.event(lib, id).await?;
    let tz = state.store.library(lib).await?.tz();
    let all = event_sessions(&state, lib, id).await?;
    let mut sessions = SessionRow::all(&tr, &tz, &all);
    if let (Some(a), Some(b)) = (all.first(), all.last()) {
        crate::view::badge::mark_readiness(
            &state,
            &s,
            &tz,
            a.starts_at,
            b.starts_at + 1,
            &mut sessions,
        )
        .await?;
    }
    let (series, colour) = match event.series_id {
        Some(sid) => {
            let se = state.store.series(lib, sid).await?;
            (se.name, se.colour)
        }
        None => (String::new(), String::new()),
    };
    let page = Page::new(&s, event.title.clone(), "events", &flash);
    let status = label(&tr, "status", event.status.slug());
    let actions = super::actions::recent(&state, &s, id, None).await?;
    Ok(Html(
        EventPage {
            page,
            event,
            status,
            series,
            colour,
            sessions,
            actions,
        }
        .render()?,
    ))
}

// ---------------------------------------------------------------- status

#[derive(Deserialize)]
struct Empty {}

async fn set_status(
    state: AppState,
    p: Posted<Empty>,
    id: EventId,
    status: EventStatus,
    done: &str,
) -> Result<Response, WebError> {
    let s = p.session;
    s.require(Action::EditProgramme)?;
    let event = state.store.event(s.library_id(), id).await?;
    state
        .store
        .save_event(&s.actor(), &Event { status, ..event })
        .await?;
    Ok(Redirect::to(&format!("/staff/events/{id}?done={done}")).into_response())
}

async fn event_publish(
    State(state): State<AppState>,
    Path(id): Path<EventId>,
    p: Posted<Empty>,
) -> Result<Response, WebError> {
    set_status(state, p, id, EventStatus::Published, "published").await
}

/// Cancels the event as staff confirmed it: its registrants' e-mails wait
/// out the hold, and the event page offers to undo it.
async fn event_cancel(
    State(state): State<AppState>,
    Path(id): Path<EventId>,
    Posted { session: s, form }: Posted<NoteForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let confirm = cancel_confirm(&state, &s, id).await?;
    let note = match note_or_page(&s, &form, || confirm)? {
        Ok(note) => note,
        Err(page) => return Ok(page),
    };
    state.store.cancel_event_held(&s.actor(), id, &note).await?;
    Ok(Redirect::to(&format!("/staff/events/{id}?done=cancelled")).into_response())
}

async fn event_draft(
    State(state): State<AppState>,
    Path(id): Path<EventId>,
    p: Posted<Empty>,
) -> Result<Response, WebError> {
    set_status(state, p, id, EventStatus::Draft, "restored").await
}

/// What the page asking to confirm an event's cancellation says.
async fn cancel_confirm(
    state: &AppState,
    s: &StaffSession,
    id: EventId,
) -> Result<Confirm, WebError> {
    let event = state.store.event(s.library_id(), id).await?;
    let sessions = event_sessions(state, s.library_id(), id)
        .await?
        .iter()
        .filter(|x| !x.cancelled)
        .count();
    let tr = Tr::new(s.lang);
    Ok(Confirm {
        question: tr.t("event.cancel_question").to_string(),
        explain: tr.tf(
            "notify.event_cancel.explain",
            &[
                ("title", event.title.clone()),
                ("sessions", tr.tn("notify.sessions", sessions, &[])),
            ],
        ),
        audience: state
            .store
            .audience(s.library_id(), Planned::EventCancel(id))
            .await?,
        action: format!("/staff/events/{id}/cancel"),
        hidden: Vec::new(),
        confirm: tr.t("event.cancel_confirm").to_string(),
        back: format!("/staff/events/{id}"),
        back_label: tr.t("event.cancel_keep").to_string(),
    })
}

async fn event_cancel_confirm(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<EventId>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let c = cancel_confirm(&state, &s, id).await?;
    confirm_page(&s, c, "", FormErrors::default())
}

// ---------------------------------------------------------------- duplicate

#[derive(Debug, Default, Deserialize)]
pub(super) struct DuplicateForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    confirm_warnings: Option<String>,
}

#[derive(Template)]
#[template(path = "event_duplicate.html")]
struct DuplicatePage {
    page: Page,
    event: Event,
    action: String,
    sessions: Vec<SessionRow>,
    date: String,
    errors: FormErrors,
    confirmed: bool,
}

/// The duplication form for `sources` (an event's sessions, or one): the
/// date proposed is the same weekday of the same week next month.
pub(super) async fn duplicate_form_page(
    state: &AppState,
    s: &StaffSession,
    event: Event,
    sources: Vec<Session>,
    action: String,
    form: Option<DuplicateForm>,
    errors: FormErrors,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let tz = state.store.library(s.library_id()).await?.tz();
    let confirmed = form.as_ref().is_some_and(|f| f.confirm_warnings.is_some());
    let date = form.map(|f| f.date).unwrap_or_else(|| {
        sources
            .first()
            .map(|f| same_weekday_next_month(local_date(&tz, f)).to_string())
            .unwrap_or_default()
    });
    let page = Page::new(
        s,
        tr.tf("event.duplicate_title", &[("title", event.title.clone())]),
        "events",
        &Flash::default(),
    );
    let sessions = SessionRow::all(&tr, &tz, &sources);
    Ok(DuplicatePage {
        page,
        event,
        action,
        sessions,
        date,
        errors,
        confirmed,
    }
    .render()?)
}

/// The library-local date a session starts on.
fn local_date(tz: &TimeZone, s: &Session) -> Date {
    s.local_date.parse().unwrap_or_else(|_| {
        Timestamp::from_second(s.starts_at)
            .map(|t| t.to_zoned(tz.clone()).date())
            .unwrap_or_default()
    })
}

/// Copies of `sources` moved so the first falls on `target`, each keeping
/// its wall-clock times (14 h stays 14 h across a daylight-saving change).
fn shifted(tz: &TimeZone, sources: &[Session], target: Date) -> Result<Vec<SessionWrite>, Problem> {
    let Some(first) = sources.first() else {
        return Ok(Vec::new());
    };
    let bad = || Problem::field("date", "error.date");
    let days = local_date(tz, first)
        .until(target)
        .map_err(|_| bad())?
        .get_days();
    let moved = |at: i64| -> Result<(Date, i64), Problem> {
        let z = Timestamp::from_second(at)
            .map_err(|_| bad())?
            .to_zoned(tz.clone());
        let date = z.date().checked_add(days.days()).map_err(|_| bad())?;
        let instant = local_to_instant(tz, date, z.time()).map_err(|p| Problem {
            field: Some("date"),
            ..p
        })?;
        Ok((date, instant.as_second()))
    };
    sources
        .iter()
        .map(|s| {
            let (date, starts_at) = moved(s.starts_at)?;
            let (_, ends_at) = moved(s.ends_at)?;
            Ok(SessionWrite {
                event_id: EventId(0),
                starts_at,
                ends_at,
                local_date: date.to_string(),
                ..SessionWrite::from(s)
            })
        })
        .collect()
}

/// What the library's calendar says about the copies' new dates, each
/// warning once (a holiday is one warning, however many sessions it holds).
fn copy_warnings(library: &Library, writes: &[SessionWrite]) -> Vec<Problem> {
    let tz = library.tz();
    let mut out: Vec<Problem> = Vec::new();
    for w in writes {
        let (Ok(a), Ok(b)) = (
            Timestamp::from_second(w.starts_at),
            Timestamp::from_second(w.ends_at),
        ) else {
            continue;
        };
        let (a, b) = (a.to_zoned(tz.clone()), b.to_zoned(tz.clone()));
        for p in calendar_warnings(
            &library.hours(),
            &library.closing(),
            a.date(),
            a.time(),
            b.time(),
        ) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    out
}

/// Creates the draft copy with its sessions, all or nothing: a room taken
/// at the new date shows which session holds it and creates nothing.
pub(super) async fn duplicate_save(
    state: AppState,
    Posted { session: s, form }: Posted<DuplicateForm>,
    event: Event,
    sources: Vec<Session>,
    action: String,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let tr = Tr::new(s.lang);
    let library = state.store.library(s.library_id()).await?;
    let tz = library.tz();
    let target = match parse_date(&form.date) {
        Some(d) => Ok(d),
        None if form.date.trim().is_empty() && sources.is_empty() => Ok(Date::default()),
        None if form.date.trim().is_empty() => Err(Problem::field("date", "error.required")),
        None => Err(Problem::field("date", "error.date")),
    };
    let mut errors = FormErrors::default();
    match target.and_then(|t| shifted(&tz, &sources, t)) {
        Err(p) => errors.add(&tr, &p),
        Ok(writes) => {
            let warnings = copy_warnings(&library, &writes);
            if !warnings.is_empty() && form.confirm_warnings.is_none() {
                errors.warnings = warnings.iter().map(|w| tr.problem(w)).collect();
            } else {
                let copy = Event {
                    id: EventId(0),
                    status: EventStatus::Draft,
                    ..event.clone()
                };
                match state
                    .store
                    .create_event_with_sessions(&s.actor(), &copy, &writes)
                    .await?
                {
                    Ok(id) => {
                        return Ok(Redirect::to(&format!("/staff/events/{id}?done=duplicated"))
                            .into_response());
                    }
                    Err(clash) => errors.add(&tr, &clash_problem(&tr, &tz, "date", &clash)),
                }
            }
        }
    }
    let body = duplicate_form_page(&state, &s, event, sources, action, Some(form), errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(body)).into_response())
}

/// An event's live sessions are copied; cancelled ones stay behind.
async fn duplicable(
    state: &AppState,
    library_id: LibraryId,
    id: EventId,
) -> Result<Vec<Session>, WebError> {
    Ok(event_sessions(state, library_id, id)
        .await?
        .into_iter()
        .filter(|s| !s.cancelled)
        .collect())
}

async fn event_duplicate_form(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<EventId>,
) -> Result<Html<String>, WebError> {
    s.require(Action::EditProgramme)?;
    let event = state.store.event(s.library_id(), id).await?;
    let sources = duplicable(&state, s.library_id(), id).await?;
    let action = format!("/staff/events/{id}/duplicate");
    Ok(Html(
        duplicate_form_page(
            &state,
            &s,
            event,
            sources,
            action,
            None,
            FormErrors::default(),
        )
        .await?,
    ))
}

async fn event_duplicate(
    State(state): State<AppState>,
    Path(id): Path<EventId>,
    p: Posted<DuplicateForm>,
) -> Result<Response, WebError> {
    p.session.require(Action::EditProgramme)?;
    let event = state.store.event(p.session.library_id(), id).await?;
    let sources = duplicable(&state, p.session.library_id(), id).await?;
    duplicate_save(
        state,
        p,
        event,
        sources,
        format!("/staff/events/{id}/duplicate"),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Period labels are looked up by a computed key.
    #[test]
    fn every_period_has_a_label_and_reads_back() {
        for p in Period::ALL {
            let key = format!("event.period.{}", p.slug());
            assert!(crate::i18n::has_key(&key), "{key}");
            assert_eq!(Period::parse(p.slug()), p);
        }
        assert_eq!(Period::parse("n'importe quoi"), Period::Upcoming);
    }

    #[test]
    fn the_address_keeps_the_filters_and_tolerates_anything() {
        let pairs = |v: &[(&str, &str)]| {
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        let q = ListQuery::read(pairs(&[
            ("serie", "3"),
            ("periode", "passes"),
            ("q", " Écrire l'IA "),
            ("page", "-4"),
            ("statut", "draft"),
        ]));
        assert_eq!(q.page, 1);
        assert_eq!(
            q.link(q.period, 2),
            "/staff/events?periode=passes&serie=3&statut=draft&q=%C3%89crire%20l%27IA&page=2"
        );
        let q = ListQuery::read(pairs(&[("series", "x"), ("page", "99999999999999999999")]));
        assert_eq!((q.series.as_str(), q.page), ("", 1));
        assert_eq!(q.link(Period::Upcoming, 1), "/staff/events");
    }

    #[test]
    fn pictures_come_from_here_or_over_https() {
        assert_eq!(
            parse_picture_url(" https://example.org/a.jpg ").unwrap(),
            "https://example.org/a.jpg"
        );
        assert_eq!(
            parse_picture_url("/media/affiche.png").unwrap(),
            "/media/affiche.png"
        );
        assert_eq!(parse_picture_url("").unwrap(), "");
        for bad in [
            "http://example.org/a.jpg",
            "javascript:alert(1)",
            "//evil.example/a.png",
            "https://a b",
            "affiche.png",
        ] {
            assert!(parse_picture_url(bad).is_err(), "{bad}");
        }
    }
}
