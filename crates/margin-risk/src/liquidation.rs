//! Liquidation: eligibility, the bonus from depth, the repay that brings an account to its LiqEnd target,
//! the collateral seized and the insurance fee, and the dust rule.
//!
//! The liquidator repays `repay` native units of the debt bank and receives collateral at the oracle prices
//! (p_debt / p_collateral) times (1 + bonus + insurance fee); it pays the insurance fee (fee × the debt
//! cleared, rounded up) in the debt token, into the debt bank's insurance vault, the one that covers that
//! bank's bad debt (issue 21, finding 9). Seized amounts round down.
//!
//! The debt is cleared in whole borrow shares: the liquidator pays the shares' token value rounded up, and
//! the collateral it receives follows the debt actually cleared (the shares' value rounded down). A repay
//! worth less than one share is refused ([`RiskError::RepayBelowOneShare`]), never paid for with collateral.
//!
//! Guarantees (property-tested):
//! - the repay is the smallest that lifts LiqEnd health to ≥ 0 (within a few quote units of rounding),
//!   unless the debt, the collateral or the liquidator's maximum is smaller;
//! - when the collateral suffices, Maint health never falls;
//! - when it does not, all the collateral is seized, so the account can go on to bankruptcy.

use crate::error::{RiskError, RiskResult};
use crate::health::{
    compute_health, position_health, weighted_asset_price, weighted_liability_price, Health, HealthPosition, HealthType,
};
use crate::interest::INDEX_SCALE;
use crate::math::{add, mul_div, mul_div_pow10, mul_pow10_div, Rounding, BPS};
use crate::price::OraclePrice;

/// The collateral bank's liquidation settings, in bps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiquidationConfig {
    /// Bonus offered at the edge of maintenance.
    pub min_bonus_bps: u32,
    /// Bonus reached when the account is this deep or deeper (shortfall / liabilities, Maint).
    pub max_bonus_bps: u32,
    /// Extra collateral, on top of the bonus, taken for the insurance vault.
    pub insurance_fee_bps: u32,
}

impl LiquidationConfig {
    /// min ≤ max, and (1 + max bonus + fee) · maint asset weight ≤ 1, so that a liquidation never lowers
    /// Maint health (a liability weight is ≥ 1).
    pub fn validate(&self, maint_asset_weight_bps: u32) -> RiskResult<()> {
        let premium = u64::from(self.max_bonus_bps) + u64::from(self.insurance_fee_bps);
        let valid = self.min_bonus_bps <= self.max_bonus_bps
            && (BPS + premium) * u64::from(maint_asset_weight_bps) <= BPS * BPS;
        if valid {
            Ok(())
        } else {
            Err(RiskError::InvalidLiquidationConfig)
        }
    }
}

/// What the liquidator asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiquidationRequest {
    /// Index of the debt position (in the account's position order).
    pub debt_position: usize,
    /// Index of the collateral position.
    pub collateral_position: usize,
    /// Most the liquidator will repay, native units of the debt bank.
    pub max_repay_tokens: u64,
    /// The account's `being_liquidated` flag before this liquidation.
    pub being_liquidated: bool,
    /// The debt bank's dust threshold: a debt left below it is repaid in full, native units.
    pub debt_dust_tokens: u64,
    /// The debt bank's borrow index (≥ [`INDEX_SCALE`], native units per share scaled by it): the debt is
    /// cleared in whole shares.
    pub debt_borrow_index: u64,
}

/// Which bound decided the repay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepayLimit {
    /// The repay that lifts LiqEnd health to ≥ 0.
    Target,
    /// All the collateral of the position is seized.
    Collateral,
    /// The liquidator's maximum.
    Liquidator,
    /// The whole debt of the position.
    WholeDebt,
    /// The dust rule closed the debt in full.
    Dust,
    /// The whole collateral position pays for less than one debt share: it is forfeit to its bank's
    /// depositors (nothing paid, nothing seized), so the account can go on to bankruptcy (finding 4).
    CollateralBelowOneShare,
    /// An account with positions in a correlation group whose LiqEnd health this pair cannot lift to 0:
    /// the repay that improves it most the planner found (a later liquidation, of another pair, goes on).
    BestImprovement,
}

/// The computed liquidation: amounts to move and the account's health before and after.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LiquidationPlan {
    /// Tokens the liquidator pays, native units of the debt bank: the value of the borrow shares cleared,
    /// rounded up (the whole debt when it clears every share).
    pub repay_tokens: u64,
    /// How much the account's debt surely falls: the cleared shares' value rounded down, ≤ `repay_tokens`.
    /// Seized collateral and the health after follow this figure.
    pub debt_cleared_tokens: u64,
    /// Collateral to the liquidator, native units of the collateral bank (rounded down): the debt cleared
    /// at the oracle prices times (1 + bonus + insurance fee).
    pub seized_to_liquidator: u64,
    /// The insurance fee the liquidator pays on top of the repay, native units of the debt bank, into the
    /// debt bank's insurance vault: fee × debt cleared, rounded up.
    pub insurance_fee_tokens: u64,
    /// Collateral burned without a seizure (limit [`RepayLimit::CollateralBelowOneShare`]), native units:
    /// its tokens stay in the collateral vault, for that bank's depositors.
    pub collateral_forfeit_tokens: u64,
    /// Bonus applied, bps.
    pub bonus_bps: u32,
    /// Which bound decided the repay.
    pub limit: RepayLimit,
    /// Maint health before, quote units.
    pub maint_before: Health,
    /// Maint health after.
    pub maint_after: Health,
    /// LiqEnd health before.
    pub liq_end_before: Health,
    /// LiqEnd health after.
    pub liq_end_after: Health,
    /// The account's `being_liquidated` flag after: set while LiqEnd < 0.
    pub being_liquidated_after: bool,
}

/// Maint < 0, or already being liquidated and LiqEnd < 0.
pub fn is_liquidatable(maint: &Health, liq_end: &Health, being_liquidated: bool) -> bool {
    !maint.is_nonnegative() || (being_liquidated && !liq_end.is_nonnegative())
}

/// The `being_liquidated` flag after an instruction that is not a liquidation. The flag lets a liquidation
/// go on to the LiqEnd target once started; it clears as soon as the account has no debt left, or has shown
/// LiqEnd ≥ 0 (`showed_liq_end_nonnegative`: a passed Init check shows it, as Init ≤ LiqEnd). From then on
/// the account is liquidatable only below Maint again.
pub fn flag_after_health_shown(being_liquidated: bool, has_debt: bool, showed_liq_end_nonnegative: bool) -> bool {
    being_liquidated && has_debt && !showed_liq_end_nonnegative
}

/// Bonus in bps: the minimum plus the depth (Maint shortfall / Maint liabilities, bps, rounded down),
/// capped at the maximum.
pub fn liquidation_bonus_bps(maint: &Health, config: &LiquidationConfig) -> RiskResult<u32> {
    let depth =
        if maint.liabilities == 0 { 0 } else { mul_div(maint.shortfall(), BPS, maint.liabilities, Rounding::Down)? };
    let bonus = add(u64::from(config.min_bonus_bps), depth)?.min(u64::from(config.max_bonus_bps));
    // bonus ≤ max_bonus_bps, a u32.
    Ok(bonus as u32)
}

