//! The simulator: the real program in an in-process Solana bank (the SDK's `ProgramTestChain`: the margin
//! program natively, real SPL Token), a group listed through its governance path, lenders, cohorts of
//! borrowers, Pyth `PriceUpdateV2` accounts rewritten every step from the price paths, interest accrued every
//! step, and liquidator bots that use the SDK's snapshot and planner (the program's own code).
use anchor_lang::prelude::Pubkey;
use anchor_spl::token::spl_token;
use margin_sdk::accounts;
use margin_sdk::addresses::{self, BankAddresses};
use margin_sdk::chain::{load_snapshot, margin_program_test, Chain, ProgramTestChain, Sent};
use margin_sdk::instructions::{self as build, AccountKind, LiquidateAccounts, TokenActionAccounts};
use margin_sdk::margin::events::{BankruptcyResolved, Liquidated};
use margin_sdk::margin::instructions::CorrelationGroupArgs;
use margin_sdk::margin::state::{BankConfig, BankParams, DynamicParams, FallbackOracle, SizeParams};
use margin_sdk::margin_risk::health::{position_health, HealthPosition, HealthType};
use margin_sdk::pyth::PriceUpdate;
use margin_sdk::snapshot::Snapshot;
use margin_sdk::switchboard::PullFeed;
use margin_sdk::{presets, SdkError};
use solana_sdk::account::Account;
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::{Keypair, Signer};
use std::path::Path;

use crate::path::{prices, quotes, Quote, Random};
use crate::report::{Report, StepReport};
use crate::scenario::{BankSpec, Preset, Scenario};

/// The clock at step 0 (unix seconds).
pub const START: i64 = 1_750_000_000;
/// Price mantissas are written with this Pyth exponent (10^-8 USD).
const EXPONENT: i32 = -8;
/// Liquidations tried per account per step (each re-planned on fresh state).
const LIQUIDATIONS_PER_ACCOUNT: usize = 4;

struct SimBank {
    spec: BankSpec,
    addresses: BankAddresses,
    feed_id: [u8; 32],
    quotes: Vec<Quote>,
    /// Step of the last posted price.
    last_posted: usize,
    /// The fallback pull feed's address, when the bank has one.
    fallback_feed: Option<Pubkey>,
}

struct SimAccount {
    address: Pubkey,
    cohort: usize,
}

/// A running simulation.
pub struct Simulation {
    chain: ProgramTestChain,
    scenario: Scenario,
    group: Pubkey,
    banks: Vec<SimBank>,
    accounts: Vec<SimAccount>,
    liquidator: Keypair,
    liquidator_wallets: Vec<Pubkey>,
    /// The liquidator's margin account: receives collateral a short vault cannot pay out.
    liquidator_account: Pubkey,
    guardian: Keypair,
    random: Random,
    now: i64,
    slot: u64,
    /// Per bank, the collateral value (USD) liquidators may still sell this step (its `market_depth_usd`).
    market_room: Vec<f64>,
}

fn failed(sent: Sent) -> Result<Sent, String> {
    match &sent.result {
        Ok(()) => Ok(sent),
        Err(error) => Err(describe(error)),
    }
}

/// A transaction error in words: a custom program error by its name.
pub fn describe(error: &solana_sdk::transaction::TransactionError) -> String {
    use solana_sdk::instruction::InstructionError;
    use solana_sdk::transaction::TransactionError;
    match error {
        TransactionError::InstructionError(_, InstructionError::Custom(code)) => {
            match margin_sdk::errors::describe(*code) {
                Some(known) => known.name,
                None => format!("custom error {code}"),
            }
        }
        other => format!("{other:?}"),
    }
}

fn sdk(error: SdkError) -> String {
    error.to_string()
}

/// Native units of `usd` worth of a token at `price` with `decimals`, or an error naming what overflows.
fn native_units(usd: f64, price: f64, decimals: u8, what: &str) -> Result<u64, String> {
    let units = usd / price * 10f64.powi(i32::from(decimals));
    if !(0.0..1.8e19).contains(&units) {
        return Err(format!("{what}: ${usd} at ${price} is {units:e} native units, beyond u64"));
    }
    Ok(units as u64)
}

