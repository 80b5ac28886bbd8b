//! `deposit`: the owner moves tokens into a bank's vault and receives deposit shares. No oracle needed.
use anchor_lang::prelude::*;
use margin_risk::interest::{check_deposit_limits, deposit_shares_for, deposit_tokens_of};

use super::token_action::TokenAction;
use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, Deposited, LiquidationFlagCleared};

impl<'info> TokenAction<'info> {
    pub fn deposit(ctx: Context<'info, Self>, amount: u64) -> Result<()> {
        ctx.accounts.validate()?;
        require!(amount > 0, MarginError::ZeroAmount);
        let now = Clock::get()?.unix_timestamp;
        let bank_key = ctx.accounts.bank.key();
        let (shares, deposit_index, decimals, flag_cleared) = {
            let mut bank = ctx.accounts.bank.load_mut()?;
            require!(bank.is_active(), MarginError::BankNotActive);
            bank.accrue_and_emit(&bank_key, now)?;
            let mut account = ctx.accounts.account.load_mut()?;
            let index = account.position_for(&bank_key, &bank, true)?;
            // Rounded down: a deposit whose shares are worth nothing (too small for one share, or below one
            // native unit's worth after a socialised loss lowered the index) is refused.
            let shares = deposit_shares_for(amount, bank.deposit_index).risk()?;
            require!(deposit_tokens_of(shares, bank.deposit_index).risk()? > 0, MarginError::DepositBelowOneShare);
            let position = &mut account.positions[index];
            position.deposit_shares = margin_risk::math::add(position.deposit_shares, shares).risk()?;
            bank.deposit_shares = margin_risk::math::add(bank.deposit_shares, shares).risk()?;
            check_deposit_limits(&bank.totals(), &bank.limits()).risk()?;
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
