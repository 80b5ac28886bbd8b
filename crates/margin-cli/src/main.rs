//! `margin`: the scenario simulator on the real program (and, later, trader and governance commands).
use clap::{Args, Parser, Subcommand};
use margin_cli::governance::{self as gov, Authority};
use margin_cli::{chart, keypair, output, report, risk, scenario, sim, trader};
use margin_sdk::chain::RpcChain;
use margin_sdk::instructions::AccountKind;
use margin_sdk::margin::state::FallbackOracle;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "margin", version, about = "Margin: simulate the program on scenarios, in an in-process Solana bank")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs a scenario (TOML) on the real program in an in-process bank; prints each step and a summary.
    Sim {
        /// The scenario file (see scenarios/).
        scenario: PathBuf,
        /// Also write the whole report as JSON here.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Also write a PNG chart here (price with confidence band, total health, bad debt).
        #[arg(long)]
        chart: Option<PathBuf>,
        /// Print every Nth step (0: only the summary).
        #[arg(long, default_value_t = 10)]
        every: usize,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Run the scenario four times, without and with its banks' fallback feeds and dynamic Init margin,
        /// and print the outcomes side by side (a markdown table).
        #[arg(long)]
        compare_oracles: bool,
        /// Run the scenario as given and with its correlation groups dissolved once the accounts opened (the
        /// same book under per-position weights), and print both outcomes (a markdown table).
        #[arg(long, conflicts_with = "compare_oracles")]
        compare_groups: bool,
    },
    /// Deploys a group as a plan (migrations/deploy.toml) says, idempotently: run it again until it reports
    /// nothing left to do (the timelock runs between runs).
    Deploy {
        #[command(flatten)]
        common: Common,
        /// The plan (TOML: group id, guardian, multisig, banks).
        plan: PathBuf,
    },
    /// Opens a margin account (cross or isolated) in a group.
    Open {
        #[command(flatten)]
        common: Common,
        /// The group.
        #[arg(long)]
        group: Pubkey,
        /// The account's index among the owner's accounts.
        #[arg(long, default_value_t = 0)]
        index: u16,
        /// Isolated (one collateral bank, one debt bank) instead of cross.
        #[arg(long)]
        isolated: bool,
    },
    /// Deposits native units of a bank's mint from a token account.
    Deposit(TokenArgs),
    /// Withdraws native units to a token account (Init health must stay ≥ 0 with debt).
    Withdraw(TokenArgs),
    /// Borrows native units into a token account (Init health must stay ≥ 0).
    Borrow(TokenArgs),
    /// Repays native units from a token account (`--amount all` repays everything).
    Repay(TokenArgs),
    /// Closes an empty account.
    Close {
        #[command(flatten)]
        common: Common,
        /// The margin account.
        #[arg(long)]
        account: Pubkey,
    },
    /// Prints an account's positions and its Init, LiqEnd and Maint health (the program's own code).
    Health {
        #[command(flatten)]
        common: Common,
        /// The margin account.
        #[arg(long)]
        account: Pubkey,
    },
    /// Prints what happened to an account: its transactions (oldest first) and the program's events about it
    /// (deposits, borrows, liquidations with the liquidator and amounts, debt written off).
    History {
        #[command(flatten)]
        common: Common,
        /// The margin account.
        #[arg(long)]
        account: Pubkey,
        /// How many of its latest transactions.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Prints the most the account can borrow from a bank now, native units.
    MaxBorrow {
        #[command(flatten)]
        common: Common,
        /// The margin account.
        #[arg(long)]
        account: Pubkey,
        /// The bank.
        #[arg(long)]
        bank: Pubkey,
    },
    /// Governance: show, propose, tighten, execute, cancel, pause, unpause, what-if.
    #[command(subcommand)]
    Gov(Gov),
    /// A local cluster with a listed group: start it, crash a price, travel in time.
    #[command(subcommand)]
    Localnet(Localnet),
    /// Risk calibration from price history: calibrate, backtest, propose (docs/RISK.md).
    #[command(subcommand)]
    Risk(Risk),
    /// Prints the most the account can withdraw from a bank now, native units.
    MaxWithdraw {
        #[command(flatten)]
        common: Common,
        /// The margin account.
        #[arg(long)]
        account: Pubkey,
        /// The bank.
        #[arg(long)]
        bank: Pubkey,
    },
}

