//! `almanach report`: a period's statistics as JSON (documented in
//! docs/report-json.md), CSV for spreadsheets (`;`, comma decimals, UTF-8
//! with BOM) or a standalone HTML season review. The HTML is rendered from
//! `ReviewView`, figures already worded the French way, which a PDF
//! renderer can take as it is.

use almanach_domain::fmt::day_with_year;
use almanach_domain::stats::{Change, Period, Report, StatsRow, fr_int, fr_number};
use almanach_domain::Lang;
use askama::Template;
use jiff::civil::Date;

/// The JSON, pretty-printed: its shape is the public contract.
pub fn to_json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("reports serialise");
    s.push('\n');
    s
}

const CSV_HEADER: [&str; 17] = [
    "Période",
    "Cycle",
    "Événements",
    "Séances",
    "Rencontres",
    "Ateliers",
    "Rendez-vous",
    "Participants",
    "Moins de 14 ans",
    "Séances non comptées",
    "Participants par rencontre",
    "Participants par atelier",
    "Thématiques",
    "Séances par thématique (min)",
    "Séances par thématique (max)",
    "Coût (€)",
    "Coût par participant (€)",
];

/// A decimal the way a French spreadsheet reads it: "19,33", no thousands separator.
fn csv_decimal(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}").replace('.', ",")).unwrap_or_default()
}

fn csv_cell(s: &str) -> String {
    if s.contains([';', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// One line per series then the total, for the period and, when compared,
/// the previous period after it. UTF-8 with a BOM so spreadsheets see the accents.
pub fn to_csv(report: &Report) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&CSV_HEADER.join(";"));
    out.push_str("\r\n");
    let mut write = |r: &Report| {
        for row in r.series.iter().chain(std::iter::once(&r.total)) {
            let spt = row.sessions_per_theme;
            let cells = [
                r.label.clone(),
                row.series.clone().unwrap_or_else(|| "Total".into()),
                row.events.to_string(),
                row.sessions.to_string(),
                row.talks.to_string(),
                row.workshops.to_string(),
                row.appointments.to_string(),
                row.participants.to_string(),
                row.under_14.to_string(),
                row.uncounted_sessions.to_string(),
                csv_decimal(row.avg_per_talk),
                csv_decimal(row.avg_per_workshop),
                row.themes.to_string(),
                spt.map(|m| m.min.to_string()).unwrap_or_default(),
                spt.map(|m| m.max.to_string()).unwrap_or_default(),
                csv_decimal(Some(row.cost_eur)),
                csv_decimal(row.cost_per_participant_eur),
            ];
            out.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(";"));
            out.push_str("\r\n");
        }
    };
    write(report);
    if let Some(previous) = &report.previous {
        write(previous);
    }
    out
}

/// Narrow no-break space: French puts one before ; : ! ? and inside « ».
const NNBSP: char = '\u{202f}';

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{}\u{a0}{}", fr_int(n), if n.abs() > 1 { many } else { one })
}

fn euros(v: f64) -> String {
    let decimals = if v.fract().abs() < 0.005 && v.abs() >= 100.0 { 0 } else { 2 };
    format!("{}\u{a0}€", fr_number(v, decimals))
}

/// "19 pers. / atelier": averages are rounded for people, kept whole in JSON.
fn per(avg: Option<f64>, what: &str) -> Option<String> {
    avg.map(|a| format!("{}\u{a0}pers. / {what}", fr_number(a, 0)))
}

fn percent(v: f64) -> String {
    format!("{}\u{a0}%", fr_number(v, 0))
}

fn french_day(d: &str) -> String {
    d.parse::<Date>().map(|d| day_with_year(d, Lang::Fr)).unwrap_or_else(|_| d.to_string())
}

/// A key figure: the value large, what it counts below.
pub struct Figure {
    pub value: String,
    pub label: String,
}

/// A table line with every cell worded.
pub struct RowView {
    pub name: String,
    pub cells: Vec<String>,
}

/// A line of the comparison table.
pub struct ChangeView {
    pub label: &'static str,
    pub now: String,
    pub before: String,
    pub change: String,
}

pub struct ThemeView {
    pub theme: String,
    pub sessions: String,
    pub participants: String,
}

