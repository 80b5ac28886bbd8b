//! The localnet's bootstrap over JSON-RPC: keypairs, funding, mints and token accounts, first prices, the
//! group deployed by the migration with each timelock passed by time travel, the liquidator's own margin
//! account; and the files a user (and the bot) reads: `localnet.json`, `deploy.toml`, `liquidator.toml`.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use margin_sdk::accounts;
use margin_sdk::addresses;
use margin_sdk::chain::RpcChain;
use margin_sdk::instructions::AccountKind;
use margin_sdk::tokens;
use serde::{Deserialize, Serialize};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use super::plan::LocalnetPlan;
use super::prices::{self, Feed};
use super::{surfnet, StartOptions};
use crate::path::Random;

/// SOL every localnet keypair is funded with, lamports.
const FUNDING_LAMPORTS: u64 = 1_000 * 1_000_000_000;
/// Deployment runs at most (each after a time travel past the eta it waits for).
const DEPLOY_RUNS: usize = 5;

/// What a user and the tests read: `localnet.json` in the state folder.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    pub rpc_url: String,
    pub ws_url: String,
    pub group: String,
    pub banks: Vec<BankSummary>,
    pub wallets: Vec<WalletSummary>,
    /// The liquidator's own margin account (collateral a short vault cannot pay goes there).
    pub liquidator_account: String,
}

/// A listed bank.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct BankSummary {
    pub name: String,
    pub bank: String,
    pub mint: String,
    pub token_program: String,
    pub price_account: String,
}

/// A funded keypair and its token account per bank name.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct WalletSummary {
    pub name: String,
    pub keypair: String,
    pub pubkey: String,
    pub token_accounts: BTreeMap<String, String>,
}

impl Summary {
    /// Reads `localnet.json` from a state folder.
    pub fn read(state: &Path) -> Result<Summary, String> {
        let path = state.join("localnet.json");
        let text = std::fs::read_to_string(&path)
            .map_err(|error| format!("{}: {error} (is a localnet started with this --state?)", path.display()))?;
        serde_json::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))
    }

    /// A wallet by name.
    pub fn wallet(&self, name: &str) -> Option<&WalletSummary> {
        self.wallets.iter().find(|wallet| wallet.name == name)
    }

    /// A bank by name.
    pub fn bank(&self, name: &str) -> Option<&BankSummary> {
        self.banks.iter().find(|bank| bank.name == name)
    }

    /// What `start` prints: the addresses and commands to try.
    pub fn text(&self) -> String {
        let mut out = format!("group {}\nrpc {}  ws {}\n", self.group, self.rpc_url, self.ws_url);
        for bank in &self.banks {
            out += &format!("bank {:<5} {}  mint {}  price {}\n", bank.name, bank.bank, bank.mint, bank.price_account);
        }
        for wallet in &self.wallets {
            out += &format!("wallet {:<10} {}  ({})\n", wallet.name, wallet.pubkey, wallet.keypair);
        }
        if let (Some(trader), Some(sol), Some(usdc)) = (self.wallet("trader"), self.bank("SOL"), self.bank("USDC")) {
            let keypair = &trader.keypair;
            out += &format!(
                "try:\n  margin open --url {url} --keypair {keypair} --group {}\n  margin deposit --url {url} --keypair {keypair} --account <account> --bank {} --token-account {} --amount 10000000000\n  margin max-borrow --url {url} --account <account> --bank {}\n",
                self.group, sol.bank, trader.token_accounts["SOL"], usdc.bank, url = self.rpc_url
            );
        }
        out
    }
}

/// The keypair of `role` (admin, guardian, trader, liquidator, lender) among the funded ones.
fn role<'a>(wallets: &'a [(String, (Keypair, PathBuf))], name: &str) -> &'a Keypair {
    &wallets.iter().find(|(role, _)| role == name).expect("the localnet's roles are funded first").1 .0
}

/// A keypair of the state folder, made on first use.
fn state_keypair(state: &Path, name: &str) -> Result<(Keypair, PathBuf), String> {
    let path = state.join(format!("{name}.json"));
    if !path.exists() {
        crate::keypair::write(&Keypair::new(), &path)?;
    }
    Ok((crate::keypair::read(&path)?, path))
}

