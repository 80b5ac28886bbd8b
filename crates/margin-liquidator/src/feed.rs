//! Where updates come from between full refreshes: a feed hands out a channel of account updates that closes
//! when the subscription drops; the service then reconnects with backoff. The cluster's feed subscribes over
//! websocket to the program's accounts of the group and to each bank's price account.
use futures::StreamExt;
use margin_sdk::snapshot::Snapshot;
use solana_account_decoder_client_types::{UiAccount, UiAccountEncoding};
use solana_pubsub_client::nonblocking::pubsub_client::PubsubClient;
use solana_rpc_client_api::config::{RpcAccountInfoConfig, RpcProgramAccountsConfig};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use crate::book::Update;

/// A source of account updates.
#[allow(async_fn_in_trait)]
pub trait Feed {
    /// Opens the subscriptions (the group's program accounts and `price_accounts`); updates arrive on the
    /// returned channel until it closes, which is how a dropped subscription shows.
    async fn connect(&mut self, price_accounts: &[Pubkey]) -> Result<UnboundedReceiver<Update>, String>;
}

/// The cluster's websocket: `programSubscribe` (margin program, filtered to the group) and one
/// `accountSubscribe` per price account, merged into one channel.
pub struct WebsocketFeed {
    pub url: String,
    pub group: Pubkey,
}

impl Feed for WebsocketFeed {
    async fn connect(&mut self, price_accounts: &[Pubkey]) -> Result<UnboundedReceiver<Update>, String> {
        let client = PubsubClient::new(self.url.as_str()).await.map_err(|error| format!("websocket: {error}"))?;
        let (sender, receiver) = unbounded_channel();
        let (group, prices) = (self.group, price_accounts.to_vec());
        tokio::spawn(async move { forward(client, group, prices, sender).await });
        Ok(receiver)
    }
}

fn account_config() -> RpcAccountInfoConfig {
    RpcAccountInfoConfig { encoding: Some(UiAccountEncoding::Base64), ..RpcAccountInfoConfig::default() }
}

/// Forwards every notification until a stream ends or the service stops listening; returning drops the sender,
/// which closes the channel.
async fn forward(client: PubsubClient, group: Pubkey, prices: Vec<Pubkey>, sender: UnboundedSender<Update>) {
    let filters = vec![RpcFilterType::Memcmp(Memcmp::new_base58_encoded(8, group.as_ref()))];
    let config = RpcProgramAccountsConfig {
        filters: Some(filters),
        account_config: account_config(),
        ..RpcProgramAccountsConfig::default()
    };
    let Ok((program, _unsubscribe)) = client.program_subscribe(&margin_sdk::margin::ID, Some(config)).await else {
        return;
    };
    let mut streams =
        vec![program.map(|response| decode(response.value.pubkey.parse().ok(), &response.value.account)).boxed()];
    for price in prices {
        let Ok((stream, _unsubscribe)) = client.account_subscribe(&price, Some(account_config())).await else {
            return;
        };
        streams.push(stream.map(move |response| decode(Some(price), &response.value)).boxed());
    }
    let mut merged = futures::stream::select_all(streams);
    while let Some(update) = merged.next().await {
        if let Some(update) = update {
            if sender.send(update).is_err() {
                return;
            }
        }
    }
}

/// An update from a notification; None when it does not decode.
fn decode(address: Option<Pubkey>, account: &UiAccount) -> Option<Update> {
    let decoded = account.decode::<Account>()?;
    Some(Update { address: address?, owner: decoded.owner, data: decoded.data })
}

/// A full view of the group, read from `chain`: what the periodic refresh replaces the book with.
#[allow(async_fn_in_trait)]
pub trait Discover<C> {
    async fn snapshot(&mut self, chain: &mut C) -> Result<Snapshot, String>;
}

/// Every bank and margin account of the group, by getProgramAccounts.
pub struct GroupScan {
    pub group: Pubkey,
}

impl Discover<margin_sdk::chain::RpcChain> for GroupScan {
    async fn snapshot(&mut self, chain: &mut margin_sdk::chain::RpcChain) -> Result<Snapshot, String> {
        chain.group_snapshot(&self.group).await.map_err(|error| format!("rpc: {error}"))
    }
}
