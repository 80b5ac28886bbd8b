//! `add_bank`: anyone executes a pending listing proposal between its eta and its expiry: the bank is
//! created with its pinned Pyth price account and the proposed parameters, with its token vault and
//! insurance vault.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use margin_risk::interest::INDEX_SCALE;

use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, BankAdded};
use crate::governance::{check_listing, require_executable};
use crate::oracle::{read_pyth_price, require_push_feed};
use crate::seeds;
use crate::state::{Bank, BankConfig, Group, Proposal, ProposalAction, ProposalState};
use margin_risk::price::validate_price;

#[derive(Accounts)]
pub struct AddBank<'info> {
    /// Anyone: pays rent and executes.
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(mut)]
    pub group: Account<'info, Group>,
    #[account(mut, has_one = group @ MarginError::WrongProposal)]
    pub proposal: Account<'info, Proposal>,
    #[account(mint::token_program = token_program)]
    pub mint: InterfaceAccount<'info, Mint>,
    #[account(init, payer = payer, space = 8 + core::mem::size_of::<Bank>(),
              seeds = [seeds::BANK, group.key().as_ref(), mint.key().as_ref()], bump)]
    pub bank: AccountLoader<'info, Bank>,
    #[account(init, payer = payer, seeds = [seeds::VAULT, bank.key().as_ref()], bump,
              token::mint = mint, token::authority = bank, token::token_program = token_program)]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    #[account(init, payer = payer, seeds = [seeds::INSURANCE, bank.key().as_ref()], bump,
              token::mint = mint, token::authority = bank, token::token_program = token_program)]
    pub insurance_vault: InterfaceAccount<'info, TokenAccount>,
    /// CHECK: the bank's Pyth `PriceUpdateV2`, checked in `validate` (owner, type, Full, feed id).
    pub price_account: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl AddBank<'_> {
    /// A pending listing in its window, of this mint and price account; the mint's extensions, every
    /// parameter and the price account (again: the feed's push-oracle account) valid now, its price within
    /// the listable range and its native unit under a cent, the dust threshold worth a cent or more at it.
    /// Returns the config and the price's publish time.
    pub fn validate(&self, now: i64) -> Result<(BankConfig, i64)> {
        require_executable(&self.proposal, now)?;
        let ProposalAction::ListBank { mint, price_account, config } = self.proposal.action else {
            return err!(MarginError::WrongProposal);
        };
        require_keys_eq!(mint, self.mint.key(), MarginError::WrongProposal);
        require_keys_eq!(price_account, self.price_account.key(), MarginError::WrongProposal);
        check_listing(&self.mint.to_account_info(), self.mint.decimals, &config)?;
        let mut probe = <Bank as bytemuck::Zeroable>::zeroed();
        probe.apply_params(&config.params);
        probe.feed_id = config.feed_id;
        probe.decimals = self.mint.decimals;
        probe.price_account = price_account;
        require_push_feed(&price_account, &config.feed_id)?;
        let price = read_pyth_price(&self.price_account, &probe)?;
        margin_risk::price::check_listing_price(&price, self.mint.decimals).risk()?;
        let prices = validate_price(&price, &probe.oracle_config(), self.mint.decimals, now).risk()?;
        margin_risk::price::check_listing_dust(config.params.limits.dust_threshold, &prices).risk()?;
        Ok((config, price.publish_time))
    }
}

impl<'info> AddBank<'info> {
    pub fn add_bank(ctx: Context<'info, Self>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let (config, publish_time) = ctx.accounts.validate(now)?;
        let mut bank = ctx.accounts.bank.load_init()?;
        bank.set_params(&config.params, now, &ctx.accounts.group.governance.config().pause)?;
        bank.feed_id = config.feed_id;
        bank.isolated_only = u8::from(config.isolated_only);
        bank.group = ctx.accounts.group.key();
        bank.mint = ctx.accounts.mint.key();
        bank.token_program = ctx.accounts.token_program.key();
        bank.vault = ctx.accounts.vault.key();
        bank.insurance_vault = ctx.accounts.insurance_vault.key();
        bank.price_account = ctx.accounts.price_account.key();
        bank.decimals = ctx.accounts.mint.decimals;
        bank.deposit_index = INDEX_SCALE;
        bank.borrow_index = INDEX_SCALE;
        bank.last_accrual = now;
        bank.last_price_publish_time = publish_time;
        bank.last_governance_change = now;
        bank.bump = ctx.bumps.bank;
        bank.vault_bump = ctx.bumps.vault;
        bank.insurance_bump = ctx.bumps.insurance_vault;
        let group = &mut ctx.accounts.group;
        group.bank_count = group.bank_count.checked_add(1).ok_or(MarginError::MathOverflow)?;
        ctx.accounts.proposal.state = ProposalState::Executed;
        emit_event(BankAdded {
            group: group.key(),
            bank: ctx.accounts.bank.key(),
            mint: bank.mint,
            price_account: bank.price_account,
            feed_id: bank.feed_id,
            config,
            proposal: ctx.accounts.proposal.key(),
            signer: ctx.accounts.payer.key(),
        });
        Ok(())
    }
}
