//! The bot's benchmark (docs/PERFORMANCE.md):
//! 1. a decision pass (health of every account by the program's code, liquidatable ones planned and ranked)
//!    over 100,000 accounts, on one core;
//! 2. the time from a price update to the first transaction's outcome, on the embedded chain.
//!
//! Run: `cargo run --release -p margin-liquidator --example bench` (add `-- <accounts>` for another size).
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use margin_cli::sim::Simulation;
use margin_liquidator::act::Wallet;
use margin_liquidator::book::Update;
use margin_liquidator::decide::{decide, Economics};
use margin_liquidator::feed::{Discover, Feed};
use margin_liquidator::metrics::Metrics;
use margin_liquidator::service::{Service, Settings};
use margin_sdk::chain::{load_snapshot, Chain, ProgramTestChain};
use margin_sdk::snapshot::Snapshot;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// A feed the benchmark pushes price updates into.
#[derive(Clone, Default)]
struct ChannelFeed(Arc<Mutex<Option<UnboundedSender<Update>>>>);

impl Feed for ChannelFeed {
    async fn connect(&mut self, _prices: &[Pubkey]) -> Result<UnboundedReceiver<Update>, String> {
        let (sender, receiver) = unbounded_channel();
        *self.0.lock().unwrap() = Some(sender);
        Ok(receiver)
    }
}

struct Known(Vec<Pubkey>, Vec<Pubkey>);

impl Discover<ProgramTestChain> for Known {
    async fn snapshot(&mut self, chain: &mut ProgramTestChain) -> Result<Snapshot, String> {
        load_snapshot(chain, &self.0, &self.1).await.map_err(|error| error.to_string())
    }
}

fn main() {
    // program-test logs every transaction at debug level unless told otherwise.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(bench());
}

async fn bench() {
    let accounts: usize = std::env::args().nth(1).and_then(|text| text.parse().ok()).unwrap_or(100_000);
    let mut out = margin_cli::output::Output::without_program_logs();
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let (mut scenario, folder) = margin_cli::scenario::load(&folder.join("sol-crash.toml")).unwrap();
    scenario.liquidators = false;
    let mut simulation = Simulation::new(scenario, &folder).await.unwrap();
    simulation.step(0).await.unwrap();
    let (group, banks, opened) = simulation.market();
    let bank_keys: Vec<Pubkey> = banks.iter().map(|bank| bank.bank).collect();
    let base = load_snapshot(simulation.chain(), &bank_keys, &opened).await.unwrap();

    // 1. The decision pass over `accounts` copies of the 200 opened accounts, shares scaled 50 %–150 %.
    let mut snapshot = Snapshot { accounts: BTreeMap::new(), ..base.clone() };
    let templates: Vec<_> = base.accounts.values().copied().collect();
    for index in 0..accounts {
        let mut account = templates[index % templates.len()];
        for position in account.positions.iter_mut() {
            let scale = 50 + (index as u64 * 7919) % 101;
            position.deposit_shares = position.deposit_shares / 100 * scale;
            position.borrow_shares = position.borrow_shares / 100 * scale;
        }
        snapshot.accounts.insert(Pubkey::new_unique(), account);
    }
    let positions: usize = snapshot.accounts.values().map(|account| account.used_positions().count()).sum();
    let limit = |_: &Pubkey| u64::MAX;
    let economics = Economics { repay_limit: &limit, fee_quote: 10_000, min_profit_quote: 0 };
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let (actions, survey) = decide(&snapshot, &economics);
        times.push(started.elapsed());
        std::hint::black_box((actions, survey));
    }
    times.sort();
    out.line(&format!(
        "decision pass: {accounts} accounts, {positions} positions: median {:?} (min {:?}), {:.0} ns per position",
        times[2],
        times[0],
        times[2].as_nanos() as f64 / positions as f64
    ));

    // 2. Price update to first outcome: the crash steps until accounts are liquidatable, then SOL's update.
    let keypair = Keypair::new();
    let chain = simulation.chain();
    let system = solana_sdk::pubkey!("11111111111111111111111111111111");
    chain.set_account(&keypair.pubkey(), solana_sdk::account::Account::new(10u64.pow(11), 0, &system));
    let mut token_accounts = BTreeMap::new();
    for bank in &banks {
        token_accounts.insert(bank.mint, chain.write_token_account(&keypair.pubkey(), &bank.mint, u64::MAX / 4));
    }
    let inventory = banks.iter().map(|bank| (bank.mint, u64::MAX / 8)).collect();
    let wallet = Wallet { keypair, group, token_accounts, lookup_table: None, cu_price: 1_000, margin_account: None };
    let settings = Settings {
        inventory,
        fee_quote: 10_000,
        min_profit_quote: 0,
        refresh_every: Duration::from_secs(3_600),
        degraded_refresh_every: Duration::from_secs(3_600),
    };
    let feed = ChannelFeed::default();
    let mut service = Service::new(settings, wallet, feed.clone(), Arc::new(Metrics::default()));
    let mut discover = Known(bank_keys, opened);
    service.drive_once(std::slice::from_mut(simulation.chain()), &mut discover).await;
    for step in 1..40 {
        simulation.step(step).await.unwrap();
        // What the websocket would say: each bank and its price account changed.
        let chain = simulation.chain();
        for address in banks.iter().flat_map(|bank| [bank.bank, bank.price_account]) {
            let account = chain.account(&address).await.unwrap().unwrap();
            let update = Update { address, owner: account.owner, data: account.data };
            if let Some(sender) = feed.0.lock().unwrap().as_ref() {
                sender.send(update).unwrap();
            }
        }
        let pass = service.drive_once(std::slice::from_mut(simulation.chain()), &mut discover).await;
        if let Some(first) = pass.first_send_after_price {
            out.line(&format!(
                "price update to first outcome: {first:?} (step {step}: {} liquidatable of {} tracked, {} sent in the pass)",
                pass.survey.liquidatable,
                pass.survey.tracked,
                pass.outcomes.len()
            ));
            return;
        }
    }
    out.line("no liquidation in the first 40 steps");
}
