//! From a Pyth price to validated, conservative prices per health type.
//!
//! Prices leave this module as **quote units per native token unit, scaled by 10^scale**, with `scale`
//! ([`OraclePrice::scale`]) chosen per price so that the oracle price carries [`PRICE_DIGITS`] significant
//! digits however cheap or dear a native unit is. A quote unit is 10^-[`QUOTE_DECIMALS`] USD (one
//! micro-dollar). Example: SOL (9 decimals) at $150 is 150·10^6 quote units per 10^9 lamports = 0.15 quote
//! units per lamport = 1_500_000_000_000 at scale 13. Every value (token amount × price) is divided back by
//! 10^scale, exactly rounded, so health is in plain quote units.
//!
//! With c the confidence, k the bank's multiplier for the health type (in bps, 20_000 = 2.0), and ema/ema_c
//! Pyth's EMA price and EMA confidence (DESIGN.md, "Prices"):
//! - Init asset = min(p − k_init·c, ema − k_init·ema_c); Init liability = max(p + k_init·c, ema + k_init·ema_c)
//! - Maint (and LiqEnd) asset = p − k_maint·c; Maint liability = p + k_maint·c
//! - every confidence (spot and EMA) is first capped at the bank's liquidation limit of its own base
//!   (`max_conf_liquidation_bps` of p or ema): a wider interval keeps the haircut it had at the limit, so a
//!   crash that widens Pyth's interval never freezes liquidation (issue 21, finding 11), and a wider
//!   interval still never raises any health;
//! - a price whose spot or EMA confidence is above the open limit is not usable to open;
//! - every discount k·c of an asset price is capped at `max_conf_discount_bps` of its own base (p or ema), and
//!   asset prices floor at 0; a markup k·c of a liability price is never capped, so debt is never valued
//!   below p + k·c (DESIGN.md caps only the discount);
//! - liability prices are exact even when p + k·c exceeds u64 in Pyth units (a mantissa above 10^18): the
//!   sum is then taken on 128 bits and scaled; an Init liability price beyond u64 after scaling (an EMA far
//!   above the spot price) makes the price unusable to open instead of saturating.
//!
//! Rounding: discounts and markups round up; asset prices round down, liability prices round up.

use crate::error::{RiskError, RiskResult};
use crate::math::{mul_bps, mul_div, Rounding, BPS};

/// Quote units per USD are 10^QUOTE_DECIMALS: one quote unit is one micro-dollar.
pub const QUOTE_DECIMALS: i32 = 6;
/// Significant digits of a scaled oracle price: its mantissa lies in [10^12, 10^13).
pub const PRICE_DIGITS: i32 = 13;
/// Most negative Pyth exponent accepted.
pub const MIN_EXPONENT: i32 = -18;
/// Most positive Pyth exponent accepted (Pyth feeds use negative exponents).
pub const MAX_EXPONENT: i32 = 0;
/// Largest token decimals accepted.
pub const MAX_TOKEN_DECIMALS: u8 = 18;
/// Upper bound of a confidence multiplier, in bps (k ≤ 10).
pub const MAX_CONF_MULTIPLIER_BPS: u32 = 100_000;
/// Floor of a bank's `max_age_seconds`: a tighter age limit would let prices go stale between two updates
/// and so freeze liquidations (and withdrawals of accounts with debt), whoever set it.
pub const MIN_MAX_AGE_SECONDS: u32 = 15;
/// Floor of a bank's liquidation confidence limit, in bps (2 %): calm mainnet feeds run at 5–15 bp and
/// crashes widen them past 1 %, so a tighter limit would stop liquidations exactly when they are needed.
pub const MIN_CONF_LIQUIDATION_BPS: u32 = 200;
/// How far, in seconds, a Pyth publish time may be ahead of the cluster clock. The cluster's
/// `unix_timestamp` lags wall-clock time by seconds at times; Pyth's own receiver checks only the age.
/// A publish time up to this far ahead counts as age 0; further ahead is refused as [`RiskError::FuturePrice`].
pub const MAX_PUBLISH_LEAD_SECONDS: i64 = 30;

/// A Pyth price as read from a `PriceUpdateV2` account, in Pyth's own units (mantissa · 10^exponent USD).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PythPrice {
    /// Price mantissa.
    pub price: i64,
    /// Confidence interval (one side), same exponent as the price.
    pub conf: u64,
    /// Decimal exponent of price, conf, EMA price and EMA conf.
    pub exponent: i32,
    /// Unix seconds when the price was published.
    pub publish_time: i64,
    /// Exponential moving average of the price, same exponent.
    pub ema_price: i64,
    /// Exponential moving average of the confidence, same exponent.
    pub ema_conf: u64,
}

/// A bank's oracle settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OracleConfig {
    /// Oldest accepted price, in seconds before now.
    pub max_age_seconds: u32,
    /// conf/price limit, in bps, above which the price may not back an action that adds risk.
    pub max_conf_open_bps: u32,
    /// conf/price limit, in bps, above which the price is not used at all (not even to liquidate).
    pub max_conf_liquidation_bps: u32,
    /// k for Init prices, in bps of the confidence (20_000 = 2·conf).
    pub conf_multiplier_init_bps: u32,
    /// k for Maint and LiqEnd prices, in bps of the confidence.
    pub conf_multiplier_maint_bps: u32,
    /// Cap of any confidence discount or markup, in bps of its base price.
    pub max_conf_discount_bps: u32,
}

