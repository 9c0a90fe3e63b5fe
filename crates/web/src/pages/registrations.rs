//! A session's registrations for staff: who holds seats and who waits,
//! adding a phone caller, cancelling, moving to another session, the
//! registration settings, and a CSV export. Names, e-mails and phones are
//! shown only to the roles that run sessions; the others see counts.

use almanach_domain::csv::{Cell, Csv};
use almanach_domain::ids::{RegistrationId, SessionId};
use almanach_domain::programme::SessionKind;
use almanach_domain::registration::{
    Party, PartyRules, RawParty, RawSettings, RegistrationSettings, RegistrationStatus,
};
use almanach_domain::staff::Action;
use almanach_domain::{Problem, Problems};
use almanach_store::{
    Moved, NewRegistration, Planned, Refusal, Registered, Registration, SeatState, Session,
    SessionFilter, StoreError, Target, now,
};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::actions::{ActionRow, Confirm, NoteForm, confirm_page};
use crate::auth::{Posted, StaffSession, random_token};
use crate::forms::FormErrors;
use crate::view::{Flash, Page, local_iso, stamp, when};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/sessions/{id}/registrations", get(list).post(add))
        .route("/staff/sessions/{id}/registrations.csv", get(csv))
        .route(
            "/staff/sessions/{id}/registration-settings",
            post(settings_save),
        )
        .route(
            "/staff/registrations/{id}/cancel",
            get(cancel_form).post(cancel),
        )
        .route(
            "/staff/registrations/{id}/move",
            get(move_form).post(move_to),
        )
}

/// Personal data serves running the session (welcoming, calling, checking
/// in): the roles that edit the programme see it; IT, communication and
/// viewers see counts only.
fn sees_people(s: &StaffSession) -> bool {
    s.may(Action::EditProgramme)
}

/// One party, as a row of the lists.
pub struct Row {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub seats: u32,
    pub ages: String,
    pub position: Option<u32>,
    pub by_staff: bool,
    pub at: String,
    pub promoted: bool,
}

#[derive(Debug, Default, Deserialize)]
struct AddForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    seats: String,
    #[serde(default)]
    ages: String,
}

#[derive(Debug, Default, Deserialize)]
struct SettingsForm {
    #[serde(flatten)]
    raw: RawSettings,
    #[serde(default)]
    course: Option<String>,
}

#[derive(Template)]
#[template(path = "registrations.html")]
struct ListPage {
    page: Page,
    session: Session,
    when: String,
    seats: SeatState,
    course: bool,
    people: bool,
    confirmed: Vec<Row>,
    waiting: Vec<Row>,
    cancelled: usize,
    add: AddForm,
    add_errors: FormErrors,
    settings: SettingsForm,
    settings_errors: FormErrors,
    general: Vec<String>,
    targets: Vec<(String, String)>,
    asks_ages: bool,
    /// Recent removals and moves, with their undo.
    actions: Vec<ActionRow>,
}

/// Problems shown on the list page, each in its form.
#[derive(Default)]
struct Shown {
    add: Option<(AddForm, FormErrors)>,
    settings: Option<(SettingsForm, FormErrors)>,
    general: Vec<String>,
}

