//! The audit trail: every staff change, who, when, before and after. Written
//! in the same transaction as the change, so neither exists without the other.

use almanach_domain::ids::LibraryId;
use serde::Serialize;
use sqlx::Row;

use crate::{Result, Store, Tx, now};

/// Who is making a change: a signed-in staff member, an API token, or the
/// command line.
#[derive(Debug, Clone)]
pub struct Actor {
    pub library_id: LibraryId,
    pub staff_id: Option<i64>,
    pub label: String,
}

impl Actor {
    pub fn system(library_id: LibraryId, label: &str) -> Actor {
        Actor {
            library_id,
            staff_id: None,
            label: label.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub actor: String,
    pub at: i64,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub(crate) async fn record<T: Serialize>(
    tx: &mut Tx,
    actor: &Actor,
    entity: &str,
    entity_id: impl Into<i64>,
    action: &str,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<()> {
    let json = |v: Option<&T>| v.map(|v| serde_json::to_string(v).expect("records serialise"));
    let entry = Entry {
        entity,
        entity_id: entity_id.into(),
        action,
        before: json(before),
        after: json(after),
    };
    record_all(tx, actor, std::slice::from_ref(&entry)).await
}

/// One audit entry, its before and after already serialised.
pub(crate) struct Entry<'a> {
    pub(crate) entity: &'a str,
    pub(crate) entity_id: i64,
    pub(crate) action: &'a str,
    pub(crate) before: Option<String>,
    pub(crate) after: Option<String>,
}

/// Rows for `audit_log` a statement, at most (see `sql::pieces`).
const ENTRIES_PER_STATEMENT: usize = 32;

/// Records `entries`, all by `actor` at the same moment, in as few
/// statements as their number allows (the registrar writes a batch's in one).
pub(crate) async fn record_all(tx: &mut Tx, actor: &Actor, entries: &[Entry<'_>]) -> Result<()> {
    let at = now();
    for chunk in crate::sql::pieces(entries, ENTRIES_PER_STATEMENT) {
        // Written inside a staff action, the entry names it (see `actions`, `select::OPEN_ACTION`).
        let values = crate::sql::value_rows(chunk.len(), 4, 5, |p| {
            format!(
                "($1, $2, $3, $4, {}, {}, {}, {}, {}, (select max(id) {}))",
                p[0],
                p[1],
                p[2],
                p[3],
                p[4],
                crate::select::OPEN_ACTION
            )
        });
        let sql = format!(
            "insert into audit_log (library_id, staff_id, actor, at, entity, entity_id, action, before_json, \
             after_json, action_id) values {values}"
        );
        let mut q = sqlx::query(&sql)
            .bind(actor.library_id)
            .bind(actor.staff_id)
            .bind(&actor.label)
            .bind(at);
        for e in chunk {
            q = q
                .bind(e.entity)
                .bind(e.entity_id)
                .bind(e.action)
                .bind(e.before.as_deref())
                .bind(e.after.as_deref());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Ends a create-or-update: records it ("create" when there was nothing
/// before, else "update") and commits; the record's id back.
pub(crate) async fn commit_saved<T: Serialize, I: Into<i64> + Copy>(
    mut tx: Tx,
    actor: &Actor,
    entity: &str,
    id: I,
    before: Option<&T>,
    after: &T,
) -> Result<I> {
    let action = if before.is_some() { "update" } else { "create" };
    record(&mut tx, actor, entity, id, action, before, Some(after)).await?;
    tx.commit().await?;
    Ok(id)
}

impl Store {
    /// The newest entries first; optionally those of one record.
    pub async fn audit_log(
        &self,
        library_id: LibraryId,
        entity: Option<(&str, i64)>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        let rows = match entity {
            Some((e, id)) => sqlx::query(
                "select * from audit_log where library_id = $1 and entity = $2 and entity_id = $3 \
                     order by id desc limit $4",
            )
            .bind(library_id)
            .bind(e)
            .bind(id)
            .bind(limit)
            .fetch_all(self.pool())
            .await?,
            None => {
                sqlx::query(
                    "select * from audit_log where library_id = $1 order by id desc limit $2",
                )
                .bind(library_id)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
        };
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        rows.into_iter()
            .map(|r| {
                Ok(AuditEntry {
                    id: r.try_get("id")?,
                    actor: r.try_get("actor")?,
                    at: r.try_get("at")?,
                    entity: r.try_get("entity")?,
                    entity_id: r.try_get("entity_id")?,
                    action: r.try_get("action")?,
                    before: parse(r.try_get("before_json")?),
                    after: parse(r.try_get("after_json")?),
                })
            })
            .collect()
    }
}
