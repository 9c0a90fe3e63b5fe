//! A session's technical readiness as a badge, for the lists and the
//! session page.

use almanach_domain::ids::SessionId;
use std::collections::HashMap;

use almanach_domain::logistics::Readiness;
use jiff::tz::TimeZone;

use crate::auth::StaffSession;
use crate::view::dates::today;
use crate::view::session::{Badge, SessionRow};
use crate::{AppState, Tr, WebError};

/// Puts each row's readiness on it, for sessions starting in [from, to).
pub(crate) async fn mark_readiness(
    state: &AppState,
    s: &StaffSession,
    tz: &TimeZone,
    from: i64,
    to: i64,
    rows: &mut [SessionRow],
) -> Result<(), WebError> {
    let tr = Tr::new(s.lang);
    let map: HashMap<SessionId, Readiness> = state
        .store
        .readiness_between(s.library_id(), from, to, today(tz))
        .await?;
    for r in rows {
        r.readiness = map.get(&SessionId(r.id)).map(|x| Badge::new(&tr, *x));
    }
    Ok(())
}

/// A saved session's readiness (None for a new one, or one without needs).
pub(crate) async fn session_badge(
    state: &AppState,
    s: &StaffSession,
    id: i64,
) -> Result<Option<Badge>, WebError> {
    if id == 0 {
        return Ok(None);
    }
    let tz = state.store.library(s.library_id()).await?.tz();
    let prep = state
        .store
        .session_prep(s.library_id(), SessionId(id), today(&tz))
        .await?;
    Ok(prep.readiness.map(|r| Badge::new(&Tr::new(s.lang), r)))
}
