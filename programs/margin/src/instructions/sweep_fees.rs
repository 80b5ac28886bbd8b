//! `sweep_fees`: anyone moves a bank's protocol fees (interest kept for insurance, owed since accrual) from
//! its vault into its insurance vault. Moves what is owed, or what the vault holds when it holds less; the
//! rest stays owed. Interest is accrued first.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, FeesSwept};
use crate::state::Bank;
use crate::token::{transfer_from_bank, Transfer};

#[derive(Accounts)]
pub struct SweepFees<'info> {
    #[account(mut)]
    pub bank: AccountLoader<'info, Bank>,
    #[account(mut)]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    #[account(mut)]
    pub insurance_vault: InterfaceAccount<'info, TokenAccount>,
    pub mint: InterfaceAccount<'info, Mint>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl SweepFees<'_> {
    /// The bank's vault, insurance vault, mint and token program.
    pub fn validate(&self) -> Result<()> {
        let (vault, insurance) = (self.vault.key(), self.insurance_vault.key());
        self.bank.load()?.require_accounts(&vault, &insurance, &self.mint.key(), &self.token_program.key())
    }
}

impl<'info> SweepFees<'info> {
    pub fn sweep_fees(ctx: Context<'info, Self>) -> Result<()> {
        ctx.accounts.validate()?;
        let now = Clock::get()?.unix_timestamp;
        let (amount, still_owed, bank_copy) = {
            let mut bank = ctx.accounts.bank.load_mut()?;
            bank.accrue_and_emit(&ctx.accounts.bank.key(), now)?;
            let amount = bank.pending_insurance_fees.min(ctx.accounts.vault.amount);
            require!(amount > 0, MarginError::ZeroAmount);
            bank.pending_insurance_fees = margin_risk::math::sub(bank.pending_insurance_fees, amount).risk()?;
            (amount, bank.pending_insurance_fees, *bank)
        };
        let transfer = Transfer {
            token_program: ctx.accounts.token_program.to_account_info(),
            mint: ctx.accounts.mint.to_account_info(),
            from: ctx.accounts.vault.to_account_info(),
            to: ctx.accounts.insurance_vault.to_account_info(),
            authority: ctx.accounts.bank.to_account_info(),
        };
        transfer_from_bank(transfer, amount, &bank_copy)?;
        emit_event(FeesSwept { bank: ctx.accounts.bank.key(), amount, still_owed });
        Ok(())
    }
}
