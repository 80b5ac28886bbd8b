//! Share accounting: every change of a position's shares moves its bank's share total by the same number, both
//! computed and checked before either is written (an error leaves both untouched). Amounts are native units;
//! shares round in the protocol's favour: a depositor or repayer never gets more shares' worth than paid, a
//! withdrawer or borrower never takes more than the shares they give up or owe.
use crate::error::{RiskError, RiskResult};
use crate::interest::{
    borrow_shares_for, borrow_tokens_of, deposit_shares_for, deposit_tokens_of, repay_shares_for,
    withdraw_shares_burned, BankTotals,
};
use crate::liquidation::LiquidationPlan;
use crate::math::{add, sub};

/// Adds `shares` to a position and its bank's total, or neither.
fn add_pair(position: &mut u64, total: &mut u64, shares: u64) -> RiskResult<()> {
    let (new_position, new_total) = (add(*position, shares)?, add(*total, shares)?);
    (*position, *total) = (new_position, new_total);
    Ok(())
}

/// Removes `shares` from a position and its bank's total, or neither.
fn remove_pair(position: &mut u64, total: &mut u64, shares: u64) -> RiskResult<()> {
    let (new_position, new_total) = (sub(*position, shares)?, sub(*total, shares)?);
    (*position, *total) = (new_position, new_total);
    Ok(())
}

/// Books a deposit of `amount`: deposit shares minted, rounded down, added to the position and the bank.
/// Returns the shares.
///
/// Errors: [`RiskError::ZeroAmount`]; [`RiskError::DepositBelowOneShare`] when the shares are worth nothing
/// (too small for one share, or below one native unit's worth after a socialised loss lowered the index).
pub fn deposit(position_shares: &mut u64, totals: &mut BankTotals, amount: u64) -> RiskResult<u64> {
    if amount == 0 {
        return Err(RiskError::ZeroAmount);
    }
    let shares = deposit_shares_for(amount, totals.deposit_index)?;
    if deposit_tokens_of(shares, totals.deposit_index)? == 0 {
        return Err(RiskError::DepositBelowOneShare);
    }
    add_pair(position_shares, &mut totals.deposit_shares, shares)?;
    Ok(shares)
}

/// Books a withdrawal of `amount`: shares burned rounded up, at most the position, and all of them when what
/// would remain is worth nothing. Returns the shares burned.
///
/// Errors: [`RiskError::ZeroAmount`]; [`RiskError::InsufficientDeposit`] when `amount` exceeds the position's
/// worth.
pub fn withdraw(position_shares: &mut u64, totals: &mut BankTotals, amount: u64) -> RiskResult<u64> {
    if amount == 0 {
        return Err(RiskError::ZeroAmount);
    }
    let held = *position_shares;
    if amount > deposit_tokens_of(held, totals.deposit_index)? {
        return Err(RiskError::InsufficientDeposit);
    }
    let shares = withdraw_shares_burned(amount, held, totals.deposit_index)?;
    remove_pair(position_shares, &mut totals.deposit_shares, shares)?;
    Ok(shares)
}

/// Books a borrow of `amount`: debt shares rounded up (the debt recorded is at least what leaves the vault),
/// added to the position and the bank. Returns the shares.
///
/// Errors: [`RiskError::ZeroAmount`].
pub fn borrow(position_shares: &mut u64, totals: &mut BankTotals, amount: u64) -> RiskResult<u64> {
    if amount == 0 {
        return Err(RiskError::ZeroAmount);
    }
    let shares = borrow_shares_for(amount, totals.borrow_index)?;
    add_pair(position_shares, &mut totals.borrow_shares, shares)?;
    Ok(shares)
}

