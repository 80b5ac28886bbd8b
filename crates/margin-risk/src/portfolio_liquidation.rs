//! Liquidation of an account whose banks are in correlation groups (issue 26): the same plan as
//! [`crate::liquidation::plan_liquidation`] (bonus, bounds, whole shares, dust, seizure, fee), with health
//! taken by the group rule ([`crate::portfolio`]) and the repay to the LiqEnd target solved against it.
//!
//! LiqEnd health after clearing x debt tokens is, but for rounding, concave and piecewise linear in x: each
//! group's requirement is the largest of linear pieces (its scenarios and break scenarios). So the planner
//! steps as Newton's method does, from x = 0: at x it takes the slope of the piece that decides each group's
//! requirement (its [`Margin`]), and steps to where that line reaches the target. A tangent of a concave
//! function lies above it, so a step never passes the smallest repay that reaches the target; on a piecewise
//! linear function it lands on it after at most one step per piece crossed. It stops after
//! [`MAX_TARGET_STEPS`] steps, or where the slope is no longer positive (this pair cannot lift LiqEnd further:
//! [`RepayLimit::BestImprovement`]). Each candidate's health is computed exactly, not from the slope.
//!
//! Guarantees (property-tested against a search over every repay): the repay never exceeds the smallest
//! that lifts LiqEnd ≥ 0 by more than the rounding a single-position liquidation has; when the collateral
//! suffices, Maint never falls (a plan that would lower it is refused, `LiquidationCannotImprove`).
use crate::error::{RiskError, RiskResult};
use crate::health::{price_scale, weighted_asset_price, weighted_liability_price, Health, HealthPosition, HealthType};
use crate::liquidation::{
    bound_repay, exchange_prices, is_liquidatable, liquidation_bonus_bps, pair, plan_liquidation, seize,
    settle_in_shares, ExchangePrices, LiquidationConfig, LiquidationPlan, LiquidationRequest, RepayLimit,
};
use crate::math::{add, mul_div, mul_pow10_div, Rounding, BPS};
use crate::portfolio::{is_ungrouped, margin_of, Account, GroupMembership, Margin, UNIT_WEIGHTS};

/// Most Newton steps the planner takes (each one health evaluation and one slope).
pub const MAX_TARGET_STEPS: usize = 6;

/// Plans a liquidation of `positions`, `memberships[i]` the group of `positions[i]`'s bank, as `request`
/// asks, with the collateral bank's `config`. Without groups, exactly [`plan_liquidation`].
///
/// Errors: [`plan_liquidation`]'s, and [`RiskError::PositionOutOfRange`] when the slices differ in length.
///
/// Inlined: its two slices and its return slot would take six registers on SBF, which passes five.
#[inline(always)]
pub fn plan_account_liquidation(
    positions: &[HealthPosition],
    memberships: &[GroupMembership],
    request: &LiquidationRequest,
    config: &LiquidationConfig,
) -> RiskResult<LiquidationPlan> {
    if is_ungrouped(memberships) {
        return plan_liquidation(positions, request, config);
    }
    let account = Account::new(positions, memberships)?;
    pair(positions, request)?;
    grouped_plan(&account, request, config)
}

