//! Public pages kept in memory (`public::kept`): the same bytes with their
//! ETag while nothing they show has changed, 304 for a client that holds
//! them, brotli and gzip for clients that take them — and never older than
//! the last committed change: a registration, an edit, another server's
//! edit, or the clock reaching a registration window's opening.

use std::io::Read;

use almanach_domain::ids::SessionId;
use almanach_store::testing::{party, registration};
use almanach_store::{Actor, Target, now};
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use crate::app::TestApp;
use crate::http_test;
use crate::public::{settings, workshop};

/// A GET with these headers: status, headers, raw body.
async fn fetch(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::get(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app
        .router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, body)
}

fn etag(h: &HeaderMap) -> String {
    h.get(header::ETAG)
        .expect("an ETag")
        .to_str()
        .unwrap()
        .to_string()
}

fn text(body: Vec<u8>) -> String {
    String::from_utf8(body).unwrap()
}

http_test!(
    async fn kept_pages_are_the_same_bytes_until_what_they_show_changes(app: TestApp) {
        let (e, s) = workshop(&app, "Atelier Scratch", 3, 2).await;
        for path in [
            "/agenda",
            &format!("/events/{e}"),
            "/agenda.ics",
            "/agenda.rss",
            "/embed/agenda",
        ] {
            let (status, h1, b1) = fetch(&app, path, &[]).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            let (_, h2, b2) = fetch(&app, path, &[]).await;
            assert_eq!((etag(&h1), &b1), (etag(&h2), &b2), "{path}: kept as it was");
            let (status, h3, b3) = fetch(&app, path, &[("if-none-match", &etag(&h1))]).await;
            assert_eq!(status, StatusCode::NOT_MODIFIED, "{path}");
            assert!(b3.is_empty(), "{path}: no body with 304");
            assert_eq!(etag(&h3), etag(&h1));
            assert!(text(b1).contains("Atelier Scratch"), "{path}");
        }

        // A registration: the seats shown change at once.
        let (_, before, page) = fetch(&app, &format!("/events/{e}"), &[]).await;
        let actor = Actor::system(app.library_id, "test");
        let new = registration(
            Target::Session(SessionId(s)),
            party("anne@example.org", 2),
            "a",
        );
        app.store.register(&actor, &new).await.unwrap();
        let (status, after, page_after) = fetch(
            &app,
            &format!("/events/{e}"),
            &[("if-none-match", &etag(&before))],
        )
        .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "the holder of the old page gets the new one"
        );
        assert_ne!(etag(&before), etag(&after));
        assert!(page != page_after, "the page shows the seats taken");

        // Another server on the same database kept the agenda; an edit on
        // this one shows there at once.
        let other = TestApp::on(app.store.clone()).await;
        let (_, _, agenda) = fetch(&other, "/agenda", &[]).await;
        assert!(text(agenda).contains("Atelier Scratch"));
        let mut event = app
            .store
            .event(app.library_id, almanach_domain::ids::EventId(e))
            .await
            .unwrap();
        event.title = "Atelier Scratch Junior".into();
        app.store.save_event(&actor, &event).await.unwrap();
        let (_, _, agenda) = fetch(&other, "/agenda", &[]).await;
        assert!(
            text(agenda).contains("Atelier Scratch Junior"),
            "the other server's page follows"
        );
    }
);

http_test!(
    async fn kept_pages_go_compressed_to_who_takes_it(app: TestApp) {
        workshop(&app, "Initiation à l'IA générative", 12, 2).await;
        let (_, plain_headers, plain) = fetch(&app, "/agenda", &[]).await;
        assert!(plain_headers.get(header::CONTENT_ENCODING).is_none());

        let (_, h, br) = fetch(&app, "/agenda", &[("accept-encoding", "gzip, deflate, br")]).await;
        assert_eq!(h.get(header::CONTENT_ENCODING).unwrap(), "br");
        assert!(
            h.get(header::VARY)
                .unwrap()
                .to_str()
                .unwrap()
                .contains("Accept-Encoding")
        );
        let mut back = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, plain);
        assert!(
            br.len() < plain.len() / 2,
            "{} of {}",
            br.len(),
            plain.len()
        );

        let (_, h, gz) = fetch(&app, "/agenda", &[("accept-encoding", "gzip;q=1, br;q=0")]).await;
        assert_eq!(h.get(header::CONTENT_ENCODING).unwrap(), "gzip");
        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, plain);
        assert_eq!(
            etag(&h),
            etag(&plain_headers),
            "one page, one tag, however sent"
        );

        // English is another page.
        let (_, en, english) = fetch(&app, "/agenda", &[("cookie", "almanach_lang=en")]).await;
        assert!(english != plain, "the English agenda is not the French one");
        assert_ne!(etag(&en), etag(&plain_headers));
    }
);

http_test!(
    async fn a_kept_page_follows_the_clock_to_a_window_opening(app: TestApp) {
        let (e, s) = workshop(&app, "Atelier photo", 10, 2).await;
        let opens = now() + 2;
        settings(&app, s, 2, Some(opens), None).await;
        let link = format!("/events/{e}/sessions/{s}/register");
        let (_, _, before) = fetch(&app, &format!("/events/{e}"), &[]).await;
        assert!(
            !text(before).contains(&link),
            "not open yet: no way to register"
        );
        while now() <= opens {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        let (_, _, after) = fetch(&app, &format!("/events/{e}"), &[]).await;
        assert!(
            text(after).contains(&link),
            "open now: the kept page did not outlive it"
        );
    }
);

http_test!(
    async fn the_api_session_list_is_kept_for_anyone_not_for_a_token(app: TestApp) {
        let (_, s) = workshop(&app, "Atelier Arduino", 8, 2).await;
        let (status, h1, b1) = fetch(&app, "/api/v1/sessions", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(text(b1.clone()).contains("Atelier Arduino"));
        let (status, _, _) =
            fetch(&app, "/api/v1/sessions", &[("if-none-match", &etag(&h1))]).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);

        // A registration changes the seats the list shows.
        let actor = Actor::system(app.library_id, "test");
        let new = registration(
            Target::Session(SessionId(s)),
            party("bob@example.org", 2),
            "b",
        );
        app.store.register(&actor, &new).await.unwrap();
        let (status, h2, b2) =
            fetch(&app, "/api/v1/sessions", &[("if-none-match", &etag(&h1))]).await;
        assert_eq!(status, StatusCode::OK);
        assert_ne!(etag(&h2), etag(&h1));
        assert!(b1 != b2, "the seats taken show");

        // With a token (which may see drafts): never from memory.
        let token = crate::api::token(&app, almanach_domain::staff::Role::Viewer).await;
        let bearer = format!("Bearer {token}");
        let (status, h, _) = fetch(&app, "/api/v1/sessions", &[("authorization", &bearer)]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(h.get(header::ETAG).is_none(), "a token's list is not kept");
    }
);
