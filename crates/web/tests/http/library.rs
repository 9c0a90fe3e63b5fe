//! The library's name in French sentences (its article, set on the settings
//! page) and its address and opening hours in each event's schema.org place.

use almanach_domain::staff::Role;
use almanach_store::Actor;
use almanach_store::testing::{published_event, session_write};
use axum::http::StatusCode;
use serde_json::Value;

use crate::app::Client;
use crate::http_test;

fn json_ld(body: &str) -> Value {
    let open = "<script type=\"application/ld+json\">";
    let start = body.find(open).expect("a JSON-LD script") + open.len();
    let end = start + body[start..].find("</script>").unwrap();
    serde_json::from_str(&body[start..end]).unwrap()
}

http_test!(
    async fn the_name_takes_its_article_and_the_place_its_address_and_hours(app: TestApp) {
        let mut admin = app.signed_in(Role::Admin).await;
        let form = app.get(&mut admin, "/staff/library").await;
        assert!(form.body.contains("name=\"name_article\""), "{}", form.body);
        let r = app
            .post(
                &mut admin,
                "/staff/library",
                &[
                    ("name", "Médiathèque L'Apostrophe"),
                    ("name_article", "la"),
                    ("timezone", "Europe/Paris"),
                    ("street_address", "12 place de la République"),
                    ("postal_code", "86000"),
                    ("city", "Poitiers"),
                    ("country", "FR"),
                    (
                        "opening_hours",
                        "mardi 10:00-19:00\nsamedi 10:00-12:30\nsamedi 14:00-18:00",
                    ),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let form = app.get(&mut admin, "/staff/library").await;
        assert!(form.body.contains("value=\"la\" checked"), "{}", form.body);
        assert!(
            form.body
                .contains("« L&#39;équipe de la Médiathèque L&#39;Apostrophe »")
        );
        let bad = app
            .post(
                &mut admin,
                "/staff/library",
                &[
                    ("name", "X"),
                    ("name_article", "un"),
                    ("timezone", "Europe/Paris"),
                ],
            )
            .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("id=\"e-name_article\""));

        let library = app.store.library(app.library_id).await.unwrap();
        assert_eq!(library.of_name(), "de la Médiathèque L'Apostrophe");
        let mut public = Client::default();
        let a11y = app.get(&mut public, "/accessibilite").await;
        assert!(
            a11y.body
                .contains("La Médiathèque L&#39;Apostrophe s&#39;engage"),
            "{}",
            a11y.body
        );
        let rss = app.get(&mut public, "/agenda.rss").await;
        assert!(
            rss.body
                .contains("Les prochaines séances de la Médiathèque L")
                && !rss.body.contains("séances de Médiathèque"),
            "{}",
            rss.body
        );

        let e = published_event(&app.store, app.library_id, "Atelier robotique").await;
        let d = jiff::Zoned::now().date() + jiff::Span::new().days(10);
        app.store
            .save_session(
                &Actor::system(app.library_id, "test"),
                None,
                &session_write(e, d, 14, 16),
            )
            .await
            .unwrap()
            .unwrap();
        let page = app.get(&mut public, &format!("/events/{e}")).await;
        let ld = json_ld(&page.body);
        let place = &ld[0]["location"];
        assert_eq!(
            place["address"]["streetAddress"],
            "12 place de la République"
        );
        assert_eq!(place["address"]["addressLocality"], "Poitiers");
        let hours = place["openingHoursSpecification"]
            .as_array()
            .expect("opening hours");
        assert_eq!(hours.len(), 3);
        assert_eq!(hours[0]["dayOfWeek"], "https://schema.org/Tuesday");
        assert_eq!(
            (hours[0]["opens"].as_str(), hours[0]["closes"].as_str()),
            (Some("10:00"), Some("19:00"))
        );
        assert_eq!(hours[2]["dayOfWeek"], "https://schema.org/Saturday");
        assert_eq!(hours[2]["opens"], "14:00");
    }
);
