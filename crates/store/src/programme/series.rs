//! Series: recurring formats whose defaults new events and sessions take.

use almanach_domain::collate::sort_by_name;
use almanach_domain::ids::LibraryId;
use almanach_domain::programme::{RegistrationPolicy, SessionKind};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Actor, commit_saved};
use crate::rows::{bad, opt_u8, opt_u32};
use crate::{Result, Store, classify};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Series {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub default_kind: SessionKind,
    pub duration_minutes: Option<u32>,
    pub capacity: Option<u32>,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
    pub registration_policy: RegistrationPolicy,
    pub colour: String,
}

impl Default for Series {
    fn default() -> Self {
        Series {
            id: 0,
            name: String::new(),
            description: String::new(),
            default_kind: SessionKind::Talk,
            duration_minutes: None,
            capacity: None,
            age_min: None,
            age_max: None,
            registration_policy: RegistrationPolicy::FreeEntry,
            colour: "#3a6ea5".into(),
        }
    }
}

fn series(r: &AnyRow) -> Result<Series> {
    let kind: String = r.try_get("default_kind")?;
    let policy: String = r.try_get("registration_policy")?;
    Ok(Series {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        default_kind: SessionKind::parse(&kind).ok_or_else(|| bad("kind", &kind))?,
        duration_minutes: opt_u32(r, "duration_minutes")?,
        capacity: opt_u32(r, "capacity")?,
        age_min: opt_u8(r, "age_min")?,
        age_max: opt_u8(r, "age_max")?,
        registration_policy: RegistrationPolicy::parse(&policy)
            .ok_or_else(|| bad("policy", &policy))?,
        colour: r.try_get("colour")?,
    })
}

impl Store {
    pub async fn list_series(&self, library_id: LibraryId) -> Result<Vec<Series>> {
        let rows = self.owned_rows("series", library_id, "id").await?;
        let mut all = rows.iter().map(series).collect::<Result<Vec<_>>>()?;
        sort_by_name(&mut all, |s| &s.name);
        Ok(all)
    }

    /// Every colour a series has, in any library: the stylesheet that
    /// gives pages their colours (`/static/colours.css`) is built from it.
    pub async fn series_colours(&self) -> Result<Vec<String>> {
        Ok(
            sqlx::query_scalar("select distinct colour from series order by colour")
                .fetch_all(self.pool())
                .await?,
        )
    }

    pub async fn series(&self, library_id: LibraryId, id: i64) -> Result<Series> {
        let r = self.owned_row("series", library_id, id).await?;
        series(&r)
    }

    pub async fn series_by_name(
        &self,
        library_id: LibraryId,
        name: &str,
    ) -> Result<Option<Series>> {
        let r = sqlx::query("select * from series where library_id = $1 and name = $2")
            .bind(library_id)
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        r.as_ref().map(series).transpose()
    }

    pub async fn save_series(&self, actor: &Actor, new: &Series) -> Result<i64> {
        let before = if new.id == 0 {
            None
        } else {
            Some(self.series(actor.library_id, new.id).await?)
        };
        let mut tx = self.write().await?;
        let q = if before.is_some() {
            "update series set name = $1, description = $2, default_kind = $3, duration_minutes = $4, capacity = $5, \
             age_min = $6, age_max = $7, registration_policy = $8, colour = $9 where id = $10 and library_id = $11 \
             returning id"
        } else {
            // $10 is the (absent) id, compared so both statements take the same parameters.
            "insert into series (name, description, default_kind, duration_minutes, capacity, age_min, age_max, \
             registration_policy, colour, library_id) select $1, $2, $3, $4, $5, $6, $7, $8, $9, $11 \
             where $10 = 0 returning id"
        };
        let id: i64 = sqlx::query_scalar(q)
            .bind(&new.name)
            .bind(&new.description)
            .bind(new.default_kind.slug())
            .bind(new.duration_minutes.map(i64::from))
            .bind(new.capacity.map(i64::from))
            .bind(new.age_min.map(i64::from))
            .bind(new.age_max.map(i64::from))
            .bind(new.registration_policy.slug())
            .bind(&new.colour)
            .bind(before.as_ref().map_or(0, |b| b.id))
            .bind(actor.library_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(classify)?;
        let after = Series { id, ..new.clone() };
        commit_saved(tx, actor, "series", id, before.as_ref(), &after).await
    }
}
