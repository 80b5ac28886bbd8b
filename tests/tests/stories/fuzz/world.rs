//! The fuzz test's world: the market, its actors, the token ledger, and the checks made after every step.
use margin_sdk::margin_risk::health::{Health, HealthType};
use margin_sdk::margin_risk::interest::{borrow_tokens_of, deposit_tokens_of, INDEX_SCALE};
use margin_sdk::snapshot::Snapshot;
use margin_sdk::switchboard::PullFeed;
use margin_tests::*;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

pub use margin_tests::{SOL, USDC};

/// SOL's fallback price source (issue 25): a Switchboard pull feed that quotes SOL's price when Pyth does, keeps
/// quoting while Pyth is stale, and at times lies or lags ([`super::actions::Action::FallbackQuote`]).
pub const FALLBACK_FEED: Pubkey = Pubkey::new_from_array([0x5b; 32]);

/// A broken rule: which one (`kind`, what shrinking keeps constant) and the details of this instance.
#[derive(Clone, Debug)]
pub struct Violation {
    pub step: usize,
    pub kind: String,
    pub detail: String,
}

pub struct Trader {
    pub keypair: Keypair,
    pub account: Pubkey,
    pub sol_wallet: Pubkey,
    pub usdc_wallet: Pubkey,
}

/// What a sequence did, for the report and for the check that both paths were exercised.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub landed: usize,
    pub refused: usize,
    pub liquidations: usize,
    /// Liquidation attempts on a flagged account that had recovered: they cleared its flag.
    pub flags_cleared: usize,
    pub bankruptcies: usize,
    pub proposals_executed: usize,
    /// Drains that landed (the SOL borrower to max utilization, the lender withdrawing everything).
    pub drains: usize,
    /// Liquidations whose collateral a short vault could not pay: credited to the liquidator's account.
    pub seized_as_deposit: usize,
    /// Accounts below Maint shown liquidatable by a dry run, and bankrupt ones shown resolvable.
    pub shown_liquidatable: usize,
    pub shown_resolvable: usize,
    /// Correlation groups of SOL and USDC formed (issue 26): the steps after run on the group rule.
    pub correlations: usize,
}

/// The latest proposal: its address, bank and the parameters it sets.
#[derive(Clone, Copy)]
pub struct Pending {
    pub proposal: Pubkey,
    pub bank: Pubkey,
    pub params: margin::state::BankParams,
}

pub struct World {
    pub market: Market,
    pub traders: Vec<Trader>,
    /// Every margin account: the traders', the lender's and the market trader's (liquidation targets).
    pub accounts: Vec<Pubkey>,
    pub liquidator: (Keypair, Pubkey, Pubkey),
    /// The liquidator's margin account: it receives collateral a short vault cannot pay out.
    pub liquidator_account: Pubkey,
    /// A USDC depositor that borrows SOL to the SOL bank's max utilization (a liquidity drain).
    pub sol_borrower: Trader,
    pub lender: Keypair,
    pub lender_wallet: Pubkey,
    pub stranger: Keypair,
    /// Every token account of each mint (SOL, USDC) and their total at the start: the ledger.
    pub ledger_accounts: [Vec<Pubkey>; 2],
    pub ledger: [u128; 2],
    /// SOL's price, confidence and EMA, 10^-8 USD.
    pub price: i64,
    pub conf: u64,
    pub ema: i64,
    /// When SOL's price was last published (unix seconds).
    pub published: i64,
    pub latest: Option<Pending>,
    pub stats: Stats,
    pub step: usize,
    /// The SOL and USDC banks' deposit indices after the last step: they fall only through a booked loss.
    pub deposit_indices: [u64; 2],
}

