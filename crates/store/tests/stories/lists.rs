//! The lists staff read: every list of names in French order, and the
//! events list paged, filtered and searched in SQL, on SQLite and
//! PostgreSQL alike.

use almanach_domain::calendar::{local_to_instant, paris};
use almanach_domain::costs::Billing;
use almanach_domain::ids::{EventId, LibraryId, SessionId};
use almanach_domain::logistics::Provider;
use almanach_domain::programme::{EventStatus, SessionKind};
use almanach_domain::staff::Role;
use almanach_store::testing::session_write;
use almanach_store::*;
use jiff::ToSpan;
use jiff::civil::{Date, Time, date};

fn actor(lib: LibraryId) -> Actor {
    Actor::system(lib, "test")
}

/// Shuffled on purpose: ids in this order must not decide the result.
const NAMES: [&str; 8] = [
    "Écrire", "écran", "Zoé", "Débuter", "Œuvre", "Dessiner", "ateliers", "Atelier",
];
/// Letters first, accents only as a tiebreak, then case; Œ as OE.
const FRENCH: [&str; 8] = [
    "Atelier", "ateliers", "Débuter", "Dessiner", "écran", "Écrire", "Œuvre", "Zoé",
];

/// `names` kept in the order given, leaving out whatever the store seeded.
fn mine(names: impl IntoIterator<Item = String>) -> Vec<String> {
    names
        .into_iter()
        .filter(|n| NAMES.contains(&n.as_str()))
        .collect()
}

almanach_store::on_both_backends! {
    async fn every_list_of_names_is_in_french_order(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let a = actor(lib);
        for (i, name) in NAMES.iter().enumerate() {
            let name = name.to_string();
            store.save_room(&a, &Room { name: name.clone(), ..Default::default() }).await.unwrap();
            store.save_series(&a, &Series { name: name.clone(), ..Default::default() }).await.unwrap();
            store.save_theme(&a, &Theme { title: name.clone(), ..Default::default() }).await.unwrap();
            store.save_speaker(&a, &Speaker { name: name.clone(), ..Default::default() }).await.unwrap();
            store
                .create_staff(&a, &format!("p{i}@mediatheque.test"), &name, Role::Mediator, "x")
                .await
                .unwrap();
            let tool = Tool {
                id: 0,
                name: name.clone(),
                provider: String::new(),
                plan: String::new(),
                cost_cents: 0,
                billing: Billing::Monthly,
                seats: None,
                renewal_on: None,
                owner_id: None,
                notes: String::new(),
                theme_ids: vec![],
                session_ids: vec![],
            };
            store.save_tool(&a, &tool).await.unwrap();
            let need = NeedType { id: 0, name: name.clone(), provider: Provider::It, hint: String::new(), active: true };
            store.save_need_type(&a, &need).await.unwrap();
        }
        let rooms = store.list_rooms(lib).await.unwrap();
        assert_eq!(mine(rooms.into_iter().map(|r| r.name)), FRENCH, "rooms");
        let series = store.list_series(lib).await.unwrap();
        assert_eq!(mine(series.into_iter().map(|s| s.name)), FRENCH, "series");
        let themes = store.list_themes(lib).await.unwrap();
        assert_eq!(mine(themes.into_iter().map(|t| t.theme.title)), FRENCH, "themes");
        let speakers = store.list_speakers(lib).await.unwrap();
        assert_eq!(mine(speakers.into_iter().map(|s| s.name)), FRENCH, "speakers");
        let directory = store.speaker_summaries(lib, "75001").await.unwrap();
        assert_eq!(
            mine(directory.into_iter().map(|s| s.record.speaker.name)),
            FRENCH,
            "speaker directory"
        );
        let staff = store.list_staff(lib).await.unwrap();
        assert_eq!(mine(staff.into_iter().map(|m| m.name)), FRENCH, "staff");
        let tools = store.tools(lib).await.unwrap();
        assert_eq!(mine(tools.into_iter().map(|t| t.name)), FRENCH, "tools");
        let needs = store.need_types(lib).await.unwrap();
        assert_eq!(mine(needs.into_iter().map(|t| t.name)), FRENCH, "need types");
        let budgets = store.budgets(lib, "2025-2026").await.unwrap();
        assert_eq!(mine(budgets.into_iter().map(|b| b.series)), FRENCH, "budgets");
    }
}

fn at(d: Date, h: i8) -> i64 {
    local_to_instant(&paris(), d, Time::constant(h, 0, 0, 0))
        .unwrap()
        .as_second()
}

