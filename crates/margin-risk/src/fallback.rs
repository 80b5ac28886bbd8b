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
//! 2. **Primary unusable** (stale, future, refused) and the fallback valid: the fallback alone prices Maint,
//!    LiqEnd and Init, so liquidations keep up while Pyth's feed is down in a crash, but nothing may be opened
//!    on it (`usable_to_open` false): a fallback that lies while the primary is down can at worst liquidate at
//!    its price, never lend against it. Deposits, repays and liquidations need no `usable_to_open`;
//! 3. **Neither valid**: the primary's error.
//!
//! Prices of the two sources may carry different scales (each oracle price has 13 digits); both are brought
//! to the lower scale first (asset prices rounded down, liability prices up).
use crate::error::{RiskError, RiskResult};
use crate::math::{div_wide_by_pow10, pow10, product_at_most, wide_div, wide_mul, Rounding, BPS};
use crate::price::{OraclePrice, PriceCheck, PythPrice};

/// Largest divergence bound a bank may set, bps (50 %).
pub const MAX_DIVERGENCE_BPS: u32 = 5_000;

/// Decimal places of a Switchboard On-Demand result's value, standard deviation and range.
pub const SWITCHBOARD_DECIMALS: u32 = 18;

/// A Switchboard On-Demand i128 (18 decimals) as its two halves, `high · 2^64 + low` (margin-risk keeps to
/// 64-bit arithmetic, which SBF runs natively).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SwitchboardDecimal {
    /// The upper 64 bits, signed.
    pub high: i64,
    /// The lower 64 bits.
    pub low: u64,
}

impl SwitchboardDecimal {
    /// The value of 16 little-endian bytes, as Switchboard stores it.
    pub fn from_le_bytes(bytes: [u8; 16]) -> SwitchboardDecimal {
        let [l0, l1, l2, l3, l4, l5, l6, l7, h0, h1, h2, h3, h4, h5, h6, h7] = bytes;
        SwitchboardDecimal {
            high: i64::from_le_bytes([h0, h1, h2, h3, h4, h5, h6, h7]),
            low: u64::from_le_bytes([l0, l1, l2, l3, l4, l5, l6, l7]),
        }
    }

    /// The value's halves when it is ≥ 0.
    fn unsigned(&self) -> Option<(u64, u64)> {
        u64::try_from(self.high).ok().map(|high| (high, self.low))
    }
}

/// Significant digits a converted Switchboard price keeps at most: more than any oracle publishes, and few
/// enough that validating it costs what a Pyth price does.
pub const SWITCHBOARD_PRICE_DIGITS: u32 = 15;

/// The fewest last digits of `value` (a positive 128-bit number as halves) to drop so that at most
/// [`SWITCHBOARD_PRICE_DIGITS`] remain (≤ 18): compared against 10^(digits + dropped) by multiplication only.
fn digits_to_drop((high, low): (u64, u64)) -> RiskResult<u32> {
    let limit = pow10(SWITCHBOARD_PRICE_DIGITS)?;
    (0..=SWITCHBOARD_DECIMALS)
        .find(|dropped| pow10(*dropped).is_ok_and(|power| (high, low) < wide_mul(limit, power)))
        .ok_or(RiskError::ExponentOutOfRange)
}

