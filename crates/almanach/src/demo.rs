//! The demo season, modelled on the médiathèque of the seed talk: its rooms,
//! series, 44 AI themes, the four Sundays of its posters, a team of six, and
//! sessions from 2023 through the current season so every page has something
//! to show, whatever today's date.

use almanach_domain::calendar::{local_to_instant, public_holiday};
use almanach_domain::programme::{
    AttendanceMode, EventStatus, RegistrationPolicy, SessionKind, season_of,
};
use almanach_domain::staff::Role;
use almanach_store::{Actor, Event, Library, Room, Series, SessionWrite, Speaker, Store, Theme};
use almanach_web::hash_password;
use anyhow::{Context, Result};
use jiff::ToSpan;
use jiff::civil::{Date, Time, Weekday, date};

/// Every demo account signs in with this password, printed at start.
pub const DEMO_PASSWORD: &str = "almanach-demo";
pub const DEMO_ADMIN: &str = "admin@demo.almanach";

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

/// The demo's team: e-mail, name, role.
const TEAM: [(&str, &str, Role); 7] = [
    (DEMO_ADMIN, "Administratrice démo", Role::Admin),
    (
        "claire.martin@mediatheque.example",
        "Claire Martin",
        Role::Coordinator,
    ),
    (
        "hugo.bernard@mediatheque.example",
        "Hugo Bernard",
        Role::Mediator,
    ),
    (
        "ines.petit@mediatheque.example",
        "Inès Petit",
        Role::Mediator,
    ),
    ("marc.lefevre@mediatheque.example", "Marc Lefèvre", Role::It),
    (
        "sophie.moreau@mediatheque.example",
        "Sophie Moreau",
        Role::Communication,
    ),
    (
        "jean.dubois@mediatheque.example",
        "Jean Dubois",
        Role::Viewer,
    ),
];

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

struct Demo<'a> {
    store: &'a Store,
    actor: Actor,
    library: Library,
    /// The day the demo is built around (its "current season"), and that
    /// day's instant: sessions before it are past and counted.
    today: Date,
    now: i64,
}

/// A series that runs season after season: one series per season, named
/// after the season its sessions fall in, as the product labels seasons
/// (`season_of`: « Samedis de l'innovation 2024-2025 »).
struct Seasonal {
    base: &'static str,
    description: &'static str,
    kind: SessionKind,
    minutes: u32,
    policy: RegistrationPolicy,
    colour: &'static str,
}

const DIMANCHES: Seasonal = Seasonal {
    base: "Dimanches de l'innovation",
    description: "Une fois par mois, une rencontre et des ateliers avec des intervenants extérieurs.",
    kind: SessionKind::Workshop,
    minutes: 240,
    policy: RegistrationPolicy::WorkshopsOnly,
    colour: "#7b3fa0",
};
const SAMEDIS: Seasonal = Seasonal {
    base: "Samedis de l'innovation",
    description: "Un samedi par mois : une rencontre à 14 h, un atelier à 16 h, pour toucher les publics qui fréquentent la médiathèque.",
    kind: SessionKind::Talk,
    minutes: 90,
    policy: RegistrationPolicy::WorkshopsOnly,
    colour: "#c2410c",
};
const POINTS_NUMERIQUE: Seasonal = Seasonal {
    base: "Points du numérique",
    description: "Des ateliers courts (1 h) sur le numérique du quotidien, peu à peu ouverts à l'IA.",
    kind: SessionKind::Workshop,
    minutes: 60,
    policy: RegistrationPolicy::FreeEntry,
    colour: "#0f766e",
};
const POINTS_IA: Seasonal = Seasonal {
    base: "Points de l'IA",
    description: "Une heure pour découvrir l'IA : présentation, démonstration, expérimentation ; une nouvelle thématique chaque semaine et des reprises des plus suivies.",
    kind: SessionKind::Workshop,
    minutes: 60,
    policy: RegistrationPolicy::FreeEntry,
    colour: "#1d4ed8",
};
const MEDIA_TECH: Seasonal = Seasonal {
    base: "Ateliers de la Méd'IA Tech",
    description: "L'IA dans les ateliers de création graphique, de programmation, de robotique et de modélisation 3D.",
    kind: SessionKind::Workshop,
    minutes: 120,
    policy: RegistrationPolicy::Required,
    colour: "#4d7c0f",
};

/// The season label of a day: « 2024-2025 ».
fn season_label(day: Date) -> String {
    season_of(day).1
}

