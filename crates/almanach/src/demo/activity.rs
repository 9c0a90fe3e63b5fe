//! What happened in the demo's seasons: registrations, head counts, IT
//! preparation and costs.

use almanach_domain::calendar::local_to_instant;
use almanach_domain::ids::EventId;
use almanach_domain::programme::{EventStatus, SessionKind};
use anyhow::{Context, Result};
use jiff::ToSpan;
use jiff::civil::{Date, Weekday};

use super::kit::{Demo, MEDIA_TECH, S, t};

/// Head counts for every session already past, so the reports have
/// something to say: varied but reproducible (derived from the session's
/// id), children at the family workshops, a few sessions nobody counted,
/// and speakers' fees on the talks of the Sundays and Saturdays.
pub(super) async fn past_attendance(d: &Demo<'_>) -> Result<()> {
    use almanach_domain::attendance::Headcount;
    let lib = d.library.id;
    let past = almanach_store::SessionFilter {
        to: Some(d.now),
        ..Default::default()
    };
    for s in d.store.list_sessions(lib, &past).await? {
        let spread = |range: u32| {
            u32::try_from(
                s.id.get()
                    .wrapping_mul(2_654_435_761)
                    .rem_euclid(i64::from(range)),
            )
            .expect("small")
        };
        if s.id.get() % 17 == 0 && s.kind != SessionKind::Appointment {
            continue; // not counted
        }
        let festive = s
            .series_name
            .as_deref()
            .is_some_and(|n| n.contains("innovation"));
        let participants = match s.kind {
            SessionKind::Appointment => 1,
            SessionKind::Talk if festive => 40 + spread(50),
            SessionKind::Talk | SessionKind::Other => 20 + spread(25),
            SessionKind::Workshop if festive => 12 + spread(9),
            SessionKind::Workshop => 1 + spread(6),
        };
        let participants = s.capacity.map_or(participants, |c| participants.min(c));
        let under_14 = match (s.age_max, s.kind) {
            (Some(max), _) if max < 14 => participants,
            (_, SessionKind::Appointment) => 0,
            _ if s.age_min.is_some_and(|m| m >= 14) => 0,
            _ => participants * spread(4) / 10,
        };
        let registered = s.registration_required.then(|| participants + spread(3));
        let present = registered.map(|_| participants);
        let h = Headcount::new(Some(participants), Some(under_14), registered, present)
            .map_err(|p| anyhow::anyhow!("{p:?}"))?;
        d.store.set_headcount_at(&d.actor, s.id, &h, d.now).await?;
        if festive && s.kind == SessionKind::Talk {
            d.store
                .set_session_cost(&d.actor, s.id, 30_000 + i64::from(spread(5)) * 5_000)
                .await?;
        }
    }
    Ok(())
}

