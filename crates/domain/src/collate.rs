//! French collation: the order a French reader expects of titles and names
//! (« Atelier, ateliers, Débuter, Dessiner, écran, Écrire, Œuvre, Zoé »).
//! Letters decide first; accents only break a tie (compared from the start
//! of the word: cote, coté, côte, côté), then case (lower case first); Œ and
//! Æ read as OE and AE; numbers by value (« Atelier 2 » before « Atelier
//! 10 »); a run of spaces or punctuation is one gap, and leading or trailing
//! punctuation (« guillemets ») is ignored. Lists are sorted with this key
//! in Rust, so SQLite and PostgreSQL give the same order (decision 0017).

use std::cmp::Ordering;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// One unit of the first level: a gap sorts before a number, a number
/// before a letter ("Atelier 2" < "Atelier B" < "Atelierb").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Unit {
    Gap,
    /// Digits without leading zeros, compared by length then digits.
    Number(usize, String),
    Letter(char),
}

/// What a title is sorted by; compare keys, not strings.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SortKey {
    primary: Vec<Unit>,
    /// Each letter's accents, in order (0: none).
    secondary: Vec<u16>,
    /// Each letter's case: 0 lower, 1 upper, 2/3 a ligature's letters.
    tertiary: Vec<u8>,
    /// The text itself, so different texts never compare equal.
    exact: String,
}

/// The weight of one combining mark; the order is the Unicode collation
/// algorithm's (acute before grave before circumflex before diaeresis…).
fn mark_weight(m: char) -> u16 {
    match m {
        '\u{301}' => 1,  // acute: é
        '\u{300}' => 2,  // grave: è
        '\u{306}' => 3,  // breve: ă
        '\u{302}' => 4,  // circumflex: ê
        '\u{30C}' => 5,  // caron: č
        '\u{30A}' => 6,  // ring: å
        '\u{308}' => 7,  // diaeresis: ë
        '\u{30B}' => 8,  // double acute: ő
        '\u{303}' => 9,  // tilde: ñ
        '\u{307}' => 10, // dot above: ż
        '\u{327}' => 11, // cedilla: ç
        '\u{328}' => 12, // ogonek: ę
        '\u{304}' => 13, // macron: ā
        m => 14 + (u32::from(m) % 1000) as u16,
    }
}

/// A letter Unicode does not decompose: its letters, an accent weight, and
/// whether it is a ligature.
fn special(c: char) -> Option<(&'static str, u16, bool)> {
    Some(match c {
        'œ' | 'Œ' => ("oe", 0, true),
        'æ' | 'Æ' => ("ae", 0, true),
        'ß' | 'ẞ' => ("ss", 0, true),
        'ø' | 'Ø' => ("o", 40, false),
        'đ' | 'Đ' => ("d", 40, false),
        'ł' | 'Ł' => ("l", 40, false),
        'ı' => ("i", 40, false),
        _ => return None,
    })
}

#[derive(Default)]
struct Builder {
    primary: Vec<Unit>,
    secondary: Vec<u16>,
    tertiary: Vec<u8>,
    digits: String,
    gap: bool,
}

impl Builder {
    fn flush_number(&mut self) {
        if self.digits.is_empty() {
            return;
        }
        let trimmed = self.digits.trim_start_matches('0');
        let n = if trimmed.is_empty() { "0" } else { trimmed };
        self.primary.push(Unit::Number(n.len(), n.to_string()));
        self.digits.clear();
    }

    /// Something is about to be added: the gap before it counts, unless it
    /// leads the text.
    fn before_unit(&mut self) {
        if self.gap && !self.primary.is_empty() {
            self.primary.push(Unit::Gap);
        }
        self.gap = false;
    }

    fn digit(&mut self, d: char) {
        if self.digits.is_empty() {
            self.before_unit();
        }
        self.digits.push(d);
    }

    fn letter(&mut self, base: char, marks: u16, case: u8) {
        self.flush_number();
        self.before_unit();
        let lower = if base.is_ascii() {
            base.to_ascii_lowercase()
        } else {
            base.to_lowercase().next().unwrap_or(base)
        };
        self.primary.push(Unit::Letter(lower));
        self.secondary.push(marks);
        self.tertiary.push(case);
    }

    fn other(&mut self) {
        self.flush_number();
        self.gap = true;
    }
}

/// The key `s` sorts by.
pub fn sort_key(s: &str) -> SortKey {
    let mut b = Builder::default();
    for c in s.chars() {
        // Most titles are mostly ASCII: no decomposition needed.
        if c.is_ascii() {
            match c {
                '0'..='9' => b.digit(c),
                'a'..='z' => b.letter(c, 0, 0),
                'A'..='Z' => b.letter(c, 0, 1),
                _ => b.other(),
            }
            continue;
        }
        let upper = u8::from(c.is_uppercase());
        if let Some((letters, weight, ligature)) = special(c) {
            for l in letters.chars() {
                b.letter(l, weight, upper + if ligature { 2 } else { 0 });
            }
            continue;
        }
        let mut parts = c.nfd();
        let Some(base) = parts.next() else { continue };
        let marks = parts.filter(|m| is_combining_mark(*m)).fold(0u16, |w, m| {
            w.saturating_mul(32).saturating_add(mark_weight(m))
        });
        if base.is_ascii_digit() {
            b.digit(base);
        } else if base.is_alphanumeric() {
            b.letter(base, marks, upper);
        } else if !is_combining_mark(base) {
            b.other();
        }
    }
    b.flush_number();
    SortKey {
        primary: b.primary,
        secondary: b.secondary,
        tertiary: b.tertiary,
        exact: s.to_string(),
    }
}

/// `a` against `b` in French order.
pub fn compare(a: &str, b: &str) -> Ordering {
    sort_key(a).cmp(&sort_key(b))
}

