//! Address lookup tables written directly into the in-process chain (for v0 transactions).
use solana_sdk::account::Account;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::AddressLookupTableAccount;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::transaction::VersionedTransaction;

use crate::env::Env;

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
    /// A lookup table of every non-signer account of `instruction` (signers and invoked programs stay in the
    /// message), written into the chain.
    pub fn lookup_table_for(&mut self, instruction: &Instruction) -> AddressLookupTableAccount {
        let mut addresses: Vec<Pubkey> =
            instruction.accounts.iter().filter(|meta| !meta.is_signer).map(|meta| meta.pubkey).collect();
        addresses.sort();
        addresses.dedup();
        let key = self.create_lookup_table(&addresses);
        AddressLookupTableAccount { key, addresses }
    }
}

/// A transaction's serialized size in bytes and its account locks (static keys plus looked-up ones): what
/// the 1,232-byte and 64-lock limits apply to.
pub fn size_and_locks(transaction: &VersionedTransaction) -> (usize, usize) {
    let size = bincode::serialize(transaction).expect("a transaction serializes").len();
    let message = &transaction.message;
    let looked_up: usize = message
        .address_table_lookups()
        .unwrap_or_default()
        .iter()
        .map(|lookup| lookup.writable_indexes.len() + lookup.readonly_indexes.len())
        .sum();
    (size, message.static_account_keys().len() + looked_up)
}
