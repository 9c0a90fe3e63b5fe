//! The events' spans (migration 0018) against the sessions they sum up:
//! random events (some never given a session), sessions added, moved in
//! time, moved to another event and cancelled, each step followed by a
//! check that the staff list of events says, for every event, the first
//! start and the number of sessions that counting the sessions says, and
//! sorts each one into coming or past as its last end says. A session
//! longer than the store allows is refused (the session queries count on
//! it, see `LONGEST_SESSION_SECS`).

use std::collections::HashMap;

use almanach_domain::ids::{EventId, LibraryId, SessionId};
use almanach_domain::programme::LONGEST_SESSION_SECS;
use almanach_store::testing::{Dice, published_event, saved_session, session_at};
use almanach_store::*;

const DAY: i64 = 24 * 3600;

/// What the list says of each event: its first start and its sessions.
async fn listed(
    store: &Store,
    lib: LibraryId,
    period: EventPeriod,
    t: i64,
) -> HashMap<EventId, (Option<i64>, i64)> {
    let q = EventQuery {
        period,
        now: t,
        limit: 10_000,
        ..Default::default()
    };
    let rows = store.list_event_rows(lib, &q).await.unwrap();
    assert_eq!(
        store.count_event_rows(lib, &q).await.unwrap(),
        rows.len() as i64,
        "{period:?}: the count is the list's length"
    );
    rows.into_iter()
        .map(|r| (r.event.id, (r.first_at, r.sessions)))
        .collect()
}

async fn check(store: &Store, lib: LibraryId, events: &[EventId], t: i64, step: usize) {
    let all = listed(store, lib, EventPeriod::All, t).await;
    let coming = listed(store, lib, EventPeriod::Upcoming, t).await;
    let past = listed(store, lib, EventPeriod::Past, t).await;
    assert_eq!(all.len(), events.len(), "step {step}: every event listed");
    for id in events {
        let f = SessionFilter {
            event_id: Some(*id),
            include_cancelled: true,
            ..Default::default()
        };
        let sessions = store.list_sessions(lib, &f).await.unwrap();
        let first = sessions.iter().map(|s| s.starts_at).min();
        let last = sessions.iter().map(|s| s.ends_at).max();
        assert_eq!(
            all[id],
            (first, sessions.len() as i64),
            "step {step}: event {id:?}'s first start and sessions"
        );
        let is_coming = last.is_none_or(|l| l > t);
        assert_eq!(
            (coming.contains_key(id), past.contains_key(id)),
            (is_coming, !is_coming),
            "step {step}: event {id:?} (last end {last:?}) coming or past"
        );
    }
}

almanach_store::on_both_backends! {
    async fn the_spans_follow_every_change_to_sessions(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let actor = Actor::system(lib, "test");
        let t = now();
        let mut dice = Dice(18);
        let mut events: Vec<EventId> = Vec::new();
        let mut sessions: Vec<(SessionId, SessionWrite)> = Vec::new();
        for step in 0..120 {
            let roll = dice.below(10);
            if events.is_empty() || roll == 0 {
                events.push(published_event(&store, lib, &format!("Événement {step}")).await);
            } else if sessions.is_empty() || roll < 5 {
                let event = events[dice.below(events.len() as u64) as usize];
                let start = t + (dice.below(60) as i64 - 30) * DAY + 3600 * dice.below(24) as i64;
                let w = session_at(event, start, start + 3600 * (1 + dice.below(8) as i64));
                sessions.push((saved_session(&store, lib, &w).await, w));
            } else if roll < 8 {
                // Moved in time, or to another event.
                let k = dice.below(sessions.len() as u64) as usize;
                let (id, mut w) = sessions[k].clone();
                if roll == 7 {
                    w.event_id = events[dice.below(events.len() as u64) as usize];
                } else {
                    let start = w.starts_at + (dice.below(21) as i64 - 10) * DAY;
                    w = SessionWrite {
                        event_id: w.event_id,
                        ..session_at(w.event_id, start, start + 5400)
                    };
                }
                store
                    .save_session(&actor, Some(id), &w)
                    .await
                    .unwrap()
                    .expect("no room, no clash");
                sessions[k].1 = w;
            } else {
                let k = dice.below(sessions.len() as u64) as usize;
                store
                    .set_session_cancelled(&actor, sessions[k].0, dice.below(2) == 0)
                    .await
                    .unwrap();
            }
            if step % 10 == 9 {
                check(&store, lib, &events, t, step).await;
            }
        }
        check(&store, lib, &events, t, 120).await;

        let w = session_at(events[0], t, t + LONGEST_SESSION_SECS + 1);
        assert!(
            matches!(
                store.save_session(&actor, None, &w).await,
                Err(StoreError::Conflict(_))
            ),
            "a session longer than the store allows is refused"
        );
    }
}
