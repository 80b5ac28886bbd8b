//! A group's state at one moment: banks, their price accounts and margin accounts, with each account's health,
//! max borrow, max withdraw and liquidation plan computed by the program's own code (the same owner, feed and
//! verification checks, the same accrual to now, the same dust rule), so they are what the program decides.
use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use margin::oracle::{bank_price, SourceAccount};
use margin::state::{Bank, MarginAccount, Position};
use margin_risk::health::{Health, HealthPosition, HealthType};
use margin_risk::liquidation::{LiquidationPlan, LiquidationRequest};
use margin_risk::portfolio::{account_health, account_max_borrow, account_max_withdraw, GroupMembership};
use margin_risk::portfolio_liquidation::plan_account_liquidation;
use margin_risk::price::{PriceCheck, PythPrice};

use crate::addresses::BankAddresses;
use crate::market::Action;
use crate::SdkError;

/// An account's bytes as fetched: owner and data (what the program's checks read).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawAccount {
    /// The owning program.
    pub owner: Pubkey,
    /// The data.
    pub data: Vec<u8>,
}

/// The price accounts `bank` reads: its Pyth account, then its fallback's if it has one.
pub fn price_accounts_of(bank: &Bank) -> impl Iterator<Item = Pubkey> {
    core::iter::once(bank.price_account).chain(bank.fallback.is_set().then_some(bank.fallback.price_account))
}

/// Banks, price accounts and margin accounts of one group, at cluster time `now` (unix seconds).
#[derive(Clone, Default)]
pub struct Snapshot {
    /// The cluster's clock (unix seconds) the health is computed at.
    pub now: i64,
    /// Banks by address.
    pub banks: BTreeMap<Pubkey, Bank>,
    /// Price accounts by address.
    pub prices: BTreeMap<Pubkey, RawAccount>,
    /// Margin accounts by address.
    pub accounts: BTreeMap<Pubkey, MarginAccount>,
}

impl Snapshot {
    /// The addresses instructions need for the bank at `address`.
    pub fn bank_addresses(&self, address: &Pubkey) -> Option<BankAddresses> {
        self.banks.get(address).map(|bank| BankAddresses::of(address, bank))
    }

    /// A margin account of the snapshot.
    pub fn account(&self, address: &Pubkey) -> Result<&MarginAccount, SdkError> {
        self.accounts.get(address).ok_or(SdkError::UnknownAccount(*address))
    }

    /// One position as margin-risk sees it: its bank accrued to now, its price read and validated as the
    /// program does (an unusable price stays an error inside the position, as on chain).
    pub fn position_view(&self, position: &Position) -> Result<HealthPosition, SdkError> {
        let bank = self.banks.get(&position.bank).ok_or(SdkError::UnknownBank(position.bank))?;
        let bank = bank.accrued_to(self.now).map_err(SdkError::from_anchor)?;
        let (price, _) = self.bank_price(&bank)?;
        margin::health_accounts::position_view(position, &bank, price).map_err(SdkError::from_anchor)
    }

    /// The price `bank` uses now, by the program's own rule (`margin::oracle::bank_price`: its Pyth price, its
    /// fallback's when it has one, the publish order against the bank's last used price), and the Pyth
    /// reading. A fallback account the snapshot lacks counts as a closed account, as on chain.
    pub fn bank_price(&self, bank: &Bank) -> Result<(PriceCheck, PythPrice), SdkError> {
        let raw = self.prices.get(&bank.price_account).ok_or(SdkError::UnknownAccount(bank.price_account))?;
        let primary = SourceAccount { address: &bank.price_account, owner: &raw.owner, data: &raw.data };
        let pyth = margin::oracle::pyth_price_from(primary.address, primary.owner, primary.data, bank)
            .map_err(SdkError::from_anchor)?;
        let closed = RawAccount { owner: Pubkey::default(), data: Vec::new() };
        let fallback_raw = self.prices.get(&bank.fallback.price_account).unwrap_or(&closed);
        let fallback = bank.fallback.is_set().then_some(SourceAccount {
            address: &bank.fallback.price_account,
            owner: &fallback_raw.owner,
            data: &fallback_raw.data,
        });
        let (price, _) = bank_price(bank, primary, fallback, self.now).map_err(SdkError::from_anchor)?;
        Ok((price, pyth))
    }

