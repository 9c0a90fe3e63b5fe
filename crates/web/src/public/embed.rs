//! The embeddable agenda (`/embed/agenda?series=…&limit=…`): a compact,
//! standalone page for an `<iframe>` on the city's website, with the
//! agenda's filters, no navigation and no JavaScript. Its links open in the
//! whole window; it is the one page other sites may frame (see `headers`).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use super::agenda::{AgendaQuery, Day, by_day, select};
use super::page::Visit;
use crate::forms::FormErrors;
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/embed/agenda", get(embed))
}

const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 50;

#[derive(Template)]
#[template(path = "public_embed.html")]
struct EmbedPage {
    tr: Tr,
    title: String,
    days: Vec<Day>,
    errors: FormErrors,
    more: String,
}

/// Sessions to show: 1 to 50, 10 unless said.
fn limit(s: &str) -> usize {
    s.trim()
        .parse::<usize>()
        .map_or(DEFAULT_LIMIT, |n| n.clamp(1, MAX_LIMIT))
}

async fn embed(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<AgendaQuery>,
) -> Result<Response, WebError> {
    let (tr, tz) = (visit.tr(), visit.tz());
    let (kept, _, errors) = select(&state, &visit, &q, false, 0, limit(&q.limit), 0).await?;
    let days = by_day(tr, &tz, kept.into_iter());
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EmbedPage {
        tr,
        title: tr.tf("embed.title", &[("library", visit.library.name.clone())]),
        days,
        errors,
        more: q.with_filters("/agenda"),
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_stays_within_bounds() {
        assert_eq!(
            (
                limit(""),
                limit("3"),
                limit("0"),
                limit("5000"),
                limit("beaucoup")
            ),
            (10, 3, 1, 50, 10)
        );
    }
}