/// Books a repay of `amount`: the whole debt clears every share; a part clears shares rounded down. Returns
/// the shares cleared.
///
/// Errors: [`RiskError::NoDebtToRepay`]; [`RiskError::ZeroAmount`]; [`RiskError::RepayExceedsDebt`];
/// [`RiskError::RepayBelowOneShare`] when a part would clear no share (the tokens would be paid for nothing).
pub fn repay(position_shares: &mut u64, totals: &mut BankTotals, amount: u64) -> RiskResult<u64> {
    let owed_shares = *position_shares;
    if owed_shares == 0 {
        return Err(RiskError::NoDebtToRepay);
    }
    if amount == 0 {
        return Err(RiskError::ZeroAmount);
    }
    let owed = borrow_tokens_of(owed_shares, totals.borrow_index)?;
    if amount > owed {
        return Err(RiskError::RepayExceedsDebt);
    }
    let shares = if amount == owed { owed_shares } else { repay_shares_for(amount, totals.borrow_index)? };
    if shares == 0 {
        return Err(RiskError::RepayBelowOneShare);
    }
    remove_pair(position_shares, &mut totals.borrow_shares, shares)?;
    Ok(shares)
}

/// One position's shares and its bank's totals, as a liquidation settles them.
pub struct Side<'a> {
    /// The position's borrow shares (debt side) or deposit shares (collateral side).
    pub position_shares: &'a mut u64,
    /// The bank's totals.
    pub totals: &'a mut BankTotals,
}

