//! The production edge: where redirects may lead, the address `/`, the
//! headers every answer carries, absolute links.

use almanach_domain::programme::EventStatus;
use almanach_domain::staff::Role;
use almanach_store::Series;
use almanach_web::{AppState, WebConfig, router};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::app::{Client, Response, TestApp};
use crate::http_test;
use crate::public::{actor, event, on_registration, register, save, session, settings, workshop};

/// The same application with other settings.
pub(crate) fn configure(app: &mut TestApp, change: impl FnOnce(&mut WebConfig)) {
    let mut config = WebConfig {
        secure_cookies: false,
        ..WebConfig::default()
    };
    change(&mut config);
    app.router = router(AppState::new(app.store.clone(), config));
}

/// A GET as a browser sends it to `host`, with extra headers.
async fn get_at(app: &TestApp, host: &str, path: &str, extra: &[(&str, &str)]) -> Response {
    let mut req = Request::get(path).header(header::HOST, host);
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    app.send(&mut Client::default(), req.body(Body::empty()).unwrap())
        .await
}

/// Names of vocabularies (XML namespaces, schema.org), not links.
const VOCABULARIES: &[&str] = &[
    "https://schema.org",
    "http://www.w3.org/",
    "http://purl.org/",
];

/// Every absolute address in `body` (href, value, JSON, text).
fn absolute_links(body: &str) -> Vec<String> {
    let body = body.replace("&#x2f;", "/").replace("&#47;", "/");
    let mut out = Vec::new();
    for scheme in ["http://", "https://"] {
        for (i, _) in body.match_indices(scheme) {
            let end = body[i..]
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '\'' | '&' | ')'))
                .map_or(body.len(), |e| i + e);
            out.push(body[i..end].to_string());
        }
    }
    out
}

/// `next` values as an attacker writes them in a link (already
/// URL-encoded), each of which some browser follows to another site.
const NASTY_NEXT: &[&str] = &[
    "//evil.example",
    "///evil.example",
    "/%5Cevil.example/phish",
    "/%5cevil.example/phish",
    "%5C%5Cevil.example",
    "/%255Cevil.example",
    "/%09/evil.example",
    "%09//evil.example",
    "/%0d%0aLocation:%20https://evil.example",
    "/%0D%0ASet-Cookie:%20almanach_session=x",
    "https://evil.example/",
    "https:evil.example",
    "http:/evil.example",
    "%2F%2Fevil.example",
    "/.//evil.example",
    "/./%2Fevil.example",
    "/staff/..//evil.example",
    "/%2e%2e//evil.example",
    "/%20/evil.example",
    "javascript:alert(1)",
    "evil.example",
];

/// A browser given this `Location` stays on this site: one leading `/`,
/// nothing it would read as `/` or drop, no trace of the other site.
fn stays_here(location: &str, payload: &str) {
    assert!(
        location.starts_with('/')
            && !location.starts_with("//")
            && !location.contains('\\')
            && !location.contains(|c: char| c.is_control() || c.is_whitespace())
            && !location.contains("evil"),
        "next={payload} leads to {location:?}"
    );
}

http_test!(
    async fn the_language_switcher_only_goes_back_to_this_site(app: TestApp) {
        let mut c = Client::default();
        for payload in NASTY_NEXT {
            let r = app.get(&mut c, &format!("/lang/fr?next={payload}")).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{payload}");
            stays_here(r.location(), payload);
        }
        // Refused targets lead to the agenda.
        for payload in NASTY_NEXT {
            let r = app.get(&mut c, &format!("/lang/fr?next={payload}")).await;
            assert_eq!(r.location(), "/", "{payload}");
        }
        // Where the switcher really comes from is kept.
        let r = app
            .get(&mut c, "/lang/en?next=/agenda%3Fq%3Drobot%26series%3D2")
            .await;
        assert_eq!(r.location(), "/agenda?q=robot&series=2");
        let r = app.get(&mut c, "/lang/fr?next=/events/3").await;
        assert_eq!(r.location(), "/events/3");
    }
);

