//! Staff actions that tell the public, for staff: the page that asks to
//! confirm one (how many people will be told, a message for them), the
//! list of recent ones with « Annuler cette action », and an action's own
//! page, where undoing it happens (see `almanach_store::actions`).

use almanach_domain::ids::{EventId, SessionId};
use almanach_domain::programme::parse_text;
use almanach_domain::staff::Action;
use almanach_domain::{Problem, Problems};
use almanach_store::{ActionKind, HOLD_SECONDS, StaffAction, StoreError, UndoRefusal, Undone, now};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::auth::{Posted, StaffSession};
use crate::forms::FormErrors;
use crate::view::{Flash, Page, clock, stamp, when};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/actions/{id}", get(show))
        .route("/staff/actions/{id}/undo", post(undo))
}

/// The longest message staff may add to an action's e-mails.
const NOTE_MAX: usize = 2000;

/// The message staff may add to the e-mails of the action they confirm.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct NoteForm {
    #[serde(default)]
    pub note: String,
}

impl NoteForm {
    pub fn parse(&self) -> Result<String, Problem> {
        parse_text("note", &self.note, NOTE_MAX)
    }
}

/// "12 personnes seront prévenues par e-mail."
pub(super) fn people(tr: &Tr, n: usize) -> String {
    tr.tn("notify.people", n, &[])
}

/// How long the e-mails wait, when there are any.
pub(super) fn hold(tr: &Tr, n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        tr.tf(
            "notify.hold",
            &[("minutes", (HOLD_SECONDS / 60).to_string())],
        )
    }
}