impl World {
    /// The market of the story tests, four traders (cross and isolated in turn) with SOL and USDC, a
    /// liquidator with 1,000,000 USDC, a debt-free lender and a stranger.
    pub async fn new() -> World {
        let mut market = Market::new().await;
        let now = market.env.now;
        market.env.set_pull_feed(&FALLBACK_FEED, &PullFeed::new(SOL_PRICE, SOL_CONF, now));
        let fallback = margin::state::FallbackOracle { max_divergence_bps: 200, price_account: FALLBACK_FEED };
        let mut sol = market.sol;
        market.env.set_fallback_oracle(&mut sol, fallback).await.unwrap();
        market.sol = sol;
        let (sol, usdc) = (market.sol, market.usdc);
        let mut traders = Vec::new();
        for index in 0..4 {
            let keypair = market.env.funded_keypair().await;
            let account = market.env.open_account(&keypair, 0, (index % 2 == 1) as u8).await.unwrap();
            let sol_wallet = market.env.funded_token_account(&keypair.pubkey(), &sol, 100 * SOL).await;
            let usdc_wallet = market.env.funded_token_account(&keypair.pubkey(), &usdc, 5_000 * USDC).await;
            traders.push(Trader { keypair, account, sol_wallet, usdc_wallet });
        }
        let liquidator = market.liquidator(1_000_000 * USDC).await;
        // SOL to repay SOL debts with, and a margin account to take collateral in when a vault is short.
        market.env.mint_to(&sol.mint, &liquidator.2, 100_000 * SOL).await;
        let liquidator_account = market.env.open_account(&liquidator.0, 0, 0).await.unwrap();
        market.env.receive_account = Some(liquidator_account);
        let sol_borrower = {
            let keypair = market.env.funded_keypair().await;
            let account = market.env.open_account(&keypair, 0, 0).await.unwrap();
            let sol_wallet = market.env.funded_token_account(&keypair.pubkey(), &sol, 0).await;
            let usdc_wallet = market.env.funded_token_account(&keypair.pubkey(), &usdc, 500_000 * USDC).await;
            market.env.deposit(&keypair, &account, &usdc, &usdc_wallet, 500_000 * USDC).await.unwrap();
            Trader { keypair, account, sol_wallet, usdc_wallet }
        };
        let mut accounts: Vec<Pubkey> = traders.iter().map(|trader| trader.account).collect();
        // Liquidation targets are drawn from the first six; the last two are checked like every account.
        accounts.extend([market.lender_account, market.trader_account, sol_borrower.account, liquidator_account]);
        let lender = market.lender.insecure_clone();
        let lender_wallet = market.env.funded_token_account(&lender.pubkey(), &usdc, 0).await;
        let stranger = market.env.funded_keypair().await;
        let mut usdc_accounts = vec![usdc.vault, usdc.insurance_vault, liquidator.1, lender_wallet, market.trader_usdc];
        usdc_accounts.extend(traders.iter().chain([&sol_borrower]).map(|trader| trader.usdc_wallet));
        let mut sol_accounts = vec![sol.vault, sol.insurance_vault, liquidator.2, market.trader_sol];
        sol_accounts.extend(traders.iter().chain([&sol_borrower]).map(|trader| trader.sol_wallet));
        let mut world = World {
            market,
            traders,
            accounts,
            liquidator,
            liquidator_account,
            sol_borrower,
            lender,
            lender_wallet,
            stranger,
            ledger_accounts: [sol_accounts, usdc_accounts],
            ledger: [0, 0],
            price: SOL_PRICE,
            conf: SOL_CONF,
            ema: SOL_PRICE,
            published: 0,
            latest: None,
            stats: Stats::default(),
            step: 0,
            deposit_indices: [INDEX_SCALE; 2],
        };
        world.ledger = world.ledger_totals().await;
        world.publish_prices();
        world
    }

    pub fn violation(&self, kind: &str, detail: String) -> Violation {
        Violation { step: self.step, kind: kind.to_string(), detail }
    }

    /// Tokens of each mint held by its ledger accounts, native units.
    async fn ledger_totals(&mut self) -> [u128; 2] {
        let mut totals = [0u128; 2];
        for (total, accounts) in totals.iter_mut().zip(self.ledger_accounts.clone()) {
            for account in accounts {
                *total += u128::from(self.market.env.balance(&account).await);
            }
        }
        totals
    }