async fn render(
    state: &AppState,
    s: &StaffSession,
    id: SessionId,
    flash: Flash,
    shown: Shown,
) -> Result<Response, WebError> {
    let (lib, tr) = (s.library_id(), Tr::new(s.lang));
    let library = state.store.library(lib).await?;
    let tz = library.tz();
    let session = state.store.session(lib, id).await?;
    let seats = state.store.seat_state(lib, Target::Session(id)).await?;
    let course = matches!(seats.target, Target::Course(_));
    let people = sees_people(s);
    let list = if people {
        state.store.list_registrations(lib, seats.target).await?
    } else {
        Vec::new()
    };
    let row = |r: &Registration| Row {
        id: r.id.get(),
        name: r.name.clone(),
        email: r.email.clone(),
        phone: r.phone.clone(),
        seats: r.seats,
        ages: r
            .ages
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        position: r.position,
        by_staff: r.source == "staff",
        at: stamp(s.lang, &tz, r.created_at),
        promoted: r.promoted_at.is_some(),
    };
    let of = |status| {
        list.iter()
            .filter(|r| r.status == status)
            .map(row)
            .collect::<Vec<_>>()
    };
    let (confirmed, waiting) = (
        of(RegistrationStatus::Confirmed),
        of(RegistrationStatus::Waiting),
    );
    let cancelled = list
        .iter()
        .filter(|r| r.status == RegistrationStatus::Cancelled)
        .count();
    let targets = if s.may(Action::EditProgramme) {
        move_targets(state, s, &tz, seats.target, session.kind).await?
    } else {
        Vec::new()
    };
    let (add, add_errors) = shown.add.unwrap_or_default();
    let (settings, settings_errors) = shown.settings.unwrap_or_else(|| {
        (
            settings_form(&seats.settings, course, &tz),
            FormErrors::default(),
        )
    });
    let status = if add_errors.is_empty() && settings_errors.is_empty() && shown.general.is_empty()
    {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = tr.tf(
        "registrations.title",
        &[("title", session.event_title.clone())],
    );
    let actions = super::actions::recent(state, s, session.event_id, Some(id)).await?;
    let page = ListPage {
        actions,
        page: Page::new(s, title, "events", &flash),
        when: when(s.lang, &tz, session.starts_at, session.ends_at),
        asks_ages: session.age_min.is_some() || session.age_max.is_some(),
        session,
        seats,
        course,
        people,
        confirmed,
        waiting,
        cancelled,
        add,
        add_errors,
        settings,
        settings_errors,
        general: shown.general,
        targets,
    };
    Ok((status, Html(page.render()?)).into_response())
}

fn settings_form(s: &RegistrationSettings, course: bool, tz: &jiff::tz::TimeZone) -> SettingsForm {
    let split = |at: Option<i64>| at.map(|a| local_iso(tz, a)).unwrap_or_default();
    let ((opens_date, opens_time), (closes_date, closes_time)) =
        (split(s.opens_at), split(s.closes_at));
    SettingsForm {
        raw: RawSettings {
            opens_date,
            opens_time,
            closes_date,
            closes_time,
            max_seats: s.max_seats.to_string(),
        },
        course: course.then(|| "on".into()),
    }
}

/// Where a party may be moved: coming sessions on registration of the same
/// kind (a workshop to a workshop; a course once, by its event), other than
/// where it is.
async fn move_targets(
    state: &AppState,
    s: &StaffSession,
    tz: &jiff::tz::TimeZone,
    here: Target,
    kind: SessionKind,
) -> Result<Vec<(String, String)>, WebError> {
    let tr = Tr::new(s.lang);
    let mut out: Vec<(String, String)> = Vec::new();
    for (session, course) in state
        .store
        .registration_targets(s.library_id(), now())
        .await?
    {
        let (target, value) = if course {
            (
                Target::Course(session.event_id),
                format!("c:{}", session.event_id),
            )
        } else {
            (Target::Session(session.id), format!("s:{}", session.id))
        };
        if target == here || session.kind != kind || out.iter().any(|(v, _)| *v == value) {
            continue;
        }
        let label = format!(
            "{} — {}",
            session.event_title,
            when(s.lang, tz, session.starts_at, session.ends_at)
        );
        let label = if course {
            tr.tf("registrations.course_label", &[("label", label)])
        } else {
            label
        };
        out.push((value, label));
    }
    Ok(out)
}

async fn list(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Path(id): Path<SessionId>,
) -> Result<Response, WebError> {
    render(&state, &s, id, flash, Shown::default()).await
}

/// The refusal as a message for staff.
fn refusal_problem(why: Refusal) -> Problem {
    match why {
        Refusal::TooManySeats { max } => {
            Problem::field("seats", "error.seats").arg("max", max.to_string())
        }
        Refusal::MoreThanCapacity { capacity } => {
            Problem::field("seats", "error.seats_over_capacity")
                .arg("capacity", capacity.to_string())
        }
        Refusal::Cancelled => Problem::form("public.error.cancelled"),
        Refusal::NoRegistration => Problem::form("public.error.no_registration"),
        Refusal::NotYetOpen { .. } | Refusal::Closed => Problem::form("public.error.closed"),
    }
}

async fn add(
    State(state): State<AppState>,
    Path(id): Path<SessionId>,
    Posted { session: s, form }: Posted<AddForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let (lib, tr) = (s.library_id(), Tr::new(s.lang));
    let session = state.store.session(lib, id).await?;
    let seats = state.store.seat_state(lib, Target::Session(id)).await?;
    let rules = PartyRules {
        max_seats: seats.settings.max_seats,
        ages: session.ages(),
        email_required: false,
    };
    let raw = RawParty {
        name: form.name.clone(),
        email: form.email.clone(),
        phone: form.phone.clone(),
        seats: form.seats.clone(),
        ages: form.ages.clone(),
    };
    let invalid = |form, problems: Problems| {
        let shown = Shown {
            add: Some((form, FormErrors::new(&tr, &problems))),
            ..Default::default()
        };
        render(&state, &s, id, Flash::default(), shown)
    };
    let party = match Party::parse(&raw, &rules) {
        Ok(p) => p,
        Err(problems) => return invalid(form, problems).await,
    };
    // The link goes to the person by e-mail (when they gave an address).
    let (_, token_hash, idempotency_hash) =
        crate::public::register::secrets(&random_token(), &state.config.link_key);
    let new = NewRegistration {
        target: Target::Session(id),
        party,
        token_hash,
        idempotency_hash,
        by_staff: true,
        // A phone caller is answered in French.
        lang: almanach_domain::Lang::Fr,
        link_sealed: None,
    };
    match state.store.register(&s.actor(), &new).await? {
        Registered::New(_) | Registered::Replayed(_) => Ok(Redirect::to(&format!(
            "/staff/sessions/{id}/registrations?done=created"
        ))
        .into_response()),
        Registered::AlreadyRegistered(_) => {
            invalid(
                form,
                Problem::field("email", "error.already_registered").into(),
            )
            .await
        }
        Registered::Refused(why) => invalid(form, refusal_problem(why).into()).await,
    }
}

async fn settings_save(
    State(state): State<AppState>,
    Path(id): Path<SessionId>,
    Posted { session: s, form }: Posted<SettingsForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let (lib, tr) = (s.library_id(), Tr::new(s.lang));
    let tz = state.store.library(lib).await?.tz();
    let settings = match RegistrationSettings::parse(&form.raw, &tz) {
        Ok(v) => v,
        Err(problems) => {
            let shown = Shown {
                settings: Some((form, FormErrors::new(&tr, &problems))),
                ..Default::default()
            };
            return render(&state, &s, id, Flash::default(), shown).await;
        }
    };
    let session = state.store.session(lib, id).await?;
    match state
        .store
        .set_course(&s.actor(), session.event_id, form.course.is_some())
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            let errors = FormErrors::new(
                &tr,
                &Problem::field("course", "error.course_has_registrations").into(),
            );
            let shown = Shown {
                settings: Some((form, errors)),
                ..Default::default()
            };
            return render(&state, &s, id, Flash::default(), shown).await;
        }
        Err(e) => return Err(e.into()),
    }
    // A course opens, closes and counts seats per registration by its first session.
    let first = if form.course.is_some() {
        let f = SessionFilter {
            event_id: Some(session.event_id),
            ..Default::default()
        };
        state
            .store
            .list_sessions(lib, &f)
            .await?
            .first()
            .map_or(id, |s| s.id)
    } else {
        id
    };
    state
        .store
        .set_registration_settings(&s.actor(), first, &settings)
        .await?;
    Ok(Redirect::to(&format!("/staff/sessions/{id}/registrations?done=saved")).into_response())
}

