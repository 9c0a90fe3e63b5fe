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
        let count = i64::try_from(n).unwrap_or(i64::MAX);
        // One rule for every counted word (`plural`), whichever way the
        // message spells its forms.
        let form = if n == 0 && has(&zero) {
            zero
        } else if almanach_domain::plural::is_one(count, self.lang) {
            format!("{key}.one")
        } else {
            format!("{key}.many")
        };
        let mut all = vec![("n", almanach_domain::fmt::int(count, self.lang))];
        all.extend(args.iter().cloned());
        self.tf(&form, &all)
    }

    /// The text for `key` with `{name}` placeholders filled and each
    /// counted word in its form: `{n} {n|place|places}` (`plural::fill`).
    pub fn tf(&self, key: &str, args: &[(&str, String)]) -> String {
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        almanach_domain::plural::fill(self.t(key), self.lang, &args)
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

    /// A word with its plural in brackets is not how French (or English)
    /// is written: every counted word gives both forms, `{n|place|places}`.
    /// Looks through the locales (pages and e-mails), the templates and the
    /// string literals of every crate's sources.
    #[test]
    fn no_plural_in_brackets_anywhere() {
        let crates = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let mut found = Vec::new();
        let mut dirs: Vec<std::path::PathBuf> = [
            "web/locales/fr",
            "web/locales/en",
            "jobs/locales/fr",
            "jobs/locales/en",
            "web/templates",
        ]
        .iter()
        .map(|d| format!("{crates}/{d}").into())
        .collect();
        for krate in ["domain", "store", "web", "jobs", "almanach"] {
            dirs.push(format!("{crates}/{krate}/src").into());
        }
        while let Some(dir) = dirs.pop() {
            for e in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = e.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let rust = path.extension().is_some_and(|x| x == "rs");
                let template = path.extension().is_some_and(|x| x == "html" || x == "xml");
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                for (n, line) in text.lines().enumerate() {
                    for marker in ["(s)", "(es)", "(x)"] {
                        for (i, _) in line.match_indices(marker) {
                            let before = &line[..i];
                            let after_letter =
                                before.chars().next_back().is_some_and(char::is_alphabetic);
                            let text = if rust {
                                // Inside a string literal, not `Some(s)`.
                                before.matches('"').count() % 2 == 1
                            } else if template {
                                // Outside `{% … %}` and `{{ … }}`.
                                [before.rfind("{%"), before.rfind("{{")]
                                    .into_iter()
                                    .flatten()
                                    .max()
                                    .is_none_or(|o| {
                                        before[o..].contains("%}") || before[o..].contains("}}")
                                    })
                            } else {
                                true
                            };
                            if after_letter && text {
                                found.push(format!(
                                    "{}:{}: {}",
                                    path.display(),
                                    n + 1,
                                    line.trim()
                                ));
                            }
                        }
                    }
                }
            }
        }
        found.sort();
        assert!(
            found.is_empty(),
            "plurals in brackets:\n{}",
            found.join("\n")
        );
    }

    /// Every `{n|…}` of both catalogues, pages and e-mails, has its forms.
    #[test]
    fn counted_words_have_their_forms() {
        let jobs = concat!(env!("CARGO_MANIFEST_DIR"), "/../jobs/locales");
        let mut values: Vec<String> = CATALOGUES
            .iter()
            .flat_map(|c| c.values().map(|v| v.to_string()))
            .collect();
        for lang in ["fr", "en"] {
            let text = std::fs::read_to_string(format!("{jobs}/{lang}/email.txt")).unwrap();
            values.extend(text.lines().map(str::to_string));
        }
        let bad: Vec<String> = values
            .iter()
            .flat_map(|v| almanach_domain::plural::malformed(v))
            .collect();
        assert!(bad.is_empty(), "{bad:?}");
    }

    #[test]
    fn counted_words_agree_with_their_count() {
        let fr = Tr::new(Lang::Fr);
        let en = Tr::new(Lang::En);
        let seats = |tr: Tr, n: &str| tr.tf("session.seats_free", &[("n", n.to_string())]);
        assert_eq!(seats(fr, "0"), "entrée libre, 0 place");
        assert_eq!(seats(fr, "1"), "entrée libre, 1 place");
        assert_eq!(seats(fr, "2"), "entrée libre, 2 places");
        assert_eq!(seats(en, "0"), "free entry, 0 seats");
        assert_eq!(seats(en, "1"), "free entry, 1 seat");
    }

    #[test]
    fn placeholders_are_filled() {
        let tr = Tr::new(Lang::Fr);
        let p = Problem::field("capacity", "error.too_long").arg("max", "200");
        assert!(tr.problem(&p).contains("200"));
    }
}
