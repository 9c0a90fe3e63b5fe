//! Security headers on every answer: no content sniffing, referrers kept to
//! this site, a Content-Security-Policy that runs only the product's own
//! scripts and styles, no framing by other sites (except for the embeddable
//! agenda, `/embed/…`, which the city's website shows in an `<iframe>`), no
//! caching of what carries personal data, and HSTS when the public address
//! is https.

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

/// What pages may load: this site's scripts and styles only (no inline
/// script, style element or attribute: see the templates and `static/`),
/// images from this site, `data:` and https (an event's picture may live on
/// the library's website), no plugins, no `<base>`, forms posted here only.
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data: https:; object-src 'none'; base-uri 'none'; form-action 'self'";

/// Answers that must never be kept by a browser or a proxy: every staff
/// page and export (registrants' and speakers' details, on computers the
/// public shares), the private registration pages, and the API, whose
/// answers carry registrations and, to staff tokens, people's details.
fn personal(path: &str) -> bool {
    path == "/staff"
        || path.starts_with("/staff/")
        || path.starts_with("/r/")
        || path.starts_with("/api/")
}

pub async fn secure(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let embed = path.starts_with("/embed/");
    let personal = personal(path);
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The private link sets a stricter policy of its own.
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    let frame_ancestors = if embed {
        state.config.frame_ancestors.as_str()
    } else {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        "'none'"
    };
    let policy = format!("{POLICY}; frame-ancestors {frame_ancestors}");
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static("default-src 'none'")),
    );
    if personal {
        let kept = h
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store"));
        if !kept {
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
    }
    if state.serves_https() {
        // A year, this host only: the library's other hosts may still
        // speak plain HTTP.
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
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
