//! The catalogue of needs: the types of equipment and help a session may ask for.

use almanach_domain::collate::sort_by_name;
use almanach_domain::ids::LibraryId;
use almanach_domain::logistics::Provider;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Actor, commit_saved};
use crate::logistics::rows::provider;
use crate::{Result, Store, StoreError, classify};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedType {
    pub id: i64,
    pub name: String,
    pub provider: Provider,
    pub hint: String,
    pub active: bool,
}

fn need_type(r: &AnyRow) -> Result<NeedType> {
    Ok(NeedType {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        provider: provider(&r.try_get::<String, _>("provider")?)?,
        hint: r.try_get("hint")?,
        active: r.try_get::<i64, _>("active")? != 0,
    })
}

impl Store {
    /// The catalogue, active types first, by name.
    pub async fn need_types(&self, library_id: LibraryId) -> Result<Vec<NeedType>> {
        self.logistics_settings(library_id).await?;
        let rows = sqlx::query("select * from need_types where library_id = $1 order by id")
            .bind(library_id)
            .fetch_all(self.pool())
            .await?;
        let mut all = rows.iter().map(need_type).collect::<Result<Vec<_>>>()?;
        sort_by_name(&mut all, |t| &t.name);
        // Stable: by name within active, then inactive.
        all.sort_by_key(|t| !t.active);
        Ok(all)
    }

    pub async fn need_type(&self, library_id: LibraryId, id: i64) -> Result<NeedType> {
        let r = sqlx::query("select * from need_types where id = $1 and library_id = $2")
            .bind(id)
            .bind(library_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        need_type(&r)
    }

    /// Creates (`id == 0`) or updates a type; a taken name is a `Conflict`.
    pub async fn save_need_type(&self, actor: &Actor, new: &NeedType) -> Result<i64> {
        let before = if new.id == 0 {
            None
        } else {
            Some(self.need_type(actor.library_id, new.id).await?)
        };
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(if before.is_some() {
            "update need_types set name = $1, provider = $2, hint = $3, active = $4 where id = $5 and library_id = $6 \
             returning id"
        } else {
            "insert into need_types (name, provider, hint, active, library_id) select $1, $2, $3, $4, $6 \
             where $5 = 0 returning id"
        })
        .bind(&new.name)
        .bind(new.provider.slug())
        .bind(&new.hint)
        .bind(i64::from(new.active))
        .bind(before.as_ref().map_or(0, |b| b.id))
        .bind(actor.library_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let after = NeedType { id, ..new.clone() };
        commit_saved(tx, actor, "need_type", id, before.as_ref(), &after).await
    }
}
