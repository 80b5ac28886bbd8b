//! Portfolio margin (issue 26): correlation groups, SPAN-lite. Governance puts banks whose prices move together
//! (SOL and its staking tokens, USDC and USDT) in a group and gives each bank its move in each of the group's
//! scenarios (up to [`MAX_SCENARIOS`], CME SPAN's count: joint moves up and down, and a de-peg). An account's
//! requirement for its positions in a group is the worst loss over the scenarios, gains in one bank offsetting
//! losses in another, and never below the largest single position's own requirement under its weights: the
//! scenario where the group's assumption breaks and one leg moves alone by its own haircut. So a hedge (a SOL
//! deposit against an mSOL debt) is charged for the spread and the worst single leg, not for both legs as if
//! unrelated.
//!
//! In a group, positions count at their conservative prices with weight 1 and the group requirement is added
//! to the liabilities. Init uses Init prices, the Init weights (and size rule) in the break scenarios and the
//! moves scaled by the group's `init_scale_bps`; LiqEnd the same at Maint prices; Maint the Maint weights and
//! the moves as given. So Init ≤ LiqEnd ≤ Maint still holds.
//!
//! The program keeps each bank's membership ([`GroupMembership`], set by governance through
//! [`validate_group`]) and takes every health through [`account_health`]; liquidations are planned by
//! [`crate::portfolio_liquidation`]; clients solve max borrow, max withdraw and liquidation prices by the same
//! rule ([`account_max_borrow`], [`account_max_withdraw`], [`account_liquidation_price`]).
use crate::error::{RiskError, RiskResult};
use crate::health::{compute_health, position_health, Health, HealthPosition, HealthType, RiskWeights};
use crate::math::{add, div_wide_by_pow10, wide_mul, Rounding, BPS};
use crate::size::SizeRule;

/// Most scenarios a group holds.
pub const MAX_SCENARIOS: usize = 16;
/// Largest move a scenario may give a bank, bps either way (a fall of 100 % at most).
pub const MAX_MOVE_BPS: i16 = 10_000;
/// Largest Init scale of a group's moves, bps (3×).
pub const MAX_INIT_SCALE_BPS: u32 = 30_000;
/// Most banks one correlation group holds.
pub const MAX_GROUP_BANKS: usize = 8;
/// The least gap, bps, between two members' moves in some scenario: every pair of a group's banks must have a
/// de-peg scenario (their moves at least this far apart), so a group never assumes two prices cannot part.
pub const MIN_DEPEG_BPS: i32 = 100;

/// A bank's membership of a correlation group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupMembership {
    /// The group (0: none; the bank is margined alone). The program uses the id + 1 of the proposal that
    /// formed the group, so banks set by different proposals never mix their scenarios.
    pub group: u64,
    /// The bank's price move in each of the group's scenarios, bps (signed); scenarios the group does not use
    /// are 0 in every bank.
    pub moves_bps: [i16; MAX_SCENARIOS],
    /// The multiple of the moves Init and LiqEnd use, bps (≥ 10,000).
    pub init_scale_bps: u32,
}

impl GroupMembership {
    /// Not in a group.
    pub const NONE: GroupMembership =
        GroupMembership { group: 0, moves_bps: [0; MAX_SCENARIOS], init_scale_bps: BPS as u32 };

    /// Moves within ±[`MAX_MOVE_BPS`] and an Init scale from 1× to [`MAX_INIT_SCALE_BPS`].
    pub fn validate(&self) -> RiskResult<()> {
        let moves_ok = self.moves_bps.iter().all(|m| (-MAX_MOVE_BPS..=MAX_MOVE_BPS).contains(m));
        let scale_ok = (BPS as u32..=MAX_INIT_SCALE_BPS).contains(&self.init_scale_bps);
        if moves_ok && scale_ok {
            Ok(())
        } else {
            Err(RiskError::InvalidRiskWeights)
        }
    }
}

/// A group governance may form: 2 to [`MAX_GROUP_BANKS`] banks, `moves[i]` the scenario moves of the i-th,
/// each within ±100 %, an Init scale from 1× to 3×, and for every pair of banks a de-peg scenario (their moves
/// at least [`MIN_DEPEG_BPS`] apart), so the group never assumes two prices cannot part.
///
/// Errors: [`RiskError::InvalidCorrelationGroup`].
pub fn validate_group(moves: &[[i16; MAX_SCENARIOS]], init_scale_bps: u32) -> RiskResult<()> {
    let members_ok = (2..=MAX_GROUP_BANKS).contains(&moves.len());
    let each_ok = moves
        .iter()
        .all(|moves_bps| GroupMembership { group: 1, moves_bps: *moves_bps, init_scale_bps }.validate().is_ok());
    let depeg = |a: &[i16; MAX_SCENARIOS], b: &[i16; MAX_SCENARIOS]| {
        a.iter().zip(b).any(|(x, y)| (i32::from(*x) - i32::from(*y)).abs() >= MIN_DEPEG_BPS)
    };
    let pairs_ok = moves.iter().enumerate().all(|(i, a)| moves[i + 1..].iter().all(|b| depeg(a, b)));
    if members_ok && each_ok && pairs_ok {
        Ok(())
    } else {
        Err(RiskError::InvalidCorrelationGroup)
    }
}