impl OracleConfig {
    /// Checks ranges and order: age ≥ [`MIN_MAX_AGE_SECONDS`], 0 < open limit ≤ liquidation limit ≤ 100 %,
    /// liquidation limit ≥ [`MIN_CONF_LIQUIDATION_BPS`], k_init ≥ k_maint, k ≤ [`MAX_CONF_MULTIPLIER_BPS`],
    /// discount cap ≤ 100 %. The floors keep liquidation possible whoever tightens the limits.
    pub fn validate(&self) -> RiskResult<()> {
        let valid = self.max_age_seconds >= MIN_MAX_AGE_SECONDS
            && self.max_conf_open_bps > 0
            && self.max_conf_open_bps <= self.max_conf_liquidation_bps
            && self.max_conf_liquidation_bps >= MIN_CONF_LIQUIDATION_BPS
            && u64::from(self.max_conf_liquidation_bps) <= BPS
            && self.conf_multiplier_maint_bps <= self.conf_multiplier_init_bps
            && self.conf_multiplier_init_bps <= MAX_CONF_MULTIPLIER_BPS
            && u64::from(self.max_conf_discount_bps) <= BPS;
        if valid {
            Ok(())
        } else {
            Err(RiskError::InvalidOracleConfig)
        }
    }
}

/// Conservative prices of one bank, each in quote units per native unit scaled by 10^[`OraclePrice::scale`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OraclePrice {
    /// The oracle's own price p (rounded down): what liquidation exchanges debt for collateral at.
    pub oracle: u64,
    /// The oracle's own price p rounded up: the divisor when collateral is bought with debt, so the
    /// collateral seized is never above the exact exchange.
    pub oracle_up: u64,
    /// Init asset price (rounded down).
    pub init_asset: u64,
    /// Init liability price (rounded up).
    pub init_liability: u64,
    /// Maint and LiqEnd asset price (rounded down).
    pub maint_asset: u64,
    /// Maint and LiqEnd liability price (rounded up).
    pub maint_liability: u64,
    /// Whether conf/price is within the open limit, so the price may back an action that adds risk.
    pub usable_to_open: bool,
    /// Decimal places of every price above: a field of v means v·10^-scale quote units per native unit.
    /// Chosen so the oracle price has [`PRICE_DIGITS`] digits (0 to 42).
    pub scale: u8,
}

/// Cheapest whole token a bank may be listed at, as a power of ten of USD: $10^-9.
pub const MIN_LISTING_DOLLARS_LOG10: i32 = -9;
/// Dearest whole token a bank may be listed at, exclusive, as a power of ten of USD: under $10^7.
pub const MAX_LISTING_DOLLARS_LOG10: i32 = 7;

/// Whether a token of `token_decimals` priced at `pyth` may be listed: $10^-9 up to (not including) $10^7 per
/// whole token, at any decimals the engine accepts (0 to 18). Every such price keeps [`PRICE_DIGITS`]
/// significant digits, and a position's value fits u64 quote units up to $1.8·10^13 (a larger holding is a
/// named overflow, not a wrong number).
///
/// One native unit may be worth less than 10^this dollars at listing: $0.01. Shares round by a native unit
/// per action in the protocol's favour; a coarser token (a 0-decimal token at $19) would charge a borrower
/// $19 of rounding per action while its lender earns nothing (issue 21, finding 8).
pub const MAX_NATIVE_UNIT_DOLLARS_LOG10: i32 = -2;

/// Whether a token of `token_decimals` priced at `pyth` may be listed: $10^-9 up to (not including) $10^7 per
/// whole token, at any decimals the engine accepts (0 to 18), and one native unit worth less than $0.01
/// ([`MAX_NATIVE_UNIT_DOLLARS_LOG10`]).
///
/// Errors: [`RiskError::PriceOutOfListingRange`]; [`RiskError::NativeUnitTooValuable`]; the price's own
/// (decimals, sign, exponent).
pub fn check_listing_price(pyth: &PythPrice, token_decimals: u8) -> RiskResult<()> {
    check_listing_range(pyth, token_decimals)?;
    // ⌊log10(price per native unit in dollars)⌋ < −2 ⟺ a native unit is worth less than $0.01.
    let native_unit_log10 = digits(pyth.price.unsigned_abs()) - 1 + pyth.exponent - i32::from(token_decimals);
    if native_unit_log10 < MAX_NATIVE_UNIT_DOLLARS_LOG10 {
        Ok(())
    } else {
        Err(RiskError::NativeUnitTooValuable)
    }
}

/// Least value of a bank's dust threshold at its listing price, quote units: $0.01. Below it the dust
/// defences (an unpriceable dust deposit counting 0, a dust debt closed in full) would be as good as off.
pub const MIN_DUST_THRESHOLD_QUOTE: u64 = 10_000;

/// Whether `dust_threshold` (native units) is worth at least [`MIN_DUST_THRESHOLD_QUOTE`] at `price` (its
/// oracle price, rounded down).
///
/// Errors: [`RiskError::InvalidDustThreshold`]; [`RiskError::MathOverflow`].
pub fn check_listing_dust(dust_threshold: u64, price: &OraclePrice) -> RiskResult<()> {
    let value = match token_value(dust_threshold, price.oracle, price.scale, Rounding::Down) {
        Err(RiskError::MathOverflow) => u64::MAX,
        other => other?,
    };
    if value >= MIN_DUST_THRESHOLD_QUOTE {
        Ok(())
    } else {
        Err(RiskError::InvalidDustThreshold)
    }
}

/// A bank never uses a price published before the last one it used (`last_used`, unix seconds; 0 before any).
///
/// Errors: [`RiskError::PriceOlderThanLastUsed`].
pub fn check_publish_order(publish_time: i64, last_used: i64) -> RiskResult<()> {
    if publish_time < last_used {
        Err(RiskError::PriceOlderThanLastUsed)
    } else {
        Ok(())
    }
}

