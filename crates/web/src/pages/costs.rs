//! Tools and subscriptions, a session's cost lines and the budgets per
//! series and season. Costs are shown only to who may see them: admins and
//! coordinators, mediators on their own sessions when the library allows it,
//! the direction (viewers) on budgets; never communication or IT.

use almanach_domain::calendar::parse_date;
use almanach_domain::costs::{Billing, CostKind, parse_amount};
use almanach_domain::ids::SessionId;
use almanach_domain::programme::{parse_capacity, parse_line, parse_name, parse_text, season_of};
use almanach_domain::staff::{Action, Role};
use almanach_domain::{Lang, Problem, Problems, fmt};
use almanach_store::{Budget, CostLine, Session, ThemeSummary, Tool, season_dates};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::auth::{Posted, StaffSession};
use crate::forms::FormErrors;
use crate::view::dates::today;
use crate::view::keys::opt_id;
use crate::view::{Flash, Page, when};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/tools", get(tools_list))
        .route("/staff/tools/new", get(tool_new).post(tool_create))
        .route("/staff/tools/{id}", get(tool_edit).post(tool_update))
        .route("/staff/sessions/{id}/costs", get(costs_page).post(line_add))
        .route(
            "/staff/sessions/{id}/costs/{line}/delete",
            post(line_delete),
        )
        .route("/staff/sessions/{id}/tools", post(tools_save))
        .route("/staff/budgets", get(budgets_page).post(budget_save))
}

/// "1 234,50 €" / "€1,234.50": zero shown as an amount, not "free".
pub(crate) fn amount(lang: Lang, cents: i64) -> String {
    almanach_domain::fmt::cents(cents, lang)
}

/// Whether this reader sees costs at all (mediators: see `may_see_session`).
async fn sees_costs(state: &AppState, s: &StaffSession) -> Result<bool, WebError> {
    let allowed = state
        .store
        .logistics_settings(s.library_id())
        .await?
        .mediators_see_costs;
    Ok(s.role().sees_costs(allowed))
}

// ------------------------------------------------------------------ tools

struct ToolRow {
    tool: Tool,
    owner: String,
    price: String,
    /// "vendredi 25 décembre 2026"; empty without a date.
    renewal: String,
}

#[derive(Template)]
#[template(path = "tools_list.html")]
struct ToolsPage {
    page: Page,
    tools: Vec<ToolRow>,
    costs: bool,
}

async fn tools_list(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
) -> Result<Html<String>, WebError> {
    let tr = Tr::new(s.lang);
    let staff = state.store.list_staff(s.library_id()).await?;
    let tz = state.store.library(s.library_id()).await?.tz();
    let today = crate::view::today_in(&tz);
    let tools = state.store.tools(s.library_id()).await?;
    let renewals: Vec<Option<jiff::civil::Date>> = tools
        .iter()
        .map(|t| t.renewal_on.as_deref().and_then(|d| d.parse().ok()))
        .collect();
    let year = fmt::needs_year(renewals.iter().flatten().copied(), today);
    let tools = tools
        .into_iter()
        .zip(renewals)
        .map(|(tool, renewal)| ToolRow {
            renewal: renewal
                .map(|d| fmt::day_styled(d, s.lang, year))
                .unwrap_or_default(),
            owner: staff
                .iter()
                .find(|m| Some(m.id) == tool.owner_id)
                .map(|m| m.name.clone())
                .unwrap_or_default(),
            price: format!(
                "{} / {}",
                amount(s.lang, tool.cost_cents),
                tr.t(billing_key(tool.billing))
            ),
            tool,
        })
        .collect();
    let costs = sees_costs(&state, &s).await?;
    let page = Page::new(&s, tr.t("tools.title"), "tools", &flash);
    Ok(Html(ToolsPage { page, tools, costs }.render()?))
}

fn billing_key(b: Billing) -> &'static str {
    match b {
        Billing::Monthly => "tools.per_month",
        Billing::Yearly => "tools.per_year",
    }
}

#[derive(Template)]
#[template(path = "tool_form.html")]
struct ToolFormPage {
    page: Page,
    id: i64,
    form: ToolForm,
    errors: FormErrors,
    owners: Vec<(String, String)>,
    billings: Vec<(String, String)>,
    themes: Vec<ThemeSummary>,
}

