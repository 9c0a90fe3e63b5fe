//! What the programme is built from, in the API: series, themes, rooms and
//! speakers (lists and creation). Speakers' contacts are personal data, so
//! reading them takes a token.

use almanach_domain::programme::{
    AgeRange, RegistrationPolicy, SessionKind, THEME_CATEGORIES, parse_capacity, parse_categories,
    parse_colour, parse_line, parse_minutes, parse_name,
};
use almanach_domain::staff::Action;
use almanach_domain::{Problem, Problems};
use almanach_store::{Room, Series, Speaker, StoreError, Theme};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::caller::{Caller, Identity};
use super::error::{ApiError, CreateErrors, ListErrors};
use super::input::{
    ApiJson, Loose, age_schema, capacity_schema, ids, minutes_schema, present, text,
};
use super::schema::{enum_schema, kind_schema, nullable_enum_schema};
use crate::AppState;
use utoipa::openapi::schema::{SchemaType, Type};

/// A taken name answers `conflict` on the field that holds it.
fn name_taken(field: &'static str) -> impl Fn(StoreError) -> ApiError {
    move |e| match e {
        StoreError::Conflict(_) => {
            ApiError::Conflict(vec![Problem::field(field, "error.name_taken")])
        }
        other => other.into(),
    }
}

fn loose(v: &Option<Loose>) -> &str {
    v.as_ref().map_or("", |l| l.0.as_str())
}

// ------------------------------------------------------------------ rooms

#[derive(Debug, Serialize, ToSchema)]
pub struct RoomOut {
    pub id: i64,
    pub name: String,
    #[schema(minimum = 1, maximum = 100_000)]
    pub capacity: Option<u32>,
    pub equipment: String,
    /// Reachable without steps.
    pub step_free: bool,
}

impl From<Room> for RoomOut {
    fn from(r: Room) -> Self {
        RoomOut {
            id: r.id,
            name: r.name,
            capacity: r.capacity,
            equipment: r.equipment,
            step_free: r.step_free,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomCreate {
    /// Unique in the library.
    #[schema(max_length = 120, min_length = 1)]
    pub name: String,
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = capacity_schema)]
    pub capacity: Option<Loose>,
    #[schema(max_length = 2000)]
    pub equipment: Option<String>,
    /// Default true.
    pub step_free: Option<bool>,
}

/// The library's rooms.
#[utoipa::path(
    get,
    path = "/rooms",
    tag = "setup",
    security((), ("bearer" = [])),
    responses((status = 200, description = "Rooms by name", body = Vec<RoomOut>), ListErrors)
)]
pub async fn list_rooms(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<RoomOut>>, ApiError> {
    let lib = caller.library(&state).await?;
    Ok(Json(
        state
            .store
            .list_rooms(lib.id)
            .await?
            .into_iter()
            .map(RoomOut::from)
            .collect(),
    ))
}

/// Adds a room (coordinators and admins).
#[utoipa::path(
    post,
    path = "/rooms",
    tag = "setup",
    request_body = RoomCreate,
    security(("bearer" = [])),
    responses((status = 201, description = "The room created", body = RoomOut), CreateErrors)
)]
pub async fn create_room(
    State(state): State<AppState>,
    who: Identity,
    ApiJson(b): ApiJson<RoomCreate>,
) -> Result<(StatusCode, Json<RoomOut>), ApiError> {
    who.require(Action::EditSetup)?;
    let mut p = Problems::new();
    let name = p.take(parse_name("name", &b.name, 120));
    let capacity = p.take(parse_capacity("capacity", loose(&b.capacity)));
    let equipment = p.take(text(
        "equipment",
        b.equipment.as_deref().unwrap_or_default(),
        2000,
    ));
    let room = p.into_result(|| Room {
        id: 0,
        name: name.unwrap_or_default(),
        capacity: capacity.flatten(),
        equipment: equipment.unwrap_or_default(),
        step_free: b.step_free.unwrap_or(true),
    })?;
    let id = state
        .store
        .save_room(&who.actor(&state).await?, &room)
        .await
        .map_err(name_taken("name"))?;
    Ok((
        StatusCode::CREATED,
        Json(state.store.room(who.staff.library_id, id).await?.into()),
    ))
}

// ------------------------------------------------------------------ series

