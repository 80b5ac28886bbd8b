//! `liquidate`: anyone repays debt of an account below maintenance (or being liquidated and below its
//! LiqEnd target) from its own token account, and receives the account's collateral at the oracle prices
//! plus a bonus into its own token account; an insurance fee goes to the collateral bank's insurance vault.
//! The debt is cleared in whole borrow shares and the collateral follows the debt actually cleared
//! (margin-risk's plan). Remaining accounts: every position's bank and price account, in account order.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use margin_risk::accounting::{settle_liquidation, Side};
use margin_risk::liquidation::{plan_liquidation, LiquidationPlan, LiquidationRequest};

use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, Liquidated};
use crate::health_accounts::{health_positions, LoadedBank};
use crate::state::{Bank, Group, MarginAccount};
use crate::token::{transfer_from_bank, transfer_from_user, Transfer};

/// Arguments of `liquidate`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct LiquidateArgs {
    /// Most native units of the debt bank the liquidator will repay.
    pub max_repay: u64,
}

#[derive(Accounts)]
pub struct Liquidate<'info> {
    pub liquidator: Signer<'info>,
    #[account(mut)]
    pub account: AccountLoader<'info, MarginAccount>,
    /// The account's group (its pause).
    pub group: Account<'info, Group>,
    #[account(mut)]
    pub debt_bank: AccountLoader<'info, Bank>,
    #[account(mut)]
    pub collateral_bank: AccountLoader<'info, Bank>,
    #[account(mut)]
    pub debt_vault: InterfaceAccount<'info, TokenAccount>,
    #[account(mut)]
    pub collateral_vault: InterfaceAccount<'info, TokenAccount>,
    #[account(mut)]
    pub collateral_insurance_vault: InterfaceAccount<'info, TokenAccount>,
    pub debt_mint: InterfaceAccount<'info, Mint>,
    pub collateral_mint: InterfaceAccount<'info, Mint>,
    /// The liquidator's token account of the debt mint (pays the repay).
    #[account(mut, token::mint = debt_mint, token::token_program = debt_token_program)]
    pub liquidator_debt_account: InterfaceAccount<'info, TokenAccount>,
    /// The liquidator's token account of the collateral mint (receives the collateral).
    #[account(mut, token::mint = collateral_mint, token::token_program = collateral_token_program)]
    pub liquidator_collateral_account: InterfaceAccount<'info, TokenAccount>,
    pub debt_token_program: Interface<'info, TokenInterface>,
    pub collateral_token_program: Interface<'info, TokenInterface>,
}

impl Liquidate<'_> {
    /// Two different banks of the account's group; vaults, mints and programs theirs; not the owner.
    pub fn validate(&self, args: &LiquidateArgs) -> Result<()> {
        require!(args.max_repay > 0, MarginError::ZeroAmount);
        require_keys_neq!(self.debt_bank.key(), self.collateral_bank.key(), MarginError::InvalidLiquidationPair);
        let account = self.account.load()?;
        require_keys_neq!(account.owner, self.liquidator.key(), MarginError::SelfLiquidation);
        require_keys_eq!(self.group.key(), account.group, MarginError::WrongGroup);
        let (debt, collateral) = (self.debt_bank.load()?, self.collateral_bank.load()?);
        require_keys_eq!(debt.group, account.group, MarginError::WrongGroup);
        require_keys_eq!(collateral.group, account.group, MarginError::WrongGroup);
        require_keys_eq!(debt.vault, self.debt_vault.key(), MarginError::WrongVault);
        require_keys_eq!(collateral.vault, self.collateral_vault.key(), MarginError::WrongVault);
        require_keys_eq!(collateral.insurance_vault, self.collateral_insurance_vault.key(), MarginError::WrongVault);
        require_keys_eq!(debt.mint, self.debt_mint.key(), MarginError::WrongMint);
        require_keys_eq!(collateral.mint, self.collateral_mint.key(), MarginError::WrongMint);
        require_keys_eq!(debt.token_program, self.debt_token_program.key(), MarginError::WrongTokenProgram);
        require_keys_eq!(collateral.token_program, self.collateral_token_program.key(), MarginError::WrongTokenProgram);
        Ok(())
    }
}