#[derive(Debug, Default, Deserialize)]
struct ToolForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    cost: String,
    #[serde(default)]
    billing: String,
    #[serde(default)]
    seats: String,
    #[serde(default)]
    renewal_on: String,
    #[serde(default)]
    owner_id: String,
    #[serde(default)]
    theme_ids: Vec<String>,
    #[serde(default)]
    notes: String,
}

impl ToolForm {
    fn from_tool(t: &Tool) -> ToolForm {
        ToolForm {
            name: t.name.clone(),
            provider: t.provider.clone(),
            plan: t.plan.clone(),
            cost: format!("{},{:02}", t.cost_cents / 100, t.cost_cents % 100),
            billing: t.billing.slug().into(),
            seats: t.seats.map(|n| n.to_string()).unwrap_or_default(),
            renewal_on: t.renewal_on.clone().unwrap_or_default(),
            owner_id: t.owner_id.map(|n| n.to_string()).unwrap_or_default(),
            theme_ids: t.theme_ids.iter().map(i64::to_string).collect(),
            notes: t.notes.clone(),
        }
    }

    fn has_theme(&self, id: &i64) -> bool {
        self.theme_ids.iter().any(|t| t == &id.to_string())
    }

    /// The tool without its sessions (the caller keeps them).
    fn parse(&self, id: i64) -> Result<Tool, Problems> {
        let mut p = Problems::new();
        let name = p.take(parse_name("name", &self.name, 120));
        let provider = p.take(parse_line("provider", &self.provider, 120));
        let plan = p.take(parse_line("plan", &self.plan, 120));
        let cost = p.take(parse_amount("cost", &self.cost));
        let billing = p.take(
            Billing::parse(&self.billing).ok_or_else(|| Problem::field("billing", "error.choose")),
        );
        let seats = p.take(parse_capacity("seats", &self.seats));
        let renewal = p.take(if self.renewal_on.trim().is_empty() {
            Ok(None)
        } else {
            parse_date(&self.renewal_on)
                .map(|d| Some(d.to_string()))
                .ok_or_else(|| Problem::field("renewal_on", "error.date"))
        });
        let notes = p.take(parse_text("notes", &self.notes, 2000));
        p.into_result(|| Tool {
            id,
            name: name.unwrap(),
            provider: provider.unwrap(),
            plan: plan.unwrap(),
            cost_cents: cost.unwrap(),
            billing: billing.unwrap(),
            seats: seats.unwrap().map(i64::from),
            renewal_on: renewal.unwrap(),
            owner_id: opt_id(&self.owner_id),
            notes: notes.unwrap(),
            theme_ids: self.theme_ids.iter().filter_map(|t| opt_id(t)).collect(),
            session_ids: vec![],
        })
    }
}

async fn tool_form(
    state: &AppState,
    s: &StaffSession,
    id: i64,
    form: ToolForm,
    errors: FormErrors,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let page = Page::new(
        s,
        if id == 0 {
            tr.t("tools.new")
        } else {
            tr.t("tools.edit")
        },
        "tools",
        &Flash::default(),
    );
    let staff = state.store.list_staff(s.library_id()).await?;
    let owners = std::iter::once((String::new(), "–".to_string()))
        .chain(
            staff
                .into_iter()
                .filter(|m| m.active)
                .map(|m| (m.id.to_string(), m.name)),
        )
        .collect();
    let billings = [Billing::Monthly, Billing::Yearly]
        .iter()
        .map(|b| (b.slug().to_string(), tr.t(billing_key(*b)).to_string()))
        .collect();
    let themes = state.store.list_themes(s.library_id()).await?;
    Ok(ToolFormPage {
        page,
        id,
        form,
        errors,
        owners,
        billings,
        themes,
    }
    .render()?)
}

async fn tool_new(
    State(state): State<AppState>,
    s: StaffSession,
) -> Result<Html<String>, WebError> {
    s.require(Action::EditSetup)?;
    let form = ToolForm {
        billing: "monthly".into(),
        ..Default::default()
    };
    Ok(Html(
        tool_form(&state, &s, 0, form, FormErrors::default()).await?,
    ))
}

async fn tool_edit(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    s.require(Action::EditSetup)?;
    let tool = state.store.tool(s.library_id(), id).await?;
    Ok(Html(
        tool_form(
            &state,
            &s,
            id,
            ToolForm::from_tool(&tool),
            FormErrors::default(),
        )
        .await?,
    ))
}

async fn tool_create(
    State(state): State<AppState>,
    p: Posted<ToolForm>,
) -> Result<Response, WebError> {
    tool_save(state, p, 0).await
}

