//! One test environment: a group, banks with SPL Token mints and Pyth prices, traders and a clock. Built on
//! margin-sdk: its in-process chain, instruction builders, remaining-account packing and transactions.
use anchor_spl::token::spl_token;
use margin::state::{Bank, BankConfig, BankParams, GovernanceSettings, Group, MarginAccount};
use margin_sdk::addresses::BankAddresses;
use margin_sdk::chain::{Chain, ProgramTestChain};
use margin_sdk::instructions::{self as build, AccountKind, LiquidateAccounts, TokenActionAccounts};
use solana_program_test::processor;
use solana_sdk::account::Account;
use solana_sdk::instruction::{AccountMeta, Instruction, InstructionError};
use solana_sdk::message::AddressLookupTableAccount;
use solana_sdk::program_pack::Pack;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{TransactionError, VersionedTransaction};

use crate::pyth::PriceUpdate;

/// The clock every environment starts at (unix seconds).
pub const START: i64 = 1_750_000_000;

/// A listed bank and its accounts.
#[derive(Clone, Copy, Debug)]
pub struct BankKeys {
    pub bank: Pubkey,
    pub mint: Pubkey,
    pub vault: Pubkey,
    pub insurance_vault: Pubkey,
    pub price_account: Pubkey,
    pub feed_id: [u8; 32],
    pub decimals: u8,
    /// SPL Token or Token-2022.
    pub token_program: Pubkey,
}

impl BankKeys {
    /// The SDK's view of the bank's addresses.
    pub fn addresses(&self) -> BankAddresses {
        BankAddresses {
            bank: self.bank,
            mint: self.mint,
            token_program: self.token_program,
            vault: self.vault,
            insurance_vault: self.insurance_vault,
            price_account: self.price_account,
        }
    }
}

/// A failed transaction, reduced to what tests assert on.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// A custom program error code (Anchor's 6000+ for the margin program, 2000+ for Anchor constraints).
    Custom(u32),
    /// Any other instruction error.
    Instruction(String),
    /// A transaction-level error.
    Transaction(String),
}

/// The margin program's error code of `error` (the SDK's code).
pub fn code(error: margin::errors::MarginError) -> Failure {
    Failure::Custom(margin_sdk::errors::code(error))
}

impl Failure {
    /// A failed transaction's error, reduced.
    fn of(error: TransactionError) -> Failure {
        match error {
            TransactionError::InstructionError(_, InstructionError::Custom(code)) => Failure::Custom(code),
            TransactionError::InstructionError(_, error) => Failure::Instruction(format!("{error:?}")),
            error => Failure::Transaction(format!("{error:?}")),
        }
    }
}

pub struct Env {
    /// The in-process chain (program-test's context inside).
    pub chain: ProgramTestChain,
    /// The admin key, or the key that may act for the multisig when `admin_is_multisig`.
    pub admin: Keypair,
    pub guardian: Keypair,
    /// The admin is the test multisig's PDA, signing through CPI (see [`crate::multisig`]).
    pub admin_is_multisig: bool,
    pub group: Pubkey,
    pub now: i64,
    /// The log of the last transaction sent (events included, see [`crate::events`]).
    pub last_logs: Vec<String>,
    nonce: u64,
}

impl Env {
    /// A started program-test bank with the clock at [`START`] and a group (id 1).
    pub async fn new() -> Env {
        Self::with_admin(false).await
    }

    /// Like [`Env::new`]; with `admin_is_multisig` the group's admin is the test multisig's PDA.
    pub async fn with_admin(admin_is_multisig: bool) -> Env {
        let mut program_test = margin_sdk::chain::margin_program_test();
        program_test.add_program("multisig", crate::multisig::ID, processor!(crate::multisig::process_instruction));
        let chain = ProgramTestChain::start(program_test).await;
        let mut env = Env {
            chain,
            admin: Keypair::new(),
            guardian: Keypair::new(),
            admin_is_multisig,
            group: Pubkey::default(),
            now: START,
            last_logs: Vec::new(),
            nonce: 0,
        };
        env.set_clock(START);
        env.group = env.init_group(1).await.unwrap();
        env
    }