impl<'info> Liquidate<'info> {
    pub fn liquidate(ctx: Context<'info, Self>, args: LiquidateArgs) -> Result<()> {
        ctx.accounts.validate(&args)?;
        let now = Clock::get()?.unix_timestamp;
        ctx.accounts.group.require_not_paused(now)?;
        let accounts = &ctx.accounts;
        let (debt_key, collateral_key) = (accounts.debt_bank.key(), accounts.collateral_bank.key());
        let (plan, debt_copy, collateral_copy) = {
            let mut debt = accounts.debt_bank.load_mut()?;
            let mut collateral = accounts.collateral_bank.load_mut()?;
            debt.accrue_and_emit(&debt_key, now)?;
            collateral.accrue_and_emit(&collateral_key, now)?;
            let mut account = accounts.account.load_mut()?;
            let debt_index = account.position_index(&debt_key).ok_or(MarginError::NoDebtToRepay)?;
            let collateral_index = account.position_index(&collateral_key).ok_or(MarginError::NoCollateralToSeize)?;
            let loaded =
                [LoadedBank { key: debt_key, bank: &debt }, LoadedBank { key: collateral_key, bank: &collateral }];
            let positions = health_positions(&account, ctx.remaining_accounts, &loaded, now)?;
            let request = LiquidationRequest {
                debt_position: debt_index,
                collateral_position: collateral_index,
                max_repay_tokens: args.max_repay,
                being_liquidated: account.being_liquidated == 1,
                debt_dust_tokens: debt.limits.dust_threshold,
                debt_borrow_index: debt.borrow_index,
            };
            let plan = plan_liquidation(&positions, &request, &collateral.liquidation_config()).risk()?;
            apply_plan(&mut account, (debt_index, &mut debt), (collateral_index, &mut collateral), &plan)?;
            (plan, *debt, *collateral)
        };
        transfer_from_user(
            Transfer {
                token_program: accounts.debt_token_program.to_account_info(),
                mint: accounts.debt_mint.to_account_info(),
                from: accounts.liquidator_debt_account.to_account_info(),
                to: accounts.debt_vault.to_account_info(),
                authority: accounts.liquidator.to_account_info(),
            },
            plan.repay_tokens,
            debt_copy.decimals,
        )?;
        let collateral_transfer = |to: AccountInfo<'info>| Transfer {
            token_program: accounts.collateral_token_program.to_account_info(),
            mint: accounts.collateral_mint.to_account_info(),
            from: accounts.collateral_vault.to_account_info(),
            to,
            authority: accounts.collateral_bank.to_account_info(),
        };
        transfer_from_bank(
            collateral_transfer(accounts.liquidator_collateral_account.to_account_info()),
            plan.seized_to_liquidator,
            &collateral_copy,
        )?;
        if plan.insurance_fee_tokens > 0 {
            transfer_from_bank(
                collateral_transfer(accounts.collateral_insurance_vault.to_account_info()),
                plan.insurance_fee_tokens,
                &collateral_copy,
            )?;
        }
        emit_event(Liquidated {
            account: accounts.account.key(),
            liquidator: accounts.liquidator.key(),
            debt_bank: debt_key,
            collateral_bank: collateral_key,
            repaid: plan.repay_tokens,
            debt_cleared: plan.debt_cleared_tokens,
            seized_to_liquidator: plan.seized_to_liquidator,
            insurance_fee: plan.insurance_fee_tokens,
            bonus_bps: plan.bonus_bps,
            maint_before: plan.maint_before.into(),
            maint_after: plan.maint_after.into(),
            liq_end_after: plan.liq_end_after.into(),
            being_liquidated: plan.being_liquidated_after,
        });
        Ok(())
    }
}

/// Moves the plan's amounts into shares: the debt shares the liquidator paid for (whole shares by the plan;
/// all of them for the whole debt), collateral shares burned rounded up (all of them when what would remain
/// is worth nothing).
fn apply_plan(
    account: &mut MarginAccount,
    (debt_index, debt): (usize, &mut Bank),
    (collateral_index, collateral): (usize, &mut Bank),
    plan: &LiquidationPlan,
) -> Result<()> {
    let (mut debt_totals, mut collateral_totals) = (debt.totals(), collateral.totals());
    let (mut debt_shares, mut collateral_shares) =
        (account.positions[debt_index].borrow_shares, account.positions[collateral_index].deposit_shares);
    settle_liquidation(
        Side { position_shares: &mut debt_shares, totals: &mut debt_totals },
        Side { position_shares: &mut collateral_shares, totals: &mut collateral_totals },
        plan,
    )
    .risk()?;
    account.positions[debt_index].borrow_shares = debt_shares;
    account.positions[collateral_index].deposit_shares = collateral_shares;
    debt.set_totals(&debt_totals);
    collateral.set_totals(&collateral_totals);
    account.being_liquidated = u8::from(plan.being_liquidated_after);
    // Release the later slot first so the earlier index stays valid.
    let (first, second) = (debt_index.min(collateral_index), debt_index.max(collateral_index));
    account.release_if_empty(second);
    account.release_if_empty(first);
    Ok(())
}