/// The listable range of [`check_listing_price`], without the native-unit rule.
fn check_listing_range(pyth: &PythPrice, token_decimals: u8) -> RiskResult<()> {
    if token_decimals > MAX_TOKEN_DECIMALS {
        return Err(RiskError::DecimalsOutOfRange);
    }
    if pyth.price <= 0 {
        return Err(RiskError::NonPositivePrice);
    }
    if !(MIN_EXPONENT..=MAX_EXPONENT).contains(&pyth.exponent) {
        return Err(RiskError::ExponentOutOfRange);
    }
    // ⌊log10(price · 10^exponent)⌋ = digits − 1 + exponent.
    let dollars_log10 = digits(pyth.price.unsigned_abs()) - 1 + pyth.exponent;
    if (MIN_LISTING_DOLLARS_LOG10..MAX_LISTING_DOLLARS_LOG10).contains(&dollars_log10) {
        Ok(())
    } else {
        Err(RiskError::PriceOutOfListingRange)
    }
}

/// Decimal digits of a positive `value` (1 to 20): strips 16, 8, 4, 2 and 1 digits where present (five
/// comparisons, at most four divisions).
#[inline(always)]
fn digits(value: u64) -> i32 {
    let (mut rest, mut count) = (value, 1);
    for (digits, power) in [(16, 10_000_000_000_000_000), (8, 100_000_000), (4, 10_000), (2, 100)] {
        if rest >= power {
            rest /= power;
            count += digits;
        }
    }
    count + i32::from(rest >= 10)
}

/// The scale of a price (decimal places of quote units per native unit) and the shift from Pyth mantissa to
/// scaled mantissa: the oracle price's scaled mantissa gets [`PRICE_DIGITS`] digits, the shift stays within
/// [−6, 12] (a power of ten that fits), and the scale within [0, 42] (a dearer native unit than 10^13 quote
/// units keeps scale 0 and overflows into a named error).
#[inline(always)]
fn scale_and_shift(mantissa: u64, exponent: i32, token_decimals: u8) -> (u8, i32) {
    let to_quote = exponent + QUOTE_DECIMALS - i32::from(token_decimals);
    let shift = PRICE_DIGITS - digits(mantissa);
    let scale = shift - to_quote;
    if scale < 0 {
        (0, to_quote)
    } else {
        // to_quote ≥ −6 − 18 and digits ≥ 1: scale ≤ 42.
        (scale as u8, shift)
    }
}

/// A price as the health computation receives it: validated, or the reason it is not usable.
pub type PriceCheck = RiskResult<OraclePrice>;

/// Validates a Pyth price against the bank's config at `now` (unix seconds) and derives its conservative
/// prices for a token with `token_decimals`.
///
/// Errors, in this order: [`RiskError::DecimalsOutOfRange`], [`RiskError::NonPositivePrice`] (price or EMA
/// ≤ 0), [`RiskError::ExponentOutOfRange`], [`RiskError::FuturePrice`] (more than
/// [`MAX_PUBLISH_LEAD_SECONDS`] ahead of `now`), [`RiskError::StalePrice`]. A conf (spot or EMA) above the
/// open limit is valid with `usable_to_open == false`; a conf above the liquidation limit is capped there
/// (never refused: uncertainty must not stop the liquidation of an account under water).
pub fn validate_price(pyth: &PythPrice, config: &OracleConfig, token_decimals: u8, now: i64) -> PriceCheck {
    if token_decimals > MAX_TOKEN_DECIMALS {
        return Err(RiskError::DecimalsOutOfRange);
    }
    if pyth.price <= 0 || pyth.ema_price <= 0 {
        return Err(RiskError::NonPositivePrice);
    }
    if !(MIN_EXPONENT..=MAX_EXPONENT).contains(&pyth.exponent) {
        return Err(RiskError::ExponentOutOfRange);
    }
    let lead_limit = now.checked_add(MAX_PUBLISH_LEAD_SECONDS).ok_or(RiskError::MathOverflow)?;
    if pyth.publish_time > lead_limit {
        return Err(RiskError::FuturePrice);
    }
    // A publish time ahead of the clock (within the lead) is age 0.
    let age = now.checked_sub(pyth.publish_time).ok_or(RiskError::MathOverflow)?.max(0);
    if age > i64::from(config.max_age_seconds) {
        return Err(RiskError::StalePrice);
    }
    let (price, ema) = (pyth.price.unsigned_abs(), pyth.ema_price.unsigned_abs());
    let within_open = (
        conf_within(pyth.conf, price, config.max_conf_open_bps),
        conf_within(pyth.ema_conf, ema, config.max_conf_open_bps),
    );
    conservative_prices(pyth, config, token_decimals, within_open)
}

/// conf / price ≤ limit_bps / 10_000, compared exactly. Both products fit u64 when conf and price are below
/// 2^50 (every real feed): then two native multiplies, else the 128-bit comparison.
#[inline(always)]
fn conf_within(conf: u64, price: u64, limit_bps: u32) -> bool {
    if (conf | price) >> 50 == 0 && limit_bps < 1 << 14 {
        conf * BPS <= price * u64::from(limit_bps)
    } else {
        crate::math::product_at_most(conf, BPS, price, u64::from(limit_bps))
    }
}

/// k·conf in price units (rounded up), or u64::MAX when beyond u64: a discount is then its cap (markups are
/// [`liability_price`]'s, exact).
#[inline(always)]
fn confidence_term(conf: u64, multiplier_bps: u32) -> RiskResult<u64> {
    match mul_bps(conf, u64::from(multiplier_bps), Rounding::Up) {
        Err(RiskError::MathOverflow) => Ok(u64::MAX),
        other => other,
    }
}