fn t(h: i8, m: i8) -> Time {
    Time::constant(h, m, 0, 0)
}

/// Session blueprint: what varies between demo sessions.
#[derive(Clone)]
struct S {
    kind: SessionKind,
    day: Date,
    start: Time,
    end: Time,
    room: Option<i64>,
    capacity: Option<u32>,
    ages: (Option<u8>, Option<u8>, bool),
    registration: bool,
    themes: Vec<i64>,
    speakers: Vec<i64>,
    leads: Vec<i64>,
}

impl S {
    fn new(kind: SessionKind, day: Date, start: Time, end: Time, room: i64) -> S {
        S {
            kind,
            day,
            start,
            end,
            room: Some(room),
            capacity: None,
            ages: (None, None, false),
            registration: false,
            themes: vec![],
            speakers: vec![],
            leads: vec![],
        }
    }
    fn registration(mut self, capacity: u32) -> S {
        self.registration = true;
        self.capacity = Some(capacity);
        self
    }
    fn ages(mut self, min: Option<u8>, max: Option<u8>, accompanied: bool) -> S {
        self.ages = (min, max, accompanied);
        self
    }
    fn themes(mut self, ids: &[i64]) -> S {
        self.themes = ids.to_vec();
        self
    }
    fn speakers(mut self, ids: &[i64]) -> S {
        self.speakers = ids.to_vec();
        self
    }
    fn leads(mut self, ids: &[i64]) -> S {
        self.leads = ids.to_vec();
        self
    }
}

impl Demo<'_> {
    /// The series of `spec` for the season `day` falls in, made the first time.
    async fn seasonal(&self, spec: &Seasonal, day: Date) -> Result<i64> {
        let name = format!("{} {}", spec.base, season_label(day));
        if let Some(s) = self.store.series_by_name(self.library.id, &name).await? {
            return Ok(s.id);
        }
        self.series(
            &name,
            spec.description,
            spec.kind,
            spec.minutes,
            spec.policy,
            spec.colour,
        )
        .await
    }

    async fn series(
        &self,
        name: &str,
        description: &str,
        kind: SessionKind,
        minutes: u32,
        policy: RegistrationPolicy,
        colour: &str,
    ) -> Result<i64> {
        let s = Series {
            name: name.into(),
            description: description.into(),
            default_kind: kind,
            duration_minutes: Some(minutes),
            registration_policy: policy,
            colour: colour.into(),
            ..Series::default()
        };
        Ok(self.store.save_series(&self.actor, &s).await?)
    }

    /// An event of the season series `spec`, in the series of the season
    /// its first session falls in.
    async fn event_in(
        &self,
        spec: &Seasonal,
        title: &str,
        description: &str,
        status: EventStatus,
        sessions: &[S],
    ) -> Result<i64> {
        let first = sessions.iter().map(|s| s.day).min().context("a session")?;
        let series = self.seasonal(spec, first).await?;
        self.event(series, title, description, status, sessions)
            .await
    }

    async fn speaker(&self, name: &str, organisation: &str, notes: &str) -> Result<i64> {
        let s = Speaker {
            name: name.into(),
            organisation: organisation.into(),
            notes: notes.into(),
            ..Speaker::default()
        };
        Ok(self.store.save_speaker(&self.actor, &s).await?)
    }

    async fn event(
        &self,
        series: i64,
        title: &str,
        description: &str,
        status: EventStatus,
        sessions: &[S],
    ) -> Result<i64> {
        let e = Event {
            id: 0,
            series_id: Some(series),
            title: title.into(),
            description: description.into(),
            picture_url: String::new(),
            status,
        };
        let id = self.store.save_event(&self.actor, &e).await?;
        let tz = self.library.tz();
        for s in sessions {
            let w = SessionWrite {
                event_id: id,
                kind: s.kind,
                starts_at: local_to_instant(&tz, s.day, s.start)
                    .map_err(|p| anyhow::anyhow!("{p:?}"))?
                    .as_second(),
                ends_at: local_to_instant(&tz, s.day, s.end)
                    .map_err(|p| anyhow::anyhow!("{p:?}"))?
                    .as_second(),
                local_date: s.day.to_string(),
                room_id: s.room,
                capacity: s.capacity,
                age_min: s.ages.0,
                age_max: s.ages.1,
                accompanied: s.ages.2,
                price_cents: 0,
                registration_required: s.registration,
                attendance_mode: AttendanceMode::InPerson,
                online_url: String::new(),
                theme_ids: s.themes.clone(),
                speaker_ids: s.speakers.clone(),
                lead_ids: s.leads.clone(),
            };
            if let Err(clash) = self.store.save_session(&self.actor, None, &w).await? {
                tracing::warn!(title, other = %clash.event_title, "demo session skipped: room taken");
            }
        }
        Ok(id)
    }
}

