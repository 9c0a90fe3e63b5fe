//! The weekly digest to the IT department, for coordinators: when it goes
//! and to whom, sending it now (to try the addresses), and what became of
//! the last weeks' and messages. The worker (crates/jobs) sends it.

use almanach_domain::logistics::{
    DigestSchedule, parse_digest_hour, parse_digest_weekday, parse_recipients,
};
use almanach_domain::staff::{Action, Role};
use almanach_domain::{Lang, Problem, Problems, fmt};
use almanach_store::{DigestSettings, DigestSkip, MailKind, MailStatus, OutboxFilter};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use jiff::ToSpan;
use serde::Deserialize;

use crate::auth::{Posted, StaffSession};
use crate::forms::FormErrors;
use crate::view::dates::today;
use crate::view::keys::status_key;
use crate::view::{Flash, Page, stamp};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/it/digest", get(show).post(save))
        .route("/staff/it/digest/send", post(send_now))
}

#[derive(Debug, Default, Deserialize)]
struct DigestForm {
    #[serde(default)]
    enabled: Option<String>,
    #[serde(default)]
    digest_weekday: String,
    #[serde(default)]
    digest_hour: String,
    #[serde(default)]
    extra_to: String,
    #[serde(default)]
    lang: String,
}

impl DigestForm {
    fn from_settings(v: &DigestSettings) -> DigestForm {
        DigestForm {
            enabled: v.enabled.then(|| "on".into()),
            digest_weekday: v.schedule.weekday.to_string(),
            digest_hour: v.schedule.hour.to_string(),
            extra_to: v.extra_to.join("\n"),
            lang: v.lang.code().into(),
        }
    }

    fn parse(&self) -> Result<DigestSettings, Problems> {
        let mut p = Problems::new();
        let weekday = p.take(parse_digest_weekday(&self.digest_weekday));
        let hour = p.take(parse_digest_hour(&self.digest_hour));
        let extra = match parse_recipients("extra_to", &self.extra_to) {
            Ok(a) => a,
            Err(problems) => {
                problems.into_iter().for_each(|x| p.push(x));
                Vec::new()
            }
        };
        let lang = Lang::parse(&self.lang);
        if lang.is_none() {
            p.push(Problem::field("lang", "error.digest_lang"));
        }
        p.into_result(|| DigestSettings {
            enabled: self.enabled.is_some(),
            schedule: DigestSchedule {
                weekday: weekday.expect("checked"),
                hour: hour.expect("checked"),
            },
            extra_to: extra.iter().map(|a| a.as_str().to_string()).collect(),
            lang: lang.expect("checked"),
        })
    }
}

/// A recorded week: when it was dealt with and what went.
struct WeekRow {
    week: String,
    at: String,
    result: String,
}

/// A digest message.
struct MessageRow {
    at: String,
    recipient: String,
    status: &'static str,
    failed: bool,
    error: String,
    subject: String,
    text: String,
}

#[derive(Template)]
#[template(path = "it_digest.html")]
struct DigestPage {
    page: Page,
    form: DigestForm,
    errors: FormErrors,
    weekdays: Vec<(String, String)>,
    langs: Vec<(String, String)>,
    /// The IT accounts that receive it: (name, address).
    accounts: Vec<(String, String)>,
    recipients: usize,
    next: String,
    weeks: Vec<WeekRow>,
    messages: Vec<MessageRow>,
}