/// The conservative prices of `pyth`; `(spot, ema)_within_open`: whether each confidence is within the open
/// limit (then also within the liquidation limit, which is no tighter, so it needs no cap).
fn conservative_prices(
    pyth: &PythPrice,
    config: &OracleConfig,
    token_decimals: u8,
    (spot_within_open, ema_within_open): (bool, bool),
) -> PriceCheck {
    let usable_to_open = spot_within_open && ema_within_open;
    let (price, ema) = (pyth.price.unsigned_abs(), pyth.ema_price.unsigned_abs());
    // Each confidence capped at the liquidation limit of its base (rounded up: a larger cap only ever widens
    // a haircut; compared first, so a calm feed pays no division), then each k·conf once and each discount
    // cap once.
    let limit = config.max_conf_liquidation_bps;
    let conf = if spot_within_open { pyth.conf } else { capped_confidence(pyth.conf, price, limit)? };
    let ema_conf = if ema_within_open { pyth.ema_conf } else { capped_confidence(pyth.ema_conf, ema, limit)? };
    let spot_init = confidence_term(conf, config.conf_multiplier_init_bps)?;
    let ema_init = confidence_term(ema_conf, config.conf_multiplier_init_bps)?;
    let spot_maint = confidence_term(conf, config.conf_multiplier_maint_bps)?;
    let price_cap = mul_bps(price, u64::from(config.max_conf_discount_bps), Rounding::Up)?;
    let ema_cap = mul_bps(ema, u64::from(config.max_conf_discount_bps), Rounding::Up)?;

    let init_asset = price.saturating_sub(spot_init.min(price_cap)).min(ema.saturating_sub(ema_init.min(ema_cap)));
    let maint_asset = price.saturating_sub(spot_maint.min(price_cap));

    // From Pyth units (10^exponent USD per whole token) to quote units per native unit · 10^scale: every price
    // is multiplied or divided by the same power of ten, 10^|shift| ≤ 10^12.
    let (scale, shift) = scale_and_shift(price, pyth.exponent, token_decimals);
    let scaling = Scaling::new(shift);
    // The larger Init liability in Pyth units, scaled once (scaling rounds up monotonically); either sum
    // beyond u64 takes the exact 128-bit path for both.
    let init_k = config.conf_multiplier_init_bps;
    let init_liability = match (price.checked_add(spot_init), ema.checked_add(ema_init)) {
        (Some(spot), Some(ema)) => scaling.apply(spot.max(ema), Rounding::Up),
        _ => wide_liability_price(price, conf, init_k, &scaling)
            .and_then(|spot| Ok(spot.max(wide_liability_price(ema, ema_conf, init_k, &scaling)?))),
    };
    // An Init liability beyond u64 (an EMA far above the spot price): no debt may be opened on it.
    let (init_liability, usable_to_open) = match init_liability {
        Ok(liability) => (liability, usable_to_open),
        Err(RiskError::MathOverflow) => (u64::MAX, false),
        Err(error) => return Err(error),
    };
    let maint_liability = liability_price(price, spot_maint, (conf, config.conf_multiplier_maint_bps), &scaling)?;
    Ok(OraclePrice {
        oracle: scaling.apply(price, Rounding::Down)?,
        oracle_up: scaling.apply(price, Rounding::Up)?,
        init_asset: scaling.apply(init_asset, Rounding::Down)?,
        init_liability,
        maint_asset: scaling.apply(maint_asset, Rounding::Down)?,
        maint_liability,
        usable_to_open,
        scale,
    })
}

/// `conf` capped at `limit_bps` of `base`, the cap rounded up; the cap is computed only when `conf` is above it.
#[inline(always)]
fn capped_confidence(conf: u64, base: u64, limit_bps: u32) -> RiskResult<u64> {
    if conf_within(conf, base, limit_bps) {
        Ok(conf)
    } else {
        Ok(conf.min(mul_bps(base, u64::from(limit_bps), Rounding::Up)?))
    }
}

/// (base + k·conf) scaled, rounded up, exactly, from `term` = k·conf rounded up ([`confidence_term`], u64::MAX
/// when beyond u64): ⌈⌈x⌉/d⌉ = ⌈x/d⌉, and when base + k·conf exceeds u64 in Pyth units the sum is taken on 128
/// bits (base·10^4 + conf·k) and divided by 10^(4 − shift) once.
///
/// Errors: [`RiskError::MathOverflow`] when the scaled price exceeds u64.
#[inline(always)]
fn liability_price(base: u64, term: u64, (conf, multiplier_bps): (u64, u32), scaling: &Scaling) -> RiskResult<u64> {
    match base.checked_add(term) {
        // A term of u64::MAX is a saturated one: base ≥ 1 makes the sum overflow, so it takes the wide path.
        Some(sum) => scaling.apply(sum, Rounding::Up),
        None => wide_liability_price(base, conf, multiplier_bps, scaling),
    }
}

/// The 128-bit path of [`liability_price`]: (base·10^4 + conf·k) · 10^(shift − 4), rounded up.
#[inline(never)]
fn wide_liability_price(base: u64, conf: u64, multiplier_bps: u32, scaling: &Scaling) -> RiskResult<u64> {
    let (base_high, base_low) = crate::math::wide_mul(base, BPS);
    let (term_high, term_low) = crate::math::wide_mul(conf, u64::from(multiplier_bps));
    let (low, carry) = base_low.overflowing_add(term_low);
    let high = base_high.checked_add(term_high).and_then(|high| high.checked_add(u64::from(carry)));
    let high = high.ok_or(RiskError::MathOverflow)?;
    // Dividing by 10^4 and multiplying by 10^|shift| (or dividing by it): one exponent, one rounding.
    let exponent = if scaling.multiply { 4 - i32::from(scaling.digits) } else { 4 + i32::from(scaling.digits) };
    if exponent >= 0 {
        return crate::math::div_wide_by_pow10(high, low, exponent.unsigned_abs(), Rounding::Up);
    }
    if high != 0 {
        return Err(RiskError::MathOverflow);
    }
    crate::math::checked_mul(low, crate::math::pow10(exponent.unsigned_abs())?)
}