/// The 44 themes of the Points de l'IA, with their categories.
const AI_THEMES: [(&str, &str); 44] = [
    ("Découvrir ChatGPT", "texte,outils-quotidien"),
    ("Écrire une bonne consigne (prompt)", "texte"),
    ("Générer des images avec MidJourney", "image"),
    ("Créer un avatar vidéo avec HeyGen", "video"),
    ("Le Chat de Mistral, une IA française", "texte"),
    ("Copilot au quotidien", "outils-quotidien"),
    ("Reconnaître une image générée", "image,societe-ethique"),
    ("IA et désinformation", "societe-ethique"),
    ("Traduire avec DeepL", "texte,outils-quotidien"),
    ("Transcrire un enregistrement", "son,outils-quotidien"),
    ("Composer une chanson avec Suno", "son"),
    (
        "Cloner une voix : possibilités et dangers",
        "son,societe-ethique",
    ),
    ("Résumer un long document", "texte,outils-quotidien"),
    ("Préparer son CV avec l'IA", "texte,outils-quotidien"),
    ("IA et vie privée", "societe-ethique"),
    ("Retoucher ses photos", "image"),
    ("Créer une affiche avec Canva", "image"),
    ("Générer une vidéo à partir d'un texte", "video"),
    ("Apprendre une langue avec l'IA", "education"),
    ("Programmer avec un assistant IA", "code"),
    ("Créer un jeu avec Scratch et l'IA", "code,education"),
    ("Chercher autrement avec Perplexity", "recherche"),
    (
        "Interroger ses documents avec NotebookLM",
        "recherche,texte",
    ),
    ("IA et droit d'auteur", "societe-ethique"),
    ("Le coût environnemental de l'IA", "societe-ethique"),
    ("Organiser un voyage avec l'IA", "outils-quotidien"),
    (
        "Cuisiner avec ce qu'il reste dans le frigo",
        "outils-quotidien",
    ),
    ("Créer une bande dessinée", "image,texte"),
    ("Inventer une histoire pour enfants", "texte,education"),
    ("Découvrir Gemini", "texte"),
    ("Découvrir Claude", "texte"),
    (
        "Les agents IA, c'est quoi ?",
        "societe-ethique,outils-quotidien",
    ),
    ("Faire une présentation avec Gamma", "outils-quotidien"),
    ("IA et métiers de demain", "societe-ethique"),
    ("Identifier plantes et oiseaux", "image,recherche"),
    (
        "L'IA pour lire et écrire plus facilement",
        "outils-quotidien,education",
    ),
    ("Déjouer les arnaques dopées à l'IA", "societe-ethique"),
    ("Animer une photo ancienne", "image,video"),
    ("Coloriser des photos de famille", "image"),
    ("Dessiner un logo", "image"),
    ("Sous-titrer une vidéo", "video,son"),
    (
        "Comment fonctionne un grand modèle de langage ?",
        "societe-ethique,code",
    ),
    ("Aider aux devoirs sans tricher", "education"),
    ("Réaliser un podcast", "son"),
];

/// Dates of `weekday` from `from` to `to` inclusive, skipping public holidays
/// and the summer closure.
fn weekly(from: Date, to: Date, weekday: Weekday) -> Vec<Date> {
    let mut d = from;
    while d.weekday() != weekday {
        d = d.tomorrow().expect("in range");
    }
    let mut out = Vec::new();
    while d <= to {
        if public_holiday(d).is_none() && !(d.month() == 8 || (d.month() == 7 && d.day() > 14)) {
            out.push(d);
        }
        d = d.checked_add(7.days()).expect("in range");
    }
    out
}

