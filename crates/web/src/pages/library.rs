//! The library's settings: name, address, time zone, opening hours and closing days,
//! with the coming year's public holidays beside them, which the session
//! form will warn about.

use almanach_domain::calendar::{ClosingDays, OpeningHours, french_public_holidays};
use almanach_domain::french::{self, Article};
use almanach_domain::programme::{parse_line, parse_name};
use almanach_domain::staff::Action;
use almanach_domain::text::check_multi_line;
use almanach_domain::{Problem, Problems, fmt};
use almanach_store::Library;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Deserialize;

use crate::auth::{Posted, StaffSession};
use crate::forms::FormErrors;
use crate::view::{Flash, Page};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new().route("/staff/library", get(library_form).post(library_save))
}

#[derive(Template)]
#[template(path = "library_form.html")]
struct FormPage {
    page: Page,
    form: LibraryForm,
    errors: FormErrors,
    /// The articles a name may take, each shown in a sentence.
    articles: Vec<(String, String)>,
    /// The public holidays of the twelve months from today, "lundi 21 avril 2025".
    holidays: Vec<(String, &'static str)>,
}

#[derive(Default, Deserialize)]
struct LibraryForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    name_article: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    opening_hours: String,
    #[serde(default)]
    closing_days: String,
    #[serde(default)]
    street_address: String,
    #[serde(default)]
    postal_code: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    country: String,
}

impl LibraryForm {
    fn from_library(l: &Library) -> LibraryForm {
        LibraryForm {
            name: l.name.clone(),
            name_article: l.name_article.slug().to_string(),
            timezone: l.timezone.clone(),
            opening_hours: l.opening_hours.clone(),
            closing_days: l.closing_days.clone(),
            street_address: l.street_address.clone(),
            postal_code: l.postal_code.clone(),
            city: l.city.clone(),
            country: l.country.clone(),
        }
    }

    /// Hours and closing days are stored as parsed then written back, so
    /// "sam 10h-17h30" reads "samedi 10:00-17:30" next time.
    fn parse(&self, id: almanach_store::LibraryId) -> Result<Library, Problems> {
        let mut p = Problems::new();
        let name = p.take(parse_name("name", &self.name, 200));
        let name_article = p.take(
            Article::parse(&self.name_article)
                .ok_or_else(|| Problem::field("name_article", "error.choose")),
        );
        let tz = self.timezone.trim();
        let timezone = p.take(match TimeZone::get(tz) {
            Ok(_) if !tz.is_empty() => Ok(tz.to_string()),
            _ => Err(Problem::field("timezone", "error.timezone")),
        });
        let hours = p.take(
            check_multi_line("opening_hours", &self.opening_hours)
                .and_then(|()| OpeningHours::parse(&self.opening_hours)),
        );
        let closing = p.take(
            check_multi_line("closing_days", &self.closing_days)
                .and_then(|()| ClosingDays::parse(&self.closing_days)),
        );
        let street_address = p.take(parse_line("street_address", &self.street_address, 200));
        let postal_code = p.take(parse_line("postal_code", &self.postal_code, 20));
        let city = p.take(parse_line("city", &self.city, 100));
        let country = match self.country.trim().to_ascii_uppercase() {
            c if c.is_empty() => Some("FR".to_string()),
            c if c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()) => Some(c),
            _ => {
                p.push(Problem::field("country", "error.country"));
                None
            }
        };
        p.into_result(|| Library {
            id,
            name: name.unwrap(),
            name_article: name_article.unwrap(),
            timezone: timezone.unwrap(),
            opening_hours: hours.unwrap().to_text(),
            closing_days: closing.unwrap().to_text(),
            street_address: street_address.unwrap(),
            postal_code: postal_code.unwrap(),
            city: city.unwrap(),
            country: country.unwrap(),
        })
    }
}

/// The holidays from `today` to a year later.
fn coming_holidays(today: Date) -> Vec<(Date, &'static str)> {
    let end = today.saturating_add(1.year());
    [today.year(), end.year()]
        .into_iter()
        .flat_map(french_public_holidays)
        .filter(|(d, _)| today <= *d && *d < end)
        .collect()
}

async fn form_page(
    state: &AppState,
    s: &StaffSession,
    form: LibraryForm,
    errors: FormErrors,
    flash: &Flash,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let tz = state.store.library(s.library_id()).await?.tz();
    let today = jiff::Timestamp::now().to_zoned(tz).date();
    let holidays = coming_holidays(today)
        .into_iter()
        .map(|(d, name)| (fmt::day_with_year(d, s.lang), name))
        .collect();
    let page = Page::new(s, tr.t("library.title"), "library", flash);
    // Each choice as it reads: « l'équipe de la Médiathèque… ».
    let example = if form.name.trim().is_empty() {
        tr.t("library.name").to_string()
    } else {
        form.name.trim().to_string()
    };
    let articles = Article::ALL
        .iter()
        .map(|a| {
            (
                a.slug().to_string(),
                tr.tf(
                    "library.article_example",
                    &[("of", french::of(*a, &example))],
                ),
            )
        })
        .collect();
    Ok(FormPage {
        page,
        form,
        errors,
        articles,
        holidays,
    }
    .render()?)
}

async fn library_form(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
) -> Result<Html<String>, WebError> {
    s.require(Action::EditSetup)?;
    let library = state.store.library(s.library_id()).await?;
    Ok(Html(
        form_page(
            &state,
            &s,
            LibraryForm::from_library(&library),
            FormErrors::default(),
            &flash,
        )
        .await?,
    ))
}

async fn library_save(
    State(state): State<AppState>,
    Posted { session: s, form }: Posted<LibraryForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditSetup)?;
    let library = match form.parse(s.library_id()) {
        Ok(v) => v,
        Err(problems) => {
            let errors = FormErrors::new(&Tr::new(s.lang), &problems);
            let html = form_page(&state, &s, form, errors, &Flash::default()).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response());
        }
    };
    state.store.update_library(&s.actor(), &library).await?;
    Ok(Redirect::to("/staff/library?done=saved").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_coming_year_spans_two_calendar_years() {
        let h = coming_holidays(date(2025, 7, 15));
        assert_eq!(h.first().unwrap(), &(date(2025, 8, 15), "Assomption"));
        assert_eq!(h.last().unwrap(), &(date(2026, 7, 14), "Fête nationale"));
        assert_eq!(h.len(), 11);
    }

    #[test]
    fn hours_are_stored_as_written_back() {
        let f = LibraryForm {
            name: "Médiathèque".into(),
            timezone: "Europe/Paris".into(),
            opening_hours: "sam 10h-17h30".into(),
            ..Default::default()
        };
        assert_eq!(
            f.parse(almanach_store::LibraryId(1)).unwrap().opening_hours,
            "samedi 10:00-17:30"
        );
        let f = LibraryForm {
            timezone: "Europe/Lutece".into(),
            ..f
        };
        assert_eq!(
            f.parse(almanach_store::LibraryId(1))
                .unwrap_err()
                .for_field("timezone")
                .next()
                .unwrap()
                .key,
            "error.timezone"
        );
    }
}