/// The account's health under `health_type`: [`compute_health`] when no position's bank is in a group (the
/// program's cost for such accounts is unchanged), else [`portfolio_health`]. Every health the program,
/// the SDK, the bot and the simulator compute goes through here.
pub fn account_health(
    positions: &[HealthPosition],
    memberships: &[GroupMembership],
    health_type: HealthType,
) -> RiskResult<Health> {
    if is_ungrouped(memberships) {
        compute_health(positions, health_type)
    } else {
        portfolio_health(positions, memberships, health_type)
    }
}

/// No bank in a group (an empty slice too).
pub fn is_ungrouped(memberships: &[GroupMembership]) -> bool {
    memberships.iter().all(|membership| membership.group == 0)
}

/// The account's health under `health_type` with `memberships[i]` the group of `positions[i]`'s bank:
/// ungrouped positions as [`crate::health::compute_health`] counts them, each group's positions at weight 1
/// plus the group's requirement ([`group_requirement`]) in the liabilities.
///
/// Errors: [`RiskError::PositionOutOfRange`] when the two slices differ in length; the prices' errors as
/// health has them.
#[inline(never)]
pub fn portfolio_health(
    positions: &[HealthPosition],
    memberships: &[GroupMembership],
    health_type: HealthType,
) -> RiskResult<Health> {
    Account::new(positions, memberships)?.health(health_type)
}

/// An account's positions and their banks' memberships, index for index, with at most two positions
/// replaced (a liquidation's debt and collateral after it), so a plan evaluates its candidates without
/// copying the account.
#[derive(Clone, Copy)]
pub(crate) struct Account<'a> {
    positions: &'a [HealthPosition],
    memberships: &'a [GroupMembership],
    changes: [Option<(usize, HealthPosition)>; 2],
}

impl<'a> Account<'a> {
    /// The two slices, of equal length ([`RiskError::PositionOutOfRange`] otherwise).
    pub(crate) fn new(positions: &'a [HealthPosition], memberships: &'a [GroupMembership]) -> RiskResult<Self> {
        if positions.len() != memberships.len() {
            return Err(RiskError::PositionOutOfRange);
        }
        Ok(Account { positions, memberships, changes: [None, None] })
    }

    /// This account with `changes` in place of the positions at their indexes.
    pub(crate) fn with(&self, changes: [(usize, HealthPosition); 2]) -> Self {
        Account { changes: changes.map(Some), ..*self }
    }

    /// The position at `index` (a replaced one as replaced).
    pub(crate) fn position(&self, index: usize) -> &HealthPosition {
        for (changed, position) in self.changes.iter().flatten() {
            if *changed == index {
                return position;
            }
        }
        &self.positions[index]
    }

    /// The group of the position at `index`.
    pub(crate) fn group_of(&self, index: usize) -> u64 {
        self.memberships[index].group
    }

    /// Health under `health_type`: ungrouped positions alone, each group once (at its first position).
    pub(crate) fn health(&self, health_type: HealthType) -> RiskResult<Health> {
        let mut total = Health::default();
        for (index, membership) in self.memberships.iter().enumerate() {
            let part = if membership.group == 0 {
                position_health(self.position(index), health_type)?
            } else if self.memberships[..index].iter().any(|earlier| earlier.group == membership.group) {
                continue;
            } else {
                group_health(self, membership.group, health_type)?
            };
            total = Health {
                assets: add(total.assets, part.assets)?,
                liabilities: add(total.liabilities, part.liabilities)?,
            };
        }
        Ok(total)
    }
}

/// One group's part of the account's health: its positions at weight 1, and its requirement as a liability.
/// Its own stack frame (its legs take about 500 bytes; SBF frames hold 4 KiB, and five register arguments).
#[inline(never)]
fn group_health(account: &Account, group: u64, health_type: HealthType) -> RiskResult<Health> {
    with_group_legs(account, group, health_type, |legs, _, scale| {
        let requirement = group_requirement(legs, scale)?;
        let mut health = Health { assets: 0, liabilities: requirement };
        for leg in legs {
            health.assets = add(health.assets, leg.asset_value)?;
            health.liabilities = add(health.liabilities, leg.liability_value)?;
        }
        Ok(health)
    })
}

