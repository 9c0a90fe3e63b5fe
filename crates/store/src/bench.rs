//! A network's made-up history for the scale benchmark: libraries with
//! their series, themes and rooms, and season after season of events and
//! counted sessions, written in bulk straight into the tables (no audit
//! entries: nobody did these things). Deterministic for a seed.
//!
//! Writing goes around the `Any` pool on purpose: SQLite gets multi-row
//! prepared inserts on one connection, PostgreSQL gets `COPY … FROM STDIN`,
//! which only the concrete Postgres driver offers; millions of rows would
//! otherwise take many minutes.

use almanach_domain::ids::LibraryId;
use std::fmt::Write as _;

use jiff::ToSpan;
use jiff::civil::{Date, Weekday, date};
use sqlx::postgres::PgConnection;
use sqlx::{Connection, Row};

use crate::{Backend, Result, Store, StoreError};

/// How much history to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub libraries: u32,
    pub seasons: u32,
    /// Sessions per library and season, exactly.
    pub sessions: u32,
    pub seed: u64,
    /// The first season's starting year; the last is `first_season + seasons - 1`.
    pub first_season: i16,
}

impl Default for Shape {
    fn default() -> Shape {
        Shape {
            libraries: 1000,
            seasons: 10,
            sessions: 250,
            seed: 1,
            first_season: 2015,
        }
    }
}

/// What a season's report over the whole network must find, tallied while
/// generating: sessions and events that are not cancelled, and head counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeasonFigures {
    pub season: i16,
    pub events: i64,
    pub sessions: i64,
    pub participants: i64,
    pub under_14: i64,
    pub uncounted_sessions: i64,
    pub cost_cents: i64,
}

/// Rows written, per table, and the figures each season must report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Generated {
    pub libraries: i64,
    pub rooms: i64,
    pub series: i64,
    pub themes: i64,
    pub events: i64,
    pub sessions: i64,
    pub session_themes: i64,
    pub seasons: Vec<SeasonFigures>,
}

/// Where generation stands, for a progress line.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    /// Rows written so far.
    Rows {
        season: u32,
        libraries_done: u32,
        sessions: i64,
    },
    /// Every row is in; the season summaries are being built.
    Summaries,
    /// Summaries built; the planner's statistics are being refreshed.
    Statistics,
}

/// Marks one session of `library_id` in `season` as written again (its head
/// count set to what it was), as a head count on the day would: the next
/// season report of that library rebuilds its summary first.
pub async fn touch(store: &Store, library_id: LibraryId, season: i16) -> Result<()> {
    let period = almanach_domain::stats::Period::Season(season);
    sqlx::query(
        "update sessions set participants = participants where id = (select min(id) from sessions \
         where library_id = $1 and local_date >= $2 and local_date <= $3)",
    )
    .bind(library_id)
    .bind(period.from().to_string())
    .bind(period.to().to_string())
    .execute(store.pool())
    .await?;
    Ok(())
}

/// What a database holds, for the benchmark's header and its choices.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub first_date: Date,
    pub last_date: Date,
    pub sessions: i64,
    pub libraries: Vec<LibraryId>,
}

/// None when there is no session at all.
pub async fn dataset(store: &Store) -> Result<Option<Dataset>> {
    let row = sqlx::query(
        "select min(local_date) as first, max(local_date) as last, count(*) as n from sessions",
    )
    .fetch_one(store.pool())
    .await?;
    let (first, last): (Option<String>, Option<String>) =
        (row.try_get("first")?, row.try_get("last")?);
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(None);
    };
    let parse = |d: String| {
        d.parse::<Date>()
            .map_err(|e| StoreError::Unusable(format!("session date {d}: {e}")))
    };
    let libraries = sqlx::query_scalar("select id from libraries order by id")
        .fetch_all(store.pool())
        .await?;
    Ok(Some(Dataset {
        first_date: parse(first)?,
        last_date: parse(last)?,
        sessions: row.try_get("n")?,
        libraries,
    }))
}

/// Libraries written per transaction (one season each): about 25,000
/// sessions at the default size, large enough that commits cost nothing.
const CHUNK: u32 = 100;