/// A bank's parameters: its preset, weights overridden when given, the dust threshold worth two cents at the
/// first price (`first_price`, USD per whole token).
fn params_of(spec: &BankSpec, first_price: f64) -> BankParams {
    let mut params = match spec.preset {
        Preset::Volatile => presets::volatile_params(),
        Preset::Stable => presets::stable_params(),
    };
    let mantissa = (first_price * 1e8).round() as i64;
    params.limits.dust_threshold = presets::two_cent_dust_threshold(spec.decimals, mantissa, EXPONENT);
    if let Some([divergence, expansion, max_extra]) = spec.dynamic {
        params.dynamic = DynamicParams {
            divergence_multiplier_bps: divergence,
            expansion_multiplier_bps: expansion,
            max_extra_bps: max_extra,
        };
    }
    if let Some(size) = spec.size {
        params.size = SizeParams {
            depth_quote: (size.depth_usd * 1e6) as u64,
            excess_haircut_bps: size.excess_haircut_bps,
            padding: 0,
        };
    }
    if let Some([init_asset, maint_asset, init_liability, maint_liability]) = spec.weights {
        params.risk.init_asset_weight_bps = init_asset;
        params.risk.maint_asset_weight_bps = maint_asset;
        params.risk.init_liability_weight_bps = init_liability;
        params.risk.maint_liability_weight_bps = maint_liability;
    }
    params
}

impl Simulation {
    /// Boots the chain, lists the banks through governance, seeds lenders, insurance and the liquidator.
    pub async fn new(scenario: Scenario, folder: &Path) -> Result<Simulation, String> {
        let mut random = Random::new(scenario.seed);
        let mut banks = Vec::new();
        for spec in &scenario.banks {
            let path = prices(spec, scenario.steps, &mut random, folder)?;
            let feed_id = [banks.len() as u8 + 1; 32];
            let quotes = quotes(spec, &path, scenario.step_seconds);
            let addresses =
                BankAddresses::derive(&Pubkey::default(), &Pubkey::default(), &spl_token::ID, &Pubkey::default());
            // Each fallback feed at its own address (Switchboard's accounts are keypairs, not PDAs).
            let fallback_feed = spec.fallback.as_ref().map(|_| Pubkey::new_from_array([0xf0 ^ banks.len() as u8; 32]));
            banks.push(SimBank { spec: spec.clone(), addresses, feed_id, quotes, last_posted: 0, fallback_feed });
        }
        let chain = ProgramTestChain::start(margin_program_test()).await;
        let mut simulation = Simulation {
            chain,
            scenario,
            group: addresses::group(1),
            banks,
            accounts: Vec::new(),
            liquidator: Keypair::new(),
            liquidator_wallets: Vec::new(),
            liquidator_account: Pubkey::default(),
            guardian: Keypair::new(),
            random,
            now: START,
            slot: 10,
            market_room: Vec::new(),
        };
        simulation.list_banks().await?;
        simulation.seed_lenders_and_insurance().await?;
        Ok(simulation)
    }

    /// The chain, for a caller acting on it between steps.
    pub fn chain(&mut self) -> &mut ProgramTestChain {
        &mut self.chain
    }

    /// The group, its banks, and the margin accounts opened so far.
    pub fn market(&self) -> (Pubkey, Vec<BankAddresses>, Vec<Pubkey>) {
        let banks = self.banks.iter().map(|bank| bank.addresses).collect();
        (self.group, banks, self.accounts.iter().map(|account| account.address).collect())
    }

    /// The group's guardian key (the admin is the chain's payer).
    pub fn guardian(&self) -> Keypair {
        self.guardian.insecure_clone()
    }

    /// The chain with the group listed and funded (lenders, insurance), its group and its banks: a ready
    /// market for commands and tests.
    pub fn into_parts(self) -> (ProgramTestChain, Pubkey, Vec<BankAddresses>) {
        let banks = self.banks.iter().map(|bank| bank.addresses).collect();
        (self.chain, self.group, banks)
    }

    /// Runs the first `steps` steps (cohorts open, prices move, liquidators act) and returns the market with
    /// the accounts opened so far: a populated group for commands and tests.
    pub async fn populated(
        mut self,
        steps: usize,
    ) -> Result<(ProgramTestChain, Pubkey, Vec<BankAddresses>, Vec<Pubkey>), String> {
        for step in 0..steps.min(self.scenario.steps) {
            self.step(step).await?;
        }
        let accounts = self.accounts.iter().map(|account| account.address).collect();
        let (chain, group, banks) = self.into_parts();
        Ok((chain, group, banks, accounts))
    }