/// Calls `f` with the legs of `group`'s positions in `account` under `health_type`, the account index of
/// each leg, and the scale of the moves the health type uses (the largest member's Init scale for Init and
/// LiqEnd, 1× for Maint).
fn with_group_legs<R>(
    account: &Account,
    group: u64,
    health_type: HealthType,
    f: impl FnOnce(&[Leg], &[usize], u32) -> RiskResult<R>,
) -> RiskResult<R> {
    let unused = Leg { asset_value: 0, liability_value: 0, own_requirement: 0, moves_bps: &NO_MOVES };
    let mut legs = [unused; MAX_GROUP_LEGS];
    let mut indexes = [0usize; MAX_GROUP_LEGS];
    let mut count = 0;
    let mut init_scale_bps = BPS as u32;
    for (index, membership) in account.memberships.iter().enumerate().filter(|(_, m)| m.group == group) {
        let slot = legs.get_mut(count).ok_or(RiskError::PositionOutOfRange)?;
        *slot = Leg::of(account.position(index), membership, health_type)?;
        indexes[count] = index;
        count += 1;
        init_scale_bps = init_scale_bps.max(membership.init_scale_bps);
    }
    let scale = match health_type {
        HealthType::Init | HealthType::LiqEnd => init_scale_bps,
        HealthType::Maint => BPS as u32,
    };
    f(&legs[..count], &indexes[..count], scale)
}

/// How one more native unit of the position at `index` counts in the account's health under
/// `health_type` at the margin: for an ungrouped position, or where its group's requirement is its own leg
/// (the break scenario), at its own weight; where the group charges nothing, at weight 1; where a scenario
/// decides the requirement, at weight 1 + the scenario's (scaled, capped) move. So the marginal value of a
/// unit is its weight-1 value × `Moved`'s (10,000 + move) / 10,000.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Margin {
    /// At the position's own weight.
    OwnWeight,
    /// At weight 1 + this move, bps (≥ −10,000).
    Moved(i32),
}

/// The [`Margin`] of the position at `index` in `account` under `health_type`.
pub(crate) fn margin_of(account: &Account, index: usize, health_type: HealthType) -> RiskResult<Margin> {
    let group = account.group_of(index);
    if group == 0 {
        return Ok(Margin::OwnWeight);
    }
    with_group_legs(account, group, health_type, |legs, indexes, scale| {
        let leg = indexes.iter().position(|i| *i == index).ok_or(RiskError::PositionOutOfRange)?;
        Ok(match requirement_piece(legs, scale)?.1 {
            Piece::Zero => Margin::Moved(0),
            Piece::Leg(worst) if worst == leg => Margin::OwnWeight,
            Piece::Leg(_) => Margin::Moved(0),
            Piece::Scenario { scenario, scale_bps } => Margin::Moved(effective_move(&legs[leg], scenario, scale_bps)),
        })
    })
}

/// The most native units of `positions[index]`'s bank the account may borrow with Init health ≥ 0 by the
/// group rule ([`crate::health::max_borrow`]'s answer, exact, when no bank is in a group): the largest amount
/// whose Init health is ≥ 0, found by bisection (Init health never rises with a debt: a scenario's fall is at
/// most 100 %). Off-chain (about 64 health evaluations).
pub fn account_max_borrow(
    positions: &[HealthPosition],
    memberships: &[GroupMembership],
    index: usize,
) -> RiskResult<u64> {
    if is_ungrouped(memberships) {
        return crate::health::max_borrow(positions, index);
    }
    let account = Account::new(positions, memberships)?;
    let position = *positions.get(index).ok_or(RiskError::PositionOutOfRange)?;
    if position.deposit_tokens > 0 {
        return Ok(0);
    }
    // A borrow needs a usable price even when the account owes nothing in this bank yet.
    crate::health::weighted_liability_price(&HealthPosition { borrow_tokens: 1, ..position }, HealthType::Init)?;
    let passes = |extra: u64| -> bool {
        let borrowed = HealthPosition { borrow_tokens: position.borrow_tokens.saturating_add(extra), ..position };
        account.with([(index, borrowed), (index, borrowed)]).health(HealthType::Init).is_ok_and(|h| h.is_nonnegative())
    };
    Ok(largest_passing(u64::MAX - position.borrow_tokens, passes))
}

