//! The weekly digest to the IT department: its settings per library, who
//! receives it, and the record of each week's that makes it go once, from
//! whichever server gets there first. What it tells is `Store::it_digest`
//! (logistics.rs); the jobs crate composes and sends it through the outbox
//! (see docs/decisions/0011-it-digest.md).

use almanach_domain::Lang;
use almanach_domain::ids::LibraryId;
use almanach_domain::logistics::DigestSchedule;
use almanach_domain::staff::Role;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::json;
use sqlx::Row;

use crate::audit::{Actor, record};
use crate::logistics::opt_date;
use crate::mail::MailKind;
use crate::{Result, Store, StoreError, Tx, classify, now};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestSettings {
    pub enabled: bool,
    pub schedule: DigestSchedule,
    /// Addresses beside the IT role's accounts (a shared mailbox), already
    /// checked, lowercased.
    pub extra_to: Vec<String>,
    /// Staff accounts have no language of their own: the digest has one.
    pub lang: Lang,
}

/// Why a week's digest sent nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DigestSkip {
    /// Nothing late, due, in trouble or without IT that week.
    Empty,
    /// No active IT account and no address given.
    NoRecipients,
}

impl DigestSkip {
    pub fn slug(self) -> &'static str {
        match self {
            DigestSkip::Empty => "empty",
            DigestSkip::NoRecipients => "no_recipients",
        }
    }
}

/// What became of one week's digest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DigestWeek {
    /// The week's Monday, library time.
    pub week: Date,
    pub created_at: i64,
    /// Messages enqueued.
    pub recipients: i64,
    pub skipped: Option<DigestSkip>,
}

/// A library whose digest of the week is due and not dealt with yet.
#[derive(Debug, Clone, PartialEq)]
pub struct DueDigest {
    pub library_id: LibraryId,
    /// The week's Monday, library time.
    pub week: Date,
    /// The library's today: the digest tells what is due from it.
    pub today: Date,
    /// The instant it was found due (the worker's clock, not the wall's):
    /// the week is recorded and its messages are due at it.
    pub at: i64,
}