/// Sixty published events, one a day from 1 November 2025, each with one
/// session 14 h – 16 h, created in a scrambled order; event `i` is titled
/// `Événement {i:02}` except a few the searches look for. Even ones are in
/// series A, odd ones in B. Plus a draft without any session.
async fn sixty_events(store: &Store, lib: LibraryId) -> (i64, i64) {
    let a = actor(lib);
    let series = |name: &str| Series {
        name: name.into(),
        default_kind: SessionKind::Workshop,
        ..Default::default()
    };
    let sa = store.save_series(&a, &series("A")).await.unwrap();
    let sb = store.save_series(&a, &series("B")).await.unwrap();
    for k in 0..60 {
        let i = (k * 7) % 60;
        let title = match i {
            40 => "Écrire avec l'IA".to_string(),
            41 => "Œuvres 100 % numériques".to_string(),
            5 => "ateliers_photo".to_string(),
            i => format!("Événement {i:02}"),
        };
        let e = Event {
            id: EventId(0),
            series_id: Some(if i % 2 == 0 { sa } else { sb }),
            title,
            description: String::new(),
            picture_url: String::new(),
            status: EventStatus::Published,
        };
        let id = store.save_event(&a, &e).await.unwrap();
        let d = date(2025, 11, 1).checked_add((i as i64).days()).unwrap();
        store
            .save_session(&a, None, &session_write(id, d, 14, 16))
            .await
            .unwrap()
            .unwrap();
    }
    let idea = Event {
        status: EventStatus::Draft,
        ..almanach_store::testing::published("Idée sans date")
    };
    store.save_event(&a, &idea).await.unwrap();
    (sa, sb)
}

fn titles(rows: &[EventRow]) -> Vec<String> {
    rows.iter().map(|r| r.event.title.clone()).collect()
}

fn numbered(range: impl Iterator<Item = i64>) -> Vec<String> {
    range
        .map(|i| match i {
            40 => "Écrire avec l'IA".to_string(),
            41 => "Œuvres 100 % numériques".to_string(),
            5 => "ateliers_photo".to_string(),
            i => format!("Événement {i:02}"),
        })
        .collect()
}

almanach_store::on_both_backends! {
    async fn the_events_list_is_paged_filtered_and_searched_in_sql(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let (sa, _) = sixty_events(&store, lib).await;
        // Now: 1 December 2025 at noon; events 0–29 are over, 30–59 to come.
        let now = at(date(2025, 12, 1), 12);
        let q = |period, offset| EventQuery {
            period,
            now,
            offset,
            limit: 25,
            ..Default::default()
        };

        // Upcoming: the soonest first, the draft without a date last.
        let upcoming = q(EventPeriod::Upcoming, 0);
        assert_eq!(store.count_event_rows(lib, &upcoming).await.unwrap(), 31);
        let page1 = store.list_event_rows(lib, &upcoming).await.unwrap();
        assert_eq!(titles(&page1), numbered(30..55));
        assert_eq!(page1[0].sessions, 1);
        assert_eq!(page1[0].first_at, Some(at(date(2025, 12, 1), 14)));
        let page2 = store.list_event_rows(lib, &q(EventPeriod::Upcoming, 25)).await.unwrap();
        let mut expected = numbered(55..60);
        expected.push("Idée sans date".into());
        assert_eq!(titles(&page2), expected);

        // Past: the latest first.
        let past = q(EventPeriod::Past, 0);
        assert_eq!(store.count_event_rows(lib, &past).await.unwrap(), 30);
        let rows = store.list_event_rows(lib, &past).await.unwrap();
        assert_eq!(titles(&rows), numbered((5..30).rev()));
        let rows = store.list_event_rows(lib, &q(EventPeriod::Past, 25)).await.unwrap();
        assert_eq!(titles(&rows), numbered((0..5).rev()));

        // A span of dates: in date order; events without a session are not in it.
        let december = EventPeriod::Between(at(date(2025, 12, 1), 0), at(date(2026, 1, 1), 0));
        let rows = store.list_event_rows(lib, &q(december, 0)).await.unwrap();
        assert_eq!(store.count_event_rows(lib, &q(december, 0)).await.unwrap(), 30);
        assert_eq!(titles(&rows), numbered(30..55));

        // Everything: coming ones soonest first, then past ones latest first.
        let all = q(EventPeriod::All, 25);
        assert_eq!(store.count_event_rows(lib, &all).await.unwrap(), 61);
        let rows = store
            .list_event_rows(lib, &EventQuery { limit: 10, ..all })
            .await
            .unwrap();
        let mut expected = numbered(55..60);
        expected.push("Idée sans date".into());
        expected.extend(numbered((26..30).rev()));
        assert_eq!(titles(&rows), expected);

        // One series, one status.
        let a_only = EventQuery { series_id: Some(sa), ..q(EventPeriod::Upcoming, 0) };
        assert_eq!(store.count_event_rows(lib, &a_only).await.unwrap(), 15);
        let rows = store.list_event_rows(lib, &a_only).await.unwrap();
        assert_eq!(titles(&rows), numbered((30..60).step_by(2)));
        let drafts = EventQuery { status: Some(EventStatus::Draft), ..q(EventPeriod::All, 0) };
        let rows = store.list_event_rows(lib, &drafts).await.unwrap();
        assert_eq!(titles(&rows), ["Idée sans date"]);

        // Title search: accents, case and ligatures aside; % and _ literal.
        let search = |words: &[&str]| EventQuery {
            words: words.iter().map(|w| w.to_string()).collect(),
            ..q(EventPeriod::All, 0)
        };
        for (words, found) in [
            (&["ecrire"][..], vec!["Écrire avec l'IA"]),
            (&["ÉCRIRE", "l’ia"][..], vec!["Écrire avec l'IA"]),
            (&["oeuvres"][..], vec!["Œuvres 100 % numériques"]),
            (&["NUMERIQUES"][..], vec!["Œuvres 100 % numériques"]),
            (&["%"][..], vec!["Œuvres 100 % numériques"]),
            (&["s_p"][..], vec!["ateliers_photo"]),
            (&["_"][..], vec!["ateliers_photo"]),
            (&["evenement", "07"][..], vec!["Événement 07"]),
            (&["introuvable"][..], vec![]),
        ] {
            let rows = store.list_event_rows(lib, &search(words)).await.unwrap();
            assert_eq!(titles(&rows), found, "{words:?}");
            assert_eq!(
                store.count_event_rows(lib, &search(words)).await.unwrap(),
                found.len() as i64
            );
        }
    }
}