/// Multiplication or division by one power of ten, 10^|shift| with |shift| ≤ 12 ([`scale_and_shift`]), its
/// overflow limit computed once for the six prices.
struct Scaling {
    /// 10^|shift|.
    factor: u64,
    /// |shift|.
    digits: u8,
    /// Whether values are multiplied (shift ≥ 0) or divided (shift < 0) by `factor`.
    multiply: bool,
    /// Largest value that may be multiplied by `factor` without overflow.
    limit: u64,
}

impl Scaling {
    #[inline(always)]
    fn new(shift: i32) -> Scaling {
        // Every shift `scale_and_shift` returns is within ±12.
        let factor = crate::math::POWERS_OF_TEN[shift.unsigned_abs().min(12) as usize];
        // Hidden from LLVM, which would fold `value ≤ MAX / factor` into a 128-bit overflow check.
        let digits = shift.unsigned_abs().min(12) as u8;
        Scaling { factor, digits, multiply: shift >= 0, limit: core::hint::black_box(u64::MAX / factor) }
    }

    /// `value · 10^shift`, rounded as asked when dividing; [`RiskError::MathOverflow`] beyond u64.
    #[inline(always)]
    fn apply(&self, value: u64, rounding: Rounding) -> RiskResult<u64> {
        if self.multiply {
            if value > self.limit {
                return Err(RiskError::MathOverflow);
            }
            return Ok(value.wrapping_mul(self.factor));
        }
        let quotient = value / self.factor;
        Ok(quotient + u64::from(rounding == Rounding::Up && !value.is_multiple_of(self.factor)))
    }
}

/// A scaled price times a weight in bps, rounded as asked: the per-native-unit value a health type uses (at
/// the price's scale).
#[inline(always)]
pub fn weighted_price(price: u64, weight_bps: u32, rounding: Rounding) -> RiskResult<u64> {
    if weight_bps as u64 == BPS {
        return Ok(price);
    }
    mul_div(price, u64::from(weight_bps), BPS, rounding)
}

/// Value in quote units of `tokens` native units at a price scaled by 10^`scale`, rounded as asked (exactly:
/// the 128-bit product divided by 10^scale in one or more steps).
#[inline(always)]
pub fn token_value(tokens: u64, scaled_price: u64, scale: u8, rounding: Rounding) -> RiskResult<u64> {
    if tokens == 0 {
        return Ok(0);
    }
    let (high, low) = crate::math::wide_mul(tokens, scaled_price);
    crate::math::div_wide_by_pow10(high, low, u32::from(scale), rounding)
}

