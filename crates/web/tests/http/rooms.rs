//! Rooms: role enforcement, validation next to the field, nothing half-saved.

use almanach_domain::staff::Role;
use axum::http::StatusCode;

use crate::http_test;

http_test!(
    async fn a_coordinator_creates_and_edits_a_room(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, "/staff/rooms/new").await;
        let r = app
            .post(
                &mut c,
                "/staff/rooms/new",
                &[
                    ("name", "Auditorium"),
                    ("capacity", "120"),
                    ("step_free", "on"),
                    ("equipment", "Vidéoprojecteur"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let rooms = app.store.list_rooms(app.library_id).await.unwrap();
        assert_eq!(
            (
                rooms[0].name.as_str(),
                rooms[0].capacity,
                rooms[0].step_free
            ),
            ("Auditorium", Some(120), true)
        );
        let r = app.get(&mut c, "/staff/rooms?done=created").await;
        assert!(r.body.contains("Auditorium") && r.body.contains("Création enregistrée"));
        let path = format!("/staff/rooms/{}", rooms[0].id);
        app.get(&mut c, &path).await;
        let r = app
            .post(
                &mut c,
                &path,
                &[("name", "Auditorium"), ("capacity", "100")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let room = app.store.room(app.library_id, rooms[0].id).await.unwrap();
        assert_eq!((room.capacity, room.step_free), (Some(100), false));
        let log = app
            .store
            .audit_log(app.library_id, Some(("room", room.id)), 10)
            .await
            .unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!(log[0].actor, "coordinator@mediatheque.test");
    }
);

http_test!(
    async fn room_errors_are_shown_next_to_their_field(app: TestApp) {
        let mut c = app.signed_in(Role::Admin).await;
        app.get(&mut c, "/staff/rooms/new").await;
        let r = app
            .post(
                &mut c,
                "/staff/rooms/new",
                &[("name", "  "), ("capacity", "zéro")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("id=\"e-name\">Ce champ est obligatoire."),
            "{}",
            r.body
        );
        assert!(
            r.body
                .contains("id=\"e-capacity\">La jauge doit être un nombre entier"),
            "{}",
            r.body
        );
        assert!(r.body.contains("value=\"zéro\""), "what was typed is kept");
        assert!(
            app.store
                .list_rooms(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
        // A taken name.
        app.post(&mut c, "/staff/rooms/new", &[("name", "Espace numérique")])
            .await;
        app.get(&mut c, "/staff/rooms/new").await;
        let r = app
            .post(&mut c, "/staff/rooms/new", &[("name", "Espace numérique")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Ce nom est déjà utilisé."));
    }
);

http_test!(
    async fn a_viewer_and_a_mediator_cannot_change_rooms(app: TestApp) {
        for role in [Role::Viewer, Role::Mediator] {
            let mut c = app.signed_in(role).await;
            let r = app.get(&mut c, "/staff/rooms").await;
            assert_eq!(r.status, StatusCode::OK, "everyone reads");
            assert!(
                !r.body.contains("/staff/rooms/new"),
                "no create button for {role:?}"
            );
            let r = app
                .post(&mut c, "/staff/rooms/new", &[("name", "Salle pirate")])
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{role:?}");
        }
        assert!(
            app.store
                .list_rooms(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
    }
);
