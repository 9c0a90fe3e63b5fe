//! Words users read, pages and e-mails alike: one catalogue per language,
//! plain `key = value` files per area under `crates/domain/locales/{fr,en}/`,
//! built into the binary with `include_str!` (no I/O here). French first,
//! English second. Messages fill `{name}` placeholders and counted words
//! (`{n} {n|place|places}`) in one pass (`plural::fill`); `Tr::tn` picks a
//! `.zero/.one/.many` message by the language's plural rule. Why not Fluent:
//! docs/decisions/0019-translations.md.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::{Lang, Problem};

/// Each area has its own file, so work on one area does not touch
/// another's translations. `email` holds the e-mails (`mail.` keys other
/// than `mail.page.`, which are the staff's page for writing one).
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
    include_str!("../locales/fr/email.txt"),
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
    include_str!("../locales/en/email.txt"),
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
        } else if crate::plural::is_one(count, self.lang) {
            format!("{key}.one")
        } else {
            format!("{key}.many")
        };
        let mut all = vec![("n", crate::fmt::int(count, self.lang))];
        all.extend(args.iter().cloned());
        self.tf(&form, &all)
    }

    /// The text for `key` with `{name}` placeholders filled and each
    /// counted word in its form: `{n} {n|place|places}` (`plural::fill`).
    /// Arguments are owned (`String`, as pages build them) or borrowed.
    pub fn tf<S: AsRef<str>>(&self, key: &str, args: &[(&str, S)]) -> String {
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_ref())).collect();
        crate::plural::fill(self.t(key), self.lang, &args)
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