// ------------------------------------------------------------ one session query

/// Noon on `d`, Paris time, as the agenda's `now`.
fn noon(d: Date) -> i64 {
    local_to_instant(&paris(), d, Time::constant(12, 0, 0, 0))
        .unwrap()
        .as_second()
}

/// A published event titled `title` (with `description`, in `series_id`)
/// and one session of it on `d`; the session's id.
async fn session_on(
    store: &Store,
    lib: LibraryId,
    title: &str,
    description: &str,
    series_id: Option<i64>,
    d: Date,
    w: impl FnOnce(SessionWrite) -> SessionWrite,
) -> SessionId {
    let e = Event {
        series_id,
        description: description.into(),
        ..almanach_store::testing::published(title)
    };
    let event_id = store.save_event(&actor(lib), &e).await.unwrap();
    store
        .save_session(&actor(lib), None, &w(session_write(event_id, d, 14, 16)))
        .await
        .unwrap()
        .unwrap()
}

/// The agenda's titles for `f`, in its order.
async fn agenda_titles(store: &Store, lib: LibraryId, f: &AgendaFilter) -> Vec<String> {
    store
        .agenda(lib, f)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.session.event_title)
        .collect()
}

almanach_store::on_both_backends! {
    async fn the_agenda_searches_titles_descriptions_and_series_case_and_accents_aside(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let d = date(2030, 3, 2);
        let cafe = store
            .save_series(&actor(lib), &Series { name: "Café numérique".into(), ..Default::default() })
            .await
            .unwrap();
        session_on(&store, lib, "Créer une Œuvre avec l’IA", "", None, d, |w| w).await;
        session_on(&store, lib, "Robotique", "Un atelier d’écriture de code", None, d, |w| w).await;
        session_on(&store, lib, "Rencontre", "", Some(cafe), d, |w| w).await;
        session_on(&store, lib, "Taux à 100%", "", None, d, |w| w).await;
        let now = noon(date(2030, 3, 1));
        let search = |s: &str| AgendaFilter { now, search: s.into(), ..Default::default() };
        assert_eq!(agenda_titles(&store, lib, &search("creer")).await, ["Créer une Œuvre avec l’IA"]);
        assert_eq!(agenda_titles(&store, lib, &search("OEUVRE l'ia")).await, ["Créer une Œuvre avec l’IA"]);
        assert_eq!(agenda_titles(&store, lib, &search("ÉCRITURE")).await, ["Robotique"], "the description");
        assert_eq!(agenda_titles(&store, lib, &search("cafe")).await, ["Rencontre"], "the series' name");
        assert!(agenda_titles(&store, lib, &search("creer robotique")).await.is_empty(), "every word");
        assert_eq!(agenda_titles(&store, lib, &search("100%")).await, ["Taux à 100%"], "% taken literally");
        assert!(agenda_titles(&store, lib, &search("1%0")).await.is_empty(), "% is no wildcard");
        assert_eq!(agenda_titles(&store, lib, &search("  ")).await.len(), 4, "no words: everything");
        assert_eq!(store.count_agenda(lib, &search("a")).await.unwrap(), 4);
        assert_eq!(store.count_agenda(lib, &search("creer")).await.unwrap(), 1);
        // A pager's count stops where it is told to, and counts filters alike.
        assert_eq!(store.count_agenda_upto(lib, &search("a"), 3).await.unwrap(), 3);
        assert_eq!(store.count_agenda_upto(lib, &search("a"), 9).await.unwrap(), 4);
        assert_eq!(store.count_agenda_upto(lib, &search("creer"), 9).await.unwrap(), 1);
        // The staff's and the API's lists take the same search.
        let q = SessionQuery::new(lib).search("CAFÉ");
        let found = store.session_list(&q).await.unwrap();
        assert_eq!(found.iter().map(|s| s.event_title.as_str()).collect::<Vec<_>>(), ["Rencontre"]);
        assert_eq!(store.session_count(&q).await.unwrap(), 1);
    }
}

