//! The prospecting pipeline: per speaker and project, a board with one
//! column per stage and a table, filtered like the directory; a project's
//! page with its dated steps; forms (no script) to move a card, open a
//! project and set the next action.

use std::collections::HashSet;

use almanach_domain::speakers::{
    RawFilter, Stage, parse_next_action, parse_project, parse_step_date,
};
use almanach_domain::staff::Action;
use almanach_domain::{Problem, Problems, fmt};
use almanach_store::{NewProspect, Refused, StoreError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::cards::{Card, ProspectForm, cards};
use super::record::{FilterChoices, Sight, filtered, record_page, sight};
use crate::auth::{Posted, StaffSession};
use crate::forms::FormErrors;
use crate::view::dates::today;
use crate::view::keys::opt_id;
use crate::view::session::label;
use crate::view::{Flash, Page, stamp};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/speakers/pipeline", get(pipeline))
        .route("/staff/speakers/{id}/prospects", post(prospect_create))
        .route("/staff/prospects/{id}", get(prospect_page))
        .route("/staff/prospects/{id}/move", post(prospect_move))
        .route("/staff/prospects/{id}/next", post(prospect_next))
}

async fn prospect_create(
    State(state): State<AppState>,
    Path(speaker_id): Path<i64>,
    Posted { session: s, form }: Posted<ProspectForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditSpeakers)?;
    let tr = Tr::new(s.lang);
    let tz = state.store.library(s.library_id()).await?.tz();
    let mut p = Problems::new();
    let project = p.take(parse_project(&form.project));
    let next = match parse_next_action(&form.next_action, &form.next_action_on) {
        Ok(v) => v,
        Err(e) => {
            p.0.extend(e.0);
            None
        }
    };
    if p.is_empty() {
        let new = NewProspect {
            speaker_id,
            project: project.expect("checked"),
            event_id: opt_id(&form.event_id),
            on: today(&tz),
            next,
        };
        match state.store.create_prospect(&s.actor(), &new).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/staff/speakers/{speaker_id}?done=created"))
                        .into_response(),
                );
            }
            Err(StoreError::NotFound) => p.push(Problem::field("event_id", "error.unknown_record")),
            Err(e) => return Err(e.into()),
        }
    }
    let errors = FormErrors::new(&tr, &p);
    let html = record_page(
        &state,
        &s,
        &Flash::default(),
        speaker_id,
        String::new(),
        Some((form, errors)),
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

// ---------------------------------------------------------------- board and table

#[derive(Debug, Default, Deserialize)]
struct PipelineQuery {
    #[serde(default)]
    view: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    max_fee: String,
    #[serde(default)]
    booking: String,
    #[serde(default)]
    min_rating: String,
}

#[derive(Template)]
#[template(path = "pipeline.html")]
struct PipelinePage {
    page: Page,
    table: bool,
    /// Every stage, in pipeline order, with its cards.
    columns: Vec<(String, Vec<Card>)>,
    rows: Vec<Card>,
    filter: RawFilter,
    choices: FilterChoices,
    sight: Sight,
    today: String,
    /// The filters as a query string, for the view switch.
    query: String,
    keep_view: &'static str,
}

async fn pipeline(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Query(q): Query<PipelineQuery>,
) -> Result<Html<String>, WebError> {
    s.require(Action::ReadSpeakerPrivate)?;
    let tr = Tr::new(s.lang);
    let lib = s.library_id();
    let tz = state.store.library(lib).await?.tz();
    let sight = sight(&state, &s).await?;
    let filter = RawFilter {
        category: q.category,
        region: q.region,
        max_fee: q.max_fee,
        booking: q.booking,
        min_rating: q.min_rating,
    };
    let keep: HashSet<i64> = filtered(&state, &s, &filter, sight)
        .await?
        .iter()
        .map(|x| x.record.speaker.id)
        .collect();
    let prospects = state
        .store
        .prospects(lib, None)
        .await?
        .into_iter()
        .filter(|p| keep.contains(&p.speaker_id))
        .collect();
    let all = cards(&tr, &s, &tz, prospects);
    let table = q.view == "table";
    let (columns, rows) = if table {
        (Vec::new(), all)
    } else {
        let mut columns: Vec<(String, Vec<Card>)> = Stage::ALL
            .iter()
            .map(|st| (label(&tr, "stage", st.slug()), Vec::new()))
            .collect();
        for c in all {
            let i = Stage::ALL
                .iter()
                .position(|st| st.slug() == c.stage)
                .expect("every stage has a column");
            columns[i].1.push(c);
        }
        (columns, Vec::new())
    };
    let query = serde_urlencoded_pairs(&filter);
    let page = Page::new(&s, tr.t("prospects.title"), "speakers", &flash);
    Ok(Html(
        PipelinePage {
            page,
            table,
            columns,
            rows,
            filter,
            choices: FilterChoices::new(&tr),
            sight,
            today: today(&tz).to_string(),
            query,
            keep_view: if table { "table" } else { "" },
        }
        .render()?,
    ))
}

/// `&category=code&region=local` for the filters set, to keep them across the view switch.
fn serde_urlencoded_pairs(f: &RawFilter) -> String {
    [
        ("category", &f.category),
        ("region", &f.region),
        ("max_fee", &f.max_fee),
        ("booking", &f.booking),
        ("min_rating", &f.min_rating),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .map(|(k, v)| format!("&{k}={}", crate::error::urlencode(v.trim())))
    .collect()
}

// ---------------------------------------------------------------- a project

#[derive(Template)]
#[template(path = "prospect_page.html")]
struct ProspectPage {
    page: Page,
    card: Card,
    steps: Vec<(String, String, String, String)>,
    move_errors: FormErrors,
    next_errors: FormErrors,
    /// What the move form shows: the date and note typed, or today and nothing.
    on: String,
    note: String,
    next_action: String,
    next_action_on: String,
}

/// What was typed in the page's two forms, kept when one is refused.
#[derive(Default)]
struct Typed {
    on_note: Option<(String, String)>,
    next: Option<(String, String)>,
}

async fn prospect_html(
    state: &AppState,
    s: &StaffSession,
    flash: &Flash,
    id: i64,
    move_errors: FormErrors,
    next_errors: FormErrors,
    typed: Typed,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let lib = s.library_id();
    let tz = state.store.library(lib).await?.tz();
    let p = state.store.prospect(lib, id).await?;
    let (next_action, next_action_on) = typed.next.unwrap_or_else(|| {
        (
            p.next_action.clone(),
            p.next_action_on.map(|d| d.to_string()).unwrap_or_default(),
        )
    });
    let (on, note) = typed
        .on_note
        .unwrap_or_else(|| (today(&tz).to_string(), String::new()));
    let steps = state
        .store
        .prospect_steps(lib, id)
        .await?
        .into_iter()
        .map(|st| {
            (
                label(&tr, "stage", st.stage.slug()),
                fmt::day_with_year(st.on, tr.lang),
                st.note,
                format!("{} · {}", st.author, stamp(tr.lang, &tz, st.at)),
            )
        })
        .collect();
    let card = cards(&tr, s, &tz, vec![p])
        .pop()
        .expect("one card for one project");
    let page = Page::new(
        s,
        format!("{} · {}", card.speaker, card.project),
        "speakers",
        flash,
    );
    Ok(ProspectPage {
        page,
        card,
        steps,
        move_errors,
        next_errors,
        on,
        note,
        next_action,
        next_action_on,
    }
    .render()?)
}

async fn prospect_page(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    s.require(Action::ReadSpeakerPrivate)?;
    Ok(Html(
        prospect_html(
            &state,
            &s,
            &flash,
            id,
            FormErrors::default(),
            FormErrors::default(),
            Typed::default(),
        )
        .await?,
    ))
}

#[derive(Deserialize)]
struct MoveForm {
    #[serde(default)]
    stage: String,
    #[serde(default)]
    on: String,
    #[serde(default)]
    note: String,
    /// `board` or `table` to go back to the pipeline.
    #[serde(default)]
    back: String,
}

async fn prospect_move(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { session: s, form }: Posted<MoveForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditSpeakers)?;
    let tr = Tr::new(s.lang);
    let tz = state.store.library(s.library_id()).await?.tz();
    let mut p = Problems::new();
    let to =
        p.take(Stage::parse(&form.stage).ok_or_else(|| Problem::field("stage", "error.choose")));
    let on = p.take(parse_step_date("on", &form.on, today(&tz)));
    let note = p.take(almanach_domain::programme::parse_text(
        "note", &form.note, 1000,
    ));
    if let (Some(to), Some(on), Some(note)) = (to, on, note) {
        match state
            .store
            .move_prospect(&s.actor(), id, to, on, &note)
            .await?
        {
            Ok(()) => {
                let to = match form.back.as_str() {
                    "board" => "/staff/speakers/pipeline?done=saved".to_string(),
                    "table" => "/staff/speakers/pipeline?view=table&done=saved".to_string(),
                    _ => format!("/staff/prospects/{id}?done=saved"),
                };
                return Ok(Redirect::to(&to).into_response());
            }
            Err(Refused(current)) => p.push(
                Problem::field("stage", "error.stage_refused")
                    .arg("stage", label(&tr, "stage", current.slug())),
            ),
        }
    }
    let typed = Typed {
        on_note: Some((form.on, form.note)),
        next: None,
    };
    let html = prospect_html(
        &state,
        &s,
        &Flash::default(),
        id,
        FormErrors::new(&tr, &p),
        FormErrors::default(),
        typed,
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

#[derive(Deserialize)]
struct NextForm {
    #[serde(default)]
    next_action: String,
    #[serde(default)]
    next_action_on: String,
}

async fn prospect_next(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { session: s, form }: Posted<NextForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditSpeakers)?;
    match parse_next_action(&form.next_action, &form.next_action_on) {
        Ok(next) => {
            state.store.set_next_action(&s.actor(), id, next).await?;
            Ok(Redirect::to(&format!("/staff/prospects/{id}?done=saved")).into_response())
        }
        Err(p) => {
            let errors = FormErrors::new(&Tr::new(s.lang), &p);
            let typed = Typed {
                on_note: None,
                next: Some((form.next_action, form.next_action_on)),
            };
            let html = prospect_html(
                &state,
                &s,
                &Flash::default(),
                id,
                FormErrors::default(),
                errors,
                typed,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}
