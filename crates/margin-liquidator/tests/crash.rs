//! The bot on the embedded chain: the simulator's SOL crash (200 levered longs, SOL −60 % in 36 hours) with
//! the simulator's own liquidators off and the bot's service driving the real program between steps, through
//! a feed that drops for a while and a chain that fails every third call for a while. Checked: every account
//! that becomes liquidatable is liquidated within two steps (within two steps of the chain's recovery when it
//! fails), no account the chain shows healthy is ever touched, no account is sent twice in one slot, and
//! `/metrics` and `/healthz` say so.
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use margin_cli::sim::Simulation;
use margin_liquidator::act::{Outcome, Wallet};
use margin_liquidator::book::Update;
use margin_liquidator::decide::Action;
use margin_liquidator::feed::{Discover, Feed};
use margin_liquidator::metrics::{scrape, Metrics};
use margin_liquidator::service::{Service, Settings};
use margin_sdk::chain::{load_snapshot, Chain, ProgramTestChain, Sent};
use margin_sdk::snapshot::Snapshot;
use margin_sdk::SdkError;
use solana_sdk::account::Account;
use solana_sdk::hash::Hash;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::VersionedTransaction;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// A feed the test pushes into; `connect` fails while `down` is set, and dropping the sender drops the feed.
#[derive(Clone, Default)]
struct TestFeed {
    sender: Arc<Mutex<Option<UnboundedSender<Update>>>>,
    down: Arc<Mutex<bool>>,
}

impl Feed for TestFeed {
    async fn connect(&mut self, _prices: &[Pubkey]) -> Result<UnboundedReceiver<Update>, String> {
        if *self.down.lock().unwrap() {
            return Err("connection refused (injected)".to_string());
        }
        let (sender, receiver) = unbounded_channel();
        *self.sender.lock().unwrap() = Some(sender);
        Ok(receiver)
    }
}

impl TestFeed {
    /// Sends `address` as the chain holds it, when the feed is up.
    async fn push(&self, chain: &mut ProgramTestChain, address: &Pubkey) {
        let account = chain.account(address).await.unwrap().unwrap();
        if let Some(sender) = self.sender.lock().unwrap().as_ref() {
            let _ = sender.send(Update { address: *address, owner: account.owner, data: account.data });
        }
    }

    /// Drops the subscription and refuses reconnects until `restore`.
    fn drop_and_refuse(&self) {
        *self.sender.lock().unwrap() = None;
        *self.down.lock().unwrap() = true;
    }

    fn restore(&self) {
        *self.down.lock().unwrap() = false;
    }
}

/// The chain with every third call failing while `failing` (an RPC node that times out).
struct Flaky<'a> {
    inner: &'a mut ProgramTestChain,
    failing: bool,
    calls: u64,
}

impl Flaky<'_> {
    fn fail_now(&mut self) -> Result<(), SdkError> {
        self.calls += 1;
        if self.failing && self.calls.is_multiple_of(3) {
            return Err(SdkError::Chain("timed out (injected)".to_string()));
        }
        Ok(())
    }
}

impl Chain for Flaky<'_> {
    async fn account(&mut self, address: &Pubkey) -> Result<Option<Account>, SdkError> {
        self.fail_now()?;
        self.inner.account(address).await
    }
    async fn latest_blockhash(&mut self) -> Result<Hash, SdkError> {
        self.fail_now()?;
        self.inner.latest_blockhash().await
    }
    async fn unix_timestamp(&mut self) -> Result<i64, SdkError> {
        self.fail_now()?;
        self.inner.unix_timestamp().await
    }
    async fn slot(&mut self) -> Result<u64, SdkError> {
        self.fail_now()?;
        self.inner.slot().await
    }
    async fn send(&mut self, transaction: VersionedTransaction) -> Result<Sent, SdkError> {
        self.fail_now()?;
        self.inner.send(transaction).await
    }
    async fn simulate(&mut self, transaction: VersionedTransaction) -> Result<Sent, SdkError> {
        self.fail_now()?;
        self.inner.simulate(transaction).await
    }
}

/// The full refresh on the embedded chain, which has no getProgramAccounts: the group's known banks and
/// accounts, read afresh.
struct KnownAccounts {
    banks: Vec<Pubkey>,
    accounts: Vec<Pubkey>,
}

impl<C: Chain> Discover<C> for KnownAccounts {
    async fn snapshot(&mut self, chain: &mut C) -> Result<Snapshot, String> {
        load_snapshot(chain, &self.banks, &self.accounts).await.map_err(|error| format!("rpc: {error}"))
    }
}

/// Steps during which the feed is down, and during which the chain fails every third call.
const FEED_DOWN: std::ops::Range<usize> = 20..24;
const CHAIN_FLAKY: std::ops::Range<usize> = 28..34;
/// Steps within which a liquidatable account must have been liquidated.
const WITHIN_STEPS: usize = 2;

