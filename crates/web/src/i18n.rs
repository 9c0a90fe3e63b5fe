//! Translations: plain `key = value` files per locale and area under
//! `locales/`, compiled into the binary. French first, English second.

use std::collections::HashMap;
use std::sync::LazyLock;

use almanach_domain::{Lang, Problem};

/// Each area of the interface has its own file, so work on one area does not
/// touch another's translations.
const FR: &[&str] = &[
    include_str!("../locales/fr/common.txt"),
    include_str!("../locales/fr/errors.txt"),
    include_str!("../locales/fr/setup.txt"),
    include_str!("../locales/fr/programme.txt"),
    include_str!("../locales/fr/api.txt"),
    include_str!("../locales/fr/public.txt"),
    include_str!("../locales/fr/day.txt"),
    include_str!("../locales/fr/stats.txt"),
    include_str!("../locales/fr/logistics.txt"),
    include_str!("../locales/fr/mail.txt"),
    include_str!("../locales/fr/integration.txt"),
    include_str!("../locales/fr/import.txt"),
    include_str!("../locales/fr/documents.txt"),
    include_str!("../locales/fr/costs.txt"),
    include_str!("../locales/fr/actions.txt"),
];
const EN: &[&str] = &[
    include_str!("../locales/en/common.txt"),
    include_str!("../locales/en/errors.txt"),
    include_str!("../locales/en/setup.txt"),
    include_str!("../locales/en/programme.txt"),
    include_str!("../locales/en/api.txt"),
    include_str!("../locales/en/public.txt"),
    include_str!("../locales/en/day.txt"),
    include_str!("../locales/en/stats.txt"),
    include_str!("../locales/en/logistics.txt"),
    include_str!("../locales/en/mail.txt"),
    include_str!("../locales/en/integration.txt"),
    include_str!("../locales/en/import.txt"),
    include_str!("../locales/en/documents.txt"),
    include_str!("../locales/en/costs.txt"),
    include_str!("../locales/en/actions.txt"),
];

fn parse(files: &[&'static str]) -> HashMap<&'static str, &'static str> {
    let mut m = HashMap::new();
    for f in files {
        for line in f.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some((k, v)) = line.split_once(" = ") {
                m.insert(k.trim(), v.trim());
            }
        }
    }
    m
}

static CATALOGUES: LazyLock<[HashMap<&'static str, &'static str>; 2]> =
    LazyLock::new(|| [parse(FR), parse(EN)]);

/// A translator for one request's language.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    fn catalogue(&self) -> &'static HashMap<&'static str, &'static str> {
        &CATALOGUES[match self.lang {
            Lang::Fr => 0,
            Lang::En => 1,
        }]
    }

    /// The text for `key`; the key itself when missing (a test catches that).
    pub fn t<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        self.catalogue().get(key).copied().unwrap_or(key)
    }

    /// The text of `{key}.zero`, `.one` or `.many` for `n`, with `{n}` and
    /// `args` filled. French counts 0 and 1 as singular; `.zero` is used
    /// when the catalogue has it.
    pub fn tn(&self, key: &str, n: usize, args: &[(&str, String)]) -> String {
        let has = |k: &str| self.catalogue().contains_key(k);
        let zero = format!("{key}.zero");
        let one = format!("{key}.one");
        let form = if n == 0 && has(&zero) {
            zero
        } else if n == 1 || (n == 0 && self.lang == Lang::Fr) {
            one
        } else {
            format!("{key}.many")
        };
        let mut all = vec![("n", n.to_string())];
        all.extend(args.iter().cloned());
        self.tf(&form, &all)
    }

    /// The text for `key` with `{name}` placeholders filled.
    pub fn tf(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut s = self.t(key).to_string();
        for (k, v) in args {
            s = s.replace(&format!("{{{k}}}"), v);
        }
        s
    }

    pub fn problem(&self, p: &Problem) -> String {
        self.tf(p.key, &p.args)
    }

    pub fn code(&self) -> &'static str {
        self.lang.code()
    }

    pub fn is_fr(&self) -> bool {
        self.lang == Lang::Fr
    }
}

/// Keys present in one locale and missing in the other.
pub fn check_locales() -> Vec<String> {
    let [fr, en] = &*CATALOGUES;
    let mut missing: Vec<String> = fr
        .keys()
        .filter(|k| !en.contains_key(*k))
        .map(|k| format!("en: {k}"))
        .collect();
    missing.extend(
        en.keys()
            .filter(|k| !fr.contains_key(*k))
            .map(|k| format!("fr: {k}")),
    );
    missing.sort();
    missing
}

#[cfg(test)]
pub fn has_key(key: &str) -> bool {
    CATALOGUES[0].contains_key(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_locales_have_the_same_keys() {
        assert_eq!(check_locales(), Vec::<String>::new());
    }

    /// Every `t("…")`/`tf("…")` in templates and code, and every message
    /// key the domain emits, has a translation.
    #[test]
    fn every_used_key_is_translated() {
        let mut missing = Vec::new();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
        let domain = concat!(env!("CARGO_MANIFEST_DIR"), "/../domain/src");
        let mut files = Vec::new();
        for dir in [
            format!("{root}templates"),
            format!("{root}src"),
            format!("{root}src/pages"),
            format!("{root}src/api"),
            format!("{root}src/public"),
            format!("{root}src/review"),
            domain.to_string(),
        ] {
            for e in std::fs::read_dir(&dir).unwrap().flatten() {
                if e.path().is_file() {
                    files.push(e.path());
                }
            }
        }
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            for marker in [".t(\"", ".tf(\"", "\"error.", "\"warning."] {
                for (i, _) in text.match_indices(marker) {
                    // Keys start after the quote: for `.t("` past the marker,
                    // for `"error.` at the marker's second character.
                    let start = if marker.starts_with('"') {
                        i + 1
                    } else {
                        i + marker.len()
                    };
                    let rest = &text[start..];
                    let Some(end) = rest.find('"') else { continue };
                    let key = &rest[..end];
                    if key.contains(['{', ' ']) || key.is_empty() || key.ends_with('.') {
                        continue;
                    }
                    if !has_key(key) {
                        missing.push(format!("{}: {key}", path.display()));
                    }
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(
            missing.is_empty(),
            "untranslated keys:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn placeholders_are_filled() {
        let tr = Tr::new(Lang::Fr);
        let p = Problem::field("capacity", "error.too_long").arg("max", "200");
        assert!(tr.problem(&p).contains("200"));
    }
}