    fn payer(&self) -> Keypair {
        self.chain.payer()
    }

    async fn send(&mut self, instructions: &[Instruction], signers: &[&Keypair]) -> Result<Sent, String> {
        failed(self.chain.send_instructions(instructions, signers).await.map_err(sdk)?)
    }

    fn set_clock(&mut self, now: i64) {
        self.now = now;
        self.slot += 1;
        self.chain.set_clock(now, self.slot);
    }

    /// Writes bank `index`'s quote of `step`, published now.
    fn post_price(&mut self, index: usize, step: usize) {
        let bank = &mut self.banks[index];
        let quote = bank.quotes[step];
        let mantissa = |value: f64| (value * 1e8).round() as i64;
        let update = PriceUpdate {
            price: mantissa(quote.price).max(1),
            conf: mantissa(quote.conf).max(0) as u64,
            exponent: EXPONENT,
            ema_price: mantissa(quote.ema_price).max(1),
            ema_conf: mantissa(quote.ema_conf).max(0) as u64,
            ..PriceUpdate::new(bank.feed_id, 1, 0, self.now)
        };
        bank.last_posted = step;
        let address = bank.addresses.price_account;
        self.chain.set_account(&address, update.account(address));
    }

    /// Writes bank `index`'s fallback feed (if any) with the path's price of `step`, published now.
    fn post_fallback(&mut self, index: usize, step: usize) {
        let bank = &self.banks[index];
        let (Some(address), Some(spec)) = (bank.fallback_feed, &bank.spec.fallback) else { return };
        let price = bank.quotes[step].price;
        let mantissa = |value: f64| (value * 1e8).round() as i64;
        let feed =
            PullFeed::new(mantissa(price).max(1), mantissa(price * spec.conf_bps / 10_000.0).max(0) as u64, self.now);
        self.chain.set_account(&address, feed.account());
    }

    /// Proposes each bank's fallback feed now (ids from `first_id`); returns the proposals to execute.
    async fn propose_fallbacks(&mut self, first_id: u64) -> Result<Vec<(usize, Pubkey)>, String> {
        let payer = self.payer();
        let mut proposals = Vec::new();
        for index in 0..self.banks.len() {
            let (Some(address), Some(spec)) =
                (self.banks[index].fallback_feed, self.banks[index].spec.fallback.clone())
            else {
                continue;
            };
            self.post_fallback(index, 0);
            let id = first_id + proposals.len() as u64;
            let fallback = FallbackOracle { max_divergence_bps: spec.max_divergence_bps, price_account: address };
            let bank = self.banks[index].addresses.bank;
            let propose =
                build::propose_fallback_oracle(&payer.pubkey(), &payer.pubkey(), &self.group, id, &bank, fallback);
            self.send(&[propose], &[])
                .await
                .map_err(|error| format!("fallback of {}: {error}", self.banks[index].spec.name))?;
            proposals.push((index, addresses::proposal(&self.group, id)));
        }
        Ok(proposals)
    }

    /// Proposes every correlation group of the scenario now (or, with `dissolving` a step, the dissolution of
    /// those dissolved at that step): the proposals and their banks, to execute one timelock later.
    async fn propose_groups(&mut self, dissolving: Option<usize>) -> Result<Vec<(Pubkey, Vec<Pubkey>)>, String> {
        let payer = self.payer();
        let mut proposals = Vec::new();
        for group in self.scenario.groups.clone() {
            if dissolving.is_some() && group.dissolve_at_step != dissolving {
                continue;
            }
            let banks: Vec<Pubkey> =
                group.banks.iter().map(|name| self.banks[self.bank_index(name)].addresses.bank).collect();
            let args = if dissolving.is_some() {
                CorrelationGroupArgs { init_scale_bps: 0, moves_bps: Vec::new() }
            } else {
                CorrelationGroupArgs { init_scale_bps: group.init_scale_bps, moves_bps: group.rows() }
            };
            let id = accounts::group(&self.chain.account(&self.group).await.map_err(sdk)?.ok_or("no group")?.data)
                .map_err(sdk)?
                .proposal_count;
            let propose =
                build::propose_correlation_group(&payer.pubkey(), &payer.pubkey(), &self.group, id, &banks, args);
            self.send(&[propose], &[])
                .await
                .map_err(|error| format!("correlation group {:?}: {error}", group.banks))?;
            proposals.push((addresses::proposal(&self.group, id), banks));
        }
        Ok(proposals)
    }

