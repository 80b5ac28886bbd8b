//! `execute_bank_change`: anyone applies a pending bank proposal between its eta and its expiry. The bounds
//! and the interval are checked again against the bank as it stands now (a guardian's cut since the
//! proposal is not undone by more than one bounded step). Interest is accrued at the old parameters first.
use anchor_lang::prelude::*;
use margin_risk::governance::merge_proposal;

use crate::errors::MarginError;
use crate::events::{emit_event, BankParamsChanged};
use crate::governance::{check_bank_change, require_executable};
use crate::state::{Bank, BankParams, Group, Proposal, ProposalAction, ProposalState};

#[derive(Accounts)]
pub struct ExecuteBankChange<'info> {
    /// Anyone.
    pub executor: Signer<'info>,
    pub group: Account<'info, Group>,
    #[account(mut)]
    pub bank: AccountLoader<'info, Bank>,
    #[account(mut, has_one = group @ MarginError::WrongProposal)]
    pub proposal: Account<'info, Proposal>,
}

impl ExecuteBankChange<'_> {
    /// Pending, in its window, about this bank; the parameters it leaves (the values it moves, merged with
    /// the bank as it stands: a later tightening is never undone, `margin_risk::governance::merge_proposal`)
    /// valid and within bounds now.
    pub fn validate(&self, now: i64) -> Result<BankParams> {
        require_executable(&self.proposal, now)?;
        let ProposalAction::ChangeBank { bank, params, base } = self.proposal.action else {
            return err!(MarginError::WrongProposal);
        };
        require_keys_eq!(bank, self.bank.key(), MarginError::WrongProposal);
        let current = self.bank.load()?;
        let merged = merge_proposal(&base.values(), &params.values(), &current.params().values());
        let params = Bank::params_from_values(&merged)?;
        check_bank_change(&self.group, &current, &params, now)?;
        Ok(params)
    }
}

impl<'info> ExecuteBankChange<'info> {
    pub fn execute_bank_change(ctx: Context<'info, Self>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let params = ctx.accounts.validate(now)?;
        let old = {
            let mut bank = ctx.accounts.bank.load_mut()?;
            bank.accrue_and_emit(&ctx.accounts.bank.key(), now)?;
            let old = bank.params();
            bank.set_params(&params, now, &ctx.accounts.group.governance.config().pause)?;
            bank.last_governance_change = now;
            old
        };
        ctx.accounts.proposal.state = ProposalState::Executed;
        emit_event(BankParamsChanged {
            group: ctx.accounts.group.key(),
            bank: ctx.accounts.bank.key(),
            signer: ctx.accounts.executor.key(),
            proposal: ctx.accounts.proposal.key(),
            old,
            new: params,
        });
        Ok(())
    }
}
