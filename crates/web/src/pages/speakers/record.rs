//! Speakers (intervenants): the directory with its filters, a speaker's
//! record (profile, every session they led with its attendance, fill rate
//! and the team's rating, their projects in the pipeline) and the form.
//! Contacts, invoicing, notes and ratings are shown to those who run
//! sessions; fees to those who see costs (`Role::sees_costs`).

use almanach_domain::programme::{THEME_CATEGORIES, parse_line, parse_name, parse_text};
use almanach_domain::speakers::{
    Audience, Booking, Filter, Format, Profile, RawFilter, RawSpeaker, Region, SpeakerKind,
    fill_rate, parse_rating,
};
use almanach_domain::staff::Action;
use almanach_domain::{Lang, Problem, Problems, fmt};
use almanach_store::{LedSession, Speaker, SpeakerRecord, SpeakerSummary, StoreError};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::auth::{Posted, StaffSession};
use crate::forms::FormErrors;
use crate::view::dates::today;
use crate::view::keys::kind_key;
use crate::view::keys::parse_email;
use crate::view::keys::{category_key, category_labels};
use crate::view::session::label;
use crate::view::{Flash, Page};
use crate::{AppState, Tr, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/speakers", get(speakers_list))
        .route("/staff/speakers/new", get(speaker_new).post(speaker_create))
        .route(
            "/staff/speakers/{id}",
            get(speaker_page).post(speaker_update),
        )
        .route("/staff/speakers/{id}/edit", get(speaker_edit))
        .route("/staff/speakers/{id}/ratings", post(speaker_rate))
}

/// What this reader may see of speakers.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sight {
    /// Contacts, invoicing, notes, ratings, the pipeline.
    pub private: bool,
    pub fees: bool,
}

pub(super) async fn sight(state: &AppState, s: &StaffSession) -> Result<Sight, WebError> {
    let allowed = state
        .store
        .logistics_settings(s.library_id())
        .await?
        .mediators_see_costs;
    Ok(Sight {
        private: s.may(Action::ReadSpeakerPrivate),
        fees: s.role().sees_costs(allowed),
    })
}

