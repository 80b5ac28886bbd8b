//! Interest: the piecewise-linear borrow rate, index accrual per second, share ↔ token conversion,
//! utilization and the bank limits (max utilization, caps).
//!
//! Indices are fixed point with [`INDEX_SCALE`] = 1.0. A deposit of `shares` is worth
//! `shares · deposit_index / INDEX_SCALE` native units (rounded down); a debt of `shares` is
//! `shares · borrow_index / INDEX_SCALE` (rounded up). Every conversion rounds in the protocol's favour.

use crate::error::{RiskError, RiskResult};
use crate::math::{add, mul_div, product_at_most, sub, Rounding, BPS};

/// Index fixed-point scale: an index of `INDEX_SCALE` is 1.0.
pub const INDEX_SCALE: u64 = 1_000_000_000_000;
/// Seconds in the 365-day year that APRs are quoted over.
pub const SECONDS_PER_YEAR: u64 = 31_536_000;
/// Highest borrow APR a curve may reach, in bps (1_000 % a year).
pub const MAX_RATE_BPS: u32 = 100_000;

/// Borrow APR over utilization, linear between four points: (0, `zero_rate_bps`),
/// (`kink0_util_bps`, `kink0_rate_bps`), (`kink1_util_bps`, `kink1_rate_bps`), (100 %, `max_rate_bps`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InterestCurve {
    /// APR at zero utilization, bps.
    pub zero_rate_bps: u32,
    /// First kink's utilization, bps.
    pub kink0_util_bps: u32,
    /// APR at the first kink, bps.
    pub kink0_rate_bps: u32,
    /// Second kink's utilization, bps.
    pub kink1_util_bps: u32,
    /// APR at the second kink, bps.
    pub kink1_rate_bps: u32,
    /// APR at 100 % utilization, bps.
    pub max_rate_bps: u32,
}

impl InterestCurve {
    /// 0 < kink0 < kink1 < 100 %; rates non-decreasing and ≤ [`MAX_RATE_BPS`].
    pub fn validate(&self) -> RiskResult<()> {
        let valid = 0 < self.kink0_util_bps
            && self.kink0_util_bps < self.kink1_util_bps
            && u64::from(self.kink1_util_bps) < BPS
            && self.zero_rate_bps <= self.kink0_rate_bps
            && self.kink0_rate_bps <= self.kink1_rate_bps
            && self.kink1_rate_bps <= self.max_rate_bps
            && self.max_rate_bps <= MAX_RATE_BPS;
        if valid {
            Ok(())
        } else {
            Err(RiskError::InvalidInterestCurve)
        }
    }

    /// Borrow APR in bps at `utilization_bps` (clamped to 100 %), interpolated and rounded up.
    pub fn borrow_rate_bps(&self, utilization_bps: u64) -> RiskResult<u64> {
        let utilization = utilization_bps.min(BPS);
        let points = [
            (0, self.zero_rate_bps),
            (self.kink0_util_bps, self.kink0_rate_bps),
            (self.kink1_util_bps, self.kink1_rate_bps),
            (BPS as u32, self.max_rate_bps),
        ];
        let segment = points
            .windows(2)
            .find(|pair| utilization <= u64::from(pair[1].0))
            .ok_or(RiskError::InvalidInterestCurve)?;
        let ((start_util, start_rate), (end_util, end_rate)) = (segment[0], segment[1]);
        let (start_util, end_util) = (u64::from(start_util), u64::from(end_util));
        let rise = sub(u64::from(end_rate), u64::from(start_rate)).map_err(|_| RiskError::InvalidInterestCurve)?;
        let run = sub(end_util, start_util).map_err(|_| RiskError::InvalidInterestCurve)?;
        let climbed = mul_div(rise, utilization - start_util, run, Rounding::Up)?;
        add(u64::from(start_rate), climbed)
    }
}

