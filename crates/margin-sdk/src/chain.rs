//! One small trait over where the program runs: the in-process chain ([`ProgramTestChain`], feature
//! `program-test`: solana-program-test running the margin program natively with real SPL Token and
//! Token-2022) and a real cluster over JSON-RPC ([`RpcChain`], feature `rpc`). Clients written against
//! [`Chain`] run unchanged on both.
use anchor_lang::prelude::Pubkey;
use solana_sdk::account::Account;
use solana_sdk::hash::Hash;
use solana_sdk::transaction::{TransactionError, VersionedTransaction};

use crate::snapshot::{RawAccount, Snapshot};
use crate::SdkError;

/// A transaction's outcome as the chain reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// The program logs (events included, see [`crate::events`]).
    pub logs: Vec<String>,
    /// Success, or the error the transaction failed with.
    pub result: Result<(), TransactionError>,
    /// Compute units the transaction used, when the chain reports them (simulations always do).
    pub units_consumed: Option<u64>,
}

/// Where the program runs.
#[allow(async_fn_in_trait)]
pub trait Chain {
    /// An account, or `None` when it does not exist.
    async fn account(&mut self, address: &Pubkey) -> Result<Option<Account>, SdkError>;
    /// A recent blockhash to sign with.
    async fn latest_blockhash(&mut self) -> Result<Hash, SdkError>;
    /// The cluster clock, unix seconds.
    async fn unix_timestamp(&mut self) -> Result<i64, SdkError>;
    /// The current slot.
    async fn slot(&mut self) -> Result<u64, SdkError>;
    /// Sends a signed transaction and waits for its outcome.
    async fn send(&mut self, transaction: VersionedTransaction) -> Result<Sent, SdkError>;
    /// Runs a signed transaction without committing it (a dry run): its outcome and logs.
    async fn simulate(&mut self, transaction: VersionedTransaction) -> Result<Sent, SdkError>;
}

/// A snapshot of `banks` (their price accounts and fallbacks too) and `accounts` at the chain's clock.
pub async fn load_snapshot(
    chain: &mut impl Chain,
    banks: &[Pubkey],
    accounts: &[Pubkey],
) -> Result<Snapshot, SdkError> {
    let mut snapshot = Snapshot { now: chain.unix_timestamp().await?, ..Snapshot::default() };
    for address in banks {
        let data = chain.account(address).await?.ok_or(SdkError::UnknownAccount(*address))?.data;
        let bank = crate::accounts::bank(&data)?;
        for price_account in crate::snapshot::price_accounts_of(&bank) {
            if let Some(price) = chain.account(&price_account).await? {
                snapshot.prices.insert(price_account, RawAccount { owner: price.owner, data: price.data });
            }
        }
        snapshot.banks.insert(*address, bank);
    }
    for address in accounts {
        let data = chain.account(address).await?.ok_or(SdkError::UnknownAccount(*address))?.data;
        snapshot.accounts.insert(*address, crate::accounts::margin_account(&data)?);
    }
    Ok(snapshot)
}

#[cfg(feature = "program-test")]
mod program_test;
#[cfg(feature = "program-test")]
pub use program_test::{margin_program_test, ProgramTestChain};

#[cfg(feature = "rpc")]
mod rpc;
#[cfg(feature = "rpc")]
pub use rpc::{RpcChain, TransactionEvents};