#[derive(Debug, Serialize, ToSchema)]
pub struct SeriesOut {
    pub id: i64,
    pub name: String,
    pub description: String,
    #[schema(schema_with = kind_schema)]
    pub default_kind: SessionKind,
    #[schema(minimum = 5, maximum = 1440)]
    pub duration_minutes: Option<u32>,
    #[schema(minimum = 1, maximum = 100_000)]
    pub capacity: Option<u32>,
    #[schema(minimum = 0, maximum = 120)]
    pub age_min: Option<u8>,
    #[schema(minimum = 0, maximum = 120)]
    pub age_max: Option<u8>,
    #[schema(schema_with = policy_schema)]
    pub registration_policy: RegistrationPolicy,
    /// `#1a2b3c`
    pub colour: String,
}

impl From<Series> for SeriesOut {
    fn from(s: Series) -> Self {
        SeriesOut {
            id: s.id,
            name: s.name,
            description: s.description,
            default_kind: s.default_kind,
            duration_minutes: s.duration_minutes,
            capacity: s.capacity,
            age_min: s.age_min,
            age_max: s.age_max,
            registration_policy: s.registration_policy,
            colour: s.colour,
        }
    }
}

fn policy_schema() -> utoipa::openapi::Object {
    enum_schema(RegistrationPolicy::ALL.iter().map(|p| p.slug()))
}

fn nullable_policy_schema() -> utoipa::openapi::Object {
    nullable_enum_schema(RegistrationPolicy::ALL.iter().map(|p| p.slug()))
}

fn nullable_kind_schema() -> utoipa::openapi::Object {
    nullable_enum_schema(SessionKind::ALL.iter().map(|k| k.slug()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeriesCreate {
    /// Unique in the library.
    #[schema(max_length = 120, min_length = 1)]
    pub name: String,
    #[schema(max_length = 10_000)]
    pub description: Option<String>,
    /// Default `talk`.
    #[schema(schema_with = nullable_kind_schema)]
    pub default_kind: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = minutes_schema)]
    pub duration_minutes: Option<Loose>,
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = capacity_schema)]
    pub capacity: Option<Loose>,
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = age_schema)]
    pub age_min: Option<Loose>,
    #[serde(default, deserialize_with = "present")]
    #[schema(schema_with = age_schema)]
    pub age_max: Option<Loose>,
    /// Default `free_entry`.
    #[schema(schema_with = nullable_policy_schema)]
    pub registration_policy: Option<String>,
    /// `#1a2b3c`; default `#3a6ea5`.
    #[schema(max_length = 7, pattern = "^#[0-9a-fA-F]{6}$")]
    pub colour: Option<String>,
}

/// The library's series (cycles).
#[utoipa::path(
    get,
    path = "/series",
    tag = "setup",
    security((), ("bearer" = [])),
    responses((status = 200, description = "Series by name", body = Vec<SeriesOut>), ListErrors)
)]
pub async fn list_series(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<SeriesOut>>, ApiError> {
    let lib = caller.library(&state).await?;
    Ok(Json(
        state
            .store
            .list_series(lib.id)
            .await?
            .into_iter()
            .map(SeriesOut::from)
            .collect(),
    ))
}

/// Adds a series (coordinators and admins).
#[utoipa::path(
    post,
    path = "/series",
    tag = "setup",
    request_body = SeriesCreate,
    security(("bearer" = [])),
    responses((status = 201, description = "The series created", body = SeriesOut), CreateErrors)
)]
pub async fn create_series(
    State(state): State<AppState>,
    who: Identity,
    ApiJson(b): ApiJson<SeriesCreate>,
) -> Result<(StatusCode, Json<SeriesOut>), ApiError> {
    who.require(Action::EditSetup)?;
    let mut p = Problems::new();
    let name = p.take(parse_name("name", &b.name, 120));
    let description = p.take(text(
        "description",
        b.description.as_deref().unwrap_or_default(),
        10_000,
    ));
    let kind = SessionKind::parse(b.default_kind.as_deref().unwrap_or("talk"));
    let policy =
        RegistrationPolicy::parse(b.registration_policy.as_deref().unwrap_or("free_entry"));
    for (field, missing) in [
        ("default_kind", kind.is_none()),
        ("registration_policy", policy.is_none()),
    ] {
        if missing {
            p.push(Problem::field(field, "error.choose"));
        }
    }
    let duration = p.take(parse_minutes(
        "duration_minutes",
        loose(&b.duration_minutes),
    ));
    let capacity = p.take(parse_capacity("capacity", loose(&b.capacity)));
    let ages = match AgeRange::parse(loose(&b.age_min), loose(&b.age_max), false) {
        Ok(a) => Some(a),
        Err(e) => {
            p.0.extend(e.0);
            None
        }
    };
    let colour = p.take(parse_colour(b.colour.as_deref().unwrap_or("#3a6ea5")));
    let (
        Some(name),
        Some(description),
        Some(default_kind),
        Some(registration_policy),
        Some(duration),
        Some(capacity),
        Some(ages),
        Some(colour),
    ) = (
        name,
        description,
        kind,
        policy,
        duration,
        capacity,
        ages,
        colour,
    )
    else {
        return Err(ApiError::Validation(p));
    };
    let series = Series {
        id: 0,
        name,
        description,
        default_kind,
        duration_minutes: duration,
        capacity,
        age_min: ages.min,
        age_max: ages.max,
        registration_policy,
        colour,
    };
    let id = state
        .store
        .save_series(&who.actor(&state).await?, &series)
        .await
        .map_err(name_taken("name"))?;
    Ok((
        StatusCode::CREATED,
        Json(state.store.series(who.staff.library_id, id).await?.into()),
    ))
}

