//! Bankruptcy: an account with debt and no collateral left. Its debt is written off: the debt bank's
//! insurance vault covers what it can, and the rest is socialised across the bank's depositors by lowering
//! the deposit index. Insurance plus socialised loss equals the debt written off, exactly.

use crate::error::{RiskError, RiskResult};
use crate::health::HealthPosition;
use crate::interest::{BankTotals, INDEX_SCALE};
use crate::math::{mul_div, sub, Rounding};

/// Whether a deposit of `deposit_tokens` (native units, its shares' value rounded down) is forfeit when its
/// account is bankrupt: worth less than one native unit (shares that can never be withdrawn, seized or
/// written off, e.g. after a socialised loss lowered the index), or below its bank's `dust_threshold` (too
/// small to be worth liquidating, and so unable to keep a debt off the books). The resolution burns it.
pub fn is_forfeit_deposit(deposit_tokens: u64, dust_threshold: u64) -> bool {
    deposit_tokens < dust_threshold.max(1)
}

/// True when the account owes something and holds no deposit in any position (pass a forfeit deposit,
/// [`is_forfeit_deposit`], as 0).
pub fn is_bankrupt(positions: &[HealthPosition]) -> bool {
    positions.iter().all(|position| position.deposit_tokens == 0)
        && positions.iter().any(|position| position.borrow_tokens > 0)
}

/// Whether the account's dust deposits (worth a native unit or more, below their banks' dust thresholds) may
/// be forfeit in a bankruptcy: only when the account is under water, Maint health < 0 at its prices (issue
/// 21, finding 6: a Maint-healthy account holding 0.90 USDT against 0.40 USDC of debt was resolved by a
/// stranger, its deposit burned). `positions` as health sees them (an unpriceable dust deposit counts 0).
///
/// Errors: any price error of a position that Maint needs.
pub fn dust_may_be_forfeit(positions: &[HealthPosition]) -> RiskResult<bool> {
    Ok(!crate::health::compute_health(positions, crate::health::HealthType::Maint)?.is_nonnegative())
}

/// Lowest deposit index a socialised loss leaves, scaled by [`INDEX_SCALE`]: 10^-6 native units per share.
/// The index stays positive so that the bank still prices shares (a deposit after the loss gets 10^6 shares
/// per native unit); a loss beyond what takes the index there is recorded, not socialised.
pub const MIN_DEPOSIT_INDEX: u64 = INDEX_SCALE / 1_000_000;

/// How a written-off debt is covered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BankruptcySplit {
    /// Debt written off, native units of the debt bank.
    pub debt_tokens: u64,
    /// Part paid from the insurance vault into the token vault: min(debt, insurance balance).
    pub insurance_tokens: u64,
    /// Part lost by the bank's depositors through the deposit index.
    pub socialized_tokens: u64,
    /// Part nobody covers: what is left once the deposit index reached [`MIN_DEPOSIT_INDEX`] (a loss larger
    /// than the deposits). The bank records it; its vault is short by this much.
    pub unbooked_tokens: u64,
    /// The deposit index after the loss (its cut rounded up, so depositors bear at least the loss).
    pub new_deposit_index: u64,
}

