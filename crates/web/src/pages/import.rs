//! Import of past seasons as an upload (`/staff/import`): the same parser
//! and store import as `almanach import`. The first post is always a dry run
//! showing what would be created or every error; the confirmation posts the
//! same bytes back from a hidden field and imports them all or nothing.
//!
//! The file travels back in a hidden hex field rather than being kept on the
//! server: nothing to clean up, nothing shared between processes, and the
//! coordinator confirms exactly the bytes that were checked. Hex rather than
//! base64 avoids a dependency; it doubles the size, which the cap below keeps
//! small (spreadsheets of a season are tens of kilobytes).

use almanach_domain::Lang;
use almanach_domain::import::{
    ImportError, ImportLimits, ParsedFile, nothing_counted_ahead, parse_file_with,
};
use almanach_domain::staff::Action;
use almanach_store::ImportSummary;
use askama::Template;
use axum::Router;
use axum::extract::multipart::{MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::auth::{StaffSession, same_secret};
use crate::view::{Flash, Page};
use crate::{AppState, Tr, WebError};

/// The largest file accepted: the request's body is cut beyond (twice that,
/// for the hex copy), and the page says so next to the file field. Within
/// it, what the file may unpack to is bounded by `WebConfig::import_limits`.
pub const MAX_FILE: usize = 2 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    // Room for the file, or its hex copy on confirmation, and the other fields.
    Router::new().route(
        "/staff/import",
        get(import_form)
            .post(import_post)
            .layer(DefaultBodyLimit::max(2 * MAX_FILE + 64 * 1024)),
    )
}

/// One error as shown: line, column, reason in the reader's language.
struct ErrorRow {
    line: usize,
    column: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    page: Page,
    sheet: String,
    /// What could not be read about the upload itself (no file, too large,
    /// not a spreadsheet, beyond the import's limits).
    file_error: String,
    /// The sheet asked for is not in the workbook.
    sheet_error: String,
    errors: Vec<ErrorRow>,
    /// After a dry run or an import: what was (or would be) created.
    summary: Option<ImportSummary>,
    dry_run: bool,
    file_name: String,
    /// What the file was read as ("CSV « ; », UTF-8").
    source: String,
    /// The checked bytes, in hex, for the confirmation.
    kept: String,
    rows: usize,
}

impl ImportPage {
    fn new(s: &StaffSession) -> ImportPage {
        ImportPage {
            page: Page::new(
                s,
                Tr::new(s.lang).t("import.title"),
                "import",
                &Flash(None, "/staff/import".into()),
            ),
            sheet: String::new(),
            file_error: String::new(),
            sheet_error: String::new(),
            errors: Vec::new(),
            summary: None,
            dry_run: true,
            file_name: String::new(),
            source: String::new(),
            kept: String::new(),
            rows: 0,
        }
    }
}

async fn import_form(s: StaffSession) -> Result<Html<String>, WebError> {
    s.require(Action::EditSetup)?;
    Ok(Html(ImportPage::new(&s).render()?))
}

/// The fields of the multipart form.
#[derive(Default)]
struct Upload {
    csrf: String,
    file: Vec<u8>,
    file_name: String,
    kept: String,
    sheet: String,
    confirm: bool,
}

/// Why the form could not be read at all.
enum Unreadable {
    /// Beyond the body limit: the file is too large.
    TooLarge,
    /// Not a multipart form, or a broken one.
    Malformed,
}

impl From<MultipartError> for Unreadable {
    fn from(e: MultipartError) -> Unreadable {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Unreadable::TooLarge
        } else {
            tracing::info!(why = %e.body_text(), "unreadable import form");
            Unreadable::Malformed
        }
    }
}

async fn read_upload(mut mp: Multipart) -> Result<Upload, Unreadable> {
    let mut u = Upload::default();
    while let Some(field) = mp.next_field().await? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                u.file_name = field.file_name().unwrap_or_default().to_string();
                u.file = field.bytes().await?.to_vec();
            }
            "csrf" => u.csrf = field.text().await?,
            "kept" => u.kept = field.text().await?,
            "file_name" if u.file_name.is_empty() => u.file_name = field.text().await?,
            "sheet" => u.sheet = field.text().await?.trim().to_string(),
            "confirm" => u.confirm = field.text().await? == "1",
            _ => {}
        }
    }
    Ok(u)
}

