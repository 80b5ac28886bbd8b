//! Governance glue shared by the proposal instructions: opening a proposal, taking a pending one, and
//! checking a bank change against the group's bounds. Every decision is margin-risk's `governance`.
use anchor_lang::prelude::*;
use margin_risk::governance::{check_change_interval, check_step_bounds, classify_change, ChangeClass};

use crate::errors::{MarginError, RiskResultExt};
use crate::state::{Bank, BankConfig, BankParams, Group, Proposal, ProposalAction, ProposalState};

/// Fills a new proposal made by `proposer` at `now` (eta = now + the group's delay, or the delay a recent
/// shortening still leaves in force) and counts it.
pub fn open_proposal(
    group: &mut Account<Group>,
    proposal: &mut Account<Proposal>,
    proposer: Pubkey,
    action: ProposalAction,
    now: i64,
) -> Result<()> {
    let window = group.timelock_at(now).window(now).risk()?;
    proposal.group = group.key();
    proposal.id = group.proposal_count;
    proposal.proposer = proposer;
    proposal.created_at = now;
    proposal.eta = window.eta;
    proposal.expires_at = window.expires_at;
    proposal.state = ProposalState::Pending;
    proposal.action = action;
    group.proposal_count = group.proposal_count.checked_add(1).ok_or(MarginError::MathOverflow)?;
    Ok(())
}

/// A pending proposal inside its execution window at `now`.
pub fn require_executable(proposal: &Proposal, now: i64) -> Result<()> {
    require!(proposal.state == ProposalState::Pending, MarginError::ProposalNotPending);
    proposal.window().check_executable(now).risk()
}

/// A listing of `mint` with `config`: the mint's extensions and decimals supported, every parameter valid.
pub fn check_listing(mint: &AccountInfo, decimals: u8, config: &BankConfig) -> Result<()> {
    crate::token::check_mint_extensions(mint)?;
    require!(decimals <= margin_risk::price::MAX_TOKEN_DECIMALS, MarginError::DecimalsOutOfRange);
    Bank::validate_params(&config.params)
}

/// A change of `bank` to `params` taking effect at `at` (the eta when proposed, now when executed): valid
/// parameters, something changes, every risk-adding step within the group's bounds, and at least the
/// group's minimum interval after the bank's last executed change.
pub fn check_bank_change(group: &Group, bank: &Bank, params: &BankParams, at: i64) -> Result<()> {
    Bank::validate_params(params)?;
    let (old, new) = (bank.params().values(), params.values());
    require!(classify_change(&old, &new) != ChangeClass::Unchanged, MarginError::NoChange);
    let bounds = group.governance.config().bounds;
    check_step_bounds(&old, &new, &bounds).risk()?;
    check_change_interval(bank.last_governance_change, at, &bounds).risk()
}