http_test!(
    async fn signing_in_only_leads_to_this_site(app: TestApp) {
        app.add_staff("claire@mediatheque.test", Role::Mediator)
            .await;
        for payload in NASTY_NEXT {
            // The form keeps only a safe target…
            let mut c = Client::default();
            let r = app
                .get(&mut c, &format!("/staff/sign-in?next={payload}"))
                .await;
            assert!(
                r.body.contains("name=\"next\" value=\"/staff\""),
                "next={payload}: {}",
                r.body
            );
            // …and a forged form field is not followed either.
            let decoded = percent_decode(payload);
            let r = app
                .post(
                    &mut c,
                    "/staff/sign-in",
                    &[
                        ("email", "claire@mediatheque.test"),
                        ("password", PASSWORD),
                        ("next", decoded.as_str()),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{payload}");
            stays_here(r.location(), payload);
            assert_eq!(r.location(), "/staff", "{payload}");
        }
        let mut c = Client::default();
        app.get(&mut c, "/staff/sign-in?next=/staff/rooms").await;
        let r = app
            .post(
                &mut c,
                "/staff/sign-in",
                &[
                    ("email", "claire@mediatheque.test"),
                    ("password", PASSWORD),
                    ("next", "/staff/rooms"),
                ],
            )
            .await;
        assert_eq!(r.location(), "/staff/rooms");
    }
);

http_test!(
    async fn the_public_address_is_the_agenda(app: TestApp) {
        let mut c = Client::default();
        let r = app.get(&mut c, "/").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.location(), "/agenda", "visitors land on the agenda");
        let r = app.get(&mut c, "/agenda").await;
        assert_eq!(r.status, StatusCode::OK);
        // Staff still find their way in.
        let r = app.get(&mut c, "/staff").await;
        assert_eq!(r.location(), "/staff/sign-in?next=/staff");
    }
);

/// `%XX` sequences decoded once, as a form parser does.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 3 <= b.len()
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap(), 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

http_test!(
    async fn every_absolute_link_starts_with_the_public_address(app: TestApp) {
        let mut app = app;
        // The binary's default: plain HTTP at the listening address, with
        // Secure cookies (browsers accept them from 127.0.0.1).
        configure(&mut app, |c| {
            c.secure_cookies = true;
            c.public_url = Some("http://127.0.0.1:8080".into());
        });
        let (e, s) = workshop(&app, "Atelier robots", 10, 2).await;
        let base = "http://127.0.0.1:8080";
        // A client's X-Forwarded-Proto or Host does not change them either.
        let page = get_at(
            &app,
            "127.0.0.1:8080",
            &format!("/events/{e}"),
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "evil.example"),
            ],
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
        let share = format!("{base}/events/{e}");
        assert!(
            page.body
                .contains(&format!("<link rel=\"canonical\" href=\"{share}\">")),
            "the canonical link: {}",
            page.body
        );
        assert!(
            page.body.contains(&format!("value=\"{share}\"")),
            "the share link"
        );
        assert!(page.body.contains(&format!("\"url\":\"{share}")), "JSON-LD");
        let ours = |body: &str| {
            for l in absolute_links(body) {
                assert!(
                    l.starts_with(&format!("{base}/"))
                        || VOCABULARIES.iter().any(|v| l.starts_with(v)),
                    "{l} does not start with the public address"
                );
            }
        };
        ours(&page.body);
        // The private link, on its page and in the API's answer.
        let r = register(
            &app,
            &format!("/events/{e}/sessions/{s}/register"),
            &[("name", "Anne"), ("email", "anne@example.org")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let token_path = r.location().split('?').next().unwrap().to_string();
        let private = get_at(&app, "127.0.0.1:8080", &token_path, &[]).await;
        assert!(
            private.body.contains(&format!("{base}{token_path}")),
            "« Votre lien personnel »: {}",
            private.body
        );
        ours(&private.body);
        let req = Request::post(format!("/api/v1/sessions/{s}/registrations"))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::HOST, "127.0.0.1:8080")
            .header("x-forwarded-proto", "https")
            .body(Body::from(
                serde_json::json!({"name": "Bob", "email": "bob@example.org", "seats": 1,
                    "idempotency_key": "bob-key-0000000001"})
                .to_string(),
            ))
            .unwrap();
        let r = app.send(&mut Client::default(), req).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let link = r.json()["private_link"].as_str().unwrap().to_string();
        assert!(link.starts_with(&format!("{base}/r/")), "{link}");
        // The feeds too.
        for path in ["/agenda.rss", "/agenda.ics"] {
            let r = get_at(
                &app,
                "127.0.0.1:8080",
                path,
                &[("x-forwarded-proto", "https")],
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert!(r.body.contains(&share), "{path}: {}", r.body);
            ours(&r.body);
        }

        // Behind a proxy that adds TLS, --public-url says https: every link
        // follows, whatever host the request names.
        configure(&mut app, |c| {
            c.secure_cookies = true;
            c.public_url = Some("https://agenda.mediatheque.fr/".into());
        });
        let page = get_at(&app, "10.0.0.5:8080", &format!("/events/{e}"), &[]).await;
        assert!(
            page.body.contains(&format!(
                "value=\"https://agenda.mediatheque.fr/events/{e}\""
            )),
            "{}",
            page.body
        );
        assert!(!page.body.contains("10.0.0.5"));
    }
);

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data: https:; object-src 'none'; base-uri 'none'; form-action 'self'";

fn header<'a>(r: &'a Response, name: &str) -> &'a str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// What a strict Content-Security-Policy would refuse: a `style`
/// attribute, an inline script (data blocks such as JSON-LD are not
/// scripts), an `on…=` handler.
fn no_inline_code(path: &str, body: &str) {
    for tag in body.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        let words: Vec<&str> = tag.split_whitespace().collect();
        assert!(
            !words.iter().any(|w| w.starts_with("style=")),
            "{path}: a style attribute in <{tag}>"
        );
        assert!(
            !words
                .iter()
                .skip(1)
                .any(|w| w.starts_with("on") && w.contains('=')),
            "{path}: an event handler in <{tag}>"
        );
        if words.first() == Some(&"script") {
            assert!(
                tag.contains(" src=\"/static/") || tag.contains("type=\"application/ld+json\""),
                "{path}: an inline script <{tag}>"
            );
        }
    }
    assert!(!body.contains("<style"), "{path}: a style element");
}

