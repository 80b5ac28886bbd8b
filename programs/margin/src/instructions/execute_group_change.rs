//! `execute_group_change`: anyone applies a pending group proposal (admin, guardian, governance settings)
//! between its eta and its expiry.
use anchor_lang::prelude::*;

use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, GroupGovernanceChanged};
use crate::governance::require_executable;
use crate::state::{GovernanceSettings, Group, Proposal, ProposalAction, ProposalState};

#[derive(Accounts)]
pub struct ExecuteGroupChange<'info> {
    /// Anyone.
    pub executor: Signer<'info>,
    #[account(mut)]
    pub group: Account<'info, Group>,
    #[account(mut, has_one = group @ MarginError::WrongProposal)]
    pub proposal: Account<'info, Proposal>,
}

impl ExecuteGroupChange<'_> {
    /// Pending, in its window, a group change with valid settings: (admin, guardian, settings).
    pub fn validate(&self, now: i64) -> Result<(Pubkey, Pubkey, GovernanceSettings)> {
        require_executable(&self.proposal, now)?;
        let ProposalAction::ChangeGroup { admin, guardian, settings } = self.proposal.action else {
            return err!(MarginError::WrongProposal);
        };
        settings.config().validate().risk()?;
        Ok((admin, guardian, settings))
    }
}

impl<'info> ExecuteGroupChange<'info> {
    pub fn execute_group_change(ctx: Context<'info, Self>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let (admin, guardian, settings) = ctx.accounts.validate(now)?;
        let group = &mut ctx.accounts.group;
        let event = GroupGovernanceChanged {
            group: group.key(),
            signer: ctx.accounts.executor.key(),
            proposal: ctx.accounts.proposal.key(),
            old_admin: group.admin,
            new_admin: admin,
            old_guardian: group.guardian,
            new_guardian: guardian,
            old: group.governance,
            new: settings,
        };
        // A shortened delay takes effect only after the delay in force before it (finding 13).
        let floor = group.delay_floor().after_change(
            group.governance.timelock_delay_seconds,
            settings.timelock_delay_seconds,
            now,
        );
        let floor = floor.risk()?;
        group.admin = admin;
        group.guardian = guardian;
        group.governance = settings;
        (group.delay_floor_seconds, group.delay_floor_until) = (floor.delay_seconds, floor.until);
        ctx.accounts.proposal.state = ProposalState::Executed;
        emit_event(event);
        Ok(())
    }
}
