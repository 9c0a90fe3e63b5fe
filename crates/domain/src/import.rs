//! The import of past seasons: a spreadsheet as libraries keep them (CSV
//! with `;` or `,`, UTF-8 with or without BOM or Windows-1252, or XLSX) read
//! into typed rows. Pure: bytes in, rows or every problem out, each with its
//! line, its column and a reason in French (and English).

use std::collections::HashMap;

use jiff::civil::{Date, Time};

use crate::attendance::{Headcount, parse_count};
use crate::calendar::{parse_date, parse_time};
use crate::programme::{SessionKind, parse_capacity, parse_price};
use crate::text::{Flaw, line_flaw};

pub mod build;
mod cells;
mod problems;
mod xlsx;

use cells::Record;
pub use cells::normalize;
pub use problems::{
    Column, ErrorKind, ImportError, ImportLimits, Limit, MAX_ERRORS, MAX_LINE_CHARS,
};

pub use xlsx::{MAX_ENTRIES, MAX_STYLES};

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

/// Reads a whole file within the default limits; any error, and every row
/// is refused with it.
pub fn parse_file(bytes: &[u8], sheet: Option<&str>) -> Result<ParsedFile, Vec<ImportError>> {
    parse_file_with(bytes, sheet, &ImportLimits::default())
}

/// Reads a whole file within `limits`.
pub fn parse_file_with(
    bytes: &[u8],
    sheet: Option<&str>,
    limits: &ImportLimits,
) -> Result<ParsedFile, Vec<ImportError>> {
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(vec![ImportError::too_large(
            bytes.len() as u64,
            limits.max_file_bytes,
        )]);
    }
    let (records, source) = match sniff(bytes) {
        Sniffed::Zip => xlsx::read(bytes, sheet, limits).map_err(|e| vec![e])?,
        Sniffed::Ole => return Err(vec![ImportError::file(ErrorKind::EncryptedOrXls)]),
        Sniffed::Binary => return Err(vec![ImportError::file(ErrorKind::Binary)]),
        Sniffed::Text => {
            let (text, encoding) = decode(bytes);
            let (records, delimiter) = read_csv(&text, limits).map_err(|e| vec![e])?;
            let shown = if delimiter == '\t' {
                "tabulation".to_string()
            } else {
                delimiter.to_string()
            };
            (records, format!("CSV «\u{a0}{shown}\u{a0}», {encoding}"))
        }
    };
    let (rows, ignored_columns) = parse_records(records)?;
    Ok(ParsedFile {
        rows,
        ignored_columns,
        source,
    })
}

/// `file`, unless it counts a session that has not begun by `now`: then
/// those rows, as errors of the file (`counted_ahead`).
pub fn nothing_counted_ahead(
    file: ParsedFile,
    now: jiff::civil::DateTime,
) -> Result<ParsedFile, Vec<ImportError>> {
    let ahead = counted_ahead(&file.rows, now);
    if ahead.is_empty() {
        Ok(file)
    } else {
        Err(ahead)
    }
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

enum Sniffed {
    Zip,
    Ole,
    Binary,
    Text,
}

/// What the bytes are, from their first ones: never from the file's name.
fn sniff(bytes: &[u8]) -> Sniffed {
    const BINARY: [&[u8]; 8] = [
        b"%PDF",
        b"\x89PNG",
        b"\xFF\xD8\xFF",
        b"GIF8",
        b"\x1F\x8B",
        b"7z\xBC\xAF",
        b"Rar!",
        b"\x7FELF",
    ];
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Sniffed::Zip;
    }
    if bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return Sniffed::Ole;
    }
    if BINARY.iter().any(|m| bytes.starts_with(m)) {
        return Sniffed::Binary;
    }
    if utf16(bytes).is_some() {
        return Sniffed::Text;
    }
    // Text has few control bytes; one NUL in a cell is the cell's problem.
    let sample = &bytes[..bytes.len().min(8192)];
    let controls = sample
        .iter()
        .filter(|&&b| matches!(b, 0..=8 | 0x0e..=0x1f) && b != 0x1a)
        .count();
    if controls > 8 && controls * 20 > sample.len() {
        Sniffed::Binary
    } else {
        Sniffed::Text
    }
}

/// UTF-16 with a BOM, or without one when every other byte of ASCII text
/// is NUL (`true`: little-endian).
fn utf16(bytes: &[u8]) -> Option<bool> {
    if bytes.starts_with(b"\xFF\xFE") {
        return Some(true);
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return Some(false);
    }
    let sample = &bytes[..bytes.len().min(2048) & !1];
    if sample.len() < 8 {
        return None;
    }
    let pairs = sample.len() / 2;
    let zero_at = |i: usize| sample.chunks(2).filter(|p| p[i] == 0).count();
    let (even, odd) = (zero_at(0), zero_at(1));
    if odd * 10 >= pairs * 9 && even * 20 < pairs {
        Some(true)
    } else if even * 10 >= pairs * 9 && odd * 20 < pairs {
        Some(false)
    } else {
        None
    }
}