/// Fills an empty database (migrated, without sessions) at `url` with
/// `shape`'s history, calling `progress` after every chunk, then builds the
/// season summaries and refreshes the planner's statistics.
pub async fn generate(
    url: &str,
    shape: &Shape,
    progress: &mut dyn FnMut(Progress),
) -> Result<Generated> {
    let store = Store::open(url).await?;
    let existing: i64 = sqlx::query_scalar("select count(*) from sessions")
        .fetch_one(store.pool())
        .await?;
    if existing > 0 {
        return Err(StoreError::Unusable(format!(
            "the database already holds {existing} sessions: generate into an empty database"
        )));
    }
    let mut sink = match store.backend() {
        Backend::Sqlite => Sink::Sqlite(store.pool().acquire().await?),
        Backend::Postgres => Sink::Postgres(Box::new(PgConnection::connect(url).await?)),
    };
    if let Sink::Sqlite(conn) = &mut sink {
        // A large page cache keeps the indexes being filled in memory.
        sqlx::query("pragma cache_size = -262144")
            .execute(&mut **conn)
            .await?;
    }
    let mut ids = Ids::default();
    for table in [
        "libraries",
        "rooms",
        "series",
        "themes",
        "events",
        "sessions",
    ] {
        let max: Option<i64> = sqlx::query_scalar(&format!("select max(id) from {table}"))
            .fetch_one(store.pool())
            .await?;
        ids.start(table, max.unwrap_or(0));
    }

    let mut out = Generated::default();
    let mut batch = Batch::default();
    let libraries: Vec<Library> = (0..shape.libraries)
        .map(|i| Library::new(shape.seed, i, &mut ids, &mut batch))
        .collect();
    sink.write(&batch).await?;
    out.libraries = libraries.len() as i64;
    out.rooms = batch.rooms.len() as i64;
    out.series = batch.series.len() as i64;
    out.themes = batch.themes.len() as i64;

    for s in 0..shape.seasons {
        let season = shape.first_season + s as i16;
        let days = Days::of(season)?;
        let mut figures = SeasonFigures {
            season,
            ..SeasonFigures::default()
        };
        for chunk in libraries.chunks(CHUNK as usize) {
            let mut batch = Batch::default();
            for lib in chunk {
                let mut rng = Rng::new(&[shape.seed, u64::from(lib.index), season as u64]);
                lib.season(
                    &mut rng,
                    &days,
                    shape.sessions,
                    &mut ids,
                    &mut batch,
                    &mut figures,
                );
            }
            sink.write(&batch).await?;
            out.events += batch.events.len() as i64;
            out.sessions += batch.sessions.len() as i64;
            out.session_themes += batch.session_themes.len() as i64;
            progress(Progress::Rows {
                season: s + 1,
                libraries_done: chunk.last().map(|l| l.index + 1).unwrap_or(0),
                sessions: out.sessions,
            });
        }
        out.seasons.push(figures);
    }
    progress(Progress::Summaries);
    store.refresh_season_summaries().await?;
    progress(Progress::Statistics);
    sink.finish().await?;
    // Closing the pool waits for every connection, the sink's too.
    drop(sink);
    store.close().await;
    Ok(out)
}

// ---------------------------------------------------------------- what is made

const SERIES: &[Template] = &[
    Template {
        name: "Points de l'IA",
        kind: "workshop",
        pattern: Pattern::ThemeWeek,
        weight: 30,
        always: true,
    },
    Template {
        name: "Accompagnement numérique",
        kind: "appointment",
        pattern: Pattern::Appointments,
        weight: 25,
        always: true,
    },
    Template {
        name: "Samedis de l'innovation",
        kind: "talk",
        pattern: Pattern::Saturday,
        weight: 10,
        always: false,
    },
    Template {
        name: "Rencontres du numérique",
        kind: "talk",
        pattern: Pattern::Talk,
        weight: 15,
        always: false,
    },
    Template {
        name: "Ateliers du code",
        kind: "workshop",
        pattern: Pattern::Course,
        weight: 8,
        always: false,
    },
    Template {
        name: "Heure du conte numérique",
        kind: "other",
        pattern: Pattern::Story,
        weight: 10,
        always: false,
    },
];

/// Events without a series, against the series' weights.
const LOOSE_WEIGHT: u64 = 5;

