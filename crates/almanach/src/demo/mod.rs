//! The demo season, modelled on the médiathèque of the seed talk: its rooms,
//! series, 44 AI themes, the four Sundays of its posters, a team of six, and
//! sessions from 2023 through the current season so every page has something
//! to show, whatever today's date.

use almanach_store::{Actor, Store};
use anyhow::Result;
use jiff::civil::Date;

mod activity;
mod cast;
mod kit;
mod seasons;

pub use kit::{DEMO_ADMIN, DEMO_PASSWORD};
use kit::{Demo, TEAM};

/// For `serve --demo`: load the demo on an empty database, then say how to sign in.
pub async fn serve_demo(store: &Store) -> Result<()> {
    let empty = store.staff_count().await? == 0
        && store
            .list_series(store.default_library().await?.id)
            .await?
            .is_empty();
    if empty {
        println!("Chargement de la saison de démonstration…");
        load(store).await?;
    } else if store.staff_by_email(DEMO_ADMIN).await?.is_none() {
        println!(
            "La base n'est pas vide : la démonstration n'est pas chargée (utilisez `almanach user add`)."
        );
        return Ok(());
    }
    println!("Démonstration — connectez-vous avec {DEMO_ADMIN} / {DEMO_PASSWORD}");
    print!("{}", team_text());
    Ok(())
}

/// The team as the console shows it, each role in the words of the staff
/// pages (one wording per role: the interface's own, not gendered).
pub fn team_text() -> String {
    let tr = almanach_web::Tr::new(almanach_domain::Lang::Fr);
    let mut out = String::from("L'équipe, même mot de passe :\n");
    for (email, name, role) in &TEAM[1..] {
        out.push_str(&format!(
            "  {email} — {name}, {}\n",
            tr.t(almanach_web::role_key(*role))
        ));
    }
    out
}

/// Loads the demo around today; false when it was already there.
pub async fn load(store: &Store) -> Result<bool> {
    let library = store.default_library().await?;
    let today = jiff::Zoned::now().with_time_zone(library.tz()).date();
    load_on(store, today).await
}

