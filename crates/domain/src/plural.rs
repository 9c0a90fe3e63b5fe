//! Messages with counted words, in both languages. A message names its
//! arguments in braces, `{n}`, and a word that follows a count gives both
//! forms after the count's name: `{n} {n|place|places}`. The form is chosen
//! by the language's rule: French keeps 0 and 1 singular (« 0 place »,
//! « 1,5 heure »), English only exactly 1 ("0 seats", "1 seat"). A message
//! that says something else for none gives three forms, `{n|zero|one|many}`,
//! and `#` in a form stands for the count. The web pages and the e-mails
//! fill their messages here, so there is one rule.

use crate::Lang;

/// Whether `count`, as printed ("1", "0", "1 234", "1,5"), takes the
/// singular in `lang`. What is not a number takes the plural.
pub fn is_singular(count: &str, lang: Lang) -> bool {
    let digits: String = count
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}' && *c != '\u{a0}')
        .collect();
    let digits = digits.strip_prefix(['-', '−']).unwrap_or(&digits);
    let (int, frac) = match lang {
        Lang::Fr => digits.split_once(',').unwrap_or((digits, "")),
        Lang::En => {
            let (i, f) = digits.split_once('.').unwrap_or((digits, ""));
            // "1,234": the comma groups thousands in English.
            return i.replace(',', "").parse::<u64>() == Ok(1) && f.is_empty();
        }
    };
    let int = int.replace('.', "");
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    matches!(int.parse::<u64>(), Ok(0 | 1))
}

/// `n` as a count: `is_singular` for an integer.
pub fn is_one(n: i64, lang: Lang) -> bool {
    is_singular(&n.to_string(), lang)
}

/// `template` with `{name}` replaced by its argument and `{name|one|many}`
/// by the form the argument's count takes. A placeholder without an
/// argument is left as it is, so a missing one shows instead of vanishing.
pub fn fill(template: &str, lang: Lang, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inner = &after[..close];
        let mut parts = inner.split('|');
        let name = parts.next().unwrap_or_default().trim();
        let forms: Vec<&str> = parts.collect();
        match (args.iter().find(|(k, _)| *k == name), forms.as_slice()) {
            (Some((_, v)), []) => out.push_str(v),
            (Some((_, v)), [one, many]) => {
                let form = if is_singular(v, lang) { one } else { many };
                out.push_str(&form.replace('#', v));
            }
            (Some((_, v)), [zero, one, many]) => {
                let form = if v.trim() == "0" {
                    zero
                } else if is_singular(v, lang) {
                    one
                } else {
                    many
                };
                out.push_str(&form.replace('#', v));
            }
            _ => {
                out.push('{');
                out.push_str(inner);
                out.push('}');
            }
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The `{name|…}` placeholders of `template` that have neither two forms
/// nor three: a locale test reports them.
pub fn malformed(template: &str) -> Vec<String> {
    let mut bad = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let inner = &after[..close];
        if inner.contains('|') && !matches!(inner.split('|').count(), 3 | 4) {
            bad.push(inner.to_string());
        }
        rest = &after[close + 1..];
    }
    bad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_keeps_zero_and_one_singular() {
        let seats = |n: &str| fill("{n} {n|place|places}", Lang::Fr, &[("n", n)]);
        assert_eq!(seats("0"), "0 place");
        assert_eq!(seats("1"), "1 place");
        assert_eq!(seats("2"), "2 places");
        assert_eq!(seats("1,5"), "1,5 place");
        assert_eq!(seats("1\u{202f}234"), "1\u{202f}234 places");
        assert_eq!(seats("-1"), "-1 place");
        assert_eq!(seats("beaucoup"), "beaucoup places");
    }

    #[test]
    fn english_keeps_only_one_singular() {
        let seats = |n: &str| fill("{n} {n|seat|seats}", Lang::En, &[("n", n)]);
        assert_eq!(seats("0"), "0 seats");
        assert_eq!(seats("1"), "1 seat");
        assert_eq!(seats("1.5"), "1.5 seats");
        assert_eq!(seats("1,001"), "1,001 seats");
        assert!(is_one(1, Lang::En) && !is_one(0, Lang::En) && is_one(0, Lang::Fr));
    }

    #[test]
    fn several_counts_and_plain_arguments_in_one_message() {
        let s = fill(
            "{file} : {rows} {rows|ligne lue|lignes lues}, {errors} {errors|erreur|erreurs}",
            Lang::Fr,
            &[("file", "a.csv"), ("rows", "12"), ("errors", "1")],
        );
        assert_eq!(s, "a.csv : 12 lignes lues, 1 erreur");
        // An argument's own braces are not read again.
        assert_eq!(fill("« {t} »", Lang::Fr, &[("t", "{n}")]), "« {n} »");
        // Missing arguments and stray braces stay visible.
        assert_eq!(fill("{x} {y|a|b} {", Lang::Fr, &[]), "{x} {y|a|b} {");
    }

    #[test]
    fn a_form_for_none_and_the_count_inside_a_form() {
        let t = "« {t} » sera retiré{n|| avec sa séance| avec ses # séances}.";
        let f = |n: &str| fill(t, Lang::Fr, &[("t", "Atelier"), ("n", n)]);
        assert_eq!(f("0"), "« Atelier » sera retiré.");
        assert_eq!(f("1"), "« Atelier » sera retiré avec sa séance.");
        assert_eq!(f("3"), "« Atelier » sera retiré avec ses 3 séances.");
    }

    #[test]
    fn malformed_placeholders_are_found() {
        assert!(malformed("{n} {n|place|places}").is_empty());
        assert_eq!(malformed("{n|place}"), ["n|place"]);
        assert!(malformed("{n|aucune|une|#}").is_empty());
    }
}
