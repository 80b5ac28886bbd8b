//! Oracle diversification (issue 25): how a bank's price is chosen from its primary source (Pyth) and a
//! fallback with a different publisher set, each already validated into an [`OraclePrice`] by its own
//! reader (staleness, confidence). The rule, in order:
//!
//! 1. **Primary valid**: Maint and LiqEnd prices are the primary's, whatever the fallback says, so a lying or
//!    lagging fallback can never make an account liquidatable nor a liquidation larger. Init takes the more
//!    conservative of the two when the fallback is valid (asset prices the lower, liability prices the higher):
//!    - the two oracle prices further apart than `max_divergence_bps` of the lower: nothing may be opened
//!      (`usable_to_open` false): one of them is wrong and new risk waits;
//!    - within the bound, a primary too uncertain to open may open when the fallback may (it confirms it);
//! 2. **Primary unusable** (stale, future, refused) and the fallback valid: the fallback alone, for every health
//!    type, so liquidations keep up while Pyth's feed is down in a crash. This trusts the fallback as much as the
//!    protocol trusts Pyth alone, and only while Pyth cannot be used;
//! 3. **Neither valid**: the primary's error.
//!
//! Prices of the two sources may carry different scales (each oracle price has 13 digits); both are brought
//! to the lower scale first (asset prices rounded down, liability prices up).
use crate::error::{RiskError, RiskResult};
use crate::math::{div_wide_by_pow10, product_at_most, Rounding, BPS};
use crate::price::{OraclePrice, PriceCheck};

/// Largest divergence bound a bank may set, bps (50 %).
pub const MAX_DIVERGENCE_BPS: u32 = 5_000;

/// `price` at `scale` (≤ its own): every price divided by 10^(difference), asset and oracle prices rounded
/// down, liability prices and the rounded-up oracle price rounded up.
pub fn rescaled(price: &OraclePrice, scale: u8) -> RiskResult<OraclePrice> {
    let Some(shift) = price.scale.checked_sub(scale) else {
        return Err(RiskError::MathOverflow);
    };
    if shift == 0 {
        return Ok(*price);
    }
    let down = |value: u64, rounding| div_wide_by_pow10(0, value, u32::from(shift), rounding);
    Ok(OraclePrice {
        oracle: down(price.oracle, Rounding::Down)?,
        oracle_up: down(price.oracle_up, Rounding::Up)?,
        init_asset: down(price.init_asset, Rounding::Down)?,
        init_liability: down(price.init_liability, Rounding::Up)?,
        maint_asset: down(price.maint_asset, Rounding::Down)?,
        maint_liability: down(price.maint_liability, Rounding::Up)?,
        usable_to_open: price.usable_to_open,
        scale,
    })
}

/// Whether two oracle prices (same scale) are within `bound_bps` of the lower one: |a − b| · 10^4 ≤ bound · min.
pub fn within_divergence(a: u64, b: u64, bound_bps: u32) -> bool {
    product_at_most(a.abs_diff(b), BPS, a.min(b), u64::from(bound_bps))
}

/// The price a bank uses (see the module's doc).
///
/// Errors: the primary's own error when neither source is valid; [`RiskError::InvalidOracleConfig`] for a
/// bound above [`MAX_DIVERGENCE_BPS`].
pub fn choose_price(primary: &PriceCheck, fallback: Option<&PriceCheck>, max_divergence_bps: u32) -> PriceCheck {
    if max_divergence_bps > MAX_DIVERGENCE_BPS {
        return Err(RiskError::InvalidOracleConfig);
    }
    let fallback = match fallback {
        Some(Ok(price)) => Some(*price),
        _ => None,
    };
    let primary = match (primary, fallback) {
        (Ok(primary), _) => *primary,
        (Err(_), Some(fallback)) => return Ok(fallback),
        (Err(error), None) => return Err(*error),
    };
    let Some(fallback) = fallback else {
        return Ok(primary);
    };
    // Whatever the fallback holds, a valid primary is never refused: a combination that cannot be computed
    // counts as a disagreement (no new risk), so no fallback can block a liquidation.
    Ok(combined(&primary, &fallback, max_divergence_bps).unwrap_or(OraclePrice { usable_to_open: false, ..primary }))
}

