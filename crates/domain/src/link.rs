//! A registration's private link. Its token is derived from a secret key of
//! the installation and the registration's idempotency hash, so the server
//! can write the link in any e-mail (a promotion, a reminder) while the
//! database keeps only the token's hash and never the key.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

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

    /// Names the key without revealing it (16 hex digits).
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"almanach link key fingerprint\0");
        h.update(self.0);
        hex(&h.finalize()[..8])
    }
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
    fn hex_round_trip_and_a_debug_without_the_key() {
        let k = LinkKey::from_bytes([0xab; 32]);
        assert_eq!(LinkKey::from_hex(&k.to_hex()), Some(k.clone()));
        assert_eq!(LinkKey::from_hex("zz"), None);
        assert_eq!(LinkKey::from_hex(&"é".repeat(32)), None);
        assert!(!format!("{k:?}").contains("abab"));
        assert_eq!(k.fingerprint().len(), 16);
    }
}
