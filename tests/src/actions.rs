//! Actions of traders, lenders and liquidators through the SDK's builders, each followed by a check of
//! invariant 1 on the banks it touched; the SDK's health view of an account.
use margin::state::MarginAccount;
use margin_sdk::addresses::BankAddresses;
use margin_sdk::instructions::{self as build, AccountKind, LiquidateAccounts, TokenActionAccounts};
use solana_sdk::instruction::{AccountMeta, Instruction};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::env::{BankKeys, Env, Failure};

impl Env {
    /// The margin account PDA of `owner` at `index`.
    pub fn account_address(&self, owner: &Pubkey, index: u16) -> Pubkey {
        margin::seeds::address::margin_account(&self.group, owner, index)
    }

    /// Opens `owner`'s account `index` of `kind` (0 cross, 1 isolated).
    pub async fn open_account(&mut self, owner: &Keypair, index: u16, kind: u8) -> Result<Pubkey, Failure> {
        let account = self.account_address(&owner.pubkey(), index);
        let ix = build::open_account(&owner.pubkey(), &self.group, index, AccountKind::Cross);
        // The kind byte as given (0 cross, 1 isolated), so tests can send unknown kinds too.
        let ix = Instruction { data: [&ix.data[..ix.data.len() - 1], &[kind]].concat(), ..ix };
        self.send(&[ix], &[owner]).await?;
        Ok(account)
    }

    /// A listed bank's addresses, read from the bank.
    pub async fn bank_addresses(&mut self, bank: &Pubkey) -> BankAddresses {
        BankAddresses::of(bank, &self.bank_state(bank).await)
    }

    /// The account's banks' addresses, in position order.
    async fn position_bank_addresses(&mut self, state: &MarginAccount) -> Vec<BankAddresses> {
        let mut banks = Vec::new();
        for position in state.used_positions() {
            banks.push(self.bank_addresses(&position.bank).await);
        }
        banks
    }

    /// Remaining accounts for health (the SDK's packing): per used position, its bank then its price account.
    pub async fn health_accounts(&mut self, account: &Pubkey) -> Vec<AccountMeta> {
        let state = self.account_state(account).await;
        let banks = self.position_bank_addresses(&state).await;
        margin_sdk::accounts::health_accounts(&state, |key| banks.iter().find(|bank| bank.bank == *key).copied())
            .unwrap()
    }

    /// Remaining accounts of `resolve_bankruptcy` (the SDK's): per used position its bank, writable, then its
    /// price account.
    pub async fn position_banks(&mut self, account: &Pubkey) -> Vec<AccountMeta> {
        let state = self.account_state(account).await;
        let banks = self.position_bank_addresses(&state).await;
        margin_sdk::accounts::bankruptcy_accounts(&state, |key| banks.iter().find(|bank| bank.bank == *key).copied())
            .unwrap()
    }

    /// Moves a bank's protocol fees to its insurance vault (`sweep_fees`, permissionless), then checks
    /// invariant 1 on it.
    pub async fn sweep_fees(&mut self, bank: &BankKeys) -> Result<(), Failure> {
        self.send(&[build::sweep_fees(&bank.addresses())], &[]).await?;
        self.assert_vault_covers(bank).await;
        Ok(())
    }

    pub async fn deposit(
        &mut self,
        owner: &Keypair,
        account: &Pubkey,
        bank: &BankKeys,
        from: &Pubkey,
        amount: u64,
    ) -> Result<(), Failure> {
        let action = |accounts: &TokenActionAccounts, _| build::deposit(accounts, amount);
        self.send_token_action(owner, (account, bank, from), action, false).await
    }

    pub async fn repay(
        &mut self,
        owner: &Keypair,
        account: &Pubkey,
        bank: &BankKeys,
        from: &Pubkey,
        amount: u64,
        repay_all: bool,
    ) -> Result<(), Failure> {
        let action = |accounts: &TokenActionAccounts, _| build::repay(accounts, amount, repay_all);
        self.send_token_action(owner, (account, bank, from), action, false).await
    }

