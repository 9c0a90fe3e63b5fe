//! Links. A registration's private link: its token is derived from a
//! secret key of the installation and the registration's idempotency hash,
//! so the server can write the link in any e-mail (a promotion, a reminder)
//! while the database keeps only the token's hash and never the key. And
//! the public address every absolute link starts with (`PublicUrl`).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use url::Url;

/// 32 secret bytes. Every server sharing a database must hold the same
/// key; its `fingerprint` lets them check that without revealing it.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkKey([u8; 32]);

impl std::fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LinkKey({})", self.fingerprint())
    }
}

impl LinkKey {
    pub fn from_bytes(bytes: [u8; 32]) -> LinkKey {
        LinkKey(bytes)
    }

    /// 64 hexadecimal digits, as `to_hex` writes them.
    pub fn from_hex(s: &str) -> Option<LinkKey> {
        let s = s.trim();
        if s.len() != 64 || !s.is_ascii() {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, b) in out.iter_mut().enumerate() {
            *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(LinkKey(out))
    }

    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// The token of the registration whose idempotency hash is `seed`.
    pub fn token(&self, seed: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(b"almanach registration link\0");
        mac.update(seed.as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// A staff member's password reset token: `{staff id}.{expiry}.{MAC}`,
    /// the MAC (this key's) over both and the account's password hash as
    /// it is now. Nothing is stored: the link stops working when it expires
    /// and once used, since the hash then changes. Compare with
    /// `same_token`.
    pub fn reset_token(&self, staff_id: i64, expires_at: i64, password_hash: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(b"almanach password reset\0");
        mac.update(format!("{staff_id}\0{expires_at}\0").as_bytes());
        mac.update(password_hash.as_bytes());
        format!(
            "{staff_id}.{expires_at}.{}",
            hex(&mac.finalize().into_bytes())
        )
    }

    /// Names the key without revealing it (16 hex digits).
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"almanach link key fingerprint\0");
        h.update(self.0);
        hex(&h.finalize()[..8])
    }
}

/// The address the public reaches (`--public-url`), e.g.
/// `https://agenda.mediatheque.fr`: a scheme and a host, nothing else.
/// Every absolute link (pages, API answers, e-mails, calendar entries) is
/// made by `PublicUrl::link`, so none says `https://` on a server reached
/// over plain HTTP, or the other way round. Read by the `url` crate, as a
/// browser reads an address (WHATWG): the host lowercased, an
/// international name in its ASCII form, an IPv6 address in brackets, a
/// port checked and dropped when it is the scheme's own (`:443` for
/// https), so the links name the site the way browsers will.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl {
    /// `scheme://host[:port]`, without the final `/`: what links start with.
    base: String,
    /// The same, parsed: links are built on it, so their paths are
    /// percent-encoded as an address must be.
    url: Url,
}

impl PublicUrl {
    /// `http://` or `https://`, a host (and port), an optional final `/`.
    /// A path, a query, a user name or a space is refused: the application
    /// answers at the root of its address.
    pub fn parse(s: &str) -> Result<PublicUrl, String> {
        let s = s.trim();
        let bad = |why: &str| Err(format!("{s:?} {why}"));
        let Some((scheme, rest)) = s.split_once("://") else {
            return bad("must start with http:// or https://");
        };
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return bad("must start with http:// or https://");
        }
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains(['/', '?', '#']) {
            return bad("must be an address without a path, like https://agenda.mediatheque.fr");
        }
        match PublicUrl::from_host(&scheme, authority) {
            Some(u) => Ok(u),
            None => bad("does not name a host, like https://agenda.mediatheque.fr"),
        }
    }

    /// `scheme://host` from a request's `Host` header; None when the host
    /// holds anything a host name, an IP address and a port do not.
    pub fn from_host(scheme: &str, host: &str) -> Option<PublicUrl> {
        // Only what hosts and ports are made of goes to the parser, which
        // would otherwise read `@` as a user name, `/` or `\` as a path,
        // `%` as an escape, and silently drop a tab.
        let plain = !host.is_empty()
            && host.len() <= 255
            && !host.starts_with(':')
            && host.chars().all(|c| {
                c.is_ascii_alphanumeric()
                    || matches!(c, '.' | '-' | ':' | '[' | ']' | '_')
                    || (!c.is_ascii() && !c.is_whitespace() && !c.is_control())
            });
        if !plain || !matches!(scheme, "http" | "https") {
            return None;
        }
        let url = Url::parse(&format!("{scheme}://{host}")).ok()?;
        let bare = url.username().is_empty()
            && url.password().is_none()
            && url.path() == "/"
            && url.query().is_none()
            && url.fragment().is_none();
        let name = url.host_str().filter(|h| bare && !h.is_empty())?;
        let base = match url.port() {
            Some(port) => format!("{}://{name}:{port}", url.scheme()),
            None => format!("{}://{name}", url.scheme()),
        };
        Some(PublicUrl { base, url })
    }

    /// The absolute address of `path` (which starts with `/`, and may end
    /// with a query and a fragment). What an address may not hold as it is
    /// (a space, an accent) is percent-encoded; escapes already there stay.
    pub fn link(&self, path: &str) -> String {
        debug_assert!(path.starts_with('/'), "{path}");
        let (rest, fragment) = match path.split_once('#') {
            Some((rest, fragment)) => (rest, Some(fragment)),
            None => (path, None),
        };
        let (path, query) = match rest.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (rest, None),
        };
        let mut url = self.url.clone();
        url.set_path(path);
        url.set_query(query);
        url.set_fragment(fragment);
        url.into()
    }

    pub fn is_https(&self) -> bool {
        self.url.scheme() == "https"
    }

    /// `host` or `host:port`, as calendar UIDs and message ids use it.
    pub fn authority(&self) -> &str {
        self.base.split_once("://").map_or("", |(_, a)| a)
    }

    /// The host without the port (an IPv6 address without its brackets).
    pub fn host(&self) -> &str {
        let a = self.authority();
        match a.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or(v6),
            None => a.split(':').next().unwrap_or(a),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.base
    }
}

