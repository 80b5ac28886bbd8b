//! The program's addresses: PDAs (the program's own derivation, [`margin::seeds::address`]) and the accounts of
//! one bank that instructions name.
use anchor_lang::prelude::Pubkey;
use margin::state::Bank;

pub use margin::seeds::address::{bank, group, insurance_vault, margin_account, proposal, vault};

/// The accounts of one bank that instructions name: the bank, its mint and token program, its two vaults and
/// its pinned Pyth price account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BankAddresses {
    /// The bank PDA.
    pub bank: Pubkey,
    /// The bank's mint.
    pub mint: Pubkey,
    /// SPL Token or Token-2022: the mint's owner.
    pub token_program: Pubkey,
    /// The bank's token vault PDA.
    pub vault: Pubkey,
    /// The bank's insurance vault PDA.
    pub insurance_vault: Pubkey,
    /// The Pyth `PriceUpdateV2` account the bank reads.
    pub price_account: Pubkey,
    /// The bank's fallback price account (a Switchboard pull feed), when it has one: health checks pass it
    /// after the price account.
    pub fallback_price_account: Option<Pubkey>,
}

impl BankAddresses {
    /// The addresses of the bank of `mint` in `group` (before it exists: a listing), all PDAs derived.
    pub fn derive(group: &Pubkey, mint: &Pubkey, token_program: &Pubkey, price_account: &Pubkey) -> BankAddresses {
        let bank = bank(group, mint);
        BankAddresses {
            bank,
            mint: *mint,
            token_program: *token_program,
            vault: vault(&bank),
            insurance_vault: insurance_vault(&bank),
            price_account: *price_account,
            fallback_price_account: None,
        }
    }

    /// The addresses a listed bank at `address` records.
    pub fn of(address: &Pubkey, bank: &Bank) -> BankAddresses {
        BankAddresses {
            bank: *address,
            mint: bank.mint,
            token_program: bank.token_program,
            vault: bank.vault,
            insurance_vault: bank.insurance_vault,
            price_account: bank.price_account,
            fallback_price_account: bank.fallback.is_set().then_some(bank.fallback.price_account),
        }
    }
}

/// The Pyth push-oracle feed account (shard 0) of `feed_id`: the only price account a bank may pin.
pub fn push_feed(feed_id: &[u8; 32]) -> Pubkey {
    margin::oracle::push_feed_address(feed_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_addresses_are_the_programs_pdas() {
        let (group_key, mint, price) = (group(7), Pubkey::new_unique(), Pubkey::new_unique());
        let token = anchor_spl::token::ID;
        let addresses = BankAddresses::derive(&group_key, &mint, &token, &price);
        let seeds: &[&[u8]] = &[margin::seeds::BANK, group_key.as_ref(), mint.as_ref()];
        assert_eq!(addresses.bank, Pubkey::find_program_address(seeds, &margin::ID).0);
        let seeds: &[&[u8]] = &[margin::seeds::VAULT, addresses.bank.as_ref()];
        assert_eq!(addresses.vault, Pubkey::find_program_address(seeds, &margin::ID).0);
        assert_ne!(addresses.vault, addresses.insurance_vault);
        assert_eq!((addresses.mint, addresses.token_program, addresses.price_account), (mint, token, price));
    }
}