    /// Executes correlation-group proposals (their eta reached).
    async fn execute_groups(&mut self, proposals: Vec<(Pubkey, Vec<Pubkey>)>) -> Result<(), String> {
        let payer = self.payer();
        for (proposal, banks) in proposals {
            self.send(&[build::execute_correlation_group(&payer.pubkey(), &self.group, &proposal, &banks)], &[])
                .await?;
        }
        Ok(())
    }

    /// Dissolves the groups the scenario dissolves at `step` (proposed one timelock ago, executed now).
    async fn dissolve_groups(&mut self, step: usize) -> Result<(), String> {
        if !self.scenario.groups.iter().any(|group| group.dissolve_at_step == Some(step)) {
            return Ok(());
        }
        let now = self.now;
        let delay = i64::from(presets::governance_settings().timelock_delay_seconds);
        self.set_clock(now - delay);
        let proposals = self.propose_groups(Some(step)).await;
        self.set_clock(now);
        self.execute_groups(proposals?).await
    }

    /// Group 1 with the payer as admin; each bank proposed two timelocks before the start and listed one
    /// before it, when its fallback feed is proposed; the fallbacks are set at the start.
    async fn list_banks(&mut self) -> Result<(), String> {
        let payer = self.payer();
        let governance = presets::governance_settings();
        let delay = i64::from(governance.timelock_delay_seconds);
        self.set_clock(START - 2 * delay);
        let guardian = self.guardian.pubkey();
        self.chain.set_account(&guardian, Account { lamports: 10_000_000_000, ..Account::default() });
        self.send(&[build::init_group(&payer.pubkey(), &payer.pubkey(), 1, &guardian, governance)], &[]).await?;
        for index in 0..self.banks.len() {
            let mint = self.chain.write_mint(self.banks[index].spec.decimals);
            // Banks pin their feed's Pyth push-oracle account.
            let price_account = addresses::push_feed(&self.banks[index].feed_id);
            self.banks[index].addresses = BankAddresses::derive(&self.group, &mint, &spl_token::ID, &price_account);
            self.post_price(index, 0);
            let bank = &self.banks[index];
            let (feed_id, name, params) =
                (bank.feed_id, bank.spec.name.clone(), params_of(&bank.spec, bank.quotes[0].price));
            let config = BankConfig { feed_id, isolated_only: false, params };
            let propose = build::propose_listing(
                &payer.pubkey(),
                &payer.pubkey(),
                &self.group,
                index as u64,
                (&mint, &price_account),
                config,
            );
            self.send(&[propose], &[]).await.map_err(|error| format!("listing {name}: {error}"))?;
        }
        self.set_clock(START - delay);
        for index in 0..self.banks.len() {
            self.post_price(index, 0);
            let proposal = addresses::proposal(&self.group, index as u64);
            let add = build::add_bank(&payer.pubkey(), &self.group, &proposal, &self.banks[index].addresses);
            let name = self.banks[index].spec.name.clone();
            self.send(&[add], &[]).await.map_err(|error| format!("listing {name}: {error}"))?;
        }
        let fallbacks = self.propose_fallbacks(self.banks.len() as u64).await?;
        let groups = self.propose_groups(None).await?;
        self.set_clock(START);
        for (index, proposal) in fallbacks {
            let bank = self.banks[index].addresses.bank;
            self.send(&[build::execute_fallback_oracle(&payer.pubkey(), &self.group, &bank, &proposal)], &[]).await?;
            self.banks[index].addresses.fallback_price_account = self.banks[index].fallback_feed;
        }
        self.execute_groups(groups).await?;
        for index in 0..self.banks.len() {
            self.post_price(index, 0);
            self.post_fallback(index, 0);
        }
        Ok(())
    }

