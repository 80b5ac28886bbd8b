//! `deposit`: the owner moves tokens into a bank's vault and receives deposit shares. No oracle needed.
use anchor_lang::prelude::*;
use margin_risk::accounting::deposit;
use margin_risk::interest::check_deposit_limits;

use super::token_action::TokenAction;
use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, Deposited, LiquidationFlagCleared};

impl<'info> TokenAction<'info> {
    pub fn deposit(ctx: Context<'info, Self>, amount: u64) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let bank_key = ctx.accounts.bank.key();
        let (shares, deposit_index, decimals, flag_cleared) = {
            let mut bank = ctx.accounts.bank.load_mut()?;
            require!(bank.is_active(), MarginError::BankNotActive);
            bank.accrue_and_emit(&bank_key, now)?;
            let mut account = ctx.accounts.account.load_mut()?;
            let index = account.position_for(&bank_key, &bank, true)?;
            // Rounded down; a deposit whose shares are worth nothing is refused (DepositBelowOneShare).
            let mut totals = bank.totals();
            let shares = deposit(&mut account.positions[index].deposit_shares, &mut totals, amount).risk()?;
            bank.set_totals(&totals);
            check_deposit_limits(&totals, &bank.limits()).risk()?;
            // No health is computed: the flag clears only on an account without debt.
            (shares, bank.deposit_index, bank.decimals, account.record_health_shown(false))
        };
        crate::token::transfer_from_user(ctx.accounts.user_to_vault(), amount, decimals)?;
        emit_event(Deposited { account: ctx.accounts.account.key(), bank: bank_key, amount, shares, deposit_index });
        if flag_cleared {
            emit_event(LiquidationFlagCleared { account: ctx.accounts.account.key() });
        }
        Ok(())
    }
}