async fn import_post(
    State(state): State<AppState>,
    s: StaffSession,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    s.require(Action::EditSetup)?;
    let tr = Tr::new(s.lang);
    let mut page = ImportPage::new(&s);
    let refuse =
        |mut page: ImportPage, status: StatusCode, key: &str| -> Result<Response, WebError> {
            page.file_error = tr.t(key).to_string();
            Ok((status, Html(page.render()?)).into_response())
        };
    // A form that cannot be read writes nothing: said next to the file
    // field, whatever its token (the body may have been cut before it).
    let u = match mp {
        Ok(mp) => read_upload(mp).await,
        Err(_) => Err(Unreadable::Malformed),
    };
    let u = match u {
        Ok(u) => u,
        Err(Unreadable::TooLarge) => {
            return refuse(
                page,
                StatusCode::PAYLOAD_TOO_LARGE,
                "import.error.too_large",
            );
        }
        Err(Unreadable::Malformed) => {
            return refuse(page, StatusCode::BAD_REQUEST, "import.error.malformed");
        }
    };
    // `Posted<T>` reads urlencoded forms only: the same check, by hand.
    if !same_secret(&u.csrf, &s.csrf) {
        return Err(WebError::Csrf);
    }
    page.sheet = u.sheet.clone();
    page.file_name = u.file_name.clone();
    let bytes = if !u.file.is_empty() {
        Some(u.file)
    } else {
        from_hex(&u.kept)
    };
    let bytes = match bytes {
        Some(b) if b.len() > MAX_FILE => {
            return refuse(
                page,
                StatusCode::PAYLOAD_TOO_LARGE,
                "import.error.too_large",
            );
        }
        Some(b) if !b.is_empty() => b,
        _ => {
            return refuse(
                page,
                StatusCode::UNPROCESSABLE_ENTITY,
                "import.error.no_file",
            );
        }
    };
    let tz = state.store.library(s.library_id()).await?.tz();
    let now = jiff::Zoned::now().with_time_zone(tz).datetime();
    let (bytes, parsed) = parse(bytes, &u.sheet, state.config.import_limits).await;
    // Attendance of sessions still to come is refused like any error of the file.
    let parsed = parsed.and_then(|p| nothing_counted_ahead(p, now));
    let parsed = match parsed {
        Ok(p) => p,
        Err(errors) => {
            let reason = |e: &ImportError| error_row(e, s.lang).reason;
            let (file, rest): (Vec<_>, Vec<_>) = errors.iter().partition(|e| e.is_about_file());
            let (sheet, rows): (Vec<_>, Vec<_>) =
                rest.into_iter().partition(|e| e.is_about_sheet());
            page.file_error = file.iter().map(|e| reason(e)).collect::<Vec<_>>().join(" ");
            page.sheet_error = sheet
                .iter()
                .map(|e| reason(e))
                .collect::<Vec<_>>()
                .join(" ");
            page.errors = rows.iter().map(|e| error_row(e, s.lang)).collect();
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
    };
    let dry_run = !u.confirm;
    let source = format!("{} ({})", u.file_name, parsed.source);
    let summary = state
        .store
        .import_history(&s.actor(), &parsed.rows, &source, dry_run)
        .await?;
    page.rows = parsed.rows.len();
    page.source = parsed.source.clone();
    page.dry_run = dry_run;
    page.summary = Some(summary);
    if dry_run {
        page.kept = to_hex(&bytes);
    }
    Ok(Html(page.render()?).into_response())
}

/// Reads the file on a blocking thread (a large sheet takes a while), and
/// hands the bytes back. Should the reading panic all the same, the file
/// is refused like any unreadable one.
async fn parse(
    bytes: Vec<u8>,
    sheet: &str,
    limits: ImportLimits,
) -> (Vec<u8>, Result<ParsedFile, Vec<ImportError>>) {
    let sheet = (!sheet.is_empty()).then(|| sheet.to_string());
    let read = tokio::task::spawn_blocking(move || {
        let parsed = parse_file_with(&bytes, sheet.as_deref(), &limits);
        (bytes, parsed)
    })
    .await;
    read.unwrap_or_else(|e| {
        tracing::error!(cause = %e, "the import reader failed");
        let why = ImportError::unreadable("la lecture s'est interrompue");
        (Vec::new(), Err(vec![why]))
    })
}

fn error_row(e: &ImportError, lang: Lang) -> ErrorRow {
    let reason = match lang {
        Lang::Fr => e.reason_fr(),
        Lang::En => e.reason_en(),
    };
    ErrorRow {
        line: e.line,
        column: e.column.clone(),
        reason,
    }
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// None when the text is not even-length lowercase or uppercase hex.
fn from_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim().as_bytes();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.chunks(2)
        .map(|c| u8::from_str_radix(std::str::from_utf8(c).ok()?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips_and_refuses_garbage() {
        let bytes = b"date;cycle\n\xef\xbb\xbf\x00\xff".to_vec();
        assert_eq!(from_hex(&to_hex(&bytes)), Some(bytes));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex("zz"), None);
    }
}
