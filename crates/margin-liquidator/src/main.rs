//! `margin-liquidator --config liquidator.toml`: runs the bot until Ctrl-C (or SIGTERM), serving metrics.
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use margin_liquidator::act::Wallet;
use margin_liquidator::config::{Config, Flags};
use margin_liquidator::feed::{GroupScan, WebsocketFeed};
use margin_liquidator::metrics::Metrics;
use margin_liquidator::service::{run, Service, Settings};
use margin_sdk::chain::{Chain, RpcChain};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    if let Err(error) = start(Flags::parse()).await {
        tracing::error!(%error, "stopped");
        std::process::exit(1);
    }
}

async fn start(flags: Flags) -> Result<(), String> {
    let config = Config::load(&flags)?;
    let keypair = solana_sdk::signature::read_keypair_file(&config.keypair)
        .map_err(|error| format!("{}: {error}", config.keypair.display()))?;
    let mut chains: Vec<RpcChain> = (0..config.concurrency).map(|_| RpcChain::new(&config.rpc_url)).collect();
    let mut discover = GroupScan { group: config.group };
    let snapshot = {
        use margin_liquidator::feed::Discover;
        discover.snapshot(&mut chains[0]).await?
    };
    let mints: Vec<Pubkey> = snapshot.banks.values().map(|bank| bank.mint).collect();
    let token_accounts = token_accounts(&mut chains[0], &keypair.pubkey(), &mints).await?;
    let lookup_table = match config.lookup_table {
        Some(address) => Some(lookup_table(&mut chains[0], address).await?),
        None => None,
    };
    let inventory: BTreeMap<Pubkey, u64> = mints.iter().map(|mint| (*mint, config.inventory_of(mint))).collect();
    tracing::info!(group = %config.group, banks = mints.len(), accounts = snapshot.accounts.len(), "starting");
    let settings = Settings {
        inventory,
        fee_quote: config.fee_quote,
        min_profit_quote: config.min_profit_quote,
        refresh_every: Duration::from_secs(config.refresh_seconds),
        degraded_refresh_every: Duration::from_secs(2),
    };
    let wallet = Wallet {
        keypair,
        group: config.group,
        token_accounts,
        lookup_table,
        cu_price: config.max_cu_price,
        margin_account: config.margin_account,
    };
    let metrics = Arc::new(Metrics::default());
    let feed = WebsocketFeed { url: config.ws_url.clone(), group: config.group };
    let mut service = Service::new(settings, wallet, feed, metrics.clone());

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let listener = tokio::net::TcpListener::bind(&config.metrics_address)
        .await
        .map_err(|error| format!("metrics address {}: {error}", config.metrics_address))?;
    let server =
        tokio::spawn(margin_liquidator::server::serve(listener, metrics, 3 * config.refresh_seconds, stopped.clone()));
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        let _ = stop.send(true);
    });
    run(&mut service, &mut chains, &mut discover, stopped).await;
    let _ = server.await;
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}

/// The bot's associated token account of each mint that exists (a mint without one is not liquidated: the
/// log says which to create).
async fn token_accounts(
    chain: &mut RpcChain,
    owner: &Pubkey,
    mints: &[Pubkey],
) -> Result<BTreeMap<Pubkey, Pubkey>, String> {
    let mut found = BTreeMap::new();
    for mint in mints {
        let Some(mint_account) = chain.account(mint).await.map_err(|error| error.to_string())? else { continue };
        let address = margin_liquidator::act::associated_token_address(owner, mint, &mint_account.owner);
        match chain.account(&address).await.map_err(|error| error.to_string())? {
            Some(_) => {
                found.insert(*mint, address);
            }
            None => tracing::warn!(%mint, %address, "no token account for this mint: create it to liquidate with it"),
        }
    }
    Ok(found)
}

/// The lookup table at `address`.
async fn lookup_table(
    chain: &mut RpcChain,
    address: Pubkey,
) -> Result<solana_sdk::message::AddressLookupTableAccount, String> {
    let account = chain.account(&address).await.map_err(|error| error.to_string())?.ok_or("lookup table not found")?;
    margin_liquidator::act::lookup_table_account(address, &account.data)
}
