//! The scenario run on the SBF build: a group, 16 banks listed through governance, a lender, a trader, a
//! 16-position whale, a crash, liquidations, a bankruptcy, and every governance instruction; each instruction
//! measured on its success path and refused once with the error a client would expect.
use std::collections::BTreeMap;

use anchor_lang::prelude::Pubkey;
use margin_sdk::addresses::BankAddresses;
use margin_sdk::instructions::{self as build, AccountKind, LiquidateAccounts, TokenActionAccounts};
use margin_sdk::margin::errors::MarginError;
use margin_sdk::margin::instructions::{CorrelationGroupArgs, GroupChangeArgs};
use margin_sdk::margin::state::{BankConfig, BankParams, FallbackOracle};
use margin_sdk::snapshot::{RawAccount, Snapshot};
use solana_keypair::Keypair;
use solana_message::AddressLookupTableAccount;
use solana_signer::Signer;

use crate::svm::{pubkey, Outcome, Svm, TOKEN_2022_PROGRAM, TOKEN_PROGRAM};

/// Mainnet's SOL/USD `PriceUpdateV2` (Full), captured 2025-01-04 at $215.68 ± $0.20 (../shared/data, copied with
/// attribution into margin-sdk's test fixtures).
const CAPTURED_SOL: &str = include_str!("../../../../crates/margin-sdk/tests/fixtures/pyth-v2-sol-usd-full-2025.json");

/// One instruction measured: CU of its success path, and the refusal checked.
#[derive(Clone, Debug)]
pub struct Measure {
    pub name: &'static str,
    pub positions: usize,
    pub units: u64,
    pub refusal: Option<String>,
}

pub struct World {
    svm: Svm,
    guardian: Keypair,
    stranger: Keypair,
    group: Pubkey,
    banks: Vec<Listed>,
    measures: Vec<Measure>,
    /// The refusal checked for each instruction (attached to its first measure at the end).
    refusals: BTreeMap<&'static str, String>,
    proposals: u64,
}

type Ix = anchor_lang::solana_program::instruction::Instruction;

/// How a bank's price account is written (again after each move of the clock: max age 60 s).
#[derive(Clone, Copy, Debug)]
enum Pricing {
    /// Written by the runner at `at`: `price` · 10^-8 USD ± 0.1 %.
    Written { at: Pubkey, feed: [u8; 32], price: i64 },
    /// Mainnet's captured SOL/USD account at its own address, republished at the clock.
    Captured,
}

/// A listed bank and how its price is written.
#[derive(Clone, Copy, Debug)]
struct Listed {
    addresses: BankAddresses,
    pricing: Pricing,
}

const SOL: u64 = 1_000_000_000;
const USDC: u64 = 1_000_000;
const SOL_PRICE: i64 = 150_00000000;

impl World {
    pub fn new(program: &[u8]) -> Result<World, String> {
        let mut svm = Svm::new(program)?;
        let (guardian, stranger) = (svm.keypair(), svm.keypair());
        let group = margin_sdk::addresses::group(1);
        let (banks, measures, refusals) = (Vec::new(), Vec::new(), BTreeMap::new());
        Ok(World { svm, guardian, stranger, group, banks, measures, refusals, proposals: 0 })
    }

    fn admin(&self) -> Pubkey {
        self.svm.payer()
    }

    /// Sends and requires success; records the CU under `name` at `positions` (the first time only).
    fn ok(
        &mut self,
        name: &'static str,
        positions: usize,
        ixs: Vec<Ix>,
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
    ) -> Result<Outcome, String> {
        let outcome = self.svm.send(ixs, signers, tables);
        if let Some(error) = &outcome.error {
            let logs = outcome.logs.join("\n");
            return Err(format!("{name} ({positions} positions) failed: {error}\n{logs}"));
        }
        if !self.measures.iter().any(|m| m.name == name && m.positions == positions) {
            self.measures.push(Measure { name, positions, units: outcome.units, refusal: None });
        }
        Ok(outcome)
    }

    /// Sends and requires the margin program's refusal `expected`; records it for `name`.
    fn refused(
        &mut self,
        name: &'static str,
        ixs: Vec<Ix>,
        signers: &[&Keypair],
        tables: &[AddressLookupTableAccount],
        expected: MarginError,
    ) -> Result<(), String> {
        let label = format!("{expected:?}");
        self.refused_with(name, (ixs, signers, tables), margin_sdk::errors::code(expected), &label)
    }