#[derive(Subcommand)]
enum Gov {
    /// The group's roles, settings and pause.
    ShowGroup {
        #[arg(long, default_value = "http://127.0.0.1:8899")]
        url: String,
        group: Pubkey,
    },
    /// A bank's parameters (governance names) and totals.
    ShowBank {
        #[arg(long, default_value = "http://127.0.0.1:8899")]
        url: String,
        bank: Pubkey,
    },
    /// Proposes `name=value` changes to a bank (the admin; timelocked).
    ProposeBankChange {
        #[command(flatten)]
        signer: GovSigner,
        bank: Pubkey,
        changes: Vec<String>,
    },
    /// Proposes listing a mint with its pinned Pyth price account, from a preset plus `name=value` changes.
    ProposeListing {
        #[command(flatten)]
        signer: GovSigner,
        #[arg(long)]
        group: Pubkey,
        #[arg(long)]
        mint: Pubkey,
        #[arg(long)]
        price_account: Pubkey,
        /// The Pyth feed id, 64 hex digits.
        #[arg(long)]
        feed_id: String,
        /// `volatile` (SOL-like) or `stable` (USDC-like) reference parameters.
        #[arg(long, default_value = "volatile")]
        preset: String,
        changes: Vec<String>,
    },
    /// Proposes a bank's fallback price source, a Switchboard On-Demand pull feed (the admin; timelocked), or
    /// its removal (`--remove`).
    ProposeFallback {
        #[command(flatten)]
        signer: GovSigner,
        bank: Pubkey,
        /// The pull feed account.
        #[arg(long, required_unless_present = "remove")]
        feed: Option<Pubkey>,
        /// Largest gap between Pyth and the feed at which new risk may still open, bps (at most 5,000).
        #[arg(long, default_value_t = 200)]
        max_divergence_bps: u32,
        /// Remove the bank's fallback.
        #[arg(long, conflicts_with = "feed")]
        remove: bool,
    },
    /// Proposes a correlation group (portfolio margin): each --bank with its --moves, the price move in each
    /// scenario in bps (comma-separated, up to 16; every pair of banks needs a scenario 1 % apart: a de-peg);
    /// or --dissolve to take the banks out of their groups.
    ProposeCorrelation {
        #[command(flatten)]
        signer: GovSigner,
        /// A bank of the group (repeat, in the order of --moves).
        #[arg(long = "bank", required = true)]
        banks: Vec<Pubkey>,
        /// The bank's moves, bps, e.g. "-3000,3000,-500,500" (repeat, one per --bank).
        #[arg(long = "moves", allow_hyphen_values = true, required_unless_present = "dissolve")]
        moves: Vec<String>,
        /// The multiple of the moves Init and LiqEnd use, bps (10,000 to 30,000).
        #[arg(long, default_value_t = 12_000)]
        init_scale_bps: u32,
        /// Take the banks out of their groups.
        #[arg(long, conflicts_with = "moves")]
        dissolve: bool,
    },
    /// Proposes a new admin and guardian (settings unchanged).
    ProposeGroupChange {
        #[command(flatten)]
        signer: GovSigner,
        group: Pubkey,
        #[arg(long)]
        new_admin: Pubkey,
        #[arg(long)]
        new_guardian: Pubkey,
    },
    /// Applies risk-reducing `name=value` changes at once (the admin or the guardian).
    Tighten {
        #[command(flatten)]
        signer: GovSigner,
        bank: Pubkey,
        changes: Vec<String>,
    },
    /// Executes a proposal after its eta (anyone).
    Execute {
        #[command(flatten)]
        signer: GovSigner,
        proposal: Pubkey,
    },
    /// Cancels a pending proposal (the admin or the guardian).
    Cancel {
        #[command(flatten)]
        signer: GovSigner,
        proposal: Pubkey,
    },
    /// Pauses the group (the guardian).
    Pause {
        #[command(flatten)]
        signer: GovSigner,
        group: Pubkey,
        seconds: u32,
    },
    /// Lifts the group's pause (the admin).
    Unpause {
        #[command(flatten)]
        signer: GovSigner,
        group: Pubkey,
    },
    /// How many accounts, and how much debt, would fall below Init and Maint under `name=value` changes.
    WhatIf {
        #[arg(long, default_value = "http://127.0.0.1:8899")]
        url: String,
        /// The bank's group.
        #[arg(long)]
        group: Pubkey,
        bank: Pubkey,
        changes: Vec<String>,
    },
}