    /// A lender per bank deposits `liquidity_usd`; the insurance vault gets `insurance_usd`; the liquidator
    /// holds a deep wallet of every mint.
    async fn seed_lenders_and_insurance(&mut self) -> Result<(), String> {
        for index in 0..self.banks.len() {
            let (spec, addresses, price) =
                (self.banks[index].spec.clone(), self.banks[index].addresses, self.banks[index].quotes[0].price);
            let lender = self.funded_keypair();
            let amount =
                native_units(spec.liquidity_usd, price, spec.decimals, &format!("banks {:?} liquidity", spec.name))?;
            let account = addresses::margin_account(&self.group, &lender.pubkey(), 0);
            let wallet = self.chain.write_token_account(&lender.pubkey(), &addresses.mint, amount);
            let open = build::open_account(&lender.pubkey(), &self.group, 0, AccountKind::Cross);
            let accounts = TokenActionAccounts {
                owner: &lender.pubkey(),
                account: &account,
                group: &self.group,
                bank: &addresses,
                user_token_account: &wallet,
            };
            self.send(&[open, build::deposit(&accounts, amount)], &[&lender]).await?;
            let insurance = native_units(spec.insurance_usd, price, spec.decimals, "insurance")?;
            self.set_token_amount(&addresses.insurance_vault, insurance).await?;
            let wallet = self.chain.write_token_account(&self.liquidator.pubkey(), &addresses.mint, u64::MAX / 8);
            self.liquidator_wallets.push(wallet);
        }
        let liquidator = self.liquidator.pubkey();
        self.chain.set_account(&liquidator, Account { lamports: 1_000_000_000_000, ..Account::default() });
        self.liquidator_account = addresses::margin_account(&self.group, &liquidator, 0);
        let open = build::open_account(&liquidator, &self.group, 0, AccountKind::Cross);
        let signer = self.liquidator.insecure_clone();
        self.send(&[open], &[&signer]).await?;
        Ok(())
    }

    fn funded_keypair(&mut self) -> Keypair {
        let keypair = Keypair::new();
        self.chain.set_account(&keypair.pubkey(), Account { lamports: 10_000_000_000, ..Account::default() });
        keypair
    }

    /// Overwrites a token account's amount (seeding an insurance vault the program created).
    async fn set_token_amount(&mut self, address: &Pubkey, amount: u64) -> Result<(), String> {
        let mut account = self.chain.account(address).await.map_err(sdk)?.ok_or("no insurance vault")?;
        account.data[64..72].copy_from_slice(&amount.to_le_bytes());
        self.chain.set_account(address, account);
        Ok(())
    }

    fn bank_index(&self, name: &str) -> usize {
        self.banks.iter().position(|bank| bank.spec.name == name).expect("names checked when loading")
    }

    fn bank_keys(&self) -> Vec<Pubkey> {
        self.banks.iter().map(|bank| bank.addresses.bank).collect()
    }

    /// Opens the accounts of the cohorts that start at `step`: deposit, then borrow a drawn fraction of the
    /// SDK's max borrow.
    async fn open_cohorts(&mut self, step: usize, row: &mut StepReport) -> Result<(), String> {
        let cohorts: Vec<(usize, crate::scenario::Cohort)> = self
            .scenario
            .cohorts
            .iter()
            .cloned()
            .enumerate()
            .filter(|(_, cohort)| cohort.open_at_step == step)
            .collect();
        for (cohort_index, cohort) in cohorts {
            let (collateral, debt) = (self.bank_index(&cohort.collateral), self.bank_index(&cohort.debt));
            for _ in 0..cohort.accounts {
                let [small, large] = cohort.size_usd;
                let size = small * (large / small).powf(self.random.unit());
                let [low, high] = cohort.leverage;
                let leverage = low + (high - low) * self.random.unit();
                self.open_one(cohort_index, (collateral, debt), size, leverage, cohort.isolated, row).await?;
            }
        }
        Ok(())
    }

