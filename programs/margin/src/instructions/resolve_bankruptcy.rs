//! `resolve_bankruptcy`: anyone writes off the debt of a bankrupt account in one bank: the bank's insurance
//! vault covers what it can, the rest is socialised over the bank's depositors through the deposit index.
//! Bankrupt means debt and no deposit worth keeping: every deposit is worth less than one native unit or
//! is below its bank's dust threshold (`margin_risk::bankruptcy::is_forfeit_deposit`); such deposits are
//! burned here. No oracle needed. Remaining accounts: every used position's bank, in account order,
//! writable (the banks whose forfeited shares are burned).
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use margin_risk::bankruptcy::{is_forfeit_deposit, split_bankruptcy};
use margin_risk::interest::{borrow_tokens_of, deposit_tokens_of};

use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, BankruptcyResolved, DepositForfeited};
use crate::state::{Bank, Group, MarginAccount};
use crate::token::{transfer_from_bank, Transfer};

#[derive(Accounts)]
pub struct ResolveBankruptcy<'info> {
    #[account(mut, has_one = group @ MarginError::WrongGroup)]
    pub account: AccountLoader<'info, MarginAccount>,
    /// The account's group (its pause).
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

/// Burns every deposit of `account` that is forfeit, each in its bank (accrued to `now` first) from
/// `remaining` (one bank per used position, in order); refuses with `NotBankrupt` at the first deposit worth
/// keeping. The positions stay in place (released by the caller).
fn burn_forfeit_deposits<'info>(
    account: &mut MarginAccount,
    remaining: &'info [AccountInfo<'info>],
    group: &Pubkey,
    now: i64,
) -> Result<Vec<Forfeit>> {
    let used = account.used_positions().count();
    require!(remaining.len() == used, MarginError::BadRemainingAccounts);
    let mut forfeits = Vec::new();
    for (position, bank_info) in account.positions[..used].iter_mut().zip(remaining) {
        require_keys_eq!(bank_info.key(), position.bank, MarginError::BadRemainingAccounts);
        if position.deposit_shares == 0 {
            continue;
        }
        let loader = AccountLoader::<Bank>::try_from(bank_info)?;
        let mut bank = loader.load_mut()?;
        require_keys_eq!(bank.group, *group, MarginError::WrongGroup);
        bank.accrue_and_emit(&bank_info.key(), now)?;
        let tokens = deposit_tokens_of(position.deposit_shares, bank.deposit_index).risk()?;
        require!(is_forfeit_deposit(tokens, bank.limits.dust_threshold), MarginError::NotBankrupt);
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
        ctx.accounts.group.require_not_paused(now)?;
        let bank_key = ctx.accounts.bank.key();
        let (split, forfeits, bank_copy) = {
            let mut account = ctx.accounts.account.load_mut()?;
            let group = account.group;
            // The debt bank's own position holds no deposit, so it is never loaded twice.
            let forfeits = burn_forfeit_deposits(&mut account, ctx.remaining_accounts, &group, now)?;
            let mut bank = ctx.accounts.bank.load_mut()?;
            bank.accrue_and_emit(&bank_key, now)?;
            let index = account.position_index(&bank_key).ok_or(MarginError::NoDebtToRepay)?;
            let shares = account.positions[index].borrow_shares;
            let debt = borrow_tokens_of(shares, bank.borrow_index).risk()?;
            let split = split_bankruptcy(debt, ctx.accounts.insurance_vault.amount, &bank.totals()).risk()?;
            bank.borrow_shares = margin_risk::math::sub(bank.borrow_shares, shares).risk()?;
            bank.deposit_index = split.new_deposit_index;
            account.positions[index].borrow_shares = 0;
            for slot in (0..account.used_positions().count()).rev() {
                account.release_if_empty(slot);
            }
            account.record_health_shown(false);
            (split, forfeits, *bank)
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
        let account_key = ctx.accounts.account.key();
        for forfeit in forfeits {
            let Forfeit { bank, shares, tokens } = forfeit;
            emit_event(DepositForfeited { account: account_key, bank, shares, tokens });
        }
        emit_event(BankruptcyResolved {
            account: account_key,
            bank: bank_key,
            debt_written_off: split.debt_tokens,
            from_insurance: split.insurance_tokens,
            socialized: split.socialized_tokens,
            new_deposit_index: split.new_deposit_index,
        });
        Ok(())
    }
}
