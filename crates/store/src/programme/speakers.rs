//! Speakers as the programme lists and edits them (their costs and record
//! are `crate::speakers`).

use almanach_domain::collate::sort_by_name;
use almanach_domain::ids::LibraryId;

use crate::audit::{Actor, commit_saved};
use crate::rows::{Speaker, speaker};
use crate::{Result, Store, StoreError, classify};

impl Store {
    pub async fn list_speakers(&self, library_id: LibraryId) -> Result<Vec<Speaker>> {
        let rows = sqlx::query("select * from speakers where library_id = $1 order by id")
            .bind(library_id)
            .fetch_all(self.pool())
            .await?;
        let mut all = rows.iter().map(speaker).collect::<Result<Vec<_>>>()?;
        sort_by_name(&mut all, |s| &s.name);
        Ok(all)
    }

    pub async fn speaker(&self, library_id: LibraryId, id: i64) -> Result<Speaker> {
        let r = sqlx::query("select * from speakers where id = $1 and library_id = $2")
            .bind(id)
            .bind(library_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        speaker(&r)
    }

    pub async fn save_speaker(&self, actor: &Actor, new: &Speaker) -> Result<i64> {
        let before = if new.id == 0 {
            None
        } else {
            Some(self.speaker(actor.library_id, new.id).await?)
        };
        let mut tx = self.write().await?;
        let id: i64 = if let Some(b) = &before {
            sqlx::query(
                "update speakers set name = $1, organisation = $2, email = $3, phone = $4, notes = $5 where id = $6",
            )
            .bind(&new.name)
            .bind(&new.organisation)
            .bind(&new.email)
            .bind(&new.phone)
            .bind(&new.notes)
            .bind(b.id)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
            b.id
        } else {
            sqlx::query_scalar(
                "insert into speakers (library_id, name, organisation, email, phone, notes) \
                 values ($1, $2, $3, $4, $5, $6) returning id",
            )
            .bind(actor.library_id)
            .bind(&new.name)
            .bind(&new.organisation)
            .bind(&new.email)
            .bind(&new.phone)
            .bind(&new.notes)
            .fetch_one(&mut *tx)
            .await
            .map_err(classify)?
        };
        let after = Speaker { id, ..new.clone() };
        commit_saved(tx, actor, "speaker", id, before.as_ref(), &after).await
    }
}
