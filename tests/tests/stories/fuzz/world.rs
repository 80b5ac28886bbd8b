//! The fuzz test's world: the market, its actors, the token ledger, and the checks made after every step.
use margin_sdk::margin_risk::health::{Health, HealthType};
use margin_sdk::margin_risk::interest::{borrow_tokens_of, deposit_tokens_of};
use margin_sdk::snapshot::Snapshot;
use margin_tests::*;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

pub use margin_tests::{SOL, USDC};

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
}

impl World {
    /// The market of the story tests, four traders (cross and isolated in turn) with SOL and USDC, a
    /// liquidator with 1,000,000 USDC, a debt-free lender and a stranger.
    pub async fn new() -> World {
        let mut market = Market::new().await;
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
        let mut accounts: Vec<Pubkey> = traders.iter().map(|trader| trader.account).collect();
        accounts.extend([market.lender_account, market.trader_account]);
        let lender = market.lender.insecure_clone();
        let lender_wallet = market.env.funded_token_account(&lender.pubkey(), &usdc, 0).await;
        let stranger = market.env.funded_keypair().await;
        let mut usdc_accounts = vec![usdc.vault, usdc.insurance_vault, liquidator.1, lender_wallet, market.trader_usdc];
        usdc_accounts.extend(traders.iter().map(|trader| trader.usdc_wallet));
        let mut sol_accounts = vec![sol.vault, sol.insurance_vault, liquidator.2, market.trader_sol];
        sol_accounts.extend(traders.iter().map(|trader| trader.sol_wallet));
        let mut world = World {
            market,
            traders,
            accounts,
            liquidator,
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
        Ok(())
    }
}

/// Health of `account` of `health_type` in `snapshot`, or None when a price cannot be used.
pub fn health_of(snapshot: &Snapshot, account: &Pubkey, health_type: HealthType) -> Option<Health> {
    snapshot.health(account, health_type).ok()
}
