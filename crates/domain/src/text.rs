//! What a text typed by a person may hold: one rule for every staff form,
//! the public forms, the JSON API and the import (docs/decisions/0013).
//!
//! A single-line text (a name, a title, a town) holds no control character
//! at all; a multi-line text (a description, notes) may hold line breaks and
//! tabs. Neither may hold the bidirectional embedding, override and isolate
//! marks (U+202A–U+202E, U+2066–U+2069): nobody types them, and they make
//! what is shown differ from what is stored ("Trojan Source"). PostgreSQL
//! refuses a NUL outright; SQLite would keep it and serve it back raw.

use crate::Problem;

/// Why a text is refused; each is a message key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaw {
    /// A control character (NUL, BEL, ESC, DEL, the C1 range…), or a line
    /// break where only one line is allowed.
    Control,
    /// An explicit bidirectional embedding, override or isolate.
    Bidi,
}

impl Flaw {
    pub fn key(self) -> &'static str {
        match self {
            Flaw::Control => "error.control_chars",
            Flaw::Bidi => "error.bidi_chars",
        }
    }
}

/// The bidirectional formatting characters refused. The marks LRM, RLM
/// and ALM (U+200E, U+200F, U+061C) stay allowed: they reorder nothing.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn flaw(c: char, multi_line: bool) -> Option<Flaw> {
    if is_bidi_control(c) {
        return Some(Flaw::Bidi);
    }
    let line_break = matches!(c, '\n' | '\t' | '\r' | '\u{2028}' | '\u{2029}');
    if multi_line && line_break {
        return None;
    }
    (c.is_control() || line_break).then_some(Flaw::Control)
}

/// The first flaw of a single-line text.
pub fn line_flaw(s: &str) -> Option<Flaw> {
    s.chars().find_map(|c| flaw(c, false))
}

/// The first flaw of a multi-line text: line breaks (`\n`, `\r\n`, `\r`)
/// and tabs are fine.
pub fn multi_line_flaw(s: &str) -> Option<Flaw> {
    s.chars().find_map(|c| flaw(c, true))
}

/// A single-line text as `field`'s problem.
pub fn check_line(field: &'static str, s: &str) -> Result<(), Problem> {
    match line_flaw(s) {
        Some(f) => Err(Problem::field(field, f.key())),
        None => Ok(()),
    }
}

/// A multi-line text as `field`'s problem.
pub fn check_multi_line(field: &'static str, s: &str) -> Result<(), Problem> {
    match multi_line_flaw(s) {
        Some(f) => Err(Problem::field(field, f.key())),
        None => Ok(()),
    }
}

/// Shows a text that may hold control characters, for an error message:
/// each one as `U+0000`, so a person can see what is wrong.
pub fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() || is_bidi_control(c) {
            out.push_str(&format!("U+{:04X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_and_multi_line() {
        for bad in [
            "a\0b",
            "bip\u{7}",
            "\u{1b}[31m",
            "\u{7f}",
            "\u{85}",
            "\u{9f}",
        ] {
            assert_eq!(line_flaw(bad), Some(Flaw::Control), "{bad:?}");
            assert_eq!(multi_line_flaw(bad), Some(Flaw::Control), "{bad:?}");
        }
        for breaks in ["two\nlines", "two\r\nlines", "a\tb", "a\u{2028}b"] {
            assert_eq!(line_flaw(breaks), Some(Flaw::Control), "{breaks:?}");
            assert_eq!(multi_line_flaw(breaks), None, "{breaks:?}");
        }
        for bidi in ["abc\u{202e}fdp.exe", "\u{2066}x\u{2069}"] {
            assert_eq!(line_flaw(bidi), Some(Flaw::Bidi));
            assert_eq!(multi_line_flaw(bidi), Some(Flaw::Bidi));
        }
        for fine in [
            "Médiathèque « Jean-Macé »",
            "عربي\u{200f} et français",
            "👩\u{200d}💻 atelier",
            "",
        ] {
            assert_eq!(line_flaw(fine), None, "{fine:?}");
        }
        assert_eq!(
            check_line("name", "a\0").unwrap_err(),
            Problem::field("name", "error.control_chars")
        );
        assert_eq!(visible("a\0b\u{202e}"), "aU+0000bU+202E");
    }
}
