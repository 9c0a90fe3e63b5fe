//! Almanach's domain: the programme (series, events, sessions, themes, rooms,
//! staff), its rules, and the calendar arithmetic they need. No I/O here: the
//! compiler keeps storage and HTTP out.

pub mod attendance;
pub mod calendar;
pub mod collate;
pub mod costs;
pub mod csv;
pub mod documents;
pub mod fmt;
pub mod french;
pub mod i18n;
pub mod ical;
pub mod ids;
pub mod import;
pub mod link;
pub mod logistics;
pub mod plural;
pub mod problem;
pub mod programme;
pub mod registration;
pub mod speakers;
pub mod staff;
pub mod stats;
pub mod text;

pub use problem::{Lang, Problem, Problems};
