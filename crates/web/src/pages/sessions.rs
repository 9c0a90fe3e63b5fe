//! Sessions: the form that creates and edits one (parsed by the domain,
//! placed in the library's time zone, checked against the calendar and for
//! room clashes), cancelling and restoring, and the row every programme page
//! (event, calendar, dashboard) shows a session as.

use almanach_domain::calendar::{local_to_instant, parse_time};
use almanach_domain::collate::sort_by_name;
use almanach_domain::ids::{EventId, LibraryId, SessionId};
use almanach_domain::programme::THEME_CATEGORIES;
use almanach_domain::programme::{
    AttendanceMode, RawSession, SessionDraft, SessionKind, calendar_warnings,
};
use almanach_domain::staff::Action;
use almanach_domain::{Problem, Problems};
use almanach_store::{Event, Planned, Session, SessionFilter, SessionWrite, StoreError, Theme};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use jiff::ToSpan;
use jiff::tz::TimeZone;
use serde::Deserialize;

use super::actions::{Confirm, NoteForm, confirm_page, note_or_page};
use super::events::{DuplicateForm, duplicate_form_page, duplicate_save};
use crate::auth::{Posted, StaffSession};
use crate::forms::FormErrors;
use crate::view::keys::Choices;
use crate::view::keys::opt_id;
use crate::view::session::{clash_problem, label};
use crate::view::{Flash, Page, local_iso, when};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/staff/events/{id}/sessions/new",
            get(session_new).post(session_create),
        )
        .route(
            "/staff/sessions/{id}",
            get(session_edit).post(session_update),
        )
        .route(
            "/staff/sessions/{id}/cancel",
            get(session_cancel_form).post(session_cancel),
        )
        .route(
            "/staff/sessions/{id}/restore",
            get(session_restore_form).post(session_restore),
        )
        .route(
            "/staff/sessions/{id}/duplicate",
            get(session_duplicate_form).post(session_duplicate),
        )
}

/// `(slug, label)` pairs for a select or radio group.
fn choices<T: Copy>(
    tr: &Tr,
    prefix: &str,
    all: &[T],
    slug: impl Fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (slug(*v).to_string(), label(tr, prefix, slug(*v))))
        .collect()
}

/// The session form as typed: every field a string, parsed by the domain.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct SessionForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    end: String,
    #[serde(default)]
    room_id: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    age_min: String,
    #[serde(default)]
    age_max: String,
    #[serde(default)]
    accompanied: Option<String>,
    #[serde(default)]
    price: String,
    #[serde(default)]
    registration: String,
    #[serde(default)]
    attendance: String,
    #[serde(default)]
    online_url: String,
    #[serde(default)]
    themes: Vec<String>,
    #[serde(default)]
    speakers: Vec<String>,
    #[serde(default)]
    leads: Vec<String>,
    #[serde(default)]
    confirm_warnings: Option<String>,
    /// Set once staff saw how many registrants a change of time or room tells.
    #[serde(default)]
    confirm_notify: Option<String>,
    /// Their message to those registrants.
    #[serde(default)]
    note: String,
}

fn ids(values: &[String]) -> Vec<i64> {
    values.iter().filter_map(|v| opt_id(v)).collect()
}

fn id_strings(ids: &[i64]) -> Vec<String> {
    ids.iter().map(i64::to_string).collect()
}

/// "7,50" for an input, empty when free.
fn price_input(cents: i64) -> String {
    match (cents / 100, cents % 100) {
        (0, 0) => String::new(),
        (e, 0) => e.to_string(),
        (e, c) => format!("{e},{c:02}"),
    }
}

fn opt_string<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

impl SessionForm {
    fn note_parsed(&self) -> Result<String, Problem> {
        NoteForm {
            note: self.note.clone(),
        }
        .parse()
    }

