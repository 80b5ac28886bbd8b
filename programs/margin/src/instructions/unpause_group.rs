//! `unpause_group`: the admin lifts the guardian's pause before it lapses.
use anchor_lang::prelude::*;

use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, GroupUnpaused};
use crate::state::Group;

#[derive(Accounts)]
pub struct UnpauseGroup<'info> {
    /// The group's admin; may be a PDA signing through CPI (a multisig).
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ MarginError::NotAdmin)]
    pub group: Account<'info, Group>,
}

impl<'info> UnpauseGroup<'info> {
    pub fn unpause_group(ctx: Context<'info, Self>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let group = &mut ctx.accounts.group;
        let mut state = group.pause_state();
        let was_paused_until = state.paused_until;
        state.lift(now).risk()?;
        group.set_pause_state(&state);
        emit_event(GroupUnpaused { group: group.key(), signer: ctx.accounts.admin.key(), was_paused_until });
        Ok(())
    }
}