    /// Sends and requires the custom error `code` (another program's or Anchor's), recorded as `label`.
    fn refused_with(
        &mut self,
        name: &'static str,
        (ixs, signers, tables): (Vec<Ix>, &[&Keypair], &[AddressLookupTableAccount]),
        code: u32,
        label: &str,
    ) -> Result<(), String> {
        let outcome = self.svm.send(ixs, signers, tables);
        let Some(error) = outcome.error else { return Err(format!("{name}: the refusal case landed")) };
        if !error.contains(&format!("Custom({code})")) {
            return Err(format!("{name}: expected {label} ({code}), got {error}"));
        }
        self.refusals.entry(name).or_insert(label.to_string());
        Ok(())
    }

    fn bank(&self, index: usize) -> BankAddresses {
        self.banks[index].addresses
    }

    fn all_banks(&self) -> Vec<BankAddresses> {
        self.banks.iter().map(|listed| listed.addresses).collect()
    }

    /// Writes a price account at the clock; returns its address and feed.
    fn write_pricing(&mut self, pricing: Pricing) -> (Pubkey, [u8; 32]) {
        match pricing {
            Pricing::Written { at, feed, price } => {
                self.svm.write_price(&at, feed, price, price as u64 / 1_000);
                (at, feed)
            }
            Pricing::Captured => self.svm.write_captured_price(CAPTURED_SOL),
        }
    }

    /// Rewrites every bank's price at the clock (after the clock moves).
    fn refresh_prices(&mut self) {
        for listed in self.banks.clone() {
            self.write_pricing(listed.pricing);
        }
    }

    /// Moves a written bank's price to `price` (10^-8 USD).
    fn set_price(&mut self, index: usize, price: i64) {
        let Pricing::Written { at, feed, .. } = self.banks[index].pricing else { panic!("bank {index} is captured") };
        self.banks[index].pricing = Pricing::Written { at, feed, price };
        self.write_pricing(self.banks[index].pricing);
    }

    /// The SDK's snapshot of `accounts` and every bank, read from litesvm.
    fn snapshot(&self, accounts: &[Pubkey]) -> Snapshot {
        let mut snapshot = Snapshot { now: self.svm.now, ..Snapshot::default() };
        for bank in self.all_banks() {
            snapshot.banks.insert(bank.bank, margin_sdk::accounts::bank(&self.svm.data(&bank.bank)).unwrap());
            let price = self.svm.svm.get_account(&crate::svm::address(&bank.price_account)).unwrap();
            snapshot.prices.insert(bank.price_account, RawAccount { owner: pubkey(&price.owner), data: price.data });
            if let Some(fallback) = bank.fallback_price_account {
                let feed = self.svm.svm.get_account(&crate::svm::address(&fallback)).unwrap();
                snapshot.prices.insert(fallback, RawAccount { owner: pubkey(&feed.owner), data: feed.data });
            }
        }
        for account in accounts {
            snapshot.accounts.insert(*account, margin_sdk::accounts::margin_account(&self.svm.data(account)).unwrap());
        }
        snapshot
    }

    fn health_accounts(
        &self,
        account: &Pubkey,
        more: Option<usize>,
    ) -> Vec<anchor_lang::solana_program::instruction::AccountMeta> {
        let state = margin_sdk::accounts::margin_account(&self.svm.data(account)).unwrap();
        let known: BTreeMap<Pubkey, BankAddresses> =
            self.all_banks().into_iter().map(|bank| (bank.bank, bank)).collect();
        match more {
            Some(index) => {
                margin_sdk::accounts::health_accounts_after(&state, &self.bank(index), |key| known.get(key).copied())
                    .unwrap()
            }
            None => margin_sdk::accounts::health_accounts(&state, |key| known.get(key).copied()).unwrap(),
        }
    }

    fn positions(&self, account: &Pubkey) -> usize {
        margin_sdk::accounts::margin_account(&self.svm.data(account)).unwrap().used_positions().count()
    }

    /// The whole scenario; returns the measures.
    pub fn scenario(&mut self) -> Result<Vec<Measure>, String> {
        self.setup_group()?;
        let (lender, lender_account) = self.lender()?;
        let (trader_account, trader_sol, trader_usdc) = self.trader()?;
        self.captured_price_and_token_2022()?;
        let (whale_account, table) = self.whale()?;
        self.crash_and_liquidate(&whale_account, &table, (&trader_account, trader_sol, trader_usdc))?;
        self.bankruptcy()?;
        self.governance()?;
        self.close(&lender, &lender_account)?;
        let mut measures = self.measures.clone();
        for (name, refusal) in &self.refusals {
            if let Some(measure) = measures.iter_mut().find(|measure| measure.name == *name) {
                measure.refusal = Some(refusal.clone());
            }
        }
        Ok(measures)
    }