almanach_store::on_both_backends! {
    async fn seats_left_keeps_what_is_open_with_a_seat(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let d = date(2030, 3, 2);
        let open = |w: SessionWrite| SessionWrite { registration_required: true, capacity: Some(2), ..w };
        session_on(&store, lib, "Ouvert", "", None, d, open).await;
        session_on(&store, lib, "Sans limite", "", None, d, |w| SessionWrite { registration_required: true, capacity: None, ..w }).await;
        let full = session_on(&store, lib, "Complet", "", None, d, |w| SessionWrite { registration_required: true, capacity: Some(1), ..w }).await;
        session_on(&store, lib, "Entrée libre", "", None, d, |w| w).await;
        let later = session_on(&store, lib, "Pas encore ouvert", "", None, d, open).await;
        let closed = session_on(&store, lib, "Clos", "", None, d, open).await;
        let now = noon(date(2030, 3, 1));
        for (id, opens, closes) in [(later, Some(now + 3600), None), (closed, None, Some(now - 60))] {
            let settings = almanach_domain::registration::RegistrationSettings { opens_at: opens, closes_at: closes, max_seats: 1 };
            store.set_registration_settings(&actor(lib), id, &settings).await.unwrap();
        }
        let party = almanach_domain::registration::Party {
            name: "Camille".into(),
            email: Some(almanach_domain::registration::EmailAddress::parse("email", "camille@exemple.fr").unwrap()),
            phone: String::new(),
            seats: 1,
            ages: vec![],
        };
        let new = NewRegistration {
            target: Target::Session(full),
            party,
            token_hash: "t".into(),
            idempotency_hash: "k".into(),
            by_staff: false,
            lang: almanach_domain::Lang::Fr,
            link_sealed: None,
        };
        assert!(matches!(store.register(&actor(lib), &new).await.unwrap(), Registered::New(_)));
        let f = AgendaFilter { now, seats_left: true, ..Default::default() };
        assert_eq!(agenda_titles(&store, lib, &f).await, ["Ouvert", "Sans limite"]);
        assert_eq!(store.count_agenda(lib, &f).await.unwrap(), 2);
        let everything = AgendaFilter { now, ..Default::default() };
        assert_eq!(store.count_agenda(lib, &everything).await.unwrap(), 6);
        // Once begun, nothing is open any more.
        let later_on = AgendaFilter { now: noon(d) + 3 * 3600, seats_left: true, ..Default::default() };
        assert!(agenda_titles(&store, lib, &later_on).await.is_empty());
    }
}

