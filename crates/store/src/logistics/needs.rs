//! Each session's needs with their comment thread and status, the team's
//! "tested without IT" check, and a session's readiness.

use almanach_domain::ids::{LibraryId, SessionId};
use almanach_domain::logistics::{Deadline, NeedStatus, Provider, Readiness};
use jiff::civil::Date;
use serde::Serialize;
use sqlx::Row;

use crate::audit::{Actor, record};
use crate::logistics::rows::{Need, NeedRecord, Refused, bad};
use crate::{Result, Store, StoreError, Tx, classify, now};

/// What a person sets on a need (a series' default needs have no due date).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedWrite {
    pub need_type_id: i64,
    pub quantity: u32,
    pub details: String,
    pub provider: Provider,
    pub due_override: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedComment {
    pub id: i64,
    pub author: String,
    pub body: String,
    /// The status the need moved to with this comment.
    pub status: Option<NeedStatus>,
    pub at: i64,
}

/// A session's technical preparation: the rule's verdict, its needs, the
/// team's test without IT, and how ready it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionPrep {
    pub deadline: Deadline,
    pub needs: Vec<Need>,
    /// Who confirmed it works without IT, and when.
    pub tested_without_it: Option<(String, i64)>,
    pub readiness: Option<Readiness>,
}

impl SessionPrep {
    /// The team's test is asked for when IT is away and provides something.
    pub fn asks_test_without_it(&self) -> bool {
        self.deadline.without_it && self.needs.iter().any(|n| n.provider == Provider::It)
    }
}