struct Template {
    name: &'static str,
    kind: &'static str,
    pattern: Pattern,
    weight: u64,
    /// Every library runs it; the others, seven in ten.
    always: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pattern {
    /// A talk, then one or two workshops, on a Saturday.
    Saturday,
    /// A theme of the week: two to four drop-in workshops on following days.
    ThemeWeek,
    Talk,
    /// Three weekly workshops, on registration.
    Course,
    /// One to three appointments in a morning.
    Appointments,
    /// A story hour for children.
    Story,
    /// An event outside any series.
    Loose,
}

/// Theme subjects and their category; each comes in three levels, so the
/// network shares 120 theme titles and each library picks 40 of them.
const SUBJECTS: &[(&str, &str)] = &[
    ("Images génératives", "image"),
    ("Retouche photo", "image"),
    ("Deepfakes", "video"),
    ("Montage vidéo", "video"),
    ("Podcasts", "son"),
    ("Musique assistée", "son"),
    ("Voix de synthèse", "son"),
    ("Agents conversationnels", "texte"),
    ("Écrire avec l'IA", "texte"),
    ("Traduction automatique", "texte"),
    ("Résumer un document", "texte"),
    ("Programmer pas à pas", "code"),
    ("Robotique", "code"),
    ("Scratch", "code"),
    ("Python", "code"),
    ("Arduino", "code"),
    ("Désinformation", "societe-ethique"),
    ("Biais des algorithmes", "societe-ethique"),
    ("Vie privée", "societe-ethique"),
    ("IA et travail", "societe-ethique"),
    ("IA et environnement", "societe-ethique"),
    ("Droit d'auteur", "societe-ethique"),
    ("Démarches en ligne", "outils-quotidien"),
    ("Smartphone", "outils-quotidien"),
    ("Messagerie", "outils-quotidien"),
    ("Mots de passe", "outils-quotidien"),
    ("Tableur", "outils-quotidien"),
    ("Visio", "outils-quotidien"),
    ("Achats en ligne", "outils-quotidien"),
    ("Moteurs de recherche", "recherche"),
    ("Vérifier une source", "recherche"),
    ("Généalogie en ligne", "recherche"),
    ("Cartes et GPS", "recherche"),
    ("Wikipédia", "recherche"),
    ("Apprendre une langue", "education"),
    ("Aide aux devoirs", "education"),
    ("Réviser avec l'IA", "education"),
    ("Orientation", "education"),
    ("Jeux vidéo", "education"),
    ("Réalité virtuelle", "image"),
];
const LEVELS: &[&str] = &["découverte", "pratique", "approfondissement"];
const THEMES_PER_LIBRARY: usize = 40;

struct Library {
    index: u32,
    id: i64,
    /// (series id, template) for the series this library runs.
    series: Vec<(i64, &'static Template)>,
    themes: Vec<(i64, String)>,
    /// Auditorium, digital space, activity room.
    rooms: [i64; 3],
}

impl Library {
    fn new(seed: u64, index: u32, ids: &mut Ids, batch: &mut Batch) -> Library {
        let mut rng = Rng::new(&[seed, u64::from(index), 0]);
        let id = ids.next("libraries");
        batch.libraries.push([
            Cell::I(id),
            Cell::T(format!("Médiathèque {:04}", index + 1)),
            Cell::I(CREATED),
        ]);
        let mut rooms = [0; 3];
        for (slot, (name, capacity)) in [
            ("Auditorium", 120),
            ("Espace numérique", 16),
            ("Salle d'animation", 40),
        ]
        .iter()
        .enumerate()
        {
            rooms[slot] = ids.next("rooms");
            batch.rooms.push([
                Cell::I(rooms[slot]),
                Cell::I(id),
                Cell::S(name),
                Cell::I(*capacity),
            ]);
        }
        let mut series = Vec::new();
        for t in SERIES {
            if t.always || rng.chance(70) {
                let sid = ids.next("series");
                batch
                    .series
                    .push([Cell::I(sid), Cell::I(id), Cell::S(t.name), Cell::S(t.kind)]);
                series.push((sid, t));
            }
        }
        // A partial shuffle of the 120 titles: the first 40 are this library's.
        let mut pool: Vec<usize> = (0..SUBJECTS.len() * LEVELS.len()).collect();
        for i in 0..THEMES_PER_LIBRARY {
            let j = i + rng.below((pool.len() - i) as u64) as usize;
            pool.swap(i, j);
        }
        let mut themes = Vec::new();
        for &p in &pool[..THEMES_PER_LIBRARY] {
            let (subject, category) = SUBJECTS[p / LEVELS.len()];
            let title = format!("{subject} : {}", LEVELS[p % LEVELS.len()]);
            let tid = ids.next("themes");
            batch.themes.push([
                Cell::I(tid),
                Cell::I(id),
                Cell::T(title.clone()),
                Cell::S(category),
            ]);
            themes.push((tid, title));
        }
        Library {
            index,
            id,
            series,
            themes,
            rooms,
        }
    }