async fn render(
    state: &AppState,
    s: &StaffSession,
    flash: &Flash,
    form: Option<DigestForm>,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let (lib, tr) = (s.library_id(), Tr::new(s.lang));
    let store = &state.store;
    let tz = store.library(lib).await?.tz();
    let settings = store.digest_settings(lib).await?;
    let accounts = store
        .list_staff(lib)
        .await?
        .into_iter()
        .filter(|m| m.role == Role::It && m.active)
        .map(|m| (m.name, m.email))
        .collect();
    let recipients = store.digest_recipients(lib).await?.len();
    // A Monday, to name the weekdays.
    let monday = jiff::civil::date(2024, 1, 1);
    let weekdays = (0..7)
        .map(|i| {
            let d = monday.checked_add(i.days()).unwrap_or(monday);
            (
                (i + 1).to_string(),
                fmt::weekday_name(d, s.lang).to_string(),
            )
        })
        .collect();
    let langs = vec![
        ("fr".to_string(), "Français".to_string()),
        ("en".to_string(), "English".to_string()),
    ];
    let next = if !settings.enabled {
        tr.t("digest.off").to_string()
    } else {
        let d = monday
            .checked_add(i64::from(settings.schedule.weekday - 1).days())
            .unwrap_or(monday);
        tr.tf(
            "digest.next",
            &[
                ("day", fmt::weekday_name(d, s.lang).to_string()),
                (
                    "hour",
                    fmt::time(jiff::civil::time(settings.schedule.hour, 0, 0, 0), s.lang),
                ),
            ],
        )
    };
    let weeks = store
        .digest_weeks(lib, 12)
        .await?
        .into_iter()
        .map(|w| WeekRow {
            week: tr.tf(
                "digest.week_of",
                &[("day", fmt::day_with_year(w.week, s.lang))],
            ),
            at: stamp(s.lang, &tz, w.created_at),
            result: match w.skipped {
                None => tr.tf("digest.went", &[("n", w.recipients.to_string())]),
                Some(DigestSkip::Empty) => tr.t("digest.skipped_empty").to_string(),
                Some(DigestSkip::NoRecipients) => tr.t("digest.skipped_nobody").to_string(),
            },
        })
        .collect();
    let mut messages = store
        .outbox(
            lib,
            &OutboxFilter {
                kind: Some(MailKind::ItDigest),
                ..Default::default()
            },
        )
        .await?;
    messages.truncate(30);
    let messages = messages
        .into_iter()
        .map(|m| MessageRow {
            at: stamp(s.lang, &tz, m.sent_at.unwrap_or(m.created_at)),
            recipient: m.recipient,
            status: status_key(m.status),
            failed: m.status == MailStatus::Failed,
            error: m.last_error,
            subject: m.subject,
            text: m.text_body,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = DigestPage {
        page: Page::new(s, tr.t("digest.title"), "it", flash),
        form: form.unwrap_or_else(|| DigestForm::from_settings(&settings)),
        errors,
        weekdays,
        langs,
        accounts,
        recipients,
        next,
        weeks,
        messages,
    };
    Ok((status, Html(page.render()?)).into_response())
}

async fn show(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
) -> Result<Response, WebError> {
    s.require(Action::EditSetup)?;
    render(&state, &s, &flash, None, FormErrors::default()).await
}

async fn save(
    State(state): State<AppState>,
    Posted { session: s, form }: Posted<DigestForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditSetup)?;
    match form.parse() {
        Ok(v) => {
            state.store.save_digest_settings(&s.actor(), &v).await?;
            Ok(Redirect::to("/staff/it/digest?done=saved").into_response())
        }
        Err(problems) => {
            let errors = FormErrors::new(&Tr::new(s.lang), &problems);
            render(&state, &s, &Flash::default(), Some(form), errors).await
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct SendForm {}

async fn send_now(
    State(state): State<AppState>,
    Posted { session: s, .. }: Posted<SendForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditSetup)?;
    let lib = s.library_id();
    let tz = state.store.library(lib).await?.tz();
    let n = state
        .store
        .enqueue_digest_now(&s.actor(), today(&tz))
        .await?;
    if n == 0 {
        let tr = Tr::new(s.lang);
        let errors = FormErrors::new(&tr, &Problems::from(Problem::form("error.digest_nobody")));
        return render(&state, &s, &Flash::default(), None, errors).await;
    }
    Ok(Redirect::to("/staff/it/digest?done=queued").into_response())
}