/// Registrations in the coming weeks, whatever today is: a full workshop
/// with a waiting list, one whose registration opens in a few days, one
/// filling up, and a three-Saturday robotics course.
pub(super) async fn registrations(
    d: &Demo<'_>,
    room: i64,
    speakers: &[i64],
    leads: &[i64],
) -> Result<()> {
    use almanach_domain::registration::{EmailAddress, Party, RegistrationSettings};
    use almanach_store::{NewRegistration, Target};
    let (store, lib, tz) = (d.store, d.library.id, d.library.tz());
    let today = d.today;
    // The demo's people have no private link: their hashes match no token.
    let mut n = 0;
    let mut register = |target: Target, name: &str, seats: u32, ages: &[u8]| {
        n += 1;
        let email = format!(
            "{}@example.org",
            name.to_lowercase()
                .replace(' ', ".")
                .replace(['é', 'è'], "e")
                .replace('ï', "i")
        );
        let new = NewRegistration {
            target,
            party: Party {
                name: name.into(),
                email: EmailAddress::parse("email", &email).ok(),
                phone: String::new(),
                seats,
                ages: ages.to_vec(),
            },
            token_hash: format!("demo-link-{n}"),
            idempotency_hash: format!("demo-key-{n}"),
            by_staff: false,
            lang: almanach_domain::Lang::Fr,
            link_sealed: None,
        };
        async move { store.register(&d.actor, &new).await }
    };
    const PEOPLE: [&str; 12] = [
        "Nadia Benali",
        "Julien Marchand",
        "Sophie Leroy",
        "Karim Haddad",
        "Élodie Fournier",
        "Thomas Girard",
        "Aïcha Diallo",
        "Pierre Lambert",
        "Camille Roux",
        "Hugo Perrin",
        "Léa Morel",
        "Mathis Faure",
    ];
    let workshops: Vec<_> = store
        .registration_targets(lib, d.now)
        .await?
        .into_iter()
        .filter(|(s, course)| {
            !course && s.kind == SessionKind::Workshop && s.event_status == EventStatus::Published
        })
        .map(|(s, _)| s)
        .collect();
    if let Some(full) = workshops.first() {
        // Family seats, then more parties than seats: the last ones wait.
        store
            .set_registration_settings(
                &d.actor,
                full.id,
                &RegistrationSettings {
                    max_seats: 4,
                    ..Default::default()
                },
            )
            .await?;
        let capacity = full.capacity.unwrap_or(20);
        let mut taken = 0;
        for (i, name) in PEOPLE.iter().enumerate() {
            let seats = [2, 3, 1, 4, 2][i % 5];
            register(Target::Session(full.id), name, seats, &[11]).await?;
            taken += seats;
            if taken > capacity + 6 {
                break;
            }
        }
    }
    if let Some(soon) = workshops.get(1) {
        let opens = local_to_instant(&tz, today.checked_add(3.days())?, t(10, 0))
            .map_err(|p| anyhow::anyhow!("{p:?}"))?
            .as_second();
        if opens < soon.starts_at {
            store
                .set_registration_settings(
                    &d.actor,
                    soon.id,
                    &RegistrationSettings {
                        opens_at: Some(opens),
                        closes_at: None,
                        max_seats: 2,
                    },
                )
                .await?;
        }
    }
    if let Some(filling) = workshops.get(2) {
        for name in &PEOPLE[..4] {
            register(Target::Session(filling.id), name, 1, &[]).await?;
        }
    }
    // The course: three Saturdays from three weeks on, one registration for all.
    let mut first = today.checked_add(21.days())?;
    while first.weekday() != Weekday::Saturday {
        first = first.tomorrow()?;
    }
    let days: Vec<S> = (0..3)
        .map(|w| {
            S::new(
                SessionKind::Workshop,
                first.checked_add((7 * w).days()).expect("in range"),
                t(14, 0),
                t(16, 0),
                room,
            )
            .registration(10)
            .ages(Some(10), Some(14), false)
            .speakers(speakers)
            .leads(leads)
        })
        .collect();
    let course = d.event_in(&MEDIA_TECH, "Robotique et IA : le parcours (trois samedis)", "Construire, programmer puis entraîner son robot, en trois séances : une seule inscription pour les trois.", EventStatus::Published, &days).await?;
    store.set_course(&d.actor, EventId(course), true).await?;
    for name in &PEOPLE[4..8] {
        register(Target::Course(EventId(course)), name, 1, &[12]).await?;
    }
    Ok(())
}