#[derive(Subcommand)]
enum Localnet {
    /// Starts the cluster (127.0.0.1), funds the keypairs, lists the plan's banks by the migration, writes
    /// localnet.json, deploy.toml and liquidator.toml to the state folder, and drives prices until Ctrl-C.
    Start {
        /// The plan.
        #[arg(long, default_value = "migrations/localnet.toml")]
        plan: PathBuf,
        /// The state folder (keypairs, localnet.json, deploy.toml, liquidator.toml, crashes.json).
        #[arg(long, default_value = ".localnet")]
        state: PathBuf,
        /// The cluster binary (default: beside `margin`, then the cache crates/margin-localnet/start.sh builds).
        #[arg(long)]
        cluster: Option<PathBuf>,
        /// The margin program's SBF .so (default: the cache tests/sbf/build.sh writes).
        #[arg(long)]
        program: Option<PathBuf>,
        #[arg(long, default_value_t = 8899)]
        rpc_port: u16,
        #[arg(long, default_value_t = 8900)]
        ws_port: u16,
        /// Port of the generated liquidator config's /metrics.
        #[arg(long, default_value_t = 9464)]
        metrics_port: u16,
        /// Seconds between price updates.
        #[arg(long, default_value_t = 2.0)]
        tick: f64,
        /// Replay the plan's price histories (../shared/data) instead of the synthetic walk.
        #[arg(long, conflicts_with = "steady")]
        history: bool,
        /// Hold every price at the plan's (crashes still apply): reproducible numbers for demos and tests.
        #[arg(long)]
        steady: bool,
        /// A Solana CLI keypair file to fund too (SOL and every bank's token); repeatable.
        #[arg(long)]
        wallet: Vec<PathBuf>,
    },
    /// Crashes a bank's price PERCENT % below its path from the next tick on (0 restores it).
    Crash {
        /// The bank's name in the plan (SOL, USDC, ...).
        bank: String,
        /// How far below the path, percent (0 to under 100).
        percent: f64,
        #[arg(long, default_value = ".localnet")]
        state: PathBuf,
    },
    /// Stops publishing a bank's price feed (`on`) from the next tick, so that its price goes stale once the
    /// bank's max age passes (an oracle outage), or resumes it (`off`).
    Outage {
        /// The bank's name in the plan (SOL, USDC, ...).
        bank: String,
        /// on or off.
        #[arg(value_parser = ["on", "off"])]
        state_now: String,
        #[arg(long, default_value = ".localnet")]
        state: PathBuf,
    },
    /// Moves the cluster clock SECONDS forward (a timelock passes at once).
    Warp {
        seconds: u32,
        #[arg(long, default_value = "http://127.0.0.1:8899")]
        url: String,
    },
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stop_signal() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let term = async {
        match terminate.as_mut() {
            Some(signal) => drop(signal.recv().await),
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

async fn localnet_command(command: Localnet) -> Result<(), String> {
    use margin_cli::localnet::{self, prices, surfnet};
    match command {
        Localnet::Start {
            plan,
            state,
            cluster,
            program,
            rpc_port,
            ws_port,
            metrics_port,
            tick,
            history,
            steady,
            wallet,
        } => {
            if !(tick > 0.0 && tick <= 3600.0) {
                return Err(format!("--tick {tick}: seconds, above 0 and at most 3600"));
            }
            let (default_cluster, default_program) = localnet::cluster::default_paths();
            let options = localnet::StartOptions {
                plan,
                state,
                cluster: cluster.unwrap_or(default_cluster),
                program: program.unwrap_or(default_program),
                ports: (rpc_port, ws_port),
                metrics_port,
                tick: std::time::Duration::from_secs_f64(tick),
                prices: match (history, steady) {
                    (true, _) => prices::PathSource::History,
                    (_, true) => prices::PathSource::Steady,
                    _ => prices::PathSource::Walk,
                },
                wallets: wallet,
            };
            localnet::start(options, stop_signal()).await
        }
        Localnet::Crash { bank, percent, state } => {
            let summary = localnet::setup::Summary::read(&state)?;
            if summary.bank(&bank).is_none() {
                let names: Vec<&str> = summary.banks.iter().map(|bank| bank.name.as_str()).collect();
                return Err(format!("no bank {bank:?} on this localnet ({})", names.join(", ")));
            }
            prices::set_crash(&state, &bank, percent)?;
            println!("{bank}: {percent} % below its path from the next tick");
            Ok(())
        }
        Localnet::Outage { bank, state_now, state } => {
            let summary = localnet::setup::Summary::read(&state)?;
            if summary.bank(&bank).is_none() {
                let names: Vec<&str> = summary.banks.iter().map(|bank| bank.name.as_str()).collect();
                return Err(format!("no bank {bank:?} on this localnet ({})", names.join(", ")));
            }
            prices::set_outage(&state, &bank, state_now == "on")?;
            println!("{bank}: feed {} from the next tick", if state_now == "on" { "out" } else { "published" });
            Ok(())
        }
        Localnet::Warp { seconds, url } => {
            let chain = RpcChain::new(&url);
            let now = surfnet::clock(&chain).await?;
            surfnet::time_travel(&chain, now + i64::from(seconds)).await?;
            println!("clock: {} -> {}", now, surfnet::clock(&chain).await?);
            Ok(())
        }
    }
}

/// Who signs a governance instruction: a keypair, or a multisig vault (the message is printed instead).
#[derive(Args)]
struct GovSigner {
    #[command(flatten)]
    common: Common,
    /// A multisig vault that signs for the admin: print the instruction as a base58 message for a vault
    /// transaction (Squads) instead of sending it.
    #[arg(long)]
    multisig: Option<Pubkey>,
}

impl GovSigner {
    fn authority(&self) -> Result<Authority, String> {
        Ok(match self.multisig {
            Some(vault) => Authority::Multisig { vault },
            None => Authority::Key { keypair: self.common.signer()?, dry_run: self.common.dry_run },
        })
    }

    fn chain(&self) -> RpcChain {
        RpcChain::new(&self.common.url)
    }
}

/// What every command against a cluster takes.
#[derive(Args)]
struct Common {
    /// JSON-RPC URL of the cluster.
    #[arg(long, default_value = "http://127.0.0.1:8899")]
    url: String,
    /// The signer's keypair file (Solana CLI format); it pays the fees.
    #[arg(long, default_value = "~/.config/solana/id.json")]
    keypair: String,
    /// Simulate instead of sending.
    #[arg(long)]
    dry_run: bool,
}

/// A token action's arguments.
#[derive(Args)]
struct TokenArgs {
    #[command(flatten)]
    common: Common,
    /// The margin account.
    #[arg(long)]
    account: Pubkey,
    /// The bank.
    #[arg(long)]
    bank: Pubkey,
    /// The owner's token account of the bank's mint.
    #[arg(long)]
    token_account: Pubkey,
    /// Native units (or `all` for a repay).
    #[arg(long)]
    amount: String,
}

impl Common {
    fn signer(&self) -> Result<solana_sdk::signature::Keypair, String> {
        let path = match self.keypair.strip_prefix("~/") {
            Some(rest) => std::path::PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(rest),
            None => std::path::PathBuf::from(&self.keypair),
        };
        keypair::read(&path)
    }
}

fn amount(text: &str) -> Result<Option<u64>, String> {
    if text == "all" {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| format!("--amount {text}: native units (a whole number) or `all`"))
}

async fn token_command(args: TokenArgs, make: fn(Option<u64>) -> Result<trader::Action, String>) -> Result<(), String> {
    let owner = args.common.signer()?;
    let mut chain = RpcChain::new(&args.common.url);
    let action = make(amount(&args.amount)?)?;
    let outcome = trader::token_action(
        &mut chain,
        &owner,
        (&args.account, &args.bank, &args.token_account),
        action,
        args.common.dry_run,
    )
    .await?;
    println!("{}", if outcome.dry_run { "simulated: would succeed" } else { "done" });
    Ok(())
}

fn exact(amount: Option<u64>) -> Result<u64, String> {
    amount.ok_or_else(|| "--amount all: only for repay".to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // program-test logs every transaction at debug level unless told otherwise.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("margin: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Sim { scenario, compare_oracles: true, .. } => {
            let (loaded, folder) = scenario::load(&scenario)?;
            let mut out = output::Output::without_program_logs();
            let mut rows = Vec::new();
            for defences in scenario::OracleDefences::ALL {
                let simulation = sim::Simulation::new(loaded.clone().with_defences(defences), &folder).await?;
                rows.push((defences.label().to_string(), simulation.run(|_| {}).await?));
            }
            out.line(&report::comparison_table(&rows));
            Ok(())
        }
        Command::Sim { scenario, compare_groups: true, .. } => {
            let (loaded, folder) = scenario::load(&scenario)?;
            let mut out = output::Output::without_program_logs();
            let mut rows = Vec::new();
            for (label, run) in
                [("correlation groups", loaded.clone()), ("per-position weights", loaded.per_position())]
            {
                let simulation = sim::Simulation::new(run, &folder).await?;
                rows.push((label.to_string(), simulation.run(|_| {}).await?));
            }
            out.line(&report::comparison_table(&rows));
            Ok(())
        }
        Command::Sim { scenario, json, chart, every, quiet, .. } => {
            let (loaded, folder) = scenario::load(&scenario)?;
            let steps = loaded.steps as u64;
            // The program runs natively in this process and prints its logs to stdout; keep them out of ours.
            let mut out = output::Output::without_program_logs();
            let simulation = sim::Simulation::new(loaded, &folder).await?;
            let bar = if quiet { indicatif::ProgressBar::hidden() } else { indicatif::ProgressBar::new(steps) };
            let report = simulation
                .run(|row| {
                    if every > 0 && row.step % every == 0 {
                        bar.suspend(|| out.line(&report::Report::step_line(row)));
                    }
                    bar.inc(1);
                })
                .await?;
            bar.finish_and_clear();
            out.line(&report.summary_text());
            if let Some(path) = json {
                let text = serde_json::to_string_pretty(&report).map_err(|error| error.to_string())?;
                std::fs::write(&path, text).map_err(|error| format!("{}: {error}", path.display()))?;
            }
            if let Some(path) = chart {
                chart::write(&report, &path)?;
            }
            Ok(())
        }
        Command::Open { common, group, index, isolated } => {
            let owner = common.signer()?;
            let kind = if isolated { AccountKind::Isolated } else { AccountKind::Cross };
            let mut chain = RpcChain::new(&common.url);
            let account = trader::open(&mut chain, &owner, (&group, index, kind), common.dry_run).await?;
            println!("account {account} of {}", owner.pubkey());
            Ok(())
        }
        Command::Deposit(args) => token_command(args, |amount| Ok(trader::Action::Deposit(exact(amount)?))).await,
        Command::Withdraw(args) => token_command(args, |amount| Ok(trader::Action::Withdraw(exact(amount)?))).await,
        Command::Borrow(args) => token_command(args, |amount| Ok(trader::Action::Borrow(exact(amount)?))).await,
        Command::Repay(args) => token_command(args, |amount| Ok(trader::Action::Repay(amount))).await,
        Command::Close { common, account } => {
            let owner = common.signer()?;
            trader::close(&mut RpcChain::new(&common.url), &owner, &account, common.dry_run).await?;
            println!("closed {account}");
            Ok(())
        }
        Command::Health { common, account } => {
            let report = trader::health(&mut RpcChain::new(&common.url), &account).await?;
            println!("{}", report.text());
            Ok(())
        }
        Command::History { common, account, limit } => {
            for line in margin_cli::history::history(&RpcChain::new(&common.url), &account, limit).await? {
                println!("{line}");
            }
            Ok(())
        }
        Command::MaxBorrow { common, account, bank } => {
            println!("{}", trader::max_borrow(&mut RpcChain::new(&common.url), &account, &bank).await?);
            Ok(())
        }
        Command::Gov(command) => governance_command(command).await,
        Command::Localnet(command) => localnet_command(command).await,
        Command::Deploy { common, plan } => {
            let text = std::fs::read_to_string(&plan).map_err(|error| format!("{}: {error}", plan.display()))?;
            let plan: margin_cli::deploy::DeployPlan =
                toml::from_str(&text).map_err(|error| format!("{}: {error}", plan.display()))?;
            let mut chain = RpcChain::new(&common.url);
            for line in margin_cli::deploy::deploy(&mut chain, &common.signer()?, &plan).await? {
                println!("{line}");
            }
            Ok(())
        }
        Command::Risk(command) => {
            println!("{}", risk_command(command)?);
            Ok(())
        }
        Command::MaxWithdraw { common, account, bank } => {
            println!("{}", trader::max_withdraw(&mut RpcChain::new(&common.url), &account, &bank).await?);
            Ok(())
        }
    }
}

#[derive(Subcommand)]
enum Risk {
    /// Historical and filtered VaR/ES of the worst move within the liquidation horizon; recommends weights,
    /// confidence multipliers and bonus bounds, with the reasoning and (with --chart) the distribution.
    Calibrate {
        #[command(flatten)]
        inputs: RiskInputs,
        /// Also write a PNG of the distribution of worst falls with the chosen haircuts.
        #[arg(long)]
        chart: Option<PathBuf>,
        /// Also calibrate the weights on the horizons that follow liquidation triggers (accounts opened at
        /// maximum Init leverage every bar), to cover at least --target of the liquidations.
        #[arg(long)]
        conditional: bool,
        /// With --conditional: the fraction of liquidations that must cover their debt.
        #[arg(long, default_value_t = 0.999)]
        target: f64,
        /// With --conditional: the dynamic Init margin, k_divergence/k_expansion/max_extra in bps (0/0/0: off).
        #[arg(long, default_value = "10000/20000/1500")]
        dynamic: String,
    },
    /// Backtests the current and the recommended parameters on the history: breaches at the Maint limit
    /// (Kupiec's test), accounts opened at maximum Init leverage, liquidated, and the bad debt left.
    Backtest {
        #[command(flatten)]
        inputs: RiskInputs,
        /// Open an account every N bars (default: every liquidation horizon).
        #[arg(long)]
        stride: Option<usize>,
    },
    /// The bounded sequence of governance proposals from the current parameters to the recommended ones.
    Propose {
        #[command(flatten)]
        inputs: RiskInputs,
    },
    /// Correlation-group scenarios for two banks from their price histories (SPAN's scan ranges, the spread
    /// as the de-peg, extremes), judged on the history against per-position haircuts.
    Groups {
        /// The two price histories (same bar spacing): `--prices a.csv --prices b.csv`.
        #[arg(long, required = true)]
        prices: Vec<PathBuf>,
        /// The liquidation horizon (30m, 1h, 4h, 1d, ...).
        #[arg(long, default_value = "4h")]
        horizon: String,
        /// The scan ranges' confidence.
        #[arg(long, default_value_t = 0.999)]
        confidence: f64,
    },
}

#[derive(Args)]
struct RiskInputs {
    /// Price history (CSV: Binance klines or a Yahoo export), e.g. ../shared/data/binance-solusdt-1h.csv.
    #[arg(long)]
    prices: PathBuf,
    /// The liquidation horizon: how long a liquidation may take to complete (30m, 1h, 4h, 1d, ...).
    #[arg(long, default_value = "1h")]
    horizon: String,
    /// Maint/Init confidence levels.
    #[arg(long, default_value = "0.99/0.999")]
    confidence: String,
    /// The parameters in force now: the volatile or the stable preset.
    #[arg(long, default_value = "volatile")]
    preset: String,
}

impl RiskInputs {
    fn load(&self) -> Result<risk::Inputs, String> {
        risk::Inputs::load(&self.prices, &self.horizon, &self.confidence, &self.preset)
    }
}

fn risk_command(command: Risk) -> Result<String, String> {
    match command {
        Risk::Calibrate { inputs, chart, conditional, target, dynamic } => {
            let inputs = inputs.load()?;
            let calibration = inputs.calibration()?;
            if let Some(path) = chart {
                risk::chart::write(&calibration, &path)?;
            }
            let text = risk::calibration_text(&calibration, &inputs.current);
            if !conditional {
                return Ok(text);
            }
            if !(0.5..1.0).contains(&target) {
                return Err(format!("--target {target}: a fraction of liquidations, from 0.5 to under 1"));
            }
            let rule = risk::conditional::DynamicRule::parse(&dynamic)?;
            let hold = (30 * 86_400 / inputs.history.bar_seconds.max(1)) as usize;
            let preset = risk::weights_of(&inputs.current);
            let result =
                risk::conditional::calibrate_conditional(&inputs.history, &calibration, preset, (target, rule), hold);
            Ok(format!("{text}\n\n{}", risk::conditional::conditional_text(&calibration.asset, &result)))
        }
        Risk::Backtest { inputs, stride } => {
            let inputs = inputs.load()?;
            let calibration = inputs.calibration()?;
            let (current, recommended) = inputs.backtests(&calibration, stride.unwrap_or(calibration.horizon_bars));
            Ok(risk::backtest_text(&current, &recommended))
        }
        Risk::Groups { prices, horizon, confidence } => {
            let histories =
                prices.iter().map(|path| risk::history::History::load(path)).collect::<Result<Vec<_>, _>>()?;
            let [a, b] = &histories[..] else { return Err("--prices: two files".into()) };
            let bars = (risk::parse_horizon(&horizon)? / a.bar_seconds.max(1)).max(1) as usize;
            Ok(risk::groups::groups_text(&risk::groups::recommend(a, b, bars, confidence)?))
        }
        Risk::Propose { inputs } => {
            let inputs = inputs.load()?;
            let target = inputs.calibration()?.apply(inputs.current);
            let steps = risk::propose::plan(inputs.current, target, &margin_sdk::presets::governance_settings())?;
            Ok(risk::proposals_text(&steps))
        }
    }
}

async fn governance_command(command: Gov) -> Result<(), String> {
    let text = match command {
        Gov::ShowGroup { url, group } => gov::show_group(&mut RpcChain::new(&url), &group).await?,
        Gov::ShowBank { url, bank } => gov::show_bank(&mut RpcChain::new(&url), &bank).await?,
        Gov::ProposeBankChange { signer, bank, changes } => {
            gov::propose_bank_change(&mut signer.chain(), &signer.authority()?, &bank, &changes).await?
        }
        Gov::ProposeListing { signer, group, mint, price_account, feed_id, preset, changes } => {
            let base = match preset.as_str() {
                "volatile" => margin_sdk::presets::volatile_params(),
                "stable" => margin_sdk::presets::stable_params(),
                other => return Err(format!("--preset {other}: volatile or stable")),
            };
            let params = margin_sdk::params::with_changes(base, &changes)?;
            let feed = gov::feed_id(&feed_id)?;
            gov::propose_listing(
                &mut signer.chain(),
                &signer.authority()?,
                (&group, &mint, &price_account),
                feed,
                params,
            )
            .await?
        }
        Gov::ProposeFallback { signer, bank, feed, max_divergence_bps, remove } => {
            let fallback = match (feed, remove) {
                (Some(price_account), false) => FallbackOracle { max_divergence_bps, price_account },
                _ => FallbackOracle::default(),
            };
            gov::propose_fallback(&mut signer.chain(), &signer.authority()?, &bank, fallback).await?
        }
        Gov::ProposeCorrelation { signer, banks, moves, init_scale_bps, dissolve } => {
            let args = gov::correlation_args(&moves, if dissolve { 0 } else { init_scale_bps })?;
            gov::propose_correlation(&mut signer.chain(), &signer.authority()?, &banks, args).await?
        }
        Gov::ProposeGroupChange { signer, group, new_admin, new_guardian } => {
            gov::propose_group_change(&mut signer.chain(), &signer.authority()?, &group, (&new_admin, &new_guardian))
                .await?
        }
        Gov::Tighten { signer, bank, changes } => {
            gov::tighten(&mut signer.chain(), &signer.authority()?, &bank, &changes).await?
        }
        Gov::Execute { signer, proposal } => gov::execute(&mut signer.chain(), &signer.authority()?, &proposal).await?,
        Gov::Cancel { signer, proposal } => gov::cancel(&mut signer.chain(), &signer.authority()?, &proposal).await?,
        Gov::Pause { signer, group, seconds } => {
            gov::pause(&mut signer.chain(), &signer.authority()?, &group, seconds).await?
        }
        Gov::Unpause { signer, group } => gov::unpause(&mut signer.chain(), &signer.authority()?, &group).await?,
        Gov::WhatIf { url, group, bank, changes } => {
            let mut chain = RpcChain::new(&url);
            let params = gov::changed_params(&mut chain, &bank, &changes).await?;
            let snapshot = chain.group_snapshot(&group).await.map_err(|error| error.to_string())?;
            let what_if = gov::what_if(&snapshot, &bank, &params)?;
            serde_json::to_string_pretty(&what_if).map_err(|error| error.to_string())?
        }
    };
    println!("{text}");
    Ok(())
}
