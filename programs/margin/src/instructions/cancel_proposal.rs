//! `cancel_proposal`: the admin or the guardian cancels a pending proposal (before, at or after its eta).
use anchor_lang::prelude::*;

use crate::errors::MarginError;
use crate::events::{emit_event, ProposalCancelled};
use crate::state::{Group, Proposal, ProposalState};

#[derive(Accounts)]
pub struct CancelProposal<'info> {
    /// The admin or the guardian; either may be a PDA signing through CPI.
    pub authority: Signer<'info>,
    pub group: Account<'info, Group>,
    #[account(mut, has_one = group)]
    pub proposal: Account<'info, Proposal>,
}

impl CancelProposal<'_> {
    /// Signed by the admin or the guardian; the proposal still pending.
    pub fn validate(&self) -> Result<()> {
        self.group.require_admin_or_guardian(&self.authority.key())?;
        require!(self.proposal.state == ProposalState::Pending, MarginError::ProposalNotPending);
        Ok(())
    }
}

impl<'info> CancelProposal<'info> {
    pub fn cancel_proposal(ctx: Context<'info, Self>) -> Result<()> {
        ctx.accounts.validate()?;
        ctx.accounts.proposal.state = ProposalState::Cancelled;
        emit_event(ProposalCancelled {
            group: ctx.accounts.group.key(),
            proposal: ctx.accounts.proposal.key(),
            id: ctx.accounts.proposal.id,
            signer: ctx.accounts.authority.key(),
        });
        Ok(())
    }
}
