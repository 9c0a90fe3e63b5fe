//! The RSS 2.0 feed of coming published sessions (`/agenda.rss`), with the
//! agenda's filters: one item per session, stable links as identifiers.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;

use super::agenda::{AgendaQuery, kind_key, select};
use super::page::Visit;
use crate::view::when;
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/agenda.rss", get(feed))
}

/// A feed reader wants what is coming, not the whole season.
const MAX_ITEMS: usize = 100;

struct Item {
    title: String,
    link: String,
    description: String,
    category: Option<String>,
}

#[derive(Template)]
#[template(path = "public_feed.xml")]
struct Feed {
    title: String,
    link: String,
    self_link: String,
    description: String,
    language: &'static str,
    built: String,
    items: Vec<Item>,
}

/// Text as XML 1.0 allows it: askama escapes markup, this drops the
/// control characters no XML document may hold, even escaped.
pub(crate) fn xml_text(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        })
        .collect()
}

async fn feed(
    State(state): State<AppState>,
    visit: Visit,
    Query(q): Query<AgendaQuery>,
) -> Result<Response, WebError> {
    let (tr, tz) = (visit.tr(), visit.tz());
    let (kept, _, errors) = select(&state, &visit, &q, false, 0, MAX_ITEMS, 0).await?;
    if !errors.is_empty() {
        return Ok((StatusCode::BAD_REQUEST, errors.all().join("\n")).into_response());
    }
    let items = kept
        .into_iter()
        .take(MAX_ITEMS)
        .map(|(i, badge)| {
            let s = &i.session;
            let when = when(tr.lang, &tz, s.starts_at, s.ends_at);
            let mut facts = vec![when.clone(), tr.t(kind_key(s.kind)).to_string()];
            facts.extend(s.room_name.clone());
            facts.push(badge.text);
            let description = format!("{}\n\n{}", facts.join(" · "), i.description.trim());
            Item {
                title: xml_text(&format!("{} — {when}", s.event_title)),
                link: visit.link(&format!("/events/{}#s{}", s.event_id, s.id)),
                description: xml_text(description.trim()),
                category: s.series_name.as_deref().map(xml_text),
            }
        })
        .collect();
    let built = Timestamp::now().to_zoned(tz.clone());
    let body = Feed {
        title: xml_text(&tr.tf("feed.title", &[("library", visit.library.name.clone())])),
        link: visit.link("/agenda"),
        self_link: visit.link(&q.with_filters("/agenda.rss")),
        description: xml_text(&tr.tf(
            "feed.description",
            &[
                ("library", visit.library.name.clone()),
                ("of_library", visit.library.of_name()),
            ],
        )),
        language: tr.code(),
        built: jiff::fmt::rfc2822::to_string(&built).unwrap_or_default(),
        items,
    }
    .render()?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/rss+xml; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_xml() {
        assert_eq!(xml_text("a\u{1}b\u{8}\tc\nd\u{FFFF}é"), "ab\tc\ndé");
    }
}