    fn setup_group(&mut self) -> Result<(), String> {
        let settings = margin_sdk::presets::governance_settings();
        let (payer, guardian) = (self.svm.payer(), pubkey(&self.guardian.pubkey()));
        let init = build::init_group(&payer, &payer, 1, &guardian, settings);
        self.ok("init_group", 0, vec![init.clone()], &[], &[])?;
        self.refused_with("init_group", (vec![init], &[], &[]), 0, "system: account already in use")?;
        for index in 0..16u8 {
            let (decimals, price, params) = if index < 15 {
                (9, SOL_PRICE, margin_sdk::presets::volatile_params())
            } else {
                (6, 100_000_000, margin_sdk::presets::stable_params())
            };
            self.list(index, decimals, price, params)?;
        }
        Ok(())
    }

    /// Lists a mint: proposed one timelock ago, executed now.
    fn list(&mut self, index: u8, decimals: u8, price: i64, params: BankParams) -> Result<(), String> {
        let feed = [index + 1; 32];
        let pricing = Pricing::Written { at: margin_sdk::addresses::push_feed(&feed), feed, price };
        self.list_with(index, (decimals, TOKEN_PROGRAM), pricing, params)
    }

    /// Lists a mint of `token_program` priced as `pricing` says.
    fn list_with(
        &mut self,
        index: u8,
        (decimals, token_program): (u8, &str),
        pricing: Pricing,
        params: BankParams,
    ) -> Result<(), String> {
        let mint = Pubkey::new_unique();
        self.svm.write_mint(&mint, decimals, token_program);
        let now = self.svm.now;
        let delay = i64::from(margin_sdk::presets::governance_settings().timelock_delay_seconds);
        self.svm.set_clock(now - delay);
        let (price_account, feed) = self.write_pricing(pricing);
        let config = BankConfig { feed_id: feed, isolated_only: false, params };
        let (payer, admin, group, id) = (self.svm.payer(), self.admin(), self.group, self.proposals);
        let propose = build::propose_listing(&payer, &admin, &group, id, (&mint, &price_account), config);
        if index == 0 {
            let stranger = pubkey(&self.stranger.pubkey());
            let by_stranger = build::propose_listing(&payer, &stranger, &group, id, (&mint, &price_account), config);
            let signer = self.stranger.insecure_clone();
            self.refused("propose_listing", vec![by_stranger], &[&signer], &[], MarginError::NotAdmin)?;
        }
        self.ok("propose_listing", 0, vec![propose], &[], &[])?;
        self.proposals += 1;
        let token_program: Pubkey = token_program.parse().unwrap();
        let bank = BankAddresses::derive(&group, &mint, &token_program, &price_account);
        let proposal = margin_sdk::addresses::proposal(&group, id);
        if index == 0 {
            self.refused(
                "add_bank",
                vec![build::add_bank(&payer, &group, &proposal, &bank)],
                &[],
                &[],
                MarginError::ProposalNotReady,
            )?;
        }
        self.svm.set_clock(now);
        self.write_pricing(pricing);
        self.ok("add_bank", 0, vec![build::add_bank(&payer, &group, &proposal, &bank)], &[], &[])?;
        self.banks.push(Listed { addresses: bank, pricing });
        self.refresh_prices();
        Ok(())
    }

    fn open(&mut self, owner: &Keypair, index: u16) -> Result<Pubkey, String> {
        let key = pubkey(&owner.pubkey());
        self.ok(
            "open_account",
            0,
            vec![build::open_account(&key, &self.group, index, AccountKind::Cross)],
            &[owner],
            &[],
        )?;
        Ok(margin_sdk::addresses::margin_account(&self.group, &key, index))
    }

    fn token_ix(
        &self,
        owner: &Keypair,
        account: &Pubkey,
        bank: usize,
        wallet: &Pubkey,
        action: impl FnOnce(&TokenActionAccounts) -> Ix,
    ) -> Ix {
        let owner = pubkey(&owner.pubkey());
        let bank = self.bank(bank);
        action(&TokenActionAccounts {
            owner: &owner,
            account,
            group: &self.group,
            bank: &bank,
            user_token_account: wallet,
        })
    }

