//! Dynamic Init margin: Init haircuts that grow while the market moves, from the oracle's own signals only
//! (issue 25). Two signals, both in bps and read from the same `PriceUpdateV2`:
//! - **divergence**: how far the spot price is from its EMA, |p − ema| / ema (a fast move leaves the EMA behind);
//! - **confidence expansion**: how much wider the spot confidence is than its EMA, conf/p − ema_conf/ema (0 when
//!   narrower): publishers disagree more than they usually do.
//!
//! extra = min(max_extra, ⌈k_divergence · divergence⌉ + ⌈k_expansion · expansion⌉), bps of the price, and then
//! Init asset price × (1 − extra) (rounded down), Init liability price × (1 + extra) (rounded up).
//!
//! Maint and LiqEnd prices are never touched: the rule cannot make an account liquidatable, and a liquidation
//! stops where it did without it. It only makes new risk (borrow, withdraw) cost more while the market moves,
//! which is when the next move is most likely large (docs/RISK.md: falls cluster after a trigger). Every
//! multiplier at 0 (a bank's stored default) switches it off.
use crate::error::{RiskError, RiskResult};
use crate::math::{add, mul_div, Rounding, BPS};
use crate::price::{OraclePrice, PythPrice};

/// Largest multiplier of either signal, bps (10×).
pub const MAX_DYNAMIC_MULTIPLIER_BPS: u32 = 100_000;
/// Largest extra Init haircut, bps (50 %).
pub const MAX_DYNAMIC_EXTRA_BPS: u32 = 5_000;

/// A bank's dynamic Init margin settings, bps. All 0: off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DynamicMargin {
    /// Extra haircut per bp of spot–EMA divergence, bps (10_000 = 1 bp per bp).
    pub divergence_multiplier_bps: u32,
    /// Extra haircut per bp of confidence expansion, bps.
    pub expansion_multiplier_bps: u32,
    /// Cap of the extra haircut, bps of the price.
    pub max_extra_bps: u32,
}

impl DynamicMargin {
    /// The rule switched off.
    pub const OFF: DynamicMargin =
        DynamicMargin { divergence_multiplier_bps: 0, expansion_multiplier_bps: 0, max_extra_bps: 0 };

    /// Multipliers ≤ [`MAX_DYNAMIC_MULTIPLIER_BPS`], cap ≤ [`MAX_DYNAMIC_EXTRA_BPS`].
    pub fn validate(&self) -> RiskResult<()> {
        let valid = self.divergence_multiplier_bps <= MAX_DYNAMIC_MULTIPLIER_BPS
            && self.expansion_multiplier_bps <= MAX_DYNAMIC_MULTIPLIER_BPS
            && self.max_extra_bps <= MAX_DYNAMIC_EXTRA_BPS;
        if valid {
            Ok(())
        } else {
            Err(RiskError::InvalidOracleConfig)
        }
    }
}

/// |p − ema| / ema in bps, rounded up. Prices must be positive (as [`crate::price::validate_price`] requires).
pub fn divergence_bps(pyth: &PythPrice) -> RiskResult<u64> {
    if pyth.price <= 0 || pyth.ema_price <= 0 {
        return Err(RiskError::NonPositivePrice);
    }
    let (price, ema) = (pyth.price.unsigned_abs(), pyth.ema_price.unsigned_abs());
    mul_div(price.abs_diff(ema), BPS, ema, Rounding::Up)
}

/// max(0, conf/p − ema_conf/ema) in bps: the spot ratio rounded up less the EMA ratio rounded down.
pub fn conf_expansion_bps(pyth: &PythPrice) -> RiskResult<u64> {
    if pyth.price <= 0 || pyth.ema_price <= 0 {
        return Err(RiskError::NonPositivePrice);
    }
    let spot = mul_div(pyth.conf, BPS, pyth.price.unsigned_abs(), Rounding::Up)?;
    let usual = mul_div(pyth.ema_conf, BPS, pyth.ema_price.unsigned_abs(), Rounding::Down)?;
    Ok(spot.saturating_sub(usual))
}

