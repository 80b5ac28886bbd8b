//! Bank: one mint of one group; its vaults, oracle, risk parameters and share totals.
use anchor_lang::prelude::*;
use margin_risk::health::RiskWeights;
use margin_risk::interest::{BankLimits, BankTotals, InterestCurve};
use margin_risk::liquidation::LiquidationConfig;
use margin_risk::price::OracleConfig;

/// Bank status: what it accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum BankStatus {
    /// Everything.
    Active = 0,
    /// No new borrows and no new deposits; exits stay open (governance issue).
    ReduceOnly = 1,
    /// Nothing but repay and liquidation (governance issue).
    Paused = 2,
}

/// A bank's parameters as `add_bank` takes them: every one validated by margin-risk.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct BankConfig {
    /// Pyth feed id the price account must carry.
    pub feed_id: [u8; 32],
    /// Oldest accepted price, seconds.
    pub max_age_seconds: u32,
    /// conf/price limit for actions that add risk, bps.
    pub max_conf_open_bps: u32,
    /// conf/price limit above which the price is unusable, bps.
    pub max_conf_liquidation_bps: u32,
    /// k for Init prices, bps of conf.
    pub conf_multiplier_init_bps: u32,
    /// k for Maint prices, bps of conf.
    pub conf_multiplier_maint_bps: u32,
    /// Cap of a confidence discount, bps of price.
    pub max_conf_discount_bps: u32,
    /// Init asset weight, bps.
    pub init_asset_weight_bps: u32,
    /// Maint asset weight, bps.
    pub maint_asset_weight_bps: u32,
    /// Init liability weight, bps.
    pub init_liability_weight_bps: u32,
    /// Maint liability weight, bps.
    pub maint_liability_weight_bps: u32,
    /// Liquidation bonus at the edge of maintenance, bps.
    pub min_bonus_bps: u32,
    /// Liquidation bonus at depth, bps.
    pub max_bonus_bps: u32,
    /// Insurance fee on liquidations of this collateral, bps.
    pub insurance_fee_bps: u32,
    /// Share of borrow interest kept for the insurance vault, bps.
    pub protocol_fee_bps: u32,
    /// Largest borrows / deposits after a borrow or withdraw, bps.
    pub max_utilization_bps: u32,
    /// Interest curve, bps: zero, kink0 utilization and rate, kink1 utilization and rate, max.
    pub curve: [u32; 6],
    /// Largest Σ deposits, native units.
    pub deposit_cap: u64,
    /// Largest Σ debts, native units.
    pub borrow_cap: u64,
    /// A debt left below this is closed in full by a liquidation, native units.
    pub dust_threshold: u64,
    /// Usable only inside isolated accounts.
    pub isolated_only: bool,
}

/// One bank. Zero-copy: health reads up to 16 of these per instruction.
#[account(zero_copy)]
#[repr(C)]
pub struct Bank {
    /// The group.
    pub group: Pubkey,
    /// The token mint.
    pub mint: Pubkey,
    /// SPL Token or Token-2022: the mint's owner.
    pub token_program: Pubkey,
    /// Token vault PDA holding deposits.
    pub vault: Pubkey,
    /// Insurance vault PDA, same mint.
    pub insurance_vault: Pubkey,
    /// The pinned Pyth `PriceUpdateV2` account.
    pub price_account: Pubkey,
    /// The pinned Pyth feed id.
    pub feed_id: [u8; 32],
    /// Σ deposit shares.
    pub deposit_shares: u64,
    /// Σ borrow shares.
    pub borrow_shares: u64,
    /// Native units per deposit share, scaled by `margin_risk::interest::INDEX_SCALE`.
    pub deposit_index: u64,
    /// Native units per borrow share, scaled likewise.
    pub borrow_index: u64,
    /// Largest Σ deposits, native units.
    pub deposit_cap: u64,
    /// Largest Σ debts, native units.
    pub borrow_cap: u64,
    /// Dust threshold of a debt, native units.
    pub dust_threshold: u64,
    /// Protocol fees accrued in the vault, owed to the insurance vault, native units.
    pub pending_insurance_fees: u64,
    /// Unix seconds of the last accrual.
    pub last_accrual: i64,
    /// Oracle and risk parameters, bps or seconds (see [`BankConfig`]).
    pub max_age_seconds: u32,
    pub max_conf_open_bps: u32,
    pub max_conf_liquidation_bps: u32,
    pub conf_multiplier_init_bps: u32,
    pub conf_multiplier_maint_bps: u32,
    pub max_conf_discount_bps: u32,
    pub init_asset_weight_bps: u32,
    pub maint_asset_weight_bps: u32,
    pub init_liability_weight_bps: u32,
    pub maint_liability_weight_bps: u32,
    pub min_bonus_bps: u32,
    pub max_bonus_bps: u32,
    pub insurance_fee_bps: u32,
    pub protocol_fee_bps: u32,
    pub max_utilization_bps: u32,
    pub curve: [u32; 6],
    /// Mint decimals.
    pub decimals: u8,
    /// [`BankStatus`] as u8.
    pub status: u8,
    /// 1 when usable only in isolated accounts.
    pub isolated_only: u8,
    /// Canonical bumps: bank, vault, insurance vault.
    pub bump: u8,
    pub vault_bump: u8,
    pub insurance_bump: u8,
    pub padding: [u8; 6],
    /// Room for governance state without a migration.
    pub reserved: [u8; 128],
}

