//! The API's errors: each has a stable code, a status and a message in the
//! reader's language, with the problem of each field when input was refused.
//! Internal causes go to the log, never to the client.

use almanach_domain::ids::SessionId;
use std::collections::BTreeMap;

use almanach_domain::{Lang, Problem, Problems};
use almanach_store::{Refusal, RoomClash, StoreError};
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::tz::TimeZone;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::{
    ContentBuilder, Ref, RefOr, ResponseBuilder, response::Response as OaResponse,
};

use crate::Tr;

#[derive(Debug, Clone)]
pub enum ApiError {
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    /// The request could not be read: malformed JSON, wrong types, bad
    /// query values. The detail is the parser's, in English.
    BadRequest(String),
    Validation(Problems),
    /// Warnings from the library's calendar the client may override with
    /// `confirm_warnings`.
    CalendarWarning(Vec<Problem>),
    RoomClash {
        clash: RoomClash,
        tz: TimeZone,
    },
    /// A rule of the database refused the write (a taken name); the
    /// problems say which field when known.
    Conflict(Vec<Problem>),
    /// Too many registrations from one address or for one e-mail: try
    /// again after this many seconds.
    RateLimited(u64),
    /// This e-mail already holds a registration for the session (the
    /// private link is sent to it again).
    AlreadyRegistered,
    /// The session takes no registration now: not yet open, closed,
    /// cancelled, or free entry.
    RegistrationClosed {
        why: Refusal,
        tz: TimeZone,
    },
    /// The database is overloaded: nothing was written, try again after
    /// `BUSY_RETRY_AFTER` seconds. The string is the cause, for the log.
    Busy(String),
    Internal(String),
}

/// Every code an error may carry, for the OpenAPI enum.
pub const CODES: &[&str] = &[
    "unauthorized",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "bad_request",
    "validation_failed",
    "calendar_warning",
    "room_clash",
    "conflict",
    "rate_limited",
    "already_registered",
    "registration_closed",
    "busy",
    "internal",
];

impl ApiError {
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Validation(_) => "validation_failed",
            ApiError::CalendarWarning(_) => "calendar_warning",
            ApiError::RoomClash { .. } => "room_clash",
            ApiError::Conflict(_) => "conflict",
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::AlreadyRegistered => "already_registered",
            ApiError::RegistrationClosed { .. } => "registration_closed",
            ApiError::Busy(_) => "busy",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) | ApiError::CalendarWarning(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::RoomClash { .. }
            | ApiError::Conflict(_)
            | ApiError::AlreadyRegistered
            | ApiError::RegistrationClosed { .. } => StatusCode::CONFLICT,
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The error for a status axum answered by itself (405, a body too large).
    pub fn for_status(status: StatusCode) -> ApiError {
        match status {
            StatusCode::UNAUTHORIZED => ApiError::Unauthorized,
            StatusCode::FORBIDDEN => ApiError::Forbidden,
            StatusCode::NOT_FOUND => ApiError::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
            StatusCode::SERVICE_UNAVAILABLE => {
                ApiError::Busy(format!("status {status} without a body"))
            }
            s if s.is_client_error() => {
                ApiError::BadRequest(s.canonical_reason().unwrap_or_default().to_string())
            }
            s => ApiError::Internal(format!("status {s} without a body")),
        }
    }

    pub fn field(field: &'static str, key: &'static str) -> ApiError {
        ApiError::Validation(Problem::field(field, key).into())
    }

    pub fn body(&self, tr: Tr) -> ErrorBody {
        let fields = |ps: &[Problem]| {
            ps.iter()
                .map(|p| FieldError {
                    field: p.field.unwrap_or_default().to_string(),
                    code: p.key.to_string(),
                    message: tr.problem(p),
                })
                .collect()
        };
        let (message, fields, detail, session_id) = match self {
            ApiError::BadRequest(d) => (
                tr.t("api.bad_request").to_string(),
                Vec::new(),
                Some(d.clone()),
                None,
            ),
            ApiError::Validation(p) => (
                tr.t("api.validation_failed").to_string(),
                fields(&p.0),
                None,
                None,
            ),
            ApiError::CalendarWarning(w) => (
                tr.t("api.calendar_warning").to_string(),
                fields(w),
                None,
                None,
            ),
            ApiError::Conflict(p) => (tr.t("api.conflict").to_string(), fields(p), None, None),
            ApiError::RoomClash { clash, tz } => {
                let when = crate::view::when(tr.lang, tz, clash.starts_at, clash.ends_at);
                let msg = tr.tf(
                    "error.room_clash",
                    &[("title", clash.event_title.clone()), ("when", when)],
                );
                let field = vec![FieldError {
                    field: "room_id".into(),
                    code: "error.room_clash".into(),
                    message: msg.clone(),
                }];
                (msg, field, None, Some(clash.session_id))
            }
            ApiError::Unauthorized => {
                (tr.t("api.unauthorized").to_string(), Vec::new(), None, None)
            }
            ApiError::Forbidden => (tr.t("api.forbidden").to_string(), Vec::new(), None, None),
            ApiError::NotFound => (tr.t("api.not_found").to_string(), Vec::new(), None, None),
            ApiError::MethodNotAllowed => (
                tr.t("api.method_not_allowed").to_string(),
                Vec::new(),
                None,
                None,
            ),
            ApiError::RateLimited(wait) => (
                tr.tf(
                    "public.error.rate_limited",
                    &[("minutes", wait.div_ceil(60).to_string())],
                ),
                Vec::new(),
                None,
                None,
            ),
            ApiError::AlreadyRegistered => (
                tr.t("api.already_registered").to_string(),
                Vec::new(),
                None,
                None,
            ),
            ApiError::RegistrationClosed { why, tz } => {
                (closed_message(tr, *why, tz), Vec::new(), None, None)
            }
            ApiError::Busy(_) => (tr.t("api.busy").to_string(), Vec::new(), None, None),
            ApiError::Internal(_) => (tr.t("api.internal").to_string(), Vec::new(), None, None),
        };
        ErrorBody {
            error: ErrorDetail {
                code: self.code().to_string(),
                message,
                fields,
                detail,
                session_id: session_id.map(SessionId::get),
            },
        }
    }

    /// The JSON answer in `lang`.
    pub fn respond(&self, lang: Lang) -> Response {
        let mut res = (self.status(), Json(self.body(Tr::new(lang)))).into_response();
        match self {
            ApiError::Unauthorized => {
                res.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Bearer"),
                );
            }
            ApiError::RateLimited(wait) => {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from(*wait));
            }
            ApiError::Busy(_) => {
                res.headers_mut().insert(
                    header::RETRY_AFTER,
                    header::HeaderValue::from(crate::error::BUSY_RETRY_AFTER),
                );
            }
            _ => {}
        }
        res
    }
}