/// The most native units the account may withdraw from `positions[index]` with Init health ≥ 0 by the group
/// rule (exact by bisection, as [`account_max_borrow`]; [`crate::health::max_withdraw`] without groups). An
/// account without debt withdraws its whole deposit.
pub fn account_max_withdraw(
    positions: &[HealthPosition],
    memberships: &[GroupMembership],
    index: usize,
) -> RiskResult<u64> {
    if is_ungrouped(memberships) {
        return crate::health::max_withdraw(positions, index);
    }
    let account = Account::new(positions, memberships)?;
    let position = *positions.get(index).ok_or(RiskError::PositionOutOfRange)?;
    if positions.iter().all(|position| position.borrow_tokens == 0) {
        return Ok(position.deposit_tokens);
    }
    let passes = |amount: u64| -> bool {
        let left = HealthPosition { deposit_tokens: position.deposit_tokens - amount, ..position };
        account.with([(index, left), (index, left)]).health(HealthType::Init).is_ok_and(|h| h.is_nonnegative())
    };
    Ok(largest_passing(position.deposit_tokens, passes))
}

/// The largest x in [0, `most`] with `passes(x)`, for `passes` true up to some point and false beyond it; 0
/// when even 0 fails.
fn largest_passing(most: u64, passes: impl Fn(u64) -> bool) -> u64 {
    if passes(most) {
        return most;
    }
    if !passes(0) {
        return 0;
    }
    let (mut pass, mut fail) = (0u64, most);
    while fail - pass > 1 {
        let middle = pass + (fail - pass) / 2;
        if passes(middle) {
            pass = middle;
        } else {
            fail = middle;
        }
    }
    pass
}

/// The liquidation price of the collateral `positions[index]` by the group rule: the highest oracle price at
/// which Maint health is negative, every other price held ([`crate::health::liquidation_price`]'s rule, which
/// it is without groups). Maint never falls as a deposit's own price rises (a scenario's move is a fraction of
/// it), so bisection finds it exactly.
pub fn account_liquidation_price(
    positions: &[HealthPosition],
    memberships: &[GroupMembership],
    index: usize,
) -> RiskResult<Option<u64>> {
    if is_ungrouped(memberships) {
        return crate::health::liquidation_price(positions, index);
    }
    let account = Account::new(positions, memberships)?;
    let position = *positions.get(index).ok_or(RiskError::PositionOutOfRange)?;
    let Ok(price) = position.price else {
        return Ok(None);
    };
    if position.deposit_tokens == 0 || price.oracle == 0 {
        return Ok(None);
    }
    let not_negative_at = |oracle: u64| -> bool {
        let Ok(moved) = crate::health::price_moved_to(&price, oracle) else { return false };
        let moved = HealthPosition { price: Ok(moved), ..position };
        account.with([(index, moved), (index, moved)]).health(HealthType::Maint).is_ok_and(|h| h.is_nonnegative())
    };
    if not_negative_at(0) {
        return Ok(None);
    }
    if !not_negative_at(price.oracle) {
        return Ok(Some(price.oracle));
    }
    let (mut negative, mut not_negative) = (0, price.oracle);
    while not_negative - negative > 1 {
        let middle = negative + (not_negative - negative) / 2;
        if not_negative_at(middle) {
            not_negative = middle;
        } else {
            negative = middle;
        }
    }
    Ok(Some(negative))
}

/// Positions a group may hold in one account: every position of the largest account.
pub const MAX_GROUP_LEGS: usize = 16;

/// No moves (an unused leg slot).
const NO_MOVES: [i16; MAX_SCENARIOS] = [0; MAX_SCENARIOS];

/// One position of a group as the requirement sees it, quote units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Leg<'a> {
    /// The deposit at its conservative asset price, weight 1 (rounded down).
    pub asset_value: u64,
    /// The debt at its conservative liability price, weight 1 (rounded up).
    pub liability_value: u64,
    /// What the position's own weights charge it: asset value less weighted assets, plus weighted
    /// liabilities less the liability value.
    pub own_requirement: u64,
    /// The bank's move in each scenario, bps.
    pub moves_bps: &'a [i16; MAX_SCENARIOS],
}

/// Unit weights: a position counted at its conservative prices alone.
pub(crate) const UNIT_WEIGHTS: RiskWeights = RiskWeights {
    init_asset_bps: BPS as u32,
    maint_asset_bps: BPS as u32,
    init_liability_bps: BPS as u32,
    maint_liability_bps: BPS as u32,
    size: SizeRule::OFF,
};