/// The `n`th `weekday` of a month (1 = first).
fn nth_weekday(year: i16, month: i8, weekday: Weekday, n: i8) -> Date {
    date(year, month, 1)
        .nth_weekday_of_month(n, weekday)
        .expect("exists")
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

    use SessionKind::*;
    let published = EventStatus::Published;

    // Dimanches de l'innovation 2023-24: the four Sundays of the posters, and the other months.
    d.event_in(&DIMANCHES, "Découvrez la réalité virtuelle", "Tentez des expériences inédites. Ateliers interactifs animés par Ogône. Entrée libre et gratuite.", published,
        &[S::new(Workshop, date(2024, 2, 18), t(14, 0), t(18, 0), digital).ages(Some(14), None, false).speakers(&[ogone]).leads(&[hugo])]).await?;
    d.event_in(
        &DIMANCHES,
        "Info/infos : l'information bousculée par l'intelligence artificielle ?",
        "Conférence et ateliers animés par Fake off. Entrée libre et gratuite.",
        published,
        &[
            S::new(Talk, date(2024, 3, 17), t(14, 0), t(15, 30), auditorium)
                .ages(Some(11), None, false)
                .speakers(&[fakeoff])
                .themes(&[themes[7].0])
                .leads(&[claire]),
            S::new(Workshop, date(2024, 3, 17), t(16, 0), t(17, 30), auditorium)
                .ages(Some(11), None, false)
                .speakers(&[fakeoff])
                .themes(&[themes[6].0])
                .leads(&[claire]),
        ],
    )
    .await?;
    d.event_in(&DIMANCHES, "Créez votre IA !", "Conférence-débat et ateliers animés par Camillo Rodriguez, fondateur de Machine Learning Lab. Ateliers sur inscription.", published, &[
        S::new(Talk, date(2024, 5, 19), t(14, 0), t(15, 0), auditorium).speakers(&[rodriguez]).leads(&[ines]),
        S::new(Workshop, date(2024, 5, 19), t(15, 0), t(16, 0), digital).registration(12).speakers(&[rodriguez]).leads(&[ines]),
    ]).await?;
    d.event_in(
        &DIMANCHES,
        "Invente ton histoire avec une IA : crée un ebook personnalisé et musical",
        "Animé par Ari Kouts, consultant en innovation. Entrée gratuite sans inscription.",
        published,
        &[
            S::new(Workshop, date(2024, 6, 16), t(14, 0), t(18, 0), digital)
                .ages(Some(4), Some(10), true)
                .speakers(&[kouts])
                .themes(&[themes[28].0])
                .leads(&[hugo]),
        ],
    )
    .await?;
    for (day, title, speaker) in [
        (
            date(2023, 10, 15),
            "L'IA, c'est quoi ? Démonstrations de start-up",
            cm101,
        ),
        (
            date(2023, 11, 19),
            "Imprimer en 3D, de l'idée à l'objet",
            nguyen,
        ),
        (
            date(2023, 12, 17),
            "Musique et IA : composer en famille",
            cm101,
        ),
        (date(2024, 1, 21), "Robots en famille", nguyen),
        (date(2024, 4, 21), "Dessiner avec une IA", fontaine),
    ] {
        d.event_in(
            &DIMANCHES,
            title,
            "Rencontre et ateliers avec un intervenant du territoire.",
            published,
            &[
                S::new(Talk, day, t(14, 0), t(15, 0), auditorium)
                    .speakers(&[speaker])
                    .leads(&[claire]),
                S::new(Workshop, day, t(15, 30), t(17, 30), digital)
                    .registration(16)
                    .speakers(&[speaker])
                    .leads(&[hugo]),
            ],
        )
        .await?;
    }

    // Points du numérique 2023-24: one short session per theme.
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
            Some(i) => themes[i].0,
            None => {
                store
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
            &[S::new(Workshop, day, t(15, 0), t(16, 0), digital)
                .themes(&[theme])
                .leads(&[[hugo, ines][i / 2 % 2]])],
        )
        .await?;
    }

    // Points de l'IA 2024-25: a new theme each week, 2 to 4 sessions on it.
    let days = [
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Friday,
        Weekday::Saturday,
    ];
    let weeks = weekly(date(2024, 9, 10), date(2025, 7, 12), Weekday::Tuesday);
    for (k, monday_ish) in weeks.iter().enumerate().take(AI_THEMES.len()) {
        let (theme, lead) = themes[k];
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
                S::new(Workshop, day, a, b, digital)
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

    // Samedis de l'innovation: nine in 2024, four from January to April 2025.
    let samedi_topics = [
        ("L'IA au service de la création graphique", fontaine),
        ("Robotique : programmer un robot", nguyen),
        ("Vrai ou faux ? L'IA et l'image", fakeoff),
        ("Start-up du territoire : l'IA au travail", cm101),
        ("Musique générée : qui est l'auteur ?", cm101),
        ("Réalité virtuelle en famille", ogone),
        ("Coder un jeu vidéo", nguyen),
        ("Créer son avatar", fontaine),
        ("Les IA qui parlent", rodriguez),
        ("Illustrer un conte avec l'IA", fontaine),
        ("Modéliser en 3D", nguyen),
        ("Informer à l'heure de l'IA", fakeoff),
        ("Entraîner sa propre IA", rodriguez),
    ];
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
        let theme = themes[(i * 7) % themes.len()].0;
        d.event_in(
            &SAMEDIS,
            title,
            "Une rencontre à 14 h, puis un atelier sur inscription à 16 h.",
            published,
            &[
                S::new(Talk, day, t(14, 0), t(15, 30), auditorium)
                    .speakers(&[speaker])
                    .themes(&[theme])
                    .leads(&[claire]),
                S::new(Workshop, day, t(16, 0), t(17, 30), digital)
                    .registration(20)
                    .ages(Some(10), None, false)
                    .speakers(&[speaker])
                    .themes(&[theme])
                    .leads(&[hugo]),
            ],
        )
        .await?;
    }

    // Points de l'IA 2025-26: twice a week, new themes and replays of the most followed.
    let replay_order: Vec<usize> = (0..AI_THEMES.len())
        .map(|i| (i * 17 + 2) % AI_THEMES.len())
        .collect();
    let mut k = 0;
    for wd in [Weekday::Wednesday, Weekday::Saturday] {
        for day in weekly(date(2025, 9, 10), date(2026, 6, 27), wd) {
            let (theme, lead) = themes[replay_order[k % replay_order.len()]];
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
                &[S::new(Workshop, day, a, b, digital)
                    .themes(&[theme])
                    .leads(&[lead])],
            )
            .await?;
            k += 1;
        }
    }

    // Semaine du numérique, 8 to 13 December 2025.
    d.event(
        semaine,
        "Table ronde : créer avec l'IA",
        "Artistes, auteurs et spécialistes débattent de la création à l'heure de l'IA.",
        published,
        &[
            S::new(Talk, date(2025, 12, 9), t(18, 0), t(19, 30), auditorium)
                .speakers(&[fontaine, rodriguez])
                .themes(&[themes[23].0])
                .leads(&[claire]),
        ],
    )
    .await?;
    d.event(
        semaine,
        "Démonstrations : réalité virtuelle et robots",
        "En continu, venez essayer.",
        published,
        &[
            S::new(Other, date(2025, 12, 10), t(14, 0), t(15, 45), auditorium)
                .speakers(&[ogone, nguyen])
                .leads(&[hugo]),
        ],
    )
    .await?;
    d.event(
        semaine,
        "Rencontre d'auteur : écrire avec (ou contre) l'IA",
        "Lecture et discussion.",
        published,
        &[
            S::new(Talk, date(2025, 12, 12), t(18, 0), t(19, 30), auditorium)
                .themes(&[themes[1].0])
                .leads(&[ines]),
        ],
    )
    .await?;
    d.event(
        semaine,
        "Atelier : fabriquer sa carte de vœux avec l'IA",
        "Atelier familial sur inscription.",
        published,
        &[
            S::new(Workshop, date(2025, 12, 13), t(14, 0), t(16, 0), digital)
                .registration(12)
                .ages(Some(7), Some(12), true)
                .themes(&[themes[16].0])
                .leads(&[hugo]),
        ],
    )
    .await?;

    // Ateliers de la Méd'IA Tech: one course over three Saturdays (robotics) and single workshops.
    let robot_days = [date(2026, 1, 10), date(2026, 1, 17), date(2026, 1, 24)];
    let robot: Vec<S> = robot_days
        .iter()
        .map(|day| {
            S::new(Workshop, *day, t(14, 0), t(16, 0), digital)
                .registration(10)
                .ages(Some(10), Some(14), false)
                .speakers(&[nguyen])
                .leads(&[hugo])
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
            &[S::new(Workshop, day, t(14, 0), t(16, 0), digital)
                .registration(12)
                .ages(Some(12), None, false)
                .themes(&[themes[theme].0])
                .leads(&[ines])],
        )
        .await?;
    }

    // The current season, whatever today is: twice-weekly Points de l'IA,
    // monthly Samedis and Dimanches de l'innovation (drafts beyond two
    // months), appointments. The seasons above are the seed's own.
    let today = d.today;
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
                    &[S::new(Workshop, day, a, b, digital)
                        .themes(&[themes[i].0])
                        .leads(&[themes[i].1])],
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
            d.event_in(
                &SAMEDIS,
                title,
                "Une rencontre à 14 h, puis un atelier sur inscription à 16 h.",
                planned(day)?,
                &[
                    S::new(Talk, day, t(14, 0), t(15, 30), auditorium)
                        .speakers(&[speaker])
                        .leads(&[claire]),
                    S::new(Workshop, day, t(16, 0), t(17, 30), digital)
                        .registration(20)
                        .ages(Some(10), None, false)
                        .speakers(&[speaker])
                        .leads(&[hugo]),
                ],
            )
            .await?;
        }
        let sunday_topics = [
            ("Réalité virtuelle : voyager sans bouger", ogone),
            ("L'information à l'épreuve de l'IA", fakeoff),
            ("Créez votre IA !", rodriguez),
            ("Un livre animé avec l'IA", kouts),
            ("Start-up du territoire : l'IA au travail", cm101),
            ("Robots en famille", nguyen),
            ("Dessiner avec une IA", fontaine),
            ("Imprimer en 3D, de l'idée à l'objet", nguyen),
            ("Musique et IA : composer en famille", cm101),
        ];
        for (i, m) in [10, 11, 12, 1, 2, 3, 4, 5, 6].into_iter().enumerate() {
            let y = if m >= 9 { season_year } else { season_year + 1 };
            let day = nth_weekday(y, m, Weekday::Sunday, 3);
            let (title, speaker) = sunday_topics[i];
            d.event_in(
                &DIMANCHES,
                title,
                "Rencontre et ateliers avec un intervenant du territoire. Entrée libre, ateliers sur inscription.",
                planned(day)?,
                &[
                    S::new(Talk, day, t(14, 0), t(15, 0), auditorium)
                        .speakers(&[speaker])
                        .leads(&[claire]),
                    S::new(Workshop, day, t(15, 30), t(17, 30), digital)
                        .registration(16)
                        .speakers(&[speaker])
                        .leads(&[hugo]),
                ],
            )
            .await?;
        }
    }
    for day in weekly(
        today.checked_sub(28.days())?,
        today.checked_add(56.days())?,
        Weekday::Tuesday,
    ) {
        d.event(
            rdv,
            "Accompagnement individuel à l'IA",
            "Sur rendez-vous, pour les abonnés.",
            published,
            &[S::new(Appointment, day, t(10, 0), t(11, 0), digital)
                .registration(1)
                .leads(&[ines])],
        )
        .await?;
    }
    registrations(&d, digital, &[nguyen], &[hugo]).await?;
    past_attendance(&d).await?;
    logistics(&d, &[ogone, fakeoff, fontaine, nguyen]).await?;
    costs(&d).await?;
    Ok(true)
}

