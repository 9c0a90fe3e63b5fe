//! The team (équipe): staff members, their role, whether they may still
//! sign in, and their password. Administrators only; an administrator cannot
//! lock themself out by deactivating or demoting their own account.

use almanach_domain::programme::parse_name;
use almanach_domain::staff::{Action, Role};
use almanach_domain::{Problem, Problems};
use almanach_store::{StaffMember, StoreError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::auth::{Posted, StaffSession, hash_password_blocking};
use crate::forms::FormErrors;
use crate::view::keys::Choices;
use crate::view::keys::parse_email;
use crate::view::{Flash, Page, role_key};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/team", get(team_list))
        .route("/staff/team/new", get(member_new).post(member_create))
        .route("/staff/team/{id}", get(member_edit).post(member_update))
}

pub(super) const PASSWORD_MIN: usize = 10;
/// Argon2 hashes whatever it is given; a bound keeps a pasted novel from
/// costing the server.
pub(super) const PASSWORD_MAX: usize = 200;

pub(super) fn role_choices(tr: &Tr, roles: impl Iterator<Item = Role>) -> Choices {
    roles
        .map(|r| (r.slug().to_string(), tr.t(role_key(r)).to_string()))
        .collect()
}

#[derive(Template)]
#[template(path = "team_list.html")]
struct ListPage {
    page: Page,
    members: Vec<(StaffMember, String)>,
}

async fn team_list(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
) -> Result<Html<String>, WebError> {
    s.require(Action::ManageStaff)?;
    let tr = Tr::new(s.lang);
    let members = state
        .store
        .list_staff(s.library_id())
        .await?
        .into_iter()
        .map(|m| {
            let role = tr.t(role_key(m.role)).to_string();
            (m, role)
        })
        .collect();
    let page = Page::new(&s, tr.t("team.title"), "team", &flash);
    Ok(Html(ListPage { page, members }.render()?))
}

#[derive(Template)]
#[template(path = "team_form.html")]
struct FormPage {
    page: Page,
    id: i64,
    form: MemberForm,
    errors: FormErrors,
    roles: Choices,
}

#[derive(Default, Deserialize)]
struct MemberForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    password: String,
}

/// A member as the form asks to save it; `password` only when one was typed.
struct Member {
    email: String,
    name: String,
    role: Role,
    active: bool,
    password: Option<String>,
}

impl MemberForm {
    fn from_member(m: &StaffMember) -> MemberForm {
        MemberForm {
            email: m.email.clone(),
            name: m.name.clone(),
            role: m.role.slug().into(),
            active: m.active.then(|| "on".into()),
            password: String::new(),
        }
    }

    /// `me` is who fills the form, `id` the member edited (0 for a new one):
    /// the e-mail is set once, a password is required only at creation.
    fn parse(&self, me: &StaffMember, id: i64) -> Result<Member, Problems> {
        let mut p = Problems::new();
        let email = if id == 0 {
            p.take(parse_email("email", &self.email).map(|e| e.to_lowercase()))
        } else {
            Some(String::new())
        };
        let name = p.take(parse_name("name", &self.name, 120));
        let role = p.take(Role::parse(&self.role).ok_or(Problem::field("role", "error.role")));
        let active = id == 0 || self.active.is_some();
        let password = match self.password.chars().count() {
            0 if id != 0 => None,
            n if n < PASSWORD_MIN => {
                p.push(Problem::field("password", "error.password_short"));
                None
            }
            n if n > PASSWORD_MAX => {
                p.push(
                    Problem::field("password", "error.too_long")
                        .arg("max", PASSWORD_MAX.to_string()),
                );
                None
            }
            // A password nobody could type at the sign-in form.
            _ => p
                .take(almanach_domain::text::check_line(
                    "password",
                    &self.password,
                ))
                .map(|()| self.password.clone()),
        };
        if id == me.id {
            if !active {
                p.push(Problem::field("active", "error.self_deactivate"));
            }
            if role.is_some_and(|r| r != me.role) {
                p.push(Problem::field("role", "error.self_demote"));
            }
        }
        p.into_result(|| Member {
            email: email.unwrap(),
            name: name.unwrap(),
            role: role.unwrap(),
            active,
            password,
        })
    }
}

fn form_page(
    s: &StaffSession,
    id: i64,
    mut form: MemberForm,
    errors: FormErrors,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    // A password never travels back to the browser, even one just typed.
    form.password.clear();
    let title = if id == 0 {
        tr.t("team.new")
    } else {
        tr.t("team.edit")
    };
    let page = Page::new(s, title, "team", &Flash::default());
    Ok(FormPage {
        page,
        id,
        form,
        errors,
        roles: role_choices(&tr, Role::ALL.into_iter()),
    }
    .render()?)
}

async fn member_new(s: StaffSession) -> Result<Html<String>, WebError> {
    s.require(Action::ManageStaff)?;
    let form = MemberForm {
        role: Role::Mediator.slug().into(),
        ..Default::default()
    };
    Ok(Html(form_page(&s, 0, form, FormErrors::default())?))
}

async fn member_edit(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    s.require(Action::ManageStaff)?;
    let member = state.store.staff_by_id(s.library_id(), id).await?;
    Ok(Html(form_page(
        &s,
        id,
        MemberForm::from_member(&member),
        FormErrors::default(),
    )?))
}

async fn member_create(
    State(state): State<AppState>,
    p: Posted<MemberForm>,
) -> Result<Response, WebError> {
    save(state, p, 0).await
}

async fn member_update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    p: Posted<MemberForm>,
) -> Result<Response, WebError> {
    save(state, p, id).await
}

async fn save(
    state: AppState,
    Posted {
        session: s,
        mut form,
    }: Posted<MemberForm>,
    id: i64,
) -> Result<Response, WebError> {
    s.require(Action::ManageStaff)?;
    let tr = Tr::new(s.lang);
    if id != 0 {
        // The e-mail is not editable; show the stored one, whatever was posted.
        form.email = state.store.staff_by_id(s.library_id(), id).await?.email;
    }
    let invalid = |form, errors| -> Result<Response, WebError> {
        Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(form_page(&s, id, form, errors)?),
        )
            .into_response())
    };
    let m = match form.parse(&s.staff, id) {
        Ok(v) => v,
        Err(problems) => return invalid(form, FormErrors::new(&tr, &problems)),
    };
    let hash = match m.password.clone() {
        Some(p) => Some(hash_password_blocking(p).await?),
        None => None,
    };
    let actor = s.actor();
    let saved = if id == 0 {
        let hash = hash.expect("parse requires a new member's password");
        state
            .store
            .create_staff(&actor, &m.email, &m.name, m.role, &hash)
            .await
            .map(drop)
    } else {
        state
            .store
            .update_staff(&actor, id, &m.name, m.role, m.active, hash.as_deref())
            .await
    };
    match saved {
        Ok(()) => Ok(Redirect::to(if id == 0 {
            "/staff/team?done=created"
        } else {
            "/staff/team?done=saved"
        })
        .into_response()),
        Err(StoreError::Conflict(_)) => invalid(
            form,
            FormErrors::new(&tr, &Problem::field("email", "error.email_taken").into()),
        ),
        Err(e) => Err(e.into()),
    }
}
