//! Sign-in limits through the real router, from real peer addresses
//! (`ConnectInfo`, as `almanach serve` gives them): per client address and
//! per account, counted before any password is checked; forwarded addresses
//! believed only from configured proxies; the library's own network and a
//! password reset by e-mail let a locked-out owner back in.

use std::net::SocketAddr;

use almanach_domain::link::LinkKey;
use almanach_domain::staff::Role;
use almanach_store::{MailKind, OutboxFilter, now};
use almanach_web::{AppState, WebConfig, parse_networks, router};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::app::{PASSWORD, TestApp};
use crate::http_test;

/// Any value does as the double-submit token, as long as cookie and field agree.
const CSRF: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// The application with other settings, and its state (which counts
/// password checks).
fn with(app: &TestApp, change: impl FnOnce(&mut WebConfig)) -> (Router, AppState) {
    let mut config = WebConfig {
        secure_cookies: false,
        link_key: LinkKey::from_bytes([9; 32]),
        ..WebConfig::default()
    };
    change(&mut config);
    let state = AppState::new(app.store.clone(), config);
    (router(state.clone()), state)
}

struct Answer {
    status: StatusCode,
    location: String,
    body: String,
}

/// A form posted from the TCP peer `from`, with an `X-Forwarded-For` of
/// its choosing.
async fn post_from(
    router: &Router,
    from: &str,
    forwarded: Option<&str>,
    path: &str,
    fields: &[(&str, &str)],
) -> Answer {
    let mut fields = fields.to_vec();
    fields.push(("csrf", CSRF));
    let mut req = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, format!("almanach_csrf={CSRF}"));
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    let mut req = req
        .body(Body::from(serde_html_form::to_string(&fields).unwrap()))
        .unwrap();
    let peer: SocketAddr = format!("{from}:43210").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(peer));
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body =
        String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    Answer {
        status,
        location,
        body,
    }
}

async fn sign_in(router: &Router, from: &str, email: &str, password: &str) -> Answer {
    post_from(
        router,
        from,
        None,
        "/staff/sign-in",
        &[("email", email), ("password", password)],
    )
    .await
}

async fn get(router: &Router, path: &str) -> Answer {
    let mut req = Request::get(path).body(Body::empty()).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo::<SocketAddr>("192.0.2.1:1".parse().unwrap()));
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let body =
        String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    Answer {
        status,
        location: String::new(),
        body,
    }
}

/// Five wrong guesses at Claire's password from outside: her account is locked.
async fn lock(router: &Router) {
    for _ in 0..5 {
        sign_in(router, "203.0.113.66", CLAIRE, "devinette").await;
    }
    let r = sign_in(router, "198.51.100.20", CLAIRE, PASSWORD).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "locked");
}

const CLAIRE: &str = "claire@mediatheque.test";
const BRUNO: &str = "bruno@mediatheque.test";

