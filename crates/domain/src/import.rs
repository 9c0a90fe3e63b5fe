//! The import of past seasons: a spreadsheet as libraries keep them (CSV
//! with `;` or `,`, UTF-8 with or without BOM or Windows-1252, or XLSX) read
//! into typed rows. Pure: bytes in, rows or every problem out, each with its
//! line, its column and a reason in French (and English).

use std::collections::HashMap;
use std::fmt;
use std::io::Cursor;

use jiff::ToSpan;
use jiff::civil::{Date, Time, date};

use crate::attendance::{Headcount, parse_count};
use crate::calendar::{parse_date, parse_time};
use crate::programme::{SessionKind, parse_capacity, parse_price};

/// The columns Almanach understands, whatever the header's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Date,
    Start,
    End,
    Series,
    Kind,
    Title,
    Theme,
    Room,
    Participants,
    Under14,
    Registered,
    Capacity,
    Speaker,
    Cost,
}

impl Column {
    const ALL: [Column; 14] = [
        Column::Date,
        Column::Start,
        Column::End,
        Column::Series,
        Column::Kind,
        Column::Title,
        Column::Theme,
        Column::Room,
        Column::Participants,
        Column::Under14,
        Column::Registered,
        Column::Capacity,
        Column::Speaker,
        Column::Cost,
    ];
    const REQUIRED: [Column; 4] = [
        Column::Date,
        Column::Series,
        Column::Kind,
        Column::Participants,
    ];

    /// Header names, already normalised (see `normalize`).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Date => &["date", "jour", "day"],
            Column::Start => &["debut", "start", "heure", "heure de debut", "start time"],
            Column::End => &["fin", "end", "heure de fin", "end time"],
            Column::Series => &["cycle", "series", "serie", "format"],
            Column::Kind => &["type", "kind", "type de seance", "session type"],
            Column::Title => &["titre", "title", "intitule"],
            Column::Theme => &["thematique", "theme", "thematiques", "themes"],
            Column::Room => &["lieu", "room", "salle", "espace"],
            Column::Participants => &[
                "participants",
                "frequentation",
                "attendance",
                "nombre de participants",
            ],
            Column::Under14 => &[
                "moins de 14 ans",
                "under 14",
                "dont moins de 14 ans",
                "under 14s",
            ],
            Column::Registered => &["inscrits", "registered", "inscriptions"],
            Column::Capacity => &["jauge", "capacity", "places"],
            Column::Speaker => &["intervenant", "speaker", "intervenants", "speakers"],
            Column::Cost => &["cout", "cost", "cout eur", "cost eur", "cout euros"],
        }
    }

    /// The French header, for a column the file lacks.
    pub fn name_fr(self) -> &'static str {
        match self {
            Column::Date => "date",
            Column::Start => "début",
            Column::End => "fin",
            Column::Series => "cycle",
            Column::Kind => "type",
            Column::Title => "titre",
            Column::Theme => "thématique",
            Column::Room => "lieu",
            Column::Participants => "participants",
            Column::Under14 => "moins de 14 ans",
            Column::Registered => "inscrits",
            Column::Capacity => "jauge",
            Column::Speaker => "intervenant",
            Column::Cost => "coût",
        }
    }

    fn from_header(h: &str) -> Option<Column> {
        let n = normalize(h);
        Column::ALL
            .into_iter()
            .find(|c| c.aliases().contains(&n.as_str()))
    }
}

/// What is wrong; `reason_fr`/`reason_en` say it to a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not a CSV or XLSX file Almanach can read (the cause follows).
    Unreadable(String),
    /// The sheet named with `--sheet` is not in the workbook (its sheets follow).
    NoSuchSheet(Vec<String>),
    /// No header row at all.
    Empty,
    MissingColumn,
    DuplicateColumn,
    UnterminatedQuote,
    TooManyCells,
    Required,
    BadDate,
    BadTime,
    EndBeforeStart,
    UnknownKind,
    BadNumber,
    Under14OverParticipants,
    Under14WithoutParticipants,
    BadCost,
    TooLong,
    /// A head count for a session that has not begun yet (its date follows).
    CountedAhead,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The line of the file (the row of the sheet), 1 for the header.
    pub line: usize,
    /// The column as the file names it (or its French name when missing).
    pub column: String,
    pub kind: ErrorKind,
    /// What the cell held, when it matters.
    pub value: String,
}

