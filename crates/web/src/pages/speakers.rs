//! Speakers (intervenants): the directory everyone reads, the form those
//! who book speakers fill in, and each speaker's past and coming sessions.

use almanach_domain::programme::{parse_name, parse_text};
use almanach_domain::staff::Action;
use almanach_domain::{Problem, Problems};
use almanach_store::{SessionFilter, Speaker};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::themes::{SessionRow, session_rows};
use crate::auth::{Posted, StaffSession};
use crate::forms::FormErrors;
use crate::view::{Flash, Page};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/speakers", get(speakers_list))
        .route("/staff/speakers/new", get(speaker_new).post(speaker_create))
        .route("/staff/speakers/{id}", get(speaker_edit).post(speaker_update))
}

/// An e-mail address that can plausibly receive mail: one `@` with text on
/// both sides, a dot inside the domain, no spaces. Deliverability is the
/// mail server's business; this only catches typing slips.
pub(super) fn parse_email(field: &'static str, s: &str) -> Result<String, Problem> {
    let s = s.trim();
    let ok = match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !ok {
        return Err(Problem::field(field, "error.email"));
    }
    if s.chars().count() > 254 {
        return Err(Problem::field(field, "error.too_long").arg("max", "254"));
    }
    Ok(s.to_string())
}

#[derive(Template)]
#[template(path = "speakers_list.html")]
struct ListPage {
    page: Page,
    speakers: Vec<Speaker>,
}

async fn speakers_list(State(state): State<AppState>, s: StaffSession, flash: Flash) -> Result<Html<String>, WebError> {
    let speakers = state.store.list_speakers(s.library_id()).await?;
    let page = Page::new(&s, Tr::new(s.lang).t("speakers.title"), "speakers", &flash);
    Ok(Html(ListPage { page, speakers }.render()?))
}

#[derive(Template)]
#[template(path = "speaker_form.html")]
struct FormPage {
    page: Page,
    id: i64,
    form: SpeakerForm,
    errors: FormErrors,
    /// The sessions this speaker led or will lead (empty for a new one).
    sessions: Vec<SessionRow>,
}

#[derive(Debug, Default, Deserialize)]
struct SpeakerForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    notes: String,
}

impl SpeakerForm {
    fn from_speaker(s: &Speaker) -> SpeakerForm {
        SpeakerForm {
            name: s.name.clone(),
            organisation: s.organisation.clone(),
            email: s.email.clone(),
            phone: s.phone.clone(),
            notes: s.notes.clone(),
        }
    }

    fn parse(&self, id: i64) -> Result<Speaker, Problems> {
        let mut p = Problems::new();
        let name = p.take(parse_name("name", &self.name, 200));
        let organisation = p.take(parse_text("organisation", &self.organisation, 200));
        let email = if self.email.trim().is_empty() { Some(String::new()) } else { p.take(parse_email("email", &self.email)) };
        let phone = p.take(parse_text("phone", &self.phone, 40));
        let notes = p.take(parse_text("notes", &self.notes, 4000));
        p.into_result(|| Speaker {
            id,
            name: name.unwrap(),
            organisation: organisation.unwrap(),
            email: email.unwrap(),
            phone: phone.unwrap(),
            notes: notes.unwrap(),
        })
    }
}

async fn form_page(state: &AppState, s: &StaffSession, id: i64, form: SpeakerForm, errors: FormErrors) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let sessions = if id == 0 {
        Vec::new()
    } else {
        // A scan of the library's sessions: fine at a library's scale; a
        // query by speaker belongs in the store when the statistics need one.
        let all = state.store.list_sessions(s.library_id(), &SessionFilter { include_cancelled: true, ..Default::default() }).await?;
        let led: Vec<_> = all.into_iter().filter(|x| x.speaker_ids.contains(&id)).collect();
        let tz = state.store.library(s.library_id()).await?.tz();
        session_rows(&tr, &tz, &led, false)
    };
    let title = if id == 0 { tr.t("speakers.new") } else { tr.t("speakers.edit") };
    let page = Page::new(s, title, "speakers", &Flash::default());
    Ok(FormPage { page, id, form, errors, sessions }.render()?)
}

async fn speaker_new(State(state): State<AppState>, s: StaffSession) -> Result<Html<String>, WebError> {
    s.require(Action::EditSpeakers)?;
    Ok(Html(form_page(&state, &s, 0, SpeakerForm::default(), FormErrors::default()).await?))
}

async fn speaker_edit(State(state): State<AppState>, s: StaffSession, Path(id): Path<i64>) -> Result<Html<String>, WebError> {
    let speaker = state.store.speaker(s.library_id(), id).await?;
    Ok(Html(form_page(&state, &s, id, SpeakerForm::from_speaker(&speaker), FormErrors::default()).await?))
}

async fn speaker_create(State(state): State<AppState>, p: Posted<SpeakerForm>) -> Result<Response, WebError> {
    save(state, p, 0).await
}

async fn speaker_update(State(state): State<AppState>, Path(id): Path<i64>, p: Posted<SpeakerForm>) -> Result<Response, WebError> {
    save(state, p, id).await
}

async fn save(state: AppState, Posted { session: s, form }: Posted<SpeakerForm>, id: i64) -> Result<Response, WebError> {
    s.require(Action::EditSpeakers)?;
    let speaker = match form.parse(id) {
        Ok(v) => v,
        Err(problems) => {
            let errors = FormErrors::new(&Tr::new(s.lang), &problems);
            let html = form_page(&state, &s, id, form, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    state.store.save_speaker(&s.actor(), &speaker).await?;
    Ok(Redirect::to(if id == 0 { "/staff/speakers?done=created" } else { "/staff/speakers?done=saved" }).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mail_addresses_are_checked_for_typing_slips() {
        for good in ["claire@mediatheque.fr", " c.dupont@ville-exemple.fr ", "a@b.co"] {
            assert!(parse_email("email", good).is_ok(), "{good}");
        }
        for bad in ["claire", "claire@", "@mediatheque.fr", "claire@mediatheque", "cl aire@mediatheque.fr", "a@b@c.fr", "a@.fr", "a@b.", "a@b..", ".@."] {
            assert_eq!(parse_email("email", bad).unwrap_err().key, "error.email", "{bad}");
        }
    }
}
