//! `add_bank`: lists a mint in a group with its pinned Pyth price account, risk parameters, caps and curve,
//! and creates the bank's token vault and insurance vault.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use margin_risk::interest::INDEX_SCALE;

use crate::errors::{MarginError, RiskResultExt};
use crate::events::BankAdded;
use crate::oracle::read_pyth_price;
use crate::seeds;
use crate::state::{Bank, BankConfig, BankStatus, Group};

#[derive(Accounts)]
pub struct AddBank<'info> {
    /// Pays rent.
    #[account(mut)]
    pub payer: Signer<'info>,
    pub admin: Signer<'info>,
    #[account(mut, has_one = admin)]
    pub group: Account<'info, Group>,
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
    /// Every parameter validated by margin-risk (weights ordered, k_init ≥ k_maint, limits ordered, curve
    /// increasing, bonus and fee within the maint weight), the mint's extensions, and the price account.
    pub fn validate(&self, config: &BankConfig) -> Result<()> {
        crate::token::check_mint_extensions(&self.mint.to_account_info())?;
        let mut probe = <Bank as bytemuck::Zeroable>::zeroed();
        probe.apply_config(config);
        probe.decimals = self.mint.decimals;
        probe.price_account = self.price_account.key();
        probe.oracle_config().validate().risk()?;
        probe.weights().validate().risk()?;
        probe.interest_curve().validate().risk()?;
        probe.liquidation_config().validate(config.maint_asset_weight_bps).risk()?;
        require!(u64::from(config.protocol_fee_bps) <= margin_risk::math::BPS, MarginError::InvalidInterestCurve);
        require!(u64::from(config.max_utilization_bps) <= margin_risk::math::BPS, MarginError::InvalidInterestCurve);
        require!(self.mint.decimals <= margin_risk::price::MAX_TOKEN_DECIMALS, MarginError::DecimalsOutOfRange);
        read_pyth_price(&self.price_account, &probe)?;
        Ok(())
    }
}

impl<'info> AddBank<'info> {
    pub fn add_bank(ctx: Context<'info, Self>, config: BankConfig) -> Result<()> {
        ctx.accounts.validate(&config)?;
        let now = Clock::get()?.unix_timestamp;
        let mut bank = ctx.accounts.bank.load_init()?;
        bank.apply_config(&config);
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
        bank.status = BankStatus::Active as u8;
        bank.bump = ctx.bumps.bank;
        bank.vault_bump = ctx.bumps.vault;
        bank.insurance_bump = ctx.bumps.insurance_vault;
        let group = &mut ctx.accounts.group;
        group.bank_count = group.bank_count.checked_add(1).ok_or(MarginError::MathOverflow)?;
        emit!(BankAdded {
            group: group.key(),
            bank: ctx.accounts.bank.key(),
            mint: bank.mint,
            price_account: bank.price_account,
            feed_id: bank.feed_id,
            config,
        });
        Ok(())
    }
}
