//! On the day, on a phone: today's sessions, and per session the list of
//! registered parties to tick present, walk-ins in one tap, the head counter
//! with its under-14 counter, and "not counted" again. Every form works
//! without JavaScript (a POST, then back to the page); a few lines of script
//! send the same POST with fetch and update the figures in place.

use almanach_domain::Problem;
use almanach_domain::attendance::{Headcount, Recording};
use almanach_domain::fmt;
use almanach_domain::ids::{RegistrationId, SessionId};
use almanach_domain::staff::Action;
use almanach_store::{Arrival, Attendance, Session, SessionFilter, StoreError, Tap};
use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

use crate::auth::{Posted, StaffSession};
use crate::view::dates::{add_days, day_start, today};
use crate::view::session::SessionRow;
use crate::view::{Flash, Page};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/day", get(today_list))
        .route("/staff/sessions/{id}/day", get(day_page))
        .route("/staff/sessions/{id}/day/tick", post(tick))
        .route("/staff/sessions/{id}/day/count", post(count))
        .route("/staff/sessions/{id}/day/reset", post(reset))
}

/// A session's leads run its day, and so does anyone who may edit the programme.
fn may_count(s: &StaffSession, session: &Session) -> bool {
    s.may(Action::EditProgramme) || session.lead_ids.contains(&s.staff.id)
}

async fn countable(state: &AppState, s: &StaffSession, id: SessionId) -> Result<Session, WebError> {
    let session = state.store.session(s.library_id(), id).await?;
    if may_count(s, &session) {
        Ok(session)
    } else {
        Err(WebError::Forbidden)
    }
}

/// "samedi 13 janvier, 14 h" in the library's zone.
fn moment(tr: &Tr, tz: &jiff::tz::TimeZone, at: i64) -> String {
    jiff::Timestamp::from_second(at)
        .map(|t| {
            let z = t.to_zoned(tz.clone());
            format!(
                "{}, {}",
                fmt::day(z.date(), tr.lang),
                fmt::time(z.time(), tr.lang)
            )
        })
        .unwrap_or_default()
}

/// Why `what` cannot be recorded yet for `session`, in words with the
/// moment it opens; None once it is open (`Recording::allowed`).
async fn not_open(
    state: &AppState,
    s: &StaffSession,
    session: &Session,
    what: Recording,
) -> Result<Option<String>, WebError> {
    let Err(p) = what.allowed(session.starts_at, almanach_store::now()) else {
        return Ok(None);
    };
    Ok(Some(refusal(state, s, session, what, p).await?))
}

async fn refusal(
    state: &AppState,
    s: &StaffSession,
    session: &Session,
    what: Recording,
    p: Problem,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let tz = state.store.library(s.library_id()).await?.tz();
    let opens = moment(&tr, &tz, what.opens_at(session.starts_at));
    Ok(tr.problem(&p.arg("opens", opens)))
}

/// A session's attendance in words: participants, of whom under 14,
/// registered present, no-shows; "not counted" rather than 0.
#[derive(Debug, Clone, Serialize)]
pub(super) struct AttendanceView {
    pub counted: bool,
    pub participants: String,
    pub under_14: String,
    /// "4 / 6" when the list was ticked.
    pub present: String,
    pub no_shows: String,
    /// "12 h 05 par marie@…" when counted.
    pub counted_by: String,
}

impl AttendanceView {
    pub fn new(tr: &Tr, a: &Attendance) -> AttendanceView {
        let h: &Headcount = &a.headcount;
        let n = |v: Option<u32>| {
            v.map_or_else(|| tr.t("day.not_counted").to_string(), |v| v.to_string())
        };
        let present = match (h.present, h.registered) {
            (Some(p), Some(r)) => format!("{p} / {r}"),
            _ => "–".into(),
        };
        AttendanceView {
            counted: h.is_counted(),
            participants: n(h.participants),
            under_14: if h.is_counted() {
                h.under_14.unwrap_or(0).to_string()
            } else {
                n(None)
            },
            present,
            no_shows: h.no_shows().map_or_else(|| "–".into(), |v| v.to_string()),
            counted_by: a.counted_by.clone().unwrap_or_default(),
        }
    }
}

/// A party on the list.
struct PartyRow {
    id: i64,
    name: String,
    /// "3 places · enfants : 8, 15 ans"
    detail: String,
    present: bool,
}

fn party_row(tr: &Tr, a: &Arrival) -> PartyRow {
    let r = &a.registration;
    let name = if r.name.is_empty() {
        tr.tf("day.party_no_name", &[("id", r.id.to_string())])
    } else {
        r.name.clone()
    };
    let mut detail = tr.tf("day.seats", &[("n", r.seats.to_string())]);
    if !r.ages.is_empty() {
        let ages = r
            .ages
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        detail.push_str(" · ");
        detail.push_str(&tr.tf("day.ages", &[("ages", ages)]));
    }
    PartyRow {
        id: r.id.get(),
        name,
        detail,
        present: a.present,
    }
}

