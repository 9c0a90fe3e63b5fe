//! `almanach report`: a period's statistics as JSON (documented in
//! docs/report-json.md), or as the season review the staff interface shows,
//! in French: CSV for spreadsheets (`;`, comma decimals, UTF-8 with BOM), a
//! standalone HTML page, or a PDF (`almanach_web::review`).

use almanach_domain::Lang;
use almanach_domain::stats::{Period, Report};
use almanach_store::{Library, Scope, Store};
use almanach_web::Tr;
use almanach_web::review::{Review, ReviewView, pdf, report_csv, to_html};

/// The JSON, pretty-printed: its shape is the public contract.
pub fn to_json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("reports serialise");
    s.push('\n');
    s
}

pub fn to_csv(report: &Report) -> String {
    report_csv(&Tr::new(Lang::Fr), report, true)
}

/// The review (HTML or PDF) needs the trend and extras besides the report.
pub async fn review(
    store: &Store,
    scope: Scope<'_>,
    period: &Period,
    compare: bool,
    library: &Library,
    pdf_format: bool,
) -> anyhow::Result<Vec<u8>> {
    let review = Review::load(store, scope, period, compare).await?;
    let mut view = ReviewView::new(
        Tr::new(Lang::Fr),
        &review,
        &library.name,
        scope.series,
        true,
    );
    view.issued = Some(jiff::Zoned::now().with_time_zone(library.tz()).date());
    Ok(if pdf_format {
        pdf::render(&view)
    } else {
        to_html(&view).into_bytes()
    })
}
