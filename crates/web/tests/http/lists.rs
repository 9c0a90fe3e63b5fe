//! The staff lists and what they print: the events list paged and filtered
//! through its address, names in French order on every page, French dates
//! with their year when it matters, real plurals, and the session form's
//! theme picker.

use almanach_domain::calendar::paris;
use almanach_domain::costs::Billing;
use almanach_domain::ids::SessionId;
use almanach_domain::programme::{EventStatus, SessionKind};
use almanach_domain::staff::Role;
use almanach_domain::{Lang, fmt};
use almanach_store::testing::session_write;
use almanach_store::{Actor, Event, Room, Series, Theme, Tool};
use axum::http::StatusCode;
use jiff::ToSpan;
use jiff::civil::{Date, date};

use crate::app::TestApp;
use crate::http_test;

fn actor(app: &TestApp) -> Actor {
    Actor::system(app.library_id, "test")
}

fn today() -> Date {
    jiff::Zoned::now().with_time_zone(paris()).date()
}

pub(crate) fn in_days(n: i64) -> Date {
    today().checked_add(n.days()).unwrap()
}

async fn series(app: &TestApp, name: &str) -> i64 {
    let s = Series {
        name: name.into(),
        default_kind: SessionKind::Workshop,
        ..Default::default()
    };
    app.store.save_series(&actor(app), &s).await.unwrap()
}

/// A published event with one session on `d`, 14 h – 16 h, and `capacity` seats.
pub(crate) async fn event_on(
    app: &TestApp,
    title: &str,
    series_id: Option<i64>,
    d: Date,
    capacity: Option<u32>,
) -> (i64, i64) {
    let e = Event {
        series_id,
        ..almanach_store::testing::published(title)
    };
    let id = app.store.save_event(&actor(app), &e).await.unwrap();
    let w = almanach_store::SessionWrite {
        capacity,
        ..session_write(id, d, 14, 16)
    };
    let s = almanach_store::testing::saved_session(&app.store, app.library_id, &w).await;
    (id.get(), s.get())
}

/// How many rows the events table shows.
fn rows(body: &str) -> usize {
    body.matches("<td><a href=\"/staff/events/").count()
}

/// Each of `names` appears, as the whole text of an element, after the one before.
fn in_order(body: &str, names: &[&str]) -> Result<(), String> {
    let mut from = 0;
    for n in names {
        let needle = format!(">{n}<");
        match body[from..].find(&needle) {
            Some(i) => from += i + needle.len(),
            None => return Err(format!("{n:?} missing or out of order")),
        }
    }
    Ok(())
}

/// The part of `body` from `start` to the next `end`.
fn section<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let from = body
        .find(start)
        .unwrap_or_else(|| panic!("no {start}: {body}"));
    let to = body[from..].find(end).map_or(body.len(), |i| from + i);
    &body[from..to]
}

/// ISO dates (2026-12-25) in what the page shows, outside tags: form values
/// and links may hold them, the text may not.
fn shown_iso_dates(body: &str) -> Vec<String> {
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let b = text.as_bytes();
    let mut found = Vec::new();
    for i in 0..b.len().saturating_sub(9) {
        let w = &b[i..i + 10];
        let digits = |r: std::ops::Range<usize>| r.clone().all(|k| w[k].is_ascii_digit());
        if digits(0..4) && w[4] == b'-' && digits(5..7) && w[7] == b'-' && digits(8..10) {
            found.push(String::from_utf8_lossy(w).into_owned());
        }
    }
    found
}

/// Titles of the sixty events: `Événement 00` … `Événement 59`, but 45.
fn title(i: i64) -> String {
    if i == 45 {
        "Écrire avec l'IA".into()
    } else {
        format!("Événement {i:02}")
    }
}

/// Sixty published events created in a scrambled order, one session each:
/// 0–29 over (30 days ago to yesterday), 30–59 to come (tomorrow on); even
/// ones in series A, odd ones in B.
pub(crate) async fn sixty_events(app: &TestApp) -> (i64, i64) {
    let sa = series(app, "Samedis de l'innovation").await;
    let sb = series(app, "Points de l'IA").await;
    for k in 0..60 {
        let i = (k * 7) % 60;
        let d = if i < 30 {
            in_days(i - 30)
        } else {
            in_days(i - 29)
        };
        let s = if i % 2 == 0 { sa } else { sb };
        event_on(app, &title(i), Some(s), d, Some(12)).await;
    }
    (sa, sb)
}