http_test!(
    async fn one_client_cannot_lock_the_whole_team_out(app: TestApp) {
        app.add_staff(CLAIRE, Role::Coordinator).await;
        app.add_staff(BRUNO, Role::Mediator).await;
        let (router, _) = with(&app, |_| {});
        // Someone outside guesses Claire's password, without any
        // X-Forwarded-For (as a client reaching the server directly).
        for _ in 0..5 {
            let r = sign_in(&router, "203.0.113.66", CLAIRE, "devinette").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        // Bruno, from his own address, signs in as usual.
        let r = sign_in(&router, "198.51.100.21", BRUNO, PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Claire's account is locked, from anywhere outside the library, and
        // she is told how to get back in.
        let r = sign_in(&router, "198.51.100.20", CLAIRE, PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            r.body
                .contains("Trop de tentatives de connexion pour ce compte")
                && r.body.contains("Mot de passe oublié"),
            "{}",
            r.body
        );
    }
);

http_test!(
    async fn a_new_forwarded_header_each_time_does_not_dodge_the_limit(app: TestApp) {
        app.add_staff(BRUNO, Role::Mediator).await;
        let (router, _) = with(&app, |_| {});
        // Twenty failures on as many made-up accounts, each claiming another
        // address: the peer's address is what counts.
        for i in 0..20 {
            let r = post_from(
                &router,
                "203.0.113.7",
                Some(&format!("198.51.100.{i}")),
                "/staff/sign-in",
                &[("email", &format!("n{i}@example.org")), ("password", "x")],
            )
            .await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        let r = post_from(
            &router,
            "203.0.113.7",
            Some("198.51.100.99"),
            "/staff/sign-in",
            &[("email", BRUNO), ("password", PASSWORD)],
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "the address is paused"
        );
        assert!(
            r.body.contains("Trop de tentatives de connexion."),
            "{}",
            r.body
        );
        // Another address is not.
        let r = sign_in(&router, "203.0.113.8", BRUNO, PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
);

http_test!(
    async fn forwarded_addresses_are_believed_from_configured_proxies_only(app: TestApp) {
        app.add_staff(BRUNO, Role::Mediator).await;
        let (router, _) = with(&app, |c| {
            c.trusted_proxies = parse_networks("10.0.0.0/8").unwrap();
            c.login_address_max_failures = 3;
        });
        let fail = |from: &'static str, forwarded: &'static str, i: usize| {
            let router = router.clone();
            async move {
                post_from(
                    &router,
                    from,
                    Some(forwarded),
                    "/staff/sign-in",
                    &[("email", &format!("n{i}@example.org")), ("password", "x")],
                )
                .await
                .status
            }
        };
        // Behind the proxy, each client is counted apart…
        for i in 0..3 {
            assert_eq!(
                fail("10.0.0.2", "198.51.100.7", i).await,
                StatusCode::UNAUTHORIZED
            );
        }
        assert_eq!(
            fail("10.0.0.2", "198.51.100.7", 9).await,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            fail("10.0.0.2", "6.6.6.6, 198.51.100.8", 10).await,
            StatusCode::UNAUTHORIZED,
            "another client behind the same proxy; what it claimed before is ignored"
        );
        // …but a client reaching the server directly is its own address,
        // whatever it writes.
        for i in 0..3 {
            assert_eq!(
                fail("203.0.113.9", "198.51.100.8", 20 + i).await,
                StatusCode::UNAUTHORIZED
            );
        }
        assert_eq!(
            fail("203.0.113.9", "198.51.100.55", 30).await,
            StatusCode::TOO_MANY_REQUESTS
        );
    }
);

http_test!(
    async fn forty_guesses_at_once_check_no_more_passwords_than_the_limit(app: TestApp) {
        app.add_staff(CLAIRE, Role::Coordinator).await;
        let (router, state) = with(&app, |_| {});
        // From forty addresses at once (a botnet), and from one.
        for same_address in [false, true] {
            let email = if same_address {
                "bruno@mediatheque.test"
            } else {
                CLAIRE
            };
            let before = state.password_checks();
            let mut tasks = Vec::new();
            for i in 0..40 {
                let router = router.clone();
                let from = if same_address {
                    "203.0.113.200".to_string()
                } else {
                    format!("203.0.113.{}", i + 1)
                };
                tasks.push(tokio::spawn(async move {
                    sign_in(&router, &from, email, &format!("essai {i}"))
                        .await
                        .status
                }));
            }
            let mut statuses = Vec::new();
            for t in tasks {
                statuses.push(t.await.unwrap());
            }
            let checks = state.password_checks() - before;
            assert_eq!(checks, 5, "at most five passwords checked, not {checks}");
            let refused = statuses
                .iter()
                .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
                .count();
            let wrong = statuses
                .iter()
                .filter(|s| **s == StatusCode::UNAUTHORIZED)
                .count();
            assert_eq!((wrong, refused), (5, 35), "{statuses:?}");
        }
    }
);

http_test!(
    async fn the_owner_gets_back_in_from_the_library_or_with_a_reset_link(app: TestApp) {
        let claire = app.add_staff(CLAIRE, Role::Coordinator).await;
        let key = LinkKey::from_bytes([9; 32]);
        let (router, _) = with(&app, |c| {
            c.staff_networks = parse_networks("192.168.10.0/24").unwrap();
        });
        lock(&router).await;
        // From the library's own network, the lock does not apply.
        let r = sign_in(&router, "192.168.10.20", CLAIRE, PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        // Nor do guesses from there lock the account (the address's
        // pause, at 20, still counts them).
        for _ in 0..6 {
            sign_in(&router, "192.168.10.21", CLAIRE, "faute de frappe").await;
        }
        let r = sign_in(&router, "198.51.100.20", CLAIRE, PASSWORD).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);

        // Locked again, Claire asks for a link from home.
        lock(&router).await;
        let page = get(&router, "/staff/sign-in").await;
        assert!(page.body.contains("href=\"/staff/password-reset\""));
        let asked = post_from(
            &router,
            "198.51.100.20",
            None,
            "/staff/password-reset",
            &[("email", "Claire@Mediatheque.test")],
        )
        .await;
        assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
        // The answer for an address without an account is the same.
        let nobody = post_from(
            &router,
            "198.51.100.20",
            None,
            "/staff/password-reset",
            &[("email", "personne@mediatheque.test")],
        )
        .await;
        assert_eq!(nobody.status, StatusCode::OK);
        assert_eq!(
            nobody.body, asked.body,
            "nothing tells whether an account exists"
        );
        assert!(asked.body.contains("Si cette adresse est celle d"));
        // One message in the outbox, for Claire, without the link.
        let lib = app.library_id;
        let queued = app
            .store
            .outbox(
                lib,
                &OutboxFilter {
                    kind: Some(MailKind::PasswordReset),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(queued.len(), 1);
        assert_eq!(queued[0].recipient, CLAIRE);
        let expires = queued[0].payload["expires_at"].as_i64().unwrap();
        assert!(expires > now() && expires <= now() + 3600);
        // The link the worker will put in it.
        let hash = app
            .store
            .staff_member(claire)
            .await
            .unwrap()
            .unwrap()
            .password_hash;
        let token = key.reset_token(claire, expires, &hash);
        let link = format!("/staff/password-reset/{token}");
        let form = get(&router, &link).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.body.contains("Choisir un nouveau mot de passe"),
            "{}",
            form.body
        );
        // Tampered, expired or another key's: refused.
        for bad in [
            format!(
                "/staff/password-reset/{}",
                // A later expiry written over a genuine link's.
                token.replacen(&expires.to_string(), &(expires + 86_400).to_string(), 1)
            ),
            format!(
                "/staff/password-reset/{}",
                key.reset_token(claire, now() - 1, &hash)
            ),
            format!(
                "/staff/password-reset/{}",
                LinkKey::from_bytes([1; 32]).reset_token(claire, expires, &hash)
            ),
            "/staff/password-reset/1.2.3".into(),
        ] {
            assert_eq!(get(&router, &bad).await.status, StatusCode::GONE, "{bad}");
        }
        // Two different passwords: said next to the field, nothing changed.
        let r = post_from(
            &router,
            "198.51.100.20",
            None,
            &link,
            &[
                ("password", "nouveau mot de passe"),
                ("confirm", "autre chose ici"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("id=\"e-confirm\"")
                && r.body
                    .contains("Les deux mots de passe ne sont pas identiques"),
            "{}",
            r.body
        );
        let r = post_from(
            &router,
            "198.51.100.20",
            None,
            &link,
            &[("password", "court"), ("confirm", "court")],
        )
        .await;
        assert!(r.body.contains("id=\"e-password\""), "{}", r.body);
        let r = post_from(
            &router,
            "198.51.100.20",
            None,
            &link,
            &[
                ("password", "nouveau mot de passe"),
                ("confirm", "nouveau mot de passe"),
            ],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(r.location, "/staff/sign-in?reset=1");
        let notice = get(&router, "/staff/sign-in?reset=1").await;
        assert!(notice.body.contains("Votre mot de passe a été changé"));
        // The lock is lifted: Claire signs in from home, with the new one.
        let r = sign_in(&router, "198.51.100.20", CLAIRE, "nouveau mot de passe").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(
            sign_in(&router, "198.51.100.20", CLAIRE, PASSWORD)
                .await
                .status,
            StatusCode::UNAUTHORIZED,
            "the old password is gone"
        );
        // The link worked once.
        assert_eq!(get(&router, &link).await.status, StatusCode::GONE);
        let again = post_from(
            &router,
            "198.51.100.20",
            None,
            &link,
            &[
                ("password", "encore un autre"),
                ("confirm", "encore un autre"),
            ],
        )
        .await;
        assert_eq!(again.status, StatusCode::GONE);
        // The audit trail tells what happened.
        let audit = app
            .store
            .audit_log(lib, Some(("staff", claire)), 50)
            .await
            .unwrap();
        let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
        assert!(
            actions.contains(&"password_reset_requested") && actions.contains(&"password_reset"),
            "{actions:?}"
        );
    }
);

http_test!(
    async fn reset_requests_are_limited_and_need_their_form_token(app: TestApp) {
        app.add_staff(CLAIRE, Role::Coordinator).await;
        let (router, _) = with(&app, |c| {
            c.rate_limit_reset = "2/hour".parse().unwrap();
        });
        let ask = |from: &'static str| {
            let router = router.clone();
            async move {
                post_from(
                    &router,
                    from,
                    None,
                    "/staff/password-reset",
                    &[("email", CLAIRE)],
                )
                .await
            }
        };
        assert_eq!(ask("198.51.100.1").await.status, StatusCode::OK);
        assert_eq!(ask("198.51.100.2").await.status, StatusCode::OK);
        let r = ask("198.51.100.3").await;
        assert_eq!(
            r.status,
            StatusCode::TOO_MANY_REQUESTS,
            "a mailbox is not flooded"
        );
        assert!(r.body.contains("Trop de demandes"), "{}", r.body);
        let r = post_from(
            &router,
            "198.51.100.4",
            None,
            "/staff/password-reset",
            &[("email", "pas une adresse")],
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("id=\"e-email\""), "{}", r.body);
        // Without the form's token, nothing is sent.
        let mut req = Request::post("/staff/password-reset")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("email={CLAIRE}&csrf=forged")))
            .unwrap();
        req.extensions_mut()
            .insert(ConnectInfo::<SocketAddr>("198.51.100.5:1".parse().unwrap()));
        let res = router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
    }
);

http_test!(
    async fn registrations_count_per_address_by_the_same_rule(app: TestApp) {
        let (router, _) = with(&app, |c| {
            c.rate_limit_ip = "3/min".parse().unwrap();
            c.trusted_proxies = parse_networks("10.0.0.1").unwrap();
        });
        let (e, s) = crate::public::workshop(&app, "Atelier", 50, 1).await;
        let path = format!("/events/{e}/sessions/{s}/register");
        let register = |from: &'static str, forwarded: Option<String>, i: usize| {
            let (router, path) = (router.clone(), path.clone());
            async move {
                let form = get(&router, &path).await;
                let key = crate::public::form_key(&form.body);
                let email = format!("p{i}@example.org");
                post_from(
                    &router,
                    from,
                    forwarded.as_deref(),
                    &path,
                    &[("name", "Anne"), ("email", &email), ("key", &key)],
                )
                .await
                .status
            }
        };
        // A new X-Forwarded-For each time, straight to the server: one address.
        for i in 0..3 {
            let forged = Some(format!("198.51.100.{i}"));
            assert_eq!(
                register("203.0.113.5", forged, i).await,
                StatusCode::SEE_OTHER
            );
        }
        assert_eq!(
            register("203.0.113.5", Some("198.51.100.77".into()), 3).await,
            StatusCode::TOO_MANY_REQUESTS
        );
        // Through the trusted proxy, the address it names.
        for i in 10..13 {
            let named = Some("198.51.100.50".to_string());
            assert_eq!(register("10.0.0.1", named, i).await, StatusCode::SEE_OTHER);
        }
        assert_eq!(
            register("10.0.0.1", Some("198.51.100.50".into()), 13).await,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            register("10.0.0.1", Some("198.51.100.51".into()), 14).await,
            StatusCode::SEE_OTHER
        );
    }
);

http_test!(
    async fn twenty_sign_ins_at_once_do_not_stall_the_public_agenda(app: TestApp) {
        // Twenty accounts: one account lets only five attempts in at once.
        let team: Vec<String> = (1..=20)
            .map(|i| format!("agent{i}@mediatheque.test"))
            .collect();
        for email in &team {
            app.add_staff(email, Role::Mediator).await;
        }
        let (router, state) = with(&app, |_| {});
        // Twenty librarians arrive at nine; each Argon2 check runs off the
        // async threads, so the agenda asked for meanwhile is answered
        // (were the checks on the two worker threads, it would wait for them).
        let sign_ins = team.iter().enumerate().map(|(i, email)| {
            let (router, email) = (router.clone(), email.clone());
            tokio::spawn(async move {
                sign_in(&router, &format!("198.51.100.{}", i + 1), &email, PASSWORD).await
            })
        });
        let sign_ins: Vec<_> = sign_ins.collect();
        let agenda = get(&router, "/agenda").await;
        assert_eq!(agenda.status, StatusCode::OK, "{}", agenda.body);
        for s in sign_ins {
            let r = s.await.unwrap();
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        }
        assert_eq!(state.password_checks(), 20);
    }
);
