//! The setup pages: series, themes, speakers, team, API tokens, library
//! settings, audit trail. Each form refuses bad input next to the field and
//! saves nothing; each role sees and does only what it may.

use almanach_domain::ids::SessionId;
use almanach_domain::programme::SessionKind;
use almanach_domain::staff::Role;
use almanach_store::{Actor, SessionWrite, Speaker, Theme};
use axum::http::StatusCode;
use sha2::{Digest, Sha256};

use crate::app::{Response, TestApp};
use crate::http_test;

const H: i64 = 3600;
const DAY: i64 = 24 * H;
/// Saturday 18 January 2025, 14 h in Paris.
const T0: i64 = 1_737_205_200;

/// A published event with one session at `start`, on `theme` and led by `speaker`.
async fn session(
    app: &TestApp,
    title: &str,
    start: i64,
    theme: Option<i64>,
    speaker: Option<i64>,
) -> SessionId {
    let _actor = Actor::system(app.library_id, "test");
    let event_id =
        almanach_store::testing::published_event(&app.store, app.library_id, title).await;
    let w = SessionWrite {
        kind: SessionKind::Talk,
        local_date: String::new(),
        theme_ids: theme.into_iter().collect(),
        speaker_ids: speaker.into_iter().collect(),
        ..almanach_store::testing::session_at(event_id, start, start + H)
    };
    almanach_store::testing::saved_session(&app.store, app.library_id, &w).await
}

/// The table row of `body` that mentions `text`.
fn row<'a>(body: &'a str, text: &str) -> &'a str {
    body.split("<tr")
        .find(|r| r.contains(text))
        .unwrap_or_else(|| panic!("no row with {text:?} in {body}"))
}

fn error_of<'a>(r: &'a Response, field: &str) -> &'a str {
    let marker = format!("id=\"e-{field}\">");
    let i = r
        .body
        .find(&marker)
        .unwrap_or_else(|| panic!("no error next to {field}: {}", r.body));
    let rest = &r.body[i + marker.len()..];
    &rest[..rest.find('<').unwrap()]
}

// ---------------------------------------------------------------- series

const SERIES: &[(&str, &str)] = &[
    ("name", "Samedis de l'innovation"),
    (
        "description",
        "Une rencontre et des ateliers, un samedi par mois.",
    ),
    ("default_kind", "workshop"),
    ("duration", "120"),
    ("capacity", "12"),
    ("age_min", "8"),
    ("age_max", "14"),
    ("registration_policy", "workshops_only"),
    ("colour", "#C0392B"),
];

fn with<'a>(
    base: &[(&'a str, &'a str)],
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    base.iter()
        .map(|(k, v)| {
            (
                *k,
                changes
                    .iter()
                    .find(|(c, _)| c == k)
                    .map_or(*v, |(_, nv)| *nv),
            )
        })
        .collect()
}

http_test!(
    async fn a_coordinator_creates_a_series_shown_with_its_colour_kind_and_policy(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, "/staff/series/new").await;
        let r = app.post(&mut c, "/staff/series/new", SERIES).await;
        assert_eq!(
            (r.status, r.location()),
            (StatusCode::SEE_OTHER, "/staff/series?done=created"),
            "{}",
            r.body
        );
        let s = &app.store.list_series(app.library_id).await.unwrap()[0];
        assert_eq!(
            (s.default_kind, s.duration_minutes, s.capacity),
            (SessionKind::Workshop, Some(120), Some(12))
        );
        assert_eq!(
            (s.age_min, s.age_max, s.colour.as_str()),
            (Some(8), Some(14), "#c0392b")
        );
        let r = app.get(&mut c, "/staff/series?done=created").await;
        let line = row(&r.body, "Samedis de l&#39;innovation");
        assert!(line.contains("class=\"swatch c-c0392b\""), "{line}");
        assert!(
            line.contains("Atelier") && line.contains("Inscription pour les ateliers seulement"),
            "{line}"
        );
        assert!(line.contains("8\u{a0}à\u{a0}14\u{a0}ans"), "{line}");
        // Editing keeps the id and records before and after.
        let path = format!("/staff/series/{}", s.id);
        app.get(&mut c, &path).await;
        let r = app
            .post(&mut c, &path, &with(SERIES, &[("capacity", "16")]))
            .await;
        assert_eq!(r.location(), "/staff/series?done=saved");
        assert_eq!(
            app.store
                .series(app.library_id, s.id)
                .await
                .unwrap()
                .capacity,
            Some(16)
        );
    }
);

