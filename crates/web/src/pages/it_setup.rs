//! What coordinators set up for technical needs: the catalogue, a series'
//! default needs, and this area's settings (IT's hours and lead time, the
//! library's postcode for speakers' regions, whether mediators see costs).

use almanach_domain::ids::LibraryId;
use almanach_domain::logistics::{Provider, parse_it_hours, parse_lead_days};
use almanach_domain::programme::{parse_line, parse_name};
use almanach_domain::speakers::parse_postcode;
use almanach_domain::staff::Action;
use almanach_domain::{Problem, Problems};
use almanach_store::{LogisticsSettings, NeedType, SeriesNeed, StoreError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::needs::{NeedForm, type_options};
use crate::auth::{Posted, StaffSession};
use crate::forms::FormErrors;
use crate::view::session::label;
use crate::view::{Flash, Page};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/it/catalogue", get(catalogue))
        .route("/staff/it/catalogue/new", get(type_new).post(type_create))
        .route("/staff/it/catalogue/{id}", get(type_edit).post(type_update))
        .route("/staff/it/settings", get(settings_form).post(settings_save))
        .route(
            "/staff/series/{id}/needs",
            get(series_needs).post(series_need_add),
        )
        .route(
            "/staff/series/{id}/needs/{need}/delete",
            post(series_need_delete),
        )
}

fn providers(tr: &Tr) -> Vec<(String, String)> {
    Provider::ALL
        .iter()
        .map(|p| (p.slug().to_string(), label(tr, "provider", p.slug())))
        .collect()
}

// ---------------------------------------------------------------- catalogue

struct TypeRow {
    t: NeedType,
    provider: String,
}

#[derive(Template)]
#[template(path = "need_types.html")]
struct CataloguePage {
    page: Page,
    types: Vec<TypeRow>,
}

async fn catalogue(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
) -> Result<Html<String>, WebError> {
    let tr = Tr::new(s.lang);
    let types = state
        .store
        .need_types(s.library_id())
        .await?
        .into_iter()
        .map(|t| TypeRow {
            provider: label(&tr, "provider", t.provider.slug()),
            t,
        })
        .collect();
    let page = Page::new(&s, tr.t("it.catalogue"), "it", &flash);
    Ok(Html(CataloguePage { page, types }.render()?))
}

#[derive(Debug, Default, Deserialize)]
struct TypeForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    provider: String,
    #[serde(default)]
    hint: String,
    #[serde(default)]
    active: Option<String>,
}

impl TypeForm {
    fn parse(&self, id: i64) -> Result<NeedType, Problems> {
        let mut p = Problems::new();
        let name = p.take(parse_name("name", &self.name, 120));
        let provider = p.take(
            Provider::parse(&self.provider)
                .ok_or_else(|| Problem::field("provider", "error.choose")),
        );
        let hint = p.take(parse_line("hint", &self.hint, 300));
        p.into_result(|| NeedType {
            id,
            name: name.expect("checked"),
            provider: provider.expect("checked"),
            hint: hint.expect("checked"),
            active: self.active.is_some(),
        })
    }
}

#[derive(Template)]
#[template(path = "need_type_form.html")]
struct TypeFormPage {
    page: Page,
    id: i64,
    form: TypeForm,
    errors: FormErrors,
    providers: Vec<(String, String)>,
}

fn type_form_page(
    s: &StaffSession,
    id: i64,
    form: TypeForm,
    errors: FormErrors,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let title = if id == 0 {
        tr.t("it.type_new")
    } else {
        tr.t("it.type_edit")
    };
    let page = Page::new(s, title, "it", &Flash::default());
    Ok(TypeFormPage {
        page,
        id,
        form,
        errors,
        providers: providers(&tr),
    }
    .render()?)
}

async fn type_new(s: StaffSession) -> Result<Html<String>, WebError> {
    s.require(Action::EditSetup)?;
    let form = TypeForm {
        provider: Provider::It.slug().into(),
        active: Some("on".into()),
        ..Default::default()
    };
    Ok(Html(type_form_page(&s, 0, form, FormErrors::default())?))
}

