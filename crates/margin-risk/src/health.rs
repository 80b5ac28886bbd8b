//! Init, LiqEnd and Maint health of an account, in quote units, with the per-action oracle rules.
//!
//! health(H) = Σ deposits · asset price(H) · asset weight(H) − Σ debts · liability price(H) · liability weight(H)
//!
//! | type   | weights | prices | used for |
//! |--------|---------|--------|----------|
//! | Init   | init    | Init   | every withdraw and borrow must leave it ≥ 0 |
//! | LiqEnd | init    | Maint  | the target a liquidation stops at |
//! | Maint  | maint   | Maint  | < 0 makes the account liquidatable |
//!
//! Oracle rules (DESIGN.md): for Init, an asset whose price is invalid or too uncertain to open counts 0,
//! and a liability whose price is so refuses the action with the price's error. LiqEnd and Maint need every
//! price valid (within the liquidation confidence limit). Each position's value rounds on its own: asset
//! values down, liability values up.

use crate::error::{RiskError, RiskResult};
use crate::math::mul_pow10_div;
use crate::math::{add, mul_div, sub, Rounding, BPS};
use crate::price::{token_value, weighted_price, OraclePrice, PriceCheck};
use crate::size::{split_at_depth, SizeRule};

/// Largest liability weight accepted, in bps (5×).
pub const MAX_LIABILITY_WEIGHT_BPS: u32 = 50_000;

/// The three health types, ordered Init ≤ LiqEnd ≤ Maint for every account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthType {
    /// Init weights and Init prices.
    Init,
    /// Init weights and Maint prices.
    LiqEnd,
    /// Maint weights and Maint prices.
    Maint,
}

/// A bank's risk weights, in bps (10_000 = 1.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RiskWeights {
    /// Share of an asset's value counted for Init and LiqEnd.
    pub init_asset_bps: u32,
    /// Share of an asset's value counted for Maint.
    pub maint_asset_bps: u32,
    /// Multiple of a liability's value counted for Init and LiqEnd.
    pub init_liability_bps: u32,
    /// Multiple of a liability's value counted for Maint.
    pub maint_liability_bps: u32,
    /// Init weights of the part of a position beyond the bank's liquidation depth ([`crate::size`]).
    pub size: SizeRule,
}

impl RiskWeights {
    /// init asset ≤ maint asset ≤ 100 % ≤ maint liability ≤ init liability ≤ [`MAX_LIABILITY_WEIGHT_BPS`].
    pub fn validate(&self) -> RiskResult<()> {
        let valid = self.init_asset_bps <= self.maint_asset_bps
            && u64::from(self.maint_asset_bps) <= BPS
            && BPS <= u64::from(self.maint_liability_bps)
            && self.maint_liability_bps <= self.init_liability_bps
            && self.init_liability_bps <= MAX_LIABILITY_WEIGHT_BPS
            && self.size.validate().is_ok();
        if valid {
            Ok(())
        } else {
            Err(RiskError::InvalidRiskWeights)
        }
    }

    fn asset(&self, health_type: HealthType) -> u32 {
        match health_type {
            HealthType::Init | HealthType::LiqEnd => self.init_asset_bps,
            HealthType::Maint => self.maint_asset_bps,
        }
    }

    fn liability(&self, health_type: HealthType) -> u32 {
        match health_type {
            HealthType::Init | HealthType::LiqEnd => self.init_liability_bps,
            HealthType::Maint => self.maint_liability_bps,
        }
    }
}

/// One position as health sees it: token amounts (already converted from shares), the bank's weights and
/// the bank's price check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HealthPosition {
    /// Deposit, in native units (shares converted rounding down).
    pub deposit_tokens: u64,
    /// Debt, in native units (shares converted rounding up).
    pub borrow_tokens: u64,
    /// The bank's weights.
    pub weights: RiskWeights,
    /// The bank's validated price, or why it cannot be used.
    pub price: PriceCheck,
}

/// Weighted assets and liabilities of an account, in quote units. Kept apart so no signed 128-bit sum is needed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Health {
    /// Σ weighted asset values (each rounded down).
    pub assets: u64,
    /// Σ weighted liability values (each rounded up).
    pub liabilities: u64,
}

impl Health {
    /// assets ≥ liabilities.
    pub fn is_nonnegative(&self) -> bool {
        self.assets >= self.liabilities
    }

    /// assets − liabilities as a signed number of quote units; [`RiskError::MathOverflow`] beyond i64.
    pub fn value(&self) -> RiskResult<i64> {
        let (magnitude, negative) = match self.assets.checked_sub(self.liabilities) {
            Some(surplus) => (surplus, false),
            None => (self.liabilities - self.assets, true),
        };
        let magnitude = i64::try_from(magnitude).map_err(|_| RiskError::MathOverflow)?;
        Ok(if negative { -magnitude } else { magnitude })
    }

    /// How far this health is below `other`, in quote units (0 when it is not below), compared exactly on
    /// (assets − liabilities) without a signed or 128-bit type: self < other ⟺ a₁ + l₀ < a₀ + l₁.
    ///
    /// Errors: [`RiskError::MathOverflow`] when the gap itself exceeds u64.
    pub fn gap_below(&self, other: &Health) -> RiskResult<u64> {
        let (mine, mine_carry) = self.assets.overflowing_add(other.liabilities);
        let (theirs, theirs_carry) = other.assets.overflowing_add(self.liabilities);
        if (mine_carry, mine) >= (theirs_carry, theirs) {
            return Ok(0);
        }
        // theirs − mine as a 65-bit difference: fits u64 exactly when the carries cancel out.
        let (gap, borrow) = theirs.overflowing_sub(mine);
        if theirs_carry as u8 - mine_carry as u8 == borrow as u8 {
            Ok(gap)
        } else {
            Err(RiskError::MathOverflow)
        }
    }

