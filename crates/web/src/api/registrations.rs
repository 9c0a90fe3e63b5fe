//! Public registration through the API, for sites that integrate it, and
//! the seats every session answer carries. A registration is made by the
//! same rules as the public form (published sessions only, the window, the
//! seats, the ages, one per e-mail, the same rate limits); the client's
//! idempotency key makes a repeated request answer the first registration.
//!
//! The private link's token is an HMAC, under the installation's link key
//! (which the database never holds), of a hash of the e-mail and the
//! client's key — as the public form's token is of its form key — so the
//! client's key alone opens nothing, a repeated request gets the same link,
//! and the mail worker can write that link in the person's e-mails
//! (docs/decisions/0005-outbox.md).

use almanach_domain::Problem;
use almanach_domain::ids::{EventId, LibraryId, SessionId};
use almanach_domain::registration::{Party, PartyRules, RawParty, RegistrationStatus};
use almanach_store::{
    Actor, NewRegistration, Refusal, Registered, Registration, Session, Target, now,
};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::{ApiError, RegisterErrors};
use super::input::{ApiJson, Id};
use super::schema::{SeatsOut, SessionOut, enum_schema, nullable_enum_schema};
use crate::AppState;
use crate::limits::ClientIp;

// ------------------------------------------------------------------ seats

/// The API's view of `sessions`, with their seats read in one go.
pub async fn outs(
    state: &AppState,
    library_id: LibraryId,
    tz: &TimeZone,
    sessions: &[Session],
) -> Result<Vec<SessionOut>, ApiError> {
    let ids: Vec<SessionId> = sessions.iter().map(|s| s.id).collect();
    let seats = state.store.seat_states(library_id, &ids).await?;
    let t = now();
    sessions
        .iter()
        .map(|s| {
            let st = seats
                .get(&s.id)
                .ok_or_else(|| ApiError::Internal(format!("no seats for session {}", s.id)))?;
            Ok(SessionOut::new(s, tz, SeatsOut::new(st, tz, t)))
        })
        .collect()
}

pub async fn out(
    state: &AppState,
    library_id: LibraryId,
    tz: &TimeZone,
    s: &Session,
) -> Result<SessionOut, ApiError> {
    Ok(outs(state, library_id, tz, std::slice::from_ref(s))
        .await?
        .remove(0))
}

// ------------------------------------------------------------------ registering

/// A registration, as the person would fill in the public form.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationCreate {
    /// The name the person will be welcomed by: not blank, no control characters.
    #[schema(
        min_length = 1,
        max_length = 120,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$",
        examples("Anne Dupont")
    )]
    pub name: String,
    /// The confirmation and the private link go there; one registration per
    /// address and session.
    #[schema(format = Email, min_length = 3, max_length = 254, examples("anne.dupont@example.org"))]
    pub email: String,
    /// To warn of a last-minute change: 6 to 20 digits, spaces and `+ . ( ) -`.
    #[schema(
        max_length = 30,
        pattern = "^$|^[ +.()-]*([0-9][ +.()-]*){6,20}$",
        examples("06 12 34 56 78")
    )]
    pub phone: Option<String>,
    /// Everyone coming, adults included: 1 to the session's
    /// `max_seats_per_registration`.
    #[schema(minimum = 1, maximum = 8)]
    pub seats: i64,
    /// The age of each child coming, when the session has an age range.
    #[schema(schema_with = ages_schema)]
    pub children_ages: Option<Vec<i64>>,
    /// Random, made by the client for this registration (a UUID): the same
    /// request sent again answers the first registration (200) instead of
    /// making another. Printable ASCII, 16 to 128 characters.
    #[schema(
        min_length = 16,
        max_length = 128,
        pattern = "^[!-~]{16,128}$",
        examples("8f14e45f-ceea-467f-a0e6-1c2b6b3e7f21")
    )]
    pub idempotency_key: String,
    /// The person's language: `fr` (default) or `en`.
    #[schema(schema_with = lang_schema)]
    pub lang: Option<String>,
}