/// Debt prices per native unit, at the debt's scale: what the liquidator receives collateral at (with bonus
/// and fee, rounded down), and the same rounded up (the cost of the target).
pub(crate) struct ExchangePrices {
    /// p_debt · (1 + bonus + fee), rounded down: seized collateral is bought at it, and what the whole
    /// collateral position pays for is divided by it (a repay requirement, never below the exact one).
    seize: u64,
    /// p_debt · (1 + bonus + fee), rounded up: what a unit of debt cleared costs in collateral value.
    pub(crate) total_up: u64,
    /// The collateral's oracle price rounded down: what a unit of it surely is worth (cost of the target).
    pub(crate) collateral: u64,
    /// The collateral's oracle price rounded up: what the debt buys is divided by it (never seized above
    /// the exact exchange), and what the whole position pays for multiplied by it (a repay requirement).
    collateral_up: u64,
    fee_bps: u64,
    /// Decimal scales of the debt's prices and of the collateral's.
    debt_scale: u8,
    collateral_scale: u8,
}

impl ExchangePrices {
    /// Collateral, native units rounded down, for `tokens` of debt cleared:
    /// tokens · seize · 10^(collateral scale − debt scale) / collateral_up, rounded once.
    pub(crate) fn collateral_for(&self, tokens: u64) -> RiskResult<u64> {
        let exponent = i32::from(self.collateral_scale) - i32::from(self.debt_scale);
        mul_div_pow10(tokens, self.seize, self.collateral_up, exponent, Rounding::Down)
    }

