//! The setup pages: series, themes, speakers, team, API tokens, library
//! settings, audit trail. Each form refuses bad input next to the field and
//! saves nothing; each role sees and does only what it may.

use almanach_domain::programme::{AttendanceMode, EventStatus, SessionKind};
use almanach_domain::staff::Role;
use almanach_store::{Actor, Event, SessionWrite, Speaker, Theme};
use axum::http::StatusCode;
use sha2::{Digest, Sha256};

use crate::app::{Response, TestApp};
use crate::http_test;

const H: i64 = 3600;
const DAY: i64 = 24 * H;
/// Saturday 18 January 2025, 14 h in Paris.
const T0: i64 = 1_737_205_200;

/// A published event with one session at `start`, on `theme` and led by `speaker`.
async fn session(app: &TestApp, title: &str, start: i64, theme: Option<i64>, speaker: Option<i64>) -> i64 {
    let actor = Actor::system(app.library_id, "test");
    let event = Event {
        id: 0,
        series_id: None,
        title: title.into(),
        description: String::new(),
        picture_url: String::new(),
        status: EventStatus::Published,
    };
    let event_id = app.store.save_event(&actor, &event).await.unwrap();
    let w = SessionWrite {
        event_id,
        kind: SessionKind::Talk,
        starts_at: start,
        ends_at: start + H,
        local_date: String::new(),
        room_id: None,
        capacity: None,
        age_min: None,
        age_max: None,
        accompanied: false,
        price_cents: 0,
        registration_required: false,
        attendance_mode: AttendanceMode::InPerson,
        online_url: String::new(),
        theme_ids: theme.into_iter().collect(),
        speaker_ids: speaker.into_iter().collect(),
        lead_ids: vec![],
    };
    app.store.save_session(&actor, None, &w).await.unwrap().unwrap()
}

/// The table row of `body` that mentions `text`.
fn row<'a>(body: &'a str, text: &str) -> &'a str {
    body.split("<tr").find(|r| r.contains(text)).unwrap_or_else(|| panic!("no row with {text:?} in {body}"))
}

fn error_of<'a>(r: &'a Response, field: &str) -> &'a str {
    let marker = format!("id=\"e-{field}\">");
    let i = r.body.find(&marker).unwrap_or_else(|| panic!("no error next to {field}: {}", r.body));
    let rest = &r.body[i + marker.len()..];
    &rest[..rest.find('<').unwrap()]
}

// ---------------------------------------------------------------- series

const SERIES: &[(&str, &str)] = &[
    ("name", "Samedis de l'innovation"),
    ("description", "Une rencontre et des ateliers, un samedi par mois."),
    ("default_kind", "workshop"),
    ("duration", "120"),
    ("capacity", "12"),
    ("age_min", "8"),
    ("age_max", "14"),
    ("registration_policy", "workshops_only"),
    ("colour", "#C0392B"),
];

fn with<'a>(base: &[(&'a str, &'a str)], changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    base.iter().map(|(k, v)| (*k, changes.iter().find(|(c, _)| c == k).map_or(*v, |(_, nv)| *nv))).collect()
}

http_test!(
    async fn a_coordinator_creates_a_series_shown_with_its_colour_kind_and_policy(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, "/staff/series/new").await;
        let r = app.post(&mut c, "/staff/series/new", SERIES).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/staff/series?done=created"), "{}", r.body);
        let s = &app.store.list_series(app.library_id).await.unwrap()[0];
        assert_eq!((s.default_kind, s.duration_minutes, s.capacity), (SessionKind::Workshop, Some(120), Some(12)));
        assert_eq!((s.age_min, s.age_max, s.colour.as_str()), (Some(8), Some(14), "#c0392b"));
        let r = app.get(&mut c, "/staff/series?done=created").await;
        let line = row(&r.body, "Samedis de l&#39;innovation");
        assert!(line.contains("background: #c0392b"), "{line}");
        assert!(line.contains("Atelier") && line.contains("Inscription pour les ateliers seulement"), "{line}");
        assert!(line.contains("8 à 14 ans"), "{line}");
        // Editing keeps the id and records before and after.
        let path = format!("/staff/series/{}", s.id);
        app.get(&mut c, &path).await;
        let r = app.post(&mut c, &path, &with(SERIES, &[("capacity", "16")])).await;
        assert_eq!(r.location(), "/staff/series?done=saved");
        assert_eq!(app.store.series(app.library_id, s.id).await.unwrap().capacity, Some(16));
    }
);

http_test!(
    async fn series_errors_are_shown_next_to_their_field_and_nothing_is_saved(app: TestApp) {
        let mut c = app.signed_in(Role::Admin).await;
        app.get(&mut c, "/staff/series/new").await;
        let r = app.post(&mut c, "/staff/series/new", &with(SERIES, &[("age_min", "14"), ("age_max", "8"), ("colour", "rouge")])).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_of(&r, "age_max"), "L'âge maximum doit être supérieur ou égal à l'âge minimum.".replace('\'', "&#39;"));
        assert!(error_of(&r, "colour").starts_with("Couleur invalide"));
        assert!(r.body.contains("value=\"rouge\"") && r.body.contains("value=\"14\""), "what was typed is kept");
        assert!(r.body.contains("<option value=\"workshops_only\" selected>"), "the chosen policy is kept");
        assert!(app.store.list_series(app.library_id).await.unwrap().is_empty());
        // A name already taken.
        app.post(&mut c, "/staff/series/new", SERIES).await;
        app.get(&mut c, "/staff/series/new").await;
        let r = app.post(&mut c, "/staff/series/new", SERIES).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_of(&r, "name"), "Ce nom est déjà utilisé.");
        assert_eq!(app.store.list_series(app.library_id).await.unwrap().len(), 1);
    }
);
