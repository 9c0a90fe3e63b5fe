//! The demo's cast: the team, the rooms, the two series that do not change
//! with the season, the 44 themes with their leads, and the speakers.

use almanach_domain::programme::{RegistrationPolicy, SessionKind};
use almanach_store::{Room, Theme};
use anyhow::{Context, Result};

use super::kit::{AI_THEMES, DEMO_PASSWORD, Demo, TEAM};
use almanach_web::hash_password;

/// Who and where every season draws on.
pub(super) struct Cast {
    pub claire: i64,
    pub hugo: i64,
    pub ines: i64,
    pub auditorium: i64,
    pub digital: i64,
    /// The Semaine du numérique 2025 and the individual appointments.
    pub semaine: i64,
    pub rdv: i64,
    /// Each AI theme's id and its lead, in `AI_THEMES` order.
    pub themes: Vec<(i64, i64)>,
    pub ogone: i64,
    pub kouts: i64,
    pub fakeoff: i64,
    pub rodriguez: i64,
    pub cm101: i64,
    pub fontaine: i64,
    pub nguyen: i64,
}

/// Hires the team, opens the rooms, names the series, themes and speakers.
pub(super) async fn hire(d: &Demo<'_>) -> Result<Cast> {
    let store = d.store;
    // The team of six, and an administrator for the demo.
    let hash = hash_password(DEMO_PASSWORD);
    let mut team = Vec::new();
    for (email, name, role) in TEAM {
        team.push(
            store
                .create_staff(&d.actor, email, name, role, &hash)
                .await
                .context("demo team")?,
        );
    }
    let (claire, hugo, ines) = (team[1], team[2], team[3]);

    let auditorium = store
        .save_room(
            &d.actor,
            &Room {
                id: 0,
                name: "Auditorium".into(),
                capacity: Some(120),
                equipment: "Vidéoprojecteur, sonorisation, deux micros HF".into(),
                step_free: true,
            },
        )
        .await?;
    let digital = store
        .save_room(&d.actor, &Room { id: 0, name: "Espace numérique".into(), capacity: Some(20), equipment: "12 ordinateurs portables, 8 tablettes, 4 casques de réalité virtuelle, imprimante 3D".into(), step_free: true })
        .await?;

    let semaine = d.series("Semaine du numérique 2025", "Du 8 au 13 décembre 2025 : tables rondes, ateliers, démonstrations, auteurs et spécialistes.", SessionKind::Talk, 90, RegistrationPolicy::WorkshopsOnly, "#be185d").await?;
    let rdv = d
        .series(
            "Accompagnement individuel",
            "Une heure en tête-à-tête avec un médiateur, sur rendez-vous, pour les abonnés.",
            SessionKind::Appointment,
            60,
            RegistrationPolicy::Required,
            "#6b7280",
        )
        .await?;

    let mut themes = Vec::new();
    for (i, (title, cats)) in AI_THEMES.iter().enumerate() {
        let lead = [hugo, ines, claire][i % 3];
        let th = Theme {
            title: (*title).into(),
            categories: cats.split(',').map(str::to_string).collect(),
            lead_ids: vec![lead],
            materials: "Diaporama, comptes de démonstration".into(),
            ..Theme::default()
        };
        themes.push((store.save_theme(&d.actor, &th).await?, lead));
    }

    let ogone = d
        .speaker(
            "Ogône",
            "Ogône",
            "Expériences de réalité virtuelle, ateliers interactifs.",
        )
        .await?;
    let kouts = d
        .speaker(
            "Ari Kouts",
            "Consultant en innovation",
            "Atelier ebook musical pour enfants.",
        )
        .await?;
    let fakeoff = d
        .speaker(
            "Fake off",
            "Association d'éducation aux médias",
            "Conférence et ateliers sur l'information et l'IA.",
        )
        .await?;
    let rodriguez = d
        .speaker(
            "Camillo Rodriguez",
            "Machine Learning Lab",
            "Fondateur ; conférence-débat et ateliers « Créez votre IA ! ».",
        )
        .await?;
    let cm101 = d
        .speaker(
            "Cité de l'innovation – CM101",
            "Incubateur de start-up du territoire",
            "Partenaire local : démonstrations de start-up.",
        )
        .await?;
    let fontaine = d
        .speaker(
            "Léa Fontaine",
            "Illustratrice",
            "Création graphique et IA générative.",
        )
        .await?;
    let nguyen = d
        .speaker(
            "Thomas Nguyen",
            "Développeur indépendant",
            "Programmation, robotique éducative.",
        )
        .await?;
    Ok(Cast {
        claire,
        hugo,
        ines,
        auditorium,
        digital,
        semaine,
        rdv,
        themes,
        ogone,
        kouts,
        fakeoff,
        rodriguez,
        cm101,
        fontaine,
        nguyen,
    })
}