/// [`plan_account_liquidation`] of an account with groups whose pair [`pair`] has checked, in its own stack
/// frame (SBF frames hold 4 KiB).
#[inline(never)]
fn grouped_plan(
    account: &Account,
    request: &LiquidationRequest,
    config: &LiquidationConfig,
) -> RiskResult<LiquidationPlan> {
    let account = *account;
    let (debt, collateral) = (account.position(request.debt_position), account.position(request.collateral_position));
    let maint_before = account.health(HealthType::Maint)?;
    let liq_end_before = account.health(HealthType::LiqEnd)?;
    if !is_liquidatable(&maint_before, &liq_end_before, request.being_liquidated) {
        return Err(RiskError::NotLiquidatable);
    }
    let bonus_bps = liquidation_bonus_bps(&maint_before, config)?;
    let prices = exchange_prices(&debt.price?, &collateral.price?, bonus_bps, config.insurance_fee_bps)?;
    let pair = Pair { account, request, prices: &prices };
    let (target, reached) = pair.repay_to_target(liq_end_before)?;
    let (repay, mut limit) = bound_repay(target, debt, collateral, &prices, request)?;
    if limit == RepayLimit::Target && !reached {
        limit = RepayLimit::BestImprovement;
    }
    let (repay_tokens, debt_cleared_tokens) = match settle_in_shares(repay, limit, debt.borrow_tokens, request) {
        Err(RiskError::RepayBelowOneShare) if limit == RepayLimit::Collateral => {
            return pair.forfeit_plan((maint_before, liq_end_before), bonus_bps);
        }
        other => other?,
    };
    let (mut seized_to_liquidator, limit) = seize(debt_cleared_tokens, limit, collateral.deposit_tokens, &prices)?;
    let mut maint_after = pair.after(debt_cleared_tokens, seized_to_liquidator)?.health(HealthType::Maint)?;
    if limit != RepayLimit::Collateral && maint_after.gap_below(&maint_before)? > 0 {
        let deficit = add(maint_after.gap_below(&maint_before)?, 1)?;
        seized_to_liquidator = pair.give_back(debt_cleared_tokens, seized_to_liquidator, deficit)?;
        maint_after = pair.after(debt_cleared_tokens, seized_to_liquidator)?.health(HealthType::Maint)?;
        if maint_after.gap_below(&maint_before)? > 0 {
            return Err(RiskError::LiquidationCannotImprove);
        }
    }
    let liq_end_after = pair.after(debt_cleared_tokens, seized_to_liquidator)?.health(HealthType::LiqEnd)?;
    Ok(LiquidationPlan {
        repay_tokens,
        debt_cleared_tokens,
        seized_to_liquidator,
        insurance_fee_tokens: prices.fee_for(debt_cleared_tokens)?,
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

/// The account, the liquidation asked for and its exchange prices.
struct Pair<'a> {
    account: Account<'a>,
    request: &'a LiquidationRequest,
    prices: &'a ExchangePrices,
}

impl Pair<'_> {
    fn debt(&self) -> &HealthPosition {
        self.account.position(self.request.debt_position)
    }

    fn collateral(&self) -> &HealthPosition {
        self.account.position(self.request.collateral_position)
    }

    /// The account after `cleared` debt tokens are cleared and `seized` collateral tokens taken.
    fn after(&self, cleared: u64, seized: u64) -> RiskResult<Account<'_>> {
        let change = Change {
            debt_position: self.request.debt_position,
            collateral_position: self.request.collateral_position,
            cleared,
            seized,
        };
        Ok(changed(&self.account, &change))
    }

    /// The account after clearing `cleared` debt tokens for the collateral they buy.
    fn after_clearing(&self, cleared: u64) -> RiskResult<Account<'_>> {
        self.after(cleared, self.prices.collateral_for(cleared)?)
    }

    /// Newton's steps toward LiqEnd ≥ 0 (module docs): `(repay, whether it reaches the target)`. A repay at or
    /// beyond the debt or the collateral is returned as reaching it: those bounds then decide.
    #[inline(never)]
    fn repay_to_target(&self, before: Health) -> RiskResult<(u64, bool)> {
        let (debt, collateral) = (self.debt(), self.collateral());
        let scale = u32::from(price_scale(debt));
        let (mut cleared, mut health) = (0u64, before);
        for _ in 0..MAX_TARGET_STEPS {
            if health.is_nonnegative() {
                return Ok((cleared, true));
            }
            let gain = self.marginal_gain(&self.after_clearing(cleared)?)?;
            if gain == 0 {
                return if cleared == 0 { Err(RiskError::LiquidationCannotImprove) } else { Ok((cleared, false)) };
            }
            let needed = add(health.shortfall(), 2)?;
            let step = mul_pow10_div(needed, scale, gain, Rounding::Up).unwrap_or(u64::MAX).max(1);
            let next = cleared.saturating_add(step);
            let beyond_collateral =
                self.prices.collateral_for(next).is_ok_and(|seized| seized > collateral.deposit_tokens);
            if next >= debt.borrow_tokens || beyond_collateral || self.prices.collateral_for(next).is_err() {
                return Ok((next, true));
            }
            let next_health = self.after_clearing(next)?.health(HealthType::LiqEnd)?;
            if next_health.value()? < health.value()? {
                // Past the top: no repay of this pair reaches the target; the last one improved most.
                return Ok((cleared, false));
            }
            (cleared, health) = (next, next_health);
        }
        Ok((cleared, health.is_nonnegative()))
    }

    /// LiqEnd quote units (at the debt's price scale) one more debt token cleared gains `state`: the debt's
    /// marginal liability value less the marginal asset value of the collateral it costs; 0 when it gains
    /// nothing.
    #[inline(never)]
    fn marginal_gain(&self, state: &Account) -> RiskResult<u64> {
        let debt = self.debt();
        let debt_value = match margin_of(state, self.request.debt_position, HealthType::LiqEnd)? {
            Margin::OwnWeight => weighted_liability_price(debt, HealthType::LiqEnd)?,
            Margin::Moved(moved) => {
                moved_value(unit_liability_price(debt, HealthType::LiqEnd)?, moved, Rounding::Down)?
            }
        };
        let collateral_value = marginal_asset_price(state, self.request.collateral_position, HealthType::LiqEnd)?;
        let cost = mul_div(self.prices.total_up, collateral_value, self.prices.collateral.max(1), Rounding::Up)?;
        Ok(debt_value.saturating_sub(cost))
    }

    /// The seizure less the collateral handed back so Maint does not fall: `deficit` quote units at the
    /// collateral's marginal Maint value, rounded up; `LiquidationCannotImprove` when that is more than was
    /// seized.
    #[inline(never)]
    fn give_back(&self, cleared: u64, seized: u64, deficit: u64) -> RiskResult<u64> {
        let state = self.after(cleared, seized)?;
        let unit_value = marginal_asset_price(&state, self.request.collateral_position, HealthType::Maint)?;
        let scale = u32::from(price_scale(self.collateral()));
        let give_back = mul_pow10_div(deficit, scale, unit_value.max(1), Rounding::Up)?;
        seized.checked_sub(give_back).ok_or(RiskError::LiquidationCannotImprove)
    }

    /// The whole collateral position burned without a seizure (it pays for less than one debt share), as
    /// [`crate::liquidation`]'s forfeit plan, with health by the group rule.
    #[inline(never)]
    fn forfeit_plan(
        &self,
        (maint_before, liq_end_before): (Health, Health),
        bonus_bps: u32,
    ) -> RiskResult<LiquidationPlan> {
        let emptied = self.after(0, u64::MAX)?;
        let liq_end_after = emptied.health(HealthType::LiqEnd)?;
        Ok(LiquidationPlan {
            repay_tokens: 0,
            debt_cleared_tokens: 0,
            seized_to_liquidator: 0,
            insurance_fee_tokens: 0,
            collateral_forfeit_tokens: self.collateral().deposit_tokens,
            bonus_bps,
            limit: RepayLimit::CollateralBelowOneShare,
            maint_before,
            maint_after: emptied.health(HealthType::Maint)?,
            liq_end_before,
            liq_end_after,
            being_liquidated_after: !liq_end_after.is_nonnegative(),
        })
    }
}

