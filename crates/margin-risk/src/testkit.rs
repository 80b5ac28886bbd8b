//! Builders and proptest strategies shared by this crate's tests.

use crate::health::{HealthPosition, RiskWeights};
use crate::liquidation::LiquidationConfig;
use crate::price::{validate_price, OracleConfig, PythPrice};
use proptest::prelude::*;

/// The clock every test price is read at.
pub const NOW: i64 = 1_700_000_000;

/// A price of `dollars_e8`·10^-8 USD with confidence `conf_e8`·10^-8, EMA equal to spot, published at NOW.
pub fn pyth(dollars_e8: i64, conf_e8: u64) -> PythPrice {
    PythPrice {
        price: dollars_e8,
        conf: conf_e8,
        exponent: -8,
        publish_time: NOW,
        ema_price: dollars_e8,
        ema_conf: conf_e8,
    }
}

/// k_init 2, k_maint 1, open limit 2 %, liquidation limit 5 %, discount cap 10 %, max age 60 s.
pub fn oracle_config() -> OracleConfig {
    OracleConfig {
        max_age_seconds: 60,
        max_conf_open_bps: 200,
        max_conf_liquidation_bps: 500,
        conf_multiplier_init_bps: 20_000,
        conf_multiplier_maint_bps: 10_000,
        max_conf_discount_bps: 1_000,
    }
}

/// Asset 0.8 / 0.9, liability 1.2 / 1.1.
pub fn sol_weights() -> RiskWeights {
    RiskWeights {
        init_asset_bps: 8_000,
        maint_asset_bps: 9_000,
        init_liability_bps: 12_000,
        maint_liability_bps: 11_000,
        size: crate::size::SizeRule::OFF,
    }
}

/// Asset 0.95 / 0.98, liability 1.05 / 1.02.
pub fn usdc_weights() -> RiskWeights {
    RiskWeights {
        init_asset_bps: 9_500,
        maint_asset_bps: 9_800,
        init_liability_bps: 10_500,
        maint_liability_bps: 10_200,
        size: crate::size::SizeRule::OFF,
    }
}

/// Bonus 2 % to 8 %, insurance fee 1 %: valid for a maint asset weight up to 0.91.
pub fn liquidation_config() -> LiquidationConfig {
    LiquidationConfig { min_bonus_bps: 200, max_bonus_bps: 800, insurance_fee_bps: 100 }
}

/// A SOL position (9 decimals) at `price`.
pub fn sol(deposit: u64, borrow: u64, price: PythPrice) -> HealthPosition {
    HealthPosition {
        deposit_tokens: deposit,
        borrow_tokens: borrow,
        weights: sol_weights(),
        price: validate_price(&price, &oracle_config(), 9, NOW),
    }
}

/// A USDC position (6 decimals) at $1 with 0.01 % confidence.
pub fn usdc(deposit: u64, borrow: u64) -> HealthPosition {
    HealthPosition {
        deposit_tokens: deposit,
        borrow_tokens: borrow,
        weights: usdc_weights(),
        price: validate_price(&pyth(100_000_000, 10_000), &oracle_config(), 6, NOW),
    }
}

/// Valid weights: init stricter than maint; half of them with a size rule (a depth from $0 to $10^7, any
/// excess haircut), so every health property also runs across the depth.
pub fn weights_strategy() -> impl Strategy<Value = RiskWeights> {
    let size = prop_oneof![
        Just(crate::size::SizeRule::OFF),
        (0u64..10_000_000_000_000, 0u32..=10_000)
            .prop_map(|(depth_quote, excess_haircut_bps)| crate::size::SizeRule { depth_quote, excess_haircut_bps }),
    ];
    (0u32..=10_000, 0u32..=10_000, 10_000u32..=30_000, 10_000u32..=30_000, size).prop_map(|(a, b, c, d, size)| {
        RiskWeights {
            init_asset_bps: a.min(b),
            maint_asset_bps: a.max(b),
            init_liability_bps: c.max(d),
            maint_liability_bps: c.min(d),
            size,
        }
    })
}

/// Realistic Pyth prices: $0.0001 to $100k (exponent −8), conf up to 4 % of price, EMA within ±20 %.
pub fn pyth_strategy() -> impl Strategy<Value = PythPrice> {
    (10_000i64..10_000_000_000_000, 0u64..=400, 8_000i64..=12_000, 0u64..=400).prop_map(
        |(price, conf_bps, ema_pct, ema_conf_bps)| {
            let ema = price / 10_000 * ema_pct;
            PythPrice {
                price,
                conf: price as u64 * conf_bps / 10_000,
                exponent: -8,
                publish_time: NOW,
                ema_price: ema.max(1),
                ema_conf: ema.max(1) as u64 * ema_conf_bps / 10_000,
            }
        },
    )
}

/// A position of a random bank, with the raw Pyth price and decimals it was priced from: weights, price,
/// decimals 0–9, and a deposit or a debt of up to 10^13 native units.
pub fn priced_position_strategy() -> impl Strategy<Value = (HealthPosition, PythPrice, u8)> {
    (weights_strategy(), pyth_strategy(), 0u8..=9, 0u64..10_000_000_000_000, any::<bool>()).prop_map(
        |(weights, price, decimals, amount, is_deposit)| {
            let position = HealthPosition {
                deposit_tokens: if is_deposit { amount } else { 0 },
                borrow_tokens: if is_deposit { 0 } else { amount },
                weights,
                price: validate_price(&price, &oracle_config(), decimals, NOW),
            };
            (position, price, decimals)
        },
    )
}

/// A position of a random bank (see [`priced_position_strategy`]).
pub fn position_strategy() -> impl Strategy<Value = HealthPosition> {
    priced_position_strategy().prop_map(|(position, _, _)| position)
}
