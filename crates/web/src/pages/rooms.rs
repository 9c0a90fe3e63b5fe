//! Rooms: list, create, edit. The pattern every setup page follows:
//! `*_list`, `*_form` (new or edit), `*_save` (parse, then store, then redirect).

use almanach_domain::Problems;
use almanach_domain::programme::{parse_capacity, parse_name, parse_text};
use almanach_domain::staff::Action;
use almanach_store::{Room, StoreError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::auth::{Posted, StaffSession};
use crate::forms::FormErrors;
use crate::view::{Flash, Page};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/rooms", get(rooms_list))
        .route("/staff/rooms/new", get(room_new).post(room_create))
        .route("/staff/rooms/{id}", get(room_edit).post(room_update))
}

#[derive(Template)]
#[template(path = "rooms_list.html")]
struct ListPage {
    page: Page,
    rooms: Vec<Room>,
}

async fn rooms_list(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
) -> Result<Html<String>, WebError> {
    let rooms = state.store.list_rooms(s.library_id()).await?;
    let page = Page::new(&s, Tr::new(s.lang).t("rooms.title"), "rooms", &flash);
    Ok(Html(ListPage { page, rooms }.render()?))
}

#[derive(Template)]
#[template(path = "room_form.html")]
struct FormPage {
    page: Page,
    id: i64,
    form: RoomForm,
    errors: FormErrors,
}

#[derive(Debug, Default, Deserialize)]
struct RoomForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    equipment: String,
    #[serde(default)]
    step_free: Option<String>,
}

impl RoomForm {
    fn from_room(r: &Room) -> RoomForm {
        RoomForm {
            name: r.name.clone(),
            capacity: r.capacity.map(|c| c.to_string()).unwrap_or_default(),
            equipment: r.equipment.clone(),
            step_free: r.step_free.then(|| "on".into()),
        }
    }

    fn parse(&self, id: i64) -> Result<Room, Problems> {
        let mut p = Problems::new();
        let name = p.take(parse_name("name", &self.name, 120));
        let capacity = p.take(parse_capacity("capacity", &self.capacity));
        let equipment = p.take(parse_text("equipment", &self.equipment, 2000));
        p.into_result(|| Room {
            id,
            name: name.unwrap(),
            capacity: capacity.unwrap(),
            equipment: equipment.unwrap(),
            step_free: self.step_free.is_some(),
        })
    }
}

fn form_page(
    s: &StaffSession,
    id: i64,
    form: RoomForm,
    errors: FormErrors,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let title = if id == 0 {
        tr.t("rooms.new")
    } else {
        tr.t("rooms.edit")
    };
    let page = Page::new(s, title, "rooms", &Flash::default());
    Ok(FormPage {
        page,
        id,
        form,
        errors,
    }
    .render()?)
}

async fn room_new(s: StaffSession) -> Result<Html<String>, WebError> {
    s.require(Action::EditSetup)?;
    Ok(Html(form_page(
        &s,
        0,
        RoomForm {
            step_free: Some("on".into()),
            ..Default::default()
        },
        FormErrors::default(),
    )?))
}

async fn room_edit(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let room = state.store.room(s.library_id(), id).await?;
    Ok(Html(form_page(
        &s,
        id,
        RoomForm::from_room(&room),
        FormErrors::default(),
    )?))
}

async fn room_create(
    State(state): State<AppState>,
    p: Posted<RoomForm>,
) -> Result<Response, WebError> {
    save(state, p, 0).await
}

async fn room_update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    p: Posted<RoomForm>,
) -> Result<Response, WebError> {
    save(state, p, id).await
}

async fn save(
    state: AppState,
    Posted { session: s, form }: Posted<RoomForm>,
    id: i64,
) -> Result<Response, WebError> {
    s.require(Action::EditSetup)?;
    let tr = Tr::new(s.lang);
    let invalid = |form, errors| -> Result<Response, WebError> {
        Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Html(form_page(&s, id, form, errors)?),
        )
            .into_response())
    };
    let room = match form.parse(id) {
        Ok(r) => r,
        Err(problems) => return invalid(form, FormErrors::new(&tr, &problems)),
    };
    match state.store.save_room(&s.actor(), &room).await {
        Ok(_) => Ok(Redirect::to(if id == 0 {
            "/staff/rooms?done=created"
        } else {
            "/staff/rooms?done=saved"
        })
        .into_response()),
        Err(StoreError::Conflict(_)) => {
            let mut e = FormErrors::default();
            e.add(
                &tr,
                &almanach_domain::Problem::field("name", "error.name_taken"),
            );
            invalid(form, e)
        }
        Err(e) => Err(e.into()),
    }
}
