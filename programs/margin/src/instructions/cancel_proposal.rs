//! `cancel_proposal`: the admin or the guardian cancels a pending proposal (before, at or after its eta).
//! The guardian cannot cancel a proposal that replaces the guardian: otherwise a lost or rogue guardian key
//! could veto its own removal and, with it, every reopening proposal for good.
use anchor_lang::prelude::*;

use crate::errors::MarginError;
use crate::events::{emit_event, ProposalCancelled};
use crate::state::{Group, Proposal, ProposalAction, ProposalState};

#[derive(Accounts)]
pub struct CancelProposal<'info> {
    /// The admin or the guardian; either may be a PDA signing through CPI.
    pub authority: Signer<'info>,
    pub group: Account<'info, Group>,
    #[account(mut, has_one = group @ MarginError::WrongProposal)]
    pub proposal: Account<'info, Proposal>,
}

impl CancelProposal<'_> {
    /// Signed by the admin or the guardian; the proposal still pending; not the guardian's own replacement
    /// cancelled by the guardian (unless the guardian is also the admin).
    pub fn validate(&self) -> Result<()> {
        let signer = self.authority.key();
        self.group.require_admin_or_guardian(&signer)?;
        require!(self.proposal.state == ProposalState::Pending, MarginError::ProposalNotPending);
        if let ProposalAction::ChangeGroup { guardian, .. } = self.proposal.action {
            let replaces_guardian = guardian != self.group.guardian;
            let by_guardian_alone = signer == self.group.guardian && signer != self.group.admin;
            require!(!(replaces_guardian && by_guardian_alone), MarginError::GuardianCannotCancelItsReplacement);
        }
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