impl Bank {
    /// Writes a validated config.
    pub fn apply_config(&mut self, config: &BankConfig) {
        self.feed_id = config.feed_id;
        self.max_age_seconds = config.max_age_seconds;
        self.max_conf_open_bps = config.max_conf_open_bps;
        self.max_conf_liquidation_bps = config.max_conf_liquidation_bps;
        self.conf_multiplier_init_bps = config.conf_multiplier_init_bps;
        self.conf_multiplier_maint_bps = config.conf_multiplier_maint_bps;
        self.max_conf_discount_bps = config.max_conf_discount_bps;
        self.init_asset_weight_bps = config.init_asset_weight_bps;
        self.maint_asset_weight_bps = config.maint_asset_weight_bps;
        self.init_liability_weight_bps = config.init_liability_weight_bps;
        self.maint_liability_weight_bps = config.maint_liability_weight_bps;
        self.min_bonus_bps = config.min_bonus_bps;
        self.max_bonus_bps = config.max_bonus_bps;
        self.insurance_fee_bps = config.insurance_fee_bps;
        self.protocol_fee_bps = config.protocol_fee_bps;
        self.max_utilization_bps = config.max_utilization_bps;
        self.curve = config.curve;
        self.deposit_cap = config.deposit_cap;
        self.borrow_cap = config.borrow_cap;
        self.dust_threshold = config.dust_threshold;
        self.isolated_only = u8::from(config.isolated_only);
    }

    /// The oracle settings as margin-risk takes them.
    pub fn oracle_config(&self) -> OracleConfig {
        OracleConfig {
            max_age_seconds: self.max_age_seconds,
            max_conf_open_bps: self.max_conf_open_bps,
            max_conf_liquidation_bps: self.max_conf_liquidation_bps,
            conf_multiplier_init_bps: self.conf_multiplier_init_bps,
            conf_multiplier_maint_bps: self.conf_multiplier_maint_bps,
            max_conf_discount_bps: self.max_conf_discount_bps,
        }
    }

    /// The risk weights.
    pub fn weights(&self) -> RiskWeights {
        RiskWeights {
            init_asset_bps: self.init_asset_weight_bps,
            maint_asset_bps: self.maint_asset_weight_bps,
            init_liability_bps: self.init_liability_weight_bps,
            maint_liability_bps: self.maint_liability_weight_bps,
        }
    }

    /// The liquidation bonus and fee of this bank as collateral.
    pub fn liquidation_config(&self) -> LiquidationConfig {
        LiquidationConfig {
            min_bonus_bps: self.min_bonus_bps,
            max_bonus_bps: self.max_bonus_bps,
            insurance_fee_bps: self.insurance_fee_bps,
        }
    }

    /// The interest curve.
    pub fn interest_curve(&self) -> InterestCurve {
        let [zero_rate_bps, kink0_util_bps, kink0_rate_bps, kink1_util_bps, kink1_rate_bps, max_rate_bps] = self.curve;
        InterestCurve { zero_rate_bps, kink0_util_bps, kink0_rate_bps, kink1_util_bps, kink1_rate_bps, max_rate_bps }
    }

    /// Caps and max utilization.
    pub fn limits(&self) -> BankLimits {
        BankLimits {
            deposit_cap: self.deposit_cap,
            borrow_cap: self.borrow_cap,
            max_utilization_bps: self.max_utilization_bps,
        }
    }

    /// Share totals and indices.
    pub fn totals(&self) -> BankTotals {
        BankTotals {
            deposit_shares: self.deposit_shares,
            borrow_shares: self.borrow_shares,
            deposit_index: self.deposit_index,
            borrow_index: self.borrow_index,
        }
    }

    /// Writes back share totals and indices.
    pub fn set_totals(&mut self, totals: &BankTotals) {
        self.deposit_shares = totals.deposit_shares;
        self.borrow_shares = totals.borrow_shares;
        self.deposit_index = totals.deposit_index;
        self.borrow_index = totals.borrow_index;
    }

    /// Whether the bank accepts actions that add to it (deposit, borrow).
    pub fn is_active(&self) -> bool {
        self.status == BankStatus::Active as u8
    }
}

impl Bank {
    /// Accrues interest up to `now` (unix seconds) with margin-risk; the protocol fee is added to the
    /// fees owed to the insurance vault. A clock behind the last accrual accrues nothing.
    pub fn accrue(&mut self, now: i64) -> Result<margin_risk::interest::Accrual> {
        use crate::errors::RiskResultExt;
        let elapsed = u64::try_from(now.saturating_sub(self.last_accrual)).unwrap_or(0);
        let mut totals = self.totals();
        let accrual =
            margin_risk::interest::accrue(&mut totals, &self.interest_curve(), self.protocol_fee_bps, elapsed)
                .risk()?;
        self.set_totals(&totals);
        self.pending_insurance_fees =
            margin_risk::math::add(self.pending_insurance_fees, accrual.protocol_fee_tokens).risk()?;
        self.last_accrual = self.last_accrual.max(now);
        Ok(accrual)
    }
}