/// Rule 1 of the module's doc: the primary with Init the more conservative of the two.
fn combined(primary: &OraclePrice, fallback: &OraclePrice, max_divergence_bps: u32) -> RiskResult<OraclePrice> {
    let (primary, fallback) = (*primary, *fallback);
    let scale = primary.scale.min(fallback.scale);
    let (first, second) = (rescaled(&primary, scale)?, rescaled(&fallback, scale)?);
    let agree = within_divergence(first.oracle, second.oracle, max_divergence_bps);
    // Init only: the more conservative of the two, at the primary's scale when they share it.
    let conservative = OraclePrice {
        init_asset: first.init_asset.min(second.init_asset),
        init_liability: first.init_liability.max(second.init_liability),
        usable_to_open: agree && (first.usable_to_open || second.usable_to_open),
        ..first
    };
    if scale == primary.scale {
        Ok(conservative)
    } else {
        // The primary's Maint prices at its own scale; its Init prices may only go the conservative way.
        let init_asset = primary.init_asset.min(scaled_up(conservative.init_asset, primary.scale - scale)?);
        let init_liability = primary.init_liability.max(scaled_up(conservative.init_liability, primary.scale - scale)?);
        Ok(OraclePrice { init_asset, init_liability, usable_to_open: conservative.usable_to_open, ..primary })
    }
}