/// Everything the season review shows, already in French.
pub struct ReviewView {
    pub library: String,
    pub title: String,
    pub period: String,
    pub series_filter: Option<String>,
    pub figures: Vec<Figure>,
    pub notes: Vec<String>,
    pub columns: Vec<&'static str>,
    pub rows: Vec<RowView>,
    pub total: RowView,
    pub themes: Vec<ThemeView>,
    /// "2024-2025": heads the comparison's column for this period.
    pub current: String,
    pub previous_period: Option<String>,
    pub changes: Vec<ChangeView>,
}

fn cells(r: &StatsRow) -> Vec<String> {
    let dash = || "–".to_string();
    vec![
        fr_int(r.events),
        fr_int(r.sessions),
        fr_int(r.talks),
        fr_int(r.workshops),
        fr_int(r.appointments),
        fr_int(r.participants),
        fr_int(r.under_14),
        fr_int(r.uncounted_sessions),
        r.avg_per_talk.map_or_else(dash, |v| fr_number(v, 1)),
        r.avg_per_workshop.map_or_else(dash, |v| fr_number(v, 1)),
        fr_int(r.themes),
        r.sessions_per_theme.map_or_else(dash, |m| if m.min == m.max { fr_int(m.min) } else { format!("{} à {}", m.min, m.max) }),
        euros(r.cost_eur),
        r.cost_per_participant_eur.map_or_else(dash, euros),
    ]
}

fn signed(delta: f64, decimals: usize) -> String {
    let sign = if delta > 0.0 { "+" } else { "" };
    format!("{sign}{}", fr_number(delta, decimals))
}

fn change_rows(now: &StatsRow, c: &Change) -> Vec<ChangeView> {
    let rel = |p: Option<f64>| p.map(|p| format!(" ({}{})", if p > 0.0 { "+" } else { "" }, percent(p))).unwrap_or_default();
    let int = |label, now: i64, d: &almanach_domain::stats::Delta<i64>| ChangeView {
        label,
        now: fr_int(now),
        before: fr_int(d.previous),
        change: format!("{}{}", signed(d.delta as f64, 0), rel(d.percent)),
    };
    let avg = |label, now: Option<f64>, d: &Option<almanach_domain::stats::Delta<f64>>| ChangeView {
        label,
        now: now.map_or("–".into(), |v| fr_number(v, 1)),
        before: d.map_or("–".into(), |d| fr_number(d.previous, 1)),
        change: d.map_or("–".into(), |d| format!("{}{}", signed(d.delta, 1), rel(d.percent))),
    };
    vec![
        int("Événements", now.events, &c.events),
        int("Séances", now.sessions, &c.sessions),
        int("Participants", now.participants, &c.participants),
        int("Moins de 14 ans", now.under_14, &c.under_14),
        avg("Participants par rencontre", now.avg_per_talk, &c.avg_per_talk),
        avg("Participants par atelier", now.avg_per_workshop, &c.avg_per_workshop),
        ChangeView {
            label: "Coût",
            now: euros(now.cost_eur),
            before: c.cost_eur.map_or("–".into(), |d| euros(d.previous)),
            change: c.cost_eur.map_or("–".into(), |d| format!("{}\u{a0}€{}", signed(d.delta, 2), rel(d.percent))),
        },
    ]
}

