//! A person's data on request (RGPD): everything the library holds about
//! one e-mail address (registrations, a staff account, speaker records),
//! exported as JSON, and erased (registrations anonymised, coming ones
//! cancelled) after confirmation. Admins and coordinators only; every
//! export and erasure is audited, by record ids.

use almanach_domain::ids::SessionId;
use almanach_domain::registration::{EmailAddress, RegistrationStatus};
use almanach_domain::staff::Action;
use almanach_domain::{Problem, Problems};
use almanach_store::{PersonalData, Speaker, StaffMember};
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::auth::{Posted, StaffSession};
use crate::error::urlencode;
use crate::forms::FormErrors;
use crate::view::{Flash, Page, role_key, stamp};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/personal-data", get(lookup))
        .route("/staff/personal-data/export", get(export))
        .route("/staff/personal-data/erase", post(erase))
}

#[derive(Debug, Default, Deserialize)]
struct EmailQuery {
    #[serde(default)]
    email: String,
}

#[derive(Debug, Default, Deserialize)]
struct EraseForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    confirm: String,
}

struct Row {
    event_id: i64,
    event: String,
    when: String,
    status: &'static str,
    seats: u32,
    name: String,
    phone: String,
    ages: String,
    registered: String,
    anonymised: bool,
}

struct Found {
    email: String,
    rows: Vec<Row>,
    staff: Option<(String, String, bool)>,
    speakers: Vec<(i64, String)>,
    /// Registrations still holding personal data.
    erasable: usize,
    export: String,
}

#[derive(Template)]
#[template(path = "personal_data.html")]
struct LookupPage {
    page: Page,
    email: String,
    errors: FormErrors,
    found: Option<Found>,
}

fn status_key(s: RegistrationStatus) -> &'static str {
    match s {
        RegistrationStatus::Confirmed => "registrations.status.confirmed",
        RegistrationStatus::Waiting => "registrations.status.waiting",
        RegistrationStatus::Cancelled => "registrations.status.cancelled",
    }
}

fn found(tr: Tr, tz: &TimeZone, data: PersonalData) -> Found {
    let rows: Vec<Row> = data
        .registrations
        .into_iter()
        .map(|p| {
            let r = p.registration;
            Row {
                event_id: r.event_id.get(),
                event: p.event_title,
                when: p
                    .starts_at
                    .map(|at| stamp(tr.lang, tz, at))
                    .unwrap_or_default(),
                status: tr.t(status_key(r.status)),
                seats: r.seats,
                ages: r
                    .ages
                    .iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
                registered: stamp(tr.lang, tz, r.created_at),
                name: r.name,
                phone: r.phone,
                anonymised: r.anonymised,
            }
        })
        .collect();
    Found {
        export: format!(
            "/staff/personal-data/export?email={}",
            urlencode(&data.email)
        ),
        erasable: rows.iter().filter(|r| !r.anonymised).count(),
        email: data.email,
        rows,
        staff: data
            .staff_account
            .map(|s| (s.name, tr.t(role_key(s.role)).to_string(), s.active)),
        speakers: data.speakers.into_iter().map(|s| (s.id, s.name)).collect(),
    }
}

/// The e-mail typed, checked; None when nothing was typed.
fn parse_email(typed: &str) -> Result<Option<EmailAddress>, Problems> {
    if typed.trim().is_empty() {
        return Ok(None);
    }
    EmailAddress::parse("email", typed)
        .map(Some)
        .map_err(Problems::from)
}

