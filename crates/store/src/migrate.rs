//! Embedded, forward-only migrations, one tree per backend. A database whose
//! schema is newer than this binary knows is refused, never "downgraded".

use sqlx::Executor;

use crate::{Backend, Result, Store, StoreError, now};

struct Migration {
    version: i64,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sqlite: include_str!("migrations/sqlite/0001_programme.sql"),
        postgres: include_str!("migrations/postgres/0001_programme.sql"),
    },
    Migration {
        version: 2,
        sqlite: include_str!("migrations/sqlite/0002_registrations.sql"),
        postgres: include_str!("migrations/postgres/0002_registrations.sql"),
    },
    Migration {
        version: 3,
        sqlite: include_str!("migrations/sqlite/0003_attendance.sql"),
        postgres: include_str!("migrations/postgres/0003_attendance.sql"),
    },
    Migration {
        version: 4,
        sqlite: include_str!("migrations/sqlite/0004_outbox.sql"),
        postgres: include_str!("migrations/postgres/0004_outbox.sql"),
    },
    Migration {
        version: 5,
        sqlite: include_str!("migrations/sqlite/0005_integration.sql"),
        postgres: include_str!("migrations/postgres/0005_integration.sql"),
    },
    Migration {
        version: 6,
        sqlite: include_str!("migrations/sqlite/0006_check_ins.sql"),
        postgres: include_str!("migrations/postgres/0006_check_ins.sql"),
    },
    Migration {
        version: 7,
        sqlite: include_str!("migrations/sqlite/0007_report_summaries.sql"),
        postgres: include_str!("migrations/postgres/0007_report_summaries.sql"),
    },
    Migration {
        version: 8,
        sqlite: include_str!("migrations/sqlite/0008_logistics.sql"),
        postgres: include_str!("migrations/postgres/0008_logistics.sql"),
    },
    Migration {
        version: 9,
        sqlite: include_str!("migrations/sqlite/0009_costs.sql"),
        postgres: include_str!("migrations/postgres/0009_costs.sql"),
    },
    Migration {
        version: 10,
        sqlite: include_str!("migrations/sqlite/0010_documents.sql"),
        postgres: include_str!("migrations/postgres/0010_documents.sql"),
    },
    Migration {
        version: 11,
        sqlite: include_str!("migrations/sqlite/0011_it_digest.sql"),
        postgres: include_str!("migrations/postgres/0011_it_digest.sql"),
    },
    Migration {
        version: 13,
        sqlite: include_str!("migrations/sqlite/0013_staff_actions_and_library_article.sql"),
        postgres: include_str!("migrations/postgres/0013_staff_actions_and_library_article.sql"),
    },
    Migration {
        version: 14,
        sqlite: include_str!("migrations/sqlite/0014_migration_checksums.sql"),
        postgres: include_str!("migrations/postgres/0014_migration_checksums.sql"),
    },
    Migration {
        version: 15,
        sqlite: include_str!("migrations/sqlite/0015_seat_tallies.sql"),
        postgres: include_str!("migrations/postgres/0015_seat_tallies.sql"),
    },
    Migration {
        version: 16,
        sqlite: include_str!("migrations/sqlite/0016_programme_versions.sql"),
        postgres: include_str!("migrations/postgres/0016_programme_versions.sql"),
    },
    Migration {
        version: 17,
        sqlite: include_str!("migrations/sqlite/0017_versions_notify.sql"),
        postgres: include_str!("migrations/postgres/0017_versions_notify.sql"),
    },
    Migration {
        version: 18,
        sqlite: include_str!("migrations/sqlite/0018_event_spans.sql"),
        postgres: include_str!("migrations/postgres/0018_event_spans.sql"),
    },
    Migration {
        version: 19,
        sqlite: include_str!("migrations/sqlite/0019_next_change_indexes.sql"),
        postgres: include_str!("migrations/postgres/0019_next_change_indexes.sql"),
    },
];

pub const LATEST_SCHEMA: i64 = 19;

/// The migration that adds `schema_migrations.checksum`: before it is
/// applied there is nowhere to read or write checksums.
const CHECKSUMS_SINCE: i64 = 14;

impl Migration {
    fn text(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }
}

