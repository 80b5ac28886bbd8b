//! A real cluster over JSON-RPC (nonblocking `solana-rpc-client`).
use anchor_lang::prelude::Pubkey;
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::client_error::ErrorKind;
use solana_rpc_client_api::request::{RpcError, RpcResponseErrorData};
use solana_sdk::account::Account;
use solana_sdk::hash::Hash;
use solana_sdk::transaction::VersionedTransaction;

use super::{Chain, Sent};
use crate::snapshot::{RawAccount, Snapshot};
use crate::SdkError;

/// A cluster reached at an RPC URL, at `confirmed` commitment.
pub struct RpcChain {
    /// The client (public for calls the trait does not cover, e.g. `get_program_accounts`).
    pub client: RpcClient,
}

impl RpcChain {
    /// A chain at `url` (e.g. `https://api.mainnet-beta.solana.com`).
    pub fn new(url: &str) -> RpcChain {
        RpcChain { client: RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::confirmed()) }
    }
}

impl RpcChain {
    /// Every account of the margin program of type `T` (by its size) whose first field is `group` (banks and
    /// margin accounts both start with their group), with its data.
    async fn group_accounts_of<T>(&self, group: &Pubkey) -> Result<Vec<(Pubkey, Account)>, SdkError> {
        use solana_rpc_client_api::config::{RpcAccountInfoConfig, RpcProgramAccountsConfig};
        use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
        let filters = vec![
            RpcFilterType::DataSize((8 + std::mem::size_of::<T>()) as u64),
            RpcFilterType::Memcmp(Memcmp::new_base58_encoded(8, group.as_ref())),
        ];
        let config = RpcProgramAccountsConfig {
            filters: Some(filters),
            account_config: RpcAccountInfoConfig {
                encoding: Some(solana_account_decoder_client_types::UiAccountEncoding::Base64),
                commitment: Some(self.client.commitment()),
                ..RpcAccountInfoConfig::default()
            },
            ..RpcProgramAccountsConfig::default()
        };
        let accounts = self.client.get_program_ui_accounts_with_config(&margin::ID, config).await;
        let decode = |(address, account): (Pubkey, solana_account_decoder_client_types::UiAccount)| {
            let account = account.decode::<Account>().ok_or_else(|| chain_error("undecodable account data"));
            Ok((address, account?))
        };
        accounts.map_err(chain_error)?.into_iter().map(decode).collect()
    }

    /// A snapshot of a whole group: every bank and margin account of `group` (two `getProgramAccounts` with
    /// size and group filters), the banks' price and fallback accounts (`getMultipleAccounts`), at the cluster clock. What
    /// a liquidator refreshes periodically.
    pub async fn group_snapshot(&mut self, group: &Pubkey) -> Result<Snapshot, SdkError> {
        let mut snapshot = Snapshot { now: self.unix_timestamp().await?, ..Snapshot::default() };
        for (address, account) in self.group_accounts_of::<margin::state::Bank>(group).await? {
            snapshot.banks.insert(address, crate::accounts::bank(&account.data)?);
        }
        for (address, account) in self.group_accounts_of::<margin::state::MarginAccount>(group).await? {
            snapshot.accounts.insert(address, crate::accounts::margin_account(&account.data)?);
        }
        let price_accounts: Vec<Pubkey> =
            snapshot.banks.values().flat_map(crate::snapshot::price_accounts_of).collect();
        for chunk in price_accounts.chunks(100) {
            let fetched = self.client.get_multiple_accounts(chunk).await.map_err(chain_error)?;
            for (address, account) in chunk.iter().zip(fetched) {
                if let Some(account) = account {
                    snapshot.prices.insert(*address, RawAccount { owner: account.owner, data: account.data });
                }
            }
        }
        Ok(snapshot)
    }
}

/// A transaction that touched an account, with the program's events decoded from its logs.
pub struct TransactionEvents {
    /// The transaction's signature (base58).
    pub signature: String,
    /// The slot it landed in.
    pub slot: u64,
    /// The block's time, unix seconds, when the cluster reports it.
    pub block_time: Option<i64>,
    /// Whether it failed (its events are then none: a failed transaction's changes are not kept).
    pub failed: bool,
    /// The program's events, in order.
    pub events: Vec<crate::events::MarginEvent>,
}

