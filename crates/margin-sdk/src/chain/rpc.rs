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

fn chain_error(error: impl std::fmt::Display) -> SdkError {
    SdkError::Chain(error.to_string())
}

impl Chain for RpcChain {
    async fn account(&mut self, address: &Pubkey) -> Result<Option<Account>, SdkError> {
        let response = self.client.get_account_with_commitment(address, self.client.commitment()).await;
        Ok(response.map_err(chain_error)?.value)
    }

    async fn latest_blockhash(&mut self) -> Result<Hash, SdkError> {
        self.client.get_latest_blockhash().await.map_err(chain_error)
    }

    async fn unix_timestamp(&mut self) -> Result<i64, SdkError> {
        let slot = self.client.get_slot().await.map_err(chain_error)?;
        self.client.get_block_time(slot).await.map_err(chain_error)
    }

    /// Sends with preflight (so a refused transaction comes back with its error and logs, not a signature)
    /// and waits for confirmation.
    async fn send(&mut self, transaction: VersionedTransaction) -> Result<Sent, SdkError> {
        match self.client.send_and_confirm_transaction(&transaction).await {
            Ok(_) => Ok(Sent { logs: Vec::new(), result: Ok(()) }),
            Err(error) => match error.kind() {
                ErrorKind::RpcError(RpcError::RpcResponseError {
                    data: RpcResponseErrorData::SendTransactionPreflightFailure(simulation),
                    ..
                }) => Ok(Sent {
                    logs: simulation.logs.clone().unwrap_or_default(),
                    result: Err(simulation.err.clone().map(Into::into).unwrap_or(
                        solana_sdk::transaction::TransactionError::InstructionError(
                            0,
                            solana_sdk::instruction::InstructionError::GenericError,
                        ),
                    )),
                }),
                ErrorKind::TransactionError(transaction_error) => {
                    Ok(Sent { logs: Vec::new(), result: Err(transaction_error.clone()) })
                }
                _ => Err(chain_error(error)),
            },
        }
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

    #[tokio::test]
    async fn an_account_and_the_clock_decode_from_rpc_responses() {
        let data = base64::engine::general_purpose::STANDARD.encode([1u8, 2, 3]);
        let account = json!({
            "context": { "slot": 5 },
            "value": { "lamports": 7, "data": [data, "base64"], "owner": margin::ID.to_string(),
                       "executable": false, "rentEpoch": 0, "space": 3 }
        });
        let mocks = HashMap::from([
            (RpcRequest::GetAccountInfo, account),
            (RpcRequest::GetSlot, json!(99)),
            (RpcRequest::GetBlockTime, json!(1_750_000_000)),
        ]);
        let mut chain = chain("succeeds", mocks);
        let fetched = chain.account(&Pubkey::new_unique()).await.unwrap().expect("the mocked account");
        assert_eq!((fetched.lamports, fetched.data, fetched.owner), (7, vec![1, 2, 3], margin::ID));
        assert_eq!(chain.unix_timestamp().await.unwrap(), 1_750_000_000);
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
