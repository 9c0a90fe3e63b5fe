//! This area's settings per library (IT's opening hours, lead days) and
//! the context the deadline rule reads them as.

use almanach_domain::calendar::OpeningHours;
use almanach_domain::ids::LibraryId;
use almanach_domain::logistics::{DEFAULT_LEAD_DAYS, ItCalendar, Provider, default_it_hours};
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Actor, record};
use crate::logistics::rows::ItContext;
use crate::{Result, Store, classify};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogisticsSettings {
    pub library_id: LibraryId,
    /// IT's hours as text, one range per line.
    pub it_hours: String,
    pub it_lead_days: u32,
    pub postcode: String,
    pub mediators_see_costs: bool,
}

impl LogisticsSettings {
    pub fn hours(&self) -> OpeningHours {
        OpeningHours::parse(&self.it_hours).unwrap_or_else(|_| default_it_hours())
    }
}

/// The usual equipment of a digital mediation programme, given to a
/// library on first use; coordinators rename, add and retire types.
const CATALOGUE: &[(&str, Provider, &str)] = &[
    (
        "Vidéoprojecteur",
        Provider::It,
        "Avec câble HDMI et télécommande",
    ),
    ("Sonorisation", Provider::It, "Enceintes et table de mixage"),
    ("Micros", Provider::It, "Combien, avec ou sans fil"),
    (
        "Ordinateurs portables",
        Provider::It,
        "Combien, avec quels logiciels installés",
    ),
    (
        "Tablettes",
        Provider::It,
        "Combien, avec quelles applications",
    ),
    (
        "Comptes Wi-Fi invités",
        Provider::It,
        "Combien, pour quelle durée",
    ),
    (
        "Compte d'outil d'IA",
        Provider::It,
        "ChatGPT, MidJourney, HeyGen… : quel outil, quel forfait",
    ),
    (
        "Casques de réalité virtuelle",
        Provider::It,
        "Combien, chargés, applications installées",
    ),
    ("Imprimante 3D", Provider::Team, "Filament, fichiers prêts"),
    ("Kits robotiques", Provider::Team, "Combien, piles chargées"),
    (
        "Diffusion en ligne",
        Provider::It,
        "Plateforme, lien, caméra",
    ),
    (
        "Disposition de la salle",
        Provider::Team,
        "Tables en îlots, rangées, scène",
    ),
];

fn settings(r: &AnyRow) -> Result<LogisticsSettings> {
    Ok(LogisticsSettings {
        library_id: r.try_get("library_id")?,
        it_hours: r.try_get("it_hours")?,
        it_lead_days: r.try_get::<i64, _>("it_lead_days")? as u32,
        postcode: r.try_get("postcode")?,
        mediators_see_costs: r.try_get::<i64, _>("mediators_see_costs")? != 0,
    })
}

impl Store {
    /// This area's settings, created with their defaults (and the
    /// library's catalogue of needs) on first use.
    pub async fn logistics_settings(&self, library_id: LibraryId) -> Result<LogisticsSettings> {
        let select = "select * from library_logistics where library_id = $1";
        if let Some(r) = sqlx::query(select)
            .bind(library_id)
            .fetch_optional(self.pool())
            .await?
        {
            return settings(&r);
        }
        self.library(library_id).await?;
        let mut tx = self.write().await?;
        // Two first readers at once: the second inserts nothing, and seeds nothing.
        let created = sqlx::query(
            "insert into library_logistics (library_id, it_hours, it_lead_days) values ($1, $2, $3) \
             on conflict (library_id) do nothing",
        )
        .bind(library_id)
        .bind(default_it_hours().to_text())
        .bind(i64::from(DEFAULT_LEAD_DAYS))
        .execute(&mut *tx)
        .await?;
        if created.rows_affected() == 1 {
            for (name, provider, hint) in CATALOGUE {
                sqlx::query(
                    "insert into need_types (library_id, name, provider, hint) values ($1, $2, $3, $4) \
                     on conflict (library_id, name) do nothing",
                )
                .bind(library_id)
                .bind(*name)
                .bind(provider.slug())
                .bind(*hint)
                .execute(&mut *tx)
                .await?;
            }
        }
        let r = sqlx::query(select)
            .bind(library_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        settings(&r)
    }

    pub async fn save_logistics_settings(
        &self,
        actor: &Actor,
        new: &LogisticsSettings,
    ) -> Result<()> {
        let before = self.logistics_settings(actor.library_id).await?;
        let mut tx = self.write().await?;
        sqlx::query(
            "update library_logistics set it_hours = $1, it_lead_days = $2, postcode = $3, mediators_see_costs = $4 \
             where library_id = $5",
        )
        .bind(&new.it_hours)
        .bind(i64::from(new.it_lead_days))
        .bind(&new.postcode)
        .bind(i64::from(new.mediators_see_costs))
        .bind(actor.library_id)
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        let after = LogisticsSettings {
            library_id: actor.library_id,
            ..new.clone()
        };
        record(
            &mut tx,
            actor,
            "logistics_settings",
            actor.library_id,
            "update",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// IT's calendar (hours, the library's closing days, lead time) and the zone.
    pub async fn it_context(&self, library_id: LibraryId) -> Result<ItContext> {
        let library = self.library(library_id).await?;
        let s = self.logistics_settings(library_id).await?;
        Ok(ItContext {
            calendar: ItCalendar::new(s.hours(), library.closing(), s.it_lead_days),
            tz: library.tz(),
        })
    }
}