fn ages_schema() -> utoipa::openapi::Array {
    let item = utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .minimum(Some(0))
        .maximum(Some(120))
        .build();
    utoipa::openapi::ArrayBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::Array(vec![
            utoipa::openapi::schema::Type::Array,
            utoipa::openapi::schema::Type::Null,
        ]))
        .items(item)
        .max_items(Some(MAX_CHILDREN))
        .build()
}

fn lang_schema() -> utoipa::openapi::Object {
    nullable_enum_schema(["fr", "en"])
}

const MAX_CHILDREN: usize = 8;

#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationOut {
    pub id: i64,
    /// `confirmed`, or `waiting` for seats (the whole party); `cancelled`
    /// when a repeated request finds it cancelled since.
    #[schema(schema_with = status_schema)]
    pub status: String,
    /// 1-based rank on the waiting list, while waiting.
    #[schema(minimum = 1)]
    pub position: Option<u32>,
    #[schema(minimum = 1)]
    pub seats: u32,
    pub event_id: i64,
    /// The session; null for a course (every session of the event).
    pub session_id: Option<i64>,
    /// The person's private page (see, cancel, erase their data). Give it
    /// to them: it is their only key. An absolute URL.
    #[schema(examples("https://agenda.mediatheque.fr/r/3f7c…"))]
    pub private_link: String,
}

fn status_schema() -> utoipa::openapi::Object {
    enum_schema(["confirmed", "waiting", "cancelled"])
}

impl RegistrationOut {
    fn new(r: &Registration, private_link: String) -> RegistrationOut {
        RegistrationOut {
            id: r.id.get(),
            status: r.status.slug().into(),
            position: r
                .position
                .filter(|_| r.status == RegistrationStatus::Waiting),
            seats: r.seats,
            event_id: r.event_id.get(),
            session_id: r.session_id.map(SessionId::get),
            private_link,
        }
    }
}

/// The key's own problem, if any.
fn key_problem(key: &str) -> Option<Problem> {
    let ok = (16..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic());
    (!ok).then(|| Problem::field("idempotency_key", "error.idempotency_key"))
}

impl RegistrationCreate {
    /// The party, by the public form's rules, or every problem at once.
    fn party(&self, rules: &almanach_domain::registration::PartyRules) -> Result<Party, ApiError> {
        let mut problems = almanach_domain::Problems::new();
        if let Some(p) = key_problem(&self.idempotency_key) {
            problems.push(p);
        }
        if !matches!(self.lang.as_deref(), None | Some("fr" | "en")) {
            problems.push(Problem::field("lang", "error.choose"));
        }
        let ages = self.children_ages.as_deref().unwrap_or_default();
        if ages.len() > MAX_CHILDREN {
            problems.push(
                Problem::field("children_ages", "error.too_many")
                    .arg("max", MAX_CHILDREN.to_string()),
            );
        }
        let raw = RawParty {
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone().unwrap_or_default(),
            seats: self.seats.to_string(),
            ages: ages
                .iter()
                .take(MAX_CHILDREN)
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(","),
        };
        let party = Party::parse(&raw, rules).map_err(|p| {
            // The form's "ages" field is the API's "children_ages".
            p.0.into_iter().map(|x| {
                if x.field == Some("ages") {
                    Problem {
                        field: Some("children_ages"),
                        ..x
                    }
                } else {
                    x
                }
            })
        });
        match party {
            Ok(party) if problems.is_empty() => Ok(party),
            Ok(_) => Err(ApiError::Validation(problems)),
            Err(more) => {
                problems.0.extend(more);
                Err(ApiError::Validation(problems))
            }
        }
    }
}

