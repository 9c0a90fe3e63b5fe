//! What goes wrong with user input: a field, a message key and its arguments.
//! `i18n::Tr` turns keys into French or English text (see `locales/`).

use serde::Serialize;

/// The language a person reads. French first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" | "fr-fr" | "français" => Some(Lang::Fr),
            "en" | "en-gb" | "en-us" | "english" => Some(Lang::En),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

/// One problem with one field (or with the whole form when `field` is None).
/// `key` names a message in the locale files; `args` fill its `{placeholders}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub field: Option<&'static str>,
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Problem {
    pub fn field(field: &'static str, key: &'static str) -> Self {
        Problem {
            field: Some(field),
            key,
            args: Vec::new(),
        }
    }
    pub fn form(key: &'static str) -> Self {
        Problem {
            field: None,
            key,
            args: Vec::new(),
        }
    }
    pub fn arg(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, value.into()));
        self
    }
}

/// Every problem found in one form, collected rather than stopping at the
/// first, so the person fixes everything in one go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn new() -> Self {
        Problems(Vec::new())
    }
    pub fn push(&mut self, p: Problem) {
        self.0.push(p);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn for_field(&self, field: &str) -> impl Iterator<Item = &Problem> {
        self.0.iter().filter(move |p| p.field == Some(field))
    }
    /// Keeps the value when it parsed, records the problem otherwise.
    pub fn take<T>(&mut self, r: Result<T, Problem>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(p) => {
                self.push(p);
                None
            }
        }
    }
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, Problems> {
        if self.is_empty() {
            Ok(value())
        } else {
            Err(self)
        }
    }
}

impl From<Problem> for Problems {
    fn from(p: Problem) -> Self {
        Problems(vec![p])
    }
}