    /// Withdraw with the health accounts as the account stands (plus `bank` if not yet a position).
    pub async fn withdraw(
        &mut self,
        owner: &Keypair,
        account: &Pubkey,
        bank: &BankKeys,
        to: &Pubkey,
        amount: u64,
    ) -> Result<(), Failure> {
        let action = |accounts: &TokenActionAccounts, health| build::withdraw(accounts, amount, health);
        self.send_token_action(owner, (account, bank, to), action, true).await
    }

    /// Borrow with the health accounts the account will have after it (the bank appended if new).
    pub async fn borrow(
        &mut self,
        owner: &Keypair,
        account: &Pubkey,
        bank: &BankKeys,
        to: &Pubkey,
        amount: u64,
    ) -> Result<(), Failure> {
        let action = |accounts: &TokenActionAccounts, health| build::borrow(accounts, amount, health);
        self.send_token_action(owner, (account, bank, to), action, true).await
    }

    /// Builds a token action with the SDK (`with_health`: the health accounts the account will have after
    /// it), sends it signed by `owner`, then checks invariant 1 on its bank.
    async fn send_token_action(
        &mut self,
        owner: &Keypair,
        (account, bank, wallet): (&Pubkey, &BankKeys, &Pubkey),
        action: impl FnOnce(&TokenActionAccounts, Vec<AccountMeta>) -> Instruction,
        with_health: bool,
    ) -> Result<(), Failure> {
        let health = if with_health { self.health_accounts_after(account, bank).await } else { Vec::new() };
        let addresses = bank.addresses();
        let ix = action(&self.token_action(&owner.pubkey(), account, &addresses, wallet), health);
        self.send(&[ix], &[owner]).await?;
        self.assert_vault_covers(bank).await;
        Ok(())
    }