/// Loads the demo as if `today` were today: its current season is the one
/// `today` falls in. False when it was already there (its administrator
/// exists).
pub async fn load_on(store: &Store, today: Date) -> Result<bool> {
    let mut library = store.default_library().await?;
    if store.staff_by_email(DEMO_ADMIN).await?.is_some() {
        return Ok(false);
    }
    let actor = Actor::system(library.id, "demo");
    library.name = "Médiathèque L'Apostrophe".into();
    // « l'équipe de la Médiathèque L'Apostrophe »; an address for the
    // event pages' schema.org location and for the public.
    library.name_article = almanach_domain::french::Article::La;
    library.street_address = "12 place de la République".into();
    library.postal_code = "86000".into();
    library.city = "Poitiers".into();
    library.country = "FR".into();
    library.opening_hours = "mardi 10:00-19:00\nmercredi 10:00-18:00\njeudi 14:00-18:00\nvendredi 14:00-19:00\nsamedi 10:00-18:00\ndimanche 14:00-18:00".into();
    library.closing_days = "2024-07-29 2024-08-17\n2025-07-28 2025-08-16\n2025-12-24 2025-12-26\n2026-07-27 2026-08-15".into();
    store.update_library(&actor, &library).await?;
    // Today's instant, moved to `today` when the demo is built around another day.
    let real_today = jiff::Zoned::now().with_time_zone(library.tz()).date();
    let now = almanach_store::now() + i64::from(real_today.until(today)?.get_days()) * 86_400;
    let d = Demo {
        store,
        actor,
        library,
        today,
        now,
    };

    let c = cast::hire(&d).await?;
    seasons::dimanches_2023(&d, &c).await?;
    seasons::points_du_numerique_2023(&d, &c).await?;
    seasons::points_ia_2024(&d, &c).await?;
    seasons::samedis_2024(&d, &c).await?;
    seasons::points_ia_2025(&d, &c).await?;
    seasons::semaine_2025(&d, &c).await?;
    seasons::media_tech_2025(&d, &c).await?;
    seasons::current_season(&d, &c).await?;
    seasons::appointments(&d, &c).await?;
    activity::registrations(&d, c.digital, &[c.nguyen], &[c.hugo]).await?;
    activity::past_attendance(&d).await?;
    activity::logistics(&d, &[c.ogone, c.fakeoff, c.fontaine, c.nguyen]).await?;
    activity::costs(&d).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::kit::{AI_THEMES, weekly};
    use super::*;
    use jiff::civil::{Weekday, date};

    #[test]
    fn forty_four_themes_with_known_categories() {
        assert_eq!(AI_THEMES.len(), 44);
        for (title, cats) in AI_THEMES {
            let cats: Vec<String> = cats.split(',').map(str::to_string).collect();
            assert!(
                almanach_domain::programme::parse_categories(&cats).is_ok(),
                "{title}"
            );
        }
    }

    #[test]
    fn weekly_dates_skip_holidays() {
        let d = weekly(date(2025, 4, 1), date(2025, 4, 30), Weekday::Monday);
        assert!(!d.contains(&date(2025, 4, 21)), "Easter Monday skipped");
        assert_eq!(d.len(), 3);
    }

    /// Issue 9: one cost model. In the demo's seasons (the current one to
    /// date, the ones before whole) every breakdown's costs add up to the
    /// key figure's total, the review's series rows to theirs, and each
    /// speaker's record is their line of the breakdown by speaker.
    #[tokio::test]
    async fn the_demo_s_figures_agree() {
        use almanach_domain::stats::{Dimension, Period};
        let store = almanach_store::testing::fresh_store(almanach_store::Backend::Sqlite)
            .await
            .unwrap();
        load(&store).await.unwrap();
        let lib = store.default_library().await.unwrap().id;
        let scope = almanach_store::Scope::library(lib);
        let (now, _) = almanach_domain::programme::season_of(store.today(scope).await.unwrap());
        for year in now - 2..=now {
            let season = Period::Season(year);
            let r = store.report(scope, &season, true).await.unwrap();
            let total = r.total.cost_cents;
            for by in Dimension::ALL {
                let lines = store.breakdown(scope, &season, by).await.unwrap();
                let sum: i64 = lines.iter().map(|l| l.tally.cost_cents).sum();
                assert_eq!(sum, total, "{year} by {by:?}");
                if by == Dimension::Series {
                    for row in &r.series {
                        let line = lines.iter().find(|l| l.key == row.series).unwrap();
                        assert_eq!(line.tally.cost_cents, row.cost_cents, "{:?}", row.series);
                    }
                }
            }
        }
        assert!(
            store
                .report(scope, &Period::Season(now), false)
                .await
                .unwrap()
                .total
                .cost_cents
                > 0,
            "this season has costs"
        );
        let all = Period::Range {
            from: date(1900, 1, 1),
            to: date(2999, 12, 31),
        };
        let by_speaker = store
            .breakdown(scope, &all, Dimension::Speaker)
            .await
            .unwrap();
        for sp in store.list_speakers(lib).await.unwrap() {
            let record = store.speaker_cost(lib, sp.id).await.unwrap();
            let line = by_speaker
                .iter()
                .find(|l| l.key.as_deref() == Some(sp.name.as_str()));
            assert_eq!(
                (record.cents, record.participants),
                line.map_or((0, 0), |l| (l.tally.cost_cents, l.tally.participants)),
                "{}",
                sp.name
            );
        }
    }

    #[tokio::test]
    async fn the_demo_loads_once_with_the_seed_posters() {
        let store = almanach_store::testing::fresh_store(almanach_store::Backend::Sqlite)
            .await
            .unwrap();
        assert!(load(&store).await.unwrap());
        assert!(!load(&store).await.unwrap(), "idempotent");
        let lib = store.default_library().await.unwrap().id;
        let series = store.list_series(lib).await.unwrap();
        for name in [
            "Dimanches de l'innovation 2023-2024",
            "Samedis de l'innovation 2023-2024",
            "Samedis de l'innovation 2024-2025",
            "Points du numérique 2023-2024",
            "Points de l'IA 2024-2025",
            "Points de l'IA 2025-2026",
            "Semaine du numérique 2025",
        ] {
            assert!(series.iter().any(|s| s.name == name), "{name}");
        }
        assert!(store.list_themes(lib).await.unwrap().len() >= 44);
        assert_eq!(store.list_staff(lib).await.unwrap().len(), 7);
        // The poster of Sunday 18 February: 14 h – 18 h, from 14, Ogône.
        let feb18 = store
            .list_sessions(
                lib,
                &almanach_store::SessionFilter {
                    from: Some(1_708_210_800),
                    to: Some(1_708_297_200),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(feb18.len(), 1);
        assert_eq!(feb18[0].age_min, Some(14));
        assert_eq!(crate::demo::tests::local_hour(feb18[0].starts_at), 14);
        // Future sessions exist, whatever today is.
        let now = almanach_store::now();
        let future = store
            .list_sessions(
                lib,
                &almanach_store::SessionFilter {
                    from: Some(now),
                    limit: Some(5),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(!future.is_empty());
        // Past sessions are counted, a few not; the future is not.
        let season = almanach_domain::stats::Period::parse_season("2024-2025").unwrap();
        let r = store
            .report(almanach_store::Scope::library(lib), &season, false)
            .await
            .unwrap();
        assert!(r.total.participants > 500, "{:?}", r.total);
        assert!(r.total.under_14 > 0 && r.total.under_14 < r.total.participants);
        assert!(
            r.total.uncounted_sessions > 0 && r.total.uncounted_sessions < r.total.sessions / 5
        );
        assert!(r.total.avg_per_talk.unwrap() > r.total.avg_per_workshop.unwrap());
        assert!(r.total.cost_eur > 0.0);
        for s in &future {
            assert_eq!(
                store
                    .attendance(lib, s.id)
                    .await
                    .unwrap()
                    .headcount
                    .participants,
                None
            );
        }
        // Registrations: a full workshop with a waiting list, and a course.
        let coming = almanach_store::AgendaFilter {
            now,
            ..Default::default()
        };
        let agenda = store.agenda(lib, &coming).await.unwrap();
        assert!(
            agenda
                .iter()
                .any(|i| i.seats.waiting > 0 && i.seats.offer.free() == Some(0)),
            "a full workshop with a waiting list"
        );
        assert!(agenda.iter().any(
            |i| matches!(i.seats.target, almanach_store::Target::Course(_))
                && i.seats.offer.taken == 4
        ));
        assert!(
            agenda
                .iter()
                .any(|i| i.seats.settings.opens_at.is_some_and(|at| at > now)),
            "registration opening soon"
        );
        // Technical needs on the coming sessions, and a pipeline.
        let today = jiff::Zoned::now()
            .with_time_zone(almanach_domain::calendar::paris())
            .date();
        assert!(
            !store
                .it_board(lib, &almanach_store::BoardFilter::default(), today)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.prospects(lib, None).await.unwrap().len(), 3);
    }

    fn local_hour(at: i64) -> i8 {
        jiff::Timestamp::from_second(at)
            .unwrap()
            .to_zoned(almanach_domain::calendar::paris())
            .hour()
    }
}