#[derive(Debug, Default, Clone, Deserialize)]
struct BackForm {
    /// The session page to come back to.
    #[serde(default)]
    back: String,
    #[serde(default)]
    to: String,
    /// Staff's message to the person (and to whoever gets the seat).
    #[serde(default)]
    note: String,
}

impl BackForm {
    fn target(&self) -> Option<Target> {
        match self.to.split_once(':') {
            Some(("s", v)) => v.parse().ok().map(Target::Session),
            Some(("c", v)) => v.parse().ok().map(Target::Course),
            _ => None,
        }
    }
}

/// What the pages confirming a removal or a move say about the registration.
async fn confirm_of(
    state: &AppState,
    s: &StaffSession,
    r: &Registration,
    form: &BackForm,
    moving: bool,
) -> Result<Confirm, WebError> {
    let (lib, tr) = (s.library_id(), Tr::new(s.lang));
    let tz = state.store.library(lib).await?.tz();
    let back = back_to(form, r);
    // A course's registration is shown with its first session.
    let session_id = match r.session_id {
        Some(id) => id,
        None => state
            .store
            .list_sessions(
                lib,
                &SessionFilter {
                    event_id: Some(r.event_id),
                    ..Default::default()
                },
            )
            .await?
            .first()
            .map(|x| x.id)
            .ok_or(WebError::NotFound)?,
    };
    let session = state.store.session(lib, session_id).await?;
    let name = if r.name.trim().is_empty() {
        tr.t("notify.anonymous").to_string()
    } else {
        r.name.clone()
    };
    let mut args = vec![
        ("name", name),
        ("seats", tr.tn("notify.seats", r.seats as usize, &[])),
        ("title", session.event_title.clone()),
        (
            "when",
            when(s.lang, &tz, session.starts_at, session.ends_at),
        ),
    ];
    let (key, planned, path) = if moving {
        let to = move_targets(state, s, &tz, Target::Session(session_id), session.kind)
            .await?
            .into_iter()
            .find(|(v, _)| *v == form.to)
            .map(|(_, label)| label)
            .unwrap_or_default();
        args.push(("to", to));
        (
            "notify.registration_move",
            Planned::RegistrationMove(r.id),
            "move",
        )
    } else {
        (
            "notify.registration_cancel",
            Planned::RegistrationCancel(r.id),
            "cancel",
        )
    };
    let mut hidden = vec![("back", back.to_string())];
    if moving {
        hidden.push(("to", form.to.clone()));
    }
    Ok(Confirm {
        question: tr.t(&format!("{key}.question")).to_string(),
        explain: tr.tf(&format!("{key}.explain"), &args),
        audience: state.store.audience(lib, planned).await?,
        action: format!("/staff/registrations/{}/{path}", r.id),
        hidden,
        confirm: tr.t(&format!("{key}.confirm")).to_string(),
        back: format!("/staff/sessions/{back}/registrations"),
        back_label: tr.t("notify.back").to_string(),
    })
}