/// Everything `start` sets up before the price driver runs on its own.
pub async fn bootstrap(
    chain: &RpcChain,
    plan: &LocalnetPlan,
    options: &StartOptions,
    feeds: &mut [Feed],
    random: &mut Random,
) -> Result<Summary, String> {
    let state = &options.state;
    let mut wallets = Vec::new();
    for name in ["admin", "guardian", "trader", "liquidator", "lender"] {
        wallets.push((name.to_string(), state_keypair(state, name)?));
    }
    for path in &options.wallets {
        let name = path.file_stem().map(|stem| stem.to_string_lossy().into_owned()).unwrap_or_default();
        wallets.push((name, (crate::keypair::read(path)?, path.clone())));
    }
    let mut summaries = Vec::new();
    for (name, (keypair, path)) in &wallets {
        surfnet::set_lamports(chain, &keypair.pubkey(), FUNDING_LAMPORTS).await?;
        let mut token_accounts = BTreeMap::new();
        for bank in &plan.banks {
            let token_program = bank.token_program()?;
            let address = tokens::associated_address(&keypair.pubkey(), &bank.mint(), &token_program);
            let extra = match name.as_str() {
                "admin" => bank.insurance,
                "lender" => bank.liquidity,
                _ => 0,
            };
            let amount = bank.wallet + extra;
            let account = tokens::token_account(&keypair.pubkey(), &bank.mint(), amount, &token_program);
            surfnet::set_account(chain, &address, &account).await?;
            token_accounts.insert(bank.name.clone(), address.to_string());
        }
        summaries.push(WalletSummary {
            name: name.clone(),
            keypair: path.display().to_string(),
            pubkey: keypair.pubkey().to_string(),
            token_accounts,
        });
    }
    let admin = role(&wallets, "admin");
    confirm_program(chain, admin).await?;
    for bank in &plan.banks {
        let mint = tokens::mint_account(&admin.pubkey(), bank.decimals, &bank.token_program()?);
        surfnet::set_account(chain, &bank.mint(), &mint).await?;
    }
    publish_prices(chain, state, feeds, random).await?;

    let admin_wallet = summaries.iter().find(|wallet| wallet.name == "admin").expect("the admin is funded");
    let funds: Vec<Pubkey> = plan
        .banks
        .iter()
        .map(|bank| admin_wallet.token_accounts[&bank.name].parse().expect("an address we wrote"))
        .collect();
    let deployment = plan.deploy_plan(&role(&wallets, "guardian").pubkey(), &funds);
    let deploy_file = state.join("deploy.toml");
    let text = toml::to_string_pretty(&deployment).map_err(|error| error.to_string())?;
    std::fs::write(&deploy_file, text).map_err(|error| format!("{}: {error}", deploy_file.display()))?;
    deploy_until_done(chain, admin, &deployment, (state, feeds, random)).await?;

    let group = addresses::group(plan.group_id);
    let liquidator = role(&wallets, "liquidator");
    let mut rpc = RpcChain::new(&chain.client.url());
    let liquidator_account = addresses::margin_account(&group, &liquidator.pubkey(), 0);
    if margin_sdk::chain::Chain::account(&mut rpc, &liquidator_account)
        .await
        .map_err(|error| error.to_string())?
        .is_none()
    {
        crate::trader::open(&mut rpc, liquidator, (&group, 0, AccountKind::Cross), false).await?;
    }
    let lender = summaries.iter().find(|wallet| wallet.name == "lender").expect("the lender is funded");
    lend(&mut rpc, &group, role(&wallets, "lender"), plan, lender).await?;
    let banks = plan
        .banks
        .iter()
        .zip(feeds.iter())
        .map(|(bank, feed)| {
            Ok(BankSummary {
                name: bank.name.clone(),
                bank: addresses::bank(&group, &bank.mint()).to_string(),
                mint: bank.mint().to_string(),
                token_program: bank.token_program()?.to_string(),
                price_account: feed.address.to_string(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let summary = Summary {
        rpc_url: chain.client.url(),
        ws_url: format!("ws://127.0.0.1:{}", options.ports.1),
        group: group.to_string(),
        banks,
        wallets: summaries,
        liquidator_account: liquidator_account.to_string(),
    };
    write(state, "localnet.json", &serde_json::to_string_pretty(&summary).map_err(|error| error.to_string())?)?;
    write(state, "liquidator.toml", &liquidator_config(&summary, plan, options.metrics_port))?;
    Ok(summary)
}

/// The lender's account 0 holds `liquidity` of every bank (deposited once: a restarted localnet is new).
async fn lend(
    chain: &mut RpcChain,
    group: &Pubkey,
    lender: &Keypair,
    plan: &LocalnetPlan,
    wallet: &WalletSummary,
) -> Result<(), String> {
    let account = crate::trader::open(chain, lender, (group, 0, AccountKind::Cross), false).await?;
    for bank in plan.banks.iter().filter(|bank| bank.liquidity > 0) {
        let (bank_address, token_account) = (
            addresses::bank(group, &bank.mint()),
            wallet.token_accounts[&bank.name].parse().expect("an address we wrote"),
        );
        let action = crate::trader::Action::Deposit(bank.liquidity);
        crate::trader::token_action(chain, lender, (&account, &bank_address, &token_account), action, false).await?;
        println!("lender: {} deposited {} native units", bank.name, bank.liquidity);
    }
    Ok(())
}

fn write(state: &Path, name: &str, text: &str) -> Result<(), String> {
    let path = state.join(name);
    std::fs::write(&path, text).map_err(|error| format!("{}: {error}", path.display()))
}

/// Runs the migration until it has nothing left to do, travelling past the group's timelock between runs
/// (on a real cluster the runs are days apart).
async fn deploy_until_done(
    chain: &RpcChain,
    admin: &Keypair,
    deployment: &crate::deploy::DeployPlan,
    (state, feeds, random): (&Path, &mut [Feed], &mut Random),
) -> Result<(), String> {
    let mut rpc = RpcChain::new(&chain.client.url());
    for run in 1..=DEPLOY_RUNS {
        let report = crate::deploy::deploy(&mut rpc, admin, deployment).await?;
        for line in &report {
            println!("deploy run {run}: {line}");
        }
        if report == ["nothing left to do"] {
            return Ok(());
        }
        if !report.iter().any(|line| line.contains("proposed") || line.contains("waits for its eta")) {
            continue;
        }
        let group_data = rpc_account(chain, &addresses::group(deployment.group_id)).await?;
        let delay = accounts::group(&group_data).map_err(|error| error.to_string())?.governance.timelock_delay_seconds;
        let now = surfnet::clock(chain).await?;
        surfnet::time_travel(chain, now + i64::from(delay) + 1).await?;
        println!("time travel: {delay} s forward, past the timelock");
        publish_prices(chain, state, feeds, random).await?;
    }
    Err(format!("the deployment was not complete after {DEPLOY_RUNS} runs"))
}

async fn rpc_account(chain: &RpcChain, address: &Pubkey) -> Result<Vec<u8>, String> {
    chain.client.get_account(address).await.map(|account| account.data).map_err(|error| format!("{address}: {error}"))
}

/// Writes every feed's next quote at the cluster clock, with the crashes in force; a feed in an outage is
/// not written (its path moves on).
pub async fn publish_prices(
    chain: &RpcChain,
    state: &Path,
    feeds: &mut [Feed],
    random: &mut Random,
) -> Result<(), String> {
    let crashes = prices::read_crashes(state)?;
    let outages = prices::read_outages(state)?;
    let now = surfnet::clock(chain).await?;
    for feed in feeds.iter_mut() {
        let quote = feed.next(random, crashes.get(&feed.name).copied().unwrap_or(0.0));
        if !outages.contains(&feed.name) {
            surfnet::set_account(chain, &feed.address, &feed.account(quote, now)).await?;
        }
    }
    Ok(())
}

/// Confirms the program runs: an instruction no handler takes must come back as Anchor's
/// `InstructionFallbackNotFound` (101). The cluster accepts any bytes as a program, so a bad ELF shows here.
async fn confirm_program(chain: &RpcChain, payer: &Keypair) -> Result<(), String> {
    use solana_sdk::instruction::{Instruction, InstructionError};
    use solana_sdk::transaction::TransactionError;
    let probe = Instruction::new_with_bytes(margin_sdk::margin::ID, &[0; 8], vec![]);
    let mut rpc = RpcChain::new(&chain.client.url());
    let blockhash = margin_sdk::chain::Chain::latest_blockhash(&mut rpc).await.map_err(|error| error.to_string())?;
    let signed = margin_sdk::transaction::signed_transaction(payer, &[probe], &[], &[], blockhash)
        .map_err(|error| error.to_string())?;
    let outcome = margin_sdk::chain::Chain::simulate(&mut rpc, signed).await.map_err(|error| error.to_string())?;
    match outcome.result {
        Err(TransactionError::InstructionError(0, InstructionError::Custom(101))) => Ok(()),
        other => Err(format!("the margin program does not run on the cluster (a probe gave {other:?}): is the .so an SBF build of programs/margin?")),
    }
}

/// The bot's configuration for this localnet: every bank's mint in its inventory (the liquidator's wallet
/// holds each), its own margin account, a 5-second refresh, metrics on `metrics_port`.
fn liquidator_config(summary: &Summary, plan: &LocalnetPlan, metrics_port: u16) -> String {
    let liquidator = summary.wallet("liquidator").expect("the localnet's liquidator");
    let mut text = format!(
        "# The liquidator bot on this localnet: cargo run --release -p margin-liquidator -- --config <this file>\n\
         rpc_url = \"{}\"\nws_url = \"{}\"\nkeypair = \"{}\"\ngroup = \"{}\"\nmargin_account = \"{}\"\n\
         min_profit_quote = 10000\nrefresh_seconds = 5\nmetrics_address = \"127.0.0.1:{metrics_port}\"\n\n[inventory]\n",
        summary.rpc_url, summary.ws_url, liquidator.keypair, summary.group, summary.liquidator_account
    );
    for (bank, planned) in summary.banks.iter().zip(&plan.banks) {
        text += &format!("\"{}\" = {}   # {}\n", bank.mint, planned.wallet / 2, bank.name);
    }
    text
}