impl ImportError {
    fn new(line: usize, column: &str, kind: ErrorKind, value: &str) -> ImportError {
        ImportError {
            line,
            column: column.to_string(),
            kind,
            value: value.to_string(),
        }
    }

    pub fn reason_fr(&self) -> String {
        let v = &self.value;
        match &self.kind {
            ErrorKind::Unreadable(why) => {
                format!("fichier illisible (ni CSV ni XLSX)\u{a0}: {why}")
            }
            ErrorKind::NoSuchSheet(s) => format!(
                "feuille «\u{a0}{v}\u{a0}» introuvable (feuilles\u{a0}: {})",
                s.join(", ")
            ),
            ErrorKind::Empty => "fichier vide\u{a0}: il faut une ligne d'en-tête".into(),
            ErrorKind::MissingColumn => "colonne obligatoire absente de l'en-tête".into(),
            ErrorKind::DuplicateColumn => "colonne présente deux fois dans l'en-tête".into(),
            ErrorKind::UnterminatedQuote => "guillemet ouvert jamais refermé".into(),
            ErrorKind::TooManyCells => {
                format!("plus de cellules que de colonnes dans l'en-tête («\u{a0}{v}\u{a0}»)")
            }
            ErrorKind::Required => "valeur obligatoire manquante".into(),
            ErrorKind::BadDate => format!(
                "date «\u{a0}{v}\u{a0}» illisible (attendu jj/mm/aaaa, jj/mm/aa ou aaaa-mm-jj)"
            ),
            ErrorKind::BadTime => {
                format!("heure «\u{a0}{v}\u{a0}» illisible (attendu 14:00, 14h ou 14h30)")
            }
            ErrorKind::EndBeforeStart => format!("la fin ({v}) doit suivre le début"),
            ErrorKind::UnknownKind => format!(
                "type «\u{a0}{v}\u{a0}» inconnu (atelier, rencontre, conférence, table ronde, démonstration, \
                 accompagnement, rendez-vous ou autre)"
            ),
            ErrorKind::BadNumber => {
                format!("«\u{a0}{v}\u{a0}» n'est pas un nombre entier de personnes")
            }
            ErrorKind::Under14OverParticipants => {
                format!("plus de moins de 14 ans ({v}) que de participants")
            }
            ErrorKind::Under14WithoutParticipants => {
                "moins de 14 ans comptés sans nombre de participants".into()
            }
            ErrorKind::BadCost => {
                format!("coût «\u{a0}{v}\u{a0}» illisible (en euros, par exemple 150 ou 150,50)")
            }
            ErrorKind::TooLong => "texte trop long (200 caractères au plus)".into(),
            ErrorKind::CountedAhead => format!(
                "fréquentation d'une séance à venir ({v})\u{a0}: on ne compte qu'une séance commencée"
            ),
        }
    }

    pub fn reason_en(&self) -> String {
        let v = &self.value;
        match &self.kind {
            ErrorKind::Unreadable(why) => format!("unreadable file (neither CSV nor XLSX): {why}"),
            ErrorKind::NoSuchSheet(s) => format!("no sheet \"{v}\" (sheets: {})", s.join(", ")),
            ErrorKind::Empty => "empty file: a header row is needed".into(),
            ErrorKind::MissingColumn => "required column missing from the header".into(),
            ErrorKind::DuplicateColumn => "column given twice in the header".into(),
            ErrorKind::UnterminatedQuote => "a quote is opened and never closed".into(),
            ErrorKind::TooManyCells => format!("more cells than header columns (\"{v}\")"),
            ErrorKind::Required => "required value missing".into(),
            ErrorKind::BadDate => {
                format!("cannot read the date \"{v}\" (dd/mm/yyyy, dd/mm/yy or yyyy-mm-dd)")
            }
            ErrorKind::BadTime => format!("cannot read the time \"{v}\" (14:00, 14h or 14h30)"),
            ErrorKind::EndBeforeStart => format!("the end ({v}) must follow the start"),
            ErrorKind::UnknownKind => format!(
                "unknown kind \"{v}\" (workshop, talk, conference, round table, demonstration, appointment or other)"
            ),
            ErrorKind::BadNumber => format!("\"{v}\" is not a whole number of people"),
            ErrorKind::Under14OverParticipants => format!("more under-14s ({v}) than participants"),
            ErrorKind::Under14WithoutParticipants => {
                "under-14s counted without a number of participants".into()
            }
            ErrorKind::BadCost => {
                format!("cannot read the cost \"{v}\" (euros, e.g. 150 or 150.50)")
            }
            ErrorKind::TooLong => "text too long (200 characters at most)".into(),
            ErrorKind::CountedAhead => format!(
                "attendance of a session still to come ({v}): only a session that has begun is counted"
            ),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            write!(f, "ligne {}\u{a0}: {}", self.line, self.reason_fr())
        } else {
            write!(
                f,
                "ligne {}, colonne «\u{a0}{}\u{a0}»\u{a0}: {}",
                self.line,
                self.column,
                self.reason_fr()
            )
        }
    }
}