/// conf / price in bps, rounded up (for events and clients).
pub fn conf_ratio_bps(pyth: &PythPrice) -> RiskResult<u64> {
    if pyth.price <= 0 {
        return Err(RiskError::NonPositivePrice);
    }
    mul_div(pyth.conf, BPS, pyth.price.unsigned_abs(), Rounding::Up)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{oracle_config, pyth, pyth_strategy, NOW};
    use proptest::prelude::*;

    /// A price field at the fixed scale 12 the expected figures below are written in: exact (the field's
    /// extra digits must be zeros), so the assertion checks every digit the figure has.
    fn at_12(value: u64, scale: u8) -> u64 {
        let extra = 10u64.pow(u32::from(scale) - 12);
        assert_eq!(value % extra, 0, "{value} at scale {scale} has digits beyond scale 12");
        value / extra
    }

    fn captured(price: i64, conf: u64, exponent: i32, ema_price: i64, ema_conf: u64) -> PythPrice {
        PythPrice { price, conf, exponent, publish_time: NOW, ema_price, ema_conf }
    }

    #[test]
    fn worked_example_sol_150_conf_1_50() {
        // $150 ± $1.50, k_init 2, k_maint 1; one lamport is 10^-9 SOL, one quote unit 10^-6 USD.
        let prices = validate_price(&pyth(150_00000000, 1_50000000), &oracle_config(), 9, NOW).unwrap();
        assert_eq!(at_12(prices.oracle, prices.scale), 150_000_000_000); // 0.15 quote units per lamport · 10^12
        assert_eq!(at_12(prices.init_asset, prices.scale), 147_000_000_000); // 150 − 2 × 1.5
        assert_eq!(at_12(prices.init_liability, prices.scale), 153_000_000_000); // 150 + 2 × 1.5
        assert_eq!(at_12(prices.maint_asset, prices.scale), 148_500_000_000); // 150 − 1.5
        assert_eq!(at_12(prices.maint_liability, prices.scale), 151_500_000_000); // 150 + 1.5
        assert!(prices.usable_to_open); // 1 % ≤ 2 %
    }

    #[test]
    fn captured_sol_july_2024_full_price() {
        // pyth-v2-more-samples.json, sol_usd_full_2024_07 (expected values worked out in Python from the raw fields).
        let sol = captured(15_679_769_099, 16_197_271, -8, 15_660_921_800, 15_919_247);
        let prices = validate_price(&sol, &oracle_config(), 9, NOW).unwrap();
        assert_eq!(at_12(prices.oracle, prices.scale), 156_797_690_990);
        // EMA side is lower: min(156.79769099 − 0.32394542, 156.609218 − 0.31838494)
        assert_eq!(at_12(prices.init_asset, prices.scale), 156_290_833_060);
        assert_eq!(at_12(prices.init_liability, prices.scale), 157_121_636_410);
        assert_eq!(at_12(prices.maint_asset, prices.scale), 156_635_718_280);
        assert_eq!(at_12(prices.maint_liability, prices.scale), 156_959_663_700);
    }

    #[test]
    fn captured_bonk_exponent_minus_10_five_decimals() {
        // bonk_usd_full_2024_05: $0.0000345526 ± 0.0000000517; BONK has 5 decimals.
        let bonk = captured(345_526, 517, -10, 335_763, 415);
        let prices = validate_price(&bonk, &oracle_config(), 5, NOW).unwrap();
        assert_eq!(at_12(prices.oracle, prices.scale), 345_526_000);
        assert_eq!(at_12(prices.init_asset, prices.scale), 334_933_000);
        assert_eq!(at_12(prices.init_liability, prices.scale), 346_560_000);
        assert_eq!(at_12(prices.maint_asset, prices.scale), 345_009_000);
        assert_eq!(at_12(prices.maint_liability, prices.scale), 346_043_000);
    }

    #[test]
    fn captured_usdc_may_2025_six_decimals() {
        let usdc = captured(100_004_997, 67_956, -8, 100_003_409, 73_279);
        let prices = validate_price(&usdc, &oracle_config(), 6, NOW).unwrap();
        assert_eq!(at_12(prices.oracle, prices.scale), 1_000_049_970_000); // ≈ 1 quote unit per native unit
        assert_eq!(at_12(prices.init_asset, prices.scale), 998_568_510_000);
        assert_eq!(at_12(prices.init_liability, prices.scale), 1_001_499_670_000);
        assert_eq!(at_12(prices.maint_asset, prices.scale), 999_370_410_000);
        assert_eq!(at_12(prices.maint_liability, prices.scale), 1_000_729_530_000);
    }

    #[test]
    fn ema_above_spot_sets_the_init_liability_price() {
        let mut price = pyth(100_00000000, 0);
        price.ema_price = 120_00000000;
        let prices = validate_price(&price, &oracle_config(), 9, NOW).unwrap();
        assert_eq!(at_12(prices.init_asset, prices.scale), 100_000_000_000);
        assert_eq!(at_12(prices.init_liability, prices.scale), 120_000_000_000);
        // Maint ignores the EMA.
        assert_eq!(at_12(prices.maint_liability, prices.scale), 100_000_000_000);
    }

    #[test]
    fn confidence_discount_is_capped_at_the_bank_maximum() {
        let config = OracleConfig { conf_multiplier_init_bps: 40_000, ..oracle_config() };
        // conf 4 % × k 4 = 16 %: the discount is capped at 10 %, the markup is not (issue 10, item 7: debt is
        // never valued below p + k·c).
        let prices = validate_price(&pyth(100_00000000, 4_00000000), &config, 9, NOW).unwrap();
        assert_eq!(at_12(prices.init_asset, prices.scale), 90_000_000_000);
        assert_eq!(at_12(prices.init_liability, prices.scale), 116_000_000_000);
        assert_eq!(at_12(prices.maint_asset, prices.scale), 96_000_000_000);
    }

    #[test]
    fn asset_price_floors_at_zero() {
        let config = OracleConfig {
            max_conf_open_bps: 10_000,
            max_conf_liquidation_bps: 10_000,
            conf_multiplier_init_bps: 100_000,
            max_conf_discount_bps: 10_000,
            ..oracle_config()
        };
        let prices = validate_price(&pyth(100_00000000, 50_00000000), &config, 9, NOW).unwrap();
        assert_eq!(at_12(prices.init_asset, prices.scale), 0);
        assert_eq!(at_12(prices.init_liability, prices.scale), 600_000_000_000);
    }

    #[test]
    fn a_huge_ema_confidence_blocks_new_debt_but_not_liquidation() {
        // Issue 10, item 3a, and issue 21, finding 14a: SOL $150 with an EMA confidence of 2·10^18 and k_init
        // 10. The EMA's confidence is above the open limit, so the price backs no new debt (it used to
        // saturate the Init liability price, which after scaling valued debt below p + k·c); capped at the
        // 5 % liquidation limit, the Init liability is exact: 150 + 10 × 7.5 = $225. Maint is untouched.
        let config = OracleConfig { conf_multiplier_init_bps: 100_000, ..oracle_config() };
        let mut sol = pyth(150_00000000, 15_000_000);
        sol.ema_conf = 2_000_000_000_000_000_000;
        let prices = validate_price(&sol, &config, 9, NOW).unwrap();
        assert!(!prices.usable_to_open);
        assert_eq!(at_12(prices.init_asset, prices.scale), 135_000_000_000, "EMA side: 150 − the 10 % cap");
        assert_eq!(at_12(prices.init_liability, prices.scale), 225_000_000_000);
        let maint = (at_12(prices.maint_asset, prices.scale), at_12(prices.maint_liability, prices.scale));
        assert_eq!(maint, (149_850_000_000, 150_150_000_000));
    }

    #[test]
    fn the_listing_range_is_a_billionth_of_a_dollar_to_ten_million_dollars_a_token() {
        // SOL (9 decimals, $150), USDC (6, $1), BONK (5, $0.0000345526 at exponent −10): listable.
        assert_eq!(check_listing_price(&pyth(150_00000000, 0), 9), Ok(()));
        assert_eq!(check_listing_price(&pyth(100_000_000, 0), 6), Ok(()));
        assert_eq!(check_listing_price(&captured(345_526, 0, -10, 345_526, 0), 5), Ok(()));
        // Issue 10: a 9-decimal token at $2.9·10^-9 and an 18-decimal $1 token are listable.
        assert_eq!(check_listing_price(&captured(2_900, 0, -12, 2_900, 0), 9), Ok(()));
        assert_eq!(check_listing_price(&pyth(100_000_000, 0), 18), Ok(()));
        // Issue 21, finding 8: a 0-decimal $19 token is not (a native unit worth $19 rounds by $19 an action);
        // a native unit must be worth less than $0.01: $0.00999 at 0 decimals in, $0.01 out; BTC at $99,999
        // with 8 decimals in ($0.00099 a unit), $10,000 at 6 decimals out.
        let coarse = Err(RiskError::NativeUnitTooValuable);
        assert_eq!(check_listing_price(&pyth(19_00000000, 0), 0), coarse);
        assert_eq!(check_listing_price(&captured(999, 0, -5, 999, 0), 0), Ok(()));
        assert_eq!(check_listing_price(&captured(1, 0, -2, 1, 0), 0), coarse);
        assert_eq!(check_listing_price(&pyth(9_999_900_000_000, 0), 8), Ok(()));
        assert_eq!(check_listing_price(&pyth(1_000_000_000_000, 0), 6), coarse);
        // The edges: $10^-9 in, just below out; $9,999,999.99 in (at 18 decimals), $10^7 out.
        let out = Err(RiskError::PriceOutOfListingRange);
        assert_eq!(check_listing_price(&captured(1, 0, -9, 1, 0), 18), Ok(()));
        assert_eq!(check_listing_price(&captured(99, 0, -11, 99, 0), 0), out);
        assert_eq!(check_listing_price(&captured(999_999_999, 0, -2, 999_999_999, 0), 18), Ok(()));
        assert_eq!(check_listing_price(&captured(10_000_000, 0, 0, 10_000_000, 0), 18), out);
        assert_eq!(check_listing_price(&pyth(-1, 0), 6), Err(RiskError::NonPositivePrice));
    }

    #[test]
    fn digits_counts_decimal_digits() {
        for (value, expected) in [(1, 1), (9, 1), (10, 2), (99, 2), (100, 3), (999_999_999_999, 12)] {
            assert_eq!(digits(value), expected, "{value}");
        }
        assert_eq!(digits(10_000_000_000_000_000_000), 20);
        assert_eq!(digits(u64::MAX), 20);
        assert_eq!(digits(9_999_999_999_999_999_999), 19);
        for exponent in 0..20u32 {
            assert_eq!(digits(10u64.pow(exponent)), exponent as i32 + 1);
            assert_eq!(digits(10u64.pow(exponent).saturating_sub(1).max(1)), (exponent as i32).max(1));
        }
    }

    #[test]
    fn every_listable_token_keeps_thirteen_digits() {
        // Issue 10, item 4: the cheapest native units (a 9-decimal $2.9·10^-9 token, an 18-decimal $1 token)
        // and the dearest (a 0-decimal $19 token, item 3c) are priced to 13 digits at their own scale.
        for (pyth, decimals) in
            [(captured(2_900, 0, -12, 2_900, 0), 9), (pyth(100_000_000, 0), 18), (pyth(19_00000000, 0), 0)]
        {
            let prices = validate_price(&pyth, &oracle_config(), decimals, NOW).unwrap();
            assert!((1_000_000_000_000..10_000_000_000_000).contains(&prices.oracle), "{prices:?}");
            // Exactly the price: mantissa · 10^(exponent + 6 − decimals + scale).
            let shift = pyth.exponent + 6 - i32::from(decimals) + i32::from(prices.scale);
            assert_eq!(prices.oracle as u128, pyth.price as u128 * 10u128.pow(shift as u32));
        }
        // A native unit worth $10^-27 (the cheapest listable: $10^-9 at 18 decimals) is at scale 33, exact.
        let cheapest = validate_price(&captured(1, 0, -9, 1, 0), &oracle_config(), 18, NOW).unwrap();
        assert_eq!((cheapest.oracle, cheapest.scale), (1_000_000_000_000, 33));
    }

    #[test]
    fn non_positive_prices_are_refused() {
        for bad in [0, -1, i64::MIN] {
            let price = pyth(bad, 0);
            assert_eq!(validate_price(&price, &oracle_config(), 9, NOW), Err(RiskError::NonPositivePrice));
        }
        let mut negative_ema = pyth(100, 0);
        negative_ema.ema_price = -5;
        assert_eq!(validate_price(&negative_ema, &oracle_config(), 9, NOW), Err(RiskError::NonPositivePrice));
    }

    #[test]
    fn exponent_bounds() {
        for (exponent, ok) in [(-19, false), (-18, true), (0, true), (1, false), (i32::MAX, false), (i32::MIN, false)] {
            let mut price = pyth(100, 0);
            price.exponent = exponent;
            let result = validate_price(&price, &oracle_config(), 9, NOW);
            assert_eq!(result.is_ok(), ok, "exponent {exponent}");
            if !ok {
                assert_eq!(result, Err(RiskError::ExponentOutOfRange));
            }
        }
    }

    #[test]
    fn stale_and_future_prices() {
        let config = oracle_config();
        let mut price = pyth(100_00000000, 0);
        price.publish_time = NOW - 60;
        assert!(validate_price(&price, &config, 9, NOW).is_ok());
        price.publish_time = NOW - 61;
        assert_eq!(validate_price(&price, &config, 9, NOW), Err(RiskError::StalePrice));
        price.publish_time = i64::MIN;
        assert_eq!(validate_price(&price, &config, 9, NOW), Err(RiskError::MathOverflow));
        // The cluster clock lags wall time: a lead of up to MAX_PUBLISH_LEAD_SECONDS counts as age 0.
        price.publish_time = NOW + MAX_PUBLISH_LEAD_SECONDS;
        assert!(validate_price(&price, &config, 9, NOW).is_ok());
        price.publish_time = NOW + MAX_PUBLISH_LEAD_SECONDS + 1;
        assert_eq!(validate_price(&price, &config, 9, NOW), Err(RiskError::FuturePrice));
        price.publish_time = i64::MAX;
        assert_eq!(validate_price(&price, &config, 9, NOW), Err(RiskError::FuturePrice));
        assert_eq!(validate_price(&price, &config, 9, i64::MAX), Err(RiskError::MathOverflow));
    }

    #[test]
    fn confidence_limits_open_and_liquidation() {
        let config = oracle_config();
        // exactly 2 %: usable to open
        let at_open = validate_price(&pyth(100_00000000, 2_00000000), &config, 9, NOW).unwrap();
        assert!(at_open.usable_to_open);
        // 2 % + 1 unit: liquidation only
        let above_open = validate_price(&pyth(100_00000000, 2_00000001), &config, 9, NOW).unwrap();
        assert!(!above_open.usable_to_open);
        // above the 5 % liquidation limit: capped there, the same prices as at the limit (finding 11)
        let at_limit = validate_price(&pyth(100_00000000, 5_00000000), &config, 9, NOW).unwrap();
        for wider in [5_00000001, 20_00000000, 100_000_000_000, u64::MAX] {
            assert_eq!(validate_price(&pyth(100_00000000, wider), &config, 9, NOW), Ok(at_limit));
        }
        // the EMA's confidence above the open limit also keeps the price from opening (finding 14a)
        let mut wide_ema = pyth(100_00000000, 0);
        wide_ema.ema_conf = 2_00000001;
        assert!(!validate_price(&wide_ema, &config, 9, NOW).unwrap().usable_to_open);
    }

    #[test]
    fn decimals_and_overflow_are_named_errors() {
        assert_eq!(validate_price(&pyth(100, 0), &oracle_config(), 19, NOW), Err(RiskError::DecimalsOutOfRange));
        // $9.2·10^18 per whole token of 0 decimals: does not fit a scaled u64.
        let mut huge = pyth(i64::MAX, 0);
        huge.exponent = 0;
        assert_eq!(validate_price(&huge, &oracle_config(), 0, NOW), Err(RiskError::MathOverflow));
    }

    #[test]
    fn oracle_config_validation() {
        assert_eq!(oracle_config().validate(), Ok(()));
        let at_floors = OracleConfig {
            max_age_seconds: MIN_MAX_AGE_SECONDS,
            max_conf_open_bps: 1,
            max_conf_liquidation_bps: MIN_CONF_LIQUIDATION_BPS,
            ..oracle_config()
        };
        assert_eq!(at_floors.validate(), Ok(()));
        let bad = [
            OracleConfig { max_age_seconds: 0, ..oracle_config() },
            // Below the floors that keep liquidation possible.
            OracleConfig { max_age_seconds: MIN_MAX_AGE_SECONDS - 1, ..oracle_config() },
            OracleConfig {
                max_conf_open_bps: 100,
                max_conf_liquidation_bps: MIN_CONF_LIQUIDATION_BPS - 1,
                ..oracle_config()
            },
            OracleConfig { max_conf_open_bps: 0, ..oracle_config() },
            OracleConfig { max_conf_open_bps: 600, ..oracle_config() },
            OracleConfig { max_conf_liquidation_bps: 10_001, max_conf_open_bps: 10_001, ..oracle_config() },
            OracleConfig { conf_multiplier_maint_bps: 30_000, ..oracle_config() },
            OracleConfig { conf_multiplier_init_bps: 100_001, ..oracle_config() },
            OracleConfig { max_conf_discount_bps: 10_001, ..oracle_config() },
        ];
        for config in bad {
            assert_eq!(config.validate(), Err(RiskError::InvalidOracleConfig), "{config:?}");
        }
    }

    #[test]
    fn conf_ratio_in_bps_rounds_up() {
        assert_eq!(conf_ratio_bps(&pyth(100_00000000, 1_50000000)), Ok(150));
        assert_eq!(conf_ratio_bps(&pyth(3, 1)), Ok(3_334));
        assert_eq!(conf_ratio_bps(&pyth(0, 1)), Err(RiskError::NonPositivePrice));
    }

    proptest! {
        #[test]
        fn prices_are_ordered(price in pyth_strategy(), decimals in 0u8..=9) {
            if let Ok(p) = validate_price(&price, &oracle_config(), decimals, NOW) {
                prop_assert!(p.init_asset <= p.maint_asset);
                prop_assert!(p.maint_asset <= p.oracle);
                prop_assert!(p.oracle <= p.maint_liability);
                prop_assert!(p.maint_liability <= p.init_liability);
            }
        }

        /// Invariant 4 at the price level: a wider interval never raises an asset price nor lowers a
        /// liability price.
        #[test]
        fn wider_confidence_never_helps(price in pyth_strategy(), extra in 0u64..1_000_000_000, extra_ema in 0u64..1_000_000_000, decimals in 0u8..=9) {
            let wider = PythPrice { conf: price.conf + extra, ema_conf: price.ema_conf + extra_ema, ..price };
            let (narrow, wide) = (
                validate_price(&price, &oracle_config(), decimals, NOW),
                validate_price(&wider, &oracle_config(), decimals, NOW),
            );
            if let (Ok(narrow), Ok(wide)) = (narrow, wide) {
                prop_assert!(wide.init_asset <= narrow.init_asset);
                prop_assert!(wide.maint_asset <= narrow.maint_asset);
                prop_assert!(wide.init_liability >= narrow.init_liability);
                prop_assert!(wide.maint_liability >= narrow.maint_liability);
                prop_assert!(!wide.usable_to_open || narrow.usable_to_open);
            }
            // A price too wide at the narrow conf is too wide at the wider one too.
            if narrow.is_err() {
                prop_assert!(validate_price(&wider, &oracle_config(), decimals, NOW).is_err());
            }
        }

        /// Bad input never panics: any price fields give a value or a named error.
        #[test]
        fn any_input_is_a_value_or_an_error(price: i64, conf: u64, exponent: i32, publish_time: i64, ema_price: i64, ema_conf: u64, decimals: u8, now: i64) {
            let pyth = PythPrice { price, conf, exponent, publish_time, ema_price, ema_conf };
            let _ = validate_price(&pyth, &oracle_config(), decimals, now);
        }
    }
}
