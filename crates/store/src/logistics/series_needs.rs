//! A series' default needs, and their copy onto each new session of it.

use almanach_domain::ids::{LibraryId, SessionId};
use almanach_domain::logistics::{NeedStatus, Provider};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{Actor, record};
use crate::logistics::needs::NeedWrite;
use crate::logistics::rows::{NeedRecord, provider};
use crate::{Result, Store, StoreError, Tx, classify, now};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesNeed {
    pub id: i64,
    pub series_id: i64,
    pub need_type_id: i64,
    pub type_name: String,
    pub quantity: u32,
    pub details: String,
    pub provider: Provider,
}

/// Copies the series' default needs onto a session just created. Called
/// from `write_session` inside its transaction, so a session never exists
/// without them; each need created is audited.
pub(crate) async fn after_session_created(
    tx: &mut Tx,
    actor: &Actor,
    session_id: SessionId,
) -> Result<()> {
    let t = now();
    let rows = sqlx::query(
        "insert into session_needs (library_id, session_id, need_type_id, quantity, details, provider, status, \
         created_at, updated_at) select s.library_id, s.id, sn.need_type_id, sn.quantity, sn.details, sn.provider, \
         'requested', $2, $2 from sessions s join events e on e.id = s.event_id \
         join series_needs sn on sn.series_id = e.series_id where s.id = $1 order by sn.id \
         returning id, need_type_id, quantity, details, provider",
    )
    .bind(session_id)
    .bind(t)
    .fetch_all(&mut **tx)
    .await?;
    for r in rows {
        let after = NeedRecord {
            session_id,
            need_type_id: r.try_get("need_type_id")?,
            quantity: r.try_get::<i64, _>("quantity")? as u32,
            details: r.try_get("details")?,
            provider: provider(&r.try_get::<String, _>("provider")?)?,
            due_override: None,
            status: NeedStatus::Requested,
        };
        record(
            tx,
            actor,
            "need",
            r.try_get::<i64, _>("id")?,
            "create",
            None,
            Some(&after),
        )
        .await?;
    }
    Ok(())
}

impl Store {
    pub async fn series_needs(
        &self,
        library_id: LibraryId,
        series_id: i64,
    ) -> Result<Vec<SeriesNeed>> {
        let rows = sqlx::query(
            "select sn.*, t.name as type_name from series_needs sn join need_types t on t.id = sn.need_type_id \
             join series se on se.id = sn.series_id where sn.series_id = $1 and se.library_id = $2 order by sn.id",
        )
        .bind(series_id)
        .bind(library_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SeriesNeed {
                    id: r.try_get("id")?,
                    series_id: r.try_get("series_id")?,
                    need_type_id: r.try_get("need_type_id")?,
                    type_name: r.try_get("type_name")?,
                    quantity: r.try_get::<i64, _>("quantity")? as u32,
                    details: r.try_get("details")?,
                    provider: provider(&r.try_get::<String, _>("provider")?)?,
                })
            })
            .collect()
    }

    pub async fn add_series_need(
        &self,
        actor: &Actor,
        series_id: i64,
        w: &NeedWrite,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "insert into series_needs (series_id, need_type_id, quantity, details, provider) \
             select se.id, t.id, $4, $5, $6 from series se join need_types t on t.library_id = se.library_id \
             where se.id = $2 and se.library_id = $1 and t.id = $3 returning id",
        )
        .bind(actor.library_id)
        .bind(series_id)
        .bind(w.need_type_id)
        .bind(i64::from(w.quantity))
        .bind(&w.details)
        .bind(w.provider.slug())
        .fetch_optional(&mut *tx)
        .await
        .map_err(classify)?
        .ok_or(StoreError::NotFound)?;
        let after = NeedWrite {
            due_override: None,
            ..w.clone()
        };
        record(
            &mut tx,
            actor,
            "series",
            series_id,
            "add_need",
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn delete_series_need(&self, actor: &Actor, series_id: i64, id: i64) -> Result<()> {
        let before = self
            .series_needs(actor.library_id, series_id)
            .await?
            .into_iter()
            .find(|n| n.id == id);
        let before = before.ok_or(StoreError::NotFound)?;
        let mut tx = self.write().await?;
        sqlx::query("delete from series_needs where id = $1 and series_id = $2")
            .bind(id)
            .bind(series_id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            "series",
            series_id,
            "remove_need",
            Some(&before),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
