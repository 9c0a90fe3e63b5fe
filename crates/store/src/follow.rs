//! What follows a change of the programme, in the change's own transaction:
//! registrants told (or their unsent cancellations withdrawn), waiting
//! parties promoted when seats grew, a new session given its series' default
//! technical needs. Programme writes name the change here, once, instead of
//! reaching into mail, registrations and logistics themselves.

use almanach_domain::ids::{EventId, SessionId};
use serde_json::{Value, json};

use crate::Result;
use crate::Tx;
use crate::audit::Actor;
use crate::mail::MailKind;

/// A change the rest of the store answers.
#[derive(Debug, Clone)]
pub(crate) enum Change {
    /// A new session.
    SessionCreated { session_id: SessionId },
    /// A session saved again. `moved` holds its start, end and room before,
    /// when they changed while it was live.
    SessionSaved {
        event_id: EventId,
        session_id: SessionId,
        moved: Option<Value>,
    },
    /// A session cancelled (`true`) or restored (`false`).
    SessionCancelled {
        event_id: EventId,
        session_id: SessionId,
        cancelled: bool,
    },
    /// An event cancelled: every session of it.
    EventCancelled { event_id: EventId },
    /// A cancelled event published or drafted again.
    EventRestored { event_id: EventId },
}

/// Does what follows `change`, inside `tx`.
pub(crate) async fn follow(tx: &mut Tx, actor: &Actor, change: Change) -> Result<()> {
    match change {
        Change::SessionCreated { session_id } => {
            crate::logistics::after_session_created(tx, actor, session_id).await
        }
        Change::SessionSaved {
            event_id,
            session_id,
            moved,
        } => {
            // A larger capacity promotes waiting parties in this transaction.
            crate::registrations::after_session_saved(tx, actor, session_id).await?;
            if let Some(was) = moved {
                crate::mail::on_session(tx, event_id, Some(session_id), MailKind::Changed, was)
                    .await?;
            }
            Ok(())
        }
        Change::SessionCancelled {
            event_id,
            session_id,
            cancelled,
        } => {
            // A restoring withdraws the cancellations not sent yet: see `mail::plan`.
            let (kind, payload) = if cancelled {
                (MailKind::SessionCancelled, json!({}))
            } else {
                (MailKind::Changed, json!({ "restored": true }))
            };
            crate::mail::on_session(tx, event_id, Some(session_id), kind, payload).await
        }
        Change::EventCancelled { event_id } => {
            crate::mail::on_session(tx, event_id, None, MailKind::SessionCancelled, json!({})).await
        }
        Change::EventRestored { event_id } => {
            crate::mail::withdraw_unsent_cancellations(tx, event_id).await
        }
    }
}