/// One session of the past, read from one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: usize,
    pub date: Date,
    /// None when the file gives no start: the session is placed at 00:00.
    pub start: Option<Time>,
    /// None: the series' default duration, or one hour.
    pub end: Option<Time>,
    pub series: String,
    pub kind: SessionKind,
    pub title: String,
    pub themes: Vec<String>,
    pub room: Option<String>,
    pub headcount: Headcount,
    pub capacity: Option<u32>,
    pub speakers: Vec<String>,
    pub cost_cents: i64,
    /// Identifies this session across imports of the same file.
    pub key: String,
}

impl ImportRow {
    /// The rows of one series on one date form one event.
    pub fn event_key(&self) -> String {
        format!("{}|{}", normalize(&self.series), self.date)
    }
}

/// A file read: its rows, the columns it had that Almanach ignores, and
/// what it was ("CSV ; UTF-8").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedFile {
    pub rows: Vec<ImportRow>,
    pub ignored_columns: Vec<String>,
    pub source: String,
}

/// Reads a whole file; any error, and every row is refused with it.
pub fn parse_file(bytes: &[u8], sheet: Option<&str>) -> Result<ParsedFile, Vec<ImportError>> {
    let (records, source) = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes, sheet).map_err(|e| vec![e])?
    } else {
        let (text, encoding) = decode(bytes);
        let (records, delimiter) = read_csv(&text).map_err(|e| vec![e])?;
        (
            records,
            format!("CSV «\u{a0}{delimiter}\u{a0}», {encoding}"),
        )
    };
    let (rows, ignored_columns) = parse_records(records)?;
    Ok(ParsedFile {
        rows,
        ignored_columns,
        source,
    })
}

/// The rows counting a session that has not begun by `now` (library time),
/// refused as errors of the file like any other: attendance is recorded
/// once a session has begun (`attendance::Recording::Count`). A row
/// without a start time begins at 00:00 of its date.
pub fn counted_ahead(rows: &[ImportRow], now: jiff::civil::DateTime) -> Vec<ImportError> {
    rows.iter()
        .filter(|r| r.headcount.is_counted())
        .filter(|r| r.date.to_datetime(r.start.unwrap_or(Time::midnight())) > now)
        .map(|r| {
            let when = match r.start {
                Some(t) => format!("{} {}", r.date, t.strftime("%H:%M")),
                None => r.date.to_string(),
            };
            ImportError::new(
                r.line,
                Column::Participants.name_fr(),
                ErrorKind::CountedAhead,
                &when,
            )
        })
        .collect()
}

/// One line of the table: where it starts in the file, and its cells.
struct Record {
    line: usize,
    cells: Vec<String>,
}

/// UTF-8 (a BOM dropped) when the bytes are valid UTF-8, Windows-1252 otherwise.
fn decode(bytes: &[u8]) -> (String, &'static str) {
    let (bytes, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), if bom { "UTF-8 avec BOM" } else { "UTF-8" }),
        Err(_) => (
            bytes.iter().map(|&b| windows_1252(b)).collect(),
            "Windows-1252",
        ),
    }
}