impl ReviewView {
    pub fn new(report: &Report, period: &Period, library: &str, series_filter: Option<&str>) -> ReviewView {
        let t = &report.total;
        let title = match period {
            Period::Year(_) => format!("Bilan de l'année {}", period.label()),
            Period::Season(_) => format!("Bilan de la saison {}", period.label()),
            Period::Range { .. } => "Bilan de la période".to_string(),
        };
        let span = format!("du {} au {}", french_day(&report.period.from), french_day(&report.period.to));
        let mut figures = vec![
            Figure { value: fr_int(t.events), label: if t.events > 1 { "événements" } else { "événement" }.into() },
            Figure { value: fr_int(t.sessions), label: if t.sessions > 1 { "séances" } else { "séance" }.into() },
            Figure { value: fr_int(t.participants), label: if t.participants > 1 { "participants" } else { "participant" }.into() },
        ];
        if let Some(v) = per(t.avg_per_workshop, "atelier") {
            figures.push(Figure { value: v, label: "en moyenne (ateliers comptés)".into() });
        }
        if let Some(v) = per(t.avg_per_talk, "rencontre") {
            figures.push(Figure { value: v, label: "en moyenne (rencontres comptées)".into() });
        }
        figures.push(Figure {
            value: format!("{}\u{a0}pers. <\u{a0}14\u{a0}ans", fr_int(t.under_14)),
            label: t.under_14_share().map_or("moins de 14 ans".into(), |s| format!("soit {} du public", percent(s * 100.0))),
        });
        if let Some(m) = t.sessions_per_theme {
            let spread = if m.min == m.max { plural(m.min, "séance", "séances") } else { format!("{} à {}\u{a0}séances", m.min, m.max) };
            figures.push(Figure { value: format!("{spread} par thème"), label: plural(t.themes, "thématique", "thématiques") });
        }
        if let Some(c) = t.cost_per_participant_eur {
            figures.push(Figure { value: euros(c), label: format!("par participant (coût total{NNBSP}: {})", euros(t.cost_eur)) });
        }
        let mut notes = Vec::new();
        if t.uncounted_sessions > 0 {
            notes.push(format!(
                "{} sans comptage{NNBSP}: laissées hors des moyennes.",
                plural(t.uncounted_sessions, "séance", "séances")
            ));
        }
        let themes = t
            .top_themes
            .iter()
            .map(|th| ThemeView { theme: th.theme.clone(), sessions: fr_int(th.sessions), participants: fr_int(th.participants) })
            .collect();
        let (previous_period, changes) = match (&report.previous, &t.change) {
            (Some(p), Some(c)) => (Some(p.label.clone()), change_rows(t, c)),
            _ => (None, Vec::new()),
        };
        ReviewView {
            library: library.to_string(),
            title,
            period: span,
            series_filter: series_filter.map(str::to_string),
            figures,
            notes,
            columns: vec![
                "Événements",
                "Séances",
                "Rencontres",
                "Ateliers",
                "Rendez-vous",
                "Participants",
                "Moins de 14 ans",
                "Non comptées",
                "Pers. / rencontre",
                "Pers. / atelier",
                "Thématiques",
                "Séances par thématique",
                "Coût",
                "Coût par participant",
            ],
            rows: report.series.iter().map(|r| RowView { name: r.series.clone().unwrap_or_default(), cells: cells(r) }).collect(),
            total: RowView { name: "Total".into(), cells: cells(t) },
            themes,
            current: period.label(),
            previous_period,
            changes,
        }
    }
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage<'a> {
    v: &'a ReviewView,
}

pub fn to_html(view: &ReviewView) -> String {
    ReviewPage { v: view }.render().expect("the review template renders")
}

#[cfg(test)]
mod tests {
    use super::*;
    use almanach_domain::stats::Tally;

    fn report() -> Report {
        let t = Tally {
            events: 9,
            sessions: 20,
            talks: 9,
            workshops: 11,
            participants: 1234,
            under_14: 100,
            uncounted_sessions: 1,
            counted_talks: 9,
            talk_participants: 657,
            counted_workshops: 10,
            workshop_participants: 190,
            cost_cents: 355_050,
            ..Tally::default()
        };
        let row = StatsRow::build(Some("Samedis; de l'innovation".into()), &t, &[]);
        let p = Period::Year(2024);
        Report { period: p.dates(), label: p.label(), series: vec![row.clone()], total: StatsRow { series: None, ..row }, previous: None }
    }

    #[test]
    fn csv_for_french_spreadsheets() {
        let csv = to_csv(&report());
        assert!(csv.starts_with("\u{feff}Période;Cycle;"));
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[1].starts_with("2024;\"Samedis; de l'innovation\";9;20;9;11;0;1234;100;1;73,00;19,00;0;;;3550,50;2,88"), "{}", lines[1]);
        assert!(lines[2].starts_with("2024;Total;"));
    }

    #[test]
    fn html_with_french_typography() {
        let html = to_html(&ReviewView::new(&report(), &Period::Year(2024), "Médiathèque L'Apostrophe", None));
        assert!(html.contains("19\u{a0}pers. / atelier"), "{html}");
        assert!(html.contains("73\u{a0}pers. / rencontre"));
        assert!(html.contains("1\u{202f}234"));
        assert!(html.contains("Bilan de l&#39;année 2024"));
        assert!(html.contains("du lundi 1er janvier 2024 au mardi 31 décembre 2024"));
        assert!(html.contains("1\u{a0}séance sans comptage\u{202f}:"));
        assert!(html.contains("<th scope=\"col\">"));
    }
}