async fn type_edit(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    s.require(Action::EditSetup)?;
    let t = state.store.need_type(s.library_id(), id).await?;
    let form = TypeForm {
        name: t.name,
        provider: t.provider.slug().into(),
        hint: t.hint,
        active: t.active.then(|| "on".into()),
    };
    Ok(Html(type_form_page(&s, id, form, FormErrors::default())?))
}

async fn type_create(
    State(state): State<AppState>,
    p: Posted<TypeForm>,
) -> Result<Response, WebError> {
    type_save(state, p, 0).await
}

async fn type_update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    p: Posted<TypeForm>,
) -> Result<Response, WebError> {
    type_save(state, p, id).await
}

async fn type_save(
    state: AppState,
    Posted { session: s, form }: Posted<TypeForm>,
    id: i64,
) -> Result<Response, WebError> {
    s.require(Action::EditSetup)?;
    let tr = Tr::new(s.lang);
    let problems = match form.parse(id) {
        Ok(t) => match state.store.save_need_type(&s.actor(), &t).await {
            Ok(_) => {
                let done = if id == 0 { "created" } else { "saved" };
                return Ok(
                    Redirect::to(&format!("/staff/it/catalogue?done={done}")).into_response()
                );
            }
            Err(StoreError::Conflict(_)) => {
                Problems::from(Problem::field("name", "error.name_taken"))
            }
            Err(e) => return Err(e.into()),
        },
        Err(p) => p,
    };
    let html = type_form_page(&s, id, form, FormErrors::new(&tr, &problems))?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

// ---------------------------------------------------------------- settings

#[derive(Debug, Default, Deserialize)]
struct SettingsForm {
    #[serde(default)]
    it_hours: String,
    #[serde(default)]
    it_lead_days: String,
    #[serde(default)]
    postcode: String,
    #[serde(default)]
    mediators_see_costs: Option<String>,
}

impl SettingsForm {
    fn from_settings(v: &LogisticsSettings) -> SettingsForm {
        SettingsForm {
            it_hours: v.it_hours.clone(),
            it_lead_days: v.it_lead_days.to_string(),
            postcode: v.postcode.clone(),
            mediators_see_costs: v.mediators_see_costs.then(|| "on".into()),
        }
    }

    /// IT's hours are stored as parsed then written back, like opening hours.
    fn parse(&self, library_id: LibraryId) -> Result<LogisticsSettings, Problems> {
        let mut p = Problems::new();
        let hours = p.take(
            almanach_domain::text::check_multi_line("it_hours", &self.it_hours)
                .and_then(|()| parse_it_hours(&self.it_hours)),
        );
        let lead = p.take(parse_lead_days(&self.it_lead_days));
        let postcode = p.take(parse_postcode("postcode", &self.postcode, true));
        p.into_result(|| LogisticsSettings {
            library_id,
            it_hours: hours.expect("checked").to_text(),
            it_lead_days: lead.expect("checked"),
            postcode: postcode.expect("checked"),
            mediators_see_costs: self.mediators_see_costs.is_some(),
        })
    }
}

#[derive(Template)]
#[template(path = "logistics_settings.html")]
struct SettingsPage {
    page: Page,
    form: SettingsForm,
    errors: FormErrors,
}

async fn settings_form(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
) -> Result<Html<String>, WebError> {
    s.require(Action::EditSetup)?;
    let v = state.store.logistics_settings(s.library_id()).await?;
    let page = Page::new(&s, Tr::new(s.lang).t("it.settings"), "it", &flash);
    Ok(Html(
        SettingsPage {
            page,
            form: SettingsForm::from_settings(&v),
            errors: FormErrors::default(),
        }
        .render()?,
    ))
}

async fn settings_save(
    State(state): State<AppState>,
    Posted { session: s, form }: Posted<SettingsForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditSetup)?;
    match form.parse(s.library_id()) {
        Ok(v) => {
            state.store.save_logistics_settings(&s.actor(), &v).await?;
            Ok(Redirect::to("/staff/it/settings?done=saved").into_response())
        }
        Err(problems) => {
            let tr = Tr::new(s.lang);
            let page = Page::new(&s, tr.t("it.settings"), "it", &Flash::default());
            let html = SettingsPage {
                page,
                form,
                errors: FormErrors::new(&tr, &problems),
            }
            .render()?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
        }
    }
}