    fn lender(&mut self) -> Result<(Keypair, Pubkey), String> {
        let lender = self.svm.keypair();
        let account = self.open(&lender, 0)?;
        let key = pubkey(&lender.pubkey());
        let reopen = build::open_account(&key, &self.group, 0, AccountKind::Cross);
        self.refused_with("open_account", (vec![reopen], &[&lender], &[]), 0, "system: account already in use")?;
        let wallet = self.svm.write_token_account(&key, &self.bank(15).mint, 10_000_000 * USDC);
        let deposit = self.token_ix(&lender, &account, 15, &wallet, |a| build::deposit(a, 5_000_000 * USDC));
        self.ok("deposit", 1, vec![deposit], &[&lender], &[])?;
        let zero = self.token_ix(&lender, &account, 15, &wallet, |a| build::deposit(a, 0));
        self.refused("deposit", vec![zero], &[&lender], &[], MarginError::ZeroAmount)?;
        Ok((lender, account))
    }

    fn trader(&mut self) -> Result<(Pubkey, Pubkey, Pubkey), String> {
        let trader = self.svm.keypair();
        let account = self.open(&trader, 0)?;
        let key = pubkey(&trader.pubkey());
        let sol = self.svm.write_token_account(&key, &self.bank(0).mint, 100 * SOL);
        let usdc = self.svm.write_token_account(&key, &self.bank(15).mint, 0);
        let deposit = self.token_ix(&trader, &account, 0, &sol, |a| build::deposit(a, 10 * SOL));
        self.ok("deposit", 1, vec![deposit], &[&trader], &[])?;
        let health = self.health_accounts(&account, Some(15));
        let too_much =
            self.token_ix(&trader, &account, 15, &usdc, |a| build::borrow(a, 1_000_000 * USDC, health.clone()));
        self.refused("borrow", vec![too_much], &[&trader], &[], MarginError::InitHealthNegative)?;
        let borrow = self.token_ix(&trader, &account, 15, &usdc, |a| build::borrow(a, 900 * USDC, health));
        self.ok("borrow", 2, vec![borrow], &[&trader], &[])?;
        let health = self.health_accounts(&account, None);
        let withdraw_all = self.token_ix(&trader, &account, 0, &sol, |a| build::withdraw(a, 9 * SOL, health.clone()));
        self.refused("withdraw", vec![withdraw_all], &[&trader], &[], MarginError::InitHealthNegative)?;
        let withdraw = self.token_ix(&trader, &account, 0, &sol, |a| build::withdraw(a, SOL, health));
        self.ok("withdraw", 2, vec![withdraw], &[&trader], &[])?;
        let everything = self.token_ix(&trader, &account, 15, &usdc, |a| build::repay(a, u64::MAX, false));
        self.refused("repay", vec![everything], &[&trader], &[], MarginError::RepayExceedsDebt)?;
        let repay = self.token_ix(&trader, &account, 15, &usdc, |a| build::repay(a, 100 * USDC, false));
        self.ok("repay", 2, vec![repay], &[&trader], &[])?;
        self.svm.set_clock(self.svm.now + 30);
        self.refresh_prices();
        self.ok("accrue_interest", 0, vec![build::accrue_interest(&self.bank(15).bank)], &[], &[])?;
        let not_a_bank = vec![build::accrue_interest(&account)];
        self.refused_with("accrue_interest", (not_a_bank, &[], &[]), 3002, "Anchor: AccountDiscriminatorMismatch")?;
        Ok((account, sol, usdc))
    }

