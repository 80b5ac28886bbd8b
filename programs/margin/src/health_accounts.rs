//! The remaining-accounts convention: for each used position, in account order, its bank, the bank's price
//! account, then its fallback price account if the bank has one. This module checks them against the margin account and builds margin-risk's positions.
use anchor_lang::prelude::*;
use margin_risk::health::{without_unpriceable_dust, Health, HealthPosition, HealthType};
use margin_risk::interest::{borrow_tokens_of, deposit_tokens_of};
use margin_risk::portfolio::{account_health, GroupMembership};
use margin_risk::price::PriceCheck;

use crate::errors::{MarginError, RiskResultExt};
use crate::oracle::read_price;
use crate::state::{Bank, MarginAccount, Position};

/// A bank the instruction already holds (loaded mutably), keyed by address, so it is not loaded twice.
pub struct LoadedBank<'a> {
    /// The bank's address.
    pub key: Pubkey,
    /// Its current (possibly just updated) state.
    pub bank: &'a Bank,
    /// Publish time of the price health read for it (0 if none), for the instruction to record in the
    /// bank it writes ([`Bank::record_price_time`]).
    pub publish_time: core::cell::Cell<i64>,
}

impl<'a> LoadedBank<'a> {
    /// `bank` at `key`, no price read yet.
    pub fn new(key: Pubkey, bank: &'a Bank) -> LoadedBank<'a> {
        LoadedBank { key, bank, publish_time: core::cell::Cell::new(0) }
    }
}

/// One position's bank (its interest accrued to now) and price (with the bank's fallback account when it has
/// one), checked, its health view and the price's publish time.
pub fn health_position(
    position: &Position,
    bank: &Bank,
    price_account: &AccountInfo,
    fallback_account: Option<&AccountInfo>,
    now: i64,
) -> Result<(HealthPosition, i64)> {
    // A price error names the bank in the log, so a trader or bot knows which feed to refresh.
    let (price, publish_time) = read_price(price_account, fallback_account, bank, now).inspect_err(|error| {
        crate::events::log(&format!(
            "bank {}: price account {} refused: {}",
            position.bank,
            price_account.key(),
            error
        ));
    })?;
    if let Err(error) = &price {
        crate::events::log(&format!("bank {}: price unusable: {:?}", position.bank, error));
    }
    Ok((position_view(position, bank, price)?, publish_time))
}

/// A position as margin-risk sees it, from its bank (interest accrued to now) and the bank's price check:
/// shares to tokens (deposits rounded down, debts up), the bank's weights, and the dust rule (a deposit below
/// the bank's dust threshold with an unusable price counts 0). The program and every client build health from
/// this one function, so their health is the program's.
pub fn position_view(position: &Position, bank: &Bank, price: PriceCheck) -> Result<HealthPosition> {
    let health = HealthPosition {
        deposit_tokens: deposit_tokens_of(position.deposit_shares, bank.deposit_index).risk()?,
        borrow_tokens: borrow_tokens_of(position.borrow_shares, bank.borrow_index).risk()?,
        weights: bank.weights(),
        price,
    };
    Ok(without_unpriceable_dust(health, bank.limits.dust_threshold))
}

/// An account as margin-risk's health reads it: its positions and their banks' correlation groups, index for
/// index.
pub struct HealthInputs {
    /// The positions, in account order.
    pub positions: Vec<HealthPosition>,
    /// Each position's bank's correlation group (`GroupMembership::NONE` when it has none).
    pub memberships: Vec<GroupMembership>,
}

impl HealthInputs {
    /// The account's health of `health_type` by margin-risk's `account_health` (the group rule when a bank
    /// is in a group).
    pub fn health(&self, health_type: HealthType) -> Result<Health> {
        account_health(&self.positions, &self.memberships, health_type).risk()
    }
}

/// The account's positions and groups for margin-risk, from `remaining`: for each used position, in order, its bank, the
/// bank's price account and, when the bank has a fallback source, the fallback's account; nothing more. Banks
/// in `loaded` are taken from memory (the instruction accrued them); their remaining account must still be
/// the right address. Other banks are read with their interest accrued to `now` (without writing them), so
/// every debt and deposit counts at its value as of now.
pub fn health_positions<'info>(
    account: &MarginAccount,
    remaining: &'info [AccountInfo<'info>],
    loaded: &[LoadedBank],
    now: i64,
) -> Result<HealthInputs> {
    let mut positions = Vec::with_capacity(remaining.len() / 2);
    let mut memberships = Vec::with_capacity(remaining.len() / 2);
    let mut next = remaining.iter();
    for position in account.used_positions() {
        let (Some(bank_info), Some(price_info)) = (next.next(), next.next()) else {
            return err!(MarginError::BadRemainingAccounts);
        };
        require_keys_eq!(bank_info.key(), position.bank, MarginError::BadRemainingAccounts);
        let health = match loaded.iter().find(|loaded| loaded.key == position.bank) {
            Some(loaded) => {
                let fallback = fallback_slot(loaded.bank, &mut next)?;
                let (health, publish_time) = health_position(position, loaded.bank, price_info, fallback, now)?;
                loaded.publish_time.set(publish_time);
                memberships.push(loaded.bank.correlation.membership());
                health
            }
            None => {
                let loader = AccountLoader::<Bank>::try_from(bank_info)?;
                let bank = loader.load()?.accrued_to(now)?;
                require_keys_eq!(bank.group, account.group, MarginError::WrongGroup);
                let fallback = fallback_slot(&bank, &mut next)?;
                memberships.push(bank.correlation.membership());
                health_position(position, &bank, price_info, fallback, now)?.0
            }
        };
        positions.push(health);
    }
    require!(next.next().is_none(), MarginError::BadRemainingAccounts);
    Ok(HealthInputs { positions, memberships })
}

