//! Costs: the kinds of a session's cost lines, tools' billing, the spread
//! of a period cost over the sessions that used it, exact to the cent, the
//! split of a session's cost between the lines of a breakdown, and the one
//! rounding rule of a cost per participant (docs/decisions/0014).

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

/// A session's cost split between the groups of a breakdown it belongs to
/// (its themes, speakers, leads…), `groups` in the caller's stable order
/// (by id): equal shares, the extra cents to the first (`spread`), so the
/// shares add up to `cents` exactly. A session in no group keeps its whole
/// cost in the `None` share (the "without a theme" line), so every
/// breakdown's lines add up to the total.
pub fn split_among<K: Clone>(cents: i64, groups: &[K]) -> Vec<(Option<K>, i64)> {
    if groups.is_empty() {
        return vec![(None, cents)];
    }
    groups
        .iter()
        .cloned()
        .map(Some)
        .zip(spread(cents, groups.len()))
        .collect()
}

/// What each participant cost, in cents: `cost_cents ÷ participants`
/// rounded to the nearest cent, halves away from zero — what a spreadsheet's
/// ROUND (ARRONDI) does, so a coordinator checking the figure by hand finds
/// the same. None when nobody was counted. The one place a ratio of money is
/// rounded: the review, the statistics and the speakers' records show it.
pub fn per_participant_cents(cost_cents: i64, participants: i64) -> Option<i64> {
    if participants <= 0 {
        return None;
    }
    let (n, d) = (i128::from(cost_cents), i128::from(participants));
    let q = (2 * n.abs() + d) / (2 * d);
    let q = if n < 0 { -q } else { q };
    Some(i64::try_from(q).expect("a share is smaller than its total"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_cost_per_participant_rounds_halves_up_to_the_cent() {
        // 1 468,50 € for 100 people: 14,685 € → 14,69 €, never 14,68 €.
        assert_eq!(per_participant_cents(146_850, 100), Some(1_469));
        assert_eq!(per_participant_cents(146_849, 100), Some(1_468));
        assert_eq!(per_participant_cents(2_000, 3), Some(667));
        assert_eq!(per_participant_cents(1_000, 3), Some(333));
        assert_eq!(per_participant_cents(5, 2), Some(3));
        assert_eq!(per_participant_cents(-5, 2), Some(-3), "a refund mirrors");
        assert_eq!(per_participant_cents(0, 7), Some(0));
        assert_eq!(per_participant_cents(1_000, 0), None);
        assert_eq!(
            per_participant_cents(i64::MAX, 1),
            Some(i64::MAX),
            "no overflow"
        );
    }

    #[test]
    fn a_session_s_cost_is_split_between_its_groups() {
        assert_eq!(
            split_among(1_001, &["IA", "Images"]),
            vec![(Some("IA"), 501), (Some("Images"), 500)]
        );
        assert_eq!(split_among::<i64>(700, &[]), vec![(None, 700)]);
    }

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

    #[test]
    fn a_yearly_price_that_does_not_divide_by_twelve_adds_up_month_by_month() {
        // 1 000,00 € a year: 83,34 € for the first four months, 83,33 € after.
        let shares: Vec<i64> = (1..=12)
            .map(|m| Billing::Yearly.month_share(100_000, m))
            .collect();
        assert_eq!(shares[..4], [8_334; 4]);
        assert_eq!(shares[4..], [8_333; 8]);
        assert_eq!(shares.iter().sum::<i64>(), 100_000);
        // Out-of-range months never panic: the first and the last share.
        assert_eq!(Billing::Yearly.month_share(100_000, 0), 8_334);
        assert_eq!(Billing::Yearly.month_share(100_000, 13), 8_333);
        assert_eq!(Billing::Monthly.month_share(100_000, 13), 100_000);
    }

    #[test]
    fn every_kind_and_billing_reads_back_from_its_text() {
        let slugs: Vec<&str> = CostKind::ALL.iter().map(|k| k.slug()).collect();
        assert_eq!(
            slugs,
            ["fee", "travel", "materials", "printing", "rental", "other"]
        );
        for k in CostKind::ALL {
            assert_eq!(CostKind::parse(k.slug()), Some(k));
            assert_eq!(CostKind::parse(&format!(" {} ", k.slug())), Some(k));
        }
        for (b, slug) in [(Billing::Monthly, "monthly"), (Billing::Yearly, "yearly")] {
            assert_eq!(b.slug(), slug);
            assert_eq!(Billing::parse(slug), Some(b));
            assert_eq!(Billing::parse(&format!("{slug} ")), Some(b));
        }
        assert_eq!(Billing::parse("weekly"), None);
    }

    #[test]
    fn amounts_keep_their_cents_and_their_bound() {
        assert_eq!(parse_amount("amount", "0,01"), Ok(1));
        assert_eq!(parse_amount("amount", "99999,99"), Ok(9_999_999));
        assert_eq!(
            parse_amount("amount", "100000").unwrap_err().key,
            "error.price"
        );
        assert_eq!(parse_amount("cost", "").unwrap_err().field, Some("cost"));
    }

    #[test]
    fn a_split_gives_the_extra_cents_in_the_callers_order() {
        assert_eq!(
            split_among(1_000, &[3, 1, 2]),
            vec![(Some(3), 334), (Some(1), 333), (Some(2), 333)]
        );
        assert_eq!(
            split_among(-1, &["a", "b"]),
            vec![(Some("a"), 0), (Some("b"), -1)]
        );
        assert_eq!(spread(7, 1), vec![7]);
        assert_eq!(per_participant_cents(-146_850, 100), Some(-1_469));
        assert_eq!(per_participant_cents(1_000, -2), None);
        assert_eq!(per_participant_cents(1, 3), Some(0));
        assert_eq!(per_participant_cents(2, 3), Some(1));
    }

    proptest! {
        #[test]
        fn rounding_is_within_half_a_cent(cost in -10_000_000i64..10_000_000, people in 1i64..5_000) {
            let c = per_participant_cents(cost, people).unwrap();
            // |c − cost/people| ≤ 1/2, in integers.
            prop_assert!((2 * (c * people - cost)).abs() <= people);
        }

        #[test]
        fn splits_add_up(cents in -10_000_000i64..10_000_000, n in 0usize..12) {
            let groups: Vec<usize> = (0..n).collect();
            let s = split_among(cents, &groups);
            prop_assert_eq!(s.iter().map(|(_, c)| c).sum::<i64>(), cents);
            prop_assert_eq!(s.len(), n.max(1));
        }

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
