//! The production edge: where redirects may lead, the address `/`, the
//! headers every answer carries, absolute links.

use almanach_domain::staff::Role;
use axum::http::StatusCode;

use crate::http_test;

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