async fn tool_update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    p: Posted<ToolForm>,
) -> Result<Response, WebError> {
    tool_save(state, p, id).await
}

async fn tool_save(
    state: AppState,
    Posted { session: s, form }: Posted<ToolForm>,
    id: i64,
) -> Result<Response, WebError> {
    s.require(Action::EditSetup)?;
    let sessions = if id == 0 {
        vec![]
    } else {
        state.store.tool(s.library_id(), id).await?.session_ids
    };
    match form.parse(id) {
        Ok(tool) => {
            state
                .store
                .save_tool(
                    &s.actor(),
                    &Tool {
                        session_ids: sessions,
                        ..tool
                    },
                )
                .await?;
            Ok(Redirect::to(if id == 0 {
                "/staff/tools?done=created"
            } else {
                "/staff/tools?done=saved"
            })
            .into_response())
        }
        Err(problems) => {
            let errors = FormErrors::new(&Tr::new(s.lang), &problems);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(tool_form(&state, &s, id, form, errors).await?),
            )
                .into_response())
        }
    }
}

/// Days before a renewal that the coordinator's dashboard warns.
const RENEWAL_NOTICE_DAYS: i64 = 30;

/// Tools renewing within 30 days of `today`, for those who manage them.
pub(super) async fn renewals(
    state: &AppState,
    s: &StaffSession,
    today: jiff::civil::Date,
) -> Result<Vec<(i64, String, String)>, WebError> {
    if !s.may(Action::EditSetup) {
        return Ok(Vec::new());
    }
    let until = crate::view::dates::add_days(today, RENEWAL_NOTICE_DAYS);
    let due = state
        .store
        .renewals_due(s.library_id(), &today.to_string(), &until.to_string())
        .await?;
    Ok(due
        .into_iter()
        .map(|t| {
            let on = t
                .renewal_on
                .as_deref()
                .and_then(|d| d.parse().ok())
                .map(|d| fmt::day_near(d, today, s.lang))
                .unwrap_or_default();
            (t.id, t.name, on)
        })
        .collect())
}

// ------------------------------------------------------- a session's costs

struct LineRow {
    line: CostLine,
    kind: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "session_costs.html")]
struct CostsPage {
    page: Page,
    session: Session,
    when: String,
    lines: Vec<LineRow>,
    /// The imported or typed total of the attendance page.
    legacy: String,
    tools_share: String,
    total: String,
    form: LineForm,
    errors: FormErrors,
    kinds: Vec<(String, String)>,
    /// The library's tools: (id, name, ticked for this session).
    tools: Vec<(i64, String, bool)>,
    edit: bool,
}

#[derive(Debug, Default, Deserialize)]
struct LineForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    note: String,
}

impl LineForm {
    fn parse(&self, session_id: SessionId) -> Result<CostLine, Problems> {
        let mut p = Problems::new();
        let kind = p.take(
            CostKind::parse(&self.kind).ok_or_else(|| Problem::field("kind", "error.choose")),
        );
        let cents = p.take(parse_amount("amount", &self.amount));
        let note = p.take(parse_line("note", &self.note, 500));
        p.into_result(|| CostLine {
            id: 0,
            session_id,
            kind: kind.unwrap(),
            cents: cents.unwrap(),
            note: note.unwrap(),
        })
    }
}

/// The session, if this reader may see its costs: mediators only on the
/// sessions they lead, and only when the library allows it.
async fn readable(state: &AppState, s: &StaffSession, id: SessionId) -> Result<Session, WebError> {
    let session = state.store.session(s.library_id(), id).await?;
    let own = s.role() != Role::Mediator || session.lead_ids.contains(&s.staff.id);
    if !(sees_costs(state, s).await? && own) {
        return Err(WebError::Forbidden);
    }
    Ok(session)
}

