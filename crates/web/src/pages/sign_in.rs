//! Signing in and out, and switching the interface language.

use std::sync::LazyLock;

use almanach_store::{login_account_key, login_address_key, now};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::auth::{
    LANG_COOKIE, PRE_CSRF_COOKIE, Posted, SESSION_COOKIE, cookie, hash_password, host_cookie,
    lang_of, random_token, same_secret, set_cookie, sha256_hex, verify_password,
};
use crate::limits::ClientIp;
use crate::target::local_target;
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/sign-in", get(sign_in_form).post(sign_in_save))
        .route("/staff/sign-out", post(sign_out))
        .route("/lang/{code}", get(switch_lang))
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    tr: Tr,
    csrf: String,
    next: String,
    email: String,
    error: String,
    /// What is wrong with the e-mail as typed, shown next to it.
    email_error: String,
    notice: String,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
    /// After a new password was chosen through a reset link.
    reset: Option<String>,
}

/// Where to go after signing in: a path of this site, else the dashboard.
fn safe_next(next: Option<&str>) -> String {
    next.and_then(local_target)
        .unwrap_or_else(|| "/staff".into())
}

/// The CSRF token of a form shown before sign-in (sign-in, password
/// reset): the visitor's double-submit cookie, or a new one, and the
/// `Set-Cookie` that keeps it an hour.
pub(super) fn pre_csrf(state: &AppState, headers: &HeaderMap) -> (String, String) {
    let name = host_cookie(PRE_CSRF_COOKIE, state.config.secure_cookies);
    let csrf = cookie(headers, &name)
        .filter(|c| c.len() == 64)
        .unwrap_or_else(random_token);
    let set = set_cookie(&name, &csrf, 3600, state.config.secure_cookies);
    (csrf, set)
}

/// Whether a form posted before sign-in carries its cookie's token.
pub(super) fn pre_csrf_ok(state: &AppState, headers: &HeaderMap, posted: &str) -> bool {
    let pre = cookie(
        headers,
        &host_cookie(PRE_CSRF_COOKIE, state.config.secure_cookies),
    )
    .unwrap_or_default();
    !pre.is_empty() && same_secret(&pre, posted)
}

fn render_form(
    state: &AppState,
    headers: &HeaderMap,
    next: String,
    email: String,
    error: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    render_page(state, headers, next, email, error, String::new(), status)
}

fn render_page(
    state: &AppState,
    headers: &HeaderMap,
    next: String,
    email: String,
    error: String,
    notice: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let (csrf, set) = pre_csrf(state, headers);
    let tr = Tr::new(lang_of(headers));
    // A control character in the address: said next to it, and the
    // address never reaches the database (PostgreSQL refuses a NUL).
    let email_error = match almanach_domain::text::line_flaw(&email) {
        Some(flaw) => tr.t(flaw.key()).to_string(),
        None => String::new(),
    };
    let page = SignInPage {
        tr,
        csrf: csrf.clone(),
        next,
        email,
        error,
        email_error,
        notice,
    };
    Ok((status, [(header::SET_COOKIE, set)], Html(page.render()?)).into_response())
}

async fn sign_in_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    let tr = Tr::new(lang_of(&headers));
    let notice = match q.reset.as_deref() {
        Some(_) => tr.t("sign_in.reset_done").to_string(),
        None => String::new(),
    };
    render_page(
        &state,
        &headers,
        safe_next(q.next.as_deref()),
        String::new(),
        String::new(),
        notice,
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

/// A hash to check when the account does not exist, with the same
/// parameters as real ones: the answer takes as long either way.
pub(super) static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("almanach dummy password"));

/// Checks `password` against `hash` (None: the dummy hash, for an account
/// that does not exist) off the async threads (Argon2 takes tens of
/// milliseconds on purpose; the dummy hash is made there too, the first
/// time), counting the check.
pub(super) async fn check_password(
    state: &AppState,
    password: String,
    hash: Option<String>,
) -> bool {
    state.count_password_check();
    tokio::task::spawn_blocking(move || {
        verify_password(&password, hash.as_deref().unwrap_or(&DUMMY_HASH))
    })
    .await
    .unwrap_or(false)
}