/// Sorts `items` by the name `name` gives, in French order; items whose
/// names are identical keep their order (sort by id first for a tiebreak).
pub fn sort_by_name<T>(items: &mut [T], name: impl Fn(&T) -> &str) {
    items.sort_by_cached_key(|t| sort_key(name(t)));
}

/// Letters searches compare alike, each with what it folds to: lower case
/// without accents, ligatures spelled out, the typographic apostrophe as the
/// typewriter one. Both cases are listed because SQLite's `lower()` only
/// knows ASCII; the store builds its SQL folding from this same table.
pub const SEARCH_FOLDS: &[(char, &str)] = &[
    ('à', "a"),
    ('á', "a"),
    ('â', "a"),
    ('ä', "a"),
    ('ã', "a"),
    ('å', "a"),
    ('À', "a"),
    ('Á', "a"),
    ('Â', "a"),
    ('Ä', "a"),
    ('Ã', "a"),
    ('Å', "a"),
    ('ç', "c"),
    ('Ç', "c"),
    ('è', "e"),
    ('é', "e"),
    ('ê', "e"),
    ('ë', "e"),
    ('È', "e"),
    ('É', "e"),
    ('Ê', "e"),
    ('Ë', "e"),
    ('ì', "i"),
    ('í', "i"),
    ('î', "i"),
    ('ï', "i"),
    ('Ì', "i"),
    ('Í', "i"),
    ('Î', "i"),
    ('Ï', "i"),
    ('ñ', "n"),
    ('Ñ', "n"),
    ('ò', "o"),
    ('ó', "o"),
    ('ô', "o"),
    ('ö', "o"),
    ('õ', "o"),
    ('ø', "o"),
    ('Ò', "o"),
    ('Ó', "o"),
    ('Ô', "o"),
    ('Ö', "o"),
    ('Õ', "o"),
    ('Ø', "o"),
    ('ù', "u"),
    ('ú', "u"),
    ('û', "u"),
    ('ü', "u"),
    ('Ù', "u"),
    ('Ú', "u"),
    ('Û', "u"),
    ('Ü', "u"),
    ('ý', "y"),
    ('ÿ', "y"),
    ('Ý', "y"),
    ('Ÿ', "y"),
    ('œ', "oe"),
    ('Œ', "oe"),
    ('æ', "ae"),
    ('Æ', "ae"),
    ('’', "'"),
];

/// `s` as searches compare it: « Écrire » and "ecrire" fold alike.
pub fn search_fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match SEARCH_FOLDS.iter().find(|(from, _)| *from == c) {
            Some((_, to)) => out.push_str(to),
            None => out.extend(c.to_lowercase()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sorted(v: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
        sort_by_name(&mut v, |s| s.as_str());
        v
    }

    #[test]
    fn french_order_of_the_issue() {
        assert_eq!(
            sorted(&[
                "Écrire", "écran", "Débuter", "Dessiner", "Zoé", "Œuvre", "ateliers", "Atelier"
            ]),
            [
                "Atelier", "ateliers", "Débuter", "Dessiner", "écran", "Écrire", "Œuvre", "Zoé"
            ]
        );
    }

    #[test]
    fn accents_break_ties_from_the_start_then_case() {
        assert_eq!(
            sorted(&["côté", "Cote", "côte", "coté", "cote"]),
            ["cote", "Cote", "coté", "côte", "côté"]
        );
        assert_eq!(sorted(&["Élan", "elan", "élan"]), ["elan", "élan", "Élan"]);
    }

    #[test]
    fn ligatures_read_as_two_letters() {
        assert_eq!(
            sorted(&["Oz", "Œuvre", "Odyssée"]),
            ["Odyssée", "Œuvre", "Oz"]
        );
        assert_eq!(compare("oeuvre", "œuvre"), Ordering::Less);
        assert_eq!(
            sorted(&["Afrique", "Æsope", "Aérer"]),
            ["Aérer", "Æsope", "Afrique"]
        );
    }

    #[test]
    fn numbers_by_value_and_punctuation_as_one_gap() {
        assert_eq!(
            sorted(&[
                "Atelier 10",
                "Atelier 2",
                "Atelier B",
                "Atelier 02 bis",
                "Ateliers"
            ]),
            [
                "Atelier 2",
                "Atelier 02 bis",
                "Atelier 10",
                "Atelier B",
                "Ateliers"
            ]
        );
        assert_eq!(
            sorted(&["« Zut »", "L’IA au quotidien", "La vidéo", "L'IA au bureau"]),
            ["L'IA au bureau", "L’IA au quotidien", "La vidéo", "« Zut »"]
        );
        assert_eq!(
            sort_key("Jean-Pierre").primary,
            sort_key("jean  pierre").primary
        );
    }

    #[test]
    fn searches_fold_accents_case_and_ligatures() {
        assert_eq!(search_fold("Écrire À L’ŒIL"), "ecrire a l'oeil");
        assert_eq!(search_fold("ÇA"), "ca");
    }

    proptest! {
        /// A total order: antisymmetric, and equal only for equal texts.
        #[test]
        fn a_total_order(a in "\\PC{0,12}", b in "\\PC{0,12}") {
            let (x, y) = (compare(&a, &b), compare(&b, &a));
            prop_assert_eq!(x, y.reverse());
            prop_assert_eq!(x == Ordering::Equal, a == b);
        }

        /// Accents and case never outweigh a difference of letters.
        #[test]
        fn letters_first(a in "[a-z]{1,8}", b in "[a-z]{1,8}") {
            prop_assume!(a != b);
            let accented = a.replace('e', "É").replace('a', "à");
            prop_assert_eq!(compare(&accented, &b), compare(&a, &b));
        }
    }
}