    /// Publishes SOL's price (with its EMA) and USDC's at the current clock.
    pub fn publish_prices(&mut self) {
        self.published = self.market.env.now;
        self.rewrite_prices();
    }

    /// Rewrites SOL's and USDC's price accounts as last published (same publish time).
    pub fn rewrite_prices(&mut self) {
        let sol = self.market.sol;
        let update = pyth::PriceUpdate {
            ema_price: self.ema,
            ema_conf: self.conf,
            ..pyth::PriceUpdate::new(sol.feed_id, self.price, self.conf, self.published)
        };
        self.market.env.set_price_account(&sol.price_account, &update);
        let usdc = self.market.usdc;
        let update = pyth::PriceUpdate::new(usdc.feed_id, USDC_PRICE, USDC_CONF, self.published);
        self.market.env.set_price_account(&usdc.price_account, &update);
        self.quote_fallback(0, self.published);
    }

    /// SOL's fallback feed quotes its price moved by `offset_bps` (a lie when not 0), published at
    /// `publish_time`.
    pub fn quote_fallback(&mut self, offset_bps: i64, publish_time: i64) {
        let price = (i128::from(self.price) * i128::from(10_000 + offset_bps) / 10_000).max(1) as i64;
        self.market.env.set_pull_feed(&FALLBACK_FEED, &PullFeed::new(price, self.conf, publish_time));
    }

    /// One SDK snapshot of every account and both banks at the clock.
    pub async fn snapshot(&mut self) -> Snapshot {
        let banks = [self.market.sol.bank, self.market.usdc.bank];
        let env = &mut self.market.env;
        let mut snapshot = margin_sdk::chain::load_snapshot(&mut env.chain, &banks, &self.accounts).await.unwrap();
        snapshot.now = env.now;
        snapshot
    }

    /// What `wallet` and `account`'s position in `bank` are worth in `bank`'s tokens, with the bank accrued to
    /// now: wallet + deposit (rounded down) − debt (rounded up). No action may raise it (invariant 6).
    pub async fn net_tokens(&mut self, account: &Pubkey, bank: &BankKeys, wallet: &Pubkey) -> i128 {
        let (deposit, debt) = self.position_tokens(account, bank).await;
        i128::from(self.market.env.balance(wallet).await) + i128::from(deposit) - i128::from(debt)
    }

    /// `account`'s deposit (rounded down) and debt (rounded up) in `bank`, native units, with the bank accrued
    /// to now; (0, 0) without a position.
    pub async fn position_tokens(&mut self, account: &Pubkey, bank: &BankKeys) -> (u64, u64) {
        let env = &mut self.market.env;
        let state = env.bank_state(&bank.bank).await.accrued_to(env.now).unwrap();
        let position = env.account_state(account).await.used_positions().find(|p| p.bank == bank.bank).copied();
        position.map_or((0, 0), |position| {
            (
                deposit_tokens_of(position.deposit_shares, state.deposit_index).unwrap(),
                borrow_tokens_of(position.borrow_shares, state.borrow_index).unwrap(),
            )
        })
    }

    /// The checks after every step: no token created or lost, share totals, invariants 1 and 3.
    pub async fn check(&mut self) -> Result<(), Violation> {
        let totals = self.ledger_totals().await;
        if totals != self.ledger {
            return Err(self.violation("tokens created or lost", format!("{totals:?} != {:?}", self.ledger)));
        }
        let (sol, usdc) = (self.market.sol, self.market.usdc);
        self.market.env.assert_vault_covers(&sol).await;
        self.market.env.assert_vault_covers(&usdc).await;
        let snapshot = self.snapshot().await;
        for bank in [sol.bank, usdc.bank] {
            let state = &snapshot.banks[&bank];
            let positions = snapshot.accounts.values().flat_map(|account| account.used_positions());
            let (deposits, borrows) = positions
                .filter(|position| position.bank == bank)
                .fold((0, 0), |(d, b), position| (d + position.deposit_shares, b + position.borrow_shares));
            if (state.deposit_shares, state.borrow_shares) != (deposits, borrows) {
                let detail =
                    format!("bank {bank}: {:?}", (state.deposit_shares, state.borrow_shares, deposits, borrows));
                return Err(self.violation("share totals differ from the positions", detail));
            }
        }
        self.check_fallback_moves_no_liquidation(&snapshot)?;
        for account in &self.accounts {
            let healths = [HealthType::Init, HealthType::LiqEnd, HealthType::Maint]
                .map(|health_type| snapshot.health(account, health_type).ok().and_then(|h| h.value().ok()));
            if let [Some(init), Some(liq_end), Some(maint)] = healths {
                if !(init <= liq_end && liq_end <= maint) {
                    let detail = format!("{account}: Init {init}, LiqEnd {liq_end}, Maint {maint}");
                    return Err(self.violation("invariant 3: Init <= LiqEnd <= Maint", detail));
                }
            }
        }
        self.check_economics(&snapshot).await
    }
}