    /// liabilities − assets when negative, else 0: the shortfall in quote units.
    pub fn shortfall(&self) -> u64 {
        self.liabilities.saturating_sub(self.assets)
    }

    /// Replaces one position's contribution `before` by `after`.
    pub fn replace(&self, before: &Health, after: &Health) -> RiskResult<Health> {
        Ok(Health {
            assets: add(sub(self.assets, before.assets)?, after.assets)?,
            liabilities: add(sub(self.liabilities, before.liabilities)?, after.liabilities)?,
        })
    }
}

/// The price `health_type` may use for this position, with the oracle rules applied: `Ok(None)` where Init
/// counts the position's deposit 0 (price invalid or too uncertain to open, and no debt).
fn usable_price(position: &HealthPosition, health_type: HealthType) -> RiskResult<Option<OraclePrice>> {
    match (&position.price, health_type) {
        (Ok(price), HealthType::Init) if price.usable_to_open => Ok(Some(*price)),
        (Ok(_), HealthType::Init) => init_without_price(position, RiskError::ConfidenceTooWideToOpen),
        (Err(error), HealthType::Init) => init_without_price(position, *error),
        (Ok(price), _) => Ok(Some(*price)),
        (Err(error), _) => Err(*error),
    }
}

/// Init with an unusable price: a deposit counts 0; a debt refuses the action with the price's error.
fn init_without_price(position: &HealthPosition, error: RiskError) -> RiskResult<Option<OraclePrice>> {
    if position.borrow_tokens > 0 {
        Err(error)
    } else {
        Ok(None)
    }
}

/// Value of one native unit of this position's deposit under `health_type`: asset price × asset weight,
/// quote units scaled by 10^[`price_scale`], rounded down; 0 where Init counts the deposit 0.
pub fn weighted_asset_price(position: &HealthPosition, health_type: HealthType) -> RiskResult<u64> {
    let Some(price) = usable_price(position, health_type)? else {
        return Ok(0);
    };
    let asset = match health_type {
        HealthType::Init => price.init_asset,
        HealthType::LiqEnd | HealthType::Maint => price.maint_asset,
    };
    weighted_price(asset, position.weights.asset(health_type), Rounding::Down)
}

/// Value of one native unit of this position's debt under `health_type`: liability price × liability
/// weight, quote units scaled by 10^[`price_scale`], rounded up. For Init, an unusable price is an error when
/// the position has debt.
pub fn weighted_liability_price(position: &HealthPosition, health_type: HealthType) -> RiskResult<u64> {
    let Some(price) = usable_price(position, health_type)? else {
        return Ok(0);
    };
    let liability = match health_type {
        HealthType::Init => price.init_liability,
        HealthType::LiqEnd | HealthType::Maint => price.maint_liability,
    };
    weighted_price(liability, position.weights.liability(health_type), Rounding::Up)
}

/// The decimal scale of the position's prices (0 when its price is unusable: then every unit value is 0 or
/// refused, and the scale is never used).
#[inline(always)]
pub fn price_scale(position: &HealthPosition) -> u8 {
    position.price.map_or(0, |price| price.scale)
}

/// One position's weighted asset and liability values under `health_type`, in quote units. Only the sides
/// the position holds are priced.
#[inline]
pub fn position_health(position: &HealthPosition, health_type: HealthType) -> RiskResult<Health> {
    let mut health = Health::default();
    if position.deposit_tokens > 0 {
        health.assets = asset_value(position, position.deposit_tokens, health_type)?;
    }
    if position.borrow_tokens > 0 {
        health.liabilities = liability_value(position, position.borrow_tokens, health_type)?;
    }
    Ok(health)
}

/// The weighted value of `tokens` of the position's deposit (rounded down), Init's size rule applied: the
/// tokens beyond the bank's depth at the excess weight.
pub fn asset_value(position: &HealthPosition, tokens: u64, health_type: HealthType) -> RiskResult<u64> {
    let (unit, scale) = (weighted_asset_price(position, health_type)?, price_scale(position));
    let Some((depth_tokens, excess_unit)) = init_asset_excess(position, health_type)? else {
        return token_value(tokens, unit, scale, Rounding::Down);
    };
    let (within, beyond) = split_at_depth(tokens, depth_tokens);
    add(token_value(within, unit, scale, Rounding::Down)?, token_value(beyond, excess_unit, scale, Rounding::Down)?)
}

/// The weighted value of `tokens` of the position's debt (rounded up), Init's size rule applied.
pub fn liability_value(position: &HealthPosition, tokens: u64, health_type: HealthType) -> RiskResult<u64> {
    let (unit, scale) = (weighted_liability_price(position, health_type)?, price_scale(position));
    let Some((depth_tokens, excess_unit)) = init_liability_excess(position, health_type)? else {
        return token_value(tokens, unit, scale, Rounding::Up);
    };
    let (within, beyond) = split_at_depth(tokens, depth_tokens);
    add(token_value(within, unit, scale, Rounding::Up)?, token_value(beyond, excess_unit, scale, Rounding::Up)?)
}

