//! « Mot de passe oublié ? »: a staff member asks for a link by e-mail
//! (through the outbox), then chooses a new password with it. The answer
//! to a request never says whether the address has an account; the link is
//! signed with the installation's key, expires, and works once (it is bound
//! to the password it replaces, see `domain::link`); using it signs the
//! person out everywhere and lifts the lock on the account.

use almanach_domain::link::{reset_token_parts, same_token};
use almanach_domain::{Problem, Problems};
use almanach_store::{StaffMember, now};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use super::sign_in::{pre_csrf, pre_csrf_ok};
use super::staff::{PASSWORD_MAX, PASSWORD_MIN};
use crate::auth::{hash_password_blocking, lang_of};
use crate::forms::FormErrors;
use crate::limits::ClientIp;
use crate::view::keys::parse_email;
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/staff/password-reset",
            get(request_form).post(request_save),
        )
        .route(
            "/staff/password-reset/{token}",
            get(choose_form).post(choose_save),
        )
}

#[derive(Template)]
#[template(path = "password_reset.html")]
struct ResetPage {
    tr: Tr,
    title: String,
    /// `ask`, `sent`, `choose` or `invalid`.
    mode: &'static str,
    csrf: String,
    email: String,
    errors: FormErrors,
    notice: String,
    action: String,
}

impl ResetPage {
    fn new(tr: Tr, mode: &'static str) -> ResetPage {
        let title = match mode {
            "choose" => tr.t("reset.new_title"),
            _ => tr.t("reset.title"),
        };
        ResetPage {
            tr,
            title: title.to_string(),
            mode,
            csrf: String::new(),
            email: String::new(),
            errors: FormErrors::default(),
            notice: String::new(),
            action: String::new(),
        }
    }
}

/// The page with its form's CSRF cookie; never cached, never sending the
/// link (in the address) to another site as a referrer.
fn respond(
    state: &AppState,
    headers: &HeaderMap,
    mut page: ResetPage,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (csrf, set) = pre_csrf(state, headers);
    page.csrf = csrf;
    let mut res = (status, [(header::SET_COOKIE, set)], Html(page.render()?)).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(res)
}

async fn request_form(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let tr = Tr::new(lang_of(&headers));
    respond(&state, &headers, ResetPage::new(tr, "ask"), StatusCode::OK)
}

#[derive(Deserialize)]
struct RequestForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf: String,
}

async fn request_save(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: ClientIp,
    axum::Form(f): axum::Form<RequestForm>,
) -> Result<Response, WebError> {
    if !pre_csrf_ok(&state, &headers, &f.csrf) {
        return Err(WebError::Csrf);
    }
    let tr = Tr::new(lang_of(&headers));
    let email = match parse_email("email", &f.email) {
        Ok(e) => e.to_lowercase(),
        Err(p) => {
            let mut page = ResetPage::new(tr, "ask");
            page.errors.add(&tr, &p);
            page.email = f.email;
            return respond(&state, &headers, page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    // So nobody fills a colleague's mailbox: a few requests an hour per
    // address asked for and per client, whether or not an account exists.
    let limited = state
        .limits
        .reset
        .hit(&format!("email:{email}"))
        .and(state.limits.reset.hit(&format!("ip:{}", client.0)));
    if let Err(wait) = limited {
        let mut page = ResetPage::new(tr, "ask");
        page.email = f.email;
        page.errors.general.push(tr.tf(
            "reset.throttled",
            &[("minutes", wait.div_ceil(60).to_string())],
        ));
        return respond(&state, &headers, page, StatusCode::TOO_MANY_REQUESTS);
    }
    let expires_at = now() + state.config.password_reset_secs;
    let sent = state
        .store
        .request_password_reset(&email, tr.lang, expires_at)
        .await?;
    tracing::info!(%email, client = %client.0, sent, "password reset requested");
    let mut page = ResetPage::new(tr, "sent");
    page.notice = tr.tf(
        "reset.sent",
        &[(
            "minutes",
            (state.config.password_reset_secs / 60).to_string(),
        )],
    );
    respond(&state, &headers, page, StatusCode::OK)
}

/// The account a token opens, if it is genuine, unexpired and unused.
async fn holder(state: &AppState, token: &str) -> Result<Option<StaffMember>, WebError> {
    let Some((id, expires_at)) = reset_token_parts(token) else {
        return Ok(None);
    };
    if expires_at <= now() {
        return Ok(None);
    }
    let Some(staff) = state.store.staff_member(id).await? else {
        return Ok(None);
    };
    let expected = state
        .config
        .link_key
        .reset_token(id, expires_at, &staff.password_hash);
    Ok((staff.active && same_token(token, &expected)).then_some(staff))
}

fn invalid(state: &AppState, headers: &HeaderMap, tr: Tr) -> Result<Response, WebError> {
    let mut page = ResetPage::new(tr, "invalid");
    page.notice = tr.t("reset.invalid").to_string();
    respond(state, headers, page, StatusCode::GONE)
}

fn choose_page(tr: Tr, staff: &StaffMember, token: &str) -> ResetPage {
    let mut page = ResetPage::new(tr, "choose");
    page.notice = tr.tf("reset.new_intro", &[("email", staff.email.clone())]);
    page.email = staff.email.clone();
    page.action = format!("/staff/password-reset/{token}");
    page
}

async fn choose_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let tr = Tr::new(lang_of(&headers));
    match holder(&state, &token).await? {
        Some(staff) => respond(
            &state,
            &headers,
            choose_page(tr, &staff, &token),
            StatusCode::OK,
        ),
        None => invalid(&state, &headers, tr),
    }
}

#[derive(Deserialize)]
struct ChooseForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    csrf: String,
}

/// The new password, or every problem with it.
fn parse_new_password(f: &ChooseForm) -> Result<String, Problems> {
    let mut p = Problems::new();
    match f.password.chars().count() {
        n if n < PASSWORD_MIN => p.push(Problem::field("password", "error.password_short")),
        n if n > PASSWORD_MAX => p.push(
            Problem::field("password", "error.too_long").arg("max", PASSWORD_MAX.to_string()),
        ),
        _ if f.confirm != f.password => {
            p.push(Problem::field("confirm", "error.password_mismatch"))
        }
        _ => {}
    }
    p.into_result(|| f.password.clone())
}

async fn choose_save(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    axum::Form(f): axum::Form<ChooseForm>,
) -> Result<Response, WebError> {
    if !pre_csrf_ok(&state, &headers, &f.csrf) {
        return Err(WebError::Csrf);
    }
    let tr = Tr::new(lang_of(&headers));
    let Some(staff) = holder(&state, &token).await? else {
        return invalid(&state, &headers, tr);
    };
    let password = match parse_new_password(&f) {
        Ok(p) => p,
        Err(problems) => {
            let mut page = choose_page(tr, &staff, &token);
            page.errors = FormErrors::new(&tr, &problems);
            return respond(&state, &headers, page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let hash = hash_password_blocking(password).await?;
    // Only if the password is still the one the link was made for: of two
    // uses of one link (two tabs, a replay), one wins.
    if !state
        .store
        .reset_password(staff.id, &staff.password_hash, &hash)
        .await?
    {
        return invalid(&state, &headers, tr);
    }
    tracing::info!(staff = staff.id, "password reset through an e-mailed link");
    Ok(Redirect::to("/staff/sign-in?reset=1").into_response())
}