/// The extra Init haircut the market's motion asks for now, bps of the price (see the module's doc), at most
/// `dynamic.max_extra_bps`; 0 when the rule is off.
pub fn dynamic_extra_bps(pyth: &PythPrice, dynamic: &DynamicMargin) -> RiskResult<u64> {
    if dynamic.max_extra_bps == 0 {
        return Ok(0);
    }
    let cap = u64::from(dynamic.max_extra_bps);
    // Each term is capped before the sum, so neither product can overflow past what matters.
    let term = |signal: u64, multiplier: u32| -> RiskResult<u64> {
        Ok(mul_div(signal.min(BPS), u64::from(multiplier), BPS, Rounding::Up)?.min(cap))
    };
    let divergence = term(divergence_bps(pyth)?, dynamic.divergence_multiplier_bps)?;
    let expansion = term(conf_expansion_bps(pyth)?, dynamic.expansion_multiplier_bps)?;
    Ok(add(divergence, expansion)?.min(cap))
}

/// `price` with its Init prices moved out by `extra_bps` (≤ 100 %): the Init asset price down (rounded down),
/// the Init liability price up (rounded up; beyond u64 it stays at u64::MAX and the price is not usable to
/// open). Maint prices, the oracle price and the scale are unchanged.
pub fn with_dynamic_init(price: &OraclePrice, extra_bps: u64) -> RiskResult<OraclePrice> {
    if extra_bps == 0 {
        return Ok(*price);
    }
    if extra_bps > BPS {
        return Err(RiskError::InvalidOracleConfig);
    }
    let init_asset = mul_div(price.init_asset, BPS - extra_bps, BPS, Rounding::Down)?;
    let (init_liability, usable_to_open) = match mul_div(price.init_liability, BPS + extra_bps, BPS, Rounding::Up) {
        Ok(liability) => (liability, price.usable_to_open),
        Err(RiskError::MathOverflow) => (u64::MAX, false),
        Err(error) => return Err(error),
    };
    Ok(OraclePrice { init_asset, init_liability, usable_to_open, ..*price })
}