fn labels<T: Copy>(tr: &Tr, prefix: &str, v: &[T], slug: impl Fn(T) -> &'static str) -> String {
    v.iter()
        .map(|x| label(tr, prefix, slug(*x)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn euros(lang: Lang, cents: Option<i64>) -> String {
    cents.map(|c| fmt::price(c, lang)).unwrap_or_default()
}

/// "Montreuil (93100)", "Bruxelles, Belgique".
fn place(p: &Profile) -> String {
    let mut s = p.town.clone();
    if !p.postcode.is_empty() {
        s = if s.is_empty() {
            p.postcode.clone()
        } else {
            format!("{s} ({})", p.postcode)
        };
    }
    if !p.country.is_empty() {
        s = if s.is_empty() {
            p.country.clone()
        } else {
            format!("{s}, {}", p.country)
        };
    }
    s
}

fn rating_text(lang: Lang, r: Option<f64>) -> String {
    r.map(|r| format!("{} / 5", fmt::number(r, 1, lang)))
        .unwrap_or_default()
}

// ---------------------------------------------------------------- filters

/// The filters' choices, shared by the directory and the pipeline.
pub(super) struct FilterChoices {
    pub categories: Vec<(String, String)>,
    pub regions: Vec<(String, String)>,
    pub bookings: Vec<(String, String)>,
    pub ratings: Vec<(String, String)>,
}

impl FilterChoices {
    pub fn new(tr: &Tr) -> FilterChoices {
        let any = || (String::new(), tr.t("speakers.filter.any").to_string());
        FilterChoices {
            categories: std::iter::once(any())
                .chain(
                    THEME_CATEGORIES
                        .iter()
                        .map(|c| (c.to_string(), tr.t(&category_key(c)).to_string())),
                )
                .collect(),
            regions: std::iter::once(any())
                .chain(
                    Region::ALL
                        .iter()
                        .map(|r| (r.slug().to_string(), label(tr, "region", r.slug()))),
                )
                .collect(),
            bookings: vec![
                any(),
                ("never".into(), tr.t("speakers.booking.never").into()),
                ("lapsed".into(), tr.t("speakers.booking.lapsed").into()),
            ],
            ratings: std::iter::once(any())
                .chain((2..=5).rev().map(|n| {
                    (
                        n.to_string(),
                        tr.tf("speakers.filter.rating_at_least", &[("n", n.to_string())]),
                    )
                }))
                .collect(),
        }
    }
}

/// The speakers matching `raw`, seen from the library's postcode.
pub(super) async fn filtered(
    state: &AppState,
    s: &StaffSession,
    raw: &RawFilter,
    sight: Sight,
) -> Result<Vec<SpeakerSummary>, WebError> {
    let lib = s.library_id();
    let postcode = state.store.logistics_settings(lib).await?.postcode;
    let tz = state.store.library(lib).await?.tz();
    let now = today(&tz);
    // Ratings are private: those who may not see them cannot filter by them either.
    let raw = if sight.private {
        raw.clone()
    } else {
        RawFilter {
            min_rating: String::new(),
            ..raw.clone()
        }
    };
    let filter = Filter::parse(&raw, sight.fees);
    let all = state.store.speaker_summaries(lib, &postcode).await?;
    Ok(all
        .into_iter()
        .filter(|x| filter.matches(&x.facts(now)))
        .collect())
}

// ---------------------------------------------------------------- list

struct ListRow {
    id: i64,
    name: String,
    organisation: String,
    place: String,
    region: String,
    categories: String,
    formats: String,
    sessions: i64,
    last: String,
    booking: String,
    rating: String,
    fee: String,
    email: String,
    phone: String,
}

#[derive(Template)]
#[template(path = "speakers_list.html")]
struct ListPage {
    page: Page,
    rows: Vec<ListRow>,
    filter: RawFilter,
    choices: FilterChoices,
    sight: Sight,
    filtered: bool,
    keep_view: &'static str,
}

async fn speakers_list(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Query(filter): Query<RawFilter>,
) -> Result<Html<String>, WebError> {
    let tr = Tr::new(s.lang);
    let sight = sight(&state, &s).await?;
    let tz = state.store.library(s.library_id()).await?.tz();
    let now = today(&tz);
    let rows = filtered(&state, &s, &filter, sight)
        .await?
        .into_iter()
        .map(|x| {
            let p = &x.record.profile;
            ListRow {
                id: x.record.speaker.id,
                name: x.record.speaker.name.clone(),
                organisation: x.record.speaker.organisation.clone(),
                place: place(p),
                region: x
                    .region
                    .map(|r| label(&tr, "region", r.slug()))
                    .unwrap_or_default(),
                categories: category_labels(&tr, &p.categories),
                formats: labels(&tr, "format", &p.formats, Format::slug),
                sessions: x.sessions,
                last: x
                    .last_date
                    .map(|d| fmt::day_with_year(d, tr.lang))
                    .unwrap_or_default(),
                booking: match x.booking(now) {
                    Booking::Never => tr.t("speakers.booking.never").to_string(),
                    Booking::Lapsed => tr.t("speakers.booking.lapsed").to_string(),
                    Booking::Recent => String::new(),
                },
                rating: rating_text(tr.lang, x.rating),
                fee: p
                    .fees
                    .lowest()
                    .map(|c| tr.tf("speakers.fee_from", &[("amount", fmt::price(c, tr.lang))]))
                    .unwrap_or_default(),
                email: x.record.speaker.email.clone(),
                phone: x.record.speaker.phone.clone(),
            }
        })
        .collect();
    let page = Page::new(&s, tr.t("speakers.title"), "speakers", &flash);
    let filtered = Filter::parse(&filter, sight.fees) != Filter::default();
    Ok(Html(
        ListPage {
            page,
            rows,
            filter,
            choices: FilterChoices::new(&tr),
            sight,
            filtered,
            keep_view: "",
        }
        .render()?,
    ))
}

// ---------------------------------------------------------------- record

struct LedRow {
    session_id: i64,
    title: String,
    when: String,
    kind: String,
    participants: String,
    fill: String,
    rating: String,
    comment: String,
    rated_by: String,
    cancelled: bool,
    /// Held (past and not cancelled): the team may rate it.
    held: bool,
}

fn led_rows(tr: &Tr, tz: &jiff::tz::TimeZone, now: i64, led: &[LedSession]) -> Vec<LedRow> {
    let year = crate::view::year_needed(tz, led.iter().map(|l| l.starts_at));
    led.iter()
        .map(|l| LedRow {
            session_id: l.session_id,
            title: l.event_title.clone(),
            when: crate::view::when_styled(tr.lang, tz, l.starts_at, l.ends_at, year),
            kind: tr.t(kind_key(l.kind)).to_string(),
            participants: l.participants.map(|p| p.to_string()).unwrap_or_default(),
            fill: fill_rate(l.participants, l.capacity)
                .map(|f| fmt::percent(f, tr.lang))
                .unwrap_or_default(),
            rating: l.rating.map(|r| format!("{r} / 5")).unwrap_or_default(),
            comment: l.comment.clone(),
            rated_by: l.rated_by.clone().unwrap_or_default(),
            cancelled: l.cancelled,
            held: !l.cancelled && l.ends_at <= now,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "speaker_page.html")]
struct RecordPage {
    page: Page,
    rec: SpeakerRecord,
    sight: Sight,
    kind: String,
    place: String,
    region: String,
    categories: String,
    formats: String,
    audiences: String,
    ages: String,
    fees: Vec<(String, String)>,
    travel: String,
    /// What the speaker's sessions cost per participant (see `costs.rs`).
    cost_per_participant: String,
    sessions: Vec<LedRow>,
    attended: String,
    rating: String,
    can_rate: bool,
    rating_error: String,
    projects: Vec<super::cards::Card>,
    new_project: super::cards::NewForm,
}

pub(super) async fn record_page(
    state: &AppState,
    s: &StaffSession,
    flash: &Flash,
    id: i64,
    rating_error: String,
    project_form: Option<(super::cards::ProspectForm, FormErrors)>,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let lib = s.library_id();
    let store = &state.store;
    let sight = sight(state, s).await?;
    let tz = store.library(lib).await?.tz();
    let summary = store
        .speaker_summaries(lib, &store.logistics_settings(lib).await?.postcode)
        .await?
        .into_iter()
        .find(|x| x.record.speaker.id == id)
        .ok_or(WebError::NotFound)?;
    let p = &summary.record.profile;
    let led = store.speaker_sessions(lib, id).await?;
    let attended: u32 = led
        .iter()
        .filter(|l| !l.cancelled)
        .filter_map(|l| l.participants)
        .sum();
    let fees = [
        ("speakers.fee_talk", p.fees.talk),
        ("speakers.fee_workshop", p.fees.workshop),
        ("speakers.fee_day", p.fees.day),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|c| (tr.t(k).to_string(), fmt::price(c, tr.lang))))
    .collect();
    let travel = euros(tr.lang, p.travel_cents);
    // The speaker's line of the statistics by speaker, over all time, worded
    // and rounded as the review does (`Fmt::money`, `per_participant_cents`).
    let cost_per_participant = if sight.fees {
        let c = store.speaker_cost(lib, id).await?;
        let f = crate::review::Fmt { lang: tr.lang };
        c.per_participant_cents()
            .map(|per| {
                let key = if c.participants == 1 {
                    "speakers.cost_per_participant_one"
                } else {
                    "speakers.cost_per_participant_many"
                };
                tr.tf(
                    key,
                    &[
                        ("amount", f.money(per)),
                        ("total", f.money(c.cents)),
                        ("people", f.int(c.participants)),
                    ],
                )
            })
            .unwrap_or_default()
    } else {
        String::new()
    };
    let projects = if sight.private {
        super::cards::cards(&tr, s, &tz, store.prospects(lib, Some(id)).await?)
    } else {
        Vec::new()
    };
    let new_project = super::cards::new_form(state, s, id, project_form).await?;
    let page = Page::new(s, summary.record.speaker.name.clone(), "speakers", flash);
    Ok(RecordPage {
        page,
        sight,
        kind: label(&tr, "speaker_kind", p.kind.slug()),
        place: place(p),
        region: summary
            .region
            .map(|r| label(&tr, "region", r.slug()))
            .unwrap_or_default(),
        categories: category_labels(&tr, &p.categories),
        formats: labels(&tr, "format", &p.formats, Format::slug),
        audiences: labels(&tr, "audience", &p.audiences, Audience::slug),
        ages: if p.ages.min.is_none() && p.ages.max.is_none() {
            String::new()
        } else {
            p.ages.describe(tr.lang)
        },
        fees,
        travel,
        cost_per_participant,
        sessions: led_rows(&tr, &tz, almanach_store::now(), &led),
        attended: attended.to_string(),
        rating: rating_text(tr.lang, summary.rating),
        can_rate: sight.private && s.may(Action::EditProgramme),
        rating_error,
        projects,
        new_project,
        rec: summary.record,
    }
    .render()?)
}

async fn speaker_page(
    State(state): State<AppState>,
    s: StaffSession,
    flash: Flash,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    Ok(Html(
        record_page(&state, &s, &flash, id, String::new(), None).await?,
    ))
}

#[derive(Deserialize)]
struct RatingForm {
    #[serde(default)]
    session_id: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

async fn speaker_rate(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Posted { session: s, form }: Posted<RatingForm>,
) -> Result<Response, WebError> {
    s.require(Action::EditProgramme)?;
    s.require(Action::ReadSpeakerPrivate)?;
    let tr = Tr::new(s.lang);
    let parsed = parse_rating(&form.rating)
        .and_then(|r| Ok((r, parse_text("comment", &form.comment, 2000)?)));
    let problem = match (parsed, crate::view::keys::opt_id(&form.session_id)) {
        (Ok((rating, comment)), Some(session_id)) => match state
            .store
            .rate_speaker(&s.actor(), session_id, id, rating, &comment)
            .await
        {
            Ok(()) => {
                return Ok(
                    Redirect::to(&format!("/staff/speakers/{id}?done=saved")).into_response()
                );
            }
            Err(StoreError::NotFound) => Problem::form("error.unknown_record"),
            Err(e) => return Err(e.into()),
        },
        (Err(p), _) => p,
        (_, None) => Problem::form("error.unknown_record"),
    };
    let html = record_page(
        &state,
        &s,
        &Flash::default(),
        id,
        tr.problem(&problem),
        None,
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
}

// ---------------------------------------------------------------- form

#[derive(Template)]
#[template(path = "speaker_form.html")]
struct FormPage {
    page: Page,
    id: i64,
    form: RawSpeaker,
    errors: FormErrors,
    kinds: Vec<(String, String)>,
    categories: Vec<(String, String)>,
    formats: Vec<(String, String)>,
    audiences: Vec<(String, String)>,
}

fn slugs<T: Copy>(v: &[T], slug: impl Fn(T) -> &'static str) -> Vec<String> {
    v.iter().map(|x| slug(*x).to_string()).collect()
}

fn amount(cents: Option<i64>) -> String {
    cents
        .map(|c| match (c / 100, c % 100) {
            (e, 0) => e.to_string(),
            (e, c) => format!("{e},{c:02}"),
        })
        .unwrap_or_default()
}

fn form_of(r: &SpeakerRecord) -> RawSpeaker {
    let (s, p) = (&r.speaker, &r.profile);
    let on = |b: bool| b.then(|| "on".to_string());
    RawSpeaker {
        name: s.name.clone(),
        organisation: s.organisation.clone(),
        email: s.email.clone(),
        phone: s.phone.clone(),
        notes: s.notes.clone(),
        kind: p.kind.slug().into(),
        website: p.website.clone(),
        town: p.town.clone(),
        postcode: p.postcode.clone(),
        country: p.country.clone(),
        categories: p.categories.clone(),
        subjects: p.subjects.clone(),
        formats: slugs(&p.formats, Format::slug),
        audiences: slugs(&p.audiences, Audience::slug),
        age_min: p.ages.min.map(|v| v.to_string()).unwrap_or_default(),
        age_max: p.ages.max.map(|v| v.to_string()).unwrap_or_default(),
        fee_talk: amount(p.fees.talk),
        fee_workshop: amount(p.fees.workshop),
        fee_day: amount(p.fees.day),
        travel: amount(p.travel_cents),
        accommodation: on(p.accommodation),
        travel_notes: p.travel_notes.clone(),
        siret: p.siret.clone(),
        vat: on(p.vat),
        invoicing: p.invoicing.clone(),
    }
}

fn parse_form(f: &RawSpeaker, id: i64) -> Result<SpeakerRecord, Problems> {
    let mut p = Problems::new();
    let name = p.take(parse_name("name", &f.name, 200));
    let organisation = p.take(parse_line("organisation", &f.organisation, 200));
    let email = if f.email.trim().is_empty() {
        Some(String::new())
    } else {
        p.take(parse_email("email", &f.email))
    };
    let phone = p.take(parse_line("phone", &f.phone, 40));
    let notes = p.take(parse_text("notes", &f.notes, 4000));
    let profile = match Profile::parse(f) {
        Ok(v) => Some(v),
        Err(e) => {
            p.0.extend(e.0);
            None
        }
    };
    p.into_result(|| SpeakerRecord {
        speaker: Speaker {
            id,
            name: name.expect("checked"),
            organisation: organisation.expect("checked"),
            email: email.expect("checked"),
            phone: phone.expect("checked"),
            notes: notes.expect("checked"),
        },
        profile: profile.expect("checked"),
    })
}

fn form_page(
    s: &StaffSession,
    id: i64,
    form: RawSpeaker,
    errors: FormErrors,
) -> Result<String, WebError> {
    let tr = Tr::new(s.lang);
    let title = if id == 0 {
        tr.t("speakers.new")
    } else {
        tr.t("speakers.edit")
    };
    let page = Page::new(s, title, "speakers", &Flash::default());
    let choices = |prefix: &str, all: Vec<&'static str>| {
        all.into_iter()
            .map(|v| (v.to_string(), label(&tr, prefix, v)))
            .collect()
    };
    Ok(FormPage {
        page,
        id,
        form,
        errors,
        kinds: choices(
            "speaker_kind",
            SpeakerKind::ALL.iter().map(|k| k.slug()).collect(),
        ),
        categories: THEME_CATEGORIES
            .iter()
            .map(|c| (c.to_string(), tr.t(&category_key(c)).to_string()))
            .collect(),
        formats: choices("format", Format::ALL.iter().map(|k| k.slug()).collect()),
        audiences: choices("audience", Audience::ALL.iter().map(|k| k.slug()).collect()),
    }
    .render()?)
}

async fn speaker_new(s: StaffSession) -> Result<Html<String>, WebError> {
    s.require(Action::EditSpeakers)?;
    Ok(Html(form_page(
        &s,
        0,
        RawSpeaker {
            kind: "person".into(),
            ..Default::default()
        },
        FormErrors::default(),
    )?))
}

async fn speaker_edit(
    State(state): State<AppState>,
    s: StaffSession,
    Path(id): Path<i64>,
) -> Result<Html<String>, WebError> {
    s.require(Action::EditSpeakers)?;
    let rec = state.store.speaker_record(s.library_id(), id).await?;
    Ok(Html(form_page(
        &s,
        id,
        form_of(&rec),
        FormErrors::default(),
    )?))
}

async fn speaker_create(
    State(state): State<AppState>,
    p: Posted<RawSpeaker>,
) -> Result<Response, WebError> {
    save(state, p, 0).await
}

async fn speaker_update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    p: Posted<RawSpeaker>,
) -> Result<Response, WebError> {
    save(state, p, id).await
}

async fn save(
    state: AppState,
    Posted { session: s, form }: Posted<RawSpeaker>,
    id: i64,
) -> Result<Response, WebError> {
    s.require(Action::EditSpeakers)?;
    let rec = match parse_form(&form, id) {
        Ok(v) => v,
        Err(problems) => {
            let errors = FormErrors::new(&Tr::new(s.lang), &problems);
            return Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Html(form_page(&s, id, form, errors)?),
            )
                .into_response());
        }
    };
    let saved = state.store.save_speaker_record(&s.actor(), &rec).await?;
    Ok(Redirect::to(&if id == 0 {
        "/staff/speakers?done=created".to_string()
    } else {
        format!("/staff/speakers/{saved}?done=saved")
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use almanach_domain::speakers::Stage;

    #[test]
    fn e_mail_addresses_are_checked_for_typing_slips() {
        for good in [
            "claire@mediatheque.fr",
            " c.dupont@ville-exemple.fr ",
            "a@b.co",
        ] {
            assert!(parse_email("email", good).is_ok(), "{good}");
        }
        for bad in [
            "claire",
            "claire@",
            "@mediatheque.fr",
            "claire@mediatheque",
            "cl aire@mediatheque.fr",
            "a@b@c.fr",
            "a@.fr",
            "a@b.",
            "a@b..",
            ".@.",
        ] {
            assert_eq!(
                parse_email("email", bad).unwrap_err().key,
                "error.email",
                "{bad}"
            );
        }
    }

    #[test]
    fn a_record_round_trips_through_its_form() {
        let raw = RawSpeaker {
            name: "Fab lab".into(),
            kind: "organisation".into(),
            postcode: "93100".into(),
            categories: vec!["code".into()],
            formats: vec!["workshop".into()],
            fee_workshop: "250,50".into(),
            travel: "80".into(),
            vat: Some("on".into()),
            siret: "443 061 841 00047".into(),
            ..Default::default()
        };
        let rec = parse_form(&raw, 7).unwrap();
        assert_eq!(rec.profile.fees.workshop, Some(25_050));
        let again = parse_form(&form_of(&rec), 7).unwrap();
        assert_eq!(again, rec);
        assert_eq!(form_of(&rec).siret, "44306184100047");
    }

    /// Labels are looked up by a computed key, which the locale test cannot see.
    #[test]
    fn every_profile_and_stage_label_is_translated() {
        let mut keys: Vec<String> = SpeakerKind::ALL
            .iter()
            .map(|v| format!("speaker_kind.{}", v.slug()))
            .collect();
        keys.extend(Format::ALL.iter().map(|v| format!("format.{}", v.slug())));
        keys.extend(
            Audience::ALL
                .iter()
                .map(|v| format!("audience.{}", v.slug())),
        );
        keys.extend(Region::ALL.iter().map(|v| format!("region.{}", v.slug())));
        keys.extend(Stage::ALL.iter().map(|v| format!("stage.{}", v.slug())));
        for k in keys {
            assert!(crate::i18n::has_key(&k), "{k} missing");
            assert_ne!(
                Tr::new(Lang::En).t(&k),
                k.as_str(),
                "{k} missing in English"
            );
        }
    }
}
