//! Account bytes to the program's state types (discriminator checked), and the remaining accounts the
//! program expects: for a health check, each used position's bank then its price account, in position order;
//! for `resolve_bankruptcy`, each used position's bank, writable.
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::AccountMeta;
use anchor_lang::{AccountDeserialize, Discriminator};
use margin::state::{Bank, Group, MarginAccount, Proposal};

use crate::addresses::BankAddresses;
use crate::SdkError;

/// A zero-copy account's state: the 8-byte discriminator of `T`, then `T`'s bytes (read unaligned).
fn zero_copy<T: bytemuck::Pod + Discriminator>(data: &[u8]) -> Result<T, SdkError> {
    let body = data.strip_prefix(T::DISCRIMINATOR).ok_or(SdkError::WrongAccountType)?;
    let bytes = body.get(..std::mem::size_of::<T>()).ok_or(SdkError::AccountTooShort)?;
    Ok(bytemuck::pod_read_unaligned(bytes))
}

/// A bank's state from its account data.
pub fn bank(data: &[u8]) -> Result<Bank, SdkError> {
    zero_copy(data)
}

/// A margin account's state from its account data.
pub fn margin_account(data: &[u8]) -> Result<MarginAccount, SdkError> {
    zero_copy(data)
}

/// A group's state from its account data.
pub fn group(data: &[u8]) -> Result<Group, SdkError> {
    Group::try_deserialize(&mut &data[..]).map_err(|_| SdkError::WrongAccountType)
}

/// A proposal's state from its account data.
pub fn proposal(data: &[u8]) -> Result<Proposal, SdkError> {
    Proposal::try_deserialize(&mut &data[..]).map_err(|_| SdkError::WrongAccountType)
}

/// Remaining accounts of a health check of `account` as it stands: per used position, its bank, the bank's
/// price account and its fallback price account if it has one (read-only). `bank_of` gives a bank's
/// addresses; a missing one is an error.
pub fn health_accounts(
    account: &MarginAccount,
    bank_of: impl Fn(&Pubkey) -> Option<BankAddresses>,
) -> Result<Vec<AccountMeta>, SdkError> {
    let mut metas = Vec::with_capacity(48);
    for position in account.used_positions() {
        let bank = bank_of(&position.bank).ok_or(SdkError::UnknownBank(position.bank))?;
        metas.extend(bank_health_accounts(&bank));
    }
    Ok(metas)
}

/// One bank's part of the health accounts: the bank, its price account, its fallback price account if any.
pub fn bank_health_accounts(bank: &BankAddresses) -> impl Iterator<Item = AccountMeta> {
    [Some(bank.bank), Some(bank.price_account), bank.fallback_price_account]
        .into_iter()
        .flatten()
        .map(|address| AccountMeta::new_readonly(address, false))
}

/// Remaining accounts of a health check after an action on `bank`: as [`health_accounts`], with `bank`'s
/// accounts appended when the account has no position in it yet (a first borrow takes the next free slot,
/// which is the last used one).
pub fn health_accounts_after(
    account: &MarginAccount,
    bank: &BankAddresses,
    bank_of: impl Fn(&Pubkey) -> Option<BankAddresses>,
) -> Result<Vec<AccountMeta>, SdkError> {
    let mut metas = health_accounts(account, bank_of)?;
    if account.position_index(&bank.bank).is_none() {
        metas.extend(bank_health_accounts(bank));
    }
    Ok(metas)
}

/// Remaining accounts of `resolve_bankruptcy`: [`health_accounts`], with each bank writable (forfeit deposits
/// are burned in their banks); the price accounts are read when a dust deposit needs the account shown under
/// water.
pub fn bankruptcy_accounts(
    account: &MarginAccount,
    bank_of: impl Fn(&Pubkey) -> Option<BankAddresses>,
) -> Result<Vec<AccountMeta>, SdkError> {
    let mut metas = health_accounts(account, bank_of)?;
    for meta in metas.iter_mut() {
        meta.is_writable = account.position_index(&meta.pubkey).is_some();
    }
    Ok(metas)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_checks_the_discriminator_and_length() {
        let bank_state: Bank = bytemuck::Zeroable::zeroed();
        let mut data = Bank::DISCRIMINATOR.to_vec();
        data.extend_from_slice(bytemuck::bytes_of(&bank_state));
        assert!(bank(&data).is_ok());
        assert_eq!(margin_account(&data).err(), Some(SdkError::WrongAccountType));
        assert_eq!(bank(&data[..data.len() - 1]).err(), Some(SdkError::AccountTooShort));
        assert_eq!(group(&data).err(), Some(SdkError::WrongAccountType));
    }
}
