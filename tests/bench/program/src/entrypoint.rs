//! Raw SBF entrypoint: one input account (the bench input), instruction data `[operation, positions]`.
//! Returns `[result words][part CU]` as return data; a risk error becomes the custom error `1000 + code`.

use crate::{decode, run, Operation};
use solana_define_syscall::definitions::{
    abort, sol_memcpy_, sol_memmove_, sol_memset_, sol_remaining_compute_units, sol_set_return_data,
};

/// Offset of the first account's data length in the serialized input (after the account count, the
/// duplicate/signer/writable/executable bytes and padding, key, owner and lamports).
const FIRST_ACCOUNT_DATA_LEN: usize = 8 + 8 + 32 + 32 + 8;
/// Room the runtime leaves after an account's data for reallocation.
const REALLOC_PADDING: usize = 10 * 1024;

fn remaining_compute_units() -> u64 {
    // SAFETY: a syscall without arguments.
    unsafe { sol_remaining_compute_units() }
}

/// # Safety
/// Called by the runtime with its serialized input.
#[no_mangle]
pub unsafe extern "C" fn entrypoint(input: *mut u8) -> u64 {
    let account_count = core::ptr::read_unaligned(input as *const u64);
    if account_count != 1 {
        return 1;
    }
    let data_len = core::ptr::read_unaligned(input.add(FIRST_ACCOUNT_DATA_LEN) as *const u64) as usize;
    let data = core::slice::from_raw_parts(input.add(FIRST_ACCOUNT_DATA_LEN + 8), data_len);
    let mut offset = FIRST_ACCOUNT_DATA_LEN + 8 + data_len + REALLOC_PADDING;
    offset = (offset + 7) & !7;
    offset += 8; // rent epoch
    let instruction_len = core::ptr::read_unaligned(input.add(offset) as *const u64) as usize;
    let instruction = core::slice::from_raw_parts(input.add(offset + 8), instruction_len);

    let (Some(&operation), Some(&count)) = (instruction.first(), instruction.get(1)) else {
        return 2;
    };
    let Some(operation) = Operation::from_byte(operation) else {
        return 3;
    };
    let Some(bench_input) = decode(data, count as usize) else {
        return 4;
    };
    match run(operation, &bench_input, remaining_compute_units) {
        Ok(output) => {
            let mut bytes = [0u8; 72];
            for (chunk, word) in bytes.chunks_exact_mut(8).zip(output.words[..output.len].iter()) {
                chunk.copy_from_slice(&word.to_le_bytes());
            }
            let end = output.len * 8;
            bytes[end..end + 8].copy_from_slice(&output.part_compute_units.to_le_bytes());
            sol_set_return_data(bytes.as_ptr(), (end + 8) as u64);
            0
        }
        Err(error) => 1_000 + error as u64,
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    // SAFETY: the abort syscall ends the instruction.
    unsafe { abort() }
}

// Upstream LLVM's BPF backend emits calls to these for copies it does not expand into loads and stores; they
// are the runtime's memory syscalls (see sbpf-link.sh).

/// # Safety
/// As C's `memcpy`: `dest` and `src` valid for `n` bytes and not overlapping.
#[no_mangle]
pub unsafe extern "C" fn memcpy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    sol_memcpy_(dest, src, n as u64);
    dest
}

/// # Safety
/// As C's `memmove`: `dest` and `src` valid for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memmove(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    sol_memmove_(dest, src, n as u64);
    dest
}

/// # Safety
/// As C's `memset`: `dest` valid for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memset(dest: *mut u8, value: i32, n: usize) -> *mut u8 {
    sol_memset_(dest, value as u8, n as u64);
    dest
}
