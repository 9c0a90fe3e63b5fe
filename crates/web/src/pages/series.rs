//! Series (cycles): list, create, edit. A series carries the defaults its
//! sessions start from: kind, duration, seats, audience, registration, colour.

use almanach_domain::programme::{
    AgeRange, RegistrationPolicy, SessionKind, parse_capacity, parse_colour, parse_minutes,
    parse_name, parse_text,
};
use almanach_domain::staff::Action;
use almanach_domain::{Problem, Problems};
use almanach_store::{Series, StoreError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::auth::{Posted, StaffSession};
use crate::forms::FormErrors;
use crate::view::keys::{Choices, kind_key};
use crate::view::{Flash, Page};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/series", get(series_list))
        .route("/staff/series/new", get(series_new).post(series_create))
        .route("/staff/series/{id}", get(series_edit).post(series_update))
}

fn policy_key(p: RegistrationPolicy) -> &'static str {
    match p {
        RegistrationPolicy::FreeEntry => "series.policy.free_entry",
        RegistrationPolicy::Required => "series.policy.required",
        RegistrationPolicy::WorkshopsOnly => "series.policy.workshops_only",
    }
}

fn choices<T: Copy>(
    tr: &Tr,
    all: &[T],
    slug: fn(T) -> &'static str,
    key: fn(T) -> &'static str,
) -> Choices {
    all.iter()
        .map(|&v| (slug(v).to_string(), tr.t(key(v)).to_string()))
        .collect()
}

/// A series as the list shows it, labels already translated.
struct Row {
    series: Series,
    kind: String,
    policy: String,
    audience: String,
}

#[derive(Template)]
#[template(path = "series_list.html")]
struct ListPage {
    page: Page,
    rows: Vec<Row>,
}

async fn series_list(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
) -> Result<Html<String>, WebError> {
    let tr = Tr::new(s.lang);
    let rows = state
        .store
        .list_series(s.library_id())
        .await?
        .into_iter()
        .map(|series| Row {
            kind: tr.t(kind_key(series.default_kind)).to_string(),
            policy: tr.t(policy_key(series.registration_policy)).to_string(),
            audience: AgeRange {
                min: series.age_min,
                max: series.age_max,
                accompanied: false,
            }
            .describe(s.lang),
            series,
        })
        .collect();
    let page = Page::new(&s, tr.t("series.title"), "series", &flash);
    Ok(Html(ListPage { page, rows }.render()?))
}

#[derive(Template)]
#[template(path = "series_form.html")]
struct FormPage {
    page: Page,
    id: i64,
    form: SeriesForm,
    errors: FormErrors,
    kinds: Choices,
    policies: Choices,
}

#[derive(Debug, Default, Deserialize)]
struct SeriesForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    default_kind: String,
    #[serde(default)]
    duration: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    age_min: String,
    #[serde(default)]
    age_max: String,
    #[serde(default)]
    registration_policy: String,
    #[serde(default)]
    colour: String,
}

impl SeriesForm {
    fn from_series(s: &Series) -> SeriesForm {
        let opt = |v: Option<u32>| v.map(|v| v.to_string()).unwrap_or_default();
        SeriesForm {
            name: s.name.clone(),
            description: s.description.clone(),
            default_kind: s.default_kind.slug().into(),
            duration: opt(s.duration_minutes),
            capacity: opt(s.capacity),
            age_min: opt(s.age_min.map(u32::from)),
            age_max: opt(s.age_max.map(u32::from)),
            registration_policy: s.registration_policy.slug().into(),
            colour: s.colour.clone(),
        }
    }

    fn parse(&self, id: i64) -> Result<Series, Problems> {
        let mut p = Problems::new();
        let name = p.take(parse_name("name", &self.name, 120));
        let description = p.take(parse_text("description", &self.description, 2000));
        let kind = p.take(
            SessionKind::parse(&self.default_kind)
                .ok_or(Problem::field("default_kind", "error.choose")),
        );
        let duration = p.take(parse_minutes("duration", &self.duration));
        let capacity = p.take(parse_capacity("capacity", &self.capacity));
        let ages = AgeRange::parse(&self.age_min, &self.age_max, false)
            .map_err(|e| p.0.extend(e.0))
            .ok();
        let policy = p.take(
            RegistrationPolicy::parse(&self.registration_policy)
                .ok_or(Problem::field("registration_policy", "error.choose")),
        );
        let colour = p.take(parse_colour(&self.colour));
        p.into_result(|| {
            let ages = ages.unwrap();
            Series {
                id,
                name: name.unwrap(),
                description: description.unwrap(),
                default_kind: kind.unwrap(),
                duration_minutes: duration.unwrap(),
                capacity: capacity.unwrap(),
                age_min: ages.min,
                age_max: ages.max,
                registration_policy: policy.unwrap(),
                colour: colour.unwrap(),
            }
        })
    }
}

fn form_page(
    s: &StaffSession,
    id: i64,
    form: SeriesForm,
    errors: FormErrors,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let title = if id == 0 {
        tr.t("series.new")
    } else {
        tr.t("series.edit")
    };
    let page = Page::new(s, title, "series", &Flash::default());
    let kinds = choices(&tr, SessionKind::ALL, SessionKind::slug, kind_key);
    let policies = choices(
        &tr,
        RegistrationPolicy::ALL,
        RegistrationPolicy::slug,
        policy_key,
    );
    Ok(FormPage {
        page,
        id,
        form,
        errors,
        kinds,
        policies,
    }
    .render()?)
}

async fn series_new(s: StaffSession) -> Result<Html<String>, WebError> {
    s.require(Action::EditSetup)?;
    let form = SeriesForm::from_series(&Series::default());
    Ok(Html(form_page(&s, 0, form, FormErrors::default())?))
}

async fn series_edit(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    let series = state.store.series(s.library_id(), id).await?;
    Ok(Html(form_page(
        &s,
        id,
        SeriesForm::from_series(&series),
        FormErrors::default(),
    )?))
}

async fn series_create(
    State(state): State<AppState>,
    p: Posted<SeriesForm>,
) -> Result<Response, WebError> {
    save(state, p, 0).await
}

async fn series_update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    p: Posted<SeriesForm>,
) -> Result<Response, WebError> {
    save(state, p, id).await
}

async fn save(
    state: AppState,
    Posted { session: s, form }: Posted<SeriesForm>,
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
    let series = match form.parse(id) {
        Ok(v) => v,
        Err(problems) => return invalid(form, FormErrors::new(&tr, &problems)),
    };
    match state.store.save_series(&s.actor(), &series).await {
        Ok(_) => Ok(Redirect::to(if id == 0 {
            "/staff/series?done=created"
        } else {
            "/staff/series?done=saved"
        })
        .into_response()),
        Err(StoreError::Conflict(_)) => invalid(
            form,
            FormErrors::new(&tr, &Problem::field("name", "error.name_taken").into()),
        ),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::has_key;

    #[test]
    fn every_kind_and_policy_has_a_label() {
        for k in SessionKind::ALL {
            assert!(has_key(kind_key(*k)), "{k:?}");
        }
        for p in RegistrationPolicy::ALL {
            assert!(has_key(policy_key(*p)), "{p:?}");
        }
    }

    #[test]
    fn ages_out_of_order_are_reported_on_the_maximum() {
        let f = SeriesForm {
            age_min: "12".into(),
            age_max: "8".into(),
            ..SeriesForm::from_series(&Series {
                name: "x".into(),
                ..Series::default()
            })
        };
        let e = f.parse(0).unwrap_err();
        assert_eq!(
            e.for_field("age_max").next().unwrap().key,
            "error.age_order"
        );
    }
}
