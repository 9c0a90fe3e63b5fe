//! The JSON API under `/api/v1`: the programme read by anyone (published
//! events) or by staff tokens (everything), written with staff tokens within
//! their role, every error as JSON, and an OpenAPI 3 document generated from
//! the handlers and types below.

mod caller;
mod error;
mod events;
mod input;
mod registrations;
mod schema;
mod sessions;
mod setup;

use std::sync::LazyLock;

use almanach_domain::Lang;
use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

pub use caller::{Caller, Identity};
pub use error::ApiError;

use crate::AppState;

/// Where `routes` is nested (in `crate::router`): the document's paths
/// start with it.
pub const PREFIX: &str = "/api/v1";

pub fn routes(state: &AppState) -> Router<AppState> {
    let (router, _) = operations().split_for_parts();
    router
        .fallback(|| async { ApiError::NotFound })
        // The session list as anyone gets it is kept in memory like the
        // public pages (`public::kept`).
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::public::kept::serve_api,
        ))
        .layer(middleware::from_fn(localise))
}

/// Every operation of the API, once: each handler's `#[utoipa::path]`
/// gives both its route (method and path, relative to `PREFIX`) and its
/// entry in the OpenAPI document, so neither can list one the other lacks.
fn operations() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(openapi))
        .routes(routes!(sessions::list_sessions))
        .routes(routes!(sessions::get_session, sessions::patch_session))
        .routes(routes!(sessions::cancel_session))
        .routes(routes!(events::list_events, events::create_event))
        .routes(routes!(events::get_event, events::patch_event))
        .routes(routes!(sessions::create_session))
        .routes(routes!(registrations::register_session).layer(body_limit()))
        .routes(routes!(registrations::register_course).layer(body_limit()))
        .routes(routes!(setup::list_series, setup::create_series))
        .routes(routes!(setup::list_themes, setup::create_theme))
        .routes(routes!(setup::list_rooms, setup::create_room))
        .routes(routes!(setup::list_speakers, setup::create_speaker))
}

/// The OpenAPI document: the description and security scheme of `ApiDoc`,
/// the paths of `operations` under `PREFIX`.
pub fn document() -> utoipa::openapi::OpenApi {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest(PREFIX, operations())
        .into_openapi()
}

/// Public registrations carry a few short fields.
fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(crate::public::PUBLIC_BODY_LIMIT)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Almanach API",
        version = "1",
        description = "The programme of a library's digital mediation: sessions, events, series, themes, rooms, \
            speakers, with each session's seats; public registration for sites that integrate it. \
            Reading and registering need no token (published events only); with a staff API token \
            (`Authorization: Bearer …`) drafts are visible and writes are allowed within the token's role. \
            Errors are JSON with a stable `code`; messages are French, or English with `Accept-Language: en`. \
            Texts may not hold control characters other than line breaks and tabs; names are trimmed and may \
            not be blank."
    ),
    components(schemas(error::ErrorBody)),
    modifiers(&BearerScheme)
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let scheme = SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some("A staff API token, created on the staff pages."))
                .build(),
        );
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", scheme);
    }
}

static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    document()
        .to_json()
        .expect("the OpenAPI document serialises")
});

/// This document.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json", body = Object))
)]
pub async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        DOCUMENT.as_str(),
    )
        .into_response()
}

/// The reader's language from `Accept-Language`: the first of French and
/// English by preference, French when neither is named.
fn lang_of(headers: &HeaderMap) -> Lang {
    let Some(value) = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
    else {
        return Lang::Fr;
    };
    let mut best: Option<(f32, Lang)> = None;
    for part in value.split(',') {
        let mut bits = part.split(';');
        let tag = bits.next().unwrap_or_default().trim();
        let q = bits
            .find_map(|b| b.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let lang = match tag
            .split('-')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase()
            .as_str()
        {
            "fr" => Lang::Fr,
            "en" => Lang::En,
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map_or(Lang::Fr, |(_, l)| l)
}

/// Answers errors in the reader's language, and turns what axum answers by
/// itself without a body (405) into the same JSON errors.
async fn localise(req: Request, next: Next) -> Response {
    let lang = lang_of(req.headers());
    let res = next.run(req).await;
    let error = match res.extensions().get::<ApiError>() {
        Some(_) if lang == Lang::Fr => return res,
        Some(e) => e.clone(),
        None if (res.status().is_client_error() || res.status().is_server_error())
            && !res
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"application/json")) =>
        {
            ApiError::for_status(res.status())
        }
        None => return res,
    };
    let (mut parts, _) = res.into_parts();
    let (fresh, body) = error.respond(lang).into_parts();
    parts.status = fresh.status;
    for (name, value) in &fresh.headers {
        parts.headers.insert(name, value.clone());
    }
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::new(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use almanach_domain::ids::SessionId;

    #[test]
    fn accept_language_picks_french_or_english() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT_LANGUAGE, v.parse().unwrap());
            lang_of(&m)
        };
        assert_eq!(h("en"), Lang::En);
        assert_eq!(h("en-GB,en;q=0.9"), Lang::En);
        assert_eq!(h("de, en;q=0.5, fr;q=0.8"), Lang::Fr);
        assert_eq!(h("de"), Lang::Fr);
        assert_eq!(h("fr;q=0, en;q=0.1"), Lang::En);
        assert_eq!(lang_of(&HeaderMap::new()), Lang::Fr);
    }

    #[test]
    fn every_error_message_is_translated() {
        use almanach_store::RoomClash;
        let errors = [
            ApiError::Unauthorized,
            ApiError::Forbidden,
            ApiError::NotFound,
            ApiError::MethodNotAllowed,
            ApiError::BadRequest("x".into()),
            ApiError::Validation(Default::default()),
            ApiError::CalendarWarning(Vec::new()),
            ApiError::RoomClash {
                clash: RoomClash {
                    session_id: SessionId(1),
                    event_title: "t".into(),
                    starts_at: 0,
                    ends_at: 60,
                },
                tz: jiff::tz::TimeZone::UTC,
            },
            ApiError::Conflict(Vec::new()),
            ApiError::RateLimited(61),
            ApiError::AlreadyRegistered,
            ApiError::RegistrationClosed {
                why: almanach_store::Refusal::NotYetOpen {
                    opens_at: 1_900_000_000,
                },
                tz: jiff::tz::TimeZone::UTC,
            },
            ApiError::RegistrationClosed {
                why: almanach_store::Refusal::Closed,
                tz: jiff::tz::TimeZone::UTC,
            },
            ApiError::Internal("x".into()),
        ];
        for e in errors {
            assert!(error::CODES.contains(&e.code()));
            for lang in [Lang::Fr, Lang::En] {
                let m = e.body(crate::Tr::new(lang)).error.message;
                assert!(!m.starts_with("api.") && !m.starts_with("error."), "{m}");
            }
        }
    }
}
