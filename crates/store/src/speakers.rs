//! The speakers' directory beyond name and contacts (profile, fees,
//! invoicing), what the directory is filtered by (region, bookings,
//! rating), the sessions each speaker led with their attendance and the
//! team's rating, and the prospecting pipeline per speaker and project.

use almanach_domain::collate::sort_by_name;
use almanach_domain::ids::LibraryId;
use almanach_domain::programme::{AgeRange, SessionKind};
use almanach_domain::speakers::{
    Audience, Booking, Facts, Fees, Format, Profile, Region, SpeakerKind, Stage, region,
};
use jiff::civil::Date;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Actor, commit_saved, record};
use crate::logistics::{Refused, opt_date};
use crate::rows::{flag, opt_u8, opt_u32, speaker};
use crate::{Result, Speaker, Store, StoreError, Tx, classify, now};

fn bad(what: &str, v: &str) -> StoreError {
    StoreError::Unusable(format!("unknown {what} {v:?} in database"))
}

/// A speaker with everything the directory knows of them.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SpeakerRecord {
    #[serde(flatten)]
    pub speaker: Speaker,
    #[serde(flatten)]
    pub profile: Profile,
}

fn list<T>(r: &AnyRow, c: &str, parse: impl Fn(&str) -> Option<T>) -> Result<Vec<T>> {
    let v: String = r.try_get(c)?;
    v.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| parse(s).ok_or_else(|| bad(c, s)))
        .collect()
}

fn joined<T: Copy>(v: &[T], slug: impl Fn(T) -> &'static str) -> String {
    v.iter().map(|x| slug(*x)).collect::<Vec<_>>().join(",")
}

fn speaker_record(r: &AnyRow) -> Result<SpeakerRecord> {
    let kind: String = r.try_get("kind")?;
    Ok(SpeakerRecord {
        speaker: speaker(r)?,
        profile: Profile {
            kind: SpeakerKind::parse(&kind).ok_or_else(|| bad("speaker kind", &kind))?,
            website: r.try_get("website")?,
            town: r.try_get("town")?,
            postcode: r.try_get("postcode")?,
            country: r.try_get("country")?,
            categories: list(r, "categories", |s| Some(s.to_string()))?,
            subjects: r.try_get("subjects")?,
            formats: list(r, "formats", Format::parse)?,
            audiences: list(r, "audiences", Audience::parse)?,
            ages: AgeRange {
                min: opt_u8(r, "age_min")?,
                max: opt_u8(r, "age_max")?,
                accompanied: false,
            },
            fees: Fees {
                talk: r.try_get("fee_talk_cents")?,
                workshop: r.try_get("fee_workshop_cents")?,
                day: r.try_get("fee_day_cents")?,
            },
            travel_cents: r.try_get("travel_cents")?,
            accommodation: flag(r, "accommodation")?,
            travel_notes: r.try_get("travel_notes")?,
            siret: r.try_get("siret")?,
            vat: flag(r, "vat")?,
            invoicing: r.try_get("invoicing")?,
        },
    })
}

/// One speaker in the directory, with what it is filtered and sorted by.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpeakerSummary {
    pub record: SpeakerRecord,
    pub region: Option<Region>,
    /// Live sessions they led or will lead.
    pub sessions: i64,
    /// The day of their latest live session, past or coming.
    pub last_date: Option<Date>,
    /// The team's average rating.
    pub rating: Option<f64>,
    pub ratings: i64,
}

impl SpeakerSummary {
    pub fn booking(&self, today: Date) -> Booking {
        Booking::of(self.last_date, today)
    }

    pub fn facts(&self, today: Date) -> Facts<'_> {
        Facts {
            categories: &self.record.profile.categories,
            region: self.region,
            lowest_fee: self.record.profile.fees.lowest(),
            booking: self.booking(today),
            rating: self.rating,
        }
    }
}

/// A session a speaker led, with its attendance and the team's rating.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LedSession {
    pub session_id: i64,
    pub event_id: i64,
    pub event_title: String,
    pub kind: SessionKind,
    pub starts_at: i64,
    pub ends_at: i64,
    pub capacity: Option<u32>,
    pub participants: Option<u32>,
    pub cancelled: bool,
    pub rating: Option<u8>,
    pub comment: String,
    pub rated_by: Option<String>,
}

