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
use almanach_domain::import::{ImportError, counted_ahead, parse_file};
use almanach_domain::staff::Action;
use almanach_store::ImportSummary;
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::auth::{StaffSession, same_secret};
use crate::view::{Flash, Page};
use crate::{AppState, Tr, WebError};

/// The largest file accepted.
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
    /// What could not be read about the upload itself (no file, too large).
    file_error: String,
    errors: Vec<ErrorRow>,
    /// After a dry run or an import: what was (or would be) created.
    summary: Option<ImportSummary>,
    dry_run: bool,
    file_name: String,
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
            errors: Vec::new(),
            summary: None,
            dry_run: true,
            file_name: String::new(),
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

async fn read_upload(mut mp: Multipart) -> Result<Upload, WebError> {
    let bad = |e: axum::extract::multipart::MultipartError| WebError::BadRequest(e.to_string());
    let mut u = Upload::default();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "file" => {
                u.file_name = field.file_name().unwrap_or_default().to_string();
                u.file = field.bytes().await.map_err(bad)?.to_vec();
            }
            "csrf" => u.csrf = field.text().await.map_err(bad)?,
            "kept" => u.kept = field.text().await.map_err(bad)?,
            "file_name" if u.file_name.is_empty() => {
                u.file_name = field.text().await.map_err(bad)?
            }
            "sheet" => u.sheet = field.text().await.map_err(bad)?.trim().to_string(),
            "confirm" => u.confirm = field.text().await.map_err(bad)? == "1",
            _ => {}
        }
    }
    Ok(u)
}

async fn import_post(
    State(state): State<AppState>,
    s: StaffSession,
    mp: Multipart,
) -> Result<Response, WebError> {
    s.require(Action::EditSetup)?;
    let u = read_upload(mp).await?;
    // `Posted<T>` reads urlencoded forms only: the same check, by hand.
    if !same_secret(&u.csrf, &s.csrf) {
        return Err(WebError::Csrf);
    }
    let tr = Tr::new(s.lang);
    let mut page = ImportPage::new(&s);
    page.sheet = u.sheet.clone();
    page.file_name = u.file_name.clone();
    let bytes = if !u.file.is_empty() {
        Some(u.file)
    } else {
        from_hex(&u.kept)
    };
    let bytes = match bytes {
        None => Err("import.error.no_file"),
        Some(b) if b.is_empty() => Err("import.error.no_file"),
        Some(b) if b.len() > MAX_FILE => Err("import.error.too_large"),
        Some(b) => Ok(b),
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(key) => {
            page.file_error = tr.t(key).to_string();
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
    };
    let sheet = (!u.sheet.is_empty()).then_some(u.sheet.as_str());
    let tz = state.store.library(s.library_id()).await?.tz();
    let now = jiff::Zoned::now().with_time_zone(tz).datetime();
    // Attendance of sessions still to come is refused like any error of the file.
    let parsed = match parse_file(&bytes, sheet).and_then(|p| {
        let ahead = counted_ahead(&p.rows, now);
        if ahead.is_empty() { Ok(p) } else { Err(ahead) }
    }) {
        Ok(p) => p,
        Err(errors) => {
            page.errors = errors.iter().map(|e| error_row(e, s.lang)).collect();
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
    page.dry_run = dry_run;
    page.summary = Some(summary);
    if dry_run {
        page.kept = to_hex(&bytes);
    }
    Ok(Html(page.render()?).into_response())
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
