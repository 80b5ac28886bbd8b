//! One test environment: a group, banks with SPL Token mints and Pyth prices, traders and a clock.
use anchor_lang::{InstructionData, ToAccountMetas};
use anchor_spl::token::spl_token;
use margin::state::{Bank, BankConfig, BankParams, GovernanceSettings, Group, MarginAccount};
use solana_program_test::{processor, BanksClientError, ProgramTest, ProgramTestContext};
use solana_sdk::account::{Account, AccountSharedData};
use solana_sdk::account_info::AccountInfo;
use solana_sdk::clock::Clock;
use solana_sdk::entrypoint::ProgramResult;
use solana_sdk::instruction::{AccountMeta, Instruction, InstructionError};
use solana_sdk::program_pack::Pack;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{Transaction, TransactionError};

use crate::pyth::PriceUpdate;

/// The clock every environment starts at (unix seconds).
pub const START: i64 = 1_750_000_000;

/// Anchor's generated entry takes one `'info` for all three arguments; program-test's processor is
/// higher-ranked. Leaked copies give the arguments one common lifetime (AccountInfo clones share data).
pub fn process_instruction(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let program_id = Box::leak(Box::new(*program_id));
    let accounts = Box::leak(accounts.to_vec().into_boxed_slice());
    let data = Box::leak(data.to_vec().into_boxed_slice());
    margin::entry(program_id, accounts, data)
}

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

/// The margin program's error code of `error`.
pub fn code(error: margin::errors::MarginError) -> Failure {
    Failure::Custom(anchor_lang::error::ERROR_CODE_OFFSET + error as u32)
}

pub struct Env {
    pub context: ProgramTestContext,
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
        let mut program_test = ProgramTest::new("margin", margin::ID, processor!(process_instruction));
        program_test.prefer_bpf(false);
        program_test.add_program("multisig", crate::multisig::ID, processor!(crate::multisig::process_instruction));
        let context = program_test.start_with_context().await;
        crate::events::capture_events();
        let mut env = Env {
            context,
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
        let group = Self::group_address(group_id);
        let accounts = margin::accounts::InitGroup {
            payer: self.context.payer.pubkey(),
            admin: self.admin_key(),
            group,
            system_program: anchor_lang::system_program::ID,
        };
        let data = margin::instruction::InitGroup {
            args: margin::instructions::InitGroupArgs { group_id, guardian: self.guardian.pubkey(), governance },
        };
        self.send_as_admin(instruction(accounts.to_account_metas(None), data.data())).await?;
        Ok(group)
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
        anchor_lang::AccountDeserialize::try_deserialize(&mut &data[..]).unwrap()
    }

    /// Moves the clock to `unix_timestamp`.
    pub fn set_clock(&mut self, unix_timestamp: i64) {
        let mut clock: Clock = Clock { unix_timestamp, ..Clock::default() };
        clock.slot = self.nonce + 10;
        self.context.set_sysvar(&clock);
        self.now = unix_timestamp;
    }

    /// Advances the clock by `seconds`.
    pub fn advance(&mut self, seconds: i64) {
        self.set_clock(self.now + seconds);
    }

