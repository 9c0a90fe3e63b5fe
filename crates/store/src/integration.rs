//! What the public integration reads beyond the agenda: the seats of many
//! sessions in one query (the JSON API's lists).

use almanach_domain::ids::{EventId, LibraryId, SessionId};
use std::collections::HashMap;

use sqlx::Row;

use crate::registrations::{seat_state, session_seats};
use crate::rows::At;
use crate::select::{TAKEN, WAITING};
use crate::{Result, SeatState, Store, Target};

impl Store {
    /// The seats of each of `session_ids` (of the library; others are left
    /// out): one query for them all, plus one per course among them.
    pub async fn seat_states(
        &self,
        library_id: LibraryId,
        session_ids: &[SessionId],
    ) -> Result<HashMap<SessionId, SeatState>> {
        let mut out = HashMap::with_capacity(session_ids.len());
        if session_ids.is_empty() {
            return Ok(out);
        }
        let placeholders = (2..session_ids.len() + 2)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "select s.*, e.status as event_status, e.course as event_course, {TAKEN} as taken, {WAITING} as waiting \
             from sessions s join events e on e.id = s.event_id where s.library_id = $1 and s.id in ({placeholders})"
        );
        let mut q = sqlx::query(&sql).bind(library_id);
        for id in session_ids {
            q = q.bind(*id);
        }
        let mut c = self.pool().acquire().await?;
        let rows = q.fetch_all(&mut *c).await?;
        let mut courses: HashMap<EventId, SeatState> = HashMap::new();
        for r in &rows {
            let (id, event_id): (SessionId, EventId) = (r.try_get("id")?, r.try_get("event_id")?);
            let status: String = r.try_get("event_status")?;
            let st = if r.try_get::<i64, _>("event_course")? != 0 {
                match courses.get(&event_id) {
                    Some(st) => st.clone(),
                    None => {
                        let st = seat_state(
                            &mut c,
                            At {
                                event_id,
                                session_id: None,
                            },
                        )
                        .await?;
                        courses.insert(event_id, st.clone());
                        st
                    }
                }
            } else {
                let cancelled = status == "cancelled" || r.try_get::<i64, _>("cancelled")? != 0;
                let (offer, settings) = session_seats(r, cancelled)?;
                SeatState {
                    target: Target::Session(id),
                    event_id,
                    offer,
                    settings,
                    waiting: r.try_get::<i64, _>("waiting")? as u32,
                    published: status == "published",
                }
            };
            out.insert(id, st);
        }
        Ok(out)
    }
}