    /// The account's positions as margin-risk sees them, in account order.
    pub fn health_positions(&self, account: &Pubkey) -> Result<Vec<HealthPosition>, SdkError> {
        self.account(account)?.used_positions().map(|position| self.position_view(position)).collect()
    }

    /// The correlation group of each of the account's positions' banks, in account order (what the program
    /// reads from the banks).
    pub fn memberships(&self, account: &Pubkey) -> Result<Vec<GroupMembership>, SdkError> {
        self.account(account)?.used_positions().map(|position| self.membership_of(&position.bank)).collect()
    }

    /// `bank`'s correlation group.
    pub fn membership_of(&self, bank: &Pubkey) -> Result<GroupMembership, SdkError> {
        Ok(self.banks.get(bank).ok_or(SdkError::UnknownBank(*bank))?.correlation.membership())
    }

    /// The account's health of `health_type` (by the group rule when a bank is in a correlation group).
    pub fn health(&self, account: &Pubkey, health_type: HealthType) -> Result<Health, SdkError> {
        Ok(account_health(&self.health_positions(account)?, &self.memberships(account)?, health_type)?)
    }

    /// The memberships of [`Snapshot::positions_with`]'s positions, index for index.
    pub(crate) fn memberships_with(&self, account: &Pubkey, bank: &Pubkey) -> Result<Vec<GroupMembership>, SdkError> {
        let mut memberships = self.memberships(account)?;
        if self.account(account)?.position_index(bank).is_none() {
            memberships.push(self.membership_of(bank)?);
        }
        Ok(memberships)
    }

    /// The positions with `bank`'s, opened empty at the end when the account has none (as a first borrow
    /// or deposit opens it), and its index.
    pub(crate) fn positions_with(
        &self,
        account: &Pubkey,
        bank: &Pubkey,
    ) -> Result<(Vec<HealthPosition>, usize), SdkError> {
        let mut positions = self.health_positions(account)?;
        let index = match self.account(account)?.position_index(bank) {
            Some(index) => index,
            None => {
                let opening = Position { bank: *bank, deposit_shares: 0, borrow_shares: 0 };
                positions.push(self.position_view(&opening)?);
                positions.len() - 1
            }
        };
        Ok((positions, index))
    }

    /// The most `account` can borrow from `bank` now, native units: borrowing it passes the program's Init
    /// check, one unit more fails it. margin-risk's `max_borrow` gives the amount in tokens; the program books
    /// the debt in shares rounded up, which with a borrow index above 1 can value the new debt a unit above
    /// the amount, so the figure is stepped down until the booked debt passes (a unit or two at most).
    /// Liquidity and caps not included.
    pub fn max_borrow(&self, account: &Pubkey, bank: &Pubkey) -> Result<u64, SdkError> {
        let (positions, index) = self.positions_with(account, bank)?;
        let memberships = self.memberships_with(account, bank)?;
        let mut amount = account_max_borrow(&positions, &memberships, index)?;
        while amount > 0 && !self.passes_init_after(account, bank, Action::Borrow(amount))? {
            amount -= 1;
        }
        Ok(amount)
    }