    /// The group PDA of `group_id`.
    pub fn group_address(group_id: u64) -> Pubkey {
        margin::seeds::address::group(group_id)
    }

    /// Creates group `group_id` with this env's admin and guardian and [`governance_settings`].
    pub async fn init_group(&mut self, group_id: u64) -> Result<Pubkey, Failure> {
        self.init_group_with(group_id, governance_settings()).await
    }

    /// Creates group `group_id` with this env's admin and guardian and `governance`.
    pub async fn init_group_with(&mut self, group_id: u64, governance: GovernanceSettings) -> Result<Pubkey, Failure> {
        let ix = build::init_group(&self.payer(), &self.admin_key(), group_id, &self.guardian.pubkey(), governance);
        self.send_as_admin(ix).await?;
        Ok(Self::group_address(group_id))
    }

    /// The fee payer's key.
    pub fn payer(&self) -> Pubkey {
        self.chain.context.payer.pubkey()
    }

    /// The group's admin: the admin keypair's key, or the multisig PDA.
    pub fn admin_key(&self) -> Pubkey {
        if self.admin_is_multisig {
            crate::multisig::admin_pda()
        } else {
            self.admin.pubkey()
        }
    }

    /// Sends `ix` signed by the admin: by its keypair, or wrapped in a multisig call that signs by CPI.
    pub async fn send_as_admin(&mut self, ix: Instruction) -> Result<(), Failure> {
        if self.admin_is_multisig {
            self.send(&[crate::multisig::wrap(ix)], &[]).await
        } else {
            let admin = self.admin.insecure_clone();
            self.send(&[ix], &[&admin]).await
        }
    }

    /// The group's state.
    pub async fn group_state(&mut self) -> Group {
        let data = self.account(&self.group.clone()).await.unwrap().data;
        margin_sdk::accounts::group(&data).unwrap()
    }

    /// Moves the clock to `unix_timestamp`.
    pub fn set_clock(&mut self, unix_timestamp: i64) {
        self.chain.set_clock(unix_timestamp, self.nonce + 10);
        self.now = unix_timestamp;
    }

    /// Advances the clock by `seconds`.
    pub fn advance(&mut self, seconds: i64) {
        self.set_clock(self.now + seconds);
    }

