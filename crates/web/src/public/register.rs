//! The public registration form, for one session or a whole course: what
//! each field is for and how long it is kept, a honeypot, and a key per
//! form so a double click registers once and lands on the same private link.

use almanach_domain::Problem;
use almanach_domain::ids::{EventId, SessionId};
use almanach_domain::link::LinkKey;
use almanach_domain::programme::AgeRange;
use almanach_domain::registration::{Party, PartyRules, RawParty};
use almanach_store::{
    Actor, Event, NewRegistration, Refusal, Registered, SeatState, Session, SessionFilter,
    StoreError, Target, now,
};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::page::published_event;
use super::page::{Badge, PublicPage, Visit, badge, moment, same_origin};
use crate::auth::{random_token, sha256_hex};
use crate::forms::FormErrors;
use crate::limits::ClientIp;
use crate::view::when;
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/events/{id}/register", get(course_form).post(course_save))
        .route(
            "/events/{id}/sessions/{sid}/register",
            get(session_form).post(session_save),
        )
}

#[derive(Debug, Default, Deserialize)]
pub struct RegisterForm {
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
    /// The honeypot: hidden from people and assistive technologies; only
    /// robots fill it in.
    #[serde(default)]
    website: String,
    /// Random per rendered form; see `secrets`.
    #[serde(default)]
    key: String,
}

impl RegisterForm {
    /// A new form: one seat unless the person says otherwise.
    fn blank() -> RegisterForm {
        RegisterForm {
            seats: "1".into(),
            ..Default::default()
        }
    }

    fn raw(&self) -> RawParty {
        RawParty {
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            seats: self.seats.clone(),
            ages: self.ages.clone(),
        }
    }
}

/// The form's key is random and only ever sent to the person's own page
/// (never cached: `no-store`). The idempotency hash derives from it, and
/// the private link's token from that hash and the installation's link key:
/// the same form sent twice finds the same registration and shows the same
/// link, and the mail worker can write the link in any later e-mail. The
/// database keeps only hashes (see docs/decisions/0005-outbox.md).
pub(crate) fn secrets(key: &str, link_key: &LinkKey) -> (String, String, String) {
    let idempotency_hash = sha256_hex(&format!("idempotency:{key}"));
    let token = link_key.token(&idempotency_hash);
    let token_hash = sha256_hex(&token);
    (token, token_hash, idempotency_hash)
}