async fn render(
    state: &AppState,
    s: &StaffSession,
    typed: String,
    mut errors: FormErrors,
    flash: &Flash,
) -> Result<Response, WebError> {
    let tr = Tr::new(s.lang);
    let tz = state.store.library(s.library_id()).await?.tz();
    let found = match parse_email(&typed) {
        Ok(Some(email)) => Some(found(
            tr,
            &tz,
            state
                .store
                .personal_data(s.library_id(), email.as_str())
                .await?,
        )),
        Ok(None) => None,
        Err(p) => {
            errors = FormErrors::new(&tr, &p);
            None
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = Page::new(s, tr.t("personal.title"), "personal_data", flash);
    let body = LookupPage {
        page,
        email: typed,
        errors,
        found,
    }
    .render()?;
    // An e-mail address and what it did: never kept by a cache.
    Ok((status, [(header::CACHE_CONTROL, "no-store")], Html(body)).into_response())
}

async fn lookup(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Query(q): Query<EmailQuery>,
) -> Result<Response, WebError> {
    s.require(Action::ManagePersonalData)?;
    render(&state, &s, q.email, FormErrors::default(), &flash).await
}

/// One registration in the export, with readable times.
#[derive(Serialize)]
struct Exported {
    event: String,
    event_id: i64,
    session_id: Option<i64>,
    session_start: Option<String>,
    status: RegistrationStatus,
    waiting_position: Option<u32>,
    seats: u32,
    name: String,
    email: String,
    phone: String,
    children_ages: Vec<u8>,
    source: String,
    registered_at: String,
    cancelled_at: Option<String>,
    anonymised: bool,
}

#[derive(Serialize)]
struct Export<'a> {
    library: String,
    exported_at: String,
    email: &'a str,
    registrations: Vec<Exported>,
    staff_account: Option<&'a StaffMember>,
    speakers: &'a [Speaker],
}

async fn export(
    State(state): State<AppState>,
    s: StaffSession,
    Query(q): Query<EmailQuery>,
) -> Result<Response, WebError> {
    s.require(Action::ManagePersonalData)?;
    let Ok(Some(email)) = parse_email(&q.email) else {
        return Err(WebError::BadRequest("export without a valid e-mail".into()));
    };
    let library = state.store.library(s.library_id()).await?;
    let tz = library.tz();
    let data = state
        .store
        .personal_data(library.id, email.as_str())
        .await?;
    let iso = |at: i64| crate::public::jsonld::iso(&tz, at);
    let registrations = data
        .registrations
        .iter()
        .map(|p| {
            let r = &p.registration;
            Exported {
                event: p.event_title.clone(),
                event_id: r.event_id.get(),
                session_id: r.session_id.map(SessionId::get),
                session_start: p.starts_at.map(iso),
                status: r.status,
                waiting_position: r.position,
                seats: r.seats,
                name: r.name.clone(),
                email: r.email.clone(),
                phone: r.phone.clone(),
                children_ages: r.ages.clone(),
                source: r.source.clone(),
                registered_at: iso(r.created_at),
                cancelled_at: r.cancelled_at.map(iso),
                anonymised: r.anonymised,
            }
        })
        .collect();
    let body = Export {
        library: library.name.clone(),
        exported_at: iso(almanach_store::now()),
        email: &data.email,
        registrations,
        staff_account: data.staff_account.as_ref(),
        speakers: &data.speakers,
    };
    let json = serde_json::to_string_pretty(&body)
        .map_err(|e| WebError::Internal(crate::error::with_causes(&e)))?;
    state
        .store
        .record_personal_data_export(&s.actor(), &data)
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"donnees-personnelles.json\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        json,
    )
        .into_response())
}

async fn erase(
    State(state): State<AppState>,
    Posted { session: s, form }: Posted<EraseForm>,
) -> Result<Response, WebError> {
    s.require(Action::ManagePersonalData)?;
    let tr = Tr::new(s.lang);
    let email = match parse_email(&form.email) {
        Ok(Some(e)) => e,
        _ => {
            return Err(WebError::BadRequest(
                "erasure without a valid e-mail".into(),
            ));
        }
    };
    if form.confirm != "yes" {
        let errors = FormErrors::new(
            &tr,
            &Problems::from(Problem::field("confirm", "personal.confirm_needed")),
        );
        return render(&state, &s, form.email, errors, &Flash::default()).await;
    }
    let n = state
        .store
        .erase_personal_data(&s.actor(), email.as_str())
        .await?;
    tracing::info!(registrations = n, "personal data erased on request");
    Ok(Redirect::to(&format!(
        "/staff/personal-data?email={}&done=erased",
        urlencode(email.as_str())
    ))
    .into_response())
}
