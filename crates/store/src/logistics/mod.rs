//! Technical needs and the IT department: this area's settings per
//! library, the catalogue of needs, each session's needs with their
//! comment thread, a series' default needs, the team's "tested without IT"
//! check, the IT board, readiness and the weekly digest. Due dates are
//! computed when read (see the migration), from the domain's rule.
//!
//! One file per part; children import `rows` (this area's leaf) and each
//! other, never this file, which only assembles them.

mod board;
mod catalogue;
mod needs;
mod rows;
mod series_needs;
mod settings;

pub use board::{BoardFilter, Digest, DigestSession};
pub use catalogue::NeedType;
pub use needs::{NeedComment, NeedWrite, SessionPrep};
pub(crate) use rows::opt_date;
pub use rows::{ItContext, Need, Refused};
pub use series_needs::SeriesNeed;
pub(crate) use series_needs::after_session_created;
pub use settings::LogisticsSettings;