fn valid_key(key: &str) -> bool {
    key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What the form is for.
struct Ctx {
    event: Event,
    target: Target,
    sessions: Vec<Session>,
    seats: SeatState,
    rules: PartyRules,
    action: String,
    /// Days personal data is kept after the session, as the notices say.
    retention_days: u32,
}

/// What a session (or a course, by its first session, whose `ages` these
/// are) asks of a party.
pub(crate) fn party_rules(ages: AgeRange, seats: &SeatState) -> PartyRules {
    PartyRules {
        max_seats: seats.settings.max_seats,
        ages,
        email_required: true,
    }
}

async fn context(
    state: &AppState,
    visit: &Visit,
    event_id: EventId,
    session_id: Option<SessionId>,
) -> Result<Ctx, WebError> {
    let lib = visit.library.id;
    let event = published_event(state, visit, event_id).await?;
    let (target, sessions, action) = if state.store.is_course(lib, event_id).await? {
        let f = SessionFilter {
            event_id: Some(event_id),
            ..Default::default()
        };
        (
            Target::Course(event_id),
            state.store.list_sessions(lib, &f).await?,
            format!("/events/{event_id}/register"),
        )
    } else {
        let sid = session_id.ok_or(WebError::NotFound)?;
        let s = state.store.session(lib, sid).await?;
        if s.event_id != event_id {
            return Err(WebError::NotFound);
        }
        (
            Target::Session(sid),
            vec![s],
            format!("/events/{event_id}/sessions/{sid}/register"),
        )
    };
    let first = sessions.first().ok_or(WebError::NotFound)?;
    let seats = state.store.seat_state(lib, target).await?;
    let rules = party_rules(first.ages(), &seats);
    Ok(Ctx {
        event,
        target,
        sessions,
        seats,
        rules,
        action,
        retention_days: state.config.retention_days,
    })
}

#[derive(Template)]
#[template(path = "public_register.html")]
struct FormPage {
    page: PublicPage,
    event: Event,
    whens: Vec<String>,
    audience: String,
    badge: Badge,
    action: String,
    form: RegisterForm,
    errors: FormErrors,
    max_seats: u32,
    asks_ages: bool,
    back_label: String,
    name_why: String,
    email_why: String,
    phone_why: String,
    seats_why: String,
    ages_why: String,
    controller: String,
}

fn form_page(
    visit: &Visit,
    ctx: &Ctx,
    mut form: RegisterForm,
    errors: FormErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (tr, tz) = (visit.tr(), visit.tz());
    let days = || ("days", ctx.retention_days.to_string());
    if !valid_key(&form.key) {
        form.key = random_token();
    }
    let page = FormPage {
        page: visit.page(tr.tf(
            "public.register.title",
            &[("title", ctx.event.title.clone())],
        )),
        event: ctx.event.clone(),
        whens: ctx
            .sessions
            .iter()
            .map(|s| when(tr.lang, &tz, s.starts_at, s.ends_at))
            .collect(),
        audience: ctx.rules.ages.describe(tr.lang),
        badge: badge(tr, &tz, &ctx.seats, now()),
        action: ctx.action.clone(),
        form,
        errors,
        max_seats: ctx.rules.max_seats,
        asks_ages: ctx.rules.asks_ages(),
        back_label: tr.tf(
            "public.register.back",
            &[("title", ctx.event.title.clone())],
        ),
        name_why: tr.tf("public.register.name_why", &[days()]),
        email_why: tr.tf("public.register.email_why", &[days()]),
        phone_why: tr.tf("public.register.phone_why", &[days()]),
        seats_why: tr.tf(
            "public.register.seats_why",
            &[("max", ctx.rules.max_seats.to_string())],
        ),
        ages_why: tr.tf(
            "public.register.ages_why",
            &[("audience", ctx.rules.ages.describe(tr.lang)), days()],
        ),
        controller: tr.tf(
            "public.register.controller",
            &[
                ("library", visit.library.name.clone()),
                ("the_library", visit.library.the_name()),
            ],
        ),
    };
    Ok((
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Html(page.render()?),
    )
        .into_response())
}

async fn course_form(
    State(state): State<AppState>,
    visit: Visit,
    Path(id): Path<EventId>,
) -> Result<Response, WebError> {
    let ctx = context(&state, &visit, id, None).await?;
    form_page(
        &visit,
        &ctx,
        RegisterForm::blank(),
        FormErrors::default(),
        StatusCode::OK,
    )
}

async fn session_form(
    State(state): State<AppState>,
    visit: Visit,
    Path((id, sid)): Path<(EventId, SessionId)>,
) -> Result<Response, WebError> {
    let ctx = context(&state, &visit, id, Some(sid)).await?;
    form_page(
        &visit,
        &ctx,
        RegisterForm::blank(),
        FormErrors::default(),
        StatusCode::OK,
    )
}

async fn course_save(
    State(state): State<AppState>,
    visit: Visit,
    ip: ClientIp,
    headers: HeaderMap,
    Path(id): Path<EventId>,
    Form(form): Form<RegisterForm>,
) -> Result<Response, WebError> {
    save(state, visit, ip, headers, id, None, form).await
}

async fn session_save(
    State(state): State<AppState>,
    visit: Visit,
    ip: ClientIp,
    headers: HeaderMap,
    Path((id, sid)): Path<(EventId, SessionId)>,
    Form(form): Form<RegisterForm>,
) -> Result<Response, WebError> {
    save(state, visit, ip, headers, id, Some(sid), form).await
}

#[derive(Template)]
#[template(path = "public_message.html")]
struct MessagePage {
    page: PublicPage,
    heading: String,
    lines: Vec<String>,
    back: String,
}

fn message(
    visit: &Visit,
    status: StatusCode,
    heading: &str,
    lines: Vec<String>,
    back: String,
) -> Result<Response, WebError> {
    let page = MessagePage {
        page: visit.page(heading),
        heading: heading.to_string(),
        lines,
        back,
    };
    Ok((
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Html(page.render()?),
    )
        .into_response())
}

/// Why the store refused, next to the field it concerns.
fn refusal_problem(tr: Tr, visit: &Visit, why: Refusal) -> Problem {
    match why {
        Refusal::TooManySeats { max } => {
            Problem::field("seats", "error.seats").arg("max", max.to_string())
        }
        Refusal::MoreThanCapacity { capacity } => {
            Problem::field("seats", "error.seats_over_capacity")
                .arg("capacity", capacity.to_string())
        }
        Refusal::NotYetOpen { opens_at } => {
            Problem::form("public.error.not_open").arg("when", moment(tr, &visit.tz(), opens_at))
        }
        Refusal::Closed => Problem::form("public.error.closed"),
        Refusal::Cancelled => Problem::form("public.error.cancelled"),
        Refusal::NoRegistration => Problem::form("public.error.no_registration"),
    }
}

async fn save(
    state: AppState,
    visit: Visit,
    ip: ClientIp,
    headers: HeaderMap,
    event_id: EventId,
    session_id: Option<SessionId>,
    form: RegisterForm,
) -> Result<Response, WebError> {
    same_origin(&headers)?;
    let tr = visit.tr();
    let ctx = context(&state, &visit, event_id, session_id).await?;
    let back = format!("/events/{event_id}");
    let limited = |form, wait: u64| -> Result<Response, WebError> {
        let problem = Problem::form("public.error.rate_limited")
            .arg("minutes", wait.div_ceil(60).to_string());
        let errors = FormErrors::new(&tr, &almanach_domain::Problems(vec![problem]));
        let mut res = form_page(&visit, &ctx, form, errors, StatusCode::TOO_MANY_REQUESTS)?;
        res.headers_mut().insert(header::RETRY_AFTER, wait.into());
        Ok(res)
    };
    if let Err(wait) = state.limits.ip.hit(&ip.0) {
        tracing::info!(
            event_id = event_id.get(),
            "registration form: too many attempts from one address"
        );
        return limited(form, wait);
    }
    if !form.website.trim().is_empty() {
        // A robot: answer as if it worked, keep nothing.
        tracing::info!(
            event_id = event_id.get(),
            "registration honeypot filled: ignored"
        );
        return message(
            &visit,
            StatusCode::OK,
            tr.t("public.thanks.title"),
            vec![tr.t("public.thanks.text").into()],
            back,
        );
    }
    if !valid_key(&form.key) {
        return Err(WebError::BadRequest(
            "registration form without its key".into(),
        ));
    }
    let invalid = |form, problems: Vec<Problem>, status| {
        let errors = FormErrors::new(&tr, &almanach_domain::Problems(problems));
        form_page(&visit, &ctx, form, errors, status)
    };
    let party = match Party::parse(&form.raw(), &ctx.rules) {
        Ok(p) => p,
        Err(problems) => return invalid(form, problems.0, StatusCode::UNPROCESSABLE_ENTITY),
    };
    if let Some(email) = &party.email
        && let Err(wait) = state.limits.email.hit(email.as_str())
    {
        tracing::info!(
            event_id = event_id.get(),
            "registration form: too many attempts for one e-mail address"
        );
        return limited(form, wait);
    }
    let (token, token_hash, idempotency_hash) = secrets(&form.key, &state.config.link_key);
    let new = NewRegistration {
        target: ctx.target,
        party: party.clone(),
        token_hash,
        idempotency_hash,
        by_staff: false,
        lang: visit.lang,
        link_sealed: None,
    };
    let actor = Actor::system(visit.library.id, "public");
    let registered = match state.store.register(&actor, &new).await {
        // Overload while saving: the form again with what was typed (the
        // same key, so sending it again cannot register twice), 503 and
        // Retry-After. Nothing was written: the transaction was dropped.
        Err(busy @ StoreError::Busy(_)) => {
            tracing::warn!(
                event_id = event_id.get(),
                cause = %crate::error::with_causes(&busy),
                "registration form: database busy, answered 503"
            );
            let errors = FormErrors::new(
                &tr,
                &almanach_domain::Problems(vec![Problem::form("public.error.busy")]),
            );
            let res = form_page(&visit, &ctx, form, errors, StatusCode::SERVICE_UNAVAILABLE)?;
            return Ok(crate::error::retry_soon(res));
        }
        other => other?,
    };
    match registered {
        Registered::New(_) => Ok(Redirect::to(&format!("/r/{token}?new=1")).into_response()),
        // The same form again (a double click): the same private link, as
        // long as it is the same person's form.
        Registered::Replayed(r)
            if Some(r.email.as_str()) == party.email.as_ref().map(|e| e.as_str()) =>
        {
            Ok(Redirect::to(&format!("/r/{token}")).into_response())
        }
        Registered::Replayed(_) => invalid(
            form,
            vec![Problem::form("public.error.form_used")],
            StatusCode::CONFLICT,
        ),
        Registered::AlreadyRegistered(_) => message(
            &visit,
            StatusCode::OK,
            tr.t("public.already.title"),
            vec![
                tr.t("public.already.text").into(),
                tr.t("public.already.lost").into(),
            ],
            back,
        ),
        Registered::Refused(why) => {
            let p = refusal_problem(tr, &visit, why);
            let status = if p.field.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::CONFLICT
            };
            invalid(form, vec![p], status)
        }
    }
}
