//! Themes (thématiques): the catalogue with its categories and how often
//! each was given, the form, and a theme's history of sessions where replays
//! are marked (derived from the order of sessions, never stored).

use almanach_domain::programme::{THEME_CATEGORIES, parse_categories, parse_name, parse_text};
use almanach_domain::staff::Action;
use almanach_domain::{Problem, Problems, fmt};
use almanach_store::{Session, SessionFilter, StaffMember, StoreError, Theme};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::auth::{Posted, StaffSession};
use crate::forms::FormErrors;
use crate::view::keys::{Choices, kind_key};
use crate::view::keys::{category_key, category_labels};
use crate::view::{self, Flash, Page};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/themes", get(themes_list))
        .route("/staff/themes/new", get(theme_new).post(theme_create))
        .route("/staff/themes/{id}", get(theme_history))
        .route(
            "/staff/themes/{id}/edit",
            get(theme_edit).post(theme_update),
        )
}

/// A session as a table row on a theme's or a speaker's page.
pub(super) struct SessionRow {
    pub when: String,
    pub title: String,
    pub series: String,
    pub kind: String,
    pub room: String,
    pub cancelled: bool,
    pub replay: bool,
}

/// Rows for `sessions` (in time order). With `mark_replays`, every session
/// after the first one actually given is a replay; a cancelled session
/// before it replays nothing.
pub(super) fn session_rows(
    tr: &Tr,
    tz: &TimeZone,
    sessions: &[Session],
    mark_replays: bool,
) -> Vec<SessionRow> {
    let mut given = false;
    // A history spans seasons: the year on every date once one needs it.
    let year = view::year_needed(tz, sessions.iter().map(|s| s.starts_at));
    sessions
        .iter()
        .map(|s| {
            let row = SessionRow {
                when: view::when_styled(tr.lang, tz, s.starts_at, s.ends_at, year),
                title: s.event_title.clone(),
                series: s.series_name.clone().unwrap_or_default(),
                kind: tr.t(kind_key(s.kind)).to_string(),
                room: s.room_name.clone().unwrap_or_default(),
                cancelled: s.is_cancelled(),
                replay: mark_replays && given,
            };
            given |= !s.is_cancelled();
            row
        })
        .collect()
}

// ---------------------------------------------------------------- list

struct Row {
    id: i64,
    title: String,
    categories: String,
    sessions: i64,
    last: String,
}

#[derive(Template)]
#[template(path = "themes_list.html")]
struct ListPage {
    page: Page,
    rows: Vec<Row>,
    /// Every category with its label, for the filter.
    categories: Choices,
    category: String,
}

#[derive(Deserialize)]
struct ListQuery {
    category: Option<String>,
}

async fn themes_list(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, WebError> {
    let tr = Tr::new(s.lang);
    let tz = state.store.library(s.library_id()).await?.tz();
    // An unknown category (a hand-edited link) shows everything rather than nothing.
    let category = q
        .category
        .filter(|c| THEME_CATEGORIES.contains(&c.as_str()))
        .unwrap_or_default();
    let themes: Vec<_> = state
        .store
        .list_themes(s.library_id())
        .await?
        .into_iter()
        .filter(|t| category.is_empty() || t.theme.categories.contains(&category))
        .collect();
    let year = view::year_needed(&tz, themes.iter().filter_map(|t| t.last_at));
    let rows = themes
        .into_iter()
        .map(|t| Row {
            id: t.theme.id,
            title: t.theme.title.clone(),
            categories: category_labels(&tr, &t.theme.categories),
            sessions: t.sessions,
            last: t
                .last_at
                .and_then(|at| Timestamp::from_second(at).ok())
                .map(|at| fmt::day_styled(at.to_zoned(tz.clone()).date(), s.lang, year))
                .unwrap_or_default(),
        })
        .collect();
    let page = Page::new(&s, tr.t("themes.title"), "themes", &flash);
    Ok(Html(
        ListPage {
            page,
            rows,
            categories: category_choices(&tr),
            category,
        }
        .render()?,
    ))
}

fn category_choices(tr: &Tr) -> Choices {
    THEME_CATEGORIES
        .iter()
        .map(|c| (c.to_string(), tr.t(&category_key(c)).to_string()))
        .collect()
}

// ---------------------------------------------------------------- history

#[derive(Template)]
#[template(path = "theme_history.html")]
struct HistoryPage {
    page: Page,
    theme: Theme,
    categories: String,
    leads: String,
    rows: Vec<SessionRow>,
}

async fn theme_history(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let tr = Tr::new(s.lang);
    let theme = state.store.theme(s.library_id(), id).await?;
    let tz = state.store.library(s.library_id()).await?.tz();
    let filter = SessionFilter {
        theme_id: Some(id),
        include_cancelled: true,
        ..Default::default()
    };
    let sessions = state.store.list_sessions(s.library_id(), &filter).await?;
    let staff = state.store.list_staff(s.library_id()).await?;
    let leads = staff
        .iter()
        .filter(|m| theme.lead_ids.contains(&m.id))
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let page = Page::new(&s, theme.title.clone(), "themes", &flash);
    let rows = session_rows(&tr, &tz, &sessions, true);
    Ok(Html(
        HistoryPage {
            page,
            categories: category_labels(&tr, &theme.categories),
            theme,
            leads,
            rows,
        }
        .render()?,
    ))
}

// ---------------------------------------------------------------- form

#[derive(Template)]
#[template(path = "theme_form.html")]
struct FormPage {
    page: Page,
    id: i64,
    form: ThemeForm,
    errors: FormErrors,
    categories: Choices,
    staff: Choices,
}

#[derive(Debug, Default, Deserialize)]
struct ThemeForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    leads: Vec<String>,
    #[serde(default)]
    materials: String,
}

