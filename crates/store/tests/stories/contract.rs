//! The storage contract: the same stories run on SQLite and PostgreSQL.

use almanach_domain::Lang;
use almanach_domain::ids::{EventId, LibraryId};
use almanach_domain::staff::Role;
use almanach_store::testing::{published_event, session_at};
use almanach_store::*;

fn actor(lib: LibraryId) -> Actor {
    Actor::system(lib, "test")
}

fn write(event_id: EventId, room_id: Option<i64>, start: i64, end: i64) -> SessionWrite {
    SessionWrite {
        local_date: "2025-01-18".into(),
        room_id,
        capacity: Some(12),
        age_min: Some(8),
        age_max: Some(12),
        registration_required: true,
        ..session_at(event_id, start, end)
    }
}

async fn event(store: &Store, lib: LibraryId, title: &str) -> EventId {
    published_event(store, lib, title).await
}

async fn room(store: &Store, lib: LibraryId, name: &str) -> i64 {
    store
        .save_room(
            &actor(lib),
            &Room {
                name: name.into(),
                capacity: Some(80),
                ..Default::default()
            },
        )
        .await
        .unwrap()
}

const H: i64 = 3600;
const T0: i64 = 1_737_205_200; // 2025-01-18 13:00 UTC, 14 h in Paris

on_both_backends!(
    async fn library_is_created_once_and_updated(store: Store) {
        let a = store.default_library().await.unwrap();
        let b = store.default_library().await.unwrap();
        assert_eq!(a.id, b.id);
        assert_eq!(a.timezone, "Europe/Paris");
        let mut changed = a.clone();
        changed.name = "Médiathèque l'Apostrophe".into();
        changed.opening_hours = "mardi 10:00-18:00".into();
        store.update_library(&actor(a.id), &changed).await.unwrap();
        assert_eq!(store.library(a.id).await.unwrap(), changed);
        let log = store
            .audit_log(a.id, Some(("library", a.id.into())), 10)
            .await
            .unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].before.as_ref().unwrap()["name"], "Ma médiathèque");
        assert_eq!(
            log[0].after.as_ref().unwrap()["name"],
            "Médiathèque l'Apostrophe"
        );
    }
);

on_both_backends!(
    async fn rooms_have_unique_names_and_an_audit_trail(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let id = room(&store, lib, "Auditorium").await;
        let dup = store
            .save_room(
                &actor(lib),
                &Room {
                    name: "Auditorium".into(),
                    ..Default::default()
                },
            )
            .await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
        let mut r = store.room(lib, id).await.unwrap();
        r.capacity = Some(120);
        r.step_free = true;
        store.save_room(&actor(lib), &r).await.unwrap();
        assert_eq!(store.room(lib, id).await.unwrap().capacity, Some(120));
        let log = store.audit_log(lib, Some(("room", id)), 10).await.unwrap();
        assert_eq!(
            log.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(),
            ["update", "create"]
        );
        assert_eq!(store.list_rooms(lib).await.unwrap().len(), 1);
    }
);

on_both_backends!(
    async fn a_room_cannot_hold_two_overlapping_sessions(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let auditorium = room(&store, lib, "Auditorium").await;
        let talk = event(&store, lib, "Créez votre IA !").await;
        let other = event(&store, lib, "Info/infos").await;
        let first = store
            .save_session(
                &actor(lib),
                None,
                &write(talk, Some(auditorium), T0, T0 + 2 * H),
            )
            .await
            .unwrap()
            .unwrap();
        // Overlapping: refused, naming the other session.
        let clash = store
            .save_session(
                &actor(lib),
                None,
                &write(other, Some(auditorium), T0 + H, T0 + 3 * H),
            )
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(clash.session_id, first);
        assert_eq!(clash.event_title, "Créez votre IA !");
        // Touching (16 h after a session ending at 16 h) is fine.
        store
            .save_session(
                &actor(lib),
                None,
                &write(other, Some(auditorium), T0 + 2 * H, T0 + 3 * H),
            )
            .await
            .unwrap()
            .unwrap();
        // Editing a session does not clash with itself.
        store
            .save_session(
                &actor(lib),
                Some(first),
                &write(talk, Some(auditorium), T0, T0 + 2 * H),
            )
            .await
            .unwrap()
            .unwrap();
        // A cancelled session frees its room.
        store
            .set_session_cancelled(&actor(lib), first, true)
            .await
            .unwrap();
        store
            .save_session(
                &actor(lib),
                None,
                &write(other, Some(auditorium), T0, T0 + H),
            )
            .await
            .unwrap()
            .unwrap();
    }
);

