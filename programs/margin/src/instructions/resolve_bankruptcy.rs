//! `resolve_bankruptcy`: anyone writes off the debt of a bankrupt account (debt, no deposit left) in one
//! bank: the bank's insurance vault covers what it can, the rest is socialised over the bank's depositors
//! through the deposit index. No oracle needed.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use margin_risk::bankruptcy::split_bankruptcy;
use margin_risk::interest::borrow_tokens_of;

use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, BankruptcyResolved};
use crate::state::{Bank, Group, MarginAccount};
use crate::token::{transfer_from_bank, Transfer};

#[derive(Accounts)]
pub struct ResolveBankruptcy<'info> {
    #[account(mut)]
    pub account: AccountLoader<'info, MarginAccount>,
    /// The account's group (its pause).
    pub group: Account<'info, Group>,
    #[account(mut)]
    pub bank: AccountLoader<'info, Bank>,
    #[account(mut)]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    #[account(mut)]
    pub insurance_vault: InterfaceAccount<'info, TokenAccount>,
    pub mint: InterfaceAccount<'info, Mint>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl ResolveBankruptcy<'_> {
    /// The bank of the account's group, its vaults, mint and program; the account bankrupt.
    pub fn validate(&self) -> Result<()> {
        let (account, bank) = (self.account.load()?, self.bank.load()?);
        require_keys_eq!(self.group.key(), account.group, MarginError::WrongGroup);
        require_keys_eq!(bank.group, account.group, MarginError::WrongGroup);
        require_keys_eq!(bank.vault, self.vault.key(), MarginError::WrongVault);
        require_keys_eq!(bank.insurance_vault, self.insurance_vault.key(), MarginError::WrongVault);
        require_keys_eq!(bank.mint, self.mint.key(), MarginError::WrongMint);
        require_keys_eq!(bank.token_program, self.token_program.key(), MarginError::WrongMint);
        let no_deposit = account.used_positions().all(|position| position.deposit_shares == 0);
        require!(no_deposit && account.has_debt(), MarginError::NotBankrupt);
        Ok(())
    }
}

impl<'info> ResolveBankruptcy<'info> {
    pub fn resolve_bankruptcy(ctx: Context<'info, Self>) -> Result<()> {
        ctx.accounts.validate()?;
        let now = Clock::get()?.unix_timestamp;
        ctx.accounts.group.require_not_paused(now)?;
        let bank_key = ctx.accounts.bank.key();
        let (split, bank_copy) = {
            let mut bank = ctx.accounts.bank.load_mut()?;
            bank.accrue(now)?;
            let mut account = ctx.accounts.account.load_mut()?;
            let index = account.position_index(&bank_key).ok_or(MarginError::NoDebtToRepay)?;
            let shares = account.positions[index].borrow_shares;
            let debt = borrow_tokens_of(shares, bank.borrow_index).risk()?;
            let split = split_bankruptcy(debt, ctx.accounts.insurance_vault.amount, &bank.totals()).risk()?;
            bank.borrow_shares = margin_risk::math::sub(bank.borrow_shares, shares).risk()?;
            bank.deposit_index = split.new_deposit_index;
            account.positions[index].borrow_shares = 0;
            account.release_if_empty(index);
            if !account.has_debt() {
                account.being_liquidated = 0;
            }
            (split, *bank)
        };
        if split.insurance_tokens > 0 {
            let transfer = Transfer {
                token_program: ctx.accounts.token_program.to_account_info(),
                mint: ctx.accounts.mint.to_account_info(),
                from: ctx.accounts.insurance_vault.to_account_info(),
                to: ctx.accounts.vault.to_account_info(),
                authority: ctx.accounts.bank.to_account_info(),
            };
            transfer_from_bank(transfer, split.insurance_tokens, &bank_copy)?;
        }
        emit_event(BankruptcyResolved {
            account: ctx.accounts.account.key(),
            bank: bank_key,
            debt_written_off: split.debt_tokens,
            from_insurance: split.insurance_tokens,
            socialized: split.socialized_tokens,
            new_deposit_index: split.new_deposit_index,
        });
        Ok(())
    }
}