/// The last step by which an account liquidatable since `since` must have been liquidated: WITHIN_STEPS
/// later, counted from the end of the chain's failures when it became liquidatable during them. (While the
/// feed is down the bot polls, so it keeps its deadline.)
fn deadline(since: usize) -> usize {
    if CHAIN_FLAKY.contains(&since) {
        CHAIN_FLAKY.end + WITHIN_STEPS
    } else {
        since + WITHIN_STEPS
    }
}

/// The bot's wallet on `simulation`'s chain (its own key with SOL for fees, a million of each mint to repay
/// with) and its settings (no minimum profit, a full refresh every `refresh_every`).
fn funded_bot(simulation: &mut Simulation, refresh_every: Duration) -> (Wallet, Settings) {
    let (group, banks, _) = simulation.market();
    let keypair = Keypair::new();
    let chain = simulation.chain();
    chain.set_account(&keypair.pubkey(), Account::new(100_000_000_000, 0, &anchor_lang::system_program::ID));
    let mut token_accounts = BTreeMap::new();
    let mut inventory = BTreeMap::new();
    for bank in &banks {
        token_accounts.insert(bank.mint, chain.write_token_account(&keypair.pubkey(), &bank.mint, u64::MAX / 4));
        inventory.insert(bank.mint, 1_000_000_000_000_000);
    }
    let wallet = Wallet { keypair, group, token_accounts, lookup_table: None, cu_price: 1_000, margin_account: None };
    let settings = Settings {
        inventory,
        fee_quote: 10_000,
        min_profit_quote: 0,
        refresh_every,
        degraded_refresh_every: Duration::ZERO,
    };
    (wallet, settings)
}

#[tokio::test]
async fn the_bot_liquidates_the_sol_crash_and_reports_it() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let (mut scenario, folder) = margin_cli::scenario::load(&folder.join("sol-crash.toml")).unwrap();
    scenario.liquidators = false;
    let steps = scenario.steps;
    let mut simulation = Simulation::new(scenario, &folder).await.unwrap();
    simulation.step(0).await.unwrap();
    let (_, banks, accounts) = simulation.market();
    assert_eq!(accounts.len(), 200);

    let (wallet, settings) = funded_bot(&mut simulation, Duration::from_secs(3_600));
    let metrics = Arc::new(Metrics::default());
    let feed = TestFeed::default();
    let mut service = Service::new(settings, wallet, feed.clone(), metrics.clone());
    let mut discover =
        KnownAccounts { banks: banks.iter().map(|bank| bank.bank).collect(), accounts: accounts.clone() };

    let mut liquidatable_since: HashMap<Pubkey, usize> = HashMap::new();
    let mut sends_per_slot: HashMap<(Pubkey, u64), usize> = HashMap::new();
    let (mut landed, mut late) = (0, Vec::new());
    for step in 1..steps {
        simulation.step(step).await.unwrap();
        if step == FEED_DOWN.start {
            feed.drop_and_refuse();
        }
        if step == FEED_DOWN.end {
            feed.restore();
        }
        let chain = simulation.chain();
        for bank in &banks {
            feed.push(chain, &bank.price_account).await;
            feed.push(chain, &bank.bank).await;
        }
        let before = load_snapshot(chain, &discover.banks, &accounts).await.unwrap();
        let slot = chain.slot().await.unwrap();
        // Two passes in the same slot: the second must not send again for an account the first sent.
        for _ in 0..2 {
            let mut flaky = Flaky { inner: simulation.chain(), failing: CHAIN_FLAKY.contains(&step), calls: 0 };
            let pass = service.drive_once(std::slice::from_mut(&mut flaky), &mut discover).await;
            for (action, outcome) in &pass.outcomes {
                *sends_per_slot.entry((action.account(), slot)).or_default() += 1;
                if let (Action::Liquidate { account, .. }, Outcome::Landed { .. }) = (action, outcome) {
                    landed += 1;
                    // Never an account the chain showed healthy before the pass.
                    assert_eq!(before.is_liquidatable(account), Ok(true), "step {step}: healthy {account} liquidated");
                }
            }
        }
        // Every account still liquidatable (with collateral left to seize) was so for at most WITHIN_STEPS steps.
        let after = load_snapshot(simulation.chain(), &discover.banks, &accounts).await.unwrap();
        for account in &accounts {
            let collateral = after.health_positions(account).is_ok_and(|p| p.iter().any(|p| p.deposit_tokens > 0));
            if after.is_liquidatable(account) == Ok(true) && collateral {
                let since = *liquidatable_since.entry(*account).or_insert(step);
                if step > deadline(since) {
                    late.push((*account, since, step));
                }
            } else {
                liquidatable_since.remove(account);
            }
        }
    }
    assert!(sends_per_slot.values().all(|count| *count == 1), "an account was sent twice in one slot");
    assert!(landed >= 10, "the crash liquidated accounts: {landed}");
    assert!(late.is_empty(), "liquidatable accounts left waiting past their deadline: {late:?}");

    // What an operator's scraper sees.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let server = tokio::spawn(margin_liquidator::server::serve(listener, metrics.clone(), 3_600, stopped));
    let (status, page) = margin_liquidator::server::get(&address, "/metrics").await.unwrap();
    assert!(status.contains("200"), "{status}");
    assert_eq!(scrape(&page, "accounts_tracked", ""), Some(200));
    assert_eq!(scrape(&page, "liquidations_landed_total", ""), Some(landed));
    assert!(scrape(&page, "subscription_reconnects_total", "").unwrap() >= 1, "the dropped feed was reopened");
    assert!(scrape(&page, "rpc_errors_total", "").unwrap() >= 1, "injected failures were seen and survived");
    assert!(scrape(&page, "full_refreshes_total", "").unwrap() >= 2, "a refresh after the reconnect");
    assert!(scrape(&page, "profit_quote_total", "").unwrap() > 0);
    assert!(scrape(&page, "price_to_send_microseconds_count", "").unwrap() >= 1);
    let (health, _) = margin_liquidator::server::get(&address, "/healthz").await.unwrap();
    assert!(health.contains("200"), "{health}");
    let (missing, _) = margin_liquidator::server::get(&address, "/nothing").await.unwrap();
    assert!(missing.contains("404"), "{missing}");
    stop.send(true).unwrap();
    server.await.unwrap();
    println!("{page}");
}