http_test! {
    async fn the_events_list_pages_upcoming_first_and_keeps_its_filters(app: TestApp) {
        let (sa, _) = sixty_events(&app).await;
        let mut c = app.signed_in(Role::Viewer).await;

        // By default: what is to come, the soonest first, 25 a page.
        let r = app.get(&mut c, "/staff/events").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(rows(&r.body), 25, "{}", r.body);
        // As HTML prints them: « l'IA » as « l&#39;IA ».
        let first_page: Vec<String> = (30..55).map(|i| title(i).replace('\'', "&#39;")).collect();
        let first_page: Vec<&str> = first_page.iter().map(String::as_str).collect();
        assert!(in_order(&r.body, &first_page).is_ok(), "{}", r.body);
        assert!(!r.body.contains("Événement 29") && !r.body.contains("Événement 55"));
        assert!(r.body.contains("30 événements · Page 1 sur 2"), "{}", r.body);
        assert!(r.body.contains("<nav class=\"pager pages\" aria-label=\"Pages de la liste des événements\">"));
        assert!(r.body.contains("href=\"/staff/events?page=2\" rel=\"next\""), "{}", r.body);
        assert!(!r.body.contains("rel=\"prev\""));

        let r = app.get(&mut c, "/staff/events?page=2").await;
        assert_eq!(rows(&r.body), 5);
        assert!(in_order(&r.body, &["Événement 55", "Événement 59"]).is_ok());
        assert!(r.body.contains("href=\"/staff/events\" rel=\"prev\""), "{}", r.body);
        assert!(r.body.contains("Page 2 sur 2") && !r.body.contains("rel=\"next\""));

        // The past, latest first, of one series.
        let r = app.get(&mut c, &format!("/staff/events?periode=passes&serie={sa}")).await;
        assert_eq!(rows(&r.body), 15);
        assert!(in_order(&r.body, &["Événement 28", "Événement 26", "Événement 00"]).is_ok(), "{}", r.body);
        assert!(!r.body.contains("Événement 27") && !r.body.contains("Événement 30"));
        assert!(r.body.contains("<option value=\"passes\" selected>"), "{}", r.body);

        // Filters survive paging, both ways (askama writes & as &#38;).
        let all_a = format!("/staff/events?periode=toutes&serie={sa}");
        let r = app.get(&mut c, &all_a).await;
        assert!(r.body.contains("30 événements · Page 1 sur 2"));
        let next = format!("href=\"/staff/events?periode=toutes&#38;serie={sa}&#38;page=2\" rel=\"next\"");
        assert!(r.body.contains(&next), "{}", r.body);
        let r = app.get(&mut c, &format!("{all_a}&page=2")).await;
        assert_eq!(rows(&r.body), 5);
        // Coming ones first, then the past ones latest first: page 2 ends with the oldest.
        assert!(in_order(&r.body, &["Événement 08", "Événement 06", "Événement 04", "Événement 02", "Événement 00"]).is_ok());
        let prev = format!("href=\"/staff/events?periode=toutes&#38;serie={sa}\" rel=\"prev\"");
        assert!(r.body.contains(&prev), "{}", r.body);

        // This season: every event (none is more than a month away), in date order.
        let r = app.get(&mut c, "/staff/events?periode=saison&page=1").await;
        assert!(r.body.contains("Page 1 sur"), "{}", r.body);

        // The title, accents and case aside.
        let r = app.get(&mut c, "/staff/events?q=ECRIRE").await;
        assert_eq!(rows(&r.body), 1);
        assert!(r.body.contains("Écrire avec l&#39;IA") && r.body.contains("1 événement<"), "{}", r.body);
        assert!(r.body.contains("value=\"ECRIRE\""));
        // Nothing in this period: the same search over every date is offered.
        let r = app.get(&mut c, "/staff/events?periode=passes&q=ecrire").await;
        assert_eq!(rows(&r.body), 0);
        assert!(r.body.contains("href=\"/staff/events?periode=toutes&#38;q=ecrire\""), "{}", r.body);

        // Whatever the address says, a page and never an error.
        let r = app.get(&mut c, "/staff/events?page=999").await;
        assert!(r.body.contains("Page 2 sur 2") && rows(&r.body) == 5);
        for odd in [
            "/staff/events?page=abc&periode=jamais&serie=x&statut=%00",
            "/staff/events?page=-1&serie=99999&q=%25%5F",
            "/staff/events?page=99999999999999999999999",
            "/staff/events?series=&status=draft&q=",
        ] {
            let r = app.get(&mut c, odd).await;
            assert_eq!(r.status, StatusCode::OK, "{odd}");
        }

        // The dashboard's drafts link leads to every draft, whatever its date.
        let r = app.get(&mut c, "/staff").await;
        assert!(r.body.contains("href=\"/staff/events?statut=draft&amp;periode=toutes\""));
    }
}