on_both_backends!(
    async fn concurrent_bookings_of_one_room_let_exactly_one_through(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let r = room(&store, lib, "Espace numérique").await;
        let e = event(&store, lib, "Points de l'IA").await;
        let mut tasks = Vec::new();
        for i in 0..24 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let w = write(e, Some(r), T0 + i * 60, T0 + H + i * 60);
                store
                    .save_session(&Actor::system(lib, "t"), None, &w)
                    .await
                    .unwrap()
                    .is_ok()
            }));
        }
        let mut ok = 0;
        for t in tasks {
            ok += i32::from(t.await.unwrap());
        }
        assert_eq!(ok, 1, "exactly one overlapping booking may succeed");
        assert_eq!(
            store
                .list_sessions(lib, &SessionFilter::default())
                .await
                .unwrap()
                .len(),
            1
        );
    }
);

on_both_backends!(
    async fn a_failed_write_leaves_nothing_behind(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let e = event(&store, lib, "Atelier").await;
        let mut w = write(e, None, T0, T0 + H);
        w.theme_ids = vec![999_999];
        let r = store.save_session(&actor(lib), None, &w).await;
        assert!(matches!(r, Err(StoreError::Conflict(_))), "{r:?}");
        assert!(
            store
                .list_sessions(
                    lib,
                    &SessionFilter {
                        include_cancelled: true,
                        ..Default::default()
                    }
                )
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .audit_log(lib, Some(("session", 1)), 10)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

on_both_backends!(
    async fn sessions_are_filtered_and_themes_know_their_history(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let a = actor(lib);
        let series_id = store
            .save_series(
                &a,
                &Series {
                    name: "Points de l'IA".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let theme_id = store
            .save_theme(
                &a,
                &Theme {
                    title: "Générer des images".into(),
                    categories: vec!["image".into()],
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let mut ev = Event {
            series_id: Some(series_id),
            ..almanach_store::testing::published("Point IA")
        };
        let e1 = store.save_event(&a, &ev).await.unwrap();
        ev.series_id = None;
        let e2 = store.save_event(&a, &ev).await.unwrap();
        let mut w = write(e1, None, T0, T0 + H);
        w.theme_ids = vec![theme_id];
        store.save_session(&a, None, &w).await.unwrap().unwrap();
        let mut later = write(e1, None, T0 + 7 * 24 * H, T0 + 7 * 24 * H + H);
        later.theme_ids = vec![theme_id];
        later.age_min = Some(14);
        later.age_max = None;
        let replay = store.save_session(&a, None, &later).await.unwrap().unwrap();
        store
            .save_session(&a, None, &write(e2, None, T0 + 2 * H, T0 + 3 * H))
            .await
            .unwrap()
            .unwrap();

        let by_series = store
            .list_sessions(
                lib,
                &SessionFilter {
                    series_id: Some(series_id),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(by_series.len(), 2);
        assert_eq!(by_series[0].series_name.as_deref(), Some("Points de l'IA"));
        let by_theme = store
            .list_sessions(
                lib,
                &SessionFilter {
                    theme_id: Some(theme_id),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            by_theme
                .iter()
                .map(|s| s.theme_ids.clone())
                .collect::<Vec<_>>(),
            vec![vec![theme_id]; 2]
        );
        let for_a_9_year_old = store
            .list_sessions(
                lib,
                &SessionFilter {
                    age: Some(9),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            for_a_9_year_old.len(),
            2,
            "the 14+ session is not for a child of 9"
        );
        let window = store
            .list_sessions(
                lib,
                &SessionFilter {
                    from: Some(T0 + H),
                    to: Some(T0 + 3 * H),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(window.len(), 1);
        assert_eq!(
            store.earlier_sessions_on_theme(theme_id, T0).await.unwrap(),
            0
        );
        let replay_session = store.session(lib, replay).await.unwrap();
        assert_eq!(
            store
                .earlier_sessions_on_theme(theme_id, replay_session.starts_at)
                .await
                .unwrap(),
            1
        );
        let themes = store.list_themes(lib).await.unwrap();
        assert_eq!(themes[0].sessions, 2);
    }
);

on_both_backends!(
    async fn staff_sign_in_sessions_and_api_tokens(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let a = actor(lib);
        let id = store
            .create_staff(&a, "Claire@Example.org", "Claire", Role::Mediator, "hash")
            .await
            .unwrap();
        let dup = store
            .create_staff(&a, "claire@example.org", "Autre", Role::Viewer, "hash")
            .await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))));
        let claire = store
            .staff_by_email("CLAIRE@example.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(claire.id, id);
        assert!(
            !format!("{claire:?}").contains("hash\""),
            "the hash never shows in Debug"
        );

        store
            .create_auth_session(id, "sess-hash", "csrf", 3600)
            .await
            .unwrap();
        assert_eq!(
            store
                .auth_session("sess-hash")
                .await
                .unwrap()
                .unwrap()
                .staff
                .id,
            id
        );
        store
            .update_staff(&a, id, "Claire", Role::Mediator, false, None)
            .await
            .unwrap();
        assert!(
            store.auth_session("sess-hash").await.unwrap().is_none(),
            "deactivated staff are signed out"
        );
        store
            .update_staff(&a, id, "Claire", Role::Mediator, true, None)
            .await
            .unwrap();

        let me = Actor {
            library_id: lib,
            staff_id: Some(id),
            label: "Claire".into(),
        };
        let tid = store
            .create_api_token(&me, "site de la ville", Role::Mediator, "tok-hash")
            .await
            .unwrap();
        let (who, role, _) = store.api_token_identity("tok-hash").await.unwrap().unwrap();
        assert_eq!((who.id, role), (id, Role::Mediator));
        // The creator is demoted: the token follows.
        store
            .update_staff(&a, id, "Claire", Role::Viewer, true, None)
            .await
            .unwrap();
        assert_eq!(
            store
                .api_token_identity("tok-hash")
                .await
                .unwrap()
                .unwrap()
                .1,
            Role::Viewer
        );
        store.revoke_api_token(&me, tid).await.unwrap();
        assert!(
            store
                .api_token_identity("tok-hash")
                .await
                .unwrap()
                .is_none()
        );
    }
);

on_both_backends!(
    async fn sign_in_attempts_are_counted_before_the_check_and_forgotten_after_a_pause(
        store: Store,
    ) {
        let t = 1_800_000_000;
        let attempt = |keys: Vec<(&'static str, i64)>, at: i64| {
            let store = store.clone();
            async move { store.take_login_attempt(&keys, 900, at).await.unwrap() }
        };
        for _ in 0..3 {
            assert_eq!(attempt(vec![("email:a", 3)], t).await, Ok(()));
        }
        assert_eq!(
            attempt(vec![("email:a", 3)], t + 10).await,
            Err(("email:a".to_string(), 890)),
            "locked, and for how long"
        );
        assert_eq!(
            store.login_failures("email:a").await.unwrap(),
            (3, t),
            "not counted"
        );
        assert_eq!(
            attempt(vec![("email:a", 3)], t + 600).await,
            Err(("email:a".to_string(), 300))
        );
        // Quiet for the pause: counting starts again.
        assert_eq!(attempt(vec![("email:a", 3)], t + 900).await, Ok(()));
        assert_eq!(store.login_failures("email:a").await.unwrap(), (1, t + 900));
        // When one key is locked, the others are not counted either.
        for _ in 0..2 {
            attempt(vec![("email:a", 3)], t + 901).await.unwrap();
        }
        assert!(
            attempt(vec![("ip:1.2.3.4", 20), ("email:a", 3)], t + 902)
                .await
                .is_err()
        );
        assert_eq!(store.login_failures("ip:1.2.3.4").await.unwrap().0, 0);
        // A right password: the account is forgotten, the address's
        // attempt given back.
        attempt(vec![("ip:1.2.3.4", 20), ("email:b", 3)], t + 903)
            .await
            .unwrap();
        attempt(vec![("ip:1.2.3.4", 20), ("email:b", 3)], t + 903)
            .await
            .unwrap();
        store
            .login_succeeded("email:b", "ip:1.2.3.4")
            .await
            .unwrap();
        assert_eq!(store.login_failures("email:b").await.unwrap().0, 0);
        assert_eq!(store.login_failures("ip:1.2.3.4").await.unwrap().0, 1);
        // The command line lifts a lock.
        let lib = store.default_library().await.unwrap().id;
        let a = Actor::system(lib, "test");
        let id = store
            .create_staff(&a, "a@example.org", "A", Role::Viewer, "hash-1")
            .await
            .unwrap();
        let key = login_account_key("A@example.org ");
        assert_eq!(key, "email:a@example.org");
        for _ in 0..3 {
            store
                .take_login_attempt(&[(key.as_str(), 3)], 900, now())
                .await
                .unwrap()
                .unwrap();
        }
        assert!(store.unlock_account("cli", "a@example.org").await.unwrap());
        assert!(!store.unlock_account("cli", "a@example.org").await.unwrap());
        assert_eq!(store.login_failures(&key).await.unwrap().0, 0);
        let audit = store.audit_log(lib, Some(("staff", id)), 10).await.unwrap();
        assert_eq!(audit[0].action, "unlock");
    }
);

on_both_backends!(
    async fn a_password_reset_is_queued_for_accounts_only_and_works_once(store: Store) {
        let lib = store.default_library().await.unwrap().id;
        let a = Actor::system(lib, "test");
        let id = store
            .create_staff(
                &a,
                "claire@example.org",
                "Claire",
                Role::Coordinator,
                "hash-1",
            )
            .await
            .unwrap();
        let expires = now() + 3600;
        assert!(
            !store
                .request_password_reset("nobody@example.org", Lang::Fr, expires)
                .await
                .unwrap()
        );
        assert!(
            store
                .outbox(lib, &OutboxFilter::default())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .request_password_reset(" Claire@Example.org", Lang::En, expires)
                .await
                .unwrap()
        );
        let queued = store.outbox(lib, &OutboxFilter::default()).await.unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(
            (queued[0].kind, queued[0].recipient.as_str(), queued[0].lang),
            (MailKind::PasswordReset, "claire@example.org", Lang::En)
        );
        assert_eq!(queued[0].payload["staff_id"], id);
        assert_eq!(queued[0].payload["expires_at"], expires);
        // Signed in somewhere, and locked out elsewhere.
        store
            .create_auth_session(id, "sess", "csrf", 3600)
            .await
            .unwrap();
        let key = login_account_key("claire@example.org");
        for _ in 0..5 {
            store
                .take_login_attempt(&[(key.as_str(), 5)], 900, now())
                .await
                .unwrap()
                .unwrap();
        }
        assert!(
            !store
                .reset_password(id, "not-the-hash", "hash-2")
                .await
                .unwrap()
        );
        assert!(store.reset_password(id, "hash-1", "hash-2").await.unwrap());
        assert_eq!(
            store.staff_member(id).await.unwrap().unwrap().password_hash,
            "hash-2"
        );
        assert!(
            store.auth_session("sess").await.unwrap().is_none(),
            "signed out"
        );
        assert_eq!(store.login_failures(&key).await.unwrap().0, 0, "unlocked");
        assert!(
            !store.reset_password(id, "hash-1", "hash-3").await.unwrap(),
            "the same link again"
        );
        // An inactive account gets no message.
        store
            .update_staff(&a, id, "Claire", Role::Coordinator, false, None)
            .await
            .unwrap();
        assert!(
            !store
                .request_password_reset("claire@example.org", Lang::Fr, expires)
                .await
                .unwrap()
        );
    }
);

on_both_backends!(
    async fn migrations_are_idempotent_and_a_newer_schema_is_refused(store: Store) {
        assert_eq!(store.schema_version().await.unwrap(), LATEST_SCHEMA);
        assert!(store.migrate().await.unwrap().is_empty());
        sqlx::query("insert into schema_migrations (version, applied_at, by_version) values (999, 0, 'future')")
            .execute(store.pool())
            .await
            .unwrap();
        let err = store.migrate().await.unwrap_err().to_string();
        assert!(err.contains("newer version of Almanach"), "{err}");
    }
);

#[test]
fn database_urls_are_parsed_or_refused() {
    assert_eq!(
        DatabaseUrl::parse("sqlite://data/a.sqlite3").unwrap(),
        DatabaseUrl::Sqlite("data/a.sqlite3".into())
    );
    assert_eq!(
        DatabaseUrl::parse("sqlite:///var/lib/a.db").unwrap(),
        DatabaseUrl::Sqlite("/var/lib/a.db".into())
    );
    assert!(matches!(
        DatabaseUrl::parse("postgres://u:p@h/db").unwrap(),
        DatabaseUrl::Postgres(_)
    ));
    let e = DatabaseUrl::parse("mysql://h/db").unwrap_err().to_string();
    assert!(e.contains("unknown database URL scheme"), "{e}");
    assert!(DatabaseUrl::parse("sqlite://").is_err());
    assert_eq!(
        DatabaseUrl::parse("postgres://u:secret@h/db")
            .unwrap()
            .redacted(),
        "postgres://u:***@h/db"
    );
}

#[tokio::test]
async fn a_sqlite_backup_is_a_consistent_copy() {
    let store = testing::fresh_store(Backend::Sqlite).await.unwrap();
    let lib = store.default_library().await.unwrap().id;
    room(&store, lib, "Auditorium").await;
    let to = std::env::temp_dir().join(format!("almanach-backup-{}.sqlite3", std::process::id()));
    let _ = std::fs::remove_file(&to);
    store.backup_to(&to).await.unwrap();
    let copy = Store::open(&format!("sqlite://{}", to.display()))
        .await
        .unwrap();
    assert_eq!(copy.list_rooms(lib).await.unwrap()[0].name, "Auditorium");
    assert!(store.backup_to(&to).await.is_err(), "never overwrites");
    let _ = std::fs::remove_file(&to);
}

on_both_backends!(
    async fn an_applied_migration_edited_afterwards_is_refused(store: Store) {
        let missing = || async {
            let n: i64 =
                sqlx::query_scalar("select count(*) from schema_migrations where checksum is null")
                    .fetch_one(store.pool())
                    .await
                    .unwrap();
            n
        };
        // A fresh database has every checksum, and the one of 0001 is the
        // SHA-256 of the text this binary carries (not some constant).
        assert_eq!(missing().await, 0);
        let first: String =
            sqlx::query_scalar("select checksum from schema_migrations where version = 1")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_eq!(first.len(), 64);
        let second: String =
            sqlx::query_scalar("select checksum from schema_migrations where version = 2")
                .fetch_one(store.pool())
                .await
                .unwrap();
        assert_ne!(first, second);

        // A database migrated before checksums existed gets them on start.
        sqlx::query("update schema_migrations set checksum = null")
            .execute(store.pool())
            .await
            .unwrap();
        assert!(store.migrate().await.unwrap().is_empty());
        assert_eq!(missing().await, 0);

        // Migration 0002 "edited" after it ran: start is refused, in both languages.
        sqlx::query("update schema_migrations set checksum = $1 where version = 2")
            .bind(migration_checksum("create table edited (id bigint);"))
            .execute(store.pool())
            .await
            .unwrap();
        let err = store.migrate().await.unwrap_err().to_string();
        assert!(
            err.contains("migration 0002 was changed after it was applied"),
            "{err}"
        );
        assert!(err.contains("a été modifiée"), "{err}");
        // Put back, the database is usable again.
        sqlx::query("update schema_migrations set checksum = $1 where version = 2")
            .bind(second)
            .execute(store.pool())
            .await
            .unwrap();
        assert!(store.migrate().await.unwrap().is_empty());
    }
);

/// A column's type as both backends are meant to agree on it.
fn type_class(t: &str) -> &'static str {
    let t = t.to_ascii_lowercase();
    if t.contains("int") {
        "integer"
    } else if t.contains("char") || t == "text" {
        "text"
    } else if t.contains("real") || t.contains("double") || t.contains("float") || t == "numeric" {
        "real"
    } else if t == "blob" || t == "bytea" {
        "blob"
    } else if t == "boolean" || t == "bool" {
        "boolean"
    } else {
        "other"
    }
}

type Schema = std::collections::BTreeMap<String, (Vec<(String, &'static str)>, Vec<String>)>;

async fn sqlite_schema(store: &Store) -> Schema {
    let tables: Vec<String> = sqlx::query_scalar(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut schema = Schema::new();
    for t in tables {
        let cols: Vec<(String, String)> =
            sqlx::query_as("select name, type from pragma_table_info($1) order by name")
                .bind(&t)
                .fetch_all(store.pool())
                .await
                .unwrap();
        let idx: Vec<String> = sqlx::query_scalar(
            "select name from sqlite_master where type = 'index' and tbl_name = $1 \
             and name not like 'sqlite_autoindex%' order by name",
        )
        .bind(&t)
        .fetch_all(store.pool())
        .await
        .unwrap();
        let cols = cols
            .into_iter()
            .map(|(n, ty)| (n, type_class(&ty)))
            .collect();
        schema.insert(t, (cols, idx));
    }
    schema
}

async fn postgres_schema(store: &Store) -> Schema {
    let tables: Vec<String> = sqlx::query_scalar(
        "select table_name::text from information_schema.tables where table_schema = current_schema() \
         and table_type = 'BASE TABLE' order by 1",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut schema = Schema::new();
    for t in tables {
        let cols: Vec<(String, String)> = sqlx::query_as(
            "select column_name::text, data_type::text from information_schema.columns \
             where table_schema = current_schema() and table_name = $1 order by 1",
        )
        .bind(&t)
        .fetch_all(store.pool())
        .await
        .unwrap();
        // Indexes created by a statement of their own; those PostgreSQL makes
        // for primary keys and unique constraints are SQLite's autoindexes.
        let idx: Vec<String> = sqlx::query_scalar(
            "select indexname::text from pg_indexes i where schemaname = current_schema() and tablename = $1 \
             and not exists (select 1 from pg_constraint c where c.conname = i.indexname) order by 1",
        )
        .bind(&t)
        .fetch_all(store.pool())
        .await
        .unwrap();
        let cols = cols
            .into_iter()
            .map(|(n, ty)| (n, type_class(&ty)))
            .collect();
        schema.insert(t, (cols, idx));
    }
    schema
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(almanach_postgres_tests),
    ignore = "PostgreSQL: set ALMANACH_TEST_POSTGRES"
)]
async fn sqlite_and_postgres_schemas_are_the_same() {
    let lite = testing::fresh_store(Backend::Sqlite).await.expect("sqlite");
    let pg = testing::fresh_store(Backend::Postgres)
        .await
        .expect("postgres");
    let (a, b) = (sqlite_schema(&lite).await, postgres_schema(&pg).await);
    assert!(a.len() > 20, "{a:?}");
    let mut differences = Vec::new();
    for t in a
        .keys()
        .chain(b.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        match (a.get(t), b.get(t)) {
            (Some(x), Some(y)) => {
                if x.0 != y.0 {
                    differences.push(format!(
                        "{t} columns: sqlite {:?} / postgres {:?}",
                        x.0, y.0
                    ));
                }
                if x.1 != y.1 {
                    differences.push(format!(
                        "{t} indexes: sqlite {:?} / postgres {:?}",
                        x.1, y.1
                    ));
                }
            }
            (x, y) => differences.push(format!(
                "{t}: sqlite {} / postgres {}",
                x.is_some(),
                y.is_some()
            )),
        }
    }
    // Differences that exist on purpose, with why.
    let known: &[&str] = &[];
    differences.retain(|d| !known.iter().any(|k| d.starts_with(k)));
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    testing::dispose(lite).await;
    testing::dispose(pg).await;
}