    /// A bank priced by the captured mainnet SOL account (at its pinned address, owner and feed) and a Token-2022
    /// bank: a trader deposits into both and borrows USDC against them.
    fn captured_price_and_token_2022(&mut self) -> Result<(), String> {
        let mut captured = margin_sdk::presets::volatile_params();
        captured.limits.dust_threshold = 1_000_000; // worth a cent at the captured $72.82 (the preset's is at $150)
        self.list_with(16, (9, TOKEN_PROGRAM), Pricing::Captured, captured)?;
        let stable =
            Pricing::Written { at: margin_sdk::addresses::push_feed(&[18; 32]), feed: [18; 32], price: 100_000_000 };
        self.list_with(17, (6, TOKEN_2022_PROGRAM), stable, margin_sdk::presets::stable_params())?;
        let trader = self.svm.keypair();
        let account = self.open(&trader, 0)?;
        let key = pubkey(&trader.pubkey());
        let sol = self.svm.write_token_account(&key, &self.bank(16).mint, 10 * SOL);
        let deposit = self.token_ix(&trader, &account, 16, &sol, |a| build::deposit(a, 10 * SOL));
        self.ok("deposit (captured SOL price)", 1, vec![deposit], &[&trader], &[])?;
        let stable = self.svm.write_token_account(&key, &self.bank(17).mint, 1_000 * USDC);
        let deposit = self.token_ix(&trader, &account, 17, &stable, |a| build::deposit(a, 1_000 * USDC));
        self.ok("deposit (Token-2022)", 2, vec![deposit], &[&trader], &[])?;
        let most = self.snapshot(&[account]).max_borrow(&account, &self.bank(15).bank).map_err(|e| e.to_string())?;
        // 10 SOL at $215.68 (Init: × 0.8 less the confidence) plus 1,000 (× 0.95) against USDC at 1.05.
        if !(2_000 * USDC..2_600 * USDC).contains(&most) {
            return Err(format!("max borrow against the captured price: {most}"));
        }
        let usdc = self.svm.write_token_account(&key, &self.bank(15).mint, 0);
        let health = self.health_accounts(&account, Some(15));
        let borrow = self.token_ix(&trader, &account, 15, &usdc, |a| build::borrow(a, most, health));
        self.ok("borrow", 3, vec![borrow], &[&trader], &[])?;
        Ok(())
    }

    /// A whale with $10,000 in each of the 15 volatile banks borrows 97 % of its USDC limit (16 positions).
    fn whale(&mut self) -> Result<(Pubkey, AddressLookupTableAccount), String> {
        let whale = self.svm.keypair();
        let account = self.open(&whale, 0)?;
        let key = pubkey(&whale.pubkey());
        for index in 0..15 {
            let amount = 10_000 * SOL / 150;
            let wallet = self.svm.write_token_account(&key, &self.bank(index).mint, amount);
            let deposit = self.token_ix(&whale, &account, index, &wallet, |a| build::deposit(a, amount));
            self.ok("deposit", 1, vec![deposit], &[&whale], &[])?;
        }
        let banks = self.all_banks();
        let mut addresses = margin_sdk::transaction::lookup_table_addresses(&self.group, &banks);
        addresses.push(account);
        let table = self.svm.write_lookup_table(&addresses);
        self.svm.set_clock(self.svm.now);
        self.refresh_prices();
        let most = self
            .snapshot(&[account])
            .max_borrow(&account, &self.bank(15).bank)
            .map_err(|e| format!("max borrow: {e}"))?;
        let usdc = self.svm.write_token_account(&key, &self.bank(15).mint, 0);
        let health = self.health_accounts(&account, Some(15));
        let borrow = self.token_ix(&whale, &account, 15, &usdc, |a| build::borrow(a, most / 100 * 97, health));
        self.ok("borrow", 16, vec![borrow], &[&whale], std::slice::from_ref(&table))?;
        if self.positions(&account) != 16 {
            return Err("the whale does not hold 16 positions".to_string());
        }
        Ok((account, table))
    }

    fn liquidate_ix(
        &self,
        liquidator: &Keypair,
        account: &Pubkey,
        (debt, collateral): (usize, usize),
        (pay, receive): (&Pubkey, &Pubkey),
        max_repay: u64,
    ) -> Ix {
        let key = pubkey(&liquidator.pubkey());
        let (debt, collateral) = (self.bank(debt), self.bank(collateral));
        let accounts = LiquidateAccounts {
            liquidator: &key,
            account,
            group: &self.group,
            debt: &debt,
            collateral: &collateral,
            pay_from: pay,
            receive_to: receive,
            receive_account: None,
        };
        build::liquidate(&accounts, max_repay, self.health_accounts(account, None))
    }

