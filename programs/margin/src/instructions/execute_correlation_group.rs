//! `execute_correlation_group`: anyone applies a pending correlation-group proposal between its eta and its
//! expiry. Remaining accounts: the proposal's banks, writable, in its order. Each bank's membership becomes
//! the proposal's (group id = the proposal's id + 1, so banks formed by different proposals never mix
//! scenarios), or none when the proposal dissolves. From then on every health of an account holding these
//! banks takes the group rule.
use anchor_lang::prelude::*;

use crate::errors::MarginError;
use crate::events::{emit_event, CorrelationGroupChanged};
use crate::governance::require_executable;
use crate::state::{Bank, CorrelationParams, Group, Proposal, ProposalAction, ProposalState};

#[derive(Accounts)]
pub struct ExecuteCorrelationGroup<'info> {
    /// Anyone.
    pub executor: Signer<'info>,
    pub group: Box<Account<'info, Group>>,
    #[account(mut, has_one = group @ MarginError::WrongProposal)]
    pub proposal: Box<Account<'info, Proposal>>,
}

impl ExecuteCorrelationGroup<'_> {
    /// Pending, in its window, a correlation-group proposal; `banks` exactly its banks, in order, of this
    /// group: the membership each bank takes.
    pub fn validate<'a>(&self, banks: &'a [AccountInfo<'a>], now: i64) -> Result<Vec<CorrelationParams>> {
        require_executable(&self.proposal, now)?;
        let ProposalAction::SetCorrelationGroup { banks: named, count, init_scale_bps, moves_bps } =
            self.proposal.action
        else {
            return err!(MarginError::WrongProposal);
        };
        require!(banks.len() == usize::from(count), MarginError::BadRemainingAccounts);
        let mut memberships = Vec::with_capacity(banks.len());
        for (index, info) in banks.iter().enumerate() {
            require_keys_eq!(info.key(), named[index], MarginError::BadRemainingAccounts);
            require_keys_eq!(
                AccountLoader::<Bank>::try_from(info)?.load()?.group,
                self.group.key(),
                MarginError::WrongGroup
            );
            memberships.push(if init_scale_bps == 0 {
                CorrelationParams::default()
            } else {
                CorrelationParams {
                    group_id: self.proposal.id.checked_add(1).ok_or(MarginError::MathOverflow)?,
                    init_scale_bps,
                    padding: 0,
                    moves_bps: moves_bps[index],
                }
            });
        }
        Ok(memberships)
    }
}

impl<'info> ExecuteCorrelationGroup<'info> {
    pub fn execute_correlation_group(ctx: Context<'info, Self>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let banks = ctx.remaining_accounts;
        let memberships = ctx.accounts.validate(banks, now)?;
        for (info, membership) in banks.iter().zip(&memberships) {
            require!(info.is_writable, MarginError::BadRemainingAccounts);
            AccountLoader::<Bank>::try_from(info)?.load_mut()?.correlation = *membership;
        }
        ctx.accounts.proposal.state = ProposalState::Executed;
        let first = memberships.first().copied().unwrap_or_default();
        emit_event(CorrelationGroupChanged {
            group: ctx.accounts.group.key(),
            signer: ctx.accounts.executor.key(),
            proposal: ctx.accounts.proposal.key(),
            group_id: first.group_id,
            init_scale_bps: first.init_scale_bps,
            banks: banks.iter().map(|info| info.key()).collect(),
            moves_bps: memberships.iter().map(|membership| membership.moves_bps).collect(),
        });
        Ok(())
    }
}
