//! The review's words for numbers: counts, shares, money, ranges and days
//! in the reader's language, a handle on `almanach_domain::fmt`.

use crate::Tr;
use almanach_domain::Lang;
use almanach_domain::fmt::{self, day_with_year};
use jiff::civil::Date;

/// Numbers, shares and sums of money the way the reader's language writes
/// them: the review's handle on `almanach_domain::fmt`, where French
/// typography lives.
#[derive(Debug, Clone, Copy)]
pub struct Fmt {
    pub lang: Lang,
}

impl Fmt {
    pub fn num(self, v: f64, decimals: usize) -> String {
        fmt::number(v, decimals, self.lang)
    }

    pub fn int(self, v: i64) -> String {
        fmt::int(v, self.lang)
    }

    /// "12 %" / "12%".
    pub fn percent(self, share: f64) -> String {
        fmt::percent(share, self.lang)
    }

    /// An amount in cents, exact up to the page: "1 234,50 €" / "€1,234.50";
    /// whole sums from a hundred on without cents (`fmt::euros`).
    pub fn money(self, cents: i64) -> String {
        fmt::euros(cents as f64 / 100.0, self.lang)
    }

    /// "1 234,50 €" / "€1,234.50"; whole hundreds without cents.
    pub fn euros(self, v: f64) -> String {
        fmt::euros(v, self.lang)
    }

    /// "1 à 6" / "1 to 6".
    pub fn range(self, min: i64, max: i64) -> String {
        fmt::range(min, max, self.lang)
    }

    /// Before a colon: French puts a narrow no-break space there.
    pub fn colon(self) -> &'static str {
        match self.lang {
            Lang::Fr => "\u{202f}",
            Lang::En => "",
        }
    }

    pub(super) fn signed(self, delta: f64, decimals: usize) -> String {
        fmt::signed(delta, decimals, self.lang)
    }
}

/// "1 séance", "2 séances"; French keeps 0 singular.
pub(super) fn plural(tr: &Tr, f: Fmt, n: i64, one: &str, many: &str) -> String {
    let many_form = !almanach_domain::plural::is_one(n, tr.lang);
    format!(
        "{}\u{a0}{}",
        f.int(n),
        tr.t(if many_form { many } else { one })
    )
}

pub(super) fn day_text(d: &str, lang: Lang) -> String {
    d.parse::<Date>()
        .map(|d| day_with_year(d, lang))
        .unwrap_or_else(|_| d.to_string())
}