    /// Debt, native units rounded up, that `tokens` of collateral pay for with the premium:
    /// tokens · collateral_up · 10^(debt scale − collateral scale) / seize, rounded once: at least the exact
    /// figure (the numerator rounded up, the divisor down). `None` when it is beyond u64 (then it bounds
    /// nothing).
    fn debt_for(&self, tokens: u64) -> RiskResult<Option<u64>> {
        let exponent = i32::from(self.debt_scale) - i32::from(self.collateral_scale);
        match mul_div_pow10(tokens, self.collateral_up, self.seize.max(1), exponent, Rounding::Up) {
            Ok(debt) => Ok(Some(debt)),
            Err(RiskError::MathOverflow) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The insurance fee on `cleared` debt, native units of the debt bank, rounded up.
    pub(crate) fn fee_for(&self, cleared: u64) -> RiskResult<u64> {
        mul_div(cleared, self.fee_bps, BPS, Rounding::Up)
    }
}

pub(crate) fn exchange_prices(
    debt: &OraclePrice,
    collateral: &OraclePrice,
    bonus_bps: u32,
    fee_bps: u32,
) -> RiskResult<ExchangePrices> {
    // A valid price is positive, so its rounded-up scaled form is at least 1 even when the rounded-down one
    // is 0 (a native unit worth less than 10^-12 quote units): such collateral can still be liquidated.
    if collateral.oracle_up == 0 {
        return Err(RiskError::DivisionByZero);
    }
    let premium_bps = BPS + u64::from(bonus_bps) + u64::from(fee_bps);
    Ok(ExchangePrices {
        seize: mul_div(debt.oracle, premium_bps, BPS, Rounding::Down)?,
        total_up: mul_div(debt.oracle, premium_bps, BPS, Rounding::Up)?,
        collateral: collateral.oracle,
        collateral_up: collateral.oracle_up,
        fee_bps: u64::from(fee_bps),
        debt_scale: debt.scale,
        collateral_scale: collateral.scale,
    })
}

/// Plans a liquidation of `positions` as `request` asks, with the collateral bank's `config`.
///
/// Errors: [`RiskError::InvalidLiquidationPair`], [`RiskError::NoDebtToRepay`],
/// [`RiskError::NoCollateralToSeize`], [`RiskError::ZeroAmount`], any price error of any position
/// (liquidation needs every oracle of the account), [`RiskError::NotLiquidatable`],
/// [`RiskError::LiquidationCannotImprove`].
pub fn plan_liquidation(
    positions: &[HealthPosition],
    request: &LiquidationRequest,
    config: &LiquidationConfig,
) -> RiskResult<LiquidationPlan> {
    let (debt, collateral) = pair(positions, request)?;
    let maint_before = compute_health(positions, HealthType::Maint)?;
    let liq_end_before = compute_health(positions, HealthType::LiqEnd)?;
    if !is_liquidatable(&maint_before, &liq_end_before, request.being_liquidated) {
        return Err(RiskError::NotLiquidatable);
    }
    let bonus_bps = liquidation_bonus_bps(&maint_before, config)?;
    let prices = exchange_prices(&debt.price?, &collateral.price?, bonus_bps, config.insurance_fee_bps)?;
    let (repay, limit) = choose_repay(debt, collateral, &liq_end_before, &prices, request)?;
    let settled = settle_in_shares(repay, limit, debt.borrow_tokens, request);
    let (repay_tokens, debt_cleared_tokens) = match settled {
        Err(RiskError::RepayBelowOneShare) if limit == RepayLimit::Collateral => {
            return forfeit_plan(collateral, (maint_before, liq_end_before), bonus_bps);
        }
        other => other?,
    };
    let (mut seized_to_liquidator, limit) = seize(debt_cleared_tokens, limit, collateral.deposit_tokens, &prices)?;
    let insurance_fee_tokens = prices.fee_for(debt_cleared_tokens)?;

    let debt_after = HealthPosition { borrow_tokens: debt.borrow_tokens - debt_cleared_tokens, ..*debt };
    let after = |seized: u64, health_type: HealthType, before: &Health| -> RiskResult<Health> {
        let collateral_after = HealthPosition { deposit_tokens: collateral.deposit_tokens - seized, ..*collateral };
        before
            .replace(&position_health(debt, health_type)?, &position_health(&debt_after, health_type)?)?
            .replace(&position_health(collateral, health_type)?, &position_health(&collateral_after, health_type)?)
    };
    let mut maint_after = after(seized_to_liquidator, HealthType::Maint, &maint_before)?;
    let maint_lost = maint_after.gap_below(&maint_before)?;
    if limit != RepayLimit::Collateral && maint_lost > 0 {
        // Per-position rounding cost more than the repay gained: hand back enough collateral to cover it.
        let deficit = add(maint_lost, 1)?;
        let unit_value = weighted_asset_price(collateral, HealthType::Maint)?;
        let scale = u32::from(crate::health::price_scale(collateral));
        let give_back = mul_pow10_div(deficit, scale, unit_value.max(1), Rounding::Up)?;
        if give_back > seized_to_liquidator {
            return Err(RiskError::LiquidationCannotImprove);
        }
        seized_to_liquidator -= give_back;
        maint_after = after(seized_to_liquidator, HealthType::Maint, &maint_before)?;
    }
    let liq_end_after = after(seized_to_liquidator, HealthType::LiqEnd, &liq_end_before)?;
    Ok(LiquidationPlan {
        repay_tokens,
        debt_cleared_tokens,
        seized_to_liquidator,
        insurance_fee_tokens,
        collateral_forfeit_tokens: 0,
        bonus_bps,
        limit,
        maint_before,
        maint_after,
        liq_end_before,
        liq_end_after,
        being_liquidated_after: !liq_end_after.is_nonnegative(),
    })
}

/// The plan when the whole collateral position pays for less than one debt share: the position is forfeit
/// (burned; its tokens stay with its bank's depositors), nothing is paid or seized, the debt stays for the
/// bankruptcy that follows. Its value is below one share of the debt at the bonus, so at most about one
/// native unit of the debt token (coarser tokens are not listable, [`crate::price::check_listing_price`]).
fn forfeit_plan(
    collateral: &HealthPosition,
    (maint_before, liq_end_before): (Health, Health),
    bonus_bps: u32,
) -> RiskResult<LiquidationPlan> {
    let emptied = HealthPosition { deposit_tokens: 0, ..*collateral };
    let after = |health_type: HealthType, before: &Health| -> RiskResult<Health> {
        before.replace(&position_health(collateral, health_type)?, &position_health(&emptied, health_type)?)
    };
    let liq_end_after = after(HealthType::LiqEnd, &liq_end_before)?;
    Ok(LiquidationPlan {
        repay_tokens: 0,
        debt_cleared_tokens: 0,
        seized_to_liquidator: 0,
        insurance_fee_tokens: 0,
        collateral_forfeit_tokens: collateral.deposit_tokens,
        bonus_bps,
        limit: RepayLimit::CollateralBelowOneShare,
        maint_before,
        maint_after: after(HealthType::Maint, &maint_before)?,
        liq_end_before,
        liq_end_after,
        being_liquidated_after: !liq_end_after.is_nonnegative(),
    })
}

/// The two named positions, checked: distinct, in range, with debt and with collateral, and a positive maximum.
pub(crate) fn pair<'a>(
    positions: &'a [HealthPosition],
    request: &LiquidationRequest,
) -> RiskResult<(&'a HealthPosition, &'a HealthPosition)> {
    if request.debt_position == request.collateral_position {
        return Err(RiskError::InvalidLiquidationPair);
    }
    let debt = positions.get(request.debt_position).ok_or(RiskError::InvalidLiquidationPair)?;
    let collateral = positions.get(request.collateral_position).ok_or(RiskError::InvalidLiquidationPair)?;
    if debt.borrow_tokens == 0 {
        return Err(RiskError::NoDebtToRepay);
    }
    if collateral.deposit_tokens == 0 {
        return Err(RiskError::NoCollateralToSeize);
    }
    if request.max_repay_tokens == 0 {
        return Err(RiskError::ZeroAmount);
    }
    Ok((debt, collateral))
}

/// The repay to the LiqEnd target: ceil((shortfall + 2) / gain per unit), where the gain per unit of debt
/// repaid is its LiqEnd liability value less the LiqEnd asset value of the collateral it costs (rounded
/// against the account). The 2 quote units absorb the per-position rounding of the two values.
pub fn max_repay_to_target(
    debt: &HealthPosition,
    collateral: &HealthPosition,
    liq_end: &Health,
    total_price_up: u64,
    collateral_price: u64,
) -> RiskResult<u64> {
    let debt_unit_value = weighted_liability_price(debt, HealthType::LiqEnd)?;
    let collateral_unit_value = weighted_asset_price(collateral, HealthType::LiqEnd)?;
    // collateral_unit_value ≤ collateral_price, so a price that rounds to 0 costs 0 whatever the divisor.
    let cost_per_unit = mul_div(total_price_up, collateral_unit_value, collateral_price.max(1), Rounding::Up)?;
    let gain_per_unit = debt_unit_value
        .checked_sub(cost_per_unit)
        .filter(|gain| *gain > 0)
        .ok_or(RiskError::LiquidationCannotImprove)?;
    let needed = add(liq_end.shortfall(), 2)?;
    let scale = u32::from(crate::health::price_scale(debt));
    Ok(mul_pow10_div(needed, scale, gain_per_unit, Rounding::Up).unwrap_or(u64::MAX))
}

/// The smallest of the bounds, then the dust rule. The collateral bound, the debt the whole position pays
/// for, rounds up (a repay requirement); it wins a tie (so all the collateral goes, and the account can go on
/// to bankruptcy) only when it is a real bound: a figure beyond u64 bounds nothing.
fn choose_repay(
    debt: &HealthPosition,
    collateral: &HealthPosition,
    liq_end: &Health,
    prices: &ExchangePrices,
    request: &LiquidationRequest,
) -> RiskResult<(u64, RepayLimit)> {
    let target = max_repay_to_target(debt, collateral, liq_end, prices.total_up, prices.collateral)?;
    bound_repay(target, debt, collateral, prices, request)
}

/// The smallest of `target` (the repay to the LiqEnd target, however found) and the other bounds, then the
/// dust rule: [`choose_repay`]'s rules for any health model. Inlined: with its return slot it would take six
/// registers on SBF, which passes five.
#[inline(always)]
pub(crate) fn bound_repay(
    target: u64,
    debt: &HealthPosition,
    collateral: &HealthPosition,
    prices: &ExchangePrices,
    request: &LiquidationRequest,
) -> RiskResult<(u64, RepayLimit)> {
    let by_collateral = prices.debt_for(collateral.deposit_tokens)?.map(|bound| bound.max(1));
    // The whole debt wins a tie with the target (a target beyond u64 is u64::MAX): the label Target then
    // always means the repay reaches LiqEnd ≥ 0 (finding 14e).
    let mut choice = if target < debt.borrow_tokens {
        (target, RepayLimit::Target)
    } else {
        (debt.borrow_tokens, RepayLimit::WholeDebt)
    };
    if request.max_repay_tokens < choice.0 {
        choice = (request.max_repay_tokens, RepayLimit::Liquidator);
    }
    if let Some(bound) = by_collateral.filter(|bound| *bound <= choice.0) {
        choice = (bound, RepayLimit::Collateral);
    }
    let left = debt.borrow_tokens - choice.0;
    let can_close =
        debt.borrow_tokens <= request.max_repay_tokens && by_collateral.is_none_or(|bound| debt.borrow_tokens <= bound);
    if left > 0 && left < request.debt_dust_tokens && can_close && choice.1 != RepayLimit::Collateral {
        choice = (debt.borrow_tokens, RepayLimit::Dust);
    }
    Ok(choice)
}

/// `repay` in whole borrow shares: `(tokens the liquidator pays, debt surely cleared)`. The whole debt clears
/// every share at its full value. A part clears `repay / index` shares, rounded up when the LiqEnd target
/// decided the repay (so the target is reached) unless that would pay more than the liquidator's maximum,
/// else rounded down; the liquidator pays the shares' value rounded up and the account is credited their
/// value rounded down. The debt after, `borrow_tokens_of(shares left)`, is then at most the plan's figure.
///
/// Errors: [`RiskError::RepayBelowOneShare`] when no whole share fits; [`RiskError::DivisionByZero`].
pub(crate) fn settle_in_shares(
    repay: u64,
    limit: RepayLimit,
    debt_tokens: u64,
    request: &LiquidationRequest,
) -> RiskResult<(u64, u64)> {
    if repay >= debt_tokens {
        return Ok((debt_tokens, debt_tokens));
    }
    let index = request.debt_borrow_index;
    let rounding = if limit == RepayLimit::Target { Rounding::Up } else { Rounding::Down };
    let mut shares = mul_div(repay, INDEX_SCALE, index, rounding)?;
    let mut paid = mul_div(shares, index, INDEX_SCALE, Rounding::Up)?;
    if paid > request.max_repay_tokens.min(debt_tokens) {
        shares = mul_div(repay, INDEX_SCALE, index, Rounding::Down)?;
        paid = mul_div(shares, index, INDEX_SCALE, Rounding::Up)?;
    }
    if shares == 0 {
        return Err(RiskError::RepayBelowOneShare);
    }
    if paid >= debt_tokens {
        return Ok((debt_tokens, debt_tokens));
    }
    Ok((paid, mul_div(shares, index, INDEX_SCALE, Rounding::Down)?))
}

/// Collateral to the liquidator for `cleared` debt, and the limit that applied; all of the position (limit
/// [`RepayLimit::Collateral`]) when the collateral is the limit or does not cover the debt cleared.
pub(crate) fn seize(
    cleared: u64,
    limit: RepayLimit,
    available: u64,
    prices: &ExchangePrices,
) -> RiskResult<(u64, RepayLimit)> {
    if limit != RepayLimit::Collateral {
        let seized = prices.collateral_for(cleared)?;
        if seized <= available {
            return Ok((seized, limit));
        }
    }
    Ok((available, RepayLimit::Collateral))
}

/// The largest repay whose repay and insurance fee together fit `budget` native units of the debt token: the fee
/// is `fee_bps` of the debt cleared (at most the repay), rounded up, so repay + fee ≤ repay · (1 + fee) + 1; the
/// answer is ⌊(budget − 1) / (1 + fee)⌋. What a bot holding `budget` may pass as `max_repay`.
///
/// Errors: [`RiskError::MathOverflow`] (never for a fee below 100 %).
pub fn max_repay_within(budget: u64, fee_bps: u32) -> RiskResult<u64> {
    if fee_bps == 0 {
        return Ok(budget);
    }
    mul_div(budget.saturating_sub(1), BPS, BPS + u64::from(fee_bps), Rounding::Down)
}

/// What a liquidation earns the liquidator, in quote units, with the price risk of holding the seized
/// collateral and the debt bought back taken at Maint prices (the oracle price less, and plus, the confidence
/// haircut): value of `plan.seized_to_liquidator` at `collateral`'s Maint asset price (rounded down) − value
/// of `plan.repay_tokens` and the insurance fee it pays (`plan.insurance_fee_tokens`) at `debt`'s Maint
/// liability price (rounded up) − `fee_quote` (the transaction's fees, quote units). Negative when the bonus
/// does not cover the haircuts and fees.
///
/// Errors: [`RiskError::MathOverflow`] when a value exceeds i64.
pub fn liquidator_profit(
    plan: &LiquidationPlan,
    (debt, collateral): (&OraclePrice, &OraclePrice),
    fee_quote: u64,
) -> RiskResult<i64> {
    let seized =
        crate::price::token_value(plan.seized_to_liquidator, collateral.maint_asset, collateral.scale, Rounding::Down)?;
    let paid = add(plan.repay_tokens, plan.insurance_fee_tokens)?;
    let repaid = crate::price::token_value(paid, debt.maint_liability, debt.scale, Rounding::Up)?;
    let signed = |value: u64| i64::try_from(value).map_err(|_| RiskError::MathOverflow);
    let gain = signed(seized)?.checked_sub(signed(repaid)?).ok_or(RiskError::MathOverflow)?;
    gain.checked_sub(signed(fee_quote)?).ok_or(RiskError::MathOverflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::compute_health;
    use crate::health::RiskWeights;
    use crate::price::{validate_price, PythPrice};
    use crate::testkit::{
        liquidation_config, oracle_config, pyth, pyth_strategy, sol, sol_weights, usdc, weights_strategy, NOW,
    };
    use proptest::prelude::*;
    use std::vec::Vec;

    /// The liquidator's profit: seized collateral at the Maint asset price (down), repay at the Maint liability
    /// price (up), less fees; negative when the haircuts and fees exceed the bonus.
    #[test]
    fn liquidator_profit_takes_price_risk_and_fees() {
        let health = Health::default();
        let plan = LiquidationPlan {
            repay_tokens: 100_001,
            debt_cleared_tokens: 100_000,
            seized_to_liquidator: 1_000,
            insurance_fee_tokens: 0,
            collateral_forfeit_tokens: 0,
            bonus_bps: 500,
            limit: RepayLimit::Target,
            maint_before: health,
            maint_after: health,
            liq_end_before: health,
            liq_end_after: health,
            being_liquidated_after: false,
        };
        // Debt at 1.01 quote units per native unit (scale 2), collateral at 147.5 (scale 1).
        let debt = OraclePrice { maint_liability: 101, scale: 2, ..OraclePrice::default() };
        let collateral = OraclePrice { maint_asset: 1_475, scale: 1, ..OraclePrice::default() };
        // 147,500 − ceil(101,001.01) − 5.
        assert_eq!(liquidator_profit(&plan, (&debt, &collateral), 5), Ok(147_500 - 101_002 - 5));
        let thin = LiquidationPlan { seized_to_liquidator: 600, ..plan };
        assert_eq!(liquidator_profit(&thin, (&debt, &collateral), 5), Ok(88_500 - 101_002 - 5));
        // The insurance fee is paid in the debt token on top of the repay: 1,000 more units at 1.01.
        let with_fee = LiquidationPlan { insurance_fee_tokens: 1_000, ..plan };
        assert_eq!(liquidator_profit(&with_fee, (&debt, &collateral), 5), Ok(147_500 - 102_012 - 5));
        let huge = OraclePrice { maint_asset: u64::MAX, scale: 0, ..OraclePrice::default() };
        assert_eq!(liquidator_profit(&plan, (&debt, &huge), 0), Err(RiskError::MathOverflow));
    }

    const SOL: u64 = 1_000_000_000;
    const USDC: u64 = 1_000_000;

    fn request(max_repay_tokens: u64) -> LiquidationRequest {
        LiquidationRequest {
            debt_position: 1,
            collateral_position: 0,
            max_repay_tokens,
            being_liquidated: false,
            debt_dust_tokens: 0,
            debt_borrow_index: INDEX_SCALE,
        }
    }

    /// 10 SOL collateral and 1,100 USDC debt, SOL at `dollars` with 1 % confidence.
    fn underwater(dollars: i64) -> [HealthPosition; 2] {
        [sol(10 * SOL, 0, pyth(dollars * 100_000_000, dollars as u64 * 1_000_000)), usdc(0, 1_100 * USDC)]
    }

    fn signed(health: Health) -> i128 {
        health.assets as i128 - health.liabilities as i128
    }

    #[test]
    fn a_healthy_account_is_not_liquidatable() {
        let account = underwater(150);
        assert_eq!(
            plan_liquidation(&account, &request(u64::MAX), &liquidation_config()),
            Err(RiskError::NotLiquidatable)
        );
    }

    #[test]
    fn liquidation_stops_at_the_liq_end_target_and_clears_the_flag() {
        // SOL $120 ± 1.2: Maint assets 10 × 118.8 × 0.9 = 1,069.2 < liabilities 1,100 × 1.0001 × 1.02 = 1,122.1122.
        let account = underwater(120);
        let plan = plan_liquidation(&account, &request(u64::MAX), &liquidation_config()).unwrap();
        assert_eq!(plan.maint_before, Health { assets: 1_069_200_000, liabilities: 1_122_112_200 });
        // depth = 52.9122 / 1,122.1122 = 471.5 bps, rounded down; bonus = 200 + 471 = 671 bps (under the 800 cap).
        assert_eq!(plan.bonus_bps, 671);
        assert_eq!(plan.limit, RepayLimit::Target);
        assert!(plan.liq_end_after.is_nonnegative());
        assert!(!plan.being_liquidated_after);
        // Seized at oracle prices: repay · $1 · (1 + 6.71 % bonus + 1 % fee) / $120 per SOL, rounded down; the
        // 1 % fee is paid by the liquidator in USDC on top of the repay, rounded up.
        let expected_to_liquidator = plan.repay_tokens as u128 * 1_000 * 10_771 / 10_000 / 120;
        assert_eq!(plan.seized_to_liquidator as u128, expected_to_liquidator);
        assert_eq!(plan.insurance_fee_tokens, plan.debt_cleared_tokens.div_ceil(100));
        assert!(signed(plan.maint_after) > signed(plan.maint_before));
    }

    #[test]
    fn two_partial_steps_keep_the_flag_until_the_target() {
        let account = underwater(120);
        let full = plan_liquidation(&account, &request(u64::MAX), &liquidation_config()).unwrap();
        let first = plan_liquidation(&account, &request(full.repay_tokens / 2), &liquidation_config()).unwrap();
        assert_eq!(first.limit, RepayLimit::Liquidator);
        assert_eq!(first.repay_tokens, full.repay_tokens / 2);
        assert!(first.being_liquidated_after);
        let after_first = [
            HealthPosition { deposit_tokens: account[0].deposit_tokens - first.seized_to_liquidator, ..account[0] },
            HealthPosition { borrow_tokens: account[1].borrow_tokens - first.repay_tokens, ..account[1] },
        ];
        let second_request = LiquidationRequest { being_liquidated: true, ..request(u64::MAX) };
        let second = plan_liquidation(&after_first, &second_request, &liquidation_config()).unwrap();
        assert_eq!(second.limit, RepayLimit::Target);
        assert!(!second.being_liquidated_after);
        assert!(second.liq_end_after.is_nonnegative());
    }

    #[test]
    fn the_flag_alone_does_not_allow_liquidating_above_the_target() {
        let account = underwater(150);
        let flagged = LiquidationRequest { being_liquidated: true, ..request(u64::MAX) };
        assert_eq!(plan_liquidation(&account, &flagged, &liquidation_config()), Err(RiskError::NotLiquidatable));
    }

    #[test]
    fn a_crash_beyond_the_collateral_seizes_all_of_it() {
        // SOL $50: 10 SOL are worth $500 against $1,100 of debt.
        let account = underwater(50);
        let plan = plan_liquidation(&account, &request(u64::MAX), &liquidation_config()).unwrap();
        assert_eq!(plan.limit, RepayLimit::Collateral);
        assert_eq!(plan.bonus_bps, 800);
        assert_eq!(plan.seized_to_liquidator + plan.collateral_forfeit_tokens, 10 * SOL);
        // $500 / 1.09 = 458.715596 3 USDC, rounded up: a repay requirement (issue 10, item 5).
        assert_eq!(plan.repay_tokens, 458_715_597);
        // The 1 % fee on the debt cleared, in USDC, rounded up, paid by the liquidator to the debt bank's
        // insurance vault (finding 9).
        assert_eq!(plan.insurance_fee_tokens, 4_587_156);
        assert!(plan.being_liquidated_after);
    }

    #[test]
    fn dust_left_below_the_threshold_is_repaid_in_full() {
        let account = underwater(120);
        let full = plan_liquidation(&account, &request(u64::MAX), &liquidation_config()).unwrap();
        let left = 1_100 * USDC - full.repay_tokens;
        let dusty = LiquidationRequest { debt_dust_tokens: left + 1, ..request(u64::MAX) };
        let plan = plan_liquidation(&account, &dusty, &liquidation_config()).unwrap();
        assert_eq!(plan.limit, RepayLimit::Dust);
        assert_eq!(plan.repay_tokens, 1_100 * USDC);
        // At the threshold exactly, the normal target applies.
        let at = LiquidationRequest { debt_dust_tokens: left, ..request(u64::MAX) };
        assert_eq!(plan_liquidation(&account, &at, &liquidation_config()).unwrap().repay_tokens, full.repay_tokens);
    }

    #[test]
    fn malformed_requests_are_named_errors() {
        let account = underwater(120);
        let config = liquidation_config();
        let same = LiquidationRequest { collateral_position: 1, ..request(1) };
        assert_eq!(plan_liquidation(&account, &same, &config), Err(RiskError::InvalidLiquidationPair));
        let beyond = LiquidationRequest { debt_position: 2, ..request(1) };
        assert_eq!(plan_liquidation(&account, &beyond, &config), Err(RiskError::InvalidLiquidationPair));
        let swapped = LiquidationRequest { debt_position: 0, collateral_position: 1, ..request(1) };
        assert_eq!(plan_liquidation(&account, &swapped, &config), Err(RiskError::NoDebtToRepay));
        let no_collateral = [usdc(0, 0), account[1]];
        assert_eq!(plan_liquidation(&no_collateral, &request(1), &config), Err(RiskError::NoCollateralToSeize));
        assert_eq!(plan_liquidation(&account, &request(0), &config), Err(RiskError::ZeroAmount));
    }

    #[test]
    fn every_oracle_of_the_account_must_be_usable() {
        let mut stale = pyth(150_00000000, 0);
        stale.publish_time = NOW - 61;
        let with_stale_third = [underwater(120)[0], underwater(120)[1], sol(SOL, 0, stale)];
        assert_eq!(
            plan_liquidation(&with_stale_third, &request(u64::MAX), &liquidation_config()),
            Err(RiskError::StalePrice)
        );
        // A confidence beyond the 5 % liquidation limit is capped there, never refused (finding 11): the
        // account is liquidated exactly as at the limit.
        let at_limit = [sol(10 * SOL, 0, pyth(120_00000000, 6_00000000)), usdc(0, 1_100 * USDC)];
        let too_wide = [sol(10 * SOL, 0, pyth(120_00000000, 60_00000000)), usdc(0, 1_100 * USDC)];
        assert_eq!(
            plan_liquidation(&too_wide, &request(u64::MAX), &liquidation_config()),
            plan_liquidation(&at_limit, &request(u64::MAX), &liquidation_config())
        );
        assert!(plan_liquidation(&too_wide, &request(u64::MAX), &liquidation_config()).is_ok());
    }

    #[test]
    fn weights_that_cannot_improve_health_are_refused() {
        let flat = RiskWeights {
            init_asset_bps: 10_000,
            maint_asset_bps: 10_000,
            init_liability_bps: 10_000,
            maint_liability_bps: 10_000,
            size: crate::size::SizeRule::OFF,
        };
        let price = |dollars: i64| validate_price(&pyth(dollars * 100_000_000, 0), &oracle_config(), 6, NOW);
        let account = [
            HealthPosition { deposit_tokens: 100 * USDC, borrow_tokens: 0, weights: flat, price: price(1) },
            HealthPosition { deposit_tokens: 0, borrow_tokens: 101 * USDC, weights: flat, price: price(1) },
        ];
        let no_premium = LiquidationConfig { min_bonus_bps: 0, max_bonus_bps: 0, insurance_fee_bps: 0 };
        assert_eq!(
            plan_liquidation(&account, &request(u64::MAX), &no_premium),
            Err(RiskError::LiquidationCannotImprove)
        );
    }

    #[test]
    fn bonus_grows_with_depth_up_to_the_maximum() {
        let config = liquidation_config();
        assert_eq!(liquidation_bonus_bps(&Health { assets: 100, liabilities: 100 }, &config), Ok(200));
        assert_eq!(liquidation_bonus_bps(&Health { assets: 97, liabilities: 100 }, &config), Ok(500));
        assert_eq!(liquidation_bonus_bps(&Health { assets: 0, liabilities: 100 }, &config), Ok(800));
        assert_eq!(liquidation_bonus_bps(&Health::default(), &config), Ok(200));
    }

    #[test]
    fn liquidation_config_validation() {
        assert_eq!(liquidation_config().validate(9_000), Ok(()));
        // (1 + 8 % + 1 %) × 0.92 > 1
        assert_eq!(liquidation_config().validate(9_200), Err(RiskError::InvalidLiquidationConfig));
        let unordered = LiquidationConfig { min_bonus_bps: 900, ..liquidation_config() };
        assert_eq!(unordered.validate(5_000), Err(RiskError::InvalidLiquidationConfig));
    }

    /// 1,000 USDC of collateral against 10 whole tokens of a 1-decimal $100 token (100 native units) owed at
    /// a borrow index of 1.02: one share is 1.02 native units, $10.20.
    fn owing_a_one_decimal_token() -> ([HealthPosition; 2], LiquidationRequest) {
        let hundred = validate_price(&pyth(100_00000000, 10_000_000), &oracle_config(), 1, NOW);
        let debt = HealthPosition { deposit_tokens: 0, borrow_tokens: 100, weights: sol_weights(), price: hundred };
        let index = INDEX_SCALE / 100 * 102;
        ([usdc(1_000 * USDC, 0), debt], LiquidationRequest { debt_borrow_index: index, ..request(1) })
    }

    #[test]
    fn a_repay_below_one_borrow_share_is_refused_not_paid_for_with_collateral() {
        let (account, one_unit) = owing_a_one_decimal_token();
        assert!(!compute_health(&account, HealthType::Maint).unwrap().is_nonnegative());
        // 1 native unit < one share (1.02 units): it would clear no debt, so it seizes nothing.
        assert_eq!(plan_liquidation(&account, &one_unit, &liquidation_config()), Err(RiskError::RepayBelowOneShare));
        // 2 units clear one share: the liquidator pays ceil(1.02) = 2, the debt surely falls by floor(1.02) = 1
        // unit ($10), and the collateral seized follows that $10, not the $20 paid.
        let two_units = LiquidationRequest { max_repay_tokens: 2, ..one_unit };
        let plan = plan_liquidation(&account, &two_units, &liquidation_config()).unwrap();
        assert_eq!((plan.repay_tokens, plan.debt_cleared_tokens), (2, 1));
        let premium = 10_000 + u64::from(plan.bonus_bps) + 100;
        assert_eq!(plan.seized_to_liquidator, 10 * USDC * premium / 10_000, "$10 × (1 + bonus + fee) of USDC at $1");
        // The fee, 1 % of the unit cleared, rounded up, is paid in the debt token.
        assert_eq!(plan.insurance_fee_tokens, 1);
    }

    #[test]
    fn collateral_worth_less_than_one_debt_share_is_forfeit_so_the_account_can_go_bankrupt() {
        // Issue 21, finding 4: 1 µUSDC of collateral left against 1,100 USDC-like debt at a borrow index of
        // 1.02: it pays for less than one share (1.02 units), so it used to be refused (RepayBelowOneShare)
        // and kept the debt on the books for ever. It is forfeit: nothing paid, nothing seized.
        let account = [usdc(1, 0), usdc(0, 1_100 * USDC)];
        let request = LiquidationRequest { debt_borrow_index: INDEX_SCALE / 100 * 102, ..request(u64::MAX) };
        let plan = plan_liquidation(&account, &request, &liquidation_config()).unwrap();
        assert_eq!(plan.limit, RepayLimit::CollateralBelowOneShare);
        assert_eq!((plan.repay_tokens, plan.seized_to_liquidator, plan.insurance_fee_tokens), (0, 0, 0));
        assert_eq!(plan.collateral_forfeit_tokens, 1);
        assert_eq!(plan.maint_after.assets, 0);
        // A whole share's worth of collateral is liquidated as before.
        let enough = [usdc(3, 0), usdc(0, 1_100 * USDC)];
        let plan = plan_liquidation(&enough, &request, &liquidation_config()).unwrap();
        assert_eq!((plan.limit, plan.collateral_forfeit_tokens), (RepayLimit::Collateral, 0));
        assert!(plan.repay_tokens >= 2);
    }

    #[test]
    fn seized_collateral_never_exceeds_the_exact_exchange() {
        // Issue 10, item 1: a 9-decimal token at 91484738·10^-10 prices at 9,148,473.8 on the 10^-12 grid.
        // Dividing by the price rounded down seized 109,307,859,355,326,293 for 1,000,000 USDC where the
        // exact exchange (bonus 0) is 109,307,849,796,760,640.
        let cheap = validate_price(&PythPrice { exponent: -10, ..pyth(91_484_738, 0) }, &oracle_config(), 9, NOW);
        let collateral = HealthPosition {
            deposit_tokens: 200_000_000_000_000_000,
            borrow_tokens: 0,
            weights: sol_weights(),
            price: cheap,
        };
        let no_premium = LiquidationConfig { min_bonus_bps: 0, max_bonus_bps: 0, insurance_fee_bps: 0 };
        let account = [collateral, usdc(0, 1_700_000 * USDC)];
        let plan = plan_liquidation(&account, &request(1_000_000 * USDC), &no_premium).unwrap();
        assert_eq!((plan.limit, plan.debt_cleared_tokens), (RepayLimit::Liquidator, 1_000_000 * USDC));
        // Exactly: 10^12 native USDC × 10^12 (its scaled price) / 9,148,473.8, rounded down.
        let exact = plan.debt_cleared_tokens as u128 * 10u128.pow(13) / 91_484_738;
        let seized = plan.seized_to_liquidator as u128;
        assert!(seized <= exact && exact - seized < 12_000_000_000, "seized {seized}, exact {exact}");
    }

    #[test]
    fn a_collateral_limited_repay_rounds_up() {
        // Issue 10, item 5: 3 units of a 0-decimal $5 token against 2 units of a 0-decimal $10 debt. The
        // collateral ($15) pays for 15 / (10 × 1.09) = 1.376 units of debt: the repay is 2, not 1.
        let price = |dollars: i64| validate_price(&pyth(dollars * 100_000_000, 0), &oracle_config(), 0, NOW);
        let collateral =
            HealthPosition { deposit_tokens: 3, borrow_tokens: 0, weights: sol_weights(), price: price(5) };
        let debt = HealthPosition { deposit_tokens: 0, borrow_tokens: 2, weights: sol_weights(), price: price(10) };
        let plan = plan_liquidation(&[collateral, debt], &request(u64::MAX), &liquidation_config()).unwrap();
        assert_eq!((plan.limit, plan.bonus_bps), (RepayLimit::Collateral, 800));
        assert_eq!(plan.repay_tokens, 2);
        assert_eq!(plan.seized_to_liquidator + plan.collateral_forfeit_tokens, 3);
    }

    #[test]
    fn a_repay_that_buys_a_fraction_of_the_collateral_takes_only_that_fraction() {
        // Issue 10, item 2: u64::MAX native units of a 6-decimal $10^-6 token ($18.4M, weighted ×5) owed
        // against $100M of USDC (maint weight 0.9). The collateral bound is beyond u64; it used to tie with
        // the whole debt and win, giving the liquidator $99M of USDC for $18.4M. (The collateral's Init weight
        // is 0, so the LiqEnd target is beyond u64 too: all three bounds tie.)
        let token = validate_price(&pyth(100, 0), &oracle_config(), 6, NOW);
        let heavy = RiskWeights { init_liability_bps: 50_000, maint_liability_bps: 50_000, ..sol_weights() };
        let debt = HealthPosition { deposit_tokens: 0, borrow_tokens: u64::MAX, weights: heavy, price: token };
        let no_init_credit = RiskWeights { init_asset_bps: 0, ..sol_weights() };
        let collateral = HealthPosition { weights: no_init_credit, ..usdc(100_000_000 * USDC, 0) };
        let plan = plan_liquidation(&[collateral, debt], &request(u64::MAX), &liquidation_config()).unwrap();
        assert_ne!(plan.limit, RepayLimit::Collateral);
        // The seizure follows the repay: $18.45M × (1 + bonus + fee) of USDC, not the $100M.
        let premium = 10_000 + u128::from(plan.bonus_bps) + 100;
        let bought = plan.debt_cleared_tokens as u128 * premium / 10_000 / 1_000_000;
        let seized = (plan.seized_to_liquidator + plan.collateral_forfeit_tokens) as u128;
        assert!(seized <= bought && bought - seized <= 2, "seized {seized}, the repay buys {bought}");
        assert!(seized < 25_000_000 * USDC as u128);
    }

    #[test]
    fn a_maint_beyond_i64_still_plans() {
        // Issue 10, item 3b: $10^13 of USDC debt against 10^9 SOL. Maint ≈ −$10^13 (−10^19 quote units) is
        // beyond i64, but the plan only compares healths, never needs them signed.
        let account = [sol(1_000_000_000 * SOL, 0, pyth(150_00000000, 15_000_000)), usdc(0, 10_000_000_000_000 * USDC)];
        let maint = compute_health(&account, HealthType::Maint).unwrap();
        assert_eq!(maint.value(), Err(RiskError::MathOverflow));
        let plan = plan_liquidation(&account, &request(1_000_000 * USDC), &liquidation_config()).unwrap();
        assert_eq!(plan.repay_tokens, 1_000_000 * USDC);
        assert!(plan.maint_before.gap_below(&plan.maint_after).unwrap() > 0, "Maint rose");
    }

    #[test]
    fn a_target_repay_rounds_up_to_whole_shares_within_the_liquidators_maximum() {
        let (account, request) = owing_a_one_decimal_token();
        let uncapped = LiquidationRequest { max_repay_tokens: u64::MAX, ..request };
        let plan = plan_liquidation(&account, &uncapped, &liquidation_config()).unwrap();
        if plan.limit == RepayLimit::Target {
            assert!(plan.liq_end_after.is_nonnegative(), "whole shares still reach the target");
        }
        assert!(plan.debt_cleared_tokens <= plan.repay_tokens);
    }

    /// A liquidatable two-bank account plus unrelated positions: collateral of a random bank, a debt worth
    /// 60–150 % of it in another.
    fn liquidatable_strategy() -> impl Strategy<Value = (Vec<HealthPosition>, LiquidationConfig)> {
        (
            (weights_strategy(), pyth_strategy(), 5u8..=9, 1_000u64..10_000_000_000_000),
            (weights_strategy(), pyth_strategy(), 5u8..=9),
            6_000u64..15_000,
            (0u32..=500, 0u32..=500, 0u32..=200),
        )
            .prop_map(
                |(
                    (c_weights, c_price, c_decimals, c_amount),
                    (d_weights, d_price, d_decimals),
                    ratio_bps,
                    (min_bonus, extra, fee),
                )| {
                    let collateral = HealthPosition {
                        deposit_tokens: c_amount,
                        borrow_tokens: 0,
                        weights: c_weights,
                        price: validate_price(&c_price, &oracle_config(), c_decimals, NOW),
                    };
                    let mut debt = HealthPosition {
                        deposit_tokens: 0,
                        borrow_tokens: 0,
                        weights: d_weights,
                        price: validate_price(&d_price, &oracle_config(), d_decimals, NOW),
                    };
                    if let (Ok(c), Ok(d)) = (collateral.price, debt.price) {
                        let value = c_amount as u128 * c.oracle as u128;
                        debt.borrow_tokens = (value * ratio_bps as u128 / 10_000 / d.oracle.max(1) as u128)
                            .min(u64::MAX as u128 / 4) as u64;
                    }
                    // Keep the premium within what the collateral's maint weight allows.
                    let max_premium = (100_000_000 / c_weights.maint_asset_bps.max(1)).saturating_sub(10_000);
                    let max_bonus = (min_bonus + extra).min(max_premium);
                    let config = LiquidationConfig {
                        min_bonus_bps: min_bonus.min(max_bonus),
                        max_bonus_bps: max_bonus,
                        insurance_fee_bps: fee.min(max_premium - max_bonus),
                    };
                    (std::vec![collateral, debt], config)
                },
            )
    }

    proptest! {
        /// A repay sized by [`max_repay_within`] and its fee (on any debt cleared up to the repay) fit the budget.
        #[test]
        fn a_repay_within_the_budget_leaves_room_for_its_fee(budget in any::<u64>(), fee_bps in 0u32..=2_000, cleared_cut in 0u64..=1_000) {
            let repay = max_repay_within(budget, fee_bps).unwrap();
            let cleared = repay - repay.min(cleared_cut);
            let fee = mul_div(cleared, u64::from(fee_bps), BPS, Rounding::Up).unwrap();
            prop_assert!(u128::from(repay) + u128::from(fee) <= u128::from(budget));
            // And not much below it: one more unit of repay (with its fee) may not fit.
            prop_assert!(u128::from(repay) * (10_000 + u128::from(fee_bps)) / 10_000 + 3 >= u128::from(budget));
        }

        /// Invariant 5: liquidation never lowers Maint health while the collateral covers the repay, always
        /// reaches the LiqEnd target when the target is the limit, and passes it by no more than rounding.
        #[test]
        fn liquidation_improves_maint_and_stops_at_the_target((account, config) in liquidatable_strategy(), max_repay in 1u64..u64::MAX, flagged: bool) {
            prop_assert_eq!(config.validate(account[0].weights.maint_asset_bps), Ok(()));
            let request = LiquidationRequest { debt_position: 1, collateral_position: 0, max_repay_tokens: max_repay, being_liquidated: flagged, debt_dust_tokens: 0, debt_borrow_index: INDEX_SCALE };
            let plan = match plan_liquidation(&account, &request, &config) {
                Ok(plan) => plan,
                Err(_) => return Ok(()),
            };
            prop_assert!(plan.repay_tokens >= 1);
            prop_assert!(plan.repay_tokens <= account[1].borrow_tokens.min(max_repay));
            prop_assert!(plan.seized_to_liquidator + plan.collateral_forfeit_tokens <= account[0].deposit_tokens);
            if plan.limit != RepayLimit::Collateral {
                prop_assert!(signed(plan.maint_after) >= signed(plan.maint_before));
            } else {
                prop_assert_eq!(plan.seized_to_liquidator + plan.collateral_forfeit_tokens, account[0].deposit_tokens);
            }
            if plan.limit == RepayLimit::Target {
                prop_assert!(plan.liq_end_after.is_nonnegative());
                // Overshoot: a few quote units of per-position rounding, one unit of debt's value, and the
                // 10^-12 precision of prices over the amounts moved.
                let debt_unit = weighted_liability_price(&account[1], HealthType::LiqEnd).unwrap();
                let collateral_unit = weighted_asset_price(&account[0], HealthType::LiqEnd).unwrap();
                let (debt_scale, collateral_scale) = (crate::health::price_scale(&account[1]), crate::health::price_scale(&account[0]));
                let descale = |value: u64, scale: u8| (value as u128 / 10u128.checked_pow(u32::from(scale)).unwrap_or(u128::MAX)) as u64;
                let bound = 10 + 2 * (descale(debt_unit, debt_scale) + 1) + 3 * (descale(collateral_unit, collateral_scale) + 1) + 4 * (descale(plan.repay_tokens, debt_scale) + 1);
                prop_assert!(signed(plan.liq_end_after) <= bound as i128, "LiqEnd after {:?}, bound {}", plan.liq_end_after, bound);
            }
            prop_assert_eq!(plan.being_liquidated_after, !plan.liq_end_after.is_nonnegative());
        }

        /// Repaying more than the plan allows never helps the liquidatee more than the target asks: the plan's
        /// repay with one fewer unit would not have reached the target by the same margin.
        #[test]
        fn liquidation_outputs_are_consistent((account, config) in liquidatable_strategy()) {
            let request = LiquidationRequest { debt_position: 1, collateral_position: 0, max_repay_tokens: u64::MAX, being_liquidated: false, debt_dust_tokens: 0, debt_borrow_index: INDEX_SCALE };
            if let Ok(plan) = plan_liquidation(&account, &request, &config) {
                // Recompute the after-state from scratch: the plan's incremental health must match.
                let after = [
                    HealthPosition { deposit_tokens: account[0].deposit_tokens - plan.seized_to_liquidator - plan.collateral_forfeit_tokens, ..account[0] },
                    HealthPosition { borrow_tokens: account[1].borrow_tokens - plan.debt_cleared_tokens, ..account[1] },
                ];
                prop_assert_eq!(crate::health::compute_health(&after, HealthType::Maint).unwrap(), plan.maint_after);
                prop_assert_eq!(crate::health::compute_health(&after, HealthType::LiqEnd).unwrap(), plan.liq_end_after);
            }
        }

        /// Whole shares: for any borrow index and share count, a partial liquidation clears exactly the shares
        /// the program will clear for the tokens paid, the debt left is at most what the plan assumed, and the
        /// account is never credited more than the liquidator paid.
        #[test]
        fn the_debt_is_cleared_in_whole_shares((account, config) in liquidatable_strategy(), index in INDEX_SCALE..4 * INDEX_SCALE, max_repay in 1u64..u64::MAX) {
            let shares = crate::interest::repay_shares_for(account[1].borrow_tokens, index).unwrap_or(0);
            let debt = HealthPosition { borrow_tokens: crate::interest::borrow_tokens_of(shares, index).unwrap(), ..account[1] };
            let account = [account[0], debt];
            let request = LiquidationRequest { debt_borrow_index: index, ..request(max_repay) };
            if let Ok(plan) = plan_liquidation(&account, &request, &config) {
                prop_assert!(plan.debt_cleared_tokens <= plan.repay_tokens);
                prop_assert!(plan.repay_tokens <= max_repay.min(debt.borrow_tokens));
                if plan.repay_tokens < debt.borrow_tokens {
                    let cleared = crate::interest::repay_shares_for(plan.repay_tokens, index).unwrap();
                    prop_assert!(cleared > 0);
                    prop_assert_eq!(crate::interest::borrow_tokens_of(cleared, index).unwrap(), plan.repay_tokens);
                    let left = crate::interest::borrow_tokens_of(shares - cleared, index).unwrap();
                    prop_assert!(left <= debt.borrow_tokens - plan.debt_cleared_tokens);
                }
            }
        }

        /// Invariant of the flag (issue: the flag that never cleared): over random sequences of price moves,
        /// liquidations, repays, borrows and deposits, an account is liquidated at Maint ≥ 0 only if no
        /// instruction since its last liquidation found it without debt or with LiqEnd ≥ 0.
        #[test]
        fn a_flagged_account_that_showed_health_is_liquidatable_only_below_maint(steps in proptest::collection::vec((0u8..5, 60i64..200, 1u64..=1_000), 1..40)) {
            let mut account = [sol(10 * SOL, 0, pyth(150_00000000, 15_000_000)), usdc(0, 1_100 * USDC)];
            let mut price = pyth(150_00000000, 15_000_000);
            let (mut flag, mut showed_health_since_liquidation) = (false, true);
            for (action, dollars, fraction) in steps {
                let has_debt = |account: &[HealthPosition; 2]| account[1].borrow_tokens > 0;
                match action {
                    0 => price = pyth(dollars * 100_000_000, dollars as u64 * 100_000),
                    1 => {
                        let request = LiquidationRequest { max_repay_tokens: account[1].borrow_tokens / 1_000 * fraction + 1, being_liquidated: flag, ..request(0) };
                        if let Ok(plan) = plan_liquidation(&account, &request, &liquidation_config()) {
                            if plan.maint_before.is_nonnegative() {
                                prop_assert!(!showed_health_since_liquidation, "liquidated at Maint ≥ 0 after showing health");
                            }
                            account[0].deposit_tokens -= plan.seized_to_liquidator + plan.collateral_forfeit_tokens;
                            account[1].borrow_tokens -= plan.debt_cleared_tokens;
                            flag = plan.being_liquidated_after;
                            showed_health_since_liquidation = !flag;
                        }
                    }
                    2 => {
                        // Repay (no oracle, no health): a part, or all of it.
                        account[1].borrow_tokens -= account[1].borrow_tokens / 1_000 * fraction;
                        flag = flag_after_health_shown(flag, has_debt(&account), false);
                        showed_health_since_liquidation |= !has_debt(&account);
                    }
                    3 => {
                        // Borrow a fraction of the Init limit: the program's Init check.
                        if let Ok(limit) = crate::health::max_borrow(&account, 1) {
                            let amount = limit.min(1 << 50) / 1_000 * fraction;
                            let mut after = account;
                            after[1].borrow_tokens += amount;
                            let init = compute_health(&after, HealthType::Init).unwrap();
                            if amount > 0 && init.is_nonnegative() {
                                prop_assert!(compute_health(&after, HealthType::LiqEnd).unwrap().is_nonnegative());
                                account = after;
                                flag = flag_after_health_shown(flag, has_debt(&account), true);
                                showed_health_since_liquidation = true;
                            }
                        }
                    }
                    _ => {
                        // Deposit (no oracle, no health).
                        account[0].deposit_tokens += SOL / 1_000 * fraction;
                        flag = flag_after_health_shown(flag, has_debt(&account), false);
                        showed_health_since_liquidation |= !has_debt(&account);
                    }
                }
                account[0] = HealthPosition { price: validate_price(&price, &oracle_config(), 9, NOW), ..account[0] };
            }
        }
    }
}
