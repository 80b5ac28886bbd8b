//! `tighten_bank`: the admin or the guardian changes a bank's parameters at once, provided every moved
//! parameter moves the risk-reducing way and may move at once (`margin_risk::governance::PARAMETER_TABLE`):
//! lower init asset weights, higher init liability weights, lower caps and utilization, tighter confidence
//! and age limits (never below their floors), higher k_init, reduce-only, paused (for a bounded time). The
//! Maint side (maint weights, k_maint, the discount cap) never moves at once: an instant cut there could make
//! a healthy account liquidatable. Interest is accrued at the old parameters first.
use anchor_lang::prelude::*;
use margin_risk::governance::require_risk_reducing;

use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, BankParamsChanged};
use crate::state::{Bank, BankParams, Group};

#[derive(Accounts)]
pub struct TightenBank<'info> {
    /// The admin or the guardian; either may be a PDA signing through CPI.
    pub authority: Signer<'info>,
    pub group: Account<'info, Group>,
    #[account(mut)]
    pub bank: AccountLoader<'info, Bank>,
}

impl TightenBank<'_> {
    /// Admin or guardian; a bank of this group; valid parameters that only reduce risk.
    pub fn validate(&self, params: &BankParams) -> Result<()> {
        self.group.require_admin_or_guardian(&self.authority.key())?;
        let bank = self.bank.load()?;
        require_keys_eq!(bank.group, self.group.key(), MarginError::WrongGroup);
        Bank::validate_params(params)?;
        require_risk_reducing(&bank.params().values(), &params.values()).risk()
    }
}

impl<'info> TightenBank<'info> {
    pub fn tighten_bank(ctx: Context<'info, Self>, params: BankParams) -> Result<()> {
        ctx.accounts.validate(&params)?;
        let now = Clock::get()?.unix_timestamp;
        let old = {
            let mut bank = ctx.accounts.bank.load_mut()?;
            bank.accrue_and_emit(&ctx.accounts.bank.key(), now)?;
            let old = bank.params();
            bank.set_params(&params, now, &ctx.accounts.group.governance.config().pause)?;
            old
        };
        emit_event(BankParamsChanged {
            group: ctx.accounts.group.key(),
            bank: ctx.accounts.bank.key(),
            signer: ctx.accounts.authority.key(),
            proposal: Pubkey::default(),
            old,
            new: params,
        });
        Ok(())
    }
}
