//! `propose_fallback_oracle`: the admin proposes a bank's fallback price source (a Switchboard On-Demand pull
//! feed and the divergence bound within which it confirms the Pyth price), or its removal (the zero address,
//! passing the system program as the account). Executable by anyone from eta = now + the group's delay.
use anchor_lang::prelude::*;
use margin_risk::fallback::MAX_DIVERGENCE_BPS;

use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, ProposalCreated};
use crate::governance::open_proposal;
use crate::oracle::fallback_pyth_price;
use crate::seeds;
use crate::state::{Bank, FallbackOracle, Group, Proposal, ProposalAction};

#[derive(Accounts)]
pub struct ProposeFallbackOracle<'info> {
    /// Pays rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The group's admin; may be a PDA signing through CPI (a multisig).
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ MarginError::NotAdmin)]
    pub group: Account<'info, Group>,
    pub bank: AccountLoader<'info, Bank>,
    /// CHECK: the pull feed named by the proposal, read in `validate` (owner, discriminator, a result); the
    /// system program when the proposal removes the fallback.
    pub fallback_price_account: UncheckedAccount<'info>,
    #[account(init, payer = payer, space = 8 + Proposal::INIT_SPACE,
              seeds = [seeds::PROPOSAL, group.key().as_ref(), &group.proposal_count.to_le_bytes()], bump)]
    pub proposal: Account<'info, Proposal>,
    pub system_program: Program<'info, System>,
}

impl ProposeFallbackOracle<'_> {
    /// A bank of this group; a bound the engine accepts; a change; the account the proposal names, and when
    /// it sets a fallback, a Switchboard pull feed whose result converts to a positive price.
    pub fn validate(&self, fallback: &FallbackOracle) -> Result<()> {
        let bank = self.bank.load()?;
        require_keys_eq!(bank.group, self.group.key(), MarginError::WrongGroup);
        require!(fallback.max_divergence_bps <= MAX_DIVERGENCE_BPS, MarginError::InvalidOracleConfig);
        require!(bank.fallback != *fallback, MarginError::NoChange);
        require_keys_eq!(self.fallback_price_account.key(), fallback.price_account, MarginError::WrongFallbackAccount);
        if fallback.is_set() {
            let data = self.fallback_price_account.try_borrow_data()?;
            let reading = fallback_pyth_price(self.fallback_price_account.owner, &data)?;
            margin_risk::price::validate_price(&reading, &bank.oracle_config(), bank.decimals, reading.publish_time)
                .risk()?;
        }
        Ok(())
    }
}

impl<'info> ProposeFallbackOracle<'info> {
    pub fn propose_fallback_oracle(ctx: Context<'info, Self>, fallback: FallbackOracle) -> Result<()> {
        ctx.accounts.validate(&fallback)?;
        let now = Clock::get()?.unix_timestamp;
        let action = ProposalAction::SetFallbackOracle { bank: ctx.accounts.bank.key(), fallback };
        let accounts = &mut *ctx.accounts;
        accounts.proposal.bump = ctx.bumps.proposal;
        open_proposal(&mut accounts.group, &mut accounts.proposal, accounts.admin.key(), action, now)?;
        emit_event(ProposalCreated::of(&accounts.proposal, accounts.proposal.key()));
        Ok(())
    }
}