/// Settles a liquidation `plan`: the debt's shares for the repay (every share when the repay covers the debt,
/// else rounded down, at most the position), the collateral's shares for the seized and forfeit tokens
/// (rounded up, all when the rest is worth nothing). The insurance fee is paid in the debt token on top of
/// the repay and moves no share. Returns (debt shares cleared, collateral shares
/// burned). Both sides are checked before either is written.
pub fn settle_liquidation(debt: Side, collateral: Side, plan: &LiquidationPlan) -> RiskResult<(u64, u64)> {
    let owed = borrow_tokens_of(*debt.position_shares, debt.totals.borrow_index)?;
    let debt_shares = if plan.repay_tokens >= owed {
        *debt.position_shares
    } else {
        repay_shares_for(plan.repay_tokens, debt.totals.borrow_index)?.min(*debt.position_shares)
    };
    let seized = add(plan.seized_to_liquidator, plan.collateral_forfeit_tokens)?;
    let held = *collateral.position_shares;
    let collateral_shares = withdraw_shares_burned(seized, held, collateral.totals.deposit_index)?;
    // Check all four subtractions first.
    sub(*debt.position_shares, debt_shares)?;
    sub(debt.totals.borrow_shares, debt_shares)?;
    sub(held, collateral_shares)?;
    sub(collateral.totals.deposit_shares, collateral_shares)?;
    remove_pair(debt.position_shares, &mut debt.totals.borrow_shares, debt_shares)?;
    remove_pair(collateral.position_shares, &mut collateral.totals.deposit_shares, collateral_shares)?;
    Ok((debt_shares, collateral_shares))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interest::INDEX_SCALE;
    use proptest::prelude::*;

    fn bank(deposit_index: u64, borrow_index: u64) -> BankTotals {
        BankTotals { deposit_shares: 0, borrow_shares: 0, deposit_index, borrow_index }
    }

    #[test]
    fn a_deposit_worth_nothing_is_refused_and_changes_nothing() {
        // Index 3.0: one native unit mints 0 shares.
        let mut totals = bank(3 * INDEX_SCALE, INDEX_SCALE);
        let mut position = 0;
        assert_eq!(deposit(&mut position, &mut totals, 1), Err(RiskError::DepositBelowOneShare));
        assert_eq!((position, totals.deposit_shares), (0, 0));
        assert_eq!(deposit(&mut position, &mut totals, 0), Err(RiskError::ZeroAmount));
        assert_eq!(deposit(&mut position, &mut totals, 3), Ok(1));
    }

    #[test]
    fn a_repay_that_clears_no_share_is_refused_not_taken() {
        // Index 2.5: 1 native unit clears 0.4 share, rounded down to 0.
        let mut totals = bank(INDEX_SCALE, 5 * INDEX_SCALE / 2);
        let mut position = 0;
        borrow(&mut position, &mut totals, 10).unwrap();
        assert_eq!(repay(&mut position, &mut totals, 1), Err(RiskError::RepayBelowOneShare));
        assert_eq!(repay(&mut position, &mut totals, 11), Err(RiskError::RepayExceedsDebt));
        assert_eq!(repay(&mut 0, &mut totals, 1), Err(RiskError::NoDebtToRepay));
        let owed = borrow_tokens_of(position, totals.borrow_index).unwrap();
        assert_eq!(repay(&mut position, &mut totals, owed), Ok(4));
        assert_eq!((position, totals.borrow_shares), (0, 0));
    }

    #[test]
    fn an_overflowing_total_leaves_the_position_untouched() {
        let mut totals = BankTotals { deposit_shares: u64::MAX, ..bank(INDEX_SCALE, INDEX_SCALE) };
        let mut position = 5;
        assert_eq!(deposit(&mut position, &mut totals, 10), Err(RiskError::MathOverflow));
        assert_eq!((position, totals.deposit_shares), (5, u64::MAX));
    }

    /// One step of a random sequence on three positions of one bank.
    #[derive(Clone, Debug)]
    enum Step {
        Deposit(usize, u64),
        Withdraw(usize, u64),
        Borrow(usize, u64),
        Repay(usize, u64),
        /// Interest: both indices grow by these bps (the deposit index by less).
        Accrue(u64, u64),
    }

    fn step() -> impl Strategy<Value = Step> {
        let amount = prop_oneof![1u64..100, 1u64..1_000_000_000, Just(u64::MAX / 4)];
        prop_oneof![
            (0usize..3, amount.clone()).prop_map(|(p, a)| Step::Deposit(p, a)),
            (0usize..3, amount.clone()).prop_map(|(p, a)| Step::Withdraw(p, a)),
            (0usize..3, amount.clone()).prop_map(|(p, a)| Step::Borrow(p, a)),
            (0usize..3, amount).prop_map(|(p, a)| Step::Repay(p, a)),
            (0u64..500, 0u64..1_000).prop_map(|(d, b)| Step::Accrue(d, b)),
        ]
    }

    proptest! {
        /// Over random sequences: the bank's totals equal the sum of its positions; a deposit's shares are
        /// worth at most what was paid and a borrow's at least what was taken; a withdraw burns at least the
        /// tokens' worth (or everything); a repay clears at most what was paid (or everything); a refusal
        /// changes nothing.
        #[test]
        fn totals_move_in_pairs_and_rounding_favours_the_protocol(steps in prop::collection::vec(step(), 1..40)) {
            let mut totals = bank(INDEX_SCALE, INDEX_SCALE);
            let (mut deposits, mut debts) = ([0u64; 3], [0u64; 3]);
            for step in steps {
                let before = (totals, deposits, debts);
                let result = match step {
                    Step::Deposit(p, amount) => deposit(&mut deposits[p], &mut totals, amount).map(|shares| {
                        assert!(deposit_tokens_of(shares, totals.deposit_index).unwrap() <= amount);
                    }),
                    Step::Withdraw(p, amount) => withdraw(&mut deposits[p], &mut totals, amount).map(|shares| {
                        assert!(deposit_tokens_of(shares, totals.deposit_index).unwrap() >= amount);
                    }),
                    Step::Borrow(p, amount) => borrow(&mut debts[p], &mut totals, amount).map(|shares| {
                        assert!(borrow_tokens_of(shares, totals.borrow_index).unwrap() >= amount);
                    }),
                    Step::Repay(p, amount) => {
                        let owed = borrow_tokens_of(debts[p], totals.borrow_index).unwrap_or(u64::MAX);
                        let amount = amount.min(owed);
                        repay(&mut debts[p], &mut totals, amount).map(|shares| {
                            let cleared = borrow_tokens_of(shares, totals.borrow_index).unwrap();
                            assert!(debts[p] == 0 || cleared <= amount);
                        })
                    }
                    Step::Accrue(deposit_bps, borrow_bps) => {
                        totals.deposit_index += totals.deposit_index / 10_000 * deposit_bps;
                        totals.borrow_index += totals.borrow_index / 10_000 * borrow_bps;
                        Ok(())
                    }
                };
                if result.is_err() {
                    prop_assert_eq!((totals, deposits, debts), before, "a refusal changed state");
                }
                prop_assert_eq!(totals.deposit_shares, deposits.iter().sum::<u64>());
                prop_assert_eq!(totals.borrow_shares, debts.iter().sum::<u64>());
            }
        }
    }
}