// ---------------------------------------------------------------- pipeline

/// One speaker approached for one project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prospect {
    pub id: i64,
    pub speaker_id: i64,
    pub speaker_name: String,
    pub project: String,
    pub event_id: Option<i64>,
    pub event_title: Option<String>,
    pub stage: Stage,
    /// The date of the latest step.
    pub stage_on: Date,
    pub next_action: String,
    pub next_action_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProspectStep {
    pub id: i64,
    pub stage: Stage,
    pub on: Date,
    pub note: String,
    pub author: String,
    pub at: i64,
}

/// A project opened for a speaker, at "to contact" on `on`.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProspect {
    pub speaker_id: i64,
    pub project: String,
    pub event_id: Option<i64>,
    pub on: Date,
    pub next: Option<(String, Date)>,
}

const PROSPECT_SELECT: &str = "select p.*, sp.name as speaker_name, e.title as event_title from prospects p \
     join speakers sp on sp.id = p.speaker_id left join events e on e.id = p.event_id";

fn date(r: &AnyRow, c: &str) -> Result<Date> {
    let v: String = r.try_get(c)?;
    v.parse().map_err(|_| bad(c, &v))
}

fn stage(v: &str) -> Result<Stage> {
    Stage::parse(v).ok_or_else(|| bad("stage", v))
}

fn prospect(r: &AnyRow) -> Result<Prospect> {
    Ok(Prospect {
        id: r.try_get("id")?,
        speaker_id: r.try_get("speaker_id")?,
        speaker_name: r.try_get("speaker_name")?,
        project: r.try_get("project")?,
        event_id: r.try_get("event_id")?,
        event_title: r.try_get("event_title")?,
        stage: stage(&r.try_get::<String, _>("stage")?)?,
        stage_on: date(r, "stage_on")?,
        next_action: r.try_get("next_action")?,
        next_action_on: opt_date(r.try_get("next_action_on")?)?,
    })
}

