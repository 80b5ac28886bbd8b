#![allow(deprecated)] // program-test marks its API "unstable" from v4; pinned at 3.1.12 here.
//! The in-process chain: solana-program-test with the margin program run natively (SPL Token and Token-2022
//! are program-test's built-in real programs). Events: the native syscall stubs would print them to stdout;
//! [`capture_events`] routes each into its transaction's log as "Program log: event: <hex>", where
//! [`crate::events`] reads it.
use std::sync::Once;

use anchor_lang::prelude::Pubkey;
use anchor_spl::token::spl_token;
use solana_program_test::{processor, ProgramTest, ProgramTestContext};
use solana_sdk::account::Account;
use solana_sdk::account_info::AccountInfo;
use solana_sdk::entrypoint::ProgramResult;
use solana_sdk::hash::Hash;
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::sysvar::clock::Clock;
use solana_sdk::transaction::VersionedTransaction;
use solana_sysvar::program_stubs::{set_syscall_stubs, SyscallStubs};

use super::{Chain, Sent};
use crate::SdkError;

/// Anchor's generated entry takes one `'info` for all three arguments; program-test's processor is
/// higher-ranked. Leaked copies give the arguments one common lifetime (AccountInfo clones share data).
fn process_instruction(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let program_id = Box::leak(Box::new(*program_id));
    let accounts = Box::leak(accounts.to_vec().into_boxed_slice());
    let data = Box::leak(data.to_vec().into_boxed_slice());
    margin::entry(program_id, accounts, data)
}

/// A program-test with the margin program (native); add other programs before starting it.
pub fn margin_program_test() -> ProgramTest {
    let mut program_test = ProgramTest::new("margin", margin::ID, processor!(process_instruction));
    program_test.prefer_bpf(false);
    program_test
}

/// A started in-process chain.
pub struct ProgramTestChain {
    /// program-test's context: payer, banks client, clock and account overrides.
    pub context: ProgramTestContext,
    /// Makes each transaction [`ProgramTestChain::send_instructions`] builds unique (its compute-unit price).
    nonce: u64,
}

impl ProgramTestChain {
    /// Starts `program_test` (from [`margin_program_test`]) and routes events into transaction logs.
    pub async fn start(program_test: ProgramTest) -> ProgramTestChain {
        let context = program_test.start_with_context().await;
        capture_events();
        ProgramTestChain { context, nonce: 0 }
    }

    /// The fee payer (funded by program-test).
    pub fn payer(&self) -> Keypair {
        self.context.payer.insecure_clone()
    }

    /// Sends `instructions` (after a compute limit of 1.4M CU and a unique compute-unit price) in a legacy
    /// transaction signed by the payer and `signers`.
    pub async fn send_instructions(
        &mut self,
        instructions: &[Instruction],
        signers: &[&Keypair],
    ) -> Result<Sent, SdkError> {
        self.nonce += 1;
        let mut all =
            vec![crate::transaction::compute_unit_limit(1_400_000), crate::transaction::compute_unit_price(self.nonce)];
        all.extend_from_slice(instructions);
        let payer = self.context.payer.insecure_clone();
        // program-test registers a new recent blockhash every slot (often, with its short test ticks): sign
        // with the latest so that long runs never outlive their blockhash.
        let blockhash = self.latest_blockhash().await?;
        let transaction = crate::transaction::signed_transaction(&payer, &all, &[], signers, blockhash)?;
        self.send(transaction).await
    }

    /// Writes an SPL Token mint with `decimals` (the payer its authority) at a new address: seeding a
    /// simulation without a transaction per mint.
    pub fn write_mint(&mut self, decimals: u8) -> Pubkey {
        let address = Pubkey::new_unique();
        self.set_account(&address, crate::tokens::mint_account(&self.context.payer.pubkey(), decimals, &spl_token::ID));
        address
    }

    /// Writes an SPL Token account of `mint` owned by `owner` holding `amount` native units, at a new address.
    pub fn write_token_account(&mut self, owner: &Pubkey, mint: &Pubkey, amount: u64) -> Pubkey {
        let address = Pubkey::new_unique();
        self.set_account(&address, crate::tokens::token_account(owner, mint, amount, &spl_token::ID));
        address
    }

    /// A token account's balance, native units (SPL Token or Token-2022).
    pub async fn token_balance(&mut self, account: &Pubkey) -> Result<u64, SdkError> {
        let data = self.account(account).await?.ok_or(SdkError::UnknownAccount(*account))?.data;
        let amount = data.get(64..72).ok_or(SdkError::AccountTooShort)?;
        Ok(u64::from_le_bytes(amount.try_into().expect("eight bytes")))
    }

    /// Sets the clock's unix time (and slot).
    pub fn set_clock(&mut self, unix_timestamp: i64, slot: u64) {
        self.context.set_sysvar(&Clock { unix_timestamp, slot, ..Clock::default() });
    }

    /// Writes an account directly (price updates, lookup tables, funded wallets).
    pub fn set_account(&mut self, address: &Pubkey, account: Account) {
        self.context.set_account(address, &account.into());
    }
}

impl Chain for ProgramTestChain {
    async fn account(&mut self, address: &Pubkey) -> Result<Option<Account>, SdkError> {
        self.context.banks_client.get_account(*address).await.map_err(|error| SdkError::Chain(error.to_string()))
    }