async fn costs_render(
    state: &AppState,
    s: &StaffSession,
    session: Session,
    form: LineForm,
    errors: FormErrors,
    flash: &Flash,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let tz = state.store.library(s.library_id()).await?.tz();
    let lines = state.store.cost_lines(session.id).await?;
    let day = &session.local_date;
    let total = state
        .store
        .session_costs(Some(s.library_id()), day, day)
        .await?
        .get(&session.id.get())
        .copied()
        .unwrap_or(0);
    let legacy = state
        .store
        .attendance(s.library_id(), session.id)
        .await?
        .cost_cents;
    let lines_sum: i64 = lines.iter().map(|l| l.cents).sum();
    let rows = lines
        .into_iter()
        .map(|line| LineRow {
            kind: tr.t(kind_key(line.kind)).to_string(),
            amount: amount(s.lang, line.cents),
            line,
        })
        .collect();
    let ticked = state.store.session_tools(session.id).await?;
    let tools = state
        .store
        .tools(s.library_id())
        .await?
        .into_iter()
        .map(|t| (t.id, t.name, ticked.contains(&t.id)))
        .collect();
    let kinds = CostKind::ALL
        .iter()
        .map(|k| (k.slug().to_string(), tr.t(kind_key(*k)).to_string()))
        .collect();
    let page = Page::new(
        s,
        tr.tf("costs.title", &[("event", session.event_title.clone())]),
        "sessions",
        flash,
    );
    Ok(CostsPage {
        when: when(s.lang, &tz, session.starts_at, session.ends_at),
        page,
        session,
        lines: rows,
        legacy: amount(s.lang, legacy),
        tools_share: amount(s.lang, total - legacy - lines_sum),
        total: amount(s.lang, total),
        form,
        errors,
        kinds,
        tools,
        edit: s.may(Action::EditSetup),
    }
    .render()?)
}

fn kind_key(k: CostKind) -> &'static str {
    match k {
        CostKind::Fee => "costs.kind.fee",
        CostKind::Travel => "costs.kind.travel",
        CostKind::Materials => "costs.kind.materials",
        CostKind::Printing => "costs.kind.printing",
        CostKind::Rental => "costs.kind.rental",
        CostKind::Other => "costs.kind.other",
    }
}

async fn costs_page(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<SessionId>,
    flash: Flash,
) -> Result<Html<String>, WebError> {
    let session = readable(&state, &s, id).await?;
    Ok(Html(
        costs_render(
            &state,
            &s,
            session,
            LineForm::default(),
            FormErrors::default(),
            &flash,
        )
        .await?,
    ))
}