async fn register(
    state: AppState,
    ip: ClientIp,
    headers: HeaderMap,
    to: Target,
    body: RegistrationCreate,
) -> Result<(StatusCode, Json<RegistrationOut>), ApiError> {
    state.limits.ip.hit(&ip.0).map_err(ApiError::RateLimited)?;
    let library_id = state.store.default_library_id().await?;
    // A draft is not there for the public; nor is a course's number that
    // is not a course's.
    let rules = state.store.registration_rules(library_id, to).await?;
    if !rules.published && !rules.cancelled {
        return Err(ApiError::NotFound);
    }
    let party = body.party(&PartyRules {
        max_seats: rules.settings.max_seats,
        ages: rules.ages,
        email_required: true,
    })?;
    let email = party
        .email
        .as_ref()
        .map(|e| e.as_str().to_string())
        .unwrap_or_default();
    state
        .limits
        .email
        .hit(&email)
        .map_err(ApiError::RateLimited)?;
    let key = body.idempotency_key.as_str();
    let (token, token_hash, idempotency_hash) =
        crate::public::register::secrets(&format!("api:{email}:{key}"), &state.config.link_key);
    let lang = if body.lang.as_deref() == Some("en") {
        almanach_domain::Lang::En
    } else {
        almanach_domain::Lang::Fr
    };
    let new = NewRegistration {
        target: to,
        party,
        token_hash,
        idempotency_hash,
        by_staff: false,
        lang,
        link_sealed: None,
    };
    let public_url = state.public_url(&headers);
    let link = |token: &str| public_url.link(&format!("/r/{token}"));
    match state
        .store
        .register(&Actor::system(library_id, "api:public"), &new)
        .await?
    {
        Registered::New(r) => Ok((
            StatusCode::CREATED,
            Json(RegistrationOut::new(&r, link(&token))),
        )),
        // The same request again (the key is scoped by e-mail, so by the
        // same person): the same answer.
        Registered::Replayed(r) => {
            Ok((StatusCode::OK, Json(RegistrationOut::new(&r, link(&token)))))
        }
        Registered::AlreadyRegistered(_) => Err(ApiError::AlreadyRegistered),
        Registered::Refused(Refusal::TooManySeats { max }) => Err(ApiError::Validation(
            Problem::field("seats", "error.seats")
                .arg("max", max.to_string())
                .into(),
        )),
        Registered::Refused(Refusal::MoreThanCapacity { capacity }) => Err(ApiError::Validation(
            Problem::field("seats", "error.seats_over_capacity")
                .arg("capacity", capacity.to_string())
                .into(),
        )),
        Registered::Refused(why) => Err(ApiError::RegistrationClosed {
            why,
            tz: state.store.default_library().await?.tz(),
        }),
    }
}

/// Registers a person for a session (for a course's session: for the whole
/// course). No token: this is the public form's equivalent.
#[utoipa::path(
    post,
    path = "/sessions/{id}/registrations",
    tag = "registrations",
    params(("id" = i64, Path, description = "Session id")),
    request_body = RegistrationCreate,
    security(()),
    responses(
        (status = 201, description = "Registered: confirmed, or on the waiting list", body = RegistrationOut),
        (status = 200, description = "The same idempotency key again: the first registration", body = RegistrationOut),
        RegisterErrors
    )
)]
pub async fn register_session(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(body): ApiJson<RegistrationCreate>,
) -> Result<(StatusCode, Json<RegistrationOut>), ApiError> {
    register(state, ip, headers, Target::Session(SessionId(id)), body).await
}

/// Registers a person for a course: one registration holds a seat on every
/// session of the event. 404 when the event is not a course.
#[utoipa::path(
    post,
    path = "/events/{id}/registrations",
    tag = "registrations",
    params(("id" = i64, Path, description = "Event id of a course")),
    request_body = RegistrationCreate,
    security(()),
    responses(
        (status = 201, description = "Registered: confirmed, or on the waiting list", body = RegistrationOut),
        (status = 200, description = "The same idempotency key again: the first registration", body = RegistrationOut),
        RegisterErrors
    )
)]
pub async fn register_course(
    State(state): State<AppState>,
    ip: ClientIp,
    headers: HeaderMap,
    Id(id): Id,
    ApiJson(body): ApiJson<RegistrationCreate>,
) -> Result<(StatusCode, Json<RegistrationOut>), ApiError> {
    register(state, ip, headers, Target::Course(EventId(id)), body).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_printable_and_long_enough() {
        assert!(key_problem("8f14e45f-ceea-467f-a0e6-1c2b6b3e7f21").is_none());
        for bad in [
            "short",
            "with a space inside it",
            "é-accentué-0123456789",
            &"x".repeat(129),
        ] {
            assert!(key_problem(bad).is_some(), "{bad}");
        }
    }
}
