//! The review for spreadsheets, through the product's one CSV writer.

use crate::Tr;
use almanach_domain::csv::{self, Cell};
use almanach_domain::stats::Report;

/// A decimal the way a French spreadsheet reads it: "19,33", no thousands
/// separator; empty when there is none.
pub(crate) fn csv_decimal(v: Option<f64>) -> Cell {
    Cell::opt_decimal(v, 2)
}

/// An amount in cents for a French spreadsheet, exact: "1234,56", "-0,05".
pub(crate) fn csv_money(cents: Option<i64>) -> Cell {
    cents.map_or_else(Cell::empty, Cell::cents)
}

/// A table for spreadsheets, through the product's one CSV writer
/// (`almanach_domain::csv`): `;`, CRLF, UTF-8 with a BOM, text cells
/// neutralised against formulas.
pub fn csv(head: &[String], rows: &[Vec<Cell>]) -> String {
    csv::table(head.iter().map(String::as_str), rows)
}

pub(super) const CSV_HEADER: [&str; 17] = [
    "review.csv.period",
    "review.cycle",
    "review.col.events",
    "review.col.sessions",
    "review.col.talks",
    "review.col.workshops",
    "review.col.appointments",
    "review.col.participants",
    "review.col.under_14",
    "review.csv.uncounted",
    "review.change.per_talk",
    "review.change.per_workshop",
    "review.col.themes",
    "review.csv.spt_min",
    "review.csv.spt_max",
    "review.csv.cost",
    "review.csv.cost_per_participant",
];

/// The report for spreadsheets: one line per series then the total, for
/// the period and, when compared, the previous period after it. Numbers
/// plain, decimals with a comma.
pub fn report_csv(tr: &Tr, report: &Report, costs: bool) -> String {
    let n = if costs {
        CSV_HEADER.len()
    } else {
        CSV_HEADER.len() - 2
    };
    let head: Vec<String> = CSV_HEADER[..n]
        .iter()
        .map(|k| tr.t(k).to_string())
        .collect();
    let mut rows = Vec::new();
    for r in std::iter::once(report).chain(report.previous.as_deref()) {
        for row in r.series.iter().chain(std::iter::once(&r.total)) {
            let spt = row.sessions_per_theme;
            let mut cells = vec![
                Cell::text(r.label.clone()),
                Cell::text(
                    row.series
                        .clone()
                        .unwrap_or_else(|| tr.t("review.total").into()),
                ),
                Cell::int(row.events),
                Cell::int(row.sessions),
                Cell::int(row.talks),
                Cell::int(row.workshops),
                Cell::int(row.appointments),
                Cell::int(row.participants),
                Cell::int(row.under_14),
                Cell::int(row.uncounted_sessions),
                csv_decimal(row.avg_per_talk),
                csv_decimal(row.avg_per_workshop),
                Cell::int(row.themes),
                spt.map_or_else(Cell::empty, |m| Cell::int(m.min)),
                spt.map_or_else(Cell::empty, |m| Cell::int(m.max)),
            ];
            if costs {
                cells.push(csv_money(Some(row.cost_cents)));
                cells.push(csv_money(row.cost_per_participant_cents));
            }
            rows.push(cells);
        }
    }
    csv(&head, &rows)
}