/// Why a session takes no registration, as the public form says it.
fn closed_message(tr: Tr, why: Refusal, tz: &TimeZone) -> String {
    match why {
        Refusal::NotYetOpen { opens_at } => tr.tf(
            "public.error.not_open",
            &[("when", crate::public::page::moment(tr, tz, opens_at))],
        ),
        Refusal::Cancelled => tr.t("public.error.cancelled").to_string(),
        Refusal::NoRegistration => tr.t("public.error.no_registration").to_string(),
        Refusal::Closed | Refusal::TooManySeats { .. } | Refusal::MoreThanCapacity { .. } => {
            tr.t("public.error.closed").to_string()
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound,
            StoreError::Conflict(_) => ApiError::Conflict(Vec::new()),
            busy @ StoreError::Busy(_) => ApiError::Busy(crate::error::with_causes(&busy)),
            other => ApiError::Internal(crate::error::with_causes(&other)),
        }
    }
}

impl From<Problems> for ApiError {
    fn from(p: Problems) -> Self {
        ApiError::Validation(p)
    }
}

impl IntoResponse for ApiError {
    /// Answers in French and leaves the error in the response's extensions,
    /// so the API's `localise` layer can answer again in the reader's language.
    fn into_response(self) -> Response {
        match &self {
            ApiError::Internal(cause) => tracing::error!(%cause, "internal error in the API"),
            ApiError::Busy(cause) => {
                tracing::warn!(%cause, "database busy in the API: answered 503")
            }
            _ => {}
        }
        let mut res = self.respond(Lang::Fr);
        res.extensions_mut().insert(self);
        res
    }
}

/// What every error answer holds.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs.
    #[schema(schema_with = code_schema)]
    pub code: String,
    /// For people, in French or in English (`Accept-Language: en`).
    pub message: String,
    /// The problem of each refused field (validation_failed, calendar_warning,
    /// room_clash, conflict); empty otherwise.
    pub fields: Vec<FieldError>,
    /// What the parser could not read (bad_request only), in English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The session already in the room (room_clash only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    /// The message key, stable (`error.end_before_start`).
    pub code: String,
    pub message: String,
}

fn code_schema() -> utoipa::openapi::Object {
    super::schema::enum_schema(CODES.iter().copied())
}

fn describe(status: u16) -> &'static str {
    match status {
        400 => "bad_request: malformed JSON, wrong types or bad query values",
        401 => "unauthorized: missing, unknown or revoked bearer token",
        403 => "forbidden: the token's role may not do this",
        404 => "not_found",
        409 => {
            "room_clash: the room is taken at that time (session_id names the other session); conflict: a name already \
                taken, or an idempotency key already used by another person; already_registered: this e-mail is already \
                registered (its private link is sent again); registration_closed: not yet open, closed, cancelled or free entry"
        }
        422 => {
            "validation_failed: see fields; calendar_warning: send again with confirm_warnings to override"
        }
        429 => {
            "rate_limited: too many registrations from this address or for this e-mail; see Retry-After (seconds)"
        }
        503 => {
            "busy: the database is overloaded; nothing was written; try again after Retry-After (seconds)"
        }
        _ => "internal: logged on the server",
    }
}

/// The documented error answers of `statuses`, all with the `ErrorBody` schema.
fn error_responses(statuses: &[u16]) -> BTreeMap<String, RefOr<OaResponse>> {
    statuses
        .iter()
        .map(|s| {
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build();
            let r = ResponseBuilder::new()
                .description(describe(*s))
                .content("application/json", content)
                .build();
            (s.to_string(), RefOr::T(r))
        })
        .collect()
}

macro_rules! error_set {
    ($(#[$m:meta])* $name:ident: $($status:literal),+) => {
        $(#[$m])*
        pub struct $name;
        impl utoipa::IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<OaResponse>> {
                error_responses(&[$($status),+])
            }
        }
    };
}

error_set!(
    /// Lists: a bad query or an invalid token.
    ListErrors: 400, 401, 500, 503
);
error_set!(
    /// One record by id.
    GetErrors: 400, 401, 404, 500, 503
);
error_set!(
    /// Creating a record that hangs off nothing else.
    CreateErrors: 400, 401, 403, 409, 422, 500, 503
);
error_set!(
    /// Writing under or to a record named in the path.
    WriteErrors: 400, 401, 403, 404, 409, 422, 500, 503
);
error_set!(
    /// An action on a record named in the path, without a body.
    ActionErrors: 400, 401, 403, 404, 500, 503
);
error_set!(
    /// A public registration.
    RegisterErrors: 400, 404, 409, 422, 429, 500, 503
);
