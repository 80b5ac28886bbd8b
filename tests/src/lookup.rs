//! Address lookup tables written directly into the in-process chain (for v0 transactions).
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;

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