    /// The most `account` can withdraw from its deposit in `bank` now, native units (the whole deposit when
    /// the account has no debt). As for [`Snapshot::max_borrow`], the program burns shares rounded up, so the
    /// figure is stepped down until the booked withdrawal passes Init. The vault's liquidity not included.
    pub fn max_withdraw(&self, account: &Pubkey, bank: &Pubkey) -> Result<u64, SdkError> {
        let (positions, index) = self.positions_with(account, bank)?;
        let memberships = self.memberships_with(account, bank)?;
        let mut amount = account_max_withdraw(&positions, &memberships, index)?;
        if !positions.iter().any(|position| position.borrow_tokens > 0) {
            return Ok(amount);
        }
        while amount > 0 && !self.passes_init_after(account, bank, Action::Withdraw(amount))? {
            amount -= 1;
        }
        Ok(amount)
    }

    /// Whether Init health passes once `action` is booked as the program books it (margin-risk's
    /// accounting on the bank accrued to now), the account's other positions unchanged.
    fn passes_init_after(&self, account: &Pubkey, bank: &Pubkey, action: Action) -> Result<bool, SdkError> {
        let after = self.positions_after(account, bank, action)?;
        let memberships = self.memberships_with(account, bank)?;
        Ok(account_health(&after, &memberships, HealthType::Init)?.is_nonnegative())
    }

    /// Whether `account` may be liquidated now (Maint < 0, or flagged and LiqEnd < 0).
    pub fn is_liquidatable(&self, account: &Pubkey) -> Result<bool, SdkError> {
        let maint = self.health(account, HealthType::Maint)?;
        let liq_end = self.health(account, HealthType::LiqEnd)?;
        let flagged = self.account(account)?.being_liquidated == 1;
        Ok(margin_risk::liquidation::is_liquidatable(&maint, &liq_end, flagged))
    }

    /// What `liquidate` of `account`, repaying `debt_bank`'s debt with at most `max_repay` native units and
    /// seizing `collateral_bank`'s deposit, would do now: the program's own plan.
    pub fn plan_liquidation(
        &self,
        account: &Pubkey,
        (debt_bank, collateral_bank): (&Pubkey, &Pubkey),
        max_repay: u64,
    ) -> Result<LiquidationPlan, SdkError> {
        let state = self.account(account)?;
        let debt_position = state
            .position_index(debt_bank)
            .ok_or(SdkError::Program(crate::errors::code(margin::errors::MarginError::NoDebtToRepay)))?;
        let collateral_position = state
            .position_index(collateral_bank)
            .ok_or(SdkError::Program(crate::errors::code(margin::errors::MarginError::NoCollateralToSeize)))?;
        let unknown = |bank: &Pubkey| SdkError::UnknownBank(*bank);
        let debt = self.banks.get(debt_bank).ok_or_else(|| unknown(debt_bank))?;
        let debt = debt.accrued_to(self.now).map_err(SdkError::from_anchor)?;
        let collateral = self.banks.get(collateral_bank).ok_or_else(|| unknown(collateral_bank))?;
        let request = LiquidationRequest {
            debt_position,
            collateral_position,
            max_repay_tokens: max_repay,
            being_liquidated: state.being_liquidated == 1,
            debt_dust_tokens: debt.limits.dust_threshold,
            debt_borrow_index: debt.borrow_index,
        };
        let positions = self.health_positions(account)?;
        let memberships = self.memberships(account)?;
        Ok(plan_account_liquidation(&positions, &memberships, &request, &collateral.liquidation_config())?)
    }

    /// Remaining accounts of a health check of `account` as it stands.
    pub fn health_accounts(
        &self,
        account: &Pubkey,
    ) -> Result<Vec<anchor_lang::solana_program::instruction::AccountMeta>, SdkError> {
        crate::accounts::health_accounts(self.account(account)?, |bank| self.bank_addresses(bank))
    }

    /// Remaining accounts of `resolve_bankruptcy` of `account` as it stands.
    pub fn bankruptcy_accounts(
        &self,
        account: &Pubkey,
    ) -> Result<Vec<anchor_lang::solana_program::instruction::AccountMeta>, SdkError> {
        crate::accounts::bankruptcy_accounts(self.account(account)?, |bank| self.bank_addresses(bank))
    }
}
