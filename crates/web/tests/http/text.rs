//! One rule for what a text may hold (docs/decisions/0013), through every
//! form: a NUL, a BEL, an ESC or a bidirectional override is refused with a
//! 422 and its message next to the field, on SQLite (which would keep it)
//! and PostgreSQL (which would answer a 500), and nothing is stored.

use almanach_domain::ids::SessionId;
use almanach_domain::staff::Role;
use almanach_store::testing::need_type_id;
use axum::http::StatusCode;
use serde_json::json;

use crate::app::{Client, Response, TestApp};
use crate::http_test;
use crate::import::upload_to;
use crate::public::{form_key, workshop};

/// A NUL (PostgreSQL refuses it), a bell, an escape (terminal colours) and
/// a right-to-left override ("Trojan Source").
const POISONS: [(&str, &str); 4] = [
    ("\u{0}", "caractère invisible interdit"),
    ("\u{7}", "caractère invisible interdit"),
    ("\u{1b}[31m", "caractère invisible interdit"),
    ("\u{202e}", "inverse le sens du texte"),
];

/// The message next to `field`, checked to be the text rule's.
fn assert_next_to(r: &Response, what: &str, field: &str, says: &str) {
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{what}: {}",
        r.body
    );
    let marker = format!("id=\"e-{field}\">");
    let i = r
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("{what}: no error next to {field}: {}", r.body));
    let message = &r.body[i + marker.len()..];
    let message = &message[..message.find('<').unwrap()];
    assert!(
        message.starts_with("Ce champ contient un ") && message.contains(says),
        "{what}: {message:?}"
    );
}

/// A form's page, where it posts, valid fields, and the fields to poison.
type Form<'a> = (String, String, Vec<(&'a str, &'a str)>, Vec<&'a str>);

async fn audit_count(app: &TestApp) -> usize {
    app.store
        .audit_log(app.library_id, None, 10_000)
        .await
        .unwrap()
        .len()
}