/// Shares a deposit of `tokens` mints (rounded down).
pub fn deposit_shares_for(tokens: u64, deposit_index: u64) -> RiskResult<u64> {
    mul_div(tokens, INDEX_SCALE, deposit_index, Rounding::Down)
}

/// Shares a withdraw of `tokens` burns (rounded up).
pub fn withdraw_shares_for(tokens: u64, deposit_index: u64) -> RiskResult<u64> {
    mul_div(tokens, INDEX_SCALE, deposit_index, Rounding::Up)
}

/// Shares a withdraw (or a seizure) of `tokens` out of `held_shares` burns: rounded up, at most the position,
/// and every share when what would remain is worth less than one native unit (a remainder of shares worth
/// 0 could never be withdrawn, seized or written off).
pub fn withdraw_shares_burned(tokens: u64, held_shares: u64, deposit_index: u64) -> RiskResult<u64> {
    let burned = withdraw_shares_for(tokens, deposit_index)?.min(held_shares);
    if deposit_tokens_of(held_shares - burned, deposit_index)? == 0 {
        Ok(held_shares)
    } else {
        Ok(burned)
    }
}

/// A withdraw of `amount` is limited only by the tokens in the vault, less what the vault owes the insurance
/// vault (`owed_to_insurance`); max utilization limits borrows, not lenders' exits.
///
/// Errors: [`RiskError::InsufficientLiquidity`].
pub fn check_withdraw_liquidity(amount: u64, vault_balance: u64, owed_to_insurance: u64) -> RiskResult<()> {
    if amount > vault_balance.saturating_sub(owed_to_insurance) {
        return Err(RiskError::InsufficientLiquidity);
    }
    Ok(())
}

/// Shares a borrow of `tokens` adds to the debt (rounded up).
pub fn borrow_shares_for(tokens: u64, borrow_index: u64) -> RiskResult<u64> {
    mul_div(tokens, INDEX_SCALE, borrow_index, Rounding::Up)
}

/// Shares a repay of `tokens` removes from the debt (rounded down).
pub fn repay_shares_for(tokens: u64, borrow_index: u64) -> RiskResult<u64> {
    mul_div(tokens, INDEX_SCALE, borrow_index, Rounding::Down)
}

/// Native units `shares` of deposit are worth (rounded down).
pub fn deposit_tokens_of(shares: u64, deposit_index: u64) -> RiskResult<u64> {
    mul_div(shares, deposit_index, INDEX_SCALE, Rounding::Down)
}

/// Native units `shares` of debt owe (rounded up).
pub fn borrow_tokens_of(shares: u64, borrow_index: u64) -> RiskResult<u64> {
    mul_div(shares, borrow_index, INDEX_SCALE, Rounding::Up)
}

/// A bank's share totals and indices: everything interest accrual changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BankTotals {
    /// Σ deposit shares of every account.
    pub deposit_shares: u64,
    /// Σ borrow shares of every account.
    pub borrow_shares: u64,
    /// Native units per deposit share, scaled by [`INDEX_SCALE`].
    pub deposit_index: u64,
    /// Native units per borrow share, scaled by [`INDEX_SCALE`].
    pub borrow_index: u64,
}

impl BankTotals {
    /// A new bank: no shares, both indices 1.0.
    pub const fn new() -> Self {
        BankTotals { deposit_shares: 0, borrow_shares: 0, deposit_index: INDEX_SCALE, borrow_index: INDEX_SCALE }
    }

    /// Σ deposits in native units (rounded down).
    pub fn deposit_tokens(&self) -> RiskResult<u64> {
        deposit_tokens_of(self.deposit_shares, self.deposit_index)
    }

    /// Σ debts in native units (rounded up).
    pub fn borrow_tokens(&self) -> RiskResult<u64> {
        borrow_tokens_of(self.borrow_shares, self.borrow_index)
    }