/// What a confirmation page says and where it posts.
pub(super) struct Confirm {
    pub question: String,
    pub explain: String,
    pub audience: usize,
    pub action: String,
    pub hidden: Vec<(&'static str, String)>,
    pub confirm: String,
    pub back: String,
    pub back_label: String,
}

#[derive(Template)]
#[template(path = "notify_confirm.html")]
struct ConfirmPage {
    page: Page,
    c: Confirm,
    people: String,
    hold: String,
    note: String,
    errors: FormErrors,
}

/// The page asking staff to confirm an action that tells the public: what
/// it does, how many people will be told, the message they may add.
pub(super) fn confirm_page(
    s: &StaffSession,
    c: Confirm,
    note: &str,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let tr = Tr::new(s.lang);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ConfirmPage {
        page: Page::new(s, c.question.clone(), "events", &Flash::default()),
        people: people(&tr, c.audience),
        hold: hold(&tr, c.audience),
        c,
        note: note.to_string(),
        errors,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// The note, or the confirmation page again with its error.
pub(super) fn note_or_page(
    s: &StaffSession,
    form: &NoteForm,
    c: impl FnOnce() -> Confirm,
) -> Result<Result<String, Response>, WebError> {
    match form.parse() {
        Ok(note) => Ok(Ok(note)),
        Err(p) => {
            let errors = FormErrors::new(&Tr::new(s.lang), &Problems::from(p));
            Ok(Err(confirm_page(s, c(), &form.note, errors)?))
        }
    }
}

/// An action as the lists and its page show it.
pub(super) struct ActionRow {
    pub id: i64,
    pub what: String,
    pub status: String,
    pub undoable: bool,
}

/// "Séance du samedi 13 janvier, 14 h – 16 h annulée".
async fn describe(
    state: &AppState,
    tr: &Tr,
    tz: &TimeZone,
    a: &StaffAction,
) -> Result<String, WebError> {
    let lib = a.library_id;
    let key = format!("action.kind.{}", a.kind.slug());
    Ok(match a.kind {
        ActionKind::SessionCancel | ActionKind::SessionRestore | ActionKind::SessionChange => {
            let at = match a.session_id {
                Some(id) => {
                    let s = state.store.session(lib, id).await?;
                    when(tr.lang, tz, s.starts_at, s.ends_at)
                }
                None => String::new(),
            };
            tr.tf(&key, &[("when", at)])
        }
        ActionKind::EventCancel => {
            let title = match a.event_id {
                Some(id) => state.store.event(lib, id).await?.title,
                None => String::new(),
            };
            tr.tf(&key, &[("title", title)])
        }
        ActionKind::Message => tr.tf(&key, &[("subject", a.subject.clone())]),
        ActionKind::RegistrationCancel | ActionKind::RegistrationMove => {
            let name = match a.registration_id {
                Some(id) => state.store.registration(lib, id).await?.name,
                None => String::new(),
            };
            let name = if name.trim().is_empty() {
                tr.t("notify.anonymous").to_string()
            } else {
                name
            };
            tr.tf(&key, &[("name", name)])
        }
        ActionKind::Undo => tr.t(&key).to_string(),
    })
}

/// Where its e-mails are: "12 e-mails partiront à 14 h 05.", or undone.
fn status_of(tr: &Tr, tz: &TimeZone, a: &StaffAction, at: i64) -> String {
    if let Some(when) = a.undone_at {
        let mut s = tr.tf(
            "action.undone",
            &[
                ("at", stamp(tr.lang, tz, when)),
                ("who", a.undone_by.clone()),
            ],
        );
        s.push(' ');
        if a.corrections > 0 {
            s.push_str(&tr.tn("action.corrections", a.corrections as usize, &[]));
        } else if a.told == 0 {
            s.push_str(tr.t("action.undone_quiet"));
        }
        return s.trim_end().to_string();
    }
    let mut parts = Vec::new();
    if a.waiting > 0 {
        parts.push(if at < a.hold_until {
            tr.tn(
                "action.held",
                a.waiting as usize,
                &[("time", clock(tr.lang, tz, a.hold_until))],
            )
        } else {
            tr.tn("action.waiting", a.waiting as usize, &[])
        });
    }
    if a.told > 0 {
        parts.push(tr.tn("action.told", a.told as usize, &[]));
    }
    if a.failed > 0 {
        parts.push(tr.tn("action.failed", a.failed as usize, &[]));
    }
    if parts.is_empty() {
        parts.push(tr.t("action.nobody").to_string());
    }
    parts.join(" ")
}

async fn row(
    state: &AppState,
    tr: &Tr,
    tz: &TimeZone,
    a: &StaffAction,
) -> Result<ActionRow, WebError> {
    let at = now();
    Ok(ActionRow {
        id: a.id,
        what: describe(state, tr, tz, a).await?,
        status: status_of(tr, tz, a, at),
        undoable: a.undoable(at),
    })
}

/// The event's recent actions that can still be undone (those about
/// `session_id` only, when given), for the pages that list them.
pub(super) async fn recent(
    state: &AppState,
    s: &StaffSession,
    event_id: EventId,
    session_id: Option<SessionId>,
) -> Result<Vec<ActionRow>, WebError> {
    if !s.may(Action::EditProgramme) {
        return Ok(Vec::new());
    }
    let lib = s.library_id();
    let tz = state.store.library(lib).await?.tz();
    let tr = Tr::new(s.lang);
    let mut out = Vec::new();
    for a in state.store.undoable_actions(lib, event_id).await? {
        if session_id.is_some() && a.session_id != session_id {
            continue;
        }
        out.push(row(state, &tr, &tz, &a).await?);
    }
    Ok(out)
}

#[derive(Template)]
#[template(path = "action.html")]
struct ActionPage {
    page: Page,
    row: ActionRow,
    by: String,
    note: String,
    /// What undoing will do, and whether it sends corrections.
    undo_text: String,
    confirmed: bool,
    refused: String,
    back: String,
    back_label: String,
}

async fn render(
    state: &AppState,
    s: &StaffSession,
    id: i64,
    refused: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (lib, tr) = (s.library_id(), Tr::new(s.lang));
    let tz = state.store.library(lib).await?.tz();
    let a = state.store.staff_action(lib, id).await?;
    let row = row(state, &tr, &tz, &a).await?;
    let (back, back_label) = match (a.kind, a.session_id, a.event_id) {
        (ActionKind::RegistrationCancel | ActionKind::RegistrationMove, Some(sid), _) => (
            format!("/staff/sessions/{sid}/registrations"),
            "action.back_registrations",
        ),
        (ActionKind::Message, Some(sid), _) => (
            format!("/staff/sessions/{sid}/emails"),
            "action.back_registrations",
        ),
        (_, _, Some(eid)) => (format!("/staff/events/{eid}"), "action.back_event"),
        _ => ("/staff/events".to_string(), "action.back_event"),
    };
    let undo_text = if !row.undoable {
        if a.undone_at.is_none() {
            tr.t("action.too_late").to_string()
        } else {
            String::new()
        }
    } else if a.told > 0 {
        tr.tn("action.undo_told", a.told as usize, &[])
    } else {
        tr.t("action.undo_quiet").to_string()
    };
    let page = ActionPage {
        page: Page::new(
            s,
            tr.tf("action.title", &[("at", stamp(s.lang, &tz, a.created_at))]),
            "events",
            &Flash::default(),
        ),
        by: tr.tf(
            "action.by",
            &[
                ("who", a.actor.clone()),
                ("at", stamp(s.lang, &tz, a.created_at)),
            ],
        ),
        note: a.note.clone(),
        undo_text,
        confirmed: a.told > 0,
        refused: refused.unwrap_or_default(),
        back,
        back_label: tr.t(back_label).to_string(),
        row,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn show(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    render(&state, &s, id, None, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize)]
struct UndoForm {
    /// Set when staff saw that some e-mails went and want the correction.
    #[serde(default)]
    confirmed: Option<String>,
}

async fn undo(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { session: s, form }: Posted<UndoForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let tr = Tr::new(s.lang);
    let tz = state.store.library(s.library_id()).await?.tz();
    let refused = match state
        .store
        .undo_action(&s.actor(), id, form.confirmed.is_some())
        .await
    {
        Ok(Undone::Done { .. }) => {
            return Ok(Redirect::to(&format!("/staff/actions/{id}")).into_response());
        }
        // Sent meanwhile: the page now says so and offers the correction.
        Ok(Undone::Confirm { told }) => tr.tn("action.undo_told", told, &[]),
        Ok(Undone::Refused(why)) => match why {
            UndoRefusal::AlreadyUndone => tr.t("action.refused.already_undone").to_string(),
            UndoRefusal::TooLate => tr.t("action.refused.too_late").to_string(),
            UndoRefusal::ChangedSince => tr.t("action.refused.changed_since").to_string(),
            UndoRefusal::SeatsTaken => tr.t("action.refused.seats_taken").to_string(),
            UndoRefusal::PromotionTold => tr.t("action.refused.promotion_told").to_string(),
            UndoRefusal::RoomTaken(c) => tr.tf(
                "action.refused.room_taken",
                &[
                    ("title", c.event_title.clone()),
                    ("when", when(s.lang, &tz, c.starts_at, c.ends_at)),
                ],
            ),
        },
        Err(StoreError::NotFound) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    render(&state, &s, id, Some(refused), StatusCode::CONFLICT).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use almanach_domain::Lang;

    /// Plural keys are built at run time: the locale test cannot see them.
    #[test]
    fn every_count_and_kind_is_translated() {
        for lang in [Lang::Fr, Lang::En] {
            let tr = Tr::new(lang);
            for key in [
                "notify.people",
                "notify.sessions",
                "notify.seats",
                "action.held",
                "action.waiting",
                "action.told",
                "action.failed",
                "action.corrections",
                "action.undo_told",
            ] {
                for n in [0, 1, 2, 12] {
                    let s = tr.tn(key, n, &[("time", "14 h".into())]);
                    assert!(
                        !s.contains(key) && !s.contains('{'),
                        "{lang:?} {key} {n}: {s}"
                    );
                }
            }
            for k in ActionKind::ALL {
                let key = format!("action.kind.{}", k.slug());
                assert_ne!(tr.t(&key), key, "{lang:?} {key}");
            }
        }
        let fr = Tr::new(Lang::Fr);
        assert_eq!(
            fr.tn("notify.people", 12, &[]),
            "12 personnes seront prévenues par e-mail."
        );
        assert_eq!(
            fr.tn("notify.people", 1, &[]),
            "1 personne sera prévenue par e-mail."
        );
        assert_eq!(
            fr.tn("notify.people", 0, &[]),
            "Personne n'est à prévenir : aucun e-mail ne partira."
        );
        assert_eq!(fr.tn("notify.seats", 0, &[]), "0 place");
        assert_eq!(Tr::new(Lang::En).tn("notify.seats", 0, &[]), "0 seats");
    }
}