impl<'a> Leg<'a> {
    /// The leg of `position` under `health_type` (the same price rules as health: an Init deposit with an
    /// unusable price counts 0, such a debt is the price's error).
    pub fn of(
        position: &HealthPosition,
        membership: &'a GroupMembership,
        health_type: HealthType,
    ) -> RiskResult<Leg<'a>> {
        let plain = position_health(&HealthPosition { weights: UNIT_WEIGHTS, ..*position }, health_type)?;
        let weighted = position_health(position, health_type)?;
        // Asset weights ≤ 1 ≤ liability weights (validated), so both differences are ≥ 0.
        let own_requirement =
            add(plain.assets.saturating_sub(weighted.assets), weighted.liabilities.saturating_sub(plain.liabilities))?;
        Ok(Leg {
            asset_value: plain.assets,
            liability_value: plain.liabilities,
            own_requirement,
            moves_bps: &membership.moves_bps,
        })
    }
}

/// Which part of the rule decides a group's requirement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Nothing is charged (every scenario gains, no leg has a requirement of its own).
    Zero,
    /// The break scenario of this leg: its own requirement.
    Leg(usize),
    /// This scenario with its moves × `scale_bps`.
    Scenario { scenario: usize, scale_bps: u32 },
}

/// The group's requirement, quote units: the largest of each scenario's net loss and of each leg's own
/// requirement (the break scenario). A scenario's loss is taken with its moves as given and, when `scale_bps`
/// is above 1×, with its moves scaled too (a fall capped at 100 %, which scaling can make kinder to a hedge:
/// the larger of the two keeps Init and LiqEnd at or below Maint); losses are rounded up, gains down, never
/// below 0.
pub fn group_requirement(legs: &[Leg], scale_bps: u32) -> RiskResult<u64> {
    Ok(requirement_piece(legs, scale_bps)?.0)
}

/// [`group_requirement`] and the piece that decides it (the first of equals).
pub(crate) fn requirement_piece(legs: &[Leg], scale_bps: u32) -> RiskResult<(u64, Piece)> {
    let mut worst = (0, Piece::Zero);
    for (index, leg) in legs.iter().enumerate() {
        if leg.own_requirement > worst.0 {
            worst = (leg.own_requirement, Piece::Leg(index));
        }
    }
    for scenario in 0..MAX_SCENARIOS {
        for scale in [BPS as u32, scale_bps] {
            let loss = scenario_loss(legs, scenario, scale)?;
            if loss > worst.0 {
                worst = (loss, Piece::Scenario { scenario, scale_bps: scale });
            }
            if scale_bps == BPS as u32 {
                break;
            }
        }
    }
    Ok(worst)
}

/// The move of `leg` in `scenario` × `scale_bps` as the requirement takes it, bps: rounded toward zero, a
/// fall capped at 100 %.
fn effective_move(leg: &Leg, scenario: usize, scale_bps: u32) -> i32 {
    let scaled = u64::from(leg.moves_bps[scenario].unsigned_abs()) * u64::from(scale_bps) / BPS;
    if leg.moves_bps[scenario] < 0 {
        -(scaled.min(BPS) as i32)
    } else {
        // At most 10,000 × 3 (validated scales), well inside i32.
        scaled.min(i32::MAX as u64) as i32
    }
}
/// The net loss of `legs` in `scenario` with its moves × `scale_bps` (a fall capped at 100 %): Σ losing values ×
/// move less Σ gaining values × move, exact on 128 bits, divided by 10^4 once, rounded up; 0 when the legs
/// gain.
fn scenario_loss(legs: &[Leg], scenario: usize, scale_bps: u32) -> RiskResult<u64> {
    let (mut loss, mut gain) = ((0u64, 0u64), (0u64, 0u64));
    for leg in legs {
        // Unsigned arithmetic only (SBF has no signed division); no price falls more than 100 %, however
        // scaled (so health stays monotone in every price). The scaled move rounds toward zero.
        let down = leg.moves_bps[scenario] < 0;
        let scaled = u64::from(leg.moves_bps[scenario].unsigned_abs()) * u64::from(scale_bps) / BPS;
        let (falls, rises, size) = if down {
            (leg.asset_value, leg.liability_value, scaled.min(BPS))
        } else {
            (leg.liability_value, leg.asset_value, scaled)
        };
        loss = add_wide(loss, wide_mul(falls, size))?;
        gain = add_wide(gain, wide_mul(rises, size))?;
    }
    if gain >= loss {
        return Ok(0);
    }
    // loss > gain as (high, low) pairs: the difference, then one division rounded up.
    let (low, borrow) = loss.1.overflowing_sub(gain.1);
    let high = loss.0 - gain.0 - u64::from(borrow);
    div_wide_by_pow10(high, low, 4, Rounding::Up)
}

