//! `propose_group_change`: the admin proposes a new admin, guardian or governance settings (delay, bounds,
//! pause limits). Anyone executes it with `execute_group_change` from its eta until it expires.
use anchor_lang::prelude::*;

use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, ProposalCreated};
use crate::governance::open_proposal;
use crate::seeds;
use crate::state::{GovernanceSettings, Group, Proposal, ProposalAction};

/// Arguments of `propose_group_change`: the group's roles and settings after the change.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct GroupChangeArgs {
    pub admin: Pubkey,
    pub guardian: Pubkey,
    pub settings: GovernanceSettings,
}

#[derive(Accounts)]
pub struct ProposeGroupChange<'info> {
    /// Pays rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The group's admin; may be a PDA signing through CPI (a multisig).
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ MarginError::NotAdmin)]
    pub group: Account<'info, Group>,
    #[account(init, payer = payer, space = 8 + Proposal::INIT_SPACE,
              seeds = [seeds::PROPOSAL, group.key().as_ref(), &group.proposal_count.to_le_bytes()], bump)]
    pub proposal: Account<'info, Proposal>,
    pub system_program: Program<'info, System>,
}

impl ProposeGroupChange<'_> {
    /// The settings within margin-risk's ranges.
    pub fn validate(&self, args: &GroupChangeArgs) -> Result<()> {
        args.settings.config().validate().risk()
    }
}

impl<'info> ProposeGroupChange<'info> {
    pub fn propose_group_change(ctx: Context<'info, Self>, args: GroupChangeArgs) -> Result<()> {
        ctx.accounts.validate(&args)?;
        let now = Clock::get()?.unix_timestamp;
        let action =
            ProposalAction::ChangeGroup { admin: args.admin, guardian: args.guardian, settings: args.settings };
        let accounts = &mut *ctx.accounts;
        accounts.proposal.bump = ctx.bumps.proposal;
        open_proposal(&mut accounts.group, &mut accounts.proposal, accounts.admin.key(), action, now)?;
        emit_event(ProposalCreated::of(&accounts.proposal, accounts.proposal.key()));
        Ok(())
    }
}
