//! Speakers' documents: the bytes in the database (so a backup holds them),
//! listed without their bytes, audited without them too.

use almanach_domain::documents::DocumentKind;
use almanach_domain::ids::LibraryId;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Actor, record};
use crate::{Result, Store, StoreError, classify, now};

/// A document as listed and audited: everything but its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    pub id: i64,
    pub speaker_id: i64,
    pub kind: DocumentKind,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_at: i64,
}

/// A document to store; `content_type` comes from `documents::sniff`.
pub struct NewDocument<'a> {
    pub speaker_id: i64,
    pub kind: DocumentKind,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

const COLUMNS: &str = "id, speaker_id, kind, file_name, content_type, size, uploaded_at";

fn document(r: &AnyRow) -> Result<Document> {
    let kind: String = r.try_get("kind")?;
    Ok(Document {
        id: r.try_get("id")?,
        speaker_id: r.try_get("speaker_id")?,
        kind: DocumentKind::parse(&kind)
            .ok_or_else(|| StoreError::Unusable(format!("unknown document kind {kind:?}")))?,
        file_name: r.try_get("file_name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        uploaded_at: r.try_get("uploaded_at")?,
    })
}

impl Store {
    /// A speaker's documents, newest first.
    pub async fn speaker_documents(
        &self,
        library_id: LibraryId,
        speaker_id: i64,
    ) -> Result<Vec<Document>> {
        let rows = sqlx::query(&format!(
            "select {COLUMNS} from documents where library_id = $1 and speaker_id = $2 order by uploaded_at desc, id desc"
        ))
        .bind(library_id)
        .bind(speaker_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(document).collect()
    }

    /// One document with its bytes.
    pub async fn document_bytes(
        &self,
        library_id: LibraryId,
        id: i64,
    ) -> Result<(Document, Vec<u8>)> {
        let r = sqlx::query(&format!(
            "select {COLUMNS}, bytes from documents where library_id = $1 and id = $2"
        ))
        .bind(library_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok((document(&r)?, r.try_get("bytes")?))
    }

    /// Stores a document on one of the library's speakers.
    pub async fn add_document(&self, actor: &Actor, new: &NewDocument<'_>) -> Result<i64> {
        let mut tx = self.write().await?;
        let known: Option<i64> =
            sqlx::query_scalar("select id from speakers where id = $1 and library_id = $2")
                .bind(new.speaker_id)
                .bind(actor.library_id)
                .fetch_optional(&mut *tx)
                .await?;
        if known.is_none() {
            return Err(StoreError::NotFound);
        }
        let at = now();
        let id: i64 = sqlx::query_scalar(
            "insert into documents (library_id, speaker_id, kind, file_name, content_type, size, uploaded_at, bytes) \
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
        )
        .bind(actor.library_id)
        .bind(new.speaker_id)
        .bind(new.kind.slug())
        .bind(new.file_name)
        .bind(new.content_type)
        .bind(new.bytes.len() as i64)
        .bind(at)
        .bind(new.bytes.to_vec())
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let doc = Document {
            id,
            speaker_id: new.speaker_id,
            kind: new.kind,
            file_name: new.file_name.to_string(),
            content_type: new.content_type.to_string(),
            size: new.bytes.len() as i64,
            uploaded_at: at,
        };
        record(&mut tx, actor, "document", id, "create", None, Some(&doc)).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn delete_document(&self, actor: &Actor, id: i64) -> Result<Document> {
        let mut tx = self.write().await?;
        let r = sqlx::query(&format!(
            "select {COLUMNS} from documents where library_id = $1 and id = $2"
        ))
        .bind(actor.library_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let doc = document(&r)?;
        sqlx::query("delete from documents where id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        record(&mut tx, actor, "document", id, "delete", Some(&doc), None).await?;
        tx.commit().await?;
        Ok(doc)
    }
}