/// Technical needs on the coming four weeks' sessions (some ready, one
/// with a problem), four speakers' profiles, the team's ratings and three
/// projects in the pipeline, so the IT board and the directory have
/// something to show.
pub(super) async fn logistics(d: &Demo<'_>, speakers: &[i64]) -> Result<()> {
    use almanach_domain::logistics::{NeedStatus, Provider};
    use almanach_domain::speakers::{Fees, Format, Profile, SpeakerKind, Stage};
    use almanach_store::{LogisticsSettings, NeedWrite, NewProspect, SpeakerRecord};
    let (store, lib) = (d.store, d.library.id);
    let settings = store.logistics_settings(lib).await?;
    store
        .save_logistics_settings(
            &d.actor,
            &LogisticsSettings {
                postcode: "93200".into(),
                ..settings
            },
        )
        .await?;
    let types = store.need_types(lib).await?;
    let ty = |name: &str| {
        types
            .iter()
            .find(|t| t.name == name)
            .map(|t| t.id)
            .context("a seeded need type")
    };
    let today = d.today;
    let from = local_to_instant(&d.library.tz(), today, t(0, 0))
        .map_err(|p| anyhow::anyhow!("{p:?}"))?
        .as_second();
    let coming = store
        .list_sessions(
            lib,
            &almanach_store::SessionFilter {
                from: Some(from),
                to: Some(from + 28 * 86_400),
                ..Default::default()
            },
        )
        .await?;
    for (i, s) in coming.iter().enumerate() {
        let asks: Vec<(&str, u32, &str)> = match s.kind {
            SessionKind::Talk => vec![
                ("Vidéoprojecteur", 1, ""),
                ("Micros", 2, "Un pour l'intervenant, un pour la salle"),
            ],
            SessionKind::Workshop if i % 3 == 0 => vec![
                (
                    "Ordinateurs portables",
                    12,
                    "Navigateur à jour, comptes invités",
                ),
                ("Compte d'outil d'IA", 1, "ChatGPT Plus"),
            ],
            SessionKind::Workshop => vec![("Tablettes", 8, "")],
            _ => vec![],
        };
        for (j, (name, quantity, details)) in asks.into_iter().enumerate() {
            let w = NeedWrite {
                need_type_id: ty(name)?,
                quantity,
                details: details.into(),
                provider: Provider::It,
                due_override: None,
            };
            let id = store.add_need(&d.actor, s.id, &w).await?;
            // Needs of the next days are mostly ready; one has a problem.
            let status = match (i + j) % 5 {
                0 | 1 => Some(NeedStatus::Ready),
                2 => Some(NeedStatus::Acknowledged),
                3 if i == 3 => Some(NeedStatus::Problem),
                _ => None,
            };
            if let Some(to) = status {
                let note = if to == NeedStatus::Problem {
                    "Deux licences manquent, commande en cours"
                } else {
                    ""
                };
                let _ = store.set_need_status(&d.actor, id, to, note).await?;
            }
        }
    }
    let profiles = [
        (
            SpeakerKind::Organisation,
            "Paris",
            "75011",
            vec!["image"],
            Fees {
                talk: Some(60_000),
                workshop: Some(45_000),
                day: Some(90_000),
            },
            "73282932000074",
        ),
        (
            SpeakerKind::Organisation,
            "Montreuil",
            "93100",
            vec!["societe-ethique", "texte"],
            Fees {
                talk: Some(35_000),
                workshop: Some(25_000),
                day: None,
            },
            "44306184100047",
        ),
        (
            SpeakerKind::Person,
            "Lyon",
            "69001",
            vec!["image"],
            Fees {
                talk: Some(40_000),
                workshop: None,
                day: Some(70_000),
            },
            "",
        ),
        (
            SpeakerKind::Person,
            "Saint-Denis",
            "93200",
            vec!["code"],
            Fees {
                talk: None,
                workshop: Some(20_000),
                day: None,
            },
            "",
        ),
    ];
    for (id, (kind, town, postcode, categories, fees, siret)) in speakers.iter().zip(profiles) {
        let mut rec: SpeakerRecord = store.speaker_record(lib, *id).await?;
        rec.profile = Profile {
            kind,
            town: town.into(),
            postcode: postcode.into(),
            categories: categories.into_iter().map(str::to_string).collect(),
            formats: vec![Format::Talk, Format::Workshop],
            fees,
            siret: siret.into(),
            vat: !siret.is_empty(),
            ..Profile::default()
        };
        store.save_speaker_record(&d.actor, &rec).await?;
        for (k, led) in store
            .speaker_sessions(lib, *id)
            .await?
            .iter()
            .filter(|l| l.participants.is_some())
            .take(2)
            .enumerate()
        {
            store
                .rate_speaker(
                    &d.actor,
                    led.session_id,
                    *id,
                    [5, 4][k],
                    ["Public conquis", "Très bien, un peu long"][k],
                )
                .await?;
        }
    }
    let projects = [
        (
            speakers[0],
            "Semaine du numérique : réalité virtuelle",
            &[Stage::Contacted, Stage::ProposalSent][..],
            5,
        ),
        (
            speakers[2],
            "Samedi de l'innovation : illustrer avec l'IA",
            &[Stage::Contacted][..],
            2,
        ),
        (speakers[3], "Ateliers robotique de printemps", &[][..], 9),
    ];
    for (speaker_id, project, steps, follow) in projects {
        let new = NewProspect {
            speaker_id,
            project: project.into(),
            event_id: None,
            on: today.checked_sub(20.days())?,
            next: Some((
                "Relancer par téléphone".into(),
                today.checked_add(i64::from(follow).days())?,
            )),
        };
        let id = store.create_prospect(&d.actor, &new).await?;
        for (n, to) in steps.iter().enumerate() {
            let on = today.checked_sub((15 - 5 * n as i64).days())?;
            let _ = store.move_prospect(&d.actor, id, *to, on, "").await?;
        }
    }
    Ok(())
}