impl World {
    /// Issue 25: while SOL's Pyth price is usable, no fallback quote (honest, lying or lagging) moves any
    /// account's Maint or LiqEnd health, nor makes Init larger: the snapshot with the fallback is compared
    /// with the same snapshot without it.
    fn check_fallback_moves_no_liquidation(&self, snapshot: &Snapshot) -> Result<(), Violation> {
        let mut alone = snapshot.clone();
        for bank in alone.banks.values_mut() {
            bank.fallback = margin::state::FallbackOracle::default();
        }
        let sol = &alone.banks[&self.market.sol.bank];
        if !alone.bank_price(sol).is_ok_and(|(price, _)| price.is_ok()) {
            return Ok(());
        }
        for account in &self.accounts {
            for health_type in [HealthType::Maint, HealthType::LiqEnd, HealthType::Init] {
                let (with, without) =
                    (health_of(snapshot, account, health_type), health_of(&alone, account, health_type));
                let moved = match health_type {
                    HealthType::Init => with.zip(without).is_some_and(|(with, without)| {
                        with.value().ok().zip(without.value().ok()).is_some_and(|(with, without)| with > without)
                    }),
                    _ => with != without,
                };
                if moved {
                    let detail = format!("{account} {health_type:?}: {with:?} with the fallback, {without:?} without");
                    return Err(self.violation("a fallback moved health while Pyth was valid", detail));
                }
            }
        }
        Ok(())
    }
}

/// The economic checks (issue 21): losses are booked, not run ahead of; no account below Maint or bankrupt
/// is stuck.
impl World {
    async fn check_economics(&mut self, snapshot: &Snapshot) -> Result<(), Violation> {
        self.check_deposit_indices(snapshot)?;
        let now = self.market.env.now;
        let paused = self.market.env.group_state().await.pause_state().is_paused(now);
        for account in self.accounts.clone() {
            if account == self.liquidator_account {
                continue;
            }
            let Some(maint) = health_of(snapshot, &account, HealthType::Maint) else { continue };
            let state = snapshot.accounts[&account];
            let holds_deposit = state.used_positions().any(|position| position.deposit_shares > 0);
            if !maint.is_nonnegative() && holds_deposit && !paused {
                self.require_liquidatable(&account, &state).await?;
            }
            if state.has_debt() && self.is_bankrupt(snapshot, &account, &maint) {
                self.require_resolvable(&account, &state).await?;
            }
        }
        Ok(())
    }

    /// No depositor's share value falls except through a booked loss: a bank's deposit index falls only in a
    /// step whose transaction wrote off a debt of that bank with a socialised part.
    fn check_deposit_indices(&mut self, snapshot: &Snapshot) -> Result<(), Violation> {
        let banks = [self.market.sol.bank, self.market.usdc.bank];
        let booked = self.market.env.events::<margin::events::BankruptcyResolved>();
        for (index, bank) in banks.iter().enumerate() {
            let now = snapshot.banks[bank].deposit_index;
            let booked_here = booked.iter().any(|event| event.bank == *bank && event.socialized > 0);
            if now < self.deposit_indices[index] && !booked_here {
                let detail = format!("bank {bank}: deposit index {} -> {now}", self.deposit_indices[index]);
                return Err(self.violation("economics: a deposit index fell without a booked loss", detail));
            }
            self.deposit_indices[index] = now;
        }
        Ok(())
    }

