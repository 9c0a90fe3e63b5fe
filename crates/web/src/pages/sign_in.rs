//! Signing in and out, and switching the interface language.

use almanach_store::now;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::auth::{
    LANG_COOKIE, PRE_CSRF_COOKIE, Posted, SESSION_COOKIE, cookie, host_cookie, lang_of,
    random_token, same_secret, set_cookie, sha256_hex, verify_password,
};
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
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Where to go after signing in: a path of this site, else the dashboard.
fn safe_next(next: Option<&str>) -> String {
    next.and_then(local_target)
        .unwrap_or_else(|| "/staff".into())
}

fn render_form(
    state: &AppState,
    headers: &HeaderMap,
    next: String,
    email: String,
    error: String,
    status: StatusCode,
) -> Result<Response, WebError> {
    let name = host_cookie(PRE_CSRF_COOKIE, state.config.secure_cookies);
    let csrf = cookie(headers, &name)
        .filter(|c| c.len() == 64)
        .unwrap_or_else(random_token);
    let page = SignInPage {
        tr: Tr::new(lang_of(headers)),
        csrf: csrf.clone(),
        next,
        email,
        error,
    };
    Ok((
        status,
        [(
            header::SET_COOKIE,
            set_cookie(&name, &csrf, 3600, state.config.secure_cookies),
        )],
        Html(page.render()?),
    )
        .into_response())
}

async fn sign_in_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Result<Response, WebError> {
    render_form(
        &state,
        &headers,
        safe_next(q.next.as_deref()),
        String::new(),
        String::new(),
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

fn client_key(headers: &HeaderMap) -> String {
    // Behind a reverse proxy the client address is the first hop it names.
    let ip = headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .unwrap_or("direct")
        .trim()
        .to_string();
    format!("ip:{ip}")
}

async fn sign_in_save(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::Form(f): axum::Form<SignInForm>,
) -> Result<Response, WebError> {
    let tr = Tr::new(lang_of(&headers));
    let pre = cookie(
        &headers,
        &host_cookie(PRE_CSRF_COOKIE, state.config.secure_cookies),
    )
    .unwrap_or_default();
    if pre.is_empty() || !same_secret(&pre, &f.csrf) {
        return Err(WebError::Csrf);
    }
    let next = safe_next(Some(&f.next));
    let email = f.email.trim().to_lowercase();
    let keys = [format!("email:{email}"), client_key(&headers)];
    // Slow guessing down: after too many failures, pause sign-in for this
    // e-mail (and this client) whatever the password.
    for k in &keys {
        let (failures, last) = state.store.login_failures(k).await?;
        let wait = last + state.config.login_pause_secs - now();
        if failures >= state.config.login_max_failures && wait > 0 {
            let minutes = ((wait + 59) / 60).to_string();
            let msg = tr.tf("sign_in.throttled", &[("minutes", minutes)]);
            return render_form(
                &state,
                &headers,
                next,
                f.email,
                msg,
                StatusCode::TOO_MANY_REQUESTS,
            );
        }
    }
    let staff = state.store.staff_by_email(&email).await?;
    let ok = match &staff {
        Some(s) => s.active && verify_password(&f.password, &s.password_hash),
        None => {
            // Same work whether or not the address exists.
            let _ = verify_password(
                &f.password,
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$0000000000000000000000000000000000000000000",
            );
            false
        }
    };
    let Some(staff) = staff.filter(|_| ok) else {
        for k in &keys {
            state.store.record_login_failure(k).await?;
        }
        tracing::info!(email = %email, "sign-in failed");
        return render_form(
            &state,
            &headers,
            next,
            f.email,
            tr.t("sign_in.failed").to_string(),
            StatusCode::UNAUTHORIZED,
        );
    };
    for k in &keys {
        state.store.clear_login_failures(k).await?;
    }
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