    async fn open_one(
        &mut self,
        cohort: usize,
        (collateral, debt): (usize, usize),
        size_usd: f64,
        leverage: f64,
        isolated: bool,
        row: &mut StepReport,
    ) -> Result<(), String> {
        let owner = self.funded_keypair();
        let account = addresses::margin_account(&self.group, &owner.pubkey(), 0);
        let (collateral_bank, debt_bank) = (self.banks[collateral].addresses, self.banks[debt].addresses);
        let spec = &self.banks[collateral].spec;
        let price = self.banks[collateral].quotes[self.banks[collateral].last_posted].price;
        let amount = native_units(size_usd, price, spec.decimals, &format!("cohort deposit in {}", spec.name))?;
        let wallet = self.chain.write_token_account(&owner.pubkey(), &collateral_bank.mint, amount);
        let kind = if isolated { AccountKind::Isolated } else { AccountKind::Cross };
        let open = build::open_account(&owner.pubkey(), &self.group, 0, kind);
        let accounts = TokenActionAccounts {
            owner: &owner.pubkey(),
            account: &account,
            group: &self.group,
            bank: &collateral_bank,
            user_token_account: &wallet,
        };
        self.send(&[open, build::deposit(&accounts, amount)], &[&owner]).await?;
        self.accounts.push(SimAccount { address: account, cohort });
        row.opened += 1;
        let snapshot = self.snapshot_of(&[account]).await?;
        let most = match snapshot.max_borrow(&account, &debt_bank.bank) {
            Ok(most) => most,
            Err(error) => {
                *row.failures.entry(format!("max borrow: {error}")).or_default() += 1;
                return Ok(());
            }
        };
        let borrow = (most as f64 * leverage) as u64;
        if borrow == 0 {
            return Ok(());
        }
        let state = snapshot.account(&account).map_err(sdk)?;
        let health = margin_sdk::accounts::health_accounts_after(state, &debt_bank, |key| snapshot.bank_addresses(key))
            .map_err(sdk)?;
        let to = self.chain.write_token_account(&owner.pubkey(), &debt_bank.mint, 0);
        let accounts = TokenActionAccounts {
            owner: &owner.pubkey(),
            account: &account,
            group: &self.group,
            bank: &debt_bank,
            user_token_account: &to,
        };
        // A borrow the pool cannot serve (utilization, caps) is skipped and counted: the account holds its deposit.
        match self.send(&[build::borrow(&accounts, borrow, health)], &[&owner]).await {
            Ok(_) => {
                let debt_index = self.index_of_bank(&debt_bank.bank);
                row.borrowed_usd += self.usd(debt_index, borrow, row.step);
            }
            Err(reason) => *row.failures.entry(format!("borrow: {reason}")).or_default() += 1,
        }
        Ok(())
    }

    async fn snapshot_of(&mut self, accounts: &[Pubkey]) -> Result<Snapshot, String> {
        let banks = self.bank_keys();
        let mut snapshot = load_snapshot(&mut self.chain, &banks, accounts).await.map_err(sdk)?;
        snapshot.now = self.now;
        Ok(snapshot)
    }

    /// Runs every step, calling `progress` after each.
    pub async fn run(mut self, mut progress: impl FnMut(&StepReport)) -> Result<Report, String> {
        let mut report = Report::new(&self.scenario, self.banks.iter().map(|bank| bank.spec.name.clone()).collect());
        for step in 0..self.scenario.steps {
            let row = self.step(step).await?;
            progress(&row);
            report.push(row);
        }
        report.finish();
        Ok(report)
    }

    /// Runs step `step` alone (clock, prices, cohorts, accrual, liquidators if on): for a caller driving the
    /// chain between steps, such as the liquidator bot's tests.
    pub async fn step(&mut self, step: usize) -> Result<StepReport, String> {
        self.set_clock(START + step as i64 * self.scenario.step_seconds);
        for index in 0..self.banks.len() {
            let spec = &self.banks[index].spec;
            let within = |windows: &[[usize; 2]]| windows.iter().any(|[from, to]| (*from..*to).contains(&step));
            let (stale, fallback_stale) =
                (within(&spec.stale), spec.fallback.as_ref().is_some_and(|fallback| within(&fallback.stale)));
            if !stale {
                self.post_price(index, step);
            }
            if !fallback_stale {
                self.post_fallback(index, step);
            }
        }
        let mut row = StepReport { step, time: self.now, ..StepReport::default() };
        row.prices = self.banks.iter().map(|bank| bank.quotes[step]).collect();
        self.open_cohorts(step, &mut row).await?;
        self.dissolve_groups(step).await?;
        let accrue: Vec<Instruction> = self.bank_keys().iter().map(build::accrue_interest).collect();
        self.send(&accrue, &[]).await?;
        let addresses: Vec<Pubkey> = self.accounts.iter().map(|account| account.address).collect();
        let mut snapshot = self.snapshot_of(&addresses).await?;
        if self.scenario.liquidators {
            self.market_room =
                self.banks.iter().map(|bank| bank.spec.market_depth_usd.unwrap_or(f64::INFINITY)).collect();
            self.liquidate_all(&mut snapshot, &mut row).await?;
        }
        self.measure(&snapshot, &mut row);
        Ok(row)
    }

    /// USD value of `tokens` native units of bank `index` at this step's price.
    fn usd(&self, index: usize, tokens: u64, step: usize) -> f64 {
        let bank = &self.banks[index];
        tokens as f64 * bank.quotes[step].price / 10f64.powi(i32::from(bank.spec.decimals))
    }