/// The SHA-256 of a migration's text, in lowercase hex: what
/// `schema_migrations.checksum` holds.
pub fn checksum(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

impl Store {
    /// The schema version the database is at (0 when empty).
    pub async fn schema_version(&self) -> Result<i64> {
        self.ensure_version_table().await?;
        let v: Option<i64> = sqlx::query_scalar("select max(version) from schema_migrations")
            .fetch_one(self.pool())
            .await?;
        Ok(v.unwrap_or(0))
    }

    async fn ensure_version_table(&self) -> Result<()> {
        sqlx::query(
            "create table if not exists schema_migrations (version bigint primary key, applied_at bigint not null, \
             by_version text not null)",
        )
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Applies every pending migration, each in its own transaction. On
    /// PostgreSQL an advisory lock keeps two servers starting together from
    /// migrating twice.
    pub async fn migrate(&self) -> Result<Vec<i64>> {
        self.ensure_version_table().await?;
        self.verify_checksums().await?;
        let mut applied = Vec::new();
        for m in MIGRATIONS {
            let mut tx = self.write().await?;
            if self.backend() == Backend::Postgres {
                tx.execute("select pg_advisory_xact_lock(7341202)").await?;
            }
            // Each known migration not yet recorded is applied, whatever the
            // highest recorded one: a version merged late still runs.
            let recorded: Vec<i64> = sqlx::query_scalar("select version from schema_migrations")
                .fetch_all(&mut *tx)
                .await?;
            let newest = recorded.iter().copied().max().unwrap_or(0);
            if newest > LATEST_SCHEMA {
                return Err(StoreError::Unusable(format!(
                    "this database was written by a newer version of Almanach (schema {newest}; this binary \
                     knows up to {LATEST_SCHEMA}): upgrade Almanach before using it"
                )));
            }
            if recorded.contains(&m.version) {
                continue;
            }
            let sql = m.text(self.backend());
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
            sqlx::query("insert into schema_migrations (version, applied_at, by_version) values ($1, $2, $3)")
                .bind(m.version)
                .bind(now())
                .bind(env!("CARGO_PKG_VERSION"))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::info!(version = m.version, "applied migration");
            applied.push(m.version);
        }
        self.record_checksums().await?;
        Ok(applied)
    }

    /// Whether `schema_migrations` has its checksum column yet.
    async fn has_checksums(&self) -> Result<bool> {
        let n: i64 =
            sqlx::query_scalar("select count(*) from schema_migrations where version = $1")
                .bind(CHECKSUMS_SINCE)
                .fetch_one(self.pool())
                .await?;
        Ok(n > 0)
    }

    /// Refuses a database where an applied migration's recorded checksum is
    /// not the one of the text this binary carries: the migration was edited
    /// after it ran, and the schema may not be what the code expects.
    async fn verify_checksums(&self) -> Result<()> {
        if !self.has_checksums().await? {
            return Ok(());
        }
        let rows: Vec<(i64, Option<String>)> =
            sqlx::query_as("select version, checksum from schema_migrations order by version")
                .fetch_all(self.pool())
                .await?;
        for (version, recorded) in rows {
            let (Some(recorded), Some(m)) =
                (recorded, MIGRATIONS.iter().find(|m| m.version == version))
            else {
                continue;
            };
            let expected = checksum(m.text(self.backend()));
            if recorded != expected {
                return Err(StoreError::Unusable(format!(
                    "migration {version:04} was changed after it was applied to this database \
                     (recorded checksum {recorded}, this binary's {expected}); an applied migration must \
                     never be edited: restore its text or add a new migration / la migration {version:04} \
                     a été modifiée après avoir été appliquée à cette base (empreinte enregistrée \
                     {recorded}, celle de ce programme {expected}) ; une migration appliquée ne doit \
                     jamais être modifiée : rétablissez son texte ou ajoutez une nouvelle migration"
                )));
            }
        }
        Ok(())
    }

    /// Writes the checksum of every applied migration that has none yet:
    /// those applied in this run, and all of them on a database migrated
    /// before checksums existed.
    async fn record_checksums(&self) -> Result<()> {
        if !self.has_checksums().await? {
            return Ok(());
        }
        for m in MIGRATIONS {
            sqlx::query("update schema_migrations set checksum = $1 where version = $2 and checksum is null")
                .bind(checksum(m.text(self.backend())))
                .bind(m.version)
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }
}