/// For Init with the bank's size rule on and a usable price: the deposit tokens within the depth (at the Init
/// asset price) and the weighted unit price of the rest (rounded down). None otherwise.
fn init_asset_excess(position: &HealthPosition, health_type: HealthType) -> RiskResult<Option<(u64, u64)>> {
    let rule = position.weights.size;
    if health_type != HealthType::Init || !rule.is_on() {
        return Ok(None);
    }
    let Some(price) = usable_price(position, health_type)? else { return Ok(None) };
    let excess_weight = rule.excess_asset_weight(position.weights.init_asset_bps);
    let excess_unit = weighted_price(price.init_asset, excess_weight, Rounding::Down)?;
    Ok(Some((rule.depth_tokens(price.init_asset, price.scale), excess_unit)))
}

/// For Init with the bank's size rule on and a usable price: the debt tokens within the depth (at the Init
/// liability price) and the weighted unit price of the rest (rounded up). None otherwise.
fn init_liability_excess(position: &HealthPosition, health_type: HealthType) -> RiskResult<Option<(u64, u64)>> {
    let rule = position.weights.size;
    if health_type != HealthType::Init || !rule.is_on() {
        return Ok(None);
    }
    let Some(price) = usable_price(position, health_type)? else { return Ok(None) };
    let excess_weight = rule.excess_liability_weight(position.weights.init_liability_bps);
    let excess_unit = weighted_price(price.init_liability, excess_weight, Rounding::Up)?;
    Ok(Some((rule.depth_tokens(price.init_liability, price.scale), excess_unit)))
}

/// The position as health counts it: a deposit below its bank's `dust_threshold` (native units) whose price
/// cannot be used counts 0 in every health type, so that a dust deposit in a bank whose oracle is stale or
/// too uncertain cannot make the whole account unliquidatable. A larger deposit with an unusable price still
/// makes Maint and LiqEnd wait for a usable price (pull-oracle prices go stale when nobody posts them, so
/// counting a real deposit 0 would let a liquidator choose the moment).
pub fn without_unpriceable_dust(position: HealthPosition, dust_threshold: u64) -> HealthPosition {
    if position.price.is_err() && position.borrow_tokens == 0 && position.deposit_tokens < dust_threshold {
        HealthPosition { deposit_tokens: 0, ..position }
    } else {
        position
    }
}

/// The account's health of `health_type`: the sum of its positions'.
pub fn compute_health(positions: &[HealthPosition], health_type: HealthType) -> RiskResult<Health> {
    let mut total = Health::default();
    for position in positions {
        let part = position_health(position, health_type)?;
        total.assets = add(total.assets, part.assets)?;
        total.liabilities = add(total.liabilities, part.liabilities)?;
    }
    Ok(total)
}

/// The most native units of `positions[index]`'s bank the account may borrow (on top of the `B` it owes
/// there) with Init health staying ≥ 0, exactly: borrowing the figure passes the Init check and one unit more
/// fails. With u the Init liability value of one unit (rounded up) and R the Init assets less every other
/// liability, the position's liability ceil((B + x)·u / 10^scale) ≤ R exactly when B + x ≤ ⌊R · 10^scale / u⌋. A position holding a deposit cannot borrow (0). Bank limits (liquidity, caps, utilization) are
/// [`crate::interest::max_borrow_by_bank`]'s; the program records a borrow in shares rounded up, so its debt
/// after is `borrow_tokens_of(shares)`, which may exceed B + x by a unit at an index above 1.
pub fn max_borrow(positions: &[HealthPosition], index: usize) -> RiskResult<u64> {
    let position = positions.get(index).ok_or(RiskError::PositionOutOfRange)?;
    if position.deposit_tokens > 0 {
        return Ok(0);
    }
    let init = compute_health(positions, HealthType::Init)?;
    // A borrow needs a usable price even when the account owes nothing in this bank yet.
    let probe = HealthPosition { borrow_tokens: 1, ..*position };
    let unit = weighted_liability_price(&probe, HealthType::Init)?;
    let owed = position.borrow_tokens;
    if unit == 0 {
        return Ok(u64::MAX - owed);
    }
    let own = position_health(position, HealthType::Init)?.liabilities;
    let Some(room) = init.assets.checked_sub(init.liabilities - own) else {
        return Ok(0);
    };
    let scale = u32::from(price_scale(position));
    // With the size rule, the debt within the depth costs u a unit and the rest the excess unit: when the
    // room covers the whole depth, the total is the depth plus what the rest of the room buys at the excess.
    if let Some((depth_tokens, excess_unit)) = init_liability_excess(&probe, HealthType::Init)? {
        if let Ok(depth_cost) = token_value(depth_tokens, unit, scale as u8, Rounding::Up) {
            if depth_cost <= room && depth_tokens < u64::MAX {
                let beyond = if excess_unit == 0 {
                    Ok(u64::MAX)
                } else {
                    mul_pow10_div(room - depth_cost, scale, excess_unit, Rounding::Down)
                };
                return match beyond {
                    Ok(beyond) => Ok(depth_tokens.saturating_add(beyond).saturating_sub(owed)),
                    Err(RiskError::MathOverflow) => Ok(u64::MAX - owed),
                    Err(error) => Err(error),
                };
            }
        }
    }
    match mul_pow10_div(room, scale, unit, Rounding::Down) {
        Ok(total) => Ok(total.saturating_sub(owed)),
        // ⌊R · 10^scale / u⌋ beyond u64: every amount a u64 can owe passes.
        Err(RiskError::MathOverflow) => Ok(u64::MAX - owed),
        Err(error) => Err(error),
    }
}