impl std::fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.base)
    }
}

/// The staff id and expiry a reset token names, before anything checks
/// it: None for anything that is not shaped like one.
pub fn reset_token_parts(token: &str) -> Option<(i64, i64)> {
    let mut parts = token.split('.');
    let (id, expires, mac) = (parts.next()?, parts.next()?, parts.next()?);
    let ok = parts.next().is_none()
        && mac.len() == 64
        && mac
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    ok.then_some((id.parse().ok()?, expires.parse().ok()?))
}

/// Compares two tokens in time that does not depend on where they differ.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// What the database keeps of a token: its SHA-256, hexadecimal.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_depend_on_the_key_and_the_seed() {
        let a = LinkKey::from_bytes([1; 32]);
        let b = LinkKey::from_bytes([2; 32]);
        assert_eq!(a.token("s1"), a.token("s1"), "stable");
        assert_ne!(a.token("s1"), a.token("s2"));
        assert_ne!(a.token("s1"), b.token("s1"));
        assert_eq!(a.token("s1").len(), 64);
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn reset_tokens_name_the_account_and_expiry_and_follow_the_password() {
        let k = LinkKey::from_bytes([7; 32]);
        let t = k.reset_token(12, 1_800_000_000, "$argon2id$old");
        assert!(t.starts_with("12.1800000000."), "{t}");
        assert_eq!(reset_token_parts(&t), Some((12, 1_800_000_000)));
        assert!(same_token(
            &t,
            &k.reset_token(12, 1_800_000_000, "$argon2id$old")
        ));
        assert!(!same_token(
            &t,
            &k.reset_token(12, 1_800_000_000, "$argon2id$new")
        ));
        assert!(!same_token(
            &t,
            &k.reset_token(12, 1_800_000_001, "$argon2id$old")
        ));
        assert!(!same_token(
            &t,
            &k.reset_token(13, 1_800_000_000, "$argon2id$old")
        ));
        let other = LinkKey::from_bytes([8; 32]);
        assert!(!same_token(
            &t,
            &other.reset_token(12, 1_800_000_000, "$argon2id$old")
        ));
        for bad in [
            "",
            "12",
            "12.3",
            "x.1.aa",
            &format!("{t}.0"),
            &t.to_uppercase(),
        ] {
            assert_eq!(reset_token_parts(bad), None, "{bad}");
        }
    }

    #[test]
    fn public_addresses_are_a_scheme_and_a_host() {
        let u = PublicUrl::parse(" https://Agenda.Mediatheque.fr/ ").unwrap();
        assert_eq!(u.as_str(), "https://agenda.mediatheque.fr");
        assert_eq!(u.link("/r/ab"), "https://agenda.mediatheque.fr/r/ab");
        assert!(u.is_https());
        let u = PublicUrl::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(u.link("/events/3"), "http://127.0.0.1:8080/events/3");
        assert!(!u.is_https());
        assert_eq!((u.authority(), u.host()), ("127.0.0.1:8080", "127.0.0.1"));
        let u = PublicUrl::parse("http://[::1]:8080").unwrap();
        assert_eq!(u.host(), "::1");
        for bad in [
            "",
            "agenda.mediatheque.fr",
            "ftp://agenda.mediatheque.fr",
            "https://",
            "https://agenda.mediatheque.fr/agenda",
            "https://agenda.mediatheque.fr?x=1",
            "https://user:pw@agenda.mediatheque.fr",
            "https://agenda mediatheque.fr",
            "https://a.fr\\@evil.example",
        ] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(PublicUrl::from_host("http", "evil.example/x"), None);
        assert_eq!(PublicUrl::from_host("http", ""), None);
    }

    #[test]
    fn public_addresses_are_read_as_browsers_read_them() {
        // The scheme's own port is dropped, another one kept; a port that
        // cannot be one is refused.
        let u = PublicUrl::parse("https://agenda.mediatheque.fr:443/").unwrap();
        assert_eq!(u.as_str(), "https://agenda.mediatheque.fr");
        assert_eq!(u.authority(), "agenda.mediatheque.fr");
        let u = PublicUrl::parse("HTTP://Agenda.Mediatheque.FR:80").unwrap();
        assert_eq!(u.as_str(), "http://agenda.mediatheque.fr");
        assert!(!u.is_https());
        let u = PublicUrl::parse("http://agenda.mediatheque.fr:443").unwrap();
        assert_eq!(u.as_str(), "http://agenda.mediatheque.fr:443");
        assert!(PublicUrl::parse("https://agenda.mediatheque.fr:99999").is_err());
        // IPv6 in brackets, written short; the host without them.
        let u = PublicUrl::parse("https://[2001:DB8:0:0::1]:8443").unwrap();
        assert_eq!(u.as_str(), "https://[2001:db8::1]:8443");
        assert_eq!(
            (u.authority(), u.host()),
            ("[2001:db8::1]:8443", "2001:db8::1")
        );
        for bad in ["http://[::1", "http://[nothing]", "http://a.fr:8080:1"] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad}");
        }
        // An international name in the ASCII form every client can send.
        let u = PublicUrl::parse("https://Médiathèque.fr").unwrap();
        assert_eq!(u.as_str(), "https://xn--mdiathque-53af.fr");
        assert_eq!(u.host(), "xn--mdiathque-53af.fr");
        // A user name, with or without a password, and what the parser
        // would read as one or as a path or an escape, are refused.
        for bad in [
            "https://user@agenda.mediatheque.fr",
            "https://:pw@agenda.mediatheque.fr",
            "https://agenda.mediatheque.fr\\agenda",
            "https://agenda%2emediatheque.fr",
            "https://agenda.\tmediatheque.fr",
            "https:///agenda.mediatheque.fr",
            "https://agenda.mediatheque.fr//",
        ] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(PublicUrl::from_host("ftp", "agenda.mediatheque.fr"), None);
        assert_eq!(PublicUrl::from_host("http", "a@evil.example"), None);
        assert_eq!(
            PublicUrl::from_host("http", "LOCALHOST:8080").map(|u| u.link("/")),
            Some("http://localhost:8080/".to_string())
        );
    }

    #[test]
    fn links_are_percent_encoded_and_keep_their_query_and_fragment() {
        let u = PublicUrl::parse("https://agenda.mediatheque.fr").unwrap();
        assert_eq!(
            u.link("/events/3#s12"),
            "https://agenda.mediatheque.fr/events/3#s12"
        );
        assert_eq!(
            u.link("/agenda.rss?q=robot%20%C3%A9&age=8"),
            "https://agenda.mediatheque.fr/agenda.rss?q=robot%20%C3%A9&age=8"
        );
        // What an address may not hold as it is gets escaped; an escape
        // already there is left alone, never escaped twice.
        assert_eq!(
            u.link("/events/atelier vidéo?q=robot é#s 1"),
            "https://agenda.mediatheque.fr/events/atelier%20vid%C3%A9o?q=robot%20%C3%A9#s%201"
        );
        assert_eq!(u.link("/a%20b"), "https://agenda.mediatheque.fr/a%20b");
        // A path starting with `//` stays a path on this host.
        assert_eq!(
            u.link("//evil.example/x"),
            "https://agenda.mediatheque.fr//evil.example/x"
        );
        assert_eq!(u.to_string(), "https://agenda.mediatheque.fr");
    }

    #[test]
    fn hex_round_trip_and_a_debug_without_the_key() {
        let k = LinkKey::from_bytes([0xab; 32]);
        assert_eq!(LinkKey::from_hex(&k.to_hex()), Some(k.clone()));
        assert_eq!(LinkKey::from_hex("zz"), None);
        assert_eq!(LinkKey::from_hex(&"é".repeat(32)), None);
        assert!(!format!("{k:?}").contains("abab"));
        assert_eq!(k.fingerprint().len(), 16);
    }
}