    /// borrows / deposits in bps, rounded up; 100 % when there are borrows and no deposits, 0 when neither.
    pub fn utilization_bps(&self) -> RiskResult<u64> {
        utilization_bps(self.deposit_tokens()?, self.borrow_tokens()?)
    }
}

impl Default for BankTotals {
    fn default() -> Self {
        Self::new()
    }
}

/// borrows / deposits in bps, rounded up and capped at 100 %.
pub fn utilization_bps(deposit_tokens: u64, borrow_tokens: u64) -> RiskResult<u64> {
    if borrow_tokens == 0 {
        return Ok(0);
    }
    if deposit_tokens <= borrow_tokens {
        return Ok(BPS);
    }
    mul_div(borrow_tokens, BPS, deposit_tokens, Rounding::Up)
}

/// Deposit APR in bps: what depositors earn when borrowers pay `borrow_rate_bps` on `utilization_bps` of the
/// deposits and the protocol keeps `protocol_fee_bps` of the interest: rate × utilization × (1 − fee), each
/// step rounded down (a depositor is never shown more than accrues to them, [`accrue`] rounds the same way).
///
/// Errors: [`RiskError::InvalidInterestCurve`] for a fee above 100 %.
pub fn deposit_rate_bps(borrow_rate_bps: u64, utilization_bps: u64, protocol_fee_bps: u32) -> RiskResult<u64> {
    let fee = u64::from(protocol_fee_bps);
    if fee > BPS {
        return Err(RiskError::InvalidInterestCurve);
    }
    let earned = mul_div(borrow_rate_bps, utilization_bps.min(BPS), BPS, Rounding::Down)?;
    mul_div(earned, BPS - fee, BPS, Rounding::Down)
}

/// What one accrual did, in native units.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accrual {
    /// Borrow APR applied, bps.
    pub borrow_rate_bps: u64,
    /// Interest added to all debts (rounded down, so depositors are never credited more than is owed).
    pub interest_tokens: u64,
    /// Part of the interest kept for the insurance vault (rounded up).
    pub protocol_fee_tokens: u64,
}

/// Accrues `elapsed_seconds` of interest into `totals` at the curve's rate for its utilization before the
/// accrual (simple interest over the interval, compounding on every touch).
///
/// The borrow index grows by `index · rate · seconds / (10_000 · SECONDS_PER_YEAR)`, rounded up. The
/// interest this adds to all debts, less `protocol_fee_bps` of it, is spread over the deposit shares by
/// raising the deposit index (rounded down). The fee stays in the vault, owed to the insurance vault.
pub fn accrue(
    totals: &mut BankTotals,
    curve: &InterestCurve,
    protocol_fee_bps: u32,
    elapsed_seconds: u64,
) -> RiskResult<Accrual> {
    if u64::from(protocol_fee_bps) > BPS {
        return Err(RiskError::InvalidInterestCurve);
    }
    let borrow_rate_bps = curve.borrow_rate_bps(totals.utilization_bps()?)?;
    if elapsed_seconds == 0 || totals.borrow_shares == 0 || borrow_rate_bps == 0 {
        return Ok(Accrual { borrow_rate_bps, ..Accrual::default() });
    }
    let rate_time = crate::math::checked_mul(borrow_rate_bps, elapsed_seconds)?;
    let growth = mul_div(totals.borrow_index, rate_time, BPS * SECONDS_PER_YEAR, Rounding::Up)?;
    let new_borrow_index = add(totals.borrow_index, growth)?;
    let interest_tokens = mul_div(totals.borrow_shares, growth, INDEX_SCALE, Rounding::Down)?;
    let protocol_fee_tokens = mul_div(interest_tokens, u64::from(protocol_fee_bps), BPS, Rounding::Up)?;
    let to_depositors = interest_tokens - protocol_fee_tokens;
    let new_deposit_index = if totals.deposit_shares == 0 {
        totals.deposit_index
    } else {
        let raise = mul_div(to_depositors, INDEX_SCALE, totals.deposit_shares, Rounding::Down)?;
        add(totals.deposit_index, raise)?
    };
    totals.borrow_index = new_borrow_index;
    totals.deposit_index = new_deposit_index;
    Ok(Accrual { borrow_rate_bps, interest_tokens, protocol_fee_tokens })
}

