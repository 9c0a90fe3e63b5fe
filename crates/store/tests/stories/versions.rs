//! The programme version (migration 0016) and what is kept under it: every
//! change the public could see bumps it in its own transaction, a
//! registration does not, and the rules a registration is checked against
//! are never older than the last committed change of the same server;
//! another store's change on the same database shows within a second (on
//! SQLite, where one server writes and a command may write beside it, the
//! versions are trusted that long; on PostgreSQL, when its notification
//! arrives).

use almanach_domain::programme::EventStatus;
use almanach_store::testing::{
    dispose, fresh_url, max_seats, party, published, published_event, registered, registration,
    saved_session, session_at, workshop_write,
};
use almanach_store::*;

/// What another store's change takes to be seen: on SQLite the second its
/// versions are trusted; on PostgreSQL the moment its notification takes
/// to arrive (migration 0017), given up to a second here.
async fn other_process(backend: Backend) {
    let wait = match backend {
        Backend::Sqlite => 1100,
        Backend::Postgres => 1000,
    };
    tokio::time::sleep(std::time::Duration::from_millis(wait)).await;
}

async fn changes_and_rules(backend: Backend) {
    let url = fresh_url(backend).await.expect("url");
    let one = Store::open(&url).await.expect("first server");
    let two = Store::connect(&url).await.expect("second server");
    let lib = one.default_library().await.unwrap().id;
    let actor = Actor::system(lib, "test");
    let v = |s: Store| async move { s.programme_version(lib).await.unwrap() };

    let start = v(one.clone()).await;
    let e = published_event(&one, lib, "Atelier IA").await;
    let after_event = v(one.clone()).await;
    assert!(after_event > start, "a new event bumps the version");
    let s = saved_session(&one, lib, &workshop_write(e, Some(10), now() + 7 * 86_400)).await;
    let after_session = v(two.clone()).await;
    assert!(
        after_session > after_event,
        "a new session bumps it, as the other server reads"
    );

    // Both keep the rules; the first changes them.
    let target = Target::Session(s);
    let max = |s: Store| async move {
        s.registration_rules(lib, target)
            .await
            .unwrap()
            .settings
            .max_seats
    };
    assert_eq!(max(one.clone()).await, 1);
    assert_eq!(max(two.clone()).await, 1);
    if backend == Backend::Postgres {
        // The second server listens for the first's changes.
        for _ in 0..50 {
            if two.hears_changes() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(two.hears_changes(), "the second server listens");
    }
    max_seats(&one, lib, s, 4).await;
    assert_eq!(max(one.clone()).await, 4, "its own change is seen at once");
    other_process(backend).await;
    assert_eq!(
        max(two.clone()).await,
        4,
        "the other store's change is seen"
    );

    // A registration changes seats, not the programme.
    let before = v(one.clone()).await;
    registered(
        &one,
        &actor,
        &registration(target, party("anne@example.org", 2), "a"),
    )
    .await;
    assert_eq!(
        v(one.clone()).await,
        before,
        "a registration leaves the version alone"
    );

    // Unpublished: the rules say so at once, on either server.
    let mut draft = published("Atelier IA");
    draft.id = e;
    draft.status = EventStatus::Draft;
    two.save_event(&actor, &draft).await.unwrap();
    other_process(backend).await;
    assert!(!one.registration_rules(lib, target).await.unwrap().published);
    assert!(v(one.clone()).await > before);

    // Rooms, series, themes, speakers and the library itself bump it too.
    let mut last = v(one.clone()).await;
    let room = Room {
        id: 0,
        name: "Salle d'animation".into(),
        capacity: Some(30),
        equipment: String::new(),
        step_free: true,
    };
    one.save_room(&actor, &room).await.unwrap();
    let now_ = v(one.clone()).await;
    assert!(now_ > last, "a room");
    last = now_;
    let mut library = one.default_library().await.unwrap();
    library.name = "Médiathèque de l'Apostrophe".into();
    one.update_library(&actor, &library).await.unwrap();
    assert!(v(one.clone()).await > last, "the library");

    two.close().await;
    dispose(one).await;
}

almanach_store::on_each_backend!(
    each_change_bumps_the_version_and_rules_follow_it,
    super::changes_and_rules
);

almanach_store::on_both_backends! {
    async fn the_next_change_by_the_clock_is_the_first_of_each_kind(store: Store) {
        use almanach_domain::registration::RegistrationSettings;
        let lib = store.default_library().await.unwrap().id;
        let actor = Actor::system(lib, "test");
        let t = now();
        const H: i64 = 3600;
        assert_eq!(store.next_public_change(lib, t).await.unwrap(), None, "nothing ahead");
        let event = published_event(&store, lib, "Atelier").await;
        // Over long ago, and over a minute ago: nothing of theirs changes again.
        saved_session(&store, lib, &session_at(event, t - 400 * 24 * H, t - 400 * 24 * H + H)).await;
        saved_session(&store, lib, &session_at(event, t - 2 * H, t - 60)).await;
        assert_eq!(store.next_public_change(lib, t).await.unwrap(), None, "only the past");
        // Starts in five hours.
        let later = saved_session(&store, lib, &session_at(event, t + 5 * H, t + 6 * H)).await;
        assert_eq!(store.next_public_change(lib, t).await.unwrap(), Some(t + 5 * H));
        // Under way, ends in three hours.
        saved_session(&store, lib, &session_at(event, t - H, t + 3 * H)).await;
        assert_eq!(store.next_public_change(lib, t).await.unwrap(), Some(t + 3 * H));
        // Its registrations open in two hours and close in one hour past that.
        let window = RegistrationSettings {
            opens_at: Some(t + 2 * H),
            closes_at: Some(t + 4 * H),
            max_seats: 4,
        };
        store.set_registration_settings(&actor, later, &window).await.unwrap();
        assert_eq!(store.next_public_change(lib, t).await.unwrap(), Some(t + 2 * H));
        // Once they have opened, the session under way ends first.
        assert_eq!(store.next_public_change(lib, t + 2 * H).await.unwrap(), Some(t + 3 * H));
        // Then the window closes, then the session starts.
        assert_eq!(store.next_public_change(lib, t + 3 * H).await.unwrap(), Some(t + 4 * H));
        assert_eq!(store.next_public_change(lib, t + 4 * H).await.unwrap(), Some(t + 5 * H));
        assert_eq!(store.next_public_change(lib, t + 6 * H).await.unwrap(), None);
    }
}
