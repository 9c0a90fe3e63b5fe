//! Signing in, CSRF, throttling, roles.

use almanach_domain::staff::Role;
use axum::http::StatusCode;

use crate::http_test;

http_test!(
    async fn staff_pages_need_sign_in(app: TestApp) {
        let mut c = Client::default();
        let r = app.get(&mut c, "/staff/rooms").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/staff/sign-in?next=/staff/rooms");
    }
);

http_test!(
    async fn sign_in_with_the_right_password_only(app: TestApp) {
        app.add_staff("claire@mediatheque.test", Role::Mediator)
            .await;
        let mut c = Client::default();
        app.get(&mut c, "/staff/sign-in").await;
        let r = app
            .post(
                &mut c,
                "/staff/sign-in",
                &[
                    ("email", "claire@mediatheque.test"),
                    ("password", "wrong password"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(
            r.body.contains("Adresse e-mail ou mot de passe incorrect"),
            "{}",
            r.body
        );
        let mut c = app.sign_in("Claire@Mediatheque.test", PASSWORD).await;
        let cookie = c
            .cookies
            .iter()
            .find(|(k, _)| k == "almanach_session")
            .expect("session cookie");
        assert_eq!(cookie.1.len(), 64);
        let r = app.get(&mut c, "/staff").await;
        assert!(r.body.contains("claire"), "the page names who is signed in");
        // Signing out ends the session server-side.
        let old = c.clone();
        app.post(&mut c, "/staff/sign-out", &[]).await;
        let r = app.get(&mut old.clone(), "/staff").await;
        assert_eq!(
            r.status,
            StatusCode::SEE_OTHER,
            "the old cookie no longer works"
        );
    }
);

http_test!(
    async fn session_cookie_has_safe_flags(app: TestApp) {
        app.add_staff("a@mediatheque.test", Role::Admin).await;
        let mut c = Client::default();
        app.get(&mut c, "/staff/sign-in").await;
        let r = app
            .post(
                &mut c,
                "/staff/sign-in",
                &[("email", "a@mediatheque.test"), ("password", PASSWORD)],
            )
            .await;
        let set = r
            .headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect::<Vec<_>>();
        let session = set
            .iter()
            .find(|v| v.starts_with("almanach_session="))
            .unwrap();
        assert!(
            session.contains("HttpOnly") && session.contains("SameSite=Lax"),
            "{session}"
        );
    }
);

http_test!(
    async fn a_form_without_its_csrf_token_is_refused(app: TestApp) {
        let mut c = app.signed_in(Role::Admin).await;
        let r = app
            .post(
                &mut c,
                "/staff/rooms/new",
                &[("name", "Auditorium"), ("csrf", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app
            .post(
                &mut c,
                "/staff/rooms/new",
                &[("name", "Auditorium"), ("csrf", &"0".repeat(64))],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(
            app.store
                .list_rooms(app.library_id)
                .await
                .unwrap()
                .is_empty(),
            "nothing saved"
        );
        // The sign-in form too needs its token.
        let mut anon = Client::default();
        let r = app
            .post(
                &mut anon,
                "/staff/sign-in",
                &[("email", "x@y.z"), ("password", "p"), ("csrf", "forged")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
);

http_test!(
    async fn repeated_failures_pause_sign_in(app: TestApp) {
        app.add_staff("b@mediatheque.test", Role::Viewer).await;
        let mut c = Client::default();
        app.get(&mut c, "/staff/sign-in").await;
        for _ in 0..5 {
            let r = app
                .post(
                    &mut c,
                    "/staff/sign-in",
                    &[("email", "b@mediatheque.test"), ("password", "nope")],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        // Even the right password is refused while paused.
        let r = app
            .post(
                &mut c,
                "/staff/sign-in",
                &[("email", "b@mediatheque.test"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.body.contains("Trop de tentatives"), "{}", r.body);
    }
);

http_test!(
    async fn sign_in_never_redirects_elsewhere(app: TestApp) {
        app.add_staff("c@mediatheque.test", Role::Viewer).await;
        let mut c = Client::default();
        app.get(&mut c, "/staff/sign-in").await;
        let r = app
            .post(
                &mut c,
                "/staff/sign-in",
                &[
                    ("email", "c@mediatheque.test"),
                    ("password", PASSWORD),
                    ("next", "https://evil.example/"),
                ],
            )
            .await;
        assert_eq!(r.location(), "/staff");
    }
);

http_test!(
    async fn the_interface_speaks_english_on_request(app: TestApp) {
        let mut c = app.signed_in(Role::Viewer).await;
        let r = app.get(&mut c, "/lang/en?next=/staff/rooms").await;
        assert_eq!(r.location(), "/staff/rooms");
        let r = app.get(&mut c, "/staff/rooms").await;
        assert!(
            r.body.contains("<html lang=\"en\">") && r.body.contains("Rooms"),
            "{}",
            r.body
        );
    }
);
