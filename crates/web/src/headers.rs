//! Security headers on every answer: no content sniffing, referrers kept to
//! this site, and no framing by other sites, except for the embeddable
//! agenda (`/embed/…`), which the city's website shows in an `<iframe>`.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// Where the embeddable agenda may be framed: `*`, or sources separated by
/// spaces (`https://www.ville.fr 'self'`). Refuses anything that could end
/// the directive or the header.
pub fn parse_frame_ancestors(s: &str) -> Result<String, String> {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let ok = !s.is_empty()
        && s.len() <= 1000
        && s.split(' ').all(|src| {
            src == "*"
                || src == "'self'"
                || src == "'none'"
                || ((src.starts_with("https://") || src.starts_with("http://"))
                    && src
                        .bytes()
                        .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'\'' | b'"')))
        });
    if ok {
        Ok(s)
    } else {
        Err(format!(
            "{s:?} is not a list of sources like * or https://www.ville.fr"
        ))
    }
}

pub async fn secure(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let embed = req.uri().path().starts_with("/embed/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The private link sets a stricter policy of its own.
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    if embed {
        let policy = format!("frame-ancestors {}", state.config.frame_ancestors);
        if let Ok(v) = HeaderValue::from_str(&policy) {
            h.insert(header::CONTENT_SECURITY_POLICY, v);
        }
    } else {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_ancestors_are_sources_and_nothing_else() {
        assert_eq!(parse_frame_ancestors(" * ").unwrap(), "*");
        assert_eq!(
            parse_frame_ancestors("https://www.ville.fr  'self'").unwrap(),
            "https://www.ville.fr 'self'"
        );
        for bad in [
            "",
            "https://a.fr; script-src *",
            "ville.fr",
            "https://a.fr,https://b.fr",
            "javascript:x",
        ] {
            assert!(parse_frame_ancestors(bad).is_err(), "{bad}");
        }
    }
}