/// What one more collateral token at `index` is worth in `state`'s health under `health_type` at the margin,
/// quote units at its price scale, rounded up (a cost).
fn marginal_asset_price(state: &Account, index: usize, health_type: HealthType) -> RiskResult<u64> {
    let collateral = state.position(index);
    match margin_of(state, index, health_type)? {
        Margin::OwnWeight => weighted_asset_price(collateral, health_type),
        Margin::Moved(moved) => {
            let unit = HealthPosition { weights: UNIT_WEIGHTS, deposit_tokens: 1, ..*collateral };
            moved_value(weighted_asset_price(&unit, health_type)?, moved, Rounding::Up)
        }
    }
}

/// A debt's liability price per native unit at weight 1.
fn unit_liability_price(debt: &HealthPosition, health_type: HealthType) -> RiskResult<u64> {
    weighted_liability_price(&HealthPosition { weights: UNIT_WEIGHTS, borrow_tokens: 1, ..*debt }, health_type)
}

/// `price` × (10,000 + `moved`) / 10,000 (`moved` ≥ −10,000).
fn moved_value(price: u64, moved: i32, rounding: Rounding) -> RiskResult<u64> {
    let factor = u64::try_from(i64::from(moved) + BPS as i64).map_err(|_| RiskError::MathOverflow)?;
    mul_div(price, factor, BPS, rounding)
}