/// The most native units the account may withdraw from `positions[index]`, exactly: withdrawing the figure
/// passes the program's check and one unit more fails. An account without debt needs no health check and
/// withdraws its whole deposit. Otherwise Init must stay ≥ 0: with u the Init asset value of one unit
/// (rounded down) and R what the account needs from this position (every liability less every other asset),
/// ⌊(D − x)·u / 10^scale⌋ ≥ R exactly when D − x ≥ ⌈R · 10^scale / u⌉. An asset that counts 0 in Init
/// (zero weight, unusable price) can go whole while Init ≥ 0.
pub fn max_withdraw(positions: &[HealthPosition], index: usize) -> RiskResult<u64> {
    let position = positions.get(index).ok_or(RiskError::PositionOutOfRange)?;
    let deposit = position.deposit_tokens;
    if positions.iter().all(|position| position.borrow_tokens == 0) {
        return Ok(deposit);
    }
    let init = compute_health(positions, HealthType::Init)?;
    let own = position_health(position, HealthType::Init)?.assets;
    let Some(needed) = init.liabilities.checked_sub(init.assets - own) else {
        // The other positions cover every liability: all of it may go.
        return Ok(deposit);
    };
    let unit = weighted_asset_price(position, HealthType::Init)?;
    if unit == 0 {
        return Ok(if needed == 0 { deposit } else { 0 });
    }
    let scale = u32::from(price_scale(position));
    // With the size rule, the tokens within the depth earn u a unit and the rest the excess unit: when the
    // depth's tokens do not cover what must stay, the rest comes from tokens beyond it.
    if let Some((depth_tokens, excess_unit)) = init_asset_excess(position, HealthType::Init)? {
        if let Ok(depth_value) = token_value(depth_tokens, unit, scale as u8, Rounding::Down) {
            if depth_value < needed && depth_tokens < u64::MAX {
                if excess_unit == 0 {
                    return Ok(0);
                }
                return match mul_pow10_div(needed - depth_value, scale, excess_unit, Rounding::Up) {
                    Ok(beyond) => Ok(deposit.saturating_sub(depth_tokens.saturating_add(beyond))),
                    Err(RiskError::MathOverflow) => Ok(0),
                    Err(error) => Err(error),
                };
            }
        }
    }
    match mul_pow10_div(needed, scale, unit, Rounding::Up) {
        Ok(keep) => Ok(deposit.saturating_sub(keep)),
        Err(RiskError::MathOverflow) => Ok(0),
        Err(error) => Err(error),
    }
}

/// `price` moved to the oracle price `oracle` (same scale), every conservative price in proportion: the
/// confidence interval keeps its ratio to the price. Asset prices round down, liability prices up.
pub fn price_moved_to(price: &OraclePrice, oracle: u64) -> RiskResult<OraclePrice> {
    if price.oracle == 0 {
        return Err(RiskError::NonPositivePrice);
    }
    let moved = |value: u64, rounding| mul_div(value, oracle, price.oracle, rounding);
    Ok(OraclePrice {
        oracle,
        oracle_up: moved(price.oracle_up, Rounding::Up)?,
        init_asset: moved(price.init_asset, Rounding::Down)?,
        init_liability: moved(price.init_liability, Rounding::Up)?,
        maint_asset: moved(price.maint_asset, Rounding::Down)?,
        maint_liability: moved(price.maint_liability, Rounding::Up)?,
        ..*price
    })
}

