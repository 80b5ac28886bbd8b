//! `margin localnet`: a real local cluster with a listed group, in one command (issue 22).
//!
//! `start` runs the cluster binary (`margin-localnet`: surfpool on 127.0.0.1, the program's SBF `.so`), then
//! over JSON-RPC: funds the localnet's keypairs (admin, guardian, trader, liquidator, in the state folder) and
//! any `--wallet` file, writes the plan's mints and every wallet's token accounts, starts the price driver,
//! and deploys the group with the migration (`margin deploy`'s code), passing each timelock by time travel.
//! It writes `localnet.json` (every address), `deploy.toml` and `liquidator.toml` to the state folder, prints
//! `localnet ready`, and drives prices until Ctrl-C. `crash` moves a price on demand; `warp` travels in time.
pub mod cluster;
pub mod plan;
pub mod prices;
pub mod setup;
pub mod surfnet;

use std::path::PathBuf;
use std::time::Duration;

use margin_sdk::chain::RpcChain;

use crate::path::Random;
use cluster::Cluster;
use plan::LocalnetPlan;
use prices::Feed;

/// How `start` runs.
#[derive(Clone, Debug)]
pub struct StartOptions {
    /// The plan (migrations/localnet.toml).
    pub plan: PathBuf,
    /// Where keypairs, `localnet.json`, `deploy.toml`, `liquidator.toml` and the crash file go.
    pub state: PathBuf,
    /// The cluster binary.
    pub cluster: PathBuf,
    /// The margin program's SBF `.so`.
    pub program: PathBuf,
    /// JSON-RPC and websocket ports on 127.0.0.1.
    pub ports: (u16, u16),
    /// Where the generated liquidator config serves its metrics (127.0.0.1).
    pub metrics_port: u16,
    /// Seconds between price ticks.
    pub tick: Duration,
    /// Where prices come from: the synthetic walk, the plan's prices held, or the plan's histories.
    pub prices: prices::PathSource,
    /// More Solana CLI keypair files to fund (SOL and every bank's token).
    pub wallets: Vec<PathBuf>,
}

/// Starts the localnet and drives prices until `stop` resolves (or the cluster exits).
pub async fn start(options: StartOptions, stop: impl std::future::Future<Output = ()>) -> Result<(), String> {
    let text =
        std::fs::read_to_string(&options.plan).map_err(|error| format!("{}: {error}", options.plan.display()))?;
    let plan = LocalnetPlan::parse(&text).map_err(|error| format!("{}: {error}", options.plan.display()))?;
    let plan_folder = options.plan.parent().map(PathBuf::from).unwrap_or_default();
    let mut feeds =
        plan.banks.iter().map(|bank| Feed::new(bank, options.prices, &plan_folder)).collect::<Result<Vec<_>, _>>()?;
    std::fs::create_dir_all(&options.state).map_err(|error| format!("{}: {error}", options.state.display()))?;
    let _ = std::fs::remove_file(prices::crash_file(&options.state));
    let started = std::time::Instant::now();
    let mut cluster = Cluster::start(&options.cluster, &options.program, options.ports, Duration::from_secs(120))?;
    eprintln!("cluster ready in {:.1} s", started.elapsed().as_secs_f64());
    let rpc_url = format!("http://127.0.0.1:{}", options.ports.0);
    let chain = RpcChain::new(&rpc_url);
    let mut random = Random::new(0x10ca1);
    let summary = setup::bootstrap(&chain, &plan, &options, &mut feeds, &mut random).await?;
    println!("{}", summary.text());
    println!("localnet ready in {:.1} s", started.elapsed().as_secs_f64());
    tokio::pin!(stop);
    let mut ticks = tokio::time::interval(options.tick);
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = ticks.tick() => {
                if !cluster.running() {
                    return Err("the cluster exited".into());
                }
                if let Err(error) = setup::publish_prices(&chain, &options.state, &mut feeds, &mut random).await {
                    eprintln!("price driver: {error}");
                }
            }
        }
    }
    eprintln!("stopping the cluster");
    cluster.stop();
    Ok(())
}
