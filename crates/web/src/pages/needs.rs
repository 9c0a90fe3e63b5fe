//! Technical needs: a session's needs page (add, the rule's verdict, the
//! team's test without IT), a need's page (edit, status with a comment,
//! its thread), the IT board, and the readiness badges the calendar, the
//! event page and the dashboard show.

use almanach_domain::calendar::parse_date;
use almanach_domain::ids::SessionId;
use almanach_domain::logistics::{NeedStatus, Provider, may_set_status, next_step, parse_quantity};
use almanach_domain::programme::parse_text;
use almanach_domain::staff::Action;
use almanach_domain::{Problem, Problems, fmt};
use almanach_store::{
    BoardFilter, Need, NeedComment, NeedType, NeedWrite, Prospect, Refused, StoreError,
};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::auth::{Posted, StaffSession};
use crate::forms::FormErrors;
use crate::view::badge::mark_readiness;
use crate::view::dates::today;
use crate::view::keys::opt_id;
use crate::view::session::Badge;
use crate::view::session::{SessionRow, label};
use crate::view::{Flash, Page, stamp, when};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/it", get(board))
        .route(
            "/staff/sessions/{id}/needs",
            get(session_needs).post(need_add),
        )
        .route(
            "/staff/sessions/{id}/tested-without-it",
            post(tested_without_it),
        )
        .route("/staff/needs/{id}", get(need_page).post(need_update))
        .route("/staff/needs/{id}/status", post(need_status))
        .route("/staff/needs/{id}/comment", post(need_comment))
        .route("/staff/needs/{id}/delete", post(need_delete))
}

// ---------------------------------------------------------------- badges

/// The dashboard's two blocks of this area: sessions whose technical
/// preparation worries (among those it lists), and the speakers to follow
/// up on, for those who book them.
pub(super) struct DashboardBlock {
    pub worrying: Vec<SessionRow>,
    pub follow_ups: Vec<FollowUp>,
    pub show_follow_ups: bool,
}

pub(super) struct FollowUp {
    pub prospect: Prospect,
    pub on: String,
    pub overdue: bool,
}

/// How far ahead the dashboard lists follow-ups.
const FOLLOW_UP_DAYS: i64 = 14;