    /// Sends one transaction (payer + `signers`), unique by a compute-unit price nonce.
    pub async fn send(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> Result<(), Failure> {
        self.nonce += 1;
        let mut all = vec![compute_budget_limit(1_400_000), compute_budget_price(self.nonce)];
        all.extend_from_slice(instructions);
        let payer = self.context.payer.insecure_clone();
        let mut keys: Vec<&Keypair> = vec![&payer];
        keys.extend_from_slice(signers);
        let blockhash = self.context.last_blockhash;
        let transaction = Transaction::new_signed_with_payer(&all, Some(&payer.pubkey()), &keys, blockhash);
        let outcome = self.context.banks_client.process_transaction_with_metadata(transaction).await;
        let outcome = outcome.map_err(|error| Failure::Transaction(format!("{error:?}")))?;
        self.last_logs = outcome.metadata.map(|metadata| metadata.log_messages).unwrap_or_default();
        match outcome.result.map_err(BanksClientError::TransactionError) {
            Ok(()) => Ok(()),
            Err(BanksClientError::TransactionError(TransactionError::InstructionError(
                _,
                InstructionError::Custom(code),
            ))) => Err(Failure::Custom(code)),
            Err(BanksClientError::TransactionError(TransactionError::InstructionError(_, error))) => {
                Err(Failure::Instruction(format!("{error:?}")))
            }
            Err(error) => Err(Failure::Transaction(format!("{error:?}"))),
        }
    }

    /// The events of type `E` the last transaction emitted.
    pub fn events<E: anchor_lang::AnchorDeserialize + anchor_lang::Discriminator>(&self) -> Vec<E> {
        crate::events::decode(&self.last_logs)
    }

    /// Writes an account directly.
    pub fn set_account(&mut self, address: &Pubkey, account: Account) {
        self.context.set_account(address, &AccountSharedData::from(account));
    }

    /// Reads an account.
    pub async fn account(&mut self, address: &Pubkey) -> Option<Account> {
        self.context.banks_client.get_account(*address).await.unwrap()
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
        let payer = self.context.payer.pubkey();
        let rent = self.context.banks_client.get_rent().await.unwrap();
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
        let payer = self.context.payer.pubkey();
        let rent = self.context.banks_client.get_rent().await.unwrap();
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
        let payer = self.context.payer.pubkey();
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
        let bank = margin::seeds::address::bank(&self.group, &mint);
        let vault = margin::seeds::address::vault(&bank);
        let insurance_vault = margin::seeds::address::insurance_vault(&bank);
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
        Ok(BankKeys { bank, mint, vault, insurance_vault, price_account, feed_id: config.feed_id, decimals })
    }

    /// The margin account PDA of `owner` at `index`.
    pub fn account_address(&self, owner: &Pubkey, index: u16) -> Pubkey {
        margin::seeds::address::margin_account(&self.group, owner, index)
    }

    /// Opens `owner`'s account `index` of `kind` (0 cross, 1 isolated).
    pub async fn open_account(&mut self, owner: &Keypair, index: u16, kind: u8) -> Result<Pubkey, Failure> {
        let account = self.account_address(&owner.pubkey(), index);
        let accounts = margin::accounts::OpenAccount {
            owner: owner.pubkey(),
            group: self.group,
            account,
            system_program: anchor_lang::system_program::ID,
        };
        let data = margin::instruction::OpenAccount { args: margin::instructions::OpenAccountArgs { index, kind } };
        self.send(&[instruction(accounts.to_account_metas(None), data.data())], &[owner]).await?;
        Ok(account)
    }

    /// A bank's state.
    pub async fn bank_state(&mut self, bank: &Pubkey) -> Bank {
        let data = self.account(bank).await.unwrap().data;
        *bytemuck::from_bytes::<Bank>(&data[8..8 + std::mem::size_of::<Bank>()])
    }

    /// A margin account's state.
    pub async fn account_state(&mut self, account: &Pubkey) -> MarginAccount {
        let data = self.account(account).await.unwrap().data;
        *bytemuck::from_bytes::<MarginAccount>(&data[8..8 + std::mem::size_of::<MarginAccount>()])
    }

    /// Remaining accounts for health: per used position, its bank then the bank's price account.
    pub async fn health_accounts(&mut self, account: &Pubkey) -> Vec<AccountMeta> {
        let state = self.account_state(account).await;
        let mut metas = Vec::new();
        for position in state.used_positions() {
            let bank = self.bank_state(&position.bank).await;
            metas.push(AccountMeta::new_readonly(position.bank, false));
            metas.push(AccountMeta::new_readonly(bank.price_account, false));
        }
        metas
    }

    /// Remaining accounts of `resolve_bankruptcy`: every used position's bank, in order, writable.
    pub async fn position_banks(&mut self, account: &Pubkey) -> Vec<AccountMeta> {
        let state = self.account_state(account).await;
        state.used_positions().map(|position| AccountMeta::new(position.bank, false)).collect()
    }

    /// Moves a bank's protocol fees to its insurance vault (`sweep_fees`, permissionless), then checks
    /// invariant 1 on it.
    pub async fn sweep_fees(&mut self, bank: &BankKeys) -> Result<(), Failure> {
        let accounts = margin::accounts::SweepFees {
            bank: bank.bank,
            vault: bank.vault,
            insurance_vault: bank.insurance_vault,
            mint: bank.mint,
            token_program: spl_token::ID,
        };
        let data = margin::instruction::SweepFees {}.data();
        self.send(&[instruction(accounts.to_account_metas(None), data)], &[]).await?;
        self.assert_vault_covers(bank).await;
        Ok(())
    }

    /// The accounts of deposit / withdraw / borrow / repay.
    pub fn token_action(
        &self,
        owner: &Pubkey,
        account: &Pubkey,
        bank: &BankKeys,
        user_token_account: &Pubkey,
    ) -> Vec<AccountMeta> {
        margin::accounts::TokenAction {
            owner: *owner,
            account: *account,
            group: self.group,
            bank: bank.bank,
            vault: bank.vault,
            mint: bank.mint,
            user_token_account: *user_token_account,
            token_program: spl_token::ID,
        }
        .to_account_metas(None)
    }

    pub async fn deposit(
        &mut self,
        owner: &Keypair,
        account: &Pubkey,
        bank: &BankKeys,
        from: &Pubkey,
        amount: u64,
    ) -> Result<(), Failure> {
        let data = margin::instruction::Deposit { amount }.data();
        self.token_action_send(owner, (account, bank, from), data, false).await
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
        let data = margin::instruction::Repay { args: margin::instructions::RepayArgs { amount, repay_all } }.data();
        self.token_action_send(owner, (account, bank, from), data, false).await
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
        let data = margin::instruction::Withdraw { amount }.data();
        self.token_action_send(owner, (account, bank, to), data, true).await
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
        let data = margin::instruction::Borrow { amount }.data();
        self.token_action_send(owner, (account, bank, to), data, true).await
    }

    /// Sends one token action (with the health accounts when `with_health`), then checks invariant 1 on its bank.
    async fn token_action_send(
        &mut self,
        owner: &Keypair,
        (account, bank, user_token_account): (&Pubkey, &BankKeys, &Pubkey),
        data: Vec<u8>,
        with_health: bool,
    ) -> Result<(), Failure> {
        let mut metas = self.token_action(&owner.pubkey(), account, bank, user_token_account);
        if with_health {
            metas.extend(self.health_accounts_after(account, bank).await);
        }
        self.send(&[instruction(metas, data)], &[owner]).await?;
        self.assert_vault_covers(bank).await;
        Ok(())
    }

    /// Health accounts including `bank` at the end when the account has no position in it yet.
    pub async fn health_accounts_after(&mut self, account: &Pubkey, bank: &BankKeys) -> Vec<AccountMeta> {
        let mut metas = self.health_accounts(account).await;
        if !metas.iter().any(|meta| meta.pubkey == bank.bank) {
            metas.push(AccountMeta::new_readonly(bank.bank, false));
            metas.push(AccountMeta::new_readonly(bank.price_account, false));
        }
        metas
    }

    /// The accounts of `liquidate`, without remaining accounts.
    pub fn liquidate_accounts(
        &self,
        liquidator: &Pubkey,
        account: &Pubkey,
        debt: &BankKeys,
        collateral: &BankKeys,
        pay_from: &Pubkey,
        receive_to: &Pubkey,
    ) -> Vec<AccountMeta> {
        margin::accounts::Liquidate {
            liquidator: *liquidator,
            account: *account,
            group: self.group,
            debt_bank: debt.bank,
            collateral_bank: collateral.bank,
            debt_vault: debt.vault,
            collateral_vault: collateral.vault,
            collateral_insurance_vault: collateral.insurance_vault,
            debt_mint: debt.mint,
            collateral_mint: collateral.mint,
            liquidator_debt_account: *pay_from,
            liquidator_collateral_account: *receive_to,
            debt_token_program: spl_token::ID,
            collateral_token_program: spl_token::ID,
        }
        .to_account_metas(None)
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
        let mut metas = self.liquidate_accounts(&liquidator.pubkey(), account, debt, collateral, pay_from, receive_to);
        metas.extend(self.health_accounts(account).await);
        let data = margin::instruction::Liquidate { args: margin::instructions::LiquidateArgs { max_repay } }.data();
        self.send(&[instruction(metas, data)], &[liquidator]).await?;
        self.assert_vault_covers(debt).await;
        self.assert_vault_covers(collateral).await;
        Ok(())
    }

    pub async fn resolve_bankruptcy(&mut self, account: &Pubkey, bank: &BankKeys) -> Result<(), Failure> {
        let accounts = margin::accounts::ResolveBankruptcy {
            account: *account,
            group: self.group,
            bank: bank.bank,
            vault: bank.vault,
            insurance_vault: bank.insurance_vault,
            mint: bank.mint,
            token_program: spl_token::ID,
        };
        let data = margin::instruction::ResolveBankruptcy {}.data();
        let mut metas = accounts.to_account_metas(None);
        metas.extend(self.position_banks(account).await);
        self.send(&[instruction(metas, data)], &[]).await?;
        self.assert_vault_covers(bank).await;
        Ok(())
    }

    pub async fn accrue_interest(&mut self, bank: &BankKeys) -> Result<(), Failure> {
        let accounts = margin::accounts::AccrueInterest { bank: bank.bank };
        let data = margin::instruction::AccrueInterest {}.data();
        self.send(&[instruction(accounts.to_account_metas(None), data)], &[]).await
    }

    pub async fn close_account(&mut self, owner: &Keypair, account: &Pubkey) -> Result<(), Failure> {
        let accounts = margin::accounts::CloseAccount { owner: owner.pubkey(), account: *account };
        let data = margin::instruction::CloseAccount {}.data();
        self.send(&[instruction(accounts.to_account_metas(None), data)], &[owner]).await
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

/// An instruction of the margin program.
pub fn instruction(accounts: Vec<AccountMeta>, data: Vec<u8>) -> Instruction {
    Instruction { program_id: margin::ID, accounts, data }
}

fn compute_budget_limit(units: u32) -> Instruction {
    let mut data = vec![2];
    data.extend_from_slice(&units.to_le_bytes());
    Instruction { program_id: compute_budget_id(), accounts: vec![], data }
}

fn compute_budget_price(micro_lamports: u64) -> Instruction {
    let mut data = vec![3];
    data.extend_from_slice(&micro_lamports.to_le_bytes());
    Instruction { program_id: compute_budget_id(), accounts: vec![], data }
}

fn compute_budget_id() -> Pubkey {
    "ComputeBudget111111111111111111111111111111".parse().unwrap()
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
    /// The account as margin-risk sees it now, computed client-side from account, bank and price state with
    /// the program's own code (banks accrued to now, the dust rule): what the SDK and the bot will do.
    pub async fn health_view(&mut self, account: &Pubkey) -> Vec<margin_risk::health::HealthPosition> {
        let state = self.account_state(account).await;
        let mut positions = Vec::new();
        for position in state.used_positions() {
            let bank = self.bank_state(&position.bank).await.accrued_to(self.now).unwrap();
            let price_account = self.account(&bank.price_account).await.unwrap();
            let pyth =
                margin::oracle::pyth_price_from(&bank.price_account, &price_account.owner, &price_account.data, &bank)
                    .unwrap();
            let price = margin_risk::price::validate_price(&pyth, &bank.oracle_config(), bank.decimals, self.now);
            positions.push(margin::health_accounts::position_view(position, &bank, price).unwrap());
        }
        positions
    }
}

impl Env {
    /// Writes an active address lookup table holding `addresses` at a new address.
    pub fn create_lookup_table(&mut self, addresses: &[Pubkey]) -> Pubkey {
        use solana_address_lookup_table_interface::state::{AddressLookupTable, LookupTableMeta};
        let table = Pubkey::new_unique();
        let meta = LookupTableMeta { authority: Some(self.context.payer.pubkey()), ..LookupTableMeta::default() };
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

    /// A v0 transaction (compute limit + `instructions`) using `table`, signed by the payer and `signers`.
    pub fn versioned_transaction(
        &mut self,
        instructions: &[Instruction],
        table: (Pubkey, Vec<Pubkey>),
        signers: &[&Keypair],
    ) -> solana_sdk::transaction::VersionedTransaction {
        use solana_sdk::message::{v0, AddressLookupTableAccount, VersionedMessage};
        self.nonce += 1;
        let mut all = vec![compute_budget_limit(1_400_000), compute_budget_price(self.nonce)];
        all.extend_from_slice(instructions);
        let payer = self.context.payer.insecure_clone();
        let lookup = AddressLookupTableAccount { key: table.0, addresses: table.1 };
        let message = v0::Message::try_compile(&payer.pubkey(), &all, &[lookup], self.context.last_blockhash).unwrap();
        let mut keys: Vec<&Keypair> = vec![&payer];
        keys.extend_from_slice(signers);
        solana_sdk::transaction::VersionedTransaction::try_new(VersionedMessage::V0(message), &keys).unwrap()
    }

    /// Sends a v0 transaction.
    pub async fn send_versioned(
        &mut self,
        transaction: solana_sdk::transaction::VersionedTransaction,
    ) -> Result<(), Failure> {
        let outcome = self.context.banks_client.process_transaction_with_metadata(transaction).await;
        let outcome = outcome.map_err(|error| Failure::Transaction(format!("{error:?}")))?;
        self.last_logs = outcome.metadata.map(|metadata| metadata.log_messages).unwrap_or_default();
        match outcome.result.map_err(BanksClientError::TransactionError) {
            Ok(()) => Ok(()),
            Err(BanksClientError::TransactionError(TransactionError::InstructionError(
                _,
                InstructionError::Custom(code),
            ))) => Err(Failure::Custom(code)),
            Err(error) => Err(Failure::Transaction(format!("{error:?}"))),
        }
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
        let payer = self.context.payer.pubkey();
        let size = ExtensionType::try_calculate_account_len::<token_2022::state::Mint>(extensions).unwrap();
        let rent = self.context.banks_client.get_rent().await.unwrap();
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