/// `value · 10^shift`, or u64::MAX beyond u64 (only ever compared with min/max against the primary's own price).
fn scaled_up(value: u64, shift: u8) -> RiskResult<u64> {
    let factor = crate::math::pow10(u32::from(shift))?;
    Ok(crate::math::checked_mul(value, factor).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::price::{validate_price, PythPrice};
    use crate::testkit::{oracle_config, pyth, NOW};
    use proptest::prelude::*;

    fn priced(price_e8: i64, conf_e8: u64) -> OraclePrice {
        validate_price(&pyth(price_e8, conf_e8), &oracle_config(), 9, NOW).unwrap()
    }

    #[test]
    fn a_stale_primary_hands_over_to_the_fallback_and_neither_is_an_error() {
        let fallback = priced(149_00000000, 10_000_000);
        assert_eq!(choose_price(&Err(RiskError::StalePrice), Some(&Ok(fallback)), 200), Ok(fallback));
        assert_eq!(
            choose_price(&Err(RiskError::StalePrice), Some(&Err(RiskError::StalePrice)), 200),
            Err(RiskError::StalePrice)
        );
        assert_eq!(choose_price(&Err(RiskError::FuturePrice), None, 200), Err(RiskError::FuturePrice));
        assert_eq!(choose_price(&Ok(fallback), None, 5_001), Err(RiskError::InvalidOracleConfig));
    }

    #[test]
    fn a_lying_fallback_blocks_new_risk_and_moves_nothing_else() {
        let primary = priced(150_00000000, 15_000_000);
        let liar = priced(100_00000000, 1_000_000);
        let chosen = choose_price(&Ok(primary), Some(&Ok(liar)), 200).unwrap();
        assert!(!chosen.usable_to_open);
        assert_eq!(
            (chosen.maint_asset, chosen.maint_liability, chosen.oracle),
            (primary.maint_asset, primary.maint_liability, primary.oracle)
        );
        assert_eq!(chosen.init_asset, liar.init_asset.min(primary.init_asset));
        // Within 2 %: the primary, still usable, its Init prices at most as generous as before.
        let honest = priced(149_00000000, 15_000_000);
        let agreed = choose_price(&Ok(primary), Some(&Ok(honest)), 200).unwrap();
        assert!(agreed.usable_to_open);
        assert!(agreed.init_asset <= primary.init_asset && agreed.init_liability >= primary.init_liability);
    }

    #[test]
    fn a_fallback_confirms_a_primary_too_wide_to_open() {
        // Conf 3 % of the price: above the 2 % open limit, valid for liquidation.
        let wide = priced(150_00000000, 4_50000000);
        assert!(!wide.usable_to_open);
        let confirming = priced(150_50000000, 15_000_000);
        let chosen = choose_price(&Ok(wide), Some(&Ok(confirming)), 200).unwrap();
        assert!(chosen.usable_to_open);
        assert_eq!(chosen.init_asset, wide.init_asset.min(confirming.init_asset));
    }

    #[test]
    fn prices_at_different_scales_are_compared_at_the_lower_one() {
        let primary = priced(150_00000000, 15_000_000); // scale 13 for 9 decimals
        let cheap = validate_price(&pyth(99_00000000, 1_000_000), &oracle_config(), 9, NOW).unwrap();
        assert_ne!(primary.scale, cheap.scale);
        let lowered = rescaled(&primary, primary.scale - 1).unwrap();
        assert_eq!(lowered.oracle, primary.oracle / 10);
        assert_eq!(lowered.init_liability, primary.init_liability.div_ceil(10));
        assert_eq!(rescaled(&primary, primary.scale + 1), Err(RiskError::MathOverflow));
        let chosen = choose_price(&Ok(primary), Some(&Ok(cheap)), 5_000).unwrap();
        assert_eq!(chosen.scale, primary.scale);
        assert!(chosen.init_asset <= primary.init_asset);
    }

    #[test]
    fn a_fallback_that_cannot_be_combined_counts_as_a_disagreement_never_as_an_error() {
        // Scales 35 apart (a token of 10^-18 dollars per native unit against one of 10^6): 10^35 fits no u64.
        let primary = OraclePrice { scale: 40, ..priced(150_00000000, 15_000_000) };
        let far = OraclePrice { scale: 5, ..priced(150_00000000, 15_000_000) };
        assert!(combined(&primary, &far, 5_000).is_err());
        let chosen = choose_price(&Ok(primary), Some(&Ok(far)), 5_000).unwrap();
        assert_eq!(chosen, OraclePrice { usable_to_open: false, ..primary });
    }

    /// Prices from $0.00000001 to $10^10 (any scale a listing allows and more), confidence up to 3 %.
    fn pyth_strategy() -> impl Strategy<Value = PythPrice> {
        (1i64..1_000_000_000_000_000_000, 0u64..=300)
            .prop_map(|(price, conf_bps)| pyth(price, price as u64 / 10_000 * conf_bps))
    }

    proptest! {
        /// With a valid primary, no fallback (honest, lying or lagging) moves Maint or LiqEnd prices or makes
        /// Init more generous; a fallback beyond the bound always stops new risk.
        #[test]
        fn no_fallback_moves_liquidations_or_loosens_init(primary in pyth_strategy(), fallback in pyth_strategy(), bound in 0u32..=MAX_DIVERGENCE_BPS, decimals in 0u8..=18) {
            let first = validate_price(&primary, &oracle_config(), decimals, NOW);
            let second = validate_price(&fallback, &oracle_config(), decimals, NOW);
            if let Ok(first_price) = first {
                let chosen = choose_price(&first, Some(&second), bound).unwrap();
                prop_assert_eq!((chosen.maint_asset, chosen.maint_liability, chosen.oracle, chosen.oracle_up, chosen.scale),
                    (first_price.maint_asset, first_price.maint_liability, first_price.oracle, first_price.oracle_up, first_price.scale));
                prop_assert!(chosen.init_asset <= first_price.init_asset);
                prop_assert!(chosen.init_liability >= first_price.init_liability);
                if let Ok(second_price) = second {
                    let scale = first_price.scale.min(second_price.scale);
                    if let (Ok(a), Ok(b)) = (rescaled(&first_price, scale), rescaled(&second_price, scale)) {
                        if !within_divergence(a.oracle, b.oracle, bound) {
                            prop_assert!(!chosen.usable_to_open);
                        }
                    }
                } else {
                    prop_assert_eq!(chosen, first_price);
                }
            }
        }
    }
}
