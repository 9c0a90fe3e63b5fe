//! What an import may cost and what it reports: the limits a file is read
//! within, the columns, and every problem with its line, column and reason.

use std::fmt;

use super::cells::{cell_name, normalize};
use crate::text::visible;

/// What reading one file may cost at most; beyond, the file is refused
/// with a French error before it is read further (docs/decisions/0013).
/// A season holds a few thousand sessions at most: these leave room for a
/// whole network's history, and keep a hostile file from taking the
/// server's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportLimits {
    /// The file itself, as uploaded or on disk.
    pub max_file_bytes: u64,
    /// What an XLSX unpacks to, all its parts together: as declared, and
    /// as really inflated (the reading stops there).
    pub max_unpacked_bytes: u64,
    /// Rows of the sheet, lines of the CSV (header included).
    pub max_rows: usize,
    /// Columns of the table: a cell beyond refuses the file.
    pub max_columns: usize,
    /// Cells of the table once laid out (rows × columns).
    pub max_cells: usize,
}

impl Default for ImportLimits {
    fn default() -> ImportLimits {
        ImportLimits {
            max_file_bytes: 10 * MB,
            max_unpacked_bytes: 50 * MB,
            max_rows: 100_000,
            max_columns: 200,
            max_cells: 2_000_000,
        }
    }
}

pub(super) const MB: u64 = 1024 * 1024;
/// A CSV line (a record, quoted line breaks included) longer than this is
/// not a row of a table.
pub const MAX_LINE_CHARS: usize = 100_000;
/// Reading stops after this many errors: enough to see what is wrong.
pub const MAX_ERRORS: usize = 200;

/// Which bound a file goes beyond.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Limit {
    File {
        size: u64,
        max: u64,
    },
    Unpacked {
        max: u64,
    },
    Entries {
        count: usize,
        max: usize,
    },
    SharedStrings {
        max: usize,
    },
    Styles {
        max: usize,
    },
    /// The extent the sheet declares (`<dimension ref>`).
    Declared {
        range: String,
        max_rows: usize,
        max_columns: usize,
    },
    /// A cell holding something beyond the rows or columns allowed.
    Cell {
        cell: String,
        max_rows: usize,
        max_columns: usize,
    },
    Rows {
        max: usize,
    },
    Columns {
        max: usize,
    },
    Cells {
        max: usize,
    },
    Line {
        max: usize,
    },
}

/// "10 Mo", "1,5 Mo", "800 Ko".
pub(super) fn size_fr(bytes: u64) -> String {
    if bytes >= MB {
        let mb = bytes as f64 / MB as f64;
        if bytes.is_multiple_of(MB) {
            format!(
                "{}\u{a0}Mo",
                crate::fmt::int((bytes / MB) as i64, crate::Lang::Fr)
            )
        } else {
            format!("{}\u{a0}Mo", format!("{mb:.1}").replace('.', ","))
        }
    } else {
        format!("{}\u{a0}Ko", bytes.div_ceil(1024))
    }
}