async fn insert_step(
    tx: &mut Tx,
    actor: &Actor,
    prospect_id: i64,
    stage: Stage,
    on: Date,
    note: &str,
) -> Result<()> {
    sqlx::query("insert into prospect_steps (prospect_id, stage, on_date, note, author, at) values ($1, $2, $3, $4, $5, $6)")
        .bind(prospect_id)
        .bind(stage.slug())
        .bind(on.to_string())
        .bind(note)
        .bind(&actor.label)
        .bind(now())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    // ------------------------------------------------------------ directory

    pub async fn speaker_record(&self, library_id: LibraryId, id: i64) -> Result<SpeakerRecord> {
        let r = sqlx::query("select * from speakers where id = $1 and library_id = $2")
            .bind(id)
            .bind(library_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        speaker_record(&r)
    }

    /// Creates (`speaker.id == 0`) or updates a speaker with their whole profile.
    pub async fn save_speaker_record(&self, actor: &Actor, new: &SpeakerRecord) -> Result<i64> {
        let before = if new.speaker.id == 0 {
            None
        } else {
            Some(
                self.speaker_record(actor.library_id, new.speaker.id)
                    .await?,
            )
        };
        let (s, p) = (&new.speaker, &new.profile);
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(if before.is_some() {
            "update speakers set name = $1, organisation = $2, email = $3, phone = $4, notes = $5, kind = $6, \
             website = $7, town = $8, postcode = $9, country = $10, categories = $11, subjects = $12, formats = $13, \
             audiences = $14, age_min = $15, age_max = $16, fee_talk_cents = $17, fee_workshop_cents = $18, \
             fee_day_cents = $19, travel_cents = $20, accommodation = $21, travel_notes = $22, siret = $23, vat = $24, \
             invoicing = $25 where id = $26 and library_id = $27 returning id"
        } else {
            "insert into speakers (name, organisation, email, phone, notes, kind, website, town, postcode, country, \
             categories, subjects, formats, audiences, age_min, age_max, fee_talk_cents, fee_workshop_cents, \
             fee_day_cents, travel_cents, accommodation, travel_notes, siret, vat, invoicing, library_id) \
             select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, \
             $22, $23, $24, $25, $27 where $26 = 0 returning id"
        })
        .bind(&s.name)
        .bind(&s.organisation)
        .bind(&s.email)
        .bind(&s.phone)
        .bind(&s.notes)
        .bind(p.kind.slug())
        .bind(&p.website)
        .bind(&p.town)
        .bind(&p.postcode)
        .bind(&p.country)
        .bind(p.categories.join(","))
        .bind(&p.subjects)
        .bind(joined(&p.formats, Format::slug))
        .bind(joined(&p.audiences, Audience::slug))
        .bind(p.ages.min.map(i64::from))
        .bind(p.ages.max.map(i64::from))
        .bind(p.fees.talk)
        .bind(p.fees.workshop)
        .bind(p.fees.day)
        .bind(p.travel_cents)
        .bind(i64::from(p.accommodation))
        .bind(&p.travel_notes)
        .bind(&p.siret)
        .bind(i64::from(p.vat))
        .bind(&p.invoicing)
        .bind(before.as_ref().map_or(0, |b| b.speaker.id))
        .bind(actor.library_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let after = SpeakerRecord {
            speaker: Speaker { id, ..s.clone() },
            profile: p.clone(),
        };
        commit_saved(tx, actor, "speaker", id, before.as_ref(), &after).await
    }

    /// Every speaker with their region seen from `library_postcode`, how
    /// often and how recently they were booked, and the team's rating.
    pub async fn speaker_summaries(
        &self,
        library_id: LibraryId,
        library_postcode: &str,
    ) -> Result<Vec<SpeakerSummary>> {
        const LIVE: &str = "from session_speakers ss join sessions s on s.id = ss.session_id \
             join events e on e.id = s.event_id where ss.speaker_id = sp.id and s.cancelled = 0 and e.status <> 'cancelled'";
        let rows = sqlx::query(&format!(
            "select sp.*, (select count(*) {LIVE}) as n_sessions, (select max(s.local_date) {LIVE}) as last_date, \
             (select cast(coalesce(sum(r.rating), 0) as bigint) from speaker_ratings r where r.speaker_id = sp.id) as rating_sum, \
             (select count(*) from speaker_ratings r where r.speaker_id = sp.id) as n_ratings \
             from speakers sp where sp.library_id = $1 order by sp.id"
        ))
        .bind(library_id)
        .fetch_all(self.pool())
        .await?;
        let mut all = rows
            .iter()
            .map(|r| {
                let record = speaker_record(r)?;
                let ratings: i64 = r.try_get("n_ratings")?;
                let sum: i64 = r.try_get("rating_sum")?;
                Ok(SpeakerSummary {
                    region: region(
                        library_postcode,
                        &record.profile.postcode,
                        &record.profile.country,
                    ),
                    record,
                    sessions: r.try_get("n_sessions")?,
                    last_date: opt_date(r.try_get("last_date")?)?,
                    rating: (ratings > 0).then(|| sum as f64 / ratings as f64),
                    ratings,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        sort_by_name(&mut all, |s| &s.record.speaker.name);
        Ok(all)
    }

    /// The sessions a speaker led or will lead, newest first.
    pub async fn speaker_sessions(
        &self,
        library_id: LibraryId,
        speaker_id: i64,
    ) -> Result<Vec<LedSession>> {
        let rows = sqlx::query(
            "select s.id, s.event_id, e.title, s.kind, s.starts_at, s.ends_at, s.capacity, s.participants, s.cancelled, \
             e.status as event_status, r.rating, r.comment, r.author from session_speakers ss \
             join sessions s on s.id = ss.session_id join events e on e.id = s.event_id \
             left join speaker_ratings r on r.session_id = s.id and r.speaker_id = ss.speaker_id \
             where ss.speaker_id = $1 and s.library_id = $2 order by s.starts_at desc, s.id desc",
        )
        .bind(speaker_id)
        .bind(library_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("kind")?;
                let status: String = r.try_get("event_status")?;
                Ok(LedSession {
                    session_id: r.try_get("id")?,
                    event_id: r.try_get("event_id")?,
                    event_title: r.try_get("title")?,
                    kind: SessionKind::parse(&kind).ok_or_else(|| bad("kind", &kind))?,
                    starts_at: r.try_get("starts_at")?,
                    ends_at: r.try_get("ends_at")?,
                    capacity: opt_u32(r, "capacity")?,
                    participants: opt_u32(r, "participants")?,
                    cancelled: flag(r, "cancelled")? || status == "cancelled",
                    rating: opt_u8(r, "rating")?,
                    comment: r
                        .try_get::<Option<String>, _>("comment")?
                        .unwrap_or_default(),
                    rated_by: r.try_get("author")?,
                })
            })
            .collect()
    }

    /// The team's rating of a speaker for a session they led (replacing an
    /// earlier one); `NotFound` when they did not lead it.
    pub async fn rate_speaker(
        &self,
        actor: &Actor,
        session_id: i64,
        speaker_id: i64,
        rating: u8,
        comment: &str,
    ) -> Result<()> {
        let led = self.speaker_sessions(actor.library_id, speaker_id).await?;
        let before = led
            .into_iter()
            .find(|l| l.session_id == session_id)
            .ok_or(StoreError::NotFound)?;
        let mut tx = self.write().await?;
        sqlx::query(
            "insert into speaker_ratings (session_id, speaker_id, rating, comment, author, at) values ($1, $2, $3, $4, $5, $6) \
             on conflict (session_id, speaker_id) do update set rating = excluded.rating, comment = excluded.comment, \
             author = excluded.author, at = excluded.at",
        )
        .bind(session_id)
        .bind(speaker_id)
        .bind(i64::from(rating))
        .bind(comment)
        .bind(&actor.label)
        .bind(now())
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        let b = before.rating.map(|r| serde_json::json!({"session_id": session_id, "rating": r, "comment": before.comment}));
        let a = serde_json::json!({"session_id": session_id, "rating": rating, "comment": comment});
        record(
            &mut tx,
            actor,
            "speaker",
            speaker_id,
            "rate",
            b.as_ref(),
            Some(&a),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ------------------------------------------------------------ pipeline

    pub async fn prospect(&self, library_id: LibraryId, id: i64) -> Result<Prospect> {
        let r = sqlx::query(&format!(
            "{PROSPECT_SELECT} where p.id = $1 and p.library_id = $2"
        ))
        .bind(id)
        .bind(library_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        prospect(&r)
    }

    /// Every project, most recently moved first; or one speaker's.
    pub async fn prospects(
        &self,
        library_id: LibraryId,
        speaker_id: Option<i64>,
    ) -> Result<Vec<Prospect>> {
        let rows = sqlx::query(&format!(
            "{PROSPECT_SELECT} where p.library_id = $1 and ($2 is null or p.speaker_id = $2) \
             order by p.stage_on desc, p.updated_at desc, p.id desc"
        ))
        .bind(library_id)
        .bind(speaker_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(prospect).collect()
    }

    /// Projects whose next action falls on or before `until`, soonest first.
    pub async fn follow_ups(&self, library_id: LibraryId, until: Date) -> Result<Vec<Prospect>> {
        let rows = sqlx::query(&format!(
            "{PROSPECT_SELECT} where p.library_id = $1 and p.next_action_on is not null and p.next_action_on <= $2 \
             order by p.next_action_on, p.id"
        ))
        .bind(library_id)
        .bind(until.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(prospect).collect()
    }

    pub async fn prospect_steps(
        &self,
        library_id: LibraryId,
        id: i64,
    ) -> Result<Vec<ProspectStep>> {
        let rows = sqlx::query(
            "select st.* from prospect_steps st join prospects p on p.id = st.prospect_id \
             where st.prospect_id = $1 and p.library_id = $2 order by st.id",
        )
        .bind(id)
        .bind(library_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ProspectStep {
                    id: r.try_get("id")?,
                    stage: stage(&r.try_get::<String, _>("stage")?)?,
                    on: date(r, "on_date")?,
                    note: r.try_get("note")?,
                    author: r.try_get("author")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    /// Opens a project for a speaker of the library, optionally for one of
    /// its events; its first step is "to contact".
    pub async fn create_prospect(&self, actor: &Actor, new: &NewProspect) -> Result<i64> {
        let mut tx = self.write().await?;
        let t = now();
        let (next_action, next_on) = match &new.next {
            Some((text, on)) => (text.clone(), Some(on.to_string())),
            None => (String::new(), None),
        };
        let id: i64 = sqlx::query_scalar(
            "insert into prospects (library_id, speaker_id, project, event_id, stage, stage_on, next_action, \
             next_action_on, created_at, updated_at) select sp.library_id, sp.id, $3, $4, 'to_contact', $5, $6, $7, $8, $8 \
             from speakers sp where sp.id = $2 and sp.library_id = $1 \
             and ($4 is null or exists (select 1 from events e where e.id = $4 and e.library_id = $1)) returning id",
        )
        .bind(actor.library_id)
        .bind(new.speaker_id)
        .bind(&new.project)
        .bind(new.event_id)
        .bind(new.on.to_string())
        .bind(&next_action)
        .bind(next_on)
        .bind(t)
        .fetch_optional(&mut *tx)
        .await
        .map_err(classify)?
        .ok_or(StoreError::NotFound)?;
        insert_step(&mut tx, actor, id, Stage::ToContact, new.on, "").await?;
        let after = serde_json::json!({
            "speaker_id": new.speaker_id, "project": new.project, "event_id": new.event_id,
            "stage": Stage::ToContact, "stage_on": new.on, "next_action": next_action,
        });
        record(&mut tx, actor, "prospect", id, "create", None, Some(&after)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Moves a project one step, dated, with a note, when the pipeline
    /// allows it from where it is (compare-and-set on the stage).
    pub async fn move_prospect(
        &self,
        actor: &Actor,
        id: i64,
        to: Stage,
        on: Date,
        note: &str,
    ) -> Result<Result<(), Refused<Stage>>> {
        let before = self.prospect(actor.library_id, id).await?;
        let mut tx = self.write().await?;
        let current: String =
            sqlx::query_scalar("select stage from prospects where id = $1 and library_id = $2")
                .bind(id)
                .bind(actor.library_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound)?;
        let from = stage(&current)?;
        if !from.may_become(to) {
            return Ok(Err(Refused(from)));
        }
        let n = sqlx::query("update prospects set stage = $1, stage_on = $2, updated_at = $3 where id = $4 and stage = $5")
            .bind(to.slug())
            .bind(on.to_string())
            .bind(now())
            .bind(id)
            .bind(from.slug())
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() == 0 {
            return Ok(Err(Refused(from)));
        }
        insert_step(&mut tx, actor, id, to, on, note).await?;
        let b = serde_json::json!({"stage": from, "stage_on": before.stage_on});
        let a = serde_json::json!({"stage": to, "stage_on": on, "note": note});
        record(&mut tx, actor, "prospect", id, "move", Some(&b), Some(&a)).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Sets or clears the next action.
    pub async fn set_next_action(
        &self,
        actor: &Actor,
        id: i64,
        next: Option<(String, Date)>,
    ) -> Result<()> {
        let before = self.prospect(actor.library_id, id).await?;
        let mut tx = self.write().await?;
        let (text, on) = match &next {
            Some((t, d)) => (t.clone(), Some(*d)),
            None => (String::new(), None),
        };
        sqlx::query("update prospects set next_action = $1, next_action_on = $2, updated_at = $3 where id = $4 and library_id = $5")
            .bind(&text)
            .bind(on.map(|d| d.to_string()))
            .bind(now())
            .bind(id)
            .bind(actor.library_id)
            .execute(&mut *tx)
            .await?;
        let b = serde_json::json!({"next_action": before.next_action, "next_action_on": before.next_action_on});
        let a = serde_json::json!({"next_action": text, "next_action_on": on});
        record(
            &mut tx,
            actor,
            "prospect",
            id,
            "next_action",
            Some(&b),
            Some(&a),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