/// A bank's limits on new deposits and borrows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BankLimits {
    /// Largest Σ deposits, native units.
    pub deposit_cap: u64,
    /// Largest Σ debts, native units.
    pub borrow_cap: u64,
    /// Largest borrows / deposits after a borrow or withdraw, bps.
    pub max_utilization_bps: u32,
}

/// Checks a bank's totals after a deposit: Σ deposits ≤ cap.
pub fn check_deposit_limits(totals: &BankTotals, limits: &BankLimits) -> RiskResult<()> {
    if totals.deposit_tokens()? > limits.deposit_cap {
        return Err(RiskError::DepositCapExceeded);
    }
    Ok(())
}

/// Checks a bank's totals after a borrow: Σ debts ≤ borrow cap and borrows ≤ max utilization · deposits,
/// compared exactly. (A withdraw is limited by the vault only: [`check_withdraw_liquidity`].)
pub fn check_borrow_limits(totals: &BankTotals, limits: &BankLimits) -> RiskResult<()> {
    let borrows = totals.borrow_tokens()?;
    if borrows > limits.borrow_cap {
        return Err(RiskError::BorrowCapExceeded);
    }
    let deposits = totals.deposit_tokens()?;
    if borrows > 0 && !product_at_most(borrows, BPS, deposits, u64::from(limits.max_utilization_bps)) {
        return Err(RiskError::UtilizationTooHigh);
    }
    Ok(())
}