/// Head counts for every session already past, so the reports have
/// something to say: varied but reproducible (derived from the session's
/// id), children at the family workshops, a few sessions nobody counted,
/// and speakers' fees on the talks of the Sundays and Saturdays.
async fn past_attendance(d: &Demo<'_>) -> Result<()> {
    use almanach_domain::attendance::Headcount;
    let lib = d.library.id;
    let past = almanach_store::SessionFilter {
        to: Some(d.now),
        ..Default::default()
    };
    for s in d.store.list_sessions(lib, &past).await? {
        let spread = |range: u32| {
            u32::try_from(
                s.id.wrapping_mul(2_654_435_761)
                    .rem_euclid(i64::from(range)),
            )
            .expect("small")
        };
        if s.id % 17 == 0 && s.kind != SessionKind::Appointment {
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
async fn registrations(d: &Demo<'_>, room: i64, speakers: &[i64], leads: &[i64]) -> Result<()> {
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
    store.set_course(&d.actor, course, true).await?;
    for name in &PEOPLE[4..8] {
        register(Target::Course(course), name, 1, &[12]).await?;
    }
    Ok(())
}

/// Technical needs on the coming four weeks' sessions (some ready, one
/// with a problem), four speakers' profiles, the team's ratings and three
/// projects in the pipeline, so the IT board and the directory have
/// something to show.
async fn logistics(d: &Demo<'_>, speakers: &[i64]) -> Result<()> {
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
async fn costs(d: &Demo<'_>) -> Result<()> {
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
            .map(|s| s.id)
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let (now, _) = season_of(store.today(scope).await.unwrap());
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
        let agenda = store
            .agenda(
                lib,
                &almanach_store::AgendaFilter {
                    now,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
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
