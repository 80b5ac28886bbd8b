//! `accrue_interest`: anyone accrues a bank's interest up to now (every instruction that touches a bank
//! also does it first).
use anchor_lang::prelude::*;

use crate::state::Bank;

#[derive(Accounts)]
pub struct AccrueInterest<'info> {
    #[account(mut)]
    pub bank: AccountLoader<'info, Bank>,
}

impl<'info> AccrueInterest<'info> {
    pub fn accrue_interest(ctx: Context<'info, Self>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        // The event is emitted when time has passed since the last accrual (a second call within the same
        // second changes nothing and emits nothing).
        ctx.accounts.bank.load_mut()?.accrue_and_emit(&ctx.accounts.bank.key(), now)?;
        Ok(())
    }
}