impl RpcChain {
    /// The newest `limit` transactions that touched `address`, oldest first, each with the program's events
    /// (`getSignaturesForAddress`, then `getTransaction` for each): a trader's history of deposits, borrows,
    /// liquidations and write-offs as the chain recorded them.
    pub async fn history(&self, address: &Pubkey, limit: usize) -> Result<Vec<TransactionEvents>, SdkError> {
        use serde_json::{json, Value};
        use solana_rpc_client_api::request::RpcRequest;
        let params = json!([address.to_string(), { "limit": limit, "commitment": "confirmed" }]);
        let client = &self.client;
        let listed: Value =
            retrying("signatures", || client.send(RpcRequest::GetSignaturesForAddress, params.clone())).await?;
        let mut history = Vec::new();
        for entry in listed.as_array().ok_or_else(|| chain_error("getSignaturesForAddress: not a list"))?.iter().rev() {
            let signature = entry["signature"].as_str().ok_or_else(|| chain_error("a signature is missing"))?;
            let config = json!({ "encoding": "json", "commitment": "confirmed", "maxSupportedTransactionVersion": 0 });
            let params = json!([signature, config]);
            let found: Value =
                retrying("transaction", || client.send(RpcRequest::GetTransaction, params.clone())).await?;
            history.push(transaction_events(signature, entry, &found));
        }
        Ok(history)
    }
}

/// A `getTransaction` answer read: its logs' events, and whether it failed (from the listing or the meta).
fn transaction_events(signature: &str, listed: &serde_json::Value, found: &serde_json::Value) -> TransactionEvents {
    let logs: Vec<String> = found["meta"]["logMessages"]
        .as_array()
        .map(|lines| lines.iter().filter_map(|line| line.as_str().map(String::from)).collect())
        .unwrap_or_default();
    TransactionEvents {
        signature: signature.to_string(),
        slot: listed["slot"].as_u64().unwrap_or_default(),
        block_time: listed["blockTime"].as_i64().or_else(|| found["blockTime"].as_i64()),
        failed: !listed["err"].is_null() || !found["meta"]["err"].is_null(),
        events: crate::events::all(&logs),
    }
}

/// Attempts of a read before its error is reported (delays 200 ms, 400 ms, 800 ms between them).
const ATTEMPTS: u32 = 4;

/// Whether a client error is worth retrying: the transport failed (connection, timeout, HTTP middleware) or
/// the node said it is behind or rate-limited. A refused transaction or a bad answer is not retried.
fn transient(error: &solana_rpc_client_api::client_error::Error) -> bool {
    match error.kind() {
        ErrorKind::Io(_) | ErrorKind::Reqwest(_) | ErrorKind::Middleware(_) => true,
        ErrorKind::RpcError(RpcError::RpcResponseError { code, .. }) => matches!(code, -32005 | -32004 | 429),
        _ => false,
    }
}

/// Runs `call` until it succeeds, fails for good, or [`ATTEMPTS`] transient failures in a row, with
/// exponential backoff; the error says what was tried and how often.
async fn retrying<T, F, Fut>(what: &str, mut call: F) -> Result<T, SdkError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = solana_rpc_client_api::client_error::Result<T>>,
{
    let mut delay = std::time::Duration::from_millis(200);
    let mut attempt = 1;
    loop {
        match call().await {
            Ok(value) => return Ok(value),
            Err(error) if attempt < ATTEMPTS && transient(&error) => {
                tokio::time::sleep(delay).await;
                (delay, attempt) = (delay * 2, attempt + 1);
            }
            Err(error) => return Err(SdkError::Chain(format!("{what}: {error} (after {attempt} attempts)"))),
        }
    }
}

/// The `unix_timestamp` field of a `Clock` sysvar's data (bytes 32..40: after slot, epoch start, epoch and
/// leader schedule epoch).
fn clock_unix_timestamp(data: &[u8]) -> Result<i64, SdkError> {
    let field = data.get(32..40).ok_or(SdkError::AccountTooShort)?;
    Ok(i64::from_le_bytes(field.try_into().expect("eight bytes")))
}

fn chain_error(error: impl std::fmt::Display) -> SdkError {
    SdkError::Chain(error.to_string())
}

impl Chain for RpcChain {
    async fn account(&mut self, address: &Pubkey) -> Result<Option<Account>, SdkError> {
        let client = &self.client;
        let what = format!("account {address}");
        let response = retrying(&what, || client.get_account_with_commitment(address, client.commitment())).await;
        Ok(response?.value)
    }

    async fn latest_blockhash(&mut self) -> Result<Hash, SdkError> {
        retrying("latest blockhash", || self.client.get_latest_blockhash()).await
    }

