//! Costs: the kinds of a session's cost lines, tools' billing, and the
//! spread of a period cost over the sessions that used it, exact to the cent.

use serde::{Deserialize, Serialize};

use crate::Problem;
use crate::programme::parse_price;

/// What a session's cost line pays for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CostKind {
    Fee,
    Travel,
    Materials,
    Printing,
    Rental,
    Other,
}

impl CostKind {
    pub const ALL: [CostKind; 6] = [
        CostKind::Fee,
        CostKind::Travel,
        CostKind::Materials,
        CostKind::Printing,
        CostKind::Rental,
        CostKind::Other,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            CostKind::Fee => "fee",
            CostKind::Travel => "travel",
            CostKind::Materials => "materials",
            CostKind::Printing => "printing",
            CostKind::Rental => "rental",
            CostKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<CostKind> {
        CostKind::ALL.into_iter().find(|k| k.slug() == s.trim())
    }
}

/// How often a tool is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Billing {
    Monthly,
    Yearly,
}

impl Billing {
    pub fn slug(self) -> &'static str {
        match self {
            Billing::Monthly => "monthly",
            Billing::Yearly => "yearly",
        }
    }

    pub fn parse(s: &str) -> Option<Billing> {
        [Billing::Monthly, Billing::Yearly]
            .into_iter()
            .find(|b| b.slug() == s.trim())
    }

    /// What a tool costs in `month` (1–12): a yearly price is spread over
    /// the twelve months so that a whole year adds up to it exactly.
    pub fn month_share(self, cents: i64, month: i8) -> i64 {
        match self {
            Billing::Monthly => cents,
            Billing::Yearly => spread(cents, 12)[usize::try_from(month - 1).unwrap_or(0).min(11)],
        }
    }
}

/// A required amount in euros ("12,50", "12.5 €") as cents, at most
/// 99 999,99 €; `field` names where the error is shown.
pub fn parse_amount(field: &'static str, s: &str) -> Result<i64, Problem> {
    if s.trim().is_empty() {
        return Err(Problem::field(field, "error.required"));
    }
    parse_price(s).map_err(|_| Problem::field(field, "error.price"))
}

/// `total` cents split into `n` shares by the largest-remainder method:
/// the shares sum to `total` exactly and differ by at most one cent; the
/// extra cents go to the first shares, so the same input always gives the
/// same split (callers order what they split, e.g. sessions by id).
/// A negative total (a refund) is split the same way, mirrored.
pub fn spread(total: i64, n: usize) -> Vec<i64> {
    if n == 0 {
        return Vec::new();
    }
    let n_i = i64::try_from(n).expect("share counts fit in i64");
    let (base, rest) = (total.div_euclid(n_i), total.rem_euclid(n_i));
    (0..n_i).map(|i| base + i64::from(i < rest)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_subscription_over_three_sessions() {
        assert_eq!(spread(2000, 3), vec![667, 667, 666]);
        assert_eq!(spread(1, 3), vec![1, 0, 0]);
        assert_eq!(spread(-100, 3), vec![-33, -33, -34]);
        assert_eq!(spread(500, 0), Vec::<i64>::new());
    }

    #[test]
    fn a_yearly_price_adds_up_over_the_year() {
        let year: i64 = (1..=12)
            .map(|m| Billing::Yearly.month_share(24_000, m))
            .sum();
        assert_eq!(year, 24_000);
        assert_eq!(Billing::Yearly.month_share(100, 1), 9);
        assert_eq!(Billing::Yearly.month_share(100, 12), 8);
        assert_eq!(Billing::Monthly.month_share(2_200, 7), 2_200);
    }

    #[test]
    fn amounts_are_required_and_in_euros() {
        assert_eq!(parse_amount("amount", "12,50 €"), Ok(1250));
        assert_eq!(
            parse_amount("amount", " ").unwrap_err().key,
            "error.required"
        );
        assert_eq!(
            parse_amount("amount", "douze").unwrap_err().field,
            Some("amount")
        );
        assert_eq!(CostKind::parse("travel"), Some(CostKind::Travel));
        assert_eq!(CostKind::parse("bribe"), None);
    }

    proptest! {
        #[test]
        fn the_spread_is_exact_even_and_stable(total in -10_000_000i64..10_000_000, n in 1usize..400) {
            let s = spread(total, n);
            prop_assert_eq!(s.len(), n);
            prop_assert_eq!(s.iter().sum::<i64>(), total);
            let (min, max) = (*s.iter().min().unwrap(), *s.iter().max().unwrap());
            prop_assert!(max - min <= 1);
            // The larger shares come first: the order is the caller's.
            prop_assert!(s.windows(2).all(|w| w[0] >= w[1]));
            prop_assert_eq!(s, spread(total, n));
        }
    }
}
