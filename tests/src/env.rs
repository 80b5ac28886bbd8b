//! One test environment: a group, banks with SPL Token mints and Pyth prices, traders and a clock. Built on
//! margin-sdk: its in-process chain, instruction builders, remaining-account packing and transactions.
use margin::state::{Bank, GovernanceSettings, Group, MarginAccount};
use margin_sdk::addresses::BankAddresses;
use margin_sdk::chain::{Chain, ProgramTestChain};
use margin_sdk::instructions as build;
use solana_program_test::processor;
use solana_sdk::account::Account;
use solana_sdk::instruction::{Instruction, InstructionError};
use solana_sdk::message::AddressLookupTableAccount;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::{TransactionError, VersionedTransaction};

use crate::fixtures::governance_settings;

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
    /// The fallback price account (a Switchboard pull feed) once governance has set one.
    pub fallback_price_account: Option<Pubkey>,
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
            fallback_price_account: self.fallback_price_account,
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

/// Appends a refusal's code to the file `MARGIN_ERRORS_SEEN` names, when it is set: `tests/coverage.sh` checks
/// that the tests reach every error variant.
fn record_refusal(code: u32) {
    use std::io::Write;
    if let Some(path) = std::env::var_os("MARGIN_ERRORS_SEEN") {
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
        writeln!(file, "{code}").unwrap();
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
    /// The margin account liquidations built by the harness pass to receive collateral as a deposit when
    /// the vault is short (`None`: pass none).
    pub receive_account: Option<Pubkey>,
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
            receive_account: None,
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
        // A fresh blockhash: program-test registers one every slot, so a long test outlives the first.
        self.chain.latest_blockhash().await.map_err(|error| Failure::Transaction(error.to_string()))?;
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

    /// Runs `instructions` without committing them (a dry run): their outcome, as [`Env::send`] reports it.
    pub async fn simulate(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> Result<(), Failure> {
        self.chain.latest_blockhash().await.map_err(|error| Failure::Transaction(error.to_string()))?;
        let transaction = self.signed(instructions, &[], signers);
        let sent = self.chain.simulate(transaction).await.map_err(|error| Failure::Transaction(error.to_string()))?;
        sent.result.map_err(Failure::of)
    }

    /// Sends a signed transaction.
    pub async fn send_versioned(&mut self, transaction: VersionedTransaction) -> Result<(), Failure> {
        let sent = self.chain.send(transaction).await.map_err(|error| Failure::Transaction(error.to_string()))?;
        self.last_logs = sent.logs;
        let result = sent.result.map_err(Failure::of);
        if let Err(Failure::Custom(code)) = &result {
            record_refusal(*code);
        }
        result
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

    /// A bank's state.
    pub async fn bank_state(&mut self, bank: &Pubkey) -> Bank {
        margin_sdk::accounts::bank(&self.account(bank).await.unwrap().data).unwrap()
    }

    /// A margin account's state.
    pub async fn account_state(&mut self, account: &Pubkey) -> MarginAccount {
        margin_sdk::accounts::margin_account(&self.account(account).await.unwrap().data).unwrap()
    }
}
