//! `propose_listing`: the admin proposes to list a mint with its pinned Pyth price account and first
//! parameters. Anyone executes it with `add_bank` from its eta until it expires.
use anchor_lang::prelude::*;

use crate::errors::MarginError;
use anchor_spl::token_interface::Mint;

use crate::events::{emit_event, ProposalCreated};
use crate::governance::{check_listing, open_proposal};
use crate::seeds;
use crate::state::{BankConfig, Group, Proposal, ProposalAction};

#[derive(Accounts)]
pub struct ProposeListing<'info> {
    /// Pays rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The group's admin; may be a PDA signing through CPI (a multisig).
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin @ MarginError::NotAdmin)]
    pub group: Account<'info, Group>,
    /// The mint to list (SPL Token or Token-2022).
    pub mint: InterfaceAccount<'info, Mint>,
    /// CHECK: only its address is recorded; `add_bank` checks it is a fully verified Pyth update of the feed.
    pub price_account: UncheckedAccount<'info>,
    #[account(init, payer = payer, space = 8 + Proposal::INIT_SPACE,
              seeds = [seeds::PROPOSAL, group.key().as_ref(), &group.proposal_count.to_le_bytes()], bump)]
    pub proposal: Account<'info, Proposal>,
    pub system_program: Program<'info, System>,
}

impl ProposeListing<'_> {
    /// The mint's extensions and decimals supported; every parameter valid.
    pub fn validate(&self, config: &BankConfig) -> Result<()> {
        check_listing(&self.mint.to_account_info(), self.mint.decimals, config)?;
        crate::oracle::require_push_feed(&self.price_account.key(), &config.feed_id)
    }
}

impl<'info> ProposeListing<'info> {
    pub fn propose_listing(ctx: Context<'info, Self>, config: BankConfig) -> Result<()> {
        ctx.accounts.validate(&config)?;
        let now = Clock::get()?.unix_timestamp;
        let action = ProposalAction::ListBank {
            mint: ctx.accounts.mint.key(),
            price_account: ctx.accounts.price_account.key(),
            config,
        };
        let accounts = &mut *ctx.accounts;
        accounts.proposal.bump = ctx.bumps.proposal;
        open_proposal(&mut accounts.group, &mut accounts.proposal, accounts.admin.key(), action, now)?;
        emit_event(ProposalCreated::of(&accounts.proposal, accounts.proposal.key()));
        Ok(())
    }
}
