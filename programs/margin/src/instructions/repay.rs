//! `repay`: the owner pays back debt of one bank. No oracle needed.
use anchor_lang::prelude::*;
use margin_risk::accounting::repay;
use margin_risk::interest::borrow_tokens_of;

use super::token_action::TokenAction;
use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, LiquidationFlagCleared, Repaid};

/// Arguments of `repay`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct RepayArgs {
    /// Native units to repay; more than the debt is refused. Ignored with `repay_all`.
    pub amount: u64,
    /// Repay the whole debt as of this instruction's accrual (the amount is computed, rounded up).
    pub repay_all: bool,
}

impl<'info> TokenAction<'info> {
    pub fn repay(ctx: Context<'info, Self>, args: RepayArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let bank_key = ctx.accounts.bank.key();
        let (amount, shares, decimals, flag_cleared) = {
            let mut bank = ctx.accounts.bank.load_mut()?;
            bank.accrue_and_emit(&bank_key, now)?;
            let mut account = ctx.accounts.account.load_mut()?;
            let index = account.position_index(&bank_key).ok_or(MarginError::NoPosition)?;
            let owed_shares = account.positions[index].borrow_shares;
            let owed = borrow_tokens_of(owed_shares, bank.borrow_index).risk()?;
            let amount = if args.repay_all { owed } else { args.amount };
            // The whole debt clears every share; a part clears shares rounded down (and must clear one).
            let mut totals = bank.totals();
            let shares = repay(&mut account.positions[index].borrow_shares, &mut totals, amount).risk()?;
            bank.set_totals(&totals);
            account.release_if_empty(index);
            // No health is computed: the flag clears only when no debt is left.
            (amount, shares, bank.decimals, account.record_health_shown(false))
        };
        crate::token::transfer_from_user(ctx.accounts.user_to_vault(), amount, decimals)?;
        emit_event(Repaid { account: ctx.accounts.account.key(), bank: bank_key, amount, shares });
        if flag_cleared {
            emit_event(LiquidationFlagCleared { account: ctx.accounts.account.key() });
        }
        Ok(())
    }
}