// ------------------------------------------------------------------ themes

#[derive(Debug, Serialize, ToSchema)]
pub struct ThemeOut {
    pub id: i64,
    pub title: String,
    pub description: String,
    #[schema(schema_with = categories_schema)]
    pub categories: Vec<String>,
}

impl From<Theme> for ThemeOut {
    fn from(t: Theme) -> Self {
        ThemeOut {
            id: t.id,
            title: t.title,
            description: t.description,
            categories: t.categories,
        }
    }
}

fn categories_schema() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(enum_schema(THEME_CATEGORIES.iter().copied()))
        .max_items(Some(THEME_CATEGORIES.len()))
        .build()
}

fn nullable_categories_schema() -> utoipa::openapi::schema::Array {
    utoipa::openapi::schema::ArrayBuilder::from(categories_schema())
        .schema_type(SchemaType::Array(vec![Type::Array, Type::Null]))
        .build()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThemeCreate {
    /// Unique in the library.
    #[schema(max_length = 200, min_length = 1)]
    pub title: String,
    #[schema(max_length = 10_000)]
    pub description: Option<String>,
    #[schema(schema_with = nullable_categories_schema)]
    pub categories: Option<Vec<String>>,
    /// What a mediator needs to lead it (links, files, accounts).
    #[schema(max_length = 10_000)]
    pub materials: Option<String>,
    /// Staff able to lead it.
    #[schema(max_items = 50)]
    pub lead_ids: Option<Vec<i64>>,
}

/// The library's themes.
#[utoipa::path(
    get,
    path = "/themes",
    tag = "setup",
    security((), ("bearer" = [])),
    responses((status = 200, description = "Themes by title", body = Vec<ThemeOut>), ListErrors)
)]
pub async fn list_themes(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ThemeOut>>, ApiError> {
    let lib = caller.library(&state).await?;
    Ok(Json(
        state
            .store
            .list_themes(lib.id)
            .await?
            .into_iter()
            .map(|t| t.theme.into())
            .collect(),
    ))
}

/// Adds a theme (whoever edits the programme).
#[utoipa::path(
    post,
    path = "/themes",
    tag = "setup",
    request_body = ThemeCreate,
    security(("bearer" = [])),
    responses((status = 201, description = "The theme created", body = ThemeOut), CreateErrors)
)]
pub async fn create_theme(
    State(state): State<AppState>,
    who: Identity,
    ApiJson(b): ApiJson<ThemeCreate>,
) -> Result<(StatusCode, Json<ThemeOut>), ApiError> {
    who.require(Action::EditProgramme)?;
    let lib_id = who.staff.library_id;
    let mut p = Problems::new();
    let title = p.take(parse_name("title", &b.title, 200));
    let description = p.take(text(
        "description",
        b.description.as_deref().unwrap_or_default(),
        10_000,
    ));
    let materials = p.take(text(
        "materials",
        b.materials.as_deref().unwrap_or_default(),
        10_000,
    ));
    let categories = b.categories.unwrap_or_default();
    let categories = p.take(if categories.len() > THEME_CATEGORIES.len() {
        Err(Problem::field("categories", "error.too_many")
            .arg("max", THEME_CATEGORIES.len().to_string()))
    } else {
        parse_categories(&categories)
    });
    let leads = p.take(ids(
        "lead_ids",
        b.lead_ids.as_deref().unwrap_or_default(),
        50,
    ));
    for id in leads.iter().flatten() {
        match state.store.staff_by_id(lib_id, *id).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                p.push(Problem::field("lead_ids", "error.unknown_record"));
                break;
            }
            Err(e) => return Err(e.into()),
        }
    }
    let (Some(title), Some(description), Some(materials), Some(categories), Some(lead_ids)) =
        (title, description, materials, categories, leads)
    else {
        return Err(ApiError::Validation(p));
    };
    if !p.is_empty() {
        return Err(ApiError::Validation(p));
    }
    let theme = Theme {
        id: 0,
        title,
        description,
        categories,
        materials,
        lead_ids,
    };
    let id = state
        .store
        .save_theme(&who.actor(&state).await?, &theme)
        .await
        .map_err(name_taken("title"))?;
    Ok((
        StatusCode::CREATED,
        Json(state.store.theme(lib_id, id).await?.into()),
    ))
}