    /// Everything falls 17 %: the whale is liquidated in one v0 transaction (16 positions); the trader, still
    /// healthy, is refused; SOL falls to $100 and the trader is liquidated (2 positions).
    fn crash_and_liquidate(
        &mut self,
        whale: &Pubkey,
        table: &AddressLookupTableAccount,
        (trader, _, _): (&Pubkey, Pubkey, Pubkey),
    ) -> Result<(), String> {
        for index in 0..15 {
            self.set_price(index, SOL_PRICE * 83 / 100);
        }
        self.refresh_prices();
        let liquidator = self.svm.keypair();
        let key = pubkey(&liquidator.pubkey());
        let pay = self.svm.write_token_account(&key, &self.bank(15).mint, 10_000_000 * USDC);
        let receive = self.svm.write_token_account(&key, &self.bank(0).mint, 0);
        let healthy = self.liquidate_ix(&liquidator, trader, (15, 0), (&pay, &receive), u64::MAX);
        self.refused("liquidate", vec![healthy], &[&liquidator], &[], MarginError::NotLiquidatable)?;
        let whale_ix = self.liquidate_ix(&liquidator, whale, (15, 0), (&pay, &receive), u64::MAX);
        self.ok("liquidate", 16, vec![whale_ix], &[&liquidator], std::slice::from_ref(table))?;
        if self.svm.token_balance(&receive) == 0 || self.svm.token_balance(&pay) == 10_000_000 * USDC {
            return Err("the whale's liquidation moved no tokens".to_string());
        }
        self.set_price(0, 100_00000000);
        let trader_ix = self.liquidate_ix(&liquidator, trader, (15, 0), (&pay, &receive), u64::MAX);
        self.ok("liquidate", 2, vec![trader_ix], &[&liquidator], &[])?;
        Ok(())
    }

    /// A small account (SOL, one native unit of a second token as dust, a USDC debt near its limit): SOL
    /// halves, a liquidation takes all its SOL, and `resolve_bankruptcy` burns the dust (the account is under
    /// water) and writes the debt off. A second account without dust is written off by the liquidation itself.
    fn bankruptcy(&mut self) -> Result<(), String> {
        let (_, account, _) = self.indebted_small_account(true)?;
        let usdc_bank = self.bank(15);
        let early = build::resolve_bankruptcy(&account, &self.group, &usdc_bank, self.bankruptcy_accounts(&account));
        self.refused("resolve_bankruptcy", vec![early], &[], &[], MarginError::NotBankrupt)?;
        let (_, without_dust, _) = self.indebted_small_account(false)?;
        self.set_price(0, 50_00000000);
        let liquidator = self.svm.keypair();
        let lkey = pubkey(&liquidator.pubkey());
        let pay = self.svm.write_token_account(&lkey, &self.bank(15).mint, 1_000_000 * USDC);
        let receive = self.svm.write_token_account(&lkey, &self.bank(0).mint, 0);
        let seize = self.liquidate_ix(&liquidator, &account, (15, 0), (&pay, &receive), u64::MAX);
        self.ok("liquidate", 3, vec![seize], &[&liquidator], &[])?;
        let resolve = build::resolve_bankruptcy(&account, &self.group, &usdc_bank, self.bankruptcy_accounts(&account));
        self.ok("resolve_bankruptcy", 3, vec![resolve], &[], &[])?;
        let written_off = self.liquidate_ix(&liquidator, &without_dust, (15, 0), (&pay, &receive), u64::MAX);
        self.ok("liquidate (writes the debt off)", 2, vec![written_off], &[&liquidator], &[])?;
        if margin_sdk::accounts::margin_account(&self.svm.data(&without_dust)).unwrap().has_debt() {
            return Err("the liquidation that took the last collateral left the debt on the books".to_string());
        }
        Ok(())
    }

    /// An account with 1 SOL (and, with `dust`, one native unit of bank 1's token) borrowing the most USDC it
    /// may: (owner, account, its USDC wallet).
    fn indebted_small_account(&mut self, dust: bool) -> Result<(Keypair, Pubkey, Pubkey), String> {
        let owner = self.svm.keypair();
        let account = self.open(&owner, u16::from(dust))?;
        let key = pubkey(&owner.pubkey());
        let sol = self.svm.write_token_account(&key, &self.bank(0).mint, SOL);
        let usdc = self.svm.write_token_account(&key, &self.bank(15).mint, 0);
        let deposit = self.token_ix(&owner, &account, 0, &sol, |a| build::deposit(a, SOL));
        self.ok("deposit", 1, vec![deposit], &[&owner], &[])?;
        if dust {
            let wallet = self.svm.write_token_account(&key, &self.bank(1).mint, 1);
            let deposit = self.token_ix(&owner, &account, 1, &wallet, |a| build::deposit(a, 1));
            self.ok("deposit", 2, vec![deposit], &[&owner], &[])?;
        }
        let most = self.snapshot(&[account]).max_borrow(&account, &self.bank(15).bank).map_err(|e| e.to_string())?;
        let health = self.health_accounts(&account, Some(15));
        let borrow = self.token_ix(&owner, &account, 15, &usdc, |a| build::borrow(a, most, health));
        self.ok("borrow", 2 + usize::from(dust), vec![borrow], &[&owner], &[])?;
        Ok((owner, account, usdc))
    }

