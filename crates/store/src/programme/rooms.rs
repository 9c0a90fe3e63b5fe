//! Rooms: where sessions take place, and how many people each holds.

use almanach_domain::ids::LibraryId;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Actor, commit_saved};
use crate::rows::{flag, opt_u32};
use crate::{Result, Store, classify};
use almanach_domain::collate::sort_by_name;

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Room {
    pub id: i64,
    pub name: String,
    pub capacity: Option<u32>,
    pub equipment: String,
    pub step_free: bool,
}

fn room(r: &AnyRow) -> Result<Room> {
    Ok(Room {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        capacity: opt_u32(r, "capacity")?,
        equipment: r.try_get("equipment")?,
        step_free: flag(r, "step_free")?,
    })
}

impl Store {
    pub async fn list_rooms(&self, library_id: LibraryId) -> Result<Vec<Room>> {
        let rows = self.owned_rows("rooms", library_id, "id").await?;
        let mut rooms = rows.iter().map(room).collect::<Result<Vec<_>>>()?;
        sort_by_name(&mut rooms, |r| &r.name);
        Ok(rooms)
    }

    pub async fn room(&self, library_id: LibraryId, id: i64) -> Result<Room> {
        let r = self.owned_row("rooms", library_id, id).await?;
        room(&r)
    }

    /// Creates (`room.id == 0`) or updates a room; a taken name is a `Conflict`.
    pub async fn save_room(&self, actor: &Actor, new: &Room) -> Result<i64> {
        let before = if new.id == 0 {
            None
        } else {
            Some(self.room(actor.library_id, new.id).await?)
        };
        let mut tx = self.write().await?;
        let id = if let Some(b) = &before {
            sqlx::query("update rooms set name = $1, capacity = $2, equipment = $3, step_free = $4 where id = $5")
                .bind(&new.name)
                .bind(new.capacity.map(i64::from))
                .bind(&new.equipment)
                .bind(i64::from(new.step_free))
                .bind(b.id)
                .execute(&mut *tx)
                .await
                .map_err(classify)?;
            b.id
        } else {
            sqlx::query_scalar(
                "insert into rooms (library_id, name, capacity, equipment, step_free) values ($1, $2, $3, $4, $5) \
                 returning id",
            )
            .bind(actor.library_id)
            .bind(&new.name)
            .bind(new.capacity.map(i64::from))
            .bind(&new.equipment)
            .bind(i64::from(new.step_free))
            .fetch_one(&mut *tx)
            .await
            .map_err(classify)?
        };
        let after = Room { id, ..new.clone() };
        commit_saved(tx, actor, "room", id, before.as_ref(), &after).await
    }
}