/// The most native units anyone may borrow from the bank now: within its borrow cap and with utilization
/// after ≤ its maximum. Rounded down; borrowing the figure passes [`check_borrow_limits`].
pub fn max_borrow_by_bank(totals: &BankTotals, limits: &BankLimits) -> RiskResult<u64> {
    let borrows = totals.borrow_tokens()?;
    let deposits = totals.deposit_tokens()?;
    let by_cap = limits.borrow_cap.saturating_sub(borrows);
    let utilization_room = mul_div(deposits, u64::from(limits.max_utilization_bps), BPS, Rounding::Down)?;
    let by_utilization = utilization_room.saturating_sub(borrows);
    // Borrowed shares round up, so the recorded debt may exceed the amount by up to one share's worth.
    let one_share = mul_div(1, totals.borrow_index, INDEX_SCALE, Rounding::Up)?;
    Ok(by_cap.min(by_utilization).saturating_sub(one_share))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const USDC: u64 = 1_000_000;

    /// 0 % at 0, 4 % at 50 %, 10 % at 80 %, 100 % at 100 % utilization.
    fn curve() -> InterestCurve {
        InterestCurve {
            zero_rate_bps: 0,
            kink0_util_bps: 5_000,
            kink0_rate_bps: 400,
            kink1_util_bps: 8_000,
            kink1_rate_bps: 1_000,
            max_rate_bps: 10_000,
        }
    }

    fn limits() -> BankLimits {
        BankLimits { deposit_cap: 2_000_000 * USDC, borrow_cap: 900_000 * USDC, max_utilization_bps: 9_000 }
    }

    /// A bank with `deposits` and `borrows` at indices 1.0.
    fn bank(deposits: u64, borrows: u64) -> BankTotals {
        BankTotals { deposit_shares: deposits, borrow_shares: borrows, ..BankTotals::new() }
    }

    #[test]
    fn rate_at_each_point_and_between() {
        let curve = curve();
        assert_eq!(curve.borrow_rate_bps(0), Ok(0));
        assert_eq!(curve.borrow_rate_bps(5_000), Ok(400));
        assert_eq!(curve.borrow_rate_bps(6_500), Ok(700)); // 400 + 600 × 1,500 / 3,000
        assert_eq!(curve.borrow_rate_bps(8_000), Ok(1_000));
        assert_eq!(curve.borrow_rate_bps(9_000), Ok(5_500)); // 1,000 + 9,000 × 1,000 / 2,000
        assert_eq!(curve.borrow_rate_bps(10_000), Ok(10_000));
        assert_eq!(curve.borrow_rate_bps(u64::MAX), Ok(10_000));
        // 400 × 3,333 / 5,000 = 266.64, rounded up for the borrower.
        assert_eq!(curve.borrow_rate_bps(3_333), Ok(267));
    }

    #[test]
    fn deposit_rate_is_the_borrow_rate_spread_over_deposits_less_the_fee() {
        // 10 % on 80 % of the deposits, 10 % of it kept: 10 × 0.8 × 0.9 = 7.2 %.
        assert_eq!(deposit_rate_bps(1_000, 8_000, 1_000), Ok(720));
        assert_eq!(deposit_rate_bps(1_000, 0, 0), Ok(0));
        assert_eq!(deposit_rate_bps(333, 3_333, 0), Ok(110)); // 110.9889, rounded down
        assert_eq!(deposit_rate_bps(1_000, 20_000, 0), Ok(1_000)); // utilization clamps at 100 %
        assert_eq!(deposit_rate_bps(1_000, 5_000, 10_001), Err(RiskError::InvalidInterestCurve));
    }

    proptest! {
        /// A year of interest at the shown deposit rate never exceeds what `accrue` pays depositors over a
        /// year (the rate is a floor of the real accrual at a fixed utilization), for one-second-free banks.
        #[test]
        fn deposit_rate_never_promises_more_than_accrues(
            deposits in 1_000_000u64..1_000_000_000_000,
            used_bps in 0u64..=9_000,
            fee_bps in 0u32..=5_000,
        ) {
            let borrows = deposits / 10_000 * used_bps;
            let mut totals = bank(deposits, borrows);
            let rate = curve().borrow_rate_bps(totals.utilization_bps().unwrap()).unwrap();
            let shown = deposit_rate_bps(rate, totals.utilization_bps().unwrap(), fee_bps).unwrap();
            accrue(&mut totals, &curve(), fee_bps, SECONDS_PER_YEAR).unwrap();
            let earned = totals.deposit_tokens().unwrap() - deposits;
            // The shown rate on the deposits, rounded down, against what accrued (utilization rounds up
            // by at most one bp of the borrow rate's worth).
            let promised = deposits / 10_000 * shown;
            prop_assert!(promised <= earned + deposits / 10_000 * rate / 10_000 + 1, "promised {} earned {}", promised, earned);
        }
    }

    #[test]
    fn curve_validation() {
        assert_eq!(curve().validate(), Ok(()));
        let c = curve();
        for bad in [
            InterestCurve { kink0_util_bps: 0, ..c },
            InterestCurve { kink0_util_bps: 8_000, ..c },
            InterestCurve { kink1_util_bps: 10_000, ..c },
            InterestCurve { zero_rate_bps: 500, ..c },
            InterestCurve { kink1_rate_bps: 300, ..c },
            InterestCurve { max_rate_bps: 900, ..c },
            InterestCurve { max_rate_bps: MAX_RATE_BPS + 1, ..c },
        ] {
            assert_eq!(bad.validate(), Err(RiskError::InvalidInterestCurve), "{bad:?}");
        }
    }

    #[test]
    fn utilization_edges() {
        assert_eq!(utilization_bps(0, 0), Ok(0));
        assert_eq!(utilization_bps(100, 0), Ok(0));
        assert_eq!(utilization_bps(0, 5), Ok(10_000));
        assert_eq!(utilization_bps(100, 100), Ok(10_000));
        assert_eq!(utilization_bps(3, 1), Ok(3_334)); // rounded up
        assert_eq!(utilization_bps(u64::MAX, u64::MAX / 2), Ok(5_000));
    }

    #[test]
    fn thirty_days_at_four_percent_to_the_unit() {
        // 1,000,000 USDC deposited, 500,000 borrowed: 50 % utilization, 4 % APR, fee 10 %.
        let mut totals = bank(1_000_000 * USDC, 500_000 * USDC);
        let accrual = accrue(&mut totals, &curve(), 1_000, 30 * 86_400).unwrap();
        assert_eq!(accrual.borrow_rate_bps, 400);
        // growth = 10^12 × 400 × 2,592,000 / (10,000 × 31,536,000) = 3,287,671,232.9, rounded up
        assert_eq!(totals.borrow_index, 1_003_287_671_233);
        assert_eq!(accrual.interest_tokens, 1_643_835_616); // 1,643.835616 USDC
        assert_eq!(accrual.protocol_fee_tokens, 164_383_562);
        assert_eq!(totals.deposit_index, 1_001_479_452_054);
        assert_eq!(totals.borrow_tokens(), Ok(501_643_835_617));
        assert_eq!(totals.deposit_tokens(), Ok(1_001_479_452_054));
    }

    #[test]
    fn no_time_or_no_borrows_accrue_nothing() {
        let mut totals = bank(1_000 * USDC, 500 * USDC);
        assert_eq!(accrue(&mut totals, &curve(), 1_000, 0).unwrap().interest_tokens, 0);
        assert_eq!(totals, bank(1_000 * USDC, 500 * USDC));
        let mut idle = bank(1_000 * USDC, 0);
        assert_eq!(accrue(&mut idle, &curve(), 1_000, 86_400).unwrap().interest_tokens, 0);
        assert_eq!(idle, bank(1_000 * USDC, 0));
        assert_eq!(accrue(&mut idle, &curve(), 10_001, 1), Err(RiskError::InvalidInterestCurve));
    }

    #[test]
    fn accrual_overflow_is_an_error_not_a_wrap() {
        let mut totals = BankTotals { borrow_index: u64::MAX / 2, ..bank(1, 1) };
        assert_eq!(accrue(&mut totals, &curve(), 0, 100 * SECONDS_PER_YEAR), Err(RiskError::MathOverflow));
    }

    #[test]
    fn share_conversions_round_for_the_protocol() {
        let index = 1_500_000_000_000; // 1.5
        assert_eq!(deposit_shares_for(10, index), Ok(6)); // 6.67 down
        assert_eq!(withdraw_shares_for(10, index), Ok(7)); // up
        assert_eq!(borrow_shares_for(10, index), Ok(7)); // up
        assert_eq!(repay_shares_for(10, index), Ok(6)); // down
        assert_eq!(deposit_tokens_of(7, index), Ok(10)); // 10.5 down
        assert_eq!(borrow_tokens_of(7, index), Ok(11)); // up
        assert_eq!(deposit_shares_for(10, 0), Err(RiskError::DivisionByZero));
    }

    #[test]
    fn deposit_cap_is_inclusive() {
        assert_eq!(check_deposit_limits(&bank(2_000_000 * USDC, 0), &limits()), Ok(()));
        assert_eq!(check_deposit_limits(&bank(2_000_000 * USDC + 1, 0), &limits()), Err(RiskError::DepositCapExceeded));
    }

    #[test]
    fn borrow_cap_and_max_utilization() {
        assert_eq!(check_borrow_limits(&bank(1_000_000 * USDC, 900_000 * USDC), &limits()), Ok(()));
        assert_eq!(
            check_borrow_limits(&bank(1_000_000 * USDC, 900_000 * USDC + 1), &limits()),
            Err(RiskError::BorrowCapExceeded)
        );
        assert_eq!(check_borrow_limits(&bank(100 * USDC, 90 * USDC), &limits()), Ok(()));
        assert_eq!(
            check_borrow_limits(&bank(100 * USDC, 90 * USDC + 1), &limits()),
            Err(RiskError::UtilizationTooHigh)
        );
        assert_eq!(check_borrow_limits(&bank(0, 0), &limits()), Ok(()));
    }

    #[test]
    fn a_withdraw_is_limited_by_the_vault_not_by_utilization() {
        // 90 % borrowed: 10,000 USDC idle in the vault, 3 of them owed to insurance.
        assert_eq!(check_withdraw_liquidity(9_997 * USDC, 10_000 * USDC, 3 * USDC), Ok(()));
        assert_eq!(
            check_withdraw_liquidity(9_997 * USDC + 1, 10_000 * USDC, 3 * USDC),
            Err(RiskError::InsufficientLiquidity)
        );
        assert_eq!(check_withdraw_liquidity(1, 5, 10), Err(RiskError::InsufficientLiquidity));
    }

    #[test]
    fn a_worthless_remainder_is_burned_with_the_withdraw() {
        // Index 0.3 after a socialised loss: 13 shares are worth 3 tokens.
        let index = 300_000_000_000;
        assert_eq!(deposit_tokens_of(13, index), Ok(3));
        // Withdrawing 3 burns ceil(10) = 10 shares; the 3 left (worth 0.9 → 0) go too.
        assert_eq!(withdraw_shares_for(3, index), Ok(10));
        assert_eq!(withdraw_shares_burned(3, 13, index), Ok(13));
        // Withdrawing 1 burns 4 and leaves 9 shares worth 2: kept.
        assert_eq!(withdraw_shares_burned(1, 13, index), Ok(4));
        assert_eq!(withdraw_shares_burned(0, 3, index), Ok(3), "shares worth nothing are burned whole");
    }

    #[test]
    fn max_borrow_by_bank_takes_the_tighter_limit() {
        // Utilization allows 900 − 100 = 800 USDC; the cap allows 899,900: utilization wins, less one share.
        assert_eq!(max_borrow_by_bank(&bank(1_000 * USDC, 100 * USDC), &limits()), Ok(800 * USDC - 1));
        let capped = BankLimits { borrow_cap: 150 * USDC, ..limits() };
        assert_eq!(max_borrow_by_bank(&bank(1_000 * USDC, 100 * USDC), &capped), Ok(50 * USDC - 1));
        assert_eq!(max_borrow_by_bank(&bank(1_000 * USDC, 950 * USDC), &limits()), Ok(0));
    }

    fn index_strategy() -> impl Strategy<Value = u64> {
        // 0.5 to 20.0: below 1 after a socialised loss, above after years of interest.
        INDEX_SCALE / 2..20 * INDEX_SCALE
    }

    proptest! {
        /// Invariant 6: a deposit then a withdraw of everything never returns more than was deposited.
        #[test]
        fn deposit_withdraw_round_trip_never_gains(tokens in 0u64..1 << 60, index in index_strategy()) {
            let shares = deposit_shares_for(tokens, index).unwrap();
            let back = deposit_tokens_of(shares, index).unwrap();
            prop_assert!(back <= tokens);
            // And a withdraw of `back` tokens burns no more shares than were minted.
            prop_assert!(withdraw_shares_for(back, index).unwrap() <= shares);
        }

        /// Invariant 6 for debts: a borrow is never recorded as less than was lent, and a repay of the
        /// recorded debt clears at most the shares that were added.
        #[test]
        fn borrow_repay_round_trip_never_gains(tokens in 0u64..1 << 60, index in index_strategy()) {
            let shares = borrow_shares_for(tokens, index).unwrap();
            let owed = borrow_tokens_of(shares, index).unwrap();
            prop_assert!(owed >= tokens);
            prop_assert!(repay_shares_for(tokens, index).unwrap() <= shares);
        }

        /// Repeated partial withdraws cannot take out more than one full withdraw would.
        #[test]
        fn split_withdraws_never_gain(tokens in 1u64..1 << 50, parts in 1u64..20, index in index_strategy()) {
            let mut shares = deposit_shares_for(tokens, index).unwrap();
            let total = deposit_tokens_of(shares, index).unwrap();
            let mut taken = 0;
            for _ in 0..parts {
                let piece = (total / parts).min(deposit_tokens_of(shares, index).unwrap());
                shares -= withdraw_shares_for(piece, index).unwrap();
                taken += piece;
            }
            prop_assert!(taken + deposit_tokens_of(shares, index).unwrap() <= tokens);
        }

        /// Accrual never lowers an index and never credits depositors more than borrowers now owe.
        #[test]
        fn accrual_keeps_the_bank_solvent(deposits in 1u64..1 << 50, borrowed_bps in 0u64..=10_000, seconds in 0u64..SECONDS_PER_YEAR, fee_bps in 0u32..=10_000) {
            let borrows = deposits / 10_000 * borrowed_bps;
            let mut totals = bank(deposits, borrows);
            let (deposits_before, borrows_before) = (totals.deposit_tokens().unwrap(), totals.borrow_tokens().unwrap());
            let accrual = accrue(&mut totals, &curve(), fee_bps, seconds).unwrap();
            prop_assert!(totals.borrow_index >= INDEX_SCALE && totals.deposit_index >= INDEX_SCALE);
            let depositors_gain = totals.deposit_tokens().unwrap() - deposits_before;
            let borrowers_owe = totals.borrow_tokens().unwrap() - borrows_before;
            prop_assert!(depositors_gain + accrual.protocol_fee_tokens <= borrowers_owe + 1);
            prop_assert!(accrual.interest_tokens <= borrowers_owe);
        }

        /// A withdraw never leaves shares worth nothing, never burns more than the position, and never burns
        /// fewer shares than the tokens taken are worth.
        #[test]
        fn withdraw_burns_at_least_the_tokens_worth(held in 1u64..1 << 50, fraction in 0u64..=1_000, index in 1u64..4 * INDEX_SCALE) {
            let held_tokens = deposit_tokens_of(held, index).unwrap();
            let amount = held_tokens / 1_000 * fraction;
            let burned = withdraw_shares_burned(amount, held, index).unwrap();
            prop_assert!(burned <= held);
            let left = held - burned;
            prop_assert!(left == 0 || deposit_tokens_of(left, index).unwrap() > 0);
            // What is left is worth no more than the deposit less the withdraw.
            prop_assert!(deposit_tokens_of(left, index).unwrap() + amount <= held_tokens);
        }

        /// The rate is monotone in utilization.
        #[test]
        fn rate_is_monotone(a in 0u64..=10_000, b in 0u64..=10_000) {
            let (low, high) = (a.min(b), a.max(b));
            prop_assert!(curve().borrow_rate_bps(low).unwrap() <= curve().borrow_rate_bps(high).unwrap());
        }

        /// Borrowing the bank's max passes the bank's checks.
        #[test]
        fn max_borrow_by_bank_passes_the_checks(deposits in 0u64..1 << 50, borrowed_bps in 0u64..=9_000, index in index_strategy()) {
            let totals = BankTotals { deposit_shares: deposits, borrow_shares: deposits / 10_000 * borrowed_bps, deposit_index: INDEX_SCALE, borrow_index: index };
            let limits = BankLimits { deposit_cap: u64::MAX, borrow_cap: u64::MAX, max_utilization_bps: 9_000 };
            if let Ok(amount) = max_borrow_by_bank(&totals, &limits) {
                if amount > 0 {
                    let after = BankTotals { borrow_shares: totals.borrow_shares + borrow_shares_for(amount, index).unwrap(), ..totals };
                    prop_assert_eq!(check_borrow_limits(&after, &limits), Ok(()));
                }
            }
        }
    }
}