// ------------------------------------------------------------------ speakers

#[derive(Debug, Serialize, ToSchema)]
pub struct SpeakerOut {
    pub id: i64,
    pub name: String,
    pub organisation: String,
    pub email: String,
    pub phone: String,
    pub notes: String,
}

impl From<Speaker> for SpeakerOut {
    fn from(s: Speaker) -> Self {
        SpeakerOut {
            id: s.id,
            name: s.name,
            organisation: s.organisation,
            email: s.email,
            phone: s.phone,
            notes: s.notes,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpeakerCreate {
    #[schema(max_length = 200, min_length = 1)]
    pub name: String,
    #[schema(max_length = 200)]
    pub organisation: Option<String>,
    #[schema(max_length = 254, pattern = "^([^\\s@]+@[^\\s@]+)?$")]
    pub email: Option<String>,
    #[schema(max_length = 40)]
    pub phone: Option<String>,
    #[schema(max_length = 10_000)]
    pub notes: Option<String>,
}

/// An empty text or an address with one `@` between two non-empty parts.
fn email(s: &str) -> Result<String, Problem> {
    let e = parse_line("email", s, 254)?;
    let ok = e.is_empty()
        || (!e.contains(char::is_whitespace)
            && e.split_once('@')
                .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty() && !b.contains('@')));
    if ok {
        Ok(e)
    } else {
        Err(Problem::field("email", "error.email"))
    }
}

/// The speakers' directory (a token is needed). Contacts and notes are
/// empty for tokens whose role may not read them (IT, communication, viewer).
#[utoipa::path(
    get,
    path = "/speakers",
    tag = "setup",
    security(("bearer" = [])),
    responses((status = 200, description = "Speakers by name", body = Vec<SpeakerOut>), ListErrors)
)]
pub async fn list_speakers(
    State(state): State<AppState>,
    who: Identity,
) -> Result<Json<Vec<SpeakerOut>>, ApiError> {
    let private = who.role.may(Action::ReadSpeakerPrivate);
    let out = state
        .store
        .list_speakers(who.staff.library_id)
        .await?
        .into_iter()
        .map(|s| {
            if private {
                s.into()
            } else {
                SpeakerOut::from(Speaker {
                    email: String::new(),
                    phone: String::new(),
                    notes: String::new(),
                    ..s
                })
            }
        });
    Ok(Json(out.collect()))
}

/// Adds a speaker to the directory (coordinators and admins).
#[utoipa::path(
    post,
    path = "/speakers",
    tag = "setup",
    request_body = SpeakerCreate,
    security(("bearer" = [])),
    responses((status = 201, description = "The speaker created", body = SpeakerOut), CreateErrors)
)]
pub async fn create_speaker(
    State(state): State<AppState>,
    who: Identity,
    ApiJson(b): ApiJson<SpeakerCreate>,
) -> Result<(StatusCode, Json<SpeakerOut>), ApiError> {
    who.require(Action::EditSpeakers)?;
    let mut p = Problems::new();
    let name = p.take(parse_name("name", &b.name, 200));
    let organisation = p.take(parse_line(
        "organisation",
        b.organisation.as_deref().unwrap_or_default(),
        200,
    ));
    let email = p.take(email(b.email.as_deref().unwrap_or_default()));
    let phone = p.take(parse_line(
        "phone",
        b.phone.as_deref().unwrap_or_default(),
        40,
    ));
    let notes = p.take(text(
        "notes",
        b.notes.as_deref().unwrap_or_default(),
        10_000,
    ));
    let (Some(name), Some(organisation), Some(email), Some(phone), Some(notes)) =
        (name, organisation, email, phone, notes)
    else {
        return Err(ApiError::Validation(p));
    };
    let speaker = Speaker {
        id: 0,
        name,
        organisation,
        email,
        phone,
        notes,
    };
    let id = state
        .store
        .save_speaker(&who.actor(&state).await?, &speaker)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(state.store.speaker(who.staff.library_id, id).await?.into()),
    ))
}