/// Windows-1252 differs from Latin-1 only in 0x80–0x9F; the five unassigned
/// bytes map to the C1 controls, as browsers do.
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// RFC 4180 with the delimiter guessed from the header line: `;` (French
/// spreadsheets) or `,`, whichever it holds more of outside quotes.
fn read_csv(text: &str) -> Result<(Vec<Record>, char), ImportError> {
    let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let (mut semi, mut comma, mut quoted) = (0, 0, false);
    for c in first.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semi += 1,
            ',' if !quoted => comma += 1,
            _ => {}
        }
    }
    let delimiter = if comma > semi { ',' } else { ';' };
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while chars.peek().is_some() {
        let start = line;
        let mut cells = Vec::new();
        let mut cell = String::new();
        let mut in_quotes = false;
        loop {
            let Some(c) = chars.next() else {
                if in_quotes {
                    return Err(ImportError::new(
                        start,
                        "",
                        ErrorKind::UnterminatedQuote,
                        "",
                    ));
                }
                break;
            };
            if in_quotes {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        cell.push('"');
                    }
                    '"' => in_quotes = false,
                    '\n' => {
                        line += 1;
                        cell.push('\n');
                    }
                    _ => cell.push(c),
                }
                continue;
            }
            match c {
                '"' if cell.trim().is_empty() => {
                    cell.clear();
                    in_quotes = true;
                }
                c if c == delimiter => cells.push(std::mem::take(&mut cell)),
                '\r' => {
                    if chars.peek() == Some(&'\n') {
                        chars.next();
                    }
                    line += 1;
                    break;
                }
                '\n' => {
                    line += 1;
                    break;
                }
                _ => cell.push(c),
            }
        }
        cells.push(cell);
        records.push(Record { line: start, cells });
    }
    Ok((records, delimiter))
}

fn read_xlsx(bytes: &[u8], sheet: Option<&str>) -> Result<(Vec<Record>, String), ImportError> {
    use calamine::{Data, Reader, Xlsx};
    let unreadable =
        |e: &dyn fmt::Display| ImportError::new(1, "", ErrorKind::Unreadable(e.to_string()), "");
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s || normalize(n) == normalize(s))
            .cloned()
            .ok_or_else(|| ImportError::new(1, "", ErrorKind::NoSuchSheet(names.clone()), s))?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| ImportError::new(1, "", ErrorKind::Empty, ""))?,
    };
    let range = book.worksheet_range(&name).map_err(|e| unreadable(&e))?;
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    let cell = |d: &Data| -> String {
        match d {
            Data::Empty => String::new(),
            Data::String(s) => s.clone(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(dt) => excel_serial(dt.as_f64()),
            Data::DateTimeIso(s) => s.split('T').next().unwrap_or_default().to_string(),
            Data::DurationIso(s) => s.clone(),
            Data::Error(e) => format!("#{e:?}"),
        }
    };
    let records = range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            // Columns before the used range are empty: keep positions as in the sheet.
            let mut cells = vec![String::new(); first_col];
            cells.extend(row.iter().map(cell));
            Record {
                line: first_row + i + 1,
                cells,
            }
        })
        .collect();
    Ok((records, format!("XLSX, feuille «\u{a0}{name}\u{a0}»")))
}

/// An Excel serial (days since 1899-12-30, the fraction the time of day) as
/// text the date and time parsers read: a date, a time, or both.
fn excel_serial(v: f64) -> String {
    let days = v.floor();
    let minutes = ((v - days) * 1440.0).round() as i64;
    let (h, m) = (minutes / 60 % 24, minutes % 60);
    let day = date(1899, 12, 30).checked_add((days as i64).days()).ok();
    match (days as i64, day) {
        (0, _) => format!("{h:02}:{m:02}"),
        (_, Some(d)) if minutes == 0 => d.to_string(),
        (_, Some(d)) => format!("{d} {h:02}:{m:02}"),
        (_, None) => v.to_string(),
    }
}

/// Lower case, accents and punctuation dropped, spaces collapsed: the key
/// under which headers, kinds and names are compared ("Coût (€)" is "cout").
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        let base = match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => "a",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => "o",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'œ' => "oe",
            'æ' => "ae",
            c if c.is_alphanumeric() => {
                if gap && !out.is_empty() {
                    out.push(' ');
                }
                gap = false;
                out.push(c);
                continue;
            }
            _ => {
                gap = true;
                continue;
            }
        };
        if gap && !out.is_empty() {
            out.push(' ');
        }
        gap = false;
        out.push_str(base);
    }
    out
}