async fn line_add(
    State(state): State<AppState>,
    Path(id): Path<SessionId>,
    Posted { session: s, form }: Posted<LineForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditSetup)?;
    let session = readable(&state, &s, id).await?;
    match form.parse(id) {
        Ok(line) => {
            state.store.add_cost_line(&s.actor(), &line).await?;
            Ok(Redirect::to(&format!("/staff/sessions/{id}/costs?done=saved")).into_response())
        }
        Err(problems) => {
            let errors = FormErrors::new(&Tr::new(s.lang), &problems);
            let html = costs_render(&state, &s, session, form, errors, &Flash::default()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct Empty {}

async fn line_delete(
    State(state): State<AppState>,
    Path((id, line)): Path<(i64, i64)>,
    Posted { session: s, .. }: Posted<Empty>,
) -> Result<Response, WebError> {
    s.require(Action::EditSetup)?;
    state
        .store
        .delete_cost_line(&s.actor(), SessionId(id), line)
        .await?;
    Ok(Redirect::to(&format!("/staff/sessions/{id}/costs?done=saved")).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct ToolsForm {
    #[serde(default)]
    tool_ids: Vec<String>,
}

async fn tools_save(
    State(state): State<AppState>,
    Path(id): Path<SessionId>,
    Posted { session: s, form }: Posted<ToolsForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditSetup)?;
    let ids: Vec<i64> = form.tool_ids.iter().filter_map(|t| opt_id(t)).collect();
    state.store.set_session_tools(&s.actor(), id, &ids).await?;
    Ok(Redirect::to(&format!("/staff/sessions/{id}/costs?done=saved")).into_response())
}

// ---------------------------------------------------------------- budgets

struct BudgetRow {
    budget: Budget,
    planned: String,
    spent: String,
    left: String,
    over: bool,
    /// What the form field shows (typed text after an error).
    value: String,
    error: String,
}

#[derive(Template)]
#[template(path = "budgets.html")]
struct BudgetsPage {
    page: Page,
    season: String,
    rows: Vec<BudgetRow>,
    edit: bool,
}

#[derive(Debug, Default, Deserialize)]
struct SeasonQuery {
    #[serde(default)]
    season: String,
}

#[derive(Debug, Default, Deserialize)]
struct BudgetForm {
    #[serde(default)]
    season: String,
    #[serde(default)]
    series_id: String,
    #[serde(default)]
    planned: String,
}

async fn budgets_render(
    state: &AppState,
    s: &StaffSession,
    season: &str,
    typed: Option<(i64, &str, String)>,
    flash: &Flash,
) -> Result<String, WebError> {
    s.require(Action::ReadCosts)?;
    let tr = Tr::new(s.lang);
    let rows = state
        .store
        .budgets(s.library_id(), season)
        .await?
        .into_iter()
        .map(|b| {
            let left = b.planned_cents.map(|p| p - b.spent_cents);
            let mine = typed.as_ref().filter(|(id, _, _)| *id == b.series_id);
            BudgetRow {
                planned: b
                    .planned_cents
                    .map(|c| amount(s.lang, c))
                    .unwrap_or_else(|| "–".into()),
                spent: amount(s.lang, b.spent_cents),
                left: left
                    .map(|c| amount(s.lang, c))
                    .unwrap_or_else(|| "–".into()),
                over: left.is_some_and(|l| l < 0),
                value: mine.map(|(_, v, _)| v.to_string()).unwrap_or_else(|| {
                    b.planned_cents
                        .map(|c| format!("{},{:02}", c / 100, c % 100))
                        .unwrap_or_default()
                }),
                error: mine.map(|(_, _, e)| e.clone()).unwrap_or_default(),
                budget: b,
            }
        })
        .collect();
    let page = Page::new(
        s,
        tr.tf("budgets.title", &[("season", season.to_string())]),
        "budgets",
        flash,
    );
    Ok(BudgetsPage {
        page,
        season: season.to_string(),
        rows,
        edit: s.may(Action::EditSetup),
    }
    .render()?)
}

async fn budgets_page(
    State(state): State<AppState>,
    s: StaffSession,
    Query(q): Query<SeasonQuery>,
    flash: Flash,
) -> Result<Html<String>, WebError> {
    let season = if season_dates(&q.season).is_some() {
        q.season
    } else {
        season_of(today(&state.store.library(s.library_id()).await?.tz())).1
    };
    Ok(Html(
        budgets_render(&state, &s, &season, None, &flash).await?,
    ))
}

async fn budget_save(
    State(state): State<AppState>,
    Posted { session: s, form }: Posted<BudgetForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditSetup)?;
    if season_dates(&form.season).is_none() {
        return Err(WebError::BadRequest("season".into()));
    }
    let series_id = opt_id(&form.series_id).ok_or(WebError::NotFound)?;
    match parse_amount("planned", &form.planned) {
        Ok(cents) => {
            state
                .store
                .set_budget(&s.actor(), series_id, &form.season, cents)
                .await?;
            Ok(
                Redirect::to(&format!("/staff/budgets?season={}&done=saved", form.season))
                    .into_response(),
            )
        }
        Err(p) => {
            let error = Tr::new(s.lang).t(p.key).to_string();
            let html = budgets_render(
                &state,
                &s,
                &form.season,
                Some((series_id, &form.planned, error)),
                &Flash::default(),
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_money_in_both_languages() {
        assert_eq!(amount(Lang::Fr, 123_456), "1\u{202f}234,56\u{a0}€");
        assert_eq!(amount(Lang::En, 123_456), "€1,234.56");
        assert_eq!(amount(Lang::Fr, 0), "0,00\u{a0}€");
        assert_eq!(amount(Lang::Fr, -1250), "−12,50\u{a0}€");
        assert_eq!(amount(Lang::En, -5), "-€0.05");
    }

    #[test]
    fn a_tool_form_parses_or_says_where_it_is_wrong() {
        let f = ToolForm {
            name: "ChatGPT".into(),
            cost: "20".into(),
            billing: "monthly".into(),
            renewal_on: "2025-03-15".into(),
            theme_ids: vec!["3".into()],
            ..Default::default()
        };
        let t = f.parse(0).unwrap();
        assert_eq!(
            (t.cost_cents, t.renewal_on.as_deref(), t.theme_ids),
            (2000, Some("2025-03-15"), vec![3])
        );
        let bad = ToolForm {
            cost: "vingt".into(),
            billing: "weekly".into(),
            renewal_on: "demain?".into(),
            ..Default::default()
        };
        let fields: Vec<_> = bad
            .parse(0)
            .unwrap_err()
            .0
            .iter()
            .filter_map(|p| p.field)
            .collect();
        for f in ["name", "cost", "billing", "renewal_on"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }
}
