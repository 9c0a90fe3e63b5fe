//! The cells of a read table, whatever the file: a record with its line,
//! Excel's serial dates as text, and the key headers are compared under.

use jiff::ToSpan;
use jiff::civil::date;

/// One line of the table: where it starts in the file, and its cells.
pub(super) struct Record {
    pub(super) line: usize,
    pub(super) cells: Vec<String>,
}

/// An Excel serial (days since 1899-12-30, the fraction the time of day) as
/// text the date and time parsers read: a date, a time, or both.
pub(super) fn excel_serial(v: f64) -> String {
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

/// "A1", "XFD1048576": a 0-based position as a spreadsheet names it.
pub(crate) fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = u64::from(col) + 1;
    while c > 0 {
        let r = ((c - 1) % 26) as u8;
        letters.push(char::from(b'A' + r));
        c = (c - 1) / 26;
    }
    letters.iter().rev().collect::<String>() + &(u64::from(row) + 1).to_string()
}