/// The liquidation price of the collateral `positions[index]`: the highest oracle price (quote units per
/// native unit scaled by 10^[`price_scale`], as [`OraclePrice::oracle`]) at which the account's Maint health
/// is negative, every other position held and this one's conservative prices moved in proportion
/// ([`price_moved_to`]). `Some(current price)` when Maint is negative now; `None` when no price makes it
/// negative (even at 0 the other positions cover every liability) or when the position holds no deposit or
/// has no usable price. Exact: Maint is negative at the figure and not one scaled unit above it.
pub fn liquidation_price(positions: &[HealthPosition], index: usize) -> RiskResult<Option<u64>> {
    let position = positions.get(index).ok_or(RiskError::PositionOutOfRange)?;
    let Ok(price) = position.price else {
        return Ok(None);
    };
    if position.deposit_tokens == 0 || price.oracle == 0 {
        return Ok(None);
    }
    let total = compute_health(positions, HealthType::Maint)?;
    let own = position_health(position, HealthType::Maint)?;
    let others = Health { assets: total.assets - own.assets, liabilities: total.liabilities - own.liabilities };
    let negative_at = |oracle: u64| -> RiskResult<bool> {
        let moved = HealthPosition { price: Ok(price_moved_to(&price, oracle)?), ..*position };
        let part = position_health(&moved, HealthType::Maint)?;
        Ok(add(others.assets, part.assets)? < add(others.liabilities, part.liabilities)?)
    };
    if !negative_at(0)? {
        return Ok(None);
    }
    // Maint is non-decreasing in the collateral's price: negative on [0, found], not above it.
    let (mut negative, mut not_negative) = (0, price.oracle);
    if negative_at(not_negative)? {
        return Ok(Some(price.oracle));
    }
    while not_negative - negative > 1 {
        let middle = negative + (not_negative - negative) / 2;
        if negative_at(middle)? {
            negative = middle;
        } else {
            not_negative = middle;
        }
    }
    Ok(Some(negative))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::price::{validate_price, PythPrice};
    use crate::testkit::{
        oracle_config, position_strategy, priced_position_strategy, pyth, sol, sol_weights, usdc, NOW,
    };
    use proptest::prelude::*;
    use std::vec::Vec;

    const SOL: u64 = 1_000_000_000;
    const USDC: u64 = 1_000_000;

    fn signed(health: Health) -> i128 {
        health.assets as i128 - health.liabilities as i128
    }

    #[test]
    fn liquidation_price_of_ten_sol_backing_usdc() {
        // 10 SOL at $150 ± 0 backing 1,000 USDC: Maint asset weight 0.9 (testkit), USDC Maint liability
        // $1.0001 (k 1 × 0.0001) × weight 1.02 = $1.020102, so Maint < 0 below 1,020.102 / 9 = $113.344666….
        let account = [sol(10 * SOL, 0, pyth(150_00000000, 0)), usdc(0, 1_000 * USDC)];
        let found = liquidation_price(&account, 0).unwrap().unwrap();
        let price = account[0].price.unwrap();
        // Scaled per lamport at 10^13: $113.344666 per SOL = 0.113344666 quote units per lamport.
        assert_eq!(price.scale, 13);
        assert_eq!(found / 1_000_000, 1_133_446);
        // A debt and a deposit nobody needs have none; a position out of range is named.
        assert_eq!(liquidation_price(&account, 1), Ok(None));
        let covered = [sol(10 * SOL, 0, pyth(150_00000000, 0)), usdc(2_000 * USDC, 0)];
        assert_eq!(liquidation_price(&covered, 0), Ok(None));
        assert_eq!(liquidation_price(&account, 2), Err(RiskError::PositionOutOfRange));
        // Under water now: the current price.
        let under = [sol(SOL, 0, pyth(150_00000000, 0)), usdc(0, 1_000 * USDC)];
        assert_eq!(liquidation_price(&under, 0), Ok(Some(under[0].price.unwrap().oracle)));
    }

    #[test]
    fn worked_example_ten_sol_at_150_borrowing_usdc() {
        // 10 SOL at $150 ± 1.5 (Init asset $147 × 0.8 = $117.6 each), 1,000 USDC debt at $1 ± 0.0001.
        let account = [sol(10 * SOL, 0, pyth(150_00000000, 1_50000000)), usdc(0, 1_000 * USDC)];
        let init = compute_health(&account, HealthType::Init).unwrap();
        assert_eq!(init.assets, 1_176_000_000);
        // USDC Init liability price $1.0002 (k 2 × 0.0001) × weight 1.05 = $1.05021 per USDC.
        assert_eq!(init.liabilities, 1_050_210_000);
        assert_eq!(init.value(), Ok(125_790_000));
        let maint = compute_health(&account, HealthType::Maint).unwrap();
        assert_eq!(maint.assets, 1_336_500_000); // 10 × 148.5 × 0.9
        assert_eq!(maint.liabilities, 1_020_102_000); // 1,000 × 1.0001 × 1.02
        let liq_end = compute_health(&account, HealthType::LiqEnd).unwrap();
        assert_eq!(liq_end.assets, 1_188_000_000); // 10 × 148.5 × 0.8
        assert_eq!(liq_end.liabilities, 1_050_105_000); // 1,000 × 1.0001 × 1.05
    }

    #[test]
    fn stale_collateral_counts_zero_in_init_and_refuses_maint() {
        let mut stale = pyth(150_00000000, 1_50000000);
        stale.publish_time = NOW - 61;
        let account = [sol(10 * SOL, 0, stale), usdc(100 * USDC, 0)];
        let init = compute_health(&account, HealthType::Init).unwrap();
        // Only the USDC counts: 100 × (1 − 2 × 0.0001) × 0.95 = $94.981.
        assert_eq!(init.assets, 94_981_000);
        assert_eq!(compute_health(&account, HealthType::Maint), Err(RiskError::StalePrice));
        assert_eq!(compute_health(&account, HealthType::LiqEnd), Err(RiskError::StalePrice));
    }

    #[test]
    fn stale_debt_refuses_init() {
        let mut stale = pyth(150_00000000, 1_50000000);
        stale.publish_time = NOW - 61;
        let account = [usdc(10_000 * USDC, 0), sol(0, SOL, stale)];
        assert_eq!(compute_health(&account, HealthType::Init), Err(RiskError::StalePrice));
    }

    #[test]
    fn confidence_between_limits_blocks_opening_but_not_maint() {
        // conf 3 %: above the 2 % open limit, within the 5 % liquidation limit.
        let wide = pyth(100_00000000, 3_00000000);
        let collateral = [sol(SOL, 0, wide), usdc(0, 10 * USDC)];
        let init = compute_health(&collateral, HealthType::Init).unwrap();
        assert_eq!(init.assets, 0);
        let maint = compute_health(&collateral, HealthType::Maint).unwrap();
        assert_eq!(maint.assets, 87_300_000); // 1 × (100 − 3) × 0.9
        let debt = [usdc(1_000 * USDC, 0), sol(0, SOL, wide)];
        assert_eq!(compute_health(&debt, HealthType::Init), Err(RiskError::ConfidenceTooWideToOpen));
        assert!(compute_health(&debt, HealthType::Maint).is_ok());
    }

    #[test]
    fn empty_positions_ignore_their_price() {
        let mut stale = pyth(150_00000000, 0);
        stale.publish_time = NOW - 1_000;
        let account = [sol(0, 0, stale), usdc(5 * USDC, 0)];
        assert!(compute_health(&account, HealthType::Maint).is_ok());
        assert_eq!(compute_health(&[], HealthType::Init), Ok(Health::default()));
    }

    #[test]
    fn health_value_and_shortfall() {
        let negative = Health { assets: 5, liabilities: 12 };
        assert_eq!(negative.value(), Ok(-7));
        assert_eq!(negative.shortfall(), 7);
        assert!(!negative.is_nonnegative());
        let huge = Health { assets: u64::MAX, liabilities: 0 };
        assert_eq!(huge.value(), Err(RiskError::MathOverflow));
        assert_eq!(Health { assets: 0, liabilities: 1 << 63 }.value(), Err(RiskError::MathOverflow));
        // Comparisons need no i64: a gap between two healths beyond i64 is still exact.
        let deep = Health { assets: 0, liabilities: u64::MAX };
        let less_deep = Health { assets: 5, liabilities: u64::MAX };
        assert_eq!(deep.gap_below(&less_deep), Ok(5));
        assert_eq!(less_deep.gap_below(&deep), Ok(0));
        assert_eq!(deep.gap_below(&Health { assets: u64::MAX, liabilities: 0 }), Err(RiskError::MathOverflow));
        assert_eq!(deep.gap_below(&Health::default()), Ok(u64::MAX));
        assert_eq!(deep.gap_below(&Health { assets: 1, liabilities: 0 }), Err(RiskError::MathOverflow));
    }

    #[test]
    fn risk_weight_validation() {
        assert_eq!(sol_weights().validate(), Ok(()));
        let w = sol_weights();
        for bad in [
            RiskWeights { init_asset_bps: 9_500, ..w },
            RiskWeights { maint_asset_bps: 10_001, init_asset_bps: 10_001, ..w },
            RiskWeights { maint_liability_bps: 9_999, ..w },
            RiskWeights { init_liability_bps: 10_500, ..w },
            RiskWeights { init_liability_bps: 50_001, ..w },
        ] {
            assert_eq!(bad.validate(), Err(RiskError::InvalidRiskWeights), "{bad:?}");
        }
    }

    #[test]
    fn max_borrow_is_exact_to_the_unit() {
        let account = [sol(10 * SOL, 0, pyth(150_00000000, 1_50000000)), usdc(0, 0)];
        let limit = max_borrow(&account, 1).unwrap();
        // $1,176 of Init collateral / $1.05021 per USDC = 1,119.776044 98 USDC, rounded down.
        assert_eq!(limit, 1_119_776_044);
        let at_limit = [account[0], usdc(0, limit)];
        assert!(compute_health(&at_limit, HealthType::Init).unwrap().is_nonnegative());
        let one_more = [account[0], usdc(0, limit + 1)];
        assert!(!compute_health(&one_more, HealthType::Init).unwrap().is_nonnegative());
        assert_eq!(max_borrow(&account, 2), Err(RiskError::PositionOutOfRange));
        // A bank the account holds a deposit in cannot be borrowed from.
        assert_eq!(max_borrow(&account, 0), Ok(0));
    }

    #[test]
    fn a_whale_earns_less_init_credit_beyond_the_depth_and_maint_does_not_move() {
        // SOL's depth $600k with a 50 % haircut beyond it: 10,000 SOL at $150 is $1.5M, Init credit (the Init
        // asset price $147, weight 0.8) for $600k worth at 0.8 and the rest at 0.4.
        let rule = SizeRule { depth_quote: 600_000 * 1_000_000, excess_haircut_bps: 5_000 };
        let whale = |tokens: u64, size: SizeRule| {
            let position = sol(tokens, 0, pyth(150_00000000, 1_50000000));
            HealthPosition { weights: RiskWeights { size, ..position.weights }, ..position }
        };
        let (plain, sized) = (whale(10_000 * SOL, SizeRule::OFF), whale(10_000 * SOL, rule));
        let init = |position| compute_health(&[position], HealthType::Init).unwrap().assets;
        let price = sized.price.unwrap();
        assert_eq!((price.init_asset, price.scale), (1_470_000_000_000, 13)); // $147 a SOL
        let depth_tokens = rule.depth_tokens(price.init_asset, price.scale); // 4,081.63 SOL
        assert_eq!(depth_tokens, 4_081_632_653_061);
        // $480,000 for the depth, then 5,918.37 SOL × $147 × 0.4 = $348,000.
        let rest = u128::from(10_000 * SOL - depth_tokens);
        let expected = 480_000_000_000 + (rest * 1_470_000_000_000 * 4 / 10 / 10u128.pow(13)) as u64;
        assert!(init(sized).abs_diff(expected) <= 2, "{} vs {expected}", init(sized));
        assert!(init(sized) < init(plain));
        for health_type in [HealthType::Maint, HealthType::LiqEnd] {
            assert_eq!(compute_health(&[sized], health_type), compute_health(&[plain], health_type));
        }
        // A position within the depth is untouched.
        assert_eq!(init(whale(1_000 * SOL, rule)), init(whale(1_000 * SOL, SizeRule::OFF)));
        // Max borrow across the depth is exact: the limit passes, one more fails.
        let account = [sized, usdc(0, 0)];
        let limit = max_borrow(&account, 1).unwrap();
        assert!(limit < max_borrow(&[plain, usdc(0, 0)], 1).unwrap());
        assert!(compute_health(&[sized, usdc(0, limit)], HealthType::Init).unwrap().is_nonnegative());
        assert!(!compute_health(&[sized, usdc(0, limit + 1)], HealthType::Init).unwrap().is_nonnegative());
        // A USDC debt beyond USDC's depth costs more: 1.05 within, 1.575 beyond.
        let thin = usdc(0, 0);
        let thin = HealthPosition { weights: RiskWeights { size: rule, ..thin.weights }, ..thin };
        let limit_thin = max_borrow(&[plain, thin], 1).unwrap();
        assert!(limit_thin < max_borrow(&[plain, usdc(0, 0)], 1).unwrap());
        assert!(compute_health(&[plain, HealthPosition { borrow_tokens: limit_thin, ..thin }], HealthType::Init)
            .unwrap()
            .is_nonnegative());
        let over = HealthPosition { borrow_tokens: limit_thin + 1, ..thin };
        assert!(!compute_health(&[plain, over], HealthType::Init).unwrap().is_nonnegative());
    }

    #[test]
    fn max_withdraw_is_exact_and_capped_by_the_deposit() {
        let account = [sol(10 * SOL, 0, pyth(150_00000000, 1_50000000)), usdc(0, 500 * USDC)];
        let limit = max_withdraw(&account, 0).unwrap();
        let after = [sol(10 * SOL - limit, 0, pyth(150_00000000, 1_50000000)), account[1]];
        assert!(compute_health(&after, HealthType::Init).unwrap().is_nonnegative());
        let one_more = [sol(10 * SOL - limit - 1, 0, pyth(150_00000000, 1_50000000)), account[1]];
        assert!(!compute_health(&one_more, HealthType::Init).unwrap().is_nonnegative());
        // Without debt the whole deposit can go.
        assert_eq!(max_withdraw(&[account[0]], 0), Ok(10 * SOL));
    }

    #[test]
    fn a_debt_free_account_withdraws_its_whole_deposit_however_small() {
        // Issue 10, item 6: 1 native unit of USDC is worth 0.95 quote units in Init, rounded down to 0; the
        // program checks no health for a debt-free account, so the whole unit may go.
        assert_eq!(max_withdraw(&[usdc(1, 0)], 0), Ok(1));
        assert_eq!(max_withdraw(&[usdc(1, 0), sol(5, 0, pyth(150_00000000, 0))], 1), Ok(5));
    }

    #[test]
    fn max_withdraw_of_an_unpriced_asset_is_the_whole_deposit() {
        let mut stale = pyth(150_00000000, 0);
        stale.publish_time = NOW - 61;
        let account = [sol(3 * SOL, 0, stale), usdc(1_000 * USDC, 0), sol(0, SOL / 10, pyth(150_00000000, 0))];
        assert_eq!(max_withdraw(&account, 0), Ok(3 * SOL));
        // An account under Init can withdraw nothing.
        let under = [usdc(10 * USDC, 0), sol(0, SOL, pyth(150_00000000, 0))];
        assert_eq!(max_withdraw(&under, 0), Ok(0));
    }

    fn account_strategy() -> impl Strategy<Value = Vec<HealthPosition>> {
        proptest::collection::vec(position_strategy(), 1..=16)
    }

    #[test]
    fn unpriceable_dust_deposits_count_zero_and_larger_ones_wait() {
        let mut stale = pyth(150_00000000, 15_000_000);
        stale.publish_time = NOW - 61;
        let dust = sol(999, 0, stale);
        let debt = usdc(0, 100 * 1_000_000);
        // As is, the dust blocks every Maint computation of the account.
        assert_eq!(compute_health(&[dust, debt], HealthType::Maint), Err(RiskError::StalePrice));
        // Below the bank's dust threshold it counts 0.
        let counted = [without_unpriceable_dust(dust, 1_000), debt];
        assert_eq!(compute_health(&counted, HealthType::Maint).unwrap().assets, 0);
        // At the threshold, or with a usable price, or as a debt, nothing changes.
        assert_eq!(without_unpriceable_dust(dust, 999), dust);
        let priced = sol(999, 0, pyth(150_00000000, 15_000_000));
        assert_eq!(without_unpriceable_dust(priced, 1_000), priced);
        let owed = sol(0, 999, stale);
        assert_eq!(without_unpriceable_dust(owed, 1_000), owed);
    }

    proptest! {
        /// Invariant 3: Init ≤ LiqEnd ≤ Maint for every account and price.
        #[test]
        fn health_types_are_ordered(account in account_strategy()) {
            let maint = compute_health(&account, HealthType::Maint);
            let liq_end = compute_health(&account, HealthType::LiqEnd);
            if let (Ok(maint), Ok(liq_end)) = (maint, liq_end) {
                prop_assert!(signed(liq_end) <= signed(maint));
                if let Ok(init) = compute_health(&account, HealthType::Init) {
                    prop_assert!(signed(init) <= signed(liq_end));
                }
            }
        }

        /// Invariant 4: widening any position's confidence (spot and EMA) never raises any health.
        #[test]
        fn wider_confidence_never_raises_health(
            priced in proptest::collection::vec(priced_position_strategy(), 1..=16),
            which in any::<prop::sample::Index>(),
            extra_bps in 0u64..=500,
        ) {
            let index = which.index(priced.len());
            let account: Vec<HealthPosition> = priced.iter().map(|(position, _, _)| *position).collect();
            let (position, price, decimals) = priced[index];
            let widen = |conf: u64, base: i64| conf + base.unsigned_abs() * extra_bps / 10_000;
            let wide_price = PythPrice { conf: widen(price.conf, price.price), ema_conf: widen(price.ema_conf, price.ema_price), ..price };
            let mut wider = account.clone();
            wider[index] = HealthPosition { price: validate_price(&wide_price, &oracle_config(), decimals, NOW), ..position };
            for health_type in [HealthType::Init, HealthType::LiqEnd, HealthType::Maint] {
                let before = compute_health(&account, health_type);
                let after = compute_health(&wider, health_type);
                match (before, after) {
                    (Ok(before), Ok(after)) => prop_assert!(signed(after) <= signed(before), "{:?}", health_type),
                    // A wider interval may make the price unusable; it never makes an unusable one usable.
                    // (A value just past u64 may come back within it under the bigger haircut: not a price error.)
                    (Err(RiskError::MathOverflow), _) => {}
                    (Err(_), after) => prop_assert!(after.is_err(), "{:?}", health_type),
                    (Ok(_), Err(_)) => {}
                }
            }
        }

        /// The liquidation price is exact: with the collateral moved there (every other position held), the
        /// account is liquidatable (Maint < 0), and one scaled unit above it is not; `None` only when even a
        /// price of 0 leaves Maint ≥ 0. The reference moves the position in a copy of the account and
        /// recomputes the whole account's health.
        #[test]
        fn liquidation_price_is_exact(account in account_strategy(), which in any::<prop::sample::Index>()) {
            let index = which.index(account.len());
            let maint_negative_at = |oracle: u64| {
                let mut moved = account.clone();
                moved[index].price = Ok(price_moved_to(&account[index].price.unwrap(), oracle).unwrap());
                compute_health(&moved, HealthType::Maint).map(|health| !health.is_nonnegative())
            };
            match liquidation_price(&account, index) {
                Ok(Some(found)) => {
                    let current = account[index].price.unwrap().oracle;
                    prop_assert!(found <= current);
                    prop_assert_eq!(maint_negative_at(found), Ok(true));
                    if found < current {
                        prop_assert_eq!(maint_negative_at(found + 1), Ok(false));
                    }
                }
                Ok(None) => {
                    let position = &account[index];
                    let priced = position.price.is_ok_and(|price| price.oracle > 0);
                    if position.deposit_tokens > 0 && priced {
                        prop_assert_eq!(maint_negative_at(0), Ok(false));
                    }
                }
                // Only what Maint itself refuses (an unusable price elsewhere, an overflow).
                Err(error) => prop_assert_eq!(compute_health(&account, HealthType::Maint).err(), Some(error)),
            }
        }

        /// `gap_below` is the exact signed difference, wherever it fits.
        #[test]
        fn gap_below_matches_i128(a0: u64, l0: u64, a1: u64, l1: u64) {
            let (before, after) = (Health { assets: a0, liabilities: l0 }, Health { assets: a1, liabilities: l1 });
            let exact = (a0 as i128 - l0 as i128) - (a1 as i128 - l1 as i128);
            match after.gap_below(&before) {
                Ok(gap) => prop_assert_eq!(gap as i128, exact.max(0)),
                Err(error) => {
                    prop_assert_eq!(error, RiskError::MathOverflow);
                    prop_assert!(exact > u64::MAX as i128);
                }
            }
        }

        /// The size rule (issue 26) only ever lowers Init, never moves Maint or LiqEnd, and keeps Init
        /// monotone: one more deposit unit never lowers it, one more debt unit never raises it.
        #[test]
        fn the_size_rule_only_lowers_init_and_keeps_it_monotone(account in account_strategy(), which in any::<prop::sample::Index>()) {
            let index = which.index(account.len());
            let mut plain = account.clone();
            for position in plain.iter_mut() {
                position.weights.size = SizeRule::OFF;
            }
            for health_type in [HealthType::Maint, HealthType::LiqEnd] {
                prop_assert_eq!(compute_health(&account, health_type), compute_health(&plain, health_type));
            }
            if let (Ok(sized), Ok(linear)) = (compute_health(&account, HealthType::Init), compute_health(&plain, HealthType::Init)) {
                prop_assert!(sized.assets <= linear.assets && sized.liabilities >= linear.liabilities);
                let mut more = account.clone();
                more[index].deposit_tokens = more[index].deposit_tokens.saturating_add(1);
                if let Ok(after) = compute_health(&more, HealthType::Init) {
                    prop_assert!(after.assets >= sized.assets);
                }
                more[index].borrow_tokens = more[index].borrow_tokens.saturating_add(1);
                more[index].deposit_tokens = account[index].deposit_tokens;
                if let Ok(after) = compute_health(&more, HealthType::Init) {
                    prop_assert!(after.liabilities >= sized.liabilities);
                }
            }
        }

        /// The UI figures are exact (issue 10, item 6): borrowing `max_borrow` or withdrawing `max_withdraw`
        /// passes the check the program makes, and one unit more fails it.
        #[test]
        fn max_borrow_and_withdraw_are_exact_to_the_unit(account in account_strategy(), which in any::<prop::sample::Index>()) {
            let index = which.index(account.len());
            let passes = |after: &[HealthPosition]| {
                after.iter().all(|position| position.borrow_tokens == 0)
                    || compute_health(after, HealthType::Init).is_ok_and(|init| init.is_nonnegative())
            };
            let with_debt = |extra: u64| {
                let mut after = account.clone();
                after[index].borrow_tokens = after[index].borrow_tokens.checked_add(extra)?;
                Some(after)
            };
            if let Some(limit) = max_borrow(&account, index).ok().filter(|_| account[index].deposit_tokens == 0) {
                if limit > 0 {
                    prop_assert!(passes(&with_debt(limit).unwrap()), "borrowing the limit {} fails", limit);
                }
                if let Some(after) = with_debt(limit + u64::from(limit < u64::MAX)).filter(|_| limit < u64::MAX) {
                    prop_assert!(!passes(&after), "borrowing one more than the limit {} passes", limit);
                }
            }
            if let Ok(limit) = max_withdraw(&account, index) {
                let deposit = account[index].deposit_tokens;
                prop_assert!(limit <= deposit);
                let mut after = account.clone();
                after[index].deposit_tokens = deposit - limit;
                prop_assert!(limit == 0 || passes(&after), "withdrawing the limit {} fails", limit);
                if limit < deposit {
                    after[index].deposit_tokens -= 1;
                    prop_assert!(!passes(&after), "withdrawing one more than the limit {} passes", limit);
                }
            }
        }
    }
}