    /// One season: events until exactly `count` sessions are made.
    fn season(
        &self,
        rng: &mut Rng,
        days: &Days,
        count: u32,
        ids: &mut Ids,
        batch: &mut Batch,
        figures: &mut SeasonFigures,
    ) {
        let total_weight: u64 =
            self.series.iter().map(|(_, t)| t.weight).sum::<u64>() + LOOSE_WEIGHT;
        let mut left = count as usize;
        while left > 0 {
            let mut pick = rng.below(total_weight);
            let mut chosen = None;
            for (sid, t) in &self.series {
                if pick < t.weight {
                    chosen = Some((*sid, *t));
                    break;
                }
                pick -= t.weight;
            }
            let (series_id, name, pattern) = match chosen {
                Some((sid, t)) => (Some(sid), t.name, t.pattern),
                None => (None, "Animation", Pattern::Loose),
            };
            let plan = Plan::draw(rng, pattern, days);
            let sessions = &plan.sessions[..plan.sessions.len().min(left)];
            left -= sessions.len();

            let theme_count = match pattern {
                Pattern::Story | Pattern::Loose => 0,
                Pattern::Appointments => usize::from(rng.chance(50)),
                _ => 1 + usize::from(rng.chance(10)),
            };
            let themes: Vec<&(i64, String)> = (0..theme_count)
                .map(|_| &self.themes[rng.below(self.themes.len() as u64) as usize])
                .collect();
            let mut theme_ids: Vec<i64> = themes.iter().map(|t| t.0).collect();
            theme_ids.dedup();
            let title = match themes.first() {
                Some((_, theme)) => format!("{name} – {theme}"),
                None => name.to_string(),
            };
            let status = match rng.below(100) {
                0 | 1 => "cancelled",
                2 => "draft",
                _ => "published",
            };
            let event_id = ids.next("events");
            let first = &days.0[sessions[0].day];
            let created = first.noon - 60 * 86_400;
            batch.events.push([
                Cell::I(event_id),
                Cell::I(self.id),
                series_id.map_or(Cell::N, Cell::I),
                Cell::T(title),
                Cell::S(status),
                Cell::I(created),
                Cell::I(created),
            ]);
            let mut reported = false;
            for s in sessions {
                let day = &days.0[s.day];
                let starts_at = day.noon + i64::from(s.minute) * 60 - 12 * 3600;
                let ends_at = starts_at + i64::from(s.length) * 60;
                let cancelled = rng.chance(2);
                let head = if cancelled {
                    Head::default()
                } else {
                    Head::draw(rng, s.kind, pattern, s.registration)
                };
                let id = ids.next("sessions");
                let room = match s.kind {
                    "talk" => self.rooms[0],
                    "other" => self.rooms[2],
                    _ => self.rooms[1],
                };
                batch.sessions.push([
                    Cell::I(id),
                    Cell::I(self.id),
                    Cell::I(event_id),
                    Cell::S(s.kind),
                    Cell::I(starts_at),
                    Cell::I(ends_at),
                    Cell::T(day.iso.clone()),
                    Cell::I(room),
                    Cell::I(i64::from(s.capacity)),
                    Cell::I(i64::from(s.registration)),
                    Cell::I(i64::from(cancelled)),
                    Cell::I(created),
                    Cell::I(ends_at),
                    head.participants.map_or(Cell::N, Cell::I),
                    head.under_14.map_or(Cell::N, Cell::I),
                    head.registered.map_or(Cell::N, Cell::I),
                    head.present.map_or(Cell::N, Cell::I),
                    if head.participants.is_some() {
                        Cell::S("bench")
                    } else {
                        Cell::N
                    },
                    if head.participants.is_some() {
                        Cell::I(ends_at + 600)
                    } else {
                        Cell::N
                    },
                    Cell::I(head.cost_cents),
                ]);
                for &t in &theme_ids {
                    batch.session_themes.push([Cell::I(id), Cell::I(t)]);
                }
                if !cancelled && status != "cancelled" {
                    reported = true;
                    figures.sessions += 1;
                    figures.participants += head.participants.unwrap_or(0);
                    figures.under_14 += head.under_14.unwrap_or(0);
                    figures.uncounted_sessions += i64::from(head.participants.is_none());
                    figures.cost_cents += head.cost_cents;
                }
            }
            figures.events += i64::from(reported);
        }
    }
}

/// The sessions of one event before they are cut to the season's count.
struct Plan {
    sessions: Vec<Slot>,
}

struct Slot {
    kind: &'static str,
    /// Index into the season's days.
    day: usize,
    /// Local start, minutes after midnight.
    minute: u16,
    length: u16,
    capacity: u16,
    registration: bool,
}

impl Plan {
    fn draw(rng: &mut Rng, pattern: Pattern, days: &Days) -> Plan {
        let n = days.0.len();
        let slot = |kind, day, minute, length, capacity, registration| Slot {
            kind,
            day,
            minute,
            length,
            capacity,
            registration,
        };
        let sessions = match pattern {
            Pattern::Saturday => {
                let day = days.next_weekday(rng.below(n as u64) as usize, Weekday::Saturday);
                let mut v = vec![
                    slot("talk", day, 14 * 60, 90, 120, false),
                    slot("workshop", day, 16 * 60, 90, 16, true),
                ];
                if rng.chance(60) {
                    v.push(slot("workshop", day, 10 * 60 + 30, 90, 16, true));
                }
                v
            }
            Pattern::ThemeWeek => {
                let k = rng.range(2, 4) as usize;
                let start = rng.below((n - k) as u64) as usize;
                (0..k)
                    .map(|i| slot("workshop", start + i, 15 * 60, 60, 12, false))
                    .collect()
            }
            Pattern::Talk => vec![slot(
                "talk",
                rng.below(n as u64) as usize,
                18 * 60 + 30,
                90,
                120,
                false,
            )],
            Pattern::Course => {
                let start = rng.below((n - 15) as u64) as usize;
                (0..3)
                    .map(|i| slot("workshop", start + 7 * i, 14 * 60, 120, 12, true))
                    .collect()
            }
            Pattern::Appointments => {
                let day = rng.below(n as u64) as usize;
                (0..rng.range(1, 3) as u16)
                    .map(|i| slot("appointment", day, 10 * 60 + 60 * i, 45, 1, true))
                    .collect()
            }
            Pattern::Story => vec![slot(
                "other",
                rng.below(n as u64) as usize,
                10 * 60 + 30,
                60,
                30,
                false,
            )],
            Pattern::Loose => {
                let kind = if rng.chance(50) { "other" } else { "talk" };
                vec![slot(
                    kind,
                    rng.below(n as u64) as usize,
                    17 * 60,
                    60,
                    40,
                    false,
                )]
            }
        };
        Plan { sessions }
    }
}

/// A session's head count and cost.
#[derive(Default)]
struct Head {
    participants: Option<i64>,
    under_14: Option<i64>,
    registered: Option<i64>,
    present: Option<i64>,
    cost_cents: i64,
}

impl Head {
    fn draw(rng: &mut Rng, kind: &str, pattern: Pattern, registration: bool) -> Head {
        let mut h = Head::default();
        // Participants from lo to hi; fees for most talks, materials for some workshops.
        let (lo, hi, paid, euros) = match kind {
            "talk" => (20, 120, 60, (100, 600)),
            "workshop" => (4, 24, 30, (5, 50)),
            "appointment" => (1, 2, 0, (0, 0)),
            _ => (5, 40, 10, (5, 50)),
        };
        if rng.chance(paid) {
            h.cost_cents = rng.range(euros.0, euros.1) * 100;
        }
        // Eight sessions in a hundred were not counted.
        if rng.chance(8) {
            return h;
        }
        let n = rng.range(lo, hi);
        h.participants = Some(n);
        if rng.chance(85) {
            let share = if pattern == Pattern::Story {
                rng.range(40, 80)
            } else {
                rng.range(0, 30)
            };
            h.under_14 = Some(n * share / 100);
        }
        if registration {
            let registered = n + rng.range(0, 3);
            h.registered = Some(registered);
            h.present = Some(n.min(registered));
        }
        h
    }
}

/// Every day of a season, with its ISO date and the instant of its noon
/// (so a start is noon plus minutes, right across daylight saving changes).
struct Days(Vec<Day>);

struct Day {
    date: Date,
    iso: String,
    noon: i64,
}

impl Days {
    fn of(season: i16) -> Result<Days> {
        let tz = almanach_domain::calendar::paris();
        let (mut d, last) = (date(season, 9, 1), date(season + 1, 8, 31));
        let mut v = Vec::new();
        while d <= last {
            let noon = d
                .at(12, 0, 0, 0)
                .to_zoned(tz.clone())
                .map_err(|e| StoreError::Unusable(e.to_string()))?;
            v.push(Day {
                date: d,
                iso: d.to_string(),
                noon: noon.timestamp().as_second(),
            });
            d = d
                .checked_add(1.day())
                .map_err(|e| StoreError::Unusable(e.to_string()))?;
        }
        Ok(Days(v))
    }