    /// Sends one legacy transaction (payer + `signers`), unique by a compute-unit price nonce.
    pub async fn send(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> Result<(), Failure> {
        self.send_with_tables(instructions, &[], signers).await
    }

    /// The one send path: a legacy transaction without `tables`, v0 with them; the compute limit and a unique
    /// compute-unit price first. Keeps the logs (events) of the transaction.
    pub async fn send_with_tables(
        &mut self,
        instructions: &[Instruction],
        tables: &[AddressLookupTableAccount],
        signers: &[&Keypair],
    ) -> Result<(), Failure> {
        let transaction = self.signed(instructions, tables, signers);
        self.send_versioned(transaction).await
    }

    /// A signed transaction as [`Env::send_with_tables`] sends it (for size checks).
    pub fn signed(
        &mut self,
        instructions: &[Instruction],
        tables: &[AddressLookupTableAccount],
        signers: &[&Keypair],
    ) -> VersionedTransaction {
        self.nonce += 1;
        let mut all = vec![
            margin_sdk::transaction::compute_unit_limit(1_400_000),
            margin_sdk::transaction::compute_unit_price(self.nonce),
        ];
        all.extend_from_slice(instructions);
        let payer = self.chain.context.payer.insecure_clone();
        let blockhash = self.chain.context.last_blockhash;
        margin_sdk::transaction::signed_transaction(&payer, &all, tables, signers, blockhash).unwrap()
    }

    /// Sends a signed transaction.
    pub async fn send_versioned(&mut self, transaction: VersionedTransaction) -> Result<(), Failure> {
        let sent = self.chain.send(transaction).await.map_err(|error| Failure::Transaction(error.to_string()))?;
        self.last_logs = sent.logs;
        sent.result.map_err(Failure::of)
    }

    /// The events of type `E` the last transaction emitted.
    pub fn events<E: anchor_lang::AnchorDeserialize + anchor_lang::Discriminator>(&self) -> Vec<E> {
        margin_sdk::events::decode(&self.last_logs)
    }

    /// Writes an account directly.
    pub fn set_account(&mut self, address: &Pubkey, account: Account) {
        self.chain.set_account(address, account);
    }

    /// Reads an account.
    pub async fn account(&mut self, address: &Pubkey) -> Option<Account> {
        self.chain.account(address).await.unwrap()
    }

    /// A new funded keypair.
    pub async fn funded_keypair(&mut self) -> Keypair {
        let keypair = Keypair::new();
        self.set_account(&keypair.pubkey(), Account { lamports: 100_000_000_000, ..Account::default() });
        keypair
    }

    /// A new SPL Token mint with `decimals`, the payer its authority.
    pub async fn create_mint(&mut self, decimals: u8) -> Pubkey {
        let mint = Keypair::new();
        let payer = self.payer();
        let rent = self.chain.context.banks_client.get_rent().await.unwrap();
        let create = anchor_lang::solana_program::system_instruction::create_account(
            &payer,
            &mint.pubkey(),
            rent.minimum_balance(spl_token::state::Mint::LEN),
            spl_token::state::Mint::LEN as u64,
            &spl_token::ID,
        );
        let init =
            spl_token::instruction::initialize_mint2(&spl_token::ID, &mint.pubkey(), &payer, None, decimals).unwrap();
        self.send(&[create, init], &[&mint]).await.unwrap();
        mint.pubkey()
    }

    /// A new token account of `mint` owned by `owner`.
    pub async fn create_token_account(&mut self, owner: &Pubkey, mint: &Pubkey) -> Pubkey {
        let account = Keypair::new();
        let payer = self.payer();
        let rent = self.chain.context.banks_client.get_rent().await.unwrap();
        let create = anchor_lang::solana_program::system_instruction::create_account(
            &payer,
            &account.pubkey(),
            rent.minimum_balance(spl_token::state::Account::LEN),
            spl_token::state::Account::LEN as u64,
            &spl_token::ID,
        );
        let init = spl_token::instruction::initialize_account3(&spl_token::ID, &account.pubkey(), mint, owner).unwrap();
        self.send(&[create, init], &[&account]).await.unwrap();
        account.pubkey()
    }

    /// Mints `amount` native units of `mint` to `account`.
    pub async fn mint_to(&mut self, mint: &Pubkey, account: &Pubkey, amount: u64) {
        let payer = self.payer();
        let ix = spl_token::instruction::mint_to(&spl_token::ID, mint, account, &payer, &[], amount).unwrap();
        self.send(&[ix], &[]).await.unwrap();
    }

    /// A token account's balance, native units.
    pub async fn balance(&mut self, account: &Pubkey) -> u64 {
        let data = self.account(account).await.unwrap().data;
        spl_token::state::Account::unpack(&data).unwrap().amount
    }

    /// A new token account of the bank's mint for `owner`, funded with `amount`.
    pub async fn funded_token_account(&mut self, owner: &Pubkey, bank: &BankKeys, amount: u64) -> Pubkey {
        let account = self.create_token_account(owner, &bank.mint).await;
        if amount > 0 {
            self.mint_to(&bank.mint, &account, amount).await;
        }
        account
    }

    /// Writes `update` into `address`.
    pub fn set_price_account(&mut self, address: &Pubkey, update: &PriceUpdate) {
        let account = update.account(*address);
        self.set_account(address, account);
    }

    /// Sets a bank's price to `dollars_e8 ± conf_e8` (10^-8 USD), published now.
    pub fn set_price(&mut self, bank: &BankKeys, dollars_e8: i64, conf_e8: u64) {
        let update = PriceUpdate::new(bank.feed_id, dollars_e8, conf_e8, self.now);
        self.set_price_account(&bank.price_account, &update);
    }

    /// Lists a new mint with `decimals` at `dollars_e8 ± conf_e8`, with `config`'s parameters.
    pub async fn add_bank(
        &mut self,
        decimals: u8,
        dollars_e8: i64,
        conf_e8: u64,
        config: BankConfig,
    ) -> Result<BankKeys, Failure> {
        let mint = self.create_mint(decimals).await;
        let price_account = Pubkey::new_unique();
        let feed_id = config.feed_id;
        self.set_price_account(&price_account, &PriceUpdate::new(feed_id, dollars_e8, conf_e8, self.now));
        self.add_bank_with(mint, price_account, config).await
    }

    /// `add_bank` for an existing SPL Token mint and price account.
    pub async fn add_bank_with(
        &mut self,
        mint: Pubkey,
        price_account: Pubkey,
        config: BankConfig,
    ) -> Result<BankKeys, Failure> {
        self.add_bank_for_program(mint, price_account, config, spl_token::ID).await
    }

    /// `add_bank` for a mint of `token_program` (SPL Token or Token-2022).
    pub async fn add_bank_for_program(
        &mut self,
        mint: Pubkey,
        price_account: Pubkey,
        config: BankConfig,
        token_program: Pubkey,
    ) -> Result<BankKeys, Failure> {
        let BankAddresses { bank, vault, insurance_vault, .. } =
            BankAddresses::derive(&self.group, &mint, &token_program, &price_account);
        // Proposed one timelock delay ago, so that the listing executes now and the clock stays put.
        let now = self.now;
        let delay = i64::from(self.group_state().await.governance.timelock_delay_seconds);
        self.set_clock(now - delay);
        let proposal = self.propose_listing(mint, price_account, config).await;
        self.set_clock(now);
        self.execute_listing(&proposal?, mint, price_account, token_program).await?;
        let mint_data = self.account(&mint).await.unwrap().data;
        let decimals = anchor_spl::token_2022::spl_token_2022::extension::StateWithExtensions::<
            anchor_spl::token_2022::spl_token_2022::state::Mint,
        >::unpack(&mint_data)
        .unwrap()
        .base
        .decimals;
        Ok(BankKeys {
            bank,
            mint,
            vault,
            insurance_vault,
            price_account,
            feed_id: config.feed_id,
            decimals,
            token_program,
        })
    }

    /// The margin account PDA of `owner` at `index`.
    pub fn account_address(&self, owner: &Pubkey, index: u16) -> Pubkey {
        margin::seeds::address::margin_account(&self.group, owner, index)
    }

    /// Opens `owner`'s account `index` of `kind` (0 cross, 1 isolated).
    pub async fn open_account(&mut self, owner: &Keypair, index: u16, kind: u8) -> Result<Pubkey, Failure> {
        let account = self.account_address(&owner.pubkey(), index);
        let ix = build::open_account(&owner.pubkey(), &self.group, index, AccountKind::Cross);
        // Any other kind byte as given: the program must refuse it by name.
        let ix = Instruction { data: [&ix.data[..ix.data.len() - 1], &[kind]].concat(), ..ix };
        self.send(&[ix], &[owner]).await?;
        Ok(account)
    }

    /// A bank's state.
    pub async fn bank_state(&mut self, bank: &Pubkey) -> Bank {
        margin_sdk::accounts::bank(&self.account(bank).await.unwrap().data).unwrap()
    }

    /// A margin account's state.
    pub async fn account_state(&mut self, account: &Pubkey) -> MarginAccount {
        margin_sdk::accounts::margin_account(&self.account(account).await.unwrap().data).unwrap()
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

    /// Remaining accounts of `resolve_bankruptcy` (the SDK's): every used position's bank, in order, writable.
    pub async fn position_banks(&mut self, account: &Pubkey) -> Vec<AccountMeta> {
        margin_sdk::accounts::bankruptcy_accounts(&self.account_state(account).await)
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
        let addresses = bank.addresses();
        let ix = build::deposit(&self.token_action(&owner.pubkey(), account, &addresses, from), amount);
        self.send_token_action(owner, ix, bank).await
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
        let addresses = bank.addresses();
        let ix = build::repay(&self.token_action(&owner.pubkey(), account, &addresses, from), amount, repay_all);
        self.send_token_action(owner, ix, bank).await
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
        let health = self.health_accounts_after(account, bank).await;
        let addresses = bank.addresses();
        let ix = build::withdraw(&self.token_action(&owner.pubkey(), account, &addresses, to), amount, health);
        self.send_token_action(owner, ix, bank).await
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
        let health = self.health_accounts_after(account, bank).await;
        let addresses = bank.addresses();
        let ix = build::borrow(&self.token_action(&owner.pubkey(), account, &addresses, to), amount, health);
        self.send_token_action(owner, ix, bank).await
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

    /// Sends one token action signed by `owner`, then checks invariant 1 on its bank.
    async fn send_token_action(&mut self, owner: &Keypair, ix: Instruction, bank: &BankKeys) -> Result<(), Failure> {
        self.send(&[ix], &[owner]).await?;
        self.assert_vault_covers(bank).await;
        Ok(())
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

    /// Invariant 1 of DESIGN.md for one bank, checked by every action wrapper above after each success: vault = Σ deposits − Σ borrows + fees owed to insurance + dust,
    /// with dust ≥ 0 (and small: the share roundings of the operations so far).
    pub async fn assert_vault_covers(&mut self, bank: &BankKeys) {
        let state = self.bank_state(&bank.bank).await;
        let vault = self.balance(&bank.vault).await as i128;
        let totals = state.totals();
        let deposits = totals.deposit_tokens().unwrap() as i128;
        let borrows = totals.borrow_tokens().unwrap() as i128;
        let dust = vault - (deposits - borrows + state.pending_insurance_fees as i128);
        assert!(
            dust >= 0,
            "vault {vault} short of deposits {deposits} − borrows {borrows} + fees {}",
            state.pending_insurance_fees
        );
        assert!(dust <= 1_000, "vault {vault} holds {dust} more than it owes: accounting lost track");
    }
}

/// The test group's governance: a 2-day timelock, proposals live 7 days; weights ±5 pp, rates ±10 pp, caps
/// and limits ×2 per change, a day between changes of a bank; pauses of at most 6 hours, 2 per rolling day.
pub fn governance_settings() -> GovernanceSettings {
    GovernanceSettings {
        timelock_delay_seconds: 2 * 86_400,
        proposal_lifetime_seconds: 7 * 86_400,
        max_weight_step_bps: 500,
        max_rate_step_bps: 1_000,
        max_growth_bps: 20_000,
        min_change_interval_seconds: 86_400,
        max_pause_seconds: 6 * 3_600,
        max_pauses_per_day: 2,
    }
}

/// SOL-like parameters: weights 0.8/0.9 asset, 1.2/1.1 liability; k 2/1; bonus 2–8 %, fee 1 %.
pub fn volatile_params() -> BankParams {
    BankParams {
        max_age_seconds: 60,
        max_conf_open_bps: 200,
        max_conf_liquidation_bps: 500,
        conf_multiplier_init_bps: 20_000,
        conf_multiplier_maint_bps: 10_000,
        max_conf_discount_bps: 1_000,
        init_asset_weight_bps: 8_000,
        maint_asset_weight_bps: 9_000,
        init_liability_weight_bps: 12_000,
        maint_liability_weight_bps: 11_000,
        min_bonus_bps: 200,
        max_bonus_bps: 800,
        insurance_fee_bps: 100,
        protocol_fee_bps: 1_000,
        max_utilization_bps: 9_000,
        curve: [0, 5_000, 400, 8_000, 1_000, 10_000],
        deposit_cap: u64::MAX / 4,
        borrow_cap: u64::MAX / 4,
        dust_threshold: 0,
        status: 0,
    }
}

/// USDC-like parameters: weights 0.95/0.98 asset, 1.05/1.02 liability.
pub fn stable_params() -> BankParams {
    BankParams {
        init_asset_weight_bps: 9_500,
        maint_asset_weight_bps: 9_800,
        init_liability_weight_bps: 10_500,
        maint_liability_weight_bps: 10_200,
        max_bonus_bps: 100,
        min_bonus_bps: 50,
        insurance_fee_bps: 0,
        ..volatile_params()
    }
}

/// A SOL-like listing on feed `[feed_byte; 32]`.
pub fn volatile_config(feed_byte: u8) -> BankConfig {
    BankConfig { feed_id: [feed_byte; 32], isolated_only: false, params: volatile_params() }
}

/// A USDC-like listing on feed `[feed_byte; 32]`.
pub fn stable_config(feed_byte: u8) -> BankConfig {
    BankConfig { params: stable_params(), ..volatile_config(feed_byte) }
}

/// `config` with its parameters changed by `change`.
pub fn with_params(mut config: BankConfig, change: impl FnOnce(&mut BankParams)) -> BankConfig {
    change(&mut config.params);
    config
}

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

impl Env {
    /// Writes an active address lookup table holding `addresses` at a new address.
    pub fn create_lookup_table(&mut self, addresses: &[Pubkey]) -> Pubkey {
        use solana_address_lookup_table_interface::state::{AddressLookupTable, LookupTableMeta};
        let table = Pubkey::new_unique();
        let meta = LookupTableMeta { authority: Some(self.payer()), ..LookupTableMeta::default() };
        let data = AddressLookupTable { meta, addresses: std::borrow::Cow::Borrowed(addresses) }
            .serialize_for_tests()
            .unwrap();
        let account = Account {
            lamports: 1_000_000_000,
            data,
            owner: solana_address_lookup_table_interface::program::ID,
            executable: false,
            rent_epoch: 0,
        };
        self.set_account(&table, account);
        table
    }
}

impl Env {
    /// A new Token-2022 mint with `extensions` initialised (authorities: the payer), then the mint itself.
    pub async fn create_mint_2022(
        &mut self,
        decimals: u8,
        extensions: &[anchor_spl::token_2022::spl_token_2022::extension::ExtensionType],
    ) -> Pubkey {
        use anchor_spl::token_2022::spl_token_2022::{self as token_2022, extension::ExtensionType};
        let mint = Keypair::new();
        let payer = self.payer();
        let size = ExtensionType::try_calculate_account_len::<token_2022::state::Mint>(extensions).unwrap();
        let rent = self.chain.context.banks_client.get_rent().await.unwrap();
        let program = anchor_spl::token_2022::ID;
        let mut instructions = vec![anchor_lang::solana_program::system_instruction::create_account(
            &payer,
            &mint.pubkey(),
            rent.minimum_balance(size),
            size as u64,
            &program,
        )];
        for extension in extensions {
            let ix = match extension {
                ExtensionType::TransferFeeConfig => {
                    token_2022::extension::transfer_fee::instruction::initialize_transfer_fee_config(
                        &program,
                        &mint.pubkey(),
                        Some(&payer),
                        Some(&payer),
                        100,
                        u64::MAX,
                    )
                }
                ExtensionType::PermanentDelegate => {
                    token_2022::instruction::initialize_permanent_delegate(&program, &mint.pubkey(), &payer)
                }
                ExtensionType::MetadataPointer => token_2022::extension::metadata_pointer::instruction::initialize(
                    &program,
                    &mint.pubkey(),
                    Some(payer),
                    Some(mint.pubkey()),
                ),
                other => panic!("no initialiser for {other:?} in the harness"),
            };
            instructions.push(ix.unwrap());
        }
        instructions
            .push(token_2022::instruction::initialize_mint2(&program, &mint.pubkey(), &payer, None, decimals).unwrap());
        self.send(&instructions, &[&mint]).await.unwrap();
        mint.pubkey()
    }
}