/// A session kind as spreadsheets name it, in French or English.
pub fn parse_kind(s: &str) -> Option<SessionKind> {
    let n = normalize(s);
    let kind = match n.as_str() {
        "atelier" | "workshop" | "ateliers" | "workshops" => SessionKind::Workshop,
        "rencontre" | "conference" | "table ronde" | "demonstration" | "demo"
        | "conference debat" | "debat" | "rencontre d auteur" | "talk" | "round table"
        | "panel" | "author talk" | "lecture" | "rencontres" | "conferences" => SessionKind::Talk,
        "accompagnement"
        | "accompagnement individuel"
        | "rendez vous"
        | "rdv"
        | "appointment"
        | "one to one" => SessionKind::Appointment,
        "autre" | "other" => SessionKind::Other,
        _ => return None,
    };
    Some(kind)
}

/// Euros with a comma or a dot, spaces between thousands, an optional "€".
fn parse_cost(s: &str) -> Option<i64> {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
        .collect();
    let compact = compact.trim_end_matches("EUR").trim_end_matches("eur");
    parse_price(compact).ok()
}

/// Several names in one cell are separated by semicolons.
fn names(s: &str) -> Vec<String> {
    s.split(';')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

const MAX_TEXT: usize = 200;

fn parse_records(records: Vec<Record>) -> Result<(Vec<ImportRow>, Vec<String>), Vec<ImportError>> {
    let blank = |r: &Record| r.cells.iter().all(|c| c.trim().is_empty());
    let mut it = records.into_iter().filter(|r| !blank(r));
    let Some(header) = it.next() else {
        return Err(vec![ImportError::new(1, "", ErrorKind::Empty, "")]);
    };
    let mut errors = Vec::new();
    let mut columns: HashMap<Column, usize> = HashMap::new();
    let mut ignored = Vec::new();
    for (i, h) in header.cells.iter().enumerate() {
        let h = h.trim();
        if h.is_empty() {
            continue;
        }
        match Column::from_header(h) {
            Some(c) if columns.contains_key(&c) => {
                errors.push(ImportError::new(
                    header.line,
                    h,
                    ErrorKind::DuplicateColumn,
                    "",
                ));
            }
            Some(c) => {
                columns.insert(c, i);
            }
            None => ignored.push(h.to_string()),
        }
    }
    for c in Column::REQUIRED {
        if !columns.contains_key(&c) {
            errors.push(ImportError::new(
                header.line,
                c.name_fr(),
                ErrorKind::MissingColumn,
                "",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let width = header.cells.len();
    let name_of = |c: Column| header.cells[columns[&c]].trim().to_string();
    let mut rows = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in it {
        let line = r.line;
        let get = |c: Column| {
            columns
                .get(&c)
                .and_then(|&i| r.cells.get(i))
                .map_or("", |s| s.trim())
        };
        if let Some(extra) = r.cells.iter().skip(width).find(|c| !c.trim().is_empty()) {
            errors.push(ImportError::new(
                line,
                "",
                ErrorKind::TooManyCells,
                extra.trim(),
            ));
            continue;
        }
        let before = errors.len();
        let mut fail = |c: Column, kind: ErrorKind, value: &str| {
            let column = if columns.contains_key(&c) {
                name_of(c)
            } else {
                c.name_fr().to_string()
            };
            errors.push(ImportError::new(line, &column, kind, value));
        };
        let mut text = |c: Column, required: bool| -> String {
            let v: String = get(c)
                .chars()
                .map(|ch| if ch.is_control() { ' ' } else { ch })
                .collect();
            let v = v.trim().to_string();
            if required && v.is_empty() {
                fail(c, ErrorKind::Required, "");
            } else if v.chars().count() > MAX_TEXT {
                fail(c, ErrorKind::TooLong, "");
            }
            v
        };
        let series = text(Column::Series, true);
        let title = text(Column::Title, false);
        let theme_cell = text(Column::Theme, false);
        let room = text(Column::Room, false);
        let speaker_cell = text(Column::Speaker, false);
        let date = match get(Column::Date) {
            "" => {
                fail(Column::Date, ErrorKind::Required, "");
                None
            }
            d => {
                let parsed =
                    parse_date(d).or_else(|| d.split_once(' ').and_then(|(a, _)| parse_date(a)));
                if parsed.is_none() {
                    fail(Column::Date, ErrorKind::BadDate, d);
                }
                parsed
            }
        };
        let mut time = |c: Column| -> Option<Time> {
            match get(c) {
                "" => None,
                v => {
                    let t = parse_time(v);
                    if t.is_none() {
                        fail(c, ErrorKind::BadTime, v);
                    }
                    t
                }
            }
        };
        let start = time(Column::Start);
        let end = time(Column::End);
        if let (Some(s), Some(e)) = (start, end)
            && e <= s
        {
            fail(Column::End, ErrorKind::EndBeforeStart, get(Column::End));
        }
        let kind = match get(Column::Kind) {
            "" => {
                fail(Column::Kind, ErrorKind::Required, "");
                None
            }
            k => {
                let parsed = parse_kind(k);
                if parsed.is_none() {
                    fail(Column::Kind, ErrorKind::UnknownKind, k);
                }
                parsed
            }
        };
        let mut count = |c: Column| -> Option<u32> {
            let v = get(c);
            match parse_count("count", v) {
                Ok(n) => n,
                Err(_) => {
                    fail(c, ErrorKind::BadNumber, v);
                    None
                }
            }
        };
        let participants = count(Column::Participants);
        let under_14 = count(Column::Under14);
        let registered = count(Column::Registered);
        let headcount = match Headcount::new(participants, under_14, registered, None) {
            Ok(h) => h,
            Err(p) => {
                for problem in p.0 {
                    match problem.key {
                        "error.under_14_over_participants" => fail(
                            Column::Under14,
                            ErrorKind::Under14OverParticipants,
                            get(Column::Under14),
                        ),
                        "error.under_14_without_participants" => fail(
                            Column::Under14,
                            ErrorKind::Under14WithoutParticipants,
                            get(Column::Under14),
                        ),
                        _ => fail(
                            Column::Participants,
                            ErrorKind::BadNumber,
                            get(Column::Participants),
                        ),
                    }
                }
                Headcount::default()
            }
        };
        let capacity = match parse_capacity("capacity", get(Column::Capacity)) {
            Ok(c) => c,
            Err(_) => {
                fail(
                    Column::Capacity,
                    ErrorKind::BadNumber,
                    get(Column::Capacity),
                );
                None
            }
        };
        let cost_cents = match get(Column::Cost) {
            "" => 0,
            v => parse_cost(v).unwrap_or_else(|| {
                fail(Column::Cost, ErrorKind::BadCost, v);
                0
            }),
        };
        if errors.len() > before {
            continue;
        }
        let (Some(date), Some(kind)) = (date, kind) else {
            continue;
        };
        let themes = names(&theme_cell);
        let identity = format!(
            "{}|{}|{}|{}|{}|{}|{}",
            normalize(&series),
            date,
            start.map_or("-".into(), |t| t.strftime("%H:%M").to_string()),
            kind.slug(),
            normalize(&title),
            themes
                .iter()
                .map(|t| normalize(t))
                .collect::<Vec<_>>()
                .join(";"),
            normalize(&room),
        );
        // Two identical lines are two sessions (two groups at once): the
        // occurrence keeps their keys apart, and stable from one import to the next.
        let n = seen.entry(identity.clone()).or_default();
        *n += 1;
        rows.push(ImportRow {
            line,
            date,
            start,
            end,
            series,
            kind,
            title,
            themes,
            room: (!room.is_empty()).then_some(room),
            headcount,
            capacity,
            speakers: names(&speaker_cell),
            cost_cents,
            key: format!("{identity}#{n}"),
        });
    }
    if errors.is_empty() {
        Ok((rows, ignored))
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Date;Début;Fin;Cycle;Type;Titre;Thématique;Lieu;Participants;Moins de 14 ans;Inscrits;Jauge;Intervenant;Coût";

    fn csv(lines: &[&str]) -> Vec<u8> {
        let mut s = String::from(HEADER);
        for l in lines {
            s.push('\n');
            s.push_str(l);
        }
        s.into_bytes()
    }

    #[test]
    fn a_french_line_reads_whole() {
        let f = parse_file(
            &csv(&["13/01/2024;14h;15h30;Samedis de l'innovation;Rencontre;L'IA et l'image;Image;Auditorium;73;5;;120;Fake off;150,50"]),
            None,
        )
        .unwrap();
        let r = &f.rows[0];
        assert_eq!(r.line, 2);
        assert_eq!(r.date, date(2024, 1, 13));
        assert_eq!(r.start, Some(Time::constant(14, 0, 0, 0)));
        assert_eq!(r.end, Some(Time::constant(15, 30, 0, 0)));
        assert_eq!(r.kind, SessionKind::Talk);
        assert_eq!(r.headcount.participants, Some(73));
        assert_eq!(r.headcount.under_14, Some(5));
        assert_eq!(r.capacity, Some(120));
        assert_eq!(r.speakers, ["Fake off"]);
        assert_eq!(r.cost_cents, 15_050);
        assert_eq!(r.room.as_deref(), Some("Auditorium"));
        assert_eq!(f.source, "CSV «\u{a0};\u{a0}», UTF-8");
    }

    #[test]
    fn english_headers_commas_quotes_and_a_bom() {
        let text = "\u{feff}DATE,Start,End,Series,Kind,Title,Theme,Room,Participants,Under 14,Registered,Capacity,Speaker,Cost (EUR)\r\n\
                    2025-02-08,14:00,,\"Samedis, saison 2\",workshop,\"Say \"\"hi\"\"\",,,22,,20,20,,\"1 200.5\"\r\n";
        let f = parse_file(text.as_bytes(), None).unwrap();
        assert_eq!(f.source, "CSV «\u{a0},\u{a0}», UTF-8 avec BOM");
        let r = &f.rows[0];
        assert_eq!(r.series, "Samedis, saison 2");
        assert_eq!(r.title, "Say \"hi\"");
        assert_eq!(r.end, None);
        assert_eq!(r.headcount.registered, Some(20));
        assert_eq!(r.cost_cents, 120_050);
    }

    #[test]
    fn windows_1252_is_detected() {
        let mut bytes =
            b"date;cycle;type;participants;lieu\n01/02/2024;Points;atelier;5;M".to_vec();
        bytes.push(0xe9); // é
        bytes.extend_from_slice(b"diath");
        bytes.push(0xe8); // è
        bytes.extend_from_slice(b"que \x80\n");
        let f = parse_file(&bytes, None).unwrap();
        assert_eq!(f.rows[0].room.as_deref(), Some("Médiathèque €"));
        assert!(f.source.ends_with("Windows-1252"));
    }

    #[test]
    fn empty_participants_is_not_counted_and_blank_lines_are_skipped() {
        let f = parse_file(
            &csv(&["", "02/02/2024;;;P;atelier;;;;;;;;;", ";;;;;;;;;;;;;"]),
            None,
        )
        .unwrap();
        assert_eq!(f.rows.len(), 1);
        assert_eq!(f.rows[0].headcount.participants, None);
        assert_eq!(f.rows[0].start, None);
    }

    #[test]
    fn every_error_with_its_line_and_column() {
        let f = parse_file(
            &csv(&[
                "31/02/2024;25h;;;fête;;;;douze;;;0;;abc",
                "01/03/2024;14h;13h;P;atelier;;;;3;4;;;;",
                "01/03/2024;14h;;P;atelier;;;;;1;;;;;surplus",
            ]),
            None,
        )
        .unwrap_err();
        let got: Vec<(usize, &str, &ErrorKind)> = f
            .iter()
            .map(|e| (e.line, e.column.as_str(), &e.kind))
            .collect();
        assert_eq!(
            got,
            [
                (2, "Cycle", &ErrorKind::Required),
                (2, "Date", &ErrorKind::BadDate),
                (2, "Début", &ErrorKind::BadTime),
                (2, "Type", &ErrorKind::UnknownKind),
                (2, "Participants", &ErrorKind::BadNumber),
                (2, "Jauge", &ErrorKind::BadNumber),
                (2, "Coût", &ErrorKind::BadCost),
                (3, "Fin", &ErrorKind::EndBeforeStart),
                (3, "Moins de 14 ans", &ErrorKind::Under14OverParticipants),
                (4, "", &ErrorKind::TooManyCells),
            ]
        );
        assert_eq!(
            f[1].to_string(),
            "ligne 2, colonne «\u{a0}Date\u{a0}»\u{a0}: date «\u{a0}31/02/2024\u{a0}» illisible (attendu jj/mm/aaaa, jj/mm/aa ou aaaa-mm-jj)"
        );
    }

    #[test]
    fn header_problems() {
        let e = parse_file(b"date;type;titre;type\n", None).unwrap_err();
        let got: Vec<_> = e
            .iter()
            .map(|e| (e.column.as_str(), e.kind.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("type", ErrorKind::DuplicateColumn),
                ("cycle", ErrorKind::MissingColumn),
                ("participants", ErrorKind::MissingColumn)
            ]
        );
        assert_eq!(
            parse_file(b"\n \n", None).unwrap_err()[0].kind,
            ErrorKind::Empty
        );
        assert_eq!(
            parse_file(b"date;\"cycle\ntype", None).unwrap_err()[0].kind,
            ErrorKind::UnterminatedQuote
        );
        let e = parse_file(b"PK\x03\x04garbage", None).unwrap_err();
        assert!(matches!(e[0].kind, ErrorKind::Unreadable(_)));
    }

    #[test]
    fn unknown_columns_are_listed_and_quoted_newlines_keep_line_numbers() {
        let f = parse_file(b"date;cycle;type;participants;remarque\n01/02/2024;P;atelier;4;\"two\nlines\"\n02/02/2024;P;atelier;5;\n", None).unwrap();
        assert_eq!(f.ignored_columns, ["remarque"]);
        assert_eq!(f.rows[1].line, 4);
    }

    #[test]
    fn identical_lines_are_two_sessions_with_stable_keys() {
        let f = parse_file(
            &csv(&[
                "01/02/2024;14h;;P;atelier;;;;4;;;;;",
                "01/02/2024;14h;;P;atelier;;;;6;;;;;",
            ]),
            None,
        )
        .unwrap();
        assert_ne!(f.rows[0].key, f.rows[1].key);
        assert_eq!(f.rows[0].event_key(), f.rows[1].event_key());
        let again = parse_file(
            &csv(&[
                "01/02/2024;14h;;P;atelier;;;;4;;;;;",
                "01/02/2024;14h;;P;atelier;;;;6;;;;;",
            ]),
            None,
        )
        .unwrap();
        assert_eq!(f.rows[1].key, again.rows[1].key);
    }

    #[test]
    fn kinds_and_names_normalised() {
        assert_eq!(normalize("  Moins de 14 ans "), "moins de 14 ans");
        assert_eq!(normalize("Coût (€)"), "cout");
        assert_eq!(normalize("Points de l’IA"), "points de l ia");
        assert_eq!(parse_kind("Table ronde"), Some(SessionKind::Talk));
        assert_eq!(parse_kind("Démonstration"), Some(SessionKind::Talk));
        assert_eq!(parse_kind("CONFÉRENCE"), Some(SessionKind::Talk));
        assert_eq!(parse_kind("rendez-vous"), Some(SessionKind::Appointment));
        assert_eq!(parse_kind("Accompagnement"), Some(SessionKind::Appointment));
        assert_eq!(parse_kind("Round table"), Some(SessionKind::Talk));
        assert_eq!(parse_kind("autre"), Some(SessionKind::Other));
        assert_eq!(parse_kind("fête"), None);
    }

    #[test]
    fn a_session_still_to_come_cannot_be_counted() {
        let f = parse_file(
            &csv(&[
                "01/02/2024;14h;;P;atelier;;;;4;;;;;",
                "07/12/2026;14h;;P;atelier;;;;6;;;;;",
                "07/12/2026;09h;;P;atelier;;;;6;;;;;",
                "08/12/2026;;;P;atelier;;;;;;;;;",
            ]),
            None,
        )
        .unwrap();
        let now = date(2026, 12, 7).at(10, 30, 0, 0);
        let e = counted_ahead(&f.rows, now);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(
            (e[0].line, e[0].kind.clone(), e[0].value.as_str()),
            (3, ErrorKind::CountedAhead, "2026-12-07 14:00")
        );
        assert!(e[0].reason_fr().contains("séance à venir"));
        assert!(e[0].reason_en().contains("still to come"));
    }

    #[test]
    fn excel_serials() {
        assert_eq!(excel_serial(45_292.0), "2024-01-01", "Excel day 45292");
        assert_eq!(excel_serial(45_304.0), "2024-01-13");
        assert_eq!(excel_serial(0.5833333333), "14:00");
        assert_eq!(excel_serial(45_304.5833333333), "2024-01-13 14:00");
    }
}
