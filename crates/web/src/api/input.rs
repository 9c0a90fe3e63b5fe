//! Reading what API clients send: JSON bodies, queries and paths whose
//! rejections answer as JSON errors, form values given as strings or
//! numbers, and the schemas that describe them.

use almanach_domain::Problem;
use almanach_domain::programme::parse_text;
use axum::Json;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use utoipa::openapi::schema::{SchemaType, Type};
use utoipa::openapi::{Object, ObjectBuilder};

use super::error::ApiError;

/// A JSON body; what cannot be read is a `bad_request`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        Json::<T>::from_request(req, state)
            .await
            .map(|Json(v)| ApiJson(v))
            .map_err(|r| ApiError::BadRequest(r.body_text()))
    }
}

/// A query string; what cannot be read is a `bad_request`.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|r| ApiError::BadRequest(r.body_text()))
    }
}

/// A record id in the path; anything but an integer is a `bad_request`.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<i64>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| Id(v))
            .map_err(|r| ApiError::BadRequest(r.body_text()))
    }
}

/// The longest string a `Loose` value may hold.
const LOOSE_MAX: usize = 100;

/// A form value (a capacity, an age, a price) sent as a JSON string, as a
/// number, or as null for "none"; the domain's parsers take it as text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Loose(pub String);

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Loose, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Loose;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                write!(
                    f,
                    "a string of at most {LOOSE_MAX} characters, a number or null"
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Loose, E> {
                if v.chars().count() > LOOSE_MAX {
                    return Err(E::invalid_length(v.chars().count(), &self));
                }
                Ok(Loose(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Loose, E> {
                Ok(Loose(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Loose, E> {
                Ok(Loose(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Loose, E> {
                Ok(Loose(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Loose, E> {
                Ok(Loose::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// For `Option<T>` fields where null means something (clear the value):
/// absent stays `None`, present (even null) is `Some`.
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// A `Loose` whole number: a string, an integer within `min..=max`, or null.
pub fn loose_integer(min: i64, max: i64) -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![
            Type::String,
            Type::Integer,
            Type::Null,
        ]))
        .max_length(Some(LOOSE_MAX))
        .minimum(Some(min))
        .maximum(Some(max))
        .build()
}

pub fn capacity_schema() -> Object {
    loose_integer(1, 100_000)
}

pub fn age_schema() -> Object {
    loose_integer(0, 120)
}

pub fn minutes_schema() -> Object {
    loose_integer(5, 24 * 60)
}

/// A price in euros: "7,50", 7.5, or null for free.
pub fn price_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::Array(vec![Type::String, Type::Number, Type::Null]))
        .max_length(Some(LOOSE_MAX))
        .minimum(Some(0))
        .maximum(Some(99_999.99))
        .description(Some("In euros, as typed in the form (\"7,50\") or as a number (7.5); null or \"\" for free."))
        .build()
}

/// A free text of at most `max` characters: the forms' rule (line breaks
/// and tabs, no other control character, no bidirectional override).
pub fn text(field: &'static str, s: &str, max: usize) -> Result<String, Problem> {
    parse_text(field, s, max)
}

/// An empty text, or a web address.
pub fn url(field: &'static str, s: &str) -> Result<String, Problem> {
    let u = text(field, s, 500)?;
    let web = u.starts_with("https://") || u.starts_with("http://");
    if !(u.is_empty() || web) || u.contains(char::is_whitespace) {
        return Err(Problem::field(field, "error.url"));
    }
    Ok(u)
}

/// At most `max` ids in a list of references.
pub fn ids(field: &'static str, v: &[i64], max: usize) -> Result<Vec<i64>, Problem> {
    if v.len() > max {
        return Err(Problem::field(field, "error.too_many").arg("max", max.to_string()));
    }
    Ok(v.to_vec())
}