    /// The first `weekday` from `from` on, or the last one before when the season ends first.
    fn next_weekday(&self, from: usize, weekday: Weekday) -> usize {
        let ahead = (from..self.0.len()).find(|&i| self.0[i].date.weekday() == weekday);
        ahead.unwrap_or_else(|| {
            (0..from)
                .rev()
                .find(|&i| self.0[i].date.weekday() == weekday)
                .unwrap_or(from)
        })
    }
}

/// A fixed creation instant for libraries: 1 January 2015, UTC.
const CREATED: i64 = 1_420_070_400;

// ---------------------------------------------------------------- writing

/// The next ids to give, per table, so rows can point at each other before
/// they are written.
#[derive(Default)]
struct Ids(Vec<(&'static str, i64)>);

impl Ids {
    fn start(&mut self, table: &'static str, max: i64) {
        self.0.push((table, max));
    }
    fn next(&mut self, table: &str) -> i64 {
        let slot = self
            .0
            .iter_mut()
            .find(|(t, _)| *t == table)
            .expect("known table");
        slot.1 += 1;
        slot.1
    }
}

enum Cell {
    I(i64),
    N,
    S(&'static str),
    T(String),
}

/// Rows waiting to be written, per table, in the order of the foreign keys.
#[derive(Default)]
struct Batch {
    libraries: Vec<[Cell; 3]>,
    rooms: Vec<[Cell; 4]>,
    series: Vec<[Cell; 4]>,
    themes: Vec<[Cell; 4]>,
    events: Vec<[Cell; 7]>,
    sessions: Vec<[Cell; 20]>,
    session_themes: Vec<[Cell; 2]>,
}

const LIBRARY_COLUMNS: &[&str] = &["id", "name", "created_at"];
const ROOM_COLUMNS: &[&str] = &["id", "library_id", "name", "capacity"];
const SERIES_COLUMNS: &[&str] = &["id", "library_id", "name", "default_kind"];
const THEME_COLUMNS: &[&str] = &["id", "library_id", "title", "categories"];
const EVENT_COLUMNS: &[&str] = &[
    "id",
    "library_id",
    "series_id",
    "title",
    "status",
    "created_at",
    "updated_at",
];
const SESSION_COLUMNS: &[&str] = &[
    "id",
    "library_id",
    "event_id",
    "kind",
    "starts_at",
    "ends_at",
    "local_date",
    "room_id",
    "capacity",
    "registration_required",
    "cancelled",
    "created_at",
    "updated_at",
    "participants",
    "under_14",
    "registered",
    "present",
    "counted_by",
    "counted_at",
    "cost_cents",
];
const SESSION_THEME_COLUMNS: &[&str] = &["session_id", "theme_id"];

enum Sink {
    Sqlite(sqlx::pool::PoolConnection<sqlx::Any>),
    Postgres(Box<PgConnection>),
}

impl Sink {
    /// Writes a batch in one transaction.
    async fn write(&mut self, b: &Batch) -> Result<()> {
        match self {
            Sink::Sqlite(conn) => {
                let mut tx = conn.begin().await?;
                sqlite_insert(&mut tx, "libraries", LIBRARY_COLUMNS, &b.libraries).await?;
                sqlite_insert(&mut tx, "rooms", ROOM_COLUMNS, &b.rooms).await?;
                sqlite_insert(&mut tx, "series", SERIES_COLUMNS, &b.series).await?;
                sqlite_insert(&mut tx, "themes", THEME_COLUMNS, &b.themes).await?;
                sqlite_insert(&mut tx, "events", EVENT_COLUMNS, &b.events).await?;
                sqlite_insert(&mut tx, "sessions", SESSION_COLUMNS, &b.sessions).await?;
                sqlite_insert(
                    &mut tx,
                    "session_themes",
                    SESSION_THEME_COLUMNS,
                    &b.session_themes,
                )
                .await?;
                tx.commit().await?;
            }
            Sink::Postgres(conn) => {
                let mut tx = conn.begin().await?;
                copy(&mut tx, "libraries", LIBRARY_COLUMNS, &b.libraries).await?;
                copy(&mut tx, "rooms", ROOM_COLUMNS, &b.rooms).await?;
                copy(&mut tx, "series", SERIES_COLUMNS, &b.series).await?;
                copy(&mut tx, "themes", THEME_COLUMNS, &b.themes).await?;
                copy(&mut tx, "events", EVENT_COLUMNS, &b.events).await?;
                copy(&mut tx, "sessions", SESSION_COLUMNS, &b.sessions).await?;
                copy(
                    &mut tx,
                    "session_themes",
                    SESSION_THEME_COLUMNS,
                    &b.session_themes,
                )
                .await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// Moves the identity sequences past the ids given here, and refreshes
    /// the planner's statistics (and PostgreSQL's visibility map, which
    /// index-only scans need) as a database left to itself would soon do.
    async fn finish(&mut self) -> Result<()> {
        match self {
            Sink::Sqlite(conn) => {
                sqlx::raw_sql("analyze").execute(&mut **conn).await?;
            }
            Sink::Postgres(conn) => {
                for table in [
                    "libraries",
                    "rooms",
                    "series",
                    "themes",
                    "events",
                    "sessions",
                ] {
                    let sql = format!(
                        "select setval(pg_get_serial_sequence('{table}', 'id'), max(id)) from {table} having max(id) is not null"
                    );
                    sqlx::raw_sql(&sql).execute(&mut **conn).await?;
                }
                // Not in a transaction: VACUUM refuses to run inside one.
                sqlx::raw_sql("vacuum analyze").execute(&mut **conn).await?;
            }
        }
        Ok(())
    }
}

/// Multi-row inserts of up to 500 rows, each size prepared once.
async fn sqlite_insert<const N: usize>(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    columns: &[&str],
    rows: &[[Cell; N]],
) -> Result<()> {
    for part in rows.chunks(500) {
        let mut sql = format!("insert into {table} ({}) values ", columns.join(", "));
        let one = format!("({})", vec!["?"; N].join(", "));
        for i in 0..part.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&one);
        }
        let mut q = sqlx::query(&sql);
        for row in part {
            for cell in row {
                q = match cell {
                    Cell::I(v) => q.bind(*v),
                    Cell::N => q.bind(None::<i64>),
                    Cell::S(s) => q.bind(*s),
                    Cell::T(s) => q.bind(s.as_str()),
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `COPY … FROM STDIN` in PostgreSQL's text format.
async fn copy<const N: usize>(
    conn: &mut PgConnection,
    table: &str,
    columns: &[&str],
    rows: &[[Cell; N]],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut text = String::with_capacity(rows.len() * N * 8);
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                text.push('\t');
            }
            match cell {
                Cell::I(v) => {
                    let _ = write!(text, "{v}");
                }
                Cell::N => text.push_str("\\N"),
                Cell::S(s) => escape(&mut text, s),
                Cell::T(s) => escape(&mut text, s),
            }
        }
        text.push('\n');
    }
    let mut copy = conn
        .copy_in_raw(&format!("copy {table} ({}) from stdin", columns.join(", ")))
        .await?;
    copy.send(text.as_bytes()).await?;
    copy.finish().await?;
    Ok(())
}

fn escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// SplitMix64: a few lines, the same numbers on every platform and version,
/// which a library RNG would not promise.
struct Rng(u64);

impl Rng {
    /// A stream of its own for each (seed, library, season): a library's
    /// season is the same whatever the other libraries or seasons.
    fn new(parts: &[u64]) -> Rng {
        let mut r = Rng(0);
        for p in parts {
            r.0 ^= p;
            r.0 = r.next();
        }
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// 0 to n - 1 (the modulo bias is far below what a benchmark notices).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}
