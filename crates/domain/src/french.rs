//! A name in a French sentence: « l'équipe de la Médiathèque L'Apostrophe »,
//! « du Phare », « des Champs Libres », « d'Alençon ». A library's name does
//! not say which article it takes (« Médiathèque L'Apostrophe » takes « la »
//! because *médiathèque* is feminine), so the library stores it beside the
//! name; a name that carries its own (« Le Phare ») needs none.

use serde::{Deserialize, Serialize};

use crate::programme::slug_enum;

slug_enum!(
    /// The article a name takes in a sentence; `None` when it takes none
    /// or carries its own.
    Article { None = "", Le = "le", La = "la", L = "l'", Les = "les" }
);

/// Elision before a vowel sound: a vowel, accented or not. An initial *h*
/// is left alone: whether it is mute (« d'Hérouville ») or aspirated
/// (« de Hautepierre ») cannot be told from the spelling.
fn starts_with_vowel(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| "aeiouyàâäéèêëîïôöùûüÿæœAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŸÆŒ".contains(c))
}

/// The name with its article, as the subject or object of a sentence:
/// « la Médiathèque L'Apostrophe », « l'Alcazar », « Le Phare ».
pub fn with_article(article: Article, name: &str) -> String {
    let name = name.trim();
    match article {
        Article::None => name.to_string(),
        Article::L => format!("l'{name}"),
        other => format!("{} {name}", other.slug()),
    }
}

/// The same at the start of a sentence: « La Médiathèque L'Apostrophe s'engage… ».
pub fn with_article_capitalised(article: Article, name: &str) -> String {
    let s = with_article(article, name);
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => s,
    }
}

/// « de » and the name, contracted and elided as French writes it:
/// de + le → du, de + les → des, de + l' → de l', de + a vowel → d'.
pub fn of(article: Article, name: &str) -> String {
    let name = name.trim();
    match article {
        Article::Le => format!("du {name}"),
        Article::Les => format!("des {name}"),
        Article::La => format!("de la {name}"),
        Article::L => format!("de l'{name}"),
        Article::None => {
            // A name that carries its article contracts the same way.
            if let Some(rest) = name.strip_prefix("Le ") {
                format!("du {rest}")
            } else if let Some(rest) = name.strip_prefix("Les ") {
                format!("des {rest}")
            } else if name.starts_with("La ")
                || name.starts_with("L'")
                || name.starts_with("L’")
                || !starts_with_vowel(name)
            {
                format!("de {name}")
            } else {
                format!("d'{name}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn de_contracts_and_elides() {
        let cases = [
            (
                Article::La,
                "Médiathèque L'Apostrophe",
                "de la Médiathèque L'Apostrophe",
            ),
            (Article::Le, "Phare", "du Phare"),
            (Article::Les, "Champs Libres", "des Champs Libres"),
            (Article::L, "Alcazar", "de l'Alcazar"),
            (Article::None, "Le Phare", "du Phare"),
            (Article::None, "Les Champs Libres", "des Champs Libres"),
            (
                Article::None,
                "La Grande Bibliothèque",
                "de La Grande Bibliothèque",
            ),
            (Article::None, "L'Apostrophe", "de L'Apostrophe"),
            (Article::None, "Alençon", "d'Alençon"),
            (Article::None, "Émile-Zola", "d'Émile-Zola"),
            (Article::None, "Hautepierre", "de Hautepierre"),
            (
                Article::None,
                "Médiathèque de Vienne",
                "de Médiathèque de Vienne",
            ),
            (Article::None, "  Lyon ", "de Lyon"),
        ];
        for (article, name, want) in cases {
            assert_eq!(of(article, name), want, "{article:?} {name}");
        }
    }

    #[test]
    fn the_article_goes_before_the_name() {
        assert_eq!(
            with_article(Article::La, "Médiathèque L'Apostrophe"),
            "la Médiathèque L'Apostrophe"
        );
        assert_eq!(with_article(Article::L, "Alcazar"), "l'Alcazar");
        assert_eq!(with_article(Article::None, "Le Phare"), "Le Phare");
        assert_eq!(
            with_article_capitalised(Article::La, "Médiathèque L'Apostrophe"),
            "La Médiathèque L'Apostrophe"
        );
        assert_eq!(
            with_article_capitalised(Article::Les, "Champs Libres"),
            "Les Champs Libres"
        );
    }

    #[test]
    fn articles_are_parsed_from_their_slug() {
        assert_eq!(Article::parse("la"), Some(Article::La));
        assert_eq!(Article::parse("l'"), Some(Article::L));
        assert_eq!(Article::parse(""), Some(Article::None));
        assert_eq!(Article::parse("un"), None);
    }
}