#[derive(Template)]
#[template(path = "day.html")]
struct DayPage {
    page: Page,
    session: SessionRow,
    id: i64,
    registration: bool,
    att: AttendanceView,
    parties: Vec<PartyRow>,
    notice: String,
}

#[derive(Deserialize)]
struct DayQuery {
    #[serde(default)]
    refused: Option<String>,
}

async fn day_page(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<SessionId>,
    Query(q): Query<DayQuery>,
) -> Result<Html<String>, WebError> {
    let session = countable(&state, &s, id).await?;
    let tr = Tr::new(s.lang);
    let lib = s.library_id();
    let tz = state.store.library(lib).await?.tz();
    let att = AttendanceView::new(&tr, &state.store.attendance(lib, id).await?);
    let mut parties: Vec<PartyRow> = state
        .store
        .arrivals(lib, id)
        .await?
        .iter()
        .map(|a| party_row(&tr, a))
        .collect();
    // At the door people give their name: alphabetical order finds them.
    almanach_domain::collate::sort_by_name(&mut parties, |p| &p.name);
    let row = SessionRow::new(&tr, &tz, &session);
    let page = Page::new(
        &s,
        tr.tf("day.title", &[("title", row.title.clone())]),
        "day",
        &Flash::default(),
    );
    let notice = match q.refused.as_deref() {
        Some("doors") => not_open(&state, &s, &session, Recording::CheckIn)
            .await?
            .unwrap_or_default(),
        Some("early") => not_open(&state, &s, &session, Recording::Count)
            .await?
            .unwrap_or_default(),
        Some(_) => tr.t("day.refused").to_string(),
        // Before the session: when ticking and counting open.
        None if almanach_store::now() < session.starts_at => tr.tf(
            "day.not_open",
            &[
                (
                    "doors",
                    moment(&tr, &tz, Recording::CheckIn.opens_at(session.starts_at)),
                ),
                ("start", moment(&tr, &tz, session.starts_at)),
            ],
        ),
        None => String::new(),
    };
    Ok(Html(
        DayPage {
            page,
            registration: session.registration_required || !parties.is_empty(),
            session: row,
            id: id.get(),
            att,
            parties,
            notice,
        }
        .render()?,
    ))
}

/// What a script asked for: the figures, not a page.
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

#[derive(Serialize)]
struct Figures {
    #[serde(flatten)]
    att: AttendanceView,
    /// The tap was refused (it would count below zero); nothing changed.
    refused: bool,
    message: String,
}

/// Why nothing was recorded: a guard of the count, or too early.
enum Refused {
    Guard,
    Early(Recording, String),
}

/// The answer to a POST: the figures for the script, or back to the page.
async fn answer(
    state: &AppState,
    s: &StaffSession,
    id: SessionId,
    headers: &HeaderMap,
    after: Result<Attendance, Refused>,
) -> Result<Response, WebError> {
    let refused = after.is_err();
    if !wants_json(headers) {
        let to = match &after {
            Ok(_) => format!("/staff/sessions/{id}/day#count"),
            Err(Refused::Guard) => format!("/staff/sessions/{id}/day?refused=1#count"),
            Err(Refused::Early(Recording::Count, _)) => {
                format!("/staff/sessions/{id}/day?refused=early#count")
            }
            Err(Refused::Early(Recording::CheckIn, _)) => {
                format!("/staff/sessions/{id}/day?refused=doors#count")
            }
        };
        return Ok(Redirect::to(&to).into_response());
    }
    let tr = Tr::new(s.lang);
    let (a, message) = match after {
        Ok(a) => (a, tr.t("day.saved").to_string()),
        Err(why) => (
            state.store.attendance(s.library_id(), id).await?,
            match why {
                Refused::Guard => tr.t("day.refused").to_string(),
                Refused::Early(_, m) => m,
            },
        ),
    };
    let status = if refused {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(Figures {
            att: AttendanceView::new(&tr, &a),
            refused,
            message,
        }),
    )
        .into_response())
}

#[derive(Debug, Default, Deserialize)]
struct TickForm {
    #[serde(default)]
    registration: String,
    /// Present when the box is ticked (a checkbox sends nothing unticked).
    #[serde(default)]
    present: Option<String>,
}