    async fn latest_blockhash(&mut self) -> Result<Hash, SdkError> {
        let latest = self.context.banks_client.get_latest_blockhash().await;
        self.context.last_blockhash = latest.map_err(|error| SdkError::Chain(error.to_string()))?;
        Ok(self.context.last_blockhash)
    }

    async fn unix_timestamp(&mut self) -> Result<i64, SdkError> {
        let clock: Clock =
            self.context.banks_client.get_sysvar().await.map_err(|error| SdkError::Chain(error.to_string()))?;
        Ok(clock.unix_timestamp)
    }

    async fn slot(&mut self) -> Result<u64, SdkError> {
        let clock: Clock =
            self.context.banks_client.get_sysvar().await.map_err(|error| SdkError::Chain(error.to_string()))?;
        Ok(clock.slot)
    }

    async fn send(&mut self, transaction: VersionedTransaction) -> Result<Sent, SdkError> {
        let outcome = self.context.banks_client.process_transaction_with_metadata(transaction).await;
        let outcome = outcome.map_err(|error| SdkError::Chain(error.to_string()))?;
        let units_consumed = outcome.metadata.as_ref().map(|metadata| metadata.compute_units_consumed);
        let logs = outcome.metadata.map(|metadata| metadata.log_messages).unwrap_or_default();
        Ok(Sent { logs, result: outcome.result, units_consumed })
    }

    async fn simulate(&mut self, transaction: VersionedTransaction) -> Result<Sent, SdkError> {
        let outcome = self.context.banks_client.simulate_transaction(transaction).await;
        let outcome = outcome.map_err(|error| SdkError::Chain(error.to_string()))?;
        let units_consumed = outcome.simulation_details.as_ref().map(|details| details.units_consumed);
        let logs = outcome.simulation_details.map(|details| details.logs).unwrap_or_default();
        let result = outcome.result.unwrap_or(Ok(()));
        Ok(Sent { logs, result, units_consumed })
    }
}

/// program-test's stubs, with `sol_log_data` routed into the transaction log.
struct EventLog {
    inner: Box<dyn SyscallStubs>,
}

struct Placeholder;
impl SyscallStubs for Placeholder {}

/// Installs the event-capturing stubs once per process (after program-test installed its own).
pub fn capture_events() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let placeholder: Box<dyn SyscallStubs> = Box::new(Placeholder);
        let inner = set_syscall_stubs(placeholder);
        set_syscall_stubs(Box::new(EventLog { inner }));
    });
}

impl SyscallStubs for EventLog {
    fn sol_log_data(&self, fields: &[&[u8]]) {
        let hex: String = fields.concat().iter().map(|byte| format!("{byte:02x}")).collect();
        self.inner.sol_log(&format!("event: {hex}"));
    }
    fn sol_log(&self, message: &str) {
        self.inner.sol_log(message)
    }
    fn sol_log_compute_units(&self) {
        self.inner.sol_log_compute_units()
    }
    fn sol_remaining_compute_units(&self) -> u64 {
        self.inner.sol_remaining_compute_units()
    }
    fn sol_invoke_signed(&self, instruction: &Instruction, infos: &[AccountInfo], seeds: &[&[&[u8]]]) -> ProgramResult {
        self.inner.sol_invoke_signed(instruction, infos, seeds)
    }
    fn sol_get_sysvar(&self, id: *const u8, var: *mut u8, offset: u64, length: u64) -> u64 {
        self.inner.sol_get_sysvar(id, var, offset, length)
    }
    fn sol_get_clock_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_clock_sysvar(var)
    }
    fn sol_get_epoch_schedule_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_epoch_schedule_sysvar(var)
    }
    fn sol_get_fees_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_fees_sysvar(var)
    }
    fn sol_get_rent_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_rent_sysvar(var)
    }
    fn sol_get_epoch_rewards_sysvar(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_epoch_rewards_sysvar(var)
    }
    fn sol_get_last_restart_slot(&self, var: *mut u8) -> u64 {
        self.inner.sol_get_last_restart_slot(var)
    }
    fn sol_get_epoch_stake(&self, vote_address: *const u8) -> u64 {
        self.inner.sol_get_epoch_stake(vote_address)
    }
    unsafe fn sol_memcpy(&self, dst: *mut u8, src: *const u8, n: usize) {
        unsafe { self.inner.sol_memcpy(dst, src, n) }
    }
    unsafe fn sol_memmove(&self, dst: *mut u8, src: *const u8, n: usize) {
        unsafe { self.inner.sol_memmove(dst, src, n) }
    }
    unsafe fn sol_memcmp(&self, s1: *const u8, s2: *const u8, n: usize, result: *mut i32) {
        unsafe { self.inner.sol_memcmp(s1, s2, n, result) }
    }
    unsafe fn sol_memset(&self, s: *mut u8, c: u8, n: usize) {
        unsafe { self.inner.sol_memset(s, c, n) }
    }
    fn sol_get_return_data(&self) -> Option<(Pubkey, Vec<u8>)> {
        self.inner.sol_get_return_data()
    }
    fn sol_set_return_data(&self, data: &[u8]) {
        self.inner.sol_set_return_data(data)
    }
    fn sol_get_processed_sibling_instruction(&self, index: usize) -> Option<Instruction> {
        self.inner.sol_get_processed_sibling_instruction(index)
    }
    fn sol_get_stack_height(&self) -> u64 {
        self.inner.sol_get_stack_height()
    }
}