impl Store {
    pub async fn need(&self, library_id: LibraryId, id: i64) -> Result<Need> {
        let ctx = self.it_context(library_id).await?;
        self.needs_where(&ctx, "n.id = $2", library_id, &[id])
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    /// A session's needs, the rule's verdict on it, the team's test without
    /// IT and its readiness today.
    pub async fn session_prep(
        &self,
        library_id: LibraryId,
        session_id: SessionId,
        today: Date,
    ) -> Result<SessionPrep> {
        let ctx = self.it_context(library_id).await?;
        let (starts_at, ends_at): (i64, i64) = sqlx::query_as(
            "select starts_at, ends_at from sessions where id = $1 and library_id = $2",
        )
        .bind(session_id)
        .bind(library_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
        let needs = self
            .needs_where(&ctx, "n.session_id = $2", library_id, &[session_id.get()])
            .await?;
        let tested: Option<(String, i64)> = sqlx::query_as(
            "select checked_by, checked_at from it_free_checks where session_id = $1",
        )
        .bind(session_id)
        .fetch_optional(self.pool())
        .await?;
        let mut prep = SessionPrep {
            deadline: ctx.deadline(starts_at, ends_at),
            needs,
            tested_without_it: tested,
            readiness: None,
        };
        prep.readiness = readiness(&prep, today);
        Ok(prep)
    }

    /// Adds a need to a session of the library; an unknown type or session
    /// is `NotFound`.
    pub async fn add_need(
        &self,
        actor: &Actor,
        session_id: SessionId,
        w: &NeedWrite,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        let t = now();
        let id: i64 = sqlx::query_scalar(
            "insert into session_needs (library_id, session_id, need_type_id, quantity, details, provider, \
             due_override, status, created_at, updated_at) select s.library_id, s.id, t.id, $4, $5, $6, $7, \
             'requested', $8, $8 from sessions s join need_types t on t.library_id = s.library_id \
             where s.id = $2 and s.library_id = $1 and t.id = $3 returning id",
        )
        .bind(actor.library_id)
        .bind(session_id)
        .bind(w.need_type_id)
        .bind(i64::from(w.quantity))
        .bind(&w.details)
        .bind(w.provider.slug())
        .bind(w.due_override.map(|d| d.to_string()))
        .bind(t)
        .fetch_optional(&mut *tx)
        .await
        .map_err(classify)?
        .ok_or(StoreError::NotFound)?;
        let after = NeedRecord {
            session_id,
            need_type_id: w.need_type_id,
            quantity: w.quantity,
            details: w.details.clone(),
            provider: w.provider,
            due_override: w.due_override,
            status: NeedStatus::Requested,
        };
        record(&mut tx, actor, "need", id, "create", None, Some(&after)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes what is asked; the status stays (it moves by `set_need_status`).
    pub async fn update_need(&self, actor: &Actor, id: i64, w: &NeedWrite) -> Result<()> {
        let before = self.need(actor.library_id, id).await?;
        let mut tx = self.write().await?;
        let n = sqlx::query(
            "update session_needs set need_type_id = $1, quantity = $2, details = $3, provider = $4, \
             due_override = $5, updated_at = $6 where id = $7 and library_id = $8 \
             and exists (select 1 from need_types t where t.id = $1 and t.library_id = $8)",
        )
        .bind(w.need_type_id)
        .bind(i64::from(w.quantity))
        .bind(&w.details)
        .bind(w.provider.slug())
        .bind(w.due_override.map(|d| d.to_string()))
        .bind(now())
        .bind(id)
        .bind(actor.library_id)
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let after = NeedRecord {
            need_type_id: w.need_type_id,
            quantity: w.quantity,
            details: w.details.clone(),
            provider: w.provider,
            due_override: w.due_override,
            ..before.record()
        };
        record(
            &mut tx,
            actor,
            "need",
            id,
            "update",
            Some(&before.record()),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn delete_need(&self, actor: &Actor, id: i64) -> Result<()> {
        let before = self.need(actor.library_id, id).await?;
        let mut tx = self.write().await?;
        sqlx::query("delete from session_needs where id = $1 and library_id = $2")
            .bind(id)
            .bind(actor.library_id)
            .execute(&mut *tx)
            .await?;
        record(
            &mut tx,
            actor,
            "need",
            id,
            "delete",
            Some(&before.record()),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a need to `to` with an optional comment, when the domain
    /// allows that move from where it is. Compare-and-set on the status, so
    /// two people moving it at once cannot both succeed from the same state.
    pub async fn set_need_status(
        &self,
        actor: &Actor,
        id: i64,
        to: NeedStatus,
        comment: &str,
    ) -> Result<Result<(), Refused<NeedStatus>>> {
        let before = self.need(actor.library_id, id).await?;
        let mut tx = self.write().await?;
        let current: String = sqlx::query_scalar(
            "select status from session_needs where id = $1 and library_id = $2",
        )
        .bind(id)
        .bind(actor.library_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let from = NeedStatus::parse(&current).ok_or_else(|| bad("status", &current))?;
        if !from.may_become(to) {
            return Ok(Err(Refused(from)));
        }
        let t = now();
        let n = sqlx::query(
            "update session_needs set status = $1, updated_at = $2 where id = $3 and status = $4",
        )
        .bind(to.slug())
        .bind(t)
        .bind(id)
        .bind(from.slug())
        .execute(&mut *tx)
        .await?;
        if n.rows_affected() == 0 {
            return Ok(Err(Refused(from)));
        }
        insert_comment(&mut tx, actor, id, comment, Some(to), t).await?;
        let b = NeedRecord {
            status: from,
            ..before.record()
        };
        let after = NeedRecord {
            status: to,
            ..before.record()
        };
        record(&mut tx, actor, "need", id, "status", Some(&b), Some(&after)).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }

    pub async fn comment_need(&self, actor: &Actor, id: i64, body: &str) -> Result<()> {
        self.need(actor.library_id, id).await?;
        let mut tx = self.write().await?;
        insert_comment(&mut tx, actor, id, body, None, now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The thread, oldest first.
    pub async fn need_comments(
        &self,
        library_id: LibraryId,
        need_id: i64,
    ) -> Result<Vec<NeedComment>> {
        let rows = sqlx::query(
            "select c.* from need_comments c join session_needs n on n.id = c.need_id \
             where c.need_id = $1 and n.library_id = $2 order by c.id",
        )
        .bind(need_id)
        .bind(library_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let status: Option<String> = r.try_get("status")?;
                Ok(NeedComment {
                    id: r.try_get("id")?,
                    author: r.try_get("author")?,
                    body: r.try_get("body")?,
                    status: status
                        .map(|s| NeedStatus::parse(&s).ok_or_else(|| bad("status", &s)))
                        .transpose()?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    /// Records (or withdraws) the team's test of a session without IT.
    pub async fn set_tested_without_it(
        &self,
        actor: &Actor,
        session_id: SessionId,
        tested: bool,
    ) -> Result<()> {
        self.session(actor.library_id, session_id).await?;
        let mut tx = self.write().await?;
        sqlx::query("delete from it_free_checks where session_id = $1")
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
        if tested {
            sqlx::query("insert into it_free_checks (session_id, checked_by, checked_at) values ($1, $2, $3)")
                .bind(session_id)
                .bind(&actor.label)
                .bind(now())
                .execute(&mut *tx)
                .await?;
        }
        let action = if tested {
            "tested_without_it"
        } else {
            "untested_without_it"
        };
        record::<()>(&mut tx, actor, "session", session_id, action, None, None).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A session's readiness: its needs, plus the team's test without IT when
/// asked for (due on IT's last day before it).
pub(super) fn readiness(p: &SessionPrep, today: Date) -> Option<Readiness> {
    let test = p.asks_test_without_it().then(|| {
        let status = if p.tested_without_it.is_some() {
            NeedStatus::Checked
        } else {
            NeedStatus::Requested
        };
        (status, p.deadline.last_it_day)
    });
    Readiness::of_session(p.needs.iter().map(|n| (n.status, n.due)).chain(test), today)
}

async fn insert_comment(
    tx: &mut Tx,
    actor: &Actor,
    need_id: i64,
    body: &str,
    status: Option<NeedStatus>,
    at: i64,
) -> Result<()> {
    sqlx::query("insert into need_comments (need_id, staff_id, author, body, status, at) values ($1, $2, $3, $4, $5, $6)")
        .bind(need_id)
        .bind(actor.staff_id)
        .bind(&actor.label)
        .bind(body)
        .bind(status.map(|s| s.slug()))
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
