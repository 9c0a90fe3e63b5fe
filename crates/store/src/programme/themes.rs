//! Themes: what sessions are about, with their leads and how often given.

use almanach_domain::collate::sort_by_name;
use almanach_domain::ids::LibraryId;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Actor, commit_saved};
use crate::programme::owned::dedup;
use crate::{Result, Store, classify};

#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Theme {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub categories: Vec<String>,
    pub materials: String,
    pub lead_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThemeSummary {
    pub theme: Theme,
    pub sessions: i64,
    pub last_at: Option<i64>,
}

fn theme(r: &AnyRow) -> Result<Theme> {
    let cats: String = r.try_get("categories")?;
    Ok(Theme {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        categories: cats
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
        materials: r.try_get("materials")?,
        lead_ids: Vec::new(),
    })
}

impl Store {
    async fn theme_leads(&self, theme_id: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "select staff_id from theme_leads where theme_id = $1 order by staff_id",
        )
        .bind(theme_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Every theme with how many sessions it had (cancelled ones left out)
    /// and when it was last given.
    pub async fn list_themes(&self, library_id: LibraryId) -> Result<Vec<ThemeSummary>> {
        let rows = sqlx::query(
            "select t.*, count(s.id) as n, max(s.starts_at) as last_at from themes t \
             left join session_themes st on st.theme_id = t.id \
             left join sessions s on s.id = st.session_id and s.cancelled = 0 \
             where t.library_id = $1 group by t.id, t.library_id, t.title, t.description, t.categories, t.materials \
             order by t.id",
        )
        .bind(library_id)
        .fetch_all(self.pool())
        .await?;
        let mut all = rows
            .iter()
            .map(|r| {
                Ok(ThemeSummary {
                    theme: theme(r)?,
                    sessions: r.try_get("n")?,
                    last_at: r.try_get("last_at")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        sort_by_name(&mut all, |t| &t.theme.title);
        Ok(all)
    }

    pub async fn theme(&self, library_id: LibraryId, id: i64) -> Result<Theme> {
        let r = self.owned_row("themes", library_id, id).await?;
        let mut t = theme(&r)?;
        t.lead_ids = self.theme_leads(id).await?;
        Ok(t)
    }

    pub async fn save_theme(&self, actor: &Actor, new: &Theme) -> Result<i64> {
        let before = if new.id == 0 {
            None
        } else {
            Some(self.theme(actor.library_id, new.id).await?)
        };
        let mut tx = self.write().await?;
        let cats = new.categories.join(",");
        let id: i64 = if let Some(b) = &before {
            sqlx::query("update themes set title = $1, description = $2, categories = $3, materials = $4 where id = $5")
                .bind(&new.title)
                .bind(&new.description)
                .bind(&cats)
                .bind(&new.materials)
                .bind(b.id)
                .execute(&mut *tx)
                .await
                .map_err(classify)?;
            b.id
        } else {
            sqlx::query_scalar(
                "insert into themes (library_id, title, description, categories, materials) values ($1, $2, $3, $4, $5) \
                 returning id",
            )
            .bind(actor.library_id)
            .bind(&new.title)
            .bind(&new.description)
            .bind(&cats)
            .bind(&new.materials)
            .fetch_one(&mut *tx)
            .await
            .map_err(classify)?
        };
        sqlx::query("delete from theme_leads where theme_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for staff_id in dedup(&new.lead_ids) {
            sqlx::query(
                "insert into theme_leads (theme_id, staff_id) select $1, id from staff where id = $2 and library_id = $3",
            )
            .bind(id)
            .bind(staff_id)
            .bind(actor.library_id)
            .execute(&mut *tx)
            .await
            .map_err(classify)?;
        }
        let after = Theme {
            id,
            lead_ids: dedup(&new.lead_ids),
            ..new.clone()
        };
        commit_saved(tx, actor, "theme", id, before.as_ref(), &after).await
    }
}