/// Whether the French catalogue has `key` (tests of the pages check the
/// keys they build from a prefix with it).
pub fn has_key(key: &str) -> bool {
    CATALOGUES[0].contains_key(key)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::path::{Path, PathBuf};

    use super::*;

    /// The crates whose sources and templates may name a key.
    const CRATES: [&str; 5] = ["domain", "store", "web", "jobs", "almanach"];

    /// Keys that code builds from a prefix and a value (`format!`, or
    /// `label(tr, prefix, slug)` in the pages), so no literal names them
    /// whole. A page's own tests check that every value has its key
    /// (`has_key`); this list keeps `every_catalogue_key_is_used` honest
    /// about the rest. Prefix, then what completes it.
    const DYNAMIC: &[(&str, &str)] = &[
        ("action.kind.", "ActionKind::slug (pages/actions)"),
        ("attendance.", "Attendance::slug (pages/sessions)"),
        ("audience.", "Audience::slug (pages/speakers)"),
        ("event.period.", "Period::slug (pages/events)"),
        ("format.", "Format::slug (pages/speakers)"),
        ("it.step.", "NeedStatus::slug, the next step (pages/needs)"),
        ("kind.", "Kind::slug (pages/sessions, pages/stats)"),
        ("need_status.", "NeedStatus::slug (pages/needs)"),
        (
            "notify.registration_cancel.",
            "question/explain/confirm (pages/sessions)",
        ),
        (
            "notify.registration_move.",
            "question/explain/confirm (pages/sessions)",
        ),
        (
            "notify.session_cancel.",
            "question/explain/confirm (pages/sessions)",
        ),
        (
            "notify.session_restore.",
            "question/explain/confirm (pages/sessions)",
        ),
        ("policy.", "Policy::slug (pages/sessions)"),
        ("provider.", "Provider::slug (pages/needs)"),
        ("readiness.", "Readiness::slug (pages/needs)"),
        ("region.", "Region::slug (pages/speakers)"),
        (
            "registrations.csv.",
            "the CSV's column names (pages/registrations)",
        ),
        ("speaker_kind.", "SpeakerKind::slug (pages/speakers)"),
        ("stage.", "Stage::slug (pages/prospects)"),
        ("stats.by.", "Dimension::slug (pages/stats)"),
        ("stats.none.", "Dimension::slug (pages/stats)"),
        ("status.", "Status::slug (pages/events, pages/sessions)"),
        ("themes.category.", "a theme category's slug (pages/themes)"),
    ];

    fn crates_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    /// Every file under `dirs`, recursively, whose name ends with one of `exts`.
    fn files(dirs: &[PathBuf], exts: &[&str]) -> Vec<PathBuf> {
        let mut dirs = dirs.to_vec();
        let mut out = Vec::new();
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let path = e.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path
                    .extension()
                    .is_some_and(|x| exts.iter().any(|e| x == *e))
                {
                    out.push(path);
                }
            }
        }
        out.sort();
        out
    }

    /// Rust sources and the templates of pages and e-mails, with their text.
    fn sources() -> Vec<(PathBuf, String)> {
        let root = crates_dir();
        let mut dirs: Vec<PathBuf> = CRATES.iter().map(|c| root.join(c).join("src")).collect();
        dirs.push(root.join("web/templates"));
        dirs.push(root.join("jobs/templates"));
        files(&dirs, &["rs", "html", "txt", "xml"])
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                (p, text)
            })
            .collect()
    }

    /// The keys a text names: `.t("…")`, `.tf("…")`, `.tn("…")` (its
    /// `.one` and `.many`), and the literals of the domain's problems and
    /// the e-mails (`"error.…"`, `"warning.…"`, `"mail.…"`). A key built
    /// from a prefix (`"error."`, `"{…}"`) is left to `DYNAMIC`.
    fn named_keys(text: &str) -> Vec<String> {
        let mut keys = Vec::new();
        for marker in [
            ".t(\"",
            ".tf(\"",
            ".tn(\"",
            "\"error.",
            "\"warning.",
            "\"mail.",
        ] {
            for (i, _) in text.match_indices(marker) {
                // Keys start after the quote: for `.t("` past the marker,
                // for `"error.` at the marker's second character.
                let start = if marker.starts_with('"') {
                    // `tn("mail.…")` names forms, read by the `.tn("` marker.
                    if text[..i].ends_with(".tn(") {
                        continue;
                    }
                    i + 1
                } else {
                    i + marker.len()
                };
                let rest = &text[start..];
                let Some(end) = rest.find('"') else { continue };
                let key = &rest[..end];
                if key.contains(['{', ' ', '@', '\\']) || key.is_empty() || key.ends_with('.') {
                    continue;
                }
                if marker == ".tn(\"" {
                    keys.push(format!("{key}.one"));
                    keys.push(format!("{key}.many"));
                } else {
                    keys.push(key.to_string());
                }
            }
        }
        keys.sort();
        keys.dedup();
        keys
    }

    #[test]
    fn both_locales_have_the_same_keys() {
        assert_eq!(check_locales(), Vec::<String>::new());
    }

    /// Every key named in the code or templates of pages and e-mails, and
    /// every message key the domain emits, has its text in both languages.
    #[test]
    fn every_used_key_is_translated() {
        let mut missing = Vec::new();
        for (path, text) in sources() {
            // This file's tests show the scan keys that are not in the catalogue.
            let text = if path.ends_with("domain/src/i18n.rs") {
                text.split("#[cfg(test)]\nmod tests")
                    .next()
                    .unwrap_or_default()
            } else {
                &text
            };
            for key in named_keys(text) {
                for (lang, catalogue) in ["fr", "en"].iter().zip(CATALOGUES.iter()) {
                    if !catalogue.contains_key(key.as_str()) {
                        missing.push(format!("{lang}: {key} ({})", path.display()));
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

    /// The scan above sees what a broken catalogue would hide: a key named
    /// by each way of naming one, and nothing in what only looks like one.
    #[test]
    fn the_scan_finds_keys_however_they_are_named() {
        let code = r#"tr.t("a.b") w.tf("mail.x", &[]) tr.tn("c.d", n, &[]) x.tn("mail.n", 1, &[])
            Problem::field("f", "error.e") "warning.w" "error." "mail.{kind}"
            {{ page.tr.t("tpl.key") }} format!("error.{x}") "mail.example@x""#;
        assert_eq!(
            named_keys(code),
            [
                "a.b",
                "c.d.many",
                "c.d.one",
                "error.e",
                "mail.n.many",
                "mail.n.one",
                "mail.x",
                "tpl.key",
                "warning.w"
            ]
        );
    }

    /// Every key of the catalogue is named somewhere outside tests (or built
    /// from a prefix listed in `DYNAMIC`): words nobody reads are not kept.
    #[test]
    fn every_catalogue_key_is_used() {
        // Every piece of text between two quotes, in code outside its tests
        // and in templates: a key is used when one of them names it.
        let mut quoted: HashSet<String> = HashSet::new();
        for (path, text) in sources() {
            let code = if path.extension().is_some_and(|x| x == "rs") {
                text.split("#[cfg(test)]\nmod tests")
                    .next()
                    .unwrap_or_default()
            } else {
                &text
            };
            quoted.extend(code.split('"').map(str::to_string));
        }
        let base = |k: &str| {
            [".zero", ".one", ".many"]
                .iter()
                .find_map(|f| k.strip_suffix(f))
                .map(str::to_string)
        };
        let mut unused: Vec<&str> = CATALOGUES[0]
            .keys()
            .copied()
            .filter(|k| {
                !quoted.contains(*k)
                    && !base(k).is_some_and(|b| quoted.contains(&b))
                    && !DYNAMIC.iter().any(|(p, _)| k.starts_with(p))
            })
            .collect();
        unused.sort();
        assert!(
            unused.is_empty(),
            "keys no code uses:\n{}",
            unused.join("\n")
        );
    }

    /// A word with its plural in brackets is not how French (or English)
    /// is written: every counted word gives both forms, `{n|place|places}`.
    /// Looks through the locales (pages and e-mails), the templates and the
    /// string literals of every crate's sources.
    #[test]
    fn no_plural_in_brackets_anywhere() {
        let root = crates_dir();
        let mut found = Vec::new();
        for path in files(&[root.join("domain/locales")], &["txt"])
            .into_iter()
            .chain(sources().into_iter().map(|(p, _)| p))
        {
            let rust = path.extension().is_some_and(|x| x == "rs");
            let template = path.extension().is_some_and(|x| x == "html" || x == "xml")
                || (path.extension().is_some_and(|x| x == "txt")
                    && path.components().any(|c| c.as_os_str() == "templates"));
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
                            found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
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
        let bad: Vec<String> = CATALOGUES
            .iter()
            .flat_map(|c| c.values())
            .flat_map(|v| crate::plural::malformed(v))
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

    /// E-mails count with the same rule as pages: the reset link's minutes
    /// and the seats of a registration take their form.
    #[test]
    fn counts_in_e_mails_take_their_form() {
        let fr = Tr::new(Lang::Fr);
        let en = Tr::new(Lang::En);
        let minutes = |tr: Tr, n: &str| tr.tf("mail.reset.link", &[("minutes", n)]);
        assert!(minutes(fr, "60").ends_with("expire dans 60 minutes :"));
        assert!(minutes(fr, "1").ends_with("expire dans 1 minute :"));
        assert!(minutes(en, "1").ends_with("expires in 1 minute:"));
        assert!(minutes(en, "60").ends_with("expires in 60 minutes:"));
        assert_eq!(fr.tf("mail.seats", &[("n", "1")]), "1 place");
        assert_eq!(en.tf("mail.seats", &[("n", "0")]), "0 seats");
    }

    #[test]
    fn placeholders_are_filled() {
        let tr = Tr::new(Lang::Fr);
        let p = Problem::field("capacity", "error.too_long").arg("max", "200");
        assert!(tr.problem(&p).contains("200"));
    }

    /// Placeholders are filled in one pass: what a person typed is never
    /// read again as a placeholder (repeated `replace` would put the
    /// library's name into this name).
    #[test]
    fn an_argument_is_not_read_again() {
        let tr = Tr::new(Lang::Fr);
        let s = tr.tf(
            "mail.signature",
            &[("of_library", "{library}"), ("library", "du Phare")],
        );
        assert_eq!(s, "L'équipe {library}");
        let hello = tr.tf("mail.hello", &[("name", "{name}")]);
        assert_eq!(hello, "Bonjour {name},");
    }

    /// Owned and borrowed arguments fill alike; `tn` words the count.
    #[test]
    fn owned_and_borrowed_arguments() {
        let tr = Tr::new(Lang::Fr);
        let owned = tr.tf("mail.hello", &[("name", "Léa".to_string())]);
        let borrowed = tr.tf("mail.hello", &[("name", "Léa")]);
        assert_eq!(owned, borrowed);
        assert_eq!(owned, "Bonjour Léa,");
        assert!(tr.tn("notify.people", 1234, &[]).contains("1\u{202f}234"));
    }
}
