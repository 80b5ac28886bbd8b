//! End to end on a real local cluster (issue 22): `margin localnet start` runs the cluster binary with the
//! program's SBF `.so` on 127.0.0.1, lists the group by the migration; then the `margin` binary's trader and
//! governance commands run over JSON-RPC, a price crashes, the liquidator bot (its binary, over JSON-RPC and
//! websocket) liquidates, and a bankruptcy is written off with the insurance.
//!
//! Needs the cluster binary and the `.so`: `bash crates/margin-localnet/e2e.sh` builds both and runs this test
//! (CI does). Bounded: every wait has a deadline; the processes are killed when the test ends.
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use margin_cli::localnet::setup::Summary;
use margin_sdk::chain::{Chain, RpcChain};
use solana_sdk::pubkey::Pubkey;

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        // SAFETY: kill(2) on our own child; SIGTERM lets `margin localnet` stop its cluster.
        unsafe { libc::kill(self.0.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(20);
        while matches!(self.0.try_wait(), Ok(None)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Running {
    /// Ctrl-C (SIGINT) and the exit status, at most 30 s later.
    fn interrupt(mut self) -> std::process::ExitStatus {
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(self.0.id() as libc::pid_t, libc::SIGINT) };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the localnet did not stop within 30 s of Ctrl-C");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn required(variable: &str) -> PathBuf {
    let path = PathBuf::from(
        std::env::var(variable).unwrap_or_else(|_| panic!("{variable}: see crates/margin-localnet/e2e.sh")),
    );
    assert!(path.is_file(), "{variable}={} does not exist", path.display());
    path
}

/// The `margin-liquidator` binary: beside this test's `margin` (cargo builds workspace binaries into one folder).
fn liquidator_binary() -> PathBuf {
    let path = Path::new(env!("CARGO_BIN_EXE_margin")).with_file_name("margin-liquidator");
    assert!(path.is_file(), "{} is not built (cargo build -p margin-liquidator)", path.display());
    path
}

struct Localnet {
    state: PathBuf,
    url: String,
    summary: Summary,
}

impl Localnet {
    /// Runs `margin <args>` against this localnet; its output.
    fn margin(&self, args: &[&str]) -> Output {
        let output = Command::new(env!("CARGO_BIN_EXE_margin")).args(args).output().unwrap();
        eprintln!(
            "$ margin {}\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// `margin <args> --url <rpc>` that must succeed; its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let mut all = args.to_vec();
        all.extend(["--url", &self.url]);
        let output = self.margin(&all);
        assert!(output.status.success(), "margin {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    }

    /// `margin <args> --url <rpc>` that must fail; its stderr.
    fn refused(&self, args: &[&str]) -> String {
        let mut all = args.to_vec();
        all.extend(["--url", &self.url]);
        let output = self.margin(&all);
        assert!(!output.status.success(), "margin {args:?} should have been refused");
        String::from_utf8(output.stderr).unwrap()
    }

    /// `margin localnet crash <bank> <percent>` (a file in the state folder; no RPC).
    fn crash(&self, bank: &str, percent: &str) {
        let output = self.margin(&["localnet", "crash", bank, percent, "--state", self.state.to_str().unwrap()]);
        assert!(output.status.success(), "crash {bank} {percent}: {}", String::from_utf8_lossy(&output.stderr));
    }

    fn keypair(&self, wallet: &str) -> String {
        self.summary.wallet(wallet).unwrap().keypair.clone()
    }

    fn token_account(&self, wallet: &str, bank: &str) -> String {
        self.summary.wallet(wallet).unwrap().token_accounts[bank].clone()
    }

    fn bank(&self, name: &str) -> String {
        self.summary.bank(name).unwrap().bank.clone()
    }

    /// (deposit, borrow) native units of `account` in `bank`, read from the chain.
    async fn position(&self, account: &str, bank: &str) -> (u64, u64) {
        let mut chain = RpcChain::new(&self.url);
        let (account, bank): (Pubkey, Pubkey) = (account.parse().unwrap(), self.bank(bank).parse().unwrap());
        let snapshot = margin_cli::trader::snapshot(&mut chain, &account, &[]).await.unwrap();
        let positions = snapshot.health_positions(&account).unwrap();
        let state = snapshot.account(&account).unwrap();
        let found = state
            .used_positions()
            .zip(&positions)
            .find(|(position, _)| position.bank == bank)
            .map(|(_, view)| (view.deposit_tokens, view.borrow_tokens));
        found.unwrap_or((0, 0))
    }

    async fn token_balance(&self, address: &str) -> u64 {
        let mut chain = RpcChain::new(&self.url);
        let account = chain.account(&address.parse().unwrap()).await.unwrap().unwrap();
        margin_sdk::tokens::amount(&account.data).unwrap()
    }
}

/// `margin <verb> --keypair K --account A --bank B --token-account T --amount N` (a token command's arguments).
fn token_args<'a>(
    verb: &'a str,
    keypair: &'a str,
    (account, bank, wallet): (&'a str, &'a str, &'a str),
    amount: &'a str,
) -> Vec<&'a str> {
    vec![
        verb,
        "--keypair",
        keypair,
        "--account",
        account,
        "--bank",
        bank,
        "--token-account",
        wallet,
        "--amount",
        amount,
    ]
}

/// Starts `margin localnet start` and waits for "localnet ready"; the process and the localnet.
fn start(state: &Path, (rpc_port, ws_port, metrics_port): (u16, u16, u16), wallet: &Path) -> (Running, Localnet) {
    let (cluster, program) = (required("MARGIN_LOCALNET_CLUSTER"), required("MARGIN_PROGRAM_SO"));
    let plan = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/localnet.toml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_margin"))
        .args(["localnet", "start", "--tick", "1", "--steady"])
        .args(["--rpc-port", &rpc_port.to_string(), "--ws-port", &ws_port.to_string()])
        .args(["--metrics-port", &metrics_port.to_string()])
        .arg("--plan")
        .arg(&plan)
        .arg("--state")
        .arg(state)
        .arg("--cluster")
        .arg(&cluster)
        .arg("--program")
        .arg(&program)
        .arg("--wallet")
        .arg(wallet)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);
    let (sender, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("localnet: {line}");
            let _ = sender.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let line = lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("localnet ready within 300 s");
        if line.starts_with("localnet ready") {
            break;
        }
    }
    let summary = Summary::read(state).unwrap();
    let url = summary.rpc_url.clone();
    (running, Localnet { state: state.to_path_buf(), url, summary })
}

/// Waits until `done` holds, polling every half second, at most `within`.
async fn eventually<F, Fut>(what: &str, within: Duration, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while !done().await {
        assert!(Instant::now() < deadline, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// GET /metrics from the bot.
fn metrics(port: u16) -> String {
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return String::new() };
    let _ = stream.write_all(b"GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    text
}

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("margin_liquidator_{name} ")))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the cluster binary and the program .so: bash crates/margin-localnet/e2e.sh"]
async fn a_trader_borrows_is_liquidated_by_the_bot_and_a_bankruptcy_is_written_off_on_a_real_local_cluster() {
    let state = std::env::temp_dir().join(format!("margin-localnet-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    let ports = (free_port(), free_port(), free_port());
    let started = Instant::now();
    std::fs::create_dir_all(&state).unwrap();
    let own_wallet = state.join("mine.json");
    margin_cli::keypair::write(&solana_sdk::signature::Keypair::new(), &own_wallet).unwrap();
    let (localnet_process, net) = start(&state, ports, &own_wallet);
    eprintln!("localnet started in {:.1} s", started.elapsed().as_secs_f64());

    // A second localnet on the same ports is refused by name.
    let second = net.margin(&[
        "localnet",
        "start",
        "--rpc-port",
        &ports.0.to_string(),
        "--ws-port",
        &ports.1.to_string(),
        "--state",
        state.join("second").to_str().unwrap(),
        "--plan",
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/localnet.toml").to_str().unwrap(),
        "--cluster",
        &std::env::var("MARGIN_LOCALNET_CLUSTER").unwrap(),
        "--program",
        &std::env::var("MARGIN_PROGRAM_SO").unwrap(),
    ]);
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(
        !second.status.success() && said.contains(&format!("JSON-RPC port {} on 127.0.0.1 is in use", ports.0)),
        "{said}"
    );

    // A Solana CLI keypair given with --wallet is funded like the localnet's own.
    let mine = net.summary.wallet("mine").expect("the --wallet keypair");
    assert_eq!(net.token_balance(&mine.token_accounts["SOL"]).await, 1_000_000_000_000);
    assert_eq!(net.token_balance(&mine.token_accounts["USDT"]).await, 1_000_000_000_000);

    // The migration is complete: run again, it changes nothing.
    let deploy = net.state.join("deploy.toml");
    let rerun = net.ok(&["deploy", deploy.to_str().unwrap(), "--keypair", &net.keypair("admin")]);
    assert_eq!(rerun.trim(), "nothing left to do");

    // Governance: show, tighten (guardian), propose + warp + execute (admin), propose + cancel, pause + unpause,
    // what-if, a listing proposal.
    let (admin, guardian, group) = (net.keypair("admin"), net.keypair("guardian"), net.summary.group.clone());
    let (sol, usdc) = (net.bank("SOL"), net.bank("USDC"));
    assert!(net.ok(&["gov", "show-group", &group]).contains("banks 3"));
    assert!(net.ok(&["gov", "show-bank", &sol]).contains("init_asset_weight_bps = 8000"));
    net.ok(&["gov", "tighten", "--keypair", &guardian, &usdc, "deposit_cap=900000000000000"]);
    assert!(net.ok(&["gov", "show-bank", &usdc]).contains("deposit_cap = 900000000000000"));
    let refused = net.refused(&["gov", "tighten", "--keypair", &guardian, &usdc, "deposit_cap=950000000000000"]);
    assert!(refused.contains("NotRiskReducing") || refused.contains("Loosen"), "{refused}");
    let proposed = net.ok(&["gov", "propose-bank-change", "--keypair", &admin, &usdc, "deposit_cap=950000000000000"]);
    let proposal = proposed.split_whitespace().nth(1).unwrap().trim_end_matches(':').to_string();
    assert!(net.refused(&["gov", "execute", "--keypair", &admin, &proposal]).contains("ProposalNotReady"));
    net.ok(&["localnet", "warp", &(2 * 86_400 + 1).to_string()]);
    tokio::time::sleep(Duration::from_secs(3)).await; // the price driver catches up with the clock
    net.ok(&["gov", "execute", "--keypair", &admin, &proposal]);
    assert!(net.ok(&["gov", "show-bank", &usdc]).contains("deposit_cap = 950000000000000"));
    let proposed = net.ok(&[
        "gov",
        "propose-group-change",
        "--keypair",
        &admin,
        &group,
        "--new-admin",
        &net.summary.wallet("admin").unwrap().pubkey,
        "--new-guardian",
        &net.summary.wallet("trader").unwrap().pubkey,
    ]);
    let second_proposal = proposed.split_whitespace().nth(1).unwrap().trim_end_matches(':').to_string();
    let refused = net.refused(&["gov", "cancel", "--keypair", &guardian, &second_proposal]);
    assert!(refused.contains("GuardianCannotCancelItsReplacement"), "{refused}");
    net.ok(&["gov", "cancel", "--keypair", &admin, &second_proposal]);
    assert!(net.refused(&["gov", "execute", "--keypair", &admin, &second_proposal]).contains("ProposalNotPending"));
    net.ok(&["gov", "pause", "--keypair", &guardian, &group, "60"]);
    assert!(net.refused(&["gov", "unpause", "--keypair", &guardian, &group]).contains("NotAdmin"));
    net.ok(&["gov", "unpause", "--keypair", &admin, &group]);
    let usdt = net.summary.bank("USDT").unwrap();
    let feed = "2b89b9dc8fdf9f34709a5b106b472f0f39bb6ca9ce04b0fd7f2e971688e2e53b";
    let propose_listing = |mint: &str| -> String {
        let common = ["gov", "propose-listing", "--keypair", &admin, "--group", &group, "--price-account"];
        let args =
            [&common[..], &[&usdt.price_account, "--feed-id", feed, "--preset", "stable", "--mint", mint]].concat();
        let output = net.margin(&[&args[..], &["--url", &net.url]].concat());
        let text = if output.status.success() { output.stdout } else { output.stderr };
        String::from_utf8(text).unwrap()
    };
    let not_a_mint = propose_listing(&net.summary.wallet("trader").unwrap().pubkey);
    assert!(not_a_mint.contains("AccountOwnedByWrongProgram"), "{not_a_mint}");
    let new_mint = Pubkey::new_unique();
    let admin_key: Pubkey = net.summary.wallet("admin").unwrap().pubkey.parse().unwrap();
    let mint_account = margin_sdk::tokens::mint_account(&admin_key, 6, &anchor_spl::token::ID);
    margin_cli::localnet::surfnet::set_account(&RpcChain::new(&net.url), &new_mint, &mint_account).await.unwrap();
    let listing = propose_listing(&new_mint.to_string());
    assert!(listing.starts_with("proposal "), "{listing}");

    // A trader: open, deposit 10 SOL, borrow the most (one unit more is refused by name), health, repay.
    let trader = net.keypair("trader");
    let opened = net.ok(&["open", "--keypair", &trader, "--group", &group]);
    let account = opened.split_whitespace().nth(1).unwrap().to_string();
    let (sol_wallet, usdc_wallet) = (net.token_account("trader", "SOL"), net.token_account("trader", "USDC"));
    net.ok(&token_args("deposit", &trader, (&account, &sol, &sol_wallet), "10000000000"));
    let most: u64 = net.ok(&["max-borrow", "--account", &account, "--bank", &usdc]).trim().parse().unwrap();
    // 10 SOL at $150 less the Init haircut (2 × 0.05 %), × 0.8, ÷ (1.05 × $1.00004 with its 2 bp haircut).
    assert!(most > 1_130_000_000 && most < 1_145_000_000, "{most}");
    let most_text = most.to_string();
    let refused = net.refused(&token_args("borrow", &trader, (&account, &usdc, &usdc_wallet), &(most + 1).to_string()));
    assert!(refused.contains("InitHealthNegative"), "{refused}");
    let before = net.token_balance(&usdc_wallet).await;
    let mut simulated = token_args("borrow", &trader, (&account, &usdc, &usdc_wallet), &most_text);
    simulated.push("--dry-run");
    assert_eq!(net.ok(&simulated).trim(), "simulated: would succeed");
    assert_eq!(net.token_balance(&usdc_wallet).await, before, "a dry run moves nothing");
    net.ok(&token_args("borrow", &trader, (&account, &usdc, &usdc_wallet), &most_text));
    assert_eq!(net.token_balance(&usdc_wallet).await, before + most);
    let health = net.ok(&["health", "--account", &account]);
    assert!(health.contains("liquidatable: Ok(false)"), "{health}");
    let debt = net.position(&account, "USDC").await.1;
    net.ok(&token_args("repay", &trader, (&account, &usdc, &usdc_wallet), "1000000"));
    let after = net.position(&account, "USDC").await.1;
    // 1 USDC repaid; the seconds between the reads accrue a few native units of interest (debt rounds up).
    assert!(after + 1_000_000 <= debt + 10 && after < debt, "1 USDC repaid: {debt} -> {after}");
    // What a Maint weight cut would do: this account falls below Maint.
    let cut = ["gov", "what-if", "--group", &group, &sol, "init_asset_weight_bps=6500", "maint_asset_weight_bps=7000"];
    let what_if: serde_json::Value = serde_json::from_str(&net.ok(&cut)).unwrap();
    assert!(what_if["maint_after"]["accounts"].as_u64().unwrap() >= 1, "{what_if}");

    // A lender's round trip on Token-2022: a second account deposits USDT, withdraws the most, closes.
    let opened = net.ok(&["open", "--keypair", &trader, "--group", &group, "--index", "1"]);
    let lender = opened.split_whitespace().nth(1).unwrap().to_string();
    let (usdt_bank, usdt_wallet) = (usdt.bank.clone(), net.token_account("trader", "USDT"));
    net.ok(&token_args("deposit", &trader, (&lender, &usdt_bank, &usdt_wallet), "5000000"));
    let withdrawable: u64 =
        net.ok(&["max-withdraw", "--account", &lender, "--bank", &usdt_bank]).trim().parse().unwrap();
    assert_eq!(withdrawable, 5_000_000);
    assert!(net.refused(&["close", "--keypair", &trader, "--account", &lender]).contains("AccountNotEmpty"));
    net.ok(&token_args("withdraw", &trader, (&lender, &usdt_bank, &usdt_wallet), "5000000"));
    assert_eq!(net.token_balance(&usdt_wallet).await, 1_000_000_000_000);
    net.ok(&["close", "--keypair", &trader, "--account", &lender]);

    // The bot, over JSON-RPC and websocket.
    let config = net.state.join("liquidator.toml");
    let bot = Command::new(liquidator_binary()).arg("--config").arg(&config).stdout(Stdio::null()).spawn().unwrap();
    let _bot = Running(bot);
    let metrics_port = ports.2;
    eventually("the bot serves its metrics", Duration::from_secs(60), || async move {
        metric(&metrics(metrics_port), "full_refreshes_total") >= 1.0
    })
    .await;

    // SOL falls 15 % (prices are steady: the numbers are the same on every run): the account (13 % above Maint
    // at the start) is below Maint; the bot liquidates part of it,
    // back to its LiqEnd target, and the trader sees it. (At 20 % the collateral no longer pays for the debt
    // with the bonus: all of it is taken and the rest written off, the last stage below.)
    let (deposit_before, debt_before) = (net.position(&account, "SOL").await.0, net.position(&account, "USDC").await.1);
    net.crash("SOL", "15");
    let liquidated = || async { net.position(&account, "USDC").await.1 < debt_before };
    eventually("the bot liquidates the account", Duration::from_secs(90), liquidated).await;
    let (deposit_after, debt_after) = (net.position(&account, "SOL").await.0, net.position(&account, "USDC").await.1);
    net.ok(&["health", "--account", &account]);
    assert!(
        deposit_after < deposit_before && debt_after > 0,
        "partly liquidated: {deposit_after} SOL, {debt_after} USDC"
    );
    eventually("the account is back above its target", Duration::from_secs(60), || async {
        net.ok(&["health", "--account", &account]).contains("liquidatable: Ok(false)")
    })
    .await;
    // The trader reads what happened: the bot's liquidation, in words, from the transactions' events.
    let liquidator = net.summary.wallet("liquidator").unwrap().pubkey.clone();
    let history = net.ok(&["history", "--account", &account]);
    assert!(history.contains(&format!("liquidated by {liquidator}: ")), "{history}");
    assert!(history.contains("borrowed ") && history.contains("deposited 10000000000 native units"), "{history}");
    // The bot counts it once its confirmation returns (the account changed a moment before).
    eventually("the bot counts the liquidation as landed", Duration::from_secs(30), || async move {
        metric(&metrics(metrics_port), "liquidations_landed_total") >= 1.0
    })
    .await;

    // SOL falls 90 % from its path: the rest of the collateral is worth less than the debt; the bot takes it
    // and the debt left is written off, the USDC insurance vault paying first.
    let insurance_vault = margin_sdk::addresses::insurance_vault(&usdc.parse().unwrap()).to_string();
    let insurance_before = net.token_balance(&insurance_vault).await;
    net.crash("SOL", "90");
    eventually("the bankrupt account's debt is written off", Duration::from_secs(120), || async {
        net.position(&account, "USDC").await.1 == 0
    })
    .await;
    assert!(net.token_balance(&insurance_vault).await < insurance_before, "the insurance covered the loss");
    assert_eq!(net.position(&account, "SOL").await.0, 0, "every unit of collateral was taken");
    let history = net.ok(&["history", "--account", &account]);
    assert_eq!(history.matches(&format!("liquidated by {liquidator}: ")).count(), 2, "{history}");
    assert!(
        history.contains("debt written off in bank ") && history.contains(" from insurance, 0 from depositors"),
        "{history}"
    );
    eventually("the bot counts both liquidations as landed", Duration::from_secs(30), || async move {
        metric(&metrics(metrics_port), "liquidations_landed_total") >= 2.0
    })
    .await;
    let health = net.ok(&["health", "--account", &account]);
    assert!(health.contains("liquidatable: Ok(false)"), "{health}");
    // Ctrl-C stops the localnet cleanly, and its ports are free again.
    drop(_bot);
    let status = localnet_process.interrupt();
    assert!(status.success(), "margin localnet start ended with {status}");
    assert!(std::net::TcpListener::bind(("127.0.0.1", ports.0)).is_ok(), "the JSON-RPC port is released");
    assert!(std::net::TcpListener::bind(("127.0.0.1", ports.1)).is_ok(), "the websocket port is released");
    eprintln!("end to end in {:.1} s", started.elapsed().as_secs_f64());
}
