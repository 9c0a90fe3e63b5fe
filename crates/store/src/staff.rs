//! Staff members, their sign-in sessions, repeated sign-in failures,
//! password resets and API tokens. Secrets arrive here already hashed;
//! nothing here sees a password.

use almanach_domain::Lang;
use almanach_domain::collate::sort_by_name;
use almanach_domain::ids::LibraryId;
use almanach_domain::staff::Role;
use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::audit::{Actor, record};
use crate::{Backend, Result, Store, StoreError, classify, now};

/// The key sign-in failures of one account are counted under (whether or
/// not the account exists, so the answer tells nothing).
pub fn login_account_key(email: &str) -> String {
    format!("email:{}", email.trim().to_lowercase())
}

/// The key sign-in failures from one client address are counted under.
pub fn login_address_key(address: &str) -> String {
    format!("ip:{address}")
}

#[derive(Clone, Serialize, PartialEq)]
pub struct StaffMember {
    pub id: i64,
    pub library_id: LibraryId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    #[serde(skip)]
    pub password_hash: String,
}

impl std::fmt::Debug for StaffMember {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffMember")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("password_hash", &"[redacted]")
            .finish()
    }
}

fn staff_from_row(r: &AnyRow) -> Result<StaffMember> {
    let role: String = r.try_get("role")?;
    Ok(StaffMember {
        id: r.try_get("id")?,
        library_id: r.try_get("library_id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Unusable(format!("unknown role {role:?} in database")))?,
        active: r.try_get::<i64, _>("active")? != 0,
        password_hash: r.try_get("password_hash")?,
    })
}

#[derive(Debug, Clone)]
pub struct AuthSession {
    pub staff: StaffMember,
    pub csrf_token: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub staff_id: i64,
    pub staff_name: String,
    pub name: String,
    pub role: Role,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl Store {
    pub async fn staff_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("select count(*) from staff")
            .fetch_one(self.pool())
            .await?)
    }

    pub async fn list_staff(&self, library_id: LibraryId) -> Result<Vec<StaffMember>> {
        let rows = sqlx::query("select * from staff where library_id = $1 order by id")
            .bind(library_id)
            .fetch_all(self.pool())
            .await?;
        let mut all = rows
            .iter()
            .map(staff_from_row)
            .collect::<Result<Vec<_>>>()?;
        sort_by_name(&mut all, |m| &m.name);
        Ok(all)
    }

    pub async fn staff_by_id(&self, library_id: LibraryId, id: i64) -> Result<StaffMember> {
        let r = sqlx::query("select * from staff where id = $1 and library_id = $2")
            .bind(id)
            .bind(library_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        staff_from_row(&r)
    }

    pub async fn staff_by_email(&self, email: &str) -> Result<Option<StaffMember>> {
        let r = sqlx::query("select * from staff where email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(self.pool())
            .await?;
        r.as_ref().map(staff_from_row).transpose()
    }

    /// Creates a staff member; a taken e-mail is a `Conflict`.
    pub async fn create_staff(
        &self,
        actor: &Actor,
        email: &str,
        name: &str,
        role: Role,
        password_hash: &str,
    ) -> Result<i64> {
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "insert into staff (library_id, email, name, role, password_hash, active, created_at) \
             values ($1, $2, $3, $4, $5, 1, $6) returning id",
        )
        .bind(actor.library_id)
        .bind(email.trim().to_lowercase())
        .bind(name)
        .bind(role.slug())
        .bind(password_hash)
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let after = serde_json::json!({"email": email, "name": name, "role": role});
        record(&mut tx, actor, "staff", id, "create", None, Some(&after)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes name, role and active flag; a new password hash when given.
    /// Deactivating someone also signs them out everywhere.
    pub async fn update_staff(
        &self,
        actor: &Actor,
        id: i64,
        name: &str,
        role: Role,
        active: bool,
        password_hash: Option<&str>,
    ) -> Result<()> {
        let before = self.staff_by_id(actor.library_id, id).await?;
        let mut tx = self.write().await?;
        sqlx::query(
            "update staff set name = $1, role = $2, active = $3 where id = $4 and library_id = $5",
        )
        .bind(name)
        .bind(role.slug())
        .bind(i64::from(active))
        .bind(id)
        .bind(actor.library_id)
        .execute(&mut *tx)
        .await
        .map_err(classify)?;
        if let Some(h) = password_hash {
            sqlx::query("update staff set password_hash = $1 where id = $2")
                .bind(h)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if !active || password_hash.is_some() {
            sqlx::query("delete from auth_sessions where staff_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if password_hash.is_some() {
            // A new password from an administrator lifts the account's lock.
            sqlx::query("delete from login_failures where key = $1")
                .bind(login_account_key(&before.email))
                .execute(&mut *tx)
                .await?;
        }
        let after = StaffMember {
            name: name.to_string(),
            role,
            active,
            ..before.clone()
        };
        let mut after_json = serde_json::to_value(&after).expect("serialises");
        if password_hash.is_some() {
            after_json["password"] = "changed".into();
        }
        let before_json = serde_json::to_value(&before).expect("serialises");
        record(
            &mut tx,
            actor,
            "staff",
            id,
            "update",
            Some(&before_json),
            Some(&after_json),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // --- sign-in sessions -------------------------------------------------

    pub async fn create_auth_session(
        &self,
        staff_id: i64,
        id_hash: &str,
        csrf: &str,
        ttl_secs: i64,
    ) -> Result<()> {
        let t = now();
        let mut tx = self.write().await?;
        sqlx::query("delete from auth_sessions where expires_at < $1")
            .bind(t)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "insert into auth_sessions (id_hash, staff_id, csrf_token, created_at, expires_at) values ($1, $2, $3, $4, $5)",
        )
        .bind(id_hash)
        .bind(staff_id)
        .bind(csrf)
        .bind(t)
        .bind(t + ttl_secs)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The signed-in staff member behind a session id hash, if still valid
    /// and the person still active.
    pub async fn auth_session(&self, id_hash: &str) -> Result<Option<AuthSession>> {
        let r = sqlx::query(
            "select s.*, a.csrf_token, a.expires_at from auth_sessions a join staff s on s.id = a.staff_id \
             where a.id_hash = $1 and a.expires_at > $2 and s.active = 1",
        )
        .bind(id_hash)
        .bind(now())
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = r else { return Ok(None) };
        Ok(Some(AuthSession {
            staff: staff_from_row(&r)?,
            csrf_token: r.try_get("csrf_token")?,
            expires_at: r.try_get("expires_at")?,
        }))
    }

    pub async fn delete_auth_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("delete from auth_sessions where id_hash = $1")
            .bind(id_hash)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    // --- sign-in throttling -----------------------------------------------

    /// Failures recorded for `key` and the time of the last one.
    pub async fn login_failures(&self, key: &str) -> Result<(i64, i64)> {
        let r = sqlx::query("select failures, last_at from login_failures where key = $1")
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        Ok(match r {
            Some(r) => (r.try_get("failures")?, r.try_get("last_at")?),
            None => (0, 0),
        })
    }

    /// Takes one sign-in attempt for every `(key, max)` before a password is
    /// checked, counting it as a failure until `login_succeeded` says
    /// otherwise. `Ok(Err((key, seconds)))` when a key already had `max` failures
    /// within `pause_secs` of `now`: nothing is counted then, and no
    /// password may be checked. Check and count are one conditional UPDATE
    /// per key in one transaction, so of many attempts at once no more than
    /// `max` get through (SQLite: the write lock; PostgreSQL: the row lock,
    /// the condition re-read after it). A key quiet for `pause_secs` starts
    /// again from zero.
    pub async fn take_login_attempt(
        &self,
        limits: &[(&str, i64)],
        pause_secs: i64,
        now: i64,
    ) -> Result<std::result::Result<(), (String, i64)>> {
        let cutoff = now - pause_secs;
        let mut limits = limits.to_vec();
        // Always in the same order, so two attempts never wait on each other.
        limits.sort();
        self.prune_login_failures(cutoff).await?;
        let mut tx = self.write().await?;
        for (key, max) in limits {
            sqlx::query(
                "insert into login_failures (key, failures, last_at) values ($1, 0, $2) \
                 on conflict (key) do nothing",
            )
            .bind(key)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            // A key quiet for the pause (the prune may have left it) starts
            // again from one.
            let counted: Option<i64> = sqlx::query_scalar(
                "update login_failures set \
                 failures = case when last_at <= $1 then 1 else failures + 1 end, last_at = $2 \
                 where key = $3 and (failures < $4 or last_at <= $1) returning failures",
            )
            .bind(cutoff)
            .bind(now)
            .bind(key)
            .bind(max)
            .fetch_optional(&mut *tx)
            .await?;
            if counted.is_none() {
                let last: i64 =
                    sqlx::query_scalar("select last_at from login_failures where key = $1")
                        .bind(key)
                        .fetch_one(&mut *tx)
                        .await?;
                tx.rollback().await?;
                return Ok(Err((key.to_string(), (last + pause_secs - now).max(1))));
            }
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    /// Forgets keys quiet since `cutoff`, in a statement of its own that
    /// never waits: on PostgreSQL, rows an attempt holds are skipped (left
    /// for next time), so pruning cannot deadlock with attempts. SQLite has
    /// one writer at a time and no `skip locked`.
    async fn prune_login_failures(&self, cutoff: i64) -> Result<()> {
        let sql = match self.backend() {
            Backend::Postgres => {
                "delete from login_failures where key in \
                 (select key from login_failures where last_at <= $1 for update skip locked)"
            }
            Backend::Sqlite => "delete from login_failures where last_at <= $1",
        };
        sqlx::query(sql).bind(cutoff).execute(self.pool()).await?;
        Ok(())
    }

    /// The password was right: the account's failures are forgotten, and
    /// the attempt no longer counts against the address.
    pub async fn login_succeeded(&self, account_key: &str, address_key: &str) -> Result<()> {
        let mut tx = self.write().await?;
        sqlx::query("delete from login_failures where key = $1")
            .bind(account_key)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "update login_failures set failures = failures - 1 where key = $1 and failures > 0",
        )
        .bind(address_key)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Lifts the lock on the account with this e-mail (`almanach user
    /// unlock`); true when there was one. Recorded in the audit trail when
    /// the account exists.
    pub async fn unlock_account(&self, actor_label: &str, email: &str) -> Result<bool> {
        let staff = self.staff_by_email(email).await?;
        let mut tx = self.write().await?;
        let n = sqlx::query("delete from login_failures where key = $1")
            .bind(login_account_key(email))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if let Some(s) = staff {
            let actor = Actor::system(s.library_id, actor_label);
            record::<()>(&mut tx, &actor, "staff", s.id, "unlock", None, None).await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    // --- password reset ---------------------------------------------------

    /// A staff member by id, whichever library (a reset link names only the id).
    pub async fn staff_member(&self, id: i64) -> Result<Option<StaffMember>> {
        let r = sqlx::query("select * from staff where id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        r.as_ref().map(staff_from_row).transpose()
    }

    /// Enqueues a password reset message to the active account with this
    /// e-mail, its link valid until `expires_at`; false (nothing written)
    /// when there is none. The link itself is made when sending, from the
    /// account's password hash then (see `domain::link`), so the outbox
    /// never holds it.
    pub async fn request_password_reset(
        &self,
        email: &str,
        lang: Lang,
        expires_at: i64,
    ) -> Result<bool> {
        let mut tx = self.write().await?;
        let r = sqlx::query("select * from staff where email = $1 and active = 1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(staff) = r.as_ref().map(staff_from_row).transpose()? else {
            return Ok(false);
        };
        let t = now();
        sqlx::query(
            "insert into outbox (library_id, kind, recipient, lang, payload, next_attempt_at, created_at) \
             values ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(staff.library_id)
        .bind(crate::MailKind::PasswordReset.slug())
        .bind(&staff.email)
        .bind(lang.code())
        .bind(serde_json::json!({ "staff_id": staff.id, "expires_at": expires_at }).to_string())
        .bind(t)
        .execute(&mut *tx)
        .await?;
        let actor = Actor::system(staff.library_id, "sign-in");
        record::<()>(
            &mut tx,
            &actor,
            "staff",
            staff.id,
            "password_reset_requested",
            None,
            None,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Sets a new password through a reset link: only while the account's
    /// hash is still `old_hash` (a link works once) and the account active.
    /// Signs the person out everywhere and lifts the lock on the account.
    pub async fn reset_password(
        &self,
        staff_id: i64,
        old_hash: &str,
        new_hash: &str,
    ) -> Result<bool> {
        let mut tx = self.write().await?;
        let email: Option<String> = sqlx::query_scalar(
            "update staff set password_hash = $1 where id = $2 and password_hash = $3 and active = 1 \
             returning email",
        )
        .bind(new_hash)
        .bind(staff_id)
        .bind(old_hash)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(email) = email else {
            tx.rollback().await?;
            return Ok(false);
        };
        sqlx::query("delete from auth_sessions where staff_id = $1")
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("delete from login_failures where key = $1")
            .bind(login_account_key(&email))
            .execute(&mut *tx)
            .await?;
        let library_id: LibraryId =
            sqlx::query_scalar("select library_id from staff where id = $1")
                .bind(staff_id)
                .fetch_one(&mut *tx)
                .await?;
        let actor = Actor {
            library_id,
            staff_id: Some(staff_id),
            label: email,
        };
        let after = serde_json::json!({ "password": "changed" });
        record(
            &mut tx,
            &actor,
            "staff",
            staff_id,
            "password_reset",
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    // --- API tokens ---------------------------------------------------------

    pub async fn create_api_token(
        &self,
        actor: &Actor,
        name: &str,
        role: Role,
        token_hash: &str,
    ) -> Result<i64> {
        let staff_id = actor.staff_id.ok_or(StoreError::NotFound)?;
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "insert into api_tokens (library_id, staff_id, name, role, token_hash, created_at) \
             values ($1, $2, $3, $4, $5, $6) returning id",
        )
        .bind(actor.library_id)
        .bind(staff_id)
        .bind(name)
        .bind(role.slug())
        .bind(token_hash)
        .bind(now())
        .fetch_one(&mut *tx)
        .await
        .map_err(classify)?;
        let after = serde_json::json!({"name": name, "role": role});
        record(
            &mut tx,
            actor,
            "api_token",
            id,
            "create",
            None,
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn list_api_tokens(&self, library_id: LibraryId) -> Result<Vec<ApiToken>> {
        let rows = sqlx::query(
            "select t.*, s.name as staff_name from api_tokens t join staff s on s.id = t.staff_id \
             where t.library_id = $1 order by t.id desc",
        )
        .bind(library_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let role: String = r.try_get("role")?;
                Ok(ApiToken {
                    id: r.try_get("id")?,
                    staff_id: r.try_get("staff_id")?,
                    staff_name: r.try_get("staff_name")?,
                    name: r.try_get("name")?,
                    role: Role::parse(&role).unwrap_or(Role::Viewer),
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    pub async fn revoke_api_token(&self, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.write().await?;
        let n = sqlx::query("update api_tokens set revoked_at = $1 where id = $2 and library_id = $3 and revoked_at is null")
            .bind(now())
            .bind(id)
            .bind(actor.library_id)
            .execute(&mut *tx)
            .await?;
        if n.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        record::<()>(&mut tx, actor, "api_token", id, "revoke", None, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The staff member and role behind a token hash, if valid: the token's
    /// role, never more than what its creator holds today.
    pub async fn api_token_identity(
        &self,
        token_hash: &str,
    ) -> Result<Option<(StaffMember, Role, i64)>> {
        let r = sqlx::query(
            "select s.*, t.role as token_role, t.id as token_id from api_tokens t join staff s on s.id = t.staff_id \
             where t.token_hash = $1 and t.revoked_at is null and s.active = 1",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = r else { return Ok(None) };
        let staff = staff_from_row(&r)?;
        let role: String = r.try_get("token_role")?;
        let token_id: i64 = r.try_get("token_id")?;
        let role = Role::parse(&role).unwrap_or(Role::Viewer);
        let effective = if staff.role.may_grant(role) {
            role
        } else {
            Role::Viewer
        };
        sqlx::query("update api_tokens set last_used_at = $1 where id = $2")
            .bind(now())
            .bind(token_id)
            .execute(self.pool())
            .await?;
        Ok(Some((staff, effective, token_id)))
    }
}