impl ThemeForm {
    fn from_theme(t: &Theme) -> ThemeForm {
        ThemeForm {
            title: t.title.clone(),
            description: t.description.clone(),
            categories: t.categories.clone(),
            leads: t.lead_ids.iter().map(i64::to_string).collect(),
            materials: t.materials.clone(),
        }
    }

    /// `staff` are the people the form offered; a lead outside them was not
    /// offered and is refused.
    fn parse(&self, id: i64, staff: &Choices) -> Result<Theme, Problems> {
        let mut p = Problems::new();
        let title = p.take(parse_name("title", &self.title, 200));
        let description = p.take(parse_text("description", &self.description, 4000));
        let categories = p.take(parse_categories(&self.categories));
        let materials = p.take(parse_text("materials", &self.materials, 4000));
        let leads = self
            .leads
            .iter()
            .map(|l| {
                staff
                    .iter()
                    .find(|(v, _)| v == l)
                    .and_then(|(v, _)| v.parse::<i64>().ok())
            })
            .collect::<Option<Vec<i64>>>()
            .ok_or(Problem::field("leads", "error.unknown_record"));
        let leads = p.take(leads);
        p.into_result(|| Theme {
            id,
            title: title.unwrap(),
            description: description.unwrap(),
            categories: categories.unwrap(),
            materials: materials.unwrap(),
            lead_ids: leads.unwrap(),
        })
    }
}

/// The staff a theme may be given to: the active team, and whoever already
/// leads it (so saving does not silently drop someone since deactivated).
fn lead_choices(staff: &[StaffMember], current: &[i64]) -> Choices {
    staff
        .iter()
        .filter(|m| m.active || current.contains(&m.id))
        .map(|m| (m.id.to_string(), m.name.clone()))
        .collect()
}

fn form_page(
    s: &StaffSession,
    id: i64,
    form: ThemeForm,
    errors: FormErrors,
    staff: Choices,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let title = if id == 0 {
        tr.t("themes.new")
    } else {
        tr.t("themes.edit")
    };
    let page = Page::new(s, title, "themes", &Flash::default());
    Ok(FormPage {
        page,
        id,
        form,
        errors,
        categories: category_choices(&tr),
        staff,
    }
    .render()?)
}

async fn theme_new(
    State(state): State<AppState>,
    s: StaffSession,
) -> Result<Html<String>, WebError> {
    s.require(Action::EditProgramme)?;
    let staff = lead_choices(&state.store.list_staff(s.library_id()).await?, &[]);
    Ok(Html(form_page(
        &s,
        0,
        ThemeForm::default(),
        FormErrors::default(),
        staff,
    )?))
}

async fn theme_edit(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let theme = state.store.theme(s.library_id(), id).await?;
    let staff = lead_choices(
        &state.store.list_staff(s.library_id()).await?,
        &theme.lead_ids,
    );
    Ok(Html(form_page(
        &s,
        id,
        ThemeForm::from_theme(&theme),
        FormErrors::default(),
        staff,
    )?))
}

async fn theme_create(
    State(state): State<AppState>,
    p: Posted<ThemeForm>,
) -> Result<Response, WebError> {
    save(state, p, 0).await
}

async fn theme_update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    p: Posted<ThemeForm>,
) -> Result<Response, WebError> {
    save(state, p, id).await
}

async fn save(
    state: AppState,
    Posted { session: s, form }: Posted<ThemeForm>,
    id: i64,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let tr = Tr::new(s.lang);
    let current = if id == 0 {
        Vec::new()
    } else {
        state.store.theme(s.library_id(), id).await?.lead_ids
    };
    let staff = lead_choices(&state.store.list_staff(s.library_id()).await?, &current);
    let invalid = |form, errors, staff| -> Result<Response, WebError> {
        Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(form_page(&s, id, form, errors, staff)?),
        )
            .into_response())
    };
    let theme = match form.parse(id, &staff) {
        Ok(v) => v,
        Err(problems) => return invalid(form, FormErrors::new(&tr, &problems), staff),
    };
    match state.store.save_theme(&s.actor(), &theme).await {
        Ok(saved) => {
            let done = if id == 0 { "created" } else { "saved" };
            Ok(Redirect::to(&format!("/staff/themes/{saved}?done={done}")).into_response())
        }
        Err(StoreError::Conflict(_)) => invalid(
            form,
            FormErrors::new(&tr, &Problem::field("title", "error.name_taken").into()),
            staff,
        ),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::has_key;

    #[test]
    fn every_category_has_a_label() {
        for c in THEME_CATEGORIES {
            assert!(has_key(&category_key(c)), "{c}");
        }
    }

    #[test]
    fn a_lead_not_offered_is_refused() {
        let staff = vec![("3".to_string(), "Claire".to_string())];
        let f = ThemeForm {
            title: "ChatGPT".into(),
            leads: vec!["3".into()],
            ..Default::default()
        };
        assert_eq!(f.parse(0, &staff).unwrap().lead_ids, vec![3]);
        let f = ThemeForm {
            leads: vec!["4".into()],
            ..f
        };
        assert_eq!(
            f.parse(0, &staff)
                .unwrap_err()
                .for_field("leads")
                .next()
                .unwrap()
                .key,
            "error.unknown_record"
        );
    }
}
