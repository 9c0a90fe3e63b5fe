//! The season review (bilan) a coordinator hands to the direction, and the
//! figures the statistics dashboard shows: a period's report, its extras
//! and its trend, worded in the reader's language with French typography
//! ("19 pers. / atelier", "1 234", thin spaces), as a standalone HTML page,
//! CSV for spreadsheets, and a PDF (see `pdf`). `almanach report` uses the
//! same code, in French.

pub mod chart;
mod csv;
mod document;
mod figures;
mod format;
pub mod pdf;
#[cfg(test)]
mod tests;

pub use csv::{csv, report_csv};
pub(crate) use csv::{csv_decimal, csv_money};
pub use document::{Links, REVIEW_CSS, ReviewView, to_html};
pub use figures::{ChangeView, Figure, Review, RowView, charts, figures};
pub use format::Fmt;