    fn index_of_bank(&self, bank: &Pubkey) -> usize {
        self.banks.iter().position(|known| known.addresses.bank == *bank).expect("a listed bank")
    }

    /// Every liquidatable account, liquidated by the SDK's plan until healthy (or bankrupt, then resolved).
    /// `snapshot` (every account, before) is kept current: each liquidated account and the banks are refreshed.
    async fn liquidate_all(&mut self, snapshot: &mut Snapshot, row: &mut StepReport) -> Result<(), String> {
        let addresses: Vec<Pubkey> = self.accounts.iter().map(|account| account.address).collect();
        for address in addresses {
            if snapshot.is_liquidatable(&address) != Ok(true) {
                continue;
            }
            row.liquidatable += 1;
            let cohort = self.accounts.iter().find(|account| account.address == address).map(|account| account.cohort);
            let landed_before = row.liquidations;
            // The account's own view, refreshed after each liquidation (its banks changed too).
            let mut current = self.snapshot_of(&[address]).await?;
            for _ in 0..LIQUIDATIONS_PER_ACCOUNT {
                match self.liquidate_once(&current, &address, row).await {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(reason) => {
                        row.failed += 1;
                        *row.failures.entry(reason).or_default() += 1;
                        break;
                    }
                }
                current = self.snapshot_of(&[address]).await?;
                if current.is_liquidatable(&address) != Ok(true) {
                    break;
                }
            }
            if row.liquidations > landed_before {
                let name = cohort.map(|index| self.scenario.cohorts[index].name.clone()).unwrap_or_default();
                *row.liquidated_by_cohort.entry(name).or_default() += 1;
            }
            self.resolve_if_bankrupt(&current, &address, row).await?;
            // Later accounts are judged, and the step measured, with this account and the banks as they now stand.
            let settled = self.snapshot_of(&[address]).await?;
            snapshot.accounts.insert(address, *settled.account(&address).map_err(sdk)?);
            snapshot.banks = settled.banks;
        }
        Ok(())
    }

    /// The most debt (native units of bank `debt_index`) a liquidation may repay this step for collateral of
    /// bank `collateral_index`: what the collateral's market can still absorb, less a 10 % bonus; None when it
    /// can absorb less than a dollar more. u64::MAX without a market depth.
    fn repay_within_market(&self, debt_index: usize, collateral_index: usize, step: usize) -> Option<u64> {
        let room = self.market_room[collateral_index];
        if room.is_infinite() {
            return Some(u64::MAX);
        }
        if room < 1.0 {
            return None;
        }
        let debt = &self.banks[debt_index];
        let tokens = room / 1.1 / debt.quotes[step].price * 10f64.powi(i32::from(debt.spec.decimals));
        Some(tokens.min(u64::MAX as f64) as u64)
    }

    /// One liquidation of `address`: its largest debt against its largest deposit (Maint values). Ok(false)
    /// when there is no pair left to liquidate.
    async fn liquidate_once(
        &mut self,
        snapshot: &Snapshot,
        address: &Pubkey,
        row: &mut StepReport,
    ) -> Result<bool, String> {
        let positions = snapshot.health_positions(address).map_err(sdk)?;
        let banks: Vec<Pubkey> = snapshot.account(address).map_err(sdk)?.used_positions().map(|p| p.bank).collect();
        let value = |position: &HealthPosition, assets: bool| {
            position_health(position, HealthType::Maint)
                .map(|h| if assets { h.assets } else { h.liabilities })
                .unwrap_or(0)
        };
        let largest = |assets: bool| {
            (0..positions.len())
                .filter(|&i| value(&positions[i], assets) > 0)
                .max_by_key(|&i| value(&positions[i], assets))
        };
        let (Some(debt), Some(collateral)) = (largest(false), largest(true)) else { return Ok(false) };
        let (debt_index, collateral_index) = (self.index_of_bank(&banks[debt]), self.index_of_bank(&banks[collateral]));
        let (debt_bank, collateral_bank) = (self.banks[debt_index].addresses, self.banks[collateral_index].addresses);
        let Some(max_repay) = self.repay_within_market(debt_index, collateral_index, row.step) else {
            *row.failures.entry("market depth used up this step".into()).or_default() += 1;
            return Ok(false);
        };
        let health = snapshot.health_accounts(address).map_err(sdk)?;
        let liquidator = self.liquidator.pubkey();
        let accounts = LiquidateAccounts {
            liquidator: &liquidator,
            account: address,
            group: &self.group,
            debt: &debt_bank,
            collateral: &collateral_bank,
            pay_from: &self.liquidator_wallets[debt_index],
            receive_to: &self.liquidator_wallets[collateral_index],
            receive_account: Some(&self.liquidator_account),
        };
        let ix = build::liquidate(&accounts, max_repay, health);
        let liquidator = self.liquidator.insecure_clone();
        let sent = self.send(&[ix], &[&liquidator]).await?;
        let step = row.step;
        for event in margin_sdk::events::decode::<Liquidated>(&sent.logs) {
            let cleared = self.usd(debt_index, event.debt_cleared, step);
            let seized = self.usd(collateral_index, event.seized_to_liquidator, step);
            // The liquidator pays the insurance fee in the debt token on top; the seizure includes its worth.
            let fee = self.usd(debt_index, event.insurance_fee, step);
            row.liquidations += 1;
            self.market_room[collateral_index] -= seized;
            row.repaid_usd += self.usd(debt_index, event.repaid, step);
            row.seized_usd += seized;
            row.bonus_usd += seized - cleared - fee;
            row.fees_usd += fee;
        }
        // The liquidation that took an account's last collateral wrote the debt left off in the same transaction.
        self.book_write_offs(&sent.logs, debt_index, row);
        Ok(true)
    }