/// [`with_dynamic_init`] at the extra `pyth` asks for under `dynamic`: what a bank's price check applies after
/// [`crate::price::validate_price`].
pub fn apply_dynamic_margin(price: &OraclePrice, pyth: &PythPrice, dynamic: &DynamicMargin) -> RiskResult<OraclePrice> {
    with_dynamic_init(price, dynamic_extra_bps(pyth, dynamic)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::{compute_health, HealthPosition, HealthType};
    use crate::price::validate_price;
    use crate::testkit::{oracle_config, priced_position_strategy, pyth, NOW};
    use proptest::prelude::*;
    use std::vec::Vec;

    /// 1 bp of haircut per bp of divergence, 2 per bp of expansion, at most 10 %.
    const RULE: DynamicMargin =
        DynamicMargin { divergence_multiplier_bps: 10_000, expansion_multiplier_bps: 20_000, max_extra_bps: 1_000 };

    #[test]
    fn a_fall_away_from_the_ema_with_wider_confidence_widens_init_only() {
        // SOL at $135 with the EMA still at $150 (divergence 1,000 bps), conf 0.3 % vs an EMA conf of 0.1 %.
        let moving = PythPrice { ema_price: 150_00000000, ema_conf: 15_000_000, ..pyth(135_00000000, 40_500_000) };
        assert_eq!(divergence_bps(&moving), Ok(1_000));
        assert_eq!(conf_expansion_bps(&moving), Ok(20)); // 30 bps against 10
                                                         // 1,000 + 40 = 1,040, capped at 1,000.
        assert_eq!(dynamic_extra_bps(&moving, &RULE), Ok(1_000));
        let calm = pyth(150_00000000, 15_000_000);
        assert_eq!(dynamic_extra_bps(&calm, &RULE), Ok(0));
        // $1.50 below an EMA of $151.50: 99.01 bps, rounded up to 100; the same conf on a lower price is 10 bps
        // against 9.9 (rounded down to 9): 1 bp of expansion, × 2.
        let mild = PythPrice { ema_price: 151_50000000, ..calm };
        assert_eq!(dynamic_extra_bps(&mild, &RULE), Ok(102));
        assert_eq!(dynamic_extra_bps(&moving, &DynamicMargin::OFF), Ok(0));

        let price = validate_price(&mild, &oracle_config(), 9, NOW).unwrap();
        let dynamic = apply_dynamic_margin(&price, &mild, &RULE).unwrap();
        assert_eq!(dynamic.init_asset, mul_div(price.init_asset, 9_898, 10_000, Rounding::Down).unwrap());
        assert_eq!(dynamic.init_liability, mul_div(price.init_liability, 10_102, 10_000, Rounding::Up).unwrap());
        assert_eq!(
            (dynamic.maint_asset, dynamic.maint_liability, dynamic.oracle),
            (price.maint_asset, price.maint_liability, price.oracle)
        );
    }

    #[test]
    fn bounds_are_named() {
        assert_eq!(RULE.validate(), Ok(()));
        let too_much = DynamicMargin { max_extra_bps: MAX_DYNAMIC_EXTRA_BPS + 1, ..RULE };
        assert_eq!(too_much.validate(), Err(RiskError::InvalidOracleConfig));
        let too_steep = DynamicMargin { expansion_multiplier_bps: MAX_DYNAMIC_MULTIPLIER_BPS + 1, ..RULE };
        assert_eq!(too_steep.validate(), Err(RiskError::InvalidOracleConfig));
        assert_eq!(divergence_bps(&pyth(0, 1)), Err(RiskError::NonPositivePrice));
        let price = validate_price(&pyth(150_00000000, 15_000_000), &oracle_config(), 9, NOW).unwrap();
        assert_eq!(with_dynamic_init(&price, 10_001), Err(RiskError::InvalidOracleConfig));
        let unusable = OraclePrice { init_liability: u64::MAX - 1, ..price };
        let widened = with_dynamic_init(&unusable, 1).unwrap();
        assert_eq!((widened.init_liability, widened.usable_to_open), (u64::MAX, false));
    }

    fn rule_strategy() -> impl Strategy<Value = DynamicMargin> {
        (0u32..=MAX_DYNAMIC_MULTIPLIER_BPS, 0u32..=MAX_DYNAMIC_MULTIPLIER_BPS, 0u32..=MAX_DYNAMIC_EXTRA_BPS).prop_map(
            |(divergence_multiplier_bps, expansion_multiplier_bps, max_extra_bps)| DynamicMargin {
                divergence_multiplier_bps,
                expansion_multiplier_bps,
                max_extra_bps,
            },
        )
    }

    proptest! {
        /// Maint and LiqEnd never move (the rule makes no account liquidatable and no liquidation larger);
        /// Init never rises; the extra stays within its cap.
        #[test]
        fn only_init_moves_and_only_down(
            priced in proptest::collection::vec(priced_position_strategy(), 1..=8),
            rule in rule_strategy(),
        ) {
            let mut dynamic = Vec::new();
            for (position, raw, _) in &priced {
                let price = position.price.map(|price| apply_dynamic_margin(&price, raw, &rule).unwrap());
                prop_assert!(dynamic_extra_bps(raw, &rule).unwrap() <= u64::from(rule.max_extra_bps));
                dynamic.push(HealthPosition { price, ..*position });
            }
            let plain: Vec<HealthPosition> = priced.iter().map(|(position, _, _)| *position).collect();
            for health_type in [HealthType::LiqEnd, HealthType::Maint] {
                prop_assert_eq!(compute_health(&plain, health_type), compute_health(&dynamic, health_type));
            }
            if let (Ok(before), Ok(after)) = (compute_health(&plain, HealthType::Init), compute_health(&dynamic, HealthType::Init)) {
                prop_assert!(after.assets <= before.assets && after.liabilities >= before.liabilities);
            }
        }

        /// A wider move asks for at least as much: the extra is monotone in the divergence.
        #[test]
        fn a_larger_divergence_never_asks_for_less(
            price in 1_000_000i64..10_000_000_000_000, away_bps in 0i64..=5_000, more_bps in 0i64..=5_000, rule in rule_strategy(),
        ) {
            let at = |bps: i64| PythPrice { ema_price: price + price / 10_000 * bps, ..pyth(price, price as u64 / 1_000) };
            let (near, far) = (at(away_bps), at(away_bps + more_bps));
            prop_assert!(dynamic_extra_bps(&near, &rule).unwrap() <= dynamic_extra_bps(&far, &rule).unwrap());
        }
    }
}
