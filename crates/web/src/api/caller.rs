//! Who calls the API: nobody (the public, reading published events) or a
//! staff member's bearer token, whose role limits what it may write.

use almanach_domain::staff::{Action, Role};
use almanach_store::{Actor, Library, StaffMember};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::error::ApiError;
use crate::AppState;
use crate::auth::sha256_hex;

/// A valid, unrevoked token and the staff member behind it.
#[derive(Debug, Clone)]
pub struct Identity {
    pub staff: StaffMember,
    /// The token's role, never more than its creator's today.
    pub role: Role,
    pub token_id: i64,
}

impl Identity {
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        if self.role.may(action) {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }

    /// The author of a change, as the audit trail names it: `api:<token name>`.
    pub async fn actor(&self, state: &AppState) -> Result<Actor, ApiError> {
        let name = state
            .store
            .api_token_name(self.token_id)
            .await?
            .unwrap_or_else(|| self.token_id.to_string());
        Ok(Actor {
            library_id: self.staff.library_id,
            staff_id: Some(self.staff.id),
            label: format!("api:{name}"),
        })
    }
}

/// Reads and checks the bearer token when there is one: a header that is
/// present but wrong is refused rather than read as "the public".
async fn identify(parts: &Parts, state: &AppState) -> Result<Option<Identity>, ApiError> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim())
        .filter(|t| !t.is_empty() && t.len() <= 200)
        .ok_or(ApiError::Unauthorized)?;
    match state.store.api_token_identity(&sha256_hex(token)).await? {
        Some((staff, role, token_id)) => Ok(Some(Identity {
            staff,
            role,
            token_id,
        })),
        None => Err(ApiError::Unauthorized),
    }
}

impl FromRequestParts<AppState> for Identity {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        identify(parts, state).await?.ok_or(ApiError::Unauthorized)
    }
}

/// A reader: the public, or a token holder who also sees drafts.
#[derive(Debug, Clone)]
pub struct Caller(pub Option<Identity>);

impl Caller {
    pub fn is_public(&self) -> bool {
        self.0.is_none()
    }

    /// The library read: the token's, or for the public the installation's first.
    pub async fn library(&self, state: &AppState) -> Result<Library, ApiError> {
        Ok(match &self.0 {
            Some(i) => state.store.library(i.staff.library_id).await?,
            None => state.store.default_library().await?,
        })
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        identify(parts, state).await.map(Caller)
    }
}