almanach_store::on_both_backends! {
    async fn a_course_has_seats_left_while_its_smallest_session_does(store: Store) {
        use almanach_store::testing::{party, registration};
        let lib = store.default_library().await.unwrap().id;
        let e = almanach_store::testing::published_event(&store, lib, "Robotique (trois samedis)").await;
        let mut sessions = Vec::new();
        for (day, cap) in [(2, 10), (9, 3), (16, 12), (23, 1)] {
            let w = SessionWrite { registration_required: true, capacity: Some(cap), ..session_write(e, date(2030, 3, day), 14, 16) };
            sessions.push(store.save_session(&actor(lib), None, &w).await.unwrap().unwrap());
        }
        // The last session (1 seat) is cancelled: it no longer holds the course's capacity.
        store.set_session_cancelled(&actor(lib), sessions[3], true).await.unwrap();
        store.set_course(&actor(lib), e, true).await.unwrap();
        session_on(&store, lib, "Seule", "", None, date(2030, 3, 2), |w| SessionWrite { registration_required: true, ..w }).await;
        let now = noon(date(2030, 3, 1));
        let open = AgendaFilter { now, seats_left: true, ..Default::default() };
        let course = "Robotique (trois samedis)";
        let titles = agenda_titles(&store, lib, &open).await;
        assert_eq!(titles.iter().filter(|t| *t == course).count(), 3, "every live session of the course: {titles:?}");
        for (who, target) in [("a", Target::Course(e)), ("b", Target::Session(sessions[2]))] {
            let r = registration(target, party(&format!("{who}@x.org"), 1), who);
            let done = store.register(&actor(lib), &r).await.unwrap();
            assert!(matches!(done, Registered::New(_)), "{done:?}");
            assert_eq!(agenda_titles(&store, lib, &open).await.iter().filter(|t| *t == course).count(), 3, "seats left");
        }
        let r = registration(Target::Session(sessions[0]), party("c@x.org", 1), "c");
        assert!(matches!(store.register(&actor(lib), &r).await.unwrap(), Registered::New(_)));
        assert_eq!(agenda_titles(&store, lib, &open).await, ["Seule"], "the 3-seat session is full: so is the course");
        assert_eq!(store.count_agenda(lib, &open).await.unwrap(), 1);
        // The course's window is its first live session's: once that has begun, nothing is open.
        store.set_session_cancelled(&actor(lib), sessions[1], true).await.unwrap();
        let titles = agenda_titles(&store, lib, &open).await;
        assert_eq!(titles.iter().filter(|t| *t == course).count(), 2, "10 and 12 seats, 3 taken: {titles:?}");
        let after_first = AgendaFilter { now: noon(date(2030, 3, 2)) + 3 * 3600, seats_left: true, ..Default::default() };
        assert!(agenda_titles(&store, lib, &after_first).await.is_empty());
    }
}

almanach_store::on_both_backends! {
    async fn agenda_pages_end_where_the_sessions_do(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        for day in 1..=5 {
            session_on(&store, lib, &format!("Séance {day}"), "", None, date(2030, 3, day), |w| w).await;
        }
        let now = noon(date(2030, 2, 1));
        let page = |offset: i64, limit: i64| AgendaFilter { now, offset, limit: Some(limit), ..Default::default() };
        assert_eq!(agenda_titles(&store, lib, &page(0, 5)).await.len(), 5, "the page size exactly reached");
        assert!(agenda_titles(&store, lib, &page(5, 5)).await.is_empty(), "nothing after a full last page");
        assert_eq!(agenda_titles(&store, lib, &page(0, 2)).await, ["Séance 1", "Séance 2"]);
        assert_eq!(agenda_titles(&store, lib, &page(2, 2)).await, ["Séance 3", "Séance 4"]);
        assert_eq!(agenda_titles(&store, lib, &page(4, 2)).await, ["Séance 5"], "the last page holds the rest");
        assert_eq!(store.count_agenda(lib, &page(4, 2)).await.unwrap(), 5, "the count ignores the page");
        // The API's pages are the same query.
        let api = almanach_store::api_queries::SessionPage { limit: 2, offset: 4, ..Default::default() };
        let sessions = store.session_page(lib, &api).await.unwrap();
        assert_eq!(sessions.iter().map(|s| s.event_title.as_str()).collect::<Vec<_>>(), ["Séance 5"]);
    }
}

almanach_store::on_both_backends! {
    async fn the_archive_pages_past_sessions_latest_first(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        for day in 1..=5 {
            session_on(&store, lib, &format!("Séance {day}"), "", None, date(2030, 3, day), |w| w).await;
        }
        // Between the third and the fourth day: three past, two to come.
        let now = noon(date(2030, 3, 3)) + 6 * 3600;
        let archive = |offset: i64, limit: i64| AgendaFilter { past: true, now, offset, limit: Some(limit), ..Default::default() };
        assert_eq!(agenda_titles(&store, lib, &archive(0, 2)).await, ["Séance 3", "Séance 2"]);
        assert_eq!(agenda_titles(&store, lib, &archive(2, 2)).await, ["Séance 1"]);
        assert!(agenda_titles(&store, lib, &archive(3, 2)).await.is_empty());
        assert_eq!(store.count_agenda(lib, &archive(0, 2)).await.unwrap(), 3);
        let coming = AgendaFilter { now, ..Default::default() };
        assert_eq!(agenda_titles(&store, lib, &coming).await, ["Séance 4", "Séance 5"]);
    }
}