/// Splits `debt_tokens` between the insurance vault's `insurance_balance`, the depositors of `totals` (as far
/// as the deposit index can fall, to [`MIN_DEPOSIT_INDEX`]) and the unbooked rest. Never refuses a loss for
/// its size (issue 21, finding 3: a loss larger than the deposits used to block its own write-off while
/// lenders withdrew ahead of it): insurance + socialised + unbooked = debt, exactly.
///
/// Errors: [`RiskError::ZeroAmount`] for no debt.
pub fn split_bankruptcy(debt_tokens: u64, insurance_balance: u64, totals: &BankTotals) -> RiskResult<BankruptcySplit> {
    if debt_tokens == 0 {
        return Err(RiskError::ZeroAmount);
    }
    let insurance_tokens = debt_tokens.min(insurance_balance);
    let rest = debt_tokens - insurance_tokens;
    let index = totals.deposit_index;
    let room = index.saturating_sub(MIN_DEPOSIT_INDEX);
    let (socialized_tokens, new_deposit_index) = if rest == 0 || totals.deposit_shares == 0 {
        (0, index)
    } else {
        // The cut, ⌈rest·S / shares⌉, fits the room exactly when rest ≤ ⌊shares·room / S⌋, what the
        // depositors can bear; beyond, they bear that much and the index stops at its floor.
        let cut = mul_div(rest, INDEX_SCALE, totals.deposit_shares, Rounding::Up)?;
        if cut <= room {
            (rest, sub(index, cut)?)
        } else {
            (mul_div(totals.deposit_shares, room, INDEX_SCALE, Rounding::Down)?, index - room)
        }
    };
    Ok(BankruptcySplit {
        debt_tokens,
        insurance_tokens,
        socialized_tokens,
        unbooked_tokens: rest - socialized_tokens,
        new_deposit_index,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interest::deposit_tokens_of;
    use crate::testkit::{pyth, sol, usdc};
    use proptest::prelude::*;

    const USDC: u64 = 1_000_000;

    fn bank(deposit_shares: u64, deposit_index: u64) -> BankTotals {
        BankTotals { deposit_shares, deposit_index, ..BankTotals::new() }
    }

    #[test]
    fn bankrupt_means_debt_and_no_deposit_at_all() {
        let price = pyth(100_00000000, 0);
        assert!(is_bankrupt(&[sol(0, 0, price), usdc(0, 5)]));
        assert!(!is_bankrupt(&[sol(1, 0, price), usdc(0, 5)]));
        assert!(!is_bankrupt(&[sol(0, 0, price), usdc(0, 0)]));
        assert!(!is_bankrupt(&[]));
    }

    #[test]
    fn worthless_and_dust_deposits_are_forfeit() {
        assert!(is_forfeit_deposit(0, 0), "shares worth 0 native units");
        assert!(!is_forfeit_deposit(1, 0));
        assert!(is_forfeit_deposit(999, 1_000), "below the bank's dust threshold");
        assert!(!is_forfeit_deposit(1_000, 1_000));
    }

    #[test]
    fn insurance_covers_everything_it_can() {
        let split = split_bankruptcy(500 * USDC, 1_000 * USDC, &bank(10_000 * USDC, INDEX_SCALE)).unwrap();
        assert_eq!((split.insurance_tokens, split.socialized_tokens), (500 * USDC, 0));
        assert_eq!(split.new_deposit_index, INDEX_SCALE);
    }

    #[test]
    fn the_rest_lowers_the_deposit_index() {
        // 300 USDC of insurance against 800 of bad debt: 500 socialised over 10,000 USDC of deposits = 5 %.
        let split = split_bankruptcy(800 * USDC, 300 * USDC, &bank(10_000 * USDC, INDEX_SCALE)).unwrap();
        assert_eq!((split.insurance_tokens, split.socialized_tokens), (300 * USDC, 500 * USDC));
        assert_eq!(split.new_deposit_index, 950_000_000_000);
        assert_eq!(deposit_tokens_of(10_000 * USDC, split.new_deposit_index), Ok(9_500 * USDC));
    }

    #[test]
    fn the_index_cut_rounds_against_depositors() {
        // 1 unit over 3 shares: the cut is 1/3 of an index unit, rounded up.
        let split = split_bankruptcy(1, 0, &bank(3, INDEX_SCALE)).unwrap();
        assert_eq!(split.new_deposit_index, INDEX_SCALE - 333_333_333_334);
    }

    #[test]
    fn a_loss_larger_than_the_deposits_is_booked_as_far_as_it_goes_and_the_rest_recorded() {
        assert_eq!(split_bankruptcy(0, 10, &bank(1, INDEX_SCALE)), Err(RiskError::ZeroAmount));
        // No depositors: all of it unbooked.
        let nobody = split_bankruptcy(5, 0, &bank(0, INDEX_SCALE)).unwrap();
        assert_eq!((nobody.socialized_tokens, nobody.unbooked_tokens, nobody.new_deposit_index), (0, 5, INDEX_SCALE));
        // 100 shares at 1.0 bear 100 − 100·10^-6 rounded down = 99 units; the index stops at its floor.
        let whole = split_bankruptcy(100, 0, &bank(100, INDEX_SCALE)).unwrap();
        assert_eq!((whole.socialized_tokens, whole.unbooked_tokens), (99, 1));
        assert_eq!(whole.new_deposit_index, MIN_DEPOSIT_INDEX);
        let larger = split_bankruptcy(1_000, 10, &bank(100, INDEX_SCALE)).unwrap();
        assert_eq!((larger.insurance_tokens, larger.socialized_tokens, larger.unbooked_tokens), (10, 99, 891));
        // At the floor, depositors bear nothing more.
        let floor = split_bankruptcy(7, 0, &bank(1_000, MIN_DEPOSIT_INDEX)).unwrap();
        assert_eq!(
            (floor.socialized_tokens, floor.unbooked_tokens, floor.new_deposit_index),
            (0, 7, MIN_DEPOSIT_INDEX)
        );
        // Insurance alone does not need depositors.
        assert_eq!(split_bankruptcy(5, 5, &bank(0, INDEX_SCALE)).unwrap().unbooked_tokens, 0);
    }

    #[test]
    fn dust_is_forfeit_only_under_water() {
        // 0.90 USDT against 0.40 USDC of debt is Maint-healthy: its dust is not forfeit; against 5 USDC it is.
        let (dust, small_debt, big_debt) = (usdc(900_000, 0), usdc(0, 400_000), usdc(0, 5 * USDC));
        assert_eq!(dust_may_be_forfeit(&[dust, small_debt]), Ok(false));
        assert_eq!(dust_may_be_forfeit(&[dust, big_debt]), Ok(true));
    }

    proptest! {
        /// Invariant 7: insurance + socialised loss + the unbooked rest = the debt written off, exactly;
        /// depositors lose at least the socialised part and at most one index unit per share more.
        #[test]
        fn bankruptcy_split_adds_up(debt in 1u64..1 << 50, insurance in 0u64..1 << 50, shares in 1u64..1 << 55, index in INDEX_SCALE / 2..4 * INDEX_SCALE) {
            let totals = bank(shares, index);
            let split = split_bankruptcy(debt, insurance, &totals).unwrap();
            prop_assert_eq!(split.insurance_tokens + split.socialized_tokens + split.unbooked_tokens, debt);
            prop_assert_eq!(split.insurance_tokens, debt.min(insurance));
            prop_assert!(split.new_deposit_index >= MIN_DEPOSIT_INDEX);
            let before = deposit_tokens_of(shares, index).unwrap();
            let after = deposit_tokens_of(shares, split.new_deposit_index).unwrap();
            prop_assert!(before - after >= split.socialized_tokens);
            prop_assert!(before - after <= split.socialized_tokens + shares / INDEX_SCALE + 2);
            // Something is left unbooked only once the index is at its floor.
            prop_assert!(split.unbooked_tokens == 0 || split.new_deposit_index == MIN_DEPOSIT_INDEX);
        }
    }
}