/// The seed's paid AI tools (ChatGPT Plus, MidJourney, HeyGen, taken out
/// with IT), used by this season's sessions on their subjects; speakers'
/// travel and workshop materials as cost lines; and a budget for each
/// series spending in the season, so the costs pages, the speakers' cost
/// per participant and the season review have figures.
pub(super) async fn costs(d: &Demo<'_>) -> Result<()> {
    use almanach_domain::costs::{Billing, CostKind};
    use almanach_store::{CostLine, SessionFilter, Tool};
    let (store, lib) = (d.store, d.library.id);
    let today = d.today;
    let first = if today.month() >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    let season = format!("{first}-{}", first + 1);
    let (from, _) = almanach_store::season_dates(&season).context("a season")?;
    let from: Date = from.parse()?;
    let start = local_to_instant(&d.library.tz(), from, t(0, 0))
        .map_err(|p| anyhow::anyhow!("{p:?}"))?
        .as_second();
    let sessions = store
        .list_sessions(
            lib,
            &SessionFilter {
                from: Some(start),
                to: Some(d.now + 28 * 86_400),
                ..Default::default()
            },
        )
        .await?;
    let owner = store
        .staff_by_email("marc.lefevre@mediatheque.example")
        .await?
        .map(|m| m.id);
    let about = |words: &[&str]| -> Vec<i64> {
        sessions
            .iter()
            .filter(|s| {
                let title = s.event_title.to_lowercase();
                words.iter().any(|w| title.contains(w))
            })
            .map(|s| s.id.get())
            .collect()
    };
    let renewal = |days: i64| today.checked_add(days.days()).map(|d| d.to_string());
    let tools = [
        (
            "ChatGPT Plus",
            "OpenAI",
            "Plus",
            2_300,
            Billing::Monthly,
            2,
            renewal(18)?,
            about(&["chatgpt", "texte", "prompt", "assistant", "devoirs"]),
        ),
        (
            "MidJourney",
            "Midjourney Inc.",
            "Standard",
            2_800,
            Billing::Monthly,
            1,
            renewal(45)?,
            about(&["image", "bande dessinée", "illustr", "dessin"]),
        ),
        (
            "HeyGen",
            "HeyGen",
            "Creator",
            28_800,
            Billing::Yearly,
            1,
            renewal(200)?,
            about(&["vidéo", "avatar"]),
        ),
    ];
    for (name, provider, plan, cost_cents, billing, seats, renewal_on, session_ids) in tools {
        let tool = Tool {
            id: 0,
            name: name.into(),
            provider: provider.into(),
            plan: plan.into(),
            cost_cents,
            billing,
            seats: Some(seats),
            renewal_on: Some(renewal_on),
            owner_id: owner,
            notes: "Abonnement pris avec la DSI ; identifiants dans le coffre-fort.".into(),
            theme_ids: vec![],
            session_ids,
        };
        store.save_tool(&d.actor, &tool).await?;
    }
    let now = d.now;
    for s in sessions.iter().filter(|s| s.starts_at < now) {
        let festive = s
            .series_name
            .as_deref()
            .is_some_and(|n| n.contains("innovation"));
        let lines: Vec<(CostKind, i64, &str)> = match s.kind {
            SessionKind::Talk if !s.speaker_ids.is_empty() => {
                vec![(CostKind::Travel, 4_200, "Train aller-retour")]
            }
            SessionKind::Workshop if festive => vec![
                (CostKind::Materials, 6_500, "Kits et consommables"),
                (CostKind::Printing, 2_400, "Affiches et flyers"),
            ],
            _ => vec![],
        };
        for (kind, cents, note) in lines {
            let line = CostLine {
                id: 0,
                session_id: s.id,
                kind,
                cents,
                note: note.into(),
            };
            store.add_cost_line(&d.actor, &line).await?;
        }
    }
    for b in store
        .budgets(lib, &season)
        .await?
        .into_iter()
        .filter(|b| b.spent_cents > 0)
    {
        // A quarter more than spent so far, in hundreds of euros.
        let planned = (b.spent_cents * 5 / 4 / 10_000 + 1) * 10_000;
        store
            .set_budget(&d.actor, b.series_id, &season, planned)
            .await?;
    }
    Ok(())
}
