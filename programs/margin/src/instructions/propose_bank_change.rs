//! `propose_bank_change`: the admin proposes new parameters for a bank. Refused at once if a risk-adding
//! step is beyond the group's bounds or would land sooner than the minimum interval after the bank's last
//! change; executable by anyone from eta = now + the group's delay until the proposal expires.
use anchor_lang::prelude::*;

use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, ProposalCreated};
use crate::governance::{check_bank_change, open_proposal};
use crate::seeds;
use crate::state::{Bank, BankParams, Group, Proposal, ProposalAction};

#[derive(Accounts)]
pub struct ProposeBankChange<'info> {
    /// Pays rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The group's admin; may be a PDA signing through CPI (a multisig).
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ MarginError::NotAdmin)]
    pub group: Account<'info, Group>,
    pub bank: AccountLoader<'info, Bank>,
    #[account(init, payer = payer, space = 8 + Proposal::INIT_SPACE,
              seeds = [seeds::PROPOSAL, group.key().as_ref(), &group.proposal_count.to_le_bytes()], bump)]
    pub proposal: Account<'info, Proposal>,
    pub system_program: Program<'info, System>,
}

impl ProposeBankChange<'_> {
    /// A bank of this group; the change valid and within bounds as of its eta.
    pub fn validate(&self, params: &BankParams, eta: i64) -> Result<()> {
        let bank = self.bank.load()?;
        require_keys_eq!(bank.group, self.group.key(), MarginError::WrongGroup);
        check_bank_change(&self.group, &bank, params, eta)
    }
}

impl<'info> ProposeBankChange<'info> {
    pub fn propose_bank_change(ctx: Context<'info, Self>, params: BankParams) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let window = ctx.accounts.group.timelock_at(now).window(now).risk()?;
        ctx.accounts.validate(&params, window.eta)?;
        let base = ctx.accounts.bank.load()?.params();
        let action = ProposalAction::ChangeBank { bank: ctx.accounts.bank.key(), params, base };
        let accounts = &mut *ctx.accounts;
        accounts.proposal.bump = ctx.bumps.proposal;
        open_proposal(&mut accounts.group, &mut accounts.proposal, accounts.admin.key(), action, now)?;
        emit_event(ProposalCreated::of(&accounts.proposal, accounts.proposal.key()));
        Ok(())
    }
}
