//! `withdraw`: the owner takes tokens out of a deposit. Init health must stay ≥ 0 when the account has
//! debt (remaining accounts: every position's bank and price account). A withdraw is limited only by the
//! tokens in the vault (less the fees it owes the insurance vault), never by max utilization, so lenders can
//! always exit what is there. An account without debt needs no oracle.
use anchor_lang::prelude::*;
use margin_risk::accounting::withdraw;
use margin_risk::interest::check_withdraw_liquidity;

use super::token_action::TokenAction;
use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, LiquidationFlagCleared, Withdrawn};
use crate::health_accounts::{require_init_health, LoadedBank};

impl<'info> TokenAction<'info> {
    pub fn withdraw(ctx: Context<'info, Self>, amount: u64) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let bank_key = ctx.accounts.bank.key();
        let (shares, flag_cleared, bank_copy) = {
            let mut bank = ctx.accounts.bank.load_mut()?;
            require!(!bank.is_paused(now), MarginError::BankNotActive);
            bank.accrue_and_emit(&bank_key, now)?;
            let mut account = ctx.accounts.account.load_mut()?;
            if account.has_debt() {
                ctx.accounts.group.require_not_paused(now)?;
            }
            let index = account.position_index(&bank_key).ok_or(MarginError::NoPosition)?;
            // Rounded up, at most the position; every share when what would remain is worth nothing. A refusal
            // (more than the deposit, then more than the vault holds free) fails the whole instruction.
            let mut totals = bank.totals();
            let shares = withdraw(&mut account.positions[index].deposit_shares, &mut totals, amount).risk()?;
            check_withdraw_liquidity(amount, ctx.accounts.vault.amount, bank.pending_insurance_fees).risk()?;
            bank.set_totals(&totals);
            account.release_if_empty(index);
            let has_debt = account.has_debt();
            if has_debt {
                let loaded = [LoadedBank::new(bank_key, &bank)];
                require_init_health(&account, ctx.remaining_accounts, &loaded, now)?;
                let publish_time = loaded[0].publish_time.get();
                bank.record_price_time(publish_time);
            }
            (shares, account.record_health_shown(has_debt), crate::token::BankSigner::of(&bank))
        };
        crate::token::transfer_from_bank(ctx.accounts.vault_to_user(), amount, &bank_copy)?;
        emit_event(Withdrawn { account: ctx.accounts.account.key(), bank: bank_key, amount, shares });
        if flag_cleared {
            emit_event(LiquidationFlagCleared { account: ctx.accounts.account.key() });
        }
        Ok(())
    }
}
