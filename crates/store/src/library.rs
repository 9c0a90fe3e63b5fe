//! The library: name, time zone, opening hours, closing days, address. An
//! installation starts with one; every other record belongs to one.

use almanach_domain::calendar::{ClosingDays, OpeningHours};
use almanach_domain::french::{self, Article};
use almanach_domain::ids::LibraryId;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Actor, record};
use crate::{Result, Store, StoreError, classify, now};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Library {
    pub id: LibraryId,
    pub name: String,
    /// The article its name takes in a sentence (« la » Médiathèque…).
    pub name_article: Article,
    pub timezone: String,
    pub opening_hours: String,
    pub closing_days: String,
    /// The postal address, for event pages (schema.org) and the public.
    pub street_address: String,
    pub postal_code: String,
    pub city: String,
    /// ISO 3166 code, "FR".
    pub country: String,
}

impl Library {
    pub fn tz(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.timezone)
            .unwrap_or_else(|_| almanach_domain::calendar::paris())
    }
    pub fn hours(&self) -> OpeningHours {
        OpeningHours::parse(&self.opening_hours).unwrap_or_default()
    }
    pub fn closing(&self) -> ClosingDays {
        ClosingDays::parse(&self.closing_days).unwrap_or_default()
    }
    /// « de la Médiathèque L'Apostrophe », for a French sentence.
    pub fn of_name(&self) -> String {
        french::of(self.name_article, &self.name)
    }
    /// « la Médiathèque L'Apostrophe ».
    pub fn the_name(&self) -> String {
        french::with_article(self.name_article, &self.name)
    }
    /// « La Médiathèque L'Apostrophe », to start a sentence.
    pub fn the_name_capitalised(&self) -> String {
        french::with_article_capitalised(self.name_article, &self.name)
    }
}

fn from_row(r: &AnyRow) -> Result<Library, sqlx::Error> {
    Ok(Library {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        name_article: Article::parse(&r.try_get::<String, _>("name_article")?)
            .unwrap_or(Article::None),
        timezone: r.try_get("timezone")?,
        opening_hours: r.try_get("opening_hours")?,
        closing_days: r.try_get("closing_days")?,
        street_address: r.try_get("street_address")?,
        postal_code: r.try_get("postal_code")?,
        city: r.try_get("city")?,
        country: r.try_get("country")?,
    })
}

impl Store {
    /// The first library, creating it ("Ma médiathèque") on an empty database.
    pub async fn default_library(&self) -> Result<Library> {
        if let Some(r) = sqlx::query("select * from libraries order by id limit 1")
            .fetch_optional(self.pool())
            .await?
        {
            return Ok(from_row(&r)?);
        }
        let mut tx = self.write().await?;
        let existing = sqlx::query("select * from libraries order by id limit 1")
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(r) = existing {
            return Ok(from_row(&r)?);
        }
        let id: LibraryId = sqlx::query_scalar(
            "insert into libraries (name, created_at) values ($1, $2) returning id",
        )
        .bind("Ma médiathèque")
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        self.library(id).await
    }

    pub async fn library(&self, id: LibraryId) -> Result<Library> {
        let r = sqlx::query("select * from libraries where id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(from_row(&r)?)
    }

    pub async fn update_library(&self, actor: &Actor, new: &Library) -> Result<()> {
        let before = self.library(new.id).await?;
        let mut tx = self.write().await?;
        sqlx::query(
            "update libraries set name = $1, timezone = $2, opening_hours = $3, closing_days = $4, \
             street_address = $5, postal_code = $6, city = $7, country = $8, name_article = $10 where id = $9",
        )
        .bind(&new.name)
        .bind(&new.timezone)
        .bind(&new.opening_hours)
        .bind(&new.closing_days)
        .bind(&new.street_address)
        .bind(&new.postal_code)
        .bind(&new.city)
        .bind(&new.country)
        .bind(new.id)
        .bind(new.name_article.slug())
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        record(
            &mut tx,
            actor,
            "library",
            new.id,
            "update",
            Some(&before),
            Some(new),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
