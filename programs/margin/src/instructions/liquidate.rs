//! `liquidate`: anyone repays debt of an account below maintenance (or being liquidated and below its
//! LiqEnd target) from its own token account, and receives the account's collateral at the oracle prices
//! times (1 + bonus + insurance fee); it pays the insurance fee in the debt token into the debt bank's
//! insurance vault, which covers that bank's bad debt. The debt is cleared in whole borrow shares and the
//! collateral follows the debt actually cleared (margin-risk's plan). Remaining accounts: every position's
//! bank and price account, in account order.
//!
//! Issue 21's rules:
//! - when the collateral vault cannot pay the seizure (borrowed out, lenders withdrawn), the collateral is
//!   credited as deposit shares to the liquidator's own margin account (`liquidator_account`), so an account
//!   below Maint is liquidatable whatever the vault holds; without that account, `CollateralVaultShort`;
//! - a collateral position worth less than one debt share is forfeit (nothing paid or seized);
//! - the liquidation that leaves the account without deposits writes off the rest of this debt at once
//!   (insurance, then depositors), so lenders cannot withdraw ahead of a known loss;
//! - an attempt on a flagged account that has recovered (Maint and LiqEnd ≥ 0) clears the flag and moves
//!   nothing.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use margin_risk::accounting::{deposit, settle_liquidation, Side};
use margin_risk::interest::check_withdraw_liquidity;
use margin_risk::liquidation::{LiquidationPlan, LiquidationRequest};
use margin_risk::portfolio_liquidation::plan_account_liquidation;
use margin_risk::RiskError;

use crate::errors::{MarginError, RiskResultExt};
use crate::events::{emit_event, Liquidated, LiquidationFlagCleared};
use crate::health_accounts::{health_positions, LoadedBank};
use crate::state::{Bank, Group, MarginAccount};
use crate::token::{transfer_from_bank, transfer_from_user, BankSigner, Transfer};
use crate::write_off::{emit_write_off, pay_from_insurance, write_off_debt};

/// Arguments of `liquidate`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct LiquidateArgs {
    /// Most native units of the debt bank the liquidator will repay (the insurance fee is paid on top).
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
    /// The debt bank's insurance vault: receives the insurance fee, covers a write-off first.
    #[account(mut)]
    pub debt_insurance_vault: InterfaceAccount<'info, TokenAccount>,
    pub debt_mint: InterfaceAccount<'info, Mint>,
    pub collateral_mint: InterfaceAccount<'info, Mint>,
    /// The liquidator's token account of the debt mint (pays the repay and the insurance fee).
    #[account(mut, token::mint = debt_mint, token::token_program = debt_token_program)]
    pub liquidator_debt_account: InterfaceAccount<'info, TokenAccount>,
    /// The liquidator's token account of the collateral mint (receives the collateral).
    #[account(mut, token::mint = collateral_mint, token::token_program = collateral_token_program)]
    pub liquidator_collateral_account: InterfaceAccount<'info, TokenAccount>,
    pub debt_token_program: Interface<'info, TokenInterface>,
    pub collateral_token_program: Interface<'info, TokenInterface>,
    /// The liquidator's own margin account of the group, credited with the collateral as a deposit when the
    /// collateral vault cannot pay it out. Optional: bots pass it to liquidate whatever the vault holds.
    #[account(mut)]
    pub liquidator_account: Option<AccountLoader<'info, MarginAccount>>,
}

impl Liquidate<'_> {
    /// Two different banks of the account's group; vaults, mints and programs theirs; not the owner; the
    /// receiving margin account, if any, the liquidator's own in the group and not the liquidatee.
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
        require_keys_eq!(debt.insurance_vault, self.debt_insurance_vault.key(), MarginError::WrongVault);
        require_keys_eq!(debt.mint, self.debt_mint.key(), MarginError::WrongMint);
        require_keys_eq!(collateral.mint, self.collateral_mint.key(), MarginError::WrongMint);
        require_keys_eq!(debt.token_program, self.debt_token_program.key(), MarginError::WrongTokenProgram);
        require_keys_eq!(collateral.token_program, self.collateral_token_program.key(), MarginError::WrongTokenProgram);
        if let Some(receiver) = &self.liquidator_account {
            // Compared before loading: the liquidatee passed again would be a second mutable borrow.
            require_keys_neq!(receiver.key(), self.account.key(), MarginError::SelfLiquidation);
            let receiver = receiver.load()?;
            require_keys_eq!(receiver.owner, self.liquidator.key(), MarginError::NotOwner);
            require_keys_eq!(receiver.group, account.group, MarginError::WrongGroup);
        }
        Ok(())
    }

    /// Whether the collateral vault can pay `seized` tokens out: its balance less the fees it owes insurance
    /// (the rule a withdrawal meets).
    fn vault_can_pay(&self, seized: u64, collateral: &Bank) -> bool {
        check_withdraw_liquidity(seized, self.collateral_vault.amount, collateral.pending_insurance_fees).is_ok()
    }
}