    /// A new session of `event`: its series' defaults (kind, duration,
    /// capacity, ages, registration policy), on the day of the event's
    /// latest session when it has one.
    async fn for_new(
        state: &AppState,
        library_id: LibraryId,
        event: &Event,
    ) -> Result<SessionForm, WebError> {
        let series = match event.series_id {
            Some(id) => Some(state.store.series(library_id, id).await?),
            None => None,
        };
        let kind = series
            .as_ref()
            .map_or(SessionKind::Talk, |s| s.default_kind);
        let start = jiff::civil::Time::constant(14, 0, 0, 0);
        let end = series
            .as_ref()
            .and_then(|s| s.duration_minutes)
            .map(|m| start.wrapping_add(i64::from(m).minutes()))
            .filter(|e| *e > start);
        let sessions = state
            .store
            .list_sessions(
                library_id,
                &SessionFilter {
                    event_id: Some(event.id),
                    include_cancelled: true,
                    ..Default::default()
                },
            )
            .await?;
        let registration = series
            .as_ref()
            .is_some_and(|s| s.registration_policy.requires_registration(kind));
        Ok(SessionForm {
            kind: kind.slug().into(),
            date: sessions
                .last()
                .map(|s| s.local_date.clone())
                .unwrap_or_default(),
            start: "14:00".into(),
            end: end
                .map(|e| format!("{:02}:{:02}", e.hour(), e.minute()))
                .unwrap_or_default(),
            capacity: opt_string(series.as_ref().and_then(|s| s.capacity)),
            age_min: opt_string(series.as_ref().and_then(|s| s.age_min)),
            age_max: opt_string(series.as_ref().and_then(|s| s.age_max)),
            registration: crate::view::session::registration_slug(registration).into(),
            attendance: AttendanceMode::InPerson.slug().into(),
            ..Default::default()
        })
    }

    fn from_session(tz: &TimeZone, s: &Session) -> SessionForm {
        let (date, start) = local_iso(tz, s.starts_at);
        let (_, end) = local_iso(tz, s.ends_at);
        SessionForm {
            kind: s.kind.slug().into(),
            date,
            start,
            end,
            room_id: opt_string(s.room_id),
            capacity: opt_string(s.capacity),
            age_min: opt_string(s.age_min),
            age_max: opt_string(s.age_max),
            accompanied: s.accompanied.then(|| "on".into()),
            price: price_input(s.price_cents),
            registration: crate::view::session::registration_slug(s.registration_required).into(),
            attendance: s.attendance_mode.slug().into(),
            online_url: s.online_url.clone(),
            themes: id_strings(&s.theme_ids),
            speakers: id_strings(&s.speaker_ids),
            leads: id_strings(&s.lead_ids),
            ..Default::default()
        }
    }

    fn raw(&self) -> RawSession {
        RawSession {
            kind: self.kind.clone(),
            date: self.date.clone(),
            start: self.start.clone(),
            end: self.end.clone(),
            room_id: opt_id(&self.room_id),
            capacity: self.capacity.clone(),
            age_min: self.age_min.clone(),
            age_max: self.age_max.clone(),
            accompanied: self.accompanied.is_some(),
            price: self.price.clone(),
            registration: self.registration.clone(),
            attendance: self.attendance.clone(),
            online_url: self.online_url.clone(),
        }
    }
}

/// What to write once the form parsed: the draft placed in the library's zone.
fn to_write(
    tz: &TimeZone,
    event_id: EventId,
    d: &SessionDraft,
    form: &SessionForm,
) -> Result<SessionWrite, Problems> {
    let starts_at = local_to_instant(tz, d.date, d.start).map_err(Problems::from)?;
    let ends_at = local_to_instant(tz, d.date, d.end).map_err(|p| {
        Problems::from(Problem {
            field: Some("end"),
            ..p
        })
    })?;
    Ok(SessionWrite {
        event_id,
        kind: d.kind,
        starts_at: starts_at.as_second(),
        ends_at: ends_at.as_second(),
        local_date: d.date.to_string(),
        room_id: d.room_id,
        capacity: d.capacity,
        age_min: d.ages.min,
        age_max: d.ages.max,
        accompanied: d.ages.accompanied,
        price_cents: d.price_cents,
        registration_required: d.registration_required,
        attendance_mode: d.attendance,
        online_url: d.online_url.clone(),
        theme_ids: ids(&form.themes),
        speaker_ids: ids(&form.speakers),
        lead_ids: ids(&form.leads),
    })
}