async fn settings_in(
    tx: &mut sqlx::AnyConnection,
    library_id: LibraryId,
) -> Result<DigestSettings> {
    let r = sqlx::query(
        "select digest_enabled, digest_weekday, digest_hour, digest_to, digest_lang \
         from library_logistics where library_id = $1",
    )
    .bind(library_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let to: String = r.try_get("digest_to")?;
    let lang: String = r.try_get("digest_lang")?;
    Ok(DigestSettings {
        enabled: r.try_get::<i64, _>("digest_enabled")? != 0,
        schedule: DigestSchedule {
            weekday: r.try_get::<i64, _>("digest_weekday")? as i8,
            hour: r.try_get::<i64, _>("digest_hour")? as i8,
        },
        extra_to: to
            .lines()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
        lang: Lang::parse(&lang).unwrap_or_default(),
    })
}

/// The active IT accounts' addresses, then the extra ones, each once.
async fn recipients_in(
    tx: &mut sqlx::AnyConnection,
    library_id: LibraryId,
    extra: &[String],
) -> Result<Vec<String>> {
    let mut to: Vec<String> = sqlx::query_scalar(
        "select email from staff where library_id = $1 and role = $2 and active = 1 order by email",
    )
    .bind(library_id)
    .bind(Role::It.slug())
    .fetch_all(&mut *tx)
    .await?;
    for a in extra {
        if !to.iter().any(|t| t.eq_ignore_ascii_case(a)) {
            to.push(a.clone());
        }
    }
    Ok(to)
}

async fn enqueue_to(
    tx: &mut Tx,
    library_id: LibraryId,
    to: &[String],
    lang: Lang,
    payload: &serde_json::Value,
    t: i64,
) -> Result<()> {
    for recipient in to {
        sqlx::query(
            "insert into outbox (library_id, kind, recipient, lang, payload, next_attempt_at, created_at) \
             values ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(library_id)
        .bind(MailKind::ItDigest.slug())
        .bind(recipient)
        .bind(lang.code())
        .bind(payload.to_string())
        .bind(t)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

impl Store {
    pub async fn digest_settings(&self, library_id: LibraryId) -> Result<DigestSettings> {
        // Creates the area's row with its defaults on first use.
        self.logistics_settings(library_id).await?;
        let mut tx = self.pool().begin().await?;
        let s = settings_in(&mut tx, library_id).await?;
        tx.commit().await?;
        Ok(s)
    }

    pub async fn save_digest_settings(&self, actor: &Actor, new: &DigestSettings) -> Result<()> {
        let before = self.digest_settings(actor.library_id).await?;
        let mut tx = self.write().await?;
        sqlx::query(
            "update library_logistics set digest_enabled = $1, digest_weekday = $2, digest_hour = $3, \
             digest_to = $4, digest_lang = $5 where library_id = $6",
        )
        .bind(i64::from(new.enabled))
        .bind(i64::from(new.schedule.weekday))
        .bind(i64::from(new.schedule.hour))
        .bind(new.extra_to.join("\n"))
        .bind(new.lang.code())
        .bind(actor.library_id)
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        record(
            &mut tx,
            actor,
            "digest_settings",
            actor.library_id,
            "update",
            Some(&before),
            Some(new),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Who receives the digest now: the active IT accounts, then the
    /// addresses given in the settings, each once.
    pub async fn digest_recipients(&self, library_id: LibraryId) -> Result<Vec<String>> {
        let settings = self.digest_settings(library_id).await?;
        let mut tx = self.pool().begin().await?;
        let to = recipients_in(&mut tx, library_id, &settings.extra_to).await?;
        tx.commit().await?;
        Ok(to)
    }

    /// The libraries whose digest of the week is due at `now` (its weekday
    /// and hour have come, library time) and not recorded yet.
    pub async fn due_digests(&self, now: i64) -> Result<Vec<DueDigest>> {
        let rows = sqlx::query(
            "select g.library_id, l.timezone, g.digest_weekday, g.digest_hour, \
             (select max(d.week) from it_digests d where d.library_id = g.library_id) as last_week \
             from library_logistics g join libraries l on l.id = g.library_id \
             where g.digest_enabled = 1 order by g.library_id",
        )
        .fetch_all(self.pool())
        .await?;
        let at = jiff::Timestamp::from_second(now)
            .map_err(|e| StoreError::Unusable(format!("an instant out of range: {e}")))?;
        let mut due = Vec::new();
        for r in rows {
            let tz: String = r.try_get("timezone")?;
            let tz =
                jiff::tz::TimeZone::get(&tz).unwrap_or_else(|_| almanach_domain::calendar::paris());
            let schedule = DigestSchedule {
                weekday: r.try_get::<i64, _>("digest_weekday")? as i8,
                hour: r.try_get::<i64, _>("digest_hour")? as i8,
            };
            let local = at.to_zoned(tz);
            let last = opt_date(r.try_get("last_week")?)?;
            if let Some(week) = schedule.due_week(&local)
                && last.is_none_or(|l| l < week)
            {
                due.push(DueDigest {
                    library_id: r.try_get("library_id")?,
                    week,
                    today: local.date(),
                    at: now,
                });
            }
        }
        Ok(due)
    }

    /// Records the week's digest and enqueues it to every recipient, in one
    /// transaction; nothing is enqueued when `empty` (nothing to tell) or
    /// nobody is to be told, and the week is recorded all the same. `None`
    /// when the week was recorded already (by another server).
    pub async fn enqueue_weekly_digest(
        &self,
        due: &DueDigest,
        empty: bool,
    ) -> Result<Option<DigestWeek>> {
        let mut tx = self.write().await?;
        let settings = settings_in(&mut tx, due.library_id).await?;
        let to = recipients_in(&mut tx, due.library_id, &settings.extra_to).await?;
        let skipped = if !settings.enabled {
            // Turned off between the look and the write.
            return Ok(None);
        } else if to.is_empty() {
            Some(DigestSkip::NoRecipients)
        } else if empty {
            Some(DigestSkip::Empty)
        } else {
            None
        };
        let sent = if skipped.is_none() { to.len() } else { 0 };
        let created_at = due.at;
        let n = sqlx::query(
            "insert into it_digests (library_id, week, created_at, recipients, skipped) values ($1, $2, $3, $4, $5) \
             on conflict (library_id, week) do nothing",
        )
        .bind(due.library_id)
        .bind(due.week.to_string())
        .bind(created_at)
        .bind(sent as i64)
        .bind(skipped.map_or("", DigestSkip::slug))
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Ok(None);
        }
        if skipped.is_none() {
            let payload = json!({ "from": due.today.to_string(), "week": due.week.to_string() });
            enqueue_to(
                &mut tx,
                due.library_id,
                &to,
                settings.lang,
                &payload,
                due.at,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Some(DigestWeek {
            week: due.week,
            created_at,
            recipients: sent as i64,
            skipped,
        }))
    }

    /// Staff's "send it now": the digest from `today` to every recipient,
    /// even when it has nothing to tell (it then says so), outside the
    /// weekly record. Returns how many messages were enqueued (0: nobody).
    pub async fn enqueue_digest_now(&self, actor: &Actor, today: Date) -> Result<usize> {
        self.logistics_settings(actor.library_id).await?;
        let mut tx = self.write().await?;
        let settings = settings_in(&mut tx, actor.library_id).await?;
        let to = recipients_in(&mut tx, actor.library_id, &settings.extra_to).await?;
        if to.is_empty() {
            return Ok(0);
        }
        let payload = json!({ "from": today.to_string(), "by": actor.label });
        enqueue_to(
            &mut tx,
            actor.library_id,
            &to,
            settings.lang,
            &payload,
            now(),
        )
        .await?;
        #[derive(Serialize)]
        struct Sent<'a> {
            from: String,
            recipients: &'a [String],
        }
        record(
            &mut tx,
            actor,
            "digest_settings",
            actor.library_id,
            "send_digest",
            None,
            Some(&Sent {
                from: today.to_string(),
                recipients: &to,
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(to.len())
    }

    /// The weeks' records, newest first.
    pub async fn digest_weeks(&self, library_id: LibraryId, limit: i64) -> Result<Vec<DigestWeek>> {
        let rows = sqlx::query(
            "select * from it_digests where library_id = $1 order by week desc limit $2",
        )
        .bind(library_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let skipped: String = r.try_get("skipped")?;
                Ok(DigestWeek {
                    week: opt_date(Some(r.try_get("week")?))?.ok_or(StoreError::NotFound)?,
                    created_at: r.try_get("created_at")?,
                    recipients: r.try_get("recipients")?,
                    skipped: [DigestSkip::Empty, DigestSkip::NoRecipients]
                        .into_iter()
                        .find(|k| k.slug() == skipped),
                })
            })
            .collect()
    }
}