/// What the bot did through the simulator's stale-Pyth crash: liquidations landed during the outage and after
/// it, and transactions refused or failed over the whole run.
struct OutageRun {
    landed_while_stale: usize,
    landed_after: usize,
    failed: usize,
}

/// Issue 25: the simulator's stale-Pyth crash (SOL's Pyth feed silent from hour 4 to hour 10 of a 55 % fall)
/// with the simulator's liquidators off and the bot driving the program, reading each bank's price account
/// and, when `fallback`, its Switchboard feed.
async fn bot_through_the_stale_crash(fallback: bool) -> OutageRun {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let (scenario, folder) = margin_cli::scenario::load(&folder.join("stale-pyth-crash.toml")).unwrap();
    let mut scenario = scenario.with_defences(margin_cli::scenario::OracleDefences { fallback, dynamic: false });
    scenario.liquidators = false;
    let (steps, stale) = (scenario.steps, scenario.banks[0].stale[0]);
    let mut simulation = Simulation::new(scenario, &folder).await.unwrap();
    simulation.step(0).await.unwrap();
    let (_, banks, _) = simulation.market();
    assert_eq!(banks[0].fallback_price_account.is_some(), fallback);

    // A full refresh every pass: dip buyers open accounts during the crash.
    let (wallet, settings) = funded_bot(&mut simulation, Duration::ZERO);
    let feed = TestFeed::default();
    let mut service = Service::new(settings, wallet, feed.clone(), Arc::new(Metrics::default()));
    let bank_keys: Vec<Pubkey> = banks.iter().map(|bank| bank.bank).collect();
    let mut run = OutageRun { landed_while_stale: 0, landed_after: 0, failed: 0 };
    for step in 1..steps {
        simulation.step(step).await.unwrap();
        let (_, _, accounts) = simulation.market();
        let mut discover = KnownAccounts { banks: bank_keys.clone(), accounts };
        let chain = simulation.chain();
        for bank in &banks {
            for address in [bank.bank, bank.price_account].into_iter().chain(bank.fallback_price_account) {
                feed.push(chain, &address).await;
            }
        }
        let pass = service.drive_once(std::slice::from_mut(simulation.chain()), &mut discover).await;
        let while_stale = (stale[0]..stale[1]).contains(&step);
        for (action, outcome) in &pass.outcomes {
            match (action, outcome) {
                (Action::Liquidate { .. }, Outcome::Landed { .. }) if while_stale => run.landed_while_stale += 1,
                (Action::Liquidate { .. }, Outcome::Landed { .. }) => run.landed_after += usize::from(step >= stale[1]),
                (_, Outcome::Failed(_)) => run.failed += 1,
                _ => {}
            }
        }
    }
    run
}

#[tokio::test]
async fn with_a_fallback_the_bot_liquidates_while_pyth_is_stale() {
    let without = bot_through_the_stale_crash(false).await;
    assert_eq!(without.landed_while_stale, 0, "nothing can be priced on a stale Pyth alone");
    let with = bot_through_the_stale_crash(true).await;
    assert!(with.landed_while_stale >= 10, "liquidations while Pyth was stale: {}", with.landed_while_stale);
    // Without the fallback the backlog lands when Pyth returns.
    assert!(without.landed_after > 0 && with.landed_after > 0);
    assert_eq!((without.failed, with.failed), (0, 0), "no transaction refused");
}