/// Shuffled: what was created first must not come first.
const NAMES: [&str; 8] = [
    "Écrire", "écran", "Zoé", "Débuter", "Œuvre", "Dessiner", "ateliers", "Atelier",
];
const FRENCH: [&str; 8] = [
    "Atelier", "ateliers", "Débuter", "Dessiner", "écran", "Écrire", "Œuvre", "Zoé",
];

http_test! {
    async fn names_are_in_french_order_on_every_page(app: TestApp) {
        let a = actor(&app);
        for name in NAMES {
            app.store.save_room(&a, &Room { name: name.into(), ..Default::default() }).await.unwrap();
            app.store.save_theme(&a, &Theme { title: name.into(), ..Default::default() }).await.unwrap();
            series(&app, name).await;
        }
        let mut c = app.signed_in(Role::Coordinator).await;
        for path in ["/staff/rooms", "/staff/themes", "/staff/series", "/staff/budgets"] {
            let r = app.get(&mut c, path).await;
            assert!(in_order(&r.body, &FRENCH).is_ok(), "{path}: {}", r.body);
        }
        // Selects in forms and filters, each on its own.
        let (event, _) = event_on(&app, "Rencontre", None, in_days(10), None).await;
        for (path, start, end) in [
            (format!("/staff/events/{event}/sessions/new"), "id=\"f-room_id\"", "</select>"),
            (format!("/staff/events/{event}/sessions/new"), "<fieldset class=\"pick\"", "</fieldset>"),
            (format!("/staff/events/{event}/edit"), "id=\"f-series_id\"", "</select>"),
            ("/staff/events".to_string(), "id=\"f-serie\"", "</select>"),
            ("/staff/calendar".to_string(), "id=\"f-series\"", "</select>"),
            ("/staff/calendar".to_string(), "id=\"f-room\"", "</select>"),
            ("/agenda".to_string(), "id=\"f-series\"", "</select>"),
            ("/agenda".to_string(), "id=\"f-room\"", "</select>"),
        ] {
            let r = app.get(&mut c, &path).await;
            let part = section(&r.body, start, end);
            assert!(in_order(part, &FRENCH).is_ok(), "{path} {start}: {part}");
        }
    }
}

fn tool(name: &str, renewal: Date) -> Tool {
    Tool {
        id: 0,
        name: name.into(),
        provider: "OpenAI".into(),
        plan: "Plus".into(),
        cost_cents: 2000,
        billing: Billing::Monthly,
        seats: None,
        renewal_on: Some(renewal.to_string()),
        owner_id: None,
        notes: String::new(),
        theme_ids: vec![],
        session_ids: vec![],
    }
}

