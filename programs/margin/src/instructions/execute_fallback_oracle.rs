//! `execute_fallback_oracle`: anyone applies a pending fallback-oracle proposal between its eta and its
//! expiry. From then on the bank's health accounts carry the fallback's account after its price account.
use anchor_lang::prelude::*;

use crate::errors::MarginError;
use crate::events::{emit_event, FallbackOracleChanged};
use crate::governance::require_executable;
use crate::state::{Bank, FallbackOracle, Group, Proposal, ProposalAction, ProposalState};

#[derive(Accounts)]
pub struct ExecuteFallbackOracle<'info> {
    /// Anyone.
    pub executor: Signer<'info>,
    pub group: Account<'info, Group>,
    #[account(mut)]
    pub bank: AccountLoader<'info, Bank>,
    #[account(mut, has_one = group @ MarginError::WrongProposal)]
    pub proposal: Account<'info, Proposal>,
}

impl ExecuteFallbackOracle<'_> {
    /// Pending, in its window, a fallback proposal about this bank (of this group): the fallback it sets.
    pub fn validate(&self, now: i64) -> Result<FallbackOracle> {
        require_executable(&self.proposal, now)?;
        let ProposalAction::SetFallbackOracle { bank, fallback } = self.proposal.action else {
            return err!(MarginError::WrongProposal);
        };
        require_keys_eq!(bank, self.bank.key(), MarginError::WrongProposal);
        require_keys_eq!(self.bank.load()?.group, self.group.key(), MarginError::WrongGroup);
        Ok(fallback)
    }
}

impl<'info> ExecuteFallbackOracle<'info> {
    pub fn execute_fallback_oracle(ctx: Context<'info, Self>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let new = ctx.accounts.validate(now)?;
        let old = core::mem::replace(&mut ctx.accounts.bank.load_mut()?.fallback, new);
        ctx.accounts.proposal.state = ProposalState::Executed;
        emit_event(FallbackOracleChanged {
            group: ctx.accounts.group.key(),
            bank: ctx.accounts.bank.key(),
            signer: ctx.accounts.executor.key(),
            proposal: ctx.accounts.proposal.key(),
            old,
            new,
        });
        Ok(())
    }
}