/// The bank account of each used position of `account` in `remaining` (the convention of
/// [`health_positions`]), each checked to be the position's; whether a bank has a fallback slot is read from the bank (so no bank may be
/// borrowed mutably while this runs). `BadRemainingAccounts` for missing, extra or misplaced accounts.
pub fn position_banks<'info>(
    account: &MarginAccount,
    remaining: &'info [AccountInfo<'info>],
) -> Result<Vec<&'info AccountInfo<'info>>> {
    let mut split = Vec::with_capacity(remaining.len() / 2);
    let mut next = remaining.iter();
    for position in account.used_positions() {
        let (Some(bank), Some(_price)) = (next.next(), next.next()) else {
            return err!(MarginError::BadRemainingAccounts);
        };
        require_keys_eq!(bank.key(), position.bank, MarginError::BadRemainingAccounts);
        let has_fallback = AccountLoader::<Bank>::try_from(bank)?.load()?.fallback.is_set();
        if has_fallback {
            next.next().ok_or_else(|| error!(MarginError::BadRemainingAccounts))?;
        }
        split.push(bank);
    }
    require!(next.next().is_none(), MarginError::BadRemainingAccounts);
    Ok(split)
}

/// The next remaining account when `bank` has a fallback source (missing: `BadRemainingAccounts`), else none.
fn fallback_slot<'a, 'info>(
    bank: &Bank,
    next: &mut core::slice::Iter<'a, AccountInfo<'info>>,
) -> Result<Option<&'a AccountInfo<'info>>> {
    if !bank.fallback.is_set() {
        return Ok(None);
    }
    next.next().map(Some).ok_or_else(|| error!(MarginError::BadRemainingAccounts))
}

/// Init health after an action that adds risk; refuses the action when it is negative. Passing shows
/// LiqEnd ≥ 0 (Init ≤ LiqEnd), which the caller records with [`MarginAccount::record_health_shown`].
pub fn require_init_health<'info>(
    account: &MarginAccount,
    remaining: &'info [AccountInfo<'info>],
    loaded: &[LoadedBank],
    now: i64,
) -> Result<Health> {
    let init = health_positions(account, remaining, loaded, now)?.health(HealthType::Init)?;
    require!(init.is_nonnegative(), MarginError::InitHealthNegative);
    Ok(init)
}