/// The session form's themes, short however long the catalogue: the
/// chosen ones first, the others folded by category (`<details>`), each
/// theme once, under its first category. A static script adds a filter box.
#[derive(Debug, Default)]
struct ThemePicker {
    /// (id, title), ticked.
    chosen: Choices,
    /// (category's label, its themes), in French order of labels; the
    /// themes without a category last.
    groups: Vec<(String, Choices)>,
}

impl ThemePicker {
    /// `themes` in the order to show them; `chosen` their ids as sent.
    fn new(tr: &Tr, themes: Vec<Theme>, chosen: &[String]) -> ThemePicker {
        let mut picker = ThemePicker::default();
        let mut groups: Vec<(Option<&str>, Choices)> = THEME_CATEGORIES
            .iter()
            .map(|c| (Some(*c), Vec::new()))
            .chain(std::iter::once((None, Vec::new())))
            .collect();
        for t in &themes {
            let item = (t.id.to_string(), t.title.clone());
            if chosen.contains(&item.0) {
                picker.chosen.push(item);
                continue;
            }
            let first = t
                .categories
                .iter()
                .find(|c| THEME_CATEGORIES.contains(&c.as_str()));
            if let Some(g) = groups
                .iter_mut()
                .find(|(c, _)| *c == first.map(String::as_str))
            {
                g.1.push(item);
            }
        }
        let (other, mut named): (Vec<_>, Vec<_>) = groups
            .into_iter()
            .filter(|(_, items)| !items.is_empty())
            .map(|(c, items)| {
                let label = match c {
                    Some(c) => tr.t(&crate::view::keys::category_key(c)).to_string(),
                    None => tr.t("session.themes_other").to_string(),
                };
                (c.is_none(), (label, items))
            })
            .partition(|(other, _)| *other);
        sort_by_name(&mut named, |(_, (label, _))| label);
        picker.groups = named.into_iter().chain(other).map(|(_, g)| g).collect();
        picker
    }

    fn is_empty(&self) -> bool {
        self.chosen.is_empty() && self.groups.is_empty()
    }
}

#[derive(Template)]
#[template(path = "session_form.html")]
struct FormPage {
    page: Page,
    event: Event,
    /// 0 for a new session.
    id: i64,
    cancelled: bool,
    form: SessionForm,
    errors: FormErrors,
    kinds: Vec<(String, String)>,
    registrations: Vec<(String, String)>,
    modes: Vec<(String, String)>,
    rooms: Vec<(String, String)>,
    themes: ThemePicker,
    speakers: Vec<(String, String)>,
    leads: Vec<(String, String)>,
    end_hint: String,
    /// A saved session's attendance, shown under the form.
    attendance: Option<super::day::AttendanceView>,
    /// Its technical preparation (saved sessions only).
    readiness: Option<crate::view::session::Badge>,
    /// A change of time or room that tells registrants, to confirm.
    notify: Option<Notify>,
}

/// The confirmation inside the session form: who a change of time or room
/// tells, and the message staff may add.
#[derive(Debug, Clone)]
struct Notify {
    people: String,
    hold: String,
    error: String,
}

impl FormPage {
    fn action(&self) -> String {
        if self.id == 0 {
            format!("/staff/events/{}/sessions/new", self.event.id)
        } else {
            format!("/staff/sessions/{}", self.id)
        }
    }
}

