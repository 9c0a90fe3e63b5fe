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
];

pub const LATEST_SCHEMA: i64 = 13;

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
            let sql = match self.backend() {
                Backend::Sqlite => m.sqlite,
                Backend::Postgres => m.postgres,
            };
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
        Ok(applied)
    }
}
