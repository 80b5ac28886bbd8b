//! `borrow`: the owner borrows tokens from a bank into its wallet. Init health must be ≥ 0 after (remaining
//! accounts: every position's bank and price account, the new position included); the bank's borrow cap
//! and maximum utilization must hold.
use anchor_lang::prelude::*;
use margin_risk::accounting::borrow;
use margin_risk::interest::check_borrow_limits;

use super::token_action::TokenAction;
use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, Borrowed, LiquidationFlagCleared};
use crate::health_accounts::{require_init_health, LoadedBank};

impl<'info> TokenAction<'info> {
    pub fn borrow(ctx: Context<'info, Self>, amount: u64) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let bank_key = ctx.accounts.bank.key();
        let (shares, init_health, flag_cleared, bank_copy) = {
            let mut bank = ctx.accounts.bank.load_mut()?;
            require!(bank.is_active(), MarginError::BankNotActive);
            ctx.accounts.group.require_not_paused(now)?;
            bank.accrue_and_emit(&bank_key, now)?;
            let mut account = ctx.accounts.account.load_mut()?;
            let index = account.position_for(&bank_key, &bank, false)?;
            // Rounded up: the debt recorded is at least what leaves the vault.
            let mut totals = bank.totals();
            let shares = borrow(&mut account.positions[index].borrow_shares, &mut totals, amount).risk()?;
            bank.set_totals(&totals);
            check_borrow_limits(&totals, &bank.limits()).risk()?;
            let loaded = [LoadedBank::new(bank_key, &bank)];
            let init = require_init_health(&account, ctx.remaining_accounts, &loaded, now)?;
            let publish_time = loaded[0].publish_time.get();
            bank.record_price_time(publish_time);
            (shares, init, account.record_health_shown(true), crate::token::BankSigner::of(&bank))
        };
        crate::token::transfer_from_bank(ctx.accounts.vault_to_user(), amount, &bank_copy)?;
        emit_event(Borrowed {
            account: ctx.accounts.account.key(),
            bank: bank_key,
            amount,
            shares,
            init_assets: init_health.assets,
            init_liabilities: init_health.liabilities,
        });
        if flag_cleared {
            emit_event(LiquidationFlagCleared { account: ctx.accounts.account.key() });
        }
        Ok(())
    }
}