/// A Switchboard On-Demand pull feed's result in Pyth's terms, for [`crate::price::validate_price`] like any
/// primary price:
/// - price: the median `value` (18 decimals) with the fewest last digits dropped that leave at most
///   [`SWITCHBOARD_PRICE_DIGITS`] (the exponent is −18 plus the digits dropped), rounded down;
/// - confidence: the larger of the submissions' standard deviation and half their range, at the same exponent,
///   rounded up, plus one unit when the price was rounded, so the interval still covers the median exactly;
/// - EMA: Switchboard keeps none, so the EMA fields are the spot's (the dynamic margin sees no move on the
///   fallback; it never opens anything alone, see [`choose_price`]).
///
/// Errors: [`RiskError::NonPositivePrice`] for a value ≤ 0 or a negative deviation or range;
/// [`RiskError::ExponentOutOfRange`] for a value of 10^15 dollars per whole token or more, or a confidence beyond u64.
pub fn switchboard_price(
    value: SwitchboardDecimal,
    std_dev: SwitchboardDecimal,
    range: SwitchboardDecimal,
    publish_time: i64,
) -> RiskResult<PythPrice> {
    let (Some(value), Some(std_dev), Some(range)) = (value.unsigned(), std_dev.unsigned(), range.unsigned()) else {
        return Err(RiskError::NonPositivePrice);
    };
    if value == (0, 0) {
        return Err(RiskError::NonPositivePrice);
    }
    let dropped = digits_to_drop(value)?;
    let divisor = pow10(dropped)?;
    // The quotient fits u64 when high < divisor; the search above made the price's fit i64.
    let (price, remainder) = wide_div(value.0, value.1, divisor)?;
    let rounded_up = |(high, low): (u64, u64)| -> RiskResult<u64> {
        let (quotient, remainder) = wide_div(high, low, divisor).map_err(|_| RiskError::ExponentOutOfRange)?;
        Ok(quotient + u64::from(remainder != 0))
    };
    // ⌈⌈range / 10^d⌉ / 2⌉ = ⌈range / (2 · 10^d)⌉.
    let (deviation, half_range) = (rounded_up(std_dev)?, rounded_up(range)?.div_ceil(2));
    let conf = deviation.max(half_range).checked_add(u64::from(remainder != 0)).ok_or(RiskError::ExponentOutOfRange)?;
    let price = i64::try_from(price).map_err(|_| RiskError::ExponentOutOfRange)?;
    let exponent = dropped as i32 - SWITCHBOARD_DECIMALS as i32;
    Ok(PythPrice { price, conf, exponent, publish_time, ema_price: price, ema_conf: conf })
}

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
        (Err(_), Some(fallback)) => return Ok(OraclePrice { usable_to_open: false, ..fallback }),
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
    use crate::price::validate_price;
    use crate::testkit::{oracle_config, pyth, NOW};
    use proptest::prelude::*;

    fn priced(price_e8: i64, conf_e8: u64) -> OraclePrice {
        validate_price(&pyth(price_e8, conf_e8), &oracle_config(), 9, NOW).unwrap()
    }

    #[test]
    fn a_stale_primary_hands_over_to_the_fallback_for_liquidations_only() {
        let fallback = priced(149_00000000, 10_000_000);
        assert!(fallback.usable_to_open);
        assert_eq!(
            choose_price(&Err(RiskError::StalePrice), Some(&Ok(fallback)), 200),
            Ok(OraclePrice { usable_to_open: false, ..fallback })
        );
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

    fn wide(value: i128) -> SwitchboardDecimal {
        SwitchboardDecimal::from_le_bytes(value.to_le_bytes())
    }

    fn switchboard(value: i128, std_dev: i128, range: i128) -> RiskResult<PythPrice> {
        switchboard_price(wide(value), wide(std_dev), wide(range), 7)
    }

    #[test]
    fn a_switchboard_result_keeps_every_digit_an_i64_holds_and_widens_its_interval_over_the_rounding() {
        assert_eq!(wide(-2), SwitchboardDecimal { high: -1, low: u64::MAX - 1 });
        assert_eq!(wide(1 << 64 | 5), SwitchboardDecimal { high: 1, low: 5 });
        // SOL at $72.821400000000000001, deviation 0.01, range 0.05 (18 decimals): 15 digits kept.
        let sol = switchboard(72_821_400_000_000_000_001, 10_000_000_000_000_000, 50_000_000_000_000_000).unwrap();
        assert_eq!((sol.price, sol.exponent), (728_214_000_000_000, -13));
        // Half the range (0.025) beats the deviation; one unit more for the dropped digits.
        assert_eq!(sol.conf, 250_000_000_001);
        assert_eq!((sol.ema_price, sol.ema_conf, sol.publish_time), (sol.price, sol.conf, 7));
        // Exact after the drop: nothing added. A price of 15 digits or fewer keeps exponent −18.
        let usdc = switchboard(999_900_000_000_000_000, 300_000_000_000_000, 0).unwrap();
        assert_eq!((usdc.price, usdc.conf, usdc.exponent), (999_900_000_000_000, 300_000_000_000, -15));
        let bonk = switchboard(34_552_600_000_000, 51_700_000_000, 0).unwrap();
        assert_eq!((bonk.price, bonk.conf, bonk.exponent), (34_552_600_000_000, 51_700_000_000, -18));
        assert_eq!(switchboard(0, 0, 0), Err(RiskError::NonPositivePrice));
        assert_eq!(switchboard(-5, 0, 0), Err(RiskError::NonPositivePrice));
        assert_eq!(switchboard(5, -1, 0), Err(RiskError::NonPositivePrice));
        assert_eq!(switchboard(5, 0, -1), Err(RiskError::NonPositivePrice));
        assert_eq!(switchboard(i128::MAX, 0, 0), Err(RiskError::ExponentOutOfRange));
        assert_eq!(switchboard(5, i128::MAX, 0), Err(RiskError::ExponentOutOfRange));
    }

    proptest! {
        /// The converted interval [price − conf, price + conf] · 10^exponent always holds the exact
        /// [value − spread, value + spread] · 10^-18, the price loses less than one unit, keeps at most 15
        /// digits and drops no digit it could keep.
        #[test]
        fn a_switchboard_interval_covers_the_exact_one(
            value in prop_oneof![1i128..10i128.pow(22), 1i128..=i128::MAX],
            std_dev in prop_oneof![0i128..10i128.pow(20), 0i128..=i128::MAX],
            range in prop_oneof![0i128..10i128.pow(20), 0i128..=i128::MAX],
        ) {
            // The reference: drop the fewest digits that leave at most 15, then bound the interval.
            let dropped = (0..=18u32).find(|d| value < 10i128.pow(SWITCHBOARD_PRICE_DIGITS + d));
            let spread = std_dev.max(range / 2 + range % 2);
            let conf = dropped.map(|d| {
                let scale = 10i128.pow(d);
                spread / scale + i128::from(spread % scale != 0) + i128::from(value % scale != 0)
            });
            match (switchboard(value, std_dev, range), dropped, conf) {
                (Ok(price), Some(dropped), Some(conf)) => {
                    let scale = 10i128.pow(dropped);
                    prop_assert_eq!(price.exponent, dropped as i32 - SWITCHBOARD_DECIMALS as i32);
                    prop_assert_eq!(i128::from(price.price), value / scale);
                    prop_assert_eq!(i128::from(price.conf), conf);
                    let (low, high) = ((i128::from(price.price) - conf) * scale, (i128::from(price.price) + conf) * scale);
                    prop_assert!(low <= value - spread && value + spread <= high);
                }
                (Err(RiskError::ExponentOutOfRange), None, _) => {}
                (Err(RiskError::ExponentOutOfRange), Some(_), Some(conf)) => prop_assert!(conf > i128::from(u64::MAX)),
                (result, dropped, conf) => prop_assert!(false, "{:?} {:?} {:?}", result, dropped, conf),
            }
        }
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
