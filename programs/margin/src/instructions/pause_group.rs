//! `pause_group`: the guardian pauses the group for a bounded time (at most the group's longest pause, at
//! most its count of pauses per rolling day). It lapses by itself; the admin may lift it early. While
//! paused: deposits, repays and withdrawals of accounts without debt stay open; borrows, withdrawals of
//! accounts with debt, liquidations and bankruptcy resolutions are refused.
use anchor_lang::prelude::*;

use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, GroupPaused};
use crate::state::Group;

#[derive(Accounts)]
pub struct PauseGroup<'info> {
    pub guardian: Signer<'info>,
    #[account(mut, has_one = guardian @ MarginError::NotGuardian)]
    pub group: Account<'info, Group>,
}

impl<'info> PauseGroup<'info> {
    pub fn pause_group(ctx: Context<'info, Self>, duration_seconds: u32) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let group = &mut ctx.accounts.group;
        let mut state = group.pause_state();
        state.pause(now, duration_seconds, &group.governance.config().pause).risk()?;
        group.set_pause_state(&state);
        emit_event(GroupPaused {
            group: group.key(),
            signer: ctx.accounts.guardian.key(),
            duration_seconds,
            paused_until: state.paused_until,
        });
        Ok(())
    }
}
