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

/// How a written-off debt is covered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BankruptcySplit {
    /// Debt written off, native units of the debt bank.
    pub debt_tokens: u64,
    /// Part paid from the insurance vault into the token vault: min(debt, insurance balance).
    pub insurance_tokens: u64,
    /// Part lost by the bank's depositors: debt − insurance.
    pub socialized_tokens: u64,
    /// The deposit index after the loss (its cut rounded up, so depositors bear at least the loss).
    pub new_deposit_index: u64,
}

/// Splits `debt_tokens` between the insurance vault's `insurance_balance` and the depositors of `totals`.
///
/// Errors: [`RiskError::ZeroAmount`] for no debt; [`RiskError::LossExceedsDeposits`] when the loss would
/// take the deposit index to zero or below (or there are no depositors to bear it).
pub fn split_bankruptcy(debt_tokens: u64, insurance_balance: u64, totals: &BankTotals) -> RiskResult<BankruptcySplit> {
    if debt_tokens == 0 {
        return Err(RiskError::ZeroAmount);
    }
    let insurance_tokens = debt_tokens.min(insurance_balance);
    let socialized_tokens = debt_tokens - insurance_tokens;
    let new_deposit_index = if socialized_tokens == 0 {
        totals.deposit_index
    } else {
        if totals.deposit_shares == 0 {
            return Err(RiskError::LossExceedsDeposits);
        }
        let cut = mul_div(socialized_tokens, INDEX_SCALE, totals.deposit_shares, Rounding::Up)?;
        sub(totals.deposit_index, cut).ok().filter(|index| *index > 0).ok_or(RiskError::LossExceedsDeposits)?
    };
    Ok(BankruptcySplit { debt_tokens, insurance_tokens, socialized_tokens, new_deposit_index })
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
    fn impossible_losses_are_named_errors() {
        assert_eq!(split_bankruptcy(0, 10, &bank(1, INDEX_SCALE)), Err(RiskError::ZeroAmount));
        assert_eq!(split_bankruptcy(5, 0, &bank(0, INDEX_SCALE)), Err(RiskError::LossExceedsDeposits));
        assert_eq!(split_bankruptcy(100, 0, &bank(100, INDEX_SCALE)), Err(RiskError::LossExceedsDeposits));
        assert_eq!(split_bankruptcy(101, 0, &bank(100, INDEX_SCALE)), Err(RiskError::LossExceedsDeposits));
        // Insurance alone does not need depositors.
        assert!(split_bankruptcy(5, 5, &bank(0, INDEX_SCALE)).is_ok());
    }

    proptest! {
        /// Invariant 7: insurance + socialised loss = the debt written off, exactly; depositors lose at least
        /// the socialised part and at most one index unit per share more.
        #[test]
        fn bankruptcy_split_adds_up(debt in 1u64..1 << 50, insurance in 0u64..1 << 50, shares in 1u64..1 << 55, index in INDEX_SCALE / 2..4 * INDEX_SCALE) {
            let totals = bank(shares, index);
            match split_bankruptcy(debt, insurance, &totals) {
                Ok(split) => {
                    prop_assert_eq!(split.insurance_tokens + split.socialized_tokens, debt);
                    prop_assert!(split.insurance_tokens <= insurance);
                    let before = deposit_tokens_of(shares, index).unwrap();
                    let after = deposit_tokens_of(shares, split.new_deposit_index).unwrap();
                    prop_assert!(before - after >= split.socialized_tokens);
                    prop_assert!(before - after <= split.socialized_tokens + shares / INDEX_SCALE + 2);
                }
                Err(error) => {
                    prop_assert_eq!(error, RiskError::LossExceedsDeposits);
                    prop_assert!(debt > insurance);
                }
            }
        }
    }
}
