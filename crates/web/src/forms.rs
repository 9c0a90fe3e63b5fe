//! Showing a form's problems next to its fields, in the reader's language.

use almanach_domain::{Problem, Problems};

use crate::Tr;

/// Translated problems of one form: per field, and the whole form's.
#[derive(Debug, Default, Clone)]
pub struct FormErrors {
    pub fields: Vec<(&'static str, String)>,
    pub general: Vec<String>,
    /// Warnings the person may override by ticking "confirm".
    pub warnings: Vec<String>,
}

impl FormErrors {
    pub fn new(tr: &Tr, problems: &Problems) -> FormErrors {
        let mut e = FormErrors::default();
        for p in &problems.0 {
            e.add(tr, p);
        }
        e
    }

    pub fn add(&mut self, tr: &Tr, p: &Problem) {
        match p.field {
            Some(f) => self.fields.push((f, tr.problem(p))),
            None => self.general.push(tr.problem(p)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_empty()
    }

    /// The message for `field`, empty when none (templates test `!= ""`).
    pub fn get(&self, field: &str) -> String {
        self.fields
            .iter()
            .filter(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Every message, for the summary at the top of the form.
    pub fn all(&self) -> Vec<String> {
        self.general
            .iter()
            .cloned()
            .chain(self.fields.iter().map(|(_, m)| m.clone()))
            .collect()
    }
}