async fn form_page(
    state: &AppState,
    s: &StaffSession,
    event: Event,
    id: i64,
    cancelled: bool,
    form: SessionForm,
    errors: FormErrors,
) -> Result<String, WebError> {
    form_page_notify(state, s, event, id, cancelled, form, errors, None).await
}

#[allow(clippy::too_many_arguments)]
async fn form_page_notify(
    state: &AppState,
    s: &StaffSession,
    event: Event,
    id: i64,
    cancelled: bool,
    form: SessionForm,
    errors: FormErrors,
    notify: Option<Notify>,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let lib = s.library_id();
    let store = &state.store;
    let none = (String::new(), tr.t("session.no_room").to_string());
    let rooms = std::iter::once(none)
        .chain(
            store
                .list_rooms(lib)
                .await?
                .into_iter()
                .map(|r| (r.id.to_string(), r.name)),
        )
        .collect();
    let themes = ThemePicker::new(
        &tr,
        store
            .list_themes(lib)
            .await?
            .into_iter()
            .map(|t| t.theme)
            .collect(),
        &form.themes,
    );
    let speakers = store
        .list_speakers(lib)
        .await?
        .into_iter()
        .map(|p| {
            let name = if p.organisation.is_empty() {
                p.name
            } else {
                format!("{} ({})", p.name, p.organisation)
            };
            (p.id.to_string(), name)
        })
        .collect();
    // Leads: whoever may run the programme, plus anyone already leading it.
    let leads = store
        .list_staff(lib)
        .await?
        .into_iter()
        .filter(|m| {
            (m.active && m.role.may(Action::EditProgramme))
                || form.leads.contains(&m.id.to_string())
        })
        .map(|m| (m.id.to_string(), m.name))
        .collect();
    let duration = match event.series_id {
        Some(sid) => store.series(lib, sid).await?.duration_minutes,
        None => None,
    };
    let end_hint = duration
        .map(|m| tr.tf("session.end_hint", &[("minutes", m.to_string())]))
        .unwrap_or_default();
    let title = if id == 0 {
        tr.t("session.new")
    } else {
        tr.t("session.edit")
    };
    let attendance = if id == 0 {
        None
    } else {
        Some(super::day::AttendanceView::new(
            &tr,
            &store.attendance(lib, SessionId(id)).await?,
        ))
    };
    let page = Page::new(s, title, "events", &Flash::default());
    let readiness = crate::view::badge::session_badge(state, s, id).await?;
    Ok(FormPage {
        page,
        event,
        id,
        cancelled,
        form,
        errors,
        kinds: choices(&tr, "kind", SessionKind::ALL, SessionKind::slug),
        registrations: ["free_entry", "required"]
            .iter()
            .map(|v| (v.to_string(), label(&tr, "registration", v)))
            .collect(),
        modes: choices(&tr, "attendance", AttendanceMode::ALL, AttendanceMode::slug),
        rooms,
        themes,
        speakers,
        leads,
        end_hint,
        attendance,
        readiness,
        notify,
    }
    .render()?)
}

async fn session_new(
    State(state): State<AppState>,
    s: StaffSession,
    Path(event_id): Path<EventId>,
) -> Result<Html<String>, WebError> {
    s.require(Action::EditProgramme)?;
    let event = state.store.event(s.library_id(), event_id).await?;
    let form = SessionForm::for_new(&state, s.library_id(), &event).await?;
    Ok(Html(
        form_page(&state, &s, event, 0, false, form, FormErrors::default()).await?,
    ))
}

async fn session_edit(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<SessionId>,
) -> Result<Html<String>, WebError> {
    let session = state.store.session(s.library_id(), id).await?;
    let event = state.store.event(s.library_id(), session.event_id).await?;
    let tz = state.store.library(s.library_id()).await?.tz();
    let form = SessionForm::from_session(&tz, &session);
    Ok(Html(
        form_page(
            &state,
            &s,
            event,
            id.get(),
            session.cancelled,
            form,
            FormErrors::default(),
        )
        .await?,
    ))
}