    /// The `Clock` sysvar's time: what the program reads (a block's time from `getBlockTime` can lag it, or be
    /// missing for the newest slot).
    async fn unix_timestamp(&mut self) -> Result<i64, SdkError> {
        let clock = solana_sdk::sysvar::clock::ID;
        let account = self.account(&clock).await?.ok_or_else(|| chain_error("the cluster has no clock sysvar"))?;
        clock_unix_timestamp(&account.data)
    }

    async fn slot(&mut self) -> Result<u64, SdkError> {
        retrying("slot", || self.client.get_slot()).await
    }

    /// Sends with preflight (so a refused transaction comes back with its error and logs, not a signature)
    /// and waits for confirmation.
    async fn send(&mut self, transaction: VersionedTransaction) -> Result<Sent, SdkError> {
        match self.client.send_and_confirm_transaction(&transaction).await {
            Ok(_) => Ok(Sent { logs: Vec::new(), result: Ok(()), units_consumed: None }),
            Err(error) => match error.kind() {
                ErrorKind::RpcError(RpcError::RpcResponseError {
                    data: RpcResponseErrorData::SendTransactionPreflightFailure(simulation),
                    ..
                }) => Ok(Sent {
                    logs: simulation.logs.clone().unwrap_or_default(),
                    units_consumed: simulation.units_consumed,
                    result: Err(simulation.err.clone().map(Into::into).unwrap_or(
                        solana_sdk::transaction::TransactionError::InstructionError(
                            0,
                            solana_sdk::instruction::InstructionError::GenericError,
                        ),
                    )),
                }),
                ErrorKind::TransactionError(transaction_error) => {
                    Ok(Sent { logs: Vec::new(), result: Err(transaction_error.clone()), units_consumed: None })
                }
                _ => Err(chain_error(error)),
            },
        }
    }

