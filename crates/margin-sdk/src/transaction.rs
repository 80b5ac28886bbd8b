//! Transactions: compute-budget instructions, and legacy or v0 transactions (with address lookup tables for
//! accounts of many positions: a 16-position liquidation names about 50 accounts, past a legacy
//! transaction's 1,232 bytes).
use anchor_lang::prelude::Pubkey;
use solana_sdk::hash::Hash;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::{v0, AddressLookupTableAccount, Message, VersionedMessage};
use solana_sdk::signature::Keypair;
use solana_sdk::signer::SignerError;
use solana_sdk::transaction::VersionedTransaction;

use crate::addresses::BankAddresses;
use crate::SdkError;

/// The compute-budget program.
pub const COMPUTE_BUDGET_PROGRAM: Pubkey = Pubkey::from_str_const("ComputeBudget111111111111111111111111111111");

/// `SetComputeUnitLimit(units)`.
pub fn compute_unit_limit(units: u32) -> Instruction {
    let mut data = vec![2];
    data.extend_from_slice(&units.to_le_bytes());
    Instruction { program_id: COMPUTE_BUDGET_PROGRAM, accounts: vec![], data }
}

/// `SetComputeUnitPrice(micro_lamports)` per CU: the priority fee.
pub fn compute_unit_price(micro_lamports: u64) -> Instruction {
    let mut data = vec![3];
    data.extend_from_slice(&micro_lamports.to_le_bytes());
    Instruction { program_id: COMPUTE_BUDGET_PROGRAM, accounts: vec![], data }
}

/// A signed transaction of `instructions`, paid by `payer` (signing first), legacy when `tables` is empty
/// and v0 with those lookup tables otherwise.
pub fn signed_transaction(
    payer: &Keypair,
    instructions: &[Instruction],
    tables: &[AddressLookupTableAccount],
    signers: &[&Keypair],
    blockhash: Hash,
) -> Result<VersionedTransaction, SdkError> {
    use solana_sdk::signature::Signer;
    let message = if tables.is_empty() {
        VersionedMessage::Legacy(Message::new_with_blockhash(instructions, Some(&payer.pubkey()), &blockhash))
    } else {
        let compiled = v0::Message::try_compile(&payer.pubkey(), instructions, tables, blockhash)
            .map_err(|error| SdkError::Chain(format!("compiling the v0 message: {error}")))?;
        VersionedMessage::V0(compiled)
    };
    let mut keys: Vec<&Keypair> = vec![payer];
    keys.extend(signers.iter().filter(|signer| signer.pubkey() != payer.pubkey()));
    VersionedTransaction::try_new(message, &keys).map_err(|error: SignerError| SdkError::Chain(error.to_string()))
}

/// The addresses worth a lookup table for instructions on an account over `banks`: each bank, its mint,
/// vaults, price accounts and token program, and the programs every margin transaction names.
pub fn lookup_table_addresses(group: &Pubkey, banks: &[BankAddresses]) -> Vec<Pubkey> {
    let mut addresses = vec![margin::ID, *group, COMPUTE_BUDGET_PROGRAM];
    for bank in banks {
        let named = [bank.bank, bank.mint, bank.vault, bank.insurance_vault, bank.price_account, bank.token_program];
        for address in named.into_iter().chain(bank.fallback_price_account) {
            if !addresses.contains(&address) {
                addresses.push(address);
            }
        }
    }
    addresses
}

/// A serialized transaction's size in bytes (the limit is 1,232).
pub fn size(transaction: &VersionedTransaction) -> usize {
    bincode_size(transaction)
}

fn bincode_size(transaction: &VersionedTransaction) -> usize {
    // Signatures (short-vec length + 64 bytes each) + the message's own serialization.
    let signatures = transaction.signatures.len();
    short_vec_len(signatures) + 64 * signatures + transaction.message.serialize().len()
}

fn short_vec_len(value: usize) -> usize {
    match value {
        0..=0x7f => 1,
        0x80..=0x3fff => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_sdk::signature::Signer;

    #[test]
    fn a_sixteen_bank_liquidation_fits_only_as_v0_with_a_lookup_table() {
        let group = Pubkey::new_unique();
        let token = anchor_spl::token::ID;
        let banks: Vec<BankAddresses> = (0..16)
            .map(|_| BankAddresses::derive(&group, &Pubkey::new_unique(), &token, &Pubkey::new_unique()))
            .collect();
        let liquidator = Keypair::new();
        let (account, pay_from, receive_to) = (Pubkey::new_unique(), Pubkey::new_unique(), Pubkey::new_unique());
        let receive_account = Pubkey::new_unique();
        let accounts = crate::instructions::LiquidateAccounts {
            liquidator: &liquidator.pubkey(),
            account: &account,
            group: &group,
            debt: &banks[1],
            collateral: &banks[0],
            pay_from: &pay_from,
            receive_to: &receive_to,
            receive_account: Some(&receive_account),
        };
        let health: Vec<_> = banks
            .iter()
            .flat_map(|bank| {
                [
                    solana_sdk::instruction::AccountMeta::new_readonly(bank.bank, false),
                    solana_sdk::instruction::AccountMeta::new_readonly(bank.price_account, false),
                ]
            })
            .collect();
        let instructions = [compute_unit_limit(400_000), crate::instructions::liquidate(&accounts, u64::MAX, health)];
        let legacy = signed_transaction(&liquidator, &instructions, &[], &[], Hash::default()).unwrap();
        assert!(size(&legacy) > 1_232, "legacy: {} bytes", size(&legacy));
        let table =
            AddressLookupTableAccount { key: Pubkey::new_unique(), addresses: lookup_table_addresses(&group, &banks) };
        assert!(table.addresses.len() <= 256);
        let versioned = signed_transaction(&liquidator, &instructions, &[table], &[], Hash::default()).unwrap();
        assert!(size(&versioned) <= 1_232, "v0: {} bytes", size(&versioned));
        assert!(versioned.verify_with_results().iter().all(|ok| *ok));
    }
}