async fn sign_in_save(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: ClientIp,
    axum::Form(f): axum::Form<SignInForm>,
) -> Result<Response, WebError> {
    let tr = Tr::new(lang_of(&headers));
    if !pre_csrf_ok(&state, &headers, &f.csrf) {
        return Err(WebError::Csrf);
    }
    let next = safe_next(Some(&f.next));
    if almanach_domain::text::line_flaw(f.email.trim()).is_some() {
        return render_form(
            &state,
            &headers,
            next,
            f.email,
            String::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let email = f.email.trim().to_lowercase();
    let account = login_account_key(&email);
    let address = login_address_key(&client.0);
    // Slow guessing down, per client address and per account, before any
    // password is checked: the attempt is counted first (as a failure,
    // until the password proves right), so of many attempts at once no
    // more than the limit reach a check. From the library's own network
    // the account's lock does not apply, so its owner can still get in.
    let at_the_library = client.1.is_some_and(|ip| {
        state
            .config
            .staff_networks
            .iter()
            .any(|net| net.contains(ip))
    });
    let mut limits = vec![(address.as_str(), state.config.login_address_max_failures)];
    if !at_the_library {
        limits.push((account.as_str(), state.config.login_max_failures));
    }
    if let Err((key, wait)) = state
        .store
        .take_login_attempt(&limits, state.config.login_pause_secs, now())
        .await?
    {
        let minutes = ((wait + 59) / 60).to_string();
        let msg = if key == account {
            tracing::info!(email = %email, client = %client.0, "sign-in refused: account locked");
            tr.tf("sign_in.locked", &[("minutes", minutes)])
        } else {
            tracing::info!(client = %client.0, "sign-in refused: address paused");
            tr.tf("sign_in.throttled", &[("minutes", minutes)])
        };
        return render_form(
            &state,
            &headers,
            next,
            f.email,
            msg,
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    let staff = state.store.staff_by_email(&email).await?;
    let hash = match &staff {
        Some(s) if s.active => Some(s.password_hash.clone()),
        _ => None,
    };
    let ok =
        check_password(&state, f.password, hash).await && staff.as_ref().is_some_and(|s| s.active);
    let Some(staff) = staff.filter(|_| ok) else {
        tracing::info!(email = %email, client = %client.0, "sign-in failed");
        return render_form(
            &state,
            &headers,
            next,
            f.email,
            tr.t("sign_in.failed").to_string(),
            StatusCode::UNAUTHORIZED,
        );
    };
    state.store.login_succeeded(&account, &address).await?;
    let id = random_token();
    state
        .store
        .create_auth_session(
            staff.id,
            &sha256_hex(&id),
            &random_token(),
            state.config.session_ttl_secs,
        )
        .await?;
    tracing::info!(staff = staff.id, "signed in");
    Ok((
        [(
            header::SET_COOKIE,
            set_cookie(
                &host_cookie(SESSION_COOKIE, state.config.secure_cookies),
                &id,
                state.config.session_ttl_secs,
                state.config.secure_cookies,
            ),
        )],
        Redirect::to(&next),
    )
        .into_response())
}

#[derive(Deserialize)]
struct Empty {}

async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    _p: Posted<Empty>,
) -> Result<Response, WebError> {
    let name = host_cookie(SESSION_COOKIE, state.config.secure_cookies);
    if let Some(id) = cookie(&headers, &name) {
        state.store.delete_auth_session(&sha256_hex(&id)).await?;
    }
    Ok((
        [(
            header::SET_COOKIE,
            set_cookie(&name, "", 0, state.config.secure_cookies),
        )],
        Redirect::to("/staff/sign-in"),
    )
        .into_response())
}

async fn switch_lang(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = almanach_domain::Lang::parse(&code).unwrap_or_default();
    // Back where the switcher was, on this site only; else the agenda.
    let next = q
        .next
        .as_deref()
        .and_then(local_target)
        .unwrap_or_else(|| "/".into());
    (
        [(
            header::SET_COOKIE,
            set_cookie(
                LANG_COOKIE,
                lang.code(),
                365 * 24 * 3600,
                state.config.secure_cookies,
            ),
        )],
        Redirect::to(&next),
    )
        .into_response()
}
