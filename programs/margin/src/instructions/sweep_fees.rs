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
    /// The bank; its vault, insurance vault, mint and token program are the ones it records (declared as
    /// relations, so the IDL lets generated clients fill them from the bank).
    #[account(mut, has_one = vault @ MarginError::WrongVault, has_one = insurance_vault @ MarginError::WrongVault,
              has_one = mint @ MarginError::WrongMint, has_one = token_program @ MarginError::WrongTokenProgram)]
    pub bank: AccountLoader<'info, Bank>,
    #[account(mut)]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    #[account(mut)]
    pub insurance_vault: InterfaceAccount<'info, TokenAccount>,
    pub mint: InterfaceAccount<'info, Mint>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl<'info> SweepFees<'info> {
    pub fn sweep_fees(ctx: Context<'info, Self>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let (amount, still_owed, bank_copy) = {
            let mut bank = ctx.accounts.bank.load_mut()?;
            bank.accrue_and_emit(&ctx.accounts.bank.key(), now)?;
            let amount = bank.pending_insurance_fees.min(ctx.accounts.vault.amount);
            require!(amount > 0, MarginError::ZeroAmount);
            bank.pending_insurance_fees = margin_risk::math::sub(bank.pending_insurance_fees, amount).risk()?;
            (amount, bank.pending_insurance_fees, crate::token::BankSigner::of(&bank))
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
