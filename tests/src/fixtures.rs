//! Fixtures: the test group's governance settings, SOL-like and USDC-like bank parameters, prices written
//! into Pyth accounts, and listing a bank through its proposal.
use anchor_spl::token::spl_token;
use margin::state::{BankConfig, BankParams};
use margin_sdk::addresses::BankAddresses;
use solana_sdk::pubkey::Pubkey;

use crate::env::{BankKeys, Env, Failure};
use margin_sdk::pyth::PriceUpdate;
use margin_sdk::switchboard::PullFeed;

impl Env {
    /// Writes `update` into `address`.
    pub fn set_price_account(&mut self, address: &Pubkey, update: &PriceUpdate) {
        let account = update.account(*address);
        self.set_account(address, account);
    }

    /// Writes the Switchboard pull feed `feed` into `address`.
    pub fn set_pull_feed(&mut self, address: &Pubkey, feed: &PullFeed) {
        self.set_account(address, feed.account());
    }

    /// Sets a bank's price to `dollars_e8 ± conf_e8` (10^-8 USD), published now.
    pub fn set_price(&mut self, bank: &BankKeys, dollars_e8: i64, conf_e8: u64) {
        let update = PriceUpdate::new(bank.feed_id, dollars_e8, conf_e8, self.now);
        self.set_price_account(&bank.price_account, &update);
    }

    /// Lists a new mint with `decimals` at `dollars_e8 ± conf_e8`, with `config`'s parameters, on its feed's
    /// Pyth push-oracle account; a dust threshold worth less than two cents at that price is raised to two
    /// cents (a bank's must be worth a cent, `InvalidDustThreshold`).
    pub async fn add_bank(
        &mut self,
        decimals: u8,
        dollars_e8: i64,
        conf_e8: u64,
        mut config: BankConfig,
    ) -> Result<BankKeys, Failure> {
        let mint = self.create_mint(decimals).await;
        let price_account = margin::oracle::push_feed_address(&config.feed_id);
        let feed_id = config.feed_id;
        let dust = &mut config.params.limits.dust_threshold;
        *dust = (*dust).max(margin_sdk::presets::two_cent_dust_threshold(decimals, dollars_e8, -8));
        self.set_price_account(&price_account, &PriceUpdate::new(feed_id, dollars_e8, conf_e8, self.now));
        self.add_bank_with(mint, price_account, config).await
    }

    /// `add_bank` for an existing SPL Token mint and price account.
    pub async fn add_bank_with(
        &mut self,
        mint: Pubkey,
        price_account: Pubkey,
        config: BankConfig,
    ) -> Result<BankKeys, Failure> {
        self.add_bank_for_program(mint, price_account, config, spl_token::ID).await
    }

    /// `add_bank` for a mint of `token_program` (SPL Token or Token-2022). A dust threshold worth less than
    /// two cents at the price the price account holds (when it holds one) is raised to two cents.
    pub async fn add_bank_for_program(
        &mut self,
        mint: Pubkey,
        price_account: Pubkey,
        mut config: BankConfig,
        token_program: Pubkey,
    ) -> Result<BankKeys, Failure> {
        let price = self.account(&price_account).await.and_then(|account| PriceUpdate::from_account(&account).ok());
        let decimals = self.account(&mint).await.and_then(|account| mint_decimals(&account.data));
        if let (Some(price), Some(decimals)) = (price, decimals) {
            let dust = &mut config.params.limits.dust_threshold;
            *dust = (*dust).max(margin_sdk::presets::two_cent_dust_threshold(decimals, price.price, price.exponent));
        }
        let BankAddresses { bank, vault, insurance_vault, .. } =
            BankAddresses::derive(&self.group, &mint, &token_program, &price_account);
        // Proposed one timelock delay ago, so that the listing executes now and the clock stays put.
        let now = self.now;
        let delay = i64::from(self.group_state().await.governance.timelock_delay_seconds);
        self.set_clock(now - delay);
        let proposal = self.propose_listing(mint, price_account, config).await;
        self.set_clock(now);
        self.execute_listing(&proposal?, mint, price_account, token_program).await?;
        let decimals = mint_decimals(&self.account(&mint).await.unwrap().data).unwrap();
        Ok(BankKeys {
            bank,
            mint,
            vault,
            insurance_vault,
            price_account,
            feed_id: config.feed_id,
            decimals,
            token_program,
            fallback_price_account: None,
        })
    }
}

/// The decimals of an SPL Token or Token-2022 mint's data.
fn mint_decimals(data: &[u8]) -> Option<u8> {
    use anchor_spl::token_2022::spl_token_2022::{extension::StateWithExtensions, state::Mint};
    StateWithExtensions::<Mint>::unpack(data).ok().map(|mint| mint.base.decimals)
}

pub use margin_sdk::presets::{governance_settings, stable_params, volatile_params};

/// A SOL-like listing on feed `[feed_byte; 32]`.
pub fn volatile_config(feed_byte: u8) -> BankConfig {
    BankConfig { feed_id: [feed_byte; 32], isolated_only: false, params: volatile_params() }
}

/// A USDC-like listing on feed `[feed_byte; 32]`.
pub fn stable_config(feed_byte: u8) -> BankConfig {
    BankConfig { params: stable_params(), ..volatile_config(feed_byte) }
}

/// `config` with its parameters changed by `change`.
pub fn with_params(mut config: BankConfig, change: impl FnOnce(&mut BankParams)) -> BankConfig {
    change(&mut config.params);
    config
}