/// UTF-16 when it says so (Excel's "Unicode text"), UTF-8 (a BOM dropped)
/// when the bytes are valid UTF-8, Windows-1252 otherwise (a superset of
/// Latin-1; its five unassigned bytes are the C1 controls, as browsers read
/// them). Decoding is encoding_rs's, the WHATWG tables.
fn decode(bytes: &[u8]) -> (String, &'static str) {
    if let Some(little) = utf16(bytes) {
        let encoding = if little {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        // A last odd byte is no character: dropped, not a U+FFFD cell.
        let even = &bytes[..bytes.len() & !1];
        let (text, _) = encoding.decode_with_bom_removal(even);
        return (text.into_owned(), "UTF-16");
    }
    let (bytes, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), if bom { "UTF-8 avec BOM" } else { "UTF-8" }),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text.into_owned(), "Windows-1252")
        }
    }
}

/// RFC 4180 with the delimiter guessed from the header line: `;` (French
/// spreadsheets), `,` or a tab (Excel's "Unicode text"), whichever it holds
/// more of outside quotes. Bounded as `limits` say, line by line.
fn read_csv(text: &str, limits: &ImportLimits) -> Result<(Vec<Record>, char), ImportError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .chars()
        .take(MAX_LINE_CHARS);
    let (mut semi, mut comma, mut tab, mut quoted) = (0, 0, 0, false);
    for c in first {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semi += 1,
            ',' if !quoted => comma += 1,
            '\t' if !quoted => tab += 1,
            _ => {}
        }
    }
    let delimiter = if tab > semi && tab > comma {
        '\t'
    } else if comma > semi {
        ','
    } else {
        ';'
    };
    let too_big =
        |line: usize, limit: Limit| ImportError::new(line, "", ErrorKind::TooBig(limit), "");
    let mut records = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    let mut cells_read = 0usize;
    while chars.peek().is_some() {
        let start = line;
        if records.len() >= limits.max_rows {
            return Err(too_big(
                start,
                Limit::Rows {
                    max: limits.max_rows,
                },
            ));
        }
        let mut cells = Vec::new();
        let mut cell = String::new();
        let mut in_quotes = false;
        let mut length = 0usize;
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
            length += 1;
            if length > MAX_LINE_CHARS {
                return Err(too_big(
                    start,
                    Limit::Line {
                        max: MAX_LINE_CHARS,
                    },
                ));
            }
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
                c if c == delimiter => {
                    cells.push(std::mem::take(&mut cell));
                    if cells.len() >= limits.max_columns {
                        return Err(too_big(
                            start,
                            Limit::Columns {
                                max: limits.max_columns,
                            },
                        ));
                    }
                }
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
        cells_read += cells.len();
        if cells_read > limits.max_cells {
            return Err(too_big(
                start,
                Limit::Cells {
                    max: limits.max_cells,
                },
            ));
        }
        records.push(Record { line: start, cells });
    }
    Ok((records, delimiter))
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
        return Err(vec![ImportError::file(ErrorKind::Empty)]);
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
        if errors.len() >= MAX_ERRORS {
            errors.truncate(MAX_ERRORS);
            errors.push(ImportError::new(r.line, "", ErrorKind::TooManyErrors, ""));
            break;
        }
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
            // A line break in a cell (Alt+Entrée) is layout: a space. Any
            // other control character is refused, as in every form.
            let raw = get(c);
            let v: String = raw
                .chars()
                .map(|ch| {
                    if matches!(ch, '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}') {
                        ' '
                    } else {
                        ch
                    }
                })
                .collect();
            let v = v.trim().to_string();
            match line_flaw(&v) {
                Some(Flaw::Control) => fail(c, ErrorKind::ControlChars, raw),
                Some(Flaw::Bidi) => fail(c, ErrorKind::BidiChars, raw),
                None if required && v.is_empty() => fail(c, ErrorKind::Required, ""),
                None if v.chars().count() > MAX_TEXT => fail(c, ErrorKind::TooLong, ""),
                None => {}
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
    use super::cells::excel_serial;
    use super::*;
    use jiff::civil::date;

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
    fn each_encoding_decodes_to_its_characters() {
        // Windows-1252's own 0x80–0x9F (its unassigned bytes are the C1
        // controls), Latin-1 above.
        assert_eq!(
            decode(b"\x80\x81\x8c\x9d\x9f;\xa0\xe9\xff"),
            ("€\u{81}Œ\u{9d}Ÿ;\u{a0}éÿ".to_string(), "Windows-1252")
        );
        assert_eq!(decode("é;ü".as_bytes()), ("é;ü".to_string(), "UTF-8"));
        assert_eq!(
            decode(b"\xEF\xBB\xBFa\xC3\xA9"),
            ("aé".to_string(), "UTF-8 avec BOM")
        );
        // UTF-16 big-endian with its BOM; a last odd byte is no character.
        let mut be = vec![0xFE, 0xFF];
        be.extend("aé;€\r\n".encode_utf16().flat_map(u16::to_be_bytes));
        be.push(b'x');
        assert_eq!(decode(&be), ("aé;€\r\n".to_string(), "UTF-16"));
        // A lone surrogate is shown as U+FFFD, the rest kept.
        let mut le = vec![0xFF, 0xFE];
        le.extend(
            [0xD800u16, u16::from(b'a')]
                .into_iter()
                .flat_map(u16::to_le_bytes),
        );
        assert_eq!(decode(&le), ("\u{fffd}a".to_string(), "UTF-16"));
    }

    #[test]
    fn utf16_without_a_bom_is_told_by_its_nuls() {
        let le = |s: &str| {
            s.encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<u8>>()
        };
        let swap = |v: Vec<u8>| v.chunks(2).flat_map(|p| [p[1], p[0]]).collect::<Vec<u8>>();
        assert_eq!(utf16(b"\xFF\xFEa"), Some(true));
        assert_eq!(utf16(b"\xFE\xFFa"), Some(false));
        // Eight bytes are enough to tell, six are not; an odd last byte
        // is left out.
        assert_eq!(utf16(&le("abcd")), Some(true));
        assert_eq!(utf16(&swap(le("abcd"))), Some(false));
        assert_eq!(utf16(&le("abc")), None);
        let mut nine = le("abcd");
        nine.push(b'x');
        assert_eq!(utf16(&nine), Some(true));
        nine.truncate(7);
        assert_eq!(utf16(&nine), None);
        // Nine pairs in ten with a NUL on the high side is UTF-16, eight is not.
        let mix = |nul: usize| -> Vec<u8> {
            (0..10)
                .flat_map(|i| if i < nul { [b'a', 0] } else { [b'a', b'b'] })
                .collect()
        };
        assert_eq!(utf16(&mix(9)), Some(true));
        assert_eq!(utf16(&mix(8)), None);
        assert_eq!(utf16(&swap(mix(9))), Some(false));
        assert_eq!(utf16(&swap(mix(8))), None);
        // NULs on the other side too: one pair in twenty is already too many.
        let nuls = |pairs: usize| {
            let mut v = le(&"a".repeat(pairs - 1));
            v.extend([0, 0]);
            v
        };
        assert_eq!(utf16(&nuls(20)), None);
        assert_eq!(utf16(&nuls(21)), Some(true));
        assert_eq!(utf16(&swap(nuls(20))), None);
        assert_eq!(utf16(&swap(nuls(21))), Some(false));
        // Only the first 2048 bytes are looked at.
        let mut long = le(&"a".repeat(1024));
        long.extend(b"plain text after".repeat(200));
        assert_eq!(utf16(&long), Some(true));
        assert_eq!(utf16(b"date;cycle;type;participants"), None);
    }

    #[test]
    fn text_is_told_from_binary_by_its_control_bytes() {
        let text = |s: &[u8]| matches!(sniff(s), Sniffed::Text);
        let with = |controls: usize, c: u8, len: usize| {
            let mut v = vec![c; controls];
            v.resize(len, b'a');
            v
        };
        // More than 8 control bytes, and more than one in twenty.
        assert!(!text(&with(9, 0, 179)));
        assert!(text(&with(9, 0, 180)));
        assert!(text(&with(8, 0, 20)));
        for c in [1, 8, 0x0e, 0x1f] {
            assert!(!text(&with(9, c, 100)), "{c:#x}");
        }
        // Tab, line ends, form feed and Ctrl-Z (end of an old DOS file) are text's.
        for c in [b'\t', b'\n', 0x0b, 0x0c, b'\r', 0x1a, 0x7f] {
            assert!(text(&with(50, c, 100)), "{c:#x}");
        }
        // Only the first 8 KiB are looked at.
        let mut late = vec![b'a'; 8192];
        late.extend([0u8; 100]);
        assert!(text(&late));
        for magic in [&b"PK\x03\x04"[..], b"PK\x05\x06"] {
            assert!(matches!(sniff(magic), Sniffed::Zip));
        }
        for magic in [
            &b"%PDF"[..],
            b"\x89PNG",
            b"\xFF\xD8\xFF",
            b"GIF8",
            b"\x1F\x8B",
            b"7z\xBC\xAF",
            b"Rar!",
            b"\x7FELF",
        ] {
            assert!(matches!(sniff(magic), Sniffed::Binary));
        }
        // UTF-16's NULs are not binary.
        let le: Vec<u8> = "date;cycle"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(text(&le));
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
        let got = where_and_what(&f);
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

    /// The tokenizer's habits that `csv-core` does not share (decision 0020).
    #[test]
    fn the_tokenizer_keeps_the_files_lines_and_spreadsheet_habits() {
        let read = |text: &str| {
            let (records, delimiter) = read_csv(text, &ImportLimits::default()).unwrap();
            let lines: Vec<_> = records.into_iter().map(|r| (r.line, r.cells)).collect();
            (lines, delimiter)
        };
        // Spaces before an opening quote: the quote still opens, its
        // delimiter is text; a quote inside a cell is a character.
        let (got, d) = read("a;  \"b;c\" ;d\"e\n");
        assert_eq!(d, ';');
        assert_eq!(got, [(1, vec!["a".into(), "b;c ".into(), "d\"e".into()])]);
        // Blank lines are records of one empty cell, so every record keeps
        // its line of the file; a record spanning lines is at its first.
        let (got, _) = read("a,b\n\n\"x\r\ny\",z\r\n\rq\r");
        assert_eq!(
            got,
            [
                (1, vec!["a".into(), "b".into()]),
                (2, vec![String::new()]),
                (3, vec!["x\r\ny".into(), "z".into()]),
                (5, vec![String::new()]),
                (6, vec!["q".into()]),
            ]
        );
        // Tabs win only over both others; a tie between `,` and `;` is `;`.
        assert_eq!(read("a\tb\tc;d,e\n").1, '\t');
        assert_eq!(read("a\tb;c;d\n").1, ';');
        assert_eq!(read("a,b;c\n").1, ';');
        assert_eq!(read("\"a;b\",c\n").1, ',');
        // An unclosed quote is reported at the line its record starts on.
        let e = read_csv("a;b\nc;\"d\ne\nf", &ImportLimits::default())
            .err()
            .unwrap();
        assert_eq!((e.line, e.kind), (2, ErrorKind::UnterminatedQuote));
    }

    #[test]
    fn unknown_columns_are_listed_and_quoted_newlines_keep_line_numbers() {
        let f = parse_file(b"date;cycle;type;participants;remarque\n01/02/2024;P;atelier;4;\"two\nlines\"\n02/02/2024;P;atelier;5;\n", None).unwrap();
        assert_eq!(f.ignored_columns, ["remarque"]);
        assert_eq!(f.rows[1].line, 4);
    }

    #[test]
    fn cells_at_their_bounds() {
        let long = "x".repeat(MAX_TEXT);
        let f = parse_file(
            &csv(&[
                &format!("01/03/2024;14h;14h01;{long};atelier;;;;;;;;;"),
                &format!("01/03/2024;14h;14h;P;atelier;{long}x;;;;;;;;"),
                "01/03/2024;;;P;atelier;;;;;1;;;;",
                "01/03/2024;;;P;atelier;;;;2;3;;;;",
            ]),
            None,
        )
        .unwrap_err();
        let got = where_and_what(&f);
        assert_eq!(
            got,
            [
                (3, "Titre", &ErrorKind::TooLong),
                (3, "Fin", &ErrorKind::EndBeforeStart),
                (4, "Moins de 14 ans", &ErrorKind::Under14WithoutParticipants),
                (5, "Moins de 14 ans", &ErrorKind::Under14OverParticipants),
            ]
        );
        // The longest text and a one-minute session are fine; a line of
        // only blank cells is no session.
        let f = parse_file(
            &csv(&[
                &format!("01/03/2024;14h;14h01;{long};atelier;;;;;;;;;"),
                " ; ;",
                &format!("01/03/2024;14h;14h01;{long};atelier;;;;;;;;;"),
            ]),
            None,
        )
        .unwrap();
        assert_eq!(f.rows.len(), 2);
        assert_eq!(f.rows[0].series, long);
        assert_eq!(f.rows[1].line, 4);
        // Identical lines are counted from 1 in their key.
        assert!(f.rows[0].key.ends_with("#1"), "{}", f.rows[0].key);
        assert!(f.rows[1].key.ends_with("#2"), "{}", f.rows[1].key);
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

    /// Each problem's line, column and kind, in the order reported.
    fn where_and_what(errors: &[ImportError]) -> Vec<(usize, &str, &ErrorKind)> {
        errors
            .iter()
            .map(|e| (e.line, e.column.as_str(), &e.kind))
            .collect()
    }

    fn limits() -> ImportLimits {
        ImportLimits {
            max_file_bytes: 64 * 1024,
            max_unpacked_bytes: 256 * 1024,
            max_rows: 50,
            max_columns: 20,
            max_cells: 400,
        }
    }

    #[test]
    fn the_delimiter_is_what_the_header_holds_most_of_outside_quotes() {
        let guess = |header: &str| {
            read_csv(&format!("{header}\n1;2,3\t4\n"), &limits())
                .unwrap()
                .1
        };
        assert_eq!(guess("a;b;c"), ';');
        assert_eq!(guess("a,b,c"), ',');
        assert_eq!(guess("a\tb\tc"), '\t');
        // What is quoted does not count.
        assert_eq!(guess("\"a;b;c;d\",e,f"), ',');
        assert_eq!(guess("\"a,b,c,d\";e;f"), ';');
        assert_eq!(guess("\"a\tb\tc\td\";e;f"), ';');
        // Ties: a tab needs more than each of the others; a comma more than `;`.
        assert_eq!(guess("a\tb;c"), ';');
        assert_eq!(guess("a\tb,c"), ',');
        assert_eq!(guess("a,b;c"), ';');
        assert_eq!(
            guess(""),
            ';',
            "a blank first line: the next decides, a tie is `;`"
        );
    }

    #[test]
    fn a_file_of_exactly_the_size_limit_is_read() {
        let bytes = csv(&["01/02/2024;14h;;P;atelier;;;;4;;;;;"]);
        let exact = ImportLimits {
            max_file_bytes: bytes.len() as u64,
            ..limits()
        };
        assert!(parse_file_with(&bytes, None, &exact).is_ok());
        let under = ImportLimits {
            max_file_bytes: bytes.len() as u64 - 1,
            ..limits()
        };
        assert!(parse_file_with(&bytes, None, &under).is_err());
    }

    fn file_error(bytes: &[u8], limits: &ImportLimits) -> ErrorKind {
        let e = parse_file_with(bytes, None, limits).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].is_about_file(), "{e:?}");
        e[0].kind.clone()
    }

    #[test]
    fn a_workbook_built_in_memory_reads_whole() {
        let book = build::table(&[
            &["Date", "Cycle", "Type", "Participants", "Lieu"],
            &["13/01/2024", "Samedis", "atelier", "19", "Auditorium"],
            &["", "", "", "", ""],
            &[
                "10/02/2024",
                "Samedis",
                "rencontre",
                "73",
                "Salle d'exposition",
            ],
        ]);
        let f = parse_file(&book, None).unwrap();
        assert_eq!(f.source, "XLSX, feuille «\u{a0}Séances\u{a0}»");
        assert_eq!(f.rows.len(), 2);
        assert_eq!((f.rows[1].line, f.rows[1].date), (4, date(2024, 2, 10)));
        assert_eq!(f.rows[1].room.as_deref(), Some("Salle d'exposition"));
    }

    #[test]
    fn a_far_away_cell_is_refused_without_a_dense_range() {
        // A1 and XFD1048576: calamine's dense range would be 512 GiB.
        let sheet = build::sheet(None, &[("A1", "date"), ("XFD1048576", "x")]);
        let book = build::zip(&build::parts(&sheet));
        let e = parse_file(&book, None).unwrap_err();
        assert!(
            matches!(&e[0].kind, ErrorKind::TooBig(Limit::Cell { cell, .. }) if cell == "XFD1048576"),
            "{e:?}"
        );
        assert_eq!(
            e[0].to_string(),
            "fichier refusé\u{a0}: la cellule XFD1048576 est remplie\u{a0}; un import lit au plus \
             100\u{202f}000 lignes et 200 colonnes (jusqu'à la colonne GR). Videz-la, ou copiez \
             le tableau dans un nouveau classeur"
        );
        // The same extent declared is refused before any cell is read.
        let sheet = build::sheet(Some("A1:XFD1048576"), &[("A1", "date")]);
        let kind = file_error(&build::zip(&build::parts(&sheet)), &ImportLimits::default());
        assert!(
            matches!(&kind, ErrorKind::TooBig(Limit::Declared { range, .. }) if range == "A1:XFD1048576"),
            "{kind:?}"
        );
        // A reversed or absurd extent is refused too, never a panic.
        for d in ["B2:A1", "A0:ZZZZZZZZ99999999999"] {
            let sheet = build::sheet(Some(d), &[("A1", "date")]);
            let e = parse_file(&build::zip(&build::parts(&sheet)), None).unwrap_err();
            assert!(e[0].is_about_file(), "{d}: {e:?}");
        }
    }

    #[test]
    fn rows_columns_and_cells_are_bounded() {
        let l = limits();
        let far = build::sheet(None, &[("A1", "date"), ("A51", "x")]);
        assert!(matches!(
            file_error(&build::zip(&build::parts(&far)), &l),
            ErrorKind::TooBig(Limit::Cell { .. })
        ));
        // 30 rows whose last cell is in column T: 600 cells laid out.
        let cells: Vec<(String, String)> =
            (1..=30).map(|r| (format!("T{r}"), "x".into())).collect();
        let cells: Vec<(&str, &str)> = cells
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let wide = build::sheet(None, &cells);
        assert!(matches!(
            file_error(&build::zip(&build::parts(&wide)), &l),
            ErrorKind::TooBig(Limit::Cells { max: 400 })
        ));
        // One cell written again and again counts each time.
        let same: Vec<(&str, &str)> = vec![("A1", "x"); 401];
        assert!(matches!(
            file_error(&build::zip(&build::parts(&build::sheet(None, &same))), &l),
            ErrorKind::TooBig(Limit::Cells { .. })
        ));
    }

    #[test]
    fn zip_bombs_are_refused_before_they_inflate() {
        let parts = build::parts(&build::sheet(None, &[("A1", "date")]));
        let sheet = "xl/worksheets/sheet1.xml";
        // Honest: 560 MB declared, from a 3.5 MB file.
        let bomb = build::zip_with_bomb(&parts, sheet, 560 << 20, 560 << 20);
        assert!(bomb.len() < 4 << 20);
        let l = ImportLimits {
            max_file_bytes: 8 << 20,
            ..ImportLimits::default()
        };
        assert_eq!(
            file_error(&bomb, &l),
            ErrorKind::TooBig(Limit::Unpacked { max: 50 << 20 })
        );
        // Lying: 1 KB declared, 60 MB inside. The reading stops at the lie.
        let liar = build::zip_with_bomb(&parts, sheet, 1024, 60 << 20);
        assert!(matches!(
            file_error(&liar, &ImportLimits::default()),
            ErrorKind::Unreadable(_) | ErrorKind::TooBig(Limit::Unpacked { .. })
        ));
    }

    #[test]
    fn shared_strings_styles_and_parts_are_counted() {
        let mut parts = build::parts(&build::sheet(None, &[("A1", "date")]));
        parts.push((
            "xl/sharedStrings.xml".into(),
            br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="4000000000"><si><t>a</t></si></sst>"#.to_vec(),
        ));
        assert!(matches!(
            file_error(&build::zip(&parts), &ImportLimits::default()),
            ErrorKind::TooBig(Limit::SharedStrings { .. })
        ));
        let mut parts = build::parts(&build::sheet(None, &[("A1", "date")]));
        let styles = format!(
            r#"<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="70000">{}</cellXfs></styleSheet>"#,
            "<xf/>".repeat(70_000)
        );
        parts.push(("xl/styles.xml".into(), styles.into_bytes()));
        assert_eq!(
            file_error(&build::zip(&parts), &ImportLimits::default()),
            ErrorKind::TooBig(Limit::Styles { max: MAX_STYLES })
        );
        let mut parts = build::parts(&build::sheet(None, &[("A1", "date")]));
        for i in 0..MAX_ENTRIES {
            parts.push((format!("xl/media/{i}.txt"), Vec::new()));
        }
        assert!(matches!(
            file_error(&build::zip(&parts), &ImportLimits::default()),
            ErrorKind::TooBig(Limit::Entries { .. })
        ));
    }

    #[test]
    fn what_is_not_a_spreadsheet_says_so() {
        let d = ImportLimits::default();
        assert!(matches!(
            file_error(b"PK\x03\x04garbage", &d),
            ErrorKind::Unreadable(_)
        ));
        let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        ole.resize(4096, 0);
        assert_eq!(file_error(&ole, &d), ErrorKind::EncryptedOrXls);
        let ods = build::zip(&[
            (
                "mimetype".into(),
                b"application/vnd.oasis.opendocument.spreadsheet".to_vec(),
            ),
            ("content.xml".into(), b"<office:document-content/>".to_vec()),
        ]);
        assert_eq!(file_error(&ods, &d), ErrorKind::Ods);
        let docx = build::zip(&[("word/document.xml".into(), b"<w:document/>".to_vec())]);
        assert_eq!(file_error(&docx, &d), ErrorKind::NotAWorkbook);
        assert_eq!(file_error(b"%PDF-1.7\n...", &d), ErrorKind::Binary);
        let noise: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
        assert_eq!(file_error(&noise, &d), ErrorKind::Binary);
        assert_eq!(file_error(b"", &d), ErrorKind::Empty);
        let big = vec![b'a'; 64 * 1024 + 1];
        assert_eq!(
            file_error(&big, &limits()),
            ErrorKind::TooBig(Limit::File {
                size: 64 * 1024 + 1,
                max: 64 * 1024
            })
        );
        assert_eq!(
            parse_file_with(&big, None, &limits()).unwrap_err()[0].to_string(),
            "fichier refusé\u{a0}: fichier trop volumineux (65\u{a0}Ko)\u{a0}: 64\u{a0}Ko au plus"
        );
    }

    #[test]
    fn utf16_csv_with_tabs_as_excel_writes_unicode_text() {
        let text = "date\tcycle\ttype\tparticipants\tlieu\r\n13/01/2024\tSamedis\tatelier\t12\tMédiathèque\r\n";
        let mut le = vec![0xFF, 0xFE];
        le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        let f = parse_file(&le, None).unwrap();
        assert_eq!(f.source, "CSV «\u{a0}tabulation\u{a0}», UTF-16");
        assert_eq!(f.rows[0].room.as_deref(), Some("Médiathèque"));
        let mut be = vec![0xFE, 0xFF];
        be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(parse_file(&be, None).unwrap().rows, f.rows);
        // Without a BOM, the NULs of ASCII text give it away.
        let bare: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(parse_file(&bare, None).unwrap().rows, f.rows);
    }

    #[test]
    fn a_file_of_exactly_the_most_cells_is_read() {
        let text = "date;cycle;type;participants\n01/02/2024;P;atelier;3\n";
        let most = |max_cells| ImportLimits {
            max_cells,
            ..limits()
        };
        assert_eq!(
            parse_file_with(text.as_bytes(), None, &most(8))
                .unwrap()
                .rows
                .len(),
            1
        );
        let e = parse_file_with(text.as_bytes(), None, &most(7)).unwrap_err();
        assert_eq!(
            (e[0].line, &e[0].kind),
            (2, &ErrorKind::TooBig(Limit::Cells { max: 7 }))
        );
    }

    #[test]
    fn a_line_of_exactly_the_longest_length_is_read() {
        let l = ImportLimits {
            max_file_bytes: 1 << 20,
            ..limits()
        };
        let line = |chars: usize| {
            // The record and its line feed: `chars` characters in all.
            // The padding is in a column Almanach ignores (a text cell is
            // bounded on its own).
            let frame = "01/02/2024;P;atelier;3;\n".chars().count();
            format!(
                "date;cycle;type;participants;remarque\n01/02/2024;P;atelier;3;{}\n",
                "x".repeat(chars - frame)
            )
        };
        let read = parse_file_with(line(MAX_LINE_CHARS).as_bytes(), None, &l).unwrap();
        assert_eq!(read.rows.len(), 1);
        let e = parse_file_with(line(MAX_LINE_CHARS + 1).as_bytes(), None, &l).unwrap_err();
        assert_eq!(
            e[0].kind,
            ErrorKind::TooBig(Limit::Line {
                max: MAX_LINE_CHARS
            })
        );
    }

    #[test]
    fn csv_lines_columns_and_rows_are_bounded() {
        let l = limits();
        let long = format!(
            "date;cycle;type;participants\n01/02/2024;{};atelier;3\n",
            "P".repeat(MAX_LINE_CHARS)
        );
        let l2 = ImportLimits {
            max_file_bytes: 1 << 20,
            ..l
        };
        let e = parse_file_with(long.as_bytes(), None, &l2).unwrap_err();
        assert_eq!(
            (e[0].line, &e[0].kind),
            (
                2,
                &ErrorKind::TooBig(Limit::Line {
                    max: MAX_LINE_CHARS
                })
            )
        );
        let wide = format!("date;cycle;type;participants{}\n", ";x".repeat(20));
        let e = parse_file_with(wide.as_bytes(), None, &l).unwrap_err();
        assert_eq!(e[0].kind, ErrorKind::TooBig(Limit::Columns { max: 20 }));
        let mut tall = String::from("date;cycle;type;participants\n");
        for _ in 0..60 {
            tall.push_str("01/02/2024;P;atelier;3\n");
        }
        let e = parse_file_with(tall.as_bytes(), None, &l).unwrap_err();
        assert_eq!(
            (e[0].line, &e[0].kind),
            (51, &ErrorKind::TooBig(Limit::Rows { max: 50 }))
        );
        let mut cells = String::from("date;cycle;type;participants\n");
        for _ in 0..25 {
            cells.push_str(&";".repeat(18));
            cells.push('\n');
        }
        let e = parse_file_with(cells.as_bytes(), None, &l).unwrap_err();
        assert_eq!(e[0].kind, ErrorKind::TooBig(Limit::Cells { max: 400 }));
    }

    #[test]
    fn control_characters_in_a_cell_are_an_error_at_their_place() {
        let e = parse_file(
            b"date;cycle;type;titre;lieu;participants\n\
              01/02/2024;Points\x00;atelier;ok;Salle;3\n\
              01/02/2024;Points;atelier;bip\x07;Salle\x1b[31m;3\n\
              01/02/2024;Points;atelier;\xe2\x80\xaeexe.pdf;Salle;3\n\
              01/02/2024;\"Points\nde l'IA\";atelier;\"a\tb\";Salle;3\n",
            None,
        )
        .unwrap_err();
        let got: Vec<_> = e
            .iter()
            .map(|e| (e.line, e.column.as_str(), &e.kind))
            .collect();
        assert_eq!(
            got,
            [
                (2, "cycle", &ErrorKind::ControlChars),
                (3, "titre", &ErrorKind::ControlChars),
                (3, "lieu", &ErrorKind::ControlChars),
                (4, "titre", &ErrorKind::BidiChars),
            ],
            "a line break or a tab in a cell is a space"
        );
        assert_eq!(
            e[0].to_string(),
            "ligne 2, colonne «\u{a0}cycle\u{a0}»\u{a0}: caractère de contrôle interdit dans «\u{a0}PointsU+0000\u{a0}»"
        );
        // A NUL in a cell of a workbook too.
        let book = build::table(&[
            &["date", "cycle", "type", "participants"],
            &["01/02/2024", "Poi\u{0}nts", "atelier", "3"],
        ]);
        let e = parse_file(&book, None).unwrap_err();
        assert_eq!(
            (e[0].line, e[0].column.as_str(), &e[0].kind),
            (2, "cycle", &ErrorKind::ControlChars)
        );
    }

    #[test]
    fn errors_stop_at_a_readable_number() {
        let mut csv = String::from("date;cycle;type;participants\n");
        for _ in 0..1000 {
            csv.push_str("31/02/2024;;fête;douze\n");
        }
        let e = parse_file(csv.as_bytes(), None).unwrap_err();
        assert_eq!(e.len(), MAX_ERRORS + 1);
        assert_eq!(e[MAX_ERRORS].kind, ErrorKind::TooManyErrors);
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
    fn a_session_that_begins_now_may_be_counted() {
        let f = parse_file(&csv(&["07/12/2026;14h;;P;atelier;;;;6;;;;;"]), None).unwrap();
        assert!(counted_ahead(&f.rows, date(2026, 12, 7).at(14, 0, 0, 0)).is_empty());
        assert_eq!(
            counted_ahead(&f.rows, date(2026, 12, 7).at(13, 59, 59, 0)).len(),
            1
        );
        assert!(nothing_counted_ahead(f.clone(), date(2026, 12, 7).at(14, 0, 0, 0)).is_ok());
        assert!(nothing_counted_ahead(f, date(2026, 12, 7).at(13, 0, 0, 0)).is_err());
    }

    #[test]
    fn an_event_is_a_series_on_a_date() {
        let f = parse_file(
            &csv(&[
                "01/02/2024;14h;;Samedis;atelier;;;;4;;;;;",
                "01/02/2024;16h;;SAMEDIS;atelier;;;;4;;;;;",
                "02/02/2024;14h;;Samedis;atelier;;;;4;;;;;",
                "01/02/2024;14h;;Mercredis;atelier;;;;4;;;;;",
            ]),
            None,
        )
        .unwrap();
        let keys: Vec<String> = f.rows.iter().map(ImportRow::event_key).collect();
        assert_eq!(keys[0], keys[1], "the series' name, case aside");
        assert_ne!(keys[0], keys[2], "another date");
        assert_ne!(keys[0], keys[3], "another series");
        assert_ne!(keys[2], keys[3]);
    }

    #[test]
    fn excel_serials() {
        assert_eq!(excel_serial(45_292.0), "2024-01-01", "Excel day 45292");
        assert_eq!(excel_serial(45_304.0), "2024-01-13");
        assert_eq!(excel_serial(0.5833333333), "14:00");
        assert_eq!(excel_serial(45_304.5833333333), "2024-01-13 14:00");
    }
}