async fn session_create(
    State(state): State<AppState>,
    Path(event_id): Path<EventId>,
    p: Posted<SessionForm>,
) -> Result<Response, WebError> {
    p.session.require(Action::EditProgramme)?;
    let event = state.store.event(p.session.library_id(), event_id).await?;
    save(state, p, event, None).await
}

async fn session_update(
    State(state): State<AppState>,
    Path(id): Path<SessionId>,
    p: Posted<SessionForm>,
) -> Result<Response, WebError> {
    p.session.require(Action::EditProgramme)?;
    let session = state.store.session(p.session.library_id(), id).await?;
    let event = state
        .store
        .event(p.session.library_id(), session.event_id)
        .await?;
    save(state, p, event, Some(session)).await
}

async fn save(
    state: AppState,
    Posted {
        session: s,
        mut form,
    }: Posted<SessionForm>,
    event: Event,
    before: Option<Session>,
) -> Result<Response, WebError> {
    let tr = Tr::new(s.lang);
    let library = state.store.library(s.library_id()).await?;
    let tz = library.tz();
    let id = before.as_ref().map_or(0, |b| b.id.get());
    let cancelled = before.as_ref().is_some_and(|b| b.cancelled);
    // An empty end takes the series' duration, as the hint says.
    if form.end.trim().is_empty()
        && let (Some(sid), Some(start)) = (event.series_id, parse_time(&form.start))
        && let Some(m) = state
            .store
            .series(s.library_id(), sid)
            .await?
            .duration_minutes
    {
        let end = start.wrapping_add(i64::from(m).minutes());
        if end > start {
            form.end = format!("{:02}:{:02}", end.hour(), end.minute());
        }
    }
    let write =
        SessionDraft::parse(&form.raw()).and_then(|d| Ok((to_write(&tz, event.id, &d, &form)?, d)));
    let (write, draft) = match write {
        Ok(w) => w,
        Err(problems) => {
            let errors = FormErrors::new(&tr, &problems);
            let body = form_page(&state, &s, event, id, cancelled, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(body)).into_response());
        }
    };
    let warnings = calendar_warnings(
        &library.hours(),
        &library.closing(),
        draft.date,
        draft.start,
        draft.end,
    );
    if !warnings.is_empty() && form.confirm_warnings.is_none() {
        let errors = FormErrors {
            warnings: warnings.iter().map(|w| tr.problem(w)).collect(),
            ..Default::default()
        };
        let body = form_page(&state, &s, event, id, cancelled, form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(body)).into_response());
    }
    // A change of time or room tells the registrants: staff confirm it,
    // seeing how many, and may add a message; its e-mails are held.
    let moved = before.as_ref().filter(|b| {
        !b.is_cancelled()
            && (b.starts_at, b.ends_at, b.room_id)
                != (write.starts_at, write.ends_at, write.room_id)
    });
    let audience = match moved {
        Some(b) => {
            state
                .store
                .audience(s.library_id(), Planned::SessionChange(b.id))
                .await?
        }
        None => 0,
    };
    if audience > 0 {
        let note = form.note_parsed();
        if form.confirm_notify.is_none() || note.is_err() {
            let notify = Notify {
                people: super::actions::people(&tr, audience),
                hold: super::actions::hold(&tr, audience),
                error: note
                    .err()
                    .filter(|_| form.confirm_notify.is_some())
                    .map(|p| tr.problem(&p))
                    .unwrap_or_default(),
            };
            let status = if notify.error.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let mut errors = FormErrors::default();
            if form.confirm_warnings.is_some() {
                errors.warnings = warnings.iter().map(|w| tr.problem(w)).collect();
            }
            let body =
                form_page_notify(&state, &s, event, id, cancelled, form, errors, Some(notify))
                    .await?;
            return Ok((status, Html(body)).into_response());
        }
    }
    let saved = if audience > 0 {
        let note = form.note_parsed().unwrap_or_default();
        state
            .store
            .save_session_held(&s.actor(), SessionId(id), &write, &note)
            .await
            .map(|saved| saved.map(drop))
    } else {
        state
            .store
            .save_session(&s.actor(), before.map(|b| b.id), &write)
            .await
            .map(|saved| saved.map(drop))
    };
    let problem = match saved {
        Ok(Ok(_)) => {
            let done = if id == 0 { "created" } else { "saved" };
            return Ok(
                Redirect::to(&format!("/staff/events/{}?done={done}", event.id)).into_response(),
            );
        }
        Ok(Err(clash)) => clash_problem(&tr, &tz, "room_id", &clash),
        // A theme, speaker or lead removed meanwhile.
        Err(StoreError::Conflict(_)) => Problem::form("error.unknown_record"),
        Err(e) => return Err(e.into()),
    };
    let mut errors = FormErrors::new(&tr, &Problems::from(problem));
    if form.confirm_warnings.is_some() {
        errors.warnings = warnings.iter().map(|w| tr.problem(w)).collect();
    }
    let body = form_page(&state, &s, event, id, cancelled, form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(body)).into_response())
}