http_test!(
    async fn series_errors_are_shown_next_to_their_field_and_nothing_is_saved(app: TestApp) {
        let mut c = app.signed_in(Role::Admin).await;
        app.get(&mut c, "/staff/series/new").await;
        let r = app
            .post(
                &mut c,
                "/staff/series/new",
                &with(
                    SERIES,
                    &[("age_min", "14"), ("age_max", "8"), ("colour", "rouge")],
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error_of(&r, "age_max"),
            "L'âge maximum doit être supérieur ou égal à l'âge minimum.".replace('\'', "&#39;")
        );
        assert!(error_of(&r, "colour").starts_with("Couleur invalide"));
        assert!(
            r.body.contains("value=\"rouge\"") && r.body.contains("value=\"14\""),
            "what was typed is kept"
        );
        assert!(
            r.body
                .contains("<option value=\"workshops_only\" selected>"),
            "the chosen policy is kept"
        );
        assert!(
            app.store
                .list_series(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
        // A name already taken.
        app.post(&mut c, "/staff/series/new", SERIES).await;
        app.get(&mut c, "/staff/series/new").await;
        let r = app.post(&mut c, "/staff/series/new", SERIES).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_of(&r, "name"), "Ce nom est déjà utilisé.");
        assert_eq!(
            app.store.list_series(app.library_id).await.unwrap().len(),
            1
        );
    }
);

// ---------------------------------------------------------------- themes

http_test!(
    async fn a_mediator_files_a_theme_under_categories_and_the_list_filters_by_them(app: TestApp) {
        let lead = app
            .add_staff("claire@mediatheque.test", Role::Mediator)
            .await;
        let mut c = app.signed_in(Role::Mediator).await;
        let r = app.get(&mut c, "/staff/themes/new").await;
        assert!(
            r.body.contains("Société et éthique") && r.body.contains("claire"),
            "categories and staff offered"
        );
        let lead_s = lead.to_string();
        let fields = [
            ("title", "Créer des images avec l'IA"),
            ("categories", "image"),
            ("categories", "societe-ethique"),
            ("leads", &lead_s),
        ];
        let r = app.post(&mut c, "/staff/themes/new", &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        app.post(
            &mut c,
            "/staff/themes/new",
            &[("title", "Écrire avec ChatGPT"), ("categories", "texte")],
        )
        .await;
        let themes = app.store.list_themes(app.library_id).await.unwrap();
        let images = themes
            .iter()
            .find(|t| t.theme.title.starts_with("Créer"))
            .unwrap();
        assert_eq!(images.theme.categories, ["image", "societe-ethique"]);
        assert_eq!(
            app.store
                .theme(app.library_id, images.theme.id)
                .await
                .unwrap()
                .lead_ids,
            [lead]
        );
        session(&app, "Point de l'IA", T0, Some(images.theme.id), None).await;
        let r = app.get(&mut c, "/staff/themes").await;
        let line = row(&r.body, "Créer des images");
        assert!(
            line.contains("Image, Société et éthique") && line.contains("<td>1</td>"),
            "{line}"
        );
        assert!(
            line.contains("samedi 18 janvier 2025"),
            "last session date: {line}"
        );
        let r = app.get(&mut c, "/staff/themes?category=image").await;
        assert!(r.body.contains("Créer des images") && !r.body.contains("Écrire avec ChatGPT"));
        let r = app.get(&mut c, "/staff/themes?category=texte").await;
        assert!(!r.body.contains("Créer des images") && r.body.contains("Écrire avec ChatGPT"));
    }
);

http_test!(
    async fn a_tampered_category_is_refused_next_to_the_categories(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, "/staff/themes/new").await;
        let r = app
            .post(
                &mut c,
                "/staff/themes/new",
                &[
                    ("title", "Deepfakes"),
                    ("categories", "video"),
                    ("categories", "astrologie"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error_of(&r, "categories"),
            "Catégorie inconnue : astrologie."
        );
        assert!(
            r.body.contains("value=\"video\" checked"),
            "the ticked boxes stay ticked"
        );
        assert!(r.body.contains("value=\"Deepfakes\""));
        // A lead that was never offered (another library's staff, a typo'd id).
        let r = app
            .post(
                &mut c,
                "/staff/themes/new",
                &[("title", "Deepfakes"), ("leads", "9999")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_of(&r, "leads").starts_with("Élément introuvable"));
        assert!(
            app.store
                .list_themes(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

http_test!(
    async fn the_theme_history_lists_every_session_and_marks_the_replays(app: TestApp) {
        let actor = Actor::system(app.library_id, "test");
        let theme = Theme {
            title: "Détecter les fausses images".into(),
            ..Default::default()
        };
        let id = app.store.save_theme(&actor, &theme).await.unwrap();
        let first = session(&app, "Séance annulée", T0, Some(id), None).await;
        app.store
            .set_session_cancelled(&actor, first, true)
            .await
            .unwrap();
        session(&app, "Première fois", T0 + 7 * DAY, Some(id), None).await;
        session(&app, "Deuxième fois", T0 + 14 * DAY, Some(id), None).await;
        session(&app, "Troisième fois", T0 + 400 * DAY, Some(id), None).await;
        session(&app, "Autre thème", T0 + 21 * DAY, None, None).await;
        let mut c = app.signed_in(Role::Viewer).await;
        let r = app.get(&mut c, &format!("/staff/themes/{id}")).await;
        assert_eq!(r.status, StatusCode::OK);
        let cancelled = row(&r.body, "Séance annulée");
        assert!(
            cancelled.contains("class=\"cancelled\"")
                && cancelled.contains("<s>samedi 18 janvier 2025, 14 h – 15 h</s>"),
            "{cancelled}"
        );
        assert!(
            !cancelled.contains("rediffusion"),
            "a cancelled session replays nothing: {cancelled}"
        );
        assert!(
            !row(&r.body, "Première fois").contains("rediffusion"),
            "the first one given is the original"
        );
        assert!(row(&r.body, "Deuxième fois").contains("rediffusion"));
        assert!(
            row(&r.body, "Troisième fois").contains("rediffusion"),
            "future sessions too"
        );
        assert!(!r.body.contains("Autre thème"));
        assert!(
            !r.body.contains(&format!("/staff/themes/{id}/edit")),
            "a viewer gets no edit link"
        );
    }
);

// ---------------------------------------------------------------- speakers

http_test!(
    async fn speakers_e_mail_is_checked_and_their_sessions_listed(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, "/staff/speakers/new").await;
        let r = app
            .post(
                &mut c,
                "/staff/speakers/new",
                &[("name", "Ada Martin"), ("email", "ada martin@labo.fr")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_of(&r, "email"), "Adresse e-mail invalide.");
        assert!(r.body.contains("value=\"Ada Martin\""));
        assert!(
            app.store
                .list_speakers(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
        let r = app
            .post(
                &mut c,
                "/staff/speakers/new",
                &[
                    ("name", "Ada Martin"),
                    ("organisation", "Labo IA"),
                    ("email", "ada@labo.fr"),
                ],
            )
            .await;
        assert_eq!(r.location(), "/staff/speakers?done=created");
        let ada = app.store.list_speakers(app.library_id).await.unwrap()[0].id;
        let other = Speaker {
            name: "Bob".into(),
            ..Default::default()
        };
        let bob = app
            .store
            .save_speaker(&Actor::system(app.library_id, "test"), &other)
            .await
            .unwrap();
        session(
            &app,
            "Samedi de l'innovation : IA et musique",
            T0,
            None,
            Some(ada),
        )
        .await;
        session(&app, "Atelier de Bob", T0 + DAY, None, Some(bob)).await;
        let mut v = app.signed_in(Role::Viewer).await;
        let r = app.get(&mut v, &format!("/staff/speakers/{ada}")).await;
        assert_eq!(r.status, StatusCode::OK, "everyone reads speakers");
        assert!(
            r.body.contains("IA et musique") && !r.body.contains("Atelier de Bob"),
            "{}",
            r.body
        );
    }
);

http_test!(
    async fn a_viewer_cannot_edit_series_themes_or_speakers(app: TestApp) {
        let mut c = app.signed_in(Role::Viewer).await;
        for (form, post) in [
            ("/staff/series", "/staff/series/new"),
            ("/staff/themes", "/staff/themes/new"),
            ("/staff/speakers", "/staff/speakers/new"),
        ] {
            let r = app.get(&mut c, form).await;
            assert_eq!(r.status, StatusCode::OK, "{form}");
            assert!(!r.body.contains(post), "no create button on {form}");
            assert_eq!(
                app.get(&mut c, post).await.status,
                StatusCode::FORBIDDEN,
                "{post}"
            );
            let r = app
                .post(
                    &mut c,
                    post,
                    &[
                        ("name", "Pirate"),
                        ("title", "Pirate"),
                        ("colour", "#000000"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{post}");
        }
        assert!(
            app.store
                .list_series(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            app.store
                .list_themes(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            app.store
                .list_speakers(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

// ---------------------------------------------------------------- team

http_test!(
    async fn an_admin_adds_a_member_who_can_then_sign_in(app: TestApp) {
        let mut c = app.signed_in(Role::Admin).await;
        app.get(&mut c, "/staff/team/new").await;
        let member = [
            ("email", "Nora@Mediatheque.test"),
            ("name", "Nora"),
            ("role", "mediator"),
            ("password", "court"),
        ];
        let r = app.post(&mut c, "/staff/team/new", &member).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error_of(&r, "password"),
            "Le mot de passe doit compter au moins 10 caractères."
        );
        assert!(
            r.body.contains("value=\"Nora@Mediatheque.test\"")
                && !r.body.contains("value=\"court\""),
            "the password is not sent back"
        );
        assert!(
            app.store
                .staff_by_email("nora@mediatheque.test")
                .await
                .unwrap()
                .is_none()
        );
        let member = [
            ("email", "Nora@Mediatheque.test"),
            ("name", "Nora"),
            ("role", "mediator"),
            ("password", "une phrase de passe"),
        ];
        let r = app.post(&mut c, "/staff/team/new", &member).await;
        assert_eq!(r.location(), "/staff/team?done=created", "{}", r.body);
        let nora = app
            .store
            .staff_by_email("nora@mediatheque.test")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((nora.role, nora.active), (Role::Mediator, true));
        app.sign_in("nora@mediatheque.test", "une phrase de passe")
            .await;
        // The e-mail is taken now, whatever its case.
        app.get(&mut c, "/staff/team/new").await;
        let r = app
            .post(
                &mut c,
                "/staff/team/new",
                &[
                    ("email", "nora@mediatheque.test"),
                    ("name", "Autre Nora"),
                    ("role", "viewer"),
                    ("password", "encore une phrase"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error_of(&r, "email"),
            "Cette adresse e-mail est déjà celle d&#39;un membre de l&#39;équipe."
        );
        assert_eq!(app.store.list_staff(app.library_id).await.unwrap().len(), 2);
        // Deactivated, she can no longer sign in; her password changed on the way.
        let path = format!("/staff/team/{}", nora.id);
        app.get(&mut c, &path).await;
        let r = app
            .post(
                &mut c,
                &path,
                &[
                    ("name", "Nora B."),
                    ("role", "coordinator"),
                    ("password", "nouvelle phrase longue"),
                ],
            )
            .await;
        assert_eq!(r.location(), "/staff/team?done=saved", "{}", r.body);
        let nora = app
            .store
            .staff_by_id(app.library_id, nora.id)
            .await
            .unwrap();
        assert_eq!(
            (nora.name.as_str(), nora.role, nora.active),
            ("Nora B.", Role::Coordinator, false)
        );
        let mut stranger = Client::default();
        app.get(&mut stranger, "/staff/sign-in").await;
        let r = app
            .post(
                &mut stranger,
                "/staff/sign-in",
                &[
                    ("email", "nora@mediatheque.test"),
                    ("password", "nouvelle phrase longue"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
);

http_test!(
    async fn an_admin_cannot_lock_themself_out(app: TestApp) {
        let mut c = app.signed_in(Role::Admin).await;
        let me = app
            .store
            .staff_by_email("admin@mediatheque.test")
            .await
            .unwrap()
            .unwrap();
        let path = format!("/staff/team/{}", me.id);
        app.get(&mut c, &path).await;
        let r = app
            .post(&mut c, &path, &[("name", "admin"), ("role", "viewer")])
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error_of(&r, "role"),
            "Vous ne pouvez pas retirer votre propre rôle d&#39;administrateur."
        );
        assert_eq!(
            error_of(&r, "active"),
            "Vous ne pouvez pas désactiver votre propre compte."
        );
        let me = app.store.staff_by_id(app.library_id, me.id).await.unwrap();
        assert_eq!((me.role, me.active), (Role::Admin, true));
        // Renaming oneself is fine.
        let r = app
            .post(
                &mut c,
                &path,
                &[("name", "Camille"), ("role", "admin"), ("active", "on")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
);

http_test!(
    async fn a_mediator_cannot_manage_staff_nor_edit_the_library(app: TestApp) {
        let mut c = app.signed_in(Role::Mediator).await;
        let r = app.get(&mut c, "/staff").await;
        assert!(
            !r.body.contains("/staff/team") && !r.body.contains("/staff/library"),
            "not in the menu"
        );
        assert_eq!(
            app.get(&mut c, "/staff/team").await.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            app.get(&mut c, "/staff/team/new").await.status,
            StatusCode::FORBIDDEN
        );
        let r = app
            .post(
                &mut c,
                "/staff/team/new",
                &[
                    ("email", "intrus@x.fr"),
                    ("name", "Intrus"),
                    ("role", "admin"),
                    ("password", "mot de passe long"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(
            app.store
                .staff_by_email("intrus@x.fr")
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            app.get(&mut c, "/staff/library").await.status,
            StatusCode::FORBIDDEN
        );
        let r = app
            .post(
                &mut c,
                "/staff/library",
                &[("name", "Piratée"), ("timezone", "Europe/Paris")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.store.library(app.library_id).await.unwrap().name,
            "Ma médiathèque"
        );
    }
);

// ---------------------------------------------------------------- library

http_test!(
    async fn library_settings_are_checked_then_saved(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        let r = app.get(&mut c, "/staff/library").await;
        assert!(
            r.body.contains("Noël") && r.body.contains("Fête nationale"),
            "the coming holidays are shown"
        );
        let bad = [
            ("name", "Médiathèque Jacques-Prévert"),
            ("timezone", "Europe/Lutèce"),
            (
                "opening_hours",
                "mardi 10:00-18:00\nsamedi toute la journée",
            ),
            ("closing_days", ""),
        ];
        let r = app.post(&mut c, "/staff/library", &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_of(&r, "timezone").starts_with("Fuseau horaire inconnu"));
        assert!(error_of(&r, "opening_hours").starts_with("Ligne 2 illisible"));
        assert!(
            r.body.contains("samedi toute la journée</textarea>"),
            "what was typed is kept"
        );
        assert_eq!(
            app.store.library(app.library_id).await.unwrap().name,
            "Ma médiathèque"
        );
        let good = [
            ("name", "Médiathèque Jacques-Prévert"),
            ("timezone", "Europe/Paris"),
            ("opening_hours", "mar 10h-18h\nsam 10h-17h30"),
            ("closing_days", "2025-08-01 2025-08-20"),
        ];
        let r = app.post(&mut c, "/staff/library", &good).await;
        assert_eq!(r.location(), "/staff/library?done=saved", "{}", r.body);
        let lib = app.store.library(app.library_id).await.unwrap();
        assert_eq!(lib.name, "Médiathèque Jacques-Prévert");
        assert_eq!(lib.opening_hours, "mardi 10:00-18:00\nsamedi 10:00-17:30");
    }
);

// ---------------------------------------------------------------- tokens

fn shown_token(body: &str) -> String {
    let i = body.find("<code>").expect("the token is shown") + "<code>".len();
    body[i..i + body[i..].find("</code>").unwrap()].to_string()
}

fn sha256(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

http_test!(
    async fn a_token_is_shown_once_works_and_only_its_owner_revokes_it(app: TestApp) {
        let mut c = app.signed_in(Role::Mediator).await;
        let r = app.get(&mut c, "/staff/tokens").await;
        assert!(
            !r.body.contains("value=\"coordinator\""),
            "only grantable roles are offered"
        );
        let r = app
            .post(
                &mut c,
                "/staff/tokens",
                &[("name", "Site de la ville"), ("role", "coordinator")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            error_of(&r, "role"),
            "Vous ne pouvez pas attribuer ce rôle."
        );
        assert!(r.body.contains("value=\"Site de la ville\""));
        assert!(
            app.store
                .list_api_tokens(app.library_id)
                .await
                .unwrap()
                .is_empty()
        );

        let r = app
            .post(
                &mut c,
                "/staff/tokens",
                &[("name", "Site de la ville"), ("role", "viewer")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "the page itself, no redirect carrying the token"
        );
        assert!(
            r.body
                .contains("Copiez-le maintenant, il ne sera plus affiché.")
        );
        assert_eq!(r.headers.get("cache-control").unwrap(), "no-store");
        let token = shown_token(&r.body);
        assert_eq!(token.len(), 64);
        let (who, role, _) = app
            .store
            .api_token_identity(&sha256(&token))
            .await
            .unwrap()
            .expect("the token works");
        assert_eq!(
            (who.email.as_str(), role),
            ("mediator@mediatheque.test", Role::Viewer)
        );
        let r = app.get(&mut c, "/staff/tokens").await;
        assert!(!r.body.contains(&token), "shown once only");
        let line = row(&r.body, "Site de la ville");
        assert!(
            line.contains("lecture seule")
                && line.contains("mediator")
                && line.contains("Révoquer"),
            "{line}"
        );

        let id = app.store.list_api_tokens(app.library_id).await.unwrap()[0].id;
        let revoke = format!("/staff/tokens/{id}/revoke");
        app.add_staff("autre@mediatheque.test", Role::Mediator)
            .await;
        let mut other = app.sign_in("autre@mediatheque.test", PASSWORD).await;
        let r = app.get(&mut other, "/staff/tokens").await;
        assert!(
            !r.body.contains(&revoke),
            "no revoke button on someone else's token"
        );
        assert_eq!(
            app.post(&mut other, &revoke, &[]).await.status,
            StatusCode::FORBIDDEN
        );
        assert!(
            app.store
                .api_token_identity(&sha256(&token))
                .await
                .unwrap()
                .is_some()
        );

        let r = app.post(&mut c, &revoke, &[]).await;
        assert_eq!(r.location(), "/staff/tokens?done=revoked");
        assert!(
            app.store
                .api_token_identity(&sha256(&token))
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(
            app.get(&mut app.signed_in(Role::Viewer).await, "/staff/tokens")
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
);

// ---------------------------------------------------------------- audit

http_test!(
    async fn the_audit_trail_shows_what_changed_through_the_interface(app: TestApp) {
        let mut c = app.signed_in(Role::Coordinator).await;
        app.get(&mut c, "/staff/rooms/new").await;
        app.post(
            &mut c,
            "/staff/rooms/new",
            &[
                ("name", "Auditorium"),
                ("capacity", "120"),
                ("equipment", "Micros"),
            ],
        )
        .await;
        app.post(&mut c, "/staff/speakers/new", &[("name", "Ada")])
            .await;
        let room = app.store.list_rooms(app.library_id).await.unwrap()[0].id;
        let path = format!("/staff/rooms/{room}");
        app.post(
            &mut c,
            &path,
            &[
                ("name", "Auditorium"),
                ("capacity", "100"),
                ("equipment", "Micros"),
            ],
        )
        .await;
        let r = app.get(&mut c, "/staff/audit").await;
        assert_eq!(r.status, StatusCode::OK);
        let rows: Vec<&str> = r.body.split("<tr").skip(2).collect();
        assert_eq!(
            rows.len(),
            4,
            "the room twice, the speaker, and the coordinator's own account"
        );
        assert!(
            rows[0].contains("modification") && rows[0].contains("coordinator@mediatheque.test"),
            "newest first: {}",
            rows[0]
        );
        assert!(
            rows[0].contains("capacity</span> <del>120</del> → <ins>100</ins>"),
            "{}",
            rows[0]
        );
        assert!(
            !rows[0].contains("equipment") && !rows[0].contains("Auditorium</"),
            "unchanged keys are left out: {}",
            rows[0]
        );
        assert!(rows[1].contains("intervenant"));
        let r = app
            .get(&mut c, &format!("/staff/audit?entity=room&id={room}"))
            .await;
        assert_eq!(
            r.body.split("<tr").skip(2).count(),
            2,
            "only that room's entries"
        );
        assert!(!r.body.contains("Ada"));
        let mut m = app.signed_in(Role::Mediator).await;
        assert_eq!(
            app.get(&mut m, "/staff/audit").await.status,
            StatusCode::FORBIDDEN
        );
    }
);
