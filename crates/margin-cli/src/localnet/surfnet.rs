//! The local cluster's cheatcodes (surfpool's `surfnet_*` JSON-RPC methods) and the clock, over the same
//! client the SDK's [`RpcChain`] holds: accounts written directly (mints, wallets, Pyth prices) and time
//! travel (a timelock passes in a moment). Only the localnet answers these; a real cluster refuses them.
use margin_sdk::chain::RpcChain;
use serde_json::{json, Value};
use solana_rpc_client_api::request::RpcRequest;
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;

async fn call(chain: &RpcChain, method: &'static str, params: Value) -> Result<Value, String> {
    chain
        .client
        .send::<Value>(RpcRequest::Custom { method }, params)
        .await
        .map_err(|error| format!("{method}: {error}"))
}

/// Writes `account` at `address` as it is (data, owner, lamports).
pub async fn set_account(chain: &RpcChain, address: &Pubkey, account: &Account) -> Result<(), String> {
    let update = json!({
        "lamports": account.lamports,
        "data": hex(&account.data),
        "owner": account.owner.to_string(),
        "executable": account.executable,
        "rentEpoch": 0,
    });
    call(chain, "surfnet_setAccount", json!([address.to_string(), update])).await.map(drop)
}

/// Sets the SOL balance of `address`, lamports (a fee payer's funding).
pub async fn set_lamports(chain: &RpcChain, address: &Pubkey, lamports: u64) -> Result<(), String> {
    call(chain, "surfnet_setAccount", json!([address.to_string(), { "lamports": lamports }])).await.map(drop)
}

/// Moves the cluster clock forward to `unix_seconds` (slots advance with it). The past is refused.
pub async fn time_travel(chain: &RpcChain, unix_seconds: i64) -> Result<(), String> {
    let millis = u64::try_from(unix_seconds).map_err(|_| format!("time travel to {unix_seconds}: before 1970"))? * 1000;
    call(chain, "surfnet_timeTravel", json!([{ "absoluteTimestamp": millis }])).await.map(drop)
}

/// The cluster clock (the `Clock` sysvar the program reads): unix seconds.
pub async fn clock(chain: &RpcChain) -> Result<i64, String> {
    let mut chain = RpcChain::new(&chain.client.url());
    margin_sdk::chain::Chain::unix_timestamp(&mut chain).await.map_err(|error| format!("the clock: {error}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_data_is_sent_as_lowercase_hex() {
        assert_eq!(hex(&[0, 1, 0xab, 0xff]), "0001abff");
        assert_eq!(hex(&[]), "");
    }
}