/// `a + b` on (high, low) halves, or [`RiskError::MathOverflow`] beyond 128 bits.
fn add_wide(a: (u64, u64), b: (u64, u64)) -> RiskResult<(u64, u64)> {
    let (low, carry) = a.1.overflowing_add(b.1);
    let high = a.0.checked_add(b.0).and_then(|high| high.checked_add(u64::from(carry)));
    Ok((high.ok_or(RiskError::MathOverflow)?, low))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::compute_health;
    use crate::testkit::{pyth, sol, usdc, weights_strategy, NOW};
    use proptest::prelude::*;
    use std::vec::Vec;

    const SOL: u64 = 1_000_000_000;

    /// SOL and a SOL staking token (priced like SOL here) in group 1: both −30 %, both +30 %, and a de-peg of the
    /// staking token by 5 % either way.
    fn sol_group(depeg_bps: i16) -> GroupMembership {
        let mut moves = [0i16; MAX_SCENARIOS];
        moves[..4].copy_from_slice(&[-3_000, 3_000, 0, 0]);
        GroupMembership { group: 1, moves_bps: moves, init_scale_bps: 12_000 }.with_depeg(depeg_bps)
    }

    impl GroupMembership {
        fn with_depeg(mut self, depeg_bps: i16) -> GroupMembership {
            self.moves_bps[2] = depeg_bps;
            self.moves_bps[3] = -depeg_bps;
            self
        }
    }

    #[test]
    fn a_hedge_pays_for_its_worst_leg_and_the_spread_not_for_both_legs() {
        // 100 SOL deposited against 100 "staking SOL" borrowed (another bank at SOL's price).
        let price = pyth(150_00000000, 15_000_000);
        let hedge = [sol(100 * SOL, 0, price), sol(0, 100 * SOL, price)];
        let groups = [sol_group(0), sol_group(500)];
        for health_type in [HealthType::Init, HealthType::LiqEnd, HealthType::Maint] {
            let alone = compute_health(&hedge, health_type).unwrap();
            let grouped = portfolio_health(&hedge, &groups, health_type).unwrap();
            let legs = [
                Leg::of(&hedge[0], &groups[0], health_type).unwrap(),
                Leg::of(&hedge[1], &groups[1], health_type).unwrap(),
            ];
            let worst_leg = legs[0].own_requirement.max(legs[1].own_requirement);
            // The joint moves cancel; the de-peg costs 5 % (×1.2 for Init and LiqEnd) of the debt; the break
            // scenario costs the worst leg's own requirement, which is larger here.
            assert_eq!(group_requirement(&legs, 10_000).unwrap(), worst_leg);
            let requirement = grouped.liabilities - legs[1].liability_value;
            assert_eq!(requirement, worst_leg, "{health_type:?}");
            // Less charged than the two legs as if unrelated: more health.
            assert!(grouped.value().unwrap() > alone.value().unwrap(), "{health_type:?}");
        }
        // Ungrouped banks are counted as health counts them.
        let none = [GroupMembership::NONE; 2];
        assert_eq!(portfolio_health(&hedge, &none, HealthType::Init), compute_health(&hedge, HealthType::Init));
        assert_eq!(portfolio_health(&hedge, &none[..1], HealthType::Init), Err(RiskError::PositionOutOfRange));
        // More legs in one group than an account holds: refused by name, not truncated.
        let many = [hedge[0]; MAX_GROUP_LEGS + 1];
        let grouped = [sol_group(0); MAX_GROUP_LEGS + 1];
        assert_eq!(portfolio_health(&many, &grouped, HealthType::Maint), Err(RiskError::PositionOutOfRange));
        assert!(portfolio_health(&many[..MAX_GROUP_LEGS], &grouped[..MAX_GROUP_LEGS], HealthType::Maint).is_ok());
    }

    #[test]
    fn a_long_only_group_pays_its_worst_scenario() {
        // 100 SOL and 100 staking SOL deposited, 20,000 USDC borrowed (alone): the joint −30 % costs 30 % of
        // both deposits, more than either deposit's own haircut.
        let price = pyth(150_00000000, 15_000_000);
        let account = [sol(100 * SOL, 0, price), sol(100 * SOL, 0, price), usdc(0, 20_000 * 1_000_000)];
        let groups = [sol_group(500), sol_group(500), GroupMembership::NONE];
        let maint = portfolio_health(&account, &groups, HealthType::Maint).unwrap();
        let legs: [Leg; 2] = core::array::from_fn(|i| Leg::of(&account[i], &groups[i], HealthType::Maint).unwrap());
        let deposits = legs[0].asset_value + legs[1].asset_value;
        assert_eq!(group_requirement(&legs, 10_000).unwrap(), deposits.div_ceil(10_000) * 3_000);
        let debt = position_health(&account[2], HealthType::Maint).unwrap().liabilities;
        assert_eq!(maint.liabilities, deposits.div_ceil(10_000) * 3_000 + debt);
    }

    #[test]
    fn memberships_are_validated() {
        assert_eq!(sol_group(500).validate(), Ok(()));
        let mut steep = sol_group(500);
        steep.moves_bps[5] = -10_001;
        assert_eq!(steep.validate(), Err(RiskError::InvalidRiskWeights));
        assert_eq!(
            GroupMembership { init_scale_bps: 9_999, ..sol_group(0) }.validate(),
            Err(RiskError::InvalidRiskWeights)
        );
        assert_eq!(
            GroupMembership { init_scale_bps: 30_001, ..sol_group(0) }.validate(),
            Err(RiskError::InvalidRiskWeights)
        );
    }

    fn leg_strategy() -> impl Strategy<Value = (HealthPosition, [i16; MAX_SCENARIOS])> {
        (
            weights_strategy(),
            0u64..1_000_000 * SOL,
            0u64..1_000_000 * SOL,
            1i64..10_000_000_000_000,
            any::<bool>(),
            proptest::array::uniform16(-10_000i16..=10_000),
        )
            .prop_map(|(weights, deposit, borrow, price, long, moves)| {
                let (deposit, borrow) = if long { (deposit, 0) } else { (0, borrow) };
                let position = HealthPosition { weights, ..sol(deposit, borrow, pyth(price, price as u64 / 1_000)) };
                (position, moves)
            })
    }

    proptest! {
        /// Against the exact model (i128, no rounding): the requirement is the exact worst scenario loss (as
        /// given and scaled) or the worst leg, rounded up: exactly; Init ≤ LiqEnd ≤ Maint;
        /// a group never charges less than its worst leg.
        #[test]
        fn the_requirement_is_the_exact_worst_case_rounded_up(
            legs in proptest::collection::vec(leg_strategy(), 1..=MAX_GROUP_LEGS), scale in 10_000u32..=30_000,
        ) {
            let positions: Vec<HealthPosition> = legs.iter().map(|(p, _)| *p).collect();
            let groups: Vec<GroupMembership> = legs.iter()
                .map(|(_, moves)| GroupMembership { group: 7, moves_bps: *moves, init_scale_bps: scale }).collect();
            let mut healths = Vec::new();
            for health_type in [HealthType::Init, HealthType::LiqEnd, HealthType::Maint] {
                let Ok(computed) = positions.iter().zip(&groups).map(|(p, g)| Leg::of(p, g, health_type)).collect::<RiskResult<Vec<Leg>>>() else { continue };
                let scale_bps = if health_type == HealthType::Maint { 10_000 } else { scale };
                let requirement = group_requirement(&computed, scale_bps).unwrap();
                let worst_leg = computed.iter().map(|leg| leg.own_requirement).max().unwrap();
                let mut exact_worst = 0i128;
                for scenario in 0..MAX_SCENARIOS {
                    for scale_bps in [10_000, scale_bps] {
                        let loss: i128 = computed.iter().map(|leg| {
                            let scaled = i128::from((i64::from(leg.moves_bps[scenario]) * i64::from(scale_bps) / 10_000).max(-10_000));
                            (i128::from(leg.liability_value) - i128::from(leg.asset_value)) * scaled
                        }).sum();
                        exact_worst = exact_worst.max(loss);
                    }
                }
                let exact = (exact_worst as u128).div_ceil(10_000).max(u128::from(worst_leg));
                prop_assert!(u128::from(requirement) >= exact);
                prop_assert_eq!(u128::from(requirement), exact);
                if let Ok(health) = portfolio_health(&positions, &groups, health_type) {
                    healths.push(health.value().unwrap());
                }
            }
            if let [init, liq_end, maint] = healths[..] {
                prop_assert!(init <= liq_end && liq_end <= maint, "{} {} {}", init, liq_end, maint);
            }
        }
    }

    #[test]
    fn governance_forms_only_groups_with_a_depeg_for_every_pair() {
        let joint = |depeg: i16| {
            let mut moves = [0i16; MAX_SCENARIOS];
            moves[..3].copy_from_slice(&[-2_000, 2_000, depeg]);
            moves
        };
        assert_eq!(validate_group(&[joint(0), joint(-100)], 10_000), Ok(()));
        assert_eq!(validate_group(&[joint(0), joint(-100), joint(100)], 30_000), Ok(()));
        // A pair whose moves never part by 1 %: no de-peg scenario.
        let refused = Err(RiskError::InvalidCorrelationGroup);
        assert_eq!(validate_group(&[joint(0), joint(-99)], 10_000), refused);
        assert_eq!(validate_group(&[joint(0), joint(-100), joint(-150)], 10_000), refused);
        // One bank, too many banks, a move beyond 100 %, a scale outside 1×–3×.
        assert_eq!(validate_group(&[joint(0)], 10_000), refused);
        let many: [[i16; MAX_SCENARIOS]; MAX_GROUP_BANKS + 1] = core::array::from_fn(|i| joint(i as i16 * 100));
        assert_eq!(validate_group(&many[..MAX_GROUP_BANKS], 10_000), Ok(()));
        assert_eq!(validate_group(&many, 10_000), refused);
        let mut steep = joint(500);
        steep[5] = -10_001;
        assert_eq!(validate_group(&[joint(0), steep], 10_000), refused);
        assert_eq!(validate_group(&[joint(0), joint(500)], 9_999), refused);
        assert_eq!(validate_group(&[joint(0), joint(500)], 30_001), refused);
    }

    proptest! {
        /// Max borrow, max withdraw and the liquidation price by the group rule are exact: the figure passes
        /// (Init ≥ 0; Maint < 0 at the liquidation price) and one unit more does not; without groups they are
        /// health's own answers.
        #[test]
        fn max_borrow_withdraw_and_liquidation_price_are_exact(
            legs in proptest::collection::vec(leg_strategy(), 2..=5), scale in 10_000u32..=30_000, index in any::<prop::sample::Index>(),
        ) {
            let positions: Vec<HealthPosition> = legs.iter().map(|(p, _)| *p).collect();
            let groups: Vec<GroupMembership> = legs.iter().enumerate()
                .map(|(i, (_, moves))| if i % 3 == 2 { GroupMembership::NONE } else { GroupMembership { group: 3, moves_bps: *moves, init_scale_bps: scale } }).collect();
            let index = index.index(positions.len());
            let init = |positions: &[HealthPosition]| account_health(positions, &groups, HealthType::Init).is_ok_and(|h| h.is_nonnegative());
            let with = |f: &dyn Fn(&mut HealthPosition)| { let mut changed = positions.clone(); f(&mut changed[index]); changed };
            if let Ok(most) = account_max_borrow(&positions, &groups, index) {
                if most > 0 {
                    prop_assert!(init(&with(&|p| p.borrow_tokens += most)));
                }
                if most < u64::MAX - positions[index].borrow_tokens && positions[index].deposit_tokens == 0 {
                    prop_assert!(!init(&with(&|p| p.borrow_tokens += most + 1)));
                }
            }
            if let Ok(most) = account_max_withdraw(&positions, &groups, index) {
                let has_debt = positions.iter().any(|p| p.borrow_tokens > 0);
                if most > 0 && has_debt {
                    prop_assert!(init(&with(&|p| p.deposit_tokens -= most)));
                }
                if most < positions[index].deposit_tokens {
                    prop_assert!(!init(&with(&|p| p.deposit_tokens -= most + 1)));
                }
            }
            if let Ok(Some(price)) = account_liquidation_price(&positions, &groups, index) {
                let maint_at = |oracle: u64| {
                    let moved = crate::health::price_moved_to(&positions[index].price.unwrap(), oracle).unwrap();
                    account_health(&with(&|p| p.price = Ok(moved)), &groups, HealthType::Maint).unwrap()
                };
                prop_assert!(!maint_at(price).is_nonnegative());
                if price < positions[index].price.unwrap().oracle {
                    prop_assert!(maint_at(price + 1).is_nonnegative());
                }
            }
            let none = [GroupMembership::NONE; 5];
            prop_assert_eq!(account_max_borrow(&positions, &none[..positions.len()], index), crate::health::max_borrow(&positions, index));
        }
    }

    #[test]
    fn a_scenario_moving_nothing_leaves_the_worst_leg() {
        let leg = Leg::of(&sol(10 * SOL, 0, pyth(150_00000000, 0)), &GroupMembership::NONE, HealthType::Maint).unwrap();
        assert_eq!(group_requirement(&[leg], 30_000).unwrap(), leg.own_requirement);
        assert_eq!(group_requirement(&[], 10_000).unwrap(), 0);
        let _ = NOW;
    }
}