/// A liquidation's change to an account: debt tokens cleared at one position, collateral tokens taken at another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Change {
    /// Index of the debt position.
    pub debt_position: usize,
    /// Index of the collateral position.
    pub collateral_position: usize,
    /// Debt cleared, native units (at most the debt).
    pub cleared: u64,
    /// Collateral taken, native units (at most the deposit).
    pub seized: u64,
}

/// `account` after `change` (each amount at most its position).
fn changed<'a>(account: &Account<'a>, change: &Change) -> Account<'a> {
    let (debt, collateral) = (account.position(change.debt_position), account.position(change.collateral_position));
    account.with([
        (
            change.debt_position,
            HealthPosition { borrow_tokens: debt.borrow_tokens.saturating_sub(change.cleared), ..*debt },
        ),
        (
            change.collateral_position,
            HealthPosition { deposit_tokens: collateral.deposit_tokens.saturating_sub(change.seized), ..*collateral },
        ),
    ])
}

/// The health of `positions` under `health_type` by the group rule after `change`: what a plan's health after
/// is, for clients checking a plan and for tests. [`RiskError::PositionOutOfRange`] for an index beyond them.
pub fn health_after(
    positions: &[HealthPosition],
    memberships: &[GroupMembership],
    change: &Change,
    health_type: HealthType,
) -> RiskResult<Health> {
    let account = Account::new(positions, memberships)?;
    if change.debt_position.max(change.collateral_position) >= positions.len() {
        return Err(RiskError::PositionOutOfRange);
    }
    changed(&account, change).health(health_type)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::compute_health;
    use crate::portfolio::{account_health, MAX_SCENARIOS};
    use crate::testkit::{liquidation_config, pyth, sol, usdc};
    use proptest::prelude::*;
    use std::vec::Vec;

    const SOL: u64 = 1_000_000_000;
    const USDC: u64 = 1_000_000;

    /// Group 1: both −10 %, both +10 %, a 5 % de-peg either way; Init and LiqEnd at 1.2×.
    fn sol_group(leg: usize) -> GroupMembership {
        let mut moves = [0i16; MAX_SCENARIOS];
        moves[..4].copy_from_slice(&[-1_000, 1_000, 500, -500]);
        if leg == 1 {
            moves[2] = -500;
            moves[3] = 500;
        }
        GroupMembership { group: 1, moves_bps: moves, init_scale_bps: 12_000 }
    }

    fn request(debt_position: usize, collateral_position: usize) -> LiquidationRequest {
        LiquidationRequest {
            debt_position,
            collateral_position,
            max_repay_tokens: u64::MAX,
            being_liquidated: false,
            debt_dust_tokens: 0,
            debt_borrow_index: crate::interest::INDEX_SCALE,
        }
    }

    #[test]
    fn a_hedge_is_liquidated_on_its_own_pair_to_the_target_and_not_beyond() {
        // 100 SOL deposited, 60 "staking SOL" and 7,000 USDC borrowed; SOL $150. Per position the account is
        // below Maint; by the group rule the hedge is charged for its worst leg, and the liquidation clears
        // the staking-SOL debt against SOL until LiqEnd reaches 0.
        let price = pyth(150_00000000, 15_000_000);
        let account = [sol(100 * SOL, 0, price), sol(0, 60 * SOL, price), usdc(0, 7_000 * USDC)];
        let groups = [sol_group(0), sol_group(1), GroupMembership::NONE];
        let grouped_maint = account_health(&account, &groups, HealthType::Maint).unwrap();
        assert!(compute_health(&account, HealthType::Maint).unwrap().value().unwrap() < grouped_maint.value().unwrap());
        // SOL at $100: by the group rule too the account is below LiqEnd (a liquidation under way: the flag).
        let price = pyth(100_00000000, 10_000_000);
        let account = [sol(100 * SOL, 0, price), sol(0, 60 * SOL, price), usdc(0, 2_500 * USDC)];
        let flagged = LiquidationRequest { being_liquidated: true, ..request(1, 0) };
        assert_eq!(
            plan_account_liquidation(&account, &groups, &request(1, 0), &liquidation_config()),
            Err(RiskError::NotLiquidatable)
        );
        let plan = plan_account_liquidation(&account, &groups, &flagged, &liquidation_config()).unwrap();
        assert_eq!(plan.limit, RepayLimit::Target, "{plan:?}");
        assert!(plan.liq_end_after.is_nonnegative() && !plan.liq_end_before.is_nonnegative());
        assert!(plan.maint_after.value().unwrap() >= plan.maint_before.value().unwrap());
        // Each step lands on the target: a repay short by a hundredth of a SOL leaves LiqEnd < 0.
        let short = plan.debt_cleared_tokens - SOL / 100;
        let prices =
            exchange_prices(&account[1].price.unwrap(), &account[0].price.unwrap(), plan.bonus_bps, 100).unwrap();
        let seized = prices.collateral_for(short).unwrap();
        let health = health_after(
            &account,
            &groups,
            &Change { debt_position: 1, collateral_position: 0, cleared: short, seized },
            HealthType::LiqEnd,
        )
        .unwrap();
        assert!(!health.is_nonnegative(), "{health:?}");
        let beyond = Change { debt_position: 3, collateral_position: 0, cleared: 1, seized: 1 };
        assert_eq!(health_after(&account, &groups, &beyond, HealthType::LiqEnd), Err(RiskError::PositionOutOfRange));
        // Without groups, exactly the single-position planner.
        let none = [GroupMembership::NONE; 3];
        assert_eq!(
            plan_account_liquidation(&account, &none, &request(2, 0), &liquidation_config()),
            plan_liquidation(&account, &request(2, 0), &liquidation_config())
        );
    }

    #[test]
    fn a_pair_that_unhedges_the_group_cannot_lower_maint() {
        // SOL deposit hedging a staking-SOL debt, and a USDC debt: repaying the USDC for SOL unhedges the
        // group (its +30 % scenario charges the staking-SOL debt more than the SOL it keeps): refused or at
        // worst Maint kept.
        let price = pyth(100_00000000, 10_000_000);
        let account = [sol(100 * SOL, 0, price), sol(0, 80 * SOL, price), usdc(0, 1_900 * USDC)];
        let groups = [sol_group(0), sol_group(1), GroupMembership::NONE];
        match plan_account_liquidation(&account, &groups, &request(2, 0), &liquidation_config()) {
            Ok(plan) => assert!(plan.maint_after.value().unwrap() >= plan.maint_before.value().unwrap(), "{plan:?}"),
            Err(error) => {
                assert!(matches!(error, RiskError::LiquidationCannotImprove | RiskError::NotLiquidatable), "{error:?}")
            }
        }
    }

    /// 2 to 5 SOL-like positions at $50–$200, some in group 1 (joint moves, a de-peg), and a USDC debt that
    /// puts Maint between 5 % above and 20 % below 0; the debt and collateral named among them.
    fn grouped_account() -> impl Strategy<Value = (Vec<HealthPosition>, Vec<GroupMembership>, usize, usize)> {
        (
            proptest::collection::vec((1u64..2_000 * SOL, any::<bool>(), any::<bool>(), 50i64..200), 2..=5),
            proptest::array::uniform4(-4_000i16..=4_000),
            10_000u32..=20_000,
            -500i64..=2_000,
            (any::<prop::sample::Index>(), any::<prop::sample::Index>()),
        )
            .prop_map(|(legs, scenario, scale, depth_bps, (debt, collateral))| {
                let mut positions = Vec::new();
                let mut groups = Vec::new();
                for (i, (amount, long, grouped, dollars)) in legs.iter().enumerate() {
                    let price = pyth(dollars * 100_000_000, *dollars as u64 * 100_000);
                    let (deposit, borrow) = if *long || i == 0 { (*amount, 0) } else { (0, *amount / 2) };
                    positions.push(sol(deposit, borrow, price));
                    let mut moves = [0i16; MAX_SCENARIOS];
                    moves[..4].copy_from_slice(&scenario);
                    moves[4] = if i % 2 == 0 { 800 } else { -800 };
                    let membership = GroupMembership { group: 1, moves_bps: moves, init_scale_bps: scale };
                    groups.push(if *grouped { membership } else { GroupMembership::NONE });
                }
                let maint = account_health(&positions, &groups, HealthType::Maint).unwrap().value().unwrap().max(0);
                let usdc_debt = (i128::from(maint) * i128::from(10_000 + depth_bps) / 10_200) as u64;
                positions.push(usdc(0, usdc_debt.max(USDC)));
                groups.push(GroupMembership::NONE);
                let debts: Vec<usize> = (0..positions.len()).filter(|i| positions[*i].borrow_tokens > 0).collect();
                let deposits: Vec<usize> = (0..positions.len()).filter(|i| positions[*i].deposit_tokens > 0).collect();
                (positions, groups, debts[debt.index(debts.len())], deposits[collateral.index(deposits.len())])
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]
        /// Every plan: never more than asked or held; Maint never falls unless the collateral ran out; a
        /// Target plan reaches LiqEnd ≥ 0 and a repay shorter by the rounding slack does not; a
        /// BestImprovement plan improves LiqEnd.
        #[test]
        fn plans_reach_the_target_without_passing_it(
            (positions, groups, debt, collateral) in grouped_account(), max_repay in 1u64..u64::MAX,
        ) {
            let request = LiquidationRequest { max_repay_tokens: max_repay, ..request(debt, collateral) };
            let Ok(plan) = plan_account_liquidation(&positions, &groups, &request, &liquidation_config()) else {
                return Ok(());
            };
            prop_assert!(plan.repay_tokens <= max_repay);
            prop_assert!(plan.debt_cleared_tokens <= positions[debt].borrow_tokens);
            prop_assert!(plan.seized_to_liquidator <= positions[collateral].deposit_tokens);
            let value = |health: Health| health.value().unwrap();
            if plan.limit != RepayLimit::Collateral && plan.limit != RepayLimit::CollateralBelowOneShare {
                prop_assert!(value(plan.maint_after) >= value(plan.maint_before), "{:?}", plan);
            }
            let after = health_after(&positions, &groups, &Change { debt_position: debt, collateral_position: collateral, cleared: plan.debt_cleared_tokens, seized: plan.seized_to_liquidator }, HealthType::LiqEnd).unwrap();
            prop_assert_eq!(after, plan.liq_end_after);
            match plan.limit {
                RepayLimit::Target => {
                    prop_assert!(plan.liq_end_after.is_nonnegative());
                    let prices = exchange_prices(&positions[debt].price.unwrap(), &positions[collateral].price.unwrap(), plan.bonus_bps, 100).unwrap();
                    let unit = unit_liability_price(&positions[debt], HealthType::LiqEnd).unwrap().max(1);
                    let slack = 2 + mul_pow10_div(8, u32::from(price_scale(&positions[debt])), unit, Rounding::Up).unwrap_or(u64::MAX) + plan.debt_cleared_tokens / 10_000;
                    let short = plan.debt_cleared_tokens.saturating_sub(slack);
                    if short > 0 {
                        let seized = prices.collateral_for(short).unwrap();
                        let before = health_after(&positions, &groups, &Change { debt_position: debt, collateral_position: collateral, cleared: short, seized }, HealthType::LiqEnd).unwrap();
                        prop_assert!(!before.is_nonnegative(), "short {} of {}: {:?}", short, plan.debt_cleared_tokens, before);
                    }
                }
                RepayLimit::BestImprovement => prop_assert!(value(plan.liq_end_after) > value(plan.liq_end_before)),
                _ => {}
            }
        }
    }
}
