//! A session's e-mails for staff: writing to every confirmed party (through
//! the outbox, like every other message), and what was sent to whom, with
//! the messages that wait or were given up on and why.

use almanach_domain::ids::SessionId;
use almanach_domain::programme::{parse_name, parse_text};
use almanach_domain::staff::Action;
use almanach_domain::{Problem, Problems};
use almanach_store::{MailKind, MailStatus, OutboxFilter, OutboxMessage, Session, Target};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::auth::{Posted, StaffSession};
use crate::forms::FormErrors;
use crate::view::keys::status_key;
use crate::view::{Flash, Page, stamp, when};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff/sessions/{id}/emails", get(show).post(send))
}

#[derive(Debug, Default, Deserialize)]
struct MailForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    message: String,
}

/// One message, as a row.
struct Row {
    kind: &'static str,
    recipient: String,
    status: &'static str,
    failed: bool,
    /// "3 attempts" after a retry, else empty.
    attempts: String,
    error: String,
    at: String,
}

#[derive(Template)]
#[template(path = "session_mail.html")]
struct MailPage {
    page: Page,
    session: Session,
    when: String,
    recipients: usize,
    send_label: String,
    /// "12 personnes seront prévenues par e-mail." and how long they wait.
    people: String,
    hold: String,
    form: MailForm,
    errors: FormErrors,
    sees_people: bool,
    messages: Vec<Row>,
    /// Recent messages (and other actions) about this session, with their undo.
    actions: Vec<super::actions::ActionRow>,
}

fn kind_key(k: MailKind) -> &'static str {
    match k {
        MailKind::Confirmed => "mail.kind.confirmed",
        MailKind::Waiting => "mail.kind.waiting",
        MailKind::Promoted => "mail.kind.promoted",
        MailKind::Cancelled => "mail.kind.cancelled",
        MailKind::Moved => "mail.kind.moved",
        MailKind::AlreadyRegistered => "mail.kind.already_registered",
        MailKind::SessionCancelled => "mail.kind.session_cancelled",
        MailKind::Changed => "mail.kind.changed",
        MailKind::Reminder => "mail.kind.reminder",
        MailKind::Staff => "mail.kind.staff",
        MailKind::ItDigest => "mail.kind.it_digest",
        MailKind::Correction => "mail.kind.correction",
        MailKind::PasswordReset => "mail.kind.password_reset",
    }
}

async fn render(
    state: &AppState,
    s: &StaffSession,
    id: SessionId,
    flash: Flash,
    form: MailForm,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let (lib, tr) = (s.library_id(), Tr::new(s.lang));
    let tz = state.store.library(lib).await?.tz();
    let session = state.store.session(lib, id).await?;
    let target = state
        .store
        .seat_state(lib, Target::Session(id))
        .await?
        .target;
    let list = state.store.list_registrations(lib, target).await?;
    let recipients = list
        .iter()
        .filter(|r| {
            r.status == almanach_domain::registration::RegistrationStatus::Confirmed
                && !r.email.is_empty()
        })
        .count();
    // Personal data for the roles that run sessions, as on the registrations page.
    let people = s.may(Action::EditProgramme);
    let messages: Vec<OutboxMessage> = if people {
        state
            .store
            .outbox(
                lib,
                &OutboxFilter {
                    session_id: Some(id),
                    ..Default::default()
                },
            )
            .await?
    } else {
        Vec::new()
    };
    let messages = messages
        .into_iter()
        .map(|m| Row {
            kind: kind_key(m.kind),
            recipient: m.recipient,
            status: status_key(m.status),
            failed: m.status == MailStatus::Failed,
            attempts: if m.attempts > 1 {
                tr.tf("mail.page.attempts", &[("n", m.attempts.to_string())])
            } else {
                String::new()
            },
            error: m.last_error,
            at: stamp(s.lang, &tz, m.sent_at.unwrap_or(m.created_at)),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let actions = super::actions::recent(state, s, session.event_id, Some(id)).await?;
    let page = MailPage {
        actions,
        people: super::actions::people(&tr, recipients),
        hold: super::actions::hold(&tr, recipients),
        page: Page::new(
            s,
            tr.tf("mail.page.title", &[("title", session.event_title.clone())]),
            "events",
            &flash,
        ),
        when: when(s.lang, &tz, session.starts_at, session.ends_at),
        send_label: tr.tn("mail.page.send_to", recipients, &[]),
        session,
        recipients,
        form,
        errors,
        sees_people: people,
        messages,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn show(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Path(id): Path<SessionId>,
) -> Result<Response, WebError> {
    render(
        &state,
        &s,
        id,
        flash,
        MailForm::default(),
        FormErrors::default(),
    )
    .await
}

async fn send(
    State(state): State<AppState>,
    Path(id): Path<SessionId>,
    Posted { session: s, form }: Posted<MailForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let tr = Tr::new(s.lang);
    let mut problems = Problems::new();
    let subject = problems.take(parse_name("subject", &form.subject, 150));
    let message = problems.take(parse_text("message", &form.message, 5000));
    if message.as_deref() == Some("") {
        problems.push(Problem::field("message", "error.required"));
    }
    let (Some(subject), Some(message), true) = (subject, message, problems.is_empty()) else {
        let errors = FormErrors::new(&tr, &problems);
        return render(&state, &s, id, Flash::default(), form, errors).await;
    };
    let target = state
        .store
        .seat_state(s.library_id(), Target::Session(id))
        .await?
        .target;
    // Held like every action that tells the public: it can be undone
    // from this page until it goes.
    state
        .store
        .email_registrants_held(&s.actor(), target, &subject, &message)
        .await?;
    Ok(Redirect::to(&format!("/staff/sessions/{id}/emails?done=queued")).into_response())
}
