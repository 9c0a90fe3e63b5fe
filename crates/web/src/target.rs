//! Where a redirect may lead when the request names it (`?next=` of the
//! sign-in and of the language switcher): only a path of this site. Every
//! redirect whose target comes from outside goes through `local_target`.

/// `raw` as a same-site absolute path, ready for a `Location` header; None
/// when it could lead elsewhere or is not a plain path.
///
/// Browsers are lenient with `Location`: they treat `\` as `/`, drop tabs
/// and line breaks, and resolve dot segments, so `/\evil.example`,
/// `/%09/evil.example` (a tab once decoded) or `/.//evil.example` all reach
/// `//evil.example`, another site. Rather than predict every browser, the
/// path must be boring: it starts with one `/`, holds no backslash, no
/// control or space character (raw or percent-encoded), no empty or dot
/// segment. Other bytes outside visible ASCII are percent-encoded.
pub fn local_target(raw: &str) -> Option<String> {
    if raw.len() > 2000 || !raw.starts_with('/') {
        return None;
    }
    let bad_char = |c: char| c == '\\' || c.is_control() || c.is_whitespace();
    if raw.chars().any(bad_char) {
        return None;
    }
    // Encoded: a backslash, a control character or a space, which a proxy
    // or a second decoding could turn back into the real thing.
    let lower = raw.to_ascii_lowercase();
    let encoded_bad = lower.match_indices('%').any(|(i, _)| {
        let hex = lower.get(i + 1..i + 3).unwrap_or("");
        hex == "5c" || hex == "20" || hex == "7f" || hex.starts_with('0') || hex.starts_with('1')
    });
    if encoded_bad {
        return None;
    }
    let path = raw.split(['?', '#']).next().unwrap_or("");
    // Segments after the leading `/`: none empty (`//`), none `.` or `..`
    // (also encoded as %2e), so the path means what it says.
    let segments: Vec<&str> = path[1..].split('/').collect();
    let only = segments.len() == 1 && segments[0].is_empty();
    if !only
        && segments.iter().enumerate().any(|(i, s)| {
            let s = s.to_ascii_lowercase().replace("%2e", ".");
            (s.is_empty() && i + 1 < segments.len()) || s == "." || s == ".."
        })
    {
        return None;
    }
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_graphic() {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths_of_this_site_are_kept() {
        for ok in [
            "/",
            "/staff",
            "/staff/rooms",
            "/staff/sessions/12/day?refused=1#count",
            "/agenda?q=robot&series=3",
            "/events/4/",
            "/agenda?next=https://x",
        ] {
            assert_eq!(local_target(ok).as_deref(), Some(ok), "{ok}");
        }
        assert_eq!(
            local_target("/agenda?q=numérique").as_deref(),
            Some("/agenda?q=num%C3%A9rique"),
            "bytes beyond ASCII are encoded for the header"
        );
    }

    #[test]
    fn anything_that_could_lead_elsewhere_is_refused() {
        for bad in [
            "",
            "staff",
            "//evil.example",
            "///evil.example",
            "/\\evil.example/phish",
            "\\\\evil.example",
            "/%5Cevil.example/phish",
            "/%5cevil.example",
            "/\t/evil.example",
            "/%09/evil.example",
            "/\r\nSet-Cookie: x=1",
            "/%0d%0aSet-Cookie:x=1",
            "/%0D%0A",
            "https://evil.example",
            "https:evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            "/.//evil.example",
            "/./evil",
            "/staff/../..//evil.example",
            "/%2e%2e/evil",
            "/staff//evil",
            "/ /evil.example",
            "/%20/evil.example",
            "/\u{0}",
            "/\u{7f}",
            "/\u{2028}evil",
        ] {
            assert_eq!(local_target(bad), None, "{bad:?}");
        }
        assert_eq!(local_target(&format!("/{}", "a".repeat(3000))), None);
    }
}