async fn tick(
    State(state): State<AppState>,
    Path(id): Path<SessionId>,
    headers: HeaderMap,
    p: Posted<TickForm>,
) -> Result<Response, WebError> {
    let s = p.session;
    let session = countable(&state, &s, id).await?;
    let reg: RegistrationId = p
        .form
        .registration
        .trim()
        .parse()
        .map_err(|_| WebError::BadRequest("registration".into()))?;
    let present = p.form.present.is_some_and(|v| v != "0");
    // Unticking is a correction, always accepted; ticking opens with the doors.
    if present && let Some(m) = not_open(&state, &s, &session, Recording::CheckIn).await? {
        let why = Refused::Early(Recording::CheckIn, m);
        return answer(&state, &s, id, &headers, Err(why)).await;
    }
    let after = match state.store.check_in(&s.actor(), id, reg, present).await {
        Ok(a) => Ok(a),
        Err(e) => Err(refused(&state, &s, &session, e).await?),
    };
    answer(&state, &s, id, &headers, after).await
}

/// A refusal of the store as the page says it: too early (the session's
/// start moved meanwhile), or cancelled meanwhile (the list as it is now).
async fn refused(
    state: &AppState,
    s: &StaffSession,
    session: &Session,
    e: StoreError,
) -> Result<Refused, WebError> {
    let what = match &e {
        StoreError::Conflict(k) if k == "error.count_before_start" => Recording::Count,
        StoreError::Conflict(k) if k == "error.check_in_before_doors" => Recording::CheckIn,
        StoreError::Conflict(_) => return Ok(Refused::Guard),
        _ => return Err(e.into()),
    };
    let key = if what == Recording::Count {
        "error.count_before_start"
    } else {
        "error.check_in_before_doors"
    };
    let m = refusal(state, s, session, what, Problem::form(key)).await?;
    Ok(Refused::Early(what, m))
}

#[derive(Debug, Default, Deserialize)]
struct CountForm {
    /// `add` or `remove`: which button was pressed.
    #[serde(default)]
    tap: String,
    /// The under-14 counter's buttons, or the walk-in's "under 14" box.
    #[serde(default)]
    under_14: Option<String>,
}

fn parse_tap(f: &CountForm) -> Option<Tap> {
    let delta = match f.tap.as_str() {
        "add" => 1,
        "remove" => -1,
        _ => return None,
    };
    Some(Tap {
        delta,
        under_14: f
            .under_14
            .as_deref()
            .is_some_and(|v| !v.is_empty() && v != "0"),
    })
}

async fn count(
    State(state): State<AppState>,
    Path(id): Path<SessionId>,
    headers: HeaderMap,
    p: Posted<CountForm>,
) -> Result<Response, WebError> {
    let s = p.session;
    let session = countable(&state, &s, id).await?;
    let tap = parse_tap(&p.form).ok_or_else(|| WebError::BadRequest("tap".into()))?;
    if let Some(m) = not_open(&state, &s, &session, Recording::Count).await? {
        let why = Refused::Early(Recording::Count, m);
        return answer(&state, &s, id, &headers, Err(why)).await;
    }
    let after = match state.store.count_tap(&s.actor(), id, tap).await {
        Ok(Some(a)) => Ok(a),
        Ok(None) => Err(Refused::Guard),
        Err(e) => Err(refused(&state, &s, &session, e).await?),
    };
    answer(&state, &s, id, &headers, after).await
}

#[derive(Deserialize)]
struct Empty {}

async fn reset(
    State(state): State<AppState>,
    Path(id): Path<SessionId>,
    headers: HeaderMap,
    p: Posted<Empty>,
) -> Result<Response, WebError> {
    let s = p.session;
    countable(&state, &s, id).await?;
    let after = state.store.reset_count(&s.actor(), id).await?;
    answer(&state, &s, id, &headers, Ok(after)).await
}

#[derive(Template)]
#[template(path = "day_list.html")]
struct TodayPage {
    page: Page,
    /// Mine first, then the others.
    mine: Vec<(SessionRow, AttendanceView)>,
    others: Vec<(SessionRow, AttendanceView)>,
}

/// Today's sessions, those the signed-in person leads first.
async fn today_list(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
) -> Result<Html<String>, WebError> {
    let tr = Tr::new(s.lang);
    let lib = s.library_id();
    let tz = state.store.library(lib).await?.tz();
    let d = today(&tz);
    let f = SessionFilter {
        from: Some(day_start(&tz, d)),
        to: Some(day_start(&tz, add_days(d, 1))),
        ..Default::default()
    };
    let (mut mine, mut others) = (Vec::new(), Vec::new());
    for session in state.store.list_sessions(lib, &f).await? {
        if !may_count(&s, &session) {
            continue;
        }
        let att = AttendanceView::new(&tr, &state.store.attendance(lib, session.id).await?);
        let row = (SessionRow::new(&tr, &tz, &session), att);
        if session.lead_ids.contains(&s.staff.id) {
            mine.push(row)
        } else {
            others.push(row)
        }
    }
    let page = Page::new(&s, tr.t("day.today"), "day", &flash);
    Ok(Html(TodayPage { page, mine, others }.render()?))
}