async fn cancel_form(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<RegistrationId>,
    Query(form): Query<BackForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let r = state.store.registration(s.library_id(), id).await?;
    let c = confirm_of(&state, &s, &r, &form, false).await?;
    confirm_page(&s, c, "", FormErrors::default())
}

async fn move_form(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<RegistrationId>,
    Query(form): Query<BackForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let r = state.store.registration(s.library_id(), id).await?;
    if form.target().is_none() {
        let shown = Shown {
            general: vec![Tr::new(s.lang).problem(&Problem::form("error.choose"))],
            ..Default::default()
        };
        return render(&state, &s, back_to(&form, &r), Flash::default(), shown).await;
    }
    let c = confirm_of(&state, &s, &r, &form, true).await?;
    confirm_page(&s, c, "", FormErrors::default())
}

fn back_to(form: &BackForm, r: &Registration) -> SessionId {
    crate::view::keys::opt_id(&form.back)
        .map(SessionId)
        .or(r.session_id)
        .unwrap_or_default()
}

/// The message staff add, or the confirmation page again with its error.
async fn note_of(
    state: &AppState,
    s: &StaffSession,
    r: &Registration,
    form: &BackForm,
    moving: bool,
) -> Result<Result<String, Response>, WebError> {
    let note = NoteForm {
        note: form.note.clone(),
    };
    match note.parse() {
        Ok(note) => Ok(Ok(note)),
        Err(p) => {
            let c = confirm_of(state, s, r, form, moving).await?;
            let errors = FormErrors::new(&Tr::new(s.lang), &Problems::from(p));
            Ok(Err(confirm_page(s, c, &form.note, errors)?))
        }
    }
}