    /// Bankrupt by the program's rule: debt, every deposit forfeit (under a native unit, or under its bank's
    /// dust threshold), and when some deposit is worth a unit or more, Maint < 0.
    fn is_bankrupt(&self, snapshot: &Snapshot, account: &Pubkey, maint: &Health) -> bool {
        let state = snapshot.accounts[account];
        let mut dust = false;
        for position in state.used_positions().filter(|position| position.deposit_shares > 0) {
            let bank = snapshot.banks[&position.bank].accrued_to(snapshot.now).unwrap();
            let tokens = deposit_tokens_of(position.deposit_shares, bank.deposit_index).unwrap();
            if !margin_sdk::margin_risk::bankruptcy::is_forfeit_deposit(tokens, bank.limits.dust_threshold) {
                return false;
            }
            dust |= tokens > 0;
        }
        !dust || !maint.is_nonnegative()
    }

    fn keys_of(&self, bank: &Pubkey) -> (BankKeys, Pubkey) {
        let (sol, usdc) = (self.market.sol, self.market.usdc);
        if *bank == sol.bank {
            (sol, self.liquidator.2)
        } else {
            (usdc, self.liquidator.1)
        }
    }

    /// Every account below Maint whose prices are valid can be liquidated by at least one unit: some pair of
    /// its debt and collateral positions liquidates in a dry run (the liquidator holding both tokens).
    async fn require_liquidatable(
        &mut self,
        account: &Pubkey,
        state: &margin::state::MarginAccount,
    ) -> Result<(), Violation> {
        let debts: Vec<Pubkey> = state.used_positions().filter(|p| p.borrow_shares > 0).map(|p| p.bank).collect();
        let collaterals: Vec<Pubkey> =
            state.used_positions().filter(|p| p.deposit_shares > 0).map(|p| p.bank).collect();
        let mut refusals = Vec::new();
        for debt in &debts {
            for collateral in &collaterals {
                let ((debt_keys, pay), (collateral_keys, receive)) = (self.keys_of(debt), self.keys_of(collateral));
                let liquidator = self.liquidator.0.insecure_clone();
                let env = &mut self.market.env;
                let ix = env
                    .liquidate_instruction(
                        &liquidator.pubkey(),
                        account,
                        (&debt_keys, &collateral_keys),
                        &pay,
                        &receive,
                        u64::MAX,
                    )
                    .await;
                match env.simulate(&[ix], &[&liquidator]).await {
                    Ok(()) => {
                        self.stats.shown_liquidatable += 1;
                        return Ok(());
                    }
                    Err(failure) => refusals.push(failure),
                }
            }
        }
        Err(self
            .violation("economics: an account below Maint cannot be liquidated", format!("{account}: {refusals:?}")))
    }

    /// Every bankrupt account can be resolved, in each bank it owes.
    async fn require_resolvable(
        &mut self,
        account: &Pubkey,
        state: &margin::state::MarginAccount,
    ) -> Result<(), Violation> {
        let group = self.market.env.group;
        for debt in state.used_positions().filter(|p| p.borrow_shares > 0).map(|p| p.bank) {
            let (bank, _) = self.keys_of(&debt);
            let remaining = self.market.env.position_banks(account).await;
            let ix = margin_sdk::instructions::resolve_bankruptcy(account, &group, &bank.addresses(), remaining);
            if let Err(failure) = self.market.env.simulate(&[ix], &[]).await {
                return Err(self
                    .violation("economics: a bankrupt account cannot be resolved", format!("{account}: {failure:?}")));
            }
            self.stats.shown_resolvable += 1;
        }
        Ok(())
    }
}

/// Health of `account` of `health_type` in `snapshot`, or None when a price cannot be used.
pub fn health_of(snapshot: &Snapshot, account: &Pubkey, health_type: HealthType) -> Option<Health> {
    snapshot.health(account, health_type).ok()
}