http_test! {
    async fn dates_are_french_with_their_year_when_it_matters(app: TestApp) {
        let a = actor(&app);
        let soon = in_days(10);
        let far = date(2031, 3, 15);
        app.store.save_tool(&a, &tool("ChatGPT", soon)).await.unwrap();
        app.store.save_tool(&a, &tool("Midjourney", far)).await.unwrap();
        let mut c = app.signed_in(Role::Coordinator).await;

        // The dashboard warns of the coming renewal in words, not 2026-12-25.
        let r = app.get(&mut c, "/staff").await;
        assert!(r.body.contains(&fmt::day_near(soon, today(), Lang::Fr)), "{}", r.body);
        assert_eq!(shown_iso_dates(&r.body), Vec::<String>::new());
        // The tools list: one date years away, so every date with its year.
        let r = app.get(&mut c, "/staff/tools").await;
        assert!(r.body.contains("samedi 15 mars 2031"), "{}", r.body);
        assert!(r.body.contains(&fmt::day_with_year(soon, Lang::Fr)), "{}", r.body);
        assert_eq!(shown_iso_dates(&r.body), Vec::<String>::new());
        // In English too.
        app.get(&mut c, "/lang/en?next=/staff/tools").await;
        let r = app.get(&mut c, "/staff/tools").await;
        assert!(r.body.contains("Saturday 15 March 2031"), "{}", r.body);
        app.get(&mut c, "/lang/fr?next=/staff").await;

        // A theme given over several seasons: every date with its year.
        let theme = app.store.save_theme(&a, &Theme { title: "Midjourney".into(), ..Default::default() }).await.unwrap();
        let room = app.store.save_room(&a, &Room { name: "Auditorium".into(), ..Default::default() }).await.unwrap();
        let old = date(2025, 1, 18);
        let (e1, s1) = event_on(&app, "Premier Midjourney", None, old, None).await;
        let (_, s2) = event_on(&app, "Midjourney, la suite", None, in_days(7), None).await;
        for (id, room_id) in [(s1, Some(room)), (s2, None)] {
            let s = app.store.session(app.library_id, SessionId(id)).await.unwrap();
            let w = almanach_store::SessionWrite {
                theme_ids: vec![theme],
                room_id,
                ..session_write(s.event_id, s.local_date.parse().unwrap(), 14, 16)
            };
            app.store.save_session(&a, Some(SessionId(id)), &w).await.unwrap().unwrap();
        }
        let r = app.get(&mut c, &format!("/staff/themes/{theme}")).await;
        assert!(r.body.contains("samedi 18 janvier 2025, 14 h – 16 h"), "{}", r.body);
        let next_week = fmt::day_with_year(in_days(7), Lang::Fr);
        assert!(r.body.contains(&format!("{next_week}, 14 h – 16 h")), "{}", r.body);
        assert_eq!(shown_iso_dates(&r.body), Vec::<String>::new());

        // The session form: a clash names the other session's date with its year.
        let (other, _) = event_on(&app, "Autre rencontre", None, in_days(20), None).await;
        let r = app
            .post(
                &mut c,
                &format!("/staff/events/{other}/sessions/new"),
                &[
                    ("kind", "talk"),
                    ("date", "2025-01-18"),
                    ("start", "15:00"),
                    ("end", "17:00"),
                    ("room_id", &room.to_string()),
                    ("registration", "free_entry"),
                    ("attendance", "in_person"),
                    ("confirm_warnings", "on"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("« Premier Midjourney » (samedi 18 janvier 2025, 14 h – 16 h)"),
            "{}",
            r.body
        );
        // The event page of a past season's event, and the events list.
        let r = app.get(&mut c, &format!("/staff/events/{e1}")).await;
        assert!(r.body.contains("samedi 18 janvier 2025, 14 h – 16 h"), "{}", r.body);
        let r = app.get(&mut c, "/staff/events?periode=toutes").await;
        assert!(r.body.contains("samedi 18 janvier 2025<"), "{}", r.body);
        assert_eq!(shown_iso_dates(&r.body), Vec::<String>::new());
    }
}

http_test! {
    async fn counted_words_agree_with_their_count(app: TestApp) {
        let a = actor(&app);
        let (event, _) = event_on(&app, "Atelier solo", None, in_days(1), Some(1)).await;
        let draft = Event {
            status: EventStatus::Draft,
            ..almanach_store::testing::published("Brouillon")
        };
        app.store.save_event(&a, &draft).await.unwrap();
        let mut c = app.signed_in(Role::Coordinator).await;

        let r = app.get(&mut c, &format!("/staff/events/{event}")).await;
        assert!(r.body.contains("entrée libre, 1 place<"), "{}", r.body);
        assert!(!r.body.contains("1 places"));
        let r = app.get(&mut c, "/staff").await;
        assert!(r.body.contains("<strong>1</strong> brouillon à publier"), "{}", r.body);
        assert!(!r.body.contains("(s)"), "{}", r.body);
        let r = app.get(&mut c, &format!("/staff/events/{event}/cancel")).await;
        assert!(r.body.contains("ne sera plus au programme (1 séance)"), "{}", r.body);
        let r = app.get(&mut c, "/staff/events").await;
        assert!(r.body.contains("2 événements<"), "{}", r.body);

        app.get(&mut c, "/lang/en?next=/staff").await;
        let r = app.get(&mut c, &format!("/staff/events/{event}")).await;
        assert!(r.body.contains("free entry, 1 seat<"), "{}", r.body);
        let r = app.get(&mut c, "/staff").await;
        assert!(r.body.contains("<strong>1</strong> draft to publish"), "{}", r.body);
        let week = r.body.contains("<strong>0</strong> sessions this week")
            || r.body.contains("<strong>1</strong> session this week");
        assert!(week, "{}", r.body);
    }
}

http_test! {
    async fn the_theme_picker_keeps_the_session_form_short_without_javascript(app: TestApp) {
        let a = actor(&app);
        let categories = almanach_domain::programme::THEME_CATEGORIES;
        let mut ids = Vec::new();
        for i in 0..55 {
            // Every fifth theme without a category.
            let cats = if i % 5 == 4 { vec![] } else { vec![categories[i % categories.len()].to_string()] };
            let t = Theme { title: format!("Thème {i:02}"), categories: cats, ..Default::default() };
            ids.push(app.store.save_theme(&a, &t).await.unwrap());
        }
        let (event, session) = event_on(&app, "Point de l'IA", None, in_days(3), None).await;
        let mut c = app.signed_in(Role::Coordinator).await;

        let r = app.get(&mut c, &format!("/staff/events/{event}/sessions/new")).await;
        assert_eq!(r.status, StatusCode::OK);
        // Each theme once, as a checkbox, inside one fieldset with its legend.
        assert_eq!(r.body.matches("name=\"themes\"").count(), 55);
        let picker = section(&r.body, "<fieldset class=\"pick\" data-pick>", "</fieldset>");
        assert!(picker.contains("<legend>Thématiques</legend>"), "{picker}");
        assert_eq!(picker.matches("name=\"themes\"").count(), 55);
        // Folded by category: each category once, closed; the rest apart.
        let groups = r.body.matches("<details class=\"pick-group\">").count();
        assert_eq!(groups, categories.len() + 1, "{}", r.body);
        assert!(!r.body.contains("<details class=\"pick-group\" open"));
        assert!(r.body.contains("<summary>Autres thématiques <span class=\"hint\">(11)</span></summary>"), "{}", r.body);
        // The filter box is for JavaScript only (hidden without), from a
        // static file: no inline script.
        assert!(r.body.contains("<div class=\"field pick-filter\" hidden>"));
        assert!(r.body.contains("<script src=\"/static/pick.js\" defer></script>"));
        assert!(!r.body.contains("<script>"));
        let js = app.get(&mut c, "/static/pick.js").await;
        assert_eq!(js.status, StatusCode::OK);
        assert!(js.headers["content-type"].to_str().unwrap().starts_with("text/javascript"));

        // Saved themes come first, ticked, ahead of the folded groups.
        let (t07, t33) = (ids[7].to_string(), ids[33].to_string());
        let form = format!("/staff/sessions/{session}");
        let day = in_days(3).to_string();
        let r = app
            .post(
                &mut c,
                &form,
                &[
                    ("kind", "talk"),
                    ("date", &day),
                    ("start", "14:00"),
                    ("end", "16:00"),
                    ("registration", "free_entry"),
                    ("attendance", "in_person"),
                    ("themes", &t33),
                    ("themes", &t07),
                    ("confirm_warnings", "on"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let saved = app.store.session(app.library_id, SessionId(session)).await.unwrap();
        assert_eq!(saved.theme_ids, [ids[7], ids[33]]);
        let r = app.get(&mut c, &form).await;
        let first_group = r.body.find("<details class=\"pick-group\">").unwrap();
        for t in [&t07, &t33] {
            let tick = format!("value=\"{t}\" checked>");
            let at = r.body.find(&tick).unwrap_or_else(|| panic!("{t} not ticked: {}", r.body));
            assert!(at < first_group, "{t} is not first");
        }
        assert!(in_order(&r.body, &["Thème 07", "Thème 33"]).is_ok());
        assert_eq!(r.body.matches("name=\"themes\"").count(), 55);
    }
}
