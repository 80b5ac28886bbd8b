//! `resolve_bankruptcy`: anyone writes off the debt of a bankrupt account in one bank: the bank's insurance
//! vault covers what it can, the rest is socialised over the bank's depositors through the deposit index
//! (as far as the index can fall; beyond that it is recorded as the bank's unbooked bad debt). Bankrupt
//! means debt and no deposit worth keeping: every deposit is worth less than one native unit, or is below
//! its bank's dust threshold while the account is under water (Maint < 0 at its prices; issue 21,
//! finding 6). Such deposits are burned here. Never blocked by a group pause: it reads no price to move
//! value and books a loss that lenders must not run ahead of (finding 3). Remaining accounts: for each used
//! position, in account order, its bank (writable) then its price account (read only when a dust deposit
//! worth a native unit or more needs the under-water check).
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use margin_risk::bankruptcy::{dust_may_be_forfeit, is_forfeit_deposit};
use margin_risk::interest::deposit_tokens_of;

use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, DepositForfeited};
use crate::health_accounts::{health_positions, position_banks};
use crate::state::{Bank, Group, MarginAccount};
use crate::token::Transfer;
use crate::write_off::{emit_write_off, pay_from_insurance, write_off_debt};

#[derive(Accounts)]
pub struct ResolveBankruptcy<'info> {
    #[account(mut, has_one = group @ MarginError::WrongGroup)]
    pub account: AccountLoader<'info, MarginAccount>,
    /// The account's group.
    pub group: Account<'info, Group>,
    /// The bank of the written-off debt; its vaults, mint and token program (relations in the IDL).
    #[account(mut, has_one = group @ MarginError::WrongGroup, has_one = vault @ MarginError::WrongVault,
              has_one = insurance_vault @ MarginError::WrongVault, has_one = mint @ MarginError::WrongMint,
              has_one = token_program @ MarginError::WrongTokenProgram)]
    pub bank: AccountLoader<'info, Bank>,
    #[account(mut)]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    #[account(mut)]
    pub insurance_vault: InterfaceAccount<'info, TokenAccount>,
    pub mint: InterfaceAccount<'info, Mint>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl ResolveBankruptcy<'_> {
    /// The account owes something (its relations are the constraints above).
    pub fn validate(&self) -> Result<()> {
        require!(self.account.load()?.has_debt(), MarginError::NotBankrupt);
        Ok(())
    }
}

/// A deposit burned by the resolution: its bank, shares and value.
struct Forfeit {
    bank: Pubkey,
    shares: u64,
    tokens: u64,
}

/// Checks `remaining` (a bank, its price account and its fallback's if any, per used position, in order) and that every deposit of
/// `account` is forfeit: worth nothing, or dust while the account is under water (then the prices are read).
/// Refuses with `NotBankrupt` at the first deposit worth keeping.
fn check_deposits_forfeit<'info>(
    account: &MarginAccount,
    remaining: &'info [AccountInfo<'info>],
    now: i64,
) -> Result<()> {
    let banks = position_banks(account, remaining)?;
    let mut holds_dust = false;
    for (position, bank_info) in account.used_positions().zip(&banks) {
        if position.deposit_shares == 0 {
            continue;
        }
        let bank = AccountLoader::<Bank>::try_from(bank_info)?.load()?.accrued_to(now)?;
        require_keys_eq!(bank.group, account.group, MarginError::WrongGroup);
        let tokens = deposit_tokens_of(position.deposit_shares, bank.deposit_index).risk()?;
        require!(is_forfeit_deposit(tokens, bank.limits.dust_threshold), MarginError::NotBankrupt);
        holds_dust |= tokens > 0;
    }
    if holds_dust {
        let positions = health_positions(account, remaining, &[], now)?.positions;
        require!(dust_may_be_forfeit(&positions).risk()?, MarginError::NotBankrupt);
    }
    Ok(())
}

/// Burns every deposit of `account` (all forfeit, [`check_deposits_forfeit`]), each in its bank accrued to
/// `now`. The positions stay in place (released by the caller).
fn burn_forfeit_deposits<'info>(
    account: &mut MarginAccount,
    remaining: &'info [AccountInfo<'info>],
    now: i64,
) -> Result<Vec<Forfeit>> {
    let banks = position_banks(account, remaining)?;
    let used = banks.len();
    let mut forfeits = Vec::new();
    for (position, bank_info) in account.positions[..used].iter_mut().zip(&banks) {
        if position.deposit_shares == 0 {
            continue;
        }
        let loader = AccountLoader::<Bank>::try_from(bank_info)?;
        let mut bank = loader.load_mut()?;
        bank.accrue_and_emit(&bank_info.key(), now)?;
        let tokens = deposit_tokens_of(position.deposit_shares, bank.deposit_index).risk()?;
        bank.deposit_shares = margin_risk::math::sub(bank.deposit_shares, position.deposit_shares).risk()?;
        forfeits.push(Forfeit { bank: position.bank, shares: position.deposit_shares, tokens });
        position.deposit_shares = 0;
    }
    Ok(forfeits)
}

impl<'info> ResolveBankruptcy<'info> {
    pub fn resolve_bankruptcy(ctx: Context<'info, Self>) -> Result<()> {
        ctx.accounts.validate()?;
        let now = Clock::get()?.unix_timestamp;
        let bank_key = ctx.accounts.bank.key();
        let (split, forfeits, bank_copy) = {
            let mut account = ctx.accounts.account.load_mut()?;
            check_deposits_forfeit(&account, ctx.remaining_accounts, now)?;
            // The debt bank's own position holds no deposit, so it is never loaded twice.
            let forfeits = burn_forfeit_deposits(&mut account, ctx.remaining_accounts, now)?;
            let mut bank = ctx.accounts.bank.load_mut()?;
            bank.accrue_and_emit(&bank_key, now)?;
            let index = account.position_index(&bank_key).ok_or(MarginError::NoDebtToRepay)?;
            require!(account.positions[index].borrow_shares > 0, MarginError::NoDebtToRepay);
            let split = write_off_debt(&mut account, index, &mut bank, ctx.accounts.insurance_vault.amount)?;
            for slot in (0..account.used_positions().count()).rev() {
                account.release_if_empty(slot);
            }
            account.record_health_shown(false);
            (split, forfeits, crate::token::BankSigner::of(&bank))
        };
        let transfer = Transfer {
            token_program: ctx.accounts.token_program.to_account_info(),
            mint: ctx.accounts.mint.to_account_info(),
            from: ctx.accounts.insurance_vault.to_account_info(),
            to: ctx.accounts.vault.to_account_info(),
            authority: ctx.accounts.bank.to_account_info(),
        };
        pay_from_insurance(transfer, &split, &bank_copy)?;
        let account_key = ctx.accounts.account.key();
        for forfeit in forfeits {
            let Forfeit { bank, shares, tokens } = forfeit;
            emit_event(DepositForfeited { account: account_key, bank, shares, tokens });
        }
        emit_write_off(account_key, bank_key, &split);
        Ok(())
    }
}
