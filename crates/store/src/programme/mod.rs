//! The programme's records: rooms, series, themes, speakers, events and
//! sessions, one file each. Writes are transactional and audited; a
//! session's room is checked for clashes inside the same transaction that
//! saves it. Children import leaf modules (`rows`, `select`, `sql`) and each
//! other, never this file, which only assembles them.

mod events;
mod owned;
mod rooms;
mod series;
mod sessions;
mod speakers;
mod themes;

pub(crate) use events::write_event;
pub use events::{EventPeriod, EventQuery, EventRow};
pub use rooms::Room;
pub use series::Series;
pub use sessions::{RoomClash, SessionFilter, SessionWrite};
pub(crate) use sessions::{longest, set_cancelled_in, write_session};
pub use themes::{Theme, ThemeSummary};