/// The page that asks to confirm cancelling (or restoring) a session: how
/// many people will be told, and the message they may be sent.
async fn cancel_confirm(
    state: &AppState,
    s: &StaffSession,
    id: SessionId,
    cancelled: bool,
) -> Result<Confirm, WebError> {
    let tr = Tr::new(s.lang);
    let lib = s.library_id();
    let session = state.store.session(lib, id).await?;
    let tz = state.store.library(lib).await?.tz();
    let (planned, key, path) = if cancelled {
        (
            Planned::SessionCancel(id),
            "notify.session_cancel",
            "cancel",
        )
    } else {
        (
            Planned::SessionRestore(id),
            "notify.session_restore",
            "restore",
        )
    };
    Ok(Confirm {
        question: tr.t(&format!("{key}.question")).to_string(),
        explain: tr.tf(
            &format!("{key}.explain"),
            &[
                ("title", session.event_title.clone()),
                (
                    "when",
                    when(s.lang, &tz, session.starts_at, session.ends_at),
                ),
            ],
        ),
        audience: state.store.audience(lib, planned).await?,
        action: format!("/staff/sessions/{id}/{path}"),
        hidden: Vec::new(),
        confirm: tr.t(&format!("{key}.confirm")).to_string(),
        back: format!("/staff/events/{}", session.event_id),
        back_label: tr.t("notify.back").to_string(),
    })
}

async fn session_cancel_form(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<SessionId>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let c = cancel_confirm(&state, &s, id, true).await?;
    confirm_page(&s, c, "", FormErrors::default())
}

async fn session_restore_form(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<SessionId>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let c = cancel_confirm(&state, &s, id, false).await?;
    confirm_page(&s, c, "", FormErrors::default())
}

/// Cancels or restores as staff confirmed: the e-mails wait out the hold,
/// and the event page offers to undo it.
async fn set_cancelled(
    state: AppState,
    Posted { session: s, form }: Posted<NoteForm>,
    id: SessionId,
    cancelled: bool,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let session = state.store.session(s.library_id(), id).await?;
    let confirm = cancel_confirm(&state, &s, id, cancelled).await?;
    let note = match note_or_page(&s, &form, || confirm)? {
        Ok(note) => note,
        Err(page) => return Ok(page),
    };
    state
        .store
        .cancel_session_held(&s.actor(), id, cancelled, &note)
        .await?;
    let done = if cancelled { "cancelled" } else { "restored" };
    Ok(Redirect::to(&format!("/staff/events/{}?done={done}", session.event_id)).into_response())
}

async fn session_cancel(
    State(state): State<AppState>,
    Path(id): Path<SessionId>,
    p: Posted<NoteForm>,
) -> Result<Response, WebError> {
    set_cancelled(state, p, id, true).await
}

