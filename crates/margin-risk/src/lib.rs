//! # margin-risk
//!
//! The pure risk engine of Margin: every number the protocol decides. The on-chain program, the client
//! SDK, the liquidator bot, the simulator and the compute-unit bench all call this crate, so their health
//! is the program's, to the quote unit.
//!
//! - [`math`]: checked u64 fixed point, the one wide `mul_div` on u64 limbs, explicit rounding.
//! - [`price`]: a Pyth price to validated conservative prices per health type (confidence-scaled haircuts).
//! - [`health`]: Init, LiqEnd and Maint health of an account; max borrow and max withdraw; liquidation price.
//! - [`fallback`]: choosing between a bank's primary price and a fallback source (rule only; not wired yet).
//! - [`dynamic`]: dynamic Init margin, Init haircuts that grow while spot leaves its EMA or the confidence widens.
//! - [`portfolio`]: correlation groups (SPAN-lite): a group's positions charged for their worst joint scenario.
//! - [`portfolio_liquidation`]: the liquidation plan by the group rule.
//! - [`liquidation`]: eligibility, bonus, repay to the LiqEnd target, seized collateral, insurance fee, dust.
//! - [`interest`]: the rate curve, index accrual, share ↔ token conversion, utilization and caps.
//! - [`accounting`]: share bookings of deposit, withdraw, borrow, repay and liquidation, position and bank in pairs.
//! - [`bankruptcy`]: insurance first, then socialised loss through the deposit index.
//! - [`governance`]: risk-reducing vs risk-increasing changes, step bounds, the timelock, the bounded pause.
//!
//! Units: token amounts in native units (u64); values in quote units (10^-6 USD, u64); prices in quote
//! units per native unit scaled by 10^scale, a scale chosen per price (see [`price`]); weights, limits and rates in basis points.
//!
//! `no_std`, no floats, no 128-bit arithmetic, no function of more than 5 arguments: it also builds for SBF
//! with upstream LLVM (see tests/bench).
//!
//! ## Worked example
//! 10 SOL at $150 with a confidence of $1.50, k_init = 2, init asset weight 0.8: the Init asset price is
//! 150 − 2 × 1.5 = $147, so the collateral counts 10 × 147 × 0.8 = $1,176 = 1,176,000,000 quote units.
//! ```
//! use margin_risk::health::{compute_health, HealthPosition, HealthType, RiskWeights};
//! use margin_risk::price::{validate_price, OracleConfig, PythPrice};
//!
//! let sol = PythPrice { price: 150_00000000, conf: 1_50000000, exponent: -8, publish_time: 1_000,
//!                       ema_price: 150_00000000, ema_conf: 1_50000000 };
//! let oracle = OracleConfig { max_age_seconds: 60, max_conf_open_bps: 200, max_conf_liquidation_bps: 500,
//!                             conf_multiplier_init_bps: 20_000, conf_multiplier_maint_bps: 10_000,
//!                             max_conf_discount_bps: 1_000 };
//! let weights = RiskWeights { init_asset_bps: 8_000, maint_asset_bps: 9_000,
//!                             init_liability_bps: 12_000, maint_liability_bps: 11_000,
//!                             size: margin_risk::size::SizeRule::OFF };
//! let position = HealthPosition { deposit_tokens: 10_000_000_000, borrow_tokens: 0, weights,
//!                                 price: validate_price(&sol, &oracle, 9, 1_010) };
//! let init = compute_health(&[position], HealthType::Init).unwrap();
//! assert_eq!(init.assets, 1_176_000_000);
//! // Maint: 10 × (150 − 1 × 1.5) × 0.9 = $1,336.50
//! assert_eq!(compute_health(&[position], HealthType::Maint).unwrap().assets, 1_336_500_000);
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod accounting;
pub mod bankruptcy;
pub mod dynamic;
pub mod error;
pub mod fallback;
pub mod governance;
pub mod health;
pub mod interest;
pub mod liquidation;
pub mod math;
pub mod portfolio;
pub mod portfolio_liquidation;
pub mod price;
pub mod size;

pub use error::{RiskError, RiskResult};

#[cfg(test)]
extern crate std;

#[cfg(test)]
mod testkit;
