//! The e-mails' words: plain `key = value` files per locale, as the web
//! layer's, compiled in. French first, English second.

use std::collections::HashMap;
use std::sync::LazyLock;

use almanach_domain::Lang;

const FR: &str = include_str!("../locales/fr/email.txt");
const EN: &str = include_str!("../locales/en/email.txt");

fn parse(file: &'static str) -> HashMap<&'static str, &'static str> {
    file.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

static CATALOGUES: LazyLock<[HashMap<&'static str, &'static str>; 2]> =
    LazyLock::new(|| [parse(FR), parse(EN)]);

/// The words of one language.
#[derive(Debug, Clone, Copy)]
pub struct Words(pub Lang);

impl Words {
    /// The text for `key`; the key itself when missing (a test catches that).
    pub fn t(self, key: &'static str) -> &'static str {
        let i = match self.0 {
            Lang::Fr => 0,
            Lang::En => 1,
        };
        CATALOGUES[i].get(key).copied().unwrap_or(key)
    }

    /// The text for `key` with `{name}` placeholders filled and each
    /// counted word in its form: `{n} {n|place|places}` (`plural::fill`).
    pub fn tf(self, key: &'static str, args: &[(&str, &str)]) -> String {
        almanach_domain::plural::fill(self.t(key), self.0, args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_locales_have_the_same_keys() {
        let [fr, en] = &*CATALOGUES;
        let mut a: Vec<_> = fr.keys().collect();
        let mut b: Vec<_> = en.keys().collect();
        a.sort();
        b.sort();
        assert_eq!(a, b);
    }

    /// Every `t("…")` / `tf("…")` in the code has a translation.
    #[test]
    fn every_used_key_is_translated() {
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut missing = Vec::new();
        for e in std::fs::read_dir(src).unwrap().flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap();
            for marker in [".t(\"", ".tf(\"", "key(\""] {
                for (i, _) in text.match_indices(marker) {
                    let rest = &text[i + marker.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if key.starts_with("mail.")
                        && !key.ends_with('.')
                        && !CATALOGUES[0].contains_key(key)
                    {
                        missing.push(key.to_string());
                    }
                }
            }
        }
        assert!(missing.is_empty(), "untranslated: {missing:?}");
    }
}