async fn session_restore(
    State(state): State<AppState>,
    Path(id): Path<SessionId>,
    p: Posted<NoteForm>,
) -> Result<Response, WebError> {
    set_cancelled(state, p, id, false).await
}

async fn session_duplicate_form(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<SessionId>,
) -> Result<Html<String>, WebError> {
    s.require(Action::EditProgramme)?;
    let session = state.store.session(s.library_id(), id).await?;
    let event = state.store.event(s.library_id(), session.event_id).await?;
    let action = format!("/staff/sessions/{id}/duplicate");
    Ok(Html(
        duplicate_form_page(
            &state,
            &s,
            event,
            vec![session],
            action,
            None,
            FormErrors::default(),
        )
        .await?,
    ))
}

async fn session_duplicate(
    State(state): State<AppState>,
    Path(id): Path<SessionId>,
    p: Posted<DuplicateForm>,
) -> Result<Response, WebError> {
    p.session.require(Action::EditProgramme)?;
    let session = state.store.session(p.session.library_id(), id).await?;
    let event = state
        .store
        .event(p.session.library_id(), session.event_id)
        .await?;
    let action = format!("/staff/sessions/{id}/duplicate");
    duplicate_save(state, p, event, vec![session], action).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use almanach_domain::Lang;
    use almanach_domain::programme::EventStatus;
    use almanach_domain::programme::RegistrationPolicy;

    /// Labels are looked up by a computed key, which the locale test cannot see.
    #[test]
    fn every_enum_label_is_translated() {
        let mut keys: Vec<String> = SessionKind::ALL
            .iter()
            .map(|k| format!("kind.{}", k.slug()))
            .collect();
        keys.extend(
            EventStatus::ALL
                .iter()
                .map(|v| format!("status.{}", v.slug())),
        );
        keys.extend(
            AttendanceMode::ALL
                .iter()
                .map(|v| format!("attendance.{}", v.slug())),
        );
        keys.extend(
            RegistrationPolicy::ALL
                .iter()
                .map(|v| format!("policy.{}", v.slug())),
        );
        keys.extend(["registration.free_entry", "registration.required"].map(String::from));
        for k in keys {
            assert!(crate::i18n::has_key(&k), "{k} missing");
            assert_ne!(
                Tr::new(Lang::En).t(&k),
                k.as_str(),
                "{k} missing in English"
            );
        }
    }

    #[test]
    fn the_picker_puts_chosen_themes_first_and_folds_the_rest_by_category() {
        let theme = |id: i64, title: &str, cats: &[&str]| Theme {
            id,
            title: title.into(),
            categories: cats.iter().map(|c| c.to_string()).collect(),
            ..Default::default()
        };
        let p = ThemePicker::new(
            &Tr::new(Lang::Fr),
            vec![
                theme(1, "Deepfakes", &["video", "societe-ethique"]),
                theme(2, "Écrire avec l'IA", &["texte"]),
                theme(3, "Midjourney", &["image"]),
                theme(4, "Sans rangement", &[]),
                theme(5, "Sora", &["video"]),
            ],
            &["3".into()],
        );
        assert_eq!(p.chosen, [("3".to_string(), "Midjourney".to_string())]);
        let groups: Vec<(&str, Vec<&str>)> = p
            .groups
            .iter()
            .map(|(l, items)| (l.as_str(), items.iter().map(|i| i.1.as_str()).collect()))
            .collect();
        assert_eq!(
            groups,
            [
                ("Texte", vec!["Écrire avec l'IA"]),
                ("Vidéo", vec!["Deepfakes", "Sora"]),
                ("Autres thématiques", vec!["Sans rangement"]),
            ]
        );
    }

    #[test]
    fn prices_are_typed_back_the_french_way() {
        assert_eq!(price_input(0), "");
        assert_eq!(price_input(750), "7,50");
        assert_eq!(price_input(1200), "12");
    }
}