http_test!(
    async fn every_staff_form_refuses_control_characters_next_to_the_field(app: TestApp) {
        let mut c = app.signed_in(Role::Admin).await;
        let (e, s) = workshop(&app, "Atelier robots", 12, 4).await;
        let laptop = need_type_id(&app.store, app.library_id, "Ordinateurs portables").await;
        let laptop = laptop.to_string();
        app.get(&mut c, "/staff/speakers/new").await;
        let r = app
            .post(&mut c, "/staff/speakers/new", &[("name", "Ada Martin")])
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let ada = app.store.list_speakers(app.library_id).await.unwrap()[0].id;
        let (sessions, events) = (format!("/staff/sessions/{s}"), format!("/staff/events/{e}"));
        let need = app
            .store
            .add_need(
                &almanach_store::Actor::system(app.library_id, "test"),
                SessionId(s),
                &almanach_store::NeedWrite {
                    need_type_id: laptop.parse().unwrap(),
                    quantity: 1,
                    details: String::new(),
                    provider: almanach_domain::logistics::Provider::It,
                    due_override: None,
                },
            )
            .await
            .unwrap();
        // Someone to write to, for the session's e-mail form.
        app.get(&mut c, &format!("{sessions}/registrations")).await;
        let r = app
            .post(
                &mut c,
                &format!("{sessions}/registrations"),
                &[
                    ("name", "Bruno"),
                    ("email", "bruno@example.org"),
                    ("seats", "1"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let forms: Vec<Form> = vec![
            (
                "/staff/events/new".into(),
                "/staff/events/new".into(),
                vec![
                    ("title", "Samedi"),
                    ("description", "Deux\nlignes"),
                    ("status", "draft"),
                ],
                vec!["title", "description"],
            ),
            (
                format!("{events}/edit"),
                format!("{events}/edit"),
                vec![
                    ("title", "Atelier robots"),
                    ("description", ""),
                    ("status", "published"),
                ],
                vec!["title", "description"],
            ),
            (
                format!("{events}/sessions/new"),
                format!("{events}/sessions/new"),
                vec![
                    ("kind", "workshop"),
                    ("date", "2031-03-01"),
                    ("start", "14:00"),
                    ("end", "16:00"),
                    ("registration", "free_entry"),
                    ("attendance", "in_person"),
                    ("online_url", ""),
                    ("confirm_warnings", "on"),
                ],
                vec!["online_url"],
            ),
            (
                "/staff/rooms/new".into(),
                "/staff/rooms/new".into(),
                vec![
                    ("name", "Auditorium"),
                    ("capacity", "80"),
                    ("equipment", "Micro"),
                ],
                vec!["name", "equipment"],
            ),
            (
                "/staff/themes/new".into(),
                "/staff/themes/new".into(),
                vec![
                    ("title", "IA et image"),
                    ("description", ""),
                    ("materials", ""),
                ],
                vec!["title", "description", "materials"],
            ),
            (
                "/staff/series/new".into(),
                "/staff/series/new".into(),
                vec![
                    ("name", "Samedis"),
                    ("description", ""),
                    ("default_kind", "workshop"),
                    ("duration", "120"),
                    ("registration_policy", "workshops_only"),
                    ("colour", "#C0392B"),
                ],
                vec!["name", "description"],
            ),
            (
                "/staff/speakers/new".into(),
                "/staff/speakers/new".into(),
                vec![
                    ("name", "Bob"),
                    ("organisation", ""),
                    ("email", ""),
                    ("phone", ""),
                    ("notes", ""),
                    ("town", ""),
                    ("subjects", ""),
                    ("travel_notes", ""),
                    ("invoicing", ""),
                ],
                vec![
                    "name",
                    "organisation",
                    "email",
                    "phone",
                    "notes",
                    "town",
                    "subjects",
                    "travel_notes",
                    "invoicing",
                ],
            ),
            (
                "/staff/tools/new".into(),
                "/staff/tools/new".into(),
                vec![
                    ("name", "ChatGPT"),
                    ("provider", ""),
                    ("plan", ""),
                    ("cost", "20"),
                    ("billing", "monthly"),
                    ("notes", ""),
                ],
                vec!["name", "provider", "plan", "notes"],
            ),
            (
                format!("{sessions}/costs"),
                format!("{sessions}/costs"),
                vec![("kind", "fee"), ("amount", "150"), ("note", "")],
                vec!["note"],
            ),
            (
                format!("{sessions}/needs"),
                format!("{sessions}/needs"),
                vec![
                    ("need_type_id", &laptop),
                    ("quantity", "2"),
                    ("details", ""),
                ],
                vec!["details"],
            ),
            (
                "/staff/library".into(),
                "/staff/library".into(),
                vec![
                    ("name", "Médiathèque"),
                    ("timezone", "Europe/Paris"),
                    ("opening_hours", ""),
                    ("closing_days", ""),
                    ("street_address", ""),
                    ("postal_code", ""),
                    ("city", ""),
                    ("country", "FR"),
                ],
                vec![
                    "name",
                    "street_address",
                    "postal_code",
                    "city",
                    "opening_hours",
                    "closing_days",
                ],
            ),
            (
                "/staff/it/catalogue/new".into(),
                "/staff/it/catalogue/new".into(),
                vec![
                    ("name", "Casques VR"),
                    ("provider", "it"),
                    ("hint", ""),
                    ("active", "on"),
                ],
                vec!["name", "hint"],
            ),
            (
                "/staff/it/settings".into(),
                "/staff/it/settings".into(),
                vec![("it_hours", ""), ("it_lead_days", "3"), ("postcode", "")],
                vec!["it_hours"],
            ),
            (
                "/staff/team/new".into(),
                "/staff/team/new".into(),
                vec![
                    ("email", "nouveau@mediatheque.test"),
                    ("name", "Nouveau"),
                    ("role", "mediator"),
                    ("password", "un mot de passe assez long"),
                ],
                vec!["email", "name", "password"],
            ),
            (
                "/staff/tokens".into(),
                "/staff/tokens".into(),
                vec![("name", "Site de la ville"), ("role", "viewer")],
                vec!["name"],
            ),
            (
                format!("{sessions}/registrations"),
                format!("{sessions}/registrations"),
                vec![
                    ("name", "Anne"),
                    ("email", "anne@example.org"),
                    ("phone", ""),
                    ("seats", "1"),
                ],
                vec!["name", "email", "phone"],
            ),
            (
                format!("/staff/speakers/{ada}"),
                format!("/staff/speakers/{ada}/prospects"),
                vec![
                    ("project", "Samedi de mars"),
                    ("event_id", ""),
                    ("next_action", ""),
                    ("next_action_on", ""),
                ],
                vec!["project", "next_action"],
            ),
            (
                format!("/staff/needs/{need}"),
                format!("/staff/needs/{need}/comment"),
                vec![("comment", "Prévoir les chargeurs")],
                vec!["comment"],
            ),
            (
                format!("{sessions}/emails"),
                format!("{sessions}/emails"),
                vec![
                    ("subject", "Changement de salle"),
                    ("message", "Rendez-vous\nau 2e étage"),
                ],
                vec!["subject", "message"],
            ),
            (
                "/staff/it/digest".into(),
                "/staff/it/digest".into(),
                vec![
                    ("digest_weekday", "1"),
                    ("digest_hour", "8"),
                    ("extra_to", ""),
                    ("lang", "fr"),
                ],
                vec!["extra_to"],
            ),
        ];
        for (page, path, base, poisoned) in &forms {
            for field in poisoned {
                for (poison, says) in POISONS {
                    let value = format!("Atelier{poison}robots");
                    let fields: Vec<(&str, &str)> = base
                        .iter()
                        .map(|&(k, v)| (k, if k == *field { value.as_str() } else { v }))
                        .collect();
                    let before = audit_count(&app).await;
                    let r = app.get(&mut c, page).await;
                    assert_eq!(r.status, StatusCode::OK, "{page}: {}", r.body);
                    let r = app.post(&mut c, path, &fields).await;
                    let what = format!("{path} {field} {poison:?}");
                    assert_next_to(&r, &what, field, says);
                    assert_eq!(audit_count(&app).await, before, "{what}: nothing stored");
                }
            }
        }
        // A line break where one line is expected is refused too; in a
        // description it is the point.
        app.get(&mut c, "/staff/rooms/new").await;
        let r = app
            .post(
                &mut c,
                "/staff/rooms/new",
                &[("name", "Salle\nA"), ("equipment", "Micro\r\nÉcran")],
            )
            .await;
        assert_next_to(&r, "room name", "name", "retour à la ligne");
        assert!(
            app.store
                .list_rooms(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
        // The personal-data search and erasure never reach the database.
        let before = audit_count(&app).await;
        let r = app
            .get(&mut c, "/staff/personal-data?email=a%00b%40x.fr")
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let r = app
            .post(
                &mut c,
                "/staff/personal-data/erase",
                &[("email", "a\u{0}b@x.fr"), ("confirm", "yes")],
            )
            .await;
        assert_ne!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
        assert!(r.status.is_client_error(), "{}", r.status);
        assert_eq!(audit_count(&app).await, before);
        // A document whose name hides its real extension.
        let path = format!("/staff/speakers/{ada}/documents");
        for name in ["facture\u{202e}fdp.exe", "devis\u{7}.pdf", "nul\u{0}.pdf"] {
            app.get(&mut c, &path).await;
            let csrf = c.csrf.clone();
            let r = upload_to(
                &app,
                &mut c,
                &path,
                &[("csrf", &csrf), ("kind", "invoice")],
                Some((name, b"%PDF-1.4\n%%EOF\n")),
            )
            .await;
            if name.contains('\u{202e}') {
                assert_eq!(
                    r.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{name}: {}",
                    r.body
                );
                assert!(
                    r.body
                        .contains("Le nom du fichier contient un caractère invisible interdit"),
                    "{}",
                    r.body
                );
            } else {
                // A control character in a part's header: the form itself
                // is unreadable, a 400 page in French.
                assert!(r.status.is_client_error(), "{name}: {}", r.status);
                assert!(r.body.contains("Requête invalide"), "{}", r.body);
            }
        }
        assert_eq!(audit_count(&app).await, before, "no document stored");
    }
);

http_test!(
    async fn sign_in_public_registration_and_the_api_refuse_them_too(app: TestApp) {
        let (e, s) = workshop(&app, "Atelier robots", 12, 4).await;
        // Sign-in: the address never reaches the database.
        for (poison, says) in POISONS {
            let mut c = Client::default();
            app.get(&mut c, "/staff/sign-in").await;
            let email = format!("admin{poison}@mediatheque.test");
            let r = app
                .post(
                    &mut c,
                    "/staff/sign-in",
                    &[("email", &email), ("password", "x"), ("next", "/staff")],
                )
                .await;
            assert_next_to(&r, "sign-in", "email", says);
        }
        // A `next` the Location header cannot carry is not followed.
        app.add_staff("anne@mediatheque.test", Role::Mediator).await;
        let mut c = Client::default();
        app.get(&mut c, "/staff/sign-in").await;
        let r = app
            .post(
                &mut c,
                "/staff/sign-in",
                &[
                    ("email", "anne@mediatheque.test"),
                    ("password", crate::app::PASSWORD),
                    ("next", "/staff/é\u{0}"),
                ],
            )
            .await;
        // A control character in the target: back to the dashboard.
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/staff"));
        // A same-site path is kept, percent-encoded.
        let r = app.get(&mut c, "/lang/en?next=/staff/%C3%A9").await;
        assert_eq!(
            (r.status, r.location()),
            (StatusCode::SEE_OTHER, "/staff/%C3%A9")
        );
        // The public registration form: name, e-mail, phone.
        let path = format!("/events/{e}/sessions/{s}/register");
        for field in ["name", "email", "phone"] {
            for (poison, says) in POISONS {
                let mut c = Client::default();
                let form = app.get(&mut c, &path).await;
                let key = form_key(&form.body);
                let value = match field {
                    "email" => format!("anne{poison}@example.org"),
                    "phone" => format!("06 12 34 56 78{poison}"),
                    _ => format!("Anne{poison} Martin"),
                };
                let mut fields = vec![
                    ("name", "Anne"),
                    ("email", "anne@example.org"),
                    ("seats", "1"),
                    ("key", key.as_str()),
                ];
                match fields.iter_mut().find(|(k, _)| *k == field) {
                    Some(f) => f.1 = &value,
                    None => fields.push((field, &value)),
                }
                let r = app.post(&mut c, &path, &fields).await;
                if field == "phone" && poison == "\u{202e}" {
                    // A phone is digits and separators: refused as such.
                    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
                    continue;
                }
                assert_next_to(&r, &format!("register {field} {poison:?}"), field, says);
            }
        }
        let seats = app
            .store
            .seat_state(
                app.library_id,
                almanach_store::Target::Session(SessionId(s)),
            )
            .await
            .unwrap();
        assert!(
            app.store
                .list_registrations(app.library_id, seats.target)
                .await
                .unwrap()
                .is_empty(),
            "no registration stored"
        );
        // The API: the same rule, the same codes.
        let secret = "secret-api-text";
        let staff = app
            .add_staff("api@mediatheque.test", Role::Coordinator)
            .await;
        let hash = almanach_web::sha256_hex(secret);
        let actor = almanach_store::Actor {
            library_id: app.library_id,
            staff_id: Some(staff),
            label: "api@mediatheque.test".into(),
        };
        app.store
            .create_api_token(&actor, "texte", Role::Coordinator, &hash)
            .await
            .unwrap();
        let r = app
            .api(
                "POST",
                "/api/v1/events",
                Some(secret),
                Some(json!({"title": "Atelier\u{202e}", "description": "a\u{1b}b\nc"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let j = r.json();
        assert_eq!(j["error"]["fields"][0]["field"], "title");
        assert_eq!(j["error"]["fields"][0]["code"], "error.bidi_chars");
        assert_eq!(j["error"]["fields"][1]["field"], "description");
        assert_eq!(j["error"]["fields"][1]["code"], "error.control_chars");
        let r = app
            .api(
                "POST",
                "/api/v1/rooms",
                Some(secret),
                Some(json!({"name": "Salle\u{0}A"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(
            r.json()["error"]["fields"][0]["code"],
            "error.control_chars"
        );
    }
);