/// What a liquidation did, for the transfers and events after the state is written.
struct Outcome {
    plan: LiquidationPlan,
    debt: BankSigner,
    collateral: BankSigner,
    seized_as_deposit: bool,
    write_off: Option<margin_risk::bankruptcy::BankruptcySplit>,
    /// The account's `being_liquidated` flag as written (cleared when a write-off left no debt).
    being_liquidated: bool,
}

impl<'info> Liquidate<'info> {
    pub fn liquidate(ctx: Context<'info, Self>, args: LiquidateArgs) -> Result<()> {
        ctx.accounts.validate(&args)?;
        let now = Clock::get()?.unix_timestamp;
        ctx.accounts.group.require_not_paused(now)?;
        let Some(outcome) = Self::settle(&ctx, args, now)? else {
            emit_event(LiquidationFlagCleared { account: ctx.accounts.account.key() });
            return Ok(());
        };
        ctx.accounts.move_tokens(&outcome)?;
        let accounts = &ctx.accounts;
        let plan = &outcome.plan;
        emit_event(Liquidated {
            account: accounts.account.key(),
            liquidator: accounts.liquidator.key(),
            debt_bank: accounts.debt_bank.key(),
            collateral_bank: accounts.collateral_bank.key(),
            repaid: plan.repay_tokens,
            debt_cleared: plan.debt_cleared_tokens,
            seized_to_liquidator: plan.seized_to_liquidator,
            seized_as_deposit: outcome.seized_as_deposit,
            insurance_fee: plan.insurance_fee_tokens,
            collateral_forfeit: plan.collateral_forfeit_tokens,
            bonus_bps: plan.bonus_bps,
            maint_before: plan.maint_before.into(),
            maint_after: plan.maint_after.into(),
            liq_end_after: plan.liq_end_after.into(),
            being_liquidated: outcome.being_liquidated,
        });
        if let Some(split) = &outcome.write_off {
            emit_write_off(accounts.account.key(), accounts.debt_bank.key(), split);
        }
        Ok(())
    }

    /// Plans with margin-risk and writes the shares: the liquidatee's, the banks', and the receiving margin
    /// account's when the vault is short; books the write-off when no deposit is left. `None` when the
    /// account had recovered and only its flag was cleared.
    fn settle(ctx: &Context<'info, Self>, args: LiquidateArgs, now: i64) -> Result<Option<Outcome>> {
        let accounts = &ctx.accounts;
        let (debt_key, collateral_key) = (accounts.debt_bank.key(), accounts.collateral_bank.key());
        let mut debt = accounts.debt_bank.load_mut()?;
        let mut collateral = accounts.collateral_bank.load_mut()?;
        debt.accrue_and_emit(&debt_key, now)?;
        collateral.accrue_and_emit(&collateral_key, now)?;
        let mut account = accounts.account.load_mut()?;
        let debt_index = account.position_index(&debt_key).ok_or(MarginError::NoDebtToRepay)?;
        let collateral_index = account.position_index(&collateral_key).ok_or(MarginError::NoCollateralToSeize)?;
        let loaded = [LoadedBank::new(debt_key, &debt), LoadedBank::new(collateral_key, &collateral)];
        let inputs = health_positions(&account, ctx.remaining_accounts, &loaded, now)?;
        let publish_times = (loaded[0].publish_time.get(), loaded[1].publish_time.get());
        let request = LiquidationRequest {
            debt_position: debt_index,
            collateral_position: collateral_index,
            max_repay_tokens: args.max_repay,
            being_liquidated: account.being_liquidated == 1,
            debt_dust_tokens: debt.limits.dust_threshold,
            debt_borrow_index: debt.borrow_index,
        };
        let config = collateral.liquidation_config();
        let plan = match plan_account_liquidation(&inputs.positions, &inputs.memberships, &request, &config) {
            // Flagged, yet Maint and LiqEnd ≥ 0: the account recovered; the attempt clears the flag (finding 5).
            Err(RiskError::NotLiquidatable) if request.being_liquidated => {
                account.being_liquidated = 0;
                return Ok(None);
            }
            other => other.risk()?,
        };
        debt.record_price_time(publish_times.0);
        collateral.record_price_time(publish_times.1);
        apply_plan(&mut account, (debt_index, &mut debt), (collateral_index, &mut collateral), &plan)?;
        let seized_as_deposit = !accounts.vault_can_pay(plan.seized_to_liquidator, &collateral);
        if seized_as_deposit {
            let receiver = accounts.liquidator_account.as_ref().ok_or(MarginError::CollateralVaultShort)?;
            credit_deposit(&mut *receiver.load_mut()?, (&collateral_key, &mut collateral), plan.seized_to_liquidator)?;
        }
        let write_off = match account.position_index(&debt_key) {
            Some(index) if account.holds_no_deposit() => {
                let insurance = margin_risk::math::add(accounts.debt_insurance_vault.amount, plan.insurance_fee_tokens);
                let split = write_off_debt(&mut account, index, &mut debt, insurance.risk()?)?;
                account.release_if_empty(index);
                account.record_health_shown(false);
                Some(split)
            }
            _ => None,
        };
        let (debt, collateral) = (BankSigner::of(&debt), BankSigner::of(&collateral));
        let being_liquidated = account.being_liquidated == 1;
        Ok(Some(Outcome { plan, debt, collateral, seized_as_deposit, write_off, being_liquidated }))
    }

