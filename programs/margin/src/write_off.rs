//! Writing off a bankrupt account's debt in one bank, shared by `resolve_bankruptcy` and by the liquidation
//! that takes an account's last collateral (issue 21, finding 3: a loss is booked as soon as it exists).
//! Every number is `margin_risk::bankruptcy::split_bankruptcy`'s.
use anchor_lang::prelude::*;
use margin_risk::bankruptcy::{split_bankruptcy, BankruptcySplit};
use margin_risk::interest::borrow_tokens_of;

use crate::errors::RiskResultExt;
use crate::events::{emit_event, BankruptcyResolved};
use crate::state::{Bank, MarginAccount};
use crate::token::{transfer_from_bank, BankSigner, Transfer};

/// Writes off every borrow share of `account` in `bank` (accrued to now; the position at `index`): insurance
/// first (`insurance_balance`, what the insurance vault will hold when the transfer runs), then the deposit
/// index, the rest recorded as the bank's unbooked bad debt. The position's shares and the bank's totals move;
/// the caller moves `split.insurance_tokens` from the insurance vault to the vault ([`pay_from_insurance`]).
pub fn write_off_debt(
    account: &mut MarginAccount,
    index: usize,
    bank: &mut Bank,
    insurance_balance: u64,
) -> Result<BankruptcySplit> {
    let shares = account.positions[index].borrow_shares;
    let debt = borrow_tokens_of(shares, bank.borrow_index).risk()?;
    let split = split_bankruptcy(debt, insurance_balance, &bank.totals()).risk()?;
    bank.borrow_shares = margin_risk::math::sub(bank.borrow_shares, shares).risk()?;
    bank.deposit_index = split.new_deposit_index;
    bank.unbooked_bad_debt = margin_risk::math::add(bank.unbooked_bad_debt, split.unbooked_tokens).risk()?;
    account.positions[index].borrow_shares = 0;
    Ok(split)
}

/// Moves the insurance part of a write-off from the bank's insurance vault into its vault (signed by the bank).
pub fn pay_from_insurance(transfer: Transfer<'_>, split: &BankruptcySplit, bank: &BankSigner) -> Result<()> {
    if split.insurance_tokens > 0 {
        transfer_from_bank(transfer, split.insurance_tokens, bank)?;
    }
    Ok(())
}

/// The `BankruptcyResolved` event of a write-off of `account`'s debt in `bank`.
pub fn emit_write_off(account: Pubkey, bank: Pubkey, split: &BankruptcySplit) {
    emit_event(BankruptcyResolved {
        account,
        bank,
        debt_written_off: split.debt_tokens,
        from_insurance: split.insurance_tokens,
        socialized: split.socialized_tokens,
        unbooked: split.unbooked_tokens,
        new_deposit_index: split.new_deposit_index,
    });
}
