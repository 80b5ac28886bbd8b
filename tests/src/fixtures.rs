//! Fixtures: the test group's governance settings, SOL-like and USDC-like bank parameters, prices written
//! into Pyth accounts, and listing a bank through its proposal.
use anchor_spl::token::spl_token;
use margin::state::{BankConfig, BankParams, BankStatus, GovernanceSettings};
use margin_sdk::addresses::BankAddresses;
use solana_sdk::pubkey::Pubkey;

use crate::env::{BankKeys, Env, Failure};
use margin_sdk::pyth::PriceUpdate;

impl Env {
    /// Writes `update` into `address`.
    pub fn set_price_account(&mut self, address: &Pubkey, update: &PriceUpdate) {
        let account = update.account(*address);
        self.set_account(address, account);
    }

    /// Sets a bank's price to `dollars_e8 ± conf_e8` (10^-8 USD), published now.
    pub fn set_price(&mut self, bank: &BankKeys, dollars_e8: i64, conf_e8: u64) {
        let update = PriceUpdate::new(bank.feed_id, dollars_e8, conf_e8, self.now);
        self.set_price_account(&bank.price_account, &update);
    }

    /// Lists a new mint with `decimals` at `dollars_e8 ± conf_e8`, with `config`'s parameters.
    pub async fn add_bank(
        &mut self,
        decimals: u8,
        dollars_e8: i64,
        conf_e8: u64,
        config: BankConfig,
    ) -> Result<BankKeys, Failure> {
        let mint = self.create_mint(decimals).await;
        let price_account = Pubkey::new_unique();
        let feed_id = config.feed_id;
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

    /// `add_bank` for a mint of `token_program` (SPL Token or Token-2022).
    pub async fn add_bank_for_program(
        &mut self,
        mint: Pubkey,
        price_account: Pubkey,
        config: BankConfig,
        token_program: Pubkey,
    ) -> Result<BankKeys, Failure> {
        let BankAddresses { bank, vault, insurance_vault, .. } =
            BankAddresses::derive(&self.group, &mint, &token_program, &price_account);
        // Proposed one timelock delay ago, so that the listing executes now and the clock stays put.
        let now = self.now;
        let delay = i64::from(self.group_state().await.governance.timelock_delay_seconds);
        self.set_clock(now - delay);
        let proposal = self.propose_listing(mint, price_account, config).await;
        self.set_clock(now);
        self.execute_listing(&proposal?, mint, price_account, token_program).await?;
        let mint_data = self.account(&mint).await.unwrap().data;
        let decimals = anchor_spl::token_2022::spl_token_2022::extension::StateWithExtensions::<
            anchor_spl::token_2022::spl_token_2022::state::Mint,
        >::unpack(&mint_data)
        .unwrap()
        .base
        .decimals;
        Ok(BankKeys {
            bank,
            mint,
            vault,
            insurance_vault,
            price_account,
            feed_id: config.feed_id,
            decimals,
            token_program,
        })
    }
}

/// The test group's governance: a 2-day timelock, proposals live 7 days; weights ±5 pp, rates ±10 pp, caps
/// and limits ×2 per change, a day between changes of a bank; pauses of at most 6 hours, 2 per rolling day.
pub fn governance_settings() -> GovernanceSettings {
    GovernanceSettings {
        timelock_delay_seconds: 2 * 86_400,
        proposal_lifetime_seconds: 7 * 86_400,
        max_weight_step_bps: 500,
        max_rate_step_bps: 1_000,
        max_growth_bps: 20_000,
        min_change_interval_seconds: 86_400,
        max_pause_seconds: 6 * 3_600,
        max_pauses_per_day: 2,
    }
}

/// SOL-like parameters: weights 0.8/0.9 asset, 1.2/1.1 liability; k 2/1; bonus 2–8 %, fee 1 %.
pub fn volatile_params() -> BankParams {
    BankParams {
        max_age_seconds: 60,
        max_conf_open_bps: 200,
        max_conf_liquidation_bps: 500,
        conf_multiplier_init_bps: 20_000,
        conf_multiplier_maint_bps: 10_000,
        max_conf_discount_bps: 1_000,
        init_asset_weight_bps: 8_000,
        maint_asset_weight_bps: 9_000,
        init_liability_weight_bps: 12_000,
        maint_liability_weight_bps: 11_000,
        min_bonus_bps: 200,
        max_bonus_bps: 800,
        insurance_fee_bps: 100,
        protocol_fee_bps: 1_000,
        max_utilization_bps: 9_000,
        curve: [0, 5_000, 400, 8_000, 1_000, 10_000],
        deposit_cap: u64::MAX / 4,
        borrow_cap: u64::MAX / 4,
        dust_threshold: 0,
        status: BankStatus::Active,
    }
}

/// USDC-like parameters: weights 0.95/0.98 asset, 1.05/1.02 liability.
pub fn stable_params() -> BankParams {
    BankParams {
        init_asset_weight_bps: 9_500,
        maint_asset_weight_bps: 9_800,
        init_liability_weight_bps: 10_500,
        maint_liability_weight_bps: 10_200,
        max_bonus_bps: 100,
        min_bonus_bps: 50,
        insurance_fee_bps: 0,
        ..volatile_params()
    }
}

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
