//! Staff sign-in: Argon2id password hashes, server-side sessions behind a
//! random cookie (only its SHA-256 is stored), a CSRF token per session
//! checked on every form, and API bearer tokens.

use almanach_domain::Lang;
use almanach_domain::staff::{Action, Role};
use almanach_store::{Actor, StaffMember};
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::{AppState, WebError};

pub const SESSION_COOKIE: &str = "almanach_session";
pub const LANG_COOKIE: &str = "almanach_lang";
/// Before sign-in there is no session: the sign-in form's CSRF token is a
/// double-submit cookie.
pub const PRE_CSRF_COOKIE: &str = "almanach_csrf";

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any input")
        .to_string()
}

/// `hash_password` off the async threads: Argon2 takes tens of
/// milliseconds on purpose, which would stall every request sharing the
/// thread (the public agenda during a rush of sign-ins).
pub async fn hash_password_blocking(password: String) -> Result<String, WebError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| WebError::Internal(crate::error::with_causes(&e)))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// 32 random bytes, hex.
pub fn random_token() -> String {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// Compares secrets in time independent of where they differ (`subtle`;
/// only the length, which is not secret, can end it early).
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The name of the session or CSRF cookie: with `Secure`, the `__Host-`
/// prefix, which browsers accept only over a secure origin, for the whole
/// host (no `Domain`) and path `/`, so no other host of the library's
/// domain can plant or overwrite it.
pub fn host_cookie(name: &str, secure: bool) -> String {
    if secure {
        format!("__Host-{name}")
    } else {
        name.to_string()
    }
}

/// The language of this request: the cookie set by the switcher, French otherwise.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(|v| Lang::parse(&v))
        .unwrap_or(Lang::Fr)
}

/// A signed-in staff member, for page handlers.
#[derive(Debug, Clone)]
pub struct StaffSession {
    pub staff: StaffMember,
    pub csrf: String,
    pub lang: Lang,
}

impl StaffSession {
    pub fn require(&self, action: Action) -> Result<(), WebError> {
        if self.staff.role.may(action) {
            Ok(())
        } else {
            Err(WebError::Forbidden)
        }
    }
    pub fn may(&self, action: Action) -> bool {
        self.staff.role.may(action)
    }
    pub fn role(&self) -> Role {
        self.staff.role
    }
    pub fn actor(&self) -> Actor {
        Actor {
            library_id: self.staff.library_id,
            staff_id: Some(self.staff.id),
            label: self.staff.email.clone(),
        }
    }
    pub fn library_id(&self) -> almanach_store::LibraryId {
        self.staff.library_id
    }
}

impl FromRequestParts<AppState> for StaffSession {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/staff".into());
        let sign_in = || WebError::SignIn {
            next: if parts.method == axum::http::Method::GET {
                next.clone()
            } else {
                "/staff".into()
            },
        };
        let name = host_cookie(SESSION_COOKIE, state.config.secure_cookies);
        let Some(id) = cookie(&parts.headers, &name) else {
            return Err(sign_in());
        };
        let Some(s) = state.store.auth_session(&sha256_hex(&id)).await? else {
            return Err(sign_in());
        };
        Ok(StaffSession {
            staff: s.staff,
            csrf: s.csrf_token,
            lang: lang_of(&parts.headers),
        })
    }
}

/// A posted form from a signed-in staff member whose CSRF token matched.
/// Every state-changing page handler takes one; repeated keys (checkboxes)
/// deserialize into `Vec`s.
pub struct Posted<T> {
    pub session: StaffSession,
    pub form: T,
}

#[derive(serde::Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Posted<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let session = StaffSession::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, 2 * 1024 * 1024)
            .await
            .map_err(|e| WebError::BadRequest(format!("body: {e}")))?;
        let token: CsrfOnly =
            serde_html_form::from_bytes(&bytes).map_err(|e| WebError::BadRequest(e.to_string()))?;
        if !same_secret(&token.csrf, &session.csrf) {
            return Err(WebError::Csrf);
        }
        let form =
            serde_html_form::from_bytes(&bytes).map_err(|e| WebError::BadRequest(e.to_string()))?;
        Ok(Posted { session, form })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_tokens_and_secret_comparison() {
        // The lowercase hex the stored hashes were written with.
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let t = random_token();
        assert_eq!(t.len(), 64);
        assert!(
            t.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{t}"
        );
        assert_ne!(t, random_token());
        assert!(same_secret("s3cret", "s3cret"));
        assert!(!same_secret("s3cret", "s3creT"));
        assert!(!same_secret("s3cret", "s3cre"));
        assert!(!same_secret("", "x"));
        assert!(same_secret("", ""));
    }
}
