//! Events in natively run tests. On chain, `emit!` writes "Program data: <base64>" into the transaction's
//! logs; program-test's native syscall stubs print it to stdout instead. [`capture_events`] wraps those
//! stubs so each event goes into the log of the transaction that emitted it, as "Program log: event:
//! <hex>"; [`decode`] reads the events of one type back from a transaction's logs.
use anchor_lang::{AnchorDeserialize, Discriminator};
use solana_sdk::account_info::AccountInfo;
use solana_sdk::entrypoint::ProgramResult;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;
use solana_sysvar::program_stubs::{set_syscall_stubs, SyscallStubs};
use std::sync::Once;

const PREFIX: &str = "Program log: event: ";

/// program-test's stubs, with `sol_log_data` routed into the transaction log.
struct EventLog {
    inner: Box<dyn SyscallStubs>,
}

/// Installs the event-capturing stubs once per test binary (after program-test installed its own).
pub fn capture_events() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let placeholder: Box<dyn SyscallStubs> = Box::new(Placeholder);
        let inner = set_syscall_stubs(placeholder);
        set_syscall_stubs(Box::new(EventLog { inner }));
    });
}

struct Placeholder;
impl SyscallStubs for Placeholder {}

/// The events of type `E` in `logs`, in order.
pub fn decode<E: AnchorDeserialize + Discriminator>(logs: &[String]) -> Vec<E> {
    logs.iter()
        .filter_map(|line| line.strip_prefix(PREFIX))
        .map(|hex| (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect())
        .filter_map(|bytes: Vec<u8>| {
            let body = bytes.strip_prefix(E::DISCRIMINATOR)?;
            Some(E::deserialize(&mut &body[..]).unwrap())
        })
        .collect()
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