    async fn simulate(&mut self, transaction: VersionedTransaction) -> Result<Sent, SdkError> {
        let simulation = self.client.simulate_transaction(&transaction).await.map_err(chain_error)?.value;
        let result = match simulation.err {
            Some(error) => Err(error.into()),
            None => Ok(()),
        };
        Ok(Sent { logs: simulation.logs.unwrap_or_default(), result, units_consumed: simulation.units_consumed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use serde_json::json;
    use solana_rpc_client_api::request::RpcRequest;
    use std::collections::HashMap;

    fn chain(url: &str, mocks: HashMap<RpcRequest, serde_json::Value>) -> RpcChain {
        RpcChain { client: RpcClient::new_mock_with_mocks(url.to_string(), mocks) }
    }

    /// A `Clock` sysvar's data at `unix_timestamp`.
    fn clock_data(unix_timestamp: i64) -> Vec<u8> {
        let clock = solana_sdk::sysvar::clock::Clock { slot: 5, unix_timestamp, ..Default::default() };
        bincode::serialize(&clock).unwrap()
    }

    #[test]
    fn the_clock_is_read_from_the_sysvars_layout() {
        assert_eq!(clock_unix_timestamp(&clock_data(1_750_000_123)).unwrap(), 1_750_000_123);
        assert_eq!(clock_unix_timestamp(&[0; 39]), Err(SdkError::AccountTooShort));
    }

    #[tokio::test]
    async fn an_account_and_the_clock_decode_from_rpc_responses() {
        let data = base64::engine::general_purpose::STANDARD.encode(clock_data(1_750_000_000));
        let account = json!({
            "context": { "slot": 5 },
            "value": { "lamports": 7, "data": [data, "base64"], "owner": margin::ID.to_string(),
                       "executable": false, "rentEpoch": 0, "space": 40 }
        });
        // A mocked response answers one request: one chain per call.
        let mut chain_one = chain("succeeds", HashMap::from([(RpcRequest::GetAccountInfo, account.clone())]));
        let fetched = chain_one.account(&Pubkey::new_unique()).await.unwrap().expect("the mocked account");
        assert_eq!((fetched.lamports, fetched.data, fetched.owner), (7, clock_data(1_750_000_000), margin::ID));
        let mut chain_two = chain("succeeds", HashMap::from([(RpcRequest::GetAccountInfo, account)]));
        assert_eq!(chain_two.unix_timestamp().await.unwrap(), 1_750_000_000);
    }

    #[tokio::test]
    async fn a_group_snapshot_decodes_banks_accounts_and_prices_from_rpc_responses() {
        use anchor_lang::Discriminator;
        use margin::state::{Bank, MarginAccount};
        let group = Pubkey::new_unique();
        let price_account = Pubkey::new_unique();
        let mut bank: Bank = bytemuck::Zeroable::zeroed();
        (bank.group, bank.price_account) = (group, price_account);
        let mut account: MarginAccount = bytemuck::Zeroable::zeroed();
        account.group = group;
        let encode = |discriminator: &[u8], body: &[u8]| {
            base64::engine::general_purpose::STANDARD.encode([discriminator, body].concat())
        };
        let keyed = |address: Pubkey, data: String| {
            json!({ "pubkey": address.to_string(), "account": { "lamports": 1, "data": [data, "base64"],
                    "owner": margin::ID.to_string(), "executable": false, "rentEpoch": 0, "space": 0 } })
        };
        let (bank_address, account_address) = (Pubkey::new_unique(), Pubkey::new_unique());
        let mut mocks = solana_rpc_client::mock_sender::MocksMap::default();
        let clock = encode(&[], &clock_data(1_750_000_000));
        let clock_account = json!({ "lamports": 1, "data": [clock, "base64"], "owner": Pubkey::new_unique().to_string(),
                                    "executable": false, "rentEpoch": 0, "space": 40 });
        mocks.insert(RpcRequest::GetAccountInfo, json!({ "context": { "slot": 7 }, "value": clock_account }));
        let bank_bytes = encode(Bank::DISCRIMINATOR, bytemuck::bytes_of(&bank));
        mocks.insert(RpcRequest::GetProgramAccounts, json!([keyed(bank_address, bank_bytes)]));
        let account_bytes = encode(MarginAccount::DISCRIMINATOR, bytemuck::bytes_of(&account));
        mocks.insert(RpcRequest::GetProgramAccounts, json!([keyed(account_address, account_bytes)]));
        let price = json!({ "lamports": 1, "data": [encode(&[], &[9, 9]), "base64"],
                            "owner": Pubkey::new_unique().to_string(), "executable": false, "rentEpoch": 0, "space": 2 });
        mocks.insert(RpcRequest::GetMultipleAccounts, json!({ "context": { "slot": 7 }, "value": [price] }));
        let mut chain = RpcChain { client: RpcClient::new_mock_with_mocks_map("succeeds".to_string(), mocks) };
        let snapshot = chain.group_snapshot(&group).await.unwrap();
        assert_eq!(snapshot.now, 1_750_000_000);
        assert_eq!(snapshot.banks[&bank_address].price_account, price_account);
        assert_eq!(snapshot.accounts[&account_address].group, group);
        assert_eq!(snapshot.prices[&price_account].data, vec![9, 9]);
    }

    #[test]
    fn a_transactions_events_and_failure_are_read_from_its_answer() {
        use anchor_lang::{AnchorSerialize, Discriminator};
        let event = margin::events::AccountClosed { account: Pubkey::new_unique(), owner: Pubkey::new_unique() };
        let mut bytes = margin::events::AccountClosed::DISCRIMINATOR.to_vec();
        event.serialize(&mut bytes).unwrap();
        let line = format!("Program data: {}", base64::engine::general_purpose::STANDARD.encode(&bytes));
        let found = json!({ "meta": { "err": null, "logMessages": ["Program log: Instruction: CloseAccount", line] } });
        let listed = json!({ "signature": "s", "slot": 9, "blockTime": 1_750_000_000, "err": null });
        let read = transaction_events("s", &listed, &found);
        assert_eq!((read.slot, read.block_time, read.failed), (9, Some(1_750_000_000), false));
        let names: Vec<&str> = read.events.iter().map(crate::events::MarginEvent::name).collect();
        assert_eq!(names, ["AccountClosed"]);
        let failed = json!({ "meta": { "err": { "InstructionError": [0, { "Custom": 6000 }] }, "logMessages": [] } });
        assert!(transaction_events("s", &listed, &failed).failed);
    }

    #[test]
    fn transport_failures_are_retried_and_answers_are_not() {
        let io = solana_rpc_client_api::client_error::Error::from(std::io::Error::other("connection reset"));
        assert!(transient(&io));
        let answer = solana_rpc_client_api::client_error::Error::from(serde_json::from_str::<u8>("x").unwrap_err());
        assert!(!transient(&answer));
    }

    #[tokio::test]
    async fn a_missing_account_is_none_and_a_bad_response_is_a_named_chain_error() {
        let mut chain_ok = chain("succeeds", HashMap::new());
        assert_eq!(chain_ok.account(&Pubkey::new_unique()).await.unwrap(), None);
        // "fails" answers every request with null: not a blockhash.
        let mut failing = chain("fails", HashMap::new());
        assert!(matches!(failing.latest_blockhash().await, Err(SdkError::Chain(_))));
    }
}