    /// Books the write-offs (`BankruptcyResolved`) of a transaction's `logs` in bank `index` into `row`.
    fn book_write_offs(&self, logs: &[String], index: usize, row: &mut StepReport) {
        for event in margin_sdk::events::decode::<BankruptcyResolved>(logs) {
            row.bankruptcies += 1;
            row.insurance_used_usd += self.usd(index, event.from_insurance, row.step);
            row.socialised_usd += self.usd(index, event.socialized + event.unbooked, row.step);
        }
    }

    /// An account with debt and no deposit worth anything is written off, bank by bank.
    async fn resolve_if_bankrupt(
        &mut self,
        snapshot: &Snapshot,
        address: &Pubkey,
        row: &mut StepReport,
    ) -> Result<(), String> {
        let Ok(positions) = snapshot.health_positions(address) else { return Ok(()) };
        let has_debt = positions.iter().any(|position| position.borrow_tokens > 0);
        let has_collateral = positions.iter().any(|position| position.deposit_tokens > 0);
        if !has_debt || has_collateral {
            return Ok(());
        }
        let state = *snapshot.account(address).map_err(sdk)?;
        for position in state.used_positions().filter(|position| position.borrow_shares > 0) {
            let index = self.index_of_bank(&position.bank);
            let bank = self.banks[index].addresses;
            let latest = self.snapshot_of(&[*address]).await?;
            let remaining = latest.bankruptcy_accounts(address).map_err(sdk)?;
            let ix = build::resolve_bankruptcy(address, &self.group, &bank, remaining);
            match self.send(&[ix], &[]).await {
                Ok(sent) => self.book_write_offs(&sent.logs, index, row),
                Err(reason) => *row.failures.entry(format!("resolve_bankruptcy: {reason}")).or_default() += 1,
            }
        }
        Ok(())
    }

    /// Total Maint health and bad debt (debt above collateral at oracle prices) of every account after the step.
    fn measure(&self, snapshot: &Snapshot, row: &mut StepReport) {
        for account in &self.accounts {
            let Ok(state) = snapshot.account(&account.address) else { continue };
            let banks: Vec<Pubkey> = state.used_positions().map(|position| position.bank).collect();
            let Ok(positions) = snapshot.health_positions(&account.address) else { continue };
            let (mut assets, mut debts) = (0.0, 0.0);
            for (position, bank) in positions.iter().zip(&banks) {
                let index = self.index_of_bank(bank);
                assets += self.usd(index, position.deposit_tokens, row.step);
                debts += self.usd(index, position.borrow_tokens, row.step);
            }
            row.bad_debt_usd += (debts - assets).max(0.0);
            row.debt_usd += debts;
            if let Ok(maint) = snapshot.health(&account.address, HealthType::Maint) {
                row.maint_health_usd += (maint.assets as f64 - maint.liabilities as f64) / 1e6;
            } else {
                row.unpriced += 1;
            }
        }
    }
}
