//! The common story setting: a SOL bank, a USDC bank, a lender who supplied USDC and a trader with SOL.
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

use crate::env::{BankKeys, Env};
use crate::fixtures::{stable_config, volatile_config};
use margin::state::BankConfig;

pub const SOL: u64 = 1_000_000_000;
pub const USDC: u64 = 1_000_000;
/// SOL at $150.00 ± $0.15 (0.1 %), exponent −8.
pub const SOL_PRICE: i64 = 150_00000000;
pub const SOL_CONF: u64 = 15_000_000;
pub const USDC_PRICE: i64 = 100_000_000;
pub const USDC_CONF: u64 = 10_000;

pub struct Market {
    pub env: Env,
    pub sol: BankKeys,
    pub usdc: BankKeys,
    pub lender: Keypair,
    pub lender_account: Pubkey,
    pub trader: Keypair,
    pub trader_account: Pubkey,
    /// The trader's SOL and USDC wallets.
    pub trader_sol: Pubkey,
    pub trader_usdc: Pubkey,
}

impl Market {
    /// Lender deposited 100,000 USDC; trader holds 10 SOL in its wallet and an empty cross account.
    pub async fn new() -> Market {
        let mut env = Env::new().await;
        let sol = env.add_bank(9, SOL_PRICE, SOL_CONF, volatile_config(1)).await.unwrap();
        let usdc = env.add_bank(6, USDC_PRICE, USDC_CONF, stable_config(2)).await.unwrap();
        let lender = env.funded_keypair().await;
        let lender_account = env.open_account(&lender, 0, 0).await.unwrap();
        let lender_usdc = env.funded_token_account(&lender.pubkey(), &usdc, 100_000 * USDC).await;
        env.deposit(&lender, &lender_account, &usdc, &lender_usdc, 100_000 * USDC).await.unwrap();
        let trader = env.funded_keypair().await;
        let trader_account = env.open_account(&trader, 0, 0).await.unwrap();
        let trader_sol = env.funded_token_account(&trader.pubkey(), &sol, 10 * SOL).await;
        let trader_usdc = env.funded_token_account(&trader.pubkey(), &usdc, 0).await;
        Market { env, sol, usdc, lender, lender_account, trader, trader_account, trader_sol, trader_usdc }
    }

    /// The trader deposits its 10 SOL.
    pub async fn with_sol_collateral() -> Market {
        let mut market = Market::new().await;
        let (trader, account, sol, from) =
            (market.trader.insecure_clone(), market.trader_account, market.sol, market.trader_sol);
        market.env.deposit(&trader, &account, &sol, &from, 10 * SOL).await.unwrap();
        market
    }

    /// The trader's 1,100 USDC debt at SOL $120, liquidated once for 100 USDC, so its flag is set; with the
    /// liquidator (keypair, USDC wallet with 10,000 USDC less what it paid, SOL wallet).
    pub async fn partially_liquidated() -> (Market, (Keypair, Pubkey, Pubkey)) {
        let mut market = Market::with_sol_collateral().await;
        market.borrow_usdc(1_100 * USDC).await.unwrap();
        market.set_prices(120_00000000, 12_000_000);
        let (liquidator, pay, receive) = market.liquidator(10_000 * USDC).await;
        let (account, usdc, sol) = (market.trader_account, market.usdc, market.sol);
        market.env.liquidate(&liquidator, &account, &usdc, &sol, &pay, &receive, 100 * USDC).await.unwrap();
        assert_eq!(market.env.account_state(&account).await.being_liquidated, 1);
        (market, (liquidator, pay, receive))
    }

    /// The trader's 1,100 USDC debt against its 10 SOL, plus `deposit` native units of a $10 token (9
    /// decimals) listed with `config`, whose price then goes stale: 61 seconds pass and only SOL (at $120,
    /// below maintenance) and USDC are posted again. Returns the token's bank and the trader's wallet of it,
    /// funded with `wallet` units before the deposit.
    pub async fn with_stale_deposit(config: BankConfig, wallet: u64, deposit: u64) -> (Market, BankKeys, Pubkey) {
        let mut market = Market::with_sol_collateral().await;
        market.borrow_usdc(1_100 * USDC).await.unwrap();
        let token = market.env.add_bank(9, 10_00000000, 1_000_000, config).await.unwrap();
        let (trader, account) = (market.trader.insecure_clone(), market.trader_account);
        let wallet = market.env.funded_token_account(&trader.pubkey(), &token, wallet).await;
        market.env.deposit(&trader, &account, &token, &wallet, deposit).await.unwrap();
        market.env.advance(61);
        market.set_prices(120_00000000, 12_000_000);
        (market, token, wallet)
    }

    /// Refreshes both prices at the current clock (SOL at `sol_e8 ± sol_conf_e8`).
    pub fn set_prices(&mut self, sol_e8: i64, sol_conf_e8: u64) {
        let (sol, usdc) = (self.sol, self.usdc);
        self.env.set_price(&sol, sol_e8, sol_conf_e8);
        self.env.set_price(&usdc, USDC_PRICE, USDC_CONF);
    }

    /// The trader borrows `amount` USDC.
    pub async fn borrow_usdc(&mut self, amount: u64) -> Result<(), crate::env::Failure> {
        let (trader, account, usdc, to) =
            (self.trader.insecure_clone(), self.trader_account, self.usdc, self.trader_usdc);
        self.env.borrow(&trader, &account, &usdc, &to, amount).await
    }

    /// Invariant 1 on both banks.
    pub async fn assert_vaults(&mut self) {
        let (sol, usdc) = (self.sol, self.usdc);
        self.env.assert_vault_covers(&sol).await;
        self.env.assert_vault_covers(&usdc).await;
    }

    /// A liquidator with `usdc` USDC and an empty SOL wallet: (keypair, USDC wallet, SOL wallet).
    pub async fn liquidator(&mut self, usdc: u64) -> (Keypair, Pubkey, Pubkey) {
        let liquidator = self.env.funded_keypair().await;
        let (usdc_bank, sol_bank) = (self.usdc, self.sol);
        let pay = self.env.funded_token_account(&liquidator.pubkey(), &usdc_bank, usdc).await;
        let receive = self.env.funded_token_account(&liquidator.pubkey(), &sol_bank, 0).await;
        (liquidator, pay, receive)
    }
}
