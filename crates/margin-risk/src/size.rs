//! Size-aware Init weights (issue 26): a position larger than its bank's **liquidation depth** (the value,
//! at its Init price, a liquidation can sell into at the bonus; governance states it from the market's depth)
//! earns less Init credit, or costs more Init, for the part beyond it. Within the depth the bank's weights;
//! beyond it the asset weight × (1 − h) and the liability weight × (1 + h), h the bank's excess haircut.
//! Piecewise linear in the position, so Init stays monotone and max borrow / max withdraw stay exact
//! ([`crate::health::max_borrow`]). Maint and LiqEnd never move: the rule cannot make an account
//! liquidatable, only stop a whale from adding risk the market could not absorb in a liquidation.
use crate::error::{RiskError, RiskResult};
use crate::math::{mul_pow10_div, Rounding, BPS};

/// Largest excess haircut, bps: the part beyond the depth may earn no credit at all (asset weight 0) and
/// cost up to twice its liability weight.
pub const MAX_EXCESS_HAIRCUT_BPS: u32 = 10_000;

/// A bank's size rule. Zeroed (banks listed before it): off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SizeRule {
    /// The Init value of a position (quote units) a liquidation can sell into at the bonus.
    pub depth_quote: u64,
    /// The extra Init haircut of the part beyond the depth, bps (0: off).
    pub excess_haircut_bps: u32,
}

impl SizeRule {
    /// No size rule.
    pub const OFF: SizeRule = SizeRule { depth_quote: 0, excess_haircut_bps: 0 };

    /// The haircut at most [`MAX_EXCESS_HAIRCUT_BPS`].
    pub fn validate(&self) -> RiskResult<()> {
        if self.excess_haircut_bps > MAX_EXCESS_HAIRCUT_BPS {
            return Err(RiskError::InvalidRiskWeights);
        }
        Ok(())
    }

    /// Whether the rule changes anything.
    pub fn is_on(&self) -> bool {
        self.excess_haircut_bps > 0
    }

    /// Native units whose value at `price` (scaled by 10^`scale`) is within the depth: ⌊depth · 10^scale /
    /// price⌋ (rounded down: the tokens at the boundary count beyond it); u64::MAX when that is beyond u64 or
    /// the price is 0.
    pub fn depth_tokens(&self, price: u64, scale: u8) -> u64 {
        if price == 0 {
            return u64::MAX;
        }
        mul_pow10_div(self.depth_quote, u32::from(scale), price, Rounding::Down).unwrap_or(u64::MAX)
    }

    /// The asset weight of the part beyond the depth: ⌊weight · (1 − h)⌋.
    pub fn excess_asset_weight(&self, weight_bps: u32) -> u32 {
        let kept = BPS - u64::from(self.excess_haircut_bps.min(MAX_EXCESS_HAIRCUT_BPS));
        (u64::from(weight_bps) * kept / BPS) as u32
    }

    /// The liability weight of the part beyond the depth: ⌈weight · (1 + h)⌉.
    pub fn excess_liability_weight(&self, weight_bps: u32) -> u32 {
        let grown = BPS + u64::from(self.excess_haircut_bps.min(MAX_EXCESS_HAIRCUT_BPS));
        // weight ≤ 2^32 and grown ≤ 2·10^4: the product fits u64; the result ≤ 2 · u32::MAX is capped.
        (u64::from(weight_bps) * grown).div_ceil(BPS).min(u64::from(u32::MAX)) as u32
    }
}

/// `tokens` split at `depth_tokens`: (within the depth, beyond it).
pub fn split_at_depth(tokens: u64, depth_tokens: u64) -> (u64, u64) {
    let within = tokens.min(depth_tokens);
    (within, tokens - within)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn beyond_the_depth_assets_earn_less_and_debts_cost_more() {
        let rule = SizeRule { depth_quote: 2_000_000 * 1_000_000, excess_haircut_bps: 2_500 };
        assert_eq!(rule.excess_asset_weight(8_000), 6_000);
        assert_eq!(rule.excess_liability_weight(12_000), 15_000);
        assert_eq!(rule.excess_liability_weight(10_001), 12_502); // ⌈12,501.25⌉
                                                                  // SOL at $150 (0.15 quote units per lamport, 1.5·10^12 at scale 13): $2M is 13,333.33 SOL, rounded
                                                                  // down to the lamport.
        assert_eq!(rule.depth_tokens(1_500_000_000_000, 13), 13_333_333_333_333);
        assert_eq!(rule.depth_tokens(0, 13), u64::MAX);
        assert_eq!(SizeRule { depth_quote: u64::MAX, ..rule }.depth_tokens(1, 30), u64::MAX);
        assert_eq!(split_at_depth(10, 4), (4, 6));
        assert_eq!(split_at_depth(3, 4), (3, 0));
        assert!(!SizeRule::OFF.is_on());
        assert_eq!(SizeRule { excess_haircut_bps: 10_001, ..rule }.validate(), Err(RiskError::InvalidRiskWeights));
    }

    proptest! {
        /// The excess weights bound the base weight the right way for every haircut, and move monotonically
        /// with it.
        #[test]
        fn excess_weights_are_never_kinder(weight in 0u32..=100_000, haircut in 0u32..=10_000, more in 0u32..=10_000) {
            let rule = SizeRule { depth_quote: 1, excess_haircut_bps: haircut };
            let harsher = SizeRule { excess_haircut_bps: haircut.max(more), ..rule };
            prop_assert!(rule.excess_asset_weight(weight) <= weight);
            prop_assert!(rule.excess_liability_weight(weight) >= weight);
            prop_assert!(harsher.excess_asset_weight(weight) <= rule.excess_asset_weight(weight));
            prop_assert!(harsher.excess_liability_weight(weight) >= rule.excess_liability_weight(weight));
        }
    }
}