    /// Remaining accounts of `resolve_bankruptcy` of `account` as it stands (the SDK's).
    fn bankruptcy_accounts(&self, account: &Pubkey) -> Vec<anchor_lang::solana_program::instruction::AccountMeta> {
        self.snapshot(&[*account]).bankruptcy_accounts(account).unwrap()
    }

    fn governance(&mut self) -> Result<(), String> {
        let (payer, admin, group) = (self.svm.payer(), self.admin(), self.group);
        let usdc = self.bank(15).bank;
        let params = margin_sdk::accounts::bank(&self.svm.data(&usdc)).unwrap().params();
        let mut safer = params;
        safer.risk.max_utilization_bps -= 500;
        let stranger = self.stranger.insecure_clone();
        let stranger_key = pubkey(&stranger.pubkey());
        let by_stranger = build::propose_bank_change(&payer, &stranger_key, &group, self.proposals, &usdc, safer);
        self.refused("propose_bank_change", vec![by_stranger], &[&stranger], &[], MarginError::NotAdmin)?;
        let propose = build::propose_bank_change(&payer, &admin, &group, self.proposals, &usdc, safer);
        self.ok("propose_bank_change", 0, vec![propose], &[], &[])?;
        let change = margin_sdk::addresses::proposal(&group, self.proposals);
        self.proposals += 1;
        let settings = margin_sdk::presets::governance_settings();
        let guardian = pubkey(&self.guardian.pubkey());
        let args = GroupChangeArgs { admin, guardian, settings };
        let by_stranger = build::propose_group_change(&payer, &stranger_key, &group, self.proposals, args);
        self.refused("propose_group_change", vec![by_stranger], &[&stranger], &[], MarginError::NotAdmin)?;
        self.ok(
            "propose_group_change",
            0,
            vec![build::propose_group_change(&payer, &admin, &group, self.proposals, args)],
            &[],
            &[],
        )?;
        let group_change = margin_sdk::addresses::proposal(&group, self.proposals);
        self.proposals += 1;
        let cancel_me = margin_sdk::addresses::proposal(&group, self.proposals);
        self.ok(
            "propose_bank_change",
            0,
            vec![build::propose_bank_change(&payer, &admin, &group, self.proposals, &usdc, safer)],
            &[],
            &[],
        )?;
        self.proposals += 1;
        self.refused(
            "cancel_proposal",
            vec![build::cancel_proposal(&stranger_key, &group, &cancel_me)],
            &[&stranger],
            &[],
            MarginError::NotAdminOrGuardian,
        )?;
        self.ok("cancel_proposal", 0, vec![build::cancel_proposal(&admin, &group, &cancel_me)], &[], &[])?;
        // Issue 25: a Switchboard pull feed as USDC's fallback, proposed now and executed after the timelock.
        let feed = Pubkey::new_unique();
        let pull_feed = margin_sdk::switchboard::PullFeed::new(100_000_000, 10_000, self.svm.now).account();
        self.svm.set_account(&feed, &crate::svm::address(&pull_feed.owner), pull_feed.data);
        let fallback = FallbackOracle { max_divergence_bps: 200, price_account: feed };
        let id = self.proposals;
        self.refused(
            "propose_fallback_oracle",
            vec![build::propose_fallback_oracle(&payer, &stranger_key, &group, id, &usdc, fallback)],
            &[&stranger],
            &[],
            MarginError::NotAdmin,
        )?;
        self.ok(
            "propose_fallback_oracle",
            0,
            vec![build::propose_fallback_oracle(&payer, &admin, &group, id, &usdc, fallback)],
            &[],
            &[],
        )?;
        let fallback_proposal = margin_sdk::addresses::proposal(&group, id);
        self.proposals += 1;
        // Issue 26: a correlation group of banks 0 and 1 (joint ±20 %, bank 1 5 % off bank 0 either way).
        let grouped = [self.bank(0).bank, self.bank(1).bank];
        let mut moves = [[0i16; 16]; 2];
        moves[0][..2].copy_from_slice(&[-2_000, 2_000]);
        moves[1][..4].copy_from_slice(&[-2_000, 2_000, 500, -500]);
        let args = |moves_bps: Vec<[i16; 16]>| CorrelationGroupArgs { init_scale_bps: 12_000, moves_bps };
        let id = self.proposals;
        self.refused(
            "propose_correlation_group",
            vec![build::propose_correlation_group(&payer, &admin, &group, id, &grouped, args(vec![moves[0]; 2]))],
            &[],
            &[],
            MarginError::InvalidCorrelationGroup,
        )?;
        self.ok(
            "propose_correlation_group",
            0,
            vec![build::propose_correlation_group(&payer, &admin, &group, id, &grouped, args(moves.to_vec()))],
            &[],
            &[],
        )?;
        let correlation_proposal = margin_sdk::addresses::proposal(&group, id);
        self.proposals += 1;
        self.refused(
            "execute_bank_change",
            vec![build::execute_bank_change(&payer, &group, &usdc, &change)],
            &[],
            &[],
            MarginError::ProposalNotReady,
        )?;
        self.svm.set_clock(self.svm.now + i64::from(settings.timelock_delay_seconds) + 1);
        self.refresh_prices();
        self.ok("execute_bank_change", 0, vec![build::execute_bank_change(&payer, &group, &usdc, &change)], &[], &[])?;
        self.refused(
            "execute_bank_change",
            vec![build::execute_bank_change(&payer, &group, &usdc, &change)],
            &[],
            &[],
            MarginError::ProposalNotPending,
        )?;
        self.ok("execute_group_change", 0, vec![build::execute_group_change(&payer, &group, &group_change)], &[], &[])?;
        let wrong_bank = self.bank(0).bank;
        self.refused(
            "execute_fallback_oracle",
            vec![build::execute_fallback_oracle(&payer, &group, &wrong_bank, &fallback_proposal)],
            &[],
            &[],
            MarginError::WrongProposal,
        )?;
        self.ok(
            "execute_fallback_oracle",
            0,
            vec![build::execute_fallback_oracle(&payer, &group, &usdc, &fallback_proposal)],
            &[],
            &[],
        )?;
        self.banks[15].addresses.fallback_price_account = Some(feed);
        self.refused(
            "execute_correlation_group",
            vec![build::execute_correlation_group(&payer, &group, &correlation_proposal, &grouped[..1])],
            &[],
            &[],
            MarginError::BadRemainingAccounts,
        )?;
        self.ok(
            "execute_correlation_group",
            0,
            vec![build::execute_correlation_group(&payer, &group, &correlation_proposal, &grouped)],
            &[],
            &[],
        )?;
        self.refused(
            "execute_group_change",
            vec![build::execute_group_change(&payer, &group, &group_change)],
            &[],
            &[],
            MarginError::ProposalNotPending,
        )?;
        let mut tighter = margin_sdk::accounts::bank(&self.svm.data(&usdc)).unwrap().params();
        tighter.risk.max_utilization_bps -= 500;
        let guardian_key = self.guardian.insecure_clone();
        self.refused(
            "tighten_bank",
            vec![build::tighten_bank(&stranger_key, &group, &usdc, tighter)],
            &[&stranger],
            &[],
            MarginError::NotAdminOrGuardian,
        )?;
        self.ok(
            "tighten_bank",
            0,
            vec![build::tighten_bank(&guardian, &group, &usdc, tighter)],
            &[&guardian_key],
            &[],
        )?;
        self.refused(
            "pause_group",
            vec![build::pause_group(&stranger_key, &group, 600)],
            &[&stranger],
            &[],
            MarginError::NotGuardian,
        )?;
        self.ok("pause_group", 0, vec![build::pause_group(&guardian, &group, 600)], &[&guardian_key], &[])?;
        self.refused(
            "unpause_group",
            vec![build::unpause_group(&stranger_key, &group)],
            &[&stranger],
            &[],
            MarginError::NotAdmin,
        )?;
        self.ok("unpause_group", 0, vec![build::unpause_group(&admin, &group)], &[], &[])?;
        let fees = self.bank(15);
        self.ok("sweep_fees", 0, vec![build::sweep_fees(&fees)], &[], &[])?;
        let mut wrong = fees;
        wrong.vault = self.bank(0).vault;
        self.refused("sweep_fees", vec![build::sweep_fees(&wrong)], &[], &[], MarginError::WrongVault)?;
        Ok(())
    }

    fn close(&mut self, lender: &Keypair, lender_account: &Pubkey) -> Result<(), String> {
        let owner = self.svm.keypair();
        let account = self.open(&owner, 0)?;
        let lender_key = pubkey(&lender.pubkey());
        self.refused(
            "close_account",
            vec![build::close_account(&lender_key, lender_account)],
            &[lender],
            &[],
            MarginError::AccountNotEmpty,
        )?;
        self.ok("close_account", 0, vec![build::close_account(&pubkey(&owner.pubkey()), &account)], &[&owner], &[])?;
        Ok(())
    }
}