pub(super) async fn dashboard_block(
    state: &AppState,
    s: &StaffSession,
    tz: &TimeZone,
    from: i64,
    to: i64,
    rows: &mut [SessionRow],
) -> Result<DashboardBlock, WebError> {
    mark_readiness(state, s, tz, from, to, rows).await?;
    let worrying = rows
        .iter()
        .filter(|r| {
            !r.cancelled
                && r.readiness
                    .as_ref()
                    .is_some_and(|b| matches!(b.slug, "at_risk" | "late"))
        })
        .cloned()
        .collect();
    let show_follow_ups = s.may(Action::EditSpeakers);
    let now = today(tz);
    let follow_ups = if show_follow_ups {
        let until = now.checked_add(FOLLOW_UP_DAYS.days()).unwrap_or(now);
        state
            .store
            .follow_ups(s.library_id(), until)
            .await?
            .into_iter()
            .map(|p| {
                let d = p.next_action_on.unwrap_or(now);
                FollowUp {
                    on: fmt::day_near(d, now, s.lang),
                    overdue: d < now,
                    prospect: p,
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(DashboardBlock {
        worrying,
        follow_ups,
        show_follow_ups,
    })
}

// ---------------------------------------------------------------- shared

/// A need as a row of the board and of a session's page.
pub(super) struct NeedRow {
    pub id: i64,
    pub session_id: i64,
    pub session: String,
    pub when: String,
    pub name: String,
    pub details: String,
    pub provider: String,
    pub due: String,
    pub overridden: bool,
    pub badge: Badge,
    pub status: &'static str,
    pub status_label: String,
    pub comments: i64,
    /// The statuses this reader may move it to.
    pub next: Vec<(String, String)>,
    /// The board's one button: the next step's status and its words
    /// ("Marquer prêt"), when this reader may take it now.
    pub step: Option<(&'static str, String)>,
}

fn need_name(n: &Need) -> String {
    if n.quantity > 1 {
        format!("{} × {}", n.type_name, n.quantity)
    } else {
        n.type_name.clone()
    }
}

fn next_statuses(tr: &Tr, s: &StaffSession, from: NeedStatus) -> Vec<(String, String)> {
    if !s.may(Action::TrackNeeds) {
        return Vec::new();
    }
    from.next()
        .iter()
        .filter(|to| may_set_status(s.role(), **to))
        .map(|to| (to.slug().to_string(), label(tr, "need_status", to.slug())))
        .collect()
}

fn board_step(
    tr: &Tr,
    s: &StaffSession,
    tz: &TimeZone,
    now: Date,
    n: &Need,
) -> Option<(&'static str, String)> {
    if !s.may(Action::TrackNeeds) {
        return None;
    }
    let day = jiff::Timestamp::from_second(n.starts_at)
        .ok()?
        .to_zoned(tz.clone())
        .date();
    next_step(n.status, s.role(), day, now).map(|to| (to.slug(), label(tr, "it.step", to.slug())))
}

fn need_row(tr: &Tr, s: &StaffSession, tz: &TimeZone, now: Date, n: &Need) -> NeedRow {
    NeedRow {
        id: n.id,
        session_id: n.session_id.get(),
        session: n.event_title.clone(),
        when: when(tr.lang, tz, n.starts_at, n.ends_at),
        name: need_name(n),
        details: n.details.clone(),
        provider: label(tr, "provider", n.provider.slug()),
        due: fmt::day_near(n.due, now, tr.lang),
        overridden: n.due_override.is_some(),
        badge: Badge::new(tr, n.readiness(now)),
        status: n.status.slug(),
        status_label: label(tr, "need_status", n.status.slug()),
        comments: n.comments,
        next: next_statuses(tr, s, n.status),
        step: board_step(tr, s, tz, now, n),
    }
}

fn provider_options(tr: &Tr, first: Option<&str>) -> Vec<(String, String)> {
    first
        .map(|k| (String::new(), tr.t(k).to_string()))
        .into_iter()
        .chain(
            Provider::ALL
                .iter()
                .map(|p| (p.slug().to_string(), label(tr, "provider", p.slug()))),
        )
        .collect()
}

/// The catalogue as choices: active types, plus `keep` (a retired type a
/// need still uses).
pub(super) fn type_options(types: &[NeedType], keep: Option<i64>) -> Vec<(String, String)> {
    types
        .iter()
        .filter(|t| t.active || Some(t.id) == keep)
        .map(|t| (t.id.to_string(), t.name.clone()))
        .collect()
}

/// A need as typed, every field a string.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct NeedForm {
    #[serde(default)]
    pub need_type_id: String,
    #[serde(default)]
    pub quantity: String,
    #[serde(default)]
    pub details: String,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub due: String,
}

impl NeedForm {
    fn from_need(n: &Need) -> NeedForm {
        NeedForm {
            need_type_id: n.need_type_id.to_string(),
            quantity: n.quantity.to_string(),
            details: n.details.clone(),
            provider: n.provider.slug().into(),
            due: n.due_override.map(|d| d.to_string()).unwrap_or_default(),
        }
    }

    /// An empty provider takes the type's usual one; `keep` is a retired
    /// type the need may keep.
    pub fn parse(&self, types: &[NeedType], keep: Option<i64>) -> Result<NeedWrite, Problems> {
        let mut p = Problems::new();
        let ty = opt_id(&self.need_type_id).and_then(|id| {
            types
                .iter()
                .find(|t| t.id == id && (t.active || Some(id) == keep))
        });
        if ty.is_none() {
            p.push(Problem::field("need_type_id", "error.choose"));
        }
        let quantity = p.take(parse_quantity(&self.quantity));
        let details = p.take(parse_text("details", &self.details, 1000));
        let provider = if self.provider.trim().is_empty() {
            ty.map(|t| t.provider)
        } else {
            Provider::parse(&self.provider)
        };
        if provider.is_none() && ty.is_some() {
            p.push(Problem::field("provider", "error.choose"));
        }
        let due = if self.due.trim().is_empty() {
            Some(None)
        } else {
            p.take(
                parse_date(&self.due)
                    .map(Some)
                    .ok_or_else(|| Problem::field("due", "error.date")),
            )
        };
        p.into_result(|| NeedWrite {
            need_type_id: ty.expect("checked").id,
            quantity: quantity.expect("checked"),
            details: details.expect("checked"),
            provider: provider.expect("checked"),
            due_override: due.expect("checked"),
        })
    }
}

// ---------------------------------------------------------------- a session's needs

#[derive(Template)]
#[template(path = "session_needs.html")]
struct SessionNeedsPage {
    page: Page,
    session_id: i64,
    event_id: i64,
    title: String,
    when: String,
    badge: Option<Badge>,
    /// "IT needs are due by Friday 7 March 2025 (5 IT working days before)."
    it_due: String,
    /// Why IT is away, and by when the team tests without IT; empty when IT is there.
    without_it: String,
    asks_test: bool,
    tested: String,
    needs: Vec<NeedRow>,
    form: NeedForm,
    errors: FormErrors,
    types: Vec<(String, String)>,
    providers: Vec<(String, String)>,
}

async fn session_needs_page(
    state: &AppState,
    s: &StaffSession,
    flash: &Flash,
    id: SessionId,
    form: NeedForm,
    errors: FormErrors,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let lib = s.library_id();
    let store = &state.store;
    let session = store.session(lib, id).await?;
    let tz = store.library(lib).await?.tz();
    let now = today(&tz);
    let prep = store.session_prep(lib, id, now).await?;
    let settings = store.logistics_settings(lib).await?;
    let tested = prep
        .tested_without_it
        .as_ref()
        .map(|(by, at)| {
            tr.tf(
                "needs.tested_by",
                &[("who", by.clone()), ("when", stamp(tr.lang, &tz, *at))],
            )
        })
        .unwrap_or_default();
    let page = Page::new(s, tr.t("needs.title"), "it", flash);
    Ok(SessionNeedsPage {
        page,
        session_id: id.get(),
        event_id: session.event_id.get(),
        title: session.event_title.clone(),
        when: when(tr.lang, &tz, session.starts_at, session.ends_at),
        badge: prep.readiness.map(|r| Badge::new(&tr, r)),
        it_due: tr.tf(
            "needs.it_due",
            &[
                ("date", fmt::day_with_year(prep.deadline.due, tr.lang)),
                ("n", settings.it_lead_days.to_string()),
            ],
        ),
        without_it: if prep.deadline.without_it {
            tr.tf(
                "needs.without_it",
                &[(
                    "date",
                    fmt::day_with_year(prep.deadline.last_it_day, tr.lang),
                )],
            )
        } else {
            String::new()
        },
        asks_test: prep.asks_test_without_it(),
        tested,
        needs: prep
            .needs
            .iter()
            .map(|n| need_row(&tr, s, &tz, now, n))
            .collect(),
        form,
        errors,
        types: type_options(&store.need_types(lib).await?, None),
        providers: provider_options(&tr, Some("needs.provider_usual")),
    }
    .render()?)
}

async fn session_needs(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Path(id): Path<SessionId>,
) -> Result<Html<String>, WebError> {
    Ok(Html(
        session_needs_page(
            &state,
            &s,
            &flash,
            id,
            NeedForm {
                quantity: "1".into(),
                ..Default::default()
            },
            FormErrors::default(),
        )
        .await?,
    ))
}

async fn need_add(
    State(state): State<AppState>,
    Path(id): Path<SessionId>,
    Posted { session: s, form }: Posted<NeedForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let types = state.store.need_types(s.library_id()).await?;
    let problems = match form.parse(&types, None) {
        Ok(w) => match state.store.add_need(&s.actor(), id, &w).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/staff/sessions/{id}/needs?done=created"))
                        .into_response(),
                );
            }
            Err(StoreError::NotFound) => Problems::from(Problem::form("error.unknown_record")),
            Err(e) => return Err(e.into()),
        },
        Err(p) => p,
    };
    let errors = FormErrors::new(&Tr::new(s.lang), &problems);
    let html = session_needs_page(&state, &s, &Flash::default(), id, form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

#[derive(Deserialize)]
struct TestedForm {
    #[serde(default)]
    tested: String,
}

async fn tested_without_it(
    State(state): State<AppState>,
    Path(id): Path<SessionId>,
    p: Posted<TestedForm>,
) -> Result<Response, WebError> {
    p.session.require(Action::EditProgramme)?;
    state
        .store
        .set_tested_without_it(&p.session.actor(), id, p.form.tested == "yes")
        .await?;
    Ok(Redirect::to(&format!("/staff/sessions/{id}/needs?done=saved")).into_response())
}

// ---------------------------------------------------------------- a need

#[derive(Template)]
#[template(path = "need_page.html")]
struct NeedPage {
    page: Page,
    need: NeedRow,
    thread: Vec<(String, String, String, String)>,
    form: NeedForm,
    errors: FormErrors,
    status_error: String,
    types: Vec<(String, String)>,
    providers: Vec<(String, String)>,
    /// The rule's date, shown beside the override.
    rule_hint: String,
    can_track: bool,
}

fn thread_rows(
    tr: &Tr,
    tz: &TimeZone,
    thread: &[NeedComment],
) -> Vec<(String, String, String, String)> {
    thread
        .iter()
        .map(|c| {
            let status = c
                .status
                .map(|s| label(tr, "need_status", s.slug()))
                .unwrap_or_default();
            (
                c.author.clone(),
                stamp(tr.lang, tz, c.at),
                status,
                c.body.clone(),
            )
        })
        .collect()
}

async fn need_page_html(
    state: &AppState,
    s: &StaffSession,
    flash: &Flash,
    id: i64,
    form: Option<NeedForm>,
    errors: FormErrors,
    status_error: String,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let lib = s.library_id();
    let store = &state.store;
    let need = store.need(lib, id).await?;
    let tz = store.library(lib).await?.tz();
    let now = today(&tz);
    let thread = thread_rows(&tr, &tz, &store.need_comments(lib, id).await?);
    let rule = if need.provider == Provider::It {
        store
            .it_context(lib)
            .await?
            .deadline(need.starts_at, need.ends_at)
            .due
    } else {
        jiff::Timestamp::from_second(need.starts_at)
            .unwrap_or_default()
            .to_zoned(tz.clone())
            .date()
    };
    let rule_hint = tr.tf(
        "needs.due_hint",
        &[("date", fmt::day_with_year(rule, tr.lang))],
    );
    let page = Page::new(s, need_name(&need), "it", flash);
    Ok(NeedPage {
        page,
        form: form.unwrap_or_else(|| NeedForm::from_need(&need)),
        errors,
        status_error,
        types: type_options(&store.need_types(lib).await?, Some(need.need_type_id)),
        providers: provider_options(&tr, None),
        rule_hint,
        can_track: s.may(Action::TrackNeeds),
        thread,
        need: need_row(&tr, s, &tz, now, &need),
    }
    .render()?)
}

async fn need_page(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    Ok(Html(
        need_page_html(
            &state,
            &s,
            &flash,
            id,
            None,
            FormErrors::default(),
            String::new(),
        )
        .await?,
    ))
}

async fn need_update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { session: s, form }: Posted<NeedForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    let lib = s.library_id();
    let current = state.store.need(lib, id).await?;
    let types = state.store.need_types(lib).await?;
    match form.parse(&types, Some(current.need_type_id)) {
        Ok(w) => {
            state.store.update_need(&s.actor(), id, &w).await?;
            Ok(Redirect::to(&format!("/staff/needs/{id}?done=saved")).into_response())
        }
        Err(problems) => {
            let errors = FormErrors::new(&Tr::new(s.lang), &problems);
            let html = need_page_html(
                &state,
                &s,
                &Flash::default(),
                id,
                Some(form),
                errors,
                String::new(),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    comment: String,
    /// `board` to go back to the IT board.
    #[serde(default)]
    back: String,
}

async fn need_status(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { session: s, form }: Posted<StatusForm>,
) -> Result<Response, WebError> {
    s.require(Action::TrackNeeds)?;
    let tr = Tr::new(s.lang);
    let invalid = |key: &'static str, current: Option<NeedStatus>| {
        let p = Problem::field("status", key).arg(
            "status",
            current
                .map(|c| label(&tr, "need_status", c.slug()))
                .unwrap_or_default(),
        );
        tr.problem(&p)
    };
    let comment = match parse_text("comment", &form.comment, 2000) {
        Ok(c) => c,
        Err(p) => {
            let html = need_page_html(
                &state,
                &s,
                &Flash::default(),
                id,
                None,
                FormErrors::default(),
                tr.problem(&p),
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    let error = match NeedStatus::parse(&form.status) {
        None => invalid("error.choose", None),
        Some(to) if !may_set_status(s.role(), to) => return Err(WebError::Forbidden),
        Some(to) => match state
            .store
            .set_need_status(&s.actor(), id, to, &comment)
            .await?
        {
            Ok(()) => {
                let to = if form.back == "board" {
                    "/staff/it?done=saved".to_string()
                } else {
                    format!("/staff/needs/{id}?done=saved")
                };
                return Ok(Redirect::to(&to).into_response());
            }
            Err(Refused(current)) => invalid("error.need_status_refused", Some(current)),
        },
    };
    let html = need_page_html(
        &state,
        &s,
        &Flash::default(),
        id,
        None,
        FormErrors::default(),
        error,
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

#[derive(Deserialize)]
struct CommentForm {
    #[serde(default)]
    comment: String,
}

async fn need_comment(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { session: s, form }: Posted<CommentForm>,
) -> Result<Response, WebError> {
    s.require(Action::TrackNeeds)?;
    let tr = Tr::new(s.lang);
    let body = parse_text("comment", &form.comment, 2000).and_then(|c| {
        if c.is_empty() {
            Err(Problem::field("comment", "error.required"))
        } else {
            Ok(c)
        }
    });
    match body {
        Ok(c) => {
            state.store.comment_need(&s.actor(), id, &c).await?;
            Ok(Redirect::to(&format!("/staff/needs/{id}?done=saved")).into_response())
        }
        Err(p) => {
            let mut errors = FormErrors::default();
            errors.add(&tr, &p);
            let html = need_page_html(
                &state,
                &s,
                &Flash::default(),
                id,
                None,
                errors,
                String::new(),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn need_delete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    p: Posted<Empty>,
) -> Result<Response, WebError> {
    p.session.require(Action::EditProgramme)?;
    let need = state.store.need(p.session.library_id(), id).await?;
    state.store.delete_need(&p.session.actor(), id).await?;
    Ok(Redirect::to(&format!(
        "/staff/sessions/{}/needs?done=saved",
        need.session_id
    ))
    .into_response())
}

// ---------------------------------------------------------------- the IT board

#[derive(Debug, Default, Deserialize)]
struct BoardQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    late: String,
}

#[derive(Template)]
#[template(path = "it_board.html")]
struct BoardPage {
    page: Page,
    query: BoardQuery,
    statuses: Vec<(String, String)>,
    providers: Vec<(String, String)>,
    needs: Vec<NeedRow>,
    late: usize,
    at_risk: usize,
}

async fn board(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Query(query): Query<BoardQuery>,
) -> Result<Html<String>, WebError> {
    let tr = Tr::new(s.lang);
    let lib = s.library_id();
    let tz = state.store.library(lib).await?.tz();
    let now = today(&tz);
    let f = BoardFilter {
        status: NeedStatus::parse(&query.status),
        provider: Provider::parse(&query.provider),
        late_only: query.late == "1",
    };
    let needs: Vec<NeedRow> = state
        .store
        .it_board(lib, &f, now)
        .await?
        .iter()
        .map(|n| need_row(&tr, &s, &tz, now, n))
        .collect();
    let count = |slug: &str| needs.iter().filter(|n| n.badge.slug == slug).count();
    let (late, at_risk) = (count("late"), count("at_risk"));
    let statuses = std::iter::once((String::new(), tr.t("it.all_statuses").to_string()))
        .chain(
            NeedStatus::ALL
                .iter()
                .map(|v| (v.slug().to_string(), label(&tr, "need_status", v.slug()))),
        )
        .collect();
    let page = Page::new(&s, tr.t("it.title"), "it", &flash);
    Ok(Html(
        BoardPage {
            page,
            query,
            statuses,
            providers: provider_options(&tr, Some("it.all_providers")),
            needs,
            late,
            at_risk,
        }
        .render()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use almanach_domain::Lang;
    use almanach_domain::logistics::Readiness;

    /// Labels are looked up by a computed key, which the locale test cannot see.
    #[test]
    fn every_status_provider_and_readiness_is_translated() {
        let mut keys: Vec<String> = NeedStatus::ALL
            .iter()
            .map(|v| format!("need_status.{}", v.slug()))
            .collect();
        keys.extend(
            Provider::ALL
                .iter()
                .map(|v| format!("provider.{}", v.slug())),
        );
        keys.extend(
            Readiness::ALL
                .iter()
                .map(|v| format!("readiness.{}", v.slug())),
        );
        // The board's buttons: every status a step can lead to.
        keys.extend(
            [
                NeedStatus::Acknowledged,
                NeedStatus::Ready,
                NeedStatus::Checked,
            ]
            .iter()
            .map(|v| format!("it.step.{}", v.slug())),
        );
        for k in keys {
            assert!(crate::i18n::has_key(&k), "{k} missing");
            assert_ne!(
                Tr::new(Lang::En).t(&k),
                k.as_str(),
                "{k} missing in English"
            );
        }
    }

    fn types() -> Vec<NeedType> {
        vec![
            NeedType {
                id: 1,
                name: "Vidéoprojecteur".into(),
                provider: Provider::It,
                hint: String::new(),
                active: true,
            },
            NeedType {
                id: 2,
                name: "Minitel".into(),
                provider: Provider::Team,
                hint: String::new(),
                active: false,
            },
        ]
    }

    #[test]
    fn a_need_form_takes_the_usual_provider_and_refuses_retired_types() {
        let f = NeedForm {
            need_type_id: "1".into(),
            quantity: "2".into(),
            ..Default::default()
        };
        let w = f.parse(&types(), None).unwrap();
        assert_eq!(
            (w.provider, w.quantity, w.due_override),
            (Provider::It, 2, None)
        );
        let f = NeedForm {
            need_type_id: "2".into(),
            ..Default::default()
        };
        assert_eq!(
            f.parse(&types(), None).unwrap_err().0[0].field,
            Some("need_type_id")
        );
        assert_eq!(
            f.parse(&types(), Some(2)).unwrap().provider,
            Provider::Team,
            "a need keeps its retired type"
        );
        let f = NeedForm {
            need_type_id: "1".into(),
            quantity: "0".into(),
            provider: "moon".into(),
            due: "31/02/2025".into(),
            ..Default::default()
        };
        let e = f.parse(&types(), None).unwrap_err();
        for field in ["quantity", "provider", "due"] {
            assert!(e.for_field(field).next().is_some(), "{field}");
        }
    }
}
