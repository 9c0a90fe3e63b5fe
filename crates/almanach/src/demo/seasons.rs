//! The demo's seasons, one function per part of the programme, in the order
//! they are loaded (ids, and so the demo's derived figures, follow it).

use almanach_domain::calendar::public_holiday;
use almanach_domain::programme::SessionKind::{Appointment, Other, Talk, Workshop};
use almanach_domain::programme::{EventStatus, season_of};
use almanach_store::Theme;
use anyhow::Result;
use jiff::ToSpan;
use jiff::civil::{Date, Weekday, date};

use super::cast::Cast;
use super::kit::{
    AI_THEMES, DIMANCHES, Demo, MEDIA_TECH, POINTS_IA, POINTS_NUMERIQUE, S, SAMEDIS, nth_weekday,
    t, weekly,
};

/// The Samedis' topics and speakers, shared by the seed's seasons and the current one.
fn samedi_topics(c: &Cast) -> [(&'static str, i64); 13] {
    [
        ("L'IA au service de la création graphique", c.fontaine),
        ("Robotique : programmer un robot", c.nguyen),
        ("Vrai ou faux ? L'IA et l'image", c.fakeoff),
        ("Start-up du territoire : l'IA au travail", c.cm101),
        ("Musique générée : qui est l'auteur ?", c.cm101),
        ("Réalité virtuelle en famille", c.ogone),
        ("Coder un jeu vidéo", c.nguyen),
        ("Créer son avatar", c.fontaine),
        ("Les IA qui parlent", c.rodriguez),
        ("Illustrer un conte avec l'IA", c.fontaine),
        ("Modéliser en 3D", c.nguyen),
        ("Informer à l'heure de l'IA", c.fakeoff),
        ("Entraîner sa propre IA", c.rodriguez),
    ]
}

/// A Samedi de l'innovation on `day`: a talk at 14 h, then a workshop for
/// 20 from 10 years old at 16 h, both with `speaker` and on `themes`.
async fn samedi(
    d: &Demo<'_>,
    c: &Cast,
    day: Date,
    (title, speaker): (&str, i64),
    themes: &[i64],
    status: EventStatus,
) -> Result<()> {
    d.event_in(
        &SAMEDIS,
        title,
        "Une rencontre à 14 h, puis un atelier sur inscription à 16 h.",
        status,
        &[
            S::new(Talk, day, t(14, 0), t(15, 30), c.auditorium)
                .speakers(&[speaker])
                .themes(themes)
                .leads(&[c.claire]),
            S::new(Workshop, day, t(16, 0), t(17, 30), c.digital)
                .registration(20)
                .ages(Some(10), None, false)
                .speakers(&[speaker])
                .themes(themes)
                .leads(&[c.hugo]),
        ],
    )
    .await?;
    Ok(())
}

/// A Dimanche de l'innovation on `day` with a speaker of the territory: a
/// talk at 14 h, then a workshop for 16 at 15 h 30.
async fn dimanche(
    d: &Demo<'_>,
    c: &Cast,
    day: Date,
    (title, speaker): (&str, i64),
    description: &str,
    status: EventStatus,
) -> Result<()> {
    d.event_in(
        &DIMANCHES,
        title,
        description,
        status,
        &[
            S::new(Talk, day, t(14, 0), t(15, 0), c.auditorium)
                .speakers(&[speaker])
                .leads(&[c.claire]),
            S::new(Workshop, day, t(15, 30), t(17, 30), c.digital)
                .registration(16)
                .speakers(&[speaker])
                .leads(&[c.hugo]),
        ],
    )
    .await?;
    Ok(())
}

/// The order in which themes come back as replays.
fn replay_order() -> Vec<usize> {
    (0..AI_THEMES.len())
        .map(|i| (i * 17 + 2) % AI_THEMES.len())
        .collect()
}

/// The Dimanches de l'innovation of 2023-24: the four Sundays of the posters, and the other months.
pub(super) async fn dimanches_2023(d: &Demo<'_>, c: &Cast) -> Result<()> {
    let published = EventStatus::Published;
    d.event_in(&DIMANCHES, "Découvrez la réalité virtuelle", "Tentez des expériences inédites. Ateliers interactifs animés par Ogône. Entrée libre et gratuite.", published,
        &[S::new(Workshop, date(2024, 2, 18), t(14, 0), t(18, 0), c.digital).ages(Some(14), None, false).speakers(&[c.ogone]).leads(&[c.hugo])]).await?;
    d.event_in(
        &DIMANCHES,
        "Info/infos : l'information bousculée par l'intelligence artificielle ?",
        "Conférence et ateliers animés par Fake off. Entrée libre et gratuite.",
        published,
        &[
            S::new(Talk, date(2024, 3, 17), t(14, 0), t(15, 30), c.auditorium)
                .ages(Some(11), None, false)
                .speakers(&[c.fakeoff])
                .themes(&[c.themes[7].0])
                .leads(&[c.claire]),
            S::new(
                Workshop,
                date(2024, 3, 17),
                t(16, 0),
                t(17, 30),
                c.auditorium,
            )
            .ages(Some(11), None, false)
            .speakers(&[c.fakeoff])
            .themes(&[c.themes[6].0])
            .leads(&[c.claire]),
        ],
    )
    .await?;
    d.event_in(&DIMANCHES, "Créez votre IA !", "Conférence-débat et ateliers animés par Camillo Rodriguez, fondateur de Machine Learning Lab. Ateliers sur inscription.", published, &[
        S::new(Talk, date(2024, 5, 19), t(14, 0), t(15, 0), c.auditorium).speakers(&[c.rodriguez]).leads(&[c.ines]),
        S::new(Workshop, date(2024, 5, 19), t(15, 0), t(16, 0), c.digital).registration(12).speakers(&[c.rodriguez]).leads(&[c.ines]),
    ]).await?;
    d.event_in(
        &DIMANCHES,
        "Invente ton histoire avec une IA : crée un ebook personnalisé et musical",
        "Animé par Ari Kouts, consultant en innovation. Entrée gratuite sans inscription.",
        published,
        &[
            S::new(Workshop, date(2024, 6, 16), t(14, 0), t(18, 0), c.digital)
                .ages(Some(4), Some(10), true)
                .speakers(&[c.kouts])
                .themes(&[c.themes[28].0])
                .leads(&[c.hugo]),
        ],
    )
    .await?;
    for (day, title, speaker) in [
        (
            date(2023, 10, 15),
            "L'IA, c'est quoi ? Démonstrations de start-up",
            c.cm101,
        ),
        (
            date(2023, 11, 19),
            "Imprimer en 3D, de l'idée à l'objet",
            c.nguyen,
        ),
        (
            date(2023, 12, 17),
            "Musique et IA : composer en famille",
            c.cm101,
        ),
        (date(2024, 1, 21), "Robots en famille", c.nguyen),
        (date(2024, 4, 21), "Dessiner avec une IA", c.fontaine),
    ] {
        dimanche(
            d,
            c,
            day,
            (title, speaker),
            "Rencontre et ateliers avec un intervenant du territoire.",
            published,
        )
        .await?;
    }

    Ok(())
}

/// The Points du numérique of 2023-24: one short session per theme.
pub(super) async fn points_du_numerique_2023(d: &Demo<'_>, c: &Cast) -> Result<()> {
    let published = EventStatus::Published;
    let classic = [
        "Débuter avec un ordinateur",
        "Gérer ses mots de passe",
        "Ranger ses photos",
        "Faire ses démarches en ligne",
        "Sécuriser son smartphone",
        "Utiliser une messagerie",
        "Créer un tableau",
        "Réserver un billet de train",
        "Découvrir ChatGPT",
        "Reconnaître une arnaque",
        "Partager des fichiers",
        "Faire une visioconférence",
    ];
    let mut classic_ids = Vec::new();
    for title in classic {
        let id = match AI_THEMES.iter().position(|(t, _)| *t == title) {
            Some(i) => c.themes[i].0,
            None => {
                d.store
                    .save_theme(
                        &d.actor,
                        &Theme {
                            title: title.into(),
                            categories: vec!["outils-quotidien".into()],
                            ..Theme::default()
                        },
                    )
                    .await?
            }
        };
        classic_ids.push(id);
    }
    for (i, day) in weekly(date(2023, 9, 13), date(2024, 6, 26), Weekday::Wednesday)
        .into_iter()
        .enumerate()
        .take(classic_ids.len() * 2)
    {
        if i % 2 == 1 {
            continue; // every other week
        }
        let theme = classic_ids[i / 2];
        d.event_in(
            &POINTS_NUMERIQUE,
            classic[i / 2],
            "Atelier d'une heure, entrée libre.",
            published,
            &[S::new(Workshop, day, t(15, 0), t(16, 0), c.digital)
                .themes(&[theme])
                .leads(&[[c.hugo, c.ines][i / 2 % 2]])],
        )
        .await?;
    }

    Ok(())
}

/// The Points de l'IA of 2024-25: a new theme each week, 2 to 4 sessions on it.
pub(super) async fn points_ia_2024(d: &Demo<'_>, c: &Cast) -> Result<()> {
    let published = EventStatus::Published;
    let days = [
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Friday,
        Weekday::Saturday,
    ];
    let weeks = weekly(date(2024, 9, 10), date(2025, 7, 12), Weekday::Tuesday);
    for (k, monday_ish) in weeks.iter().enumerate().take(AI_THEMES.len()) {
        let (theme, lead) = c.themes[k];
        let n = 2 + k % 3;
        let mut sessions = Vec::new();
        for wd in days.iter().take(n) {
            let day = monday_ish.checked_add(i32::from(wd.to_monday_zero_offset() - 1).days())?;
            if public_holiday(day).is_some() {
                continue;
            }
            let (a, b) = if *wd == Weekday::Saturday {
                (t(11, 0), t(12, 0))
            } else {
                (t(16, 0), t(17, 0))
            };
            sessions.push(
                S::new(Workshop, day, a, b, c.digital)
                    .themes(&[theme])
                    .leads(&[lead]),
            );
        }
        d.event_in(
            &POINTS_IA,
            AI_THEMES[k].0,
            "Point de l'IA : une heure pour découvrir et essayer. Entrée libre.",
            published,
            &sessions,
        )
        .await?;
    }

    Ok(())
}

/// The Samedis de l'innovation: nine in 2024, four from January to April 2025.
pub(super) async fn samedis_2024(d: &Demo<'_>, c: &Cast) -> Result<()> {
    let published = EventStatus::Published;
    let samedi_topics = samedi_topics(c);
    let months = [
        (2024, 1),
        (2024, 2),
        (2024, 3),
        (2024, 4),
        (2024, 6),
        (2024, 9),
        (2024, 10),
        (2024, 11),
        (2024, 12),
        (2025, 1),
        (2025, 2),
        (2025, 3),
        (2025, 4),
    ];
    for (i, (y, m)) in months.into_iter().enumerate() {
        let day = nth_weekday(y, m, Weekday::Saturday, 2);
        let (title, speaker) = samedi_topics[i];
        let theme = c.themes[(i * 7) % c.themes.len()].0;
        samedi(d, c, day, (title, speaker), &[theme], published).await?;
    }

    Ok(())
}

/// The Points de l'IA of 2025-26: twice a week, new themes and replays of the most followed.
pub(super) async fn points_ia_2025(d: &Demo<'_>, c: &Cast) -> Result<()> {
    let published = EventStatus::Published;
    let replay_order = replay_order();
    let mut k = 0;
    for wd in [Weekday::Wednesday, Weekday::Saturday] {
        for day in weekly(date(2025, 9, 10), date(2026, 6, 27), wd) {
            let (theme, lead) = c.themes[replay_order[k % replay_order.len()]];
            let (a, b) = if wd == Weekday::Saturday {
                (t(11, 0), t(12, 0))
            } else {
                (t(16, 0), t(17, 0))
            };
            let title = AI_THEMES[replay_order[k % replay_order.len()]].0;
            d.event_in(
                &POINTS_IA,
                title,
                "Point de l'IA : présentation, démonstration et expérimentation.",
                published,
                &[S::new(Workshop, day, a, b, c.digital)
                    .themes(&[theme])
                    .leads(&[lead])],
            )
            .await?;
            k += 1;
        }
    }

    Ok(())
}

/// The Semaine du numérique, 8 to 13 December 2025.
pub(super) async fn semaine_2025(d: &Demo<'_>, c: &Cast) -> Result<()> {
    let published = EventStatus::Published;
    d.event(
        c.semaine,
        "Table ronde : créer avec l'IA",
        "Artistes, auteurs et spécialistes débattent de la création à l'heure de l'IA.",
        published,
        &[
            S::new(Talk, date(2025, 12, 9), t(18, 0), t(19, 30), c.auditorium)
                .speakers(&[c.fontaine, c.rodriguez])
                .themes(&[c.themes[23].0])
                .leads(&[c.claire]),
        ],
    )
    .await?;
    d.event(
        c.semaine,
        "Démonstrations : réalité virtuelle et robots",
        "En continu, venez essayer.",
        published,
        &[
            S::new(Other, date(2025, 12, 10), t(14, 0), t(15, 45), c.auditorium)
                .speakers(&[c.ogone, c.nguyen])
                .leads(&[c.hugo]),
        ],
    )
    .await?;
    d.event(
        c.semaine,
        "Rencontre d'auteur : écrire avec (ou contre) l'IA",
        "Lecture et discussion.",
        published,
        &[
            S::new(Talk, date(2025, 12, 12), t(18, 0), t(19, 30), c.auditorium)
                .themes(&[c.themes[1].0])
                .leads(&[c.ines]),
        ],
    )
    .await?;
    d.event(
        c.semaine,
        "Atelier : fabriquer sa carte de vœux avec l'IA",
        "Atelier familial sur inscription.",
        published,
        &[
            S::new(Workshop, date(2025, 12, 13), t(14, 0), t(16, 0), c.digital)
                .registration(12)
                .ages(Some(7), Some(12), true)
                .themes(&[c.themes[16].0])
                .leads(&[c.hugo]),
        ],
    )
    .await?;

    Ok(())
}

/// The Ateliers de la Méd'IA Tech: one course over three Saturdays (robotics) and single workshops.
pub(super) async fn media_tech_2025(d: &Demo<'_>, c: &Cast) -> Result<()> {
    let published = EventStatus::Published;
    let robot_days = [date(2026, 1, 10), date(2026, 1, 17), date(2026, 1, 24)];
    let robot: Vec<S> = robot_days
        .iter()
        .map(|day| {
            S::new(Workshop, *day, t(14, 0), t(16, 0), c.digital)
                .registration(10)
                .ages(Some(10), Some(14), false)
                .speakers(&[c.nguyen])
                .leads(&[c.hugo])
        })
        .collect();
    d.event_in(
        &MEDIA_TECH,
        "Robotique et IA (cycle de trois samedis)",
        "Un parcours en trois séances : construire, programmer, entraîner son robot.",
        published,
        &robot,
    )
    .await?;
    for (day, title, theme) in [
        (date(2025, 11, 15), "Création graphique et IA", 16),
        (date(2026, 3, 14), "Modélisation 3D assistée par l'IA", 39),
        (date(2026, 5, 16), "Programmer avec un assistant IA", 19),
    ] {
        d.event_in(
            &MEDIA_TECH,
            title,
            "Atelier sur inscription, à partir de 12 ans.",
            published,
            &[S::new(Workshop, day, t(14, 0), t(16, 0), c.digital)
                .registration(12)
                .ages(Some(12), None, false)
                .themes(&[c.themes[theme].0])
                .leads(&[c.ines])],
        )
        .await?;
    }

    Ok(())
}

/// The current season, whatever today is: twice-weekly Points de l'IA,
/// monthly Samedis and Dimanches de l'innovation (drafts beyond two
/// months). The seasons before are the seed's own.
pub(super) async fn current_season(d: &Demo<'_>, c: &Cast) -> Result<()> {
    let published = EventStatus::Published;
    let today = d.today;
    let replay_order = replay_order();
    let samedi_topics = samedi_topics(c);
    let (season_year, _) = season_of(today);
    let (from, to) = (date(season_year, 9, 1), date(season_year + 1, 6, 30));
    if season_year >= 2026 {
        let mut k = 0;
        for wd in [Weekday::Wednesday, Weekday::Saturday] {
            for day in weekly(from, to, wd) {
                let i = replay_order[(k + 5) % replay_order.len()];
                let (a, b) = if wd == Weekday::Saturday {
                    (t(11, 0), t(12, 0))
                } else {
                    (t(16, 0), t(17, 0))
                };
                d.event_in(
                    &POINTS_IA,
                    AI_THEMES[i].0,
                    "Point de l'IA : une heure pour découvrir et essayer.",
                    published,
                    &[S::new(Workshop, day, a, b, c.digital)
                        .themes(&[c.themes[i].0])
                        .leads(&[c.themes[i].1])],
                )
                .await?;
                k += 1;
            }
        }
    }
    if season_year >= 2025 {
        let planned = |day: Date| -> Result<EventStatus> {
            Ok(if day > today.checked_add(60.days())? {
                EventStatus::Draft
            } else {
                published
            })
        };
        for (i, m) in [10, 11, 12, 1, 2, 3, 4, 5].into_iter().enumerate() {
            let y = if m >= 9 { season_year } else { season_year + 1 };
            let day = nth_weekday(y, m, Weekday::Saturday, 2);
            let (title, speaker) = samedi_topics[(i + 3) % samedi_topics.len()];
            samedi(d, c, day, (title, speaker), &[], planned(day)?).await?;
        }
        let sunday_topics = [
            ("Réalité virtuelle : voyager sans bouger", c.ogone),
            ("L'information à l'épreuve de l'IA", c.fakeoff),
            ("Créez votre IA !", c.rodriguez),
            ("Un livre animé avec l'IA", c.kouts),
            ("Start-up du territoire : l'IA au travail", c.cm101),
            ("Robots en famille", c.nguyen),
            ("Dessiner avec une IA", c.fontaine),
            ("Imprimer en 3D, de l'idée à l'objet", c.nguyen),
            ("Musique et IA : composer en famille", c.cm101),
        ];
        for (i, m) in [10, 11, 12, 1, 2, 3, 4, 5, 6].into_iter().enumerate() {
            let y = if m >= 9 { season_year } else { season_year + 1 };
            let day = nth_weekday(y, m, Weekday::Sunday, 3);
            let (title, speaker) = sunday_topics[i];
            dimanche(
                d,
                c,
                day,
                (title, speaker),
                "Rencontre et ateliers avec un intervenant du territoire. Entrée libre, ateliers sur inscription.",
                planned(day)?,
            )
            .await?;
        }
    }
    Ok(())
}

/// Individual appointments on Tuesdays, from four weeks ago to eight weeks on.
pub(super) async fn appointments(d: &Demo<'_>, c: &Cast) -> Result<()> {
    let published = EventStatus::Published;
    let today = d.today;
    for day in weekly(
        today.checked_sub(28.days())?,
        today.checked_add(56.days())?,
        Weekday::Tuesday,
    ) {
        d.event(
            c.rdv,
            "Accompagnement individuel à l'IA",
            "Sur rendez-vous, pour les abonnés.",
            published,
            &[S::new(Appointment, day, t(10, 0), t(11, 0), c.digital)
                .registration(1)
                .leads(&[c.ines])],
        )
        .await?;
    }
    Ok(())
}