async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<RegistrationId>,
    Posted { session: s, form }: Posted<BackForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let r = state.store.registration(s.library_id(), id).await?;
    let note = match note_of(&state, &s, &r, &form, false).await? {
        Ok(note) => note,
        Err(page) => return Ok(page),
    };
    state
        .store
        .cancel_registration_held(&s.actor(), id, &note)
        .await?;
    Ok(Redirect::to(&format!(
        "/staff/sessions/{}/registrations?done=cancelled",
        back_to(&form, &r)
    ))
    .into_response())
}

async fn move_to(
    State(state): State<AppState>,
    Path(id): Path<RegistrationId>,
    Posted { session: s, form }: Posted<BackForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let tr = Tr::new(s.lang);
    let r = state.store.registration(s.library_id(), id).await?;
    let back = back_to(&form, &r);
    let problem = match form.target() {
        None => Problem::form("error.choose"),
        Some(t) => {
            let note = match note_of(&state, &s, &r, &form, true).await? {
                Ok(note) => note,
                Err(page) => return Ok(page),
            };
            match state
                .store
                .move_registration_held(&s.actor(), id, t, &note)
                .await?
                .0
            {
                Moved::Done { .. } => {
                    return Ok(Redirect::to(&format!(
                        "/staff/sessions/{back}/registrations?done=saved"
                    ))
                    .into_response());
                }
                Moved::AlreadyRegistered => Problem::form("error.already_registered"),
                Moved::Refused(why) => refusal_problem(why),
            }
        }
    };
    let shown = Shown {
        general: vec![tr.problem(&problem)],
        ..Default::default()
    };
    render(&state, &s, back, Flash::default(), shown).await
}

async fn csv(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<SessionId>,
) -> Result<Response, WebError> {
    if !sees_people(&s) {
        return Err(WebError::Forbidden);
    }
    let (lib, tr) = (s.library_id(), Tr::new(s.lang));
    let tz = state.store.library(lib).await?.tz();
    let seats = state.store.seat_state(lib, Target::Session(id)).await?;
    let list = state.store.list_registrations(lib, seats.target).await?;
    // Names and e-mails typed by the public go through the one CSV writer,
    // which neutralises anything a spreadsheet would run as a formula.
    let mut out = Csv::new();
    let headers = [
        "status",
        "position",
        "name",
        "email",
        "phone",
        "seats",
        "ages",
        "source",
        "registered_at",
    ];
    out.row(
        headers
            .iter()
            .map(|h| Cell::text(tr.t(&format!("registrations.csv.{h}")))),
    );
    for r in list
        .iter()
        .filter(|r| r.status != RegistrationStatus::Cancelled)
    {
        let status = match r.status {
            RegistrationStatus::Confirmed => tr.t("registrations.status.confirmed"),
            RegistrationStatus::Waiting => tr.t("registrations.status.waiting"),
            RegistrationStatus::Cancelled => tr.t("registrations.status.cancelled"),
        };
        let source = if r.source == "staff" {
            tr.t("registrations.source.staff")
        } else {
            tr.t("registrations.source.public")
        };
        out.row([
            Cell::text(status),
            r.position.map_or_else(Cell::empty, Cell::int),
            Cell::text(r.name.clone()),
            Cell::text(r.email.clone()),
            Cell::text(r.phone.clone()),
            Cell::int(r.seats),
            Cell::text(
                r.ages
                    .iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            Cell::text(source),
            Cell::text(stamp(s.lang, &tz, r.created_at)),
        ]);
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"inscriptions-seance-{id}.csv\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        out.finish(),
    )
        .into_response())
}