pub(super) fn size_en(bytes: u64) -> String {
    if bytes >= MB {
        if bytes.is_multiple_of(MB) {
            format!("{} MB", bytes / MB)
        } else {
            format!("{:.1} MB", bytes as f64 / MB as f64)
        }
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

impl Limit {
    pub(super) fn reason_fr(&self) -> String {
        let n = |v: usize| crate::fmt::int(v as i64, crate::Lang::Fr);
        let grid = |rows: usize, cols: usize| {
            format!(
                "un import lit au plus {} lignes et {} colonnes (jusqu'à la colonne {})",
                n(rows),
                n(cols),
                column_letters(cols)
            )
        };
        match self {
            Limit::File { size, max } => format!(
                "fichier trop volumineux ({})\u{a0}: {} au plus",
                size_fr(*size),
                size_fr(*max)
            ),
            Limit::Unpacked { max } => format!(
                "classeur trop volumineux une fois décompressé (plus de {})\u{a0}: \
                 enregistrez seulement la feuille des séances, ou exportez-la en CSV",
                size_fr(*max)
            ),
            Limit::Entries { count, max } => format!(
                "classeur de {} parties (un classeur en compte une dizaine, {} au plus)",
                n(*count),
                n(*max)
            ),
            Limit::SharedStrings { max } => {
                format!("classeur de plus de {} textes différents", n(*max))
            }
            Limit::Styles { max } => format!(
                "classeur de plus de {} styles de cellule (Excel n'en permet pas tant)",
                n(*max)
            ),
            Limit::Declared {
                range,
                max_rows,
                max_columns,
            } => format!(
                "la feuille annonce l'étendue {range}\u{a0}; {}. Supprimez les lignes et \
                 colonnes vides au-delà du tableau, ou copiez-le dans un nouveau classeur",
                grid(*max_rows, *max_columns)
            ),
            Limit::Cell {
                cell,
                max_rows,
                max_columns,
            } => format!(
                "la cellule {cell} est remplie\u{a0}; {}. Videz-la, ou copiez le tableau \
                 dans un nouveau classeur",
                grid(*max_rows, *max_columns)
            ),
            Limit::Rows { max } => format!("plus de {} lignes", n(*max)),
            Limit::Columns { max } => format!("plus de {} colonnes", n(*max)),
            Limit::Cells { max } => format!("tableau de plus de {} cellules", n(*max)),
            Limit::Line { max } => format!("ligne de plus de {} caractères", n(*max)),
        }
    }

    pub(super) fn reason_en(&self) -> String {
        let grid = |rows: usize, cols: usize| {
            format!(
                "an import reads at most {rows} rows and {cols} columns (up to column {})",
                column_letters(cols)
            )
        };
        match self {
            Limit::File { size, max } => format!(
                "file too large ({}): {} at most",
                size_en(*size),
                size_en(*max)
            ),
            Limit::Unpacked { max } => format!(
                "workbook too large once unpacked (more than {}): save only the sessions' \
                 sheet, or export it as CSV",
                size_en(*max)
            ),
            Limit::Entries { count, max } => {
                format!("workbook of {count} parts (a workbook has about ten, {max} at most)")
            }
            Limit::SharedStrings { max } => format!("workbook with over {max} distinct texts"),
            Limit::Styles { max } => {
                format!("workbook with over {max} cell styles (more than Excel allows)")
            }
            Limit::Declared {
                range,
                max_rows,
                max_columns,
            } => format!(
                "the sheet declares the range {range}; {}. Delete the empty rows and columns \
                 beyond the table, or copy it into a new workbook",
                grid(*max_rows, *max_columns)
            ),
            Limit::Cell {
                cell,
                max_rows,
                max_columns,
            } => format!(
                "cell {cell} holds a value; {}. Clear it, or copy the table into a new workbook",
                grid(*max_rows, *max_columns)
            ),
            Limit::Rows { max } => format!("more than {max} rows"),
            Limit::Columns { max } => format!("more than {max} columns"),
            Limit::Cells { max } => format!("a table of more than {max} cells"),
            Limit::Line { max } => format!("a line of more than {max} characters"),
        }
    }
}

/// "A" for 1, "GR" for 200: the letters of the `n`-th column.
pub(super) fn column_letters(n: usize) -> String {
    let name = cell_name(0, n.saturating_sub(1) as u32);
    name.trim_end_matches('1').to_string()
}

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
    pub(super) const REQUIRED: [Column; 4] = [
        Column::Date,
        Column::Series,
        Column::Kind,
        Column::Participants,
    ];

    /// Header names, already normalised (see `normalize`).
    pub(super) fn aliases(self) -> &'static [&'static str] {
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

    pub(super) fn from_header(h: &str) -> Option<Column> {
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
    /// Beyond what an import may cost.
    TooBig(Limit),
    /// A password-protected workbook, or an Excel 97-2003 one (.xls): both
    /// are OLE compound files, not XLSX.
    EncryptedOrXls,
    /// An OpenDocument spreadsheet (.ods).
    Ods,
    /// A zip archive without a workbook (a Word document, photos…).
    NotAWorkbook,
    /// Neither text nor a workbook (a PDF, an image…).
    Binary,
    /// A control character in a text cell (a NUL…).
    ControlChars,
    /// A bidirectional override in a text cell.
    BidiChars,
    /// Reading stopped: too many errors to list them all.
    TooManyErrors,
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
    pub(super) fn new(line: usize, column: &str, kind: ErrorKind, value: &str) -> ImportError {
        // Shown to a person: control characters made visible, long cells cut.
        let mut value = visible(value);
        if value.chars().count() > 80 {
            value = value.chars().take(79).chain(['…']).collect();
        }
        ImportError {
            line,
            column: column.to_string(),
            kind,
            value,
        }
    }

    /// A problem with the file as a whole (line 0: no line of its own).
    pub(super) fn file(kind: ErrorKind) -> ImportError {
        ImportError::new(0, "", kind, "")
    }

    /// A file of `size` bytes, over the `max` an import reads.
    pub fn too_large(size: u64, max: u64) -> ImportError {
        ImportError::file(ErrorKind::TooBig(Limit::File { size, max }))
    }

    /// The file could not be read, for `why` (said in French).
    pub fn unreadable(why: &str) -> ImportError {
        ImportError::file(ErrorKind::Unreadable(why.to_string()))
    }

    /// Whether the error is about the file as a whole (unreadable, too
    /// large, empty…) rather than one of its lines: a form shows it next
    /// to the file field.
    pub fn is_about_file(&self) -> bool {
        self.line == 0 || matches!(self.kind, ErrorKind::TooBig(_))
    }

    /// Whether the error is about the sheet asked for.
    pub fn is_about_sheet(&self) -> bool {
        matches!(self.kind, ErrorKind::NoSuchSheet(_))
    }

    pub fn reason_fr(&self) -> String {
        let v = &self.value;
        match &self.kind {
            ErrorKind::Unreadable(why) => {
                format!("fichier illisible (ni CSV ni XLSX)\u{a0}: {why}")
            }
            ErrorKind::TooBig(limit) if self.line > 0 => format!(
                "fichier refusé à la ligne {}\u{a0}: {}",
                self.line,
                limit.reason_fr()
            ),
            ErrorKind::TooBig(limit) => format!("fichier refusé\u{a0}: {}", limit.reason_fr()),
            ErrorKind::EncryptedOrXls => "classeur protégé par un mot de passe, ou au format \
                Excel 97-2003 (.xls)\u{a0}: enregistrez-le au format .xlsx sans mot de passe, ou en CSV"
                .into(),
            ErrorKind::Ods => "classeur OpenDocument (.ods)\u{a0}: enregistrez-le au format \
                .xlsx ou en CSV depuis LibreOffice"
                .into(),
            ErrorKind::NotAWorkbook => "archive zip qui ne contient pas de classeur XLSX \
                (un document Word, des photos…)"
                .into(),
            ErrorKind::Binary => "fichier binaire (un PDF, une image…), ni CSV ni XLSX".into(),
            ErrorKind::ControlChars => {
                format!("caractère de contrôle interdit dans «\u{a0}{v}\u{a0}»")
            }
            ErrorKind::BidiChars => format!(
                "caractère d'inversion du sens du texte interdit dans «\u{a0}{v}\u{a0}»"
            ),
            ErrorKind::TooManyErrors => format!(
                "plus de {MAX_ERRORS} erreurs\u{a0}: lecture arrêtée, corrigez celles-ci d'abord"
            ),
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
            ErrorKind::TooBig(limit) if self.line > 0 => {
                format!("file refused at line {}: {}", self.line, limit.reason_en())
            }
            ErrorKind::TooBig(limit) => format!("file refused: {}", limit.reason_en()),
            ErrorKind::EncryptedOrXls => "a password-protected workbook, or an Excel 97-2003 \
                one (.xls): save it as .xlsx without a password, or as CSV"
                .into(),
            ErrorKind::Ods => {
                "an OpenDocument workbook (.ods): save it as .xlsx or CSV from LibreOffice".into()
            }
            ErrorKind::NotAWorkbook => {
                "a zip archive without an XLSX workbook (a Word document, photos…)".into()
            }
            ErrorKind::Binary => "a binary file (a PDF, an image…), neither CSV nor XLSX".into(),
            ErrorKind::ControlChars => format!("forbidden control character in \"{v}\""),
            ErrorKind::BidiChars => {
                format!("forbidden text-direction override character in \"{v}\"")
            }
            ErrorKind::TooManyErrors => {
                format!("more than {MAX_ERRORS} errors: reading stopped, fix these first")
            }
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
        if self.is_about_file() {
            write!(f, "{}", self.reason_fr())
        } else if self.column.is_empty() {
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
