//! `close_account`: the owner closes an empty margin account; its rent goes back to the owner.
use anchor_lang::prelude::*;

use crate::errors::MarginError;
use crate::events::{emit_event, AccountClosed};
use crate::state::MarginAccount;

#[derive(Accounts)]
pub struct CloseAccount<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(mut, has_one = owner @ MarginError::NotOwner, close = owner)]
    pub account: AccountLoader<'info, MarginAccount>,
}

impl CloseAccount<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(self.account.load()?.is_empty(), MarginError::AccountNotEmpty);
        Ok(())
    }
}

impl<'info> CloseAccount<'info> {
    pub fn close_account(ctx: Context<'info, Self>) -> Result<()> {
        ctx.accounts.validate()?;
        emit_event(AccountClosed { account: ctx.accounts.account.key(), owner: ctx.accounts.owner.key() });
        Ok(())
    }
}
