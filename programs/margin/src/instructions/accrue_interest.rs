//! `accrue_interest`: anyone accrues a bank's interest up to now (every instruction that touches a bank
//! also does it first).
use anchor_lang::prelude::*;

use crate::events::{emit_event, InterestAccrued};
use crate::state::Bank;

#[derive(Accounts)]
pub struct AccrueInterest<'info> {
    #[account(mut)]
    pub bank: AccountLoader<'info, Bank>,
}

impl<'info> AccrueInterest<'info> {
    pub fn accrue_interest(ctx: Context<'info, Self>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let mut bank = ctx.accounts.bank.load_mut()?;
        let accrual = bank.accrue(now)?;
        emit_event(InterestAccrued {
            bank: ctx.accounts.bank.key(),
            borrow_rate_bps: accrual.borrow_rate_bps,
            interest: accrual.interest_tokens,
            protocol_fee: accrual.protocol_fee_tokens,
            deposit_index: bank.deposit_index,
            borrow_index: bank.borrow_index,
        });
        Ok(())
    }
}