    /// The liquidator's repay and fee in, the collateral out (unless credited as a deposit), the write-off's
    /// insurance part from the insurance vault into the debt vault.
    fn move_tokens(&self, outcome: &Outcome) -> Result<()> {
        let plan = &outcome.plan;
        let from_liquidator = |to: AccountInfo<'info>| Transfer {
            token_program: self.debt_token_program.to_account_info(),
            mint: self.debt_mint.to_account_info(),
            from: self.liquidator_debt_account.to_account_info(),
            to,
            authority: self.liquidator.to_account_info(),
        };
        if plan.repay_tokens > 0 {
            transfer_from_user(
                from_liquidator(self.debt_vault.to_account_info()),
                plan.repay_tokens,
                outcome.debt.decimals,
            )?;
        }
        if plan.insurance_fee_tokens > 0 {
            let to_insurance = from_liquidator(self.debt_insurance_vault.to_account_info());
            transfer_from_user(to_insurance, plan.insurance_fee_tokens, outcome.debt.decimals)?;
        }
        if !outcome.seized_as_deposit && plan.seized_to_liquidator > 0 {
            let to_liquidator = Transfer {
                token_program: self.collateral_token_program.to_account_info(),
                mint: self.collateral_mint.to_account_info(),
                from: self.collateral_vault.to_account_info(),
                to: self.liquidator_collateral_account.to_account_info(),
                authority: self.collateral_bank.to_account_info(),
            };
            transfer_from_bank(to_liquidator, plan.seized_to_liquidator, &outcome.collateral)?;
        }
        if let Some(split) = &outcome.write_off {
            let transfer = Transfer {
                token_program: self.debt_token_program.to_account_info(),
                mint: self.debt_mint.to_account_info(),
                from: self.debt_insurance_vault.to_account_info(),
                to: self.debt_vault.to_account_info(),
                authority: self.debt_bank.to_account_info(),
            };
            pay_from_insurance(transfer, split, &outcome.debt)?;
        }
        Ok(())
    }
}

/// Moves the plan's amounts into shares: the debt shares the liquidator paid for (whole shares by the plan;
/// all of them for the whole debt), collateral shares burned rounded up for the seized and forfeit tokens
/// (all of them when what would remain is worth nothing).
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

/// Credits `seized` tokens of the collateral bank to the liquidator's margin account as deposit shares
/// (rounded down), by the position rules of a deposit; no token moves and no cap applies (the tokens were
/// already deposited by the liquidatee).
fn credit_deposit(receiver: &mut MarginAccount, (bank_key, bank): (&Pubkey, &mut Bank), seized: u64) -> Result<()> {
    if seized == 0 {
        return Ok(());
    }
    let index = receiver.position_for(bank_key, bank, true)?;
    let mut totals = bank.totals();
    deposit(&mut receiver.positions[index].deposit_shares, &mut totals, seized).risk()?;
    bank.set_totals(&totals);
    Ok(())
}
