//! Typed ids: one type per table whose rows the store hands out, so a
//! library's data cannot be read with another library's id, nor a session
//! with an event's id, by mistake (docs/decisions/0023).
//!
//! Each is transparent over the `i64` both databases store: serde reads and
//! writes a plain integer (API JSON and URL segments are unchanged), and with
//! the `sqlx` feature, which only the store enables, sqlx's `Any` driver binds
//! and reads it as that integer. The impls live here because the orphan rule
//! forbids them in the store.

use std::fmt;
use std::num::ParseIntError;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        ///
        /// Wrapping a raw integer (`LibraryId(7)`) is deliberate and visible;
        /// turning one id type into another takes `.get()` and a new wrap.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        #[derive(Serialize, Deserialize)]
        #[serde(transparent)]
        #[repr(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The integer stored in the database.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        /// As `i64` parses: a path segment or a form value.
        impl FromStr for $name {
            type Err = ParseIntError;
            fn from_str(s: &str) -> Result<Self, ParseIntError> {
                s.parse().map($name)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }

        #[cfg(feature = "sqlx")]
        impl sqlx::Type<sqlx::Any> for $name {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <i64 as sqlx::Type<sqlx::Any>>::type_info()
            }
            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <i64 as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }

        #[cfg(feature = "sqlx")]
        impl<'q> sqlx::Encode<'q, sqlx::Any> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Any as sqlx::Database>::ArgumentBuffer<'q>,
            ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <i64 as sqlx::Encode<'q, sqlx::Any>>::encode_by_ref(&self.0, buf)
            }
        }

        #[cfg(feature = "sqlx")]
        impl<'r> sqlx::Decode<'r, sqlx::Any> for $name {
            fn decode(
                value: <sqlx::Any as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                <i64 as sqlx::Decode<'r, sqlx::Any>>::decode(value).map($name)
            }
        }
    )*};
}

ids! {
    /// A library (`libraries`): the tenant every other row belongs to.
    LibraryId;
    /// An event (`events`).
    EventId;
    /// One date of an event (`sessions`).
    SessionId;
    /// A registration (`registrations`).
    RegistrationId;
    /// A speaker (`speakers`).
    SpeakerId;
    /// A room (`rooms`).
    RoomId;
    /// A series of events (`series`).
    SeriesId;
    /// A theme (`themes`).
    ThemeId;
    /// A staff member, the people who sign in (`staff`).
    StaffId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_as_the_plain_integer() {
        assert_eq!("42".parse::<EventId>(), Ok(EventId(42)));
        assert!("4x".parse::<EventId>().is_err());
        assert_eq!(LibraryId(7).to_string(), "7");
    }
}
