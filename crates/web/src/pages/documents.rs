//! Speakers' documents (agreement, invoice, insurance): upload on the
//! speaker's record, download, delete. Only those who may read speakers'
//! private details see them at all. A file is judged by its content
//! (`documents::sniff`); a refused one is said next to the field and
//! nothing is stored.

use almanach_domain::documents::{DocumentKind, MAX_DOCUMENT_BYTES, sniff};
use almanach_domain::staff::Action;
use almanach_store::{Document, NewDocument};
use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::auth::{Posted, StaffSession, same_secret};
use crate::view::{Flash, Page, stamp};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/staff/speakers/{id}/documents",
            get(documents_page)
                .post(document_upload)
                .layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES + 64 * 1024)),
        )
        .route("/staff/documents/{id}", get(document_download))
        .route("/staff/documents/{id}/delete", post(document_delete))
}

struct Row {
    doc: Document,
    kind: String,
    uploaded: String,
    size: String,
}

#[derive(Template)]
#[template(path = "documents.html")]
struct DocumentsPage {
    page: Page,
    speaker_id: i64,
    speaker_name: String,
    rows: Vec<Row>,
    kinds: Vec<(&'static str, String)>,
    kind: String,
    file_error: String,
}

async fn render(
    state: &AppState,
    s: &StaffSession,
    flash: &Flash,
    speaker_id: i64,
    kind: &str,
    file_error: String,
) -> Result<String, WebError> {
    let lib = s.library_id();
    let rec = state.store.speaker_record(lib, speaker_id).await?;
    let tz = state.store.library(lib).await?.tz();
    let tr = Tr::new(s.lang);
    let rows = state
        .store
        .speaker_documents(lib, speaker_id)
        .await?
        .into_iter()
        .map(|doc| Row {
            kind: tr.t(kind_key(doc.kind)).to_string(),
            uploaded: stamp(s.lang, &tz, doc.uploaded_at),
            size: tr.tf(
                "documents.kb",
                &[("n", ((doc.size + 1023) / 1024).to_string())],
            ),
            doc,
        })
        .collect();
    let kinds = DocumentKind::ALL
        .iter()
        .map(|k| (k.slug(), tr.t(kind_key(*k)).to_string()))
        .collect();
    let title = tr.tf("documents.title_of", &[("name", rec.speaker.name.clone())]);
    let page = Page::new(s, title, "speakers", flash);
    Ok(DocumentsPage {
        page,
        speaker_id,
        speaker_name: rec.speaker.name,
        rows,
        kinds,
        kind: kind.to_string(),
        file_error,
    }
    .render()?)
}

fn kind_key(k: DocumentKind) -> &'static str {
    match k {
        DocumentKind::Agreement => "documents.kind.agreement",
        DocumentKind::Invoice => "documents.kind.invoice",
        DocumentKind::Insurance => "documents.kind.insurance",
    }
}

async fn documents_page(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    s.require(Action::ReadSpeakerPrivate)?;
    Ok(Html(
        render(&state, &s, &flash, id, "agreement", String::new()).await?,
    ))
}

async fn document_upload(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> Result<Response, WebError> {
    s.require(Action::ReadSpeakerPrivate)?;
    let bad = |e: axum::extract::multipart::MultipartError| WebError::BadRequest(e.to_string());
    let (mut csrf, mut kind, mut name, mut bytes) =
        (String::new(), String::new(), String::new(), Vec::new());
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.map_err(bad)?,
            "kind" => kind = field.text().await.map_err(bad)?,
            "file" => {
                name = field.file_name().unwrap_or_default().to_string();
                bytes = field.bytes().await.map_err(bad)?.to_vec();
            }
            _ => {}
        }
    }
    // `Posted<T>` reads urlencoded forms only: the same check, by hand.
    if !same_secret(&csrf, &s.csrf) {
        return Err(WebError::Csrf);
    }
    let kind_parsed =
        DocumentKind::parse(&kind).ok_or_else(|| WebError::BadRequest(format!("kind {kind:?}")))?;
    let content_type = match sniff(&bytes) {
        Ok(t) => t,
        Err(refusal) => {
            let msg = Tr::new(s.lang).t(refusal.key()).to_string();
            let html = render(&state, &s, &Flash::default(), id, &kind, msg).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    // A name with control or bidirectional characters ("facture\u{202e}fdp.exe"
    // shows as "factureexe.pdf") is refused, as in every form.
    if almanach_domain::text::line_flaw(&name).is_some() {
        let msg = Tr::new(s.lang).t("documents.error.name").to_string();
        let html = render(&state, &s, &Flash::default(), id, &kind, msg).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
    }
    let file_name: String = name
        .chars()
        .filter(|c| *c != '"' && *c != '\\')
        .take(200)
        .collect();
    let new = NewDocument {
        speaker_id: id,
        kind: kind_parsed,
        file_name: &file_name,
        content_type,
        bytes: &bytes,
    };
    state.store.add_document(&s.actor(), &new).await?;
    Ok(Redirect::to(&format!("/staff/speakers/{id}/documents?done=saved")).into_response())
}

async fn document_download(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    s.require(Action::ReadSpeakerPrivate)?;
    let (doc, bytes) = state.store.document_bytes(s.library_id(), id).await?;
    // The name was cleaned of quotes and control characters on upload; the
    // RFC 5987 form carries any other character.
    let ascii: String = doc
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = doc
        .file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    Ok((
        [
            (header::CONTENT_TYPE, doc.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
struct Empty {}

async fn document_delete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { session: s, .. }: Posted<Empty>,
) -> Result<Response, WebError> {
    s.require(Action::ReadSpeakerPrivate)?;
    let doc = state.store.delete_document(&s.actor(), id).await?;
    Ok(Redirect::to(&format!(
        "/staff/speakers/{}/documents?done=saved",
        doc.speaker_id
    ))
    .into_response())
}
