//! Speakers: the directory and a speaker's record (`record`), the
//! prospecting pipeline (`prospects`), and the project cards both show
//! (`cards`).

mod cards;
mod prospects;
mod record;

use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(record::routes())
        .merge(prospects::routes())
}
