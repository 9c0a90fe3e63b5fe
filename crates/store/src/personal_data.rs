//! Personal data kept only as long as needed: registrations anonymised a
//! set number of days after their session (or their course's last session)
//! ended, and everything about one e-mail address found, exported and
//! erased for the person who asks. Audit entries name records by id only.

use almanach_domain::ids::{LibraryId, RegistrationId};
use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;

use crate::audit::{Actor, record};
use crate::registrations::ANONYMISED;
use crate::select::finish;
use crate::{Registration, Result, Speaker, StaffMember, Store};

/// When a registration's session is over: its own end, or for a course the
/// end of its last session; a course left without sessions counts from the
/// registration itself.
const ENDED_AT: &str = "coalesce((select max(s.ends_at) from sessions s where s.id = registrations.session_id \
     or (registrations.session_id is null and s.event_id = registrations.event_id)), registrations.created_at)";

/// What one retention run did (or, dry, would do), per library.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RetentionRun {
    /// Sessions that ended before this instant (unix seconds) are past keeping.
    pub ended_before: i64,
    /// Registration ids anonymised, by library.
    pub anonymised: BTreeMap<LibraryId, Vec<RegistrationId>>,
}

impl RetentionRun {
    pub fn count(&self) -> usize {
        self.anonymised.values().map(Vec::len).sum()
    }
}

/// The audit trail's account of a run: ids and figures, nobody's data.
#[derive(Serialize)]
struct RetentionTrace<'a> {
    retention_days: u32,
    ended_before: i64,
    registrations: usize,
    ids: &'a [RegistrationId],
}

/// One registration of a person, with what it was for.
#[derive(Debug, Clone, Serialize)]
pub struct PersonalRegistration {
    #[serde(flatten)]
    pub registration: Registration,
    pub event_title: String,
    /// The session's start, or the course's first session's.
    pub starts_at: Option<i64>,
}

/// Everything the library holds about one e-mail address.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PersonalData {
    pub email: String,
    pub registrations: Vec<PersonalRegistration>,
    pub staff_account: Option<StaffMember>,
    pub speakers: Vec<Speaker>,
}

impl PersonalData {
    pub fn is_empty(&self) -> bool {
        self.registrations.is_empty() && self.staff_account.is_none() && self.speakers.is_empty()
    }
}

/// The audit trail's account of an export or an erasure.
#[derive(Serialize)]
struct PersonTrace<'a> {
    registration_ids: &'a [RegistrationId],
    staff_account: Option<i64>,
    speaker_ids: Vec<i64>,
}

impl Store {
    /// Anonymises every registration whose session ended more than `days`
    /// days before `now` (name, e-mail, phone and ages wiped; seats and
    /// status kept for the statistics). Idempotent: what is done is not
    /// done again, and a run with nothing to do writes nothing. With
    /// `dry_run`, says what it would do and writes nothing.
    pub async fn anonymise_expired(
        &self,
        now: i64,
        days: u32,
        dry_run: bool,
    ) -> Result<RetentionRun> {
        let ended_before = now - i64::from(days) * 86_400;
        let filter = format!("anonymised_at is null and {ENDED_AT} < $1");
        let mut tx = self.write().await?;
        let rows = if dry_run {
            sqlx::query(&format!(
                "select id, library_id from registrations where {filter} order by id"
            ))
            .bind(ended_before)
            .fetch_all(&mut *tx)
            .await?
        } else {
            sqlx::query(&format!(
                "update registrations set {ANONYMISED}, anonymised_at = $2, updated_at = $2 where {filter} \
                 returning id, library_id"
            ))
            .bind(ended_before)
            .bind(now)
            .fetch_all(&mut *tx)
            .await?
        };
        let mut run = RetentionRun {
            ended_before,
            anonymised: BTreeMap::new(),
        };
        for r in &rows {
            run.anonymised
                .entry(r.try_get("library_id")?)
                .or_default()
                .push(r.try_get("id")?);
        }
        if dry_run {
            return Ok(run);
        }
        for (library_id, ids) in &mut run.anonymised {
            ids.sort_unstable();
            let trace = RetentionTrace {
                retention_days: days,
                ended_before,
                registrations: ids.len(),
                ids,
            };
            record(
                &mut tx,
                &Actor::system(*library_id, "retention"),
                "retention",
                0,
                "anonymise",
                None,
                Some(&trace),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(run)
    }

    /// Everything about `email` (lowercased) in the library: its
    /// registrations, a staff account, speakers with that address.
    pub async fn personal_data(&self, library_id: LibraryId, email: &str) -> Result<PersonalData> {
        let email = email.trim().to_lowercase();
        let mut c = self.pool().acquire().await?;
        let rows = sqlx::query(
            "select r.*, e.title as event_title, coalesce((select s.starts_at from sessions s where s.id = r.session_id), \
             (select min(s.starts_at) from sessions s where s.event_id = r.event_id)) as first_start \
             from registrations r join events e on e.id = r.event_id \
             where r.library_id = $1 and r.email = $2 order by r.created_at, r.id",
        )
        .bind(library_id)
        .bind(&email)
        .fetch_all(&mut *c)
        .await?;
        let mut registrations = Vec::with_capacity(rows.len());
        for row in rows {
            let event_title: String = row.try_get("event_title")?;
            let starts_at: Option<i64> = row.try_get("first_start")?;
            if let Some(registration) = finish(&mut c, Some(row)).await? {
                registrations.push(PersonalRegistration {
                    registration,
                    event_title,
                    starts_at,
                });
            }
        }
        drop(c);
        let staff_account = self
            .staff_by_email(&email)
            .await?
            .filter(|s| s.library_id == library_id);
        let speakers = self
            .list_speakers(library_id)
            .await?
            .into_iter()
            .filter(|s| s.email.trim().eq_ignore_ascii_case(&email))
            .collect();
        Ok(PersonalData {
            email,
            registrations,
            staff_account,
            speakers,
        })
    }

    /// Records that a staff member exported someone's data.
    pub async fn record_personal_data_export(
        &self,
        actor: &Actor,
        data: &PersonalData,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let ids: Vec<RegistrationId> = data
            .registrations
            .iter()
            .map(|r| r.registration.id)
            .collect();
        record(
            &mut tx,
            actor,
            "personal_data",
            0,
            "export",
            None,
            Some(&trace(data, &ids)),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Anonymises every registration of `email` in the library (a coming
    /// one is cancelled first and its seats go to the waiting list), and
    /// records the request. Staff accounts and speakers are left to their
    /// own pages. Returns how many registrations were erased.
    pub async fn erase_personal_data(&self, actor: &Actor, email: &str) -> Result<usize> {
        let data = self.personal_data(actor.library_id, email).await?;
        let ids: Vec<RegistrationId> = data
            .registrations
            .iter()
            .map(|r| r.registration.id)
            .collect();
        for id in &ids {
            self.forget_registration(actor, *id).await?;
        }
        let mut tx = self.write().await?;
        record(
            &mut tx,
            actor,
            "personal_data",
            0,
            "erase",
            None,
            Some(&trace(&data, &ids)),
        )
        .await?;
        tx.commit().await?;
        Ok(ids.len())
    }
}

fn trace<'a>(data: &PersonalData, ids: &'a [RegistrationId]) -> PersonTrace<'a> {
    PersonTrace {
        registration_ids: ids,
        staff_account: data.staff_account.as_ref().map(|s| s.id),
        speaker_ids: data.speakers.iter().map(|s| s.id).collect(),
    }
}
