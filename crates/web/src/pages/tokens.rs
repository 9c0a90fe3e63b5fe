//! API tokens: the library's tokens, creating one (shown once, only its
//! SHA-256 kept), revoking one. A token never carries more than its
//! creator's role, unless an administrator hands it out.

use almanach_domain::programme::parse_name;
use almanach_domain::staff::{Action, Role};
use almanach_domain::{Problem, Problems};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::staff::role_choices;
use crate::auth::{Posted, StaffSession, random_token, sha256_hex};
use crate::forms::FormErrors;
use crate::view::keys::Choices;
use crate::view::{self, Flash, Page, role_key};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/tokens", get(tokens_list).post(token_create))
        .route("/staff/tokens/{id}/revoke", post(token_revoke))
}

/// A token as the list shows it.
struct Row {
    id: i64,
    name: String,
    role: String,
    creator: String,
    created: String,
    last_used: String,
    revoked: String,
    may_revoke: bool,
    revoke_label: String,
}

#[derive(Template)]
#[template(path = "tokens_list.html")]
struct ListPage {
    page: Page,
    rows: Vec<Row>,
    form: TokenForm,
    errors: FormErrors,
    roles: Choices,
    /// The token just created, shown this once.
    new_token: Option<String>,
}

#[derive(Default, Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

impl TokenForm {
    fn parse(&self, creator: Role) -> Result<(String, Role), Problems> {
        let mut p = Problems::new();
        let name = p.take(parse_name("name", &self.name, 120));
        let role = match Role::parse(&self.role) {
            None => p.take(Err(Problem::field("role", "error.role"))),
            Some(r) if !creator.may_grant(r) => {
                p.take(Err(Problem::field("role", "error.role_not_grantable")))
            }
            Some(r) => Some(r),
        };
        p.into_result(|| (name.unwrap(), role.unwrap()))
    }
}

/// Only your own tokens, unless you are an administrator.
fn may_revoke(s: &StaffSession, owner: i64) -> bool {
    s.staff.id == owner || s.role() == Role::Admin
}

async fn render(
    state: &AppState,
    s: &StaffSession,
    flash: &Flash,
    form: TokenForm,
    errors: FormErrors,
    new_token: Option<String>,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let tz = state.store.library(s.library_id()).await?.tz();
    let stamp = |at: Option<i64>| {
        at.map(|at| view::stamp(s.lang, &tz, at))
            .unwrap_or_default()
    };
    let rows = state
        .store
        .list_api_tokens(s.library_id())
        .await?
        .into_iter()
        .map(|t| Row {
            id: t.id,
            role: tr.t(role_key(t.role)).to_string(),
            creator: t.staff_name,
            created: stamp(Some(t.created_at)),
            last_used: stamp(t.last_used_at),
            revoked: stamp(t.revoked_at),
            may_revoke: t.revoked_at.is_none() && may_revoke(s, t.staff_id),
            revoke_label: tr.tf("tokens.revoke_named", &[("name", t.name.clone())]),
            name: t.name,
        })
        .collect();
    let roles = role_choices(
        &tr,
        Role::ALL.into_iter().filter(|r| s.role().may_grant(*r)),
    );
    let page = Page::new(s, tr.t("tokens.title"), "tokens", flash);
    Ok(ListPage {
        page,
        rows,
        form,
        errors,
        roles,
        new_token,
    }
    .render()?)
}

async fn tokens_list(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
) -> Result<Html<String>, WebError> {
    s.require(Action::ManageApiTokens)?;
    let form = TokenForm {
        role: Role::Viewer.slug().into(),
        ..Default::default()
    };
    Ok(Html(
        render(&state, &s, &flash, form, FormErrors::default(), None).await?,
    ))
}

/// Answers with the page itself, the new token in it: a redirect would have
/// to carry the token in a URL, where logs and history keep it.
async fn token_create(
    State(state): State<AppState>,
    Posted { session: s, form }: Posted<TokenForm>,
) -> Result<Response, WebError> {
    s.require(Action::ManageApiTokens)?;
    let (name, role) = match form.parse(s.role()) {
        Ok(v) => v,
        Err(problems) => {
            let errors = FormErrors::new(&Tr::new(s.lang), &problems);
            let html = render(&state, &s, &Flash::default(), form, errors, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    let token = random_token();
    state
        .store
        .create_api_token(&s.actor(), &name, role, &sha256_hex(&token))
        .await?;
    let flash = Flash(Some("flash.created"), "/staff/tokens".into());
    let fresh = TokenForm {
        role: Role::Viewer.slug().into(),
        ..Default::default()
    };
    let html = render(
        &state,
        &s,
        &flash,
        fresh,
        FormErrors::default(),
        Some(token),
    )
    .await?;
    Ok(([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response())
}

/// The revoke button posts nothing but its CSRF token.
#[derive(Deserialize)]
struct NoFields {}

async fn token_revoke(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { session: s, .. }: Posted<NoFields>,
) -> Result<Response, WebError> {
    s.require(Action::ManageApiTokens)?;
    let tokens = state.store.list_api_tokens(s.library_id()).await?;
    let token = tokens
        .iter()
        .find(|t| t.id == id)
        .ok_or(WebError::NotFound)?;
    if !may_revoke(&s, token.staff_id) {
        return Err(WebError::Forbidden);
    }
    // Revoking twice (a double click) is not an error: the token is revoked.
    if token.revoked_at.is_none() {
        state.store.revoke_api_token(&s.actor(), id).await?;
    }
    Ok(Redirect::to("/staff/tokens?done=revoked").into_response())
}