http_test!(
    async fn pages_run_only_the_products_own_code_and_personal_data_is_not_kept(app: TestApp) {
        let a = actor(&app);
        let series = app
            .store
            .save_series(
                &a,
                &Series {
                    name: "Samedis de l'innovation".into(),
                    colour: "#C0392B".into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let e = event(&app, "Atelier robots", Some(series), EventStatus::Published).await;
        let s = save(
            &app,
            on_registration(session(e.get(), 1, (14, 0), (16, 0)), 10),
        )
        .await;
        settings(&app, s.get(), 2, None, None).await;
        let r = register(
            &app,
            &format!("/events/{e}/sessions/{s}/register"),
            &[("name", "Anne Martin"), ("email", "anne@example.org")],
        )
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let private = r.location().split('?').next().unwrap().to_string();
        let mut c = app.signed_in(Role::Admin).await;
        let staff_pages = [
            "/staff".to_string(),
            "/staff/calendar".into(),
            "/staff/series".into(),
            "/staff/events".into(),
            format!("/staff/events/{e}"),
            "/staff/day".into(),
            format!("/staff/sessions/{s}/day"),
            format!("/staff/sessions/{s}/registrations"),
            "/staff/stats".into(),
            "/staff/stats/review".into(),
            "/staff/team".into(),
        ];
        for path in &staff_pages {
            let r = app.get(&mut c, path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert_eq!(header(&r, "cache-control"), "no-store", "{path}");
            assert_eq!(
                header(&r, "content-security-policy"),
                format!("{CSP}; frame-ancestors 'none'"),
                "{path}"
            );
            assert_eq!(header(&r, "x-frame-options"), "DENY");
            assert_eq!(header(&r, "strict-transport-security"), "", "plain HTTP");
            no_inline_code(path, &r.body);
        }
        // The series' colour comes from a stylesheet, not an attribute.
        let day = app.get(&mut c, &format!("/staff/sessions/{s}/day")).await;
        assert!(
            day.body
                .contains("<script src=\"/static/day.js\" defer></script>")
        );
        let events = app.get(&mut c, "/staff/events").await;
        assert!(
            events.body.contains("class=\"swatch c-c0392b\""),
            "{}",
            events.body
        );
        // Exports and the sign-in page are not kept either.
        for path in [
            format!("/staff/sessions/{s}/registrations.csv"),
            "/staff/stats/review.csv".into(),
            "/staff/stats/review.pdf".into(),
            "/staff/sign-in".into(),
        ] {
            let cookies = c
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            let req = Request::get(&path)
                .header(header::COOKIE, cookies)
                .body(Body::empty())
                .unwrap();
            // The PDF is not text: only the head is read.
            let r = tower::ServiceExt::oneshot(app.router.clone(), req)
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
        }
        // Public pages: the same policy; the private page is not kept.
        let mut anon = Client::default();
        for path in [
            "/agenda".to_string(),
            format!("/events/{e}"),
            format!("/events/{e}/sessions/{s}/register"),
            "/accessibilite".into(),
            private.clone(),
        ] {
            let r = app.get(&mut anon, &path).await;
            assert_eq!(r.status, StatusCode::OK, "{path}");
            assert_eq!(
                header(&r, "content-security-policy"),
                format!("{CSP}; frame-ancestors 'none'"),
                "{path}"
            );
            no_inline_code(&path, &r.body);
        }
        let r = app.get(&mut anon, &private).await;
        assert_eq!(header(&r, "cache-control"), "no-store");
        let agenda = app.get(&mut anon, "/agenda").await;
        assert!(
            agenda.body.contains("class=\"session c-c0392b\""),
            "{}",
            agenda.body
        );
        // The embeddable agenda keeps its framing rule.
        let r = app.get(&mut anon, "/embed/agenda").await;
        assert_eq!(
            header(&r, "content-security-policy"),
            format!("{CSP}; frame-ancestors *")
        );
        assert_eq!(header(&r, "x-frame-options"), "");
        no_inline_code("/embed/agenda", &r.body);
        assert!(r.body.contains("c-c0392b"));
        // The colours' stylesheet, revalidated cheaply.
        let css = app.get(&mut anon, "/static/colours.css").await;
        assert!(
            css.body.contains(".c-c0392b { --c: #c0392b; }"),
            "{}",
            css.body
        );
        assert_eq!(header(&css, "content-type"), "text/css; charset=utf-8");
        let etag = header(&css, "etag").to_string();
        let again = app
            .send(
                &mut anon,
                Request::get("/static/colours.css")
                    .header(header::IF_NONE_MATCH, &etag)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        // API answers carry registrations and people's details.
        let r = app.api("GET", "/api/v1/sessions", None, None).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(header(&r, "cache-control"), "no-store");
        let r = app
            .api(
                "POST",
                &format!("/api/v1/sessions/{s}/registrations"),
                None,
                Some(
                    serde_json::json!({"name": "Bob", "email": "bob@example.org",
                    "seats": 1, "idempotency_key": "bob-key-0000000001"}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        assert_eq!(header(&r, "cache-control"), "no-store");
    }
);

http_test!(
    async fn over_https_browsers_keep_to_it_and_cookies_are_host_only(app: TestApp) {
        let mut app = app;
        app.add_staff("claire@mediatheque.test", Role::Mediator)
            .await;
        configure(&mut app, |c| {
            c.secure_cookies = true;
            c.public_url = Some("https://agenda.mediatheque.fr".into());
        });
        let mut c = Client::default();
        let r = app.get(&mut c, "/staff/sign-in").await;
        assert_eq!(header(&r, "strict-transport-security"), "max-age=31536000");
        let csrf = header(&r, "set-cookie");
        assert!(
            csrf.starts_with("__Host-almanach_csrf=")
                && csrf.contains("; Path=/")
                && csrf.contains("; Secure")
                && !csrf.to_ascii_lowercase().contains("domain="),
            "{csrf}"
        );
        let r = app
            .post(
                &mut c,
                "/staff/sign-in",
                &[("email", "claire@mediatheque.test"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let session = header(&r, "set-cookie");
        assert!(
            session.starts_with("__Host-almanach_session=") && session.contains("; Secure"),
            "{session}"
        );
        let r = app.get(&mut c, "/staff").await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "signed in with the prefixed cookie"
        );
        assert_eq!(header(&r, "strict-transport-security"), "max-age=31536000");
        // The same value under the unprefixed name, as another host of the
        // domain could set it, is not a session.
        let mut planted = Client {
            cookies: c
                .cookies
                .iter()
                .map(|(k, v)| (k.trim_start_matches("__Host-").to_string(), v.clone()))
                .collect(),
            csrf: String::new(),
        };
        let r = app.get(&mut planted, "/staff").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        // Over plain HTTP, no HSTS.
        configure(&mut app, |c| {
            c.public_url = Some("http://127.0.0.1:8080".into());
        });
        let r = app.get(&mut Client::default(), "/agenda").await;
        assert_eq!(header(&r, "strict-transport-security"), "");
    }
);

/// The id a response carries in `X-Request-Id`.
fn request_id(r: &Response) -> String {
    r.headers
        .get("x-request-id")
        .expect("an X-Request-Id header")
        .to_str()
        .unwrap()
        .to_string()
}

http_test! {
    async fn every_answer_carries_a_request_id_and_an_error_page_quotes_it(app: TestApp) {
        let first = app.get(&mut Client::default(), "/agenda").await;
        assert_eq!(first.status, StatusCode::OK);
        let id = request_id(&first);
        assert_eq!(id.len(), 16, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        let second = app.get(&mut Client::default(), "/agenda").await;
        assert_ne!(request_id(&second), id, "one id per request");
        assert!(!first.body.contains(&id), "a page that went well shows no reference");

        // A fault the librarian did not cause: the page quotes the id. (A
        // search not asked before: the agenda itself is kept in memory.)
        sqlx::query("alter table sessions rename to sessions_elsewhere")
            .execute(app.store.pool())
            .await
            .unwrap();
        let from_proxy = app
            .send(
                &mut Client::default(),
                Request::get("/agenda?q=panne")
                    .header("x-request-id", "nginx-7f3a.42")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(from_proxy.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(request_id(&from_proxy), "nginx-7f3a.42", "a proxy's plain id is kept");
        assert!(
            from_proxy.body.contains("Référence : <code>nginx-7f3a.42</code>"),
            "{}",
            from_proxy.body
        );

        let hostile = app
            .send(
                &mut Client::default(),
                Request::get("/agenda?q=panne")
                    .header("x-request-id", "<script>alert(1)</script>")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(hostile.status, StatusCode::INTERNAL_SERVER_ERROR);
        let own = request_id(&hostile);
        assert_eq!(own.len(), 16, "a hostile id is replaced by our own: {own}");
        assert!(!hostile.body.contains("<script>"), "{}", hostile.body);
        assert!(hostile.body.contains(&format!("Référence : <code>{own}</code>")));
    }
}
