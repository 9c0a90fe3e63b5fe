//! What every part of the demo shares: its accounts, the Demo handle that
//! writes through the store, the season series, the 44 AI themes and the
//! session blueprint `S`. A leaf: the other demo modules import it.

use almanach_domain::calendar::{local_to_instant, public_holiday};
use almanach_domain::ids::EventId;
use almanach_domain::programme::{
    AttendanceMode, EventStatus, RegistrationPolicy, SessionKind, season_of,
};
use almanach_domain::staff::Role;
use almanach_store::{Actor, Event, Library, Series, SessionWrite, Speaker, Store};
use anyhow::{Context, Result};
use jiff::ToSpan;
use jiff::civil::{Date, Time, Weekday, date};

/// Every demo account signs in with this password, printed at start.
pub const DEMO_PASSWORD: &str = "almanach-demo";
pub const DEMO_ADMIN: &str = "admin@demo.almanach";

/// The demo's team: e-mail, name, role.
pub(super) const TEAM: [(&str, &str, Role); 7] = [
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

pub(super) struct Demo<'a> {
    pub(super) store: &'a Store,
    pub(super) actor: Actor,
    pub(super) library: Library,
    /// The day the demo is built around (its "current season"), and that
    /// day's instant: sessions before it are past and counted.
    pub(super) today: Date,
    pub(super) now: i64,
}

/// A series that runs season after season: one series per season, named
/// after the season its sessions fall in, as the product labels seasons
/// (`season_of`: « Samedis de l'innovation 2024-2025 »).
pub(super) struct Seasonal {
    pub(super) base: &'static str,
    pub(super) description: &'static str,
    pub(super) kind: SessionKind,
    pub(super) minutes: u32,
    pub(super) policy: RegistrationPolicy,
    pub(super) colour: &'static str,
}

pub(super) const DIMANCHES: Seasonal = Seasonal {
    base: "Dimanches de l'innovation",
    description: "Une fois par mois, une rencontre et des ateliers avec des intervenants extérieurs.",
    kind: SessionKind::Workshop,
    minutes: 240,
    policy: RegistrationPolicy::WorkshopsOnly,
    colour: "#7b3fa0",
};
pub(super) const SAMEDIS: Seasonal = Seasonal {
    base: "Samedis de l'innovation",
    description: "Un samedi par mois : une rencontre à 14 h, un atelier à 16 h, pour toucher les publics qui fréquentent la médiathèque.",
    kind: SessionKind::Talk,
    minutes: 90,
    policy: RegistrationPolicy::WorkshopsOnly,
    colour: "#c2410c",
};
pub(super) const POINTS_NUMERIQUE: Seasonal = Seasonal {
    base: "Points du numérique",
    description: "Des ateliers courts (1 h) sur le numérique du quotidien, peu à peu ouverts à l'IA.",
    kind: SessionKind::Workshop,
    minutes: 60,
    policy: RegistrationPolicy::FreeEntry,
    colour: "#0f766e",
};
pub(super) const POINTS_IA: Seasonal = Seasonal {
    base: "Points de l'IA",
    description: "Une heure pour découvrir l'IA : présentation, démonstration, expérimentation ; une nouvelle thématique chaque semaine et des reprises des plus suivies.",
    kind: SessionKind::Workshop,
    minutes: 60,
    policy: RegistrationPolicy::FreeEntry,
    colour: "#1d4ed8",
};
pub(super) const MEDIA_TECH: Seasonal = Seasonal {
    base: "Ateliers de la Méd'IA Tech",
    description: "L'IA dans les ateliers de création graphique, de programmation, de robotique et de modélisation 3D.",
    kind: SessionKind::Workshop,
    minutes: 120,
    policy: RegistrationPolicy::Required,
    colour: "#4d7c0f",
};

/// The season label of a day: « 2024-2025 ».
pub(super) fn season_label(day: Date) -> String {
    season_of(day).1
}

pub(super) fn t(h: i8, m: i8) -> Time {
    Time::constant(h, m, 0, 0)
}

/// Session blueprint: what varies between demo sessions.
#[derive(Clone)]
pub(super) struct S {
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
    pub(super) fn new(kind: SessionKind, day: Date, start: Time, end: Time, room: i64) -> S {
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
    pub(super) fn registration(mut self, capacity: u32) -> S {
        self.registration = true;
        self.capacity = Some(capacity);
        self
    }
    pub(super) fn ages(mut self, min: Option<u8>, max: Option<u8>, accompanied: bool) -> S {
        self.ages = (min, max, accompanied);
        self
    }
    pub(super) fn themes(mut self, ids: &[i64]) -> S {
        self.themes = ids.to_vec();
        self
    }
    pub(super) fn speakers(mut self, ids: &[i64]) -> S {
        self.speakers = ids.to_vec();
        self
    }
    pub(super) fn leads(mut self, ids: &[i64]) -> S {
        self.leads = ids.to_vec();
        self
    }
}

impl Demo<'_> {
    /// The series of `spec` for the season `day` falls in, made the first time.
    pub(super) async fn seasonal(&self, spec: &Seasonal, day: Date) -> Result<i64> {
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

    pub(super) async fn series(
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
    pub(super) async fn event_in(
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

    pub(super) async fn speaker(&self, name: &str, organisation: &str, notes: &str) -> Result<i64> {
        let s = Speaker {
            name: name.into(),
            organisation: organisation.into(),
            notes: notes.into(),
            ..Speaker::default()
        };
        Ok(self.store.save_speaker(&self.actor, &s).await?)
    }

    pub(super) async fn event(
        &self,
        series: i64,
        title: &str,
        description: &str,
        status: EventStatus,
        sessions: &[S],
    ) -> Result<i64> {
        let e = Event {
            id: EventId(0),
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
        Ok(id.get())
    }
}

/// The 44 themes of the Points de l'IA, with their categories.
pub(super) const AI_THEMES: [(&str, &str); 44] = [
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
pub(super) fn weekly(from: Date, to: Date, weekday: Weekday) -> Vec<Date> {
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
pub(super) fn nth_weekday(year: i16, month: i8, weekday: Weekday, n: i8) -> Date {
    date(year, month, 1)
        .nth_weekday_of_month(n, weekday)
        .expect("exists")
}