    /// The accounts of a token action by `owner` on `account` in `bank` with `user_token_account`.
    pub fn token_action<'a>(
        &'a self,
        owner: &'a Pubkey,
        account: &'a Pubkey,
        bank: &'a BankAddresses,
        user_token_account: &'a Pubkey,
    ) -> TokenActionAccounts<'a> {
        TokenActionAccounts { owner, account, group: &self.group, bank, user_token_account }
    }

    /// Health accounts including `bank` at the end when the account has no position in it yet.
    pub async fn health_accounts_after(&mut self, account: &Pubkey, bank: &BankKeys) -> Vec<AccountMeta> {
        let state = self.account_state(account).await;
        let banks = self.position_bank_addresses(&state).await;
        let known = |key: &Pubkey| banks.iter().find(|bank| bank.bank == *key).copied();
        margin_sdk::accounts::health_accounts_after(&state, &bank.addresses(), known).unwrap()
    }

    /// The `liquidate` instruction of `liquidator` on `account`, with the health accounts as it stands.
    #[allow(clippy::too_many_arguments)]
    pub async fn liquidate_instruction(
        &mut self,
        liquidator: &Pubkey,
        account: &Pubkey,
        (debt, collateral): (&BankKeys, &BankKeys),
        pay_from: &Pubkey,
        receive_to: &Pubkey,
        max_repay: u64,
    ) -> Instruction {
        let receive_account = self.receive_account;
        let health = self.health_accounts(account).await;
        let (debt, collateral) = (debt.addresses(), collateral.addresses());
        let accounts = LiquidateAccounts {
            liquidator,
            account,
            group: &self.group,
            debt: &debt,
            collateral: &collateral,
            pay_from,
            receive_to,
            receive_account: receive_account.as_ref(),
        };
        build::liquidate(&accounts, max_repay, health)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn liquidate(
        &mut self,
        liquidator: &Keypair,
        account: &Pubkey,
        debt: &BankKeys,
        collateral: &BankKeys,
        pay_from: &Pubkey,
        receive_to: &Pubkey,
        max_repay: u64,
    ) -> Result<(), Failure> {
        let ix = self
            .liquidate_instruction(&liquidator.pubkey(), account, (debt, collateral), pay_from, receive_to, max_repay)
            .await;
        self.send(&[ix], &[liquidator]).await?;
        self.assert_vault_covers(debt).await;
        self.assert_vault_covers(collateral).await;
        Ok(())
    }

    pub async fn resolve_bankruptcy(&mut self, account: &Pubkey, bank: &BankKeys) -> Result<(), Failure> {
        let position_banks = self.position_banks(account).await;
        let ix = build::resolve_bankruptcy(account, &self.group, &bank.addresses(), position_banks);
        self.send(&[ix], &[]).await?;
        self.assert_vault_covers(bank).await;
        Ok(())
    }

    pub async fn accrue_interest(&mut self, bank: &BankKeys) -> Result<(), Failure> {
        self.send(&[build::accrue_interest(&bank.bank)], &[]).await
    }

    pub async fn close_account(&mut self, owner: &Keypair, account: &Pubkey) -> Result<(), Failure> {
        self.send(&[build::close_account(&owner.pubkey(), account)], &[owner]).await
    }

    /// Invariant 1 of DESIGN.md for one bank, checked by every action wrapper above after each success:
    /// vault + unbooked bad debt = Σ deposits − Σ borrows + fees owed to insurance + dust, with dust ≥ 0 and
    /// small (a loss larger than the deposits leaves the vault short by what was recorded unbooked): the share
    /// roundings of the operations so far (a unit or two each), plus the indices' roundings, each accrual
    /// rounding each index by under one unit of 10^-12, which is worth up to shares / 10^12 native units
    /// (allowed for [`ACCRUALS_ALLOWED`] accruals).
    pub async fn assert_vault_covers(&mut self, bank: &BankKeys) {
        let state = self.bank_state(&bank.bank).await;
        let vault = self.balance(&bank.vault).await as i128;
        let totals = state.totals();
        let deposits = totals.deposit_tokens().unwrap() as i128;
        let borrows = totals.borrow_tokens().unwrap() as i128;
        let dust =
            vault + state.unbooked_bad_debt as i128 - (deposits - borrows + state.pending_insurance_fees as i128);
        assert!(
            dust >= 0,
            "vault {vault} short of deposits {deposits} − borrows {borrows} + fees {}",
            state.pending_insurance_fees
        );
        let index_rounding = (u128::from(totals.deposit_shares) + u128::from(totals.borrow_shares))
            / u128::from(margin_risk::interest::INDEX_SCALE)
            + 2;
        let bound = 1_000 + ACCRUALS_ALLOWED * index_rounding as i128;
        assert!(dust <= bound, "vault {vault} holds {dust} more than it owes (bound {bound}): accounting lost track");
    }
}

/// Accruals a test may make per bank before the dust bound of [`Env::assert_vault_covers`] no longer holds.
pub const ACCRUALS_ALLOWED: i128 = 100;

impl Env {
    /// The account as margin-risk sees it now, computed client-side by the SDK's snapshot (the program's own
    /// price checks, accrual to now and dust rule): what the bot and the CLI compute.
    pub async fn health_view(&mut self, account: &Pubkey) -> Vec<margin_risk::health::HealthPosition> {
        self.snapshot(account, &[]).await.health_positions(account).unwrap()
    }

    /// An SDK snapshot of `account`, its banks and `more_banks` at the env's clock.
    pub async fn snapshot(&mut self, account: &Pubkey, more_banks: &[Pubkey]) -> margin_sdk::snapshot::Snapshot {
        let state = self.account_state(account).await;
        let mut banks: Vec<Pubkey> = state.used_positions().map(|position| position.bank).collect();
        banks.extend(more_banks.iter().filter(|bank| !banks.contains(bank)).copied().collect::<Vec<_>>());
        let mut snapshot = margin_sdk::chain::load_snapshot(&mut self.chain, &banks, &[*account]).await.unwrap();
        snapshot.now = self.now;
        snapshot
    }
}