// ---------------------------------------------------------------- a series' default needs

#[derive(Template)]
#[template(path = "series_needs.html")]
struct SeriesNeedsPage {
    page: Page,
    series_id: i64,
    series_name: String,
    needs: Vec<(SeriesNeed, String)>,
    form: NeedForm,
    errors: FormErrors,
    types: Vec<(String, String)>,
    providers: Vec<(String, String)>,
}

async fn series_needs_page(
    state: &AppState,
    s: &StaffSession,
    flash: &Flash,
    id: i64,
    form: NeedForm,
    errors: FormErrors,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let lib = s.library_id();
    let series = state.store.series(lib, id).await?;
    let needs = state
        .store
        .series_needs(lib, id)
        .await?
        .into_iter()
        .map(|n| {
            let p = label(&tr, "provider", n.provider.slug());
            (n, p)
        })
        .collect();
    let providers = std::iter::once((String::new(), tr.t("needs.provider_usual").to_string()))
        .chain(providers(&tr))
        .collect();
    let page = Page::new(s, tr.t("it.series_needs"), "series", flash);
    Ok(SeriesNeedsPage {
        page,
        series_id: id,
        series_name: series.name,
        needs,
        form,
        errors,
        types: type_options(&state.store.need_types(lib).await?, None),
        providers,
    }
    .render()?)
}

async fn series_needs(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    Ok(Html(
        series_needs_page(
            &state,
            &s,
            &flash,
            id,
            NeedForm {
                quantity: "1".into(),
                ..Default::default()
            },
            FormErrors::default(),
        )
        .await?,
    ))
}

async fn series_need_add(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { session: s, form }: Posted<NeedForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditSetup)?;
    let types = state.store.need_types(s.library_id()).await?;
    // A series' needs have no due date: each session's comes from the rule.
    let parsed = NeedForm {
        due: String::new(),
        ..form.clone()
    }
    .parse(&types, None);
    let problems = match parsed {
        Ok(w) => match state.store.add_series_need(&s.actor(), id, &w).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/staff/series/{id}/needs?done=created")).into_response(),
                );
            }
            Err(StoreError::NotFound) => Problems::from(Problem::form("error.unknown_record")),
            Err(e) => return Err(e.into()),
        },
        Err(p) => p,
    };
    let errors = FormErrors::new(&Tr::new(s.lang), &problems);
    let html = series_needs_page(&state, &s, &Flash::default(), id, form, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

#[derive(Deserialize)]
struct Empty {}

async fn series_need_delete(
    State(state): State<AppState>,
    Path((id, need)): Path<(i64, i64)>,
    p: Posted<Empty>,
) -> Result<Response, WebError> {
    p.session.require(Action::EditSetup)?;
    state
        .store
        .delete_series_need(&p.session.actor(), id, need)
        .await?;
    Ok(Redirect::to(&format!("/staff/series/{id}/needs?done=saved")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_parsed_and_written_back() {
        let f = SettingsForm {
            it_hours: "lun 8h-12h\nmar 8h-12h".into(),
            it_lead_days: "3".into(),
            postcode: "93200".into(),
            mediators_see_costs: Some("on".into()),
        };
        let v = f.parse(almanach_store::LibraryId(1)).unwrap();
        assert_eq!(
            (v.it_hours.as_str(), v.it_lead_days, v.mediators_see_costs),
            ("lundi 08:00-12:00\nmardi 08:00-12:00", 3, true)
        );
        let f = SettingsForm {
            it_hours: "dimanche 9h-12h".into(),
            it_lead_days: "0".into(),
            postcode: "9320".into(),
            mediators_see_costs: None,
        };
        let e = f.parse(almanach_store::LibraryId(1)).unwrap_err();
        for field in ["it_hours", "it_lead_days", "postcode"] {
            assert!(e.for_field(field).next().is_some(), "{field}");
        }
    }
}
