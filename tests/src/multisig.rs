//! A stand-in for a multisig such as Squads: a native program whose PDA is a group's admin and signs the
//! margin instruction it forwards by CPI (`invoke_signed`). Anyone may call it here; a real multisig would
//! first count its members' approvals. It shows every admin instruction works with a PDA signer.
use anchor_lang::solana_program::program::invoke_signed;
use solana_sdk::account_info::AccountInfo;
use solana_sdk::entrypoint::ProgramResult;
use solana_sdk::instruction::{AccountMeta, Instruction};
use solana_sdk::program_error::ProgramError;
use solana_sdk::pubkey::Pubkey;

/// The multisig program's id.
pub const ID: Pubkey = Pubkey::new_from_array([7; 32]);
/// Seed of its admin PDA.
const SEED: &[u8] = b"admin";

/// The PDA that is the group's admin.
pub fn admin_pda() -> Pubkey {
    Pubkey::find_program_address(&[SEED], &ID).0
}

/// Accounts: the target program, then the target instruction's accounts (the PDA among them, unsigned).
/// Data: the target instruction's data. Forwards it with the PDA as a signer.
pub fn process_instruction(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let (pda, bump) = Pubkey::find_program_address(&[SEED], program_id);
    let (target, forwarded) = accounts.split_first().ok_or(ProgramError::NotEnoughAccountKeys)?;
    let metas = forwarded
        .iter()
        .map(|info| AccountMeta {
            pubkey: *info.key,
            is_signer: info.is_signer || *info.key == pda,
            is_writable: info.is_writable,
        })
        .collect();
    let instruction = Instruction { program_id: *target.key, accounts: metas, data: data.to_vec() };
    invoke_signed(&instruction, accounts, &[&[SEED, &[bump]]])
}

/// `ix` (signed by the admin PDA) as a call of the multisig that forwards it.
pub fn wrap(ix: Instruction) -> Instruction {
    let pda = admin_pda();
    let mut accounts = vec![AccountMeta::new_readonly(ix.program_id, false)];
    accounts.extend(
        ix.accounts.into_iter().map(|meta| AccountMeta { is_signer: meta.is_signer && meta.pubkey != pda, ..meta }),
    );
    Instruction { program_id: ID, accounts, data: ix.data }
}
