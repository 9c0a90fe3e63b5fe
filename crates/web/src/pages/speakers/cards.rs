//! A speaker's projects as cards (the board, the table, the speaker's
//! record) and the "new project" form the record shows.

use almanach_domain::fmt;
use almanach_domain::staff::Action;
use almanach_store::Prospect;
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::auth::StaffSession;
use crate::forms::FormErrors;
use crate::view::dates::today;
use crate::view::session::label;
use crate::{AppState, Tr, WebError};

/// A project as a card of the board, a row of the table, or a line of a
/// speaker's record.
pub(crate) struct Card {
    pub id: i64,
    pub speaker_id: i64,
    pub speaker: String,
    pub project: String,
    pub event: String,
    pub event_id: i64,
    pub stage: &'static str,
    pub stage_label: String,
    pub stage_on: String,
    pub next_action: String,
    pub next_on: String,
    pub overdue: bool,
    /// The stages this reader may move it to, with their labels.
    pub moves: Vec<(String, String)>,
}

pub(crate) fn cards(
    tr: &Tr,
    s: &StaffSession,
    tz: &TimeZone,
    prospects: Vec<Prospect>,
) -> Vec<Card> {
    let now = today(tz);
    prospects
        .into_iter()
        .map(|p| Card {
            id: p.id,
            speaker_id: p.speaker_id,
            speaker: p.speaker_name,
            project: p.project,
            event: p.event_title.unwrap_or_default(),
            event_id: p.event_id.unwrap_or_default(),
            stage: p.stage.slug(),
            stage_label: label(tr, "stage", p.stage.slug()),
            stage_on: fmt::day_with_year(p.stage_on, tr.lang),
            next_action: p.next_action,
            next_on: p
                .next_action_on
                .map(|d| fmt::day_near(d, now, tr.lang))
                .unwrap_or_default(),
            overdue: p.next_action_on.is_some_and(|d| d < now),
            moves: if s.may(Action::EditSpeakers) {
                p.stage
                    .next()
                    .iter()
                    .map(|t| (t.slug().to_string(), label(tr, "stage", t.slug())))
                    .collect()
            } else {
                Vec::new()
            },
        })
        .collect()
}

/// Opening a project for a speaker, as typed.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ProspectForm {
    #[serde(default)]
    pub project: String,
    #[serde(default)]
    pub event_id: String,
    #[serde(default)]
    pub next_action: String,
    #[serde(default)]
    pub next_action_on: String,
}

/// The "new project" form on a speaker's record.
pub(crate) struct NewForm {
    pub show: bool,
    pub form: ProspectForm,
    pub errors: FormErrors,
    pub events: Vec<(String, String)>,
}

pub(crate) async fn new_form(
    state: &AppState,
    s: &StaffSession,
    _speaker_id: i64,
    typed: Option<(ProspectForm, FormErrors)>,
) -> Result<NewForm, WebError> {
    let show = s.may(Action::EditSpeakers);
    let (form, errors) = typed.unwrap_or_default();
    let events = if show {
        let tr = Tr::new(s.lang);
        std::iter::once((String::new(), tr.t("prospects.no_event").to_string()))
            .chain(
                state
                    .store
                    .list_events(s.library_id(), None, 200)
                    .await?
                    .into_iter()
                    .map(|e| (e.id.to_string(), e.title)),
            )
            .collect()
    } else {
        Vec::new()
    };
    Ok(NewForm {
        show,
        form,
        errors,
        events,
    })
}
